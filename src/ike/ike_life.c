/*
 * Lifetimes (issue 6): soft and hard expiry of Child SAs and IKE SAs.
 *
 * soft = hard - 10% - random(0..5%), at least min(3 s, hard / 2) before hard. The jitter makes
 * one side's soft timer fire first, so that usually one side rekeys (§2.8.1 handles the rest).
 * Soft: queue the rekey task. Hard: the SA is deleted; when it was the tunnel's last Child SA the
 * IKE SA goes too and the tunnel is re-established (nothing replaced the SA in time).
 */
#include <stdio.h>

#include "ike/ike_int.h"
#include "util/log.h"
#include "util/loop.h"

static uint64_t rnd(uint64_t n)
{
	uint32_t r = 0;
	if (n == 0 || crypto_random(&r, sizeof(r)) < 0)
		return 0;
	return r % n;
}

static uint64_t soft_of(uint64_t hard_ms)
{
	uint64_t margin = hard_ms / 10 + rnd(hard_ms / 20 + 1);
	uint64_t floor = hard_ms / 2 < 3000 ? hard_ms / 2 : 3000;
	return hard_ms - (margin < floor ? floor : margin);
}

uint32_t ike_life_child_ms(const struct ike_sa *sa)
{
	if (sa->ike->keep.child_life_ms)
		return sa->ike->keep.child_life_ms;
	return sa->tun ? sa->tun->cfg.child_lifetime_s * 1000u : 0;
}

static uint64_t ike_ms(const struct ike_sa *sa)
{
	if (sa->ike->keep.ike_life_ms)
		return sa->ike->keep.ike_life_ms;
	return sa->tun ? (uint64_t)sa->tun->cfg.ike_lifetime_s * 1000 : 0;
}

uint32_t ike_life_ike_s(const struct ike_sa *sa)
{
	return (uint32_t)((ike_ms(sa) + 999) / 1000);
}

void ike_set_lifetime_ms(struct ike *ike, uint32_t child_ms, uint32_t ike_ms_)
{
	ike->keep.child_life_ms = child_ms;
	ike->keep.ike_life_ms = ike_ms_;
}

void ike_set_lifetime_override(struct ike *ike, uint32_t child_s, uint32_t ike_s)
{
	ike_set_lifetime_ms(ike, child_s * 1000u, ike_s * 1000u);
	if (child_s || ike_s)
		log_info("IKE: lifetimes overridden (Child SA %u s, IKE SA %u s; 0 = configured)",
		         child_s, ike_s);
}

/* ---------------------------------------------------------------- Child SAs */

static bool other_live_child(const struct ike_child *c)
{
	for (const struct ike_sa *sa = c->sa->tun->sas; sa; sa = sa->tun_next)
		for (const struct ike_child *o = sa->children; o; o = o->next)
			if (o != c && o->installed && !o->keep.replaced)
				return true;
	return false;
}

static void child_soft(void *arg)
{
	struct ike_child *c = arg;
	c->keep.soft_timer = 0;
	if (c->state != CHILD_S_INSTALLED || c->keep.replaced)
		return;
	log_info("%s: Child SA 0x%08x/0x%08x reached its soft lifetime, rekeying",
	         c->sa->tun->cfg.ifname, c->spi_in, c->spi_out);
	ike_queue_task(c->sa, TASK_REKEY_CHILD, c->spi_in);
}

static void child_hard(void *arg)
{
	struct ike_child *c = arg;
	struct ike_sa *sa = c->sa;

	c->keep.hard_timer = 0;
	sa->ike->stats.expired++;
	log_info("%s: Child SA 0x%08x/0x%08x reached its hard lifetime", sa->tun->cfg.ifname,
	         c->spi_in, c->spi_out);
	if (c->keep.replaced) {
		ike_child_destroy(c); /* its successor carries the traffic already */
		return;
	}
	if (!other_live_child(c) && ike_tunnel_wanted(sa->tun) && sa->state == IKE_S_ESTABLISHED) {
		/* nothing replaced it: rebuild the tunnel from scratch */
		sa->reinit = true;
		snprintf(sa->why, sizeof(sa->why), "Child SA expired without rekey");
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
		return;
	}
	ike_queue_task(sa, TASK_DELETE_CHILD, c->spi_in);
}

void ike_life_child_start(struct ike_child *c)
{
	struct ike *ike = c->sa->ike;
	uint64_t hard = ike_life_child_ms(c->sa), soft = soft_of(hard), now = loop_now_ms();

	ike_life_child_stop(c);
	if (!hard)
		return;
	c->keep.soft_at_ms = now + soft;
	c->keep.hard_at_ms = now + hard;
	c->keep.soft_timer = loop_timer_add(ike->loop, soft, child_soft, c);
	c->keep.hard_timer = loop_timer_add(ike->loop, hard, child_hard, c);
}

/* After TEMPORARY_FAILURE: 1-2 s (RFC 7296 §2.25 wants a random wait), but well before the
 * hard expiry when that is near (short test lifetimes). 0 = no time left. */
static uint64_t retry_delay(uint64_t hard_at_ms)
{
	uint64_t now = loop_now_ms(), delay = 1000 + rnd(1000);
	if (!hard_at_ms || now >= hard_at_ms)
		return 0;
	uint64_t left = hard_at_ms - now;
	if (delay > left / 3)
		delay = left / 6 + rnd(left / 6 + 1);
	return delay;
}

/* Another rekey attempt in a moment (the peer said TEMPORARY_FAILURE), before the hard expiry. */
void ike_life_child_retry(struct ike_child *c)
{
	struct ike *ike = c->sa->ike;
	uint64_t now = loop_now_ms(), delay = retry_delay(c->keep.hard_at_ms);
	if (!delay)
		return;
	loop_timer_cancel(ike->loop, c->keep.soft_timer);
	c->keep.soft_at_ms = now + delay;
	c->keep.soft_timer = loop_timer_add(ike->loop, delay, child_soft, c);
}

void ike_life_child_stop(struct ike_child *c)
{
	struct loop *l = c->sa->ike->loop;
	loop_timer_cancel(l, c->keep.soft_timer);
	loop_timer_cancel(l, c->keep.hard_timer);
	loop_timer_cancel(l, c->keep.orphan_timer);
	c->keep.soft_timer = c->keep.hard_timer = c->keep.orphan_timer = 0;
}

uint64_t ike_life_child_rekey_in_s(const struct ike_child *c)
{
	uint64_t now = loop_now_ms();
	if (!c->keep.soft_at_ms || c->keep.replaced || now >= c->keep.soft_at_ms)
		return 0;
	return (c->keep.soft_at_ms - now + 999) / 1000;
}

/* ---------------------------------------------------------------- IKE SAs */

static void sa_soft(void *arg)
{
	struct ike_sa *sa = arg;
	sa->keep.soft_timer = 0;
	if (sa->state != IKE_S_ESTABLISHED || sa->keep.rekeyed)
		return;
	log_info("%s: IKE SA %u reached its soft lifetime, rekeying",
	         sa->tun ? sa->tun->cfg.ifname : "-", sa->id);
	ike_queue_task(sa, TASK_REKEY_IKE, 0);
}

static void sa_hard(void *arg)
{
	struct ike_sa *sa = arg;
	sa->keep.hard_timer = 0;
	sa->ike->stats.expired++;
	log_info("IKE SA %u reached its hard lifetime", sa->id);
	if (sa->keep.rekeyed || sa->state == IKE_S_DELETING) {
		ike_sa_destroy(sa, "Hard lifetime (replaced)", false);
		return;
	}
	sa->reinit = true;
	snprintf(sa->why, sizeof(sa->why), "IKE SA expired without rekey");
	if (sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_REKEYING)
		ike_queue_task(sa, TASK_DELETE_IKE, 0);
	else
		ike_sa_destroy(sa, "IKE SA expired", false);
}

void ike_life_sa_start(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	uint64_t hard = ike_ms(sa), soft = soft_of(hard), now = loop_now_ms();

	loop_timer_cancel(ike->loop, sa->keep.soft_timer);
	loop_timer_cancel(ike->loop, sa->keep.hard_timer);
	sa->keep.soft_timer = sa->keep.hard_timer = 0;
	if (hard) {
		sa->keep.soft_at_ms = now + soft;
		sa->keep.hard_at_ms = now + hard;
		sa->keep.soft_timer = loop_timer_add(ike->loop, soft, sa_soft, sa);
		sa->keep.hard_timer = loop_timer_add(ike->loop, hard, sa_hard, sa);
	}
	ike_dpd_start(sa);
}

void ike_life_sa_retry(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	uint64_t now = loop_now_ms(), delay = retry_delay(sa->keep.hard_at_ms);
	if (!delay)
		return;
	loop_timer_cancel(ike->loop, sa->keep.soft_timer);
	sa->keep.soft_at_ms = now + delay;
	sa->keep.soft_timer = loop_timer_add(ike->loop, delay, sa_soft, sa);
}

void ike_life_sa_stop(struct ike_sa *sa)
{
	struct loop *l = sa->ike->loop;
	loop_timer_cancel(l, sa->keep.soft_timer);
	loop_timer_cancel(l, sa->keep.hard_timer);
	loop_timer_cancel(l, sa->keep.dpd_timer);
	loop_timer_cancel(l, sa->keep.orphan_timer);
	sa->keep.soft_timer = sa->keep.hard_timer = sa->keep.dpd_timer = sa->keep.orphan_timer = 0;
	ike_rekey_free(sa->keep.rk);
	sa->keep.rk = NULL;
	chunk_clear(&sa->keep.deferred_min);
}

/* ---------------------------------------------------------------- operator / data plane */

int ike_rekey_child(struct ike *ike, uint32_t tunnel_id, uint32_t spi_out)
{
	struct ike_tunnel *t = ike_tunnel_by_id(ike, tunnel_id);
	if (!t)
		return -1;
	for (struct ike_sa *sa = t->sas; sa; sa = sa->tun_next) {
		struct ike_child *c = ike_child_find_out(sa, spi_out);
		if (!c)
			continue;
		if (c->state == CHILD_S_INSTALLED && !c->keep.replaced) {
			log_info("%s: rekeying Child SA 0x%08x/0x%08x on request", t->cfg.ifname,
			         c->spi_in, c->spi_out);
			ike_queue_task(sa, TASK_REKEY_CHILD, c->spi_in);
		}
		return 0;
	}
	return -1;
}

int ike_rekey_ike(struct ike *ike, uint32_t session_id)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->session_id != session_id || sa->keep.rekeyed)
			continue;
		if (sa->state != IKE_S_ESTABLISHED)
			return -1;
		ike_queue_task(sa, TASK_REKEY_IKE, 0);
		return 0;
	}
	return -1;
}
