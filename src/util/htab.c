#include "ike/ike_htab.h"

#include <stdio.h>
#include <stdlib.h>

uint64_t ike_hash_mix(uint64_t x)
{
	/* splitmix64 finaliser: SPIs are random already, but keys built from addresses are not. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t slot(const struct ike_htab *t, uint64_t key)
{
	return (size_t)(ike_hash_mix(key) & (t->nb - 1));
}

static int grow(struct ike_htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of bucket pointers, not of nodes */
	struct ike_hnode **b = calloc(nb, sizeof(*b));
	if (!b)
		return -1;
	struct ike_htab nt = {b, nb, t->n};
	for (size_t i = 0; i < t->nb; i++) {
		struct ike_hnode *n = t->b[i];
		while (n) {
			struct ike_hnode *next = n->next;
			size_t s = slot(&nt, n->key);
			n->next = b[s];
			b[s] = n;
			n = next;
		}
	}
	free(t->b);
	*t = nt;
	return 0;
}

int ike_htab_add(struct ike_htab *t, struct ike_hnode *n, uint64_t key)
{
	if ((t->n + 1 > t->nb) && grow(t) < 0 && t->nb == 0)
		return -1;
	n->key = key;
	size_t s = slot(t, key);
	n->next = t->b[s];
	t->b[s] = n;
	t->n++;
	return 0;
}

void ike_htab_del(struct ike_htab *t, struct ike_hnode *n)
{
	if (!t->nb)
		return;
	for (struct ike_hnode **pp = &t->b[slot(t, n->key)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->n--;
			return;
		}
	}
}

struct ike_hnode *ike_htab_find(const struct ike_htab *t, uint64_t key)
{
	if (!t->nb)
		return NULL;
	for (struct ike_hnode *n = t->b[slot(t, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

struct ike_hnode *ike_htab_next(const struct ike_hnode *n)
{
	uint64_t key = n->key;
	for (n = n->next; n; n = n->next)
		if (n->key == key)
			return (struct ike_hnode *)n;
	return NULL;
}

void ike_htab_free(struct ike_htab *t)
{
	free(t->b);
	*t = (struct ike_htab){0};
}
