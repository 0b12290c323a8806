/*
 * Known-answer tests for AES-CBC (cipher_cbc): RFC 3602 cases 1-4 and NIST SP 800-38A F.2
 * (AES-128/192/256) from tests/vectors/aes_cbc.txt. Each context is used for two operations
 * to check that only the IV is reset between calls.
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

static void run_dir(const struct vec *v, bool encrypt)
{
	size_t kl, il, pl, cl;
	uint8_t *k = vec_hex(v, "key", &kl), *iv = vec_hex(v, "iv", &il);
	uint8_t *p = vec_hex(v, "plain", &pl), *c = vec_hex(v, "cipher", &cl);
	const struct encr_alg *alg = crypto_encr(ENCR_AES_CBC, (uint16_t)(kl * 8));
	uint8_t *buf = malloc(pl);
	struct cipher *ctx;

	assert_non_null(alg);
	assert_non_null(buf);
	assert_int_equal(il, 16);
	assert_int_equal(pl, cl);
	ctx = cipher_new(alg, k, kl, encrypt);
	assert_non_null(ctx);
	for (int round = 0; round < 2; round++) {
		memcpy(buf, encrypt ? p : c, pl);
		assert_int_equal(cipher_cbc(ctx, iv, buf, pl), 0);
		vec_assert_bytes(v, encrypt ? "ciphertext" : "plaintext", buf, encrypt ? c : p, pl);
	}
	cipher_free(ctx);
	free(buf);
	free(k);
	free(iv);
	free(p);
	free(c);
}

static void test_cbc_vectors(void **state)
{
	struct vecset set;

	vec_load("aes_cbc.txt", &set);
	assert_int_equal(set.n, 7);
	for (size_t i = 0; i < set.n; i++) {
		run_dir(&set.v[i], true);
		run_dir(&set.v[i], false);
	}
	vec_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cbc_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
