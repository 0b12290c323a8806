/*
 * INFORMATIONAL (RFC 7296 §1.4, §1.5): Delete of the IKE SA or of Child SAs, and the empty
 * request used for liveness; initiator and responder halves.
 *
 *   HDR, SK {D(IKE)}            -->   <--  HDR, SK {}            (both ends drop the IKE SA)
 *   HDR, SK {D(ESP, spi)}       -->   <--  HDR, SK {D(ESP, spi)} (the pair is removed)
 *   HDR, SK {}                  -->   <--  HDR, SK {}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "util/log.h"

static void be32(uint32_t v, uint8_t *out)
{
	out[0] = v >> 24;
	out[1] = v >> 16;
	out[2] = v >> 8;
	out[3] = v;
}

/* ---------------------------------------------------------------- initiator */

void ike_info_start(struct ike_sa *sa, struct ike_task_req t)
{
	struct ike_child *c = NULL;
	struct ike_out o;
	uint8_t spi[4], *pkt;

	if (t.task == TASK_DELETE_CHILD) {
		c = ike_child_find_in(sa, t.arg);
		if (!c || c->state == CHILD_S_DELETING)
			return ike_run_queue(sa);
	}
	if (ike_out_begin(&o, sa, INFORMATIONAL, false, sa->req_next, true) < 0)
		return;
	if (t.task == TASK_DELETE_IKE) {
		ike_add_delete(&o.b, PROTO_IKE, 0, NULL, 0);
	} else if (c) {
		be32(c->spi_in, spi);
		ike_add_delete(&o.b, PROTO_ESP, 4, spi, 1);
	}
	int len = ike_out_end(&o, sa, &pkt);
	if (len < 0)
		return;
	if (t.task == TASK_DELETE_IKE) {
		log_info("IKE SA %u: sending Delete", sa->id);
		ike_sa_set_state(sa, IKE_S_DELETING);
	} else if (c) {
		log_info("IKE SA %u: deleting Child SA 0x%08x/0x%08x", sa->id, c->spi_in,
		         c->spi_out);
		ike_child_set_state(c, CHILD_S_DELETING);
	}
	ike_send_request(sa, t, pkt, (size_t)len);
}

void ike_info_i_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_task_req t = sa->req;
	struct ike_child *c;

	ike_request_done(sa);
	switch (t.task) {
	case TASK_DELETE_IKE:
		ike_sa_destroy(sa, sa->why[0] ? sa->why : "Deleted locally", false);
		return;
	case TASK_DELETE_CHILD:
		if ((c = ike_child_find_in(sa, t.arg)))
			ike_child_destroy(c);
		break;
	default: /* liveness: the answer itself is the proof (DPD bookkeeping in issue 6) */
		break;
	}
	ike_run_queue(sa);
}

/* ---------------------------------------------------------------- responder */

/* Deletes the Child SAs the peer names (by its inbound = our outbound SPI); collects our
 * inbound SPIs for the answer. Returns how many were collected. */
static size_t delete_children(struct ike_sa *sa, const struct ike_delete_pl *d, uint8_t *spis,
                              size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n_spi; i++) {
		const uint8_t *s = d->spis + 4 * i;
		uint32_t out = (uint32_t)s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3];
		struct ike_child *c = ike_child_find_out(sa, out);
		if (!c) {
			log_debug("IKE SA %u: Delete for unknown Child SA 0x%08x", sa->id, out);
			continue;
		}
		log_info("IKE SA %u: peer deleted Child SA 0x%08x/0x%08x", sa->id, c->spi_in, out);
		/* if our own Delete for it crossed this one, both sides answer and forget it */
		if (n < max)
			be32(c->spi_in, spis + 4 * n++);
		ike_child_destroy(c);
	}
	return n;
}

void ike_info_r(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t spis[4 * 16];
	size_t n_spis = 0;
	bool del_ike = false, refused = false;
	uint32_t msg_id = m->hdr.msg_id;
	struct ike_notify_pl nt;
	char why[96] = "Deleted by peer";

	for (size_t i = 0; i < m->n_pl; i++) {
		struct ike_delete_pl d;
		if (m->pl[i].type != PL_DELETE || ike_parse_delete(&m->pl[i], &d) < 0)
			continue;
		if (d.protocol == PROTO_IKE)
			del_ike = true;
		else if (d.protocol == PROTO_ESP && d.spi_len == 4)
			n_spis += delete_children(sa, &d, spis + 4 * n_spis, 16 - n_spis);
	}
	if (ike_find_notify(m, N_AUTHENTICATION_FAILED, &nt)) {
		sa->ike->stats.auth_failed++;
		ike_cert_self_diag(sa, why, sizeof(why)); /* says what we can tell about our side */
		log_err("IKE SA %u: peer says our AUTH failed: %s", sa->id, why);
		del_ike = refused = true;
	}
	struct ike_out o;
	uint8_t *pkt;
	if (ike_out_begin(&o, sa, INFORMATIONAL, true, msg_id, true) == 0) {
		if (n_spis && !del_ike)
			ike_add_delete(&o.b, PROTO_ESP, 4, spis, (uint16_t)(n_spis));
		int len = ike_out_end(&o, sa, &pkt);
		if (len > 0)
			ike_send_response(sa, msg_id, pkt, (size_t)len);
	}
	if (del_ike) {
		ike_sa_destroy(sa, why, refused);
		return;
	}
	/* A tunnel interface without a Child SA carries nothing: rebuild it (issue 6 may
	 * re-create just the Child SA with CREATE_CHILD_SA instead). */
	if (n_spis && !sa->children && sa->tun && ike_tunnel_wanted(sa->tun)) {
		sa->reinit = true;
		snprintf(sa->why, sizeof(sa->why), "Last Child SA deleted by peer");
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
	}
}
