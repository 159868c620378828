/*
 * map_q850.h - Q.850 release causes <-> SIP final responses (RFC 3398, ITU-T Q.1912.5), over
 * q850-to-sip.tbl and sip-to-q850.tbl, with the RFC 3326 Reason header carrying the exact cause.
 */
#ifndef MAP_Q850_H
#define MAP_Q850_H

#include "map_table.h"

/* Q.850 cause (1-127) -> SIP status; causes outside 1-127 take the table's default */
int map_q850_to_sip(const struct map_tables *t, int cause);

/*
 * SIP status -> Q.850 cause.  reason: the Reason header value or NULL; "Q.850;cause=N" (RFC 3326)
 * gives the cause directly.
 */
int map_q850_from_sip(const struct map_tables *t, int status, const char *reason);

/* parse "Q.850;cause=N[;text=...]"; returns N (1-127) or -EINVAL */
int map_q850_parse_reason(const char *reason);

#endif
