/*
 * span_loop.c - loopback backend: two spans joined back to back, as if by a crossed E1 cable.
 *
 * In one process (peer = NAME): span_open_all joins the pair with a SEQPACKET socketpair for the
 * signalling channel, with a small send buffer so that a sender that outruns its reader is held
 * back.  Each bearer channel gets its own socketpair the first time either end opens it; it lives
 * as long as the spans (closing a bearer only hands it back, like closing a DAHDI channel), and
 * stale audio is drained when it is opened again.  span_break cuts the line: both ends go into
 * alarm and whatever is on the wire is dropped.
 *
 * Across two processes (socket = PATH): the listen side binds PATH (a stale socket file is removed
 * first) and serves one connection at a time; the other side connects, and retries every
 * SPAN_CONNECT_RETRY_MS while it cannot.  The span is in alarm until connected and whenever the
 * connection is lost.  Bearer channels cannot cross processes: -ENOTSUP.
 *
 * Pacing at line_rate is done by span.c for this backend (span_loop_ops.paced).
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "span_int.h"

#define SPAN_LOOP_BURST 64	/* frames read per wake-up, so that one busy span does not starve the loop */

struct span_loop;

/* an in-process pair */
struct span_loop_link {
	struct span_loop *end[2];
	int broken;
};

struct span_loop {
	struct span *span;
	int fd;				/* signalling channel; -1 while not connected */
	int lfd;			/* across processes, listen side */
	int broken;			/* across processes: span_break */
	int told_waiting;
	struct ev_timer retry;		/* across processes, connect side */
	struct span_loop_link *link;	/* in one process */
	int side;			/* link->end[side] is this one */
	int bfd[TDM_CHANS_MAX];		/* bearer channel ends, by conf.bchan index; -1 = not made yet */
};

static void span_loop_fd_cb(void *arg, int fd, short revents);

static void span_loop_sndbuf(int fd)
{
	int sz = SPAN_SNDBUF;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int span_loop_attach(struct span_loop *lp, int fd)
{
	int rc;

	span_loop_sndbuf(fd);
	rc = ev_fd_add(lp->span->loop, fd, POLLIN, span_loop_fd_cb, lp->span);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	lp->fd = fd;
	span_be_alarm(lp->span, lp->link ? lp->link->broken : 0);
	return 0;
}

static void span_loop_detach(struct span_loop *lp)
{
	if (lp->fd < 0)
		return;
	ev_fd_del(lp->span->loop, lp->fd);
	close(lp->fd);
	lp->fd = -1;
}

/* the other end went away (closed, killed) or the line was cut */
static void span_loop_lost(struct span_loop *lp, int err)
{
	const struct tdm_span_conf *sc = &lp->span->conf;

	LOGW("span", "span %s: connection to %s lost: %s", sc->name, sc->socket[0] ? sc->socket : sc->peer,
	     err ? strerror(err) : "closed by the other end");
	span_loop_detach(lp);
	span_be_alarm(lp->span, 1);
	if (sc->socket[0] && !sc->listen && !lp->broken)
		ev_timer_start(lp->span->loop, &lp->retry, SPAN_CONNECT_RETRY_MS);
}

static int span_loop_cut(const struct span_loop *lp)
{
	return lp->broken || (lp->link && lp->link->broken);
}

static void span_loop_read(struct span *span)
{
	uint8_t buf[SPAN_FRAME_MAX + 1];

	for (int i = 0; i < SPAN_LOOP_BURST && !span->closed; i++) {
		struct span_loop *lp = span->priv;
		ssize_t n;

		if (lp->fd < 0)
			return;
		n = recv(lp->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			span_loop_lost(lp, n < 0 ? errno : 0);
			return;
		}
		if (n > SPAN_FRAME_MAX)
			span_be_rx_dropped(span, "longer than SPAN_FRAME_MAX");
		else if (span_loop_cut(lp))
			span_be_rx_dropped(span, "line cut");
		else
			span_be_rx(span, buf, (size_t)n);
	}
}

static void span_loop_fd_cb(void *arg, int fd, short revents)
{
	struct span *span = arg;
	struct span_loop *lp = span->priv;

	span_be_hold(span);
	if (revents & POLLOUT) {
		ev_fd_mod(span->loop, lp->fd, POLLIN);
		span_be_kick(span);
	}
	if (!span->closed && (revents & (POLLIN | POLLHUP | POLLERR)))
		span_loop_read(span);
	span_be_unhold(span);
}

static int span_loop_send_raw(struct span *span, const uint8_t *frame, size_t len)
{
	struct span_loop *lp = span->priv;
	ssize_t n;
	int rc;

	if (lp->fd < 0 || span_loop_cut(lp))
		return -ENOTCONN;
	n = send(lp->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		return -EIO;
	rc = -errno;
	if (rc == -EAGAIN || rc == -ENOBUFS) {
		ev_fd_mod(span->loop, lp->fd, POLLIN | POLLOUT);
		return -EAGAIN;
	}
	if (rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN)
		span_loop_lost(lp, -rc);
	return rc;
}

/* throw away whatever is waiting on fd; returns how many frames */
static int span_loop_drain(int fd)
{
	uint8_t buf[SPAN_FRAME_MAX + 1];
	int n = 0;

	while (fd >= 0 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/* ---- across processes ---- */

static int span_loop_addr(const struct tdm_span_conf *sc, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(sc->socket) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, sc->socket);
	return 0;
}

static void span_loop_accept_cb(void *arg, int fd, short revents)
{
	struct span *span = arg;
	struct span_loop *lp = span->priv;
	int cfd = accept4(lp->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	if (lp->fd >= 0) {
		LOGW("span", "span %s: %s: refused a second connection", span->conf.name, span->conf.socket);
		close(cfd);
		return;
	}
	if (span_loop_attach(lp, cfd) == 0)
		LOGN("span", "span %s: %s: connected", span->conf.name, span->conf.socket);
}

static int span_loop_listen(struct span_loop *lp, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &lp->span->conf;
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	rc = span_loop_addr(sc, &sa);
	if (rc < 0)
		return span_be_err(sc, err, errlen, rc, "socket %s: path too long", sc->socket);
	if (lstat(sc->socket, &st) == 0 && !S_ISSOCK(st.st_mode))
		return span_be_err(sc, err, errlen, -EEXIST, "socket %s: exists and is not a socket", sc->socket);
	unlink(sc->socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return span_be_err(sc, err, errlen, -errno, "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		rc = span_be_err(sc, err, errlen, -errno, "socket %s: %s", sc->socket, strerror(errno));
		goto fail;
	}
	rc = ev_fd_add(lp->span->loop, fd, POLLIN, span_loop_accept_cb, lp->span);
	if (rc < 0) {
		span_be_err(sc, err, errlen, rc, "socket %s: %s", sc->socket, strerror(-rc));
		goto fail;
	}
	lp->lfd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

static void span_loop_unlisten(struct span_loop *lp)
{
	if (lp->lfd < 0)
		return;
	ev_fd_del(lp->span->loop, lp->lfd);
	close(lp->lfd);
	unlink(lp->span->conf.socket);
	lp->lfd = -1;
}

/* one attempt; on failure the retry timer is armed */
static int span_loop_connect(struct span_loop *lp)
{
	const struct tdm_span_conf *sc = &lp->span->conf;
	struct sockaddr_un sa;
	int fd, rc = span_loop_addr(sc, &sa);

	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		lp->told_waiting = 0;
		LOGN("span", "span %s: %s: connected", sc->name, sc->socket);
		return span_loop_attach(lp, fd);
	}
	rc = -errno;
	if (fd >= 0)
		close(fd);
	if (!lp->told_waiting++)
		LOGI("span", "span %s: %s: %s; retrying every %d ms", sc->name, sc->socket, strerror(-rc),
		     SPAN_CONNECT_RETRY_MS);
	ev_timer_start(lp->span->loop, &lp->retry, SPAN_CONNECT_RETRY_MS);
	return 0;
}

static void span_loop_retry_cb(void *arg)
{
	struct span_loop *lp = arg;

	if (lp->fd < 0 && !lp->broken)
		span_loop_connect(lp);
}

static int span_loop_start_socket(struct span_loop *lp, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &lp->span->conf;
	int rc;

	if (sc->listen)
		return span_loop_listen(lp, err, errlen);
	rc = span_loop_connect(lp);
	if (rc < 0)
		return span_be_err(sc, err, errlen, rc, "socket %s: %s", sc->socket, strerror(-rc));
	return 0;
}

/* ---- ops ---- */

static int span_loop_open(struct span *span, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;
	struct span_loop *lp;
	int rc;

	if (!sc->peer[0] == !sc->socket[0])
		return span_be_err(sc, err, errlen, -EINVAL, "a loopback span needs either peer or socket");
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return span_be_err(sc, err, errlen, -ENOMEM, "out of memory");
	lp->span = span;
	lp->fd = lp->lfd = -1;
	for (int i = 0; i < TDM_CHANS_MAX; i++)
		lp->bfd[i] = -1;
	ev_timer_init(&lp->retry, span_loop_retry_cb, lp);
	span->priv = lp;
	span->alarm = 1;	/* until joined or connected */
	rc = sc->socket[0] ? span_loop_start_socket(lp, err, errlen) : 0;
	if (rc < 0) {
		ev_timer_stop(span->loop, &lp->retry);
		free(lp);
		span->priv = NULL;
	}
	return rc;
}

static struct span *span_loop_find(struct span *const *all, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (all[i] && !strcmp(all[i]->conf.name, name))
			return all[i];
	return NULL;
}

static int span_loop_check_peer(struct span *span, const struct span *peer, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;

	if (!peer)
		return span_be_err(sc, err, errlen, -EINVAL, "peer %s: no such span", sc->peer);
	if (peer == span)
		return span_be_err(sc, err, errlen, -EINVAL, "peer %s: a span cannot be its own peer", sc->peer);
	if (peer->ops != &span_loop_ops || strcmp(peer->conf.peer, sc->name))
		return span_be_err(sc, err, errlen, -EINVAL, "peer %s: does not name %s as its peer", sc->peer,
				   sc->name);
	return 0;
}

static int span_loop_join(struct span *span, struct span *const *all, size_t n, char *err, size_t errlen)
{
	struct span *peer = span_loop_find(all, n, span->conf.peer);
	struct span_loop *lp = span->priv, *pp;
	struct span_loop_link *link;
	int sv[2], rc;

	if (lp->link || span->conf.socket[0])
		return 0;
	rc = span_loop_check_peer(span, peer, err, errlen);
	if (rc < 0)
		return rc;
	pp = peer->priv;
	link = calloc(1, sizeof(*link));
	if (!link)
		return span_be_err(&span->conf, err, errlen, -ENOMEM, "out of memory");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		free(link);
		return span_be_err(&span->conf, err, errlen, -errno, "socketpair: %s", strerror(errno));
	}
	link->end[0] = lp;
	link->end[1] = pp;
	lp->link = pp->link = link;
	lp->side = 0;
	pp->side = 1;
	rc = span_loop_attach(lp, sv[0]);
	if (rc < 0) {
		close(sv[1]);
		return span_be_err(&span->conf, err, errlen, rc, "event loop: %s", strerror(-rc));
	}
	rc = span_loop_attach(pp, sv[1]);
	if (rc < 0)
		return span_be_err(&span->conf, err, errlen, rc, "event loop: %s", strerror(-rc));
	return 0;
}

static void span_loop_close(struct span *span)
{
	struct span_loop *lp = span->priv;

	if (!lp)
		return;
	span_loop_detach(lp);
	span_loop_unlisten(lp);
	ev_timer_stop(span->loop, &lp->retry);
	for (int i = 0; i < TDM_CHANS_MAX; i++)
		if (lp->bfd[i] >= 0)
			close(lp->bfd[i]);
	if (lp->link) {
		lp->link->end[lp->side] = NULL;
		if (!lp->link->end[!lp->side])
			free(lp->link);
	}
	free(lp);
	span->priv = NULL;
}

/* in one process: both ends follow the cut; an end whose peer is gone stays in alarm */
static int span_loop_break_link(struct span_loop *lp, int broken)
{
	struct span_loop_link *link = lp->link;

	if (!link)
		return -ENOTCONN;
	link->broken = broken;
	LOGN("span", "span %s: line %s", lp->span->conf.name, broken ? "cut" : "restored");
	for (int s = 0; s < 2; s++) {
		struct span_loop *e = link->end[s];

		if (!e)
			continue;
		for (int n = span_loop_drain(e->fd); n > 0; n--)
			span_be_rx_dropped(e->span, "line cut");
		span_be_alarm(e->span, broken || e->fd < 0 || !link->end[!s]);
	}
	return 0;
}

/* across processes: hang up and stop listening or connecting; restore starts again */
static int span_loop_break_socket(struct span_loop *lp, int broken)
{
	char err[256];
	int rc = 0;

	if (lp->broken == broken)
		return 0;
	lp->broken = broken;
	LOGN("span", "span %s: line %s", lp->span->conf.name, broken ? "cut" : "restored");
	if (broken) {
		span_loop_detach(lp);
		span_loop_unlisten(lp);
		ev_timer_stop(lp->span->loop, &lp->retry);
		span_be_alarm(lp->span, 1);
		return 0;
	}
	rc = span_loop_start_socket(lp, err, sizeof(err));
	if (rc < 0)
		LOGE("span", "%s", err);
	return rc;
}

static int span_loop_set_broken(struct span *span, int broken)
{
	struct span_loop *lp = span->priv;

	return span->conf.socket[0] ? span_loop_break_socket(lp, broken) : span_loop_break_link(lp, broken);
}

static int span_loop_chan_index(const struct span *span, int chan)
{
	for (int i = 0; i < span->conf.nbchan && i < TDM_CHANS_MAX; i++)
		if (span->conf.bchan[i] == chan)
			return i;
	return -1;
}

static int span_loop_bearer_open(struct span *span, int idx)
{
	struct span_loop *lp = span->priv, *pp;
	int chan = span->conf.bchan[idx], pidx, sv[2];

	if (span->conf.socket[0])
		return -ENOTSUP;
	if (lp->bfd[idx] >= 0) {
		span_loop_drain(lp->bfd[idx]);
		return lp->bfd[idx];
	}
	pp = lp->link ? lp->link->end[!lp->side] : NULL;
	if (!pp)
		return -ENOTCONN;
	pidx = span_loop_chan_index(pp->span, chan);
	if (pidx < 0) {
		LOGW("span", "span %s: channel %d: not a bearer channel of peer %s", span->conf.name, chan,
		     pp->span->conf.name);
		return -EINVAL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	span_loop_sndbuf(sv[0]);
	span_loop_sndbuf(sv[1]);
	lp->bfd[idx] = sv[0];
	pp->bfd[pidx] = sv[1];
	return sv[0];
}

static void span_loop_bearer_close(struct span *span, int idx)
{
	/* the pair stays for the next call on this channel; span_loop_close closes it */
}

const struct span_ops span_loop_ops = {
	.name = "loopback",
	.paced = 1,
	.open = span_loop_open,
	.join = span_loop_join,
	.close = span_loop_close,
	.send_raw = span_loop_send_raw,
	.bearer_open = span_loop_bearer_open,
	.bearer_close = span_loop_bearer_close,
	.set_broken = span_loop_set_broken,
};
