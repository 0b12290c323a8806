/*
 * bench_ike_engine: the IKE engine's own CPU per tunnel set-up, without the kernel. Two
 * engines in one process joined by the unit tests' mock network (tests/unit/ike_engine/
 * harness.c): `clear` the tunnel and let it come up again (Delete exchange, IKE_SA_INIT,
 * IKE_AUTH, Child SA install on both sides), many times, and print the process CPU time per
 * cycle. No sockets, TUN devices or netlink: what is left is parsing, crypto, state and logs
 * (sent to stderr; run with 2>/dev/null). Prints figures; never passes or fails.
 *
 * Usage: bench_ike_engine [cycles] [group]   (default 2000, 19)
 *        bench_ike_engine config [N]          (default 1000)
 *        bench_ike_engine rekey [N] [group] [workers]   (default 30, 20, 2)
 * The second form times the configuration diff of a commit on a router with N tunnels:
 * ike_set_config() given the same N tunnels plus one, against an engine that holds the N
 * (passive tunnels, so nothing is sent), and given every other one of the N (half of them
 * removed). Prints the median of 50 such calls each.
 * The third form measures how long a burst of rekeys holds the event loop: N tunnels with
 * PFS `group` between two engines with `workers` IKE worker threads each (0: none, all on the
 * loop; otherwise the daemon's thresholds), then A rekeys every Child SA at once. Each
 * turn of the loop is timed in the loop thread's CPU time (what another exchange, timer or
 * CLI request of that engine waits for besides the CPU itself, which the workers share);
 * prints the longest, the median handling of a datagram (with workers the second pass of a
 * deferred message runs in a completion turn) and the wall time until every rekey is done. N is at
 * most 31 (the harness records 64 installs per engine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "ike/ike.h"

#define A(net) (&(net)->n[0])
#define B(net) (&(net)->n[1])
#define BATCH  50 /* the harness records at most H_MAX_INST installs per node */

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Delivers datagrams and runs due timers until A's tunnel went up `ups` more times. */
static int settle(struct net *net, int calls)
{
	for (int spins = 0; A(net)->state_calls < calls || A(net)->up != 1; spins++) {
		if (spins > 100000)
			return -1;
		if (!h_pump(net, 1000))
			h_idle(net, 0);
	}
	return 0;
}

static int batch(uint16_t group, int cycles, double *spent)
{
	struct net net;
	struct ike_cfg_tunnel ta, tb;
	h_init(&net);
	h_tunnel(&tb, 1, H_ADDR_B, H_ADDR_A, H_ADDR_A, "bench-psk-0123456789");
	h_tunnel(&ta, 1, H_ADDR_A, H_ADDR_B, H_ADDR_B, "bench-psk-0123456789");
	ta.proposals[0].dh[0] = tb.proposals[0].dh[0] = group;
	tb.passive = true;
	int rc =
	    h_apply(B(&net), &tb, 1) == 0 && h_apply(A(&net), &ta, 1) == 0 ? settle(&net, 1) : -1;
	double t0 = cpu_s();
	for (int i = 0; rc == 0 && i < cycles; i++) {
		int calls = A(&net)->state_calls + 2; /* down, then up */
		ike_clear(A(&net)->ike, 0);
		rc = settle(&net, calls);
	}
	*spent += cpu_s() - t0;
	h_fini(&net);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* CPU seconds of one ike_set_config() on node nd, given copies of the k tunnels ts; rc gets
 * any failure. */
static double timed_set_config(struct h_node *nd, const struct ike_cfg_tunnel *ts, size_t k,
                               int *rc)
{
	struct ike_cfg c = {0};
	h_cfgn(&c, ts, k);
	double t0 = cpu_s();
	*rc |= c.n_tunnels == k ? ike_set_config(nd->ike, &c) : -1;
	double t = cpu_s() - t0;
	ike_cfg_free(&c);
	return t;
}

static int config_diff(int n)
{
	enum {
		ROUNDS = 50
	};
	struct ike_cfg_tunnel *ts = calloc((size_t)n + 1, sizeof(*ts));
	struct ike_cfg_tunnel *half = calloc((size_t)n / 2 + 1, sizeof(*half));
	struct net net;
	double t[ROUNDS], t_rm[ROUNDS];
	size_t n_half = 0;
	if (!ts || !half) {
		free(ts);
		free(half);
		return 1;
	}
	h_init(&net);
	for (int i = 0; i <= n; i++) {
		h_tunnel(&ts[i], (uint32_t)i + 1, H_ADDR_A + 2 + (uint32_t)i,
		         H_ADDR_B + 2 + (uint32_t)i, H_ADDR_B + 2 + (uint32_t)i,
		         "bench-psk-0123456789");
		ts[i].passive = true;
	}
	for (int i = 0; i < n; i += 2)
		half[n_half++] = ts[i]; /* borrows, as ts does */
	int rc = 0;
	for (int r = 0; rc == 0 && r < ROUNDS; r++) {
		rc = h_apply(A(&net), ts, (size_t)n); /* back to N */
		t[r] = timed_set_config(A(&net), ts, (size_t)n + 1, &rc);
	}
	h_fini(&net);
	/* a fresh engine each time: re-adding the removed tunnels would put them first in its
	 * list, where they are cheaper to remove than after a real router's history */
	for (int r = 0; rc == 0 && r < ROUNDS; r++) {
		h_init(&net);
		rc = h_apply(A(&net), ts, (size_t)n);
		t_rm[r] = timed_set_config(A(&net), half, n_half, &rc);
		h_fini(&net);
	}
	free(ts);
	free(half);
	if (rc != 0) {
		fprintf(stderr, "bench_ike_engine: ike_set_config failed\n");
		return 1;
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	qsort(t_rm, ROUNDS, sizeof(t_rm[0]), cmp_double);
	printf("ike_set_config, %d tunnels held, %d given: %.3f ms of CPU (median of %d)\n", n,
	       n + 1, t[ROUNDS / 2] * 1e3, ROUNDS);
	printf("ike_set_config, %d tunnels held, %zu of them given (the others removed): %.3f ms "
	       "of CPU (median of %d)\n",
	       n, n_half, t_rm[ROUNDS / 2] * 1e3, ROUNDS);
	return 0;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t child_rekeys(struct h_node *n)
{
	struct ike_stats st;
	ike_get_stats(n->ike, &st);
	return st.child_rekeys;
}

static int rekey_burst(int n, uint16_t group, int workers)
{
	enum {
		MAX_MSGS = 4096
	};
	struct ike_cfg_tunnel ta[32], tb[32];
	static double t[MAX_MSGS];
	struct net net;
	double longest = 0;
	int msgs = 0;

	if (n < 1 || n > 31)
		n = 30;
	h_init(&net);
	net.any_dst = true; /* one address pair per tunnel */
	for (int k = 0; k < 2 && workers > 0; k++)
		if (ike_set_workers(net.n[k].ike, (unsigned)workers, IKE_WORK_MIN_NS,
		                    IKE_WORK_MIN_NEGOTIATING) < 0)
			return 1;
	for (int i = 0; i < n; i++) {
		uint32_t off = 2 + (uint32_t)i;
		h_tunnel(&ta[i], (uint32_t)i + 1, H_ADDR_A + off, H_ADDR_B + off, H_ADDR_B + off,
		         "bench-psk-0123456789");
		h_tunnel(&tb[i], (uint32_t)i + 1, H_ADDR_B + off, H_ADDR_A + off, H_ADDR_A + off,
		         "bench-psk-0123456789");
		ta[i].pfs_group = tb[i].pfs_group = group;
		tb[i].passive = true;
	}
	int rc =
	    h_apply(B(&net), tb, (size_t)n) == 0 && h_apply(A(&net), ta, (size_t)n) == 0 ? 0 : -1;
	for (int spins = 0; rc == 0 && A(&net)->n_inst < (size_t)n; spins++) {
		if (spins > 100000)
			rc = -1;
		else if (!h_pump(&net, 1000))
			h_idle(&net, 1);
	}
	h_idle(&net, 50); /* the last completions and refills */
	for (size_t i = 0; rc == 0 && i < A(&net)->n_inst; i++)
		rc = ike_rekey_child(A(&net)->ike, A(&net)->inst[i].out.tunnel_id,
		                     A(&net)->inst[i].out.spi);
	double t0 = clock_s(CLOCK_MONOTONIC);
	for (int spins = 0; rc == 0 && child_rekeys(A(&net)) < (uint64_t)n; spins++) {
		if (spins > 1000000) {
			rc = -1;
			break;
		}
		double s0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		bool msg = h_step(&net);
		if (!msg)
			h_idle(&net, 0); /* worker completions (they run on the loop) */
		double d = clock_s(CLOCK_THREAD_CPUTIME_ID) - s0;
		longest = d > longest ? d : longest;
		if (msg && msgs < MAX_MSGS)
			t[msgs++] = d;
	}
	double total = clock_s(CLOCK_MONOTONIC) - t0;
	h_fini(&net);
	if (rc != 0) {
		fprintf(stderr, "bench_ike_engine: the rekeys did not complete\n");
		return 1;
	}
	qsort(t, (size_t)msgs, sizeof(t[0]), cmp_double);
	printf("%d Child SA rekeys at once, PFS group %u, %d IKE workers per engine: the loop held "
	       "at most %.3f ms at a time; a datagram's handling %.3f ms (median of %d); all done "
	       "in %.1f ms\n",
	       n, group, workers, longest * 1e3, t[msgs / 2] * 1e3, msgs, total * 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "rekey") == 0)
		return rekey_burst(argc > 2 ? atoi(argv[2]) : 30,
		                   (uint16_t)(argc > 3 ? atoi(argv[3]) : 20),
		                   argc > 4 ? atoi(argv[4]) : 2);
	if (argc > 1 && strcmp(argv[1], "config") == 0)
		return config_diff(argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 1000);
	int cycles = argc > 1 ? atoi(argv[1]) : 2000;
	uint16_t group = (uint16_t)(argc > 2 ? atoi(argv[2]) : 19);
	double spent = 0;
	int done = 0;
	if (cycles < 1)
		cycles = 1;
	while (done < cycles) {
		int n = cycles - done < BATCH ? cycles - done : BATCH;
		if (batch(group, n, &spent) < 0) {
			fprintf(stderr, "bench_ike_engine: a set-up did not complete\n");
			return 1;
		}
		done += n;
	}
	printf("group %u: %d clear + set-up cycles, %.1f us of CPU each (both engines)\n", group,
	       cycles, spent / cycles * 1e6);
	return 0;
}
