/*
 * map_q850.c - Q.850 cause <-> SIP status code.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map_q850.h"

int map_q850_to_sip(const struct map_tables *t, int cause)
{
	return map_ctable_lookup(&t->q850_to_sip, cause);
}

int map_q850_parse_reason(const char *reason)
{
	const char *p;
	char *end;
	long v;

	if (!reason)
		return -EINVAL;
	while (isspace((unsigned char)*reason))
		reason++;
	if (strncasecmp(reason, "Q.850", 5) || (reason[5] != ';' && !isspace((unsigned char)reason[5])))
		return -EINVAL;
	for (p = reason + 5; (p = strchr(p, ';')); p++) {
		while (isspace((unsigned char)p[1]))
			p++;
		if (strncasecmp(p + 1, "cause", 5))
			continue;
		p += 6;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != '=')
			return -EINVAL;
		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		v = strtol(p, &end, 10);
		if (v < 1 || v > 127 || (*end && *end != ';' && !isspace((unsigned char)*end)))
			return -EINVAL;
		return (int)v;
	}
	return -EINVAL;
}

int map_q850_from_sip(const struct map_tables *t, int status, const char *reason)
{
	int cause = map_q850_parse_reason(reason);

	if (cause > 0)
		return cause;
	return map_ctable_lookup(&t->sip_to_q850, status);
}
