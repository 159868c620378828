/*
 * gw_route.h - routing decisions over the [route] sections: pure functions, no sockets, no spans.
 *
 * A SIP request goes to the span groups of the first matching "from = sip" route; a TDM call to the
 * peers of the first matching "from = tdm" route.  Matching: the longest prefix of the called number
 * wins; among equal prefixes a route naming the source (peer or span group) beats one that names
 * none; then file order.  Route advance: when an attempt fails before answer with an outcome the
 * route lists in "advance", the next alternate is tried, unless the call forbids diversion
 * (Ms-Sensitivity *-no-diversion, ISUP call diversion not allowed), in which case the failure goes
 * back to the caller.
 */
#ifndef GW_ROUTE_H
#define GW_ROUTE_H

#include "gw_conf.h"

/* the route for a call: dir (enum gw_route_dir), source = peer name (sip) or span group (tdm), or
 * NULL/"" when unknown; called = digits.  NULL when none matches. */
const struct gw_route_conf *gw_route_match(const struct gw_conf *conf, int dir, const char *source,
					   const char *called);

/* the outcome class (enum gw_adv bit) of a failure: of a Q.850 cause from TDM, of a SIP status from
 * SIP; GW_ADV_FAILURE for a code not listed, 0 for a SIP status below 300 (not a failure) */
int gw_route_outcome_q850(int cause);
int gw_route_outcome_sip(int status);

/*
 * Whether to try alternate number next (1-based index into route->to) after a failure of class
 * outcome (enum gw_adv bit): 1 yes, 0 no.  no_diversion: the call forbids rerouting.
 */
int gw_route_advance(const struct gw_route_conf *route, int next, int outcome, int no_diversion);

/* the RFC 4458 cause (SIP status) given to a diversion to the route's pilot after outcome */
int gw_route_pilot_cause(int outcome);

/* names of the outcome bits, "busy" ...; "advance = busy, no-answer" parsing (-EINVAL) */
const char *gw_route_outcome_name(int outcome);
int gw_route_parse_advance(const char *list, int *bits);

#endif
