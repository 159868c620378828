/*
 * tdm.c - the TDM side's core: spans and their signalling, span groups, hunting, call objects and
 * the events the owner (gw/) receives.  The protocols live in tdm_isup.c and tdm_pri.c, the
 * hardware in span*.c; this file joins them and knows neither libss7 nor libpri.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdm_int.h"

#define TDM_CAUSE_NO_CIRCUIT 34
#define TDM_CAUSE_NETWORK_OUT_OF_ORDER 38
#define TDM_CAUSE_TEMPORARY_FAILURE 41

struct tdm {
	struct ev_loop *loop;
	const struct tdm_conf *conf;
	const struct map_tables *tables;
	tdm_event_cb cb;
	void *arg;
	struct tdm_span *ts;
	struct span **hw;
	size_t nspan;
	struct tdm_call *calls;
	size_t ncalls;
};

static const char *const tdm_ev_names[TDM_EV_COUNT] = {
	[TDM_EV_SETUP] = "setup",
	[TDM_EV_PROCEEDING] = "proceeding",
	[TDM_EV_PROGRESS] = "progress",
	[TDM_EV_ALERTING] = "alerting",
	[TDM_EV_FORWARDED] = "forwarded",
	[TDM_EV_ANSWER] = "answer",
	[TDM_EV_RELEASE] = "release",
	[TDM_EV_LINK] = "link",
};

const char *tdm_ev_name(int type)
{
	return type >= 0 && type < TDM_EV_COUNT ? tdm_ev_names[type] : "?";
}

const struct map_tables *tdm_tables(const struct tdm *tdm)
{
	return tdm->tables;
}

void tdm_set_tables(struct tdm *tdm, const struct map_tables *tables)
{
	tdm->tables = tables;
}

size_t tdm_call_count(const struct tdm *tdm)
{
	return tdm->ncalls;
}

void tdm_log_diag(const char *who, const struct map_diag *d)
{
	static const int lvl[] = { LOG_LVL_INFO, LOG_LVL_NOTICE, LOG_LVL_WARN };

	for (int i = 0; i < d->count && i < MAP_DIAG_MAX; i++) {
		int l = d->line[i].level;

		log_write(l >= 0 && l <= MAP_DIAG_ERROR ? lvl[l] : LOG_LVL_INFO, "map", "%s: %s: %s", who,
			  map_diag_level_name(l), d->line[i].text);
	}
}

/* ---- spans ---- */

static int tdm_span_init(struct tdm *tdm, struct tdm_span *ts, const struct tdm_span_conf *sc, struct span *hw)
{
	ts->tdm = tdm;
	ts->conf = sc;
	ts->span = hw;
	ts->loop = tdm->loop;
	ts->ops = sc->sig == TDM_SIG_ISUP ? &tdm_isup_ops : &tdm_pri_ops;
	ts->ncirc = sc->nbchan;
	ts->circ = calloc(sc->nbchan ? sc->nbchan : 1, sizeof(*ts->circ));
	if (!ts->circ)
		return -ENOMEM;
	for (int i = 0; i < sc->nbchan; i++) {
		ts->circ[i].ts = ts;
		ts->circ[i].chan = sc->bchan[i];
		ts->circ[i].cic = sc->sig == TDM_SIG_ISUP ? sc->bchan[i] + sc->cic_offset : 0;
		ts->circ[i].state = TDM_CS_IDLE;
	}
	return 0;
}

int tdm_new(struct ev_loop *loop, const struct tdm_conf *conf, const struct map_tables *tables, tdm_event_cb cb,
	    void *arg, struct tdm **out, char *err, size_t errlen)
{
	struct tdm *tdm = calloc(1, sizeof(*tdm));
	int r = -ENOMEM;

	if (!tdm)
		goto fail;
	*tdm = (struct tdm){ .loop = loop, .conf = conf, .tables = tables, .cb = cb, .arg = arg };
	tdm->ts = calloc(conf->nspan ? conf->nspan : 1, sizeof(*tdm->ts));
	tdm->hw = calloc(conf->nspan ? conf->nspan : 1, sizeof(*tdm->hw));
	if (!tdm->ts || !tdm->hw)
		goto fail;
	r = span_open_all(loop, conf, tdm->hw, err, errlen);
	if (r < 0)
		goto fail;
	tdm->nspan = conf->nspan;
	for (size_t i = 0; i < conf->nspan; i++) {
		r = tdm_span_init(tdm, &tdm->ts[i], &conf->span[i], tdm->hw[i]);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < conf->nspan; i++) {
		r = tdm->ts[i].ops->start ? tdm->ts[i].ops->start(&tdm->ts[i], err, errlen) : -ENOTSUP;
		if (r < 0) {
			if (r == -ENOTSUP)
				snprintf(err, errlen, "span %s: signalling %s not available", conf->span[i].name,
					 tdm->ts[i].ops->name);
			goto fail;
		}
		LOGI("tdm", "span %s: %s on %s backend started", conf->span[i].name, tdm->ts[i].ops->name,
		     tdm_conf_backend_name(conf->span[i].backend));
	}
	*out = tdm;
	return 0;
fail:
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	tdm_free(tdm);
	return r;
}

void tdm_free(struct tdm *tdm)
{
	if (!tdm)
		return;
	for (size_t i = 0; i < tdm->nspan; i++)
		if (tdm->ts[i].sig && tdm->ts[i].ops->stop)
			tdm->ts[i].ops->stop(&tdm->ts[i]);
	while (tdm->calls) {
		struct tdm_call *c = tdm->calls;

		tdm->calls = c->next;
		free(c);
	}
	for (size_t i = 0; i < tdm->nspan; i++) {
		free(tdm->ts[i].circ);
		if (tdm->hw[i])
			span_close(tdm->hw[i]);
	}
	free(tdm->ts);
	free(tdm->hw);
	free(tdm);
}

static struct tdm_span *tdm_span_find(const struct tdm *tdm, const char *name)
{
	for (size_t i = 0; i < tdm->nspan; i++)
		if (!strcmp(tdm->ts[i].conf->name, name))
			return &tdm->ts[i];
	return NULL;
}

struct tdm_circuit *tdm_circuit_by_cic(struct tdm_span *ts, int cic)
{
	for (int i = 0; i < ts->ncirc; i++)
		if (ts->circ[i].cic == cic)
			return &ts->circ[i];
	return NULL;
}

struct tdm_circuit *tdm_circuit_by_chan(struct tdm_span *ts, int chan)
{
	for (int i = 0; i < ts->ncirc; i++)
		if (ts->circ[i].chan == chan)
			return &ts->circ[i];
	return NULL;
}

/* ---- calls ---- */

static void tdm_deliver(struct tdm_call *call, struct tdm_event *ev)
{
	struct tdm *tdm = call->tdm;

	if (call->user_gone)
		return;
	ev->call = call;
	ev->user = call->user;
	ev->span = call->circ->ts->conf->name;
	if (ev->type == TDM_EV_RELEASE)
		call->user_gone = 1;
	if (ev->type == TDM_EV_RELEASE)
		LOGI("tdm", "%s [%s]: %s to owner, cause %d", call->name, tdm_cstate_name(call->circ->state),
		     tdm_ev_name(ev->type), ev->cause);
	else
		LOGI("tdm", "%s [%s]: %s to owner", call->name, tdm_cstate_name(call->circ->state), tdm_ev_name(ev->type));
	tdm->cb(tdm->arg, ev);
}

static struct tdm_call *tdm_call_new(struct tdm_circuit *c, int outgoing, void *user)
{
	struct tdm_call *call = calloc(1, sizeof(*call));
	struct tdm *tdm = c->ts->tdm;

	if (!call)
		return NULL;
	call->tdm = tdm;
	call->circ = c;
	call->user = user;
	call->outgoing = outgoing;
	call->cause = TDM_CAUSE_TEMPORARY_FAILURE;
	if (c->cic)
		snprintf(call->name, sizeof(call->name), "%s cic %d", c->ts->conf->name, c->cic);
	else
		snprintf(call->name, sizeof(call->name), "%s ch %d", c->ts->conf->name, c->chan);
	call->next = tdm->calls;
	tdm->calls = call;
	tdm->ncalls++;
	c->call = call;
	return call;
}

static void tdm_call_unlink(struct tdm_call *call)
{
	struct tdm *tdm = call->tdm;

	for (struct tdm_call **pp = &tdm->calls; *pp; pp = &(*pp)->next)
		if (*pp == call) {
			*pp = call->next;
			tdm->ncalls--;
			break;
		}
	if (call->circ->call == call)
		call->circ->call = NULL;
	if (call->bearer_open)
		span_bearer_close(call->circ->ts->span, call->circ->chan);
	free(call);
}

/* a circuit a new call may take */
static int tdm_circuit_free(const struct tdm_circuit *c)
{
	return c->state == TDM_CS_IDLE && !c->blocked && !c->call;
}

/* a free circuit of ts by its hunting order, skipping those already tried (tried: by circuit index) */
static struct tdm_circuit *tdm_hunt(struct tdm_span *ts, const unsigned char *tried)
{
	int n = ts->ncirc;

	for (int k = 0; k < n; k++) {
		int i;

		switch (ts->conf->hunt) {
		case TDM_HUNT_LAST:
			i = n - 1 - k;
			break;
		case TDM_HUNT_ROUND_ROBIN:
			i = (ts->rr_next + k) % n;
			break;
		default:
			i = k;
			break;
		}
		if (!tried[i] && tdm_circuit_free(&ts->circ[i])) {
			ts->rr_next = (i + 1) % n;
			return &ts->circ[i];
		}
	}
	return NULL;
}

/* the set-up on circuit c: 0 with *out set, or the module's -errno (the call is undone) */
static int tdm_call_place_on(struct tdm_circuit *c, const struct tdm_setup *setup, void *user, struct tdm_call **out)
{
	struct tdm_span *ts = c->ts;
	struct tdm_call *call = tdm_call_new(c, 1, user);
	int r;

	if (!call)
		return -ENOMEM;
	tdm_circuit_event(c, TDM_CE_SEIZE_OUT);
	r = ts->ops->place(call, setup);
	if (r < 0) {
		TDM_LOGC(LOG_LVL_WARN, c, "set-up not sent: %s", strerror(-r));
		tdm_circuit_event(c, TDM_CE_RELEASED);
		tdm_call_unlink(call);
		return r;
	}
	ts->calls_out++;
	*out = call;
	return 0;
}

/*
 * Hunt on ts and place the call.  A circuit the stack still holds (-EBUSY: e.g. libss7 awaiting the
 * UBA of an unblocking, or the RLC of a refused IAM) is skipped and the next one tried, so that one
 * circuit busy in the stack does not fail a call while others are free.  -EBUSY: none left.
 */
static int tdm_call_place_span(struct tdm_span *ts, const struct tdm_setup *setup, void *user, struct tdm_call **out)
{
	unsigned char tried[TDM_CHANS_MAX] = { 0 };
	struct tdm_circuit *c;
	int r = -EBUSY;

	while (ts->ncirc <= TDM_CHANS_MAX && (c = tdm_hunt(ts, tried))) {
		r = tdm_call_place_on(c, setup, user, out);
		if (r != -EBUSY)
			break;
		tried[c - ts->circ] = 1;
	}
	if (r < 0 && r != -EBUSY)
		ts->calls_failed++;
	return r;
}

int tdm_call_place(struct tdm *tdm, const char *group, const struct tdm_setup *setup, void *user,
		   struct tdm_call **out)
{
	int found = 0, up = 0, r = -EBUSY;

	for (size_t i = 0; i < tdm->nspan && r == -EBUSY; i++) {
		struct tdm_span *ts = &tdm->ts[i];

		if (strcmp(ts->conf->group, group))
			continue;
		found = 1;
		if (!ts->link_up)
			continue;
		up = 1;
		r = tdm_call_place_span(ts, setup, user, out);
	}
	if (!found) {
		LOGW("tdm", "group %s: no such span group", group);
		return -ENOENT;
	}
	if (r == -EBUSY || !up) {
		LOGN("tdm", "group %s: %s (cause %d)", group, up ? "no free circuit" : "no span in service",
		     up ? TDM_CAUSE_NO_CIRCUIT : TDM_CAUSE_NETWORK_OUT_OF_ORDER);
		return up ? -EBUSY : -ENETDOWN;
	}
	return r;
}

/*
 * May the owner answer (or send progress on) this call?  Only an incoming call not yet answered:
 * on an outgoing call the stack would send ACM/ANM or ALERTING/CONNECT the wrong way, and a second
 * answer would put a second ANM/CONNECT on the wire.
 */
static int tdm_call_can_respond(const struct tdm_call *call)
{
	if (call->user_gone)
		return -EALREADY;
	if (call->outgoing) {
		LOGW("tdm", "%s [%s]: the owner answers its own outgoing call: refused", call->name,
		     tdm_cstate_name(call->circ->state));
		return -EINVAL;
	}
	if (call->circ->state != TDM_CS_IN_SETUP) {
		LOGN("tdm", "%s [%s]: already answered: nothing sent", call->name, tdm_cstate_name(call->circ->state));
		return -EALREADY;
	}
	return 0;
}

static int tdm_call_op(struct tdm_call *call, int (*op)(struct tdm_call *))
{
	int r = tdm_call_can_respond(call);

	if (r < 0)
		return r;
	return op ? op(call) : -ENOTSUP;
}

int tdm_call_proceeding(struct tdm_call *call)
{
	return tdm_call_op(call, call->circ->ts->ops->proceeding);
}

int tdm_call_forwarded(struct tdm_call *call)
{
	return tdm_call_op(call, call->circ->ts->ops->forwarded);
}

int tdm_call_progress(struct tdm_call *call, int inband)
{
	const struct tdm_sig_ops *ops = call->circ->ts->ops;
	int r = tdm_call_can_respond(call);

	if (r < 0)
		return r;
	return ops->progress ? ops->progress(call, inband) : -ENOTSUP;
}

int tdm_call_alert(struct tdm_call *call, int inband)
{
	const struct tdm_sig_ops *ops = call->circ->ts->ops;
	int r = tdm_call_can_respond(call);

	if (r < 0)
		return r;
	return ops->alert ? ops->alert(call, inband) : -ENOTSUP;
}

int tdm_call_answer(struct tdm_call *call)
{
	int r = tdm_call_op(call, call->circ->ts->ops->answer);

	if (r == 0)
		tdm_circuit_event(call->circ, TDM_CE_ANSWER);
	return r;
}

int tdm_call_release(struct tdm_call *call, int cause)
{
	const struct tdm_sig_ops *ops = call->circ->ts->ops;

	if (call->user_gone)
		return -EALREADY;
	call->user_gone = 1;
	TDM_LOGC(LOG_LVL_INFO, call->circ, "owner releases, cause %d", cause);
	tdm_circuit_event(call->circ, TDM_CE_RELEASE);
	return ops->release(call, cause);
}

void tdm_call_set_user(struct tdm_call *call, void *user)
{
	call->user = user;
}

void *tdm_call_user(const struct tdm_call *call)
{
	return call->user;
}

const char *tdm_call_span(const struct tdm_call *call)
{
	return call->circ->ts->conf->name;
}

int tdm_call_chan(const struct tdm_call *call)
{
	return call->circ->chan;
}

int tdm_call_bearer_open(struct tdm_call *call)
{
	int fd;

	if (call->user_gone)
		return -ESHUTDOWN;
	fd = span_bearer_open(call->circ->ts->span, call->circ->chan);
	if (fd >= 0)
		call->bearer_open = 1;
	return fd;
}

void tdm_call_bearer_close(struct tdm_call *call)
{
	if (!call->bearer_open)
		return;
	call->bearer_open = 0;
	span_bearer_close(call->circ->ts->span, call->circ->chan);
}

int tdm_call_law(const struct tdm_call *call)
{
	return call->circ->ts->conf->law;
}

int tdm_call_bearer_clocked(const struct tdm_call *call)
{
	return call->circ->ts->conf->backend == TDM_BACKEND_DAHDI;
}

int tdm_call_cic(const struct tdm_call *call)
{
	return call->circ->cic;
}

const char *tdm_call_name(const struct tdm_call *call)
{
	return call->name;
}

/* ---- reports from the signalling modules ---- */

int tdm_sig_incoming(struct tdm_circuit *c, void *sig, const struct tdm_setup *setup, struct tdm_call **out)
{
	struct tdm_event ev = { .type = TDM_EV_SETUP, .setup = setup };
	struct tdm_call *call;

	if (c->call || tdm_circuit_event(c, TDM_CE_SEIZE_IN) < 0) {
		TDM_LOGC(LOG_LVL_WARN, c, "set-up on a busy circuit refused");
		return -EBUSY;
	}
	call = tdm_call_new(c, 0, NULL);
	if (!call) {
		tdm_circuit_event(c, TDM_CE_RELEASED);
		return -ENOMEM;
	}
	call->sig = sig;
	c->ts->calls_in++;
	*out = call;
	tdm_deliver(call, &ev);
	return 0;
}

void tdm_sig_event(struct tdm_call *call, int type, int inband)
{
	struct tdm_event ev = { .type = type, .inband = inband };

	if (type == TDM_EV_ANSWER)
		tdm_circuit_event(call->circ, TDM_CE_ANSWER);
	tdm_deliver(call, &ev);
}

void tdm_sig_released_by_far_end(struct tdm_call *call, int cause)
{
	struct tdm_event ev = { .type = TDM_EV_RELEASE, .cause = cause };

	tdm_circuit_event(call->circ, TDM_CE_RELEASE);
	if (call->outgoing && call->circ->state != TDM_CS_ANSWERED)
		call->circ->ts->calls_failed++;
	tdm_deliver(call, &ev);
}

void tdm_sig_call_gone(struct tdm_call *call)
{
	struct tdm_event ev = { .type = TDM_EV_RELEASE, .cause = call->cause };
	struct tdm_circuit *c = call->circ;

	tdm_deliver(call, &ev);
	if (c->state != TDM_CS_RESETTING)
		tdm_circuit_event(c, TDM_CE_RELEASED);
	tdm_call_unlink(call);
}

void tdm_sig_link(struct tdm_span *ts, int up)
{
	struct tdm *tdm = ts->tdm;
	struct tdm_event ev = { .type = TDM_EV_LINK, .span = ts->conf->name, .up = up };

	if (ts->link_up == up)
		return;
	ts->link_up = up;
	LOGN("tdm", "span %s: signalling link %s", ts->conf->name, up ? "up" : "down");
	if (!up) {
		for (int i = 0; i < ts->ncirc; i++) {
			struct tdm_circuit *c = &ts->circ[i];

			if (c->call) {
				struct tdm_event rel = { .type = TDM_EV_RELEASE, .cause = TDM_CAUSE_NETWORK_OUT_OF_ORDER };

				tdm_deliver(c->call, &rel);
				tdm_call_unlink(c->call);
			}
			tdm_circuit_event(c, TDM_CE_LINK_DOWN);
		}
	}
	tdm->cb(tdm->arg, &ev);
}

/* ---- status and maintenance ---- */

int tdm_circuits(const struct tdm *tdm, const char *span, struct tdm_circuit_info *out, size_t max, size_t *total)
{
	size_t n = 0, t = 0;

	for (size_t i = 0; i < tdm->nspan; i++) {
		const struct tdm_span *ts = &tdm->ts[i];

		if (span && strcmp(span, ts->conf->name))
			continue;
		for (int k = 0; k < ts->ncirc; k++, t++) {
			const struct tdm_circuit *c = &ts->circ[k];

			if (n >= max)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].span, sizeof(out[n].span), "%s", ts->conf->name);
			out[n].chan = c->chan;
			out[n].cic = c->cic;
			out[n].state = c->state;
			out[n].blocked = c->blocked;
			if (c->call)
				snprintf(out[n].call, sizeof(out[n].call), "%s", c->call->name);
			n++;
		}
	}
	if (total)
		*total = t;
	if (span && !t && !tdm_span_find(tdm, span))
		return -ENOENT;
	return (int)n;
}

int tdm_spans(const struct tdm *tdm, struct tdm_span_info *out, size_t max, size_t *total)
{
	size_t n = 0;

	for (size_t i = 0; i < tdm->nspan && n < max; i++, n++) {
		const struct tdm_span *ts = &tdm->ts[i];
		struct tdm_span_info *si = &out[n];

		memset(si, 0, sizeof(*si));
		snprintf(si->name, sizeof(si->name), "%s", ts->conf->name);
		snprintf(si->group, sizeof(si->group), "%s", ts->conf->group);
		si->sig = ts->conf->sig;
		si->backend = ts->conf->backend;
		si->link_up = ts->link_up;
		si->alarmed = span_alarmed(ts->span);
		si->ncircuits = ts->ncirc;
		for (int k = 0; k < ts->ncirc; k++) {
			if (ts->circ[k].blocked)
				si->blocked++;
			else if (ts->circ[k].state == TDM_CS_IDLE)
				si->idle++;
			else
				si->busy++;
		}
		si->calls_in = ts->calls_in;
		si->calls_out = ts->calls_out;
		si->calls_failed = ts->calls_failed;
	}
	if (total)
		*total = tdm->nspan;
	return (int)n;
}

/*
 * Maintenance needs the signalling link: a RESET/BLO that cannot go out would leave the circuit
 * resetting (or blocked) with nothing on the wire to end it.
 */
static int tdm_maint_down(const struct tdm_span *ts, const char *what)
{
	LOGW("tdm", "span %s: signalling link down: %s refused", ts->conf->name, what);
	return -ENETDOWN;
}

static int tdm_maint_circuit(struct tdm *tdm, const char *span, int cic, struct tdm_circuit **out)
{
	struct tdm_span *ts = tdm_span_find(tdm, span);

	if (!ts)
		return -ENOENT;
	*out = ts->conf->sig == TDM_SIG_ISUP ? tdm_circuit_by_cic(ts, cic) : tdm_circuit_by_chan(ts, cic);
	return *out ? 0 : -ENOENT;
}

int tdm_circuit_block(struct tdm *tdm, const char *span, int cic, int block)
{
	struct tdm_circuit *c;
	int r = tdm_maint_circuit(tdm, span, cic, &c);

	if (r < 0)
		return r;
	if (!c->ts->ops->block)
		return -ENOTSUP;
	if (!c->ts->link_up)
		return tdm_maint_down(c->ts, block ? "block" : "unblock");
	TDM_LOGC(LOG_LVL_NOTICE, c, "operator %s", block ? "blocks" : "unblocks");
	return c->ts->ops->block(c, block);
}

int tdm_circuit_reset(struct tdm *tdm, const char *span, int cic)
{
	struct tdm_circuit *c;
	int r = tdm_maint_circuit(tdm, span, cic, &c);

	if (r < 0)
		return r;
	if (!c->ts->ops->reset)
		return -ENOTSUP;
	if (!c->ts->link_up)
		return tdm_maint_down(c->ts, "reset");
	TDM_LOGC(LOG_LVL_NOTICE, c, "operator resets");
	return c->ts->ops->reset(c);
}

int tdm_group_block(struct tdm *tdm, const char *span, int first, int last, int block)
{
	struct tdm_span *ts = tdm_span_find(tdm, span);

	if (!ts)
		return -ENOENT;
	if (!ts->ops->group_block)
		return -ENOTSUP;
	if (first > last)
		return -EINVAL;
	if (!ts->link_up)
		return tdm_maint_down(ts, block ? "group block" : "group unblock");
	LOGN("tdm", "span %s: operator %s %d-%d", span, block ? "blocks" : "unblocks", first, last);
	return ts->ops->group_block(ts, first, last, block);
}

int tdm_span_reset(struct tdm *tdm, const char *span)
{
	struct tdm_span *ts = tdm_span_find(tdm, span);

	if (!ts)
		return -ENOENT;
	if (!ts->ops->reset_all)
		return -ENOTSUP;
	if (!ts->link_up)
		return tdm_maint_down(ts, "reset every circuit");
	LOGN("tdm", "span %s: operator resets every circuit", span);
	return ts->ops->reset_all(ts);
}

int tdm_span_break(struct tdm *tdm, const char *span, int broken)
{
	struct tdm_span *ts = tdm_span_find(tdm, span);

	if (!ts)
		return -ENOENT;
	LOGN("tdm", "span %s: line %s by operator", span, broken ? "cut" : "restored");
	return span_break(ts->span, broken);
}
