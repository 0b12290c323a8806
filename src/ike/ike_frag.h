/*
 * IKE fragmentation (RFC 7383) for the engine.
 *
 * Sending: ike_out_end() hands an SK message that would exceed the fragment size to
 * ike_frag_out(), which returns the whole set of SKF datagrams back to back in one buffer
 * (each starts with its own IKE header, whose length field delimits it). The retransmission
 * code stores and resends that buffer as one unit; ike_io_send() splits it with
 * ike_frag_next_len(). So a fragmented message is always retransmitted as a whole set.
 *
 * Receiving: each SKF datagram is authenticated and decrypted on its own, then kept until the
 * set is complete. Limits per SA and direction: one message at a time, IKE_FRAG_MAX_FRAGS
 * fragments, IKE_FRAG_MAX_BYTES of reassembled data, and the message retransmission lifetime.
 * Duplicates are ignored; a set with a larger Total Fragments replaces the current one (the
 * sender re-fragmented smaller); a smaller Total Fragments is dropped (RFC 7383 §2.6.1).
 *
 * Ownership: the reassembly state belongs to the SA (ike_frag_free() on destroy).
 */
#ifndef MGMTSEC_IKE_FRAG_H
#define MGMTSEC_IKE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"

struct ike_sa;
struct ike_out;

#define IKE_FRAG_MAX_FRAGS 32
#define IKE_FRAG_MAX_BYTES 65536
#define IKE_FRAG_MIN_SIZE  576

/* The IKE message budget for this SA: fragment size minus IPv4, UDP and the NAT-T marker. */
size_t ike_frag_budget(const struct ike_sa *sa);
/* 0: no fragmentation needed (the caller closes the SK as usual). Else the length of the
 * fragment set handed over in *pkt (o's buffer is consumed), or -1 on failure. */
int ike_frag_out(struct ike_out *o, struct ike_sa *sa, uint8_t **pkt);
/* Length of the first datagram in a buffer that may hold a fragment set; *skf tells whether
 * it is an SKF fragment. */
size_t ike_frag_next_len(const uint8_t *pkt, size_t len, bool *skf);
/* Before the window check: true when the datagram is to be ignored (SKF not negotiated, or a
 * fragment other than number 1 of a retransmitted request: the cached answer goes once). */
bool ike_frag_skip(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *pkt, size_t len);
/* One SKF datagram parsed into m (pkt is decrypted in place). Returns 1 when the message is
 * complete: *msg (malloc'd, the caller frees) holds the inner payload chain and m->sk_first its
 * first type; 0 when the fragment was kept or ignored; a negative ike_parse_err when refused. */
int ike_frag_input(struct ike_sa *sa, uint8_t *pkt, size_t len, struct ike_msg *m, uint8_t **msg,
                   size_t *msg_len);
void ike_frag_free(struct ike_sa *sa);

#endif
