/*
 * The IKEv2 engine (RFC 7296): IKE SA and Child SA state machines driven by the configuration,
 * by datagrams from the network and by the event loop's timers.
 *
 * The engine owns no socket and no data plane: it sends through io->send and hands Child SAs
 * to the data plane through io->child_install / io->child_remove. Everything runs on the
 * loop's thread; no callback is made re-entrantly into the engine's caller except the io
 * callbacks listed here, and io callbacks must not call back into the engine.
 *
 * Ownership: ike_new() copies *io (io->arg stays the caller's). ike_set_config() copies what it
 * keeps from cfg (the caller still frees cfg). ike_get_sas() fills caller memory.
 * Addresses are IPv4 in network order, ports in host order, everywhere in this header.
 */
#ifndef MGMTSEC_IKE_IKE_H
#define MGMTSEC_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/sa_params.h"
#include "ike/ike_cfg.h"

struct loop;
struct ike;

struct ike_io {
	void *arg;
	/* Send one IKE datagram. natt: send from/to port 4500 with the 4-byte non-ESP marker
	 * prepended by the I/O layer (the engine passes lport/rport 4500 then). Returns 0 or -1;
	 * a failure is treated like a lost datagram. */
	int (*send)(void *arg, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
	            uint32_t remote, uint16_t rport);
	/* Install both directions of a Child SA (inbound first, then outbound — make-before-break).
	 * The new outbound SA becomes the tunnel's current one. Returns 0 or -1. The engine wipes
	 * its copies of *in and *out after the call. */
	int (*child_install)(void *arg, const struct esp_sa_params *in,
	                     const struct esp_sa_params *out);
	void (*child_remove)(void *arg, uint32_t tunnel_id, uint32_t spi_in, uint32_t spi_out);
	/* Tunnel up (first Child SA installed) / down (last one removed). A rekey never calls it:
	 * the new pair is installed before the old one is removed. */
	void (*tunnel_state)(void *arg, uint32_t tunnel_id, bool up);
	/* Optional (may be NULL; used only when both are set). The responder of a Child SA rekey
	 * installs the new pair with child_install_standby (both directions installed, the
	 * tunnel's current outbound SA NOT switched) and switches with child_set_outbound once the
	 * initiator has deleted the old pair, so that nothing is sent on an SA the initiator cannot
	 * decrypt yet. Without them child_install is used and the switch happens at once.
	 * Daemon: standby = dp_sa_install(in), dp_sa_install(out); set_outbound = dp_set_outbound.
	 */
	int (*child_install_standby)(void *arg, const struct esp_sa_params *in,
	                             const struct esp_sa_params *out);
	int (*child_set_outbound)(void *arg, uint32_t tunnel_id, uint32_t spi_out);
};

struct ike *ike_new(struct loop *loop, const struct ike_io *io);
/* Frees every SA and tunnel without network traffic (Child SAs are not removed through io). */
void ike_free(struct ike *ike);

/* Diff against the previous configuration (by tunnel_id): new tunnels are initiated,
 * removed/shut-down tunnels are deleted (Delete sent), changed tunnels are re-established,
 * unchanged tunnels are untouched. Returns 0, or -1 on allocation failure. */
int ike_set_config(struct ike *ike, const struct ike_cfg *cfg);

/* One datagram received on (local, lport) from (remote, rport); non-ESP marker stripped. */
void ike_input(struct ike *ike, const uint8_t *pkt, size_t len, uint32_t local, uint16_t lport,
               uint32_t remote, uint16_t rport);

/* Sends Delete for every IKE SA (best effort, once, no retransmission), removes every Child SA
 * through io, and stops initiating. ike_free() afterwards. */
void ike_shutdown(struct ike *ike);

/* ---- timing (tests shorten it; defaults in ike_timing.h) ---- */
#define IKE_RETX_MAX 10
struct ike_timing {
	uint32_t retx_ms[IKE_RETX_MAX]; /* wait after the 1st, 2nd, ... transmission */
	size_t n_retx;                  /* transmissions before giving up */
	uint32_t holddown_ms;           /* re-initiate a failed tunnel after this */
	uint32_t half_open_ms;          /* responder drops an unfinished IKE SA after this */
	/* Dead-peer detection interval: when non-zero it overrides every tunnel's dpd_interval_s
	 * (tests). Otherwise a tunnel's dpd_interval_s is used, and 0 there means the default of
	 * IKE_DPD_DEFAULT_S (30 s: IOS XR 7.8 has no dpd knob in the profile we parse). An empty
	 * INFORMATIONAL is sent when nothing was received on an IKE SA for the interval; it is
	 * retried IKE_DPD_RETRIES times dpd_retry_s apart when the tunnel has one, else on the
	 * schedule above; when that gives up the peer is dead: its SAs are removed (tunnel down)
	 * and the tunnel re-initiated after holddown_ms. */
	uint32_t dpd_ms;
	/* When non-zero, overrides every tunnel's dpd_retry_s (tests). */
	uint32_t dpd_retry_ms;
	/* After a rekey the old pair is deleted with an INFORMATIONAL Delete, and removed from the
	 * data plane this much later, so that packets in flight on it are not dropped. 0 = at once.
	 * Default 1000. */
	uint32_t linger_ms;
};
#define IKE_DPD_DEFAULT_S 30
#define IKE_DPD_RETRIES   5 /* retransmissions of a liveness check at the RETRY interval */
void ike_set_timing(struct ike *ike, const struct ike_timing *t);
void ike_get_timing(const struct ike *ike, struct ike_timing *t);

/* ---- operator view ---- */
#define IKE_INFO_MAX_CHILD 4
struct ike_child_info {
	char local_sel[48]; /* "0.0.0.0/0 - 255.255.255.255/65535" */
	char remote_sel[48];
	uint32_t spi_in, spi_out;
	char encr[16];       /* "AES-CBC", "AES-GCM" */
	uint16_t keysize;    /* bits */
	char hmac[24];       /* ESP integrity name ("HMAC_SHA_256"), "None" for GCM */
	char esp_encr[24];   /* "ESP_256_AES", "ESP_GCM_256" */
	uint64_t rekey_in_s; /* seconds until the soft lifetime (rekey) */
	uint64_t sa_id;
	bool natt;
};

struct ike_sa_info {
	uint32_t session_id;
	uint32_t ike_sa_id;
	uint32_t tunnel_id;
	char ifname[16];
	char status[16];      /* "UP-ACTIVE", "UP-IDLE", "IN-NEG", "DELETED" */
	char state[16];       /* "READY", "INIT-SENT", ... */
	char description[96]; /* "Negotiation done", or why it failed */
	bool initiator;
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	char encr[16]; /* "AES-CBC" */
	uint16_t keysize;
	char prf[16];   /* "SHA256" */
	char integ[16]; /* "SHA256", "None" for GCM */
	uint16_t dh_group;
	char auth_sign[8], auth_verify[8]; /* "PSK" / "RSA" */
	uint32_t lifetime_s;
	uint64_t active_s;
	uint8_t spi_local[8], spi_remote[8];
	char local_id[64], remote_id[64];
	bool nat_local, nat_remote; /* NAT detected in front of us / in front of the peer */
	size_t n_child;
	struct ike_child_info child[IKE_INFO_MAX_CHILD];
};
/* Fills up to max entries (live IKE SAs, then the last failed/deleted one of each tunnel that
 * has no live SA); returns how many were written. */
size_t ike_get_sas(struct ike *ike, struct ike_sa_info *out, size_t max);

struct ike_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_dropped_malformed;    /* header, payload chain or payload unparsable */
	uint64_t rx_dropped_unknown_spi;  /* no IKE SA with that SPI */
	uint64_t rx_dropped_integrity;    /* SK checksum / AEAD tag mismatch */
	uint64_t rx_dropped_msgid;        /* outside the window, or unexpected response */
	uint64_t rx_dropped_unknown_peer; /* IKE_SA_INIT from an address no tunnel expects */
	uint64_t rx_retransmits;          /* retransmitted requests answered from cache */
	uint64_t tx_retransmits;
	uint64_t auth_failed;
	uint64_t no_proposal;
	uint64_t negotiations_failed; /* timeouts and error notifies, both roles */
	uint64_t half_open;           /* current: IKE SAs not yet established */
	uint64_t established;         /* current: established IKE SAs */
	/* issue 6 */
	uint64_t child_rekeys;      /* Child SA rekeys completed (either role) */
	uint64_t ike_rekeys;        /* IKE SA rekeys completed (either role) */
	uint64_t rekeys_failed;     /* our rekey refused by the peer (old SA kept until hard) */
	uint64_t rekey_collisions;  /* simultaneous rekeys resolved (§2.8.1) */
	uint64_t expired;           /* SAs deleted at their hard lifetime */
	uint64_t dpd_dead;          /* peers declared dead */
	uint64_t cookies_sent;      /* IKE_SA_INIT answered with a COOKIE (no state kept) */
	uint64_t cookies_rejected;  /* IKE_SA_INIT with a wrong or stale COOKIE */
	uint64_t half_open_refused; /* IKE_SA_INIT dropped: half-open limit (total or per peer) */
	uint64_t child_sas;         /* current: installed Child SAs */
	uint64_t tx_fragments;      /* RFC 7383 SKF datagrams sent (retransmissions included) */
	uint64_t rx_fragments;      /* authentic SKF datagrams received */
	uint64_t rx_frag_dropped;   /* fragments refused: limits, duplicates, inconsistent totals */
	/* issue 9 */
	uint64_t work_offloaded; /* public-key operations run on a worker thread */
	uint64_t work_inline;    /* the same run on the loop (cheap, or no workers) */
	uint64_t init_waiting;   /* current: tunnels waiting for an initiation slot */
	uint64_t init_deferred;  /* initiations that had to wait for a slot */
	uint64_t keypool_used;   /* IKE_SA_INIT with a key pair made ahead (ike_set_keypool) */
	uint64_t keypool_empty;  /* ... that found none ready and made its own */
};
void ike_get_stats(struct ike *ike, struct ike_stats *st);

/* ---- certificates and fragmentation (issue 7) ---- */
/* IKE fragmentation (RFC 7383): the largest IP datagram we send for an SK-protected message
 * (IPv4 + UDP headers and the NAT-T marker included); larger messages go as SKF fragments when
 * the peer supports them. 0 restores the default, IKE_FRAG_DEFAULT_SIZE. Minimum 576. */
#define IKE_FRAG_DEFAULT_SIZE 1280
void ike_set_fragment_size(struct ike *ike, size_t ip_datagram_size);
/* A private key file is acceptable when it is a regular file owned by root and neither group
 * nor others may access it (mode & 077 == 0). Returns 0, or -1 with the reason in why. */
int ike_check_key_file(const char *path, char *why, size_t len);

/* Deletes (with Delete to the peer) and re-establishes one session, or all with 0. Returns the
 * number of sessions cleared. */
int ike_clear(struct ike *ike, uint32_t session_id);

/* ---- lifetimes, rekeying, denial of service (issue 6) ---- */
/* Lifetimes: a Child SA lives child_lifetime_s, an IKE SA ike_lifetime_s (from the tunnel's
 * configuration). The soft expiry, when whichever side's timer fires first starts the rekey
 * with CREATE_CHILD_SA, is hard - 10% - random(0..5%), at least min(3 s, hard / 2) before the
 * hard expiry, at which the SA is deleted (and the tunnel re-established if nothing replaced it).
 * For tests the configuration's 120 s minimum can be overridden: non-zero values replace every
 * tunnel's child / IKE lifetime (seconds) for SAs created from now on; 0 = use the
 * configuration. The daemon's --min-lifetime option calls this. */
void ike_set_lifetime_override(struct ike *ike, uint32_t child_s, uint32_t ike_s);

/* Starts a rekey of the Child SA whose outbound SPI is spi_out (sequence numbers near
 * exhaustion: the data plane's rekey callback, bounced to the loop thread). 0 when started or
 * already in progress, -1 when no such Child SA exists. */
int ike_rekey_child(struct ike *ike, uint32_t tunnel_id, uint32_t spi_out);
/* Starts a rekey of the IKE SA of a session (CREATE_CHILD_SA, §2.18). 0, or -1 if not found. */
int ike_rekey_ike(struct ike *ike, uint32_t session_id);

/* Responder limits against IKE_SA_INIT floods (RFC 7296 §2.6). When cookie_threshold or more
 * responder IKE SAs are half open, an IKE_SA_INIT without a valid COOKIE gets N(COOKIE) and no
 * state. COOKIE = version (4 bytes) | HMAC-SHA-256(secret, Ni | IPi | SPIi); the secret is
 * rotated every cookie_rotate_s and the previous one stays valid. At max_half_open in total or
 * max_half_open_per_peer from one address, IKE_SA_INIT is dropped (counted). 0 fields take the
 * defaults: 16, 1024, 32, 300 s. */
struct ike_dos_limits {
	uint32_t cookie_threshold;
	uint32_t max_half_open;
	uint32_t max_half_open_per_peer;
	uint32_t cookie_rotate_s;
};
void ike_set_dos_limits(struct ike *ike, const struct ike_dos_limits *l);

/* ---- initiations in flight (issue 9) ---- */
/* At most n IKE SAs that we initiated are negotiating at once (from IKE_SA_INIT until IKE_AUTH
 * is answered, the attempt fails, or its request is first retransmitted: a peer that does not
 * answer gives its place up after the first timeout, so unreachable peers cannot hold up the
 * rest); other tunnels wait their turn, oldest first. 0 = no limit. The default,
 * IKE_MAX_INITIATING, is our own responder's max_half_open: a commit of up to 1,024 tunnels
 * starts them all at once (a window did not speed up 1,000 set-ups and one of 256 slowed them
 * by 13%), while a commit of 10,000 to one peer, all at once, overran its half-open limit and
 * sockets and retransmitted in lock-step: 574 set-ups/s, 2,184 with the window (bench/README
 * "Fourteenth session"). */
#define IKE_MAX_INITIATING 1024
void ike_set_max_initiating(struct ike *ike, unsigned n);

/* ---- work off the event loop (issue 9) ---- */
/* Starts `threads` workers (at most IKE_WORK_MAX_THREADS) for the expensive public-key
 * operations (ECDH of IKE_SA_INIT, AUTH signatures). An operation runs on a worker, and its
 * exchange continues on the loop when it is done, when its measured CPU cost is at least
 * min_ns and at least min_negotiating IKE SAs (this one included) are being negotiated: a
 * hand-off costs two thread wake-ups, which pays only when the operation is dear and other
 * negotiations wait for the loop meanwhile. Otherwise it runs inline (a lone set-up, P-256
 * with OpenSSL's optimised code). Results arrive through an eventfd registered with the
 * engine's loop. Once only; 0 when started, -1 (errno) when no thread could be started, in
 * which case everything stays inline. */
#define IKE_WORK_MAX_THREADS     8
#define IKE_WORK_MIN_NS          150000
#define IKE_WORK_MIN_NEGOTIATING 2
int ike_set_workers(struct ike *ike, unsigned threads, uint64_t min_ns, unsigned min_negotiating);

/* Keeps per_group (at most 16) ECDH key pairs of each group in `groups` made ahead, on the
 * workers when there are any: IKE_SA_INIT then sends at once on either side, and the
 * responder derives the shared secret after its answer is out, while the initiator derives
 * its own (one scalar multiplication on a set-up's critical path instead of four). A pair is
 * used once. Off by default. Returns 0, or -1 (already on, a bad size, no group). */
#define IKE_KEYPOOL_PER_GROUP 4
#define IKE_KEYPOOL_G19       1u
#define IKE_KEYPOOL_G20       2u
#define IKE_KEYPOOL_G21       4u
#define IKE_KEYPOOL_ALL       (IKE_KEYPOOL_G19 | IKE_KEYPOOL_G20 | IKE_KEYPOOL_G21)
int ike_set_keypool(struct ike *ike, unsigned per_group, unsigned groups);

#endif
