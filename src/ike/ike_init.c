/*
 * IKE_SA_INIT (RFC 7296 §1.2, §2.6, §2.7, §2.23): initiator and responder halves.
 *
 *   Initiator                         Responder
 *   HDR, [N(COOKIE),] SA, KE, Ni,
 *        N(NAT_DETECTION_*) x2  -->
 *                                <--  HDR, SA, KE, Nr, N(NAT_DETECTION_*) x2
 *   or                           <--  HDR, N(INVALID_KE_PAYLOAD | NO_PROPOSAL_CHOSEN | COOKIE)
 *
 * Error answers of the responder keep no state. The initiator restarts at most
 * IKE_INIT_MAX_RETRIES times (COOKIE, INVALID_KE_PAYLOAD) with the same SPIi.
 *
 * The ECDH operations (our key pair, the shared secret) are jobs for ike_work: with P-384 or
 * P-521 they run on a worker thread and the exchange goes on in the job's done() callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "ike/ike_keys.h"
#include "ike/ike_nat.h"
#include "ike/ike_prop.h"
#include "util/log.h"
#include "util/loop.h"

#define IKE_INIT_MAX_RETRIES 3

static void addr_str(uint32_t a, char *out)
{
	const uint8_t *b = (const uint8_t *)&a;
	snprintf(out, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* ECDH of IKE_SA_INIT as an ike_work job: our key pair when dh is NULL, then with the
 * peer's KE (when peer_len > 0) the shared secret. run() touches nothing but the job. */
struct dh_job {
	struct ike_job j;
	const struct dh_alg *alg;
	struct dh *dh;
	uint8_t peer[IKE_MAX_KE];
	size_t peer_len;
	bool bad_ke; /* longer than any group's KE */
	struct chunk shared;
	int rc;
	struct ike_prop_sel sel; /* responder: the proposal its answer carries */
	bool nat;                /* responder: the answer carries NAT detection */
};

static void dh_job_run(struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	if (!d->dh)
		d->dh = dh_new(d->alg);
	d->rc = d->dh && !d->bad_ke ? 0 : -1;
	if (d->rc == 0 && d->peer_len)
		d->rc = dh_derive(d->dh, d->peer, d->peer_len, &d->shared);
}

static void dh_job_free(struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	chunk_clear(&d->shared);
	dh_free(d->dh);
	free(d);
}

/* Takes dh (may be NULL: a new key pair); ke NULL for the key pair only. */
static struct dh_job *dh_job_new(const struct dh_alg *alg, struct dh *dh,
                                 const struct ike_ke_pl *ke,
                                 void (*done)(struct ike_sa *, struct ike_job *))
{
	struct dh_job *d = alg ? calloc(1, sizeof(*d)) : NULL;
	if (!d) {
		dh_free(dh);
		return NULL;
	}
	d->j.kind = ike_job_kind_dh(alg->id, ke != NULL);
	d->j.run = dh_job_run;
	d->j.done = done;
	d->j.free = dh_job_free;
	d->alg = alg;
	d->dh = dh;
	if (ke && ke->len > sizeof(d->peer)) {
		d->bad_ke = true;
	} else if (ke) {
		memcpy(d->peer, ke->data, ke->len);
		d->peer_len = ke->len;
	}
	return d;
}

/* ---------------------------------------------------------------- initiator */

static int add_ke(struct ike_builder *b, struct ike_sa *sa)
{
	uint8_t pub[160];
	const struct dh_alg *a = dh_alg_of(sa->dhctx);
	if (a->pub_len > sizeof(pub) || dh_public(sa->dhctx, pub, a->pub_len) < 0)
		return -1;
	return ike_add_ke(b, a->id, pub, a->pub_len);
}

static bool force_encap(const struct ike_sa *sa)
{
	return sa->tun && sa->tun->cfg.force_encap;
}

static int build_init_req(struct ike_sa *sa, const struct ike_sa_pl *ours, uint8_t **pkt)
{
	struct ike_out o;
	if (ike_out_begin(&o, sa, IKE_SA_INIT, false, 0, false) < 0)
		return -1;
	struct ike_builder *b = &o.b;
	if (sa->cookie.len)
		ike_add_notify(b, 0, NULL, 0, N_COOKIE, sa->cookie.ptr, sa->cookie.len);
	ike_add_sa(b, ours);
	add_ke(b, sa);
	ike_add_nonce(b, sa->ni.ptr, sa->ni.len);
	if (ike_nat_add(b, sa->spi_i, sa->spi_r, sa->local, sa->lport, sa->remote, sa->rport,
	                force_encap(sa)) < 0 ||
	    ike_cert_init_add(b, sa, false) < 0) {
		ike_out_abort(&o);
		return -1;
	}
	/* The builder is sticky on failure: ike_out_end reports any earlier error. */
	return ike_out_end(&o, sa, pkt);
}

/* Sends the IKE_SA_INIT request once our key pair exists. */
static void init_send(struct ike_sa *sa)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	uint8_t *pkt = NULL;
	int len = -1;

	if (ours && ike_prop_build_ike(&sa->tun->cfg, ours) && sa->dhctx &&
	    (sa->ni.len ||
	     (chunk_alloc(&sa->ni, IKE_NONCE_LEN) && crypto_random(sa->ni.ptr, sa->ni.len) == 0)))
		len = build_init_req(sa, ours, &pkt);
	free(ours);
	if (len < 0) {
		ike_sa_destroy(sa, "Cannot build IKE_SA_INIT", true);
		return;
	}
	chunk_clear(&sa->msg1);
	chunk_dup(&sa->msg1, pkt, (size_t)len);
	if (sa->state == IKE_S_NEW)
		ike_sa_set_state(sa, IKE_S_INIT_SENT);
	log_info("%s: initiating IKE SA %u (DH group %u)", sa->tun->cfg.ifname, sa->id,
	         sa->ke_group);
	ike_send_request(sa, (struct ike_task_req){TASK_INIT, 0}, pkt, (size_t)len);
}

static void init_keygen_done(struct ike_sa *sa, struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	sa->dhctx = d->dh;
	d->dh = NULL;
	init_send(sa);
}

void ike_init_start(struct ike_sa *sa)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));

	if (!ours || !ike_prop_build_ike(&sa->tun->cfg, ours)) {
		free(ours);
		ike_sa_destroy(sa, "No usable IKE proposal configured", true);
		return;
	}
	if (!sa->ke_group)
		sa->ke_group = ike_prop_first_dh(ours);
	free(ours);
	/* After a COOKIE the retry carries the same KE (RFC 7296 §2.6: "all other payloads
	 * unchanged"): a fresh key would not match the responder's state if it answers a copy
	 * of the earlier request. Only INVALID_KE_PAYLOAD (another group) makes a new one. */
	if (sa->dhctx && dh_alg_of(sa->dhctx)->id == sa->ke_group) {
		init_send(sa);
		return;
	}
	dh_free(sa->dhctx);
	sa->dhctx = NULL;
	/* after INVALID_KE_PAYLOAD: the refused request is not sent again while the key is made */
	loop_timer_cancel(sa->ike->loop, sa->req_timer);
	sa->req_timer = 0;
	if ((sa->dhctx = ike_keypool_take(sa->ike, sa->ke_group))) {
		init_send(sa);
		return;
	}
	struct dh_job *d = dh_job_new(crypto_dh(sa->ke_group), NULL, NULL, init_keygen_done);
	if (!d)
		init_send(sa); /* no key pair: fails and says so */
	else
		ike_work_submit(sa, &d->j);
}

/* COOKIE or INVALID_KE_PAYLOAD: start over; returns true when the SA was restarted. */
static bool init_restart(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify_pl n;
	char why[64];

	if (ike_find_notify(m, N_COOKIE, &n)) {
		if (n.len < 1 || n.len > 64)
			return false;
		/* The same cookie again answers a copy of our request sent before we had it: the
		 * request with the cookie is already out (and retransmitted): nothing to do. */
		if (sa->cookie.len == n.len && memcmp(sa->cookie.ptr, n.data, n.len) == 0)
			return true;
		chunk_clear(&sa->cookie);
		chunk_dup(&sa->cookie, n.data, n.len);
		log_info("%s: responder asked for a COOKIE, retrying", sa->tun->cfg.ifname);
	} else if (ike_find_notify(m, N_INVALID_KE_PAYLOAD, &n)) {
		struct ike_sa_pl ours;
		uint16_t g = n.len == 2 ? (uint16_t)(n.data[0] << 8 | n.data[1]) : 0;
		ike_prop_build_ike(&sa->tun->cfg, &ours);
		if (!g || g == sa->ke_group || !ike_prop_has_dh(&ours, g)) {
			snprintf(why, sizeof(why), "Peer wants DH group %u, not configured", g);
			log_err(
			    "%s: INVALID_KE_PAYLOAD: responder wants DH group %u, which is not in "
			    "our proposals",
			    sa->tun->cfg.ifname, g);
			ike_sa_destroy(sa, why, true);
			return true;
		}
		log_info("%s: INVALID_KE_PAYLOAD: retrying with DH group %u", sa->tun->cfg.ifname,
		         g);
		sa->ke_group = g;
	} else {
		return false;
	}
	if (++sa->init_retries > IKE_INIT_MAX_RETRIES) {
		ike_sa_destroy(sa, "Too many IKE_SA_INIT restarts", true);
		return true;
	}
	ike_init_start(sa);
	return true;
}

static void init_error(struct ike_sa *sa, uint16_t err)
{
	char why[48];
	if (err == N_NO_PROPOSAL_CHOSEN) {
		log_err("%s: peer rejected our IKE proposals (NO_PROPOSAL_CHOSEN)",
		        sa->tun->cfg.ifname);
		sa->ike->stats.no_proposal++;
	} else {
		log_err("%s: IKE_SA_INIT failed: peer sent %s", sa->tun->cfg.ifname,
		        ike_notify_name(err));
	}
	snprintf(why, sizeof(why), "Peer: %s", ike_notify_name(err));
	ike_sa_destroy(sa, why, true);
}

struct init_pl {
	struct ike_sa_pl sa;
	struct ike_ke_pl ke;
	const uint8_t *nonce;
	size_t nonce_len;
};

static int parse_init(const struct ike_msg *m, struct init_pl *p)
{
	const struct ike_payload *sa = ike_msg_find(m, PL_SA), *ke = ike_msg_find(m, PL_KE),
	                         *no = ike_msg_find(m, PL_NONCE);
	if (!sa || !ke || !no)
		return -1;
	if (ike_parse_sa(sa, &p->sa) < 0 || ike_parse_ke(ke, &p->ke) < 0 ||
	    ike_parse_nonce(no, &p->nonce, &p->nonce_len) < 0)
		return -1;
	if (p->nonce_len < IKE_MIN_NONCE || p->nonce_len > IKE_MAX_NONCE)
		return -1;
	return 0;
}

static void apply_algs(struct ike_sa *sa, const struct ike_prop_algs *a)
{
	sa->encr = a->encr;
	sa->integ = a->integ;
	sa->prf = a->prf;
	sa->dh = a->dh;
}

/* Returns true when the peer sent NAT detection notifies. */
static bool nat_apply(struct ike_sa *sa, const struct ike_msg *m, uint16_t lport, uint16_t rport)
{
	struct ike_nat_result r;
	ike_nat_check(m, sa->spi_i, sa->initiator ? sa->spi_r : (const uint8_t[8]){0}, sa->local,
	              lport, sa->remote, rport, &r);
	sa->nat_local = r.nat_local;
	sa->nat_remote = r.nat_remote;
	if (r.present && (r.nat_local || r.nat_remote)) {
		sa->natt = true;
		log_info("IKE SA %u: NAT detected (%s%s), using UDP %u", sa->id,
		         r.nat_local ? "local" : "", r.nat_remote ? " remote" : "", IKE_NATT_PORT);
	} else if (r.present && force_encap(sa)) {
		sa->natt = true; /* the peer saw our fake NAT and floats as well */
		log_info("IKE SA %u: nat force-encap, using UDP %u", sa->id, IKE_NATT_PORT);
	}
	return r.present;
}

/* SK_* from the shared secret (the private key went with the job), then IKE_AUTH. */
static void init_i_keys_done(struct ike_sa *sa, struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	if (d->rc < 0 || ike_keys_install(sa, &d->shared) < 0) {
		log_err("%s: key derivation failed (bad KE from peer?)", sa->tun->cfg.ifname);
		ike_sa_destroy(sa, "Key derivation failed", true);
		return;
	}
	if (sa->natt)
		sa->lport = sa->rport = IKE_NATT_PORT;
	ike_sa_set_state(sa, IKE_S_AUTH_SENT);
	ike_auth_start(sa);
}

void ike_init_i_response(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *pkt, size_t len)
{
	struct init_pl *p = malloc(sizeof(*p));
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	uint16_t err;
	const char *why = NULL;

	if (!p || !ours)
		goto out_free;
	if (init_restart(sa, m))
		goto out_free;
	if ((err = ike_first_error(m))) {
		init_error(sa, err);
		goto out_free;
	}
	ike_prop_build_ike(&sa->tun->cfg, ours);
	if (parse_init(m, p) < 0)
		why = "Malformed IKE_SA_INIT response";
	else if (ike_prop_check_reply(ours, &p->sa, PROTO_IKE, &sel) < 0 ||
	         ike_prop_algs(&sel, &a) < 0)
		why = "Responder chose a proposal we did not offer";
	else if (!a.dh || a.dh->id != sa->ke_group || p->ke.group != sa->ke_group)
		why = "Responder's DH group does not match our KE";
	if (why) {
		log_err("%s: %s", sa->tun->cfg.ifname, why);
		ike_sa_destroy(sa, why, true);
		goto out_free;
	}
	apply_algs(sa, &a);
	ike_cert_init_peer(sa, m);
	memcpy(sa->spi_r, m->hdr.spi_r, 8);
	chunk_dup(&sa->nr, p->nonce, p->nonce_len);
	nat_apply(sa, m, sa->lport, sa->rport);
	struct dh_job *d = NULL;
	if (sa->dhctx && sa->nr.ptr && chunk_dup(&sa->msg2, pkt, len))
		d = dh_job_new(sa->dh, sa->dhctx, &p->ke, init_i_keys_done);
	sa->dhctx = NULL; /* the job's now (or freed) */
	if (!d) {
		log_err("%s: key derivation failed (out of memory)", sa->tun->cfg.ifname);
		ike_sa_destroy(sa, "Key derivation failed", true);
		goto out_free;
	}
	/* The answer is in: no more retransmissions, and copies of it are dropped from here. */
	ike_request_done(sa);
	ike_work_submit(sa, &d->j);
out_free:
	free(p);
	free(ours);
}

/* ---------------------------------------------------------------- responder */

/* An answer that creates no state: header copied from the request, SPIr zero. */
static void init_reject(struct ike *ike, const uint8_t spi_i[8], uint16_t type, const uint8_t *data,
                        size_t dlen, uint32_t local, uint16_t lport, uint32_t remote,
                        uint16_t rport)
{
	struct ike_hdr h = {
	    .version = IKE_VERSION, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_RESPONSE};
	struct ike_builder b;
	uint8_t buf[128];

	memcpy(h.spi_i, spi_i, 8);
	ike_build_begin(&b, buf, sizeof(buf), &h);
	ike_add_notify(&b, 0, NULL, 0, type, data, dlen);
	int len = ike_build_end(&b);
	if (len > 0)
		ike_io_send(ike, buf, (size_t)len, local, lport, remote, rport);
}

static void half_open_expired(void *arg)
{
	struct ike_sa *sa = arg;
	sa->half_open_timer = 0;
	log_err("IKE SA %u: peer never completed IKE_AUTH", sa->id);
	ike_sa_destroy(sa, "Half-open timeout", true);
}

static int build_init_resp(struct ike_sa *sa, const struct ike_prop_sel *sel, bool nat,
                           uint8_t **pkt)
{
	struct ike_sa_pl *one = malloc(sizeof(*one));
	struct ike_out o;
	int len = -1;

	if (one && ike_out_begin(&o, sa, IKE_SA_INIT, true, 0, false) == 0) {
		ike_prop_to_pl(sel, one);
		ike_add_sa(&o.b, one);
		add_ke(&o.b, sa);
		ike_add_nonce(&o.b, sa->nr.ptr, sa->nr.len);
		if (nat)
			ike_nat_add(&o.b, sa->spi_i, sa->spi_r, sa->local, sa->lport, sa->remote,
			            sa->rport, force_encap(sa));
		ike_cert_init_add(&o.b, sa, true);
		len = ike_out_end(&o, sa, pkt);
	}
	free(one);
	return len;
}

static void init_r_fail(struct ike_sa *sa)
{
	log_err("%s: cannot answer IKE_SA_INIT (bad KE from peer?)", sa->tun->cfg.ifname);
	init_reject(sa->ike, sa->spi_i, N_INVALID_SYNTAX, NULL, 0, sa->local, sa->lport, sa->remote,
	            sa->rport);
	ike_sa_destroy(sa, "Key exchange failed", true);
}

/* Sends our answer (rlen bytes at resp, ours to free; rlen < 0: none could be built) and keeps
 * it for AUTH; otherwise refuses the request and destroys sa. Returns whether it was sent. */
static bool init_r_send(struct ike_sa *sa, uint8_t *resp, int rlen, const char *how)
{
	if (rlen < 0 || !chunk_dup(&sa->msg2, resp, (size_t)rlen)) {
		free(resp);
		init_r_fail(sa);
		return false;
	}
	ike_sa_set_state(sa, IKE_S_INIT_DONE);
	/* info-level news is the "IKE SA up" line after IKE_AUTH, with the same algorithms */
	log_debug("%s: IKE_SA_INIT from peer answered (IKE SA %u, %s/%u, %s, DH %u%s)",
	          sa->tun->cfg.ifname, sa->id, sa->encr->name, sa->encr->key_bits, sa->prf->name,
	          sa->dh->id, how);
	ike_send_response(sa, 0, resp, (size_t)rlen);
	return true;
}

/* The job made our key pair and the shared secret: answer with our KE, derive SK_*. */
static void init_r_answer(struct ike_sa *sa, struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	uint8_t *resp = NULL;
	int rlen = -1;

	sa->dhctx = d->dh; /* for our public value in the answer; freed right after */
	d->dh = NULL;
	if (d->rc == 0) {
		rlen = build_init_resp(sa, &d->sel, d->nat, &resp);
		if (rlen > 0 && ike_keys_install(sa, &d->shared) < 0)
			rlen = -1;
	}
	dh_free(sa->dhctx);
	sa->dhctx = NULL;
	init_r_send(sa, resp, rlen, "");
}

/* The shared secret of an SA that has answered already (init_r_early): SK_*, then the
 * messages that came while it was being derived. */
static void init_r_keys_done(struct ike_sa *sa, struct ike_job *j)
{
	struct dh_job *d = (struct dh_job *)j;
	sa->keys_pending = false;
	if (d->rc < 0 || ike_keys_install(sa, &d->shared) < 0) {
		log_err("%s: key derivation failed", sa->tun->cfg.ifname);
		ike_sa_destroy(sa, "Key derivation failed", true);
		return;
	}
	ike_held_replay(sa);
}

/* With a key pair made ahead: the answer goes out first, and the shared secret is derived
 * while it travels (the initiator derives the same one meanwhile). The peer's KE is checked
 * before answering, so a bad one is refused as on the other path. */
static void init_r_early(struct ike_sa *sa, struct dh_job *d, const struct ike_ke_pl *ke)
{
	uint8_t *resp = NULL;
	int rlen = -1;

	if (!d->bad_ke && dh_peer_check(d->alg, ke->data, ke->len) == 0) {
		sa->dhctx = d->dh; /* for our public value in the answer */
		rlen = build_init_resp(sa, &d->sel, d->nat, &resp);
		sa->dhctx = NULL;
	}
	if (!init_r_send(sa, resp, rlen, ", key made ahead")) {
		d->j.free(&d->j);
		return;
	}
	d->j.done = init_r_keys_done;
	sa->keys_pending = true;
	ike_work_submit(sa, &d->j);
}

/* Creates the responder SA once the request is acceptable; it is half open (copies of the
 * request are recognised, the limits count it) while its ECDH runs. */
static void init_r_accept(struct ike *ike, struct ike_tunnel *tun, const struct ike_msg *m,
                          const struct init_pl *p, const struct ike_prop_sel *sel,
                          const struct ike_prop_algs *a, const uint8_t *pkt, size_t len,
                          uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
	struct ike_sa *sa = ike_sa_new(ike, tun, false);
	struct dh_job *d = NULL;

	if (!sa)
		return;
	memcpy(sa->spi_i, m->hdr.spi_i, 8);
	sa->local = local, sa->lport = lport, sa->remote = remote, sa->rport = rport;
	apply_algs(sa, a);
	ike_cert_init_peer(sa, m);
	sa->ke_group = a->dh->id;
	if (chunk_dup(&sa->ni, p->nonce, p->nonce_len) && chunk_alloc(&sa->nr, IKE_NONCE_LEN) &&
	    crypto_random(sa->nr.ptr, sa->nr.len) == 0 && chunk_dup(&sa->msg1, pkt, len))
		d = dh_job_new(a->dh, ike_keypool_take(ike, a->dh->id), &p->ke, init_r_answer);
	if (!d) {
		init_r_fail(sa);
		return;
	}
	d->sel = *sel;
	d->nat = nat_apply(sa, m, lport, rport);
	ike_sa_add_half(sa);
	sa->half_open_timer =
	    loop_timer_add(ike->loop, ike->timing.half_open_ms, half_open_expired, sa);
	if (d->dh)
		init_r_early(sa, d, &p->ke);
	else
		ike_work_submit(sa, &d->j);
}

/* m is the request that made sa, sent again with a valid COOKIE of ours: same nonce (and, per
 * §2.6, every other payload unchanged; a changed KE would only fail IKE_AUTH). */
static bool cookie_retry_of(struct ike *ike, const struct ike_sa *sa, const struct ike_msg *m,
                            uint32_t remote)
{
	const uint8_t *ni;
	size_t ni_len;
	return ike_cookie_valid(ike, m, remote, &ni, &ni_len) && ni_len == sa->ni.len &&
	       memcmp(ni, sa->ni.ptr, ni_len) == 0;
}

static struct ike_sa *init_retransmit(struct ike *ike, const uint8_t *pkt, size_t len,
                                      const struct ike_msg *m, uint32_t remote, uint16_t rport)
{
	struct ike_sa *sa = ike_sa_find_half(ike, m->hdr.spi_i, remote, rport);
	if (!sa)
		return NULL;
	bool same = sa->msg1.len == len && memcmp(sa->msg1.ptr, pkt, len) == 0;
	if (!same && cookie_retry_of(ike, sa, m, remote)) {
		/* One copy of the initiator's request got a COOKIE (we were above the threshold),
		 * another copy made this SA (we were below it by then). The initiator has retried
		 * with the cookie and will sign that message in IKE_AUTH (§2.15): so do we. */
		struct chunk m1 = CHUNK_EMPTY;
		if (chunk_dup(&m1, pkt, len)) {
			chunk_clear(&sa->msg1);
			sa->msg1 = m1;
			same = true;
			log_debug(
			    "IKE SA %u: initiator retried with our COOKIE: its request replaced",
			    sa->id);
		}
	}
	if (sa->resp_pkt && same) {
		ike->stats.rx_retransmits++;
		log_debug("IKE SA %u: IKE_SA_INIT retransmission answered from cache", sa->id);
		ike_io_send(ike, sa->resp_pkt, sa->resp_len, sa->local, sa->lport, sa->remote,
		            sa->rport);
	} else {
		ike->stats.rx_dropped_msgid++;
	}
	return sa;
}

void ike_init_r(struct ike *ike, const struct ike_msg *m, const uint8_t *pkt, size_t len,
                uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
	struct init_pl *p = malloc(sizeof(*p));
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	struct ike_tunnel *tun;
	char peer[16];

	addr_str(remote, peer);
	if (!p || !ours || init_retransmit(ike, pkt, len, m, remote, rport))
		goto out;
	if (!ike_dos_admit(ike, m, local, lport, remote, rport))
		goto out; /* COOKIE sent or half-open limit reached: no state (issue 6) */
	tun = ike_tunnel_by_addr(ike, local, remote);
	if (tun && ike_cert_tunnel_failed(tun) && tun->creds) {
		log_err("IKE_SA_INIT from %s refused: %s trustpoint unusable: %s", peer,
		        tun->cfg.ifname, tun->creds->err);
		init_reject(ike, m->hdr.spi_i, N_NO_PROPOSAL_CHOSEN, NULL, 0, local, lport, remote,
		            rport);
		goto out;
	}
	if (!tun || !ike_tunnel_wanted(tun)) {
		static struct log_limit lim;
		ike->stats.rx_dropped_unknown_peer++;
		log_err_limited(&lim, "IKE_SA_INIT from %s: no tunnel configured for this peer",
		                peer);
		init_reject(ike, m->hdr.spi_i, N_NO_PROPOSAL_CHOSEN, NULL, 0, local, lport, remote,
		            rport);
		goto out;
	}
	if (parse_init(m, p) < 0) {
		static struct log_limit lim;
		ike->stats.rx_dropped_malformed++;
		log_err_limited(&lim, "IKE_SA_INIT from %s: SA, KE or Nonce missing or malformed",
		                peer);
		init_reject(ike, m->hdr.spi_i, N_INVALID_SYNTAX, NULL, 0, local, lport, remote,
		            rport);
		goto out;
	}
	ike_prop_build_ike(&tun->cfg, ours);
	if (ike_prop_select(ours, &p->sa, PROTO_IKE, &sel) < 0 || ike_prop_algs(&sel, &a) < 0 ||
	    !a.dh) {
		ike->stats.no_proposal++;
		log_err("IKE_SA_INIT from %s: none of its %u proposals matches %s's IKE proposals",
		        peer, p->sa.n_prop, tun->cfg.ifname);
		init_reject(ike, m->hdr.spi_i, N_NO_PROPOSAL_CHOSEN, NULL, 0, local, lport, remote,
		            rport);
		goto out;
	}
	if (p->ke.group != a.dh->id) {
		uint8_t g[2] = {a.dh->id >> 8, a.dh->id & 0xff};
		log_info("IKE_SA_INIT from %s: KE is group %u, we want %u (INVALID_KE_PAYLOAD)",
		         peer, p->ke.group, a.dh->id);
		init_reject(ike, m->hdr.spi_i, N_INVALID_KE_PAYLOAD, g, 2, local, lport, remote,
		            rport);
		goto out;
	}
	init_r_accept(ike, tun, m, p, &sel, &a, pkt, len, local, lport, remote, rport);
out:
	free(p);
	free(ours);
}
