/*
 * dp: the userspace ESP data plane runtime (RFC 4303 tunnel mode, RFC 3948 ESP in UDP).
 *
 * Threads. dp_start() runs two worker threads, one per direction, so both cores work:
 *   - outbound: epoll over the registered TUN fds; reads up to DP_BATCH packets per wake-up
 *     into preallocated buffers (headroom for the ESP header, tailroom for trailer and ICV),
 *     encapsulates in place with the tunnel's current outbound SA and sends the batch with one
 *     sendmmsg() per socket: raw IPPROTO_ESP (the kernel adds the outer IPv4 header) or the UDP
 *     encapsulation socket when the SA has NAT-T ports.
 *   - inbound: epoll over the raw ESP socket and the UDP socket; recvmmsg() batches; SPI
 *     lookup, decapsulation, write() to the TUN of the SA's tunnel. On the UDP socket, a payload
 *     starting with the 4-byte zero non-ESP marker is IKE and goes to cfg.ike_cb; a single
 *     0xFF byte is a NAT-keepalive (dropped, counted).
 * Each SA direction is used by exactly one of these threads, so per-packet work takes no lock;
 * tables are read through RCU (see sad.h, rcu.h). Nothing is allocated per packet.
 *
 * Control functions (everything below except the callbacks) are called from the daemon's
 * thread(s); they are serialised by an internal mutex and may wait for an RCU grace period
 * (microseconds; never for a packet to be processed by the caller's thread). They never stall
 * the workers.
 *
 * Callbacks run on a worker thread and must be thread-safe and quick (queue and return):
 *   ike_cb    inbound thread, for IKE messages on the UDP socket (marker stripped);
 *   rekey_cb  outbound thread, once per outbound SA when its sequence number crosses the soft
 *             limit (ESP_SEQ_SOFT_DEFAULT); at 2^32 - 1 the SA stops sending (seq-exhausted).
 *
 * Ownership: dp_new() copies cfg. TUN fds passed to dp_tunnel_add() stay owned by the caller,
 * who must keep them open until dp_tunnel_remove() (or dp_free()) has returned. SA parameters
 * are copied into the SA's crypto contexts; the caller wipes its struct esp_sa_params. The dp
 * owns its sockets; dp_udp_fd() is lent for sending IKE from the NAT-T port (sendto is safe
 * to call concurrently with the workers).
 */
#ifndef MGMTSEC_ESP_DP_H
#define MGMTSEC_ESP_DP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/esp_stats.h"
#include "esp/sa_params.h"

#define DP_UDP_PORT 4500

typedef void (*dp_ike_cb)(void *arg, const uint8_t *msg, size_t len, const struct sockaddr_in *from,
                          const struct sockaddr_in *to);
typedef void (*dp_rekey_cb)(void *arg, uint32_t tunnel_id, uint32_t spi);

struct dp_config {
	uint16_t udp_port; /* host order; 0 = 4500 */
	uint32_t udp_addr; /* bind address, network order; 0 = any */
	bool no_raw;       /* tests: no raw ESP socket (ESP in UDP only) */
	bool no_udp;       /* tests: no UDP socket */
	dp_ike_cb ike_cb;  /* may be NULL (IKE messages are then dropped) */
	dp_rekey_cb rekey_cb;
	void *cb_arg;
};

/* Counters that belong to no SA. */
struct dp_stats {
	uint64_t rx_packets;        /* ESP packets received (both sockets) */
	uint64_t no_sa;             /* unknown SPI */
	uint64_t too_short;         /* shorter than an ESP header / bad outer header */
	uint64_t keepalives;        /* NAT-T keepalives received */
	uint64_t ike;               /* IKE messages handed to ike_cb */
	uint64_t tun_rx, tun_no_sa; /* packets read from TUNs; of those, without outbound SA */
	uint64_t send_errors;
	uint64_t gso_sends; /* UDP GSO sends (several ESP-in-UDP packets in one) */
	uint64_t gro_reads; /* coalesced UDP datagrams received and split (UDP_GRO) */
};

struct dp_tunnel_stats {
	uint64_t tx_packets, tx_bytes; /* inner packets encapsulated and sent */
	uint64_t rx_packets, rx_bytes; /* inner packets decapsulated and written to the TUN */
	uint64_t tx_drops, rx_drops;
	uint32_t out_spi; /* current outbound SPI, 0 = none */
};

struct dp;

/* Creates sockets (raw ESP needs CAP_NET_RAW; UDP bound to udp_addr:udp_port). NULL on error. */
struct dp *dp_new(const struct dp_config *cfg);
int dp_start(struct dp *dp);
/* Stops and joins the workers (idempotent). */
void dp_stop(struct dp *dp);
/* Stops, frees every SA (wiping keys), closes the dp's sockets. NULL-safe. */
void dp_free(struct dp *dp);

/* UDP encapsulation socket, for IKE to send from the NAT-T port; -1 if none. */
int dp_udp_fd(const struct dp *dp);
/* Port the UDP socket is bound to (host order; useful when cfg.udp_port picked 0 in tests). */
uint16_t dp_udp_port(const struct dp *dp);

/* Registers tunnel-ipN's TUN fd (IFF_TUN | IFF_NO_PI, will be set non-blocking) and its outer
 * addresses (network order; used when an SA carries none). -1 if the id exists. */
int dp_tunnel_add(struct dp *dp, uint32_t tunnel_id, int tun_fd, uint32_t local_addr,
                  uint32_t remote_addr);
/* Unregisters; after return the workers no longer use the fd. SAs stay installed. */
int dp_tunnel_remove(struct dp *dp, uint32_t tunnel_id);

/* Installs one direction of a Child SA. An outbound SA becomes its tunnel's current one if the
 * tunnel has none; otherwise it waits for dp_set_outbound() (make-before-break: install the new
 * inbound SA, then the new outbound SA, switch with dp_set_outbound, remove the old ones).
 * -1 on invalid parameters or a duplicate (SPI, direction). */
int dp_sa_install(struct dp *dp, const struct esp_sa_params *p);
/* Removes and frees an SA (keys wiped) once no worker can still use it. An outbound SA that is
 * its tunnel's current one is replaced first by the tunnel's newest other outbound SA, if any
 * (otherwise the tunnel drops, counted, until one is set). -1 if not found. */
int dp_sa_remove(struct dp *dp, uint32_t spi, bool inbound);
/* Makes an installed outbound SA the tunnel's current one (atomic switch). */
int dp_set_outbound(struct dp *dp, uint32_t tunnel_id, uint32_t spi);

int dp_sa_stats(struct dp *dp, uint32_t spi, bool inbound, struct esp_sa_stats *out);
int dp_tunnel_stats(struct dp *dp, uint32_t tunnel_id, struct dp_tunnel_stats *out);
void dp_get_stats(struct dp *dp, struct dp_stats *out);

/* Sends one NAT-keepalive (RFC 3948 §2.3: a single 0xFF byte) to the peer of the tunnel's
 * current outbound SA, if that SA uses UDP encapsulation. Call it every 20 s or so while NAT-T
 * is active. 0 if sent, 1 if not applicable, -1 on error. */
int dp_send_keepalive(struct dp *dp, uint32_t tunnel_id);

#endif
