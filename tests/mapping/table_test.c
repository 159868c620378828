/*
 * table_test.c - the shipped tables equal the standards (MAPPING.md), every row of every file is
 * honoured both ways, and bad tables are refused with file:line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_table.h"
#include "testlib.h"

/* MAPPING.md's redirecting reason table, one row per reason, written from the standards */
static const struct {
	int reason;
	int cause, isup, isup_orig, q931, qsig, etsi;
	const char *diversion;
} std_rows[] = {
	{ MAP_REASON_UNKNOWN, 404, 0, 0, 0x0, 0, 0, "unknown" },
	{ MAP_REASON_USER_BUSY, 486, 1, 1, 0x1, 2, 2, "user-busy" },
	{ MAP_REASON_NO_REPLY, 408, 2, 2, 0x2, 3, 3, "no-answer" },
	{ MAP_REASON_UNCONDITIONAL, 302, 3, 3, 0xF, 1, 1, "unconditional" },
	{ MAP_REASON_DEFLECTION_ALERTING, 487, 4, 0, 0x4, 1, 4, "deflection" },
	{ MAP_REASON_DEFLECTION_IMMEDIATE, 480, 5, 0, 0x4, 1, 5, "deflection" },
	{ MAP_REASON_NOT_REACHABLE, 503, 6, 0, 0xF, 1, 1, "unavailable" },
};

static void standard_rows(const struct map_tables *t)
{
	size_t i;
	char what[96];

	for (i = 0; i < sizeof(std_rows) / sizeof(std_rows[0]); i++) {
		int r = std_rows[i].reason;
		const char *name = map_reason_name(r);

		snprintf(what, sizeof(what), "cause for %s", name);
		CHECK_INT(map_rtable_encode(&t->causes, r), std_rows[i].cause, what);
		snprintf(what, sizeof(what), "reason for cause %d", std_rows[i].cause);
		CHECK_INT(map_rtable_decode(&t->causes, std_rows[i].cause, NULL), r, what);
		snprintf(what, sizeof(what), "ISUP code for %s", name);
		CHECK_INT(map_rtable_encode(&t->isup, r), std_rows[i].isup, what);
		CHECK_INT(map_rtable_decode(&t->isup, std_rows[i].isup, NULL), r, "ISUP decode");
		snprintf(what, sizeof(what), "ISUP original reason for %s", name);
		CHECK_INT(map_rtable_encode(&t->isup_orig, r), std_rows[i].isup_orig, what);
		snprintf(what, sizeof(what), "Q.931 code for %s", name);
		CHECK_INT(map_rtable_encode(&t->q931[0], r), std_rows[i].q931, what);
		snprintf(what, sizeof(what), "QSIG code for %s", name);
		CHECK_INT(map_rtable_encode(&t->qsig, r), std_rows[i].qsig, what);
		snprintf(what, sizeof(what), "ETSI code for %s", name);
		CHECK_INT(map_rtable_encode(&t->etsi, r), std_rows[i].etsi, what);
		snprintf(what, sizeof(what), "Diversion token for %s", name);
		CHECK_STR(map_rtable_token(&t->diversion, map_rtable_encode(&t->diversion, r)), std_rows[i].diversion,
			  what);
	}
	/* the reverse of the shared codes, and of the codes only received */
	CHECK_INT(map_rtable_decode(&t->q931[0], 0x4, NULL), MAP_REASON_DEFLECTION_ALERTING, "Q.931 0100");
	CHECK_INT(map_rtable_decode(&t->q931[0], 0xF, NULL), MAP_REASON_UNCONDITIONAL, "Q.931 1111");
	CHECK_INT(map_rtable_decode(&t->q931[0], 0x9, NULL), MAP_REASON_NOT_REACHABLE, "Q.931 1001");
	CHECK_INT(map_rtable_decode(&t->q931[0], 0xA, NULL), MAP_REASON_UNCONDITIONAL, "Q.931 1010");
	CHECK_INT(map_rtable_decode(&t->q931[0], 0x3, NULL), MAP_REASON_UNCONDITIONAL, "Q.931 0011 (unassigned)");
	CHECK_INT(map_rtable_decode(&t->qsig, 1, NULL), MAP_REASON_UNCONDITIONAL, "QSIG cfu");
	CHECK_INT(map_rtable_decode(&t->isup, 9, NULL), MAP_REASON_UNCONDITIONAL, "ISUP spare 9");
	CHECK_INT(map_rtable_decode(&t->causes, 499, NULL), MAP_REASON_UNCONDITIONAL, "cause 499 (no row)");
	CHECK_INT(map_rtable_decode(&t->causes, 380, NULL), MAP_REASON_UNCONDITIONAL, "cause 380 (RFC 8119)");
	CHECK_INT(map_rtable_decode(&t->isup_orig, 3, NULL), MAP_REASON_UNCONDITIONAL, "ISUP original 3");
	CHECK_INT(map_rtable_decode(&t->diversion, map_rtable_token_code(&t->diversion, "out-of-service"), NULL),
		  MAP_REASON_NOT_REACHABLE, "Diversion out-of-service");
	CHECK_INT(map_rtable_decode(&t->diversion, map_rtable_token_code(&t->diversion, "deflection"), NULL),
		  MAP_REASON_DEFLECTION_ALERTING, "Diversion deflection");
	CHECK_INT(map_rtable_token_code(&t->diversion, "no-such-reason"), -1, "unknown Diversion token");

	/* lossy cells: ISUP 4/5 -> one Q.931 code; QSIG has no deflection; 503 has no Q.931 reason */
	CHECK(!map_rtable_lossy(&t->q931[0], MAP_REASON_DEFLECTION_ALERTING), "Q.931 deflection-alerting exact");
	CHECK(map_rtable_lossy(&t->q931[0], MAP_REASON_DEFLECTION_IMMEDIATE), "Q.931 deflection-immediate lossy");
	CHECK(map_rtable_lossy(&t->q931[0], MAP_REASON_NOT_REACHABLE), "Q.931 not-reachable lossy");
	CHECK(map_rtable_lossy(&t->qsig, MAP_REASON_DEFLECTION_ALERTING), "QSIG deflection lossy");
	CHECK(map_rtable_lossy(&t->qsig, MAP_REASON_NOT_REACHABLE), "QSIG not-reachable lossy");
	CHECK(map_rtable_lossy(&t->etsi, MAP_REASON_NOT_REACHABLE), "ETSI not-reachable lossy");
	CHECK(!map_rtable_lossy(&t->etsi, MAP_REASON_DEFLECTION_IMMEDIATE), "ETSI cdImmediate exact");
	for (i = 0; i < MAP_REASON_COUNT; i++)
		CHECK(!map_rtable_lossy(&t->isup, (int)i), "ISUP carries %s", map_reason_name((int)i));
}

static const struct map_rtable *rtable_by_name(const struct map_tables *t, const char *file)
{
	static const struct {
		const char *file;
		size_t off;
	} names[] = {
		{ "causes.tbl", offsetof(struct map_tables, causes) },
		{ "isup-reasons.tbl", offsetof(struct map_tables, isup) },
		{ "isup-original-reasons.tbl", offsetof(struct map_tables, isup_orig) },
		{ "q931-reasons.tbl", offsetof(struct map_tables, q931) },
		{ "qsig-reasons.tbl", offsetof(struct map_tables, qsig) },
		{ "etsi-reasons.tbl", offsetof(struct map_tables, etsi) },
		{ "diversion-reasons.tbl", offsetof(struct map_tables, diversion) },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(file, names[i].file))
			return (const struct map_rtable *)((const char *)t + names[i].off);
	return NULL;
}

/* every row of every shipped reason table is honoured in the directions it names */
static void every_row(const struct map_tables *t)
{
	size_t i;
	char line[256], dir[32], reason[64], code[64];
	const char *p, *nl;
	int rows = 0;

	for (i = 0; i < map_tables_builtin_count; i++) {
		const struct map_rtable *rt = rtable_by_name(t, map_tables_builtin[i].name);
		int lineno = 0;

		if (!rt)
			continue;
		for (p = map_tables_builtin[i].text; *p; p = nl + 1) {
			int r, c;

			nl = strchr(p, '\n');
			snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
			lineno++;
			if (line[0] == '#' || sscanf(line, "%31s %63s %63s", dir, reason, code) != 3)
				continue;
			r = map_reason_from_name(reason);
			c = rt->ntokens ? map_rtable_token_code(rt, code) : atoi(code);
			CHECK(r >= 0 && c >= 0, "%s:%d: row parses", map_tables_builtin[i].name, lineno);
			if (strcmp(dir, "decode"))
				CHECK(map_rtable_encode(rt, r) == c, "%s:%d: encode %s -> %s", map_tables_builtin[i].name,
				      lineno, reason, code);
			if (strcmp(dir, "encode"))
				CHECK(map_rtable_decode(rt, c, NULL) == r, "%s:%d: decode %s -> %s",
				      map_tables_builtin[i].name, lineno, code, reason);
			rows++;
		}
	}
	CHECK(rows >= 50, "every row visited (%d rows)", rows);
}

/* the directory conf/tables loads to the same tables as the built-in copy */
static void dir_equals_builtin(const struct map_tables *t)
{
	struct map_tables *d = calloc(1, sizeof(*d));
	char err[MAP_TBL_ERR_LEN];
	int ret;

	ret = map_tables_load_dir(d, TOP_SRCDIR "/conf/tables", err, sizeof(err));
	CHECK(ret == 0, "conf/tables loads: %s", ret ? err : "");
	CHECK(!ret && !memcmp(d, t, sizeof(*d)), "conf/tables equals the built-in tables");
	ret = map_tables_load_dir(d, TOP_SRCDIR "/no/such/dir", err, sizeof(err));
	CHECK(ret < 0 && strstr(err, "no/such/dir"), "missing directory named: %s", err);
	free(d);
}

/* replace one file of the built-in set and load; returns the error text ("" if it loaded) */
static const char *load_with(const char *name, const char *text)
{
	static char err[MAP_TBL_ERR_LEN];
	static struct map_tables t;
	struct map_tbl_src src[32];
	size_t i, n = 0;
	int replaced = 0;

	for (i = 0; i < map_tables_builtin_count && n < 31; i++) {
		src[n] = map_tables_builtin[i];
		if (!strcmp(src[n].name, name)) {
			if (!text)
				continue;	/* drop the file */
			src[n].text = text;
			replaced = 1;
		}
		n++;
	}
	if (!replaced && text) {
		src[n].name = name;
		src[n++].text = text;
	}
	err[0] = '\0';
	if (map_tables_load(&t, src, n, err, sizeof(err)) == 0)
		err[0] = '\0';
	return err;
}

static const struct {
	const char *file, *text, *want;
} bad_tables[] = {
	{ "causes.tbl", "both unknown 404\nboth user-busy 486\nboth no-reply 408\nboth unconditional 302\n"
	  "both deflection-alerting 487\nboth deflection-immediate 480\nboth not-reachable 503\nboth busy 600\n",
	  "causes.tbl:8: unknown reason 'busy'" },
	{ "causes.tbl", "both unknown 404\nboth user-busy 486\nboth no-reply 408\nboth unconditional 302\n"
	  "both deflection-alerting 487\nboth deflection-immediate 480\n",
	  "causes.tbl:6: gap: reason 'not-reachable' has no encode row" },
	{ "causes.tbl", "both unknown 404\nboth unknown 405\n",
	  "causes.tbl:2: duplicate encode row for reason 'unknown' (first on line 1)" },
	{ "causes.tbl", "both unknown 404\ndecode user-busy 404\n",
	  "causes.tbl:2: duplicate decode row for code 404 (first on line 1)" },
	{ "causes.tbl", "both unknown 99\n", "causes.tbl:1: code 99 out of range 100-699" },
	{ "causes.tbl", "both unknown 4o4\n", "causes.tbl:1: code '4o4' is not a number" },
	{ "causes.tbl", "sideways unknown 404\n", "causes.tbl:1: unknown direction 'sideways'" },
	{ "causes.tbl", "both unknown\n",
	  "causes.tbl:1: expected '<both|encode|decode> <reason> <code>', got 2 columns" },
	{ "causes.tbl", "default unconditional\ndefault unknown\n", "causes.tbl:2: duplicate default" },
	{ "isup-reasons.tbl", "# comment\n\nboth unknown 16\n", "isup-reasons.tbl:3: code 16 out of range 0-15" },
	{ "qsig-reasons.tbl", "both unknown 4\n", "qsig-reasons.tbl:1: code 4 out of range 0-3" },
	{ "diversion-reasons.tbl", "both unknown nope\n", "diversion-reasons.tbl:1: unknown reason token 'nope'" },
	{ "q850-to-sip.tbl", "1-127 500\n", "q850-to-sip.tbl:1: no 'default' row" },
	{ "q850-to-sip.tbl", "default 500\n1-100 480\n", "q850-to-sip.tbl:2: gap: key 101 has no row" },
	{ "q850-to-sip.tbl", "default 500\n1-127 480\n17 486\n17 487\n",
	  "q850-to-sip.tbl:4: duplicate key 17 (first on line 3)" },
	{ "q850-to-sip.tbl", "default 500\n1-100 480\n90-127 500\n",
	  "q850-to-sip.tbl:3: range 90-127 overlaps the range on line 2" },
	{ "q850-to-sip.tbl", "default 500\n1-127 480\n128 500\n", "q850-to-sip.tbl:3: key '128' out of range 1-127" },
	{ "q850-to-sip.tbl", "default 200\n", "q850-to-sip.tbl:1: value '200' out of range 300-699" },
	{ "q850-to-sip.tbl", "default 500\n20-10 480\n", "q850-to-sip.tbl:2: range '20-10' runs backwards" },
	{ "sip-to-q850.tbl", "default 31\n400-699 31\n486 128\n", "sip-to-q850.tbl:3: value '128' out of range 1-127" },
	{ "numbering.tbl", "uk 44 0 00 9-10 15 national -\n", "numbering.tbl:1: no 'default' trunk" },
	{ "numbering.tbl", "default 1 1 011 10 15 international -\ndefault 1 1 011 10 15 international -\n",
	  "numbering.tbl:2: duplicate trunk 'default'" },
	{ "numbering.tbl", "default 1x 1 011 10 15 international -\n",
	  "numbering.tbl:1: country code '1x' is not all digits" },
	{ "numbering.tbl", "default 1 1 011 10 99 international -\n",
	  "numbering.tbl:1: max-digits '99' out of range 1-32" },
	{ "numbering.tbl", "default 1 1 011 10 15 local -\n", "numbering.tbl:1: unknown send format 'local'" },
	{ "numbering.tbl", "default 1 1 011 10-9 15 international -\n",
	  "numbering.tbl:1: national-length '10-9' out of range" },
	{ "numbering.tbl", "default 1 1 011 ten 15 international -\n",
	  "numbering.tbl:1: national-length 'ten' is not N" },
	{ "numbering.tbl", "default 1 1 011 15 international\n", "numbering.tbl:1: expected '<trunk>" },
	{ "numbering.tbl", "default 1 1 011 10 15 international +1\n",
	  "numbering.tbl:1: local-context '+1' is not a domain" },
	{ "options.tbl", "colour blue\n", "options.tbl:1: unknown option 'colour'" },
	{ "options.tbl", "uui on\nuui off\n", "options.tbl:2: duplicate option 'uui' (first on line 1)" },
	{ "options.tbl", "uui maybe\n", "options.tbl:1: uui: value 'maybe' is not 'on' or 'off'" },
	{ "options.tbl", "redirecting-indicator 7\n",
	  "options.tbl:1: redirecting-indicator: value '7' is not one of 1, 3" },
	{ "options.tbl", "restricted-indicator 3\n",
	  "options.tbl:1: restricted-indicator: value '3' is not one of 2, 4, 5, 6" },
	{ "options.tbl", "cdti-not-allowed-sensitivity secret\n",
	  "options.tbl:1: cdti-not-allowed-sensitivity: unknown Ms-Sensitivity value 'secret'" },
	{ "causes.tbl", NULL, "causes.tbl: missing" },
	{ "caus.tbl", "both unknown 404\n", "caus.tbl: unknown table file" },
};

static void bad_table_files(void)
{
	size_t i;
	const char *err;

	for (i = 0; i < sizeof(bad_tables) / sizeof(bad_tables[0]); i++) {
		err = load_with(bad_tables[i].file, bad_tables[i].text);
		CHECK(!strncmp(err, bad_tables[i].want, strlen(bad_tables[i].want)), "bad table %zu: got '%s', want '%s'",
		      i, err, bad_tables[i].want);
	}
	/* a switch-type table is picked by name, and falls back to the default */
	err = load_with("q931-reasons-ni2.tbl", "both unknown 0\nboth user-busy 1\nboth no-reply 2\n"
			"both unconditional 15\nencode deflection-alerting 15\nencode deflection-immediate 15\n"
			"both not-reachable 9\n");
	CHECK(!err[0], "q931-reasons-ni2.tbl loads: %s", err);
}

static void switch_tables(void)
{
	static struct map_tables t;
	struct map_tbl_src src[32];
	char err[MAP_TBL_ERR_LEN];
	size_t i, n = 0;

	for (i = 0; i < map_tables_builtin_count; i++)
		src[n++] = map_tables_builtin[i];
	src[n].name = "q931-reasons-ni2.tbl";
	src[n++].text = "both unknown 0\nboth user-busy 1\nboth no-reply 2\nboth unconditional 15\n"
			"encode deflection-alerting 15\nencode deflection-immediate 15\nboth not-reachable 9\n";
	CHECK_INT(map_tables_load(&t, src, n, err, sizeof(err)), 0, "load with ni2 table");
	CHECK_INT(map_rtable_encode(map_tables_q931(&t, "ni2"), MAP_REASON_NOT_REACHABLE), 9, "ni2 not-reachable");
	CHECK_INT(map_rtable_encode(map_tables_q931(&t, "euroisdn"), MAP_REASON_NOT_REACHABLE), 15,
		  "euroisdn falls back to q931-reasons.tbl");
	CHECK_INT(map_rtable_encode(map_tables_q931(&t, NULL), MAP_REASON_DEFLECTION_ALERTING), 4, "default table");
	CHECK(map_tables_trunk(&t, "uk") != NULL, "trunk uk");
	CHECK(map_tables_trunk(&t, "mars") == NULL, "no trunk mars");
	CHECK_INT(t.opt.redirecting_indicator, 3, "option redirecting-indicator");
	CHECK_INT(t.opt.restricted_indicator, 4, "option restricted-indicator");
	CHECK_INT(t.opt.cdti_sensitivity, MAP_SENS_PRIVATE_NO_DIVERSION, "option cdti sensitivity");
}

void table_tests(void)
{
	standard_rows(test_tables);
	every_row(test_tables);
	dir_equals_builtin(test_tables);
	bad_table_files();
	switch_tables();
}
