/*
 * gw_conf.c - the daemon's sections of the gateway config file: [gw], [sip], [peer NAME], [route NAME].
 *
 * A section type is a row of conf_sections[]: its table of keys (name, kind, scope, where the value goes,
 * its range), its required keys, and a finishing step for defaults that depend on other keys.  Values are
 * read by kind through conf_setters[].  [span NAME] sections are tdm_conf's and skipped; any other section
 * type is refused.  Messages read "file:line: key: why", as tdm_conf.c writes them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_conf.h"
#include "gw_route.h"
#include "log.h"

#define CONF_NAME_HELP "letters, digits, - _ ., at most 31"
#define CONF_SECS_MAX 3600L		/* drain, no-answer: 1 h */

enum conf_kind {
	GK_TEXT, GK_NAME, GK_ENUM, GK_BOOL, GK_INT, GK_SECONDS, GK_LEVEL, GK_ADDR, GK_IP, GK_HOST, GK_DIGITS,
	GK_LIST, GK_ADVANCE,
	GK_COUNT
};

/* keys that only make sense with another key's value */
enum conf_scope { GS_ANY, GS_TLS, GS_FROM_SIP, GS_FROM_TDM };

struct conf_key {
	const char *key;
	int kind;			/* enum conf_kind */
	int scope;			/* enum conf_scope */
	size_t off;			/* the field in the section's struct */
	size_t size;			/* its size */
	long min, max;			/* GK_INT, GK_SECONDS; GK_TEXT: min 1 = not empty */
	const char *const *names;	/* GK_ENUM: the value is the index */
};

static const char *const proto_names[] = { "udp", "tcp", "tls", NULL };
static const char *const verify_names[] = { "none", "optional", "require", NULL };
static const char *const timers_names[] = { "standard", "short", NULL };
static const char *const dir_names[] = { "sip", "tdm", NULL };
static const char *const level_names[] = { "error", "warn", "notice", "info", "debug", NULL };
static const char *const dtmf_names[] = { "rfc4733", "inband", NULL };
static const char *const srtp_names[] = { "off", "optional", "required", NULL };

#define MAIN(f) offsetof(struct gw_main_conf, f), sizeof(((struct gw_main_conf *)0)->f)
#define SIP(f) offsetof(struct gw_sip_conf, f), sizeof(((struct gw_sip_conf *)0)->f)
#define PEER(f) offsetof(struct gw_peer_conf, f), sizeof(((struct gw_peer_conf *)0)->f)
#define ROUTE(f) offsetof(struct gw_route_conf, f), sizeof(((struct gw_route_conf *)0)->f)

static const struct conf_key main_keys[] = {
	{ "pidfile", GK_TEXT, GS_ANY, MAIN(pidfile), 0, 0, NULL },
	{ "control", GK_TEXT, GS_ANY, MAIN(control), 1, 0, NULL },
	{ "tables", GK_TEXT, GS_ANY, MAIN(tables), 0, 0, NULL },
	{ "log-level", GK_LEVEL, GS_ANY, MAIN(log_level), 0, 0, level_names },
	{ "syslog", GK_BOOL, GS_ANY, MAIN(syslog), 0, 0, NULL },
	{ "drain", GK_SECONDS, GS_ANY, MAIN(drain_ms), 0, CONF_SECS_MAX, NULL },
	{ "no-answer", GK_SECONDS, GS_ANY, MAIN(no_answer_ms), 0, CONF_SECS_MAX, NULL },
	{ "max-redirects", GK_INT, GS_ANY, MAIN(max_redirects), 0, 10, NULL },
	{ "max-calls", GK_INT, GS_ANY, MAIN(max_calls), 1, 65536, NULL },
	{ "retry-after", GK_INT, GS_ANY, MAIN(retry_after), 0, 86400, NULL },
	{ "timers", GK_ENUM, GS_ANY, MAIN(timers), 0, 0, timers_names },
};

static const struct conf_key sip_keys[] = {
	{ "udp", GK_ADDR, GS_ANY, SIP(listen[GW_PROTO_UDP]), 0, 0, NULL },
	{ "tcp", GK_ADDR, GS_ANY, SIP(listen[GW_PROTO_TCP]), 0, 0, NULL },
	{ "tls", GK_ADDR, GS_ANY, SIP(listen[GW_PROTO_TLS]), 0, 0, NULL },
	{ "tls-cert", GK_TEXT, GS_ANY, SIP(tls_cert), 1, 0, NULL },
	{ "tls-key", GK_TEXT, GS_ANY, SIP(tls_key), 1, 0, NULL },
	{ "tls-ca", GK_TEXT, GS_ANY, SIP(tls_ca), 1, 0, NULL },
	{ "tls-verify-client", GK_ENUM, GS_ANY, SIP(tls_verify_client), 0, 0, verify_names },
	{ "host", GK_HOST, GS_ANY, SIP(host), 0, 0, NULL },
	{ "user-agent", GK_TEXT, GS_ANY, SIP(user_agent), 1, 0, NULL },
	{ "t1", GK_INT, GS_ANY, SIP(t1_ms), 10, 10000, NULL },
	{ "t2", GK_INT, GS_ANY, SIP(t2_ms), 10, 60000, NULL },
	{ "t4", GK_INT, GS_ANY, SIP(t4_ms), 10, 60000, NULL },
	{ "rtp-port", GK_INT, GS_ANY, SIP(rtp_port), 1024, 65534, NULL },
	{ "rtp-port-max", GK_INT, GS_ANY, SIP(rtp_port_max), 1025, 65535, NULL },
	{ "rtp-ip", GK_IP, GS_ANY, SIP(rtp_ip), 0, 0, NULL },
	{ "ptime", GK_INT, GS_ANY, SIP(ptime_ms), 10, 30, NULL },
	{ "jitter-min", GK_INT, GS_ANY, SIP(jitter_min_ms), 0, 1000, NULL },
	{ "jitter-max", GK_INT, GS_ANY, SIP(jitter_max_ms), 20, 1000, NULL },
	{ "media-timeout", GK_SECONDS, GS_ANY, SIP(media_timeout_ms), 0, CONF_SECS_MAX, NULL },
};

/* transport comes first: the scope of tls-name depends on it */
static const struct conf_key peer_keys[] = {
	{ "transport", GK_ENUM, GS_ANY, PEER(proto), 0, 0, proto_names },
	{ "host", GK_IP, GS_ANY, PEER(host), 0, 0, NULL },
	{ "port", GK_INT, GS_ANY, PEER(port), 1, 65535, NULL },
	{ "trusted", GK_BOOL, GS_ANY, PEER(trusted), 0, 0, NULL },
	{ "tls-name", GK_HOST, GS_TLS, PEER(tls_name), 0, 0, NULL },
	{ "um", GK_BOOL, GS_ANY, PEER(um), 0, 0, NULL },
	{ "trunk", GK_NAME, GS_ANY, PEER(trunk), 0, 0, NULL },
	{ "privacy-untrusted", GK_BOOL, GS_ANY, PEER(privacy_untrusted), 0, 0, NULL },
	{ "dtmf", GK_ENUM, GS_ANY, PEER(dtmf), 0, 0, dtmf_names },
	{ "srtp", GK_ENUM, GS_ANY, PEER(srtp), 0, 0, srtp_names },
};

/* from comes first: the scope of peer and group depends on it */
static const struct conf_key route_keys[] = {
	{ "from", GK_ENUM, GS_ANY, ROUTE(dir), 0, 0, dir_names },
	{ "prefix", GK_DIGITS, GS_ANY, ROUTE(prefix), 0, 0, NULL },
	{ "peer", GK_NAME, GS_FROM_SIP, ROUTE(source), 0, 0, NULL },
	{ "group", GK_NAME, GS_FROM_TDM, ROUTE(source), 0, 0, NULL },
	{ "to", GK_LIST, GS_ANY, ROUTE(to), 0, 0, NULL },
	{ "advance", GK_ADVANCE, GS_ANY, ROUTE(advance), 0, 0, NULL },
	{ "pilot", GK_DIGITS, GS_ANY, ROUTE(pilot), 0, 0, NULL },
	{ "no-answer", GK_SECONDS, GS_ANY, ROUTE(no_answer_ms), 0, CONF_SECS_MAX, NULL },
};

/* what a scoped key needs: the int field at off (in the section's struct) equal to value */
struct conf_scope_rule {
	const char *key;
	size_t off;
	int value;
	const char *const *names;
};

static const struct conf_scope_rule conf_scopes[] = {
	[GS_TLS] = { "transport", offsetof(struct gw_peer_conf, proto), GW_PROTO_TLS, proto_names },
	[GS_FROM_SIP] = { "from", offsetof(struct gw_route_conf, dir), GW_ROUTE_SIP_TO_TDM, dir_names },
	[GS_FROM_TDM] = { "from", offsetof(struct gw_route_conf, dir), GW_ROUTE_TDM_TO_SIP, dir_names },
};

/* reading one section */
struct conf_ctx {
	const struct ini *ini;
	const struct ini_section *sec;	/* NULL: the section is absent (defaults only) */
	char label[GW_PATH_MAX];	/* "[peer um]" */
	char *err;
	size_t errlen;
};

struct conf_section {
	const char *type;
	int named;				/* 1: [type NAME], 0: [type] */
	const struct conf_key *keys;
	size_t nkeys;
	const char *const *required;
	int (*finish)(const struct conf_ctx *c, void *obj);	/* defaults depending on other keys, or NULL */
};

/* defaults that the timer profile changes: [profile] in ms */
static const struct {
	size_t off;
	int ms[2];
} conf_profile[] = {
	{ offsetof(struct gw_conf, gw.drain_ms), { 30000, 2000 } },
	{ offsetof(struct gw_conf, gw.no_answer_ms), { 60000, 3000 } },
	{ offsetof(struct gw_conf, sip.t1_ms), { 500, 50 } },
	{ offsetof(struct gw_conf, sip.t2_ms), { 4000, 400 } },
	{ offsetof(struct gw_conf, sip.t4_ms), { 5000, 500 } },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- messages ---- */

static int conf_verr(char *err, size_t errlen, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static int conf_verr(char *err, size_t errlen, const char *file, int line, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	vsnprintf(err + n, errlen - n, fmt, ap);
	return -EINVAL;
}

static int conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int conf_err(const struct conf_ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int conf_err(const struct conf_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(c->err, c->errlen, c->ini->file, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- values ---- */

/* an IPv4 or IPv6 literal */
static int conf_ip_ok(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* a host name (letters, digits, "-" in dot-separated labels) or an IP literal */
static int conf_host_ok(const char *s)
{
	size_t n, label = 0;

	if (conf_ip_ok(s))
		return 1;
	for (n = 0; s[n]; n++) {
		if (s[n] == '.') {
			if (!label)
				return 0;
			label = 0;
		} else if ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
			   (s[n] >= '0' && s[n] <= '9') || (s[n] == '-' && label)) {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

static int conf_digits_ok(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* ---- keys ---- */

static int conf_copy(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, char *dst)
{
	size_t len = strlen(kv->val);

	if (len >= k->size)
		return conf_err(c, kv->line, "%s: longer than %zu characters", k->key, k->size - 1);
	if (k->min && !len)
		return conf_err(c, kv->line, "%s: empty", k->key);
	memcpy(dst, kv->val, len + 1);
	return 0;
}

static int conf_set_text(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

static int conf_set_name(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	if (!ini_value_name(kv->val, GW_NAME_MAX))
		return conf_err(c, kv->line, "%s: '%s' is not a name (" CONF_NAME_HELP ")", k->key, kv->val);
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

static int conf_set_enum(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	char list[128];
	int v = ini_value_enum(kv->val, k->names);

	if (v < 0)
		return conf_err(c, kv->line, "%s: '%s' is not one of %s", k->key, kv->val,
				ini_value_enum_list(k->names, list, sizeof(list)));
	*(int *)((char *)obj + k->off) = v;
	return 0;
}

static int conf_set_level(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	char list[128];
	int v = log_level_parse(kv->val);

	if (v < 0)
		return conf_err(c, kv->line, "%s: '%s' is not one of %s", k->key, kv->val,
				ini_value_enum_list(k->names, list, sizeof(list)));
	*(int *)((char *)obj + k->off) = v;
	return 0;
}

static int conf_set_bool(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	int v = ini_value_bool(kv->val);

	if (v < 0)
		return conf_err(c, kv->line, "%s: '%s' is not yes or no", k->key, kv->val);
	*(int *)((char *)obj + k->off) = v;
	return 0;
}

static int conf_number(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, long *v)
{
	int rc = ini_value_long(kv->val, v);

	if (rc == -EINVAL)
		return conf_err(c, kv->line, "%s: '%s' is not a number", k->key, kv->val);
	if (rc < 0 || *v < k->min || *v > k->max)
		return conf_err(c, kv->line, "%s: %s out of range %ld..%ld", k->key, kv->val, k->min, k->max);
	return 0;
}

static int conf_set_int(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	long v;
	int rc = conf_number(c, k, kv, &v);

	if (!rc)
		*(int *)((char *)obj + k->off) = (int)v;
	return rc;
}

/* whole seconds, kept in ms */
static int conf_set_seconds(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	long v;
	int rc = conf_number(c, k, kv, &v);

	if (!rc)
		*(int *)((char *)obj + k->off) = (int)(v * 1000);
	return rc;
}

/* "ip:port", "" = off */
static int conf_set_addr(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	char ip[GW_ADDR_MAX];
	int port;

	if (kv->val[0] && gw_conf_split_addr(kv->val, ip, sizeof(ip), &port) < 0)
		return conf_err(c, kv->line, "%s: '%s' is not ip:port (like 0.0.0.0:5060 or [::]:5061; port 0..65535)",
				k->key, kv->val);
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

static int conf_set_ip(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	if (!conf_ip_ok(kv->val))
		return conf_err(c, kv->line, "%s: '%s' is not an IPv4 or IPv6 address", k->key, kv->val);
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

static int conf_set_host(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	if (!conf_host_ok(kv->val))
		return conf_err(c, kv->line, "%s: '%s' is not a host name or IP address", k->key, kv->val);
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

static int conf_set_digits(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	if (!conf_digits_ok(kv->val))
		return conf_err(c, kv->line, "%s: '%s' is not a number of digits 0-9", k->key, kv->val);
	return conf_copy(c, k, kv, (char *)obj + k->off);
}

/* to = a, b, c: the route's ordered alternates */
static int conf_set_list(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	struct gw_route_conf *r = obj;
	const char *s = kv->val, *end;
	char name[GW_NAME_MAX];
	size_t n;

	for (r->nto = 0;; s = end + 1) {
		s = ini_skip_blank(s);
		end = s + strcspn(s, ",");
		for (n = (size_t)(end - s); n && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
			;
		if (n >= sizeof(name))
			n = 0;
		memcpy(name, s, n);
		name[n] = '\0';
		if (!ini_value_name(name, GW_NAME_MAX))
			return conf_err(c, kv->line, "%s: '%s' is not a list of names (" CONF_NAME_HELP ")", k->key,
					kv->val);
		if (r->nto == GW_ALT_MAX)
			return conf_err(c, kv->line, "%s: more than %d names", k->key, GW_ALT_MAX);
		memcpy(r->to[r->nto++], name, n + 1);
		if (!*end)
			return 0;
	}
}

static int conf_set_advance(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj)
{
	if (gw_route_parse_advance(kv->val, (int *)((char *)obj + k->off)) < 0)
		return conf_err(c, kv->line, "%s: '%s' is not none or a list of busy, no-answer, congestion, failure",
				k->key, kv->val);
	return 0;
}

typedef int (*conf_setter)(const struct conf_ctx *c, const struct conf_key *k, const struct ini_kv *kv, void *obj);

static const conf_setter conf_setters[GK_COUNT] = {
	[GK_TEXT] = conf_set_text,	[GK_NAME] = conf_set_name,	[GK_ENUM] = conf_set_enum,
	[GK_BOOL] = conf_set_bool,	[GK_INT] = conf_set_int,	[GK_SECONDS] = conf_set_seconds,
	[GK_LEVEL] = conf_set_level,	[GK_ADDR] = conf_set_addr,	[GK_IP] = conf_set_ip,
	[GK_HOST] = conf_set_host,	[GK_DIGITS] = conf_set_digits,	[GK_LIST] = conf_set_list,
	[GK_ADVANCE] = conf_set_advance,
};

/* a key that needs another key's value: say so */
static int conf_check_scope(const struct conf_ctx *c, int scope, const struct ini_kv *kv, const void *obj)
{
	const struct conf_scope_rule *r = &conf_scopes[scope];
	int v;

	if (scope == GS_ANY)
		return 0;
	v = *(const int *)((const char *)obj + r->off);
	if (v == r->value)
		return 0;
	return conf_err(c, kv->line, "%s: only with %s = %s; %s has %s = %s", kv->key, r->key, r->names[r->value],
			c->label, r->key, r->names[v]);
}

static int conf_required(const struct conf_ctx *c, const struct conf_section *s)
{
	int i;

	for (i = 0; s->required && s->required[i]; i++)
		if (!ini_get(c->sec, s->required[i]))
			return conf_err(c, c->sec->line, "%s: required in %s", s->required[i], c->label);
	return 0;
}

static int conf_keys_read(const struct conf_ctx *c, const struct conf_section *s, void *obj)
{
	const struct ini_kv *kv;
	size_t i;
	int rc;

	rc = conf_required(c, s);
	for (i = 0; !rc && i < s->nkeys; i++) {
		kv = ini_get(c->sec, s->keys[i].key);
		if (!kv)
			continue;
		rc = conf_check_scope(c, s->keys[i].scope, kv, obj);
		if (!rc)
			rc = conf_setters[s->keys[i].kind](c, &s->keys[i], kv, obj);
	}
	if (rc < 0)
		return rc;
	kv = ini_unused(c->sec);
	if (kv)
		return conf_err(c, kv->line, "%s: unknown key in %s", kv->key, c->label);
	return 0;
}

/* ---- sections ---- */

/* the line of key in the section, or the section's own line */
static int conf_line(const struct conf_ctx *c, const char *key)
{
	const struct ini_kv *kv = c->sec ? ini_get(c->sec, key) : NULL;

	if (kv)
		return kv->line;
	return c->sec ? c->sec->line : 0;
}

static int conf_given(const struct conf_ctx *c, const char *key)
{
	return c->sec && ini_get(c->sec, key);
}

/* the first listener's address, when it is not a wildcard */
static void conf_default_host(struct gw_sip_conf *sip)
{
	char ip[GW_ADDR_MAX];
	int i, port;

	for (i = 0; i < GW_PROTO_COUNT && !sip->host[0]; i++) {
		if (!sip->listen[i][0] || gw_conf_split_addr(sip->listen[i], ip, sizeof(ip), &port) < 0)
			continue;
		if (strcmp(ip, "0.0.0.0") && strcmp(ip, "::"))
			snprintf(sip->host, sizeof(sip->host), "%s", ip);
	}
}

static int conf_finish_sip(const struct conf_ctx *c, void *obj)
{
	struct gw_sip_conf *sip = obj;

	if (sip->listen[GW_PROTO_TLS][0] && (!sip->tls_cert[0] || !sip->tls_key[0]))
		return conf_err(c, conf_line(c, "tls"), "tls: a TLS listener needs tls-cert and tls-key");
	if (!sip->tls_cert[0] != !sip->tls_key[0])
		return conf_err(c, conf_line(c, sip->tls_cert[0] ? "tls-cert" : "tls-key"),
				"%s: given without %s", sip->tls_cert[0] ? "tls-cert" : "tls-key",
				sip->tls_cert[0] ? "tls-key" : "tls-cert");
	if (sip->t2_ms < sip->t1_ms && conf_given(c, "t2"))
		return conf_err(c, conf_line(c, "t2"), "t2: %d ms less than t1 (%d ms)", sip->t2_ms, sip->t1_ms);
	if (sip->t2_ms < sip->t1_ms)
		return conf_err(c, conf_line(c, "t1"), "t1: %d ms more than t2 (%d ms)", sip->t1_ms, sip->t2_ms);
	if (sip->rtp_port % 2)
		return conf_err(c, conf_line(c, "rtp-port"), "rtp-port: %d is odd (RTP takes the even port of a pair)",
				sip->rtp_port);
	if (!conf_given(c, "rtp-port-max"))
		sip->rtp_port_max = sip->rtp_port + 16383 > 65535 ? 65535 : sip->rtp_port + 16383;
	if (sip->rtp_port_max < sip->rtp_port + 1)
		return conf_err(c, conf_line(c, "rtp-port-max"), "rtp-port-max: %d leaves no port pair from rtp-port %d",
				sip->rtp_port_max, sip->rtp_port);
	if (sip->ptime_ms % 10)
		return conf_err(c, conf_line(c, "ptime"), "ptime: %d ms: 10, 20 or 30", sip->ptime_ms);
	if (sip->jitter_max_ms < sip->jitter_min_ms)
		return conf_err(c, conf_line(c, conf_given(c, "jitter-max") ? "jitter-max" : "jitter-min"),
				"%s: jitter-max %d ms is less than jitter-min %d ms",
				conf_given(c, "jitter-max") ? "jitter-max" : "jitter-min", sip->jitter_max_ms,
				sip->jitter_min_ms);
	conf_default_host(sip);
	if (!sip->rtp_ip[0] && conf_ip_ok(sip->host) && strlen(sip->host) < sizeof(sip->rtp_ip))
		memcpy(sip->rtp_ip, sip->host, strlen(sip->host) + 1);
	return 0;
}

static int conf_finish_peer(const struct conf_ctx *c, void *obj)
{
	struct gw_peer_conf *p = obj;

	if (!p->port)
		p->port = p->proto == GW_PROTO_TLS ? 5061 : 5060;
	if (p->proto == GW_PROTO_TLS && !p->tls_name[0])
		snprintf(p->tls_name, sizeof(p->tls_name), "%s", p->host);
	if (!conf_given(c, "privacy-untrusted"))
		p->privacy_untrusted = !p->trusted;
	if (!conf_given(c, "srtp"))
		p->srtp = p->proto == GW_PROTO_TLS ? GW_SRTP_OPTIONAL : GW_SRTP_OFF;
	else if (p->srtp != GW_SRTP_OFF && p->proto != GW_PROTO_TLS)
		return conf_err(c, conf_line(c, "srtp"), "srtp: %s needs transport = tls (SDES keys never travel in "
				"clear)", srtp_names[p->srtp]);
	return 0;
}

static const char *const peer_required[] = { "host", NULL };
static const char *const route_required[] = { "from", "to", NULL };

enum { SEC_GW, SEC_SIP, SEC_PEER, SEC_ROUTE, SEC_SPAN };

static const struct conf_section conf_sections[] = {
	[SEC_GW] = { "gw", 0, main_keys, NELEM(main_keys), NULL, NULL },
	[SEC_SIP] = { "sip", 0, sip_keys, NELEM(sip_keys), NULL, conf_finish_sip },
	[SEC_PEER] = { "peer", 1, peer_keys, NELEM(peer_keys), peer_required, conf_finish_peer },
	[SEC_ROUTE] = { "route", 1, route_keys, NELEM(route_keys), route_required, NULL },
	[SEC_SPAN] = { "span", 1, NULL, 0, NULL, NULL },	/* tdm_conf's */
};

static int conf_section_index(const struct ini_section *sec)
{
	size_t i;

	for (i = 0; i < NELEM(conf_sections); i++)
		if (!strcmp(sec->type, conf_sections[i].type))
			return (int)i;
	return -1;
}

/* the section's type is known, and it has a name if and only if it needs one */
static int conf_check_header(const struct conf_ctx *c, int idx)
{
	const struct conf_section *s;

	if (idx < 0)
		return conf_err(c, c->sec->line,
				"%s: unknown section type (known: [gw], [sip], [peer NAME], [route NAME], [span NAME])",
				c->label);
	if (idx == SEC_SPAN)
		return 0;
	s = &conf_sections[idx];
	if (!s->named && c->sec->name[0])
		return conf_err(c, c->sec->line, "%s: takes no name, write [%s]", c->label, s->type);
	if (s->named && !c->sec->name[0])
		return conf_err(c, c->sec->line, "[%s]: a %s section needs a name, like [%s %s]", s->type, s->type,
				s->type, idx == SEC_PEER ? "pbx" : "to-pbx");
	if (s->named && !ini_value_name(c->sec->name, GW_NAME_MAX))
		return conf_err(c, c->sec->line, "%s: not a %s name (" CONF_NAME_HELP ")", c->label, s->type);
	return 0;
}

static void conf_set_section(struct conf_ctx *c, const struct ini_section *sec)
{
	c->sec = sec;
	if (sec)
		ini_section_label(sec, c->label, sizeof(c->label));
	else
		c->label[0] = '\0';
}

static void conf_defaults(struct gw_conf *conf, int profile)
{
	size_t i;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->gw.control, sizeof(conf->gw.control), "/run/gwd.ctl");
	conf->gw.log_level = LOG_LVL_NOTICE;
	conf->gw.max_redirects = 3;
	conf->gw.max_calls = 1024;
	conf->gw.retry_after = 30;
	conf->gw.timers = profile;
	snprintf(conf->sip.user_agent, sizeof(conf->sip.user_agent), "gwd");
	conf->sip.tls_verify_client = GW_TLS_VERIFY_NONE;
	conf->sip.rtp_port = 16384;
	conf->sip.rtp_port_max = 32767;
	conf->sip.ptime_ms = 20;
	conf->sip.jitter_min_ms = 20;
	conf->sip.jitter_max_ms = 200;
	conf->sip.media_timeout_ms = 30000;
	for (i = 0; i < NELEM(conf_profile); i++)
		*(int *)((char *)conf + conf_profile[i].off) = conf_profile[i].ms[profile];
}

/* the [gw] timers key, read first: it changes other keys' defaults (a bad value is reported later) */
static int conf_timers_profile(const struct ini *ini)
{
	const struct ini_section *sec = ini_section(ini, "gw", "");
	const struct ini_kv *kv = sec ? ini_get(sec, "timers") : NULL;

	return kv && !strcasecmp(kv->val, "short") ? GW_TIMERS_SHORT : GW_TIMERS_STANDARD;
}

/* check every section header; count peers and routes */
static int conf_scan(struct conf_ctx *c, size_t *npeer, size_t *nroute)
{
	size_t i;
	int idx, rc;

	*npeer = *nroute = 0;
	for (i = 0; i < c->ini->nsec; i++) {
		conf_set_section(c, &c->ini->sec[i]);
		idx = conf_section_index(c->sec);
		rc = conf_check_header(c, idx);
		if (rc < 0)
			return rc;
		*npeer += idx == SEC_PEER;
		*nroute += idx == SEC_ROUTE;
	}
	return 0;
}

static void *conf_object(struct gw_conf *conf, int idx, const struct ini *ini, const struct ini_section *sec)
{
	struct gw_peer_conf *p;
	struct gw_route_conf *r;

	if (idx == SEC_GW)
		return &conf->gw;
	if (idx == SEC_SIP)
		return &conf->sip;
	if (idx == SEC_PEER) {
		p = &conf->peer[conf->npeer++];
		snprintf(p->name, sizeof(p->name), "%s", sec->name);
		snprintf(p->file, sizeof(p->file), "%s", ini->file);
		p->line = sec->line;
		snprintf(p->trunk, sizeof(p->trunk), "default");
		return p;
	}
	r = &conf->route[conf->nroute++];
	snprintf(r->name, sizeof(r->name), "%s", sec->name);
	snprintf(r->file, sizeof(r->file), "%s", ini->file);
	r->line = sec->line;
	r->advance = GW_ADV_BUSY | GW_ADV_NO_ANSWER | GW_ADV_CONGESTION;
	return r;
}

static int conf_read_section(struct conf_ctx *c, struct gw_conf *conf, const struct ini_section *sec)
{
	int idx = conf_section_index(sec);
	const struct conf_section *s = &conf_sections[idx];
	void *obj;
	int rc;

	if (idx == SEC_SPAN)
		return 0;
	conf_set_section(c, sec);
	obj = conf_object(conf, idx, c->ini, sec);
	rc = conf_keys_read(c, s, obj);
	return rc || !s->finish ? rc : s->finish(c, obj);
}

/* [sip] gets its defaults finished even when absent */
static int conf_finish_absent(struct conf_ctx *c, struct gw_conf *conf)
{
	conf_set_section(c, NULL);
	return ini_section(c->ini, "sip", "") ? 0 : conf_finish_sip(c, &conf->sip);
}

/* two peers or routes of one name (ini refuses duplicate sections; an ini built otherwise may not): n
 * structs of size bytes at base, with the name and the line at these offsets */
static int conf_check_dup(const struct conf_ctx *c, const char *what, const void *base, size_t n, size_t size,
			  size_t name_off, size_t line_off)
{
	const char *a, *b;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++) {
			a = (const char *)base + i * size;
			b = (const char *)base + j * size;
			if (strcmp(a + name_off, b + name_off))
				continue;
			return conf_err(c, *(const int *)(a + line_off), "[%s %s]: duplicate %s (first at line %d)",
					what, a + name_off, what, *(const int *)(b + line_off));
		}
	return 0;
}

static int conf_check_names(const struct conf_ctx *c, const struct gw_conf *conf)
{
	int rc = conf_check_dup(c, "peer", conf->peer, conf->npeer, sizeof(*conf->peer),
				offsetof(struct gw_peer_conf, name), offsetof(struct gw_peer_conf, line));

	if (!rc)
		rc = conf_check_dup(c, "route", conf->route, conf->nroute, sizeof(*conf->route),
				    offsetof(struct gw_route_conf, name), offsetof(struct gw_route_conf, line));
	return rc;
}

/* a route matching exactly what an earlier one matches is never used */
static int conf_check_shadow(const struct conf_ctx *c, const struct gw_conf *conf)
{
	const struct gw_route_conf *a, *b;
	size_t i, j;

	for (i = 0; i < conf->nroute; i++)
		for (j = 0; j < i; j++) {
			a = &conf->route[j];
			b = &conf->route[i];
			if (a->dir == b->dir && !strcmp(a->prefix, b->prefix) && !strcmp(a->source, b->source))
				return conf_err(c, b->line,
						"[route %s]: never used: [route %s] (line %d) has the same from, "
						"prefix and %s", b->name, a->name, a->line,
						b->dir == GW_ROUTE_SIP_TO_TDM ? "peer" : "group");
		}
	return 0;
}

static int conf_read_all(struct conf_ctx *c, struct gw_conf *conf)
{
	size_t i, npeer, nroute;
	int rc;

	rc = conf_scan(c, &npeer, &nroute);
	if (rc < 0)
		return rc;
	conf->peer = calloc(npeer ? npeer : 1, sizeof(*conf->peer));
	conf->route = calloc(nroute ? nroute : 1, sizeof(*conf->route));
	if (!conf->peer || !conf->route)
		return -ENOMEM;
	for (i = 0; i < c->ini->nsec && !rc; i++)
		rc = conf_read_section(c, conf, &c->ini->sec[i]);
	if (!rc)
		rc = conf_finish_absent(c, conf);
	if (!rc)
		rc = conf_check_names(c, conf);
	if (!rc)
		rc = conf_check_shadow(c, conf);
	return rc;
}

/* ---- the API ---- */

int gw_conf_from_ini(const struct ini *ini, struct gw_conf *out, char *err, size_t errlen)
{
	struct conf_ctx c = { .ini = ini, .err = err, .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	conf_defaults(out, conf_timers_profile(ini));
	rc = conf_read_all(&c, out);
	if (rc < 0)
		gw_conf_free(out);
	return rc;
}

void gw_conf_free(struct gw_conf *conf)
{
	if (!conf)
		return;
	free(conf->peer);
	free(conf->route);
	conf->peer = NULL;
	conf->route = NULL;
	conf->npeer = conf->nroute = 0;
}

/* "a, b, c" of the group names, for messages */
static const char *conf_group_list(const char *const *groups, size_t n, char *buf, size_t len)
{
	size_t i, k = 0;

	snprintf(buf, len, "none");
	for (i = 0; i < n && k < len; i++)
		k += snprintf(buf + k, len - k, "%s%s", i ? ", " : "", groups[i]);
	return buf;
}

static int conf_has_group(const char *const *groups, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(groups[i], name))
			return 1;
	return 0;
}

/* name, the value of key in route r, must be a span group (sip: to; tdm: group) or a peer */
static int conf_check_ref(const struct gw_conf *conf, const struct gw_route_conf *r, const char *key,
			  const char *name, const char *const *groups, size_t n, char *err, size_t errlen)
{
	char list[256];
	int want_group = (r->dir == GW_ROUTE_SIP_TO_TDM) == !strcmp(key, "to");

	if (want_group && !conf_has_group(groups, n, name))
		return conf_errf(err, errlen, r->file, r->line, "%s: no span group '%s' for [route %s] (groups: %s)",
				 key, name, r->name, conf_group_list(groups, n, list, sizeof(list)));
	if (!want_group && !gw_conf_peer(conf, name))
		return conf_errf(err, errlen, r->file, r->line, "%s: no [peer %s] for [route %s]", key, name, r->name);
	return 0;
}

int gw_conf_check(const struct gw_conf *conf, const char *const *groups, size_t n, char *err, size_t errlen)
{
	const struct gw_route_conf *r;
	size_t i;
	int j, rc = 0;

	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < conf->nroute && !rc; i++) {
		r = &conf->route[i];
		if (r->source[0])
			rc = conf_check_ref(conf, r, r->dir == GW_ROUTE_SIP_TO_TDM ? "peer" : "group", r->source,
					    groups, n, err, errlen);
		for (j = 0; j < r->nto && !rc; j++)
			rc = conf_check_ref(conf, r, "to", r->to[j], groups, n, err, errlen);
	}
	return rc;
}

const struct gw_peer_conf *gw_conf_peer(const struct gw_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; name && i < conf->npeer; i++)
		if (!strcmp(conf->peer[i].name, name))
			return &conf->peer[i];
	return NULL;
}

/* an address in a comparable form: IPv4 (also IPv4-mapped IPv6) as 4 bytes, IPv6 as 16; 0 or -EINVAL */
struct conf_ip {
	int len;
	unsigned char b[16];
};

static int conf_ip_parse(const char *s, struct conf_ip *ip)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->b) == 1) {
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->b) != 1)
		return -EINVAL;
	ip->len = 16;
	if (!memcmp(ip->b, mapped, sizeof(mapped))) {
		memmove(ip->b, ip->b + 12, 4);
		ip->len = 4;
	}
	return 0;
}

/* how well peer p fits the source: -1 not at all; else 2 for its certificate name, 1 for its UDP port */
static int conf_peer_score(const struct gw_peer_conf *p, int proto, const struct conf_ip *src, int port,
			   const char *cert_name)
{
	struct conf_ip ip;

	if (p->proto != proto || conf_ip_parse(p->host, &ip) < 0 || ip.len != src->len ||
	    memcmp(ip.b, src->b, (size_t)ip.len))
		return -1;
	/* over TLS the address is not enough: the client must have shown a verified certificate with
	 * the peer's name (tls-name, else its host), or it is nobody we know (and trust) */
	if (proto == GW_PROTO_TLS)
		return cert_name && !strcasecmp(p->tls_name[0] ? p->tls_name : p->host, cert_name) ? 2 : -1;
	return proto == GW_PROTO_UDP && p->port == port;
}

const struct gw_peer_conf *gw_conf_peer_by_addr(const struct gw_conf *conf, int proto, const char *ip, int port,
						const char *cert_name)
{
	const struct gw_peer_conf *best = NULL;
	struct conf_ip src;
	int score, best_score = -1;
	size_t i;

	if (!ip || conf_ip_parse(ip, &src) < 0)
		return NULL;
	for (i = 0; i < conf->npeer; i++) {
		score = conf_peer_score(&conf->peer[i], proto, &src, port, cert_name);
		if (score > best_score) {
			best = &conf->peer[i];
			best_score = score;
		}
	}
	return best;
}

const char *gw_proto_name(int proto)
{
	return proto >= 0 && proto < GW_PROTO_COUNT ? proto_names[proto] : "?";
}

int gw_proto_from_name(const char *name)
{
	return name ? ini_value_enum(name, proto_names) : -1;
}

/* the port after an address: 1 to 5 digits, 0..65535, nothing after */
static int conf_port(const char *s, int *port)
{
	long v = 0;
	int n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		if (n < 5)
			v = v * 10 + (s[n] - '0');
	if (!n || n > 5 || s[n] || v > 65535)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

int gw_conf_split_addr(const char *addr, char *ip, size_t iplen, int *port)
{
	const char *host = addr, *end, *colon;
	unsigned char buf[sizeof(struct in6_addr)];
	int af = AF_INET;
	size_t n;

	if (!addr || !ip || !iplen)
		return -EINVAL;
	if (*addr == '[') {
		host = addr + 1;
		end = strchr(host, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		colon = end + 1;
		af = AF_INET6;
	} else {
		colon = end = strrchr(addr, ':');
		if (!colon || strchr(addr, ':') != colon)
			return -EINVAL;
	}
	n = (size_t)(end - host);
	if (n >= iplen || n >= INET6_ADDRSTRLEN || conf_port(colon + 1, port) < 0)
		return -EINVAL;
	memcpy(ip, host, n);
	ip[n] = '\0';
	if (inet_pton(af, ip, buf) != 1) {
		ip[0] = '\0';
		return -EINVAL;
	}
	return 0;
}
