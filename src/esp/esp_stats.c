#include "esp/esp_stats.h"

static const char *const drop_names[ESP_DROP_MAX] = {
    [ESP_DROP_NONE] = "none",
    [ESP_DROP_REPLAY] = "replay",
    [ESP_DROP_ICV] = "icv",
    [ESP_DROP_PAD] = "bad-padding",
    [ESP_DROP_INNER] = "bad-inner",
    [ESP_DROP_SELECTOR] = "selector",
    [ESP_DROP_SEQ_EXHAUSTED] = "seq-exhausted",
    [ESP_DROP_SHORT] = "too-short",
    [ESP_DROP_NO_SA] = "no-sa",
    [ESP_DROP_DUMMY] = "dummy",
    [ESP_DROP_NO_ROOM] = "no-room",
    [ESP_DROP_CRYPTO] = "crypto",
    [ESP_DROP_NO_TUNNEL] = "no-tunnel",
    [ESP_DROP_IO] = "io",
    [ESP_DROP_KEEPALIVE] = "keepalive",
};

const char *esp_drop_name(enum esp_drop d)
{
	return (unsigned)d < ESP_DROP_MAX ? drop_names[d] : "?";
}

void esp_counters_read(const struct esp_counters *c, struct esp_sa_stats *out)
{
	out->packets = atomic_load_explicit(&c->packets, memory_order_relaxed);
	out->bytes = atomic_load_explicit(&c->bytes, memory_order_relaxed);
	for (int i = 0; i < ESP_DROP_MAX; i++)
		out->drops[i] = atomic_load_explicit(&c->drops[i], memory_order_relaxed);
}
