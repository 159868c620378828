/*
 * fuzz_isup_parm.c - libFuzzer target: any octets as an MTP2 signal unit through every function of
 * tdm_isup_parm (dahdi/tdm_isup_parm.c).  Built and run by "make fuzz".
 *
 * Input: octet 0 chooses the parameters to insert (bits 0-1: how many, 2-7: the length of the
 * second), octet 1 the ACM status to set and octet 2 the code to extract; the rest is the frame.
 * Every frame is handed over in a buffer of exactly its length (or the capacity given), so that
 * AddressSanitizer sees any read beyond it.  Checked besides memory safety:
 *  - a refused frame is left untouched, and its length too;
 *  - what insert accepts stays well formed, carries the right LI and gives back, extracted in
 *    order, the very contents inserted and then the frame it started from (but its LI; and an
 *    empty optional part right after the called party number goes away with its pointer);
 *  - what extract takes out is what was there, and the frame left is well formed.
 * With FUZZ_SEED_DIR set, the seeds below are written there first.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "tdm_isup_parm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAP 512

/* control octets, then an IAM as libss7 writes it: without and with an optional part, an ACM */
static const uint8_t seed_noopt[] = { 0x05, 0x01, 0x6e, 0x80, 0x80, 0x16, 0x85, 0x01, 0x80, 0x00, 0x00, 0x01, 0x00,
				      0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x00, 0x06, 0x83, 0x10, 0x03, 0x21,
				      0x43, 0x05 };
static const uint8_t seed_opt[] = { 0x2a, 0x02, 0x0a, 0x80, 0x80, 0x1d, 0x85, 0x01, 0x80, 0x00, 0x00, 0x01, 0x00,
				    0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x08, 0x06, 0x83, 0x10, 0x03, 0x21,
				    0x43, 0x05, 0x0a, 0x04, 0x03, 0x13, 0x21, 0x43, 0x00 };
static const uint8_t seed_empty_opt[] = { 0x01, 0x00, 0x20, 0x80, 0x80, 0x17, 0x85, 0x01, 0x80, 0x00, 0x00, 0x01,
					  0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x08, 0x06, 0x83, 0x10,
					  0x03, 0x21, 0x43, 0x05, 0x00 };
static const uint8_t seed_acm[] = { 0x00, 0x01, 0x00, 0x80, 0x80, 0x0a, 0x85, 0x01, 0x80, 0x00, 0x00, 0x01, 0x00,
				    0x06, 0x40, 0x14, 0x00 };

static void fuzz_write_seeds(void)
{
	static const struct { const uint8_t *b; size_t n; } seeds[] = {
		{ seed_noopt, sizeof(seed_noopt) }, { seed_opt, sizeof(seed_opt) },
		{ seed_empty_opt, sizeof(seed_empty_opt) }, { seed_acm, sizeof(seed_acm) },
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		fuzz_seed_write("isup", i, seeds[i].b, seeds[i].n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_write_seeds();
	return 0;
}

static uint8_t *fuzz_dup(const uint8_t *f, size_t len, size_t cap)
{
	uint8_t *p = malloc(cap ? cap : 1);

	if (!p)
		abort();
	memcpy(p, f, len);
	return p;
}

/* the frame is a well-formed IAM (inserting nothing checks it) */
static int fuzz_iam_ok(const uint8_t *f, size_t len)
{
	uint8_t *p = fuzz_dup(f, len, len);
	size_t l = len;
	int ret = tdm_isup_parm_iam_insert(p, &l, len, NULL, 0);

	free(p);
	return ret == 0;
}

static int fuzz_li_ok(const uint8_t *f, size_t len)
{
	size_t li = len - TDM_ISUP_PARM_MTP2_LEN;

	return (f[2] & 0x3f) == (li > TDM_ISUP_PARM_LI_MAX ? TDM_ISUP_PARM_LI_MAX : li);
}

static void fuzz_parse(const uint8_t *f, size_t len)
{
	struct tdm_isup_parm_msg m;
	uint8_t *p = fuzz_dup(f, len, len);
	int ret = tdm_isup_parm_parse(p, len, &m);

	if (ret != 0 && ret != -EINVAL && ret != -ENOMSG)
		abort();
	if (ret == 0 && (len < 11 || m.cic > 4095 || m.dpc > 16383 || m.opc > 16383 || m.type != f[10]))
		abort();
	if (tdm_isup_parm_is_iam(p, len, ret ? 0 : m.cic) != (ret == 0 && m.type == TDM_ISUP_PARM_IAM))
		abort();
	free(p);
}

static void fuzz_acm(const uint8_t *f, size_t len, int status)
{
	uint8_t *p = fuzz_dup(f, len, len);
	int ret = tdm_isup_parm_acm_set_status(p, len, status);

	if (ret == 0 && (((p[11] >> 2) & 3) != status || memcmp(p, f, 11) || memcmp(p + 12, f + 12, len - 12) ||
			 (p[11] & ~0x0c) != (f[11] & ~0x0c)))
		abort();
	if (ret < 0 && memcmp(p, f, len))
		abort();
	free(p);
}

/* take one parameter out: what was there comes out, what is left is well formed */
static void fuzz_extract(const uint8_t *f, size_t len, uint8_t code, size_t cap)
{
	uint8_t *p = fuzz_dup(f, len, len), *val = malloc(cap ? cap : 1);
	size_t l = len, vlen = 0;
	int ret = tdm_isup_parm_iam_extract(p, &l, code, val, cap, &vlen);

	if (ret < 0 || ret == 0) {
		if (l != len || memcmp(p, f, len))
			abort();
	} else {
		if (ret != 1 || vlen > cap || l + 2 + vlen > len || l + 3 + vlen < len || !fuzz_iam_ok(p, l) ||
		    !fuzz_li_ok(p, l) || !memmem(f, len, val, vlen))
			abort();
	}
	free(val);
	free(p);
}

/* the original minus the LI, and minus an empty optional part right after the called number */
static int fuzz_same_but_li(const uint8_t *a, size_t alen, const uint8_t *orig, size_t olen)
{
	if (alen + 1 == olen && orig[olen - 1] == TDM_ISUP_PARM_END && orig[17] &&
	    (size_t)17 + orig[17] == olen - 1 && !a[17])
		return !memcmp(a + 3, orig + 3, 14) && !memcmp(a + 18, orig + 18, alen - 18);
	return alen == olen && !memcmp(a, orig, 2) && !memcmp(a + 3, orig + 3, olen - 3);
}

static void fuzz_roundtrip(const uint8_t *f, size_t len, const struct tdm_isup_parm_opt *opt, size_t n, size_t cap)
{
	uint8_t *p = fuzz_dup(f, len, cap), val[256];
	size_t l = len, vlen, i, total = 0;
	int ret = tdm_isup_parm_iam_insert(p, &l, cap, opt, n);

	for (i = 0; i < n; i++)
		total += 2 + (size_t)opt[i].len;
	if (ret < 0) {
		if (l != len || memcmp(p, f, len))
			abort();
		free(p);
		return;
	}
	if (ret != 0 || l > cap || (n && l != len + total && l != len + total + 1) || !fuzz_iam_ok(p, l) ||
	    (n && !fuzz_li_ok(p, l)))
		abort();
	for (i = 0; i < n; i++) {
		if (tdm_isup_parm_iam_extract(p, &l, opt[i].code, val, sizeof(val), &vlen) != 1 || vlen != opt[i].len ||
		    (vlen && memcmp(val, opt[i].val, vlen)))
			abort();
	}
	if (n && !fuzz_same_but_li(p, l, f, len))
		abort();
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[512];
	struct tdm_isup_parm_opt opt[3];
	const uint8_t *f;
	size_t len, n;

	if (size < 3)
		return 0;
	f = data + 3;
	len = size - 3;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 7 + 1);
	n = data[0] & 3;
	opt[0] = (struct tdm_isup_parm_opt){ 0x6e, 1, body };
	opt[1] = (struct tdm_isup_parm_opt){ 0x20, (uint8_t)(data[0] >> 2), data[0] >> 2 ? body + 3 : NULL };
	opt[2] = (struct tdm_isup_parm_opt){ data[2], data[1], body + 9 };
	fuzz_parse(f, len);
	fuzz_acm(f, len, data[1] & 3);
	fuzz_extract(f, len, data[2], data[1]);
	fuzz_extract(f, len, 0x20, 255);
	fuzz_roundtrip(f, len, opt, n, len + data[1]);
	fuzz_roundtrip(f, len, opt, n, FUZZ_CAP > len ? FUZZ_CAP : len);
	return 0;
}
