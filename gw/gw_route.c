/*
 * gw_route.c - routing decisions over the [route] sections: which route a call takes, which outcome
 * class a failure falls in, whether the next alternate is tried and with which RFC 4458 cause.
 *
 * Outcome classes: Q.850 causes (ITU-T Q.850 Table 1) and SIP statuses (RFC 3261 21) in tables; a
 * cause or status not listed is a "failure".  Pilot causes: RFC 4458 3.2 (486 busy, 408 no reply,
 * 503 unavailable, 480 unconditional / other).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "gw_route.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct route_class {
	int code;
	int outcome;	/* enum gw_adv bit */
};

static const struct route_class q850_classes[] = {
	{ 17, GW_ADV_BUSY },		/* user busy */
	{ 18, GW_ADV_NO_ANSWER },	/* no user responding */
	{ 19, GW_ADV_NO_ANSWER },	/* no answer from user (user alerted) */
	{ 102, GW_ADV_NO_ANSWER },	/* recovery on timer expiry */
	{ 34, GW_ADV_CONGESTION },	/* no circuit/channel available */
	{ 38, GW_ADV_CONGESTION },	/* network out of order */
	{ 41, GW_ADV_CONGESTION },	/* temporary failure */
	{ 42, GW_ADV_CONGESTION },	/* switching equipment congestion */
	{ 44, GW_ADV_CONGESTION },	/* requested circuit/channel not available */
	{ 47, GW_ADV_CONGESTION },	/* resource unavailable, unspecified */
};

static const struct route_class sip_classes[] = {
	{ 486, GW_ADV_BUSY },		/* Busy Here */
	{ 600, GW_ADV_BUSY },		/* Busy Everywhere */
	{ 408, GW_ADV_NO_ANSWER },	/* Request Timeout */
	{ 480, GW_ADV_NO_ANSWER },	/* Temporarily Unavailable */
	{ 500, GW_ADV_CONGESTION },	/* Server Internal Error */
	{ 502, GW_ADV_CONGESTION },	/* Bad Gateway */
	{ 503, GW_ADV_CONGESTION },	/* Service Unavailable */
	{ 504, GW_ADV_CONGESTION },	/* Server Time-out */
};

/* outcome names (the advance key's words) and the RFC 4458 cause of a diversion after them */
static const struct {
	int outcome;
	const char *name;
	int pilot_cause;
} route_outcomes[] = {
	{ GW_ADV_BUSY, "busy", 486 },
	{ GW_ADV_NO_ANSWER, "no-answer", 408 },
	{ GW_ADV_CONGESTION, "congestion", 503 },
	{ GW_ADV_FAILURE, "failure", 480 },
};

/* the rank of a matching route: prefix length first, then a named source; -1 when it does not match */
static int route_rank(const struct gw_route_conf *r, int dir, const char *source, const char *called)
{
	size_t plen = strlen(r->prefix);

	if (r->dir != dir || strncmp(called, r->prefix, plen))
		return -1;
	if (!r->source[0])
		return (int)plen * 2;
	return strcmp(source, r->source) ? -1 : (int)plen * 2 + 1;
}

const struct gw_route_conf *gw_route_match(const struct gw_conf *conf, int dir, const char *source,
					   const char *called)
{
	const struct gw_route_conf *best = NULL;
	int rank, best_rank = -1;
	size_t i;

	if (!conf)
		return NULL;
	for (i = 0; i < conf->nroute; i++) {
		rank = route_rank(&conf->route[i], dir, source ? source : "", called ? called : "");
		if (rank > best_rank) {
			best = &conf->route[i];
			best_rank = rank;
		}
	}
	return best;
}

static int route_classify(const struct route_class *tab, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].code == code)
			return tab[i].outcome;
	return GW_ADV_FAILURE;
}

int gw_route_outcome_q850(int cause)
{
	return route_classify(q850_classes, NELEM(q850_classes), cause);
}

/* below 300 is not a failure: 0 */
int gw_route_outcome_sip(int status)
{
	if (status < 300)
		return 0;
	return route_classify(sip_classes, NELEM(sip_classes), status);
}

int gw_route_advance(const struct gw_route_conf *route, int next, int outcome, int no_diversion)
{
	if (!route || no_diversion || next < 1 || next > route->nto)
		return 0;
	return (route->advance & outcome) != 0;
}

int gw_route_pilot_cause(int outcome)
{
	size_t i;

	for (i = 0; i < NELEM(route_outcomes); i++)
		if (route_outcomes[i].outcome == outcome)
			return route_outcomes[i].pilot_cause;
	return 480;
}

const char *gw_route_outcome_name(int outcome)
{
	size_t i;

	for (i = 0; i < NELEM(route_outcomes); i++)
		if (route_outcomes[i].outcome == outcome)
			return route_outcomes[i].name;
	return "?";
}

/* the outcome bit of one word of an advance list (n characters at s), 0 if none */
static int route_outcome_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(route_outcomes); i++)
		if (strlen(route_outcomes[i].name) == n && !strncasecmp(s, route_outcomes[i].name, n))
			return route_outcomes[i].outcome;
	return 0;
}

/* "busy, no-answer" or "none"; a word twice, an empty word or "none" in a list is an error */
int gw_route_parse_advance(const char *list, int *bits)
{
	const char *s = list, *end;
	size_t n;
	int bit, v = 0;

	if (!list || !bits)
		return -EINVAL;
	if (!strcasecmp(list, "none")) {
		*bits = 0;
		return 0;
	}
	for (;; s = end + 1) {
		s += strspn(s, " \t");
		end = s + strcspn(s, ",");
		for (n = (size_t)(end - s); n && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
			;
		bit = route_outcome_word(s, n);
		if (!bit || (v & bit))
			return -EINVAL;
		v |= bit;
		if (!*end)
			break;
	}
	*bits = v;
	return 0;
}
