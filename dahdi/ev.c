/*
 * ev.c - a small poll(2) event loop: descriptor watchers and one-shot timers.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev.h"

struct ev_watch {
	int fd;
	short events;
	ev_fd_cb cb;
	void *arg;
	int dead;
};

struct ev_loop {
	struct ev_watch *w;
	size_t nw, cap;
	struct pollfd *pfd;
	struct ev_timer *timers;	/* unsorted list of armed timers */
	int in_round;
};

uint64_t ev_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int ev_loop_new(struct ev_loop **out)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	*out = loop;
	return 0;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	free(loop->w);
	free(loop->pfd);
	free(loop);
}

static struct ev_watch *ev_find(struct ev_loop *loop, int fd)
{
	for (size_t i = 0; i < loop->nw; i++)
		if (loop->w[i].fd == fd && !loop->w[i].dead)
			return &loop->w[i];
	return NULL;
}

int ev_fd_add(struct ev_loop *loop, int fd, short events, ev_fd_cb cb, void *arg)
{
	if (fd < 0)
		return -EBADF;
	if (ev_find(loop, fd))
		return -EEXIST;
	if (loop->nw == loop->cap) {
		size_t cap = loop->cap ? loop->cap * 2 : 16;
		struct ev_watch *w = realloc(loop->w, cap * sizeof(*w));
		struct pollfd *p;

		if (!w)
			return -ENOMEM;
		loop->w = w;
		p = realloc(loop->pfd, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		loop->pfd = p;
		loop->cap = cap;
	}
	loop->w[loop->nw++] = (struct ev_watch){ .fd = fd, .events = events, .cb = cb, .arg = arg };
	return 0;
}

int ev_fd_mod(struct ev_loop *loop, int fd, short events)
{
	struct ev_watch *w = ev_find(loop, fd);

	if (!w)
		return -ENOENT;
	w->events = events;
	return 0;
}

static void ev_compact(struct ev_loop *loop)
{
	size_t j = 0;

	for (size_t i = 0; i < loop->nw; i++)
		if (!loop->w[i].dead)
			loop->w[j++] = loop->w[i];
	loop->nw = j;
}

void ev_fd_del(struct ev_loop *loop, int fd)
{
	struct ev_watch *w = ev_find(loop, fd);

	if (!w)
		return;
	w->dead = 1;
	if (!loop->in_round)
		ev_compact(loop);
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

int ev_timer_armed(const struct ev_timer *t)
{
	return t->due_us != 0;
}

void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	struct ev_timer **pp;

	if (!t->due_us)
		return;
	for (pp = &loop->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->due_us = 0;
	t->next = NULL;
}

void ev_timer_start_us(struct ev_loop *loop, struct ev_timer *t, uint64_t us)
{
	ev_timer_stop(loop, t);
	t->due_us = ev_now_us() + us;
	if (!t->due_us)
		t->due_us = 1;
	t->next = loop->timers;
	loop->timers = t;
}

void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t ms)
{
	ev_timer_start_us(loop, t, ms * 1000u);
}

static int ev_next_timeout(struct ev_loop *loop, int max_ms)
{
	uint64_t now = ev_now_us(), best = UINT64_MAX;

	for (struct ev_timer *t = loop->timers; t; t = t->next)
		if (t->due_us < best)
			best = t->due_us;
	if (best == UINT64_MAX)
		return max_ms;
	if (best <= now)
		return 0;
	uint64_t ms = (best - now + 999) / 1000;
	if (max_ms >= 0 && ms > (uint64_t)max_ms)
		return max_ms;
	return ms > 60000 ? 60000 : (int)ms;
}

/* fire every timer due now; a callback may arm or stop timers, so restart the scan after each */
static int ev_run_timers(struct ev_loop *loop)
{
	uint64_t now = ev_now_us();
	int ran = 0;

	for (int again = 1; again && ran < 10000;) {
		again = 0;
		for (struct ev_timer *t = loop->timers; t; t = t->next) {
			if (t->due_us > now)
				continue;
			ev_timer_stop(loop, t);
			t->cb(t->arg);
			ran++;
			again = 1;
			break;
		}
	}
	return ran;
}

int ev_run_once(struct ev_loop *loop, int max_ms)
{
	int timeout = ev_next_timeout(loop, max_ms), ran = 0, n;
	size_t nw = loop->nw;

	for (size_t i = 0; i < nw; i++)
		loop->pfd[i] = (struct pollfd){ .fd = loop->w[i].fd, .events = loop->w[i].events };
	n = poll(loop->pfd, nw, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	ran += ev_run_timers(loop);
	loop->in_round = 1;
	for (size_t i = 0; i < nw && n > 0; i++) {
		struct ev_watch *w = &loop->w[i];

		if (!loop->pfd[i].revents)
			continue;
		n--;
		if (w->dead || w->fd != loop->pfd[i].fd)
			continue;
		w->cb(w->arg, w->fd, loop->pfd[i].revents);
		w = NULL;	/* the array may have grown (moved) */
		ran++;
	}
	loop->in_round = 0;
	ev_compact(loop);
	return ran;
}

int ev_run_until(struct ev_loop *loop, const volatile int *stop, uint64_t deadline_ms)
{
	uint64_t end = deadline_ms ? ev_now_us() + deadline_ms * 1000u : 0;

	while (!stop || !*stop) {
		int wait = 100;

		if (end) {
			uint64_t now = ev_now_us();

			if (now >= end)
				return -ETIMEDOUT;
			if ((end - now) / 1000 < (uint64_t)wait)
				wait = (int)((end - now) / 1000) + 1;
		}
		int r = ev_run_once(loop, wait);
		if (r < 0)
			return r;
	}
	return 0;
}
