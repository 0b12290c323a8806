/* Outbound worker: TUN -> ESP. Reads batches from the TUN fds, encapsulates in place and sends
 * each batch with one sendmmsg() per socket. */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "esp/dp_int.h"
#include "esp/esp.h"

#define DP_TUN_READS 32 /* per tunnel per wake-up, so one busy tunnel cannot starve others */
/* What a read from an IFF_VNET_HDR TUN puts into a slot: the header, then the packet */
#define VNET_SLOT_READ (OFFLOAD_VNET_LEN + DP_MAX_IN)
_Static_assert(DP_HEADROOM >= OFFLOAD_VNET_LEN, "the virtio header goes into the headroom");

/* A packet hdr_fd refused as bigger than the device or path MTU: without our header, through
 * the ESP socket, whose output fragments it as it always did. */
static int send_unheaded(struct dp *dp, struct msghdr *h)
{
	h->msg_iov->iov_base = (uint8_t *)h->msg_iov->iov_base + DP_OUTER_HDR;
	h->msg_iov->iov_len -= DP_OUTER_HDR;
	return sendmsg(dp->raw_fd, h, 0) < 0 ? -1 : 0;
}

static void send_all(struct dp *dp, int fd, struct mmsghdr *m, unsigned n)
{
	unsigned done = 0;
	while (done < n) {
		int r = sendmmsg(fd, m + done, n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* skip the packet that failed */
			if (!(errno == EMSGSIZE && fd == dp->hdr_fd &&
			      send_unheaded(dp, &m[done].msg_hdr) == 0))
				esp_ctr_add(&dp->send_errors, 1);
			done++;
		} else {
			done += (unsigned)r;
		}
	}
}

/* Can udp_slot[k] join the GSO send that starts at udp_slot[first] and holds n packets of `seg`
 * bytes (the last may be shorter: it ends the send)? Same peer, same source, room left. */
static bool gso_joins(const struct dp_io *io, unsigned first, unsigned k, unsigned n, size_t seg,
                      size_t bytes)
{
	unsigned a = io->udp_slot[first], b = io->udp_slot[k], prev = io->udp_slot[k - 1];
	size_t len = io->iov[b].iov_len;
	return n < DP_GSO_MAX_SEGS && bytes + len <= DP_GSO_MAX_BYTES && len <= seg &&
	       io->iov[prev].iov_len == seg &&
	       io->addr[a].sin_addr.s_addr == io->addr[b].sin_addr.s_addr &&
	       io->addr[a].sin_port == io->addr[b].sin_port &&
	       io->msgs[a].msg_hdr.msg_controllen == io->msgs[b].msg_hdr.msg_controllen &&
	       !memcmp(io->cmsg[a].buf, io->cmsg[b].buf, io->msgs[a].msg_hdr.msg_controllen);
}

/* One GSO send of n packets from giov[first_iov], segment size seg, our source as in slot a. */
static void gso_unit(struct dp_io *io, unsigned u, unsigned a, unsigned first_iov, unsigned n,
                     size_t seg)
{
	struct msghdr *h = &io->gso[u].msg_hdr;
	const struct msghdr *src = &io->msgs[a].msg_hdr;
	*h = (struct msghdr){.msg_name = &io->addr[a],
	                     .msg_namelen = sizeof(io->addr[a]),
	                     .msg_iov = &io->giov[first_iov],
	                     .msg_iovlen = n};
	if (n == 1 && !src->msg_controllen)
		return;
	memset(&io->gcmsg[u], 0, sizeof(io->gcmsg[u]));
	memcpy(io->gcmsg[u].buf, io->cmsg[a].buf, src->msg_controllen);
	h->msg_control = io->gcmsg[u].buf;
	h->msg_controllen = src->msg_controllen;
	if (n == 1)
		return;
	h->msg_controllen += CMSG_SPACE(sizeof(uint16_t));
	struct cmsghdr *cm = CMSG_FIRSTHDR(h);
	if (src->msg_controllen)
		cm = CMSG_NXTHDR(h, cm);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	uint16_t sz = (uint16_t)seg;
	memcpy(CMSG_DATA(cm), &sz, sizeof(sz));
}

/* A GSO send the kernel refused: its packets one by one (a path MTU below the segment size
 * makes the kernel refuse the batch, not a single packet, which it fragments). EIO: the route's
 * device cannot checksum for us, which UDP GSO needs; stop trying. */
static void gso_refused(struct dp *dp, struct dp_io *io, unsigned u)
{
	struct msghdr h = io->gso[u].msg_hdr;
	size_t n = h.msg_iovlen;
	if (errno == EIO)
		atomic_store_explicit(&dp->no_gso, true, memory_order_relaxed);
	h.msg_iovlen = 1;
	/* the source address, without the segment size */
	if (h.msg_controllen)
		h.msg_controllen -= CMSG_SPACE(sizeof(uint16_t));
	if (!h.msg_controllen)
		h.msg_control = NULL;
	for (size_t i = 0; i < n; i++, h.msg_iov++)
		if (sendmsg(dp->udp_fd, &h, 0) < 0)
			esp_ctr_add(&dp->send_errors, 1);
}

/* ESP in UDP: runs of packets of one size to one peer go out as one UDP GSO send each (the
 * kernel's stack runs once per run instead of once per packet: bench/raw_send), the rest one
 * datagram each, all in one sendmmsg(), in order. */
static void send_udp(struct dp *dp, struct dp_io *io)
{
	bool gso = !atomic_load_explicit(&dp->no_gso, memory_order_relaxed);
	unsigned nu = 0;
	for (unsigned k = 0; k < io->n_udp;) {
		unsigned first = k, a = io->udp_slot[k];
		size_t seg = io->iov[a].iov_len, bytes = seg;
		io->giov[k] = io->iov[a];
		for (k++; gso && k < io->n_udp && gso_joins(io, first, k, k - first, seg, bytes);
		     k++) {
			io->giov[k] = io->iov[io->udp_slot[k]];
			bytes += io->giov[k].iov_len;
		}
		gso_unit(io, nu++, a, first, k - first, seg);
	}
	unsigned done = 0;
	while (done < nu) {
		int r = sendmmsg(dp->udp_fd, io->gso + done, nu - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (io->gso[done].msg_hdr.msg_iovlen > 1)
				gso_refused(dp, io, done);
			else
				esp_ctr_add(&dp->send_errors, 1);
			done++;
			continue;
		}
		for (int i = 0; i < r; i++)
			if (io->gso[done + (unsigned)i].msg_hdr.msg_iovlen > 1)
				esp_ctr_add(&dp->gso_sends, 1);
		done += (unsigned)r;
	}
}

static void flush(struct dp *dp, struct dp_io *io)
{
	if (io->n_raw)
		send_all(dp, dp->hdr_fd >= 0 ? dp->hdr_fd : dp->raw_fd, io->raw, io->n_raw);
	if (io->n_udp)
		send_udp(dp, io);
	io->n = io->n_raw = io->n_udp = 0;
}

/* Source address through IP_PKTINFO, so each tunnel sends from its own `tunnel source`. */
static void set_source(struct msghdr *h, union dp_cmsg *c, uint32_t src)
{
	if (!src) {
		h->msg_controllen = 0;
		return;
	}
	memset(c, 0, sizeof(*c));
	h->msg_control = c->buf;
	h->msg_controllen = sizeof(c->buf);
	struct cmsghdr *cm = CMSG_FIRSTHDR(h);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	struct in_pktinfo pi = {.ipi_spec_dst.s_addr = src};
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
}

/* The outer IPv4 header in front of an ESP packet for hdr_fd: what the ESP socket's own
 * output would write (DF, as its default path-MTU discovery sets; its TTL). The kernel fills in
 * the length, the identification and the checksum. */
static void put_outer_header(const struct dp *dp, uint8_t *h, uint32_t src, uint32_t dst)
{
	memset(h, 0, DP_OUTER_HDR);
	h[0] = 0x45;
	h[6] = 0x40; /* DF */
	h[8] = dp->ttl;
	h[9] = IPPROTO_ESP;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
}

static void queue(struct dp *dp, struct dp_io *io, const struct dp_tunnel *t,
                  const struct esp_sa *sa, const struct esp_pkt *p)
{
	unsigned s = io->n++;
	struct msghdr *h = &io->msgs[s].msg_hdr;
	uint32_t src = sa->local_addr ? sa->local_addr : t->local_addr;
	uint32_t dst = sa->remote_addr ? sa->remote_addr : t->remote_addr;
	io->iov[s].iov_base = p->buf + p->off;
	io->iov[s].iov_len = p->len;
	io->addr[s] = (struct sockaddr_in){
	    .sin_family = AF_INET, .sin_port = htons(sa->natt_remote_port), .sin_addr.s_addr = dst};
	h->msg_namelen = sizeof(io->addr[s]);
	set_source(h, &io->cmsg[s], src);
	bool udp = sa->natt_remote_port && dp->udp_fd >= 0;
	if (udp) {
		io->udp_slot[io->n_udp++] = (uint8_t)s;
		return;
	}
	if (dp->hdr_fd >= 0) { /* the headroom holds ESP header + IV + 20 bytes at least */
		put_outer_header(dp, p->buf + p->off - DP_OUTER_HDR, src, dst);
		io->iov[s].iov_base = p->buf + p->off - DP_OUTER_HDR;
		io->iov[s].iov_len = p->len + DP_OUTER_HDR;
	}
	io->raw[io->n_raw++] = io->msgs[s];
}

/* One packet read from the TUN into slot io->n: encapsulate and queue, or count the drop. */
static void out_packet(struct dp *dp, struct dp_io *io, struct dp_tunnel *t, size_t len)
{
	struct esp_sa *sa = atomic_load_explicit(&t->out, memory_order_acquire);
	uint8_t *buf = io->bufs + (size_t)io->n * DP_BUF_SIZE;
	struct esp_pkt p = {buf, DP_BUF_SIZE, DP_HEADROOM, len};
	esp_ctr_add(&dp->tun_rx, 1);
	if (!sa) {
		esp_ctr_add(&dp->tun_no_sa, 1);
		esp_ctr_add(&t->tx_drops, 1);
		return;
	}
	if (esp_encap(sa, &p) != ESP_DROP_NONE) {
		esp_ctr_add(&t->tx_drops, 1);
		return;
	}
	if (esp_sa_take_rekey_due(sa) && dp->cfg.rekey_cb)
		dp->cfg.rekey_cb(dp->cfg.cb_arg, t->id, sa->spi);
	esp_ctr_add(&t->tx_packets, 1);
	esp_ctr_add(&t->tx_bytes, len);
	queue(dp, io, t, sa, &p);
}

static void out_tunnel_plain(struct dp *dp, struct dp_io *io, struct dp_tunnel *t)
{
	for (int i = 0; i < DP_TUN_READS; i++) {
		if (io->n == DP_BATCH)
			flush(dp, io);
		uint8_t *buf = io->bufs + (size_t)io->n * DP_BUF_SIZE;
		ssize_t r = read(t->fd, buf + DP_HEADROOM, DP_MAX_IN);
		if (r <= 0)
			break; /* EAGAIN: drained */
		out_packet(dp, io, t, (size_t)r);
	}
}

static uint8_t *next_slot(struct dp *dp, struct dp_io *io)
{
	if (io->n == DP_BATCH)
		flush(dp, io);
	return io->bufs + (size_t)io->n * DP_BUF_SIZE + DP_HEADROOM;
}

/* One read from an IFF_VNET_HDR TUN into `slot` (the next one): a plain packet (checksum
 * completed if the kernel left it to us), encapsulated where it lies, or a TSO super-packet
 * (its first bytes in the slot, the rest in io->big after them), joined in io->big and cut
 * into MSS-sized segments, each encapsulated in its own slot. */
static void out_vnet_packet(struct dp *dp, struct dp_io *io, struct dp_tunnel *t, uint8_t *slot,
                            size_t r)
{
	struct offload_vnet v;
	size_t len = r - OFFLOAD_VNET_LEN;
	if (!offload_vnet_parse(slot - OFFLOAD_VNET_LEN, r, &v))
		goto drop;
	if (v.gso_type == 0) {
		if (len > DP_MAX_IN || ((v.flags & 1) && !offload_csum_complete(slot, len, &v)))
			goto drop;
		out_packet(dp, io, t, len);
		return;
	}
	/* once per super-packet: the slot's part before the rest (the slot is the first
	 * segment's, written after this) */
	memcpy(io->big, slot - OFFLOAD_VNET_LEN, r < VNET_SLOT_READ ? r : VNET_SLOT_READ);
	const uint8_t *pkt = io->big + OFFLOAD_VNET_LEN;
	struct offload_seg seg;
	if ((v.gso_type & 0x7f) != 1 || !offload_seg_begin(&seg, pkt, len, v.gso_size))
		goto drop;
	size_t n;
	while ((n = offload_seg_next(&seg, next_slot(dp, io), DP_MAX_IN)) > 0)
		out_packet(dp, io, t, n);
	return;
drop:
	esp_ctr_add(&dp->tun_rx, 1);
	esp_ctr_add(&t->tx_drops, 1);
}

/* Reads into the next slot, the virtio header in its headroom, so that a plain packet (a ping,
 * an ACK, anything not TSO) is encapsulated where the kernel put it, as on a TUN without
 * offloads; what does not fit goes on into io->big. */
static void out_tunnel_vnet(struct dp *dp, struct dp_io *io, struct dp_tunnel *t)
{
	for (int i = 0; i < DP_TUN_READS; i++) {
		uint8_t *slot = next_slot(dp, io);
		struct iovec iov[2] = {{slot - OFFLOAD_VNET_LEN, VNET_SLOT_READ},
		                       {io->big + VNET_SLOT_READ,
		                        OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT - VNET_SLOT_READ}};
		ssize_t r = readv(t->fd, iov, 2);
		if (r <= OFFLOAD_VNET_LEN)
			break; /* EAGAIN: drained */
		out_vnet_packet(dp, io, t, slot, (size_t)r);
	}
}

static void out_tunnel(struct dp *dp, struct dp_io *io, struct dp_tunnel *t)
{
	if (t->vnet)
		out_tunnel_vnet(dp, io, t);
	else
		out_tunnel_plain(dp, io, t);
}

void *dp_out_main(void *arg)
{
	struct dp *dp = arg;
	struct dp_io *io = &dp->io_out;
	struct epoll_event ev[32];
	for (;;) {
		int n = epoll_wait(dp->ep_out, ev, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		bool stop = false;
		rcu_read_enter(&dp->rcu, DP_RCU_OUT);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == DP_KEY_STOP) {
				stop = true;
				continue;
			}
			struct dp_tunnel *t = dp_tunnel_get(dp, (uint32_t)ev[i].data.u64);
			if (t)
				out_tunnel(dp, io, t);
		}
		flush(dp, io);
		rcu_read_leave(&dp->rcu, DP_RCU_OUT);
		if (stop)
			break;
	}
	return NULL;
}
