/*
 * cipher: AES-CBC (RFC 3602) and AES-GCM (RFC 4106) contexts for ESP and the IKE SK payload.
 *
 * The EVP context is created and keyed once per SA and direction; a GCM call only installs a
 * new IV with EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1), which keeps the expanded key
 * schedule, and a CBC call not even that (cipher_cbc). A context is not safe for concurrent
 * use: callers serialise per SA direction.
 */
#include "crypto/crypto_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/chunk.h"

#define GCM_SALT_LEN  4
#define GCM_NONCE_LEN 12

struct cipher {
	const struct encr_alg *alg;
	EVP_CIPHER_CTX *ctx;
	uint8_t salt[GCM_SALT_LEN];
	bool encrypt;
	/* CBC: the context's running IV, the last ciphertext block it processed (cipher_cbc) */
	uint8_t chain[16];
	bool chained;
};

static const char *cipher_evp_name(const struct encr_alg *alg)
{
	if (alg->id == ENCR_AES_CBC) {
		switch (alg->key_bits) {
		case 128:
			return "AES-128-CBC";
		case 192:
			return "AES-192-CBC";
		case 256:
			return "AES-256-CBC";
		}
	} else if (alg->id == ENCR_AES_GCM_16) {
		switch (alg->key_bits) {
		case 128:
			return "AES-128-GCM";
		case 256:
			return "AES-256-GCM";
		}
	}
	return NULL;
}

/* Fetch once, key once: later calls pass a NULL cipher and key. */
static int cipher_setup(struct cipher *c, const uint8_t *key)
{
	const char *name = cipher_evp_name(c->alg);
	EVP_CIPHER *evp = name ? EVP_CIPHER_fetch(NULL, name, NULL) : NULL;
	int enc = c->encrypt ? 1 : 0;
	int ok = 0;

	if (!evp)
		return -1;
	if (!EVP_CipherInit_ex(c->ctx, evp, NULL, NULL, NULL, enc))
		goto done;
	if (c->alg->aead &&
	    !EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_IVLEN, GCM_NONCE_LEN, NULL))
		goto done;
	if (!EVP_CipherInit_ex(c->ctx, NULL, NULL, key, NULL, enc))
		goto done;
	/* ESP does its own padding (RFC 4303 §2.4). Not for GCM, a stream mode without
	 * padding: OpenSSL 3.0 repeats a context's no-padding setting (a parameter round trip)
	 * in every EVP_CipherInit_ex, that is for every packet's IV. */
	ok = c->alg->aead ? 1 : EVP_CIPHER_CTX_set_padding(c->ctx, 0);
done:
	EVP_CIPHER_free(evp);
	return ok ? 0 : -1;
}

struct cipher *cipher_new(const struct encr_alg *alg, const uint8_t *key, size_t key_len,
                          bool encrypt)
{
	struct cipher *c;

	if (!alg || !key || key_len != alg->key_len)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->alg = alg;
	c->encrypt = encrypt;
	c->ctx = EVP_CIPHER_CTX_new();
	if (alg->aead)
		memcpy(c->salt, key + key_len - GCM_SALT_LEN, GCM_SALT_LEN);
	if (!c->ctx || cipher_setup(c, key) < 0) {
		cipher_free(c);
		return NULL;
	}
	return c;
}

void cipher_free(struct cipher *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx); /* cleanses the key schedule */
	memwipe(c, sizeof(*c));
	free(c);
}

/* In-place update and final; without padding, final writes nothing for whole blocks. */
static int cipher_run(struct cipher *c, uint8_t *data, size_t len)
{
	uint8_t spare[16];
	uint8_t *p = len ? data : spare; /* no arithmetic on a NULL pointer */
	int outl = 0, fin = 0;

	if (len > INT_MAX)
		return -1;
	if (len && !EVP_CipherUpdate(c->ctx, p, &outl, p, (int)len))
		return -1;
	if (EVP_CipherFinal_ex(c->ctx, p + outl, &fin) != 1)
		return -1;
	return (size_t)outl + (size_t)fin == len ? 0 : -1;
}

static void xor16(uint8_t *d, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 16; i++)
		d[i] ^= a[i] ^ b[i];
}

/*
 * A new IV per message without EVP_CipherInit_ex, which in OpenSSL 3.0 costs two parameter
 * round trips (IV length, padding) per call, about a fifth of a 1400-byte packet's CBC
 * instructions. The context is one long CBC stream: after a message its running IV is the
 * last ciphertext block, `chain`. CBC's first block is C1 = E(P1 ^ IV), so encrypting
 * P1 ^ IV ^ chain in the continuing stream gives exactly C1; decryption yields
 * D(C1) ^ chain, and ^ chain ^ IV restores P1. Every other block chains on its predecessor as
 * in any CBC message. Messages are whole blocks (no padding, no final), so nothing is held
 * back between calls. After a failure the next call starts afresh.
 */
int cipher_cbc(struct cipher *c, const uint8_t iv[16], uint8_t *data, size_t len)
{
	uint8_t last[16];
	int outl = 0;

	if (!c || c->alg->aead || len % 16 != 0 || len > INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (!c->chained && !EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, iv, -1))
		return -1;
	bool adjust = c->chained;
	c->chained = false;
	if (adjust && c->encrypt)
		xor16(data, iv, c->chain);
	memcpy(last, data + len - 16, 16); /* decryption overwrites the ciphertext */
	if (!EVP_CipherUpdate(c->ctx, data, &outl, data, (int)len) || (size_t)outl != len)
		return -1;
	if (adjust && !c->encrypt)
		xor16(data, iv, c->chain);
	memcpy(c->chain, c->encrypt ? data + len - 16 : last, 16);
	c->chained = true;
	return 0;
}

/* Sets nonce = salt || iv and feeds the AAD. */
static int gcm_start(struct cipher *c, const uint8_t iv[8], const uint8_t *aad, size_t aad_len)
{
	uint8_t nonce[GCM_NONCE_LEN];
	int outl;

	if (aad_len > INT_MAX)
		return -1;
	memcpy(nonce, c->salt, GCM_SALT_LEN);
	memcpy(nonce + GCM_SALT_LEN, iv, GCM_NONCE_LEN - GCM_SALT_LEN);
	if (!EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, nonce, -1))
		return -1;
	if (aad_len && !EVP_CipherUpdate(c->ctx, NULL, &outl, aad, (int)aad_len))
		return -1;
	return 0;
}

int cipher_gcm_seal(struct cipher *c, const uint8_t iv[8], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, uint8_t *tag)
{
	if (!c || !c->alg->aead || !c->encrypt)
		return -1;
	if (gcm_start(c, iv, aad, aad_len) < 0 || cipher_run(c, data, len) < 0)
		return -1;
	if (!EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_GET_TAG, (int)c->alg->icv_len, tag))
		return -1;
	return 0;
}

int cipher_gcm_open(struct cipher *c, const uint8_t iv[8], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, const uint8_t *tag)
{
	uint8_t t[16];

	if (!c || !c->alg->aead || c->encrypt || c->alg->icv_len > sizeof(t))
		return -1;
	if (gcm_start(c, iv, aad, aad_len) < 0)
		return -1;
	/* The ctrl takes a non-const pointer; give it a copy. */
	memcpy(t, tag, c->alg->icv_len);
	if (!EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, (int)c->alg->icv_len, t))
		return -1;
	/* EVP_CipherFinal_ex fails when the tag does not match. */
	return cipher_run(c, data, len);
}
