/*
 * The few facts about an inner IPv4 header the data plane checks (RFC 791), read through rbuf.
 */
#ifndef MGMTSEC_ESP_IPV4_H
#define MGMTSEC_ESP_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct esp_ipv4_info {
	uint16_t total_len;
	uint32_t src, dst; /* host order */
};

/* True when p holds an IPv4 header with version 4, IHL >= 5, IHL <= total length <= len. */
bool esp_ipv4_parse(const uint8_t *p, size_t len, struct esp_ipv4_info *out);

static inline bool esp_in_range(uint32_t a, uint32_t start, uint32_t end)
{
	return a >= start && a <= end;
}

#endif
