#include "esp/esp.h"

#include "crypto/crypto.h"
#include "esp/ipv4.h"
#include "util/buf.h"

static enum esp_drop drop(struct esp_sa *sa, enum esp_drop why)
{
	esp_ctr_add(&sa->ctr.drops[why], 1);
	return why;
}

bool esp_peek_hdr(const struct esp_pkt *p, uint32_t *spi, uint32_t *seq)
{
	struct rbuf r;
	rbuf_init(&r, p->buf + p->off, p->len);
	*spi = rbuf_u32(&r);
	*seq = rbuf_u32(&r);
	return rbuf_ok(&r);
}

/* The parts of a received ESP packet, located by the bounds-checked reader. */
struct esp_parts {
	uint32_t spi, seq;
	const uint8_t *hdr, *iv, *icv;
	uint8_t *ct; /* decrypted in place */
	size_t ct_len;
};

static bool split(const struct esp_sa *sa, const struct esp_pkt *p, struct esp_parts *e)
{
	struct rbuf r;
	rbuf_init(&r, p->buf + p->off, p->len);
	e->hdr = p->buf + p->off;
	e->spi = rbuf_u32(&r);
	e->seq = rbuf_u32(&r);
	e->iv = rbuf_ptr(&r, sa->iv_len);
	/* CBC: at least one block; GCM: at least pad length + next header, 4-aligned. */
	size_t min_ct = sa->encr->aead ? 4 : sa->block_len;
	if (!rbuf_ok(&r) || rbuf_left(&r) < min_ct + sa->icv_len)
		return false;
	e->ct_len = rbuf_left(&r) - sa->icv_len;
	if (e->ct_len % sa->block_len)
		return false;
	/* In-place decryption: the reader hands out const views of the caller's writable buffer. */
	e->ct = (uint8_t *)rbuf_ptr(&r, e->ct_len);
	e->icv = rbuf_ptr(&r, sa->icv_len);
	return rbuf_ok(&r);
}

static bool open_payload(struct esp_sa *sa, struct esp_parts *e)
{
	if (sa->encr->aead)
		return cipher_gcm_open(sa->cipher, e->iv, e->hdr, ESP_HDR_LEN, e->ct, e->ct_len,
		                       e->icv) == 0;
	size_t auth_len = ESP_HDR_LEN + sa->iv_len + e->ct_len;
	if (!mac_verify(sa->mac, e->hdr, auth_len, e->icv))
		return false;
	return cipher_cbc(sa->cipher, e->iv, e->ct, e->ct_len) == 0;
}

/* Pad length, pad bytes 1..n and next header; sets the inner length. */
static enum esp_drop check_trailer(const struct esp_parts *e, size_t *inner_len)
{
	uint8_t nh = e->ct[e->ct_len - 1];
	size_t pad = e->ct[e->ct_len - 2];
	if (pad + 2 > e->ct_len)
		return ESP_DROP_PAD;
	*inner_len = e->ct_len - 2 - pad;
	uint8_t bad = 0;
	for (size_t i = 0; i < pad; i++)
		bad |= e->ct[*inner_len + i] ^ (uint8_t)(i + 1);
	if (bad)
		return ESP_DROP_PAD;
	if (nh == ESP_NH_DUMMY)
		return ESP_DROP_DUMMY;
	return nh == ESP_NH_IPV4 ? ESP_DROP_NONE : ESP_DROP_INNER;
}

static enum esp_drop check_inner(const struct esp_sa *sa, const uint8_t *p, size_t len,
                                 size_t *total_len)
{
	struct esp_ipv4_info ip;
	if (!esp_ipv4_parse(p, len, &ip))
		return ESP_DROP_INNER;
	if (!esp_in_range(ip.src, sa->ts_remote_start, sa->ts_remote_end) ||
	    !esp_in_range(ip.dst, sa->ts_local_start, sa->ts_local_end))
		return ESP_DROP_SELECTOR;
	*total_len = ip.total_len;
	return ESP_DROP_NONE;
}

enum esp_drop esp_decap(struct esp_sa *sa, struct esp_pkt *p)
{
	struct esp_parts e;
	if (!split(sa, p, &e))
		return drop(sa, ESP_DROP_SHORT);
	if (e.spi != sa->spi)
		return drop(sa, ESP_DROP_NO_SA);
	if (!esp_replay_check(&sa->replay, e.seq))
		return drop(sa, ESP_DROP_REPLAY);
	if (!open_payload(sa, &e))
		return drop(sa, ESP_DROP_ICV);
	size_t inner_len, total_len = 0;
	enum esp_drop why = check_trailer(&e, &inner_len);
	if (why == ESP_DROP_NONE)
		why = check_inner(sa, e.ct, inner_len, &total_len);
	/* Authentic packets move the window even when dropped (dummy, bad inner): they are not
	 * replays, and a later copy of them must be recognised as one. */
	if (!esp_replay_update(&sa->replay, e.seq))
		return drop(sa, ESP_DROP_REPLAY);
	if (why != ESP_DROP_NONE)
		return drop(sa, why);
	p->off += (size_t)(e.ct - e.hdr);
	p->len = total_len; /* anything after total length is TFC padding (RFC 4303 §2.7) */
	esp_ctr_add(&sa->ctr.packets, 1);
	esp_ctr_add(&sa->ctr.bytes, total_len);
	return ESP_DROP_NONE;
}
