/*
 * Helpers shared by the exchange tasks: message headers for an SA, SK-protected building,
 * notify lookup, and one-notify error responses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_frag.h"
#include "ike/ike_int.h"
#include "util/log.h"

int ike_out_begin(struct ike_out *o, struct ike_sa *sa, uint8_t exchange, bool response,
                  uint32_t msg_id, bool encrypted)
{
	struct ike_hdr h = {.version = IKE_VERSION, .exchange = exchange, .msg_id = msg_id};

	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	h.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) | (response ? IKE_FLAG_RESPONSE : 0);
	o->sk = encrypted;
	o->h = h;
	o->buf = malloc(IKE_MSG_BUF);
	if (!o->buf)
		return -1;
	ike_build_begin(&o->b, o->buf, IKE_MSG_BUF, &h);
	if (encrypted && ike_build_sk_begin(&o->b) < 0) {
		ike_out_abort(o);
		return -1;
	}
	return 0;
}

int ike_out_end(struct ike_out *o, struct ike_sa *sa, uint8_t **pkt)
{
	int len;
	/* too big for one datagram and the peer reassembles: a set of SKF fragments */
	if (o->sk && sa->frag_ok && (len = ike_frag_out(o, sa, pkt)) != 0)
		return len;
	if (o->sk && ike_build_sk_end(&o->b, &sa->k_out) < 0) {
		ike_out_abort(o);
		return -1;
	}
	len = ike_build_end(&o->b);
	if (len < 0) {
		ike_out_abort(o);
		return -1;
	}
	uint8_t *shrunk = realloc(o->buf, (size_t)len);
	if (shrunk)
		o->buf = shrunk; /* else the larger buffer still holds the message */
	*pkt = o->buf;
	o->buf = NULL;
	return len;
}

void ike_out_abort(struct ike_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

void ike_respond_notify(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id, uint16_t type,
                        const uint8_t *data, size_t len)
{
	struct ike_out o;
	uint8_t *pkt;
	int n;

	if (ike_out_begin(&o, sa, exchange, true, msg_id, true) < 0)
		return;
	if (ike_add_notify(&o.b, 0, NULL, 0, type, data, len) < 0) {
		ike_out_abort(&o);
		return;
	}
	n = ike_out_end(&o, sa, &pkt);
	if (n > 0)
		ike_send_response(sa, msg_id, pkt, (size_t)n);
}

bool ike_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify_pl *n)
{
	for (size_t i = 0; i < m->n_pl; i++) {
		if (m->pl[i].type == PL_NOTIFY && ike_parse_notify(&m->pl[i], n) == 0 &&
		    n->type == type)
			return true;
	}
	return false;
}

uint16_t ike_first_error(const struct ike_msg *m)
{
	struct ike_notify_pl n;
	for (size_t i = 0; i < m->n_pl; i++) {
		if (m->pl[i].type == PL_NOTIFY && ike_parse_notify(&m->pl[i], &n) == 0 &&
		    n.type <= N_ERROR_MAX)
			return n.type;
	}
	return 0;
}
