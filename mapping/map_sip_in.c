/*
 * map_sip_in.c - a SIP request (libosip2's parse) -> the call model, for a call toward TDM.
 *
 * RFC 4458 section 3 (target, cause), RFC 5806 (Diversion), RFC 7044/7544 (History-Info),
 * RFC 3323/3325 (Privacy, P-Asserted-Identity), [MS-OCEXUM] 2.2 (Ms-Exchange-Command,
 * Ms-Sensitivity).
 */
#define _GNU_SOURCE	/* strcasestr */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "map_number.h"
#include "map_redir.h"
#include "map_sip.h"

#define HIST_MAX 16
#define ENTRY_MAX 1024

/* one Diversion or History-Info entry */
struct hist_entry {
	struct map_number num;		/* present = 0 when the URI holds no telephone number */
	int reason;			/* Diversion reason / History-Info cause's reason, -1 none */
	int counter;			/* Diversion counter (default 1) */
	int cause;			/* History-Info cause URI parameter, 0 none */
	int reason_cause;		/* RFC 4244 ?Reason=SIP;cause=N: why this target was left */
	int restricted;			/* privacy=full|uri, or ?Privacy=history */
};

struct hist {
	int n;
	int truncated;		/* entries dropped to stay within HIST_MAX */
	int extra_counter;	/* the diversions those entries counted */
	struct hist_entry e[HIST_MAX];
};

static int sip_err(struct map_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sip_err(struct map_diag *d, const char *fmt, ...)
{
	char text[MAP_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	map_diag_add(d, MAP_DIAG_ERROR, "%s", text);
	return -EINVAL;
}

static void sip_trace_quiet(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
}

/*
 * libosip2 drops a URI parameter whose value is empty ("target=" vanishes): look at the
 * Request-URI's own text so that an empty target or cause is reported, not silently ignored.
 */
static int ruri_check_raw(const char *buf, size_t len, struct map_diag *d)
{
	static const char *const names[] = { "target", "cause" };
	const char *sp = memchr(buf, ' ', len), *end, *p;
	size_t i, n;

	if (!sp)
		return 0;
	sp++;
	end = memchr(sp, ' ', len - (size_t)(sp - buf));
	if (!end)
		return 0;
	for (p = sp; p < end; p++) {
		if (*p != ';')
			continue;
		for (i = 0; i < 2; i++) {
			n = strlen(names[i]);
			if ((size_t)(end - p - 1) >= n && !strncasecmp(p + 1, names[i], n) &&
			    (p + 1 + n == end || p[1 + n] == ';' || p[1 + n] == '?' ||
			     (p[1 + n] == '=' && (p + 2 + n == end || p[2 + n] == ';' || p[2 + n] == '?'))))
				return sip_err(d, "Request-URI: '%s' parameter without a value", names[i]);
		}
	}
	return 0;
}

int map_sip_parse(const char *buf, size_t len, struct osip_message **out, struct map_diag *d)
{
	static int parser_ready;
	osip_message_t *msg = NULL;
	char *norm;
	size_t i, n = 0;

	if (!parser_ready) {
		int level;

		/* errors are reported through d, never printed by the library */
		osip_trace_initialize_func(END_TRACE_LEVEL, sip_trace_quiet);
		for (level = 0; level < END_TRACE_LEVEL; level++)
			osip_trace_disable_level((osip_trace_level_t)level);
		parser_init();
		parser_ready = 1;
	}
	if (len == 0 || len > MAP_SIP_MAX_MSG)
		return sip_err(d, "SIP message: %s", len ? "larger than 64 KiB" : "empty");
	if (memchr(buf, '\0', len))
		return sip_err(d, "SIP message: %s", "contains a NUL byte");
	norm = malloc(2 * len + 1);
	if (!norm)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			norm[n++] = '\r';
		norm[n++] = buf[i];
	}
	norm[n] = '\0';
	if (osip_message_init(&msg) || osip_message_parse(msg, norm, n) || !msg->sip_method || !msg->req_uri) {
		free(norm);
		osip_message_free(msg);
		return sip_err(d, "SIP message: %s", "not a well-formed SIP request (libosip2 parser)");
	}
	free(norm);
	if (ruri_check_raw(buf, len, d) < 0) {
		osip_message_free(msg);
		return -EINVAL;
	}
	*out = msg;
	return 0;
}

/* ---- numbers in URIs ---- */

static int user_is_phone(osip_uri_t *u)
{
	osip_uri_param_t *p = NULL;

	if (!osip_uri_uparam_get_byname(u, "user", &p) && p && p->gvalue && !strcasecmp(p->gvalue, "phone"))
		return 1;
	return u->username && (u->username[0] == '+' || isdigit((unsigned char)u->username[0]));
}

static int uri_number(struct map_number *n, osip_uri_t *u, const struct map_trunk *tr, const char *what,
		      struct map_diag *d)
{
	if (!u || !u->scheme)
		return sip_err(d, "%s: no URI", what);
	if (!strcasecmp(u->scheme, "tel"))
		return map_number_parse(n, u->string ? u->string : "", tr, what, d);
	if (strcasecmp(u->scheme, "sip") && strcasecmp(u->scheme, "sips")) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s: URI scheme '%.20s' is neither tel, sip nor sips", what, u->scheme);
		return -EINVAL;
	}
	if (!u->username || !user_is_phone(u)) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s: user part '%.80s' is not a telephone number", what,
			     u->username ? u->username : "");
		return -EINVAL;
	}
	return map_number_parse(n, u->username, tr, what, d);	/* libosip2 has unescaped it */
}

/* a URI given as text: "tel:..." or "sip:user@host" (already unescaped by libosip2) */
static int text_number(struct map_number *n, const char *text, const struct map_trunk *tr, const char *what,
		       struct map_diag *d)
{
	osip_uri_t *u = NULL;
	int ret;

	if (!text || !*text)
		return sip_err(d, "%s: empty value", what);
	if (strlen(text) > ENTRY_MAX)
		return sip_err(d, "%s: longer than 1024 characters", what);
	if (!strncasecmp(text, "tel:", 4))
		return map_number_parse_tel(n, text, tr, what, d);
	if (strncasecmp(text, "sip:", 4) && strncasecmp(text, "sips:", 5)) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s '%.80s': neither a tel: nor a sip: URI", what, text);
		return -EINVAL;
	}
	if (osip_uri_init(&u))
		return -ENOMEM;
	if (osip_uri_parse(u, text)) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s '%.80s': malformed URI", what, text);
		ret = -EINVAL;
	} else {
		ret = uri_number(n, u, tr, what, d);
	}
	osip_uri_free(u);
	return ret;
}

/* ---- Request-URI ---- */

/* the single value of a URI parameter; duplicates are an error */
static int uri_param_once(osip_uri_t *u, const char *name, const char **value, struct map_diag *d)
{
	osip_uri_param_t *p;
	int pos = 0, seen = 0;

	*value = NULL;
	while (!osip_list_eol(&u->url_params, pos)) {
		p = osip_list_get(&u->url_params, pos++);
		if (!p->gname || strcasecmp(p->gname, name))
			continue;
		if (seen++)
			return sip_err(d, "Request-URI: duplicated '%s' parameter", name);
		*value = p->gvalue ? p->gvalue : "";
	}
	return 0;
}

static int request_uri(struct map_call *call, osip_message_t *msg, const struct map_tables *t,
		       const struct map_trunk *tr, struct map_diag *d)
{
	const char *target, *cause_text;
	int cause, ret;

	ret = uri_number(&call->called, msg->req_uri, tr, "Request-URI", d);
	if (ret < 0)
		return ret;
	ret = uri_param_once(msg->req_uri, "target", &target, d);
	if (!ret)
		ret = uri_param_once(msg->req_uri, "cause", &cause_text, d);
	if (ret < 0)
		return ret;
	if (target) {
		ret = text_number(&call->redirecting, target, tr, "target", d);
		if (ret < 0)
			return ret;
		call->redir.present = 1;
		map_diag_add(d, MAP_DIAG_NOTE, "target %s -> redirecting number %s (%s)", target,
			     call->redirecting.digits, map_nai_name(call->redirecting.nai));
	}
	if (cause_text) {
		if (map_redir_parse_cause(cause_text, &cause) < 0) {
			map_diag_add(d, MAP_DIAG_ERROR, "cause '%.40s': not a SIP status code (three digits 100-699)",
				     cause_text);
			return -EINVAL;
		}
		map_redir_set_cause(call, t, cause, d);
	} else if (target) {
		call->redir.no_cause = 1;
		map_diag_add(d, MAP_DIAG_NOTE, "target without cause (RFC 4458: e.g. message retrieval): reason unknown");
	}
	return 0;
}

/* ---- header entries ---- */

typedef int (*entry_fn)(const char *entry, void *arg);

/* call fn for each comma-separated entry of every header 'name', commas in <> and quotes kept */
static int header_entries(osip_message_t *msg, const char *name, entry_fn fn, void *arg)
{
	osip_header_t *h;
	char buf[ENTRY_MAX + 1];
	int pos = 0, ret, quote, angle;
	const char *p, *start;

	while ((pos = osip_message_header_get_byname(msg, name, pos, &h)) >= 0) {
		pos++;
		if (!h->hvalue)
			continue;
		quote = angle = 0;
		for (start = p = h->hvalue;; p++) {
			if (*p == '"' && (p == h->hvalue || p[-1] != '\\'))
				quote = !quote;
			else if (!quote && *p == '<')
				angle = 1;
			else if (!quote && *p == '>')
				angle = 0;
			if (*p && (*p != ',' || quote || angle))
				continue;
			while (start < p && isspace((unsigned char)*start))
				start++;
			if ((size_t)(p - start) > ENTRY_MAX)
				return -E2BIG;
			memcpy(buf, start, p - start);
			buf[p - start] = '\0';
			if (buf[0]) {
				ret = fn(buf, arg);
				if (ret < 0)
					return ret;
			}
			if (!*p)
				break;
			start = p + 1;
		}
	}
	return 0;
}

struct hist_ctx {
	struct hist *h;
	const struct map_tables *t;
	const struct map_trunk *tr;
	struct map_diag *d;
	const char *what;
	int newest_first;	/* Diversion: the topmost entry is the latest; History-Info: the oldest first */
};

/* a header parameter's value, without the quotes of a quoted-string (RFC 5806 allows both) */
static const char *gen_param(osip_from_t *f, const char *name, char *buf, size_t len)
{
	osip_generic_param_t *p = NULL;
	size_t n;

	if (osip_generic_param_get_byname(&f->gen_params, (char *)name, &p) || !p)
		return NULL;
	if (!p->gvalue)
		return "";
	n = strlen(p->gvalue);
	if (n >= 2 && p->gvalue[0] == '"' && p->gvalue[n - 1] == '"' && n - 2 < len) {
		memcpy(buf, p->gvalue + 1, n - 2);
		buf[n - 2] = '\0';
		return buf;
	}
	return p->gvalue;
}

/* parse "<uri>;params" into e; the number is optional (a SIP-only hop has none) */
static int hist_addr(struct hist_ctx *c, const char *entry, osip_from_t **fp, struct hist_entry **ep)
{
	struct map_diag tmp;
	struct hist_entry *e;
	osip_from_t *f = NULL;

	if (c->h->n == HIST_MAX) {
		/* keep the first and the latest diversions: they give the numbers and reasons */
		struct hist_entry *drop = &c->h->e[c->newest_first ? HIST_MAX - 1 : 1];

		c->h->truncated++;
		c->h->extra_counter += c->newest_first ? drop->counter : !!drop->cause;
		if (!c->newest_first)
			memmove(&c->h->e[1], &c->h->e[2], (HIST_MAX - 2) * sizeof(c->h->e[0]));
		c->h->n = HIST_MAX - 1;
	}
	e = &c->h->e[c->h->n];
	memset(e, 0, sizeof(*e));
	e->reason = -1;
	e->counter = 1;
	if (osip_from_init(&f))
		return -ENOMEM;
	if (osip_from_parse(f, entry) || !f->url) {
		osip_from_free(f);
		map_diag_add(c->d, MAP_DIAG_ERROR, "%s entry '%.80s': malformed", c->what, entry);
		return -EINVAL;
	}
	map_diag_init(&tmp);
	if (uri_number(&e->num, f->url, c->tr, c->what, &tmp) < 0) {
		e->num.present = 0;
		map_diag_add(c->d, MAP_DIAG_NOTE, "%s entry '%.80s': no telephone number, address not mapped", c->what,
			     entry);
	}
	*fp = f;
	*ep = e;
	return 0;
}

static int diversion_entry(const char *entry, void *arg)
{
	struct hist_ctx *c = arg;
	struct hist_entry *e;
	osip_from_t *f;
	const char *v;
	char buf[64];
	int code, ret;

	ret = hist_addr(c, entry, &f, &e);
	if (ret)
		return ret < 0 ? ret : 0;
	v = gen_param(f, "reason", buf, sizeof(buf));
	if (v) {
		code = map_rtable_token_code(&c->t->diversion, v);
		e->reason = map_rtable_decode(&c->t->diversion, code, NULL);
		if (code < 0)
			map_diag_add(c->d, MAP_DIAG_NOTE, "Diversion reason '%.40s' unknown: %s", v,
				     map_reason_name(e->reason));
	}
	v = gen_param(f, "counter", buf, sizeof(buf));
	if (v) {
		e->counter = (int)strtol(v, NULL, 10);
		if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 3 || e->counter < 1) {
			map_diag_add(c->d, MAP_DIAG_ERROR, "Diversion counter '%.20s': not a number 1-999", v);
			osip_from_free(f);
			return -EINVAL;
		}
	}
	v = gen_param(f, "privacy", buf, sizeof(buf));
	e->restricted = v && (!strcasecmp(v, "full") || !strcasecmp(v, "uri"));
	osip_from_free(f);
	c->h->n++;
	return 0;
}

/* "SIP;cause=302;text=..." (RFC 4244 hi-targeted-to-uri header, %-escaped in the URI) -> 302 */
static int rfc4244_reason(const char *value)
{
	char buf[ENTRY_MAX + 1], *p;
	int cause;

	snprintf(buf, sizeof(buf), "%s", value);
	__osip_uri_unescape(buf);
	if (strncasecmp(buf, "SIP", 3) || (buf[3] != ';' && buf[3] != ' '))
		return 0;
	p = strcasestr(buf, "cause=");
	if (!p || map_redir_parse_cause_n(p + 6, strspn(p + 6, "0123456789"), &cause) < 0)
		return 0;
	return cause;
}

/*
 * RFC 4244 put the cause of a retarget in the entry that was left (?Reason=SIP;cause=N), RFC 7044
 * in the entry retargeted to (;cause=N): move the former to the latter where it is missing.
 */
static void history_rfc4244(struct hist *h, const struct map_tables *t, struct map_diag *d)
{
	int i;

	for (i = 0; i + 1 < h->n; i++)
		if (h->e[i].reason_cause && !h->e[i + 1].cause) {
			h->e[i + 1].cause = h->e[i].reason_cause;
			h->e[i + 1].reason = map_rtable_decode(&t->causes, h->e[i].reason_cause, NULL);
			map_diag_add(d, MAP_DIAG_NOTE, "History-Info: RFC 4244 Reason cause %d read as RFC 7044 cause",
				     h->e[i].reason_cause);
		}
}

static int history_entry(const char *entry, void *arg)
{
	struct hist_ctx *c = arg;
	struct hist_entry *e;
	osip_from_t *f;
	osip_uri_param_t *p = NULL;
	osip_uri_header_t *uh;
	int pos = 0, ret;

	ret = hist_addr(c, entry, &f, &e);
	if (ret)
		return ret < 0 ? ret : 0;
	if (!osip_uri_uparam_get_byname(f->url, "cause", &p) && p) {
		if (map_redir_parse_cause(p->gvalue, &e->cause) < 0) {
			map_diag_add(c->d, MAP_DIAG_ERROR, "History-Info cause '%.40s': not a SIP status code",
				     p->gvalue ? p->gvalue : "");
			osip_from_free(f);
			return -EINVAL;
		}
		e->reason = map_rtable_decode(&c->t->causes, e->cause, NULL);
	}
	while (!osip_list_eol(&f->url->url_headers, pos)) {
		uh = osip_list_get(&f->url->url_headers, pos++);
		if (uh->gname && !strcasecmp(uh->gname, "privacy") && uh->gvalue && strstr(uh->gvalue, "history"))
			e->restricted = 1;
		if (uh->gname && !strcasecmp(uh->gname, "reason") && uh->gvalue)
			e->reason_cause = rfc4244_reason(uh->gvalue);
	}
	osip_from_free(f);
	c->h->n++;
	return 0;
}

/* ---- what the history says ---- */

struct hist_view {
	int valid;
	struct map_number redirecting, original;
	int reason, orig_reason, counter, restricted;
};

static void diversion_view(const struct hist *h, struct hist_view *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	if (!h->n)
		return;
	v->valid = 1;
	v->redirecting = h->e[0].num;		/* topmost: the last diversion */
	v->original = h->e[h->n - 1].num;	/* bottom: the first one */
	v->reason = h->e[0].reason;
	v->orig_reason = h->e[h->n - 1].reason;
	v->counter = h->extra_counter;
	for (i = 0; i < h->n; i++) {
		v->counter += h->e[i].counter;
		v->restricted |= h->e[i].restricted;
	}
}

static void history_view(const struct hist *h, struct hist_view *v)
{
	int i, last = -1, first = -1;

	memset(v, 0, sizeof(*v));
	for (i = 1; i < h->n; i++)
		if (h->e[i].cause) {
			if (first < 0)
				first = i;
			last = i;
			v->counter++;
		}
	if (last < 0)
		return;
	v->valid = 1;
	v->redirecting = h->e[last - 1].num;	/* the entry retargeted from */
	v->original = h->e[0].num;
	v->reason = h->e[last].reason;
	v->orig_reason = h->e[first].reason;
	v->counter += h->extra_counter;
	for (i = 0; i < h->n; i++)
		v->restricted |= h->e[i].restricted;
}

/* the E.164 digits of a number that map_number_to_sip writes as "+...", else NULL */
static const char *e164_digits(const struct map_number *n, const struct map_trunk *tr, char *buf, size_t len)
{
	if (map_number_to_sip(n, tr, buf, len) < 0 || buf[0] != '+')
		return NULL;
	return buf + 1;
}

/*
 * The same party, however written: the same E.164 number, or a local form (an extension dialled
 * without prefix, e.g. a 10-digit NANP number) that the other's E.164 number ends with.
 */
static int same_number(const struct map_number *a, const struct map_number *b, const struct map_trunk *tr)
{
	char sa[MAP_DIGITS_MAX + MAP_CONTEXT_MAX], sb[MAP_DIGITS_MAX + MAP_CONTEXT_MAX];
	const char *ga, *gb, *local, *global;
	size_t min = tr && tr->nat_min > 7 ? (size_t)tr->nat_min : 7;

	if (!a->present || !b->present)
		return 0;
	ga = e164_digits(a, tr, sa, sizeof(sa));
	gb = e164_digits(b, tr, sb, sizeof(sb));
	if (ga && gb)
		return !strcmp(ga, gb);
	if (!ga && !gb)
		return !strcmp(a->digits, b->digits);
	global = ga ? ga : gb;
	local = ga ? b->digits : a->digits;
	return strlen(local) >= min && strlen(global) > strlen(local) &&
	       !strcmp(global + strlen(global) - strlen(local), local);
}

static void apply_history(struct map_call *call, const struct hist_view *v, const char *src,
			  const struct map_trunk *tr, struct map_diag *d)
{
	int target = call->redirecting.present;

	if (!v->valid)
		return;
	call->redir.present = 1;
	if (!target && v->redirecting.present)
		call->redirecting = v->redirecting;
	if (v->original.present && !(target && same_number(&call->redirecting, &v->original, tr)))
		call->original_called = v->original;
	call->redir.counter = v->counter;
	if (target && v->redirecting.present && !same_number(&call->redirecting, &v->redirecting, tr))
		call->redir.counter++;	/* the target is one more diversion than the history shows */
	if (!call->redir.cause && v->reason >= 0)
		call->redir.reason = v->reason;
	if (call->redir.counter > 1 && v->orig_reason >= 0)
		call->redir.orig_reason = v->orig_reason;
	if (v->restricted)
		call->redirecting.pres = MAP_PRES_RESTRICTED;
	map_diag_add(d, MAP_DIAG_NOTE, "%s: counter %d, original called %s", src, call->redir.counter,
		     call->original_called.present ? call->original_called.digits : "(none)");
}

static int history(struct map_call *call, osip_message_t *msg, const struct map_tables *t,
		   const struct map_trunk *tr, struct map_diag *d)
{
	struct hist h = { 0 };
	struct hist_ctx c = { &h, t, tr, d, "Diversion", 1 };
	struct hist_view v;
	int ret;

	ret = header_entries(msg, "diversion", diversion_entry, &c);
	if (ret < 0)
		return ret == -E2BIG ? sip_err(d, "%s: entry longer than 1024 characters", "Diversion") : ret;
	if (h.truncated)
		map_diag_add(d, MAP_DIAG_NOTE, "Diversion: %d middle entries beyond %d dropped (counted)", h.truncated,
			     HIST_MAX);
	diversion_view(&h, &v);
	if (v.valid) {
		apply_history(call, &v, "Diversion", tr, d);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	c.what = "History-Info";
	c.newest_first = 0;
	ret = header_entries(msg, "history-info", history_entry, &c);
	if (ret < 0)
		return ret == -E2BIG ? sip_err(d, "%s: entry longer than 1024 characters", "History-Info") : ret;
	if (h.truncated)
		map_diag_add(d, MAP_DIAG_NOTE, "History-Info: %d middle entries beyond %d dropped (counted)",
			     h.truncated, HIST_MAX);
	history_rfc4244(&h, t, d);
	history_view(&h, &v);
	if (h.n && !v.valid)
		map_diag_add(d, MAP_DIAG_NOTE, "History-Info: %d entries but no retarget with a cause: not mapped", h.n);
	apply_history(call, &v, "History-Info", tr, d);
	return 0;
}

/* ---- Privacy, calling party, UM headers ---- */

struct call_ctx {
	struct map_call *call;
	const struct map_trunk *tr;
	struct map_diag *d;
};

static const struct {
	const char *name;
	int bit;
} privacy_values[] = {
	{ "header", MAP_PRIV_HEADER }, { "session", MAP_PRIV_SESSION }, { "user", MAP_PRIV_USER },
	{ "id", MAP_PRIV_ID },	       { "history", MAP_PRIV_HISTORY }, { "critical", MAP_PRIV_CRITICAL },
	{ "none", MAP_PRIV_NONE },
};

static int privacy_entry(const char *entry, void *arg)
{
	struct call_ctx *c = arg;
	struct map_call *call = c->call;
	char buf[ENTRY_MAX + 1], *tok, *save = NULL;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", entry);
	for (tok = strtok_r(buf, "; \t", &save); tok; tok = strtok_r(NULL, "; \t", &save)) {
		for (i = 0; i < sizeof(privacy_values) / sizeof(privacy_values[0]); i++)
			if (!strcasecmp(tok, privacy_values[i].name))
				break;
		if (i == sizeof(privacy_values) / sizeof(privacy_values[0]))
			map_diag_add(c->d, MAP_DIAG_NOTE, "Privacy value '%.40s' unknown, ignored", tok);
		else
			call->privacy |= privacy_values[i].bit;
	}
	return 0;
}

static int calling_entry(const char *entry, void *arg)
{
	struct call_ctx *c = arg;
	struct map_call *call = c->call;
	struct map_diag tmp;
	osip_from_t *f = NULL;

	if (call->calling.present)
		return 0;
	if (osip_from_init(&f))
		return -ENOMEM;
	map_diag_init(&tmp);
	if (!osip_from_parse(f, entry) && f->url && !uri_number(&call->calling, f->url, c->tr, "calling", &tmp)) {
		call->calling.screen = MAP_SCREEN_NETWORK;
		call->calling_verified = 1;
		map_diag_add(c->d, MAP_DIAG_NOTE, "calling number %s from P-Asserted-Identity (network provided)",
			     call->calling.digits);
	}
	osip_from_free(f);
	return 0;
}

static void calling(struct map_call *call, osip_message_t *msg, const struct map_trunk *tr, int trusted,
		    struct map_diag *d)
{
	struct call_ctx c = { call, tr, d };
	struct map_diag tmp;
	osip_header_t *h;

	if (trusted)
		header_entries(msg, "p-asserted-identity", calling_entry, &c);
	else if (osip_message_header_get_byname(msg, "p-asserted-identity", 0, &h) >= 0)
		map_diag_add(d, MAP_DIAG_NOTE, "P-Asserted-Identity from an untrusted peer ignored (RFC 3325)");
	if (call->calling.present || !msg->from || !msg->from->url)
		return;
	map_diag_init(&tmp);
	if (uri_number(&call->calling, msg->from->url, tr, "From", &tmp) < 0) {
		memset(&call->calling, 0, sizeof(call->calling));
		map_diag_add(d, MAP_DIAG_NOTE, "no calling number: From holds no telephone number");
		return;
	}
	call->calling.screen = MAP_SCREEN_USER_NOT_VERIFIED;
}

/* the one value of a header that may appear once; 0 absent, 1 found, -EINVAL duplicated */
static int header_once(osip_message_t *msg, const char *name, char *out, size_t len, struct map_diag *d)
{
	osip_header_t *h = NULL, *again = NULL;
	const char *v;
	size_t n;
	int pos;

	pos = osip_message_header_get_byname(msg, name, 0, &h);
	if (pos < 0 || !h)
		return 0;
	if (osip_message_header_get_byname(msg, name, pos + 1, &again) >= 0 || (h->hvalue && strchr(h->hvalue, ','))) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s: appears more than once", name);
		return -EINVAL;
	}
	v = h->hvalue ? h->hvalue : "";
	while (isspace((unsigned char)*v))
		v++;
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (n >= len) {
		map_diag_add(d, MAP_DIAG_ERROR, "%s: value longer than %zu characters", name, len - 1);
		return -EINVAL;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return 1;
}

static int um_headers(struct map_call *call, osip_message_t *msg, int flags, struct map_diag *d)
{
	char v[MAP_SENS_RAW_MAX];
	int ret;

	ret = header_once(msg, "ms-exchange-command", v, sizeof(v), d);
	if (ret < 0)
		return ret;
	if (ret) {
		if (strcasecmp(v, "skip-pin")) {
			map_diag_add(d, MAP_DIAG_ERROR, "Ms-Exchange-Command: unknown value '%s' (only skip-pin)", v);
			return -EINVAL;
		}
		call->um.skip_pin = !!(flags & MAP_SIP_IN_TRUSTED);
		map_diag_add(d, MAP_DIAG_NOTE, "Ms-Exchange-Command: skip-pin%s",
			     call->um.skip_pin ? "" : " from an untrusted peer dropped");
	}
	ret = header_once(msg, "ms-sensitivity", v, sizeof(v), d);
	if (ret <= 0)
		return ret;
	call->um.sens = map_sens_from_name(v);
	if (call->um.sens != MAP_SENS_UNKNOWN)
		return 0;
	snprintf(call->um.sens_raw, sizeof(call->um.sens_raw), "%s", v);
	if (!(flags & MAP_SIP_IN_LENIENT_SENS)) {
		map_diag_add(d, MAP_DIAG_ERROR, "Ms-Sensitivity: unknown value '%s' (normal, private, "
			     "normal-no-diversion, private-no-diversion)", v);
		return -EINVAL;
	}
	map_diag_add(d, MAP_DIAG_NOTE, "Ms-Sensitivity: unknown value '%s' passed on, not mapped to TDM", v);
	return 0;
}

int map_sip_to_call(struct osip_message *msg, const struct map_tables *t, const struct map_trunk *tr, int flags,
		    struct map_call *call, struct map_diag *d)
{
	struct call_ctx pc = { call, tr, d };
	int ret;

	map_call_init(call);
	if (!msg->sip_method || !msg->req_uri)
		return sip_err(d, "SIP message: %s", "not a request");
	if (strcmp(msg->sip_method, "INVITE"))	/* methods are case-sensitive (RFC 3261 7.1) */
		return sip_err(d, "SIP message: method '%.20s' is not INVITE", msg->sip_method);
	ret = request_uri(call, msg, t, tr, d);
	if (!ret)
		ret = history(call, msg, t, tr, d);
	if (!ret)
		ret = header_entries(msg, "privacy", privacy_entry, &pc);
	if (!ret)
		ret = um_headers(call, msg, flags, d);
	if (ret < 0)
		return ret;
	calling(call, msg, tr, flags & MAP_SIP_IN_TRUSTED, d);
	map_redir_complete_for_tdm(call, t, d);
	return 0;
}
