/* IPv4 addresses of an interface (RTM_GETADDR dump, RTM_NEWADDR, RTM_DELADDR). */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/addr_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

static const enum mnl_attr_data_type addr_types[IFA_LOCAL + 1] = {
    [IFA_ADDRESS] = MNL_TYPE_U32,
    [IFA_LOCAL] = MNL_TYPE_U32,
};

bool vti_addr_from_msg(const struct nlmsghdr *nlh, struct vti_addr_ent *out)
{
	struct ifaddrmsg ifa;
	const struct nlattr *tb[IFA_LOCAL + 1];
	if (!vti_nl_fixed(nlh, &ifa, sizeof(ifa)) || ifa.ifa_family != AF_INET)
		return false;
	vti_nl_attrs(nlh, sizeof(ifa), addr_types, IFA_LOCAL, tb);
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return false;
	out->ifindex = (int)ifa.ifa_index;
	out->addr_be = mnl_attr_get_u32(a); /* already network order on the wire */
	out->prefix = ifa.ifa_prefixlen;
	out->secondary = ifa.ifa_flags & IFA_F_SECONDARY;
	return true;
}

struct dump_ctx {
	vti_addr_visit fn;
	void *arg;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct vti_addr_ent a;
	if (nlh->nlmsg_type == RTM_NEWADDR && vti_addr_from_msg(nlh, &a))
		c->fn(&a, c->arg);
	return MNL_CB_OK;
}

/* ifindex 0: every interface. Otherwise the kernel is asked to dump only that one (a commit
 * of N tunnels with N outer addresses would otherwise read N^2 addresses). */
static int addr_dump_on(int ifindex, vti_addr_visit fn, void *arg, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN];
	struct dump_ctx c = {fn, arg};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_index = (unsigned)ifindex;
	return vti_nl_talk_strict(nlh, dump_cb, &c, ifindex > 0, "list IPv4 addresses", err,
	                          errlen);
}

int vti_addr_dump(vti_addr_visit fn, void *arg, char *err, size_t errlen)
{
	return addr_dump_on(0, fn, arg, err, errlen);
}

static int addr_change(uint16_t type, uint16_t flags, int ifindex, const char *name,
                       uint32_t addr_be, int prefix, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[80], a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &addr_be, a, sizeof(a));
	snprintf(what, sizeof(what), "%s: %s address %s/%d", name,
	         type == RTM_NEWADDR ? "add" : "remove", a, prefix);
	if (prefix < 0 || prefix > 32)
		return vti_failmsg(err, errlen, EINVAL, "%s: bad prefix length", what);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr_be), &addr_be);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr_be), &addr_be);
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}

#define VTI_ADDR_BATCH 32

struct collect {
	int ifindex;
	size_t n;
	struct vti_addr_ent a[VTI_ADDR_BATCH];
};

static void collect_cb(const struct vti_addr_ent *a, void *arg)
{
	struct collect *c = arg;
	if (a->ifindex == c->ifindex && c->n < VTI_ADDR_BATCH)
		c->a[c->n++] = *a;
}

static int collect_on(int ifindex, struct collect *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->ifindex = ifindex;
	return addr_dump_on(ifindex, collect_cb, c, err, errlen);
}

/* Removes every IPv4 address of ifindex except keep (addr 0 keeps nothing). */
static int addr_flush_except(int ifindex, const char *name, uint32_t keep_be, int keep_prefix,
                             char *err, size_t errlen)
{
	struct collect c;
	size_t removed;
	do {
		if (collect_on(ifindex, &c, err, errlen) < 0)
			return -1;
		removed = 0;
		for (size_t i = 0; i < c.n; i++) {
			if (c.a[i].addr_be == keep_be && c.a[i].prefix == keep_prefix)
				continue;
			/* Removing a primary may take its secondaries along: tolerate them gone. */
			if (addr_change(RTM_DELADDR, 0, ifindex, name, c.a[i].addr_be,
			                c.a[i].prefix, err, errlen) < 0 &&
			    errno != EADDRNOTAVAIL)
				return -1;
			removed++;
		}
	} while (c.n == VTI_ADDR_BATCH && removed > 0); /* a full batch may have left more */
	return 0;
}

int vti_addr_set(const char *name, uint32_t addr_be, int prefix, char *err, size_t errlen)
{
	int ifindex = vti_ifindex(name, err, errlen);
	if (ifindex < 0)
		return -1;
	if (prefix < 0 || prefix > 32)
		return vti_failmsg(err, errlen, EINVAL, "%s: bad prefix length %d", name, prefix);
	if (addr_flush_except(ifindex, name, addr_be, prefix, err, errlen) < 0)
		return -1;
	return addr_change(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, name, addr_be,
	                   prefix, err, errlen);
}

int vti_addr_del(const char *name, uint32_t addr_be, int prefix, char *err, size_t errlen)
{
	int ifindex = vti_ifindex(name, err, errlen);
	if (ifindex < 0)
		return -1;
	return addr_change(RTM_DELADDR, 0, ifindex, name, addr_be, prefix, err, errlen);
}

int vti_addr_flush(const char *name, char *err, size_t errlen)
{
	int ifindex = vti_ifindex(name, err, errlen);
	if (ifindex < 0)
		return -1;
	/* 0.0.0.0/-1 matches no address, so everything goes. */
	return addr_flush_except(ifindex, name, 0, -1, err, errlen);
}

int vti_addr_get(const char *name, uint32_t *addr_be, int *prefix, char *err, size_t errlen)
{
	struct collect c;
	int ifindex = vti_ifindex(name, err, errlen);
	if (ifindex < 0 || collect_on(ifindex, &c, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		if (c.a[i].secondary)
			continue;
		*addr_be = c.a[i].addr_be;
		if (prefix)
			*prefix = c.a[i].prefix;
		return 0;
	}
	return vti_failmsg(err, errlen, ENOENT, "interface %s has no IPv4 address", name);
}
