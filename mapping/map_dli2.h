/*
 * map_dli2.h - DivertingLegInformation2 in a Q.932 Facility IE (0x1C), BER encoded, as QSIG
 * (ECMA-174 call diversion, operation 21, protocol profile 0x9F with a network facility extension)
 * and ETSI (EN 300 207-1, operation 15, protocol profile 0x91) send it on the SETUP of a diverted
 * call.  libpri builds these on the wire; this encoding is the reference gwmap prints and the
 * tests decode with tshark.
 *
 *   DivertingLegInformation2Arg ::= SEQUENCE {
 *     diversionCounter INTEGER, diversionReason ENUMERATED,
 *     originalDiversionReason [0] IMPLICIT ENUMERATED OPTIONAL,   -- QSIG only
 *     divertingNr [1] PresentedNumberUnscreened OPTIONAL,
 *     originalCalledNr [2] PresentedNumberUnscreened OPTIONAL }
 */
#ifndef MAP_DLI2_H
#define MAP_DLI2_H

#include <stddef.h>
#include <stdint.h>

#include "map_q931.h"

#define MAP_DLI2_MAX 160	/* Facility IE contents */

/* Facility IE contents (after identifier and length) for q->proto QSIG or ETSI; octets or -errno */
int map_dli2_encode(const struct map_q931 *q, uint8_t *buf, size_t len);

/*
 * Facility IE contents -> q's div_counter, div_reason, div_orig_reason, redirecting and orig_called.
 * 0, or -EINVAL when the octets are not a DivertingLegInformation2 invoke of q->proto.
 */
int map_dli2_decode(struct map_q931 *q, const uint8_t *buf, size_t len);

#endif
