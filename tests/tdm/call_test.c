/*
 * call_test.c - the TDM call layer as a whole, over loopback spans with the real stacks:
 *  - a loopback pair joining two processes: what the far process learns (printed by it on a pipe)
 *    can only have crossed the wire, for ISUP and for PRI (QSIG);
 *  - call outcomes the core owns: no such group (-ENOENT), no span in service (-ENETDOWN), no free
 *    circuit (-EBUSY, cause 34), hunting first / last / round robin;
 *  - a storm of calls (10,000 by default, STORM_CALLS in the environment changes it) leaves no call
 *    and no busy circuit behind on either side; tests/tdm/storm_test.sh runs it under valgrind.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "testlib.h"

#define WAIT_MS 8000

/* ---- the far process: answers every call and prints what it received ---- */

static void far_print(FILE *fp, const struct tdm_setup *s)
{
	const struct map_call *c = &s->call;

	fprintf(fp, "called=%s redirecting=%s orig=%s reason=%d counter=%d cdti=%d uui=%.*s\n", c->called.digits,
		c->redirecting.present ? c->redirecting.digits : "-",
		c->original_called.present ? c->original_called.digits : "-", c->redir.present ? c->redir.reason : -1,
		c->redir.present ? c->redir.counter : -1, c->cdti, s->uui_len > 1 ? (int)s->uui_len - 1 : 0,
		s->uui_len > 1 ? (const char *)s->uui + 1 : "");
	fflush(fp);
}

static int far_hook(struct harness *h, const struct tdm_event *ev)
{
	FILE *fp = h->user;

	if (ev->type == TDM_EV_SETUP) {
		far_print(fp, ev->setup);
		tdm_call_alert(ev->call, 0);
		tdm_call_answer(ev->call);
	}
	return 0;
}

static void far_process(const char *conf, int wfd, int calls)
{
	struct harness h;
	int released = 0;

	if (harness_start(&h, conf) < 0) {
		fprintf(stderr, "far side: %s\n", h.err);
		_exit(2);
	}
	h.user = fdopen(wfd, "w");
	h.hook = far_hook;
	/* both ends in service before the first call: a SETUP that reaches a user side still bringing
	 * its Q.921 up is refused by libpri (cause 101) */
	if (harness_wait_links(&h, 20000) == 0) {
		fprintf(h.user, "ready\n");
		fflush(h.user);
	}
	while (released < calls) {
		if (!harness_wait(&h, TDM_EV_RELEASE, NULL, 20000))
			break;
		released++;
	}
	harness_run(&h, 300);	/* let the release complete */
	fclose(h.user);
	harness_stop(&h);
	_exit(released == calls ? 0 : 3);
}

/* run the near side until the far process says "ready" (its links are up) */
static int far_ready(struct harness *h, FILE *rp)
{
	char line[64];
	struct pollfd p = { .fd = fileno(rp), .events = POLLIN };
	uint64_t end = ev_now_us() + WAIT_MS * 1000ull;

	while (ev_now_us() < end) {
		if (poll(&p, 1, 0) == 1)
			return fgets(line, sizeof(line), rp) && !strcmp(line, "ready\n");
		ev_run_once(h->loop, 10);
	}
	return 0;
}

static void full_setup(struct tdm_setup *s, int reason)
{
	harness_setup(s, "4000", "2125551234");
	harness_redirect(s, "2125550100", reason);
	s->call.original_called = s->call.redirecting;
	harness_no_diversion(s);
}

/* the owner already heard TDM_EV_RELEASE for c (then c is gone and must not be released) */
static int released(struct harness *h, const struct tdm_call *c)
{
	for (size_t i = 0; i < h->nev; i++)
		if (h->ev[i]->type == TDM_EV_RELEASE && h->ev[i]->call == c)
			return 1;
	return 0;
}

static void cross_process(const char *what, const char *near_conf, const char *far_conf, const char *want)
{
	struct harness h;
	struct tdm_setup s;
	struct tdm_call *call = NULL;
	char line[512] = "";
	int pfd[2], status = 0;
	pid_t pid;
	FILE *rp;

	if (pipe(pfd) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		far_process(far_conf, pfd[1], 1);
	}
	close(pfd[1]);
	rp = fdopen(pfd[0], "r");
	CHECK(harness_start(&h, near_conf) == 0, "%s: near side starts: %s", what, h.err);
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "%s: link up across processes", what);
	CHECK(far_ready(&h, rp), "%s: the far process has its link up too", what);
	full_setup(&s, MAP_REASON_USER_BUSY);
	CHECK_INT(tdm_call_place(h.tdm, "near", &s, NULL, &call), 0, "cross-process call placed");
	CHECK(harness_wait(&h, TDM_EV_ANSWER, NULL, WAIT_MS) != NULL, "%s: answered by the far process", what);
	CHECK(!call || !released(&h, call), "%s: the call was not released before it could be", what);
	if (call && !released(&h, call))
		tdm_call_release(call, 16);
	harness_run(&h, 300);
	CHECK(fgets(line, sizeof(line), rp) != NULL, "%s: the far process reported the call", what);
	line[strcspn(line, "\n")] = 0;
	CHECK_STR(line, want, what);
	CHECK_INT(tdm_call_count(h.tdm), 0, "near side: no call left");
	harness_stop(&h);
	fclose(rp);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: far process saw the release and exited cleanly "
	      "(status %d)", what, status);
}

static void cross_process_tests(void)
{
	char dir[] = "/tmp/call_testXXXXXX", near[1024], far[1024];

	if (!mkdtemp(dir))
		return;
	snprintf(near, sizeof(near), "[span near]\nbackend = loopback\nsocket = %s/isup.sock\nsignalling = isup\n"
		 "opc = 1\ndpc = 2\ntimers = short\n", dir);
	snprintf(far, sizeof(far), "[span far]\nbackend = loopback\nsocket = %s/isup.sock\nlisten = yes\n"
		 "signalling = isup\nopc = 2\ndpc = 1\ntimers = short\n", dir);
	cross_process("isup across processes", near, far,
		      "called=4000 redirecting=2125550100 orig=2125550100 reason=1 counter=1 cdti=2 "
		      "uui=UM/1;cause=486;sens=private-no-diversion");
	snprintf(near, sizeof(near), "[span near]\nbackend = loopback\nsocket = %s/pri.sock\nsignalling = pri\n"
		 "side = net\nswitchtype = qsig\ntimers = short\n", dir);
	snprintf(far, sizeof(far), "[span far]\nbackend = loopback\nsocket = %s/pri.sock\nlisten = yes\n"
		 "signalling = pri\nside = cpe\nswitchtype = qsig\ntimers = short\n", dir);
	cross_process("qsig across processes", near, far,
		      "called=4000 redirecting=2125550100 orig=- reason=1 counter=1 cdti=0 "
		      "uui=UM/1;cause=486;sens=private-no-diversion");
	unlink(strcat(strcpy(near, dir), "/isup.sock"));
	unlink(strcat(strcpy(near, dir), "/pri.sock"));
	rmdir(dir);
}

/* ---- outcomes and hunting on a small PRI pair (3 channels) ---- */

static const char *small_pair(const char *hunt)
{
	static char conf[1024];

	snprintf(conf, sizeof(conf),
		 "[span a]\nbackend = loopback\npeer = b\nsignalling = pri\nside = net\nswitchtype = euroisdn\n"
		 "dchan = 16\nbchan = 1-3\nhunt = %s\ntimers = short\n"
		 "[span b]\nbackend = loopback\npeer = a\nsignalling = pri\nside = cpe\nswitchtype = euroisdn\n"
		 "dchan = 16\nbchan = 1-3\ntimers = short\n", hunt);
	return conf;
}

static int answer_hook(struct harness *h, const struct tdm_event *ev)
{
	if (ev->type == TDM_EV_SETUP)
		tdm_call_answer(ev->call);
	return 0;
}

static void hunt_test(const char *hunt, const int want[3])
{
	struct harness h;
	struct tdm_setup s;
	struct tdm_call *c[4] = { 0 };

	CHECK(harness_start(&h, small_pair(hunt)) == 0, "hunt %s: start: %s", hunt, h.err);
	h.hook = answer_hook;
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "hunt %s: links up", hunt);
	harness_setup(&s, "4000", "1000");
	for (int i = 0; i < 3; i++) {
		CHECK_INT(tdm_call_place(h.tdm, "a", &s, NULL, &c[i]), 0, "call placed");
		if (c[i])
			CHECK_INT(tdm_call_chan(c[i]), want[i], hunt);
		harness_wait(&h, TDM_EV_ANSWER, "a", WAIT_MS);
	}
	CHECK_INT(tdm_call_place(h.tdm, "a", &s, NULL, &c[3]), -EBUSY, "all circuits busy: -EBUSY (cause 34)");
	CHECK_INT(tdm_call_place(h.tdm, "nowhere", &s, NULL, &c[3]), -ENOENT, "unknown group");
	if (c[1])
		tdm_call_release(c[1], 16);
	CHECK(harness_wait(&h, TDM_EV_RELEASE, "b", WAIT_MS) != NULL, "far end hears the release");
	harness_run(&h, 200);
	CHECK_INT(tdm_call_place(h.tdm, "a", &s, NULL, &c[1]), 0, "a freed circuit is taken again");
	if (c[1])
		CHECK_INT(tdm_call_chan(c[1]), want[1], "the freed channel");
	harness_wait(&h, TDM_EV_ANSWER, "a", WAIT_MS);
	for (int i = 0; i < 3; i++)
		if (c[i])
			tdm_call_release(c[i], 16);
	harness_run(&h, 300);
	CHECK_INT(tdm_call_count(h.tdm), 0, "no call left");
	CHECK_INT(tdm_span_break(h.tdm, "a", 1), 0, "cut the line");
	CHECK(harness_wait_link(&h, "a", 0, WAIT_MS) == 0, "link down seen");
	CHECK_INT(tdm_call_place(h.tdm, "a", &s, NULL, &c[0]), -ENETDOWN, "no span in service: -ENETDOWN");
	harness_stop(&h);
}

static void hunt_tests(void)
{
	hunt_test("first", (const int[]){ 1, 2, 3 });
	hunt_test("last", (const int[]){ 3, 2, 1 });
	hunt_test("round-robin", (const int[]){ 1, 2, 3 });
}

/* ---- the embedded default configuration: every pair comes up and carries a call ---- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void default_conf_test(void)
{
	static const char *const pairs[][2] = {
		{ "isup-a", "isup-b" }, { "isup-b", "isup-a" }, { "pri-euro-net", "pri-euro-cpe" },
		{ "pri-euro-cpe", "pri-euro-net" }, { "pri-ni2-net", "pri-ni2-cpe" }, { "pri-qsig-cpe", "pri-qsig-net" },
	};
	char *text = slurp(TOP_SRCDIR "/conf/loopback.conf");
	struct harness h;
	struct tdm_setup s;

	CHECK(text != NULL, "conf/loopback.conf readable");
	if (!text)
		return;
	CHECK(harness_start(&h, text) == 0, "conf/loopback.conf starts: %s", h.err);
	h.hook = answer_hook;
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "every link of conf/loopback.conf comes up");
	full_setup(&s, MAP_REASON_UNCONDITIONAL);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct tdm_call *c = NULL;
		struct hev *e;

		CHECK_INT(tdm_call_place(h.tdm, pairs[i][0], &s, NULL, &c), 0, pairs[i][0]);
		e = harness_wait(&h, TDM_EV_SETUP, pairs[i][1], WAIT_MS);
		CHECK(e && !strcmp(e->setup.call.redirecting.digits, "2125550100"), "%s -> %s: redirecting number "
		      "arrives", pairs[i][0], pairs[i][1]);
		CHECK(harness_wait(&h, TDM_EV_ANSWER, pairs[i][0], WAIT_MS) != NULL, "%s: answered", pairs[i][0]);
		if (c)
			tdm_call_release(c, 16);
		CHECK(harness_wait(&h, TDM_EV_RELEASE, pairs[i][1], WAIT_MS) != NULL, "%s: released", pairs[i][1]);
	}
	harness_run(&h, 300);
	CHECK_INT(tdm_call_count(h.tdm), 0, "no call left");
	harness_stop(&h);
	free(text);
}

/* ---- storm ---- */

struct storm {
	long placed, answered, released, target;
	int busy;
};

static int storm_hook(struct harness *h, const struct tdm_event *ev)
{
	struct storm *st = h->user;

	switch (ev->type) {
	case TDM_EV_SETUP:
		tdm_call_answer(ev->call);
		break;
	case TDM_EV_ANSWER:
		st->answered++;
		tdm_call_release(ev->call, 16);
		break;
	case TDM_EV_RELEASE:
		st->released++;
		break;
	default:
		break;
	}
	return 1;	/* not recorded */
}

static int storm_done(struct harness *h, void *arg)
{
	struct storm *st = h->user;
	struct tdm_setup *s = arg;
	struct tdm_call *c;

	while (st->placed < st->target && tdm_call_place(h->tdm, "a", s, NULL, &c) == 0)
		st->placed++;
	return st->placed == st->target && tdm_call_count(h->tdm) == 0;
}

static void storm_run(const char *what, const char *conf, long calls)
{
	struct harness h;
	struct storm st = { .target = calls };
	struct tdm_setup s;
	struct tdm_span_info si[2];
	size_t total;

	CHECK(harness_start(&h, conf) == 0, "%s: start: %s", what, h.err);
	h.user = &st;
	h.hook = storm_hook;
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "%s: links up", what);
	full_setup(&s, MAP_REASON_NO_REPLY);
	CHECK(harness_until(&h, storm_done, &s, 600000) == 0, "%s: %ld calls placed and all gone (placed %ld, "
	      "answered %ld, released %ld)", what, calls, st.placed, st.answered, st.released);
	harness_run(&h, 200);
	CHECK_INT(tdm_call_count(h.tdm), 0, "no call left behind");
	tdm_spans(h.tdm, si, 2, &total);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(si[i].idle, si[i].ncircuits, "every circuit idle again");
		CHECK_INT(si[i].calls_in + si[i].calls_out, calls, "every call counted once on each side");
	}
	printf("# %s: %ld calls, %ld answered\n", what, st.placed, st.answered);
	harness_stop(&h);
}

static void storm_tests(void)
{
	const char *env = getenv("STORM_CALLS");
	long calls = env ? atol(env) : 10000;

	storm_run("isup storm", "[span a]\nbackend = loopback\npeer = b\nsignalling = isup\nopc = 1\ndpc = 2\n"
		  "line-rate = 2048000\ntimers = short\n[span b]\nbackend = loopback\npeer = a\nsignalling = isup\n"
		  "opc = 2\ndpc = 1\nline-rate = 2048000\ntimers = short\n", calls / 2);
	storm_run("pri storm", "[span a]\nbackend = loopback\npeer = b\nsignalling = pri\nside = net\n"
		  "switchtype = euroisdn\nline-rate = 2048000\ntimers = short\n[span b]\nbackend = loopback\npeer = a\n"
		  "signalling = pri\nside = cpe\nswitchtype = euroisdn\nline-rate = 2048000\ntimers = short\n",
		  calls - calls / 2);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	signal(SIGPIPE, SIG_IGN);
	log_set_level(getenv("TDM_LOG") ? log_level_parse(getenv("TDM_LOG")) : LOG_LVL_WARN);
	if (!only || !strcmp(only, "cross"))
		cross_process_tests();
	if (!only || !strcmp(only, "default"))
		default_conf_test();
	if (!only || !strcmp(only, "hunt"))
		hunt_tests();
	if (!only || !strcmp(only, "storm"))
		storm_tests();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
