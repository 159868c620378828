/*
 * sip_tp.c - SIP transports (RFC 3261 section 18): UDP, TCP and TLS (OpenSSL) on the event loop.
 *
 * UDP: one socket, the listener; one datagram is one message (18.3 does not apply).  TCP/TLS: one
 * struct tp_conn per connection with a receive buffer cut into messages by the end of the headers
 * and Content-Length (18.3), and a bounded send queue.  Outgoing connections are non-blocking:
 * data is queued until the connect and, for TLS, the handshake are done.  RFC 5626 section 4.4.1
 * keep-alives: a CRLFCRLF ping is answered with a CRLF pong; lone CRLFs are skipped.
 *
 * A connection being dispatched (its receive callback running) is marked busy: closing it then only
 * detaches it (socket closed, watcher and timer removed, unlinked), and the dispatcher frees it.
 * Failures found inside sip_tp_send are reported through the connection's timer on the next loop
 * round, so callbacks never run inside sip_tp_send.
 *
 * When the error callback runs: a connect or TLS handshake that fails (always); a connection that
 * fails or is reset with data still queued, or before a message came in on it; an outgoing
 * connection closed by the peer before any answer.  A clean close by the peer after messages, an
 * idle close and a close for room are only logged.  Messages handed to the receive callback are
 * followed by a NUL (msg[len] == 0).  Callbacks must not call sip_tp_free.
 *
 * TLS: TLS 1.2 at least.  verify_client OPTIONAL asks for a client certificate; one that is given
 * and does not verify fails the handshake like REQUIRE.  Outgoing TLS needs no TLS listener: the
 * client context exists when tls-ca or a certificate is configured; TCP needs no TCP listener.
 *
 * SIGPIPE: OpenSSL writes to the socket with write(2); sip_tp_new ignores SIGPIPE when its
 * disposition is still the default.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "sip_tp.h"

#define TP_WQ_MAX (256 * 1024)		/* bytes queued per connection */
#define TP_WBUF_KEEP (64 * 1024)	/* a send buffer larger than this is freed once empty */
#define TP_RBUF_MIN 4096
#define TP_RBUF_MAX (SIP_TP_MSG_MAX + 1)	/* a partial message this long is over the limit */
#define TP_CONNECT_MS 30000		/* connect + TLS handshake, at most (and at most idle_ms) */
#define TP_IDLE_MS 300000
#define TP_BURST 32			/* reads / accepts per event */
#define TP_TLS_CHUNK 16384

#define CAT "sip"

enum tp_state {
	TP_CONNECTING = 0,	/* non-blocking connect in progress */
	TP_HANDSHAKE,		/* TLS handshake in progress */
	TP_OPEN,
};

struct sip_tp;

struct tp_listener {
	struct sip_tp *tp;
	int proto;
	int fd;			/* -1: none */
	char ip[64];
	int port;
};

struct tp_conn {
	struct sip_tp *tp;
	struct tp_conn *next;
	int id, fd, proto, state, outgoing;
	char ip[64];
	int port;
	char peer[80];			/* "ip:port" for logs */
	char expect[GW_HOST_MAX];	/* TLS client: the name the server certificate must carry */
	SSL *ssl;
	int want_write;			/* the last TLS operation waits for POLLOUT */
	int verified;
	char name[GW_HOST_MAX];
	char *rbuf;			/* rcap + 1 bytes (room for a NUL after a message) */
	size_t rlen, rcap;
	char *wbuf;
	size_t woff, wlen, wcap;
	uint64_t start_us, last_us;
	unsigned long nrecv;		/* messages received */
	int pending_err;		/* a failure to report from the timer */
	int busy, dead;
	int tls_fatal;			/* a fatal TLS error: no close_notify */
	char why[160];			/* the TLS error text of the last failure */
	struct ev_timer timer;
};

struct sip_tp {
	struct ev_loop *loop;
	sip_tp_recv_cb recv;
	sip_tp_error_cb error;
	void *arg;
	struct tp_listener lis[GW_PROTO_COUNT];
	SSL_CTX *srv_ctx, *cli_ctx;
	struct tp_conn *conns;
	size_t nconns;
	int next_id;
	int idle_ms;
	char *ubuf;			/* UDP receive buffer, SIP_TP_MSG_MAX + 1 */
};

#define CLOG(lvl, c, fmt, ...) log_write(lvl, CAT, "%s conn %d %s: " fmt, tp_proto_name((c)->proto), (c)->id, \
					 (c)->peer, ##__VA_ARGS__)

static void conn_event(void *arg, int fd, short revents);
static void conn_timer(void *arg);

static const char *tp_proto_name(int proto)
{
	static const char *const names[GW_PROTO_COUNT] = { "udp", "tcp", "tls" };

	return proto >= 0 && proto < GW_PROTO_COUNT ? names[proto] : "?";
}

/* ---- addresses ---- */

int sip_tp_sockaddr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char buf[64];
	size_t n = strlen(ip);

	if (port < 0 || port > 65535 || n == 0 || n >= sizeof(buf))
		return -EINVAL;
	if (ip[0] == '[') {
		if (n < 3 || ip[n - 1] != ']')
			return -EINVAL;
		memcpy(buf, ip + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, ip, n + 1);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* "ip:port" or "[ip6]:port" -> socket address */
static int tp_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	const char *colon = strrchr(s, ':');
	char ip[64], *end;
	long port;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(ip) || !colon[1])
		return -EINVAL;
	if (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)))
		return -EINVAL;		/* IPv6 without brackets */
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 0 || port > 65535)
		return -EINVAL;
	return sip_tp_sockaddr(ip, (int)port, ss, sl);
}

void sip_tp_addr_text(const struct sockaddr_storage *ss, char *ip, size_t iplen, int *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)iplen);
		*port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in4->sin_addr, ip, (socklen_t)iplen);
		*port = ntohs(in4->sin_port);
	}
}

static void tp_peer_text(const char *ip, int port, char *out, size_t len)
{
	snprintf(out, len, strchr(ip, ':') ? "[%s]:%d" : "%s:%d", ip, port);
}

/* ---- TLS contexts ---- */

/* the OpenSSL error text of the oldest queued error (the queue is cleared) */
static const char *tls_errtext(char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, len, "%s", r ? r : "unknown TLS error");
	ERR_clear_error();
	return buf;
}

static int tls_file_err(const char *key, const char *path, char *err, size_t errlen)
{
	char why[128];

	if (access(path, R_OK) < 0)
		snprintf(err, errlen, "sip: %s %s: %s", key, path, strerror(errno));
	else
		snprintf(err, errlen, "sip: %s %s: %s", key, path, tls_errtext(why, sizeof(why)));
	ERR_clear_error();
	return -EINVAL;
}

static int tls_load_identity(SSL_CTX *ctx, const struct sip_tp_conf *conf, char *err, size_t errlen)
{
	if (!conf->tls_cert[0] && !conf->tls_key[0])
		return 0;
	if (!conf->tls_cert[0] || !conf->tls_key[0]) {
		snprintf(err, errlen, "sip: tls-cert and tls-key go together");
		return -EINVAL;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, conf->tls_cert) != 1)
		return tls_file_err("tls-cert", conf->tls_cert, err, errlen);
	if (SSL_CTX_use_PrivateKey_file(ctx, conf->tls_key, SSL_FILETYPE_PEM) != 1)
		return tls_file_err("tls-key", conf->tls_key, err, errlen);
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "sip: tls-key %s: does not match tls-cert %s", conf->tls_key, conf->tls_cert);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static int tls_load_ca(SSL_CTX *ctx, const struct sip_tp_conf *conf, int server, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names;

	if (!conf->tls_ca[0]) {
		SSL_CTX_set_default_verify_paths(ctx);
		return 0;
	}
	if (SSL_CTX_load_verify_locations(ctx, conf->tls_ca, NULL) != 1)
		return tls_file_err("tls-ca", conf->tls_ca, err, errlen);
	if (server && conf->verify_client != GW_TLS_VERIFY_NONE) {
		names = SSL_load_client_CA_file(conf->tls_ca);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	ERR_clear_error();
	return 0;
}

static int tls_verify_mode(int verify_client)
{
	switch (verify_client) {
	case GW_TLS_VERIFY_OPTIONAL:
		return SSL_VERIFY_PEER;		/* asked for; one that does not verify fails the handshake */
	case GW_TLS_VERIFY_REQUIRE:
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	default:
		return SSL_VERIFY_NONE;
	}
}

static int tls_ctx_new(const struct sip_tp_conf *conf, int server, SSL_CTX **out, char *err, size_t errlen)
{
	static const unsigned char sid[] = "gwd-sip";
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	int rc;

	if (!ctx) {
		snprintf(err, errlen, "sip: TLS context: out of memory");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	rc = tls_load_identity(ctx, conf, err, errlen);
	if (!rc)
		rc = tls_load_ca(ctx, conf, server, err, errlen);
	if (rc) {
		SSL_CTX_free(ctx);
		return rc;
	}
	if (server) {
		SSL_CTX_set_verify(ctx, tls_verify_mode(conf->verify_client), NULL);
		SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
		SSL_CTX_set_num_tickets(ctx, 0);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	*out = ctx;
	return 0;
}

static int tls_setup(struct sip_tp *tp, const struct sip_tp_conf *conf, char *err, size_t errlen)
{
	int rc;

	if (conf->listen[GW_PROTO_TLS][0]) {
		if (!conf->tls_cert[0] || !conf->tls_key[0]) {
			snprintf(err, errlen, "sip: tls listener %s needs tls-cert and tls-key",
				 conf->listen[GW_PROTO_TLS]);
			return -EINVAL;
		}
		rc = tls_ctx_new(conf, 1, &tp->srv_ctx, err, errlen);
		if (rc)
			return rc;
	}
	if (conf->listen[GW_PROTO_TLS][0] || conf->tls_ca[0] || conf->tls_cert[0])
		return tls_ctx_new(conf, 0, &tp->cli_ctx, err, errlen);
	return 0;
}

/* ---- connections: life ---- */

static struct tp_conn *conn_by_id(const struct sip_tp *tp, int id)
{
	for (struct tp_conn *c = tp->conns; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static int conn_next_id(struct sip_tp *tp)
{
	do {
		tp->next_id = tp->next_id >= INT_MAX || tp->next_id < 1 ? 1 : tp->next_id + 1;
	} while (conn_by_id(tp, tp->next_id));
	return tp->next_id;
}

static void conn_free(struct tp_conn *c)
{
	SSL_free(c->ssl);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

/* detach c: socket closed, unlinked; freed unless its dispatcher (busy) is still running */
static void conn_close(struct tp_conn *c)
{
	struct sip_tp *tp = c->tp;

	if (c->dead)
		return;
	c->dead = 1;
	if (c->ssl && c->state == TP_OPEN && !c->tls_fatal) {
		ERR_clear_error();
		SSL_shutdown(c->ssl);	/* close_notify, best effort */
		ERR_clear_error();
	}
	ev_timer_stop(tp->loop, &c->timer);
	ev_fd_del(tp->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	for (struct tp_conn **pp = &tp->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			tp->nconns--;
			break;
		}
	if (!c->busy)
		conn_free(c);
}

/* close c; the error callback runs when report is set */
static void conn_fail(struct tp_conn *c, int err, int report)
{
	struct sip_tp *tp = c->tp;
	int id = c->id;

	if (report)
		CLOG(LOG_LVL_WARN, c, "failed: %s%s%s", strerror(-err), c->why[0] ? ": " : "", c->why);
	else
		CLOG(LOG_LVL_INFO, c, "closed: %s", strerror(-err));
	conn_close(c);
	if (report && tp->error)
		tp->error(tp->arg, id, err);
}

static int conn_queued(const struct tp_conn *c)
{
	return c->wlen > c->woff;
}

/* which of two idle connections to give up first: an accepted one before one of ours (a flood of
 * clients must not cut us off from our peers), then the older */
static int conn_before(const struct tp_conn *a, const struct tp_conn *b)
{
	if (a->outgoing != b->outgoing)
		return !a->outgoing;
	return a->last_us < b->last_us;
}

/* make room for one more connection by closing the oldest idle one (open, nothing queued, not being
 * dispatched), accepted connections first: 0, or -EMFILE when there is none */
static int conn_make_room(struct sip_tp *tp)
{
	struct tp_conn *old = NULL;

	if (tp->nconns < SIP_TP_CONNS_MAX)
		return 0;
	for (struct tp_conn *c = tp->conns; c; c = c->next)
		if (c->state == TP_OPEN && !conn_queued(c) && !c->busy && (!old || conn_before(c, old)))
			old = c;
	if (!old)
		return -EMFILE;
	CLOG(LOG_LVL_NOTICE, old, "closed: the oldest idle of %d connections", SIP_TP_CONNS_MAX);
	conn_close(old);
	return 0;
}

static int conn_tls_start(struct tp_conn *c)
{
	SSL_CTX *ctx = c->outgoing ? c->tp->cli_ctx : c->tp->srv_ctx;
	X509_VERIFY_PARAM *param;
	unsigned char bin[16];
	int ip;

	c->ssl = ctx ? SSL_new(ctx) : NULL;
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
		return -ENOMEM;
	if (!c->outgoing) {
		SSL_set_accept_state(c->ssl);
		return 0;
	}
	SSL_set_connect_state(c->ssl);
	param = SSL_get0_param(c->ssl);
	ip = inet_pton(AF_INET, c->expect, bin) == 1 || inet_pton(AF_INET6, c->expect, bin) == 1;
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, c->expect) != 1 :
		 X509_VERIFY_PARAM_set1_host(param, c->expect, 0) != 1)
		return -EINVAL;
	if (!ip)
		SSL_set_tlsext_host_name(c->ssl, c->expect);
	return 0;
}

/* a connection object for fd (taken: closed on failure) */
static int conn_new(struct sip_tp *tp, int proto, int fd, const struct sockaddr_storage *ss, int outgoing,
		    struct tp_conn **out)
{
	struct tp_conn *c;
	int rc;

	rc = conn_make_room(tp);
	c = rc ? NULL : calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return rc ? rc : -ENOMEM;
	}
	c->tp = tp;
	c->fd = fd;
	c->proto = proto;
	c->outgoing = outgoing;
	c->id = conn_next_id(tp);
	c->start_us = c->last_us = ev_now_us();
	sip_tp_addr_text(ss, c->ip, sizeof(c->ip), &c->port);
	tp_peer_text(c->ip, c->port, c->peer, sizeof(c->peer));
	ev_timer_init(&c->timer, conn_timer, c);
	rc = ev_fd_add(tp->loop, fd, POLLIN, conn_event, c);
	if (rc) {
		close(fd);
		free(c);
		return rc;
	}
	c->next = tp->conns;
	tp->conns = c;
	tp->nconns++;
	ev_timer_start(tp->loop, &c->timer, (uint64_t)(tp->idle_ms < TP_CONNECT_MS ? tp->idle_ms : TP_CONNECT_MS));
	*out = c;
	return 0;
}

/* report err on the next loop round (from inside sip_tp_send) */
static void conn_defer_fail(struct tp_conn *c, int err)
{
	if (!c->pending_err)
		c->pending_err = err;
	ev_timer_start(c->tp->loop, &c->timer, 0);
}

static void conn_update_events(struct tp_conn *c)
{
	short ev = POLLIN;

	if (c->state == TP_CONNECTING)
		ev = POLLOUT;
	else if (c->want_write || (c->proto == GW_PROTO_TCP && c->state == TP_OPEN && conn_queued(c)))
		ev |= POLLOUT;
	ev_fd_mod(c->tp->loop, c->fd, ev);
}

static void conn_timer(void *arg)
{
	struct tp_conn *c = arg;
	uint64_t now = ev_now_us(), limit_ms, since;

	if (c->pending_err) {
		conn_fail(c, c->pending_err, 1);
		return;
	}
	if (c->state == TP_OPEN) {
		limit_ms = (uint64_t)c->tp->idle_ms;
		since = c->last_us;
	} else {
		limit_ms = (uint64_t)(c->tp->idle_ms < TP_CONNECT_MS ? c->tp->idle_ms : TP_CONNECT_MS);
		since = c->start_us;
	}
	if (now - since < limit_ms * 1000) {
		ev_timer_start_us(c->tp->loop, &c->timer, limit_ms * 1000 - (now - since));
		return;
	}
	if (c->state == TP_OPEN && !conn_queued(c)) {
		CLOG(LOG_LVL_INFO, c, "closed: idle for %d ms", c->tp->idle_ms);
		conn_close(c);
		return;
	}
	conn_fail(c, -ETIMEDOUT, 1);	/* connect or handshake too slow, or the peer does not read */
}

/* ---- connections: TLS ---- */

static int tls_reason_rejected(int reason)
{
	switch (reason) {
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return 1;
	default:
		return 0;
	}
}

/* a TLS operation returned r: 0 to wait (want_write set as needed), 1 on a clean end, -errno */
static int tls_result(struct tp_conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r), reason, saved = errno;
	unsigned long code;
	long vr;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = 1;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		return 1;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		c->tls_fatal = 1;
		return saved && saved != EAGAIN ? -saved : -ECONNRESET;
	default:
		c->tls_fatal = 1;
		break;
	}
	code = ERR_peek_error();
	reason = ERR_GET_REASON(code);
	vr = SSL_get_verify_result(c->ssl);
	tls_errtext(c->why, sizeof(c->why));
	if (vr != X509_V_OK) {
		size_t n = strlen(c->why);

		snprintf(c->why + n, sizeof(c->why) - n, " (%s)", X509_verify_cert_error_string(vr));
	}
	if (vr != X509_V_OK || tls_reason_rejected(reason))
		return -EKEYREJECTED;
	if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return c->state == TP_OPEN ? 1 : -ECONNRESET;
	return -EPROTO;
}

/* the subject CN, or else the first DNS subjectAltName, of the peer's certificate */
static void tls_cert_name(X509 *cert, char *out, size_t len)
{
	X509_NAME *subj = X509_get_subject_name(cert);
	int i = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1) : -1;
	GENERAL_NAMES *alt;
	unsigned char *utf = NULL;
	int n = -1;

	if (i >= 0)
		n = ASN1_STRING_to_UTF8(&utf, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)));
	if (n < 0 && (alt = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL))) {
		for (i = 0; i < sk_GENERAL_NAME_num(alt) && n < 0; i++) {
			GENERAL_NAME *g = sk_GENERAL_NAME_value(alt, i);

			if (g->type == GEN_DNS)
				n = ASN1_STRING_to_UTF8(&utf, g->d.dNSName);
		}
		GENERAL_NAMES_free(alt);
	}
	out[0] = '\0';
	if (n > 0 && (size_t)n < len && strlen((char *)utf) == (size_t)n)
		memcpy(out, utf, (size_t)n + 1);
	OPENSSL_free(utf);
}

static void conn_tls_done(struct tp_conn *c)
{
	X509 *cert = SSL_get1_peer_certificate(c->ssl);

	if (cert && SSL_get_verify_result(c->ssl) == X509_V_OK) {
		c->verified = 1;
		tls_cert_name(cert, c->name, sizeof(c->name));
	}
	c->state = TP_OPEN;
	CLOG(LOG_LVL_INFO, c, "%s established, peer certificate %s%s", SSL_get_version(c->ssl),
	     c->verified ? "verified: " : (cert ? "not verified" : "none"), c->name);
	X509_free(cert);
}

static int conn_handshake(struct tp_conn *c)
{
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		conn_tls_done(c);
		return 0;
	}
	r = tls_result(c, r);
	return r == 1 ? -ECONNRESET : r;
}

/* ---- connections: sending ---- */

static int conn_queue(struct tp_conn *c, const char *data, size_t len)
{
	size_t pending = c->wlen - c->woff;

	if (pending + len > TP_WQ_MAX)
		return -ENOBUFS;
	if (c->woff && c->wlen + len > c->wcap) {
		memmove(c->wbuf, c->wbuf + c->woff, pending);
		c->woff = 0;
		c->wlen = pending;
	}
	if (c->wlen + len > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 4096;
		char *p;

		while (cap < c->wlen + len)
			cap *= 2;
		p = realloc(c->wbuf, cap);
		if (!p)
			return -ENOMEM;
		c->wbuf = p;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, data, len);
	c->wlen += len;
	return 0;
}

/* one write of the queue's head: bytes written (> 0), 0 to wait, -errno */
static ssize_t conn_write_some(struct tp_conn *c)
{
	size_t n = c->wlen - c->woff;
	ssize_t w;
	int r;

	if (!c->ssl) {
		w = send(c->fd, c->wbuf + c->woff, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		return w;
	}
	ERR_clear_error();
	r = SSL_write(c->ssl, c->wbuf + c->woff, (int)(n < TP_TLS_CHUNK ? n : TP_TLS_CHUNK));
	if (r > 0)
		return r;
	r = tls_result(c, r);
	return r == 1 ? -ECONNRESET : r;
}

/* write what the socket takes: 0 (done or waiting) or -errno */
static int conn_flush(struct tp_conn *c)
{
	while (conn_queued(c)) {
		ssize_t w = conn_write_some(c);

		if (w <= 0)
			return (int)w;
		c->woff += (size_t)w;
		c->last_us = ev_now_us();
	}
	c->woff = c->wlen = 0;
	if (c->wcap > TP_WBUF_KEEP) {	/* a burst is over: give the memory back */
		free(c->wbuf);
		c->wbuf = NULL;
		c->wcap = 0;
	}
	return 0;
}

/* flush from sip_tp_send: failures reported on the next round */
static void conn_kick(struct tp_conn *c)
{
	int r;

	if (c->state != TP_OPEN || c->busy)
		return;		/* the dispatcher of c flushes when it is done */
	r = conn_flush(c);
	if (r < 0)
		conn_defer_fail(c, r);
	else
		conn_update_events(c);
}

/* ---- connections: receiving ---- */

static int tp_is_crlf(char ch)
{
	return ch == '\r' || ch == '\n';
}

/* the value of a Content-Length header: -EBADMSG unless digits (surrounded by blanks) */
static long tp_parse_length(const char *v, const char *end)
{
	long n = 0;
	int digits = 0;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	for (; v < end && *v >= '0' && *v <= '9'; v++, digits++) {
		n = n * 10 + (*v - '0');
		if (n > SIP_TP_MSG_MAX)
			return -EMSGSIZE;
	}
	while (v < end && (*v == ' ' || *v == '\t' || *v == '\r'))
		v++;
	return digits && v == end ? n : -EBADMSG;
}

/* the header line at p, its name ending at colon, is Content-Length (or its compact form "l") */
static int tp_is_length_header(const char *p, const char *colon)
{
	size_t n;

	if (*p == ' ' || *p == '\t')
		return 0;		/* a continuation line */
	while (colon > p && (colon[-1] == ' ' || colon[-1] == '\t'))
		colon--;
	n = (size_t)(colon - p);
	return (n == 14 && !strncasecmp(p, "Content-Length", 14)) || (n == 1 && (*p == 'l' || *p == 'L'));
}

/* Content-Length from the header block hdr (the start line skipped): >= 0, -EBADMSG, -EMSGSIZE */
static long tp_content_length(const char *hdr, size_t len)
{
	const char *p = memchr(hdr, '\n', len), *end = hdr + len;
	long found = -1;

	while (p && ++p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon;

		eol = eol ? eol : end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon && tp_is_length_header(p, colon)) {
			long n = tp_parse_length(colon + 1, eol);

			if (n < 0 || (found >= 0 && n != found))
				return n < 0 ? n : -EBADMSG;
			found = n;
		}
		p = eol < end ? eol : NULL;
	}
	return found < 0 ? 0 : found;
}

/* the length of the message at the head of buf: 1 with *mlen, 0 for more bytes, -EMSGSIZE, -EBADMSG */
static int tp_frame(const char *buf, size_t len, size_t *mlen)
{
	size_t hdr = 0;
	long body;

	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++) {
		size_t i = (size_t)(p - buf) + 1;

		if (i < len && buf[i] == '\n') {
			hdr = i + 1;
			break;
		}
		if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n') {
			hdr = i + 2;
			break;
		}
	}
	if (!hdr)
		return len > SIP_TP_MSG_MAX ? -EMSGSIZE : 0;
	body = tp_content_length(buf, hdr);
	if (body < 0)
		return (int)body;
	if (hdr + (size_t)body > SIP_TP_MSG_MAX)
		return -EMSGSIZE;
	if (hdr + (size_t)body > len)
		return 0;
	*mlen = hdr + (size_t)body;
	return 1;
}

static void conn_deliver(struct tp_conn *c, char *msg, size_t len)
{
	struct sip_tp_src src = { .proto = c->proto, .port = c->port, .conn = c->id, .tls_verified = c->verified };
	char saved = msg[len];

	snprintf(src.ip, sizeof(src.ip), "%s", c->ip);
	snprintf(src.tls_name, sizeof(src.tls_name), "%s", c->name);
	c->nrecv++;
	CLOG(LOG_LVL_DEBUG, c, "received %zu bytes", len);
	msg[len] = '\0';
	c->tp->recv(c->tp->arg, msg, len, &src);
	msg[len] = saved;
}

/* skip keep-alive CRLFs at the head of buf; a CRLFCRLF ping is answered.  Bytes consumed, or 0
 * when buf is a lone CR waiting for its LF. */
static size_t conn_keepalive(struct tp_conn *c, const char *buf, size_t len)
{
	size_t n = 0, lfs = 0;

	while (n < len && tp_is_crlf(buf[n]))
		lfs += buf[n++] == '\n';
	if (lfs >= 2) {
		CLOG(LOG_LVL_DEBUG, c, "keep-alive ping");
		if (!conn_queue(c, "\r\n", 2))
			conn_kick(c);
		return n;
	}
	if (n < len)
		return n;		/* CRLF before a message */
	return lfs ? n : 0;		/* a pong, or a CR waiting for its LF */
}

/* cut rbuf into messages; 0 or -EMSGSIZE / -EBADMSG (framing) */
static int conn_parse(struct tp_conn *c)
{
	size_t off = 0, mlen = 0;
	int r = 0;

	while (off < c->rlen && !c->dead) {
		size_t skip = conn_keepalive(c, c->rbuf + off, c->rlen - off);

		off += skip;
		if (off == c->rlen || (!skip && tp_is_crlf(c->rbuf[off])))
			break;
		r = tp_frame(c->rbuf + off, c->rlen - off, &mlen);
		if (r <= 0)
			break;
		conn_deliver(c, c->rbuf + off, mlen);
		off += mlen;
		r = 0;
	}
	if (off && !c->dead) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	return r < 0 ? r : 0;
}

/* one read into rbuf: bytes (> 0), 0 to wait, -ENODATA at the end of the stream, -errno */
static ssize_t conn_read_some(struct tp_conn *c)
{
	size_t room;
	ssize_t n;
	int r;

	if (c->rlen == c->rcap) {
		size_t cap = c->rcap ? c->rcap * 2 : TP_RBUF_MIN;
		char *p;

		cap = cap > TP_RBUF_MAX ? TP_RBUF_MAX : cap;
		if (cap == c->rcap)
			return -EMSGSIZE;
		p = realloc(c->rbuf, cap + 1);
		if (!p)
			return -ENOMEM;
		c->rbuf = p;
		c->rcap = cap;
	}
	room = c->rcap - c->rlen;
	if (!c->ssl) {
		n = recv(c->fd, c->rbuf + c->rlen, room, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		return n ? n : -ENODATA;
	}
	ERR_clear_error();
	r = SSL_read(c->ssl, c->rbuf + c->rlen, (int)room);
	if (r > 0)
		return r;
	r = tls_result(c, r);
	return r == 1 ? -ENODATA : r;
}

/* read and dispatch what the socket has: 0, -ENODATA (end of stream), -errno */
static int conn_read(struct tp_conn *c)
{
	for (int i = 0; i < TP_BURST || (c->ssl && SSL_pending(c->ssl) > 0); i++) {
		ssize_t n = conn_read_some(c);
		int r;

		if (n <= 0)
			return (int)n;
		c->rlen += (size_t)n;
		c->last_us = ev_now_us();
		r = conn_parse(c);
		if (r < 0 || c->dead)
			return r;
	}
	return 0;
}

/* ---- connections: events ---- */

static int conn_connected(struct tp_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		return -err;
	c->state = c->ssl ? TP_HANDSHAKE : TP_OPEN;
	CLOG(LOG_LVL_DEBUG, c, "connected");
	return 0;
}

/* close c after a failure r in its dispatcher, reporting it when something is lost */
static void conn_event_fail(struct tp_conn *c, int r, int was_open)
{
	if (!was_open) {
		conn_fail(c, r, 1);			/* connect, handshake */
	} else if (r == -ENODATA && !conn_queued(c) && (!c->outgoing || c->nrecv)) {
		CLOG(LOG_LVL_INFO, c, "closed by the peer");
		conn_close(c);
	} else if (r == -ENODATA) {
		conn_fail(c, -ECONNRESET, 1);
	} else if (r == -EMSGSIZE || r == -EBADMSG) {
		CLOG(LOG_LVL_WARN, c, "%s, closing", r == -EMSGSIZE ? "message over the size limit" :
		     "bad Content-Length");
		conn_fail(c, r, conn_queued(c));
	} else {
		conn_fail(c, r, conn_queued(c) || !c->nrecv);
	}
}

static void conn_event(void *arg, int fd, short revents)
{
	struct tp_conn *c = arg;
	int r = 0, was_open = c->state == TP_OPEN;

	c->busy++;
	c->want_write = 0;	/* set again by the operation that still needs POLLOUT */
	if (c->state == TP_CONNECTING)
		r = conn_connected(c);
	if (!r && c->state == TP_HANDSHAKE)
		r = conn_handshake(c);
	if (!r && c->state == TP_OPEN) {
		was_open = 1;
		r = conn_flush(c);
		if (!r)
			r = conn_read(c);
		if (!r && !c->dead)
			r = conn_flush(c);	/* what the receive callback queued */
	}
	if (r < 0 && !c->dead)
		conn_event_fail(c, r, was_open);
	c->busy--;
	if (c->dead) {
		if (!c->busy)
			conn_free(c);
		return;
	}
	conn_update_events(c);
}

/* ---- listeners ---- */

static void udp_deliver(struct sip_tp *tp, size_t len, const struct sockaddr_storage *ss)
{
	struct sip_tp_src src = { .proto = GW_PROTO_UDP };
	size_t i;

	sip_tp_addr_text(ss, src.ip, sizeof(src.ip), &src.port);
	if (len > SIP_TP_MSG_MAX) {
		LOGW(CAT, "udp %s:%d: datagram over %d bytes dropped", src.ip, src.port, SIP_TP_MSG_MAX);
		return;
	}
	for (i = 0; i < len && (tp_is_crlf(tp->ubuf[i]) || tp->ubuf[i] == ' '); i++)
		;
	if (i == len)
		return;		/* keep-alive */
	tp->ubuf[len] = '\0';
	tp->recv(tp->arg, tp->ubuf, len, &src);
}

static void udp_event(void *arg, int fd, short revents)
{
	struct tp_listener *l = arg;

	for (int i = 0; i < TP_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(fd, l->tp->ubuf, SIP_TP_MSG_MAX + 1, MSG_TRUNC | MSG_DONTWAIT,
				     (struct sockaddr *)&ss, &sl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				LOGD(CAT, "udp %s:%d: %s", l->ip, l->port, strerror(errno));
			return;
		}
		udp_deliver(l->tp, (size_t)n, &ss);
	}
}

static void accept_event(void *arg, int lfd, short revents)
{
	struct tp_listener *l = arg;
	const char *name = tp_proto_name(l->proto);

	for (int i = 0; i < TP_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct tp_conn *c;
		int one = 1, fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC), r;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				LOGW(CAT, "%s %s:%d: accept: %s", name, l->ip, l->port, strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		r = conn_new(l->tp, l->proto, fd, &ss, 0, &c);
		if (r) {
			LOGW(CAT, "%s %s:%d: connection refused: %s", name, l->ip, l->port, strerror(-r));
			continue;
		}
		c->state = l->proto == GW_PROTO_TLS ? TP_HANDSHAKE : TP_OPEN;
		CLOG(LOG_LVL_INFO, c, "accepted");
		if (c->state == TP_HANDSHAKE && conn_tls_start(c))
			conn_fail(c, -ENOMEM, 0);
	}
}

static int listener_open(struct sip_tp *tp, int proto, const char *addr, char *err, size_t errlen)
{
	struct tp_listener *l = &tp->lis[proto];
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, stream = proto != GW_PROTO_UDP, rc;

	if (tp_parse_addr(addr, &ss, &sl)) {
		snprintf(err, errlen, "sip: %s listen address '%s': ip:port expected", tp_proto_name(proto), addr);
		return -EINVAL;
	}
	l->fd = socket(ss.ss_family, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&ss, sl) < 0 || (stream && listen(l->fd, 128) < 0))
		goto fail;
	sl = sizeof(ss);
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	sip_tp_addr_text(&ss, l->ip, sizeof(l->ip), &l->port);
	rc = ev_fd_add(tp->loop, l->fd, POLLIN, stream ? accept_event : udp_event, l);
	if (rc) {
		snprintf(err, errlen, "sip: %s listen %s: %s", tp_proto_name(proto), addr, strerror(-rc));
		return rc;
	}
	LOGN(CAT, "%s listening on %s:%d", tp_proto_name(proto), l->ip, l->port);
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "sip: %s listen %s: %s", tp_proto_name(proto), addr, strerror(errno));
	return rc;
}

/* ---- the public interface ---- */

static void tp_ignore_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL && !(sa.sa_flags & SA_SIGINFO)) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
}

int sip_tp_new(struct ev_loop *loop, const struct sip_tp_conf *conf, sip_tp_recv_cb recv, sip_tp_error_cb error,
	       void *arg, struct sip_tp **out, char *errbuf, size_t errlen)
{
	struct sip_tp *tp = calloc(1, sizeof(*tp));
	int rc = -ENOMEM;

	if (errlen)
		errbuf[0] = '\0';
	if (!tp) {
		snprintf(errbuf, errlen, "sip: out of memory");
		return rc;
	}
	for (int p = 0; p < GW_PROTO_COUNT; p++)
		tp->lis[p] = (struct tp_listener){ .tp = tp, .proto = p, .fd = -1 };
	tp->ubuf = malloc(SIP_TP_MSG_MAX + 2);
	if (!tp->ubuf) {
		snprintf(errbuf, errlen, "sip: out of memory");
		goto fail;
	}
	tp->loop = loop;
	tp->recv = recv;
	tp->error = error;
	tp->arg = arg;
	tp->idle_ms = conf->idle_ms > 0 ? conf->idle_ms : TP_IDLE_MS;
	tp_ignore_sigpipe();
	rc = tls_setup(tp, conf, errbuf, errlen);
	for (int p = 0; p < GW_PROTO_COUNT && !rc; p++)
		if (conf->listen[p][0])
			rc = listener_open(tp, p, conf->listen[p], errbuf, errlen);
	if (rc)
		goto fail;
	*out = tp;
	return 0;
fail:
	sip_tp_free(tp);
	return rc;
}

void sip_tp_free(struct sip_tp *tp)
{
	if (!tp)
		return;
	while (tp->conns)
		conn_close(tp->conns);
	for (int p = 0; p < GW_PROTO_COUNT; p++)
		if (tp->lis[p].fd >= 0) {
			ev_fd_del(tp->loop, tp->lis[p].fd);
			close(tp->lis[p].fd);
		}
	SSL_CTX_free(tp->srv_ctx);
	SSL_CTX_free(tp->cli_ctx);
	free(tp->ubuf);
	free(tp);
}

static int tp_send_udp(struct sip_tp *tp, const struct sip_tp_dst *dst, const char *msg, size_t len)
{
	const struct tp_listener *l = &tp->lis[GW_PROTO_UDP];
	struct sockaddr_storage ss;
	socklen_t sl;

	if (l->fd < 0 || !dst->ip)
		return -ENOTCONN;
	if (sip_tp_sockaddr(dst->ip, dst->port, &ss, &sl) || dst->port == 0)
		return -EINVAL;
	if (sendto(l->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, sl) < 0) {
		int rc = -errno;

		LOGW(CAT, "udp %s:%d: send: %s", dst->ip, dst->port, strerror(errno));
		return rc;
	}
	return 0;
}

/* an open connection to proto ip:port that may carry dst (TLS: the expected name agrees) */
static struct tp_conn *conn_find(struct sip_tp *tp, int proto, const char *ip, int port, const char *name)
{
	for (struct tp_conn *c = tp->conns; c; c = c->next) {
		if (c->proto != proto || c->port != port || strcmp(c->ip, ip))
			continue;
		if (proto != GW_PROTO_TLS)
			return c;
		if (c->outgoing ? !strcasecmp(c->expect, name ? name : ip) :
				  !name || (c->verified && !strcasecmp(c->name, name)))
			return c;
	}
	return NULL;
}

static int conn_open(struct sip_tp *tp, const struct sip_tp_dst *dst, const struct sockaddr_storage *ss,
		     socklen_t sl, struct tp_conn **out)
{
	struct tp_conn *c;
	int one = 1, fd, rc;

	if (dst->proto == GW_PROTO_TLS && !tp->cli_ctx)
		return -ENOTCONN;
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rc = conn_new(tp, dst->proto, fd, ss, 1, &c);
	if (rc)
		return rc;
	snprintf(c->expect, sizeof(c->expect), "%s", dst->tls_name && dst->tls_name[0] ? dst->tls_name : c->ip);
	if (dst->proto == GW_PROTO_TLS && conn_tls_start(c)) {
		conn_close(c);
		return -EINVAL;
	}
	CLOG(LOG_LVL_INFO, c, "connecting%s%s", dst->proto == GW_PROTO_TLS ? ", expecting " : "",
	     dst->proto == GW_PROTO_TLS ? c->expect : "");
	if (connect(fd, (const struct sockaddr *)ss, sl) == 0)
		c->state = c->ssl ? TP_HANDSHAKE : TP_OPEN;
	else if (errno != EINPROGRESS)
		conn_defer_fail(c, -errno);
	if (c->state == TP_HANDSHAKE)
		ev_fd_mod(tp->loop, fd, POLLIN | POLLOUT);
	else
		conn_update_events(c);
	*out = c;
	return 0;
}

static int tp_send_stream(struct sip_tp *tp, const struct sip_tp_dst *dst, const char *msg, size_t len,
			  int *conn)
{
	struct tp_conn *c = dst->conn > 0 ? conn_by_id(tp, dst->conn) : NULL;
	struct sockaddr_storage ss;
	char ip[64];
	socklen_t sl = 0;
	int port, rc;

	if (!c) {
		if (!dst->ip)
			return -ENOTCONN;
		if (sip_tp_sockaddr(dst->ip, dst->port, &ss, &sl) || dst->port == 0)
			return -EINVAL;
		sip_tp_addr_text(&ss, ip, sizeof(ip), &port);
		c = conn_find(tp, dst->proto, ip, port, dst->tls_name && dst->tls_name[0] ? dst->tls_name : NULL);
	}
	if (!c) {
		rc = conn_open(tp, dst, &ss, sl, &c);
		if (rc)
			return rc;
	}
	rc = conn_queue(c, msg, len);
	if (rc) {
		CLOG(LOG_LVL_WARN, c, "send of %zu bytes: %s", len, strerror(-rc));
		return rc;
	}
	conn_kick(c);
	*conn = c->id;
	return 0;
}

int sip_tp_send(struct sip_tp *tp, const struct sip_tp_dst *dst, const char *msg, size_t len, int *conn)
{
	int dummy;

	conn = conn ? conn : &dummy;
	*conn = 0;
	if (!tp || !dst || !msg || len == 0)
		return -EINVAL;
	if (len > SIP_TP_MSG_MAX)
		return -EMSGSIZE;
	if (dst->proto == GW_PROTO_UDP)
		return tp_send_udp(tp, dst, msg, len);
	if (dst->proto != GW_PROTO_TCP && dst->proto != GW_PROTO_TLS)
		return -EINVAL;
	return tp_send_stream(tp, dst, msg, len, conn);
}

int sip_tp_local(const struct sip_tp *tp, int proto, char *ip, size_t iplen, int *port)
{
	if (proto < 0 || proto >= GW_PROTO_COUNT || tp->lis[proto].fd < 0)
		return -ENOENT;
	snprintf(ip, iplen, "%s", tp->lis[proto].ip);
	*port = tp->lis[proto].port;
	return 0;
}

size_t sip_tp_conn_count(const struct sip_tp *tp)
{
	return tp->nconns;
}
