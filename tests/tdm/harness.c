/*
 * harness.c - one process, one event loop, a TDM configuration and an event recorder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "testlib.h"

static void harness_cb(void *arg, const struct tdm_event *ev)
{
	struct harness *h = arg;
	struct hev *e;

	if (h->hook && h->hook(h, ev))
		return;
	if (h->nev == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct hev **n = realloc(h->ev, cap * sizeof(*n));

		if (!n)
			return;
		h->ev = n;
		h->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	h->ev[h->nev++] = e;
	e->type = ev->type;
	e->call = ev->call;
	e->cause = ev->cause;
	e->inband = ev->inband;
	e->up = ev->up;
	if (ev->span)
		snprintf(e->span, sizeof(e->span), "%s", ev->span);
	if (ev->setup)
		e->setup = *ev->setup;
}

static const struct map_tables *harness_tables(void)
{
	static struct map_tables t;
	static int loaded;
	char err[256];

	if (test_tables)
		return test_tables;
	if (!loaded && map_tables_load_builtin(&t, err, sizeof(err)) < 0) {
		fprintf(stderr, "built-in tables: %s\n", err);
		abort();
	}
	loaded = 1;
	test_tables = &t;
	return &t;
}

int harness_start(struct harness *h, const char *ini_text)
{
	int r;

	memset(h, 0, sizeof(*h));
	r = ev_loop_new(&h->loop);
	if (r < 0)
		return r;
	r = ini_parse(ini_text, strlen(ini_text), "test.conf", &h->ini, h->err, sizeof(h->err));
	if (r < 0)
		return r;
	/* not TDM_CONF_STRICT: loopback.conf also holds the daemon's sections */
	r = tdm_conf_from_ini(h->ini, 0, &h->conf, h->err, sizeof(h->err));
	if (r < 0)
		return r;
	return tdm_new(h->loop, &h->conf, harness_tables(), harness_cb, h, &h->tdm, h->err, sizeof(h->err));
}

void harness_stop(struct harness *h)
{
	tdm_free(h->tdm);
	tdm_conf_free(&h->conf);
	ini_free(h->ini);
	ev_loop_free(h->loop);
	harness_clear(h);
	free(h->ev);
	memset(h, 0, sizeof(*h));
}

void harness_run(struct harness *h, int ms)
{
	ev_run_until(h->loop, NULL, ms > 0 ? (uint64_t)ms : 1);
}

int harness_until(struct harness *h, int (*cond)(struct harness *h, void *arg), void *arg, int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000u;

	while (!cond(h, arg)) {
		if (ev_now_us() >= end)
			return -ETIMEDOUT;
		ev_run_once(h->loop, 10);
	}
	return 0;
}

static int harness_links_up(struct harness *h, void *arg)
{
	struct tdm_span_info si[64];
	size_t total;
	int n = tdm_spans(h->tdm, si, 64, &total);

	for (int i = 0; i < n; i++)
		if (!si[i].link_up || si[i].busy)	/* busy includes circuits still being reset (GRS) */
			return 0;
	return 1;
}

int harness_wait_links(struct harness *h, int ms)
{
	return harness_until(h, harness_links_up, NULL, ms);
}

struct harness_want {
	int type;
	const char *span;
	struct hev *found;
};

static int harness_has(struct harness *h, void *arg)
{
	struct harness_want *w = arg;

	for (size_t i = 0; i < h->nev; i++) {
		struct hev *e = h->ev[i];

		if (e->seen || e->type != w->type || (w->span && strcmp(w->span, e->span)))
			continue;
		e->seen = 1;
		w->found = e;
		return 1;
	}
	return 0;
}

struct hev *harness_wait(struct harness *h, int type, const char *span, int ms)
{
	struct harness_want w = { .type = type, .span = span };

	harness_until(h, harness_has, &w, ms);
	return w.found;
}

struct harness_want_link {
	const char *span;
	int up;
};

static int harness_has_link(struct harness *h, void *arg)
{
	struct harness_want_link *w = arg;

	for (size_t i = 0; i < h->nev; i++) {
		struct hev *e = h->ev[i];

		if (e->seen || e->type != TDM_EV_LINK || strcmp(w->span, e->span) || e->up != w->up)
			continue;
		e->seen = 1;
		return 1;
	}
	return 0;
}

int harness_wait_link(struct harness *h, const char *span, int up, int ms)
{
	struct harness_want_link w = { .span = span, .up = up };

	return harness_until(h, harness_has_link, &w, ms);
}

void harness_clear(struct harness *h)
{
	for (size_t i = 0; i < h->nev; i++)
		free(h->ev[i]);
	h->nev = 0;
}

int harness_cstate(struct harness *h, const char *span, int cic, int *blocked)
{
	struct tdm_circuit_info ci[TDM_CHANS_MAX];
	size_t total;
	int n = tdm_circuits(h->tdm, span, ci, TDM_CHANS_MAX, &total);

	for (int i = 0; i < n; i++)
		if ((ci[i].cic ? ci[i].cic : ci[i].chan) == cic) {
			if (blocked)
				*blocked = ci[i].blocked;
			return ci[i].state;
		}
	return -1;
}

void harness_setup(struct tdm_setup *s, const char *called, const char *calling)
{
	memset(s, 0, sizeof(*s));
	map_call_init(&s->call);
	s->call.called.present = 1;
	snprintf(s->call.called.digits, sizeof(s->call.called.digits), "%s", called);
	s->call.called.nai = MAP_NAI_NATIONAL;
	s->call.called.npi = MAP_NPI_E164;
	if (calling) {
		s->call.calling.present = 1;
		snprintf(s->call.calling.digits, sizeof(s->call.calling.digits), "%s", calling);
		s->call.calling.nai = MAP_NAI_NATIONAL;
		s->call.calling.npi = MAP_NPI_E164;
		s->call.calling.screen = MAP_SCREEN_NETWORK;
	}
}

void harness_redirect(struct tdm_setup *s, const char *target, int reason)
{
	s->call.redirecting = s->call.called;
	snprintf(s->call.redirecting.digits, sizeof(s->call.redirecting.digits), "%s", target);
	s->call.redir.present = 1;
	s->call.redir.indicator = 3;	/* call diverted */
	s->call.redir.reason = reason;
	s->call.redir.orig_reason = -1;	/* derived: the first redirection is this one */
	s->call.redir.counter = 1;
}

void harness_no_diversion(struct tdm_setup *s)
{
	static const char uui[] = "UM/1;cause=486;sens=private-no-diversion";

	s->call.cdti = MAP_CDTI_NOT_ALLOWED;
	s->call.um.sens = MAP_SENS_PRIVATE_NO_DIVERSION;
	s->uui[0] = MAP_UUI_PD;
	memcpy(s->uui + 1, uui, sizeof(uui) - 1);
	s->uui_len = sizeof(uui);
}
