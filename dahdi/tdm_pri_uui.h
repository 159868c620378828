/*
 * tdm_pri_uui.h - the User-user information element (Q.931 4.5.30, identifier 0x7E, codeset 0) of a
 * SETUP inside a LAPD I-frame, found and replaced in the frame's octets.
 *
 * libpri 1.6 sends user-user data only as an IA5 C string cut to 35 characters in a SETUP and keeps
 * only IA5 data it receives; tdm_pri.c gives libpri a placeholder and puts the real contents (any
 * protocol discriminator, any octets, up to MAP_UUI_MAX) into the frame on its way out, and reads
 * the contents of a received SETUP from the frame.
 */
#ifndef TDM_PRI_UUI_H
#define TDM_PRI_UUI_H

#include <stddef.h>
#include <stdint.h>

#define TDM_PRI_UUI_IE 0x7E

/*
 * In a frame without FCS (LAPD address, I-frame control, Q.931 SETUP): the offset of the User-user
 * IE's identifier in *off and its contents' length, or -1 when the frame is not a SETUP or has none.
 */
int tdm_pri_uui_find(const uint8_t *frame, size_t len, size_t *off);

/*
 * Copy frame to out with the IE at off given contents uui (uui_len octets, at most 255).  Returns
 * the new length, or 0 when it does not fit in outlen.
 */
size_t tdm_pri_uui_replace(const uint8_t *frame, size_t len, size_t off, const uint8_t *uui, size_t uui_len,
			   uint8_t *out, size_t outlen);

#endif
