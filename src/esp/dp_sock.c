/* Sockets, epoll sets and the stop eventfd of the data plane. */
#include <errno.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "esp/dp_int.h"
#include "util/log.h"

#define DP_SOCKBUF (4 << 20)

static void bigger_buffers(int fd)
{
	int sz = DP_SOCKBUF;
	/* FORCE variants need CAP_NET_ADMIN; fall back to the capped ones. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int epoll_add(int ep, int fd, uint64_t key)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* UDP_GRO: the kernel may hand us a batch of one peer's datagrams (of one size) as one; the
 * inbound thread reads them into big buffers and splits them (dp_in.c). Without it a batch
 * sent with UDP GSO (ours, from a peer like us) would be cut up again before our socket. */
static void enable_gro(struct dp *dp)
{
	int one = 1;
	struct dp_io *io = &dp->io_in;
	io->gro_rx = malloc((size_t)DP_GRO_RX * DP_GRO_RX_SIZE); /* touched only as used */
	if (!io->gro_rx || setsockopt(dp->udp_fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)) < 0) {
		free(io->gro_rx);
		io->gro_rx = NULL;
		return;
	}
	for (unsigned i = 0; i < DP_GRO_RX; i++) {
		struct msghdr *h = &io->gro_msgs[i].msg_hdr;
		io->gro_iov[i] =
		    (struct iovec){io->gro_rx + (size_t)i * DP_GRO_RX_SIZE, DP_GRO_RX_SIZE};
		h->msg_iov = &io->gro_iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &io->gro_addr[i];
	}
	dp->udp_gro = true;
}

static int open_udp(struct dp *dp)
{
	int one = 1;
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port =
	                              htons(dp->cfg.udp_port ? dp->cfg.udp_port : DP_UDP_PORT),
	                          .sin_addr.s_addr = dp->cfg.udp_addr};
	socklen_t sl = sizeof(sin);
	dp->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dp->udp_fd < 0)
		return -1;
	setsockopt(dp->udp_fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	bigger_buffers(dp->udp_fd);
	if (bind(dp->udp_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(dp->udp_fd, (struct sockaddr *)&sin, &sl) < 0) {
		log_err("dp: UDP %u: %s", ntohs(sin.sin_port), strerror(errno));
		return -1;
	}
	dp->udp_port = ntohs(sin.sin_port);
	enable_gro(dp);
	return epoll_add(dp->ep_in, dp->udp_fd, DP_KEY_UDP);
}

static int open_raw(struct dp *dp)
{
	dp->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ESP);
	if (dp->raw_fd < 0) {
		log_err("dp: raw ESP socket: %s", strerror(errno));
		return -1;
	}
	bigger_buffers(dp->raw_fd);
	if (epoll_add(dp->ep_in, dp->raw_fd, DP_KEY_RAW) < 0)
		return -1;
	/* The header-included sender is an optimisation: without it, raw_fd sends. */
	int ttl = 64;
	socklen_t tl = sizeof(ttl);
	if (getsockopt(dp->raw_fd, IPPROTO_IP, IP_TTL, &ttl, &tl) < 0 || ttl < 1 || ttl > 255)
		ttl = 64;
	dp->ttl = (uint8_t)ttl;
	dp->hdr_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (dp->hdr_fd >= 0)
		bigger_buffers(dp->hdr_fd);
	else
		log_info("dp: no IPPROTO_RAW socket (%s): ESP sent without header inclusion",
		         strerror(errno));
	return 0;
}

int dp_sockets_open(struct dp *dp)
{
	dp->ep_out = epoll_create1(EPOLL_CLOEXEC);
	dp->ep_in = epoll_create1(EPOLL_CLOEXEC);
	dp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dp->ep_out < 0 || dp->ep_in < 0 || dp->stop_fd < 0)
		return -1;
	if (epoll_add(dp->ep_out, dp->stop_fd, DP_KEY_STOP) < 0 ||
	    epoll_add(dp->ep_in, dp->stop_fd, DP_KEY_STOP) < 0)
		return -1;
	if (!dp->cfg.no_raw && open_raw(dp) < 0)
		return -1;
	if (!dp->cfg.no_udp && open_udp(dp) < 0)
		return -1;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void dp_sockets_close(struct dp *dp)
{
	close_fd(&dp->raw_fd);
	close_fd(&dp->hdr_fd);
	close_fd(&dp->udp_fd);
	close_fd(&dp->ep_out);
	close_fd(&dp->ep_in);
	close_fd(&dp->stop_fd);
}
