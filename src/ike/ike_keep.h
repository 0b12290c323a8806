/*
 * Internal API of issue 6 ("tunnels that stay up"), shared by the ike_*.c files:
 *   ike_life.c        soft/hard lifetimes of Child and IKE SAs (timers, jitter, overrides)
 *   ike_outbound.c    which installed Child SA is the tunnel's current outbound one; delayed
 *                     (lingering) removal of replaced pairs
 *   ike_ccsa.c        CREATE_CHILD_SA dispatch (responder) and helpers (nonces, KE)
 *   ike_rekey_child.c Child SA rekey (§1.3.3, §2.8, §2.17), both halves, §2.8.1 collisions
 *   ike_rekey_ike.c   IKE SA rekey (§1.3.2, §2.18), both halves, collisions, moving children
 *   ike_dpd.c         liveness checks (§2.4), INVALID_IKE_SPI (§2.21.4)
 *   ike_cookie.c      cookies (§2.6) and half-open limits
 *
 * Ownership: struct ike_rekey belongs to the IKE SA whose request it describes (sa->keep.rk)
 * and is freed with ike_rekey_free() when the response arrives or the SA dies.
 */
#ifndef MGMTSEC_IKE_KEEP_H
#define MGMTSEC_IKE_KEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "ike/ike_sa.h"
#include "ike/msg.h"
#include "util/chunk.h"

struct ike;
struct ike_tunnel;

struct ike_rekey {
	enum ike_task kind;     /* TASK_REKEY_CHILD or TASK_REKEY_IKE */
	uint32_t old_spi;       /* child: our inbound SPI of the Child SA being rekeyed */
	uint32_t new_spi;       /* child: our inbound SPI of the new Child SA (CREATING) */
	uint8_t new_ike_spi[8]; /* IKE: our SPI of the new IKE SA */
	struct dh *dh;
	uint16_t group;
	struct chunk ni;
	/* simultaneous Child rekey (§2.8.1): what the peer's exchange created */
	uint32_t peer_new_spi; /* our inbound SPI of that child, 0 = no collision */
	struct chunk peer_min; /* the lowest nonce of the peer's exchange */
};
void ike_rekey_free(struct ike_rekey *rk);

/* ---- a rekey's shared secret off the loop (ike_rekey_dh.c) ---- */
/* The first pass of a CREATE_CHILD_SA request or response with a KE: true when its shared
 * secret went to a worker (workers, a costly group); the message is then held, not handled,
 * and taken again with the result when it is in. */
bool ike_rekey_dh_defer(struct ike_sa *sa, const struct ike_msg *m);
/* Responder: a key pair of alg and its shared secret with the peer's value: the worker's on
 * the second pass, else made here (a pair made ahead if one is ready). 0, or -1 (bad KE, no
 * key pair). The caller owns *dh and *shared in both cases. */
int ike_rekey_dh_r(struct ike_sa *sa, const struct dh_alg *alg, const struct ike_ke_pl *ke,
                   struct dh **dh, struct chunk *shared);
/* Initiator: the shared secret of our dh with the peer's value, the worker's or made here. */
int ike_rekey_dh_i(struct ike_sa *sa, struct dh *dh, const struct ike_ke_pl *ke,
                   struct chunk *shared);
/* Initiator: the key pair of a rekey request: one made for it on a worker, a pair made ahead,
 * or, when the worker would take it, NULL with *later set: the pair is being made and `task`
 * is queued again when it is in (the caller drops what it started and returns). Otherwise
 * made here; NULL (and *later false) only on failure. */
struct dh *ike_rekey_dh_pair(struct ike_sa *sa, const struct dh_alg *alg, enum ike_task task,
                             uint32_t arg, bool *later);
/* sa is being destroyed. */
void ike_rekey_dh_gone(struct ike_sa *sa);

/* ---- lifetimes (ike_life.c) ---- */
void ike_life_child_start(struct ike_child *c);
void ike_life_child_stop(struct ike_child *c);
/* The peer said TEMPORARY_FAILURE: try again in 1-2 s (if before the hard expiry). */
void ike_life_child_retry(struct ike_child *c);
void ike_life_sa_retry(struct ike_sa *sa);
/* Lifetime and DPD timers of an IKE SA that just became ESTABLISHED. */
void ike_life_sa_start(struct ike_sa *sa);
/* Cancels every issue-6 timer of the SA and frees its rekey state. */
void ike_life_sa_stop(struct ike_sa *sa);
uint64_t ike_life_child_rekey_in_s(const struct ike_child *c);
uint32_t ike_life_ike_s(const struct ike_sa *sa);
/* The Child SA lifetime new children of sa get (ms; 0 = none). */
uint32_t ike_life_child_ms(const struct ike_sa *sa);
/* Tests: lifetimes in milliseconds (0 = configuration). */
void ike_set_lifetime_ms(struct ike *ike, uint32_t child_ms, uint32_t ike_ms);

/* ---- current outbound SA and lingering removal (ike_outbound.c) ---- */
/* Installs both directions with keys from KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr), the i->r keys
 * being the exchange initiator's outbound ones. standby: as rekey responder (the tunnel's
 * outbound is switched later). Returns 0 or -1. */
int ike_child_install_ex(struct ike_child *c, const struct chunk *pfs, const struct chunk *ni,
                         const struct chunk *nr, bool exch_initiator, bool standby);
/* The child leaves the data plane: the tunnel's outbound moves to its successor first, then the
 * pair is removed after linger_ms when another pair carries the tunnel (or it was replaced by a
 * rekey), else now. */
void ike_out_child_gone(struct ike_child *c);
/* Points the tunnel's outbound at its newest usable installed Child SA (if io can switch);
 * false when the tunnel has none besides except. */
bool ike_out_refresh(struct ike_tunnel *t, const struct ike_child *except);
/* Removes every lingering pair now (call_io false: just forget them). */
void ike_linger_flush(struct ike *ike, bool call_io);

/* ---- CREATE_CHILD_SA (ike_ccsa.c) ---- */
/* The payloads of a CREATE_CHILD_SA request or response (borrowed from the message). */
struct ike_ccsa_pl {
	struct ike_sa_pl sa;
	struct ike_ke_pl ke;
	bool has_ke, has_ts;
	struct chunk nonce; /* borrowed: never cleared */
	struct ike_ts_pl tsi, tsr;
};
/* SA and Nonce required; KE and TSi/TSr optional. -1 when malformed or missing. */
int ike_ccsa_parse(const struct ike_msg *m, struct ike_ccsa_pl *p);
/* An encrypted CREATE_CHILD_SA error answer, the notify naming an ESP SPI when spi != 0. */
void ike_ccsa_refuse(struct ike_sa *sa, uint32_t msg_id, uint16_t type, uint32_t spi,
                     const uint8_t *data, size_t len);
int ike_add_ts_pair(struct ike_builder *b, const struct ike_ts *tsi, const struct ike_ts *tsr);
void ike_ccsa_r(struct ike_sa *sa, const struct ike_msg *m);
void ike_ccsa_i_response(struct ike_sa *sa, const struct ike_msg *m);
/* <0 when a < b (bytewise, shorter first on a tie). */
int ike_nonce_cmp(const struct chunk *a, const struct chunk *b);
/* *out = copy of the lower of a and b. */
bool ike_nonce_min(const struct chunk *a, const struct chunk *b, struct chunk *out);
int ike_add_ke_dh(struct ike_builder *b, const struct dh *dh);
uint32_t ike_spi32(const uint8_t *p);
void ike_put32(uint32_t v, uint8_t *out);

/* ---- Child SA rekey (ike_rekey_child.c) ---- */
void ike_rekey_child_start(struct ike_sa *sa, uint32_t spi_in);
void ike_rekey_child_i_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_rekey_child_r(struct ike_sa *sa, const struct ike_msg *m, uint32_t spi_out);

/* ---- IKE SA rekey (ike_rekey_ike.c) ---- */
void ike_rekey_ike_start(struct ike_sa *sa);
void ike_rekey_ike_i_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_rekey_ike_r(struct ike_sa *sa, const struct ike_msg *m);
/* An IKE SA about to die hands its Child SAs to the IKE SA that replaced it, if any. */
void ike_rekey_ike_adopt(struct ike_sa *sa);

/* ---- liveness (ike_dpd.c) ---- */
void ike_dpd_start(struct ike_sa *sa);
/* An authentic message arrived on sa. */
void ike_dpd_rx(struct ike_sa *sa);
/* An unprotected response on sa (INVALID_IKE_SPI: the peer lost its state). */
void ike_dpd_unprotected(struct ike_sa *sa, const struct ike_msg *m);
/* A request for an IKE SA we do not know: answer INVALID_IKE_SPI (rate limited). */
void ike_dpd_unknown_spi(struct ike *ike, const struct ike_hdr *h, uint32_t local, uint16_t lport,
                         uint32_t remote, uint16_t rport);

/* ---- cookies and half-open limits (ike_cookie.c) ---- */
void ike_dos_init(struct ike *ike);
/* Before any state is created for an IKE_SA_INIT request: true when it may proceed; otherwise
 * it was answered with a COOKIE or dropped (counted). */
bool ike_dos_admit(struct ike *ike, const struct ike_msg *m, uint32_t local, uint16_t lport,
                   uint32_t remote, uint16_t rport);
/* m carries a COOKIE we made for its Ni, SPIi and the sender's address; *ni gets its nonce. */
bool ike_cookie_valid(struct ike *ike, const struct ike_msg *m, uint32_t remote, const uint8_t **ni,
                      size_t *ni_len);
/* Tests: rotate the cookie secret now. */
void ike_cookie_rotate(struct ike *ike);
/* Engine teardown: lingering pairs forgotten, secrets wiped. */
void ike_keep_free(struct ike *ike);

#endif
