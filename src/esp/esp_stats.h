/*
 * Per-SA and per-data-plane counters, and the drop reasons they are indexed by.
 *
 * Each counter has exactly one writer thread (an SA direction is processed by one data-plane
 * thread), so an increment is a relaxed load + store: no locked instruction per packet. Readers
 * (show commands, tests) may read at any time from any thread and see a recent value.
 */
#ifndef MGMTSEC_ESP_ESP_STATS_H
#define MGMTSEC_ESP_ESP_STATS_H

#include <stdatomic.h>
#include <stdint.h>

enum esp_drop {
	ESP_DROP_NONE = 0,
	ESP_DROP_REPLAY,        /* duplicate or older than the window */
	ESP_DROP_ICV,           /* ICV / GCM tag did not verify */
	ESP_DROP_PAD,           /* padding bytes not 1, 2, 3 ... or pad length too large */
	ESP_DROP_INNER,         /* next header not IPv4, or inner IPv4 header malformed */
	ESP_DROP_SELECTOR,      /* inner addresses outside the SA's traffic selectors */
	ESP_DROP_SEQ_EXHAUSTED, /* outbound: 32-bit sequence number space used up */
	ESP_DROP_SHORT,         /* too short or ciphertext not a multiple of the block */
	ESP_DROP_NO_SA,         /* unknown SPI, or tunnel without an outbound SA */
	ESP_DROP_DUMMY,     /* next header 59: dummy packet (RFC 4303 §2.6), dropped silently */
	ESP_DROP_NO_ROOM,   /* buffer lacks headroom/tailroom (packet too big) */
	ESP_DROP_CRYPTO,    /* the crypto library failed */
	ESP_DROP_NO_TUNNEL, /* SA's tunnel interface not registered */
	ESP_DROP_IO,        /* send/write failed */
	ESP_DROP_KEEPALIVE, /* NAT-T keepalive 0xFF (RFC 3948 §2.3), dropped silently */
	ESP_DROP_MAX
};

/* "replay", "icv", ... for logs and show output. */
const char *esp_drop_name(enum esp_drop d);

struct esp_counters {
	_Atomic uint64_t packets; /* packets passed (encrypted or decrypted) */
	_Atomic uint64_t bytes;   /* inner bytes passed */
	_Atomic uint64_t drops[ESP_DROP_MAX];
};

/* A plain snapshot of esp_counters. */
struct esp_sa_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops[ESP_DROP_MAX];
	uint64_t seq;    /* outbound: last sequence number sent; inbound: highest accepted */
	uint32_t window; /* inbound replay window (packets) */
};

/* Single-writer increment: no lock prefix. */
static inline void esp_ctr_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	                      memory_order_relaxed);
}

void esp_counters_read(const struct esp_counters *c, struct esp_sa_stats *out);

#endif
