/*
 * SAD: the security association database of the data plane.
 *
 * Inbound and outbound SAs in one hash table keyed by (SPI, direction), changed in place and
 * replaced by a larger copy when it fills (ptab.h), through an atomic pointer (RCU, see rcu.h).
 * Readers (data-plane threads, inside rcu_read_enter/leave) look up without any lock; writers
 * are serialised by the caller (the dp's control mutex) and wait for a grace period before
 * freeing a replaced table or a removed SA, so installing or removing SAs never stalls
 * packets.
 *
 * Ownership: the SAD owns the SAs added to it; sad_del() and sad_destroy() free them (which
 * wipes their keys).
 */
#ifndef MGMTSEC_ESP_SAD_H
#define MGMTSEC_ESP_SAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp/esp_sa.h"
#include "esp/ptab.h"
#include "esp/rcu.h"

struct sad {
	_Atomic(struct ptab *) sas;
	struct rcu *rcu; /* borrowed */
};

static inline uint64_t sad_key(uint32_t spi, bool inbound)
{
	return (uint64_t)spi << 1 | (inbound ? 1 : 0);
}

int sad_init(struct sad *s, struct rcu *rcu);
/* Frees every SA and the table. No reader may be running. */
void sad_destroy(struct sad *s);

/* Reader side (inside a read-side section) and writer side alike. */
static inline struct esp_sa *sad_lookup(struct sad *s, uint32_t spi, bool inbound)
{
	return ptab_get(atomic_load_explicit(&s->sas, memory_order_acquire), sad_key(spi, inbound));
}

/* Writer side. Takes ownership of sa on success; -1 if (spi, direction) exists or on ENOMEM. */
int sad_add(struct sad *s, struct esp_sa *sa);
/* Unlinks, waits for a grace period, frees the SA. The caller must first have removed every
 * other published reference (e.g. a tunnel's outbound pointer). -1 if not found. */
int sad_del(struct sad *s, uint32_t spi, bool inbound);
size_t sad_count(struct sad *s);

#endif
