/*
 * Internal helpers shared by the msg*.c files of the IKE codec. Not for use outside src/ike/msg*.
 */
#ifndef MGMTSEC_IKE_MSG_INT_H
#define MGMTSEC_IKE_MSG_INT_H

#include "ike/msg.h"

/* Parses the payload chain in r (from its current offset to its end) whose first payload is of
 * the given type. outer: the chain of a whole message, where SK/SKF may end it (offsets in r
 * are packet offsets); otherwise SK/SKF are a syntax error. */
int ike_chain_parse_r(struct rbuf *r, uint8_t type, struct ike_msg *m, bool outer);

/* True for payload types this codec knows (a critical bit on them is not an error). */
bool ike_pl_known(uint8_t type);

/* Builder: opens a payload (patches the previous next-payload field, writes a generic header
 * with a length placeholder) and returns its offset; closes it by patching its length. */
size_t ike_pl_begin(struct ike_builder *b, uint8_t type, bool critical);
int ike_pl_end(struct ike_builder *b, size_t start);
/* Marks the builder failed; returns -1. */
int ike_build_fail(struct ike_builder *b);

#endif
