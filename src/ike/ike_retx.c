/*
 * Message IDs and retransmission (RFC 7296 §2.1-2.3), window size 1: one request of ours in
 * flight per SA (more wait in a small queue), retransmitted with the back-off of ike_timing;
 * the last response we sent is cached and resent verbatim when the peer retransmits.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ike/ike_frag.h"
#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

void ike_io_send(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                 uint32_t remote, uint16_t rport)
{
	/* a fragmented message is a set of whole datagrams back to back (ike_frag.h) */
	while (len > 0) {
		bool skf;
		size_t one = ike_frag_next_len(pkt, len, &skf);
		ike->stats.tx_packets++;
		ike->stats.tx_fragments += skf;
		if (ike->io.send &&
		    ike->io.send(ike->io.arg, pkt, one, local, lport, remote, rport) < 0)
			log_debug("IKE send of %zu bytes failed", one);
		pkt += one;
		len -= one;
	}
}

static void sa_send(struct ike_sa *sa, const uint8_t *pkt, size_t len)
{
	ike_io_send(sa->ike, pkt, len, sa->local, sa->lport, sa->remote, sa->rport);
}

/* A liveness check with `dpd INTERVAL RETRY` configured is retransmitted every RETRY seconds,
 * IKE_DPD_RETRIES times; every other request follows the back-off of ike_timing. */
static uint32_t dpd_retry_ms(const struct ike_sa *sa)
{
	if (sa->req.task != TASK_LIVENESS)
		return 0;
	if (sa->ike->timing.dpd_retry_ms)
		return sa->ike->timing.dpd_retry_ms;
	return sa->tun && sa->tun->cfg.dpd_retry_s ? sa->tun->cfg.dpd_retry_s * 1000u : 0;
}

/* The wait after transmission number tries (1-based), 0 when it was the last. */
static uint32_t retx_wait_ms(const struct ike_sa *sa, size_t tries)
{
	uint32_t dpd = dpd_retry_ms(sa);
	if (dpd)
		return tries <= IKE_DPD_RETRIES + 1 ? dpd : 0;
	const struct ike_timing *t = &sa->ike->timing;
	return tries <= t->n_retx && tries <= IKE_RETX_MAX ? t->retx_ms[tries - 1] : 0;
}

static void retx_timeout(void *arg)
{
	struct ike_sa *sa = arg;
	struct ike *ike = sa->ike;

	sa->req_timer = 0;
	if (retx_wait_ms(sa, sa->req_tries + 1) == 0) {
		log_err("IKE SA %u: no answer from peer after %zu transmissions (%s)", sa->id,
		        sa->req_tries, sa->req.task == TASK_INIT ? "IKE_SA_INIT" : "request");
		if (sa->state >= IKE_S_ESTABLISHED) {
			/* the peer is dead (§2.4): its SAs go, the tunnel is re-initiated */
			ike->stats.dpd_dead++;
			ike_sa_destroy(sa,
			               sa->req.task == TASK_LIVENESS
			                   ? "Dead peer (no answer to DPD)"
			                   : "Dead peer (request unanswered)",
			               true);
			return;
		}
		ike_sa_destroy(sa, "Retransmission timeout", true);
		return;
	}
	/* An initiation the peer left unanswered this long gives up its place in the window
	 * (ike_pace.c): unreachable peers must not hold up the tunnels to the others. */
	ike_pace_done(sa);
	ike->stats.tx_retransmits++;
	log_debug("IKE SA %u: retransmitting request %u (try %zu)", sa->id, sa->req_id,
	          sa->req_tries + 1);
	sa_send(sa, sa->req_pkt, sa->req_len);
	sa->req_tries++;
	sa->req_timer =
	    loop_timer_add(ike->loop, retx_wait_ms(sa, sa->req_tries), retx_timeout, sa);
}

void ike_send_request(struct ike_sa *sa, struct ike_task_req task, uint8_t *pkt, size_t len)
{
	struct ike *ike = sa->ike;

	loop_timer_cancel(ike->loop, sa->req_timer);
	free(sa->req_pkt);
	sa->req = task;
	sa->req_id = sa->req_next;
	sa->req_pkt = pkt;
	sa->req_len = len;
	sa->req_tries = 1;
	sa_send(sa, pkt, len);
	sa->req_timer = loop_timer_add(ike->loop, retx_wait_ms(sa, 1), retx_timeout, sa);
}

void ike_send_response(struct ike_sa *sa, uint32_t msg_id, uint8_t *pkt, size_t len)
{
	free(sa->resp_pkt);
	sa->resp_pkt = pkt;
	sa->resp_len = len;
	sa->peer_next = msg_id + 1;
	sa_send(sa, pkt, len);
}

void ike_request_done(struct ike_sa *sa)
{
	loop_timer_cancel(sa->ike->loop, sa->req_timer);
	sa->req_timer = 0;
	free(sa->req_pkt);
	sa->req_pkt = NULL;
	sa->req_len = 0;
	sa->req = (struct ike_task_req){TASK_NONE, 0};
	sa->req_next++;
}

void ike_queue_task(struct ike_sa *sa, enum ike_task task, uint32_t arg)
{
	for (size_t i = 0; i < sa->n_queue; i++)
		if (sa->queue[i].task == task && sa->queue[i].arg == arg)
			return; /* already waiting */
	if (sa->n_queue == IKE_TASK_QUEUE) {
		log_err("IKE SA %u: task queue full, dropping task %d", sa->id, task);
		return;
	}
	sa->queue[sa->n_queue++] = (struct ike_task_req){task, arg};
	ike_run_queue(sa);
}

/* Starts the next queued request when none is in flight and the SA can carry one. */
void ike_run_queue(struct ike_sa *sa)
{
	if (sa->req.task != TASK_NONE || sa->n_queue == 0)
		return;
	if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_REKEYING)
		return;
	struct ike_task_req t = sa->queue[0];
	for (size_t i = 1; i < sa->n_queue; i++)
		sa->queue[i - 1] = sa->queue[i];
	sa->n_queue--;
	switch (t.task) {
	case TASK_DELETE_IKE:
	case TASK_DELETE_CHILD:
	case TASK_LIVENESS:
		ike_info_start(sa, t);
		break;
	case TASK_REKEY_CHILD:
		ike_rekey_child_start(sa, t.arg);
		break;
	case TASK_REKEY_IKE:
		ike_rekey_ike_start(sa);
		break;
	default:
		log_err("IKE SA %u: task %d not supported", sa->id, t.task);
		break;
	}
}
