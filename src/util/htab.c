#include "util/htab.h"

#include <stdio.h>
#include <stdlib.h>

uint64_t hash_mix(uint64_t x)
{
	/* splitmix64 finaliser: SPIs are random already, but keys built from addresses are not. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t slot(const struct htab *t, uint64_t key)
{
	return (size_t)(hash_mix(key) & (t->nb - 1));
}

static int grow(struct htab *t)
{
	size_t nb = t->nb ? t->nb * 2 : 64;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of bucket pointers, not of nodes */
	struct hnode **b = calloc(nb, sizeof(*b));
	if (!b)
		return -1;
	struct htab nt = {b, nb, t->n};
	for (size_t i = 0; i < t->nb; i++) {
		struct hnode *n = t->b[i];
		while (n) {
			struct hnode *next = n->next;
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

int htab_add(struct htab *t, struct hnode *n, uint64_t key)
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

void htab_del(struct htab *t, struct hnode *n)
{
	if (!t->nb)
		return;
	for (struct hnode **pp = &t->b[slot(t, n->key)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->n--;
			return;
		}
	}
}

struct hnode *htab_find(const struct htab *t, uint64_t key)
{
	if (!t->nb)
		return NULL;
	for (struct hnode *n = t->b[slot(t, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

struct hnode *htab_next(const struct hnode *n)
{
	uint64_t key = n->key;
	for (n = n->next; n; n = n->next)
		if (n->key == key)
			return (struct hnode *)n;
	return NULL;
}

void htab_free(struct htab *t)
{
	free(t->b);
	*t = (struct htab){0};
}
