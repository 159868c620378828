/*
 * tdm_pri_uui.c - the User-user IE of a SETUP in a LAPD frame (Q.921 3.2, Q.931 4.2-4.5).
 *
 *   octets 0-1  LAPD address; 2-3 I-frame control (bit 1 of octet 2 is 0)
 *   octet 4     protocol discriminator 0x08; 5 call reference length (low 4 bits); then the call
 *               reference, the message type (SETUP 0x05) and the information elements: single
 *               octet ones have bit 8 set (0x9X are shifts: bit 4 clear = locking), the others are
 *               identifier, length, contents.
 */
#include <string.h>

#include "tdm_pri_uui.h"

#define LAPD_HDR 4
#define Q931_PD 0x08
#define Q931_SETUP 0x05
#define Q931_SHIFT 0x90
#define Q931_SHIFT_NONLOCKING 0x08

/* the offset of the first IE of a SETUP, or 0 */
static size_t tdm_pri_uui_ies(const uint8_t *f, size_t len)
{
	size_t mt;

	if (len < LAPD_HDR + 3 || (f[2] & 1) || f[LAPD_HDR] != Q931_PD)
		return 0;
	mt = LAPD_HDR + 2 + (f[LAPD_HDR + 1] & 0x0F);
	if (mt >= len || f[mt] != Q931_SETUP)
		return 0;
	return mt + 1;
}

int tdm_pri_uui_find(const uint8_t *frame, size_t len, size_t *off)
{
	size_t i = tdm_pri_uui_ies(frame, len);
	int codeset = 0, once = -1;

	while (i && i < len) {
		uint8_t id = frame[i];
		int cs = once >= 0 ? once : codeset;

		once = -1;
		if (id & 0x80) {
			if ((id & 0xF0) == Q931_SHIFT && (id & Q931_SHIFT_NONLOCKING))
				once = id & 7;
			else if ((id & 0xF0) == Q931_SHIFT)
				codeset = id & 7;
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + frame[i + 1] > len)
			return -1;
		if (id == TDM_PRI_UUI_IE && cs == 0) {
			*off = i;
			return frame[i + 1];
		}
		i += 2 + frame[i + 1];
	}
	return -1;
}

size_t tdm_pri_uui_replace(const uint8_t *frame, size_t len, size_t off, const uint8_t *uui, size_t uui_len,
			   uint8_t *out, size_t outlen)
{
	size_t old = 2 + (size_t)frame[off + 1], n = len - old + 2 + uui_len;

	if (uui_len > 255 || n > outlen || off + old > len)
		return 0;
	memcpy(out, frame, off);
	out[off] = TDM_PRI_UUI_IE;
	out[off + 1] = (uint8_t)uui_len;
	memcpy(out + off + 2, uui, uui_len);
	memcpy(out + off + 2 + uui_len, frame + off + old, len - off - old);
	return n;
}
