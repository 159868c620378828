/*
 * span_int.h - inside the span layer: the generic span (span.c) and its backends (span_loop.c,
 * span_dahdi.c) behind struct span_ops.  Not for the signalling modules: they use span.h.
 *
 * The generic part owns the transmit queue, pacing, callbacks, alarm state, trace and counters.
 * A backend moves frames and reports back with the span_be_* functions below:
 *
 *   span.c --ops->send_raw()-->  backend  --span_be_rx()--------> span.c --cbs.rx--> signalling
 *          <--span_be_kick()--   (line writable again)
 *          <--span_be_alarm()--  (line up / down)
 *
 * Callbacks to the span's owner run only from the event loop (fd watchers and timers), never from
 * inside span_send, span_break or span_close.  The owner may close the span from one of its
 * callbacks: backends bracket their watchers with span_be_hold()/span_be_unhold() and stop touching
 * the span (and their own state) once span->closed is set.
 */
#ifndef SPAN_INT_H
#define SPAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "span.h"
#include "tdm_conf.h"

#define SPAN_QUEUE_MAX 256		/* frames waiting for the line; span_send says -ENOBUFS beyond */
#define SPAN_LINE_RATE 64000		/* bit/s when the configuration leaves line_rate at 0 */
#define SPAN_FRAME_OVERHEAD 3		/* octets a frame costs on the line besides its own: 2 FCS + 1 flag */
#define SPAN_CONNECT_RETRY_MS 200	/* loopback across processes: connect retry period */
#define SPAN_SNDBUF 16384		/* loopback socket send buffer: a fast sender meets back-pressure */

struct trace;

struct span_ops {
	const char *name;
	int paced;		/* 1: span.c paces the signalling channel at line_rate; 0: the driver does */
	/* set up one span (span->priv); err: "span NAME (FILE:LINE): ..." */
	int (*open)(struct span *span, char *err, size_t errlen);
	/* after every span of the conf is open (loopback: join in-process pairs); NULL = nothing to do */
	int (*join)(struct span *span, struct span *const *all, size_t n, char *err, size_t errlen);
	/* release everything span->priv holds; no callbacks from here */
	void (*close)(struct span *span);
	/* put one frame (no FCS) on the line: 0 sent, -EAGAIN line busy (the backend calls span_be_kick
	 * when it can take more; the frame stays queued), other -errno: the frame is dropped */
	int (*send_raw)(struct span *span, const uint8_t *frame, size_t len);
	/* bearer channel conf->bchan[idx]: a descriptor, or -errno; close it again */
	int (*bearer_open)(struct span *span, int idx);
	void (*bearer_close)(struct span *span, int idx);
	/* timeslot of conf->bchan[idx] in its span; NULL = the channel number */
	int (*chan_pos)(const struct span *span, int idx);
	/* cut (1) / restore (0) the line; NULL = -ENOTSUP */
	int (*set_broken)(struct span *span, int broken);
};

extern const struct span_ops span_loop_ops;
extern const struct span_ops span_dahdi_ops;

struct span_qframe {
	uint64_t queued_us;	/* when span_send took it */
	size_t len;
	uint8_t data[];
};

struct span {
	struct tdm_span_conf conf;	/* a copy: the caller's conf may go */
	struct ev_loop *loop;
	const struct span_ops *ops;
	void *priv;			/* the backend's state */
	struct span_cbs cbs;
	void *cb_arg;
	struct trace *trace;

	/* transmit: a ring of queued frames, the line model, tx_ready */
	struct span_qframe *q[SPAN_QUEUE_MAX];
	unsigned int qhead, qlen;
	long line_rate;			/* bit/s; 0 = not paced here */
	uint64_t next_free_us;		/* the line is busy until then */
	int tx_blocked;			/* the backend said -EAGAIN: wait for span_be_kick */
	int tx_busy;			/* inside span_tx_run: span_be_alarm must not free the queue */
	int want_ready;			/* a frame was sent since the last tx_ready */
	int in_ready;			/* inside the tx_ready callback */
	struct ev_timer tx_timer;

	/* alarm: the state, and what the owner has been told (callbacks come from alarm_timer) */
	int alarm, alarm_told, alarm_went_down;
	struct ev_timer alarm_timer;

	unsigned char bopen[TDM_CHANS_MAX];	/* bearer channels handed out, by conf.bchan index */
	struct span_stats stats;
	int hold, closed;		/* see span_be_hold */
};

/* ---- for backends ---- */

/* a frame arrived (FCS removed): counted, traced, handed to the owner unless the span is in alarm */
void span_be_rx(struct span *span, const uint8_t *frame, size_t len);
/* a frame was lost on receive (bad FCS, overrun, line cut): counted */
void span_be_rx_dropped(struct span *span, const char *why);
/* the line went down (1) or came up (0); the owner hears it from the loop */
void span_be_alarm(struct span *span, int alarmed);
/* the line takes frames again after -EAGAIN */
void span_be_kick(struct span *span);
/* around a watcher or timer that may call the owner: after unhold the span may be gone (1) */
void span_be_hold(struct span *span);
int span_be_unhold(struct span *span);
/* "span NAME (FILE:LINE): " + fmt into err; returns rc */
int span_be_err(const struct tdm_span_conf *sc, char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
