/*
 * Two IKE engines in one process joined by a mock network: send() queues the datagram for the
 * other engine; tests deliver one message at a time (and assert state in between) or let the
 * event loop deliver them and run timers. The network can drop datagrams and play a NAT in front
 * of engine A (source address and ports rewritten on the way to B, and back).
 */
#ifndef IKE_TEST_HARNESS_H
#define IKE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/ike_cfg.h"

#define H_MAX_INST 64          /* installs per node (rekeys add one each) */
#define H_ADDR_A   0xc6336401u /* 198.51.100.1 */
#define H_ADDR_B   0xc6336402u /* 198.51.100.2 */
#define H_ADDR_NAT 0xcb007101u /* 203.0.113.1 */

struct h_pkt {
	struct h_pkt *next;
	int to; /* node index */
	uint8_t *data;
	size_t len;
	uint32_t src, dst; /* network order, as the receiver sees them */
	uint16_t sport, dport;
};

struct h_inst {
	struct esp_sa_params in, out;
	bool removed;
};

struct h_node {
	struct net *net;
	int idx;
	uint32_t addr; /* network order */
	struct ike *ike;
	struct h_inst inst[H_MAX_INST];
	size_t n_inst, n_removed;
	int up; /* last tunnel_state */
	int state_calls;
	uint32_t cur_out;    /* the data plane's current outbound SPI (0 = none) */
	size_t out_switches; /* child_set_outbound calls */
	size_t blind_moves;  /* outbound moved off a pair onto an SA the peer had not installed */
	int downs;           /* tunnel_state(false) calls */
	size_t sent;
	size_t inst_at_send; /* n_inst when the last datagram was sent */
	uint8_t *last_sent;
	size_t last_len;
};

struct net {
	struct loop *loop;
	struct h_node n[2];
	struct h_pkt *head, *tail;
	size_t queued;
	bool drop[2]; /* drop everything node i sends */
	bool nat;     /* node 0 (A) behind a NAT */
	bool any_dst; /* deliver to the other node whatever the address (many tunnels) */
	bool auto_deliver;
	uint64_t deliver_timer;
};

void h_init(struct net *net);
void h_fini(struct net *net);
/* Delivers the first queued datagram; false when the queue is empty. */
bool h_step(struct net *net);
/* Delivers until the queue is empty (at most max). Returns how many. */
size_t h_pump(struct net *net, size_t max);
/* Runs the loop (timers; datagrams delivered by the loop) for ms milliseconds. */
void h_run(struct net *net, uint64_t ms);
/* Runs the loop (timers, worker completions) for ms milliseconds; datagrams stay queued. */
void h_idle(struct net *net, uint64_t ms);
void h_drop_queue(struct net *net);
struct h_pkt *h_peek(struct net *net);
/* A copy of the datagram at the head of the queue (NULL when empty), to deliver again later
 * with h_deliver_copy, which frees it. */
struct h_pkt *h_copy_head(struct net *net);
void h_deliver_copy(struct net *net, struct h_pkt *p);

/* Room for IKE_CFG_MAX_PROPOSALS proposals that a template tunnel borrows (h_tunnel gives
 * each template its own); it stays allocated until the process exits. */
struct ike_cfg_proposal *h_prop_store(void);
/* A tunnel from `local` to `remote` with one IKE proposal and one transform set; a template
 * (borrowed strings and proposals): h_cfgn and the engine copy it. */
void h_tunnel(struct ike_cfg_tunnel *t, uint32_t id, uint32_t local, uint32_t remote,
              uint32_t peer_id, const char *psk);
void h_prop(struct ike_cfg_proposal *p, uint16_t encr, uint16_t bits, uint16_t integ, uint16_t prf,
            uint16_t dh);
/* c gets owning copies of k tunnels (PSKs, strings and proposals too). */
void h_cfgn(struct ike_cfg *c, const struct ike_cfg_tunnel *ts, size_t k);
/* Node n's configuration becomes these k tunnels (0: none): ike_set_config's result, or -1
 * when they could not be copied. */
int h_apply(struct h_node *n, const struct ike_cfg_tunnel *ts, size_t k);

/* SA info of node i: the count and the first entry in *out (if any). */
size_t h_sas(struct h_node *n, struct ike_sa_info *out, size_t max);
/* Number of Child SAs node i has installed and not removed. */
size_t h_live(const struct h_node *n);
const struct h_inst *h_last_inst(const struct h_node *n);
/* Node i loses all state (a restarted daemon): a fresh engine, no SAs installed, no config. */
void h_restart(struct net *net, int i);
/* The newest installed pair of node n that is not removed, or NULL. */
const struct h_inst *h_live_inst(const struct h_node *n);
/* The node that sends on an SPI its peer has not installed inbound (or has removed), or -1. */
int h_out_unknown(const struct net *net);

#endif
