/*
 * span.c - the generic span: transmit queue and pacing, callbacks, alarm state, trace, counters.
 *
 * Line model (loopback backends, ops->paced): a frame costs (len + 2 FCS + 1 flag) * 8 bits at
 * line_rate bit/s.  It starts when it was queued or when the line became free, whichever is later,
 * and the line is then busy until next_free = start + bits / line_rate.  A frame is handed to the
 * backend only once its start has come.  Timer lateness (poll(2) rounds to milliseconds) is absorbed
 * by starting waiting frames at next_free rather than at the moment the timer ran, up to
 * SPAN_CATCHUP_US; so the average rate is line_rate and never more.  tx_ready fires once the queue
 * is empty and the line free, i.e. when span_tx_idle() has become true again; a frame sent from
 * tx_ready counts from when the line became free, so a sender that sends one frame per tx_ready
 * (libss7's fill-in) keeps the line as busy as a real one.
 *
 * DAHDI channels (!ops->paced) are paced by the driver: frames go as fast as write(2) takes them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "span_int.h"
#include "trace.h"

#define SPAN_CATCHUP_US 2000	/* waiting frames may start this late after the line became free */

int span_be_err(const struct tdm_span_conf *sc, char *err, size_t errlen, int rc, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!err || !errlen)
		return rc;
	if (sc->file[0])
		snprintf(err, errlen, "span %s (%s:%d): %s", sc->name, sc->file, sc->line, msg);
	else
		snprintf(err, errlen, "span %s: %s", sc->name, msg);
	return rc;
}

/* ---- the queue ---- */

static struct span_qframe *span_q_head(const struct span *span)
{
	return span->qlen ? span->q[span->qhead] : NULL;
}

static void span_q_pop(struct span *span)
{
	span->q[span->qhead] = NULL;
	span->qhead = (span->qhead + 1) % SPAN_QUEUE_MAX;
	span->qlen--;
}

static void span_q_flush(struct span *span)
{
	while (span->qlen) {
		free(span_q_head(span));
		span_q_pop(span);
		span->stats.tx_dropped++;
	}
	span->tx_blocked = 0;
	span->want_ready = 0;
}

/* ---- transmit ---- */

static uint64_t span_line_us(const struct span *span, size_t len)
{
	uint64_t bits = (uint64_t)(len + SPAN_FRAME_OVERHEAD) * 8u;

	return (bits * 1000000u + (uint64_t)span->line_rate - 1) / (uint64_t)span->line_rate;
}

/* when the head frame may start on the line */
static uint64_t span_tx_start(const struct span *span, const struct span_qframe *f, uint64_t now)
{
	uint64_t start = f->queued_us > span->next_free_us ? f->queued_us : span->next_free_us;

	if (now > SPAN_CATCHUP_US && start < now - SPAN_CATCHUP_US)
		start = now - SPAN_CATCHUP_US;
	return start;
}

/* a trace that cannot be written (disk full) is closed rather than retried for every frame */
static void span_trace(struct span *span, const uint8_t *frame, size_t len)
{
	int rc;

	if (!span->trace)
		return;
	rc = trace_frame(span->trace, frame, len);
	if (rc < 0) {
		LOGE("span", "span %s: trace %s: %s: tracing stopped", span->conf.name, span->conf.trace, strerror(-rc));
		trace_close(span->trace);
		span->trace = NULL;
	}
}

static void span_tx_sent(struct span *span, const struct span_qframe *f, uint64_t start)
{
	span->stats.tx_frames++;
	span->stats.tx_octets += f->len;
	span_trace(span, f->data, f->len);
	if (span->line_rate)
		span->next_free_us = start + span_line_us(span, f->len);
}

/* arm tx_timer for the next thing to do: the head frame's start, or tx_ready once the line is free */
static void span_tx_schedule(struct span *span)
{
	uint64_t now = ev_now_us(), wait = 0;

	if (span->closed || (span->qlen && (span->tx_blocked || span->alarm)) || (!span->qlen && !span->want_ready)) {
		ev_timer_stop(span->loop, &span->tx_timer);
		return;
	}
	if (span->line_rate && span->next_free_us > now)
		wait = span->next_free_us - now;
	ev_timer_start_us(span->loop, &span->tx_timer, wait);
}

static void span_tx_run(struct span *span)
{
	span->tx_busy = 1;
	while (span->qlen && !span->tx_blocked && !span->alarm) {
		struct span_qframe *f = span_q_head(span);
		uint64_t now = ev_now_us(), start = span_tx_start(span, f, now);
		int rc;

		if (span->line_rate && start > now)
			break;
		rc = span->ops->send_raw(span, f->data, f->len);
		if (rc == -EAGAIN) {
			span->tx_blocked = 1;
			break;
		}
		span_q_pop(span);
		if (rc < 0) {
			span->stats.tx_dropped++;
			LOGD("span", "span %s: frame of %zu octets dropped: %s", span->conf.name, f->len,
			     strerror(-rc));
		} else {
			span_tx_sent(span, f, start);
		}
		free(f);
	}
	span->tx_busy = 0;
	if (span->alarm)
		span_q_flush(span);
	span_tx_schedule(span);
}

static void span_tx_timer_cb(void *arg)
{
	struct span *span = arg;

	span_tx_run(span);
	if (span->qlen || !span->want_ready || !span_tx_idle(span))
		return;
	span->want_ready = 0;
	ev_timer_stop(span->loop, &span->tx_timer);
	if (!span->cbs.tx_ready)
		return;
	span_be_hold(span);
	span->in_ready = 1;
	span->cbs.tx_ready(span->cb_arg);
	span->in_ready = 0;
	span_be_unhold(span);
}

int span_send(struct span *span, const uint8_t *frame, size_t len)
{
	struct span_qframe *f;

	if (!frame || !len || len > SPAN_FRAME_MAX)
		return -EMSGSIZE;
	if (span->alarm || span->closed) {
		span->stats.tx_dropped++;
		return -ENETDOWN;
	}
	if (span->qlen >= SPAN_QUEUE_MAX) {
		span->stats.tx_dropped++;
		return -ENOBUFS;
	}
	f = malloc(sizeof(*f) + len);
	if (!f)
		return -ENOMEM;
	f->queued_us = ev_now_us();
	/* sent from tx_ready: the sender was waiting for the line, not late; the lateness is our timer's */
	if (span->in_ready && span->next_free_us < f->queued_us)
		f->queued_us = span->next_free_us;
	f->len = len;
	memcpy(f->data, frame, len);
	span->q[(span->qhead + span->qlen) % SPAN_QUEUE_MAX] = f;
	span->qlen++;
	span->want_ready = 1;
	span_tx_run(span);
	return 0;
}

int span_tx_idle(const struct span *span)
{
	if (span->qlen || span->tx_blocked)
		return 0;
	return !span->line_rate || span->next_free_us <= ev_now_us();
}

void span_be_kick(struct span *span)
{
	if (span->closed || !span->tx_blocked)
		return;
	span->tx_blocked = 0;
	span_tx_run(span);
}

/* ---- receive ---- */

void span_be_rx(struct span *span, const uint8_t *frame, size_t len)
{
	if (span->closed)
		return;
	if (span->alarm) {
		span_be_rx_dropped(span, "in alarm");
		return;
	}
	span->stats.rx_frames++;
	span->stats.rx_octets += len;
	span_trace(span, frame, len);
	if (span->cbs.rx)
		span->cbs.rx(span->cb_arg, frame, len);
}

void span_be_rx_dropped(struct span *span, const char *why)
{
	span->stats.rx_dropped++;
	LOGD("span", "span %s: received frame dropped: %s", span->conf.name, why);
}

/* ---- alarms ---- */

void span_be_alarm(struct span *span, int alarmed)
{
	alarmed = !!alarmed;
	if (span->closed || span->alarm == alarmed)
		return;
	span->alarm = alarmed;
	if (alarmed) {
		LOGW("span", "span %s: alarm (line down)", span->conf.name);
		span->stats.alarms++;
		span->alarm_went_down = 1;
		if (!span->tx_busy) {
			span_q_flush(span);
			span_tx_schedule(span);
		}
	} else {
		LOGN("span", "span %s: alarm cleared (line up)", span->conf.name);
	}
	ev_timer_start(span->loop, &span->alarm_timer, 0);
}

static void span_alarm_tell(struct span *span, int alarmed)
{
	span->alarm_told = alarmed;
	if (span->cbs.alarm)
		span->cbs.alarm(span->cb_arg, alarmed);
}

/* tell the owner every transition since the last time: a down and up between two rounds is a blip */
static void span_alarm_timer_cb(void *arg)
{
	struct span *span = arg;

	span_be_hold(span);
	if (span->alarm_went_down && !span->alarm_told)
		span_alarm_tell(span, 1);
	span->alarm_went_down = 0;
	if (!span->closed && span->alarm_told != span->alarm) {
		span_alarm_tell(span, span->alarm);
		if (!span->closed && !span->alarm) {
			span->want_ready = 1;	/* a sender refused with -ENETDOWN waits for tx_ready */
			span_tx_schedule(span);
		}
	}
	span_be_unhold(span);
}

int span_alarmed(const struct span *span)
{
	return span->alarm;
}

/* ---- life cycle ---- */

void span_be_hold(struct span *span)
{
	span->hold++;
}

int span_be_unhold(struct span *span)
{
	if (--span->hold > 0 || !span->closed)
		return span->closed;
	free(span);
	return 1;
}

static void span_free(struct span *span)
{
	ev_timer_stop(span->loop, &span->tx_timer);
	ev_timer_stop(span->loop, &span->alarm_timer);
	while (span->qlen) {
		free(span_q_head(span));
		span_q_pop(span);
	}
	trace_close(span->trace);
	span->trace = NULL;
	if (!span->hold)
		free(span);
}

void span_close(struct span *span)
{
	if (!span || span->closed)
		return;
	span->closed = 1;
	LOGI("span", "span %s: closed", span->conf.name);
	span->ops->close(span);
	span_free(span);
}

static const struct span_ops *span_backend(int backend)
{
	switch (backend) {
	case TDM_BACKEND_DAHDI:
		return &span_dahdi_ops;
	case TDM_BACKEND_LOOPBACK:
		return &span_loop_ops;
	}
	return NULL;
}

static int span_open_trace(struct span *span, struct span *const *prev, size_t nprev, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;
	int rc;

	for (size_t i = 0; i < nprev; i++)
		if (!strcmp(prev[i]->conf.trace, sc->trace))
			return span_be_err(sc, err, errlen, -EINVAL, "trace %s: already written by span %s", sc->trace,
					   prev[i]->conf.name);
	rc = trace_open(sc->trace, sc->sig == TDM_SIG_PRI ? TRACE_LINK_LAPD : TRACE_LINK_MTP2, &span->trace);
	if (rc < 0)
		return span_be_err(sc, err, errlen, rc, "trace %s: %s", sc->trace, strerror(-rc));
	return 0;
}

static int span_open_one(struct ev_loop *loop, const struct tdm_span_conf *sc, struct span **spans, size_t i,
			 char *err, size_t errlen)
{
	const struct span_ops *ops = span_backend(sc->backend);
	struct span *span;
	int rc;

	if (!ops)
		return span_be_err(sc, err, errlen, -EINVAL, "unknown backend %d", sc->backend);
	span = calloc(1, sizeof(*span));
	if (!span)
		return span_be_err(sc, err, errlen, -ENOMEM, "out of memory");
	span->conf = *sc;
	span->loop = loop;
	span->ops = ops;
	if (ops->paced)
		span->line_rate = sc->line_rate > 0 ? sc->line_rate : SPAN_LINE_RATE;
	ev_timer_init(&span->tx_timer, span_tx_timer_cb, span);
	ev_timer_init(&span->alarm_timer, span_alarm_timer_cb, span);
	rc = sc->trace[0] ? span_open_trace(span, spans, i, err, errlen) : 0;
	if (!rc)
		rc = ops->open(span, err, errlen);
	if (rc < 0) {
		span_free(span);
		return rc;
	}
	spans[i] = span;
	LOGI("span", "span %s: open (%s, %s)", sc->name, ops->name, sc->sig == TDM_SIG_PRI ? "pri" : "isup");
	return 0;
}

int span_open_all(struct ev_loop *loop, const struct tdm_conf *conf, struct span **spans, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < conf->nspan; i++)
		spans[i] = NULL;
	for (i = 0; i < conf->nspan && !rc; i++)
		rc = span_open_one(loop, &conf->span[i], spans, i, err, errlen);
	for (i = 0; i < conf->nspan && !rc; i++)
		if (spans[i]->ops->join)
			rc = spans[i]->ops->join(spans[i], spans, conf->nspan, err, errlen);
	for (i = 0; i < conf->nspan; i++) {
		if (rc < 0) {
			span_close(spans[i]);
			spans[i] = NULL;
			continue;
		}
		/* the state at open is what span_alarmed() says; callbacks report changes from here on */
		spans[i]->alarm_told = spans[i]->alarm;
		spans[i]->alarm_went_down = 0;
		ev_timer_stop(loop, &spans[i]->alarm_timer);
	}
	return rc;
}

void span_set_cbs(struct span *span, const struct span_cbs *cbs, void *arg)
{
	if (cbs)
		span->cbs = *cbs;
	else
		memset(&span->cbs, 0, sizeof(span->cbs));
	span->cb_arg = arg;
}

const struct tdm_span_conf *span_conf(const struct span *span)
{
	return &span->conf;
}

const char *span_name(const struct span *span)
{
	return span->conf.name;
}

/* ---- bearer channels, line cuts, counters ---- */

static int span_bchan_index(const struct span *span, int chan)
{
	for (int i = 0; i < span->conf.nbchan && i < TDM_CHANS_MAX; i++)
		if (span->conf.bchan[i] == chan)
			return i;
	return -EINVAL;
}

int span_bearer_open(struct span *span, int chan)
{
	int idx = span_bchan_index(span, chan), fd;

	if (idx < 0)
		return idx;
	if (span->bopen[idx])
		return -EBUSY;
	fd = span->ops->bearer_open(span, idx);
	if (fd >= 0)
		span->bopen[idx] = 1;
	return fd;
}

void span_bearer_close(struct span *span, int chan)
{
	int idx = span_bchan_index(span, chan);

	if (idx < 0 || !span->bopen[idx])
		return;
	span->ops->bearer_close(span, idx);
	span->bopen[idx] = 0;
}

int span_chan_pos(const struct span *span, int chan)
{
	int idx = span_bchan_index(span, chan);

	if (idx < 0 || !span->ops->chan_pos)
		return chan;
	return span->ops->chan_pos(span, idx);
}

int span_break(struct span *span, int broken)
{
	if (!span->ops->set_broken)
		return -ENOTSUP;
	return span->ops->set_broken(span, !!broken);
}

void span_get_stats(const struct span *span, struct span_stats *st)
{
	*st = span->stats;
}
