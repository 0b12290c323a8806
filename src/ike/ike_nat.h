/*
 * NAT detection (RFC 7296 §2.23): the NAT_DETECTION_*_IP notify data is
 * SHA-1(SPIi | SPIr | IP address | port), SPIr zero in the IKE_SA_INIT request.
 */
#ifndef MGMTSEC_IKE_NAT_H
#define MGMTSEC_IKE_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/msg.h"

#define IKE_NAT_HASH_LEN 20

/* addr network order, port host order. */
int ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t addr, uint16_t port,
                 uint8_t out[IKE_NAT_HASH_LEN]);

struct ike_nat_result {
	bool present;    /* the peer sent NAT detection notifies */
	bool nat_local;  /* no DESTINATION hash matched our address: we are behind a NAT */
	bool nat_remote; /* no SOURCE hash matched the packet's source: the peer is behind a NAT */
};
/* Checks the notifies in m against the addresses the datagram really had. */
void ike_nat_check(const struct ike_msg *m, const uint8_t spi_i[8], const uint8_t spi_r[8],
                   uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
                   struct ike_nat_result *r);
/* Appends our two NAT detection notifies (source = us, destination = peer). fake_source: the
 * source hash covers no address of ours (nat force-encap: the peer then sees a NAT). */
int ike_nat_add(struct ike_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
                uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, bool fake_source);

#endif
