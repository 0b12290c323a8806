/*
 * src/vti against the real kernel, in a private network namespace: TUN devices, addresses and
 * their connected routes, MTU, link state and routes. Results are cross-checked with ioctl(2)
 * where the kernel offers a second way to look.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vti/vti.h"
#include "vti_testns.h"

#define TUN "tunnel-ip7"

static char err[VTI_ERRLEN];

/* The test's TUN fd, created in setup, destroyed in teardown. */
static int tun_setup(void **state)
{
	int fd = vti_tun_create(TUN, err, sizeof(err));
	if (fd < 0)
		fail_msg("%s", err);
	*state = (void *)(intptr_t)fd;
	return 0;
}

static int tun_teardown(void **state)
{
	return vti_tun_destroy((int)(intptr_t)*state, TUN, err, sizeof(err));
}

static int ioctl_get(unsigned long req, const char *name, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	int r = ioctl(s, req, ifr);
	int e = errno;
	close(s);
	errno = e;
	return r;
}

static uint32_t ioctl_addr(unsigned long req, const char *name)
{
	struct ifreq ifr;
	if (ioctl_get(req, name, &ifr) < 0)
		return 0;
	struct sockaddr_in sin;
	memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
	return sin.sin_addr.s_addr;
}

static void test_tun_create(void **state)
{
	int fd = (int)(intptr_t)*state;
	struct vti_link l;
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(vti_link_query(TUN, &l, err, sizeof(err)), 0);
	assert_string_equal(l.name, TUN);
	assert_true(l.ifindex > 0);
	assert_false(l.up);
	assert_int_equal(vti_ifindex(TUN, err, sizeof(err)), l.ifindex);
	/* Same index through the kernel's other door. */
	assert_int_equal((int)if_nametoindex(TUN), l.ifindex);
	struct vti_link byidx;
	assert_int_equal(vti_link_query_index(l.ifindex, &byidx, err, sizeof(err)), 0);
	assert_string_equal(byidx.name, TUN);
	/* A non-blocking TUN with nothing routed into it has nothing to read. */
	char pkt[64];
	assert_int_equal(read(fd, pkt, sizeof(pkt)), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_tun_create_errors(void **state)
{
	assert_int_equal(vti_tun_create(TUN, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, TUN));
	assert_int_equal(vti_tun_create("MgmtEth0/RP0/CPU0/0", err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vti_tun_create("tun%d", err, sizeof(err)), -1);
	assert_int_equal(vti_tun_create("lo", err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	/* err may be NULL */
	assert_int_equal(vti_tun_create(TUN, NULL, 0), -1);
}

static void test_tun_queues(void **state)
{
	struct vti_link l;
	int q = vti_tun_open_queue(TUN, err, sizeof(err));
	if (q < 0)
		fail_msg("%s", err);
	assert_true(fcntl(q, F_GETFL) & O_NONBLOCK);
	/* Closing one queue leaves the device while another is open. */
	assert_int_equal(vti_tun_destroy(q, NULL, err, sizeof(err)), 0);
	assert_int_equal(vti_link_query(TUN, &l, err, sizeof(err)), 0);
	/* No queue of a device that does not exist, and no device made by asking. */
	assert_int_equal(vti_tun_open_queue("tunnel-ip8", err, sizeof(err)), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(vti_link_query("tunnel-ip8", &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENODEV);
}

static void test_tun_destroy(void **state)
{
	struct vti_link l;
	int a = vti_tun_create("tunnel-ip9", err, sizeof(err));
	assert_true(a >= 0);
	int b = vti_tun_open_queue("tunnel-ip9", err, sizeof(err));
	assert_true(b >= 0);
	/* With a second queue still open, destroy by name deletes the device anyway. */
	assert_int_equal(vti_tun_destroy(a, "tunnel-ip9", err, sizeof(err)), 0);
	assert_int_equal(vti_link_query("tunnel-ip9", &l, err, sizeof(err)), -1);
	assert_int_equal(errno, ENODEV);
	close(b);
	/* Closing the last queue removes a device too; destroy of a gone device is fine. */
	a = vti_tun_create("tunnel-ip9", err, sizeof(err));
	assert_true(a >= 0);
	close(a);
	assert_int_equal(vti_link_query("tunnel-ip9", &l, err, sizeof(err)), -1);
	assert_int_equal(vti_tun_destroy(-1, "tunnel-ip9", err, sizeof(err)), 0);
}

/* All our devices at once (the link group); other interfaces stay; queue fds close fine. */
static void test_tun_destroy_all(void **state)
{
	struct vti_link l;
	int fd[3];
	char name[IFNAMSIZ];
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "tunnel-ip%d", 20 + i);
		fd[i] = vti_tun_create(name, err, sizeof(err));
		assert_true(fd[i] >= 0);
	}
	assert_int_equal(vti_tun_destroy_all(err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "tunnel-ip%d", 20 + i);
		assert_int_equal(vti_link_query(name, &l, err, sizeof(err)), -1);
		assert_int_equal(errno, ENODEV);
		assert_int_equal(vti_tun_destroy(fd[i], name, err, sizeof(err)), 0);
	}
	assert_int_equal(vti_link_query("lo", &l, err, sizeof(err)), 0);
	/* none left: fine */
	if (vti_tun_destroy_all(err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void test_link_up_down(void **state)
{
	struct vti_link l;
	struct ifreq ifr;
	assert_int_equal(vti_link_set_up(TUN, true, err, sizeof(err)), 0);
	assert_int_equal(vti_link_query(TUN, &l, err, sizeof(err)), 0);
	assert_true(l.up);
	assert_true(l.running); /* a queue is attached, so the TUN has carrier */
	assert_int_equal(ioctl_get(SIOCGIFFLAGS, TUN, &ifr), 0);
	assert_true(ifr.ifr_flags & IFF_UP);
	assert_int_equal(vti_link_set_up(TUN, false, err, sizeof(err)), 0);
	assert_int_equal(vti_link_query(TUN, &l, err, sizeof(err)), 0);
	assert_false(l.up);
	assert_false(l.running);
	assert_int_equal(ioctl_get(SIOCGIFFLAGS, TUN, &ifr), 0);
	assert_false(ifr.ifr_flags & IFF_UP);
	assert_int_equal(vti_link_set_up("tunnel-ip99", true, err, sizeof(err)), -1);
	assert_int_equal(errno, ENODEV);
	assert_non_null(strstr(err, "tunnel-ip99"));
}

static void test_mtu(void **state)
{
	unsigned mtu = 0;
	struct ifreq ifr;
	assert_int_equal(vti_mtu_set(TUN, 1438, err, sizeof(err)), 0);
	assert_int_equal(vti_mtu_get(TUN, &mtu, err, sizeof(err)), 0);
	assert_int_equal(mtu, 1438);
	assert_int_equal(ioctl_get(SIOCGIFMTU, TUN, &ifr), 0);
	assert_int_equal(ifr.ifr_mtu, 1438);
	assert_int_equal(vti_mtu_set(TUN, 1446, err, sizeof(err)), 0);
	assert_int_equal(vti_mtu_get(TUN, &mtu, err, sizeof(err)), 0);
	assert_int_equal(mtu, 1446);
	/* Below the TUN minimum: the kernel refuses, the old value stays, the reason is told. */
	assert_int_equal(vti_mtu_set(TUN, 10, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, TUN));
	assert_non_null(strstr(err, "MTU 10"));
	assert_int_equal(vti_mtu_get(TUN, &mtu, err, sizeof(err)), 0);
	assert_int_equal(mtu, 1446);
}

static void check_only_addr(const char *want_addr, int want_prefix)
{
	uint32_t a = 0;
	int p = -1;
	assert_int_equal(vti_addr_get(TUN, &a, &p, err, sizeof(err)), 0);
	assert_int_equal(a, vt_ip(want_addr));
	assert_int_equal(p, want_prefix);
	assert_int_equal(ioctl_addr(SIOCGIFADDR, TUN), vt_ip(want_addr));
	assert_int_equal(ioctl_addr(SIOCGIFNETMASK, TUN), vti_prefix_to_mask(want_prefix));
}

static bool has_route(const char *dst, int prefix, uint32_t *metric)
{
	bool found = false;
	assert_int_equal(vti_route_find(TUN, vt_ip(dst), prefix, &found, metric, err, sizeof(err)),
	                 0);
	return found;
}

static void test_address(void **state)
{
	uint32_t a;
	/* `ipv4 address 192.0.2.1 255.255.255.0` */
	int prefix = vti_parse_mask("255.255.255.0");
	assert_int_equal(prefix, 24);
	assert_int_equal(vti_addr_get(TUN, &a, NULL, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(vti_addr_set(TUN, vt_ip("192.0.2.1"), prefix, err, sizeof(err)), 0);
	check_only_addr("192.0.2.1", 24);
	/* The connected route comes with the address while the link is up. */
	assert_false(has_route("192.0.2.0", 24, NULL));
	assert_int_equal(vti_link_set_up(TUN, true, err, sizeof(err)), 0);
	assert_true(has_route("192.0.2.0", 24, NULL));
	/* Setting the same address again is harmless. */
	assert_int_equal(vti_addr_set(TUN, vt_ip("192.0.2.1"), 24, err, sizeof(err)), 0);
	check_only_addr("192.0.2.1", 24);
	/* Replacing: the old address and its route go, the new ones come. */
	assert_int_equal(vti_addr_set(TUN, vt_ip("192.0.2.130"), 25, err, sizeof(err)), 0);
	check_only_addr("192.0.2.130", 25);
	assert_false(has_route("192.0.2.0", 24, NULL));
	assert_true(has_route("192.0.2.128", 25, NULL));
	/* Link down: the connected route goes with it. */
	assert_int_equal(vti_link_set_up(TUN, false, err, sizeof(err)), 0);
	assert_false(has_route("192.0.2.128", 25, NULL));
	/* Remove: gone; removing again says so. */
	assert_int_equal(vti_addr_del(TUN, vt_ip("192.0.2.130"), 25, err, sizeof(err)), 0);
	assert_int_equal(vti_addr_get(TUN, &a, NULL, err, sizeof(err)), -1);
	assert_int_equal(vti_addr_del(TUN, vt_ip("192.0.2.130"), 25, err, sizeof(err)), -1);
	assert_int_equal(errno, EADDRNOTAVAIL);
	assert_non_null(strstr(err, "192.0.2.130/25"));
	assert_int_equal(vti_addr_set(TUN, vt_ip("192.0.2.1"), 33, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_addr_flush(void **state)
{
	uint32_t a;
	assert_int_equal(vti_addr_set(TUN, vt_ip("192.0.2.1"), 24, err, sizeof(err)), 0);
	assert_int_equal(vti_addr_flush(TUN, err, sizeof(err)), 0);
	assert_int_equal(vti_addr_get(TUN, &a, NULL, err, sizeof(err)), -1);
	assert_int_equal(ioctl_addr(SIOCGIFADDR, TUN), 0);
	assert_int_equal(vti_addr_flush(TUN, err, sizeof(err)), 0);
}

static void test_routes(void **state)
{
	uint32_t metric = 0;
	/* The kernel takes routes through an interface only while it is up. */
	assert_int_equal(vti_route_add(TUN, vt_ip("203.0.113.0"), 24, 0, err, sizeof(err)), -1);
	assert_int_equal(errno, ENETDOWN);
	assert_int_equal(vti_link_set_up(TUN, true, err, sizeof(err)), 0);
	assert_int_equal(vti_route_add(TUN, vt_ip("203.0.113.0"), 24, 50, err, sizeof(err)), 0);
	assert_true(has_route("203.0.113.0", 24, &metric));
	assert_int_equal(metric, 50);
	assert_int_equal(vti_route_add(TUN, vt_ip("203.0.113.0"), 24, 50, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(vti_route_add(TUN, vt_ip("203.0.113.7"), 32, 0, err, sizeof(err)), 0);
	assert_true(has_route("203.0.113.7", 32, &metric));
	assert_int_equal(metric, 0);
	assert_false(has_route("203.0.113.0", 25, NULL));
	/* Host bits set: refused before the kernel sees it, with the reason. */
	assert_int_equal(vti_route_add(TUN, vt_ip("203.0.113.1"), 24, 0, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "host bits"));
	assert_int_equal(vti_route_del(TUN, vt_ip("203.0.113.0"), 24, 50, err, sizeof(err)), 0);
	assert_false(has_route("203.0.113.0", 24, NULL));
	assert_int_equal(vti_route_del(TUN, vt_ip("203.0.113.0"), 24, 50, err, sizeof(err)), -1);
	assert_int_equal(errno, ESRCH);
	/* The kernel drops routes through a link that goes down. */
	assert_int_equal(vti_link_set_up(TUN, false, err, sizeof(err)), 0);
	assert_false(has_route("203.0.113.7", 32, NULL));
	assert_int_equal(
	    vti_route_add("tunnel-ip99", vt_ip("203.0.113.0"), 24, 0, err, sizeof(err)), -1);
	assert_int_equal(errno, ENODEV);
}

int main(void)
{
	vt_netns_enter();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tun_create, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_tun_create_errors, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_tun_queues, tun_setup, tun_teardown),
	    cmocka_unit_test(test_tun_destroy),
	    cmocka_unit_test(test_tun_destroy_all),
	    cmocka_unit_test_setup_teardown(test_link_up_down, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_mtu, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_address, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_addr_flush, tun_setup, tun_teardown),
	    cmocka_unit_test_setup_teardown(test_routes, tun_setup, tun_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
