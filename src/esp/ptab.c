#include "esp/ptab.h"

#include <stdlib.h>

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

static inline uint32_t slot_of(const struct ptab *t, uint64_t key)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & t->mask;
}

void *ptab_get(const struct ptab *t, uint64_t key)
{
	for (uint32_t i = slot_of(t, key);; i = (i + 1) & t->mask) {
		const struct ptab_entry *e = &t->e[i];
		if (!e->val)
			return NULL;
		if (e->key == key)
			return e->val;
	}
}

static void put(struct ptab *t, uint64_t key, void *val)
{
	uint32_t i = slot_of(t, key);
	while (t->e[i].val && t->e[i].key != key)
		i = (i + 1) & t->mask;
	if (!t->e[i].val)
		t->count++;
	t->e[i].key = key;
	t->e[i].val = val;
}

/* A copy sized for `want` entries, holding every entry of t except skip_key (if skip). */
static struct ptab *rebuild(const struct ptab *t, uint32_t want, int skip, uint64_t skip_key)
{
	uint32_t slots = 8;
	while (slots < 2 * want)
		slots <<= 1;
	struct ptab *n = alloc_table(slots);
	if (!n)
		return NULL;
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->e[i].val && !(skip && t->e[i].key == skip_key))
			put(n, t->e[i].key, t->e[i].val);
	return n;
}

struct ptab *ptab_with(const struct ptab *t, uint64_t key, void *val)
{
	struct ptab *n = rebuild(t, t->count + 1, 0, 0);
	if (n)
		put(n, key, val);
	return n;
}

struct ptab *ptab_without(const struct ptab *t, uint64_t key)
{
	return rebuild(t, t->count, 1, key);
}

void ptab_each(const struct ptab *t, void (*fn)(void *arg, uint64_t key, void *val), void *arg)
{
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->e[i].val)
			fn(arg, t->e[i].key, t->e[i].val);
}
