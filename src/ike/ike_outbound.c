/*
 * Make-before-break across rekeys (issue 6): which installed Child SA of a tunnel is the data
 * plane's current outbound one, and the delayed removal of replaced pairs.
 *
 * The rekey initiator installs the new pair with io->child_install (its outbound becomes current
 * at once: the responder has already installed the new inbound SA when it answered). The
 * responder installs in standby and switches when the old pair leaves (the initiator's Delete),
 * here. A replaced pair is removed from the data plane timing.linger_ms after its Delete, so
 * that packets still in flight on the old SAs are decrypted.
 *
 * The rule behind every switch: traffic never moves onto a pair the peer may not have yet. A
 * standby pair (made by the peer's exchange, installed by us before we answered) becomes current
 * only when another pair leaves, and the peer makes a pair leave only after it installed the
 * standby one (rekey collisions and duplicate IKE SAs included).
 */
#include <stdlib.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

struct ike_linger {
	struct ike_linger *next;
	struct ike *ike;
	uint32_t tunnel_id, spi_in, spi_out;
	uint64_t timer;
};

/* The newest installed child that may carry traffic: not replaced nor being deleted, not in
 * standby; failing that the newest standby one. */
static struct ike_child *pick(const struct ike_tunnel *t, const struct ike_child *except)
{
	struct ike_child *best = NULL, *standby = NULL;
	for (struct ike_sa *sa = t->sas; sa; sa = sa->tun_next) {
		for (struct ike_child *c = sa->children; c; c = c->next) {
			if (c == except || !c->installed || c->keep.replaced ||
			    c->state == CHILD_S_DELETING)
				continue;
			struct ike_child **slot = c->keep.standby ? &standby : &best;
			if (!*slot || c->id > (*slot)->id)
				*slot = c;
		}
	}
	return best ? best : standby;
}

bool ike_out_refresh(struct ike_tunnel *t, const struct ike_child *except)
{
	struct ike *ike = t->ike;
	struct ike_child *c = pick(t, except);
	if (!c)
		return false;
	if (!ike->io.child_set_outbound)
		return true;
	if (c->keep.standby)
		log_info("%s: outbound now on Child SA 0x%08x", t->cfg.ifname, c->spi_out);
	c->keep.standby = false;
	if (ike->io.child_set_outbound(ike->io.arg, t->cfg.tunnel_id, c->spi_out) < 0)
		log_err("%s: data plane refused to switch to outbound SA 0x%08x", t->cfg.ifname,
		        c->spi_out);
	return true;
}

static void linger_unlink(struct ike *ike, struct ike_linger *l)
{
	for (struct ike_linger **pp = &ike->keep.linger; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			return;
		}
	}
}

static void linger_fire(void *arg)
{
	struct ike_linger *l = arg;
	struct ike *ike = l->ike;
	linger_unlink(ike, l);
	log_debug("tunnel %u: old SA pair 0x%08x/0x%08x removed after linger", l->tunnel_id,
	          l->spi_in, l->spi_out);
	if (ike->io.child_remove)
		ike->io.child_remove(ike->io.arg, l->tunnel_id, l->spi_in, l->spi_out);
	free(l);
}

void ike_out_child_gone(struct ike_child *c)
{
	struct ike_sa *sa = c->sa;
	struct ike *ike = sa->ike;
	uint32_t tid = sa->tun->cfg.tunnel_id;

	/* the successor carries traffic before the old pair goes */
	bool successor = ike_out_refresh(sa->tun, c);
	if (!ike->io.child_remove)
		return;
	/* Any pair that leaves while another carries the tunnel lingers, not only a replaced one:
	 * the peer's Delete of its redundant pair after a rekey collision (§2.8.1) travels on the
	 * IKE socket and may overtake the last ESP packets it sent on that pair. */
	successor = successor || c->keep.replaced;
	struct ike_linger *l = NULL;
	if (successor && ike->timing.linger_ms && !ike->shutting_down)
		l = calloc(1, sizeof(*l));
	if (!l) {
		ike->io.child_remove(ike->io.arg, tid, c->spi_in, c->spi_out);
		return;
	}
	*l = (struct ike_linger){ike->keep.linger, ike, tid, c->spi_in, c->spi_out, 0};
	l->timer = loop_timer_add(ike->loop, ike->timing.linger_ms, linger_fire, l);
	ike->keep.linger = l;
}

void ike_linger_flush(struct ike *ike, bool call_io)
{
	while (ike->keep.linger) {
		struct ike_linger *l = ike->keep.linger;
		ike->keep.linger = l->next;
		loop_timer_cancel(ike->loop, l->timer);
		if (call_io && ike->io.child_remove)
			ike->io.child_remove(ike->io.arg, l->tunnel_id, l->spi_in, l->spi_out);
		free(l);
	}
}

void ike_keep_free(struct ike *ike)
{
	ike_linger_flush(ike, false);
	memwipe(ike->keep.secret, sizeof(ike->keep.secret));
	memwipe(ike->keep.prev_secret, sizeof(ike->keep.prev_secret));
}
