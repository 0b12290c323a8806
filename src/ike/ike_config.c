/*
 * Tunnels: the engine's copy of each configured tunnel interface, the configuration diff of
 * ike_set_config(), and initiation / hold-down re-initiation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

static uint64_t addr_key(uint32_t local, uint32_t remote)
{
	return (uint64_t)local << 32 | remote;
}

struct ike_tunnel *ike_tunnel_by_addr(struct ike *ike, uint32_t local, uint32_t remote)
{
	/* the key is the address pair itself, so the first node found is the one */
	struct hnode *n = htab_find(&ike->tun_by_addr, addr_key(local, remote));
	return n ? container_of(n, struct ike_tunnel, by_addr) : NULL;
}

/* Hashed: a commit looks up every configured tunnel, and a walk of the tunnel list (7 KB
 * apart, a cache and TLB miss each) made it O(N^2): 2.8 ms of a 1000-tunnel commit. */
struct ike_tunnel *ike_tunnel_by_id(struct ike *ike, uint32_t tunnel_id)
{
	for (struct hnode *n = htab_find(&ike->tun_by_id, tunnel_id); n; n = htab_next(n)) {
		struct ike_tunnel *t = container_of(n, struct ike_tunnel, by_id);
		if (!t->removed)
			return t;
	}
	return NULL;
}

bool ike_tunnel_wanted(const struct ike_tunnel *t)
{
	return !t->removed && !t->cfg.shutdown && !t->ike->shutting_down &&
	       !ike_cert_tunnel_failed(t);
}

struct ike_sa_info *ike_tunnel_last(struct ike_tunnel *t)
{
	if (!t->last)
		t->last = malloc(sizeof(*t->last));
	if (t->last)
		memset(t->last, 0, sizeof(*t->last));
	return t->last;
}

struct ike_sa *ike_tunnel_sa(struct ike *ike, const struct ike_tunnel *t,
                             const struct ike_sa *except)
{
	(void)ike;
	for (struct ike_sa *sa = t->sas; sa; sa = sa->tun_next)
		if (sa != except && sa->state != IKE_S_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ike_tunnel_established(const struct ike_tunnel *t, const struct ike_sa *except)
{
	for (struct ike_sa *sa = t->sas; sa; sa = sa->tun_next)
		if (sa != except && sa->state == IKE_S_ESTABLISHED)
			return sa;
	return NULL;
}

static void tunnel_free(struct ike_tunnel *t)
{
	struct ike *ike = t->ike;
	loop_timer_cancel(ike->loop, t->reinit_timer);
	ike_pace_forget(t);
	if (t->indexed)
		htab_del(&ike->tun_by_addr, &t->by_addr);
	htab_del(&ike->tun_by_id, &t->by_id); /* a no-op when it is not in the table */
	/* a tunnel whose add failed was never linked: the head must not change then */
	if (t->prev)
		t->prev->next = t->next;
	else if (ike->tunnels == t)
		ike->tunnels = t->next;
	if (t->next)
		t->next->prev = t->prev;
	ike_cfg_tunnel_clear(&t->cfg);
	free(t->last);
	ike_cert_tunnel_free(t);
	memwipe(t, sizeof(*t));
	free(t);
}

void ike_tunnel_ref(struct ike_tunnel *t)
{
	t->refs++;
}

void ike_tunnel_unref(struct ike_tunnel *t)
{
	if (--t->refs == 0 && t->removed)
		tunnel_free(t);
}

void ike_tunnel_initiate(struct ike_tunnel *t)
{
	if (!ike_tunnel_wanted(t) || t->cfg.passive || ike_tunnel_sa(t->ike, t, NULL) ||
	    !ike_pace_turn(t))
		return;
	struct ike_sa *sa = ike_sa_new(t->ike, t, true);
	if (!sa) {
		log_err("%s: cannot allocate an IKE SA", t->cfg.ifname);
		return;
	}
	ike_pace_started(sa);
	sa->local = t->cfg.local_addr;
	sa->remote = t->cfg.remote_addr;
	sa->lport = sa->rport = IKE_PORT;
	ike_init_start(sa);
}

static void reinit_fire(void *arg)
{
	struct ike_tunnel *t = arg;
	t->reinit_timer = 0;
	ike_tunnel_initiate(t);
}

void ike_tunnel_schedule(struct ike_tunnel *t, uint32_t delay_ms)
{
	loop_timer_cancel(t->ike->loop, t->reinit_timer);
	t->reinit_timer = loop_timer_add(t->ike->loop, delay_ms, reinit_fire, t);
}

static bool prop_eq(const struct ike_cfg_proposal *a, const struct ike_cfg_proposal *b)
{
	return a->n_encr == b->n_encr && a->n_integ == b->n_integ && a->n_prf == b->n_prf &&
	       a->n_dh == b->n_dh && !memcmp(a->encr, b->encr, sizeof(a->encr)) &&
	       !memcmp(a->encr_bits, b->encr_bits, sizeof(a->encr_bits)) &&
	       !memcmp(a->integ, b->integ, sizeof(a->integ)) &&
	       !memcmp(a->prf, b->prf, sizeof(a->prf)) && !memcmp(a->dh, b->dh, sizeof(a->dh));
}

static bool esp_eq(const struct ike_cfg_esp *a, const struct ike_cfg_esp *b)
{
	return a->encr == b->encr && a->encr_bits == b->encr_bits && a->integ == b->integ;
}

static bool chunk_same(const struct chunk *a, const struct chunk *b)
{
	return a->len == b->len && (!a->len || chunk_eq_ct(a->ptr, b->ptr, a->len));
}

/* Everything that changes what we negotiate or with whom. */
static bool tunnel_eq(const struct ike_cfg_tunnel *a, const struct ike_cfg_tunnel *b)
{
	if (a->local_addr != b->local_addr || a->remote_addr != b->remote_addr ||
	    a->shutdown != b->shutdown || a->passive != b->passive ||
	    a->n_proposals != b->n_proposals || a->n_esp != b->n_esp ||
	    a->ike_lifetime_s != b->ike_lifetime_s || a->auth_local != b->auth_local ||
	    a->auth_remote_psk != b->auth_remote_psk || a->auth_remote_rsa != b->auth_remote_rsa ||
	    a->n_match_remote != b->n_match_remote || a->dpd_interval_s != b->dpd_interval_s ||
	    a->dpd_retry_s != b->dpd_retry_s || a->pfs_group != b->pfs_group ||
	    a->force_encap != b->force_encap || a->child_lifetime_s != b->child_lifetime_s ||
	    a->replay_window != b->replay_window || strcmp(a->ifname, b->ifname) ||
	    !ike_cfg_str_eq(a->cert_file, b->cert_file) ||
	    !ike_cfg_str_eq(a->key_file, b->key_file) || !ike_cfg_str_eq(a->ca_file, b->ca_file) ||
	    !ike_cfg_str_eq(a->crl_file, b->crl_file) ||
	    !chunk_same(&a->psk_local, &b->psk_local) ||
	    !chunk_same(&a->psk_remote, &b->psk_remote) || !ike_cert_cfg_eq(a, b))
		return false;
	for (size_t i = 0; i < a->n_proposals; i++)
		if (!prop_eq(&a->proposals[i], &b->proposals[i]))
			return false;
	for (size_t i = 0; i < a->n_esp && i < 5; i++)
		if (!esp_eq(&a->esp[i], &b->esp[i]))
			return false;
	for (size_t i = 0; i < a->n_match_remote && i < 8; i++)
		if (a->match_remote_addr[i] != b->match_remote_addr[i] ||
		    a->match_remote_mask[i] != b->match_remote_mask[i])
			return false;
	return true;
}

static struct ike_tunnel *tunnel_add(struct ike *ike, const struct ike_cfg_tunnel *c)
{
	struct ike_tunnel *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ike = ike;
	if (ike_cfg_tunnel_copy(&t->cfg, c) < 0 ||
	    htab_add(&ike->tun_by_id, &t->by_id, c->tunnel_id) < 0) {
		t->removed = true;
		tunnel_free(t);
		return NULL;
	}
	t->next = ike->tunnels;
	if (ike->tunnels)
		ike->tunnels->prev = t;
	ike->tunnels = t;
	if (ike_tunnel_by_addr(ike, c->local_addr, c->remote_addr))
		log_err("%s: another tunnel has the same source and destination; only the first "
		        "answers the peer",
		        c->ifname);
	else if (htab_add(&ike->tun_by_addr, &t->by_addr,
	                  addr_key(c->local_addr, c->remote_addr)) == 0)
		t->indexed = true;
	ike_cert_tunnel_load(t);
	return t;
}

/* Takes the tunnel out of the configuration: Delete for its SAs, freed once they are gone. */
static void tunnel_remove(struct ike_tunnel *t)
{
	struct ike_sa *sa, *next;
	htab_del(&t->ike->tun_by_id, &t->by_id);
	t->removed = true;
	if (t->indexed)
		htab_del(&t->ike->tun_by_addr, &t->by_addr);
	t->indexed = false;
	loop_timer_cancel(t->ike->loop, t->reinit_timer);
	t->reinit_timer = 0;
	t->refs++; /* keep t alive while its SAs go */
	for (sa = t->sas; sa; sa = next) {
		next = sa->tun_next;
		if (sa->state == IKE_S_ESTABLISHED) {
			snprintf(sa->why, sizeof(sa->why), "Tunnel removed from configuration");
			ike_queue_task(sa, TASK_DELETE_IKE, 0);
		} else if (sa->state != IKE_S_DELETING) {
			ike_sa_destroy(sa, "Tunnel removed from configuration", false);
		}
	}
	ike_tunnel_unref(t);
}

/* A commit's tunnels in the order of their ids, for a binary search. */
struct cfg_index {
	uint32_t id;
	uint32_t i; /* in ike_cfg.tunnels */
};

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct cfg_index *)a)->id, y = ((const struct cfg_index *)b)->id;
	return (x > y) - (x < y);
}

/* The configured tunnel with that id: a binary search when the commit's tunnels could be
 * indexed (idx != NULL), else a walk. */
static const struct ike_cfg_tunnel *cfg_find(const struct ike_cfg *cfg, const struct cfg_index *idx,
                                             uint32_t id)
{
	if (idx) {
		const struct cfg_index key = {.id = id}, *f;
		f = bsearch(&key, idx, cfg->n_tunnels, sizeof(*idx), by_id);
		return f ? &cfg->tunnels[f->i] : NULL;
	}
	for (size_t i = 0; i < cfg->n_tunnels; i++)
		if (cfg->tunnels[i].tunnel_id == id)
			return &cfg->tunnels[i];
	return NULL;
}

/* Linear in the tunnels held and given: the tunnels that leave or change are collected first
 * and removed after the walk, each held by a reference meanwhile (a removal ends SAs, and
 * restarting the walk after each one made removing half of 1000 tunnels cost 29 ms). */
int ike_set_config(struct ike *ike, const struct ike_cfg *cfg)
{
	struct ike_tunnel *t, *gone = NULL, **gone_tail = &gone;
	int rc = 0;
	struct cfg_index *idx = NULL;

	if (cfg->n_tunnels > 1 && cfg->n_tunnels <= UINT32_MAX &&
	    (idx = malloc(cfg->n_tunnels * sizeof(*idx)))) {
		for (size_t i = 0; i < cfg->n_tunnels; i++)
			idx[i] = (struct cfg_index){cfg->tunnels[i].tunnel_id, (uint32_t)i};
		qsort(idx, cfg->n_tunnels, sizeof(*idx), by_id);
	}
	for (t = ike->tunnels; t; t = t->next) {
		if (t->removed)
			continue;
		const struct ike_cfg_tunnel *c = cfg_find(cfg, idx, t->cfg.tunnel_id);
		if (c && tunnel_eq(&t->cfg, c))
			continue;
		log_info("%s: %s", t->cfg.ifname, c ? "configuration changed" : "removed");
		ike_tunnel_ref(t);
		t->gone_next = NULL; /* removed in the list's order, as before */
		*gone_tail = t;
		gone_tail = &t->gone_next;
	}
	free(idx);
	while ((t = gone)) {
		gone = t->gone_next;
		t->gone_next = NULL;
		tunnel_remove(t);
		/* the analyzer cannot see that our reference kept t through tunnel_remove() */
		ike_tunnel_unref(t); /* NOLINT(clang-analyzer-unix.Malloc) */
	}
	for (size_t i = 0; i < cfg->n_tunnels; i++) {
		const struct ike_cfg_tunnel *c = &cfg->tunnels[i];
		if (ike_tunnel_by_id(ike, c->tunnel_id))
			continue;
		t = tunnel_add(ike, c);
		if (!t) {
			rc = -1;
			continue;
		}
		ike_tunnel_initiate(t);
	}
	ike_cert_cache_drop(ike);
	return rc;
}
