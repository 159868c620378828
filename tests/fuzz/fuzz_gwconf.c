/*
 * fuzz_gwconf.c - libFuzzer target: any text as the gateway config file, through ini_parse,
 * gw_conf_from_ini, gw_conf_check and gw_conf_free (dahdi/ini.c, dahdi/log.c, gw/gw_conf.c,
 * gw/gw_route.c).  Built and run by "make fuzz".
 *
 * The text is handed over in a buffer of exactly its length (no NUL after it).  Checked besides
 * memory safety and leaks: a refused text says why, naming the file, and leaves nothing allocated;
 * what is accepted keeps its promises (names terminated and found again by gw_conf_peer, route
 * alternates in range), and gw_conf_check works on it with and without span groups.  With
 * FUZZ_SEED_DIR set, the seeds below are written there first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "gw_conf.h"
#include "ini.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seeds[] = {
	"[gw]\ntimers = short\nno-answer = 3\nretry-after = 17\ntables = /tmp/tables\npidfile = /tmp/gwd.pid\n"
	"control = /tmp/gwd.ctl\nlog-level = debug\ndrain = 30s\nmax-calls = 10\nmax-redirects = 3\n\n"
	"[sip]\nudp = 127.0.0.1:5060\ntcp = 127.0.0.1:5060\ntls = 127.0.0.1:5061\ntls-cert = /tmp/gw.pem\n"
	"tls-key = /tmp/gw.key\ntls-ca = /tmp/ca.pem\ntls-verify-client = require\nhost = gw.test\n"
	"user-agent = gwd\nt1 = 500\nt2 = 4000\nt4 = 5000\nrtp-port = 16384\nrtp-ip = 127.0.0.1\n\n"
	"[span isup-a]\nbackend = loopback\nsignalling = isup\npeer = isup-b\nopc = 1\ndpc = 2\ngroup = g1\n\n"
	"[peer um]\nhost = 127.0.0.1\nport = 5070\ntransport = tcp\num = yes\ntrusted = yes\ntrunk = t1\n\n"
	"[peer pbx]\nhost = ::1\ntransport = tls\ntls-name = pbx.test\nprivacy-untrusted = yes\n\n"
	"[route in]\nfrom = sip\npeer = pbx\nprefix = 1555\nto = g1, isup-a\nadvance = busy, no-answer\n"
	"pilot = 15559999\n\n[route out]\nfrom = tdm\ngroup = g1\nprefix = 1\nto = um, pbx\n",
	"[sip]\r\nudp = [::1]:5060\r\n[peer a]\r\nhost = 10.0.0.1\r\n[route r]\r\nfrom = tdm\r\nto = a\r\n"
	"advance = congestion,failure\r\n[route s]\r\nfrom = sip\r\nto = nowhere\r\n",
	"\xef\xbb\xbf[gw]\ntimers = standard\nsyslog = yes\n[route x]\nfrom = sip\nprefix = +44\nto = g1\n"
	"[peer b]\nhost = 127.0.0.1\nport = 65535\ntransport = udp\n[bogus y]\nkey = value\n",
};

static const char *const groups[] = { "g1", "isup-a", "isup-b", "euro-n" };

static void fuzz_write_seeds(void)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		fuzz_seed_write("gwconf", i, seeds[i], strlen(seeds[i]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_LVL_ERROR, 0, 0);
	fuzz_write_seeds();
	return 0;
}

static void fuzz_err_ok(int rc, const char *err)
{
	if (rc != -EINVAL && rc != -EFBIG && rc != -ENOMEM)
		abort();
	if (!err[0] || strncmp(err, "fuzz.conf", 9))
		abort();
}

static void fuzz_conf_ok(const struct gw_conf *conf)
{
	for (size_t i = 0; i < conf->npeer; i++) {
		const struct gw_peer_conf *p = &conf->peer[i];

		if (!memchr(p->name, 0, sizeof(p->name)) || !memchr(p->host, 0, sizeof(p->host)) ||
		    !memchr(p->tls_name, 0, sizeof(p->tls_name)) || !memchr(p->trunk, 0, sizeof(p->trunk)))
			abort();
		if (gw_conf_peer(conf, p->name) != p || p->port < 1 || p->port > 65535 || p->proto < 0 ||
		    p->proto >= GW_PROTO_COUNT || !gw_proto_name(p->proto))
			abort();
		gw_conf_peer_by_addr(conf, p->proto, p->host, p->port, p->tls_name[0] ? p->tls_name : NULL);
	}
	for (size_t i = 0; i < conf->nroute; i++) {
		const struct gw_route_conf *r = &conf->route[i];

		if (!memchr(r->name, 0, sizeof(r->name)) || !memchr(r->prefix, 0, sizeof(r->prefix)) ||
		    !memchr(r->pilot, 0, sizeof(r->pilot)) || r->nto < 1 || r->nto > GW_ALT_MAX ||
		    (r->dir != GW_ROUTE_SIP_TO_TDM && r->dir != GW_ROUTE_TDM_TO_SIP))
			abort();
		for (int j = 0; j < r->nto; j++)
			if (!r->to[j][0] || !memchr(r->to[j], 0, sizeof(r->to[j])))
				abort();
	}
	for (int p = 0; p < GW_PROTO_COUNT; p++) {
		char ip[64];
		int port;

		if (!memchr(conf->sip.listen[p], 0, sizeof(conf->sip.listen[p])))
			abort();
		if (conf->sip.listen[p][0] &&
		    gw_conf_split_addr(conf->sip.listen[p], ip, sizeof(ip), &port) == 0 && (port < 0 || port > 65535))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], small[16];
	struct gw_conf conf;
	struct ini *ini;
	char *text = malloc(size ? size : 1);
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	rc = ini_parse(text, size, "fuzz.conf", &ini, err, sizeof(err));
	if (rc < 0) {
		free(text);
		return 0;
	}
	memset(&conf, 0x5a, sizeof(conf));
	rc = gw_conf_from_ini(ini, &conf, err, sizeof(err));
	if (rc < 0) {
		fuzz_err_ok(rc, err);
		/* the same text, other room for the message */
		if (gw_conf_from_ini(ini, &conf, small, sizeof(small)) != rc ||
		    gw_conf_from_ini(ini, &conf, NULL, 0) != rc)
			abort();
	} else {
		fuzz_conf_ok(&conf);
		rc = gw_conf_check(&conf, groups, sizeof(groups) / sizeof(groups[0]), err, sizeof(err));
		if (rc < 0 && (rc != -EINVAL || !err[0]))
			abort();
		gw_conf_check(&conf, NULL, 0, small, sizeof(small));
		gw_conf_check(&conf, groups, 1, NULL, 0);
		gw_conf_free(&conf);
	}
	ini_free(ini);
	free(text);
	return 0;
}
