/* `tunnel source`: an IPv4 address, an IOS XR name from the name map, or a Linux name. */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/addr_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct owner {
	uint32_t addr_be;
	int ifindex; /* 0 until found */
};

static void owner_cb(const struct vti_addr_ent *a, void *arg)
{
	struct owner *o = arg;
	if (!o->ifindex && a->addr_be == o->addr_be)
		o->ifindex = a->ifindex;
}

static int copy_name(char *out, size_t len, const char *name, char *err, size_t errlen)
{
	if (!out)
		return 0;
	if (snprintf(out, len, "%s", name) >= (int)len)
		return vti_failmsg(err, errlen, ENAMETOOLONG, "interface name buffer too small");
	return 0;
}

/* Rule 1: the address must be one of ours; its interface is the outer interface. */
static int by_address(const char *src, uint32_t addr_be, uint32_t *addr_out, char *ifname,
                      size_t len, char *err, size_t errlen)
{
	struct owner o = {.addr_be = addr_be};
	struct vti_link l;
	if (vti_addr_dump(owner_cb, &o, err, errlen) < 0)
		return -1;
	if (!o.ifindex)
		return vti_failmsg(err, errlen, EADDRNOTAVAIL,
		                   "tunnel source %s: address is not configured on any interface",
		                   src);
	if (vti_link_query_index(o.ifindex, &l, err, errlen) < 0)
		return -1;
	*addr_out = addr_be;
	return copy_name(ifname, len, l.name, err, errlen);
}

/* Rules 2 and 3 end here: a Linux interface and its primary address. */
static int by_linux_name(const char *src, const char *lname, uint32_t *addr_out, char *ifname,
                         size_t len, char *err, size_t errlen)
{
	char e[VTI_ERRLEN];
	if (vti_addr_get(lname, addr_out, NULL, e, sizeof(e)) < 0) {
		int saved = errno;
		if (strcmp(src, lname))
			return vti_failmsg(err, errlen, saved,
			                   "tunnel source %s (mapped to %s): %s", src, lname, e);
		if (saved == ENODEV) /* "Loopback0" is a valid Linux name, yet maybe IOS XR's */
			return vti_failmsg(err, errlen, saved,
			                   "tunnel source %s: no such interface and no "
			                   "'interface-name-map %s LINUX-IFNAME'",
			                   src, src);
		return vti_failmsg(err, errlen, saved, "tunnel source %s: %s", src, e);
	}
	return copy_name(ifname, len, lname, err, errlen);
}

static const char *map_lookup(const char *src, const struct vti_name_map *map, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (map[i].iosxr && map[i].linux_ifname && !strcasecmp(map[i].iosxr, src))
			return map[i].linux_ifname;
	return NULL;
}

int vti_resolve_source(const char *src, const struct vti_name_map *map, size_t n, uint32_t *addr_be,
                       char *linux_ifname_out, size_t len, char *err, size_t errlen)
{
	struct in_addr a;
	if (!src || !*src)
		return vti_failmsg(err, errlen, EINVAL, "tunnel source is empty");
	if (inet_pton(AF_INET, src, &a) == 1)
		return by_address(src, a.s_addr, addr_be, linux_ifname_out, len, err, errlen);
	const char *mapped = map_lookup(src, map, n);
	if (mapped) {
		if (!vti_ifname_valid(mapped))
			return vti_failmsg(
			    err, errlen, EINVAL,
			    "tunnel source %s: mapped name '%s' is not a valid Linux "
			    "interface name",
			    src, mapped);
		return by_linux_name(src, mapped, addr_be, linux_ifname_out, len, err, errlen);
	}
	if (!vti_ifname_valid(src))
		return vti_failmsg(err, errlen, ENODEV,
		                   "tunnel source %s: not a Linux interface name and not mapped; "
		                   "add 'interface-name-map %s LINUX-IFNAME'",
		                   src, src);
	return by_linux_name(src, src, addr_be, linux_ifname_out, len, err, errlen);
}
