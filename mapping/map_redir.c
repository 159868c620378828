/*
 * map_redir.c - redirection rules: RFC 4458 section 3, MAPPING.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "map_redir.h"

int map_redir_parse_cause_n(const char *text, size_t len, int *cause)
{
	if (len != 3 || text[0] < '1' || text[0] > '6' || !isdigit((unsigned char)text[1]) ||
	    !isdigit((unsigned char)text[2]))
		return -EINVAL;
	*cause = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
	return 0;
}

int map_redir_parse_cause(const char *text, int *cause)
{
	return text ? map_redir_parse_cause_n(text, strlen(text), cause) : -EINVAL;
}

void map_redir_set_cause(struct map_call *call, const struct map_tables *t, int cause, struct map_diag *d)
{
	int found;

	call->redir.present = 1;
	call->redir.cause = cause;
	call->redir.reason = map_rtable_decode(&t->causes, cause, &found);
	if (found)
		map_diag_add(d, MAP_DIAG_NOTE, "cause %d -> reason %s", cause, map_reason_name(call->redir.reason));
	else
		map_diag_add(d, MAP_DIAG_NOTE, "cause %d has no mapping: reason %s (RFC 4458 section 3)", cause,
			     map_reason_name(call->redir.reason));
}

/*
 * RFC 3323 "header" (the headers that reveal where the call has been) and RFC 7044 "history" hide
 * the diverting parties; "id" (RFC 3325) and "user" are about the caller only.
 */
static int privacy_hides(int privacy)
{
	return privacy & (MAP_PRIV_HEADER | MAP_PRIV_HISTORY);
}

static void redir_privacy(struct map_call *call, const struct map_tables *t, struct map_diag *d)
{
	int hide = privacy_hides(call->privacy) && !(call->privacy & MAP_PRIV_NONE);

	if (call->redirecting.pres == MAP_PRES_RESTRICTED)
		hide = 1;
	if (!hide) {
		call->redir.indicator = t->opt.redirecting_indicator;
		return;
	}
	call->redir.indicator = t->opt.restricted_indicator;
	if (call->redirecting.present)
		call->redirecting.pres = MAP_PRES_RESTRICTED;
	if (call->original_called.present)
		call->original_called.pres = MAP_PRES_RESTRICTED;
	map_diag_add(d, MAP_DIAG_NOTE, "privacy: redirecting numbers kept, marked presentation restricted "
		     "(indicator %d)", call->redir.indicator);
}

void map_redir_complete_for_tdm(struct map_call *call, const struct map_tables *t, struct map_diag *d)
{
	if ((call->privacy & (MAP_PRIV_ID | MAP_PRIV_USER | MAP_PRIV_HEADER)) && !(call->privacy & MAP_PRIV_NONE) &&
	    call->calling.present)
		call->calling.pres = MAP_PRES_RESTRICTED;
	if (map_call_no_diversion(call)) {
		call->cdti = MAP_CDTI_NOT_ALLOWED;
		map_diag_add(d, MAP_DIAG_NOTE, "Ms-Sensitivity %s: call diversion not allowed",
			     map_sens_name(call->um.sens));
	}
	if (!call->redir.present)
		return;
	if (call->redir.counter < 1) {
		call->redir.counter = 1;
		map_diag_add(d, MAP_DIAG_NOTE, "redirection counter 1 (RFC 4458: no further information)");
	}
	if (call->redirecting.present && !call->original_called.present) {
		call->original_called = call->redirecting;
		map_diag_add(d, MAP_DIAG_NOTE, "original called number = redirecting number %s",
			     call->redirecting.digits);
	}
	if (call->redir.orig_reason < 0)
		call->redir.orig_reason = call->redir.reason;
	redir_privacy(call, t, d);
}

int map_redir_cause_for_sip(const struct map_call *call, const struct map_tables *t, struct map_diag *d)
{
	int cause = map_rtable_encode(&t->causes, call->redir.reason);

	if (call->redir.no_cause && !call->redir.cause && call->redir.reason == MAP_REASON_UNKNOWN)
		return 0;
	if (!call->redir.cause || call->redir.cause == cause)
		return cause;
	map_diag_add(d, MAP_DIAG_NOTE, "exact cause %d from user-to-user information", call->redir.cause);
	return call->redir.cause;
}

void map_redir_check_lossy(const struct map_rtable *rt, int reason, const char *what, struct map_diag *d)
{
	int code = map_rtable_encode(rt, reason);
	int back = map_rtable_decode(rt, code, NULL);
	char sent[MAP_TBL_TOKEN_LEN];

	if (back == reason)
		return;
	if (rt->ntokens)
		snprintf(sent, sizeof(sent), "%s", map_rtable_token(rt, code));
	else
		snprintf(sent, sizeof(sent), "%d", code);
	map_diag_add(d, MAP_DIAG_LOSSY, "%s has no code for reason %s: sent %s, which reads back as %s (%s.tbl)", what,
		     map_reason_name(reason), sent, map_reason_name(back), rt->name);
}

void map_redir_uui_cause(struct map_call *call, const struct map_tables *t, const struct map_rtable *rt, int code,
			 struct map_diag *d)
{
	int reason;

	if (call->redir.no_cause && (!call->redir.present || call->redir.reason != MAP_REASON_UNKNOWN)) {
		map_diag_add(d, MAP_DIAG_NOTE, "user-to-user no-cause does not match %s code %d: ignored", rt->name,
			     code);
		call->redir.no_cause = 0;
	}
	if (!call->redir.cause)
		return;
	reason = map_rtable_decode(&t->causes, call->redir.cause, NULL);
	if (!call->redir.present || map_rtable_encode(rt, reason) != code) {
		map_diag_add(d, MAP_DIAG_NOTE, "user-to-user cause %d does not match %s code %d: ignored",
			     call->redir.cause, rt->name, code);
		call->redir.cause = 0;
		return;
	}
	if (reason != call->redir.reason)
		map_diag_add(d, MAP_DIAG_NOTE, "user-to-user cause %d refines reason %s to %s", call->redir.cause,
			     map_reason_name(call->redir.reason), map_reason_name(reason));
	call->redir.reason = reason;
}
