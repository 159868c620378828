/*
 * fuzz_conf.c - libFuzzer target: any text as the gateway config file, through ini_parse and
 * tdm_conf_from_ini (dahdi/ini.c, dahdi/tdm_conf.c), strict and not.  Built and run by "make fuzz".
 *
 * The text is handed over in a buffer of exactly its length (no NUL after it).  Checked besides
 * memory safety: a refused text says why, naming the file; what is accepted keeps its promises
 * (names and values in range, every key asked for, channels in range and not repeated); the
 * lookups and labels work on whatever was parsed.  With FUZZ_SEED_DIR set, the seeds below are
 * written there first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "ini.h"
#include "tdm_conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seeds[] = {
	"; two loopback pairs\n[span isup-a]\nbackend = loopback\nsignalling = isup\npeer = isup-b\nopc = 1\n"
	"dpc = 2-100-3\nni = national\ncic-offset = -1\nslc = 3\ngrs = no\nt7 = 2s\nt9 = 500ms\ntimers = short\n"
	"trace = \"/tmp/a;b.pcap\"   # quoted\n\n[span isup-b]\nbackend = loopback\nsignalling = isup\n"
	"peer = isup-a\nopc = 2-100-3\ndpc = 1\ncic-offset = -1\nslc = 3\nhunt = last\n\n"
	"[span pri-n]\nbackend = loopback\nsignalling = pri\npeer = pri-c\nside = net\nswitchtype = qsig\n"
	"dchan = 16\nbchan = 1-15,17-31\nt303 = 1min\n[span pri-c]\nbackend = loopback\nsignalling = pri\n"
	"peer = pri-n\nside = cpe\nswitchtype = qsig\ndchan = 16\nbchan = 1-15, 17-31\nfacility = off\n",
	"[sip]\nport = 5060\n[span e1]\r\nbackend = dahdi\r\nsignalling = pri\r\ndchan = 16\r\nbchan = 1-15,17-31\r\n"
	"side = cpe\r\nswitchtype = euroisdn\r\ngroup = g1\r\ntrunk = t.1\r\ntrusted = yes\r\nuui = 0\r\n"
	"[span e2]\nbackend = dahdi\nsignalling = isup\ndchan = 47\nbchan = 32-46,48-62\nopc = 100\ndpc = 200\n"
	"ni = international\ngroup = g1\nhunt = round-robin\nt1 = 15000\n",
	"\xef\xbb\xbf[span s]\nbackend = loopback\nsignalling = isup\nsocket = /tmp/gw.sock\nlisten = yes\n"
	"line-rate = 2048000\nopc = 1\ndpc = 2\n[span t]\nbackend = loopback\nsignalling = pri\n"
	"socket = /tmp/gw2.sock\nside = net\nswitchtype = ni2\nt200 = 1h\n",
};

static void fuzz_write_seeds(void)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		fuzz_seed_write("conf", i, seeds[i], strlen(seeds[i]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
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

static void fuzz_span_ok(const struct tdm_conf *conf, const struct tdm_span_conf *sc)
{
	size_t n = strnlen(sc->name, sizeof(sc->name));

	if (!n || n == sizeof(sc->name) || tdm_conf_span(conf, sc->name) != sc || sc->nbchan < 1 ||
	    sc->nbchan > TDM_CHANS_MAX || sc->dchan < 1 || sc->sig < 0 || sc->sig > TDM_SIG_PRI || sc->backend < 0 ||
	    sc->backend > TDM_BACKEND_LOOPBACK || sc->switchtype < 0 || sc->switchtype >= TDM_SWITCH_COUNT)
		abort();
	for (int i = 0; i < sc->nbchan; i++) {
		if (sc->bchan[i] < 1 || sc->bchan[i] > 1023 || sc->bchan[i] == sc->dchan)
			abort();
		for (int j = 0; j < i; j++)
			if (sc->bchan[j] == sc->bchan[i])
				abort();
	}
	if (sc->sig == TDM_SIG_ISUP && (sc->opc < 1 || sc->opc > 16383 || sc->dpc < 1 || sc->dpc > 16383 ||
					sc->opc == sc->dpc || sc->ni < 0 || sc->ni > 3))
		abort();
	for (int t = 0; t < TDM_ISUP_TIMER_COUNT; t++)
		if (tdm_conf_isup_timer(sc, t) < 1 || tdm_conf_isup_timer(sc, t) > 3600000)
			abort();
	for (int t = 0; t < TDM_PRI_TIMER_COUNT; t++)
		if (tdm_conf_pri_timer(sc, t) < 1 || tdm_conf_pri_timer(sc, t) > 3600000)
			abort();
	if (sc->backend == TDM_BACKEND_LOOPBACK && !sc->peer[0] == !sc->socket[0])
		abort();
	if (sc->peer[0] && !tdm_conf_span(conf, sc->peer))
		abort();
}

static void fuzz_ini_walk(const struct ini *ini)
{
	char label[INI_LINE_MAX + 16];

	for (size_t i = 0; i < ini->nsec; i++) {
		const struct ini_section *sec = &ini->sec[i];

		if (ini_section(ini, sec->type, sec->name) != sec || sec->line < 1)
			abort();
		ini_section_label(sec, label, sizeof(label));
		ini_section_label(sec, label, 8);
		for (size_t j = 0; j < sec->nkv; j++)
			if (ini_get(sec, sec->kv[j].key) != &sec->kv[j] || sec->kv[j].line < sec->line)
				abort();
		if (ini_unused(sec))
			abort();	/* every key was just asked for */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], small[16];
	struct tdm_conf conf;
	struct ini *ini;
	char *text = malloc(size ? size : 1);
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	rc = ini_parse(text, size, "fuzz.conf", &ini, err, sizeof(err));
	if (rc < 0) {
		fuzz_err_ok(rc, err);
		if (ini)
			abort();
		if (ini_parse(text, size, "fuzz.conf", &ini, small, sizeof(small)) == 0 ||
		    ini_parse(text, size, NULL, &ini, NULL, 0) == 0)
			abort();	/* the same text, other room for the message */
		free(text);
		return 0;
	}
	for (int flags = 0; flags <= TDM_CONF_STRICT; flags++) {
		rc = tdm_conf_from_ini(ini, flags, &conf, err, sizeof(err));
		if (rc < 0) {
			fuzz_err_ok(rc, err);
			if (conf.span || conf.nspan)
				abort();
			rc = tdm_conf_from_ini(ini, flags, &conf, small, sizeof(small));
			if (rc == 0 || tdm_conf_from_ini(ini, flags, &conf, NULL, 0) == 0)
				abort();
			continue;
		}
		for (size_t i = 0; i < conf.nspan; i++)
			fuzz_span_ok(&conf, &conf.span[i]);
		tdm_conf_free(&conf);
	}
	fuzz_ini_walk(ini);
	ini_free(ini);
	free(text);
	return 0;
}
