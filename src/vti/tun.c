/* TUN devices: one multi-queue, non-persistent device per tunnel-ipN. */
#include "vti/vti.h"
#include "vti/nl.h"
#include "vti/link_msg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Multi-queue lets the data plane give each thread its own queue of the same device.
 * IFF_VNET_HDR: every read and write starts with a virtio_net_hdr, which lets the data plane
 * take TCP super-packets (TSO) and write coalesced ones (GRO); see src/esp/offload.h. Every
 * queue of a device must be opened with the same flags. */
#define VTI_TUN_FLAGS (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)

/* Opens /dev/net/tun and attaches it to name (creating the device if there is none). */
static int tun_attach(const char *name, const char *what, char *err, size_t errlen)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return vti_fail(err, errlen, errno, "%s %s: open /dev/net/tun", what, name);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = VTI_TUN_FLAGS;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		return vti_fail(err, errlen, e, "%s %s: TUNSETIFF", what, name);
	}
	if (strncmp(ifr.ifr_name, name, IFNAMSIZ) != 0) {
		close(fd); /* cannot happen with a valid name; never hand out a wrong device */
		return vti_failmsg(err, errlen, EINVAL, "%s %s: kernel named it %s", what, name,
		                   ifr.ifr_name);
	}
	return fd;
}

static int tun_check_name(const char *name, char *err, size_t errlen)
{
	if (vti_ifname_valid(name))
		return 0;
	return vti_failmsg(err, errlen, EINVAL, "'%s' is not a valid Linux interface name",
	                   name ? name : "(null)");
}

/* A multi-queue TUN has 256 TX queues; bringing it up with the default root qdisc (mq) builds a
 * pfifo_fast with 3 x tx_queue_len ring slots for every one of them: about 3 MB of kernel memory
 * and 4 ms of CPU per link up (profiled: mq_init -> pfifo_fast_init), the largest cost of a
 * tunnel set-up. Like WireGuard's device, a tunnel needs no queue of its own (the TUN's ring is
 * the queue): install noqueue as the root qdisc while the device is still down. Best effort:
 * without it the device works, only dearer. */
static void tun_noqueue(const char *name)
{
	char buf[VTI_NL_REQLEN], err[VTI_ERRLEN];
	unsigned idx = if_nametoindex(name);
	if (!idx)
		return;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = (int)idx;
	tc->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "noqueue");
	(void)vti_nl_talk(nlh, NULL, NULL, "noqueue qdisc", err, sizeof(err));
}

int vti_tun_create(const char *name, char *err, size_t errlen)
{
	struct vti_link l;
	if (tun_check_name(name, err, errlen) < 0)
		return -1;
	if (vti_link_query(name, &l, err, errlen) == 0)
		return vti_failmsg(err, errlen, EEXIST,
		                   "create %s: an interface of that name already exists", name);
	if (errno != ENODEV)
		return -1;
	int fd = tun_attach(name, "create", err, errlen);
	if (fd >= 0) {
		tun_noqueue(name);
		/* best effort: without it only the batched removal is lost */
		vti_link_set_group(name, VTI_LINK_GROUP, NULL, 0);
	}
	return fd;
}

int vti_tun_open_queue(const char *name, char *err, size_t errlen)
{
	struct vti_link l;
	if (tun_check_name(name, err, errlen) < 0)
		return -1;
	/* TUNSETIFF would create a fresh device instead of failing: look first. */
	if (vti_link_query(name, &l, err, errlen) < 0)
		return -1;
	return tun_attach(name, "open queue of", err, errlen);
}

int vti_tun_destroy_all(char *err, size_t errlen)
{
	if (vti_link_delete_group(VTI_LINK_GROUP, err, errlen) < 0)
		return errno == ENODEV ? 0 : -1; /* none left */
	return 0;
}

int vti_tun_destroy(int fd, const char *name, char *err, size_t errlen)
{
	struct vti_link l;
	if (fd >= 0)
		close(fd);
	if (!name)
		return 0;
	if (vti_link_query(name, &l, err, errlen) < 0)
		return errno == ENODEV ? 0 : -1;
	if (vti_link_delete(name, err, errlen) < 0)
		return errno == ENODEV ? 0 : -1; /* gone meanwhile: fine */
	return 0;
}
