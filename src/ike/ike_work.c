/*
 * Worker threads for the engine's public-key operations (see ike_work.h).
 *
 * Two lists under one mutex: jobs to run (FIFO, so set-ups finish in the order they came) and
 * jobs run. A worker appends to the second and bumps an eventfd; the loop's callback takes the
 * whole list and completes each job on the loop's thread. A job's result therefore never
 * meets the SA except on the loop's thread, and a cancelled job (SA gone) is only freed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

#define WORKER_STACK         ((size_t)256 * 1024)
#define COMPLETIONS_PER_TURN 4

struct ike_work {
	struct ike *ike;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ike_job *todo, **todo_tail; /* to run, FIFO */
	struct ike_job *ran, **ran_tail;   /* run, to complete on the loop */
	bool stop;
	int efd;
	unsigned n_threads;
	unsigned pending; /* handed over, not yet completed (loop thread only) */
	uint64_t min_ns;
	unsigned min_negotiating;
	_Atomic unsigned runs[IKE_JOB_KINDS]; /* jobs run, per kind: which ones to time */
	pthread_t th[IKE_WORK_MAX_THREADS];
};

enum ike_job_kind ike_job_kind_dh(uint16_t group, bool derive)
{
	int k = group == DH_ECP_384 ? 1 : group == DH_ECP_521 ? 2 : 0;
	return (enum ike_job_kind)((derive ? IKE_JOB_DERIVE_256 : IKE_JOB_KEYGEN_256) + k);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A thread's CPU clock is a system call (no vDSO), two per job were 4% of a P-256 set-up, so
 * after the first few runs of a kind one in 64 is timed: the least seen hardly moves. Without
 * workers nothing is timed, since everything runs inline anyway. */
static bool want_timing(struct ike_work *w, enum ike_job_kind kind)
{
	if (!w)
		return false;
	unsigned n = atomic_fetch_add_explicit(&w->runs[kind], 1, memory_order_relaxed);
	return n < 8 || n % 64 == 0;
}

/* run(), timed in this thread's CPU time when wanted: preemption by other threads does not
 * count. */
static void run_timed(struct ike_work *w, struct ike_job *j)
{
	j->cpu_ns = 0;
	if (!want_timing(w, j->kind)) {
		j->run(j);
		return;
	}
	uint64_t t0 = thread_cpu_ns();
	j->run(j);
	j->cpu_ns = thread_cpu_ns() - t0;
}

/* On the loop: learn the cost, hand the result to the SA if it is still there, free. */
static void complete(struct ike *ike, struct ike_job *j)
{
	/* The least seen: a cold run (caches, a new thread's OpenSSL state, a busy machine) must
	 * not send every later P-256 operation through a hand-off. */
	uint64_t *c = &ike->work_cost_ns[j->kind];
	if (!*c || (j->cpu_ns && j->cpu_ns < *c))
		*c = j->cpu_ns;
	struct ike_sa *sa = j->sa;
	if (j->done_ike) {
		j->done_ike(ike, j);
	} else if (sa) {
		sa->job = NULL;
		j->done(sa, j);
	}
	j->free(j);
}

static void *worker(void *arg)
{
	struct ike_work *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->todo && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		struct ike_job *j = w->todo;
		w->todo = j->next;
		if (!w->todo)
			w->todo_tail = &w->todo;
		pthread_mutex_unlock(&w->mu);

		run_timed(w, j);

		pthread_mutex_lock(&w->mu);
		j->next = NULL;
		*w->ran_tail = j;
		w->ran_tail = &j->next;
		/* a full counter (impossible: the loop reads it) would only delay the wake-up */
		ssize_t n = write(w->efd, &(uint64_t){1}, sizeof(uint64_t));
		(void)n;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void work_ready(int fd, uint32_t events, void *arg)
{
	struct ike_work *w = arg;
	uint64_t v;
	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_err("IKE workers: eventfd read: %s", strerror(errno));
	/* A few per turn: each completion carries on an exchange (the second pass of a rekey's
	 * message, an answer, an install), and a burst of them must not hold the loop from the
	 * sockets, timers and CLI for longer than one inline operation would. */
	pthread_mutex_lock(&w->mu);
	struct ike_job *j = w->ran, **cut = &w->ran;
	for (int k = 0; k < COMPLETIONS_PER_TURN && *cut; k++)
		cut = &(*cut)->next;
	w->ran = *cut;
	*cut = NULL;
	if (!w->ran)
		w->ran_tail = &w->ran;
	else if (write(w->efd, &(uint64_t){1}, sizeof(uint64_t)) < 0)
		log_err("IKE workers: eventfd write: %s", strerror(errno));
	pthread_mutex_unlock(&w->mu);
	while (j) {
		struct ike_job *next = j->next;
		w->pending--;
		complete(w->ike, j);
		j = next;
	}
}

static void free_list(struct ike_job *j)
{
	while (j) {
		struct ike_job *next = j->next;
		if (j->sa)
			j->sa->job = NULL;
		j->free(j);
		j = next;
	}
}

void ike_work_free(struct ike *ike)
{
	struct ike_work *w = ike->work;
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->n_threads; i++)
		pthread_join(w->th[i], NULL);
	loop_del_fd(ike->loop, w->efd);
	close(w->efd);
	free_list(w->todo);
	free_list(w->ran);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	ike->work = NULL;
}

int ike_set_workers(struct ike *ike, unsigned threads, uint64_t min_ns, unsigned min_negotiating)
{
	struct ike_work *w;
	pthread_attr_t attr;
	sigset_t all, old;
	int err = 0;

	if (ike->work || threads == 0) {
		errno = EINVAL;
		return -1;
	}
	if (threads > IKE_WORK_MAX_THREADS)
		threads = IKE_WORK_MAX_THREADS;
	if (!(w = calloc(1, sizeof(*w))))
		return -1;
	w->ike = ike;
	w->min_ns = min_ns;
	w->min_negotiating = min_negotiating;
	w->todo_tail = &w->todo;
	w->ran_tail = &w->ran;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		free(w);
		return -1;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	ike->work = w;
	if (loop_add_fd(ike->loop, w->efd, EPOLLIN, work_ready, w) < 0) {
		err = errno;
		goto fail;
	}
	/* Workers take no signal (the daemon reads its signals from a signalfd on the loop). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	for (; w->n_threads < threads; w->n_threads++) {
		err = pthread_create(&w->th[w->n_threads], &attr, worker, w);
		if (err)
			break;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (w->n_threads == 0)
		goto fail;
	if (err)
		log_err("IKE: only %u of %u worker threads started: %s", w->n_threads, threads,
		        strerror(err));
	return 0;
fail:
	ike_work_free(ike);
	errno = err;
	return -1;
}

/* To the workers, FIFO. */
static void enqueue(struct ike_work *w, struct ike_job *j)
{
	w->pending++;
	pthread_mutex_lock(&w->mu);
	*w->todo_tail = j;
	w->todo_tail = &j->next;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

bool ike_work_wanted(const struct ike *ike, enum ike_job_kind kind)
{
	uint64_t c = ike->work_cost_ns[kind];
	return ike->work && (c == 0 || c >= ike->work->min_ns); /* unknown: the worker learns it */
}

void ike_work_submit(struct ike_sa *sa, struct ike_job *j)
{
	struct ike *ike = sa->ike;
	struct ike_work *w = ike->work;

	if (sa->job) { /* a bug: two results would race for the SA; keep the first */
		log_err("IKE SA %u: key work already in flight: second job dropped", sa->id);
		j->free(j);
		return;
	}
	j->next = NULL;
	j->sa = sa;
	sa->job = j;
	bool hand = j->any_load ? ike_work_wanted(ike, j->kind)
	                        : w && ike->work_cost_ns[j->kind] >= w->min_ns &&
	                              ike->stats.half_open >= w->min_negotiating;
	if (!hand) {
		ike->stats.work_inline++;
		run_timed(w, j);
		complete(ike, j);
		return;
	}
	ike->stats.work_offloaded++;
	log_debug("IKE SA %u: key work (kind %d, about %llu us) handed to a worker", sa->id,
	          (int)j->kind, (unsigned long long)(ike->work_cost_ns[j->kind] / 1000));
	enqueue(w, j);
}

void ike_work_submit_bg(struct ike *ike, struct ike_job *j)
{
	struct ike_work *w = ike->work;

	j->next = NULL;
	j->sa = NULL;
	if (!w) {
		run_timed(w, j);
		complete(ike, j);
		return;
	}
	enqueue(w, j);
}

void ike_work_cancel(struct ike_sa *sa)
{
	if (sa->job) {
		sa->job->sa = NULL;
		sa->job = NULL;
	}
}

unsigned ike_work_pending(const struct ike *ike)
{
	return ike->work ? ike->work->pending : 0;
}
