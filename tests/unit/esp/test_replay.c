/* Anti-replay window: table-driven (WireGuard style T(seq, expected)) per window size, and a
 * randomised comparison against an obviously-correct model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "esp/replay.h"

static struct esp_replay r;

/* check and update must agree: a check that passes is followed by a successful update. */
static int accept(uint64_t seq)
{
	bool c = esp_replay_check(&r, seq);
	bool u = esp_replay_update(&r, seq);
	assert_int_equal(c, u);
	return c;
}

#define T(seq, expected)                                                                           \
	do {                                                                                       \
		if (accept(seq) != (expected))                                                     \
			fail_msg("window %u: seq %llu expected %s", r.window,                      \
			         (unsigned long long)(seq), (expected) ? "accept" : "reject");     \
	} while (0)

static void table(uint32_t w)
{
	assert_int_equal(esp_replay_init(&r, w), 0);
	assert_int_equal(r.window, w);
	T(0, 0); /* sequence numbers start at 1 */
	T(1, 1);
	T(1, 0); /* duplicate */
	T(2, 1);
	T(4, 1);
	T(3, 1); /* out of order inside the window */
	T(3, 0);
	T(w + 4, 1); /* window now (4, w + 4] */
	T(4, 0);     /* at top - w: too old */
	T(5, 1);     /* oldest still inside */
	T(5, 0);
	T(w + 3, 1); /* just below top */
	T(w + 4, 0);
	/* far jump: everything is cleared, old numbers below the window are rejected */
	T(10 * (uint64_t)w + 7, 1);
	T(9 * (uint64_t)w + 7, 0);
	T(9 * (uint64_t)w + 8, 1);
	T(9 * (uint64_t)w + 8, 0);
	/* in-order run across several wraps of the bitmap ring */
	for (uint64_t s = 10 * (uint64_t)w + 8; s < 14 * (uint64_t)w; s++)
		T(s, 1);
	for (uint64_t s = 13 * (uint64_t)w; s < 14 * (uint64_t)w; s++)
		T(s, 0);
	T(13 * (uint64_t)w - 1, 0);
	/* jump by exactly one window keeps nothing stale */
	uint64_t top = 14 * (uint64_t)w - 1;
	T(top + w, 1);
	for (uint64_t s = top + 1; s < top + w; s++)
		T(s, 1);
	/* top of the 32-bit space */
	T(0xffffffffu, 1);
	T(0xffffffffu, 0);
	T(0xffffffffu - w + 1, 1);
	T(0xffffffffu - w, 0);
	esp_replay_free(&r);
}

static void test_window_64(void **state)
{
	table(64);
}

static void test_window_1024(void **state)
{
	table(1024);
}

static void test_window_4096(void **state)
{
	table(4096);
}

static void test_sizes(void **state)
{
	assert_int_equal(esp_replay_init(&r, 0), 0);
	assert_int_equal(r.window, 64);
	esp_replay_free(&r);
	assert_int_equal(esp_replay_init(&r, 1000), 0);
	assert_int_equal(r.window, 1024);
	esp_replay_free(&r);
	assert_int_equal(esp_replay_init(&r, 10), 0);
	assert_int_equal(r.window, 64);
	esp_replay_free(&r);
}

/* check() alone never changes the state. */
static void test_check_is_pure(void **state)
{
	assert_int_equal(esp_replay_init(&r, 64), 0);
	assert_true(esp_replay_check(&r, 100));
	assert_true(esp_replay_check(&r, 100));
	assert_int_equal(r.top, 0);
	assert_true(esp_replay_update(&r, 100));
	assert_false(esp_replay_check(&r, 100));
	esp_replay_free(&r);
}

/* Random walk compared with a model: accept iff new and within the window. */
static void model(uint32_t w)
{
	enum {
		N = 20000
	};
	static uint8_t seen[N + 1];
	uint64_t top = 0;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(esp_replay_init(&r, w), 0);
	srand(w);
	for (int i = 0; i < 200000; i++) {
		uint64_t s;
		int k = rand() % 4;
		if (k == 0)
			s = top + 1 + (uint64_t)(rand() % 3);
		else if (k == 1)
			s = top > 2 * w ? top - (uint64_t)(rand() % (2 * w))
			                : (uint64_t)(rand() % 50);
		else if (k == 2)
			s = top + (uint64_t)(rand() % (w + 70));
		else
			s = top > 10 ? top - (uint64_t)(rand() % 10) : 1;
		if (s > N)
			break;
		bool want = s != 0 && !seen[s] && (s > top || top - s < w);
		assert_int_equal(accept(s), want);
		if (want) {
			seen[s] = 1;
			if (s > top)
				top = s;
		}
	}
	esp_replay_free(&r);
}

static void test_model(void **state)
{
	model(64);
	model(128);
	model(1024);
	model(4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window_64),     cmocka_unit_test(test_window_1024),
	    cmocka_unit_test(test_window_4096),   cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_check_is_pure), cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
