/*
 * ev.h - a small poll(2) event loop: descriptor watchers and one-shot millisecond timers.
 *
 * Single-threaded.  Callbacks may add or remove watchers and timers (their own included); a watcher
 * removed during a round is not called later in that round.  Time is CLOCK_MONOTONIC.
 */
#ifndef EV_H
#define EV_H

#include <stdint.h>

struct ev_loop;

typedef void (*ev_fd_cb)(void *arg, int fd, short revents);
typedef void (*ev_timer_cb)(void *arg);

/* a timer lives in its owner's structure; zero it (or ev_timer_init) before first use */
struct ev_timer {
	uint64_t due_us;	/* 0 = not armed */
	ev_timer_cb cb;
	void *arg;
	struct ev_timer *next;
};

int ev_loop_new(struct ev_loop **out);
void ev_loop_free(struct ev_loop *loop);

/* watch fd for events (POLLIN, POLLOUT, POLLPRI); one watcher per fd; -EEXIST, -ENOMEM */
int ev_fd_add(struct ev_loop *loop, int fd, short events, ev_fd_cb cb, void *arg);
/* change the events watched; -ENOENT if fd is not watched */
int ev_fd_mod(struct ev_loop *loop, int fd, short events);
void ev_fd_del(struct ev_loop *loop, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg);
/* (re)arm t to fire once after ms milliseconds (us microseconds); an armed timer is re-armed */
void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t ms);
void ev_timer_start_us(struct ev_loop *loop, struct ev_timer *t, uint64_t us);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
int ev_timer_armed(const struct ev_timer *t);

/* monotonic clock in microseconds */
uint64_t ev_now_us(void);

/* one round: wait at most max_ms (-1 = until something happens), run due timers and ready fds.
 * Returns the number of callbacks run or a negative errno from poll. */
int ev_run_once(struct ev_loop *loop, int max_ms);
/* run rounds until *stop becomes non-zero or deadline_ms passes (0 = no deadline); 0 or -ETIMEDOUT */
int ev_run_until(struct ev_loop *loop, const volatile int *stop, uint64_t deadline_ms);

#endif
