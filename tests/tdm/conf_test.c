/*
 * conf_test.c - the config file: its syntax (ini.c) and its span sections (tdm_conf.c).  Every error
 * vector checks the message's fragment with file:line and the key; the shipped conf files must load.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "tdm_conf.h"
#include "testlib.h"

#define F "t.conf"

/* a dahdi ISUP span and a dahdi PRI span, 7 lines each: a vector's extra text starts on line 8 */
#define ISUP_SPAN "[span s]\nbackend = dahdi\nsignalling = isup\ndchan = 16\nbchan = 1-15,17-31\nopc = 1\ndpc = 2\n"
#define PRI_SPAN "[span p]\nbackend = dahdi\nsignalling = pri\ndchan = 16\nbchan = 1-15,17-31\nside = net\n" \
	"switchtype = euroisdn\n"
/* loopback pairs: a is lines 1-6, b lines 7-12 */
#define LOOP_A "[span a]\nbackend = loopback\nsignalling = isup\npeer = b\nopc = 1\ndpc = 2\n"
#define LOOP_B "[span b]\nbackend = loopback\nsignalling = isup\npeer = a\nopc = 2\ndpc = 1\n"
#define LOOP_PN "[span n]\nbackend = loopback\nsignalling = pri\npeer = c\nside = net\nswitchtype = qsig\n"
#define LOOP_PC "[span c]\nbackend = loopback\nsignalling = pri\npeer = n\nside = cpe\nswitchtype = qsig\n"

/* parse text as F and read its spans; 0 or the first error */
static int conf_text(const char *text, size_t len, int flags, struct tdm_conf *conf, char *err, size_t errlen)
{
	struct ini *ini;
	int rc;

	memset(conf, 0, sizeof(*conf));
	rc = ini_parse(text, len, F, &ini, err, errlen);
	if (rc < 0)
		return rc;
	rc = tdm_conf_from_ini(ini, flags, conf, err, errlen);
	ini_free(ini);
	return rc;
}

/* ---- syntax ---- */

struct syntax_vec {
	const char *text;
	const char *err;	/* NULL: parses; else the start of the message */
};

static const struct syntax_vec syntax_vecs[] = {
	{ "", NULL },
	{ "; comment\n# comment\n\n   \t\n", NULL },
	{ "[span a]\r\nx = 1\r\n", NULL },
	{ "[sip]\n[span a]\n[span b]\n[route a]\n", NULL },
	{ "[ span   a ]  ; comment\n", NULL },
	{ "[span a\n", F ":1: section header without ']'" },
	{ "[span a] junk\n", F ":1: text after section header: ' junk'" },
	{ "[]\n", F ":1: section header without a type" },
	{ "[ ]\n", F ":1: section header without a type" },
	{ "[sp@n a]\n", F ":1: invalid character '@' in section type" },
	{ "[span a b]\n", F ":1: section [span ...]: one name expected, found 'a b'" },
	{ "[span a;b]\n", F ":1: section [span ...]: one name expected, found 'a;b'" },
	{ "x = 1\n", F ":1: x: key outside any section" },
	{ "\n\n[span a]\nfoo\n", F ":4: foo: expected '=' after the key" },
	{ "[span a]\nfoo bar = 1\n", F ":2: foo: expected '=' after the key" },
	{ "[span a]\nk@y = 1\n", F ":2: k: invalid character '@' in a key" },
	{ "[span a]\n= 1\n", F ":2: expected 'key = value' or '[type name]', found '= 1'" },
	{ "[span a]\nx = \"abc\n", F ":2: x: unterminated quote" },
	{ "[span a]\nx = \"abc\" d\n", F ":2: x: text after the closing quote" },
	{ "[span a]\nx = 1\ny = 2\nx = 3\n", F ":4: x: duplicate key in [span a] (first at line 2)" },
	{ "[span a]\n[sip]\n[span a]\n", F ":3: duplicate section [span a] (first at line 1)" },
	{ "[sip]\n[sip]\n", F ":2: duplicate section [sip] (first at line 1)" },
	{ "[span a]\nx = \x01\n", F ":2: control character 0x01 at column 5" },
	{ "[span a]\nx = 1\ry = 2\n", F ":2: control character 0x0d at column 6" },
	{ "[span a]\x7f\n", F ":1: control character 0x7f at column 9" },
};

static void syntax_tests(void)
{
	char err[256];
	struct ini *ini;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(syntax_vecs) / sizeof(syntax_vecs[0]); i++) {
		const struct syntax_vec *v = &syntax_vecs[i];

		rc = ini_parse(v->text, strlen(v->text), F, &ini, err, sizeof(err));
		if (!v->err) {
			CHECK(rc == 0 && ini, "syntax %zu: %s", i, err);
			ini_free(ini);
			continue;
		}
		CHECK(rc == -EINVAL && !ini, "syntax %zu: rc %d", i, rc);
		CHECK(!strncmp(err, v->err, strlen(v->err)), "syntax %zu: got '%s', want '%s'", i, err, v->err);
	}
}

struct value_vec {
	const char *line;
	const char *key;
	const char *val;	/* NULL: not present */
};

static const struct value_vec value_vecs[] = {
	{ "x = a ; comment", "x", "a" },
	{ "x = a # comment", "x", "a" },
	{ "x = a;b#c", "x", "a;b#c" },
	{ "x=1", "x", "1" },
	{ "x =", "x", "" },
	{ "x = ;comment", "x", "" },
	{ "x = \"a ; b # c\"  ; comment", "x", "a ; b # c" },
	{ "x = \"\"", "x", "" },
	{ "\tx\t=\t two  words \t", "x", "two  words" },
	{ "x = say \"hi\"", "x", "say \"hi\"" },
	{ "x = caf\xc3\xa9", "x", "caf\xc3\xa9" },
	{ "; x = 1", "x", NULL },
};

static void value_tests(void)
{
	char text[256], err[256];
	const struct ini_kv *kv;
	struct ini *ini;
	size_t i;

	for (i = 0; i < sizeof(value_vecs) / sizeof(value_vecs[0]); i++) {
		snprintf(text, sizeof(text), "[sip]\n%s\n", value_vecs[i].line);
		if (ini_parse(text, strlen(text), F, &ini, err, sizeof(err)) < 0) {
			CHECK(0, "value %zu: %s", i, err);
			continue;
		}
		kv = ini_get(&ini->sec[0], value_vecs[i].key);
		if (value_vecs[i].val)
			CHECK_STR(kv ? kv->val : NULL, value_vecs[i].val, value_vecs[i].line);
		else
			CHECK(!kv, "value %zu: key present", i);
		ini_free(ini);
	}
}

static void api_tests(void)
{
	static const char text[] = "\xef\xbb\xbf[span a]\nx = 1\ny = 2\n[sip]\n";
	char err[256], label[64];
	struct ini *ini;
	int rc;

	rc = ini_parse(text, sizeof(text) - 1, F, &ini, err, sizeof(err));
	CHECK_INT(rc, 0, "ini with a byte order mark");
	if (rc < 0)
		return;
	CHECK_INT(ini->nsec, 2, "sections");
	CHECK_STR(ini->sec[0].type, "span", "type");
	CHECK_STR(ini->sec[0].name, "a", "name");
	CHECK_STR(ini->sec[1].name, "", "no name");
	CHECK_INT(ini->sec[0].kv[1].line, 3, "key line");
	CHECK_STR(ini_section_label(&ini->sec[0], label, sizeof(label)), "[span a]", "label");
	CHECK_STR(ini_section_label(&ini->sec[1], label, sizeof(label)), "[sip]", "label without name");
	CHECK(ini_section(ini, "span", "a") == &ini->sec[0], "ini_section");
	CHECK(ini_section(ini, "sip", "") == &ini->sec[1], "ini_section without name");
	CHECK(!ini_section(ini, "span", "b"), "ini_section absent");
	CHECK(ini_unused(&ini->sec[0]) == &ini->sec[0].kv[0], "all unused");
	CHECK(ini_get(&ini->sec[0], "x") && !ini_get(&ini->sec[0], "z"), "ini_get");
	CHECK(ini_unused(&ini->sec[0]) == &ini->sec[0].kv[1], "y unused");
	CHECK(ini_get(&ini->sec[0], "y") && !ini_unused(&ini->sec[0]), "none unused");
	CHECK_STR(ini->file, F, "file name");
	ini_free(ini);
	ini_free(NULL);
}

static int parse_err(const char *text, size_t len, char *err, size_t errlen)
{
	struct ini *ini;
	int rc = ini_parse(text, len, F, &ini, err, errlen);

	ini_free(ini);
	return rc;
}

/* bounds: the longest line, one more, NUL bytes, too many sections and keys, too large */
static void bound_tests(void)
{
	char err[256];
	char *buf = malloc(INI_FILE_MAX + 2);
	size_t n = 0;
	int i;

	if (!buf)
		return;
	memset(buf, ';', INI_LINE_MAX);
	CHECK_INT(parse_err(buf, INI_LINE_MAX, err, sizeof(err)), 0, "longest line");
	memcpy(buf + INI_LINE_MAX, "\r\n", 2);
	CHECK_INT(parse_err(buf, INI_LINE_MAX + 2, err, sizeof(err)), 0, "longest line and CRLF");
	buf[INI_LINE_MAX] = ';';
	CHECK_INT(parse_err(buf, INI_LINE_MAX + 1, err, sizeof(err)), -EINVAL, "line too long");
	CHECK_STR(err, F ":1: line longer than 1024 characters", "line too long");

	CHECK_INT(parse_err("[span a]\nx = a\0b\n", 16, err, sizeof(err)), -EINVAL, "NUL byte");
	CHECK_STR(err, F ":2: NUL byte at column 6", "NUL byte");

	for (i = 0; i <= INI_SECTIONS_MAX; i++)
		n += sprintf(buf + n, "[s %d]\n", i);
	CHECK_INT(parse_err(buf, n, err, sizeof(err)), -EINVAL, "too many sections");
	CHECK_STR(err, F ":1025: more than 1024 sections", "too many sections");
	n = sprintf(buf, "[s]\n");
	for (i = 0; i <= INI_KEYS_MAX; i++)
		n += sprintf(buf + n, "k%d = %d\n", i, i);
	CHECK_INT(parse_err(buf, n, err, sizeof(err)), -EINVAL, "too many keys");
	CHECK_STR(err, F ":258: k256: more than 256 keys in [s]", "too many keys");

	memset(buf, '\n', INI_FILE_MAX + 1);
	CHECK_INT(parse_err(buf, INI_FILE_MAX, err, sizeof(err)), 0, "largest file");
	CHECK_INT(parse_err(buf, INI_FILE_MAX + 1, err, sizeof(err)), -EFBIG, "file too large");
	CHECK_STR(err, F ": larger than 1048576 bytes", "file too large");
	free(buf);
}

/* random bytes and mutated configs: an error with file:line or a clean parse, never a crash */
static void garbage_tests(void)
{
	static const char base[] = LOOP_A LOOP_B;
	char buf[512], err[256];
	struct tdm_conf conf;
	unsigned int seed = 12345;
	int i, j, rc, bad = 0;
	size_t len;

	for (i = 0; i < 3000; i++) {
		len = i < 1000 ? (size_t)(i % 500) : sizeof(base) - 1;
		if (i >= 1000)
			memcpy(buf, base, len);
		for (j = 0; j < (i < 1000 ? (int)len : 1 + i % 4); j++) {
			seed = seed * 1103515245 + 12345;
			buf[i < 1000 ? (size_t)j : (seed >> 8) % len] = (char)(seed >> 16);
		}
		rc = conf_text(buf, len, 0, &conf, err, sizeof(err));
		if (rc < 0 && (rc != -EINVAL || strncmp(err, F ":", strlen(F ":"))))
			bad++;
		tdm_conf_free(&conf);
	}
	CHECK_INT(bad, 0, "garbage: errors without file:line");
}

static void load_tests(void)
{
	char err[256];
	struct ini *ini;
	struct tdm_conf conf;

	CHECK_INT(ini_load("/no/such/file.conf", &ini, err, sizeof(err)), -ENOENT, "missing file");
	CHECK_STR(err, "/no/such/file.conf: No such file or directory", "missing file");
	CHECK(!ini, "missing file: no ini");
	CHECK_INT(ini_load("/", &ini, err, sizeof(err)), -EISDIR, "directory");
	CHECK_INT(tdm_conf_load("/no/such/file.conf", 0, &conf, err, sizeof(err)), -ENOENT, "tdm_conf_load missing");
	/* the daemon's own sections ([gw], [sip], [peer], [route]) are gw_conf's: not strict here */
	CHECK_INT(tdm_conf_load(TOP_SRCDIR "/conf/loopback.conf", 0, &conf, err, sizeof(err)), 0,
		  "conf/loopback.conf");
	CHECK(!err[0], "conf/loopback.conf: %s", err);
	CHECK_INT(conf.nspan, 8, "conf/loopback.conf spans");
	CHECK(tdm_conf_span(&conf, "isup-a") && tdm_conf_span(&conf, "pri-qsig-cpe"), "conf/loopback.conf names");
	if (conf.nspan == 8) {
		CHECK_INT(conf.span[0].opc, 1, "isup-a opc");
		CHECK_INT(conf.span[1].opc, 2, "isup-b opc");
		CHECK_INT(conf.span[0].nbchan, 30, "isup-a E1");
		CHECK_INT(conf.span[0].timer_profile, TDM_TIMERS_STANDARD, "demo timers");
		CHECK_STR(conf.span[0].trace, "", "trace off");
		CHECK_STR(conf.span[0].file, TOP_SRCDIR "/conf/loopback.conf", "file");
	}
	tdm_conf_free(&conf);
	CHECK_INT(tdm_conf_load(TOP_SRCDIR "/conf/gateway.conf.sample", 0, &conf, err, sizeof(err)), 0,
		  "conf/gateway.conf.sample");
	CHECK(!err[0], "conf/gateway.conf.sample: %s", err);
	CHECK_INT(conf.nspan, 2, "conf/gateway.conf.sample spans");
	tdm_conf_free(&conf);
}

/* ---- span sections ---- */

#define IS_HEAD "[span s]\nbackend = dahdi\nsignalling = isup\n"
#define IS_CH "dchan = 16\nbchan = 1-15,17-31\n"
#define IS_PC "opc = 1\ndpc = 2\n"
#define PRI_HEAD "[span p]\nbackend = dahdi\nsignalling = pri\n"
#define LOOP_HEAD "[span a]\nbackend = loopback\nsignalling = isup\n"
#define SOCK_SPAN LOOP_HEAD "socket = /tmp/gw.sock\nopc = 1\ndpc = 2\n"
#define S32 "abcdefghijklmnopqrstuvwxyz012345"
#define S64 S32 S32
#define S256 S64 S64 S64 S64

#define FLD(f) offsetof(struct tdm_span_conf, f)

struct field_vec {
	const char *text;
	const char *span;
	size_t off;
	char kind;		/* 'i' int, 'l' long, 'u' unsigned int, 's' string */
	long want;
	const char *wants;
};

static const struct field_vec field_vecs[] = {
	/* defaults */
	{ ISUP_SPAN, "s", FLD(backend), 'i', TDM_BACKEND_DAHDI, NULL },
	{ ISUP_SPAN, "s", FLD(sig), 'i', TDM_SIG_ISUP, NULL },
	{ ISUP_SPAN, "s", FLD(line), 'i', 1, NULL },
	{ ISUP_SPAN, "s", FLD(file), 's', 0, F },
	{ ISUP_SPAN, "s", FLD(group), 's', 0, "s" },
	{ ISUP_SPAN, "s", FLD(hunt), 'i', TDM_HUNT_FIRST, NULL },
	{ ISUP_SPAN, "s", FLD(dchan), 'i', 16, NULL },
	{ ISUP_SPAN, "s", FLD(nbchan), 'i', 30, NULL },
	{ ISUP_SPAN, "s", FLD(bchan[15]), 'i', 17, NULL },
	{ ISUP_SPAN, "s", FLD(peer), 's', 0, "" },
	{ ISUP_SPAN, "s", FLD(socket), 's', 0, "" },
	{ ISUP_SPAN, "s", FLD(listen), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(line_rate), 'l', 64000, NULL },
	{ ISUP_SPAN, "s", FLD(trace), 's', 0, "" },
	{ ISUP_SPAN, "s", FLD(trunk), 's', 0, "" },
	{ ISUP_SPAN, "s", FLD(trusted), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(uui), 'i', 1, NULL },
	{ ISUP_SPAN, "s", FLD(opc), 'u', 1, NULL },
	{ ISUP_SPAN, "s", FLD(dpc), 'u', 2, NULL },
	{ ISUP_SPAN, "s", FLD(ni), 'i', 2, NULL },
	{ ISUP_SPAN, "s", FLD(cic_offset), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(slc), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(grs_at_start), 'i', 1, NULL },
	{ ISUP_SPAN, "s", FLD(isup_timer[TDM_ISUP_T7]), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(timer_profile), 'i', TDM_TIMERS_STANDARD, NULL },
	{ PRI_SPAN, "p", FLD(sig), 'i', TDM_SIG_PRI, NULL },
	{ PRI_SPAN, "p", FLD(facility), 'i', 1, NULL },
	{ PRI_SPAN, "p", FLD(pri_side), 'i', TDM_PRI_NET, NULL },
	{ PRI_SPAN, "p", FLD(switchtype), 'i', TDM_SWITCH_EUROISDN, NULL },
	{ PRI_SPAN, "p", FLD(pri_timer[TDM_PRI_T303]), 'i', 0, NULL },
	/* the E1 layout of a loopback span */
	{ LOOP_A LOOP_B, "a", FLD(backend), 'i', TDM_BACKEND_LOOPBACK, NULL },
	{ LOOP_A LOOP_B, "a", FLD(dchan), 'i', 16, NULL },
	{ LOOP_A LOOP_B, "a", FLD(nbchan), 'i', 30, NULL },
	{ LOOP_A LOOP_B, "a", FLD(bchan[0]), 'i', 1, NULL },
	{ LOOP_A LOOP_B, "a", FLD(bchan[14]), 'i', 15, NULL },
	{ LOOP_A LOOP_B, "a", FLD(bchan[15]), 'i', 17, NULL },
	{ LOOP_A LOOP_B, "a", FLD(bchan[29]), 'i', 31, NULL },
	{ LOOP_A LOOP_B, "b", FLD(peer), 's', 0, "a" },
	{ LOOP_A LOOP_B, "b", FLD(line), 'i', 7, NULL },
	{ LOOP_PN LOOP_PC, "c", FLD(pri_side), 'i', TDM_PRI_CPE, NULL },
	{ LOOP_HEAD "peer = b\nopc = 1\ndpc = 2\ndchan = 24\nbchan = 1-23\n"
	  "[span b]\nbackend = loopback\nsignalling = isup\npeer = a\nopc = 2\ndpc = 1\ndchan = 1\nbchan = 2-24\n",
	  "b", FLD(bchan[22]), 'i', 24, NULL },
	/* every key */
	{ ISUP_SPAN "group = trunk-1.x_Y\n", "s", FLD(group), 's', 0, "trunk-1.x_Y" },
	{ ISUP_SPAN "hunt = last\n", "s", FLD(hunt), 'i', TDM_HUNT_LAST, NULL },
	{ ISUP_SPAN "hunt = round-robin\n", "s", FLD(hunt), 'i', TDM_HUNT_ROUND_ROBIN, NULL },
	{ ISUP_SPAN "hunt = First\n", "s", FLD(hunt), 'i', TDM_HUNT_FIRST, NULL },
	{ IS_HEAD IS_PC "dchan = 1\nbchan = 2-5, 9 ,7\n", "s", FLD(dchan), 'i', 1, NULL },
	{ IS_HEAD IS_PC "dchan = 1\nbchan = 2-5, 9 ,7\n", "s", FLD(nbchan), 'i', 6, NULL },
	{ IS_HEAD IS_PC "dchan = 1\nbchan = 2-5, 9 ,7\n", "s", FLD(bchan[4]), 'i', 9, NULL },
	{ IS_HEAD IS_PC "dchan = 1\nbchan = 2-5, 9 ,7\n", "s", FLD(bchan[5]), 'i', 7, NULL },
	{ IS_HEAD IS_PC "dchan = 1023\nbchan = 1-15,17-65\n", "s", FLD(nbchan), 'i', 64, NULL },
	{ IS_HEAD IS_PC "dchan = 1023\nbchan = 1022\n", "s", FLD(bchan[0]), 'i', 1022, NULL },
	{ ISUP_SPAN "trace = /tmp/isup s.pcap\n", "s", FLD(trace), 's', 0, "/tmp/isup s.pcap" },
	{ ISUP_SPAN "trace = \"\"\n", "s", FLD(trace), 's', 0, "" },
	{ ISUP_SPAN "trunk = uk\n", "s", FLD(trunk), 's', 0, "uk" },
	{ ISUP_SPAN "trusted = yes\n", "s", FLD(trusted), 'i', 1, NULL },
	{ ISUP_SPAN "trusted = TRUE\n", "s", FLD(trusted), 'i', 1, NULL },
	{ ISUP_SPAN "trusted = on\n", "s", FLD(trusted), 'i', 1, NULL },
	{ ISUP_SPAN "trusted = 1\n", "s", FLD(trusted), 'i', 1, NULL },
	{ ISUP_SPAN "trusted = no\n", "s", FLD(trusted), 'i', 0, NULL },
	{ ISUP_SPAN "uui = no\n", "s", FLD(uui), 'i', 0, NULL },
	{ ISUP_SPAN "uui = false\n", "s", FLD(uui), 'i', 0, NULL },
	{ ISUP_SPAN "uui = off\n", "s", FLD(uui), 'i', 0, NULL },
	{ ISUP_SPAN "uui = 0\n", "s", FLD(uui), 'i', 0, NULL },
	{ ISUP_SPAN, "s", FLD(law), 'i', TDM_LAW_ALAW, NULL },
	{ ISUP_SPAN "law = ulaw\n", "s", FLD(law), 'i', TDM_LAW_ULAW, NULL },
	{ ISUP_SPAN "law = ALAW\n", "s", FLD(law), 'i', TDM_LAW_ALAW, NULL },
	{ PRI_SPAN, "p", FLD(law), 'i', TDM_LAW_ALAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = ni2\n", "p", FLD(law), 'i', TDM_LAW_ULAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = dms100\n", "p", FLD(law), 'i', TDM_LAW_ULAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = lucent5e\n", "p", FLD(law), 'i', TDM_LAW_ULAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = 4ess\n", "p", FLD(law), 'i', TDM_LAW_ULAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = qsig\n", "p", FLD(law), 'i', TDM_LAW_ALAW, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = ni2\nlaw = alaw\n", "p", FLD(law), 'i', TDM_LAW_ALAW, NULL },
	{ ISUP_SPAN "timers = short\n", "s", FLD(timer_profile), 'i', TDM_TIMERS_SHORT, NULL },
	{ ISUP_SPAN "timers = standard\n", "s", FLD(timer_profile), 'i', TDM_TIMERS_STANDARD, NULL },
	{ IS_HEAD IS_CH "opc = 2-100-3\ndpc = 16383\n", "s", FLD(opc), 'u', (2 << 11) | (100 << 3) | 3, NULL },
	{ IS_HEAD IS_CH "opc = 2-100-3\ndpc = 16383\n", "s", FLD(dpc), 'u', 16383, NULL },
	{ IS_HEAD IS_CH "opc = 0-0-1\ndpc = 7-255-7\n", "s", FLD(opc), 'u', 1, NULL },
	{ IS_HEAD IS_CH "opc = 0-0-1\ndpc = 7-255-7\n", "s", FLD(dpc), 'u', 16383, NULL },
	{ IS_HEAD IS_CH "opc = 1-0-0\ndpc = 0-1-0\n", "s", FLD(opc), 'u', 2048, NULL },
	{ IS_HEAD IS_CH "opc = 1-0-0\ndpc = 0-1-0\n", "s", FLD(dpc), 'u', 8, NULL },
	{ ISUP_SPAN "ni = international\n", "s", FLD(ni), 'i', 0, NULL },
	{ ISUP_SPAN "ni = spare\n", "s", FLD(ni), 'i', 1, NULL },
	{ ISUP_SPAN "ni = national\n", "s", FLD(ni), 'i', 2, NULL },
	{ ISUP_SPAN "ni = reserved\n", "s", FLD(ni), 'i', 3, NULL },
	{ ISUP_SPAN "cic-offset = 100\n", "s", FLD(cic_offset), 'i', 100, NULL },
	{ ISUP_SPAN "cic-offset = -1\n", "s", FLD(cic_offset), 'i', -1, NULL },
	{ ISUP_SPAN "cic-offset = 4064\n", "s", FLD(cic_offset), 'i', 4064, NULL },
	{ ISUP_SPAN "slc = 15\n", "s", FLD(slc), 'i', 15, NULL },
	{ ISUP_SPAN "grs = no\n", "s", FLD(grs_at_start), 'i', 0, NULL },
	{ ISUP_SPAN "t1 = 500ms\n", "s", FLD(isup_timer[TDM_ISUP_T1]), 'i', 500, NULL },
	{ ISUP_SPAN "t5 = 20s\n", "s", FLD(isup_timer[TDM_ISUP_T5]), 'i', 20000, NULL },
	{ ISUP_SPAN "t7 = 5min\n", "s", FLD(isup_timer[TDM_ISUP_T7]), 'i', 300000, NULL },
	{ ISUP_SPAN "t9 = 1h\n", "s", FLD(isup_timer[TDM_ISUP_T9]), 'i', 3600000, NULL },
	{ ISUP_SPAN "t12 = 1\n", "s", FLD(isup_timer[TDM_ISUP_T12]), 'i', 1, NULL },
	{ ISUP_SPAN "t13 = 1ms\n", "s", FLD(isup_timer[TDM_ISUP_T13]), 'i', 1, NULL },
	{ ISUP_SPAN "t14 = 3600000\n", "s", FLD(isup_timer[TDM_ISUP_T14]), 'i', 3600000, NULL },
	{ ISUP_SPAN "t15 = 60min\n", "s", FLD(isup_timer[TDM_ISUP_T15]), 'i', 3600000, NULL },
	{ ISUP_SPAN "t16 = 16s\n", "s", FLD(isup_timer[TDM_ISUP_T16]), 'i', 16000, NULL },
	{ ISUP_SPAN "t17 = 17s\n", "s", FLD(isup_timer[TDM_ISUP_T17]), 'i', 17000, NULL },
	{ ISUP_SPAN "t18 = 18s\n", "s", FLD(isup_timer[TDM_ISUP_T18]), 'i', 18000, NULL },
	{ ISUP_SPAN "t19 = 19s\n", "s", FLD(isup_timer[TDM_ISUP_T19]), 'i', 19000, NULL },
	{ ISUP_SPAN "t20 = 20s\n", "s", FLD(isup_timer[TDM_ISUP_T20]), 'i', 20000, NULL },
	{ ISUP_SPAN "t21 = 21s\n", "s", FLD(isup_timer[TDM_ISUP_T21]), 'i', 21000, NULL },
	{ ISUP_SPAN "t22 = 22s\n", "s", FLD(isup_timer[TDM_ISUP_T22]), 'i', 22000, NULL },
	{ ISUP_SPAN "t23 = 23s\n", "s", FLD(isup_timer[TDM_ISUP_T23]), 'i', 23000, NULL },
	{ PRI_SPAN "facility = no\n", "p", FLD(facility), 'i', 0, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = ni2\n", "p", FLD(pri_side), 'i', TDM_PRI_CPE, NULL },
	{ PRI_HEAD IS_CH "side = cpe\nswitchtype = ni2\n", "p", FLD(switchtype), 'i', TDM_SWITCH_NI2, NULL },
	{ PRI_HEAD IS_CH "side = net\nswitchtype = qsig\n", "p", FLD(switchtype), 'i', TDM_SWITCH_QSIG, NULL },
	{ PRI_HEAD IS_CH "side = net\nswitchtype = dms100\n", "p", FLD(switchtype), 'i', TDM_SWITCH_DMS100, NULL },
	{ PRI_HEAD IS_CH "side = net\nswitchtype = lucent5e\n", "p", FLD(switchtype), 'i', TDM_SWITCH_LUCENT5E,
	  NULL },
	{ PRI_HEAD IS_CH "side = net\nswitchtype = 4ess\n", "p", FLD(switchtype), 'i', TDM_SWITCH_ATT4ESS, NULL },
	{ PRI_SPAN "t200 = 2s\n", "p", FLD(pri_timer[TDM_PRI_T200]), 'i', 2000, NULL },
	{ PRI_SPAN "t203 = 3s\n", "p", FLD(pri_timer[TDM_PRI_T203]), 'i', 3000, NULL },
	{ PRI_SPAN "t303 = 300ms\n", "p", FLD(pri_timer[TDM_PRI_T303]), 'i', 300, NULL },
	{ PRI_SPAN "t305 = 5s\n", "p", FLD(pri_timer[TDM_PRI_T305]), 'i', 5000, NULL },
	{ PRI_SPAN "t308 = 8s\n", "p", FLD(pri_timer[TDM_PRI_T308]), 'i', 8000, NULL },
	{ PRI_SPAN "t309 = 9s\n", "p", FLD(pri_timer[TDM_PRI_T309]), 'i', 9000, NULL },
	{ PRI_SPAN "t310 = 10s\n", "p", FLD(pri_timer[TDM_PRI_T310]), 'i', 10000, NULL },
	{ PRI_SPAN "t313 = 13s\n", "p", FLD(pri_timer[TDM_PRI_T313]), 'i', 13000, NULL },
	{ PRI_SPAN "t316 = 1min\n", "p", FLD(pri_timer[TDM_PRI_T316]), 'i', 60000, NULL },
	{ PRI_SPAN "timers = short\n", "p", FLD(timer_profile), 'i', TDM_TIMERS_SHORT, NULL },
	{ LOOP_A "line-rate = 8000\n" LOOP_B, "a", FLD(line_rate), 'l', 8000, NULL },
	{ LOOP_A "line-rate = 100000000\n" LOOP_B, "a", FLD(line_rate), 'l', 100000000, NULL },
	{ SOCK_SPAN, "a", FLD(socket), 's', 0, "/tmp/gw.sock" },
	{ SOCK_SPAN, "a", FLD(listen), 'i', 0, NULL },
	{ SOCK_SPAN "listen = yes\n", "a", FLD(listen), 'i', 1, NULL },
	{ LOOP_HEAD "socket = \"/tmp/" S64 S32 "012345\"\nopc = 1\ndpc = 2\n", "a", FLD(socket), 's', 0,
	  "/tmp/" S64 S32 "012345" },
	{ ISUP_SPAN "[sip]\nx = 1\n[route 1]\n", "s", FLD(sig), 'i', TDM_SIG_ISUP, NULL },
};

static void field_check(size_t i, const struct field_vec *v, const struct tdm_span_conf *sc)
{
	const char *p = (const char *)sc + v->off;

	switch (v->kind) {
	case 'i':
		CHECK(*(const int *)p == v->want, "field %zu: got %d, want %ld", i, *(const int *)p, v->want);
		break;
	case 'l':
		CHECK(*(const long *)p == v->want, "field %zu: got %ld, want %ld", i, *(const long *)p, v->want);
		break;
	case 'u':
		CHECK(*(const unsigned int *)p == (unsigned long)v->want, "field %zu: got %u, want %ld", i,
		      *(const unsigned int *)p, v->want);
		break;
	default:
		CHECK(!strcmp(p, v->wants), "field %zu: got '%s', want '%s'", i, p, v->wants);
	}
}

static void field_tests(void)
{
	struct tdm_conf conf;
	const struct tdm_span_conf *sc;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(field_vecs) / sizeof(field_vecs[0]); i++) {
		const struct field_vec *v = &field_vecs[i];

		rc = conf_text(v->text, strlen(v->text), 0, &conf, err, sizeof(err));
		CHECK(rc == 0, "field %zu: %s", i, err);
		sc = rc ? NULL : tdm_conf_span(&conf, v->span);
		CHECK(sc, "field %zu: span %s", i, v->span);
		if (sc)
			field_check(i, v, sc);
		tdm_conf_free(&conf);
	}
}

struct err_vec {
	const char *text;
	int flags;
	const char *err;	/* the start of the message */
};

static const struct err_vec err_vecs[] = {
	/* keys of the other signalling or backend, unknown keys */
	{ ISUP_SPAN "t303 = 1s\n", 0, F ":8: t303 is a PRI timer; span s has signalling = isup" },
	{ ISUP_SPAN "side = net\n", 0, F ":8: side is a PRI key; span s has signalling = isup" },
	{ ISUP_SPAN "facility = no\n", 0, F ":8: facility is a PRI key; span s has signalling = isup" },
	{ PRI_SPAN "t7 = 1s\n", 0, F ":8: t7 is an ISUP timer; span p has signalling = pri" },
	{ PRI_SPAN "opc = 1\n", 0, F ":8: opc is an ISUP key; span p has signalling = pri" },
	{ PRI_SPAN "grs = no\n", 0, F ":8: grs is an ISUP key; span p has signalling = pri" },
	{ ISUP_SPAN "peer = x\n", 0, F ":8: peer is a loopback key; span s has backend = dahdi" },
	{ ISUP_SPAN "socket = /x\n", 0, F ":8: socket is a loopback key; span s has backend = dahdi" },
	{ ISUP_SPAN "listen = yes\n", 0, F ":8: listen is a loopback key; span s has backend = dahdi" },
	{ ISUP_SPAN "line-rate = 8000\n", 0, F ":8: line-rate is a loopback key; span s has backend = dahdi" },
	{ ISUP_SPAN "foo = 1\n", 0, F ":8: foo: unknown key in [span s]" },
	{ ISUP_SPAN "T7 = 1\n", 0, F ":8: T7: unknown key in [span s]" },
	{ ISUP_SPAN "t2 = 1\n", 0, F ":8: t2: unknown key in [span s]" },
	/* required keys */
	{ "[span s]\nsignalling = isup\n", 0, F ":1: backend: required in [span s]" },
	{ "[span s]\nbackend = dahdi\n", 0, F ":1: signalling: required in [span s]" },
	{ IS_HEAD IS_CH "opc = 1\n", 0, F ":1: dpc: required in [span s] (signalling = isup)" },
	{ IS_HEAD IS_CH "dpc = 1\n", 0, F ":1: opc: required in [span s] (signalling = isup)" },
	{ PRI_HEAD IS_CH "switchtype = qsig\n", 0, F ":1: side: required in [span p] (signalling = pri)" },
	{ PRI_HEAD IS_CH "side = cpe\n", 0, F ":1: switchtype: required in [span p] (signalling = pri)" },
	/* values */
	{ "[span s]\nbackend = tdm\nsignalling = isup\n", 0, F ":2: backend: 'tdm' is not one of dahdi, loopback" },
	{ "[span s]\nbackend = dahdi\nsignalling = ss7\n", 0, F ":3: signalling: 'ss7' is not one of isup, pri" },
	{ ISUP_SPAN "hunt = random\n", 0, F ":8: hunt: 'random' is not one of first, last, round-robin" },
	{ ISUP_SPAN "ni = 2\n", 0, F ":8: ni: '2' is not one of international, spare, national, reserved" },
	{ ISUP_SPAN "timers = long\n", 0, F ":8: timers: 'long' is not one of standard, short" },
	{ PRI_HEAD IS_CH "side = user\n", 0, F ":6: side: 'user' is not one of net, cpe" },
	{ PRI_HEAD IS_CH "side = net\nswitchtype = dms250\n", 0,
	  F ":7: switchtype: 'dms250' is not one of euroisdn, ni2, qsig, dms100, lucent5e, 4ess" },
	{ ISUP_SPAN "grs = maybe\n", 0, F ":8: grs: 'maybe' is not yes or no" },
	{ ISUP_SPAN "trusted = \n", 0, F ":8: trusted: '' is not yes or no" },
	{ ISUP_SPAN "slc = 16\n", 0, F ":8: slc: 16 out of range 0..15" },
	{ ISUP_SPAN "slc = -1\n", 0, F ":8: slc: -1 out of range 0..15" },
	{ ISUP_SPAN "slc = 99999999999999999999999\n", 0, F ":8: slc: 99999999999999999999999 out of range 0..15" },
	{ ISUP_SPAN "slc = x\n", 0, F ":8: slc: 'x' is not a number" },
	{ ISUP_SPAN "slc = 1x\n", 0, F ":8: slc: '1x' is not a number" },
	{ ISUP_SPAN "slc = +1\n", 0, F ":8: slc: '+1' is not a number" },
	{ ISUP_SPAN "slc = \n", 0, F ":8: slc: '' is not a number" },
	{ ISUP_SPAN "cic-offset = 4065\n", 0, F ":8: cic-offset: channel 31 gives CIC 4096, out of range 0..4095" },
	{ ISUP_SPAN "cic-offset = -2\n", 0, F ":8: cic-offset: channel 1 gives CIC -1, out of range 0..4095" },
	{ ISUP_SPAN "cic-offset = 5000\n", 0, F ":8: cic-offset: 5000 out of range -1023..4095" },
	{ ISUP_SPAN "group = a b\n", 0, F ":8: group: 'a b' is not a name (letters, digits, - _ ., at most 31)" },
	{ ISUP_SPAN "group = " S32 "\n", 0, F ":8: group: '" S32 "' is not a name" },
	{ ISUP_SPAN "group =\n", 0, F ":8: group: '' is not a name" },
	{ ISUP_SPAN "trunk = x/y\n", 0, F ":8: trunk: 'x/y' is not a name" },
	{ ISUP_SPAN "trace = /" S256 "\n", 0, F ":8: trace: longer than 255 characters" },
	/* durations */
	{ ISUP_SPAN "t7 = 0\n", 0, F ":8: t7: 0 out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 0ms\n", 0, F ":8: t7: 0ms out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 2h\n", 0, F ":8: t7: 2h out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 61min\n", 0, F ":8: t7: 61min out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 3601s\n", 0, F ":8: t7: 3601s out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 3600001\n", 0, F ":8: t7: 3600001 out of range 1ms..1h" },
	{ ISUP_SPAN "t7 = 99999999999999999999999ms\n", 0, F ":8: t7: 99999999999999999999999ms out of range" },
	{ ISUP_SPAN "t7 = 5 s\n", 0, F ":8: t7: '5 s' is not a duration (500ms, 20s, 5min, or milliseconds)" },
	{ ISUP_SPAN "t7 = 5sec\n", 0, F ":8: t7: '5sec' is not a duration" },
	{ ISUP_SPAN "t7 = -5\n", 0, F ":8: t7: '-5' is not a duration" },
	{ ISUP_SPAN "t7 = s\n", 0, F ":8: t7: 's' is not a duration" },
	{ ISUP_SPAN "t7 = \n", 0, F ":8: t7: '' is not a duration" },
	{ PRI_SPAN "t303 = 1.5s\n", 0, F ":8: t303: '1.5s' is not a duration" },
	/* point codes */
	{ IS_HEAD IS_CH "opc = 0\ndpc = 2\n", 0,
	  F ":6: opc: '0' is not a point code (1..16383, or 3-8-3 like 2-100-3)" },
	{ IS_HEAD IS_CH "opc = 16384\ndpc = 2\n", 0, F ":6: opc: '16384' is not a point code" },
	{ IS_HEAD IS_CH "opc = 8-0-0\ndpc = 2\n", 0, F ":6: opc: '8-0-0' is not a point code" },
	{ IS_HEAD IS_CH "opc = 0-256-0\ndpc = 2\n", 0, F ":6: opc: '0-256-0' is not a point code" },
	{ IS_HEAD IS_CH "opc = 0-0-8\ndpc = 2\n", 0, F ":6: opc: '0-0-8' is not a point code" },
	{ IS_HEAD IS_CH "opc = 0-0-0\ndpc = 2\n", 0, F ":6: opc: '0-0-0' is not a point code" },
	{ IS_HEAD IS_CH "opc = 1-2\ndpc = 2\n", 0, F ":6: opc: '1-2' is not a point code" },
	{ IS_HEAD IS_CH "opc = 1-2-3-4\ndpc = 2\n", 0, F ":6: opc: '1-2-3-4' is not a point code" },
	{ IS_HEAD IS_CH "opc = 1--2-3\ndpc = 2\n", 0, F ":6: opc: '1--2-3' is not a point code" },
	{ IS_HEAD IS_CH "opc = 1-0002-3\ndpc = 2\n", 0, F ":6: opc: '1-0002-3' is not a point code" },
	{ IS_HEAD IS_CH "opc = -1\ndpc = 2\n", 0, F ":6: opc: '-1' is not a point code" },
	{ IS_HEAD IS_CH "opc = 0x10\ndpc = 2\n", 0, F ":6: opc: '0x10' is not a point code" },
	{ IS_HEAD IS_CH "opc = 1\ndpc = 0-0-1\n", 0, F ":7: dpc: equal to opc (1)" },
	/* channels */
	{ IS_HEAD IS_PC, 0, F ":1: dchan: required in [span s] (with backend = dahdi, dchan and bchan go together)" },
	{ IS_HEAD IS_PC "bchan = 1-15\n", 0, F ":1: dchan: required in [span s]" },
	{ IS_HEAD IS_PC "dchan = 16\n", 0, F ":1: bchan: required in [span s]" },
	{ LOOP_HEAD "peer = b\nopc = 1\ndpc = 2\ndchan = 16\n" LOOP_B, 0,
	  F ":1: bchan: required in [span a] (with backend = loopback, dchan and bchan go together)" },
	{ IS_HEAD IS_PC "dchan = 5\nbchan = 1-10\n", 0, F ":6: dchan: channel 5 is also in bchan" },
	{ IS_HEAD IS_PC "dchan = 0\nbchan = 1-10\n", 0, F ":6: dchan: 0 out of range 1..1023" },
	{ IS_HEAD IS_PC "dchan = 1024\nbchan = 1-10\n", 0, F ":6: dchan: 1024 out of range 1..1023" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1-5,3\n", 0, F ":7: bchan: channel 3 listed twice" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 5-1\n", 0, F ":7: bchan: range 5-1 goes down" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 0-3\n", 0, F ":7: bchan: channel 0 out of range 1..1023" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1020-1024\n", 0, F ":7: bchan: channel 1024 out of range 1..1023" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 99999\n", 0, F ":7: bchan: channel 99999 out of range 1..1023" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1-15,17-66\n", 0, F ":7: bchan: more than 64 channels" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1-1023\n", 0, F ":7: bchan: more than 64 channels" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 100000\n", 0,
	  F ":7: bchan: '100000' is not a channel list (like 1-15,17-31)" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1,,2\n", 0, F ":7: bchan: '1,,2' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1-\n", 0, F ":7: bchan: '1-' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1,\n", 0, F ":7: bchan: '1,' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1 2\n", 0, F ":7: bchan: '1 2' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = -1\n", 0, F ":7: bchan: '-1' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan =\n", 0, F ":7: bchan: '' is not a channel list" },
	{ IS_HEAD IS_PC "dchan = 16\nbchan = 1-3-5\n", 0, F ":7: bchan: '1-3-5' is not a channel list" },
	/* DAHDI channels across spans */
	{ ISUP_SPAN PRI_SPAN, 0, F ":11: dchan: DAHDI channel 16 is already used by span s (" F ":1)" },
	{ ISUP_SPAN PRI_HEAD "dchan = 48\nbchan = 33-47,31\nside = net\nswitchtype = qsig\n", 0,
	  F ":12: bchan: DAHDI channel 31 is already used by span s (" F ":1)" },
	{ ISUP_SPAN PRI_HEAD "dchan = 1\nbchan = 33-47\nside = net\nswitchtype = qsig\n", 0,
	  F ":11: dchan: DAHDI channel 1 is already used by span s (" F ":1)" },
	/* loopback pairs */
	{ LOOP_A, 0, F ":4: peer: no span b" },
	{ LOOP_HEAD "peer = a\nopc = 1\ndpc = 2\n", 0, F ":4: peer: span a cannot be its own peer" },
	{ LOOP_A "[span b]\nbackend = loopback\nsignalling = isup\nsocket = /tmp/s\nopc = 2\ndpc = 1\n", 0,
	  F ":4: peer: span b does not point back (its peer is '', not a)" },
	{ LOOP_A "[span b]\nbackend = loopback\nsignalling = isup\npeer = c\nopc = 2\ndpc = 1\n"
	  "[span c]\nbackend = loopback\nsignalling = isup\npeer = b\nopc = 1\ndpc = 2\n", 0,
	  F ":4: peer: span b does not point back (its peer is 'c', not a)" },
	{ LOOP_A "[span b]\nbackend = dahdi\nsignalling = isup\ndchan = 16\nbchan = 1-15,17-31\nopc = 2\ndpc = 1\n", 0,
	  F ":4: peer: span b is not a loopback span" },
	{ LOOP_A "[span b]\nbackend = loopback\nsignalling = pri\npeer = a\nside = net\nswitchtype = qsig\n", 0,
	  F ":4: peer: span b has signalling = pri, a has isup" },
	{ LOOP_A LOOP_B "dchan = 16\nbchan = 1-15\n", 0, F ":4: peer: span b has 15 B-channels, a has 30" },
	{ LOOP_A "[span b]\nbackend = loopback\nsignalling = isup\npeer = a\nopc = 2\ndpc = 3\n", 0,
	  F ":4: peer: point codes of a (opc 1 dpc 2) and b (opc 2 dpc 3) are not crosswise" },
	{ LOOP_A "[span b]\nbackend = loopback\nsignalling = isup\npeer = a\nopc = 1\ndpc = 2\n", 0,
	  F ":4: peer: point codes of a (opc 1 dpc 2) and b (opc 1 dpc 2) are not crosswise" },
	{ LOOP_A LOOP_B "ni = international\n", 0, F ":4: peer: span b has ni = international, a has national" },
	{ LOOP_A LOOP_B "slc = 1\n", 0, F ":4: peer: span b has slc = 1, a has 0" },
	{ LOOP_A LOOP_B "law = ulaw\n", 0, F ":4: peer: span b has law = ulaw, a has alaw (one line has one law)" },
	{ ISUP_SPAN "law = mulaw\n", 0, F ":8: law: " },
	{ LOOP_PN "[span c]\nbackend = loopback\nsignalling = pri\npeer = n\nside = net\nswitchtype = qsig\n", 0,
	  F ":4: peer: spans n and c are both side = net (one net, one cpe)" },
	{ LOOP_PN "[span c]\nbackend = loopback\nsignalling = pri\npeer = n\nside = cpe\nswitchtype = ni2\n", 0,
	  F ":4: peer: span c has switchtype = ni2, n has qsig" },
	{ LOOP_A "socket = /tmp/s\n" LOOP_B, 0, F ":7: peer: loopback span a needs exactly one of peer and socket" },
	{ LOOP_HEAD "opc = 1\ndpc = 2\n", 0, F ":1: peer: loopback span a needs exactly one of peer and socket" },
	{ LOOP_A "listen = yes\n" LOOP_B, 0, F ":7: listen: only with socket (span a has peer = b)" },
	{ LOOP_A "line-rate = 7999\n" LOOP_B, 0, F ":7: line-rate: 7999 out of range 8000..100000000" },
	{ LOOP_A "line-rate = 100000001\n" LOOP_B, 0, F ":7: line-rate: 100000001 out of range 8000..100000000" },
	{ LOOP_HEAD "socket = /tmp/" S64 S32 "0123456\nopc = 1\ndpc = 2\n", 0,
	  F ":4: socket: longer than 107 characters" },
	{ LOOP_HEAD "socket =\nopc = 1\ndpc = 2\n", 0, F ":4: socket: empty" },
	{ LOOP_HEAD "peer = a/b\nopc = 1\ndpc = 2\n", 0, F ":4: peer: 'a/b' is not a name" },
	/* section names, strict mode */
	{ "[span]\nbackend = dahdi\n", 0, F ":1: [span]: a span section needs a name, like [span isup-a]" },
	{ "[sip]\n[span a/b]\n", 0, F ":2: [span a/b]: not a span name (letters, digits, - _ ., at most 31)" },
	{ "[span " S32 "]\n", 0, F ":1: [span " S32 "]: not a span name" },
	{ ISUP_SPAN "[sip]\nx = 1\n", TDM_CONF_STRICT, F ":8: [sip]: not a span section (only [span NAME] here)" },
	{ "[route a]\n" ISUP_SPAN, TDM_CONF_STRICT, F ":1: [route a]: not a span section" },
	/* the syntax, through tdm_conf */
	{ ISUP_SPAN "opc = 3\n", 0, F ":8: opc: duplicate key in [span s] (first at line 6)" },
	{ ISUP_SPAN ISUP_SPAN, 0, F ":8: duplicate section [span s] (first at line 1)" },
};

static void err_tests(void)
{
	struct tdm_conf conf;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(err_vecs) / sizeof(err_vecs[0]); i++) {
		const struct err_vec *v = &err_vecs[i];

		rc = conf_text(v->text, strlen(v->text), v->flags, &conf, err, sizeof(err));
		CHECK(rc == -EINVAL, "error %zu: rc %d, want -EINVAL (%s)", i, rc, v->err);
		CHECK(!strncmp(err, v->err, strlen(v->err)), "error %zu:\n  got  '%s'\n  want '%s'", i, err, v->err);
		CHECK(!conf.span && !conf.nspan, "error %zu: conf freed", i);
		tdm_conf_free(&conf);
	}
}

static void strict_tests(void)
{
	static const char text[] = "[sip]\nlisten = 5060\n" ISUP_SPAN "[route x]\n" LOOP_A LOOP_B;
	static const char bad[] = ISUP_SPAN "[span x]\n";
	struct tdm_conf conf;
	char err[256];

	CHECK_INT(conf_text(text, strlen(text), 0, &conf, err, sizeof(err)), 0, "other sections ignored");
	CHECK_INT(conf.nspan, 3, "spans among other sections");
	CHECK(conf.nspan == 3 && !strcmp(conf.span[2].name, "b"), "span order");
	CHECK(!tdm_conf_span(&conf, "sip") && tdm_conf_span(&conf, "s") == &conf.span[0], "tdm_conf_span");
	tdm_conf_free(&conf);
	tdm_conf_free(&conf);
	CHECK_INT(conf_text(text, strlen(text), TDM_CONF_STRICT, &conf, err, sizeof(err)), -EINVAL, "strict");
	CHECK_STR(err, F ":1: [sip]: not a span section (only [span NAME] here)", "strict");
	CHECK_INT(conf_text("", 0, TDM_CONF_STRICT, &conf, err, sizeof(err)), 0, "empty file");
	CHECK_INT(conf.nspan, 0, "empty file: no span");
	tdm_conf_free(&conf);
	CHECK_INT(conf_text(bad, strlen(bad), 0, &conf, NULL, 0), -EINVAL, "no err buffer");
}

static void timer_tests(void)
{
	static const int isup_std[] = { 15000, 300000, 20000, 90000, 15000, 300000, 15000, 300000, 15000, 300000,
					15000, 300000, 15000, 300000, 15000, 300000 };
	static const int isup_short[] = { 1000, 3000, 2000, 3000, 1000, 3000, 1000, 3000, 1000, 3000, 1000, 3000,
					  1000, 3000, 1000, 3000 };
	static const int pri_std[] = { 1000, 10000, 4000, 30000, 4000, 6000, 10000, 4000, 120000 };
	static const int pri_short[] = { 1000, 3000, 1000, 2000, 1000, 2000, 2000, 1000, 2000 };
	struct tdm_span_conf sc;
	char what[64];
	int i;

	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < TDM_ISUP_TIMER_COUNT; i++) {
		snprintf(what, sizeof(what), "isup %s", tdm_conf_isup_timer_name(i));
		sc.timer_profile = TDM_TIMERS_STANDARD;
		CHECK_INT(tdm_conf_isup_timer(&sc, i), isup_std[i], what);
		sc.timer_profile = TDM_TIMERS_SHORT;
		CHECK_INT(tdm_conf_isup_timer(&sc, i), isup_short[i], what);
	}
	for (i = 0; i < TDM_PRI_TIMER_COUNT; i++) {
		snprintf(what, sizeof(what), "pri %s", tdm_conf_pri_timer_name(i));
		sc.timer_profile = TDM_TIMERS_STANDARD;
		CHECK_INT(tdm_conf_pri_timer(&sc, i), pri_std[i], what);
		sc.timer_profile = TDM_TIMERS_SHORT;
		CHECK_INT(tdm_conf_pri_timer(&sc, i), pri_short[i], what);
	}
	sc.isup_timer[TDM_ISUP_T7] = 500;
	sc.pri_timer[TDM_PRI_T303] = 700;
	CHECK_INT(tdm_conf_isup_timer(&sc, TDM_ISUP_T7), 500, "configured t7 over the profile");
	CHECK_INT(tdm_conf_pri_timer(&sc, TDM_PRI_T303), 700, "configured t303 over the profile");
	CHECK_INT(tdm_conf_isup_timer(&sc, TDM_ISUP_TIMER_COUNT), -EINVAL, "isup timer out of range");
	CHECK_INT(tdm_conf_pri_timer(&sc, -1), -EINVAL, "pri timer out of range");
}

static void name_tests(void)
{
	CHECK_STR(tdm_conf_isup_timer_name(TDM_ISUP_T1), "t1", "t1");
	CHECK_STR(tdm_conf_isup_timer_name(TDM_ISUP_T23), "t23", "t23");
	CHECK_STR(tdm_conf_isup_timer_name(TDM_ISUP_TIMER_COUNT), "?", "isup timer ?");
	CHECK_STR(tdm_conf_pri_timer_name(TDM_PRI_T303), "t303", "t303");
	CHECK_STR(tdm_conf_pri_timer_name(TDM_PRI_T316), "t316", "t316");
	CHECK_STR(tdm_conf_pri_timer_name(-1), "?", "pri timer ?");
	CHECK_STR(tdm_conf_switch_name(TDM_SWITCH_EUROISDN), "euroisdn", "euroisdn");
	CHECK_STR(tdm_conf_switch_name(TDM_SWITCH_ATT4ESS), "4ess", "4ess");
	CHECK_STR(tdm_conf_switch_name(TDM_SWITCH_COUNT), "?", "switch ?");
	CHECK_STR(tdm_conf_sig_name(TDM_SIG_ISUP), "isup", "isup");
	CHECK_STR(tdm_conf_sig_name(TDM_SIG_PRI), "pri", "pri");
	CHECK_STR(tdm_conf_sig_name(2), "?", "sig ?");
	CHECK_STR(tdm_conf_backend_name(TDM_BACKEND_DAHDI), "dahdi", "dahdi");
	CHECK_STR(tdm_conf_backend_name(TDM_BACKEND_LOOPBACK), "loopback", "loopback");
	CHECK_STR(tdm_conf_backend_name(-1), "?", "backend ?");
}

int main(void)
{
	syntax_tests();
	value_tests();
	api_tests();
	bound_tests();
	garbage_tests();
	load_tests();
	field_tests();
	err_tests();
	strict_tests();
	timer_tests();
	name_tests();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
