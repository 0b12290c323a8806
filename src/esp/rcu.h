/*
 * A minimal read-copy-update scheme for the data plane's tables.
 *
 * Readers (data-plane threads, at most RCU_MAX_READERS, each with a fixed slot) bracket each
 * batch of packets with rcu_read_enter()/rcu_read_leave(): one atomic increment each, no lock,
 * never waiting. A slot's counter is odd while its thread is inside a batch. Writers publish a
 * new immutable table with an atomic store, then rcu_synchronize() waits until every reader
 * that was inside a batch at that moment has left it; after that, nothing can still hold the
 * old table (or an object only it referenced) and it may be freed. Readers must not block
 * indefinitely inside a batch (they leave before epoll_wait).
 */
#ifndef MGMTSEC_ESP_RCU_H
#define MGMTSEC_ESP_RCU_H

#include <stdatomic.h>
#include <stdint.h>

#define RCU_MAX_READERS 8

struct rcu {
	struct {
		_Atomic uint64_t ctr;
		char pad[64 - sizeof(uint64_t)]; /* one cache line per reader */
	} slot[RCU_MAX_READERS];
};

void rcu_init(struct rcu *r);

static inline void rcu_read_enter(struct rcu *r, unsigned slot)
{
	/* seq_cst: the odd counter is visible before this thread loads any table pointer. */
	atomic_fetch_add(&r->slot[slot].ctr, 1);
}

static inline void rcu_read_leave(struct rcu *r, unsigned slot)
{
	atomic_fetch_add_explicit(&r->slot[slot].ctr, 1, memory_order_release);
}

/* Waits for a grace period. Call after publishing the new pointer (seq_cst store). */
void rcu_synchronize(struct rcu *r);

#endif
