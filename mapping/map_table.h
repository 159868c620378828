/*
 * map_table.h - the mapping tables of conf/tables: loading, validation and lookups.
 *
 * The file format is documented in conf/tables/README and in gwmap(1).  In short: one row per
 * line, columns separated by blanks, '#' starts a comment.  Every error names file:line and the
 * problem; a table set is only used when every file in it is valid.
 */
#ifndef MAP_TABLE_H
#define MAP_TABLE_H

#include <stddef.h>

#include "map_call.h"

#define MAP_TBL_ERR_LEN 320
#define MAP_TBL_TOKEN_LEN 24
#define MAP_TBL_MAX_CODE 699
#define MAP_TBL_SWITCHES 8
#define MAP_TBL_TRUNKS 16
#define MAP_TBL_NAME_LEN 32
#define MAP_PREFIX_LEN 8

/* reason <-> protocol code, e.g. isup-reasons.tbl */
struct map_rtable {
	char name[MAP_TBL_NAME_LEN];		/* file name without .tbl */
	int loaded;
	int min, max;				/* code range */
	int ntokens;				/* >0: codes are these tokens (RFC 5806 reasons) */
	const char *const *tokens;
	int encode[MAP_REASON_COUNT];		/* reason -> code */
	short decode[MAP_TBL_MAX_CODE + 1];	/* code -> reason, -1: no row */
	int decode_default;			/* reason for a code without a row */
};

/* number -> number with ranges, e.g. q850-to-sip.tbl */
struct map_ctable {
	char name[MAP_TBL_NAME_LEN];
	int loaded;
	int min, max;				/* key range that must be covered */
	short value[MAP_TBL_MAX_CODE + 1];	/* key -> value, 0: none */
	int dflt;				/* for keys outside min..max */
};

/* the numbering plan of one trunk (numbering.tbl) */
struct map_trunk {
	char name[MAP_TBL_NAME_LEN];
	char cc[MAP_PREFIX_LEN];	/* country code, digits */
	char natpfx[MAP_PREFIX_LEN];	/* national (trunk) prefix, "" if none */
	char intlpfx[MAP_PREFIX_LEN];	/* international prefix, "" if none */
	int nat_min, nat_max;		/* length of a national significant number; 0: any */
	int max_digits;
	int send_national;		/* E.164 numbers of our own country go out as national */
	char local_context[MAP_CONTEXT_MAX];	/* phone-context of local numbers toward SIP, "" none */
};

/* options.tbl */
struct map_options {
	int redirecting_indicator;	/* Q.763 indicator when the call was diverted (3) */
	int restricted_indicator;	/* indicator with RFC 3323 privacy (4 or 6) */
	int cdti_sensitivity;		/* enum map_sens given to ISUP "call diversion not allowed" */
	int uui;			/* carry the convention's payload across TDM */
	int sip_diversion;		/* emit Diversion toward SIP */
	int sip_history_info;		/* emit History-Info toward SIP */
};

struct map_tables {
	struct map_rtable causes;		/* RFC 4458 cause (SIP status) */
	struct map_rtable isup;			/* Q.763 redirecting reason */
	struct map_rtable isup_orig;		/* Q.763 original redirection reason */
	struct map_rtable qsig;			/* ECMA-174 DiversionReason */
	struct map_rtable etsi;			/* ETSI DiversionReason */
	struct map_rtable diversion;		/* RFC 5806 reason token */
	int nq931;
	struct map_rtable q931[MAP_TBL_SWITCHES];	/* [0] = q931-reasons.tbl, others per switch */
	struct map_ctable q850_to_sip;
	struct map_ctable sip_to_q850;
	int ntrunks;
	struct map_trunk trunk[MAP_TBL_TRUNKS];
	struct map_options opt;
};

/* one table file given by name and text (the built-in copies of conf/tables, or a file read) */
struct map_tbl_src {
	const char *name;	/* e.g. "causes.tbl" */
	const char *text;
};

extern const struct map_tbl_src map_tables_builtin[];
extern const size_t map_tables_builtin_count;

/* Load from sources; every required file must be there. 0 or -EINVAL with err = "file:line: ..." */
int map_tables_load(struct map_tables *t, const struct map_tbl_src *src, size_t n, char *err, size_t errlen);
int map_tables_load_builtin(struct map_tables *t, char *err, size_t errlen);
/* Load every *.tbl of a directory (required files must all be there) */
int map_tables_load_dir(struct map_tables *t, const char *dir, char *err, size_t errlen);

/* Lookups */
int map_rtable_encode(const struct map_rtable *rt, int reason);
/* code -> reason; *found = 0 when the table has no row and the default was used */
int map_rtable_decode(const struct map_rtable *rt, int code, int *found);
/* token tables: code index <-> token */
const char *map_rtable_token(const struct map_rtable *rt, int code);
int map_rtable_token_code(const struct map_rtable *rt, const char *token);	/* -1 if unknown */
/* true if reason -> code -> reason does not give back the same reason */
int map_rtable_lossy(const struct map_rtable *rt, int reason);
int map_ctable_lookup(const struct map_ctable *ct, int key);

const struct map_rtable *map_tables_q931(const struct map_tables *t, const char *switchtype);
const struct map_trunk *map_tables_trunk(const struct map_tables *t, const char *name);

#endif
