/*
 * tables: algorithm descriptors keyed by IKEv2 transform IDs (IANA "IKEv2 Transform Type"
 * registries). Names are what the show commands print; OpenSSL names live next to them so
 * no other file needs to map IDs to EVP algorithms.
 */
#include "crypto/crypto_int.h"

#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 3602 (CBC, 16-byte IV, integrity separate); RFC 4106 (GCM, 8-byte explicit IV, 4-byte
 * salt taken from the keying material, 16-byte ICV). GCM with 192-bit keys is not offered. */
static const struct encr_alg encr_table[] = {
    {ENCR_AES_CBC, 128, 16, 16, 16, 0, false, "AES-CBC", "ESP_128_AES"},
    {ENCR_AES_CBC, 192, 24, 16, 16, 0, false, "AES-CBC", "ESP_192_AES"},
    {ENCR_AES_CBC, 256, 32, 16, 16, 0, false, "AES-CBC", "ESP_256_AES"},
    {ENCR_AES_GCM_16, 128, 16 + 4, 8, 4, 16, true, "AES-GCM", "ESP_GCM_128"},
    {ENCR_AES_GCM_16, 256, 32 + 4, 8, 4, 16, true, "AES-GCM", "ESP_GCM_256"},
};

/* RFC 2404 (SHA1-96) and RFC 4868 §2.1.1: key length = hash output, ICV = half of it. */
static const struct integ_alg integ_table[] = {
    {AUTH_HMAC_SHA1_96, 20, 12, "SHA1", "HMAC_SHA1", "SHA1"},
    {AUTH_HMAC_SHA2_256_128, 32, 16, "SHA256", "HMAC_SHA_256", "SHA256"},
    {AUTH_HMAC_SHA2_384_192, 48, 24, "SHA384", "HMAC_SHA_384", "SHA384"},
    {AUTH_HMAC_SHA2_512_256, 64, 32, "SHA512", "HMAC_SHA_512", "SHA512"},
};

static const struct prf_alg prf_table[] = {
    {PRF_HMAC_SHA1, 20, "SHA1", "SHA1"},
    {PRF_HMAC_SHA2_256, 32, "SHA256", "SHA256"},
    {PRF_HMAC_SHA2_384, 48, "SHA384", "SHA384"},
    {PRF_HMAC_SHA2_512, 64, "SHA512", "SHA512"},
};

/* RFC 5903 §7: public value x || y, shared secret x, each ceil(bits / 8) bytes. */
static const struct dh_alg dh_table[] = {
    {DH_ECP_256, 64, 32, "ECP-256"},
    {DH_ECP_384, 96, 48, "ECP-384"},
    {DH_ECP_521, 132, 66, "ECP-521"},
};

const struct encr_alg *crypto_encr(uint16_t id, uint16_t key_bits)
{
	for (size_t i = 0; i < ARRAY_LEN(encr_table); i++) {
		if (encr_table[i].id == id && encr_table[i].key_bits == key_bits)
			return &encr_table[i];
	}
	return NULL;
}

const struct integ_alg *crypto_integ(uint16_t id)
{
	for (size_t i = 0; i < ARRAY_LEN(integ_table); i++) {
		if (integ_table[i].id == id)
			return &integ_table[i];
	}
	return NULL;
}

const struct prf_alg *crypto_prf(uint16_t id)
{
	for (size_t i = 0; i < ARRAY_LEN(prf_table); i++) {
		if (prf_table[i].id == id)
			return &prf_table[i];
	}
	return NULL;
}

const struct dh_alg *crypto_dh(uint16_t id)
{
	for (size_t i = 0; i < ARRAY_LEN(dh_table); i++) {
		if (dh_table[i].id == id)
			return &dh_table[i];
	}
	return NULL;
}

const char *crypto_dh_curve(const struct dh_alg *alg)
{
	switch (alg->id) {
	case DH_ECP_256:
		return "P-256";
	case DH_ECP_384:
		return "P-384";
	case DH_ECP_521:
		return "P-521";
	}
	return NULL;
}
