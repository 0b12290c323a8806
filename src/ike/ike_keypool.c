/*
 * ECDH key pairs made ahead of need (issue 9), so that neither side of IKE_SA_INIT waits for
 * a key generation: the initiator sends its request at once, the responder answers at once
 * and derives the shared secret afterwards, while its answer travels and the initiator
 * derives the same secret (ike_init.c). The critical path of a set-up keeps one scalar
 * multiplication of the four.
 *
 * Each key pair is used once (RFC 7296 §2.12 would allow reuse; we do not reuse) and freed
 * with its private scalar cleared. The pool holds `target` pairs per group; a pair taken is
 * made again by a background job (a worker when the engine has workers), started
 * IKE_KEYPOOL_DELAY_MS later so that it does not compete with the set-up that took the pair.
 * An empty pool is no error: the caller makes its own pair as before.
 */
#include <stdlib.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

#define IKE_KEYPOOL_MAX      16
#define IKE_KEYPOOL_DELAY_MS 20

static const uint16_t pool_group[] = {DH_ECP_256, DH_ECP_384, DH_ECP_521};
#define N_GROUPS (sizeof(pool_group) / sizeof(pool_group[0]))

struct ike_keypool {
	unsigned target;
	unsigned groups; /* bit i: pool_group[i] is kept */
	uint64_t timer;
	struct {
		struct dh *ready[IKE_KEYPOOL_MAX];
		unsigned n, making;
	} g[N_GROUPS];
};

struct pool_job {
	struct ike_job j;
	unsigned slot;
	struct dh *dh;
};

static int slot_of(uint16_t group)
{
	for (unsigned i = 0; i < N_GROUPS; i++)
		if (pool_group[i] == group)
			return (int)i;
	return -1;
}

static void pool_job_run(struct ike_job *j)
{
	struct pool_job *p = (struct pool_job *)j;
	p->dh = dh_new(crypto_dh(pool_group[p->slot]));
}

static void pool_job_free(struct ike_job *j)
{
	struct pool_job *p = (struct pool_job *)j;
	dh_free(p->dh);
	free(p);
}

static void pool_job_done(struct ike *ike, struct ike_job *j)
{
	struct pool_job *p = (struct pool_job *)j;
	struct ike_keypool *kp = ike->keypool;
	if (!kp)
		return;
	kp->g[p->slot].making--;
	if (!p->dh) {
		log_err("IKE: no ECDH key pair of group %u made ahead", pool_group[p->slot]);
		return;
	}
	if (kp->g[p->slot].n < kp->target) {
		kp->g[p->slot].ready[kp->g[p->slot].n++] = p->dh;
		p->dh = NULL;
	}
}

/* Starts the jobs that bring every group back to target. Without workers they complete
 * before this returns; a failed one is not retried until the next take. */
static void refill(struct ike *ike)
{
	struct ike_keypool *kp = ike->keypool;
	for (unsigned s = 0; s < N_GROUPS; s++) {
		if (!(kp->groups & (1u << s)))
			continue;
		unsigned want = kp->target - kp->g[s].n - kp->g[s].making;
		for (unsigned i = 0; i < want && kp->g[s].n + kp->g[s].making < kp->target; i++) {
			struct pool_job *p = calloc(1, sizeof(*p));
			if (!p)
				return;
			p->slot = s;
			p->j.kind = ike_job_kind_dh(pool_group[s], false);
			p->j.run = pool_job_run;
			p->j.done_ike = pool_job_done;
			p->j.free = pool_job_free;
			kp->g[s].making++;
			ike_work_submit_bg(ike, &p->j);
		}
	}
}

static void refill_due(void *arg)
{
	struct ike *ike = arg;
	ike->keypool->timer = 0;
	refill(ike);
}

int ike_set_keypool(struct ike *ike, unsigned per_group, unsigned groups)
{
	groups &= IKE_KEYPOOL_ALL;
	if (ike->keypool || per_group == 0 || per_group > IKE_KEYPOOL_MAX || !groups)
		return -1;
	if (!(ike->keypool = calloc(1, sizeof(*ike->keypool))))
		return -1;
	ike->keypool->target = per_group;
	ike->keypool->groups = groups;
	refill(ike);
	return 0;
}

struct dh *ike_keypool_take(struct ike *ike, uint16_t group)
{
	struct ike_keypool *kp = ike->keypool;
	int s = slot_of(group);
	if (!kp || s < 0 || !(kp->groups & (1u << s)))
		return NULL;
	if (!kp->timer)
		kp->timer = loop_timer_add(ike->loop, IKE_KEYPOOL_DELAY_MS, refill_due, ike);
	if (kp->g[s].n == 0) {
		ike->stats.keypool_empty++;
		return NULL;
	}
	ike->stats.keypool_used++;
	return kp->g[s].ready[--kp->g[s].n];
}

struct dh *ike_keypool_new(struct ike *ike, const struct dh_alg *alg)
{
	struct dh *d = alg ? ike_keypool_take(ike, alg->id) : NULL;
	return d ? d : dh_new(alg);
}

void ike_keypool_free(struct ike *ike)
{
	struct ike_keypool *kp = ike->keypool;
	if (!kp)
		return;
	loop_timer_cancel(ike->loop, kp->timer);
	for (unsigned s = 0; s < N_GROUPS; s++)
		while (kp->g[s].n)
			dh_free(kp->g[s].ready[--kp->g[s].n]);
	free(kp);
	ike->keypool = NULL;
}
