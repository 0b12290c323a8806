/*
 * The daemon's core: owns the event loop, the configuration database, the control socket,
 * the IKE engine, the data plane and the tunnel interfaces, and wires them together.
 */
#ifndef MGMTSEC_DAEMON_DAEMON_H
#define MGMTSEC_DAEMON_DAEMON_H

#include <stdbool.h>
#include <sys/epoll.h>

#include "util/loop.h"

struct daemon_opts {
	const char *config;
	const char *socket;
	bool foreground;
	bool debug;
	unsigned
	    test_lifetime;  /* 0, or every SA lifetime in seconds (tests: rekeys within seconds) */
	bool passive;       /* never initiate: answer peers only */
	int ike_workers;    /* IKE worker threads; -1 = one per online CPU (ike_set_workers) */
	int ike_initiating; /* ike_set_max_initiating; -1 = the engine's default */
};

struct daemon;

/* Loads the configuration (refuses to start on any error, with line numbers logged), opens
 * sockets and applies the configuration. NULL on failure. */
struct daemon *daemon_new(const struct daemon_opts *o);
struct loop *daemon_loop(struct daemon *d);
/* Runs until daemon_shutdown(); returns the exit status. */
int daemon_run(struct daemon *d);
/* Deletes SAs politely, then stops the loop. */
void daemon_shutdown(struct daemon *d);
void daemon_free(struct daemon *d);

#endif
