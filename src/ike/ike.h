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
	/* Tunnel up (first Child SA installed) / down (last one removed). */
	void (*tunnel_state)(void *arg, uint32_t tunnel_id, bool up);
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
};
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
	uint64_t rekey_in_s; /* seconds until rekey (lifetime for now) */
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
	char description[48]; /* "Negotiation done", or why it failed */
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
	uint64_t child_sas;           /* current: installed Child SAs */
};
void ike_get_stats(struct ike *ike, struct ike_stats *st);

/* Deletes (with Delete to the peer) and re-establishes one session, or all with 0. Returns the
 * number of sessions cleared. */
int ike_clear(struct ike *ike, uint32_t session_id);

#endif
