/*
 * span_test.c - the span layer over loopback spans: frames, queue, pacing, tx_ready, alarms, the
 * cross-process loopback (fork), bearer channels, the DAHDI backend's failure without a driver,
 * configuration errors, and pcap traces decoded by tshark.
 *
 * Every wait has a deadline; timings are checked as lower bounds only (speed belongs to benchmarks).
 * SPAN_TEST_DEBUG=1 in the environment shows the span layer's log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "span.h"
#include "span_int.h"
#include "testlib.h"

/* run the loop until cond holds or ms pass; the value of cond */
#define RUN_UNTIL(loop, cond, ms) ({ \
	uint64_t end_ = ev_now_us() + (uint64_t)(ms) * 1000u; \
	while (!(cond) && ev_now_us() < end_) \
		ev_run_once((loop), 10); \
	!!(cond); \
})

static char tmpdir[64];

/* one end under test: what it received and heard */
struct side {
	struct span *span;
	int rx, rx_bad;		/* frames received; of those, not the expected length or contents */
	int sizes;		/* frame k is k + 1 octets long (else fixed_len) */
	size_t fixed_len;
	int raw;		/* do not check frames, keep the last one */
	uint8_t last[SPAN_FRAME_MAX];
	size_t last_len;
	int echo;		/* send every frame back */
	int ready, ready_idle;	/* tx_ready calls, and how many saw span_tx_idle() */
	int alarm_on, alarm_off, alarm_last;
	int send_next, send_total;	/* pump: frames k = send_next .. send_total - 1 */
	int enobufs;		/* span_send refused with a full queue */
};

static void fill(uint8_t *buf, size_t len, int k)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((unsigned int)k * 131u + (unsigned int)i * 7u + 3u);
}

static int frame_ok(const uint8_t *buf, size_t len, int k)
{
	uint8_t want[SPAN_FRAME_MAX];

	fill(want, len, k);
	return !memcmp(buf, want, len);
}

static size_t side_len(const struct side *s, int k)
{
	return s->sizes ? (size_t)k + 1 : s->fixed_len;
}

static void side_rx(void *arg, const uint8_t *frame, size_t len)
{
	struct side *s = arg;

	if (s->echo)
		span_send(s->span, frame, len);
	if (s->raw) {
		memcpy(s->last, frame, len);
		s->last_len = len;
	} else if (len != side_len(s, s->rx) || !frame_ok(frame, len, s->rx)) {
		s->rx_bad++;
	}
	s->rx++;
}

/* send frames until the queue is full or all are sent */
static void side_pump(struct side *s)
{
	uint8_t buf[SPAN_FRAME_MAX];

	while (s->send_next < s->send_total) {
		size_t len = side_len(s, s->send_next);
		int rc;

		fill(buf, len, s->send_next);
		rc = span_send(s->span, buf, len);
		if (rc == -ENOBUFS) {
			s->enobufs++;
			return;
		}
		if (rc < 0) {
			CHECK(0, "span_send frame %d: %s", s->send_next, strerror(-rc));
			return;
		}
		s->send_next++;
	}
}

static void side_tx_ready(void *arg)
{
	struct side *s = arg;

	s->ready++;
	s->ready_idle += span_tx_idle(s->span);
	side_pump(s);
}

static void side_alarm(void *arg, int alarmed)
{
	struct side *s = arg;

	s->alarm_last = alarmed;
	if (alarmed)
		s->alarm_on++;
	else
		s->alarm_off++;
}

static const struct span_cbs side_cbs = { .rx = side_rx, .tx_ready = side_tx_ready, .alarm = side_alarm };

static void side_init(struct side *s, struct span *span)
{
	memset(s, 0, sizeof(*s));
	s->span = span;
	s->fixed_len = 10;
	s->alarm_last = -1;
	span_set_cbs(span, &side_cbs, s);
}

static void conf_loop(struct tdm_span_conf *sc, const char *name, const char *peer, long rate)
{
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	snprintf(sc->file, sizeof(sc->file), "span_test.conf");
	sc->line = 1;
	sc->backend = TDM_BACKEND_LOOPBACK;
	sc->sig = TDM_SIG_ISUP;
	sc->dchan = 16;
	for (int i = 0; i < 3; i++)
		sc->bchan[i] = i + 1;
	sc->nbchan = 3;
	snprintf(sc->peer, sizeof(sc->peer), "%s", peer);
	sc->line_rate = rate;
}

/* a joined pair a <-> b in this process */
struct pair {
	struct ev_loop *loop;
	struct tdm_span_conf sc[2];
	struct tdm_conf conf;
	struct span *span[2];
	struct side a, b;
};

/* a pair a <-> b at rate bit/s, not yet open */
static void pair_conf(struct pair *p, long rate)
{
	memset(p, 0, sizeof(*p));
	ev_loop_new(&p->loop);
	conf_loop(&p->sc[0], "a", "b", rate);
	conf_loop(&p->sc[1], "b", "a", rate);
	p->conf.span = p->sc;
	p->conf.nspan = 2;
}

/* open the pair as configured; what names it in the check */
static int pair_start(struct pair *p, const char *what)
{
	char err[256];
	int rc = span_open_all(p->loop, &p->conf, p->span, err, sizeof(err));

	CHECK_INT(rc, 0, what);
	if (rc < 0) {
		printf("  %s\n", err);
		ev_loop_free(p->loop);
		return rc;
	}
	side_init(&p->a, p->span[0]);
	side_init(&p->b, p->span[1]);
	return 0;
}

static int pair_open(struct pair *p, long rate)
{
	pair_conf(p, rate);
	return pair_start(p, "span_open_all of a pair");
}

static void pair_close(struct pair *p)
{
	span_close(p->span[0]);
	span_close(p->span[1]);
	ev_loop_free(p->loop);
}

/* ---- frames, sizes, queue, pacing, tx_ready ---- */

static void test_frames(void)
{
	struct pair p;
	struct span_stats st;

	if (pair_open(&p, 100000000) < 0)
		return;
	CHECK_STR(span_name(p.span[0]), "a", "span_name");
	CHECK_STR(span_conf(p.span[1])->peer, "a", "span_conf");
	CHECK_INT(span_alarmed(p.span[0]), 0, "a joined pair is not in alarm");
	p.a.sizes = p.b.sizes = 1;
	p.a.send_total = p.b.send_total = SPAN_FRAME_MAX;
	side_pump(&p.a);
	side_pump(&p.b);
	RUN_UNTIL(p.loop, p.a.rx == SPAN_FRAME_MAX && p.b.rx == SPAN_FRAME_MAX, 10000);
	CHECK_INT(p.b.rx, SPAN_FRAME_MAX, "a -> b: every size 1..SPAN_FRAME_MAX received");
	CHECK_INT(p.a.rx, SPAN_FRAME_MAX, "b -> a: every size 1..SPAN_FRAME_MAX received");
	CHECK_INT(p.b.rx_bad + p.a.rx_bad, 0, "frames in order and intact");
	span_get_stats(p.span[0], &st);
	CHECK_INT(st.tx_frames, SPAN_FRAME_MAX, "a tx_frames");
	CHECK_INT(st.rx_frames, SPAN_FRAME_MAX, "a rx_frames");
	CHECK_INT(st.tx_octets, SPAN_FRAME_MAX * (SPAN_FRAME_MAX + 1) / 2, "a tx_octets");
	CHECK_INT(st.rx_dropped + st.alarms, 0, "nothing dropped on receive, no alarm");
	CHECK_INT(st.tx_dropped, p.a.enobufs, "tx_dropped: only the frames refused with -ENOBUFS");
	CHECK(p.a.enobufs >= 3, "the sender met a full queue (%d times)", p.a.enobufs);
	CHECK(p.a.ready >= 4, "tx_ready called as the queue drained (%d)", p.a.ready);
	CHECK_INT(p.a.ready_idle, p.a.ready, "span_tx_idle() inside tx_ready");
	pair_close(&p);
}

static void test_limits(void)
{
	uint8_t buf[SPAN_FRAME_MAX + 1] = { 0 };
	struct span_stats st;
	struct pair p;
	int n = 0, rc;

	if (pair_open(&p, 8000) < 0)
		return;
	CHECK_INT(span_send(p.span[0], buf, SPAN_FRAME_MAX + 1), -EMSGSIZE, "frame longer than SPAN_FRAME_MAX");
	CHECK_INT(span_send(p.span[0], buf, 0), -EMSGSIZE, "empty frame");
	CHECK_INT(span_tx_idle(p.span[0]), 1, "idle before sending");
	while ((rc = span_send(p.span[0], buf, 10)) == 0 && n < 10 * SPAN_QUEUE_MAX)
		n++;
	CHECK_INT(rc, -ENOBUFS, "a full queue says -ENOBUFS");
	CHECK_INT(n, SPAN_QUEUE_MAX + 1, "one frame on the line and SPAN_QUEUE_MAX queued");
	CHECK_INT(span_tx_idle(p.span[0]), 0, "not idle with a queue");
	span_get_stats(p.span[0], &st);
	CHECK_INT(st.tx_dropped, 1, "the refused frame is counted");
	pair_close(&p);	/* frees the queue */
}

static void test_pacing(void)
{
	const int n = 50, len = 100;
	uint64_t t0, elapsed, min_us = (uint64_t)n * (len + SPAN_FRAME_OVERHEAD) * 8u * 1000000u / 64000u;
	struct pair p;

	if (pair_open(&p, 64000) < 0)
		return;
	p.a.fixed_len = p.b.fixed_len = len;
	p.a.send_total = n;
	t0 = ev_now_us();
	side_pump(&p.a);
	CHECK_INT(p.a.send_next, n, "50 frames queued");
	CHECK_INT(span_tx_idle(p.span[0]), 0, "not idle while frames wait for the line");
	RUN_UNTIL(p.loop, p.b.rx == n && p.a.ready, 5000);
	elapsed = ev_now_us() - t0;
	CHECK_INT(p.b.rx, n, "all paced frames received");
	CHECK_INT(p.b.rx_bad, 0, "paced frames intact");
	CHECK_INT(p.a.ready, 1, "one tx_ready once the queue drained");
	CHECK(elapsed >= min_us, "50 x 100 octets at 64 kbit/s took %llu us, at least %llu expected",
	      (unsigned long long)elapsed, (unsigned long long)min_us);
	/* an idle span: one frame leaves at once, tx_ready follows when the line is free again */
	p.a.ready = p.a.ready_idle = 0;
	p.a.send_total = n + 1;
	side_pump(&p.a);
	CHECK_INT(p.a.ready, 0, "tx_ready never from inside span_send");
	RUN_UNTIL(p.loop, p.a.ready, 1000);
	CHECK_INT(p.a.ready, 1, "tx_ready after a single frame");
	CHECK_INT(p.a.ready_idle, 1, "and the span is idle then");
	pair_close(&p);
}

/* ---- alarms ---- */

static void test_break(void)
{
	uint8_t buf[10];
	struct span_stats sa, sb;
	struct pair p;

	if (pair_open(&p, 8000) < 0)
		return;
	CHECK_INT(span_break(p.span[0], 1), 0, "span_break(1)");
	CHECK_INT(span_alarmed(p.span[0]) && span_alarmed(p.span[1]), 1, "both ends in alarm at once");
	CHECK_INT(p.a.alarm_on + p.b.alarm_on, 0, "no callback from inside span_break");
	RUN_UNTIL(p.loop, p.a.alarm_on && p.b.alarm_on, 1000);
	CHECK_INT(p.a.alarm_on, 1, "a: alarm callback 1");
	CHECK_INT(p.b.alarm_on, 1, "b: alarm callback 1");
	fill(buf, sizeof(buf), 0);
	CHECK_INT(span_send(p.span[1], buf, sizeof(buf)), -ENETDOWN, "span_send in alarm");
	CHECK_INT(span_break(p.span[1], 0), 0, "span_break(0) from the other end");
	RUN_UNTIL(p.loop, p.a.alarm_off && p.b.alarm_off, 1000);
	CHECK_INT(p.a.alarm_off == 1 && p.b.alarm_off == 1, 1, "both ends: alarm callback 0");
	CHECK_INT(span_alarmed(p.span[0]) + span_alarmed(p.span[1]), 0, "alarm cleared");

	/* frames on the wire and in the queue when the line is cut are lost */
	p.a.send_total = 5;
	side_pump(&p.a);
	span_break(p.span[0], 1);
	RUN_UNTIL(p.loop, 0, 100);
	span_break(p.span[0], 0);
	RUN_UNTIL(p.loop, p.a.alarm_off == 2 && p.b.alarm_off == 2, 1000);
	RUN_UNTIL(p.loop, 0, 100);
	CHECK_INT(p.b.rx, 0, "nothing sent before the cut arrives after it");
	span_get_stats(p.span[0], &sa);
	span_get_stats(p.span[1], &sb);
	CHECK_INT(sa.tx_dropped, 4, "a: the four queued frames dropped");
	CHECK_INT(sb.tx_dropped, 1, "b: the frame refused in alarm counted");
	CHECK_INT(sb.rx_dropped, 1, "b: the frame on the wire dropped");
	CHECK_INT(sa.alarms, 2, "a: two alarms counted");
	CHECK(p.a.ready >= 1, "tx_ready after the alarm cleared (%d)", p.a.ready);
	p.b.rx = 0;
	p.a.send_next = 0;
	p.a.send_total = 1;
	side_pump(&p.a);
	RUN_UNTIL(p.loop, p.b.rx == 1, 1000);
	CHECK_INT(p.b.rx, 1, "frames pass again after the restore");
	CHECK_INT(p.b.rx_bad, 0, "and intact");
	pair_close(&p);
}

static void close_in_rx(void *arg, const uint8_t *frame, size_t len)
{
	struct side *s = arg;

	s->rx++;
	span_close(s->span);
}

/* a blip, a span closed from its own callback, a peer closed */
static void test_lifecycle(void)
{
	static const struct span_cbs closing = { .rx = close_in_rx };
	struct pair p;
	uint8_t buf[10] = { 0 };

	if (pair_open(&p, 1000000) < 0)
		return;
	span_break(p.span[0], 1);
	span_break(p.span[0], 0);
	RUN_UNTIL(p.loop, p.a.alarm_off && p.b.alarm_off, 1000);
	CHECK(p.a.alarm_on == 1 && p.a.alarm_off == 1 && p.a.alarm_last == 0, "a blip: a hears 1 then 0");
	CHECK(p.b.alarm_on == 1 && p.b.alarm_off == 1 && p.b.alarm_last == 0, "a blip: b hears 1 then 0");
	span_set_cbs(p.span[0], &closing, &p.a);
	for (int i = 0; i < 3; i++)
		span_send(p.span[1], buf, sizeof(buf));
	RUN_UNTIL(p.loop, p.a.rx, 1000);
	CHECK_INT(p.a.rx, 1, "a closed itself from its rx callback: no more frames");
	p.span[0] = NULL;
	RUN_UNTIL(p.loop, p.b.alarm_on == 2, 1000);
	CHECK_INT(p.b.alarm_on, 2, "peer closed: alarm callback 1");
	CHECK_INT(span_send(p.span[1], buf, sizeof(buf)), -ENETDOWN, "peer closed: nothing to send to");
	CHECK_INT(span_break(p.span[1], 0), 0, "restoring a line without a peer");
	RUN_UNTIL(p.loop, 0, 20);
	CHECK_INT(span_alarmed(p.span[1]), 1, "without its peer a span stays in alarm");
	pair_close(&p);
}

/* ---- across processes ---- */

static void sock_conf(struct tdm_span_conf *sc, const char *name, const char *path, int listen)
{
	conf_loop(sc, name, "", 1000000);
	snprintf(sc->socket, sizeof(sc->socket), "%s", path);
	sc->listen = listen;
}

/* the other process: echo every frame until killed (or 30 s) */
static void child_run(const char *path, int listen)
{
	struct tdm_span_conf sc;
	struct tdm_conf conf = { &sc, 1 };
	struct ev_loop *loop;
	struct span *span;
	struct side s;
	char err[256];

	log_set_level(LOG_LVL_ERROR);
	sock_conf(&sc, "child", path, listen);
	if (ev_loop_new(&loop) < 0 || span_open_all(loop, &conf, &span, err, sizeof(err)) < 0)
		_exit(2);
	side_init(&s, span);
	s.echo = s.raw = 1;
	ev_run_until(loop, NULL, 30000);
	_exit(0);
}

static pid_t child_start(const char *path, int listen)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child_run(path, listen);
	return pid;
}

static void child_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void echo_check(struct ev_loop *loop, struct side *s, int n, const char *what)
{
	s->rx = s->rx_bad = 0;
	s->send_next = 0;
	s->send_total = n;
	side_pump(s);
	RUN_UNTIL(loop, s->rx == n, 5000);
	CHECK(s->rx == n && !s->rx_bad, "%s: %d of %d frames echoed, %d bad", what, s->rx, n, s->rx_bad);
}

/* parent_listens: the parent binds; else it connects before the child exists and must retry */
static void test_cross(int parent_listens)
{
	struct tdm_span_conf sc;
	struct tdm_conf conf = { &sc, 1 };
	char path[100], err[256];
	struct ev_loop *loop;
	struct span *span;
	struct side s;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/loop.sock", tmpdir);
	ev_loop_new(&loop);
	sock_conf(&sc, "parent", path, parent_listens);
	CHECK_INT(span_open_all(loop, &conf, &span, err, sizeof(err)), 0, "socket span opens without its peer");
	side_init(&s, span);
	CHECK_INT(span_alarmed(span), 1, "in alarm until connected");
	CHECK_INT(span_bearer_open(span, 1), -ENOTSUP, "no bearer channels across processes");
	if (!parent_listens)
		RUN_UNTIL(loop, 0, 300);	/* a few refused attempts first */
	pid = child_start(path, !parent_listens);
	RUN_UNTIL(loop, s.alarm_off == 1, 5000);
	CHECK_INT(s.alarm_off, 1, "connected: alarm callback 0");
	echo_check(loop, &s, 20, "first child");
	child_kill(pid);
	RUN_UNTIL(loop, s.alarm_on == 1, 5000);
	CHECK_INT(s.alarm_on, 1, "child killed: alarm callback 1");
	CHECK_INT(span_send(span, (const uint8_t *)"x", 1), -ENETDOWN, "nothing sent while disconnected");
	pid = child_start(path, !parent_listens);
	RUN_UNTIL(loop, s.alarm_off == 2, 5000);
	CHECK_INT(s.alarm_off, 2, "child restarted: alarm cleared");
	echo_check(loop, &s, 5, "second child");
	CHECK_INT(span_break(span, 1), 0, "span_break on a socket span");
	RUN_UNTIL(loop, s.alarm_on == 2, 5000);
	CHECK_INT(s.alarm_on, 2, "cut: alarm callback 1");
	RUN_UNTIL(loop, 0, 250);
	CHECK_INT(span_alarmed(span), 1, "stays cut (no reconnection)");
	CHECK_INT(span_break(span, 0), 0, "restore a socket span");
	RUN_UNTIL(loop, s.alarm_off == 3, 5000);
	CHECK_INT(s.alarm_off, 3, "restored: connected again");
	echo_check(loop, &s, 5, "after the restore");
	child_kill(pid);
	span_close(span);
	ev_loop_free(loop);
	unlink(path);
}

/* ---- bearer channels ---- */

static int fd_read(int fd, uint8_t *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 1000) != 1)
		return -ETIMEDOUT;
	return (int)recv(fd, buf, len, MSG_DONTWAIT);
}

static void test_bearer(void)
{
	uint8_t out[160], in[200];
	struct pair p;
	int fa, fb;

	if (pair_open(&p, 64000) < 0)
		return;
	fa = span_bearer_open(p.span[0], 2);
	fb = span_bearer_open(p.span[1], 2);
	CHECK(fa >= 0 && fb >= 0 && fa != fb, "both ends of channel 2 open (%d, %d)", fa, fb);
	if (fa < 0 || fb < 0)
		goto out;
	fill(out, sizeof(out), 7);
	CHECK_INT(send(fa, out, sizeof(out), MSG_NOSIGNAL), sizeof(out), "a writes 160 octets");
	CHECK_INT(fd_read(fb, in, sizeof(in)), sizeof(out), "b reads 160 octets");
	CHECK(!memcmp(in, out, sizeof(out)), "a -> b audio intact");
	fill(out, sizeof(out), 8);
	CHECK_INT(send(fb, out, sizeof(out), MSG_NOSIGNAL), sizeof(out), "b writes");
	CHECK_INT(fd_read(fa, in, sizeof(in)), sizeof(out), "a reads");
	CHECK(!memcmp(in, out, sizeof(out)), "b -> a audio intact");
	CHECK_INT(span_bearer_open(p.span[0], 2), -EBUSY, "a channel opened twice");
	CHECK_INT(span_bearer_open(p.span[0], 9), -EINVAL, "not a bearer channel of the span");
	send(fb, out, sizeof(out), MSG_NOSIGNAL);
	span_bearer_close(p.span[0], 2);
	CHECK_INT(span_bearer_open(p.span[0], 2), fa, "reopened: the same channel");
	CHECK_INT(recv(fa, in, sizeof(in), MSG_DONTWAIT), -1, "stale audio drained on reopen");
	span_bearer_close(p.span[0], 2);
	span_bearer_close(p.span[1], 2);
out:
	pair_close(&p);
}

/* ---- DAHDI without a driver, configuration errors ---- */

static int open_fails(struct tdm_span_conf *sc, size_t n, char *err, size_t errlen)
{
	struct tdm_conf conf = { sc, n };
	struct span *spans[4] = { (void *)1, (void *)1, (void *)1, (void *)1 };
	struct ev_loop *loop;
	int rc;

	ev_loop_new(&loop);
	rc = span_open_all(loop, &conf, spans, err, errlen);
	for (size_t i = 0; i < n; i++)
		CHECK(spans[i] == NULL, "span %zu closed again after the failure", i);
	if (rc == 0)
		for (size_t i = 0; i < n; i++)
			span_close(spans[i]);
	ev_loop_free(loop);
	return rc;
}

static void test_dahdi(void)
{
	struct tdm_span_conf sc[3];
	struct stat st;
	char err[256];
	int rc;

	if (stat("/dev/dahdi/channel", &st) == 0) {
		printf("SKIP dahdi: /dev/dahdi/channel exists on this machine\n");
		return;
	}
	conf_loop(&sc[0], "a", "b", 0);
	conf_loop(&sc[1], "b", "a", 0);
	conf_loop(&sc[2], "e1", "", 0);
	sc[2].backend = TDM_BACKEND_DAHDI;
	sc[2].line = 42;
	rc = open_fails(sc, 3, err, sizeof(err));
	CHECK_INT(rc, -ENODEV, "no DAHDI: -ENODEV");
	CHECK(strstr(err, "span e1 (span_test.conf:42)") && strstr(err, "/dev/dahdi/channel") &&
	      strstr(err, "dahdi_cfg"), "err names the span and the device: %s", err);
}

static void test_conf_errors(void)
{
	struct tdm_span_conf sc[2];
	char err[256];

	conf_loop(&sc[0], "a", "nobody", 0);
	CHECK_INT(open_fails(sc, 1, err, sizeof(err)), -EINVAL, "peer missing");
	CHECK(strstr(err, "nobody") != NULL, "err names the peer: %s", err);
	conf_loop(&sc[0], "a", "b", 0);
	conf_loop(&sc[1], "b", "c", 0);
	CHECK_INT(open_fails(sc, 2, err, sizeof(err)), -EINVAL, "peer not pointing back");
	conf_loop(&sc[0], "a", "", 0);
	CHECK_INT(open_fails(sc, 1, err, sizeof(err)), -EINVAL, "loopback without peer or socket");
	conf_loop(&sc[0], "a", "b", 0);
	conf_loop(&sc[1], "b", "a", 0);
	snprintf(sc[1].trace, sizeof(sc[1].trace), "%s/no/such/dir/b.pcap", tmpdir);
	CHECK_INT(open_fails(sc, 2, err, sizeof(err)), -ENOENT, "trace file that cannot be created");
	CHECK(strstr(err, sc[1].trace) && strstr(err, "span b"), "err names the span and the path: %s", err);
	snprintf(sc[0].trace, sizeof(sc[0].trace), "%s/same.pcap", tmpdir);
	snprintf(sc[1].trace, sizeof(sc[1].trace), "%s/same.pcap", tmpdir);
	CHECK_INT(open_fails(sc, 2, err, sizeof(err)), -EINVAL, "two spans tracing to one file");
	unlink(sc[0].trace);
}

/* ---- traces decoded by tshark ---- */

static const char *tshark(void)
{
	const char *t = getenv("TSHARK");

	return t && *t ? t : "tshark";
}

/* tshark's -T fields output of file, lines joined with '|' */
static int tshark_fields(const char *file, const char *fields, char *out, size_t outlen)
{
	char cmd[768], line[256];
	size_t used = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s -r '%s' -T fields -E separator=, %s 2>/dev/null", tshark(), file, fields);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		used += (size_t)snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s", used ? "|" : "", line);
	}
	return pclose(f) == 0 ? 0 : -EIO;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int send_hex(struct span *span, const char *hex)
{
	uint8_t buf[SPAN_FRAME_MAX];
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		buf[n++] = (uint8_t)v;
		hex += 2;
		while (*hex == ' ')
			hex++;
	}
	return span_send(span, buf, n);
}

static int trace_pair(struct pair *p, int sig, const char *path)
{
	int rc;

	pair_conf(p, 1000000);
	p->sc[0].sig = p->sc[1].sig = sig;
	snprintf(p->sc[0].trace, sizeof(p->sc[0].trace), "%s", path);
	rc = pair_start(p, "span_open_all with a trace");
	if (rc < 0)
		return rc;
	p->a.raw = p->b.raw = 1;
	return 0;
}

/* Q.921 I-frame (SAPI 0, TEI 0) with a Q.931 SETUP, a SABME, and an RR back */
static void test_trace_lapd(void)
{
	const char *setup = "02 01 0000 08 02 0001 05 04 03 8090a3 18 03 a98381 70 04 81 313233";
	char path[128], out[512];
	struct pair p;

	snprintf(path, sizeof(path), "%s/pri.pcap", tmpdir);
	if (trace_pair(&p, TDM_SIG_PRI, path) < 0)
		return;
	send_hex(p.span[0], setup);
	send_hex(p.span[0], "02 01 7f");
	send_hex(p.span[1], "02 01 01 01");
	RUN_UNTIL(p.loop, p.b.rx == 2 && p.a.rx == 1, 2000);
	CHECK_INT(p.b.rx + p.a.rx, 3, "LAPD frames delivered");
	CHECK_INT(file_size(path), 24 + 3 * 16 + 25 + 3 + 4, "pcap written through while the span runs");
	pair_close(&p);
	CHECK_INT(tshark_fields(path, "-e lapd.sapi -e lapd.tei -e q931.message_type "
				"-e q931.called_party_number.digits", out, sizeof(out)), 0, "tshark reads the LAPD trace");
	CHECK_STR(out, "0,0,0x05,123|0,0,,|0,0,,", "tshark: SETUP in an I-frame, SABME, RR");
	unlink(path);
}

/* MTP2: a FISU and an LSSU (left out), an MSU each way */
static void test_trace_mtp2(void)
{
	/* MSU: BSN/BIB FSN/FIB LI=9, SIO 0x85, label DPC 4321 OPC 1234 SLS 5, ISUP RLC CIC 3 */
	const char *msu_ab = "ff 80 09 85 e1 90 34 51 03 00 10 00";
	const char *msu_ba = "80 ff 09 85 d2 44 38 54 03 00 10 00";	/* DPC 1234 OPC 4321 */
	char path[128], out[512];
	struct pair p;

	snprintf(path, sizeof(path), "%s/ss7.pcap", tmpdir);
	if (trace_pair(&p, TDM_SIG_ISUP, path) < 0)
		return;
	send_hex(p.span[0], "ff 80 00");
	send_hex(p.span[0], "ff 80 01 03");
	send_hex(p.span[0], msu_ab);
	send_hex(p.span[1], "80 ff 02 00 01");
	send_hex(p.span[1], msu_ba);
	RUN_UNTIL(p.loop, p.b.rx == 3 && p.a.rx == 2, 2000);
	CHECK_INT(p.b.rx + p.a.rx, 5, "MTP2 frames delivered, fill-in included");
	CHECK_INT(file_size(path), 24 + 2 * (16 + 12), "only the two MSUs in the pcap");
	pair_close(&p);
	CHECK_INT(tshark_fields(path, "-e mtp2.li -e mtp3.opc -e mtp3.dpc -e isup.message_type -e isup.cic", out,
				sizeof(out)), 0, "tshark reads the MTP2 trace");
	/* both directions run at once: the received MSU may be written before the sent one */
	CHECK(!strcmp(out, "9,1234,4321,16,3|9,4321,1234,16,3") || !strcmp(out, "9,4321,1234,16,3|9,1234,4321,16,3"),
	      "tshark: two RLCs, OPC and DPC both ways: got '%s'", out);
	unlink(path);
}

static void test_traces(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "%s -v >/dev/null 2>&1", tshark());
	if (system(cmd) != 0) {
		printf("SKIP traces: %s not found\n", tshark());
		return;
	}
	test_trace_lapd();
	test_trace_mtp2();
}

int main(void)
{
	const char *dbg = getenv("SPAN_TEST_DEBUG");

	/* quiet by default: the failures provoked here log errors */
	log_init(dbg && *dbg == '1' ? LOG_LVL_DEBUG : -1, 0, 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/span_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	test_frames();
	test_limits();
	test_pacing();
	test_break();
	test_lifecycle();
	test_cross(1);
	test_cross(0);
	test_bearer();
	test_dahdi();
	test_conf_errors();
	test_traces();
	rmdir(tmpdir);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
