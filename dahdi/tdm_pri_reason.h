/*
 * tdm_pri_reason.h - the redirecting reason as libpri 1.6 must be given it (and as it gives it back)
 * so that the WIRE carries the codepoint the mapping chose (map_q931.h).  libpri has two paths:
 *
 *   Redirecting number IE (0x74; NI-2, DMS-100, 5ESS, 4ESS, and QSIG/EuroISDN without facility):
 *     libpri writes reason & 0x0F into octet 3b unchanged and reads it back unchanged, so the Q.931
 *     code goes through as is (call deflection 0100 = 0x4, not libpri's PRI_REDIR_DEFLECTION 0x3).
 *   DivertingLegInformation2 (QSIG, EuroISDN with facility):
 *     libpri converts from/to its PRI_REDIR_* constants, so the ETSI/QSIG DiversionReason has to be
 *     turned into the constant that libpri converts back into that DiversionReason.
 *
 * The tables and what cannot survive are in tdm_pri_reason.c.
 */
#ifndef TDM_PRI_REASON_H
#define TDM_PRI_REASON_H

/*
 * Protocol code (MAP_PROTO_Q931: Q.931 reason for redirection 0-15; MAP_PROTO_QSIG/ETSI:
 * DiversionReason) -> the value for struct pri_party_redirecting.reason.  *lossy is set to 1 when
 * libpri cannot put that code on the wire (the value returned is the nearest it can).
 */
int tdm_pri_reason_to_libpri(int proto, int code, int *lossy);

/*
 * libpri's redirecting reason of a received SETUP -> protocol code.  *lossy is set to 1 when the
 * value is not one libpri produces on that path (the code returned is unknown, 0).
 */
int tdm_pri_reason_from_libpri(int proto, int value, int *lossy);

#endif
