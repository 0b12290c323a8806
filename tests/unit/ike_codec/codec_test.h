/*
 * Helpers shared by the IKE codec unit tests: hex decoding and wrapping a hand-assembled
 * payload chain into a whole message with a correct IKE header.
 */
#ifndef MGMTSEC_TEST_CODEC_TEST_H
#define MGMTSEC_TEST_CODEC_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ike/msg.h"

/* Decodes hex (whitespace ignored) into out; returns the byte count. */
static inline size_t ct_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* A 28-byte IKE_SA_INIT request header (SPIi 0102..08, SPIr 0) followed by chain; the length
 * field is set to the whole message. Returns the message length. */
static inline size_t ct_msg(uint8_t *out, size_t cap, uint8_t first, const uint8_t *chain,
                            size_t chain_len)
{
	static const uint8_t hdr[IKE_HDR_LEN] = {1, 2, 3, 4,    5,  6,    7, 8, 0, 0, 0, 0, 0, 0,
	                                         0, 0, 0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
	size_t len = IKE_HDR_LEN + chain_len;

	assert_true(len <= cap);
	memcpy(out, hdr, IKE_HDR_LEN);
	out[16] = first;
	if (chain_len)
		memcpy(out + IKE_HDR_LEN, chain, chain_len);
	out[24] = (uint8_t)(len >> 24);
	out[25] = (uint8_t)(len >> 16);
	out[26] = (uint8_t)(len >> 8);
	out[27] = (uint8_t)len;
	return len;
}

/* A payload struct over a hand-assembled body. */
static inline struct ike_payload ct_pl(uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_payload p = {.type = type, .critical = false, .body = body, .len = len};
	return p;
}

#endif
