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

/* ---- what libss7 will read: checked before it reads it ---- */

#define TDM_ISUP_PARM_SIF_MAX 272	/* Q.703 2.3.8: m = 272 */
#define TDM_ISUP_PARM_LABEL 4		/* routing label, after the SIO */
#define TDM_ISUP_PARM_SI_SPARE 0x0f
#define TDM_ISUP_PARM_RANGE_MAX 31	/* 32 circuits; libss7's own limit for GRA/CGBA/CGUA too */
#define TDM_ISUP_PARM_RS 0x16		/* range and status */
/* address octets of a number: libss7 decodes them into 50-character fields (48 digits) */
#define TDM_ISUP_PARM_NUM 24

enum tdm_isup_parm_rs {
	TDM_ISUP_PARM_RS_RESET = 1,	/* GRS: range 1-31, no status */
	TDM_ISUP_PARM_RS_QUERY,		/* CQM: range 0-31, no status */
	TDM_ISUP_PARM_RS_STATUS,	/* GRA, CGB, CGU, CGBA, CGUA: range 1-31, range + 1 status bits */
};

/* ITU message formats (Q.763 tables 21-53) as libss7 reads them */
static const struct tdm_isup_parm_fmt {
	uint8_t type;
	uint8_t fixed;		/* octets of the mandatory fixed part */
	uint8_t nvar;		/* mandatory variable parameters, their codes in var[] */
	uint8_t var[1];
	uint8_t opt;		/* 1: an optional part (pointer) follows */
	uint8_t rs;		/* enum tdm_isup_parm_rs for the range and status parameter */
} tdm_isup_parm_fmts[] = {
	{ 0x01, 5, 1, { 0x04 }, 1, 0 },				/* IAM */
	{ 0x02, 0, 1, { 0x05 }, 1, 0 },				/* SAM */
	{ 0x03, 2, 0, { 0 }, 1, 0 },				/* INR */
	{ 0x04, 2, 0, { 0 }, 1, 0 },				/* INF */
	{ 0x05, 1, 0, { 0 }, 0, 0 },				/* COT */
	{ 0x06, 2, 0, { 0 }, 1, 0 },				/* ACM */
	{ 0x07, 2, 0, { 0 }, 1, 0 },				/* CON */
	{ 0x08, 0, 0, { 0 }, 1, 0 },				/* FOT */
	{ 0x09, 0, 0, { 0 }, 1, 0 },				/* ANM */
	{ 0x0c, 0, 1, { 0x12 }, 1, 0 },				/* REL */
	{ 0x0d, 1, 0, { 0 }, 1, 0 },				/* SUS */
	{ 0x0e, 1, 0, { 0 }, 1, 0 },				/* RES */
	{ 0x10, 0, 0, { 0 }, 1, 0 },				/* RLC */
	{ 0x11, 0, 0, { 0 }, 0, 0 },				/* CCR */
	{ 0x12, 0, 0, { 0 }, 0, 0 },				/* RSC */
	{ 0x13, 0, 0, { 0 }, 0, 0 },				/* BLO */
	{ 0x14, 0, 0, { 0 }, 0, 0 },				/* UBL */
	{ 0x15, 0, 0, { 0 }, 0, 0 },				/* BLA */
	{ 0x16, 0, 0, { 0 }, 0, 0 },				/* UBA */
	{ 0x17, 0, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_RESET },	/* GRS */
	{ 0x18, 1, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_STATUS },	/* CGB */
	{ 0x19, 1, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_STATUS },	/* CGU */
	{ 0x1a, 1, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_STATUS },	/* CGBA */
	{ 0x1b, 1, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_STATUS },	/* CGUA */
	{ 0x1f, 1, 0, { 0 }, 1, 0 },				/* FAR */
	{ 0x20, 1, 0, { 0 }, 1, 0 },				/* FAA */
	{ 0x24, 0, 0, { 0 }, 0, 0 },				/* LPA */
	{ 0x29, 0, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_STATUS },	/* GRA */
	{ 0x2a, 0, 1, { TDM_ISUP_PARM_RS }, 0, TDM_ISUP_PARM_RS_QUERY },	/* CQM */
	{ 0x2c, 1, 0, { 0 }, 1, 0 },				/* CPG */
	{ 0x2e, 0, 0, { 0 }, 0, 0 },				/* UCIC */
	{ 0x2f, 0, 1, { 0x12 }, 1, 0 },				/* CFN */
	{ 0xeb, 0, 0, { 0 }, 0, 0 },				/* CVR (libss7's code) */
	{ 0xec, 0, 0, { 0 }, 0, 0 },				/* CVT (libss7's code) */
	/* not here: FRJ (libss7 reads no cause pointer), CQR (libss7 frees the CIC's call on it) */
};

/* contents libss7 decodes: octets it reads (and must be the length when min == max), and at most */
static const struct tdm_isup_parm_lim {
	uint8_t code, min, max;
} tdm_isup_parm_lims[] = {
	{ 0x01, 5, 255 }, { 0x02, 1, 1 }, { 0x04, 2, 2 + TDM_ISUP_PARM_NUM }, { 0x05, 1, 1 + TDM_ISUP_PARM_NUM },
	{ 0x06, 1, 1 }, { 0x07, 2, 2 }, { 0x08, 1, 1 }, { 0x09, 1, 1 }, { 0x0a, 2, 2 + TDM_ISUP_PARM_NUM },
	{ 0x0b, 2, 2 + TDM_ISUP_PARM_NUM }, { 0x0e, 2, 2 }, { 0x0f, 2, 2 }, { 0x10, 1, 1 }, { 0x11, 2, 2 },
	{ 0x12, 2, 255 }, { 0x13, 2, 2 }, { 0x15, 1, 1 }, { 0x18, 1, 1 }, { 0x1a, 4, 4 },
	{ 0x21, 2, 2 + TDM_ISUP_PARM_NUM }, { 0x22, 1, 1 }, { 0x24, 1, 1 }, { 0x28, 2, 2 + TDM_ISUP_PARM_NUM },
	{ 0x29, 1, 1 }, { 0x3d, 1, 1 }, { 0x77, 1, 1 }, { 0xc0, 3, 3 + TDM_ISUP_PARM_NUM },
	{ 0xc1, 1, 1 + TDM_ISUP_PARM_NUM }, { 0xc4, 0, TDM_ISUP_PARM_NUM }, { 0xc7, 1, 16 },
	{ 0xe4, 2, 2 + TDM_ISUP_PARM_NUM }, { 0xea, 1, 1 }, { 0xeb, 2, 2 + TDM_ISUP_PARM_NUM },
};

#define TDM_ISUP_PARM_N(a) (sizeof(a) / sizeof((a)[0]))

static int tdm_isup_parm_bad(const char **why, const char *what)
{
	*why = what;
	return -EINVAL;
}

static int tdm_isup_parm_check_mtp2(const uint8_t *f, size_t len, const char **why)
{
	size_t n;

	*why = NULL;
	if (!f || len < TDM_ISUP_PARM_MTP2_LEN) {
		*why = "shorter than an MTP2 header";
		return -EBADMSG;
	}
	n = len - TDM_ISUP_PARM_MTP2_LEN;
	if (n > 1 + TDM_ISUP_PARM_SIF_MAX)
		*why = "longer than an MSU";
	else if ((f[2] & 0x3f) != (n > TDM_ISUP_PARM_LI_MAX ? TDM_ISUP_PARM_LI_MAX : n))
		*why = "LI does not match the length";
	return *why ? -EBADMSG : 0;
}

/* MTP3 management (Q.704 15): heading, and the parameter octets libss7 reads for COO, COA, CBD, CBA, TFP, TFA */
static int tdm_isup_parm_check_snm(const uint8_t *f, size_t len, const char **why)
{
	size_t h = TDM_ISUP_PARM_CIC, need = 1;

	if (len > h && (f[h] == 0x11 || f[h] == 0x21 || f[h] == 0x51 || f[h] == 0x61))
		need = 2;
	else if (len > h && (f[h] == 0x14 || f[h] == 0x54))
		need = 3;
	return len < h + need ? tdm_isup_parm_bad(why, "network management message truncated") : 0;
}

/* signalling link test (Q.707 2): heading, length octet and test pattern */
static int tdm_isup_parm_check_test(const uint8_t *f, size_t len, const char **why)
{
	size_t h = TDM_ISUP_PARM_CIC;

	if (len < h + 2 || len < h + 2 + (f[h + 1] >> 4))
		return tdm_isup_parm_bad(why, "link test message truncated");
	return 0;
}

static const struct tdm_isup_parm_fmt *tdm_isup_parm_fmt(int type)
{
	for (size_t i = 0; i < TDM_ISUP_PARM_N(tdm_isup_parm_fmts); i++)
		if (tdm_isup_parm_fmts[i].type == type)
			return &tdm_isup_parm_fmts[i];
	return NULL;
}

/* a parameter's contents p[0..n-1] against what libss7 reads of it */
static int tdm_isup_parm_check_lim(uint8_t code, size_t n, const char **why)
{
	for (size_t i = 0; i < TDM_ISUP_PARM_N(tdm_isup_parm_lims); i++)
		if (tdm_isup_parm_lims[i].code == code) {
			if (n < tdm_isup_parm_lims[i].min || n > tdm_isup_parm_lims[i].max)
				return tdm_isup_parm_bad(why, "parameter length out of bounds");
			return 0;
		}
	return 0;
}

/* range and status (Q.763 3.43) */
static int tdm_isup_parm_check_rs(const uint8_t *p, size_t n, int rs, const char **why)
{
	if (n < 1)
		return tdm_isup_parm_bad(why, "range and status empty");
	if (p[0] > TDM_ISUP_PARM_RANGE_MAX || (rs != TDM_ISUP_PARM_RS_QUERY && p[0] == 0))
		return tdm_isup_parm_bad(why, "range out of bounds");
	if (rs == TDM_ISUP_PARM_RS_STATUS && n < 1 + (size_t)(p[0] + 8) / 8)
		return tdm_isup_parm_bad(why, "status bits missing");
	return 0;
}

/* mandatory variable parameter i, its pointer at ptr; parameters start at body */
static int tdm_isup_parm_check_var(const uint8_t *f, size_t len, size_t ptr, size_t body,
				   const struct tdm_isup_parm_fmt *fm, const char **why)
{
	size_t p = ptr + f[ptr], n;

	if (!f[ptr] || p < body || p >= len)
		return tdm_isup_parm_bad(why, "mandatory variable parameter pointer out of bounds");
	n = f[p];
	if (p + 1 + n > len)
		return tdm_isup_parm_bad(why, "mandatory variable parameter overruns the message");
	if (fm->var[0] == TDM_ISUP_PARM_RS)
		return tdm_isup_parm_check_rs(f + p + 1, n, fm->rs, why);
	return tdm_isup_parm_check_lim(fm->var[0], n, why);
}

/* the optional part from pos: every parameter within the frame, then the end octet */
static int tdm_isup_parm_check_opt(const uint8_t *f, size_t len, size_t pos, const char **why)
{
	int ret;

	while (pos < len && f[pos] != TDM_ISUP_PARM_END) {
		if (pos + 1 >= len || pos + 2 + (size_t)f[pos + 1] > len)
			return tdm_isup_parm_bad(why, "optional parameter overruns the message");
		if (f[pos] == TDM_ISUP_PARM_RS)
			return tdm_isup_parm_bad(why, "range and status as an optional parameter");
		ret = tdm_isup_parm_check_lim(f[pos], f[pos + 1], why);
		if (ret)
			return ret;
		pos += 2 + (size_t)f[pos + 1];
	}
	return pos < len ? 0 : tdm_isup_parm_bad(why, "no end of optional parameters");
}

static int tdm_isup_parm_check_isup(const uint8_t *f, size_t len, int type, const char **why)
{
	const struct tdm_isup_parm_fmt *fm = tdm_isup_parm_fmt(type);
	size_t ptrs = TDM_ISUP_PARM_TYPE + 1, body, opt;
	int ret = 0;

	if (!fm)
		return tdm_isup_parm_bad(why, "message type not handled");
	ptrs += fm->fixed;
	body = ptrs + fm->nvar + fm->opt;
	if (len < body)
		return tdm_isup_parm_bad(why, "mandatory part truncated");
	for (size_t i = 0; i < fm->nvar && !ret; i++)
		ret = tdm_isup_parm_check_var(f, len, ptrs + i, body, fm, why);
	opt = ptrs + fm->nvar;
	if (ret || !fm->opt || !f[opt])
		return ret;
	if (opt + f[opt] < body || opt + f[opt] >= len)
		return tdm_isup_parm_bad(why, "optional part pointer out of bounds");
	return tdm_isup_parm_check_opt(f, len, opt + f[opt], why);
}

int tdm_isup_parm_check(const uint8_t *f, size_t len, struct tdm_isup_parm_msg *m, const char **why)
{
	struct tdm_isup_parm_msg tmp;
	int ret = tdm_isup_parm_check_mtp2(f, len, why);

	if (!m)
		m = &tmp;
	m->cic = m->type = -1;
	if (ret || (f[2] & 0x3f) < 3)
		return ret;
	if (len < TDM_ISUP_PARM_CIC)
		return tdm_isup_parm_bad(why, "MSU shorter than its routing label");
	switch (f[TDM_ISUP_PARM_SIO] & 0x0f) {
	case 0:
		return tdm_isup_parm_check_snm(f, len, why);
	case 1:
	case 2:
		return tdm_isup_parm_check_test(f, len, why);
	case TDM_ISUP_PARM_SI_ISUP:
		break;
	default:
		return 0;	/* libss7 drops other user parts after reading the routing label */
	}
	if (tdm_isup_parm_parse(f, len, m))
		return tdm_isup_parm_bad(why, "no CIC or message type");
	return tdm_isup_parm_check_isup(f, len, m->type, why);
}

size_t tdm_isup_parm_neutralize(uint8_t *f, size_t len)
{
	uint8_t label[TDM_ISUP_PARM_LABEL] = { 0 };

	if (len >= TDM_ISUP_PARM_CIC)
		memcpy(label, f + TDM_ISUP_PARM_SIO + 1, sizeof(label));
	f[TDM_ISUP_PARM_SIO] = (uint8_t)((f[TDM_ISUP_PARM_SIO] & 0xf0) | TDM_ISUP_PARM_SI_SPARE);
	memcpy(f + TDM_ISUP_PARM_SIO + 1, label, sizeof(label));
	tdm_isup_parm_set_li(f, TDM_ISUP_PARM_CIC);
	return TDM_ISUP_PARM_CIC;
}
