#include "util/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct fdw {
	int fd;
	loop_fd_cb cb;
	void *arg;
	struct fdw *next;
};

struct timer {
	uint64_t when;
	uint64_t id;
	loop_timer_cb cb;
	void *arg;
};

/* Where each pending timer sits in the heap, so a cancel needs no scan: with thousands of SAs
 * every answered request cancels its retransmission timer. Open addressing with linear
 * probing; id 0 marks a free slot (ids are never 0). */
struct tslot {
	uint64_t id;
	size_t pos;
};

struct loop {
	int ep;
	bool stop;
	struct fdw *fds;
	struct fdw *dead; /* removed during a dispatch round; freed after it */
	struct timer *heap;
	size_t n, cap;
	struct tslot *map; /* 2 * cap slots (a power of two) */
	uint64_t next_id;
};

static void free_dead(struct loop *l);

uint64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		free(l);
		return NULL;
	}
	l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->fds) {
		struct fdw *w = l->fds;
		l->fds = w->next;
		free(w);
	}
	free_dead(l);
	free(l->heap);
	free(l->map);
	close(l->ep);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct fdw *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	struct epoll_event ev = {.events = events, .data.ptr = w};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return -1;
	}
	w->next = l->fds;
	l->fds = w;
	return 0;
}

static struct fdw *find_fd(struct loop *l, int fd, struct fdw ***link)
{
	for (struct fdw **pp = &l->fds; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct fdw *w = find_fd(l, fd, NULL);
	if (!w)
		return -1;
	struct epoll_event ev = {.events = events, .data.ptr = w};
	return epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev);
}

void loop_del_fd(struct loop *l, int fd)
{
	struct fdw **link;
	struct fdw *w = find_fd(l, fd, &link);
	if (!w)
		return;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	/* Events already fetched in this round may still point at the watcher: mark it dead
	 * and free it after the round. */
	*link = w->next;
	w->cb = NULL;
	w->next = l->dead;
	l->dead = w;
}

static void free_dead(struct loop *l)
{
	while (l->dead) {
		struct fdw *w = l->dead;
		l->dead = w->next;
		free(w);
	}
}

static size_t map_home(const struct loop *l, uint64_t id)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 29) & (2 * l->cap - 1);
}

/* The slot holding id, or the free slot where it would go. */
static size_t map_slot(const struct loop *l, uint64_t id)
{
	size_t mask = 2 * l->cap - 1, i = map_home(l, id);
	while (l->map[i].id && l->map[i].id != id)
		i = (i + 1) & mask;
	return i;
}

static void map_set(struct loop *l, uint64_t id, size_t pos)
{
	struct tslot *t = &l->map[map_slot(l, id)];
	t->id = id;
	t->pos = pos;
}

/* Deletes by shifting later entries of the probe run back, so lookups need no tombstones. */
static void map_del(struct loop *l, uint64_t id)
{
	size_t mask = 2 * l->cap - 1, i = map_slot(l, id), j = i;
	if (!l->map[i].id)
		return;
	for (;;) {
		j = (j + 1) & mask;
		if (!l->map[j].id)
			break;
		size_t k = map_home(l, l->map[j].id);
		/* The entry at j may fill the hole at i unless its home is cyclically in (i, j]. */
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			l->map[i] = l->map[j];
			i = j;
		}
	}
	l->map[i].id = 0;
}

static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct timer t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	map_set(l, l->heap[a].id, a);
	map_set(l, l->heap[b].id, b);
}

static bool heap_less(struct loop *l, size_t a, size_t b)
{
	return l->heap[a].when < l->heap[b].when ||
	       (l->heap[a].when == l->heap[b].when && l->heap[a].id < l->heap[b].id);
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!heap_less(l, i, p))
			break;
		heap_swap(l, i, p);
		i = p;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;
		if (c < l->n && heap_less(l, c, m))
			m = c;
		if (c + 1 < l->n && heap_less(l, c + 1, m))
			m = c + 1;
		if (m == i)
			break;
		heap_swap(l, i, m);
		i = m;
	}
}

static void heap_remove(struct loop *l, size_t i)
{
	map_del(l, l->heap[i].id);
	l->n--;
	if (i == l->n)
		return;
	l->heap[i] = l->heap[l->n];
	map_set(l, l->heap[i].id, i);
	heap_down(l, i);
	heap_up(l, i);
}

/* Doubles the heap and rebuilds the position map at twice its size. */
static int timers_grow(struct loop *l)
{
	size_t cap = l->cap ? l->cap * 2 : 64;
	struct timer *h = realloc(l->heap, cap * sizeof(*h));
	if (!h)
		return -1;
	l->heap = h;
	struct tslot *m = calloc(2 * cap, sizeof(*m));
	if (!m)
		return -1;
	free(l->map);
	l->map = m;
	l->cap = cap;
	for (size_t i = 0; i < l->n; i++)
		map_set(l, l->heap[i].id, i);
	return 0;
}

uint64_t loop_timer_add(struct loop *l, uint64_t delay_ms, loop_timer_cb cb, void *arg)
{
	if (l->n == l->cap && timers_grow(l) < 0)
		return 0;
	uint64_t id = l->next_id++;
	l->heap[l->n] = (struct timer){loop_now_ms() + delay_ms, id, cb, arg};
	map_set(l, id, l->n);
	heap_up(l, l->n++);
	return id;
}

void loop_timer_cancel(struct loop *l, uint64_t id)
{
	if (!id || !l->cap)
		return;
	size_t i = map_slot(l, id);
	if (l->map[i].id)
		heap_remove(l, l->map[i].pos);
}

static int next_timeout(struct loop *l)
{
	if (!l->n)
		return 1000;
	uint64_t now = loop_now_ms();
	if (l->heap[0].when <= now)
		return 0;
	uint64_t d = l->heap[0].when - now;
	return d > 1000 ? 1000 : (int)d;
}

static void run_timers(struct loop *l)
{
	uint64_t now = loop_now_ms();
	while (l->n && l->heap[0].when <= now && !l->stop) {
		struct timer t = l->heap[0];
		heap_remove(l, 0);
		t.cb(t.arg);
	}
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[32];
	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->ep, evs, 32, next_timeout(l));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct fdw *w = evs[i].data.ptr;
			if (w->cb)
				w->cb(w->fd, evs[i].events, w->arg);
		}
		free_dead(l);
		run_timers(l);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
