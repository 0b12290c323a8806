#include "harness.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/chunk.h"
#include "util/loop.h"

static int other(int i)
{
	return i ^ 1;
}

/* The NAT maps A's ports to these public ones. */
static uint16_t nat_out(uint16_t p)
{
	return p + 10000;
}

static void deliver_cb(void *arg);

static void enqueue(struct net *net, struct h_pkt *p)
{
	if (net->tail)
		net->tail->next = p;
	else
		net->head = p;
	net->tail = p;
	net->queued++;
	if (net->auto_deliver && !net->deliver_timer)
		net->deliver_timer = loop_timer_add(net->loop, 0, deliver_cb, net);
}

static int h_send(void *arg, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                  uint32_t remote, uint16_t rport)
{
	struct h_node *n = arg;
	struct net *net = n->net;
	n->sent++;
	n->inst_at_send = n->n_inst;
	free(n->last_sent);
	n->last_sent = malloc(len);
	memcpy(n->last_sent, pkt, len);
	n->last_len = len;
	if (net->drop[n->idx])
		return 0;
	struct h_pkt *p = calloc(1, sizeof(*p));
	p->data = malloc(len);
	memcpy(p->data, pkt, len);
	p->len = len;
	p->to = other(n->idx);
	p->src = local, p->sport = lport, p->dst = remote, p->dport = rport;
	if (net->nat && n->idx == 0) {
		p->src = htonl(H_ADDR_NAT);
		p->sport = nat_out(lport);
	} else if (net->nat && n->idx == 1) {
		if (remote != htonl(H_ADDR_NAT) || rport < 10000) {
			free(p->data); /* nothing behind the NAT listens there */
			free(p);
			return 0;
		}
		p->dst = htonl(H_ADDR_A);
		p->dport = rport - 10000;
	}
	if (!net->nat && !net->any_dst && p->dst != net->n[p->to].addr) {
		free(p->data);
		free(p);
		return 0;
	}
	enqueue(net, p);
	return 0;
}

static bool peer_has_in(const struct h_node *n, uint32_t spi)
{
	const struct h_node *peer = &n->net->n[1 - n->idx];
	for (size_t k = 0; k < peer->n_inst; k++)
		if (peer->inst[k].in.spi == spi && !peer->inst[k].removed)
			return true;
	return false;
}

/* The outbound SA changes; moving off a pair onto one the peer lacks is counted. */
static void move_out(struct h_node *n, uint32_t spi)
{
	if (n->cur_out && spi != n->cur_out && !peer_has_in(n, spi))
		n->blind_moves++;
	n->cur_out = spi;
}

/* Both directions installed; the outbound switches when switch_out is set or there is none
 * (like the data plane). */
static int add_pair(struct h_node *n, const struct esp_sa_params *in,
                    const struct esp_sa_params *out, bool switch_out)
{
	if (n->n_inst == H_MAX_INST)
		return -1;
	n->inst[n->n_inst].in = *in;
	n->inst[n->n_inst].out = *out;
	n->n_inst++;
	if (switch_out || !n->cur_out)
		move_out(n, out->spi);
	return 0;
}

static int h_install(void *arg, const struct esp_sa_params *in, const struct esp_sa_params *out)
{
	return add_pair(arg, in, out, true);
}

/* Like the daemon: both directions installed, the outbound not switched. */
static int h_install_standby(void *arg, const struct esp_sa_params *in,
                             const struct esp_sa_params *out)
{
	return add_pair(arg, in, out, false);
}

static int h_set_out(void *arg, uint32_t tunnel_id, uint32_t spi_out)
{
	struct h_node *n = arg;
	for (size_t i = 0; i < n->n_inst; i++) {
		if (n->inst[i].out.spi == spi_out && !n->inst[i].removed) {
			move_out(n, spi_out);
			n->out_switches++;
			return 0;
		}
	}
	return -1;
}

static void h_remove(void *arg, uint32_t tunnel_id, uint32_t spi_in, uint32_t spi_out)
{
	struct h_node *n = arg;
	if (n->cur_out == spi_out)
		n->cur_out = 0; /* detached: the data plane would drop */
	for (size_t i = 0; i < n->n_inst; i++) {
		if (n->inst[i].in.spi == spi_in && n->inst[i].out.spi == spi_out &&
		    !n->inst[i].removed) {
			n->inst[i].removed = true;
			n->n_removed++;
		}
	}
}

static void h_state(void *arg, uint32_t tunnel_id, bool up)
{
	struct h_node *n = arg;
	n->up = up;
	n->state_calls++;
	n->downs += !up;
}

void h_init(struct net *net)
{
	memset(net, 0, sizeof(*net));
	net->loop = loop_new();
	for (int i = 0; i < 2; i++) {
		struct h_node *n = &net->n[i];
		n->net = net;
		n->idx = i;
		n->addr = htonl(i == 0 ? H_ADDR_A : H_ADDR_B);
		struct ike_io io = {
		    n, h_send, h_install, h_remove, h_state, h_install_standby, h_set_out};
		n->ike = ike_new(net->loop, &io);
	}
}

void h_restart(struct net *net, int i)
{
	struct h_node *n = &net->n[i];
	struct ike_io io = {n, h_send, h_install, h_remove, h_state, h_install_standby, h_set_out};
	ike_free(n->ike);
	memset(n->inst, 0, sizeof(n->inst));
	n->n_inst = n->n_removed = 0;
	n->up = 0;
	n->cur_out = 0;
	n->ike = ike_new(net->loop, &io);
}

const struct h_inst *h_live_inst(const struct h_node *n)
{
	for (size_t i = n->n_inst; i-- > 0;)
		if (!n->inst[i].removed)
			return &n->inst[i];
	return NULL;
}

void h_drop_queue(struct net *net)
{
	while (net->head) {
		struct h_pkt *p = net->head;
		net->head = p->next;
		free(p->data);
		free(p);
	}
	net->tail = NULL;
	net->queued = 0;
}

void h_fini(struct net *net)
{
	for (int i = 0; i < 2; i++) {
		ike_free(net->n[i].ike);
		free(net->n[i].last_sent);
	}
	h_drop_queue(net);
	loop_free(net->loop);
}

struct h_pkt *h_peek(struct net *net)
{
	return net->head;
}

struct h_pkt *h_copy_head(struct net *net)
{
	const struct h_pkt *p = net->head;
	struct h_pkt *c = p ? malloc(sizeof(*c)) : NULL;
	if (!c)
		return NULL;
	*c = *p;
	c->next = NULL;
	c->data = malloc(p->len);
	if (!c->data) {
		free(c);
		return NULL;
	}
	memcpy(c->data, p->data, p->len);
	return c;
}

void h_deliver_copy(struct net *net, struct h_pkt *p)
{
	ike_input(net->n[p->to].ike, p->data, p->len, p->dst, p->dport, p->src, p->sport);
	free(p->data);
	free(p);
}

bool h_step(struct net *net)
{
	struct h_pkt *p = net->head;
	if (!p)
		return false;
	net->head = p->next;
	if (!net->head)
		net->tail = NULL;
	net->queued--;
	h_deliver_copy(net, p);
	return true;
}

size_t h_pump(struct net *net, size_t max)
{
	size_t n = 0;
	while (n < max && h_step(net))
		n++;
	return n;
}

static void deliver_cb(void *arg)
{
	struct net *net = arg;
	net->deliver_timer = 0;
	/* one at a time so timers interleave as on a real network */
	h_step(net);
	if (net->head)
		net->deliver_timer = loop_timer_add(net->loop, 0, deliver_cb, net);
}

static void stop_cb(void *arg)
{
	loop_stop(arg);
}

void h_idle(struct net *net, uint64_t ms)
{
	uint64_t id = loop_timer_add(net->loop, ms, stop_cb, net->loop);
	loop_run(net->loop);
	loop_timer_cancel(net->loop, id);
}

void h_run(struct net *net, uint64_t ms)
{
	net->auto_deliver = true;
	if (net->head && !net->deliver_timer)
		net->deliver_timer = loop_timer_add(net->loop, 0, deliver_cb, net);
	h_idle(net, ms);
	loop_timer_cancel(net->loop, net->deliver_timer);
	net->deliver_timer = 0;
	net->auto_deliver = false;
}

void h_prop(struct ike_cfg_proposal *p, uint16_t encr, uint16_t bits, uint16_t integ, uint16_t prf,
            uint16_t dh)
{
	memset(p, 0, sizeof(*p));
	p->encr[0] = encr;
	p->encr_bits[0] = bits;
	p->n_encr = 1;
	if (integ) {
		p->integ[0] = integ;
		p->n_integ = 1;
	}
	p->prf[0] = prf;
	p->n_prf = 1;
	p->dh[0] = dh;
	p->n_dh = 1;
}

struct ike_cfg_proposal *h_prop_store(void)
{
	/* kept reachable for the whole run (a template may outlive its net): not a leak */
	static struct ike_cfg_proposal **kept;
	static size_t n, cap;
	if (n == cap) {
		size_t c = cap ? 2 * cap : 64;
		struct ike_cfg_proposal **k = realloc(kept, c * sizeof(*k));
		if (!k)
			abort();
		kept = k;
		cap = c;
	}
	if (!(kept[n] = calloc(IKE_CFG_MAX_PROPOSALS, sizeof(**kept))))
		abort();
	return kept[n++];
}

void h_tunnel(struct ike_cfg_tunnel *t, uint32_t id, uint32_t local, uint32_t remote,
              uint32_t peer_id, const char *psk)
{
	memset(t, 0, sizeof(*t));
	t->proposals = h_prop_store();
	t->tunnel_id = id;
	snprintf(t->ifname, sizeof(t->ifname), "tunnel-ip%u", id);
	t->local_addr = htonl(local);
	t->remote_addr = htonl(remote);
	h_prop(&t->proposals[0], ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256,
	       DH_ECP_256);
	t->n_proposals = 1;
	snprintf(t->ike_profile, sizeof(t->ike_profile), "prof");
	t->ike_lifetime_s = 86400;
	t->auth_local = IKE_AUTH_PSK;
	t->auth_remote_psk = true;
	t->psk_local.ptr = (uint8_t *)psk; /* borrowed, as any string: h_cfgn copies */
	t->psk_local.len = strlen(psk);
	t->psk_remote = t->psk_local;
	t->match_remote_addr[0] = htonl(peer_id);
	t->match_remote_mask[0] = 0xffffffffu;
	t->n_match_remote = 1;
	snprintf(t->ipsec_profile, sizeof(t->ipsec_profile), "ipsec");
	t->esp[0] = (struct ike_cfg_esp){"ts", ENCR_AES_CBC, 256, AUTH_HMAC_SHA2_256_128};
	t->n_esp = 1;
	t->child_lifetime_s = 3600;
}

void h_cfgn(struct ike_cfg *c, const struct ike_cfg_tunnel *ts, size_t k)
{
	c->tunnels = calloc(k, sizeof(*ts));
	c->n_tunnels = c->tunnels ? k : 0;
	for (size_t i = 0; i < c->n_tunnels; i++) {
		if (ike_cfg_tunnel_copy(&c->tunnels[i], &ts[i]) < 0) {
			c->n_tunnels = i;
			break;
		}
	}
}

int h_apply(struct h_node *n, const struct ike_cfg_tunnel *ts, size_t k)
{
	struct ike_cfg c = {0};
	if (k)
		h_cfgn(&c, ts, k);
	int rc = c.n_tunnels == k ? ike_set_config(n->ike, &c) : -1;
	ike_cfg_free(&c);
	return rc;
}

size_t h_sas(struct h_node *n, struct ike_sa_info *out, size_t max)
{
	return ike_get_sas(n->ike, out, max);
}

size_t h_live(const struct h_node *n)
{
	return n->n_inst - n->n_removed;
}

const struct h_inst *h_last_inst(const struct h_node *n)
{
	return n->n_inst ? &n->inst[n->n_inst - 1] : NULL;
}

int h_out_unknown(const struct net *net)
{
	for (int i = 0; i < 2; i++)
		if (net->n[i].cur_out && !peer_has_in(&net->n[i], net->n[i].cur_out))
			return i;
	return -1;
}
