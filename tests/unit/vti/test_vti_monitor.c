/*
 * The link/address event monitor in a private network namespace: a veth pair goes down and up,
 * loses carrier, changes MTU and addresses, a TUN disappears; the monitor fd reports each, and
 * reports lost events when its socket overflows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/loop.h"
#include "vti/vti.h"
#include "vti_testns.h"

static char err[VTI_ERRLEN];

struct rec {
	struct vti_event ev[512];
	size_t n;
};

static void rec_cb(const struct vti_event *ev, void *arg)
{
	struct rec *r = arg;
	if (r->n < sizeof(r->ev) / sizeof(r->ev[0]))
		r->ev[r->n++] = *ev;
}

typedef bool (*ev_match)(const struct vti_event *ev, const void *want);

/* Polls and reads fd until an event matches or 2 s pass. */
static bool wait_for(int fd, struct rec *r, ev_match m, const void *want)
{
	uint64_t end = loop_now_ms() + 2000;
	size_t seen = 0;
	for (;;) {
		for (; seen < r->n; seen++)
			if (m(&r->ev[seen], want))
				return true;
		uint64_t now = loop_now_ms();
		if (now >= end)
			return false;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(end - now)) > 0 &&
		    vti_monitor_read(fd, rec_cb, r, err, sizeof(err)) < 0)
			fail_msg("%s", err);
	}
}

struct want_link {
	enum vti_event_kind kind;
	const char *name;
	int up, running; /* -1: don't care */
	unsigned mtu;    /* 0: don't care */
};

static bool match_link(const struct vti_event *ev, const void *arg)
{
	const struct want_link *w = arg;
	return ev->kind == w->kind && !strcmp(ev->ifname, w->name) &&
	       (w->up < 0 || ev->up == w->up) && (w->running < 0 || ev->running == w->running) &&
	       (!w->mtu || ev->mtu == w->mtu);
}

struct want_addr {
	enum vti_event_kind kind;
	int ifindex;
	uint32_t addr_be;
	int prefix;
};

static bool match_addr(const struct vti_event *ev, const void *arg)
{
	const struct want_addr *w = arg;
	return ev->kind == w->kind && ev->ifindex == w->ifindex && ev->addr_be == w->addr_be &&
	       ev->prefix == w->prefix;
}

static int net_setup(void **state)
{
	if (vt_veth_create("outer0", "outer1") < 0)
		return -1;
	if (vti_link_set_up("outer0", true, err, sizeof(err)) < 0 ||
	    vti_link_set_up("outer1", true, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	/* Carrier comes a moment later (linkwatch): let it, so no test sees it as news. */
	for (int i = 0; i < 200; i++) {
		struct vti_link a, b;
		if (vti_link_query("outer0", &a, err, sizeof(err)) < 0 ||
		    vti_link_query("outer1", &b, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		if (a.running && b.running)
			return 0;
		usleep(10000);
	}
	fail_msg("veth pair never got carrier");
	return -1;
}

static int mon_setup(void **state)
{
	int fd = vti_monitor_open(err, sizeof(err));
	if (fd < 0)
		fail_msg("%s", err);
	*state = (void *)(intptr_t)fd;
	return 0;
}

static int mon_teardown(void **state)
{
	return close((int)(intptr_t)*state);
}

static void test_fd_flags(void **state)
{
	int fd = (int)(intptr_t)*state;
	struct rec r = {.n = 0};
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Nothing happened since it opened: nothing to read, and no blocking. */
	assert_int_equal(vti_monitor_read(fd, rec_cb, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

static void test_link_down_up(void **state)
{
	int fd = (int)(intptr_t)*state;
	static struct rec r;
	r.n = 0;
	assert_int_equal(vti_link_set_up("outer0", false, err, sizeof(err)), 0);
	struct want_link down = {VTI_EV_LINK, "outer0", 0, 0, 0};
	assert_true(wait_for(fd, &r, match_link, &down));
	/* The peer end stays administratively up but loses its carrier. */
	struct want_link nocarrier = {VTI_EV_LINK, "outer1", 1, 0, 0};
	assert_true(wait_for(fd, &r, match_link, &nocarrier));

	assert_int_equal(vti_link_set_up("outer0", true, err, sizeof(err)), 0);
	struct want_link up = {VTI_EV_LINK, "outer0", 1, -1, 0};
	assert_true(wait_for(fd, &r, match_link, &up));
	struct want_link carrier = {VTI_EV_LINK, "outer1", 1, 1, 0};
	assert_true(wait_for(fd, &r, match_link, &carrier));
	/* ifindex in the events is the link's. */
	int idx = vti_ifindex("outer0", err, sizeof(err));
	bool found = false;
	for (size_t i = 0; i < r.n; i++)
		if (!strcmp(r.ev[i].ifname, "outer0"))
			found = found || r.ev[i].ifindex == idx;
	assert_true(found);
}

static void test_mtu_event(void **state)
{
	int fd = (int)(intptr_t)*state;
	static struct rec r;
	r.n = 0;
	assert_int_equal(vti_mtu_set("outer0", 1400, err, sizeof(err)), 0);
	struct want_link w = {VTI_EV_LINK, "outer0", -1, -1, 1400};
	assert_true(wait_for(fd, &r, match_link, &w));
}

static void test_addr_events(void **state)
{
	int fd = (int)(intptr_t)*state;
	static struct rec r;
	r.n = 0;
	int idx = vti_ifindex("outer1", err, sizeof(err));
	assert_true(idx > 0);
	assert_int_equal(vti_addr_set("outer1", vt_ip("198.51.100.2"), 24, err, sizeof(err)), 0);
	struct want_addr add = {VTI_EV_ADDR_ADD, idx, vt_ip("198.51.100.2"), 24};
	assert_true(wait_for(fd, &r, match_addr, &add));
	/* The address changes: old one removed, new one added. */
	assert_int_equal(vti_addr_set("outer1", vt_ip("198.51.100.3"), 24, err, sizeof(err)), 0);
	struct want_addr del = {VTI_EV_ADDR_DEL, idx, vt_ip("198.51.100.2"), 24};
	assert_true(wait_for(fd, &r, match_addr, &del));
	struct want_addr add2 = {VTI_EV_ADDR_ADD, idx, vt_ip("198.51.100.3"), 24};
	assert_true(wait_for(fd, &r, match_addr, &add2));
	/* No event for anything that did not happen. */
	struct want_addr none = {VTI_EV_ADDR_ADD, idx, vt_ip("198.51.100.4"), 24};
	assert_false(wait_for(fd, &r, match_addr, &none));
}

static void test_link_removed(void **state)
{
	int fd = (int)(intptr_t)*state;
	static struct rec r;
	r.n = 0;
	int t = vti_tun_create("tunnel-ip7", err, sizeof(err));
	assert_true(t >= 0);
	struct want_link created = {VTI_EV_LINK, "tunnel-ip7", 0, -1, 0};
	assert_true(wait_for(fd, &r, match_link, &created));
	assert_int_equal(vti_tun_destroy(t, "tunnel-ip7", err, sizeof(err)), 0);
	struct want_link gone = {VTI_EV_LINK_DEL, "tunnel-ip7", -1, -1, 0};
	assert_true(wait_for(fd, &r, match_link, &gone));
}

static bool match_overrun(const struct vti_event *ev, const void *arg)
{
	return ev->kind == VTI_EV_OVERRUN;
}

static void test_overrun(void **state)
{
	static struct rec r;
	r.n = 0;
	int fd = vti_monitor_open(err, sizeof(err));
	assert_true(fd >= 0);
	/* Shrink its buffer (to the kernel's minimum) and make more events than fit. */
	int sz = 1;
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)), 0);
	for (unsigned mtu = 1300; mtu < 1340; mtu++)
		assert_int_equal(vti_mtu_set("outer0", mtu, err, sizeof(err)), 0);
	assert_true(wait_for(fd, &r, match_overrun, NULL));
	/* It keeps working after the overrun. */
	r.n = 0;
	assert_int_equal(vti_mtu_set("outer0", 1500, err, sizeof(err)), 0);
	struct want_link w = {VTI_EV_LINK, "outer0", -1, -1, 1500};
	assert_true(wait_for(fd, &r, match_link, &w));
	close(fd);
}

static void test_bad_fd(void **state)
{
	struct rec r = {.n = 0};
	assert_int_equal(vti_monitor_read(-1, rec_cb, &r, err, sizeof(err)), -1);
	assert_int_equal(errno, EBADF);
	assert_non_null(strstr(err, "link monitor"));
}

int main(void)
{
	vt_netns_enter();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fd_flags, mon_setup, mon_teardown),
	    cmocka_unit_test_setup_teardown(test_link_down_up, mon_setup, mon_teardown),
	    cmocka_unit_test_setup_teardown(test_mtu_event, mon_setup, mon_teardown),
	    cmocka_unit_test_setup_teardown(test_addr_events, mon_setup, mon_teardown),
	    cmocka_unit_test_setup_teardown(test_link_removed, mon_setup, mon_teardown),
	    cmocka_unit_test(test_overrun),
	    cmocka_unit_test(test_bad_fd),
	};
	return cmocka_run_group_tests(tests, net_setup, NULL);
}
