/*
 * Fixed SK test keys shared by fuzz_ike_sk.c and gen_corpus.c, so that seed messages sealed by
 * the generator open in the harness. Test material only: derived from the algorithm index.
 */
#ifndef MGMTSEC_FUZZ_KEYS_H
#define MGMTSEC_FUZZ_KEYS_H

#include <string.h>

#include "ike/msg.h"

static const struct {
	uint16_t encr, bits, integ;
} fuzz_algs[] = {
    {ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96},      {ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128},
    {ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_384_192}, {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256},
    {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128}, {ENCR_AES_GCM_16, 128, AUTH_NONE},
    {ENCR_AES_GCM_16, 256, AUTH_NONE},
};
#define FUZZ_N_ALGS (sizeof(fuzz_algs) / sizeof(fuzz_algs[0]))

/* Fills the encrypting (out) and decrypting (in) key sets of algorithm a. Returns -1 on
 * failure. The contexts live for the whole process. */
static inline int fuzz_keys(size_t a, struct ike_sk_keys *out, struct ike_sk_keys *in)
{
	uint8_t ek[64], ik[64];

	for (size_t i = 0; i < sizeof(ek); i++) {
		ek[i] = (uint8_t)(0x40 + a + i);
		ik[i] = (uint8_t)(0x80 + a + i);
	}
	memset(out, 0, sizeof(*out));
	memset(in, 0, sizeof(*in));
	out->encr = in->encr = crypto_encr(fuzz_algs[a].encr, fuzz_algs[a].bits);
	if (!out->encr)
		return -1;
	out->cipher = cipher_new(out->encr, ek, out->encr->key_len, true);
	in->cipher = cipher_new(in->encr, ek, in->encr->key_len, false);
	if (fuzz_algs[a].integ != AUTH_NONE) {
		out->integ = in->integ = crypto_integ(fuzz_algs[a].integ);
		if (!out->integ)
			return -1;
		out->mac = mac_new(out->integ, ik, out->integ->key_len);
		in->mac = mac_new(in->integ, ik, in->integ->key_len);
		if (!out->mac || !in->mac)
			return -1;
	}
	return out->cipher && in->cipher ? 0 : -1;
}

#endif
