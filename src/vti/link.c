/* Link queries and changes (RTM_GETLINK / RTM_NEWLINK / RTM_DELLINK), addressed by name. */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/link_msg.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

static const enum mnl_attr_data_type link_types[IFLA_MTU + 1] = {
    [IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
    [IFLA_MTU] = MNL_TYPE_U32,
};

bool vti_link_from_msg(const struct nlmsghdr *nlh, struct vti_link *out)
{
	struct ifinfomsg ifi;
	const struct nlattr *tb[IFLA_MTU + 1];
	if (!vti_nl_fixed(nlh, &ifi, sizeof(ifi)))
		return false;
	vti_nl_attrs(nlh, sizeof(ifi), link_types, IFLA_MTU, tb);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi.ifi_index;
	out->up = ifi.ifi_flags & IFF_UP;
	out->running = ifi.ifi_flags & IFF_RUNNING;
	if (tb[IFLA_MTU])
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_IFNAME])
		snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	return true;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK && !vti_link_from_msg(nlh, data))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Starts an RTM_*LINK message for name (ifindex 0: the kernel looks the name up). */
static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, const char *name,
                                 int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int check_name(const char *name, char *err, size_t errlen)
{
	if (vti_ifname_valid(name))
		return 0;
	return vti_failmsg(err, errlen, EINVAL, "'%s' is not a valid Linux interface name",
	                   name ? name : "(null)");
}

int vti_link_query(const char *name, struct vti_link *out, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	if (check_name(name, err, errlen) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, name, 0);
	snprintf(what, sizeof(what), "interface %s", name);
	if (vti_nl_talk(nlh, link_cb, out, what, err, errlen) < 0)
		return -1;
	if (out->ifindex <= 0)
		return vti_failmsg(err, errlen, ENODEV, "interface %s: no reply", name);
	return 0;
}

int vti_link_query_index(int ifindex, struct vti_link *out, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	memset(out, 0, sizeof(*out));
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, NULL, ifindex);
	snprintf(what, sizeof(what), "interface index %d", ifindex);
	if (ifindex <= 0)
		return vti_failmsg(err, errlen, ENODEV, "%s: invalid", what);
	if (vti_nl_talk(nlh, link_cb, out, what, err, errlen) < 0)
		return -1;
	if (out->ifindex != ifindex)
		return vti_failmsg(err, errlen, ENODEV, "%s: no reply", what);
	return 0;
}

int vti_ifindex(const char *name, char *err, size_t errlen)
{
	struct vti_link l;
	if (vti_link_query(name, &l, err, errlen) < 0)
		return -1;
	return l.ifindex;
}

int vti_link_set_up(const char *name, bool up, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	if (check_name(name, err, errlen) < 0)
		return -1;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, name, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	snprintf(what, sizeof(what), "%s: set link %s", name, up ? "up" : "down");
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}

/* RTM_NEWLINK setting one u32 attribute of link name; label names it in errors. */
static int link_set_u32(const char *name, uint16_t attr, uint32_t v, const char *label, char *err,
                        size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	if (check_name(name, err, errlen) < 0)
		return -1;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, name, 0);
	mnl_attr_put_u32(nlh, attr, v);
	snprintf(what, sizeof(what), "%s: set %s %u", name, label, v);
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}

int vti_mtu_set(const char *name, unsigned mtu, char *err, size_t errlen)
{
	return link_set_u32(name, IFLA_MTU, mtu, "MTU", err, errlen);
}

int vti_mtu_get(const char *name, unsigned *mtu, char *err, size_t errlen)
{
	struct vti_link l;
	if (vti_link_query(name, &l, err, errlen) < 0)
		return -1;
	*mtu = l.mtu;
	return 0;
}

int vti_link_set_group(const char *name, uint32_t group, char *err, size_t errlen)
{
	return link_set_u32(name, IFLA_GROUP, group, "link group", err, errlen);
}

int vti_link_delete_group(uint32_t group, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, NULL, 0);
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	snprintf(what, sizeof(what), "delete link group %u", group);
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}

int vti_link_delete(const char *name, char *err, size_t errlen)
{
	char buf[VTI_NL_REQLEN], what[64];
	if (check_name(name, err, errlen) < 0)
		return -1;
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, name, 0);
	snprintf(what, sizeof(what), "%s: delete link", name);
	return vti_nl_talk(nlh, NULL, NULL, what, err, errlen);
}
