/*
 * Known-answer tests for AES-GCM as used by ESP (RFC 4106): McGrew/Viega GCM test cases 2, 3,
 * 4, 14, 15, 16 from tests/vectors/aes_gcm.txt, with the 12-byte IV split into salt (end of the
 * key material) and the 8-byte explicit IV. Opening must reject a changed tag, AAD or
 * ciphertext.
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

struct gcm_vec {
	uint8_t *key, *iv, *aad, *p, *c, *t;
	size_t kl, il, al, pl, cl, tl;
};

static void gcm_load(const struct vec *v, struct gcm_vec *g)
{
	g->key = vec_hex(v, "key", &g->kl);
	g->iv = vec_hex(v, "iv", &g->il);
	g->aad = vec_hex(v, "aad", &g->al);
	g->p = vec_hex(v, "plain", &g->pl);
	g->c = vec_hex(v, "cipher", &g->cl);
	g->t = vec_hex(v, "tag", &g->tl);
	assert_int_equal(g->il, 8);
	assert_int_equal(g->tl, 16);
	assert_int_equal(g->pl, g->cl);
}

static void gcm_unload(struct gcm_vec *g)
{
	free(g->key);
	free(g->iv);
	free(g->aad);
	free(g->p);
	free(g->c);
	free(g->t);
}

static void gcm_seal_check(const struct vec *v, const struct encr_alg *alg, struct gcm_vec *g)
{
	struct cipher *enc = cipher_new(alg, g->key, g->kl, true);
	uint8_t *buf = malloc(g->pl + 1), tag[16];

	assert_non_null(enc);
	assert_non_null(buf);
	for (int round = 0; round < 2; round++) {
		memcpy(buf, g->p, g->pl);
		assert_int_equal(cipher_gcm_seal(enc, g->iv, g->aad, g->al, buf, g->pl, tag), 0);
		vec_assert_bytes(v, "ciphertext", buf, g->c, g->cl);
		vec_assert_bytes(v, "tag", tag, g->t, g->tl);
	}
	/* A sealing context cannot open. */
	assert_int_equal(cipher_gcm_open(enc, g->iv, g->aad, g->al, buf, g->pl, tag), -1);
	cipher_free(enc);
	free(buf);
}

/* Opens with an optional one-bit change: which = 0 none, 1 tag, 2 aad, 3 ciphertext. */
static int gcm_open_with(const struct encr_alg *alg, struct gcm_vec *g, int which, uint8_t *out)
{
	struct cipher *dec = cipher_new(alg, g->key, g->kl, false);
	uint8_t tag[16], *aad = malloc(g->al + 1);
	int rc;

	assert_non_null(dec);
	assert_non_null(aad);
	memcpy(tag, g->t, 16);
	memcpy(aad, g->aad, g->al);
	memcpy(out, g->c, g->cl);
	if (which == 1)
		tag[5] ^= 0x10;
	if (which == 2 && g->al)
		aad[0] ^= 0x01;
	if (which == 3 && g->cl)
		out[g->cl - 1] ^= 0x01;
	rc = cipher_gcm_open(dec, g->iv, aad, g->al, out, g->cl, tag);
	cipher_free(dec);
	free(aad);
	return rc;
}

static void run_one(const struct vec *v)
{
	struct gcm_vec g;
	const struct encr_alg *alg;
	uint8_t *out;

	gcm_load(v, &g);
	alg = crypto_encr(ENCR_AES_GCM_16, (uint16_t)((g.kl - 4) * 8));
	assert_non_null(alg);
	gcm_seal_check(v, alg, &g);
	out = malloc(g.cl + 1);
	assert_non_null(out);
	assert_int_equal(gcm_open_with(alg, &g, 0, out), 0);
	vec_assert_bytes(v, "plaintext", out, g.p, g.pl);
	assert_int_equal(gcm_open_with(alg, &g, 1, out), -1);
	if (g.al)
		assert_int_equal(gcm_open_with(alg, &g, 2, out), -1);
	if (g.cl)
		assert_int_equal(gcm_open_with(alg, &g, 3, out), -1);
	free(out);
	gcm_unload(&g);
}

static void test_gcm_vectors(void **state)
{
	struct vecset set;

	vec_load("aes_gcm.txt", &set);
	assert_int_equal(set.n, 6);
	for (size_t i = 0; i < set.n; i++)
		run_one(&set.v[i]);
	vec_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gcm_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
