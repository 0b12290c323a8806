/*
 * Known-answer tests for HMAC through prf(): RFC 2202 (HMAC-SHA-1) and RFC 4231
 * (HMAC-SHA-256/384/512) from tests/vectors/hmac.txt, and the RFC 4868 PRF values from
 * tests/vectors/prf.txt (as test_vec_prf). The expected values come from the files, never from the
 * code.
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
	static const struct {
		const char *name;
		uint16_t id;
	} map[] = {
	    {"prf-hmac-sha1", PRF_HMAC_SHA1},
	    {"prf-hmac-sha256", PRF_HMAC_SHA2_256},
	    {"prf-hmac-sha384", PRF_HMAC_SHA2_384},
	    {"prf-hmac-sha512", PRF_HMAC_SHA2_512},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (name && strcmp(map[i].name, name) == 0)
			return crypto_prf(map[i].id);
	}
	fail_msg("unknown prf '%s'", name ? name : "(none)");
	return NULL;
}

/* Runs every record of a file through prf(); "expect" may be a truncated prefix. */
static size_t run_prf_file(const char *file)
{
	struct vecset set;
	size_t n;

	vec_load(file, &set);
	for (size_t i = 0; i < set.n; i++) {
		const struct vec *v = &set.v[i];
		const struct prf_alg *alg = prf_by_name(vec_str(v, "alg"));
		size_t kl, dl, el;
		uint8_t *k = vec_hex(v, "key", &kl), *d = vec_hex(v, "data", &dl);
		uint8_t *e = vec_hex(v, "expect", &el);
		uint8_t out[64];

		assert_true(el > 0 && el <= alg->out_len);
		assert_int_equal(prf(alg, k, kl, d, dl, out), 0);
		vec_assert_bytes(v, "prf output", out, e, el);
		free(k);
		free(d);
		free(e);
	}
	n = set.n;
	vec_free(&set);
	return n;
}

#ifndef VEC_PRF
static void test_rfc2202_rfc4231(void **state)
{
	/* 7 RFC 2202 cases + 3 x 7 RFC 4231 cases: a lost record is a failure too. */
	assert_int_equal(run_prf_file("hmac.txt"), 28);
}

#else
static void test_rfc4868_prf(void **state)
{
	assert_int_equal(run_prf_file("prf.txt"), 6);
}

#endif

/* Built twice: test_vec_hmac (RFC 2202/4231) and, with VEC_PRF, test_vec_prf (RFC 4868). */
int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef VEC_PRF
	    cmocka_unit_test(test_rfc4868_prf),
#else
	    cmocka_unit_test(test_rfc2202_rfc4231),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
