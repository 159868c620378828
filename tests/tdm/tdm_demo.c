/*
 * tdm_demo.c - the demo of the TDM layer (./quickstart demo): an RFC 4458 INVITE is mapped to the
 * call model, placed on each loopback pair of conf/loopback.conf (ISUP, EuroISDN, NI2, QSIG), and
 * what the far span receives - from the wire only - is mapped back to the INVITE a UM server would
 * get.  Each span's signalling is written to DIR/<span>.pcap for tshark.
 *
 *   tdm_demo CONF INVITE DIR
 */
#include <errno.h>
#include <osipparser2/osip_message.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "ini.h"
#include "log.h"
#include "map_sip.h"
#include "map_uui.h"
#include "tdm.h"

#define DEMO_WAIT_MS 10000

struct demo {
	struct ev_loop *loop;
	struct tdm *tdm;
	const struct map_tables *t;
	struct tdm_setup got;
	int have_setup, answered, released;
};

static char *demo_slurp(const char *path, size_t extra)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!fp) {
		fprintf(stderr, "tdm_demo: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + extra + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

/* the config with "trace = DIR/<span>.pcap" added to every span section */
static char *demo_conf(const char *path, const char *dir)
{
	char *text = demo_slurp(path, 0), *out, *p, *line;
	size_t cap;

	if (!text)
		return NULL;
	cap = strlen(text) * 2 + 4096;
	out = calloc(1, cap);
	for (p = text; out && (line = strsep(&p, "\n"));) {
		char name[64];

		strncat(out, line, cap - strlen(out) - 1);
		strncat(out, "\n", cap - strlen(out) - 1);
		if (sscanf(line, "[span %63[^]]]", name) == 1)
			snprintf(out + strlen(out), cap - strlen(out), "trace = %s/%s.pcap\n", dir, name);
	}
	free(text);
	return out;
}

static void demo_event(void *arg, const struct tdm_event *ev)
{
	struct demo *d = arg;

	switch (ev->type) {
	case TDM_EV_SETUP:
		d->got = *ev->setup;
		d->have_setup = 1;
		tdm_call_alert(ev->call, 0);
		tdm_call_answer(ev->call);
		break;
	case TDM_EV_ANSWER:
		d->answered = 1;
		break;
	case TDM_EV_RELEASE:
		d->released++;
		break;
	default:
		break;
	}
}

static int demo_wait(struct demo *d, const int *flag, int want)
{
	uint64_t end = ev_now_us() + DEMO_WAIT_MS * 1000ull;

	while (*flag < want && ev_now_us() < end)
		ev_run_once(d->loop, 20);
	return *flag >= want ? 0 : -ETIMEDOUT;
}

static void demo_print_sip(struct demo *d)
{
	struct map_sip_out_opts o = { .um_host = "um.example.com" };
	struct map_sip_out out;
	struct map_diag dg;

	map_diag_init(&dg);
	if (map_call_to_sip(&d->got.call, d->t, map_tables_trunk(d->t, "default"), &o, &out, &dg) < 0) {
		printf("   toward SIP: %s\n", map_diag_first(&dg, MAP_DIAG_ERROR));
		return;
	}
	printf("   -> INVITE %s\n", out.request_uri);
	if (out.diversion[0])
		printf("      Diversion: %s\n", out.diversion);
	if (out.ms_sensitivity[0])
		printf("      Ms-Sensitivity: %s\n", out.ms_sensitivity);
	if (out.ms_exchange_command[0])
		printf("      Ms-Exchange-Command: %s\n", out.ms_exchange_command);
}

static int demo_call(struct demo *d, const char *from, const struct tdm_setup *s)
{
	struct tdm_call *c = NULL;
	const struct map_call *g = &d->got.call;
	int r;

	d->have_setup = d->answered = d->released = 0;
	r = tdm_call_place(d->tdm, from, s, NULL, &c);
	if (r < 0 || demo_wait(d, &d->have_setup, 1) < 0 || demo_wait(d, &d->answered, 1) < 0) {
		printf("== %s: the call did not get through (%s)\n", from, r < 0 ? strerror(-r) : "timeout");
		return 1;
	}
	printf("== %s -> the far span received: called %s, redirecting %s, reason %s, counter %d, "
	       "%s, user-to-user %zu octets\n", from, g->called.digits,
	       g->redirecting.present ? g->redirecting.digits : "-", map_reason_name(g->redir.reason), g->redir.counter,
	       g->cdti == MAP_CDTI_NOT_ALLOWED ? "call diversion not allowed (ISUP 0x6E)" :
	       map_call_no_diversion(g) ? "no diversion (user-to-user)" : "diversion allowed", d->got.uui_len);
	demo_print_sip(d);
	tdm_call_release(c, 16);
	return demo_wait(d, &d->released, 1) < 0;
}

static int demo_setup(const char *path, const struct map_tables *t, struct tdm_setup *s)
{
	char *text = demo_slurp(path, 0);
	struct osip_message *msg = NULL;
	struct map_diag dg;
	int r = -EINVAL;

	memset(s, 0, sizeof(*s));
	map_diag_init(&dg);
	if (text && map_sip_parse(text, strlen(text), &msg, &dg) == 0)
		r = map_sip_to_call(msg, t, map_tables_trunk(t, "default"), MAP_SIP_IN_LENIENT_SENS, &s->call, &dg);
	if (r == 0)
		r = map_uui_put(&s->call, t->opt.uui, s->uui, sizeof(s->uui), &s->uui_len, &dg);
	if (r < 0)
		fprintf(stderr, "tdm_demo: %s: %s\n", path, map_diag_first(&dg, MAP_DIAG_ERROR) ?: "unreadable");
	if (msg)
		osip_message_free(msg);
	free(text);
	return r;
}

int main(int argc, char **argv)
{
	static const char *const groups[] = { "isup-a", "pri-euro-net", "pri-ni2-net", "pri-qsig-net" };
	static struct map_tables t;
	struct demo d = { .t = &t };
	struct tdm_conf conf;
	struct tdm_setup s;
	struct ini *ini = NULL;
	char err[512], *text;
	int fails = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: tdm_demo CONF INVITE DIR\n");
		return 2;
	}
	log_set_level(LOG_LVL_WARN);
	text = demo_conf(argv[1], argv[3]);
	if (!text || map_tables_load_builtin(&t, err, sizeof(err)) < 0 || demo_setup(argv[2], &t, &s) < 0 ||
	    ini_parse(text, strlen(text), argv[1], &ini, err, sizeof(err)) < 0 ||
	    tdm_conf_from_ini(ini, 0, &conf, err, sizeof(err)) < 0 || ev_loop_new(&d.loop) < 0 ||
	    tdm_new(d.loop, &conf, &t, demo_event, &d, &d.tdm, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdm_demo: %s\n", err);
		return 1;
	}
	printf("== %zu loopback spans of %s started; waiting for the signalling links\n", conf.nspan, argv[1]);
	ev_run_until(d.loop, NULL, 2500);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		fails += demo_call(&d, groups[i], &s);
	ev_run_until(d.loop, NULL, 300);
	tdm_free(d.tdm);
	tdm_conf_free(&conf);
	ini_free(ini);
	ev_loop_free(d.loop);
	free(text);
	return fails ? 1 : 0;
}
