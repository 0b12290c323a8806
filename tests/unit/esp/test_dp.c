/* The data-plane runtime end to end, inside a private network namespace of this process:
 * two dp instances on 127.0.0.1 and 127.0.0.2, over ESP in UDP and over raw ESP (protocol 50),
 * with socketpairs standing in for TUN fds (so the test sees exactly what the dp writes) and one
 * real TUN device. Also: IKE hand-over, NAT keepalives, unknown SPIs, rekey notification,
 * make-before-break SA switch under traffic. Skipped when not root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esp/dp.h"
#include "esp/dp_int.h"
#include "esp_test_util.h"

#define LO1 0x7f000001u
#define LO2 0x7f000002u

static bool have_netns;

static int if_up(const char *name, uint32_t addr, uint32_t mask)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (addr) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(addr);
		if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
			goto fail;
		sin->sin_addr.s_addr = htonl(mask);
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			goto fail;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return 0;
fail:
	close(s);
	return -1;
}

static int set_mtu(const char *name, int mtu)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_mtu = mtu;
	rc = ioctl(s, SIOCSIFMTU, &ifr);
	close(s);
	return rc < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || if_up("lo", 0, 0) < 0)
		return 0;
	/* socketpairs stand in for TUNs: let their queues hold a batch */
	FILE *f = fopen("/proc/sys/net/unix/max_dgram_qlen", "w");
	if (f) {
		fputs("512", f);
		fclose(f);
	}
	have_netns = true;
	return 0;
}

#define NEED_NETNS()                                                                               \
	do {                                                                                       \
		if (!have_netns)                                                                   \
			skip();                                                                    \
	} while (0)

/* ---- a pair of data planes A (127.0.0.1) and B (127.0.0.2) ---- */

static struct {
	atomic_int ike_calls, rekey_calls;
	uint8_t ike_msg[64];
	size_t ike_len, ike_full_len;
	uint32_t rekey_spi;
	struct sockaddr_in ike_from, ike_to;
} cb;

static void on_ike(void *arg, const uint8_t *msg, size_t len, const struct sockaddr_in *from,
                   const struct sockaddr_in *to)
{
	cb.ike_len = len < sizeof(cb.ike_msg) ? len : sizeof(cb.ike_msg);
	cb.ike_full_len = len;
	memcpy(cb.ike_msg, msg, cb.ike_len);
	cb.ike_from = *from;
	cb.ike_to = *to;
	atomic_fetch_add(&cb.ike_calls, 1);
}

static void on_rekey(void *arg, uint32_t tunnel_id, uint32_t spi)
{
	cb.rekey_spi = spi;
	atomic_fetch_add(&cb.rekey_calls, 1);
}

struct side {
	struct dp *dp;
	int tun[2]; /* [0] the test's end, [1] the dp's "TUN" */
	uint32_t outer;
};

static void side_new(struct side *s, uint32_t outer, bool raw)
{
	struct dp_config c = {.udp_port = 4500,
	                      .udp_addr = htonl(outer),
	                      .no_raw = !raw,
	                      .no_udp = raw,
	                      .ike_cb = on_ike,
	                      .rekey_cb = on_rekey};
	s->outer = outer;
	s->dp = dp_new(&c);
	assert_non_null(s->dp);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, s->tun), 0);
	assert_int_equal(dp_start(s->dp), 0);
}

static void side_free(struct side *s)
{
	dp_free(s->dp);
	close(s->tun[0]);
	close(s->tun[1]);
}

/* SA spi from `from` to `to`: outbound on from, inbound on to. */
static void sa_link(struct side *from, struct side *to, uint32_t spi, const struct xform *x,
                    bool natt)
{
	struct esp_sa_params p;
	for (int inbound = 0; inbound <= 1; inbound++) {
		assert_int_equal(test_params(&p, x, spi, inbound, (uint8_t)spi), 0);
		struct side *me = inbound ? to : from, *peer = inbound ? from : to;
		p.local_addr = htonl(me->outer);
		p.remote_addr = htonl(peer->outer);
		/* inner addresses: A side is 192.0.2.1, B side 192.0.2.2 (test_params' convention
		 * assumes from = A); swap for B -> A */
		if (from->outer == LO2) {
			uint32_t a = p.ts_local_start;
			p.ts_local_start = p.ts_local_end = p.ts_remote_start;
			p.ts_remote_start = p.ts_remote_end = a;
		}
		if (natt)
			p.natt_local_port = p.natt_remote_port = 4500;
		assert_int_equal(dp_sa_install(me->dp, &p), 0);
	}
}

static void send_inner(struct side *s, size_t len, uint32_t src, uint32_t dst, uint8_t salt)
{
	uint8_t pkt[2048];
	test_ipv4(pkt, len, src, dst, salt);
	assert_int_equal(write(s->tun[0], pkt, len), (ssize_t)len);
}

/* Reads one packet from the test end of s's TUN within 2 s; returns its length or -1. */
static ssize_t recv_inner(struct side *s, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = {.fd = s->tun[0], .events = POLLIN};
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	return read(s->tun[0], buf, cap);
}

static void expect_inner(struct side *s, size_t len, uint32_t src, uint32_t dst, uint8_t salt)
{
	uint8_t want[2048], got[2048];
	test_ipv4(want, len, src, dst, salt);
	ssize_t n = recv_inner(s, got, sizeof(got), 2000);
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(got, want, len);
}

static void two_sides(struct side *a, struct side *b, bool raw, const struct xform *x)
{
	side_new(a, LO1, raw);
	side_new(b, LO2, raw);
	assert_int_equal(dp_tunnel_add(a->dp, 1, a->tun[1], htonl(LO1), htonl(LO2)), 0);
	assert_int_equal(dp_tunnel_add(b->dp, 1, b->tun[1], htonl(LO2), htonl(LO1)), 0);
	sa_link(a, b, 0x100, x, !raw);
	sa_link(b, a, 0x200, x, !raw);
}

static void both_ways(struct side *a, struct side *b, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = 20 + (size_t)(i * 37) % 1400;
		send_inner(a, len, A_IN, B_IN, (uint8_t)i);
		expect_inner(b, len, A_IN, B_IN, (uint8_t)i);
		send_inner(b, len + 1, B_IN, A_IN, (uint8_t)i);
		expect_inner(a, len + 1, B_IN, A_IN, (uint8_t)i);
	}
}

static void test_udp_all_transforms(void **state)
{
	NEED_NETNS();
	for (size_t k = 0; k < test_n_xforms; k++) {
		struct side a, b;
		two_sides(&a, &b, false, &test_xforms[k]);
		both_ways(&a, &b, 20);
		struct esp_sa_stats st;
		assert_int_equal(dp_sa_stats(b.dp, 0x100, true, &st), 0);
		assert_int_equal(st.packets, 20);
		assert_int_equal(dp_sa_stats(a.dp, 0x100, false, &st), 0);
		assert_int_equal(st.packets, 20);
		assert_int_equal(st.seq, 20);
		struct dp_tunnel_stats ts;
		for (int i = 0; i < 1000; i++) { /* the worker counts right after its write */
			assert_int_equal(dp_tunnel_stats(a.dp, 1, &ts), 0);
			if (ts.rx_packets == 20)
				break;
			usleep(1000);
		}
		assert_int_equal(ts.tx_packets, 20);
		assert_int_equal(ts.rx_packets, 20);
		assert_int_equal(ts.out_spi, 0x100);
		side_free(&a);
		side_free(&b);
	}
}

static void wait_for(_Atomic uint64_t *c, uint64_t v)
{
	for (int i = 0; i < 2000 && atomic_load(c) < v; i++)
		usleep(1000);
	assert_int_equal(atomic_load(c), v);
}

static void test_raw_esp(void **state)
{
	NEED_NETNS();
	struct side a, b;
	two_sides(&a, &b, true, &test_xforms[9]);
	both_ways(&a, &b, 50);
	/* every raw socket on the host sees every ESP packet: each dp counted the other's as
	 * unknown SPI, and delivered only its own */
	struct dp_stats sa_, sb;
	wait_for(&a.dp->no_sa, 50);
	wait_for(&b.dp->no_sa, 50);
	dp_get_stats(a.dp, &sa_);
	dp_get_stats(b.dp, &sb);
	assert_int_equal(sa_.no_sa, 50);
	assert_int_equal(sb.no_sa, 50);
	assert_int_equal(sa_.rx_packets, 100);
	side_free(&a);
	side_free(&b);
}

static int udp_to(uint32_t dst, const void *p, size_t len)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {
	    .sin_family = AF_INET, .sin_port = htons(4500), .sin_addr.s_addr = htonl(dst)};
	ssize_t r = sendto(s, p, len, 0, (struct sockaddr *)&to, sizeof(to));
	close(s);
	return r == (ssize_t)len ? 0 : -1;
}

static void test_udp_ike_keepalive_nosa(void **state)
{
	NEED_NETNS();
	struct side a, b;
	two_sides(&a, &b, false, &test_xforms[12]);
	assert_int_equal(dp_udp_port(b.dp), 4500);
	static const uint8_t ike[] = {0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
	assert_int_equal(udp_to(LO2, ike, sizeof(ike)), 0);
	wait_for(&b.dp->ike, 1);
	assert_int_equal(atomic_load(&cb.ike_calls), 1);
	assert_int_equal(cb.ike_len, 5);
	assert_memory_equal(cb.ike_msg, "hello", 5);
	assert_int_equal(cb.ike_to.sin_addr.s_addr, htonl(LO2));
	assert_int_equal(ntohs(cb.ike_to.sin_port), 4500);
	/* an IKE message bigger than a packet slot (certificates, no IKE fragmentation) */
	static uint8_t big[6000];
	memset(big, 'x', sizeof(big));
	memset(big, 0, 4);
	assert_int_equal(udp_to(LO2, big, sizeof(big)), 0);
	wait_for(&b.dp->ike, 2);
	assert_int_equal(atomic_load(&cb.ike_calls), 2);
	assert_int_equal(cb.ike_msg[0], 'x');
	assert_int_equal(cb.ike_full_len, sizeof(big) - 4);
	assert_int_equal(b.dp->too_short, 0);

	assert_int_equal(dp_send_keepalive(a.dp, 1), 0);
	wait_for(&b.dp->keepalives, 1);

	static const uint8_t junk[] = {0, 0, 0xde, 0xad, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(udp_to(LO2, junk, sizeof(junk)), 0);
	wait_for(&b.dp->no_sa, 1);
	assert_int_equal(udp_to(LO2, junk, 3), 0); /* neither marker nor ESP */
	wait_for(&b.dp->too_short, 1);
	both_ways(&a, &b, 2); /* still working */
	side_free(&a);
	side_free(&b);
}

static void test_rekey_notice_and_exhaustion(void **state)
{
	NEED_NETNS();
	struct side a, b;
	two_sides(&a, &b, false, &test_xforms[13]);
	struct esp_sa *sa = sad_lookup(&a.dp->sad, 0x100, false);
	assert_non_null(sa);
	esp_sa_test_set_seq(sa, ESP_SEQ_SOFT_DEFAULT - 2);
	atomic_store(&cb.rekey_calls, 0);
	for (int i = 0; i < 4; i++) {
		send_inner(&a, 60, A_IN, B_IN, 1);
		expect_inner(&b, 60, A_IN, B_IN, 1);
	}
	assert_int_equal(atomic_load(&cb.rekey_calls), 1);
	assert_int_equal(cb.rekey_spi, 0x100);
	esp_sa_test_set_seq(sa, 0xffffffffu);
	send_inner(&a, 60, A_IN, B_IN, 1);
	uint8_t buf[2048];
	assert_int_equal(recv_inner(&b, buf, sizeof(buf), 200), -1);
	struct esp_sa_stats st;
	assert_int_equal(dp_sa_stats(a.dp, 0x100, false, &st), 0);
	assert_int_equal(st.drops[ESP_DROP_SEQ_EXHAUSTED], 1);
	side_free(&a);
	side_free(&b);
}

/* Traffic A -> B in lock-step bursts while the main thread rekeys: nothing may be lost. */
struct flow {
	struct side *a, *b;
	int bursts, received;
	atomic_int progress;
};

static void *flow_main(void *arg)
{
	struct flow *f = arg;
	uint8_t buf[2048];
	for (int i = 0; i < f->bursts; i++) {
		for (int j = 0; j < 16; j++)
			send_inner(f->a, 200, A_IN, B_IN, (uint8_t)j);
		for (int j = 0; j < 16; j++)
			if (recv_inner(f->b, buf, sizeof(buf), 2000) == 200)
				f->received++;
		atomic_store(&f->progress, i);
	}
	return NULL;
}

static void test_make_before_break(void **state)
{
	NEED_NETNS();
	struct side a, b;
	two_sides(&a, &b, false, &test_xforms[9]);
	struct flow f = {&a, &b, 200, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, flow_main, &f);
	while (atomic_load(&f.progress) < 50)
		usleep(100);
	/* new SA 0x101 A -> B: inbound first, then outbound, switch, then remove the old pair */
	struct esp_sa_params p;
	test_params(&p, &test_xforms[9], 0x101, 1, 9);
	p.local_addr = htonl(LO2);
	p.remote_addr = htonl(LO1);
	p.natt_local_port = p.natt_remote_port = 4500;
	assert_int_equal(dp_sa_install(b.dp, &p), 0);
	test_params(&p, &test_xforms[9], 0x101, 0, 9);
	p.local_addr = htonl(LO1);
	p.remote_addr = htonl(LO2);
	p.natt_local_port = p.natt_remote_port = 4500;
	assert_int_equal(dp_sa_install(a.dp, &p), 0);
	struct dp_tunnel_stats ts;
	dp_tunnel_stats(a.dp, 1, &ts);
	assert_int_equal(ts.out_spi, 0x100); /* not switched by installing */
	assert_int_equal(dp_set_outbound(a.dp, 1, 0x101), 0);
	while (atomic_load(&f.progress) < 100)
		usleep(100);
	assert_int_equal(dp_sa_remove(a.dp, 0x100, false), 0);
	assert_int_equal(dp_sa_remove(b.dp, 0x100, true), 0);
	assert_int_equal(dp_sa_remove(b.dp, 0x100, true), -1);
	pthread_join(th, NULL);
	assert_int_equal(f.received, 200 * 16);
	struct esp_sa_stats st;
	assert_int_equal(dp_sa_stats(b.dp, 0x101, true, &st), 0);
	assert_true(st.packets >= 100 * 16);
	/* removing the current outbound SA detaches it: packets are dropped and counted */
	assert_int_equal(dp_sa_remove(a.dp, 0x101, false), 0);
	send_inner(&a, 60, A_IN, B_IN, 1);
	uint8_t buf[2048];
	assert_int_equal(recv_inner(&b, buf, sizeof(buf), 200), -1);
	struct dp_stats ds;
	dp_get_stats(a.dp, &ds);
	assert_int_equal(ds.tun_no_sa, 1);
	side_free(&a);
	side_free(&b);
}

/* A real TUN device on side A: the kernel routes a UDP datagram into it, B gets the packet;
 * B's reply comes out of A's TUN into the kernel and reaches a UDP socket. */
static int tun_open(const char *name, bool vnet)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The UDP checksum of an IPv4/UDP packet (RFC 768: over the pseudo-header too) verifies. */
static bool udp_csum_ok(const uint8_t *p, size_t len)
{
	uint8_t ph[12 + 2048];
	size_t ulen = len - 20;
	if (len < 28 || ulen + 12 > sizeof(ph))
		return false;
	if (p[26] == 0 && p[27] == 0)
		return true; /* none */
	memcpy(ph, p + 12, 8);
	ph[8] = 0, ph[9] = 17, ph[10] = (uint8_t)(ulen >> 8), ph[11] = (uint8_t)ulen;
	memcpy(ph + 12, p + 20, ulen);
	if (ulen & 1)
		ph[12 + ulen++] = 0;
	return ip_csum(ph, 12 + ulen) == 0;
}

/* vnet: the TUN with IFF_VNET_HDR, as mgmtsecd opens it: the kernel leaves the UDP checksum to
 * us (TUN_F_CSUM), the packet is read into its slot with the virtio header in the headroom. */
static void real_tun(bool vnet)
{
	NEED_NETNS();
	int tfd = tun_open("esptest0", vnet);
	if (tfd < 0)
		skip();
	assert_int_equal(if_up("esptest0", A_IN, 0xffffff00), 0);
	struct side a, b;
	side_new(&a, LO1, false);
	side_new(&b, LO2, false);
	assert_int_equal(dp_tunnel_add(a.dp, 1, tfd, htonl(LO1), htonl(LO2)), 0);
	assert_int_equal(dp_tunnel_add(b.dp, 1, b.tun[1], htonl(LO2), htonl(LO1)), 0);
	sa_link(&a, &b, 0x100, &test_xforms[13], true);
	sa_link(&b, &a, 0x200, &test_xforms[13], true);

	int us = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in me = {
	    .sin_family = AF_INET, .sin_port = htons(7777), .sin_addr.s_addr = htonl(A_IN)};
	assert_int_equal(bind(us, (struct sockaddr *)&me, sizeof(me)), 0);
	struct sockaddr_in peer = {
	    .sin_family = AF_INET, .sin_port = htons(9999), .sin_addr.s_addr = htonl(B_IN)};
	assert_int_equal(sendto(us, "ping", 4, 0, (struct sockaddr *)&peer, sizeof(peer)), 4);
	uint8_t got[2048];
	ssize_t n;
	do { /* skip anything else the kernel sends on a fresh link (IPv6 is dropped by encap) */
		n = recv_inner(&b, got, sizeof(got), 10000);
		assert_true(n > 0);
	} while (got[9] != 17);
	assert_int_equal(n, 32);
	assert_memory_equal(got + 28, "ping", 4);
	assert_true(udp_csum_ok(got, (size_t)n));

	/* reply: B_IN:9999 -> A_IN:7777, UDP checksum 0 */
	uint8_t r[32];
	test_ipv4(r, 32, B_IN, A_IN, 0);
	r[9] = 17;
	r[20] = 9999 >> 8, r[21] = 9999 & 0xff, r[22] = 7777 >> 8, r[23] = 7777 & 0xff;
	r[24] = 0, r[25] = 12, r[26] = 0, r[27] = 0;
	memcpy(r + 28, "pong", 4);
	uint16_t c = ip_csum(r, 20);
	r[10] = (uint8_t)(c >> 8), r[11] = (uint8_t)c;
	assert_int_equal(write(b.tun[0], r, 32), 32);
	struct pollfd pfd = {.fd = us, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	char msg[16];
	assert_int_equal(recv(us, msg, sizeof(msg), 0), 4);
	assert_memory_equal(msg, "pong", 4);
	close(us);
	dp_tunnel_remove(a.dp, 1);
	close(tfd);
	side_free(&a);
	side_free(&b);
}

static void test_real_tun(void **state)
{
	real_tun(false);
}

static void test_real_tun_vnet(void **state)
{
	real_tun(true);
}

static void test_control_errors(void **state)
{
	NEED_NETNS();
	struct side a;
	side_new(&a, LO1, false);
	assert_int_equal(dp_tunnel_add(a.dp, 1, a.tun[1], 0, 0), 0);
	assert_int_equal(dp_tunnel_add(a.dp, 1, a.tun[1], 0, 0), -1);
	assert_int_equal(dp_tunnel_remove(a.dp, 2), -1);
	assert_int_equal(dp_set_outbound(a.dp, 1, 0x999), -1);
	struct esp_sa_params p;
	test_params(&p, &test_xforms[0], 0x300, 1, 1);
	assert_int_equal(dp_sa_install(a.dp, &p), 0);
	assert_int_equal(dp_sa_install(a.dp, &p), -1); /* duplicate */
	p.encr = NULL;
	assert_int_equal(dp_sa_install(a.dp, &p), -1);
	assert_int_equal(dp_send_keepalive(a.dp, 1), 1); /* no NAT-T SA */
	struct esp_sa_stats st;
	assert_int_equal(dp_sa_stats(a.dp, 0x300, false, &st), -1);
	assert_int_equal(dp_tunnel_remove(a.dp, 1), 0);
	/* many SAs: the table grows and every one is found */
	for (uint32_t spi = 0x1000; spi < 0x1400; spi++) {
		test_params(&p, &test_xforms[12], spi, 1, 1);
		assert_int_equal(dp_sa_install(a.dp, &p), 0);
	}
	for (uint32_t spi = 0x1000; spi < 0x1400; spi += 7)
		assert_int_equal(dp_sa_stats(a.dp, spi, true, &st), 0);
	for (uint32_t spi = 0x1000; spi < 0x1400; spi += 2)
		assert_int_equal(dp_sa_remove(a.dp, spi, true), 0);
	assert_int_equal(dp_sa_stats(a.dp, 0x1000, true, &st), -1);
	assert_int_equal(dp_sa_stats(a.dp, 0x1001, true, &st), 0);
	side_free(&a);
}

static uint32_t out_spi(struct dp *dp, uint32_t tunnel)
{
	struct dp_tunnel_stats ts;
	assert_int_equal(dp_tunnel_stats(dp, tunnel, &ts), 0);
	return ts.out_spi;
}

static void install_out(struct dp *dp, uint32_t spi, uint32_t tunnel)
{
	struct esp_sa_params p;
	assert_int_equal(test_params(&p, &test_xforms[12], spi, 0, 1), 0);
	p.tunnel_id = tunnel;
	assert_int_equal(dp_sa_install(dp, &p), 0);
}

/* Which outbound SA a tunnel uses as SAs come and go (dp_outs.c): a tunnel added after its SAs
 * takes the newest; removing the current one falls back to the newest remaining of the same
 * tunnel, never to another tunnel's; removing another leaves the current alone. */
static void test_outbound_choice(void **state)
{
	NEED_NETNS();
	struct side a;
	side_new(&a, LO1, false);
	int t2[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, t2), 0);
	install_out(a.dp, 0x201, 1);
	install_out(a.dp, 0x301, 2);
	install_out(a.dp, 0x202, 1);
	install_out(a.dp, 0x203, 1);
	install_out(a.dp, 0x302, 2);
	assert_int_equal(dp_tunnel_add(a.dp, 1, a.tun[1], 0, 0), 0);
	assert_int_equal(dp_tunnel_add(a.dp, 2, t2[1], 0, 0), 0);
	assert_int_equal(out_spi(a.dp, 1), 0x203);
	assert_int_equal(out_spi(a.dp, 2), 0x302);
	assert_int_equal(dp_set_outbound(a.dp, 1, 0x201), 0);
	assert_int_equal(dp_sa_remove(a.dp, 0x203, false), 0); /* not the current one */
	assert_int_equal(out_spi(a.dp, 1), 0x201);
	assert_int_equal(dp_sa_remove(a.dp, 0x201, false), 0); /* the current: the newest left */
	assert_int_equal(out_spi(a.dp, 1), 0x202);
	assert_int_equal(dp_sa_remove(a.dp, 0x302, false), 0);
	assert_int_equal(out_spi(a.dp, 2), 0x301);
	assert_int_equal(dp_sa_remove(a.dp, 0x202, false), 0); /* the last of tunnel 1 */
	assert_int_equal(out_spi(a.dp, 1), 0);
	assert_int_equal(out_spi(a.dp, 2), 0x301);
	install_out(a.dp, 0x204, 1); /* a tunnel without one takes the next installed */
	assert_int_equal(out_spi(a.dp, 1), 0x204);
	/* many tunnels' SAs: each tunnel still finds its own */
	for (uint32_t i = 0; i < 300; i++)
		install_out(a.dp, 0x10000 + i, 3 + i % 30);
	assert_int_equal(dp_sa_remove(a.dp, 0x204, false), 0);
	assert_int_equal(out_spi(a.dp, 1), 0);
	assert_int_equal(out_spi(a.dp, 2), 0x301);
	dp_tunnel_remove(a.dp, 1);
	dp_tunnel_remove(a.dp, 2);
	close(t2[0]);
	close(t2[1]);
	side_free(&a);
}

/* ESP in UDP in batches: packets of one size queued together leave as one UDP GSO send, the
 * peer's socket (UDP_GRO) takes the batch whole and splits it: every packet arrives, in order,
 * intact; a batch with a shorter last packet and one of mixed sizes too. */
static void test_udp_gso_gro(void **state)
{
	NEED_NETNS();
	enum {
		N = 24
	};
	struct side a, b;
	int big = 1 << 20;
	side_new(&a, LO1, false);
	side_new(&b, LO2, false);
	/* room for every packet before the data plane reads any */
	assert_int_equal(setsockopt(a.tun[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)), 0);
	assert_int_equal(dp_tunnel_add(b.dp, 1, b.tun[1], htonl(LO2), htonl(LO1)), 0);
	sa_link(&a, &b, 0x100, &test_xforms[9], true);
	sa_link(&b, &a, 0x200, &test_xforms[9], true);
	/* queued before A's data plane watches its TUN: one wake-up reads them together */
	size_t len[3 * N];
	for (int i = 0; i < 3 * N; i++) {
		len[i] = i < N       ? 1000
		         : i < 2 * N ? (i == 2 * N - 1 ? 300 : 1200)
		                     : 100 + (size_t)i * 7;
		send_inner(&a, len[i], A_IN, B_IN, (uint8_t)i);
	}
	assert_int_equal(dp_tunnel_add(a.dp, 1, a.tun[1], htonl(LO1), htonl(LO2)), 0);
	for (int i = 0; i < 3 * N; i++)
		expect_inner(&b, len[i], A_IN, B_IN, (uint8_t)i);
	/* A counts a send after it returns, which may be after B delivered: the removal waits
	 * until A's worker is out of its round (RCU), so the counters are final */
	dp_tunnel_remove(a.dp, 1);
	struct dp_stats sa_, sb;
	dp_get_stats(a.dp, &sa_);
	dp_get_stats(b.dp, &sb);
	assert_true(sa_.gso_sends >= 2); /* the 1000s and the 1200s (+ 300) at least */
	assert_true(sb.gro_reads >= 2);
	assert_int_equal(sa_.send_errors, 0);
	assert_int_equal(sb.too_short, 0);
	assert_int_equal(sb.rx_packets, 3 * N);

	/* a path MTU below the segment size: the kernel refuses the batch, the packets go one
	 * by one (fragmented) and all arrive */
	assert_int_equal(set_mtu("lo", 1100), 0);
	for (int i = 0; i < N; i++)
		send_inner(&a, 1200, A_IN, B_IN, (uint8_t)i);
	assert_int_equal(dp_tunnel_add(a.dp, 1, a.tun[1], htonl(LO1), htonl(LO2)), 0);
	for (int i = 0; i < N; i++)
		expect_inner(&b, 1200, A_IN, B_IN, (uint8_t)i);
	dp_tunnel_remove(a.dp, 1);
	struct dp_stats sa2;
	dp_get_stats(a.dp, &sa2);
	assert_int_equal(sa2.gso_sends, sa_.gso_sends);
	assert_int_equal(sa2.send_errors, 0);
	assert_int_equal(set_mtu("lo", 65536), 0);
	side_free(&a);
	side_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp_all_transforms),
	    cmocka_unit_test(test_raw_esp),
	    cmocka_unit_test(test_udp_ike_keepalive_nosa),
	    cmocka_unit_test(test_rekey_notice_and_exhaustion),
	    cmocka_unit_test(test_make_before_break),
	    cmocka_unit_test(test_real_tun),
	    cmocka_unit_test(test_real_tun_vnet),
	    cmocka_unit_test(test_control_errors),
	    cmocka_unit_test(test_outbound_choice),
	    cmocka_unit_test(test_udp_gso_gro),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
