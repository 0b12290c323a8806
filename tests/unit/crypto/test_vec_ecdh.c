/*
 * Known-answer tests for ECDH groups 19/20/21: RFC 5903 section 8 from tests/vectors/ecdh.txt.
 * Both parties are built from the RFC's private values; their KE encodings must equal
 * gx || gy and both derivations must give girx.
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

static uint8_t *cat2(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	uint8_t *p = malloc(al + bl);

	assert_non_null(p);
	memcpy(p, a, al);
	memcpy(p + al, b, bl);
	return p;
}

/* A party from its private value; checks its public value against gx || gy. */
static struct dh *party(const struct vec *v, const struct dh_alg *alg, const char *priv_key,
                        const uint8_t *expect_pub)
{
	size_t pl;
	uint8_t *priv = vec_hex(v, priv_key, &pl);
	uint8_t pub[132];
	struct dh *d = dh_new_from_private(alg, priv, pl);

	assert_non_null(d);
	assert_ptr_equal(dh_alg_of(d), alg);
	assert_int_equal(dh_public(d, pub, sizeof(pub)), 0);
	vec_assert_bytes(v, priv_key[0] == 'i' ? "initiator KE" : "responder KE", pub, expect_pub,
	                 alg->pub_len);
	free(priv);
	return d;
}

static void run_one(const struct vec *v)
{
	const struct dh_alg *alg = crypto_dh((uint16_t)atoi(vec_str(v, "alg")));
	size_t l1, l2, l3, l4, sl;
	uint8_t *gix = vec_hex(v, "gix", &l1), *giy = vec_hex(v, "giy", &l2);
	uint8_t *grx = vec_hex(v, "grx", &l3), *gry = vec_hex(v, "gry", &l4);
	uint8_t *girx = vec_hex(v, "girx", &sl);
	uint8_t *gi = cat2(gix, l1, giy, l2), *gr = cat2(grx, l3, gry, l4);
	struct chunk s1 = CHUNK_EMPTY, s2 = CHUNK_EMPTY;
	struct dh *i, *r;

	assert_non_null(alg);
	assert_int_equal(l1 + l2, alg->pub_len);
	assert_int_equal(sl, alg->secret_len);
	i = party(v, alg, "i", gi);
	r = party(v, alg, "r", gr);
	assert_int_equal(dh_derive(i, gr, alg->pub_len, &s1), 0);
	assert_int_equal(dh_derive(r, gi, alg->pub_len, &s2), 0);
	assert_int_equal(s1.len, sl);
	assert_int_equal(s2.len, sl);
	vec_assert_bytes(v, "initiator secret", s1.ptr, girx, sl);
	vec_assert_bytes(v, "responder secret", s2.ptr, girx, sl);
	chunk_clear(&s1);
	chunk_clear(&s2);
	dh_free(i);
	dh_free(r);
	free(gix);
	free(giy);
	free(grx);
	free(gry);
	free(girx);
	free(gi);
	free(gr);
}

static void test_ecdh_vectors(void **state)
{
	struct vecset set;

	vec_load("ecdh.txt", &set);
	assert_int_equal(set.n, 3);
	for (size_t i = 0; i < set.n; i++)
		run_one(&set.v[i]);
	vec_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ecdh_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
