/*
 * Work off the event loop: the ECDH of IKE_SA_INIT (ike_init.c) and our RSA signature in
 * IKE_AUTH (ike_auth.c, ike_sig.c) run on a few worker threads, so that one tunnel's P-384 key
 * exchange or RSA signature does not hold up every other exchange, timer and CLI request of
 * the daemon; so does the shared secret of a rekey with a KE (ike_rekey_dh.c). Key pairs are
 * made ahead on them too (ike_keypool.c).
 *
 * A job belongs to one SA, at most one at a time. Its run() works on the job's own fields
 * only (never the SA, never the engine) on whichever thread; its done() runs afterwards on
 * the loop's thread, and only while the SA still exists (ike_sa_destroy cancels: the result is
 * then just freed). free() wipes and frees the job in every case.
 *
 * Operations cheaper than a thread hand-off (two wake-ups) run inline: each job kind's CPU
 * cost is measured as jobs run (the least seen: what the operation itself costs, without the
 * cold caches and contention that a worker would meet as well), and only kinds above the
 * engine's threshold are handed over, and only while other negotiations wait for the loop.
 * A rekey's derivation (ike_rekey_dh.c) is handed over whenever its kind is costly, waiting
 * negotiations or not (any_load): nothing waits on it but the rekey itself, and a burst of
 * rekeys would otherwise hold the loop for one multiplication each.
 * Without workers (the default: unit tests, ike_set_workers not called) everything is inline
 * and done() is called before ike_work_submit returns, so a caller must not touch the SA
 * after submitting.
 */
#ifndef MGMTSEC_IKE_WORK_H
#define MGMTSEC_IKE_WORK_H
#include <stdbool.h>
#include <stdint.h>

struct ike;
struct ike_sa;

enum ike_job_kind {
	IKE_JOB_KEYGEN_256, /* groups 19, 20, 21: a key pair only */
	IKE_JOB_KEYGEN_384,
	IKE_JOB_KEYGEN_521,
	IKE_JOB_DERIVE_256, /* a shared secret (with a key pair first, for the responder) */
	IKE_JOB_DERIVE_384,
	IKE_JOB_DERIVE_521,
	IKE_JOB_SIGN, /* an AUTH signature with our private key */
	IKE_JOB_KINDS
};

struct ike_job {
	struct ike_job *next;
	struct ike_sa *sa; /* loop thread only; NULL once the SA is gone */
	enum ike_job_kind kind;
	bool any_load;   /* handed over when costly even if no negotiation waits (rekeys) */
	uint64_t cpu_ns; /* what run() cost, for the next decision */
	void (*run)(struct ike_job *j);
	void (*done)(struct ike_sa *sa, struct ike_job *j);
	/* instead of done, for an engine's job (no SA: ike_work_submit_bg) */
	void (*done_ike)(struct ike *ike, struct ike_job *j);
	void (*free)(struct ike_job *j);
};

/* The job kind of a DH group's key pair or derivation (P-256's for an unknown group). */
enum ike_job_kind ike_job_kind_dh(uint16_t group, bool derive);

/* Runs j for sa: inline, or on a worker when the engine has workers and j's kind costs at
 * least the threshold. sa must have no job in flight (a second one is logged and freed). */
void ike_work_submit(struct ike_sa *sa, struct ike_job *j);
/* True when a job of this kind with any_load set would go to a worker: the engine has
 * workers and the kind costs at least the threshold, or its cost is not known yet. */
bool ike_work_wanted(const struct ike *ike, enum ike_job_kind kind);
/* Runs j, which belongs to no SA, on a worker (inline without workers): work done ahead of
 * need (ike_keypool.c). Its done_ike runs on the loop unless the engine is freed first. It
 * counts in ike_work_pending, not in the inline/offloaded statistics. */
void ike_work_submit_bg(struct ike *ike, struct ike_job *j);
/* The SA is going away: its job's result, when it comes, is freed unused. */
void ike_work_cancel(struct ike_sa *sa);
/* Joins the workers and frees every job not yet completed (engine teardown). */
void ike_work_free(struct ike *ike);
/* Jobs handed to workers and not yet completed on the loop. */
unsigned ike_work_pending(const struct ike *ike);
#endif
