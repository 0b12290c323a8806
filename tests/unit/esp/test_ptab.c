/* ptab: in-place adds and tombstones, copies only when it fills, and readers that never see a
 * wrong value while one writer changes the table under them. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "esp/ptab.h"

/* Values are the address of vals[key] so a lookup's answer can be checked against its key. */
#define NKEYS 4096
static char vals[NKEYS];

static struct ptab *add(struct ptab *t, uint64_t key)
{
	struct ptab *n = ptab_add(t, key, &vals[key]);
	assert_non_null(n);
	if (n != t)
		ptab_free(t);
	return n;
}

static void test_add_get_del(void **state)
{
	(void)state;
	struct ptab *t = ptab_new();
	assert_non_null(t);
	for (uint64_t k = 0; k < 1000; k++)
		t = add(t, k);
	assert_int_equal(t->count, 1000);
	for (uint64_t k = 0; k < 1000; k++)
		assert_ptr_equal(ptab_get(t, k), &vals[k]);
	assert_null(ptab_get(t, 1000));
	for (uint64_t k = 0; k < 1000; k += 2)
		assert_int_equal(ptab_del(t, k), 0);
	assert_int_equal(ptab_del(t, 0), -1); /* already gone */
	assert_int_equal(t->count, 500);
	for (uint64_t k = 0; k < 1000; k++)
		assert_ptr_equal(ptab_get(t, k), k % 2 ? &vals[k] : NULL);
	ptab_free(t);
}

/* Keys that probe from the same slot: removing the first must not hide the others. */
static void test_collisions(void **state)
{
	(void)state;
	struct ptab *t = ptab_new();
	uint64_t same[3];
	int n = 0;
	for (uint64_t k = 0; k < NKEYS && n < 3; k++)
		if (ptab_slot(t, k) == 5)
			same[n++] = k;
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(ptab_add(t, same[i], &vals[same[i]]),
		                 t); /* 3 of 8 slots: in place */
	assert_int_equal(ptab_del(t, same[0]), 0);
	assert_ptr_equal(ptab_get(t, same[1]), &vals[same[1]]);
	assert_ptr_equal(ptab_get(t, same[2]), &vals[same[2]]);
	assert_int_equal(ptab_del(t, same[1]), 0);
	assert_ptr_equal(ptab_get(t, same[2]), &vals[same[2]]);
	assert_null(ptab_get(t, same[0]));
	ptab_free(t);
}

/* A change costs no copy until the slots run out; the copy drops the tombstones. */
static void test_in_place_until_full(void **state)
{
	(void)state;
	struct ptab *t = ptab_new();
	for (uint64_t k = 0; k < 100; k++)
		t = add(t, k);
	uint32_t slots = t->mask + 1;
	assert_true(slots >= 256);
	int copies = 0;
	/* Churn: remove one, add a new key, keeping 100 live entries. */
	for (uint64_t k = 100; k < 100 + 10 * slots; k++) {
		assert_int_equal(ptab_del(t, (k - 100) % NKEYS), 0);
		struct ptab *n = ptab_add(t, k % NKEYS, &vals[k % NKEYS]);
		assert_non_null(n);
		if (n != t) {
			copies++;
			assert_int_equal(n->used, n->count); /* no tombstones carried over */
			ptab_free(t);
			t = n;
		}
		assert_true(2 * t->used <= t->mask + 1);
	}
	/* At most one copy per (slots/2 - live) changes, the rest in place. */
	assert_true(copies <= 10 * (int)slots / (int)(slots / 2 - 100) + 1);
	assert_true(copies >= 1);
	assert_int_equal(t->count, 100);
	ptab_free(t);
}

static void count_cb(void *arg, uint64_t key, void *val)
{
	assert_ptr_equal(val, &vals[key]);
	(*(int *)arg)++;
}

static void test_each_skips_tombstones(void **state)
{
	(void)state;
	struct ptab *t = ptab_new();
	for (uint64_t k = 0; k < 50; k++)
		t = add(t, k);
	for (uint64_t k = 0; k < 50; k += 5)
		assert_int_equal(ptab_del(t, k), 0);
	int n = 0;
	ptab_each(t, count_cb, &n);
	assert_int_equal(n, 40);
	ptab_free(t);
}

/* One writer churns keys 1000.. while readers look up 0..999 (always present) and the churned
 * keys: every answer is either NULL (for churned keys) or the key's own value. The writer
 * frees replaced tables only after the readers have moved on (a crude grace period: it keeps
 * the last few). */
static struct ptab *_Atomic shared;
static atomic_int stop;
static atomic_long wrong;

static void *reader(void *arg)
{
	(void)arg;
	unsigned x = 1;
	while (!atomic_load(&stop)) {
		struct ptab *t = atomic_load(&shared);
		for (int i = 0; i < 64; i++) {
			x = x * 1103515245 + 12345;
			uint64_t k = (x >> 8) % 2000;
			void *v = ptab_get(t, k);
			if ((k < 1000 && v != &vals[k]) || (v && v != &vals[k]))
				atomic_fetch_add(&wrong, 1);
		}
	}
	return NULL;
}

static void test_concurrent_readers(void **state)
{
	(void)state;
	struct ptab *t = ptab_new(), *old[64] = {0};
	int nold = 0;
	for (uint64_t k = 0; k < 1000; k++)
		t = add(t, k);
	atomic_store(&shared, t);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, NULL), 0);
	for (int round = 0; round < 20000; round++) {
		uint64_t k = 1000 + (uint64_t)(round % 1000);
		struct ptab *cur = atomic_load(&shared);
		if (ptab_get(cur, k)) {
			assert_int_equal(ptab_del(cur, k), 0);
			continue;
		}
		struct ptab *n = ptab_add(cur, k, &vals[k]);
		assert_non_null(n);
		if (n != cur) {
			atomic_store(&shared, n);
			assert_true(nold < 64);
			old[nold++] = cur; /* freed after the readers stop */
		}
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&wrong), 0);
	for (int i = 0; i < nold; i++)
		ptab_free(old[i]);
	ptab_free(atomic_load(&shared));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_get_del),
	    cmocka_unit_test(test_collisions),
	    cmocka_unit_test(test_in_place_until_full),
	    cmocka_unit_test(test_each_skips_tombstones),
	    cmocka_unit_test(test_concurrent_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
