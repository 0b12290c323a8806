/*
 * Anti-replay window for one inbound SA (RFC 4303 §3.4.3, bitmap layout of RFC 6479).
 *
 * The bitmap is a ring of 64-bit blocks; a block is cleared as a whole when the window slides past
 * it, so sliding costs O(blocks skipped), never O(bits). The window accepts any sequence number
 * within `window` of the highest one seen. Use: esp_replay_check() before the ICV (cheap reject of
 * duplicates and stale packets), esp_replay_update() only after the ICV verified, so forged
 * packets never move the window.
 *
 * Not thread-safe: one SA direction is processed by one thread at a time.
 */
#ifndef MGMTSEC_ESP_REPLAY_H
#define MGMTSEC_ESP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define ESP_REPLAY_DEFAULT 64u
#define ESP_REPLAY_MAX     32768u

struct esp_replay {
	uint64_t top;     /* highest sequence number accepted; 0 = none yet */
	uint32_t window;  /* packets accepted below top (power of two, >= 64) */
	uint32_t nblocks; /* ring blocks: a power of two > window / 64 */
	uint64_t *bitmap; /* owned */
};

/* window: requested size in packets (0 = default); rounded up to a power of two >= 64,
 * capped at ESP_REPLAY_MAX. Returns 0, or -1 on allocation failure. */
int esp_replay_init(struct esp_replay *r, uint32_t window);
void esp_replay_free(struct esp_replay *r);
/* True when seq may be accepted: not zero, not older than the window, not yet seen. */
bool esp_replay_check(const struct esp_replay *r, uint64_t seq);
/* Marks seq seen (sliding the window if needed). Returns false if seq was already seen or is too
 * old, in which case nothing changes. */
bool esp_replay_update(struct esp_replay *r, uint64_t seq);

#endif
