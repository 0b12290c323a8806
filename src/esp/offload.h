/*
 * offload: TUN devices with IFF_VNET_HDR (a virtio_net_hdr before every packet), so that one
 * read or write carries up to 64 KiB of TCP:
 *   - outbound, the kernel hands us TSO super-packets (TCP/IPv4, one header, up to 64 KiB of
 *     payload) and packets whose checksum is still to be completed (NEEDS_CSUM). offload_seg_*
 *     cuts a super-packet into MSS-sized TCP/IPv4 segments (IP total length, id and checksum;
 *     TCP sequence number, FIN/PSH only on the last, CWR only on the first, checksum), each
 *     ready for ESP, which is what the kernel's own GSO would have done after the TUN.
 *   - inbound, consecutive in-order segments of one TCP flow decapsulated from one batch are
 *     coalesced (like the kernel's GRO: identical headers except sequence number, IP id, length
 *     and checksums; full-sized segments, only the last may be shorter or carry PSH) and written
 *     as one GSO packet with NEEDS_CSUM, so the receiving TCP stack sees one packet.
 * The virtio_net_hdr is in host byte order (legacy virtio, TUN default). Every packet byte is
 * read through the bounds-checked reader. Nothing here allocates; buffers are the caller's.
 */
#ifndef MGMTSEC_ESP_OFFLOAD_H
#define MGMTSEC_ESP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define OFFLOAD_VNET_LEN 10    /* sizeof(struct virtio_net_hdr) */
#define OFFLOAD_MAX_PKT  65535 /* largest IPv4 packet, and so super-packet */

struct offload_vnet {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* Parses the virtio_net_hdr at p (len >= OFFLOAD_VNET_LEN). */
bool offload_vnet_parse(const uint8_t *p, size_t len, struct offload_vnet *v);
/* Writes a header: zeroes, or a GSO TCPv4 header with NEEDS_CSUM for coalesced packets. */
void offload_vnet_put(uint8_t *p, const struct offload_vnet *v);

/* Completes a NEEDS_CSUM checksum of one (non-GSO) packet in place: the 16-bit one's
 * complement sum from csum_start to the end, stored at csum_start + csum_offset. */
bool offload_csum_complete(uint8_t *pkt, size_t len, const struct offload_vnet *v);

/* Splitting a TSO super-packet (TCP/IPv4, gso_size = MSS). */
struct offload_seg {
	const uint8_t *pkt;
	size_t len, ihl, hlen; /* IP header, IP + TCP headers */
	size_t off;            /* next payload byte */
	uint32_t seq0;
	uint16_t id0, mss;
	unsigned k; /* segments produced */
};
/* false if pkt is not a TCP/IPv4 packet this can split. */
bool offload_seg_begin(struct offload_seg *s, const uint8_t *pkt, size_t len, uint16_t mss);
/* Writes the next segment to out (cap bytes); returns its length, 0 when done or on no room. */
size_t offload_seg_next(struct offload_seg *s, uint8_t *out, size_t cap);

/* Coalescing decapsulated TCP/IPv4 segments into one GSO write. */
#define OFFLOAD_GRO_IOV 64 /* segments of one coalesced write (the first, then 63 payloads) */
struct offload_gro {
	uint8_t *buf; /* OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT bytes, the caller's */
	/* the write: iov[0] the virtio header and the first segment (copied into buf), then each
	 * appended segment's payload where it lies in the caller's buffer */
	struct iovec iov[OFFLOAD_GRO_IOV];
	unsigned n_iov;
	int fd;     /* -1: nothing pending */
	size_t len; /* IP packet bytes at buf + OFFLOAD_VNET_LEN */
	size_t hlen, ihl;
	uint32_t next_seq;
	uint16_t mss;
	unsigned n;  /* segments merged */
	bool closed; /* the last one was short or had PSH: nothing may follow */
	void *owner; /* the caller's tag (its tunnel), returned by offload_gro_flush */
};
/* Appends pkt for fd if it continues the pending flow; false if it does not (then flush the
 * pending packet and offload_gro_start this one, or write it plainly). The payload is not
 * copied: pkt's bytes must stay as they are until offload_gro_finish. */
bool offload_gro_append(struct offload_gro *g, int fd, const uint8_t *pkt, size_t len);
/* Starts a new pending packet; false if pkt is not a coalescing candidate (write it plainly).
 * Call only with nothing pending. */
bool offload_gro_start(struct offload_gro *g, int fd, void *owner, const uint8_t *pkt, size_t len);
/* Finalises the pending packet (vnet header, lengths, checksums) and returns what to write
 * (vnet header included) as *n_iov pieces at *iov, *out_len bytes in all (one writev); false
 * if nothing was pending. Resets g. */
bool offload_gro_finish(struct offload_gro *g, const struct iovec **iov, unsigned *n_iov,
                        size_t *out_len);

#endif
