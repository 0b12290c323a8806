/*
 * bench_raw_send — what one ESP packet costs the sender's sendmmsg() on a raw socket, with the
 * kernel building the outer IPv4 header (an IPPROTO_ESP socket: ip_append_data, which copies
 * with a checksum and corks) against our own header (IPPROTO_RAW, header included: a plain
 * copy). On a veth the call also runs the peer namespace's receive path up to its raw socket,
 * as the data plane's does. Run by bench/raw_send, which sets up the namespaces.
 *
 *   bench_raw_send recv                     drain a raw ESP socket (the peer), forever
 *   bench_raw_send send DST SRC [N] [LEN]   N packets (default 400000) of LEN bytes of ESP
 *                                           (default 1420) each way, in batches of 44 (a
 *                                           64 KiB TSO read cut into MSS segments)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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

static int drain(void)
{
	static char bufs[64][SLOT];
	struct mmsghdr m[64];
	struct iovec iov[64];
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ESP), sz = 8 << 20;
	if (fd < 0) {
		perror("raw ESP socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 64; i++) {
		iov[i] = (struct iovec){bufs[i], SLOT};
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;)
		recvmmsg(fd, m, 64, 0, NULL);
}

/* One run: n packets through fd; header != 0 puts our own outer IPv4 header in front. */
static void run(const char *name, int fd, int header, uint32_t dst, uint32_t src, long n,
                size_t len)
{
	static unsigned char bufs[BATCH][SLOT];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = dst};
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
		int r = sendmmsg(fd, m, BATCH, 0);
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
	    raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	int sz = 8 << 20;
	if (esp < 0 || raw < 0 || len < 8 || len > SLOT - 20) {
		perror("raw sockets");
		return 1;
	}
	setsockopt(esp, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(raw, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	for (int round = 0; round < 3; round++) {
		run("IPPROTO_ESP (kernel header)", esp, 0, dst, src, n, len);
		run("IPPROTO_RAW (own header)", raw, 1, dst, src, n, len);
	}
	return 0;
}
