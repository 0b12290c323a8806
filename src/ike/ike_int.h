/*
 * Engine internals shared by the ike_*.c files: the engine object, the per-tunnel runtime
 * state, and the entry points of each exchange task. Nothing outside src/ike includes this.
 *
 * Ownership: struct ike owns its tunnels (list) and SAs (list + indexes). A tunnel that left
 * the configuration stays (removed = true) until its last SA is gone.
 */
#ifndef MGMTSEC_IKE_INT_H
#define MGMTSEC_IKE_INT_H

#include "ike/ike.h"
#include "util/htab.h"
#include "ike/ike_keep.h"
#include "ike/ike_sa.h"
#include "ike/ike_work.h"
#include "ike/msg.h"

struct ike_tunnel {
	struct ike *ike;
	struct ike_tunnel *prev, *next;
	struct ike_cfg_tunnel cfg; /* owned copy; PSK chunks owned */
	struct hnode by_addr;      /* key: local << 32 | remote */
	bool indexed;
	struct hnode by_id;           /* key: tunnel_id; in tun_by_id while not removed */
	bool removed;                 /* left the configuration */
	struct ike_tunnel *gone_next; /* ike_set_config's list of tunnels to remove */
	unsigned refs;                /* SAs referencing it */
	struct ike_sa *sas;           /* its SAs (negotiating, established, deleting) */
	unsigned installed;           /* installed Child SAs (tunnel up while > 0) */
	uint64_t reinit_timer;
	/* the last SA that died, for show; allocated by the first death (1.2 KB that most
	 * tunnels never need) */
	struct ike_sa_info *last;
	struct ike_creds *creds; /* issue 7: trustpoint material (ike_cert.c); NULL if unused */
	struct ike_tunnel *pace_prev, *pace_next; /* waiting to initiate (ike_pace.c) */
	bool pace_waiting;
};

/* A datagram being taken in (ike_input.c), for a message that has to wait (ike_rekey_dh.c). */
struct ike_dgram {
	const uint8_t *pkt; /* NULL: none, or one that cannot be taken again (a reassembled one) */
	size_t len;
	uint32_t local, remote;
	uint16_t lport, rport;
};

struct ike_rekey_dh;

struct ike {
	struct loop *loop;
	struct ike_io io;
	struct ike_timing timing;
	struct htab sa_by_spi, sa_half, tun_by_addr, child_by_spi;
	struct htab tun_by_id;    /* configured (not removed) tunnels by tunnel_id */
	struct htab half_by_peer; /* the same half-open SAs keyed by peer address */
	struct ike_tunnel *tunnels;
	struct ike_sa *sas;
	struct ike_stats stats;
	uint32_t next_sa_id, next_session_id;
	uint64_t next_child_id;
	struct ike_keep keep; /* issue 6 */
	bool shutting_down;
	size_t frag_size;      /* issue 7: ike_set_fragment_size(); 0 = IKE_FRAG_DEFAULT_SIZE */
	struct ike_work *work; /* issue 9: worker threads (ike_work.c); NULL = all inline */
	struct ike_creds *creds_cache;        /* issue 9: the last trustpoint loaded (ike_cert.c) */
	uint64_t work_cost_ns[IKE_JOB_KINDS]; /* measured CPU cost per job kind (moving average) */
	struct ike_keypool *keypool;          /* issue 9: key pairs made ahead (ike_keypool.c) */
	struct ike_dgram cur_in;              /* the datagram ike_input is working on */
	/* a rekey's shared secret while its message's second pass runs (ike_rekey_dh.c) */
	struct ike_rekey_dh *rkdh;
	const struct ike_sa *rkdh_sa;
	/* issue 9: ike_pace.c */
	uint32_t max_initiating, initiating;      /* limit (0 = none); our SAs negotiating now */
	struct ike_tunnel *pace_head, *pace_tail; /* waiting for a slot, oldest first */
	uint64_t pace_timer;
	bool pace_kicking;
};

/* ---- tunnels (ike_config.c) ---- */
struct ike_tunnel *ike_tunnel_by_addr(struct ike *ike, uint32_t local, uint32_t remote);
struct ike_tunnel *ike_tunnel_by_id(struct ike *ike, uint32_t tunnel_id);
void ike_tunnel_ref(struct ike_tunnel *t);
void ike_tunnel_unref(struct ike_tunnel *t);
/* Starts a new IKE SA for the tunnel unless one exists or it must not be up. */
void ike_tunnel_initiate(struct ike_tunnel *t);
/* Re-initiates after the hold-down (if nothing else brings the tunnel up). */
void ike_tunnel_schedule(struct ike_tunnel *t, uint32_t delay_ms);
bool ike_tunnel_wanted(const struct ike_tunnel *t);
/* t->last, zeroed, for the caller to fill; NULL when there is no memory (show then lacks it). */
struct ike_sa_info *ike_tunnel_last(struct ike_tunnel *t);
/* Any SA (negotiating or established) of the tunnel other than except, or NULL. */
struct ike_sa *ike_tunnel_sa(struct ike *ike, const struct ike_tunnel *t,
                             const struct ike_sa *except);
/* An ESTABLISHED SA of the tunnel other than except, or NULL. */
struct ike_sa *ike_tunnel_established(const struct ike_tunnel *t, const struct ike_sa *except);

/* ---- messages held while an SA's keys are derived (ike_input.c) ---- */
/* Processes the held messages (the keys are in); sa may be gone afterwards. */
void ike_held_replay(struct ike_sa *sa);
void ike_held_free(struct ike_sa *sa);
/* Puts a copy of the datagram before the held ones (no bound: one per key work); false when
 * there is no memory. */
bool ike_hold_first(struct ike_sa *sa, const uint8_t *pkt, size_t len, uint32_t local,
                    uint16_t lport, uint32_t remote, uint16_t rport);

/* ---- ECDH key pairs made ahead (ike_keypool.c) ---- */
/* A ready key pair of the group (the caller owns it), or NULL: no pool, or none ready. */
struct dh *ike_keypool_take(struct ike *ike, uint16_t group);
/* A ready key pair, or a new one made now (NULL only when that fails): a rekey's, when no
 * worker takes it (ike_rekey_dh.c). */
struct dh *ike_keypool_new(struct ike *ike, const struct dh_alg *alg);
/* After ike_work_free: no job can complete any more. */
void ike_keypool_free(struct ike *ike);

/* ---- initiations in flight (ike_pace.c) ---- */
/* True when t may start an IKE SA now; otherwise t waits in line (once) and false. */
bool ike_pace_turn(struct ike_tunnel *t);
/* sa (ours) counts against the limit until ike_pace_done (it left the half-open states). */
void ike_pace_started(struct ike_sa *sa);
void ike_pace_done(struct ike_sa *sa);
/* t is being freed: out of the line. */
void ike_pace_forget(struct ike_tunnel *t);
void ike_pace_stop(struct ike *ike);

/* ---- messages and retransmission (ike_retx.c) ---- */
void ike_io_send(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
                 uint32_t remote, uint16_t rport);
/* Takes ownership of pkt (malloc'd): sends it as the request for task and retransmits it. */
void ike_send_request(struct ike_sa *sa, struct ike_task_req task, uint8_t *pkt, size_t len);
/* Sends a response to the peer's request msg_id and caches it (takes ownership of pkt). */
void ike_send_response(struct ike_sa *sa, uint32_t msg_id, uint8_t *pkt, size_t len);
/* The response to our request arrived: stop retransmitting, start the next queued task. */
void ike_request_done(struct ike_sa *sa);
/* Queues a request task; starts it now when nothing is in flight. */
void ike_queue_task(struct ike_sa *sa, enum ike_task task, uint32_t arg);
void ike_run_queue(struct ike_sa *sa);

/* ---- message building helpers (ike_xchg.c) ---- */
struct ike_out {
	struct ike_builder b;
	uint8_t *buf;
	bool sk;
	struct ike_hdr h; /* the header as begun (fragments repeat it) */
};
/* Starts a message of this SA; encrypted opens an SK payload. Returns 0 or -1. */
int ike_out_begin(struct ike_out *o, struct ike_sa *sa, uint8_t exchange, bool response,
                  uint32_t msg_id, bool encrypted);
/* Closes (encrypts) and returns the length, handing the buffer to *pkt; -1 on failure. */
int ike_out_end(struct ike_out *o, struct ike_sa *sa, uint8_t **pkt);
void ike_out_abort(struct ike_out *o);
/* Builds and sends an encrypted response holding just one notify (error answers). */
void ike_respond_notify(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id, uint16_t type,
                        const uint8_t *data, size_t len);
/* Finds the first notify of a type in a parsed chain; fills *n when found. */
bool ike_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify_pl *n);
/* First error notify (type <= N_ERROR_MAX) in m, or 0. */
uint16_t ike_first_error(const struct ike_msg *m);

/* ---- exchanges ---- */
void ike_init_start(struct ike_sa *sa);
void ike_init_i_response(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *pkt,
                         size_t len);
void ike_init_r(struct ike *ike, const struct ike_msg *m, const uint8_t *pkt, size_t len,
                uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport);

void ike_auth_start(struct ike_sa *sa);
void ike_auth_i_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_auth_r(struct ike_sa *sa, const struct ike_msg *m);

void ike_info_start(struct ike_sa *sa, struct ike_task_req task);
void ike_info_i_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_info_r(struct ike_sa *sa, const struct ike_msg *m);

/* Called when an IKE SA became ESTABLISHED: INITIAL_CONTACT, duplicate resolution (simultaneous
 * initiation), installation of its first Child SA. */
void ike_sa_established(struct ike_sa *sa);
/* The established IKE SA of sa's tunnel that sa duplicates, or NULL; *kept tells whether sa
 * is the one that stays (ike_estab.c). */
struct ike_sa *ike_sa_duplicate(const struct ike_sa *sa, bool *kept);

#endif
