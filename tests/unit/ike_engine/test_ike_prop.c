/*
 * Proposal selection, NAT detection hashes and traffic selectors, table-driven.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ike/ike_nat.h"
#include "ike/ike_prop.h"
#include "ike/ike_ts.h"

struct xf {
	uint8_t type;
	uint16_t id, bits;
};

static void mk(struct ike_proposal *p, uint8_t num, uint8_t proto, const struct xf *x, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->protocol = proto;
	for (size_t i = 0; i < n && x[i].type; i++)
		p->xf[p->n_xf++] = (struct ike_transform){x[i].type, x[i].id, x[i].bits, false};
}

#define E(id, b)                                                                                   \
	{                                                                                          \
		XFORM_ENCR, id, b                                                                  \
	}
#define I(id)                                                                                      \
	{                                                                                          \
		XFORM_INTEG, id, 0                                                                 \
	}
#define PR(id)                                                                                     \
	{                                                                                          \
		XFORM_PRF, id, 0                                                                   \
	}
#define D(id)                                                                                      \
	{                                                                                          \
		XFORM_DH, id, 0                                                                    \
	}
#define N(id)                                                                                      \
	{                                                                                          \
		XFORM_ESN, id, 0                                                                   \
	}

struct row {
	const char *name;
	struct xf ours[2][8];
	struct xf peer[3][8];
	int expect; /* chosen peer proposal num, 0 = none */
	uint16_t encr_bits, integ, dh;
};

static const struct row rows[] = {
    {"exact",
     {{E(12, 256), I(12), PR(5), D(19)}},
     {{E(12, 256), I(12), PR(5), D(19)}},
     1,
     256,
     12,
     19},
    {"key length must match",
     {{E(12, 256), I(12), PR(5), D(19)}},
     {{E(12, 128), I(12), PR(5), D(19)}},
     0,
     0,
     0,
     0},
    {"peer order within a type",
     {{E(12, 256), I(2), I(12), PR(5), D(19), D(20)}},
     {{E(12, 256), I(12), I(2), PR(5), D(20), D(19)}},
     1,
     256,
     12,
     20},
    {"unknown transforms skipped",
     {{E(12, 128), I(12), PR(5), D(19)}},
     {{E(3, 0), E(12, 128), I(99), I(12), PR(77), PR(5), D(31), D(19)}},
     1,
     128,
     12,
     19},
    {"peer preference across proposals",
     {{E(20, 256), PR(6), D(20)}, {E(12, 128), I(2), PR(2), D(19)}},
     {{E(12, 128), I(2), PR(2), D(19)}, {E(20, 256), PR(6), D(20)}},
     1,
     128,
     2,
     19},
    {"second proposal",
     {{E(20, 256), PR(6), D(20)}},
     {{E(12, 128), I(2), PR(2), D(19)}, {E(20, 256), PR(6), D(20)}},
     2,
     256,
     0,
     20},
    {"missing dh", {{E(12, 128), I(2), PR(2), D(19)}}, {{E(12, 128), I(2), PR(2)}}, 0, 0, 0, 0},
    {"gcm with integ none ok",
     {{E(20, 128), PR(5), D(19)}},
     {{E(20, 128), I(0), PR(5), D(19)}},
     1,
     128,
     0,
     19},
    {"gcm with real integ rejected",
     {{E(20, 128), PR(5), D(19)}},
     {{E(20, 128), I(12), PR(5), D(19)}},
     0,
     0,
     0,
     0},
};

static void test_select_table(void **state)
{
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct ike_sa_pl ours = {0}, peer = {0};
		for (int i = 0; i < 2 && rows[r].ours[i][0].type; i++)
			mk(&ours.prop[ours.n_prop++], i + 1, PROTO_IKE, rows[r].ours[i], 8);
		for (int i = 0; i < 3 && rows[r].peer[i][0].type; i++)
			mk(&peer.prop[peer.n_prop++], i + 1, PROTO_IKE, rows[r].peer[i], 8);
		struct ike_prop_sel sel;
		int rc = ike_prop_select(&ours, &peer, PROTO_IKE, &sel);
		if (!rows[r].expect) {
			if (rc != -1)
				fail_msg("row '%s': expected no match", rows[r].name);
			continue;
		}
		if (rc != 0)
			fail_msg("row '%s': expected a match", rows[r].name);
		assert_int_equal(sel.num, rows[r].expect);
		assert_int_equal(sel.bits[XFORM_ENCR], rows[r].encr_bits);
		assert_int_equal(sel.id[XFORM_INTEG], rows[r].integ);
		assert_int_equal(sel.id[XFORM_DH], rows[r].dh);
		/* the answer built from it passes the initiator's check against what it offered */
		struct ike_sa_pl reply, chk;
		ike_prop_to_pl(&sel, &reply);
		struct ike_prop_sel s2;
		assert_int_equal(ike_prop_check_reply(&peer, &reply, PROTO_IKE, &s2), 0);
		assert_int_equal(s2.id[XFORM_DH], rows[r].dh);
		/* a reply with a transform the initiator never offered is refused */
		chk = reply;
		chk.prop[0].xf[0].key_bits = 192;
		assert_int_equal(ike_prop_check_reply(&peer, &chk, PROTO_IKE, &s2), -1);
	}
}

static void test_build_split_aead(void **state)
{
	struct ike_cfg_proposal props[1] = {0};
	struct ike_cfg_tunnel t = {.proposals = props};
	struct ike_cfg_proposal *p = &t.proposals[0];
	p->encr[0] = ENCR_AES_GCM_16, p->encr_bits[0] = 256;
	p->encr[1] = ENCR_AES_CBC, p->encr_bits[1] = 128;
	p->n_encr = 2;
	p->integ[0] = AUTH_HMAC_SHA2_256_128, p->n_integ = 1;
	p->prf[0] = PRF_HMAC_SHA2_256, p->n_prf = 1;
	p->dh[0] = DH_ECP_384, p->dh[1] = DH_ECP_256, p->n_dh = 2;
	t.n_proposals = 1;
	struct ike_sa_pl pl;
	assert_int_equal(ike_prop_build_ike(&t, &pl), 2);
	assert_int_equal(pl.prop[0].num, 1);
	assert_int_equal(pl.prop[0].n_xf, 4); /* GCM, PRF, 2 DH: no INTEG */
	assert_int_equal(pl.prop[1].n_xf, 5); /* CBC, PRF, INTEG, 2 DH */
	assert_int_equal(ike_prop_first_dh(&pl), DH_ECP_384);
	assert_true(ike_prop_has_dh(&pl, DH_ECP_256));
	assert_false(ike_prop_has_dh(&pl, DH_ECP_521));
	t.esp[0] = (struct ike_cfg_esp){"a", ENCR_AES_CBC, 128, AUTH_HMAC_SHA1_96};
	t.esp[1] = (struct ike_cfg_esp){"b", ENCR_AES_GCM_16, 256, AUTH_NONE};
	t.n_esp = 2;
	assert_int_equal(ike_prop_build_esp(&t, 0x11223344, 0, &pl), 2);
	assert_int_equal(pl.prop[0].spi_len, 4);
	assert_int_equal(pl.prop[0].spi[0], 0x11);
	assert_int_equal(pl.prop[0].n_xf, 3); /* ENCR, INTEG, ESN */
	assert_int_equal(pl.prop[1].n_xf, 2); /* ENCR, ESN */
	/* an ESP proposal without an ESN transform is accepted as "no ESN" */
	struct ike_sa_pl peer = pl;
	peer.prop[1].n_xf = 1;
	struct ike_prop_sel sel;
	peer.n_prop = 1;
	peer.prop[0] = pl.prop[1];
	peer.prop[0].n_xf = 1;
	assert_int_equal(ike_prop_select(&pl, &peer, PROTO_ESP, &sel), 0);
	assert_false(sel.has[XFORM_ESN]);
}

static void test_nat_hash(void **state)
{
	/* SHA-1 over SPIi | SPIr | addr | port, checked by flipping each part */
	uint8_t si[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sr[8] = {0}, h1[20], h2[20];
	uint32_t a = htonl(0xc6336401);
	assert_int_equal(ike_nat_hash(si, sr, a, 500, h1), 0);
	assert_int_equal(ike_nat_hash(si, sr, a, 500, h2), 0);
	assert_memory_equal(h1, h2, 20);
	assert_int_equal(ike_nat_hash(si, sr, a, 4500, h2), 0);
	assert_memory_not_equal(h1, h2, 20);
	sr[7] = 1;
	assert_int_equal(ike_nat_hash(si, sr, a, 500, h2), 0);
	assert_memory_not_equal(h1, h2, 20);
	/* SHA-1("") sanity: the hash is plain SHA-1 */
	uint8_t e[20];
	static const uint8_t sha1_empty[20] = {0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b,
	                                       0x0d, 0x32, 0x55, 0xbf, 0xef, 0x95, 0x60,
	                                       0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09};
	assert_int_equal(crypto_sha1("", 0, e), 0);
	assert_memory_equal(e, sha1_empty, 20);
}

static void test_ts(void **state)
{
	struct ike_ts all, out;
	ike_ts_all(&all);
	struct ike_ts_pl pl = {.n_ts = 1};
	pl.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0xc0000201, 0xc0000201};
	assert_int_equal(ike_ts_narrow(&all, &pl, &out), 0);
	assert_int_equal(out.start_addr, 0xc0000201);
	assert_true(ike_ts_fits(&all, &pl.ts[0]));
	struct ike_ts narrow = pl.ts[0];
	assert_false(ike_ts_fits(&narrow, &all));
	struct ike_ts_pl none = {.n_ts = 0};
	assert_int_equal(ike_ts_narrow(&all, &none, &out), -1);
	pl.ts[0] = (struct ike_ts){TS_IPV4_ADDR_RANGE, 6, 1000, 1000, 0x01010101, 0x01010101};
	assert_int_equal(ike_ts_narrow(&all, &pl, &out), 0);
	assert_int_equal(out.ip_proto, 6);
	char s[48];
	ike_ts_format(&out, s, sizeof(s));
	assert_string_equal(s, "1.1.1.1/1000 - 1.1.1.1/1000");
	struct ike_ts tcp = all, udp = all;
	tcp.ip_proto = 6, udp.ip_proto = 17;
	assert_false(ike_ts_intersect(&tcp, &udp, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_select_table),
	    cmocka_unit_test(test_build_split_aead),
	    cmocka_unit_test(test_nat_hash),
	    cmocka_unit_test(test_ts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
