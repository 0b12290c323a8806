#include "esp/offload.h"

#include <string.h>

#include "util/buf.h"

#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_TCPV4    1
#define TCP_FIN           0x01
#define TCP_PSH           0x08
#define TCP_ACK           0x10
#define TCP_CWR           0x80
#define IP_DF             0x4000

bool offload_vnet_parse(const uint8_t *p, size_t len, struct offload_vnet *v)
{
	struct rbuf r;
	rbuf_init(&r, p, len);
	v->flags = rbuf_u8(&r);
	v->gso_type = rbuf_u8(&r);
	/* host byte order: copy, not the reader's big-endian accessors */
	rbuf_copy(&r, &v->hdr_len, 2);
	rbuf_copy(&r, &v->gso_size, 2);
	rbuf_copy(&r, &v->csum_start, 2);
	rbuf_copy(&r, &v->csum_offset, 2);
	return rbuf_ok(&r);
}

void offload_vnet_put(uint8_t *p, const struct offload_vnet *v)
{
	p[0] = v->flags;
	p[1] = v->gso_type;
	memcpy(p + 2, &v->hdr_len, 2);
	memcpy(p + 4, &v->gso_size, 2);
	memcpy(p + 6, &v->csum_start, 2);
	memcpy(p + 8, &v->csum_offset, 2);
}

/* One's complement sum (RFC 1071) in native byte order, 8 bytes at a time with end-around
 * carry; the folded result is stored back in native order, which makes it byte-order neutral. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t v;
	while (len >= 8) {
		memcpy(&v, p, 8);
		sum += v;
		sum += sum < v;
		p += 8;
		len -= 8;
	}
	uint8_t tail[8] = {0};
	memcpy(tail, p, len); /* an odd last byte is padded with zero, as RFC 1071 says */
	memcpy(&v, tail, 8);
	sum += v;
	sum += sum < v;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Big-endian stores into a packet of len bytes the caller owns (false if out of bounds). */
static bool put16(uint8_t *p, size_t len, size_t off, uint16_t v)
{
	if (off + 2 > len)
		return false;
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
	return true;
}

static bool put32(uint8_t *p, size_t len, size_t off, uint32_t v)
{
	return put16(p, len, off, (uint16_t)(v >> 16)) && put16(p, len, off + 2, (uint16_t)v);
}

static void csum_store(uint8_t *at, uint16_t v)
{
	memcpy(at, &v, 2);
}

bool offload_csum_complete(uint8_t *pkt, size_t len, const struct offload_vnet *v)
{
	size_t at = (size_t)v->csum_start + v->csum_offset;
	if (v->csum_start >= len || at + 2 > len)
		return false;
	csum_store(pkt + at,
	           (uint16_t)~csum_fold(csum_add(0, pkt + v->csum_start, len - v->csum_start)));
	return true;
}

/* The fields of a TCP/IPv4 packet the offloads need. */
struct tcp4 {
	size_t ihl, hlen, tot;
	uint16_t frag;
	uint32_t seq;
	uint8_t flags;
};

static bool parse_tcp4(const uint8_t *p, size_t len, struct tcp4 *t)
{
	struct rbuf r;
	rbuf_init(&r, p, len);
	uint8_t vihl = rbuf_u8(&r);
	rbuf_skip(&r, 1);
	t->tot = rbuf_u16(&r);
	rbuf_skip(&r, 2);
	t->frag = rbuf_u16(&r);
	rbuf_skip(&r, 1);
	uint8_t proto = rbuf_u8(&r);
	t->ihl = (size_t)(vihl & 0x0f) * 4;
	if (!rbuf_ok(&r) || vihl >> 4 != 4 || proto != 6 || t->ihl < 20 || t->tot > len ||
	    t->tot < t->ihl + 20 || (t->frag & 0x3fff) != 0)
		return false;
	rbuf_init(&r, p + t->ihl, t->tot - t->ihl);
	rbuf_skip(&r, 4); /* ports */
	t->seq = rbuf_u32(&r);
	rbuf_skip(&r, 4); /* ack */
	size_t thl = (size_t)(rbuf_u8(&r) >> 4) * 4;
	t->flags = rbuf_u8(&r);
	t->hlen = t->ihl + thl;
	return rbuf_ok(&r) && thl >= 20 && t->hlen <= t->tot;
}

static void ip_csum(uint8_t *p, size_t ihl)
{
	p[10] = p[11] = 0;
	csum_store(p + 10, (uint16_t)~csum_fold(csum_add(0, p, ihl)));
}

/* Pseudo-header sum: source, destination, zero, protocol 6, TCP length. */
static uint64_t pseudo_sum(const uint8_t *ip, size_t tcp_len)
{
	uint8_t ph[12];
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)(tcp_len >> 8);
	ph[11] = (uint8_t)tcp_len;
	return csum_add(0, ph, sizeof(ph));
}

bool offload_seg_begin(struct offload_seg *s, const uint8_t *pkt, size_t len, uint16_t mss)
{
	struct tcp4 t;
	if (!parse_tcp4(pkt, len, &t) || mss == 0)
		return false;
	struct rbuf r;
	rbuf_init(&r, pkt + 4, 2);
	*s = (struct offload_seg){.pkt = pkt,
	                          .len = t.tot,
	                          .ihl = t.ihl,
	                          .hlen = t.hlen,
	                          .off = t.hlen,
	                          .seq0 = t.seq,
	                          .id0 = rbuf_u16(&r),
	                          .mss = mss};
	return true;
}

size_t offload_seg_next(struct offload_seg *s, uint8_t *out, size_t cap)
{
	if (s->off >= s->len && s->k > 0)
		return 0;
	size_t seg = s->len - s->off;
	if (seg > s->mss)
		seg = s->mss;
	size_t n = s->hlen + seg;
	if (n > cap)
		return 0;
	bool last = s->off + seg >= s->len;
	memcpy(out, s->pkt, s->hlen);
	memcpy(out + s->hlen, s->pkt + s->off, seg);
	put16(out, n, 2, (uint16_t)n);
	put16(out, n, 4, (uint16_t)(s->id0 + s->k));
	put32(out, n, s->ihl + 4, s->seq0 + (uint32_t)(s->off - s->hlen));
	uint8_t *flags = out + s->ihl + 13; /* inside the TCP header copied above */
	if (!last)
		*flags &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (s->k > 0)
		*flags &= (uint8_t)~TCP_CWR;
	ip_csum(out, s->ihl);
	uint8_t *check = out + s->ihl + 16;
	check[0] = check[1] = 0;
	uint64_t sum = pseudo_sum(out, n - s->ihl);
	csum_store(check, (uint16_t)~csum_fold(csum_add(sum, out + s->ihl, n - s->ihl)));
	s->off += seg;
	s->k++;
	return n;
}

/* Bytes that must be equal for two segments to be merged: the IP header except total length,
 * id and checksum; the TCP header except sequence number, flags and checksum. */
static bool same_headers(const uint8_t *a, const uint8_t *b, size_t ihl, size_t hlen)
{
	return memcmp(a, b, 2) == 0 && memcmp(a + 6, b + 6, 4) == 0 &&
	       memcmp(a + 12, b + 12, ihl - 12) == 0 && memcmp(a + ihl, b + ihl, 4) == 0 &&
	       memcmp(a + ihl + 8, b + ihl + 8, 5) == 0 &&
	       memcmp(a + ihl + 14, b + ihl + 14, 2) == 0 &&
	       memcmp(a + ihl + 18, b + ihl + 18, hlen - ihl - 18) == 0;
}

/* Data segments with ACK and at most PSH besides; no fragments. */
static bool candidate(const uint8_t *pkt, size_t len, struct tcp4 *t)
{
	return parse_tcp4(pkt, len, t) && t->tot > t->hlen && (t->flags & TCP_ACK) &&
	       (t->flags & (uint8_t) ~(TCP_ACK | TCP_PSH)) == 0 && (t->frag & ~IP_DF) == 0;
}

bool offload_gro_start(struct offload_gro *g, int fd, void *owner, const uint8_t *pkt, size_t len)
{
	struct tcp4 t;
	if (!candidate(pkt, len, &t))
		return false;
	uint8_t *ip = g->buf + OFFLOAD_VNET_LEN;
	memcpy(ip, pkt, t.tot);
	g->fd = fd;
	g->owner = owner;
	g->len = t.tot;
	g->ihl = t.ihl;
	g->hlen = t.hlen;
	g->mss = (uint16_t)(t.tot - t.hlen);
	g->next_seq = t.seq + g->mss;
	g->n = 1;
	g->closed = (t.flags & TCP_PSH) != 0;
	g->iov[0] = (struct iovec){g->buf, OFFLOAD_VNET_LEN + t.tot};
	g->n_iov = 1;
	return true;
}

bool offload_gro_append(struct offload_gro *g, int fd, const uint8_t *pkt, size_t len)
{
	struct tcp4 t;
	if (g->fd < 0 || g->fd != fd || g->closed || !candidate(pkt, len, &t))
		return false;
	size_t pay = t.tot - t.hlen;
	uint8_t *ip = g->buf + OFFLOAD_VNET_LEN;
	if (t.ihl != g->ihl || t.hlen != g->hlen || t.seq != g->next_seq || pay > g->mss ||
	    g->len + pay > OFFLOAD_MAX_PKT || !same_headers(ip, pkt, g->ihl, g->hlen))
		return false;
	/* the kernel copies it from where it lies (writev): ours would be a second copy */
	g->iov[g->n_iov++] = (struct iovec){(void *)(uintptr_t)(pkt + t.hlen), pay};
	g->len += pay;
	g->next_seq += (uint32_t)pay;
	g->n++;
	if (g->n_iov == OFFLOAD_GRO_IOV)
		g->closed = true;
	if (t.flags & TCP_PSH) {
		ip[g->ihl + 13] |= TCP_PSH;
		g->closed = true;
	}
	if (pay < g->mss)
		g->closed = true;
	return true;
}

bool offload_gro_finish(struct offload_gro *g, const struct iovec **iov, unsigned *n_iov,
                        size_t *out_len)
{
	if (g->fd < 0)
		return false;
	uint8_t *ip = g->buf + OFFLOAD_VNET_LEN;
	struct offload_vnet v = {0};
	if (g->n > 1) {
		put16(ip, g->len, 2, (uint16_t)g->len);
		ip_csum(ip, g->ihl);
		/* NEEDS_CSUM: the field holds the pseudo-header sum, the kernel adds the rest. */
		csum_store(ip + g->ihl + 16, csum_fold(pseudo_sum(ip, g->len - g->ihl)));
		v = (struct offload_vnet){.flags = VNET_F_NEEDS_CSUM,
		                          .gso_type = VNET_GSO_TCPV4,
		                          .hdr_len = (uint16_t)g->hlen,
		                          .gso_size = g->mss,
		                          .csum_start = (uint16_t)g->ihl,
		                          .csum_offset = 16};
	}
	offload_vnet_put(g->buf, &v);
	*iov = g->iov;
	*n_iov = g->n_iov;
	*out_len = OFFLOAD_VNET_LEN + g->len;
	g->fd = -1;
	return true;
}
