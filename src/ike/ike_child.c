/*
 * Child SAs: allocation with a unique inbound SPI, hand-over to the data plane, removal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_int.h"
#include "ike/ike_keys.h"
#include "util/log.h"
#include "util/loop.h"

static struct ike_child *find_spi_in(struct ike *ike, uint32_t spi)
{
	/* The key is the SPI itself, so the first node found is the one. */
	struct hnode *n = htab_find(&ike->child_by_spi, spi);
	return n ? container_of(n, struct ike_child, by_spi) : NULL;
}

struct ike_child *ike_child_new(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	struct ike_child *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	do {
		if (crypto_random(&c->spi_in, sizeof(c->spi_in)) < 0) {
			free(c);
			return NULL;
		}
	} while (c->spi_in < 256 || find_spi_in(ike, c->spi_in)); /* 1..255 are reserved */
	if (htab_add(&ike->child_by_spi, &c->by_spi, c->spi_in) < 0) {
		free(c);
		return NULL;
	}
	c->sa = sa;
	c->id = ++ike->next_child_id;
	c->state = CHILD_S_CREATING;
	c->created_ms = loop_now_ms();
	c->lifetime_s = (ike_life_child_ms(sa) + 999) / 1000;
	c->next = sa->children;
	sa->children = c;
	return c;
}

struct ike_child *ike_child_find_out(struct ike_sa *sa, uint32_t spi_out)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_out == spi_out && c->state != CHILD_S_CREATING)
			return c;
	return NULL;
}

struct ike_child *ike_child_find_in(struct ike_sa *sa, uint32_t spi_in)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_in == spi_in)
			return c;
	return NULL;
}

static void fill_dir(const struct ike_child *c, struct esp_sa_params *p, bool inbound)
{
	const struct ike_sa *sa = c->sa;
	p->spi = inbound ? c->spi_in : c->spi_out;
	p->inbound = inbound;
	p->tunnel_id = sa->tun->cfg.tunnel_id;
	p->local_addr = sa->local;
	p->remote_addr = sa->remote;
	if (sa->natt) {
		p->natt_local_port = sa->lport;
		p->natt_remote_port = sa->rport;
	}
	p->encr = c->encr;
	p->integ = c->integ;
	p->replay_window = sa->tun->cfg.replay_window;
	p->ts_local_start = c->ts_local.start_addr;
	p->ts_local_end = c->ts_local.end_addr;
	p->ts_remote_start = c->ts_remote.start_addr;
	p->ts_remote_end = c->ts_remote.end_addr;
	p->lifetime_hard_s = c->lifetime_s;
	p->lifetime_soft_s = c->lifetime_s - c->lifetime_s / 10; /* approximate: jittered */
	p->sa_id = c->id;
}

int ike_child_install(struct ike_child *c)
{
	return ike_child_install_ex(c, NULL, &c->sa->ni, &c->sa->nr, c->sa->initiator, false);
}

int ike_child_install_ex(struct ike_child *c, const struct chunk *pfs, const struct chunk *ni,
                         const struct chunk *nr, bool exch_initiator, bool standby)
{
	struct ike_sa *sa = c->sa;
	struct ike *ike = sa->ike;
	struct esp_sa_params in = {0}, out = {0};
	size_t el = c->encr->key_len, il = c->integ ? c->integ->key_len : 0;
	/* KEYMAT: i->r keys first; the exchange's initiator sends with them. */
	struct esp_sa_params *ir = exch_initiator ? &out : &in, *ri = exch_initiator ? &in : &out;
	int rc = -1;

	if (!sa->tun || el > ESP_MAX_KEY || il > ESP_MAX_KEY)
		return -1;
	fill_dir(c, &in, true);
	fill_dir(c, &out, false);
	if (ike_keys_child(sa->prf, &sa->sk_d, pfs, ni, nr, el, il, ir->encr_key, ir->integ_key,
	                   ri->encr_key, ri->integ_key) < 0)
		goto done;
	/* a rekey responder installs without switching the outbound SA (when io can) */
	standby = standby && ike->io.child_install_standby && ike->io.child_set_outbound;
	int (*inst)(void *, const struct esp_sa_params *, const struct esp_sa_params *) =
	    standby ? ike->io.child_install_standby : ike->io.child_install;
	if (!inst || inst(ike->io.arg, &in, &out) < 0) {
		log_err("%s: data plane refused Child SA 0x%08x/0x%08x", sa->tun->cfg.ifname,
		        c->spi_in, c->spi_out);
		goto done;
	}
	ike_child_set_state(c, CHILD_S_INSTALLED);
	c->installed = true;
	c->keep.standby = standby;
	ike_life_child_start(c);
	ike->stats.child_sas++;
	log_info("%s: Child SA up, SPI in 0x%08x out 0x%08x%s", sa->tun->cfg.ifname, c->spi_in,
	         c->spi_out, sa->natt ? " (UDP-encapsulated)" : "");
	if (sa->tun->installed++ == 0 && ike->io.tunnel_state)
		ike->io.tunnel_state(ike->io.arg, sa->tun->cfg.tunnel_id, true);
	rc = 0;
done:
	memwipe(&in, sizeof(in));
	memwipe(&out, sizeof(out));
	return rc;
}

/* A changed tunnel's old object (removed, its SAs being deleted) and its new one share the
 * tunnel's link: the old one's last Child SA going must not take the link down under the new
 * one's, which may already be up (its Delete answered late). */
static bool link_held_by_successor(struct ike_tunnel *t)
{
	const struct ike_tunnel *live = ike_tunnel_by_id(t->ike, t->cfg.tunnel_id);
	return live && live != t && live->installed > 0;
}

void ike_child_destroy(struct ike_child *c)
{
	struct ike_sa *sa = c->sa;
	struct ike *ike = sa->ike;

	ike_life_child_stop(c);
	if (c->installed) {
		ike_out_child_gone(c); /* successor becomes outbound; removal now or lingering */
		ike->stats.child_sas--;
		log_info("%s: Child SA 0x%08x/0x%08x removed", sa->tun->cfg.ifname, c->spi_in,
		         c->spi_out);
		if (--sa->tun->installed == 0 && ike->io.tunnel_state &&
		    !link_held_by_successor(sa->tun))
			ike->io.tunnel_state(ike->io.arg, sa->tun->cfg.tunnel_id, false);
	}
	if (c->state != CHILD_S_DEAD)
		ike_child_set_state(c, CHILD_S_DEAD);
	loop_timer_cancel(ike->loop, c->rekey_timer);
	htab_del(&ike->child_by_spi, &c->by_spi);
	for (struct ike_child **pp = &sa->children; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (sa->pending == c)
		sa->pending = NULL;
	free(c);
}
