/*
 * crypto: the only part of mgmtsec that talks to OpenSSL (3.x, EVP only).
 *
 * Algorithms are described by static tables keyed by IKEv2 transform IDs (RFC 7296 §3.3.2,
 * IANA "IKEv2 Transform Type N" registries). ike/ and esp/ look algorithms up here and use
 * contexts created once per SA; per packet only the IV/nonce changes.
 *
 * Ownership: every *_new() result is owned by the caller and released with the matching
 * *_free() (NULL-safe), which wipes key material. Key bytes passed in are copied; callers
 * wipe their own copies. Functions return 0 on success and -1 on failure unless stated.
 */
#ifndef MGMTSEC_CRYPTO_CRYPTO_H
#define MGMTSEC_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/chunk.h"

/* ---- IKEv2 transform IDs (wire numbers) ---- */
enum xform_type {
	XFORM_ENCR = 1,
	XFORM_PRF = 2,
	XFORM_INTEG = 3,
	XFORM_DH = 4,
	XFORM_ESN = 5,
};

enum encr_id {
	ENCR_AES_CBC = 12,
	ENCR_AES_GCM_16 = 20,
};

enum prf_id {
	PRF_HMAC_SHA1 = 2,
	PRF_HMAC_SHA2_256 = 5,
	PRF_HMAC_SHA2_384 = 6,
	PRF_HMAC_SHA2_512 = 7,
};

enum integ_id {
	AUTH_NONE = 0,
	AUTH_HMAC_SHA1_96 = 2,
	AUTH_HMAC_SHA2_256_128 = 12,
	AUTH_HMAC_SHA2_384_192 = 13,
	AUTH_HMAC_SHA2_512_256 = 14,
};

enum dh_id {
	DH_NONE = 0,
	DH_ECP_256 = 19,
	DH_ECP_384 = 20,
	DH_ECP_521 = 21,
};

/* Transform attribute type for the key length (TV format, RFC 7296 §3.3.5). */
#define XFORM_ATTR_KEY_LENGTH 14

/* ---- algorithm descriptors (static, never freed) ---- */
struct encr_alg {
	uint16_t id;       /* enum encr_id */
	uint16_t key_bits; /* AES key size: 128/192/256 */
	size_t
	    key_len; /* keying material taken from prf+/KEYMAT: AES key, plus 4-byte salt for GCM */
	size_t iv_len;    /* explicit IV on the wire: 16 for CBC, 8 for GCM */
	size_t block_len; /* padding unit: 16 for CBC, 4 for GCM (RFC 4303 §2.4 minimum) */
	size_t icv_len;   /* AEAD tag: 16 for GCM, 0 for CBC (integrity comes separately) */
	bool aead;
	const char *name;     /* IKE show name, e.g. "AES-CBC", "AES-GCM" */
	const char *esp_name; /* show ipsec sa name, e.g. "ESP_256_AES", "ESP_GCM_256" */
};

struct integ_alg {
	uint16_t id;      /* enum integ_id */
	size_t key_len;   /* HMAC key length = hash output length (RFC 4868 §2.1.1, RFC 2404) */
	size_t icv_len;   /* truncated output: 12 / 16 / 24 / 32 */
	const char *name; /* "SHA1", "SHA256", ... (IKE show) */
	const char *esp_name; /* "HMAC_SHA1", "HMAC_SHA_256", ... (show ipsec sa) */
	const char *md;       /* OpenSSL digest name */
};

struct prf_alg {
	uint16_t id;      /* enum prf_id */
	size_t out_len;   /* hash output length; also the preferred key length */
	const char *name; /* "SHA1", "SHA256", ... */
	const char *md;
};

struct dh_alg {
	uint16_t id;       /* enum dh_id */
	size_t pub_len;    /* x || y, RFC 5903: 64 / 96 / 132 */
	size_t secret_len; /* x coordinate: 32 / 48 / 66 */
	const char *name;  /* "ECP-256" ... */
};

/* key_bits is the Key Length attribute (0 when absent, which is invalid for AES). NULL if unknown.
 */
const struct encr_alg *crypto_encr(uint16_t id, uint16_t key_bits);
const struct integ_alg *crypto_integ(uint16_t id);
const struct prf_alg *crypto_prf(uint16_t id);
const struct dh_alg *crypto_dh(uint16_t id);

/* ---- plain hash ---- */
/* SHA-1 of data (RFC 7296 §2.23 NAT detection hashes). Added by the IKE engine. */
int crypto_sha1(const void *data, size_t len, uint8_t out[20]);

/* ---- randomness ---- */
/* OpenSSL's DRBG; requests up to 64 bytes come from a per-thread pool (see rand.c), which a
 * forked child empties. 0, or -1 if OpenSSL fails. */
int crypto_random(void *out, size_t len);

/* Runs every algorithm once so that OpenSSL's one-time set-up (configuration, DRBG seeding,
 * implementation fetches, curve tables) happens at start, not in the first IKE exchange. */
void crypto_warmup(void);

/* ---- ciphers (one context per SA and direction; IV per call) ----
 * The key schedule is set up once in cipher_new; each call only installs the new IV. A context
 * must not be used by two threads at once (callers serialise per SA direction).
 * An encrypt context encrypts/seals, a decrypt context decrypts/opens; using a CBC context for
 * GCM or the reverse, or sealing with a decrypt context, returns -1. */
struct cipher;
/* key: exactly alg->key_len bytes (for GCM the last 4 bytes are the salt), else NULL. */
struct cipher *cipher_new(const struct encr_alg *alg, const uint8_t *key, size_t key_len,
                          bool encrypt);
void cipher_free(struct cipher *c);
/* AES-CBC in place; len must be a multiple of 16; no padding is added or removed. */
int cipher_cbc(struct cipher *c, const uint8_t iv[16], uint8_t *data, size_t len);
/* AES-GCM (RFC 4106 / RFC 5282): nonce = salt(4) || iv(8). In place.
 * seal writes alg->icv_len tag bytes to tag; open returns -1 if the tag does not verify
 * (checked by OpenSSL in constant time) and then data content is unspecified. */
int cipher_gcm_seal(struct cipher *c, const uint8_t iv[8], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, uint8_t *tag);
int cipher_gcm_open(struct cipher *c, const uint8_t iv[8], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, const uint8_t *tag);

/* ---- integrity (HMAC, truncated per RFC 4868 / RFC 2404) ----
 * Keyed once; per call the keyed HMAC state is re-initialised (no allocation). One struct mac
 * must not be used by two threads at once. */
struct mac;
/* key: exactly alg->key_len bytes, else NULL. */
struct mac *mac_new(const struct integ_alg *alg, const uint8_t *key, size_t key_len);
void mac_free(struct mac *m);
/* out receives alg->icv_len bytes. */
int mac_compute(struct mac *m, const uint8_t *data, size_t len, uint8_t *out);
/* Constant-time comparison of the truncated ICV. Returns true when it matches. */
bool mac_verify(struct mac *m, const uint8_t *data, size_t len, const uint8_t *icv);

/* ---- PRF and prf+ (RFC 7296 §2.13) ---- */
/* out receives alg->out_len bytes. Any key length is allowed (HMAC). */
int prf(const struct prf_alg *alg, const uint8_t *key, size_t key_len, const uint8_t *data,
        size_t data_len, uint8_t *out);
/* prf+(K, S) = T1 | T2 | ... truncated to out_len bytes; out_len <= 255 * alg->out_len. */
int prf_plus(const struct prf_alg *alg, const uint8_t *key, size_t key_len, const uint8_t *seed,
             size_t seed_len, uint8_t *out, size_t out_len);

/* ---- ECDH, groups 19/20/21 (RFC 5903 encodings) ---- */
struct dh;
/* Generates a fresh key pair. */
struct dh *dh_new(const struct dh_alg *alg);
void dh_free(struct dh *d);
/* A second handle on d's key pair, for another thread to use while the first stays idle; the
 * key is freed (and its scalar cleared) with the last handle. NULL on failure. */
struct dh *dh_ref(struct dh *d);
/* True when a and b are handles on the same key pair. */
bool dh_same(const struct dh *a, const struct dh *b);
const struct dh_alg *dh_alg_of(const struct dh *d);
/* Writes our public value (x || y, alg->pub_len bytes). */
int dh_public(const struct dh *d, uint8_t *out, size_t out_len);
/* Validates the peer's public value (exactly alg->pub_len bytes, x || y without the 0x04
 * prefix; on the curve, coordinates in range, not infinity) and derives the shared secret
 * (x coordinate, alg->secret_len bytes, left-padded) into secret (a new chunk, owned by the
 * caller, chunk_clear it). On failure secret is left empty. */
int dh_derive(struct dh *d, const uint8_t *peer_pub, size_t peer_len, struct chunk *secret);
/* dh_derive's validation alone: 0 when the peer's value would be accepted. */
int dh_peer_check(const struct dh_alg *alg, const uint8_t *peer_pub, size_t peer_len);
/* For known-answer tests only: a key pair from a given private scalar (big-endian). */
struct dh *dh_new_from_private(const struct dh_alg *alg, const uint8_t *priv, size_t priv_len);

/* ---- signatures and certificates (RSA; RFC 7296 method 1, RFC 7427 method 14) ---- */
enum sig_scheme {
	SIG_RSA_PKCS1_SHA1 = 1, /* IKEv2 auth method 1 */
	SIG_RSA_PKCS1_SHA256,
	SIG_RSA_PKCS1_SHA384,
	SIG_RSA_PKCS1_SHA512,
	SIG_RSA_PSS_SHA256,
	SIG_RSA_PSS_SHA384,
	SIG_RSA_PSS_SHA512,
};

struct privkey;
struct cert;
struct privkey *privkey_load_pem(const char *path);
void privkey_free(struct privkey *k);
/* Another reference to the same key (freed with privkey_free): a signing job on another thread
 * keeps the key alive whatever happens to the configuration meanwhile. NULL on failure. */
struct privkey *privkey_ref(const struct privkey *k);
struct cert *cert_load_pem(const char *path);
struct cert *cert_from_der(const uint8_t *der, size_t len);
void cert_free(struct cert *c);
/* DER of the certificate, for a CERT payload. Returns a pointer valid while c lives. */
const uint8_t *cert_der(const struct cert *c, size_t *len);
/* SHA-1 of the certificate's SubjectPublicKeyInfo (CERTREQ authority hashes, RFC 7296 §3.7). */
int cert_spki_sha1(const struct cert *c, uint8_t out[20]);
/* Subject DN as DER (a new chunk), and as a one-line text ("C=US, O=Example, CN=host",
 * RFC 2253 escaping, ", " between RDNs); the text form returns -1 if out_len is too small. */
int cert_subject_der(const struct cert *c, struct chunk *out);
int cert_subject_text(const struct cert *c, char *out, size_t out_len);
/* True if the certificate names this IPv4 address (network order) or DNS name in subjectAltName.
 * DNS names match exactly (case-insensitive, no wildcards); the subject CN is not consulted. */
bool cert_has_ip(const struct cert *c, uint32_t ipv4_be);
bool cert_has_dns(const struct cert *c, const char *name);
/* Verifies c against CA file (PEM, may hold several) with optional CRL file (PEM) and
 * intermediate certificates (chain, borrowed); checks signature chain, validity dates and,
 * when present, key usage (the leaf must allow digitalSignature or nonRepudiation). With a CRL
 * file the leaf's revocation status is checked against its issuer's CRL.
 * On failure writes a reason to why (if not NULL). */
int cert_verify(const struct cert *c, struct cert *const *chain, size_t n_chain,
                const char *ca_file, const char *crl_file, char *why, size_t why_len);
/* Drops the reused CA/CRL stores and decoded certificates (cert_cache.c), for tests; the
 * daemon keeps them until it exits. A changed CA or CRL file is noticed without it. */
void cert_cache_clear(void);

/* Signature bytes are allocated into sig (a new chunk). RSA keys only. PSS uses MGF1 with the
 * same hash and a salt as long as the hash (as the AlgorithmIdentifiers below say). */
int sig_sign(const struct privkey *k, enum sig_scheme s, const uint8_t *data, size_t len,
             struct chunk *sig);
/* Returns 0 when the signature verifies with c's public key, -1 otherwise. */
int sig_verify(const struct cert *c, enum sig_scheme s, const uint8_t *data, size_t len,
               const uint8_t *sig, size_t sig_len);
/* RFC 7427 §3 AlgorithmIdentifier DER for a scheme (the bytes in the AUTH payload after the
 * 1-byte length; static, never freed), and the reverse lookup (exact byte match; -1 if the
 * blob is not one of ours). PKCS#1 blobs are RFC 7427 A.1, PSS blobs follow A.4.3. */
const uint8_t *sig_algid_der(enum sig_scheme s, size_t *len);
int sig_scheme_from_algid(const uint8_t *der, size_t len, enum sig_scheme *s);

#endif
