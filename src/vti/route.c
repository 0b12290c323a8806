/* Routes through a tunnel interface in the main table (RTM_NEWROUTE / RTM_DELROUTE / dump). */
#include "vti/vti.h"
#include "vti/nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

static int route_check(const char *what, uint32_t dst_be, int prefix, char *err, size_t errlen)
{
	if (prefix < 0 || prefix > 32)
		return vti_failmsg(err, errlen, EINVAL, "%s: bad prefix length", what);
	if (dst_be & ~vti_prefix_to_mask(prefix))
		return vti_failmsg(err, errlen, EINVAL, "%s: host bits set for this prefix length",
		                   what);
	return 0;
}

static void route_what(char *what, size_t len, const char *verb, const char *name, uint32_t dst_be,
                       int prefix)
{
	char a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &dst_be, a, sizeof(a));
	snprintf(what, len, "%s: %s route %s/%d", name, verb, a, prefix);
}

static int route_change(uint16_t type, const char *name, uint32_t dst_be, int prefix,
                        uint32_t metric, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[96];
	bool add = type == RTM_NEWROUTE;
	route_what(what, sizeof(what), add ? "add" : "delete", name, dst_be, prefix);
	if (route_check(what, dst_be, prefix, err, errlen) < 0)
		return -1;
	int ifindex = vti_ifindex(name, err, errlen);
	if (ifindex < 0)
		return -1;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	/* Delete matches any protocol and scope, as `ip route del` does. */
	rtm->rtm_protocol = add ? RTPROT_STATIC : RTPROT_UNSPEC;
	rtm->rtm_scope = add ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	if (prefix > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof(dst_be), &dst_be);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}

int vti_route_add(const char *name, uint32_t dst_be, int prefix, uint32_t metric, char *err,
                  size_t errlen)
{
	return route_change(RTM_NEWROUTE, name, dst_be, prefix, metric, err, errlen);
}

int vti_route_del(const char *name, uint32_t dst_be, int prefix, uint32_t metric, char *err,
                  size_t errlen)
{
	return route_change(RTM_DELROUTE, name, dst_be, prefix, metric, err, errlen);
}

struct find {
	int ifindex;
	uint32_t dst_be;
	int prefix;
	bool found;
	uint32_t metric;
};

static const enum mnl_attr_data_type route_types[RTA_TABLE + 1] = {
    [RTA_DST] = MNL_TYPE_U32,
    [RTA_OIF] = MNL_TYPE_U32,
    [RTA_PRIORITY] = MNL_TYPE_U32,
    [RTA_TABLE] = MNL_TYPE_U32,
};

static int find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct find *f = data;
	struct rtmsg rtm;
	const struct nlattr *tb[RTA_TABLE + 1];
	if (nlh->nlmsg_type != RTM_NEWROUTE || !vti_nl_fixed(nlh, &rtm, sizeof(rtm)))
		return MNL_CB_OK;
	vti_nl_attrs(nlh, sizeof(rtm), route_types, RTA_TABLE, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm.rtm_table;
	uint32_t dst = tb[RTA_DST] ? mnl_attr_get_u32(tb[RTA_DST]) : 0;
	if (f->found || rtm.rtm_family != AF_INET || table != RT_TABLE_MAIN ||
	    rtm.rtm_type != RTN_UNICAST || rtm.rtm_dst_len != f->prefix || dst != f->dst_be)
		return MNL_CB_OK;
	if (!tb[RTA_OIF] || mnl_attr_get_u32(tb[RTA_OIF]) != (uint32_t)f->ifindex)
		return MNL_CB_OK;
	f->found = true;
	f->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	return MNL_CB_OK;
}

int vti_route_find(const char *name, uint32_t dst_be, int prefix, bool *found, uint32_t *metric,
                   char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[96];
	struct find f = {.dst_be = dst_be, .prefix = prefix};
	route_what(what, sizeof(what), "find", name, dst_be, prefix);
	*found = false;
	f.ifindex = vti_ifindex(name, err, errlen);
	if (f.ifindex < 0)
		return -1;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (vti_nl_talk(nlh, find_cb, &f, what, err, errlen) < 0)
		return -1;
	*found = f.found;
	if (metric)
		*metric = f.metric;
	return 0;
}
