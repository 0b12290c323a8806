/*
 * The generic payload chain (RFC 7296 §3.2): walks next-payload/length fields, checks every
 * length against what is left of the message, keeps unknown non-critical payloads and stops
 * at an unknown critical one.
 */
#include "ike/msg_int.h"

bool ike_pl_known(uint8_t type)
{
	return (type >= PL_SA && type <= PL_EAP) || type == PL_SKF;
}

/* SK (46) / SKF (53) end the chain: nothing may follow them in the message. */
static int chain_sk(struct ike_msg *m, const struct ike_payload *p, uint8_t np, size_t off,
                    size_t left_after)
{
	struct rbuf r;

	if (left_after != 0)
		return IKE_E_SYNTAX;
	m->has_sk = true;
	m->sk_type = p->type;
	m->sk_first = np;
	m->sk_off = off;
	if (p->type != PL_SKF)
		return IKE_OK;
	/* RFC 7383 §2.5: Fragment Number (2) | Total Fragments (2) before the IV. */
	rbuf_init(&r, p->body, p->len);
	m->frag_num = rbuf_u16(&r);
	m->frag_total = rbuf_u16(&r);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (m->frag_num == 0 || m->frag_total == 0 || m->frag_num > m->frag_total)
		return IKE_E_SYNTAX;
	return IKE_OK;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RESERVED is ignored on receipt. Payload Length includes this 4-byte header.
 */
int ike_chain_parse_r(struct rbuf *r, uint8_t type, struct ike_msg *m, bool outer)
{
	m->n_pl = 0;
	m->crit_type = 0;
	while (type != PL_NONE) {
		size_t off = r->off;
		uint8_t np = rbuf_u8(r);
		uint8_t flags = rbuf_u8(r);
		uint16_t plen = rbuf_u16(r);
		struct rbuf body;

		if (!rbuf_ok(r) || plen < IKE_GENERIC_HDR_LEN ||
		    !rbuf_sub(r, plen - IKE_GENERIC_HDR_LEN, &body))
			return IKE_E_SHORT;
		bool critical = flags & IKE_PL_CRITICAL;
		if (critical && !ike_pl_known(type)) {
			m->crit_type = type;
			return IKE_E_CRITICAL;
		}
		if (m->n_pl >= IKE_MAX_PAYLOADS)
			return IKE_E_LIMIT;
		struct ike_payload *p = &m->pl[m->n_pl++];
		p->type = type;
		p->critical = critical;
		p->len = rbuf_left(&body);
		p->body = rbuf_ptr(&body, p->len);
		if (type == PL_SK || type == PL_SKF) {
			if (!outer)
				return IKE_E_SYNTAX;
			return chain_sk(m, p, np, off, rbuf_left(r));
		}
		type = np;
	}
	/* The last payload said "none": the message must end there. */
	return rbuf_left(r) == 0 ? IKE_OK : IKE_E_SYNTAX;
}

int ike_chain_parse(const uint8_t *buf, size_t len, uint8_t first, struct ike_msg *m)
{
	struct rbuf r;

	rbuf_init(&r, buf, len);
	return ike_chain_parse_r(&r, first, m, false);
}
