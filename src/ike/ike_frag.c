/*
 * IKE fragmentation (RFC 7383): cutting SK messages into SKF fragments, and reassembly with
 * limits. See ike_frag.h.
 */
#include "ike/ike_frag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/loop.h"

#define IPV4_UDP_HDR 28 /* 20 IPv4 + 8 UDP */

struct ike_frag_rx {
	struct ike_sa *sa;
	int dir; /* index in sa->frag_rx: 0 request, 1 response */
	uint32_t msg_id;
	uint16_t total, have;
	uint8_t first; /* first inner payload type, from fragment 1 */
	size_t bytes;
	uint64_t timer;
	bool got[IKE_FRAG_MAX_FRAGS];
	uint8_t *slice[IKE_FRAG_MAX_FRAGS];
	size_t slice_len[IKE_FRAG_MAX_FRAGS];
};

void ike_set_fragment_size(struct ike *ike, size_t ip_datagram_size)
{
	if (ip_datagram_size && ip_datagram_size < IKE_FRAG_MIN_SIZE)
		ip_datagram_size = IKE_FRAG_MIN_SIZE;
	if (ip_datagram_size > IKE_MAX_MSG)
		ip_datagram_size = IKE_MAX_MSG;
	ike->frag_size = ip_datagram_size;
}

size_t ike_frag_budget(const struct ike_sa *sa)
{
	size_t size = sa->ike->frag_size ? sa->ike->frag_size : IKE_FRAG_DEFAULT_SIZE;
	return size - IPV4_UDP_HDR - (sa->natt ? IKE_NON_ESP_MARKER_LEN : 0);
}

/* ---------------------------------------------------------------- sending */

int ike_frag_out(struct ike_out *o, struct ike_sa *sa, uint8_t **pkt)
{
	const uint8_t *plain;
	size_t plen, budget = ike_frag_budget(sa);
	uint8_t first;

	if (ike_build_sk_plain(&o->b, &plain, &plen, &first) < 0 ||
	    plen + ike_sk_overhead(&sa->k_out, PL_SK) <= budget)
		return 0; /* fits (or failed: the ordinary path reports it) */
	size_t slice = ike_skf_max_data(&sa->k_out, budget);
	size_t n = slice ? (plen + slice - 1) / slice : 0;
	if (!n || n > IKE_FRAG_MAX_FRAGS) {
		log_err("IKE SA %u: message of %zu bytes cannot be cut into at most %d fragments",
		        sa->id, plen, IKE_FRAG_MAX_FRAGS);
		ike_out_abort(o);
		return -1;
	}
	size_t cap = n * budget, off = 0;
	uint8_t *set = malloc(cap);
	for (size_t i = 0; set && i < n; i++) {
		size_t take = plen - i * slice < slice ? plen - i * slice : slice;
		int l = ike_build_skf(set + off, cap - off, &o->h, first, (uint16_t)(i + 1),
		                      (uint16_t)n, plain + i * slice, take, &sa->k_out);
		if (l < 0) {
			free(set);
			set = NULL;
			break;
		}
		off += (size_t)l;
	}
	ike_out_abort(o);
	if (!set)
		return -1;
	log_debug("IKE SA %u: %s message of %zu bytes sent as %zu fragments", sa->id,
	          ike_exchange_name(o->h.exchange), plen, n);
	*pkt = set;
	return (int)off;
}

size_t ike_frag_next_len(const uint8_t *pkt, size_t len, bool *skf)
{
	struct ike_hdr h;

	*skf = false;
	if (ike_hdr_parse(pkt, len, &h) < 0)
		return len; /* not a set: the whole buffer is one datagram */
	*skf = h.next_payload == PL_SKF;
	return h.length;
}

/* ---------------------------------------------------------------- receiving */

static void rx_free(struct ike_frag_rx *fr)
{
	struct ike_sa *sa = fr->sa;

	loop_timer_cancel(sa->ike->loop, fr->timer);
	for (size_t i = 0; i < IKE_FRAG_MAX_FRAGS; i++) {
		if (fr->slice[i])
			memwipe(fr->slice[i], fr->slice_len[i]);
		free(fr->slice[i]);
	}
	sa->frag_rx[fr->dir] = NULL;
	free(fr);
}

void ike_frag_free(struct ike_sa *sa)
{
	for (int i = 0; i < 2; i++)
		if (sa->frag_rx[i])
			rx_free(sa->frag_rx[i]);
}

static void rx_expired(void *arg)
{
	struct ike_frag_rx *fr = arg;
	fr->timer = 0;
	log_debug("IKE SA %u: reassembly of message %u timed out (%u of %u fragments)", fr->sa->id,
	          fr->msg_id, fr->have, fr->total);
	fr->sa->ike->stats.rx_frag_dropped += fr->have;
	rx_free(fr);
}

/* As long as the peer may retransmit the message. */
static uint64_t rx_lifetime_ms(const struct ike *ike)
{
	uint64_t ms = 0;
	for (size_t i = 0; i < ike->timing.n_retx && i < IKE_RETX_MAX; i++)
		ms += ike->timing.retx_ms[i];
	return ms < 1000 ? 1000 : ms;
}

static struct ike_frag_rx *rx_new(struct ike_sa *sa, int dir, uint32_t msg_id, uint16_t total)
{
	struct ike_frag_rx *fr = calloc(1, sizeof(*fr));
	if (!fr)
		return NULL;
	fr->sa = sa;
	fr->dir = dir;
	fr->msg_id = msg_id;
	fr->total = total;
	fr->timer = loop_timer_add(sa->ike->loop, rx_lifetime_ms(sa->ike), rx_expired, fr);
	sa->frag_rx[dir] = fr;
	return fr;
}

static int rx_drop(struct ike_sa *sa, const char *why, uint16_t num, uint16_t total)
{
	sa->ike->stats.rx_frag_dropped++;
	log_debug("IKE SA %u: fragment %u/%u dropped: %s", sa->id, num, total, why);
	return 0;
}

/* The whole inner chain, in order, into a new buffer; the state is freed. */
static int rx_assemble(struct ike_frag_rx *fr, struct ike_msg *m, uint8_t **msg, size_t *len)
{
	uint8_t *buf = malloc(fr->bytes ? fr->bytes : 1);
	size_t off = 0;

	if (!buf) {
		rx_free(fr);
		return IKE_E_LIMIT;
	}
	for (size_t i = 0; i < fr->total; i++) {
		memcpy(buf + off, fr->slice[i], fr->slice_len[i]);
		off += fr->slice_len[i];
	}
	m->sk_first = fr->first;
	*msg = buf;
	*len = off;
	log_debug("IKE SA %u: message %u reassembled from %u fragments (%zu bytes)", fr->sa->id,
	          fr->msg_id, fr->total, off);
	rx_free(fr);
	return 1;
}

int ike_frag_input(struct ike_sa *sa, uint8_t *pkt, size_t len, struct ike_msg *m, uint8_t **msg,
                   size_t *msg_len)
{
	int dir = m->hdr.flags & IKE_FLAG_RESPONSE ? 1 : 0;
	uint16_t num = m->frag_num, total = m->frag_total;
	uint8_t *plain;
	size_t plen;
	int rc;

	/* authentic first: nothing unauthenticated is ever kept */
	if ((rc = ike_sk_open(pkt, len, m, &sa->k_in, &plain, &plen)) < 0)
		return rc;
	sa->ike->stats.rx_fragments++;
	if (total > IKE_FRAG_MAX_FRAGS || num < 1 || num > total)
		return rx_drop(sa, "too many fragments", num, total);
	struct ike_frag_rx *fr = sa->frag_rx[dir];
	if (fr && fr->msg_id != m->hdr.msg_id) {
		rx_free(fr); /* a set of an older message that never completed */
		fr = NULL;
	}
	if (fr && total != fr->total) {
		if (total < fr->total)
			return rx_drop(sa, "fewer total fragments than the set being reassembled",
			               num, total);
		rx_free(fr); /* re-fragmented smaller by the sender: start over */
		fr = NULL;
	}
	if (!fr && !(fr = rx_new(sa, dir, m->hdr.msg_id, total)))
		return IKE_E_LIMIT;
	if (fr->got[num - 1])
		return rx_drop(sa, "duplicate", num, total);
	if (fr->bytes + plen > IKE_FRAG_MAX_BYTES) {
		rx_free(fr);
		return rx_drop(sa, "reassembled message too large", num, total);
	}
	if (plen && !(fr->slice[num - 1] = malloc(plen)))
		return IKE_E_LIMIT;
	if (plen)
		memcpy(fr->slice[num - 1], plain, plen);
	fr->slice_len[num - 1] = plen;
	fr->got[num - 1] = true;
	fr->bytes += plen;
	fr->have++;
	if (num == 1)
		fr->first = m->sk_first;
	if (fr->have < fr->total)
		return 0;
	return rx_assemble(fr, m, msg, msg_len);
}

bool ike_frag_skip(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *pkt, size_t len)
{
	struct rbuf r;

	if (h->next_payload != PL_SKF)
		return false;
	if (!sa->frag_ok) {
		sa->ike->stats.rx_frag_dropped++;
		log_debug("IKE SA %u: fragment dropped: fragmentation not negotiated", sa->id);
		return true;
	}
	if ((h->flags & IKE_FLAG_RESPONSE) || !sa->resp_pkt || h->msg_id + 1 != sa->peer_next)
		return false;
	/* a retransmitted request: answer (from cache) on its first fragment only */
	rbuf_init(&r, pkt, len);
	rbuf_skip(&r, IKE_HDR_LEN + IKE_GENERIC_HDR_LEN);
	uint16_t num = rbuf_u16(&r);
	return !rbuf_ok(&r) || num != 1;
}
