/*
 * State of issue 6 ("tunnels that stay up"): lifetimes, rekeying, dead-peer detection, cookies.
 * Plain data embedded in struct ike_sa, struct ike_child and struct ike; the logic lives in
 * ike_life.c, ike_outbound.c, ike_rekey_child.c, ike_rekey_ike.c, ike_ccsa.c, ike_dpd.c and
 * ike_cookie.c (internal API in ike_keep.h).
 *
 * Ownership: struct ike_keep_sa owns rk (freed with the SA) and deferred_min; struct ike_keep
 * owns the lingering list and wipes the cookie secrets on free.
 */
#ifndef MGMTSEC_IKE_KEEP_TYPES_H
#define MGMTSEC_IKE_KEEP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "util/chunk.h"

struct ike_rekey; /* our CREATE_CHILD_SA request in flight (ike_keep.h) */

struct ike_keep_sa {
	uint64_t soft_timer, hard_timer, dpd_timer, orphan_timer;
	uint64_t soft_at_ms, hard_at_ms; /* 0 = no lifetime */
	uint64_t last_rx_ms;             /* last authentic message from the peer */
	struct ike_rekey *rk;
	bool rekeyed;              /* replaced by a newer IKE SA: hidden from show, deleted soon */
	uint32_t deferred_id;      /* simultaneous IKE rekey: the IKE SA the peer's exchange made */
	struct chunk deferred_min; /* the lowest nonce of the peer's exchange */
};

struct ike_keep_child {
	uint64_t soft_timer, hard_timer, orphan_timer;
	uint64_t soft_at_ms, hard_at_ms; /* 0 = no lifetime */
	bool replaced;                   /* a newer Child SA took over; deleted soon */
	bool standby;       /* installed as rekey responder; outbound not switched to it yet */
	uint32_t successor; /* spi_in of the Child SA that replaced it */
	uint16_t ke_group;  /* PFS group for our next rekey (after INVALID_KE_PAYLOAD), 0 = cfg */
	uint8_t ke_retries;
};

struct ike_linger; /* an old pair waiting for its delayed removal from the data plane */

struct ike_keep {
	uint32_t child_life_ms, ike_life_ms; /* overrides, 0 = configuration */
	struct ike_linger *linger;
	/* cookies (ike_cookie.c) */
	uint8_t secret[32], prev_secret[32];
	uint32_t secret_ver;
	uint64_t secret_at_ms;
	bool have_secret, have_prev;
	uint32_t cookie_threshold, max_half_open, max_per_peer, cookie_rotate_ms;
	/* INVALID_IKE_SPI answers, rate limited */
	uint64_t inv_spi_window_ms;
	unsigned inv_spi_sent;
};

#endif
