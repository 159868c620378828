/*
 * map_kv.h - the TDM side as "key=value" lines: what gwmap prints for sip2tdm and reads for
 * tdm2sip.  Every key is listed in gwmap(1).  Numeric codepoints are printed as numbers, raw
 * parameters as contiguous lowercase hex (contents only, no code or length).
 */
#ifndef MAP_KV_H
#define MAP_KV_H

#include <stdint.h>
#include <stdio.h>

#include "map_call.h"
#include "map_diag.h"
#include "map_isup.h"
#include "map_q931.h"

#define MAP_KV_MAX 64
#define MAP_KV_KEY 48
#define MAP_KV_VAL 300

struct map_kv {
	int n;
	struct {
		char key[MAP_KV_KEY];
		char val[MAP_KV_VAL];
		int line;
		int used;
	} e[MAP_KV_MAX];
};

/* parse lines "key=value" ('#' comments, blank lines allowed); file names the input in errors */
int map_kv_parse(struct map_kv *kv, const char *text, const char *file, struct map_diag *d);

/* key=value input -> protocol values (raw hex keys win over decoded keys); unknown keys are errors */
int map_kv_to_isup(struct map_kv *kv, const char *file, struct map_isup *out, struct map_diag *d);
int map_kv_to_q931(struct map_kv *kv, const char *file, int proto, struct map_q931 *out, struct map_diag *d);

/* print the TDM side of a call */
void map_kv_print_isup(FILE *fp, const struct map_call *call, const struct map_isup *p);
/* isup_view: the same call in ISUP codepoints, for the redirection.* keys */
void map_kv_print_q931(FILE *fp, const struct map_call *call, const struct map_q931 *q,
		       const struct map_isup *isup_view);

/* contiguous lowercase hex */
void map_kv_hex(char *out, size_t outlen, const uint8_t *buf, size_t len);

#endif
