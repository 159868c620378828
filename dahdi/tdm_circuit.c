/*
 * tdm_circuit.c - a circuit's (CIC's, B-channel's) state: a table of named states and the events
 * each allows.  The call states follow Q.764's circuit view (idle, outgoing or incoming set-up,
 * answered, releasing) plus resetting (RSC/GRS/RESTART awaiting acknowledgement); blocking
 * (BLO/CGB, local and remote) is a separate pair of bits, as in Q.764, because a blocked circuit
 * keeps its call.
 */
#include <errno.h>

#include "tdm_int.h"

static const char *const tdm_cstate_names[TDM_CS_COUNT] = {
	[TDM_CS_IDLE] = "idle",
	[TDM_CS_OUT_SETUP] = "outgoing",
	[TDM_CS_IN_SETUP] = "incoming",
	[TDM_CS_ANSWERED] = "answered",
	[TDM_CS_RELEASING] = "releasing",
	[TDM_CS_RESETTING] = "resetting",
};

static const char *const tdm_cevent_names[TDM_CE_COUNT] = {
	[TDM_CE_SEIZE_OUT] = "seize-out",
	[TDM_CE_SEIZE_IN] = "seize-in",
	[TDM_CE_ANSWER] = "answer",
	[TDM_CE_RELEASE] = "release",
	[TDM_CE_RELEASED] = "released",
	[TDM_CE_RESET] = "reset",
	[TDM_CE_RESET_DONE] = "reset-done",
	[TDM_CE_LINK_DOWN] = "link-down",
};

#define NO (-1)
#define I TDM_CS_IDLE
#define O TDM_CS_OUT_SETUP
#define N TDM_CS_IN_SETUP
#define A TDM_CS_ANSWERED
#define R TDM_CS_RELEASING
#define S TDM_CS_RESETTING

/* next state for [state][event]; NO = the event is not allowed in that state */
static const signed char tdm_circuit_next[TDM_CS_COUNT][TDM_CE_COUNT] = {
	/*                   seize-out seize-in answer release released reset reset-done link-down */
	[TDM_CS_IDLE] =      { O,       N,       NO,    I,      I,       S,    I,         I },
	[TDM_CS_OUT_SETUP] = { NO,      NO,      A,     R,      I,       S,    NO,        I },
	[TDM_CS_IN_SETUP] =  { NO,      NO,      A,     R,      I,       S,    NO,        I },
	[TDM_CS_ANSWERED] =  { NO,      NO,      A,     R,      I,       S,    NO,        I },
	[TDM_CS_RELEASING] = { NO,      NO,      NO,    R,      I,       S,    I,         I },
	[TDM_CS_RESETTING] = { NO,      NO,      NO,    S,      I,       S,    I,         I },
};

#undef I
#undef O
#undef N
#undef A
#undef R
#undef S

const char *tdm_cstate_name(int state)
{
	return state >= 0 && state < TDM_CS_COUNT ? tdm_cstate_names[state] : "?";
}

const char *tdm_cevent_name(int ev)
{
	return ev >= 0 && ev < TDM_CE_COUNT ? tdm_cevent_names[ev] : "?";
}

int tdm_circuit_event(struct tdm_circuit *c, int ev)
{
	int next;

	if (ev < 0 || ev >= TDM_CE_COUNT)
		return -EINVAL;
	next = tdm_circuit_next[c->state][ev];
	if (next == NO) {
		TDM_LOGC(LOG_LVL_WARN, c, "event %s not allowed in this state, ignored", tdm_cevent_name(ev));
		return -EPROTO;
	}
	if (next != c->state)
		TDM_LOGC(LOG_LVL_DEBUG, c, "%s -> %s", tdm_cevent_name(ev), tdm_cstate_name(next));
	c->state = next;
	return 0;
}

void tdm_circuit_set_blocked(struct tdm_circuit *c, int bits, int on)
{
	int before = c->blocked;

	if (on)
		c->blocked |= bits;
	else
		c->blocked &= ~bits;
	if (before != c->blocked)
		TDM_LOGC(LOG_LVL_INFO, c, "blocking now %s%s%s", c->blocked ? "" : "none",
			 (c->blocked & TDM_BLOCK_LOCAL) ? "local " : "", (c->blocked & TDM_BLOCK_REMOTE) ? "remote" : "");
}
