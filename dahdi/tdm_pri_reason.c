/*
 * tdm_pri_reason.c - redirecting reason <-> libpri 1.6's struct pri_party_redirecting.reason, per path.
 *
 * Measured on the wire (tests/tdm/pri_test.c decodes the span traces with tshark):
 *
 *   Redirecting number IE path (libpri q931.c transmit/receive_redirecting_number: reason & 0x0F)
 *     code given = code on the wire = code received, for every Q.931 code 0-15:
 *     0000 unknown, 0001 busy, 0010 no reply, 0100 call deflection, 1001 DTE out of order,
 *     1010 forwarded by the called DTE, 1111 unconditional.  libpri's PRI_REDIR_DEFLECTION (0x3) would
 *     put the reserved 0011 on the wire; a 0011 received (from a libpri peer that used the constant)
 *     is read as call deflection 0100.
 *
 *   DivertingLegInformation2 path (libpri pri_facility.c redirectingreason_from/for_q931)
 *     DiversionReason   we give libpri                 on the wire          received back as
 *     ETSI unknown(0)   PRI_REDIR_UNKNOWN 0x0          unknown(0)           PRI_REDIR_UNKNOWN
 *     ETSI cfu(1)       PRI_REDIR_UNCONDITIONAL 0xF    cfu(1)               PRI_REDIR_UNCONDITIONAL
 *     ETSI cfb(2)       PRI_REDIR_FORWARD_ON_BUSY 0x1  cfb(2)               PRI_REDIR_FORWARD_ON_BUSY
 *     ETSI cfnr(3)      PRI_REDIR_FORWARD_ON_NO_REPLY  cfnr(3)              PRI_REDIR_FORWARD_ON_NO_REPLY
 *     ETSI cdAlerting(4) PRI_REDIR_DEFLECTION 0x3      cdAlerting(4)        PRI_REDIR_DEFLECTION
 *     ETSI cdImmediate(5) (none: lossy) 0x3            cdAlerting(4)        -
 *     QSIG unknown/cfu/cfb/cfnr (0-3) as ETSI 0-3; QSIG has no deflection code at all.
 *   The Q.931 deflection code 0x4 given on this path would go out as unknown(0), and libpri reads an
 *   ETSI cdImmediate(5) from other equipment as unknown: neither can be helped without patching libpri.
 */
#include <libpri.h>
#include <stddef.h>

#include "map_q931.h"
#include "tdm_pri_reason.h"

#define Q931_DEFLECTION 0x4
#define Q931_RESERVED_0011 0x3

enum tdm_pri_reason_dir {
	TDM_PRI_BOTH = 0,	/* code -> value and value -> code */
	TDM_PRI_ENCODE,		/* code -> value only, not carried exactly */
};

static const struct tdm_pri_reason_row {
	int proto;
	int code;		/* DiversionReason */
	int value;		/* libpri's PRI_REDIR_* */
	int dir;
} tdm_pri_reason_rows[] = {
	{ MAP_PROTO_ETSI, 0, PRI_REDIR_UNKNOWN, TDM_PRI_BOTH },
	{ MAP_PROTO_ETSI, 1, PRI_REDIR_UNCONDITIONAL, TDM_PRI_BOTH },
	{ MAP_PROTO_ETSI, 2, PRI_REDIR_FORWARD_ON_BUSY, TDM_PRI_BOTH },
	{ MAP_PROTO_ETSI, 3, PRI_REDIR_FORWARD_ON_NO_REPLY, TDM_PRI_BOTH },
	{ MAP_PROTO_ETSI, 4, PRI_REDIR_DEFLECTION, TDM_PRI_BOTH },
	{ MAP_PROTO_ETSI, 5, PRI_REDIR_DEFLECTION, TDM_PRI_ENCODE },
	{ MAP_PROTO_QSIG, 0, PRI_REDIR_UNKNOWN, TDM_PRI_BOTH },
	{ MAP_PROTO_QSIG, 1, PRI_REDIR_UNCONDITIONAL, TDM_PRI_BOTH },
	{ MAP_PROTO_QSIG, 2, PRI_REDIR_FORWARD_ON_BUSY, TDM_PRI_BOTH },
	{ MAP_PROTO_QSIG, 3, PRI_REDIR_FORWARD_ON_NO_REPLY, TDM_PRI_BOTH },
};

#define TDM_PRI_REASON_ROWS (sizeof(tdm_pri_reason_rows) / sizeof(tdm_pri_reason_rows[0]))

int tdm_pri_reason_to_libpri(int proto, int code, int *lossy)
{
	*lossy = 0;
	if (proto == MAP_PROTO_Q931)
		return code & 0x0F;
	for (size_t i = 0; i < TDM_PRI_REASON_ROWS; i++) {
		const struct tdm_pri_reason_row *r = &tdm_pri_reason_rows[i];

		if (r->proto == proto && r->code == code) {
			*lossy = r->dir != TDM_PRI_BOTH;
			return r->value;
		}
	}
	*lossy = 1;
	return PRI_REDIR_UNKNOWN;
}

int tdm_pri_reason_from_libpri(int proto, int value, int *lossy)
{
	*lossy = 0;
	if (proto == MAP_PROTO_Q931) {
		if (value == Q931_RESERVED_0011) {
			*lossy = 1;
			return Q931_DEFLECTION;
		}
		return value & 0x0F;
	}
	for (size_t i = 0; i < TDM_PRI_REASON_ROWS; i++) {
		const struct tdm_pri_reason_row *r = &tdm_pri_reason_rows[i];

		if (r->proto == proto && r->value == value && r->dir == TDM_PRI_BOTH)
			return r->code;
	}
	*lossy = 1;
	return 0;
}
