/*
 * Traffic Selector payloads (RFC 7296 §3.13): TSi/TSr parsed into struct ike_ts_pl (IPv4
 * ranges stored; other well-formed selectors counted in n_skipped) and built from it.
 */
#include "ike/msg_int.h"

#include <string.h>

#define TS_V4_LEN  16
#define TS_V6_LEN  40
#define TS_HDR_LEN 8 /* type, protocol, length, ports */

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address*                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address*                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IPv4 range: length 16; IPv6 range: length 40. Ports are not ordered-checked: start 65535 /
 * end 0 means OPAQUE (§3.13.1). Returns 1 when the selector was stored in *ts, 0 when skipped.
 */
static int parse_selector(struct rbuf *r, struct ike_ts *ts)
{
	struct rbuf s;

	ts->type = rbuf_u8(r);
	ts->ip_proto = rbuf_u8(r);
	uint16_t len = rbuf_u16(r);
	if (!rbuf_ok(r) || len < 4 || !rbuf_sub(r, len - 4, &s))
		return IKE_E_SHORT;
	if ((ts->type == TS_IPV4_ADDR_RANGE && len != TS_V4_LEN) ||
	    (ts->type == TS_IPV6_ADDR_RANGE && len != TS_V6_LEN) || len < TS_HDR_LEN)
		return IKE_E_SYNTAX;
	ts->start_port = rbuf_u16(&s);
	ts->end_port = rbuf_u16(&s);
	if (ts->type != TS_IPV4_ADDR_RANGE)
		return 0;
	ts->start_addr = rbuf_u32(&s);
	ts->end_addr = rbuf_u32(&s);
	return rbuf_ok(&s) ? 1 : IKE_E_SHORT;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Number of TSs must be at least 1 and match the selectors that fill the payload exactly.
 */
int ike_parse_ts(const struct ike_payload *p, struct ike_ts_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->n_ts = 0;
	out->n_skipped = 0;
	uint8_t n = rbuf_u8(&r);
	rbuf_skip(&r, 3);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (n == 0)
		return IKE_E_SYNTAX;
	for (unsigned i = 0; i < n; i++) {
		struct ike_ts ts;
		memset(&ts, 0, sizeof(ts)); /* padding too: callers may compare whole structs */
		int rc = parse_selector(&r, &ts);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			out->n_skipped++;
			continue;
		}
		if (out->n_ts >= IKE_MAX_TS)
			return IKE_E_LIMIT;
		out->ts[out->n_ts++] = ts;
	}
	return rbuf_left(&r) == 0 ? IKE_OK : IKE_E_SYNTAX;
}

/* IPv4 ranges only (the type of each selector must be TS_IPV4_ADDR_RANGE). */
int ike_add_ts(struct ike_builder *b, uint8_t pl_type, const struct ike_ts_pl *ts)
{
	if ((pl_type != PL_TSI && pl_type != PL_TSR) || ts->n_ts == 0 || ts->n_ts > IKE_MAX_TS)
		return ike_build_fail(b);
	size_t start = ike_pl_begin(b, pl_type, false);
	wbuf_u8(&b->w, ts->n_ts);
	wbuf_zero(&b->w, 3);
	for (size_t i = 0; i < ts->n_ts; i++) {
		const struct ike_ts *t = &ts->ts[i];
		if (t->type != TS_IPV4_ADDR_RANGE)
			return ike_build_fail(b);
		wbuf_u8(&b->w, t->type);
		wbuf_u8(&b->w, t->ip_proto);
		wbuf_u16(&b->w, TS_V4_LEN);
		wbuf_u16(&b->w, t->start_port);
		wbuf_u16(&b->w, t->end_port);
		wbuf_u32(&b->w, t->start_addr);
		wbuf_u32(&b->w, t->end_addr);
	}
	return ike_pl_end(b, start);
}
