/* Inbound worker: ESP -> TUN. recvmmsg() batches from the raw ESP socket and the UDP
 * encapsulation socket; SPI lookup, decapsulation in place, write to the SA's TUN. */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "esp/dp_int.h"
#include "esp/esp.h"
#include "esp/natt.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/loop.h"

static void count_rx(struct dp_tunnel *t, size_t len)
{
	esp_ctr_add(&t->rx_packets, 1);
	esp_ctr_add(&t->rx_bytes, len);
}

/* Writes the TCP packet being coalesced, if any, as one (GSO) write. */
static void dp_in_gro_flush(struct dp *dp)
{
	const struct iovec *iov;
	unsigned n_iov;
	size_t len;
	struct dp_tunnel *t = dp->gro.owner;
	unsigned n = dp->gro.n;
	if (!offload_gro_finish(&dp->gro, &iov, &n_iov, &len))
		return;
	if (writev(t->fd, iov, (int)n_iov) != (ssize_t)len)
		esp_ctr_add(&t->rx_drops, n);
}

/* IFF_VNET_HDR TUN: coalesce TCP segments of one flow, write anything else at once with a
 * zero virtio_net_hdr in the headroom (the ESP header there is no longer needed). */
static bool deliver_vnet(struct dp *dp, struct dp_tunnel *t, const struct esp_pkt *p)
{
	const uint8_t *data = p->buf + p->off;
	if (offload_gro_append(&dp->gro, t->fd, data, p->len))
		return true;
	dp_in_gro_flush(dp);
	if (offload_gro_start(&dp->gro, t->fd, t, data, p->len))
		return true;
	uint8_t *h = p->buf + p->off - OFFLOAD_VNET_LEN;
	memset(h, 0, OFFLOAD_VNET_LEN);
	return write(t->fd, h, p->len + OFFLOAD_VNET_LEN) == (ssize_t)(p->len + OFFLOAD_VNET_LEN);
}

static void deliver(struct dp *dp, struct esp_sa *sa, const struct esp_pkt *p)
{
	struct dp_tunnel *t = dp_tunnel_get(dp, sa->tunnel_id);
	if (!t) {
		esp_ctr_add(&sa->ctr.drops[ESP_DROP_NO_TUNNEL], 1);
		return;
	}
	bool ok;
	if (t->vnet) /* decapsulation always leaves the ESP header's room in front */
		ok = p->off >= OFFLOAD_VNET_LEN && deliver_vnet(dp, t, p);
	else
		ok = write(t->fd, p->buf + p->off, p->len) == (ssize_t)p->len;
	if (!ok) {
		esp_ctr_add(&sa->ctr.drops[ESP_DROP_IO], 1);
		esp_ctr_add(&t->rx_drops, 1);
		return;
	}
	count_rx(t, p->len);
}

/* Counted always; logged at most once a second (any sender can make these), with the
 * sequence number, which tells a packet ahead of its SA's install (small) from one behind its
 * removal (large). */
static void drop_unknown_spi(struct dp *dp, uint32_t spi, uint32_t seq)
{
	esp_ctr_add(&dp->no_sa, 1);
	uint64_t now = loop_now_ms();
	if (dp->no_sa_logged_ms && now - dp->no_sa_logged_ms < 1000)
		return;
	dp->no_sa_logged_ms = now;
	log_info("ESP packet for unknown SPI 0x%08x (sequence number %u) dropped", spi, seq);
}

static void in_esp(struct dp *dp, struct esp_pkt *p)
{
	uint32_t spi, seq;
	esp_ctr_add(&dp->rx_packets, 1);
	if (!esp_peek_hdr(p, &spi, &seq)) {
		esp_ctr_add(&dp->too_short, 1);
		return;
	}
	struct esp_sa *sa = sad_lookup(&dp->sad, spi, true);
	if (!sa) {
		drop_unknown_spi(dp, spi, seq);
		return;
	}
	if (esp_decap(sa, p) != ESP_DROP_NONE) {
		struct dp_tunnel *t = dp_tunnel_get(dp, sa->tunnel_id);
		if (t)
			esp_ctr_add(&t->rx_drops, 1);
		return;
	}
	deliver(dp, sa, p);
}

/* Raw IPPROTO_ESP sockets deliver the outer IPv4 header too: skip it (IHL). */
static void in_raw(struct dp *dp, uint8_t *buf, size_t len)
{
	struct rbuf r;
	rbuf_init(&r, buf + DP_HEADROOM, len);
	size_t ihl = (size_t)(rbuf_u8(&r) & 0x0f) * 4;
	if (!rbuf_ok(&r) || ihl < 20 || ihl > len) {
		esp_ctr_add(&dp->too_short, 1);
		return;
	}
	struct esp_pkt p = {buf, DP_BUF_SIZE, DP_HEADROOM + ihl, len - ihl};
	in_esp(dp, &p);
}

static void local_addr(struct msghdr *h, struct sockaddr_in *to, uint16_t port)
{
	*to = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port)};
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			to->sin_addr = pi.ipi_addr;
		}
	}
}

/* An IKE message on the UDP port (after the non-ESP marker) goes to the IKE engine. */
static void in_udp_ike(struct dp *dp, const uint8_t *data, size_t len, struct mmsghdr *m)
{
	esp_ctr_add(&dp->ike, 1);
	if (dp->cfg.ike_cb) {
		struct sockaddr_in to;
		local_addr(&m->msg_hdr, &to, dp->udp_port);
		dp->cfg.ike_cb(dp->cfg.cb_arg, data + NATT_MARKER_LEN, len - NATT_MARKER_LEN,
		               m->msg_hdr.msg_name, &to);
	}
}

/* One UDP datagram at data (in a packet slot or in a coalesced read): decapsulated in place,
 * which needs no room around it (the TUN's virtio header goes where the ESP header was). */
static void in_udp(struct dp *dp, uint8_t *data, size_t len, struct mmsghdr *m)
{
	switch (natt_classify(data, len)) {
	case NATT_KEEPALIVE:
		esp_ctr_add(&dp->keepalives, 1);
		return;
	case NATT_IKE:
		in_udp_ike(dp, data, len, m);
		return;
	case NATT_INVALID:
		esp_ctr_add(&dp->too_short, 1);
		return;
	case NATT_ESP:
		break;
	}
	struct esp_pkt p = {data, len, 0, len};
	in_esp(dp, &p);
}

/* What recvmmsg() changed in a header: the lengths of the peer's address and of the control
 * data, and the flags. */
static void rearm_hdr(struct msghdr *h, void *control, size_t controllen)
{
	h->msg_namelen = sizeof(struct sockaddr_in);
	h->msg_control = control;
	h->msg_controllen = controllen;
	h->msg_flags = 0;
}

static void rearm(struct dp_io *io, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		io->iov[i].iov_base = io->bufs + (size_t)i * DP_BUF_SIZE + DP_HEADROOM;
		io->iov[i].iov_len = DP_MAX_IN;
		rearm_hdr(&io->msgs[i].msg_hdr, io->cmsg[i].buf, sizeof(io->cmsg[i].buf));
	}
}

/* The segment size of a coalesced read (UDP_GRO), or 0 when the datagram is a single one. */
static size_t gro_size(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
			int v = 0; /* the kernel writes an int */
			memcpy(&v, CMSG_DATA(c),
			       c->cmsg_len >= CMSG_LEN(sizeof(v)) ? sizeof(v) : 0);
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

/* UDP with UDP_GRO: each read is one datagram or several of one size back to back; each is
 * handled where it lies, as if read alone. */
static void in_udp_gro(struct dp *dp, struct dp_io *io)
{
	for (int round = 0; round < 4; round++) {
		for (unsigned i = 0; i < DP_GRO_RX; i++)
			rearm_hdr(&io->gro_msgs[i].msg_hdr, io->gro_cmsg[i].buf,
			          sizeof(io->gro_cmsg[i].buf));
		int n = recvmmsg(dp->udp_fd, io->gro_msgs, DP_GRO_RX, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			struct mmsghdr *m = &io->gro_msgs[i];
			uint8_t *data = io->gro_iov[i].iov_base;
			size_t len = m->msg_len, seg = gro_size(&m->msg_hdr);
			if (m->msg_hdr.msg_flags & MSG_TRUNC) {
				esp_ctr_add(&dp->too_short, 1);
				continue;
			}
			if (seg && seg < len)
				esp_ctr_add(&dp->gro_reads, 1);
			if (!seg || seg > len)
				seg = len;
			for (size_t off = 0; off < len; off += seg) {
				size_t l = len - off < seg ? len - off : seg;
				/* no ESP packet is this big (the TUN MTU), but an IKE message
				 * without IKE fragmentation may be */
				if (l > DP_MAX_IN && natt_classify(data + off, l) != NATT_IKE)
					esp_ctr_add(&dp->too_short, 1);
				else
					in_udp(dp, data + off, l, m);
			}
		}
		dp_in_gro_flush(dp); /* never hold a packet across a wait */
		if (n < DP_GRO_RX)
			return;
	}
}

/* Drains up to a few batches from one socket. */
static void in_socket(struct dp *dp, struct dp_io *io, int fd, bool raw)
{
	if (!raw && dp->udp_gro) {
		in_udp_gro(dp, io);
		return;
	}
	for (int round = 0; round < 4; round++) {
		rearm(io, DP_BATCH);
		int n = recvmmsg(fd, io->msgs, DP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			uint8_t *buf = io->bufs + (size_t)i * DP_BUF_SIZE;
			size_t len = io->msgs[i].msg_len;
			if (io->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
				esp_ctr_add(&dp->too_short, 1);
			else if (raw)
				in_raw(dp, buf, len);
			else
				in_udp(dp, buf + DP_HEADROOM, len, &io->msgs[i]);
		}
		dp_in_gro_flush(dp); /* never hold a packet across a wait */
		if (n < DP_BATCH)
			return;
	}
}

void *dp_in_main(void *arg)
{
	struct dp *dp = arg;
	struct epoll_event ev[4];
	for (;;) {
		int n = epoll_wait(dp->ep_in, ev, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		bool stop = false;
		rcu_read_enter(&dp->rcu, DP_RCU_IN);
		for (int i = 0; i < n; i++) {
			uint64_t k = ev[i].data.u64;
			if (k == DP_KEY_STOP)
				stop = true;
			else if (k == DP_KEY_RAW || k == DP_KEY_UDP)
				in_socket(dp, &dp->io_in, k == DP_KEY_RAW ? dp->raw_fd : dp->udp_fd,
				          k == DP_KEY_RAW);
		}
		rcu_read_leave(&dp->rcu, DP_RCU_IN);
		if (stop)
			break;
	}
	return NULL;
}
