/* Link and IPv4 address events from the kernel's rtnetlink multicast groups. */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/addr_msg.h"
#include "vti/link_msg.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for a burst of events before the kernel drops any: a commit of 1000 tunnels raises
 * four per tunnel (link, group, MTU, address) while the loop is busy with it, and 1 MiB
 * overflowed, which cost a needless re-apply of the whole configuration (an overrun must
 * assume an outer change). The kernel charges only what is queued. */
#define VTI_MON_RCVBUF (16 << 20)
/* Datagrams per call, so a storm of events cannot starve the rest of the event loop. */
#define VTI_MON_BUDGET 64

int vti_monitor_open(char *err, size_t errlen)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return vti_fail(err, errlen, errno, "link monitor: netlink socket");
	int sz = VTI_MON_RCVBUF;
	/* FORCE needs CAP_NET_ADMIN; the plain option is the fallback (capped by rmem_max). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sockaddr_nl sa = {
	    .nl_family = AF_NETLINK,
	    .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR,
	};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return vti_fail(err, errlen, e, "link monitor: bind to link/address groups");
	}
	return fd;
}

struct mon {
	vti_event_cb cb;
	void *arg;
	int count;
};

static void mon_link(const struct nlmsghdr *nlh, struct mon *m)
{
	struct vti_link l;
	if (!vti_link_from_msg(nlh, &l))
		return;
	struct vti_event ev = {
	    .kind = nlh->nlmsg_type == RTM_DELLINK ? VTI_EV_LINK_DEL : VTI_EV_LINK,
	    .ifindex = l.ifindex,
	    .up = l.up,
	    .running = l.running,
	    .mtu = l.mtu,
	};
	memcpy(ev.ifname, l.name, sizeof(ev.ifname));
	m->cb(&ev, m->arg);
	m->count++;
}

static void mon_addr(const struct nlmsghdr *nlh, struct mon *m)
{
	struct vti_addr_ent a;
	if (!vti_addr_from_msg(nlh, &a))
		return;
	struct vti_event ev = {
	    .kind = nlh->nlmsg_type == RTM_DELADDR ? VTI_EV_ADDR_DEL : VTI_EV_ADDR_ADD,
	    .ifindex = a.ifindex,
	    .addr_be = a.addr_be,
	    .prefix = a.prefix,
	};
	m->cb(&ev, m->arg);
	m->count++;
}

static int mon_cb(const struct nlmsghdr *nlh, void *data)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		mon_link(nlh, data);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		mon_addr(nlh, data);
		break;
	}
	return MNL_CB_OK;
}

static void mon_overrun(struct mon *m)
{
	struct vti_event ev = {.kind = VTI_EV_OVERRUN};
	m->cb(&ev, m->arg);
	m->count++;
}

/* Reads one datagram; returns 1 if one was handled, 0 when drained, -1 on error. */
static int mon_read_one(int fd, char *buf, struct mon *m, char *err, size_t errlen)
{
	struct sockaddr_nl from = {0};
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, buf, VTI_NL_RCVLEN, 0, (struct sockaddr *)&from, &flen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			return 1;
		if (errno == ENOBUFS) {
			mon_overrun(m);
			return 1;
		}
		return vti_fail(err, errlen, errno, "link monitor: read");
	}
	if (flen != sizeof(from) || from.nl_pid != 0)
		return 1; /* only the kernel speaks on these groups; ignore anyone else */
	/* seq 0, portid 0: multicast notifications, no request to match. */
	mnl_cb_run(buf, (size_t)n, 0, 0, mon_cb, m);
	return 1;
}

int vti_monitor_read(int fd, vti_event_cb cb, void *arg, char *err, size_t errlen)
{
	char *buf = vti_nl_buf(VTI_BUF_MONITOR);
	struct mon m = {cb, arg, 0};
	int r, budget = VTI_MON_BUDGET;
	if (!buf)
		return vti_fail(err, errlen, ENOMEM, "link monitor");
	while ((r = mon_read_one(fd, buf, &m, err, errlen)) > 0 && --budget > 0)
		;
	return r < 0 ? -1 : m.count;
}
