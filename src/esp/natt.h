/*
 * What arrived on the UDP encapsulation port (RFC 3948 §2.2, RFC 7296 §2.23): an IKE message
 * after the 4-byte zero non-ESP marker, a 1-byte 0xFF NAT-keepalive, or an ESP packet (whose
 * SPI is never zero).
 */
#ifndef MGMTSEC_ESP_NATT_H
#define MGMTSEC_ESP_NATT_H

#include <stddef.h>
#include <stdint.h>

enum natt_kind {
	NATT_ESP,
	NATT_IKE,
	NATT_KEEPALIVE,
	NATT_INVALID
};

#define NATT_MARKER_LEN 4

enum natt_kind natt_classify(const uint8_t *p, size_t len);

#endif
