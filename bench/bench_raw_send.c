/*
 * bench_raw_send — what one ESP packet costs the sender's sendmmsg() on a raw socket, with the
 * kernel building the outer IPv4 header (an IPPROTO_ESP socket: ip_append_data, which copies
 * with a checksum and corks) against our own header (IPPROTO_RAW, header included: a plain
 * copy). On a veth the call also runs the peer namespace's receive path up to its raw socket,
 * as the data plane's does. Also ESP in UDP (RFC 3948, port 4500) two ways: one datagram per
 * packet through sendmmsg(), as the data plane sends behind a NAT, and the same batch in one
 * sendmsg() with UDP_SEGMENT (UDP GSO: the kernel's stack runs once for the batch, and a
 * receiver with UDP_GRO takes it whole). Run by bench/raw_send, which sets up the namespaces.
 *
 *   bench_raw_send recv                     drain a raw ESP socket and UDP port 4500 (with
 *                                           UDP_GRO) as the peer, forever
 *   bench_raw_send send DST SRC [N] [LEN]   N packets (default 400000) of LEN bytes of ESP
 *                                           (default 1420) each way, in batches of 44 (a
 *                                           64 KiB TSO read cut into MSS segments)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 44
#define SLOT  2048

static double cpu_s(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return (double)r.ru_utime.tv_sec + (double)r.ru_stime.tv_sec +
	       ((double)r.ru_utime.tv_usec + (double)r.ru_stime.tv_usec) / 1e6;
}

static double wall_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define NAT_T_PORT 4500

static void drain_some(int fd, struct mmsghdr *m)
{
	while (recvmmsg(fd, m, 64, MSG_DONTWAIT, NULL) > 0)
		;
}

static int drain(void)
{
	static char bufs[64][65536]; /* a UDP GRO read holds a whole batch */
	struct mmsghdr m[64];
	struct iovec iov[64];
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ESP), sz = 8 << 20, on = 1;
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(NAT_T_PORT)};
	if (fd < 0 || udp < 0 || bind(udp, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("raw ESP / UDP 4500 socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(udp, IPPROTO_UDP, UDP_GRO, &on, sizeof(on));
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 64; i++) {
		iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = udp, .events = POLLIN}};
	for (;;) {
		if (poll(p, 2, -1) <= 0)
			continue;
		drain_some(fd, m);
		drain_some(udp, m);
	}
}

enum mode {
	M_KERNEL_HDR, /* IPPROTO_ESP: the kernel's outer header */
	M_OWN_HDR,    /* IPPROTO_RAW: our own outer header */
	M_UDP,        /* ESP in UDP, one datagram per packet */
	M_UDP_GSO     /* ESP in UDP, the batch in one UDP_SEGMENT send */
};

/* The batch as one UDP GSO send: an iovec per packet, all but the last exactly len long. */
static int send_gso(int fd, struct iovec *iov, int k, struct sockaddr_in *to, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} c;
	struct msghdr h = {.msg_name = to,
	                   .msg_namelen = sizeof(*to),
	                   .msg_iov = iov,
	                   .msg_iovlen = (size_t)k,
	                   .msg_control = c.buf,
	                   .msg_controllen = sizeof(c.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&h);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	uint16_t seg = (uint16_t)len;
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	return sendmsg(fd, &h, 0) < 0 ? -1 : k;
}

/* One run: n packets through fd in the given mode. */
static void run(const char *name, int fd, enum mode mode, uint32_t dst, uint32_t src, long n,
                size_t len)
{
	int header = mode == M_OWN_HDR;
	static unsigned char bufs[BATCH][SLOT];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = dst};
	if (mode == M_UDP || mode == M_UDP_GSO)
		to.sin_port = htons(NAT_T_PORT);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < BATCH; i++) {
		unsigned char *p = bufs[i];
		memset(p, 0xab, SLOT);
		memset(p, 0, 20);
		p[0] = 0x45;
		p[6] = 0x40; /* DF */
		p[8] = 64;
		p[9] = IPPROTO_ESP;
		memcpy(p + 12, &src, 4);
		memcpy(p + 16, &dst, 4);
		iov[i] = header ? (struct iovec){p, len + 20} : (struct iovec){p + 20, len};
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_name = &to;
		m[i].msg_hdr.msg_namelen = sizeof(to);
	}
	long sent = 0, errors = 0;
	double c0 = cpu_s(), w0 = wall_s();
	while (sent < n) {
		int r = mode == M_UDP_GSO ? send_gso(fd, iov, BATCH, &to, len)
		                          : sendmmsg(fd, m, BATCH, 0);
		if (r < 0)
			errors++;
		else
			sent += r;
		if (errors > 1000) {
			perror("sendmmsg");
			break;
		}
	}
	double c = cpu_s() - c0, w = wall_s() - w0;
	printf("%-28s %8ld packets  %6.0f ns CPU/packet  %6.0f ns wall/packet\n", name, sent,
	       sent ? c * 1e9 / (double)sent : 0, sent ? w * 1e9 / (double)sent : 0);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return drain();
	if (argc < 4 || strcmp(argv[1], "send")) {
		fprintf(stderr, "usage: bench_raw_send recv | send DST SRC [N] [LEN]\n");
		return 2;
	}
	uint32_t dst = inet_addr(argv[2]), src = inet_addr(argv[3]);
	long n = argc > 4 ? atol(argv[4]) : 400000;
	size_t len = argc > 5 ? (size_t)atol(argv[5]) : 1420;
	int esp = socket(AF_INET, SOCK_RAW, IPPROTO_ESP),
	    raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), udp = socket(AF_INET, SOCK_DGRAM, 0);
	int sz = 8 << 20;
	/* a GSO send carries at most 64 KiB of UDP payload */
	if (esp < 0 || raw < 0 || udp < 0 || len < 8 || len > SLOT - 20 || len * BATCH > 65000) {
		perror("sockets, or LEN too big for a batch");
		return 1;
	}
	setsockopt(esp, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(raw, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(udp, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	for (int round = 0; round < 3; round++) {
		run("IPPROTO_ESP (kernel header)", esp, M_KERNEL_HDR, dst, src, n, len);
		run("IPPROTO_RAW (own header)", raw, M_OWN_HDR, dst, src, n, len);
		run("ESP in UDP, per packet", udp, M_UDP, dst, src, n, len);
		run("ESP in UDP, GSO batch of 44", udp, M_UDP_GSO, dst, src, n, len);
	}
	return 0;
}
