/*
 * sip_test.c - SIP requests (libosip2's parser) -> the call model -> ISUP / Q.931 / QSIG / ETSI:
 * RFC 4458 examples, every cause, Diversion, History-Info, privacy, UM headers, bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "map_isup.h"
#include "map_q931.h"
#include "map_sip.h"
#include "testlib.h"

#define HEAD "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK74bf9\r\n" \
	     "From: <sip:+15555551000@example.com;user=phone>;tag=9fxced76sl\r\n" \
	     "To: <sip:+15555551002@example.com;user=phone>\r\n" \
	     "Call-ID: 3848276298220188511@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n"
#define RFC4458_URI "sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486"

struct sip_result {
	int ret;
	struct map_call call;
	struct map_isup isup;
	struct map_diag d;
	char err[MAP_DIAG_LEN];
};

/* map "INVITE <uri> SIP/2.0" + HEAD + extra headers */
static struct sip_result *map_invite(const char *uri, const char *extra, int flags)
{
	static struct sip_result r;
	static char buf[8192];
	struct osip_message *msg = NULL;

	memset(&r, 0, sizeof(r));
	map_diag_init(&r.d);
	snprintf(buf, sizeof(buf), "INVITE %s SIP/2.0\r\n" HEAD "%s\r\n", uri, extra ? extra : "");
	r.ret = map_sip_parse(buf, strlen(buf), &msg, &r.d);
	if (!r.ret)
		r.ret = map_sip_to_call(msg, test_tables, map_tables_trunk(test_tables, "default"), flags, &r.call, &r.d);
	if (!r.ret)
		r.ret = map_isup_from_call(&r.call, test_tables, &r.isup, &r.d);
	osip_message_free(msg);
	snprintf(r.err, sizeof(r.err), "%s", map_diag_first(&r.d, MAP_DIAG_ERROR) ? map_diag_first(&r.d, MAP_DIAG_ERROR) : "");
	return &r;
}

static void rfc4458_example(void)
{
	struct sip_result *r = map_invite(RFC4458_URI, NULL, 0);
	uint8_t raw[4];

	CHECK(r->ret == 0, "RFC 4458 6.3 example maps: %s", r->err);
	CHECK_STR(r->isup.called.digits, "15555552000", "called");
	CHECK_INT(r->isup.called.nai, 4, "called NAI international");
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "redirecting = target");
	CHECK_INT(r->isup.redirecting.nai, 4, "redirecting NAI");
	CHECK_STR(r->isup.orig_called.digits, "15555551002", "original called = target");
	CHECK_INT(r->isup.orig_called.nai, 4, "original called NAI");
	CHECK_INT(r->isup.redir_ind, 3, "indicator call diverted");
	CHECK_INT(r->isup.redir_reason, 1, "reason user busy");
	CHECK_INT(r->isup.redir_orig_reason, 1, "original reason = reason at counter 1");
	CHECK_INT(r->isup.redir_counter, 1, "counter 1");
	CHECK_INT(r->isup.cdti, 0, "no diversion treatment");
	CHECK_STR(r->isup.calling.digits, "15555551000", "calling from From");
	CHECK_INT(r->call.calling.screen, 0, "From is user provided, not verified");
	CHECK_INT(r->isup.calling.screen, 1, "ITU ISUP: user provided, verified and passed (00 is reserved)");
	CHECK_INT(map_isup_redir_info_encode(&r->isup, raw, sizeof(raw)), 2, "redirection information length");
	CHECK(raw[0] == 0x13 && raw[1] == 0x11, "redirection information octets %02x %02x", raw[0], raw[1]);
	CHECK(r->isup.uui_len == 15 && !memcmp(r->isup.uui, "\x04UM/1;cause=486", 15), "user-to-user carries cause");
}

/* every RFC 4458 cause, to every protocol */
static const struct {
	int cause, isup, isup_orig, q931, qsig, qsig_orig, etsi;
	int lossy_q931, lossy_qsig;
} causes[] = {
	{ 404, 0, 0, 0x0, 0, 0, 0, 0, 0 }, { 486, 1, 1, 0x1, 2, 2, 2, 0, 0 }, { 408, 2, 2, 0x2, 3, 3, 3, 0, 0 },
	{ 302, 3, 3, 0xF, 1, 1, 1, 0, 0 }, { 487, 4, 0, 0x4, 1, 0, 4, 0, 1 }, { 480, 5, 0, 0x4, 1, 0, 5, 1, 1 },
	{ 503, 6, 0, 0xF, 1, 0, 1, 1, 1 }, { 499, 3, 3, 0xF, 1, 1, 1, 0, 0 }, { 600, 3, 3, 0xF, 1, 1, 1, 0, 0 },
};

static void every_cause(void)
{
	char uri[256];
	size_t i;

	for (i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		struct sip_result *r;
		struct map_q931 q;
		struct map_diag d;

		snprintf(uri, sizeof(uri), "sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=%d",
			 causes[i].cause);
		r = map_invite(uri, NULL, 0);
		CHECK(r->ret == 0, "cause %d maps: %s", causes[i].cause, r->err);
		CHECK(r->isup.redir_reason == causes[i].isup, "cause %d -> ISUP reason %d, got %d", causes[i].cause,
		      causes[i].isup, r->isup.redir_reason);
		CHECK(r->isup.redir_orig_reason == causes[i].isup_orig, "cause %d -> ISUP original reason %d, got %d",
		      causes[i].cause, causes[i].isup_orig, r->isup.redir_orig_reason);
		map_diag_init(&d);
		map_q931_from_call(&r->call, test_tables, MAP_PROTO_Q931, NULL, &q, &d);
		CHECK(q.reason == causes[i].q931, "cause %d -> Q.931 reason %d, got %d", causes[i].cause,
		      causes[i].q931, q.reason);
		CHECK(!!map_diag_count(&d, MAP_DIAG_LOSSY) == causes[i].lossy_q931, "cause %d: Q.931 lossy report %d",
		      causes[i].cause, causes[i].lossy_q931);
		map_diag_init(&d);
		map_q931_from_call(&r->call, test_tables, MAP_PROTO_QSIG, NULL, &q, &d);
		/* ECMA-174: no originalDiversionReason after one diversion */
		CHECK(q.div_reason == causes[i].qsig && q.div_orig_reason == -1 && q.div_counter == 1,
		      "cause %d -> QSIG reason %d, no original reason, counter 1, got %d/%d/%d", causes[i].cause,
		      causes[i].qsig, q.div_reason, q.div_orig_reason, q.div_counter);
		r->call.redir.counter = 2;
		map_diag_init(&d);
		map_q931_from_call(&r->call, test_tables, MAP_PROTO_QSIG, NULL, &q, &d);
		CHECK(q.div_orig_reason == causes[i].qsig_orig, "cause %d, counter 2 -> QSIG original reason %d, got %d",
		      causes[i].cause, causes[i].qsig_orig, q.div_orig_reason);
		r->call.redir.counter = 1;
		CHECK(!!map_diag_count(&d, MAP_DIAG_LOSSY) == causes[i].lossy_qsig, "cause %d: QSIG lossy report",
		      causes[i].cause);
		map_diag_init(&d);
		map_q931_from_call(&r->call, test_tables, MAP_PROTO_ETSI, NULL, &q, &d);
		CHECK(q.div_reason == causes[i].etsi && q.div_counter == 1, "cause %d -> ETSI reason %d, got %d",
		      causes[i].cause, causes[i].etsi, q.div_reason);
	}
}

static void targets(void)
{
	struct sip_result *r;

	r = map_invite("sip:+15555552000@example.com;user=phone;target=sip:%2B15555551002%40example.com%3Buser%3Dphone;"
		       "cause=408", NULL, 0);
	CHECK(r->ret == 0, "escaped sip: target maps: %s", r->err);
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "escaped sip: target");
	r = map_invite("sip:+15555552000@example.com;user=phone;target=sip:bob%40example.com;cause=486", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "target: user part 'bob' is not a telephone number"), "sip:bob target: %s",
	      r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target=tel:%ZZ1;cause=486", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "target"), "bad escape refused: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target=;cause=486", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "'target' parameter without a value"), "empty target: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target;cause=486", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "target"), "target without value: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target=mailto:bob%40example.com", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "neither a tel: nor a sip: URI"), "mailto target: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target=tel:+15555551002;target=tel:+15555551003", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "duplicated 'target'"), "duplicated target: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486;cause=408", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "duplicated 'cause'"), "duplicated cause: %s", r->err);
	r = map_invite("sip:voicemail@example.com;target=tel:+15555551002;cause=486", NULL, 0);
	CHECK(r->ret < 0 && strstr(r->err, "Request-URI: user part 'voicemail' is not a telephone number"),
	      "named voicemail: %s", r->err);
	r = map_invite("tel:+15555552000;target=tel:+15555551002", NULL, 0);
	CHECK(r->ret == 0 || r->ret < 0, "tel: Request-URI does not crash");
}

static void bad_causes(void)
{
	static const char *const bad[] = { "48", "4860", "abc", "086", "700", "", "+48", "4 8" };
	char uri[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sip_result *r;

		snprintf(uri, sizeof(uri), "sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=%s",
			 bad[i]);
		r = map_invite(uri, NULL, 0);
		CHECK(r->ret < 0 && (strstr(r->err, "not a SIP status code") || strstr(r->err, "without a value") ||
					strstr(r->err, "well-formed")),
		      "cause '%s' refused: %s", bad[i], r->err);
	}
}

static void only_one_of(void)
{
	struct sip_result *r;

	r = map_invite("sip:+15555552000@example.com;user=phone;target=tel:+15555551002", NULL, 0);
	CHECK(r->ret == 0 && r->isup.redir_present && r->isup.redir_reason == 0, "target alone: reason unknown");
	r = map_invite("sip:+15555552000@example.com;user=phone;cause=408", NULL, 0);
	CHECK(r->ret == 0 && r->isup.redir_present && r->isup.redir_reason == 2 && !r->isup.redirecting.present,
	      "cause alone: reason no reply, no redirecting number");
	r = map_invite("sip:+15555552000@example.com;user=phone", NULL, 0);
	CHECK(r->ret == 0 && !r->isup.redir_present && !r->isup.uui_len, "plain call: no redirection");
}

static void diversion(void)
{
	struct sip_result *r;

	r = map_invite("sip:+15555552000@example.com;user=phone",
		       "Diversion: <tel:+15555551002>;reason=no-answer;counter=2,"
		       " \"Alice, A\" <sip:+15555551001@example.com;user=phone>;reason=user-busy;counter=1\r\n", 0);
	CHECK(r->ret == 0, "Diversion maps: %s", r->err);
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "redirecting = topmost Diversion");
	CHECK_STR(r->isup.orig_called.digits, "15555551001", "original called = bottom Diversion");
	CHECK_INT(r->isup.redir_counter, 3, "counter = sum of Diversion counters");
	CHECK_INT(r->isup.redir_reason, 2, "reason from the topmost entry");
	CHECK_INT(r->isup.redir_orig_reason, 1, "original reason from the bottom entry");

	r = map_invite(RFC4458_URI, "Diversion: <tel:+15555551001>;reason=unconditional\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_counter == 2, "target beyond Diversion counts one more (%d)",
	      r->isup.redir_counter);
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "target wins as redirecting number");
	CHECK_STR(r->isup.orig_called.digits, "15555551001", "Diversion gives the original called number");
	CHECK_INT(r->isup.redir_reason, 1, "cause wins over Diversion reason");
	CHECK_INT(r->isup.redir_orig_reason, 3, "original reason from Diversion");

	r = map_invite("sip:+15555552000@example.com;user=phone",
		       "Diversion: <tel:+15555551002>;reason=user-busy;privacy=full\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redirecting.pres == 1 && r->isup.redir_ind == 4, "Diversion privacy=full");

	r = map_invite("sip:+15555552000@example.com;user=phone", "Diversion: <tel:+15555551002>;counter=x\r\n", 0);
	CHECK(r->ret < 0 && strstr(r->err, "Diversion counter 'x'"), "bad Diversion counter: %s", r->err);
	r = map_invite("sip:+15555552000@example.com;user=phone", "Diversion: <sip:alice@example.com>;reason=away\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_present && !r->isup.redirecting.present && r->isup.redir_reason == 3,
	      "Diversion from a SIP-only user: counted, no number, away -> unconditional");
	r = map_invite("sip:+15555552000@example.com;user=phone", "Diversion: <tel:+15555551002>;reason=bogus\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_reason == 3, "unknown Diversion reason -> unconditional");
}

static void history_info(void)
{
	struct sip_result *r;

	r = map_invite("sip:+15555552000@example.com;user=phone",
		       "History-Info: <sip:+15555551001@example.com;user=phone>;index=1,"
		       " <sip:+15555551002@example.com;user=phone;cause=302>;index=1.1;mp=1,"
		       " <sip:+15555552000@example.com;user=phone;cause=408>;index=1.1.1;mp=1.1\r\n", 0);
	CHECK(r->ret == 0, "History-Info maps: %s", r->err);
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "History-Info redirecting = entry before the last cause");
	CHECK_STR(r->isup.orig_called.digits, "15555551001", "History-Info original = first entry");
	CHECK_INT(r->isup.redir_counter, 2, "History-Info counter = retargets with cause");
	CHECK_INT(r->isup.redir_reason, 2, "History-Info reason from the last cause");
	CHECK_INT(r->isup.redir_orig_reason, 3, "History-Info original reason from the first cause");
	r = map_invite("sip:+15555552000@example.com;user=phone",
		       "History-Info: <sip:+15555551002@example.com;user=phone?Privacy=history>;index=1,"
		       " <sip:+15555552000@example.com;user=phone;cause=486>;index=1.1\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redirecting.pres == 1 && r->isup.redir_ind == 4, "History-Info privacy");
	r = map_invite("sip:+15555552000@example.com;user=phone",
		       "History-Info: <sip:+15555552000@example.com;user=phone;cause=4x6>;index=1.1\r\n", 0);
	CHECK(r->ret < 0 && strstr(r->err, "History-Info cause"), "bad History-Info cause: %s", r->err);
}

static void privacy(void)
{
	struct sip_result *r;

	r = map_invite(RFC4458_URI, "Privacy: id\r\n", 0);
	CHECK(r->ret == 0, "Privacy: id maps: %s", r->err);
	CHECK(r->isup.calling.pres == 1 && r->isup.redirecting.pres == 0 && r->isup.redir_ind == 3,
	      "Privacy: id hides the caller only (RFC 3325)");
	r = map_invite(RFC4458_URI, "Privacy: user\r\n", 0);
	CHECK(r->ret == 0 && r->isup.calling.pres == 1 && r->isup.redir_ind == 3, "Privacy: user hides the caller only");
	r = map_invite(RFC4458_URI, "Privacy: history\r\n", 0);
	CHECK(r->ret == 0 && r->isup.calling.pres == 0 && r->isup.redir_ind == 4 && r->isup.redirecting.pres == 1,
	      "Privacy: history hides the diverting parties only (RFC 7044)");
	r = map_invite(RFC4458_URI, "Privacy: header;id\r\n", 0);
	CHECK(r->ret == 0, "Privacy: header;id maps: %s", r->err);
	CHECK_STR(r->isup.redirecting.digits, "15555551002", "privacy keeps the redirecting number");
	CHECK_INT(r->isup.redirecting.pres, 1, "redirecting number presentation restricted");
	CHECK_INT(r->isup.orig_called.pres, 1, "original called number presentation restricted");
	CHECK_INT(r->isup.calling.pres, 1, "calling number presentation restricted");
	CHECK_INT(r->isup.redir_ind, 4, "indicator: diverted, all information restricted");
	r = map_invite(RFC4458_URI, "Privacy: header;user\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_ind == 4, "Privacy: header;user");
	r = map_invite(RFC4458_URI, "Privacy: none\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_ind == 3 && r->isup.redirecting.pres == 0, "Privacy: none");
	r = map_invite(RFC4458_URI, "Privacy: session\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_ind == 3, "Privacy: session does not hide numbers");
	r = map_invite(RFC4458_URI, "Privacy: sekrit\r\n", 0);
	CHECK(r->ret == 0 && r->isup.redir_ind == 3, "unknown Privacy value noted, ignored");
}

static void calling(void)
{
	struct sip_result *r;

	r = map_invite(RFC4458_URI, "P-Asserted-Identity: <sip:alice@example.com>, <tel:+15555551999>\r\n",
		       MAP_SIP_IN_TRUSTED);
	CHECK(r->ret == 0 && !strcmp(r->isup.calling.digits, "15555551999") && r->isup.calling.screen == 3,
	      "PAI tel: from a trusted peer is the network-provided calling number (%s)", r->isup.calling.digits);
	r = map_invite(RFC4458_URI, "P-Asserted-Identity: <tel:+15555551999>\r\n", 0);
	CHECK(r->ret == 0 && !strcmp(r->isup.calling.digits, "15555551000") && r->call.calling.screen == 0,
	      "PAI from an untrusted peer ignored (RFC 3325): From used (%s)", r->isup.calling.digits);
	r = map_invite("sip:+15555552000@example.com;user=phone", NULL, 0);
	CHECK(r->ret == 0 && r->call.calling.screen == 0 && r->isup.calling.screen == 1, "From: user provided");
}

static void um_headers(void)
{
	static const struct {
		const char *hdr;
		int sens, cdti, skip;
		const char *err;
	} v[] = {
		{ "Ms-Exchange-Command: skip-pin\r\n", MAP_SENS_NONE, 0, 1, NULL },
		{ "ms-exchange-command:  SKIP-PIN \r\n", MAP_SENS_NONE, 0, 1, NULL },
		{ "Ms-Sensitivity: normal\r\n", MAP_SENS_NORMAL, 0, 0, NULL },
		{ "Ms-Sensitivity: private\r\n", MAP_SENS_PRIVATE, 0, 0, NULL },
		{ "Ms-Sensitivity: normal-no-diversion\r\n", MAP_SENS_NORMAL_NO_DIVERSION, 2, 0, NULL },
		{ "Ms-Sensitivity: private-no-diversion\r\n", MAP_SENS_PRIVATE_NO_DIVERSION, 2, 0, NULL },
		{ "Ms-Sensitivity: secret\r\n", 0, 0, 0, "Ms-Sensitivity: unknown value 'secret'" },
		{ "Ms-Exchange-Command: reboot\r\n", 0, 0, 0, "Ms-Exchange-Command: unknown value 'reboot'" },
		{ "Ms-Sensitivity: private\r\nMs-Sensitivity: normal\r\n", 0, 0, 0, "ms-sensitivity: appears more than once" },
		{ "Ms-Exchange-Command: skip-pin\r\nMs-Exchange-Command: skip-pin\r\n", 0, 0, 0,
		  "ms-exchange-command: appears more than once" },
	};
	struct sip_result *r;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = map_invite(RFC4458_URI, v[i].hdr, MAP_SIP_IN_TRUSTED);
		if (v[i].err) {
			CHECK(r->ret < 0 && strstr(r->err, v[i].err), "UM header %zu refused: '%s'", i, r->err);
			continue;
		}
		CHECK(r->ret == 0, "UM header %zu maps: %s", i, r->err);
		CHECK_INT(r->call.um.sens, v[i].sens, "sensitivity");
		CHECK_INT(r->isup.cdti, v[i].cdti, "call diversion treatment");
		CHECK_INT(r->call.um.skip_pin, v[i].skip, "skip-pin");
	}
	r = map_invite(RFC4458_URI, "Ms-Sensitivity: secret\r\n", MAP_SIP_IN_LENIENT_SENS);
	CHECK(r->ret == 0 && r->call.um.sens == MAP_SENS_UNKNOWN && !strcmp(r->call.um.sens_raw, "secret") &&
		      r->isup.cdti == 0, "lenient: unknown sensitivity kept for SIP, not mapped to TDM");
	r = map_invite(RFC4458_URI, "Ms-Exchange-Command: skip-pin\r\n", 0);
	CHECK(r->ret == 0 && !r->call.um.skip_pin, "skip-pin from an untrusted peer dropped");
	r = map_invite(RFC4458_URI, "Ms-Exchange-Command: skip-pin\r\nMs-Sensitivity: private-no-diversion\r\n",
		       MAP_SIP_IN_TRUSTED);
	CHECK(r->ret == 0 && r->isup.uui_len &&
		      !memcmp(r->isup.uui, "\x04UM/1;cause=486;skip-pin;sens=private-no-diversion", r->isup.uui_len),
	      "user-to-user carries skip-pin and sensitivity");
}

static void malformed(void)
{
	struct map_diag d;
	struct osip_message *msg = NULL;
	static char big[70000];
	const char *resp = "SIP/2.0 200 OK\r\n" HEAD "\r\n";
	char longuser[2000];
	struct map_call call;

	map_diag_init(&d);
	CHECK(map_sip_parse("", 0, &msg, &d) < 0, "empty message");
	CHECK(map_sip_parse("hello\r\n\r\n", 9, &msg, &d) < 0, "garbage");
	map_diag_init(&d);
	CHECK(map_sip_parse(resp, strlen(resp), &msg, &d) < 0 && strstr(map_diag_first(&d, MAP_DIAG_ERROR), "request"),
	      "a response is not a request");
	memset(big, 'a', sizeof(big) - 1);
	CHECK(map_sip_parse(big, sizeof(big) - 1, &msg, &d) < 0, "70000 bytes refused");
	CHECK(map_sip_parse("INV\0ITE", 7, &msg, &d) < 0, "NUL byte refused");
	CHECK(map_invite("sip:+1555555%2532000@example.com;user=phone", NULL, 0)->ret < 0,
	      "an escaped '%%' stays a '%%' (unescaped once): refused");
	CHECK(map_invite("sip:+1%0A5555552000@example.com;user=phone", NULL, 0)->ret < 0 &&
		      !strpbrk(map_invite("sip:+1%0A5555552000@example.com;user=phone", NULL, 0)->err, "\r\n\x1b"),
	      "control characters in the input never reach the error line raw");
	snprintf(big, sizeof(big), "REGISTER sip:example.com SIP/2.0\r\n" HEAD "\r\n");
	map_diag_init(&d);
	CHECK(!map_sip_parse(big, strlen(big), &msg, &d) &&
		      map_sip_to_call(msg, test_tables, map_tables_trunk(test_tables, "default"), 0, &call, &d) < 0 &&
		      strstr(map_diag_first(&d, MAP_DIAG_ERROR), "method 'REGISTER' is not INVITE"),
	      "only INVITEs are mapped");
	osip_message_free(msg);
	msg = NULL;
	memset(longuser, '5', sizeof(longuser) - 1);
	longuser[sizeof(longuser) - 1] = '\0';
	snprintf(big, sizeof(big), "sip:+%s@example.com;user=phone;target=tel:+%s;cause=486", longuser, longuser);
	CHECK(map_invite(big, NULL, 0)->ret < 0, "2000-digit numbers refused");
	snprintf(big, sizeof(big), "sip:+15555552000@example.com;user=phone;target=tel:+1%s", longuser);
	CHECK(map_invite(big, NULL, 0)->ret < 0, "2000-digit target refused");
}

void sip_tests(void)
{
	rfc4458_example();
	every_cause();
	targets();
	bad_causes();
	only_one_of();
	diversion();
	history_info();
	privacy();
	calling();
	um_headers();
	malformed();
}
