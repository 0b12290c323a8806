/*
 * Public-key work off the event loop (ike_work.c): set-ups whose ECDH runs on worker threads,
 * the threshold that keeps cheap operations inline, and SAs that go away while their job runs.
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

/* Retransmissions late enough that a loaded machine (CI, sanitizers) does not cause any: the
 * tests count jobs exactly. */
static const struct ike_timing fast = {
    .retx_ms = {200, 400, 800}, .n_retx = 3, .holddown_ms = 50, .half_open_ms = 3000};

static void apply(struct h_node *n, const struct ike_cfg_tunnel *t)
{
	assert_int_equal(h_apply(n, t, 1), 0);
}

static void tunnels(struct ike_cfg_tunnel *ta, struct ike_cfg_tunnel *tb, uint16_t group)
{
	h_tunnel(ta, 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, "secret-psk");
	h_tunnel(tb, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, "secret-psk");
	ta->proposals[0].dh[0] = tb->proposals[0].dh[0] = group;
	tb->passive = true;
}

static void start(struct net *net, int workers_a, int workers_b, uint64_t min_ns)
{
	h_init(net);
	for (int i = 0; i < 2; i++) {
		ike_set_timing(net->n[i].ike, &fast);
		int w = i == 0 ? workers_a : workers_b;
		if (w)
			assert_int_equal(ike_set_workers(net->n[i].ike, (unsigned)w, min_ns, 0), 0);
	}
}

/* Workers per side (0: none), B passive, then A's configuration starts the negotiation. */
static void pair(struct net *net, int workers_a, int workers_b, uint64_t min_ns, uint16_t group)
{
	struct ike_cfg_tunnel ta, tb;
	start(net, workers_a, workers_b, min_ns);
	tunnels(&ta, &tb, group);
	apply(B(net), &tb);
	apply(A(net), &ta);
}

static bool ready(struct h_node *n)
{
	struct ike_sa_info i[2];
	return h_sas(n, i, 2) == 1 && strcmp(i[0].state, "READY") == 0;
}

/* Runs the loop (datagrams, timers, job completions) until both are READY or 3 s passed. */
static void run_until_up(struct net *net)
{
	for (int i = 0; i < 150 && !(ready(A(net)) && ready(B(net))); i++)
		h_run(net, 20);
	assert_true(ready(A(net)));
	assert_true(ready(B(net)));
	assert_int_equal(ike_work_pending(A(net)->ike), 0);
	assert_int_equal(ike_work_pending(B(net)->ike), 0);
}

static void assert_same_keys(struct net *net)
{
	const struct h_inst *a = h_live_inst(A(net)), *b = h_live_inst(B(net));
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->out.spi, b->in.spi);
	assert_memory_equal(a->out.encr_key, b->in.encr_key, a->out.encr->key_len);
	assert_memory_equal(a->in.encr_key, b->out.encr_key, a->in.encr->key_len);
}

static void stats(struct h_node *n, struct ike_stats *st)
{
	ike_get_stats(n->ike, st);
}

/* Every ECDH of both sides on workers: the initiator's key pair and secret, the responder's
 * key pair + secret in one job; the exchange goes on from the completions. */
static void setup_offloaded(uint16_t group)
{
	struct net net;
	struct ike_stats sa, sb;
	pair(&net, 2, 2, 0, group);
	/* the key pair is being made: nothing is sent yet, the job is out */
	assert_int_equal(net.queued, 0);
	assert_int_equal(ike_work_pending(A(&net)->ike), 1);

	run_until_up(&net);
	assert_same_keys(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.work_offloaded, 2);
	assert_int_equal(sb.work_offloaded, 1);
	assert_int_equal(sa.work_inline + sb.work_inline, 0);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(i.dh_group, group);
	h_fini(&net);
}

static void test_offloaded_19(void **state)
{
	setup_offloaded(DH_ECP_256);
}

static void test_offloaded_20(void **state)
{
	setup_offloaded(DH_ECP_384);
}

static void test_offloaded_21(void **state)
{
	setup_offloaded(DH_ECP_521);
}

/* Below the threshold everything stays on the loop, in order, as without workers. */
static void test_cheap_stays_inline(void **state)
{
	struct net net;
	struct ike_stats sa, sb;
	pair(&net, 2, 2, UINT64_MAX, DH_ECP_384);
	assert_int_equal(net.queued, 1); /* IKE_SA_INIT went out at once */
	assert_true(h_step(&net));       /* B answers right away */
	assert_int_equal(net.queued, 1);
	run_until_up(&net);
	assert_same_keys(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.work_offloaded + sb.work_offloaded, 0);
	assert_int_equal(sa.work_inline, 2);
	assert_int_equal(sb.work_inline, 1);
	/* and the cost was measured: P-384 is not free */
	assert_true(A(&net)->ike->work_cost_ns[IKE_JOB_KEYGEN_384] > 0);
	assert_true(A(&net)->ike->work_cost_ns[IKE_JOB_DERIVE_384] > 0);
	h_fini(&net);
}

static void apply2(struct h_node *n, const struct ike_cfg_tunnel *t0,
                   const struct ike_cfg_tunnel *t1)
{
	struct ike_cfg_tunnel ts[2] = {*t0, *t1};
	assert_int_equal(h_apply(n, ts, 2), 0);
}

/* A lone negotiation keeps its work inline (a hand-off would only add two wake-ups); when a
 * second one is under way, the work goes to a worker. */
static void test_lone_setup_inline(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb, ta2;
	struct ike_stats sa, sb;
	h_init(&net);
	for (int i = 0; i < 2; i++) {
		ike_set_timing(net.n[i].ike, &fast);
		assert_int_equal(ike_set_workers(net.n[i].ike, 1, 0, 2), 0);
	}
	tunnels(&ta, &tb, DH_ECP_384);
	apply(B(&net), &tb);
	apply(A(&net), &ta);
	assert_int_equal(net.queued, 1); /* inline: IKE_SA_INIT is out at once */
	run_until_up(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.work_offloaded + sb.work_offloaded, 0);
	assert_int_equal(sa.work_inline, 2);
	assert_int_equal(sb.work_inline, 1);
	h_fini(&net);

	/* two tunnels in one change: the second SA's key pair is made while the first
	 * negotiates, so it goes to the worker */
	h_init(&net);
	for (int i = 0; i < 2; i++) {
		ike_set_timing(net.n[i].ike, &fast);
		assert_int_equal(ike_set_workers(net.n[i].ike, 1, 0, 2), 0);
	}
	tunnels(&ta, &tb, DH_ECP_384);
	h_tunnel(&ta2, 2, H_ADDR_A, 0xc6336403u, 0xc6336403u, "other-psk");
	ta2.proposals[0].dh[0] = DH_ECP_384;
	apply(B(&net), &tb);
	apply2(A(&net), &ta, &ta2);
	stats(A(&net), &sa);
	assert_int_equal(sa.work_inline, 1);
	assert_int_equal(sa.work_offloaded, 1);
	assert_int_equal(ike_work_pending(A(&net)->ike), 1);
	h_fini(&net);
}

/* The initiator's SA is cleared while its key pair is being made: the result is dropped and
 * the re-initiated SA comes up. */
static void test_cancel_initiator(void **state)
{
	struct net net;
	pair(&net, 1, 0, 0, DH_ECP_384);
	assert_int_equal(ike_work_pending(A(&net)->ike), 1);
	assert_int_equal(ike_clear(A(&net)->ike, 0), 1);
	/* the SA is gone, its job still runs; the re-initiation is a timer away */
	assert_int_equal(ike_work_pending(A(&net)->ike), 1);
	run_until_up(&net);
	assert_same_keys(&net);
	struct ike_stats sa;
	stats(A(&net), &sa);
	assert_int_equal(sa.work_offloaded, 3); /* the cancelled key pair, then two for the SA up */
	h_fini(&net);
}

/* The responder's half-open SA is cleared while its ECDH runs: no answer leaves for it, the
 * initiator's retransmission makes a new one. */
static void test_cancel_responder(void **state)
{
	struct net net;
	struct ike_stats sb;
	pair(&net, 0, 1, 0, DH_ECP_384);
	size_t sent = B(&net)->sent;
	assert_true(h_step(&net)); /* B takes the request, hands over its ECDH */
	assert_int_equal(B(&net)->sent, sent);
	assert_int_equal(net.queued, 0);
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	stats(B(&net), &sb);
	assert_int_equal(sb.half_open, 1); /* counted against the limits while it computes */
	assert_int_equal(ike_clear(B(&net)->ike, 0), 1);
	run_until_up(&net);
	assert_same_keys(&net);
	stats(B(&net), &sb);
	assert_int_equal(sb.work_offloaded, 2);
	h_fini(&net);
}

/* A copy of the request while the responder computes is dropped, not answered twice. */
static void test_copy_while_computing(void **state)
{
	struct net net;
	struct ike_stats sb;
	pair(&net, 0, 1, 0, DH_ECP_384);
	struct h_pkt *copy = h_copy_head(&net);
	assert_non_null(copy);
	assert_true(h_step(&net));
	h_deliver_copy(&net, copy);
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	struct ike_sa_info i[2];
	assert_int_equal(h_sas(B(&net), i, 2), 1);
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_dropped_msgid, 1);
	run_until_up(&net);
	stats(B(&net), &sb);
	assert_int_equal(sb.work_offloaded, 1);
	h_fini(&net);
}

/* INVALID_KE_PAYLOAD: the new key pair is made on a worker, and the SA comes up with the
 * responder's group. */
static void test_invalid_ke_offloaded(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa;
	start(&net, 1, 1, 0);
	tunnels(&ta, &tb, DH_ECP_384);
	ta.proposals[0].dh[0] = DH_ECP_256; /* A offers 19 first, then 20; B wants 20 */
	ta.proposals[0].dh[1] = DH_ECP_384;
	ta.proposals[0].n_dh = 2;
	apply(B(&net), &tb);
	apply(A(&net), &ta);
	run_until_up(&net);
	assert_same_keys(&net);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(i.dh_group, DH_ECP_384);
	stats(A(&net), &sa);
	assert_int_equal(sa.work_offloaded, 3); /* P-256 pair, P-384 pair, P-384 secret */
	h_fini(&net);
}

/* The engine is freed with jobs queued and running: they are joined and freed (ASan). */
static void test_free_in_flight(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb, t2;
	start(&net, 1, 1, 0);
	tunnels(&ta, &tb, DH_ECP_521);
	apply(B(&net), &tb);
	/* two tunnels, one worker: the second key pair queues behind the first */
	h_tunnel(&t2, 2, H_ADDR_A, 0xc6336403u, 0xc6336403u, "other-psk");
	t2.proposals[0].dh[0] = DH_ECP_521;
	apply2(A(&net), &ta, &t2);
	assert_int_equal(ike_work_pending(A(&net)->ike), 2);
	h_fini(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offloaded_19),         cmocka_unit_test(test_offloaded_20),
	    cmocka_unit_test(test_offloaded_21),         cmocka_unit_test(test_cheap_stays_inline),
	    cmocka_unit_test(test_cancel_initiator),     cmocka_unit_test(test_cancel_responder),
	    cmocka_unit_test(test_copy_while_computing), cmocka_unit_test(test_free_in_flight),
	    cmocka_unit_test(test_invalid_ke_offloaded), cmocka_unit_test(test_lone_setup_inline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
