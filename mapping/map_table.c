/*
 * map_table.c - load and validate the mapping tables of conf/tables.
 *
 * Four file shapes, each described by a row in tbl_files[]:
 *   reason tables   "<both|encode|decode> <reason> <code>" and "default <reason>"
 *   cause tables    "<key>|<first>-<last> <value>" and "default <value>"
 *   numbering.tbl   "<trunk> <country-code> <national-prefix> <international-prefix> <national-length>
 *                    <max-digits> <send> <local-context>"
 *   options.tbl     "<key> <value>"
 * An unknown token, a duplicate, a gap or an out-of-range value is an error naming file:line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map_table.h"

#define TBL_COLS 8
#define TBL_LINE_MAX 512

enum tbl_shape { SHAPE_REASON, SHAPE_CAUSE, SHAPE_NUMBERING, SHAPE_OPTIONS };

struct tbl_file {
	const char *name;
	enum tbl_shape shape;
	size_t off;		/* offset of the table in struct map_tables */
	int min, max;		/* code / key range */
	int vmin, vmax;		/* value range (cause tables) */
	const char *const *tokens;
};

/* RFC 5806 section 3 reason tokens; a table's code is the index in this list */
static const char *const diversion_tokens[] = {
	"unknown", "user-busy", "no-answer", "unavailable", "unconditional", "time-of-day",
	"do-not-disturb", "deflection", "follow-me", "out-of-service", "away", NULL,
};

static const struct tbl_file tbl_files[] = {
	{ "causes.tbl", SHAPE_REASON, offsetof(struct map_tables, causes), 100, 699, 0, 0, NULL },
	{ "isup-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, isup), 0, 15, 0, 0, NULL },
	{ "isup-original-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, isup_orig), 0, 3, 0, 0, NULL },
	{ "q931-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, q931), 0, 15, 0, 0, NULL },
	{ "qsig-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, qsig), 0, 3, 0, 0, NULL },
	{ "etsi-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, etsi), 0, 5, 0, 0, NULL },
	{ "diversion-reasons.tbl", SHAPE_REASON, offsetof(struct map_tables, diversion), 0, 10, 0, 0,
	  diversion_tokens },
	{ "q850-to-sip.tbl", SHAPE_CAUSE, offsetof(struct map_tables, q850_to_sip), 1, 127, 300, 699, NULL },
	{ "sip-to-q850.tbl", SHAPE_CAUSE, offsetof(struct map_tables, sip_to_q850), 400, 699, 1, 127, NULL },
	{ "numbering.tbl", SHAPE_NUMBERING, offsetof(struct map_tables, trunk), 0, 0, 0, 0, NULL },
	{ "options.tbl", SHAPE_OPTIONS, offsetof(struct map_tables, opt), 0, 0, 0, 0, NULL },
};

#define TBL_NFILES (sizeof(tbl_files) / sizeof(tbl_files[0]))
#define Q931_PREFIX "q931-reasons-"

struct tbl_ctx {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int tbl_err(struct tbl_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tbl_err(struct tbl_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, c->line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* split a line into blank-separated columns, dropping a '#' comment; returns the column count */
static int tbl_split(char *line, char **col, int maxcol)
{
	char *p = strchr(line, '#');
	int n = 0;

	if (p)
		*p = '\0';
	p = line;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (n == maxcol)
			return maxcol + 1;
		col[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return n;
}

static int tbl_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > 100000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* ---- reason tables ---- */

struct rtable_state {
	int enc_line[MAP_REASON_COUNT];
	short dec_line[MAP_TBL_MAX_CODE + 1];
	int default_line;
};

static int rtable_code(struct tbl_ctx *c, const struct map_rtable *rt, const char *s, int *code)
{
	int i;

	if (rt->ntokens) {
		for (i = 0; i < rt->ntokens; i++)
			if (!strcmp(s, rt->tokens[i])) {
				*code = i;
				return 0;
			}
		return tbl_err(c, "unknown reason token '%s'", s);
	}
	if (tbl_int(s, code) < 0)
		return tbl_err(c, "code '%s' is not a number", s);
	if (*code < rt->min || *code > rt->max)
		return tbl_err(c, "code %d out of range %d-%d", *code, rt->min, rt->max);
	return 0;
}

static int rtable_row(struct tbl_ctx *c, struct map_rtable *rt, struct rtable_state *st, char **col, int n)
{
	int enc, dec, reason, code, ret;

	if (n == 2 && !strcmp(col[0], "default")) {
		reason = map_reason_from_name(col[1]);
		if (reason < 0)
			return tbl_err(c, "unknown reason '%s'", col[1]);
		if (st->default_line)
			return tbl_err(c, "duplicate default (first on line %d)", st->default_line);
		st->default_line = c->line;
		rt->decode_default = reason;
		return 0;
	}
	if (n != 3)
		return tbl_err(c, "expected '<both|encode|decode> <reason> <code>', got %d columns", n);
	enc = !strcmp(col[0], "both") || !strcmp(col[0], "encode");
	dec = !strcmp(col[0], "both") || !strcmp(col[0], "decode");
	if (!enc && !dec)
		return tbl_err(c, "unknown direction '%s' (both, encode, decode)", col[0]);
	reason = map_reason_from_name(col[1]);
	if (reason < 0)
		return tbl_err(c, "unknown reason '%s'", col[1]);
	ret = rtable_code(c, rt, col[2], &code);
	if (ret < 0)
		return ret;
	if (enc) {
		if (st->enc_line[reason])
			return tbl_err(c, "duplicate encode row for reason '%s' (first on line %d)", col[1],
				       st->enc_line[reason]);
		st->enc_line[reason] = c->line;
		rt->encode[reason] = code;
	}
	if (dec) {
		if (st->dec_line[code])
			return tbl_err(c, "duplicate decode row for code %s (first on line %d)", col[2],
				       st->dec_line[code]);
		st->dec_line[code] = (short)c->line;
		rt->decode[code] = (short)reason;
	}
	return 0;
}

static int rtable_finish(struct tbl_ctx *c, struct map_rtable *rt, struct rtable_state *st)
{
	int r;

	for (r = 0; r < MAP_REASON_COUNT; r++)
		if (!st->enc_line[r])
			return tbl_err(c, "gap: reason '%s' has no encode row", map_reason_name(r));
	rt->loaded = 1;
	return 0;
}

/* ---- cause tables ---- */

struct ctable_state {
	short line[MAP_TBL_MAX_CODE + 1];	/* line of a single-key row */
	short rline[MAP_TBL_MAX_CODE + 1];	/* line of a range row */
	int default_line;
};

static int ctable_key(struct tbl_ctx *c, const struct tbl_file *f, const char *s, int *lo, int *hi)
{
	char buf[32];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return tbl_err(c, "key '%s' too long", s);
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (tbl_int(buf, lo) < 0 || (dash && tbl_int(dash + 1, hi) < 0))
		return tbl_err(c, "key '%s' is not a number or a range 'first-last'", s);
	if (!dash)
		*hi = *lo;
	if (*lo > *hi)
		return tbl_err(c, "range '%s' runs backwards", s);
	if (*lo < f->min || *hi > f->max)
		return tbl_err(c, "key '%s' out of range %d-%d", s, f->min, f->max);
	return 0;
}

static int ctable_row(struct tbl_ctx *c, const struct tbl_file *f, struct map_ctable *ct, struct ctable_state *st,
		      char **col, int n)
{
	int lo, hi, v, k, ret;

	if (n != 2)
		return tbl_err(c, "expected '<key>|<first>-<last>|default <value>', got %d columns", n);
	if (tbl_int(col[1], &v) < 0 || v < f->vmin || v > f->vmax)
		return tbl_err(c, "value '%s' out of range %d-%d", col[1], f->vmin, f->vmax);
	if (!strcmp(col[0], "default")) {
		if (st->default_line)
			return tbl_err(c, "duplicate default (first on line %d)", st->default_line);
		st->default_line = c->line;
		ct->dflt = v;
		return 0;
	}
	ret = ctable_key(c, f, col[0], &lo, &hi);
	if (ret < 0)
		return ret;
	for (k = lo; k <= hi; k++) {
		if (lo == hi) {
			if (st->line[k])
				return tbl_err(c, "duplicate key %d (first on line %d)", k, st->line[k]);
			st->line[k] = (short)c->line;
			ct->value[k] = (short)v;
		} else {
			if (st->rline[k])
				return tbl_err(c, "range %s overlaps the range on line %d", col[0], st->rline[k]);
			st->rline[k] = (short)c->line;
			if (!st->line[k])
				ct->value[k] = (short)v;
		}
	}
	return 0;
}

static int ctable_finish(struct tbl_ctx *c, const struct tbl_file *f, struct map_ctable *ct, struct ctable_state *st)
{
	int k;

	if (!st->default_line)
		return tbl_err(c, "no 'default' row");
	for (k = f->min; k <= f->max; k++)
		if (!ct->value[k])
			return tbl_err(c, "gap: key %d has no row and no range covers it", k);
	ct->loaded = 1;
	return 0;
}

/* ---- numbering.tbl ---- */

static int numbering_prefix(struct tbl_ctx *c, const char *what, const char *s, char *out, int allow_none)
{
	size_t i, len = strlen(s);

	if (allow_none && !strcmp(s, "-")) {
		out[0] = '\0';
		return 0;
	}
	if (len == 0 || len >= MAP_PREFIX_LEN)
		return tbl_err(c, "%s '%s' must be 1-%d digits%s", what, s, MAP_PREFIX_LEN - 1,
			       allow_none ? " or '-'" : "");
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return tbl_err(c, "%s '%s' is not all digits", what, s);
	strcpy(out, s);
	return 0;
}

/* a domain name: labels of letters, digits and inner hyphens, separated by single dots */
static int numbering_domain(const char *s)
{
	size_t i, len = strlen(s), label = 0;

	if (!len || len >= MAP_CONTEXT_MAX || s[len - 1] == '.' || s[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (!label || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || (s[i] == '-' && label)) {
			label++;
		} else {
			return 0;
		}
	}
	return s[len - 1] != '-';
}

/* "-" (any), "10" or "9-10": the length of a national significant number */
static int numbering_length(struct tbl_ctx *c, const char *s, struct map_trunk *tr)
{
	char buf[16], *dash;

	if (!strcmp(s, "-"))
		return 0;
	if (strlen(s) >= sizeof(buf))
		return tbl_err(c, "national-length '%s' is not N, N-M or -", s);
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (tbl_int(buf, &tr->nat_min) < 0 || (dash && tbl_int(dash + 1, &tr->nat_max) < 0))
		return tbl_err(c, "national-length '%s' is not N, N-M or -", s);
	if (!dash)
		tr->nat_max = tr->nat_min;
	if (tr->nat_min < 1 || tr->nat_max < tr->nat_min || tr->nat_max > 15)
		return tbl_err(c, "national-length '%s' out of range 1-15", s);
	return 0;
}

static int numbering_row(struct tbl_ctx *c, struct map_tables *t, char **col, int n)
{
	struct map_trunk *tr;
	int i, ret;

	if (n != 8)
		return tbl_err(c, "expected '<trunk> <country-code> <national-prefix> <international-prefix> "
			       "<national-length> <max-digits> <international|national> <local-context>', got %d columns",
			       n);
	if (strlen(col[0]) >= MAP_TBL_NAME_LEN)
		return tbl_err(c, "trunk name '%s' too long", col[0]);
	for (i = 0; i < t->ntrunks; i++)
		if (!strcmp(t->trunk[i].name, col[0]))
			return tbl_err(c, "duplicate trunk '%s'", col[0]);
	if (t->ntrunks == MAP_TBL_TRUNKS)
		return tbl_err(c, "too many trunks (at most %d)", MAP_TBL_TRUNKS);
	tr = &t->trunk[t->ntrunks];
	memset(tr, 0, sizeof(*tr));
	strcpy(tr->name, col[0]);
	ret = numbering_prefix(c, "country code", col[1], tr->cc, 0);
	if (!ret && strlen(tr->cc) > 3)
		ret = tbl_err(c, "country code '%s' longer than the 3 digits of E.164", col[1]);
	if (!ret)
		ret = numbering_prefix(c, "national prefix", col[2], tr->natpfx, 1);
	if (!ret)
		ret = numbering_prefix(c, "international prefix", col[3], tr->intlpfx, 1);
	if (!ret && tr->natpfx[0] && !strcmp(tr->natpfx, tr->intlpfx))
		ret = tbl_err(c, "national and international prefix are the same ('%s')", tr->natpfx);
	if (!ret)
		ret = numbering_length(c, col[4], tr);
	if (ret < 0)
		return ret;
	if (tbl_int(col[5], &tr->max_digits) < 0 || tr->max_digits < 1 || tr->max_digits > MAP_DIGITS_MAX)
		return tbl_err(c, "max-digits '%s' out of range 1-%d", col[5], MAP_DIGITS_MAX);
	if (!strcmp(col[6], "national"))
		tr->send_national = 1;
	else if (strcmp(col[6], "international"))
		return tbl_err(c, "unknown send format '%s' (international, national)", col[6]);
	if (strcmp(col[7], "-") && !numbering_domain(col[7]))
		return tbl_err(c, "local-context '%s' is not a domain name (RFC 3966 5.1.5) or -", col[7]);
	if (strcmp(col[7], "-"))
		strcpy(tr->local_context, col[7]);
	t->ntrunks++;
	return 0;
}

/* ---- options.tbl ---- */

enum opt_type { OPT_INT, OPT_BOOL, OPT_SENS, OPT_INDICATOR };

/* Q.763 3.45 redirecting indicators that show everything (1, 3) and that restrict (2, 4, 5, 6) */
static int opt_indicator_ok(int restricted, int v)
{
	return restricted ? (v == 2 || v == 4 || v == 5 || v == 6) : (v == 1 || v == 3);
}

static const struct {
	const char *key;
	enum opt_type type;
	size_t off;
	int min, max;
} opt_keys[] = {
	{ "redirecting-indicator", OPT_INDICATOR, offsetof(struct map_options, redirecting_indicator), 1, 3 },
	{ "restricted-indicator", OPT_INDICATOR, offsetof(struct map_options, restricted_indicator), 2, 6 },
	{ "cdti-not-allowed-sensitivity", OPT_SENS, offsetof(struct map_options, cdti_sensitivity), 0, 0 },
	{ "uui", OPT_BOOL, offsetof(struct map_options, uui), 0, 1 },
	{ "sip-diversion", OPT_BOOL, offsetof(struct map_options, sip_diversion), 0, 1 },
	{ "sip-history-info", OPT_BOOL, offsetof(struct map_options, sip_history_info), 0, 1 },
};

#define OPT_NKEYS (sizeof(opt_keys) / sizeof(opt_keys[0]))

static int options_row(struct tbl_ctx *c, struct map_options *o, int *seen, char **col, int n)
{
	size_t i;
	int v, *field;

	if (n != 2)
		return tbl_err(c, "expected '<key> <value>', got %d columns", n);
	for (i = 0; i < OPT_NKEYS; i++)
		if (!strcmp(col[0], opt_keys[i].key))
			break;
	if (i == OPT_NKEYS)
		return tbl_err(c, "unknown option '%s'", col[0]);
	if (seen[i])
		return tbl_err(c, "duplicate option '%s' (first on line %d)", col[0], seen[i]);
	seen[i] = c->line;
	field = (int *)((char *)o + opt_keys[i].off);
	switch (opt_keys[i].type) {
	case OPT_INT:
		if (tbl_int(col[1], &v) < 0 || v < opt_keys[i].min || v > opt_keys[i].max)
			return tbl_err(c, "%s: value '%s' out of range %d-%d", col[0], col[1], opt_keys[i].min,
				       opt_keys[i].max);
		*field = v;
		break;
	case OPT_INDICATOR:
		if (tbl_int(col[1], &v) < 0 || !opt_indicator_ok(opt_keys[i].min == 2, v))
			return tbl_err(c, "%s: value '%s' is not one of %s", col[0], col[1],
				       opt_keys[i].min == 2 ? "2, 4, 5, 6 (restricted)" : "1, 3 (not restricted)");
		*field = v;
		break;
	case OPT_BOOL:
		if (strcmp(col[1], "on") && strcmp(col[1], "off"))
			return tbl_err(c, "%s: value '%s' is not 'on' or 'off'", col[0], col[1]);
		*field = !strcmp(col[1], "on");
		break;
	case OPT_SENS:
		v = strcmp(col[1], "none") ? map_sens_from_name(col[1]) : MAP_SENS_NONE;
		if (v == MAP_SENS_UNKNOWN)
			return tbl_err(c, "%s: unknown Ms-Sensitivity value '%s'", col[0], col[1]);
		*field = v;
		break;
	}
	return 0;
}

static void options_default(struct map_options *o)
{
	o->redirecting_indicator = 3;
	o->restricted_indicator = 4;
	o->cdti_sensitivity = MAP_SENS_PRIVATE_NO_DIVERSION;
	o->uui = 1;
	o->sip_diversion = 1;
	o->sip_history_info = 0;
}

/* ---- one file ---- */

static void rtable_init(struct map_rtable *rt, const struct tbl_file *f, const char *name)
{
	size_t len = strlen(name);

	memset(rt, 0, sizeof(*rt));
	snprintf(rt->name, sizeof(rt->name), "%.*s", (int)(len > 4 ? len - 4 : len), name);
	rt->min = f->min;
	rt->max = f->max;
	rt->tokens = f->tokens;
	if (f->tokens)
		while (f->tokens[rt->ntokens])
			rt->ntokens++;
	memset(rt->decode, 0xff, sizeof(rt->decode));
	rt->decode_default = MAP_REASON_UNCONDITIONAL;
}

union tbl_state {
	struct rtable_state r;
	struct ctable_state c;
	int seen[OPT_NKEYS];
};

static int tbl_row(struct tbl_ctx *c, const struct tbl_file *f, void *tbl, struct map_tables *t,
		   union tbl_state *st, char **col, int n)
{
	switch (f->shape) {
	case SHAPE_REASON:
		return rtable_row(c, tbl, &st->r, col, n);
	case SHAPE_CAUSE:
		return ctable_row(c, f, tbl, &st->c, col, n);
	case SHAPE_NUMBERING:
		return numbering_row(c, t, col, n);
	case SHAPE_OPTIONS:
		return options_row(c, tbl, st->seen, col, n);
	}
	return -EINVAL;
}

static int tbl_finish(struct tbl_ctx *c, const struct tbl_file *f, void *tbl, struct map_tables *t,
		      union tbl_state *st)
{
	switch (f->shape) {
	case SHAPE_REASON:
		return rtable_finish(c, tbl, &st->r);
	case SHAPE_CAUSE:
		return ctable_finish(c, f, tbl, &st->c);
	case SHAPE_NUMBERING:
		if (!map_tables_trunk(t, "default") || strcmp(t->trunk[0].name, "default"))
			return tbl_err(c, "no 'default' trunk (it must be the first row)");
		return 0;
	case SHAPE_OPTIONS:
		return 0;
	}
	return -EINVAL;
}

static int tbl_parse(const struct tbl_file *f, void *tbl, struct map_tables *t, const struct map_tbl_src *src,
		     char *err, size_t errlen)
{
	struct tbl_ctx c = { src->name, 0, err, errlen };
	union tbl_state *st;
	const char *p = src->text, *nl;
	char line[TBL_LINE_MAX], *col[TBL_COLS];
	int n, ret = 0;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	if (f->shape == SHAPE_REASON)
		rtable_init(tbl, f, src->name);
	else if (f->shape == SHAPE_CAUSE) {
		memset(tbl, 0, sizeof(struct map_ctable));
		snprintf(((struct map_ctable *)tbl)->name, MAP_TBL_NAME_LEN, "%s", src->name);
		((struct map_ctable *)tbl)->min = f->min;
		((struct map_ctable *)tbl)->max = f->max;
	}
	if (!*p) {
		ret = tbl_err(&c, "empty file");
		goto out;
	}
	while (*p) {
		nl = strchr(p, '\n');
		n = nl ? (int)(nl - p) : (int)strlen(p);
		c.line++;
		if (n >= TBL_LINE_MAX) {
			ret = tbl_err(&c, "line longer than %d characters", TBL_LINE_MAX - 1);
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		n = tbl_split(line, col, TBL_COLS);
		if (n == 0)
			continue;
		ret = tbl_row(&c, f, tbl, t, st, col, n);
		if (ret < 0)
			goto out;
	}
	ret = tbl_finish(&c, f, tbl, t, st);
out:
	free(st);
	return ret;
}

static const struct tbl_file *tbl_find(const char *name, int *q931_switch)
{
	size_t i, len = strlen(name);

	*q931_switch = 0;
	for (i = 0; i < TBL_NFILES; i++)
		if (!strcmp(name, tbl_files[i].name))
			return &tbl_files[i];
	if (!strncmp(name, Q931_PREFIX, strlen(Q931_PREFIX)) && len > strlen(Q931_PREFIX) + 4 &&
	    !strcmp(name + len - 4, ".tbl")) {
		*q931_switch = 1;
		return &tbl_files[3];
	}
	return NULL;
}

int map_tables_load(struct map_tables *t, const struct map_tbl_src *src, size_t n, char *err, size_t errlen)
{
	const struct tbl_file *f;
	int have[TBL_NFILES] = { 0 };
	size_t i;
	int sw, ret;
	void *tbl;

	memset(t, 0, sizeof(*t));
	options_default(&t->opt);
	t->nq931 = 1;
	for (i = 0; i < n; i++) {
		f = tbl_find(src[i].name, &sw);
		if (!f) {
			snprintf(err, errlen, "%s: unknown table file (see conf/tables/README)", src[i].name);
			return -EINVAL;
		}
		tbl = (char *)t + f->off;
		if (strlen(src[i].name) - 4 >= MAP_TBL_NAME_LEN) {
			snprintf(err, errlen, "%s: file name longer than %d characters", src[i].name,
				 MAP_TBL_NAME_LEN + 3);
			return -EINVAL;
		}
		if (sw) {
			if (t->nq931 == MAP_TBL_SWITCHES) {
				snprintf(err, errlen, "%s: too many switch-type tables", src[i].name);
				return -EINVAL;
			}
			tbl = &t->q931[t->nq931++];
		} else {
			have[f - tbl_files] = 1;
		}
		ret = tbl_parse(f, tbl, t, &src[i], err, errlen);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < TBL_NFILES; i++)
		if (!have[i]) {
			snprintf(err, errlen, "%s: missing (every table file is required)", tbl_files[i].name);
			return -ENOENT;
		}
	return 0;
}

int map_tables_load_builtin(struct map_tables *t, char *err, size_t errlen)
{
	return map_tables_load(t, map_tables_builtin, map_tables_builtin_count, err, errlen);
}

static char *tbl_read_file(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long len;

	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 || len > 1 << 20 || fseek(fp, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot read (or larger than 1 MiB)", path);
		goto out;
	}
	buf = malloc(len + 1);
	if (!buf || fread(buf, 1, len, fp) != (size_t)len) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != (size_t)len) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		buf = NULL;
	}
out:
	fclose(fp);
	return buf;
}

static int tbl_namecmp(const void *a, const void *b)
{
	return strcmp(((const struct map_tbl_src *)a)->name, ((const struct map_tbl_src *)b)->name);
}

int map_tables_load_dir(struct map_tables *t, const char *dir, char *err, size_t errlen)
{
	struct map_tbl_src src[TBL_NFILES + MAP_TBL_SWITCHES + 4];
	char names[TBL_NFILES + MAP_TBL_SWITCHES + 4][256], path[4096];
	struct dirent *de;
	size_t n = 0, len, i;
	DIR *d;
	int ret = -EINVAL;

	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -ENOENT;
	}
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".tbl") || len >= sizeof(names[0]))
			continue;
		if (n == sizeof(src) / sizeof(src[0])) {
			snprintf(err, errlen, "%s: too many .tbl files", dir);
			goto out;
		}
		strcpy(names[n], de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		src[n].name = names[n];
		src[n].text = tbl_read_file(path, err, errlen);
		if (!src[n].text)
			goto out;
		n++;
	}
	qsort(src, n, sizeof(src[0]), tbl_namecmp);
	/* errors name the path the operator gave */
	ret = map_tables_load(t, src, n, path, sizeof(path));
	if (ret < 0)
		snprintf(err, errlen, "%s/%s", dir, path);
out:
	for (i = 0; i < n; i++)
		free((char *)src[i].text);
	closedir(d);
	return ret;
}

/* ---- lookups ---- */

int map_rtable_encode(const struct map_rtable *rt, int reason)
{
	if (reason < 0 || reason >= MAP_REASON_COUNT)
		reason = MAP_REASON_UNCONDITIONAL;
	return rt->encode[reason];
}

int map_rtable_decode(const struct map_rtable *rt, int code, int *found)
{
	if (code >= 0 && code <= MAP_TBL_MAX_CODE && rt->decode[code] >= 0) {
		if (found)
			*found = 1;
		return rt->decode[code];
	}
	if (found)
		*found = 0;
	return rt->decode_default;
}

const char *map_rtable_token(const struct map_rtable *rt, int code)
{
	if (!rt->ntokens || code < 0 || code >= rt->ntokens)
		return NULL;
	return rt->tokens[code];
}

int map_rtable_token_code(const struct map_rtable *rt, const char *token)
{
	int i;

	for (i = 0; i < rt->ntokens; i++)
		if (!strcasecmp(token, rt->tokens[i]))
			return i;
	return -1;
}

int map_rtable_lossy(const struct map_rtable *rt, int reason)
{
	return map_rtable_decode(rt, map_rtable_encode(rt, reason), NULL) != reason;
}

int map_ctable_lookup(const struct map_ctable *ct, int key)
{
	if (key >= ct->min && key <= ct->max && key <= MAP_TBL_MAX_CODE && ct->value[key])
		return ct->value[key];
	return ct->dflt;
}

const struct map_rtable *map_tables_q931(const struct map_tables *t, const char *switchtype)
{
	char name[MAP_TBL_NAME_LEN];
	int i;

	if (switchtype && *switchtype) {
		snprintf(name, sizeof(name), Q931_PREFIX "%s", switchtype);
		for (i = 1; i < t->nq931; i++)
			if (!strcmp(t->q931[i].name, name))
				return &t->q931[i];
	}
	return &t->q931[0];
}

const struct map_trunk *map_tables_trunk(const struct map_tables *t, const char *name)
{
	int i;

	for (i = 0; i < t->ntrunks; i++)
		if (!strcmp(t->trunk[i].name, name ? name : "default"))
			return &t->trunk[i];
	return NULL;
}
