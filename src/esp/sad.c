#include "esp/sad.h"

#include <stdlib.h>

int sad_init(struct sad *s, struct rcu *rcu)
{
	struct ptab *t = ptab_new();
	if (!t)
		return -1;
	atomic_init(&s->sas, t);
	s->rcu = rcu;
	return 0;
}

static void free_sa(void *arg, uint64_t key, void *val)
{
	esp_sa_free(val);
}

void sad_destroy(struct sad *s)
{
	struct ptab *t = atomic_load(&s->sas);
	if (!t)
		return;
	ptab_each(t, free_sa, NULL);
	ptab_free(t);
	atomic_store(&s->sas, NULL);
}

int sad_add(struct sad *s, struct esp_sa *sa)
{
	struct ptab *cur = atomic_load(&s->sas);
	uint64_t key = sad_key(sa->spi, sa->inbound);
	if (ptab_get(cur, key))
		return -1;
	struct ptab *next = ptab_add(cur, key, sa);
	if (!next)
		return -1;
	ptab_publish(&s->sas, cur, next, s->rcu);
	return 0;
}

int sad_del(struct sad *s, uint32_t spi, bool inbound)
{
	struct ptab *cur = atomic_load(&s->sas);
	struct esp_sa *sa = ptab_get(cur, sad_key(spi, inbound));
	if (!sa || ptab_del(cur, sad_key(spi, inbound)) < 0)
		return -1;
	rcu_synchronize(s->rcu); /* after this no reader can still see sa */
	esp_sa_free(sa);
	return 0;
}

size_t sad_count(struct sad *s)
{
	return atomic_load(&s->sas)->count;
}
