/* `tunnel source`: an IPv4 address, an IOS XR name from the name map, or a Linux name. */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/addr_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int copy_name(char *out, size_t len, const char *name, char *err, size_t errlen)
{
	if (!out)
		return 0;
	if (snprintf(out, len, "%s", name) >= (int)len)
		return vti_failmsg(err, errlen, ENAMETOOLONG, "interface name buffer too small");
	return 0;
}

struct snap_ent {
	uint32_t addr_be;
	int ifindex;
	size_t seq; /* dump order: of two interfaces holding one address, the first wins */
};

#define SNAP_LINKS 8 /* outer links remembered; more are asked for each time */

struct vti_addr_snap {
	size_t n, cap;
	bool oom;
	struct snap_ent *ent; /* sorted by address, then dump order */
	size_t n_links;
	struct vti_link links[SNAP_LINKS];
};

static void snap_remember(struct vti_addr_snap *s, const struct vti_link *l)
{
	if (s && s->n_links < SNAP_LINKS)
		s->links[s->n_links++] = *l;
}

static int snap_link_index(struct vti_addr_snap *s, int ifindex, struct vti_link *out, char *err,
                           size_t errlen)
{
	for (size_t i = 0; s && i < s->n_links; i++) {
		if (s->links[i].ifindex == ifindex) {
			*out = s->links[i];
			return 0;
		}
	}
	if (vti_link_query_index(ifindex, out, err, errlen) < 0)
		return -1;
	snap_remember(s, out);
	return 0;
}

int vti_snap_link(struct vti_addr_snap *s, const char *name, struct vti_link *out, char *err,
                  size_t errlen)
{
	for (size_t i = 0; s && i < s->n_links; i++) {
		if (strcmp(s->links[i].name, name) == 0) {
			*out = s->links[i];
			return 0;
		}
	}
	if (vti_link_query(name, out, err, errlen) < 0)
		return -1;
	snap_remember(s, out);
	return 0;
}

static void snap_cb(const struct vti_addr_ent *a, void *arg)
{
	struct vti_addr_snap *s = arg;
	if (s->oom)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct snap_ent *e = realloc(s->ent, cap * sizeof(*e));
		if (!e) {
			s->oom = true; /* the snapshot would be incomplete */
			return;
		}
		s->ent = e;
		s->cap = cap;
	}
	s->ent[s->n] = (struct snap_ent){a->addr_be, a->ifindex, s->n};
	s->n++;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct snap_ent *x = a, *y = b;
	if (x->addr_be != y->addr_be)
		return x->addr_be < y->addr_be ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

struct vti_addr_snap *vti_addr_snap_take(char *err, size_t errlen)
{
	struct vti_addr_snap *s = calloc(1, sizeof(*s));
	if (!s) {
		vti_failmsg(err, errlen, ENOMEM, "address snapshot: out of memory");
		return NULL;
	}
	if (vti_addr_dump(snap_cb, s, err, errlen) < 0) {
		vti_addr_snap_free(s);
		return NULL;
	}
	if (s->oom) {
		vti_failmsg(err, errlen, ENOMEM, "address snapshot: out of memory");
		vti_addr_snap_free(s);
		return NULL;
	}
	qsort(s->ent, s->n, sizeof(*s->ent), ent_cmp);
	return s;
}

void vti_addr_snap_free(struct vti_addr_snap *snap)
{
	if (!snap)
		return;
	free(snap->ent);
	free(snap);
}

/* The first (in dump order) interface holding addr_be, 0 if none. */
static int snap_owner(const struct vti_addr_snap *s, uint32_t addr_be)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) { /* lower bound: the first entry of that address */
		size_t mid = lo + (hi - lo) / 2;
		if (s->ent[mid].addr_be < addr_be)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->ent[lo].addr_be == addr_be ? s->ent[lo].ifindex : 0;
}

/* Rule 1: the address must be one of ours; its interface is the outer interface. */
static int by_address(struct vti_addr_snap *snap, const char *src, uint32_t addr_be,
                      uint32_t *addr_out, char *ifname, size_t len, char *err, size_t errlen)
{
	struct vti_addr_snap *own = NULL;
	struct vti_link l;
	if (!snap && !(snap = own = vti_addr_snap_take(err, errlen)))
		return -1;
	int ifindex = snap_owner(snap, addr_be);
	if (own) { /* nothing to remember it for */
		vti_addr_snap_free(own);
		snap = NULL;
	}
	if (!ifindex)
		return vti_failmsg(err, errlen, EADDRNOTAVAIL,
		                   "tunnel source %s: address is not configured on any interface",
		                   src);
	if (snap_link_index(snap, ifindex, &l, err, errlen) < 0)
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
	return vti_resolve_source_snap(NULL, src, map, n, addr_be, linux_ifname_out, len, err,
	                               errlen);
}

int vti_resolve_source_snap(struct vti_addr_snap *snap, const char *src,
                            const struct vti_name_map *map, size_t n, uint32_t *addr_be,
                            char *linux_ifname_out, size_t len, char *err, size_t errlen)
{
	struct in_addr a;
	if (!src || !*src)
		return vti_failmsg(err, errlen, EINVAL, "tunnel source is empty");
	if (inet_pton(AF_INET, src, &a) == 1)
		return by_address(snap, src, a.s_addr, addr_be, linux_ifname_out, len, err, errlen);
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
