/*
 * number_test.c - telephone numbers: RFC 3966 forms, trunk prefixes, NAI, limits, bad input.
 */
#include <stdio.h>
#include <string.h>

#include "map_number.h"
#include "testlib.h"

static const struct {
	const char *trunk, *in;
	const char *digits;	/* NULL: must be rejected */
	int nai;
	const char *err;	/* part of the error line */
} vectors[] = {
	{ "default", "+15555551002", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "+1-555-555-1002", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "+1.555.(555).1002", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "5551002;phone-context=+1-555", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "1234;phone-context=example.com", "1234", MAP_NAI_UNKNOWN, NULL },
	{ "default", "011441234567890", "441234567890", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "15555551002", "5555551002", MAP_NAI_NATIONAL, NULL },
	{ "default", "5551002", "5551002", MAP_NAI_UNKNOWN, NULL },
	{ "default", "12*34#", "12*34#", MAP_NAI_UNKNOWN, NULL },
	{ "default", "*86", "*86", MAP_NAI_UNKNOWN, NULL },
	{ "default", "+15555551002;isub=12", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "uk", "+441234567890", "1234567890", MAP_NAI_NATIONAL, NULL },
	{ "uk", "+15555551002", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "uk", "01234567890", "1234567890", MAP_NAI_NATIONAL, NULL },
	{ "uk", "0015555551002", "15555551002", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "+123456789012345", "123456789012345", MAP_NAI_INTERNATIONAL, NULL },
	{ "default", "+1234567890123456", NULL, 0, "longer than the 15 digits of E.164" },
	{ "default", "5234567890123456", NULL, 0, "16 digits, trunk 'default' takes at most 15" },
	{ "default", "", NULL, 0, "empty number" },
	{ "default", "+", NULL, 0, "no digits" },
	{ "default", "+--", NULL, 0, "no digits" },
	{ "default", "bob", NULL, 0, "invalid character 'b' at position 1" },
	{ "default", "+1 555", NULL, 0, "invalid character ' ' at position 3" },
	{ "default", "+12a4", NULL, 0, "test '+12a4': invalid character 'a' at position 4" },
	{ "default", "+12*3", NULL, 0, "invalid character '*' at position 4" },
	{ "default", "123;phone-context=+1;phone-context=+44", NULL, 0, "duplicated phone-context" },
	{ "default", "123;phone-context=", NULL, 0, "bad phone-context" },
	{ "default", "123;phone-context=+1x", NULL, 0, "invalid character 'x'" },
};

static void parse_vectors(void)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct map_number n;
		struct map_diag d;
		int ret;

		memset(&n, 0, sizeof(n));
		map_diag_init(&d);
		ret = map_number_parse(&n, vectors[i].in, map_tables_trunk(test_tables, vectors[i].trunk), "test", &d);
		if (vectors[i].digits) {
			CHECK(ret == 0, "'%s' parses: %s", vectors[i].in, ret ? map_diag_first(&d, MAP_DIAG_ERROR) : "");
			CHECK_STR(n.digits, vectors[i].digits, vectors[i].in);
			CHECK_INT(n.nai, vectors[i].nai, vectors[i].in);
		} else {
			const char *err = map_diag_first(&d, MAP_DIAG_ERROR);

			CHECK(ret < 0 && err && strstr(err, vectors[i].err) && strstr(err, "test '"),
			      "'%s' rejected with '%s', got '%s'", vectors[i].in, vectors[i].err, err ? err : "(none)");
		}
	}
}

static void long_inputs(void)
{
	char big[400];
	struct map_number n;
	struct map_diag d;

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	map_diag_init(&d);
	CHECK(map_number_parse(&n, big, map_tables_trunk(test_tables, "default"), "target", &d) < 0 &&
		      strstr(map_diag_first(&d, MAP_DIAG_ERROR), "longer than 256"),
	      "400 digits rejected");
	big[40] = '\0';
	map_diag_init(&d);
	CHECK(map_number_parse(&n, big, map_tables_trunk(test_tables, "default"), "target", &d) < 0,
	      "40 digits rejected");
}

static void tel_uris(void)
{
	const struct map_trunk *tr = map_tables_trunk(test_tables, "default");
	struct map_number n;
	struct map_diag d;

	map_diag_init(&d);
	CHECK(!map_number_parse_tel(&n, "tel:+15555551002", tr, "target", &d), "tel: parses");
	CHECK(!map_number_parse_tel(&n, "TEL:+15555551002", tr, "target", &d), "TEL: (scheme case) parses");
	CHECK(map_number_parse_tel(&n, "sip:+1555@example.com", tr, "target", &d) < 0, "sip: is not tel:");
	CHECK(map_number_parse_tel(&n, "tel:%2B15555551002", tr, "target", &d) < 0, "escapes refused in tel:");
	CHECK(map_number_parse_tel(&n, "tel:", tr, "target", &d) < 0, "empty tel:");
}

static void tdm_digits(void)
{
	struct map_number n;
	struct map_diag d;

	map_diag_init(&d);
	memset(&n, 0, sizeof(n));
	CHECK(!map_number_set_digits(&n, "15555552000#", MAP_NAI_INTERNATIONAL, "called", &d), "ST digit accepted");
	CHECK_STR(n.digits, "15555552000", "ST dropped");
	CHECK(map_number_set_digits(&n, "", 4, "called", &d) < 0, "empty digits");
	CHECK(map_number_set_digits(&n, "12a", 4, "called", &d) < 0, "letters refused");
	CHECK(map_number_set_digits(&n, "123", 0, "called", &d) < 0, "NAI 0 refused");
	CHECK(map_number_set_digits(&n, "12*3", MAP_NAI_INTERNATIONAL, "called", &d) < 0, "international with *");
	CHECK(!map_number_set_digits(&n, "*86", MAP_NAI_UNKNOWN, "called", &d), "unknown NAI with *");
}

static void to_sip(void)
{
	const struct map_trunk *def = map_tables_trunk(test_tables, "default");
	const struct map_trunk *uk = map_tables_trunk(test_tables, "uk");
	struct map_number n = { 1, "15555551002", MAP_NAI_INTERNATIONAL, 1, 0, 0 };
	char buf[64];

	CHECK(!map_number_to_sip(&n, def, buf, sizeof(buf)), "international");
	CHECK_STR(buf, "+15555551002", "international to SIP");
	n.nai = MAP_NAI_NATIONAL;
	strcpy(n.digits, "1234567890");
	map_number_to_sip(&n, uk, buf, sizeof(buf));
	CHECK_STR(buf, "+441234567890", "national to SIP with the trunk's country code");
	strcpy(n.digits, "02079460000");
	map_number_to_sip(&n, uk, buf, sizeof(buf));
	CHECK_STR(buf, "+442079460000", "a national number sent with its trunk prefix loses it");
	strcpy(n.digits, "5555551002");
	map_number_to_sip(&n, def, buf, sizeof(buf));
	CHECK_STR(buf, "+15555551002", "a NANP national number starting with 5 is kept");
	n.nai = MAP_NAI_SUBSCRIBER;
	strcpy(n.digits, "5551002");
	map_number_to_sip(&n, def, buf, sizeof(buf));
	CHECK_STR(buf, "5551002", "subscriber to SIP without local context");
	{
		struct map_trunk ctx = *def;

		strcpy(ctx.local_context, "dp1.example.com");
		map_number_to_sip(&n, &ctx, buf, sizeof(buf));
		CHECK_STR(buf, "5551002;phone-context=dp1.example.com", "subscriber to SIP with local context");
	}
	CHECK_INT(map_number_to_sip(&n, def, buf, 5), -28 /* -ENOSPC */, "small buffer");
}

void number_tests(void)
{
	parse_vectors();
	long_inputs();
	tel_uris();
	tdm_digits();
	to_sip();
}
