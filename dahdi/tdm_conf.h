/*
 * tdm_conf.h - the span sections of the gateway config file (INI).
 *
 *   [span NAME]           one span: its backend, its channels and its signalling
 *
 * The daemon adds its own sections (SIP, peers, routes) to the same file; tdm_conf reads only
 * the span sections (and, with TDM_CONF_STRICT, refuses every other section).  Every error names
 * file:line and the key.  conf/gateway.conf.sample documents every key.
 */
#ifndef TDM_CONF_H
#define TDM_CONF_H

#include <stddef.h>

#include "ini.h"

#define TDM_NAME_MAX 32
#define TDM_PATH_MAX 256
#define TDM_CHANS_MAX 64	/* B-channels per span */

enum tdm_backend {
	TDM_BACKEND_DAHDI = 0,	/* /dev/dahdi/channel, channels as dahdi_cfg numbered them */
	TDM_BACKEND_LOOPBACK,	/* joined back to back to another span (same process or a socket) */
};

enum tdm_sig {
	TDM_SIG_ISUP = 0,	/* ITU ISUP over libss7 (its own MTP2 on the signalling channel) */
	TDM_SIG_PRI,		/* Q.931 over libpri */
};

enum tdm_pri_side {
	TDM_PRI_NET = 0,
	TDM_PRI_CPE,
};

enum tdm_switch {
	TDM_SWITCH_EUROISDN = 0,	/* ETSI; diversion in DivertingLegInformation2 (EN 300 207-1) */
	TDM_SWITCH_NI2,			/* Redirecting number IE */
	TDM_SWITCH_QSIG,		/* DivertingLegInformation2 (ECMA-174) */
	TDM_SWITCH_DMS100,
	TDM_SWITCH_LUCENT5E,
	TDM_SWITCH_ATT4ESS,
	TDM_SWITCH_COUNT
};

enum tdm_hunt {
	TDM_HUNT_FIRST = 0,	/* lowest free channel */
	TDM_HUNT_LAST,		/* highest free channel (the other end of a two-way trunk hunts up) */
	TDM_HUNT_ROUND_ROBIN,	/* the next free channel after the last one used */
};

/* ISUP timers (Q.764 names); the index is the timer, values in milliseconds */
enum tdm_isup_timer {
	TDM_ISUP_T1 = 0, TDM_ISUP_T5, TDM_ISUP_T7, TDM_ISUP_T9, TDM_ISUP_T12, TDM_ISUP_T13, TDM_ISUP_T14,
	TDM_ISUP_T15, TDM_ISUP_T16, TDM_ISUP_T17, TDM_ISUP_T18, TDM_ISUP_T19, TDM_ISUP_T20, TDM_ISUP_T21,
	TDM_ISUP_T22, TDM_ISUP_T23,
	TDM_ISUP_TIMER_COUNT
};

/* Q.931 / Q.921 timers (libpri's names), milliseconds */
enum tdm_pri_timer {
	TDM_PRI_T200 = 0, TDM_PRI_T203, TDM_PRI_T303, TDM_PRI_T305, TDM_PRI_T308, TDM_PRI_T309, TDM_PRI_T310,
	TDM_PRI_T313, TDM_PRI_T316,
	TDM_PRI_TIMER_COUNT
};

/* G.711 companding law of the B-channels (ITU-T G.711): A-law in ITU networks (E1), u-law in North
 * America and Japan (T1) */
enum tdm_law {
	TDM_LAW_ALAW = 0,
	TDM_LAW_ULAW,
};

enum tdm_timer_profile {
	TDM_TIMERS_STANDARD = 0,	/* Q.764 / Q.931 values */
	TDM_TIMERS_SHORT,		/* seconds instead of minutes: for tests */
};

struct tdm_span_conf {
	char name[TDM_NAME_MAX];
	char file[TDM_PATH_MAX];	/* where it was declared, for messages */
	int line;

	int backend;			/* enum tdm_backend */
	int sig;			/* enum tdm_sig */
	char group[TDM_NAME_MAX];	/* span group calls are placed on (default: the span name) */
	int hunt;			/* enum tdm_hunt */

	/* channels: DAHDI channel numbers (dahdi_cfg's) for the dahdi backend; 1-31 on a loopback */
	int dchan;			/* signalling channel */
	int bchan[TDM_CHANS_MAX];	/* bearer channels in the order given */
	int nbchan;

	/* loopback backend */
	char peer[TDM_NAME_MAX];	/* the other span of the pair, in this process ... */
	char socket[108];		/* ... or a Unix-domain SEQPACKET socket joining two processes */
	int listen;			/* 1: this side binds and accepts, 0: it connects */
	long line_rate;			/* signalling channel pacing, bit/s; 64000 by default */

	char trace[TDM_PATH_MAX];	/* pcap file of every signalling frame sent and received, "" = off */

	/* numbering and trust, for the mapping */
	char trunk[TDM_NAME_MAX];	/* the numbering.tbl trunk (default: the span name, else "default") */
	int trusted;			/* calling numbers screened here are trusted (skip-pin from TDM) */
	int uui;			/* carry the user-to-user payload (default 1) */
	int law;			/* enum tdm_law of the B-channels; default: u-law for the North American
					 * switch types (ni2, dms100, lucent5e, 4ess), A-law otherwise */

	/* ISUP */
	unsigned int opc, dpc;		/* point codes (14-bit ITU) */
	int ni;				/* network indicator: 0 international, 2 national (default), 3 reserved-national */
	int cic_offset;			/* CIC = B-channel number + cic_offset */
	int slc;			/* signalling link code (default 0) */
	int grs_at_start;		/* send GRS for all CICs when the link comes up (default 1) */
	int isup_timer[TDM_ISUP_TIMER_COUNT];	/* ms, 0 = the profile's value */

	/* PRI */
	int pri_side;			/* enum tdm_pri_side */
	int switchtype;			/* enum tdm_switch */
	int facility;			/* send diversion as facility where the switch type uses it (default 1) */
	int pri_timer[TDM_PRI_TIMER_COUNT];	/* ms, 0 = the profile's value */

	int timer_profile;		/* enum tdm_timer_profile */
};

struct tdm_conf {
	struct tdm_span_conf *span;
	size_t nspan;
};

#define TDM_CONF_STRICT 1	/* every section must be a span section */

/* read the span sections of ini; 0, or -EINVAL with "file:line: key: why" in err */
int tdm_conf_from_ini(const struct ini *ini, int flags, struct tdm_conf *out, char *err, size_t errlen);
/* load a file: ini_load + tdm_conf_from_ini */
int tdm_conf_load(const char *path, int flags, struct tdm_conf *out, char *err, size_t errlen);
void tdm_conf_free(struct tdm_conf *conf);

const struct tdm_span_conf *tdm_conf_span(const struct tdm_conf *conf, const char *name);
/* the value of a timer after the profile (what the stacks are given) */
int tdm_conf_isup_timer(const struct tdm_span_conf *sc, int timer);
int tdm_conf_pri_timer(const struct tdm_span_conf *sc, int timer);

/* names, for logs and gwctl */
const char *tdm_conf_isup_timer_name(int timer);	/* "t7" */
const char *tdm_conf_pri_timer_name(int timer);		/* "t303" */
const char *tdm_conf_switch_name(int sw);		/* "euroisdn" */
const char *tdm_conf_sig_name(int sig);			/* "isup", "pri" */
const char *tdm_conf_backend_name(int backend);		/* "dahdi", "loopback" */
const char *tdm_conf_law_name(int law);			/* "alaw", "ulaw" */

#endif
