/*
 * map_number.c - telephone numbers: RFC 3966 telephone-subscriber <-> digits + NAI.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "map_number.h"

#define SUB_MAX 256
#define E164_MAX 15

static int number_err(struct map_diag *d, const char *what, const char *sub, const char *why)
{
	map_diag_add(d, MAP_DIAG_ERROR, "%s '%.80s': %s", what, sub, why);
	return -EINVAL;
}

static int is_visual(int c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/* the address signals text[start, end) of a field's text, quoted whole in errors */
struct digits_src {
	const char *text;
	size_t start, end;
};

/* copy address signals, dropping visual separators; global numbers take digits only */
static int number_digits(char *out, size_t outlen, const struct digits_src *src, int global, const char *what,
			 struct map_diag *d)
{
	const char *s = src->text;
	size_t i, n = 0;
	char why[80];

	for (i = src->start; i < src->end; i++) {
		int c = (unsigned char)s[i];

		if (is_visual(c))
			continue;
		if (!isdigit(c) && (global || (c != '*' && c != '#'))) {
			snprintf(why, sizeof(why), "invalid character '%c' at position %zu", isprint(c) ? c : '?', i + 1);
			return number_err(d, what, s, why);
		}
		if (n + 1 >= outlen)
			return number_err(d, what, s, "too many digits");
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (!n)
		return number_err(d, what, s, "no digits");
	return 0;
}

static int starts_with(const char *s, const char *pfx)
{
	return *pfx && !strncmp(s, pfx, strlen(pfx)) && strlen(s) > strlen(pfx);
}

/* classify a global (+) number: international, or national on a trunk that sends national */
static void number_global(struct map_number *n, const struct map_trunk *tr)
{
	n->nai = MAP_NAI_INTERNATIONAL;
	if (tr && tr->send_national && starts_with(n->digits, tr->cc)) {
		memmove(n->digits, n->digits + strlen(tr->cc), strlen(n->digits) - strlen(tr->cc) + 1);
		n->nai = MAP_NAI_NATIONAL;
	}
}

static int national_length(const struct map_trunk *tr, size_t len)
{
	return !tr->nat_min || (len >= (size_t)tr->nat_min && len <= (size_t)tr->nat_max);
}

/*
 * What a dialled string means under the trunk's prefixes: MAP_NAI_INTERNATIONAL or
 * MAP_NAI_NATIONAL with *skip = the prefix length, else MAP_NAI_UNKNOWN.  A national prefix counts
 * only when the rest has a national number's length (NANP "1002" is an extension, not "002").
 */
static int number_prefix(const char *digits, const struct map_trunk *tr, size_t *skip)
{
	size_t len = strlen(digits), rest;

	if (!tr || strspn(digits, "0123456789") != len)
		return MAP_NAI_UNKNOWN;	/* service codes with * or # are never national or international */
	if (starts_with(digits, tr->intlpfx) && len - strlen(tr->intlpfx) <= 15) {
		*skip = strlen(tr->intlpfx);
		return MAP_NAI_INTERNATIONAL;
	}
	rest = len - strlen(tr->natpfx);
	if (starts_with(digits, tr->natpfx) && national_length(tr, rest)) {
		*skip = strlen(tr->natpfx);
		return MAP_NAI_NATIONAL;
	}
	return MAP_NAI_UNKNOWN;
}

/* classify a local number by the trunk's dialling prefixes */
static void number_local(struct map_number *n, const struct map_trunk *tr)
{
	size_t skip = 0;

	n->nai = number_prefix(n->digits, tr, &skip);
	memmove(n->digits, n->digits + skip, strlen(n->digits) - skip + 1);
}

/* parameters after the number: phone-context kept, isub/ext/unknown reported */
static int number_params(const char *p, char *ctx, size_t ctxlen, const char *what, const char *sub,
			 struct map_diag *d)
{
	int seen = 0;

	ctx[0] = '\0';
	while (p && *p == ';') {
		const char *end = strchr(p + 1, ';');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);

		if (len >= 14 && !strncasecmp(p + 1, "phone-context=", 14)) {
			if (seen++)
				return number_err(d, what, sub, "duplicated phone-context");
			if (len - 14 >= ctxlen || len == 14)
				return number_err(d, what, sub, "bad phone-context");
			memcpy(ctx, p + 15, len - 14);
			ctx[len - 14] = '\0';
		} else if (len) {
			map_diag_add(d, MAP_DIAG_NOTE, "%s: parameter '%.*s' not mapped to TDM", what, (int)len, p + 1);
		}
		p = end;
	}
	return 0;
}

int map_number_parse(struct map_number *n, const char *sub, const struct map_trunk *tr, const char *what,
		     struct map_diag *d)
{
	char ctx[MAP_CONTEXT_MAX], local[MAP_DIGITS_MAX + 1], cc[MAP_DIGITS_MAX + 1];
	struct digits_src src;
	const char *semi;
	size_t len, max;
	int global, ret;

	if (!sub || !*sub)
		return number_err(d, what, "", "empty number");
	if (strlen(sub) > SUB_MAX)
		return number_err(d, what, sub, "longer than 256 characters");
	semi = strchr(sub, ';');
	len = semi ? (size_t)(semi - sub) : strlen(sub);
	ret = number_params(semi, ctx, sizeof(ctx), what, sub, d);
	if (ret < 0)
		return ret;
	global = sub[0] == '+';
	src = (struct digits_src){ sub, (size_t)global, len };
	ret = number_digits(local, sizeof(local), &src, global, what, d);
	if (ret < 0)
		return ret;
	n->present = 1;
	n->npi = MAP_NPI_E164;
	if (!global && ctx[0] == '+') {
		/* local number in a global context: the context's digits come first (RFC 3966 5.1.5) */
		src = (struct digits_src){ ctx, 1, strlen(ctx) };
		ret = number_digits(cc, sizeof(cc), &src, 1, what, d);
		if (ret < 0)
			return ret;
		if (strlen(cc) + strlen(local) > MAP_DIGITS_MAX)
			return number_err(d, what, sub, "too many digits");
		memcpy(n->digits, cc, strlen(cc));
		memcpy(n->digits + strlen(cc), local, strlen(local) + 1);
		global = 1;
	} else {
		snprintf(n->digits, sizeof(n->digits), "%s", local);
		if (!global && ctx[0])
			map_diag_add(d, MAP_DIAG_NOTE, "%s: phone-context '%s' is a domain: number kept as dialled",
				     what, ctx);
	}
	if (global && strlen(n->digits) > E164_MAX)
		return number_err(d, what, sub, "longer than the 15 digits of E.164");
	if (global)
		number_global(n, tr);
	else if (ctx[0])
		n->nai = MAP_NAI_UNKNOWN;	/* a private context: prefixes mean nothing there */
	else
		number_local(n, tr);
	max = tr ? (size_t)tr->max_digits : MAP_DIGITS_MAX;
	if (strlen(n->digits) > max) {
		char why[160];

		snprintf(why, sizeof(why), "%zu digits, trunk '%s' takes at most %zu", strlen(n->digits),
			 tr ? tr->name : "-", max);
		return number_err(d, what, sub, why);
	}
	return 0;
}

int map_number_parse_tel(struct map_number *n, const char *uri, const struct map_trunk *tr, const char *what,
			 struct map_diag *d)
{
	if (!uri || strncasecmp(uri, "tel:", 4))
		return number_err(d, what, uri ? uri : "", "not a tel: URI");
	if (strchr(uri, '%'))
		return number_err(d, what, uri, "escaped characters in a tel: URI");
	return map_number_parse(n, uri + 4, tr, what, d);
}

int map_number_set_digits(struct map_number *n, const char *digits, int nai, const char *what,
			  struct map_diag *d)
{
	char buf[MAP_DIGITS_MAX + 2];
	struct digits_src src;
	size_t len;
	int ret;

	if (!digits || !*digits)
		return number_err(d, what, "", "empty number");
	len = strlen(digits);
	if (len > MAP_DIGITS_MAX + 1)
		return number_err(d, what, digits, "too many digits");
	memcpy(buf, digits, len + 1);
	if (len > 1 && buf[len - 1] == '#')	/* ITU end-of-pulsing (ST) signal */
		buf[--len] = '\0';
	src = (struct digits_src){ buf, 0, len };
	ret = number_digits(n->digits, sizeof(n->digits), &src, 0, what, d);
	if (ret < 0)
		return ret;
	if (nai < 1 || nai > 127)
		return number_err(d, what, digits, "nature of address out of range 1-127");
	n->nai = nai;
	n->present = 1;
	if ((nai == MAP_NAI_INTERNATIONAL || nai == MAP_NAI_NATIONAL) && len > 15)
		return number_err(d, what, digits, "longer than the 15 digits of E.164");
	if ((nai == MAP_NAI_INTERNATIONAL || nai == MAP_NAI_NATIONAL) && strspn(n->digits, "0123456789") != len)
		return number_err(d, what, digits, "national/international number with * or #");
	return 0;
}

int map_number_from_tdm(struct map_number *n, const struct map_number *raw, const char *what, struct map_diag *d)
{
	int ret;

	if (!raw->present || !raw->digits[0])
		return 0;
	ret = map_number_set_digits(n, raw->digits, raw->nai, what, d);
	if (ret < 0)
		return ret;
	n->npi = raw->npi;
	n->pres = raw->pres;
	if (raw->pres == 3) {
		n->pres = MAP_PRES_RESTRICTED;
		map_diag_add(d, MAP_DIAG_NOTE, "%s: presentation indicator 3 read as restricted", what);
	}
	n->screen = raw->screen;
	return 0;
}

int map_number_to_sip(const struct map_number *n, const struct map_trunk *tr, char *buf, size_t len)
{
	const char *cc = tr ? tr->cc : "";
	size_t skip = 0, pfx = 0;
	int r, nai = n->nai;

	if (nai == MAP_NAI_UNKNOWN)	/* dialled with the trunk's prefixes, as the PBX would */
		nai = number_prefix(n->digits, tr, &skip);
	else if (nai == MAP_NAI_NATIONAL && tr && !national_length(tr, strlen(n->digits)) &&
		 number_prefix(n->digits, tr, &pfx) == MAP_NAI_NATIONAL)
		skip = pfx;	/* a national number sent with its trunk prefix: the prefix is dropped */
	if (nai == MAP_NAI_INTERNATIONAL)
		r = snprintf(buf, len, "+%s", n->digits + skip);
	else if (nai == MAP_NAI_NATIONAL && *cc)
		r = snprintf(buf, len, "+%s%s", cc, n->digits + skip);
	else if (tr && tr->local_context[0])
		r = snprintf(buf, len, "%s;phone-context=%s", n->digits, tr->local_context);
	else
		r = snprintf(buf, len, "%s", n->digits);
	return (r < 0 || (size_t)r >= len) ? -ENOSPC : 0;
}
