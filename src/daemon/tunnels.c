/*
 * Tunnel interfaces at run time: Child SAs from IKE go to the data plane, and the link of
 * tunnel-ipN is up exactly while it has a Child SA installed, so routing can react.
 */
#include <string.h>
#include <unistd.h>

#include "daemon/daemon_int.h"
#include "util/log.h"
#include "vti/vti.h"

struct tunnel_rt *tunnel_find(struct daemon *d, uint32_t num)
{
	for (size_t i = 0; i < DAEMON_MAX_TUNNELS; i++)
		if (d->tunnels[i].used && d->tunnels[i].num == num)
			return &d->tunnels[i];
	return NULL;
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
	tunnel_set_link(arg, tunnel_id, up);
}

void tunnels_free(struct daemon *d)
{
	/* All devices in one batch first; closing each queue afterwards is then cheap. */
	if (d->n_tunnels > 1 && vti_tun_destroy_all(NULL, 0) < 0)
		log_debug("removing the tunnel devices one by one");
	for (size_t i = 0; i < DAEMON_MAX_TUNNELS; i++) {
		struct tunnel_rt *t = &d->tunnels[i];
		if (!t->used)
			continue;
		if (t->registered && d->dp)
			dp_tunnel_remove(d->dp, t->num);
		vti_tun_destroy(t->tun_fd, t->ifname, NULL, 0);
		memset(t, 0, sizeof(*t));
	}
	d->n_tunnels = 0;
}
