/*
 * map_dli2.c - DivertingLegInformation2 (QSIG ECMA-174 / ETSI EN 300 207-1) in a Q.932 Facility
 * IE: a small BER writer and reader for exactly this operation.
 */
#include <errno.h>
#include <string.h>

#include "map_dli2.h"

#define DLI2_OP_QSIG 21
#define DLI2_OP_ETSI 15
#define PROFILE_QSIG 0x9F	/* networking extensions */
#define PROFILE_ETSI 0x91	/* remote operations protocol */
#define INVOKE_ID 1

/* QSIG network facility extension (end PINX to end PINX) and interpretation APDU */
static const uint8_t qsig_nfe[] = { 0xAA, 0x06, 0x80, 0x01, 0x00, 0x82, 0x01, 0x00, 0x8B, 0x01, 0x00 };

/* append tag, length, value; 0 or -ENOSPC */
static int ber_put(uint8_t *buf, size_t cap, size_t *pos, int tag, const uint8_t *val, size_t vlen)
{
	size_t need = 2 + (vlen > 127) + vlen;

	if (vlen > 255 || *pos + need > cap)
		return -ENOSPC;
	buf[(*pos)++] = (uint8_t)tag;
	if (vlen > 127)
		buf[(*pos)++] = 0x81;
	buf[(*pos)++] = (uint8_t)vlen;
	if (vlen)
		memcpy(buf + *pos, val, vlen);
	*pos += vlen;
	return 0;
}

static int ber_put_int(uint8_t *buf, size_t cap, size_t *pos, int tag, int v)
{
	uint8_t b = (uint8_t)v;

	return ber_put(buf, cap, pos, tag, &b, 1);
}

/* [tag] PresentedNumberUnscreened: allowed [0] or restricted [3] PartyNumber, or [2] not available */
static int dli2_number(uint8_t *buf, size_t cap, size_t *pos, int tag, const struct map_q931_number *n)
{
	uint8_t pub[64], party[72], choice[80];
	size_t lp = 0, lq = 0, lc = 0;
	int ret;

	if (n->pres == MAP_PRES_NOT_AVAILABLE || !n->digits[0]) {
		ret = ber_put(choice, sizeof(choice), &lc, 0x82, NULL, 0);	/* [2] IMPLICIT NULL */
	} else {
		ret = ber_put_int(pub, sizeof(pub), &lp, 0x0A, n->ton);	/* publicTypeOfNumber */
		if (!ret)
			ret = ber_put(pub, sizeof(pub), &lp, 0x12, (const uint8_t *)n->digits, strlen(n->digits));
		if (!ret)	/* publicPartyNumber [1] IMPLICIT SEQUENCE */
			ret = ber_put(party, sizeof(party), &lq, 0xA1, pub, lp);
		if (!ret)
			ret = ber_put(choice, sizeof(choice), &lc, n->pres == MAP_PRES_ALLOWED ? 0xA0 : 0xA3, party, lq);
	}
	return ret ? ret : ber_put(buf, cap, pos, tag, choice, lc);
}

int map_dli2_encode(const struct map_q931 *q, uint8_t *buf, size_t len)
{
	uint8_t arg[MAP_DLI2_MAX], seq[MAP_DLI2_MAX], inv[MAP_DLI2_MAX];
	size_t la = 0, ls = 0, li = 0, n = 0;
	int qsig = q->proto == MAP_PROTO_QSIG, ret;

	if (q->proto != MAP_PROTO_QSIG && q->proto != MAP_PROTO_ETSI)
		return -EINVAL;
	ret = ber_put_int(arg, sizeof(arg), &la, 0x02, q->div_counter);
	if (!ret)
		ret = ber_put_int(arg, sizeof(arg), &la, 0x0A, q->div_reason);
	if (!ret && qsig && q->div_orig_reason >= 0)
		ret = ber_put_int(arg, sizeof(arg), &la, 0x80, q->div_orig_reason);
	if (!ret && q->redirecting.present)
		ret = dli2_number(arg, sizeof(arg), &la, 0xA1, &q->redirecting);
	if (!ret && q->orig_called.present && q->div_counter > 1)
		ret = dli2_number(arg, sizeof(arg), &la, 0xA2, &q->orig_called);
	if (!ret)
		ret = ber_put_int(seq, sizeof(seq), &ls, 0x02, INVOKE_ID);
	if (!ret)
		ret = ber_put_int(seq, sizeof(seq), &ls, 0x02, qsig ? DLI2_OP_QSIG : DLI2_OP_ETSI);
	if (!ret)
		ret = ber_put(seq, sizeof(seq), &ls, 0x30, arg, la);
	if (!ret)
		ret = ber_put(inv, sizeof(inv), &li, 0xA1, seq, ls);	/* invoke component */
	if (ret)
		return ret;
	if (len < 1 + (qsig ? sizeof(qsig_nfe) : 0) + li)
		return -ENOSPC;
	buf[n++] = qsig ? PROFILE_QSIG : PROFILE_ETSI;
	if (qsig) {
		memcpy(buf + n, qsig_nfe, sizeof(qsig_nfe));
		n += sizeof(qsig_nfe);
	}
	memcpy(buf + n, inv, li);
	return (int)(n + li);
}

/* ---- reading ---- */

struct ber {
	int tag;
	const uint8_t *val;
	size_t len;
};

/* the next TLV of [*p, end); 0 or -EINVAL */
static int ber_next(const uint8_t **p, const uint8_t *end, struct ber *t)
{
	const uint8_t *s = *p;
	size_t len;

	if (end - s < 2)
		return -EINVAL;
	t->tag = *s++;
	len = *s++;
	if (len == 0x81) {
		if (s >= end)
			return -EINVAL;
		len = *s++;
	} else if (len > 0x7F) {
		return -EINVAL;	/* longer forms never occur here */
	}
	if ((size_t)(end - s) < len)
		return -EINVAL;
	t->val = s;
	t->len = len;
	*p = s + len;
	return 0;
}

static int ber_int(const struct ber *t, int tag, int *v)
{
	if (t->tag != tag || t->len != 1 || t->val[0] > 0x7F)
		return -EINVAL;
	*v = t->val[0];
	return 0;
}

static int dli2_read_number(const struct ber *outer, struct map_q931_number *n)
{
	const uint8_t *p = outer->val, *end = outer->val + outer->len;
	struct ber c, party, f;

	memset(n, 0, sizeof(*n));
	n->npi = 1;
	if (ber_next(&p, end, &c) < 0)
		return -EINVAL;
	if (c.tag == 0x81 || c.tag == 0x82) {	/* restricted / not available, no number */
		n->pres = c.tag == 0x81 ? MAP_PRES_RESTRICTED : MAP_PRES_NOT_AVAILABLE;
		return 0;
	}
	if (c.tag != 0xA0 && c.tag != 0xA3)
		return -EINVAL;
	n->pres = c.tag == 0xA0 ? MAP_PRES_ALLOWED : MAP_PRES_RESTRICTED;
	p = c.val;
	if (ber_next(&p, c.val + c.len, &party) < 0 || party.tag != 0xA1)
		return -EINVAL;
	p = party.val;
	if (ber_next(&p, party.val + party.len, &f) < 0 || ber_int(&f, 0x0A, &n->ton) < 0 ||
	    ber_next(&p, party.val + party.len, &f) < 0 || f.tag != 0x12 || !f.len || f.len > MAP_DIGITS_MAX)
		return -EINVAL;
	memcpy(n->digits, f.val, f.len);
	n->digits[f.len] = '\0';
	if (strspn(n->digits, "0123456789*#") != f.len)
		return -EINVAL;
	n->present = 1;
	return 0;
}

static int dli2_read_arg(struct map_q931 *q, const struct ber *arg)
{
	const uint8_t *p = arg->val, *end = arg->val + arg->len;
	struct ber t;

	if (ber_next(&p, end, &t) < 0 || ber_int(&t, 0x02, &q->div_counter) < 0 || ber_next(&p, end, &t) < 0 ||
	    ber_int(&t, 0x0A, &q->div_reason) < 0)
		return -EINVAL;
	q->div_orig_reason = -1;
	while (p < end) {
		if (ber_next(&p, end, &t) < 0)
			return -EINVAL;
		if (t.tag == 0x80 && ber_int(&t, 0x80, &q->div_orig_reason) < 0)
			return -EINVAL;
		if (t.tag == 0xA1 && dli2_read_number(&t, &q->redirecting) < 0)
			return -EINVAL;
		if (t.tag == 0xA2 && dli2_read_number(&t, &q->orig_called) < 0)
			return -EINVAL;
	}
	q->redir_present = 1;
	return 0;
}

int map_dli2_decode(struct map_q931 *q, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf + 1, *end = buf + len;
	int qsig = q->proto == MAP_PROTO_QSIG, id, op;
	struct ber t, s;

	if (len < 2 || buf[0] != (qsig ? PROFILE_QSIG : PROFILE_ETSI))
		return -EINVAL;
	do {	/* skip the network facility extension and interpretation APDU */
		if (ber_next(&p, end, &t) < 0)
			return -EINVAL;
	} while (t.tag != 0xA1);
	p = t.val;
	end = t.val + t.len;
	if (ber_next(&p, end, &s) < 0 || ber_int(&s, 0x02, &id) < 0 || ber_next(&p, end, &s) < 0 ||
	    ber_int(&s, 0x02, &op) < 0 || op != (qsig ? DLI2_OP_QSIG : DLI2_OP_ETSI) || ber_next(&p, end, &s) < 0 ||
	    s.tag != 0x30)
		return -EINVAL;
	return dli2_read_arg(q, &s);
}
