/* Data-plane lifecycle and control operations (see dp.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "esp/dp_int.h"
#include "util/log.h"

static int io_init(struct dp_io *io)
{
	io->bufs = aligned_alloc(64, (size_t)DP_BATCH * DP_BUF_SIZE);
	if (!io->bufs)
		return -1;
	memset(io->bufs, 0, (size_t)DP_BATCH * DP_BUF_SIZE);
	io->big = malloc(OFFLOAD_VNET_LEN + OFFLOAD_MAX_PKT);
	if (!io->big)
		return -1;
	for (unsigned i = 0; i < DP_BATCH; i++) {
		struct msghdr *h = &io->msgs[i].msg_hdr;
		io->iov[i].iov_base = io->bufs + (size_t)i * DP_BUF_SIZE + DP_HEADROOM;
		h->msg_iov = &io->iov[i];
		h->msg_iovlen = 1;
		h->msg_name = &io->addr[i];
		h->msg_control = io->cmsg[i].buf;
	}
	return 0;
}

struct dp *dp_new(const struct dp_config *cfg)
{
	struct dp *dp = calloc(1, sizeof(*dp));
	if (!dp)
		return NULL;
	dp->cfg = *cfg;
	dp->raw_fd = dp->hdr_fd = dp->udp_fd = dp->ep_out = dp->ep_in = dp->stop_fd = -1;
	pthread_mutex_init(&dp->lock, NULL);
	dp->gro.fd = -1;
	rcu_init(&dp->rcu);
	struct ptab *t = ptab_new();
	atomic_init(&dp->tunnels, t);
	dp->outs = ptab_new();
	if (!t || !dp->outs || sad_init(&dp->sad, &dp->rcu) < 0 || io_init(&dp->io_out) < 0 ||
	    io_init(&dp->io_in) < 0 || dp_sockets_open(dp) < 0) {
		dp_free(dp);
		return NULL;
	}
	dp->gro.buf = dp->io_in.big;
	return dp;
}

int dp_start(struct dp *dp)
{
	if (dp->running)
		return 0;
	if (pthread_create(&dp->th_out, NULL, dp_out_main, dp) != 0)
		return -1;
	if (pthread_create(&dp->th_in, NULL, dp_in_main, dp) != 0) {
		uint64_t one = 1;
		(void)!write(dp->stop_fd, &one, sizeof(one));
		pthread_join(dp->th_out, NULL);
		return -1;
	}
	pthread_setname_np(dp->th_out, "dp-out");
	pthread_setname_np(dp->th_in, "dp-in");
	dp->running = true;
	return 0;
}

void dp_stop(struct dp *dp)
{
	if (!dp->running)
		return;
	uint64_t one = 1;
	(void)!write(dp->stop_fd, &one, sizeof(one)); /* level-triggered: both threads see it */
	pthread_join(dp->th_out, NULL);
	pthread_join(dp->th_in, NULL);
	uint64_t v;
	(void)!read(dp->stop_fd, &v, sizeof(v));
	dp->running = false;
}

static void free_tunnel(void *arg, uint64_t key, void *val)
{
	free(val);
}

void dp_free(struct dp *dp)
{
	if (!dp)
		return;
	dp_stop(dp);
	struct ptab *t = atomic_load(&dp->tunnels);
	if (t) {
		ptab_each(t, free_tunnel, NULL);
		ptab_free(t);
	}
	dp_outs_free(dp);
	sad_destroy(&dp->sad);
	dp_sockets_close(dp);
	free(dp->io_out.bufs);
	free(dp->io_in.bufs);
	free(dp->io_out.big);
	free(dp->io_in.big);
	free(dp->io_in.gro_rx);
	pthread_mutex_destroy(&dp->lock);
	free(dp);
}

int dp_udp_fd(const struct dp *dp)
{
	return dp->udp_fd;
}

uint16_t dp_udp_port(const struct dp *dp)
{
	return dp->udp_port;
}

/* A TUN opened with IFF_VNET_HDR (vti_tun_create does) gets checksum and TSO offload: the
 * kernel then hands over TCP super-packets, which the outbound worker segments. Any other fd
 * (a socketpair in tests, a TUN without the flag) carries plain packets. */
static bool tun_vnet(int fd)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_VNET_HDR))
		return false;
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) < 0)
		log_debug("dp: TUNSETOFFLOAD: %s (packets stay MTU-sized)", strerror(errno));
	return true;
}

static struct dp_tunnel *tunnel_new(uint32_t id, int fd, uint32_t local, uint32_t remote)
{
	struct dp_tunnel *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->id = id;
	t->fd = fd;
	t->vnet = tun_vnet(fd);
	t->local_addr = local;
	t->remote_addr = remote;
	return t;
}

int dp_tunnel_add(struct dp *dp, uint32_t tunnel_id, int tun_fd, uint32_t local_addr,
                  uint32_t remote_addr)
{
	int rc = -1;
	pthread_mutex_lock(&dp->lock);
	struct dp_tunnel *t = NULL;
	struct ptab *cur = atomic_load(&dp->tunnels), *next;
	if (dp_tunnel_get(dp, tunnel_id) || fcntl(tun_fd, F_SETFL, O_NONBLOCK) < 0)
		goto out;
	t = tunnel_new(tunnel_id, tun_fd, local_addr, remote_addr);
	if (!t)
		goto out;
	atomic_store(&t->out, dp_outs_newest(dp, tunnel_id));
	/* Until the tunnel is in the table the worker ignores this id's events (it finds none). */
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tunnel_id};
	if (epoll_ctl(dp->ep_out, EPOLL_CTL_ADD, tun_fd, &ev) < 0)
		goto out;
	next = ptab_add(cur, tunnel_id, t);
	if (!next) {
		epoll_ctl(dp->ep_out, EPOLL_CTL_DEL, tun_fd, NULL);
		goto out;
	}
	ptab_publish(&dp->tunnels, cur, next, &dp->rcu);
	t = NULL;
	rc = 0;
out:
	free(t);
	pthread_mutex_unlock(&dp->lock);
	return rc;
}

int dp_tunnel_remove(struct dp *dp, uint32_t tunnel_id)
{
	pthread_mutex_lock(&dp->lock);
	struct dp_tunnel *t = dp_tunnel_get(dp, tunnel_id);
	if (!t || ptab_del(atomic_load(&dp->tunnels), tunnel_id) < 0) {
		pthread_mutex_unlock(&dp->lock);
		return -1;
	}
	epoll_ctl(dp->ep_out, EPOLL_CTL_DEL, t->fd, NULL);
	rcu_synchronize(&dp->rcu); /* the workers find tunnels by id, so none can hold t now */
	free(t);
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

int dp_sa_install(struct dp *dp, const struct esp_sa_params *p)
{
	struct esp_sa *sa = esp_sa_new(p);
	if (!sa)
		return -1;
	pthread_mutex_lock(&dp->lock);
	sa->install_seq = ++dp->install_seq;
	int rc = sad_add(&dp->sad, sa);
	if (rc == 0 && !sa->inbound) {
		if (dp_outs_add(dp, sa) < 0) {
			sad_del(&dp->sad, sa->spi, false); /* frees sa */
			pthread_mutex_unlock(&dp->lock);
			return -1;
		}
		struct dp_tunnel *t = dp_tunnel_get(dp, sa->tunnel_id);
		struct esp_sa *none = NULL;
		if (t)
			atomic_compare_exchange_strong(&t->out, &none, sa);
	}
	pthread_mutex_unlock(&dp->lock);
	if (rc < 0)
		esp_sa_free(sa);
	return rc;
}

int dp_sa_remove(struct dp *dp, uint32_t spi, bool inbound)
{
	pthread_mutex_lock(&dp->lock);
	struct esp_sa *sa = sad_lookup(&dp->sad, spi, inbound);
	if (sa && !inbound) {
		/* Removing the current outbound SA must not leave the tunnel without one while
		 * another pair is installed (a rekey's old and new pairs overlap): fall back to the
		 * newest remaining outbound SA of the tunnel. */
		struct dp_tunnel *t = dp_tunnel_get(dp, sa->tunnel_id);
		struct esp_sa *cur = sa;
		dp_outs_remove(dp, sa);
		if (t)
			atomic_compare_exchange_strong(&t->out, &cur,
			                               dp_outs_newest(dp, sa->tunnel_id));
	}
	/* sad_del waits for a grace period, which also covers the detached outbound pointer */
	int rc = sa ? sad_del(&dp->sad, spi, inbound) : -1;
	pthread_mutex_unlock(&dp->lock);
	return rc;
}

int dp_set_outbound(struct dp *dp, uint32_t tunnel_id, uint32_t spi)
{
	int rc = -1;
	pthread_mutex_lock(&dp->lock);
	struct dp_tunnel *t = dp_tunnel_get(dp, tunnel_id);
	struct esp_sa *sa = sad_lookup(&dp->sad, spi, false);
	if (t && sa && sa->tunnel_id == tunnel_id) {
		atomic_store(&t->out, sa);
		rc = 0;
	}
	pthread_mutex_unlock(&dp->lock);
	return rc;
}

int dp_sa_stats(struct dp *dp, uint32_t spi, bool inbound, struct esp_sa_stats *out)
{
	pthread_mutex_lock(&dp->lock);
	struct esp_sa *sa = sad_lookup(&dp->sad, spi, inbound);
	if (sa)
		esp_sa_stats(sa, out);
	pthread_mutex_unlock(&dp->lock);
	return sa ? 0 : -1;
}

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

int dp_tunnel_stats(struct dp *dp, uint32_t tunnel_id, struct dp_tunnel_stats *out)
{
	pthread_mutex_lock(&dp->lock);
	struct dp_tunnel *t = dp_tunnel_get(dp, tunnel_id);
	if (t) {
		struct esp_sa *sa = atomic_load(&t->out);
		*out = (struct dp_tunnel_stats){
		    LD(t->tx_packets), LD(t->tx_bytes), LD(t->rx_packets), LD(t->rx_bytes),
		    LD(t->tx_drops),   LD(t->rx_drops), sa ? sa->spi : 0};
	}
	pthread_mutex_unlock(&dp->lock);
	return t ? 0 : -1;
}

void dp_get_stats(struct dp *dp, struct dp_stats *out)
{
	*out = (struct dp_stats){LD(dp->rx_packets), LD(dp->no_sa),       LD(dp->too_short),
	                         LD(dp->keepalives), LD(dp->ike),         LD(dp->tun_rx),
	                         LD(dp->tun_no_sa),  LD(dp->send_errors), LD(dp->gso_sends),
	                         LD(dp->gro_reads)};
}

int dp_send_keepalive(struct dp *dp, uint32_t tunnel_id)
{
	int rc = 1;
	pthread_mutex_lock(&dp->lock);
	struct dp_tunnel *t = dp_tunnel_get(dp, tunnel_id);
	struct esp_sa *sa = t ? atomic_load(&t->out) : NULL;
	if (sa && sa->natt_remote_port && dp->udp_fd >= 0) {
		static const uint8_t ka = 0xff;
		struct sockaddr_in to = {.sin_family = AF_INET,
		                         .sin_port = htons(sa->natt_remote_port),
		                         .sin_addr.s_addr =
		                             sa->remote_addr ? sa->remote_addr : t->remote_addr};
		rc =
		    sendto(dp->udp_fd, &ka, 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1 ? 0 : -1;
	}
	pthread_mutex_unlock(&dp->lock);
	return rc;
}
