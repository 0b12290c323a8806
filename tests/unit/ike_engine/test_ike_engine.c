/*
 * Two IKE engines through a mock network, asserting state after every message.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "ike/ike_int.h"
#include "ike/msg.h"
#include "util/log.h"

#define A(net) (&(net)->n[0])
#define B(net) (&(net)->n[1])

static const struct ike_timing fast = {
    .retx_ms = {20, 40, 80}, .n_retx = 3, .holddown_ms = 300, .half_open_ms = 500};

static void apply(struct h_node *n, const struct ike_cfg_tunnel *t)
{
	assert_int_equal(h_apply(n, t, t ? 1 : 0), 0);
}

/* A initiates to B (passive) with the given tunnels. */
static void setup_pair(struct net *net, struct ike_cfg_tunnel *ta, struct ike_cfg_tunnel *tb)
{
	tb->passive = true;
	apply(B(net), tb);
	apply(A(net), ta);
}

static void default_tunnels(struct ike_cfg_tunnel *ta, struct ike_cfg_tunnel *tb)
{
	h_tunnel(ta, 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, "secret-psk");
	h_tunnel(tb, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, "secret-psk");
}

static size_t one_sa(struct h_node *n, struct ike_sa_info *info)
{
	return h_sas(n, info, 1);
}

static void assert_state(struct h_node *n, const char *state)
{
	struct ike_sa_info i[4];
	size_t k = h_sas(n, i, 4);
	assert_true(k >= 1);
	assert_string_equal(i[0].state, state);
}

static void assert_crossed(struct net *net)
{
	const struct h_inst *a = h_last_inst(A(net)), *b = h_last_inst(B(net));
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->out.spi, b->in.spi);
	assert_int_equal(a->in.spi, b->out.spi);
	assert_ptr_equal(a->out.encr, b->in.encr);
	assert_ptr_equal(a->out.integ, b->in.integ);
	assert_ptr_equal(a->in.encr, b->out.encr);
	assert_memory_equal(a->out.encr_key, b->in.encr_key, a->out.encr->key_len);
	assert_memory_equal(a->in.encr_key, b->out.encr_key, a->in.encr->key_len);
	if (a->out.integ) {
		assert_memory_equal(a->out.integ_key, b->in.integ_key, a->out.integ->key_len);
		assert_memory_equal(a->in.integ_key, b->out.integ_key, a->in.integ->key_len);
	}
	/* the two directions use different keys */
	assert_memory_not_equal(a->out.encr_key, a->in.encr_key, a->out.encr->key_len);
	assert_true(a->in.inbound);
	assert_false(a->out.inbound);
	assert_int_equal(a->out.tunnel_id, 1);
	assert_int_equal(a->out.local_addr, b->in.remote_addr);
}

/* ---- happy path, one message at a time ---- */
static void test_up_stepwise(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia, ib;
	h_init(&net);
	default_tunnels(&ta, &tb);
	setup_pair(&net, &ta, &tb);

	assert_int_equal(net.queued, 1); /* IKE_SA_INIT request */
	assert_int_equal(one_sa(A(&net), &ia), 1);
	assert_string_equal(ia.state, "INIT-SENT");
	assert_string_equal(ia.status, "IN-NEG");
	assert_int_equal(one_sa(B(&net), &ib), 0);

	assert_true(h_step(&net)); /* B answers IKE_SA_INIT */
	assert_int_equal(one_sa(B(&net), &ib), 1);
	assert_string_equal(ib.state, "INIT-DONE");
	assert_false(ib.initiator);
	assert_int_equal(net.queued, 1);

	assert_true(h_step(&net)); /* A: keys, sends IKE_AUTH */
	assert_state(A(&net), "AUTH-SENT");
	assert_int_equal(net.queued, 1);
	assert_int_equal(h_peek(&net)->dport, 500); /* no NAT: stays on 500 */

	assert_true(h_step(&net)); /* B: verifies, installs, answers */
	assert_state(B(&net), "READY");
	assert_int_equal(h_live(B(&net)), 1);
	assert_int_equal(B(&net)->inst_at_send, 1); /* installed before the answer left */
	assert_int_equal(B(&net)->up, 1);
	assert_int_equal(h_live(A(&net)), 0);

	assert_true(h_step(&net)); /* A: verifies, installs */
	assert_state(A(&net), "READY");
	assert_int_equal(h_live(A(&net)), 1);
	assert_int_equal(A(&net)->up, 1);
	assert_false(h_step(&net));
	assert_crossed(&net);
	assert_int_equal(h_last_inst(A(&net))->in.natt_local_port, 0);

	one_sa(A(&net), &ia);
	one_sa(B(&net), &ib);
	assert_string_equal(ia.status, "UP-ACTIVE");
	assert_string_equal(ib.status, "UP-ACTIVE");
	assert_string_equal(ia.description, "Negotiation done");
	assert_true(ia.initiator);
	assert_memory_equal(ia.spi_local, ib.spi_remote, 8);
	assert_memory_equal(ia.spi_remote, ib.spi_local, 8);
	assert_string_equal(ia.encr, "AES-CBC");
	assert_int_equal(ia.keysize, 256);
	assert_int_equal(ia.dh_group, 19);
	assert_string_equal(ia.local_id, "198.51.100.1");
	assert_string_equal(ia.remote_id, "198.51.100.2");
	assert_string_equal(ib.remote_id, "198.51.100.1");
	assert_int_equal(ia.n_child, 1);
	assert_int_equal(ia.child[0].spi_in, ib.child[0].spi_out);
	assert_string_equal(ia.child[0].local_sel, "0.0.0.0/0 - 255.255.255.255/65535");
	assert_string_equal(ia.auth_sign, "PSK");

	struct ike_stats st;
	ike_get_stats(A(&net)->ike, &st);
	assert_int_equal(st.established, 1);
	assert_int_equal(st.half_open, 0);
	assert_int_equal(st.child_sas, 1);
	h_fini(&net);
}

/* ---- retransmitted requests are answered from the cache, byte for byte ---- */
static void test_retransmit_cache(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	setup_pair(&net, &ta, &tb);

	struct h_pkt *p = h_peek(&net);
	uint8_t *init = malloc(p->len);
	size_t init_len = p->len;
	memcpy(init, p->data, p->len);
	assert_true(h_step(&net)); /* B answers */
	size_t r1_len = B(&net)->last_len;
	uint8_t *r1 = malloc(r1_len);
	memcpy(r1, B(&net)->last_sent, r1_len);
	ike_input(B(&net)->ike, init, init_len, htonl(H_ADDR_B), 500, htonl(H_ADDR_A), 500);
	assert_int_equal(B(&net)->last_len, r1_len);
	assert_memory_equal(B(&net)->last_sent, r1, r1_len);
	struct ike_sa_info ib[4];
	assert_int_equal(h_sas(B(&net), ib, 4), 1); /* no second SA */

	h_drop_queue(&net); /* drop both copies of the response ... */
	ike_input(B(&net)->ike, init, init_len, htonl(H_ADDR_B), 500, htonl(H_ADDR_A), 500);
	assert_true(h_step(&net)); /* ... and use a third one */
	p = h_peek(&net);          /* IKE_AUTH request */
	uint8_t *auth = malloc(p->len);
	size_t auth_len = p->len;
	memcpy(auth, p->data, p->len);
	assert_true(h_step(&net));
	size_t r2_len = B(&net)->last_len;
	uint8_t *r2 = malloc(r2_len);
	memcpy(r2, B(&net)->last_sent, r2_len);
	ike_input(B(&net)->ike, auth, auth_len, htonl(H_ADDR_B), 500, htonl(H_ADDR_A), 500);
	assert_int_equal(B(&net)->last_len, r2_len);
	assert_memory_equal(B(&net)->last_sent, r2, r2_len);
	assert_int_equal(h_live(B(&net)), 1); /* not installed twice */

	struct ike_stats st;
	ike_get_stats(B(&net)->ike, &st);
	assert_int_equal(st.rx_retransmits, 3);
	h_pump(&net, 10);
	assert_state(A(&net), "READY");
	assert_crossed(&net);
	free(init);
	free(auth);
	free(r1);
	free(r2);
	h_fini(&net);
}

/* ---- proposal matrix ---- */
struct mrow {
	struct ike_cfg_proposal a[2], b[2];
	size_t na, nb;
	struct ike_cfg_esp esp_a, esp_b;
	const char *encr;
	uint16_t bits;
	const char *prf, *integ;
	uint16_t dh;
	const char *child_encr;
	const char *child_hmac;
};

#define P(e, k, i, p, d)                                                                           \
	{                                                                                          \
		.encr = {e}, .encr_bits = {k}, .n_encr = 1, .integ = {i}, .n_integ = (i) ? 1 : 0,  \
		.prf = {p}, .n_prf = 1, .dh = {d}, .n_dh = 1                                       \
	}
#define CBC ENCR_AES_CBC
#define GCM ENCR_AES_GCM_16
#define ESP_CBC(k, i)                                                                              \
	{                                                                                          \
		"t", CBC, k, i                                                                     \
	}
#define ESP_GCM(k)                                                                                 \
	{                                                                                          \
		"t", GCM, k, AUTH_NONE                                                             \
	}

static const struct mrow matrix[] = {
    {{P(CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 19)},
     {P(CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 19)},
     1,
     1,
     ESP_CBC(128, AUTH_HMAC_SHA1_96),
     ESP_CBC(128, AUTH_HMAC_SHA1_96),
     "AES-CBC",
     128,
     "SHA1",
     "SHA1",
     19,
     "AES-CBC",
     "HMAC_SHA1"},
    {{P(CBC, 192, AUTH_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256, 20)},
     {P(CBC, 192, AUTH_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256, 20)},
     1,
     1,
     ESP_CBC(192, AUTH_HMAC_SHA2_256_128),
     ESP_CBC(192, AUTH_HMAC_SHA2_256_128),
     "AES-CBC",
     192,
     "SHA256",
     "SHA256",
     20,
     "AES-CBC",
     NULL},
    {{P(CBC, 256, AUTH_HMAC_SHA2_384_192, PRF_HMAC_SHA2_384, 21)},
     {P(CBC, 256, AUTH_HMAC_SHA2_384_192, PRF_HMAC_SHA2_384, 21)},
     1,
     1,
     ESP_CBC(256, AUTH_HMAC_SHA2_384_192),
     ESP_CBC(256, AUTH_HMAC_SHA2_384_192),
     "AES-CBC",
     256,
     "SHA384",
     "SHA384",
     21,
     "AES-CBC",
     NULL},
    {{P(CBC, 256, AUTH_HMAC_SHA2_512_256, PRF_HMAC_SHA2_512, 19)},
     {P(CBC, 256, AUTH_HMAC_SHA2_512_256, PRF_HMAC_SHA2_512, 19)},
     1,
     1,
     ESP_CBC(256, AUTH_HMAC_SHA2_512_256),
     ESP_CBC(256, AUTH_HMAC_SHA2_512_256),
     "AES-CBC",
     256,
     "SHA512",
     "SHA512",
     19,
     "AES-CBC",
     NULL},
    {{P(GCM, 128, 0, PRF_HMAC_SHA2_256, 20)},
     {P(GCM, 128, 0, PRF_HMAC_SHA2_256, 20)},
     1,
     1,
     ESP_GCM(128),
     ESP_GCM(128),
     "AES-GCM",
     128,
     "SHA256",
     "None",
     20,
     "AES-GCM",
     "None"},
    {{P(GCM, 256, 0, PRF_HMAC_SHA2_384, 21)},
     {P(GCM, 256, 0, PRF_HMAC_SHA2_384, 21)},
     1,
     1,
     ESP_GCM(256),
     ESP_GCM(256),
     "AES-GCM",
     256,
     "SHA384",
     "None",
     21,
     "AES-GCM",
     "None"},
    /* preference: the initiator's first proposal wins when the responder accepts both */
    {{P(GCM, 256, 0, PRF_HMAC_SHA2_384, 20), P(CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 20)},
     {P(CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 20), P(GCM, 256, 0, PRF_HMAC_SHA2_384, 20)},
     2,
     2,
     ESP_GCM(256),
     ESP_GCM(256),
     "AES-GCM",
     256,
     "SHA384",
     "None",
     20,
     "AES-GCM",
     "None"},
    /* the responder only takes the second proposal, whose group differs: INVALID_KE retry */
    {{P(CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 19), P(GCM, 256, 0, PRF_HMAC_SHA2_384, 20)},
     {P(GCM, 256, 0, PRF_HMAC_SHA2_384, 20)},
     2,
     1,
     ESP_CBC(256, AUTH_HMAC_SHA2_256_128),
     ESP_CBC(256, AUTH_HMAC_SHA2_256_128),
     "AES-GCM",
     256,
     "SHA384",
     "None",
     20,
     "AES-CBC",
     "HMAC_SHA_256"},
};

static void run_row(const struct mrow *r)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia, ib;
	h_init(&net);
	default_tunnels(&ta, &tb);
	memcpy(ta.proposals, r->a, sizeof(r->a));
	ta.n_proposals = r->na;
	memcpy(tb.proposals, r->b, sizeof(r->b));
	tb.n_proposals = r->nb;
	ta.esp[0] = r->esp_a;
	tb.esp[0] = r->esp_b;
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20);
	assert_int_equal(one_sa(A(&net), &ia), 1);
	assert_int_equal(one_sa(B(&net), &ib), 1);
	assert_string_equal(ia.state, "READY");
	assert_string_equal(ib.state, "READY");
	assert_string_equal(ia.encr, r->encr);
	assert_int_equal(ia.keysize, r->bits);
	assert_string_equal(ia.prf, r->prf);
	assert_string_equal(ia.integ, r->integ);
	assert_int_equal(ia.dh_group, r->dh);
	assert_string_equal(ib.encr, r->encr);
	assert_int_equal(ib.dh_group, r->dh);
	assert_string_equal(ia.child[0].encr, r->child_encr);
	if (r->child_hmac)
		assert_string_equal(ia.child[0].hmac, r->child_hmac);
	assert_crossed(&net);
	h_fini(&net);
}

static void test_proposal_matrix(void **state)
{
	for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++)
		run_row(&matrix[i]);
}

/* ---- failures ---- */
static void test_wrong_psk(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia;
	struct ike_stats sa_, sb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	tb.psk_local.ptr = tb.psk_remote.ptr = (uint8_t *)"other-psk";
	tb.psk_local.len = tb.psk_remote.len = 9;
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20);
	assert_int_equal(A(&net)->n_inst, 0);
	assert_int_equal(B(&net)->n_inst, 0);
	ike_get_stats(A(&net)->ike, &sa_);
	ike_get_stats(B(&net)->ike, &sb);
	assert_int_equal(sb.auth_failed, 1);
	assert_int_equal(sa_.auth_failed, 1);
	assert_int_equal(sa_.established + sb.established, 0);
	assert_int_equal(one_sa(A(&net), &ia), 1);
	assert_string_equal(ia.status, "DELETED");
	assert_non_null(strstr(ia.description, "AUTHENTICATION_FAILED"));
	h_fini(&net);
}

static void test_no_common_proposal(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_stats sa_, sb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	h_prop(&ta.proposals[0], CBC, 128, AUTH_HMAC_SHA1_96, PRF_HMAC_SHA1, 19);
	h_prop(&tb.proposals[0], GCM, 256, 0, PRF_HMAC_SHA2_384, 19);
	setup_pair(&net, &ta, &tb);
	assert_int_equal(h_pump(&net, 20), 2);
	ike_get_stats(A(&net)->ike, &sa_);
	ike_get_stats(B(&net)->ike, &sb);
	assert_int_equal(sa_.no_proposal, 1);
	assert_int_equal(sb.no_proposal, 1);
	assert_int_equal(sb.half_open + sb.established, 0); /* responder kept no state */
	assert_int_equal(sa_.half_open + sa_.established, 0);
	h_fini(&net);
}

static void test_esp_no_common_proposal(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	tb.esp[0] = (struct ike_cfg_esp)ESP_GCM(128);
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20); /* IKE up, Child refused, A deletes the useless IKE SA */
	assert_int_equal(A(&net)->n_inst + B(&net)->n_inst, 0);
	struct ike_stats sa_, sb;
	ike_get_stats(A(&net)->ike, &sa_);
	ike_get_stats(B(&net)->ike, &sb);
	assert_int_equal(sa_.established + sb.established, 0);
	assert_int_equal(sb.no_proposal, 1);
	h_fini(&net);
}

static void test_unknown_peer(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	tb.remote_addr = htonl(0xcb007199); /* B expects someone else */
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20);
	struct ike_stats sa_, sb;
	ike_get_stats(A(&net)->ike, &sa_);
	ike_get_stats(B(&net)->ike, &sb);
	assert_int_equal(sb.rx_dropped_unknown_peer, 1);
	assert_int_equal(sb.half_open, 0);
	assert_int_equal(sa_.half_open, 0);
	assert_int_equal(sa_.negotiations_failed, 1);
	h_fini(&net);
}

static void test_peer_never_answers(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia;
	h_init(&net);
	ike_set_timing(A(&net)->ike, &fast);
	default_tunnels(&ta, &tb);
	net.drop[0] = true;
	apply(A(&net), &ta);
	h_run(&net, 10);
	assert_int_equal(A(&net)->sent, 1); /* only the first: retransmissions after 20 ms */
	h_run(&net, 200);                   /* sent at 0, 20, 60; given up at 140 */
	assert_int_equal(A(&net)->sent, 3);
	struct ike_stats st;
	ike_get_stats(A(&net)->ike, &st);
	assert_int_equal(st.tx_retransmits, 2);
	assert_int_equal(st.negotiations_failed, 1);
	assert_int_equal(one_sa(A(&net), &ia), 1);
	assert_string_equal(ia.status, "DELETED");
	assert_string_equal(ia.description, "Retransmission timeout");
	h_run(&net, 250); /* hold-down (300 ms after 140) over: re-initiated at ~440 ms */
	assert_in_range(A(&net)->sent, 4, 5);
	assert_int_equal(one_sa(A(&net), &ia), 1);
	assert_string_equal(ia.state, "INIT-SENT");
	assert_int_equal(ia.ike_sa_id, 2);
	h_fini(&net);
}

static void up_pair(struct net *net)
{
	struct ike_cfg_tunnel ta, tb;
	default_tunnels(&ta, &tb);
	setup_pair(net, &ta, &tb);
	h_pump(net, 20);
	assert_int_equal(h_live(A(net)), 1);
	assert_int_equal(h_live(B(net)), 1);
}

static void test_garbage(void **state)
{
	struct net net;
	h_init(&net);
	up_pair(&net);
	struct ike *b = B(&net)->ike;
	uint32_t la = htonl(H_ADDR_B), ra = htonl(H_ADDR_A);
	uint8_t junk[200];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	struct ike_stats s0, s1;
	ike_get_stats(b, &s0);
	ike_input(b, junk, sizeof(junk), la, 500, ra, 500);
	ike_input(b, junk, 3, la, 500, ra, 500);
	ike_input(b, NULL, 0, la, 500, ra, 500);
	/* A's last message (the IKE_AUTH request) truncated and replayed */
	uint8_t *last = A(&net)->last_sent;
	size_t n = A(&net)->last_len;
	ike_input(b, last, n - 5, la, 500, ra, 500);
	ike_get_stats(b, &s1);
	assert_int_equal(s1.rx_dropped_malformed - s0.rx_dropped_malformed, 4);
	/* unknown SPI */
	uint8_t copy[2048];
	memcpy(copy, last, n);
	copy[9] ^= 0x01; /* SPIr changes */
	ike_input(b, copy, n, la, 500, ra, 500);
	ike_get_stats(b, &s1);
	assert_int_equal(s1.rx_dropped_unknown_spi - s0.rx_dropped_unknown_spi, 1);
	/* a request for an unknown IKE SA gets one unprotected INVALID_IKE_SPI (issue 6) */
	assert_int_equal(net.queued, 1);
	assert_int_equal(h_peek(&net)->data[16], PL_NOTIFY);
	h_drop_queue(&net);
	/* a corrupted ICV with a fresh message id */
	memcpy(copy, last, n);
	copy[23] = 2; /* message id 2: the next one B expects */
	copy[n - 1] ^= 0x55;
	ike_input(b, copy, n, la, 500, ra, 500);
	ike_get_stats(b, &s1);
	assert_int_equal(s1.rx_dropped_integrity - s0.rx_dropped_integrity, 1);
	/* an old message id far outside the window */
	memcpy(copy, last, n);
	copy[20] = 0x40;
	ike_input(b, copy, n, la, 500, ra, 500);
	ike_get_stats(b, &s1);
	assert_int_equal(s1.rx_dropped_msgid - s0.rx_dropped_msgid, 1);
	assert_int_equal(net.queued, 0); /* nothing answered */
	assert_state(B(&net), "READY");
	assert_int_equal(h_live(B(&net)), 1);
	h_fini(&net);
}

static void test_nat(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia, ib;
	h_init(&net);
	net.nat = true;
	default_tunnels(&ta, &tb);
	tb.remote_addr = htonl(H_ADDR_NAT); /* B sees A behind the NAT; A's ID is still its own */
	setup_pair(&net, &ta, &tb);
	assert_true(h_step(&net));
	assert_true(h_step(&net));
	assert_int_equal(h_peek(&net)->dport, 4500);  /* IKE_AUTH floats to 4500 */
	assert_int_equal(h_peek(&net)->sport, 14500); /* via the NAT */
	h_pump(&net, 20);
	assert_int_equal(h_live(A(&net)), 1);
	assert_int_equal(h_live(B(&net)), 1);
	const struct h_inst *a = h_last_inst(A(&net)), *b = h_last_inst(B(&net));
	assert_int_equal(a->out.natt_local_port, 4500);
	assert_int_equal(a->out.natt_remote_port, 4500);
	assert_int_equal(b->out.natt_local_port, 4500);
	assert_int_equal(b->out.natt_remote_port, 14500);
	assert_int_equal(b->out.remote_addr, htonl(H_ADDR_NAT));
	assert_int_equal(a->out.spi, b->in.spi);
	one_sa(A(&net), &ia);
	one_sa(B(&net), &ib);
	assert_true(ia.nat_local);
	assert_false(ia.nat_remote);
	assert_true(ib.nat_remote);
	assert_int_equal(ia.local_port, 4500);
	assert_int_equal(ib.remote_port, 14500);
	/* INFORMATIONAL over the new path still works */
	assert_int_equal(ike_clear(A(&net)->ike, 0), 1);
	h_pump(&net, 4);
	assert_int_equal(h_live(B(&net)), 0);
	h_fini(&net);
}

/* nat force-encap on either side, no NAT: both float to 4500 and the Child SAs are ESP in
 * UDP; the forcing side's peer sees a NAT in front of it, neither sees one of its own. */
static void test_force_encap(void **state)
{
	for (int side = 0; side < 2; side++) {
		struct net net;
		struct ike_cfg_tunnel ta, tb;
		struct ike_sa_info ia, ib;
		h_init(&net);
		default_tunnels(&ta, &tb);
		(side ? &tb : &ta)->force_encap = true;
		setup_pair(&net, &ta, &tb);
		assert_true(h_step(&net));
		assert_true(h_step(&net));
		assert_int_equal(h_peek(&net)->dport, 4500); /* IKE_AUTH floats to 4500 */
		h_pump(&net, 20);
		const struct h_inst *a = h_last_inst(A(&net)), *b = h_last_inst(B(&net));
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(a->out.natt_remote_port, 4500);
		assert_int_equal(b->out.natt_remote_port, 4500);
		assert_int_equal(a->in.natt_local_port, 4500);
		one_sa(A(&net), &ia);
		one_sa(B(&net), &ib);
		assert_false(ia.nat_local || ib.nat_local);
		assert_true(side ? ia.nat_remote : ib.nat_remote);
		assert_int_equal(ia.local_port, 4500);
		assert_int_equal(ib.local_port, 4500);
		h_fini(&net);
	}
	/* and without it, over the same path: no float */
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	default_tunnels(&ta, &tb);
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20);
	assert_int_equal(h_last_inst(A(&net))->out.natt_remote_port, 0);
	h_fini(&net);
}

static void test_simultaneous(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	struct ike_sa_info ia[4], ib[4];
	h_init(&net);
	default_tunnels(&ta, &tb);
	apply(B(&net), &tb);
	apply(A(&net), &ta);
	assert_int_equal(net.queued, 2); /* both initiate */
	h_run(&net, 200);
	/* the winner's pair replaces the loser's only once the peer has it */
	assert_int_equal(A(&net)->blind_moves + B(&net)->blind_moves, 0);
	assert_int_equal(h_sas(A(&net), ia, 4), 1);
	assert_int_equal(h_sas(B(&net), ib, 4), 1);
	assert_string_equal(ia[0].status, "UP-ACTIVE");
	assert_string_equal(ib[0].status, "UP-ACTIVE");
	assert_memory_equal(ia[0].spi_local, ib[0].spi_remote, 8);
	assert_int_equal(ia[0].initiator, !ib[0].initiator);
	assert_int_equal(A(&net)->up, 1);
	assert_int_equal(ia[0].child[0].spi_in, ib[0].child[0].spi_out);
	/* both send on the surviving pair at once; the loser's pair lingers (packets in flight) */
	assert_int_equal(A(&net)->cur_out, ia[0].child[0].spi_out);
	assert_int_equal(B(&net)->cur_out, ib[0].child[0].spi_out);
	h_run(&net, 1200);
	assert_int_equal(h_live(A(&net)), 1);
	assert_int_equal(h_live(B(&net)), 1);
	/* the surviving pair is the data plane's: A's live SA matches B's live SA */
	const struct h_inst *la = NULL, *lb = NULL;
	for (size_t i = 0; i < A(&net)->n_inst; i++)
		if (!A(&net)->inst[i].removed)
			la = &A(&net)->inst[i];
	for (size_t i = 0; i < B(&net)->n_inst; i++)
		if (!B(&net)->inst[i].removed)
			lb = &B(&net)->inst[i];
	assert_int_equal(la->out.spi, lb->in.spi);
	h_run(&net, 100); /* stable: no flapping */
	assert_int_equal(h_sas(A(&net), ia, 4), 1);
	assert_int_equal(h_live(A(&net)), 1);
	h_fini(&net);
}

/* Duplicates where one IKE SA is already up when the other's IKE_AUTH arrives (A's first
 * IKE_SA_INIT was lost, its retransmission comes after B's IKE SA is up): whichever wins, no
 * side moves its traffic onto a Child SA its peer has not installed yet. */
static void test_simultaneous_late(void **state)
{
	for (int round = 0; round < 8; round++) {
		struct net net;
		struct ike_cfg_tunnel ta, tb;
		h_init(&net);
		default_tunnels(&ta, &tb);
		net.drop[0] = true;
		apply(A(&net), &ta);
		net.drop[0] = false;
		apply(B(&net), &tb);
		h_pump(&net, 20);
		h_run(&net, 3000);
		struct ike_sa_info ia[4];
		assert_int_equal(h_sas(A(&net), ia, 4), 1);
		assert_int_equal(h_live(A(&net)), 1);
		assert_int_equal(h_live(B(&net)), 1);
		assert_int_equal(A(&net)->blind_moves + B(&net)->blind_moves, 0);
		h_fini(&net);
	}
}

static void test_delete_and_config_diff(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	up_pair(&net);
	default_tunnels(&ta, &tb);
	/* unchanged config: untouched */
	apply(A(&net), &ta);
	assert_int_equal(net.queued, 0);
	/* removed: Delete sent, both sides drop everything */
	apply(A(&net), NULL);
	assert_int_equal(net.queued, 1);
	assert_state(A(&net), "DELETING");
	assert_true(h_step(&net));
	assert_int_equal(h_live(B(&net)), 0);
	assert_int_equal(B(&net)->up, 0);
	assert_true(h_step(&net));
	assert_int_equal(h_live(A(&net)), 0);
	assert_int_equal(A(&net)->up, 0);
	struct ike_stats st;
	ike_get_stats(A(&net)->ike, &st);
	assert_int_equal(st.established + st.half_open, 0);
	/* added again: initiated */
	apply(A(&net), &ta);
	assert_int_equal(net.queued, 1);
	h_pump(&net, 20);
	assert_int_equal(h_live(A(&net)), 1);
	uint32_t old_spi = h_last_inst(A(&net))->in.spi;
	/* changed (other transform set): re-established with new SPIs */
	ta.esp[0] = (struct ike_cfg_esp)ESP_GCM(256);
	tb.esp[1] = (struct ike_cfg_esp)ESP_GCM(256);
	tb.n_esp = 2;
	tb.passive = true;
	apply(B(&net), &tb);
	apply(A(&net), &ta);
	h_pump(&net, 20);
	assert_int_equal(h_live(A(&net)), 1);
	assert_int_equal(h_live(B(&net)), 1);
	assert_int_not_equal(h_last_inst(A(&net))->in.spi, old_spi);
	assert_int_equal(h_last_inst(A(&net))->in.encr->id, ENCR_AES_GCM_16);
	assert_crossed(&net);
	h_fini(&net);
}

/* A tunnel whose configuration changed on one side: the old IKE SA's Delete reaches the peer
 * only after the new SA is up (it went by another path, UDP 4500 through the data plane, while
 * the new IKE_SA_INIT took UDP 500), the peer has dropped the old SA for the new one's
 * INITIAL_CONTACT and answers the Delete with INVALID_IKE_SPI. That answer completes the
 * Delete (no "peer restarted"), and the old SA's Child SA going does not take down the link
 * the new one holds (both failed: netns_force_encap, once). */
static void test_changed_delete_overtaken(void **state)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	up_pair(&net);
	h_idle(&net, 5); /* INITIAL_CONTACT drops SAs established before the new one began */
	default_tunnels(&ta, &tb);
	ta.esp[1] = (struct ike_cfg_esp){"ts2", ENCR_AES_GCM_16, 256, 0};
	ta.n_esp = 2; /* changed on A only; B still takes it */
	int downs = A(&net)->downs;
	apply(A(&net), &ta);
	assert_int_equal(net.queued, 2); /* the old SA's Delete, the new IKE_SA_INIT */
	struct h_pkt *del = h_copy_head(&net);
	struct h_pkt *head = net.head; /* held back: unlinked, freed */
	net.head = head->next;
	net.queued--;
	free(head->data);
	free(head);
	h_pump(&net, 20); /* the new SA comes up */
	assert_int_equal(A(&net)->up, 1);
	struct ike_sa_info ib[2];
	assert_int_equal(h_sas(B(&net), ib, 2), 1); /* the old one dropped for INITIAL_CONTACT */
	h_deliver_copy(&net, del);                  /* the Delete at last: INVALID_IKE_SPI */
	h_pump(&net, 20);
	struct ike_sa_info ia[2];
	assert_int_equal(h_sas(A(&net), ia, 2), 1);
	assert_string_equal(ia[0].state, "READY");
	assert_int_equal(A(&net)->up, 1);
	assert_int_equal(A(&net)->downs, downs);
	assert_int_equal(h_live(A(&net)), 1);
	struct ike_stats st;
	ike_get_stats(A(&net)->ike, &st);
	assert_int_equal(st.dpd_dead, 0);
	assert_crossed(&net);
	h_fini(&net);
}

/* The tunnel index by id: many tunnels added in a scrambled order, half removed, one changed
 * while its old SA is still deleting (the old tunnel stays, removed, until its SAs are gone). */
static void test_tunnel_index(void **state)
{
	enum {
		N = 300
	};
	static struct ike_cfg_tunnel ts[N];
	struct net net;
	h_init(&net);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t id = (i * 7919u) % 1000u + 2; /* distinct, not in order, never 1 */
		h_tunnel(&ts[i], id, H_ADDR_A + 2 + i, H_ADDR_B + 2 + i, H_ADDR_B + 2 + i, "k");
		ts[i].passive = true;
	}
	assert_int_equal(h_apply(A(&net), ts, N), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct ike_tunnel *t = ike_tunnel_by_id(A(&net)->ike, ts[i].tunnel_id);
		assert_non_null(t);
		assert_int_equal(t->cfg.local_addr, ts[i].local_addr);
	}
	assert_null(ike_tunnel_by_id(A(&net)->ike, 1));
	assert_int_equal(h_apply(A(&net), ts + N / 2, N - N / 2), 0); /* the first half goes */
	for (uint32_t i = 0; i < N; i++)
		assert_true((ike_tunnel_by_id(A(&net)->ike, ts[i].tunnel_id) != NULL) ==
		            (i >= N / 2));
	/* every third of the rest changed in one commit: replaced, the others kept, nothing
	 * left over in the engine's list (the removed ones had no SAs: freed at once) */
	for (uint32_t i = N / 2; i < N; i += 3)
		ts[i].ike_lifetime_s = 3600;
	assert_int_equal(h_apply(A(&net), ts + N / 2, N - N / 2), 0);
	for (uint32_t i = N / 2; i < N; i++) {
		struct ike_tunnel *t = ike_tunnel_by_id(A(&net)->ike, ts[i].tunnel_id);
		assert_non_null(t);
		assert_int_equal(t->cfg.ike_lifetime_s, (i - N / 2) % 3 ? 86400 : 3600);
	}
	size_t listed = 0;
	for (const struct ike_tunnel *t = A(&net)->ike->tunnels; t; t = t->next)
		listed++;
	assert_int_equal(listed, N - N / 2);
	assert_int_equal(h_apply(A(&net), NULL, 0), 0);
	assert_null(A(&net)->ike->tunnels);
	assert_null(ike_tunnel_by_id(A(&net)->ike, ts[N - 1].tunnel_id));

	/* tunnel 1 established, then changed: the lookup finds the new one at once */
	struct ike_cfg_tunnel ta, tb;
	default_tunnels(&ta, &tb);
	setup_pair(&net, &ta, &tb);
	h_pump(&net, 20);
	assert_int_equal(h_live(A(&net)), 1);
	struct ike_tunnel *old = ike_tunnel_by_id(A(&net)->ike, 1);
	assert_non_null(old);
	ta.esp[0] = (struct ike_cfg_esp)ESP_GCM(256);
	apply(A(&net), &ta);
	assert_true(old->removed); /* kept while its SA is deleting */
	struct ike_tunnel *now = ike_tunnel_by_id(A(&net)->ike, 1);
	assert_non_null(now);
	assert_ptr_not_equal(now, old);
	assert_int_equal(now->cfg.esp[0].encr, ENCR_AES_GCM_16);
	h_fini(&net);
}

static struct ike_sa *first_sa(struct h_node *n)
{
	return n->ike->sas;
}

static void test_info_child_delete_and_liveness(void **state)
{
	struct net net;
	h_init(&net);
	up_pair(&net);
	struct ike_sa *sa = first_sa(A(&net));
	/* empty INFORMATIONAL: answered, nothing changes */
	ike_queue_task(sa, TASK_LIVENESS, 0);
	assert_int_equal(net.queued, 1);
	assert_int_equal(h_pump(&net, 5), 2);
	assert_int_equal(sa->req.task, TASK_NONE);
	assert_int_equal(h_live(A(&net)), 1);
	/* Child SA delete: the pair goes on both sides; the tunnel is then rebuilt */
	ike_queue_task(sa, TASK_DELETE_CHILD, sa->children->spi_in);
	assert_true(h_step(&net)); /* B removes the pair and answers with its SPI */
	assert_int_equal(h_live(B(&net)), 0);
	assert_true(h_step(&net));
	assert_int_equal(h_live(A(&net)), 0);
	h_fini(&net);
}

static void test_shutdown_and_clear(void **state)
{
	struct net net;
	h_init(&net);
	up_pair(&net);
	struct ike_sa_info ia;
	one_sa(A(&net), &ia);
	/* clear: deleted and re-established with new SPIs */
	assert_int_equal(ike_clear(A(&net)->ike, ia.session_id), 1);
	h_pump(&net, 2);
	assert_int_equal(h_live(A(&net)), 0);
	h_run(&net, 50);
	assert_int_equal(h_live(A(&net)), 1);
	assert_int_equal(h_live(B(&net)), 1);
	struct ike_sa_info ia2;
	one_sa(A(&net), &ia2);
	assert_memory_not_equal(ia.spi_local, ia2.spi_local, 8);
	/* shutdown: one Delete, children removed at once */
	ike_shutdown(A(&net)->ike);
	assert_int_equal(h_live(A(&net)), 0);
	assert_int_equal(net.queued, 1);
	h_pump(&net, 3);
	assert_int_equal(h_live(B(&net)), 0);
	h_fini(&net);
}

int main(void)
{
	log_open("test_ike_engine", 1, getenv("IKE_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_up_stepwise),
	    cmocka_unit_test(test_retransmit_cache),
	    cmocka_unit_test(test_proposal_matrix),
	    cmocka_unit_test(test_wrong_psk),
	    cmocka_unit_test(test_no_common_proposal),
	    cmocka_unit_test(test_esp_no_common_proposal),
	    cmocka_unit_test(test_unknown_peer),
	    cmocka_unit_test(test_peer_never_answers),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_force_encap),
	    cmocka_unit_test(test_nat),
	    cmocka_unit_test(test_simultaneous),
	    cmocka_unit_test(test_simultaneous_late),
	    cmocka_unit_test(test_delete_and_config_diff),
	    cmocka_unit_test(test_changed_delete_overtaken),
	    cmocka_unit_test(test_tunnel_index),
	    cmocka_unit_test(test_info_child_delete_and_liveness),
	    cmocka_unit_test(test_shutdown_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
