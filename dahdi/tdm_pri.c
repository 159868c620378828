/*
 * tdm_pri.c - Q.931 signalling (ITU-T Q.931, ETSI EN 300 403, NI-2, QSIG ECMA-143) over libpri 1.6:
 * one struct pri per span on the span's D-channel, the B-channel number as the call's channel
 * (exclusive), the call model through map_q931 and the redirecting reason through tdm_pri_reason.
 *
 * Frames: libpri reads and writes frames with the two FCS octets of DAHDI's HDLC convention; the
 * span carries them without.  The read callback hands libpri the frame the span delivered plus two
 * octets (libpri drops them unchecked), the write callback sends all but the last two.  libpri's
 * timers run from one ev_timer set to pri_schedule_next after every entry into libpri.
 *
 * libpri 1.6 facts this module is built on (see tdm_pri_reason.c for the reasons):
 *   - diversion goes in DivertingLegInformation2 (QSIG, EuroISDN with facility enabled; no
 *     Redirecting number IE then) or in the Redirecting number IE (every other case); the
 *     original called number only in DivertingLegInformation2 and only with a counter above 1.
 *     A received SETUP came with DivertingLegInformation2 exactly when libpri sets the redirecting
 *     "to" party (it copies the called number there for the DivertingLegInformation3 it owes).
 *   - the User-user IE is sent with protocol discriminator 0x04 (IA5) whatever the data, from a C
 *     string (no NUL octet), at most 35 characters in a SETUP; only IA5 user-user data is received
 *     (without its discriminator).  So libpri is given a placeholder ("gw-uui:NN", NN the circuit)
 *     that the write callback replaces with the owner's octets, and the octets of a received SETUP
 *     are read from the frame (tdm_pri_uui.c): any discriminator, any octets, up to 128.
 *   - RESTART always names channels (restart indicator 0): the whole interface cannot be restarted,
 *     so reset_all restarts every channel, one RESTART outstanding at a time.  libpri acknowledges a
 *     received RESTART itself.  SERVICE (B-channel maintenance) exists only for NI-2, DMS-100, 5ESS
 *     and 4ESS.
 *   - pri_hangup() in some states sends RELEASE COMPLETE and frees the call without an event: the
 *     write callback notices the RELEASE COMPLETE of the call being hung up.
 *   - an incoming call libpri has not seen answered is not "alive": pri_hangup() on it sends
 *     nothing (except with causes 1, 34, 44, 81, 82), and a RELEASE COMPLETE received for it frees
 *     it without an event.  So CALL PROCEEDING goes out as soon as the owner has seen the SETUP.
 *   - there is no function to free a struct pri: each span started leaks one (libpri limitation).
 *   - a maintenance message (protocol discriminator 0x03/0x43) with SERVICE off is sent back with its
 *     message type less 8: two libpri ends echo one for ever.  Such frames reach libpri with a
 *     discriminator it ignores (Q.931 5.8.1); with SERVICE on, a SERVICE for the whole interface
 *     comes as D-channel up/down and is ignored (no NFAS here: only Q.921 says the link state).
 *   - a received RELEASE, RELEASE COMPLETE, DISCONNECT or CONNECT ACKNOWLEDGE stops the call's
 *     timer (T305, T308, T313) before its IEs are checked; a garbled one is then discarded and the
 *     call waits for ever.  A call releasing longer than T305 + T308 twice is dropped, its owner
 *     told, its channel restarted (tdm_pri_release_timeout).
 *   - libpri frees calls without an event on several paths (RELEASE COMPLETE or STATUS in the null
 *     state for a call not "alive", some hangups): after every entry into libpri, a call libpri no
 *     longer holds (pri_get_crv fails) is cleared (tdm_pri_audit).
 *   - a STATUS is acted on only in the null state (the call is cleared); any other state mismatch
 *     is ignored (no clearing with cause 101 as Q.931 5.8.11 asks), and libpri sends no STATUS
 *     ENQUIRY of its own: an answered call whose far end vanished silently stays until its owner
 *     releases it (or the far end answers a STATUS ENQUIRY with the null state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libpri.h>

#include "map_q931.h"
#include "tdm_int.h"
#include "tdm_pri_reason.h"
#include "tdm_pri_uui.h"

#define TDM_PRI_FCS 2
#define TDM_PRI_RXQ 16			/* frames that arrive while libpri is busy (loopback in one process) */
#define TDM_PRI_UUI_TOKEN "gw-uui:%02d"	/* what libpri sends in place of the user-user octets */
#define TDM_PRI_UUI_TOKEN_LEN 9
#define TDM_PRI_RESTART_GUARD_MS 1000	/* beyond libpri's T316 retries */
#define TDM_PRI_LOGLINE 512

#define Q931_PD 0x08
#define Q931_PD_MAINT_ATT 0x03	/* maintenance (SERVICE), AT&T */
#define Q931_PD_MAINT_NAT 0x43	/* ... national */
#define Q931_PD_IGNORED 0x00	/* one libpri ignores (user-user information) */
#define Q931_MSG_RELEASE_COMPLETE 0x5A

/* Q.850 causes this module gives */
#define CAUSE_INVALID_NUMBER_FORMAT 28
#define CAUSE_NO_CIRCUIT 34
#define CAUSE_TEMPORARY_FAILURE 41
#define CAUSE_CHANNEL_UNAVAILABLE 44
#define CAUSE_CHANNEL_NOT_EXIST 82
#define CAUSE_RECOVERY_ON_TIMER 102

#define SERVICE_IN 0		/* SERVICE change status: in service */
#define SERVICE_OUT 2		/* out of service */

struct tdm_pri_frame {
	uint8_t data[SPAN_FRAME_MAX + TDM_PRI_FCS];
	size_t len;
};

struct tdm_pri {
	struct tdm_span *ts;
	struct pri *pri;
	const struct tdm_pri_switch *sw;
	int proto;			/* how diversion is sent: MAP_PROTO_Q931 (IE) or the facility's */
	struct ev_timer timer;		/* libpri's schedule */
	struct ev_timer restart_guard;	/* the outstanding RESTART */
	struct ev_timer release_guard;	/* the first of release_due */
	uint64_t release_due[TDM_CHANS_MAX];	/* by circuit: a releasing call is dropped then (us), 0 none */
	int dchan_up, alarmed;
	int await_peer;		/* alarm cleared with Q.921 still up: link up on the far end's next frame */
	int depth;			/* inside libpri or our event handling */
	const uint8_t *rx;		/* the frame pri_check_event is about to read */
	size_t rx_len;
	int rx_service;			/* ... it carries a maintenance message */
	uint8_t rxbuf[SPAN_FRAME_MAX];	/* ... when it had to be changed */
	struct tdm_pri_frame rxq[TDM_PRI_RXQ];
	unsigned int rxq_head, rxq_n;
	int restart_chan;		/* RESTART awaiting acknowledgement, 0 none */
	unsigned char restart_pending[TDM_CHANS_MAX];	/* by circuit index */
	unsigned char responded[TDM_CHANS_MAX];	/* incoming call: something sent back since SETUP */
	struct {
		uint8_t b[MAP_UUI_MAX];
		size_t len;
	} uui_tx[TDM_CHANS_MAX];	/* user-user octets of the SETUP on each circuit */
	uint8_t uui_rx[MAP_UUI_MAX];	/* ... of the SETUP being received */
	size_t uui_rx_len;
	uint8_t txbuf[SPAN_FRAME_MAX];
	q931_call *hangup_call;		/* pri_hangup in progress */
	int hangup_rc;			/* ... and it sent RELEASE COMPLETE (libpri freed the call) */
	char logline[TDM_PRI_LOGLINE];	/* libpri's line being written */
	size_t logline_n;
};

/*
 * switch types: libpri's; where diversion goes with facility on; SERVICE support; NOTIFY "call is
 * diverting" (libpri sends notification indicators above 2 only for EuroISDN, and a libpri peer
 * reports that NOTIFY only when it carries a redirection number, which forwarded() has not); bearer
 * law
 */
static const struct tdm_pri_switch {
	int pri_switch;
	int fac_proto;
	int service;
	int notify_diverting;
	int layer1;
} tdm_pri_switches[TDM_SWITCH_COUNT] = {
	[TDM_SWITCH_EUROISDN] = { PRI_SWITCH_EUROISDN_E1, MAP_PROTO_ETSI, 0, 1, PRI_LAYER_1_ALAW },
	[TDM_SWITCH_NI2] = { PRI_SWITCH_NI2, MAP_PROTO_Q931, 1, 0, PRI_LAYER_1_ULAW },
	[TDM_SWITCH_QSIG] = { PRI_SWITCH_QSIG, MAP_PROTO_QSIG, 0, 0, PRI_LAYER_1_ALAW },
	[TDM_SWITCH_DMS100] = { PRI_SWITCH_DMS100, MAP_PROTO_Q931, 1, 0, PRI_LAYER_1_ULAW },
	[TDM_SWITCH_LUCENT5E] = { PRI_SWITCH_LUCENT5E, MAP_PROTO_Q931, 1, 0, PRI_LAYER_1_ULAW },
	[TDM_SWITCH_ATT4ESS] = { PRI_SWITCH_ATT4ESS, MAP_PROTO_Q931, 1, 0, PRI_LAYER_1_ULAW },
};

static const int tdm_pri_timers[TDM_PRI_TIMER_COUNT] = {
	[TDM_PRI_T200] = PRI_TIMER_T200, [TDM_PRI_T203] = PRI_TIMER_T203, [TDM_PRI_T303] = PRI_TIMER_T303,
	[TDM_PRI_T305] = PRI_TIMER_T305, [TDM_PRI_T308] = PRI_TIMER_T308, [TDM_PRI_T309] = PRI_TIMER_T309,
	[TDM_PRI_T310] = PRI_TIMER_T310, [TDM_PRI_T313] = PRI_TIMER_T313, [TDM_PRI_T316] = PRI_TIMER_T316,
};

static void tdm_pri_feed(struct tdm_pri *ps, const uint8_t *frame, size_t len);
static void tdm_pri_audit(struct tdm_pri *ps);

/* ---- libpri's own messages ---- */

/* libpri writes a line in pieces, each span's pieces are gathered apart: "libpri a: ..." */
static void tdm_pri_log_text(struct pri *pri, int level, const char *s)
{
	struct tdm_pri *ps = pri ? pri_get_userdata(pri) : NULL;
	static char nospan[512];
	static size_t nospan_n;
	char *line = ps ? ps->logline : nospan;
	size_t *n = ps ? &ps->logline_n : &nospan_n;

	for (; *s; s++) {
		if (*s != '\n' && *n < TDM_PRI_LOGLINE - 1) {
			line[(*n)++] = *s;
			continue;
		}
		if (*s != '\n')
			continue;
		line[*n] = 0;
		if (*n)
			log_write(level, "pri", "libpri %s: %s", ps ? ps->ts->conf->name : "-", line);
		*n = 0;
	}
}

static void tdm_pri_message(struct pri *pri, char *s)
{
	tdm_pri_log_text(pri, LOG_LVL_DEBUG, s);
}

static void tdm_pri_error(struct pri *pri, char *s)
{
	tdm_pri_log_text(pri, LOG_LVL_INFO, s);
}

/* ---- entering and leaving: frames that arrive meanwhile wait, the schedule is re-armed ---- */

static void tdm_pri_enter(struct tdm_pri *ps)
{
	ps->depth++;
}

static void tdm_pri_arm(struct tdm_pri *ps)
{
	struct timeval *tv = pri_schedule_next(ps->pri), now;
	int64_t us;

	if (!tv) {
		ev_timer_stop(ps->ts->loop, &ps->timer);
		return;
	}
	gettimeofday(&now, NULL);
	us = (int64_t)(tv->tv_sec - now.tv_sec) * 1000000 + (tv->tv_usec - now.tv_usec);
	ev_timer_start_us(ps->ts->loop, &ps->timer, us > 0 ? (uint64_t)us : 0);
}

static void tdm_pri_leave(struct tdm_pri *ps)
{
	if (ps->depth > 1) {
		ps->depth--;
		return;
	}
	do {
		while (ps->rxq_n) {
			struct tdm_pri_frame *f = &ps->rxq[ps->rxq_head];

			ps->rxq_head = (ps->rxq_head + 1) % TDM_PRI_RXQ;
			ps->rxq_n--;
			tdm_pri_feed(ps, f->data, f->len);
		}
		tdm_pri_audit(ps);	/* the owner may have sent or received meanwhile */
	} while (ps->rxq_n);
	ps->depth--;
	tdm_pri_arm(ps);
}

/* ---- calls and circuits ---- */

static struct tdm_call *tdm_pri_call(struct tdm_pri *ps, const q931_call *qc)
{
	for (int i = 0; qc && i < ps->ts->ncirc; i++) {
		struct tdm_call *call = ps->ts->circ[i].call;

		if (call && call->sig == qc)
			return call;
	}
	return NULL;
}

static int tdm_pri_circ_index(const struct tdm_pri *ps, const struct tdm_circuit *c)
{
	return (int)(c - ps->ts->circ);
}

/* libpri's channel encoding -> B-channel number; -1 for "any" or "the whole interface" */
static int tdm_pri_chan(int channel)
{
	if (channel < 0 || (channel & 0xFF) == 0xFF)
		return -1;
	return channel & 0xFF;
}

/* the channel number Q.931 uses for circuit c: its timeslot in the span (DAHDI chanpos) */
static int tdm_pri_wire(const struct tdm_pri *ps, const struct tdm_circuit *c)
{
	return span_chan_pos(ps->ts->span, c->chan);
}

/* the circuit on Q.931 channel wire, or NULL */
static struct tdm_circuit *tdm_pri_by_wire(struct tdm_pri *ps, int wire)
{
	for (int i = 0; wire > 0 && i < ps->ts->ncirc; i++)
		if (tdm_pri_wire(ps, &ps->ts->circ[i]) == wire)
			return &ps->ts->circ[i];
	return NULL;
}

/* hang the stack's call up; 1 when libpri answered with RELEASE COMPLETE and freed the call */
static int tdm_pri_hangup(struct tdm_pri *ps, q931_call *qc, int cause)
{
	int rc;

	ps->hangup_call = qc;
	ps->hangup_rc = 0;
	pri_hangup(ps->pri, qc, cause);
	rc = ps->hangup_rc;
	ps->hangup_call = NULL;
	return rc;
}

/* the stack's call is no more (RESTART, link lost): free it in libpri, the owner hears cause */
static void tdm_pri_drop_call(struct tdm_pri *ps, struct tdm_circuit *c, int cause)
{
	struct tdm_call *call = c->call;

	if (!call)
		return;
	TDM_LOGC(LOG_LVL_INFO, c, "call dropped, cause %d", cause);
	if (call->sig)
		pri_destroycall(ps->pri, call->sig);
	call->sig = NULL;
	call->cause = cause;
	tdm_sig_call_gone(call);
}

/*
 * libpri frees a call without an event on several paths (a RELEASE COMPLETE or a STATUS in the
 * null state for a call it does not hold "alive", a RESTART, a hangup in some states): a call
 * libpri no longer knows is cleared here, after every entry into libpri
 */
static void tdm_pri_audit_stale(struct tdm_pri *ps, struct tdm_circuit *c)
{
	struct tdm_call *call = c->call;
	int mode;

	if (!call || !call->sig || pri_get_crv(ps->pri, call->sig, &mode) >= 0)
		return;
	TDM_LOGC(LOG_LVL_NOTICE, c, "libpri freed the call without an event: cleared");
	call->sig = NULL;
	tdm_sig_call_gone(call);
}

/* how long a call may stay releasing: T305 + T308 twice (DISCONNECT, RELEASE and its repetition) */
static uint64_t tdm_pri_release_limit_us(const struct tdm_pri *ps)
{
	int t305 = tdm_conf_pri_timer(ps->ts->conf, TDM_PRI_T305);
	int t308 = tdm_conf_pri_timer(ps->ts->conf, TDM_PRI_T308);

	return (uint64_t)(2 * ((t305 > 0 ? t305 : 0) + (t308 > 0 ? t308 : 0))) * 1000;
}

/* stale calls cleared; the guard armed on each releasing call, stopped on the others */
static void tdm_pri_audit(struct tdm_pri *ps)
{
	uint64_t now = ev_now_us(), next = 0;

	for (int i = 0; i < ps->ts->ncirc; i++) {
		struct tdm_circuit *c = &ps->ts->circ[i];

		tdm_pri_audit_stale(ps, c);
		if (!c->call || c->state != TDM_CS_RELEASING) {
			ps->release_due[i] = 0;
			continue;
		}
		if (!ps->release_due[i])
			ps->release_due[i] = now + tdm_pri_release_limit_us(ps);
		if (!next || ps->release_due[i] < next)
			next = ps->release_due[i];
	}
	if (next)
		ev_timer_start_us(ps->ts->loop, &ps->release_guard, next > now ? next - now : 0);
	else
		ev_timer_stop(ps->ts->loop, &ps->release_guard);
}

static void tdm_pri_restart_next(struct tdm_pri *ps);

/* a call releasing beyond what the timers allow: libpri lost it (e.g. a garbled RELEASE COMPLETE
 * stopped T308 and was then discarded): dropped, the owner told, the channel restarted */
static void tdm_pri_release_timeout(void *arg)
{
	struct tdm_pri *ps = arg;
	uint64_t now = ev_now_us();

	tdm_pri_enter(ps);
	for (int i = 0; i < ps->ts->ncirc; i++) {
		struct tdm_circuit *c = &ps->ts->circ[i];

		if (!ps->release_due[i] || ps->release_due[i] > now || !c->call || c->state != TDM_CS_RELEASING)
			continue;
		TDM_LOGC(LOG_LVL_WARN, c, "call still releasing after %llu ms (T305 + T308 twice): dropped, channel "
			 "restarted", (unsigned long long)tdm_pri_release_limit_us(ps) / 1000);
		ps->release_due[i] = 0;
		tdm_circuit_event(c, TDM_CE_RESET);
		tdm_pri_drop_call(ps, c, CAUSE_RECOVERY_ON_TIMER);
		ps->restart_pending[i] = 1;
	}
	tdm_pri_restart_next(ps);
	tdm_pri_leave(ps);
}

/* ---- I/O ---- */

static int tdm_pri_io_read(struct pri *pri, void *buf, int buflen)
{
	struct tdm_pri *ps = pri_get_userdata(pri);
	size_t len = ps->rx_len;

	if (!ps->rx || len + TDM_PRI_FCS > (size_t)buflen)
		return 0;
	memcpy(buf, ps->rx, len);
	memset((uint8_t *)buf + len, 0, TDM_PRI_FCS);	/* libpri drops the FCS unchecked */
	ps->rx = NULL;
	return (int)(len + TDM_PRI_FCS);
}

/* is this the RELEASE COMPLETE of the call being hung up? (I-frame, Q.931, message type) */
static int tdm_pri_is_release_complete(const uint8_t *f, size_t len)
{
	size_t crlen;

	if (len < 7 || (f[2] & 1) || f[4] != Q931_PD)
		return 0;
	crlen = f[5] & 0x0F;
	return len > 6 + crlen && f[6 + crlen] == Q931_MSG_RELEASE_COMPLETE;
}

/* a SETUP whose User-user IE is our placeholder: the frame with the circuit's octets instead */
static const uint8_t *tdm_pri_uui_put(struct tdm_pri *ps, const uint8_t *f, size_t *len)
{
	char token[TDM_PRI_UUI_TOKEN_LEN + 1];
	size_t off, n;
	int idx;

	if (tdm_pri_uui_find(f, *len, &off) != 1 + TDM_PRI_UUI_TOKEN_LEN)
		return f;
	memcpy(token, f + off + 3, TDM_PRI_UUI_TOKEN_LEN);
	token[TDM_PRI_UUI_TOKEN_LEN] = 0;
	if (sscanf(token, TDM_PRI_UUI_TOKEN, &idx) != 1 || idx < 0 || idx >= ps->ts->ncirc || !ps->uui_tx[idx].len)
		return f;
	n = tdm_pri_uui_replace(f, *len, off, ps->uui_tx[idx].b, ps->uui_tx[idx].len, ps->txbuf, sizeof(ps->txbuf));
	if (!n)
		return f;
	*len = n;
	return ps->txbuf;
}

static int tdm_pri_io_write(struct pri *pri, void *buf, int buflen)
{
	struct tdm_pri *ps = pri_get_userdata(pri);
	size_t len = buflen > TDM_PRI_FCS ? (size_t)buflen - TDM_PRI_FCS : 0;
	const uint8_t *f = tdm_pri_uui_put(ps, buf, &len);
	int r;

	if (ps->hangup_call && tdm_pri_is_release_complete(f, len))
		ps->hangup_rc = 1;
	r = span_send(ps->ts->span, f, len);
	if (r < 0)	/* a line in alarm loses frames; Q.921 recovers them */
		LOGD("pri", "span %s: frame of %zu octets not sent: %s", ps->ts->conf->name, len, strerror(-r));
	return buflen;
}

/* ---- link ---- */

static void tdm_pri_link_lost(struct tdm_pri *ps, const char *why)
{
	struct tdm_span *ts = ps->ts;

	LOGN("pri", "span %s: signalling link lost (%s)", ts->conf->name, why);
	for (int i = 0; i < ts->ncirc; i++)
		if (ts->circ[i].call && ts->circ[i].call->sig) {
			pri_destroycall(ps->pri, ts->circ[i].call->sig);
			ts->circ[i].call->sig = NULL;
		}
	ps->restart_chan = 0;	/* the circuits go idle: RESTARTs not yet acknowledged are forgotten */
	memset(ps->restart_pending, 0, sizeof(ps->restart_pending));
	ev_timer_stop(ts->loop, &ps->restart_guard);
	tdm_sig_link(ts, 0);
}

static void tdm_pri_alarm(void *arg, int alarmed)
{
	struct tdm_pri *ps = arg;

	if (ps->alarmed == alarmed)
		return;
	ps->alarmed = alarmed;
	tdm_pri_enter(ps);
	ps->await_peer = 0;
	if (alarmed) {
		tdm_pri_link_lost(ps, "line alarm");
	} else if (ps->dchan_up) {
		/* libpri may not have noticed the outage: the link is in service again only once the far
		 * end is heard (a retransmission, a T203 poll or its SABME) */
		ps->await_peer = 1;
		LOGI("pri", "span %s: line alarm cleared, waiting to hear the far end", ps->ts->conf->name);
	}
	tdm_pri_leave(ps);
}

/*
 * libpri reports a SERVICE for the whole interface (NFAS D-channel maintenance, which the gateway
 * does not run) as the D-channel going up or down: only Q.921 says that
 */
static int tdm_pri_service_dchan(const struct tdm_pri *ps, const char *what)
{
	if (ps->rx_service)
		LOGN("pri", "span %s: SERVICE for the interface (%s) ignored", ps->ts->conf->name, what);
	return ps->rx_service;
}

static void tdm_pri_ev_dchan_up(struct tdm_pri *ps, const pri_event *e)
{
	(void)e;
	if (tdm_pri_service_dchan(ps, "in service"))
		return;
	ps->dchan_up = 1;
	ps->await_peer = 0;
	LOGI("pri", "span %s: D-channel up (Q.921)", ps->ts->conf->name);
	if (!ps->alarmed)
		tdm_sig_link(ps->ts, 1);
}

static void tdm_pri_ev_dchan_down(struct tdm_pri *ps, const pri_event *e)
{
	(void)e;
	if (tdm_pri_service_dchan(ps, "out of service"))
		return;
	ps->dchan_up = 0;
	LOGI("pri", "span %s: D-channel down (Q.921)", ps->ts->conf->name);
	if (ps->ts->link_up)
		tdm_pri_link_lost(ps, "D-channel down");
}

/* ---- RESTART: one outstanding at a time, the rest queued by circuit ---- */

static void tdm_pri_restart_next(struct tdm_pri *ps)
{
	struct tdm_span *ts = ps->ts;
	int wait;

	if (ps->restart_chan)
		return;
	for (int i = 0; i < ts->ncirc; i++) {
		if (!ps->restart_pending[i])
			continue;
		ps->restart_pending[i] = 0;
		TDM_LOGC(LOG_LVL_INFO, &ts->circ[i], "RESTART sent");
		if (pri_reset(ps->pri, tdm_pri_wire(ps, &ts->circ[i]))) {
			TDM_LOGC(LOG_LVL_WARN, &ts->circ[i], "RESTART refused by libpri");
			continue;
		}
		ps->restart_chan = tdm_pri_wire(ps, &ts->circ[i]);
		wait = tdm_conf_pri_timer(ts->conf, TDM_PRI_T316);
		ev_timer_start(ts->loop, &ps->restart_guard, (uint64_t)(wait > 0 ? wait : 0) * 2 +
			       TDM_PRI_RESTART_GUARD_MS);
		return;
	}
}

/*
 * The far end never acknowledged (libpri gave up after T316 twice): the circuit stays out of service
 * (resetting) and the RESTART is queued again behind the others (Q.931 5.5.2 lets the restarting side
 * repeat it), so a lost acknowledgement does not take the channel away for good.
 */
static void tdm_pri_restart_timeout(void *arg)
{
	struct tdm_pri *ps = arg;
	struct tdm_circuit *c = tdm_pri_by_wire(ps, ps->restart_chan);

	tdm_pri_enter(ps);
	if (c) {
		TDM_LOGC(LOG_LVL_WARN, c, "RESTART not acknowledged: circuit out of service, RESTART again");
		ps->restart_pending[tdm_pri_circ_index(ps, c)] = 1;
	}
	ps->restart_chan = 0;
	tdm_pri_restart_next(ps);
	tdm_pri_leave(ps);
}

static int tdm_pri_reset(struct tdm_circuit *c)
{
	struct tdm_pri *ps = c->ts->sig;

	tdm_pri_enter(ps);
	tdm_circuit_event(c, TDM_CE_RESET);
	tdm_pri_drop_call(ps, c, CAUSE_TEMPORARY_FAILURE);
	ps->restart_pending[tdm_pri_circ_index(ps, c)] = 1;
	tdm_pri_restart_next(ps);
	tdm_pri_leave(ps);
	return 0;
}

static int tdm_pri_reset_all(struct tdm_span *ts)
{
	struct tdm_pri *ps = ts->sig;

	tdm_pri_enter(ps);
	for (int i = 0; i < ts->ncirc; i++) {
		tdm_circuit_event(&ts->circ[i], TDM_CE_RESET);
		tdm_pri_drop_call(ps, &ts->circ[i], CAUSE_TEMPORARY_FAILURE);
		ps->restart_pending[i] = 1;
	}
	tdm_pri_restart_next(ps);
	tdm_pri_leave(ps);
	return 0;
}

/* RESTART received (libpri has acknowledged it or will): the channel's call is gone */
static void tdm_pri_restart_circuit(struct tdm_pri *ps, struct tdm_circuit *c)
{
	TDM_LOGC(LOG_LVL_INFO, c, "RESTART received");
	tdm_circuit_event(c, TDM_CE_RESET);
	tdm_pri_drop_call(ps, c, CAUSE_TEMPORARY_FAILURE);
	tdm_circuit_event(c, TDM_CE_RESET_DONE);
}

static void tdm_pri_ev_restart(struct tdm_pri *ps, const pri_event *e)
{
	int chan = tdm_pri_chan(e->restart.channel);
	struct tdm_circuit *c;

	if (chan < 0) {
		for (int i = 0; i < ps->ts->ncirc; i++)
			tdm_pri_restart_circuit(ps, &ps->ts->circ[i]);
		return;
	}
	c = tdm_pri_by_wire(ps, chan);
	if (c)
		tdm_pri_restart_circuit(ps, c);
	else
		LOGW("pri", "span %s: RESTART of channel %d, not one of ours", ps->ts->conf->name, chan);
}

static void tdm_pri_ev_restart_ack(struct tdm_pri *ps, const pri_event *e)
{
	int chan = tdm_pri_chan(e->restartack.channel);
	struct tdm_circuit *c;

	if (chan < 0)	/* no channel named: it answers the one RESTART outstanding */
		chan = ps->restart_chan;
	c = tdm_pri_by_wire(ps, chan);
	if (c) {
		TDM_LOGC(LOG_LVL_INFO, c, "RESTART ACKNOWLEDGE received");
		if (c->state == TDM_CS_RESETTING)
			tdm_circuit_event(c, TDM_CE_RESET_DONE);
	}
	if (chan && chan == ps->restart_chan) {	/* an acknowledgement for another channel leaves it waiting */
		ps->restart_chan = 0;
		ev_timer_stop(ps->ts->loop, &ps->restart_guard);
		tdm_pri_restart_next(ps);
	}
}

/* ---- SERVICE (B-channel maintenance; NI-2, DMS-100, 5ESS, 4ESS) ---- */

static int tdm_pri_block(struct tdm_circuit *c, int block)
{
	struct tdm_pri *ps = c->ts->sig;
	int r;

	if (!ps->sw->service)
		return -ENOTSUP;
	tdm_pri_enter(ps);
	r = pri_maintenance_service(ps->pri, 0, tdm_pri_wire(ps, c), block ? SERVICE_OUT : SERVICE_IN);
	if (!r)
		tdm_circuit_set_blocked(c, TDM_BLOCK_LOCAL, block);
	tdm_pri_leave(ps);
	return r ? -EIO : 0;
}

static int tdm_pri_group_block(struct tdm_span *ts, int first, int last, int block)
{
	int r = 0;

	for (int i = 0; i < ts->ncirc && r == 0; i++)
		if (ts->circ[i].chan >= first && ts->circ[i].chan <= last)
			r = tdm_pri_block(&ts->circ[i], block);
	return r;
}

static void tdm_pri_ev_service(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_circuit *c = tdm_pri_by_wire(ps, tdm_pri_chan(e->service.channel));

	if (!c)
		return;
	TDM_LOGC(LOG_LVL_INFO, c, "SERVICE received, change status %d", e->service.changestatus);
	tdm_circuit_set_blocked(c, TDM_BLOCK_REMOTE, e->service.changestatus != SERVICE_IN);
}

static void tdm_pri_ev_service_ack(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_circuit *c = tdm_pri_by_wire(ps, tdm_pri_chan(e->service_ack.channel));

	if (c)
		TDM_LOGC(LOG_LVL_INFO, c, "SERVICE ACKNOWLEDGE received, change status %d",
			 e->service_ack.changestatus);
}

/* ---- progress of calls ---- */

static void tdm_pri_ev_progress_common(struct tdm_pri *ps, q931_call *qc, int type, int mask)
{
	struct tdm_call *call = tdm_pri_call(ps, qc);

	if (!call || !call->outgoing)
		return;
	TDM_LOGC(LOG_LVL_INFO, call->circ, "%s received%s", tdm_ev_name(type),
		 (mask & PRI_PROG_INBAND_AVAILABLE) ? ", in-band information" : "");
	tdm_sig_event(call, type, !!(mask & PRI_PROG_INBAND_AVAILABLE));
}

static void tdm_pri_ev_proceeding(struct tdm_pri *ps, const pri_event *e)
{
	tdm_pri_ev_progress_common(ps, e->proceeding.call, TDM_EV_PROCEEDING, e->proceeding.progressmask);
}

static void tdm_pri_ev_progress(struct tdm_pri *ps, const pri_event *e)
{
	tdm_pri_ev_progress_common(ps, e->proceeding.call, TDM_EV_PROGRESS, e->proceeding.progressmask);
}

static void tdm_pri_ev_ringing(struct tdm_pri *ps, const pri_event *e)
{
	tdm_pri_ev_progress_common(ps, e->ringing.call, TDM_EV_ALERTING, e->ringing.progressmask);
}

static void tdm_pri_ev_answer(struct tdm_pri *ps, const pri_event *e)
{
	tdm_pri_ev_progress_common(ps, e->answer.call, TDM_EV_ANSWER, e->answer.progressmask);
}

static void tdm_pri_ev_notify(struct tdm_pri *ps, const pri_event *e)
{
	if (e->notify.info == PRI_NOTIFY_CALL_DIVERTING)
		tdm_pri_ev_progress_common(ps, e->notify.call, TDM_EV_FORWARDED, 0);
}

/*
 * The call is being diverted: libpri reports a NOTIFY "call is diverting" carrying a redirection
 * number, and DivertingLegInformation1, as a FACILITY with the redirecting subcommand (a NOTIFY
 * without a number is not reported at all).
 */
static void tdm_pri_ev_facility(struct tdm_pri *ps, const pri_event *e)
{
	const struct pri_subcommands *sc = e->facility.subcmds;

	for (int i = 0; sc && i < sc->counter_subcmd && i < PRI_MAX_SUBCOMMANDS; i++)
		if (sc->subcmd[i].cmd == PRI_SUBCMD_REDIRECTING) {
			tdm_pri_ev_progress_common(ps, e->facility.call, TDM_EV_FORWARDED, 0);
			return;
		}
}

/* ---- clearing ---- */

/* DISCONNECT received: the owner hears it, RELEASE goes back at once */
static void tdm_pri_ev_hangup_req(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_call *call = tdm_pri_call(ps, e->hangup.call);

	if (call) {
		TDM_LOGC(LOG_LVL_INFO, call->circ, "DISCONNECT received, cause %d", e->hangup.cause);
		tdm_sig_released_by_far_end(call, e->hangup.cause);
	}
	if (tdm_pri_hangup(ps, e->hangup.call, e->hangup.cause) && call)
		tdm_sig_call_gone(call);
}

/* RELEASE or RELEASE COMPLETE received: libpri completes the clearing, the call is gone */
static void tdm_pri_ev_hangup(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_call *call = tdm_pri_call(ps, e->hangup.call);

	tdm_pri_hangup(ps, e->hangup.call, e->hangup.cause);
	if (!call)
		return;
	TDM_LOGC(LOG_LVL_INFO, call->circ, "RELEASE received, cause %d", e->hangup.cause);
	call->cause = e->hangup.cause;
	call->sig = NULL;
	tdm_sig_call_gone(call);
}

/* RELEASE COMPLETE after our RELEASE: libpri has freed its call */
static void tdm_pri_ev_hangup_ack(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_call *call = tdm_pri_call(ps, e->hangup.call);

	if (!call)
		return;
	TDM_LOGC(LOG_LVL_INFO, call->circ, "RELEASE COMPLETE received");
	call->sig = NULL;
	tdm_sig_call_gone(call);
}

static void tdm_pri_ev_config_err(struct tdm_pri *ps, const pri_event *e)
{
	LOGW("pri", "span %s: configuration error: %s", ps->ts->conf->name, e->err.err);
}

/* ---- numbers and the call model ---- */

static void tdm_pri_number_out(const struct map_q931_number *n, struct pri_party_number *o)
{
	memset(o, 0, sizeof(*o));
	if (!n->present)
		return;
	o->valid = 1;
	o->plan = ((n->ton & 7) << 4) | (n->npi & 0x0F);
	o->presentation = ((n->pres & 3) << 5) | (n->screen & 3);
	snprintf(o->str, sizeof(o->str), "%s", n->digits);
}

static void tdm_pri_number_in(const struct pri_party_number *n, struct map_q931_number *o)
{
	memset(o, 0, sizeof(*o));
	if (!n->valid || !n->str[0])
		return;
	o->present = 1;
	o->ton = (n->plan >> 4) & 7;
	o->npi = n->plan & 0x0F;
	o->pres = (n->presentation >> 5) & 3;
	o->screen = n->presentation & 3;
	snprintf(o->digits, sizeof(o->digits), "%.*s", MAP_DIGITS_MAX, n->str);
}

/* the diversion as libpri takes it; the reason per path (tdm_pri_reason.c) */
static void tdm_pri_redir_out(const struct tdm_pri *ps, const struct map_q931 *q, int counter,
			      struct pri_party_redirecting *r, struct map_diag *d)
{
	int lossy, code = ps->proto == MAP_PROTO_Q931 ? q->reason : q->div_reason;

	memset(r, 0, sizeof(*r));
	tdm_pri_number_out(&q->redirecting, &r->from.number);
	tdm_pri_number_out(&q->orig_called, &r->orig_called.number);
	r->count = ps->proto == MAP_PROTO_Q931 ? (counter > 0 ? counter : 1) : q->div_counter;
	r->reason = tdm_pri_reason_to_libpri(ps->proto, code, &lossy);
	if (lossy)
		map_diag_add(d, MAP_DIAG_LOSSY, "libpri cannot send diversion reason %d on this path: sent as %d", code,
			     ps->proto == MAP_PROTO_ETSI && code == 5 ? 4 : 0);
	r->orig_reason = r->reason;
	if (q->div_orig_reason >= 0)
		r->orig_reason = tdm_pri_reason_to_libpri(ps->proto, q->div_orig_reason, &lossy);
	if (ps->proto == MAP_PROTO_Q931 && counter > 1)
		map_diag_add(d, MAP_DIAG_LOSSY, "the Redirecting number IE has no counter (%d) and libpri sends no "
			     "Original called number IE: both not sent", counter);
	else if (q->orig_called.present && r->count < 2 && strcmp(q->orig_called.digits, q->redirecting.digits))
		map_diag_add(d, MAP_DIAG_LOSSY, "libpri sends the original called number only with a counter above 1");
}

/* the owner's user-user octets wait for the SETUP; libpri gets the placeholder naming the circuit */
static void tdm_pri_uui_out(struct tdm_pri *ps, const struct tdm_call *call, const struct tdm_setup *setup,
			    char *buf, size_t size)
{
	int idx = tdm_pri_circ_index(ps, call->circ);

	buf[0] = 0;
	ps->uui_tx[idx].len = 0;
	if (!setup->uui_len || setup->uui_len > MAP_UUI_MAX || !ps->ts->conf->uui)
		return;
	memcpy(ps->uui_tx[idx].b, setup->uui, setup->uui_len);
	ps->uui_tx[idx].len = setup->uui_len;
	snprintf(buf, size, TDM_PRI_UUI_TOKEN, idx);
}

static void tdm_pri_sr_fill(struct tdm_pri *ps, const struct tdm_call *call, const struct map_q931 *q,
			    const struct pri_party_redirecting *redir, const char *uui, struct pri_sr *sr)
{
	struct pri_party_id caller;
	char called[MAP_DIGITS_MAX + 1];

	pri_sr_set_channel(sr, tdm_pri_wire(ps, call->circ), 1, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, ps->sw->layer1);
	snprintf(called, sizeof(called), "%s", q->called.digits);
	pri_sr_set_called(sr, called, ((q->called.ton & 7) << 4) | (q->called.npi & 0x0F), 1);
	memset(&caller, 0, sizeof(caller));
	tdm_pri_number_out(&q->calling, &caller.number);
	if (caller.number.valid)
		pri_sr_set_caller_party(sr, &caller);
	if (q->redir_present && redir->from.number.valid)
		pri_sr_set_redirecting_parties(sr, redir);
	if (uui[0])
		pri_sr_set_useruser(sr, uui);
}

static int tdm_pri_place(struct tdm_call *call, const struct tdm_setup *setup)
{
	struct tdm_pri *ps = call->circ->ts->sig;
	struct pri_party_redirecting redir;
	struct map_q931 q;
	struct map_diag d;
	struct pri_sr *sr = NULL;
	q931_call *qc = NULL;
	char uui[TDM_PRI_UUI_TOKEN_LEN + 1];
	int r;

	map_diag_init(&d);
	memset(&redir, 0, sizeof(redir));
	r = map_q931_from_call(&setup->call, tdm_tables(call->tdm), ps->proto,
			       tdm_conf_switch_name(ps->ts->conf->switchtype), &q, &d);
	if (!r && !q.called.present)
		r = -EINVAL;
	if (!r && q.redir_present)
		tdm_pri_redir_out(ps, &q, setup->call.redir.counter, &redir, &d);
	tdm_log_diag(call->name, &d);
	if (r < 0)
		return r;
	tdm_pri_uui_out(ps, call, setup, uui, sizeof(uui));
	tdm_pri_enter(ps);
	sr = pri_sr_new();
	qc = pri_new_call(ps->pri);
	r = -ENOMEM;
	if (!sr || !qc)
		goto out;
	tdm_pri_sr_fill(ps, call, &q, &redir, uui, sr);
	r = -EIO;
	if (pri_setup(ps->pri, qc, sr))
		goto out;
	TDM_LOGC(LOG_LVL_INFO, call->circ, "SETUP sent to %s, redirecting %s reason %d count %d, %zu UUI octets",
		 q.called.digits, q.redir_present ? q.redirecting.digits : "-", q.redir_present ? redir.reason : -1,
		 q.redir_present ? redir.count : 0, ps->uui_tx[tdm_pri_circ_index(ps, call->circ)].len);
	call->sig = qc;
	qc = NULL;
	r = 0;
out:
	if (qc)
		pri_destroycall(ps->pri, qc);
	if (sr)
		pri_sr_free(sr);
	tdm_pri_leave(ps);
	return r;
}

/* ---- messages answering an incoming call ---- */

enum tdm_pri_resp_type {
	TDM_PRI_PROCEEDING = 0,
	TDM_PRI_PROGRESS,
	TDM_PRI_ALERTING,
	TDM_PRI_NOTIFY,
	TDM_PRI_CONNECT,
	TDM_PRI_RESP_COUNT
};

static const struct {
	const char *msg;
	int (*send)(struct pri *pri, q931_call *call, int channel, int arg);
} tdm_pri_resp[TDM_PRI_RESP_COUNT] = {
	[TDM_PRI_PROCEEDING] = { "CALL PROCEEDING", pri_proceeding },
	[TDM_PRI_PROGRESS] = { "PROGRESS", pri_progress },
	[TDM_PRI_ALERTING] = { "ALERTING", pri_acknowledge },
	[TDM_PRI_NOTIFY] = { "NOTIFY (call is diverting)", pri_notify },
	[TDM_PRI_CONNECT] = { "CONNECT", pri_answer },
};

static int tdm_pri_respond(struct tdm_call *call, int type, int arg)
{
	struct tdm_pri *ps = call->circ->ts->sig;
	int r;

	if (!call->sig)
		return -ENOTCONN;
	tdm_pri_enter(ps);
	r = tdm_pri_resp[type].send(ps->pri, call->sig, tdm_pri_wire(ps, call->circ), arg);
	if (!r)
		ps->responded[tdm_pri_circ_index(ps, call->circ)] = 1;
	TDM_LOGC(r ? LOG_LVL_WARN : LOG_LVL_INFO, call->circ, "%s %s", tdm_pri_resp[type].msg,
		 r ? "refused by libpri" : "sent");
	tdm_pri_leave(ps);
	return r ? -EIO : 0;
}

/* ---- incoming calls ---- */

static const struct pri_party_redirecting *tdm_pri_ring_redir(const pri_event *e)
{
	const struct pri_subcommands *sc = e->ring.subcmds;

	for (int i = 0; sc && i < sc->counter_subcmd && i < PRI_MAX_SUBCOMMANDS; i++)
		if (sc->subcmd[i].cmd == PRI_SUBCMD_REDIRECTING)
			return &sc->subcmd[i].u.redirecting;
	return NULL;
}

/* libpri's redirecting of a RING -> map_q931 (DivertingLegInformation2 or Redirecting number IE) */
static void tdm_pri_redir_in(const struct tdm_pri *ps, const struct pri_party_redirecting *r, struct map_q931 *q,
			     struct map_diag *d)
{
	int lossy, code, proto = r->to.number.valid ? ps->sw->fac_proto : MAP_PROTO_Q931;

	q->proto = proto;
	q->redir_present = 1;
	tdm_pri_number_in(&r->from.number, &q->redirecting);
	tdm_pri_number_in(&r->orig_called.number, &q->orig_called);
	code = tdm_pri_reason_from_libpri(proto, r->reason, &lossy);
	if (lossy)
		map_diag_add(d, MAP_DIAG_NOTE, "libpri redirecting reason %d read as code %d", r->reason, code);
	if (proto == MAP_PROTO_Q931) {
		q->reason = code;
		return;
	}
	q->div_reason = code;
	q->div_counter = r->count;
	if (proto == MAP_PROTO_QSIG && r->count > 1)
		q->div_orig_reason = tdm_pri_reason_from_libpri(proto, r->orig_reason, &lossy);
}

static int tdm_pri_setup_in(const struct tdm_pri *ps, const pri_event *e, const char *name, struct tdm_setup *setup)
{
	const struct pri_party_redirecting *r = tdm_pri_ring_redir(e);
	const struct tdm_span_conf *sc = ps->ts->conf;
	struct pri_party_number called = { .valid = 1, .plan = e->ring.calledplan };
	struct map_q931 q;
	struct map_diag d;
	int ret;

	memset(&q, 0, sizeof(q));
	q.proto = MAP_PROTO_Q931;
	q.div_orig_reason = -1;
	map_diag_init(&d);
	snprintf(called.str, sizeof(called.str), "%.*s", (int)sizeof(called.str) - 1, e->ring.callednum);
	tdm_pri_number_in(&called, &q.called);
	tdm_pri_number_in(&e->ring.calling.number, &q.calling);
	if (r)
		tdm_pri_redir_in(ps, r, &q, &d);
	if (ps->uui_rx_len && sc->uui) {	/* read from the frame: libpri keeps IA5 only */
		memcpy(q.uui, ps->uui_rx, ps->uui_rx_len);
		q.uui_len = ps->uui_rx_len;
	}
	memset(setup, 0, sizeof(*setup));
	ret = map_q931_to_call(&q, tdm_tables(ps->ts->tdm), tdm_conf_switch_name(sc->switchtype), sc->trusted,
			       &setup->call, &d);
	tdm_log_diag(name, &d);
	if (ret < 0)
		return ret;
	memcpy(setup->uui, q.uui, q.uui_len);
	setup->uui_len = q.uui_len;
	setup->screened = q.calling.present && (q.calling.screen == MAP_SCREEN_USER_PASSED ||
						q.calling.screen == MAP_SCREEN_NETWORK);
	setup->trusted = sc->trusted;
	return 0;
}

/* the circuit a SETUP asks for (exclusive), or a free one when it leaves the choice to us */
static struct tdm_circuit *tdm_pri_ring_circuit(struct tdm_pri *ps, const pri_event *e, int *cause)
{
	int chan = tdm_pri_chan(e->ring.channel);
	struct tdm_circuit *c;

	if (chan > 0) {
		c = tdm_pri_by_wire(ps, chan);
		*cause = c ? CAUSE_CHANNEL_UNAVAILABLE : CAUSE_CHANNEL_NOT_EXIST;
		return c && !c->blocked ? c : NULL;
	}
	*cause = CAUSE_NO_CIRCUIT;
	for (int i = 0; i < ps->ts->ncirc; i++) {
		c = &ps->ts->circ[i];
		if (c->state == TDM_CS_IDLE && !c->blocked && !c->call)
			return c;
	}
	return NULL;
}

/*
 * Call collision on an exclusive channel (Q.931 5.7): the network's call wins.  On the user side our
 * own SETUP on that channel is given up (the network clears it with cause 44); the network side
 * refuses the user's SETUP (tdm_sig_incoming finds the circuit busy).
 */
static void tdm_pri_collision(struct tdm_pri *ps, struct tdm_circuit *c)
{
	if (ps->ts->conf->pri_side != TDM_PRI_CPE || !c->call || !c->call->outgoing || c->state != TDM_CS_OUT_SETUP)
		return;
	TDM_LOGC(LOG_LVL_NOTICE, c, "call collision: the network's SETUP wins, ours is given up");
	tdm_pri_drop_call(ps, c, CAUSE_CHANNEL_UNAVAILABLE);
}

static void tdm_pri_ev_ring(struct tdm_pri *ps, const pri_event *e)
{
	struct tdm_setup setup;
	struct tdm_circuit *c;
	struct tdm_call *call;
	q931_call *qc = e->ring.call;
	char name[TDM_NAME_MAX + 16];
	int cause;

	c = tdm_pri_ring_circuit(ps, e, &cause);
	if (!c) {
		LOGN("pri", "span %s: SETUP for channel %d refused, cause %d", ps->ts->conf->name,
		     tdm_pri_chan(e->ring.channel), cause);
		tdm_pri_hangup(ps, qc, cause);
		return;
	}
	snprintf(name, sizeof(name), "%s ch %d", ps->ts->conf->name, c->chan);
	if (tdm_pri_setup_in(ps, e, name, &setup) < 0) {
		/* libpri sends nothing for cause 28 on a SETUP it has not answered (and keeps the call):
		 * CALL PROCEEDING first, so that the DISCONNECT carries the cause to the caller */
		TDM_LOGC(LOG_LVL_NOTICE, c, "SETUP refused: numbers not usable, cause %d", CAUSE_INVALID_NUMBER_FORMAT);
		pri_proceeding(ps->pri, qc, c->chan, 0);
		tdm_pri_hangup(ps, qc, CAUSE_INVALID_NUMBER_FORMAT);
		return;
	}
	TDM_LOGC(LOG_LVL_INFO, c, "SETUP received for %s from %s, redirecting %s reason %s count %d, %zu UUI octets",
		 setup.call.called.digits, setup.call.calling.present ? setup.call.calling.digits : "-",
		 setup.call.redir.present ? setup.call.redirecting.digits : "-",
		 setup.call.redir.present ? map_reason_name(setup.call.redir.reason) : "-",
		 setup.call.redir.present ? setup.call.redir.counter : 0, setup.uui_len);
	tdm_pri_collision(ps, c);
	ps->responded[tdm_pri_circ_index(ps, c)] = 0;
	if (tdm_sig_incoming(c, qc, &setup, &call) < 0) {
		tdm_pri_hangup(ps, qc, CAUSE_CHANNEL_UNAVAILABLE);
		return;
	}
	/* answered at once unless the owner did: libpri drops a RELEASE COMPLETE that meets an
	 * unanswered SETUP without telling us, and sends nothing for most causes on one */
	call = tdm_pri_call(ps, qc);
	if (call && !ps->responded[tdm_pri_circ_index(ps, c)])
		tdm_pri_respond(call, TDM_PRI_PROCEEDING, 0);
}

/* ---- answering and clearing, asked by the owner ---- */

/* CALL PROCEEDING went out when the SETUP arrived: nothing more to send */
static int tdm_pri_proceeding(struct tdm_call *call)
{
	const struct tdm_pri *ps = call->circ->ts->sig;

	if (ps->responded[tdm_pri_circ_index(ps, call->circ)])
		return 0;
	return tdm_pri_respond(call, TDM_PRI_PROCEEDING, 0);
}

static int tdm_pri_progress(struct tdm_call *call, int inband)
{
	return tdm_pri_respond(call, TDM_PRI_PROGRESS, inband);
}

static int tdm_pri_alert(struct tdm_call *call, int inband)
{
	return tdm_pri_respond(call, TDM_PRI_ALERTING, inband);
}

static int tdm_pri_forwarded(struct tdm_call *call)
{
	const struct tdm_pri *ps = call->circ->ts->sig;

	if (!ps->sw->notify_diverting)
		return -ENOTSUP;
	return tdm_pri_respond(call, TDM_PRI_NOTIFY, PRI_NOTIFY_CALL_DIVERTING);
}

static int tdm_pri_answer(struct tdm_call *call)
{
	return tdm_pri_respond(call, TDM_PRI_CONNECT, 0);
}

static int tdm_pri_release(struct tdm_call *call, int cause)
{
	struct tdm_pri *ps = call->circ->ts->sig;

	tdm_pri_enter(ps);
	/* libpri sends nothing for most causes until the call got a first answer */
	if (call->sig && !call->outgoing && !ps->responded[tdm_pri_circ_index(ps, call->circ)])
		tdm_pri_respond(call, TDM_PRI_PROCEEDING, 0);
	TDM_LOGC(LOG_LVL_INFO, call->circ, "clearing sent, cause %d", cause);
	if (!call->sig || tdm_pri_hangup(ps, call->sig, cause)) {
		call->sig = NULL;
		tdm_sig_call_gone(call);
	}
	tdm_pri_leave(ps);
	return 0;
}

/* ---- events from libpri ---- */

static const struct {
	const char *name;
	void (*fn)(struct tdm_pri *ps, const pri_event *e);
} tdm_pri_evh[] = {
	[PRI_EVENT_DCHAN_UP] = { "D-channel up", tdm_pri_ev_dchan_up },
	[PRI_EVENT_DCHAN_DOWN] = { "D-channel down", tdm_pri_ev_dchan_down },
	[PRI_EVENT_RESTART] = { "RESTART", tdm_pri_ev_restart },
	[PRI_EVENT_CONFIG_ERR] = { "configuration error", tdm_pri_ev_config_err },
	[PRI_EVENT_RING] = { "SETUP", tdm_pri_ev_ring },
	[PRI_EVENT_HANGUP] = { "RELEASE", tdm_pri_ev_hangup },
	[PRI_EVENT_RINGING] = { "ALERTING", tdm_pri_ev_ringing },
	[PRI_EVENT_ANSWER] = { "CONNECT", tdm_pri_ev_answer },
	[PRI_EVENT_HANGUP_ACK] = { "RELEASE COMPLETE", tdm_pri_ev_hangup_ack },
	[PRI_EVENT_RESTART_ACK] = { "RESTART ACKNOWLEDGE", tdm_pri_ev_restart_ack },
	[PRI_EVENT_FACILITY] = { "FACILITY", tdm_pri_ev_facility },
	[PRI_EVENT_PROCEEDING] = { "CALL PROCEEDING", tdm_pri_ev_proceeding },
	[PRI_EVENT_HANGUP_REQ] = { "DISCONNECT", tdm_pri_ev_hangup_req },
	[PRI_EVENT_NOTIFY] = { "NOTIFY", tdm_pri_ev_notify },
	[PRI_EVENT_PROGRESS] = { "PROGRESS", tdm_pri_ev_progress },
	[PRI_EVENT_SERVICE] = { "SERVICE", tdm_pri_ev_service },
	[PRI_EVENT_SERVICE_ACK] = { "SERVICE ACKNOWLEDGE", tdm_pri_ev_service_ack },
};

#define TDM_PRI_EVH_N ((int)(sizeof(tdm_pri_evh) / sizeof(tdm_pri_evh[0])))

static void tdm_pri_dispatch(struct tdm_pri *ps, const pri_event *e)
{
	pri_event ev = *e;	/* libpri reuses its event for the next one */

	if (ev.e < 0 || ev.e >= TDM_PRI_EVH_N || !tdm_pri_evh[ev.e].fn) {
		LOGD("pri", "span %s: %s ignored", ps->ts->conf->name, pri_event2str(ev.e));
		return;
	}
	LOGD("pri", "span %s: %s", ps->ts->conf->name, tdm_pri_evh[ev.e].name);
	tdm_pri_evh[ev.e].fn(ps, &ev);
}

/* the offset of the layer 3 protocol discriminator in an I or UI frame; 0 in other frames */
static size_t tdm_pri_l3_offset(const uint8_t *f, size_t len)
{
	size_t off;

	if (len < 3)
		return 0;
	off = !(f[2] & 1) ? 4 : (f[2] & 0xEF) == 0x03 ? 3 : 0;
	return off < len ? off : 0;
}

/*
 * Maintenance messages (SERVICE) on a switch type without them: libpri 1.6 sends each one back with
 * its message type less 8 (a kludge for AT&T switches), so that two libpri ends echo one message
 * for ever and the echoes crowd the calls' messages out of Q.921's window.  Q.931 5.8.1 ignores a
 * message with an unexpected protocol discriminator: libpri gets the frame (Q.921 numbers it) with
 * a discriminator it ignores.
 */
static const uint8_t *tdm_pri_l3_filter(struct tdm_pri *ps, const uint8_t *f, size_t len)
{
	size_t off = tdm_pri_l3_offset(f, len);

	ps->rx_service = off && (f[off] == Q931_PD_MAINT_ATT || f[off] == Q931_PD_MAINT_NAT);
	if (!ps->rx_service || ps->sw->service)
		return f;
	LOGI("pri", "span %s: maintenance message ignored (not on %s)", ps->ts->conf->name,
	     tdm_conf_switch_name(ps->ts->conf->switchtype));
	memcpy(ps->rxbuf, f, len);
	ps->rxbuf[off] = Q931_PD_IGNORED;
	return ps->rxbuf;
}

static void tdm_pri_feed(struct tdm_pri *ps, const uint8_t *frame, size_t len)
{
	pri_event *e;
	size_t off = 0;
	int n = tdm_pri_uui_find(frame, len, &off);

	if (ps->await_peer && ps->dchan_up && !ps->alarmed) {	/* called entered: owner events are safe */
		ps->await_peer = 0;
		LOGI("pri", "span %s: far end heard again", ps->ts->conf->name);
		tdm_sig_link(ps->ts, 1);
	}
	ps->uui_rx_len = n > 0 ? ((size_t)n < MAP_UUI_MAX ? (size_t)n : MAP_UUI_MAX) : 0;
	memcpy(ps->uui_rx, frame + off + 2, ps->uui_rx_len);
	ps->rx = tdm_pri_l3_filter(ps, frame, len);
	ps->rx_len = len;
	e = pri_check_event(ps->pri);
	ps->rx = NULL;
	if (e)
		tdm_pri_dispatch(ps, e);
	ps->rx_service = 0;
}

static void tdm_pri_rx(void *arg, const uint8_t *frame, size_t len)
{
	struct tdm_pri *ps = arg;
	struct tdm_pri_frame *f;

	if (len > SPAN_FRAME_MAX)
		return;
	if (!ps->depth) {
		tdm_pri_enter(ps);
		tdm_pri_feed(ps, frame, len);
		tdm_pri_leave(ps);
		return;
	}
	if (ps->rxq_n == TDM_PRI_RXQ) {
		LOGW("pri", "span %s: receive queue full, frame dropped", ps->ts->conf->name);
		return;
	}
	f = &ps->rxq[(ps->rxq_head + ps->rxq_n++) % TDM_PRI_RXQ];
	memcpy(f->data, frame, len);
	f->len = len;
}

static void tdm_pri_timer_cb(void *arg)
{
	struct tdm_pri *ps = arg;
	pri_event *e;

	tdm_pri_enter(ps);
	while ((e = pri_schedule_run(ps->pri)))
		tdm_pri_dispatch(ps, e);
	tdm_pri_leave(ps);
}

/* ---- start and stop ---- */

static const struct span_cbs tdm_pri_span_cbs = { .rx = tdm_pri_rx, .alarm = tdm_pri_alarm };
static const struct span_cbs tdm_pri_no_cbs;

static void tdm_pri_configure(struct tdm_pri *ps)
{
	const struct tdm_span_conf *sc = ps->ts->conf;

	/* only where diversion travels as a facility: libpri would otherwise add APDUs of its own to the
	 * SETUP (NI-2 calling name, a DMS-100 transfer-ability invoke that tshark cannot even decode) */
	if (sc->facility && ps->sw->fac_proto != MAP_PROTO_Q931)
		pri_facility_enable(ps->pri);
	if (ps->sw->service)
		pri_set_service_message_support(ps->pri, 1);
	for (int t = 0; t < TDM_PRI_TIMER_COUNT; t++) {
		int ms = tdm_conf_pri_timer(sc, t);

		if (ms > 0 && pri_set_timer(ps->pri, tdm_pri_timers[t], ms))
			LOGW("pri", "span %s: libpri refused timer %s = %d ms", sc->name, tdm_conf_pri_timer_name(t),
			     ms);
	}
	pri_set_debug(ps->pri, log_level() >= LOG_LVL_DEBUG ? PRI_DEBUG_Q931_STATE | PRI_DEBUG_Q921_STATE : 0);
}

static int tdm_pri_start(struct tdm_span *ts, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = ts->conf;
	struct tdm_pri *ps;

	if (sc->switchtype < 0 || sc->switchtype >= TDM_SWITCH_COUNT || !tdm_pri_switches[sc->switchtype].pri_switch) {
		snprintf(err, errlen, "span %s: switch type %d not supported", sc->name, sc->switchtype);
		return -EINVAL;
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->ts = ts;
	ps->sw = &tdm_pri_switches[sc->switchtype];
	ps->proto = sc->facility ? ps->sw->fac_proto : MAP_PROTO_Q931;
	ps->alarmed = span_alarmed(ts->span);
	ev_timer_init(&ps->timer, tdm_pri_timer_cb, ps);
	ev_timer_init(&ps->restart_guard, tdm_pri_restart_timeout, ps);
	ev_timer_init(&ps->release_guard, tdm_pri_release_timeout, ps);
	pri_set_message(tdm_pri_message);
	pri_set_error(tdm_pri_error);
	ts->sig = ps;
	span_set_cbs(ts->span, &tdm_pri_span_cbs, ps);
	tdm_pri_enter(ps);
	ps->pri = pri_new_cb(-1, sc->pri_side == TDM_PRI_NET ? PRI_NETWORK : PRI_CPE, ps->sw->pri_switch,
			     tdm_pri_io_read, tdm_pri_io_write, ps);
	if (!ps->pri) {
		span_set_cbs(ts->span, &tdm_pri_no_cbs, NULL);
		ts->sig = NULL;
		free(ps);
		snprintf(err, errlen, "span %s: libpri could not start", sc->name);
		return -ENOMEM;
	}
	tdm_pri_configure(ps);
	tdm_pri_leave(ps);
	LOGI("pri", "span %s: %s %s side, diversion in %s", sc->name, tdm_conf_switch_name(sc->switchtype),
	     sc->pri_side == TDM_PRI_NET ? "network" : "user",
	     ps->proto == MAP_PROTO_Q931 ? "the Redirecting number IE" : "DivertingLegInformation2");
	return 0;
}

/* call records libpri still holds (its dump is the only way to count them); -1 if unknown */
static int tdm_pri_calls_held(struct tdm_pri *ps)
{
	char *dump = pri_dump_info_str(ps->pri), *p = dump ? strstr(dump, "Total active-calls:") : NULL;
	int n = -1;

	if (p && sscanf(p, "Total active-calls:%d", &n) != 1)
		n = -1;
	free(dump);
	return n;
}

static void tdm_pri_stop(struct tdm_span *ts)
{
	struct tdm_pri *ps = ts->sig;
	int held;

	if (!ps)
		return;
	span_set_cbs(ts->span, &tdm_pri_no_cbs, NULL);
	ev_timer_stop(ts->loop, &ps->timer);
	ev_timer_stop(ts->loop, &ps->restart_guard);
	ev_timer_stop(ts->loop, &ps->release_guard);
	for (int i = 0; i < ts->ncirc; i++)
		if (ts->circ[i].call && ts->circ[i].call->sig) {
			pri_destroycall(ps->pri, ts->circ[i].call->sig);
			ts->circ[i].call->sig = NULL;
		}
	held = tdm_pri_calls_held(ps);
	if (held > 0)
		LOGW("pri", "span %s: libpri still holds %d call records at stop", ts->conf->name, held);
	/* libpri 1.6 has no function to free ps->pri (about 20 KB per span started) */
	ts->sig = NULL;
	free(ps);
}

const struct tdm_sig_ops tdm_pri_ops = {
	.name = "pri",
	.start = tdm_pri_start,
	.stop = tdm_pri_stop,
	.place = tdm_pri_place,
	.proceeding = tdm_pri_proceeding,
	.progress = tdm_pri_progress,
	.alert = tdm_pri_alert,
	.forwarded = tdm_pri_forwarded,
	.answer = tdm_pri_answer,
	.release = tdm_pri_release,
	.block = tdm_pri_block,
	.reset = tdm_pri_reset,
	.group_block = tdm_pri_group_block,
	.reset_all = tdm_pri_reset_all,
};
