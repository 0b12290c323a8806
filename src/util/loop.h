/*
 * The control plane's event loop: epoll for file descriptors, a min-heap of one-shot timers.
 * Single-threaded: every callback runs on the loop's thread. Time is CLOCK_MONOTONIC in ms.
 */
#ifndef MGMTSEC_UTIL_LOOP_H
#define MGMTSEC_UTIL_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
typedef void (*loop_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(void *arg);

struct loop *loop_new(void);
/* Frees the loop; fds are not closed (their owners close them). */
void loop_free(struct loop *l);
/* events: EPOLLIN / EPOLLOUT mask. One registration per fd. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

/* Timer ids are never 0; 0 means "no timer". */
uint64_t loop_timer_add(struct loop *l, uint64_t delay_ms, loop_timer_cb cb, void *arg);
/* Cancelling an id that already fired or was cancelled is harmless. */
void loop_timer_cancel(struct loop *l, uint64_t id);

/* Runs until loop_stop(); returns 0, or -1 on a fatal epoll error. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
uint64_t loop_now_ms(void);

#endif
