/* The event loop: timers fire in order, cancel works, fd callbacks run and can remove fds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/loop.h"

struct rec {
	struct loop *l;
	int order[8];
	int n;
};

static void fire(void *arg)
{
	struct rec *r = arg;
	r->order[r->n] = r->n;
	if (++r->n == 2)
		loop_stop(r->l);
}

static void never(void *arg)
{
	fail_msg("cancelled timer fired");
}

static void test_timers(void **state)
{
	struct rec r = {.l = loop_new()};
	loop_timer_add(r.l, 20, fire, &r);
	uint64_t c = loop_timer_add(r.l, 5, never, NULL);
	loop_timer_add(r.l, 10, fire, &r);
	loop_timer_cancel(r.l, c);
	loop_timer_cancel(r.l, c);
	uint64_t t0 = loop_now_ms();
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 2);
	assert_true(loop_now_ms() - t0 >= 20);
	loop_free(r.l);
}

/* Many timers, a random half cancelled (some twice, some after firing would be due): exactly
 * the others fire, in deadline order, and cancelling inside a callback works. */
#define NT 8000
struct many {
	struct loop *l;
	/* A timer's deadline lies in [lo, hi]: the clock read before and after its add, plus its
	 * delay (the test may be preempted between its clock read and the loop's). */
	uint64_t id[NT], lo[NT], hi[NT];
	bool cancelled[NT], fired[NT];
	int n_fired, last;
	uint64_t last_lo;
	bool order_ok;
};
static struct many g_m;

static void many_fire(void *arg)
{
	struct many *m = &g_m;
	int i = (int)(intptr_t)arg;
	assert_false(m->cancelled[i]);
	assert_false(m->fired[i]);
	m->fired[i] = true;
	m->n_fired++;
	/* Deadline order: no timer fired before this one can have had a later deadline. */
	if (m->hi[i] < m->last_lo)
		m->order_ok = false;
	if (m->lo[i] > m->last_lo)
		m->last_lo = m->lo[i];
	int j = (i * 7 + 3) % NT; /* a callback cancels another timer */
	if (!m->fired[j] && !m->cancelled[j]) {
		loop_timer_cancel(m->l, m->id[j]);
		m->cancelled[j] = true;
	}
}

static void many_stop(void *arg)
{
	loop_stop(arg);
}

static void test_many_timers(void **state)
{
	struct many *m = &g_m;
	memset(m, 0, sizeof(*m));
	m->order_ok = true;
	m->l = loop_new();
	srand(7);
	for (int i = 0; i < NT; i++) {
		uint64_t d = (uint64_t)(rand() % 40);
		m->lo[i] = loop_now_ms() + d;
		m->id[i] = loop_timer_add(m->l, d, many_fire, (void *)(intptr_t)i);
		m->hi[i] = loop_now_ms() + d;
		assert_true(m->id[i] != 0);
	}
	for (int k = 0; k < NT; k++) {
		int i = rand() % NT;
		loop_timer_cancel(m->l, m->id[i]);
		loop_timer_cancel(m->l, m->id[i]);
		m->cancelled[i] = true;
	}
	loop_timer_cancel(m->l, 987654321); /* never existed */
	loop_timer_add(m->l, 100, many_stop, m->l);
	assert_int_equal(loop_run(m->l), 0);
	int expect = 0;
	for (int i = 0; i < NT; i++) {
		assert_int_equal(m->fired[i], !m->cancelled[i]);
		expect += !m->cancelled[i];
	}
	assert_int_equal(m->n_fired, expect);
	assert_true(expect > NT / 4);
	assert_true(m->order_ok);
	loop_free(m->l);
}

struct fdrec {
	struct loop *l;
	int other;
	int calls;
};

static void on_read(int fd, uint32_t ev, void *arg)
{
	struct fdrec *f = arg;
	char c;
	assert_int_equal(read(fd, &c, 1), 1);
	f->calls++;
	loop_del_fd(f->l, fd);
	loop_del_fd(f->l, f->other); /* removing another watcher mid-round is safe */
	loop_stop(f->l);
}

static void test_fds(void **state)
{
	int p1[2], p2[2];
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	struct fdrec a = {.l = loop_new()}, b;
	a.other = p2[0];
	b = a;
	b.other = p1[0];
	assert_int_equal(loop_add_fd(a.l, p1[0], EPOLLIN, on_read, &a), 0);
	assert_int_equal(loop_add_fd(a.l, p2[0], EPOLLIN, on_read, &b), 0);
	assert_int_equal(write(p1[1], "x", 1), 1);
	assert_int_equal(write(p2[1], "y", 1), 1);
	assert_int_equal(loop_run(a.l), 0);
	assert_int_equal(a.calls + b.calls, 1);
	loop_free(a.l);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers),
	    cmocka_unit_test(test_many_timers),
	    cmocka_unit_test(test_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
