/*
 * map_uui.h - the gateway's user-to-user convention: what TDM has no field for (the UM
 * extensions and the exact RFC 4458 cause) carried in ISUP User-to-user information (0x20) or the
 * Q.931 User-user IE (0x7E) between two gateways of this project (MAPPING.md, last section).
 *
 *   octet 0   protocol discriminator 0x04 (IA5 characters)
 *   octets 1- ASCII "UM/1" then ";"-separated items: "cause=NNN", "no-cause" (a target without a
 *             cause: message retrieval), "skip-pin", "sens=<value>"
 *             e.g. "UM/1;cause=487;skip-pin;sens=private-no-diversion"
 * At most MAP_UUI_MAX octets in all.  The TDM layer carries the bytes and never looks inside.
 */
#ifndef MAP_UUI_H
#define MAP_UUI_H

#include <stddef.h>

#include "map_call.h"
#include "map_diag.h"

#define MAP_UUI_PD 0x04
#define MAP_UUI_MAX 128		/* discriminator included; ISUP allows 129 */

/*
 * Encode the call's UM extensions and exact cause.  Returns the octet count (0 when there is
 * nothing to carry) or a negative errno.
 */
int map_uui_encode(const struct map_call *call, unsigned char *buf, size_t len);

/*
 * Decode octets received from TDM into call->um and call->redir.cause.  Returns 1 when they were
 * this convention, 0 when they were someone else's user-to-user data (left alone, noted in d).
 * Malformed items of the convention are reported in d and skipped.
 */
int map_uui_decode(struct map_call *call, const unsigned char *buf, size_t len, struct map_diag *d);

/* encode into buf when the convention is enabled: 0 with *len set, or -ENOSPC with an error line */
int map_uui_put(const struct map_call *call, int enabled, unsigned char *buf, size_t size, size_t *len,
		struct map_diag *d);

/*
 * Decode octets received from TDM.  A skip-pin is honoured only from a trunk marked trusted and with
 * a network-screened calling number ([MS-OCEXUM] 3.1: subscriber access needs a trusted identity):
 * screened is the protocol's verdict on call->calling (ISUP "network provided", Q.931 "user
 * provided, verified and passed" or "network provided").
 */
void map_uui_take(struct map_call *call, const unsigned char *buf, size_t len, int trusted, int screened,
		  struct map_diag *d);

#endif
