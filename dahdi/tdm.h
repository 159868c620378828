/*
 * tdm.h - the TDM side of the gateway, as the call layer sees it: spans grouped by name, calls
 * placed and received in the mapping's call model, circuit state, maintenance.
 *
 * A call placed with tdm_call_place goes out on a free circuit of the group's spans (hunting per
 * span: first, last or round robin) as an ISUP IAM (libss7) or a Q.931 SETUP (libpri), carrying the
 * called, calling and redirecting parties, the redirection information (counter 1 unless more is
 * known), the call diversion treatment indicator and the user-to-user payload (opaque bytes, carried
 * in ISUP 0x20 / the Q.931 User-user IE).  Incoming calls arrive in the same model.
 *
 * Events reach the owner through one callback.  TDM_EV_RELEASE is the last event of a call: after
 * the callback returns, the call belongs to the TDM layer, which completes the release (RLC, RELEASE
 * COMPLETE) and frees it.  A call the owner releases with tdm_call_release gets no further event.
 */
#ifndef TDM_H
#define TDM_H

#include <stddef.h>

#include "ev.h"
#include "map_call.h"
#include "map_table.h"
#include "map_uui.h"
#include "tdm_conf.h"

struct tdm;
struct tdm_call;

/* a call's addressing and the opaque user-to-user payload */
struct tdm_setup {
	struct map_call call;
	unsigned char uui[MAP_UUI_MAX];
	size_t uui_len;
	int screened;		/* incoming: the network's verdict on call.calling (ISUP network provided,
				 * Q.931 verified and passed or network provided) */
	int trusted;		/* incoming: the span is marked trusted */
};

enum tdm_ev_type {
	TDM_EV_SETUP = 0,	/* incoming call (ev->setup); answer it with tdm_call_progress/alert/answer/release */
	TDM_EV_PROCEEDING,	/* outgoing: the far end has the call (Q.931 CALL PROCEEDING) */
	TDM_EV_PROGRESS,	/* outgoing: ACM without alerting, CPG progress, Q.931 PROGRESS (ev->inband) */
	TDM_EV_ALERTING,	/* outgoing: ACM subscriber free, CPG alerting, Q.931 ALERTING (ev->inband) */
	TDM_EV_FORWARDED,	/* outgoing: ACM/CPG "call is being forwarded" (SIP 181) */
	TDM_EV_ANSWER,		/* outgoing: ANM/CON, Q.931 CONNECT */
	TDM_EV_RELEASE,		/* the far end released, or the call failed (ev->cause, Q.850); last event */
	TDM_EV_LINK,		/* a span's signalling link went up or down (ev->span, ev->up) */
	TDM_EV_COUNT
};

struct tdm_event {
	int type;			/* enum tdm_ev_type */
	struct tdm_call *call;		/* NULL for TDM_EV_LINK */
	void *user;			/* the call's owner pointer */
	const struct tdm_setup *setup;	/* TDM_EV_SETUP */
	int cause;			/* TDM_EV_RELEASE: Q.850 cause */
	int inband;			/* in-band information available (early media) */
	const char *span;		/* the span's name */
	int up;				/* TDM_EV_LINK */
};

typedef void (*tdm_event_cb)(void *arg, const struct tdm_event *ev);

/*
 * Start every span of conf on loop: open the spans (span_open_all) and their signalling.  tables are
 * used to build and read the protocol parameters; the caller keeps them alive (tdm_set_tables
 * switches to new ones, e.g. on reload).  -ENODEV, -EINVAL, -errno with err set.
 */
int tdm_new(struct ev_loop *loop, const struct tdm_conf *conf, const struct map_tables *tables, tdm_event_cb cb,
	    void *arg, struct tdm **out, char *err, size_t errlen);
/* stop everything at once (calls are dropped without signalling; use tdm_drain first to be polite) */
void tdm_free(struct tdm *tdm);
void tdm_set_tables(struct tdm *tdm, const struct map_tables *tables);
/* number of calls not yet freed */
size_t tdm_call_count(const struct tdm *tdm);

/*
 * Place a call on a span group.  0 with *out set; -ENOENT (no such group), -EBUSY (no free circuit:
 * Q.850 cause 34), -ENETDOWN (no span of the group has its link up: cause 38), -EINVAL.
 */
int tdm_call_place(struct tdm *tdm, const char *group, const struct tdm_setup *setup, void *user,
		   struct tdm_call **out);
/*
 * Answering an incoming call: -EINVAL on an outgoing call (nothing is sent backwards), -EALREADY once
 * answered or released (no second ANM/CONNECT), -ENOTSUP where the protocol has no such message.
 */
int tdm_call_proceeding(struct tdm_call *call);			/* incoming: CALL PROCEEDING (PRI) */
int tdm_call_progress(struct tdm_call *call, int inband);	/* incoming: ACM / CPG / PROGRESS */
int tdm_call_alert(struct tdm_call *call, int inband);		/* incoming: ACM subscriber free / ALERTING */
int tdm_call_forwarded(struct tdm_call *call);			/* incoming: CPG call is being forwarded */
int tdm_call_answer(struct tdm_call *call);			/* incoming: ANM / CONNECT */
int tdm_call_release(struct tdm_call *call, int cause);		/* REL / DISCONNECT; no more events */

void tdm_call_set_user(struct tdm_call *call, void *user);
void *tdm_call_user(const struct tdm_call *call);
const char *tdm_call_span(const struct tdm_call *call);
int tdm_call_chan(const struct tdm_call *call);		/* B-channel */
int tdm_call_cic(const struct tdm_call *call);		/* ISUP CIC, 0 on PRI */
/*
 * The call's B-channel audio: a non-blocking descriptor carrying G.711 in tdm_call_law() (DAHDI: blocks
 * of 160 octets, 20 ms, at the line's clock; loopback: what the far end's owner writes, unpaced), or
 * -errno (-ENOTSUP: a loopback pair across two processes; -ESHUTDOWN: the call is gone; -EBUSY: already
 * open).  It is closed by tdm_call_bearer_close or when the call goes.
 */
int tdm_call_bearer_open(struct tdm_call *call);
void tdm_call_bearer_close(struct tdm_call *call);
int tdm_call_law(const struct tdm_call *call);		/* enum tdm_law of its span */
int tdm_call_bearer_clocked(const struct tdm_call *call);	/* 1: a card's clock drives it (DAHDI) */
/* "isup-a cic 3" / "pri-a ch 1": how logs name the call's leg */
const char *tdm_call_name(const struct tdm_call *call);

/* circuit state, as operators see it */
enum tdm_cstate {
	TDM_CS_IDLE = 0,
	TDM_CS_OUT_SETUP,	/* IAM/SETUP sent, not answered */
	TDM_CS_IN_SETUP,	/* IAM/SETUP received, not answered */
	TDM_CS_ANSWERED,
	TDM_CS_RELEASING,	/* REL/DISCONNECT sent or received, RLC/RELEASE COMPLETE awaited */
	TDM_CS_RESETTING,	/* RSC/GRS/RESTART sent, acknowledgement awaited */
	TDM_CS_COUNT
};
#define TDM_BLOCK_LOCAL 1	/* we blocked it (BLO/CGB sent) */
#define TDM_BLOCK_REMOTE 2	/* the far end blocked it (BLO/CGB received) */

struct tdm_circuit_info {
	char span[TDM_NAME_MAX];
	int chan;
	int cic;		/* 0 on PRI */
	int state;		/* enum tdm_cstate */
	int blocked;		/* TDM_BLOCK_* bits */
	char call[48];		/* tdm_call_name of the call on it, "" when none */
};

struct tdm_span_info {
	char name[TDM_NAME_MAX];
	char group[TDM_NAME_MAX];
	int sig;		/* enum tdm_sig */
	int backend;		/* enum tdm_backend */
	int link_up;		/* signalling link in service */
	int alarmed;
	int ncircuits, idle, busy, blocked;
	unsigned long calls_in, calls_out, calls_failed;
};

const char *tdm_cstate_name(int state);		/* "idle", "outgoing", "incoming", "answered", ... */
const char *tdm_ev_name(int type);

/* n circuits written (at most max); *total the count there is.  span NULL: every span */
int tdm_circuits(const struct tdm *tdm, const char *span, struct tdm_circuit_info *out, size_t max, size_t *total);
int tdm_spans(const struct tdm *tdm, struct tdm_span_info *out, size_t max, size_t *total);

/* maintenance: cic is the CIC on ISUP, the B-channel on PRI.  -ENOENT, -ENOTSUP, -EBUSY, and -ENETDOWN
 * while the span's signalling link is down (nothing could reach the far end) */
int tdm_circuit_block(struct tdm *tdm, const char *span, int cic, int block);	/* BLO / UBL */
int tdm_circuit_reset(struct tdm *tdm, const char *span, int cic);		/* RSC / RESTART channel */
int tdm_group_block(struct tdm *tdm, const char *span, int first, int last, int block);	/* CGB / CGU */
int tdm_span_reset(struct tdm *tdm, const char *span);				/* GRS / RESTART all */
/* loopback spans: cut or restore the line (both ends see the alarm) */
int tdm_span_break(struct tdm *tdm, const char *span, int broken);

#endif
