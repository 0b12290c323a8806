/* The daemon's core: creation, wiring and teardown of its parts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "daemon/daemon_int.h"
#include "daemon/fileperm.h"
#include "daemon/privdrop.h"
#include "util/log.h"
#include "vti/vti.h"

#define KEEPALIVE_MS 20000 /* RFC 3948 §4: NAT keepalives every 20 s by default */

static void keepalive_tick(void *arg)
{
	struct daemon *d = arg;
	for (struct tunnel_rt *t = d->tun_head; t; t = t->next)
		if (t->link_up)
			dp_send_keepalive(d->dp, t->num);
	d->keepalive_timer = loop_timer_add(d->loop, KEEPALIVE_MS, keepalive_tick, d);
}

static int start_dataplane(struct daemon *d)
{
	struct dp_config dc = {
	    .ike_cb = net_dp_ike_cb,
	    .rekey_cb = net_dp_rekey_cb,
	    .cb_arg = d,
	};
	d->dp = dp_new(&dc);
	if (!d->dp || dp_start(d->dp) < 0) {
		log_err("cannot start the data plane (raw ESP socket and UDP 4500 need root)");
		return -1;
	}
	return 0;
}

static int start_ike(struct daemon *d)
{
	struct ike_io io = {
	    .arg = d,
	    .send = net_ike_send,
	    .child_install = tunnel_child_install,
	    .child_install_standby = tunnel_child_install_standby,
	    .child_set_outbound = tunnel_child_set_outbound,
	    .child_remove = tunnel_child_remove,
	    .tunnel_state = tunnel_state_cb,
	};
	d->ike = ike_new(d->loop, &io);
	if (!d->ike)
		return -1;
	long n = d->o.ike_workers >= 0 ? d->o.ike_workers : sysconf(_SC_NPROCESSORS_ONLN);
	if (n > IKE_WORK_MAX_THREADS)
		n = IKE_WORK_MAX_THREADS;
	if (n > 0 &&
	    ike_set_workers(d->ike, (unsigned)n, IKE_WORK_MIN_NS, IKE_WORK_MIN_NEGOTIATING) < 0)
		log_err("IKE: no worker threads (%s): public-key operations run on the event loop",
		        strerror(errno));
	else if (n > 0 && ike_set_keypool(d->ike, IKE_KEYPOOL_PER_GROUP, IKE_KEYPOOL_ALL) < 0)
		log_err("IKE: no key pairs made ahead (out of memory)");
	if (d->o.ike_initiating >= 0)
		ike_set_max_initiating(d->ike, (unsigned)d->o.ike_initiating);
	if (d->o.test_lifetime) {
		log_info("test option: every SA lifetime is %u s", d->o.test_lifetime);
		ike_set_lifetime_override(d->ike, d->o.test_lifetime, d->o.test_lifetime);
	}
	return 0;
}

static int load_config(struct daemon *d)
{
	struct strbuf errs = STRBUF_INIT;
	d->loading = true;
	int rc = cfg_db_load(d->db, d->o.config, &errs);
	d->loading = false;
	if (rc < 0) {
		log_err("refusing to start: %s is not a valid configuration:\n%s", d->o.config,
		        sb_str(&errs));
	}
	sb_free(&errs);
	return rc;
}

/* Refuses an unsafe configuration file, then drops every capability but the three the daemon
 * needs, before the data plane's threads exist (capabilities are per thread, inherited). */
static int harden(const char *config)
{
	char why[512];
	int rc = fileperm_check_config(config, why, sizeof(why));
	if (rc < 0) {
		log_err("refusing to start: %s", why);
		return -1;
	}
	if (rc > 0)
		log_err("%s was readable by group or others: mode reduced to owner-only", config);
	if (privdrop_apply(why, sizeof(why)) < 0) {
		log_err("refusing to start: %s", why);
		return -1;
	}
	return 0;
}

struct daemon *daemon_new(const struct daemon_opts *o)
{
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->o = *o;
	d->udp500 = d->evfd = d->mon_fd = -1;
	d->loop = loop_new();
	d->db = cfg_db_new(o->config);
	if (!d->loop || !d->db)
		goto fail;
	crypto_warmup(); /* the first tunnel's IKE exchange would pay it otherwise */
	if (harden(o->config) < 0)
		goto fail;
	cfg_db_set_apply(d->db, apply_config, d);
	cfg_db_set_ops(d->db, daemon_op, d);
	if (start_dataplane(d) < 0 || start_ike(d) < 0 || net_open(d) < 0)
		goto fail;
	if (load_config(d) < 0)
		goto fail;
	struct ctl_backend be = daemon_ctl_backend;
	be.arg = d;
	d->ctl = ctl_server_new(d->loop, o->socket, &be, (gid_t)-1);
	if (!d->ctl)
		goto fail;
	/* Commits write their file off the loop; synchronously if there is no eventfd. */
	if (cfg_db_async_save(d->db) == 0 &&
	    loop_add_fd(d->loop, cfg_db_save_fd(d->db), EPOLLIN, daemon_saved, d) < 0)
		goto fail;
	d->keepalive_timer = loop_timer_add(d->loop, KEEPALIVE_MS, keepalive_tick, d);
	if (monitor_open(d) < 0)
		goto fail;
	return d;
fail:
	daemon_free(d);
	return NULL;
}

struct loop *daemon_loop(struct daemon *d)
{
	return d->loop;
}

int daemon_run(struct daemon *d)
{
	if (loop_run(d->loop) < 0) {
		log_err("event loop failed: %s", strerror(errno));
		return 1;
	}
	return d->exit_code;
}

void daemon_shutdown(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	if (d->ike)
		ike_shutdown(d->ike);
	loop_stop(d->loop);
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	ctl_server_free(d->ctl);
	if (d->loop)
		monitor_close(d);
	ike_free(d->ike);
	if (d->dp)
		dp_stop(d->dp);
	tunnels_free(d);
	dp_free(d->dp);
	if (d->loop)
		net_close(d);
	cfg_db_free(d->db);
	loop_free(d->loop);
	free(d);
}
