/*
 * map_sip_out.c - the call model -> the Request-URI and headers of an INVITE toward a UM server.
 *
 * RFC 4458 section 3 (target, cause), RFC 5806 (Diversion), RFC 7044/7544 (History-Info),
 * RFC 3323 (Privacy), [MS-OCEXUM] 2.2 (Ms-Exchange-Command, Ms-Sensitivity).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "map_number.h"
#include "map_redir.h"
#include "map_sip.h"

#define NUM_MAX 96

int map_sip_escape_pvalue(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		/* RFC 3261 paramchar: param-unreserved / unreserved */
		if (isalnum(c) || strchr("-_.!~*'()[]/:&+$", c)) {
			if (n + 1 >= len)
				return -ENOSPC;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= len)
				return -ENOSPC;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n >= len)
		return -ENOSPC;
	out[n] = '\0';
	return 0;
}

static int out_err(struct map_diag *d, const char *what)
{
	map_diag_add(d, MAP_DIAG_ERROR, "SIP: %s does not fit", what);
	return -ENOSPC;
}

/* "tel:+15555551002" for a number */
static int tel_uri(const struct map_number *n, const struct map_trunk *tr, char *buf, size_t len)
{
	char num[NUM_MAX];

	if (map_number_to_sip(n, tr, num, sizeof(num)) < 0)
		return -ENOSPC;
	return snprintf(buf, len, "tel:%s", num) < (int)len ? 0 : -ENOSPC;
}

/* "sip:+15555551002@host;user=phone" */
static int sip_uri(const struct map_number *n, const struct map_trunk *tr, const char *host, char *buf,
		   size_t len)
{
	char num[NUM_MAX];

	if (map_number_to_sip(n, tr, num, sizeof(num)) < 0)
		return -ENOSPC;
	return snprintf(buf, len, "sip:%s@%s;user=phone", num, host) < (int)len ? 0 : -ENOSPC;
}

static int hides(const struct map_call *call)
{
	return (call->redirecting.present && call->redirecting.pres != MAP_PRES_ALLOWED) ||
	       (call->original_called.present && call->original_called.pres != MAP_PRES_ALLOWED) ||
	       call->redir.indicator == 2 || call->redir.indicator == 4;
}

static int request_uri(const struct map_call *call, const struct map_trunk *tr, const struct map_sip_out_opts *o,
		       int cause, struct map_sip_out *out, struct map_diag *d)
{
	char uri[MAP_SIP_HDR_MAX], target[MAP_SIP_HDR_MAX], esc[MAP_SIP_HDR_MAX];
	size_t n;

	if (sip_uri(&call->called, tr, o->um_host, uri, sizeof(uri)) < 0)
		return out_err(d, "Request-URI");
	n = strlen(uri);
	if (call->redir.present && o->untrusted && hides(call)) {
		map_diag_add(d, MAP_DIAG_NOTE, "privacy toward an untrusted peer: target and cause removed (RFC 4458 "
			     "section 7)");
	} else if (call->redir.present) {
		if (call->redirecting.present) {
			if (tel_uri(&call->redirecting, tr, target, sizeof(target)) < 0 ||
			    map_sip_escape_pvalue(target, esc, sizeof(esc)) < 0)
				return out_err(d, "target");
			n += snprintf(uri + n, sizeof(uri) - n, ";target=%s", esc);
		}
		if (n < sizeof(uri) && cause)
			n += snprintf(uri + n, sizeof(uri) - n, ";cause=%d", cause);
	}
	if (n >= sizeof(uri))
		return out_err(d, "Request-URI");
	strcpy(out->request_uri, uri);
	return 0;
}

static int diversion(const struct map_call *call, const struct map_tables *t, const struct map_trunk *tr,
		     struct map_sip_out *out, struct map_diag *d)
{
	const struct map_number *first = &call->original_called;
	char a[MAP_SIP_HDR_MAX], b[MAP_SIP_HDR_MAX];
	const char *priv = hides(call) ? "full" : "off";
	int orig = call->redir.orig_reason >= 0 ? call->redir.orig_reason : call->redir.reason;
	int r;

	if (!t->opt.sip_diversion || !call->redir.present || !call->redirecting.present)
		return 0;
	if (tel_uri(&call->redirecting, tr, a, sizeof(a)) < 0)
		return out_err(d, "Diversion");
	if (call->redir.counter > 1 && first->present && strcmp(first->digits, call->redirecting.digits)) {
		/* two entries: the last diversion on top, the first at the bottom; counters add up */
		if (tel_uri(first, tr, b, sizeof(b)) < 0)
			return out_err(d, "Diversion");
		r = snprintf(out->diversion, sizeof(out->diversion),
			     "<%s>;reason=%s;counter=%d;privacy=%s, <%s>;reason=%s;counter=1;privacy=%s", a,
			     map_rtable_token(&t->diversion, map_rtable_encode(&t->diversion, call->redir.reason)),
			     call->redir.counter - 1, priv, b,
			     map_rtable_token(&t->diversion, map_rtable_encode(&t->diversion, orig)), priv);
	} else {
		r = snprintf(out->diversion, sizeof(out->diversion), "<%s>;reason=%s;counter=%d;privacy=%s", a,
			     map_rtable_token(&t->diversion, map_rtable_encode(&t->diversion, call->redir.reason)),
			     call->redir.counter, priv);
	}
	if (r < 0 || (size_t)r >= sizeof(out->diversion))
		return out_err(d, "Diversion");
	map_redir_check_lossy(&t->diversion, call->redir.reason, "Diversion", d);
	return 0;
}

/* RFC 7044: the diverting user at index 1, the UM target at 1.1 with the cause (RFC 7544) */
static int history_info(const struct map_call *call, const struct map_tables *t, const struct map_trunk *tr,
			const struct map_sip_out_opts *o, int cause, struct map_sip_out *out, struct map_diag *d)
{
	char a[MAP_SIP_HDR_MAX], b[MAP_SIP_HDR_MAX];
	const char *priv = hides(call) ? "?Privacy=history" : "";
	int r;

	if (!t->opt.sip_history_info || !call->redir.present || !call->redirecting.present)
		return 0;
	if (sip_uri(&call->redirecting, tr, o->um_host, a, sizeof(a)) < 0 ||
	    sip_uri(&call->called, tr, o->um_host, b, sizeof(b)) < 0)
		return out_err(d, "History-Info");
	if (cause)
		r = snprintf(out->history_info, sizeof(out->history_info),
			     "<%s%s>;index=1, <%s;cause=%d>;index=1.1;mp=1", a, priv, b, cause);
	else
		r = snprintf(out->history_info, sizeof(out->history_info), "<%s%s>;index=1, <%s>;index=1.1;mp=1", a,
			     priv, b);
	if (r < 0 || (size_t)r >= sizeof(out->history_info))
		return out_err(d, "History-Info");
	return 0;
}

/*
 * From carries the calling number unless it is restricted (then anonymous, RFC 3323 4.1); toward a
 * trusted peer a screened number is asserted in P-Asserted-Identity (RFC 3325).  To names the
 * mailbox (the original called, else the redirecting number) unless privacy hides it from an
 * untrusted peer.
 */
static int parties(const struct map_call *call, const struct map_trunk *tr, const struct map_sip_out_opts *o,
		   struct map_sip_out *out, struct map_diag *d)
{
	const struct map_number *to = call->original_called.present ? &call->original_called
				      : call->redirecting.present  ? &call->redirecting
								   : &call->called;
	const char *from_host = o->from_host ? o->from_host : o->um_host;
	int restricted = call->calling.present && call->calling.pres != MAP_PRES_ALLOWED;
	char uri[MAP_SIP_HDR_MAX - 2];

	snprintf(out->from, sizeof(out->from), "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	if (call->calling.present) {
		if (sip_uri(&call->calling, tr, from_host, uri, sizeof(uri)) < 0)
			return out_err(d, "From");
		if (!restricted)
			snprintf(out->from, sizeof(out->from), "<%s>", uri);
		if (!o->untrusted && call->calling_verified)	/* RFC 3325: only a screened identity */
			snprintf(out->p_asserted_identity, sizeof(out->p_asserted_identity), "<%s>", uri);
		if (restricted)
			snprintf(out->privacy, sizeof(out->privacy), "id");
	}
	if (o->untrusted && hides(call))
		to = &call->called;
	if (sip_uri(to, tr, o->um_host, uri, sizeof(uri)) < 0)
		return out_err(d, "To");
	snprintf(out->to, sizeof(out->to), "<%s>", uri);
	return 0;
}

static void um_headers(const struct map_call *call, struct map_sip_out *out, struct map_diag *d)
{
	if (call->um.skip_pin)
		snprintf(out->ms_exchange_command, sizeof(out->ms_exchange_command), "skip-pin");
	if (call->um.sens == MAP_SENS_UNKNOWN && call->um.sens_raw[0])
		snprintf(out->ms_sensitivity, sizeof(out->ms_sensitivity), "%s", call->um.sens_raw);
	else if (call->um.sens != MAP_SENS_NONE && call->um.sens != MAP_SENS_UNKNOWN)
		snprintf(out->ms_sensitivity, sizeof(out->ms_sensitivity), "%s", map_sens_name(call->um.sens));
	if (out->ms_sensitivity[0])
		map_diag_add(d, MAP_DIAG_NOTE, "Ms-Sensitivity: %s", out->ms_sensitivity);
}

int map_call_to_sip(const struct map_call *call, const struct map_tables *t, const struct map_trunk *tr,
		    const struct map_sip_out_opts *o, struct map_sip_out *out, struct map_diag *d)
{
	int cause = 0, ret;

	memset(out, 0, sizeof(*out));
	if (!o || !o->um_host || !*o->um_host) {
		map_diag_add(d, MAP_DIAG_ERROR, "SIP: no UM server host");
		return -EINVAL;
	}
	if (!call->called.present) {
		map_diag_add(d, MAP_DIAG_ERROR, "SIP: no called number");
		return -EINVAL;
	}
	if (call->redir.present) {
		cause = map_redir_cause_for_sip(call, t, d);
		if (cause)
			map_diag_add(d, MAP_DIAG_NOTE, "reason %s -> cause %d", map_reason_name(call->redir.reason),
				     cause);
		else
			map_diag_add(d, MAP_DIAG_NOTE, "target without cause (user-to-user no-cause)");
	}
	ret = request_uri(call, tr, o, cause, out, d);
	if (!ret)
		ret = parties(call, tr, o, out, d);
	if (!ret && !(o->untrusted && hides(call)))
		ret = diversion(call, t, tr, out, d);
	if (!ret && !(o->untrusted && hides(call)))
		ret = history_info(call, t, tr, o, cause, out, d);
	if (ret < 0)
		return ret;
	um_headers(call, out, d);
	return 0;
}
