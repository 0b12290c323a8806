/*
 * IKE header parsing (RFC 7296 §3.1), whole-message parsing and error names.
 */
#include "ike/msg.h"
#include "ike/msg_int.h"

#include <string.h>

const char *ike_parse_err_name(int err)
{
	switch (err) {
	case IKE_OK:
		return "ok";
	case IKE_E_SHORT:
		return "truncated";
	case IKE_E_SYNTAX:
		return "invalid syntax";
	case IKE_E_VERSION:
		return "unsupported major version";
	case IKE_E_CRITICAL:
		return "unsupported critical payload";
	case IKE_E_LIMIT:
		return "too many elements";
	case IKE_E_INTEGRITY:
		return "integrity check failed";
	case IKE_E_CRYPTO:
		return "crypto failure";
	default:
		return "unknown error";
	}
}

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ike_hdr_parse(const uint8_t *pkt, size_t len, struct ike_hdr *h)
{
	struct rbuf r;

	rbuf_init(&r, pkt, len);
	rbuf_copy(&r, h->spi_i, sizeof(h->spi_i));
	rbuf_copy(&r, h->spi_r, sizeof(h->spi_r));
	h->next_payload = rbuf_u8(&r);
	h->version = rbuf_u8(&r);
	h->exchange = rbuf_u8(&r);
	h->flags = rbuf_u8(&r);
	h->msg_id = rbuf_u32(&r);
	h->length = rbuf_u32(&r);
	if (!rbuf_ok(&r))
		return IKE_E_SHORT;
	/* Version first: a v1 or v3 peer gets INVALID_MAJOR_VERSION whatever else is wrong. */
	if ((h->version >> 4) != (IKE_VERSION >> 4))
		return IKE_E_VERSION;
	if (h->length < IKE_HDR_LEN || h->length > len)
		return IKE_E_SHORT;
	return IKE_OK;
}

int ike_msg_parse(const uint8_t *pkt, size_t len, struct ike_msg *m)
{
	struct rbuf r;
	int err;

	memset(m, 0, sizeof(*m));
	err = ike_hdr_parse(pkt, len, &m->hdr);
	if (err)
		return err;
	if (m->hdr.length != len)
		return IKE_E_SHORT;
	rbuf_init(&r, pkt, len);
	rbuf_skip(&r, IKE_HDR_LEN);
	return ike_chain_parse_r(&r, m->hdr.next_payload, m, true);
}

const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type)
{
	for (size_t i = 0; i < m->n_pl && i < IKE_MAX_PAYLOADS; i++) {
		if (m->pl[i].type == type)
			return &m->pl[i];
	}
	return NULL;
}
