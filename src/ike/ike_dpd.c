/*
 * Liveness (RFC 7296 §2.4) and lost state (§2.21.4).
 *
 * When nothing authentic arrived on an established IKE SA for the DPD interval, an empty
 * INFORMATIONAL goes out (TASK_LIVENESS); its retransmissions are the retries and their give-up
 * declares the peer dead (ike_retx.c: SAs removed, tunnel down, re-initiation after hold-down).
 * A request of ours already in flight is a liveness check by itself.
 *
 * A request for an IKE SA we do not know is answered, unprotected and rate limited, with
 * INVALID_IKE_SPI; such an answer to our own in-flight request means the peer restarted and
 * lost the SA: we drop ours at once and re-initiate (an on-path attacker who could forge it
 * could as well drop our packets). The answer to our Delete only completes the Delete.
 */
#include <string.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

#define INVALID_SPI_PER_S 10

static uint64_t interval_ms(const struct ike_sa *sa)
{
	const struct ike *ike = sa->ike;
	if (ike->timing.dpd_ms)
		return ike->timing.dpd_ms;
	uint32_t s = sa->tun && sa->tun->cfg.dpd_interval_s ? sa->tun->cfg.dpd_interval_s
	                                                    : IKE_DPD_DEFAULT_S;
	return (uint64_t)s * 1000;
}

static void dpd_fire(void *arg)
{
	struct ike_sa *sa = arg;
	uint64_t iv = interval_ms(sa), now = loop_now_ms(), idle = now - sa->keep.last_rx_ms;

	sa->keep.dpd_timer = 0;
	if (idle >= iv) {
		if (sa->state == IKE_S_ESTABLISHED && !sa->keep.rekeyed &&
		    sa->req.task == TASK_NONE && sa->n_queue == 0) {
			log_debug("IKE SA %u: nothing received for %llu ms, checking liveness",
			          sa->id, (unsigned long long)idle);
			ike_queue_task(sa, TASK_LIVENESS, 0);
		}
		idle = 0;
	}
	sa->keep.dpd_timer = loop_timer_add(sa->ike->loop, iv - idle, dpd_fire, sa);
}

void ike_dpd_start(struct ike_sa *sa)
{
	loop_timer_cancel(sa->ike->loop, sa->keep.dpd_timer);
	sa->keep.last_rx_ms = loop_now_ms();
	sa->keep.dpd_timer = loop_timer_add(sa->ike->loop, interval_ms(sa), dpd_fire, sa);
}

void ike_dpd_rx(struct ike_sa *sa)
{
	sa->keep.last_rx_ms = loop_now_ms();
}

void ike_dpd_unprotected(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify_pl n;
	if (!ike_find_notify(m, N_INVALID_IKE_SPI, &n) || sa->state < IKE_S_ESTABLISHED ||
	    sa->req.task == TASK_NONE || m->hdr.msg_id != sa->req_id) {
		sa->ike->stats.rx_dropped_malformed++;
		return;
	}
	if (sa->req.task == TASK_DELETE_IKE) {
		/* it had dropped the SA already (for example for our new one's INITIAL_CONTACT,
		 * which overtook this Delete): what we asked for, not a restart */
		log_info("IKE SA %u: the peer had deleted it already (INVALID_IKE_SPI)", sa->id);
		ike_sa_destroy(sa, sa->why[0] ? sa->why : "Deleted locally", false);
		return;
	}
	log_err("IKE SA %u: the peer does not know this IKE SA (INVALID_IKE_SPI): it restarted",
	        sa->id);
	sa->ike->stats.dpd_dead++;
	sa->reinit = true; /* it is alive: no hold-down */
	ike_sa_destroy(sa, "Peer lost its IKE SA (INVALID_IKE_SPI)", true);
}

void ike_dpd_unknown_spi(struct ike *ike, const struct ike_hdr *h, uint32_t local, uint16_t lport,
                         uint32_t remote, uint16_t rport)
{
	struct ike_keep *k = &ike->keep;
	uint64_t now = loop_now_ms();
	struct ike_builder b;
	uint8_t buf[64];

	if (now - k->inv_spi_window_ms >= 1000) {
		k->inv_spi_window_ms = now;
		k->inv_spi_sent = 0;
	}
	if (k->inv_spi_sent >= INVALID_SPI_PER_S || ike->shutting_down)
		return;
	k->inv_spi_sent++;
	struct ike_hdr r = {.version = IKE_VERSION, .exchange = h->exchange, .msg_id = h->msg_id};
	memcpy(r.spi_i, h->spi_i, 8);
	memcpy(r.spi_r, h->spi_r, 8);
	/* we answer as the other role of whoever sent it */
	r.flags = IKE_FLAG_RESPONSE | (h->flags & IKE_FLAG_INITIATOR ? 0 : IKE_FLAG_INITIATOR);
	ike_build_begin(&b, buf, sizeof(buf), &r);
	ike_add_notify(&b, 0, NULL, 0, N_INVALID_IKE_SPI, NULL, 0);
	int len = ike_build_end(&b);
	if (len > 0)
		ike_io_send(ike, buf, (size_t)len, local, lport, remote, rport);
}
