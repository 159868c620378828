/*
 * map_q931.h - the call model <-> Q.931 (Redirecting number IE), QSIG and ETSI diversion.
 *
 * Q.931 codepoints throughout: type of number (0 unknown, 1 international, 2 national,
 * 3 network specific, 4 subscriber, 6 abbreviated), numbering plan, presentation, screening and
 * the reason for redirection (0100 = call deflection; libpri's PRI_REDIR_DEFLECTION is 0x3, a
 * known quirk the TDM layer converts).  QSIG (ECMA-174) and ETSI (EN 300 207-1) carry the
 * diversion in DivertingLegInformation2: counter, reason, original reason (QSIG only).
 */
#ifndef MAP_Q931_H
#define MAP_Q931_H

#include <stddef.h>
#include <stdint.h>

#include "map_call.h"
#include "map_diag.h"
#include "map_table.h"
#include "map_uui.h"

/* Q.931 information element identifiers */
#define MAP_Q931_IE_CALLING_PARTY_NUMBER 0x6C
#define MAP_Q931_IE_CALLED_PARTY_NUMBER 0x70
#define MAP_Q931_IE_REDIRECTING_NUMBER 0x74
#define MAP_Q931_IE_USER_USER 0x7E

enum map_q931_proto {
	MAP_PROTO_Q931 = 0,	/* Redirecting number IE */
	MAP_PROTO_QSIG,		/* DivertingLegInformation2, ECMA-174 */
	MAP_PROTO_ETSI,		/* DivertingLegInformation2, EN 300 207-1 */
};

#define MAP_QSIG_COUNTER_MAX 15
#define MAP_ETSI_COUNTER_MAX 5

struct map_q931_number {
	int present;
	char digits[MAP_DIGITS_MAX + 1];
	int ton;	/* type of number */
	int npi;	/* numbering plan identification */
	int pres;	/* presentation indicator */
	int screen;	/* screening indicator */
};

struct map_q931 {
	int proto;			/* enum map_q931_proto */
	struct map_q931_number called, calling, redirecting, orig_called;
	int redir_present;
	int reason;			/* Q.931 reason for redirection (MAP_PROTO_Q931) */
	int div_counter;		/* QSIG/ETSI diversionCounter */
	int div_reason;			/* QSIG/ETSI diversionReason */
	int div_orig_reason;		/* QSIG originalDiversionReason, -1 absent */
	unsigned char uui[MAP_UUI_MAX + 1];
	size_t uui_len;
};

int map_q931_ton_from_nai(int nai);
int map_q931_nai_from_ton(int ton);

/* call -> Q.931/QSIG/ETSI; switchtype picks q931-reasons-<switchtype>.tbl when there is one */
int map_q931_from_call(const struct map_call *call, const struct map_tables *t, int proto, const char *switchtype,
		       struct map_q931 *out, struct map_diag *d);
int map_q931_to_call(const struct map_q931 *in, const struct map_tables *t, const char *switchtype, int trusted,
		     struct map_call *call, struct map_diag *d);

/* raw IE contents (after identifier and length); encoders return octets or -ENOSPC */
int map_q931_number_encode(const struct map_q931_number *n, int ie, int reason, uint8_t *buf, size_t len);
/* reason: out, the Redirecting number IE's octet 3b (-1 if absent) */
int map_q931_number_decode(struct map_q931_number *n, int ie, int *reason, const uint8_t *buf, size_t len);

#endif
