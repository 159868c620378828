/*
 * dahdi_smoke.c - the DAHDI backend (dahdi/span_dahdi.c) on real DAHDI spans: two pairs of
 * dahdi_dynamic_loc spans joined back to back by the kernel driver, as tests/tdm/qemu/run.sh sets
 * them up in a qemu guest (system.conf: loc 1:0/1:1 and 2:0/2:1, 24 channels each).
 *
 *   calls   ISUP (dchan 24 / 48) and QSIG (dchan 72 / 96): a call with redirection each way on each
 *           pair; the far side must read the redirecting number, reason, counter, CDTI and the
 *           user-to-user payload; answered, then released.  Traces: $DAHDI_SMOKE_OUT/<span>.pcap.
 *   bearer  a B-channel of each end of the ISUP pair opened through the span layer: a pattern
 *           written on one comes out of the other.
 *   open    the ISUP pair's D-channels opened 10 times together, sender last, receiver last: a frame
 *           sent at once after opening, another 200 ms later.
 *   alarm   pri-net alone, its peer pri-cpe in a child process: the peer's dynamic span destroyed
 *           (DAHDI_DYNAMIC_DESTROY: span 2:0 then hears nothing and the driver raises red alarm),
 *           created again and its channels configured (alarm cleared), the link back up and a call.
 *
 * Prints "PASS: ..." / "FAIL: ..." lines and "N passed, N failed"; exit status 1 on any failure.
 * Needs /dev/dahdi (see run.sh).  Usage: dahdi_smoke [calls|bearer|open|alarm]; dahdi_smoke span-destroy ADDR and
 * span-create ADDR take one loc span down and up for tests/tdm/qemu/gwd_guest.sh.
 */
#include <dahdi/user.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "span.h"
#include "testlib.h"

#define WAIT_MS 30000		/* software emulation is slow: generous deadlines */
#define CHILD_MS 120000		/* a child side gives up after this long */

static int smoke_passed, smoke_failed;
static const char *smoke_out = ".";
static const char *smoke_self;

static void smoke_check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void smoke_check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", cond ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		smoke_passed++;
	else
		smoke_failed++;
}

static long smoke_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- what the span layer logs: frames lost on receive, DAHDI events, warnings ---- */

#define SMOKE_DROPS 16

static struct smoke_drop {
	char what[96];		/* "span NAME: WHY" */
	long n;
} smoke_drops[SMOKE_DROPS];

static void smoke_log_hook(void *arg, int level, const char *line)
{
	const char *p = strstr(line, "span: span ");
	const char *why = p ? strstr(p, ": received frame dropped: ") : NULL;
	char what[96];

	if (level <= LOG_LVL_WARN)
		fprintf(stderr, "%s\n", line);
	if (!why)
		return;
	snprintf(what, sizeof(what), "%.*s:%s", (int)(why - p - 6), p + 6, why + 25);
	for (int i = 0; i < SMOKE_DROPS; i++) {
		if (!smoke_drops[i].what[0])
			snprintf(smoke_drops[i].what, sizeof(smoke_drops[i].what), "%s", what);
		if (!strcmp(smoke_drops[i].what, what)) {
			smoke_drops[i].n++;
			return;
		}
	}
}

/* print and forget the receive losses seen since the last call */
static void smoke_drops_report(const char *phase)
{
	int any = 0;

	for (int i = 0; i < SMOKE_DROPS && smoke_drops[i].what[0]; i++) {
		printf("# %s: %s: %ld frames\n", phase, smoke_drops[i].what, smoke_drops[i].n);
		any = 1;
	}
	if (!any)
		printf("# %s: no frame lost on receive\n", phase);
	memset(smoke_drops, 0, sizeof(smoke_drops));
}

/* ---- configurations ---- */

static const char *const smoke_span_isup_a =
	"[span isup-a]\nbackend = dahdi\nsignalling = isup\ndchan = 24\nbchan = 1-23\nopc = 1\ndpc = 2\n"
	"timers = short\n";
static const char *const smoke_span_isup_b =
	"[span isup-b]\nbackend = dahdi\nsignalling = isup\ndchan = 48\nbchan = 25-47\ncic-offset = -24\n"
	"hunt = last\nopc = 2\ndpc = 1\ntimers = short\n";
static const char *const smoke_span_pri_net =
	"[span pri-net]\nbackend = dahdi\nsignalling = pri\ndchan = 72\nbchan = 49-71\nside = net\n"
	"switchtype = qsig\ntimers = short\n";
static const char *const smoke_span_pri_cpe =
	"[span pri-cpe]\nbackend = dahdi\nsignalling = pri\ndchan = 96\nbchan = 73-95\nside = cpe\n"
	"switchtype = qsig\nhunt = last\ntimers = short\n";

/* the spans given, each with trace = OUT/<name>.pcap when trace is set */
static void smoke_conf(char *buf, size_t len, int trace, const char *const *spans, int n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		char name[32] = "";

		sscanf(spans[i], "[span %31[^]]", name);
		off += (size_t)snprintf(buf + off, len - off, "%s", spans[i]);
		if (trace && off < len)
			off += (size_t)snprintf(buf + off, len - off, "trace = %s/%s.pcap\n", smoke_out, name);
	}
}

/* ---- calls ---- */

static void smoke_full_setup(struct tdm_setup *s)
{
	harness_setup(s, "4000", "2125551234");
	harness_redirect(s, "2125550100", MAP_REASON_USER_BUSY);
	s->call.original_called = s->call.redirecting;
	harness_no_diversion(s);
}

/* what the far side read, in one line */
static void smoke_describe(char *buf, size_t len, const struct tdm_setup *s)
{
	const struct map_call *c = &s->call;

	snprintf(buf, len, "called=%s redirecting=%s orig=%s reason=%d counter=%d cdti=%d uui=%.*s",
		 c->called.digits, c->redirecting.present ? c->redirecting.digits : "-",
		 c->original_called.present ? c->original_called.digits : "-",
		 c->redir.present ? c->redir.reason : -1, c->redir.present ? c->redir.counter : -1, c->cdti,
		 s->uui_len > 1 ? (int)s->uui_len - 1 : 0, s->uui_len > 1 ? (const char *)s->uui + 1 : "");
}

static int smoke_answer_hook(struct harness *h, const struct tdm_event *ev)
{
	if (ev->type == TDM_EV_SETUP) {
		tdm_call_alert(ev->call, 0);
		tdm_call_answer(ev->call);
	}
	return 0;
}

/* the call has had its last event (it is freed) */
static int smoke_gone(struct harness *h, const struct tdm_call *c)
{
	for (size_t i = 0; i < h->nev; i++)
		if (h->ev[i]->type == TDM_EV_RELEASE && h->ev[i]->call == c)
			return 1;
	return 0;
}

/* place a call from -> to, check what arrived, answer, release; 0 when all of it worked */
static int smoke_call(struct harness *h, const char *from, const char *to, const char *want)
{
	struct tdm_setup s;
	struct tdm_call *c = NULL;
	struct timespec t0;
	struct hev *e;
	char got[512];
	int rc, fails = smoke_failed;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	smoke_full_setup(&s);
	rc = tdm_call_place(h->tdm, from, &s, NULL, &c);
	smoke_check(rc == 0, "%s -> %s: call placed (%s)", from, to, rc ? strerror(-rc) : "ok");
	if (rc)
		return -1;
	e = harness_wait(h, TDM_EV_SETUP, to, WAIT_MS);
	smoke_check(e != NULL, "%s -> %s: setup arrives on %s (%ld ms)", from, to, to, smoke_ms(&t0));
	if (e) {
		smoke_describe(got, sizeof(got), &e->setup);
		smoke_check(!strcmp(got, want), "%s -> %s: far side read: %s%s%s", from, to, got,
			    strcmp(got, want) ? " WANT " : "", strcmp(got, want) ? want : "");
		if (tdm_call_cic(c))
			smoke_check(tdm_call_cic(c) == tdm_call_cic(e->call), "%s -> %s: CIC %d both ends (far %d)",
				    from, to, tdm_call_cic(c), tdm_call_cic(e->call));
		else
			smoke_check(tdm_call_chan(c) - tdm_call_chan(e->call) == (strcmp(from, "pri-net") ? 24 : -24),
				    "%s -> %s: B-channel %d here is %d there", from, to, tdm_call_chan(c),
				    tdm_call_chan(e->call));
	}
	smoke_check(harness_wait(h, TDM_EV_ANSWER, from, WAIT_MS) != NULL, "%s -> %s: answered (%ld ms)", from, to,
		    smoke_ms(&t0));
	if (smoke_gone(h, c))
		return -1;
	tdm_call_release(c, 16);
	smoke_check(harness_wait(h, TDM_EV_RELEASE, to, WAIT_MS) != NULL, "%s -> %s: release arrives (%ld ms)",
		    from, to, smoke_ms(&t0));
	harness_run(h, 300);
	return smoke_failed == fails ? 0 : -1;
}

static void smoke_calls(void)
{
	static const char *const want_isup = "called=4000 redirecting=2125550100 orig=2125550100 reason=1 counter=1 "
		"cdti=2 uui=UM/1;cause=486;sens=private-no-diversion";
	static const char *const want_qsig = "called=4000 redirecting=2125550100 orig=- reason=1 counter=1 cdti=0 "
		"uui=UM/1;cause=486;sens=private-no-diversion";
	const char *spans[] = { smoke_span_isup_a, smoke_span_isup_b, smoke_span_pri_net, smoke_span_pri_cpe };
	struct tdm_span_info si[4];
	struct timespec t0;
	struct harness h;
	char conf[4096];
	size_t total;
	int rc, n;

	smoke_conf(conf, sizeof(conf), 1, spans, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = harness_start(&h, conf);
	smoke_check(rc == 0, "calls: four DAHDI spans open: %s", rc ? h.err : "ok");
	if (rc)
		return;
	h.hook = smoke_answer_hook;
	rc = harness_wait_links(&h, WAIT_MS);
	smoke_check(rc == 0, "calls: ISUP and QSIG links up, circuits reset (%ld ms)", smoke_ms(&t0));
	n = tdm_spans(h.tdm, si, 4, &total);
	for (int i = 0; i < n; i++)
		smoke_check(!si[i].alarmed && si[i].link_up && si[i].idle == 23, "calls: span %s: link %s, %s, %d of "
			    "%d circuits idle", si[i].name, si[i].link_up ? "up" : "down", si[i].alarmed ? "in alarm" :
			    "no alarm", si[i].idle, si[i].ncircuits);
	if (rc == 0) {
		smoke_call(&h, "isup-a", "isup-b", want_isup);
		smoke_call(&h, "isup-b", "isup-a", want_isup);
		smoke_call(&h, "pri-net", "pri-cpe", want_qsig);
		smoke_call(&h, "pri-cpe", "pri-net", want_qsig);
	}
	harness_run(&h, 500);
	smoke_check(tdm_call_count(h.tdm) == 0, "calls: no call left (%zu)", tdm_call_count(h.tdm));
	n = tdm_spans(h.tdm, si, 4, &total);
	for (int i = 0; i < n; i++)
		smoke_check(si[i].idle == si[i].ncircuits && si[i].link_up, "calls: span %s: every circuit idle, "
			    "link up; %lu in, %lu out, %lu failed", si[i].name, si[i].calls_in, si[i].calls_out,
			    si[i].calls_failed);
	harness_stop(&h);
	smoke_drops_report("calls");
}

/* ---- bearer channels through the span layer ---- */

static int smoke_bearer_pump(int wfd, int rfd, const uint8_t *pat, size_t patlen, size_t *rxd)
{
	uint8_t rx[32768];	/* DAHDI takes count & 0xffff: 65536 would read 0 octets (EINVAL) */
	size_t have = 0;
	struct timespec t0;
	int errors = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (smoke_ms(&t0) < 3000) {
		struct pollfd p[2] = { { .fd = wfd, .events = POLLOUT }, { .fd = rfd, .events = POLLIN } };
		ssize_t n;

		if (poll(p, 2, 100) < 0)
			break;
		if (p[0].revents & POLLOUT)
			n = write(wfd, pat, patlen);
		if ((p[1].revents & (POLLIN | POLLPRI)) && have < sizeof(rx)) {
			n = read(rfd, rx + have, sizeof(rx) - have);
			if (n > 0)
				have += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errors++ < 3)
				printf("# bearer: read: %s (%d)\n", strerror(errno), errno);
			if (n < 0 && errno == ELAST) {
				int ev = 0;

				ioctl(rfd, DAHDI_GETEVENT, &ev);
				printf("# bearer: DAHDI event %d pending on open\n", ev);
			}
		}
		for (size_t i = 0; i + patlen <= have; i++)
			if (!memcmp(rx + i, pat, patlen)) {
				*rxd = have;
				return 0;
			}
	}
	*rxd = have;
	return -1;
}

static void smoke_bearer(void)
{
	const char *spans[] = { smoke_span_isup_a, smoke_span_isup_b };
	struct span *sp[2] = { 0 };
	struct ev_loop *loop = NULL;
	struct tdm_conf tc;
	struct ini *ini = NULL;
	char conf[2048], err[512] = "";
	uint8_t pat[160];
	int rc, fa = -1, fb = -1;
	size_t rxd = 0;

	smoke_conf(conf, sizeof(conf), 0, spans, 2);
	memset(&tc, 0, sizeof(tc));
	rc = ev_loop_new(&loop);
	if (!rc)
		rc = ini_parse(conf, strlen(conf), "bearer.conf", &ini, err, sizeof(err));
	if (!rc)
		rc = tdm_conf_from_ini(ini, TDM_CONF_STRICT, &tc, err, sizeof(err));
	if (!rc)
		rc = span_open_all(loop, &tc, sp, err, sizeof(err));
	smoke_check(rc == 0, "bearer: span layer opens isup-a and isup-b: %s", rc ? err : "ok");
	if (!rc) {
		fa = span_bearer_open(sp[0], 5);
		fb = span_bearer_open(sp[1], 29);
		smoke_check(fa >= 0 && fb >= 0, "bearer: channels 5 and 29 open (%d, %d)", fa, fb);
	}
	if (fa >= 0 && fb >= 0) {
		for (size_t i = 0; i < sizeof(pat); i++)
			pat[i] = (uint8_t)(0x11 + i * 7);
		rc = smoke_bearer_pump(fa, fb, pat, sizeof(pat), &rxd);
		smoke_check(rc == 0, "bearer: 160 octets written on channel 5 come out of channel 29 (%zu read)", rxd);
		for (size_t i = 0; i < sizeof(pat); i++)
			pat[i] = (uint8_t)(0xe0 - i * 3);
		rc = smoke_bearer_pump(fb, fa, pat, sizeof(pat), &rxd);
		smoke_check(rc == 0, "bearer: and back from 29 to 5 (%zu read)", rxd);
	}
	if (fa >= 0)
		span_bearer_close(sp[0], 5);
	if (fb >= 0)
		span_bearer_close(sp[1], 29);
	for (int i = 0; i < 2; i++)
		span_close(sp[i]);
	tdm_conf_free(&tc);
	ini_free(ini);
	if (loop)
		ev_loop_free(loop);
	smoke_drops_report("bearer");
}

/* ---- the first frame after opening a channel ---- */

static void smoke_open_rx(void *arg, const uint8_t *frame, size_t len)
{
	int *got = arg;

	if (len == 4 && !memcmp(frame, "\x01\x02\x03", 3))
		*got |= 1 << frame[3];
}

struct smoke_open_conf {
	struct tdm_conf a, b;	/* isup-a alone, isup-b alone */
	struct ini *ia, *ib;
};

static int smoke_open_conf(struct smoke_open_conf *oc, char *err, size_t errlen)
{
	char conf[1024];
	int rc;

	memset(oc, 0, sizeof(*oc));
	smoke_conf(conf, sizeof(conf), 0, &smoke_span_isup_a, 1);
	rc = ini_parse(conf, strlen(conf), "open-a.conf", &oc->ia, err, errlen);
	if (!rc)
		rc = tdm_conf_from_ini(oc->ia, TDM_CONF_STRICT, &oc->a, err, errlen);
	smoke_conf(conf, sizeof(conf), 0, &smoke_span_isup_b, 1);
	if (!rc)
		rc = ini_parse(conf, strlen(conf), "open-b.conf", &oc->ib, err, errlen);
	if (!rc)
		rc = tdm_conf_from_ini(oc->ib, TDM_CONF_STRICT, &oc->b, err, errlen);
	return rc;
}

static void smoke_open_conf_free(struct smoke_open_conf *oc)
{
	tdm_conf_free(&oc->a);
	tdm_conf_free(&oc->b);
	ini_free(oc->ia);
	ini_free(oc->ib);
}

/*
 * One open: which = 0 both ends together, 1 the receiver 100 ms before the sender, 2 the sender 100 ms
 * before the receiver.  A frame is sent at once after the second open, another 200 ms later.  Bits of
 * *got: 1 the first frame arrived, 2 the second.
 */
static int smoke_open_once(struct ev_loop *loop, struct smoke_open_conf *oc, int which, int *got, char *err,
			   size_t errlen)
{
	struct span *a = NULL, *b = NULL;
	struct span_cbs cbs = { .rx = smoke_open_rx };
	int rc;

	*got = 0;
	rc = span_open_all(loop, which == 1 ? &oc->b : &oc->a, which == 1 ? &b : &a, err, errlen);
	if (!rc && which)
		ev_run_until(loop, NULL, 100);
	if (!rc)
		rc = span_open_all(loop, which == 1 ? &oc->a : &oc->b, which == 1 ? &a : &b, err, errlen);
	if (!rc) {
		span_set_cbs(b, &cbs, got);
		span_send(a, (const uint8_t *)"\x01\x02\x03\x00", 4);
		ev_run_until(loop, NULL, 200);
		span_send(a, (const uint8_t *)"\x01\x02\x03\x01", 4);
		ev_run_until(loop, NULL, 200);
	}
	span_close(a);
	span_close(b);
	return rc;
}

/* the ISUP pair's D-channels opened 10 times each way: is a frame sent at once after opening lost? */
static void smoke_open(void)
{
	static const char *const how[] = { "both ends opened together", "the sender opened last",
					   "the receiver opened last" };
	struct smoke_open_conf oc;
	struct ev_loop *loop = NULL;
	char err[512] = "";
	int rc;

	memset(&oc, 0, sizeof(oc));
	rc = ev_loop_new(&loop);
	if (!rc)
		rc = smoke_open_conf(&oc, err, sizeof(err));
	smoke_check(rc == 0, "open: configurations: %s", rc ? err : "ok");
	for (int which = 0; which < 3 && !rc; which++) {
		int lost_first = 0, lost_later = 0, runs = 0, got;

		for (int i = 0; i < 10 && !rc; i++) {
			rc = smoke_open_once(loop, &oc, which, &got, err, sizeof(err));
			runs += !rc;
			lost_first += !rc && !(got & 1);
			lost_later += !rc && !(got & 2);
		}
		smoke_check(rc == 0 && lost_later == 0, "open: %s: a frame sent 200 ms after opening arrives (lost in "
			    "%d of %d) %s", how[which], lost_later, runs, rc ? err : "");
		smoke_check(lost_first == 0 || which == 2, "open: %s: a frame sent at once arrives (lost in %d of %d)%s",
			    how[which], lost_first, runs, which == 2 ? " (informative: a receiver just opened)" : "");
	}
	smoke_open_conf_free(&oc);
	if (loop)
		ev_loop_free(loop);
	smoke_drops_report("open");
}

/* ---- alarms: the peer's dynamic span destroyed and created again ---- */

/* DAHDI_DYNAMIC_CREATE / _DESTROY of loc span addr; 0 or -errno (*spanno: the new span) */
static int smoke_dynamic(unsigned long req, const char *addr, int *spanno)
{
	struct dahdi_dynamic_span d;
	int fd = open("/dev/dahdi/ctl", O_RDWR), rc = 0;

	if (fd < 0)
		return -errno;
	memset(&d, 0, sizeof(d));
	snprintf(d.driver, sizeof(d.driver), "loc");
	snprintf(d.addr, sizeof(d.addr), "%s", addr);
	d.numchans = 24;
	if (ioctl(fd, req, &d) < 0)
		rc = -errno;
	else if (spanno)
		*spanno = d.spanno;
	close(fd);
	return rc;
}

/* the channels of span spanno configured as dahdi_cfg would (23 clear + 1 HDLC); first channel or -errno */
static int smoke_chanconfig(int spanno)
{
	int fd = open("/dev/dahdi/ctl", O_RDWR), first = 0, n = 0, rc = 0;

	if (fd < 0)
		return -errno;
	for (int ch = 1; ch < 512 && n < 24; ch++) {
		struct dahdi_params p;

		memset(&p, 0, sizeof(p));
		p.channo = ch;
		if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0 || p.spanno != spanno)
			continue;
		if (!first)
			first = ch;
		n++;
	}
	for (int i = 0; first && i < 24 && !rc; i++) {
		struct dahdi_chanconfig cc;

		memset(&cc, 0, sizeof(cc));
		cc.chan = first + i;
		cc.sigtype = i == 23 ? DAHDI_SIG_HDLCFCS : DAHDI_SIG_CLEAR;
		if (ioctl(fd, DAHDI_CHANCONFIG, &cc) < 0)
			rc = -errno;
	}
	close(fd);
	return rc ? rc : first ? first : -ENOENT;
}

/* the other side of the alarm test, in its own process: pri-cpe alone, answering calls */
static int smoke_cpe_child(void)
{
	const char *spans[] = { smoke_span_pri_cpe };
	struct harness h;
	char conf[1024];

	smoke_conf(conf, sizeof(conf), 0, spans, 1);
	if (harness_start(&h, conf) < 0) {
		fprintf(stderr, "pri-cpe child: %s\n", h.err);
		return 2;
	}
	h.hook = smoke_answer_hook;
	harness_run(&h, CHILD_MS);
	harness_stop(&h);
	return 0;
}

static pid_t smoke_spawn_cpe(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(smoke_self, smoke_self, "cpe-child", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void smoke_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
}

static int smoke_alarmed(struct harness *h, void *arg)
{
	struct tdm_span_info si;
	size_t total;

	return tdm_spans(h->tdm, &si, 1, &total) == 1 && si.alarmed == *(int *)arg;
}

/* calls pri-net -> pri-cpe until one is answered (at most 5 tries, 2 s apart) */
static void smoke_alarm_call(struct harness *h)
{
	struct timespec t0;
	int tries = 0, answered = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!answered && tries < 5) {
		struct tdm_setup s;
		struct tdm_call *c = NULL;
		struct timespec t1;

		tries++;
		harness_setup(&s, "4000", "1000");
		if (tdm_call_place(h->tdm, "pri-net", &s, NULL, &c) < 0) {
			harness_run(h, 2000);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		while (!answered && !smoke_gone(h, c) && smoke_ms(&t1) < 8000)
			answered = harness_wait(h, TDM_EV_ANSWER, "pri-net", 100) != NULL;
		if (!smoke_gone(h, c))
			tdm_call_release(c, 16);
		harness_run(h, answered ? 500 : 2000);
	}
	smoke_check(answered, "alarm: a call across the restored line is answered (try %d, %ld ms after the peer "
		    "started)", tries, smoke_ms(&t0));
}

static void smoke_alarm(void)
{
	const char *spans[] = { smoke_span_pri_net };
	struct timespec t0;
	struct harness h;
	char conf[1024];
	int rc, spanno = 0, yes = 1, no = 0, first;
	pid_t pid;

	smoke_conf(conf, sizeof(conf), 0, spans, 1);	/* pri-net.pcap keeps the calls */
	pid = smoke_spawn_cpe();
	rc = harness_start(&h, conf);
	smoke_check(rc == 0, "alarm: pri-net opens, pri-cpe in a child process: %s", rc ? h.err : "ok");
	if (rc) {
		smoke_reap(pid);
		return;
	}
	h.hook = smoke_answer_hook;
	smoke_check(harness_wait_link(&h, "pri-net", 1, WAIT_MS) == 0, "alarm: link up across processes");
	smoke_reap(pid);
	rc = smoke_dynamic(DAHDI_DYNAMIC_DESTROY, "2:0", NULL);
	smoke_check(rc == -EBUSY, "alarm: our own span 2:0 cannot be destroyed while open (%s)", strerror(-rc));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = smoke_dynamic(DAHDI_DYNAMIC_DESTROY, "2:1", NULL);
	smoke_check(rc == 0, "alarm: the peer's span 2:1 destroyed (%s)", rc ? strerror(-rc) : "ok");
	rc = harness_until(&h, smoke_alarmed, &yes, 5000);
	smoke_check(rc == 0, "alarm: pri-net in alarm after %ld ms (red alarm: nothing received for 1 s)",
		    smoke_ms(&t0));
	smoke_check(harness_wait_link(&h, "pri-net", 0, WAIT_MS) == 0, "alarm: the owner hears link down");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = smoke_dynamic(DAHDI_DYNAMIC_CREATE, "2:1", &spanno);
	smoke_check(rc == 0, "alarm: span 2:1 created again: span %d (%s)", spanno, rc ? strerror(-rc) : "ok");
	rc = harness_until(&h, smoke_alarmed, &no, 5000);
	smoke_check(rc == 0, "alarm: pri-net alarm cleared after %ld ms", smoke_ms(&t0));
	first = spanno > 0 ? smoke_chanconfig(spanno) : -ENOENT;
	smoke_check(first == 73, "alarm: span %d channels %d-%d configured (HDLC on the last)", spanno, first,
		    first + 23);
	if (first == 73) {
		struct tdm_span_info si;
		size_t total;

		harness_run(&h, 300);	/* the owner hears the alarm clear from the loop */
		tdm_spans(h.tdm, &si, 1, &total);
		printf("# alarm: alarm cleared with no peer channel open yet: link reported %s\n",
		       si.link_up ? "UP (Q.921 not re-established: tdm_pri keeps libpri's stale D-channel up)" : "down");
		pid = smoke_spawn_cpe();
		smoke_alarm_call(&h);
		smoke_reap(pid);
	}
	harness_stop(&h);
	smoke_drops_report("alarm");
}

/*
 * span-destroy ADDR / span-create ADDR (for tests/tdm/qemu/gwd_guest.sh): a loc span of 24 channels
 * destroyed, or created and its channels configured as dahdi_cfg would; prints what happened, exit 1
 * on failure
 */
static int smoke_span_op(const char *op, const char *addr)
{
	int rc, spanno = 0, first;

	if (!strcmp(op, "span-destroy")) {
		rc = smoke_dynamic(DAHDI_DYNAMIC_DESTROY, addr, NULL);
		printf("span %s: destroy: %s\n", addr, rc ? strerror(-rc) : "ok");
		return rc ? 1 : 0;
	}
	rc = smoke_dynamic(DAHDI_DYNAMIC_CREATE, addr, &spanno);
	if (rc) {
		printf("span %s: create: %s\n", addr, strerror(-rc));
		return 1;
	}
	first = smoke_chanconfig(spanno);
	if (first < 0) {
		printf("span %s: created as span %d, channel configuration: %s\n", addr, spanno, strerror(-first));
		return 1;
	}
	printf("span %s: created as span %d, channels %d-%d configured (HDLC on the last)\n", addr, spanno, first,
	       first + 23);
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	signal(SIGPIPE, SIG_IGN);
	smoke_self = argv[0];
	if (getenv("DAHDI_SMOKE_OUT"))
		smoke_out = getenv("DAHDI_SMOKE_OUT");
	log_set_level(getenv("TDM_LOG") ? log_level_parse(getenv("TDM_LOG")) : LOG_LVL_ERROR);
	log_set_hook(smoke_log_hook, NULL);
	if (only && !strcmp(only, "cpe-child"))
		return smoke_cpe_child();
	if (only && argc == 3 && (!strcmp(only, "span-destroy") || !strcmp(only, "span-create")))
		return smoke_span_op(only, argv[2]);
	if (!only || !strcmp(only, "calls"))
		smoke_calls();
	if (!only || !strcmp(only, "bearer"))
		smoke_bearer();
	if (!only || !strcmp(only, "open"))
		smoke_open();
	if (!only || !strcmp(only, "alarm"))
		smoke_alarm();
	printf("%d passed, %d failed\n", smoke_passed, smoke_failed);
	return smoke_failed ? 1 : 0;
}
