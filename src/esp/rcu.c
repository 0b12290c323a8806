#include "esp/rcu.h"

#include <time.h>

void rcu_init(struct rcu *r)
{
	for (unsigned i = 0; i < RCU_MAX_READERS; i++)
		atomic_init(&r->slot[i].ctr, 0);
}

void rcu_synchronize(struct rcu *r)
{
	uint64_t seen[RCU_MAX_READERS];
	for (unsigned i = 0; i < RCU_MAX_READERS; i++)
		seen[i] = atomic_load(&r->slot[i].ctr);
	for (unsigned i = 0; i < RCU_MAX_READERS; i++) {
		if (!(seen[i] & 1))
			continue; /* outside a batch: cannot hold the old pointer */
		while (atomic_load(&r->slot[i].ctr) == seen[i]) {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
}
