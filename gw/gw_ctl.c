/*
 * gw_ctl.c - the operator control socket: a Unix stream socket served on the event loop.
 *
 * Each connection carries one command: the server reads one line (at most GW_CTL_LINE_MAX characters,
 * within GW_CTL_TIMEOUT_MS), splits it into words, runs the command whose name is the longest prefix of
 * the words, writes the reply ("lines\nOK\n" or "lines\nERR why\n") without blocking and closes.  A
 * client that stalls, reading or writing, is dropped when its timer fires; at most GW_CTL_CONN_MAX
 * clients are served at once, so no client can hold the daemon.
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw_ctl.h"
#include "log.h"

#define GW_CTL_TIMEOUT_MS 5000		/* a client has this long to send its line, then to read the reply */
#define GW_CTL_CONN_MAX 16		/* clients served at once; more are refused */
#define GW_CTL_BACKLOG 16
#define GW_CTL_ACCEPT_RETRY_MS 200	/* out of descriptors: pause accepting this long */
#define GW_CTL_ERR_MAX 256

struct gw_ctl_out {
	char *buf;
	size_t len, cap;
	int truncated;
	char err[GW_CTL_ERR_MAX];
};

struct gw_ctl_conn {
	struct gw_ctl *ctl;
	struct gw_ctl_conn *next;
	int fd;
	struct ev_timer timer;
	char line[GW_CTL_LINE_MAX + 2];	/* the line, its newline and a NUL */
	size_t nline;
	char *reply;			/* being written */
	size_t rlen, roff;
};

struct gw_ctl {
	struct ev_loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* the socket file we bound: gw_ctl_free unlinks only that one */
	ino_t ino;
	const struct gw_ctl_cmd *cmds;
	size_t ncmds;
	void *arg;
	struct gw_ctl_conn *conns;
	size_t nconns;
	struct ev_timer retry;		/* accepting paused (EMFILE) */
};

/* ---- reply buffer ---- */

static void gw_ctl_out_vappend(struct gw_ctl_out *out, const char *fmt, va_list ap)
{
	va_list aq;
	size_t need;
	int n;

	if (out->truncated)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	need = out->len + (size_t)n + 1;
	if (need > GW_CTL_OUT_MAX) {
		out->truncated = 1;
		return;
	}
	if (need > out->cap) {
		size_t cap = out->cap ? out->cap : 1024;
		char *b;

		while (cap < need)
			cap *= 2;
		if (cap > GW_CTL_OUT_MAX)
			cap = GW_CTL_OUT_MAX;
		b = realloc(out->buf, cap);
		if (!b) {
			out->truncated = 1;
			return;
		}
		out->buf = b;
		out->cap = cap;
	}
	vsnprintf(out->buf + out->len, out->cap - out->len, fmt, ap);
	out->len += (size_t)n;
}

void gw_ctl_printf(struct gw_ctl_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gw_ctl_out_vappend(out, fmt, ap);
	va_end(ap);
}

void gw_ctl_error(struct gw_ctl_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->err, sizeof(out->err), fmt, ap);
	va_end(ap);
	for (char *p = out->err; *p; p++)	/* the reason is one line */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* the complete reply: the command's lines, a truncation note, then OK or ERR (the buffer is taken from
 * out); NULL without memory */
static char *gw_ctl_out_finish(struct gw_ctl_out *out, int rc, size_t *len)
{
	char tail[GW_CTL_ERR_MAX + 96];
	int nl = out->len && out->buf[out->len - 1] != '\n';
	int n = snprintf(tail, sizeof(tail), "%s%s%s%s\n", nl ? "\n" : "",
			 out->truncated ? "... output truncated\n" : "", rc >= 0 ? "OK" : "ERR ",
			 rc >= 0 ? "" : out->err[0] ? out->err : strerror(-rc));
	char *b = realloc(out->buf, out->len + (size_t)n + 1);

	if (!b)
		return NULL;
	memcpy(b + out->len, tail, (size_t)n + 1);
	*len = out->len + (size_t)n;
	out->buf = NULL;
	out->len = out->cap = 0;
	return b;
}

/* ---- commands ---- */

static int gw_ctl_help_fn(void *arg, int argc, char **argv, struct gw_ctl_out *out);

static const struct gw_ctl_cmd gw_ctl_help_cmd = {
	"help", "[COMMAND...]", "list the commands (those starting with COMMAND)", 0, GW_CTL_ARGS_MAX - 1,
	gw_ctl_help_fn
};

/* words of name matched by words[0..n): how many, or 0 when name is not a prefix of them */
static int gw_ctl_match(const char *name, char **words, int n)
{
	int k = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (k >= n || strlen(words[k]) != len || strncmp(words[k], name, len))
			return 0;
		k++;
		name += len;
		name += strspn(name, " ");
	}
	return k;
}

static const struct gw_ctl_cmd *gw_ctl_find(const struct gw_ctl *ctl, char **words, int n, int *used)
{
	const struct gw_ctl_cmd *best = NULL;
	int k;

	*used = 0;
	for (size_t i = 0; i < ctl->ncmds; i++) {
		k = gw_ctl_match(ctl->cmds[i].name, words, n);
		if (k > *used) {
			*used = k;
			best = &ctl->cmds[i];
		}
	}
	k = gw_ctl_match(gw_ctl_help_cmd.name, words, n);
	if (!best && k) {
		*used = k;
		best = &gw_ctl_help_cmd;
	}
	return best;
}

/* does name start with the words (a help filter): "show" selects "show spans" */
static int gw_ctl_starts(const char *name, char **words, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(words[i]);

		if (strncmp(name, words[i], len) || (name[len] && name[len] != ' '))
			return 0;
		name += len;
		name += strspn(name, " ");
	}
	return 1;
}

static void gw_ctl_help_line(const struct gw_ctl_cmd *c, struct gw_ctl_out *out)
{
	char syn[96];

	snprintf(syn, sizeof(syn), "%s%s%s", c->name, c->args && *c->args ? " " : "", c->args ? c->args : "");
	gw_ctl_printf(out, "%-30s %s\n", syn, c->help ? c->help : "");
}

static int gw_ctl_help_fn(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	const struct gw_ctl *ctl = arg;
	int n = 0;

	for (size_t i = 0; i < ctl->ncmds; i++) {
		if (!gw_ctl_starts(ctl->cmds[i].name, argv, argc))
			continue;
		gw_ctl_help_line(&ctl->cmds[i], out);
		n++;
	}
	if (gw_ctl_starts(gw_ctl_help_cmd.name, argv, argc)) {
		gw_ctl_help_line(&gw_ctl_help_cmd, out);
		n++;
	}
	if (!n) {
		gw_ctl_error(out, "no command starts with '%s' (try: help)", argv[0]);
		return -ENOENT;
	}
	return 0;
}

/* split line (modified) into words; -E2BIG past GW_CTL_ARGS_MAX, -EINVAL on a control character */
static int gw_ctl_split(char *line, char **words, int *n)
{
	char *p = line;

	*n = 0;
	for (const char *q = line; *q; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
			return -EINVAL;
	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			return 0;
		if (*n == GW_CTL_ARGS_MAX)
			return -E2BIG;
		words[(*n)++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
}

static int gw_ctl_usage(const struct gw_ctl_cmd *c, struct gw_ctl_out *out)
{
	gw_ctl_error(out, "usage: %s%s%s", c->name, c->args && *c->args ? " " : "", c->args ? c->args : "");
	return -EINVAL;
}

static int gw_ctl_unknown(const struct gw_ctl *ctl, char **words, int n, struct gw_ctl_out *out)
{
	if (!n) {
		gw_ctl_error(out, "empty command (try: help)");
		return -EINVAL;
	}
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (gw_ctl_starts(ctl->cmds[i].name, words, 1)) {
			gw_ctl_error(out, "unknown command '%s%s%s' (try: help %s)", words[0], n > 1 ? " " : "",
				     n > 1 ? words[1] : "", words[0]);
			return -ENOENT;
		}
	gw_ctl_error(out, "unknown command '%s%s%s' (try: help)", words[0], n > 1 ? " " : "", n > 1 ? words[1] : "");
	return -ENOENT;
}

/* run one line into out; 0 or a negative errno with out->err set */
static int gw_ctl_exec(struct gw_ctl *ctl, const char *line, struct gw_ctl_out *out)
{
	char copy[GW_CTL_LINE_MAX + 1];
	char *words[GW_CTL_ARGS_MAX];
	const struct gw_ctl_cmd *c;
	int n, used, argc, rc;

	if (strlen(line) > GW_CTL_LINE_MAX) {
		gw_ctl_error(out, "command line too long (more than %d characters)", GW_CTL_LINE_MAX);
		return -EMSGSIZE;
	}
	snprintf(copy, sizeof(copy), "%s", line);
	rc = gw_ctl_split(copy, words, &n);
	if (rc == -E2BIG)
		gw_ctl_error(out, "too many words (at most %d)", GW_CTL_ARGS_MAX);
	else if (rc < 0)
		gw_ctl_error(out, "control character in the command line");
	if (rc < 0)
		return rc;
	c = gw_ctl_find(ctl, words, n, &used);
	if (!c)
		return gw_ctl_unknown(ctl, words, n, out);
	argc = n - used;
	if (argc < c->min_args || argc > c->max_args)
		return gw_ctl_usage(c, out);
	rc = c->fn(c == &gw_ctl_help_cmd ? (void *)ctl : ctl->arg, argc, words + used, out);
	if (rc < 0 && !out->err[0])
		gw_ctl_error(out, "%s: %s", c->name, strerror(-rc));
	return rc < 0 ? rc : 0;
}

/* run line and build the reply; NULL without memory */
static char *gw_ctl_reply(struct gw_ctl *ctl, const char *line, size_t *len, int *rcp)
{
	struct gw_ctl_out out = { 0 };
	char *reply;
	int rc = gw_ctl_exec(ctl, line, &out);

	if (rc < 0)
		LOGI("ctl", "'%s': ERR %s", line, out.err);
	else
		LOGI("ctl", "'%s': OK", line);
	reply = gw_ctl_out_finish(&out, rc, len);
	free(out.buf);
	*rcp = rc;
	return reply;
}

int gw_ctl_run(struct gw_ctl *ctl, const char *line, char *buf, size_t len)
{
	size_t rlen;
	int rc;
	char *reply = gw_ctl_reply(ctl, line, &rlen, &rc);

	if (!reply)
		return -ENOMEM;
	if (len)
		snprintf(buf, len, "%s", reply);
	free(reply);
	return rc;
}

/* ---- connections ---- */

static void gw_ctl_conn_free(struct gw_ctl_conn *cn)
{
	struct gw_ctl *ctl = cn->ctl;

	for (struct gw_ctl_conn **pp = &ctl->conns; *pp; pp = &(*pp)->next)
		if (*pp == cn) {
			*pp = cn->next;
			break;
		}
	ctl->nconns--;
	ev_timer_stop(ctl->loop, &cn->timer);
	ev_fd_del(ctl->loop, cn->fd);
	close(cn->fd);
	free(cn->reply);
	free(cn);
}

/* write what the socket takes; the connection is freed when done or broken */
static void gw_ctl_conn_flush(struct gw_ctl_conn *cn)
{
	while (cn->roff < cn->rlen) {
		ssize_t n = send(cn->fd, cn->reply + cn->roff, cn->rlen - cn->roff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_fd_mod(cn->ctl->loop, cn->fd, POLLOUT);
			return;
		}
		if (n <= 0) {
			LOGI("ctl", "client went away before the reply was written: %s", strerror(errno));
			break;
		}
		cn->roff += (size_t)n;
	}
	gw_ctl_conn_free(cn);
}

static void gw_ctl_conn_answer(struct gw_ctl_conn *cn, char *reply, size_t len)
{
	if (!reply) {
		gw_ctl_conn_free(cn);
		return;
	}
	cn->reply = reply;
	cn->rlen = len;
	cn->roff = 0;
	ev_fd_mod(cn->ctl->loop, cn->fd, 0);	/* no more reading */
	ev_timer_start(cn->ctl->loop, &cn->timer, GW_CTL_TIMEOUT_MS);
	gw_ctl_conn_flush(cn);
}

static void gw_ctl_conn_refuse(struct gw_ctl_conn *cn, const char *why)
{
	size_t len = strlen(why) + 6;
	char *reply = malloc(len);

	if (reply)
		snprintf(reply, len, "ERR %s\n", why);
	LOGI("ctl", "client refused: %s", why);
	gw_ctl_conn_answer(cn, reply, reply ? strlen(reply) : 0);
}

static void gw_ctl_conn_line(struct gw_ctl_conn *cn)
{
	size_t len;
	int rc;
	char *reply;

	cn->line[cn->nline] = '\0';
	cn->line[strcspn(cn->line, "\n")] = '\0';
	len = strlen(cn->line);
	if (len && cn->line[len - 1] == '\r')
		cn->line[len - 1] = '\0';
	reply = gw_ctl_reply(cn->ctl, cn->line, &len, &rc);
	gw_ctl_conn_answer(cn, reply, len);
}

/* read until the newline; EOF after some text ends the line too */
static void gw_ctl_conn_read(struct gw_ctl_conn *cn)
{
	ssize_t n = recv(cn->fd, cn->line + cn->nline, sizeof(cn->line) - 1 - cn->nline, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && !cn->nline)) {
		gw_ctl_conn_free(cn);
		return;
	}
	if (memchr(cn->line + cn->nline, '\0', (size_t)n)) {
		cn->nline += (size_t)n;
		gw_ctl_conn_refuse(cn, "NUL byte in the command line");
		return;
	}
	cn->nline += (size_t)n;
	if (n == 0 || memchr(cn->line, '\n', cn->nline)) {
		gw_ctl_conn_line(cn);
		return;
	}
	if (cn->nline > GW_CTL_LINE_MAX) {
		char why[80];

		snprintf(why, sizeof(why), "command line too long (more than %d characters)", GW_CTL_LINE_MAX);
		gw_ctl_conn_refuse(cn, why);
	}
}

static void gw_ctl_conn_cb(void *arg, int fd, short revents)
{
	struct gw_ctl_conn *cn = arg;

	if (cn->reply) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			gw_ctl_conn_flush(cn);
		return;
	}
	if (revents & (POLLIN | POLLERR | POLLHUP))
		gw_ctl_conn_read(cn);
}

static void gw_ctl_conn_timeout(void *arg)
{
	struct gw_ctl_conn *cn = arg;

	if (cn->reply) {
		LOGN("ctl", "client does not read its reply: dropped after %d ms", GW_CTL_TIMEOUT_MS);
		gw_ctl_conn_free(cn);
		return;
	}
	LOGN("ctl", "client sent no command line within %d ms: dropped", GW_CTL_TIMEOUT_MS);
	gw_ctl_conn_refuse(cn, "timeout: no command line received");
}

static void gw_ctl_conn_new(struct gw_ctl *ctl, int fd)
{
	struct gw_ctl_conn *cn = calloc(1, sizeof(*cn));

	if (!cn || ev_fd_add(ctl->loop, fd, POLLIN, gw_ctl_conn_cb, cn) < 0) {
		LOGW("ctl", "client dropped: out of memory");
		free(cn);
		close(fd);
		return;
	}
	cn->ctl = ctl;
	cn->fd = fd;
	cn->next = ctl->conns;
	ctl->conns = cn;
	ctl->nconns++;
	ev_timer_init(&cn->timer, gw_ctl_conn_timeout, cn);
	if (ctl->nconns > GW_CTL_CONN_MAX) {
		gw_ctl_conn_refuse(cn, "busy: too many control connections");
		return;
	}
	ev_timer_start(ctl->loop, &cn->timer, GW_CTL_TIMEOUT_MS);
}

/* ---- listener ---- */

static void gw_ctl_retry_cb(void *arg)
{
	struct gw_ctl *ctl = arg;

	ev_fd_mod(ctl->loop, ctl->fd, POLLIN);
}

static void gw_ctl_accept_cb(void *arg, int fd, short revents)
{
	struct gw_ctl *ctl = arg;

	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			gw_ctl_conn_new(ctl, c);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			LOGW("ctl", "accept: %s: not accepting for %d ms", strerror(errno), GW_CTL_ACCEPT_RETRY_MS);
			ev_fd_mod(ctl->loop, fd, 0);
			ev_timer_start(ctl->loop, &ctl->retry, GW_CTL_ACCEPT_RETRY_MS);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			LOGW("ctl", "accept: %s", strerror(errno));
		}
		return;
	}
}

/* a socket file at path: remove it unless a live daemon answers there or it is not a socket */
static int gw_ctl_clear_path(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another daemon is listening there", path);
		return -EADDRINUSE;
	}
	LOGI("ctl", "%s: stale socket removed", path);
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static int gw_ctl_listen(struct gw_ctl *ctl, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int r;

	memcpy(sa.sun_path, ctl->path, sizeof(sa.sun_path));
	r = gw_ctl_clear_path(ctl->path, &sa, err, errlen);
	if (r < 0)
		return r;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return -errno;
	if (bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (stat(ctl->path, &st) < 0)
		return -errno;
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	if (chmod(ctl->path, 0660) < 0)
		return -errno;
	if (listen(ctl->fd, GW_CTL_BACKLOG) < 0)
		return -errno;
	return ev_fd_add(ctl->loop, ctl->fd, POLLIN, gw_ctl_accept_cb, ctl);
}

int gw_ctl_new(struct ev_loop *loop, const char *path, const struct gw_ctl_cmd *cmds, size_t ncmds, void *arg,
	       struct gw_ctl **out, char *err, size_t errlen)
{
	struct gw_ctl *ctl;
	int r;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!path || !*path || strlen(path) >= sizeof(ctl->path)) {
		snprintf(err, errlen, "control socket path '%s': empty or too long (at most %zu characters)",
			 path ? path : "", sizeof(ctl->path) - 1);
		return -ENAMETOOLONG;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctl->loop = loop;
	ctl->fd = -1;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	ctl->cmds = cmds;
	ctl->ncmds = ncmds;
	ctl->arg = arg;
	ev_timer_init(&ctl->retry, gw_ctl_retry_cb, ctl);
	r = gw_ctl_listen(ctl, err, errlen);
	if (r < 0)
		goto fail;
	LOGI("ctl", "listening on %s", path);
	*out = ctl;
	return 0;
fail:
	if (errlen && !err[0])
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	gw_ctl_free(ctl);
	return r;
}

void gw_ctl_free(struct gw_ctl *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	while (ctl->conns)
		gw_ctl_conn_free(ctl->conns);
	ev_timer_stop(ctl->loop, &ctl->retry);
	if (ctl->fd >= 0) {
		ev_fd_del(ctl->loop, ctl->fd);
		close(ctl->fd);
	}
	if (ctl->ino && stat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl);
}
