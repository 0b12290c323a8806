/*
 * IKE SA table and state machine: allocation, SPI indexes, legal transitions, destruction.
 */
#include "ike/ike_sa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_frag.h"
#include "ike/ike_int.h"
#include "ike/ike_keys.h"
#include "util/log.h"
#include "util/loop.h"

static const char *const sa_state_names[IKE_S_COUNT] = {
    [IKE_S_NEW] = "NEW",
    [IKE_S_INIT_SENT] = "INIT-SENT",
    [IKE_S_INIT_DONE] = "INIT-DONE",
    [IKE_S_AUTH_SENT] = "AUTH-SENT",
    [IKE_S_ESTABLISHED] = "READY",
    [IKE_S_REKEYING] = "REKEYING",
    [IKE_S_DELETING] = "DELETING",
    [IKE_S_DEAD] = "DELETED",
};

#define B(s) (1u << (s))
/* sa_legal[from] = set of states reachable from it. */
static const unsigned sa_legal[IKE_S_COUNT] = {
    /* NEW -> ESTABLISHED: an IKE SA created by a CREATE_CHILD_SA rekey (§2.18) */
    [IKE_S_NEW] = B(IKE_S_INIT_SENT) | B(IKE_S_INIT_DONE) | B(IKE_S_ESTABLISHED) | B(IKE_S_DEAD),
    [IKE_S_INIT_SENT] = B(IKE_S_AUTH_SENT) | B(IKE_S_DEAD),
    [IKE_S_INIT_DONE] = B(IKE_S_ESTABLISHED) | B(IKE_S_DEAD),
    [IKE_S_AUTH_SENT] = B(IKE_S_ESTABLISHED) | B(IKE_S_DEAD),
    [IKE_S_ESTABLISHED] = B(IKE_S_REKEYING) | B(IKE_S_DELETING) | B(IKE_S_DEAD),
    [IKE_S_REKEYING] = B(IKE_S_ESTABLISHED) | B(IKE_S_DELETING) | B(IKE_S_DEAD),
    [IKE_S_DELETING] = B(IKE_S_DEAD),
    [IKE_S_DEAD] = 0,
};

static const char *const child_state_names[CHILD_S_COUNT] = {
    [CHILD_S_CREATING] = "CREATING", [CHILD_S_INSTALLED] = "INSTALLED",
    [CHILD_S_REKEYING] = "REKEYING", [CHILD_S_DELETING] = "DELETING",
    [CHILD_S_DEAD] = "DEAD",
};

static const unsigned child_legal[CHILD_S_COUNT] = {
    [CHILD_S_CREATING] = B(CHILD_S_INSTALLED) | B(CHILD_S_DEAD),
    [CHILD_S_INSTALLED] = B(CHILD_S_REKEYING) | B(CHILD_S_DELETING) | B(CHILD_S_DEAD),
    [CHILD_S_REKEYING] = B(CHILD_S_INSTALLED) | B(CHILD_S_DELETING) | B(CHILD_S_DEAD),
    [CHILD_S_DELETING] = B(CHILD_S_DEAD),
    [CHILD_S_DEAD] = 0,
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return s < IKE_S_COUNT ? sa_state_names[s] : "?";
}

const char *ike_child_state_name(enum ike_child_state s)
{
	return s < CHILD_S_COUNT ? child_state_names[s] : "?";
}

static bool is_half(enum ike_sa_state s)
{
	return s <= IKE_S_AUTH_SENT;
}

static bool is_up(enum ike_sa_state s)
{
	return s == IKE_S_ESTABLISHED || s == IKE_S_REKEYING || s == IKE_S_DELETING;
}

static void count_state(struct ike_stats *st, enum ike_sa_state s, int d)
{
	if (is_half(s))
		st->half_open += d;
	else if (is_up(s))
		st->established += d;
}

bool ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to)
{
	enum ike_sa_state from = sa->state;
	if (to >= IKE_S_COUNT || !(sa_legal[from] & B(to))) {
		log_err("IKE SA %u: illegal transition %s -> %s refused", sa->id,
		        ike_sa_state_name(from), ike_sa_state_name(to));
		return false;
	}
	log_debug("IKE SA %u: %s -> %s", sa->id, ike_sa_state_name(from), ike_sa_state_name(to));
	count_state(&sa->ike->stats, from, -1);
	count_state(&sa->ike->stats, to, +1);
	sa->state = to;
	if (!is_half(to))
		ike_pace_done(sa);
	if (to == IKE_S_ESTABLISHED && from != IKE_S_REKEYING)
		ike_life_sa_start(sa); /* lifetimes and DPD (issue 6) */
	return true;
}

bool ike_child_set_state(struct ike_child *c, enum ike_child_state to)
{
	enum ike_child_state from = c->state;
	if (to >= CHILD_S_COUNT || !(child_legal[from] & B(to))) {
		log_err("Child SA %llu: illegal transition %s -> %s refused",
		        (unsigned long long)c->id, ike_child_state_name(from),
		        ike_child_state_name(to));
		return false;
	}
	log_debug("Child SA %llu (IKE SA %u): %s -> %s", (unsigned long long)c->id, c->sa->id,
	          ike_child_state_name(from), ike_child_state_name(to));
	c->state = to;
	return true;
}

static uint64_t spi_key(const uint8_t spi[8])
{
	uint64_t k;
	memcpy(&k, spi, 8);
	return k;
}

const uint8_t *ike_sa_spi_local(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

const uint8_t *ike_sa_spi_remote(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_r : sa->spi_i;
}

int ike_sa_set_spi_local(struct ike_sa *sa, const uint8_t spi[8])
{
	struct ike *ike = sa->ike;
	if (spi_key(spi) == 0 || ike_sa_find(ike, spi))
		return -1;
	htab_del(&ike->sa_by_spi, &sa->by_spi);
	memcpy(sa->initiator ? sa->spi_i : sa->spi_r, spi, 8);
	return htab_add(&ike->sa_by_spi, &sa->by_spi, spi_key(spi));
}

struct ike_sa *ike_sa_find(struct ike *ike, const uint8_t spi[8])
{
	for (struct hnode *n = htab_find(&ike->sa_by_spi, spi_key(spi)); n; n = htab_next(n)) {
		struct ike_sa *sa = container_of(n, struct ike_sa, by_spi);
		if (memcmp(ike_sa_spi_local(sa), spi, 8) == 0)
			return sa;
	}
	return NULL;
}

static uint64_t half_key(const uint8_t spi_i[8], uint32_t remote, uint16_t rport)
{
	return spi_key(spi_i) ^ hash_mix((uint64_t)remote << 16 | rport);
}

struct ike_sa *ike_sa_find_half(struct ike *ike, const uint8_t spi_i[8], uint32_t remote,
                                uint16_t rport)
{
	for (struct hnode *n = htab_find(&ike->sa_half, half_key(spi_i, remote, rport)); n;
	     n = htab_next(n)) {
		struct ike_sa *sa = container_of(n, struct ike_sa, by_half);
		if (memcmp(sa->spi_i, spi_i, 8) == 0 && sa->remote == remote && sa->rport == rport)
			return sa;
	}
	return NULL;
}

void ike_sa_add_half(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	if (sa->in_half ||
	    htab_add(&ike->sa_half, &sa->by_half, half_key(sa->spi_i, sa->remote, sa->rport)) < 0)
		return;
	if (htab_add(&ike->half_by_peer, &sa->by_half_peer, sa->remote) < 0) {
		htab_del(&ike->sa_half, &sa->by_half);
		return;
	}
	sa->in_half = true;
}

void ike_sa_del_half(struct ike_sa *sa)
{
	if (sa->in_half) {
		htab_del(&sa->ike->sa_half, &sa->by_half);
		htab_del(&sa->ike->half_by_peer, &sa->by_half_peer);
	}
	sa->in_half = false;
}

size_t ike_sa_half_from(const struct ike *ike, uint32_t remote)
{
	size_t n = 0; /* the key is the address itself: every node found counts */
	for (const struct hnode *h = htab_find(&ike->half_by_peer, remote); h; h = htab_next(h))
		n++;
	return n;
}

void ike_sa_set_tunnel(struct ike_sa *sa, struct ike_tunnel *tun)
{
	struct ike_tunnel *old = sa->tun;
	if (old) {
		for (struct ike_sa **pp = &old->sas; *pp; pp = &(*pp)->tun_next) {
			if (*pp == sa) {
				*pp = sa->tun_next;
				break;
			}
		}
	}
	sa->tun = tun;
	sa->tun_next = NULL;
	if (tun) {
		ike_tunnel_ref(tun);
		sa->tun_next = tun->sas;
		tun->sas = sa;
	}
	if (old)
		ike_tunnel_unref(old); /* last: it may free the tunnel */
}

struct ike_sa *ike_sa_new(struct ike *ike, struct ike_tunnel *tun, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->ike = ike;
	sa->initiator = initiator;
	uint8_t *spi = initiator ? sa->spi_i : sa->spi_r;
	do {
		if (crypto_random(spi, 8) < 0) {
			free(sa);
			return NULL;
		}
	} while (spi_key(spi) == 0 || ike_sa_find(ike, spi));
	if (htab_add(&ike->sa_by_spi, &sa->by_spi, spi_key(spi)) < 0) {
		free(sa);
		return NULL;
	}
	sa->id = ++ike->next_sa_id;
	sa->session_id = ++ike->next_session_id;
	sa->created_ms = loop_now_ms();
	sa->next = ike->sas;
	if (ike->sas)
		ike->sas->prev = sa;
	ike->sas = sa;
	ike->stats.half_open++;
	ike_sa_set_tunnel(sa, tun);
	return sa;
}

void ike_sa_drop_init_material(struct ike_sa *sa)
{
	dh_free(sa->dhctx);
	sa->dhctx = NULL;
	chunk_clear(&sa->msg1);
	chunk_clear(&sa->msg2);
	chunk_clear(&sa->cookie);
}

static void unlink_sa(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		ike->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	htab_del(&ike->sa_by_spi, &sa->by_spi);
	ike_sa_del_half(sa);
}

static void record_last(struct ike_sa *sa, const char *why)
{
	struct ike_tunnel *t = sa->tun;
	struct ike_sa_info *i = t && !t->removed ? ike_tunnel_last(t) : NULL;
	if (!i)
		return;
	ike_sa_fill_info(sa, i);
	snprintf(i->status, sizeof(i->status), "DELETED");
	snprintf(i->state, sizeof(i->state), "DELETED");
	snprintf(i->description, sizeof(i->description), "%s", why);
	i->n_child = 0;
}

void ike_sa_destroy(struct ike_sa *sa, const char *why, bool failed)
{
	struct ike *ike = sa->ike;
	struct ike_tunnel *tun = sa->tun;

	if (sa->state != IKE_S_DEAD)
		ike_sa_set_state(sa, IKE_S_DEAD);
	ike->stats.negotiations_failed += failed;
	if (why != sa->why) /* snprintf onto its own source is undefined (it came out empty) */
		snprintf(sa->why, sizeof(sa->why), "%s", why);
	log_msg(failed ? LOG_LVL_ERR : LOG_LVL_INFO, "IKE SA %u (%s) %s: %s", sa->id,
	        tun ? tun->cfg.ifname : "-", failed ? "failed" : "deleted", why);
	ike_rekey_ike_adopt(sa); /* children of a rekeyed SA live on in its successor */
	ike_life_sa_stop(sa);
	while (sa->children)
		ike_child_destroy(sa->children);
	loop_timer_cancel(ike->loop, sa->req_timer);
	loop_timer_cancel(ike->loop, sa->half_open_timer);
	ike_work_cancel(sa);
	ike_held_free(sa);
	ike_rekey_dh_gone(sa);
	record_last(sa, why);
	ike_frag_free(sa);
	unlink_sa(sa);
	ike_keys_free(sa);
	ike_sa_drop_init_material(sa);
	chunk_clear(&sa->ni);
	chunk_clear(&sa->nr);
	free(sa->req_pkt);
	free(sa->resp_pkt);
	if (tun && ike_tunnel_wanted(tun) && !ike_tunnel_sa(ike, tun, sa))
		ike_tunnel_schedule(tun, sa->reinit ? 0 : ike->timing.holddown_ms);
	ike_sa_set_tunnel(sa, NULL);
	free(sa);
}
