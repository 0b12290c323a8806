/*
 * Incoming datagrams: header check, SA lookup by our SPI (hash table), message-ID window
 * (RFC 7296 §2.3, window size 1), SK verification/decryption, and dispatch to the exchange
 * tasks. Everything that does not fit is counted and logged at debug level, never fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_frag.h"
#include "ike/ike_int.h"
#include "util/log.h"

static bool spi_zero(const uint8_t spi[8])
{
	static const uint8_t z[8];
	return memcmp(spi, z, 8) == 0;
}

static void input_init(struct ike *ike, const uint8_t *pkt, size_t len, const struct ike_hdr *h,
                       uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
	struct ike_msg *m = malloc(sizeof(*m));
	int rc;

	if (!m)
		return;
	rc = ike_msg_parse(pkt, len, m);
	if (rc < 0) {
		ike->stats.rx_dropped_malformed++;
		log_debug("IKE_SA_INIT dropped: %s", ike_parse_err_name(rc));
		goto out;
	}
	if (!(h->flags & IKE_FLAG_RESPONSE)) {
		if (!(h->flags & IKE_FLAG_INITIATOR) || !spi_zero(h->spi_r) || h->msg_id != 0) {
			ike->stats.rx_dropped_malformed++;
			goto out;
		}
		if (!ike->shutting_down)
			ike_init_r(ike, m, pkt, len, local, lport, remote, rport);
		goto out;
	}
	struct ike_sa *sa = ike_sa_find(ike, h->spi_i);
	if (!sa || !sa->initiator) {
		ike->stats.rx_dropped_unknown_spi++;
		goto out;
	}
	if (sa->state != IKE_S_INIT_SENT || sa->req.task != TASK_INIT || h->msg_id != 0 ||
	    remote != sa->remote || sa->job) {
		ike->stats.rx_dropped_msgid++;
		goto out;
	}
	ike_init_i_response(sa, m, pkt, len);
out:
	free(m);
}

/* Can this SA take an SK-protected message of this exchange at all? */
static bool has_keys(const struct ike_sa *sa)
{
	return sa->k_in.cipher != NULL;
}

/* Window check. Returns true when the message is to be processed. */
static bool window_ok(struct ike_sa *sa, const struct ike_hdr *h)
{
	struct ike *ike = sa->ike;
	if (h->flags & IKE_FLAG_RESPONSE) {
		if (sa->req.task == TASK_NONE || h->msg_id != sa->req_id) {
			ike->stats.rx_dropped_msgid++;
			log_debug("IKE SA %u: unexpected response %u dropped", sa->id, h->msg_id);
			return false;
		}
		return true;
	}
	if (h->msg_id == sa->peer_next)
		return true;
	if (sa->resp_pkt && h->msg_id + 1 == sa->peer_next) {
		/* a retransmission: the cached answer, byte for byte */
		ike->stats.rx_retransmits++;
		log_debug("IKE SA %u: request %u retransmitted, answering from cache", sa->id,
		          h->msg_id);
		ike_io_send(ike, sa->resp_pkt, sa->resp_len, sa->local, sa->lport, sa->remote,
		            sa->rport);
		return false;
	}
	ike->stats.rx_dropped_msgid++;
	log_debug("IKE SA %u: request %u outside the window (expect %u)", sa->id, h->msg_id,
	          sa->peer_next);
	return false;
}

/* The peer floated to 4500 (or its NAT mapping changed): answer where it now is (§2.23). */
static void update_path(struct ike_sa *sa, uint16_t lport, uint32_t remote, uint16_t rport)
{
	if (sa->lport == lport && sa->remote == remote && sa->rport == rport)
		return;
	if (lport == IKE_NATT_PORT && (sa->natt || sa->state == IKE_S_INIT_DONE)) {
		sa->natt = true;
		sa->lport = lport;
		sa->rport = rport;
		if (sa->nat_remote)
			sa->remote = remote;
	}
}

static void dispatch_request(struct ike_sa *sa, const struct ike_msg *in)
{
	ike_dpd_rx(sa); /* authentic: the peer is alive */
	switch (in->hdr.exchange) {
	case IKE_AUTH:
		if (sa->state == IKE_S_INIT_DONE && !sa->initiator)
			return ike_auth_r(sa, in);
		break;
	case INFORMATIONAL:
		if (sa->state >= IKE_S_ESTABLISHED)
			return ike_info_r(sa, in);
		break;
	case CREATE_CHILD_SA:
		if (sa->state >= IKE_S_ESTABLISHED)
			return ike_ccsa_r(sa, in); /* rekeys (issue 6) */
		break;
	}
	sa->ike->stats.rx_dropped_msgid++;
	log_debug("IKE SA %u: %s request unexpected in state %s", sa->id,
	          ike_exchange_name(in->hdr.exchange), ike_sa_state_name(sa->state));
}

static void dispatch_response(struct ike_sa *sa, const struct ike_msg *in)
{
	ike_dpd_rx(sa);
	switch (sa->req.task) {
	case TASK_REKEY_CHILD:
	case TASK_REKEY_IKE:
		if (in->hdr.exchange == CREATE_CHILD_SA)
			return ike_ccsa_i_response(sa, in);
		break;
	case TASK_AUTH:
		if (in->hdr.exchange == IKE_AUTH)
			return ike_auth_i_response(sa, in);
		break;
	case TASK_DELETE_IKE:
	case TASK_DELETE_CHILD:
	case TASK_LIVENESS:
		if (in->hdr.exchange == INFORMATIONAL)
			return ike_info_i_response(sa, in);
		break;
	default:
		break;
	}
	sa->ike->stats.rx_dropped_msgid++;
}

/* A critical payload we do not know inside a verified request (§2.5). */
static void reject_critical(struct ike_sa *sa, const struct ike_msg *in, uint8_t type)
{
	log_err("IKE SA %u: unsupported critical payload %u in %s, answering "
	        "UNSUPPORTED_CRITICAL_PAYLOAD",
	        sa->id, type, ike_exchange_name(in->hdr.exchange));
	ike_respond_notify(sa, in->hdr.exchange, in->hdr.msg_id, N_UNSUPPORTED_CRITICAL_PAYLOAD,
	                   &type, 1);
	if (sa->state == IKE_S_INIT_DONE)
		ike_sa_destroy(sa, "Unsupported critical payload", true);
}

static void input_sk(struct ike_sa *sa, uint8_t *pkt, size_t len, uint16_t lport, uint32_t remote,
                     uint16_t rport)
{
	struct ike *ike = sa->ike;
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t *plain = NULL, *whole = NULL; /* whole: a reassembled fragmented message */
	size_t plain_len;
	int rc;

	if (!m)
		return;
	rc = ike_msg_parse(pkt, len, m);
	if (rc < 0 || !m->has_sk) {
		ike->stats.rx_dropped_malformed++;
		log_debug("IKE SA %u: dropped: %s", sa->id,
		          rc < 0 ? ike_parse_err_name(rc) : "no SK");
		goto out;
	}
	if (m->sk_type == PL_SKF) {
		/* the last fragment alone would not make the message again */
		ike->cur_in.pkt = NULL;
		rc = ike_frag_input(sa, pkt, len, m, &whole, &plain_len);
		plain = whole; /* NULL until the last fragment completes the message */
	} else {
		rc = ike_sk_open(pkt, len, m, &sa->k_in, &plain, &plain_len);
	}
	if (rc < 0) {
		if (rc == IKE_E_INTEGRITY)
			ike->stats.rx_dropped_integrity++;
		else
			ike->stats.rx_dropped_malformed++;
		log_debug("IKE SA %u: SK payload rejected: %s", sa->id, ike_parse_err_name(rc));
		goto out;
	}
	if (!plain)
		goto out; /* fragment kept (or ignored); the message is not complete yet */
	bool request = !(m->hdr.flags & IKE_FLAG_RESPONSE);
	rc = ike_chain_parse(plain, plain_len, m->sk_first, m);
	if (request)
		update_path(sa, lport, remote, rport);
	if (rc == IKE_E_CRITICAL && request) {
		reject_critical(sa, m, m->crit_type);
	} else if (rc < 0) {
		ike->stats.rx_dropped_malformed++;
		log_err("IKE SA %u: malformed %s %s (%s)", sa->id,
		        ike_exchange_name(m->hdr.exchange), request ? "request" : "response",
		        ike_parse_err_name(rc));
		if (request)
			ike_respond_notify(sa, m->hdr.exchange, m->hdr.msg_id, N_INVALID_SYNTAX,
			                   NULL, 0);
	} else if (request) {
		dispatch_request(sa, m);
	} else {
		dispatch_response(sa, m);
	}
out:
	free(whole);
	free(m);
}

/* A message that came while the SA's keys (or a rekey's) were being derived, kept for
 * afterwards. */
struct ike_held {
	struct ike_held *next;
	uint32_t local, remote;
	uint16_t lport, rport;
	size_t len;
	uint8_t pkt[];
};

/* The initiator's IKE_AUTH (all its fragments, with certificates) and a retransmission or
 * two; more is dropped as before. Anyone who saw IKE_SA_INIT can send to these SPIs, so the
 * bytes are bounded too. */
#define IKE_HELD_MAX       16
#define IKE_HELD_MAX_BYTES 65536

/* A copy of the datagram, linked in at *at (before what is there), or false (no memory). */
static bool held_insert(struct ike_sa *sa, struct ike_held **at, const uint8_t *pkt, size_t len,
                        uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
	struct ike_held *m = malloc(sizeof(*m) + len);
	if (!m)
		return false;
	*m = (struct ike_held){*at, local, remote, lport, rport, len};
	memcpy(m->pkt, pkt, len);
	*at = m;
	sa->n_held++;
	return true;
}

static bool hold(struct ike_sa *sa, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                 uint32_t remote, uint16_t rport)
{
	struct ike_held **tail = &sa->held;
	size_t bytes = len;
	for (; *tail; tail = &(*tail)->next)
		bytes += (*tail)->len;
	if (sa->n_held >= IKE_HELD_MAX || bytes > IKE_HELD_MAX_BYTES)
		return false;
	return held_insert(sa, tail, pkt, len, local, lport, remote, rport);
}

void ike_held_free(struct ike_sa *sa)
{
	while (sa->held) {
		struct ike_held *m = sa->held;
		sa->held = m->next;
		free(m);
	}
	sa->n_held = 0;
}

bool ike_hold_first(struct ike_sa *sa, const uint8_t *pkt, size_t len, uint32_t local,
                    uint16_t lport, uint32_t remote, uint16_t rport)
{
	return held_insert(sa, &sa->held, pkt, len, local, lport, remote, rport);
}

static void input(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                  uint32_t remote, uint16_t rport);

void ike_held_replay(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	struct ike_held *m = sa->held;
	sa->held = NULL;
	sa->n_held = 0;
	/* each message finds its SA again by SPI: an earlier one may have ended it */
	while (m) {
		struct ike_held *next = m->next;
		input(ike, m->pkt, m->len, m->local, m->lport, m->remote, m->rport);
		free(m);
		m = next;
	}
}

void ike_input(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
               uint32_t remote, uint16_t rport)
{
	ike->stats.rx_packets++;
	input(ike, pkt, len, local, lport, remote, rport);
}

static void input(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                  uint32_t remote, uint16_t rport)
{
	struct ike_hdr h;
	int rc;

	rc = ike_hdr_parse(pkt, len, &h);
	if (rc < 0 || h.length != len) {
		ike->stats.rx_dropped_malformed++;
		log_debug("IKE datagram of %zu bytes dropped: %s", len,
		          rc < 0 ? ike_parse_err_name(rc) : "length mismatch");
		return;
	}
	if (h.exchange == IKE_SA_INIT)
		return input_init(ike, pkt, len, &h, local, lport, remote, rport);
	/* The original initiator's messages carry our SPI as SPIr, and the other way round. */
	bool from_initiator = h.flags & IKE_FLAG_INITIATOR;
	struct ike_sa *sa = ike_sa_find(ike, from_initiator ? h.spi_r : h.spi_i);
	if (!sa || sa->initiator == from_initiator ||
	    memcmp(ike_sa_spi_remote(sa), from_initiator ? h.spi_i : h.spi_r, 8) != 0) {
		ike->stats.rx_dropped_unknown_spi++;
		log_debug("IKE %s dropped: unknown SPI", ike_exchange_name(h.exchange));
		if (!(h.flags & IKE_FLAG_RESPONSE))
			ike_dpd_unknown_spi(ike, &h, local, lport, remote, rport);
		return;
	}
	if ((sa->keys_pending || sa->rekey_dh_pending) &&
	    hold(sa, pkt, len, local, lport, remote, rport)) {
		log_debug("IKE SA %u: %s held until its keys are derived", sa->id,
		          ike_exchange_name(h.exchange));
		return;
	}
	if (sa->job) {
		/* its ECDH or signature is being computed (ike_work.c); only the peer's copies of
		 * the request being answered can come now, and it retransmits */
		ike->stats.rx_dropped_msgid++;
		log_debug("IKE SA %u: %s dropped while its key work runs", sa->id,
		          ike_exchange_name(h.exchange));
		return;
	}
	if (!has_keys(sa) || ike_frag_skip(sa, &h, pkt, len) || !window_ok(sa, &h))
		return;
	if ((h.flags & IKE_FLAG_RESPONSE) && h.next_payload == PL_NOTIFY) {
		/* unprotected: only INVALID_IKE_SPI means anything (§2.21.4) */
		struct ike_msg *um = malloc(sizeof(*um));
		if (um && ike_msg_parse(pkt, len, um) == 0)
			ike_dpd_unprotected(sa, um);
		free(um);
		return;
	}
	uint8_t *copy = malloc(len); /* decrypted in place; the caller's buffer is const */
	if (!copy)
		return;
	memcpy(copy, pkt, len);
	struct ike_dgram outer = ike->cur_in; /* a held message taken inside another's handling */
	ike->cur_in = (struct ike_dgram){pkt, len, local, remote, lport, rport};
	input_sk(sa, copy, len, lport, remote, rport);
	ike->cur_in = outer;
	free(copy);
}
