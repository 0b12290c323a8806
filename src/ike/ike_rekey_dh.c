/*
 * The shared secret of a rekey (CREATE_CHILD_SA with a KE: a Child SA with PFS, an IKE SA)
 * off the event loop (see ike_keep.h). The message's first pass stops before anything is
 * decided: the datagram is put first among the SA's held messages, and the derivation (with
 * the responder's key pair, from the pool or made by the worker) goes to a worker. When it is
 * in, the held messages are taken again, and the rekey code, on the message's second pass,
 * finds the result instead of computing it. Nothing but the result crosses the passes, so the
 * rekey code stays one straight function for both.
 *
 * One exception: the answer to our IKE SA rekey is taken at once (see ike_rekey_dh_defer).
 * The key pair of our own rekey request comes from the pool; when none is ready it is made on
 * a worker, and the task is queued again with the pair kept on the SA.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "util/log.h"

struct ike_rekey_dh {
	const struct dh_alg *alg;
	struct dh *dh; /* the initiator's own pair (a second handle) or the responder's new one */
	uint8_t peer[IKE_MAX_KE];
	size_t peer_len;
	struct chunk shared;
	int rc;
};

struct rkdh_job {
	struct ike_job j;
	struct ike_rekey_dh r;
};

static void rkdh_run(struct ike_job *j)
{
	struct ike_rekey_dh *r = &((struct rkdh_job *)j)->r;
	if (!r->dh)
		r->dh = dh_new(r->alg);
	r->rc = r->dh ? dh_derive(r->dh, r->peer, r->peer_len, &r->shared) : -1;
}

static void rkdh_free(struct ike_job *j)
{
	struct rkdh_job *k = (struct rkdh_job *)j;
	dh_free(k->r.dh);
	chunk_clear(&k->r.shared);
	free(k);
}

static void rkdh_done(struct ike_sa *sa, struct ike_job *j)
{
	struct ike *ike = sa->ike;
	struct ike_rekey_dh *outer = ike->rkdh;
	const struct ike_sa *outer_sa = ike->rkdh_sa;
	sa->rekey_dh_pending = false;
	ike->rkdh = &((struct rkdh_job *)j)->r;
	ike->rkdh_sa = sa;
	ike_held_replay(sa); /* the deferred message first; sa may be gone afterwards */
	ike->rkdh = outer;   /* what was not taken is wiped with the job */
	ike->rkdh_sa = outer_sa;
}

/* Is the result at hand this SA's, for this peer value (the message's second pass)? */
static bool result_matches(const struct ike_sa *sa, uint16_t group, const struct ike_ke_pl *ke)
{
	const struct ike_rekey_dh *r = sa->ike->rkdh;
	return r && sa->ike->rkdh_sa == sa && r->alg->id == group && r->peer_len == ke->len &&
	       memcmp(r->peer, ke->data, ke->len) == 0;
}

/* The result for this SA and peer value, taken (once), or NULL. */
static struct ike_rekey_dh *result_for(struct ike_sa *sa, uint16_t group,
                                       const struct ike_ke_pl *ke)
{
	struct ike_rekey_dh *r = sa->ike->rkdh;
	if (!result_matches(sa, group, ke))
		return NULL;
	sa->ike->rkdh = NULL;
	return r;
}

bool ike_rekey_dh_defer(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike *ike = sa->ike;
	const struct ike_payload *pl = ike_msg_find(m, PL_KE);
	const struct ike_dgram *d = &ike->cur_in;
	struct ike_ke_pl ke;
	const struct dh_alg *alg;
	struct dh *dh = NULL;

	if (!pl || sa->job || !d->pkt || ike_parse_ke(pl, &ke) < 0 ||
	    !(alg = crypto_dh(ke.group)) || ke.len != alg->pub_len || ke.len > IKE_MAX_KE ||
	    !ike_work_wanted(ike, ike_job_kind_dh(alg->id, true)))
		return false;
	if (result_matches(sa, alg->id, &ke))
		return false; /* the second pass: the result is here */
	if (m->hdr.flags & IKE_FLAG_RESPONSE) {
		/* The answer to our IKE SA rekey is taken at once: its responder has the new IKE SA
		 * as soon as it answered and may send on it at once, and until a second pass made
		 * the SA here, that message would be refused with INVALID_IKE_SPI and the peer's SA
		 * lost. One multiplication per IKE SA lifetime, on the loop. */
		struct ike_rekey *rk = sa->keep.rk;
		if (!rk || rk->kind != TASK_REKEY_CHILD || !rk->dh ||
		    dh_alg_of(rk->dh)->id != alg->id || !(dh = dh_ref(rk->dh)))
			return false;
	} else {
		dh = ike_keypool_take(ike, alg->id); /* NULL: the worker makes one */
	}
	struct rkdh_job *k = calloc(1, sizeof(*k));
	if (!k || !ike_hold_first(sa, d->pkt, d->len, d->local, d->lport, d->remote, d->rport)) {
		dh_free(dh);
		free(k);
		return false;
	}
	k->j.kind = ike_job_kind_dh(alg->id, true);
	k->j.any_load = true;
	k->j.run = rkdh_run;
	k->j.done = rkdh_done;
	k->j.free = rkdh_free;
	k->r.alg = alg;
	k->r.dh = dh;
	memcpy(k->r.peer, ke.data, ke.len);
	k->r.peer_len = ke.len;
	sa->rekey_dh_pending = true;
	log_debug("IKE SA %u: the %s's key exchange goes to a worker", sa->id,
	          m->hdr.flags & IKE_FLAG_RESPONSE ? "rekey answer" : "rekey request");
	ike_work_submit(sa, &k->j);
	return true;
}

int ike_rekey_dh_r(struct ike_sa *sa, const struct dh_alg *alg, const struct ike_ke_pl *ke,
                   struct dh **dh, struct chunk *shared)
{
	struct ike_rekey_dh *r = result_for(sa, alg->id, ke);
	*dh = NULL;
	if (r) {
		if (r->rc < 0 || !r->dh)
			return -1;
		*dh = r->dh;
		r->dh = NULL;
		*shared = r->shared;
		r->shared = CHUNK_EMPTY;
		return 0;
	}
	if (!(*dh = ike_keypool_new(sa->ike, alg)))
		return -1;
	return dh_derive(*dh, ke->data, ke->len, shared);
}

int ike_rekey_dh_i(struct ike_sa *sa, struct dh *dh, const struct ike_ke_pl *ke,
                   struct chunk *shared)
{
	struct ike_rekey_dh *r = result_for(sa, dh_alg_of(dh)->id, ke);
	if (r && r->dh && dh_same(r->dh, dh)) {
		if (r->rc < 0)
			return -1;
		*shared = r->shared;
		r->shared = CHUNK_EMPTY;
		return 0;
	}
	return dh_derive(dh, ke->data, ke->len, shared);
}

struct pair_job {
	struct ike_job j;
	const struct dh_alg *alg;
	struct dh *dh;
	enum ike_task task;
	uint32_t arg;
};

static void pair_run(struct ike_job *j)
{
	struct pair_job *p = (struct pair_job *)j;
	p->dh = dh_new(p->alg);
}

static void pair_free(struct ike_job *j)
{
	struct pair_job *p = (struct pair_job *)j;
	dh_free(p->dh);
	free(p);
}

static void pair_done(struct ike_sa *sa, struct ike_job *j)
{
	struct pair_job *p = (struct pair_job *)j;
	sa->rekey_dh_pending = false;
	if (p->dh) {
		dh_free(sa->rekey_pair);
		sa->rekey_pair = p->dh;
		p->dh = NULL;
		ike_queue_task(sa, p->task, p->arg); /* may start it now */
	} else {
		log_err("IKE SA %u: cannot make a key pair for the rekey", sa->id);
	}
	ike_held_replay(sa); /* sa may be gone afterwards */
}

struct dh *ike_rekey_dh_pair(struct ike_sa *sa, const struct dh_alg *alg, enum ike_task task,
                             uint32_t arg, bool *later)
{
	struct ike *ike = sa->ike;
	struct dh *dh = sa->rekey_pair;
	*later = false;
	if (dh && dh_alg_of(dh)->id == alg->id) {
		sa->rekey_pair = NULL;
		return dh;
	}
	if ((dh = ike_keypool_take(ike, alg->id)))
		return dh;
	enum ike_job_kind kind = ike_job_kind_dh(alg->id, false);
	struct pair_job *p;
	if (sa->job || !ike_work_wanted(ike, kind) || !(p = calloc(1, sizeof(*p))))
		return dh_new(alg); /* made here */
	p->j.kind = kind;
	p->j.any_load = true;
	p->j.run = pair_run;
	p->j.done = pair_done;
	p->j.free = pair_free;
	p->alg = alg;
	p->task = task;
	p->arg = arg;
	sa->rekey_dh_pending = true;
	*later = true;
	log_debug("IKE SA %u: the rekey's key pair is made on a worker", sa->id);
	ike_work_submit(sa, &p->j);
	return NULL;
}

void ike_rekey_dh_gone(struct ike_sa *sa)
{
	dh_free(sa->rekey_pair);
	sa->rekey_pair = NULL;
	if (sa->ike->rkdh_sa == sa) {
		sa->ike->rkdh = NULL;
		sa->ike->rkdh_sa = NULL;
	}
}
