/*
 * gwctl - the operator's command line to gwd: sends one command over gwd's control socket and prints
 * the reply.  Exit status: 0 the command succeeded, 1 gwd refused it (the reason on stderr), 2 gwd
 * could not be reached or did not answer within GWCTL_TIMEOUT_MS.  Only libc is used.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define GWCTL_SOCKET "/run/gwd.ctl"
#define GWCTL_TIMEOUT_MS 10000
#define GWCTL_REPLY_MAX (256 * 1024 + 4096)	/* gwd's largest reply and its last line */

enum { GWCTL_OK = 0, GWCTL_ERR = 1, GWCTL_UNREACHABLE = 2 };

struct gwctl {
	const char *path;
	char *line;		/* the words joined, with its newline */
	size_t linelen;
	char *reply;
	size_t rlen;
	long long deadline_ms;
};

static const char gwctl_usage_text[] =
	"usage: gwctl [-s SOCKET] COMMAND [ARGS...]\n"
	"\n"
	"Send COMMAND to gwd over its control socket and print the reply.\n"
	"\n"
	"options:\n"
	"  -s, --socket SOCKET  gwd's control socket (default $GWCTL_SOCKET, else " GWCTL_SOCKET ")\n"
	"  -h, --help           print this help\n"
	"      --version        print the version\n"
	"\n"
	"commands:\n"
	"  show spans                     spans: group, signalling, link, alarm, circuits, calls\n"
	"  show links                     signalling links: up or down, alarm\n"
	"  show circuits [SPAN]           circuits: state, blocking, call\n"
	"  show calls                     live calls and their legs\n"
	"  show stats                     call and message counters\n"
	"  block SPAN CIC[-CIC]           block circuits for maintenance (ISUP BLO/CGB, Q.931 SERVICE)\n"
	"  unblock SPAN CIC[-CIC]         unblock circuits (ISUP UBL/CGU, Q.931 SERVICE)\n"
	"  reset SPAN [CIC]               reset a circuit, or every circuit of the span (ISUP RSC/GRS, Q.931 RESTART)\n"
	"  reload                         reload the mapping tables (the old ones stay on error)\n"
	"  help [COMMAND...]              the commands this gwd knows\n"
	"\n"
	"exit status: 0 OK, 1 gwd refused the command, 2 gwd could not be reached\n";

static long long gwctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait for events on fd until the deadline; 0, or -ETIMEDOUT */
static int gwctl_wait(const struct gwctl *g, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		long long left = g->deadline_ms - gwctl_now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int gwctl_connect(const struct gwctl *g, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(g->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, g->path, strlen(g->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return e == EAGAIN ? -EBUSY : -e;	/* EAGAIN: gwd's backlog is full */
	}
	*out = fd;
	return 0;
}

/* send the line; a peer that closed early (a line it refused) is not an error: its reply is read */
static int gwctl_send(const struct gwctl *g, int fd)
{
	size_t off = 0;

	while (off < g->linelen) {
		ssize_t n = send(fd, g->line + off, g->linelen - off, MSG_NOSIGNAL);
		int r;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = gwctl_wait(g, fd, POLLOUT);
		if (r < 0)
			return r;
	}
	shutdown(fd, SHUT_WR);
	return 0;
}

static int gwctl_recv(struct gwctl *g, int fd)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;
		int r;

		if (g->rlen + 1 >= cap) {
			char *b;

			if (cap >= GWCTL_REPLY_MAX)
				return -EMSGSIZE;
			cap = cap ? cap * 2 : 4096;
			b = realloc(g->reply, cap);
			if (!b)
				return -ENOMEM;
			g->reply = b;
		}
		n = recv(fd, g->reply + g->rlen, cap - 1 - g->rlen, 0);
		if (n > 0) {
			g->rlen += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == ECONNRESET)
			break;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		r = gwctl_wait(g, fd, POLLIN);
		if (r < 0)
			return r;
	}
	g->reply[g->rlen] = '\0';
	return 0;
}

/* print the reply; the exit status */
static int gwctl_print(struct gwctl *g)
{
	char *last;

	if (!g->rlen || g->reply[g->rlen - 1] != '\n') {
		fprintf(stderr, "gwctl: %s: incomplete reply from gwd\n", g->path);
		return GWCTL_UNREACHABLE;
	}
	g->reply[--g->rlen] = '\0';
	last = strrchr(g->reply, '\n');
	last = last ? last + 1 : g->reply;
	fwrite(g->reply, 1, (size_t)(last - g->reply), stdout);
	fflush(stdout);
	if (!strcmp(last, "OK"))
		return GWCTL_OK;
	if (!strncmp(last, "ERR", 3)) {
		fprintf(stderr, "gwctl: %s\n", last[3] == ' ' ? last + 4 : "command failed");
		return GWCTL_ERR;
	}
	fprintf(stderr, "gwctl: %s: unexpected last line '%s'\n", g->path, last);
	return GWCTL_UNREACHABLE;
}

static int gwctl_run(struct gwctl *g)
{
	int fd = -1, r;
	const char *stage = "cannot connect to";

	g->deadline_ms = gwctl_now_ms() + GWCTL_TIMEOUT_MS;
	r = gwctl_connect(g, &fd);
	if (r < 0)
		goto fail;
	stage = "no reply from";
	r = gwctl_send(g, fd);
	if (r == 0)
		r = gwctl_recv(g, fd);
	close(fd);
	if (r < 0)
		goto fail;
	return gwctl_print(g);
fail:
	if (r == -ETIMEDOUT)
		fprintf(stderr, "gwctl: %s %s within %d s\n", stage, g->path, GWCTL_TIMEOUT_MS / 1000);
	else
		fprintf(stderr, "gwctl: %s %s: %s (is gwd running?)\n", stage, g->path, strerror(-r));
	return GWCTL_UNREACHABLE;
}

/* the words joined by spaces, and a newline */
static int gwctl_join(struct gwctl *g, int argc, char **argv)
{
	size_t len = 1;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	g->line = malloc(len + 1);
	if (!g->line)
		return -ENOMEM;
	g->linelen = 0;
	for (int i = 0; i < argc; i++)
		g->linelen += (size_t)sprintf(g->line + g->linelen, "%s%s", i ? " " : "", argv[i]);
	g->line[g->linelen++] = '\n';
	g->line[g->linelen] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct gwctl g = { .path = getenv("GWCTL_SOCKET") };
	int c, rc;

	if (!g.path || !*g.path)
		g.path = GWCTL_SOCKET;
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': g.path = optarg; break;
		case 'h': fputs(gwctl_usage_text, stdout); return 0;
		case 'V': printf("gwctl %s\n", PACKAGE_VERSION); return 0;
		default: fprintf(stderr, "gwctl: see gwctl --help\n"); return GWCTL_ERR;
		}
	}
	if (optind >= argc) {
		fputs(gwctl_usage_text, stderr);
		return GWCTL_ERR;
	}
	if (gwctl_join(&g, argc - optind, argv + optind) < 0) {
		fprintf(stderr, "gwctl: out of memory\n");
		return GWCTL_ERR;
	}
	rc = gwctl_run(&g);
	free(g.line);
	free(g.reply);
	return rc;
}
