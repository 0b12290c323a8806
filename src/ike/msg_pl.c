/*
 * Parsers for the simple payload bodies of RFC 7296 §3.4-3.12 (KE, ID, CERT/CERTREQ, AUTH,
 * Nonce, Notify, Delete, Vendor ID). Each takes a payload found by the chain parser and fills
 * a struct whose pointers borrow the packet buffer.
 */
#include "ike/msg_int.h"

#include <string.h>

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The data length must match the group; that is checked where the group is known (crypto).
 */
int ike_parse_ke(const struct ike_payload *p, struct ike_ke_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->group = rbuf_u16(&r);
	rbuf_skip(&r, 2);
	out->len = rbuf_left(&r);
	out->data = rbuf_ptr(&r, out->len);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	return out->len > 0 ? IKE_OK : IKE_E_SYNTAX;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                            Nonce Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 16 to 256 bytes (§3.9).
 */
int ike_parse_nonce(const struct ike_payload *p, const uint8_t **data, size_t *len)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	*len = rbuf_left(&r);
	*data = rbuf_ptr(&r, *len);
	if (*len < IKE_MIN_NONCE || *len > IKE_MAX_NONCE)
		return IKE_E_SYNTAX;
	return IKE_OK;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Address identities have their exact length; any other type needs at least one byte.
 */
int ike_parse_id(const struct ike_payload *p, struct ike_id_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->raw = p->body;
	out->raw_len = p->len;
	out->type = rbuf_u8(&r);
	rbuf_skip(&r, 3);
	out->len = rbuf_left(&r);
	out->data = rbuf_ptr(&r, out->len);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (out->type == ID_IPV4_ADDR)
		return out->len == 4 ? IKE_OK : IKE_E_SYNTAX;
	if (out->type == ID_IPV6_ADDR)
		return out->len == 16 ? IKE_OK : IKE_E_SYNTAX;
	return out->len > 0 ? IKE_OK : IKE_E_SYNTAX;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Authentication Data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ike_parse_auth(const struct ike_payload *p, struct ike_auth_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->method = rbuf_u8(&r);
	rbuf_skip(&r, 3);
	out->len = rbuf_left(&r);
	out->data = rbuf_ptr(&r, out->len);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	return out->len > 0 ? IKE_OK : IKE_E_SYNTAX;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Protocol ID is not checked: it must be ignored when the SPI is empty (§3.10).
 */
int ike_parse_notify(const struct ike_payload *p, struct ike_notify_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	memset(out->spi, 0, sizeof(out->spi));
	out->protocol = rbuf_u8(&r);
	out->spi_len = rbuf_u8(&r);
	out->type = rbuf_u16(&r);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (out->spi_len > IKE_MAX_SPI_LEN)
		return IKE_E_SYNTAX;
	if (!rbuf_copy(&r, out->spi, out->spi_len))
		return IKE_E_SHORT;
	out->len = rbuf_left(&r);
	out->data = rbuf_ptr(&r, out->len);
	return IKE_OK;
}

/* The Delete payload shapes RFC 7296 section 3.11 allows (described below). */
static bool delete_shape_ok(const struct ike_delete_pl *d)
{
	switch (d->protocol) {
	case PROTO_IKE:
		return d->spi_len == 0 && d->n_spi == 0;
	case PROTO_AH:
	case PROTO_ESP:
		return d->spi_len == 4 && d->n_spi != 0;
	default:
		return false;
	}
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IKE: SPI Size 0 and no SPIs (the IKE SA is the one the message travels in). AH/ESP: SPI Size
 * 4, and Num of SPIs * 4 bytes exactly fill the payload.
 */
int ike_parse_delete(const struct ike_payload *p, struct ike_delete_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->protocol = rbuf_u8(&r);
	out->spi_len = rbuf_u8(&r);
	out->n_spi = rbuf_u16(&r);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (!delete_shape_ok(out))
		return IKE_E_SYNTAX;
	size_t n = (size_t)out->spi_len * out->n_spi;
	out->spis = rbuf_ptr(&r, n);
	if (!out->spis && n)
		return IKE_E_SHORT;
	return rbuf_left(&r) == 0 ? IKE_OK : IKE_E_SYNTAX;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~                       Certificate Data                        ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * CERTREQ has the same shape (Certification Authority = concatenated SHA-1 hashes); it may be
 * empty, a CERT may not.
 */
int ike_parse_cert(const struct ike_payload *p, struct ike_cert_pl *out)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	out->encoding = rbuf_u8(&r);
	out->len = rbuf_left(&r);
	out->data = rbuf_ptr(&r, out->len);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	if (p->type == PL_CERT && out->len == 0)
		return IKE_E_SYNTAX;
	return IKE_OK;
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        Vendor ID (VID)                        ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ike_parse_vendor(const struct ike_payload *p, const uint8_t **data, size_t *len)
{
	struct rbuf r;

	rbuf_init(&r, p->body, p->len);
	*len = rbuf_left(&r);
	*data = rbuf_ptr(&r, *len);
	return *len > 0 ? IKE_OK : IKE_E_SYNTAX;
}
