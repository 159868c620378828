/*
 * tdm_test.c - ISUP and Q.931/QSIG/ETSI -> the call model -> SIP, the raw octets, and round trips
 * SIP -> TDM -> SIP for every cause and protocol, with and without the user-to-user convention.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "map_dli2.h"
#include "map_isup.h"
#include "map_q931.h"
#include "map_sip.h"
#include "testlib.h"

static struct map_sip_out_opts um_opts = { "um.example.com", NULL, 0 };

static void isup_number(struct map_isup_number *n, const char *digits, int nai)
{
	memset(n, 0, sizeof(*n));
	n->present = 1;
	snprintf(n->digits, sizeof(n->digits), "%s", digits);
	n->nai = nai;
	n->npi = 1;
}

/* an ISUP IAM as libss7 would report it, mapped to SIP */
static int isup_to_sip(const struct map_isup *in, int trusted, struct map_sip_out *out, struct map_call *call,
		       struct map_diag *d)
{
	int ret;

	map_diag_init(d);
	ret = map_isup_to_call(in, test_tables, trusted, call, d);
	if (!ret)
		ret = map_call_to_sip(call, test_tables, map_tables_trunk(test_tables, "default"), &um_opts, out, d);
	return ret;
}

static void isup_in(void)
{
	static const struct {
		int reason;
		const char *cause;
	} v[] = { { 0, "cause=404" }, { 1, "cause=486" }, { 2, "cause=408" }, { 3, "cause=302" },
		  { 4, "cause=487" }, { 5, "cause=480" }, { 6, "cause=503" }, { 9, "cause=302" } };
	struct map_sip_out out;
	struct map_call call;
	struct map_isup in;
	struct map_diag d;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&in, 0, sizeof(in));
		isup_number(&in.called, "15555552000#", 4);
		isup_number(&in.redirecting, "15555551002", 4);
		isup_number(&in.orig_called, "15555551002", 4);
		in.redir_present = 1;
		in.redir_ind = 3;
		in.redir_reason = v[i].reason;
		in.redir_orig_reason = 1;
		in.redir_counter = 1;
		CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0, "ISUP reason %d maps", v[i].reason);
		CHECK(strstr(out.request_uri, v[i].cause) != NULL, "ISUP reason %d -> %s: %s", v[i].reason, v[i].cause,
		      out.request_uri);
	}
	CHECK_STR(out.request_uri, "sip:+15555552000@um.example.com;user=phone;target=tel:+15555551002;cause=302",
		  "Request-URI toward the UM");
	CHECK_STR(out.to, "<sip:+15555551002@um.example.com;user=phone>", "To = the mailbox");
	CHECK_STR(out.diversion, "<tel:+15555551002>;reason=unconditional;counter=1;privacy=off", "Diversion");
	CHECK(out.history_info[0] == '\0', "History-Info off by default");

	/* national numbers get the trunk's country code; a redirecting number without information */
	memset(&in, 0, sizeof(in));
	isup_number(&in.called, "5555552000", 3);
	isup_number(&in.redirecting, "5555551002", 3);
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0, "redirecting number alone maps");
	CHECK_STR(out.request_uri, "sip:+15555552000@um.example.com;user=phone;target=tel:+15555551002;cause=404",
		  "no redirection information: reason unknown");

	/* restricted redirecting number: kept toward a trusted UM, removed toward an untrusted one */
	in.redirecting.pres = 1;
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0 && strstr(out.request_uri, "target=") &&
		      strstr(out.diversion, "privacy=full"), "restricted: Diversion privacy=full");
	um_opts.untrusted = 1;
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0 && !strstr(out.request_uri, "target=") &&
		      !strstr(out.request_uri, "cause=") && !out.diversion[0], "untrusted peer: target/cause removed (%s)",
	      out.request_uri);
	um_opts.untrusted = 0;

	/* call diversion not allowed -> Ms-Sensitivity */
	memset(&in, 0, sizeof(in));
	isup_number(&in.called, "15555552000", 4);
	in.cdti = MAP_CDTI_NOT_ALLOWED;
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0, "CDTI maps");
	CHECK_STR(out.ms_sensitivity, "private-no-diversion", "CDTI 2 -> Ms-Sensitivity");
	in.cdti = MAP_CDTI_ALLOWED;
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0 && !out.ms_sensitivity[0], "CDTI 1: no header");

	/* skip-pin in user-to-user data needs a trusted trunk and a network-screened caller */
	memset(&in, 0, sizeof(in));
	isup_number(&in.called, "15555552000", 4);
	isup_number(&in.calling, "15555551002", 4);
	in.calling.screen = MAP_SCREEN_NETWORK;
	memcpy(in.uui, "\x04UM/1;skip-pin", 14);
	in.uui_len = 14;
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) == 0 && !out.ms_exchange_command[0], "skip-pin dropped: untrusted");
	CHECK(isup_to_sip(&in, 1, &out, &call, &d) == 0, "trusted");
	CHECK_STR(out.ms_exchange_command, "skip-pin", "skip-pin passed from a trusted trunk");
	in.calling.screen = MAP_SCREEN_USER_PASSED;
	CHECK(isup_to_sip(&in, 1, &out, &call, &d) == 0 && !out.ms_exchange_command[0],
	      "skip-pin dropped: calling number user provided");
	in.calling.present = 0;
	CHECK(isup_to_sip(&in, 1, &out, &call, &d) == 0 && !out.ms_exchange_command[0],
	      "skip-pin dropped: no calling number");

	/* bad digits from TDM */
	memset(&in, 0, sizeof(in));
	isup_number(&in.called, "12x", 4);
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) < 0 && strstr(map_diag_first(&d, MAP_DIAG_ERROR), "called '12x'"),
	      "bad called digits refused");
	memset(&in, 0, sizeof(in));
	CHECK(isup_to_sip(&in, 0, &out, &call, &d) < 0, "no called number refused");
}

static void isup_raw(void)
{
	struct map_isup_number n, back;
	struct map_isup p = { 0 }, q = { 0 };
	uint8_t buf[32];
	int len, cdti;

	isup_number(&n, "15555551002", 4);
	len = map_isup_number_encode(&n, MAP_ISUP_REDIRECTING_NUMBER, buf, sizeof(buf));
	CHECK(len == 8 && !memcmp(buf, "\x84\x10\x51\x55\x55\x15\x00\x02", 8), "redirecting number octets");
	CHECK(!map_isup_number_decode(&back, MAP_ISUP_REDIRECTING_NUMBER, buf, (size_t)len) &&
		      !strcmp(back.digits, "15555551002") && back.nai == 4 && back.npi == 1, "redirecting number decode");
	isup_number(&n, "1234", 3);
	n.pres = 1;
	n.screen = 3;
	len = map_isup_number_encode(&n, MAP_ISUP_CALLING_PARTY_NUMBER, buf, sizeof(buf));
	CHECK(len == 4 && !memcmp(buf, "\x03\x17\x21\x43", 4), "calling number octets (even, APRI 1, screening 3)");
	CHECK(!map_isup_number_decode(&back, MAP_ISUP_CALLING_PARTY_NUMBER, buf, (size_t)len) && back.pres == 1 &&
		      back.screen == 3 && !strcmp(back.digits, "1234"), "calling number decode");
	CHECK(map_isup_number_decode(&back, MAP_ISUP_CALLED_PARTY_NUMBER, buf, 1) < 0, "short number refused");
	CHECK(map_isup_number_decode(&back, MAP_ISUP_CALLED_PARTY_NUMBER, (const uint8_t *)"\x04\x10\xAA", 3) < 0,
	      "BCD code 10 refused");
	CHECK(map_isup_number_decode(&back, MAP_ISUP_REDIRECTING_NUMBER, (const uint8_t *)"\x04\x10\x51\xf5\x05\x01", 6) < 0,
	      "a filler nibble inside the number refused");
	CHECK(!map_isup_number_decode(&back, MAP_ISUP_CALLED_PARTY_NUMBER, (const uint8_t *)"\x84\x10\x21\xf3", 4) &&
		      !strcmp(back.digits, "123"), "ST as the last signal ends the number (%s)", back.digits);
	p.redir_ind = 4;
	p.redir_orig_reason = 3;
	p.redir_counter = 5;
	p.redir_reason = 6;
	CHECK(map_isup_redir_info_encode(&p, buf, sizeof(buf)) == 2 && buf[0] == 0x34 && buf[1] == 0x65,
	      "redirection information 34 65");
	CHECK(!map_isup_redir_info_decode(&q, buf, 2) && q.redir_ind == 4 && q.redir_orig_reason == 3 &&
		      q.redir_counter == 5 && q.redir_reason == 6, "redirection information decode");
	CHECK(map_isup_redir_info_decode(&q, buf, 3) < 0, "3-octet redirection information refused");
	CHECK(map_isup_cdti_encode(MAP_CDTI_NOT_ALLOWED, buf, 1) == 1 && buf[0] == 0x82, "CDTI not allowed = 0x82");
	CHECK(!map_isup_cdti_decode(&cdti, buf, 1) && cdti == 2, "CDTI decode");
}

static void q931_raw(void)
{
	struct map_q931_number n = { 1, "15555551002", 1, 1, 1, 0 }, back;
	uint8_t buf[64];
	int len, reason;

	len = map_q931_number_encode(&n, MAP_Q931_IE_REDIRECTING_NUMBER, 4, buf, sizeof(buf));
	CHECK(len == 14 && buf[0] == 0x11 && buf[1] == 0x20 && buf[2] == 0x84 && !memcmp(buf + 3, "15555551002", 11),
	      "Redirecting number IE: 11 20 84 + IA5 (deflection = 0100)");
	CHECK(!map_q931_number_decode(&back, MAP_Q931_IE_REDIRECTING_NUMBER, &reason, buf, (size_t)len) &&
		      reason == 4 && back.ton == 1 && back.pres == 1 && !strcmp(back.digits, "15555551002"),
	      "Redirecting number IE decode");
	len = map_q931_number_encode(&n, MAP_Q931_IE_CALLED_PARTY_NUMBER, -1, buf, sizeof(buf));
	CHECK(len == 12 && buf[0] == 0x91, "Called party number IE: 91 + IA5");
	len = map_q931_number_encode(&n, MAP_Q931_IE_REDIRECTING_NUMBER, -1, buf, sizeof(buf));
	CHECK(len == 13 && buf[1] == 0xA0, "Redirecting number IE without reason: octet 3a ends");
	CHECK(map_q931_number_decode(&back, MAP_Q931_IE_REDIRECTING_NUMBER, &reason, (const uint8_t *)"\x11", 1) < 0,
	      "truncated IE refused");
	CHECK(map_q931_number_decode(&back, MAP_Q931_IE_CALLED_PARTY_NUMBER, NULL, (const uint8_t *)"\x91" "12x", 4) < 0,
	      "non-digit refused");
	CHECK_INT(map_q931_ton_from_nai(MAP_NAI_SUBSCRIBER), 4, "NAI subscriber -> TON 4");
	CHECK_INT(map_q931_ton_from_nai(MAP_NAI_NATIONAL), 2, "NAI national -> TON 2");
	CHECK_INT(map_q931_nai_from_ton(1), MAP_NAI_INTERNATIONAL, "TON 1 -> international");
	CHECK_INT(map_q931_nai_from_ton(3), MAP_NAI_UNKNOWN, "TON network specific -> unknown");
}

/* SIP -> TDM -> SIP: the cause that comes back */
static int round_trip(int cause, int proto, int uui, char *uri, size_t urilen)
{
	static struct map_tables t;
	char text[512];
	struct osip_message *msg = NULL;
	struct map_call call, back;
	struct map_isup isup;
	struct map_q931 q;
	struct map_sip_out out;
	struct map_diag d;
	int ret;

	t = *test_tables;
	t.opt.uui = uui;
	map_diag_init(&d);
	snprintf(text, sizeof(text), "INVITE sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=%d "
		 "SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
		 "Call-ID: 1\r\nCSeq: 1 INVITE\r\n\r\n", cause);
	ret = map_sip_parse(text, strlen(text), &msg, &d);
	if (!ret)
		ret = map_sip_to_call(msg, &t, map_tables_trunk(&t, "default"), 0, &call, &d);
	osip_message_free(msg);
	if (ret)
		return -1;
	if (proto < 0) {
		map_isup_from_call(&call, &t, &isup, &d);
		ret = map_isup_to_call(&isup, &t, 0, &back, &d);
	} else {
		map_q931_from_call(&call, &t, proto, NULL, &q, &d);
		ret = map_q931_to_call(&q, &t, NULL, 0, &back, &d);
	}
	if (!ret)
		ret = map_call_to_sip(&back, &t, map_tables_trunk(&t, "default"), &um_opts, &out, &d);
	if (ret)
		return -1;
	snprintf(uri, urilen, "%s", out.request_uri);
	return atoi(strstr(out.request_uri, "cause=") + 6);
}

static void round_trips(void)
{
	static const struct {
		int cause, isup, q931, qsig, etsi;	/* the cause that comes back without user-to-user data */
	} v[] = {
		{ 404, 404, 404, 404, 404 }, { 486, 486, 486, 486, 486 }, { 408, 408, 408, 408, 408 },
		{ 302, 302, 302, 302, 302 }, { 487, 487, 487, 302, 487 }, { 480, 480, 487, 302, 480 },
		{ 503, 503, 302, 302, 302 },
	};
	char uri[512];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int c = v[i].cause;

		CHECK_INT(round_trip(c, -1, 0, uri, sizeof(uri)), v[i].isup, "ISUP round trip");
		CHECK_INT(round_trip(c, MAP_PROTO_Q931, 0, uri, sizeof(uri)), v[i].q931, "Q.931 round trip, no UUI");
		CHECK_INT(round_trip(c, MAP_PROTO_QSIG, 0, uri, sizeof(uri)), v[i].qsig, "QSIG round trip, no UUI");
		CHECK_INT(round_trip(c, MAP_PROTO_ETSI, 0, uri, sizeof(uri)), v[i].etsi, "ETSI round trip, no UUI");
		/* the convention carries the exact cause where the protocol cannot */
		CHECK_INT(round_trip(c, MAP_PROTO_Q931, 1, uri, sizeof(uri)), c, "Q.931 round trip with UUI");
		CHECK_INT(round_trip(c, MAP_PROTO_QSIG, 1, uri, sizeof(uri)), c, "QSIG round trip with UUI");
		CHECK_INT(round_trip(c, -1, 1, uri, sizeof(uri)), c, "ISUP round trip with UUI");
		CHECK(strstr(uri, "sip:+15555552000@um.example.com;user=phone;target=tel:+15555551002;cause=") == uri,
		      "user part and target survive: %s", uri);
	}
}

static void uui_disagreement(void)
{
	struct map_sip_out out;
	struct map_call call;
	struct map_q931 q;
	struct map_diag d;

	/* a PBX changed the reason to no reply; the old cause in user-to-user must not win */
	memset(&q, 0, sizeof(q));
	q.proto = MAP_PROTO_Q931;
	q.div_orig_reason = -1;
	q.called = (struct map_q931_number){ 1, "15555552000", 1, 1, 0, 0 };
	q.redirecting = (struct map_q931_number){ 1, "15555551002", 1, 1, 0, 0 };
	q.redir_present = 1;
	q.reason = 2;
	memcpy(q.uui, "\x04UM/1;cause=486", 15);
	q.uui_len = 15;
	map_diag_init(&d);
	CHECK(!map_q931_to_call(&q, test_tables, NULL, 0, &call, &d), "Q.931 maps");
	CHECK(!map_call_to_sip(&call, test_tables, map_tables_trunk(test_tables, "default"), &um_opts, &out, &d),
	      "to SIP");
	CHECK(strstr(out.request_uri, "cause=408") != NULL, "disagreeing user-to-user cause ignored: %s",
	      out.request_uri);
}

static void counters(void)
{
	struct map_call call;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;

	map_call_init(&call);
	call.called = (struct map_number){ 1, "15555552000", 4, 1, 0, 0 };
	call.redir.present = 1;
	call.redir.reason = MAP_REASON_NO_REPLY;
	call.redir.counter = 7;
	map_diag_init(&d);
	map_isup_from_call(&call, test_tables, &isup, &d);
	CHECK(isup.redir_counter == 5 && map_diag_count(&d, MAP_DIAG_LOSSY) == 1, "ISUP counter 7 -> 5, reported");
	map_diag_init(&d);
	map_q931_from_call(&call, test_tables, MAP_PROTO_QSIG, NULL, &q, &d);
	CHECK(q.div_counter == 7 && !map_diag_count(&d, MAP_DIAG_LOSSY), "QSIG counter 7 carried");
	call.redir.counter = 20;
	map_diag_init(&d);
	map_q931_from_call(&call, test_tables, MAP_PROTO_QSIG, NULL, &q, &d);
	CHECK(q.div_counter == 15 && map_diag_count(&d, MAP_DIAG_LOSSY) == 1, "QSIG counter 20 -> 15, reported");
	map_diag_init(&d);
	map_q931_from_call(&call, test_tables, MAP_PROTO_ETSI, NULL, &q, &d);
	CHECK(q.div_counter == 5 && map_diag_count(&d, MAP_DIAG_LOSSY) == 1, "ETSI counter 20 -> 5, reported");
}

/* History-Info toward SIP (options.tbl sip-history-info on) reads back through map_sip_in */
static void history_info_out(void)
{
	static struct map_tables t;
	struct osip_message *msg = NULL;
	struct map_sip_out out;
	struct map_call call, back;
	struct map_isup in;
	struct map_diag d;
	char text[4096];

	t = *test_tables;
	t.opt.sip_history_info = 1;
	t.opt.sip_diversion = 0;
	memset(&in, 0, sizeof(in));
	isup_number(&in.called, "15555552000", 4);
	isup_number(&in.redirecting, "15555551002", 4);
	in.redir_present = 1;
	in.redir_ind = 3;
	in.redir_reason = 2;
	in.redir_counter = 1;
	map_diag_init(&d);
	CHECK(!map_isup_to_call(&in, &t, 0, &call, &d), "ISUP maps");
	CHECK(!map_call_to_sip(&call, &t, map_tables_trunk(&t, "default"), &um_opts, &out, &d), "to SIP");
	CHECK_STR(out.history_info, "<sip:+15555551002@um.example.com;user=phone>;index=1, "
		  "<sip:+15555552000@um.example.com;user=phone;cause=408>;index=1.1;mp=1", "History-Info");
	CHECK(!out.diversion[0], "Diversion off");
	snprintf(text, sizeof(text), "INVITE sip:+15555552000@um.example.com;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP h;"
		 "branch=z9hG4bK1\r\nFrom: %s;tag=1\r\nTo: %s\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nHistory-Info: %s\r\n\r\n",
		 out.from, out.to, out.history_info);
	CHECK(!map_sip_parse(text, strlen(text), &msg, &d) &&
		      !map_sip_to_call(msg, &t, map_tables_trunk(&t, "default"), 0, &back, &d), "History-Info parses back");
	osip_message_free(msg);
	CHECK(back.redir.present && back.redir.reason == MAP_REASON_NO_REPLY && back.redir.counter == 1 &&
		      !strcmp(back.redirecting.digits, "15555551002"), "History-Info round trip: reason %s counter %d",
	      map_reason_name(back.redir.reason), back.redir.counter);
}

/* DivertingLegInformation2: encode -> decode gives the same values; bad octets are refused */
static void dli2(void)
{
	static const struct map_q931_number nums[] = {
		{ 1, "15555551002", 1, 1, MAP_PRES_ALLOWED, 0 },
		{ 1, "5551002", 4, 1, MAP_PRES_RESTRICTED, 0 },
		{ 1, "", 0, 1, MAP_PRES_NOT_AVAILABLE, 0 },
	};
	struct map_q931 q, back;
	uint8_t buf[MAP_DLI2_MAX];
	size_t i;
	int len, proto;

	for (proto = MAP_PROTO_QSIG; proto <= MAP_PROTO_ETSI; proto++)
		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			memset(&q, 0, sizeof(q));
			q.proto = proto;
			q.div_counter = 3;
			q.div_reason = proto == MAP_PROTO_QSIG ? 3 : 5;
			q.div_orig_reason = proto == MAP_PROTO_QSIG ? 2 : -1;
			q.redirecting = nums[i];
			q.orig_called = nums[(i + 1) % 3];
			len = map_dli2_encode(&q, buf, sizeof(buf));
			CHECK(len > 20, "DLI2 %d/%zu encodes (%d octets)", proto, i, len);
			memset(&back, 0, sizeof(back));
			back.proto = proto;
			CHECK(!map_dli2_decode(&back, buf, (size_t)len), "DLI2 %d/%zu decodes", proto, i);
			CHECK(back.div_counter == 3 && back.div_reason == q.div_reason &&
				      back.div_orig_reason == q.div_orig_reason && back.redir_present,
			      "DLI2 %d/%zu values back", proto, i);
			CHECK(back.redirecting.pres == nums[i].pres && !strcmp(back.redirecting.digits, nums[i].digits) &&
				      back.redirecting.ton == (nums[i].digits[0] ? nums[i].ton : 0),
			      "DLI2 %d/%zu divertingNr back ('%s' pres %d)", proto, i, back.redirecting.digits,
			      back.redirecting.pres);
			CHECK(!strcmp(back.orig_called.digits, q.orig_called.digits), "DLI2 %d/%zu originalCalledNr back",
			      proto, i);
			back.proto = proto == MAP_PROTO_QSIG ? MAP_PROTO_ETSI : MAP_PROTO_QSIG;
			CHECK(map_dli2_decode(&back, buf, (size_t)len) < 0, "DLI2 of the other protocol refused");
			back.proto = proto;
			CHECK(map_dli2_decode(&back, buf, (size_t)len - 3) < 0, "truncated DLI2 refused");
			buf[len - 1] = 'x';
			CHECK(i == 2 || map_dli2_decode(&back, buf, (size_t)len) < 0 || back.orig_called.digits[0] == 'x',
			      "changed octets do not pass unnoticed");
		}
	q.proto = MAP_PROTO_Q931;
	CHECK(map_dli2_encode(&q, buf, sizeof(buf)) < 0, "no DLI2 for plain Q.931");
	q.proto = MAP_PROTO_QSIG;
	CHECK(map_dli2_encode(&q, buf, 10) < 0, "small buffer");
	back.proto = MAP_PROTO_QSIG;
	CHECK(map_dli2_decode(&back, (const uint8_t *)"\x9f\xa1\x85\x00", 4) < 0, "long-form length refused");
	CHECK(map_dli2_decode(&back, (const uint8_t *)"\x9f", 1) < 0, "profile only refused");
}

void tdm_tests(void)
{
	dli2();
	history_info_out();
	isup_in();
	isup_raw();
	q931_raw();
	round_trips();
	uui_disagreement();
	counters();
}
