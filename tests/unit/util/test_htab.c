/* The chained hash table: lookups, shared keys, removal, and growth to 10,000 entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/htab.h"

struct item {
	struct hnode node;
	int id;
};

#define N 10000

static void test_many(void **state)
{
	struct htab t = {0};
	struct item *it = calloc(N, sizeof(*it));
	assert_non_null(it);
	assert_null(htab_find(&t, 1)); /* empty, before any bucket exists */
	for (int i = 0; i < N; i++) {
		it[i].id = i;
		assert_int_equal(htab_add(&t, &it[i].node, (uint64_t)i * 7919), 0);
	}
	assert_int_equal(t.n, N);
	assert_true(t.nb >= N); /* grew by doubling: load at most one */
	for (int i = 0; i < N; i++) {
		struct hnode *n = htab_find(&t, (uint64_t)i * 7919);
		assert_non_null(n);
		assert_int_equal(container_of(n, struct item, node)->id, i);
		assert_null(htab_next(n));
	}
	assert_null(htab_find(&t, 7919ull * N));
	for (int i = 0; i < N; i += 2)
		htab_del(&t, &it[i].node);
	assert_int_equal(t.n, N / 2);
	for (int i = 0; i < N; i++)
		assert_true((htab_find(&t, (uint64_t)i * 7919) != NULL) == (i % 2 == 1));
	htab_free(&t);
	assert_null(t.b);
	assert_int_equal(t.n, 0);
	free(it);
}

static void test_shared_key(void **state)
{
	struct htab t = {0};
	struct item a = {.id = 1}, b = {.id = 2}, c = {.id = 3};
	assert_int_equal(htab_add(&t, &a.node, 42), 0);
	assert_int_equal(htab_add(&t, &b.node, 42), 0);
	assert_int_equal(htab_add(&t, &c.node, 43), 0);
	int seen = 0;
	for (struct hnode *n = htab_find(&t, 42); n; n = htab_next(n))
		seen |= 1 << container_of(n, struct item, node)->id;
	assert_int_equal(seen, (1 << 1) | (1 << 2));
	htab_del(&t, &a.node);
	struct hnode *n = htab_find(&t, 42);
	assert_ptr_equal(n, &b.node);
	assert_null(htab_next(n));
	htab_del(&t, &a.node); /* no longer in: nothing happens */
	assert_int_equal(t.n, 2);
	htab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_shared_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
