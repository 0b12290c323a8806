/*
 * Internals shared by the daemon's files. One struct daemon per process; every field is used
 * on the main (event loop) thread only, except the IKE hand-over queue (ikeq_*), which the data
 * plane's inbound thread fills.
 */
#ifndef MGMTSEC_DAEMON_INT_H
#define MGMTSEC_DAEMON_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/session.h"
#include "ctl/server.h"
#include "daemon/daemon.h"
#include "esp/dp.h"
#include "ike/ike.h"
#include "util/htab.h"
#include "util/loop.h"

/* Runtime state of one `interface tunnel-ipN`, in the daemon's tunnel table (tunnels.c):
 * found by number and by ifindex through hash tables, walked in creation order. */
struct tunnel_rt {
	struct hnode by_num;     /* key: num */
	struct hnode by_ifindex; /* key: ifindex, while it is known */
	struct tunnel_rt *prev, *next;
	uint32_t num;
	char ifname[16];
	int tun_fd;
	int ifindex;         /* of the TUN device, for netlink events (0 if unknown) */
	bool registered;     /* with the data plane */
	uint32_t addr, mask; /* inner address (network order) */
	uint32_t local, remote;
	unsigned mtu;
	bool link_up;
};

struct ike_msg_q; /* queued IKE datagram from the data plane's UDP socket */
struct rekey_q;   /* queued rekey request from the data plane */

struct daemon {
	struct daemon_opts o;
	struct loop *loop;
	struct cfg_db *db;
	struct ctl_server *ctl;
	struct ike *ike;
	struct dp *dp;
	int udp500;
	int evfd;   /* wakes the loop when the data plane queued IKE messages */
	int mon_fd; /* netlink link/address events */
	pthread_mutex_t ikeq_lock;
	struct ike_msg_q *ikeq_head, *ikeq_tail;
	struct rekey_q *rekeyq; /* SAs the data plane asked to rekey (under ikeq_lock) */
	unsigned ikeq_len;
	uint64_t ikeq_dropped;
	bool loading; /* applying the file at start: unresolvable sources leave tunnels down */
	bool stopping;
	int exit_code;
	uint64_t trial_timer;
	uint64_t keepalive_timer;
	uint64_t reapply_timer; /* pending re-apply after outer interface changes */
	struct htab tun_by_num, tun_by_ifindex;
	struct tunnel_rt *tun_head, *tun_tail; /* every tunnel, in creation order */
	size_t n_tunnels;
};

/* net.c: IKE sockets and the hand-over from the data plane */
int net_open(struct daemon *d);
void net_close(struct daemon *d);
int net_ike_send(void *arg, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                 uint32_t remote, uint16_t rport);
void net_dp_ike_cb(void *arg, const uint8_t *msg, size_t len, const struct sockaddr_in *from,
                   const struct sockaddr_in *to);
/* The data plane's "sequence number nearly exhausted" signal, from its outbound thread. */
void net_dp_rekey_cb(void *arg, uint32_t tunnel_id, uint32_t spi);

/* apply.c: configuration → tunnels and IKE */
int apply_config(void *arg, const struct cfg *next, const struct cfg *prev, struct strbuf *err);

/* tunnels.c: the tunnel table (no limit but memory; every lookup O(1)) */
struct tunnel_rt *tunnel_find(struct daemon *d, uint32_t num);
/* The tunnel whose TUN device has this ifindex, or NULL. */
struct tunnel_rt *tunnel_by_ifindex(struct daemon *d, int ifindex);
/* A new entry for num (absent): zeroed, no device yet (tun_fd -1), linked last; NULL when
 * out of memory. */
struct tunnel_rt *tunnel_new(struct daemon *d, uint32_t num);
/* Records the TUN device's ifindex (0: unknown). */
void tunnel_set_ifindex(struct daemon *d, struct tunnel_rt *t, int ifindex);
/* Unlinks and frees the entry (its device is the caller's business). */
void tunnel_delete(struct daemon *d, struct tunnel_rt *t);
void tunnel_set_link(struct daemon *d, uint32_t num, bool up);
void tunnels_free(struct daemon *d);
int tunnel_child_install(void *arg, const struct esp_sa_params *in,
                         const struct esp_sa_params *out);
int tunnel_child_install_standby(void *arg, const struct esp_sa_params *in,
                                 const struct esp_sa_params *out);
int tunnel_child_set_outbound(void *arg, uint32_t tunnel_id, uint32_t spi_out);
void tunnel_child_remove(void *arg, uint32_t tunnel_id, uint32_t spi_in, uint32_t spi_out);
void tunnel_state_cb(void *arg, uint32_t tunnel_id, bool up);
void tunnels_on_link_event(struct daemon *d);

/* monitor.c: outer interface changes re-resolve tunnel sources */
int monitor_open(struct daemon *d);
/* Reads the events queued so far, as the loop would: a commit creating thousands of devices
 * calls it as it goes, so that their events (four per device) do not overrun the socket. */
void monitor_drain(struct daemon *d);
void monitor_close(struct daemon *d);

/* backend.c: control sessions → configuration sessions and operational commands */
extern const struct ctl_backend daemon_ctl_backend;
/* backend.c: the event loop callback of cfg_db_save_fd */
void daemon_saved(int fd, uint32_t events, void *arg);
int daemon_op(void *arg, enum cfg_op op, const struct cfg_op_args *a, struct strbuf *out,
              struct strbuf *err);

#endif
