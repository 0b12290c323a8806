/*
 * crypto_int: definitions shared between files of src/crypto only. Nothing outside
 * src/crypto includes this header; the public contract is crypto.h.
 */
#ifndef MGMTSEC_CRYPTO_CRYPTO_INT_H
#define MGMTSEC_CRYPTO_CRYPTO_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"

struct privkey {
	EVP_PKEY *pkey;
};

struct cert {
	X509 *x509;
	uint8_t *der; /* i2d_X509 output, owned (OPENSSL_free) */
	size_t der_len;
};

/* cert.c. A new store of the CA file and optional CRL file, or NULL with a reason in why. */
X509_STORE *cert_store_build(const char *ca_file, const char *crl_file, char *why, size_t why_len);
/* cert_cache.c. A store for the CA file and optional CRL file, reused while neither file
 * changed: a new reference (X509_STORE_free it), or NULL with a reason in why. */
X509_STORE *cert_store_get(const char *ca_file, const char *crl_file, char *why, size_t why_len);
/* The X509 decoded earlier from exactly these DER bytes (a new reference), or NULL. */
X509 *cert_x509_cached(const uint8_t *der, size_t len);
/* Keeps x (its own reference) as what der decodes to. */
void cert_x509_remember(const uint8_t *der, size_t len, X509 *x);

/* OpenSSL group name ("P-256", ...) of a DH descriptor, NULL if unknown. */
const char *crypto_dh_curve(const struct dh_alg *alg);

/* A new HMAC context keyed with key (any length, including 0) for digest md
 * ("SHA256", ...). Caller frees with EVP_MAC_CTX_free. */
EVP_MAC_CTX *crypto_hmac_new(const char *md, const uint8_t *key, size_t key_len);

/* One HMAC over data with a keyed context: re-initialises ctx (same key) first, so the
 * context can be reused. out must hold the full digest (out_size bytes). */
int crypto_hmac_once(EVP_MAC_CTX *ctx, const uint8_t *data, size_t len, uint8_t *out,
                     size_t out_size);

#endif
