/* src/vti pure functions: netmask <-> prefix, tunnel MTU arithmetic, interface name rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "vti/vti.h"

static void test_mask_table(void **state)
{
	static const struct {
		const char *mask;
		int prefix;
	} t[] = {
	    {"255.255.255.0", 24},
	    {"255.255.255.255", 32},
	    {"0.0.0.0", 0},
	    {"255.255.255.254", 31},
	    {"255.0.0.0", 8},
	    {"255.255.128.0", 17},
	    {"128.0.0.0", 1},
	    {"255.255.255.252", 30},
	    {"255.240.0.0", 12},
	    /* not contiguous */
	    {"255.0.255.0", -1},
	    {"0.255.255.255", -1},
	    {"255.255.255.253", -1},
	    {"254.255.255.0", -1},
	    {"1.0.0.0", -1},
	    {"255.255.0.1", -1},
	    {"127.255.255.255", -1},
	    /* not a dotted quad */
	    {"255.255.255", -1},
	    {"255.255.255.256", -1},
	    {"", -1},
	    {"24", -1},
	    {"255.255.255.0 ", -1},
	    {"ff.ff.ff.0", -1},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = vti_parse_mask(t[i].mask);
		if (got != t[i].prefix)
			fail_msg("mask '%s': got %d, want %d", t[i].mask, got, t[i].prefix);
	}
	assert_int_equal(vti_parse_mask(NULL), -1);
}

static void test_prefix_mask_roundtrip(void **state)
{
	assert_int_equal(vti_prefix_to_mask(0), 0);
	assert_int_equal(ntohl(vti_prefix_to_mask(24)), 0xffffff00u);
	assert_int_equal(ntohl(vti_prefix_to_mask(1)), 0x80000000u);
	assert_int_equal(ntohl(vti_prefix_to_mask(32)), 0xffffffffu);
	for (int p = 0; p <= 32; p++)
		assert_int_equal(vti_mask_to_prefix(vti_prefix_to_mask(p)), p);
}

/* Straight from RFC 4303 §2.4: the outer packet for an inner packet of len bytes. */
static unsigned esp_size(unsigned len, unsigned iv, unsigned block, unsigned icv, bool natt)
{
	unsigned align = block > 4 ? block : 4;
	unsigned pad = 0;
	while ((len + pad + 2) % align)
		pad++;
	return 20 + (natt ? 8 : 0) + 8 + iv + len + pad + 2 + icv;
}

struct mtu_case {
	unsigned outer, iv, block, icv;
	bool natt;
	unsigned want; /* computed by hand, see comments */
};

static const struct mtu_case mtu_cases[] = {
    /* AES-CBC + HMAC-SHA1-96: 1500-20-8-16-12 = 1444, down to 16s = 1440, -2 */
    {1500, 16, 16, 12, false, 1438},
    /* AES-CBC + HMAC-SHA-256-128: 1500-60 = 1440 (already 16s), -2 */
    {1500, 16, 16, 16, false, 1438},
    /* AES-CBC + HMAC-SHA-384-192: 1500-68 = 1432 -> 1424, -2 */
    {1500, 16, 16, 24, false, 1422},
    /* AES-CBC + HMAC-SHA-512-256: 1500-76 = 1424, -2 */
    {1500, 16, 16, 32, false, 1422},
    /* AES-GCM (IV 8, stream, ICV 16): 1500-52 = 1448 (4s), -2 */
    {1500, 8, 1, 16, false, 1446},
    {1500, 8, 0, 16, false, 1446},
    /* NAT-T adds UDP 8: GCM 1500-60 = 1440, -2 */
    {1500, 8, 1, 16, true, 1438},
    /* CBC + SHA1 + NAT-T: 1500-64 = 1436 -> 1424, -2 */
    {1500, 16, 16, 12, true, 1422},
    /* CBC + SHA-256 + NAT-T: 1500-68 = 1432 -> 1424, -2 */
    {1500, 16, 16, 16, true, 1422},
    /* jumbo: 9000-60 = 8940 -> 8928, -2 */
    {9000, 16, 16, 16, false, 8926},
    /* IPv6-minimum-sized outer: 1280-52 = 1228, -2 */
    {1280, 8, 1, 16, false, 1226},
    /* GCM, 1499: 1447 -> 1444, -2 */
    {1499, 8, 1, 16, false, 1442},
    /* small: 74-56 = 18 -> 16, -2 */
    {74, 16, 16, 12, false, 14},
    /* nothing fits: 57-56 = 1 -> 0 < 2; 50 < 56 */
    {57, 16, 16, 12, false, 0},
    {50, 16, 16, 12, false, 0},
    {0, 8, 1, 16, true, 0},
};

static void test_mtu_table(void **state)
{
	for (size_t i = 0; i < sizeof(mtu_cases) / sizeof(mtu_cases[0]); i++) {
		const struct mtu_case *c = &mtu_cases[i];
		unsigned got = vti_tunnel_mtu(c->outer, c->iv, c->block, c->icv, c->natt);
		if (got != c->want)
			fail_msg(
			    "case %zu (outer %u iv %u block %u icv %u natt %d): got %u want %u", i,
			    c->outer, c->iv, c->block, c->icv, c->natt, got, c->want);
	}
}

/* The result is exact: it fits, and one byte more does not. */
static void test_mtu_exact(void **state)
{
	static const unsigned ivs[] = {8, 16}, blocks[] = {1, 16}, icvs[] = {12, 16, 24, 32};
	for (unsigned outer = 100; outer <= 1600; outer += 7)
		for (size_t a = 0; a < 2; a++)
			for (size_t b = 0; b < 4; b++)
				for (int natt = 0; natt < 2; natt++) {
					unsigned iv = ivs[a], blk = blocks[a], icv = icvs[b];
					unsigned m = vti_tunnel_mtu(outer, iv, blk, icv, natt);
					assert_true(m > 0);
					assert_true(esp_size(m, iv, blk, icv, natt) <= outer);
					assert_true(esp_size(m + 1, iv, blk, icv, natt) > outer);
				}
}

static void test_ifname_rules(void **state)
{
	assert_true(vti_ifname_valid("tunnel-ip1"));
	assert_true(vti_ifname_valid("eth0"));
	assert_true(vti_ifname_valid("tunnel-ip999999"));   /* 15 bytes */
	assert_false(vti_ifname_valid("tunnel-ip9999999")); /* 16 bytes */
	assert_false(vti_ifname_valid("MgmtEth0/RP0/CPU0/0"));
	assert_false(vti_ifname_valid("Gi0/0/0/0"));
	assert_false(vti_ifname_valid("eth0:1"));
	assert_false(vti_ifname_valid("tun%d"));
	assert_false(vti_ifname_valid("a b"));
	assert_false(vti_ifname_valid(""));
	assert_false(vti_ifname_valid("."));
	assert_false(vti_ifname_valid(".."));
	assert_false(vti_ifname_valid(NULL));
}

static void test_tunnel_name(void **state)
{
	char b[IFNAMSIZ];
	assert_int_equal(vti_tunnel_name(7, b, sizeof(b)), 0);
	assert_string_equal(b, "tunnel-ip7");
	assert_int_equal(vti_tunnel_name(123456, b, sizeof(b)), 0);
	assert_string_equal(b, "tunnel-ip123456");
	assert_int_equal(vti_tunnel_name(1234567, b, sizeof(b)), -1);
	assert_int_equal(vti_tunnel_name(1, b, 5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_table),   cmocka_unit_test(test_prefix_mask_roundtrip),
	    cmocka_unit_test(test_mtu_table),    cmocka_unit_test(test_mtu_exact),
	    cmocka_unit_test(test_ifname_rules), cmocka_unit_test(test_tunnel_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
