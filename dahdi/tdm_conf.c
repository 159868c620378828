/*
 * tdm_conf.c - the span sections of the gateway config file: "[span NAME]" with its backend, its
 * channels and its signalling.
 *
 * Keys are rows of conf_keys[] (name, kind, the signalling or backend they belong to, where the value
 * goes, its range); timers are read by name from the timer name tables.  A span is checked alone
 * (required keys, channels, CICs), then against the others: loopback pairs must point at each other
 * and agree, a DAHDI channel belongs to one span only.  Timer values: ITU-T Q.764 Annex A (ISUP),
 * Q.931 Table 9-1 and Q.921 5.9 (PRI).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tdm_conf.h"

#define CONF_CHAN_MAX 1023		/* DAHDI channel numbers */
#define CONF_CIC_MAX 4095		/* 12-bit ITU CIC */
#define CONF_PC_MAX 16383		/* 14-bit ITU point code */
#define CONF_TIMER_MAX 3600000L		/* 1 h, in ms */
#define CONF_NAME_HELP "letters, digits, - _ ., at most 31"

enum conf_kind { CK_NAME, CK_PATH, CK_ENUM, CK_BOOL, CK_INT, CK_LONG, CK_PC, CK_CHANS };
enum conf_scope { CS_ANY, CS_ISUP, CS_PRI, CS_LOOP };

struct conf_key {
	const char *key;
	int kind;			/* enum conf_kind */
	int scope;			/* enum conf_scope */
	size_t off;			/* the field in struct tdm_span_conf */
	size_t size;			/* its size */
	long min, max;			/* CK_INT, CK_LONG; CK_PATH: min 1 = not empty */
	const char *const *names;	/* CK_ENUM: the value is the index */
};

static const char *const backend_names[] = { "dahdi", "loopback", NULL };
static const char *const sig_names[] = { "isup", "pri", NULL };
static const char *const hunt_names[] = { "first", "last", "round-robin", NULL };
static const char *const side_names[] = { "net", "cpe", NULL };
static const char *const switch_names[] = { "euroisdn", "ni2", "qsig", "dms100", "lucent5e", "4ess", NULL };
static const char *const profile_names[] = { "standard", "short", NULL };
static const char *const law_names[] = { "alaw", "ulaw", NULL };
/* Q.704 14.2.1 network indicator: the value is the index */
static const char *const ni_names[] = { "international", "spare", "national", "reserved", NULL };

static const char *const isup_timer_names[TDM_ISUP_TIMER_COUNT + 1] = {
	"t1", "t5", "t7", "t9", "t12", "t13", "t14", "t15", "t16", "t17", "t18", "t19", "t20", "t21", "t22", "t23",
	NULL
};
static const char *const pri_timer_names[TDM_PRI_TIMER_COUNT + 1] = {
	"t200", "t203", "t303", "t305", "t308", "t309", "t310", "t313", "t316", NULL
};

/* [profile][timer], ms */
static const int isup_timer_ms[][TDM_ISUP_TIMER_COUNT] = {
	[TDM_TIMERS_STANDARD] = { 15000, 300000, 20000, 90000, 15000, 300000, 15000, 300000, 15000, 300000, 15000,
				  300000, 15000, 300000, 15000, 300000 },
	[TDM_TIMERS_SHORT] = { 1000, 3000, 2000, 3000, 1000, 3000, 1000, 3000, 1000, 3000, 1000, 3000, 1000, 3000,
			       1000, 3000 },
};
static const int pri_timer_ms[][TDM_PRI_TIMER_COUNT] = {
	[TDM_TIMERS_STANDARD] = { 1000, 10000, 4000, 30000, 4000, 6000, 10000, 4000, 120000 },
	[TDM_TIMERS_SHORT] = { 1000, 3000, 1000, 2000, 1000, 2000, 2000, 1000, 2000 },
};

#define FIELD(f) offsetof(struct tdm_span_conf, f), sizeof(((struct tdm_span_conf *)0)->f)

/* backend and signalling come first: the scope of the others depends on them */
static const struct conf_key conf_keys[] = {
	{ "backend", CK_ENUM, CS_ANY, FIELD(backend), 0, 0, backend_names },
	{ "signalling", CK_ENUM, CS_ANY, FIELD(sig), 0, 0, sig_names },
	{ "group", CK_NAME, CS_ANY, FIELD(group), 0, 0, NULL },
	{ "hunt", CK_ENUM, CS_ANY, FIELD(hunt), 0, 0, hunt_names },
	{ "dchan", CK_INT, CS_ANY, FIELD(dchan), 1, CONF_CHAN_MAX, NULL },
	{ "bchan", CK_CHANS, CS_ANY, FIELD(bchan), 0, 0, NULL },
	{ "peer", CK_NAME, CS_LOOP, FIELD(peer), 0, 0, NULL },
	{ "socket", CK_PATH, CS_LOOP, FIELD(socket), 1, 0, NULL },
	{ "listen", CK_BOOL, CS_LOOP, FIELD(listen), 0, 0, NULL },
	{ "line-rate", CK_LONG, CS_LOOP, FIELD(line_rate), 8000, 100000000, NULL },
	{ "trace", CK_PATH, CS_ANY, FIELD(trace), 0, 0, NULL },
	{ "trunk", CK_NAME, CS_ANY, FIELD(trunk), 0, 0, NULL },
	{ "trusted", CK_BOOL, CS_ANY, FIELD(trusted), 0, 0, NULL },
	{ "uui", CK_BOOL, CS_ANY, FIELD(uui), 0, 0, NULL },
	{ "law", CK_ENUM, CS_ANY, FIELD(law), 0, 0, law_names },
	{ "timers", CK_ENUM, CS_ANY, FIELD(timer_profile), 0, 0, profile_names },
	{ "opc", CK_PC, CS_ISUP, FIELD(opc), 0, 0, NULL },
	{ "dpc", CK_PC, CS_ISUP, FIELD(dpc), 0, 0, NULL },
	{ "ni", CK_ENUM, CS_ISUP, FIELD(ni), 0, 0, ni_names },
	{ "cic-offset", CK_INT, CS_ISUP, FIELD(cic_offset), -CONF_CHAN_MAX, CONF_CIC_MAX, NULL },
	{ "slc", CK_INT, CS_ISUP, FIELD(slc), 0, 15, NULL },
	{ "grs", CK_BOOL, CS_ISUP, FIELD(grs_at_start), 0, 0, NULL },
	{ "side", CK_ENUM, CS_PRI, FIELD(pri_side), 0, 0, side_names },
	{ "switchtype", CK_ENUM, CS_PRI, FIELD(switchtype), 0, 0, switch_names },
	{ "facility", CK_BOOL, CS_PRI, FIELD(facility), 0, 0, NULL },
};

#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/* reading one span section */
struct conf_ctx {
	const struct ini *ini;
	const struct ini_section *sec;
	struct tdm_span_conf *sc;
	char *err;
	size_t errlen;
};

static int conf_err(const struct conf_ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int conf_err(const struct conf_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->ini->file, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* the line of key in the section, or the section's own line */
static int conf_line(const struct ini_section *sec, const char *key)
{
	const struct ini_kv *kv = ini_get(sec, key);

	return kv ? kv->line : sec->line;
}

/* ---- values ---- */

/* "500ms", "20s", "5min", "1h" or bare milliseconds, 1 ms..1 h */
static int conf_duration(const char *s, long *ms)
{
	static const struct { const char *unit; long ms; } units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "min", 60000 }, { "h", 3600000 },
	};
	char *end;
	unsigned long v;
	size_t i;

	if (!(*s >= '0' && *s <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (errno || v > (unsigned long)(CONF_TIMER_MAX / units[i].ms) || !v)
			return -ERANGE;
		*ms = (long)v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

/* one field of a 3-8-3 point code: 1 to 3 digits, at most max; *s moves past it */
static int conf_pc_field(const char **s, unsigned int max, unsigned int *v)
{
	int n;

	*v = 0;
	for (n = 0; **s >= '0' && **s <= '9' && n < 3; n++, (*s)++)
		*v = *v * 10 + (unsigned int)(**s - '0');
	return n && *v <= max ? 0 : -EINVAL;
}

/* ITU point code: decimal 1..16383 or 3-8-3 "zone-area-point" */
static int conf_pointcode(const char *s, unsigned int *pc)
{
	unsigned int z, a, p;
	long v;

	if (ini_value_long(s, &v) == 0) {
		if (v < 1 || v > CONF_PC_MAX)
			return -EINVAL;
		*pc = (unsigned int)v;
		return 0;
	}
	if (conf_pc_field(&s, 7, &z) < 0 || *s++ != '-' || conf_pc_field(&s, 255, &a) < 0 || *s++ != '-' ||
	    conf_pc_field(&s, 7, &p) < 0 || *s || !(z | a | p))
		return -EINVAL;
	*pc = (z << 11) | (a << 3) | p;
	return 0;
}

/* ---- keys ---- */

static int conf_set_string(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, char *dst)
{
	size_t len = strlen(kv->val);

	if (k->kind == CK_NAME && !ini_value_name(kv->val, TDM_NAME_MAX))
		return conf_err(c, kv->line, "%s: '%s' is not a name (" CONF_NAME_HELP ")", k->key, kv->val);
	if (len >= k->size)
		return conf_err(c, kv->line, "%s: longer than %zu characters", k->key, k->size - 1);
	if (k->min && !len)
		return conf_err(c, kv->line, "%s: empty", k->key);
	memcpy(dst, kv->val, len + 1);
	return 0;
}

static int conf_set_number(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *dst)
{
	long v;
	int rc = ini_value_long(kv->val, &v);

	if (rc == -EINVAL)
		return conf_err(c, kv->line, "%s: '%s' is not a number", k->key, kv->val);
	if (rc < 0 || v < k->min || v > k->max)
		return conf_err(c, kv->line, "%s: %s out of range %ld..%ld", k->key, kv->val, k->min, k->max);
	if (k->kind == CK_LONG)
		*(long *)dst = v;
	else
		*(int *)dst = (int)v;
	return 0;
}

static int conf_set_enum(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, int *dst)
{
	char list[128];
	int v = ini_value_enum(kv->val, k->names);

	if (v < 0)
		return conf_err(c, kv->line, "%s: '%s' is not one of %s", k->key, kv->val,
				ini_value_enum_list(k->names, list, sizeof(list)));
	*dst = v;
	return 0;
}

static int conf_set_bool(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, int *dst)
{
	int v = ini_value_bool(kv->val);

	if (v < 0)
		return conf_err(c, kv->line, "%s: '%s' is not yes or no", k->key, kv->val);
	*dst = v;
	return 0;
}

static int conf_set_pc(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, unsigned int *dst)
{
	if (conf_pointcode(kv->val, dst) < 0)
		return conf_err(c, kv->line, "%s: '%s' is not a point code (1..%d, or 3-8-3 like 2-100-3)", k->key,
				kv->val, CONF_PC_MAX);
	return 0;
}

/* one channel number of a bchan list: 1 to 5 digits */
static int conf_chan(const char *s, const char **end, int *chan)
{
	int n;

	*chan = 0;
	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		if (n < 5)
			*chan = *chan * 10 + (s[n] - '0');
	*end = s + n;
	return n >= 1 && n <= 5 ? 0 : -EINVAL;
}

static int conf_add_chan(const struct conf_ctx *c, const struct ini_kv *kv, int chan)
{
	struct tdm_span_conf *sc = c->sc;
	int i;

	if (chan < 1 || chan > CONF_CHAN_MAX)
		return conf_err(c, kv->line, "bchan: channel %d out of range 1..%d", chan, CONF_CHAN_MAX);
	for (i = 0; i < sc->nbchan; i++)
		if (sc->bchan[i] == chan)
			return conf_err(c, kv->line, "bchan: channel %d listed twice", chan);
	if (sc->nbchan == TDM_CHANS_MAX)
		return conf_err(c, kv->line, "bchan: more than %d channels", TDM_CHANS_MAX);
	sc->bchan[sc->nbchan++] = chan;
	return 0;
}

/* "1-15,17-31": numbers and ascending ranges, in the order given */
static int conf_set_chans(const struct conf_ctx *c, const struct ini_kv *kv)
{
	const char *s = kv->val;
	int first, last, rc;

	c->sc->nbchan = 0;
	for (;;) {
		s = ini_skip_blank(s);
		if (conf_chan(s, &s, &first) < 0)
			break;
		last = first;
		if (*s == '-' && conf_chan(s + 1, &s, &last) < 0)
			break;
		if (last < first)
			return conf_err(c, kv->line, "bchan: range %d-%d goes down", first, last);
		for (; first <= last; first++) {
			rc = conf_add_chan(c, kv, first);
			if (rc < 0)
				return rc;
		}
		s = ini_skip_blank(s);
		if (!*s)
			return 0;
		if (*s++ != ',')
			break;
	}
	return conf_err(c, kv->line, "bchan: '%s' is not a channel list (like 1-15,17-31)", kv->val);
}

static int conf_set_key(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv)
{
	char *dst = (char *)c->sc + k->off;

	switch (k->kind) {
	case CK_NAME:
	case CK_PATH:
		return conf_set_string(c, k, kv, dst);
	case CK_ENUM:
		return conf_set_enum(c, k, kv, (int *)dst);
	case CK_BOOL:
		return conf_set_bool(c, k, kv, (int *)dst);
	case CK_INT:
	case CK_LONG:
		return conf_set_number(c, k, kv, dst);
	case CK_PC:
		return conf_set_pc(c, k, kv, (unsigned int *)dst);
	default:
		return conf_set_chans(c, kv);
	}
}

/* a key of the other signalling or backend: say so */
static int conf_check_scope(const struct conf_ctx *c, int scope, const struct ini_kv *kv, const char *what)
{
	const struct tdm_span_conf *sc = c->sc;

	if (scope == CS_ISUP && sc->sig != TDM_SIG_ISUP)
		return conf_err(c, kv->line, "%s is an ISUP %s; span %s has signalling = %s", kv->key, what, sc->name,
				sig_names[sc->sig]);
	if (scope == CS_PRI && sc->sig != TDM_SIG_PRI)
		return conf_err(c, kv->line, "%s is a PRI %s; span %s has signalling = %s", kv->key, what, sc->name,
				sig_names[sc->sig]);
	if (scope == CS_LOOP && sc->backend != TDM_BACKEND_LOOPBACK)
		return conf_err(c, kv->line, "%s is a loopback %s; span %s has backend = %s", kv->key, what, sc->name,
				backend_names[sc->backend]);
	return 0;
}

static int conf_timers(const struct conf_ctx *c, int scope, const char *const *names, int *ms)
{
	const struct ini_kv *kv;
	long v;
	int i, rc;

	for (i = 0; names[i]; i++) {
		kv = ini_get(c->sec, names[i]);
		if (!kv)
			continue;
		rc = conf_check_scope(c, scope, kv, "timer");
		if (rc < 0)
			return rc;
		rc = conf_duration(kv->val, &v);
		if (rc == -EINVAL)
			return conf_err(c, kv->line, "%s: '%s' is not a duration (500ms, 20s, 5min, or milliseconds)",
					kv->key, kv->val);
		if (rc < 0)
			return conf_err(c, kv->line, "%s: %s out of range 1ms..1h", kv->key, kv->val);
		ms[i] = (int)v;
	}
	return 0;
}

static int conf_keys_read(const struct conf_ctx *c)
{
	const struct ini_kv *kv;
	size_t i;
	int rc;

	for (i = 0; i < CONF_NKEYS; i++) {
		kv = ini_get(c->sec, conf_keys[i].key);
		if (!kv)
			continue;
		rc = conf_check_scope(c, conf_keys[i].scope, kv, "key");
		if (rc < 0)
			return rc;
		rc = conf_set_key(c, &conf_keys[i], kv);
		if (rc < 0)
			return rc;
	}
	rc = conf_timers(c, CS_ISUP, isup_timer_names, c->sc->isup_timer);
	if (rc < 0)
		return rc;
	rc = conf_timers(c, CS_PRI, pri_timer_names, c->sc->pri_timer);
	if (rc < 0)
		return rc;
	kv = ini_unused(c->sec);
	if (kv)
		return conf_err(c, kv->line, "%s: unknown key in [span %s]", kv->key, c->sc->name);
	return 0;
}

/* ---- one span ---- */

static void conf_defaults(struct tdm_span_conf *sc, const struct ini *ini, const struct ini_section *sec)
{
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", sec->name);
	snprintf(sc->file, sizeof(sc->file), "%s", ini->file);
	sc->line = sec->line;
	snprintf(sc->group, sizeof(sc->group), "%s", sec->name);
	sc->hunt = TDM_HUNT_FIRST;
	sc->line_rate = 64000;
	sc->uui = 1;
	sc->ni = 2;
	sc->grs_at_start = 1;
	sc->facility = 1;
	sc->timer_profile = TDM_TIMERS_STANDARD;
}

/* keys without a default for this span's signalling */
static int conf_required(const struct conf_ctx *c)
{
	static const char *const isup[] = { "opc", "dpc", NULL };
	static const char *const pri[] = { "side", "switchtype", NULL };
	const char *const *req = c->sc->sig == TDM_SIG_ISUP ? isup : pri;
	int i;

	for (i = 0; req[i]; i++)
		if (!ini_get(c->sec, req[i]))
			return conf_err(c, c->sec->line, "%s: required in [span %s] (signalling = %s)", req[i],
					c->sc->name, sig_names[c->sc->sig]);
	return 0;
}

/* the E1 layout when a loopback span names no channels */
static void conf_e1_layout(struct tdm_span_conf *sc)
{
	int ch;

	sc->dchan = 16;
	sc->nbchan = 0;
	for (ch = 1; ch <= 31; ch++)
		if (ch != 16)
			sc->bchan[sc->nbchan++] = ch;
}

static int conf_check_chans(const struct conf_ctx *c)
{
	struct tdm_span_conf *sc = c->sc;
	int has_d = ini_get(c->sec, "dchan") != NULL, has_b = ini_get(c->sec, "bchan") != NULL;
	int i;

	if (!has_d && !has_b && sc->backend == TDM_BACKEND_LOOPBACK) {
		conf_e1_layout(sc);
		return 0;
	}
	if (!has_d || !has_b)
		return conf_err(c, c->sec->line,
				"%s: required in [span %s] (with backend = %s, dchan and bchan go together)",
				has_d ? "bchan" : "dchan", sc->name, backend_names[sc->backend]);
	for (i = 0; i < sc->nbchan; i++)
		if (sc->bchan[i] == sc->dchan)
			return conf_err(c, conf_line(c->sec, "dchan"), "dchan: channel %d is also in bchan", sc->dchan);
	return 0;
}

static int conf_check_isup(const struct conf_ctx *c)
{
	const struct tdm_span_conf *sc = c->sc;
	int i, cic;

	if (sc->opc == sc->dpc)
		return conf_err(c, conf_line(c->sec, "dpc"), "dpc: equal to opc (%u)", sc->opc);
	for (i = 0; i < sc->nbchan; i++) {
		cic = sc->bchan[i] + sc->cic_offset;
		if (cic < 0 || cic > CONF_CIC_MAX)
			return conf_err(c, conf_line(c->sec, "cic-offset"),
					"cic-offset: channel %d gives CIC %d, out of range 0..%d", sc->bchan[i], cic,
					CONF_CIC_MAX);
	}
	return 0;
}

static int conf_check_loop(const struct conf_ctx *c)
{
	const struct tdm_span_conf *sc = c->sc;

	if (sc->backend != TDM_BACKEND_LOOPBACK)
		return 0;
	if (!sc->peer[0] == !sc->socket[0])
		return conf_err(c, sc->peer[0] ? conf_line(c->sec, "socket") : c->sec->line,
				"peer: loopback span %s needs exactly one of peer and socket", sc->name);
	if (!strcmp(sc->peer, sc->name))
		return conf_err(c, conf_line(c->sec, "peer"), "peer: span %s cannot be its own peer", sc->name);
	if (ini_get(c->sec, "listen") && !sc->socket[0])
		return conf_err(c, conf_line(c->sec, "listen"), "listen: only with socket (span %s has peer = %s)",
				sc->name, sc->peer);
	return 0;
}

/* u-law on the North American switch types, A-law elsewhere (ITU ISUP, EuroISDN, QSIG) */
static int conf_default_law(const struct tdm_span_conf *sc)
{
	if (sc->sig != TDM_SIG_PRI)
		return TDM_LAW_ALAW;
	switch (sc->switchtype) {
	case TDM_SWITCH_NI2:
	case TDM_SWITCH_DMS100:
	case TDM_SWITCH_LUCENT5E:
	case TDM_SWITCH_ATT4ESS:
		return TDM_LAW_ULAW;
	default:
		return TDM_LAW_ALAW;
	}
}

static int conf_span(const struct conf_ctx *c)
{
	int rc;

	conf_defaults(c->sc, c->ini, c->sec);
	if (!c->sec->name[0])
		return conf_err(c, c->sec->line, "[span]: a span section needs a name, like [span isup-a]");
	if (!ini_value_name(c->sec->name, TDM_NAME_MAX))
		return conf_err(c, c->sec->line, "[span %s]: not a span name (" CONF_NAME_HELP ")", c->sec->name);
	if (!ini_get(c->sec, "backend") || !ini_get(c->sec, "signalling"))
		return conf_err(c, c->sec->line, "%s: required in [span %s]",
				ini_get(c->sec, "backend") ? "signalling" : "backend", c->sc->name);
	rc = conf_keys_read(c);
	if (!rc && !ini_get(c->sec, "law"))
		c->sc->law = conf_default_law(c->sc);
	if (!rc)
		rc = conf_required(c);
	if (!rc)
		rc = conf_check_chans(c);
	if (!rc && c->sc->sig == TDM_SIG_ISUP)
		rc = conf_check_isup(c);
	if (!rc)
		rc = conf_check_loop(c);
	return rc;
}

/* ---- across spans ---- */

static int conf_pair_isup(const struct conf_ctx *c, const struct tdm_span_conf *a, const struct tdm_span_conf *b,
			  int line)
{
	if (a->opc != b->dpc || a->dpc != b->opc)
		return conf_err(c, line,
				"peer: point codes of %s (opc %u dpc %u) and %s (opc %u dpc %u) are not crosswise",
				a->name, a->opc, a->dpc, b->name, b->opc, b->dpc);
	if (a->ni != b->ni)
		return conf_err(c, line, "peer: span %s has ni = %s, %s has %s", b->name, ni_names[b->ni], a->name,
				ni_names[a->ni]);
	if (a->slc != b->slc)
		return conf_err(c, line, "peer: span %s has slc = %d, %s has %d", b->name, b->slc, a->name, a->slc);
	return 0;
}

static int conf_pair_pri(const struct conf_ctx *c, const struct tdm_span_conf *a, const struct tdm_span_conf *b,
			 int line)
{
	if (a->pri_side == b->pri_side)
		return conf_err(c, line, "peer: spans %s and %s are both side = %s (one net, one cpe)", a->name,
				b->name, side_names[a->pri_side]);
	if (a->switchtype != b->switchtype)
		return conf_err(c, line, "peer: span %s has switchtype = %s, %s has %s", b->name,
				switch_names[b->switchtype], a->name, switch_names[a->switchtype]);
	return 0;
}

static int conf_pair(const struct conf_ctx *c, const struct tdm_conf *conf, const struct tdm_span_conf *a)
{
	const struct tdm_span_conf *b = tdm_conf_span(conf, a->peer);
	int line = conf_line(ini_section(c->ini, "span", a->name), "peer"), rc;

	if (!b)
		return conf_err(c, line, "peer: no span %s", a->peer);
	if (b->backend != TDM_BACKEND_LOOPBACK)
		return conf_err(c, line, "peer: span %s is not a loopback span", b->name);
	if (strcmp(b->peer, a->name))
		return conf_err(c, line, "peer: span %s does not point back (its peer is '%s', not %s)", b->name,
				b->peer, a->name);
	if (a->sig != b->sig)
		return conf_err(c, line, "peer: span %s has signalling = %s, %s has %s", b->name, sig_names[b->sig],
				a->name, sig_names[a->sig]);
	if (a->nbchan != b->nbchan)
		return conf_err(c, line, "peer: span %s has %d B-channels, %s has %d", b->name, b->nbchan, a->name,
				a->nbchan);
	rc = a->sig == TDM_SIG_ISUP ? conf_pair_isup(c, a, b, line) : conf_pair_pri(c, a, b, line);
	if (!rc && a->law != b->law)
		rc = conf_err(c, line, "peer: span %s has law = %s, %s has %s (one line has one law)", b->name,
			      law_names[b->law], a->name, law_names[a->law]);
	return rc;
}

/* claim chan for span i in owner[] (span index + 1) */
static int conf_claim(const struct conf_ctx *c, const struct tdm_conf *conf, short *owner, size_t i, int chan)
{
	const struct tdm_span_conf *a = &conf->span[i], *b;
	const char *key = chan == a->dchan ? "dchan" : "bchan";

	if (owner[chan]) {
		b = &conf->span[owner[chan] - 1];
		return conf_err(c, conf_line(ini_section(c->ini, "span", a->name), key),
				"%s: DAHDI channel %d is already used by span %s (%s:%d)", key, chan, b->name, b->file,
				b->line);
	}
	owner[chan] = (short)(i + 1);
	return 0;
}

static int conf_check_dahdi(const struct conf_ctx *c, const struct tdm_conf *conf)
{
	short owner[CONF_CHAN_MAX + 1] = { 0 };
	size_t i;
	int j, rc;

	for (i = 0; i < conf->nspan; i++) {
		if (conf->span[i].backend != TDM_BACKEND_DAHDI)
			continue;
		rc = conf_claim(c, conf, owner, i, conf->span[i].dchan);
		for (j = 0; !rc && j < conf->span[i].nbchan; j++)
			rc = conf_claim(c, conf, owner, i, conf->span[i].bchan[j]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int conf_check_all(const struct conf_ctx *c, const struct tdm_conf *conf)
{
	size_t i;
	int rc;

	for (i = 0; i < conf->nspan; i++) {
		if (!conf->span[i].peer[0])
			continue;
		rc = conf_pair(c, conf, &conf->span[i]);
		if (rc < 0)
			return rc;
	}
	return conf_check_dahdi(c, conf);
}

/* ---- the API ---- */

/* count the span sections; with TDM_CONF_STRICT, refuse any other */
static int conf_count(const struct conf_ctx *c, int flags, size_t *n)
{
	const struct ini_section *sec;
	char label[TDM_PATH_MAX];
	size_t i;

	*n = 0;
	for (i = 0; i < c->ini->nsec; i++) {
		sec = &c->ini->sec[i];
		if (!strcmp(sec->type, "span"))
			(*n)++;
		else if (flags & TDM_CONF_STRICT)
			return conf_err(c, sec->line, "%s: not a span section (only [span NAME] here)",
					ini_section_label(sec, label, sizeof(label)));
	}
	return 0;
}

int tdm_conf_from_ini(const struct ini *ini, int flags, struct tdm_conf *out, char *err, size_t errlen)
{
	struct conf_ctx c = { .ini = ini, .err = err, .errlen = errlen };
	size_t i, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	rc = conf_count(&c, flags, &n);
	if (rc < 0)
		return rc;
	out->span = calloc(n ? n : 1, sizeof(*out->span));
	if (!out->span)
		return -ENOMEM;
	for (i = 0; i < ini->nsec && !rc; i++) {
		if (strcmp(ini->sec[i].type, "span"))
			continue;
		c.sec = &ini->sec[i];
		c.sc = &out->span[out->nspan++];
		rc = conf_span(&c);
	}
	if (!rc)
		rc = conf_check_all(&c, out);
	if (rc < 0)
		tdm_conf_free(out);
	return rc;
}

int tdm_conf_load(const char *path, int flags, struct tdm_conf *out, char *err, size_t errlen)
{
	struct ini *ini;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ini_load(path, &ini, err, errlen);
	if (rc < 0)
		return rc;
	rc = tdm_conf_from_ini(ini, flags, out, err, errlen);
	ini_free(ini);
	return rc;
}

void tdm_conf_free(struct tdm_conf *conf)
{
	if (!conf)
		return;
	free(conf->span);
	conf->span = NULL;
	conf->nspan = 0;
}

const struct tdm_span_conf *tdm_conf_span(const struct tdm_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->nspan; i++)
		if (!strcmp(conf->span[i].name, name))
			return &conf->span[i];
	return NULL;
}

int tdm_conf_isup_timer(const struct tdm_span_conf *sc, int timer)
{
	if (timer < 0 || timer >= TDM_ISUP_TIMER_COUNT)
		return -EINVAL;
	if (sc->isup_timer[timer])
		return sc->isup_timer[timer];
	return isup_timer_ms[sc->timer_profile == TDM_TIMERS_SHORT][timer];
}

int tdm_conf_pri_timer(const struct tdm_span_conf *sc, int timer)
{
	if (timer < 0 || timer >= TDM_PRI_TIMER_COUNT)
		return -EINVAL;
	if (sc->pri_timer[timer])
		return sc->pri_timer[timer];
	return pri_timer_ms[sc->timer_profile == TDM_TIMERS_SHORT][timer];
}

/* names[i], "?" out of range (n entries) */
static const char *conf_name(const char *const *names, int n, int i)
{
	return i >= 0 && i < n ? names[i] : "?";
}

const char *tdm_conf_isup_timer_name(int timer)
{
	return conf_name(isup_timer_names, TDM_ISUP_TIMER_COUNT, timer);
}

const char *tdm_conf_pri_timer_name(int timer)
{
	return conf_name(pri_timer_names, TDM_PRI_TIMER_COUNT, timer);
}

const char *tdm_conf_switch_name(int sw)
{
	return conf_name(switch_names, TDM_SWITCH_COUNT, sw);
}

const char *tdm_conf_sig_name(int sig)
{
	return conf_name(sig_names, 2, sig);
}

const char *tdm_conf_backend_name(int backend)
{
	return conf_name(backend_names, 2, backend);
}

const char *tdm_conf_law_name(int law)
{
	return conf_name(law_names, 2, law);
}
