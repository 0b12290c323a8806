/*
 * Tunnel interfaces at run time: Child SAs from IKE go to the data plane, and the link of
 * tunnel-ipN is up exactly while it has a Child SA installed, so routing can react.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "util/log.h"
#include "vti/vti.h"

struct tunnel_rt *tunnel_find(struct daemon *d, uint32_t num)
{
	struct hnode *n = htab_find(&d->tun_by_num, num);
	return n ? container_of(n, struct tunnel_rt, by_num) : NULL;
}

struct tunnel_rt *tunnel_by_ifindex(struct daemon *d, int ifindex)
{
	struct hnode *n = ifindex > 0 ? htab_find(&d->tun_by_ifindex, (uint64_t)ifindex) : NULL;
	return n ? container_of(n, struct tunnel_rt, by_ifindex) : NULL;
}

struct tunnel_rt *tunnel_new(struct daemon *d, uint32_t num)
{
	struct tunnel_rt *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (htab_add(&d->tun_by_num, &t->by_num, num) < 0) {
		free(t);
		return NULL;
	}
	t->num = num;
	t->tun_fd = -1;
	t->prev = d->tun_tail;
	if (d->tun_tail)
		d->tun_tail->next = t;
	else
		d->tun_head = t;
	d->tun_tail = t;
	d->n_tunnels++;
	return t;
}

void tunnel_set_ifindex(struct daemon *d, struct tunnel_rt *t, int ifindex)
{
	if (t->ifindex > 0)
		htab_del(&d->tun_by_ifindex, &t->by_ifindex);
	t->ifindex = 0;
	/* Without the index entry (out of memory) the monitor still knows the device by name. */
	if (ifindex > 0 && htab_add(&d->tun_by_ifindex, &t->by_ifindex, (uint64_t)ifindex) == 0)
		t->ifindex = ifindex;
}

void tunnel_delete(struct daemon *d, struct tunnel_rt *t)
{
	tunnel_set_ifindex(d, t, 0);
	htab_del(&d->tun_by_num, &t->by_num);
	if (t->prev)
		t->prev->next = t->next;
	else
		d->tun_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		d->tun_tail = t->prev;
	d->n_tunnels--;
	free(t);
}

void tunnel_set_link(struct daemon *d, uint32_t num, bool up)
{
	struct tunnel_rt *t = tunnel_find(d, num);
	char e[VTI_ERRLEN];
	if (!t)
		return;
	if (vti_link_set_up(t->ifname, up, e, sizeof(e)) < 0) {
		log_err("%s", e);
		return;
	}
	if (t->link_up != up)
		log_info("%s: link %s", t->ifname, up ? "up" : "down");
	t->link_up = up;
}

/* Both directions installed; the outbound one becomes current only when switch_out is set. */
static int install_pair(struct daemon *d, const struct esp_sa_params *in,
                        const struct esp_sa_params *out, bool switch_out)
{
	if (dp_sa_install(d->dp, in) < 0) {
		log_err("tunnel-ip%u: cannot install inbound SA 0x%08x", in->tunnel_id, in->spi);
		return -1;
	}
	if (dp_sa_install(d->dp, out) < 0 ||
	    (switch_out && dp_set_outbound(d->dp, out->tunnel_id, out->spi) < 0)) {
		log_err("tunnel-ip%u: cannot install outbound SA 0x%08x", out->tunnel_id, out->spi);
		dp_sa_remove(d->dp, out->spi, false);
		dp_sa_remove(d->dp, in->spi, true);
		return -1;
	}
	/* The engine logs "Child SA up" with the same SPIs at info level. */
	log_debug("tunnel-ip%u: Child SA installed%s, SPI in 0x%08x out 0x%08x%s", in->tunnel_id,
	          switch_out ? "" : " (standby)", in->spi, out->spi,
	          out->natt_remote_port ? " (UDP-encapsulated)" : "");
	return 0;
}

int tunnel_child_install(void *arg, const struct esp_sa_params *in, const struct esp_sa_params *out)
{
	return install_pair(arg, in, out, true);
}

/* A rekey responder's new pair: installed, but the old outbound SA stays current until the
 * IKE engine switches (make-before-break without losing packets in flight). */
int tunnel_child_install_standby(void *arg, const struct esp_sa_params *in,
                                 const struct esp_sa_params *out)
{
	return install_pair(arg, in, out, false);
}

int tunnel_child_set_outbound(void *arg, uint32_t tunnel_id, uint32_t spi_out)
{
	struct daemon *d = arg;
	return dp_set_outbound(d->dp, tunnel_id, spi_out);
}

void tunnel_child_remove(void *arg, uint32_t tunnel_id, uint32_t spi_in, uint32_t spi_out)
{
	struct daemon *d = arg;
	/* May come after the tunnel was removed (a replaced pair lingers): a missing SA is fine. */
	dp_sa_remove(d->dp, spi_out, false);
	dp_sa_remove(d->dp, spi_in, true);
	log_debug("tunnel-ip%u: Child SA removed, SPI in 0x%08x out 0x%08x", tunnel_id, spi_in,
	          spi_out);
}

void tunnel_state_cb(void *arg, uint32_t tunnel_id, bool up)
{
	struct daemon *d = arg;
	/* Shutting down, every device is removed next, all in one batch (tunnels_free): one
	 * netlink round trip per tunnel to set it down first made stopping with 10,000 tunnels
	 * take seconds. */
	if (d->stopping && !up)
		return;
	tunnel_set_link(d, tunnel_id, up);
}

void tunnels_free(struct daemon *d)
{
	/* All devices in one batch first (the kernel's teardown of each device on its own takes
	 * about 20 ms); closing each queue afterwards is then cheap, with no netlink request per
	 * device. A device that missed the batch's group still goes with its last queue. */
	bool batched = d->n_tunnels > 1 && vti_tun_destroy_all(NULL, 0) == 0;
	if (d->n_tunnels > 1 && !batched)
		log_debug("removing the tunnel devices one by one");
	while (d->tun_head) {
		struct tunnel_rt *t = d->tun_head;
		if (t->registered && d->dp)
			dp_tunnel_remove(d->dp, t->num);
		vti_tun_destroy(t->tun_fd, batched ? NULL : t->ifname, NULL, 0);
		tunnel_delete(d, t);
	}
	htab_free(&d->tun_by_num);
	htab_free(&d->tun_by_ifindex);
}
