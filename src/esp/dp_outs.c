/* The outbound SAs of each tunnel id, for the control side (under dp->lock). A removed
 * outbound SA hands its tunnel to the newest remaining one, and a tunnel added after its SAs
 * finds its newest; both were a walk of the whole SAD, O(SAs) per change. The workers never
 * read this: they use dp_tunnel.out. */
#include <stdlib.h>

#include "esp/dp_int.h"

struct dp_outs {
	struct esp_sa *first; /* linked through esp_sa.out_next */
};

int dp_outs_add(struct dp *dp, struct esp_sa *sa)
{
	struct dp_outs *l = ptab_get(dp->outs, sa->tunnel_id);
	if (!l) {
		if (!(l = calloc(1, sizeof(*l))))
			return -1;
		struct ptab *next = ptab_add(dp->outs, sa->tunnel_id, l);
		if (!next) {
			free(l);
			return -1;
		}
		if (next != dp->outs) { /* a larger copy: no reader to wait for */
			ptab_free(dp->outs);
			dp->outs = next;
		}
	}
	sa->out_next = l->first;
	l->first = sa;
	return 0;
}

void dp_outs_remove(struct dp *dp, struct esp_sa *sa)
{
	struct dp_outs *l = ptab_get(dp->outs, sa->tunnel_id);
	if (!l)
		return;
	for (struct esp_sa **p = &l->first; *p; p = &(*p)->out_next) {
		if (*p == sa) {
			*p = sa->out_next;
			sa->out_next = NULL;
			break;
		}
	}
	if (!l->first) {
		ptab_del(dp->outs, sa->tunnel_id);
		free(l);
	}
}

struct esp_sa *dp_outs_newest(struct dp *dp, uint32_t tunnel_id)
{
	struct dp_outs *l = ptab_get(dp->outs, tunnel_id);
	struct esp_sa *best = NULL;
	for (struct esp_sa *sa = l ? l->first : NULL; sa; sa = sa->out_next)
		if (!best || sa->install_seq > best->install_seq)
			best = sa;
	return best;
}

static void free_list(void *arg, uint64_t key, void *val)
{
	free(val);
}

void dp_outs_free(struct dp *dp)
{
	if (!dp->outs)
		return;
	ptab_each(dp->outs, free_list, NULL);
	ptab_free(dp->outs);
	dp->outs = NULL;
}
