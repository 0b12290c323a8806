/*
 * IKE header and payload chain parsing (RFC 7296 §3.1, §3.2), malformed messages, SK/SKF
 * placement, critical bit handling and the wire name tables.
 */
#include "codec_test.h"

#include <stdio.h>
#include <stdlib.h>

static uint8_t pkt[4096];

/* Nonce payload of 16 bytes with next payload np. */
static size_t nonce_pl(uint8_t *out, uint8_t np)
{
	const uint8_t h[4] = {np, 0, 0, 20};
	memcpy(out, h, 4);
	memset(out + 4, 0xab, 16);
	return 20;
}

static void test_hdr_fields(void **state)
{
	struct ike_hdr h;
	uint8_t hdr[28];
	size_t n = ct_hex("0102030405060708 1112131415161718 2e 20 23 20 0000002a 0000001c", hdr,
	                  sizeof(hdr));
	assert_int_equal(n, 28);
	assert_int_equal(ike_hdr_parse(hdr, n, &h), IKE_OK);
	assert_int_equal(h.spi_i[0], 1);
	assert_int_equal(h.spi_i[7], 8);
	assert_int_equal(h.spi_r[0], 0x11);
	assert_int_equal(h.spi_r[7], 0x18);
	assert_int_equal(h.next_payload, PL_SK);
	assert_int_equal(h.version, 0x20);
	assert_int_equal(h.exchange, IKE_AUTH);
	assert_int_equal(h.flags, IKE_FLAG_RESPONSE);
	assert_int_equal(h.msg_id, 42);
	assert_int_equal(h.length, 28);
}

static void test_hdr_truncated(void **state)
{
	struct ike_hdr h;
	size_t n = ct_msg(pkt, sizeof(pkt), 0, NULL, 0);
	assert_int_equal(ike_hdr_parse(pkt, n - 1, &h), IKE_E_SHORT);
	assert_int_equal(ike_hdr_parse(pkt, 0, &h), IKE_E_SHORT);
	struct ike_msg m;
	assert_int_equal(ike_msg_parse(pkt, 27, &m), IKE_E_SHORT);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_int_equal(m.n_pl, 0);
}

static void test_hdr_length_field(void **state)
{
	struct ike_msg m;
	uint8_t chain[20];
	size_t n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, nonce_pl(chain, 0));

	pkt[27] = (uint8_t)(n + 1); /* length > datagram */
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	struct ike_hdr h;
	assert_int_equal(ike_hdr_parse(pkt, n, &h), IKE_E_SHORT);
	pkt[27] = 27; /* length < header */
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	assert_int_equal(ike_hdr_parse(pkt, n, &h), IKE_E_SHORT);
	pkt[27] = (uint8_t)(n - 1); /* length < datagram: fine for dispatch, not for the message */
	assert_int_equal(ike_hdr_parse(pkt, n, &h), IKE_OK);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	pkt[27] = (uint8_t)n;
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_int_equal(m.n_pl, 1);
}

static void test_hdr_version(void **state)
{
	struct ike_msg m;
	size_t n = ct_msg(pkt, sizeof(pkt), 0, NULL, 0);

	pkt[17] = 0x30;
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_VERSION);
	pkt[17] = 0x10;
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_VERSION);
	pkt[17] = 0x21; /* higher minor version: accepted (§2.5) */
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	pkt[17] = 0x20;
	pkt[19] = 0xff; /* reserved flag bits are ignored on receipt (§3.1) */
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_int_equal(m.hdr.flags, 0xff);
	/* version is checked even when the length is wrong too */
	pkt[17] = 0x30;
	assert_int_equal(ike_msg_parse(pkt, n + 10, &m), IKE_E_VERSION);
}

static void test_chain_lengths(void **state)
{
	struct ike_msg m;
	uint8_t chain[64];
	size_t cl = nonce_pl(chain, 0);

	chain[3] = 3; /* payload length < 4 */
	size_t n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	chain[3] = 0;
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	chain[3] = 21; /* overruns the message by one byte */
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	chain[3] = 4; /* valid empty payload, but 16 bytes trail the last one */
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SYNTAX);
	/* next payload announced, none there */
	cl = nonce_pl(chain, PL_KE);
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	/* a truncated generic header */
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, 3);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
	/* header says "no payload" but bytes follow */
	cl = nonce_pl(chain, 0);
	n = ct_msg(pkt, sizeof(pkt), PL_NONE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SYNTAX);
}

/* n vendor payloads of 4 bytes body each. */
static size_t many(uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = out + i * 8;
		p[0] = i + 1 < n ? PL_VENDOR : 0;
		p[1] = 0;
		p[2] = 0;
		p[3] = 8;
		memset(p + 4, (int)i, 4);
	}
	return n * 8;
}

static void test_chain_limit(void **state)
{
	struct ike_msg m;
	uint8_t chain[8 * (IKE_MAX_PAYLOADS + 1)];

	size_t n = ct_msg(pkt, sizeof(pkt), PL_VENDOR, chain, many(chain, IKE_MAX_PAYLOADS));
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_int_equal(m.n_pl, IKE_MAX_PAYLOADS);
	assert_int_equal(m.pl[63].body[0], 63);
	n = ct_msg(pkt, sizeof(pkt), PL_VENDOR, chain, many(chain, IKE_MAX_PAYLOADS + 1));
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_LIMIT);
}

static void test_chain_critical(void **state)
{
	struct ike_msg m;
	uint8_t chain[64];
	size_t cl = nonce_pl(chain, 0);

	/* unknown type 200, non-critical, then the nonce: kept as-is */
	uint8_t u[] = {PL_NONCE, 0x00, 0, 6, 0xde, 0xad};
	uint8_t c2[64];
	memcpy(c2, u, sizeof(u));
	memcpy(c2 + sizeof(u), chain, cl);
	size_t n = ct_msg(pkt, sizeof(pkt), 200, c2, sizeof(u) + cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_int_equal(m.n_pl, 2);
	assert_int_equal(m.pl[0].type, 200);
	assert_false(m.pl[0].critical);
	assert_int_equal(m.pl[0].len, 2);
	assert_int_equal(m.pl[0].body[1], 0xad);
	assert_non_null(ike_msg_find(&m, PL_NONCE));
	assert_null(ike_msg_find(&m, PL_KE));
	/* same, critical */
	c2[1] = IKE_PL_CRITICAL;
	n = ct_msg(pkt, sizeof(pkt), 200, c2, sizeof(u) + cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_CRITICAL);
	assert_int_equal(m.crit_type, 200);
	/* a known payload with the critical bit is fine, and reserved bits are ignored */
	chain[1] = IKE_PL_CRITICAL | 0x7f;
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_true(m.pl[0].critical);
}

static void test_chain_sk(void **state)
{
	struct ike_msg m;
	uint8_t chain[128];
	size_t cl = nonce_pl(chain, PL_SK);
	const uint8_t sk[] = {PL_IDI, 0, 0, 40};

	memcpy(chain + cl, sk, 4);
	memset(chain + cl + 4, 0x55, 36);
	size_t n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl + 40);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_true(m.has_sk);
	assert_int_equal(m.sk_type, PL_SK);
	assert_int_equal(m.sk_first, PL_IDI);
	assert_int_equal(m.sk_off, IKE_HDR_LEN + 20);
	assert_int_equal(m.n_pl, 2);
	assert_int_equal(m.pl[1].type, PL_SK);
	assert_int_equal(m.pl[1].len, 36);

	/* SK followed by another payload: SK must be last */
	chain[cl + 3] = 20;
	chain[cl + 20] = 0;
	chain[cl + 20 + 1] = 0;
	chain[cl + 20 + 2] = 0;
	chain[cl + 20 + 3] = 20;
	chain[cl + 0] = PL_IDI;
	n = ct_msg(pkt, sizeof(pkt), PL_NONCE, chain, cl + 40);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SYNTAX);

	/* SK inside a decrypted chain */
	assert_int_equal(ike_chain_parse(chain + cl, 20, PL_SK, &m), IKE_E_SYNTAX);
	/* ike_chain_parse of a plain chain resets n_pl */
	m.n_pl = 5;
	cl = nonce_pl(chain, 0);
	assert_int_equal(ike_chain_parse(chain, cl, PL_NONCE, &m), IKE_OK);
	assert_int_equal(m.n_pl, 1);
	assert_int_equal(ike_chain_parse(chain, cl + 1, PL_NONCE, &m), IKE_E_SYNTAX);
	assert_int_equal(ike_chain_parse(chain, cl - 1, PL_NONCE, &m), IKE_E_SHORT);
}

static void test_chain_skf(void **state)
{
	struct ike_msg m;
	uint8_t chain[64] = {PL_IDI, 0, 0, 40, 0, 2, 0, 3};

	memset(chain + 8, 0x77, 32);
	size_t n = ct_msg(pkt, sizeof(pkt), PL_SKF, chain, 40);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_OK);
	assert_true(m.has_sk);
	assert_int_equal(m.sk_type, PL_SKF);
	assert_int_equal(m.frag_num, 2);
	assert_int_equal(m.frag_total, 3);
	assert_int_equal(m.sk_off, IKE_HDR_LEN);
	chain[5] = 0; /* fragment 0 */
	n = ct_msg(pkt, sizeof(pkt), PL_SKF, chain, 40);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SYNTAX);
	chain[5] = 4; /* 4 of 3 */
	n = ct_msg(pkt, sizeof(pkt), PL_SKF, chain, 40);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SYNTAX);
	chain[3] = 6; /* too short for the fragment header */
	n = ct_msg(pkt, sizeof(pkt), PL_SKF, chain, 6);
	assert_int_equal(ike_msg_parse(pkt, n, &m), IKE_E_SHORT);
}

static void test_names(void **state)
{
	static const uint8_t pls[] = {
	    PL_NONE,   PL_SA,     PL_KE,     PL_IDI, PL_IDR, PL_CERT, PL_CERTREQ, PL_AUTH, PL_NONCE,
	    PL_NOTIFY, PL_DELETE, PL_VENDOR, PL_TSI, PL_TSR, PL_SK,   PL_CP,      PL_EAP,  PL_SKF};
	static const uint16_t ns[] = {N_UNSUPPORTED_CRITICAL_PAYLOAD,
	                              N_INVALID_IKE_SPI,
	                              N_INVALID_MAJOR_VERSION,
	                              N_INVALID_SYNTAX,
	                              N_INVALID_MESSAGE_ID,
	                              N_INVALID_SPI,
	                              N_NO_PROPOSAL_CHOSEN,
	                              N_INVALID_KE_PAYLOAD,
	                              N_AUTHENTICATION_FAILED,
	                              N_SINGLE_PAIR_REQUIRED,
	                              N_NO_ADDITIONAL_SAS,
	                              N_INTERNAL_ADDRESS_FAILURE,
	                              N_FAILED_CP_REQUIRED,
	                              N_TS_UNACCEPTABLE,
	                              N_INVALID_SELECTORS,
	                              N_TEMPORARY_FAILURE,
	                              N_CHILD_SA_NOT_FOUND,
	                              N_INITIAL_CONTACT,
	                              N_SET_WINDOW_SIZE,
	                              N_ADDITIONAL_TS_POSSIBLE,
	                              N_IPCOMP_SUPPORTED,
	                              N_NAT_DETECTION_SOURCE_IP,
	                              N_NAT_DETECTION_DESTINATION_IP,
	                              N_COOKIE,
	                              N_USE_TRANSPORT_MODE,
	                              N_HTTP_CERT_LOOKUP_SUPPORTED,
	                              N_REKEY_SA,
	                              N_ESP_TFC_PADDING_NOT_SUPPORTED,
	                              N_NON_FIRST_FRAGMENTS_ALSO,
	                              N_MOBIKE_SUPPORTED,
	                              N_MULTIPLE_AUTH_SUPPORTED,
	                              N_REDIRECT_SUPPORTED,
	                              N_IKEV2_FRAGMENTATION_SUPPORTED,
	                              N_SIGNATURE_HASH_ALGORITHMS};

	for (size_t i = 0; i < sizeof(pls); i++)
		assert_string_not_equal(ike_payload_name(pls[i]), "UNKNOWN");
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		assert_string_not_equal(ike_notify_name(ns[i]), "UNKNOWN");
	for (uint8_t x = IKE_SA_INIT; x <= INFORMATIONAL; x++)
		assert_string_not_equal(ike_exchange_name(x), "UNKNOWN");
	assert_string_equal(ike_exchange_name(IKE_AUTH), "IKE_AUTH");
	assert_string_equal(ike_payload_name(PL_NONCE), "No");
	assert_string_equal(ike_notify_name(N_COOKIE), "COOKIE");
	assert_string_equal(ike_exchange_name(33), "UNKNOWN");
	assert_string_equal(ike_payload_name(99), "UNKNOWN");
	assert_string_equal(ike_notify_name(9999), "UNKNOWN");
	assert_string_equal(ike_parse_err_name(IKE_E_CRITICAL), "unsupported critical payload");
	assert_string_equal(ike_parse_err_name(-99), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hdr_fields),       cmocka_unit_test(test_hdr_truncated),
	    cmocka_unit_test(test_hdr_length_field), cmocka_unit_test(test_hdr_version),
	    cmocka_unit_test(test_chain_lengths),    cmocka_unit_test(test_chain_limit),
	    cmocka_unit_test(test_chain_critical),   cmocka_unit_test(test_chain_sk),
	    cmocka_unit_test(test_chain_skf),        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
