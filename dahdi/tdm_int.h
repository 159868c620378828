/*
 * tdm_int.h - inside the TDM layer: the contract between the core (tdm.c: spans, groups, calls,
 * hunting; tdm_circuit.c: the circuit state table) and the signalling modules (tdm_isup.c over
 * libss7, tdm_pri.c over libpri).  Not for gw/.
 *
 * A signalling module drives its stack from the event loop, sends and receives frames through the
 * span (span.h), and reports to the core with the tdm_sig_* functions below.  The core calls the
 * module through struct tdm_sig_ops.  Modules never call the owner's callback themselves.
 */
#ifndef TDM_INT_H
#define TDM_INT_H

#include "ev.h"
#include "log.h"
#include "map_diag.h"
#include "span.h"
#include "tdm.h"

struct tdm_span;

struct tdm_circuit {
	struct tdm_span *ts;
	int chan;			/* B-channel number (as configured) */
	int cic;			/* ISUP CIC; 0 on PRI */
	int state;			/* enum tdm_cstate */
	int blocked;			/* TDM_BLOCK_* */
	struct tdm_call *call;		/* NULL when idle */
};

struct tdm_call {
	struct tdm *tdm;
	struct tdm_circuit *circ;
	void *user;
	int outgoing;
	int user_gone;			/* the owner released it or got TDM_EV_RELEASE: no more events */
	void *sig;			/* the stack's call: struct isup_call * / q931_call * */
	char name[48];			/* "isup-a cic 3" */
	int cause;			/* the cause to give the owner if the stack drops the call silently */
	int bearer_open;		/* the owner opened the B-channel (closed when the call goes) */
	struct tdm_call *next;		/* tdm's list of calls */
};

struct tdm_sig_ops {
	const char *name;
	/* start the stack on ts->span; ts->sig holds the module's state */
	int (*start)(struct tdm_span *ts, char *err, size_t errlen);
	void (*stop)(struct tdm_span *ts);
	/* send the IAM/SETUP for call (on call->circ) */
	int (*place)(struct tdm_call *call, const struct tdm_setup *setup);
	int (*proceeding)(struct tdm_call *call);
	int (*progress)(struct tdm_call *call, int inband);
	int (*alert)(struct tdm_call *call, int inband);
	int (*forwarded)(struct tdm_call *call);
	int (*answer)(struct tdm_call *call);
	int (*release)(struct tdm_call *call, int cause);
	/* maintenance; NULL = not supported by the protocol (-ENOTSUP) */
	int (*block)(struct tdm_circuit *c, int block);
	int (*reset)(struct tdm_circuit *c);
	int (*group_block)(struct tdm_span *ts, int first, int last, int block);
	int (*reset_all)(struct tdm_span *ts);
};

extern const struct tdm_sig_ops tdm_isup_ops;
extern const struct tdm_sig_ops tdm_pri_ops;

struct tdm_span {
	struct tdm *tdm;
	const struct tdm_span_conf *conf;
	struct span *span;
	struct ev_loop *loop;
	const struct tdm_sig_ops *ops;
	void *sig;			/* module state */
	struct tdm_circuit *circ;	/* one per B-channel, in conf->bchan order */
	int ncirc;
	int rr_next;			/* round-robin hunting position */
	int link_up;
	unsigned long calls_in, calls_out, calls_failed;
};

/* the tables in force (they may change between calls) */
const struct map_tables *tdm_tables(const struct tdm *tdm);

struct tdm_circuit *tdm_circuit_by_cic(struct tdm_span *ts, int cic);
struct tdm_circuit *tdm_circuit_by_chan(struct tdm_span *ts, int chan);

/*
 * Circuit state changes go through the state table (tdm_circuit.c), which refuses (and logs) a
 * transition the table does not allow: -EPROTO.
 */
enum tdm_cevent {
	TDM_CE_SEIZE_OUT = 0,	/* IAM/SETUP sent */
	TDM_CE_SEIZE_IN,	/* IAM/SETUP received */
	TDM_CE_ANSWER,		/* ANM/CON/CONNECT sent or received */
	TDM_CE_RELEASE,		/* REL/DISCONNECT/RELEASE sent or received */
	TDM_CE_RELEASED,	/* RLC/RELEASE COMPLETE: the circuit is free */
	TDM_CE_RESET,		/* RSC/GRS/RESTART sent or received */
	TDM_CE_RESET_DONE,	/* RLC/GRA/RESTART ACKNOWLEDGE */
	TDM_CE_LINK_DOWN,	/* the link failed: everything on the span is cleared */
	TDM_CE_COUNT
};
int tdm_circuit_event(struct tdm_circuit *c, int ev);
void tdm_circuit_set_blocked(struct tdm_circuit *c, int bits, int on);
const char *tdm_cevent_name(int ev);

/* ---- reports from the signalling modules to the core ----
 *
 * Who drives the circuit state table: the core applies the call's life cycle - SEIZE_OUT (in
 * tdm_call_place, before ops->place), SEIZE_IN (tdm_sig_incoming), ANSWER (tdm_call_answer and
 * tdm_sig_event(TDM_EV_ANSWER)), RELEASE (tdm_call_release, tdm_sig_released_by_far_end), RELEASED
 * (tdm_sig_call_gone), LINK_DOWN (tdm_sig_link(ts, 0)).  The modules apply RESET / RESET_DONE and
 * the blocking bits (tdm_circuit_set_blocked), and nothing else.
 *
 * A module that loses the link first forgets or frees its stack's calls, then calls
 * tdm_sig_link(ts, 0): the core releases every call of the span to its owner (cause 38) and frees it.
 */

/* an IAM/SETUP arrived on c: creates the call and hands setup to the owner.  The module stores its
 * stack call in (*out)->sig before or after.  -EBUSY when the circuit is not idle (glare etc.) */
int tdm_sig_incoming(struct tdm_circuit *c, void *sig, const struct tdm_setup *setup, struct tdm_call **out);
/* outgoing call events (TDM_EV_PROCEEDING .. TDM_EV_ANSWER) */
void tdm_sig_event(struct tdm_call *call, int type, int inband);
/* the far end released (or the stack failed the call): the owner hears TDM_EV_RELEASE once */
void tdm_sig_released_by_far_end(struct tdm_call *call, int cause);
/* the stack finished with the call (RLC/RELEASE COMPLETE, or it never got anywhere): the circuit
 * goes idle and the call is freed.  The module must not touch call afterwards. */
void tdm_sig_call_gone(struct tdm_call *call);
/* the signalling link changed state; on down, every call on the span is released (cause 38 to the
 * owner) and gone, circuits return to idle (blocking is kept) */
void tdm_sig_link(struct tdm_span *ts, int up);

/* log helpers: "span cic N [state]" prefix */
#define TDM_LOGC(lvl, c, fmt, ...) log_write(lvl, "tdm", "%s %s %d [%s]: " fmt, (c)->ts->conf->name, \
	(c)->cic ? "cic" : "ch", (c)->cic ? (c)->cic : (c)->chan, tdm_cstate_name((c)->state), ##__VA_ARGS__)
/* log a mapping's diagnostics against a call */
void tdm_log_diag(const char *who, const struct map_diag *d);

#endif
