/*
 * mac: truncated HMAC integrity (RFC 2404 HMAC-SHA1-96, RFC 4868 HMAC-SHA-256-128 / -384-192 /
 * -512-256). Keyed once per SA; per packet only the data changes. Not for concurrent use of one
 * struct mac: callers serialise per SA direction.
 */
#include "crypto/crypto_int.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/chunk.h"

#define MAC_MAX_DIGEST 64

struct mac {
	const struct integ_alg *alg;
	EVP_MAC_CTX *ctx;
};

struct mac *mac_new(const struct integ_alg *alg, const uint8_t *key, size_t key_len)
{
	struct mac *m;

	/* RFC 4868 §2.1.1: the key is exactly the hash output length. */
	if (!alg || !key || key_len != alg->key_len || key_len > MAC_MAX_DIGEST)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->alg = alg;
	m->ctx = crypto_hmac_new(alg->md, key, key_len);
	if (!m->ctx) {
		free(m);
		return NULL;
	}
	return m;
}

void mac_free(struct mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx); /* cleanses the keyed state */
	free(m);
}

/* The full digest length equals the key length for every integrity algorithm we offer. */
static int mac_full(struct mac *m, const uint8_t *data, size_t len, uint8_t *full)
{
	return crypto_hmac_once(m->ctx, data, len, full, m->alg->key_len);
}

int mac_compute(struct mac *m, const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t full[MAC_MAX_DIGEST];
	int rc;

	if (!m || !out)
		return -1;
	rc = mac_full(m, data, len, full);
	if (rc == 0)
		memcpy(out, full, m->alg->icv_len);
	memwipe(full, sizeof(full));
	return rc;
}

bool mac_verify(struct mac *m, const uint8_t *data, size_t len, const uint8_t *icv)
{
	uint8_t full[MAC_MAX_DIGEST];
	bool ok;

	if (!m || !icv)
		return false;
	ok = mac_full(m, data, len, full) == 0 && CRYPTO_memcmp(full, icv, m->alg->icv_len) == 0;
	memwipe(full, sizeof(full));
	return ok;
}
