/*
 * ike_pace: at most max_initiating IKE SAs of ours are negotiating at once (IKE_SA_INIT sent
 * until IKE_AUTH answered or failed, or until the first retransmission); further tunnels wait
 * their turn in FIFO order.
 *
 * Why: a commit of many tunnels sends every IKE_SA_INIT in the same loop iteration. The peer
 * then sees them all half open at once and asks each for a COOKIE (RFC 7296 §2.6: one more
 * round trip and a second IKE_SA_INIT per tunnel), and past its half-open limit drops them.
 * With a window the peer stays under its thresholds. The default window (ike.h says why) is
 * 1,024.
 */
#include <stdint.h>

#include "ike/ike_int.h"
#include "util/loop.h"

static void unlink_waiter(struct ike *ike, struct ike_tunnel *t)
{
	if (t->pace_prev)
		t->pace_prev->pace_next = t->pace_next;
	else
		ike->pace_head = t->pace_next;
	if (t->pace_next)
		t->pace_next->pace_prev = t->pace_prev;
	else
		ike->pace_tail = t->pace_prev;
	t->pace_prev = t->pace_next = NULL;
	t->pace_waiting = false;
	ike->stats.init_waiting--;
}

static void kick(void *arg)
{
	struct ike *ike = arg;

	ike->pace_timer = 0;
	while (ike->pace_head && ike->initiating < ike->max_initiating) {
		struct ike_tunnel *t = ike->pace_head;
		unlink_waiter(ike, t);
		ike->pace_kicking = true;
		ike_tunnel_initiate(t); /* may find it no longer wanted: then the next one */
		ike->pace_kicking = false;
	}
}

bool ike_pace_turn(struct ike_tunnel *t)
{
	struct ike *ike = t->ike;

	if (!ike->max_initiating)
		return true;
	if (ike->initiating < ike->max_initiating && (!ike->pace_head || ike->pace_kicking)) {
		if (t->pace_waiting)
			unlink_waiter(ike, t);
		return true;
	}
	if (!t->pace_waiting) {
		t->pace_prev = ike->pace_tail;
		t->pace_next = NULL;
		if (ike->pace_tail)
			ike->pace_tail->pace_next = t;
		else
			ike->pace_head = t;
		ike->pace_tail = t;
		t->pace_waiting = true;
		ike->stats.init_waiting++;
		ike->stats.init_deferred++;
	}
	return false;
}

void ike_pace_started(struct ike_sa *sa)
{
	sa->paced = true;
	sa->ike->initiating++;
}

void ike_pace_done(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	if (!sa->paced)
		return;
	sa->paced = false;
	ike->initiating--;
	/* Not from here: this runs inside the state change of another exchange. */
	if (ike->pace_head && !ike->pace_timer && !ike->shutting_down)
		ike->pace_timer = loop_timer_add(ike->loop, 0, kick, ike);
}

void ike_pace_forget(struct ike_tunnel *t)
{
	if (t->pace_waiting)
		unlink_waiter(t->ike, t);
}

void ike_pace_stop(struct ike *ike)
{
	loop_timer_cancel(ike->loop, ike->pace_timer);
	ike->pace_timer = 0;
}

void ike_set_max_initiating(struct ike *ike, unsigned n)
{
	ike->max_initiating = n;
	if (ike->pace_head && !ike->pace_timer && (!n || ike->initiating < n)) {
		if (!n) { /* no limit any more: everyone waiting starts */
			ike->max_initiating = UINT32_MAX;
			kick(ike);
			ike->max_initiating = 0;
			return;
		}
		ike->pace_timer = loop_timer_add(ike->loop, 0, kick, ike);
	}
}
