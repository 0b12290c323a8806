/*
 * ECDH key pairs made ahead (ike_keypool.c): IKE_SA_INIT sent and answered at once, the
 * responder deriving after its answer, the initiator's IKE_AUTH held until the responder's
 * keys are in, a bad KE refused before answering, refills, and an engine freed with refills
 * in flight.
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

/* Retransmissions late enough that a loaded machine (CI, sanitizers) causes none. */
static const struct ike_timing slow_retx = {
    .retx_ms = {2000, 4000, 8000}, .n_retx = 3, .holddown_ms = 50, .half_open_ms = 30000};

static void tunnels(struct ike_cfg_tunnel *ta, struct ike_cfg_tunnel *tb, uint16_t group)
{
	h_tunnel(ta, 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, "secret-psk");
	h_tunnel(tb, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, "secret-psk");
	ta->proposals[0].dh[0] = tb->proposals[0].dh[0] = group;
	tb->passive = true;
}

/* Both engines with a pool of `per_group`, B with `workers_b` workers (taking every job),
 * and every pool full before the test goes on. */
static void start(struct net *net, unsigned per_group, int workers_b)
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

static bool ready(struct h_node *n)
{
	struct ike_sa_info i[2];
	return h_sas(n, i, 2) == 1 && strcmp(i[0].state, "READY") == 0;
}

static void run_until_up(struct net *net)
{
	for (int i = 0; i < 250 && !(ready(A(net)) && ready(B(net))); i++)
		h_run(net, 20);
	assert_true(ready(A(net)));
	assert_true(ready(B(net)));
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

/* Inline (no workers): the request leaves with a pair made ahead, the answer too, and each
 * side computes only its shared secret during the set-up. */
static void setup_ahead(uint16_t group)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa, sb;
	start(&net, 2, 0);
	tunnels(&ta, &tb, group);
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	assert_int_equal(net.queued, 1);
	assert_true(h_step(&net)); /* B answers */
	assert_int_equal(net.queued, 1);
	run_until_up(&net);
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
	start(&net, 1, 1);
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
	run_until_up(&net);
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
	start(&net, 1, 1);
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
	run_until_up(&net);
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
	start(&net, 1, 1);
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
	start(&net, 1, 0);
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
	start(&net, 1, 0);
	tunnels(&ta, &tb, DH_ECP_384);
	ta.proposals[0].dh[0] = DH_ECP_256;
	ta.proposals[0].dh[1] = DH_ECP_384;
	ta.proposals[0].n_dh = 2;
	assert_int_equal(h_apply(B(&net), &tb, 1), 0);
	assert_int_equal(h_apply(A(&net), &ta, 1), 0);
	run_until_up(&net);
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
	start(&net, 1, 0);
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
	    cmocka_unit_test(test_ahead_19),
	    cmocka_unit_test(test_ahead_20),
	    cmocka_unit_test(test_ahead_21),
	    cmocka_unit_test(test_auth_held),
	    cmocka_unit_test(test_held_freed),
	    cmocka_unit_test(test_bad_ke_refused),
	    cmocka_unit_test(test_invalid_ke_and_refill),
	    cmocka_unit_test(test_empty_pool),
	    cmocka_unit_test(test_free_refilling),
	    cmocka_unit_test(test_hold_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
