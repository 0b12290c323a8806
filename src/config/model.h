/*
 * The configuration model: plain C structs for everything the configuration language can
 * say (see docs/config-deviations.md for the grammar decisions).
 *
 * A struct cfg owns all its objects. Objects of one kind live in a sorted array (natural
 * order of their name, strverscmp), so iteration order is the rendering order. Pointers to
 * objects stay valid only until the next change of that array.
 *
 * Addresses and masks are IPv4 in network byte order. Pre-shared keys are chunks and are
 * wiped by cfg_free(). A committed configuration handed to the daemon is read-only.
 *
 * Effective values (defaults applied) are given by the cfg_eff_* helpers at the bottom, so
 * the daemon never re-implements the defaults.
 */
#ifndef MGMTSEC_CONFIG_MODEL_H
#define MGMTSEC_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/chunk.h"

#define CFG_NAME_MAX        32 /* object names and references */
#define CFG_NAME_SIZE       (CFG_NAME_MAX + 1)
#define CFG_IFNAME_SIZE     65  /* IOS XR interface name (tunnel source, name map) */
#define CFG_LINUX_IFSIZE    16  /* IFNAMSIZ */
#define CFG_PATH_SIZE       256 /* trustpoint files */
#define CFG_FQDN_SIZE       254
#define CFG_DN_SIZE         256 /* match identity remote dn: part of a subject DN */
#define CFG_DESC_SIZE       241 /* description / commit comment */
#define CFG_PSK_MAX         1024

#define CFG_MAX_ENCR        5
#define CFG_MAX_INTEG       4
#define CFG_MAX_PRF         4
#define CFG_MAX_DH          8
#define CFG_MAX_LIST        8 /* policy proposals/addresses, profile identities */
#define CFG_MAX_TSETS       5
#define CFG_MAX_IPSEC_PROFS 3 /* the seed's restriction, enforced at commit */

/*
 * Algorithm keywords, declared once: X(enum, keyword, help). The grammar table, the
 * renderer and the name helpers are generated from these lists.
 */
#define CFG_ENCR_LIST(X)                                                                           \
	X(CFG_ENCR_AES_CBC_128, "aes-cbc-128", "AES-CBC with a 128-bit key")                       \
	X(CFG_ENCR_AES_CBC_192, "aes-cbc-192", "AES-CBC with a 192-bit key")                       \
	X(CFG_ENCR_AES_CBC_256, "aes-cbc-256", "AES-CBC with a 256-bit key")                       \
	X(CFG_ENCR_AES_GCM_128, "aes-gcm-128", "AES-GCM (16-octet ICV) with a 128-bit key")        \
	X(CFG_ENCR_AES_GCM_256, "aes-gcm-256", "AES-GCM (16-octet ICV) with a 256-bit key")

#define CFG_HASH_LIST(X)                                                                           \
	X(CFG_HASH_SHA1, "sha-1", "HMAC-SHA1")                                                     \
	X(CFG_HASH_SHA256, "sha-256", "HMAC-SHA256")                                               \
	X(CFG_HASH_SHA384, "sha-384", "HMAC-SHA384")                                               \
	X(CFG_HASH_SHA512, "sha-512", "HMAC-SHA512")

#define CFG_ESP_CIPHER_LIST(X)                                                                     \
	X(CFG_ESP_AES_128, "esp-aes", "ESP AES-CBC with a 128-bit key")                            \
	X(CFG_ESP_AES_192, "esp-192-aes", "ESP AES-CBC with a 192-bit key")                        \
	X(CFG_ESP_AES_256, "esp-256-aes", "ESP AES-CBC with a 256-bit key")                        \
	X(CFG_ESP_GCM_128, "esp-gcm-128", "ESP AES-GCM with a 128-bit key (no HMAC)")              \
	X(CFG_ESP_GCM_256, "esp-gcm-256", "ESP AES-GCM with a 256-bit key (no HMAC)")

#define CFG_ESP_HMAC_LIST(X)                                                                       \
	X(CFG_HMAC_SHA1, "esp-hmac-sha1", "HMAC-SHA1-96")                                          \
	X(CFG_HMAC_SHA256, "esp-hmac-sha-256", "HMAC-SHA256-128")                                  \
	X(CFG_HMAC_SHA384, "esp-hmac-sha-384", "HMAC-SHA384-192")                                  \
	X(CFG_HMAC_SHA512, "esp-hmac-sha-512", "HMAC-SHA512-256")

#define CFG_ENUM_ENTRY(e, kw, help) e,
enum cfg_encr {
	CFG_ENCR_NONE = 0,
	CFG_ENCR_LIST(CFG_ENUM_ENTRY)
};
enum cfg_hash {
	CFG_HASH_NONE = 0,
	CFG_HASH_LIST(CFG_ENUM_ENTRY)
}; /* integrity and prf */
enum cfg_esp_cipher {
	CFG_ESP_NONE = 0,
	CFG_ESP_CIPHER_LIST(CFG_ENUM_ENTRY)
};
enum cfg_esp_hmac {
	CFG_HMAC_NONE = 0,
	CFG_ESP_HMAC_LIST(CFG_ENUM_ENTRY)
};
enum cfg_auth {
	CFG_AUTH_NONE = 0,
	CFG_AUTH_PSK,
	CFG_AUTH_RSA
};
/* `identity local address|fqdn NAME|dn` */
enum cfg_id_local {
	CFG_IDL_DEFAULT = 0, /* the outer address (as `address`) */
	CFG_IDL_ADDRESS,
	CFG_IDL_FQDN,
	CFG_IDL_DN /* the subject of our certificate */
};

/* `ikev2 proposal NAME`: lists in preference order. */
struct cfg_proposal {
	char name[CFG_NAME_SIZE];
	uint8_t encr[CFG_MAX_ENCR]; /* enum cfg_encr */
	size_t n_encr;
	uint8_t integ[CFG_MAX_INTEG]; /* enum cfg_hash */
	size_t n_integ;
	uint8_t prf[CFG_MAX_PRF]; /* enum cfg_hash; empty = same as integrity */
	size_t n_prf;
	uint16_t dh[CFG_MAX_DH]; /* 19, 20, 21 */
	size_t n_dh;
};

/* `ikev2 policy NAME` */
struct cfg_policy {
	char name[CFG_NAME_SIZE];
	char proposals[CFG_MAX_LIST][CFG_NAME_SIZE];
	size_t n_proposals;
	uint32_t local_addr[CFG_MAX_LIST]; /* match address local */
	size_t n_local_addr;
	bool fvrf_any;            /* match fvrf any */
	char fvrf[CFG_NAME_SIZE]; /* match fvrf VRF ("" = none) */
};

/* `keyring NAME` / `peer NAME`. Either psk (symmetric) or psk_local + psk_remote. */
struct cfg_peer {
	char name[CFG_NAME_SIZE];
	bool has_address;
	uint32_t address, mask;
	struct chunk psk;        /* owned, wiped */
	struct chunk psk_local;  /* owned, wiped */
	struct chunk psk_remote; /* owned, wiped */
};

struct cfg_keyring {
	char name[CFG_NAME_SIZE];
	struct cfg_peer *peers; /* owned, sorted */
	size_t n_peers;
};

/* `ikev2 profile NAME` */
struct cfg_ike_profile {
	char name[CFG_NAME_SIZE];
	char keyring[CFG_NAME_SIZE];
	uint32_t lifetime;                     /* 0 = default (cfg_eff_ike_lifetime) */
	uint8_t auth_local;                    /* enum cfg_auth; NONE = pre-shared */
	bool auth_remote_psk, auth_remote_rsa; /* neither = same as local */
	bool rsa_pss;                          /* authentication local rsa-signature pss */
	uint8_t id_local;                      /* enum cfg_id_local */
	char id_local_fqdn[CFG_FQDN_SIZE];     /* identity local fqdn NAME */
	uint32_t id_addr[CFG_MAX_LIST], id_mask[CFG_MAX_LIST]; /* match identity remote address */
	size_t n_id_addr;
	char id_fqdn[CFG_MAX_LIST][CFG_FQDN_SIZE]; /* match identity remote fqdn */
	size_t n_id_fqdn;
	char id_dn[CFG_MAX_LIST][CFG_DN_SIZE]; /* match identity remote dn TEXT */
	size_t n_id_dn;
	bool fvrf_any;
	char fvrf[CFG_NAME_SIZE];
	char trustpoint[CFG_NAME_SIZE];   /* pki trustpoint */
	uint16_t dpd_interval, dpd_retry; /* 0 = no DPD */
	bool nat_force_encap;             /* nat force-encap: ESP in UDP without a NAT */
};

/* `ipsec transform-set NAME` */
struct cfg_transform_set {
	char name[CFG_NAME_SIZE];
	bool mode_tunnel; /* `mode tunnel` typed (tunnel is the only mode either way) */
	uint8_t cipher;   /* enum cfg_esp_cipher */
	uint8_t hmac;     /* enum cfg_esp_hmac; NONE for GCM */
};

/* `ipsec profile NAME` */
struct cfg_ipsec_profile {
	char name[CFG_NAME_SIZE];
	char ike_profile[CFG_NAME_SIZE];
	char tsets[CFG_MAX_TSETS][CFG_NAME_SIZE]; /* priority order */
	size_t n_tsets;
	uint16_t pfs;           /* 0 = none, else 19/20/21 */
	uint32_t lifetime;      /* seconds; 0 = default */
	uint16_t replay_window; /* 0 = default */
};

/* `crypto ca trustpoint NAME`: file paths ("" = unset). */
struct cfg_trustpoint {
	char name[CFG_NAME_SIZE];
	char ca_file[CFG_PATH_SIZE], cert_file[CFG_PATH_SIZE];
	char key_file[CFG_PATH_SIZE], crl_file[CFG_PATH_SIZE];
};

/* `interface tunnel-ipN` */
struct cfg_interface {
	char name[CFG_LINUX_IFSIZE]; /* "tunnel-ipN" */
	uint32_t num;
	bool has_address;
	uint32_t address, mask;
	bool mode_ipsec_ipv4;
	char source[CFG_IFNAME_SIZE]; /* interface name or dotted address; "" = unset */
	bool has_destination;
	uint32_t destination;
	char protection[CFG_NAME_SIZE]; /* tunnel protection ipsec profile */
	bool shutdown;
	char description[CFG_DESC_SIZE];
};

/* `interface-name-map IOSXR-NAME LINUX-NAME` */
struct cfg_ifmap {
	char xr_name[CFG_IFNAME_SIZE];
	char linux_name[CFG_LINUX_IFSIZE];
};

struct cfg {
	char hostname[CFG_NAME_SIZE]; /* "" = unset (prompt shows "Router") */
	struct cfg_ifmap *ifmaps;
	size_t n_ifmaps;
	struct cfg_proposal *proposals;
	size_t n_proposals;
	struct cfg_policy *policies;
	size_t n_policies;
	struct cfg_keyring *keyrings;
	size_t n_keyrings;
	struct cfg_trustpoint *trustpoints;
	size_t n_trustpoints;
	struct cfg_ike_profile *ike_profiles;
	size_t n_ike_profiles;
	struct cfg_transform_set *tsets;
	size_t n_tsets;
	struct cfg_ipsec_profile *ipsec_profiles;
	size_t n_ipsec_profiles;
	struct cfg_interface *interfaces;
	size_t n_interfaces;
};

/* An empty configuration; NULL on allocation failure. */
struct cfg *cfg_new(void);
/* Deep copy (PSKs included); NULL on allocation failure. */
struct cfg *cfg_dup(const struct cfg *c);
/* Frees everything and wipes the PSKs. NULL-safe. */
void cfg_free(struct cfg *c);

/* Lookups by name; NULL when absent. The pointers are borrowed from c. */
const struct cfg_proposal *cfg_find_proposal(const struct cfg *c, const char *name);
const struct cfg_policy *cfg_find_policy(const struct cfg *c, const char *name);
const struct cfg_keyring *cfg_find_keyring(const struct cfg *c, const char *name);
const struct cfg_peer *cfg_find_peer(const struct cfg_keyring *k, const char *name);
const struct cfg_trustpoint *cfg_find_trustpoint(const struct cfg *c, const char *name);
const struct cfg_ike_profile *cfg_find_ike_profile(const struct cfg *c, const char *name);
const struct cfg_transform_set *cfg_find_tset(const struct cfg *c, const char *name);
const struct cfg_ipsec_profile *cfg_find_ipsec_profile(const struct cfg *c, const char *name);
const struct cfg_interface *cfg_find_interface(const struct cfg *c, uint32_t num);
/* The Linux name for an IOS XR interface name: the map entry, else the name itself. */
const char *cfg_linux_ifname(const struct cfg *c, const char *xr_name);
/* The first policy with `match address local` == addr, else the first policy matching any
 * local address (no `match address local` lines); NULL when none. */
const struct cfg_policy *cfg_policy_for_local(const struct cfg *c, uint32_t addr);

/* Keyword spellings ("aes-cbc-256", "sha-256", "esp-256-aes", ...); "?" when unknown. */
const char *cfg_encr_name(unsigned e);
const char *cfg_hash_name(unsigned h);
const char *cfg_esp_cipher_name(unsigned c);
const char *cfg_esp_hmac_name(unsigned h);
bool cfg_encr_is_gcm(unsigned e);
unsigned cfg_encr_key_bits(unsigned e);
bool cfg_esp_cipher_is_gcm(unsigned c);
unsigned cfg_esp_cipher_key_bits(unsigned c);

/* Defaults, documented in docs/config-deviations.md. */
#define CFG_DEFAULT_IKE_LIFETIME   86400u
#define CFG_DEFAULT_IPSEC_LIFETIME 3600u
#define CFG_DEFAULT_REPLAY_WINDOW  64u

/* Effective PRF list: the prf lines, or the integrity list when prf is absent. Returns n. */
size_t cfg_eff_prf(const struct cfg_proposal *p, uint8_t out[CFG_MAX_PRF]);
uint32_t cfg_eff_ike_lifetime(const struct cfg_ike_profile *p);
enum cfg_auth cfg_eff_auth_local(const struct cfg_ike_profile *p);
/* Methods accepted from the peer: the remote lines, or the local method when none. */
void cfg_eff_auth_remote(const struct cfg_ike_profile *p, bool *psk, bool *rsa);
uint32_t cfg_eff_ipsec_lifetime(const struct cfg_ipsec_profile *p);
uint32_t cfg_eff_replay_window(const struct cfg_ipsec_profile *p);

#endif
