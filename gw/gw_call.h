/*
 * gw_call.h - a call: one SIP leg and one TDM leg joined, their events translated through the
 * mapping, routed by the [route] sections with route advance, 3xx followed, UM extensions ruled.
 *
 * States (named in logs and gwctl):  routing -> setup -> early -> answered -> releasing, and a call
 * is freed when both legs are gone.  The legs never call each other: every event of one leg arrives
 * here and becomes a request to the other (SIP 180/181/183/200 <-> ACM/CPG/ALERTING/PROGRESS/ANM/
 * CONNECT; BYE/CANCEL/errors <-> REL/DISCONNECT with Q.850 <-> SIP per the tables and RFC 3326
 * Reason headers).
 */
#ifndef GW_CALL_H
#define GW_CALL_H

#include "gw.h"
#include "sip_ua.h"
#include "tdm.h"

enum gw_call_state {
	GW_CALL_ROUTING = 0,	/* arrived, the other leg not yet placed */
	GW_CALL_SETUP,		/* the other leg placed, nothing back yet */
	GW_CALL_EARLY,		/* ringing / progress */
	GW_CALL_ANSWERED,
	GW_CALL_RELEASING,	/* one leg gone, the other being released */
	GW_CALL_STATE_COUNT
};

/* "routing", "setup", "early", "answered", "releasing" */
const char *gw_call_state_name(int state);

/* the owner callbacks of the two sides (arg is the struct gw) */
void gw_call_sip_event(void *arg, const struct sip_event *ev);
void gw_call_tdm_event(void *arg, const struct tdm_event *ev);

/* release every call (SIGTERM after the drain time, shutdown): BYE/CANCEL/REL cause 16 */
void gw_call_release_all(struct gw *gw, int cause);
/* forget every call without signalling (the legs' owners are being freed) */
void gw_call_free_all(struct gw *gw);

#endif
