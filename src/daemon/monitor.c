/*
 * Outer interfaces come and go: when a link or an IPv4 address changes anywhere but on our own
 * tunnel interfaces, the running configuration is applied again (shortly after, once the burst
 * of netlink events is over). Tunnel sources are then resolved afresh: a tunnel whose source
 * address changed is re-established from the new address, one whose source interface appeared
 * comes up, and unchanged tunnels are left alone (the IKE engine applies a diff).
 */
#include <string.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "util/log.h"
#include "vti/vti.h"

#define REAPPLY_DELAY_MS 300

/* No system call here: a commit of N tunnels raises several events per tunnel, and a lookup
 * by name per tunnel and event made it O(N^2) socket/ioctl/close triples. The ifindex is
 * compared first, in a pass of its own: every event the kernel sends carries it, and a name
 * compare per tunnel made an event cost four times as much (1.5 us at 1000 tunnels). */
static bool is_ours(struct daemon *d, const struct vti_event *ev)
{
	for (size_t i = 0; ev->ifindex > 0 && i < DAEMON_MAX_TUNNELS; i++)
		if (d->tunnels[i].used && d->tunnels[i].ifindex == ev->ifindex)
			return true;
	for (size_t i = 0; ev->ifname[0] && i < DAEMON_MAX_TUNNELS; i++)
		if (d->tunnels[i].used && strcmp(ev->ifname, d->tunnels[i].ifname) == 0)
			return true;
	return false;
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
