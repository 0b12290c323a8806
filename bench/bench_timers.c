/*
 * bench_timers: the event loop's timer heap at IKE scale. Every IKE SA keeps a few timers
 * (retransmission, lifetimes, DPD) and every answered request cancels one, so with N SAs the
 * loop holds several N timers and cancels about one per exchange.
 *
 * Usage: build/bench/bench_timers [N...]   (default 1000 10000 50000)
 * Prints, per N: ns per add, ns per cancel (random order, all N pending), ns per
 * add+cancel pair with N pending (steady state). Figures only; it never fails on speed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/loop.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void nop(void *arg)
{
}

static void run(size_t n)
{
	struct loop *l = loop_new();
	uint64_t *id = malloc(n * sizeof(*id));
	size_t *ord = malloc(n * sizeof(*ord));
	if (!l || !id || !ord) {
		fprintf(stderr, "bench_timers: out of memory\n");
		exit(1);
	}
	srand(1);
	double t0 = now_ns();
	for (size_t i = 0; i < n; i++)
		id[i] = loop_timer_add(l, 60000 + (uint64_t)(rand() % 60000), nop, NULL);
	double t1 = now_ns();
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1), t = ord[i];
		ord[i] = ord[j];
		ord[j] = t;
	}
	double t2 = now_ns();
	for (size_t i = 0; i < n; i++)
		loop_timer_cancel(l, id[ord[i]]);
	double t3 = now_ns();
	/* Steady state: N pending; each round adds one and cancels the oldest-added. */
	for (size_t i = 0; i < n; i++)
		id[i] = loop_timer_add(l, 60000 + (uint64_t)(rand() % 60000), nop, NULL);
	size_t rounds = n < 20000 ? 20000 : n;
	double t4 = now_ns();
	for (size_t r = 0; r < rounds; r++) {
		size_t k = r % n;
		loop_timer_cancel(l, id[k]);
		id[k] = loop_timer_add(l, 60000 + (uint64_t)(rand() % 60000), nop, NULL);
	}
	double t5 = now_ns();
	printf("%8zu timers: add %7.0f ns, cancel %9.0f ns, add+cancel with %zu pending %9.0f ns\n",
	       n, (t1 - t0) / (double)n, (t3 - t2) / (double)n, n, (t5 - t4) / (double)rounds);
	free(id);
	free(ord);
	loop_free(l);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		run(1000);
		run(10000);
		run(50000);
	}
	for (int i = 1; i < argc; i++)
		run((size_t)strtoul(argv[i], NULL, 10));
	return 0;
}
