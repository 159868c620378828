/*
 * edge_test.c - the cases a real network sends and a reviewer found: identities toward SIP under
 * privacy, no-diversion never relaxed, long histories, extensions, RFC 4244 History-Info, quoted
 * Diversion reasons, message retrieval (target without cause), reserved codepoints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "map_isup.h"
#include "map_q931.h"
#include "map_sip.h"
#include "testlib.h"

static const struct map_sip_out_opts trusted_um = { "um.example.com", NULL, 0 };
static const struct map_sip_out_opts untrusted_um = { "um.example.com", NULL, 1 };

static int sip_call(const char *uri, const char *extra, struct map_call *call, struct map_diag *d)
{
	char buf[16384];
	struct osip_message *msg = NULL;
	int ret;

	map_diag_init(d);
	snprintf(buf, sizeof(buf), "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		 "From: <sip:+15555551000@example.com;user=phone>;tag=1\r\nTo: <sip:a@example.com>\r\n"
		 "Call-ID: edge@example.com\r\nCSeq: 1 INVITE\r\n%s\r\n", uri, extra ? extra : "");
	ret = map_sip_parse(buf, strlen(buf), &msg, d);
	if (!ret)
		ret = map_sip_to_call(msg, test_tables, map_tables_trunk(test_tables, "default"), MAP_SIP_IN_TRUSTED,
				      call, d);
	osip_message_free(msg);
	return ret;
}

static void tdm_number(struct map_isup_number *n, const char *digits, int nai, int pres)
{
	memset(n, 0, sizeof(*n));
	n->present = 1;
	snprintf(n->digits, sizeof(n->digits), "%s", digits);
	n->nai = nai;
	n->npi = 1;
	n->pres = pres;
}

static int isup_sip(const struct map_isup *in, const struct map_sip_out_opts *o, struct map_sip_out *out,
		    struct map_diag *d)
{
	struct map_call call;
	int ret;

	map_diag_init(d);
	ret = map_isup_to_call(in, test_tables, 1, &call, d);
	if (!ret)
		ret = map_call_to_sip(&call, test_tables, map_tables_trunk(test_tables, "default"), o, out, d);
	return ret;
}

static void identities(void)
{
	struct map_sip_out out;
	struct map_isup in;
	struct map_diag d;

	memset(&in, 0, sizeof(in));
	tdm_number(&in.called, "15555552000", 4, 0);
	tdm_number(&in.calling, "15555551001", 4, 1);
	in.calling.screen = MAP_SCREEN_NETWORK;
	tdm_number(&in.redirecting, "15555551009", 4, 1);
	tdm_number(&in.orig_called, "15555551009", 4, 1);
	in.redir_present = 1;
	in.redir_ind = 4;
	in.redir_reason = 1;
	in.redir_counter = 1;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "restricted call maps");
	CHECK_STR(out.from, "\"Anonymous\" <sip:anonymous@anonymous.invalid>", "restricted caller: From anonymous");
	CHECK_STR(out.p_asserted_identity, "<sip:+15555551001@um.example.com;user=phone>",
		  "restricted caller asserted toward a trusted peer");
	CHECK_STR(out.privacy, "id", "Privacy: id");
	CHECK_STR(out.to, "<sip:+15555551009@um.example.com;user=phone>", "To: the mailbox toward a trusted peer");
	CHECK(!isup_sip(&in, &untrusted_um, &out, &d), "restricted call maps (untrusted)");
	CHECK(!out.p_asserted_identity[0], "no P-Asserted-Identity toward an untrusted peer");
	CHECK(!strstr(out.from, "15555551001") && !strstr(out.to, "15555551009") && !strstr(out.request_uri, "target"),
	      "nothing restricted reaches an untrusted peer: %s / %s / %s", out.from, out.to, out.request_uri);
	CHECK_STR(out.to, "<sip:+15555552000@um.example.com;user=phone>", "To: the pilot toward an untrusted peer");
	in.orig_called.present = 0;
	in.redirecting.pres = 0;
	in.redir_ind = 3;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "no original called number");
	CHECK_STR(out.to, "<sip:+15555551009@um.example.com;user=phone>", "To: the redirecting number without original");
	in.orig_called.present = 1;
	in.redirecting.pres = 1;
	in.redir_ind = 4;
	in.calling.screen = MAP_SCREEN_USER_PASSED;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d) && !out.p_asserted_identity[0],
	      "ISUP user-provided number never asserted");
	in.calling.screen = MAP_SCREEN_NETWORK;
	in.calling.pres = 0;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "allowed caller");
	CHECK_STR(out.from, "<sip:+15555551001@um.example.com;user=phone>", "allowed caller in From");
	CHECK(!out.privacy[0], "no Privacy header");
	in.calling.pres = 3;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "presentation 3");
	CHECK(strstr(out.from, "anonymous") && !strcmp(out.privacy, "id"), "presentation 3 (reserved) is restricted");
}

static void no_diversion_kept(void)
{
	struct map_sip_out out;
	struct map_isup in;
	struct map_diag d;

	memset(&in, 0, sizeof(in));
	tdm_number(&in.called, "15555552000", 4, 0);
	in.cdti = MAP_CDTI_NOT_ALLOWED;
	memcpy(in.uui, "\x04UM/1;sens=normal", 17);
	in.uui_len = 17;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "CDTI with sens=normal maps");
	CHECK_STR(out.ms_sensitivity, "normal-no-diversion", "user-to-user never relaxes call diversion not allowed");
	memcpy(in.uui, "\x04UM/1;sens=private", 18);
	in.uui_len = 18;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d) && !strcmp(out.ms_sensitivity, "private-no-diversion"),
	      "sens=private + CDTI -> private-no-diversion");
	in.cdti = 0;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d) && !strcmp(out.ms_sensitivity, "private"),
	      "sens=private without CDTI stays private");
}

static void long_histories(void)
{
	static char hdr[12000];
	struct map_call call;
	struct map_diag d;
	size_t n = 0;
	int i;

	n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "History-Info: <sip:+15555550000@example.com;user=phone>;index=1");
	for (i = 1; i < 40; i++)
		n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, ", <sip:+155555500%02d@example.com;user=phone;cause=%d>;"
				      "index=1.%d", i, i == 1 ? 302 : i == 39 ? 486 : 408, i);
	snprintf(hdr + n, sizeof(hdr) - n, "\r\n");
	CHECK(!sip_call("sip:+15555552000@example.com;user=phone", hdr, &call, &d), "40 History-Info entries map");
	CHECK_STR(call.redirecting.digits, "15555550038", "History-Info: the latest retarget is kept");
	CHECK_STR(call.original_called.digits, "15555550000", "History-Info: the first entry is kept");
	CHECK_INT(call.redir.counter, 39, "History-Info: dropped entries still counted");
	CHECK_INT(call.redir.reason, MAP_REASON_USER_BUSY, "History-Info: latest cause");
	CHECK(map_diag_count(&d, MAP_DIAG_NOTE) > 0, "decisions noted");

	n = (size_t)snprintf(hdr, sizeof(hdr), "Diversion: ");
	for (i = 39; i >= 0; i--)
		n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "<tel:+155555500%02d>;reason=%s%s", i,
				      i == 0 ? "unconditional" : "no-answer", i ? ", " : "\r\n");
	CHECK(!sip_call("sip:+15555552000@example.com;user=phone", hdr, &call, &d), "40 Diversion entries map");
	CHECK_STR(call.redirecting.digits, "15555550039", "Diversion: the topmost (latest) entry is kept");
	CHECK_STR(call.original_called.digits, "15555550000", "Diversion: the bottom (first) entry is kept");
	CHECK_INT(call.redir.counter, 40, "Diversion: dropped entries still counted");
	CHECK_INT(call.redir.orig_reason, MAP_REASON_UNCONDITIONAL, "Diversion: original reason from the bottom");
}

static void extensions_and_forms(void)
{
	struct map_sip_out out;
	struct map_call call;
	struct map_isup in;
	struct map_diag d;

	CHECK(!sip_call("sip:+15555552000@example.com;user=phone;target=sip:1002%40cucm.example.com;cause=486", NULL,
			&call, &d), "extension target maps");
	CHECK(!strcmp(call.redirecting.digits, "1002") && call.redirecting.nai == MAP_NAI_UNKNOWN,
	      "NANP extension 1002 is not national 002 (%s, NAI %d)", call.redirecting.digits, call.redirecting.nai);
	CHECK(!sip_call("sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486",
			"Diversion: <sip:5555551002@cucm.example.com>;reason=user-busy\r\n", &call, &d),
	      "same mailbox twice maps");
	CHECK(call.redir.counter == 1 && !strcmp(call.original_called.digits, "15555551002"),
	      "the same mailbox in two forms counts once (counter %d, original %s)", call.redir.counter,
	      call.original_called.digits);

	memset(&in, 0, sizeof(in));
	tdm_number(&in.called, "15555552000", MAP_NAI_UNKNOWN, 0);
	tdm_number(&in.redirecting, "0114420712345", MAP_NAI_UNKNOWN, 0);
	in.redir_present = 1;
	in.redir_ind = 3;
	in.redir_reason = 1;
	in.redir_counter = 1;
	CHECK(!isup_sip(&in, &trusted_um, &out, &d), "unknown-NAI numbers map");
	CHECK_STR(out.request_uri, "sip:+15555552000@um.example.com;user=phone;target=tel:+4420712345;cause=486",
		  "unknown-NAI numbers dialled with the trunk's prefixes become E.164");
	tdm_number(&in.redirecting, "1002", MAP_NAI_UNKNOWN, 0);
	CHECK(!isup_sip(&in, &trusted_um, &out, &d) && strstr(out.request_uri, "target=tel:1002;cause=486"),
	      "an extension without local context: plain digits: %s", out.request_uri);
}

static void history_4244_and_quotes(void)
{
	struct map_call call;
	struct map_diag d;

	CHECK(!sip_call("sip:+15555552000@example.com;user=phone",
			"History-Info: <sip:+15555551002@example.com;user=phone?Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy"
			"%22>;index=1, <sip:+15555552000@example.com;user=phone>;index=1.1\r\n", &call, &d),
	      "RFC 4244 History-Info maps");
	CHECK(call.redir.present && call.redir.reason == MAP_REASON_USER_BUSY &&
		      !strcmp(call.redirecting.digits, "15555551002"), "RFC 4244 Reason cause read (reason %s, %s)",
	      map_reason_name(call.redir.reason), call.redirecting.digits);
	CHECK(!sip_call("sip:+15555552000@example.com;user=phone",
			"Diversion: <tel:+15555551002>;reason=\"user-busy\";counter=\"2\"\r\n", &call, &d),
	      "quoted Diversion parameters map");
	CHECK(call.redir.reason == MAP_REASON_USER_BUSY && call.redir.counter == 2,
	      "quoted Diversion reason and counter read (%s, %d)", map_reason_name(call.redir.reason),
	      call.redir.counter);
	CHECK(!sip_call("sip:+15555552000@example.com;user=phone", "Diversion: <tel:+15555551002>\r\n", &call, &d) &&
		      call.redir.reason == MAP_REASON_UNKNOWN && call.redir.counter == 1,
	      "Diversion without reason or counter: unknown, 1");
}

/* message retrieval: a target without a cause comes back without one */
static void retrieval(void)
{
	static struct map_tables t;
	struct map_sip_out out;
	struct map_call call, back;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;

	CHECK(!sip_call("sip:+15555552000@example.com;user=phone;target=tel:+15555551002", NULL, &call, &d),
	      "retrieval maps");
	map_isup_from_call(&call, test_tables, &isup, &d);
	CHECK(isup.uui_len && !memcmp(isup.uui, "\x04UM/1;no-cause", isup.uui_len), "user-to-user says no-cause");
	CHECK(!map_isup_to_call(&isup, test_tables, 0, &back, &d) &&
		      !map_call_to_sip(&back, test_tables, map_tables_trunk(test_tables, "default"), &trusted_um, &out, &d),
	      "back to SIP");
	CHECK_STR(out.request_uri, "sip:+15555552000@um.example.com;user=phone;target=tel:+15555551002",
		  "retrieval round trip over ISUP: no cause");
	map_q931_from_call(&call, test_tables, MAP_PROTO_Q931, NULL, &q, &d);
	CHECK(!map_q931_to_call(&q, test_tables, NULL, 0, &back, &d) &&
		      !map_call_to_sip(&back, test_tables, map_tables_trunk(test_tables, "default"), &trusted_um, &out, &d) &&
		      !strstr(out.request_uri, "cause="), "retrieval round trip over Q.931: no cause (%s)", out.request_uri);
	t = *test_tables;
	t.opt.uui = 0;
	map_isup_from_call(&call, &t, &isup, &d);
	CHECK(!map_isup_to_call(&isup, &t, 0, &back, &d) &&
		      !map_call_to_sip(&back, &t, map_tables_trunk(&t, "default"), &trusted_um, &out, &d) &&
		      strstr(out.request_uri, "cause=404"), "without the convention reason unknown reads back as 404");
	/* a PBX that changed the reason voids the no-cause mark */
	isup.redir_reason = 2;
	memcpy(isup.uui, "\x04UM/1;no-cause", 14);
	isup.uui_len = 14;
	CHECK(!map_isup_to_call(&isup, test_tables, 0, &back, &d) &&
		      !map_call_to_sip(&back, test_tables, map_tables_trunk(test_tables, "default"), &trusted_um, &out, &d) &&
		      strstr(out.request_uri, "cause=408"), "no-cause ignored when the reason changed (%s)", out.request_uri);
}

static void reserved_codepoints(void)
{
	struct map_sip_out out;
	struct map_call call;
	struct map_isup in;
	struct map_diag d;

	memset(&in, 0, sizeof(in));
	tdm_number(&in.called, "15555552000", 4, 0);
	tdm_number(&in.redirecting, "15555551002", 4, 0);
	in.redir_present = 1;
	in.redir_ind = 3;
	in.redir_reason = 1;
	in.redir_orig_reason = 15;
	in.redir_counter = 7;
	map_diag_init(&d);
	CHECK(!map_isup_to_call(&in, test_tables, 0, &call, &d), "reserved values map");
	CHECK(call.redir.counter == 5 && call.redir.orig_reason == MAP_REASON_UNKNOWN &&
		      map_diag_count(&d, MAP_DIAG_NOTE) >= 2,
	      "counter 7 -> 5, original reason 15 -> unknown, both noted");
	CHECK(!map_call_to_sip(&call, test_tables, map_tables_trunk(test_tables, "default"), &trusted_um, &out, &d) &&
		      strstr(out.diversion, "counter=5"), "Diversion counter 5 (%s)", out.diversion);
}

static void lossy_names(void)
{
	struct map_call call;
	struct map_sip_out out;
	struct map_diag d;

	CHECK(!sip_call("sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=480", NULL, &call, &d),
	      "480 maps");
	map_diag_init(&d);
	map_call_to_sip(&call, test_tables, map_tables_trunk(test_tables, "default"), &trusted_um, &out, &d);
	CHECK(map_diag_first(&d, MAP_DIAG_LOSSY) && strstr(map_diag_first(&d, MAP_DIAG_LOSSY), "sent deflection,"),
	      "Diversion lossy line names the token: %s", map_diag_first(&d, MAP_DIAG_LOSSY));
}

void edge_tests(void)
{
	identities();
	no_diversion_kept();
	long_histories();
	extensions_and_forms();
	history_4244_and_quotes();
	retrieval();
	reserved_codepoints();
	lossy_names();
}
