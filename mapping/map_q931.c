/*
 * map_q931.c - the call model <-> Q.931 Redirecting number IE (Q.931 4.5.21), Called/Calling party
 * number IEs (4.5.8, 4.5.10), User-user IE (4.5.30), and QSIG/ETSI DivertingLegInformation2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "map_number.h"
#include "map_q931.h"
#include "map_redir.h"

/* ISUP NAI <-> Q.931 type of number */
static const struct {
	int nai, ton;
} nai_ton[] = {
	{ MAP_NAI_UNKNOWN, 0 },
	{ MAP_NAI_INTERNATIONAL, 1 },
	{ MAP_NAI_NATIONAL, 2 },
	{ MAP_NAI_SUBSCRIBER, 4 },
};

#define NAI_TON_N (sizeof(nai_ton) / sizeof(nai_ton[0]))

int map_q931_ton_from_nai(int nai)
{
	size_t i;

	for (i = 0; i < NAI_TON_N; i++)
		if (nai_ton[i].nai == nai)
			return nai_ton[i].ton;
	return 0;
}

int map_q931_nai_from_ton(int ton)
{
	size_t i;

	for (i = 0; i < NAI_TON_N; i++)
		if (nai_ton[i].ton == ton)
			return nai_ton[i].nai;
	return MAP_NAI_UNKNOWN;	/* network specific, abbreviated, reserved */
}

static void number_to_q931(const struct map_number *n, struct map_q931_number *o)
{
	memset(o, 0, sizeof(*o));
	if (!n->present)
		return;
	o->present = 1;
	snprintf(o->digits, sizeof(o->digits), "%s", n->digits);
	o->ton = map_q931_ton_from_nai(n->nai);
	o->npi = n->npi;
	o->pres = n->pres;
	o->screen = n->screen;
}

static int counter_clamp(int counter, int max, const char *what, struct map_diag *d)
{
	if (counter < 1)
		return 1;
	if (counter > max) {
		map_diag_add(d, MAP_DIAG_LOSSY, "%s diversion counter %d above %d: sent %d", what, counter, max, max);
		return max;
	}
	return counter;
}

static void redir_to_q931(const struct map_call *call, const struct map_tables *t, int proto,
			  const char *switchtype, struct map_q931 *out, struct map_diag *d)
{
	const struct map_rtable *rt;
	int orig = call->redir.orig_reason >= 0 ? call->redir.orig_reason : call->redir.reason;

	out->redir_present = 1;
	out->div_orig_reason = -1;
	switch (proto) {
	case MAP_PROTO_Q931:
		rt = map_tables_q931(t, switchtype);
		out->reason = map_rtable_encode(rt, call->redir.reason);
		map_redir_check_lossy(rt, call->redir.reason, "Q.931", d);
		break;
	case MAP_PROTO_QSIG:
		out->div_counter = counter_clamp(call->redir.counter, MAP_QSIG_COUNTER_MAX, "QSIG", d);
		out->div_reason = map_rtable_encode(&t->qsig, call->redir.reason);
		/* ECMA-174: only after several diversions; unknown where QSIG has no code for it */
		if (out->div_counter > 1)
			out->div_orig_reason = map_rtable_lossy(&t->qsig, orig) ? 0 : map_rtable_encode(&t->qsig, orig);
		map_redir_check_lossy(&t->qsig, call->redir.reason, "QSIG", d);
		break;
	default:
		out->div_counter = counter_clamp(call->redir.counter, MAP_ETSI_COUNTER_MAX, "ETSI", d);
		out->div_reason = map_rtable_encode(&t->etsi, call->redir.reason);
		map_redir_check_lossy(&t->etsi, call->redir.reason, "ETSI", d);
		break;
	}
}

int map_q931_from_call(const struct map_call *call, const struct map_tables *t, int proto, const char *switchtype,
		       struct map_q931 *out, struct map_diag *d)
{
	memset(out, 0, sizeof(*out));
	out->proto = proto;
	out->div_orig_reason = -1;
	number_to_q931(&call->called, &out->called);
	number_to_q931(&call->calling, &out->calling);
	number_to_q931(&call->redirecting, &out->redirecting);
	number_to_q931(&call->original_called, &out->orig_called);
	if (call->redir.present)
		redir_to_q931(call, t, proto, switchtype, out, d);
	if (map_call_no_diversion(call))
		map_diag_add(d, MAP_DIAG_NOTE, "Q.931 has no diversion-not-allowed field: carried in user-to-user "
			     "information only");
	return map_uui_put(call, t->opt.uui, out->uui, sizeof(out->uui), &out->uui_len, d);
}

static int number_from_q931(const struct map_q931_number *in, struct map_number *n, const char *what,
			    struct map_diag *d)
{
	struct map_number raw = { in->present, "", map_q931_nai_from_ton(in->ton), in->npi, in->pres, in->screen };

	memcpy(raw.digits, in->digits, sizeof(raw.digits));
	return map_number_from_tdm(n, &raw, what, d);
}

static void redir_from_q931(const struct map_q931 *in, const struct map_tables *t, const char *switchtype,
			    struct map_call *call, struct map_diag *d)
{
	const struct map_rtable *rt;
	int found = 1;

	call->redir.present = 1;
	call->redir.indicator = t->opt.redirecting_indicator;
	if (call->redirecting.pres == MAP_PRES_RESTRICTED)
		call->redir.indicator = t->opt.restricted_indicator;
	switch (in->proto) {
	case MAP_PROTO_Q931:
		rt = map_tables_q931(t, switchtype);
		call->redir.reason = map_rtable_decode(rt, in->reason, &found);
		call->redir.counter = 1;
		break;
	case MAP_PROTO_QSIG:
		rt = &t->qsig;
		call->redir.reason = map_rtable_decode(rt, in->div_reason, &found);
		if (in->div_orig_reason >= 0)
			call->redir.orig_reason = map_rtable_decode(rt, in->div_orig_reason, NULL);
		call->redir.counter = in->div_counter > 0 ? in->div_counter : 1;
		break;
	default:
		rt = &t->etsi;
		call->redir.reason = map_rtable_decode(rt, in->div_reason, &found);
		call->redir.counter = in->div_counter > 0 ? in->div_counter : 1;
		break;
	}
	if (!found)
		map_diag_add(d, MAP_DIAG_NOTE, "%s reason %d unknown: %s", rt->name,
			     in->proto == MAP_PROTO_Q931 ? in->reason : in->div_reason,
			     map_reason_name(call->redir.reason));
}

int map_q931_to_call(const struct map_q931 *in, const struct map_tables *t, const char *switchtype, int trusted,
		     struct map_call *call, struct map_diag *d)
{
	int ret;

	map_call_init(call);
	ret = number_from_q931(&in->called, &call->called, "called", d);
	if (!ret)
		ret = number_from_q931(&in->calling, &call->calling, "calling", d);
	if (!ret)
		ret = number_from_q931(&in->redirecting, &call->redirecting, "redirecting", d);
	if (!ret)
		ret = number_from_q931(&in->orig_called, &call->original_called, "original called", d);
	if (ret < 0)
		return ret;
	if (in->redir_present || call->redirecting.present)
		redir_from_q931(in, t, switchtype, call, d);
	call->calling_verified = trusted && call->calling.present &&
				 (call->calling.screen == MAP_SCREEN_USER_PASSED || call->calling.screen == MAP_SCREEN_NETWORK);
	map_uui_take(call, in->uui, in->uui_len, trusted, call->calling_verified, d);
	if (in->proto == MAP_PROTO_Q931)
		map_redir_uui_cause(call, t, map_tables_q931(t, switchtype), in->reason, d);
	else
		map_redir_uui_cause(call, t, in->proto == MAP_PROTO_QSIG ? &t->qsig : &t->etsi, in->div_reason, d);
	return 0;
}

/* ---- raw IEs ---- */

int map_q931_number_encode(const struct map_q931_number *n, int ie, int reason, uint8_t *buf, size_t len)
{
	size_t nd = strlen(n->digits), i = 0;
	uint8_t o3 = (uint8_t)(((n->ton & 7) << 4) | (n->npi & 0x0F));

	if (len < nd + 3)
		return -ENOSPC;
	if (ie == MAP_Q931_IE_CALLED_PARTY_NUMBER) {
		buf[i++] = 0x80 | o3;
	} else {
		buf[i++] = o3;	/* extension 0: octet 3a follows */
		buf[i++] = (uint8_t)(((ie == MAP_Q931_IE_REDIRECTING_NUMBER && reason >= 0) ? 0 : 0x80) |
				     ((n->pres & 3) << 5) | (n->screen & 3));
		if (ie == MAP_Q931_IE_REDIRECTING_NUMBER && reason >= 0)
			buf[i++] = (uint8_t)(0x80 | (reason & 0x0F));
	}
	memcpy(buf + i, n->digits, nd);	/* IA5 */
	return (int)(i + nd);
}

int map_q931_number_decode(struct map_q931_number *n, int ie, int *reason, const uint8_t *buf, size_t len)
{
	size_t i = 0, j;

	memset(n, 0, sizeof(*n));
	if (reason)
		*reason = -1;
	if (len < 1)
		return -EINVAL;
	n->ton = (buf[0] >> 4) & 7;
	n->npi = buf[0] & 0x0F;
	if (!(buf[i++] & 0x80)) {
		if (i >= len)
			return -EINVAL;
		n->pres = (buf[i] >> 5) & 3;
		n->screen = buf[i] & 3;
		if (!(buf[i++] & 0x80)) {
			if (i >= len)
				return -EINVAL;
			if (reason && ie == MAP_Q931_IE_REDIRECTING_NUMBER)
				*reason = buf[i] & 0x0F;
			i++;
		}
	}
	if (len - i > MAP_DIGITS_MAX)
		return -EINVAL;
	for (j = 0; i < len; i++, j++) {
		if ((buf[i] < '0' || buf[i] > '9') && buf[i] != '*' && buf[i] != '#')
			return -EINVAL;
		n->digits[j] = (char)buf[i];
	}
	n->present = 1;
	return 0;
}
