/*
 * IKE_AUTH with pre-shared keys or RSA signatures (RFC 7296 §1.2, §2.15, RFC 7427; the
 * certificate work is in ike_cert*.c / ike_sig.c) and the first Child SA (§1.3, §2.9):
 * initiator and responder halves. Each side may use a different method.
 *
 *   Initiator                                     Responder
 *   HDR, SK {IDi, [N(INITIAL_CONTACT)], AUTH,
 *            SAi2, TSi, TSr}               -->
 *                                          <--    HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
 *                                                 (or IDr, AUTH, N(child error); or
 *                                                  N(AUTHENTICATION_FAILED) alone)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_cert.h"
#include "ike/ike_int.h"
#include "ike/ike_keys.h"
#include "ike/ike_prop.h"
#include "ike/ike_ts.h"
#include "util/log.h"
#include "util/loop.h"

#define ID_BODY_MAX 512 /* type, 3 reserved, data (an IPv4 address, FQDN or DER DN) */

static void id_text(const struct ike_id_pl *id, char *out, size_t len)
{
	if (id->type == ID_IPV4_ADDR && id->len == 4)
		snprintf(out, len, "%u.%u.%u.%u", id->data[0], id->data[1], id->data[2],
		         id->data[3]);
	else if (id->type == ID_FQDN)
		snprintf(out, len, "%.*s", (int)(id->len < 63 ? id->len : 63),
		         (const char *)id->data);
	else if (!out[0]) /* a DN was written by the certificate check */
		snprintf(out, len, "<ID type %u>", id->type);
}

/* With RSA, our signature is an ike_work job (on a worker when RSA signing is costly); the
 * responder's job also carries what its answer needs once signed. */
struct auth_job {
	struct ike_sig_job sig; /* first: the job itself */
	uint32_t msg_id;
	struct ike_child *c; /* the SA's, not the job's */
	uint16_t child_err;
	struct ike_prop_sel sel;
};

static void auth_job_free(struct ike_job *j)
{
	ike_sig_job_clear((struct ike_sig_job *)j);
	free(j);
}

static struct auth_job *auth_job_new(struct ike_sa *sa,
                                     void (*done)(struct ike_sa *, struct ike_job *))
{
	uint8_t idb[ID_BODY_MAX];
	size_t idl;
	struct auth_job *aj = calloc(1, sizeof(*aj));

	if (!aj)
		return NULL;
	aj->sig.j.done = done;
	aj->sig.j.free = auth_job_free;
	if (ike_cert_local_id(sa, idb, sizeof(idb), &idl, sa->local_id, sizeof(sa->local_id)) < 0 ||
	    ike_sig_job_init(sa, &aj->sig, idb, idl) < 0) {
		auth_job_free(&aj->sig.j);
		return NULL;
	}
	return aj;
}

/* Our AUTH: the signature the job made (over the message we sent first, the peer's nonce and
 * our ID), or the MAC of the same with the PSK. Fills *method and auth (a new chunk). */
static int our_auth(struct ike_sa *sa, const struct auth_job *aj, const uint8_t *idb, size_t idl,
                    uint8_t *method, struct chunk *auth)
{
	const struct chunk *msg = sa->initiator ? &sa->msg1 : &sa->msg2;
	const struct chunk *nonce = sa->initiator ? &sa->nr : &sa->ni;
	const struct chunk *skp = sa->initiator ? &sa->sk_pi : &sa->sk_pr;

	if (sa->tun->cfg.auth_local == IKE_AUTH_RSA) {
		if (!aj || ike_sig_job_auth(&aj->sig, method, auth) < 0)
			return -1;
	} else {
		*method = AUTH_SHARED_KEY_MIC;
		if (!chunk_alloc(auth, sa->prf->out_len) ||
		    ike_keys_psk_auth(sa->prf, &sa->tun->cfg.psk_local, msg, nonce, skp, idb, idl,
		                      auth->ptr) < 0)
			return -1;
	}
	sa->auth_sent = *method;
	return 0;
}

/* Verifies the peer's identity against the profile and its AUTH (PSK in constant time, or
 * certificate and signature). Returns NULL when fine, else why not (for the log; may point
 * into why). */
static const char *check_peer(struct ike_sa *sa, const struct ike_msg *m,
                              const struct ike_id_pl *id, const struct ike_auth_pl *auth, char *why,
                              size_t why_len)
{
	const struct ike_cfg_tunnel *c = &sa->tun->cfg;
	uint8_t expect[64];

	sa->auth_rcvd = auth->method;
	if (auth->method == AUTH_RSA_SIG || auth->method == AUTH_DIGITAL_SIGNATURE)
		return ike_cert_check_peer(sa, m, id, auth, why, why_len);
	if (auth->method != AUTH_SHARED_KEY_MIC)
		return "peer uses an authentication method we do not support";
	if (!c->auth_remote_psk)
		return "peer uses pre-shared key, the profile does not accept it";
	if (!ike_cert_id_allowed(sa, id, NULL))
		return "peer identity not matched by the ikev2 profile";
	const struct chunk *msg = sa->initiator ? &sa->msg2 : &sa->msg1;
	const struct chunk *nonce = sa->initiator ? &sa->ni : &sa->nr;
	const struct chunk *skp = sa->initiator ? &sa->sk_pr : &sa->sk_pi;
	if (ike_keys_psk_auth(sa->prf, &c->psk_remote, msg, nonce, skp, id->raw, id->raw_len,
	                      expect) < 0)
		return "AUTH computation failed";
	bool ok = auth->len == sa->prf->out_len && chunk_eq_ct(auth->data, expect, auth->len);
	memwipe(expect, sizeof(expect));
	return ok ? NULL : "AUTH payload does not verify (pre-shared key mismatch)";
}

static int add_ts_pair(struct ike_builder *b, const struct ike_ts *tsi, const struct ike_ts *tsr)
{
	struct ike_ts_pl pl = {.n_ts = 1};
	pl.ts[0] = *tsi;
	if (ike_add_ts(b, PL_TSI, &pl) < 0)
		return -1;
	pl.ts[0] = *tsr;
	return ike_add_ts(b, PL_TSR, &pl);
}

/* ---------------------------------------------------------------- initiator */

/* Sends the IKE_AUTH request; aj holds our signature when we sign. */
static void auth_i_send(struct ike_sa *sa, const struct auth_job *aj)
{
	struct ike_sa_pl *esp = malloc(sizeof(*esp));
	struct ike_child *c = ike_child_new(sa);
	uint8_t idb[ID_BODY_MAX], method, *pkt = NULL;
	struct chunk auth = CHUNK_EMPTY;
	struct ike_ts all;
	struct ike_out o;
	size_t idl;
	int len = -1;

	if (!esp || !c || !ike_prop_build_esp(&sa->tun->cfg, c->spi_in, 0, esp) ||
	    ike_out_begin(&o, sa, IKE_AUTH, false, sa->req_next, true) < 0)
		goto out;
	sa->pending = c;
	ike_ts_all(&all);
	if (ike_cert_local_id(sa, idb, sizeof(idb), &idl, sa->local_id, sizeof(sa->local_id)) < 0 ||
	    our_auth(sa, aj, idb, idl, &method, &auth) < 0) {
		ike_out_abort(&o);
		goto out;
	}
	ike_add_id(&o.b, PL_IDI, idb[0], idb + 4, idl - 4);
	ike_cert_auth_add(&o.b, sa);
	if (!ike_tunnel_established(sa->tun, sa))
		ike_add_notify(&o.b, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	ike_add_auth(&o.b, method, auth.ptr, auth.len);
	ike_add_sa(&o.b, esp);
	add_ts_pair(&o.b, &all, &all);
	len = ike_out_end(&o, sa, &pkt);
out:
	chunk_clear(&auth);
	free(esp);
	if (len < 0) {
		ike_sa_destroy(sa, "Cannot build IKE_AUTH", true);
		return;
	}
	ike_send_request(sa, (struct ike_task_req){TASK_AUTH, 0}, pkt, (size_t)len);
}

static void auth_i_signed(struct ike_sa *sa, struct ike_job *j)
{
	auth_i_send(sa, (const struct auth_job *)j);
}

void ike_auth_start(struct ike_sa *sa)
{
	if (sa->tun->cfg.auth_local != IKE_AUTH_RSA) {
		auth_i_send(sa, NULL);
		return;
	}
	struct auth_job *aj = auth_job_new(sa, auth_i_signed);
	if (!aj) {
		ike_sa_destroy(sa, "Cannot build IKE_AUTH", true);
		return;
	}
	ike_work_submit(sa, &aj->sig.j);
}

struct auth_pl {
	struct ike_id_pl id;
	struct ike_auth_pl auth;
	struct ike_sa_pl sa;
	struct ike_ts_pl tsi, tsr;
	bool has_child; /* SA, TSi and TSr all present and parsed */
};

/* Returns -1 when ID or AUTH is missing or any present payload is malformed. */
static int parse_auth(const struct ike_msg *m, uint8_t id_type, struct auth_pl *p)
{
	const struct ike_payload *id = ike_msg_find(m, id_type), *au = ike_msg_find(m, PL_AUTH),
	                         *sa = ike_msg_find(m, PL_SA), *ti = ike_msg_find(m, PL_TSI),
	                         *tr = ike_msg_find(m, PL_TSR);
	if (!id || !au || ike_parse_id(id, &p->id) < 0 || ike_parse_auth(au, &p->auth) < 0)
		return -1;
	p->has_child = sa && ti && tr;
	if (p->has_child && (ike_parse_sa(sa, &p->sa) < 0 || ike_parse_ts(ti, &p->tsi) < 0 ||
	                     ike_parse_ts(tr, &p->tsr) < 0))
		return -1;
	return 0;
}

/* The responder's Child SA answer: returns NULL when accepted (child filled), else why not. */
static const char *child_i_accept(struct ike_sa *sa, struct ike_child *c, const struct auth_pl *p)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_prop_sel sel;
	struct ike_prop_algs a;
	struct ike_ts all;
	const char *why = NULL;

	ike_ts_all(&all);
	if (!ours)
		return "out of memory";
	ike_prop_build_esp(&sa->tun->cfg, c->spi_in, 0, ours);
	if (ike_prop_check_reply(ours, &p->sa, PROTO_ESP, &sel) < 0 || sel.spi_len != 4 ||
	    ike_prop_algs(&sel, &a) < 0)
		why = "responder chose an ESP proposal we did not offer";
	else if (p->tsi.n_ts < 1 || p->tsr.n_ts < 1 || !ike_ts_fits(&all, &p->tsi.ts[0]) ||
	         !ike_ts_fits(&all, &p->tsr.ts[0]))
		why = "responder's traffic selectors are unusable";
	free(ours);
	if (why)
		return why;
	c->spi_out = (uint32_t)sel.spi[0] << 24 | sel.spi[1] << 16 | sel.spi[2] << 8 | sel.spi[3];
	c->encr = a.encr;
	c->integ = a.integ;
	c->ts_local = p->tsi.ts[0];
	c->ts_remote = p->tsr.ts[0];
	return NULL;
}

static void auth_i_fail(struct ike_sa *sa, const char *why, bool auth)
{
	log_err("%s: IKE_AUTH failed: %s", sa->tun->cfg.ifname, why);
	if (auth)
		sa->ike->stats.auth_failed++;
	ike_sa_destroy(sa, why, true);
}

/* Tells the responder, once and unacknowledged, that its AUTH did not verify (§2.21.2). */
static void auth_i_notify_failure(struct ike_sa *sa)
{
	struct ike_out o;
	uint8_t *pkt;
	if (ike_out_begin(&o, sa, INFORMATIONAL, false, sa->req_next, true) < 0)
		return;
	ike_add_notify(&o.b, 0, NULL, 0, N_AUTHENTICATION_FAILED, NULL, 0);
	int len = ike_out_end(&o, sa, &pkt);
	if (len > 0) {
		ike_io_send(sa->ike, pkt, (size_t)len, sa->local, sa->lport, sa->remote, sa->rport);
		free(pkt);
	}
}

void ike_auth_i_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct auth_pl *p = malloc(sizeof(*p));
	struct ike_child *c = sa->pending;
	const char *why;
	char whyb[96];
	uint16_t err = ike_first_error(m);

	ike_request_done(sa);
	if (!p || !c) {
		auth_i_fail(sa, "internal error", false);
		goto out;
	}
	if (err == N_AUTHENTICATION_FAILED) {
		ike_cert_self_diag(sa, whyb, sizeof(whyb));
		auth_i_fail(sa, whyb, true);
		goto out;
	}
	if (parse_auth(m, PL_IDR, p) < 0) {
		auth_i_fail(sa, err ? ike_notify_name(err) : "malformed IKE_AUTH response", false);
		goto out;
	}
	if ((why = check_peer(sa, m, &p->id, &p->auth, whyb, sizeof(whyb)))) {
		auth_i_notify_failure(sa);
		auth_i_fail(sa, why, true);
		goto out;
	}
	id_text(&p->id, sa->remote_id, sizeof(sa->remote_id));
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	ike_sa_drop_init_material(sa);
	if (err || !p->has_child || (why = child_i_accept(sa, c, p))) {
		if (err == N_NO_PROPOSAL_CHOSEN)
			sa->ike->stats.no_proposal++;
		log_err("%s: Child SA not created: %s", sa->tun->cfg.ifname,
		        err   ? ike_notify_name(err)
		        : why ? why
		              : "no SA/TS in response");
		ike_child_destroy(c);
		snprintf(sa->why, sizeof(sa->why), "Child SA refused");
		sa->ike->stats.negotiations_failed++;
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
		goto out;
	}
	ike_sa_established(sa);
out:
	free(p);
}

/* ---------------------------------------------------------------- responder */

/* Selects the Child SA: returns 0 (child filled) or the error notify to answer with. */
static uint16_t child_r_select(struct ike_sa *sa, struct ike_child *c, const struct auth_pl *p,
                               struct ike_prop_sel *sel)
{
	struct ike_sa_pl *ours = malloc(sizeof(*ours));
	struct ike_prop_algs a;
	struct ike_ts all;
	uint16_t err = 0;

	ike_ts_all(&all);
	if (!ours)
		return N_NO_PROPOSAL_CHOSEN;
	ike_prop_build_esp(&sa->tun->cfg, c->spi_in, 0, ours);
	if (!p->has_child || ike_prop_select(ours, &p->sa, PROTO_ESP, sel) < 0 ||
	    sel->spi_len != 4 || ike_prop_algs(sel, &a) < 0) {
		log_err("%s: none of the peer's ESP proposals matches transform set(s) of %s",
		        sa->tun->cfg.ifname, sa->tun->cfg.ipsec_profile);
		err = N_NO_PROPOSAL_CHOSEN;
	} else if (ike_ts_narrow(&all, &p->tsi, &c->ts_remote) < 0 ||
	           ike_ts_narrow(&all, &p->tsr, &c->ts_local) < 0) {
		log_err("%s: peer's traffic selectors are not acceptable", sa->tun->cfg.ifname);
		err = N_TS_UNACCEPTABLE;
	}
	free(ours);
	if (err)
		return err;
	c->spi_out =
	    (uint32_t)sel->spi[0] << 24 | sel->spi[1] << 16 | sel->spi[2] << 8 | sel->spi[3];
	c->encr = a.encr;
	c->integ = a.integ;
	/* answer with our SPI in the chosen proposal */
	sel->spi[0] = c->spi_in >> 24;
	sel->spi[1] = c->spi_in >> 16;
	sel->spi[2] = c->spi_in >> 8;
	sel->spi[3] = c->spi_in;
	return 0;
}

static int build_auth_resp(struct ike_sa *sa, const struct auth_job *aj, struct ike_child *c,
                           uint16_t child_err, const struct ike_prop_sel *sel, uint8_t **pkt)
{
	struct ike_sa_pl *one = malloc(sizeof(*one));
	uint8_t idb[ID_BODY_MAX], method;
	struct chunk auth = CHUNK_EMPTY;
	struct ike_out o;
	size_t idl;
	int len = -1;

	if (!one ||
	    ike_cert_local_id(sa, idb, sizeof(idb), &idl, sa->local_id, sizeof(sa->local_id)) < 0 ||
	    our_auth(sa, aj, idb, idl, &method, &auth) < 0 ||
	    ike_out_begin(&o, sa, IKE_AUTH, true, 1, true) < 0)
		goto out;
	ike_add_id(&o.b, PL_IDR, idb[0], idb + 4, idl - 4);
	ike_cert_auth_add(&o.b, sa);
	ike_add_auth(&o.b, method, auth.ptr, auth.len);
	if (child_err) {
		ike_add_notify(&o.b, 0, NULL, 0, child_err, NULL, 0);
	} else {
		ike_prop_to_pl(sel, one);
		ike_add_sa(&o.b, one);
		add_ts_pair(&o.b, &c->ts_remote, &c->ts_local);
	}
	len = ike_out_end(&o, sa, pkt);
out:
	chunk_clear(&auth);
	free(one);
	return len;
}

static void auth_r_fail(struct ike_sa *sa, uint32_t msg_id, uint16_t type, const char *why)
{
	log_err("%s: IKE_AUTH from peer rejected: %s", sa->tun->cfg.ifname, why);
	if (type == N_AUTHENTICATION_FAILED)
		sa->ike->stats.auth_failed++;
	ike_respond_notify(sa, IKE_AUTH, msg_id, type, NULL, 0);
	ike_sa_destroy(sa, why, true);
}

/* The peer is authenticated and its Child SA chosen: answer (aj: our signature, when we sign),
 * install, and the IKE SA is up. */
static void auth_r_answer(struct ike_sa *sa, uint32_t msg_id, struct ike_child *c,
                          uint16_t child_err, const struct ike_prop_sel *sel,
                          const struct auth_job *aj)
{
	uint8_t *pkt = NULL;
	int len = build_auth_resp(sa, aj, c, child_err, sel, &pkt);
	if (len < 0) {
		auth_r_fail(sa, msg_id, N_INVALID_SYNTAX, "cannot build IKE_AUTH response");
		return;
	}
	/* The Child SA is in the data plane before the answer leaves (the initiator sends on it at
	 * once), unless this SA is a duplicate that loses (ike_estab.c); winning over an
	 * established one, it stays in standby until the loser's pair goes. */
	bool kept = true;
	bool dup = !child_err && ike_sa_duplicate(sa, &kept);
	bool early = !child_err && kept;
	int early_rc = early ? ike_child_install_ex(c, NULL, &sa->ni, &sa->nr, false, dup) : 0;
	ike_send_response(sa, msg_id, pkt, (size_t)len);
	loop_timer_cancel(sa->ike->loop, sa->half_open_timer);
	sa->half_open_timer = 0;
	ike_sa_del_half(sa);
	ike_sa_set_state(sa, IKE_S_ESTABLISHED);
	ike_sa_drop_init_material(sa);
	if (child_err) {
		if (c)
			ike_child_destroy(c);
		snprintf(sa->why, sizeof(sa->why), "Child SA refused");
		log_info("%s: IKE SA %u up without Child SA (%s)", sa->tun->cfg.ifname, sa->id,
		         ike_notify_name(child_err));
		return;
	}
	sa->pending = early ? NULL : c;
	ike_sa_established(sa);
	if (early_rc < 0) {
		ike_child_destroy(c);
		snprintf(sa->why, sizeof(sa->why), "Data plane refused Child SA");
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
	}
}

static void auth_r_signed(struct ike_sa *sa, struct ike_job *j)
{
	const struct auth_job *aj = (const struct auth_job *)j;
	auth_r_answer(sa, aj->msg_id, aj->c, aj->child_err, &aj->sel, aj);
}

void ike_auth_r(struct ike_sa *sa, const struct ike_msg *m)
{
	struct auth_pl *p = malloc(sizeof(*p));
	struct ike_prop_sel sel = {0};
	struct ike_child *c;
	const char *why;
	char whyb[96];
	uint32_t msg_id = m->hdr.msg_id;

	if (!p || parse_auth(m, PL_IDI, p) < 0) {
		sa->ike->stats.rx_dropped_malformed++;
		auth_r_fail(sa, msg_id, N_INVALID_SYNTAX, "IDi or AUTH missing or malformed");
		goto out;
	}
	if ((why = check_peer(sa, m, &p->id, &p->auth, whyb, sizeof(whyb)))) {
		auth_r_fail(sa, msg_id, N_AUTHENTICATION_FAILED, why);
		goto out;
	}
	id_text(&p->id, sa->remote_id, sizeof(sa->remote_id));
	sa->initial_contact = ike_find_notify(m, N_INITIAL_CONTACT, &(struct ike_notify_pl){0});
	c = ike_child_new(sa);
	uint16_t child_err = c ? child_r_select(sa, c, p, &sel) : N_NO_PROPOSAL_CHOSEN;
	if (child_err == N_NO_PROPOSAL_CHOSEN)
		sa->ike->stats.no_proposal++;
	if (sa->tun->cfg.auth_local == IKE_AUTH_RSA) {
		/* copies of this request are dropped while the job runs (ike_input.c) */
		struct auth_job *aj = auth_job_new(sa, auth_r_signed);
		if (!aj) {
			auth_r_fail(sa, msg_id, N_INVALID_SYNTAX, "cannot build IKE_AUTH response");
			goto out;
		}
		aj->msg_id = msg_id;
		aj->c = c;
		aj->child_err = child_err;
		aj->sel = sel;
		ike_work_submit(sa, &aj->sig.j);
		goto out;
	}
	auth_r_answer(sa, msg_id, c, child_err, &sel, NULL);
out:
	free(p);
}
