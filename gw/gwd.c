/*
 * gwd - the SIP <-> ISUP/Q.931 gateway daemon.
 *
 *   gwd [-c FILE] [-f] [-p PIDFILE] [-s SOCKET] [-l LEVEL] [-t] [--print-default-conf]
 *
 * Signals: SIGHUP reloads the mapping tables (a bad table is refused, the old set kept); SIGTERM and
 * SIGINT drain: no new calls, the gateway waits for the calls to end ([gw] drain), then releases
 * what is left and exits.  gwd(8) documents it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_call.h"
#include "gw_main.h"
#include "log.h"
#include "sip_ua.h"

#define GWD_DRAIN_POLL_MS 100

struct gwd {
	struct gw gw;
	struct ev_loop *loop;
	int sigfd;
	int stop;
	struct ev_timer drain_poll;
	uint64_t drain_deadline_us;
	int released;
	char pidfile[GW_PATH_MAX];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gwd [-c FILE] [-f] [-p PIDFILE] [-s SOCKET] [-l LEVEL] [-t]\n"
		"  -c, --config FILE      the gateway config file (default: the embedded conf/loopback.conf)\n"
		"  -f, --foreground       stay in the foreground, log to stderr (default: daemon, syslog)\n"
		"  -p, --pidfile FILE     write the pid there (overrides [gw] pidfile)\n"
		"  -s, --control SOCKET   gwctl's socket (overrides [gw] control; \"\" = none)\n"
		"  -l, --log-level LEVEL  error|warn|notice|info|debug (overrides [gw] log-level)\n"
		"  -t, --check            read and check the config and the tables, then exit (0 = good)\n"
		"      --print-default-conf  print the embedded default configuration\n"
		"  -h, --help             this text;  -V, --version  the version\n"
		"Signals: HUP reloads the mapping tables; TERM/INT drain the calls and stop.  See gwd(8).\n");
}

static void gwd_drain_poll(void *arg)
{
	struct gwd *d = arg;

	if (!d->gw.ncalls && (!d->gw.tdm || !tdm_call_count(d->gw.tdm)) &&
	    (!d->gw.ua || !sip_ua_leg_count(d->gw.ua))) {
		LOGN("gw", "drained: no call left, stopping");
		d->stop = 1;
		return;
	}
	if (ev_now_us() >= d->drain_deadline_us) {
		if (d->released) {
			LOGW("gw", "stopping with %zu calls not cleanly released", d->gw.ncalls);
			d->stop = 1;
			return;
		}
		LOGN("gw", "drain time over: releasing %zu calls", d->gw.ncalls);
		gw_call_release_all(&d->gw, 16);
		d->released = 1;
		d->drain_deadline_us = ev_now_us() + 2000000;
	}
	ev_timer_start(d->loop, &d->drain_poll, GWD_DRAIN_POLL_MS);
}

static void gwd_signal(void *arg, int fd, short revents)
{
	struct gwd *d = arg;
	struct signalfd_siginfo si;
	char err[512];

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			LOGN("gw", "SIGHUP: reloading the mapping tables");
			gw_reload_tables(&d->gw, err, sizeof(err));
			continue;
		}
		if (d->gw.draining) {
			LOGN("gw", "signal %u while draining: stopping now", si.ssi_signo);
			d->stop = 1;
			continue;
		}
		LOGN("gw", "signal %u: draining %zu calls (at most %d ms)", si.ssi_signo, d->gw.ncalls,
		     d->gw.conf.gw.drain_ms);
		d->gw.draining = 1;
		d->drain_deadline_us = ev_now_us() + (uint64_t)d->gw.conf.gw.drain_ms * 1000;
		gwd_drain_poll(d);
	}
}

static int gwd_signals(struct gwd *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -errno;
	return ev_fd_add(d->loop, d->sigfd, POLLIN, gwd_signal, d);
}

static int gwd_pidfile(struct gwd *d)
{
	char buf[32];
	int fd, n;

	if (!d->pidfile[0])
		return 0;
	fd = open(d->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, n) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

struct gwd_args {
	struct gw_start_opts start;
	int foreground;
	int level;
	const char *pidfile;
};

static int gwd_parse(int argc, char **argv, struct gwd_args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' }, { "control", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'l' }, { "check", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ "print-default-conf", no_argument, NULL, 'P' }, { NULL, 0, NULL, 0 },
	};
	int c;

	a->level = -1;
	while ((c = getopt_long(argc, argv, "c:fp:s:l:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->start.conf_file = optarg; break;
		case 'f': a->foreground = 1; break;
		case 'p': a->pidfile = optarg; break;
		case 's': a->start.control = optarg; break;
		case 't': a->start.check_only = 1; break;
		case 'l':
			a->level = log_level_parse(optarg);
			if (a->level < 0) {
				fprintf(stderr, "gwd: -l %s: unknown level (error|warn|notice|info|debug)\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("gwd %s\n", PACKAGE_VERSION); return 0;
		case 'P': fputs(gw_default_conf, stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static int gwd_run(struct gwd *d, const struct gwd_args *a)
{
	char err[1024] = "";
	int ret;

	ret = gw_start(&d->gw, d->loop, &a->start, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "gwd: %s\n", err[0] ? err : strerror(-ret));
		LOGE("gw", "not started: %s", err[0] ? err : strerror(-ret));
		return 1;
	}
	if (a->start.check_only) {
		printf("gwd: %s: configuration and tables are valid\n", a->start.conf_file ? a->start.conf_file :
		       "the embedded default");
		return 0;
	}
	if (d->gw.conf.gw.syslog && a->foreground)	/* [gw] syslog = yes: syslog in the foreground too */
		log_init(log_level(), 1, 1);
	if (a->level < 0)
		log_set_level(d->gw.conf.gw.log_level);
	snprintf(d->pidfile, sizeof(d->pidfile), "%s", a->pidfile ? a->pidfile : d->gw.conf.gw.pidfile);
	ret = gwd_pidfile(d);
	if (ret < 0)
		LOGE("gw", "pid file %s: %s", d->pidfile, strerror(-ret));
	ev_timer_init(&d->drain_poll, gwd_drain_poll, d);
	while (!d->stop)
		ev_run_once(d->loop, 1000);
	ev_timer_stop(d->loop, &d->drain_poll);
	gw_stop(&d->gw);
	if (d->pidfile[0])
		unlink(d->pidfile);
	LOGN("gw", "stopped");
	return 0;
}

int main(int argc, char **argv)
{
	struct gwd_args a = { 0 };
	static struct gwd d;
	int ret;

	ret = gwd_parse(argc, argv, &a);
	if (ret >= 0)
		return ret;
	log_init(a.level >= 0 ? a.level : LOG_LVL_NOTICE, !a.foreground && !a.start.check_only, !a.foreground);
	if (!a.foreground && !a.start.check_only && daemon(0, 0) < 0) {
		fprintf(stderr, "gwd: daemon: %s\n", strerror(errno));
		return 1;
	}
	if (ev_loop_new(&d.loop) < 0 || gwd_signals(&d) < 0) {
		fprintf(stderr, "gwd: cannot set up the event loop or the signals\n");
		return 1;
	}
	ret = gwd_run(&d, &a);
	ev_fd_del(d.loop, d.sigfd);
	close(d.sigfd);
	ev_loop_free(d.loop);
	return ret;
}
