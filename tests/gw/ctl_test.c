/*
 * ctl_test.c - the control socket (gw_ctl.c), gwctl's commands (gw_cmd.c) and the gwctl binary, over a
 * real Unix socket in a temporary directory, against a gateway context built by hand: loopback ISUP
 * and PRI pairs (short timers), the built-in mapping tables.  The test is both sides: it runs the
 * daemon's loop while its own client, or a forked gwctl, waits for the reply.  Every wait is bounded.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gw.h"
#include "gw_ctl.h"
#include "log.h"
#include "testlib.h"

#define GWCTL TOP_BUILDDIR "/gw/gwctl"
#define REPLY_MAX (64 * 1024)
#define WAIT_MS 8000

static const char conf_text[] =
	"[span isup-a]\nbackend = loopback\nsignalling = isup\npeer = isup-b\nopc = 1\ndpc = 2\ntimers = short\n"
	"[span isup-b]\nbackend = loopback\nsignalling = isup\npeer = isup-a\nopc = 2\ndpc = 1\nhunt = last\n"
	"timers = short\n"
	"[span pri-a]\nbackend = loopback\nsignalling = pri\npeer = pri-b\nside = net\nswitchtype = euroisdn\n"
	"timers = short\n"
	"[span pri-b]\nbackend = loopback\nsignalling = pri\npeer = pri-a\nside = cpe\nswitchtype = euroisdn\n"
	"timers = short\n";

static struct gw gw;
static char tmpdir[32], sock[64];

/* ---- the gateway context ---- */

static void tdm_cb(void *arg, const struct tdm_event *ev)
{
}

static int links_ready(void)
{
	struct tdm_span_info si[8];
	int n = tdm_spans(gw.tdm, si, 8, NULL);

	for (int i = 0; i < n; i++)
		if (!si[i].link_up || si[i].busy)
			return 0;
	return n > 0;
}

static int wait_links(int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;

	while (!links_ready()) {
		if (ev_now_us() >= end)
			return -ETIMEDOUT;
		ev_run_once(gw.loop, 10);
	}
	return 0;
}

static int gw_start(void)
{
	char err[512];
	int r;

	gw.tables = calloc(1, sizeof(*gw.tables));
	if (!gw.tables || ev_loop_new(&gw.loop) < 0)
		return -ENOMEM;
	r = ini_parse(conf_text, strlen(conf_text), "ctl.conf", &gw.ini, err, sizeof(err));
	if (r == 0)
		r = tdm_conf_from_ini(gw.ini, 0, &gw.tconf, err, sizeof(err));
	if (r == 0)
		r = map_tables_load_builtin(gw.tables, err, sizeof(err));
	if (r == 0)
		r = tdm_new(gw.loop, &gw.tconf, gw.tables, tdm_cb, &gw, &gw.tdm, err, sizeof(err));
	if (r == 0)
		r = gw_ctl_new(gw.loop, sock, gw_cmd_table, gw_cmd_count, &gw, &gw.ctl, err, sizeof(err));
	if (r < 0)
		printf("setup: %s\n", err);
	return r;
}

static void gw_stop(void)
{
	gw_ctl_free(gw.ctl);
	tdm_free(gw.tdm);
	tdm_conf_free(&gw.tconf);
	ini_free(gw.ini);
	ev_loop_free(gw.loop);
	free(gw.tables);
}

/* ---- a client in the test ---- */

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* read what there is; 1 at EOF */
static int client_read(int fd, char *reply, size_t len, size_t *got)
{
	for (;;) {
		ssize_t n = recv(fd, reply + *got, len - 1 - *got, 0);

		if (n > 0) {
			*got += (size_t)n;
			reply[*got] = '\0';
			if (*got + 1 < len)
				continue;
		}
		return n == 0 || *got + 1 >= len || (n < 0 && errno != EAGAIN);
	}
}

/* pump the loop until the server closes fd; 0, -ETIMEDOUT */
static int client_reply(int fd, char *reply, size_t len, int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;
	size_t got = 0;

	reply[0] = '\0';
	while (!client_read(fd, reply, len, &got)) {
		if (ev_now_us() >= end)
			return -ETIMEDOUT;
		ev_run_once(gw.loop, 10);
	}
	return 0;
}

/* send text (raw) and read the reply; 0 "OK", 1 "ERR", -1 otherwise */
static int ask_raw(const char *text, char *reply, size_t len)
{
	int fd = client_connect();
	const char *last;
	size_t n;

	reply[0] = '\0';
	if (fd < 0 || send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 || client_reply(fd, reply, len, WAIT_MS) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	n = strlen(reply);
	if (n < 3 || reply[n - 1] != '\n')
		return -1;
	for (last = reply + n - 1; last > reply && last[-1] != '\n'; last--)
		;
	if (!strcmp(last, "OK\n"))
		return 0;
	return strncmp(last, "ERR ", 4) ? -1 : 1;
}

static int ask(const char *line, char *reply, size_t len)
{
	char text[GW_CTL_LINE_MAX + 2];

	snprintf(text, sizeof(text), "%s\n", line);
	return ask_raw(text, reply, len);
}

/* ---- gwctl, forked while the loop runs ---- */

struct run {
	int status;		/* exit status, -1 killed */
	char out[REPLY_MAX], err[4096];
};

static void run_drain(int fd, char *buf, size_t len, size_t *got)
{
	ssize_t n;

	while (*got + 1 < len && (n = read(fd, buf + *got, len - 1 - *got)) > 0)
		*got += (size_t)n;
	buf[*got] = '\0';
}

static void run_child(int out, int err, char **argv, const char *env_sock)
{
	dup2(out, 1);
	dup2(err, 2);
	if (env_sock)
		setenv("GWCTL_SOCKET", env_sock, 1);
	else
		unsetenv("GWCTL_SOCKET");
	execv(GWCTL, argv);
	_exit(127);
}

/* run gwctl with argv (argv[0] ignored), pumping the loop until it exits */
static void run_gwctl(struct run *r, char **argv, const char *env_sock)
{
	int po[2], pe[2], st = 0;
	size_t no = 0, ne = 0;
	uint64_t end = ev_now_us() + 15000000u;
	pid_t pid;

	r->status = -1;
	r->out[0] = r->err[0] = '\0';
	if (pipe2(po, O_NONBLOCK) < 0 || pipe2(pe, O_NONBLOCK) < 0)
		return;
	pid = fork();
	if (pid == 0)
		run_child(po[1], pe[1], argv, env_sock);
	close(po[1]);
	close(pe[1]);
	while (pid > 0 && waitpid(pid, &st, WNOHANG) == 0) {
		if (ev_now_us() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		ev_run_once(gw.loop, 5);
		run_drain(po[0], r->out, sizeof(r->out), &no);
		run_drain(pe[0], r->err, sizeof(r->err), &ne);
	}
	run_drain(po[0], r->out, sizeof(r->out), &no);
	run_drain(pe[0], r->err, sizeof(r->err), &ne);
	close(po[0]);
	close(pe[0]);
	if (pid > 0 && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

/* gwctl -s sock WORDS...: words separated by spaces in one string */
static int gwctl(struct run *r, const char *words)
{
	char buf[2048], *argv[40] = { "gwctl", "-s", sock };
	int n = 3;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok(buf, " "); w && n < 39; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	run_gwctl(r, argv, NULL);
	if (getenv("CTL_TEST_VERBOSE"))	/* show what gwctl printed */
		printf("$ gwctl %s\n%s%s[exit %d]\n", words, r->out, r->err, r->status);
	return r->status;
}

/* ---- reading a "show circuits" reply ---- */

/* the STATE (col 3) or BLOCKED (col 4) of span's circuit cic (the channel on PRI) in reply; "" if absent */
static const char *circuit_col(const char *reply, const char *span, int cic, int col)
{
	static char val[32];

	for (const char *p = reply; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		char s[40], c[16], state[32], blocked[32];
		int ch;

		if (sscanf(p, "%39s %d %15s %31s %31s", s, &ch, c, state, blocked) != 5 || strcmp(s, span))
			continue;
		if ((strcmp(c, "-") ? atoi(c) : ch) != cic)
			continue;
		snprintf(val, sizeof(val), "%s", col == 3 ? state : blocked);
		return val;
	}
	return "";
}

/* the CIRCUITS, IDLE, BUSY, BLOCKED counts of span in a "show spans" reply; 0 when found */
static int span_counts(const char *reply, const char *span, int n[4])
{
	for (const char *p = reply; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		char s[40];

		if (sscanf(p, "%39s %*s %*s %*s %*s %*s %d %d %d %d", s, &n[0], &n[1], &n[2], &n[3]) == 5 &&
		    !strcmp(s, span))
			return 0;
	}
	return -1;
}

static const char *blocked_of(const char *span, int cic)
{
	static char reply[REPLY_MAX];
	char line[64];

	snprintf(line, sizeof(line), "show circuits %s", span);
	gw_ctl_run(gw.ctl, line, reply, sizeof(reply));
	return circuit_col(reply, span, cic, 4);
}

/* run the loop until circuits first..last of span show blocked as want; 0 or -ETIMEDOUT */
static int wait_blocked(const char *span, int first, int last, const char *want)
{
	uint64_t end = ev_now_us() + WAIT_MS * 1000u;

	for (;;) {
		int all = 1;

		for (int c = first; c <= last && all; c++)
			all = !strcmp(blocked_of(span, c), want);
		if (all)
			return 0;
		if (ev_now_us() >= end)
			return -ETIMEDOUT;
		ev_run_once(gw.loop, 10);
	}
}

static int count_lines(const char *text, const char *word)
{
	int n = 0;

	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		size_t len = strcspn(p, "\n");
		char line[256];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		n += strstr(line, word) != NULL;
	}
	return n;
}

/* ---- tests ---- */

static void help_tests(void)
{
	static char reply[REPLY_MAX];
	static struct run r;

	CHECK_INT(ask("help", reply, sizeof(reply)), 0, "help");
	CHECK(strstr(reply, "show circuits [SPAN]") && strstr(reply, "block SPAN CIC[-CIC]") &&
	      strstr(reply, "reset SPAN [CIC]") && strstr(reply, "reload") && strstr(reply, "help"),
	      "help lists the commands with their arguments: %s", reply);
	CHECK_INT(ask("help show", reply, sizeof(reply)), 0, "help show");
	CHECK(strstr(reply, "show spans") && !strstr(reply, "\nblock "), "help show: only show commands: %s", reply);
	CHECK_INT(gwctl(&r, "help"), 0, "gwctl help");
	CHECK(strstr(r.out, "show calls") && !strstr(r.out, "OK\n"), "gwctl help prints the lines but OK: %s", r.out);
	CHECK_INT(gwctl(&r, "--help"), 0, "gwctl --help");
	CHECK(strstr(r.out, "usage: gwctl") && strstr(r.out, "unblock SPAN CIC[-CIC]"), "gwctl --help: %s", r.out);
	CHECK_INT(gwctl(&r, "--version"), 0, "gwctl --version");
	CHECK(!strncmp(r.out, "gwctl ", 6), "gwctl --version: %s", r.out);
}

static void show_tests(void)
{
	static char reply[REPLY_MAX];
	static struct run r;

	CHECK_INT(gwctl(&r, "show spans"), 0, "show spans");
	CHECK(!strncmp(r.out, "SPAN ", 5) && strstr(r.out, "BLOCKED"), "show spans header: %s", r.out);
	CHECK_INT(count_lines(r.out, " up "), 4, "show spans: 4 spans with their link up");
	CHECK(strstr(r.out, "isup-a  isup-a  isup  loopback  up"), "show spans: isup-a row: %s", r.out);
	CHECK_INT(gwctl(&r, "show links"), 0, "show links");
	CHECK(strstr(r.out, "pri-b   pri   up"), "show links: pri-b up: %s", r.out);
	CHECK_INT(gwctl(&r, "show circuits isup-a"), 0, "show circuits isup-a");
	CHECK_INT(count_lines(r.out, " idle "), 30, "show circuits isup-a: 30 idle circuits");
	CHECK_INT(count_lines(r.out, "isup-b"), 0, "show circuits isup-a: only isup-a");
	CHECK_STR(circuit_col(r.out, "isup-a", 31, 3), "idle", "isup-a CIC 31 idle");
	CHECK_INT(gwctl(&r, "show circuits"), 0, "show circuits");
	CHECK_INT(count_lines(r.out, " idle "), 120, "show circuits: every span's");
	CHECK_INT(gwctl(&r, "show calls"), 0, "show calls");
	CHECK_STR(r.out, "no calls\n", "show calls with none");
	CHECK_INT(ask("show stats", reply, sizeof(reply)), 0, "show stats");
	CHECK(strstr(reply, "sip-calls-in") && strstr(reply, "reload-failures") && strstr(reply, "calls-now") &&
	      strstr(reply, "tdm-calls"), "show stats: every counter: %s", reply);
}

static void block_tests(void)
{
	static struct run r;
	int n[4] = { 0 };

	CHECK_INT(gwctl(&r, "block isup-a 1"), 0, "block isup-a 1");
	CHECK_STR(blocked_of("isup-a", 1), "local", "isup-a 1 blocked locally at once");
	CHECK_INT(wait_blocked("isup-b", 1, 1, "remote"), 0, "isup-b 1 blocked remotely after BLO");
	CHECK_STR(blocked_of("isup-a", 2), "-", "isup-a 2 untouched");
	CHECK_INT(gwctl(&r, "show spans"), 0, "show spans");
	CHECK(span_counts(r.out, "isup-a", n) == 0 && n[0] == 30 && n[1] == 29 && n[2] == 0 && n[3] == 1,
	      "show spans counts the blocked circuit: %s", r.out);
	CHECK_INT(gwctl(&r, "unblock isup-a 1"), 0, "unblock isup-a 1");
	CHECK_INT(wait_blocked("isup-b", 1, 1, "-"), 0, "isup-b 1 unblocked");
	CHECK_STR(blocked_of("isup-a", 1), "-", "isup-a 1 unblocked");

	CHECK_INT(gwctl(&r, "block isup-a 2-5"), 0, "block isup-a 2-5");
	CHECK_INT(wait_blocked("isup-a", 2, 5, "local"), 0, "isup-a 2-5 blocked locally");
	CHECK_INT(wait_blocked("isup-b", 2, 5, "remote"), 0, "isup-b 2-5 blocked remotely after CGB");
	CHECK_STR(blocked_of("isup-b", 6), "-", "isup-b 6 untouched");
	CHECK_INT(gwctl(&r, "unblock isup-a 2-5"), 0, "unblock isup-a 2-5");
	CHECK_INT(wait_blocked("isup-b", 2, 5, "-"), 0, "isup-b 2-5 unblocked after CGU");
	CHECK_INT(wait_blocked("isup-a", 2, 5, "-"), 0, "isup-a 2-5 unblocked");
}

static void reset_tests(void)
{
	static struct run r;

	CHECK_INT(gwctl(&r, "reset isup-a 3"), 0, "reset isup-a 3");
	CHECK(strstr(r.out, "isup-a 3: reset sent"), "reset isup-a 3: %s", r.out);
	CHECK_INT(wait_links(WAIT_MS), 0, "isup-a 3 idle again");
	CHECK_INT(gwctl(&r, "reset isup-b"), 0, "reset isup-b");
	CHECK_INT(wait_links(WAIT_MS), 0, "isup-b idle again after GRS");
	CHECK_INT(gwctl(&r, "reset pri-a 1"), 0, "reset pri-a 1");
	CHECK_INT(wait_links(WAIT_MS), 0, "pri-a 1 idle again after RESTART");
	CHECK_INT(gwctl(&r, "block pri-a 1"), 1, "block on EuroISDN (no SERVICE)");
	CHECK(strstr(r.err, "gwctl: block pri-a: not supported"), "block pri-a: %s", r.err);
}

struct err_vec {
	const char *words;
	const char *err;	/* in gwctl's stderr */
};

static const struct err_vec err_vecs[] = {
	{ "frobnicate", "gwctl: unknown command 'frobnicate' (try: help)" },
	{ "show", "gwctl: unknown command 'show' (try: help show)" },
	{ "show nothing", "gwctl: unknown command 'show nothing' (try: help show)" },
	{ "block isup-a x1", "gwctl: 'x1': a circuit number" },
	{ "block isup-a 1x", "gwctl: '1x': a circuit number" },
	{ "block isup-a -1", "gwctl: '-1': a circuit number" },
	{ "block isup-a 1-", "gwctl: '1-': a circuit number" },
	{ "block isup-a 99999999999", "gwctl: '99999999999': a circuit number" },
	{ "block isup-a 5-2", "gwctl: range '5-2': the first circuit must not be above the last" },
	{ "block isup-a 1-40", "gwctl: block isup-a: circuits 1-40 refused" },
	{ "block nosuch 1", "gwctl: no span nosuch" },
	{ "block isup-a 99", "gwctl: no circuit 99 on isup-a" },
	{ "unblock isup-a 16", "gwctl: no circuit 16 on isup-a" },
	{ "reset isup-a 0x1", "gwctl: '0x1': a circuit number" },
	{ "reset nosuch", "gwctl: no span nosuch" },
	{ "reset pri-b 40", "gwctl: no circuit 40 on pri-b" },
	{ "show circuits nosuch", "gwctl: no span nosuch" },
	{ "show circuits isup-a isup-b", "gwctl: usage: show circuits [SPAN]" },
	{ "block isup-a", "gwctl: usage: block SPAN CIC[-CIC]" },
	{ "show spans now", "gwctl: usage: show spans" },
	{ "reset", "gwctl: usage: reset SPAN [CIC]" },
	{ "help nothing", "gwctl: no command starts with 'nothing'" },
	{ "a b c d e f g h i j k l m n o p q", "gwctl: too many words (at most 16)" },
};

static void error_tests(void)
{
	static char reply[REPLY_MAX];
	static struct run r;
	char line[GW_CTL_LINE_MAX + 100];
	char *argv[] = { "gwctl", "-s", sock, line, NULL };

	for (size_t i = 0; i < sizeof(err_vecs) / sizeof(err_vecs[0]); i++) {
		CHECK_INT(gwctl(&r, err_vecs[i].words), 1, err_vecs[i].words);
		CHECK(!strncmp(r.err, err_vecs[i].err, strlen(err_vecs[i].err)), "%s: stderr '%s', want '%s...'",
		      err_vecs[i].words, r.err, err_vecs[i].err);
		CHECK_STR(r.out, "", err_vecs[i].words);
	}
	memset(line, 'x', GW_CTL_LINE_MAX + 1);
	line[GW_CTL_LINE_MAX + 1] = '\0';
	run_gwctl(&r, argv, NULL);
	CHECK_INT(r.status, 1, "gwctl with an overlong line");
	CHECK(strstr(r.err, "gwctl: command line too long"), "overlong line: %s", r.err);
	line[GW_CTL_LINE_MAX] = '\0';
	CHECK_INT(ask(line, reply, sizeof(reply)), 1, "a line of GW_CTL_LINE_MAX characters is read");
	CHECK(strstr(reply, "ERR unknown command"), "GW_CTL_LINE_MAX characters: %s", reply);
	line[GW_CTL_LINE_MAX] = 'x';
	CHECK_INT(ask_raw(line, reply, sizeof(reply)), 1, "an overlong line without its newline");
	CHECK(strstr(reply, "ERR command line too long"), "overlong, no newline: %s", reply);
	CHECK_INT(ask_raw("show\001 links\n", reply, sizeof(reply)), 1, "control character");
	CHECK_INT(ask("   ", reply, sizeof(reply)), 1, "empty line");
	CHECK_INT(ask(" \t show \t links  ", reply, sizeof(reply)), 0, "blanks around words");
	CHECK_INT(ask_raw("show links\r\n", reply, sizeof(reply)), 0, "CRLF");
	CHECK_INT(gw_ctl_run(gw.ctl, "show spans x", reply, sizeof(reply)), -EINVAL, "gw_ctl_run: usage");
	CHECK_STR(reply, "ERR usage: show spans\n", "gw_ctl_run: the reply");
}

static void unreachable_tests(void)
{
	static struct run r;
	char nowhere[80];
	char *argv[] = { "gwctl", "show", "spans", NULL };

	snprintf(nowhere, sizeof(nowhere), "%s/nowhere.ctl", tmpdir);
	run_gwctl(&r, (char *[]){ "gwctl", "-s", nowhere, "show", "spans", NULL }, NULL);
	CHECK_INT(r.status, 2, "no daemon: exit 2");
	CHECK(strstr(r.err, "gwctl: cannot connect to ") && strstr(r.err, "(is gwd running?)"), "no daemon: %s",
	      r.err);
	run_gwctl(&r, argv, sock);
	CHECK_INT(r.status, 0, "GWCTL_SOCKET names the socket");
	run_gwctl(&r, (char *[]){ "gwctl", "-s", sock, "show", "links", NULL }, nowhere);
	CHECK_INT(r.status, 0, "-s wins over GWCTL_SOCKET");
	run_gwctl(&r, argv, nowhere);
	CHECK_INT(r.status, 2, "GWCTL_SOCKET without a daemon");
	run_gwctl(&r, (char *[]){ "gwctl", NULL }, sock);
	CHECK(r.status != 0 && strstr(r.err, "usage: gwctl"), "gwctl without a command: %d %s", r.status, r.err);
}

/* ---- reload ---- */

static int copy_file(const char *from, const char *to, const char *extra)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n;
	int r = in && out ? 0 : -1;

	while (r == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		r = fwrite(buf, 1, n, out) == n ? 0 : -1;
	if (r == 0 && extra)
		r = fputs(extra, out) < 0 ? -1 : 0;
	if (in)
		fclose(in);
	if (out && fclose(out))
		r = -1;
	return r;
}

/* the repository's tables into dir, broken: text appended to causes.tbl */
static int copy_tables(const char *dir, const char *broken)
{
	DIR *d = opendir(TOP_SRCDIR "/conf/tables");
	struct dirent *de;
	int r = d ? 0 : -1;

	if (r == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
		r = -1;
	while (r == 0 && (de = readdir(d))) {
		char from[512], to[512];
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".tbl"))
			continue;
		snprintf(from, sizeof(from), "%s/%s", TOP_SRCDIR "/conf/tables", de->d_name);
		snprintf(to, sizeof(to), "%s/%s", dir, de->d_name);
		r = copy_file(from, to, strcmp(de->d_name, "causes.tbl") ? NULL : broken);
	}
	if (d)
		closedir(d);
	return r;
}

static void reload_tests(void)
{
	static char reply[REPLY_MAX];
	static struct run r;
	const struct map_tables *before;
	char good[80], bad[80];

	CHECK_INT(gwctl(&r, "reload"), 0, "reload the built-in tables");
	CHECK(strstr(r.out, "built-in"), "reload: %s", r.out);
	snprintf(bad, sizeof(bad), "%s/bad-tables", tmpdir);
	snprintf(good, sizeof(good), "%s/good-tables", tmpdir);
	CHECK_INT(copy_tables(bad, "this line is no mapping\n"), 0, "broken tables copied");
	CHECK_INT(copy_tables(good, NULL), 0, "tables copied");
	before = gw.tables;
	snprintf(gw.conf.gw.tables, sizeof(gw.conf.gw.tables), "%s", bad);
	CHECK_INT(gwctl(&r, "reload"), 1, "reload broken tables");
	CHECK(strstr(r.err, "gwctl: reload: ") && strstr(r.err, "/bad-tables/causes.tbl:") &&
	      strstr(r.err, "tables in use are kept"), "reload names file:line: %s", r.err);
	CHECK(gw.tables == before, "the old tables stay in use");
	CHECK_INT(ask("show spans", reply, sizeof(reply)), 0, "still serving after a failed reload");
	snprintf(gw.conf.gw.tables, sizeof(gw.conf.gw.tables), "%s", good);
	CHECK_INT(gwctl(&r, "reload"), 0, "reload a tables directory");
	CHECK(strstr(r.out, "/good-tables"), "reload from the directory: %s", r.out);
	gw.conf.gw.tables[0] = '\0';
}

/* ---- robustness: a silent client, a second socket, the socket file ---- */

static void stall_tests(void)
{
	static char reply[REPLY_MAX];
	static struct run r;
	int silent = client_connect(), partial = client_connect();
	uint64_t t0 = ev_now_us();

	CHECK(silent >= 0 && partial >= 0, "clients connected");
	CHECK(send(partial, "show", 4, MSG_NOSIGNAL) == 4, "partial line sent");
	CHECK_INT(gwctl(&r, "show links"), 0, "served while two clients hang");
	CHECK_INT(ask("show stats", reply, sizeof(reply)), 0, "served again while two clients hang");
	CHECK_INT(client_reply(silent, reply, sizeof(reply), 10000), 0, "a silent client is dropped");
	CHECK(strstr(reply, "ERR timeout"), "the silent client is told: %s", reply);
	CHECK(ev_now_us() - t0 >= 4000000 && ev_now_us() - t0 < 8000000, "after the timeout (%lu ms)",
	      (unsigned long)((ev_now_us() - t0) / 1000));
	CHECK_INT(client_reply(partial, reply, sizeof(reply), 2000), 0, "a client stuck mid-line is dropped");
	close(silent);
	close(partial);
}

static void socket_tests(void)
{
	struct stat st;
	struct gw_ctl *other = NULL;
	char err[256], path[80];
	int fd;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	CHECK(stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0660, "socket mode 0660");
	CHECK_INT(gw_ctl_new(gw.loop, sock, gw_cmd_table, gw_cmd_count, &gw, &other, err, sizeof(err)), -EADDRINUSE,
		  "a live socket is not taken over");
	CHECK(strstr(err, "another daemon"), "live socket: %s", err);
	CHECK(other == NULL, "no second control socket");

	/* a stale socket file (a daemon that died) is replaced */
	snprintf(path, sizeof(path), "%s/stale.ctl", tmpdir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "stale socket made");
	close(fd);
	CHECK_INT(gw_ctl_new(gw.loop, path, gw_cmd_table, gw_cmd_count, &gw, &other, err, sizeof(err)), 0,
		  "a stale socket is replaced");
	gw_ctl_free(other);
	CHECK(access(path, F_OK) < 0, "gw_ctl_free unlinks the socket");

	/* a regular file is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_INT(gw_ctl_new(gw.loop, path, gw_cmd_table, gw_cmd_count, &gw, &other, err, sizeof(err)), -EEXIST,
		  "a file that is not a socket");
	CHECK(access(path, F_OK) == 0, "the file is left alone");
	unlink(path);
}

/* ---- gw_ctl alone, with a table of the test's own ---- */

/* flood N: N bytes of lines of 100 */
static int t_flood(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	long n = atol(argv[0]);

	for (long i = 0; i + 100 <= n; i += 100)
		gw_ctl_printf(out, "%099ld\n", i);
	return 0;
}

static int t_fail(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	gw_ctl_printf(out, "partial");
	if (argc)
		gw_ctl_error(out, "bad\nthing");
	return -EIO;
}

static int t_echo(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	gw_ctl_printf(out, "%s:%d", (const char *)arg, argc);
	for (int i = 0; i < argc; i++)
		gw_ctl_printf(out, " [%s]", argv[i]);
	return 0;
}

static const struct gw_ctl_cmd t_cmds[] = {
	{ "flood", "N", "print N bytes", 1, 1, t_flood },
	{ "fail", "[X]", "fail", 0, 1, t_fail },
	{ "a", "[ARGS...]", "echo", 0, 15, t_echo },
	{ "a b", "[ARGS...]", "echo", 0, 14, t_echo },
	{ "a b c", "[ARGS...]", "echo", 0, 13, t_echo },
	{ "help", "", "the table's own help", 0, 0, t_echo },
};

static void ctl_unit_tests(void)
{
	static char reply[REPLY_MAX];
	static char big[400 * 1024];
	struct gw_ctl *ctl = NULL, *saved = gw.ctl;
	char err[256], path[sizeof(sock)];
	int fd;

	snprintf(path, sizeof(path), "%s/unit.ctl", tmpdir);
	CHECK_INT(gw_ctl_new(gw.loop, path, t_cmds, sizeof(t_cmds) / sizeof(t_cmds[0]), "x", &ctl, err, sizeof(err)),
		  0, "a second control socket");
	if (!ctl)
		return;
	CHECK_INT(gw_ctl_run(ctl, "a b c d e", reply, sizeof(reply)), 0, "longest name wins");
	CHECK_STR(reply, "x:2 [d] [e]\nOK\n", "a b c d e");
	CHECK_INT(gw_ctl_run(ctl, "a b x", reply, sizeof(reply)), 0, "a b x");
	CHECK_STR(reply, "x:1 [x]\nOK\n", "a b x: the rest are arguments");
	CHECK_INT(gw_ctl_run(ctl, "a bb", reply, sizeof(reply)), 0, "whole words only");
	CHECK_STR(reply, "x:1 [bb]\nOK\n", "a bb");
	CHECK_INT(gw_ctl_run(ctl, "help", reply, sizeof(reply)), 0, "the table's help wins");
	CHECK_STR(reply, "x:0\nOK\n", "help from the table");
	CHECK_INT(gw_ctl_run(ctl, "fail", reply, sizeof(reply)), -EIO, "fail");
	CHECK_STR(reply, "partial\nERR fail: Input/output error\n", "an error without a reason: strerror");
	CHECK_INT(gw_ctl_run(ctl, "fail 1", reply, sizeof(reply)), -EIO, "fail 1");
	CHECK_STR(reply, "partial\nERR bad thing\n", "the reason stays on one line");
	CHECK_INT(gw_ctl_run(ctl, "flood 300000", big, sizeof(big)), 0, "flood 300000");
	CHECK(strlen(big) <= GW_CTL_OUT_MAX + 64 && strstr(big, "... output truncated\nOK\n"),
	      "a reply over GW_CTL_OUT_MAX is cut with a note (%zu bytes)", strlen(big));

	/* a reply larger than the socket buffer is written as the client reads */
	gw.ctl = ctl;
	snprintf(sock, sizeof(sock), "%s", path);
	fd = client_connect();
	CHECK(fd >= 0 && send(fd, "flood 250000\n", 13, 0) == 13, "flood over the socket");
	CHECK_INT(client_reply(fd, big, sizeof(big), WAIT_MS), 0, "flood read to the end");
	CHECK_INT(strlen(big), 250003, "every byte of a 250000-byte reply");
	snprintf(err, sizeof(err), "%099d\nOK\n", 249900);
	CHECK_STR(big + 249900, err, "the reply ends well");
	close(fd);
	snprintf(sock, sizeof(sock), "%s/gwd.ctl", tmpdir);
	gw.ctl = saved;
	gw_ctl_free(ctl);
}

static void teardown_tests(void)
{
	static struct run r;

	gw_ctl_free(gw.ctl);
	gw.ctl = NULL;
	CHECK(access(sock, F_OK) < 0, "the socket file is gone");
	CHECK_INT(gwctl(&r, "show spans"), 2, "after gw_ctl_free: exit 2");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	char tmpl[] = "/tmp/ctl_test.XXXXXX";

	log_init(LOG_LVL_WARN, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	snprintf(sock, sizeof(sock), "%s/gwd.ctl", tmpdir);
	if (gw_start() < 0 || wait_links(20000) < 0) {
		printf("FAIL: the gateway context did not start\n");
		return 1;
	}
	help_tests();
	show_tests();
	block_tests();
	reset_tests();
	error_tests();
	unreachable_tests();
	reload_tests();
	stall_tests();
	socket_tests();
	ctl_unit_tests();
	teardown_tests();
	gw_stop();
	nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed != 0;
}
