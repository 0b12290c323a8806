/*
 * `tunnel source` resolution against the real kernel in a private network namespace: by
 * Linux name, by address, through the IOS XR name map, and every way it should fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vti/vti.h"
#include "vti_testns.h"

static char err[VTI_ERRLEN];

static const struct vti_name_map map[] = {
    {"MgmtEth0/RP0/CPU0/0", "outer0"},
    {"GigabitEthernet0/0/0/1", "outer9"}, /* maps to an interface that does not exist */
    {"GigabitEthernet0/0/0/2", "bad/name"},
    {"Loopback0", "outer1"}, /* a valid Linux name mapped anyway: the map wins */
};
#define NMAP (sizeof(map) / sizeof(map[0]))

/* outer0 198.51.100.1/24 (+ a secondary), outer1 198.51.100.2/24 on the peer end, lo. */
static int net_setup(void **state)
{
	if (vt_veth_create("outer0", "outer1") < 0)
		return -1;
	if (vti_addr_set("outer0", vt_ip("198.51.100.1"), 24, err, sizeof(err)) < 0 ||
	    vti_addr_set("outer1", vt_ip("198.51.100.2"), 24, err, sizeof(err)) < 0 ||
	    vti_mtu_set("outer0", 1400, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return 0;
}

static void resolve_ok(const char *src, const char *want_addr, const char *want_if)
{
	uint32_t a = 0;
	char ifname[IFNAMSIZ] = "";
	if (vti_resolve_source(src, map, NMAP, &a, ifname, sizeof(ifname), err, sizeof(err)) < 0)
		fail_msg("resolve %s: %s", src, err);
	assert_int_equal(a, vt_ip(want_addr));
	assert_string_equal(ifname, want_if);
}

static void resolve_fails(const char *src, int want_errno, const char *want_text)
{
	uint32_t a = 0;
	char ifname[IFNAMSIZ] = "";
	err[0] = 0;
	assert_int_equal(
	    vti_resolve_source(src, map, NMAP, &a, ifname, sizeof(ifname), err, sizeof(err)), -1);
	assert_int_equal(errno, want_errno);
	if (!strstr(err, want_text))
		fail_msg("resolve %s: error '%s' lacks '%s'", src, err, want_text);
}

static void test_by_linux_name(void **state)
{
	resolve_ok("outer0", "198.51.100.1", "outer0");
	resolve_ok("outer1", "198.51.100.2", "outer1");
	resolve_ok("lo", "127.0.0.1", "lo");
}

static void test_by_address(void **state)
{
	resolve_ok("198.51.100.1", "198.51.100.1", "outer0");
	resolve_ok("198.51.100.2", "198.51.100.2", "outer1");
	resolve_ok("127.0.0.1", "127.0.0.1", "lo");
}

static void test_by_map(void **state)
{
	resolve_ok("MgmtEth0/RP0/CPU0/0", "198.51.100.1", "outer0");
	resolve_ok("mgmteth0/rp0/cpu0/0", "198.51.100.1", "outer0"); /* IOS XR ignores case */
	resolve_ok("Loopback0", "198.51.100.2", "outer1");
	/* The outer MTU for the tunnel MTU comes from the resolved interface. */
	char ifname[IFNAMSIZ];
	uint32_t a;
	unsigned mtu = 0;
	assert_int_equal(vti_resolve_source("MgmtEth0/RP0/CPU0/0", map, NMAP, &a, ifname,
	                                    sizeof(ifname), err, sizeof(err)),
	                 0);
	assert_int_equal(vti_mtu_get(ifname, &mtu, err, sizeof(err)), 0);
	assert_int_equal(mtu, 1400);
	/* 1400-60 = 1340 -> 1328 (16s), -2 */
	assert_int_equal(vti_tunnel_mtu(mtu, 16, 16, 16, false), 1326);
	/* No map at all: a Linux name still works, an IOS XR name does not. */
	assert_int_equal(vti_resolve_source("outer0", NULL, 0, &a, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(a, vt_ip("198.51.100.1"));
	assert_int_equal(
	    vti_resolve_source("MgmtEth0/RP0/CPU0/0", NULL, 0, &a, NULL, 0, err, sizeof(err)), -1);
}

static void test_failures(void **state)
{
	/* IOS XR names without a mapping: the error names the line to add. */
	resolve_fails("GigabitEthernet0/0/0/0", ENODEV,
	              "add 'interface-name-map GigabitEthernet0/0/0/0 LINUX-IFNAME'");
	resolve_fails("TenGigE0/0/0/0/1", ENODEV, "interface-name-map TenGigE0/0/0/0/1");
	/* A plausible Linux name that exists nowhere. */
	resolve_fails("eth9", ENODEV, "no such interface");
	resolve_fails("Loopback1", ENODEV, "interface-name-map Loopback1");
	/* Mapped, but the Linux side is missing or malformed. */
	resolve_fails("GigabitEthernet0/0/0/1", ENODEV, "mapped to outer9");
	resolve_fails("GigabitEthernet0/0/0/2", EINVAL, "'bad/name' is not a valid");
	/* Addresses that are not ours. */
	resolve_fails("198.51.100.99", EADDRNOTAVAIL, "not configured on any interface");
	resolve_fails("203.0.113.1", EADDRNOTAVAIL, "203.0.113.1");
	resolve_fails("", EINVAL, "empty");
}

static void test_no_address(void **state)
{
	/* An interface without IPv4 address cannot be a source. */
	assert_int_equal(vti_addr_flush("outer1", err, sizeof(err)), 0);
	resolve_fails("outer1", ENOENT, "has no IPv4 address");
	resolve_fails("Loopback0", ENOENT, "mapped to outer1");
	resolve_fails("198.51.100.2", EADDRNOTAVAIL, "198.51.100.2");
	assert_int_equal(vti_addr_set("outer1", vt_ip("198.51.100.2"), 24, err, sizeof(err)), 0);
	resolve_ok("198.51.100.2", "198.51.100.2", "outer1");
}

static void test_small_buffer(void **state)
{
	uint32_t a;
	char small[3];
	assert_int_equal(
	    vti_resolve_source("outer0", map, NMAP, &a, small, sizeof(small), err, sizeof(err)),
	    -1);
	assert_int_equal(errno, ENAMETOOLONG);
	/* A tiny error buffer is truncated, not overrun. */
	char tiny[8];
	assert_int_equal(vti_resolve_source("eth9", map, NMAP, &a, NULL, 0, tiny, sizeof(tiny)),
	                 -1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* The commit's one-dump snapshot resolves exactly like a dump per lookup, among many
 * addresses; an address not on any interface still fails. */
static void test_snapshot(void **state)
{
	char ip[32];
	/* vti_addr_set keeps one address per interface; ip(8) adds them all */
	FILE *ipb = popen("ip -batch -", "w");
	assert_non_null(ipb);
	for (int i = 1; i <= 200; i++)
		fprintf(ipb, "addr add 198.18.%d.%d/32 dev %s\n", i / 100, i % 100 + 1,
		        i % 2 ? "outer0" : "outer1");
	assert_int_equal(pclose(ipb), 0);
	unsigned mtu0;
	assert_int_equal(vti_mtu_get("outer0", &mtu0, err, sizeof(err)), 0);
	assert_int_equal(vti_mtu_set("outer1", mtu0 - 100, err, sizeof(err)), 0);
	struct vti_addr_snap *snap = vti_addr_snap_take(err, sizeof(err));
	assert_non_null(snap);
	for (int i = 1; i <= 200; i++) {
		uint32_t a = 0, b = 0;
		char ia[IFNAMSIZ] = "", ib[IFNAMSIZ] = "";
		snprintf(ip, sizeof(ip), "198.18.%d.%d", i / 100, i % 100 + 1);
		if (vti_resolve_source_snap(snap, ip, map, NMAP, &a, ia, sizeof(ia), err,
		                            sizeof(err)) < 0)
			fail_msg("snapshot resolve %s: %s", ip, err);
		assert_int_equal(
		    vti_resolve_source(ip, map, NMAP, &b, ib, sizeof(ib), err, sizeof(err)), 0);
		assert_int_equal(a, b);
		assert_string_equal(ia, ib);
		assert_string_equal(ia, i % 2 ? "outer0" : "outer1");
	}
	uint32_t a = 0;
	assert_int_equal(
	    vti_resolve_source_snap(snap, "198.18.9.9", map, NMAP, &a, NULL, 0, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, EADDRNOTAVAIL);
	assert_int_equal(
	    vti_resolve_source_snap(snap, "127.0.0.1", map, NMAP, &a, NULL, 0, err, sizeof(err)),
	    0);
	/* names do not use the snapshot */
	assert_int_equal(vti_resolve_source_snap(snap, "MgmtEth0/RP0/CPU0/0", map, NMAP, &a, NULL,
	                                         0, err, sizeof(err)),
	                 0);
	assert_int_equal(a, vt_ip("198.51.100.1"));
	/* the links the snapshot remembers (two interfaces, two MTUs) */
	struct vti_link l0, l1;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(vti_snap_link(snap, "outer1", &l1, err, sizeof(err)), 0);
		assert_int_equal(vti_snap_link(snap, "outer0", &l0, err, sizeof(err)), 0);
		assert_string_equal(l0.name, "outer0");
		assert_string_equal(l1.name, "outer1");
		assert_int_equal(l0.mtu, mtu0);
		assert_int_equal(l1.mtu, mtu0 - 100);
	}
	assert_int_equal(vti_snap_link(snap, "eth9", &l0, err, sizeof(err)), -1);
	assert_int_equal(vti_snap_link(NULL, "outer1", &l1, err, sizeof(err)), 0);
	assert_int_equal(l1.mtu, mtu0 - 100);
	assert_int_equal(vti_mtu_set("outer1", mtu0, err, sizeof(err)), 0);
	vti_addr_snap_free(snap);
	vti_addr_snap_free(NULL);
	/* the per-interface dumps (filtered by the kernel) see only their interface's addresses */
	resolve_ok("outer0", "198.51.100.1", "outer0");
	resolve_ok("outer1", "198.51.100.2", "outer1");
	assert_int_equal(vti_addr_set("lo", vt_ip("127.0.0.1"), 8, err, sizeof(err)), 0);
	resolve_ok("outer0", "198.51.100.1", "outer0");
	for (int i = 1; i <= 200; i++) {
		snprintf(ip, sizeof(ip), "198.18.%d.%d", i / 100, i % 100 + 1);
		assert_int_equal(
		    vti_addr_del(i % 2 ? "outer0" : "outer1", vt_ip(ip), 32, err, sizeof(err)), 0);
	}
}

int main(void)
{
	vt_netns_enter();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_linux_name), cmocka_unit_test(test_by_address),
	    cmocka_unit_test(test_by_map),        cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_no_address),    cmocka_unit_test(test_small_buffer),
	    cmocka_unit_test(test_snapshot),
	};
	return cmocka_run_group_tests(tests, net_setup, NULL);
}
