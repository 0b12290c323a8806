/*
 * Message builder (msg.h): header, payload framing with back-patched next-payload and length
 * fields, and the builders of the simple payloads. SA is in msg_sa.c, TS in msg_ts.c, SK/SKF
 * protection in msg_sk.c.
 */
#include "ike/msg_int.h"

#include <string.h>

#define HDR_NP_OFF  16 /* next payload byte of the IKE header */
#define HDR_LEN_OFF 24

int ike_build_fail(struct ike_builder *b)
{
	b->w.err = true;
	return -1;
}

void ike_build_begin(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	memset(b, 0, sizeof(*b));
	wbuf_init(&b->w, buf, cap);
	wbuf_bytes(&b->w, h->spi_i, sizeof(h->spi_i));
	wbuf_bytes(&b->w, h->spi_r, sizeof(h->spi_r));
	wbuf_u8(&b->w, PL_NONE); /* patched by the first payload */
	wbuf_u8(&b->w, h->version ? h->version : IKE_VERSION);
	wbuf_u8(&b->w, h->exchange);
	wbuf_u8(&b->w, h->flags);
	wbuf_u32(&b->w, h->msg_id);
	wbuf_u32(&b->w, 0); /* length, patched at the end */
	b->np_off = HDR_NP_OFF;
}

size_t ike_pl_begin(struct ike_builder *b, uint8_t type, bool critical)
{
	size_t start = b->w.len;

	if (b->closed || b->np_off >= b->w.len) {
		ike_build_fail(b);
		return start;
	}
	if (wbuf_ok(&b->w))
		b->w.p[b->np_off] = type;
	wbuf_u8(&b->w, PL_NONE);
	wbuf_u8(&b->w, critical ? IKE_PL_CRITICAL : 0);
	wbuf_u16(&b->w, 0);
	b->np_off = start;
	return start;
}

int ike_pl_end(struct ike_builder *b, size_t start)
{
	size_t len = b->w.len - start;

	if (!wbuf_ok(&b->w) || len > UINT16_MAX)
		return ike_build_fail(b);
	wbuf_put_u16_at(&b->w, start + 2, (uint16_t)len);
	return wbuf_ok(&b->w) ? 0 : -1;
}

int ike_build_end(struct ike_builder *b)
{
	if (b->in_sk || !wbuf_ok(&b->w) || b->w.len > IKE_MAX_MSG)
		return ike_build_fail(b);
	wbuf_put_u32_at(&b->w, HDR_LEN_OFF, (uint32_t)b->w.len);
	return wbuf_ok(&b->w) ? (int)b->w.len : -1;
}

int ike_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body, size_t len)
{
	size_t start = ike_pl_begin(b, type, critical);
	wbuf_bytes(&b->w, body, len);
	return ike_pl_end(b, start);
}

/* type(1 or 2 bytes) + RESERVED + data: the common shape of KE, ID and AUTH. */
static int add_typed(struct ike_builder *b, uint8_t pl_type, uint16_t v, bool v16,
                     const uint8_t *data, size_t len)
{
	size_t start = ike_pl_begin(b, pl_type, false);
	if (v16) {
		wbuf_u16(&b->w, v);
		wbuf_zero(&b->w, 2);
	} else {
		wbuf_u8(&b->w, (uint8_t)v);
		wbuf_zero(&b->w, 3);
	}
	wbuf_bytes(&b->w, data, len);
	return ike_pl_end(b, start);
}

int ike_add_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	return add_typed(b, PL_KE, group, true, data, len);
}

int ike_add_id(struct ike_builder *b, uint8_t pl_type, uint8_t id_type, const uint8_t *data,
               size_t len)
{
	if (pl_type != PL_IDI && pl_type != PL_IDR)
		return ike_build_fail(b);
	return add_typed(b, pl_type, id_type, false, data, len);
}

int ike_add_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	return add_typed(b, PL_AUTH, method, false, data, len);
}

int ike_add_nonce(struct ike_builder *b, const uint8_t *data, size_t len)
{
	if (len < IKE_MIN_NONCE || len > IKE_MAX_NONCE)
		return ike_build_fail(b);
	return ike_add_raw(b, PL_NONCE, false, data, len);
}

int ike_add_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_len,
                   uint16_t type, const uint8_t *data, size_t len)
{
	if (spi_len > IKE_MAX_SPI_LEN)
		return ike_build_fail(b);
	size_t start = ike_pl_begin(b, PL_NOTIFY, false);
	wbuf_u8(&b->w, protocol);
	wbuf_u8(&b->w, spi_len);
	wbuf_u16(&b->w, type);
	wbuf_bytes(&b->w, spi, spi_len);
	wbuf_bytes(&b->w, data, len);
	return ike_pl_end(b, start);
}

int ike_add_delete(struct ike_builder *b, uint8_t protocol, uint8_t spi_len, const uint8_t *spis,
                   uint16_t n_spi)
{
	size_t start = ike_pl_begin(b, PL_DELETE, false);
	wbuf_u8(&b->w, protocol);
	wbuf_u8(&b->w, spi_len);
	wbuf_u16(&b->w, n_spi);
	wbuf_bytes(&b->w, spis, (size_t)spi_len * n_spi);
	return ike_pl_end(b, start);
}

int ike_add_cert(struct ike_builder *b, uint8_t pl_type, uint8_t encoding, const uint8_t *data,
                 size_t len)
{
	if (pl_type != PL_CERT && pl_type != PL_CERTREQ)
		return ike_build_fail(b);
	size_t start = ike_pl_begin(b, pl_type, false);
	wbuf_u8(&b->w, encoding);
	wbuf_bytes(&b->w, data, len);
	return ike_pl_end(b, start);
}

int ike_add_vendor(struct ike_builder *b, const uint8_t *data, size_t len)
{
	return ike_add_raw(b, PL_VENDOR, false, data, len);
}
