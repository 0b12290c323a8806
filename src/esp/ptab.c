#include "esp/ptab.h"

#include "esp/rcu.h"

#include <stdlib.h>

char ptab_tomb_;

static struct ptab *alloc_table(uint32_t slots)
{
	struct ptab *t = calloc(1, sizeof(*t) + (size_t)slots * sizeof(struct ptab_entry));
	if (t)
		t->mask = slots - 1;
	return t;
}

struct ptab *ptab_new(void)
{
	return alloc_table(8);
}

void ptab_free(struct ptab *t)
{
	free(t);
}

/* Into an empty slot; the caller has checked that one is left and that key is absent. */
static void put(struct ptab *t, uint64_t key, void *val)
{
	uint32_t i = ptab_slot(t, key);

	while (atomic_load_explicit(&t->e[i].val, memory_order_relaxed))
		i = (i + 1) & t->mask;
	atomic_store_explicit(&t->e[i].key, key, memory_order_relaxed);
	atomic_store_explicit(&t->e[i].val, val, memory_order_release);
	t->count++;
	t->used++;
}

/* Room for `live` entries now and as many adds again before the next copy. */
static struct ptab *grown(const struct ptab *t, uint32_t live)
{
	uint32_t slots = 8;
	while (slots < 4 * (uint64_t)live)
		slots <<= 1;
	struct ptab *n = alloc_table(slots);
	if (!n)
		return NULL;
	for (uint32_t i = 0; i <= t->mask; i++) {
		void *v = atomic_load_explicit(&t->e[i].val, memory_order_relaxed);
		if (v && v != PTAB_TOMB)
			put(n, atomic_load_explicit(&t->e[i].key, memory_order_relaxed), v);
	}
	return n;
}

struct ptab *ptab_add(struct ptab *t, uint64_t key, void *val)
{
	if (!val || val == PTAB_TOMB)
		return NULL;
	if (2 * ((uint64_t)t->used + 1) > (uint64_t)t->mask + 1) {
		struct ptab *n = grown(t, t->count + 1);
		if (n)
			put(n, key, val);
		return n;
	}
	put(t, key, val);
	return t;
}

int ptab_del(struct ptab *t, uint64_t key)
{
	void *v;
	uint32_t i = ptab_find(t, key, &v);
	if (i == UINT32_MAX)
		return -1;
	atomic_store_explicit(&t->e[i].val, PTAB_TOMB, memory_order_release);
	t->count--;
	return 0;
}

void ptab_publish(struct ptab *_Atomic *slot, struct ptab *cur, struct ptab *next, struct rcu *rcu)
{
	if (next == cur)
		return;
	atomic_store(slot, next);
	rcu_synchronize(rcu);
	ptab_free(cur);
}

void ptab_each(const struct ptab *t, void (*fn)(void *arg, uint64_t key, void *val), void *arg)
{
	for (uint32_t i = 0; i <= t->mask; i++) {
		void *v = atomic_load_explicit(&t->e[i].val, memory_order_relaxed);
		if (v && v != PTAB_TOMB)
			fn(arg, atomic_load_explicit(&t->e[i].key, memory_order_relaxed), v);
	}
}
