/*
 * esp_sa: one direction of a Child SA, as the data plane holds it.
 *
 * Created from struct esp_sa_params (sa_params.h). The keys live only inside the cipher/mac
 * contexts made once at creation; esp_sa_new() does not keep or modify the caller's params,
 * and the caller wipes its copy. esp_sa_free() frees the contexts (which wipes the keys).
 *
 * Threading: an SA is used by one data-plane thread at a time (outbound SAs by the sending
 * thread, inbound SAs by the receiving thread). Counters may be read from any thread.
 */
#ifndef MGMTSEC_ESP_ESP_SA_H
#define MGMTSEC_ESP_ESP_SA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp/esp_stats.h"
#include "esp/replay.h"
#include "esp/sa_params.h"

#define ESP_HDR_LEN 8 /* SPI + sequence number */
/* Sequence number at which an outbound SA asks for a rekey (RFC 4303 §3.3.3: never wrap). */
#define ESP_SEQ_SOFT_DEFAULT 0xFF000000u
#define ESP_IV_POOL_IVS      64

struct cipher;
struct mac;

struct esp_sa {
	uint32_t spi;
	bool inbound;
	uint32_t tunnel_id;
	uint32_t local_addr, remote_addr; /* network order */
	uint16_t natt_local_port, natt_remote_port;
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL for AEAD */
	struct cipher *cipher;         /* owned */
	struct mac *mac;               /* owned; NULL for AEAD */
	uint32_t iv_len, block_len, icv_len;
	uint32_t ts_local_start, ts_local_end; /* host order, inclusive; "local" = our side */
	uint32_t ts_remote_start, ts_remote_end;
	uint64_t sa_id, lifetime_soft_s, lifetime_hard_s;
	uint64_t installed_at;   /* CLOCK_MONOTONIC seconds */
	uint64_t install_seq;    /* order of installation in its dp (newest = highest) */
	struct esp_sa *out_next; /* outbound: the tunnel's next one (dp_outs.c, control side) */

	/* outbound */
	_Atomic uint64_t seq; /* last sequence number used (0 = none) */
	uint32_t seq_soft;    /* crossing it raises rekey_due once */
	atomic_bool rekey_due;
	uint8_t iv_pool[ESP_IV_POOL_IVS * 16]; /* random CBC IVs, refilled in one call */
	uint32_t iv_pool_next;

	/* inbound */
	struct esp_replay replay;

	struct esp_counters ctr;

	/* test hooks (never set by the daemon) */
	bool test_bad_pad;        /* encap writes a wrong first padding byte */
	uint8_t test_next_header; /* non-zero: encap writes it instead of 4 */
	bool test_raw;            /* encap skips its inner IPv4 and selector checks */
	bool test_force_iv; /* encap uses test_iv instead of a fresh IV (known-answer tests) */
	uint8_t test_iv[16];
};

/* Returns a new SA, or NULL (unknown/invalid algorithms, allocation or crypto failure). */
struct esp_sa *esp_sa_new(const struct esp_sa_params *p);
/* NULL-safe. Frees the crypto contexts (wiping keys) and the replay bitmap. */
void esp_sa_free(struct esp_sa *sa);
/* Snapshot of the SA's counters and sequence state. */
void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *out);
/* True exactly once after the outbound sequence number crossed its soft limit. */
bool esp_sa_take_rekey_due(struct esp_sa *sa);
/* Worst-case bytes encap adds to an inner packet (header, IV, padding, trailer, ICV). */
size_t esp_sa_overhead(const struct esp_sa *sa);
/* Test hook: next outbound packet uses sequence number seq + 1. */
void esp_sa_test_set_seq(struct esp_sa *sa, uint64_t seq);

#endif
