/*
 * CREATE_CHILD_SA (RFC 7296 §1.3): the responder's dispatch (Child SA rekey, IKE SA rekey, or a
 * new Child SA, which a tunnel interface with its one Child SA does not take), the initiator's
 * response dispatch, and helpers shared by the rekey tasks.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "util/log.h"

uint32_t ike_spi32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ike_put32(uint32_t v, uint8_t *out)
{
	out[0] = v >> 24;
	out[1] = v >> 16;
	out[2] = v >> 8;
	out[3] = v;
}

void ike_rekey_free(struct ike_rekey *rk)
{
	if (!rk)
		return;
	dh_free(rk->dh);
	chunk_clear(&rk->ni);
	chunk_clear(&rk->peer_min);
	free(rk);
}

int ike_nonce_cmp(const struct chunk *a, const struct chunk *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->ptr, b->ptr, n) : 0;
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

bool ike_nonce_min(const struct chunk *a, const struct chunk *b, struct chunk *out)
{
	const struct chunk *m = ike_nonce_cmp(a, b) <= 0 ? a : b;
	chunk_clear(out);
	return chunk_dup(out, m->ptr, m->len);
}

int ike_add_ke_dh(struct ike_builder *b, const struct dh *dh)
{
	uint8_t pub[160];
	const struct dh_alg *a = dh_alg_of(dh);
	if (a->pub_len > sizeof(pub) || dh_public(dh, pub, a->pub_len) < 0)
		return -1;
	return ike_add_ke(b, a->id, pub, a->pub_len);
}

int ike_add_ts_pair(struct ike_builder *b, const struct ike_ts *tsi, const struct ike_ts *tsr)
{
	struct ike_ts_pl pl = {.n_ts = 1};
	pl.ts[0] = *tsi;
	if (ike_add_ts(b, PL_TSI, &pl) < 0)
		return -1;
	pl.ts[0] = *tsr;
	return ike_add_ts(b, PL_TSR, &pl);
}

int ike_ccsa_parse(const struct ike_msg *m, struct ike_ccsa_pl *p)
{
	const struct ike_payload *sa = ike_msg_find(m, PL_SA), *ke = ike_msg_find(m, PL_KE),
	                         *no = ike_msg_find(m, PL_NONCE), *ti = ike_msg_find(m, PL_TSI),
	                         *tr = ike_msg_find(m, PL_TSR);
	const uint8_t *n;
	size_t nl;

	memset(p, 0, sizeof(*p));
	if (!sa || !no || ike_parse_sa(sa, &p->sa) < 0 || ike_parse_nonce(no, &n, &nl) < 0 ||
	    nl < IKE_MIN_NONCE || nl > IKE_MAX_NONCE)
		return -1;
	p->nonce = (struct chunk){(uint8_t *)n, nl};
	if (ke && ike_parse_ke(ke, &p->ke) < 0)
		return -1;
	p->has_ke = ke != NULL;
	if (ti && tr && (ike_parse_ts(ti, &p->tsi) < 0 || ike_parse_ts(tr, &p->tsr) < 0))
		return -1;
	p->has_ts = ti && tr && p->tsi.n_ts && p->tsr.n_ts;
	return 0;
}

void ike_ccsa_refuse(struct ike_sa *sa, uint32_t msg_id, uint16_t type, uint32_t spi,
                     const uint8_t *data, size_t len)
{
	struct ike_out o;
	uint8_t s[4], *pkt;

	if (ike_out_begin(&o, sa, CREATE_CHILD_SA, true, msg_id, true) < 0)
		return;
	ike_put32(spi, s);
	ike_add_notify(&o.b, spi ? PROTO_ESP : 0, spi ? s : NULL, spi ? 4 : 0, type, data, len);
	int n = ike_out_end(&o, sa, &pkt);
	if (n > 0)
		ike_send_response(sa, msg_id, pkt, (size_t)n);
}

/* The first proposal's protocol tells an IKE SA rekey from a Child SA. */
static int first_protocol(const struct ike_msg *m)
{
	const struct ike_payload *pl = ike_msg_find(m, PL_SA);
	struct ike_sa_pl *sp = malloc(sizeof(*sp));
	int proto = -1;
	if (pl && sp && ike_parse_sa(pl, sp) == 0 && sp->n_prop)
		proto = sp->prop[0].protocol;
	free(sp);
	return proto;
}

void ike_ccsa_r(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify_pl n;
	uint32_t id = m->hdr.msg_id;

	if (ike_rekey_dh_defer(sa, m))
		return; /* taken again when its shared secret is in */
	if (ike_find_notify(m, N_REKEY_SA, &n)) {
		if (n.protocol != PROTO_ESP || n.spi_len != 4)
			return ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
		return ike_rekey_child_r(sa, m, ike_spi32(n.spi));
	}
	int proto = first_protocol(m);
	if (proto == PROTO_IKE)
		return ike_rekey_ike_r(sa, m);
	if (proto < 0)
		return ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
	log_info("IKE SA %u: peer asked for an additional Child SA: one per tunnel interface, "
	         "answering NO_ADDITIONAL_SAS",
	         sa->id);
	ike_ccsa_refuse(sa, id, N_NO_ADDITIONAL_SAS, 0, NULL, 0);
}

void ike_ccsa_i_response(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_rekey_dh_defer(sa, m))
		return;
	if (sa->req.task == TASK_REKEY_IKE)
		ike_rekey_ike_i_response(sa, m);
	else
		ike_rekey_child_i_response(sa, m);
}
