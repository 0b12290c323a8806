#include "esp/esp_sa.h"

#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"

static bool params_valid(const struct esp_sa_params *p)
{
	if (!p->encr || p->encr->key_len > ESP_MAX_KEY || p->encr->iv_len > 16)
		return false;
	if (p->encr->aead)
		return p->integ == NULL;
	return p->integ && p->integ->key_len <= ESP_MAX_KEY && p->encr->block_len == 16;
}

static uint64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static void copy_params(struct esp_sa *sa, const struct esp_sa_params *p)
{
	sa->spi = p->spi;
	sa->inbound = p->inbound;
	sa->tunnel_id = p->tunnel_id;
	sa->local_addr = p->local_addr;
	sa->remote_addr = p->remote_addr;
	sa->natt_local_port = p->natt_local_port;
	sa->natt_remote_port = p->natt_remote_port;
	sa->encr = p->encr;
	sa->integ = p->integ;
	sa->iv_len = (uint32_t)p->encr->iv_len;
	sa->block_len = (uint32_t)p->encr->block_len;
	sa->icv_len = (uint32_t)(p->encr->aead ? p->encr->icv_len : p->integ->icv_len);
	sa->ts_local_start = p->ts_local_start;
	sa->ts_local_end = p->ts_local_end;
	sa->ts_remote_start = p->ts_remote_start;
	sa->ts_remote_end = p->ts_remote_end;
	sa->sa_id = p->sa_id;
	sa->lifetime_soft_s = p->lifetime_soft_s;
	sa->lifetime_hard_s = p->lifetime_hard_s;
	sa->seq_soft = ESP_SEQ_SOFT_DEFAULT;
	sa->iv_pool_next = ESP_IV_POOL_IVS; /* empty: first packet fills it */
}

struct esp_sa *esp_sa_new(const struct esp_sa_params *p)
{
	if (!params_valid(p))
		return NULL;
	struct esp_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	copy_params(sa, p);
	sa->installed_at = now_s();
	/* Outbound SAs only encrypt (seal), inbound SAs only decrypt (open). */
	sa->cipher = cipher_new(p->encr, p->encr_key, p->encr->key_len, !p->inbound);
	if (!sa->cipher)
		goto fail;
	if (!p->encr->aead) {
		sa->mac = mac_new(p->integ, p->integ_key, p->integ->key_len);
		if (!sa->mac)
			goto fail;
	}
	if (p->inbound && esp_replay_init(&sa->replay, p->replay_window) < 0)
		goto fail;
	return sa;
fail:
	esp_sa_free(sa);
	return NULL;
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	cipher_free(sa->cipher);
	mac_free(sa->mac);
	esp_replay_free(&sa->replay);
	memwipe(sa->iv_pool, sizeof(sa->iv_pool));
	free(sa);
}

void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *out)
{
	esp_counters_read(&sa->ctr, out);
	if (sa->inbound) {
		/* top is written by the receiving thread; a torn read is impossible on 64-bit. */
		out->seq = *(volatile const uint64_t *)&sa->replay.top;
		out->window = sa->replay.window;
	} else {
		out->seq = atomic_load_explicit(&sa->seq, memory_order_relaxed);
		out->window = 0;
	}
}

bool esp_sa_take_rekey_due(struct esp_sa *sa)
{
	if (!atomic_load_explicit(&sa->rekey_due, memory_order_relaxed))
		return false;
	return atomic_exchange(&sa->rekey_due, false);
}

size_t esp_sa_overhead(const struct esp_sa *sa)
{
	return ESP_HDR_LEN + sa->iv_len + (sa->block_len - 1) + 2 + sa->icv_len;
}

void esp_sa_test_set_seq(struct esp_sa *sa, uint64_t seq)
{
	atomic_store(&sa->seq, seq);
}
