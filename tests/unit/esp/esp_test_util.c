#include "esp_test_util.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

const struct xform test_xforms[] = {
    {"aes128-sha1", ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96},
    {"aes128-sha256", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128},
    {"aes128-sha384", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_384_192},
    {"aes128-sha512", ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_512_256},
    {"aes192-sha1", ENCR_AES_CBC, 192, AUTH_HMAC_SHA1_96},
    {"aes192-sha256", ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_256_128},
    {"aes192-sha384", ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_384_192},
    {"aes192-sha512", ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_512_256},
    {"aes256-sha1", ENCR_AES_CBC, 256, AUTH_HMAC_SHA1_96},
    {"aes256-sha256", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128},
    {"aes256-sha384", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_384_192},
    {"aes256-sha512", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256},
    {"aes128gcm16", ENCR_AES_GCM_16, 128, AUTH_NONE},
    {"aes256gcm16", ENCR_AES_GCM_16, 256, AUTH_NONE},
};
const size_t test_n_xforms = sizeof(test_xforms) / sizeof(test_xforms[0]);

int test_params(struct esp_sa_params *p, const struct xform *x, uint32_t spi, int inbound,
                uint8_t seed)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->inbound = inbound;
	p->tunnel_id = 1;
	p->encr = crypto_encr(x->encr, x->bits);
	p->integ = x->integ ? crypto_integ(x->integ) : NULL;
	if (!p->encr || (x->integ && !p->integ))
		return -1;
	for (size_t i = 0; i < ESP_MAX_KEY; i++) {
		p->encr_key[i] = (uint8_t)(seed + i);
		p->integ_key[i] = (uint8_t)(seed * 3 + i);
	}
	/* "local" is our side: for A's outbound SA that is A, for B's inbound SA that is B. */
	uint32_t a = inbound ? B_IN : A_IN, b = inbound ? A_IN : B_IN;
	p->ts_local_start = p->ts_local_end = a;
	p->ts_remote_start = p->ts_remote_end = b;
	return 0;
}

size_t test_ipv4(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t salt)
{
	struct wbuf w;
	wbuf_init(&w, p, len);
	wbuf_u8(&w, 0x45);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, (uint16_t)len);
	wbuf_u32(&w, 0x12344000); /* id, DF */
	wbuf_u8(&w, 64);
	wbuf_u8(&w, 17);
	wbuf_u16(&w, 0); /* checksum: not checked by the data plane */
	wbuf_u32(&w, src);
	wbuf_u32(&w, dst);
	for (size_t i = 20; i < len; i++)
		wbuf_u8(&w, (uint8_t)(i * 7 + salt));
	return wbuf_ok(&w) ? len : 0;
}

int test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}
