/*
 * Public-key work off the event loop (ike_work.c): set-ups whose ECDH runs on worker threads,
 * the threshold that keeps cheap operations inline, and SAs that go away while their job runs;
 * ECDH key pairs made ahead (ike_keypool.c) and the early IKE_SA_INIT answer they allow.
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

/* ---- ECDH key pairs made ahead (ike_keypool.c): IKE_SA_INIT sent and answered at once, the
 * responder deriving after its answer, the initiator's IKE_AUTH held until the responder's
 * keys are in, a bad KE refused before answering, refills, an engine freed while refilling */

/* Retransmissions late enough that a loaded machine (CI, sanitizers) causes none. */
static const struct ike_timing slow_retx = {
    .retx_ms = {2000, 4000, 8000}, .n_retx = 3, .holddown_ms = 50, .half_open_ms = 30000};

/* Both engines with a pool of `per_group`, B with `workers_b` workers (taking every job),
 * and every pool full before the test goes on. */
static void pool_start(struct net *net, unsigned per_group, int workers_b)
{
	h_init(net);
	for (int i = 0; i < 2; i++)
		ike_set_timing(net->n[i].ike, &slow_retx);
	if (workers_b)
		assert_int_equal(ike_set_workers(B(net)->ike, (unsigned)workers_b, 0, 0), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(ike_set_keypool(net->n[i].ike, per_group, IKE_KEYPOOL_ALL), 0);
	for (int i = 0; i < 250 && ike_work_pending(B(net)->ike); i++)
		h_idle(net, 20);
	assert_int_equal(ike_work_pending(B(net)->ike), 0);
}

static void pool_up(struct net *net)
{
	for (int i = 0; i < 250 && !(ready(A(net)) && ready(B(net))); i++)
		h_run(net, 20);
	assert_true(ready(A(net)));
	assert_true(ready(B(net)));
}

/* Inline (no workers): the request leaves with a pair made ahead, the answer too, and each
 * side computes only its shared secret during the set-up. */
static void setup_ahead(uint16_t group)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa, sb;
	pool_start(&net, 2, 0);
	tunnels(&ta, &tb, group);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	assert_int_equal(net.queued, 1);
	assert_true(h_step(&net)); /* B answers */
	assert_int_equal(net.queued, 1);
	pool_up(&net);
	assert_same_keys(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.keypool_used, 1);
	assert_int_equal(sb.keypool_used, 1);
	assert_int_equal(sa.keypool_empty + sb.keypool_empty, 0);
	/* one job each, the shared secret (the pairs were made by the pool) */
	assert_int_equal(sa.work_inline, 1);
	assert_int_equal(sb.work_inline, 1);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(i.dh_group, group);
	h_fini(&net);
}

static void test_ahead_19(void **state)
{
	setup_ahead(DH_ECP_256);
}

static void test_ahead_20(void **state)
{
	setup_ahead(DH_ECP_384);
}

static void test_ahead_21(void **state)
{
	setup_ahead(DH_ECP_521);
}

/* B's shared secret is still on its worker when A's IKE_AUTH arrives: the message is held
 * and answered as soon as the keys are in, without a retransmission. */
static void test_auth_held(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa, sb;
	pool_start(&net, 1, 1);
	tunnels(&ta, &tb, DH_ECP_384);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	assert_true(h_step(&net)); /* B answers at once, derives on its worker */
	assert_int_equal(net.queued, 1);
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	assert_true(h_step(&net)); /* A derives inline, sends IKE_AUTH */
	assert_int_equal(net.queued, 1);
	/* the loop has not run: B's secret cannot have been taken yet, whatever the worker did */
	size_t sent = B(&net)->sent;
	assert_true(h_step(&net));
	assert_int_equal(B(&net)->sent, sent); /* held, not answered, not dropped */
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_dropped_msgid, 0);
	assert_int_equal(sb.half_open, 1);
	pool_up(&net);
	assert_same_keys(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.tx_retransmits, 0);
	assert_int_equal(sb.rx_dropped_msgid, 0);
	assert_int_equal(sb.work_offloaded, 1);
	assert_int_equal(sb.keypool_used, 1);
	h_fini(&net);
}

/* What is held is bounded: the 17th copy of IKE_AUTH is dropped; the 16 held are taken in
 * order once the keys are in (the first answered, the copies answered from the cache). */
static void test_hold_bounded(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sb;
	pool_start(&net, 1, 1);
	tunnels(&ta, &tb, DH_ECP_521);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	assert_true(h_step(&net));
	assert_true(h_step(&net)); /* IKE_AUTH queued for B */
	for (int i = 0; i < 16; i++)
		h_deliver_copy(&net, h_copy_head(&net));
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_dropped_msgid, 0);
	assert_true(h_step(&net)); /* the 17th */
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_dropped_msgid, 1);
	pool_up(&net);
	assert_same_keys(&net);
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_retransmits, 15);
	h_fini(&net);
}

/* The SA goes away while IKE_AUTH is held: the held message is freed with it (ASan), the
 * initiator's retransmission meets no SA. */
static void test_held_freed(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	pool_start(&net, 1, 1);
	tunnels(&ta, &tb, DH_ECP_521);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	assert_true(h_step(&net));
	assert_true(h_step(&net));
	assert_true(h_step(&net)); /* IKE_AUTH held */
	assert_int_equal(ike_clear(B(&net)->ike, 0), 1);
	struct ike_stats sb;
	stats(B(&net), &sb);
	assert_int_equal(sb.half_open + sb.established, 0);
	h_idle(&net, 40); /* the cancelled job completes and is only freed */
	h_fini(&net);
}

/* Offset of the first payload of type `type` in an IKE message, or 0. */
static size_t payload_at(const uint8_t *m, size_t len, uint8_t type)
{
	uint8_t next = m[16];
	size_t off = 28;
	while (next && off + 4 <= len) {
		if (next == type)
			return off;
		size_t plen = (size_t)m[off + 2] << 8 | m[off + 3];
		next = m[off];
		if (plen < 4)
			return 0;
		off += plen;
	}
	return 0;
}

/* A KE that is not a point on the curve is refused with INVALID_SYNTAX before any answer,
 * as without the pool: no SA is left, and nothing else is sent. */
static void test_bad_ke_refused(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sb;
	pool_start(&net, 1, 0);
	tunnels(&ta, &tb, DH_ECP_256);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	struct h_pkt *p = h_peek(&net);
	assert_non_null(p);
	size_t ke = payload_at(p->data, p->len, 34);
	assert_true(ke > 0);
	p->data[ke + 8 + 63] ^= 0x01; /* the y coordinate's last byte: off the curve */
	size_t sent = B(&net)->sent;
	assert_true(h_step(&net));
	assert_int_equal(B(&net)->sent, sent + 1);
	const uint8_t *r = B(&net)->last_sent;
	size_t n = payload_at(r, B(&net)->last_len, 41);
	assert_true(n > 0);
	assert_int_equal((r[n + 6] << 8) | r[n + 7], 7); /* INVALID_SYNTAX */
	stats(B(&net), &sb);
	assert_int_equal(sb.half_open + sb.established, 0);
	assert_int_equal(sb.negotiations_failed, 1);
	h_fini(&net);
}

/* INVALID_KE_PAYLOAD: the initiator takes a pair of the responder's group as well; the pools
 * are refilled afterwards (a timer), and a second set-up finds them full again. */
static void test_invalid_ke_and_refill(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa;
	pool_start(&net, 1, 0);
	tunnels(&ta, &tb, DH_ECP_384);
	ta.proposals[0].dh[0] = DH_ECP_256;
	ta.proposals[0].dh[1] = DH_ECP_384;
	ta.proposals[0].n_dh = 2;
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	pool_up(&net);
	assert_same_keys(&net);
	stats(A(&net), &sa);
	assert_int_equal(sa.keypool_used, 2); /* a P-256 pair, then a P-384 one */
	assert_int_equal(sa.keypool_empty, 0);
	/* a second SA after the refill: again no pair made during the set-up */
	h_idle(&net, 60);
	assert_int_equal(ike_clear(A(&net)->ike, 0), 1);
	for (int i = 0; i < 250 && !(ready(A(&net)) && ready(B(&net))); i++)
		h_run(&net, 20);
	assert_true(ready(A(&net)) && ready(B(&net)));
	stats(A(&net), &sa);
	assert_int_equal(sa.keypool_empty, 0);
	assert_true(sa.keypool_used >= 3);
	h_fini(&net);
}

/* An empty pool is no failure: the SA makes its own pair. */
static void test_empty_pool(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb, t2;
	struct ike_stats sa, sb;
	pool_start(&net, 1, 0);
	tunnels(&ta, &tb, DH_ECP_256);
	h_tunnel(&t2, 2, H_ADDR_A, 0xc6336403u, 0xc6336403u, "other-psk");
	/* two tunnels from A in one commit: the second finds the pool empty (refills wait for
	 * the timer) */
	struct ike_cfg_tunnel two[2] = {ta, t2};
	size_t sent = A(&net)->sent;
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), two, 2), 0);
	stats(A(&net), &sa);
	assert_int_equal(sa.keypool_used, 1);
	assert_int_equal(sa.keypool_empty, 1);
	assert_int_equal(A(&net)->sent, sent + 2); /* both requests out at once */
	for (int i = 0; i < 250 && !ready(B(&net)); i++)
		h_run(&net, 20);
	assert_true(ready(B(&net)));
	stats(B(&net), &sb);
	assert_int_equal(sb.keypool_used, 1);
	h_fini(&net);
}

/* Rekeys take pairs made ahead too: a Child SA rekey with PFS and an IKE SA rekey, each
 * side one pair per rekey. */
static void test_rekeys_take_pairs(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa, sb, sa0, sb0;
	pool_start(&net, 2, 0);
	tunnels(&ta, &tb, DH_ECP_256);
	ta.pfs_group = tb.pfs_group = DH_ECP_384;
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	pool_up(&net);
	h_idle(&net, 60); /* the refill */
	stats(A(&net), &sa0);
	stats(B(&net), &sb0);
	assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi), 0);
	h_run(&net, 100);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(ike_rekey_ike(A(&net)->ike, i.session_id), 0);
	h_run(&net, 100);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.child_rekeys, 1);
	assert_int_equal(sa.ike_rekeys, 1);
	assert_int_equal(sa.keypool_used - sa0.keypool_used, 2);
	assert_int_equal(sb.keypool_used - sb0.keypool_used, 2);
	assert_int_equal(sa.keypool_empty + sb.keypool_empty, 0);
	assert_same_keys(&net);
	h_fini(&net);
}

/* ---- a rekey's shared secret on a worker (ike_rekey_dh.c) */

/* Both sides with workers taking every job (and a pool of one pair per group, or none),
 * established with group 19, PFS group 20. */
static void rekey_start(struct net *net, bool pool, struct ike_stats *sa0, struct ike_stats *sb0)
{
	struct ike_cfg_tunnel ta, tb;
	h_init(net);
	for (int i = 0; i < 2; i++) {
		ike_set_timing(net->n[i].ike, &slow_retx);
		assert_int_equal(ike_set_workers(net->n[i].ike, 1, 0, 0), 0);
		if (pool)
			assert_int_equal(ike_set_keypool(net->n[i].ike, 1, IKE_KEYPOOL_ALL), 0);
	}
	tunnels(&ta, &tb, DH_ECP_256);
	ta.pfs_group = tb.pfs_group = DH_ECP_384;
	apply(B(net), &tb);
	apply(A(net), &ta);
	pool_up(net);
	for (int i = 0; i < 150 && ike_work_pending(A(net)->ike) + ike_work_pending(B(net)->ike);
	     i++)
		h_idle(net, 20); /* the refills */
	assert_int_equal(ike_work_pending(A(net)->ike) + ike_work_pending(B(net)->ike), 0);
	stats(A(net), sa0);
	stats(B(net), sb0);
}

/* Runs until neither side has work out or a rekey message on the way (3 s at most). */
static void rekey_settle(struct net *net)
{
	for (int i = 0; i < 150; i++) {
		h_run(net, 20);
		if (!net->queued && !ike_work_pending(A(net)->ike) &&
		    !ike_work_pending(B(net)->ike))
			break;
	}
	assert_int_equal(ike_work_pending(A(net)->ike) + ike_work_pending(B(net)->ike), 0);
}

/* A Child SA rekey with PFS and an IKE SA rekey, the requests' key pairs made ahead: each
 * side's shared secret on its worker (the request waits at the responder, unanswered, until
 * its secret is in), but the IKE SA rekey's initiator's, which takes the answer at once (see
 * test_rekey_ike_answer_inline); the same keys after. */
static void test_rekeys_offloaded(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0, sa, sb;
	rekey_start(&net, true, &sa0, &sb0);

	assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi), 0);
	size_t sent = B(&net)->sent;
	assert_true(h_step(&net)); /* B takes the request: first pass only */
	assert_int_equal(B(&net)->sent, sent);
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	rekey_settle(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.child_rekeys, 1);
	assert_int_equal(sb.child_rekeys, 1);
	assert_int_equal(sa.work_offloaded - sa0.work_offloaded, 1);
	assert_int_equal(sb.work_offloaded - sb0.work_offloaded, 1);
	assert_int_equal(sa.rekeys_failed + sb.rekeys_failed, 0);
	assert_same_keys(&net);

	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(ike_rekey_ike(A(&net)->ike, i.session_id), 0);
	rekey_settle(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.ike_rekeys, 1);
	assert_int_equal(sb.ike_rekeys, 1);
	assert_int_equal(sa.work_offloaded - sa0.work_offloaded, 1);
	assert_int_equal(sb.work_offloaded - sb0.work_offloaded, 2);
	assert_int_equal(sa.work_inline - sa0.work_inline, 0);
	assert_int_equal(sa.rekeys_failed + sb.rekeys_failed, 0);
	assert_int_equal(h_sas(A(&net), &i, 1), 1);
	assert_string_equal(i.state, "READY");
	assert_same_keys(&net);
	h_fini(&net);
}

/* A copy of the rekey request that comes while the first one's secret is on B's worker is
 * held, then answered from the cache; the copy of the answer that reaches A while A's secret
 * is on its worker is held and then dropped as answered. One rekey on each side. */
static void test_rekey_copy_held(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0, sa, sb;
	rekey_start(&net, true, &sa0, &sb0);

	assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi), 0);
	h_deliver_copy(&net, h_copy_head(&net)); /* B defers it */
	assert_true(h_step(&net));               /* the same request again: held */
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_dropped_msgid - sb0.rx_dropped_msgid, 0);
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	for (int i = 0; i < 150 && net.queued < 2; i++)
		h_idle(&net, 20); /* B's secret comes in: the answer, then the cached one */
	assert_int_equal(net.queued, 2);
	stats(B(&net), &sb);
	assert_int_equal(sb.rx_retransmits - sb0.rx_retransmits, 1);
	unsigned pending = ike_work_pending(A(&net)->ike); /* a refill of its pool may be out */
	assert_true(h_step(&net));                         /* A defers the answer */
	assert_int_equal(ike_work_pending(A(&net)->ike), pending + 1);
	assert_true(h_step(&net)); /* its copy: held */
	rekey_settle(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.child_rekeys, 1);
	assert_int_equal(sb.child_rekeys, 1);
	assert_int_equal(sa.rx_dropped_msgid - sa0.rx_dropped_msgid, 1);
	assert_int_equal(sa.rekeys_failed + sb.rekeys_failed, 0);
	assert_same_keys(&net);
	h_fini(&net);
}

/* No pair made ahead: the rekey request waits for its key pair, made on a worker (nothing is
 * sent before), then goes as before; the responder makes its pair and secret in one job. */
static void test_rekey_pair_offloaded(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0, sa, sb;
	rekey_start(&net, false, &sa0, &sb0);
	assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi), 0);
	assert_int_equal(net.queued, 0);
	assert_int_equal(ike_work_pending(A(&net)->ike), 1);
	rekey_settle(&net);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(ike_rekey_ike(A(&net)->ike, i.session_id), 0);
	assert_int_equal(net.queued, 0);
	rekey_settle(&net);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.child_rekeys, 1);
	assert_int_equal(sa.ike_rekeys, 1);
	assert_int_equal(sb.child_rekeys, 1);
	assert_int_equal(sb.ike_rekeys, 1);
	/* A: two pairs and the Child SA's secret; B: pair + secret in one job per rekey */
	assert_int_equal(sa.work_offloaded - sa0.work_offloaded, 3);
	assert_int_equal(sb.work_offloaded - sb0.work_offloaded, 2);
	assert_int_equal(sa.work_inline - sa0.work_inline + sb.work_inline - sb0.work_inline, 0);
	assert_int_equal(sa.rekeys_failed + sb.rekeys_failed, 0);
	assert_same_keys(&net);
	h_fini(&net);
}

/* The responder of an IKE SA rekey may send on the new IKE SA as soon as it answered: here a
 * Child SA rekey right behind its answer. The initiator takes the answer at once, so the new
 * SA is there for it (a deferred answer would meet the request with INVALID_IKE_SPI, and the
 * responder would drop the new SA: checked). */
static void test_rekey_ike_answer_inline(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0, sa, sb;
	rekey_start(&net, true, &sa0, &sb0);
	struct ike_sa_info i;
	h_sas(A(&net), &i, 1);
	assert_int_equal(ike_rekey_ike(A(&net)->ike, i.session_id), 0);
	assert_true(h_step(&net)); /* B defers the request */
	for (int k = 0; k < 150 && !net.queued; k++)
		h_idle(&net, 20);
	assert_int_equal(net.queued, 1); /* B's answer; B's Child SA is on the new IKE SA */
	assert_int_equal(ike_rekey_child(B(&net)->ike, 1, h_live_inst(B(&net))->out.spi), 0);
	assert_int_equal(net.queued, 2);
	rekey_settle(&net);
	h_run(&net, 100);
	stats(A(&net), &sa);
	stats(B(&net), &sb);
	assert_int_equal(sa.rx_dropped_unknown_spi - sa0.rx_dropped_unknown_spi, 0);
	assert_int_equal(sa.ike_rekeys, 1);
	assert_int_equal(sb.ike_rekeys, 1);
	assert_int_equal(sa.child_rekeys, 1);
	assert_int_equal(sb.child_rekeys, 1);
	assert_int_equal(h_sas(A(&net), &i, 1), 1);
	assert_string_equal(i.state, "READY");
	assert_int_equal(h_sas(B(&net), &i, 1), 1);
	assert_string_equal(i.state, "READY");
	assert_same_keys(&net);
	assert_int_equal(A(&net)->downs + B(&net)->downs, 0);
	h_fini(&net);
}

/* Both sides rekey the Child SA at once, every secret on a worker (each side's request and
 * answer): the collision is resolved as without workers, one pair left, the same on both. */
static void test_rekey_collision_offloaded(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0, sa, sb;
	for (int round = 0; round < 4; round++) {
		rekey_start(&net, true, &sa0, &sb0);
		assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi),
		                 0);
		assert_int_equal(ike_rekey_child(B(&net)->ike, 1, h_live_inst(B(&net))->out.spi),
		                 0);
		assert_int_equal(net.queued, 2); /* crossing requests */
		rekey_settle(&net);
		h_run(&net, 100); /* the Deletes */
		stats(A(&net), &sa);
		stats(B(&net), &sb);
		assert_int_equal(sa.rekey_collisions, 1);
		assert_int_equal(sb.rekey_collisions, 1);
		assert_int_equal(sa.work_offloaded - sa0.work_offloaded, 2);
		assert_int_equal(sb.work_offloaded - sb0.work_offloaded, 2);
		assert_int_equal(sa.rekeys_failed + sb.rekeys_failed, 0);
		assert_int_equal(h_live(A(&net)), 1);
		assert_int_equal(h_live(B(&net)), 1);
		assert_same_keys(&net);
		assert_int_equal(A(&net)->downs + B(&net)->downs, 0);
		h_fini(&net);
	}
}

/* B's SA goes (shutdown) while the rekey's secret is on its worker: the held request and the
 * result are freed (ASan), the request is not answered. */
static void test_rekey_sa_gone(void **state)
{
	struct net net;
	struct ike_stats sa0, sb0;
	rekey_start(&net, true, &sa0, &sb0);
	assert_int_equal(ike_rekey_child(A(&net)->ike, 1, h_live_inst(A(&net))->out.spi), 0);
	assert_true(h_step(&net));
	assert_int_equal(ike_work_pending(B(&net)->ike), 1);
	ike_shutdown(B(&net)->ike);
	size_t sent = B(&net)->sent; /* its Delete */
	h_idle(&net, 100);
	assert_int_equal(ike_work_pending(B(&net)->ike), 0);
	assert_int_equal(B(&net)->sent, sent);
	struct ike_stats sb;
	stats(B(&net), &sb);
	assert_int_equal(sb.child_rekeys, 0);
	h_fini(&net);
}

/* The engine freed while refills run on the workers: joined and freed (ASan). */
static void test_free_refilling(void **state)
{
	struct net net;
	h_init(&net);
	assert_int_equal(ike_set_workers(B(&net)->ike, 1, 0, 0), 0);
	assert_int_equal(ike_set_keypool(B(&net)->ike, 4, IKE_KEYPOOL_ALL), 0);
	assert_true(ike_work_pending(B(&net)->ike) > 0);
	assert_int_equal(ike_set_keypool(B(&net)->ike, 4, IKE_KEYPOOL_ALL), -1); /* once */
	assert_int_equal(ike_set_keypool(A(&net)->ike, 0, IKE_KEYPOOL_ALL), -1);
	assert_int_equal(ike_set_keypool(A(&net)->ike, 17, IKE_KEYPOOL_ALL), -1);
	assert_int_equal(ike_set_keypool(A(&net)->ike, 1, 0), -1);
	/* only the groups asked for */
	assert_int_equal(ike_set_keypool(A(&net)->ike, 1, IKE_KEYPOOL_G19), 0);
	assert_null(ike_keypool_take(A(&net)->ike, DH_ECP_384));
	struct dh *k = ike_keypool_take(A(&net)->ike, DH_ECP_256);
	assert_non_null(k);
	dh_free(k);
	h_fini(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offloaded_19),
	    cmocka_unit_test(test_offloaded_20),
	    cmocka_unit_test(test_offloaded_21),
	    cmocka_unit_test(test_cheap_stays_inline),
	    cmocka_unit_test(test_cancel_initiator),
	    cmocka_unit_test(test_cancel_responder),
	    cmocka_unit_test(test_copy_while_computing),
	    cmocka_unit_test(test_free_in_flight),
	    cmocka_unit_test(test_invalid_ke_offloaded),
	    cmocka_unit_test(test_lone_setup_inline),
	    cmocka_unit_test(test_ahead_19),
	    cmocka_unit_test(test_ahead_20),
	    cmocka_unit_test(test_ahead_21),
	    cmocka_unit_test(test_auth_held),
	    cmocka_unit_test(test_held_freed),
	    cmocka_unit_test(test_bad_ke_refused),
	    cmocka_unit_test(test_invalid_ke_and_refill),
	    cmocka_unit_test(test_empty_pool),
	    cmocka_unit_test(test_free_refilling),
	    cmocka_unit_test(test_rekeys_take_pairs),
	    cmocka_unit_test(test_hold_bounded),
	    cmocka_unit_test(test_rekeys_offloaded),
	    cmocka_unit_test(test_rekey_copy_held),
	    cmocka_unit_test(test_rekey_sa_gone),
	    cmocka_unit_test(test_rekey_collision_offloaded),
	    cmocka_unit_test(test_rekey_pair_offloaded),
	    cmocka_unit_test(test_rekey_ike_answer_inline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
