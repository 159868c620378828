/*
 * map_isup.c - the call model <-> ISUP IAM parameters (ITU-T Q.763 3.9, 3.10, 3.39, 3.44, 3.45,
 * 3.61, 3.72).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "map_isup.h"
#include "map_number.h"
#include "map_redir.h"

static void number_to_isup(const struct map_number *n, struct map_isup_number *o)
{
	memset(o, 0, sizeof(*o));
	if (!n->present)
		return;
	o->present = 1;
	snprintf(o->digits, sizeof(o->digits), "%s", n->digits);
	o->nai = n->nai;
	o->npi = n->npi;
	o->pres = n->pres;
	o->screen = n->screen;
}

int map_isup_from_call(const struct map_call *call, const struct map_tables *t, struct map_isup *out,
		       struct map_diag *d)
{
	memset(out, 0, sizeof(*out));
	number_to_isup(&call->called, &out->called);
	number_to_isup(&call->calling, &out->calling);
	if (out->calling.present && out->calling.screen == MAP_SCREEN_USER_NOT_VERIFIED) {
		/* Q.763 3.10: 00 is reserved in ITU ISUP (national use only) */
		out->calling.screen = MAP_SCREEN_USER_PASSED;
		map_diag_add(d, MAP_DIAG_NOTE, "calling number %s: screening 'user provided, verified and passed' "
			     "(ITU ISUP has no 'not verified')", out->calling.digits);
	}
	number_to_isup(&call->redirecting, &out->redirecting);
	number_to_isup(&call->original_called, &out->orig_called);
	if (call->redir.present) {
		out->redir_present = 1;
		out->redir_ind = call->redir.indicator;
		out->redir_reason = map_rtable_encode(&t->isup, call->redir.reason);
		out->redir_orig_reason = map_rtable_encode(
			&t->isup_orig, call->redir.orig_reason >= 0 ? call->redir.orig_reason : call->redir.reason);
		out->redir_counter = call->redir.counter < 1 ? 1 : call->redir.counter;
		if (out->redir_counter > MAP_ISUP_COUNTER_MAX) {
			map_diag_add(d, MAP_DIAG_LOSSY, "ISUP redirection counter %d above %d: sent %d",
				     out->redir_counter, MAP_ISUP_COUNTER_MAX, MAP_ISUP_COUNTER_MAX);
			out->redir_counter = MAP_ISUP_COUNTER_MAX;
		}
		map_redir_check_lossy(&t->isup, call->redir.reason, "ISUP", d);
	}
	out->cdti = call->cdti;
	return map_uui_put(call, t->opt.uui, out->uui, sizeof(out->uui), &out->uui_len, d);
}

static int number_from_isup(const struct map_isup_number *in, struct map_number *n, const char *what,
			    struct map_diag *d)
{
	struct map_number raw = { in->present, "", in->nai, in->npi, in->pres, in->screen };

	memcpy(raw.digits, in->digits, sizeof(raw.digits));
	return map_number_from_tdm(n, &raw, what, d);
}

/*
 * "Call diversion not allowed" gives the configured Ms-Sensitivity.  A value from user-to-user
 * data keeps its privacy part but never relaxes the network's restriction.
 */
static void cdti_to_call(const struct map_isup *in, const struct map_tables *t, struct map_call *call,
			 struct map_diag *d)
{
	int was = call->um.sens;

	call->cdti = in->cdti;
	if (in->cdti != MAP_CDTI_NOT_ALLOWED || map_call_no_diversion_sens(was))
		return;
	if (was == MAP_SENS_NORMAL)
		call->um.sens = MAP_SENS_NORMAL_NO_DIVERSION;
	else if (was == MAP_SENS_PRIVATE)
		call->um.sens = MAP_SENS_PRIVATE_NO_DIVERSION;
	else
		call->um.sens = t->opt.cdti_sensitivity;
	map_diag_add(d, MAP_DIAG_NOTE, "call diversion not allowed -> Ms-Sensitivity %s",
		     map_sens_name(call->um.sens));
}

int map_isup_to_call(const struct map_isup *in, const struct map_tables *t, int trusted, struct map_call *call,
		     struct map_diag *d)
{
	int ret, found;

	map_call_init(call);
	ret = number_from_isup(&in->called, &call->called, "called", d);
	if (!ret)
		ret = number_from_isup(&in->calling, &call->calling, "calling", d);
	if (!ret)
		ret = number_from_isup(&in->redirecting, &call->redirecting, "redirecting", d);
	if (!ret)
		ret = number_from_isup(&in->orig_called, &call->original_called, "original called", d);
	if (ret < 0)
		return ret;
	if (in->redir_present || call->redirecting.present) {
		call->redir.present = 1;
		call->redir.indicator = in->redir_present && in->redir_ind ? in->redir_ind : t->opt.redirecting_indicator;
		call->redir.reason = map_rtable_decode(&t->isup, in->redir_reason, &found);
		if (!found)
			map_diag_add(d, MAP_DIAG_NOTE, "ISUP redirecting reason %d unknown: %s", in->redir_reason,
				     map_reason_name(call->redir.reason));
		call->redir.orig_reason = map_rtable_decode(&t->isup_orig, in->redir_orig_reason, &found);
		if (!found)
			map_diag_add(d, MAP_DIAG_NOTE, "ISUP original redirection reason %d unknown: %s",
				     in->redir_orig_reason, map_reason_name(call->redir.orig_reason));
		call->redir.counter = in->redir_present ? in->redir_counter : 1;
		if (in->redir_present && (in->redir_counter < 1 || in->redir_counter > MAP_ISUP_COUNTER_MAX)) {
			call->redir.counter = in->redir_counter < 1 ? 1 : MAP_ISUP_COUNTER_MAX;
			map_diag_add(d, MAP_DIAG_NOTE, "ISUP redirection counter %d outside 1-5: %d", in->redir_counter,
				     call->redir.counter);
		}
		if (!in->redir_present)
			map_diag_add(d, MAP_DIAG_NOTE, "redirecting number without redirection information: "
				     "reason %s, counter 1", map_reason_name(call->redir.reason));
	}
	call->calling_verified = trusted && call->calling.present && call->calling.screen == MAP_SCREEN_NETWORK;
	map_uui_take(call, in->uui, in->uui_len, trusted, call->calling_verified, d);
	map_redir_uui_cause(call, t, &t->isup, in->redir_reason, d);
	cdti_to_call(in, t, call, d);
	return 0;
}

/* ---- raw parameters ---- */

static int bcd_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return 0xB;	/* code 11 */
	if (c == '#')
		return 0xC;	/* code 12 */
	return -1;
}

int map_isup_number_encode(const struct map_isup_number *n, int code, uint8_t *buf, size_t len)
{
	size_t nd = strlen(n->digits), i, need = 2 + (nd + 1) / 2;
	int v;

	if (need > len)
		return -ENOSPC;
	buf[0] = (uint8_t)(((nd & 1) ? 0x80 : 0) | (n->nai & 0x7F));
	switch (code) {
	case MAP_ISUP_CALLED_PARTY_NUMBER:	/* INN 0 (routing to internal network number allowed) */
		buf[1] = (uint8_t)((n->npi & 7) << 4);
		break;
	case MAP_ISUP_CALLING_PARTY_NUMBER:	/* NI complete */
		buf[1] = (uint8_t)(((n->npi & 7) << 4) | ((n->pres & 3) << 2) | (n->screen & 3));
		break;
	default:				/* redirecting, original called: no screening */
		buf[1] = (uint8_t)(((n->npi & 7) << 4) | ((n->pres & 3) << 2));
		break;
	}
	memset(buf + 2, 0, need - 2);
	for (i = 0; i < nd; i++) {
		v = bcd_digit(n->digits[i]);
		if (v < 0)
			return -EINVAL;
		buf[2 + i / 2] |= (uint8_t)((i & 1) ? v << 4 : v);
	}
	return (int)need;
}

int map_isup_number_decode(struct map_isup_number *n, int code, const uint8_t *buf, size_t len)
{
	static const char digit[16] = "0123456789 *#   ";	/* ' ': spare, or ST before the end */
	size_t nd, i;
	int v;

	memset(n, 0, sizeof(*n));
	if (len < 2 || len > MAP_ISUP_NUM_OCTETS)
		return -EINVAL;
	nd = (len - 2) * 2 - ((buf[0] & 0x80) && len > 2 ? 1 : 0);
	for (i = 0; i < nd; i++) {
		v = (i & 1) ? buf[2 + i / 2] >> 4 : buf[2 + i / 2] & 0x0F;
		if (v == 0xF && i == nd - 1)	/* ST */
			break;
		if (digit[v] == ' ')
			return -EINVAL;
		n->digits[i] = digit[v];
	}
	n->present = 1;
	n->nai = buf[0] & 0x7F;
	n->npi = (buf[1] >> 4) & 7;
	if (code != MAP_ISUP_CALLED_PARTY_NUMBER)
		n->pres = (buf[1] >> 2) & 3;
	if (code == MAP_ISUP_CALLING_PARTY_NUMBER)
		n->screen = buf[1] & 3;
	return 0;
}

int map_isup_redir_info_encode(const struct map_isup *p, uint8_t *buf, size_t len)
{
	if (len < 2)
		return -ENOSPC;
	buf[0] = (uint8_t)(((p->redir_orig_reason & 0x0F) << 4) | (p->redir_ind & 7));
	buf[1] = (uint8_t)(((p->redir_reason & 0x0F) << 4) | (p->redir_counter & 7));
	return 2;
}

int map_isup_redir_info_decode(struct map_isup *p, const uint8_t *buf, size_t len)
{
	if (len < 1 || len > 2)
		return -EINVAL;
	p->redir_present = 1;
	p->redir_ind = buf[0] & 7;
	p->redir_orig_reason = buf[0] >> 4;
	p->redir_counter = len > 1 ? buf[1] & 7 : 0;
	p->redir_reason = len > 1 ? buf[1] >> 4 : 0;
	return 0;
}

int map_isup_cdti_encode(int cdti, uint8_t *buf, size_t len)
{
	if (len < 1)
		return -ENOSPC;
	buf[0] = (uint8_t)(0x80 | (cdti & 3));	/* extension bit: last octet */
	return 1;
}

int map_isup_cdti_decode(int *cdti, const uint8_t *buf, size_t len)
{
	if (len < 1)
		return -EINVAL;
	*cdti = buf[0] & 3;
	return 0;
}
