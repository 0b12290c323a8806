/*
 * Outer interfaces come and go: when a link or an IPv4 address changes anywhere but on our own
 * tunnel interfaces, the running configuration is applied again (shortly after, once the burst
 * of netlink events is over). Tunnel sources are then resolved afresh: a tunnel whose source
 * address changed is re-established from the new address, one whose source interface appeared
 * comes up, and unchanged tunnels are left alone (the IKE engine applies a diff).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "util/log.h"
#include "vti/vti.h"

#define REAPPLY_DELAY_MS 300

/* No system call and no walk of the tunnels here: a commit of N tunnels raises several events
 * per tunnel, so anything per tunnel and event is O(N^2). Every event the kernel sends carries
 * the ifindex; the name is the fallback for a device whose index we do not know. */
static bool is_ours(struct daemon *d, const struct vti_event *ev)
{
	if (tunnel_by_ifindex(d, ev->ifindex))
		return true;
	static const char prefix[] = "tunnel-ip";
	if (strncmp(ev->ifname, prefix, sizeof(prefix) - 1) != 0)
		return false;
	unsigned long num = strtoul(ev->ifname + sizeof(prefix) - 1, NULL, 10);
	const struct tunnel_rt *t = num <= UINT32_MAX ? tunnel_find(d, (uint32_t)num) : NULL;
	return t && strcmp(ev->ifname, t->ifname) == 0; /* the name as we made it, nothing else */
}

static void reapply(void *arg)
{
	struct daemon *d = arg;
	struct strbuf err = STRBUF_INIT;
	d->reapply_timer = 0;
	const struct cfg *run = cfg_db_applied(d->db); /* a commit may still be saving */
	log_info("outer interfaces changed: re-resolving tunnel sources");
	/* Lenient, as at start: a source that cannot be resolved leaves its tunnel down. */
	d->loading = true;
	if (apply_config(d, run, run, &err) < 0)
		log_err("re-applying the configuration: %s", sb_str(&err));
	d->loading = false;
	sb_free(&err);
}

static void on_event(const struct vti_event *ev, void *arg)
{
	struct daemon *d = arg;
	if (ev->kind != VTI_EV_OVERRUN && is_ours(d, ev))
		return;
	if (!d->reapply_timer)
		d->reapply_timer = loop_timer_add(d->loop, REAPPLY_DELAY_MS, reapply, d);
}

static void on_readable(int fd, uint32_t events, void *arg)
{
	char err[VTI_ERRLEN];
	if (vti_monitor_read(fd, on_event, arg, err, sizeof(err)) < 0)
		log_debug("link monitor: %s", err);
}

void monitor_drain(struct daemon *d)
{
	char err[VTI_ERRLEN];
	/* Each read takes at most VTI_MON_BUDGET datagrams; 64 of them cover what a commit's
	 * 256 devices raise. */
	for (int i = 0; d->mon_fd >= 0 && i < 64; i++)
		if (vti_monitor_read(d->mon_fd, on_event, d, err, sizeof(err)) <= 0)
			break;
}

int monitor_open(struct daemon *d)
{
	char err[VTI_ERRLEN];
	d->mon_fd = vti_monitor_open(err, sizeof(err));
	if (d->mon_fd < 0) {
		log_err("link monitor: %s (outer interface changes will need a commit)", err);
		return 0; /* not fatal: everything else works */
	}
	return loop_add_fd(d->loop, d->mon_fd, EPOLLIN, on_readable, d);
}

void monitor_close(struct daemon *d)
{
	if (d->reapply_timer)
		loop_timer_cancel(d->loop, d->reapply_timer);
	d->reapply_timer = 0;
	if (d->mon_fd >= 0) {
		loop_del_fd(d->loop, d->mon_fd);
		close(d->mon_fd);
		d->mon_fd = -1;
	}
}
