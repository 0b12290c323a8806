/*
 * API and negative tests for crypto.h: descriptor tables and unknown IDs, key-length checks,
 * misuse of contexts, round trips with random data, tampered tags and ICVs, truncated input,
 * and ECDH peer-value validation (wrong length, all zeros, off the curve, out of range).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"

static void test_tables(void **state)
{
	const struct encr_alg *e = crypto_encr(ENCR_AES_CBC, 256);
	const struct integ_alg *i = crypto_integ(AUTH_HMAC_SHA2_384_192);
	const struct dh_alg *d = crypto_dh(DH_ECP_521);

	assert_non_null(e);
	assert_int_equal(e->key_len, 32);
	assert_int_equal(e->iv_len, 16);
	assert_string_equal(e->esp_name, "ESP_256_AES");
	e = crypto_encr(ENCR_AES_GCM_16, 128);
	assert_non_null(e);
	assert_int_equal(e->key_len, 20);
	assert_int_equal(e->iv_len, 8);
	assert_int_equal(e->icv_len, 16);
	assert_true(e->aead);
	assert_string_equal(e->esp_name, "ESP_GCM_128");
	assert_non_null(i);
	assert_int_equal(i->key_len, 48);
	assert_int_equal(i->icv_len, 24);
	assert_string_equal(i->esp_name, "HMAC_SHA_384");
	assert_int_equal(crypto_prf(PRF_HMAC_SHA2_512)->out_len, 64);
	assert_non_null(d);
	assert_int_equal(d->pub_len, 132);
	assert_int_equal(d->secret_len, 66);
	assert_string_equal(d->name, "ECP-521");
}

static void test_unknown_ids(void **state)
{
	assert_null(crypto_encr(ENCR_AES_CBC, 0)); /* Key Length attribute missing */
	assert_null(crypto_encr(ENCR_AES_CBC, 512));
	assert_null(crypto_encr(ENCR_AES_GCM_16, 192)); /* not offered */
	assert_null(crypto_encr(3, 128));               /* 3DES */
	assert_null(crypto_integ(AUTH_NONE));
	assert_null(crypto_integ(1)); /* HMAC-MD5-96 */
	assert_null(crypto_integ(99));
	assert_null(crypto_prf(1)); /* PRF_HMAC_MD5 */
	assert_null(crypto_prf(8));
	assert_null(crypto_dh(DH_NONE));
	assert_null(crypto_dh(14)); /* MODP-2048 */
	assert_null(crypto_dh(31));
	assert_null(dh_new(NULL));
}

static void test_wrong_key_length(void **state)
{
	uint8_t key[80] = {0};
	const struct encr_alg *cbc = crypto_encr(ENCR_AES_CBC, 128);
	const struct encr_alg *gcm = crypto_encr(ENCR_AES_GCM_16, 256);
	const struct integ_alg *sha256 = crypto_integ(AUTH_HMAC_SHA2_256_128);

	assert_null(cipher_new(cbc, key, 15, true));
	assert_null(cipher_new(cbc, key, 17, true));
	assert_null(cipher_new(cbc, key, 0, true));
	assert_null(cipher_new(gcm, key, 32, true)); /* salt missing */
	assert_null(cipher_new(gcm, key, 37, false));
	assert_null(cipher_new(NULL, key, 16, true));
	assert_null(mac_new(sha256, key, 31));
	assert_null(mac_new(sha256, key, 33));
	assert_null(mac_new(sha256, key, 0));
	assert_null(mac_new(NULL, key, 32));
	cipher_free(NULL);
	mac_free(NULL);
	dh_free(NULL);
}

static void test_random(void **state)
{
	uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};

	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(crypto_random(a, 0), 0);
}

/* Small requests share a per-thread pool: consecutive ones, across refills, never repeat
 * bytes, and a large request (served by OpenSSL directly) works between them. */
static void test_random_pool(void **state)
{
	enum {
		N = 200
	};
	static uint8_t got[N][24];
	uint8_t big[300];
	for (int i = 0; i < N; i++) {
		assert_int_equal(crypto_random(got[i], sizeof(got[i])), 0);
		if (i == N / 2)
			assert_int_equal(crypto_random(big, sizeof(big)), 0);
		for (int j = 0; j < i; j++)
			assert_memory_not_equal(got[i], got[j], sizeof(got[i]));
	}
}

/* A forked child must not hand out the bytes its parent hands out next (the pool is copied by
 * fork; the child empties it). */
static void test_random_fork(void **state)
{
	uint8_t first[8], parent[32], child[32];
	int p[2];
	assert_int_equal(crypto_random(first, sizeof(first)), 0); /* the pool now holds bytes */
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t c[32];
		int ok = crypto_random(c, sizeof(c)) == 0 && write(p[1], c, sizeof(c)) == sizeof(c);
		_exit(ok ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(crypto_random(parent, sizeof(parent)), 0);
	assert_int_equal(read(p[0], child, sizeof(child)), sizeof(child));
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_memory_not_equal(parent, child, sizeof(parent));
}

static void test_cbc_round_trip_and_misuse(void **state)
{
	const struct encr_alg *alg = crypto_encr(ENCR_AES_CBC, 192);
	uint8_t key[24], iv[16], plain[64], buf[64], tag[16];
	struct cipher *enc, *dec;

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	enc = cipher_new(alg, key, sizeof(key), true);
	dec = cipher_new(alg, key, sizeof(key), false);
	assert_non_null(enc);
	assert_non_null(dec);
	for (int n = 0; n < 4; n++) { /* a new IV each packet, same context */
		assert_int_equal(crypto_random(iv, sizeof(iv)), 0);
		assert_int_equal(crypto_random(plain, sizeof(plain)), 0);
		memcpy(buf, plain, sizeof(buf));
		assert_int_equal(cipher_cbc(enc, iv, buf, sizeof(buf)), 0);
		assert_memory_not_equal(buf, plain, sizeof(buf));
		assert_int_equal(cipher_cbc(dec, iv, buf, sizeof(buf)), 0);
		assert_memory_equal(buf, plain, sizeof(buf));
	}
	assert_int_equal(cipher_cbc(enc, iv, buf, 0), 0);
	assert_int_equal(cipher_cbc(enc, iv, buf, 15), -1); /* truncated block */
	assert_int_equal(cipher_cbc(enc, iv, buf, 33), -1);
	assert_int_equal(cipher_gcm_seal(enc, iv, NULL, 0, buf, 16, tag), -1);
	assert_int_equal(cipher_gcm_open(dec, iv, NULL, 0, buf, 16, tag), -1);
	cipher_free(enc);
	cipher_free(dec);
}

/* One context for many messages (cipher_cbc continues the CBC stream and corrects the first
 * block) gives exactly what a fresh context gives each message, in both directions, for
 * random IVs and lengths, also after a refused call. */
static void test_cbc_long_lived_matches_fresh(void **state)
{
	static const uint16_t bits[] = {128, 192, 256};
	for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
		const struct encr_alg *alg = crypto_encr(ENCR_AES_CBC, bits[b]);
		uint8_t key[32], iv[16], plain[1408], x[1408], y[1408], len8;
		assert_int_equal(crypto_random(key, alg->key_len), 0);
		struct cipher *enc = cipher_new(alg, key, alg->key_len, true);
		struct cipher *dec = cipher_new(alg, key, alg->key_len, false);
		assert_non_null(enc);
		assert_non_null(dec);
		for (int n = 0; n < 200; n++) {
			assert_int_equal(crypto_random(iv, sizeof(iv)), 0);
			assert_int_equal(crypto_random(&len8, 1), 0);
			size_t len = (size_t)(len8 % 88 + 1) * 16;
			assert_int_equal(crypto_random(plain, len), 0);
			struct cipher *fe = cipher_new(alg, key, alg->key_len, true);
			struct cipher *fd = cipher_new(alg, key, alg->key_len, false);
			memcpy(x, plain, len);
			memcpy(y, plain, len);
			assert_int_equal(cipher_cbc(enc, iv, x, len), 0);
			assert_int_equal(cipher_cbc(fe, iv, y, len), 0);
			assert_memory_equal(x, y, len);
			assert_int_equal(cipher_cbc(dec, iv, x, len), 0);
			assert_int_equal(cipher_cbc(fd, iv, y, len), 0);
			assert_memory_equal(x, plain, len);
			assert_memory_equal(y, plain, len);
			cipher_free(fe);
			cipher_free(fd);
			if (n == 100) /* refused calls change nothing */
				assert_int_equal(cipher_cbc(enc, iv, x, 17), -1);
		}
		cipher_free(enc);
		cipher_free(dec);
	}
}

static void test_gcm_round_trip_and_tamper(void **state)
{
	const struct encr_alg *alg = crypto_encr(ENCR_AES_GCM_16, 128);
	uint8_t key[20], iv[8], aad[8] = {1, 2, 3, 4, 0, 0, 0, 1}, plain[37], buf[37], ct[37],
	                        tag[16];
	struct cipher *enc, *dec;

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	assert_int_equal(crypto_random(iv, sizeof(iv)), 0);
	assert_int_equal(crypto_random(plain, sizeof(plain)), 0);
	enc = cipher_new(alg, key, sizeof(key), true);
	dec = cipher_new(alg, key, sizeof(key), false);
	assert_non_null(enc);
	assert_non_null(dec);
	memcpy(buf, plain, sizeof(buf));
	assert_int_equal(cipher_gcm_seal(enc, iv, aad, sizeof(aad), buf, sizeof(buf), tag), 0);
	{
		uint8_t iv16[16] = {0};
		assert_int_equal(cipher_cbc(enc, iv16, buf, 16), -1); /* not a CBC context */
	}
	memcpy(ct, buf, sizeof(ct));
	/* Each open decrypts in place, so every attempt starts from a fresh copy. */
	/* Truncated ciphertext: the tag no longer matches. */
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), buf, sizeof(buf) - 1, tag), -1);
	tag[15] ^= 1;
	memcpy(buf, ct, sizeof(buf));
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), buf, sizeof(buf), tag), -1);
	tag[15] ^= 1;
	iv[0] ^= 1; /* wrong nonce */
	memcpy(buf, ct, sizeof(buf));
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), buf, sizeof(buf), tag), -1);
	iv[0] ^= 1;
	/* The context still works after failures. */
	memcpy(buf, ct, sizeof(buf));
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), buf, sizeof(buf), tag), 0);
	assert_memory_equal(buf, plain, sizeof(buf));
	/* Empty payload (AAD only) still produces and checks a tag. */
	assert_int_equal(cipher_gcm_seal(enc, iv, aad, sizeof(aad), NULL, 0, tag), 0);
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), NULL, 0, tag), 0);
	aad[7] ^= 1;
	assert_int_equal(cipher_gcm_open(dec, iv, aad, sizeof(aad), NULL, 0, tag), -1);
	cipher_free(enc);
	cipher_free(dec);
}

static void test_mac_tampered_icv(void **state)
{
	const struct integ_alg *alg = crypto_integ(AUTH_HMAC_SHA2_512_256);
	uint8_t key[64], data[100], icv[32];
	struct mac *m;

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	assert_int_equal(crypto_random(data, sizeof(data)), 0);
	m = mac_new(alg, key, sizeof(key));
	assert_non_null(m);
	assert_int_equal(mac_compute(m, data, sizeof(data), icv), 0);
	assert_true(mac_verify(m, data, sizeof(data), icv));
	for (size_t i = 0; i < alg->icv_len; i += 7) {
		icv[i] ^= 0x40;
		assert_false(mac_verify(m, data, sizeof(data), icv));
		icv[i] ^= 0x40;
	}
	assert_false(mac_verify(m, data, sizeof(data) - 1, icv)); /* truncated input */
	assert_true(mac_verify(m, data, sizeof(data), icv));
	assert_false(mac_verify(NULL, data, sizeof(data), icv));
	mac_free(m);
}

static void test_prf_args(void **state)
{
	const struct prf_alg *alg = crypto_prf(PRF_HMAC_SHA2_256);
	uint8_t out[32];

	assert_int_equal(prf(NULL, out, 1, out, 1, out), -1);
	assert_int_equal(prf(alg, NULL, 0, NULL, 0, out), 0); /* empty key and data are HMAC */
	assert_int_equal(prf_plus(alg, out, 4, out, 4, out, 0), 0);
}

static void test_dh_agreement(void **state)
{
	for (uint16_t id = DH_ECP_256; id <= DH_ECP_521; id++) {
		const struct dh_alg *alg = crypto_dh(id);
		struct dh *a = dh_new(alg), *b = dh_new(alg);
		uint8_t pa[132], pb[132];
		struct chunk sa = CHUNK_EMPTY, sb = CHUNK_EMPTY;

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(dh_public(a, pa, alg->pub_len - 1), -1); /* buffer too small */
		assert_int_equal(dh_public(a, pa, sizeof(pa)), 0);
		assert_int_equal(dh_public(b, pb, sizeof(pb)), 0);
		assert_memory_not_equal(pa, pb, alg->pub_len);
		assert_int_equal(dh_derive(a, pb, alg->pub_len, &sa), 0);
		assert_int_equal(dh_derive(b, pa, alg->pub_len, &sb), 0);
		assert_int_equal(sa.len, alg->secret_len);
		assert_memory_equal(sa.ptr, sb.ptr, sa.len);
		chunk_clear(&sa);
		chunk_clear(&sb);
		dh_free(a);
		dh_free(b);
	}
}

static void expect_reject(struct dh *d, const uint8_t *pub, size_t len)
{
	struct chunk s = CHUNK_EMPTY;

	assert_int_equal(dh_derive(d, pub, len, &s), -1);
	assert_null(s.ptr);
	assert_int_equal(s.len, 0);
}

/* RFC 6989 §2.3 on every group: off-curve points, coordinates out of range and malformed
 * lengths are refused (the quick check of dh.c; with cofactor 1 it is the whole check). */
static void test_dh_invalid_points(void **state)
{
	static const uint16_t groups[] = {DH_ECP_256, DH_ECP_384, DH_ECP_521};
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct dh_alg *alg = crypto_dh(groups[g]);
		size_t n = alg->pub_len;
		struct dh *d = dh_new(alg), *peer = dh_new(alg);
		uint8_t pub[1 + 132 + 1], bad[132];

		assert_non_null(d);
		assert_non_null(peer);
		assert_int_equal(dh_public(peer, pub + 1, n), 0);
		memset(bad, 0, sizeof(bad));
		expect_reject(d, bad, n); /* all zeros (no encoding of infinity) */
		memcpy(bad, pub + 1, n);
		bad[n - 1] ^= 0x01; /* y changed: off the curve */
		expect_reject(d, bad, n);
		memcpy(bad, pub + 1, n);
		bad[n / 2 - 1] ^= 0x01; /* x changed: (x, y) off the curve */
		expect_reject(d, bad, n);
		memset(bad, 0xff, sizeof(bad)); /* coordinates >= p */
		expect_reject(d, bad, n);
		expect_reject(d, pub + 1, n - 1); /* truncated */
		expect_reject(d, pub + 1, 0);
		pub[0] = 0x04; /* SEC 1 form with the prefix byte: wrong length */
		expect_reject(d, pub, n + 1);
		expect_reject(d, NULL, n);
		/* The valid value itself is accepted. */
		{
			struct chunk s = CHUNK_EMPTY;
			assert_int_equal(dh_derive(d, pub + 1, n, &s), 0);
			chunk_clear(&s);
		}
		dh_free(d);
		dh_free(peer);
	}
	/* a P-384 sized value for P-256 */
	const struct dh_alg *p256 = crypto_dh(DH_ECP_256);
	struct dh *d = dh_new(p256);
	uint8_t big[96] = {0};
	expect_reject(d, big, sizeof(big));
	dh_free(d);
}

static void test_sha1(void **state)
{
	/* FIPS 180-2 appendix A.1: SHA-1("abc"). */
	static const uint8_t expect[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81,
	                                   0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
	                                   0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
	uint8_t out[20];

	assert_int_equal(crypto_sha1("abc", 3, out), 0);
	assert_memory_equal(out, expect, sizeof(out));
}

static void test_dh_from_private_args(void **state)
{
	const struct dh_alg *alg = crypto_dh(DH_ECP_256);
	uint8_t zero[32] = {0}, big[33] = {1};

	assert_null(dh_new_from_private(alg, zero, sizeof(zero)));
	assert_null(dh_new_from_private(alg, big, sizeof(big)));
	assert_null(dh_new_from_private(alg, big, 0));
	assert_null(dh_new_from_private(NULL, big, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_unknown_ids),
	    cmocka_unit_test(test_wrong_key_length),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_random_pool),
	    cmocka_unit_test(test_random_fork),
	    cmocka_unit_test(test_cbc_round_trip_and_misuse),
	    cmocka_unit_test(test_cbc_long_lived_matches_fresh),
	    cmocka_unit_test(test_gcm_round_trip_and_tamper),
	    cmocka_unit_test(test_mac_tampered_icv),
	    cmocka_unit_test(test_prf_args),
	    cmocka_unit_test(test_dh_agreement),
	    cmocka_unit_test(test_dh_invalid_points),
	    cmocka_unit_test(test_dh_from_private_args),
	    cmocka_unit_test(test_sha1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
