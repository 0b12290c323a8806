#include "esp/esp.h"

#include <string.h>

#include "crypto/crypto.h"
#include "esp/ipv4.h"
#include "util/buf.h"

static enum esp_drop drop(struct esp_sa *sa, enum esp_drop why)
{
	esp_ctr_add(&sa->ctr.drops[why], 1);
	return why;
}

/* CBC needs an unpredictable IV (RFC 3602 §2): random bytes drawn in batches, since one
 * RNG call per packet costs more than the AES itself at small sizes. GCM needs a unique one:
 * the sequence number (RFC 4106 §3.1). */
static bool next_iv(struct esp_sa *sa, uint64_t seq, uint8_t *iv)
{
	if (sa->test_force_iv) {
		memcpy(iv, sa->test_iv, sa->iv_len);
		return true;
	}
	if (sa->encr->aead) {
		struct wbuf w;
		wbuf_init(&w, iv, 8);
		return wbuf_u64(&w, seq);
	}
	if (sa->iv_pool_next >= ESP_IV_POOL_IVS) {
		if (crypto_random(sa->iv_pool, sizeof(sa->iv_pool)) < 0)
			return false;
		sa->iv_pool_next = 0;
	}
	memcpy(iv, &sa->iv_pool[(size_t)sa->iv_pool_next++ * 16], 16);
	return true;
}

static enum esp_drop check_inner(struct esp_sa *sa, const struct esp_pkt *p)
{
	struct esp_ipv4_info ip;
	if (!esp_ipv4_parse(p->buf + p->off, p->len, &ip))
		return ESP_DROP_INNER;
	if (!esp_in_range(ip.src, sa->ts_local_start, sa->ts_local_end) ||
	    !esp_in_range(ip.dst, sa->ts_remote_start, sa->ts_remote_end))
		return ESP_DROP_SELECTOR;
	return ESP_DROP_NONE;
}

/* pad bytes 1, 2, 3 ... (RFC 4303 §2.4), pad length, next header. */
static void write_trailer(struct esp_sa *sa, uint8_t *t, size_t pad)
{
	for (size_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);
	if (sa->test_bad_pad && pad)
		t[0] ^= 0x80;
	t[pad] = (uint8_t)pad;
	t[pad + 1] = sa->test_next_header ? sa->test_next_header : ESP_NH_IPV4;
}

static bool seal(struct esp_sa *sa, uint8_t *hdr, size_t hdr_len, uint8_t *ct, size_t ct_len)
{
	const uint8_t *iv = hdr + ESP_HDR_LEN;
	if (sa->encr->aead)
		return cipher_gcm_seal(sa->cipher, iv, hdr, ESP_HDR_LEN, ct, ct_len, ct + ct_len) ==
		       0;
	if (cipher_cbc(sa->cipher, iv, ct, ct_len) < 0)
		return false;
	return mac_compute(sa->mac, hdr, hdr_len + ct_len, ct + ct_len) == 0;
}

static bool next_seq(struct esp_sa *sa, uint64_t *seq)
{
	uint64_t s = atomic_load_explicit(&sa->seq, memory_order_relaxed) + 1;
	if (s > UINT32_MAX)
		return false; /* never wrap (RFC 4303 §3.3.3): the SA must be rekeyed */
	atomic_store_explicit(&sa->seq, s, memory_order_relaxed);
	if (s == sa->seq_soft)
		atomic_store(&sa->rekey_due, true);
	*seq = s;
	return true;
}

enum esp_drop esp_encap(struct esp_sa *sa, struct esp_pkt *p)
{
	size_t hdr_len = ESP_HDR_LEN + sa->iv_len;
	size_t inner = p->len;
	size_t ct_len = (inner + 2 + sa->block_len - 1) / sa->block_len * sa->block_len;
	size_t pad = ct_len - inner - 2;
	if (p->off < hdr_len || p->off > p->cap || p->cap - p->off < ct_len + sa->icv_len)
		return drop(sa, ESP_DROP_NO_ROOM);
	enum esp_drop why = sa->test_raw ? ESP_DROP_NONE : check_inner(sa, p);
	if (why != ESP_DROP_NONE)
		return drop(sa, why);
	uint64_t seq;
	if (!next_seq(sa, &seq))
		return drop(sa, ESP_DROP_SEQ_EXHAUSTED);

	uint8_t *hdr = p->buf + p->off - hdr_len;
	uint8_t *ct = p->buf + p->off;
	struct wbuf w;
	wbuf_init(&w, hdr, hdr_len);
	wbuf_u32(&w, sa->spi);
	wbuf_u32(&w, (uint32_t)seq);
	uint8_t *iv = wbuf_reserve(&w, sa->iv_len);
	if (!iv || !next_iv(sa, seq, iv))
		return drop(sa, ESP_DROP_CRYPTO);
	write_trailer(sa, ct + inner, pad);
	if (!seal(sa, hdr, hdr_len, ct, ct_len))
		return drop(sa, ESP_DROP_CRYPTO);
	p->off -= hdr_len;
	p->len = hdr_len + ct_len + sa->icv_len;
	esp_ctr_add(&sa->ctr.packets, 1);
	esp_ctr_add(&sa->ctr.bytes, inner);
	return ESP_DROP_NONE;
}
