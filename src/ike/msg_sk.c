/*
 * Encrypted payloads: SK (RFC 7296 §3.14, AES-GCM per RFC 5282) and SKF (RFC 7383 §2.5).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |  (SKF only)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * CBC + HMAC: the ICV covers the whole message from the IKE header through the Pad Length
 * byte (encrypt-then-MAC). AES-GCM: AAD = IKE header through the end of the SK/SKF header
 * (RFC 5282 §5.1, RFC 7383 §2.5); the tag is the ICV. Padding goes to the algorithm's
 * block_len (16 for CBC; 4 for GCM, where any amount is allowed); pad bytes are zero, which
 * §3.14 permits (any value).
 */
#include "ike/msg_int.h"

#include <string.h>

#define SK_HDR_LEN  4
#define SKF_HDR_LEN 8
#define HDR_LEN_OFF 24
#define CBC_BLOCK   16

struct sk_sizes {
	size_t iv, icv, bs;
	bool aead;
};

/* Sizes of this key set; -1 when the set is inconsistent (AEAD with a MAC, CBC without). */
static int sk_sizes(const struct ike_sk_keys *k, struct sk_sizes *s)
{
	if (!k || !k->encr || !k->cipher)
		return -1;
	if (k->encr->aead) {
		if (k->integ || k->encr->iv_len != 8 || k->encr->icv_len == 0)
			return -1;
		s->icv = k->encr->icv_len;
	} else {
		if (!k->integ || !k->mac || k->encr->iv_len != CBC_BLOCK)
			return -1;
		s->icv = k->integ->icv_len;
	}
	s->aead = k->encr->aead;
	s->iv = k->encr->iv_len;
	s->bs = k->encr->block_len ? k->encr->block_len : 1;
	if (!k->encr->aead && s->bs != CBC_BLOCK)
		return -1;
	return 0;
}

/* Encrypts in place what lies between b->sk_body and the end of the buffer, as the body of
 * the SK/SKF payload at b->sk_off with a hl-byte header, and patches both lengths. */
static int sk_seal(struct ike_builder *b, const struct ike_sk_keys *k, size_t hl)
{
	struct sk_sizes s;

	if (!wbuf_ok(&b->w) || sk_sizes(k, &s))
		return ike_build_fail(b);
	size_t plain_len = b->w.len - b->sk_body;
	size_t pad = (s.bs - (plain_len + 1) % s.bs) % s.bs;
	if (!wbuf_reserve(&b->w, s.iv + pad + 1 + s.icv))
		return -1;
	size_t total = b->w.len;
	if (total > IKE_MAX_MSG || total - b->sk_off > UINT16_MAX)
		return ike_build_fail(b);

	uint8_t *iv = b->w.p + b->sk_body;
	uint8_t *ct = iv + s.iv;
	size_t ct_len = plain_len + pad + 1;
	uint8_t *icv = ct + ct_len;
	memmove(ct, iv, plain_len);
	memset(ct + plain_len, 0, pad);
	ct[ct_len - 1] = (uint8_t)pad;
	wbuf_put_u16_at(&b->w, b->sk_off + 2, (uint16_t)(total - b->sk_off));
	wbuf_put_u32_at(&b->w, HDR_LEN_OFF, (uint32_t)total);
	if (crypto_random(iv, s.iv))
		return ike_build_fail(b);

	int rc;
	if (k->encr->aead) {
		rc = cipher_gcm_seal(k->cipher, iv, b->w.p, b->sk_off + hl, ct, ct_len, icv);
	} else {
		rc = cipher_cbc(k->cipher, iv, ct, ct_len);
		if (rc == 0)
			rc = mac_compute(k->mac, b->w.p, total - s.icv, icv);
	}
	return rc == 0 ? 0 : ike_build_fail(b);
}

int ike_build_sk_begin(struct ike_builder *b)
{
	if (b->in_sk || b->closed)
		return ike_build_fail(b);
	size_t start = ike_pl_begin(b, PL_SK, false);
	if (!wbuf_ok(&b->w))
		return -1;
	b->sk_off = start;
	b->sk_body = b->w.len;
	b->sk_np_off = start;
	b->in_sk = true;
	return 0;
}

int ike_build_sk_end(struct ike_builder *b, const struct ike_sk_keys *k)
{
	if (!b->in_sk)
		return ike_build_fail(b);
	b->in_sk = false;
	b->closed = true;
	return sk_seal(b, k, SK_HDR_LEN);
}

int ike_build_sk_plain(const struct ike_builder *b, const uint8_t **data, size_t *len,
                       uint8_t *first)
{
	if (!b->in_sk || !wbuf_ok(&b->w))
		return -1;
	*data = b->w.p + b->sk_body;
	*len = b->w.len - b->sk_body;
	*first = b->w.p[b->sk_off];
	return 0;
}

size_t ike_sk_overhead(const struct ike_sk_keys *k, uint8_t sk_type)
{
	struct sk_sizes s;

	if (sk_sizes(k, &s))
		return 0;
	size_t hl = sk_type == PL_SKF ? SKF_HDR_LEN : SK_HDR_LEN;
	return IKE_HDR_LEN + hl + s.iv + s.bs + s.icv;
}

size_t ike_skf_max_data(const struct ike_sk_keys *k, size_t msg_size)
{
	size_t over = ike_sk_overhead(k, PL_SKF);

	if (msg_size > IKE_MAX_MSG)
		msg_size = IKE_MAX_MSG;
	return over && msg_size > over ? msg_size - over : 0;
}

int ike_build_skf(uint8_t *buf, size_t cap, const struct ike_hdr *h, uint8_t first, uint16_t num,
                  uint16_t total, const uint8_t *data, size_t len, const struct ike_sk_keys *k)
{
	struct ike_builder b;

	if (num == 0 || total == 0 || num > total)
		return -1;
	ike_build_begin(&b, buf, cap, h);
	size_t start = ike_pl_begin(&b, PL_SKF, false);
	wbuf_u16(&b.w, num);
	wbuf_u16(&b.w, total);
	if (!wbuf_ok(&b.w))
		return -1;
	b.w.p[start] = num == 1 ? first : PL_NONE; /* RFC 7383: only fragment 1 names it */
	b.sk_off = start;
	b.sk_body = b.w.len;
	wbuf_bytes(&b.w, data, len);
	if (sk_seal(&b, k, SKF_HDR_LEN))
		return -1;
	return (int)b.w.len;
}

/* Locates the ciphertext of the SK/SKF payload that ends the message (IV just before it, ICV
 * just after it) and checks its size: at least one block; for CBC a whole number of blocks. */
static int sk_locate(const uint8_t *pkt, size_t len, const struct ike_msg *m,
                     const struct sk_sizes *s, size_t *ct_off, size_t *ct_len)
{
	struct rbuf r;

	if (!m->has_sk || (m->sk_type != PL_SK && m->sk_type != PL_SKF))
		return IKE_E_SYNTAX;
	size_t hl = m->sk_type == PL_SKF ? SKF_HDR_LEN : SK_HDR_LEN;
	rbuf_init(&r, pkt, len);
	rbuf_skip(&r, HDR_LEN_OFF);
	uint32_t msg_len = rbuf_u32(&r);
	if (!rbuf_ok(&r) || msg_len != len || m->sk_off < IKE_HDR_LEN)
		return IKE_E_SHORT;
	rbuf_init(&r, pkt, len);
	rbuf_skip(&r, m->sk_off + 2);
	uint16_t plen = rbuf_u16(&r);
	if (!rbuf_ok(&r) || plen != len - m->sk_off || !rbuf_skip(&r, hl - SK_HDR_LEN + s->iv))
		return IKE_E_SHORT;
	*ct_off = r.off;
	size_t left = rbuf_left(&r);
	if (left < s->icv + s->bs)
		return IKE_E_SHORT;
	*ct_len = left - s->icv;
	if (!s->aead && *ct_len % s->bs != 0)
		return IKE_E_SYNTAX;
	return IKE_OK;
}

int ike_sk_open(uint8_t *pkt, size_t len, const struct ike_msg *m, const struct ike_sk_keys *k,
                uint8_t **plain, size_t *plain_len)
{
	struct sk_sizes s;
	size_t ct_off, ct_len;

	*plain = NULL;
	*plain_len = 0;
	if (sk_sizes(k, &s))
		return IKE_E_CRYPTO;
	int err = sk_locate(pkt, len, m, &s, &ct_off, &ct_len);
	if (err)
		return err;
	uint8_t *ct = pkt + ct_off;
	const uint8_t *iv = ct - s.iv;
	const uint8_t *icv = ct + ct_len;
	if (s.aead) {
		size_t aad_len = ct_off - s.iv; /* IKE header through the SK/SKF header */
		if (cipher_gcm_open(k->cipher, iv, pkt, aad_len, ct, ct_len, icv))
			return IKE_E_INTEGRITY;
	} else {
		/* Encrypt-then-MAC: nothing is decrypted before the ICV has verified. */
		if (!mac_verify(k->mac, pkt, len - s.icv, icv))
			return IKE_E_INTEGRITY;
		if (cipher_cbc(k->cipher, iv, ct, ct_len))
			return IKE_E_CRYPTO;
	}
	size_t pad = ct[ct_len - 1];
	if (pad + 1 > ct_len)
		return IKE_E_SYNTAX;
	*plain = ct;
	*plain_len = ct_len - pad - 1;
	return IKE_OK;
}
