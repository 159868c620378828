/*
 * gw_conf.h - the daemon's sections of the gateway config file (INI, the same file as the spans).
 *
 *   [gw]            the daemon: pid file, log, control socket, mapping tables, timers, limits
 *   [sip]           SIP transports (UDP, TCP, TLS listeners; certificate, key, CA) and RFC 3261 timers
 *   [peer NAME]     a SIP peer: address, transport, trust; requests from it are recognised by address
 *                   (and, over TLS, by its verified certificate name)
 *   [route NAME]    where calls go: SIP -> span group (by called-number prefix and/or source peer),
 *                   TDM -> SIP peer (by span group and called number), with ordered alternates
 *
 * [span NAME] sections belong to tdm_conf (dahdi/tdm_conf.h).  gw_conf_from_ini reads the four
 * section types above, refuses any other section type except "span", and every unknown key.  Every
 * error names "file:line: key: why".  conf/gateway.conf.sample documents every key.
 */
#ifndef GW_CONF_H
#define GW_CONF_H

#include <stddef.h>

#include "ini.h"

#define GW_NAME_MAX 32
#define GW_PATH_MAX 256
#define GW_HOST_MAX 128
#define GW_PREFIX_MAX 32	/* digits of a route prefix */
#define GW_ALT_MAX 8		/* alternates of a route */
#define GW_ADDR_MAX 80		/* "ip:port" */

enum gw_proto {
	GW_PROTO_UDP = 0,
	GW_PROTO_TCP,
	GW_PROTO_TLS,
	GW_PROTO_COUNT
};

/* TLS client certificate policy of the TLS listener */
enum gw_tls_verify {
	GW_TLS_VERIFY_NONE = 0,		/* no client certificate asked for */
	GW_TLS_VERIFY_OPTIONAL,		/* asked for; verified against tls-ca when given */
	GW_TLS_VERIFY_REQUIRE,		/* a verified client certificate is required */
};

enum gw_timers {
	GW_TIMERS_STANDARD = 0,
	GW_TIMERS_SHORT,	/* test profile: T1 50 ms, no-answer 3 s, ... */
};

/* [gw] */
struct gw_main_conf {
	char pidfile[GW_PATH_MAX];	/* "" = none */
	char control[GW_PATH_MAX];	/* gwctl's Unix socket (default /run/gwd.ctl) */
	char tables[GW_PATH_MAX];	/* directory of *.tbl; "" = the built-in copy of conf/tables */
	int log_level;			/* enum log_level (default notice) */
	int syslog;			/* log to syslog instead of stderr */
	int drain_ms;			/* SIGTERM: how long calls may take to end (default 30000) */
	int no_answer_ms;		/* call-level no-answer timer, 0 = none (default 60000) */
	int max_redirects;		/* 3xx responses followed per call (default 3) */
	int max_calls;			/* calls at once (default 1024) */
	int retry_after;		/* seconds in Retry-After of a 503 for congestion (default 30) */
	int timers;			/* enum gw_timers */
};

/* [sip] */
struct gw_sip_conf {
	char listen[GW_PROTO_COUNT][GW_ADDR_MAX];	/* keys udp, tcp, tls: "ip:port", "" = off */
	char tls_cert[GW_PATH_MAX];	/* PEM certificate (chain) of the gateway */
	char tls_key[GW_PATH_MAX];	/* PEM private key */
	char tls_ca[GW_PATH_MAX];	/* PEM CA bundle peers' certificates are verified against */
	int tls_verify_client;		/* enum gw_tls_verify (default none) */
	char host[GW_HOST_MAX];		/* host in Via/Contact/From (default: the listener's ip) */
	char user_agent[64];		/* User-Agent / Server (default "gwd") */
	int t1_ms, t2_ms, t4_ms;	/* RFC 3261 T1/T2/T4 (500/4000/5000; short: 50/400/500) */
	int rtp_port;			/* first RTP port (even) of the calls' port pairs (default 16384) */
	int rtp_port_max;		/* last RTP/RTCP port (default rtp_port + 16383, at most 65535) */
	char rtp_ip[64];		/* address RTP is bound to and advertised in SDP (default host) */
	int ptime_ms;			/* packetisation time we send and offer: 10, 20 (default) or 30 */
	int jitter_min_ms;		/* IP -> TDM jitter buffer: least and most delay it adapts between */
	int jitter_max_ms;		/* (defaults 20 and 200) */
	int media_timeout_ms;		/* an answered call with no RTP for this long is released (cause
					 * 41); 0 = never (default 30 s) */
};

/* DTMF toward a peer: RFC 4733 telephone-event packets, or the tones left in the audio */
enum gw_dtmf {
	GW_DTMF_RFC4733 = 0,
	GW_DTMF_INBAND,
};

/* SRTP (RFC 3711) with SDES keys (RFC 4568): only ever on TLS legs */
enum gw_srtp {
	GW_SRTP_OFF = 0,
	GW_SRTP_OPTIONAL,	/* offered and accepted; plain RTP when the other side has none */
	GW_SRTP_REQUIRED,	/* a call without it is refused (488) */
};

/* [peer NAME] */
struct gw_peer_conf {
	char name[GW_NAME_MAX];
	char file[GW_PATH_MAX];
	int line;
	char host[GW_HOST_MAX];		/* IPv4/IPv6 literal */
	int port;			/* default 5060, 5061 for tls */
	int proto;			/* enum gw_proto (key transport, default udp) */
	int trusted;			/* skip-pin and P-Asserted-Identity honoured from it / sent to it
					 * (skip-pin only when proto is tls) */
	char tls_name[GW_HOST_MAX];	/* name its certificate must carry (default host); "" with
					 * proto tls = host */
	int um;				/* a unified messaging server: INVITEs toward it use the RFC 4458
					 * Request-URI form (target, cause) */
	char trunk[GW_NAME_MAX];	/* numbering.tbl trunk for numbers from/to it (default "default") */
	int privacy_untrusted;		/* treat as untrusted for RFC 3323 privacy (default: !trusted) */
	int dtmf;			/* enum gw_dtmf (default rfc4733) */
	int srtp;			/* enum gw_srtp (default: optional over TLS, off otherwise;
					 * optional/required need transport = tls) */
};

enum gw_route_dir {
	GW_ROUTE_SIP_TO_TDM = 0,	/* from = sip: SIP requests -> span groups */
	GW_ROUTE_TDM_TO_SIP,		/* from = tdm: TDM calls -> SIP peers */
};

/* outcomes on which a route advances to its next alternate (key advance) */
enum gw_adv {
	GW_ADV_BUSY = 1 << 0,		/* Q.850 17 / SIP 486, 600 */
	GW_ADV_NO_ANSWER = 1 << 1,	/* Q.850 18, 19, 102 / SIP 408, 480; the no-answer timer */
	GW_ADV_CONGESTION = 1 << 2,	/* Q.850 34, 38, 41, 42, 44, 47 / SIP 500, 502, 503, 504; no circuit */
	GW_ADV_FAILURE = 1 << 3,	/* any other failure before answer */
};

/* [route NAME] */
struct gw_route_conf {
	char name[GW_NAME_MAX];
	char file[GW_PATH_MAX];
	int line;
	int dir;				/* enum gw_route_dir (key from = sip|tdm) */
	char prefix[GW_PREFIX_MAX + 1];		/* called-number prefix, "" = any (key prefix) */
	char source[GW_NAME_MAX];		/* sip: source peer, tdm: source span group; "" = any
						 * (keys peer / group) */
	char to[GW_ALT_MAX][GW_NAME_MAX];	/* ordered: span groups (sip) or peers (tdm) */
	int nto;
	int advance;				/* enum gw_adv bits (default busy,no-answer,congestion) */
	char pilot[GW_PREFIX_MAX + 1];		/* alternates after the first are reached as a
						 * diversion to this voicemail pilot: called = pilot,
						 * target = the original called number, cause from the
						 * outcome (486 busy, 408 no answer, 503 unavailable,
						 * 480 other);
						 * "" = the alternates get the call unchanged */
	int no_answer_ms;			/* key no-answer (seconds): how long each attempt of
						 * this route may ring; 0 = [gw] no-answer */
};

struct gw_conf {
	struct gw_main_conf gw;
	struct gw_sip_conf sip;
	struct gw_peer_conf *peer;
	size_t npeer;
	struct gw_route_conf *route;	/* in file order */
	size_t nroute;
};

/* read [gw], [sip], [peer], [route] from ini; span sections are skipped (tdm_conf reads them).
 * 0, or -EINVAL with "file:line: key: why" in err */
int gw_conf_from_ini(const struct ini *ini, struct gw_conf *out, char *err, size_t errlen);
/* free what gw_conf_from_ini allocated (peers, routes) */
void gw_conf_free(struct gw_conf *conf);

/* checks across sections once the spans are known: every route's groups exist (groups is the list
 * of span group names, n of them), every route's peers exist.  0 or -EINVAL with err. */
int gw_conf_check(const struct gw_conf *conf, const char *const *groups, size_t n, char *err, size_t errlen);

/* the peer called name, NULL if there is none */
const struct gw_peer_conf *gw_conf_peer(const struct gw_conf *conf, const char *name);
/* the peer a request came from: same proto and host (and port, for UDP when the peer's port is its
 * source port; any port on TCP); over TLS only a peer whose tls_name (default: host) equals the name
 * of the client's verified certificate (cert_name, NULL when none): a TLS client without one is no
 * configured peer, and so never trusted.  NULL = unknown source. */
const struct gw_peer_conf *gw_conf_peer_by_addr(const struct gw_conf *conf, int proto, const char *ip, int port,
						const char *cert_name);

const char *gw_proto_name(int proto);		/* "udp", "tcp", "tls" */
int gw_proto_from_name(const char *name);	/* -1 if unknown */
/* "ip:port" -> ip, port; -EINVAL */
int gw_conf_split_addr(const char *addr, char *ip, size_t iplen, int *port);

#endif
