/*
 * gwconf_test.c - the daemon's config sections (gw_conf.c), routing decisions (gw_route.c) and SDP
 * offer/answer (gw_sdp.c).  Table-driven: every key with a value, every error message by its
 * "file:line: key: why" fragment, the defaults and the short profile, peers by address, route
 * matching and advance, SDP parse/offer/answer.  The shipped conf files must load and check.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_conf.h"
#include "gw_route.h"
#include "gw_sdp.h"
#include "sdes.h"
#include "ini.h"
#include "log.h"
#include "tdm_conf.h"
#include "testlib.h"

#define F "t.conf"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define S32 "01234567890123456789012345678901"
#define S64 S32 S32
#define S256 S64 S64 S64 S64

/* a peer and a route with their required keys: 2 and 3 lines, the vector's keys follow */
#define PEER_P "[peer p]\nhost = 192.0.2.1\n"
#define ROUTE_SIP "[route r]\nfrom = sip\nto = pstn\n"
#define ROUTE_TDM "[route r]\nfrom = tdm\nto = pbx\n"

/* parse text as F and read the daemon's sections; 0 or the first error */
static int gw_text(const char *text, struct gw_conf *conf, char *err, size_t errlen)
{
	struct ini *ini;
	int rc;

	memset(conf, 0, sizeof(*conf));
	rc = ini_parse(text, strlen(text), F, &ini, err, errlen);
	if (rc < 0)
		return rc;
	rc = gw_conf_from_ini(ini, conf, err, errlen);
	ini_free(ini);
	return rc;
}

/* ---- every key with a value ---- */

enum { W_CONF, W_PEER, W_ROUTE };

struct key_vec {
	const char *text;
	int where;		/* the struct off is in: gw_conf, its first peer, its first route */
	size_t off;
	long want;		/* an int field ... */
	const char *str;	/* ... or a string field when not NULL */
};

#define CI(text, f, v) { text, W_CONF, offsetof(struct gw_conf, f), v, NULL }
#define CS(text, f, s) { text, W_CONF, offsetof(struct gw_conf, f), 0, s }
#define PI(text, f, v) { PEER_P text, W_PEER, offsetof(struct gw_peer_conf, f), v, NULL }
#define PS(text, f, s) { PEER_P text, W_PEER, offsetof(struct gw_peer_conf, f), 0, s }
#define RI(head, text, f, v) { head text, W_ROUTE, offsetof(struct gw_route_conf, f), v, NULL }
#define RS(head, text, f, s) { head text, W_ROUTE, offsetof(struct gw_route_conf, f), 0, s }

#define TLS_OK "tls-cert = /etc/gw/cert.pem\ntls-key = /etc/gw/key.pem\n"

static const struct key_vec key_vecs[] = {
	/* [gw] */
	CS("[gw]\npidfile = /run/gwd.pid\n", gw.pidfile, "/run/gwd.pid"),
	CS("[gw]\ncontrol = /tmp/gw.ctl\n", gw.control, "/tmp/gw.ctl"),
	CS("[gw]\ntables = /etc/gw/tables\n", gw.tables, "/etc/gw/tables"),
	CI("[gw]\nlog-level = error\n", gw.log_level, LOG_LVL_ERROR),
	CI("[gw]\nlog-level = warn\n", gw.log_level, LOG_LVL_WARN),
	CI("[gw]\nlog-level = info\n", gw.log_level, LOG_LVL_INFO),
	CI("[gw]\nlog-level = debug\n", gw.log_level, LOG_LVL_DEBUG),
	CI("[gw]\nsyslog = yes\n", gw.syslog, 1),
	CI("[gw]\nsyslog = off\n", gw.syslog, 0),
	CI("[gw]\ndrain = 5\n", gw.drain_ms, 5000),
	CI("[gw]\ndrain = 0\n", gw.drain_ms, 0),
	CI("[gw]\nno-answer = 0\n", gw.no_answer_ms, 0),
	CI("[gw]\nno-answer = 3600\n", gw.no_answer_ms, 3600000),
	CI("[gw]\nmax-redirects = 0\n", gw.max_redirects, 0),
	CI("[gw]\nmax-redirects = 10\n", gw.max_redirects, 10),
	CI("[gw]\nmax-calls = 1\n", gw.max_calls, 1),
	CI("[gw]\nmax-calls = 65536\n", gw.max_calls, 65536),
	CI("[gw]\nretry-after = 0\n", gw.retry_after, 0),
	CI("[gw]\nretry-after = 120\n", gw.retry_after, 120),
	CI("[gw]\ntimers = short\n", gw.timers, GW_TIMERS_SHORT),
	CI("[gw]\ntimers = standard\n", gw.timers, GW_TIMERS_STANDARD),
	/* [sip] */
	CS("[sip]\nudp = 0.0.0.0:5060\n", sip.listen[GW_PROTO_UDP], "0.0.0.0:5060"),
	CS("[sip]\ntcp = 127.0.0.1:0\n", sip.listen[GW_PROTO_TCP], "127.0.0.1:0"),
	CS("[sip]\ntls = [::1]:5061\n" TLS_OK, sip.listen[GW_PROTO_TLS], "[::1]:5061"),
	CS("[sip]\nudp =\n", sip.listen[GW_PROTO_UDP], ""),
	CS("[sip]\n" TLS_OK, sip.tls_cert, "/etc/gw/cert.pem"),
	CS("[sip]\n" TLS_OK, sip.tls_key, "/etc/gw/key.pem"),
	CS("[sip]\ntls-ca = /etc/gw/ca.pem\n", sip.tls_ca, "/etc/gw/ca.pem"),
	CI("[sip]\ntls-verify-client = none\n", sip.tls_verify_client, GW_TLS_VERIFY_NONE),
	CI("[sip]\ntls-verify-client = optional\n", sip.tls_verify_client, GW_TLS_VERIFY_OPTIONAL),
	CI("[sip]\ntls-verify-client = require\n", sip.tls_verify_client, GW_TLS_VERIFY_REQUIRE),
	CS("[sip]\nhost = gw1.example.net\n", sip.host, "gw1.example.net"),
	CS("[sip]\nhost = 2001:db8::5\n", sip.host, "2001:db8::5"),
	CS("[sip]\nhost = 192.0.2.7\n", sip.rtp_ip, "192.0.2.7"),
	CS("[sip]\nhost = gw1.example.net\n", sip.rtp_ip, ""),
	CS("[sip]\nudp = 192.0.2.5:5060\n", sip.host, "192.0.2.5"),
	CS("[sip]\nudp = 192.0.2.5:5060\n", sip.rtp_ip, "192.0.2.5"),
	CS("[sip]\nudp = 0.0.0.0:5060\ntcp = 192.0.2.6:5060\n", sip.host, "192.0.2.6"),
	CS("[sip]\nudp = [::]:5060\n", sip.host, ""),
	CS("[sip]\nuser-agent = \"gw 1.0; carrier\"\n", sip.user_agent, "gw 1.0; carrier"),
	CI("[sip]\nt1 = 250\n", sip.t1_ms, 250),
	CI("[sip]\nt2 = 8000\n", sip.t2_ms, 8000),
	CI("[sip]\nt4 = 2500\n", sip.t4_ms, 2500),
	CI("[sip]\nrtp-port = 20000\n", sip.rtp_port, 20000),
	CI("[sip]\nrtp-port = 20000\n", sip.rtp_port_max, 36383),
	CI("[sip]\nrtp-port = 60000\n", sip.rtp_port_max, 65535),
	CI("[sip]\nrtp-port = 20000\nrtp-port-max = 20001\n", sip.rtp_port_max, 20001),
	CI("[sip]\nptime = 30\n", sip.ptime_ms, 30),
	CI("[sip]\nptime = 10\n", sip.ptime_ms, 10),
	CI("[sip]\njitter-min = 0\n", sip.jitter_min_ms, 0),
	CI("[sip]\njitter-max = 500\n", sip.jitter_max_ms, 500),
	CI("[sip]\njitter-min = 60\njitter-max = 60\n", sip.jitter_min_ms, 60),
	CI("[sip]\nmedia-timeout = 0\n", sip.media_timeout_ms, 0),
	CI("[sip]\nmedia-timeout = 90\n", sip.media_timeout_ms, 90000),
	CS("[sip]\nrtp-ip = 198.51.100.4\n", sip.rtp_ip, "198.51.100.4"),
	CS("[sip]\nrtp-ip = 2001:db8::4\n", sip.rtp_ip, "2001:db8::4"),
	/* [peer NAME] */
	PS("", name, "p"),
	PS("", file, F),
	PI("", line, 1),
	PS("", host, "192.0.2.1"),
	PS("", trunk, "default"),
	{ "[peer p]\nhost = 2001:db8::1\n", W_PEER, offsetof(struct gw_peer_conf, host), 0, "2001:db8::1" },
	PI("", port, 5060),
	PI("port = 5070\n", port, 5070),
	PI("", proto, GW_PROTO_UDP),
	PI("transport = tcp\n", proto, GW_PROTO_TCP),
	PI("transport = tcp\n", port, 5060),
	PI("transport = tls\n", proto, GW_PROTO_TLS),
	PI("transport = tls\n", port, 5061),
	PI("transport = tls\nport = 5071\n", port, 5071),
	PS("transport = tls\n", tls_name, "192.0.2.1"),
	PS("transport = tls\ntls-name = um.example.com\n", tls_name, "um.example.com"),
	PS("", tls_name, ""),
	PI("", trusted, 0),
	PI("trusted = yes\n", trusted, 1),
	PI("um = yes\n", um, 1),
	PI("", um, 0),
	PS("trunk = uk\n", trunk, "uk"),
	PI("", privacy_untrusted, 1),
	PI("trusted = yes\n", privacy_untrusted, 0),
	PI("trusted = yes\nprivacy-untrusted = yes\n", privacy_untrusted, 1),
	PI("privacy-untrusted = no\n", privacy_untrusted, 0),
	PI("", dtmf, GW_DTMF_RFC4733),
	PI("dtmf = inband\n", dtmf, GW_DTMF_INBAND),
	PI("dtmf = RFC4733\n", dtmf, GW_DTMF_RFC4733),
	PI("", srtp, GW_SRTP_OFF),
	PI("transport = tls\n", srtp, GW_SRTP_OPTIONAL),
	PI("transport = tls\nsrtp = required\n", srtp, GW_SRTP_REQUIRED),
	PI("transport = tls\nsrtp = off\n", srtp, GW_SRTP_OFF),
	PI("transport = tcp\nsrtp = off\n", srtp, GW_SRTP_OFF),
	/* [route NAME] */
	RS(ROUTE_SIP, "", name, "r"),
	RI(ROUTE_SIP, "", line, 1),
	RI(ROUTE_SIP, "", dir, GW_ROUTE_SIP_TO_TDM),
	RI(ROUTE_TDM, "", dir, GW_ROUTE_TDM_TO_SIP),
	RS(ROUTE_SIP, "", prefix, ""),
	RS(ROUTE_SIP, "prefix =\n", prefix, ""),
	RS(ROUTE_SIP, "prefix = 0044\n", prefix, "0044"),
	RS(ROUTE_SIP, "prefix = " S32 "\n", prefix, S32),
	RS(ROUTE_SIP, "", source, ""),
	RS(ROUTE_SIP, "peer = pbx\n", source, "pbx"),
	RS(ROUTE_TDM, "group = pbx\n", source, "pbx"),
	RI(ROUTE_SIP, "", nto, 1),
	RS(ROUTE_SIP, "", to[0], "pstn"),
	RI("[route r]\nfrom = sip\nto = a, b ,c\n", "", nto, 3),
	RS("[route r]\nfrom = sip\nto = a, b ,c\n", "", to[1], "b"),
	RS("[route r]\nfrom = sip\nto = a, b ,c\n", "", to[2], "c"),
	RI("[route r]\nfrom = sip\nto = a,b,c,d,e,f,g,h\n", "", nto, GW_ALT_MAX),
	RS("[route r]\nfrom = sip\nto = a,b,c,d,e,f,g,h\n", "", to[7], "h"),
	RI(ROUTE_SIP, "", advance, GW_ADV_BUSY | GW_ADV_NO_ANSWER | GW_ADV_CONGESTION),
	RI(ROUTE_SIP, "advance = none\n", advance, 0),
	RI(ROUTE_SIP, "advance = busy\n", advance, GW_ADV_BUSY),
	RI(ROUTE_SIP, "advance = failure , no-answer\n", advance, GW_ADV_FAILURE | GW_ADV_NO_ANSWER),
	RI(ROUTE_SIP, "advance = busy,no-answer,congestion,failure\n", advance, 15),
	RS(ROUTE_SIP, "", pilot, ""),
	RS(ROUTE_SIP, "pilot = 8000\n", pilot, "8000"),
	RI(ROUTE_SIP, "", no_answer_ms, 0),
	RI(ROUTE_SIP, "no-answer = 20\n", no_answer_ms, 20000),
};

static void key_tests(void)
{
	struct gw_conf conf;
	char err[256];
	const char *base;
	size_t i;
	int rc;

	for (i = 0; i < NELEM(key_vecs); i++) {
		const struct key_vec *v = &key_vecs[i];

		rc = gw_text(v->text, &conf, err, sizeof(err));
		CHECK(rc == 0, "key %zu: rc %d: %s", i, rc, err);
		if (rc || (v->where == W_PEER && !conf.npeer) || (v->where == W_ROUTE && !conf.nroute)) {
			gw_conf_free(&conf);
			continue;
		}
		base = v->where == W_CONF ? (const char *)&conf :
		       v->where == W_PEER ? (const char *)&conf.peer[0] : (const char *)&conf.route[0];
		if (v->str)
			CHECK(!strcmp(base + v->off, v->str), "key %zu: got '%s', want '%s'", i, base + v->off, v->str);
		else
			CHECK(*(const int *)(base + v->off) == v->want, "key %zu: got %d, want %ld", i,
			      *(const int *)(base + v->off), v->want);
		gw_conf_free(&conf);
	}
}

/* ---- defaults and the short profile ---- */

static void default_tests(void)
{
	static const char *const shorts[] = {
		"[gw]\ntimers = short\n",
		"[sip]\nudp = 127.0.0.1:0\n[gw]\ntimers = SHORT\n",	/* [sip] first, any case */
	};
	struct gw_conf conf;
	char err[256];
	size_t i;

	CHECK_INT(gw_text("", &conf, err, sizeof(err)), 0, "empty file");
	CHECK_STR(conf.gw.pidfile, "", "default pidfile");
	CHECK_STR(conf.gw.control, "/run/gwd.ctl", "default control");
	CHECK_STR(conf.gw.tables, "", "default tables");
	CHECK_INT(conf.gw.log_level, LOG_LVL_NOTICE, "default log-level");
	CHECK_INT(conf.gw.syslog, 0, "default syslog");
	CHECK_INT(conf.gw.drain_ms, 30000, "default drain");
	CHECK_INT(conf.gw.no_answer_ms, 60000, "default no-answer");
	CHECK_INT(conf.gw.max_redirects, 3, "default max-redirects");
	CHECK_INT(conf.gw.max_calls, 1024, "default max-calls");
	CHECK_INT(conf.gw.retry_after, 30, "default retry-after");
	CHECK_INT(conf.gw.timers, GW_TIMERS_STANDARD, "default timers");
	for (i = 0; i < GW_PROTO_COUNT; i++)
		CHECK_STR(conf.sip.listen[i], "", "default listeners off");
	CHECK_STR(conf.sip.tls_cert, "", "default tls-cert");
	CHECK_INT(conf.sip.tls_verify_client, GW_TLS_VERIFY_NONE, "default tls-verify-client");
	CHECK_STR(conf.sip.host, "", "default host");
	CHECK_STR(conf.sip.user_agent, "gwd", "default user-agent");
	CHECK_INT(conf.sip.t1_ms, 500, "default t1");
	CHECK_INT(conf.sip.t2_ms, 4000, "default t2");
	CHECK_INT(conf.sip.t4_ms, 5000, "default t4");
	CHECK_INT(conf.sip.rtp_port, 16384, "default rtp-port");
	CHECK_INT(conf.sip.rtp_port_max, 32767, "default rtp-port-max");
	CHECK_INT(conf.sip.ptime_ms, 20, "default ptime");
	CHECK_INT(conf.sip.jitter_min_ms, 20, "default jitter-min");
	CHECK_INT(conf.sip.jitter_max_ms, 200, "default jitter-max");
	CHECK_INT(conf.sip.media_timeout_ms, 30000, "default media-timeout");
	CHECK_STR(conf.sip.rtp_ip, "", "default rtp-ip");
	CHECK(!conf.npeer && !conf.nroute, "no peers, no routes");
	gw_conf_free(&conf);
	for (i = 0; i < NELEM(shorts); i++) {
		CHECK_INT(gw_text(shorts[i], &conf, err, sizeof(err)), 0, "short profile");
		CHECK_INT(conf.sip.t1_ms, 50, "short t1");
		CHECK_INT(conf.sip.t2_ms, 400, "short t2");
		CHECK_INT(conf.sip.t4_ms, 500, "short t4");
		CHECK_INT(conf.gw.no_answer_ms, 3000, "short no-answer");
		CHECK_INT(conf.gw.drain_ms, 2000, "short drain");
		gw_conf_free(&conf);
	}
	CHECK_INT(gw_text("[gw]\ntimers = short\ndrain = 7\nno-answer = 0\n[sip]\nt1 = 100\nt4 = 900\n", &conf, err,
			  sizeof(err)), 0, "short profile, explicit keys");
	CHECK_INT(conf.sip.t1_ms, 100, "explicit t1 wins");
	CHECK_INT(conf.sip.t2_ms, 400, "short t2 kept");
	CHECK_INT(conf.sip.t4_ms, 900, "explicit t4 wins");
	CHECK_INT(conf.gw.drain_ms, 7000, "explicit drain wins");
	CHECK_INT(conf.gw.no_answer_ms, 0, "explicit no-answer wins");
	gw_conf_free(&conf);
	gw_conf_free(&conf);
	gw_conf_free(NULL);
}

/* ---- errors ---- */

struct err_vec {
	const char *text;
	const char *err;	/* the start of the message */
};

static const struct err_vec err_vecs[] = {
	/* sections */
	{ "[foo]\n", F ":1: [foo]: unknown section type (known: [gw], [sip], [peer NAME], [route NAME], [span NAME])" },
	{ "[span a]\n[Peer x]\n", F ":2: [Peer x]: unknown section type" },
	{ "[gw x]\n", F ":1: [gw x]: takes no name, write [gw]" },
	{ "[sip udp]\n", F ":1: [sip udp]: takes no name, write [sip]" },
	{ "[peer]\nhost = 192.0.2.1\n", F ":1: [peer]: a peer section needs a name, like [peer pbx]" },
	{ "[route]\n", F ":1: [route]: a route section needs a name, like [route to-pbx]" },
	{ "[peer a/b]\n", F ":1: [peer a/b]: not a peer name (letters, digits, - _ ., at most 31)" },
	{ "[route " S32 "]\n", F ":1: [route " S32 "]: not a route name" },
	{ "[peer a]\nhost = 192.0.2.1\n[peer a]\n", F ":3: duplicate section [peer a] (first at line 1)" },
	{ "[gw]\n[gw]\n", F ":2: duplicate section [gw] (first at line 1)" },
	/* [gw] */
	{ "[gw]\nfoo = 1\n", F ":2: foo: unknown key in [gw]" },
	{ "[gw]\npidfile = /run/" S256 "\n", F ":2: pidfile: longer than 255 characters" },
	{ "[gw]\ncontrol =\n", F ":2: control: empty" },
	{ "[gw]\nlog-level = loud\n", F ":2: log-level: 'loud' is not one of error, warn, notice, info, debug" },
	{ "[gw]\nsyslog = maybe\n", F ":2: syslog: 'maybe' is not yes or no" },
	{ "[gw]\ndrain = 5s\n", F ":2: drain: '5s' is not a number" },
	{ "[gw]\ndrain = 3601\n", F ":2: drain: 3601 out of range 0..3600" },
	{ "[gw]\nno-answer = -1\n", F ":2: no-answer: -1 out of range 0..3600" },
	{ "[gw]\nmax-redirects = 11\n", F ":2: max-redirects: 11 out of range 0..10" },
	{ "[gw]\nmax-calls = 0\n", F ":2: max-calls: 0 out of range 1..65536" },
	{ "[gw]\nmax-calls = 99999999999999999999\n", F ":2: max-calls: 99999999999999999999 out of range" },
	{ "[gw]\nretry-after = 86401\n", F ":2: retry-after: 86401 out of range 0..86400" },
	{ "[gw]\ntimers = long\n", F ":2: timers: 'long' is not one of standard, short" },
	/* [sip] */
	{ "[sip]\nlisten = 0.0.0.0:5060\n", F ":2: listen: unknown key in [sip]" },
	{ "[sip]\nudp = 5060\n", F ":2: udp: '5060' is not ip:port (like 0.0.0.0:5060 or [::]:5061; port 0..65535)" },
	{ "[sip]\nudp = 192.0.2.1:65536\n", F ":2: udp: '192.0.2.1:65536' is not ip:port" },
	{ "[sip]\ntcp = ::1:5060\n", F ":2: tcp: '::1:5060' is not ip:port" },
	{ "[sip]\ntcp = [::1]5060\n", F ":2: tcp: '[::1]5060' is not ip:port" },
	{ "[sip]\ntcp = [192.0.2.1]:5060\n", F ":2: tcp: '[192.0.2.1]:5060' is not ip:port" },
	{ "[sip]\nudp = gw.example:5060\n", F ":2: udp: 'gw.example:5060' is not ip:port" },
	{ "[sip]\nudp = 192.0.2.1:\n", F ":2: udp: '192.0.2.1:' is not ip:port" },
	{ "[sip]\nudp = 192.0.2.1:-1\n", F ":2: udp: '192.0.2.1:-1' is not ip:port" },
	{ "[sip]\ntls = 0.0.0.0:5061\n", F ":2: tls: a TLS listener needs tls-cert and tls-key" },
	{ "[sip]\ntls = 0.0.0.0:5061\ntls-cert = /c.pem\n", F ":2: tls: a TLS listener needs tls-cert and tls-key" },
	{ "[sip]\ntls-cert = /c.pem\n", F ":2: tls-cert: given without tls-key" },
	{ "[sip]\nudp = 0.0.0.0:5060\ntls-key = /k.pem\n", F ":3: tls-key: given without tls-cert" },
	{ "[sip]\ntls-ca =\n", F ":2: tls-ca: empty" },
	{ "[sip]\ntls-verify-client = always\n",
	  F ":2: tls-verify-client: 'always' is not one of none, optional, require" },
	{ "[sip]\nhost = \"bad host\"\n", F ":2: host: 'bad host' is not a host name or IP address" },
	{ "[sip]\nhost = -gw.example\n", F ":2: host: '-gw.example' is not a host name or IP address" },
	{ "[sip]\nhost = gw..example\n", F ":2: host: 'gw..example' is not a host name or IP address" },
	{ "[sip]\nhost = [::1]\n", F ":2: host: '[::1]' is not a host name or IP address" },
	{ "[sip]\nuser-agent = " S64 "\n", F ":2: user-agent: longer than 63 characters" },
	{ "[sip]\nt1 = 5\n", F ":2: t1: 5 out of range 10..10000" },
	{ "[sip]\nt2 = 60001\n", F ":2: t2: 60001 out of range 10..60000" },
	{ "[sip]\nt4 = 1s\n", F ":2: t4: '1s' is not a number" },
	{ "[sip]\nt1 = 1000\nt2 = 500\n", F ":3: t2: 500 ms less than t1 (1000 ms)" },
	{ "[gw]\ntimers = short\n[sip]\nt1 = 1000\n", F ":4: t1: 1000 ms more than t2 (400 ms)" },
	{ "[sip]\nrtp-port = 80\n", F ":2: rtp-port: 80 out of range 1024..65534" },
	{ "[sip]\nrtp-port = 20001\n", F ":2: rtp-port: 20001 is odd (RTP takes the even port of a pair)" },
	{ "[sip]\nrtp-port = 20000\nrtp-port-max = 20000\n", F ":3: rtp-port-max: 20000 leaves no port pair from "
	  "rtp-port 20000" },
	{ "[sip]\nptime = 25\n", F ":2: ptime: 25 ms: 10, 20 or 30" },
	{ "[sip]\nptime = 40\n", F ":2: ptime: 40 out of range 10..30" },
	{ "[sip]\njitter-min = 100\njitter-max = 50\n", F ":3: jitter-max: jitter-max 50 ms is less than jitter-min "
	  "100 ms" },
	{ "[sip]\njitter-min = 300\n", F ":2: jitter-min: jitter-max 200 ms is less than jitter-min 300 ms" },
	{ "[sip]\nmedia-timeout = soon\n", F ":2: media-timeout: " },
	{ "[sip]\nrtp-ip = media.example\n", F ":2: rtp-ip: 'media.example' is not an IPv4 or IPv6 address" },
	/* [peer NAME] */
	{ "[peer p]\nport = 5060\n", F ":1: host: required in [peer p]" },
	{ "[peer p]\nhost = pbx.example\n", F ":2: host: 'pbx.example' is not an IPv4 or IPv6 address" },
	{ "[peer p]\nhost = 192.0.2.256\n", F ":2: host: '192.0.2.256' is not an IPv4 or IPv6 address" },
	{ PEER_P "port = 0\n", F ":3: port: 0 out of range 1..65535" },
	{ PEER_P "port = 65536\n", F ":3: port: 65536 out of range 1..65535" },
	{ PEER_P "transport = sctp\n", F ":3: transport: 'sctp' is not one of udp, tcp, tls" },
	{ PEER_P "trusted = 2\n", F ":3: trusted: '2' is not yes or no" },
	{ PEER_P "tls-name = um.example\n", F ":3: tls-name: only with transport = tls; [peer p] has transport = udp" },
	{ PEER_P "transport = tcp\ntls-name = um.example\n",
	  F ":4: tls-name: only with transport = tls; [peer p] has transport = tcp" },
	{ PEER_P "transport = tls\ntls-name = um_1\n", F ":4: tls-name: 'um_1' is not a host name or IP address" },
	{ PEER_P "um = sometimes\n", F ":3: um: 'sometimes' is not yes or no" },
	{ PEER_P "trunk = a/b\n", F ":3: trunk: 'a/b' is not a name (letters, digits, - _ ., at most 31)" },
	{ PEER_P "privacy-untrusted = x\n", F ":3: privacy-untrusted: 'x' is not yes or no" },
	{ PEER_P "dtmf = sipinfo\n", F ":3: dtmf: 'sipinfo' is not one of rfc4733, inband" },
	{ PEER_P "srtp = maybe\n", F ":3: srtp: 'maybe' is not one of off, optional, required" },
	{ PEER_P "srtp = optional\n", F ":3: srtp: optional needs transport = tls (SDES keys never travel in clear)" },
	{ PEER_P "transport = tcp\nsrtp = required\n", F ":4: srtp: required needs transport = tls" },
	{ PEER_P "user = x\n", F ":3: user: unknown key in [peer p]" },
	/* [route NAME] */
	{ "[route r]\nto = pstn\n", F ":1: from: required in [route r]" },
	{ "[route r]\nfrom = sip\n", F ":1: to: required in [route r]" },
	{ "[route r]\nfrom = pstn\nto = x\n", F ":2: from: 'pstn' is not one of sip, tdm" },
	{ ROUTE_SIP "prefix = +44\n", F ":4: prefix: '+44' is not a number of digits 0-9" },
	{ ROUTE_SIP "prefix = 44 20\n", F ":4: prefix: '44 20' is not a number of digits 0-9" },
	{ ROUTE_SIP "prefix = " S32 "1\n", F ":4: prefix: longer than 32 characters" },
	{ ROUTE_SIP "group = pbx\n", F ":4: group: only with from = tdm; [route r] has from = sip" },
	{ ROUTE_TDM "peer = pbx\n", F ":4: peer: only with from = sip; [route r] has from = tdm" },
	{ ROUTE_SIP "peer = a/b\n", F ":4: peer: 'a/b' is not a name" },
	{ ROUTE_TDM "group = " S32 "\n", F ":4: group: '" S32 "' is not a name" },
	{ "[route r]\nfrom = sip\nto = a,,b\n", F ":3: to: 'a,,b' is not a list of names" },
	{ "[route r]\nfrom = sip\nto = a,\n", F ":3: to: 'a,' is not a list of names" },
	{ "[route r]\nfrom = sip\nto =\n", F ":3: to: '' is not a list of names" },
	{ "[route r]\nfrom = sip\nto = a b\n", F ":3: to: 'a b' is not a list of names" },
	{ "[route r]\nfrom = sip\nto = " S32 "\n", F ":3: to: '" S32 "' is not a list of names" },
	{ "[route r]\nfrom = sip\nto = a,b,c,d,e,f,g,h,i\n", F ":3: to: more than 8 names" },
	{ ROUTE_SIP "advance = sometimes\n",
	  F ":4: advance: 'sometimes' is not none or a list of busy, no-answer, congestion, failure" },
	{ ROUTE_SIP "advance = busy, busy\n", F ":4: advance: 'busy, busy' is not none or a list" },
	{ ROUTE_SIP "advance = none, busy\n", F ":4: advance: 'none, busy' is not none or a list" },
	{ ROUTE_SIP "advance =\n", F ":4: advance: '' is not none or a list" },
	{ ROUTE_SIP "pilot = 80a0\n", F ":4: pilot: '80a0' is not a number of digits 0-9" },
	{ ROUTE_SIP "no-answer = soon\n", F ":4: no-answer: 'soon'" },
	{ ROUTE_SIP "cause = 486\n", F ":4: cause: unknown key in [route r]" },
	{ ROUTE_SIP "prefix = 44\n[route b]\nfrom = sip\nprefix = 44\nto = pbx\n",
	  F ":5: [route b]: never used: [route r] (line 1) has the same from, prefix and peer" },
	{ ROUTE_TDM "[route b]\nfrom = tdm\nto = pbx\n",
	  F ":4: [route b]: never used: [route r] (line 1) has the same from, prefix and group" },
	/* the syntax, through gw_conf */
	{ "[sip]\nt1 = 100\nt1 = 200\n", F ":3: t1: duplicate key in [sip] (first at line 2)" },
};

static void err_tests(void)
{
	struct gw_conf conf;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < NELEM(err_vecs); i++) {
		const struct err_vec *v = &err_vecs[i];

		rc = gw_text(v->text, &conf, err, sizeof(err));
		CHECK(rc == -EINVAL, "error %zu: rc %d, want -EINVAL (%s)", i, rc, v->err);
		CHECK(!strncmp(err, v->err, strlen(v->err)), "error %zu:\n  got  '%s'\n  want '%s'", i, err, v->err);
		CHECK(!conf.peer && !conf.route && !conf.npeer && !conf.nroute, "error %zu: conf freed", i);
		gw_conf_free(&conf);
	}
}

/* duplicate names are refused by gw_conf too, for an ini built without ini_parse */
static void dup_tests(void)
{
	struct ini_kv host[2] = { { "host", "192.0.2.1", 2, 0 }, { "host", "192.0.2.2", 4, 0 } };
	struct ini_kv from[2] = { { "from", "sip", 2, 0 }, { "from", "tdm", 5, 0 } };
	struct ini_kv to[2] = { { "to", "a", 3, 0 }, { "to", "b", 6, 0 } };
	struct ini_kv rkv[2][2] = { { from[0], to[0] }, { from[1], to[1] } };
	struct ini_section psec[2] = { { "peer", "a", 1, &host[0], 1 }, { "peer", "a", 3, &host[1], 1 } };
	struct ini_section rsec[2] = { { "route", "r", 1, rkv[0], 2 }, { "route", "r", 4, rkv[1], 2 } };
	struct ini pini = { F, psec, 2 }, rini = { F, rsec, 2 };
	struct gw_conf conf;
	char err[256];

	CHECK_INT(gw_conf_from_ini(&pini, &conf, err, sizeof(err)), -EINVAL, "duplicate peer");
	CHECK_STR(err, F ":3: [peer a]: duplicate peer (first at line 1)", "duplicate peer");
	CHECK_INT(gw_conf_from_ini(&rini, &conf, err, sizeof(err)), -EINVAL, "duplicate route");
	CHECK_STR(err, F ":4: [route r]: duplicate route (first at line 1)", "duplicate route");
	CHECK_INT(gw_conf_from_ini(&rini, &conf, NULL, 0), -EINVAL, "no err buffer");
}

/* ---- gw_conf_check ---- */

struct check_vec {
	const char *text;
	const char *err;	/* NULL: passes */
};

#define PEERS "[peer pbx]\nhost = 192.0.2.1\n[peer um]\nhost = 192.0.2.2\n"	/* lines 1-4 */

static const struct check_vec check_vecs[] = {
	{ "", NULL },
	{ PEERS "[route a]\nfrom = sip\npeer = pbx\nto = pstn, pbx\n[route b]\nfrom = tdm\ngroup = pbx\nto = um, pbx\n",
	  NULL },
	{ PEERS "[route a]\nfrom = sip\nto = pstn, vm\n",
	  F ":5: to: no span group 'vm' for [route a] (groups: pstn, pbx)" },
	{ PEERS "[route a]\nfrom = sip\npeer = ghost\nto = pstn\n", F ":5: peer: no [peer ghost] for [route a]" },
	{ PEERS "[route a]\nfrom = sip\npeer = pstn\nto = pstn\n", F ":5: peer: no [peer pstn] for [route a]" },
	{ PEERS "[route a]\nfrom = sip\nto = um\n", F ":5: to: no span group 'um' for [route a]" },
	{ PEERS "[route a]\nfrom = tdm\ngroup = vm\nto = um\n",
	  F ":5: group: no span group 'vm' for [route a] (groups: pstn, pbx)" },
	{ PEERS "[route a]\nfrom = tdm\nto = um, ghost\n", F ":5: to: no [peer ghost] for [route a]" },
	{ PEERS "[route a]\nfrom = tdm\nto = pstn\n", F ":5: to: no [peer pstn] for [route a]" },
};

static void check_tests(void)
{
	static const char *const groups[] = { "pstn", "pbx" };
	struct gw_conf conf;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < NELEM(check_vecs); i++) {
		rc = gw_text(check_vecs[i].text, &conf, err, sizeof(err));
		CHECK(rc == 0, "check %zu: %s", i, err);
		rc = gw_conf_check(&conf, groups, NELEM(groups), err, sizeof(err));
		if (!check_vecs[i].err)
			CHECK(rc == 0 && !err[0], "check %zu: rc %d '%s'", i, rc, err);
		else
			CHECK(rc == -EINVAL && !strncmp(err, check_vecs[i].err, strlen(check_vecs[i].err)),
			      "check %zu: rc %d\n  got  '%s'\n  want '%s'", i, rc, err, check_vecs[i].err);
		gw_conf_free(&conf);
	}
	CHECK_INT(gw_text(PEERS "[route a]\nfrom = sip\nto = x\n", &conf, err, sizeof(err)), 0, "no groups");
	CHECK_INT(gw_conf_check(&conf, NULL, 0, err, sizeof(err)), -EINVAL, "no groups");
	CHECK_STR(err, F ":5: to: no span group 'x' for [route a] (groups: none)", "no groups");
	gw_conf_free(&conf);
}

/* ---- peers by address, names, addresses ---- */

#define ADDR_PEERS \
	"[peer a]\nhost = 192.0.2.1\n" \
	"[peer b]\nhost = 192.0.2.1\nport = 5070\n" \
	"[peer c]\nhost = 192.0.2.2\ntransport = tcp\n" \
	"[peer d]\nhost = 2001:db8::1\ntransport = tls\ntls-name = um1.example\n" \
	"[peer e]\nhost = 2001:db8::1\ntransport = tls\ntls-name = um2.example\n" \
	"[peer f]\nhost = 192.0.2.3\ntransport = tls\n"

struct addr_vec {
	int proto;
	const char *ip;
	int port;
	const char *cert;
	const char *want;	/* peer name, NULL: none */
};

static const struct addr_vec addr_vecs[] = {
	{ GW_PROTO_UDP, "192.0.2.1", 5060, NULL, "a" },
	{ GW_PROTO_UDP, "192.0.2.1", 5070, NULL, "b" },		/* the port picks among one host's peers */
	{ GW_PROTO_UDP, "192.0.2.1", 40000, NULL, "a" },	/* another port: the first in file order */
	{ GW_PROTO_TCP, "192.0.2.1", 5060, NULL, NULL },	/* same host, other transport */
	{ GW_PROTO_TCP, "192.0.2.2", 33333, NULL, "c" },	/* any port on TCP */
	{ GW_PROTO_UDP, "192.0.2.2", 5060, NULL, NULL },
	{ GW_PROTO_TCP, "::ffff:192.0.2.2", 33333, NULL, "c" },	/* IPv4-mapped */
	{ GW_PROTO_TLS, "2001:db8::1", 40001, "um2.example", "e" },
	{ GW_PROTO_TLS, "2001:db8::1", 40001, "UM2.Example", "e" },
	{ GW_PROTO_TLS, "2001:db8::1", 40001, "um1.example", "d" },
	{ GW_PROTO_TLS, "2001:db8::1", 40001, NULL, NULL },		/* TLS without a certificate: nobody */
	{ GW_PROTO_TLS, "2001:db8::1", 40001, "other.example", NULL },	/* a certificate of no peer's name */
	{ GW_PROTO_TLS, "2001:0db8:0:0::1", 40001, "um2.example", "e" },	/* another spelling */
	{ GW_PROTO_TLS, "192.0.2.3", 5061, "192.0.2.3", "f" },
	{ GW_PROTO_TLS, "192.0.2.9", 5061, "um1.example", NULL },	/* a name alone is not enough */
	{ GW_PROTO_UDP, "192.0.2.99", 5060, NULL, NULL },
	{ GW_PROTO_UDP, "not-an-ip", 5060, NULL, NULL },
	{ GW_PROTO_UDP, NULL, 5060, NULL, NULL },
};

static void addr_tests(void)
{
	const struct gw_peer_conf *p;
	struct gw_conf conf;
	char err[256];
	size_t i;

	CHECK_INT(gw_text(ADDR_PEERS, &conf, err, sizeof(err)), 0, "address peers");
	for (i = 0; i < NELEM(addr_vecs); i++) {
		const struct addr_vec *v = &addr_vecs[i];

		p = gw_conf_peer_by_addr(&conf, v->proto, v->ip, v->port, v->cert);
		CHECK((!p && !v->want) || (p && v->want && !strcmp(p->name, v->want)), "addr %zu: got %s, want %s", i,
		      p ? p->name : "none", v->want ? v->want : "none");
	}
	CHECK(gw_conf_peer(&conf, "c") == &conf.peer[2], "gw_conf_peer c");
	CHECK(!gw_conf_peer(&conf, "z") && !gw_conf_peer(&conf, NULL), "gw_conf_peer unknown");
	gw_conf_free(&conf);
	CHECK_STR(gw_proto_name(GW_PROTO_UDP), "udp", "udp");
	CHECK_STR(gw_proto_name(GW_PROTO_TCP), "tcp", "tcp");
	CHECK_STR(gw_proto_name(GW_PROTO_TLS), "tls", "tls");
	CHECK_STR(gw_proto_name(GW_PROTO_COUNT), "?", "proto ?");
	CHECK_INT(gw_proto_from_name("tls"), GW_PROTO_TLS, "from name tls");
	CHECK_INT(gw_proto_from_name("TCP"), GW_PROTO_TCP, "from name TCP");
	CHECK_INT(gw_proto_from_name("sctp"), -1, "from name sctp");
	CHECK_INT(gw_proto_from_name(NULL), -1, "from name NULL");
}

struct split_vec {
	const char *addr;
	int rc;
	const char *ip;
	int port;
};

static const struct split_vec split_vecs[] = {
	{ "192.0.2.1:5060", 0, "192.0.2.1", 5060 },
	{ "0.0.0.0:0", 0, "0.0.0.0", 0 },
	{ "[::1]:5061", 0, "::1", 5061 },
	{ "[2001:db8::1]:65535", 0, "2001:db8::1", 65535 },
	{ "192.0.2.1:65536", -EINVAL, NULL, 0 },
	{ "192.0.2.1:000005060", -EINVAL, NULL, 0 },
	{ "192.0.2.1", -EINVAL, NULL, 0 },
	{ ":5060", -EINVAL, NULL, 0 },
	{ "::1:5060", -EINVAL, NULL, 0 },
	{ "[::1]", -EINVAL, NULL, 0 },
	{ "[::1:5060", -EINVAL, NULL, 0 },
	{ "[192.0.2.1]:5060", -EINVAL, NULL, 0 },
	{ "host.example:5060", -EINVAL, NULL, 0 },
	{ "192.0.2.1:50 60", -EINVAL, NULL, 0 },
	{ "", -EINVAL, NULL, 0 },
};

static void split_tests(void)
{
	char ip[64], small[4];
	size_t i;
	int port, rc;

	for (i = 0; i < NELEM(split_vecs); i++) {
		const struct split_vec *v = &split_vecs[i];

		port = -1;
		rc = gw_conf_split_addr(v->addr, ip, sizeof(ip), &port);
		CHECK(rc == v->rc, "split %zu '%s': rc %d, want %d", i, v->addr, rc, v->rc);
		if (!rc && v->ip)
			CHECK(!strcmp(ip, v->ip) && port == v->port, "split %zu: %s %d", i, ip, port);
	}
	CHECK_INT(gw_conf_split_addr("192.0.2.1:5060", small, sizeof(small), &port), -EINVAL, "ip buffer too small");
	CHECK_INT(gw_conf_split_addr(NULL, ip, sizeof(ip), &port), -EINVAL, "NULL address");
}

/* ---- routes ---- */

#define ROUTES \
	"[route any]\nfrom = sip\nto = pstn\n" \
	"[route uk]\nfrom = sip\nprefix = 44\nto = pstn\n" \
	"[route uk-pbx]\nfrom = sip\nprefix = 44\npeer = pbx\nto = pbx\n" \
	"[route london]\nfrom = sip\nprefix = 4420\nto = pbx\n" \
	"[route t-any]\nfrom = tdm\nto = um\n" \
	"[route t-vm]\nfrom = tdm\nprefix = 8000\ngroup = pbx\nto = um, pbx-sip\npilot = 8000\n" \
	"[route t-vm2]\nfrom = tdm\nprefix = 8000\nto = pbx-sip\n"

struct match_vec {
	int dir;
	const char *source;
	const char *called;
	const char *want;
};

static const struct match_vec match_vecs[] = {
	{ GW_ROUTE_SIP_TO_TDM, NULL, "123", "any" },
	{ GW_ROUTE_SIP_TO_TDM, NULL, NULL, "any" },
	{ GW_ROUTE_SIP_TO_TDM, "pbx", "", "any" },
	{ GW_ROUTE_SIP_TO_TDM, NULL, "4", "any" },		/* shorter than the prefix */
	{ GW_ROUTE_SIP_TO_TDM, NULL, "4412", "uk" },
	{ GW_ROUTE_SIP_TO_TDM, "", "4412", "uk" },
	{ GW_ROUTE_SIP_TO_TDM, "pbx", "4412", "uk-pbx" },	/* the source beats any at equal prefix */
	{ GW_ROUTE_SIP_TO_TDM, "other", "4412", "uk" },
	{ GW_ROUTE_SIP_TO_TDM, "pbx", "44201", "london" },	/* the longest prefix beats the source */
	{ GW_ROUTE_SIP_TO_TDM, NULL, "4420", "london" },
	{ GW_ROUTE_TDM_TO_SIP, "pbx", "8000", "t-vm" },
	{ GW_ROUTE_TDM_TO_SIP, "pstn", "8000", "t-vm2" },
	{ GW_ROUTE_TDM_TO_SIP, NULL, "80001", "t-vm2" },
	{ GW_ROUTE_TDM_TO_SIP, "pbx", "1", "t-any" },
	{ 7, NULL, "1", NULL },
};

static void match_tests(void)
{
	const struct gw_route_conf *r;
	struct gw_conf conf, one;
	struct gw_route_conf rt[3];
	char err[256];
	size_t i;

	CHECK_INT(gw_text(ROUTES, &conf, err, sizeof(err)), 0, "routes");
	for (i = 0; i < NELEM(match_vecs); i++) {
		const struct match_vec *v = &match_vecs[i];

		r = gw_route_match(&conf, v->dir, v->source, v->called);
		CHECK((!r && !v->want) || (r && v->want && !strcmp(r->name, v->want)), "match %zu: got %s, want %s", i,
		      r ? r->name : "none", v->want ? v->want : "none");
	}
	gw_conf_free(&conf);
	CHECK(!gw_route_match(NULL, GW_ROUTE_SIP_TO_TDM, NULL, "1"), "no conf");
	CHECK_INT(gw_text(ROUTE_SIP, &conf, err, sizeof(err)), 0, "sip route only");
	CHECK(!gw_route_match(&conf, GW_ROUTE_TDM_TO_SIP, NULL, "1"), "no tdm route");
	gw_conf_free(&conf);
	/* equal rank (a conf built by hand; gw_conf refuses it): file order */
	memset(&one, 0, sizeof(one));
	memset(rt, 0, sizeof(rt));
	snprintf(rt[0].name, sizeof(rt[0].name), "first");
	snprintf(rt[1].name, sizeof(rt[1].name), "second");
	snprintf(rt[2].name, sizeof(rt[2].name), "third");
	rt[2].dir = GW_ROUTE_TDM_TO_SIP;
	one.route = rt;
	one.nroute = 3;
	r = gw_route_match(&one, GW_ROUTE_SIP_TO_TDM, "x", "1");
	CHECK(r == &rt[0], "file order: got %s", r ? r->name : "none");
}

struct class_vec {
	int code;
	int outcome;
};

static const struct class_vec q850_vecs[] = {
	{ 17, GW_ADV_BUSY }, { 18, GW_ADV_NO_ANSWER }, { 19, GW_ADV_NO_ANSWER }, { 102, GW_ADV_NO_ANSWER },
	{ 34, GW_ADV_CONGESTION }, { 38, GW_ADV_CONGESTION }, { 41, GW_ADV_CONGESTION },
	{ 42, GW_ADV_CONGESTION }, { 44, GW_ADV_CONGESTION }, { 47, GW_ADV_CONGESTION },
	{ 1, GW_ADV_FAILURE }, { 16, GW_ADV_FAILURE }, { 21, GW_ADV_FAILURE }, { 27, GW_ADV_FAILURE },
	{ 31, GW_ADV_FAILURE }, { 58, GW_ADV_FAILURE }, { 127, GW_ADV_FAILURE }, { 0, GW_ADV_FAILURE },
};

static const struct class_vec sip_vecs[] = {
	{ 486, GW_ADV_BUSY }, { 600, GW_ADV_BUSY }, { 408, GW_ADV_NO_ANSWER }, { 480, GW_ADV_NO_ANSWER },
	{ 500, GW_ADV_CONGESTION }, { 502, GW_ADV_CONGESTION }, { 503, GW_ADV_CONGESTION },
	{ 504, GW_ADV_CONGESTION }, { 300, GW_ADV_FAILURE }, { 302, GW_ADV_FAILURE }, { 404, GW_ADV_FAILURE },
	{ 487, GW_ADV_FAILURE }, { 488, GW_ADV_FAILURE }, { 603, GW_ADV_FAILURE }, { 699, GW_ADV_FAILURE },
	{ 200, 0 }, { 180, 0 }, { 0, 0 },
};

static void outcome_tests(void)
{
	size_t i;

	for (i = 0; i < NELEM(q850_vecs); i++)
		CHECK(gw_route_outcome_q850(q850_vecs[i].code) == q850_vecs[i].outcome, "q850 %d: got %s, want %s",
		      q850_vecs[i].code, gw_route_outcome_name(gw_route_outcome_q850(q850_vecs[i].code)),
		      gw_route_outcome_name(q850_vecs[i].outcome));
	for (i = 0; i < NELEM(sip_vecs); i++)
		CHECK(gw_route_outcome_sip(sip_vecs[i].code) == sip_vecs[i].outcome, "sip %d: got %d, want %d",
		      sip_vecs[i].code, gw_route_outcome_sip(sip_vecs[i].code), sip_vecs[i].outcome);
	CHECK_STR(gw_route_outcome_name(GW_ADV_BUSY), "busy", "name busy");
	CHECK_STR(gw_route_outcome_name(GW_ADV_NO_ANSWER), "no-answer", "name no-answer");
	CHECK_STR(gw_route_outcome_name(GW_ADV_CONGESTION), "congestion", "name congestion");
	CHECK_STR(gw_route_outcome_name(GW_ADV_FAILURE), "failure", "name failure");
	CHECK_STR(gw_route_outcome_name(0), "?", "name 0");
	CHECK_STR(gw_route_outcome_name(GW_ADV_BUSY | GW_ADV_FAILURE), "?", "name of two bits");
	CHECK_INT(gw_route_pilot_cause(GW_ADV_BUSY), 486, "pilot cause busy");
	CHECK_INT(gw_route_pilot_cause(GW_ADV_NO_ANSWER), 408, "pilot cause no-answer");
	CHECK_INT(gw_route_pilot_cause(GW_ADV_CONGESTION), 503, "pilot cause congestion");
	CHECK_INT(gw_route_pilot_cause(GW_ADV_FAILURE), 480, "pilot cause failure");
	CHECK_INT(gw_route_pilot_cause(0), 480, "pilot cause unknown");
}

struct parse_adv_vec {
	const char *list;
	int rc, bits;
};

static const struct parse_adv_vec parse_adv_vecs[] = {
	{ "none", 0, 0 },
	{ "NONE", 0, 0 },
	{ "busy", 0, GW_ADV_BUSY },
	{ "busy, no-answer", 0, GW_ADV_BUSY | GW_ADV_NO_ANSWER },
	{ " congestion ,failure ", 0, GW_ADV_CONGESTION | GW_ADV_FAILURE },
	{ "Busy", 0, GW_ADV_BUSY },
	{ "", -EINVAL, 0 },
	{ "busy,", -EINVAL, 0 },
	{ ",busy", -EINVAL, 0 },
	{ "busy,,failure", -EINVAL, 0 },
	{ "busy,busy", -EINVAL, 0 },
	{ "none,busy", -EINVAL, 0 },
	{ "busy no-answer", -EINVAL, 0 },
	{ "no_answer", -EINVAL, 0 },
	{ "bus", -EINVAL, 0 },
};

struct advance_vec {
	int advance;	/* the route's advance bits, nto 2 */
	int next, outcome, no_diversion;
	int want;
};

#define ADV_DEFAULT (GW_ADV_BUSY | GW_ADV_NO_ANSWER | GW_ADV_CONGESTION)

static const struct advance_vec advance_vecs[] = {
	{ ADV_DEFAULT, 2, GW_ADV_BUSY, 0, 1 },
	{ ADV_DEFAULT, 2, GW_ADV_NO_ANSWER, 0, 1 },
	{ ADV_DEFAULT, 2, GW_ADV_CONGESTION, 0, 1 },
	{ ADV_DEFAULT, 2, GW_ADV_FAILURE, 0, 0 },	/* not in the default list */
	{ ADV_DEFAULT, 2, GW_ADV_BUSY, 1, 0 },		/* the call forbids diversion */
	{ ADV_DEFAULT, 2, GW_ADV_NO_ANSWER, 1, 0 },
	{ ADV_DEFAULT, 3, GW_ADV_BUSY, 0, 0 },		/* the last alternate failed */
	{ ADV_DEFAULT, 0, GW_ADV_BUSY, 0, 0 },
	{ ADV_DEFAULT, -1, GW_ADV_BUSY, 0, 0 },
	{ ADV_DEFAULT, 2, 0, 0, 0 },
	{ 0, 2, GW_ADV_BUSY, 0, 0 },			/* advance = none */
	{ GW_ADV_FAILURE, 2, GW_ADV_FAILURE, 0, 1 },
	{ GW_ADV_FAILURE, 2, GW_ADV_BUSY, 0, 0 },
};

static void advance_tests(void)
{
	struct gw_route_conf r;
	size_t i;
	int bits, rc;

	for (i = 0; i < NELEM(parse_adv_vecs); i++) {
		bits = -1;
		rc = gw_route_parse_advance(parse_adv_vecs[i].list, &bits);
		CHECK(rc == parse_adv_vecs[i].rc && (rc || bits == parse_adv_vecs[i].bits),
		      "advance list '%s': rc %d bits %d", parse_adv_vecs[i].list, rc, bits);
	}
	CHECK_INT(gw_route_parse_advance(NULL, &bits), -EINVAL, "advance list NULL");
	memset(&r, 0, sizeof(r));
	r.nto = 2;
	for (i = 0; i < NELEM(advance_vecs); i++) {
		const struct advance_vec *v = &advance_vecs[i];

		r.advance = v->advance;
		CHECK(gw_route_advance(&r, v->next, v->outcome, v->no_diversion) == v->want, "advance %zu: want %d", i,
		      v->want);
	}
	CHECK_INT(gw_route_advance(NULL, 1, GW_ADV_BUSY, 0), 0, "advance without a route");
}

/* ---- SDP ---- */

#define SDP_HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"	/* lines 1-5 */
#define SDP_NOC "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n"

struct sdp_vec {
	const char *body;
	const char *err;	/* NULL: parses; else the start of the message */
	const char *ip;
	int port;
	const char *fmts;	/* "0 8 101" */
	int te, dir, ptime;
	int answer;		/* gw_sdp_answer: 0 (written) or -ENOTSUP */
	int chosen;
	const char *has;	/* a text the answer holds */
};

static const struct sdp_vec sdp_vecs[] = {
	/* codecs */
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_SENDRECV, 0, 0, 0,
	  "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 8\r\n", NULL, "192.0.2.9", 4000, "8", -1, GW_SDP_SENDRECV, 0, 0, 8,
	  "m=audio 5000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 18 8 0\r\n", NULL, "192.0.2.9", 4000, "18 8 0", -1, 0, 0, 0, 8,
	  "m=audio 5000 RTP/AVP 8\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMA/8000\r\n", NULL, "192.0.2.9", 4000, "96", -1, 0, 0,
	  0, 8, "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 PCMA/8000\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 97 0\r\na=rtpmap:97 pcmu/8000/1\r\n", NULL, "192.0.2.9", 4000, "97 0", -1,
	  0, 0, 0, 0, "m=audio 5000 RTP/AVP 97\r\na=rtpmap:97 PCMU/8000\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96 8\r\na=rtpmap:96 PCMA/16000\r\n", NULL, "192.0.2.9", 4000, "96 8", -1,
	  0, 0, 0, 8, "m=audio 5000 RTP/AVP 8\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n", NULL,
	  "192.0.2.9", 4000, "0 96", 96, 0, 0, 0, 0,
	  "m=audio 5000 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\n"
	  "a=fmtp:96 0-15\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=rtpmap:101 telephone-event/8000\r\n", NULL, "192.0.2.9", 4000, "0",
	  -1, 0, 0, 0, 0, "m=audio 5000 RTP/AVP 0\r\n" },	/* an rtpmap for a type not offered */
	{ SDP_HEAD "m=audio 4000 RTP/AVP 18 9\r\n", NULL, "192.0.2.9", 4000, "18 9", -1, 0, 0, -ENOTSUP, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96\r\n", NULL, "192.0.2.9", 4000, "96", -1, 0, 0, -ENOTSUP, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 G729/8000\r\n", NULL, "192.0.2.9", 4000, "0", -1, 0, 0,
	  -ENOTSUP, 0, NULL },
	{ SDP_HEAD "m=audio 0 RTP/AVP 0\r\n", NULL, "192.0.2.9", 0, "0", -1, 0, 0, -ENOTSUP, 0, NULL },
	/* directions */
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_SENDONLY, 0, 0,
	  0, "a=recvonly\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_RECVONLY, 0, 0,
	  0, "a=sendonly\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_INACTIVE, 0, 0,
	  0, "a=inactive\r\n" },
	{ SDP_HEAD "a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_SENDONLY, 0, 0,
	  0, "a=recvonly\r\n" },
	{ SDP_HEAD "a=sendonly\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n", NULL, "192.0.2.9", 4000, "0", -1,
	  GW_SDP_SENDRECV, 0, 0, 0, "a=sendrecv\r\n" },
	/* addresses, ptime, line ends, other streams */
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 198.51.100.1\r\na=ptime:30\r\n", NULL, "198.51.100.1", 4000,
	  "0", -1, 0, 30, 0, 0, NULL },
	{ SDP_NOC "m=audio 4000/2 RTP/AVP 8\r\nc=IN IP6 2001:db8::9\r\n", NULL, "2001:db8::9", 4000, "8", -1, 0, 0, 0,
	  8, NULL },
	{ "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 224.2.1.1/127\nt=0 0\nm=audio 4000 RTP/AVP 0\n", NULL,
	  "224.2.1.1", 4000, "0", -1, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=video 5002 RTP/AVP 31\r\na=sendonly\r\nc=IN IP4 198.51.100.2\r\nm=audio 4000 RTP/AVP 0\r\n"
	  "m=video 5004 RTP/AVP 34\r\n", NULL, "192.0.2.9", 4000, "0", -1, GW_SDP_SENDRECV, 0, 0, 0,
	  "t=0 0\r\nm=video 0 RTP/AVP 31\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
	  "a=sendrecv\r\nm=video 0 RTP/AVP 34\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n", NULL, "192.0.2.9",
	  4000, "0", -1, 0, 0, -ENOTSUP, 0, NULL },	/* SRTP: answered only with a key of ours */
	{ SDP_HEAD "m=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n", NULL, "192.0.2.9", 4000, "", -1, 0, 0, -ENOTSUP, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\na=ptime:40\r\nm=audio 4002 RTP/AVP 8\r\n", NULL, "192.0.2.9", 4002,
	  "8", -1, 0, 0, 0, 8, "m=audio 0 RTP/SAVP 0\r\nm=audio 5000 RTP/AVP 8\r\n" },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 8\r\n", NULL, "192.0.2.9", 4000, "0", -1, 0, 0, 0,
	  0, "m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\nm=audio 0 RTP/AVP 8\r\n" },
	{ SDP_HEAD "b=AS:64\r\nm=audio 4000 RTP/AVP 0 8 9 18 96 97 98 99 100 101 102 103 104 105 106 107 108 109\r\n"
	  "a=rtcp-mux\r\na=x-unknown:y\r\n", NULL, "192.0.2.9", 4000,
	  "0 8 9 18 96 97 98 99 100 101 102 103 104 105 106 107", -1, 0, 0, 0, 0, NULL },
	/* malformed */
	{ "", "line 0: empty body", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "o=- 1 1 IN IP4 192.0.2.9\r\n", "line 1: expected v=0 on the first line", NULL, 0, NULL, 0, 0, 0, 0, 0,
	  NULL },
	{ "\r\nv=0\r\n", "line 2: no audio m= line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "v=1\r\n", "line 1: v=1: expected v=0 on the first line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "v=0\r\nv=0\r\n", "line 2: v=0: expected v=0", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD, "line 5: no audio m= line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=video 5000 RTP/AVP 31\r\n", "line 6: no audio m= line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "junk\r\n", "line 6: not a type=value line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "M=audio 4000 RTP/AVP 0\r\n", "line 6: not a type=value line", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio x RTP/AVP 0\r\n", "line 6: m=audio x RTP/AVP 0: port 'x' is not 0..65535", NULL, 0, NULL,
	  0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 65536 RTP/AVP 0\r\n", "line 6: m=audio 65536 RTP/AVP 0: port '65536' is not 0..65535",
	  NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP\r\n", "line 6: m=audio 4000 RTP/AVP: no format", NULL, 0, NULL, 0, 0, 0, 0,
	  0, NULL },
	{ SDP_HEAD "m=audio\r\n", "line 6: m=audio: expected m=media port proto formats", NULL, 0, NULL, 0, 0, 0, 0,
	  0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0 abc\r\n", "line 6: m=audio 4000 RTP/AVP 0 abc: payload types are numbers",
	  NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 128\r\n", "line 6: m=audio 4000 RTP/AVP 128: payload types are numbers 0..127",
	  NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 99999999999\r\n", "line 6: m=audio 4000 RTP/AVP 99999999999: payload types",
	  NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=application 4000 UDP/TLS/RTP/SAVP/OTHER/VERY/LONG/PROFILE webrtc-datachannel\r\n",
	  "line 6: m=application", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "v=0\r\nc=IN IP4\r\n", "line 2: c=IN IP4: expected c=IN IP4|IP6 address", NULL, 0, NULL, 0, 0, 0, 0, 0,
	  NULL },
	{ "v=0\r\nc=XX IP4 1.2.3.4\r\n", "line 2: c=XX IP4 1.2.3.4: expected", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "v=0\r\nc=IN IP4 1.2.3.4 x\r\n", "line 2: c=IN IP4 1.2.3.4 x: expected", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ "v=0\r\nc=IN IP4 a_b\r\n", "line 2: c=IN IP4 a_b: not an address", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96\r\n", "line 7: a=rtpmap:96: expected a=rtpmap:type "
	  "encoding/rate", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96\r\na=rtpmap:x PCMA/8000\r\n", "line 7: a=rtpmap:x PCMA/8000: expected",
	  NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMA\r\n", "line 7: a=rtpmap:96 PCMA: expected", NULL, 0,
	  NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=ptime:0\r\n", "line 7: a=ptime:0: not 1..1000 ms", NULL, 0, NULL, 0, 0,
	  0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=ptime:20ms\r\n", "line 7: a=ptime:20ms: not 1..1000 ms", NULL, 0, NULL,
	  0, 0, 0, 0, 0, NULL },
	{ SDP_NOC "m=audio 4000 RTP/AVP 0\r\n", "line 5: no c= line for the audio stream", NULL, 0, NULL, 0, 0, 0, 0,
	  0, NULL },
	{ SDP_NOC "m=video 4000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n",
	  "line 7: no c= line for the audio stream", NULL, 0, NULL, 0, 0, 0, 0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=x\ry\r\n", "line 7: control character 0x0d", NULL, 0, NULL, 0, 0, 0,
	  0, 0, NULL },
	{ SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=\x01\r\n", "line 7: control character 0x01", NULL, 0, NULL, 0, 0, 0,
	  0, 0, NULL },
	{ SDP_HEAD "m=a 1 R 0\r\nm=a 1 R 0\r\nm=a 1 R 0\r\nm=a 1 R 0\r\nm=a 1 R 0\r\nm=a 1 R 0\r\nm=a 1 R 0\r\n"
	  "m=a 1 R 0\r\nm=audio 1 RTP/AVP 0\r\n", "line 14: m=audio 1 RTP/AVP 0: more than 8 m= lines", NULL, 0, NULL,
	  0, 0, 0, 0, 0, NULL },
};

static void sdp_fmts_text(const struct gw_sdp *s, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < s->nfmt && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%d", i ? " " : "", s->fmt[i]);
}

static void sdp_vec_check(size_t i, const struct sdp_vec *v)
{
	struct gw_sdp_local local = { .ip = "192.0.2.1", .port = 5000, .sess_id = 7, .sess_ver = 8 };
	char err[256], fmts[128], ans[GW_SDP_MAX];
	struct gw_sdp s;
	int rc, chosen = -1;

	rc = gw_sdp_parse(v->body, strlen(v->body), &s, err, sizeof(err));
	if (v->err) {
		CHECK(rc == -EINVAL && !strncmp(err, v->err, strlen(v->err)),
		      "sdp %zu: rc %d\n  got  '%s'\n  want '%s'", i, rc, err, v->err);
		return;
	}
	CHECK(rc == 0, "sdp %zu: rc %d: %s", i, rc, err);
	if (rc)
		return;
	sdp_fmts_text(&s, fmts, sizeof(fmts));
	CHECK(!strcmp(s.ip, v->ip) && s.port == v->port && !strcmp(fmts, v->fmts),
	      "sdp %zu: ip %s port %d fmts '%s', want %s %d '%s'", i, s.ip, s.port, fmts, v->ip, v->port, v->fmts);
	CHECK(s.te_pt == v->te && s.dir == v->dir && s.ptime == v->ptime, "sdp %zu: te %d dir %d ptime %d", i, s.te_pt,
	      s.dir, s.ptime);
	rc = gw_sdp_answer(&s, &local, ans, sizeof(ans), &chosen);
	if (v->answer) {
		CHECK(rc == v->answer, "sdp %zu: answer rc %d, want %d", i, rc, v->answer);
		CHECK_INT(gw_sdp_check_answer(&s, 0, &chosen), -ENOTSUP, "check_answer refuses it too");
		return;
	}
	CHECK(rc > 0 && (size_t)rc == strlen(ans) && chosen == v->chosen, "sdp %zu: answer rc %d chosen %d", i, rc,
	      chosen);
	CHECK(!strncmp(ans, "v=0\r\no=gwd 7 8 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n", 62),
	      "sdp %zu: answer session lines:\n%s", i, ans);
	if (v->has)
		CHECK(strstr(ans, v->has) != NULL, "sdp %zu: answer lacks\n%s\nin\n%s", i, v->has, ans);
	CHECK_INT(gw_sdp_check_answer(&s, 0, &chosen), 0, "check_answer");
	CHECK_INT(chosen, v->chosen, "check_answer chosen");
}

static void sdp_parse_tests(void)
{
	size_t i;

	for (i = 0; i < NELEM(sdp_vecs); i++)
		sdp_vec_check(i, &sdp_vecs[i]);
}

static void sdp_offer_tests(void)
{
	static const char want[] =
		"v=0\r\no=gwd 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
	struct gw_sdp_local local = { .ip = "192.0.2.1", .port = 16384, .sess_id = 1, .sess_ver = 2 };
	struct gw_sdp_local v6 = { .ip = "2001:db8::1", .port = 16386, .sess_id = 3, .sess_ver = 4 };
	struct gw_sdp_local bad = { .ip = "a b", .port = 1 };
	char buf[GW_SDP_MAX], small[64], err[128];
	struct gw_sdp s;
	int rc, chosen = -1;

	rc = gw_sdp_offer(&local, buf, sizeof(buf));
	CHECK_INT(rc, (long)strlen(want), "offer length");
	CHECK_STR(buf, want, "offer");
	CHECK_INT(gw_sdp_parse(buf, (size_t)rc, &s, err, sizeof(err)), 0, "our offer parses");
	CHECK(s.nfmt == 3 && s.fmt[0] == 0 && s.fmt[1] == 8 && s.fmt[2] == 101 && s.te_pt == 101 && s.ptime == 20,
	      "our offer read back");
	CHECK_INT(gw_sdp_check_answer(&s, 0, &chosen), 0, "our offer as an answer");
	CHECK_INT(chosen, 0, "PCMU first");
	rc = gw_sdp_offer(&v6, buf, sizeof(buf));
	CHECK(rc > 0 && strstr(buf, "o=gwd 3 4 IN IP6 2001:db8::1\r\n") && strstr(buf, "c=IN IP6 2001:db8::1\r\n") &&
	      strstr(buf, "m=audio 16386 "), "IPv6 offer:\n%s", buf);
	memset(small, 'x', sizeof(small));
	CHECK_INT(gw_sdp_offer(&local, small, sizeof(small)), -ENOSPC, "offer in a small buffer");
	CHECK_STR(small, "", "small buffer left empty");
	CHECK_INT(gw_sdp_offer(&local, NULL, 0), -ENOSPC, "offer without a buffer");
	CHECK_INT(gw_sdp_offer(&bad, buf, sizeof(buf)), -EINVAL, "offer with a bad address");
	CHECK_INT(gw_sdp_offer(NULL, buf, sizeof(buf)), -EINVAL, "offer without local");
}

static void sdp_answer_tests(void)
{
	static const char offer[] = SDP_HEAD "m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
	struct gw_sdp_local local = { .ip = "192.0.2.1", .port = 5000, .sess_id = 1, .sess_ver = 1 };
	char buf[GW_SDP_MAX], small[100], err[128];
	struct gw_sdp s;
	int chosen = -1;

	/* a struct filled by hand, without the fields only the parser fills */
	memset(&s, 0, sizeof(s));
	s.port = 4000;
	s.fmt[0] = 18;
	s.fmt[1] = 8;
	s.nfmt = 2;
	s.te_pt = -1;
	CHECK(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen) > 0 && chosen == 8, "hand-made offer");
	CHECK(strstr(buf, "m=audio 5000 RTP/AVP 8\r\n") != NULL, "hand-made offer answer:\n%s", buf);
	CHECK_INT(gw_sdp_parse(offer, strlen(offer), &s, err, sizeof(err)), 0, "offer");
	CHECK_INT(gw_sdp_answer(&s, &local, small, sizeof(small), &chosen), -ENOSPC, "answer in a small buffer");
	CHECK_INT(gw_sdp_answer(&s, &local, NULL, 0, &chosen), -ENOSPC, "answer without a buffer");
	CHECK_INT(gw_sdp_answer(NULL, &local, buf, sizeof(buf), &chosen), -EINVAL, "answer without an offer");
	CHECK(gw_sdp_answer(&s, &local, buf, sizeof(buf), NULL) > 0, "answer without chosen");
	CHECK(strstr(buf, "m=audio 5000 RTP/AVP 8 101\r\n") != NULL, "telephone-event 101 kept:\n%s", buf);
	CHECK_INT(gw_sdp_check_answer(NULL, 0, &chosen), -ENOTSUP, "check_answer NULL");
	/* only len bytes are read */
	CHECK_INT(gw_sdp_parse(offer, strlen(offer) - 40, &s, err, sizeof(err)), 0, "a prefix of the body");
	CHECK_INT(s.nfmt, 2, "the prefix's formats");
	CHECK_INT(gw_sdp_parse(NULL, 10, &s, err, sizeof(err)), -EINVAL, "NULL body");
	CHECK_INT(gw_sdp_parse(offer, 70000, &s, NULL, 0), -EINVAL, "body too large, no err buffer");
}

/* SRTP: RTP/SAVP with a=crypto (RFC 4568) offered, answered, checked; never keys toward a plain offer */
static void sdp_srtp_tests(void)
{
	static const char savp[] = SDP_HEAD "m=audio 4000 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
				   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
				   "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n";
	static const char avp[] = SDP_HEAD "m=audio 4000 RTP/AVP 8\r\n";
	static const char key[] = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
	struct gw_sdp_local local = { .ip = "192.0.2.1", .port = 5000, .sess_id = 1, .sess_ver = 1, .ptime = 30,
				      .crypto = key };
	char buf[GW_SDP_MAX], err[128];
	struct gw_sdp s;
	int chosen = -1;

	CHECK_INT(gw_sdp_parse(savp, strlen(savp), &s, err, sizeof(err)), 0, "SAVP offer parses");
	CHECK(s.savp && s.ncrypto == 2 && s.nfmt == 2 && s.te_pt == 101, "SAVP offer: savp %d, %d crypto, %d formats",
	      s.savp, s.ncrypto, s.nfmt);
	CHECK_STR(s.crypto[1], "2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj",
		  "second crypto line kept raw");
	CHECK(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen) > 0 && chosen == 0, "SAVP offer answered");
	CHECK(strstr(buf, "m=audio 5000 RTP/SAVP 0 101\r\n") && strstr(buf, "a=ptime:30\r\n") &&
	      strstr(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0Rm"), "SAVP answer:\n%s", buf);
	CHECK_INT(gw_sdp_check_answer(&s, 1, &chosen), 0, "SAVP answer to our SAVP offer");
	CHECK_INT(gw_sdp_check_answer(&s, 0, &chosen), -ENOTSUP, "SAVP answer to our plain offer");
	local.crypto = NULL;
	CHECK_INT(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen), -ENOTSUP, "SAVP offer, no key of ours: 488");
	local.crypto = key;
	CHECK_INT(gw_sdp_parse(avp, strlen(avp), &s, err, sizeof(err)), 0, "AVP offer parses");
	CHECK_INT(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen), -ENOTSUP, "a key of ours toward a plain offer: "
		  "refused");
	local.crypto = NULL;
	CHECK(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen) > 0, "AVP offer answered");
	CHECK(strstr(buf, "m=audio 5000 RTP/AVP 8\r\n") && !strstr(buf, "crypto"), "no key toward a plain offer:\n%s",
	      buf);
	CHECK_INT(gw_sdp_check_answer(&s, 1, &chosen), -ENOTSUP, "plain answer to our SAVP offer");
	local.crypto = key;
	local.savp = 1;
	local.dir = GW_SDP_SENDONLY;
	CHECK(gw_sdp_offer(&local, buf, sizeof(buf)) > 0, "SAVP offer written");
	CHECK(strstr(buf, "m=audio 5000 RTP/SAVP 0 8 101\r\n") && strstr(buf, "a=crypto:1 AES_CM") &&
	      strstr(buf, "a=sendonly\r\n"), "our SAVP offer (on hold):\n%s", buf);
	CHECK_INT(gw_sdp_parse(buf, strlen(buf), &s, err, sizeof(err)), 0, "our SAVP offer parses");
	s.ncrypto = 0;
	CHECK_INT(gw_sdp_check_answer(&s, 1, &chosen), -ENOTSUP, "SAVP answer without a key");
	local.crypto = NULL;
	CHECK_INT(gw_sdp_offer(&local, buf, sizeof(buf)), -EINVAL, "an RTP/SAVP offer without a key: -EINVAL");
	/* best effort ([MS-SDPEXT]): RTP/AVP with a=crypto, answered on RTP/AVP with our key */
	local.crypto = key;
	local.savp = 0;
	CHECK(gw_sdp_offer(&local, buf, sizeof(buf)) > 0 && strstr(buf, "m=audio 5000 RTP/AVP 0 8 101\r\n") &&
	      strstr(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0Rm"), "best-effort offer: RTP/AVP + a=crypto:\n%s",
	      buf);
	CHECK(gw_sdp_parse(buf, strlen(buf), &s, err, sizeof(err)) == 0 && !s.savp && s.ncrypto == 1,
	      "its a=crypto line is kept on an RTP/AVP stream");
	CHECK(gw_sdp_answer(&s, &local, buf, sizeof(buf), &chosen) > 0 && strstr(buf, "RTP/AVP 0 101\r\n") &&
	      strstr(buf, "a=crypto:1 "), "best-effort offer answered with a key, on RTP/AVP:\n%s", buf);
}

/* gw_sdp_sec_answer: SDES keys only over TLS, per policy; every branch */
static void sdp_sec_tests(void)
{
	static const char *const bodies[] = {
		[0] = SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:3 AES_CM_128_HMAC_SHA1_32 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n",
		[1] = SDP_HEAD "m=audio 4000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n",
		[2] = SDP_HEAD "m=audio 4000 RTP/AVP 0\r\n",
		[3] = SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4\r\n",
		[4] = SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\n",
		[5] = SDP_HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\na=crypto:7 AES_CM_128_HMAC_SHA1_80 "
		      "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n",
	};
	static const struct {
		int body, tls, policy, want, line;
		const char *why;	/* a word of the reason */
	} vec[] = {
		{ 0, 1, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_SRTP, 0, NULL },
		{ 0, 1, GW_SDP_SRTP_REQUIRED, GW_SDP_SEC_SRTP, 0, NULL },
		{ 0, 1, GW_SDP_SRTP_OFF, GW_SDP_SEC_REFUSE, 0, "off" },
		{ 0, 0, GW_SDP_SRTP_OFF, GW_SDP_SEC_REFUSE, 0, "not TLS" },
		{ 0, 0, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_REFUSE, 0, "not TLS" },
		{ 1, 1, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_SRTP, 0, NULL },
		{ 1, 0, GW_SDP_SRTP_OFF, GW_SDP_SEC_RTP, 0, NULL },
		{ 1, 1, GW_SDP_SRTP_OFF, GW_SDP_SEC_RTP, 0, NULL },
		{ 2, 1, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_RTP, -1, NULL },
		{ 2, 1, GW_SDP_SRTP_REQUIRED, GW_SDP_SEC_REFUSE, -1, "required" },
		{ 2, 0, GW_SDP_SRTP_OFF, GW_SDP_SEC_RTP, -1, NULL },
		{ 3, 1, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_REFUSE, -1, "support" },
		{ 4, 1, GW_SDP_SRTP_OPTIONAL, GW_SDP_SEC_REFUSE, -1, "without an a=crypto" },
		{ 5, 1, GW_SDP_SRTP_REQUIRED, GW_SDP_SEC_SRTP, 1, NULL },
	};
	struct gw_sdp s;
	struct sdes_key k;
	char err[128];

	for (size_t i = 0; i < NELEM(vec); i++) {
		const char *why = NULL;
		int line = -9, rc;

		gw_sdp_parse(bodies[vec[i].body], strlen(bodies[vec[i].body]), &s, err, sizeof(err));
		rc = gw_sdp_sec_answer(&s, vec[i].tls, vec[i].policy, &line, &why);
		CHECK(rc == vec[i].want && (rc != GW_SDP_SEC_SRTP || line == vec[i].line) &&
		      (vec[i].why ? why && strstr(why, vec[i].why) : !why),
		      "sec: body %d over %s, srtp %d: %d (want %d), line %d, why %s", vec[i].body, vec[i].tls ? "TLS" : "UDP",
		      vec[i].policy, rc, vec[i].want, line, why ? why : "-");
	}
	gw_sdp_parse(bodies[5], strlen(bodies[5]), &s, err, sizeof(err));
	CHECK(gw_sdp_crypto_pick(&s, 7, -1, &k) == 1 && k.tag == 7 && gw_sdp_crypto_pick(&s, 1, -1, NULL) == -ENOENT,
	      "crypto_pick by tag: the supported line 7, not the F8 line 1");
	CHECK(gw_sdp_crypto_pick(&s, -1, SDES_AES_CM_128_HMAC_SHA1_80, NULL) == 1 &&
	      gw_sdp_crypto_pick(&s, -1, SDES_AES_CM_128_HMAC_SHA1_32, NULL) == -ENOENT,
	      "crypto_pick by suite: the _80 line, no _32 line");
}

/* long lines, NUL bytes, and mutations of a valid body: errors, never a crash or an overread */
static void sdp_hostile_tests(void)
{
	static const char base[] = SDP_HEAD "m=audio 4000 RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\n"
				   "a=sendonly\r\na=ptime:20\r\n";
	static const char junk[] = "=: /\r\n0a9-";
	char *body, err[256];
	struct gw_sdp s;
	unsigned int seed = 1;
	size_t len = sizeof(base) - 1, i, k;
	int rc, bad = 0;

	body = malloc(2048);
	if (!body)
		return;
	k = strlen(SDP_HEAD "a=");
	memcpy(body, SDP_HEAD "a=", k);
	memset(body + k, 'x', 1100);
	memcpy(body + k + 1100, "\r\n", 2);
	CHECK_INT(gw_sdp_parse(body, k + 1102, &s, err, sizeof(err)), -EINVAL, "long line");
	CHECK_STR(err, "line 6: longer than 1024 characters", "long line");
	memcpy(body, base, len);
	body[20] = '\0';
	CHECK_INT(gw_sdp_parse(body, len, &s, err, sizeof(err)), -EINVAL, "NUL byte");
	CHECK_STR(err, "line 2: control character 0x00", "NUL byte");
	for (i = 0; i < 20000; i++) {
		memcpy(body, base, len);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			body[(seed >> 8) % len] = junk[(seed >> 20) % (sizeof(junk) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		rc = gw_sdp_parse(body, len - (seed >> 16) % 8, &s, err, sizeof(err));
		if ((rc && rc != -EINVAL) || (!rc && (s.nfmt > GW_SDP_FMTS || s.port > 65535 || !s.ip[0])))
			bad++;
	}
	CHECK_INT(bad, 0, "mutated bodies");
	free(body);
}

/* ---- the shipped files ---- */

static void load_file(const char *path)
{
	const char *groups[64];
	struct tdm_conf tdm;
	struct gw_conf conf;
	struct ini *ini = NULL;
	char err[256];
	size_t i, n = 0;

	err[0] = '\0';
	CHECK_INT(ini_load(path, &ini, err, sizeof(err)), 0, path);
	if (err[0])
		printf("  %s\n", err);
	if (!ini)
		return;
	CHECK_INT(gw_conf_from_ini(ini, &conf, err, sizeof(err)), 0, path);
	CHECK(!err[0], "%s: %s", path, err);
	CHECK_INT(tdm_conf_from_ini(ini, 0, &tdm, err, sizeof(err)), 0, path);
	CHECK(!err[0], "%s: %s", path, err);
	for (i = 0; i < tdm.nspan && n < NELEM(groups); i++)
		groups[n++] = tdm.span[i].group;
	CHECK_INT(gw_conf_check(&conf, groups, n, err, sizeof(err)), 0, path);
	CHECK(!err[0], "%s: %s", path, err);
	tdm_conf_free(&tdm);
	gw_conf_free(&conf);
	ini_free(ini);
}

static void sample_tests(void)
{
	const struct gw_route_conf *r;
	struct gw_conf conf;
	struct ini *ini = NULL;
	char err[256];

	load_file(TOP_SRCDIR "/conf/gateway.conf.sample");
	load_file(TOP_SRCDIR "/conf/loopback.conf");
	/* the sample's example setup */
	if (ini_load(TOP_SRCDIR "/conf/gateway.conf.sample", &ini, err, sizeof(err)) < 0)
		return;
	if (gw_conf_from_ini(ini, &conf, err, sizeof(err)) == 0) {
		CHECK(conf.npeer >= 2 && conf.nroute >= 2, "sample: peers and routes");
		CHECK(gw_conf_peer(&conf, "um") && gw_conf_peer(&conf, "um")->proto == GW_PROTO_TLS &&
		      gw_conf_peer(&conf, "um")->trusted && gw_conf_peer(&conf, "um")->um, "sample: um peer");
		r = gw_route_match(&conf, GW_ROUTE_TDM_TO_SIP, "pbx", "8000");
		CHECK(r && r->nto >= 2 && !strcmp(r->to[0], "um"), "sample: TDM -> UM with an alternate");
		r = gw_route_match(&conf, GW_ROUTE_SIP_TO_TDM, "ip-pbx", "2001");
		CHECK(r && r->nto >= 2 && r->pilot[0], "sample: SIP -> TDM with a voicemail pilot");
		gw_conf_free(&conf);
	}
	ini_free(ini);
}

int main(void)
{
	key_tests();
	default_tests();
	err_tests();
	dup_tests();
	check_tests();
	addr_tests();
	split_tests();
	match_tests();
	outcome_tests();
	advance_tests();
	sdp_parse_tests();
	sdp_offer_tests();
	sdp_answer_tests();
	sdp_srtp_tests();
	sdp_sec_tests();
	sdp_hostile_tests();
	sample_tests();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
