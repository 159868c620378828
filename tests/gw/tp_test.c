/*
 * tp_test.c - the SIP transports (gw/sip_tp.c) over real sockets on 127.0.0.1: UDP, TCP framing
 * (split, joined, compact Content-Length, keep-alives, size limits), connection reuse and failures,
 * TLS verification both ways (names, a rogue certificate, client certificate policies), idle close
 * and the connection limit.  Every wait is bounded.  The certificates come from mkcerts.sh.
 *
 * TP_TEST_LOG=debug (or info, notice, warn) shows the transport's log lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "sip_tp.h"
#include "testlib.h"

#define WAIT_MS 5000
#define NRX 64
#define LOCAL "127.0.0.1"

struct rx {
	char *data;
	size_t len;
	struct sip_tp_src src;
};

struct side {
	const char *name;
	struct sip_tp *tp;
	struct rx rx[NRX];
	int nrx;
	int err[NRX], err_conn[NRX];
	int nerr;
};

static struct ev_loop *loop;
static char certdir[128];
static char warnings[8192];	/* warning lines logged since the last clear */
static int nul_missing;		/* messages received without a NUL after them */

static void log_hook(void *arg, int level, const char *line)
{
	size_t n = strlen(warnings);

	if (level <= LOG_LVL_WARN && n + strlen(line) + 2 < sizeof(warnings))
		snprintf(warnings + n, sizeof(warnings) - n, "%s\n", line);
}

static void on_recv(void *arg, const char *msg, size_t len, const struct sip_tp_src *src)
{
	struct side *s = arg;
	struct rx *r;

	if (s->nrx >= NRX)
		return;
	r = &s->rx[s->nrx++];
	r->data = malloc(len + 1);
	if (r->data) {
		memcpy(r->data, msg, len);
		r->data[len] = '\0';
	}
	r->len = len;
	r->src = *src;
	nul_missing += msg[len] != '\0';
}

static void on_error(void *arg, int conn, int err)
{
	struct side *s = arg;

	if (s->nerr >= NRX)
		return;
	s->err_conn[s->nerr] = conn;
	s->err[s->nerr++] = err;
}

static void side_clear(struct side *s)
{
	for (int i = 0; i < s->nrx; i++)
		free(s->rx[i].data);
	s->nrx = 0;
	s->nerr = 0;
}

static void side_free(struct side *s)
{
	side_clear(s);
	sip_tp_free(s->tp);
	s->tp = NULL;
}

/* listeners on 127.0.0.1:0 for the protocols whose flag is set; cert "" = none */
static void conf_make(struct sip_tp_conf *c, int udp, int tcp, int tls, const char *cert)
{
	memset(c, 0, sizeof(*c));
	if (udp)
		snprintf(c->listen[GW_PROTO_UDP], GW_ADDR_MAX, LOCAL ":0");
	if (tcp)
		snprintf(c->listen[GW_PROTO_TCP], GW_ADDR_MAX, LOCAL ":0");
	if (tls)
		snprintf(c->listen[GW_PROTO_TLS], GW_ADDR_MAX, LOCAL ":0");
	if (cert && cert[0]) {
		snprintf(c->tls_cert, GW_PATH_MAX, "%s/%s.pem", certdir, cert);
		snprintf(c->tls_key, GW_PATH_MAX, "%s/%s.key", certdir, cert);
	}
	if (cert)
		snprintf(c->tls_ca, GW_PATH_MAX, "%s/ca.pem", certdir);
}

static int side_new(struct side *s, const char *name, const struct sip_tp_conf *conf)
{
	char err[256];
	int rc;

	memset(s, 0, sizeof(*s));
	s->name = name;
	rc = sip_tp_new(loop, conf, on_recv, on_error, s, &s->tp, err, sizeof(err));
	CHECK(rc == 0, "%s: sip_tp_new: %d %s", name, rc, err);
	return rc;
}

static int port_of(const struct side *s, int proto)
{
	char ip[64];
	int port = -1;

	if (sip_tp_local(s->tp, proto, ip, sizeof(ip), &port))
		return -1;
	return port;
}

/* run the loop until *count reaches want or ms pass; 1 if reached */
static int run_until(const int *count, int want, int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;

	while (*count < want && ev_now_us() < end)
		ev_run_once(loop, 10);
	return *count >= want;
}

static void run_for(int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;

	while (ev_now_us() < end)
		ev_run_once(loop, 5);
}

/* run the loop until the connection count of s is want; 1 if it is */
static int run_until_conns(const struct side *s, size_t want, int ms)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;

	while (sip_tp_conn_count(s->tp) != want && ev_now_us() < end)
		ev_run_once(loop, 10);
	return sip_tp_conn_count(s->tp) == want;
}

static int tp_send(struct side *s, int proto, int port, int conn, const char *name, const char *msg, size_t len,
		   int *used)
{
	struct sip_tp_dst dst = { .proto = proto, .ip = LOCAL, .port = port, .conn = conn, .tls_name = name };

	return sip_tp_send(s->tp, &dst, msg, len, used);
}

static int rx_is(const struct side *s, int i, const char *want, size_t len)
{
	return i < s->nrx && s->rx[i].data && s->rx[i].len == len && !memcmp(s->rx[i].data, want, len);
}

/* ---- raw sockets ---- */

static int raw_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, LOCAL, &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		CHECK(0, "raw connect to port %d: %s", port, strerror(errno));
	return fd;
}

static int raw_local_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

/* a listening TCP socket on 127.0.0.1 that never accepts; *port set */
static int raw_listen(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, LOCAL, &sa.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = raw_local_port(fd);
	return fd;
}

/* a port nothing listens on (bound, then closed) */
static int closed_port(void)
{
	int port = -1, fd = raw_listen(&port);

	if (fd >= 0)
		close(fd);
	return port;
}

/* write all of data, running the loop while the socket is full; 0 or -1 */
static int raw_write(int fd, const char *data, size_t len)
{
	uint64_t end = ev_now_us() + (uint64_t)WAIT_MS * 1000;

	while (len && ev_now_us() < end) {
		ssize_t n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
		ev_run_once(loop, 1);
	}
	return len ? -1 : 0;
}

/* read until want bytes, the end of the stream or ms, running the loop; bytes read, *eof set at the end */
static size_t raw_read(int fd, char *buf, size_t want, int ms, int *eof)
{
	uint64_t end = ev_now_us() + (uint64_t)ms * 1000;
	size_t got = 0;

	*eof = 0;
	while (got < want && !*eof && ev_now_us() < end) {
		ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);

		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			*eof = 1;
		else
			ev_run_once(loop, 5);
	}
	return got;
}

/* the peer closes the raw connection: 1 if the end of the stream came */
static int raw_wait_eof(int fd, int ms)
{
	char buf[256];
	int eof = 0;

	raw_read(fd, buf, sizeof(buf), ms, &eof);
	return eof;
}

/* ---- messages ---- */

#define OPTIONS "OPTIONS sip:gw.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n" \
	"Call-ID: a@b\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
#define MSG_BODY "MESSAGE sip:gw.test SIP/2.0\r\nCall-ID: b@c\r\nCONTENT-LENGTH : 7\r\n\r\nhi\r\n\r\nx"
#define MSG_COMPACT "MESSAGE sip:gw.test SIP/2.0\r\ni: c@d\r\nl:4\r\n\r\nabcd"
#define MSG_LF "MESSAGE sip:gw.test SIP/2.0\ni: d@e\nl: 2\n\nok"
#define RESPONSE "SIP/2.0 200 OK\r\nCall-ID: a@b\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"

/* a MESSAGE of exactly total bytes (body of 'x') */
static char *big_message(size_t total)
{
	char hdr[128], *m = malloc(total + 1);
	int h;

	if (!m)
		return NULL;
	h = snprintf(hdr, sizeof(hdr), "MESSAGE sip:gw.test SIP/2.0\r\nCall-ID: big-1\r\nContent-Length: %05zu\r\n\r\n",
		     total - 70);
	if (h != 70) {
		CHECK_INT(h, 70, "big message header length");
		free(m);
		return NULL;
	}
	memcpy(m, hdr, 70);
	memset(m + 70, 'x', total - 70);
	m[total] = '\0';
	return m;
}

/* ---- UDP ---- */

static void udp_tests(void)
{
	struct sip_tp_conf conf;
	struct side a, b;
	int conn = -1, rc;

	conf_make(&conf, 1, 0, 0, NULL);
	if (side_new(&a, "udp-a", &conf) || side_new(&b, "udp-b", &conf))
		return;
	rc = tp_send(&a, GW_PROTO_UDP, port_of(&b, GW_PROTO_UDP), 0, NULL, OPTIONS, strlen(OPTIONS), &conn);
	CHECK_INT(rc, 0, "udp send");
	CHECK_INT(conn, 0, "udp send: conn 0");
	CHECK(run_until(&b.nrx, 1, WAIT_MS), "udp: b received");
	CHECK(rx_is(&b, 0, OPTIONS, strlen(OPTIONS)), "udp: bytes");
	CHECK_STR(b.rx[0].src.ip, LOCAL, "udp: src ip");
	CHECK_INT(b.rx[0].src.port, port_of(&a, GW_PROTO_UDP), "udp: src port is a's listener");
	CHECK_INT(b.rx[0].src.proto, GW_PROTO_UDP, "udp: src proto");
	CHECK_INT(b.rx[0].src.conn, 0, "udp: src conn");

	rc = tp_send(&b, GW_PROTO_UDP, b.rx[0].src.port, 0, NULL, RESPONSE, strlen(RESPONSE), NULL);
	CHECK_INT(rc, 0, "udp send back");
	CHECK(run_until(&a.nrx, 1, WAIT_MS), "udp: a received");
	CHECK(rx_is(&a, 0, RESPONSE, strlen(RESPONSE)), "udp: response bytes");
	CHECK_INT(a.nrx ? a.rx[0].src.port : -1, port_of(&b, GW_PROTO_UDP), "udp: response src port");

	rc = tp_send(&a, GW_PROTO_UDP, port_of(&b, GW_PROTO_UDP), 0, NULL, "\r\n\r\n", 4, NULL);
	CHECK_INT(rc, 0, "udp keep-alive send");
	run_for(100);
	CHECK_INT(b.nrx, 1, "udp: keep-alive datagram not delivered");

	CHECK_INT(tp_send(&a, GW_PROTO_UDP, 5060, 0, NULL, OPTIONS, SIP_TP_MSG_MAX + 1, NULL), -EMSGSIZE,
		  "udp: over the size limit");
	CHECK_INT(tp_send(&a, GW_PROTO_TLS, 5061, 0, NULL, OPTIONS, strlen(OPTIONS), NULL), -ENOTCONN,
		  "tls send without TLS configured");
	CHECK_INT(sip_tp_local(a.tp, GW_PROTO_TCP, (char[64]){ 0 }, 64, &rc), -ENOENT, "local: no tcp listener");
	CHECK_INT(sip_tp_conn_count(a.tp), 0, "udp: no connections");
	side_free(&a);
	side_free(&b);
}

/* ---- TCP framing from a raw socket ---- */

/* bytes written one at a time, each followed by loop rounds */
static void tcp_split_test(struct side *b, int fd)
{
	size_t len = strlen(MSG_BODY);

	for (size_t i = 0; i + 1 < len; i++) {
		raw_write(fd, MSG_BODY + i, 1);
		ev_run_once(loop, 2);
		ev_run_once(loop, 0);
	}
	run_for(20);
	CHECK_INT(b->nrx, 0, "tcp split: nothing before the last byte");
	raw_write(fd, MSG_BODY + len - 1, 1);
	CHECK(run_until(&b->nrx, 1, WAIT_MS), "tcp split: received");
	CHECK(rx_is(b, 0, MSG_BODY, len), "tcp split: bytes exact (body with CRLFCRLF inside)");
	CHECK_STR(b->rx[0].src.ip, LOCAL, "tcp split: src ip");
	CHECK_INT(b->rx[0].src.port, raw_local_port(fd), "tcp split: src port");
	CHECK_INT(b->rx[0].src.proto, GW_PROTO_TCP, "tcp split: proto");
	CHECK(b->rx[0].src.conn > 0, "tcp split: conn id %d", b->rx[0].src.conn);
}

static void tcp_joined_test(struct side *b, int fd)
{
	const char both[] = MSG_COMPACT "\r\n" MSG_LF "\r\n\r\n" OPTIONS;
	int eof;
	char pong[8];

	side_clear(b);
	raw_write(fd, both, strlen(both));
	CHECK(run_until(&b->nrx, 3, WAIT_MS), "tcp joined: three messages");
	CHECK(rx_is(b, 0, MSG_COMPACT, strlen(MSG_COMPACT)), "tcp joined: compact l:");
	CHECK(rx_is(b, 1, MSG_LF, strlen(MSG_LF)), "tcp joined: bare LF, CRLF before it skipped");
	CHECK(rx_is(b, 2, OPTIONS, strlen(OPTIONS)), "tcp joined: third, after a ping");
	CHECK(b->nrx == 3 && b->rx[0].src.conn == b->rx[2].src.conn, "tcp joined: one connection");
	CHECK_INT(raw_read(fd, pong, 2, WAIT_MS, &eof), 2, "tcp joined: pong for the ping between");

	raw_write(fd, "\r\n\r\n", 4);
	memset(pong, 0, sizeof(pong));
	CHECK_INT(raw_read(fd, pong, 2, WAIT_MS, &eof), 2, "keep-alive: pong length");
	CHECK_STR(pong, "\r\n", "keep-alive: pong is CRLF");
	CHECK_INT(raw_read(fd, pong, 1, 100, &eof), 0, "keep-alive: one pong only");
	raw_write(fd, "\r\n", 2);
	run_for(50);
	CHECK_INT(raw_read(fd, pong, 1, 50, &eof), 0, "keep-alive: no answer to a pong");
	CHECK_INT(b->nrx, 3, "keep-alive: nothing delivered");
}

/* the answer on the incoming connection (dst.conn) reaches the raw socket */
static void tcp_answer_test(struct side *b, int fd)
{
	char buf[256] = "";
	int eof, conn = -1, rc;

	if (!b->nrx)
		return;
	rc = tp_send(b, GW_PROTO_TCP, b->rx[0].src.port, b->rx[0].src.conn, NULL, RESPONSE, strlen(RESPONSE), &conn);
	CHECK_INT(rc, 0, "tcp answer: send");
	CHECK_INT(conn, b->rx[0].src.conn, "tcp answer: on the incoming connection");
	CHECK_INT(raw_read(fd, buf, strlen(RESPONSE), WAIT_MS, &eof), strlen(RESPONSE), "tcp answer: length");
	CHECK_STR(buf, RESPONSE, "tcp answer: bytes");
	CHECK_INT(sip_tp_conn_count(b->tp), 1, "tcp answer: no new connection");
	rc = tp_send(b, GW_PROTO_TCP, b->rx[0].src.port, 0, NULL, RESPONSE, strlen(RESPONSE), &conn);
	CHECK(rc == 0 && conn == b->rx[0].src.conn, "tcp answer: address matches the incoming connection");
	CHECK_INT(raw_read(fd, buf, strlen(RESPONSE), WAIT_MS, &eof), strlen(RESPONSE), "tcp answer 2: length");
	rc = tp_send(b, GW_PROTO_TCP, 0, 999999, NULL, RESPONSE, strlen(RESPONSE), &conn);
	CHECK_INT(rc, -EINVAL, "tcp answer: unknown conn, port 0");
	{
		struct sip_tp_dst dst = { .proto = GW_PROTO_TCP, .conn = 999999 };

		CHECK_INT(sip_tp_send(b->tp, &dst, RESPONSE, strlen(RESPONSE), &conn), -ENOTCONN,
			  "tcp answer: unknown conn, no address");
	}
}

/* a connection sending data that breaks the framing is closed with a warning naming it */
static void tcp_bad_one(struct side *b, const char *data, size_t len, const char *what)
{
	char name[64];
	int fd = raw_connect(port_of(b, GW_PROTO_TCP)), n = b->nrx;

	if (fd < 0)
		return;
	snprintf(name, sizeof(name), LOCAL ":%d", raw_local_port(fd));
	warnings[0] = '\0';
	raw_write(fd, data, len);
	CHECK(raw_wait_eof(fd, WAIT_MS), "%s: connection closed", what);
	CHECK_INT(b->nrx, n, what);
	CHECK(strstr(warnings, name) != NULL, "%s: warning names %s: %s", what, name, warnings);
	close(fd);
}

static void tcp_limit_tests(struct side *b)
{
	char *max = big_message(SIP_TP_MSG_MAX), *over = big_message(SIP_TP_MSG_MAX + 1), *nolf;
	int fd = raw_connect(port_of(b, GW_PROTO_TCP));
	const char bad_len[] = "MESSAGE sip:x SIP/2.0\r\nContent-Length: 12x\r\n\r\n0123456789ab";
	const char two_len[] = "MESSAGE sip:x SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab";
	const char huge_len[] = "MESSAGE sip:x SIP/2.0\r\nContent-Length: 70000\r\n\r\n";

	side_clear(b);
	if (max && fd >= 0) {
		raw_write(fd, max, SIP_TP_MSG_MAX);
		CHECK(run_until(&b->nrx, 1, WAIT_MS), "tcp: a message of exactly the limit received");
		CHECK(rx_is(b, 0, max, SIP_TP_MSG_MAX), "tcp: the limit message's bytes");
	}
	if (fd >= 0)
		close(fd);
	if (over)
		tcp_bad_one(b, over, SIP_TP_MSG_MAX + 1, "tcp: one byte over the limit");
	tcp_bad_one(b, huge_len, strlen(huge_len), "tcp: Content-Length 70000");
	tcp_bad_one(b, bad_len, strlen(bad_len), "tcp: Content-Length 12x");
	tcp_bad_one(b, two_len, strlen(two_len), "tcp: two different Content-Lengths");
	nolf = malloc(SIP_TP_MSG_MAX + 100);
	if (nolf) {
		memset(nolf, 'a', SIP_TP_MSG_MAX + 100);
		tcp_bad_one(b, nolf, SIP_TP_MSG_MAX + 100, "tcp: no end of headers");
	}
	CHECK(run_until_conns(b, 0, WAIT_MS), "tcp: all bad connections gone");
	free(max);
	free(over);
	free(nolf);
}

static void tcp_raw_tests(void)
{
	struct sip_tp_conf conf;
	struct side b;
	int fd;

	conf_make(&conf, 0, 1, 0, NULL);
	if (side_new(&b, "tcp-b", &conf))
		return;
	fd = raw_connect(port_of(&b, GW_PROTO_TCP));
	if (fd >= 0) {
		tcp_split_test(&b, fd);
		tcp_answer_test(&b, fd);
		tcp_joined_test(&b, fd);
		close(fd);
		CHECK(run_until_conns(&b, 0, WAIT_MS), "tcp: closed by the peer");
		CHECK_INT(b.nerr, 0, "tcp: no error after messages");
	}
	tcp_limit_tests(&b);
	side_free(&b);
}

/* ---- TCP between two transports ---- */

static void tcp_reuse_tests(struct side *a, struct side *b)
{
	int c1 = -1, c2 = -2, c3 = -3, pb = port_of(b, GW_PROTO_TCP), rc;

	CHECK_INT(tp_send(a, GW_PROTO_TCP, pb, 0, NULL, OPTIONS, strlen(OPTIONS), &c1), 0, "tcp send 1");
	CHECK_INT(tp_send(a, GW_PROTO_TCP, pb, 0, NULL, MSG_BODY, strlen(MSG_BODY), &c2), 0, "tcp send 2");
	CHECK(c1 > 0 && c1 == c2, "tcp: one connection for two sends (%d, %d)", c1, c2);
	CHECK_INT(sip_tp_conn_count(a->tp), 1, "tcp: a has one connection");
	CHECK(run_until(&b->nrx, 2, WAIT_MS), "tcp: b received two");
	CHECK(rx_is(b, 0, OPTIONS, strlen(OPTIONS)) && rx_is(b, 1, MSG_BODY, strlen(MSG_BODY)), "tcp: bytes, order");
	CHECK(b->nrx == 2 && b->rx[0].src.conn == b->rx[1].src.conn, "tcp: same conn at b");
	CHECK_INT(sip_tp_conn_count(b->tp), 1, "tcp: b has one connection");
	if (b->nrx < 1)
		return;
	/* a request from b to a's address (its source port) reuses the incoming connection */
	rc = tp_send(b, GW_PROTO_TCP, b->rx[0].src.port, 0, NULL, MSG_COMPACT, strlen(MSG_COMPACT), &c3);
	CHECK(rc == 0 && c3 == b->rx[0].src.conn, "tcp: incoming connection reused by address");
	CHECK(run_until(&a->nrx, 1, WAIT_MS), "tcp: a received");
	CHECK(rx_is(a, 0, MSG_COMPACT, strlen(MSG_COMPACT)), "tcp: a bytes");
	CHECK_INT(a->nrx ? a->rx[0].src.conn : -1, c1, "tcp: a got it on its own connection");
	CHECK_INT(a->nrx ? a->rx[0].src.port : -1, pb, "tcp: from b's listener port");
	CHECK_INT(sip_tp_conn_count(b->tp), 1, "tcp: still one connection at b");
}

static void tcp_big_test(struct side *a, struct side *b)
{
	char *m = big_message(60000);
	int conn;

	side_clear(b);
	if (!m)
		return;
	CHECK_INT(tp_send(a, GW_PROTO_TCP, port_of(b, GW_PROTO_TCP), 0, NULL, m, 60000, &conn), 0, "tcp big send");
	CHECK(run_until(&b->nrx, 1, WAIT_MS), "tcp big: received");
	CHECK(rx_is(b, 0, m, 60000), "tcp big: bytes exact");
	free(m);
}

static void tcp_refused_test(struct side *a)
{
	int conn = -1, rc, port = closed_port();

	side_clear(a);
	rc = tp_send(a, GW_PROTO_TCP, port, 0, NULL, OPTIONS, strlen(OPTIONS), &conn);
	CHECK_INT(rc, 0, "refused: send queued");
	CHECK(conn > 0, "refused: conn id %d", conn);
	CHECK(run_until(&a->nerr, 1, WAIT_MS), "refused: error callback");
	CHECK_INT(a->nerr ? a->err[0] : 0, -ECONNREFUSED, "refused: errno");
	CHECK_INT(a->nerr ? a->err_conn[0] : 0, conn, "refused: conn id");
	CHECK_INT(a->nerr, 1, "refused: one callback");
	CHECK_INT(sip_tp_conn_count(a->tp), 1, "refused: connection gone");
}

static void tcp_tests(void)
{
	struct sip_tp_conf conf;
	struct side a, b;
	int c1 = -1, c2 = -1;

	conf_make(&conf, 0, 1, 0, NULL);
	if (side_new(&a, "tcp-a", &conf) || side_new(&b, "tcp-b", &conf))
		return;
	tcp_reuse_tests(&a, &b);
	tcp_big_test(&a, &b);
	tcp_refused_test(&a);
	/* ids are not reused: a new connection after one closed gets a new id */
	side_clear(&a);
	side_free(&b);
	CHECK(run_until_conns(&a, 0, WAIT_MS), "tcp: a sees b gone");
	CHECK_INT(a.nerr, 0, "tcp: no error when a peer closes after messages");
	conf_make(&conf, 0, 1, 0, NULL);
	if (!side_new(&b, "tcp-b2", &conf)) {
		tp_send(&a, GW_PROTO_TCP, port_of(&b, GW_PROTO_TCP), 0, NULL, OPTIONS, strlen(OPTIONS), &c1);
		tp_send(&a, GW_PROTO_TCP, closed_port(), 0, NULL, OPTIONS, strlen(OPTIONS), &c2);
		CHECK(c1 == 3 && c2 == 4, "tcp: fresh ids %d %d", c1, c2);
	}
	side_free(&a);
	side_free(&b);
}

/* ---- TLS ---- */

static void tls_basic_tests(struct side *c, struct side *s)
{
	int ps = port_of(s, GW_PROTO_TLS), conn = -1, conn2 = -1;

	CHECK_INT(tp_send(c, GW_PROTO_TLS, ps, 0, "gw.test", OPTIONS, strlen(OPTIONS), &conn), 0, "tls send");
	CHECK(run_until(&s->nrx, 1, WAIT_MS), "tls: server received");
	CHECK(rx_is(s, 0, OPTIONS, strlen(OPTIONS)), "tls: bytes");
	CHECK_INT(s->nrx ? s->rx[0].src.proto : -1, GW_PROTO_TLS, "tls: src proto");
	CHECK_INT(s->nrx ? s->rx[0].src.tls_verified : -1, 0, "tls: no client certificate asked (verify none)");
	CHECK_STR(s->nrx ? s->rx[0].src.tls_name : NULL, "", "tls: no client name");
	CHECK_INT(c->nerr, 0, "tls: no error");
	if (!s->nrx)
		return;
	CHECK_INT(tp_send(s, GW_PROTO_TLS, 0, s->rx[0].src.conn, NULL, RESPONSE, strlen(RESPONSE), NULL), 0,
		  "tls answer");
	CHECK(run_until(&c->nrx, 1, WAIT_MS), "tls: client received the answer");
	CHECK(rx_is(c, 0, RESPONSE, strlen(RESPONSE)), "tls answer: bytes");
	CHECK_INT(c->nrx ? c->rx[0].src.conn : -1, conn, "tls answer: on the client's connection");
	CHECK_INT(c->nrx ? c->rx[0].src.tls_verified : -1, 1, "tls answer: server verified");
	CHECK_STR(c->nrx ? c->rx[0].src.tls_name : NULL, "gw.test", "tls answer: server name");
	/* the IP address as the name (SAN IP:127.0.0.1): a second connection, the name differs */
	CHECK_INT(tp_send(c, GW_PROTO_TLS, ps, 0, NULL, MSG_BODY, strlen(MSG_BODY), &conn2), 0, "tls send by ip");
	CHECK(conn2 > 0 && conn2 != conn, "tls: another connection for another expected name");
	CHECK(run_until(&s->nrx, 2, WAIT_MS), "tls by ip: received");
	CHECK(rx_is(s, 1, MSG_BODY, strlen(MSG_BODY)), "tls by ip: bytes");
	CHECK_INT(c->nerr, 0, "tls by ip: no error");
}

static void tls_big_test(struct side *c, struct side *s)
{
	char *m = big_message(SIP_TP_MSG_MAX);
	int ps = port_of(s, GW_PROTO_TLS);

	side_clear(c);
	side_clear(s);
	if (!m)
		return;
	CHECK_INT(tp_send(c, GW_PROTO_TLS, ps, 0, "gw.test", m, SIP_TP_MSG_MAX, NULL), 0, "tls big send");
	CHECK_INT(tp_send(c, GW_PROTO_TLS, ps, 0, "gw.test", OPTIONS, strlen(OPTIONS), NULL), 0, "tls send after big");
	CHECK(run_until(&s->nrx, 2, WAIT_MS), "tls big: received");
	CHECK(rx_is(s, 0, m, SIP_TP_MSG_MAX) && rx_is(s, 1, OPTIONS, strlen(OPTIONS)), "tls big: bytes exact");
	if (s->nrx == 2) {
		CHECK_INT(tp_send(s, GW_PROTO_TLS, 0, s->rx[0].src.conn, NULL, m, SIP_TP_MSG_MAX, NULL), 0,
			  "tls big back");
		CHECK(run_until(&c->nrx, 1, WAIT_MS), "tls big back: received");
		CHECK(rx_is(c, 0, m, SIP_TP_MSG_MAX), "tls big back: bytes exact");
	}
	free(m);
}

/* a send from c to s's TLS port expecting name fails with want at c (0: any negative errno) */
static void tls_reject(struct side *c, struct side *s, const char *name, int want, int want_srv, const char *what)
{
	int conn = -1, n = s->nrx;

	side_clear(c);
	s->nerr = 0;
	CHECK_INT(tp_send(c, GW_PROTO_TLS, port_of(s, GW_PROTO_TLS), 0, name, OPTIONS, strlen(OPTIONS), &conn), 0,
		  what);
	CHECK(run_until(&c->nerr, 1, WAIT_MS), "%s: client error callback", what);
	if (want)
		CHECK_INT(c->nerr ? c->err[0] : 0, want, what);
	else
		CHECK(c->nerr && c->err[0] < 0, "%s: client error %d", what, c->nerr ? c->err[0] : 0);
	CHECK_INT(c->nerr ? c->err_conn[0] : 0, conn, what);
	if (want_srv) {
		CHECK(run_until(&s->nerr, 1, WAIT_MS), "%s: server error callback", what);
		CHECK_INT(s->nerr ? s->err[0] : 0, want_srv, what);
	}
	run_for(50);
	CHECK_INT(s->nrx, n, "nothing delivered to the server");
}

static void tls_require_tests(struct side *c)
{
	struct sip_tp_conf conf;
	struct side q, n, k;

	conf_make(&conf, 0, 0, 1, "gw");
	conf.verify_client = GW_TLS_VERIFY_REQUIRE;
	if (side_new(&q, "tls-require", &conf))
		return;
	conf_make(&conf, 0, 0, 0, "");		/* a client with the CA and no certificate */
	if (!side_new(&n, "tls-nocert", &conf)) {
		tls_reject(&n, &q, "gw.test", 0, -EKEYREJECTED, "require: client without a certificate");
		side_free(&n);
	}
	conf_make(&conf, 0, 0, 0, "rogue");	/* a client with the rogue certificate */
	if (!side_new(&k, "tls-rogue-client", &conf)) {
		tls_reject(&k, &q, "gw.test", 0, -EKEYREJECTED, "require: rogue client certificate");
		side_free(&k);
	}
	side_clear(c);
	CHECK_INT(tp_send(c, GW_PROTO_TLS, port_of(&q, GW_PROTO_TLS), 0, "gw.test", OPTIONS, strlen(OPTIONS), NULL), 0,
		  "require: send");
	CHECK(run_until(&q.nrx, 1, WAIT_MS), "require: CA-signed client accepted");
	CHECK_INT(q.nrx ? q.rx[0].src.tls_verified : -1, 1, "require: client verified");
	CHECK_STR(q.nrx ? q.rx[0].src.tls_name : NULL, "um.test", "require: client name");
	if (q.nrx)
		tp_send(&q, GW_PROTO_TLS, 0, q.rx[0].src.conn, NULL, RESPONSE, strlen(RESPONSE), NULL);
	CHECK(run_until(&c->nrx, 1, WAIT_MS), "require: answer received");
	CHECK(rx_is(c, 0, RESPONSE, strlen(RESPONSE)), "require: answer bytes");
	side_free(&q);
}

static void tls_optional_tests(struct side *c)
{
	struct sip_tp_conf conf;
	struct side o, n;

	conf_make(&conf, 0, 0, 1, "gw");
	conf.verify_client = GW_TLS_VERIFY_OPTIONAL;
	if (side_new(&o, "tls-optional", &conf))
		return;
	conf_make(&conf, 0, 0, 0, "");
	if (!side_new(&n, "tls-nocert", &conf)) {
		tp_send(&n, GW_PROTO_TLS, port_of(&o, GW_PROTO_TLS), 0, "gw.test", OPTIONS, strlen(OPTIONS), NULL);
		CHECK(run_until(&o.nrx, 1, WAIT_MS), "optional: client without certificate accepted");
		CHECK_INT(o.nrx ? o.rx[0].src.tls_verified : -1, 0, "optional: not verified");
		side_free(&n);
	}
	tp_send(c, GW_PROTO_TLS, port_of(&o, GW_PROTO_TLS), 0, "gw.test", OPTIONS, strlen(OPTIONS), NULL);
	CHECK(run_until(&o.nrx, 2, WAIT_MS), "optional: client with certificate accepted");
	CHECK_INT(o.nrx > 1 ? o.rx[1].src.tls_verified : -1, 1, "optional: verified");
	CHECK_STR(o.nrx > 1 ? o.rx[1].src.tls_name : NULL, "um.test", "optional: name");
	side_free(&o);
}

/* data queued behind a handshake that never ends: bounded; the reset reported */
static void tls_queue_test(struct side *c)
{
	char *m = big_message(60000);
	int port = -1, fd = raw_listen(&port), rc = 0, i, conn = -1;

	run_for(100);	/* closes left over from the tests before */
	side_clear(c);
	if (fd < 0 || !m) {
		CHECK(0, "raw listener");
		free(m);
		return;
	}
	for (i = 0; i < 10 && !rc; i++) {
		int used = -1;

		rc = tp_send(c, GW_PROTO_TLS, port, 0, "gw.test", m, 60000, &used);
		if (!rc)
			conn = used;
	}
	CHECK_INT(rc, -ENOBUFS, "queue: bounded");
	CHECK_INT(i, 5, "queue: four messages of 60000 bytes fit in 256 KiB");
	close(fd);
	CHECK(run_until(&c->nerr, 1, WAIT_MS), "queue: the reset is reported");
	CHECK_INT(c->nerr ? c->err_conn[0] : 0, conn, "queue: on that connection");
	CHECK(c->nerr && c->err[0] < 0 && c->err[0] != -EKEYREJECTED, "queue: errno %d", c->nerr ? c->err[0] : 0);
	free(m);
}

static void tls_conf_tests(void)
{
	struct sip_tp_conf conf;
	struct sip_tp *tp = NULL;
	char err[512], path[200];
	int rc;

	conf_make(&conf, 0, 0, 1, "gw");
	snprintf(conf.tls_cert, GW_PATH_MAX, "%s/missing.pem", certdir);
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK_INT(rc, -EINVAL, "missing cert");
	CHECK(strstr(err, conf.tls_cert) != NULL, "missing cert: error names the file: %s", err);

	conf_make(&conf, 0, 0, 1, "gw");
	snprintf(conf.tls_key, GW_PATH_MAX, "%s/gw.pem", certdir);
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK_INT(rc, -EINVAL, "cert as key");
	CHECK(strstr(err, conf.tls_key) != NULL, "cert as key: error names the file: %s", err);

	conf_make(&conf, 0, 0, 1, "gw");
	snprintf(conf.tls_key, GW_PATH_MAX, "%s/um.key", certdir);
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK_INT(rc, -EINVAL, "key of another cert");
	CHECK(strstr(err, conf.tls_key) != NULL, "key of another cert: names the file: %s", err);

	conf_make(&conf, 0, 0, 1, "gw");
	snprintf(path, sizeof(path), "%s/nothing-here.pem", certdir);
	snprintf(conf.tls_ca, GW_PATH_MAX, "%s", path);
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK_INT(rc, -EINVAL, "missing ca");
	CHECK(strstr(err, path) != NULL, "missing ca: error names the file: %s", err);

	conf_make(&conf, 0, 0, 1, NULL);
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK_INT(rc, -EINVAL, "tls listener without a certificate");

	conf_make(&conf, 0, 0, 0, NULL);
	snprintf(conf.listen[GW_PROTO_TCP], GW_ADDR_MAX, "127.0.0.1");
	CHECK_INT(sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err)), -EINVAL, "listen no port");
	CHECK(strstr(err, "127.0.0.1") != NULL, "listen no port: names it: %s", err);
	snprintf(conf.listen[GW_PROTO_TCP], GW_ADDR_MAX, "1.2.3:5060");
	CHECK_INT(sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err)), -EINVAL, "listen bad ip");
	snprintf(conf.listen[GW_PROTO_TCP], GW_ADDR_MAX, "127.0.0.1:65536");
	CHECK_INT(sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err)), -EINVAL, "listen bad port");
	snprintf(conf.listen[GW_PROTO_UDP], GW_ADDR_MAX, "[::1]:0");
	conf.listen[GW_PROTO_TCP][0] = '\0';
	rc = sip_tp_new(loop, &conf, on_recv, on_error, NULL, &tp, err, sizeof(err));
	CHECK(rc == 0 || rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT, "listen [::1]:0: %d %s", rc, err);
	if (!rc) {
		char ip[64] = "";
		int port = 0;

		CHECK_INT(sip_tp_local(tp, GW_PROTO_UDP, ip, sizeof(ip), &port), 0, "v6 local");
		CHECK(!strcmp(ip, "::1") && port > 0, "v6 local %s %d", ip, port);
		sip_tp_free(tp);
	}
}

static void tls_tests(void)
{
	struct sip_tp_conf conf;
	struct side c, s, r;

	conf_make(&conf, 0, 0, 1, "um");
	if (side_new(&c, "tls-client", &conf))
		return;
	conf_make(&conf, 0, 0, 1, "gw");
	if (!side_new(&s, "tls-server", &conf)) {
		tls_basic_tests(&c, &s);
		tls_big_test(&c, &s);
		tls_reject(&c, &s, "pbx.test", -EKEYREJECTED, 0, "tls: wrong expected name");
		tls_reject(&c, &s, "127.0.0.2", -EKEYREJECTED, 0, "tls: wrong expected ip");
		side_clear(&c);
		side_free(&s);
		run_for(100);	/* c's connection without an answer reports the close */
		CHECK(c.nerr == 1 && c.err[0] == -ECONNRESET, "tls: unanswered connection closed: %d %d", c.nerr,
		      c.err[0]);
	}
	conf_make(&conf, 0, 0, 1, "rogue");
	if (!side_new(&r, "tls-rogue", &conf)) {
		tls_reject(&c, &r, "um.test", -EKEYREJECTED, 0, "tls: rogue self-signed server");
		side_free(&r);
	}
	tls_require_tests(&c);
	tls_optional_tests(&c);
	tls_queue_test(&c);
	side_free(&c);
	tls_conf_tests();
}

/* ---- IPv6 (skipped when ::1 is not there) ---- */

static void v6_tests(void)
{
	struct sip_tp_conf conf;
	struct side a, b;
	struct sip_tp_dst dst = { .proto = GW_PROTO_TCP, .ip = "[::1]" };
	char err[256];
	int c1 = -1, c2 = -2;

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.listen[GW_PROTO_TCP], GW_ADDR_MAX, "[::1]:0");
	memset(&a, 0, sizeof(a));
	a.name = "v6-a";
	if (sip_tp_new(loop, &conf, on_recv, on_error, &a, &a.tp, err, sizeof(err))) {
		printf("skipped: IPv6: %s\n", err);
		return;
	}
	if (side_new(&b, "v6-b", &conf)) {
		side_free(&a);
		return;
	}
	dst.port = port_of(&b, GW_PROTO_TCP);
	CHECK_INT(sip_tp_send(a.tp, &dst, OPTIONS, strlen(OPTIONS), &c1), 0, "v6: send to [::1]");
	dst.ip = "::1";
	CHECK_INT(sip_tp_send(a.tp, &dst, OPTIONS, strlen(OPTIONS), &c2), 0, "v6: send to ::1");
	CHECK(c1 > 0 && c1 == c2, "v6: one connection for both spellings");
	CHECK(run_until(&b.nrx, 2, WAIT_MS), "v6: received");
	CHECK_STR(b.nrx ? b.rx[0].src.ip : NULL, "::1", "v6: src ip");
	side_free(&a);
	side_free(&b);
}

/* ---- idle close, connection limit ---- */

static void idle_tests(void)
{
	struct sip_tp_conf conf;
	struct side a, b;
	uint64_t t0;

	conf_make(&conf, 0, 1, 0, NULL);
	conf.idle_ms = 300;
	if (side_new(&a, "idle-a", &conf) || side_new(&b, "idle-b", &conf))
		return;
	tp_send(&a, GW_PROTO_TCP, port_of(&b, GW_PROTO_TCP), 0, NULL, OPTIONS, strlen(OPTIONS), NULL);
	CHECK(run_until(&b.nrx, 1, WAIT_MS), "idle: received");
	t0 = ev_now_us();
	CHECK_INT(sip_tp_conn_count(a.tp), 1, "idle: a connected");
	CHECK_INT(sip_tp_conn_count(b.tp), 1, "idle: b connected");
	run_for(150);
	CHECK_INT(sip_tp_conn_count(a.tp) + sip_tp_conn_count(b.tp), 2, "idle: still open halfway");
	CHECK(run_until_conns(&a, 0, 3000) && run_until_conns(&b, 0, 3000), "idle: both closed");
	CHECK(ev_now_us() - t0 < 2000000, "idle: closed in time");
	CHECK_INT(a.nerr + b.nerr, 0, "idle: no error callback");
	side_free(&a);
	side_free(&b);
}

/* fill a's table with n raw connections to port; the fds in fds */
static int limit_fill(struct side *s, int port, int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = raw_connect(port);
		if (fds[i] < 0)
			break;
		if (i % 16 == 15)
			run_for(2);
	}
	return run_until_conns(s, (size_t)n, WAIT_MS) ? i : -1;
}

static void limit_tests(void)
{
	static int fds[SIP_TP_CONNS_MAX + 1];
	struct sip_tp_conf conf;
	struct side s;
	int extra, conn = -1, n;

	conf_make(&conf, 0, 1, 1, "gw");
	if (side_new(&s, "limit", &conf))
		return;
	/* open TCP connections: the oldest idle one makes room */
	n = limit_fill(&s, port_of(&s, GW_PROTO_TCP), fds, SIP_TP_CONNS_MAX);
	CHECK_INT(n, SIP_TP_CONNS_MAX, "limit: table full of tcp");
	extra = raw_connect(port_of(&s, GW_PROTO_TCP));
	CHECK(raw_wait_eof(fds[0], WAIT_MS), "limit: the oldest idle connection closed");
	CHECK_INT(sip_tp_conn_count(s.tp), SIP_TP_CONNS_MAX, "limit: still full");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(extra);
	CHECK(run_until_conns(&s, 0, WAIT_MS), "limit: all closed");
	/* TLS handshakes in progress cannot be closed for room */
	n = limit_fill(&s, port_of(&s, GW_PROTO_TLS), fds, SIP_TP_CONNS_MAX);
	CHECK_INT(n, SIP_TP_CONNS_MAX, "limit: table full of handshakes");
	extra = raw_connect(port_of(&s, GW_PROTO_TLS));
	CHECK(raw_wait_eof(extra, WAIT_MS), "limit: one more refused");
	CHECK_INT(tp_send(&s, GW_PROTO_TCP, port_of(&s, GW_PROTO_TCP), 0, NULL, OPTIONS, strlen(OPTIONS), &conn),
		  -EMFILE, "limit: send -EMFILE");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(extra);
	CHECK(run_until_conns(&s, 0, WAIT_MS), "limit: all closed again");
	side_free(&s);
}

/* ---- main ---- */

static int make_certs(void)
{
	char cmd[600];
	const char *tmp = getenv("TMPDIR");

	snprintf(certdir, sizeof(certdir), "%s/tp_test.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(certdir))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/gw/mkcerts.sh' '%s'", TOP_SRCDIR, certdir);
	return system(cmd);
}

static void remove_certs(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", certdir);
}

int main(void)
{
	const char *lvl = getenv("TP_TEST_LOG");
	int certs;

	log_init(lvl ? log_level_parse(lvl) : LOG_LVL_ERROR, 0, 0);
	log_set_hook(log_hook, NULL);
	certs = make_certs();
	CHECK_INT(certs, 0, "mkcerts.sh");
	if (ev_loop_new(&loop)) {
		printf("no loop\n");
		return 1;
	}
	udp_tests();
	tcp_raw_tests();
	tcp_tests();
	if (!certs)
		tls_tests();
	v6_tests();
	idle_tests();
	limit_tests();
	CHECK_INT(nul_missing, 0, "messages handed over NUL-terminated");
	ev_loop_free(loop);
	remove_certs();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
