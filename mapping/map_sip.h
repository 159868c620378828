/*
 * map_sip.h - SIP <-> the call model, with libosip2's parser.
 *
 * From SIP: Request-URI user part (called), RFC 4458 target/cause, RFC 5806 Diversion,
 * RFC 7044 History-Info, RFC 3323 Privacy, P-Asserted-Identity / From (calling),
 * [MS-OCEXUM] Ms-Exchange-Command and Ms-Sensitivity.
 * To SIP: the Request-URI toward a UM server and the headers the gateway adds.
 */
#ifndef MAP_SIP_H
#define MAP_SIP_H

#include <stddef.h>

#include "map_call.h"
#include "map_diag.h"
#include "map_table.h"

struct osip_message;

#define MAP_SIP_HDR_MAX 512
#define MAP_SIP_MAX_MSG 65536

/* flags for map_sip_to_call */
enum {
	MAP_SIP_IN_LENIENT_SENS = 1 << 0,	/* unknown Ms-Sensitivity: kept raw and noted, not an error */
	MAP_SIP_IN_TRUSTED = 1 << 1,		/* the peer is trusted (TLS, configured): P-Asserted-Identity
						 * (RFC 3325) and skip-pin ([MS-OCEXUM]) are honoured */
};

/*
 * Parse one SIP message (bare LF line ends are accepted and made CRLF).  Returns 0 and *msg
 * (free with osip_message_free), or -EINVAL with an error line in d.
 */
int map_sip_parse(const char *buf, size_t len, struct osip_message **msg, struct map_diag *d);

/* Map a parsed request to the call model for TDM.  0, or -EINVAL with error lines in d. */
int map_sip_to_call(struct osip_message *msg, const struct map_tables *t, const struct map_trunk *tr, int flags,
		    struct map_call *call, struct map_diag *d);

/* what map_call_to_sip builds: each string empty when the header is not sent */
struct map_sip_out {
	char request_uri[MAP_SIP_HDR_MAX];
	char from[MAP_SIP_HDR_MAX];
	char to[MAP_SIP_HDR_MAX];
	char p_asserted_identity[MAP_SIP_HDR_MAX];
	char diversion[MAP_SIP_HDR_MAX];
	char history_info[MAP_SIP_HDR_MAX * 2];
	char privacy[64];
	char ms_exchange_command[32];
	char ms_sensitivity[MAP_SENS_RAW_MAX];
};

/* options of map_call_to_sip */
struct map_sip_out_opts {
	const char *um_host;		/* host[:port] of the UM server (Request-URI, To) */
	const char *from_host;		/* host of the From URI; um_host when NULL */
	int untrusted;			/* the peer is not trusted: no P-Asserted-Identity, and RFC 3323
					 * privacy removes target, cause, Diversion, History-Info */
};

/*
 * Build the Request-URI "sip:<called>@<um>;user=phone;target=...;cause=..." and the headers.
 * 0, or a negative errno with an error line in d.
 */
int map_call_to_sip(const struct map_call *call, const struct map_tables *t, const struct map_trunk *tr,
		    const struct map_sip_out_opts *o, struct map_sip_out *out, struct map_diag *d);

/* escape a string for a URI parameter value (RFC 3261 pvalue): '@' -> %40, ';' -> %3B ... */
int map_sip_escape_pvalue(const char *in, char *out, size_t len);

#endif
