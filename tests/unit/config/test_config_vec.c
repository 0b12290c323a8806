/* The configuration's sorted object arrays (model_int.h): found by bisection, kept in
 * strverscmp order whatever order the names come in; and cfg_equal, which compares them
 * object by object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/model_int.h"
#include "config/session_int.h"
#include "util/chunk.h"

struct obj {
	char name[24];
	int val;
};

#define N 5000

static void name_of(int i, char *out, size_t len)
{
	/* version-like names (tunnel-ip9 < tunnel-ip10), a few plain words among them */
	if (i % 10 == 3)
		snprintf(out, len, "p%c%d", 'a' + i % 26, i);
	else
		snprintf(out, len, "tunnel-ip%d", i);
}

static void test_sorted_and_found(void **state)
{
	struct obj *v = NULL;
	size_t n = 0;
	int *order = malloc(N * sizeof(*order));
	assert_non_null(order);
	for (int i = 0; i < N; i++)
		order[i] = i;
	srand(7);
	for (int i = N - 1; i > 0; i--) { /* a shuffled insertion order */
		int j = rand() % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	char name[24];
	for (int i = 0; i < N; i++) {
		name_of(order[i], name, sizeof(name));
		struct obj *o = cfg_vec_get((void **)&v, &n, sizeof(*v), name, sizeof(v->name));
		assert_non_null(o);
		assert_string_equal(o->name, name);
		o->val = order[i];
	}
	assert_int_equal(n, N);
	for (size_t i = 1; i < n; i++)
		assert_true(strverscmp(v[i - 1].name, v[i].name) < 0);
	assert_string_equal(v[0].name,
	                    "pb53"); /* i = 53: the first with i % 26 == 1 and i % 10 == 3 */
	for (int i = 0; i < N; i++) {
		name_of(i, name, sizeof(name));
		struct obj *o = cfg_vec_find(v, n, sizeof(*v), name);
		assert_non_null(o);
		assert_int_equal(o->val, i);
		/* getting an existing name returns it, adds nothing */
		assert_ptr_equal(cfg_vec_get((void **)&v, &n, sizeof(*v), name, sizeof(v->name)),
		                 o);
	}
	assert_int_equal(n, N);
	assert_null(cfg_vec_find(v, n, sizeof(*v), "tunnel-ip"));
	assert_null(cfg_vec_find(v, n, sizeof(*v), "tunnel-ip05"));
	assert_null(cfg_vec_find(v, n, sizeof(*v), "zzz"));
	assert_null(cfg_vec_find(NULL, 0, sizeof(*v), "tunnel-ip1"));
	for (int i = 0; i < N; i += 3) {
		name_of(i, name, sizeof(name));
		assert_true(cfg_vec_del(v, &n, sizeof(*v), name, NULL));
		assert_false(cfg_vec_del(v, &n, sizeof(*v), name, NULL));
	}
	for (int i = 0; i < N; i++) {
		name_of(i, name, sizeof(name));
		assert_true((cfg_vec_find(v, n, sizeof(*v), name) != NULL) == (i % 3 != 0));
	}
	free(v);
	free(order);
}

static void set_psk(struct cfg *c, const char *key)
{
	struct cfg_keyring *k = CFG_GET(c, keyrings, struct cfg_keyring, "K");
	assert_non_null(k);
	struct cfg_peer *p = cfg_get_peer(k, "P");
	assert_non_null(p);
	chunk_clear(&p->psk);
	assert_true(chunk_dup(&p->psk, key, strlen(key)));
}

static void test_equal(void **state)
{
	struct cfg *a = cfg_new();
	assert_non_null(a);
	char name[24];
	for (int i = 0; i < 100; i++) {
		name_of(i, name, sizeof(name));
		struct cfg_interface *f = CFG_GET(a, interfaces, struct cfg_interface, name);
		assert_non_null(f);
		f->destination = (uint32_t)i;
	}
	set_psk(a, "one key");
	struct cfg *b = cfg_dup(a);
	assert_non_null(b);
	assert_true(cfg_equal(a, b)); /* keyring pointers differ, their text does not */
	assert_true(cfg_equal(NULL, NULL));
	assert_false(cfg_equal(a, NULL));

	struct cfg_interface *f = cfg_vec_find(b->interfaces, b->n_interfaces, sizeof(*f), "pn13");
	assert_non_null(f);
	f->shutdown = true;
	assert_false(cfg_equal(a, b)); /* one field of one flat object */
	f->shutdown = false;
	assert_true(cfg_equal(a, b));

	set_psk(b, "another key");
	assert_false(cfg_equal(a, b)); /* the keyring's peer */
	set_psk(b, "one key");
	assert_true(cfg_equal(a, b));

	assert_true(cfg_vec_del(b->interfaces, &b->n_interfaces, sizeof(*f), "tunnel-ip99", NULL));
	assert_false(cfg_equal(a, b)); /* one object fewer */
	assert_non_null(CFG_GET(b, interfaces, struct cfg_interface, "tunnel-ip100"));
	assert_false(cfg_equal(a, b)); /* as many, another name */
	cfg_free(a);
	cfg_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sorted_and_found),
	    cmocka_unit_test(test_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
