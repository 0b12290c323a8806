/*
 * Security Association payload (RFC 7296 §3.3): proposals, transforms and transform
 * attributes, parsed into struct ike_sa_pl and built from it.
 */
#include "ike/msg_int.h"

#include <string.h>

#define PROP_LAST 0
#define PROP_MORE 2
#define XF_LAST   0
#define XF_MORE   3
#define ATTR_TV   0x8000 /* AF bit: Type/Value format */

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Key Length (14) must be TV and appear once; every other attribute is skipped and flagged.
 */
static int parse_attrs(struct rbuf *r, struct ike_transform *xf)
{
	bool have_key = false;

	while (rbuf_left(r) > 0) {
		uint16_t at = rbuf_u16(r);
		uint16_t val = rbuf_u16(r);

		if (!rbuf_ok(r))
			return IKE_E_SHORT;
		bool tv = at & ATTR_TV;
		at &= ~ATTR_TV;
		if (!tv && !rbuf_skip(r, val))
			return IKE_E_SHORT;
		if (at != XFORM_ATTR_KEY_LENGTH) {
			xf->unknown_attr = true;
			continue;
		}
		if (!tv || have_key || val == 0)
			return IKE_E_SYNTAX;
		have_key = true;
		xf->key_bits = val;
	}
	return IKE_OK;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Last Substruc is 3 for all but the last transform of a proposal, which has 0.
 */
static int parse_transform(struct rbuf *r, bool last, struct ike_transform *xf)
{
	uint8_t more = rbuf_u8(r);
	struct rbuf body;

	rbuf_skip(r, 1);
	uint16_t len = rbuf_u16(r);
	if (!rbuf_ok(r) || len < 8 || !rbuf_sub(r, len - 4, &body))
		return IKE_E_SHORT;
	if (more != (last ? XF_LAST : XF_MORE))
		return IKE_E_SYNTAX;
	memset(xf, 0, sizeof(*xf));
	xf->type = rbuf_u8(&body);
	rbuf_skip(&body, 1);
	xf->id = rbuf_u16(&body);
	return parse_attrs(&body, xf);
}

/* SPI sizes RFC 7296 §3.3.1 allows per protocol: IKE 0 (IKE_SA_INIT) or 8 (rekey), AH/ESP 4.
 * Which of the IKE sizes fits the exchange is the engine's check. */
static bool spi_size_ok(uint8_t protocol, uint8_t spi_len)
{
	switch (protocol) {
	case PROTO_IKE:
		return spi_len == 0 || spi_len == 8;
	case PROTO_AH:
	case PROTO_ESP:
		return spi_len == 4;
	default:
		return false;
	}
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Last Substruc is 2 for all but the last proposal, which has 0. Num Transforms must match the
 * transforms that fill Proposal Length exactly.
 */
static int parse_proposal(struct rbuf *r, struct ike_proposal *pr)
{
	uint8_t more = rbuf_u8(r);
	struct rbuf body;
	int err;

	rbuf_skip(r, 1);
	uint16_t len = rbuf_u16(r);
	if (!rbuf_ok(r) || len < 8 || !rbuf_sub(r, len - 4, &body))
		return IKE_E_SHORT;
	if (more != (rbuf_left(r) == 0 ? PROP_LAST : PROP_MORE))
		return IKE_E_SYNTAX;
	pr->num = rbuf_u8(&body);
	pr->protocol = rbuf_u8(&body);
	pr->spi_len = rbuf_u8(&body);
	uint8_t n_xf = rbuf_u8(&body);
	if (!spi_size_ok(pr->protocol, pr->spi_len))
		return IKE_E_SYNTAX;
	if (!rbuf_copy(&body, pr->spi, pr->spi_len))
		return IKE_E_SHORT;
	if (n_xf > IKE_MAX_XFORMS)
		return IKE_E_LIMIT;
	for (pr->n_xf = 0; pr->n_xf < n_xf; pr->n_xf++) {
		err = parse_transform(&body, pr->n_xf + 1 == n_xf, &pr->xf[pr->n_xf]);
		if (err)
			return err;
	}
	/* Bytes left over mean Num Transforms understated what is there. */
	return rbuf_left(&body) == 0 ? IKE_OK : IKE_E_SYNTAX;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                          <Proposals>                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * At least one proposal. Proposal numbers start anywhere >= 1 (a response carries the one
 * accepted number) and each following one is one more than the previous (§3.3.1).
 */
int ike_parse_sa(const struct ike_payload *p, struct ike_sa_pl *out)
{
	struct rbuf r;
	int err;

	rbuf_init(&r, p->body, p->len);
	out->n_prop = 0;
	if (rbuf_left(&r) == 0)
		return IKE_E_SYNTAX;
	while (rbuf_left(&r) > 0) {
		if (out->n_prop >= IKE_MAX_PROPOSALS)
			return IKE_E_LIMIT;
		struct ike_proposal *pr = &out->prop[out->n_prop];
		err = parse_proposal(&r, pr);
		if (err)
			return err;
		if (pr->num == 0 ||
		    (out->n_prop > 0 && pr->num != out->prop[out->n_prop - 1].num + 1))
			return IKE_E_SYNTAX;
		out->n_prop++;
	}
	return IKE_OK;
}

static void add_transform(struct ike_builder *b, const struct ike_transform *xf, bool last)
{
	size_t start = b->w.len;

	wbuf_u8(&b->w, last ? XF_LAST : XF_MORE);
	wbuf_u8(&b->w, 0);
	wbuf_u16(&b->w, 0);
	wbuf_u8(&b->w, xf->type);
	wbuf_u8(&b->w, 0);
	wbuf_u16(&b->w, xf->id);
	if (xf->key_bits) {
		wbuf_u16(&b->w, ATTR_TV | XFORM_ATTR_KEY_LENGTH);
		wbuf_u16(&b->w, xf->key_bits);
	}
	wbuf_put_u16_at(&b->w, start + 2, (uint16_t)(b->w.len - start));
}

static int add_proposal(struct ike_builder *b, const struct ike_proposal *pr, uint8_t num,
                        bool last)
{
	size_t start = b->w.len;

	if (pr->spi_len > IKE_MAX_SPI_LEN || pr->n_xf > IKE_MAX_XFORMS)
		return ike_build_fail(b);
	wbuf_u8(&b->w, last ? PROP_LAST : PROP_MORE);
	wbuf_u8(&b->w, 0);
	wbuf_u16(&b->w, 0);
	wbuf_u8(&b->w, num);
	wbuf_u8(&b->w, pr->protocol);
	wbuf_u8(&b->w, pr->spi_len);
	wbuf_u8(&b->w, pr->n_xf);
	wbuf_bytes(&b->w, pr->spi, pr->spi_len);
	for (size_t i = 0; i < pr->n_xf; i++)
		add_transform(b, &pr->xf[i], i + 1 == pr->n_xf);
	size_t len = b->w.len - start;
	if (len > UINT16_MAX)
		return ike_build_fail(b);
	wbuf_put_u16_at(&b->w, start + 2, (uint16_t)len);
	return wbuf_ok(&b->w) ? 0 : -1;
}

/* Proposal numbers are taken from sa (0 means "position + 1"). */
int ike_add_sa(struct ike_builder *b, const struct ike_sa_pl *sa)
{
	if (sa->n_prop == 0 || sa->n_prop > IKE_MAX_PROPOSALS)
		return ike_build_fail(b);
	size_t start = ike_pl_begin(b, PL_SA, false);
	for (size_t i = 0; i < sa->n_prop; i++) {
		const struct ike_proposal *pr = &sa->prop[i];
		uint8_t num = pr->num ? pr->num : (uint8_t)(i + 1);
		if (add_proposal(b, pr, num, i + 1 == sa->n_prop))
			return -1;
	}
	return ike_pl_end(b, start);
}
