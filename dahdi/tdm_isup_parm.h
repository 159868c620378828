/*
 * tdm_isup_parm.h - pure functions over the signal units libss7 writes and reads on its signalling
 * channel (SS7_TRANSPORT_DAHDIDCHAN), without the two FCS octets:
 *
 *   MTP2 (Q.703 2.2)  octet 0 BSN/BIB, 1 FSN/FIB, 2 LI (6 bits; 63 when 63 or more octets follow)
 *   MTP3 (Q.704 2.2)  SIO (SI 5 = ISUP, NI in bits 8-7), ITU routing label (DPC, OPC 14 bits, SLS 4)
 *   ISUP (Q.763 1.3)  CIC (12 bits), message type, mandatory fixed, mandatory variable and optional parts
 *
 * libss7 has no API for the Call diversion treatment indicators (0x6E, Q.763 3.72) nor for
 * User-to-user information (0x20, Q.763 3.61): tdm_isup inserts them into an outgoing IAM and takes
 * them out of an incoming one with these functions.  Every function checks every length and pointer
 * against the frame and refuses a malformed frame (-EINVAL) without touching it.
 */
#ifndef TDM_ISUP_PARM_H
#define TDM_ISUP_PARM_H

#include <stddef.h>
#include <stdint.h>

#define TDM_ISUP_PARM_MTP2_LEN 3	/* BSN, FSN, LI */
#define TDM_ISUP_PARM_LI_MAX 63
#define TDM_ISUP_PARM_SI_ISUP 5
#define TDM_ISUP_PARM_IAM 0x01
#define TDM_ISUP_PARM_ACM 0x06
#define TDM_ISUP_PARM_END 0x00		/* end of optional parameters */

/* what tdm_isup_parm_parse found in an MSU carrying ISUP */
struct tdm_isup_parm_msg {
	int ni;			/* network indicator (SIO bits 8-7) */
	unsigned int dpc, opc;	/* 14-bit ITU point codes */
	int sls;
	int cic;
	int type;		/* ISUP message type */
};

/* one optional parameter: code, contents (without code and length octets) */
struct tdm_isup_parm_opt {
	uint8_t code;
	uint8_t len;
	const uint8_t *val;
};

/*
 * Read the MTP2/MTP3/ISUP headers of f.  0 with *out set; -ENOMSG for a fill-in or status unit
 * (LI 0-2) or an MSU of another user part; -EINVAL when the frame is too short for its headers.
 */
int tdm_isup_parm_parse(const uint8_t *f, size_t len, struct tdm_isup_parm_msg *out);

/* 1 when f is an IAM for cic, 0 when it is anything else (including malformed) */
int tdm_isup_parm_is_iam(const uint8_t *f, size_t len, int cic);

/*
 * Insert n optional parameters into the IAM in f (len octets, room for cap) before the end of
 * optional parameters octet, creating the optional part (and its pointer) when the IAM has none,
 * and set the LI.  0 with *len updated; -ENOMSG (not an IAM), -EINVAL (malformed), -EEXIST (a
 * parameter with that code is already there), -ENOSPC (cap, or a pointer beyond 255).  f is
 * unchanged on error.
 */
int tdm_isup_parm_iam_insert(uint8_t *f, size_t *len, size_t cap, const struct tdm_isup_parm_opt *opts, size_t n);

/*
 * Take the optional parameter code out of the IAM in f: its contents go to val (room for cap),
 * the parameter is removed (an optional part left empty is removed with its pointer) and the LI
 * set.  1 found (*vlen set), 0 absent, -ENOMSG (not an IAM), -EINVAL (malformed), -ENOSPC (cap).
 */
int tdm_isup_parm_iam_extract(uint8_t *f, size_t *len, uint8_t code, uint8_t *val, size_t cap, size_t *vlen);

/*
 * Set the called party's status indicator (Q.763 3.5, backward call indicators bits DC: 0 no
 * indication, 1 subscriber free, 2 connect when free) in the ACM in f.  0, -ENOMSG (not an ACM),
 * -EINVAL (malformed, or status above 3).
 */
int tdm_isup_parm_acm_set_status(uint8_t *f, size_t len, int status);

/*
 * Check a signal unit off the wire before libss7 reads it (libss7 2.0 trusts every length and
 * pointer).  MTP2: LI consistent with the length (Q.703 2.3.3), at most 272 octets of SIF.  MTP3:
 * SIO and routing label present, and what libss7 reads of its management (SI 0) and test (SI 1, 2)
 * messages.  ISUP (SI 5): CIC and message type, then per message type (Q.763 tables 21-53, ITU
 * formats) the mandatory fixed part, the pointers, every mandatory variable parameter and the
 * optional part up to its end octet within the frame; the range of GRS, GRA, CGB, CGU, CGBA,
 * CGUA (1-31) and CQM (0-31) with their status bits (Q.763 3.43); and the contents of the
 * parameters libss7 decodes within the sizes it decodes them into (numbers up to 48 digits).
 * Types libss7 does not handle, or decodes against Q.763 (FRJ, CQR), are refused too.
 *   0            acceptable (FISU, LSSU, an MSU of another user part included);
 *   -EBADMSG     not a signal unit (length, LI): drop it, as MTP2 drops a frame with a bad FCS;
 *   -EINVAL      a well-framed MSU with a malformed or unusable content: *why says what, and
 *                m (when not NULL) the CIC and type when they could be read (else -1).
 */
int tdm_isup_parm_check(const uint8_t *f, size_t len, struct tdm_isup_parm_msg *m, const char **why);

/*
 * Turn the MSU in f (which tdm_isup_parm_check refused with -EINVAL) into one that libss7's MTP3
 * ignores: same BSN, FSN and network indicator, service indicator 15 (spare), routing label (zero
 * when absent), nothing else.  MTP2 still accepts it in sequence.  The new length (8).
 */
size_t tdm_isup_parm_neutralize(uint8_t *f, size_t len);

#endif
