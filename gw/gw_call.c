/*
 * gw_call.c - calls: a SIP leg and a TDM leg joined through the mapping.
 *
 * SIP -> TDM: the INVITE is mapped (map_sip_to_call: RFC 4458 target/cause, Diversion, History-Info,
 * privacy, UM headers under the transport and trust rules), routed to a span group and placed
 * (tdm_call_place) with the user-to-user convention.  TDM -> SIP: the IAM/SETUP's call model is routed
 * to a SIP peer and mapped (map_call_to_sip) into an INVITE.  Each event of one leg is translated
 * into a request to the other in a table-free but one-function-per-event style; failures before answer
 * may advance the route (never for a no-diversion call), and 3xx responses are followed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "gw_call.h"
#include "gw_media.h"
#include "gw_route.h"
#include "gw_sdp.h"
#include "log.h"
#include "map_diag.h"
#include "map_q850.h"
#include "map_sip.h"
#include "map_uui.h"
#include "sdes.h"

#define CALL_REASON_MAX 96

enum call_dir {
	CALL_SIP_TO_TDM = 0,
	CALL_TDM_TO_SIP,
};

struct gw_call {
	struct gw *gw;
	struct gw_call *next;
	unsigned long id;
	int dir;			/* enum call_dir */
	int state;			/* enum gw_call_state */
	struct sip_leg *sip;		/* NULL once gone */
	struct tdm_call *tdm;		/* NULL once gone */
	const struct gw_route_conf *route;
	int attempt;			/* 1-based alternate of route in use */
	int redirects;			/* 3xx followed */
	struct tdm_setup setup;		/* the call model (and UUI) as it is placed or was received */
	const struct gw_peer_conf *peer;	/* SIP side: where it came from / where it goes */
	struct gw_peer_conf redirect_peer;	/* a 3xx target that is no configured peer */
	char request_uri[MAP_SIP_HDR_MAX];	/* TDM -> SIP: the INVITE's, for 3xx */
	char offer[GW_SDP_MAX];		/* SIP -> TDM: the caller's SDP offer */
	struct gw_media *media;		/* RTP <-> the B-channel; NULL until the SIP side has SDP */
	char name[24];			/* "call 7", the media's log prefix */
	int early_sent;			/* SIP -> TDM: 18x with SDP already sent */
	int inband;			/* SIP -> TDM: the TDM side said in-band information is available */
	/* SRTP with SDES (RFC 4568): our a=crypto value (offered or answered; "" = plain RTP), the far end's
	 * (once known), and whether our offer was RTP/SAVP (srtp = required) */
	char key_local[SDES_VALUE_MAX];
	char key_remote[GW_SDP_CRYPTO_LEN];
	int offer_savp;
	struct ev_timer no_answer;
	uint64_t start_us;
};

static const char *const state_names[GW_CALL_STATE_COUNT] = {
	"routing", "setup", "early", "answered", "releasing",
};

const char *gw_call_state_name(int state)
{
	return state >= 0 && state < GW_CALL_STATE_COUNT ? state_names[state] : "?";
}

#define CLOG(lvl, c, fmt, ...) \
	log_write(lvl, "call", "call %lu %s [%s]: " fmt, (c)->id, (c)->dir == CALL_SIP_TO_TDM ? "sip->tdm" : \
		  "tdm->sip", state_names[(c)->state], ##__VA_ARGS__)

static void call_log_diag(struct gw_call *c, const struct map_diag *d)
{
	int i;

	for (i = 0; i < d->count; i++)
		CLOG(d->line[i].level == MAP_DIAG_ERROR ? LOG_LVL_WARN : LOG_LVL_INFO, c, "map: %s%s",
		     d->line[i].level == MAP_DIAG_LOSSY ? "lossy: " : "", d->line[i].text);
}

/* ---- life ---- */

/* [gw] max-calls: the new call (already counted) is one too many */
static int call_too_many(const struct gw *gw)
{
	return gw->ncalls > (size_t)(gw->conf.gw.max_calls > 0 ? gw->conf.gw.max_calls : 1024);
}

/* the no-answer time of the call's route, else [gw] no-answer; 0 = none */
static int call_no_answer_ms(const struct gw_call *c)
{
	return c->route && c->route->no_answer_ms > 0 ? c->route->no_answer_ms : c->gw->conf.gw.no_answer_ms;
}

static void call_no_answer(void *arg);
static void call_tdm_to_sip_failed(struct gw_call *c, int code, int cause);
static int call_place_sip(struct gw_call *c);

static struct gw_call *call_new(struct gw *gw, int dir)
{
	struct gw_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->gw = gw;
	c->id = ++gw->next_call_id;
	c->dir = dir;
	snprintf(c->name, sizeof(c->name), "call %lu", c->id);
	c->start_us = ev_now_us();
	ev_timer_init(&c->no_answer, call_no_answer, c);
	c->next = gw->calls;
	gw->calls = c;
	gw->ncalls++;
	return c;
}

static void call_free(struct gw_call *c)
{
	struct gw *gw = c->gw;
	struct gw_call **pp;

	for (pp = &gw->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ev_timer_stop(gw->loop, &c->no_answer);
	if (c->media)
		gw_media_free(c->media);
	gw->ncalls--;
	free(c);
}

/* free the call once neither leg is left */
static void call_maybe_free(struct gw_call *c)
{
	if (c->sip || c->tdm)
		return;
	CLOG(LOG_LVL_INFO, c, "ended after %llu ms", (unsigned long long)((ev_now_us() - c->start_us) / 1000));
	call_free(c);
}

static void call_set_state(struct gw_call *c, int state)
{
	if (c->state == state)
		return;
	CLOG(LOG_LVL_DEBUG, c, "-> %s", state_names[state]);
	c->state = state;
	if (state == GW_CALL_ANSWERED || state == GW_CALL_RELEASING)
		ev_timer_stop(c->gw->loop, &c->no_answer);
	if (state == GW_CALL_ANSWERED && c->media)
		gw_media_answered(c->media);
}

static void call_reason_q850(int cause, char *buf, size_t len)
{
	snprintf(buf, len, "Q.850;cause=%d", cause);
}

static void call_sdp_local(struct gw_call *c, struct gw_sdp_local *l)
{
	const struct gw_sip_conf *s = &c->gw->conf.sip;

	memset(l, 0, sizeof(*l));
	l->ptime = s->ptime_ms;
	l->ip = s->rtp_ip[0] ? s->rtp_ip : s->host[0] ? s->host : "127.0.0.1";
	l->port = c->media ? gw_media_port(c->media) : 0;
	l->sess_id = c->id;
	l->sess_ver = 1;
	l->crypto = c->key_local[0] ? c->key_local : NULL;
	l->savp = c->offer_savp;
}

/* ---- SRTP: SDES keys only on TLS legs, per the peer's srtp policy ---- */

_Static_assert((int)GW_SRTP_OFF == (int)GW_SDP_SRTP_OFF && (int)GW_SRTP_OPTIONAL == (int)GW_SDP_SRTP_OPTIONAL &&
	       (int)GW_SRTP_REQUIRED == (int)GW_SDP_SRTP_REQUIRED, "gw_sdp's srtp policy values are gw_conf's");

/* the policy of the SIP leg: the peer's, or for a TLS client that is no configured peer the TLS default */
static int call_srtp_policy(const struct gw_call *c, int tls)
{
	if (c->peer)
		return c->peer->srtp;
	return tls ? GW_SRTP_OPTIONAL : GW_SRTP_OFF;
}

static void call_srtp_clear(struct gw_call *c)
{
	memset(c->key_local, 0, sizeof(c->key_local));
	memset(c->key_remote, 0, sizeof(c->key_remote));
	c->offer_savp = 0;
	if (c->sip)
		sip_leg_set_key(c->sip, NULL);
}

/* our key for the SIP leg's session: suite and tag of the far end's line (answers) or ours (offers) */
static int call_srtp_key(struct gw_call *c, int suite, int tag)
{
	int ret = gw_media_new_key(suite, tag, c->key_local, sizeof(c->key_local));

	if (ret < 0) {
		c->key_local[0] = '\0';
		CLOG(LOG_LVL_ERROR, c, "no SRTP key: %s", strerror(-ret));
	}
	return ret;
}

/* an offer of ours on a leg (tls: its transport is TLS; policy: enum gw_srtp): SRTP keys over TLS unless
 * srtp = off; RTP/SAVP with srtp = required, else RTP/AVP with a=crypto (SRTP at best effort, plain RTP
 * if the answer has no key) */
static int call_srtp_offer(struct gw_call *c, int tls, int policy)
{
	call_srtp_clear(c);
	if (!tls || policy == GW_SRTP_OFF)
		return 0;
	c->offer_savp = policy == GW_SRTP_REQUIRED;
	return call_srtp_key(c, SDES_AES_CM_128_HMAC_SHA1_80, 1);
}

/* the far end's offer (INVITE): 0 (c->key_local/key_remote set for SRTP), or -EPERM with *why: 488 */
static int call_srtp_answer(struct gw_call *c, const struct gw_sdp *offer, int tls, const char **why)
{
	struct sdes_key theirs;
	char red[SDES_VALUE_MAX];
	int line, sec = gw_sdp_sec_answer(offer, tls, call_srtp_policy(c, tls), &line, why);

	call_srtp_clear(c);
	if (sec == GW_SDP_SEC_REFUSE)
		return -EPERM;
	if (sec == GW_SDP_SEC_RTP) {
		if (offer->ncrypto)
			CLOG(LOG_LVL_NOTICE, c, "SDP offer: its SDES keys are ignored (%s): plain RTP",
			     tls ? "srtp = off" : "not a TLS leg: keys sent in clear are not used");
		return 0;
	}
	sdes_parse(offer->crypto[line], &theirs);
	if (call_srtp_key(c, theirs.suite, theirs.tag) < 0) {
		*why = "no SRTP key";
		return -EPERM;
	}
	snprintf(c->key_remote, sizeof(c->key_remote), "%s", offer->crypto[line]);
	sdes_redact(offer->crypto[line], red, sizeof(red));
	CLOG(LOG_LVL_INFO, c, "SDP offer: SRTP with the far end's key %s (%s), ours of the same suite and tag", red,
	     offer->savp ? "RTP/SAVP" : "RTP/AVP at best effort");
	return 0;
}

/* the answer to our offer: 0 (SRTP keys set, or plain RTP after a best-effort offer), -EPERM (we need SRTP
 * and the answer has none of our tag and suite) */
static int call_srtp_answered(struct gw_call *c, const struct gw_sdp *answer)
{
	struct sdes_key ours, theirs;
	int i;

	if (!c->key_local[0] || sdes_parse(c->key_local, &ours) < 0)
		return 0;
	i = gw_sdp_crypto_pick(answer, ours.tag, -1, &theirs);
	if (i >= 0 && theirs.suite == ours.suite) {
		snprintf(c->key_remote, sizeof(c->key_remote), "%s", answer->crypto[i]);
		return 0;
	}
	if (c->offer_savp)
		return -EPERM;
	CLOG(LOG_LVL_INFO, c, "SDP answer without a key for our best-effort SRTP offer: plain RTP");
	call_srtp_clear(c);
	return 0;
}

/* ---- media: the RTP session and the B-channel ---- */

static void call_media_timeout(void *arg, unsigned long silent_ms);

static void call_media_digit(void *arg, char digit, int ms, int to_tdm)
{
	struct gw_call *c = arg;

	CLOG(LOG_LVL_INFO, c, "DTMF %c (%d ms) %s", digit, ms, to_tdm ? "SIP -> TDM" : "TDM -> SIP");
}

/* the RTP session of the call (its local port goes into our SDP); 0 or -errno */
static int call_media_new(struct gw_call *c)
{
	const struct gw_sip_conf *s = &c->gw->conf.sip;
	static const struct gw_media_cbs cbs = { .timeout = call_media_timeout, .digit = call_media_digit };
	struct gw_media_opts o = {
		.ip = s->rtp_ip[0] ? s->rtp_ip : s->host[0] ? s->host : "127.0.0.1",
		.port_min = s->rtp_port, .port_max = s->rtp_port_max, .ptime_ms = s->ptime_ms,
		.jitter_min_ms = s->jitter_min_ms, .jitter_max_ms = s->jitter_max_ms,
		.timeout_ms = s->media_timeout_ms, .name = c->name,
	};
	int ret;

	if (c->media)
		return 0;
	ret = gw_media_new(c->gw->loop, &c->gw->rtp_cursor, &o, &cbs, c, &c->media);
	if (ret < 0)
		CLOG(LOG_LVL_WARN, c, "no RTP port pair in %d-%d on %s: %s", o.port_min, o.port_max, o.ip,
		     strerror(-ret));
	return ret;
}

/* the TDM leg's B-channel joins the media (a TDM leg was placed or arrived) */
static void call_media_bearer(struct gw_call *c)
{
	int fd;

	if (!c->media || !c->tdm)
		return;
	fd = tdm_call_bearer_open(c->tdm);
	if (fd < 0) {
		CLOG(LOG_LVL_WARN, c, "%s: no B-channel audio: %s", tdm_call_name(c->tdm), strerror(-fd));
		return;
	}
	gw_media_set_bearer(c->media, fd, tdm_call_law(c->tdm), tdm_call_bearer_clocked(c->tdm));
}

/* the TDM leg is over for this call: the media lets go of its B-channel first */
static void call_tdm_forget(struct gw_call *c)
{
	if (c->media && c->tdm)
		gw_media_set_bearer(c->media, -1, 0, 0);
	c->tdm = NULL;
}

/* release the TDM leg (if any) with cause, the media letting go of the B-channel first */
static void call_tdm_drop(struct gw_call *c, int cause)
{
	struct tdm_call *t = c->tdm;

	if (!t)
		return;
	call_tdm_forget(c);
	tdm_call_release(t, cause);
}

/* an answered or answering call ends from inside: the TDM leg released and the SIP leg sent BYE, both with
 * cause (Reason: Q.850); the caller frees the call (call_maybe_free) */
static void call_release_both(struct gw_call *c, int cause)
{
	char reason[CALL_REASON_MAX];

	call_set_state(c, GW_CALL_RELEASING);
	call_tdm_drop(c, cause);
	if (c->sip) {
		call_reason_q850(cause, reason, sizeof(reason));
		sip_leg_bye(c->sip, reason);
		c->sip = NULL;
	}
}

/* the far end's session from its SDP (offer or answer) and the codec chosen */
static void call_media_remote(struct gw_call *c, const struct gw_sdp *sdp, int codec)
{
	struct gw_media_remote r = { .port = sdp->port, .codec = codec, .te_pt = sdp->te_pt };
	int ret;

	if (!c->media)
		return;
	snprintf(r.ip, sizeof(r.ip), "%s", sdp->ip);
	r.pt = gw_sdp_pt(sdp, codec);
	/* the far end's direction attribute, seen from our side */
	r.send = sdp->dir == GW_SDP_SENDRECV || sdp->dir == GW_SDP_RECVONLY;
	r.recv = sdp->dir == GW_SDP_SENDRECV || sdp->dir == GW_SDP_SENDONLY;
	r.dtmf = c->peer ? c->peer->dtmf : GW_DTMF_RFC4733;
	if (c->key_local[0] && c->key_remote[0]) {
		r.key_local = c->key_local;
		r.key_remote = c->key_remote;
	}
	ret = gw_media_set_remote(c->media, &r);
	if (!ret && r.key_local && c->sip)
		sip_leg_set_key(c->sip, c->key_local);	/* re-INVITEs are answered with it */
	if (ret < 0)
		CLOG(LOG_LVL_WARN, c, "media toward %s:%d not set: %s", r.ip, r.port, strerror(-ret));
}

/* the SIP side's SDP answer (18x or 2xx of our INVITE): 0, -EPERM (no SRTP where srtp = required) */
static int call_media_answer(struct gw_call *c, const char *body)
{
	struct gw_sdp sdp;
	char err[128] = "";
	int codec;

	if (!body[0])
		return 0;
	if (gw_sdp_parse(body, strlen(body), &sdp, err, sizeof(err)) < 0 ||
	    gw_sdp_check_answer(&sdp, c->offer_savp, &codec) < 0) {
		CLOG(LOG_LVL_WARN, c, "SDP answer not usable (%s): no media", err[0] ? err :
		     c->offer_savp && !sdp.savp ? "RTP/AVP to our RTP/SAVP offer" : "no G.711, or another profile");
		return c->offer_savp ? -EPERM : 0;
	}
	if (call_srtp_answered(c, &sdp) < 0) {
		CLOG(LOG_LVL_WARN, c, "SDP answer without an SDES key of our tag and suite: no SRTP, no media");
		return -EPERM;
	}
	call_media_remote(c, &sdp, codec);
	return 0;
}

/* ---- the SIP leg of a SIP -> TDM call: answering it ---- */

static int call_sip_answer_sdp(struct gw_call *c, char *buf, size_t len)
{
	struct gw_sdp offer;
	struct gw_sdp_local l;
	char err[128];
	int chosen, ret;

	call_sdp_local(c, &l);
	if (!c->offer[0])
		return gw_sdp_offer(&l, buf, len);
	if (gw_sdp_parse(c->offer, strlen(c->offer), &offer, err, sizeof(err)) < 0)
		return -EINVAL;
	ret = gw_sdp_answer(&offer, &l, buf, len, &chosen);
	if (ret > 0)
		call_media_remote(c, &offer, chosen);
	return ret;
}

/* a response on the incoming SIP leg: Reason for a Q.850 cause, Retry-After on 503, SDP on 18x/200,
 * a Warning saying why a request was refused */
static void call_sip_respond_warn(struct gw_call *c, int code, int cause, const char *warning)
{
	struct sip_resp r = { .code = code, .warning = warning };
	char reason[CALL_REASON_MAX], sdp[GW_SDP_MAX];

	if (!c->sip)
		return;
	if (cause) {
		call_reason_q850(cause, reason, sizeof(reason));
		r.reason = reason;
	}
	if (code == 503)
		r.retry_after = c->gw->conf.gw.retry_after;	/* 0: no Retry-After */
	/* SDP in 18x only as an answer: an offer (a late-offer INVITE) goes in the 200 alone */
	if ((code == 200 || (code < 200 && c->inband && c->offer[0])) && (code == 200 || !c->early_sent) &&
	    call_sip_answer_sdp(c, sdp, sizeof(sdp)) > 0) {
		r.sdp = sdp;
		if (code != 200)
			c->early_sent = 1;
	}
	sip_leg_respond(c->sip, &r);
	if (code >= 300)
		c->sip = NULL;		/* the UA finishes the transaction and frees the leg */
}

static void call_sip_respond(struct gw_call *c, int code, int cause)
{
	call_sip_respond_warn(c, code, cause, NULL);
}

/* ---- TDM leg placement (SIP -> TDM), with route advance ---- */

static int call_place_tdm(struct gw_call *c);

static void call_fail_sip(struct gw_call *c, int cause)
{
	int code = map_q850_to_sip(c->gw->tables, cause);

	CLOG(LOG_LVL_NOTICE, c, "failed: Q.850 cause %d -> SIP %d", cause, code);
	c->gw->stats.failed++;
	call_set_state(c, GW_CALL_RELEASING);
	call_sip_respond(c, code, cause);
}

/* divert the call to the route's voicemail pilot for an alternate (RFC 4458 semantics) */
static void call_divert_to_pilot(struct gw_call *c, int outcome)
{
	struct map_call *m = &c->setup.call;
	int cause = gw_route_pilot_cause(outcome), found;

	if (!c->route->pilot[0])
		return;
	if (!m->redir.present) {
		m->redirecting = m->called;
		m->original_called = m->called;
		m->redir.present = 1;
		m->redir.indicator = c->gw->tables->opt.redirecting_indicator;
		m->redir.counter = 1;
		m->redir.orig_reason = -1;
	} else if (m->redir.counter < 15) {
		m->redirecting = m->called;
		m->redir.counter++;
	}
	m->redir.cause = cause;
	m->redir.no_cause = 0;
	m->redir.reason = map_rtable_decode(&c->gw->tables->causes, cause, &found);
	snprintf(m->called.digits, sizeof(m->called.digits), "%s", c->route->pilot);
	CLOG(LOG_LVL_NOTICE, c, "diverted to pilot %s: target %s, cause %d (%s)", c->route->pilot,
	     m->redirecting.digits, cause, map_reason_name(m->redir.reason));
}

/* after a failure of class outcome: try the next alternate if the route and the call allow it */
static int call_advance(struct gw_call *c, int outcome)
{
	int no_div = map_call_no_diversion(&c->setup.call);

	if (!c->route || c->attempt >= c->route->nto || !(c->route->advance & outcome))
		return 0;
	if (no_div) {
		CLOG(LOG_LVL_NOTICE, c, "%s: no route advance to '%s': the call forbids diversion (%s)",
		     gw_route_outcome_name(outcome), c->route->to[c->attempt],
		     c->setup.call.um.sens ? map_sens_name(c->setup.call.um.sens) : "call diversion not allowed");
		c->gw->stats.advances_suppressed++;
		return 0;
	}
	if (!gw_route_advance(c->route, c->attempt + 1, outcome, no_div))
		return 0;
	c->attempt++;
	c->gw->stats.route_advances++;
	if (call_no_answer_ms(c) > 0)	/* each alternate gets the whole no-answer time */
		ev_timer_start(c->gw->loop, &c->no_answer, call_no_answer_ms(c));
	CLOG(LOG_LVL_NOTICE, c, "%s: route %s advances to alternate %d '%s'", gw_route_outcome_name(outcome),
	     c->route->name, c->attempt, c->route->to[c->attempt - 1]);
	call_divert_to_pilot(c, outcome);
	return 1;
}

static int call_place_tdm(struct gw_call *c)
{
	const char *group = c->route->to[c->attempt - 1];
	int ret, cause;

	call_set_state(c, GW_CALL_SETUP);
	ret = tdm_call_place(c->gw->tdm, group, &c->setup, c, &c->tdm);
	if (!ret) {
		call_media_bearer(c);
		CLOG(LOG_LVL_INFO, c, "placed on group %s as %s: called %s, redirecting %s, reason %s, counter %d",
		     group, tdm_call_name(c->tdm), c->setup.call.called.digits,
		     c->setup.call.redir.present ? c->setup.call.redirecting.digits : "-",
		     c->setup.call.redir.present ? map_reason_name(c->setup.call.redir.reason) : "-",
		     c->setup.call.redir.counter);
		return 0;
	}
	call_tdm_forget(c);
	cause = ret == -EBUSY ? 34 : ret == -ENETDOWN ? 38 : ret == -ENOENT ? 3 : 41;
	CLOG(LOG_LVL_NOTICE, c, "group %s: %s (cause %d)", group, strerror(-ret), cause);
	if (call_advance(c, gw_route_outcome_q850(cause)))
		return call_place_tdm(c);
	call_fail_sip(c, cause);
	return ret;
}

static void call_no_answer(void *arg)
{
	struct gw_call *c = arg;

	if (c->state == GW_CALL_ANSWERED || c->state == GW_CALL_RELEASING)
		return;
	CLOG(LOG_LVL_NOTICE, c, "no answer within %d ms", call_no_answer_ms(c));
	if (c->dir == CALL_SIP_TO_TDM && c->tdm) {
		call_tdm_drop(c, 19);
		if (call_advance(c, GW_ADV_NO_ANSWER))
			call_place_tdm(c);
		else
			call_fail_sip(c, 19);
	} else if (c->dir == CALL_TDM_TO_SIP && c->sip) {
		char reason[CALL_REASON_MAX];

		call_reason_q850(19, reason, sizeof(reason));
		sip_leg_cancel(c->sip, reason);
		c->sip = NULL;
		if (!call_advance(c, GW_ADV_NO_ANSWER))
			call_tdm_to_sip_failed(c, 480, 19);
		else
			call_place_sip(c);	/* (it fails the call itself when it cannot) */
	}
	call_maybe_free(c);
}

/* ---- SIP -> TDM: the INVITE ---- */

/* remove every header called name from msg */
static void call_strip_header(osip_message_t *msg, const char *name)
{
	osip_header_t *h;
	int pos = 0;

	while ((h = osip_list_get(&msg->headers, pos)) != NULL) {
		if (h->hname && !strcasecmp(h->hname, name)) {
			osip_list_remove(&msg->headers, pos);
			osip_header_free(h);
		} else {
			pos++;
		}
	}
}

/*
 * The [MS-OCEXUM] rules at the door: on a UDP leg the Ms-* headers are not accepted at all (removed
 * before the mapping sees them); skip-pin counts only over TLS from a trusted peer.  Sets the flags of
 * map_sip_to_call.
 */
static void call_um_rules(struct gw_call *c, osip_message_t *msg, int proto, const struct gw_peer_conf *peer,
			  int *flags)
{
	osip_header_t *h = NULL;
	int has_sens = osip_message_header_get_byname(msg, "ms-sensitivity", 0, &h) >= 0;
	int has_cmd = osip_message_header_get_byname(msg, "ms-exchange-command", 0, &h) >= 0;
	int trusted = peer && peer->trusted && proto == GW_PROTO_TLS;

	*flags = MAP_SIP_IN_LENIENT_SENS | (trusted ? MAP_SIP_IN_TRUSTED : 0);
	if (proto == GW_PROTO_UDP && (has_sens || has_cmd)) {
		CLOG(LOG_LVL_NOTICE, c, "Ms-* headers dropped: they are accepted on TCP/TLS legs only ([MS-OCEXUM] 2.1)");
		call_strip_header(msg, "ms-sensitivity");
		call_strip_header(msg, "ms-exchange-command");
		c->gw->stats.um_dropped++;
		return;
	}
	if (has_cmd && !trusted) {
		CLOG(LOG_LVL_NOTICE, c, "Ms-Exchange-Command: skip-pin dropped: %s", !peer ? "unknown peer" :
		     proto != GW_PROTO_TLS ? "not received over TLS" : "peer not trusted");
		c->gw->stats.um_dropped++;
	}
}

static int call_sip_map(struct gw_call *c, osip_message_t *msg, const struct sip_event *ev, char *why, size_t len)
{
	struct gw *gw = c->gw;
	const struct map_trunk *tr = map_tables_trunk(gw->tables, ev->peer && ev->peer->trunk[0] ?
						       ev->peer->trunk : "default");
	struct map_diag d;
	unsigned char uui[MAP_UUI_MAX];
	size_t n = 0;
	int flags, ret;

	call_um_rules(c, msg, ev->src->proto, ev->peer, &flags);
	map_diag_init(&d);
	ret = map_sip_to_call(msg, gw->tables, tr, flags, &c->setup.call, &d);
	if (!ret && map_uui_put(&c->setup.call, gw->tables->opt.uui, uui, sizeof(uui), &n, &d) == 0) {
		memcpy(c->setup.uui, uui, n);
		c->setup.uui_len = n;
	}
	call_log_diag(c, &d);
	if (ret < 0)
		snprintf(why, len, "%s", map_diag_first(&d, MAP_DIAG_ERROR) ? map_diag_first(&d, MAP_DIAG_ERROR) :
			 "the request cannot be mapped");
	return ret;
}

static void call_sip_invite(struct gw *gw, const struct sip_event *ev)
{
	struct gw_call *c;
	const char *sdp = sip_leg_remote_sdp(ev->leg);
	struct gw_sdp offer;
	char err[128], why[MAP_DIAG_LEN];
	int tls = sip_leg_proto(ev->leg) == GW_PROTO_TLS;

	gw->stats.sip_calls_in++;
	c = call_new(gw, CALL_SIP_TO_TDM);
	if (!c) {
		struct sip_resp r = { .code = 500 };

		sip_leg_respond(ev->leg, &r);
		return;
	}
	c->sip = ev->leg;
	c->peer = ev->peer;
	c->attempt = 1;
	sip_leg_set_user(ev->leg, c);
	CLOG(LOG_LVL_INFO, c, "INVITE from %s Call-ID %s", sip_leg_name(ev->leg), sip_leg_call_id(ev->leg));
	if (gw->draining || call_too_many(gw)) {
		CLOG(LOG_LVL_NOTICE, c, "%s: 503", gw->draining ? "draining" : "too many calls");
		gw->stats.rejected++;
		call_sip_respond(c, 503, 42);
		goto out;
	}
	if (sdp[0]) {
		const char *refusal = NULL;

		err[0] = '\0';
		if (gw_sdp_parse(sdp, strlen(sdp), &offer, err, sizeof(err)) < 0 ||
		    call_srtp_answer(c, &offer, tls, &refusal) < 0 ||
		    gw_sdp_check_answer(&offer, offer.savp, &(int){ 0 }) < 0) {
			refusal = err[0] ? err : refusal ? refusal : "no G.711";
			CLOG(LOG_LVL_NOTICE, c, "SDP offer not acceptable (%s): 488", refusal);
			gw->stats.rejected++;
			call_sip_respond_warn(c, 488, 0, refusal);
			goto out;
		}
		snprintf(c->offer, sizeof(c->offer), "%s", sdp);
	} else {
		/* a late offer: ours goes in the 200, the answer comes in the ACK */
		if (call_srtp_offer(c, tls, call_srtp_policy(c, tls)) < 0) {
			call_sip_respond(c, 500, 0);
			goto out;
		}
		CLOG(LOG_LVL_INFO, c, "INVITE without SDP: our offer goes in the 200%s",
		     c->key_local[0] ? (c->offer_savp ? " (RTP/SAVP)" : " (RTP/AVP with a key)") : "");
	}
	if (call_media_new(c) < 0) {
		gw->stats.rejected++;
		call_sip_respond(c, 503, 47);
		goto out;
	}
	if (call_sip_map(c, ev->msg, ev, why, sizeof(why)) < 0) {
		CLOG(LOG_LVL_NOTICE, c, "not mapped (%s): 400", why);
		gw->stats.rejected++;
		call_sip_respond_warn(c, 400, 0, why);
		goto out;
	}
	c->route = gw_route_match(&gw->conf, GW_ROUTE_SIP_TO_TDM, ev->peer ? ev->peer->name : NULL,
				  c->setup.call.called.digits);
	if (!c->route) {
		CLOG(LOG_LVL_NOTICE, c, "no route for called %s from %s: 404", c->setup.call.called.digits,
		     ev->peer ? ev->peer->name : "an unknown peer");
		gw->stats.rejected++;
		call_sip_respond(c, 404, 3);
		goto out;
	}
	CLOG(LOG_LVL_INFO, c, "route %s: called %s target %s cause %d sens %s skip-pin %d", c->route->name,
	     c->setup.call.called.digits, c->setup.call.redir.present ? c->setup.call.redirecting.digits : "-",
	     c->setup.call.redir.cause, map_sens_name(c->setup.call.um.sens), c->setup.call.um.skip_pin);
	if (call_no_answer_ms(c) > 0)
		ev_timer_start(gw->loop, &c->no_answer, call_no_answer_ms(c));
	call_place_tdm(c);
out:
	call_maybe_free(c);
}

/* ---- TDM -> SIP: the INVITE toward a peer ---- */

static void call_tdm_to_sip_failed(struct gw_call *c, int code, int cause)
{
	CLOG(LOG_LVL_NOTICE, c, "failed: SIP %d -> Q.850 cause %d", code, cause);
	c->gw->stats.failed++;
	call_set_state(c, GW_CALL_RELEASING);
	call_tdm_drop(c, cause);
}

/* subscriber access (flow 4): no redirection, a screened caller on a trusted trunk, toward a UM */
static void call_subscriber_access(struct gw_call *c, const struct gw_peer_conf *peer)
{
	struct map_call *m = &c->setup.call;

	if (m->redir.present || !peer->um || !c->setup.trusted || !c->setup.screened || !m->calling.present)
		return;
	m->redirecting = m->calling;
	m->redir.present = 1;
	m->redir.no_cause = 1;
	m->redir.counter = 1;
	m->redir.indicator = c->gw->tables->opt.redirecting_indicator;
	m->um.skip_pin = 1;
	CLOG(LOG_LVL_INFO, c, "subscriber access: target %s (retrieval), skip-pin", m->calling.digits);
}

/* the Ms-* headers toward peer: TCP/TLS only; skip-pin only over TLS to a trusted peer */
static void call_um_out(struct gw_call *c, const struct gw_peer_conf *peer, struct map_sip_out *o)
{
	if ((o->ms_sensitivity[0] || o->ms_exchange_command[0]) && peer->proto == GW_PROTO_UDP) {
		CLOG(LOG_LVL_NOTICE, c, "Ms-* headers not sent to %s: UDP leg ([MS-OCEXUM] 2.1 needs TCP or TLS)",
		     peer->name);
		o->ms_sensitivity[0] = 0;
		o->ms_exchange_command[0] = 0;
		c->gw->stats.um_dropped++;
	}
	if (o->ms_exchange_command[0] && (peer->proto != GW_PROTO_TLS || !peer->trusted)) {
		CLOG(LOG_LVL_NOTICE, c, "skip-pin not sent to %s: %s", peer->name,
		     peer->proto != GW_PROTO_TLS ? "not a TLS leg" : "peer not trusted");
		o->ms_exchange_command[0] = 0;
		c->gw->stats.um_dropped++;
	}
}

static int call_invite_peer(struct gw_call *c, const struct gw_peer_conf *peer, const char *ruri)
{
	struct gw *gw = c->gw;
	const struct map_trunk *tr = map_tables_trunk(gw->tables, peer->trunk[0] ? peer->trunk : "default");
	struct map_sip_out_opts o = { 0 };
	struct map_sip_out out;
	struct gw_sdp_local l;
	struct sip_invite inv = { 0 };
	struct map_diag d;
	char um[GW_HOST_MAX + 8], sdp[GW_SDP_MAX];
	int ret;

	snprintf(um, sizeof(um), "%s:%d", peer->host, peer->port);
	o.um_host = um;
	o.from_host = gw->conf.sip.host[0] ? gw->conf.sip.host : NULL;
	o.untrusted = peer->privacy_untrusted;	/* default: !trusted */
	map_diag_init(&d);
	ret = map_call_to_sip(&c->setup.call, gw->tables, tr, &o, &out, &d);
	call_log_diag(c, &d);
	if (ret < 0)
		return ret;
	call_um_out(c, peer, &out);
	if (ruri)
		snprintf(out.request_uri, sizeof(out.request_uri), "%s", ruri);
	if (call_srtp_offer(c, peer->proto == GW_PROTO_TLS, peer->srtp) < 0)
		return -EIO;
	call_sdp_local(c, &l);
	if (gw_sdp_offer(&l, sdp, sizeof(sdp)) < 0)
		return -ENOSPC;
	inv.peer = peer;
	inv.request_uri = out.request_uri;
	inv.from = out.from;
	inv.to = out.to;
	inv.pai = out.p_asserted_identity;
	inv.diversion = out.diversion;
	inv.history_info = out.history_info;
	inv.privacy = out.privacy;
	inv.ms_exchange_command = out.ms_exchange_command;
	inv.ms_sensitivity = out.ms_sensitivity;
	inv.sdp = sdp;
	snprintf(c->request_uri, sizeof(c->request_uri), "%s", out.request_uri);
	ret = sip_leg_invite(gw->ua, &inv, c, &c->sip);
	if (ret < 0) {
		c->sip = NULL;
		return ret;
	}
	c->peer = peer;
	CLOG(LOG_LVL_INFO, c, "INVITE %s to %s (%s)%s%s%s%s", out.request_uri, peer->name, sip_leg_name(c->sip),
	     out.ms_sensitivity[0] ? " Ms-Sensitivity: " : "", out.ms_sensitivity,
	     out.ms_exchange_command[0] ? " Ms-Exchange-Command: " : "", out.ms_exchange_command);
	return 0;
}

static int call_place_sip(struct gw_call *c)
{
	const struct gw_peer_conf *peer = gw_conf_peer(&c->gw->conf, c->route->to[c->attempt - 1]);
	int ret;

	call_set_state(c, GW_CALL_SETUP);
	ret = peer ? call_invite_peer(c, peer, NULL) : -ENOENT;
	if (!ret)
		return 0;
	CLOG(LOG_LVL_NOTICE, c, "peer %s: %s", c->route->to[c->attempt - 1], strerror(-ret));
	if (call_advance(c, GW_ADV_CONGESTION))
		return call_place_sip(c);
	call_tdm_to_sip_failed(c, 503, 38);
	return ret;
}

static const char *call_span_group(struct gw *gw, const char *span)
{
	const struct tdm_span_conf *sc = tdm_conf_span(&gw->tconf, span);

	return sc ? sc->group : span;
}

static void call_tdm_setup(struct gw *gw, const struct tdm_event *ev)
{
	const char *group = call_span_group(gw, ev->span);
	const struct gw_peer_conf *peer;
	struct gw_call *c;
	struct map_diag d;

	gw->stats.tdm_calls_in++;
	c = call_new(gw, CALL_TDM_TO_SIP);
	if (!c) {
		tdm_call_release(ev->call, 47);
		return;
	}
	c->tdm = ev->call;
	c->attempt = 1;
	c->setup = *ev->setup;
	tdm_call_set_user(ev->call, c);
	if (call_media_new(c) < 0) {
		gw->stats.rejected++;
		call_tdm_to_sip_failed(c, 503, 47);
		goto out;
	}
	call_media_bearer(c);
	map_diag_init(&d);
	map_uui_take(&c->setup.call, ev->setup->uui, ev->setup->uui_len, ev->setup->trusted, ev->setup->screened, &d);
	call_log_diag(c, &d);
	CLOG(LOG_LVL_INFO, c, "%s: called %s calling %s redirecting %s reason %s cause %d sens %s skip-pin %d",
	     tdm_call_name(ev->call), c->setup.call.called.digits, c->setup.call.calling.digits,
	     c->setup.call.redir.present ? c->setup.call.redirecting.digits : "-",
	     c->setup.call.redir.present ? map_reason_name(c->setup.call.redir.reason) : "-",
	     c->setup.call.redir.cause, map_sens_name(c->setup.call.um.sens), c->setup.call.um.skip_pin);
	if (gw->draining || call_too_many(gw)) {
		CLOG(LOG_LVL_NOTICE, c, "%s: cause 42", gw->draining ? "draining" : "too many calls");
		gw->stats.rejected++;
		call_tdm_to_sip_failed(c, 503, 42);
		goto out;
	}
	c->route = gw_route_match(&gw->conf, GW_ROUTE_TDM_TO_SIP, group, c->setup.call.called.digits);
	if (!c->route) {
		CLOG(LOG_LVL_NOTICE, c, "no route for called %s from group %s", c->setup.call.called.digits, group);
		gw->stats.rejected++;
		call_tdm_to_sip_failed(c, 404, 3);
		goto out;
	}
	peer = gw_conf_peer(&gw->conf, c->route->to[0]);
	if (peer)
		call_subscriber_access(c, peer);
	tdm_call_proceeding(c->tdm);
	if (call_no_answer_ms(c) > 0)
		ev_timer_start(gw->loop, &c->no_answer, call_no_answer_ms(c));
	call_place_sip(c);
out:
	call_maybe_free(c);
}

/* ---- events of the SIP leg ---- */

/* the Request-URI toward a 3xx Contact (RFC 3261 8.1.3.4): the Contact itself, with our target and
 * cause added when it has none (RFC 4458: they stay with the call) */
static void call_redirect_uri(const struct gw_call *c, const char *contact, char *ruri, size_t len)
{
	const char *params = strstr(c->request_uri, ";target=");

	if (!params)
		params = strstr(c->request_uri, ";cause=");
	if (params && !strstr(contact, "target=") && !strstr(contact, "cause="))
		snprintf(ruri, len, "%s%s", contact, params);
	else
		snprintf(ruri, len, "%s", contact);
}

/* a 3xx from the peer: a new INVITE to its Contact, same call model, same transport security */
static int call_follow_redirect(struct gw_call *c, const char *contact)
{
	struct gw *gw = c->gw;
	const struct gw_peer_conf *old = c->peer, *peer = NULL;
	osip_uri_t *uri = NULL;
	char ruri[MAP_SIP_HDR_MAX];
	size_t i;
	int port, ret = -EINVAL;

	if (c->redirects >= gw->conf.gw.max_redirects || osip_uri_init(&uri) < 0)
		return -ELOOP;
	if (osip_uri_parse(uri, contact) < 0 || !uri->host)
		goto out;
	port = uri->port ? atoi(uri->port) : old->port;
	for (i = 0; i < gw->conf.npeer; i++) {
		const struct gw_peer_conf *p = &gw->conf.peer[i];

		if (p->proto == old->proto && p->port == port && !strcmp(p->host, uri->host))
			peer = p;
	}
	if (!peer) {
		/* not a configured peer: the same transport, and no trust */
		c->redirect_peer = *old;
		snprintf(c->redirect_peer.name, sizeof(c->redirect_peer.name), "3xx-contact");
		snprintf(c->redirect_peer.host, sizeof(c->redirect_peer.host), "%s", uri->host);
		c->redirect_peer.port = port;
		c->redirect_peer.trusted = 0;
		c->redirect_peer.tls_name[0] = 0;
		peer = &c->redirect_peer;
	}
	c->redirects++;
	gw->stats.redirects_followed++;
	call_redirect_uri(c, contact, ruri, sizeof(ruri));
	CLOG(LOG_LVL_NOTICE, c, "3xx: following Contact %s (%d of at most %d) via %s over %s", contact, c->redirects,
	     gw->conf.gw.max_redirects, peer->name, gw_proto_name(peer->proto));
	ret = call_invite_peer(c, peer, ruri);
out:
	osip_uri_free(uri);
	return ret;
}

static void call_sip_progress(struct gw_call *c, const struct sip_event *ev)
{
	int inband = sip_leg_remote_sdp(ev->leg)[0] != 0;

	call_media_answer(c, sip_leg_remote_sdp(ev->leg));
	if (!c->tdm)
		return;
	call_set_state(c, GW_CALL_EARLY);
	if (ev->code == 180)
		tdm_call_alert(c->tdm, inband);
	else if (ev->code == 181)
		tdm_call_forwarded(c->tdm);
	else
		tdm_call_progress(c->tdm, inband);
	CLOG(LOG_LVL_INFO, c, "SIP %d -> %s", ev->code, tdm_call_name(c->tdm));
}

static void call_sip_end(struct gw_call *c, const struct sip_event *ev)
{
	struct gw *gw = c->gw;
	int cause = ev->reason ? map_q850_parse_reason(ev->reason) : -EINVAL;
	int code = ev->type == SIP_EV_FAIL ? ev->code : 0, outcome;

	c->sip = NULL;
	if (cause < 0)
		cause = code ? map_q850_from_sip(gw->tables, code, ev->reason) : 16;
	if (ev->type == SIP_EV_REDIRECT && c->dir == CALL_TDM_TO_SIP && c->state != GW_CALL_ANSWERED) {
		if (call_follow_redirect(c, ev->contact) == 0)
			return;
		CLOG(LOG_LVL_NOTICE, c, "3xx not followed (max-redirects %d)", gw->conf.gw.max_redirects);
		code = ev->code;
		cause = map_q850_from_sip(gw->tables, code, NULL);
	}
	if (c->dir == CALL_TDM_TO_SIP && code && c->state != GW_CALL_ANSWERED) {
		outcome = gw_route_outcome_sip(code);
		if (call_advance(c, outcome) && call_place_sip(c) == 0)
			return;
		if (c->tdm)
			call_tdm_to_sip_failed(c, code, cause);
		return;
	}
	CLOG(LOG_LVL_INFO, c, "SIP %s (cause %d) -> release %s", sip_ev_name(ev->type), cause,
	     c->tdm ? tdm_call_name(c->tdm) : "-");
	call_set_state(c, GW_CALL_RELEASING);
	call_tdm_drop(c, cause);
}

/* the answer to our offer lacks the SRTP that srtp = required asks for: both legs released (cause 88,
 * incompatible destination: the far end cannot carry the call as its policy asks; the caller's side sees
 * what the tables make of 88, 503 per RFC 3398); the caller frees the call (call_maybe_free) */
static void call_srtp_refused(struct gw_call *c)
{
	CLOG(LOG_LVL_NOTICE, c, "srtp = required toward %s and the answer has no SRTP: released (cause 88)",
	     c->peer ? c->peer->name : "-");
	call_release_both(c, 88);
}

/* a re-INVITE changed the SIP side's session (the UA answered it, with our key if the call has SRTP) */
static void call_sip_media(struct gw_call *c)
{
	struct gw_sdp sdp;
	struct sdes_key ours;
	char err[128];
	const char *body = sip_leg_remote_sdp(c->sip);
	int codec, i;

	if (gw_sdp_parse(body, strlen(body), &sdp, err, sizeof(err)) < 0 ||
	    gw_sdp_check_answer(&sdp, sdp.savp, &codec) < 0)
		return;
	if (c->media && gw_media_srtp(c->media) && sdes_parse(c->key_local, &ours) == 0) {
		i = gw_sdp_crypto_pick(&sdp, -1, ours.suite, NULL);
		if (i < 0)
			return;		/* the UA refused it (488) */
		snprintf(c->key_remote, sizeof(c->key_remote), "%s", sdp.crypto[i]);
	}
	CLOG(LOG_LVL_INFO, c, "SIP re-INVITE: media %s:%d %s", sdp.ip, sdp.port, gw_sdp_dir_name(sdp.dir));
	call_media_remote(c, &sdp, codec);
}

void gw_call_sip_event(void *arg, const struct sip_event *ev)
{
	struct gw *gw = arg;
	struct gw_call *c = ev->user;

	if (ev->type == SIP_EV_INVITE) {
		call_sip_invite(gw, ev);
		return;
	}
	if (!c)
		return;
	switch (ev->type) {
	case SIP_EV_PROGRESS:
		call_sip_progress(c, ev);
		break;
	case SIP_EV_MEDIA:
		if (ev->code)
			call_sip_media(c);
		else if (call_media_answer(c, sip_leg_remote_sdp(ev->leg)) < 0)
			call_srtp_refused(c);	/* the ACK's answer to our late offer */
		break;
	case SIP_EV_ANSWER:
		if (call_media_answer(c, sip_leg_remote_sdp(ev->leg)) < 0) {
			call_srtp_refused(c);
			break;
		}
		call_set_state(c, GW_CALL_ANSWERED);
		gw->stats.answered++;
		CLOG(LOG_LVL_INFO, c, "SIP %d -> answer %s", ev->code, c->tdm ? tdm_call_name(c->tdm) : "-");
		if (c->tdm)
			tdm_call_answer(c->tdm);
		break;
	default:
		call_sip_end(c, ev);
		break;
	}
	call_maybe_free(c);
}

/* ---- events of the TDM leg ---- */

static void call_tdm_release(struct gw_call *c, int cause)
{
	char reason[CALL_REASON_MAX];
	int outcome = gw_route_outcome_q850(cause), answered = c->state == GW_CALL_ANSWERED;

	call_tdm_forget(c);
	if (c->dir == CALL_SIP_TO_TDM && c->state != GW_CALL_ANSWERED && c->sip) {
		if (call_advance(c, outcome)) {
			call_place_tdm(c);
			return;
		}
		call_fail_sip(c, cause);
		return;
	}
	call_set_state(c, GW_CALL_RELEASING);
	if (!c->sip)
		return;
	call_reason_q850(cause, reason, sizeof(reason));
	CLOG(LOG_LVL_INFO, c, "TDM release cause %d -> SIP %s", cause, answered ? "BYE" : "CANCEL");
	sip_leg_bye(c->sip, reason);	/* an unanswered outgoing leg gets CANCEL */
	c->sip = NULL;
}

static void call_tdm_event(struct gw_call *c, const struct tdm_event *ev)
{
	switch (ev->type) {
	case TDM_EV_PROCEEDING:
		break;
	case TDM_EV_PROGRESS:
	case TDM_EV_ALERTING:
		/* RFC 3398 7.2.5: in-band information (ISUP ACM/CPG, Q.931 progress indicator 8) is early
		 * media, 183 with SDP; else 180 (or 183) without, and the caller rings locally */
		call_set_state(c, GW_CALL_EARLY);
		c->inband |= ev->inband;
		if (ev->inband)
			CLOG(LOG_LVL_INFO, c, "%s: in-band information: early media", tdm_call_name(c->tdm));
		call_sip_respond(c, ev->inband ? 183 : ev->type == TDM_EV_ALERTING ? 180 : 183, 0);
		break;
	case TDM_EV_FORWARDED:
		call_sip_respond(c, 181, 0);
		break;
	case TDM_EV_ANSWER:
		call_set_state(c, GW_CALL_ANSWERED);
		c->gw->stats.answered++;
		CLOG(LOG_LVL_INFO, c, "%s answered -> 200", tdm_call_name(c->tdm));
		call_sip_respond(c, 200, 0);
		break;
	case TDM_EV_RELEASE:
		CLOG(LOG_LVL_INFO, c, "%s released, cause %d", tdm_call_name(c->tdm), ev->cause);
		call_tdm_release(c, ev->cause);
		break;
	}
}

void gw_call_tdm_event(void *arg, const struct tdm_event *ev)
{
	struct gw *gw = arg;
	struct gw_call *c = ev->user;

	if (ev->type == TDM_EV_LINK) {
		LOGN("call", "span %s: signalling link %s", ev->span, ev->up ? "up" : "down");
		return;
	}
	if (ev->type == TDM_EV_SETUP) {
		call_tdm_setup(gw, ev);
		return;
	}
	if (!c)
		return;
	call_tdm_event(c, ev);
	call_maybe_free(c);
}

/* no RTP on an answered call: both legs released with cause 41 (temporary failure) */
static void call_media_timeout(void *arg, unsigned long silent_ms)
{
	struct gw_call *c = arg;

	CLOG(LOG_LVL_NOTICE, c, "no RTP for %lu ms: released (cause 41)", silent_ms);
	call_release_both(c, 41);
	call_maybe_free(c);
}

/* ---- operators ---- */

void gw_call_release_all(struct gw *gw, int cause)
{
	char reason[CALL_REASON_MAX];
	struct gw_call *c, *next;

	call_reason_q850(cause, reason, sizeof(reason));
	for (c = gw->calls; c; c = next) {
		next = c->next;
		CLOG(LOG_LVL_NOTICE, c, "released by the gateway (cause %d)", cause);
		call_tdm_drop(c, cause);
		if (c->sip && c->dir == CALL_SIP_TO_TDM && c->state != GW_CALL_ANSWERED)
			call_sip_respond(c, map_q850_to_sip(gw->tables, cause), cause);
		else if (c->sip)
			sip_leg_bye(c->sip, reason);
		c->sip = NULL;
		call_maybe_free(c);
	}
}

void gw_call_free_all(struct gw *gw)
{
	while (gw->calls)
		call_free(gw->calls);
}

static void call_info(const struct gw_call *c, struct gw_call_info *i)
{
	const struct map_call *m = &c->setup.call;

	memset(i, 0, sizeof(*i));
	i->id = c->id;
	snprintf(i->state, sizeof(i->state), "%s", state_names[c->state]);
	snprintf(i->dir, sizeof(i->dir), "%s", c->dir == CALL_SIP_TO_TDM ? "sip->tdm" : "tdm->sip");
	if (c->sip) {
		snprintf(i->sip, sizeof(i->sip), "%s", sip_leg_name(c->sip));
		snprintf(i->call_id, sizeof(i->call_id), "%s", sip_leg_call_id(c->sip));
	}
	if (c->tdm)
		snprintf(i->tdm, sizeof(i->tdm), "%s", tdm_call_name(c->tdm));
	snprintf(i->called, sizeof(i->called), "%s", m->called.digits);
	snprintf(i->calling, sizeof(i->calling), "%s", m->calling.present ? m->calling.digits : "");
	if (m->redir.present) {
		snprintf(i->target, sizeof(i->target), "%s", m->redirecting.digits);
		snprintf(i->reason, sizeof(i->reason), "%s", map_reason_name(m->redir.reason));
		i->cause = m->redir.cause;
	}
	if (m->um.sens != MAP_SENS_NONE)
		snprintf(i->sens, sizeof(i->sens), "%s", m->um.sens == MAP_SENS_UNKNOWN ? m->um.sens_raw :
			 map_sens_name(m->um.sens));
	i->skip_pin = m->um.skip_pin;
	i->attempt = c->attempt;
	i->age_ms = (unsigned long)((ev_now_us() - c->start_us) / 1000);
}

size_t gw_call_list(const struct gw *gw, struct gw_call_info *out, size_t max)
{
	const struct gw_call *c;
	size_t n = 0;

	for (c = gw->calls; c; c = c->next, n++)
		if (n < max)
			call_info(c, &out[n]);
	return n;
}
