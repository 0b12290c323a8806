/*
 * prf+ (RFC 7296 section 2.13) checked two independent ways: against tests/vectors/prfplus.txt
 * (produced with the openssl command line), and against T1 | T2 | ... recomputed here from the
 * definition with direct prf() calls. Also checks the 255-block limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "vecfile.h"

static const struct prf_alg *prf_by_name(const char *name)
{
	if (strcmp(name, "prf-hmac-sha1") == 0)
		return crypto_prf(PRF_HMAC_SHA1);
	if (strcmp(name, "prf-hmac-sha256") == 0)
		return crypto_prf(PRF_HMAC_SHA2_256);
	if (strcmp(name, "prf-hmac-sha384") == 0)
		return crypto_prf(PRF_HMAC_SHA2_384);
	if (strcmp(name, "prf-hmac-sha512") == 0)
		return crypto_prf(PRF_HMAC_SHA2_512);
	fail_msg("unknown prf '%s'", name);
	return NULL;
}

/* T(n) = prf(K, T(n-1) | S | n), straight from the RFC text. */
static void prf_plus_by_definition(const struct prf_alg *alg, const uint8_t *k, size_t kl,
                                   const uint8_t *s, size_t sl, uint8_t *out, size_t len)
{
	uint8_t *in = malloc(64 + sl + 1), t[64];
	size_t done = 0, tl = 0;

	assert_non_null(in);
	for (unsigned n = 1; done < len; n++) {
		memcpy(in, t, tl);
		memcpy(in + tl, s, sl);
		in[tl + sl] = (uint8_t)n;
		assert_int_equal(prf(alg, k, kl, in, tl + sl + 1, t), 0);
		tl = alg->out_len;
		memcpy(out + done, t, len - done < tl ? len - done : tl);
		done += len - done < tl ? len - done : tl;
	}
	free(in);
}

static void run_one(const struct vec *v)
{
	const struct prf_alg *alg = prf_by_name(vec_str(v, "alg"));
	size_t kl, sl, el;
	uint8_t *k = vec_hex(v, "key", &kl), *s = vec_hex(v, "seed", &sl);
	uint8_t *e = vec_hex(v, "expect", &el);
	uint8_t *out = malloc(el), *def = malloc(el);

	assert_non_null(out);
	assert_non_null(def);
	assert_int_equal(prf_plus(alg, k, kl, s, sl, out, el), 0);
	vec_assert_bytes(v, "prf+ vs file", out, e, el);
	prf_plus_by_definition(alg, k, kl, s, sl, def, el);
	vec_assert_bytes(v, "prf+ vs definition", out, def, el);
	free(out);
	free(def);
	free(k);
	free(s);
	free(e);
}

static void test_prfplus_vectors(void **state)
{
	struct vecset set;

	vec_load("prfplus.txt", &set);
	assert_int_equal(set.n, 4);
	for (size_t i = 0; i < set.n; i++)
		run_one(&set.v[i]);
	vec_free(&set);
}

static void test_prfplus_limit(void **state)
{
	const struct prf_alg *alg = crypto_prf(PRF_HMAC_SHA1);
	size_t max = 255 * alg->out_len;
	uint8_t *out = malloc(max + 1), *def = malloc(max);
	const uint8_t key[4] = {1, 2, 3, 4}, seed[3] = {5, 6, 7};

	assert_non_null(out);
	assert_non_null(def);
	/* 255 blocks is the most the one-byte counter allows; one byte more is refused. */
	assert_int_equal(prf_plus(alg, key, sizeof(key), seed, sizeof(seed), out, max), 0);
	prf_plus_by_definition(alg, key, sizeof(key), seed, sizeof(seed), def, max);
	assert_memory_equal(out, def, max);
	assert_int_equal(prf_plus(alg, key, sizeof(key), seed, sizeof(seed), out, max + 1), -1);
	free(out);
	free(def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prfplus_vectors),
	    cmocka_unit_test(test_prfplus_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
