/*
 * Key derivation checked against an independent, step-by-step computation with prf() only:
 * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) (RFC 7296 §2.13).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ike/ike_keys.h"

static void my_prf_plus(const struct prf_alg *p, const uint8_t *k, size_t kl, const uint8_t *s,
                        size_t sl, uint8_t *out, size_t len)
{
	uint8_t t[64], in[64 + 512 + 1];
	size_t tl = 0, done = 0;
	for (uint8_t n = 1; done < len; n++) {
		memcpy(in, t, tl);
		memcpy(in + tl, s, sl);
		in[tl + sl] = n;
		assert_int_equal(prf(p, k, kl, in, tl + sl + 1, t), 0);
		tl = p->out_len;
		size_t take = len - done < tl ? len - done : tl;
		memcpy(out + done, t, take);
		done += take;
	}
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void check_ike(uint16_t prf_id, uint16_t encr, uint16_t bits, uint16_t integ)
{
	const struct prf_alg *p = crypto_prf(prf_id);
	const struct encr_alg *e = crypto_encr(encr, bits);
	const struct integ_alg *ia = integ ? crypto_integ(integ) : NULL;
	assert_non_null(p);
	assert_non_null(e);
	uint8_t ni[32], nr[24], g[48], spi_i[8], spi_r[8];
	fill(ni, sizeof(ni), 1);
	fill(nr, sizeof(nr), 2);
	fill(g, sizeof(g), 3);
	fill(spi_i, 8, 4);
	fill(spi_r, 8, 5);
	struct chunk cni = {ni, 32}, cnr = {nr, 24}, cg = {g, 48};
	struct ike_keymat km = {0};
	size_t il = ia ? ia->key_len : 0;
	assert_int_equal(ike_keys_ike(p, e->key_len, il, &cni, &cnr, spi_i, spi_r, &cg, &km), 0);

	/* independent: SKEYSEED = prf(Ni | Nr, g^ir) */
	uint8_t nn[56], skeyseed[64], seed[72], stream[1024];
	memcpy(nn, ni, 32);
	memcpy(nn + 32, nr, 24);
	assert_int_equal(prf(p, nn, 56, g, 48, skeyseed), 0);
	memcpy(seed, nn, 56);
	memcpy(seed + 56, spi_i, 8);
	memcpy(seed + 64, spi_r, 8);
	size_t total = 3 * p->out_len + 2 * (e->key_len + il);
	my_prf_plus(p, skeyseed, p->out_len, seed, 72, stream, total);
	size_t o = 0;
	assert_int_equal(km.d.len, p->out_len);
	assert_memory_equal(km.d.ptr, stream + o, p->out_len), o += p->out_len;
	if (il) {
		assert_memory_equal(km.ai.ptr, stream + o, il), o += il;
		assert_memory_equal(km.ar.ptr, stream + o, il), o += il;
	} else {
		assert_int_equal(km.ai.len, 0);
	}
	assert_memory_equal(km.ei.ptr, stream + o, e->key_len), o += e->key_len;
	assert_memory_equal(km.er.ptr, stream + o, e->key_len), o += e->key_len;
	assert_memory_equal(km.pi.ptr, stream + o, p->out_len), o += p->out_len;
	assert_memory_equal(km.pr.ptr, stream + o, p->out_len), o += p->out_len;
	assert_int_equal(o, total);

	/* Child KEYMAT = prf+(SK_d, Ni | Nr) */
	uint8_t eir[64], iir[64], eri[64], iri[64], ks[512];
	assert_int_equal(
	    ike_keys_child(p, &km.d, NULL, &cni, &cnr, e->key_len, il, eir, iir, eri, iri), 0);
	my_prf_plus(p, km.d.ptr, km.d.len, nn, 56, ks, 2 * (e->key_len + il));
	assert_memory_equal(eir, ks, e->key_len);
	assert_memory_equal(iir, ks + e->key_len, il);
	assert_memory_equal(eri, ks + e->key_len + il, e->key_len);
	assert_memory_equal(iri, ks + 2 * e->key_len + il, il);

	/* PSK AUTH = prf(prf(psk, "Key Pad for IKEv2"), msg | nonce | prf(SK_pi, IDbody)) */
	uint8_t msg[40], idb[8] = {1, 0, 0, 0, 198, 51, 100, 1}, auth[64], pad[64], mid[64],
	                 oct[40 + 24 + 64], want[64];
	fill(msg, sizeof(msg), 9);
	struct chunk cmsg = {msg, 40}, psk = {(uint8_t *)"topsecret", 9};
	assert_int_equal(ike_keys_psk_auth(p, &psk, &cmsg, &cnr, &km.pi, idb, 8, auth), 0);
	assert_int_equal(prf(p, km.pi.ptr, km.pi.len, idb, 8, mid), 0);
	memcpy(oct, msg, 40);
	memcpy(oct + 40, nr, 24);
	memcpy(oct + 64, mid, p->out_len);
	assert_int_equal(
	    prf(p, (const uint8_t *)"topsecret", 9, (const uint8_t *)"Key Pad for IKEv2", 17, pad),
	    0);
	assert_int_equal(prf(p, pad, p->out_len, oct, 64 + p->out_len, want), 0);
	assert_memory_equal(auth, want, p->out_len);
	ike_keymat_clear(&km);
	assert_null(km.d.ptr);
}

static void test_ike_keys(void **state)
{
	check_ike(PRF_HMAC_SHA1, ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96);
	check_ike(PRF_HMAC_SHA2_256, ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128);
	check_ike(PRF_HMAC_SHA2_384, ENCR_AES_GCM_16, 256, 0);
	check_ike(PRF_HMAC_SHA2_512, ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_512_256);
}

/* GCM keys carry the 4-byte salt: AES-256-GCM takes 36 bytes per direction. */
static void test_gcm_salt_len(void **state)
{
	assert_int_equal(crypto_encr(ENCR_AES_GCM_16, 256)->key_len, 36);
	assert_int_equal(crypto_encr(ENCR_AES_GCM_16, 128)->key_len, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ike_keys),
	    cmocka_unit_test(test_gcm_salt_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
