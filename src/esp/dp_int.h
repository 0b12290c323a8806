/*
 * Internals of the data-plane runtime shared by dp.c (control), dp_out.c and dp_in.c (workers).
 * Not for use outside src/esp.
 */
#ifndef MGMTSEC_ESP_DP_INT_H
#define MGMTSEC_ESP_DP_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "esp/dp.h"
#include "esp/esp_sa.h"
#include "esp/offload.h"
#include "esp/ptab.h"
#include "esp/rcu.h"
#include "esp/sad.h"

#define DP_BATCH     64   /* packets per recvmmsg/sendmmsg and per TUN wake-up */
#define DP_HEADROOM  64   /* >= ESP header + IV (24); keeps the payload 16-byte aligned */
#define DP_BUF_SIZE  4096 /* per packet: headroom + inner (<= MTU) + tailroom */
#define DP_MAX_IN    (DP_BUF_SIZE - DP_HEADROOM - 64)
#define DP_OUTER_HDR 20 /* the outer IPv4 header hdr_fd sends in front of ESP */
_Static_assert(DP_HEADROOM >= DP_OUTER_HDR + 8 + 16, "headroom: outer header, ESP header, IV");

/* epoll keys: tunnel ids are < 2^32, so these cannot collide with them */
#define DP_KEY_STOP UINT64_MAX
#define DP_KEY_RAW  (UINT64_MAX - 1)
#define DP_KEY_UDP  (UINT64_MAX - 2)

enum {
	DP_RCU_OUT = 0,
	DP_RCU_IN = 1
};

struct dp_tunnel {
	uint32_t id;
	int fd;    /* borrowed from the daemon */
	bool vnet; /* IFF_VNET_HDR: virtio_net_hdr on every packet, TSO/GRO (offload.h) */
	uint32_t local_addr, remote_addr;
	_Atomic(struct esp_sa *) out; /* current outbound SA (owned by the SAD) */
	/* written by the outbound thread */
	_Atomic uint64_t tx_packets, tx_bytes, tx_drops;
	char pad[64];
	/* written by the inbound thread */
	_Atomic uint64_t rx_packets, rx_bytes, rx_drops;
};

/* One worker's preallocated I/O state: packet buffers and the mmsghdr arrays pointing at them. */
union dp_cmsg {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct cmsghdr align;
};

/* The control data of one UDP GSO send: our source address and the segment size. */
union dp_gso_cmsg {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

#define DP_GSO_MAX_SEGS  64    /* the kernel's UDP_MAX_SEGMENTS on older kernels */
#define DP_GSO_MAX_BYTES 65000 /* UDP payload of one GSO send: under 64 KiB with headers */
#define DP_GRO_RX        16    /* UDP reads per recvmmsg when UDP_GRO is on (64 KiB each) */
#define DP_GRO_RX_SIZE   65536

struct dp_io {
	uint8_t *bufs; /* DP_BATCH * DP_BUF_SIZE, owned */
	uint8_t *big;  /* OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT: a TSO read or a GRO write, owned */
	struct mmsghdr msgs[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_in addr[DP_BATCH];
	union dp_cmsg cmsg[DP_BATCH];
	/* outbound: slots queued per socket, in order */
	unsigned n; /* slots used */
	struct mmsghdr raw[DP_BATCH];
	unsigned n_raw, n_udp;
	/* outbound, ESP in UDP: the slots queued (n_udp), sent as UDP GSO sends (dp_out.c) */
	uint8_t udp_slot[DP_BATCH];
	struct mmsghdr gso[DP_BATCH];
	struct iovec giov[DP_BATCH];
	union dp_gso_cmsg gcmsg[DP_BATCH];
	/* inbound, UDP_GRO on: DP_GRO_RX reads of DP_GRO_RX_SIZE, owned (NULL when off) */
	uint8_t *gro_rx;
	struct mmsghdr gro_msgs[DP_GRO_RX];
	struct iovec gro_iov[DP_GRO_RX];
	struct sockaddr_in gro_addr[DP_GRO_RX];
	union dp_gso_cmsg gro_cmsg[DP_GRO_RX];
};

struct dp {
	struct dp_config cfg;
	int raw_fd, udp_fd, ep_out, ep_in, stop_fd;
	/* Send-only IPPROTO_RAW socket: ESP goes out with our own IPv4 header, which spares the
	 * kernel's ip_append_data (checksumming copy, corking) per packet; -1 when unavailable.
	 * A packet it refuses as too big goes out through raw_fd, which fragments as before. */
	int hdr_fd;
	uint8_t ttl; /* of the outer header: the raw ESP socket's default (ip_default_ttl) */
	uint16_t udp_port;
	pthread_t th_out, th_in;
	bool running;
	struct rcu rcu;
	struct sad sad;
	_Atomic(struct ptab *) tunnels; /* id -> struct dp_tunnel, RCU like the SAD */
	struct ptab *outs;              /* id -> its outbound SAs (dp_outs.c), under lock only */
	pthread_mutex_t lock;           /* serialises control operations */
	uint64_t install_seq;           /* under lock: numbers installed SAs */
	struct dp_io io_out, io_in;
	struct offload_gro gro; /* inbound thread: the TCP packet being coalesced (io_in.big) */
	/* UDP segmentation offload (ESP in UDP): our sends batch packets of one size for one peer
	 * into one send (off after the kernel refused one for lack of checksum offload), and the
	 * UDP socket takes coalesced datagrams (UDP_GRO), which the inbound thread splits. */
	_Atomic bool no_gso;
	bool udp_gro;
	/* written by the inbound thread */
	_Atomic uint64_t rx_packets, no_sa, too_short, keepalives, ike, gro_reads;
	uint64_t no_sa_logged_ms; /* when an unknown SPI was last logged */
	char pad[64];
	/* written by the outbound thread */
	_Atomic uint64_t tun_rx, tun_no_sa, send_errors, gso_sends;
};

static inline struct dp_tunnel *dp_tunnel_get(struct dp *dp, uint32_t id)
{
	return ptab_get(atomic_load_explicit(&dp->tunnels, memory_order_acquire), id);
}

/* The outbound SAs per tunnel id (dp_outs.c), under dp->lock. */
int dp_outs_add(struct dp *dp, struct esp_sa *sa);
void dp_outs_remove(struct dp *dp, struct esp_sa *sa);
/* The newest outbound SA of the tunnel, or NULL. */
struct esp_sa *dp_outs_newest(struct dp *dp, uint32_t tunnel_id);
void dp_outs_free(struct dp *dp);

void *dp_out_main(void *arg);
void *dp_in_main(void *arg);
/* Sockets and epoll sets (dp_sock.c). */
int dp_sockets_open(struct dp *dp);
void dp_sockets_close(struct dp *dp);

#endif
