/*
 * SK and SKF protection (RFC 7296 §3.14, RFC 5282, RFC 7383): round trips with every supported
 * algorithm, tampering anywhere in the message, wrong keys, bad padding, short bodies, and
 * known-answer messages produced by another implementation (AOSP's IKE library test vectors,
 * packages/modules/IPsec IkeEncryptedPayloadBodyTest, Apache-2.0): AES-CBC-128/HMAC-SHA1-96 SK,
 * AES-GCM-256 SK, AES-GCM-256 SKF.
 */
#include "codec_test.h"

#include <stdlib.h>

struct keyset {
	struct ike_sk_keys out, in; /* out: encrypting side, in: decrypting side */
};

static void keys_make(struct keyset *ks, uint16_t encr, uint16_t bits, uint16_t integ, uint8_t seed)
{
	uint8_t ek[64], ik[64];

	for (size_t i = 0; i < sizeof(ek); i++) {
		ek[i] = (uint8_t)(seed + i);
		ik[i] = (uint8_t)(seed * 3 + i);
	}
	memset(ks, 0, sizeof(*ks));
	const struct encr_alg *e = crypto_encr(encr, bits);
	assert_non_null(e);
	ks->out.encr = ks->in.encr = e;
	ks->out.cipher = cipher_new(e, ek, e->key_len, true);
	ks->in.cipher = cipher_new(e, ek, e->key_len, false);
	assert_non_null(ks->out.cipher);
	assert_non_null(ks->in.cipher);
	if (integ != AUTH_NONE) {
		const struct integ_alg *a = crypto_integ(integ);
		assert_non_null(a);
		ks->out.integ = ks->in.integ = a;
		ks->out.mac = mac_new(a, ik, a->key_len);
		ks->in.mac = mac_new(a, ik, a->key_len);
		assert_non_null(ks->out.mac);
		assert_non_null(ks->in.mac);
	}
}

static void keys_free(struct keyset *ks)
{
	cipher_free(ks->out.cipher);
	cipher_free(ks->in.cipher);
	mac_free(ks->out.mac);
	mac_free(ks->in.mac);
}

static const struct {
	uint16_t encr, bits, integ;
} algs[] = {
    {ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96},      {ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128},
    {ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_384_192}, {ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_512_256},
    {ENCR_AES_CBC, 192, AUTH_HMAC_SHA1_96},      {ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_256_128},
    {ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_384_192}, {ENCR_AES_CBC, 192, AUTH_HMAC_SHA2_512_256},
    {ENCR_AES_CBC, 256, AUTH_HMAC_SHA1_96},      {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128},
    {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_384_192}, {ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_512_256},
    {ENCR_AES_GCM_16, 128, AUTH_NONE},           {ENCR_AES_GCM_16, 256, AUTH_NONE},
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static const struct ike_hdr hdr = {
    .spi_i = {1, 1, 1, 1, 1, 1, 1, 1},
    .spi_r = {2, 2, 2, 2, 2, 2, 2, 2},
    .exchange = IKE_AUTH,
    .flags = IKE_FLAG_INITIATOR,
    .msg_id = 1,
};

static uint8_t msg[4096], copy[4096];

/* IKE_AUTH-like inner chain: IDi, AUTH, V with vlen bytes. Returns the message length. */
static int build_auth(const struct ike_sk_keys *k, size_t vlen, bool outer_notify)
{
	struct ike_builder b;
	uint8_t id[4] = {198, 51, 100, 1}, auth[32], v[64];

	memset(auth, 0xa5, sizeof(auth));
	memset(v, 0x56, sizeof(v));
	ike_build_begin(&b, msg, sizeof(msg), &hdr);
	if (outer_notify)
		ike_add_notify(&b, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	assert_int_equal(ike_build_sk_begin(&b), 0);
	assert_int_equal(ike_add_id(&b, PL_IDI, ID_IPV4_ADDR, id, 4), 0);
	assert_int_equal(ike_add_auth(&b, AUTH_SHARED_KEY_MIC, auth, sizeof(auth)), 0);
	if (vlen)
		assert_int_equal(ike_add_vendor(&b, v, vlen), 0);
	assert_int_equal(ike_build_sk_end(&b, k), 0);
	/* SK must be last: nothing may be added after it */
	if (vlen == 1) {
		struct ike_builder b2 = b;
		assert_int_equal(ike_add_vendor(&b2, v, 4), -1);
		assert_int_equal(ike_build_end(&b2), -1);
	}
	return ike_build_end(&b);
}

static void check_inner(const uint8_t *plain, size_t plain_len, uint8_t first, size_t vlen)
{
	struct ike_msg in;
	struct ike_id_pl id;
	struct ike_auth_pl a;

	assert_int_equal(first, PL_IDI);
	assert_int_equal(ike_chain_parse(plain, plain_len, first, &in), IKE_OK);
	assert_int_equal(in.n_pl, vlen ? 3 : 2);
	assert_int_equal(ike_parse_id(&in.pl[0], &id), IKE_OK);
	assert_int_equal(id.data[0], 198);
	assert_int_equal(in.pl[1].type, PL_AUTH);
	assert_int_equal(ike_parse_auth(&in.pl[1], &a), IKE_OK);
	assert_int_equal(a.len, 32);
	assert_int_equal(a.data[31], 0xa5);
	if (vlen) {
		assert_int_equal(in.pl[2].type, PL_VENDOR);
		assert_int_equal(in.pl[2].len, vlen);
	}
}

static void test_sk_roundtrip(void **state)
{
	for (size_t ai = 0; ai < N_ALGS; ai++) {
		struct keyset ks;
		keys_make(&ks, algs[ai].encr, algs[ai].bits, algs[ai].integ, (uint8_t)ai);
		for (size_t vlen = 0; vlen <= 40; vlen++) {
			int len = build_auth(&ks.out, vlen, vlen == 7);
			assert_true(len > 0);
			struct ike_msg m;
			assert_int_equal(ike_msg_parse(msg, (size_t)len, &m), IKE_OK);
			assert_true(m.has_sk);
			assert_int_equal(m.sk_type, PL_SK);
			assert_int_equal(m.n_pl, vlen == 7 ? 2 : 1);
			/* the AUTH bytes do not appear in clear */
			assert_null(
			    memmem(msg, (size_t)len, "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5", 8));
			/* CBC: IV + ciphertext + ICV; ciphertext whole blocks */
			size_t icv = ks.out.encr->aead ? 16 : ks.out.integ->icv_len;
			size_t ct = m.pl[m.n_pl - 1].len - ks.out.encr->iv_len - icv;
			assert_int_equal(ct % ks.out.encr->block_len, 0);
			uint8_t *plain;
			size_t plain_len;
			assert_int_equal(
			    ike_sk_open(msg, (size_t)len, &m, &ks.in, &plain, &plain_len), IKE_OK);
			assert_int_equal(plain_len, 12 + 40 + (vlen ? 4 + vlen : 0));
			assert_true(ct - plain_len - 1 < ks.out.encr->block_len); /* minimal pad */
			check_inner(plain, plain_len, m.sk_first, vlen);
		}
		/* a fresh IV every time: two builds of the same content differ */
		int l1 = build_auth(&ks.out, 5, false);
		memcpy(copy, msg, (size_t)l1);
		int l2 = build_auth(&ks.out, 5, false);
		assert_int_equal(l1, l2);
		assert_memory_not_equal(copy, msg, (size_t)l1);
		keys_free(&ks);
	}
}

/* Every single-bit flip anywhere in the message makes it fail; past the IKE header's length
 * field it fails the integrity check in particular. */
static void test_sk_tamper(void **state)
{
	for (size_t ai = 0; ai < N_ALGS; ai++) {
		struct keyset ks;
		keys_make(&ks, algs[ai].encr, algs[ai].bits, algs[ai].integ, (uint8_t)(ai + 50));
		int len = build_auth(&ks.out, 13, false);
		memcpy(copy, msg, (size_t)len);
		for (size_t i = 0; i < (size_t)len; i++) {
			for (int bit = 0; bit < 8; bit += 7) {
				struct ike_msg m;
				uint8_t *plain;
				size_t pl;
				memcpy(msg, copy, (size_t)len);
				msg[i] ^= (uint8_t)(1u << bit);
				int err = ike_msg_parse(msg, (size_t)len, &m);
				if (err == IKE_OK)
					err =
					    ike_sk_open(msg, (size_t)len, &m, &ks.in, &plain, &pl);
				assert_int_not_equal(err, IKE_OK);
				bool lenfield = (i >= 24 && i < 28) || i == IKE_HDR_LEN + 2 ||
				                i == IKE_HDR_LEN + 3 || i == 16 || i == 17;
				if (!lenfield)
					assert_int_equal(err, IKE_E_INTEGRITY);
			}
		}
		keys_free(&ks);
	}
}

static void test_sk_wrong_key(void **state)
{
	for (size_t ai = 0; ai < N_ALGS; ai++) {
		struct keyset ks, other;
		keys_make(&ks, algs[ai].encr, algs[ai].bits, algs[ai].integ, 1);
		keys_make(&other, algs[ai].encr, algs[ai].bits, algs[ai].integ, 2);
		int len = build_auth(&ks.out, 3, false);
		struct ike_msg m;
		uint8_t *plain;
		size_t pl;
		assert_int_equal(ike_msg_parse(msg, (size_t)len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, (size_t)len, &m, &other.in, &plain, &pl),
		                 IKE_E_INTEGRITY);
		assert_null(plain);
		/* the encrypting context cannot open (GCM: wrong direction) or a mismatched set */
		struct ike_sk_keys bad = ks.in;
		bad.integ = NULL;
		if (!ks.in.encr->aead)
			assert_int_equal(ike_sk_open(msg, (size_t)len, &m, &bad, &plain, &pl),
			                 IKE_E_CRYPTO);
		keys_free(&ks);
		keys_free(&other);
	}
}

/* Hand-seals plaintext pt as an SK payload with the crypto API directly (independent of
 * msg_sk.c) so that malformed plaintexts (bad pad length) can be presented with a valid ICV. */
static size_t seal_raw(const struct ike_sk_keys *k, const uint8_t *pt, size_t pt_len)
{
	size_t iv = k->encr->iv_len, icv = k->encr->aead ? k->encr->icv_len : k->integ->icv_len;
	size_t len = IKE_HDR_LEN + 4 + iv + pt_len + icv;
	uint8_t chain[4] = {PL_IDI, 0, (uint8_t)((len - IKE_HDR_LEN) >> 8),
	                    (uint8_t)(len - IKE_HDR_LEN)};

	ct_msg(msg, sizeof(msg), PL_SK, chain, 4);
	msg[24] = msg[25] = 0;
	msg[26] = (uint8_t)(len >> 8);
	msg[27] = (uint8_t)len;
	uint8_t *ivp = msg + IKE_HDR_LEN + 4;
	memset(ivp, 0x3c, iv);
	memcpy(ivp + iv, pt, pt_len);
	if (k->encr->aead) {
		assert_int_equal(cipher_gcm_seal(k->cipher, ivp, msg, IKE_HDR_LEN + 4, ivp + iv,
		                                 pt_len, ivp + iv + pt_len),
		                 0);
	} else {
		assert_int_equal(cipher_cbc(k->cipher, ivp, ivp + iv, pt_len), 0);
		assert_int_equal(mac_compute(k->mac, msg, len - icv, msg + len - icv), 0);
	}
	return len;
}

static void test_sk_padding(void **state)
{
	for (size_t ai = 0; ai < N_ALGS; ai++) {
		struct keyset ks;
		keys_make(&ks, algs[ai].encr, algs[ai].bits, algs[ai].integ, 9);
		size_t bs = ks.out.encr->aead ? 4 : 16;
		uint8_t pt[32] = {0};
		struct ike_msg m;
		uint8_t *plain;
		size_t pl;

		/* pad length = all the rest of the block: empty inner chain */
		pt[bs - 1] = (uint8_t)(bs - 1);
		size_t len = seal_raw(&ks.out, pt, bs);
		assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_OK);
		assert_int_equal(pl, 0);
		/* pad length one more than there is */
		pt[bs - 1] = (uint8_t)bs;
		len = seal_raw(&ks.out, pt, bs);
		assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_E_SYNTAX);
		pt[bs - 1] = 255;
		len = seal_raw(&ks.out, pt, bs);
		assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_E_SYNTAX);
		/* a big pad that fits (any value up to 255 is allowed): 2 blocks, pad 2*bs-1 */
		pt[bs - 1] = 0;
		pt[2 * bs - 1] = (uint8_t)(2 * bs - 1);
		len = seal_raw(&ks.out, pt, 2 * bs);
		assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_OK);
		assert_int_equal(pl, 0);
		keys_free(&ks);
	}
}

static void test_sk_short(void **state)
{
	struct keyset ks;
	struct ike_msg m;
	uint8_t *plain;
	size_t pl;
	uint8_t body[64] = {0};

	keys_make(&ks, ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128, 3);
	/* IV + ICV + 15 bytes: less than one block */
	for (size_t bl = 0; bl < 16 + 16 + 16; bl++) {
		uint8_t chain[80] = {PL_IDI, 0, 0, (uint8_t)(4 + bl)};
		memcpy(chain + 4, body, bl);
		size_t len = ct_msg(msg, sizeof(msg), PL_SK, chain, 4 + bl);
		assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
		assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_E_SHORT);
	}
	/* a ciphertext that is not whole blocks */
	uint8_t chain[80] = {PL_IDI, 0, 0, 4 + 16 + 17 + 16};
	size_t len = ct_msg(msg, sizeof(msg), PL_SK, chain, 4 + 16 + 17 + 16);
	assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
	assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_E_SYNTAX);
	/* no SK at all */
	len = ct_msg(msg, sizeof(msg), PL_NONE, NULL, 0);
	assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
	assert_int_equal(ike_sk_open(msg, len, &m, &ks.in, &plain, &pl), IKE_E_SYNTAX);
	keys_free(&ks);
}

static void test_sk_build_misuse(void **state)
{
	struct keyset ks;
	struct ike_builder b;

	keys_make(&ks, ENCR_AES_GCM_16, 128, AUTH_NONE, 4);
	/* end without begin */
	ike_build_begin(&b, msg, sizeof(msg), &hdr);
	assert_int_equal(ike_build_sk_end(&b, &ks.out), -1);
	/* build_end while the SK is open */
	ike_build_begin(&b, msg, sizeof(msg), &hdr);
	ike_build_sk_begin(&b);
	assert_int_equal(ike_build_end(&b), -1);
	/* two SKs */
	ike_build_begin(&b, msg, sizeof(msg), &hdr);
	ike_build_sk_begin(&b);
	assert_int_equal(ike_build_sk_begin(&b), -1);
	/* no room for IV/pad/ICV */
	ike_build_begin(&b, msg, IKE_HDR_LEN + 4 + 8, &hdr);
	ike_build_sk_begin(&b);
	assert_int_equal(ike_build_sk_end(&b, &ks.out), -1);
	assert_int_equal(ike_build_end(&b), -1);
	/* an empty SK (INFORMATIONAL liveness check) round-trips */
	ike_build_begin(&b, msg, sizeof(msg), &hdr);
	ike_build_sk_begin(&b);
	assert_int_equal(ike_build_sk_end(&b, &ks.out), 0);
	int len = ike_build_end(&b);
	assert_int_equal(len, IKE_HDR_LEN + 4 + 8 + 4 + 16);
	struct ike_msg m;
	uint8_t *plain;
	size_t pl;
	assert_int_equal(ike_msg_parse(msg, (size_t)len, &m), IKE_OK);
	assert_int_equal(m.sk_first, PL_NONE);
	assert_int_equal(ike_sk_open(msg, (size_t)len, &m, &ks.in, &plain, &pl), IKE_OK);
	assert_int_equal(pl, 0);
	assert_int_equal(ike_chain_parse(plain, pl, m.sk_first, &m), IKE_OK);
	assert_int_equal(m.n_pl, 0);
	keys_free(&ks);
}

/* Builds a large inner chain, fragments it with SKF, opens and reassembles every fragment. */
static void test_skf_roundtrip(void **state)
{
	static uint8_t full[8192], frag[1500], joined[8192];
	uint8_t cert[3000];

	for (size_t i = 0; i < sizeof(cert); i++)
		cert[i] = (uint8_t)(i * 7);
	for (size_t ai = 0; ai < N_ALGS; ai += 3) {
		struct keyset ks;
		struct ike_builder b;
		keys_make(&ks, algs[ai].encr, algs[ai].bits, algs[ai].integ, 77);
		ike_build_begin(&b, full, sizeof(full), &hdr);
		ike_build_sk_begin(&b);
		ike_add_cert(&b, PL_CERT, CERT_X509_SIGNATURE, cert, sizeof(cert));
		ike_add_auth(&b, AUTH_RSA_SIG, cert, 256);
		const uint8_t *inner;
		size_t inner_len;
		uint8_t first;
		assert_int_equal(ike_build_sk_plain(&b, &inner, &inner_len, &first), 0);
		assert_int_equal(first, PL_CERT);
		assert_int_equal(inner_len, 4 + 1 + sizeof(cert) + 4 + 4 + 256);

		size_t per = ike_skf_max_data(&ks.out, 1280);
		assert_true(per > 1100 && per < 1280);
		uint16_t total = (uint16_t)((inner_len + per - 1) / per);
		assert_int_equal(total, 3);
		size_t got = 0;
		for (uint16_t num = 1; num <= total; num++) {
			size_t off = (num - 1) * per;
			size_t n = inner_len - off < per ? inner_len - off : per;
			int len = ike_build_skf(frag, sizeof(frag), &hdr, first, num, total,
			                        inner + off, n, &ks.out);
			assert_true(len > 0 && len <= 1280);
			struct ike_msg m;
			assert_int_equal(ike_msg_parse(frag, (size_t)len, &m), IKE_OK);
			assert_int_equal(m.sk_type, PL_SKF);
			assert_int_equal(m.frag_num, num);
			assert_int_equal(m.frag_total, total);
			assert_int_equal(m.sk_first, num == 1 ? PL_CERT : PL_NONE);
			uint8_t *plain;
			size_t pl;
			assert_int_equal(ike_sk_open(frag, (size_t)len, &m, &ks.in, &plain, &pl),
			                 IKE_OK);
			assert_int_equal(pl, n);
			memcpy(joined + got, plain, pl);
			got += pl;
			/* flipping the fragment number is detected */
			len = ike_build_skf(frag, sizeof(frag), &hdr, first, num, total,
			                    inner + off, n, &ks.out);
			frag[IKE_HDR_LEN + 5] ^= 0x10;
			assert_int_equal(ike_msg_parse(frag, (size_t)len, &m), IKE_E_SYNTAX);
			frag[IKE_HDR_LEN + 7] ^= 0x10; /* total too: still consistent */
			if (ike_msg_parse(frag, (size_t)len, &m) == IKE_OK)
				assert_int_equal(
				    ike_sk_open(frag, (size_t)len, &m, &ks.in, &plain, &pl),
				    IKE_E_INTEGRITY);
		}
		assert_int_equal(got, inner_len);
		assert_memory_equal(joined, inner, inner_len);
		struct ike_msg in;
		assert_int_equal(ike_chain_parse(joined, got, first, &in), IKE_OK);
		assert_int_equal(in.n_pl, 2);
		assert_int_equal(in.pl[0].len, 1 + sizeof(cert));
		/* bad fragment numbers are refused by the builder */
		assert_int_equal(
		    ike_build_skf(frag, sizeof(frag), &hdr, first, 0, 2, inner, 4, &ks.out), -1);
		assert_int_equal(
		    ike_build_skf(frag, sizeof(frag), &hdr, first, 3, 2, inner, 4, &ks.out), -1);
		keys_free(&ks);
	}
}

static void open_vector(const char *msg_hex, uint16_t encr, uint16_t bits, uint16_t integ,
                        const char *ek_hex, const char *ik_hex, const char *plain_hex,
                        uint8_t sk_type)
{
	static uint8_t plain_want[512];
	uint8_t ek[64], ik[64];
	struct ike_sk_keys k = {0};
	struct ike_msg m;
	uint8_t *plain;
	size_t pl;

	size_t len = ct_hex(msg_hex, msg, sizeof(msg));
	size_t pw = ct_hex(plain_hex, plain_want, sizeof(plain_want));
	k.encr = crypto_encr(encr, bits);
	size_t ekl = ct_hex(ek_hex, ek, sizeof(ek));
	assert_int_equal(ekl, k.encr->key_len);
	k.cipher = cipher_new(k.encr, ek, ekl, false);
	if (ik_hex) {
		k.integ = crypto_integ(integ);
		size_t ikl = ct_hex(ik_hex, ik, sizeof(ik));
		k.mac = mac_new(k.integ, ik, ikl);
	}
	assert_int_equal(ike_msg_parse(msg, len, &m), IKE_OK);
	assert_int_equal(m.sk_type, sk_type);
	memcpy(copy, msg, len);
	assert_int_equal(ike_sk_open(msg, len, &m, &k, &plain, &pl), IKE_OK);
	assert_int_equal(pl, pw);
	assert_memory_equal(plain, plain_want, pw);
	/* and with one bit flipped in the header's message ID: refused */
	copy[23] ^= 1;
	assert_int_equal(ike_msg_parse(copy, len, &m), IKE_OK);
	assert_int_equal(ike_sk_open(copy, len, &m, &k, &plain, &pl), IKE_E_INTEGRITY);
	cipher_free(k.cipher);
	mac_free(k.mac);
}

static void test_sk_vectors(void **state)
{
	/* IKE_AUTH request, AES-CBC-128 + HMAC-SHA1-96 */
	open_vector("5f54bf6d8b48e6e1909232b3d1edcb5c2e20230800000001000000ec"
	            "230000d0"
	            "b9132b7bb9f658dfdc648e5017a6322a"
	            "030c316ce55f365760d46426ce5cfc78bd1ed9abff63eb9594c1bd58"
	            "46de333ecd3ea2b705d18293b130395300ba92a351041345"
	            "0a10525cea51b2753b4e92b081fd78d995659a98f742278f"
	            "f9b8fd3e21554865c15c79a5134d66b2744966089e416c60"
	            "a274e44a9a3f084eb02f3bdce1e7de9de8d9a62773ab563b"
	            "9a69ba1db03c752acb6136452b8a86c41addb4210d68c423"
	            "efed80e26edca5fa3fe5d0a5ca9375ce332c474b93fb1fa3"
	            "59eb4e81"
	            "ae6e0f22abdad69ba8007d50",
	            ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96, "5cbfd33f75796c0188c4a3a546aec4a1",
	            "554fbf5a05b7f511e05a30ce23d874db9ef55e51",
	            "2400000c010000000a50500d2700000c010000000a505050"
	            "2100001c02000000df7c038aefaaa32d3f44b228b52a3327"
	            "44dfb2c12c00002c00000028010304032ad4c0a20300000c"
	            "0100000c800e008003000008030000020000000805000000"
	            "2d00001801000000070000100000ffff00000000ffffffff"
	            "2900001801000000070000100000ffff00000000ffffffff"
	            "29000008000040000000000c0000400100000001",
	            PL_SK);
	/* AES-GCM-16-256 SK (AAD = IKE header + SK header) */
	open_vector(
	    "77c708b4523e39a471dc683c1d4f21362e20230800000005"
	    "0000006127000045fbd69d9ee2dafc5e7c03a0106761065b2"
	    "8fa8d11aed6046f7f8af117e44da7635be6e0dfafcb0a387c"
	    "53fb46ba5d6fa9509161915929de97b7fbe23dc65723b0fe",
	    ENCR_AES_GCM_16, 256, AUTH_NONE,
	    "7C04513660DEC572D896105254EF92608054F8E6EE19E79CE52AB8697B2B5F2C2AA90C29", NULL,
	    "000000280200000033233837e909ec805d56151bef5b1fa9b8e25b32419c9b3fc96ee699ec29d501",
	    PL_SK);
}

static void test_skf_vector(void **state)
{
	/* AES-GCM-16-256 SKF, fragment 2 of 2 (AAD = IKE header + SKF header, RFC 7383): the
	 * sender used no padding (pad length 0), its whole 214-byte slice is given. */
	open_vector("77c708b4523e39a471dc683c1d4f213635202320000000010"
	            "0000113000000f7000200026faf9e5c04c67571871681d443"
	            "01489f99fd78d318b0517a5a99bf6a3e1770f43d7d997c9e0"
	            "d186038d16df3fd525eda821f80b3a40fc6bce397ac67539e"
	            "40042919a5e9af38c70881d092a8571f0e131f594c0e8d6b8"
	            "4ea116f0c95619439b0a267b35bc47dac72bbfb3d3776feb3"
	            "86d7d4f819b0248f52f60bf4371ab6384e37819a9685c27d8"
	            "e41abe30cd6f60905dd5c05c351ec0a1fcf9b99360161d2f3"
	            "4dcf6401829df9392121d88e2201d279200e25d750678af6a"
	            "7f4892a5c8d4a7358ec50cdf12cfa7652488f756ba6d07441"
	            "e9a27aad3976ac8a705ff796857cb2df9ce360c3992e0285b"
	            "34834255b06",
	            ENCR_AES_GCM_16, 256, AUTH_NONE,
	            "955ED949D6F18857220E97B17D9285C830A39F8D4DC46AB43943668093C62A3D66664F8C",
	            NULL,
	            "0fce6e996f4936ec8db8097339c371c686be75f4bed3f259c"
	            "14d39c3ad90cb864085c6375f75b724d9f9daa8e7b22a106a"
	            "488bc48c081997b7416fd33b146882e51ff6a640edf760212"
	            "7f2454d502e92262ba3dd07cff52ee1bb1ea85f582db41a68"
	            "aaf6dace362e5d8b10cfeb65eebc7572690e2c415a11cae57"
	            "020810cf7aa56d9f2d5c2be3a633f8e4c6af5483a2b1f05bd"
	            "4340ab551ddf7f51def57eaf5a37793ff6aa1e1ec288a2adf"
	            "a647c369f15efa61a619966a320f24e1765c0e00c5ed394aa"
	            "ef14512032b005827c000000090100000501",
	            PL_SKF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sk_roundtrip),  cmocka_unit_test(test_sk_tamper),
	    cmocka_unit_test(test_sk_wrong_key),  cmocka_unit_test(test_sk_padding),
	    cmocka_unit_test(test_sk_short),      cmocka_unit_test(test_sk_build_misuse),
	    cmocka_unit_test(test_skf_roundtrip), cmocka_unit_test(test_sk_vectors),
	    cmocka_unit_test(test_skf_vector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
