/*
 * tdm_isup_parm.c - the IAM's optional part in the frames libss7 exchanges over its signalling
 * channel (ITU-T Q.703 2.2 signal unit format, Q.704 2.2 routing label, Q.763 1.3 and table 32
 * for the IAM: five octets of mandatory fixed part, one mandatory variable parameter (called
 * party number), optional part).  Pointers count from the pointer octet itself (Q.763 1.3.2).
 */
#include <errno.h>
#include <string.h>

#include "tdm_isup_parm.h"

#define TDM_ISUP_PARM_SIO 3		/* offset of the service information octet */
#define TDM_ISUP_PARM_CIC 8		/* after the 4-octet ITU routing label */
#define TDM_ISUP_PARM_TYPE 10
#define TDM_ISUP_PARM_IAM_FIXED 5	/* NCI, FCI (2), calling party's category, TMR */
#define TDM_ISUP_PARM_PTR_CALLED (TDM_ISUP_PARM_TYPE + 1 + TDM_ISUP_PARM_IAM_FIXED)
#define TDM_ISUP_PARM_PTR_OPT (TDM_ISUP_PARM_PTR_CALLED + 1)
#define TDM_ISUP_PARM_PTR_MAX 255

/* where the parts of a well-formed IAM are */
struct tdm_isup_parm_iam {
	size_t mand_end;	/* first octet after the called party number */
	size_t opt_start;	/* first optional parameter, 0 when there is no optional part */
	size_t end;		/* the end of optional parameters octet (opt_start != 0) */
};

int tdm_isup_parm_parse(const uint8_t *f, size_t len, struct tdm_isup_parm_msg *out)
{
	if (!f || len < TDM_ISUP_PARM_MTP2_LEN)
		return -EINVAL;
	if ((f[2] & 0x3f) < 3)
		return -ENOMSG;	/* FISU (LI 0) or LSSU (LI 1, 2) */
	if (len <= TDM_ISUP_PARM_SIO)
		return -EINVAL;
	if ((f[TDM_ISUP_PARM_SIO] & 0x0f) != TDM_ISUP_PARM_SI_ISUP)
		return -ENOMSG;
	if (len <= TDM_ISUP_PARM_TYPE)
		return -EINVAL;
	out->ni = f[3] >> 6;
	out->dpc = f[4] | (unsigned int)(f[5] & 0x3f) << 8;
	out->opc = f[5] >> 6 | (unsigned int)f[6] << 2 | (unsigned int)(f[7] & 0x0f) << 10;
	out->sls = f[7] >> 4;
	out->cic = f[TDM_ISUP_PARM_CIC] | (f[TDM_ISUP_PARM_CIC + 1] & 0x0f) << 8;
	out->type = f[TDM_ISUP_PARM_TYPE];
	return 0;
}

int tdm_isup_parm_is_iam(const uint8_t *f, size_t len, int cic)
{
	struct tdm_isup_parm_msg m;

	return !tdm_isup_parm_parse(f, len, &m) && m.type == TDM_ISUP_PARM_IAM && m.cic == cic;
}

/* walk the optional part from l->opt_start to its end octet, which must be the frame's last */
static int tdm_isup_parm_walk_opt(const uint8_t *f, size_t len, struct tdm_isup_parm_iam *l)
{
	size_t pos = l->opt_start;

	while (pos < len && f[pos] != TDM_ISUP_PARM_END) {
		if (pos + 1 >= len)
			return -EINVAL;
		pos += 2 + (size_t)f[pos + 1];
	}
	if (pos + 1 != len)
		return -EINVAL;	/* no end octet, a parameter overruns the frame, or octets after the end */
	l->end = pos;
	return 0;
}

static int tdm_isup_parm_iam_layout(const uint8_t *f, size_t len, struct tdm_isup_parm_iam *l)
{
	struct tdm_isup_parm_msg m;
	size_t called;
	int ret = tdm_isup_parm_parse(f, len, &m);

	if (ret)
		return ret;
	if (m.type != TDM_ISUP_PARM_IAM)
		return -ENOMSG;
	if (len <= TDM_ISUP_PARM_PTR_OPT || !f[TDM_ISUP_PARM_PTR_CALLED])
		return -EINVAL;
	called = TDM_ISUP_PARM_PTR_CALLED + (size_t)f[TDM_ISUP_PARM_PTR_CALLED];
	if (called <= TDM_ISUP_PARM_PTR_OPT || called >= len)
		return -EINVAL;
	l->mand_end = called + 1 + (size_t)f[called];
	if (l->mand_end > len)
		return -EINVAL;
	l->end = 0;
	if (!f[TDM_ISUP_PARM_PTR_OPT]) {
		l->opt_start = 0;
		return l->mand_end == len ? 0 : -EINVAL;
	}
	l->opt_start = TDM_ISUP_PARM_PTR_OPT + (size_t)f[TDM_ISUP_PARM_PTR_OPT];
	if (l->opt_start < l->mand_end || l->opt_start >= len)
		return -EINVAL;
	return tdm_isup_parm_walk_opt(f, len, l);
}

/* offset of parameter code in the optional part, or 0 */
static size_t tdm_isup_parm_find(const uint8_t *f, const struct tdm_isup_parm_iam *l, uint8_t code)
{
	size_t pos;

	if (!l->opt_start)
		return 0;
	for (pos = l->opt_start; pos < l->end; pos += 2 + (size_t)f[pos + 1])
		if (f[pos] == code)
			return pos;
	return 0;
}

static void tdm_isup_parm_set_li(uint8_t *f, size_t len)
{
	size_t li = len - TDM_ISUP_PARM_MTP2_LEN;

	f[2] = (uint8_t)((f[2] & 0xc0) | (li > TDM_ISUP_PARM_LI_MAX ? TDM_ISUP_PARM_LI_MAX : li));
}

static void tdm_isup_parm_put(uint8_t *p, const struct tdm_isup_parm_opt *opts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*p++ = opts[i].code;
		*p++ = opts[i].len;
		if (opts[i].len)
			memcpy(p, opts[i].val, opts[i].len);
		p += opts[i].len;
	}
}

int tdm_isup_parm_iam_insert(uint8_t *f, size_t *len, size_t cap, const struct tdm_isup_parm_opt *opts, size_t n)
{
	struct tdm_isup_parm_iam l;
	size_t i, total = 0, at;
	int ret = tdm_isup_parm_iam_layout(f, *len, &l);

	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (opts[i].code == TDM_ISUP_PARM_END || (opts[i].len && !opts[i].val))
			return -EINVAL;
		if (tdm_isup_parm_find(f, &l, opts[i].code))
			return -EEXIST;
		total += 2 + (size_t)opts[i].len;
	}
	if (!n)
		return 0;
	if (l.opt_start) {
		if (*len + total > cap)
			return -ENOSPC;
		at = l.end;
		memmove(f + at + total, f + at, *len - at);
	} else {
		at = l.mand_end;
		if (*len + total + 1 > cap || at - TDM_ISUP_PARM_PTR_OPT > TDM_ISUP_PARM_PTR_MAX)
			return -ENOSPC;
		f[TDM_ISUP_PARM_PTR_OPT] = (uint8_t)(at - TDM_ISUP_PARM_PTR_OPT);
		f[at + total] = TDM_ISUP_PARM_END;
		total++;
	}
	tdm_isup_parm_put(f + at, opts, n);
	*len += total;
	tdm_isup_parm_set_li(f, *len);
	return 0;
}

int tdm_isup_parm_iam_extract(uint8_t *f, size_t *len, uint8_t code, uint8_t *val, size_t cap, size_t *vlen)
{
	struct tdm_isup_parm_iam l;
	size_t pos, plen;
	int ret = tdm_isup_parm_iam_layout(f, *len, &l);

	if (ret)
		return ret;
	pos = code == TDM_ISUP_PARM_END ? 0 : tdm_isup_parm_find(f, &l, code);
	if (!pos)
		return 0;
	plen = f[pos + 1];
	if (plen > cap)
		return -ENOSPC;
	if (plen)
		memcpy(val, f + pos + 2, plen);
	*vlen = plen;
	memmove(f + pos, f + pos + 2 + plen, *len - pos - 2 - plen);
	*len -= 2 + plen;
	if (f[l.opt_start] == TDM_ISUP_PARM_END && l.opt_start == l.mand_end) {
		/* nothing optional left: drop the end octet and the pointer */
		*len -= 1;
		f[TDM_ISUP_PARM_PTR_OPT] = 0;
	}
	tdm_isup_parm_set_li(f, *len);
	return 1;
}

int tdm_isup_parm_acm_set_status(uint8_t *f, size_t len, int status)
{
	struct tdm_isup_parm_msg m;
	int ret = tdm_isup_parm_parse(f, len, &m);

	if (ret)
		return ret;
	if (m.type != TDM_ISUP_PARM_ACM)
		return -ENOMSG;
	if (status < 0 || status > 3 || len < TDM_ISUP_PARM_TYPE + 3)
		return -EINVAL;	/* the two octets of backward call indicators follow the type */
	f[TDM_ISUP_PARM_TYPE + 1] = (uint8_t)((f[TDM_ISUP_PARM_TYPE + 1] & ~0x0c) | status << 2);
	return 0;
}
