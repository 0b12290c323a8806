/*
 * The grammar table: every command of the configuration language and of exec mode, as a
 * token tree (see grammar.h). Keyword spellings follow IOS XR 7.8
 * (../shared/reference/iosxr-grammar.md); additions are listed in docs/config-deviations.md.
 * The tree is built bottom-up because C needs each array defined before it is referenced.
 */
#include "config/grammar.h"
#include "config/cmds.h"
#include "config/session.h"

#define END                                                                                        \
	{                                                                                          \
		0                                                                                  \
	}
#define KIDS(...) ((const struct gnode[]){__VA_ARGS__, END})
#define KW(w, h, ...)                                                                              \
	{                                                                                          \
		.kind = GK_KW, .word = (w), .help = (h), __VA_ARGS__                               \
	}
#define V_NAME(h, fl, ...)                                                                         \
	{                                                                                          \
		.kind = GK_NAME, .word = "WORD", .help = (h), .min = 1, .max = CFG_NAME_MAX,       \
		.flags = (fl), __VA_ARGS__                                                         \
	}
#define V_IPV4(h, fl, ...)                                                                         \
	{                                                                                          \
		.kind = GK_IPV4, .word = "A.B.C.D", .help = (h), .flags = (fl), __VA_ARGS__        \
	}
#define V_MASK(h, fl)                                                                              \
	{                                                                                          \
		.kind = GK_MASK, .word = "A.B.C.D", .help = (h), .flags = (fl)                     \
	}
#define V_INT(lo, hi, wh, h, fl, ...)                                                              \
	{                                                                                          \
		.kind = GK_INT, .word = "<" #lo "-" #hi ">", .help = (h), .min = (lo),             \
		.max = (hi), .what = (wh), .flags = (fl), __VA_ARGS__                              \
	}
#define V_WORD(ph, lo, hi, wh, h, fl)                                                              \
	{                                                                                          \
		.kind = GK_WORD, .word = (ph), .help = (h), .min = (lo), .max = (hi),              \
		.what = (wh), .flags = (fl)                                                        \
	}
#define V_LINE(hi, wh, h)                                                                          \
	{                                                                                          \
		.kind = GK_LINE, .word = "LINE", .help = (h), .min = 1, .max = (hi), .what = (wh), \
		.flags = G_END | G_VAL                                                             \
	}
#define V_TUNIF(fl, ...)                                                                           \
	{                                                                                          \
		.kind = GK_TUNIF, .word = "tunnel-ip<0-65535>", .help = "IPsec tunnel interface",  \
		.min = 0, .max = 65535, .what = "tunnel-ip number", .flags = (fl), __VA_ARGS__     \
	}
#define LEAF (G_END | G_VAL)

/* ---- algorithm lists (generated from model.h) ---- */

/* Macro arguments used as designated-initializer values cannot bind wrongly.
 * NOLINTBEGIN(bugprone-macro-parentheses) */

#define ALG_KW(e, kw, h) {.kind = GK_KW, .word = kw, .help = h, .ival = e, .flags = LEAF},
static const struct gnode g_encr_algs[] = {CFG_ENCR_LIST(ALG_KW) END};
static const struct gnode g_hash_algs[] = {CFG_HASH_LIST(ALG_KW) END};
static const struct gnode g_dh_groups[] = {
    KW("19", "256-bit random ECP group (NIST P-256)", .ival = 19, .flags = LEAF),
    KW("20", "384-bit random ECP group (NIST P-384)", .ival = 20, .flags = LEAF),
    KW("21", "521-bit random ECP group (NIST P-521)", .ival = 21, .flags = LEAF),
    END,
};

#define CIPHER_LEAF(e, kw, h)                                                                      \
	{.kind = GK_KW, .word = kw, .help = h, .ival = e, .what = "cipher", .flags = LEAF},
#define HMAC_LEAF(e, kw, h)                                                                        \
	{.kind = GK_KW, .word = kw, .help = h, .ival = e, .what = "hmac", .flags = LEAF},
static const struct gnode g_cipher_leaf[] = {CFG_ESP_CIPHER_LIST(CIPHER_LEAF) END};
static const struct gnode g_hmac_leaf[] = {CFG_ESP_HMAC_LIST(HMAC_LEAF) END};
/* `transform CIPHER HMAC` in either order */
#define CIPHER_FIRST(e, kw, h)                                                                     \
	{.kind = GK_KW,                                                                            \
	 .word = kw,                                                                               \
	 .help = h,                                                                                \
	 .ival = e,                                                                                \
	 .what = "cipher",                                                                         \
	 .flags = LEAF,                                                                            \
	 .kids = g_hmac_leaf},
#define HMAC_FIRST(e, kw, h)                                                                       \
	{.kind = GK_KW,                                                                            \
	 .word = kw,                                                                               \
	 .help = h,                                                                                \
	 .ival = e,                                                                                \
	 .what = "hmac",                                                                           \
	 .flags = LEAF,                                                                            \
	 .kids = g_cipher_leaf},
/* NOLINTEND(bugprone-macro-parentheses) */
static const struct gnode g_transform[] = {CFG_ESP_CIPHER_LIST(CIPHER_FIRST)
                                               CFG_ESP_HMAC_LIST(HMAC_FIRST) END};

static const struct gnode g_fvrf_vals[] = {
    KW("any", "Any front-door VRF", .ival = 1, .flags = LEAF),
    V_NAME("Front-door VRF name", LEAF),
    END,
};

static const struct gnode g_addr_mask[] = {
    V_IPV4("IPv4 address", G_VAL, .kids = KIDS(V_MASK("Network mask", LEAF))),
    END,
};

/* `authentication local`: as below, and `rsa-signature pss` (mgmtsec addition) */
static const struct gnode g_auth_local_methods[] = {
    KW("pre-shared", "Pre-shared key", .ival = CFG_AUTH_PSK, .flags = LEAF),
    KW("rsa-signature", "RSA signature with an X.509 certificate", .ival = CFG_AUTH_RSA,
       .flags = LEAF,
       .kids = KIDS(KW("pss", "Sign with RSA-PSS (RFC 7427) instead of PKCS#1 v1.5", .ival = 'P',
                       .flags = LEAF))),
    END,
};

static const struct gnode g_auth_methods[] = {
    KW("pre-shared", "Pre-shared key", .ival = CFG_AUTH_PSK, .flags = LEAF),
    KW("rsa-signature", "RSA signature with an X.509 certificate", .ival = CFG_AUTH_RSA,
       .flags = LEAF),
    END,
};

#define V_PSK                                                                                      \
	{                                                                                          \
		.kind = GK_KEY, .word = "LINE", .help = "The key (1-1024 printable characters)",   \
		.min = 1, .max = CFG_PSK_MAX, .what = "pre-shared key", .flags = LEAF              \
	}

/* ---- sub-modes ---- */

static const struct gnode g_proposal_mode[] = {
    KW("encryption", "Encryption algorithms, in preference order (up to 5)", .ival = 'e',
       .flags = G_LIST, .max = CFG_MAX_ENCR, .cmd = cmd_prop_list, .kids = g_encr_algs),
    KW("integrity", "Integrity algorithms, in preference order (up to 4)", .ival = 'i',
       .flags = G_LIST, .max = CFG_MAX_INTEG, .cmd = cmd_prop_list, .kids = g_hash_algs),
    KW("prf", "Pseudo-random functions, in preference order (up to 4)", .ival = 'p',
       .flags = G_LIST, .max = CFG_MAX_PRF, .cmd = cmd_prop_list, .kids = g_hash_algs),
    KW("dh-group", "Diffie-Hellman groups, in preference order", .ival = 'd', .flags = G_LIST,
       .max = 3, .cmd = cmd_prop_list, .kids = g_dh_groups),
    END,
};

static const struct gnode g_policy_mode[] = {
    KW("proposal", "Use an IKEv2 proposal (several lines allowed)", .cmd = cmd_pol_proposal,
       .kids = KIDS(V_NAME("Name of an ikev2 proposal", LEAF))),
    KW("match", "Match criteria",
       .kids = KIDS(KW("address", "Match a local address",
                       .kids = KIDS(KW("local", "Local IPv4 address the policy applies to",
                                       .cmd = cmd_pol_local,
                                       .kids = KIDS(V_IPV4("Local IPv4 address", LEAF))))),
                    KW("fvrf", "Front-door VRF", .cmd = cmd_pol_fvrf, .kids = g_fvrf_vals))),
    END,
};

static const struct gnode g_peer_mode[] = {
    KW("address", "Peer IPv4 address and mask", .cmd = cmd_peer_address, .kids = g_addr_mask),
    KW("pre-shared-key", "Pre-shared key", .cmd = cmd_peer_psk,
       .kids = KIDS(KW("local", "Key that authenticates us to the peer", .ival = 'l',
                       .flags = G_VAL, .kids = KIDS(V_PSK)),
                    KW("remote", "Key that authenticates the peer to us", .ival = 'r',
                       .flags = G_VAL, .kids = KIDS(V_PSK)),
                    KW("password", "Symmetric key (as without this keyword)", .ival = 's',
                       .flags = G_VAL, .kids = KIDS(V_PSK)),
                    V_PSK)),
    END,
};

static const struct gnode g_keyring_mode[] = {
    KW("peer", "A peer and its key",
       .kids = KIDS(V_NAME("Peer name", G_KEY | G_END | G_MODE, .mode = "ikev2-keyring-peer",
                           .cmd = cmd_peer, .kids = g_peer_mode))),
    END,
};

static const struct gnode g_profile_mode[] = {
    KW("authentication", "Authentication methods",
       .kids = KIDS(KW("local", "Method that authenticates us", .ival = 'l', .cmd = cmd_prof_auth,
                       .kids = g_auth_local_methods),
                    KW("remote", "Method accepted from the peer (both may be set)", .ival = 'r',
                       .cmd = cmd_prof_auth, .kids = g_auth_methods))),
    KW("identity", "Our identity",
       .kids = KIDS(KW("local", "The identity we send (IDi/IDr)", .cmd = cmd_prof_id_local,
                       .kids = KIDS(KW("address", "Our outer IPv4 address (the default)",
                                       .ival = CFG_IDL_ADDRESS, .flags = LEAF),
                                    KW("fqdn", "A fully qualified domain name (in our certificate)",
                                       .ival = CFG_IDL_FQDN, .flags = G_VAL,
                                       .kids = KIDS(V_WORD("WORD", 1, CFG_FQDN_SIZE - 1, "fqdn",
                                                           "Fully qualified domain name", LEAF))),
                                    KW("dn", "The subject distinguished name of our certificate",
                                       .ival = CFG_IDL_DN, .flags = LEAF))))),
    KW("keyring", "Keyring holding the peers' pre-shared keys", .cmd = cmd_prof_keyring,
       .kids = KIDS(V_NAME("Keyring name", LEAF))),
    KW("lifetime", "IKE SA lifetime", .cmd = cmd_prof_lifetime,
       .kids = KIDS(V_INT(120, 86400, "lifetime", "Seconds", LEAF))),
    KW("match", "Match criteria",
       .kids = KIDS(
           KW("identity", "Peer identity",
              .kids = KIDS(KW(
                  "remote", "Remote identity",
                  .kids = KIDS(
                      KW("address", "Peer IPv4 address and mask", .cmd = cmd_prof_id_addr,
                         .kids = g_addr_mask),
                      KW("fqdn", "Peer FQDN (certificate authentication)", .cmd = cmd_prof_id_fqdn,
                         .kids = KIDS(V_WORD("WORD", 1, CFG_FQDN_SIZE - 1, "fqdn",
                                             "Fully qualified domain name", LEAF))),
                      KW("dn", "Part of the peer certificate's subject DN", .cmd = cmd_prof_id_dn,
                         .kids = KIDS(V_LINE(CFG_DN_SIZE - 1, "dn",
                                             "Text found in the subject, e.g. "
                                             "CN=r2.example.net"))))))),
           KW("fvrf", "Front-door VRF", .cmd = cmd_prof_fvrf, .kids = g_fvrf_vals))),
    KW("pki", "Public key infrastructure",
       .kids = KIDS(KW("trustpoint", "Trustpoint for certificate authentication",
                       .cmd = cmd_prof_pki, .kids = KIDS(V_NAME("Trustpoint name", LEAF))))),
    KW("nat", "NAT traversal (IOS XE)",
       .kids = KIDS(KW("force-encap", "ESP in UDP 4500 even when no NAT is detected",
                       .cmd = cmd_prof_nat_force, .flags = G_END))),
    KW("dpd", "Dead peer detection (legacy IOS XR)", .cmd = cmd_prof_dpd,
       .kids =
           KIDS(V_INT(10, 3600, "dpd interval", "Interval in seconds", G_VAL,
                      .kids = KIDS(V_INT(2, 60, "dpd retry", "Retry interval in seconds", LEAF))))),
    END,
};

#define V_FILE V_WORD("FILE", 1, CFG_PATH_SIZE - 1, "file name", "File path (PEM)", LEAF)
static const struct gnode g_trustpoint_mode[] = {
    KW("ca-certificate", "CA certificate file", .ival = 1, .cmd = cmd_tp_file,
       .kids = KIDS(V_FILE)),
    KW("certificate", "Our certificate file", .ival = 2, .cmd = cmd_tp_file, .kids = KIDS(V_FILE)),
    KW("private-key", "Our private key file", .ival = 3, .cmd = cmd_tp_file, .kids = KIDS(V_FILE)),
    KW("crl", "Certificate revocation list file", .ival = 4, .cmd = cmd_tp_file,
       .kids = KIDS(V_FILE)),
    END,
};

static const struct gnode g_tset_mode[] = {
    KW("mode", "Encapsulation mode", .cmd = cmd_ts_mode,
       .kids = KIDS(KW("tunnel", "Tunnel mode", .flags = G_END))),
    KW("transform", "ESP cipher and HMAC, in either order", .cmd = cmd_ts_transform,
       .kids = g_transform),
    END,
};

static const struct gnode g_replay_windows[] = {
    KW("64", "64 packets", .ival = 64, .flags = LEAF),
    KW("128", "128 packets", .ival = 128, .flags = LEAF),
    KW("256", "256 packets", .ival = 256, .flags = LEAF),
    KW("512", "512 packets", .ival = 512, .flags = LEAF),
    KW("1024", "1024 packets", .ival = 1024, .flags = LEAF),
    END,
};

static const struct gnode g_ipsec_profile_mode[] = {
    KW("set", "Set a parameter",
       .kids = KIDS(
           KW("ikev2-profile", "IKEv2 profile", .cmd = cmd_ip_ikev2,
              .kids = KIDS(V_NAME("IKEv2 profile name", LEAF))),
           KW("pfs", "Perfect forward secrecy group for rekeys", .cmd = cmd_ip_pfs,
              .kids = KIDS(KW("group19", "256-bit ECP", .ival = 19, .flags = LEAF),
                           KW("group20", "384-bit ECP", .ival = 20, .flags = LEAF),
                           KW("group21", "521-bit ECP", .ival = 21, .flags = LEAF))),
           KW("security-association", "Security association parameters",
              .kids = KIDS(KW("lifetime", "SA lifetime",
                              .kids = KIDS(KW(
                                  "seconds", "Lifetime in seconds", .cmd = cmd_ip_lifetime,
                                  .kids = KIDS(V_INT(120, 2592000, "security-association lifetime",
                                                     "Seconds", LEAF))))),
                           KW("replay", "Anti-replay",
                              .kids = KIDS(KW("window-size", "Anti-replay window size",
                                              .cmd = cmd_ip_replay, .kids = g_replay_windows))))),
           KW("transform-set", "Transform sets, in priority order (up to 5)", .cmd = cmd_ip_tsets,
              .flags = G_LIST, .max = CFG_MAX_TSETS,
              .kids = KIDS(V_NAME("Transform set name", LEAF))))),
    END,
};

static const struct gnode g_interface_mode[] = {
    KW("description", "Interface description", .cmd = cmd_if_desc, .flags = G_ATOMIC,
       .kids = KIDS(V_LINE(CFG_DESC_SIZE - 1, "description", "Up to 240 characters"))),
    KW("ipv4", "IPv4 configuration",
       .kids = KIDS(KW("address", "Inner IPv4 address and mask", .cmd = cmd_if_address,
                       .flags = G_ATOMIC, .kids = g_addr_mask))),
    KW("shutdown", "Shut the interface down", .cmd = cmd_if_shutdown, .flags = G_END | G_ATOMIC),
    KW("tunnel", "Tunnel parameters",
       .kids = KIDS(
           KW("destination", "Peer's outer IPv4 address", .cmd = cmd_if_dest, .flags = G_ATOMIC,
              .kids = KIDS(V_IPV4("Destination address", LEAF))),
           KW("mode", "Tunnel encapsulation", .cmd = cmd_if_mode, .flags = G_ATOMIC,
              .kids = KIDS(KW("ipsec", "IPsec (ESP tunnel mode)",
                              .kids = KIDS(KW("ipv4", "IPsec over IPv4", .flags = G_END))))),
           KW("protection", "Protect the tunnel",
              .kids = KIDS(KW("ipsec", "With IPsec",
                              .kids = KIDS(KW("profile", "IPsec profile", .cmd = cmd_if_protection,
                                              .flags = G_ATOMIC,
                                              .kids = KIDS(V_NAME("IPsec profile name", LEAF))))))),
           KW("source", "Local outer address or interface", .cmd = cmd_if_source, .flags = G_ATOMIC,
              .kids = KIDS(V_IPV4("Source address", LEAF),
                           {.kind = GK_WORD,
                            .word = "IFNAME",
                            .help = "Source interface (IOS XR or Linux name)",
                            .min = 1,
                            .max = CFG_IFNAME_SIZE - 1,
                            .ival = 'i',
                            .what = "interface name",
                            .flags = LEAF})))),
    END,
};

/* ---- show / clear ---- */

static const struct gnode g_show[] = {
    KW("configuration", "Uncommitted changes of this session", .cmd = cmd_show_config,
       .flags = G_END,
       .kids = KIDS(KW("commit", "Commit history",
                       .kids = KIDS(KW("list", "List the recorded commits", .cmd = cmd_show_commits,
                                       .flags = G_END))))),
    KW("ikev2", "IKEv2 state",
       .kids =
           KIDS(KW("session", "IKEv2 sessions", .cmd = cmd_op, .ival = CFG_OP_SHOW_IKEV2_SESSION,
                   .flags = G_END,
                   .kids = KIDS(KW("detail", "With every SA's details", .ival = 1, .flags = LEAF))),
                KW("summary", "Session counts", .cmd = cmd_op, .ival = CFG_OP_SHOW_IKEV2_SUMMARY,
                   .flags = G_END),
                KW("statistics", "Message counters and drops by reason", .cmd = cmd_op,
                   .ival = CFG_OP_SHOW_IKEV2_STATISTICS, .flags = G_END))),
    KW("ipsec", "IPsec state",
       .kids = KIDS(
           KW("sa", "IPsec security associations", .cmd = cmd_op, .ival = CFG_OP_SHOW_IPSEC_SA,
              .flags = G_END,
              .kids = KIDS(KW("interface", "One tunnel interface", .kids = KIDS(V_TUNIF(LEAF))))),
           KW("statistics", "Data-plane counters and drops by reason", .cmd = cmd_op,
              .ival = CFG_OP_SHOW_IPSEC_STATISTICS, .flags = G_END))),
    KW("running-config", "Current operating configuration", .cmd = cmd_show_run, .flags = G_END,
       .kids = KIDS(
           V_LINE(200, "section", "Section to show, e.g. ikev2, keyring, interface tunnel-ip1"))),
    END,
};

static const struct gnode g_clear[] = {
    KW("ikev2", "IKEv2 state",
       .kids = KIDS(KW("session", "Tear down IKEv2 sessions", .cmd = cmd_op,
                       .ival = CFG_OP_CLEAR_IKEV2_SESSION, .flags = G_END,
                       .kids = KIDS(V_INT(1, 4294967295, "session id", "Session ID", LEAF))))),
    KW("ipsec", "IPsec state",
       .kids = KIDS(
           KW("sa", "Delete IPsec SAs (they are renegotiated)", .cmd = cmd_op,
              .ival = CFG_OP_CLEAR_IPSEC_SA, .flags = G_END,
              .kids = KIDS(KW("interface", "One tunnel interface", .kids = KIDS(V_TUNIF(LEAF))))))),
    END,
};

#define SESSION_CMD (G_SESSION | G_NONEG)

/* ---- roots ---- */

const struct gnode g_exec_root[] = {
    KW("clear", "Reset operational state", .flags = SESSION_CMD, .kids = g_clear),
    KW("configure", "Enter configuration mode", .cmd = cmd_configure, .flags = SESSION_CMD | G_END,
       .kids = KIDS(KW("terminal", "From the terminal", .flags = G_END))),
    KW("exit", "Close this session", .cmd = cmd_exit, .flags = SESSION_CMD | G_END),
    KW("rollback", "Roll the configuration back", .flags = SESSION_CMD,
       .kids = KIDS(KW("configuration", "The running configuration",
                       .kids = KIDS(KW("last", "Undo the last N commits", .cmd = cmd_rollback,
                                       .kids = KIDS(V_INT(1, 100, "rollback count",
                                                          "Number of commits", LEAF))))))),
    KW("show", "Show information", .flags = SESSION_CMD, .kids = g_show),
    END,
};

const struct gnode g_config_root[] = {
    KW("abort", "Discard the uncommitted changes and leave configuration mode", .cmd = cmd_abort,
       .flags = SESSION_CMD | G_END),
    KW("commit", "Commit the candidate configuration", .cmd = cmd_commit,
       .flags = SESSION_CMD | G_END,
       .kids =
           KIDS(KW("comment", "Comment recorded in the commit history", .ival = 'm', .flags = G_VAL,
                   .kids = KIDS(V_LINE(CFG_DESC_SIZE - 1, "comment", "Up to 240 characters"))),
                KW("confirmed", "Commit on trial: rolls back unless confirmed by commit",
                   .ival = 'c', .flags = LEAF,
                   .kids = KIDS(V_INT(30, 65535, "commit confirmed timeout",
                                      "Seconds until the rollback (default 600)", LEAF),
                                KW("minutes", "Timeout in minutes",
                                   .kids = KIDS(V_INT(1, 1024, "commit confirmed minutes",
                                                      "Minutes until the rollback", LEAF))))))),
    KW("configure", "Already in configuration mode (accepted and ignored)", .cmd = cmd_configure,
       .flags = SESSION_CMD | G_END,
       .kids = KIDS(KW("terminal", "From the terminal", .flags = G_END))),
    KW("crypto", "Cryptographic identities",
       .kids = KIDS(
           KW("ca", "Certification authorities",
              .kids = KIDS(KW("trustpoint", "CA trustpoint and our certificate",
                              .kids = KIDS(V_NAME("Trustpoint name", G_KEY | G_END | G_MODE,
                                                  .mode = "ca-trustpoint", .cmd = cmd_trustpoint,
                                                  .kids = g_trustpoint_mode))))))),
    KW("end", "Leave configuration mode", .cmd = cmd_end, .flags = SESSION_CMD | G_END),
    KW("exit", "Leave the sub-mode (or configuration mode)", .cmd = cmd_exit,
       .flags = SESSION_CMD | G_END),
    KW("hostname", "The system's name (shown in the prompt)", .cmd = cmd_hostname,
       .kids = KIDS(V_NAME("Host name", LEAF))),
    KW("ikev2", "IKEv2 configuration",
       .kids = KIDS(
           KW("policy", "IKEv2 policy: proposals and local addresses",
              .kids = KIDS(V_NAME("Policy name", G_KEY | G_END | G_MODE, .mode = "ikev2-policy",
                                  .cmd = cmd_policy, .kids = g_policy_mode))),
           KW("profile", "IKEv2 profile: keyring, authentication, peer identity",
              .kids = KIDS(V_NAME("Profile name", G_KEY | G_END | G_MODE, .mode = "ikev2-profile",
                                  .cmd = cmd_profile, .kids = g_profile_mode))),
           KW("proposal", "IKEv2 proposal: IKE SA algorithms",
              .kids = KIDS(V_NAME("Proposal name", G_KEY | G_END | G_MODE, .mode = "ikev2-proposal",
                                  .cmd = cmd_proposal, .kids = g_proposal_mode))))),
    KW("interface", "Tunnel interface configuration",
       .kids = KIDS(V_TUNIF(G_KEY | G_END | G_MODE | G_ATOMIC, .mode = "if", .cmd = cmd_interface,
                            .kids = g_interface_mode))),
    KW("interface-name-map", "Map an IOS XR interface name to a Linux interface", .cmd = cmd_ifmap,
       .kids = KIDS({.kind = GK_WORD,
                     .word = "IFNAME",
                     .help = "IOS XR interface name",
                     .min = 1,
                     .max = CFG_IFNAME_SIZE - 1,
                     .what = "interface name",
                     .flags = G_VAL,
                     .kids = KIDS({.kind = GK_LINUXIF,
                                   .word = "LINUX-IFNAME",
                                   .help = "Linux interface name (1-15 characters)",
                                   .what = "Linux interface name",
                                   .flags = LEAF})})),
    KW("ipsec", "IPsec configuration",
       .kids = KIDS(KW("profile", "IPsec profile: IKEv2 profile and transform sets",
                       .kids = KIDS(V_NAME("IPsec profile name", G_KEY | G_END | G_MODE,
                                           .mode = "ipsec-profile", .cmd = cmd_ipsec_profile,
                                           .kids = g_ipsec_profile_mode))),
                    KW("transform-set", "ESP transform set",
                       .kids = KIDS(V_NAME("Transform set name", G_KEY | G_END | G_MODE,
                                           .mode = "ipsec-transform-set", .cmd = cmd_tset,
                                           .kids = g_tset_mode))))),
    KW("keyring", "Keyring of peers and pre-shared keys",
       .kids = KIDS(V_NAME("Keyring name", G_KEY | G_END | G_MODE, .mode = "ikev2-keyring",
                           .cmd = cmd_keyring, .kids = g_keyring_mode))),
    KW("show", "Show information", .flags = SESSION_CMD, .kids = g_show),
    END,
};
