/*
 * ptab: an immutable open-addressing hash table from a 64-bit key to a pointer, for RCU.
 *
 * A table is never modified after it is built: ptab_with()/ptab_without() return a new table
 * (the old one stays valid for readers until the writer frees it after a grace period).
 * Load factor <= 1/2, linear probing, so a lookup touches one or two cache lines. The table
 * does not own the values.
 */
#ifndef MGMTSEC_ESP_PTAB_H
#define MGMTSEC_ESP_PTAB_H

#include <stddef.h>
#include <stdint.h>

struct ptab_entry {
	uint64_t key;
	void *val; /* NULL = empty slot */
};

struct ptab {
	uint32_t mask;  /* slots - 1 */
	uint32_t count; /* used slots */
	struct ptab_entry e[];
};

/* An empty table, or NULL on allocation failure. */
struct ptab *ptab_new(void);
void ptab_free(struct ptab *t);
void *ptab_get(const struct ptab *t, uint64_t key);
/* Copy of t plus key -> val (replacing an existing key). NULL on allocation failure. */
struct ptab *ptab_with(const struct ptab *t, uint64_t key, void *val);
/* Copy of t without key. NULL on allocation failure. */
struct ptab *ptab_without(const struct ptab *t, uint64_t key);
/* Calls fn for every entry (writer side). */
void ptab_each(const struct ptab *t, void (*fn)(void *arg, uint64_t key, void *val), void *arg);

#endif
