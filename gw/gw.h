/*
 * gw.h - the daemon's context: configuration, mapping tables, the TDM side, the SIP side, the calls
 * joining them, the control socket and the statistics.  gwd.c builds one; gw_cmd.c serves gwctl from
 * it; gw_call.c runs the calls.
 */
#ifndef GW_H
#define GW_H

#include <stddef.h>

#include "ev.h"
#include "gw_conf.h"
#include "gw_ctl.h"
#include "map_table.h"
#include "tdm.h"
#include "tdm_conf.h"

struct sip_ua;
struct gw_ctl;
struct gw_call;

struct gw_stats {
	unsigned long sip_calls_in, tdm_calls_in;	/* calls that arrived on each side */
	unsigned long answered, failed, rejected;	/* rejected: refused before any leg was placed */
	unsigned long route_advances, advances_suppressed;	/* suppressed: no-diversion calls */
	unsigned long redirects_followed;		/* 3xx from SIP peers */
	unsigned long um_dropped;			/* Ms-* headers dropped (transport or trust) */
	unsigned long sip_rx, sip_tx, sip_bad;		/* SIP messages in, out, unparseable */
	unsigned long reloads, reload_failures;
};

struct gw {
	struct ev_loop *loop;
	char conf_file[GW_PATH_MAX];
	struct ini *ini;
	struct gw_conf conf;
	struct tdm_conf tconf;
	struct map_tables *tables;	/* current set; reload swaps in a new one */
	struct tdm *tdm;
	struct sip_ua *ua;
	struct gw_ctl *ctl;
	struct gw_call *calls;		/* list of live calls */
	size_t ncalls;
	unsigned long next_call_id;
	int rtp_cursor;			/* where the next RTP port pair is looked for */
	int draining;			/* SIGTERM: no new calls */
	int stop;			/* the loop ends when set */
	struct gw_stats stats;
};

/* what gwctl "show calls" shows of one call */
struct gw_call_info {
	unsigned long id;
	char state[16];		/* gw_call state name */
	char dir[12];		/* "sip->tdm", "tdm->sip" */
	char sip[96];		/* "udp 127.0.0.1:5070 peer um", Call-ID */
	char call_id[96];
	char tdm[48];		/* tdm_call_name, "" when no TDM leg */
	char called[40], calling[40], target[40];
	char reason[24];	/* map_reason_name, "" when not redirected */
	int cause;		/* RFC 4458 cause, 0 none */
	char sens[64];		/* Ms-Sensitivity, "" none */
	int skip_pin;
	int attempt;		/* route alternate in use, 1-based */
	unsigned long age_ms;
};

/* reload the mapping tables from conf.gw.tables (or the built-in set): the old set stays in use on
 * error; 0 or -EINVAL with "file:line: ..." in err */
int gw_reload_tables(struct gw *gw, char *err, size_t errlen);

/* live calls (at most max); the total */
size_t gw_call_list(const struct gw *gw, struct gw_call_info *out, size_t max);

/* gwctl's commands (gw_cmd.c) */
extern const struct gw_ctl_cmd gw_cmd_table[];
extern const size_t gw_cmd_count;

#endif
