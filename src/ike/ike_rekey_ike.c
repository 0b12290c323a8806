/*
 * IKE SA rekey (RFC 7296 §1.3.2, §2.18), initiator and responder halves.
 *
 *   Initiator                                 Responder
 *   HDR, SK {SA (new SPIi), Ni, KEi}   -->
 *                                      <--    HDR, SK {SA (new SPIr), Nr, KEr}
 *
 * SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr); SK_* from it as in §2.14 with the new
 * SPIs. The rekey's initiator is the new SA's original initiator; message IDs start at 0. Child
 * SAs move to the new IKE SA (the data plane sees nothing); the initiator deletes the old IKE
 * SA, which is hidden from show from then on. A responder whose old SA is not deleted in time
 * deletes it itself.
 *
 * Simultaneous rekeys (§2.8.1): both exchanges complete; the new IKE SA of the exchange holding
 * the lowest of the four nonces is redundant and deleted by that exchange's initiator; Child
 * SAs move to the other one; its initiator deletes the old IKE SA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "ike/ike_keys.h"
#include "ike/ike_prop.h"
#include "util/log.h"
#include "util/loop.h"

#define KE_RETRIES 2

static struct ike_sa *sa_by_id(const struct ike_tunnel *t, uint32_t id)
{
	for (struct ike_sa *s = t->sas; s; s = s->tun_next)
		if (s->id == id && s->state == IKE_S_ESTABLISHED)
			return s;
	return NULL;
}

static void move_children(struct ike_sa *from, struct ike_sa *to)
{
	while (from->children) {
		struct ike_child *c = from->children;
		from->children = c->next;
		c->sa = to;
		c->next = to->children;
		to->children = c;
	}
	/* child tasks still waiting follow their children */
	size_t k = 0;
	for (size_t i = 0; i < from->n_queue; i++) {
		struct ike_task_req t = from->queue[i];
		if (t.task == TASK_REKEY_CHILD || t.task == TASK_DELETE_CHILD)
			ike_queue_task(to, t.task, t.arg);
		else
			from->queue[k++] = t;
	}
	from->n_queue = k;
}

static void orphan_fire(void *arg)
{
	struct ike_sa *sa = arg;
	sa->keep.orphan_timer = 0;
	log_info("IKE SA %u: the peer did not delete it after the rekey, deleting it", sa->id);
	if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_REKEYING)
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
}

static void orphan_arm(struct ike_sa *sa)
{
	uint64_t ms = 1000;
	for (size_t i = 0; i < sa->ike->timing.n_retx; i++)
		ms += sa->ike->timing.retx_ms[i];
	loop_timer_cancel(sa->ike->loop, sa->keep.orphan_timer);
	sa->keep.orphan_timer = loop_timer_add(sa->ike->loop, ms, orphan_fire, sa);
}

/* The old SA is done: hidden, children gone to succ. */
static void retire(struct ike_sa *old, struct ike_sa *succ, bool we_delete)
{
	move_children(old, succ);
	old->keep.rekeyed = true;
	if (old->state == IKE_S_ESTABLISHED)
		ike_sa_set_state(old, IKE_S_REKEYING);
	snprintf(old->why, sizeof(old->why), "Rekeyed (IKE SA %u)", succ->id);
	if (we_delete)
		ike_queue_task(old, TASK_DELETE_IKE, 0);
	else
		orphan_arm(old);
	if (old->reinit) { /* cleared by the operator while rekeying: the new SA goes too */
		succ->reinit = true;
		snprintf(succ->why, sizeof(succ->why), "Cleared by operator");
		ike_queue_task(succ, TASK_DELETE_IKE, 0);
	}
}

/* The new IKE SA of a completed exchange, ESTABLISHED. our_spi NULL: a fresh random one. */
static struct ike_sa *spawn(struct ike_sa *old, bool initiator, const uint8_t *our_spi,
                            const uint8_t *peer_spi, const struct ike_prop_algs *a,
                            const struct chunk *ni, const struct chunk *nr,
                            const struct chunk *shared)
{
	struct ike_sa *n = ike_sa_new(old->ike, old->tun, initiator);
	struct ike_keymat km = {0};

	if (!n)
		return NULL;
	if (our_spi && ike_sa_set_spi_local(n, our_spi) < 0)
		goto fail;
	memcpy(initiator ? n->spi_r : n->spi_i, peer_spi, 8);
	n->local = old->local, n->remote = old->remote;
	n->lport = old->lport, n->rport = old->rport;
	n->natt = old->natt, n->nat_local = old->nat_local, n->nat_remote = old->nat_remote;
	n->session_id = old->session_id; /* the operator's session survives the rekey */
	memcpy(n->local_id, old->local_id, sizeof(n->local_id));
	memcpy(n->remote_id, old->remote_id, sizeof(n->remote_id));
	n->encr = a->encr, n->integ = a->integ, n->prf = a->prf, n->dh = a->dh;
	if (!chunk_dup(&n->ni, ni->ptr, ni->len) || !chunk_dup(&n->nr, nr->ptr, nr->len) ||
	    ike_keys_ike_rekey(old->prf, &old->sk_d, n->prf, n->encr->key_len,
	                       n->integ ? n->integ->key_len : 0, ni, nr, n->spi_i, n->spi_r, shared,
	                       &km) < 0 ||
	    ike_keys_install_km(n, &km) < 0)
		goto fail;
	n->established_ms = loop_now_ms();
	ike_sa_set_state(n, IKE_S_ESTABLISHED);
	return n;
fail:
	ike_keymat_clear(&km);
	ike_sa_destroy(n, "Rekey key derivation failed", true);
	return NULL;
}

/* ---------------------------------------------------------------- initiator */

static void set_spis(struct ike_sa_pl *pl, const uint8_t spi[8])
{
	for (size_t i = 0; i < pl->n_prop; i++) {
		pl->prop[i].spi_len = 8;
		memcpy(pl->prop[i].spi, spi, 8);
	}
}

static int build_request(struct ike_sa *sa, struct ike_rekey *rk, const struct ike_sa_pl *ours,
                         uint8_t **pkt)
{
	struct ike_out o;
	if (ike_out_begin(&o, sa, CREATE_CHILD_SA, false, sa->req_next, true) < 0)
		return -1;
	ike_add_sa(&o.b, ours);
	ike_add_nonce(&o.b, rk->ni.ptr, rk->ni.len);
	ike_add_ke_dh(&o.b, rk->dh);
	return ike_out_end(&o, sa, pkt);
}

void ike_rekey_ike_start(struct ike_sa *sa)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_rekey *rk = calloc(1, sizeof(*rk));
	uint8_t *pkt = NULL;
	bool later = false;
	int len = -1;

	if (!ours || !rk || sa->state != IKE_S_ESTABLISHED || sa->keep.rekeyed || !sa->tun ||
	    sa->keep.rk || !ike_prop_build_ike(&sa->tun->cfg, ours))
		goto out;
	rk->kind = TASK_REKEY_IKE;
	/* the current group first, unless INVALID_KE_PAYLOAD asked for another */
	rk->group = sa->ke_group && ike_prop_has_dh(ours, sa->ke_group) ? sa->ke_group
	            : sa->dh && ike_prop_has_dh(ours, sa->dh->id)       ? sa->dh->id
	                                                                : ike_prop_first_dh(ours);
	do {
		if (crypto_random(rk->new_ike_spi, 8) < 0)
			goto out;
	} while (ike_sa_find(sa->ike, rk->new_ike_spi) ||
	         !memcmp(rk->new_ike_spi, "\0\0\0\0\0\0\0\0", 8));
	set_spis(ours, rk->new_ike_spi);
	if (!crypto_dh(rk->group) ||
	    !(rk->dh = ike_rekey_dh_pair(sa, crypto_dh(rk->group), TASK_REKEY_IKE, 0, &later)) ||
	    !chunk_alloc(&rk->ni, IKE_NONCE_LEN) || crypto_random(rk->ni.ptr, rk->ni.len) < 0)
		goto out;
	len = build_request(sa, rk, ours, &pkt);
	if (len < 0)
		goto out;
	ike_sa_set_state(sa, IKE_S_REKEYING);
	sa->keep.rk = rk;
	rk = NULL;
	log_info("%s: rekeying IKE SA %u (DH group %u)", sa->tun->cfg.ifname, sa->id,
	         sa->keep.rk->group);
	ike_send_request(sa, (struct ike_task_req){TASK_REKEY_IKE, 0}, pkt, (size_t)len);
out:
	free(ours);
	ike_rekey_free(rk);
	if (len < 0)
		ike_run_queue(sa);
}

/* Our exchange made nothing: back to ESTABLISHED, unless the peer's simultaneous rekey made a
 * successor, which then takes over (the peer deletes the old SA). */
static void rekey_failed(struct ike_sa *sa)
{
	struct ike_sa *succ = sa->keep.deferred_id ? sa_by_id(sa->tun, sa->keep.deferred_id) : NULL;
	if (succ) {
		retire(sa, succ, false);
		return;
	}
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
}

static bool retry_group(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify_pl n;
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	bool ok = false;
	if (ours && ike_find_notify(m, N_INVALID_KE_PAYLOAD, &n) && n.len == 2 &&
	    sa->init_retries < KE_RETRIES) {
		uint16_t g = (uint16_t)(n.data[0] << 8 | n.data[1]);
		ike_prop_build_ike(&sa->tun->cfg, ours);
		ok = ike_prop_has_dh(ours, g) && g != sa->ke_group;
		if (ok) {
			log_info("%s: IKE SA rekey: INVALID_KE_PAYLOAD, retrying with DH group %u",
			         sa->tun->cfg.ifname, g);
			sa->ke_group = g;
			sa->init_retries++;
		}
	}
	free(ours);
	return ok;
}

static const char *accept_reply(struct ike_sa *sa, struct ike_rekey *rk,
                                const struct ike_ccsa_pl *p, struct ike_prop_sel *sel,
                                struct ike_prop_algs *a, struct chunk *shared)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	const char *why = NULL;
	if (!ours)
		return "out of memory";
	ike_prop_build_ike(&sa->tun->cfg, ours);
	set_spis(ours, rk->new_ike_spi);
	if (ike_prop_check_reply(ours, &p->sa, PROTO_IKE, sel) < 0 || sel->spi_len != 8 ||
	    ike_prop_algs(sel, a) < 0 || !a->dh)
		why = "peer chose an IKE proposal we did not offer";
	else if (!p->has_ke || p->ke.group != rk->group || a->dh->id != rk->group)
		why = "peer's KE does not match";
	else if (ike_rekey_dh_i(sa, rk->dh, &p->ke, shared) < 0)
		why = "peer's KE is invalid";
	free(ours);
	return why;
}

/* §2.8.1 for IKE SAs: true when our new SA is the redundant one. */
static bool ours_redundant(struct ike_sa *sa, const struct chunk *ni, const struct chunk *nr)
{
	struct chunk mine = CHUNK_EMPTY;
	ike_nonce_min(ni, nr, &mine);
	bool r = ike_nonce_cmp(&mine, &sa->keep.deferred_min) < 0;
	chunk_clear(&mine);
	return r;
}

void ike_rekey_ike_i_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_rekey *rk = sa->keep.rk;
	struct ike_ccsa_pl *p = malloc(sizeof(*p));
	struct chunk shared = CHUNK_EMPTY;
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	const char *why = NULL;
	struct ike_sa *n = NULL;

	sa->keep.rk = NULL;
	ike_request_done(sa);
	uint16_t err = ike_first_error(m);
	if (!rk || !p) {
		why = "internal error";
	} else if (err == N_INVALID_KE_PAYLOAD && !sa->keep.deferred_id && retry_group(sa, m)) {
		ike_sa_set_state(sa, IKE_S_ESTABLISHED);
		ike_queue_task(sa, TASK_REKEY_IKE, 0);
		goto out;
	} else if (err) {
		why = ike_notify_name(err);
		if (err == N_TEMPORARY_FAILURE)
			ike_life_sa_retry(sa);
	} else if (ike_ccsa_parse(m, p) < 0) {
		why = "malformed response";
	} else if (!(why = accept_reply(sa, rk, p, &sel, &a, &shared)) &&
	           !(n = spawn(sa, true, rk->new_ike_spi, sel.spi, &a, &rk->ni, &p->nonce,
	                       &shared))) {
		why = "key derivation failed";
	}
	chunk_clear(&shared);
	if (!n) { /* no new IKE SA: why says what failed */
		sa->ike->stats.rekeys_failed++;
		log_err("%s: rekey of IKE SA %u failed (%s); keeping it until its hard lifetime",
		        sa->tun->cfg.ifname, sa->id, why);
		rekey_failed(sa);
		goto out;
	}
	sa->ike->stats.ike_rekeys++;
	sa->init_retries = 0;
	log_info("%s: IKE SA %u rekeyed, now IKE SA %u", sa->tun->cfg.ifname, sa->id, n->id);
	struct ike_sa *peers =
	    sa->keep.deferred_id ? sa_by_id(sa->tun, sa->keep.deferred_id) : NULL;
	if (peers) {
		sa->ike->stats.rekey_collisions++;
		if (ours_redundant(sa, &rk->ni, &p->nonce)) {
			log_info(
			    "%s: simultaneous IKE rekey: IKE SA %u has the lowest nonce, deleting "
			    "it; keeping %u",
			    sa->tun->cfg.ifname, n->id, peers->id);
			snprintf(n->why, sizeof(n->why), "Redundant (simultaneous rekey)");
			n->keep.rekeyed = true;
			ike_queue_task(n, TASK_DELETE_IKE, 0);
			retire(sa, peers, false); /* the peer deletes the old one */
			goto out;
		}
		log_info("%s: simultaneous IKE rekey: keeping IKE SA %u, the peer deletes %u",
		         sa->tun->cfg.ifname, n->id, peers->id);
		peers->keep.rekeyed = true; /* hidden; the peer deletes it */
		orphan_arm(peers);
	}
	retire(sa, n, true);
out:
	ike_rekey_free(rk);
	free(p);
	ike_run_queue(sa);
}

/* ---------------------------------------------------------------- responder */

static int build_response(struct ike_sa *sa, struct ike_prop_sel *sel, const struct ike_sa *n,
                          const struct chunk *nr, const struct dh *dh, uint32_t msg_id,
                          uint8_t **pkt)
{
	struct ike_sa_pl *one = malloc(sizeof(*one));
	struct ike_out o;
	int len = -1;
	if (one && ike_out_begin(&o, sa, CREATE_CHILD_SA, true, msg_id, true) == 0) {
		memcpy(sel->spi, n->spi_r, 8);
		ike_prop_to_pl(sel, one);
		ike_add_sa(&o.b, one);
		ike_add_nonce(&o.b, nr->ptr, nr->len);
		ike_add_ke_dh(&o.b, dh);
		len = ike_out_end(&o, sa, pkt);
	}
	free(one);
	return len;
}

/* Selects; 0 or the error notify to answer with (*g: the group INVALID_KE_PAYLOAD asks for). */
static uint16_t select_r(struct ike_sa *sa, const struct ike_ccsa_pl *p, struct ike_prop_sel *sel,
                         struct ike_prop_algs *a, uint16_t *g)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	uint16_t err = 0;
	if (!ours)
		return N_TEMPORARY_FAILURE;
	ike_prop_build_ike(&sa->tun->cfg, ours);
	if (ike_prop_select(ours, &p->sa, PROTO_IKE, sel) < 0 || sel->spi_len != 8 ||
	    ike_prop_algs(sel, a) < 0 || !a->dh)
		err = N_NO_PROPOSAL_CHOSEN;
	else if (!p->has_ke || p->ke.group != a->dh->id) {
		*g = a->dh->id;
		err = N_INVALID_KE_PAYLOAD;
	}
	free(ours);
	return err;
}

void ike_rekey_ike_r(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_ccsa_pl *p = malloc(sizeof(*p));
	struct chunk nr = CHUNK_EMPTY, shared = CHUNK_EMPTY;
	struct ike_rekey *rk = sa->keep.rk;
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	struct ike_sa *n = NULL;
	struct dh *dh = NULL;
	uint32_t id = m->hdr.msg_id;
	uint16_t err, g = 0;
	uint8_t *pkt = NULL;
	int len = -1;

	bool collision = rk && rk->kind == TASK_REKEY_IKE && !sa->keep.deferred_id;
	if (!p || !sa->tun || ike_ccsa_parse(m, p) < 0) {
		ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
		goto out;
	}
	/* one rekey at a time: a Child SA exchange of ours in flight, or this SA on its way out */
	if (sa->keep.rekeyed || (sa->state != IKE_S_ESTABLISHED && !collision) ||
	    sa->req.task == TASK_REKEY_CHILD || sa->req.task == TASK_DELETE_CHILD) {
		log_info("IKE SA %u: peer's IKE SA rekey answered TEMPORARY_FAILURE", sa->id);
		ike_ccsa_refuse(sa, id, N_TEMPORARY_FAILURE, 0, NULL, 0);
		goto out;
	}
	if ((err = select_r(sa, p, &sel, &a, &g))) {
		uint8_t gb[2] = {g >> 8, g & 0xff};
		log_info("%s: peer's IKE SA rekey refused: %s", sa->tun->cfg.ifname,
		         ike_notify_name(err));
		ike_ccsa_refuse(sa, id, err, 0, g ? gb : NULL, g ? 2 : 0);
		goto out;
	}
	if (ike_rekey_dh_r(sa, a.dh, &p->ke, &dh, &shared) < 0 ||
	    !chunk_alloc(&nr, IKE_NONCE_LEN) || crypto_random(nr.ptr, nr.len) < 0 ||
	    !(n = spawn(sa, false, NULL, sel.spi, &a, &p->nonce, &nr, &shared)) ||
	    (len = build_response(sa, &sel, n, &nr, dh, id, &pkt)) < 0) {
		if (n)
			ike_sa_destroy(n, "Rekey failed", true);
		ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
		goto out;
	}
	ike_send_response(sa, id, pkt, (size_t)len);
	sa->ike->stats.ike_rekeys++;
	log_info("%s: IKE SA %u rekeyed by peer, now IKE SA %u", sa->tun->cfg.ifname, sa->id,
	         n->id);
	if (collision) { /* decided when our own exchange completes */
		sa->keep.deferred_id = n->id;
		ike_nonce_min(&p->nonce, &nr, &sa->keep.deferred_min);
		goto out;
	}
	retire(sa, n, false); /* the initiator deletes the old SA */
out:
	dh_free(dh);
	chunk_clear(&shared);
	chunk_clear(&nr);
	free(p);
}

void ike_rekey_ike_adopt(struct ike_sa *sa)
{
	if (!sa->children || !sa->tun || !(sa->keep.rekeyed || sa->keep.deferred_id))
		return;
	struct ike_sa *succ = sa->keep.deferred_id ? sa_by_id(sa->tun, sa->keep.deferred_id) : NULL;
	for (struct ike_sa *s = sa->tun->sas; !succ && s; s = s->tun_next)
		if (s != sa && s->state == IKE_S_ESTABLISHED && !s->keep.rekeyed)
			succ = s;
	if (succ) {
		log_info("IKE SA %u: its Child SAs move to IKE SA %u", sa->id, succ->id);
		move_children(sa, succ);
	}
}
