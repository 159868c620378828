/*
 * map_call.c - the call addressing model: initialisation and name tables.
 */
#include <string.h>
#include <strings.h>

#include "map_call.h"

static const char *const reason_names[MAP_REASON_COUNT] = {
	[MAP_REASON_UNKNOWN] = "unknown",
	[MAP_REASON_USER_BUSY] = "user-busy",
	[MAP_REASON_NO_REPLY] = "no-reply",
	[MAP_REASON_UNCONDITIONAL] = "unconditional",
	[MAP_REASON_DEFLECTION_ALERTING] = "deflection-alerting",
	[MAP_REASON_DEFLECTION_IMMEDIATE] = "deflection-immediate",
	[MAP_REASON_NOT_REACHABLE] = "not-reachable",
};

static const char *const sens_names[MAP_SENS_COUNT] = {
	[MAP_SENS_NONE] = "none",
	[MAP_SENS_NORMAL] = "normal",
	[MAP_SENS_PRIVATE] = "private",
	[MAP_SENS_NORMAL_NO_DIVERSION] = "normal-no-diversion",
	[MAP_SENS_PRIVATE_NO_DIVERSION] = "private-no-diversion",
	[MAP_SENS_UNKNOWN] = "unknown",
};

static void number_init(struct map_number *n)
{
	memset(n, 0, sizeof(*n));
	n->nai = MAP_NAI_UNKNOWN;
	n->npi = MAP_NPI_E164;
	n->pres = MAP_PRES_ALLOWED;
	n->screen = MAP_SCREEN_USER_NOT_VERIFIED;
}

void map_call_init(struct map_call *call)
{
	memset(call, 0, sizeof(*call));
	number_init(&call->called);
	number_init(&call->calling);
	number_init(&call->redirecting);
	number_init(&call->original_called);
	call->redir.reason = MAP_REASON_UNKNOWN;
	call->redir.orig_reason = -1;	/* not known: derived from the reason */
}

int map_call_no_diversion_sens(int sens)
{
	return sens == MAP_SENS_NORMAL_NO_DIVERSION || sens == MAP_SENS_PRIVATE_NO_DIVERSION;
}

int map_call_no_diversion(const struct map_call *call)
{
	return map_call_no_diversion_sens(call->um.sens) || call->cdti == MAP_CDTI_NOT_ALLOWED;
}

const char *map_reason_name(int reason)
{
	if (reason < 0 || reason >= MAP_REASON_COUNT)
		return "invalid";
	return reason_names[reason];
}

int map_reason_from_name(const char *name)
{
	int i;

	for (i = 0; i < MAP_REASON_COUNT; i++)
		if (!strcmp(name, reason_names[i]))
			return i;
	return -1;
}

const char *map_sens_name(int sens)
{
	if (sens < 0 || sens >= MAP_SENS_COUNT)
		return "invalid";
	return sens_names[sens];
}

int map_sens_from_name(const char *name)
{
	int i;

	/* [MS-SIPRE] values are tokens; ABNF literals are case-insensitive */
	for (i = MAP_SENS_NORMAL; i <= MAP_SENS_PRIVATE_NO_DIVERSION; i++)
		if (!strcasecmp(name, sens_names[i]))
			return i;
	return MAP_SENS_UNKNOWN;
}

const char *map_nai_name(int nai)
{
	switch (nai) {
	case MAP_NAI_SUBSCRIBER:
		return "subscriber";
	case MAP_NAI_UNKNOWN:
		return "unknown";
	case MAP_NAI_NATIONAL:
		return "national";
	case MAP_NAI_INTERNATIONAL:
		return "international";
	default:
		return "other";
	}
}
