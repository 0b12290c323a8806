/*
 * The narrow interface between IKE and the data plane: everything the data plane needs to
 * install one direction of a Child SA. IKE fills it, hands it over, and wipes its own copy.
 */
#ifndef MGMTSEC_ESP_SA_PARAMS_H
#define MGMTSEC_ESP_SA_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define ESP_MAX_KEY 64

struct esp_sa_params {
	uint32_t spi;        /* host order; the SPI as it appears on the wire for this direction */
	bool inbound;        /* true: we decrypt with it (SPI chosen by us) */
	uint32_t tunnel_id;  /* N of interface tunnel-ipN */
	uint32_t local_addr; /* outer addresses, network order */
	uint32_t remote_addr;
	uint16_t natt_local_port; /* non-zero: ESP in UDP (RFC 3948), host order */
	uint16_t natt_remote_port;
	const struct encr_alg *encr;
	const struct integ_alg *integ;  /* NULL for AEAD */
	uint8_t encr_key[ESP_MAX_KEY];  /* encr->key_len bytes (GCM: key || 4-byte salt) */
	uint8_t integ_key[ESP_MAX_KEY]; /* integ->key_len bytes */
	uint32_t replay_window;         /* packets; 0 = default (64) */
	/* Traffic selectors (inner addresses, host order, inclusive ranges). "local" is our side in
	 * both directions: inbound packets need source in remote and destination in local, outbound
	 * packets source in local and destination in remote; others are dropped and counted. */
	uint32_t ts_local_start, ts_local_end;
	uint32_t ts_remote_start, ts_remote_end;
	uint64_t lifetime_soft_s, lifetime_hard_s; /* for show; IKE drives the rekey */
	uint64_t sa_id;                            /* stable id shown as "SA id" */
};

#endif
