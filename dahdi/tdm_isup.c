/*
 * tdm_isup.c - ITU ISUP (Q.761-Q.764) on a span, over libss7 2.0 with its own MTP2
 * (SS7_TRANSPORT_DAHDIDCHAN), one struct ss7 per span.
 *
 * The relay.  libss7 reads and writes one end of an internal SOCK_SEQPACKET socketpair; this module
 * carries the frames between the other end and the span.  libss7 writes a fill-in signal unit every
 * time it is asked to (ss7_write): it is asked only when span_tx_idle() (and on tx_ready), so the
 * span's line rate paces MTP2 as a real 64 kbit/s channel does.  libss7 appends two FCS octets to
 * what it writes and strips two from what it reads (DAHDI's convention): the relay removes and adds
 * them, the span carries frames without FCS.  On the way out the relay inserts the parameters
 * libss7 has no API for (Call diversion treatment indicators 0x6E, User-to-user information 0x20)
 * into the IAM of a CIC that has them pending, kept for the call's life so that an MTP2
 * retransmission gets the same octets; on the way in it takes them out of an IAM and keeps them for
 * that CIC's IAM event.  The ACM's called party's status (subscriber free when the owner alerts)
 * is set the same way: libss7 always sends "no indication".  libss7 trusts every length and
 * pointer it reads: the relay checks each received frame first (tdm_isup_rx_check) and keeps
 * libss7's MTP2 from freeing an MSU it is about to retransmit (tdm_isup_rx_bsn).
 *
 * Timer ownership (each timer has one owner, values from tdm_conf_isup_timer):
 *   libss7: T1 T5 (REL/RLC), T7 (awaiting ACM), T12-T15 (BLO/UBL), T16 T17 (RSC), T18-T21
 *           (CGB/CGU), T22 T23 (GRS): set with ss7_set_isup_timer at start, run by ss7_schedule_run
 *           from this module's ev_timer; expiries that end a call come back through the hangup
 *           callback.  MTP2/MTP3 timers are libss7's own (alignment about 1 s).
 *   here:   T9 (awaiting answer, Q.764 annex A), which libss7 does not run: started on ACM for an
 *           outgoing call, stopped by ANM/CON or release; on expiry the call is released, cause 19.
 *
 * Calls.  libss7 keeps at most one struct isup_call per CIC (tdm_isup_cic.ic), shared by the call
 * and the maintenance messages on that CIC; this module frees it when it is clear
 * (isup_free_call_if_clear).  libss7's hangup and call_null callbacks are global and run inside
 * libss7: they only record what to do, and the work is done after libss7 returns
 * (tdm_isup_deferred).  Dual seizure (Q.764 2.9.1.4: the exchange with the higher point code
 * controls the even CICs) is decided by libss7; the loser's outgoing call comes back as
 * SS7_HANGUP_REEVENT_IAM: its owner gets TDM_EV_RELEASE (cause 34, try another circuit), the call is
 * gone, and the far end's IAM is raised again as an incoming call on the same CIC.
 */
#include <errno.h>
#include <libss7.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "map_isup.h"
#include "tdm_int.h"
#include "tdm_isup_parm.h"

#define TDM_ISUP_FCS_LEN 2
#define TDM_ISUP_FRAME_MAX (SPAN_FRAME_MAX + 256)
#define TDM_ISUP_SOCKBUF 4096
#define TDM_ISUP_GROUP_MAX 32		/* CICs in one GRS/CGB/CGU (range 0-31) */

#define TDM_ISUP_CAUSE_NO_ANSWER 19	/* Q.850 no answer from user (user alerted): T9 */
#define TDM_ISUP_CAUSE_NO_CIRCUIT 34	/* dual seizure lost: try another circuit */
#define TDM_ISUP_CAUSE_TEMPORARY_FAILURE 41

/* Q.763 3.5 called party's status indicator in the ACM's backward call indicators */
#define TDM_ISUP_BCI_NO_INDICATION 0
#define TDM_ISUP_BCI_SUBSCRIBER_FREE 1

struct tdm_isup;

/* what this module knows about one CIC beyond the circuit state */
struct tdm_isup_cic {
	struct tdm_isup *is;
	struct tdm_circuit *circ;
	struct isup_call *ic;		/* libss7's call on this CIC, NULL when it has none */
	/* outgoing IAM: optional parameters the relay inserts (kept for retransmission) */
	uint8_t out_cdti[1];
	size_t out_cdti_len;
	uint8_t out_uui[MAP_UUI_MAX + 1];
	size_t out_uui_len;
	/* incoming IAM: what the relay took out, for the IAM event */
	int in_cdti;
	uint8_t in_uui[MAP_UUI_MAX + 1];
	size_t in_uui_len;
	int acm_sent;			/* incoming call: ACM (or CON) sent */
	int acm_status;			/* called party's status to set in our ACM */
	/* deferred work requested from inside libss7 */
	int hangup;			/* SS7_HANGUP_* + 1, 0 = none */
	int hangup_cause;
	unsigned int hangup_opc;
	int lost;			/* libss7 freed ic while a call was on the circuit */
	int dropped;			/* ... on its own (call_null): the far end may still hold the call */
	int grs_sent;			/* GRS sent from this CIC, GRA awaited */
	struct ev_timer t9;
};

struct tdm_isup {
	struct tdm_span *ts;
	struct ss7 *ss7;
	int fd[2];			/* [0] libss7's end, [1] the relay's end */
	int up;				/* SS7_EVENT_UP seen and reported */
	int alarmed;
	int pumping, draining, stopping;
	struct ev_timer sched;		/* libss7's next scheduled event */
	struct ev_timer kick;		/* deferred work outside any callback */
	struct tdm_isup_cic *cic;	/* one per circuit, in ts->circ order */
	int tx_fsn;			/* FSN of the last MSU libss7 wrote (127 after an LSSU) */
	int tx_fib;			/* FIB of the last signal unit it wrote */
	unsigned long bad_frames;	/* dropped before libss7's MTP2: length or LI wrong */
	unsigned long bad_msus;		/* MSUs whose contents libss7 must not read: made void */
	struct tdm_isup *next;		/* every span's state: libss7's callbacks are global */
};

static struct tdm_isup *tdm_isup_all;

static void tdm_isup_drain(struct tdm_isup *is);
static void tdm_isup_pump(struct tdm_isup *is);

/* ---- lookups ---- */

static struct tdm_isup *tdm_isup_of(struct ss7 *ss7)
{
	struct tdm_isup *is;

	for (is = tdm_isup_all; is; is = is->next)
		if (is->ss7 == ss7)
			return is;
	return NULL;
}

static struct tdm_isup_cic *tdm_isup_cic_of(struct tdm_isup *is, int cic)
{
	for (int i = 0; i < is->ts->ncirc; i++)
		if (is->ts->circ[i].cic == cic)
			return &is->cic[i];
	return NULL;
}

static struct tdm_isup_cic *tdm_isup_rec(struct tdm_circuit *c)
{
	struct tdm_isup *is = c->ts->sig;

	return &is->cic[c - c->ts->circ];
}

/* libss7's call for the CIC, created when it has none */
static struct isup_call *tdm_isup_ic(struct tdm_isup_cic *r)
{
	if (!r->ic)
		r->ic = isup_new_call(r->is->ss7, r->circ->cic, r->is->ts->conf->dpc, 0);
	return r->ic;
}

/* forget libss7's call when nothing is left on it (no flags, no timers) */
static void tdm_isup_ic_done(struct tdm_isup_cic *r)
{
	if (r->ic)
		r->ic = isup_free_call_if_clear(r->is->ss7, r->ic);
}

static void tdm_isup_ic_free(struct tdm_isup_cic *r)
{
	if (r->ic)
		isup_free_call(r->is->ss7, r->ic);
	r->ic = NULL;
}

/* the call's state is over: forget what this module kept for it */
static void tdm_isup_cic_clear(struct tdm_isup_cic *r)
{
	ev_timer_stop(r->is->ts->loop, &r->t9);
	r->out_cdti_len = 0;
	r->out_uui_len = 0;
	r->acm_sent = 0;
	r->acm_status = TDM_ISUP_BCI_NO_INDICATION;
	r->hangup = 0;
	r->lost = 0;
	r->dropped = 0;
}

static void tdm_isup_call_gone(struct tdm_isup_cic *r)
{
	struct tdm_call *call = r->circ->call;

	tdm_isup_cic_clear(r);
	if (call)
		tdm_sig_call_gone(call);
}

/* the far end (or the stack) ended the call: tell the owner once */
static void tdm_isup_far_release(struct tdm_isup_cic *r, int cause)
{
	struct tdm_call *call = r->circ->call;

	ev_timer_stop(r->is->ts->loop, &r->t9);
	if (call && !call->user_gone)
		tdm_sig_released_by_far_end(call, cause);
}

static void tdm_isup_kick(struct tdm_isup *is)
{
	ev_timer_start(is->ts->loop, &is->kick, 0);
}

/* ---- libss7's scheduler on the event loop ---- */

static void tdm_isup_resched(struct tdm_isup *is)
{
	struct timeval *tv = ss7_schedule_next(is->ss7), now;
	long long ms;

	if (!tv) {
		ev_timer_stop(is->ts->loop, &is->sched);
		return;
	}
	gettimeofday(&now, NULL);	/* libss7 schedules on the wall clock */
	ms = ((long long)tv->tv_sec - now.tv_sec) * 1000 + (tv->tv_usec - now.tv_usec + 999) / 1000;
	ev_timer_start(is->ts->loop, &is->sched, ms > 0 ? (uint64_t)ms : 0);
}

static void tdm_isup_sched_cb(void *arg)
{
	struct tdm_isup *is = arg;

	ss7_schedule_run(is->ss7);
	tdm_isup_drain(is);
}

static void tdm_isup_kick_cb(void *arg)
{
	tdm_isup_drain(arg);
}

/* ---- the relay ---- */

/* outgoing frame: the IAM's extra parameters, the ACM's called party's status */
static void tdm_isup_out_fix(struct tdm_isup *is, uint8_t *f, size_t *len, size_t cap)
{
	struct tdm_isup_parm_msg m;
	struct tdm_isup_parm_opt opt[2];
	struct tdm_isup_cic *r;
	size_t n = 0;
	int ret;

	if (tdm_isup_parm_parse(f, *len, &m) || !(r = tdm_isup_cic_of(is, m.cic)))
		return;
	if (m.type == TDM_ISUP_PARM_IAM) {
		if (r->out_cdti_len)
			opt[n++] = (struct tdm_isup_parm_opt){ MAP_ISUP_CALL_DIVERSION_TREATMENT, 1, r->out_cdti };
		if (r->out_uui_len)
			opt[n++] = (struct tdm_isup_parm_opt){ MAP_ISUP_USER_TO_USER, (uint8_t)r->out_uui_len, r->out_uui };
		ret = tdm_isup_parm_iam_insert(f, len, cap, opt, n);
		if (ret < 0)
			TDM_LOGC(LOG_LVL_WARN, r->circ, "IAM: parameters not inserted: %s", strerror(-ret));
	} else if (m.type == TDM_ISUP_PARM_ACM && r->acm_status) {
		ret = tdm_isup_parm_acm_set_status(f, *len, r->acm_status);
		if (ret < 0)
			TDM_LOGC(LOG_LVL_WARN, r->circ, "ACM: called party's status not set: %s", strerror(-ret));
	}
}

/* what MTP2 sent last: every MSU (new or retransmitted) moves it; an LSSU means alignment from 127 */
static void tdm_isup_tx_seen(struct tdm_isup *is, const uint8_t *f, size_t len)
{
	if (len < TDM_ISUP_PARM_MTP2_LEN)
		return;
	is->tx_fib = f[1] & 0x80;
	if ((f[2] & 0x3f) >= 3)
		is->tx_fsn = f[1] & 0x7f;
	else if (f[2] & 0x3f)
		is->tx_fsn = 127;
}

static void tdm_isup_pump(struct tdm_isup *is)
{
	uint8_t f[TDM_ISUP_FRAME_MAX];
	ssize_t n;
	size_t len;
	int ret;

	if (is->pumping || is->alarmed || is->stopping || !span_tx_idle(is->ts->span))
		return;
	is->pumping = 1;
	if (ss7_write(is->ss7, is->fd[0]) > 0) {
		n = recv(is->fd[1], f, SPAN_FRAME_MAX + TDM_ISUP_FCS_LEN, MSG_DONTWAIT);
		if (n > TDM_ISUP_FCS_LEN) {
			len = (size_t)n - TDM_ISUP_FCS_LEN;
			tdm_isup_tx_seen(is, f, len);
			tdm_isup_out_fix(is, f, &len, SPAN_FRAME_MAX);
			ret = span_send(is->ts->span, f, len);
			if (ret < 0 && ret != -ENETDOWN)
				LOGW("isup", "span %s: frame not sent: %s", is->ts->conf->name, strerror(-ret));
			if (len > TDM_ISUP_PARM_MTP2_LEN && (f[2] & 0x3f) >= 3)
				tdm_isup_resched(is);	/* an MSU: libss7 may have started its MTP2 T7 */
		}
	}
	is->pumping = 0;
}

/* incoming IAM: take out what libss7 cannot read */
static void tdm_isup_in_take(struct tdm_isup *is, uint8_t *f, size_t *len)
{
	struct tdm_isup_parm_msg m;
	struct tdm_isup_cic *r;
	uint8_t v[MAP_UUI_MAX + 1];
	size_t vlen = 0;
	int ret;

	if (tdm_isup_parm_parse(f, *len, &m) || m.type != TDM_ISUP_PARM_IAM || !(r = tdm_isup_cic_of(is, m.cic)))
		return;
	r->in_cdti = 0;
	r->in_uui_len = 0;
	ret = tdm_isup_parm_iam_extract(f, len, MAP_ISUP_CALL_DIVERSION_TREATMENT, v, sizeof(v), &vlen);
	if (ret > 0 && map_isup_cdti_decode(&r->in_cdti, v, vlen) < 0)
		TDM_LOGC(LOG_LVL_NOTICE, r->circ, "IAM: call diversion treatment indicators not understood");
	if (ret >= 0)
		ret = tdm_isup_parm_iam_extract(f, len, MAP_ISUP_USER_TO_USER, r->in_uui, sizeof(r->in_uui), &r->in_uui_len);
	if (ret < 0)
		TDM_LOGC(LOG_LVL_WARN, r->circ, "IAM: optional part not read: %s", strerror(-ret));
}

/*
 * libss7 2.0 trusts every length and pointer of what it reads.  A frame that is no signal unit
 * (length, LI) is dropped before libss7's MTP2 sees it, as MTP2 drops a frame with a bad FCS: the
 * far end retransmits it.  An MSU in good MTP2 order whose contents libss7 must not read is made
 * one of a spare user part (same BSN, FSN, routing label): MTP2 accepts it in sequence and MTP3
 * drops it, so ISUP discards the message (Q.764 2.10.5) without a retransmission loop.  0 to pass
 * f (*len updated) to libss7, -EBADMSG to drop it.
 */
static int tdm_isup_rx_check(struct tdm_isup *is, uint8_t *f, size_t *len)
{
	struct tdm_isup_parm_msg m;
	const char *why = NULL;
	int ret = tdm_isup_parm_check(f, *len, &m, &why);

	if (ret == -EBADMSG) {
		is->bad_frames++;
		LOGI("isup", "span %s: frame of %zu octets dropped: %s (%lu so far)", is->ts->conf->name, *len, why,
		     is->bad_frames);
		return ret;
	}
	if (ret < 0) {
		is->bad_msus++;
		LOGI("isup", "span %s: cic %d: message type 0x%02x discarded: %s (%lu so far)", is->ts->conf->name, m.cic,
		     m.type & 0xff, why, is->bad_msus);
		*len = tdm_isup_parm_neutralize(f, *len);
	}
	return 0;
}

/*
 * libss7 2.0's MTP2 frees the MSUs a BSN acknowledges without moving its retransmission position
 * (mtp2.c update_txbuf): a BSN acknowledging an MSU it is about to retransmit leaves it writing
 * freed memory.  A BSN ahead of the last MSU it wrote is held back to that MSU, and a negative
 * acknowledgement (BIB not its FIB: it retransmits from the MSU after that BSN) holds the next ones
 * back to that BSN until the retransmitted MSUs go out.  Acknowledgements are cumulative: the later
 * ones carry the rest once the retransmission has caught up.
 */
static void tdm_isup_rx_bsn(struct tdm_isup *is, uint8_t *f)
{
	int ahead = ((f[0] & 0x7f) - is->tx_fsn) & 0x7f;

	if (ahead && ahead < 64)
		f[0] = (uint8_t)((f[0] & 0x80) | is->tx_fsn);
	if ((f[0] & 0x80) != is->tx_fib)
		is->tx_fsn = f[0] & 0x7f;
}

static void tdm_isup_rx(void *arg, const uint8_t *frame, size_t len)
{
	struct tdm_isup *is = arg;
	uint8_t f[TDM_ISUP_FRAME_MAX];

	if (is->stopping || len > SPAN_FRAME_MAX)
		return;
	memcpy(f, frame, len);
	if (tdm_isup_rx_check(is, f, &len) < 0)
		return;
	tdm_isup_rx_bsn(is, f);
	tdm_isup_in_take(is, f, &len);
	memset(f + len, 0, TDM_ISUP_FCS_LEN);
	if (send(is->fd[1], f, len + TDM_ISUP_FCS_LEN, MSG_DONTWAIT) < 0) {
		LOGW("isup", "span %s: frame to libss7 dropped: %s", is->ts->conf->name, strerror(errno));
		return;
	}
	ss7_read(is->ss7, is->fd[0]);
	tdm_isup_drain(is);
}

static void tdm_isup_tx_ready(void *arg)
{
	tdm_isup_pump(arg);
}

static void tdm_isup_alarm(void *arg, int alarmed)
{
	struct tdm_isup *is = arg;

	if (is->alarmed == alarmed)
		return;
	is->alarmed = alarmed;
	LOGN("isup", "span %s: line %s", is->ts->conf->name, alarmed ? "in alarm" : "alarm cleared");
	if (alarmed)
		ss7_link_alarm(is->ss7, is->fd[0]);
	else
		ss7_link_noalarm(is->ss7, is->fd[0]);
	tdm_isup_drain(is);
}

static const struct span_cbs tdm_isup_span_cbs = {
	.rx = tdm_isup_rx,
	.tx_ready = tdm_isup_tx_ready,
	.alarm = tdm_isup_alarm,
};

/* ---- circuit groups: GRS, CGB, CGU ---- */

static int tdm_isup_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* the configured CICs within [first, last], sorted; their count */
static int tdm_isup_cics(struct tdm_isup *is, int first, int last, int *out)
{
	int n = 0;

	for (int i = 0; i < is->ts->ncirc; i++)
		if (is->ts->circ[i].cic >= first && is->ts->circ[i].cic <= last)
			out[n++] = is->ts->circ[i].cic;
	qsort(out, (size_t)n, sizeof(*out), tdm_isup_cmp_int);
	return n;
}

/* a circuit is reset: its call (if any) is over for the owner and for libss7 */
static void tdm_isup_cic_reset(struct tdm_isup_cic *r, int cause)
{
	if (r->circ->call) {
		tdm_isup_far_release(r, cause);
		tdm_isup_call_gone(r);
	}
	tdm_isup_cic_clear(r);
	tdm_isup_ic_free(r);
}

/* GRS for CICs a..b (contiguous, at most 32), Q.764 2.9.3.2 */
static int tdm_isup_grs_run(struct tdm_isup *is, int a, int b)
{
	struct tdm_isup_cic *ra = tdm_isup_cic_of(is, a);

	for (int cic = a; cic <= b; cic++) {
		struct tdm_isup_cic *r = tdm_isup_cic_of(is, cic);

		tdm_isup_cic_reset(r, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
		tdm_circuit_event(r->circ, TDM_CE_RESET);
	}
	TDM_LOGC(LOG_LVL_INFO, ra->circ, "GRS for CICs %d-%d", a, b);
	if (!tdm_isup_ic(ra) || isup_grs(is->ss7, ra->ic, b) < 0) {
		ra->ic = NULL;	/* libss7 frees it when sending fails */
		TDM_LOGC(LOG_LVL_WARN, ra->circ, "GRS for CICs %d-%d not sent: circuits left idle", a, b);
		for (int cic = a; cic <= b; cic++)
			tdm_circuit_event(tdm_isup_cic_of(is, cic)->circ, TDM_CE_RESET_DONE);
		return -EIO;
	}
	ra->grs_sent = 1;
	return 0;
}

static int tdm_isup_rsc(struct tdm_isup_cic *r, int cause);

/*
 * Reset the configured CICs in [first, last]: GRS per contiguous run of 2 to 32, RSC for a CIC
 * alone (Q.763 3.43: range 0 is reserved in a GRS, and a GRS with it is discarded, Q.764 2.9.3.3).
 */
static int tdm_isup_grs(struct tdm_isup *is, int first, int last)
{
	int cics[TDM_CHANS_MAX], n = tdm_isup_cics(is, first, last, cics), k = 0, end, ret = 0, r;

	while (k < n) {
		for (end = k; end + 1 < n && cics[end + 1] == cics[end] + 1 && cics[end + 1] - cics[k] < TDM_ISUP_GROUP_MAX;)
			end++;
		if (end == k)
			r = tdm_isup_rsc(tdm_isup_cic_of(is, cics[k]), TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
		else
			r = tdm_isup_grs_run(is, cics[k], cics[end]);
		if (r < 0)
			ret = -EIO;
		k = end + 1;
	}
	return ret;
}

/* ---- the link ---- */

static void tdm_isup_on_up(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	if (is->up)
		return;
	is->up = 1;
	LOGN("isup", "span %s: linkset up (OPC %u DPC %u)", is->ts->conf->name, is->ts->conf->opc, is->ts->conf->dpc);
	if (is->ts->conf->grs_at_start)
		tdm_isup_grs(is, 0, 0xfff);
	tdm_sig_link(is->ts, 1);
}

static void tdm_isup_on_down(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	LOGN("isup", "span %s: %s", is->ts->conf->name, e->e == MTP2_LINK_DOWN ? "MTP2 link down" : "linkset down");
	if (!is->up)
		return;
	is->up = 0;
	for (int i = 0; i < is->ts->ncirc; i++) {
		/* libss7 freed its calls when the linkset went down (call_null cleared ic); free the rest */
		tdm_isup_cic_clear(&is->cic[i]);
		tdm_isup_ic_free(&is->cic[i]);
		is->cic[i].grs_sent = 0;
	}
	tdm_sig_link(is->ts, 0);
}

static void tdm_isup_on_mtp2_up(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	LOGI("isup", "span %s: MTP2 link in service, awaiting the linkset", is->ts->conf->name);
}

/* ---- incoming call ---- */

static void tdm_isup_number(struct map_isup_number *n, const char *digits, int nai, int pres, int screen)
{
	size_t len;

	snprintf(n->digits, sizeof(n->digits), "%s", digits);
	len = strlen(n->digits);
	if (len && n->digits[len - 1] == '#')
		n->digits[len - 1] = '\0';	/* ST: libss7 appends it to every ITU called number */
	n->present = n->digits[0] || pres == MAP_PRES_NOT_AVAILABLE;
	n->nai = nai;
	n->npi = MAP_NPI_E164;	/* libss7 reads no numbering plan; it writes E.164 */
	n->pres = pres;
	n->screen = screen;
}

/* the IAM event and what the relay took out of the frame, in libss7's setter values */
static void tdm_isup_iam_params(const struct tdm_isup_cic *r, const ss7_event_iam *iam, int uui, struct map_isup *mi)
{
	memset(mi, 0, sizeof(*mi));
	tdm_isup_number(&mi->called, iam->called_party_num, iam->called_nai, MAP_PRES_ALLOWED, 0);
	tdm_isup_number(&mi->calling, iam->calling_party_num, iam->calling_nai, iam->presentation_ind,
			iam->screening_ind);
	tdm_isup_number(&mi->redirecting, iam->redirecting_num, iam->redirecting_num_nai,
			iam->redirecting_num_presentation_ind, 0);
	tdm_isup_number(&mi->orig_called, iam->orig_called_num, iam->orig_called_nai, iam->orig_called_pres_ind, 0);
	mi->redir_present = iam->redirect_info;
	mi->redir_ind = iam->redirect_info_ind;
	mi->redir_orig_reason = iam->redirect_info_orig_reas;
	mi->redir_counter = iam->redirect_info_counter;
	mi->redir_reason = iam->redirect_info_reas;
	mi->cdti = r->in_cdti;
	if (uui && r->in_uui_len) {
		memcpy(mi->uui, r->in_uui, r->in_uui_len);
		mi->uui_len = r->in_uui_len;
	}
}

static int tdm_isup_iam_setup(struct tdm_isup_cic *r, const ss7_event_iam *iam, struct tdm_setup *s)
{
	const struct tdm_span_conf *sc = r->is->ts->conf;
	struct map_isup mi;
	struct map_diag d;
	int ret;

	tdm_isup_iam_params(r, iam, sc->uui, &mi);
	memset(s, 0, sizeof(*s));
	map_diag_init(&d);
	ret = map_isup_to_call(&mi, tdm_tables(r->is->ts->tdm), sc->trusted, &s->call, &d);
	tdm_log_diag(sc->name, &d);
	if (ret < 0)
		return ret;
	s->screened = mi.calling.present && mi.calling.screen == MAP_SCREEN_NETWORK;
	s->trusted = sc->trusted;
	if (mi.uui_len && mi.uui_len <= sizeof(s->uui)) {
		memcpy(s->uui, mi.uui, mi.uui_len);
		s->uui_len = mi.uui_len;
	}
	return 0;
}

static void tdm_isup_on_iam(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	struct tdm_setup setup;
	struct tdm_call *call;
	int ret;

	if (r->circ->blocked & TDM_BLOCK_REMOTE) {
		/* Q.764 2.8.2.3 iv: an IAM unblocks a remotely blocked circuit */
		tdm_circuit_set_blocked(r->circ, TDM_BLOCK_REMOTE, 0);
	}
	ret = tdm_isup_iam_setup(r, &e->iam, &setup);
	if (ret < 0) {
		TDM_LOGC(LOG_LVL_WARN, r->circ, "IAM refused: the numbers cannot be read (%s)", strerror(-ret));
		isup_rel(is->ss7, r->ic, 28);	/* invalid number format */
		return;
	}
	TDM_LOGC(LOG_LVL_INFO, r->circ, "IAM called %s calling %s redirecting %s cdti %d uui %zu", setup.call.called.digits,
		 setup.call.calling.present ? setup.call.calling.digits : "-",
		 setup.call.redirecting.present ? setup.call.redirecting.digits : "-", setup.call.cdti, setup.uui_len);
	if ((r->circ->blocked & TDM_BLOCK_LOCAL) || tdm_sig_incoming(r->circ, r, &setup, &call) < 0) {
		TDM_LOGC(LOG_LVL_WARN, r->circ, "IAM refused: circuit %s", r->circ->blocked ? "blocked" : "not idle");
		isup_rel(is->ss7, r->ic, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
	}
}

/* ---- outgoing call progress ---- */

static void tdm_isup_t9_cb(void *arg)
{
	struct tdm_isup_cic *r = arg;

	TDM_LOGC(LOG_LVL_NOTICE, r->circ, "T9 expired: no answer, releasing (cause %d)", TDM_ISUP_CAUSE_NO_ANSWER);
	tdm_isup_far_release(r, TDM_ISUP_CAUSE_NO_ANSWER);
	if (r->ic)
		isup_rel(r->is->ss7, r->ic, TDM_ISUP_CAUSE_NO_ANSWER);
	else
		tdm_isup_call_gone(r);
	tdm_isup_drain(r->is);
}

/* an event for our outgoing call on r: the call, or NULL (logged) */
static struct tdm_call *tdm_isup_out_call(struct tdm_isup_cic *r, const char *what)
{
	struct tdm_call *call = r->circ->call;

	if (call && call->outgoing)
		return call;
	TDM_LOGC(LOG_LVL_NOTICE, r->circ, "%s without an outgoing call, ignored", what);
	return NULL;
}

static void tdm_isup_on_acm(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	struct tdm_call *call = tdm_isup_out_call(r, "ACM");
	int t9 = tdm_conf_isup_timer(is->ts->conf, TDM_ISUP_T9);

	if (!call)
		return;
	if (t9 > 0)
		ev_timer_start(is->ts->loop, &r->t9, (uint64_t)t9);
	tdm_sig_event(call, e->acm.called_party_status_ind == TDM_ISUP_BCI_SUBSCRIBER_FREE ? TDM_EV_ALERTING :
			    TDM_EV_PROGRESS, 0);
}

static void tdm_isup_on_answer(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	struct tdm_call *call = tdm_isup_out_call(r, e->e == ISUP_EVENT_CON ? "CON" : "ANM");

	if (!call)
		return;
	ev_timer_stop(is->ts->loop, &r->t9);
	tdm_sig_event(call, TDM_EV_ANSWER, 0);
}

/* CPG event information (Q.763 3.21) -> owner event */
static const struct {
	int type;
	int inband;
} tdm_isup_cpg_events[] = {
	[CPG_EVENT_ALERTING] = { TDM_EV_ALERTING, 0 },
	[CPG_EVENT_PROGRESS] = { TDM_EV_PROGRESS, 0 },
	[CPG_EVENT_INBANDINFO] = { TDM_EV_PROGRESS, 1 },
	[CPG_EVENT_CFB] = { TDM_EV_FORWARDED, 0 },
	[CPG_EVENT_CFNR] = { TDM_EV_FORWARDED, 0 },
	[CPG_EVENT_CFU] = { TDM_EV_FORWARDED, 0 },
};

static void tdm_isup_on_cpg(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	struct tdm_call *call = tdm_isup_out_call(r, "CPG");
	unsigned int ev = e->cpg.event & 0x7f;

	if (!call)
		return;
	if (ev >= sizeof(tdm_isup_cpg_events) / sizeof(tdm_isup_cpg_events[0]) || !tdm_isup_cpg_events[ev].type) {
		TDM_LOGC(LOG_LVL_NOTICE, r->circ, "CPG event %u not understood, ignored", ev);
		return;
	}
	tdm_sig_event(call, tdm_isup_cpg_events[ev].type, tdm_isup_cpg_events[ev].inband);
}

/* ---- release ---- */

static void tdm_isup_on_rel(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	TDM_LOGC(LOG_LVL_INFO, r->circ, "REL cause %d", e->rel.cause);
	tdm_isup_far_release(r, e->rel.cause);
	isup_rlc(is->ss7, r->ic);
	if (e->rel.got_sent_msg & ISUP_SENT_REL)
		return;	/* both sides released (Q.764 2.3.1 d): our REL still awaits its RLC */
	tdm_isup_ic_done(r);
	tdm_isup_call_gone(r);
}

static void tdm_isup_on_rlc(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	tdm_isup_call_gone(r);
	if (e->rlc.got_sent_msg & ISUP_SENT_RSC) {
		TDM_LOGC(LOG_LVL_INFO, r->circ, "RLC: reset acknowledged");
		tdm_circuit_event(r->circ, TDM_CE_RESET_DONE);
	}
	tdm_isup_ic_done(r);
}

/* ---- maintenance received (Q.764 2.8, 2.9) ---- */

static void tdm_isup_on_rsc(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	TDM_LOGC(LOG_LVL_INFO, r->circ, "RSC received");
	if (r->circ->call) {
		tdm_isup_far_release(r, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
		tdm_isup_call_gone(r);
	}
	/* Q.764 2.9.3.1: a reset removes the remote blocking; our own blocking is told again (BLO) */
	tdm_circuit_set_blocked(r->circ, TDM_BLOCK_REMOTE, 0);
	if (r->circ->blocked & TDM_BLOCK_LOCAL) {
		TDM_LOGC(LOG_LVL_INFO, r->circ, "RSC on a locally blocked circuit: BLO sent again");
		if (!r->ic || isup_blo(is->ss7, r->ic) < 0)
			r->ic = NULL;	/* libss7 frees its call when sending fails */
	}
	if (r->ic)
		isup_rlc(is->ss7, r->ic);
	tdm_isup_ic_done(r);
}

/*
 * Q.763 3.43, Q.764 2.9.3.3: a GRS (range 1-31) or CGB/CGU (here 1-31: libss7 acknowledges no
 * more) with another range is discarded; libss7's call for it goes unless it carries something
 * else (a call on that CIC).  1 when discarded.  tdm_isup_rx_check refuses these already.
 */
static int tdm_isup_group_discard(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event_cicrange *g)
{
	int range = g->endcic - g->startcic;
	struct isup_call *ic;

	if (range >= 1 && range < TDM_ISUP_GROUP_MAX)
		return 0;
	LOGI("isup", "span %s: cic %d: %s with range %d discarded", is->ts->conf->name, g->startcic,
	     ss7_event2str(g->e), range);
	ic = isup_free_call_if_clear(is->ss7, g->call);
	if (r && r->ic == g->call)
		r->ic = ic;
	return 1;
}

static void tdm_isup_on_grs(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	unsigned char status[TDM_ISUP_GROUP_MAX] = { 0 };
	const ss7_event_cicrange *g = &e->grs;
	struct isup_call *ic = g->call;

	if (tdm_isup_group_discard(is, r, g))
		return;
	LOGI("isup", "span %s: GRS received for CICs %d-%d", is->ts->conf->name, g->startcic, g->endcic);
	for (int cic = g->startcic; cic <= g->endcic && cic - g->startcic < TDM_ISUP_GROUP_MAX; cic++) {
		struct tdm_isup_cic *x = tdm_isup_cic_of(is, cic);

		if (!x)
			continue;
		if (x->circ->call) {
			tdm_isup_far_release(x, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
			tdm_isup_call_gone(x);
		}
		tdm_circuit_set_blocked(x->circ, TDM_BLOCK_REMOTE, 0);
		status[cic - g->startcic] = !!(x->circ->blocked & TDM_BLOCK_LOCAL);
		if (x != r && !x->grs_sent)
			tdm_isup_ic_free(x);
	}
	if (isup_gra(is->ss7, ic, g->endcic, status) < 0)
		ic = NULL;
	if (r && r->grs_sent) {
		/* our own GRS from this CIC crossed theirs: keep its call for our GRA */
		isup_clear_callflags(is->ss7, ic, ISUP_CALL_CONNECTED | ISUP_CALL_PENDING);
		r->ic = ic;
	} else if (r) {
		r->ic = ic;
		tdm_isup_ic_free(r);
	} else if (ic) {
		isup_free_call(is->ss7, ic);
	}
}

static void tdm_isup_on_gra(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	const ss7_event_cicrange *g = &e->gra;

	LOGI("isup", "span %s: GRA received for CICs %d-%d", is->ts->conf->name, g->startcic, g->endcic);
	for (int cic = g->startcic; cic <= g->endcic && cic - g->startcic < TDM_ISUP_GROUP_MAX; cic++) {
		struct tdm_isup_cic *x = tdm_isup_cic_of(is, cic);

		if (!x)
			continue;
		if (x->circ->state == TDM_CS_RESETTING)
			tdm_circuit_event(x->circ, TDM_CE_RESET_DONE);
		/* status bit 1: blocked for maintenance at the far end (Q.763 3.43) */
		tdm_circuit_set_blocked(x->circ, TDM_BLOCK_REMOTE, g->status[cic - g->startcic]);
	}
	if (r) {
		r->grs_sent = 0;
		r->ic = g->call;
		tdm_isup_ic_done(r);
	}
}

static void tdm_isup_on_blo(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	int blo = e->e == ISUP_EVENT_BLO;

	TDM_LOGC(LOG_LVL_INFO, r->circ, "%s received", blo ? "BLO" : "UBL");
	tdm_circuit_set_blocked(r->circ, TDM_BLOCK_REMOTE, blo);
	if (blo)
		isup_bla(is->ss7, r->ic);
	else
		isup_uba(is->ss7, r->ic);
	tdm_isup_ic_done(r);
}

/* BLA, UBA, CGBA, CGUA: the blocking state was set when the request was sent */
static void tdm_isup_on_ack(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	if (!r)
		return;
	TDM_LOGC(LOG_LVL_INFO, r->circ, "%s received", ss7_event2str(e->e));
	if (e->e == ISUP_EVENT_CGBA || e->e == ISUP_EVENT_CGUA)
		r->ic = e->cgba.call;
	tdm_isup_ic_done(r);
}

static void tdm_isup_on_cgb(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e)
{
	const ss7_event_cicrange *g = &e->cgb;
	int blo = e->e == ISUP_EVENT_CGB;
	unsigned char status[TDM_ISUP_GROUP_MAX] = { 0 };
	struct isup_call *ic = g->call;

	if (tdm_isup_group_discard(is, r, g))
		return;
	LOGI("isup", "span %s: %s received for CICs %d-%d", is->ts->conf->name, blo ? "CGB" : "CGU", g->startcic,
	     g->endcic);
	for (int cic = g->startcic; cic <= g->endcic && cic - g->startcic < TDM_ISUP_GROUP_MAX; cic++) {
		struct tdm_isup_cic *x = tdm_isup_cic_of(is, cic);

		status[cic - g->startcic] = g->status[cic - g->startcic];
		if (x && status[cic - g->startcic])
			tdm_circuit_set_blocked(x->circ, TDM_BLOCK_REMOTE, blo);
	}
	if ((blo ? isup_cgba(is->ss7, ic, g->endcic, status) : isup_cgua(is->ss7, ic, g->endcic, status)) < 0)
		ic = NULL;
	if (r) {
		r->ic = ic;
		tdm_isup_ic_done(r);
	} else if (ic) {
		isup_free_call_if_clear(is->ss7, ic);
	}
}

/* ---- libss7's events ---- */

typedef void (*tdm_isup_handler_fn)(struct tdm_isup *is, struct tdm_isup_cic *r, const ss7_event *e);

/* per libss7 event: handler, where the event keeps its struct isup_call *, single-CIC message */
static const struct tdm_isup_handler {
	tdm_isup_handler_fn fn;
	size_t call_off;
	int per_cic;
} tdm_isup_handlers[] = {
	[SS7_EVENT_UP] = { tdm_isup_on_up, 0, 0 },
	[SS7_EVENT_DOWN] = { tdm_isup_on_down, 0, 0 },
	[MTP2_LINK_UP] = { tdm_isup_on_mtp2_up, 0, 0 },
	[MTP2_LINK_DOWN] = { tdm_isup_on_down, 0, 0 },
	[ISUP_EVENT_IAM] = { tdm_isup_on_iam, offsetof(ss7_event, iam.call), 1 },
	[ISUP_EVENT_ACM] = { tdm_isup_on_acm, offsetof(ss7_event, acm.call), 1 },
	[ISUP_EVENT_ANM] = { tdm_isup_on_answer, offsetof(ss7_event, anm.call), 1 },
	[ISUP_EVENT_CON] = { tdm_isup_on_answer, offsetof(ss7_event, con.call), 1 },
	[ISUP_EVENT_CPG] = { tdm_isup_on_cpg, offsetof(ss7_event, cpg.call), 1 },
	[ISUP_EVENT_REL] = { tdm_isup_on_rel, offsetof(ss7_event, rel.call), 1 },
	[ISUP_EVENT_RLC] = { tdm_isup_on_rlc, offsetof(ss7_event, rlc.call), 1 },
	[ISUP_EVENT_RSC] = { tdm_isup_on_rsc, offsetof(ss7_event, rsc.call), 1 },
	[ISUP_EVENT_GRS] = { tdm_isup_on_grs, offsetof(ss7_event, grs.call), 0 },
	[ISUP_EVENT_GRA] = { tdm_isup_on_gra, offsetof(ss7_event, gra.call), 0 },
	[ISUP_EVENT_BLO] = { tdm_isup_on_blo, offsetof(ss7_event, blo.call), 1 },
	[ISUP_EVENT_UBL] = { tdm_isup_on_blo, offsetof(ss7_event, ubl.call), 1 },
	[ISUP_EVENT_BLA] = { tdm_isup_on_ack, offsetof(ss7_event, bla.call), 1 },
	[ISUP_EVENT_UBA] = { tdm_isup_on_ack, offsetof(ss7_event, uba.call), 1 },
	[ISUP_EVENT_CGB] = { tdm_isup_on_cgb, offsetof(ss7_event, cgb.call), 0 },
	[ISUP_EVENT_CGU] = { tdm_isup_on_cgb, offsetof(ss7_event, cgu.call), 0 },
	[ISUP_EVENT_CGBA] = { tdm_isup_on_ack, offsetof(ss7_event, cgba.call), 0 },
	[ISUP_EVENT_CGUA] = { tdm_isup_on_ack, offsetof(ss7_event, cgua.call), 0 },
	/* every other ISUP event: logged, libss7's call freed when clear (the generic path) */
	[ISUP_EVENT_UCIC] = { NULL, offsetof(ss7_event, ucic.call), 1 },
	[ISUP_EVENT_SUS] = { NULL, offsetof(ss7_event, sus.call), 1 },
	[ISUP_EVENT_RES] = { NULL, offsetof(ss7_event, res.call), 1 },
	[ISUP_EVENT_SAM] = { NULL, offsetof(ss7_event, sam.call), 1 },
	[ISUP_EVENT_COT] = { NULL, offsetof(ss7_event, cot.call), 1 },
	[ISUP_EVENT_CCR] = { NULL, offsetof(ss7_event, ccr.call), 1 },
	[ISUP_EVENT_CQM] = { NULL, offsetof(ss7_event, cqm.call), 0 },
	[ISUP_EVENT_FAR] = { NULL, offsetof(ss7_event, far.call), 1 },
	[ISUP_EVENT_FAA] = { NULL, offsetof(ss7_event, faa.call), 1 },
	[ISUP_EVENT_FRJ] = { NULL, offsetof(ss7_event, frj.call), 1 },
	[ISUP_EVENT_LPA] = { NULL, offsetof(ss7_event, lpa.call), 1 },
	[ISUP_EVENT_CVT] = { NULL, offsetof(ss7_event, cvt.call), 1 },
	[ISUP_EVENT_DIGITTIMEOUT] = { NULL, offsetof(ss7_event, digittimeout.call), 1 },
};

#define TDM_ISUP_NHANDLERS (sizeof(tdm_isup_handlers) / sizeof(tdm_isup_handlers[0]))

static void tdm_isup_event(struct tdm_isup *is, const ss7_event *e)
{
	const struct tdm_isup_handler *h = e->e >= 0 && (size_t)e->e < TDM_ISUP_NHANDLERS ? &tdm_isup_handlers[e->e] : NULL;
	struct tdm_isup_cic *r = NULL;
	struct isup_call *ic = NULL;

	if (h && h->call_off) {
		memcpy(&ic, (const char *)e + h->call_off, sizeof(ic));
		r = tdm_isup_cic_of(is, e->gen.data);	/* every ISUP event starts with e, then its (first) CIC */
		if (r && h->per_cic)
			r->ic = ic;
		if (!r && h->per_cic) {
			LOGW("isup", "span %s: %s for CIC %d, which is not configured", is->ts->conf->name,
			     ss7_event2str(e->e), e->gen.data);
			isup_free_call(is->ss7, ic);
			return;
		}
	}
	if (h && h->fn) {
		h->fn(is, r, e);
		return;
	}
	LOGI("isup", "span %s: %s on CIC %d not handled", is->ts->conf->name, ss7_event2str(e->e), e->gen.data);
	if (r && r->ic == ic)
		tdm_isup_ic_done(r);
	else if (ic)
		isup_free_call_if_clear(is->ss7, ic);
}

/* ---- libss7's callbacks (global, called inside libss7: record, act later) ---- */

static int tdm_isup_hangup_cb(struct ss7 *ss7, int cic, unsigned int dpc, int cause, int do_hangup)
{
	struct tdm_isup *is = tdm_isup_of(ss7);
	struct tdm_isup_cic *r = is && !is->stopping ? tdm_isup_cic_of(is, cic) : NULL;

	if (!r)
		return SS7_CIC_NOT_EXISTS;
	if (!r->circ->call)
		return SS7_CIC_IDLE;
	r->hangup = do_hangup + 1;
	r->hangup_cause = cause;
	r->hangup_opc = dpc;
	tdm_isup_kick(is);
	return SS7_CIC_USED;
}

static void tdm_isup_call_null_cb(struct ss7 *ss7, struct isup_call *c, int lock)
{
	struct tdm_isup *is = tdm_isup_of(ss7);

	for (int i = 0; is && i < is->ts->ncirc; i++) {
		struct tdm_isup_cic *r = &is->cic[i];

		if (r->ic != c)
			continue;
		r->ic = NULL;
		if (r->circ->call && !is->stopping) {
			r->lost = 1;
			r->dropped = 1;
			tdm_isup_kick(is);
		}
	}
}

static void tdm_isup_notinservice_cb(struct ss7 *ss7, int cic, unsigned int dpc)
{
	struct tdm_isup *is = tdm_isup_of(ss7);

	LOGW("isup", "span %s: CIC %d (DPC %u): T5 expired, the circuit is not in service",
	     is ? is->ts->conf->name : "?", cic, dpc);
}

static void tdm_isup_log_cb(int level, struct ss7 *ss7, char *message)
{
	struct tdm_isup *is = tdm_isup_of(ss7);
	size_t n = strlen(message);

	while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
		message[--n] = '\0';
	if (n)
		log_write(level, "libss7", "%s: %s", is ? is->ts->conf->name : "-", message);
}

static void tdm_isup_message_cb(struct ss7 *ss7, char *message)
{
	tdm_isup_log_cb(LOG_LVL_DEBUG, ss7, message);
}

static void tdm_isup_error_cb(struct ss7 *ss7, char *message)
{
	tdm_isup_log_cb(LOG_LVL_NOTICE, ss7, message);
}

/* ---- work recorded by the callbacks ---- */

/* send RSC for r, its call (if any) ended for the owner with cause */
static int tdm_isup_rsc(struct tdm_isup_cic *r, int cause)
{
	if (r->circ->call) {
		tdm_isup_far_release(r, cause);
		tdm_isup_call_gone(r);
	}
	tdm_circuit_event(r->circ, TDM_CE_RESET);
	TDM_LOGC(LOG_LVL_INFO, r->circ, "RSC");
	if (!tdm_isup_ic(r) || isup_rsc(r->is->ss7, r->ic) < 0) {
		r->ic = NULL;	/* libss7 frees it when sending fails */
		TDM_LOGC(LOG_LVL_WARN, r->circ, "RSC not sent: circuit left idle");
		tdm_circuit_event(r->circ, TDM_CE_RESET_DONE);
		return -EIO;
	}
	return 0;
}

/* Q.764 2.9.1.4: the far end controls this CIC; its IAM is raised again once our call is gone */
static void tdm_isup_glare_lost(struct tdm_isup_cic *r)
{
	TDM_LOGC(LOG_LVL_NOTICE, r->circ, "dual seizure: the far end controls this CIC, our call backs off");
	tdm_isup_far_release(r, TDM_ISUP_CAUSE_NO_CIRCUIT);
	tdm_isup_call_gone(r);
	if (!r->ic)
		return;
	isup_clear_callflags(r->is->ss7, r->ic, ISUP_SENT_IAM);
	isup_event_iam(r->is->ss7, r->ic, (int)r->hangup_opc);
}

static const char *tdm_isup_hangup_name(int hangup)
{
	static const char *const names[] = {
		[SS7_HANGUP_DO_NOTHING] = "hang up",
		[SS7_HANGUP_SEND_REL] = "release (REL)",
		[SS7_HANGUP_SEND_RSC] = "reset the circuit (RSC)",
		[SS7_HANGUP_SEND_RLC] = "complete the release (RLC)",
		[SS7_HANGUP_FREE_CALL] = "drop the call",
		[SS7_HANGUP_REEVENT_IAM] = "back off (dual seizure)",
	};

	return hangup >= 0 && hangup < (int)(sizeof(names) / sizeof(names[0])) ? names[hangup] : "?";
}

static void tdm_isup_deferred(struct tdm_isup_cic *r)
{
	int hangup = r->hangup - 1, cause = r->hangup_cause;

	if (r->dropped && r->is->up) {
		/* Q.764 2.10.3.1: the far end may still hold the call: reset the circuit, resetting until RLC */
		TDM_LOGC(LOG_LVL_NOTICE, r->circ, "libss7 dropped the call: circuit reset (RSC)");
		r->dropped = r->lost = r->hangup = 0;
		tdm_isup_rsc(r, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
		return;
	}
	if (r->lost || (r->hangup && !r->circ->call)) {
		TDM_LOGC(LOG_LVL_NOTICE, r->circ, "libss7 dropped the call");
		tdm_isup_far_release(r, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);
		tdm_isup_call_gone(r);
		return;
	}
	r->hangup = 0;
	TDM_LOGC(LOG_LVL_INFO, r->circ, "libss7 asks to %s, cause %d", tdm_isup_hangup_name(hangup), cause);
	switch (hangup) {
	case SS7_HANGUP_REEVENT_IAM:
		tdm_isup_glare_lost(r);
		break;
	case SS7_HANGUP_SEND_REL:
		tdm_isup_far_release(r, cause);
		if (!r->ic || isup_rel(r->is->ss7, r->ic, cause) < 0)
			tdm_isup_call_gone(r);
		break;
	case SS7_HANGUP_SEND_RSC:
		tdm_isup_rsc(r, cause);
		break;
	case SS7_HANGUP_SEND_RLC:
		tdm_isup_far_release(r, cause);
		if (r->ic)
			isup_rlc(r->is->ss7, r->ic);
		tdm_isup_ic_done(r);
		tdm_isup_call_gone(r);
		break;
	default:
		tdm_isup_far_release(r, cause);
		tdm_isup_call_gone(r);
		tdm_isup_ic_free(r);
		break;
	}
}

#define TDM_ISUP_DRAIN_ROUNDS 8

static void tdm_isup_drain(struct tdm_isup *is)
{
	ss7_event *e, ev;
	int round, more = 1;

	if (is->draining || is->stopping)
		return;
	is->draining = 1;
	for (round = 0; more && round < TDM_ISUP_DRAIN_ROUNDS; round++) {
		while ((e = ss7_check_event(is->ss7))) {
			ev = *e;
			tdm_isup_event(is, &ev);
		}
		more = 0;
		for (int i = 0; i < is->ts->ncirc; i++)
			if (is->cic[i].hangup || is->cic[i].lost) {
				tdm_isup_deferred(&is->cic[i]);
				more = 1;
			}
	}
	is->draining = 0;
	if (more)
		tdm_isup_kick(is);
	tdm_isup_resched(is);
	tdm_isup_pump(is);
}

/* ---- calls: the core's operations ---- */

static void tdm_isup_iam_set(struct tdm_isup_cic *r, const struct map_isup *mi)
{
	struct isup_call *ic = r->ic;

	isup_set_called(ic, mi->called.digits, (unsigned char)mi->called.nai, r->is->ss7);
	if (mi->calling.present)
		isup_set_calling(ic, mi->calling.digits, (unsigned char)mi->calling.nai, (unsigned char)mi->calling.pres,
				 (unsigned char)mi->calling.screen);
	/* the screening bits of these two numbers are spare (Q.763 3.39, 3.44) */
	if (mi->redirecting.present)
		isup_set_redirecting_number(ic, mi->redirecting.digits, (unsigned char)mi->redirecting.nai,
					    (unsigned char)mi->redirecting.pres, 0);
	if (mi->orig_called.present)
		isup_set_orig_called_num(ic, mi->orig_called.digits, (unsigned char)mi->orig_called.nai,
					 (unsigned char)mi->orig_called.pres, 0);
	if (mi->redir_present)
		isup_set_redirection_info(ic, (unsigned char)mi->redir_ind, (unsigned char)mi->redir_orig_reason,
					  (unsigned char)mi->redir_counter, (unsigned char)mi->redir_reason);
}

/* what the relay inserts into this call's IAM */
static void tdm_isup_out_opts(struct tdm_isup_cic *r, const struct tdm_setup *setup, int cdti)
{
	int n = cdti ? map_isup_cdti_encode(cdti, r->out_cdti, sizeof(r->out_cdti)) : 0;

	r->out_cdti_len = n > 0 ? (size_t)n : 0;
	if (r->is->ts->conf->uui && setup->uui_len && setup->uui_len <= sizeof(r->out_uui)) {
		memcpy(r->out_uui, setup->uui, setup->uui_len);
		r->out_uui_len = setup->uui_len;
	}
}

static int tdm_isup_place(struct tdm_call *call, const struct tdm_setup *setup)
{
	struct tdm_isup_cic *r = tdm_isup_rec(call->circ);
	struct map_isup mi;
	struct map_diag d;
	int ret;

	map_diag_init(&d);
	ret = map_isup_from_call(&setup->call, tdm_tables(r->is->ts->tdm), &mi, &d);
	tdm_log_diag(call->name, &d);
	if (ret < 0)
		return ret;
	if (!mi.called.digits[0])
		return -EINVAL;
	tdm_isup_ic_done(r);
	if (r->ic)
		return -EBUSY;	/* libss7 still has something going on this CIC */
	tdm_isup_cic_clear(r);
	if (!tdm_isup_ic(r))
		return -ENOMEM;
	tdm_isup_iam_set(r, &mi);
	tdm_isup_out_opts(r, setup, map_call_no_diversion(&setup->call) ? MAP_CDTI_NOT_ALLOWED : mi.cdti);
	call->sig = r;
	if (isup_iam(r->is->ss7, r->ic) < 0) {
		r->ic = NULL;	/* freed by libss7 */
		tdm_isup_cic_clear(r);
		return -EIO;
	}
	TDM_LOGC(LOG_LVL_INFO, r->circ, "IAM called %s redirecting %s cdti %zu uui %zu", mi.called.digits,
		 mi.redirecting.present ? mi.redirecting.digits : "-", r->out_cdti_len, r->out_uui_len);
	tdm_isup_pump(r->is);
	return 0;
}

/* send with libss7's call of the CIC; libss7 frees the call when sending fails */
static int tdm_isup_sent(struct tdm_isup_cic *r, int ret)
{
	if (ret < 0) {
		r->ic = NULL;
		return -EIO;
	}
	tdm_isup_pump(r->is);
	return 0;
}

static int tdm_isup_acm(struct tdm_isup_cic *r, int status)
{
	if (r->acm_sent)
		return 0;
	r->acm_sent = 1;
	r->acm_status = status;
	return tdm_isup_sent(r, isup_acm(r->is->ss7, r->ic));
}

static int tdm_isup_cpg(struct tdm_isup_cic *r, int event)
{
	return tdm_isup_sent(r, isup_cpg(r->is->ss7, r->ic, event));
}

/* the CIC's record of an incoming call the owner acts on */
static struct tdm_isup_cic *tdm_isup_call_rec(struct tdm_call *call)
{
	struct tdm_isup_cic *r = tdm_isup_rec(call->circ);

	return r->ic ? r : NULL;
}

static int tdm_isup_proceeding(struct tdm_call *call)
{
	struct tdm_isup_cic *r = tdm_isup_call_rec(call);

	return r ? tdm_isup_acm(r, TDM_ISUP_BCI_NO_INDICATION) : -ENOLINK;
}

static int tdm_isup_progress(struct tdm_call *call, int inband)
{
	struct tdm_isup_cic *r = tdm_isup_call_rec(call);
	int ret;

	if (!r)
		return -ENOLINK;
	if (!r->acm_sent) {
		ret = tdm_isup_acm(r, TDM_ISUP_BCI_NO_INDICATION);
		return ret < 0 || !inband ? ret : tdm_isup_cpg(r, CPG_EVENT_INBANDINFO);
	}
	return tdm_isup_cpg(r, inband ? CPG_EVENT_INBANDINFO : CPG_EVENT_PROGRESS);
}

static int tdm_isup_alert(struct tdm_call *call, int inband)
{
	struct tdm_isup_cic *r = tdm_isup_call_rec(call);

	if (!r)
		return -ENOLINK;
	if (!r->acm_sent)
		return tdm_isup_acm(r, TDM_ISUP_BCI_SUBSCRIBER_FREE);
	return tdm_isup_cpg(r, CPG_EVENT_ALERTING);
}

static int tdm_isup_forwarded(struct tdm_call *call)
{
	struct tdm_isup_cic *r = tdm_isup_call_rec(call);
	int ret;

	if (!r)
		return -ENOLINK;
	ret = tdm_isup_acm(r, TDM_ISUP_BCI_NO_INDICATION);
	return ret < 0 ? ret : tdm_isup_cpg(r, CPG_EVENT_CFU);
}

static int tdm_isup_answer(struct tdm_call *call)
{
	struct tdm_isup_cic *r = tdm_isup_call_rec(call);

	if (!r)
		return -ENOLINK;
	if (r->acm_sent)
		return tdm_isup_sent(r, isup_anm(r->is->ss7, r->ic));
	r->acm_sent = 1;
	return tdm_isup_sent(r, isup_con(r->is->ss7, r->ic));
}

static int tdm_isup_release(struct tdm_call *call, int cause)
{
	struct tdm_isup_cic *r = tdm_isup_rec(call->circ);

	ev_timer_stop(r->is->ts->loop, &r->t9);
	if (!r->ic || tdm_isup_sent(r, isup_rel(r->is->ss7, r->ic, cause)) < 0) {
		/* nothing to release on the wire: the call goes once this callback is over */
		r->lost = 1;
		tdm_isup_kick(r->is);
	}
	return 0;
}

/* ---- maintenance: the core's operations ---- */

static int tdm_isup_block(struct tdm_circuit *c, int block)
{
	struct tdm_isup_cic *r = tdm_isup_rec(c);

	if (!tdm_isup_ic(r))
		return -ENOMEM;
	/* Q.764 2.8.2: the circuit is blocked for our outgoing calls as soon as BLO is sent */
	tdm_circuit_set_blocked(c, TDM_BLOCK_LOCAL, block);
	return tdm_isup_sent(r, block ? isup_blo(r->is->ss7, r->ic) : isup_ubl(r->is->ss7, r->ic));
}

static int tdm_isup_reset(struct tdm_circuit *c)
{
	struct tdm_isup_cic *r = tdm_isup_rec(c);
	int ret = tdm_isup_rsc(r, TDM_ISUP_CAUSE_TEMPORARY_FAILURE);

	tdm_isup_pump(r->is);
	return ret;
}

static int tdm_isup_group_block(struct tdm_span *ts, int first, int last, int block)
{
	struct tdm_isup *is = ts->sig;
	struct tdm_isup_cic *rf = tdm_isup_cic_of(is, first);
	unsigned char status[TDM_ISUP_GROUP_MAX] = { 0 };
	int ret;

	if (!rf || last - first >= TDM_ISUP_GROUP_MAX)
		return -EINVAL;
	for (int cic = first; cic <= last; cic++) {
		struct tdm_isup_cic *x = tdm_isup_cic_of(is, cic);

		status[cic - first] = x != NULL;
		if (x)
			tdm_circuit_set_blocked(x->circ, TDM_BLOCK_LOCAL, block);
	}
	if (!tdm_isup_ic(rf))
		return -ENOMEM;
	/* circuit group supervision message type indicator 0: maintenance oriented (Q.763 3.13) */
	ret = block ? isup_cgb(is->ss7, rf->ic, last, status, 0) : isup_cgu(is->ss7, rf->ic, last, status, 0);
	return tdm_isup_sent(rf, ret);
}

static int tdm_isup_reset_all(struct tdm_span *ts)
{
	struct tdm_isup *is = ts->sig;
	int ret = tdm_isup_grs(is, 0, 0xfff);

	tdm_isup_pump(is);
	return ret;
}

/* ---- start and stop ---- */

static void tdm_isup_callbacks_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	ss7_set_message(tdm_isup_message_cb);
	ss7_set_error(tdm_isup_error_cb);
	ss7_set_hangup(tdm_isup_hangup_cb);
	ss7_set_call_null(tdm_isup_call_null_cb);
	ss7_set_notinservice(tdm_isup_notinservice_cb);
}

/* every configured Q.764 timer to libss7, except T9 (ours) */
static int tdm_isup_set_timers(struct tdm_isup *is, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = is->ts->conf;
	char name[8];

	for (int t = 0; t < TDM_ISUP_TIMER_COUNT; t++) {
		int ms = tdm_conf_isup_timer(sc, t);

		if (t == TDM_ISUP_T9 || ms <= 0)
			continue;
		snprintf(name, sizeof(name), "%s", tdm_conf_isup_timer_name(t));
		if (!ss7_set_isup_timer(is->ss7, name, ms)) {
			snprintf(err, errlen, "span %s: libss7 does not run ISUP timer %s", sc->name, name);
			return -EINVAL;
		}
	}
	return 0;
}

static int tdm_isup_socketpair(struct tdm_isup *is, char *err, size_t errlen)
{
	int buf = TDM_ISUP_SOCKBUF;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, is->fd) < 0) {
		snprintf(err, errlen, "span %s: socketpair: %s", is->ts->conf->name, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < 2; i++) {
		setsockopt(is->fd[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		setsockopt(is->fd[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	}
	return 0;
}

static void tdm_isup_unregister(struct tdm_isup *is)
{
	for (struct tdm_isup **pp = &tdm_isup_all; *pp; pp = &(*pp)->next)
		if (*pp == is) {
			*pp = is->next;
			break;
		}
}

static void tdm_isup_free(struct tdm_isup *is)
{
	is->stopping = 1;
	ev_timer_stop(is->ts->loop, &is->sched);
	ev_timer_stop(is->ts->loop, &is->kick);
	for (int i = 0; is->cic && i < is->ts->ncirc; i++)
		ev_timer_stop(is->ts->loop, &is->cic[i].t9);
	if (is->ss7)
		ss7_destroy(is->ss7);	/* frees its calls (call_null on each) */
	tdm_isup_unregister(is);
	for (int i = 0; i < 2; i++)
		if (is->fd[i] >= 0)
			close(is->fd[i]);
	free(is->cic);
	free(is);
}

static int tdm_isup_new(struct tdm_span *ts, struct tdm_isup **out, char *err, size_t errlen)
{
	struct tdm_isup *is = calloc(1, sizeof(*is));

	if (!is)
		return -ENOMEM;
	is->ts = ts;
	is->fd[0] = is->fd[1] = -1;
	is->tx_fsn = 127;
	is->tx_fib = 0x80;
	ev_timer_init(&is->sched, tdm_isup_sched_cb, is);
	ev_timer_init(&is->kick, tdm_isup_kick_cb, is);
	is->next = tdm_isup_all;
	tdm_isup_all = is;
	*out = is;
	is->cic = calloc(ts->ncirc ? (size_t)ts->ncirc : 1, sizeof(*is->cic));
	if (!is->cic)
		return -ENOMEM;
	for (int i = 0; i < ts->ncirc; i++) {
		is->cic[i].is = is;
		is->cic[i].circ = &ts->circ[i];
		ev_timer_init(&is->cic[i].t9, tdm_isup_t9_cb, &is->cic[i]);
	}
	is->ss7 = ss7_new(SS7_ITU);
	if (!is->ss7)
		return -ENOMEM;
	return tdm_isup_socketpair(is, err, errlen);
}

static int tdm_isup_start(struct tdm_span *ts, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = ts->conf;
	struct tdm_isup *is = NULL;
	int ret;

	tdm_isup_callbacks_once();
	ret = tdm_isup_new(ts, &is, err, errlen);
	if (ret < 0)
		goto fail;
	ss7_set_network_ind(is->ss7, sc->ni);
	ss7_set_pc(is->ss7, sc->opc);
	if (ss7_add_link(is->ss7, SS7_TRANSPORT_DAHDIDCHAN, is->fd[0], sc->slc, sc->dpc) < 0) {
		ret = -EINVAL;
		snprintf(err, errlen, "span %s: libss7 refused the signalling link", sc->name);
		goto fail;
	}
	ret = tdm_isup_set_timers(is, err, errlen);
	if (ret < 0)
		goto fail;
	ts->sig = is;
	span_set_cbs(ts->span, &tdm_isup_span_cbs, is);
	ss7_start(is->ss7);
	LOGI("isup", "span %s: OPC %u DPC %u NI %d SLC %d, %d circuits, aligning", sc->name, sc->opc, sc->dpc, sc->ni,
	     sc->slc, ts->ncirc);
	if (span_alarmed(ts->span))
		tdm_isup_alarm(is, 1);
	tdm_isup_drain(is);
	return 0;
fail:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "span %s: out of memory", sc->name);
	if (is)
		tdm_isup_free(is);
	return ret;
}

static void tdm_isup_noop_rx(void *arg, const uint8_t *frame, size_t len)
{
}

static void tdm_isup_noop(void *arg)
{
}

static void tdm_isup_noop_alarm(void *arg, int alarmed)
{
}

static const struct span_cbs tdm_isup_no_cbs = {
	.rx = tdm_isup_noop_rx,
	.tx_ready = tdm_isup_noop,
	.alarm = tdm_isup_noop_alarm,
};

static void tdm_isup_stop(struct tdm_span *ts)
{
	struct tdm_isup *is = ts->sig;

	if (!is)
		return;
	span_set_cbs(ts->span, &tdm_isup_no_cbs, NULL);
	tdm_isup_free(is);
	ts->sig = NULL;
}

const struct tdm_sig_ops tdm_isup_ops = {
	.name = "isup",
	.start = tdm_isup_start,
	.stop = tdm_isup_stop,
	.place = tdm_isup_place,
	.proceeding = tdm_isup_proceeding,
	.progress = tdm_isup_progress,
	.alert = tdm_isup_alert,
	.forwarded = tdm_isup_forwarded,
	.answer = tdm_isup_answer,
	.release = tdm_isup_release,
	.block = tdm_isup_block,
	.reset = tdm_isup_reset,
	.group_block = tdm_isup_group_block,
	.reset_all = tdm_isup_reset_all,
};
