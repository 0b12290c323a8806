/*
 * htab: a chained hash table of intrusive nodes keyed by a 64-bit value. Grows by doubling
 * so lookups stay O(1) with tens of thousands of entries (IKE SAs, Child SAs, tunnels). Several
 * nodes may share a key; callers walk htab_next() and check their own fields.
 *
 * Ownership: the table owns only its bucket array; nodes live inside the caller's objects.
 */
#ifndef MGMTSEC_UTIL_HTAB_H
#define MGMTSEC_UTIL_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint64_t key;
};

struct htab {
	struct hnode **b;
	size_t nb; /* power of two, or 0 before the first insert */
	size_t n;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Returns 0, or -1 on allocation failure (node not inserted). */
int htab_add(struct htab *t, struct hnode *n, uint64_t key);
void htab_del(struct htab *t, struct hnode *n);
/* First node with key, or NULL. */
struct hnode *htab_find(const struct htab *t, uint64_t key);
/* Next node after n with the same key, or NULL. */
struct hnode *htab_next(const struct hnode *n);
void htab_free(struct htab *t);
uint64_t hash_mix(uint64_t x);

#endif
