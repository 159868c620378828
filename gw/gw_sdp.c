/*
 * gw_sdp.c - SDP offer/answer (RFC 4566, RFC 3264) for G.711 calls.
 *
 * The parser reads a body of hostile origin: it is bounded (GW_SDP_BODY_MAX bytes, lines of
 * SDP_LINE_MAX), copies each line before reading it, and refuses NUL and control bytes.  It keeps the
 * first RTP/AVP audio stream (else the first RTP/SAVP one, with its a=crypto lines; an audio stream
 * of another profile is kept without formats only when neither follows, so that the answer is a 488),
 * the session-level
 * c= and direction unless the stream has its own, and every m= line in a rejectable form so that an
 * answer has as many m= lines, in the same order (RFC 3264 6).  a=fmtp and unknown attributes are
 * ignored.  Bodies written use CRLF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_sdp.h"
#include "sdes.h"

#define GW_SDP_BODY_MAX 65536	/* bytes of a body we read */
#define SDP_LINE_MAX 1024	/* characters of a line, without its end */
#define SDP_PT_MAX 127
#define SDP_TE_OFFER 101	/* our telephone-event type */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dir_names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
/* the answer's direction to an offer's (RFC 3264 6.1) */
static const int dir_answer[] = { GW_SDP_SENDRECV, GW_SDP_RECVONLY, GW_SDP_SENDONLY, GW_SDP_INACTIVE };

const char *gw_sdp_dir_name(int dir)
{
	return dir >= 0 && dir <= GW_SDP_INACTIVE ? dir_names[dir] : "?";
}

struct sdp_parser {
	struct gw_sdp *out;
	int line;
	int seen_v;		/* the v= line, first of all */
	int in_audio;		/* the current m= line is the audio stream kept */
	int avp;		/* the stream kept is RTP/AVP */
	int rtp;		/* the stream kept is RTP/AVP or RTP/SAVP */
	int sess_dir;		/* -1: not given */
	int media_dir;
	char sess_ip[64];
	char *err;
	size_t errlen;
};

static int sdp_err(struct sdp_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sdp_err(struct sdp_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "line %d: ", p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- tokens ---- */

/* the next blank-separated token of *s into tok (len bytes); *s moves past it; -EINVAL none or too long */
static int sdp_token(const char **s, char *tok, size_t len)
{
	const char *p = *s;
	size_t n;

	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (!n || n >= len)
		return -EINVAL;
	memcpy(tok, p, n);
	tok[n] = '\0';
	*s = p + n;
	return 0;
}

/* a decimal number of at most 9 digits, 0..max, nothing after it */
static int sdp_uint(const char *s, long max, int *v)
{
	long x = 0;
	int n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 9)
			return -EINVAL;
		x = x * 10 + (s[n] - '0');
	}
	if (!n || s[n] || x > max)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

/* an address of a c= line: letters, digits, . : - (IPv4, IPv6, a host name) */
static int sdp_addr_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ.:-");

	return n > 0 && !s[n];
}

/* ---- lines ---- */

static int sdp_line_v(struct sdp_parser *p, const char *val)
{
	if (p->seen_v || strcmp(val, "0"))
		return sdp_err(p, "v=%s: expected v=0 on the first line", val);
	p->seen_v = 1;
	return 0;
}

/* c=IN IP4 192.0.2.1 (a multicast /ttl is cut off) */
static int sdp_line_c(struct sdp_parser *p, const char *val)
{
	char net[8], type[8], addr[128];
	const char *s = val;
	char *ip;

	if (sdp_token(&s, net, sizeof(net)) < 0 || sdp_token(&s, type, sizeof(type)) < 0 ||
	    sdp_token(&s, addr, sizeof(addr)) < 0 || *s || strcmp(net, "IN") ||
	    (strcmp(type, "IP4") && strcmp(type, "IP6")))
		return sdp_err(p, "c=%s: expected c=IN IP4|IP6 address", val);
	addr[strcspn(addr, "/")] = '\0';
	if (!sdp_addr_ok(addr) || strlen(addr) >= sizeof(p->out->ip))
		return sdp_err(p, "c=%s: not an address", val);
	if (p->out->nmedia == 0)
		ip = p->sess_ip;
	else if (p->in_audio)
		ip = p->out->ip;
	else
		return 0;
	memcpy(ip, addr, strlen(addr) + 1);
	return 0;
}

/* the audio stream kept from now: this m= line */
static void sdp_keep_audio(struct sdp_parser *p, int port, int avp, int savp)
{
	struct gw_sdp *o = p->out;

	o->audio = o->nmedia;
	o->port = port;
	o->nfmt = 0;
	o->te_pt = -1;
	o->ptime = 0;
	o->ip[0] = '\0';
	o->savp = savp;
	o->ncrypto = 0;
	memset(o->map, 0, sizeof(o->map));
	p->media_dir = -1;
	p->avp = avp;
	p->rtp = avp || savp;
	p->in_audio = 1;
}

/* the payload types of the audio stream kept */
static int sdp_fmts(struct sdp_parser *p, const char *s, const char *val)
{
	struct gw_sdp *o = p->out;
	char tok[16];
	int pt;

	while (*s) {
		if (sdp_token(&s, tok, sizeof(tok)) < 0 || sdp_uint(tok, SDP_PT_MAX, &pt) < 0)
			return sdp_err(p, "m=%s: payload types are numbers 0..%d", val, SDP_PT_MAX);
		if (o->nfmt < GW_SDP_FMTS)
			o->fmt[o->nfmt++] = pt;
		while (*s == ' ')
			s++;
	}
	return 0;
}

/* m=audio 49170 RTP/AVP 0 8 101 */
static int sdp_line_m(struct sdp_parser *p, const char *val)
{
	struct gw_sdp *o = p->out;
	char media[32], port[16], proto[32], fmt[16];
	const char *s = val, *rest;
	int n, portnum, avp, savp;

	if (sdp_token(&s, media, sizeof(media)) < 0 || sdp_token(&s, port, sizeof(port)) < 0 ||
	    sdp_token(&s, proto, sizeof(proto)) < 0)
		return sdp_err(p, "m=%s: expected m=media port proto formats", val);
	rest = s;
	port[strcspn(port, "/")] = '\0';
	if (sdp_uint(port, 65535, &portnum) < 0)
		return sdp_err(p, "m=%s: port '%s' is not 0..65535", val, port);
	if (sdp_token(&s, fmt, sizeof(fmt)) < 0)
		return sdp_err(p, "m=%s: no format", val);
	if (o->nmedia == GW_SDP_MEDIA)
		return sdp_err(p, "m=%s: more than %d m= lines", val, GW_SDP_MEDIA);
	n = snprintf(o->media[o->nmedia], sizeof(o->media[0]), "%s 0 %s %s", media, proto, fmt);
	if (n < 0 || (size_t)n >= sizeof(o->media[0]))
		return sdp_err(p, "m=%s: too long to answer", val);
	p->in_audio = 0;
	avp = !strcmp(proto, "RTP/AVP");
	savp = !strcmp(proto, "RTP/SAVP");
	if (!strcmp(media, "audio") && (o->audio < 0 || (avp && !p->avp) || (savp && !p->rtp))) {
		sdp_keep_audio(p, portnum, avp, savp);
		if ((avp || savp) && sdp_fmts(p, rest, val) < 0)
			return -EINVAL;
	}
	o->nmedia++;
	return 0;
}

/* a=rtpmap:96 PCMA/8000[/1] */
static int sdp_attr_rtpmap(struct sdp_parser *p, const char *v)
{
	static const struct {
		const char *enc;
		int map;
	} codecs[] = {
		{ "PCMU/8000", GW_SDP_MAP_PCMU }, { "PCMU/8000/1", GW_SDP_MAP_PCMU },
		{ "PCMA/8000", GW_SDP_MAP_PCMA }, { "PCMA/8000/1", GW_SDP_MAP_PCMA },
		{ "telephone-event/8000", GW_SDP_MAP_TE }, { "telephone-event/8000/1", GW_SDP_MAP_TE },
	};
	struct gw_sdp *o = p->out;
	char tok[16], enc[64];
	const char *s = v;
	size_t k;
	int i, pt, map = GW_SDP_MAP_OTHER;

	if (sdp_token(&s, tok, sizeof(tok)) < 0 || sdp_uint(tok, SDP_PT_MAX, &pt) < 0 ||
	    sdp_token(&s, enc, sizeof(enc)) < 0 || *s || !strchr(enc, '/'))
		return sdp_err(p, "a=rtpmap:%s: expected a=rtpmap:type encoding/rate", v);
	for (k = 0; k < NELEM(codecs); k++)
		if (!strcasecmp(enc, codecs[k].enc))
			map = codecs[k].map;
	for (i = 0; i < o->nfmt; i++)
		if (o->fmt[i] == pt)
			o->map[i] = map;
	for (i = 0; map == GW_SDP_MAP_TE && o->te_pt < 0 && i < o->nfmt; i++)
		if (o->fmt[i] == pt)
			o->te_pt = pt;
	return 0;
}

static int sdp_attr_ptime(struct sdp_parser *p, const char *v)
{
	if (sdp_uint(v, 1000, &p->out->ptime) < 0 || !p->out->ptime)
		return sdp_err(p, "a=ptime:%s: not 1..1000 ms", v);
	return 0;
}

/* a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:...: kept raw for the audio stream (media/sdes reads it); on an
 * RTP/AVP stream they offer SRTP at best effort ([MS-SDPEXT] 3.1.5.23) */
static int sdp_attr_crypto(struct sdp_parser *p, const char *v)
{
	struct gw_sdp *o = p->out;
	size_t n = strlen(v);

	if (p->in_audio && p->rtp && o->ncrypto < GW_SDP_CRYPTO && n < GW_SDP_CRYPTO_LEN)
		memcpy(o->crypto[o->ncrypto++], v, n + 1);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct sdp_parser *p, const char *value);
} sdp_attrs[] = {
	{ "rtpmap", sdp_attr_rtpmap },
	{ "ptime", sdp_attr_ptime },
	{ "crypto", sdp_attr_crypto },
};

/* a=name[:value]: at session level only directions count; in other streams nothing */
static int sdp_line_a(struct sdp_parser *p, const char *val)
{
	size_t n = strcspn(val, ":"), i;
	int session = p->out->nmedia == 0;

	if (!session && !p->in_audio)
		return 0;
	for (i = 0; i < NELEM(dir_names); i++)
		if (!strcmp(val, dir_names[i])) {
			*(session ? &p->sess_dir : &p->media_dir) = (int)i;
			return 0;
		}
	if (session || !val[n] || (p->in_audio && !p->rtp))
		return 0;
	for (i = 0; i < NELEM(sdp_attrs); i++)
		if (strlen(sdp_attrs[i].name) == n && !strncmp(val, sdp_attrs[i].name, n))
			return sdp_attrs[i].fn(p, val + n + 1);
	return 0;
}

static const struct {
	char type;
	int (*fn)(struct sdp_parser *p, const char *val);
} sdp_lines[] = {
	{ 'v', sdp_line_v },
	{ 'c', sdp_line_c },
	{ 'm', sdp_line_m },
	{ 'a', sdp_line_a },
};

/* one line, without its end, NUL-terminated */
static int sdp_line(struct sdp_parser *p, const char *line)
{
	size_t i;

	if (!p->seen_v && line[0] != 'v')
		return sdp_err(p, "expected v=0 on the first line");
	if (!(line[0] >= 'a' && line[0] <= 'z') || line[1] != '=')
		return sdp_err(p, "not a type=value line");
	for (i = 0; i < NELEM(sdp_lines); i++)
		if (sdp_lines[i].type == line[0])
			return sdp_lines[i].fn(p, line + 2);
	return 0;
}

/* copy the line at body[*pos] into buf; *pos moves past its end; -EINVAL: too long, control bytes */
static int sdp_next_line(struct sdp_parser *p, const char *body, size_t len, size_t *pos, char *buf)
{
	size_t start = *pos, n;
	const char *nl = memchr(body + start, '\n', len - start);

	n = nl ? (size_t)(nl - (body + start)) : len - start;
	*pos = start + n + (nl != NULL);
	if (n && body[start + n - 1] == '\r')
		n--;
	if (n > SDP_LINE_MAX)
		return sdp_err(p, "longer than %d characters", SDP_LINE_MAX);
	memcpy(buf, body + start, n);
	buf[n] = '\0';
	for (start = 0; start < n; start++)
		if ((unsigned char)buf[start] < 0x20 || buf[start] == 0x7f)
			return sdp_err(p, "control character 0x%02x", (unsigned char)buf[start]);
	return 0;
}

static int sdp_finish(struct sdp_parser *p)
{
	struct gw_sdp *o = p->out;

	if (o->audio < 0)
		return sdp_err(p, "no audio m= line");
	if (!o->ip[0])
		memcpy(o->ip, p->sess_ip, sizeof(o->ip));
	if (!o->ip[0])
		return sdp_err(p, "no c= line for the audio stream");
	o->dir = p->media_dir >= 0 ? p->media_dir : p->sess_dir >= 0 ? p->sess_dir : GW_SDP_SENDRECV;
	return 0;
}

int gw_sdp_parse(const char *body, size_t len, struct gw_sdp *out, char *err, size_t errlen)
{
	struct sdp_parser p = { .out = out, .sess_dir = -1, .media_dir = -1, .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t pos = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->te_pt = -1;
	out->audio = -1;
	if (err && errlen)
		err[0] = '\0';
	if (!body || !len || len > GW_SDP_BODY_MAX)
		return sdp_err(&p, "empty body or larger than %d bytes", GW_SDP_BODY_MAX);
	buf = malloc(SDP_LINE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while (pos < len && !rc) {
		p.line++;
		rc = sdp_next_line(&p, body, len, &pos, buf);
		if (!rc && buf[0])
			rc = sdp_line(&p, buf);
	}
	if (!rc)
		rc = sdp_finish(&p);
	free(buf);
	return rc;
}

/* ---- writing ---- */

struct sdp_out {
	char *buf;
	size_t len, n;
	int full;
};

static void sdp_put(struct sdp_out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sdp_put(struct sdp_out *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->n, w->len - w->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->len - w->n)
		w->full = 1;
	else
		w->n += (size_t)n;
}

static int sdp_done(struct sdp_out *w)
{
	if (w->full) {
		w->buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w->n;
}

/* v= o= s= c= t= */
static void sdp_put_session(struct sdp_out *w, const struct gw_sdp_local *local)
{
	const char *type = strchr(local->ip, ':') ? "IP6" : "IP4";

	sdp_put(w, "v=0\r\no=gwd %lu %lu IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n", local->sess_id, local->sess_ver,
		type, local->ip, type, local->ip);
}

static int sdp_local_ok(const struct gw_sdp_local *local, const char *buf, size_t len)
{
	return local && local->ip && sdp_addr_ok(local->ip) && strlen(local->ip) < 64 && local->port >= 0 &&
	       local->port <= 65535 && buf && len;
}

/* a=ptime, a=crypto, the direction */
static void sdp_put_attrs(struct sdp_out *w, const struct gw_sdp_local *local, int dir)
{
	sdp_put(w, "a=ptime:%d\r\n", local->ptime > 0 ? local->ptime : 20);
	if (local->crypto)
		sdp_put(w, "a=crypto:%s\r\n", local->crypto);
	sdp_put(w, "a=%s\r\n", dir_names[dir >= 0 && dir <= GW_SDP_INACTIVE ? dir : GW_SDP_SENDRECV]);
}

static const char *sdp_profile(int savp)
{
	return savp ? "RTP/SAVP" : "RTP/AVP";
}

int gw_sdp_offer(const struct gw_sdp_local *local, char *buf, size_t len)
{
	struct sdp_out w = { .buf = buf, .len = len };

	if (!sdp_local_ok(local, buf, len))
		return buf && len ? -EINVAL : -ENOSPC;
	sdp_put_session(&w, local);
	if (local->savp && !local->crypto)
		return -EINVAL;
	sdp_put(&w, "m=audio %d %s 0 8 %d\r\n", local->port, sdp_profile(local->savp), SDP_TE_OFFER);
	sdp_put(&w, "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
	sdp_put(&w, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n", SDP_TE_OFFER, SDP_TE_OFFER);
	sdp_put_attrs(&w, local, local->dir);
	return sdp_done(&w);
}

/* the G.711 codec of fmt[i]: 0 PCMU, 8 PCMA, -1 another */
static int sdp_codec(const struct gw_sdp *s, int i)
{
	int map = s->map[i];

	if (map == GW_SDP_MAP_PCMU)
		return 0;
	if (map == GW_SDP_MAP_PCMA)
		return 8;
	if (map == GW_SDP_MAP_NONE && (s->fmt[i] == 0 || s->fmt[i] == 8))
		return s->fmt[i];
	return -1;
}

int gw_sdp_pt(const struct gw_sdp *s, int codec)
{
	for (int i = 0; i < s->nfmt && i < GW_SDP_FMTS; i++)
		if (sdp_codec(s, i) == codec)
			return s->fmt[i];
	return -1;
}

/* the index of the first G.711 format, -1 none */
static int sdp_pick(const struct gw_sdp *s)
{
	int i;

	if (s->port == 0)
		return -1;
	for (i = 0; i < s->nfmt && i < GW_SDP_FMTS; i++)
		if (sdp_codec(s, i) >= 0)
			return i;
	return -1;
}

static void sdp_put_audio(struct sdp_out *w, const struct gw_sdp *offer, const struct gw_sdp_local *local, int i)
{
	int pt = offer->fmt[i], te = offer->te_pt;
	int dir = offer->dir >= 0 && offer->dir <= GW_SDP_INACTIVE ? offer->dir : GW_SDP_SENDRECV;

	if (te >= 0 && te <= SDP_PT_MAX && te != pt)
		sdp_put(w, "m=audio %d %s %d %d\r\n", local->port, sdp_profile(offer->savp), pt, te);
	else
		sdp_put(w, "m=audio %d %s %d\r\n", local->port, sdp_profile(offer->savp), pt);
	sdp_put(w, "a=rtpmap:%d %s/8000\r\n", pt, sdp_codec(offer, i) ? "PCMA" : "PCMU");
	if (te >= 0 && te <= SDP_PT_MAX && te != pt)
		sdp_put(w, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n", te, te);
	sdp_put_attrs(w, local, dir_answer[dir]);
}

int gw_sdp_answer(const struct gw_sdp *offer, const struct gw_sdp_local *local, char *buf, size_t len,
		  int *chosen)
{
	struct sdp_out w = { .buf = buf, .len = len };
	int i, m, nmedia;

	if (!offer || !sdp_local_ok(local, buf, len))
		return buf && len ? -EINVAL : -ENOSPC;
	i = sdp_pick(offer);
	if (i < 0 || (offer->savp && !local->crypto) || (local->crypto && !offer->ncrypto))
		return -ENOTSUP;
	nmedia = offer->nmedia > 0 && offer->nmedia <= GW_SDP_MEDIA && offer->audio >= 0 &&
		 offer->audio < offer->nmedia ? offer->nmedia : 0;
	sdp_put_session(&w, local);
	if (!nmedia)
		sdp_put_audio(&w, offer, local, i);
	for (m = 0; m < nmedia; m++) {
		if (m == offer->audio)
			sdp_put_audio(&w, offer, local, i);
		else
			sdp_put(&w, "m=%.*s\r\n", (int)sizeof(offer->media[m]), offer->media[m]);
	}
	if (chosen)
		*chosen = sdp_codec(offer, i);
	return sdp_done(&w);
}

int gw_sdp_check_answer(const struct gw_sdp *answer, int savp, int *chosen)
{
	int i = answer ? sdp_pick(answer) : -1;

	if (i < 0 || !answer->savp != !savp || (savp && !answer->ncrypto))
		return -ENOTSUP;
	if (chosen)
		*chosen = sdp_codec(answer, i);
	return 0;
}

int gw_sdp_crypto_pick(const struct gw_sdp *s, int tag, int suite, struct sdes_key *out)
{
	for (int i = 0; i < s->ncrypto && i < GW_SDP_CRYPTO; i++) {
		struct sdes_key k;

		if (sdes_parse(s->crypto[i], &k) == 0 && (tag < 0 || k.tag == tag) && (suite < 0 || k.suite == suite)) {
			if (out)
				*out = k;
			return i;
		}
	}
	return -ENOENT;
}

int gw_sdp_sec_answer(const struct gw_sdp *offer, int tls, int policy, int *line, const char **why)
{
	int i = gw_sdp_crypto_pick(offer, -1, -1, NULL);

	*line = i;
	*why = NULL;
	if (i < 0) {
		if (offer->savp)
			*why = offer->ncrypto ? "RTP/SAVP without an a=crypto line we support" :
						"RTP/SAVP without an a=crypto line";
		else if (tls && policy == GW_SDP_SRTP_REQUIRED)
			*why = "srtp = required and the offer is plain RTP";
		return *why ? GW_SDP_SEC_REFUSE : GW_SDP_SEC_RTP;
	}
	if (!tls || policy == GW_SDP_SRTP_OFF) {
		if (offer->savp)
			*why = !tls ? "SDES keys over a leg that is not TLS" : "srtp = off";
		return *why ? GW_SDP_SEC_REFUSE : GW_SDP_SEC_RTP;
	}
	return GW_SDP_SEC_SRTP;
}
