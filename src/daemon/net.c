/*
 * IKE on the wire: the UDP 500 socket (ours, on the event loop) and UDP 4500 (the data plane's
 * socket: it hands IKE messages, marker stripped, to net_dp_ike_cb on its inbound thread; we
 * queue them and drain the queue on the loop). Sending uses IP_PKTINFO so replies leave from
 * the address the peer talks to.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "ike/wire.h"
#include "util/log.h"

#define IKE_UDP_RCVBUF (8 << 20)
#define IKEQ_MAX       512 /* queued 4500 messages; beyond, new ones are dropped (counted) */

struct ike_msg_q {
	struct ike_msg_q *next;
	uint32_t local, remote;
	uint16_t lport, rport;
	size_t len;
	uint8_t data[];
};

static int send_from(int fd, const struct iovec *iov, int n_iov, uint32_t local, uint32_t remote,
                     uint16_t rport)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(rport)};
	to.sin_addr.s_addr = remote;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cm;
	memset(&cm, 0, sizeof(cm));
	struct msghdr mh = {.msg_name = &to,
	                    .msg_namelen = sizeof(to),
	                    .msg_iov = (struct iovec *)iov,
	                    .msg_iovlen = (size_t)n_iov};
	if (local) {
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo pi = {0};
		pi.ipi_spec_dst.s_addr = local;
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT) < 0 ? -1 : 0;
}

int net_ike_send(void *arg, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                 uint32_t remote, uint16_t rport)
{
	struct daemon *d = arg;
	static const uint8_t marker[IKE_NON_ESP_MARKER_LEN] = {0};
	if (lport == IKE_NATT_PORT) {
		int fd = d->dp ? dp_udp_fd(d->dp) : -1;
		if (fd < 0)
			return -1;
		struct iovec iov[2] = {{(void *)marker, sizeof(marker)}, {(void *)pkt, len}};
		return send_from(fd, iov, 2, local, remote, rport);
	}
	struct iovec iov = {(void *)pkt, len};
	int rc = send_from(d->udp500, &iov, 1, local, remote, rport);
	if (rc < 0)
		log_debug("ike: send to port %u failed: %s", rport, strerror(errno));
	return rc;
}

static void on_udp500(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint8_t buf[IKE_MAX_MSG];
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in from;
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} cm;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_name = &from,
		                    .msg_namelen = sizeof(from),
		                    .msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cm.buf,
		                    .msg_controllen = sizeof(cm.buf)};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		uint32_t local = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local = pi.ipi_addr.s_addr;
			}
		}
		ike_input(d->ike, buf, (size_t)n, local, IKE_PORT, from.sin_addr.s_addr,
		          ntohs(from.sin_port));
	}
}

void net_dp_ike_cb(void *arg, const uint8_t *msg, size_t len, const struct sockaddr_in *from,
                   const struct sockaddr_in *to)
{
	struct daemon *d = arg;
	struct ike_msg_q *q = malloc(sizeof(*q) + len);
	if (!q)
		return;
	q->next = NULL;
	q->local = to ? to->sin_addr.s_addr : 0;
	q->lport = IKE_NATT_PORT;
	q->remote = from->sin_addr.s_addr;
	q->rport = ntohs(from->sin_port);
	q->len = len;
	memcpy(q->data, msg, len);
	pthread_mutex_lock(&d->ikeq_lock);
	if (d->ikeq_len >= IKEQ_MAX) {
		d->ikeq_dropped++;
		pthread_mutex_unlock(&d->ikeq_lock);
		free(q);
		return;
	}
	if (d->ikeq_tail)
		d->ikeq_tail->next = q;
	else
		d->ikeq_head = q;
	d->ikeq_tail = q;
	d->ikeq_len++;
	pthread_mutex_unlock(&d->ikeq_lock);
	uint64_t one = 1;
	if (write(d->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("ike queue wake-up failed: %s", strerror(errno));
}

struct rekey_q {
	struct rekey_q *next;
	uint32_t tunnel_id, spi;
};

void net_dp_rekey_cb(void *arg, uint32_t tunnel_id, uint32_t spi)
{
	struct daemon *d = arg;
	struct rekey_q *r = malloc(sizeof(*r));
	if (!r)
		return; /* the SA's lifetime still forces a rekey */
	r->tunnel_id = tunnel_id;
	r->spi = spi;
	pthread_mutex_lock(&d->ikeq_lock);
	r->next = d->rekeyq;
	d->rekeyq = r;
	pthread_mutex_unlock(&d->ikeq_lock);
	uint64_t one = 1;
	if (write(d->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("rekey wake-up failed: %s", strerror(errno));
}

static void run_rekeys(struct daemon *d, struct rekey_q *r)
{
	while (r) {
		struct rekey_q *next = r->next;
		log_info("tunnel-ip%u: SA 0x%08x near its sequence number limit: rekeying",
		         r->tunnel_id, r->spi);
		ike_rekey_child(d->ike, r->tunnel_id, r->spi);
		free(r);
		r = next;
	}
}

static void on_evfd(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&d->ikeq_lock);
	struct ike_msg_q *q = d->ikeq_head;
	struct rekey_q *rk = d->rekeyq;
	d->ikeq_head = d->ikeq_tail = NULL;
	d->ikeq_len = 0;
	d->rekeyq = NULL;
	pthread_mutex_unlock(&d->ikeq_lock);
	run_rekeys(d, rk);
	while (q) {
		struct ike_msg_q *next = q->next;
		ike_input(d->ike, q->data, q->len, q->local, q->lport, q->remote, q->rport);
		free(q);
		q = next;
	}
}

int net_open(struct daemon *d)
{
	d->udp500 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->udp500 < 0)
		return -1;
	int one = 1;
	setsockopt(d->udp500, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(d->udp500, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A commit of many tunnels makes as many IKE_SA_INITs arrive at once; the default buffer
	 * (~200 KiB) drops most of a thousand and every drop costs a retransmission timeout. */
	int rcvbuf = IKE_UDP_RCVBUF;
	if (setsockopt(d->udp500, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(d->udp500, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(IKE_PORT)};
	if (bind(d->udp500, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("cannot bind UDP port %d: %s", IKE_PORT, strerror(errno));
		return -1;
	}
	d->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->evfd < 0)
		return -1;
	pthread_mutex_init(&d->ikeq_lock, NULL);
	if (loop_add_fd(d->loop, d->udp500, EPOLLIN, on_udp500, d) < 0 ||
	    loop_add_fd(d->loop, d->evfd, EPOLLIN, on_evfd, d) < 0)
		return -1;
	return 0;
}

void net_close(struct daemon *d)
{
	if (d->udp500 >= 0) {
		loop_del_fd(d->loop, d->udp500);
		close(d->udp500);
		d->udp500 = -1;
	}
	if (d->evfd >= 0) {
		loop_del_fd(d->loop, d->evfd);
		close(d->evfd);
		d->evfd = -1;
	}
	struct ike_msg_q *q = d->ikeq_head;
	while (q) {
		struct ike_msg_q *next = q->next;
		free(q);
		q = next;
	}
	d->ikeq_head = d->ikeq_tail = NULL;
	while (d->rekeyq) {
		struct rekey_q *r = d->rekeyq;
		d->rekeyq = r->next;
		free(r);
	}
	pthread_mutex_destroy(&d->ikeq_lock);
}
