/*
 * IKE SA and Child SA objects, their state machines and the SA table.
 *
 * One state enum per SA; every change goes through ike_sa_set_state() / ike_child_set_state(),
 * which refuse illegal transitions and log "old -> new".
 *
 * IKE SA states (initiator / responder):
 *   INIT_SENT  --IKE_SA_INIT resp-->  AUTH_SENT --IKE_AUTH resp--> ESTABLISHED
 *   (responder) INIT_DONE --IKE_AUTH req--> ESTABLISHED
 *   ESTABLISHED --Delete sent--> DELETING --resp/timeout--> DEAD
 *   any --failure / Delete received--> DEAD   (DEAD SAs are freed at once)
 *   REKEYING is reserved for CREATE_CHILD_SA rekeys of the IKE SA (issue 6).
 * Child SA states: CREATING --install--> INSTALLED --Delete--> DELETING --> DEAD;
 *   REKEYING reserved for issue 6.
 *
 * Ownership: the SA table (struct ike) owns every SA; an SA owns its Child SAs, keys (wiped on
 * free), cached messages and timers. A tunnel is referenced (counted) by its SAs.
 */
#ifndef MGMTSEC_IKE_SA_H
#define MGMTSEC_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "util/htab.h"
#include "ike/ike_keep_types.h"
#include "ike/ike_timing.h"
#include "ike/msg.h"
#include "util/chunk.h"

struct ike;
struct ike_tunnel;
struct ike_job;
struct ike_held;

enum ike_sa_state {
	IKE_S_NEW = 0,     /* allocated, nothing sent or received yet */
	IKE_S_INIT_SENT,   /* initiator: IKE_SA_INIT request in flight */
	IKE_S_INIT_DONE,   /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_S_AUTH_SENT,   /* initiator: IKE_AUTH request in flight */
	IKE_S_ESTABLISHED, /* authenticated, keys in place */
	IKE_S_REKEYING,    /* issue 6: CREATE_CHILD_SA rekey of this IKE SA in progress */
	IKE_S_DELETING,    /* our Delete in flight */
	IKE_S_DEAD,        /* about to be freed */
	IKE_S_COUNT
};
const char *ike_sa_state_name(enum ike_sa_state s);

enum ike_child_state {
	CHILD_S_CREATING = 0,
	CHILD_S_INSTALLED,
	CHILD_S_REKEYING, /* issue 6 */
	CHILD_S_DELETING,
	CHILD_S_DEAD,
	CHILD_S_COUNT
};
const char *ike_child_state_name(enum ike_child_state s);

/* What a request we sent was for, so that its response goes to the right task. */
enum ike_task {
	TASK_NONE = 0,
	TASK_INIT,
	TASK_AUTH,
	TASK_DELETE_IKE,
	TASK_DELETE_CHILD, /* arg = our inbound SPI of the child */
	TASK_LIVENESS,     /* empty INFORMATIONAL (DPD uses it in issue 6) */
	TASK_REKEY_CHILD,  /* issue 6 */
	TASK_REKEY_IKE,    /* issue 6 */
};

struct ike_task_req {
	enum ike_task task;
	uint32_t arg;
};

struct ike_child {
	struct ike_child *next;
	struct ike_sa *sa;
	struct hnode by_spi; /* engine-wide index of inbound SPIs (uniqueness) */
	enum ike_child_state state;
	uint64_t id; /* "SA id" in show ipsec sa */
	uint32_t spi_in, spi_out;
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL for AEAD */
	struct ike_ts ts_local, ts_remote;
	uint64_t created_ms;
	uint32_t lifetime_s;
	bool installed;
	uint64_t rekey_timer;       /* unused (issue 6 keeps its timers in keep) */
	struct ike_keep_child keep; /* issue 6: lifetimes, rekey state */
};

struct ike_sa {
	struct ike *ike;
	struct ike_tunnel *tun;  /* counted reference */
	struct ike_sa *tun_next; /* the tunnel's SA list */
	struct ike_sa *prev, *next;
	struct hnode by_spi;       /* key: our SPI */
	struct hnode by_half;      /* responder while half open: peer SPIi ^ peer address */
	struct hnode by_half_peer; /* ... and by peer address alone (per-peer limit) */
	bool in_half;
	enum ike_sa_state state;
	bool initiator;
	bool paced; /* counts against ike->max_initiating (ike_pace.c) */
	uint32_t id, session_id;
	uint8_t spi_i[8], spi_r[8];
	uint32_t local, remote; /* network order */
	uint16_t lport, rport;
	bool natt;                  /* IKE on 4500, ESP in UDP */
	bool nat_local, nat_remote; /* which side is behind a NAT */
	uint64_t created_ms, established_ms;

	/* negotiated algorithms */
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL for AEAD */
	const struct prf_alg *prf;
	const struct dh_alg *dh;

	/* IKE_SA_INIT and IKE_AUTH material; freed once established */
	struct dh *dhctx;
	uint16_t ke_group;
	struct chunk ni, nr;
	struct chunk msg1, msg2; /* RealMessage1 / RealMessage2 (AUTH signs them) */
	struct chunk cookie;
	uint8_t init_retries;      /* COOKIE / INVALID_KE_PAYLOAD restarts of IKE_SA_INIT */
	struct ike_child *pending; /* the Child SA negotiated inside IKE_AUTH */
	bool initial_contact;      /* peer sent INITIAL_CONTACT */

	/* issue 7: certificates, signatures (RFC 7427), fragmentation (RFC 7383) */
	uint8_t auth_sent, auth_rcvd;   /* AUTH methods used (enum ike_auth_method), 0 = not yet */
	uint8_t peer_hashes;            /* hash algorithms the peer announced, bit (1 << id) */
	bool frag_ok;                   /* both sides announced IKEV2_FRAGMENTATION_SUPPORTED */
	struct ike_frag_rx *frag_rx[2]; /* reassembly in progress: [0] request, [1] response */

	/* keys */
	struct chunk sk_d, sk_pi, sk_pr;
	struct ike_sk_keys k_out, k_in;

	/* message IDs and retransmission (window size 1) */
	uint32_t req_next;       /* id of our next request */
	struct ike_task_req req; /* in flight; TASK_NONE when idle */
	uint32_t req_id;
	uint8_t *req_pkt;
	size_t req_len;
	size_t req_tries;
	uint64_t req_timer;
	struct ike_task_req queue[IKE_TASK_QUEUE];
	size_t n_queue;
	uint32_t peer_next; /* id we expect in the peer's next request */
	uint8_t *resp_pkt;  /* our response to request peer_next - 1, sent verbatim again */
	size_t resp_len;

	uint64_t half_open_timer;
	struct ike_job *job; /* public-key work in flight for this SA (ike_work.c), or NULL */
	/* responder: answered with a key pair made ahead, deriving the shared secret; what the
	 * peer sends meanwhile is held (ike_input.c) and taken when SK_* are in */
	bool keys_pending;
	/* a rekey's shared secret is on a worker (ike_rekey_dh.c): the peer's messages are held */
	bool rekey_dh_pending;
	struct dh *rekey_pair; /* made on a worker for our next rekey request (ike_rekey_dh.c) */
	uint8_t n_held;
	struct ike_held *held;
	struct ike_child *children;
	char local_id[64], remote_id[64];
	char why[96];            /* last event for show: why it failed or was deleted */
	bool reinit;             /* re-establish the tunnel when this SA is gone (clear) */
	struct ike_keep_sa keep; /* issue 6: lifetimes, DPD, rekey state */
};

/* ---- table ---- */
/* A new SA with a fresh random local SPI, linked into the table. tun may be NULL (responder
 * before the tunnel is known). Returns NULL on allocation failure. */
struct ike_sa *ike_sa_new(struct ike *ike, struct ike_tunnel *tun, bool initiator);
struct ike_sa *ike_sa_find(struct ike *ike, const uint8_t spi[8]);
/* Responder half-open lookup for IKE_SA_INIT retransmissions. */
struct ike_sa *ike_sa_find_half(struct ike *ike, const uint8_t spi_i[8], uint32_t remote,
                                uint16_t rport);
void ike_sa_add_half(struct ike_sa *sa);
void ike_sa_del_half(struct ike_sa *sa);
/* Responder SAs still half open from this peer address (per-peer limit). */
size_t ike_sa_half_from(const struct ike *ike, uint32_t remote);
const uint8_t *ike_sa_spi_local(const struct ike_sa *sa);
/* Replaces our SPI (re-indexed): an IKE SA made by a rekey takes the SPI it proposed. -1 if
 * that SPI is taken. */
int ike_sa_set_spi_local(struct ike_sa *sa, const uint8_t spi[8]);
const uint8_t *ike_sa_spi_remote(const struct ike_sa *sa);
void ike_sa_set_tunnel(struct ike_sa *sa, struct ike_tunnel *tun);

/* ---- state machine ---- */
/* Returns false (and logs) when the transition is illegal; the state is then unchanged. */
bool ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to);
bool ike_child_set_state(struct ike_child *c, enum ike_child_state to);

/* Ends the SA now: removes its Child SAs from the data plane, records why for show, unlinks
 * and frees it, and schedules re-initiation of its tunnel when appropriate. No traffic. */
void ike_sa_destroy(struct ike_sa *sa, const char *why, bool failed);
/* Fills the operator view of one SA (ike_show.c). */
void ike_sa_fill_info(const struct ike_sa *sa, struct ike_sa_info *info);
/* Wipes the IKE_SA_INIT-time secrets no longer needed once authenticated. */
void ike_sa_drop_init_material(struct ike_sa *sa);

/* ---- Child SAs ---- */
/* A new child in CREATING with a fresh unique inbound SPI, linked into sa. */
struct ike_child *ike_child_new(struct ike_sa *sa);
struct ike_child *ike_child_find_out(struct ike_sa *sa, uint32_t spi_out);
struct ike_child *ike_child_find_in(struct ike_sa *sa, uint32_t spi_in);
/* Derives keys and hands both directions to the data plane. Returns 0 or -1. */
int ike_child_install(struct ike_child *c);
/* Removes it from the data plane (if installed), unlinks and frees it. */
void ike_child_destroy(struct ike_child *c);

#endif
