/*
 * prf: the IKEv2 PRF (HMAC, RFC 7296 §2.13 / RFC 4868 §2.1.2, untruncated) and prf+.
 */
#include "crypto/crypto_int.h"

#include <string.h>

#include "util/chunk.h"

#define PRF_MAX_OUT 64

int prf(const struct prf_alg *alg, const uint8_t *key, size_t key_len, const uint8_t *data,
        size_t data_len, uint8_t *out)
{
	EVP_MAC_CTX *ctx;
	int rc;

	if (!alg || (!key && key_len) || (!data && data_len) || !out)
		return -1;
	ctx = crypto_hmac_new(alg->md, key, key_len);
	if (!ctx)
		return -1;
	rc = crypto_hmac_once(ctx, data, data_len, out, alg->out_len);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* T(n) = prf(K, T(n-1) | S | n); T(0) is empty. */
static int prf_plus_block(EVP_MAC_CTX *ctx, const struct prf_alg *alg, const uint8_t *prev,
                          size_t prev_len, const uint8_t *seed, size_t seed_len, uint8_t n,
                          uint8_t *out)
{
	size_t outl = 0;

	if (!EVP_MAC_init(ctx, NULL, 0, NULL))
		return -1;
	if (prev_len && !EVP_MAC_update(ctx, prev, prev_len))
		return -1;
	if (seed_len && !EVP_MAC_update(ctx, seed, seed_len))
		return -1;
	if (!EVP_MAC_update(ctx, &n, 1) || !EVP_MAC_final(ctx, out, &outl, alg->out_len))
		return -1;
	return outl == alg->out_len ? 0 : -1;
}

int prf_plus(const struct prf_alg *alg, const uint8_t *key, size_t key_len, const uint8_t *seed,
             size_t seed_len, uint8_t *out, size_t out_len)
{
	uint8_t t[PRF_MAX_OUT];
	EVP_MAC_CTX *ctx;
	size_t done = 0, take;
	int rc = 0;

	if (!alg || (!key && key_len) || (!seed && seed_len) || (!out && out_len) ||
	    out_len > 255 * alg->out_len || alg->out_len > sizeof(t))
		return -1;
	ctx = crypto_hmac_new(alg->md, key, key_len);
	if (!ctx)
		return -1;
	for (unsigned n = 1; done < out_len; n++) {
		rc = prf_plus_block(ctx, alg, t, n == 1 ? 0 : alg->out_len, seed, seed_len,
		                    (uint8_t)n, t);
		if (rc < 0)
			break;
		take = out_len - done < alg->out_len ? out_len - done : alg->out_len;
		memcpy(out + done, t, take);
		done += take;
	}
	memwipe(t, sizeof(t));
	EVP_MAC_CTX_free(ctx);
	return rc;
}
