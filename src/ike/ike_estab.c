/*
 * What happens when an IKE SA becomes ESTABLISHED (both roles):
 *  1. INITIAL_CONTACT from the peer: its older IKE SAs of this tunnel (established before this
 *     negotiation began) are stale and dropped without a message (§2.4).
 *  2. Duplicates from simultaneous initiation: when another ESTABLISHED IKE SA of the same
 *     tunnel exists, the one whose initiator nonce Ni is lower (bytewise, shorter first) is
 *     kept — both ends see the same two nonces, so both reach the same verdict without talking.
 *     Whichever end notices sends Delete for the loser (both may; a crossing Delete is answered
 *     and harmless). A losing SA's Child SA is never installed; a winner's is installed before
 *     the loser's is removed (make-before-break).
 *  3. The Child SA negotiated in IKE_AUTH is handed to the data plane. A responder does that
 *     before it answers (ike_auth.c), unless its SA loses as a duplicate; when it wins over an
 *     established one, in standby: it sends on the winner's pair once the loser's has gone, since
 *     by then the peer has the winner's pair too.
 */
#include <stdio.h>
#include <string.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

/* <0 when a's Ni is lower than b's. */
static int nonce_cmp(const struct ike_sa *a, const struct ike_sa *b)
{
	size_t n = a->ni.len < b->ni.len ? a->ni.len : b->ni.len;
	int c = memcmp(a->ni.ptr, b->ni.ptr, n);
	if (c)
		return c;
	return a->ni.len < b->ni.len ? -1 : a->ni.len > b->ni.len;
}

static void initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o, *next;
	for (o = sa->tun->sas; o; o = next) {
		next = o->tun_next;
		if (o != sa && o->state == IKE_S_ESTABLISHED &&
		    o->established_ms < sa->created_ms && o->remote == sa->remote) {
			log_info("IKE SA %u: INITIAL_CONTACT from peer, dropping stale IKE SA %u",
			         sa->id, o->id);
			ike_sa_destroy(o, "Peer restarted (INITIAL_CONTACT)", false);
			next = sa->tun->sas; /* the list changed under us */
		}
	}
}

static void delete_loser(struct ike_sa *loser, const struct ike_sa *winner)
{
	log_info("%s: duplicate IKE SAs %u and %u (simultaneous initiation): keeping %u",
	         loser->tun->cfg.ifname, loser->id, winner->id, winner->id);
	snprintf(loser->why, sizeof(loser->why), "Duplicate of IKE SA %u", winner->id);
	ike_queue_task(loser, TASK_DELETE_IKE, 0);
}

struct ike_sa *ike_sa_duplicate(const struct ike_sa *sa, bool *kept)
{
	struct ike_sa *other = ike_tunnel_established(sa->tun, sa);
	*kept = !other || nonce_cmp(other, sa) >= 0;
	return other;
}

void ike_sa_established(struct ike_sa *sa)
{
	struct ike_tunnel *t = sa->tun;

	sa->established_ms = loop_now_ms();
	log_info("%s: IKE SA %u up (%s, %s/%u, PRF %s, DH %u%s)", t->cfg.ifname, sa->id,
	         sa->initiator ? "initiator" : "responder", sa->encr->name, sa->encr->key_bits,
	         sa->prf->name, sa->dh ? sa->dh->id : 0, sa->natt ? ", NAT-T" : "");
	loop_timer_cancel(sa->ike->loop, t->reinit_timer);
	t->reinit_timer = 0;
	if (sa->initial_contact)
		initial_contact(sa);
	struct ike_sa *other = ike_tunnel_established(t, sa);
	if (other && nonce_cmp(other, sa) < 0) {
		/* we lost: keep the other one, never install our child */
		if (sa->pending)
			ike_child_destroy(sa->pending);
		delete_loser(sa, other);
		return;
	}
	struct ike_child *c = sa->pending;
	sa->pending = NULL;
	if (c && ike_child_install(c) < 0) {
		ike_child_destroy(c);
		snprintf(sa->why, sizeof(sa->why), "Data plane refused Child SA");
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
		return;
	}
	if (other)
		delete_loser(other, sa);
}
