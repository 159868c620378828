/*
 * fuzz_pri_uui.c - libFuzzer target: any octets as a LAPD frame (Q.921 address and control, Q.931
 * message) through tdm_pri_uui (dahdi/tdm_pri_uui.c).  Built and run by "make fuzz".
 *
 * Input: octet 0 the length of the new User-user contents and octet 1 the room for the frame
 * written (in units of 4 octets beyond the input's length, 255: less than the input); the rest is
 * the frame.  Frames are handed over in buffers of exactly their length.  Checked besides memory
 * safety:
 *  - an IE found lies inside the frame, is a User-user IE and has the length returned;
 *  - a replaced frame has the length announced, the same octets before and after the IE, and the
 *    new contents found again at the same offset; putting the old contents back gives the frame
 *    back;
 *  - a frame that is not an I-frame carrying a Q.931 SETUP has no User-user IE.
 * With FUZZ_SEED_DIR set, the seeds below are written there first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "tdm_pri_uui.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* control octets, then SETUPs: bearer capability, shifts, a User-user IE, sending complete */
static const uint8_t seed_shift[] = { 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03,
				      0x80, 0x90, 0xa2, 0x96, 0x7e, 0x01, 0x55, 0x98, 0x7e, 0x03, 0x04, 0x41, 0x42,
				      0xa1 };
static const uint8_t seed_plain[] = { 0x10, 0x02, 0x02, 0x01, 0x02, 0x00, 0x08, 0x01, 0x01, 0x05, 0xa1, 0x04, 0x03,
				      0x80, 0x90, 0xa3, 0x18, 0x03, 0xa9, 0x83, 0x81, 0x6c, 0x02, 0x00, 0x81, 0x70,
				      0x05, 0x81, 0x34, 0x30, 0x30, 0x30, 0x7e, 0x05, 0x04, 0x55, 0x55, 0x49, 0x31 };
static const uint8_t seed_noie[] = { 0x00, 0x00, 0x02, 0x01, 0x02, 0x00, 0x08, 0x02, 0x80, 0x01, 0x05, 0x04, 0x03,
				     0x80, 0x90, 0xa3 };

static void fuzz_write_seeds(void)
{
	static const struct { const uint8_t *b; size_t n; } seeds[] = {
		{ seed_shift, sizeof(seed_shift) }, { seed_plain, sizeof(seed_plain) },
		{ seed_noie, sizeof(seed_noie) },
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		fuzz_seed_write("pri", i, seeds[i].b, seeds[i].n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_write_seeds();
	return 0;
}

static uint8_t *fuzz_dup(const uint8_t *f, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, f, len);
	return p;
}

/* an I-frame with a Q.931 SETUP (as far as the octets before the IEs tell) */
static int fuzz_is_setup(const uint8_t *f, size_t len)
{
	size_t mt;

	if (len < 7 || (f[2] & 1) || f[4] != 0x08)
		return 0;
	mt = 6 + (f[5] & 0x0f);
	return mt < len && f[mt] == 0x05;
}

static void fuzz_replace(const uint8_t *f, size_t len, size_t off, int n, const uint8_t *uui, size_t uui_len,
			 size_t outlen)
{
	uint8_t *out = malloc(outlen ? outlen : 1), *back;
	size_t old = 2 + (size_t)n, r, off2 = 0;

	r = tdm_pri_uui_replace(f, len, off, uui, uui_len, out, outlen);
	if (!r) {
		if (len - old + 2 + uui_len <= outlen && uui_len <= 255)
			abort();	/* it would have fitted */
		free(out);
		return;
	}
	if (r != len - old + 2 + uui_len || r > outlen || memcmp(out, f, off) || out[off] != TDM_PRI_UUI_IE ||
	    out[off + 1] != uui_len || memcmp(out + off + 2, uui, uui_len) ||
	    memcmp(out + off + 2 + uui_len, f + off + old, len - off - old))
		abort();
	back = fuzz_dup(out, r);
	if (tdm_pri_uui_find(back, r, &off2) != (int)uui_len || off2 != off)
		abort();
	free(out);
	out = malloc(len);
	if (!out || tdm_pri_uui_replace(back, r, off, f + off + 2, (size_t)n, out, len) != len || memcmp(out, f, len))
		abort();
	free(back);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t uui[256];
	size_t len, off = (size_t)-1, outlen;
	uint8_t *f;
	int n;

	if (size < 2)
		return 0;
	for (size_t i = 0; i < sizeof(uui); i++)
		uui[i] = (uint8_t)(0xa5 ^ i);
	len = size - 2;
	f = fuzz_dup(data + 2, len);
	n = tdm_pri_uui_find(f, len, &off);
	if (n >= 0) {
		if (!fuzz_is_setup(f, len) || off >= len || off + 2 + (size_t)n > len || f[off] != TDM_PRI_UUI_IE ||
		    f[off + 1] != n)
			abort();
		outlen = data[1] == 255 ? (len > 0 ? len - 1 : 0) : len + 4 * (size_t)data[1];
		fuzz_replace(f, len, off, n, uui, data[0], outlen);
		fuzz_replace(f, len, off, n, uui, data[0], len + 256);
		if (tdm_pri_uui_replace(f, len, off, uui, 256, f, len + 300) != 0)
			abort();	/* more than 255 octets: refused */
	} else if (n != -1) {
		abort();
	}
	free(f);
	return 0;
}
