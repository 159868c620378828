/*
 * map_call.h - the gateway's one internal model of a call's addressing.
 *
 * Everything the SIP side (RFC 4458 Request-URI, RFC 5806 Diversion, RFC 7044 History-Info,
 * RFC 3323 Privacy, [MS-OCEXUM] headers) and the TDM side (ISUP Q.763, Q.931, QSIG/ETSI
 * diversion) know about called, calling and redirecting parties is held here.  Codepoints:
 *   nature of address: ISUP Q.763 NAI (1 subscriber, 2 unknown, 3 national, 4 international)
 *   numbering plan:    Q.763/Q.931 (1 ISDN/E.164, 0 unknown, 9 private)
 *   presentation:      0 allowed, 1 restricted, 2 not available (Q.763 APRI = Q.931 octet 3a)
 *   screening:         0 user provided not verified, 1 user provided verified and passed,
 *                      2 user provided verified and failed, 3 network provided
 *   redirection:       Q.763 3.45 (indicator 0-6, reason 0-6, original reason 0-3, counter 1-15)
 */
#ifndef MAP_CALL_H
#define MAP_CALL_H

#include <stddef.h>

#define MAP_DIGITS_MAX 32	/* storage; protocol limits are checked by map_number */
#define MAP_SENS_RAW_MAX 64
#define MAP_CONTEXT_MAX 64

/* ISUP nature of address indicator (Q.763 3.9) */
enum map_nai {
	MAP_NAI_SUBSCRIBER = 1,
	MAP_NAI_UNKNOWN = 2,
	MAP_NAI_NATIONAL = 3,
	MAP_NAI_INTERNATIONAL = 4,
};

enum map_npi {
	MAP_NPI_UNKNOWN = 0,
	MAP_NPI_E164 = 1,
	MAP_NPI_PRIVATE = 9,
};

enum map_pres {
	MAP_PRES_ALLOWED = 0,
	MAP_PRES_RESTRICTED = 1,
	MAP_PRES_NOT_AVAILABLE = 2,
};

enum map_screen {
	MAP_SCREEN_USER_NOT_VERIFIED = 0,
	MAP_SCREEN_USER_PASSED = 1,
	MAP_SCREEN_USER_FAILED = 2,
	MAP_SCREEN_NETWORK = 3,
};

/*
 * The abstract redirecting reason: the seven Q.732.2-5 reasons of RFC 4458.  The numeric values
 * are the ISUP redirecting reason codepoints (Q.763 3.45); the mapping to every protocol still
 * goes through the tables in conf/tables.
 */
enum map_reason {
	MAP_REASON_UNKNOWN = 0,
	MAP_REASON_USER_BUSY = 1,
	MAP_REASON_NO_REPLY = 2,
	MAP_REASON_UNCONDITIONAL = 3,
	MAP_REASON_DEFLECTION_ALERTING = 4,
	MAP_REASON_DEFLECTION_IMMEDIATE = 5,
	MAP_REASON_NOT_REACHABLE = 6,
	MAP_REASON_COUNT
};

/* Ms-Sensitivity values ([MS-SIPRE]); NONE = header absent, UNKNOWN = a value we do not know */
enum map_sens {
	MAP_SENS_NONE = 0,
	MAP_SENS_NORMAL,
	MAP_SENS_PRIVATE,
	MAP_SENS_NORMAL_NO_DIVERSION,
	MAP_SENS_PRIVATE_NO_DIVERSION,
	MAP_SENS_UNKNOWN,
	MAP_SENS_COUNT
};

/* RFC 3323 privacy values, as a bit set */
enum map_privacy {
	MAP_PRIV_HEADER = 1 << 0,
	MAP_PRIV_SESSION = 1 << 1,
	MAP_PRIV_USER = 1 << 2,
	MAP_PRIV_ID = 1 << 3,	/* RFC 3325 */
	MAP_PRIV_HISTORY = 1 << 4,	/* RFC 7044 */
	MAP_PRIV_CRITICAL = 1 << 5,
	MAP_PRIV_NONE = 1 << 6,
};

/* ISUP call diversion treatment indicators, "call to be diverted" (Q.763 3.72) */
enum map_cdti {
	MAP_CDTI_NO_INDICATION = 0,
	MAP_CDTI_ALLOWED = 1,
	MAP_CDTI_NOT_ALLOWED = 2,
};

struct map_number {
	int present;
	char digits[MAP_DIGITS_MAX + 1];	/* address signals only: 0-9, and * # where allowed */
	int nai;	/* enum map_nai */
	int npi;	/* enum map_npi */
	int pres;	/* enum map_pres */
	int screen;	/* enum map_screen */
};

struct map_redir {
	int present;		/* the call was redirected */
	int indicator;		/* Q.763 redirecting indicator 0-6 */
	int reason;		/* enum map_reason */
	int orig_reason;	/* enum map_reason, -1 = not known (derived); ISUP codes 0-3 only */
	int counter;		/* 1.. (ISUP 1-5, QSIG 1-15, ETSI 1-5) */
	int cause;		/* RFC 4458 cause (SIP status code) when known exactly, else 0 */
	int no_cause;		/* RFC 4458 target without cause (e.g. message retrieval): none to send */
};

struct map_um {
	int skip_pin;			/* Ms-Exchange-Command: skip-pin */
	int sens;			/* enum map_sens */
	char sens_raw[MAP_SENS_RAW_MAX];	/* the value as received when sens == MAP_SENS_UNKNOWN */
};

struct map_call {
	struct map_number called;	/* the voicemail pilot / the dialled party */
	struct map_number calling;
	struct map_number redirecting;	/* last diverting party (RFC 4458 target) */
	struct map_number original_called;	/* first diverting party */
	struct map_redir redir;
	int calling_verified;		/* the calling number may be asserted (P-Asserted-Identity): from
					 * a trusted peer or trunk, network screened */
	int privacy;			/* enum map_privacy bits */
	int cdti;			/* enum map_cdti */
	struct map_um um;
};

void map_call_init(struct map_call *call);

/* true when no forwarding may be applied to this call (Ms-Sensitivity *-no-diversion, CDTI) */
int map_call_no_diversion(const struct map_call *call);
/* true for the Ms-Sensitivity values that forbid diversion */
int map_call_no_diversion_sens(int sens);

/* name tables: every enum prints as a name in logs */
const char *map_reason_name(int reason);
int map_reason_from_name(const char *name);	/* -1 if unknown */
const char *map_sens_name(int sens);
int map_sens_from_name(const char *name);	/* case-insensitive; MAP_SENS_UNKNOWN if unknown */
const char *map_nai_name(int nai);

#endif
