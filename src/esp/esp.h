/*
 * ESP encapsulation and decapsulation, tunnel mode (RFC 4303), in place.
 *
 * A packet lives in a caller-owned buffer with headroom and tailroom reserved when it was read:
 *
 *   buf [ headroom | data (off, len) | tailroom ]  cap = total buffer size
 *
 * esp_encap() turns an inner IPv4 packet into
 *   SPI(4) | seq(4) | IV | ciphertext(inner | pad 1,2,3.. | pad len | next header 4) | ICV
 * by writing the header into the headroom and the trailer/ICV into the tailroom; no copy of the
 * payload, no allocation. The outer IPv4 header is the kernel's (raw IPPROTO_ESP socket) and the
 * UDP header for RFC 3948 too (UDP socket), so neither is written here.
 *   - AES-CBC + HMAC: random IV per packet (from the SA's pool, refilled with crypto_random in
 *     batches); ICV = truncated HMAC over header | IV | ciphertext.
 *   - AES-GCM (RFC 4106): IV = 64-bit sequence counter (unique per key, §3.1); AAD = SPI | seq
 *     (32-bit sequence numbers, §5); 16-byte tag.
 *
 * esp_decap() takes the ESP packet (data starts at the SPI) and leaves the inner IPv4 packet at
 * (off, len). Order of checks: length → anti-replay (cheap reject) → ICV in constant time →
 * decrypt → padding (monotonic, RFC 4303 §2.4) and next header (4; 59 = dummy) → inner IPv4
 * header (version 4, IHL >= 5, total length within the decrypted data) → traffic selectors →
 * replay window update. Every failure is counted on the SA by reason and returned.
 *
 * Both functions use the SA from one thread at a time (see esp_sa.h).
 */
#ifndef MGMTSEC_ESP_ESP_H
#define MGMTSEC_ESP_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "esp/esp_sa.h"
#include "esp/esp_stats.h"

#define ESP_NH_IPV4  4
#define ESP_NH_DUMMY 59

struct esp_pkt {
	uint8_t *buf; /* borrowed */
	size_t cap;
	size_t off; /* data start */
	size_t len; /* data length */
};

/* Returns ESP_DROP_NONE on success, or the drop reason (also counted on the SA). */
enum esp_drop esp_encap(struct esp_sa *sa, struct esp_pkt *p);
enum esp_drop esp_decap(struct esp_sa *sa, struct esp_pkt *p);
/* Reads the SPI and sequence number of an ESP packet (data at off). Returns false if shorter
 * than the ESP header. */
bool esp_peek_hdr(const struct esp_pkt *p, uint32_t *spi, uint32_t *seq);

#endif
