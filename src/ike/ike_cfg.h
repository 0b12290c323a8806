/*
 * What the IKE engine needs from the configuration, as plain data. The daemon builds one
 * ike_cfg from each committed configuration (config/ model → this) and hands it to
 * ike_set_config(); IKE never reads the configuration model itself.
 *
 * Ownership: ike_set_config() copies what it keeps; the caller frees its ike_cfg with
 * ike_cfg_free(), which wipes the PSKs.
 *
 * A tunnel's strings (file paths, identities) are pointers, NULL when unset, and its proposals
 * an array of n_proposals: fixed arrays for the most a configuration may hold made each tunnel
 * 7 KB, held once by the engine and once more by every commit, almost all of it zeros. A tunnel
 * inside an ike_cfg owns its strings, proposals and PSKs (the builder sets them with
 * ike_cfg_set_str(), ike_cfg_add_proposal() and chunk_dup()); one built anywhere else, such as
 * a test's template, may borrow them, and ike_cfg_tunnel_copy() makes an owning copy.
 */
#ifndef MGMTSEC_IKE_CFG_H
#define MGMTSEC_IKE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/chunk.h"

#define IKE_CFG_MAX_ALGS      8
#define IKE_CFG_MAX_PROPOSALS 8 /* ikev2 proposals per tunnel (its policy's) */
#define IKE_CFG_MAX_IDS       8 /* match identity remote fqdn / dn entries per tunnel */

/* One `ikev2 proposal`, as lists in preference order of transform IDs. */
struct ike_cfg_proposal {
	char name[33];
	uint16_t encr[IKE_CFG_MAX_ALGS]; /* enum encr_id */
	uint16_t encr_bits[IKE_CFG_MAX_ALGS];
	size_t n_encr;
	uint16_t integ[IKE_CFG_MAX_ALGS]; /* enum integ_id; ignored for AEAD encr */
	size_t n_integ;
	uint16_t prf[IKE_CFG_MAX_ALGS];
	size_t n_prf;
	uint16_t dh[IKE_CFG_MAX_ALGS];
	size_t n_dh;
};

/* One ESP transform set. */
struct ike_cfg_esp {
	char name[33];
	uint16_t encr; /* ENCR_AES_CBC or ENCR_AES_GCM_16 */
	uint16_t encr_bits;
	uint16_t integ; /* AUTH_NONE for GCM */
};

enum ike_cfg_auth {
	IKE_AUTH_PSK = 1,
	IKE_AUTH_RSA = 2
};

/* One protected tunnel interface, with everything resolved through its profiles. */
struct ike_cfg_tunnel {
	uint32_t tunnel_id;   /* N of tunnel-ipN */
	char ifname[16];      /* "tunnel-ipN" */
	uint32_t local_addr;  /* outer, network order (tunnel source resolved) */
	uint32_t remote_addr; /* tunnel destination, network order */
	bool shutdown;
	bool passive; /* added: answer the peer but never initiate (tests; one-sided setups) */

	/* IKE SA: from the ikev2 policy matching local_addr, and the ikev2 profile */
	struct ike_cfg_proposal *proposals; /* n_proposals of them, at most IKE_CFG_MAX_PROPOSALS */
	size_t n_proposals;
	char ike_profile[33];
	uint32_t ike_lifetime_s; /* 120..86400 */
	enum ike_cfg_auth auth_local;
	bool auth_remote_psk, auth_remote_rsa; /* accepted methods from the peer */
	struct chunk psk_local;                /* signs our AUTH */
	struct chunk psk_remote; /* verifies the peer's AUTH (same as local when symmetric) */
	/* the profile's `match identity remote address A MASK` list (network order) */
	uint32_t match_remote_addr[8], match_remote_mask[8];
	size_t n_match_remote;
	uint32_t dpd_interval_s; /* 0 = the default, IKE_DPD_DEFAULT_S */
	/* `dpd INTERVAL RETRY`: an unanswered liveness check is retransmitted every RETRY seconds,
	 * IKE_DPD_RETRIES times, then the peer is dead. 0 = the retransmission back-off. */
	uint32_t dpd_retry_s;
	/* certificates (trustpoint), NULL when unused */
	const char *ca_file, *cert_file, *key_file, *crl_file;
	/* Added (issue 7), all-zero = defaults. Our identity: 0 or ID_IPV4_ADDR = local_addr,
	 * ID_FQDN = local_id_fqdn, ID_DER_ASN1_DN = the subject of our certificate. */
	uint8_t local_id_type;
	const char *local_id_fqdn;
	/* `match identity remote fqdn NAME` (exact, case-insensitive) and `... dn TEXT` (TEXT
	 * found in the peer certificate's subject, e.g. "CN=router2"; case-insensitive); the
	 * first n of each are set (not NULL). */
	const char *match_remote_fqdn[IKE_CFG_MAX_IDS];
	size_t n_match_remote_fqdn;
	const char *match_remote_dn[IKE_CFG_MAX_IDS];
	size_t n_match_remote_dn;
	bool rsa_pss;            /* sign with RSA-PSS under RFC 7427 (default PKCS#1 v1.5) */
	bool no_sig_hash_notify; /* do not announce SIGNATURE_HASH_ALGORITHMS (old peers, tests) */
	bool no_fragmentation;   /* do not announce IKEV2_FRAGMENTATION_SUPPORTED */
	/* `nat force-encap`: ESP in UDP 4500 without a NAT. Our NAT_DETECTION_SOURCE_IP hashes no
	 * address of ours, so the peer sees us behind a NAT and floats too (RFC 7296 2.23 lets
	 * either end act on a NAT it detects). */
	bool force_encap;

	/* Child SA: from the ipsec profile */
	char ipsec_profile[33];
	struct ike_cfg_esp esp[5];
	size_t n_esp;
	uint16_t pfs_group;        /* 0 = no PFS */
	uint32_t child_lifetime_s; /* 120..2592000 */
	uint32_t replay_window;
};

struct ike_cfg {
	struct ike_cfg_tunnel *tunnels; /* owned */
	size_t n_tunnels;
};

void ike_cfg_free(struct ike_cfg *c); /* wipes the PSKs; NULL-safe */

/* Replaces the owned string *dst with a copy of s (NULL or "" leave it NULL). -1: no memory,
 * *dst is then NULL. */
int ike_cfg_set_str(const char **dst, const char *s);

/* Appends a copy of s to an owned list of identities (match_remote_fqdn/dn) with n entries;
 * a full list (IKE_CFG_MAX_IDS) takes no more and is no error. -1: no memory. */
int ike_cfg_add_id(const char **list, size_t *n, const char *s);

/* Appends a zeroed proposal to an owning tunnel's list; NULL when the list is full or there is
 * no memory. */
struct ike_cfg_proposal *ike_cfg_add_proposal(struct ike_cfg_tunnel *t);

/* dst becomes an owning copy of src (strings and PSKs duplicated). -1: no memory, and dst then
 * owns nothing. */
int ike_cfg_tunnel_copy(struct ike_cfg_tunnel *dst, const struct ike_cfg_tunnel *src);

/* Frees what an owning tunnel holds (PSKs wiped) and clears the pointers. */
void ike_cfg_tunnel_clear(struct ike_cfg_tunnel *t);

/* An optional string for comparing or printing: "" for NULL. */
static inline const char *ike_cfg_s(const char *s)
{
	return s ? s : "";
}

/* Equality of two optional strings, NULL being equal to "". */
static inline bool ike_cfg_str_eq(const char *a, const char *b)
{
	return !strcmp(ike_cfg_s(a), ike_cfg_s(b));
}

#endif
