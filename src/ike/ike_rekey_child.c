/*
 * Child SA rekey (RFC 7296 §1.3.3, §2.8, §2.17), initiator and responder halves.
 *
 *   Initiator                                        Responder
 *   HDR, SK {N(REKEY_SA, old inbound SPI), SA, Ni,
 *            [KEi], TSi, TSr}                  -->
 *                                              <--   HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *
 * KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) with this exchange's nonces; KE (PFS) in the
 * ipsec profile's pfs group. The responder installs the new pair in standby before it answers;
 * the initiator installs it and sends on it at once, then deletes the old pair; the responder
 * switches outbound when that Delete arrives (ike_outbound.c). Errors keep the old pair until its
 * hard lifetime; INVALID_KE_PAYLOAD is retried with the requested group when our configuration
 * trusts it.
 *
 * Simultaneous rekeys of one Child SA (§2.8.1): both exchanges complete; the new SA made by the
 * exchange holding the lowest of the four nonces is redundant and deleted by that exchange's
 * initiator; the other initiator deletes the old SA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "ike/ike_prop.h"
#include "ike/ike_ts.h"
#include "util/log.h"
#include "util/loop.h"

#define KE_RETRIES 2

static uint16_t pfs_group(const struct ike_child *c)
{
	return c->keep.ke_group ? c->keep.ke_group : c->sa->tun->cfg.pfs_group;
}

/* A group our configuration trusts: the pfs group or one of the IKE proposals' groups. */
static bool group_trusted(const struct ike_tunnel *t, uint16_t g)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	bool ok = false;
	if (ours && crypto_dh(g)) {
		ike_prop_build_ike(&t->cfg, ours);
		ok = g == t->cfg.pfs_group || ike_prop_has_dh(ours, g);
	}
	free(ours);
	return ok;
}

static int build_request(struct ike_sa *sa, const struct ike_child *c, const struct ike_child *nc,
                         const struct ike_rekey *rk, uint8_t **pkt)
{
	struct ike_sa_pl *esp = malloc(sizeof(*esp));
	struct ike_out o;
	uint8_t spi[4];
	int len = -1;

	if (!esp || !ike_prop_build_esp(&sa->tun->cfg, nc->spi_in, rk->group, esp) ||
	    ike_out_begin(&o, sa, CREATE_CHILD_SA, false, sa->req_next, true) < 0)
		goto out;
	ike_put32(c->spi_in, spi);
	ike_add_notify(&o.b, PROTO_ESP, spi, 4, N_REKEY_SA, NULL, 0);
	ike_add_sa(&o.b, esp);
	ike_add_nonce(&o.b, rk->ni.ptr, rk->ni.len);
	if (rk->dh)
		ike_add_ke_dh(&o.b, rk->dh);
	ike_add_ts_pair(&o.b, &c->ts_local, &c->ts_remote);
	len = ike_out_end(&o, sa, pkt); /* the builder is sticky: any failure shows here */
out:
	free(esp);
	return len;
}

void ike_rekey_child_start(struct ike_sa *sa, uint32_t spi_in)
{
	struct ike_child *c = ike_child_find_in(sa, spi_in), *nc = NULL;
	struct ike_rekey *rk = NULL;
	uint8_t *pkt = NULL;
	bool later = false;
	int len = -1;

	if (!c || !sa->tun || c->state != CHILD_S_INSTALLED || c->keep.replaced ||
	    sa->state != IKE_S_ESTABLISHED || sa->keep.rk)
		return ike_run_queue(sa);
	rk = calloc(1, sizeof(*rk));
	nc = ike_child_new(sa);
	if (!rk || !nc)
		goto fail;
	rk->kind = TASK_REKEY_CHILD;
	rk->old_spi = c->spi_in;
	rk->new_spi = nc->spi_in;
	rk->group = pfs_group(c);
	if (rk->group && !(crypto_dh(rk->group) &&
	                   (rk->dh = ike_rekey_dh_pair(sa, crypto_dh(rk->group), TASK_REKEY_CHILD,
	                                               spi_in, &later))))
		goto fail;
	if (!chunk_alloc(&rk->ni, IKE_NONCE_LEN) || crypto_random(rk->ni.ptr, rk->ni.len) < 0)
		goto fail;
	len = build_request(sa, c, nc, rk, &pkt);
	if (len < 0)
		goto fail;
	nc->ts_local = c->ts_local;
	nc->ts_remote = c->ts_remote;
	ike_child_set_state(c, CHILD_S_REKEYING);
	sa->keep.rk = rk;
	log_info("%s: rekeying Child SA 0x%08x/0x%08x (new inbound SPI 0x%08x%s)",
	         sa->tun->cfg.ifname, c->spi_in, c->spi_out, nc->spi_in, rk->group ? ", PFS" : "");
	ike_send_request(sa, (struct ike_task_req){TASK_REKEY_CHILD, spi_in}, pkt, (size_t)len);
	return;
fail:
	if (!later)
		log_err("%s: cannot start the rekey of Child SA 0x%08x", sa->tun->cfg.ifname,
		        spi_in);
	if (nc)
		ike_child_destroy(nc);
	ike_rekey_free(rk);
	ike_run_queue(sa);
}

/* Our exchange did not produce a Child SA: the old one stays (until its hard lifetime), unless
 * the peer's simultaneous rekey made a successor, which then takes over. */
static void rekey_abort(struct ike_sa *sa, struct ike_rekey *rk, struct ike_child *c)
{
	struct ike_child *nc = ike_child_find_in(sa, rk->new_spi);
	if (nc)
		ike_child_destroy(nc);
	if (c && rk->peer_new_spi && ike_child_find_in(sa, rk->peer_new_spi)) {
		c->keep.replaced = true;
		c->keep.successor = rk->peer_new_spi;
		ike_queue_task(sa, TASK_DELETE_CHILD, c->spi_in);
	} else if (c && c->state == CHILD_S_REKEYING) {
		ike_child_set_state(c, CHILD_S_INSTALLED);
	}
	ike_rekey_free(rk);
}

/* INVALID_KE_PAYLOAD: true when a retry with the requested group was queued. */
static bool retry_group(struct ike_sa *sa, struct ike_child *c, const struct ike_msg *m)
{
	struct ike_notify_pl n;
	if (!c || !ike_find_notify(m, N_INVALID_KE_PAYLOAD, &n) || n.len != 2)
		return false;
	uint16_t g = (uint16_t)(n.data[0] << 8 | n.data[1]);
	if (c->keep.ke_retries >= KE_RETRIES || !group_trusted(sa->tun, g)) {
		log_err("%s: Child SA rekey: peer wants DH group %u, which we do not use for PFS",
		        sa->tun->cfg.ifname, g);
		return false;
	}
	log_info("%s: Child SA rekey: INVALID_KE_PAYLOAD, retrying with DH group %u",
	         sa->tun->cfg.ifname, g);
	c->keep.ke_group = g;
	c->keep.ke_retries++;
	return true;
}

/* Checks the answer and fills nc; returns NULL or why not. *shared gets g^ir with PFS. */
static const char *accept_reply(struct ike_sa *sa, struct ike_child *nc, struct ike_rekey *rk,
                                const struct ike_ccsa_pl *p, struct chunk *shared)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	struct ike_ts all;
	const char *why = NULL;

	ike_ts_all(&all);
	if (!ours)
		return "out of memory";
	ike_prop_build_esp(&sa->tun->cfg, nc->spi_in, rk->group, ours);
	if (ike_prop_check_reply(ours, &p->sa, PROTO_ESP, &sel) < 0 || sel.spi_len != 4 ||
	    ike_prop_algs(&sel, &a) < 0)
		why = "peer chose an ESP proposal we did not offer";
	else if (!p->has_ts || !ike_ts_fits(&all, &p->tsi.ts[0]) ||
	         !ike_ts_fits(&all, &p->tsr.ts[0]))
		why = "peer's traffic selectors are unusable";
	else if (rk->group && (!a.dh || !p->has_ke || p->ke.group != rk->group))
		why = "peer's KE does not match the PFS group";
	else if (!rk->group && p->has_ke)
		why = "peer sent KE without PFS";
	else if (rk->dh && ike_rekey_dh_i(sa, rk->dh, &p->ke, shared) < 0)
		why = "peer's KE is invalid";
	free(ours);
	if (why)
		return why;
	nc->spi_out = ike_spi32(sel.spi);
	nc->encr = a.encr;
	nc->integ = a.integ;
	nc->ts_local = p->tsi.ts[0];
	nc->ts_remote = p->tsr.ts[0];
	return NULL;
}

/* §2.8.1: both rekeys of one Child SA completed; who deletes what. */
static void resolve_collision(struct ike_sa *sa, struct ike_rekey *rk, struct ike_child *c,
                              struct ike_child *nc, const struct chunk *nr)
{
	struct chunk mine = CHUNK_EMPTY;
	sa->ike->stats.rekey_collisions++;
	ike_nonce_min(&rk->ni, nr, &mine);
	bool ours_redundant = ike_nonce_cmp(&mine, &rk->peer_min) < 0;
	chunk_clear(&mine);
	if (ours_redundant) {
		log_info("%s: simultaneous rekey of Child SA 0x%08x: ours (0x%08x) has the lowest "
		         "nonce, deleting it; keeping 0x%08x",
		         sa->tun->cfg.ifname, rk->old_spi, nc->spi_in, rk->peer_new_spi);
		nc->keep.replaced = true;
		nc->keep.successor = rk->peer_new_spi;
		if (c) { /* the peer deletes the old one */
			c->keep.replaced = true;
			c->keep.successor = rk->peer_new_spi;
		}
		/* Traffic stays on our pair (the peer installed it before it answered) until its
		 * Delete is answered: the peer may not have the survivor yet (our answer to its
		 * request can still be on the way), but it has by the time it answers that Delete,
		 * which travels behind our answer. Then ike_out_child_gone() moves to the survivor.
		 */
		ike_queue_task(sa, TASK_DELETE_CHILD, nc->spi_in);
		return;
	}
	log_info("%s: simultaneous rekey of Child SA 0x%08x: keeping ours (0x%08x), the peer "
	         "deletes 0x%08x",
	         sa->tun->cfg.ifname, rk->old_spi, nc->spi_in, rk->peer_new_spi);
	if (c) {
		c->keep.replaced = true;
		c->keep.successor = nc->spi_in;
		ike_queue_task(sa, TASK_DELETE_CHILD, c->spi_in);
	}
}

void ike_rekey_child_i_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_rekey *rk = sa->keep.rk;
	struct ike_ccsa_pl *p = malloc(sizeof(*p));
	struct chunk shared = CHUNK_EMPTY;
	struct ike_child *c, *nc;
	const char *why = NULL;
	uint16_t err;

	sa->keep.rk = NULL;
	ike_request_done(sa);
	if (!rk || rk->kind != TASK_REKEY_CHILD || !p) {
		ike_rekey_free(rk);
		goto out;
	}
	c = ike_child_find_in(sa, rk->old_spi); /* NULL when the peer deleted it meanwhile */
	nc = ike_child_find_in(sa, rk->new_spi);
	err = ike_first_error(m);
	if (err == N_INVALID_KE_PAYLOAD && retry_group(sa, c, m)) {
		rekey_abort(sa, rk, c);
		ike_queue_task(sa, TASK_REKEY_CHILD, c->spi_in);
		goto out;
	}
	if (err) {
		sa->ike->stats.rekeys_failed++;
		log_err("%s: peer refused the rekey of Child SA 0x%08x (%s); keeping it until its "
		        "hard lifetime",
		        sa->tun->cfg.ifname, rk->old_spi, ike_notify_name(err));
		if (err == N_TEMPORARY_FAILURE && c)
			ike_life_child_retry(c);
		rekey_abort(sa, rk, c);
		goto out;
	}
	if (!nc || ike_ccsa_parse(m, p) < 0)
		why = "malformed CREATE_CHILD_SA response";
	else
		why = accept_reply(sa, nc, rk, p, &shared);
	if (!why && ike_child_install_ex(nc, rk->group ? &shared : NULL, &rk->ni, &p->nonce, true,
	                                 false) < 0)
		why = "the data plane refused the new Child SA";
	chunk_clear(&shared);
	if (why) {
		sa->ike->stats.rekeys_failed++;
		log_err("%s: rekey of Child SA 0x%08x failed: %s", sa->tun->cfg.ifname, rk->old_spi,
		        why);
		rekey_abort(sa, rk, c);
		goto out;
	}
	sa->ike->stats.child_rekeys++;
	log_info("%s: Child SA rekeyed: 0x%08x/0x%08x -> 0x%08x/0x%08x%s", sa->tun->cfg.ifname,
	         rk->old_spi, c ? c->spi_out : 0, nc->spi_in, nc->spi_out,
	         rk->group ? " (PFS)" : "");
	if (c)
		c->keep.ke_retries = 0;
	if (rk->peer_new_spi && ike_child_find_in(sa, rk->peer_new_spi)) {
		resolve_collision(sa, rk, c, nc, &p->nonce);
	} else if (c) {
		c->keep.replaced = true;
		c->keep.successor = nc->spi_in;
		ike_queue_task(sa, TASK_DELETE_CHILD, c->spi_in);
	}
	ike_rekey_free(rk);
out:
	free(p);
	ike_run_queue(sa);
}

/* ---------------------------------------------------------------- responder */

/* The peer's Delete of the old pair should follow; if it does not, we delete it ourselves. */
static void orphan_fire(void *arg)
{
	struct ike_child *c = arg;
	c->keep.orphan_timer = 0;
	log_info("%s: peer did not delete the rekeyed Child SA 0x%08x, deleting it",
	         c->sa->tun->cfg.ifname, c->spi_in);
	ike_queue_task(c->sa, TASK_DELETE_CHILD, c->spi_in);
}

static uint32_t orphan_wait_ms(const struct ike *ike)
{
	uint64_t ms = 0;
	for (size_t i = 0; i < ike->timing.n_retx; i++)
		ms += ike->timing.retx_ms[i];
	return (uint32_t)(ms + 1000);
}

/* Selects the new Child SA; 0 or the error notify (with *ke_group for INVALID_KE_PAYLOAD). */
static uint16_t select_r(struct ike_sa *sa, const struct ike_ccsa_pl *p, struct ike_prop_sel *sel,
                         struct ike_prop_algs *a, uint16_t *ke_group)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours)), *peer = malloc(sizeof(*peer));
	const struct ike_cfg_tunnel *cfg = &sa->tun->cfg;
	uint16_t err = N_NO_PROPOSAL_CHOSEN;

	if (!ours || !peer)
		goto out;
	ike_prop_build_esp(cfg, 0, cfg->pfs_group, ours);
	if (ike_prop_select(ours, &p->sa, PROTO_ESP, sel) == 0 && sel->spi_len == 4 &&
	    ike_prop_algs(sel, a) == 0) {
		err = 0;
		if (a->dh && (!p->has_ke || p->ke.group != a->dh->id)) {
			*ke_group = a->dh->id;
			err = N_INVALID_KE_PAYLOAD;
		}
		goto out;
	}
	if (!cfg->pfs_group)
		goto out;
	/* everything but the group would do: tell the peer which group we want */
	*peer = p->sa;
	for (size_t i = 0; i < peer->n_prop; i++) {
		struct ike_proposal *q = &peer->prop[i];
		uint8_t k = 0;
		for (uint8_t j = 0; j < q->n_xf; j++)
			if (q->xf[j].type != XFORM_DH)
				q->xf[k++] = q->xf[j];
		q->n_xf = k;
	}
	ike_prop_build_esp(cfg, 0, 0, ours);
	if (ike_prop_select(ours, peer, PROTO_ESP, sel) == 0) {
		*ke_group = cfg->pfs_group;
		err = N_INVALID_KE_PAYLOAD;
	}
out:
	free(ours);
	free(peer);
	return err;
}

static int build_response(struct ike_sa *sa, struct ike_child *nc, struct ike_prop_sel *sel,
                          const struct chunk *nr, const struct dh *dh, uint32_t msg_id,
                          uint8_t **pkt)
{
	struct ike_sa_pl *one = malloc(sizeof(*one));
	struct ike_out o;
	int len = -1;

	if (!one || ike_out_begin(&o, sa, CREATE_CHILD_SA, true, msg_id, true) < 0)
		goto out;
	ike_put32(nc->spi_in, sel->spi);
	ike_prop_to_pl(sel, one);
	ike_add_sa(&o.b, one);
	ike_add_nonce(&o.b, nr->ptr, nr->len);
	if (dh)
		ike_add_ke_dh(&o.b, dh);
	ike_add_ts_pair(&o.b, &nc->ts_remote, &nc->ts_local);
	len = ike_out_end(&o, sa, pkt);
out:
	free(one);
	return len;
}

/* Why the rekey of c cannot be answered now, or 0. */
static uint16_t busy(const struct ike_sa *sa, const struct ike_child *c, bool collision)
{
	if (!c)
		return N_CHILD_SA_NOT_FOUND;
	if (sa->state != IKE_S_ESTABLISHED && !collision)
		return N_TEMPORARY_FAILURE; /* our IKE SA rekey (or Delete) is under way */
	if (!collision && (c->state != CHILD_S_INSTALLED || c->keep.replaced))
		return N_TEMPORARY_FAILURE;
	return 0;
}

void ike_rekey_child_r(struct ike_sa *sa, const struct ike_msg *m, uint32_t spi_out)
{
	struct ike_ccsa_pl *p = malloc(sizeof(*p));
	struct ike_child *c = ike_child_find_out(sa, spi_out), *nc = NULL;
	struct ike_rekey *rk = sa->keep.rk;
	struct chunk nr = CHUNK_EMPTY, shared = CHUNK_EMPTY;
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	struct dh *dh = NULL;
	struct ike_ts all;
	uint32_t id = m->hdr.msg_id;
	uint16_t err, group = 0;
	uint8_t *pkt = NULL;
	int len;

	bool collision = c && rk && rk->kind == TASK_REKEY_CHILD && rk->old_spi == c->spi_in &&
	                 !rk->peer_new_spi;
	if (!p || !sa->tun || ike_ccsa_parse(m, p) < 0 || !p->has_ts) {
		ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
		goto out;
	}
	if ((err = busy(sa, c, collision))) {
		log_info("IKE SA %u: peer's rekey of Child SA 0x%08x answered %s", sa->id, spi_out,
		         ike_notify_name(err));
		ike_ccsa_refuse(sa, id, err, err == N_CHILD_SA_NOT_FOUND ? spi_out : 0, NULL, 0);
		goto out;
	}
	if ((err = select_r(sa, p, &sel, &a, &group))) {
		uint8_t g[2] = {group >> 8, group & 0xff};
		bool ke = err == N_INVALID_KE_PAYLOAD;
		log_info("%s: peer's rekey of Child SA 0x%08x refused: %s", sa->tun->cfg.ifname,
		         c->spi_in, ike_notify_name(err));
		ike_ccsa_refuse(sa, id, err, 0, ke ? g : NULL, ke ? 2 : 0);
		goto out;
	}
	ike_ts_all(&all);
	nc = ike_child_new(sa);
	if (!nc || ike_ts_narrow(&all, &p->tsi, &nc->ts_remote) < 0 ||
	    ike_ts_narrow(&all, &p->tsr, &nc->ts_local) < 0) {
		ike_ccsa_refuse(sa, id, N_TS_UNACCEPTABLE, 0, NULL, 0);
		goto out;
	}
	nc->spi_out = ike_spi32(sel.spi);
	nc->encr = a.encr;
	nc->integ = a.integ;
	if (a.dh && ike_rekey_dh_r(sa, a.dh, &p->ke, &dh, &shared) < 0) {
		ike_ccsa_refuse(sa, id, N_INVALID_SYNTAX, 0, NULL, 0);
		goto out;
	}
	if (!chunk_alloc(&nr, IKE_NONCE_LEN) || crypto_random(nr.ptr, nr.len) < 0 ||
	    (len = build_response(sa, nc, &sel, &nr, dh, id, &pkt)) < 0) {
		ike_ccsa_refuse(sa, id, N_TEMPORARY_FAILURE, 0, NULL, 0);
		goto out;
	}
	/* The new inbound SA is in the data plane before the answer leaves: the initiator sends on
	 * the new pair as soon as it has the answer, and ESP does not wait for our event loop. */
	if (ike_child_install_ex(nc, a.dh ? &shared : NULL, &p->nonce, &nr, false, true) < 0) {
		log_err("%s: data plane refused the rekeyed Child SA", sa->tun->cfg.ifname);
		free(pkt);
		ike_ccsa_refuse(sa, id, N_TEMPORARY_FAILURE, 0, NULL, 0);
		goto out;
	}
	ike_send_response(sa, id, pkt, (size_t)len);
	sa->ike->stats.child_rekeys++;
	log_info("%s: Child SA rekeyed by peer: 0x%08x/0x%08x -> 0x%08x/0x%08x%s",
	         sa->tun->cfg.ifname, c->spi_in, c->spi_out, nc->spi_in, nc->spi_out,
	         a.dh ? " (PFS)" : "");
	struct ike_child *made = nc;
	nc = NULL; /* installed: it lives on */
	if (collision) {
		rk->peer_new_spi = made->spi_in;
		ike_nonce_min(&p->nonce, &nr, &rk->peer_min);
		goto out; /* decided when our own exchange completes */
	}
	c->keep.replaced = true;
	c->keep.successor = made->spi_in;
	ike_child_set_state(c, CHILD_S_REKEYING);
	c->keep.orphan_timer =
	    loop_timer_add(sa->ike->loop, orphan_wait_ms(sa->ike), orphan_fire, c);
out:
	if (nc)
		ike_child_destroy(nc);
	dh_free(dh);
	chunk_clear(&shared);
	chunk_clear(&nr);
	free(p);
}
