#include "esp/replay.h"

#include <stdlib.h>

static uint32_t round_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

int esp_replay_init(struct esp_replay *r, uint32_t window)
{
	if (window == 0)
		window = ESP_REPLAY_DEFAULT;
	if (window > ESP_REPLAY_MAX)
		window = ESP_REPLAY_MAX;
	r->window = round_pow2(window < 64 ? 64 : window);
	/* One spare block: the block holding `top` is only partly inside the window (RFC 6479 §2).
	 */
	r->nblocks = round_pow2(r->window / 64 + 1);
	r->top = 0;
	r->bitmap = calloc(r->nblocks, sizeof(uint64_t));
	return r->bitmap ? 0 : -1;
}

void esp_replay_free(struct esp_replay *r)
{
	free(r->bitmap);
	r->bitmap = NULL;
}

static inline uint64_t *block_of(const struct esp_replay *r, uint64_t seq)
{
	return &r->bitmap[(seq >> 6) & (r->nblocks - 1)];
}

bool esp_replay_check(const struct esp_replay *r, uint64_t seq)
{
	if (seq == 0)
		return false;
	if (seq > r->top)
		return true;
	if (r->top - seq >= r->window)
		return false;
	return !(*block_of(r, seq) & (1ULL << (seq & 63)));
}

static void slide(struct esp_replay *r, uint64_t seq)
{
	uint64_t cur = r->top >> 6, next = seq >> 6;
	uint64_t diff = next - cur;
	if (diff > r->nblocks)
		diff = r->nblocks;
	for (uint64_t i = 1; i <= diff; i++)
		r->bitmap[(cur + i) & (r->nblocks - 1)] = 0;
	r->top = seq;
}

bool esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	if (!esp_replay_check(r, seq))
		return false;
	if (seq > r->top)
		slide(r, seq);
	*block_of(r, seq) |= 1ULL << (seq & 63);
	return true;
}
