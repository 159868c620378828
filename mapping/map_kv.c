/*
 * map_kv.c - the TDM side of a call as key=value lines (gwmap's format, see gwmap(1)).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_dli2.h"
#include "map_kv.h"

/* the four ISUP numbers: key name, raw key, Q.763 parameter code, place in struct map_isup */
static const struct {
	const char *name, *raw;
	int code;
	size_t off;
} isup_nums[] = {
	{ "called", "isup.called_party_number", MAP_ISUP_CALLED_PARTY_NUMBER, offsetof(struct map_isup, called) },
	{ "calling", "isup.calling_party_number", MAP_ISUP_CALLING_PARTY_NUMBER, offsetof(struct map_isup, calling) },
	{ "redirecting", "isup.redirecting_number", MAP_ISUP_REDIRECTING_NUMBER, offsetof(struct map_isup, redirecting) },
	{ "original_called", "isup.original_called_number", MAP_ISUP_ORIGINAL_CALLED_NUMBER,
	  offsetof(struct map_isup, orig_called) },
};

#define ISUP_NUMS (sizeof(isup_nums) / sizeof(isup_nums[0]))

/* ---- reading ---- */

static int kv_err(struct map_diag *d, const char *file, int line, const char *what, const char *key)
{
	int n = (int)strcspn(key, "\r\n");

	map_diag_add(d, MAP_DIAG_ERROR, "%s:%d: %s '%.*s'", file, line, what, n > 60 ? 60 : n, key);
	return -EINVAL;
}

int map_kv_parse(struct map_kv *kv, const char *text, const char *file, struct map_diag *d)
{
	const char *p = text, *nl, *eq;
	int line = 0, i;
	size_t n, klen;

	memset(kv, 0, sizeof(*kv));
	while (*p) {
		line++;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		while (n && (p[n - 1] == '\r' || isspace((unsigned char)p[n - 1])))
			n--;
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		if (n && *p != '#') {
			eq = memchr(p, '=', n);
			if (!eq || eq == p)
				return kv_err(d, file, line, "expected key=value, got", p);
			klen = (size_t)(eq - p);
			if (klen >= MAP_KV_KEY || n - klen - 1 >= MAP_KV_VAL)
				return kv_err(d, file, line, "key or value too long in", p);
			if (kv->n == MAP_KV_MAX)
				return kv_err(d, file, line, "too many keys at", p);
			memcpy(kv->e[kv->n].key, p, klen);
			kv->e[kv->n].key[klen] = '\0';
			memcpy(kv->e[kv->n].val, eq + 1, n - klen - 1);
			kv->e[kv->n].val[n - klen - 1] = '\0';
			kv->e[kv->n].line = line;
			for (i = 0; i < kv->n; i++)
				if (!strcmp(kv->e[i].key, kv->e[kv->n].key))
					return kv_err(d, file, line, "duplicate key", kv->e[i].key);
			kv->n++;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	return 0;
}

static int kv_find(struct map_kv *kv, const char *key)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->e[i].key, key)) {
			kv->e[i].used = 1;
			return i;
		}
	return -1;
}

/* 1 found, 0 absent, -EINVAL bad */
static int kv_int(struct map_kv *kv, const char *file, const char *key, int min, int max, int *out,
		  struct map_diag *d)
{
	char *end, why[64];
	long v;
	int i = kv_find(kv, key);

	if (i < 0)
		return 0;
	v = strtol(kv->e[i].val, &end, 10);
	if (!kv->e[i].val[0] || *end || v < min || v > max) {
		snprintf(why, sizeof(why), "value '%.20s' out of range %d-%d for", kv->e[i].val, min, max);
		return kv_err(d, file, kv->e[i].line, why, key);
	}
	*out = (int)v;
	return 1;
}

static int kv_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1 found, 0 absent, -EINVAL bad */
static int kv_hex(struct map_kv *kv, const char *file, const char *key, uint8_t *buf, size_t max, size_t *len,
		  struct map_diag *d)
{
	int i = kv_find(kv, key), hi, lo;
	const char *v;
	size_t n, k;

	if (i < 0)
		return 0;
	v = kv->e[i].val;
	n = strlen(v);
	if (n == 0 || n % 2 || n / 2 > max)
		return kv_err(d, file, kv->e[i].line, "hex value of odd length, empty or too long for", key);
	for (k = 0; k < n / 2; k++) {
		hi = kv_hexval((unsigned char)v[2 * k]);
		lo = kv_hexval((unsigned char)v[2 * k + 1]);
		if (hi < 0 || lo < 0)
			return kv_err(d, file, kv->e[i].line, "not hex:", key);
		buf[k] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 1;
}

static int kv_str(struct map_kv *kv, const char *key, char *out, size_t len)
{
	int i = kv_find(kv, key);

	if (i < 0)
		return 0;
	snprintf(out, len, "%s", kv->e[i].val);
	return 1;
}

static int kv_unused(struct map_kv *kv, const char *file, struct map_diag *d)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (!kv->e[i].used)
			return kv_err(d, file, kv->e[i].line, "unknown key (see gwmap(1))", kv->e[i].key);
	return 0;
}

/* keys sip2tdm prints for this protocol that are derived, not inputs: accepted, ignored, noted */
static void kv_ignore(struct map_kv *kv, const char *file, const char *const *keys, struct map_diag *d)
{
	int i;

	for (; *keys; keys++) {
		i = kv_find(kv, *keys);
		if (i >= 0)
			map_diag_add(d, MAP_DIAG_NOTE, "%s:%d: '%s' is derived (printed by sip2tdm), ignored", file,
				     kv->e[i].line, *keys);
	}
}

/* the UM extensions travel in user-to-user data: the um.* lines only show what sip2tdm found */
static const char *const isup_derived[] = { "um.skip_pin", "um.sensitivity", NULL };

/* on Q.931, QSIG and ETSI the redirection.* lines show the same call in ISUP codepoints */
static const char *const q931_derived[] = {
	"um.skip_pin", "um.sensitivity", "redirection.indicator", "redirection.reason",
	"redirection.original_reason", "redirection.counter", NULL,
};

/* number keys: <name>, <name>.nai|.ton, .npi, .pres, .screen */
struct kv_num {
	char digits[MAP_DIGITS_MAX + 1];
	int present, nai, npi, pres, screen;
};

static int kv_number(struct map_kv *kv, const char *file, const char *name, int ton_key, struct kv_num *n,
		     struct map_diag *d)
{
	char key[MAP_KV_KEY + 16];
	int ret = 0, i;

	memset(n, 0, sizeof(*n));
	n->npi = 1;
	n->nai = ton_key ? 0 : MAP_NAI_UNKNOWN;
	i = kv_find(kv, name);
	if (i >= 0) {
		if (strlen(kv->e[i].val) > MAP_DIGITS_MAX)
			return kv_err(d, file, kv->e[i].line, "too many digits in", name);
		if (strspn(kv->e[i].val, "0123456789*#") != strlen(kv->e[i].val))
			return kv_err(d, file, kv->e[i].line, "not address signals (0-9 * #) in", name);
		strcpy(n->digits, kv->e[i].val);
		n->present = n->digits[0] != '\0';
	}
	snprintf(key, sizeof(key), "%s.%s", name, ton_key ? "ton" : "nai");
	if (ret >= 0)	/* ISUP NAI 0 is spare */
		ret = kv_int(kv, file, key, ton_key ? 0 : 1, ton_key ? 7 : 127, &n->nai, d);
	snprintf(key, sizeof(key), "%s.npi", name);
	if (ret >= 0)
		ret = kv_int(kv, file, key, 0, 15, &n->npi, d);
	snprintf(key, sizeof(key), "%s.pres", name);
	if (ret >= 0)
		ret = kv_int(kv, file, key, 0, 3, &n->pres, d);
	snprintf(key, sizeof(key), "%s.screen", name);
	if (ret >= 0)
		ret = kv_int(kv, file, key, 0, 3, &n->screen, d);
	return ret < 0 ? ret : 0;
}

static void kv_num_isup(const struct kv_num *in, struct map_isup_number *o)
{
	memset(o, 0, sizeof(*o));
	o->present = in->present;
	snprintf(o->digits, sizeof(o->digits), "%s", in->digits);
	o->nai = in->nai;
	o->npi = in->npi;
	o->pres = in->pres;
	o->screen = in->screen;
}

static int kv_isup_raw(struct map_kv *kv, const char *file, const char *key, int code, struct map_isup_number *n,
		       struct map_diag *d)
{
	uint8_t buf[MAP_ISUP_NUM_OCTETS + 8];
	size_t len;
	int ret = kv_hex(kv, file, key, buf, sizeof(buf), &len, d);

	if (ret <= 0)
		return ret;
	if (map_isup_number_decode(n, code, buf, len) < 0)
		return kv_err(d, file, kv->e[kv_find(kv, key)].line, "malformed ISUP number in", key);
	return 0;
}

static int kv_isup_numbers(struct map_kv *kv, const char *file, struct map_isup *o, struct map_diag *d)
{
	struct kv_num n;
	size_t i;
	int ret;

	for (i = 0; i < ISUP_NUMS; i++) {
		struct map_isup_number *dst = (struct map_isup_number *)((char *)o + isup_nums[i].off);

		ret = kv_number(kv, file, isup_nums[i].name, 0, &n, d);
		if (ret < 0)
			return ret;
		kv_num_isup(&n, dst);
		ret = kv_isup_raw(kv, file, isup_nums[i].raw, isup_nums[i].code, dst, d);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int kv_uui(struct map_kv *kv, const char *file, const char *raw, unsigned char *uui, size_t *uui_len,
		  struct map_diag *d)
{
	char text[MAP_KV_VAL];
	size_t len;
	int ret;

	kv_find(kv, "uui");	/* the decoded text; the raw key wins */
	ret = kv_hex(kv, file, raw, uui, MAP_UUI_MAX, &len, d);

	if (ret < 0)
		return ret;
	if (ret) {
		*uui_len = len;
		return 0;
	}
	if (kv_str(kv, "uui", text, sizeof(text)) && text[0]) {
		len = strlen(text);
		if (len + 1 > MAP_UUI_MAX)
			return kv_err(d, file, kv->e[kv_find(kv, "uui")].line, "payload too long:", "uui");
		uui[0] = MAP_UUI_PD;
		memcpy(uui + 1, text, len);
		*uui_len = len + 1;
	}
	return 0;
}

int map_kv_to_isup(struct map_kv *kv, const char *file, struct map_isup *o, struct map_diag *d)
{
	uint8_t buf[4];
	size_t len;
	int ret, r[4];

	memset(o, 0, sizeof(*o));
	ret = kv_isup_numbers(kv, file, o, d);
	if (ret < 0)
		return ret;
	r[0] = kv_int(kv, file, "redirection.indicator", 0, 7, &o->redir_ind, d);
	r[1] = kv_int(kv, file, "redirection.reason", 0, 15, &o->redir_reason, d);
	r[2] = kv_int(kv, file, "redirection.original_reason", 0, 15, &o->redir_orig_reason, d);
	r[3] = kv_int(kv, file, "redirection.counter", 0, 7, &o->redir_counter, d);
	if (r[0] < 0 || r[1] < 0 || r[2] < 0 || r[3] < 0)
		return -EINVAL;
	o->redir_present = r[0] > 0 || r[1] > 0 || r[2] > 0 || r[3] > 0;	/* any redirection.* key */
	ret = kv_hex(kv, file, "isup.redirection_information", buf, 2, &len, d);
	if (ret < 0 || (ret && map_isup_redir_info_decode(o, buf, len) < 0))
		return -EINVAL;
	ret = kv_int(kv, file, "diversion_treatment", 0, 3, &o->cdti, d);
	if (ret < 0)
		return ret;
	ret = kv_hex(kv, file, "isup.call_diversion_treatment", buf, 1, &len, d);
	if (ret < 0 || (ret && map_isup_cdti_decode(&o->cdti, buf, len) < 0))
		return -EINVAL;
	ret = kv_uui(kv, file, "isup.user_to_user", o->uui, &o->uui_len, d);
	if (ret < 0)
		return ret;
	kv_ignore(kv, file, isup_derived, d);
	return kv_unused(kv, file, d);
}

static void kv_num_q931(const struct kv_num *in, struct map_q931_number *o)
{
	memset(o, 0, sizeof(*o));
	o->present = in->present;
	snprintf(o->digits, sizeof(o->digits), "%s", in->digits);
	o->ton = in->nai;
	o->npi = in->npi;
	o->pres = in->pres;
	o->screen = in->screen;
}

/* a number from Q.931 keys: .ton wins, else .nai (ISUP codepoint) converted */
static int kv_q931_number(struct map_kv *kv, const char *file, const char *name, struct map_q931_number *o,
			  struct map_diag *d)
{
	char key[MAP_KV_KEY + 16];
	struct kv_num n;
	int nai, ret;

	int have_nai;

	snprintf(key, sizeof(key), "%s.nai", name);
	have_nai = kv_int(kv, file, key, 0, 127, &nai, d);
	if (have_nai < 0)
		return have_nai;
	ret = kv_number(kv, file, name, 1, &n, d);
	if (ret < 0)
		return ret;
	snprintf(key, sizeof(key), "%s.ton", name);
	if (kv_find(kv, key) < 0)
		n.nai = have_nai ? map_q931_ton_from_nai(nai) : 0;	/* .ton wins over .nai */
	kv_num_q931(&n, o);
	return 0;
}

static int kv_q931_numbers(struct map_kv *kv, const char *file, struct map_q931 *o, struct map_diag *d)
{
	static const struct {
		const char *name, *raw;
		int ie;
		size_t off;
	} nums[] = {
		{ "called", "q931.called_party_number", MAP_Q931_IE_CALLED_PARTY_NUMBER, offsetof(struct map_q931, called) },
		{ "calling", "q931.calling_party_number", MAP_Q931_IE_CALLING_PARTY_NUMBER,
		  offsetof(struct map_q931, calling) },
		{ "redirecting", "q931.redirecting_number", MAP_Q931_IE_REDIRECTING_NUMBER,
		  offsetof(struct map_q931, redirecting) },
		{ "original_called", NULL, 0, offsetof(struct map_q931, orig_called) },
	};
	uint8_t buf[MAP_DIGITS_MAX + 8];
	size_t i, len;
	int ret, reason;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		struct map_q931_number *dst = (struct map_q931_number *)((char *)o + nums[i].off);

		ret = kv_q931_number(kv, file, nums[i].name, dst, d);
		if (ret < 0)
			return ret;
		if (!nums[i].raw)
			continue;
		ret = kv_hex(kv, file, nums[i].raw, buf, sizeof(buf), &len, d);
		if (ret < 0)
			return ret;
		if (ret && map_q931_number_decode(dst, nums[i].ie, &reason, buf, len) < 0)
			return kv_err(d, file, kv->e[kv_find(kv, nums[i].raw)].line, "malformed Q.931 IE in",
				      nums[i].raw);
		if (ret && nums[i].ie == MAP_Q931_IE_REDIRECTING_NUMBER && reason >= 0) {
			o->reason = reason;
			o->redir_present = 1;
		}
	}
	return 0;
}

int map_kv_to_q931(struct map_kv *kv, const char *file, int proto, struct map_q931 *o, struct map_diag *d)
{
	const char *pfx = proto == MAP_PROTO_QSIG ? "qsig" : "etsi";
	char key[MAP_KV_KEY];
	int ret, r;

	memset(o, 0, sizeof(*o));
	o->proto = proto;
	o->div_orig_reason = -1;
	if (proto == MAP_PROTO_Q931) {
		r = kv_int(kv, file, "q931.reason", 0, 15, &o->reason, d);
		if (r < 0)
			return r;
		o->redir_present = r;
	} else {	/* ECMA-174: reasons 0-3, counter 1-15; EN 300 207-1: reasons 0-5, counter 1-5 */
		int qsig = proto == MAP_PROTO_QSIG;

		snprintf(key, sizeof(key), "%s.reason", pfx);
		r = kv_int(kv, file, key, 0, qsig ? 3 : 5, &o->div_reason, d);
		if (r < 0)
			return r;
		o->redir_present = r;
		snprintf(key, sizeof(key), "%s.counter", pfx);
		if (kv_int(kv, file, key, 1, qsig ? MAP_QSIG_COUNTER_MAX : MAP_ETSI_COUNTER_MAX, &o->div_counter, d) < 0)
			return -EINVAL;
		if (qsig && kv_int(kv, file, "qsig.original_reason", 0, 3, &o->div_orig_reason, d) < 0)
			return -EINVAL;
	}
	ret = kv_q931_numbers(kv, file, o, d);
	if (ret < 0)
		return ret;
	if (proto != MAP_PROTO_Q931) {
		uint8_t fac[MAP_DLI2_MAX];
		size_t len;

		snprintf(key, sizeof(key), "%s.facility", pfx);
		ret = kv_hex(kv, file, key, fac, sizeof(fac), &len, d);
		if (ret < 0)
			return ret;
		if (ret && map_dli2_decode(o, fac, len) < 0)
			return kv_err(d, file, kv->e[kv_find(kv, key)].line,
				      "not a DivertingLegInformation2 Facility for the protocol in", key);
	}
	ret = kv_uui(kv, file, "q931.user_user", o->uui, &o->uui_len, d);
	if (ret < 0)
		return ret;
	kv_ignore(kv, file, q931_derived, d);
	return kv_unused(kv, file, d);
}

/* ---- printing ---- */

void map_kv_hex(char *out, size_t outlen, const uint8_t *buf, size_t len)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < len && 2 * i + 2 < outlen; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
}

static void print_raw(FILE *fp, const char *key, const uint8_t *buf, int len)
{
	char hex[2 * 256 + 1];

	if (len <= 0)
		return;
	map_kv_hex(hex, sizeof(hex), buf, (size_t)len);
	fprintf(fp, "%s=%s\n", key, hex);
}

static void print_isup_number(FILE *fp, const char *name, const struct map_isup_number *n, int code)
{
	if (!n->present)
		return;
	fprintf(fp, "%s=%s\n%s.nai=%d\n%s.npi=%d\n", name, n->digits, name, n->nai, name, n->npi);
	if (code != MAP_ISUP_CALLED_PARTY_NUMBER)
		fprintf(fp, "%s.pres=%d\n", name, n->pres);
	if (code == MAP_ISUP_CALLING_PARTY_NUMBER)
		fprintf(fp, "%s.screen=%d\n", name, n->screen);
}

static void print_um(FILE *fp, const struct map_call *call, const unsigned char *uui, size_t uui_len)
{
	fprintf(fp, "um.skip_pin=%d\n", call->um.skip_pin);
	fprintf(fp, "um.sensitivity=%s\n",
		call->um.sens == MAP_SENS_UNKNOWN ? call->um.sens_raw : map_sens_name(call->um.sens));
	fprintf(fp, "uui=%.*s\n", uui_len > 1 ? (int)uui_len - 1 : 0, uui_len > 1 ? (const char *)uui + 1 : "");
}

void map_kv_print_isup(FILE *fp, const struct map_call *call, const struct map_isup *p)
{
	uint8_t buf[MAP_ISUP_NUM_OCTETS];
	size_t i;

	for (i = 0; i < ISUP_NUMS; i++)
		print_isup_number(fp, isup_nums[i].name, (const void *)((const char *)p + isup_nums[i].off),
				  isup_nums[i].code);
	if (p->redir_present)
		fprintf(fp, "redirection.indicator=%d\nredirection.reason=%d\nredirection.original_reason=%d\n"
			"redirection.counter=%d\n", p->redir_ind, p->redir_reason, p->redir_orig_reason, p->redir_counter);
	else
		fprintf(fp, "redirection.indicator=0\n");
	fprintf(fp, "diversion_treatment=%d\n", p->cdti);
	print_um(fp, call, p->uui, p->uui_len);
	for (i = 0; i < ISUP_NUMS; i++) {
		const struct map_isup_number *n = (const void *)((const char *)p + isup_nums[i].off);

		if (n->present)
			print_raw(fp, isup_nums[i].raw, buf, map_isup_number_encode(n, isup_nums[i].code, buf, sizeof(buf)));
	}
	if (p->redir_present)
		print_raw(fp, "isup.redirection_information", buf, map_isup_redir_info_encode(p, buf, sizeof(buf)));
	if (p->cdti)
		print_raw(fp, "isup.call_diversion_treatment", buf, map_isup_cdti_encode(p->cdti, buf, sizeof(buf)));
	print_raw(fp, "isup.user_to_user", p->uui, (int)p->uui_len);
}

static void print_q931_number(FILE *fp, const char *name, const struct map_q931_number *n, int calling)
{
	if (!n->present)
		return;
	fprintf(fp, "%s=%s\n%s.nai=%d\n%s.ton=%d\n%s.npi=%d\n", name, n->digits, name, map_q931_nai_from_ton(n->ton),
		name, n->ton, name, n->npi);
	if (strcmp(name, "called"))
		fprintf(fp, "%s.pres=%d\n", name, n->pres);
	if (calling)
		fprintf(fp, "%s.screen=%d\n", name, n->screen);
}

void map_kv_print_q931(FILE *fp, const struct map_call *call, const struct map_q931 *q,
		       const struct map_isup *isup_view)
{
	uint8_t buf[MAP_DIGITS_MAX + 8];

	print_q931_number(fp, "called", &q->called, 0);
	print_q931_number(fp, "calling", &q->calling, 1);
	print_q931_number(fp, "redirecting", &q->redirecting, 0);
	print_q931_number(fp, "original_called", &q->orig_called, 0);
	if (isup_view->redir_present)
		fprintf(fp, "redirection.indicator=%d\nredirection.reason=%d\nredirection.original_reason=%d\n"
			"redirection.counter=%d\n", isup_view->redir_ind, isup_view->redir_reason,
			isup_view->redir_orig_reason, isup_view->redir_counter);
	else
		fprintf(fp, "redirection.indicator=0\n");
	if (q->redir_present && q->proto == MAP_PROTO_Q931)
		fprintf(fp, "q931.reason=%d\n", q->reason);
	if (q->redir_present && q->proto == MAP_PROTO_QSIG)
		fprintf(fp, "qsig.counter=%d\nqsig.reason=%d\n", q->div_counter, q->div_reason);
	if (q->redir_present && q->proto == MAP_PROTO_QSIG && q->div_orig_reason >= 0)
		fprintf(fp, "qsig.original_reason=%d\n", q->div_orig_reason);
	if (q->redir_present && q->proto == MAP_PROTO_ETSI)
		fprintf(fp, "etsi.counter=%d\netsi.reason=%d\n", q->div_counter, q->div_reason);
	if (q->redir_present && q->proto != MAP_PROTO_Q931) {
		uint8_t fac[MAP_DLI2_MAX];

		print_raw(fp, q->proto == MAP_PROTO_QSIG ? "qsig.facility" : "etsi.facility", fac,
			  map_dli2_encode(q, fac, sizeof(fac)));
	}
	print_um(fp, call, q->uui, q->uui_len);
	if (q->called.present)
		print_raw(fp, "q931.called_party_number", buf,
			  map_q931_number_encode(&q->called, MAP_Q931_IE_CALLED_PARTY_NUMBER, -1, buf, sizeof(buf)));
	if (q->calling.present)
		print_raw(fp, "q931.calling_party_number", buf,
			  map_q931_number_encode(&q->calling, MAP_Q931_IE_CALLING_PARTY_NUMBER, -1, buf, sizeof(buf)));
	if (q->redirecting.present && q->proto == MAP_PROTO_Q931)
		print_raw(fp, "q931.redirecting_number", buf,
			  map_q931_number_encode(&q->redirecting, MAP_Q931_IE_REDIRECTING_NUMBER,
						 q->redir_present ? q->reason : -1, buf, sizeof(buf)));
	print_raw(fp, "q931.user_user", q->uui, (int)q->uui_len);
}
