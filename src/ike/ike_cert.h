/*
 * Certificate authentication for the engine (issue 7): per-tunnel trustpoint material, the
 * IKE_SA_INIT extensions (CERTREQ, SIGNATURE_HASH_ALGORITHMS, IKEV2_FRAGMENTATION_SUPPORTED),
 * our identity, CERT/CERTREQ in IKE_AUTH, and the checks on the peer's certificate and identity.
 *
 * Ownership: a tunnel holds a reference to its struct ike_creds (t->creds), loaded when the
 * tunnel is added and released with it. Tunnels added by the same configuration change with
 * the same trustpoint files share one load (ike->creds_cache, dropped when the change is
 * done): a commit of 1000 tunnels reads, parses and checks the files once, and holds one copy
 * of the key. Peer certificates live only for the duration of one check.
 */
#ifndef MGMTSEC_IKE_CERT_H
#define MGMTSEC_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "ike/ike_work.h"
#include "ike/msg.h"

struct ike_tunnel;
struct ike_sa;
struct ike_cfg_tunnel;

#define IKE_CERT_MAX_CHAIN 4 /* intermediates we send, and accept from a peer */

struct ike_creds {
	struct cert *cert;                      /* ours (first PEM block of cert_file) */
	struct cert *chain[IKE_CERT_MAX_CHAIN]; /* the blocks after it: intermediates */
	size_t n_chain;
	struct privkey *key;
	uint8_t ca_hash[20]; /* SHA-1 of the CA's SubjectPublicKeyInfo (CERTREQ) */
	bool have_ca;
	char err[96]; /* why the trustpoint is unusable; "" when it is fine */
	unsigned refs;
	/* what it was loaded from (the ike_cfg_tunnel fields), for sharing */
	bool local_rsa, remote_rsa;
	char ca_file[256], cert_file[256], key_file[256], crl_file[256];
};

/* When the tunnel signs or verifies with RSA: loads and checks its trustpoint files; a failure
 * is logged, recorded for show (t->last) and makes ike_cert_tunnel_failed() true. */
void ike_cert_tunnel_load(struct ike_tunnel *t);
void ike_cert_tunnel_free(struct ike_tunnel *t);
/* The configuration change is done: later loads read the files again (ike_set_config). */
void ike_cert_cache_drop(struct ike *ike);
bool ike_cert_tunnel_failed(const struct ike_tunnel *t);
/* Equality of the issue-7 configuration fields (for the configuration diff). */
bool ike_cert_cfg_eq(const struct ike_cfg_tunnel *a, const struct ike_cfg_tunnel *b);
/* Does the tunnel involve certificates at all (local or remote RSA)? */
bool ike_cert_used(const struct ike_cfg_tunnel *c);

/* IKE_SA_INIT: our notifies (and CERTREQ in the response); what the peer announced. The
 * responder calls init_peer before building its answer. */
int ike_cert_init_add(struct ike_builder *b, struct ike_sa *sa, bool response);
void ike_cert_init_peer(struct ike_sa *sa, const struct ike_msg *m);

/* Our identification payload body (type, 3 reserved bytes, data) and its text for show.
 * Returns 0 or -1. */
int ike_cert_local_id(const struct ike_sa *sa, uint8_t *body, size_t cap, size_t *len, char *text,
                      size_t tlen);
/* IKE_AUTH: our CERT payloads (when we sign) and, as initiator, CERTREQ. */
int ike_cert_auth_add(struct ike_builder *b, struct ike_sa *sa);

/* Is the peer identity accepted by the profile's `match identity remote` lists? cert (may be
 * NULL) is the peer's validated certificate, for DN matches. */
bool ike_cert_id_allowed(const struct ike_sa *sa, const struct ike_id_pl *id,
                         const struct cert *cert);
/* Peer RSA authentication: certificate chain, identity binding, profile match and the AUTH
 * signature. Returns NULL when all is fine, else the reason (written into why). Sets
 * sa->remote_id for DN identities. */
const char *ike_cert_check_peer(struct ike_sa *sa, const struct ike_msg *m,
                                const struct ike_id_pl *id, const struct ike_auth_pl *auth,
                                char *why, size_t len);
/* The peer refused our AUTH: what is wrong with our own credentials, if we can tell. */
void ike_cert_self_diag(const struct ike_sa *sa, char *why, size_t len);

/* ---- signatures (ike_sig.c) ---- */
/* Our AUTH signature, as an ike_work job (the RSA private-key operation is the expensive part
 * of IKE_AUTH): ike_sig_job_init prepares it on the loop (the octets, the scheme: method 14,
 * RFC 7427, when the peer announced a SHA-2 hash, else method 1; a reference to our key); the
 * job's run() signs; ike_sig_job_auth gives the AUTH payload's data (a new chunk) once it ran.
 * sj is zeroed by the caller and may be the first member of a larger job; the caller's free()
 * calls ike_sig_job_clear. Each returns 0 or -1. */
struct ike_sig_job {
	struct ike_job j;
	struct privkey *key;
	enum sig_scheme scheme;
	uint8_t method;
	const uint8_t *algid;
	size_t algid_len;
	struct chunk octets, sig;
	int rc;
};
int ike_sig_job_init(struct ike_sa *sa, struct ike_sig_job *sj, const uint8_t *idb, size_t idl);
int ike_sig_job_auth(const struct ike_sig_job *sj, uint8_t *method, struct chunk *auth);
void ike_sig_job_clear(struct ike_sig_job *sj);
/* Verifies the peer's AUTH (method 1 or 14) with its certificate. NULL or the reason. */
const char *ike_sig_verify(const struct ike_sa *sa, const struct cert *c,
                           const struct ike_id_pl *id, const struct ike_auth_pl *auth);
/* N(SIGNATURE_HASH_ALGORITHMS) with SHA2-256/384/512 (RFC 8247: SHA-1 not announced). */
int ike_sig_add_notify(struct ike_builder *b);
/* The announced hash identifiers as a bit set (1 << id, ids 1..7). */
uint8_t ike_sig_parse_notify(const struct ike_notify_pl *n);
/* Signed octets (RFC 7296 §2.15): RealMessage | peer's nonce | prf(SK_p, ID body), for our
 * AUTH (ours = true) or the peer's. */
int ike_sig_octets(const struct ike_sa *sa, bool ours, const uint8_t *idb, size_t idl,
                   struct chunk *out);

#endif
