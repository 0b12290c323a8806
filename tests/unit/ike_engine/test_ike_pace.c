/*
 * Initiations in flight (ike_pace.c): at most max_initiating of our IKE SAs negotiate at once,
 * the others wait in order; a slot frees when an SA comes up or fails or its request is first
 * retransmitted, and a tunnel that leaves the configuration leaves the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "ike/ike_int.h"

#define A(net) (&(net)->n[0])
#define B(net) (&(net)->n[1])

static const struct ike_timing fast = {
    .retx_ms = {100, 100, 100}, .n_retx = 2, .holddown_ms = 5000, .half_open_ms = 3000};

/* A has n tunnels: tunnel 1 to B (which answers), tunnels 2.. to addresses nobody answers
 * for (B drops them: no tunnel expects them). */
static void setup(struct net *net, struct ike_cfg_tunnel *ta, size_t n, unsigned window)
{
	struct ike_cfg_tunnel tb;
	h_init(net);
	for (int i = 0; i < 2; i++)
		ike_set_timing(net->n[i].ike, &fast);
	ike_set_max_initiating(A(net)->ike, window);
	h_tunnel(&tb, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, "secret-psk");
	tb.passive = true;
	assert_int_equal(h_apply(B(net), &tb, 1), 0);
	h_tunnel(&ta[0], 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, "secret-psk");
	for (size_t i = 1; i < n; i++)
		h_tunnel(&ta[i], (uint32_t)i + 1, H_ADDR_A, H_ADDR_B + (uint32_t)i,
		         H_ADDR_B + (uint32_t)i, "other-psk");
	assert_int_equal(h_apply(A(net), ta, n), 0);
}

static uint64_t waiting(struct net *net)
{
	struct ike_stats st;
	ike_get_stats(A(net)->ike, &st);
	return st.init_waiting;
}

static bool tunnel1_up(struct net *net)
{
	return A(net)->up == 1;
}

static void test_window(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta[4];
	setup(&net, ta, 4, 2);
	/* tunnels 1 and 2 started, 3 and 4 wait */
	assert_int_equal(A(&net)->sent, 2);
	assert_int_equal(A(&net)->ike->initiating, 2);
	assert_int_equal(waiting(&net), 2);
	/* tunnel 1 comes up: its slot goes to tunnel 3 */
	for (int i = 0; i < 50 && !tunnel1_up(&net); i++)
		h_run(&net, 5);
	assert_true(tunnel1_up(&net));
	h_idle(&net, 1);
	assert_int_equal(A(&net)->ike->initiating, 2);
	assert_int_equal(waiting(&net), 1);
	/* tunnel 2 is not answered: at its first retransmission it leaves the window, and
	 * tunnel 4 gets the slot long before 2 fails; never more than 2 in the window */
	for (int i = 0; i < 100 && waiting(&net) > 0; i++) {
		h_run(&net, 10);
		assert_true(A(&net)->ike->initiating <= 2);
	}
	assert_int_equal(waiting(&net), 0);
	struct ike_stats st;
	ike_get_stats(A(&net)->ike, &st);
	assert_int_equal(st.init_deferred, 2);
	assert_int_equal(st.negotiations_failed, 0); /* 2 still retransmitting, outside it */
	assert_true(A(&net)->ike->initiating >= 1);  /* 4, and 3 until its first retransmission */
	/* 2, 3 and 4 fail in the end; the retries come after the hold-down */
	for (int i = 0; i < 100 && st.negotiations_failed < 3; i++) {
		h_run(&net, 10);
		ike_get_stats(A(&net)->ike, &st);
	}
	assert_int_equal(st.negotiations_failed, 3);
	assert_int_equal(A(&net)->ike->initiating, 0);
	assert_int_equal(waiting(&net), 0);
	h_fini(&net);
}

/* Tunnels that leave the configuration while waiting leave the line (ASan: no use after
 * free); lifting the limit starts everyone still waiting. */
static void test_removed_and_unlimited(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta[6];
	setup(&net, ta, 6, 1);
	assert_int_equal(A(&net)->sent, 1);
	assert_int_equal(waiting(&net), 5);
	/* keep tunnels 1, 2 and 6: 3, 4 and 5 go while waiting */
	struct ike_cfg_tunnel keep[3] = {ta[0], ta[1], ta[5]};
	assert_int_equal(h_apply(A(&net), keep, 3), 0);
	assert_int_equal(waiting(&net), 2);
	ike_set_max_initiating(A(&net)->ike, 0);
	assert_int_equal(waiting(&net), 0);
	assert_int_equal(A(&net)->ike->initiating, 3);
	assert_int_equal(A(&net)->sent, 3);
	/* and with no limit, nothing waits */
	for (int i = 0; i < 50 && !tunnel1_up(&net); i++)
		h_run(&net, 5);
	assert_true(tunnel1_up(&net));
	h_fini(&net);
}

/* A window of 1 still brings every answering tunnel up, in order. */
static void test_window_of_one(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta[1];
	setup(&net, ta, 1, 1);
	for (int i = 0; i < 50 && !tunnel1_up(&net); i++)
		h_run(&net, 5);
	assert_true(tunnel1_up(&net));
	assert_int_equal(A(&net)->ike->initiating, 0);
	h_fini(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_removed_and_unlimited),
	    cmocka_unit_test(test_window_of_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
