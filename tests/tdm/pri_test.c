/*
 * pri_test.c - Q.931 over libpri between two loopback spans of one process (tdm_pri.c), for each
 * switch type (euroisdn with and without facility, ni2, qsig, dms100, lucent5e, 4ess) and both ways
 * (NET->CPE and CPE->NET):
 *  - the reason table per libpri path (tdm_pri_reason.c) and the User-user IE in a frame
 *    (tdm_pri_uui.c), without libpri;
 *  - a call for each of the seven redirecting reasons at counter 1 and one at counter 2, as the far
 *    side's call model sees it; what cannot survive is asserted as such (pri_cases below);
 *  - user-user data crossing (the gateway's convention, 50 octets, binary octets with another
 *    discriminator) and not crossing with uui = no;
 *  - progress / alerting / forwarded / answer / release with causes both ways, call collision;
 *  - RESTART of one channel and of the span, SERVICE where the switch type has it;
 *  - the line cut and restored (tdm_span_break), briefly and for long enough for Q.921 to fail:
 *    every call cleared on both sides, the link back;
 *  - the span's pcap trace decoded by tshark: the codepoints on the wire (skipped without tshark).
 * Every wait is bounded.  `pri_test SWITCH` (or `uui`) runs one part; TDM_LOG=debug shows the
 * stacks' logs; PRI_TEST_KEEP=1 keeps the traces in /tmp/pri_test*.
 */
#include <errno.h>
#include <libpri.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "map_q931.h"
#include "span.h"
#include "tdm_pri_reason.h"
#include "tdm_pri_uui.h"
#include "testlib.h"

#define WAIT_MS 5000
#define NCHAN 4

enum wire_path {
	WIRE_IE = 0,	/* Redirecting number IE: q931.extension.reason */
	WIRE_QSIG,	/* DivertingLegInformation2, qsig.cf.* */
	WIRE_ETSI,	/* DivertingLegInformation2, isdn-sup.* */
};

/* one configuration: what the far side's call model gets for each reason, and the wire code */
struct pri_case {
	const char *sw;
	const char *facility;
	int path;
	int far_reason[MAP_REASON_COUNT];
	int wire[MAP_REASON_COUNT];
	int uui480_reason;	/* deflection-immediate sent with UUI cause=480: the reason the far side gets */
	int uui480_cause;	/* ... and the cause kept (0: dropped because the protocol code disagrees) */
	int service;		/* SERVICE (blocking) available */
};

#define R_UNK MAP_REASON_UNKNOWN
#define R_BUSY MAP_REASON_USER_BUSY
#define R_NOREP MAP_REASON_NO_REPLY
#define R_UNCOND MAP_REASON_UNCONDITIONAL
#define R_DEFA MAP_REASON_DEFLECTION_ALERTING
#define R_DEFI MAP_REASON_DEFLECTION_IMMEDIATE

/*
 * far_reason and wire: per reason in enum map_reason order (unknown, busy, no reply, unconditional,
 * deflection alerting, deflection immediate, not reachable).  uui480: deflection immediate sent with
 * the user-to-user cause=480 - the IE and QSIG paths get the exact reason back (the code that
 * arrived is the one the table gives deflection-immediate), ETSI does not: libpri sent cdAlerting(4)
 * where etsi-reasons.tbl says cdImmediate(5), so the mapping drops the cause as contradicted.
 */
static const struct pri_case pri_cases[] = {
	/* ETSI: cdImmediate cannot be sent by libpri (goes as cdAlerting); not reachable is cfu */
	{ "euroisdn", "yes", WIRE_ETSI, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 2, 3, 1, 4, 4, 1 }, R_DEFA, 0, 0 },
	/* Q.931 IE: one deflection code 0100 for both; not reachable is 1111 */
	{ "ni2", "yes", WIRE_IE, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 1, 2, 15, 4, 4, 15 }, R_DEFI, 480, 1 },
	/* QSIG: no deflection, no not reachable: cfu */
	{ "qsig", "yes", WIRE_QSIG, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_UNCOND, R_UNCOND, R_UNCOND },
	  { 0, 2, 3, 1, 1, 1, 1 }, R_DEFI, 480, 0 },
	/* the other North American switch types: as NI-2 */
	{ "dms100", "yes", WIRE_IE, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 1, 2, 15, 4, 4, 15 }, R_DEFI, 480, 1 },
	{ "lucent5e", "yes", WIRE_IE, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 1, 2, 15, 4, 4, 15 }, R_DEFI, 480, 1 },
	{ "4ess", "yes", WIRE_IE, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 1, 2, 15, 4, 4, 15 }, R_DEFI, 480, 1 },
	/* EuroISDN without facility: the Redirecting number IE as for NI-2 */
	{ "euroisdn", "no", WIRE_IE, { R_UNK, R_BUSY, R_NOREP, R_UNCOND, R_DEFA, R_DEFA, R_UNCOND },
	  { 0, 1, 2, 15, 4, 4, 15 }, R_DEFI, 480, 0 },
};

static char tmpdir[64];
static void prelay_tests(void);
static int bad_lines;	/* log lines that mean a bug: state table refusals, calls left in libpri */
static int dchan_downs;	/* Q.921 saw its link fail */

static void log_hook(void *arg, int level, const char *line)
{
	(void)arg;
	if (strstr(line, "D-channel down (Q.921)"))
		dchan_downs++;
	if (level <= LOG_LVL_WARN && (strstr(line, "not allowed in this state") || strstr(line, "still holds") ||
				      strstr(line, "receive queue full"))) {
		bad_lines++;
		if (level > log_level())
			fprintf(stderr, "%s\n", line);
	}
}

/* ---- the reason tables, without libpri ---- */

static void reason_table_tests(void)
{
	static const struct {
		int proto, code, value, lossy;
	} to[] = {
		{ MAP_PROTO_Q931, 0, 0, 0 }, { MAP_PROTO_Q931, 1, 1, 0 }, { MAP_PROTO_Q931, 2, 2, 0 },
		{ MAP_PROTO_Q931, 4, 4, 0 }, { MAP_PROTO_Q931, 9, 9, 0 }, { MAP_PROTO_Q931, 15, 15, 0 },
		{ MAP_PROTO_ETSI, 0, PRI_REDIR_UNKNOWN, 0 }, { MAP_PROTO_ETSI, 1, PRI_REDIR_UNCONDITIONAL, 0 },
		{ MAP_PROTO_ETSI, 2, PRI_REDIR_FORWARD_ON_BUSY, 0 },
		{ MAP_PROTO_ETSI, 3, PRI_REDIR_FORWARD_ON_NO_REPLY, 0 },
		{ MAP_PROTO_ETSI, 4, PRI_REDIR_DEFLECTION, 0 }, { MAP_PROTO_ETSI, 5, PRI_REDIR_DEFLECTION, 1 },
		{ MAP_PROTO_QSIG, 0, PRI_REDIR_UNKNOWN, 0 }, { MAP_PROTO_QSIG, 1, PRI_REDIR_UNCONDITIONAL, 0 },
		{ MAP_PROTO_QSIG, 2, PRI_REDIR_FORWARD_ON_BUSY, 0 },
		{ MAP_PROTO_QSIG, 3, PRI_REDIR_FORWARD_ON_NO_REPLY, 0 },
		{ MAP_PROTO_QSIG, 4, PRI_REDIR_UNKNOWN, 1 },
	};
	static const struct {
		int proto, value, code, lossy;
	} from[] = {
		{ MAP_PROTO_Q931, 4, 4, 0 }, { MAP_PROTO_Q931, 15, 15, 0 },
		{ MAP_PROTO_Q931, PRI_REDIR_DEFLECTION, 4, 1 },	/* reserved 0011 from a libpri peer */
		{ MAP_PROTO_ETSI, PRI_REDIR_DEFLECTION, 4, 0 }, { MAP_PROTO_ETSI, PRI_REDIR_UNCONDITIONAL, 1, 0 },
		{ MAP_PROTO_ETSI, PRI_REDIR_FORWARD_ON_BUSY, 2, 0 },
		{ MAP_PROTO_ETSI, PRI_REDIR_FORWARD_ON_NO_REPLY, 3, 0 },
		{ MAP_PROTO_ETSI, PRI_REDIR_DTE_OUT_OF_ORDER, 0, 1 }, { MAP_PROTO_QSIG, PRI_REDIR_UNCONDITIONAL, 1, 0 },
		{ MAP_PROTO_QSIG, PRI_REDIR_DEFLECTION, 0, 1 },
	};
	int lossy;

	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		CHECK_INT(tdm_pri_reason_to_libpri(to[i].proto, to[i].code, &lossy), to[i].value, "reason to libpri");
		CHECK_INT(lossy, to[i].lossy, "reason to libpri: lossy");
	}
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		CHECK_INT(tdm_pri_reason_from_libpri(from[i].proto, from[i].value, &lossy), from[i].code,
			  "reason from libpri");
		CHECK_INT(lossy, from[i].lossy, "reason from libpri: lossy");
	}
}

/* ---- the User-user IE in a frame, without libpri ---- */

static void uui_frame_tests(void)
{
	/* I-frame; Q.931 SETUP, call reference of 2 octets; bearer capability; locking shift to codeset 6
	 * and an IE 0x7E of codeset 6; non-locking shift to codeset 0 and the User-user IE; sending
	 * complete */
	static const uint8_t f[] = { 0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90,
				     0xa2, 0x96, 0x7e, 0x01, 0x55, 0x98, 0x7e, 0x03, 0x04, 0x41, 0x42, 0xa1 };
	static const uint8_t uui[] = { 0x08, 0x00, 0xff };
	uint8_t out[64];
	size_t off = 0, n;

	CHECK_INT(tdm_pri_uui_find(f, sizeof(f), &off), 3, "User-user IE of codeset 0 found behind a shift");
	CHECK_INT(off, 19, "its offset");
	n = tdm_pri_uui_replace(f, sizeof(f), off, uui, sizeof(uui), out, sizeof(out));
	CHECK_INT(n, sizeof(f), "same length");
	CHECK(n && !memcmp(out + off, "\x7e\x03\x08\x00\xff\xa1", 6) && !memcmp(out, f, off),
	      "contents replaced, the rest kept");
	CHECK_INT(tdm_pri_uui_replace(f, sizeof(f), off, uui, sizeof(uui), out, 10), 0, "no room: 0");
	CHECK_INT(tdm_pri_uui_find(f, 18, &off), -1, "truncated frame: none");
	CHECK_INT(tdm_pri_uui_find((const uint8_t *)"\x00\x01\x01\x01", 4, &off), -1, "not an I-frame: none");
}

/* ---- helpers over the harness ---- */

static const char *pair_conf(const struct pri_case *pc, const char *trace)
{
	static char conf[2048];

	snprintf(conf, sizeof(conf),
		 "[span a]\nbackend = loopback\npeer = b\nsignalling = pri\nside = net\nswitchtype = %s\n"
		 "facility = %s\ndchan = 16\nbchan = 1-%d\ntimers = short\ntrusted = yes\ntrace = %s\n"
		 "[span b]\nbackend = loopback\npeer = a\nsignalling = pri\nside = cpe\nswitchtype = %s\n"
		 "facility = %s\ndchan = 16\nbchan = 1-%d\ntimers = short\ntrusted = yes\n",
		 pc->sw, pc->facility, NCHAN, trace, pc->sw, pc->facility, NCHAN);
	return conf;
}

static int all_idle(struct harness *h, void *arg)
{
	(void)arg;
	if (tdm_call_count(h->tdm))
		return 0;
	for (int ch = 1; ch <= NCHAN; ch++)
		if (harness_cstate(h, "a", ch, NULL) != TDM_CS_IDLE || harness_cstate(h, "b", ch, NULL) != TDM_CS_IDLE)
			return 0;
	return 1;
}

static void expect_idle(struct harness *h, const char *what)
{
	CHECK(harness_until(h, all_idle, NULL, WAIT_MS) == 0, "%s: every circuit idle and no call left (%zu calls)",
	      what, tdm_call_count(h->tdm));
	harness_clear(h);
}

static struct hev *expect_ev(struct harness *h, int type, const char *span, const char *what)
{
	struct hev *e = harness_wait(h, type, span, WAIT_MS);

	CHECK(e != NULL, "%s: %s on span %s", what, tdm_ev_name(type), span);
	return e;
}

static struct tdm_call *place(struct harness *h, const char *span, const struct tdm_setup *s, const char *what)
{
	struct tdm_call *call = NULL;
	int r = tdm_call_place(h->tdm, span, s, NULL, &call);

	CHECK(r == 0, "%s: call placed on %s (%d)", what, span, r);
	return r == 0 ? call : NULL;
}

static const char *peer_of(const char *span)
{
	return strcmp(span, "a") ? "a" : "b";
}

static void redir_setup(struct tdm_setup *s, int reason, int counter)
{
	harness_setup(s, "5552000", "5550100");
	harness_redirect(s, "5551002", reason);
	s->call.redir.counter = counter;
	if (counter > 1) {
		s->call.original_called = s->call.called;
		snprintf(s->call.original_called.digits, sizeof(s->call.original_called.digits), "5551001");
	}
}

static void set_uui(struct tdm_setup *s, const void *bytes, size_t len)
{
	memcpy(s->uui, bytes, len);
	s->uui_len = len;
}

/* place s from span, the far side refuses it with cause 21; returns the far side's setup */
static int call_seen(struct harness *h, const char *from, const struct tdm_setup *s, struct tdm_setup *far,
		     const char *what)
{
	struct hev *e;

	if (!place(h, from, s, what))
		return -1;
	e = expect_ev(h, TDM_EV_SETUP, peer_of(from), what);
	if (!e)
		return -1;
	*far = e->setup;
	tdm_call_release(e->call, 21);
	e = expect_ev(h, TDM_EV_RELEASE, from, what);
	if (e)
		CHECK_INT(e->cause, 21, "rejected call: the caller gets the cause");
	expect_idle(h, what);
	return 0;
}

/* ---- what each SETUP of span a's trace should show ---- */

struct wire_exp {
	int reason;		/* -1: no diversion */
	int counter;
	int pd;			/* user-user protocol discriminator, -1 none */
	char uui[64];		/* the user-user string (IA5), "" none */
};

struct wire_log {
	struct wire_exp e[64];
	int n;
	int deflection_immediate;	/* the wire code of deflection-immediate on this path */
};

static void wire_add(struct wire_log *w, int reason, int counter, int pd, const char *uui)
{
	if (w->n >= 64)
		return;
	w->e[w->n].reason = reason;
	w->e[w->n].counter = counter;
	w->e[w->n].pd = pd;
	snprintf(w->e[w->n].uui, sizeof(w->e[w->n].uui), "%s", uui ? uui : "");
	w->n++;
}

/* ---- redirecting reasons and counters ---- */

static void reason_calls(struct harness *h, const struct pri_case *pc, struct wire_log *w)
{
	static const char *const from[] = { "a", "b" };
	struct tdm_setup s, far;
	char what[96];

	for (int d = 0; d < 2; d++)
		for (int r = 0; r < MAP_REASON_COUNT; r++) {
			snprintf(what, sizeof(what), "%s facility=%s %s: %s", pc->sw, pc->facility,
				 d ? "CPE->NET" : "NET->CPE", map_reason_name(r));
			redir_setup(&s, r, 1);
			if (call_seen(h, from[d], &s, &far, what) < 0)
				continue;
			wire_add(w, pc->wire[r], 1, -1, NULL);
			CHECK(far.call.redir.present, "%s: the far side sees a redirected call", what);
			CHECK_INT(far.call.redir.reason, pc->far_reason[r], what);
			CHECK_INT(far.call.redir.counter, 1, what);
			CHECK_STR(far.call.redirecting.digits, "5551002", what);
			CHECK_STR(far.call.called.digits, "5552000", what);
			CHECK_STR(far.call.calling.digits, "5550100", what);
			CHECK(far.screened && far.trusted && far.call.calling_verified,
			      "%s: network-provided caller on a trusted span is screened (%d %d %d)", what,
			      far.screened, far.trusted, far.call.calling_verified);
			CHECK(!far.call.original_called.present, "%s: no original called number at counter 1", what);
		}
}

static void counter_calls(struct harness *h, const struct pri_case *pc, struct wire_log *w)
{
	struct tdm_setup s, far;
	char what[96];
	int facility = pc->path != WIRE_IE;

	snprintf(what, sizeof(what), "%s facility=%s: counter 2", pc->sw, pc->facility);
	redir_setup(&s, R_BUSY, 2);
	if (call_seen(h, "a", &s, &far, what) < 0)
		return;
	wire_add(w, pc->wire[R_BUSY], 2, -1, NULL);
	/* the Redirecting number IE has no counter and libpri sends no Original called number IE */
	CHECK_INT(far.call.redir.counter, facility ? 2 : 1, what);
	CHECK_INT(far.call.original_called.present, facility, what);
	if (facility)
		CHECK_STR(far.call.original_called.digits, "5551001", what);
	CHECK_INT(far.call.redir.reason, R_BUSY, what);
	if (pc->path == WIRE_QSIG)	/* QSIG alone has originalDiversionReason */
		CHECK_INT(far.call.redir.orig_reason, R_BUSY, "QSIG original diversion reason");
}

/* ---- user-user data ---- */

static void uui_call(struct harness *h, const char *what, const unsigned char *bytes, size_t len,
		     struct tdm_setup *far, struct wire_log *w, const char *wire_uui)
{
	struct tdm_setup s;

	redir_setup(&s, R_DEFI, 1);
	set_uui(&s, bytes, len);
	if (call_seen(h, "a", &s, far, what) == 0)
		wire_add(w, w->deflection_immediate, 1, bytes[0], wire_uui);
}

static void uui_calls(struct harness *h, const struct pri_case *pc, struct wire_log *w)
{
	static const char conv[] = "\x04UM/1;cause=480";
	static const char longer[] = "\x04UM/1;cause=487;skip-pin;sens=private-no-diversion";
	static const unsigned char binary[] = { 0x08, 0x00, 0xff, 0x80, 0x41, 0x7e };
	struct tdm_setup far;
	char what[96];

	snprintf(what, sizeof(what), "%s facility=%s: UUI cause=480", pc->sw, pc->facility);
	uui_call(h, what, (const unsigned char *)conv, sizeof(conv) - 1, &far, w, conv + 1);
	CHECK_INT(far.uui_len, sizeof(conv) - 1, what);
	CHECK(!memcmp(far.uui, conv, sizeof(conv) - 1), "%s: the octets cross unchanged", what);
	CHECK_INT(far.call.redir.reason, pc->uui480_reason, what);
	CHECK_INT(far.call.redir.cause, pc->uui480_cause, what);

	snprintf(what, sizeof(what), "%s facility=%s: UUI of %zu octets", pc->sw, pc->facility, sizeof(longer) - 1);
	uui_call(h, what, (const unsigned char *)longer, sizeof(longer) - 1, &far, w, longer + 1);
	CHECK_INT(far.uui_len, sizeof(longer) - 1, what);
	CHECK(!memcmp(far.uui, longer, sizeof(longer) - 1), "%s: the octets cross unchanged", what);
	CHECK(far.call.um.skip_pin && far.call.um.sens == MAP_SENS_PRIVATE_NO_DIVERSION,
	      "%s: skip-pin and sens read on the trusted span", what);

	snprintf(what, sizeof(what), "%s facility=%s: binary UUI, discriminator 0x08", pc->sw, pc->facility);
	uui_call(h, what, binary, sizeof(binary), &far, w, NULL);
	CHECK_INT(far.uui_len, sizeof(binary), what);
	CHECK(!memcmp(far.uui, binary, sizeof(binary)), "%s: the octets cross unchanged", what);
}

/* ---- progress, answer and release both ways ---- */

static void progress_out(struct harness *h, const char *from, int notify, const char *what)
{
	const char *to = peer_of(from);
	struct tdm_setup s;
	struct tdm_call *call;
	struct hev *e, *in;

	harness_setup(&s, "5552000", "5550100");
	call = place(h, from, &s, what);
	in = call ? expect_ev(h, TDM_EV_SETUP, to, what) : NULL;
	if (!in)
		return;
	CHECK_INT(tdm_call_proceeding(in->call), 0, "CALL PROCEEDING sent");
	expect_ev(h, TDM_EV_PROCEEDING, from, what);
	CHECK_INT(tdm_call_progress(in->call, 1), 0, "PROGRESS sent");
	e = expect_ev(h, TDM_EV_PROGRESS, from, what);
	CHECK(e && e->inband, "%s: PROGRESS with in-band information", what);
	if (notify) {	/* libpri reports that NOTIFY only with a redirection number: nothing to wait for */
		CHECK_INT(tdm_call_forwarded(in->call), 0, "NOTIFY (call is diverting) sent");
	} else {
		CHECK_INT(tdm_call_forwarded(in->call), -ENOTSUP, "no NOTIFY (call is diverting) on this switch type");
	}
	CHECK_INT(tdm_call_alert(in->call, 0), 0, "ALERTING sent");
	e = expect_ev(h, TDM_EV_ALERTING, from, what);
	CHECK(e && !e->inband, "%s: ALERTING without in-band information", what);
	CHECK_INT(tdm_call_answer(in->call), 0, "CONNECT sent");
	expect_ev(h, TDM_EV_ANSWER, from, what);
	CHECK_INT(harness_cstate(h, from, tdm_call_chan(call), NULL), TDM_CS_ANSWERED, "caller's circuit answered");
	CHECK_INT(harness_cstate(h, to, tdm_call_chan(in->call), NULL), TDM_CS_ANSWERED, "callee's circuit answered");
	/* the callee clears with 16 */
	tdm_call_release(in->call, 16);
	e = expect_ev(h, TDM_EV_RELEASE, from, what);
	if (e)
		CHECK_INT(e->cause, 16, "callee clears: cause at the caller");
	expect_idle(h, what);
}

static void caller_clears(struct harness *h, const char *from, int cause, const char *what)
{
	struct tdm_setup s;
	struct tdm_call *call;
	struct hev *e, *in;

	harness_setup(&s, "5552000", "5550100");
	call = place(h, from, &s, what);
	in = call ? expect_ev(h, TDM_EV_SETUP, peer_of(from), what) : NULL;
	if (!in)
		return;
	tdm_call_alert(in->call, 1);
	e = expect_ev(h, TDM_EV_ALERTING, from, what);
	CHECK(e && e->inband, "%s: ALERTING with in-band information", what);
	tdm_call_release(call, cause);
	e = expect_ev(h, TDM_EV_RELEASE, peer_of(from), what);
	if (e)
		CHECK_INT(e->cause, cause, what);
	expect_idle(h, what);
}

static void callee_refuses(struct harness *h, const char *from, int cause, const char *what)
{
	struct tdm_setup s;
	struct hev *e, *in;

	harness_setup(&s, "5552000", NULL);
	in = place(h, from, &s, what) ? expect_ev(h, TDM_EV_SETUP, peer_of(from), what) : NULL;
	if (!in)
		return;
	CHECK(!in->setup.screened && !in->setup.call.calling.present, "%s: no calling number", what);
	tdm_call_release(in->call, cause);
	e = expect_ev(h, TDM_EV_RELEASE, from, what);
	if (e)
		CHECK_INT(e->cause, cause, what);
	expect_idle(h, what);
}

/* the caller gives up before the SETUP even arrived, with a cause libpri clears by RELEASE COMPLETE */
static void caller_gives_up(struct harness *h, const char *from, const char *what)
{
	struct tdm_setup s;
	struct tdm_call *call;
	struct hev *e;

	harness_setup(&s, "5552000", "5550100");
	call = place(h, from, &s, what);
	if (!call)
		return;
	tdm_call_release(call, 34);
	if (expect_ev(h, TDM_EV_SETUP, peer_of(from), what)) {
		e = expect_ev(h, TDM_EV_RELEASE, peer_of(from), what);
		if (e)
			CHECK_INT(e->cause, 34, what);
	}
	expect_idle(h, what);
}

static void progress_tests(struct harness *h, const struct pri_case *pc)
{
	char what[96];

	for (int d = 0; d < 2; d++) {
		const char *from = d ? "b" : "a", *dir = d ? "CPE->NET" : "NET->CPE";

		snprintf(what, sizeof(what), "%s %s: progress, answer, callee clears", pc->sw, dir);
		progress_out(h, from, !strcmp(pc->sw, "euroisdn"), what);
		snprintf(what, sizeof(what), "%s %s: caller clears while alerting", pc->sw, dir);
		caller_clears(h, from, d ? 31 : 16, what);
		snprintf(what, sizeof(what), "%s %s: caller gives up at once", pc->sw, dir);
		caller_gives_up(h, from, what);
		snprintf(what, sizeof(what), "%s %s: callee busy", pc->sw, dir);
		callee_refuses(h, from, 17, what);
	}
}

/* both sides take channel 1 at once: the network's call goes through, the user's gets cause 44 */
static void collision_tests(struct harness *h, const struct pri_case *pc)
{
	struct tdm_setup s;
	struct tdm_call *net, *cpe;
	struct hev *e, *in;
	char what[96];

	snprintf(what, sizeof(what), "%s: call collision on channel 1", pc->sw);
	harness_setup(&s, "5552000", "5550100");
	net = place(h, "a", &s, what);
	cpe = place(h, "b", &s, what);
	if (!net || !cpe)
		return;
	CHECK_INT(tdm_call_chan(net), tdm_call_chan(cpe), "both on the same channel");
	e = expect_ev(h, TDM_EV_RELEASE, "b", what);
	CHECK(e && e->call == cpe && e->cause == 44, "%s: the user side's call gives way, cause 44", what);
	in = expect_ev(h, TDM_EV_SETUP, "b", what);
	if (in) {
		tdm_call_answer(in->call);
		expect_ev(h, TDM_EV_ANSWER, "a", what);
		tdm_call_release(net, 16);
	}
	CHECK(!harness_wait(h, TDM_EV_SETUP, "a", 200), "%s: the user side's SETUP never reaches an owner", what);
	expect_idle(h, what);
}

/* ---- RESTART, SERVICE, the line cut ---- */

/* an answered call from span from; its far leg in *far */
static struct tdm_call *answered(struct harness *h, const char *from, struct tdm_call **far, const char *what)
{
	struct tdm_setup s;
	struct tdm_call *call;
	struct hev *in;

	harness_setup(&s, "5552000", "5550100");
	call = place(h, from, &s, what);
	in = call ? expect_ev(h, TDM_EV_SETUP, peer_of(from), what) : NULL;
	if (!in)
		return NULL;
	*far = in->call;
	tdm_call_answer(in->call);
	return expect_ev(h, TDM_EV_ANSWER, from, what) ? call : NULL;
}

static int count_ev(struct harness *h, int type, const char *span, int cause)
{
	int n = 0;

	for (size_t i = 0; i < h->nev; i++)
		if (h->ev[i]->type == type && !strcmp(h->ev[i]->span, span) && (cause < 0 || h->ev[i]->cause == cause))
			n++;
	return n;
}

struct want_ev {
	int type, cause, n;
};

static int have_releases(struct harness *h, void *arg)
{
	const struct want_ev *w = arg;

	return count_ev(h, w->type, "a", w->cause) >= w->n && count_ev(h, w->type, "b", w->cause) >= w->n;
}

static void restart_tests(struct harness *h, const struct pri_case *pc)
{
	struct tdm_call *call, *far, *far2;
	struct want_ev one = { TDM_EV_RELEASE, 41, 1 }, two = { TDM_EV_RELEASE, 41, 2 };
	char what[96];
	int ch;

	snprintf(what, sizeof(what), "%s: RESTART of a channel", pc->sw);
	call = answered(h, "a", &far, what);
	if (call) {
		ch = tdm_call_chan(call);
		CHECK_INT(tdm_circuit_reset(h->tdm, "a", ch), 0, what);
		CHECK_INT(harness_cstate(h, "a", ch, NULL), TDM_CS_RESETTING, "channel resetting until acknowledged");
		CHECK(harness_until(h, have_releases, &one, WAIT_MS) == 0, "%s: both owners hear cause 41", what);
		expect_idle(h, what);
	}
	snprintf(what, sizeof(what), "%s: RESTART of the span", pc->sw);
	call = answered(h, "a", &far, what);
	if (call && answered(h, "b", &far2, what)) {
		CHECK_INT(tdm_span_reset(h->tdm, "b"), 0, what);
		for (ch = 1; ch <= NCHAN; ch++)
			CHECK_INT(harness_cstate(h, "b", ch, NULL), TDM_CS_RESETTING, "every channel resetting");
		CHECK(harness_until(h, have_releases, &two, WAIT_MS) == 0, "%s: both owners hear cause 41 twice", what);
		expect_idle(h, what);
	}
}

static int remote_blocked(struct harness *h, void *arg)
{
	int blocked = 0, want = *(int *)arg;

	harness_cstate(h, "b", 2, &blocked);
	return (blocked == TDM_BLOCK_REMOTE) == want;
}

static void service_tests(struct harness *h, const struct pri_case *pc)
{
	int blocked = 0, on = 1, off = 0;

	if (!pc->service) {
		CHECK_INT(tdm_circuit_block(h->tdm, "a", 2, 1), -ENOTSUP, "no SERVICE message on this switch type");
		return;
	}
	CHECK_INT(tdm_circuit_block(h->tdm, "a", 2, 1), 0, "SERVICE out of service sent");
	harness_cstate(h, "a", 2, &blocked);
	CHECK_INT(blocked, TDM_BLOCK_LOCAL, "blocked locally");
	CHECK(harness_until(h, remote_blocked, &on, WAIT_MS) == 0, "the far side sees the channel blocked");
	CHECK_INT(tdm_circuit_block(h->tdm, "a", 2, 0), 0, "SERVICE in service sent");
	CHECK(harness_until(h, remote_blocked, &off, WAIT_MS) == 0, "the far side sees the channel unblocked");
	harness_cstate(h, "a", 2, &blocked);
	CHECK_INT(blocked, 0, "unblocked locally");
	harness_clear(h);
}

static void break_tests(struct harness *h, const struct pri_case *pc, int longer)
{
	struct tdm_call *far, *far2;
	struct want_ev rel = { TDM_EV_RELEASE, 38, 2 }, down = { TDM_EV_LINK, -1, 1 };
	struct tdm_setup s, got;
	char what[96];

	snprintf(what, sizeof(what), "%s: line cut%s", pc->sw, longer ? " for 8 s" : "");
	if (!answered(h, "a", &far, what) || !answered(h, "b", &far2, what))
		return;
	CHECK_INT(tdm_span_break(h->tdm, "a", 1), 0, what);
	CHECK(harness_until(h, have_releases, &down, WAIT_MS) == 0, "%s: both sides report the link", what);
	CHECK(harness_until(h, have_releases, &rel, WAIT_MS) == 0, "%s: every call released with cause 38", what);
	expect_idle(h, what);
	/* no RESTART into a dead link: it would leave the channel resetting, never acknowledged */
	CHECK(tdm_circuit_reset(h->tdm, "a", 1) == -ENETDOWN, "%s: RESTART refused while the link is down", what);
	CHECK(tdm_span_reset(h->tdm, "a") == -ENETDOWN, "%s: RESTART of every channel refused", what);
	CHECK(harness_cstate(h, "a", 1, NULL) == TDM_CS_IDLE, "%s: channel 1 not left resetting", what);
	if (longer) {	/* Q.921 gives up after T203 3 s then T200 1 s x N200 3 with the short timers given
			 * through pri_set_timer (libpri's own T203 is 10 s: no D-channel would fail) */
		dchan_downs = 0;
		harness_run(h, 8000);
		CHECK(dchan_downs == 2, "%s: both D-channels went down meanwhile (%d)", what, dchan_downs);
	}
	CHECK_INT(tdm_span_break(h->tdm, "a", 0), 0, "line restored");
	CHECK(harness_wait_links(h, 3 * WAIT_MS) == 0, "%s: the link comes back", what);
	snprintf(what, sizeof(what), "%s: a call after the line came back", pc->sw);
	harness_setup(&s, "5552000", "5550100");
	call_seen(h, "a", &s, &got, what);
}

/* ---- the wire, decoded by tshark ---- */

static int have_tshark(void)
{
	return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* run tshark on pcap with a display filter; each packet's fields joined by '|' into lines */
static int tshark_lines(const char *pcap, const char *opts, const char *filter, const char *fields, char lines[][256],
			int max)
{
	char cmd[1024];
	FILE *fp;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "WIRESHARK_CONFIG_DIR=%s/ws tshark -n %s -r %s -Y '%s' -T fields -E separator='|' "
		 "-E occurrence=f %s 2>/dev/null", tmpdir, opts, pcap, filter, fields);
	fp = popen(cmd, "r");
	if (!fp)
		return -1;
	while (n < max && fgets(lines[n], 256, fp)) {
		lines[n][strcspn(lines[n], "\n")] = 0;
		n++;
	}
	pclose(fp);
	return n;
}

static const char *const wire_fields[] = {
	[WIRE_IE] = "-e q931.extension.reason -e q931.redirecting_number.digits",
	[WIRE_QSIG] = "-e qsig.cf.diversionReason -e qsig.cf.diversionCounter -e q931.redirecting_number.digits",
	[WIRE_ETSI] = "-e isdn-sup.diversionReason -e isdn-sup.diversionCounter -e q931.redirecting_number.digits",
};

/* one SETUP line: reason|[counter|]redirecting digits|uui pd|uui string */
static void wire_check_setup(const struct pri_case *pc, const struct wire_exp *x, char *line, const char *what)
{
	char *f[6] = { 0 }, *rest = line;
	int nf = 0, i = 0;

	while (nf < 6 && (f[nf] = strsep(&rest, "|")))
		nf++;
	if (nf < (pc->path == WIRE_IE ? 4 : 5)) {
		CHECK(0, "%s: tshark line has %d fields", what, nf);
		return;
	}
	CHECK_INT(strtol(f[i++], NULL, 0), x->reason, what);
	if (pc->path != WIRE_IE)
		CHECK_INT(strtol(f[i++], NULL, 0), x->counter, what);
	CHECK_STR(f[i++], pc->path == WIRE_IE ? "5551002" : "", pc->path == WIRE_IE ?
		  "Redirecting number IE digits" : "no Redirecting number IE beside DivertingLegInformation2");
	CHECK_INT(f[i][0] ? (int)strtol(f[i], NULL, 0) : -1, x->pd, "user-user protocol discriminator");
	i++;
	if (x->uui[0])
		CHECK_STR(f[i], x->uui, "user-user information");
}

static void wire_tests(const struct pri_case *pc, const char *pcap, const struct wire_log *w)
{
	static char lines[128][256];
	char fields[512], what[96], *kept[128];
	const char *opts = pc->path == WIRE_ETSI ? "-o 'q932.facility_encoding:Dissect facility as ETSI'" : "";
	int n, k = 0;

	snprintf(fields, sizeof(fields), "%s -e q931.user.protocol_discriminator -e q931.user.string",
		 wire_fields[pc->path]);
	n = tshark_lines(pcap, opts, "q931.message_type == 0x05", fields, lines, 128);
	for (int i = 0; i < n; i++)	/* SETUPs without diversion nor user-user data are not in the log */
		if (strspn(lines[i], "|") != strlen(lines[i]))
			kept[k++] = lines[i];
	CHECK_INT(k, w->n, "SETUPs with diversion or user-user data in the trace");
	for (int i = 0; i < k && i < w->n; i++) {
		snprintf(what, sizeof(what), "%s facility=%s: wire, SETUP %d", pc->sw, pc->facility, i + 1);
		wire_check_setup(pc, &w->e[i], kept[i], what);
	}
	n = tshark_lines(pcap, "", "q931.message_type == 0x46", "-e q931.restart_indicator -e q931.channel.number",
			 lines, 128);
	CHECK(n >= 1 + NCHAN, "%s: RESTARTs in the trace (%d)", pc->sw, n);
	for (int i = 0; i < n; i++)
		CHECK(!strncmp(lines[i], "0|", 2) || !strncmp(lines[i], "0x00|", 5),
		      "%s: RESTART names its channel (indicated channels): %s", pc->sw, lines[i]);
	n = tshark_lines(pcap, "", "q931.message_type == 0x4e", "-e q931.channel.number", lines, 128);
	CHECK(n >= 1 + NCHAN, "%s: RESTART ACKNOWLEDGEs in the trace (%d)", pc->sw, n);
}

/* uui = no on the sending span: no User-user IE on the wire, nothing for the far owner */
static void uui_off_test(void)
{
	static const char conv[] = "\x04UM/1;cause=486";
	static char lines[8][256];
	struct harness h;
	struct tdm_setup s, far;
	char conf[1024], pcap[128];
	int n;

	snprintf(pcap, sizeof(pcap), "%s/uui-off.pcap", tmpdir);
	snprintf(conf, sizeof(conf),
		 "[span a]\nbackend = loopback\npeer = b\nsignalling = pri\nside = net\nswitchtype = qsig\n"
		 "dchan = 16\nbchan = 1-2\ntimers = short\nuui = no\ntrace = %s\n"
		 "[span b]\nbackend = loopback\npeer = a\nsignalling = pri\nside = cpe\nswitchtype = qsig\n"
		 "dchan = 16\nbchan = 1-2\ntimers = short\n", pcap);
	if (harness_start(&h, conf) < 0) {
		CHECK(0, "uui = no: spans start: %s", h.err);
		harness_stop(&h);
		return;
	}
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "uui = no: links up");
	harness_setup(&s, "5552000", "5550100");
	set_uui(&s, conv, sizeof(conv) - 1);
	if (place(&h, "a", &s, "uui = no")) {
		struct hev *e = expect_ev(&h, TDM_EV_SETUP, "b", "uui = no");

		far = e ? e->setup : s;
		CHECK_INT(far.uui_len, 0, "uui = no: nothing reaches the far owner");
		if (e)
			tdm_call_release(e->call, 16);
		expect_ev(&h, TDM_EV_RELEASE, "a", "uui = no");
	}
	harness_stop(&h);
	if (have_tshark()) {
		n = tshark_lines(pcap, "", "q931.message_type == 0x05", "-e q931.user.protocol_discriminator", lines,
				 8);
		CHECK(n == 1 && !lines[0][0], "uui = no: no User-user IE in the SETUP (%d)", n);
	}
	if (!getenv("PRI_TEST_KEEP"))
		unlink(pcap);
}

/* ---- one configuration ---- */

/* a SETUP whose called number cannot be read (national, 16 digits) is refused with cause 28 at once */
static void bad_number_test(struct harness *h, const struct pri_case *pc)
{
	struct tdm_setup s;
	struct hev *e;
	char what[96];

	snprintf(what, sizeof(what), "%s: unusable called number", pc->sw);
	harness_clear(h);
	harness_setup(&s, "1234567890123456", "5550100");
	if (!place(h, "a", &s, what))
		return;
	e = harness_wait(h, TDM_EV_RELEASE, "a", 2000);
	CHECK(e != NULL, "%s: the caller hears the refusal before T303", what);
	if (e)
		CHECK(e->cause == 28, "%s: cause 28 (invalid number format), got %d", what, e->cause);
	CHECK(harness_wait(h, TDM_EV_SETUP, "b", 0) == NULL, "%s: the callee's owner never saw it", what);
	expect_idle(h, what);
}

static void run_case(const struct pri_case *pc)
{
	struct harness h;
	struct wire_log w = { .n = 0 };
	char pcap[128];

	w.deflection_immediate = pc->wire[R_DEFI];
	snprintf(pcap, sizeof(pcap), "%s/%s-%s.pcap", tmpdir, pc->sw, pc->facility);
	if (harness_start(&h, pair_conf(pc, pcap)) < 0) {
		CHECK(0, "%s: spans start: %s", pc->sw, h.err);
		harness_stop(&h);
		return;
	}
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "%s facility=%s: links up", pc->sw, pc->facility);
	harness_clear(&h);
	reason_calls(&h, pc, &w);
	counter_calls(&h, pc, &w);
	uui_calls(&h, pc, &w);
	progress_tests(&h, pc);
	collision_tests(&h, pc);
	bad_number_test(&h, pc);
	restart_tests(&h, pc);
	service_tests(&h, pc);
	break_tests(&h, pc, 0);
	if (pc == &pri_cases[0])
		break_tests(&h, pc, 1);
	harness_stop(&h);
	CHECK_INT(bad_lines, 0, "no circuit state refused, no call left in libpri");
	bad_lines = 0;
	if (have_tshark())
		wire_tests(pc, pcap, &w);
	else
		printf("SKIP: tshark not installed: %s's wire not decoded\n", pc->sw);
	if (!getenv("PRI_TEST_KEEP"))
		unlink(pcap);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	char ws[96];

	signal(SIGPIPE, SIG_IGN);
	log_set_level(getenv("TDM_LOG") ? log_level_parse(getenv("TDM_LOG")) : LOG_LVL_WARN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pri_testXXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(ws, sizeof(ws), "%s/ws", tmpdir);
	mkdir(ws, 0700);
	log_set_hook(log_hook, NULL);
	reason_table_tests();
	uui_frame_tests();
	if (!only || !strcmp(only, "uui"))
		uui_off_test();
	for (size_t i = 0; i < sizeof(pri_cases) / sizeof(pri_cases[0]); i++)
		if (!only || !strcmp(only, pri_cases[i].sw))
			run_case(&pri_cases[i]);
	if (!only || !strcmp(only, "wire"))
		prelay_tests();
	if (!getenv("PRI_TEST_KEEP")) {
		rmdir(ws);
		rmdir(tmpdir);
	}
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

/* ---- a hostile wire, frame by frame: the two spans joined through the test (socket = spans) ----
 *
 * The relay passes frames as they are, except the Q.931 message it is told to garble (the IEs
 * replaced by one that runs past the end: libpri stops the call's timer on the message type, then
 * discards the message), and sends frames of its own (UI frames: Q.931 without Q.921 numbering).
 */
#define RELAY_GUARD_MS 12000	/* beyond 2 x (T305 + T308) of the short profile */

struct prelay {
	struct harness h;
	int fd[2];			/* the test's ends of span a's and span b's sockets */
	uint8_t addr[2][2];		/* the address octets of the last frame from each side */
	unsigned long frames[2];	/* frames from each side */
	int garble_from, garble_msg;	/* garble this message type sent by this side; -1 none */
	int garbled;
};

static size_t prelay_l3(const uint8_t *f, size_t len)
{
	if (len > 6 && !(f[2] & 1) && f[4] == 0x08)
		return 4;
	return 0;
}

static void prelay_read(void *arg, int fd, short revents)
{
	struct prelay *r = arg;
	int from = fd == r->fd[1];
	uint8_t b[SPAN_FRAME_MAX];
	ssize_t n;
	size_t l3, mt;

	(void)revents;
	while ((n = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		r->frames[from]++;
		memcpy(r->addr[from], b, 2);
		l3 = prelay_l3(b, (size_t)n);
		mt = l3 + 2 + (b[l3 + 1] & 0x0f);
		if (l3 && from == r->garble_from && mt < (size_t)n && b[mt] == r->garble_msg) {
			b[mt + 1] = 0x08;	/* a Cause IE of 127 octets, none there */
			b[mt + 2] = 0x7f;
			n = (ssize_t)mt + 3;
			r->garble_from = -1;
			r->garbled++;
		}
		if (r->fd[!from] >= 0)
			send(r->fd[!from], b, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* a Q.931 message (from the protocol discriminator on) as a UI frame to side to */
static void prelay_inject(struct prelay *r, int to, const uint8_t *l3, size_t len)
{
	uint8_t b[64];

	memcpy(b, r->addr[!to], 2);
	b[2] = 0x03;
	memcpy(b + 3, l3, len);
	send(r->fd[to], b, len + 3, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int prelay_start(struct prelay *r, const char *sw)
{
	static char conf[1024];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(r, 0, sizeof(*r));
	r->fd[0] = r->fd[1] = -1;
	r->garble_from = -1;
	snprintf(conf, sizeof(conf),
		 "[span a]\nbackend = loopback\nsignalling = pri\nsocket = %s/a.sock\nlisten = yes\nside = net\n"
		 "switchtype = %s\ndchan = 16\nbchan = 1-%d\ntimers = short\n"
		 "[span b]\nbackend = loopback\nsignalling = pri\nsocket = %s/b.sock\nlisten = yes\nside = cpe\n"
		 "switchtype = %s\ndchan = 16\nbchan = 1-%d\ntimers = short\n", tmpdir, sw, NCHAN, tmpdir, sw, NCHAN);
	if (harness_start(&r->h, conf) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		r->fd[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", tmpdir, i ? "b" : "a");
		if (r->fd[i] < 0 || connect(r->fd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    ev_fd_add(r->h.loop, r->fd[i], POLLIN, prelay_read, r) < 0)
			return -1;
	}
	return harness_wait_links(&r->h, WAIT_MS);
}

static void prelay_stop(struct prelay *r)
{
	char path[128];

	for (int i = 0; i < 2; i++) {
		if (r->fd[i] >= 0) {
			ev_fd_del(r->h.loop, r->fd[i]);
			close(r->fd[i]);
		}
		snprintf(path, sizeof(path), "%s/%s.sock", tmpdir, i ? "b" : "a");
		unlink(path);
	}
	harness_stop(&r->h);
}

/* an answered call from a to b; the far end's call in *far */
static struct tdm_call *prelay_call(struct prelay *r, struct tdm_call **far, const char *what)
{
	struct tdm_setup s;
	struct tdm_call *call;
	struct hev *e;

	*far = NULL;
	harness_setup(&s, "4000", "2125551234");
	call = place(&r->h, "a", &s, what);
	e = call ? expect_ev(&r->h, TDM_EV_SETUP, "b", what) : NULL;
	if (!e)
		return NULL;
	*far = e->call;
	tdm_call_answer(e->call);
	return expect_ev(&r->h, TDM_EV_ANSWER, "a", what) ? call : NULL;
}

/* libpri echoes every maintenance message with its type less 8 where SERVICE is off: two ends for ever */
static void prelay_maintenance_test(void)
{
	static const uint8_t service[] = { 0x43, 0x00, 0x0f, 0x01, 0x01, 0x80 };
	struct prelay r;
	unsigned long before;

	if (prelay_start(&r, "euroisdn") < 0) {
		CHECK(0, "hostile wire: spans start and links up: %s", r.h.err);
		prelay_stop(&r);
		return;
	}
	before = r.frames[0] + r.frames[1];
	prelay_inject(&r, 1, service, sizeof(service));
	harness_run(&r.h, 500);
	CHECK(r.frames[0] + r.frames[1] - before <= 2, "euroisdn: a maintenance message is not echoed (%lu frames)",
	      r.frames[0] + r.frames[1] - before);
	prelay_stop(&r);
}

/* b's RELEASE COMPLETE reaches a garbled: libpri stopped T308 and lost the call */
static void prelay_release_guard_test(void)
{
	struct tdm_call *call, *far;
	struct prelay r;
	struct hev *e;

	if (prelay_start(&r, "euroisdn") < 0) {
		CHECK(0, "hostile wire: spans start and links up: %s", r.h.err);
		prelay_stop(&r);
		return;
	}
	call = prelay_call(&r, &far, "release guard");
	if (call) {
		r.garble_from = 1;
		r.garble_msg = 0x5a;	/* RELEASE COMPLETE */
		tdm_call_release(far, 16);	/* b: DISCONNECT; a: RELEASE; b: RELEASE COMPLETE, garbled */
		e = harness_wait(&r.h, TDM_EV_RELEASE, "a", WAIT_MS);
		CHECK(e && e->call == call, "release guard: a's owner hears the release");
		CHECK(harness_until(&r.h, all_idle, NULL, RELAY_GUARD_MS) == 0 && r.garbled == 1,
		      "release guard: the call stuck in libpri dropped, the channel restarted, every circuit idle "
		      "(%zu calls, %d garbled)", tdm_call_count(r.h.tdm), r.garbled);
	}
	prelay_stop(&r);
}

/* single messages injected into b for its answered call (call reference 1, a's first): b clears or
 * keeps the call as said, and once a's owner hangs up every call and circuit is gone */
static const struct {
	const char *name;
	uint8_t l3[16];
	size_t len;
	int b_clears;
} prelay_msgs[] = {
	{ "RELEASE COMPLETE", { 0x08, 0x02, 0x00, 0x01, 0x5a, 0x08, 0x02, 0x80, 0x90 }, 9, 1 },
	{ "RELEASE with a bogus cause", { 0x08, 0x02, 0x00, 0x01, 0x4d, 0x08, 0x02, 0x80, 0xff }, 9, 1 },
	{ "STATUS in the null state", { 0x08, 0x02, 0x00, 0x01, 0x7d, 0x08, 0x02, 0x80, 0xe5, 0x14, 0x01, 0x00 },
	  12, 1 },
	/* libpri acts on a STATUS only in the null state (no clearing with cause 101, Q.931 5.8.11) */
	{ "STATUS in another state", { 0x08, 0x02, 0x00, 0x01, 0x7d, 0x08, 0x02, 0x80, 0xe5, 0x14, 0x01, 0x07 },
	  12, 0 },
	{ "RESTART of the call's channel", { 0x08, 0x02, 0x00, 0x00, 0x46, 0x18, 0x03, 0xa9, 0x83, 0x81, 0x79, 0x01,
					     0x80 }, 13, 1 },
	{ "SETUP on the call's channel", { 0x08, 0x02, 0x00, 0x05, 0x05, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x03,
					   0xa9, 0x83, 0x81 }, 15, 0 },
	{ "RELEASE COMPLETE, wrong call reference flag", { 0x08, 0x02, 0x80, 0x01, 0x5a, 0x08, 0x02, 0x80, 0x90 }, 9,
	  0 },
	/* libpri reads the value whatever the length: the call's own */
	{ "DISCONNECT, call reference in one octet", { 0x08, 0x01, 0x01, 0x45, 0x08, 0x02, 0x80, 0x90 }, 8, 1 },
};

static void prelay_msg_test(size_t i)
{
	struct tdm_call *call, *far;
	struct prelay r;
	struct hev *e;

	if (prelay_start(&r, "euroisdn") < 0) {
		CHECK(0, "hostile wire: spans start and links up: %s", r.h.err);
		prelay_stop(&r);
		return;
	}
	call = prelay_call(&r, &far, prelay_msgs[i].name);
	if (call) {
		prelay_inject(&r, 1, prelay_msgs[i].l3, prelay_msgs[i].len);
		e = harness_wait(&r.h, TDM_EV_RELEASE, "b", prelay_msgs[i].b_clears ? WAIT_MS : 300);
		CHECK(!e == !prelay_msgs[i].b_clears, "%s: b's call %s", prelay_msgs[i].name,
		      prelay_msgs[i].b_clears ? "cleared" : "kept");
		if (!harness_wait(&r.h, TDM_EV_RELEASE, "a", 1))	/* unless a's owner heard it already */
			tdm_call_release(call, 16);
		CHECK(harness_until(&r.h, all_idle, NULL, RELAY_GUARD_MS) == 0,
		      "%s: every circuit idle and no call left once a hangs up (%zu calls)", prelay_msgs[i].name,
		      tdm_call_count(r.h.tdm));
	}
	prelay_stop(&r);
}

static void prelay_tests(void)
{
	prelay_maintenance_test();
	prelay_release_guard_test();
	for (size_t i = 0; i < sizeof(prelay_msgs) / sizeof(prelay_msgs[0]); i++)
		prelay_msg_test(i);
}
