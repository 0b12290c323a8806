/*
 * ike_htab: a chained hash table of intrusive nodes keyed by a 64-bit value. Grows by doubling
 * so lookups stay O(1) with tens of thousands of SAs. Several nodes may share a key; callers
 * walk ike_htab_next() and check their own fields.
 *
 * Ownership: the table owns only its bucket array; nodes live inside the caller's objects.
 */
#ifndef MGMTSEC_IKE_HTAB_H
#define MGMTSEC_IKE_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct ike_hnode {
	struct ike_hnode *next;
	uint64_t key;
};

struct ike_htab {
	struct ike_hnode **b;
	size_t nb; /* power of two, or 0 before the first insert */
	size_t n;
};

#define ike_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Returns 0, or -1 on allocation failure (node not inserted). */
int ike_htab_add(struct ike_htab *t, struct ike_hnode *n, uint64_t key);
void ike_htab_del(struct ike_htab *t, struct ike_hnode *n);
/* First node with key, or NULL. */
struct ike_hnode *ike_htab_find(const struct ike_htab *t, uint64_t key);
/* Next node after n with the same key, or NULL. */
struct ike_hnode *ike_htab_next(const struct ike_hnode *n);
void ike_htab_free(struct ike_htab *t);
uint64_t ike_hash_mix(uint64_t x);

#endif
