/*
 * ptab: an open-addressing hash table from a 64-bit key to a pointer, read without locks.
 *
 * One writer at a time (the caller serialises them), any number of concurrent readers. Adding
 * fills an empty slot in place (the key first, then the value with a release store, so a
 * reader that sees the value sees its key); removing leaves a tombstone in place that readers
 * step over. Neither copies the table, so a change costs O(1), not O(entries). A tombstone is
 * never reused in place: a reader that loaded a removed value might otherwise pair it with a
 * new key. When empty slots run out (live entries plus tombstones reach half the slots),
 * ptab_add builds a larger copy without the tombstones, which the caller publishes RCU-style
 * (rcu.h): the old table stays valid for readers until the writer frees it after a grace
 * period. A removed value, too, may be in readers' hands until a grace period has passed.
 * Linear probing at load <= 1/2, so a lookup touches one or two cache lines. The table does
 * not own the values.
 */
#ifndef MGMTSEC_ESP_PTAB_H
#define MGMTSEC_ESP_PTAB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ptab_entry {
	_Atomic uint64_t key;
	void *_Atomic val; /* NULL = never used; PTAB_TOMB = removed */
};

struct ptab {
	uint32_t mask;  /* slots - 1 */
	uint32_t count; /* live entries */
	uint32_t used;  /* live entries + tombstones */
	struct ptab_entry e[];
};

extern char ptab_tomb_;
#define PTAB_TOMB ((void *)&ptab_tomb_)

/* An empty table, or NULL on allocation failure. */
struct ptab *ptab_new(void);
void ptab_free(struct ptab *t);

static inline uint32_t ptab_slot(const struct ptab *t, uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & t->mask;
}

/* The slot of the live entry for key, or UINT32_MAX; *val gets the value seen there (acquire,
 * so its key is visible too). Reader and writer side. */
static inline uint32_t ptab_find(const struct ptab *t, uint64_t key, void **val)
{
	for (uint32_t i = ptab_slot(t, key);; i = (i + 1) & t->mask) {
		void *v = atomic_load_explicit(&t->e[i].val, memory_order_acquire);
		if (!v)
			return UINT32_MAX;
		if (v != PTAB_TOMB &&
		    atomic_load_explicit(&t->e[i].key, memory_order_relaxed) == key) {
			*val = v;
			return i;
		}
	}
}

/* Reader side (and writer side). */
static inline void *ptab_get(const struct ptab *t, uint64_t key)
{
	void *v;
	return ptab_find(t, key, &v) == UINT32_MAX ? NULL : v;
}

/* Writer side. Adds key -> val; the key must be absent. Returns t itself when it was added
 * in place (nothing to publish), a larger copy holding it (publish that, free t after a grace
 * period), or NULL on allocation failure (t unchanged). */
struct ptab *ptab_add(struct ptab *t, uint64_t key, void *val);
/* Writer side. Removes key in place; -1 if absent. */
int ptab_del(struct ptab *t, uint64_t key);
/* Writer side: when ptab_add made a larger copy (next != cur), stores it in *slot, waits for a
 * grace period (rcu_synchronize) and frees cur. Nothing to do when it added in place. */
struct rcu;
void ptab_publish(struct ptab *_Atomic *slot, struct ptab *cur, struct ptab *next, struct rcu *rcu);
/* Calls fn for every live entry (writer side). */
void ptab_each(const struct ptab *t, void (*fn)(void *arg, uint64_t key, void *val), void *arg);

#endif
