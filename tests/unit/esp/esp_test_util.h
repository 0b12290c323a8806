/* Shared helpers for the esp unit tests: SA parameters per transform and inner IPv4 packets. */
#ifndef MGMTSEC_TEST_ESP_UTIL_H
#define MGMTSEC_TEST_ESP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "esp/sa_params.h"

#define T_HEADROOM 64
#define T_BUFSZ    4096

struct xform {
	const char *name;
	uint16_t encr, bits, integ;
};

extern const struct xform test_xforms[];
extern const size_t test_n_xforms;

/* Fills p for one direction with fixed keys derived from seed. Returns 0 or -1 (unknown alg). */
int test_params(struct esp_sa_params *p, const struct xform *x, uint32_t spi, int inbound,
                uint8_t seed);
/* Writes an IPv4 packet of total length len (>= 20) from src to dst (host order) at p with
 * payload bytes (i * 7 + salt). Returns len. */
size_t test_ipv4(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t salt);
/* Hex string to bytes; returns the byte count or -1. */
int test_unhex(const char *hex, uint8_t *out, size_t cap);

#define A_IN 0xC0000201u /* 192.0.2.1 */
#define B_IN 0xC0000202u /* 192.0.2.2 */
#define C_IN 0xCB007101u /* 203.0.113.1 */

#endif
