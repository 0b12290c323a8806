/*
 * The engine object: creation, timing, statistics, operator clear, polite shutdown, free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

struct ike *ike_new(struct loop *loop, const struct ike_io *io)
{
	struct ike *ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	ike->loop = loop;
	ike->io = *io;
	ike->timing = IKE_TIMING_DEFAULT;
	ike_dos_init(ike);
	ike->max_initiating = IKE_MAX_INITIATING;
	return ike;
}

void ike_set_timing(struct ike *ike, const struct ike_timing *t)
{
	ike->timing = *t;
	if (ike->timing.n_retx == 0)
		ike->timing.n_retx = 1;
	if (ike->timing.n_retx > IKE_RETX_MAX)
		ike->timing.n_retx = IKE_RETX_MAX;
}

void ike_get_timing(const struct ike *ike, struct ike_timing *t)
{
	*t = ike->timing;
}

void ike_get_stats(struct ike *ike, struct ike_stats *st)
{
	*st = ike->stats;
}

int ike_clear(struct ike *ike, uint32_t session_id)
{
	struct ike_sa *sa, *next;
	int n = 0;

	for (sa = ike->sas; sa; sa = next) {
		next = sa->next;
		if (session_id && sa->session_id != session_id)
			continue;
		n++;
		sa->reinit = true;
		log_info("IKE SA %u: cleared by operator", sa->id);
		if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_REKEYING) {
			snprintf(sa->why, sizeof(sa->why), "Cleared by operator");
			ike_queue_task(sa, TASK_DELETE_IKE, 0);
		} else if (sa->state != IKE_S_DELETING) {
			ike_sa_destroy(sa, "Cleared by operator", false);
		}
	}
	return n;
}

/* One unacknowledged Delete: shutdown does not wait for answers. */
static void send_delete_once(struct ike_sa *sa)
{
	struct ike_out o;
	uint8_t *pkt;
	if (ike_out_begin(&o, sa, INFORMATIONAL, false,
	                  sa->req.task ? sa->req_id + 1 : sa->req_next, true) < 0)
		return;
	ike_add_delete(&o.b, PROTO_IKE, 0, NULL, 0);
	int len = ike_out_end(&o, sa, &pkt);
	if (len > 0) {
		ike_io_send(sa->ike, pkt, (size_t)len, sa->local, sa->lport, sa->remote, sa->rport);
		free(pkt);
	}
}

void ike_shutdown(struct ike *ike)
{
	ike->shutting_down = true;
	log_info("IKE: shutting down, deleting all IKE SAs");
	while (ike->sas) {
		struct ike_sa *sa = ike->sas;
		if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_DELETING)
			send_delete_once(sa);
		ike_sa_destroy(sa, "Shutdown", false);
	}
	ike_linger_flush(ike, true);
	for (struct ike_tunnel *t = ike->tunnels; t; t = t->next) {
		loop_timer_cancel(ike->loop, t->reinit_timer);
		t->reinit_timer = 0;
	}
}

void ike_free(struct ike *ike)
{
	if (!ike)
		return;
	ike->shutting_down = true;
	/* no traffic and no data-plane calls from here on */
	ike->io.send = NULL;
	ike->io.child_install = NULL;
	ike->io.child_remove = NULL;
	ike->io.tunnel_state = NULL;
	while (ike->sas)
		ike_sa_destroy(ike->sas, "Engine stopped", false);
	while (ike->tunnels) {
		struct ike_tunnel *t = ike->tunnels;
		t->removed = true;
		t->refs++;
		ike_tunnel_unref(t); /* refs is 0 again: frees it */
	}
	ike_pace_stop(ike);
	ike_work_free(ike); /* after the SAs: their jobs are cancelled, only freed */
	ike_keypool_free(ike);
	ike_cert_cache_drop(ike);
	ike_keep_free(ike);
	htab_free(&ike->sa_by_spi);
	htab_free(&ike->sa_half);
	htab_free(&ike->half_by_peer);
	htab_free(&ike->tun_by_addr);
	htab_free(&ike->tun_by_id);
	htab_free(&ike->child_by_spi);
	free(ike);
}
