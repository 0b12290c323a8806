/*
 * OpenSSL does much of its set-up on first use: reading openssl.cnf, seeding the DRBG,
 * fetching each algorithm's implementation, building each curve's tables. Without a warm-up
 * the first tunnel after start pays all of it (several ms, several MB) inside its IKE exchange.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "util/chunk.h"

static void warm_dh(uint16_t id)
{
	const struct dh_alg *a = crypto_dh(id);
	struct dh *x = a ? dh_new(a) : NULL, *y = a ? dh_new(a) : NULL;
	uint8_t pub[256];
	struct chunk s = CHUNK_EMPTY;
	if (x && y && a->pub_len <= sizeof(pub) && dh_public(y, pub, a->pub_len) == 0)
		(void)dh_derive(x, pub, a->pub_len, &s);
	chunk_clear(&s);
	dh_free(x);
	dh_free(y);
}

void crypto_warmup(void)
{
	static const uint16_t dh[] = {DH_ECP_256, DH_ECP_384, DH_ECP_521};
	static const uint16_t prfs[] = {PRF_HMAC_SHA1, PRF_HMAC_SHA2_256, PRF_HMAC_SHA2_384,
	                                PRF_HMAC_SHA2_512};
	static const uint16_t integ[] = {AUTH_HMAC_SHA1_96, AUTH_HMAC_SHA2_256_128,
	                                 AUTH_HMAC_SHA2_384_192, AUTH_HMAC_SHA2_512_256};
	uint8_t key[64] = {0}, buf[64] = {0}, out[64], iv[16] = {0};

	(void)crypto_random(buf, sizeof(buf));
	(void)crypto_sha1(buf, sizeof(buf), out);
	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++)
		warm_dh(dh[i]);
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++) {
		const struct prf_alg *p = crypto_prf(prfs[i]);
		if (p)
			(void)prf(p, key, p->out_len, buf, sizeof(buf), out);
	}
	for (size_t i = 0; i < sizeof(integ) / sizeof(integ[0]); i++) {
		const struct integ_alg *a = crypto_integ(integ[i]);
		struct mac *m = a ? mac_new(a, key, a->key_len) : NULL;
		if (m)
			(void)mac_compute(m, buf, sizeof(buf), out);
		mac_free(m);
	}
	for (int gcm = 0; gcm < 2; gcm++) {
		const struct encr_alg *a = crypto_encr(gcm ? ENCR_AES_GCM_16 : ENCR_AES_CBC, 256);
		struct cipher *c = a ? cipher_new(a, key, a->key_len, true) : NULL;
		if (c && gcm)
			(void)cipher_gcm_seal(c, iv, buf, 8, buf, 16, out);
		else if (c)
			(void)cipher_cbc(c, iv, buf, 16);
		cipher_free(c);
	}
	memset(out, 0, sizeof(out));
}
