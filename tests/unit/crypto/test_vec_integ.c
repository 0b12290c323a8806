/*
 * Known-answer tests for truncated HMAC integrity (mac_compute / mac_verify):
 * RFC 2202 case 5 (HMAC-SHA1-96) and RFC 4868 section 2.7.2 authenticators, from
 * tests/vectors/integ.txt. Each vector is computed twice on the same struct mac (the per-SA
 * context is reused per packet) and its ICV must verify, while a one-bit change must not.
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

static const struct integ_alg *integ_by_name(const char *name)
{
	static const struct {
		const char *name;
		uint16_t id;
	} map[] = {
	    {"auth-hmac-sha1-96", AUTH_HMAC_SHA1_96},
	    {"auth-hmac-sha256-128", AUTH_HMAC_SHA2_256_128},
	    {"auth-hmac-sha384-192", AUTH_HMAC_SHA2_384_192},
	    {"auth-hmac-sha512-256", AUTH_HMAC_SHA2_512_256},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (name && strcmp(map[i].name, name) == 0)
			return crypto_integ(map[i].id);
	}
	fail_msg("unknown integrity algorithm '%s'", name ? name : "(none)");
	return NULL;
}

static void run_one(const struct vec *v)
{
	const struct integ_alg *alg = integ_by_name(vec_str(v, "alg"));
	size_t kl, dl, el;
	uint8_t *k = vec_hex(v, "key", &kl), *d = vec_hex(v, "data", &dl);
	uint8_t *e = vec_hex(v, "expect", &el);
	uint8_t icv[32];
	struct mac *m;

	assert_int_equal(el, alg->icv_len);
	m = mac_new(alg, k, kl);
	assert_non_null(m);
	for (int round = 0; round < 2; round++) {
		memset(icv, 0, sizeof(icv));
		assert_int_equal(mac_compute(m, d, dl, icv), 0);
		vec_assert_bytes(v, "icv", icv, e, el);
	}
	assert_true(mac_verify(m, d, dl, e));
	e[el - 1] ^= 0x01;
	assert_false(mac_verify(m, d, dl, e));
	e[el - 1] ^= 0x01;
	d[0] ^= 0x80;
	assert_false(mac_verify(m, d, dl, e));
	mac_free(m);
	free(k);
	free(d);
	free(e);
}

static void test_integ_vectors(void **state)
{
	struct vecset set;

	vec_load("integ.txt", &set);
	assert_int_equal(set.n, 8);
	for (size_t i = 0; i < set.n; i++)
		run_one(&set.v[i]);
	vec_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integ_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
