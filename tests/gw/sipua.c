/*
 * sipua - an independent, scripted SIP user agent for the gateway tests (UDP, TCP, TLS).
 *
 * It shares no code with gw/: the SIP handling below is written for this tool only, on plain
 * sockets and OpenSSL, so that it can judge the gateway from the outside. Subcommands:
 * call (UAC), serve (UAS), options (liveness), raw (one message byte exact), torture (RFC 4475
 * files) and protos (the PROTOS c07-sip cases, in process). Run "sipua help" for the usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define T1 500
#define T2 4000
#define MAXHDR 160
#define MAXCONN 64
#define MAXDLG 512
#define UDP_MAX 65507

static const char usage_text[] =
"usage: sipua call    --proto udp|tcp|tls --to IP:PORT --file MSG.sip [--expect CODE] [--bye-after MS]\n"
"                     [--cancel-after MS] [--call-id ID] [--local IP:PORT] [--out FILE] [--linger MS]\n"
"                     [--timeout MS] [TLS] [-v]\n"
"       sipua serve   --proto udp|tcp|tls --listen IP:PORT [--answer CODE] [--ring MS] [--answer-after MS]\n"
"                     [--contact URI] [--reason TEXT] [--bye-after MS] [--count N] [--dump DIR] [--timeout MS]\n"
"                     [TLS] [--require-client-cert] [-v]\n"
"       sipua options --proto udp|tcp|tls --to IP:PORT [--timeout MS] [TLS] [-v]\n"
"       sipua raw     --proto udp|tcp --to IP:PORT --file FILE [--timeout MS] [-v]\n"
"       sipua torture --proto udp|tcp --to IP:PORT --dir RFC4475DIR [--wait MS] [-v]\n"
"       sipua protos  --proto udp|tcp --to IP:PORT --dir CASES [--first N] [--count M] [--alive-every N]\n"
"                     [--alive-at N,N,...] [--wait MS] [--pause MS] [--timeout MS] [-v]\n"
"TLS options: --cert FILE --key FILE (own certificate), --ca FILE (verify the peer), --name NAME (expected\n"
"      server name, default the IP of --to). --proto defaults to udp, --timeout to 10000 ms.\n"
"call: sends the INVITE of the template with a new Via (own address, fresh branch), Call-ID (fresh, or\n"
"      --call-id), Contact and Content-Length (bare LF becomes CRLF); adds From tag, Max-Forwards, CSeq\n"
"      when missing and a PCMU/PCMA/telephone-event offer when there is no body. Placeholders: [local_ip]\n"
"      [local_port] [local] [remote_ip] [remote_port] [remote] (= IP:PORT of --to) [transport] [call_id]\n"
"      [branch]. Prints each response's status line (-v: whole messages on stderr), \"cancel CODE\",\n"
"      \"bye CODE\", \"bye received\", and last \"final CODE\" (or \"final timeout\", \"final error\").\n"
"      ACKs finals; after a 2xx sends BYE after --bye-after MS (default 0) unless the far end hangs up\n"
"      first; --cancel-after MS sends CANCEL then (once a provisional came). --out FILE: all received\n"
"      messages, raw. Exit 0 if the final code is --expect (default 200, 487 with --cancel-after),\n"
"      1 for another code (or a failed CANCEL/BYE), 2 on timeout or transport error. --linger MS keeps\n"
"      the socket open after the end (a sipp UAS on TCP fails its call when the peer closes first).\n"
"serve: per INVITE: 100, 180 after --ring MS (default 0, negative: none), the final --answer CODE\n"
"      (default 200 with an SDP answer) --answer-after MS after that; 3xx carry Contact: <--contact>,\n"
"      >=400 carry Reason: --reason. After the ACK of a 2xx, waits for BYE or sends it after --bye-after.\n"
"      CANCEL: 200 and 487. OPTIONS: 200. BYE: 200. Others: 405. --dump DIR writes NNN-method.sip\n"
"      (numbered per method from 001) and NNN-method.meta (proto, src, tls_client_verified).\n"
"      Exit 0 after --count INVITE transactions completed (default 1; 0 = run until --timeout), 1 on\n"
"      timeout.\n"
"options: exit 0 on 2xx (\"alive CODE\"), 1 on another response (\"response CODE\"), 2 without answer.\n"
"raw: sends the file unchanged, prints the status line of the first response; exit 0 unless the\n"
"      transport fails.\n"
"torture: each file of DIR unchanged (over TCP when too large for UDP), on a fresh socket; prints\n"
"      \"FILE CODE\" (the final, else the last provisional, else none) within --wait MS (default 1000).\n"
"protos: fills and sends each case (INVITE, then the CANCEL teardown --wait MS later or as soon as\n"
"      it is answered, default 50; then --pause MS, default 0); counts the responses; OPTIONS before\n"
"      the first case, every --alive-every cases (default 100), before each case of --alive-at and at\n"
"      the end, each waiting up to --timeout. Exit 1 if the server stops answering OPTIONS.\n";

static int verbose;
static FILE *out_fp;
static int64_t hard_deadline;	/* call, options, raw: no blocking step goes past --timeout */

/* ---- small utilities ---- */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sipua: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int final_on_die;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	if (final_on_die)
		printf("final error\n");
	fflush(stdout);
	fputs("sipua: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
	int64_t l = deadline - now_ms();

	if (l < 0)
		return 0;
	return l > INT_MAX ? INT_MAX : (int)l;
}

struct sb {
	char *s;
	size_t len, cap;
};

/* room for n more bytes and a NUL */
static void sb_grow(struct sb *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 512;

	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->s = realloc(b->s, cap);
	if (!b->s)
		die("out of memory");
	b->cap = cap;
}

static void sb_add(struct sb *b, const void *p, size_t n)
{
	sb_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void sb_reset(struct sb *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void sb_free(struct sb *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static void rand_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	for (i = 0; i + 1 < n && i < 2 * sizeof(r); i++)
		out[i] = hex[(r[i / 2] >> ((i & 1) * 4)) & 15];
	out[i] = '\0';
}

static char *load_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sb b = { 0 };
	char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&b, buf, n);
	fclose(f);
	sb_add(&b, "", 0);
	*len = b.len;
	return b.s;
}

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	const char *c = strrchr(s, ':');
	char host[64], *e;
	long port;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	if (!c || (size_t)(c - s) >= sizeof(host))
		return -1;
	memcpy(host, s, c - s);
	host[c - s] = '\0';
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	port = strtol(c + 1, &e, 10);
	if (*e || e == c + 1 || port < 0 || port > 65535)
		return -1;
	a->sin_port = htons((uint16_t)port);
	return 0;
}

static const char *ip_str(const struct sockaddr_in *a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int k;

	k = (k + 1) & 3;
	inet_ntop(AF_INET, &a->sin_addr, buf[k], sizeof(buf[k]));
	return buf[k];
}

static const char *addr_str(const struct sockaddr_in *a)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) & 3;
	snprintf(buf[k], sizeof(buf[k]), "%s:%u", ip_str(a), ntohs(a->sin_port));
	return buf[k];
}

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* ---- SIP message parsing (just what a test UA needs) ---- */

struct hdr {
	const char *name, *value;
};

struct msg {
	char *raw;		/* the bytes as received, NUL terminated */
	size_t rawlen;
	char *hbuf;		/* header block copy, split in place */
	char *sl;		/* start line copy, split in place */
	const char *start;	/* start line as received (in hbuf) */
	int is_req, code;
	const char *method, *uri;
	struct hdr h[MAXHDR];
	int nh;
	const char *body;
	size_t bodylen;
};

/* the end of the header block: returns its length and sets *boff to the body offset, or -1 */
static ssize_t hdr_end(const char *p, size_t n, size_t *boff)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n') {
			*boff = i + 2;
			return (ssize_t)i;
		}
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
			*boff = i + 3;
			return (ssize_t)i;
		}
	}
	return -1;
}

static char *trim(char *s)
{
	size_t l;

	while (*s == ' ' || *s == '\t')
		s++;
	l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		s[--l] = '\0';
	return s;
}

static void msg_split_headers(struct msg *m)
{
	char *line = m->hbuf, *nl, *c;
	int first = 1;

	for (c = m->hbuf; *c; c++)	/* unfold continuation lines */
		if (*c == '\n' && (c[1] == ' ' || c[1] == '\t')) {
			*c = ' ';
			if (c > m->hbuf && c[-1] == '\r')
				c[-1] = ' ';
		}
	while (line) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (first) {
			m->start = trim(line);
			first = 0;
		} else if (m->nh < MAXHDR && (c = strchr(line, ':'))) {
			*c = '\0';
			m->h[m->nh].name = trim(line);
			m->h[m->nh].value = trim(c + 1);
			m->nh++;
		}
		line = nl ? nl + 1 : NULL;
	}
}

static void msg_parse_start(struct msg *m)
{
	char *p, *sp;

	m->sl = strdup(m->start ? m->start : "");
	if (!m->sl)
		die("out of memory");
	if (!strncmp(m->sl, "SIP/2.0 ", 8)) {
		m->code = atoi(m->sl + 8);
		return;
	}
	m->is_req = 1;
	p = m->sl;
	sp = strchr(p, ' ');
	m->method = p;
	if (!sp) {
		m->uri = "";
		return;
	}
	*sp = '\0';
	m->uri = sp + 1;
	sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = '\0';
}

static void msg_parse(struct msg *m, const char *data, size_t len)
{
	size_t boff = len;
	ssize_t hl;

	memset(m, 0, sizeof(*m));
	while (len && (*data == '\r' || *data == '\n')) {
		data++;
		len--;
	}
	m->raw = malloc(len + 1);
	if (!m->raw)
		die("out of memory");
	memcpy(m->raw, data, len);
	m->raw[len] = '\0';
	m->rawlen = len;
	hl = hdr_end(m->raw, len, &boff);
	if (hl < 0)
		hl = (ssize_t)len;
	m->hbuf = strndup(m->raw, hl);
	if (!m->hbuf)
		die("out of memory");
	m->body = m->raw + boff;
	m->bodylen = len - boff;
	msg_split_headers(m);
	msg_parse_start(m);
}

static void msg_free(struct msg *m)
{
	free(m->raw);
	free(m->hbuf);
	free(m->sl);
	memset(m, 0, sizeof(*m));
}

static int hdr_is(const char *name, const char *want)
{
	static const char *const compact[][2] = {
		{ "v", "Via" }, { "f", "From" }, { "t", "To" }, { "i", "Call-ID" }, { "m", "Contact" },
		{ "l", "Content-Length" }, { "c", "Content-Type" }, { "k", "Supported" }, { "s", "Subject" },
	};
	size_t i;

	if (!strcasecmp(name, want))
		return 1;
	for (i = 0; i < sizeof(compact) / sizeof(compact[0]); i++)
		if (!strcasecmp(name, compact[i][0]) && !strcasecmp(want, compact[i][1]))
			return 1;
	return 0;
}

static const char *msg_hdr(const struct msg *m, const char *name)
{
	int i;

	for (i = 0; i < m->nh; i++)
		if (hdr_is(m->h[i].name, name))
			return m->h[i].value;
	return NULL;
}

static const char *msg_hdr_s(const struct msg *m, const char *name)
{
	const char *v = msg_hdr(m, name);

	return v ? v : "";
}

/* a ;name=value parameter of a header value (first occurrence), copied to out */
static int get_param(const char *v, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name), i;
	const char *p = v;

	out[0] = '\0';
	if (!v)
		return -1;
	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nl) || p[nl] != '=')
			continue;
		p += nl + 1;
		for (i = 0; *p && !strchr(";,> \t", *p) && i + 1 < n; i++)
			out[i] = *p++;
		out[i] = '\0';
		return 0;
	}
	return -1;
}

static void msg_branch(const struct msg *m, char *out, size_t n)
{
	get_param(msg_hdr(m, "Via"), "branch", out, n);
}

static long msg_cseq(const struct msg *m, char *method, size_t n)
{
	const char *v = msg_hdr_s(m, "CSeq");
	char *e;
	long num = strtol(v, &e, 10);
	size_t i;

	while (*e == ' ' || *e == '\t')
		e++;
	for (i = 0; e[i] && e[i] != ' ' && i + 1 < n; i++)
		method[i] = e[i];
	method[i] = '\0';
	return num;
}

/* the URI of a name-addr or addr-spec header value */
static void hdr_uri(const char *v, char *out, size_t n)
{
	const char *a, *b;
	size_t l;

	out[0] = '\0';
	if (!v)
		return;
	a = strchr(v, '<');
	if (a) {
		a++;
		b = strchr(a, '>');
	} else {
		a = v;
		b = strpbrk(a, ";, ");
	}
	l = b ? (size_t)(b - a) : strlen(a);
	if (l >= n)
		l = n - 1;
	memcpy(out, a, l);
	out[l] = '\0';
}

/* host:port of a sip: URI when the host is an IPv4 literal */
static int uri_addr(const char *uri, struct sockaddr_in *a, int defport)
{
	const char *p = strchr(uri, ':'), *at;
	char hp[64];
	size_t l;

	if (!p)
		return -1;
	p++;
	at = strchr(p, '@');
	if (at)
		p = at + 1;
	l = strcspn(p, ";>?");
	if (l >= sizeof(hp) - 8)
		return -1;
	memcpy(hp, p, l);
	hp[l] = '\0';
	if (!strchr(hp, ':'))
		snprintf(hp + l, sizeof(hp) - l, ":%d", defport);
	return parse_addr(hp, a);
}

static int msg_from_call(const struct msg *m, const char *callid)
{
	return !strcmp(msg_hdr_s(m, "Call-ID"), callid);
}

/* ---- transports: one UDP socket, or a TCP/TLS listener and connections ---- */

enum { P_UDP, P_TCP, P_TLS };
static const char *const proto_lc[] = { "udp", "tcp", "tls" };
static const char *const proto_uc[] = { "UDP", "TCP", "TLS" };

struct conn {
	int fd, eof, verified;
	SSL *ssl;
	struct sockaddr_in peer;
	struct sb rb;
};

struct ep {
	int proto, ufd, lfd, quiet, refused;
	struct sockaddr_in local;
	SSL_CTX *srv, *cli;
	const char *tls_name;
	struct conn c[MAXCONN];
};

struct peer {
	struct sockaddr_in addr;
	int ci;			/* connection index, -1 for UDP */
};

struct opts {
	int proto, have_to, have_local, have_listen;
	struct sockaddr_in to, local;
	const char *file, *cert, *key, *ca, *name, *out, *dump, *contact, *reason, *call_id, *dir, *alive_at;
	int expect, bye_after, cancel_after, timeout, answer, ring, answer_after, count, require_cc, linger;
	int first, ncases, alive_every, wait, pause;
};

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* the deadline of a blocking step (connect, handshake, write): 3 s, within --timeout */
static int64_t step_deadline(void)
{
	int64_t dl = now_ms() + 3000;

	return hard_deadline && hard_deadline < dl ? hard_deadline : dl;
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, left_ms(deadline)) > 0 ? 0 : -1;
}

static const char *ssl_errstr(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (!e)
		return "no OpenSSL error queued";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static int tls_handshake(SSL *ssl, int fd, int server, int64_t deadline)
{
	for (;;) {
		int r = server ? SSL_accept(ssl) : SSL_connect(ssl);
		int e;

		if (r == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			if (wait_fd(fd, POLLIN, deadline))
				return -1;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(fd, POLLOUT, deadline))
				return -1;
		} else {
			return -1;
		}
	}
}

static int accept_any_cert(int ok, X509_STORE_CTX *x)
{
	return 1;
}

static SSL_CTX *tls_ctx(int server, const struct opts *o)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (!ctx)
		die("SSL_CTX_new: %s", ssl_errstr());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (o->cert) {
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
			die("--cert %s: %s", o->cert, ssl_errstr());
		if (SSL_CTX_use_PrivateKey_file(ctx, o->key ? o->key : o->cert, SSL_FILETYPE_PEM) != 1)
			die("--key %s: %s", o->key ? o->key : o->cert, ssl_errstr());
	}
	if (o->ca && SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1)
		die("--ca %s: %s", o->ca, ssl_errstr());
	if (!server) {
		SSL_CTX_set_verify(ctx, o->ca ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	if (o->require_cc)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	else if (o->ca)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_cert);
	if (o->ca)
		SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(o->ca));
	return ctx;
}

static void ep_init(struct ep *ep, int proto)
{
	int i;

	memset(ep, 0, sizeof(*ep));
	ep->proto = proto;
	ep->ufd = ep->lfd = -1;
	for (i = 0; i < MAXCONN; i++)
		ep->c[i].fd = -1;
}

static void conn_close(struct ep *ep, int ci)
{
	struct conn *c = &ep->c[ci];

	if (c->fd < 0)
		return;
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
	c->eof = 0;
	sb_reset(&c->rb);
}

static void ep_close(struct ep *ep)
{
	int i;

	for (i = 0; i < MAXCONN; i++) {
		conn_close(ep, i);
		sb_free(&ep->c[i].rb);
	}
	if (ep->ufd >= 0)
		close(ep->ufd);
	if (ep->lfd >= 0)
		close(ep->lfd);
	ep->ufd = ep->lfd = -1;
	SSL_CTX_free(ep->srv);
	SSL_CTX_free(ep->cli);
	ep->srv = ep->cli = NULL;
}

static int conn_add(struct ep *ep, int fd, SSL *ssl, const struct sockaddr_in *peer, int verified)
{
	int i;

	for (i = 0; i < MAXCONN; i++) {
		struct conn *c = &ep->c[i];

		if (c->fd >= 0)
			continue;
		c->fd = fd;
		c->ssl = ssl;
		c->peer = *peer;
		c->verified = verified;
		c->eof = 0;
		sb_reset(&c->rb);
		return i;
	}
	note("too many connections, dropping %s", addr_str(peer));
	if (ssl)
		SSL_free(ssl);
	close(fd);
	return -1;
}

/* the local address the kernel would use towards dst */
static void route_src(const struct sockaddr_in *dst, struct sockaddr_in *out)
{
	socklen_t l = sizeof(*out);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return;
	if (!connect(fd, (const struct sockaddr *)dst, sizeof(*dst)))
		getsockname(fd, (struct sockaddr *)out, &l);
	out->sin_port = 0;
	close(fd);
}

/* binds the UDP socket, or the TCP/TLS listener when listen_too; fills ep->local */
static int ep_bind(struct ep *ep, const struct sockaddr_in *local, int listen_too)
{
	socklen_t l = sizeof(ep->local);
	int one = 1, big = 4 << 20, fd;

	ep->local = *local;
	if (ep->proto != P_UDP && !listen_too)
		return 0;
	fd = socket(AF_INET, ep->proto == P_UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (ep->proto == P_UDP)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	else
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)local, sizeof(*local)) ||
	    (ep->proto != P_UDP && listen(fd, 64))) {
		note("bind %s %s: %s", proto_lc[ep->proto], addr_str(local), strerror(errno));
		close(fd);
		return -1;
	}
	set_nonblock(fd);
	getsockname(fd, (struct sockaddr *)&ep->local, &l);
	if (ep->proto == P_UDP)
		ep->ufd = fd;
	else
		ep->lfd = fd;
	return 0;
}

static void tls_set_name(struct ep *ep, SSL *ssl, const struct sockaddr_in *to)
{
	const char *name = ep->tls_name ? ep->tls_name : ip_str(to);
	struct in_addr ia;

	if (inet_pton(AF_INET, name, &ia) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
		return;
	}
	SSL_set_tlsext_host_name(ssl, name);
	SSL_set1_host(ssl, name);
}

static int tls_client(struct ep *ep, int fd, const struct sockaddr_in *to, int64_t dl, SSL **out)
{
	SSL *ssl = SSL_new(ep->cli);
	long vr;

	SSL_set_fd(ssl, fd);
	tls_set_name(ep, ssl, to);
	if (!tls_handshake(ssl, fd, 0, dl)) {
		*out = ssl;
		return 0;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK)
		note("tls to %s: certificate verification failed: %s", addr_str(to), X509_verify_cert_error_string(vr));
	else
		note("tls handshake with %s failed: %s", addr_str(to), now_ms() >= dl ? "timed out" : ssl_errstr());
	SSL_free(ssl);
	return -1;
}

static int ep_connect(struct ep *ep, const struct sockaddr_in *to)
{
	int64_t dl = step_deadline();
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, err = 0;
	struct sockaddr_in la = ep->local;
	socklen_t sl = sizeof(err);
	SSL *ssl = NULL;

	if (fd < 0)
		return -1;
	la.sin_port = 0;
	bind(fd, (struct sockaddr *)&la, sizeof(la));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_nonblock(fd);
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) && errno != EINPROGRESS)
		err = errno;
	else if (wait_fd(fd, POLLOUT, dl))
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl))
		err = errno;
	if (err) {
		ep->refused++;
		if (!ep->quiet || ep->refused == 1)
			note("connect %s %s: %s", ep->proto == P_TLS ? "tls" : "tcp", addr_str(to), strerror(err));
		close(fd);
		return -1;
	}
	if (ep->proto == P_TLS && tls_client(ep, fd, to, dl, &ssl)) {
		close(fd);
		return -1;
	}
	if (ep->lfd < 0 && !ep->local.sin_port) {
		sl = sizeof(la);
		getsockname(fd, (struct sockaddr *)&la, &sl);
		ep->local = la;
	}
	return conn_add(ep, fd, ssl, to, 0);
}

/* the server side TLS handshake of an accepted connection; sets *verified */
static SSL *tls_server(struct ep *ep, int fd, const struct sockaddr_in *a, int *verified)
{
	int64_t dl = step_deadline();
	SSL *ssl;
	X509 *x;

	if (!ep->srv) {
		note("tls connection from %s refused: no --cert/--key", addr_str(a));
		return NULL;
	}
	ssl = SSL_new(ep->srv);
	SSL_set_fd(ssl, fd);
	if (tls_handshake(ssl, fd, 1, dl)) {
		note("tls handshake from %s failed: %s", addr_str(a), now_ms() >= dl ? "timed out" : ssl_errstr());
		SSL_free(ssl);
		return NULL;
	}
	x = SSL_get1_peer_certificate(ssl);
	*verified = x && SSL_get_verify_result(ssl) == X509_V_OK;
	X509_free(x);
	return ssl;
}

static void ep_accept(struct ep *ep)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = accept4(ep->lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK), one = 1, verified = 0;
	SSL *ssl = NULL;

	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ep->proto == P_TLS && !(ssl = tls_server(ep, fd, &a, &verified))) {
		close(fd);
		return;
	}
	if (verbose)
		note("%s connection from %s", proto_lc[ep->proto], addr_str(&a));
	conn_add(ep, fd, ssl, &a, verified);
}

static int conn_write(struct conn *c, const char *p, size_t n)
{
	int64_t dl = step_deadline();
	ssize_t w;
	int r, e;

	while (n) {
		if (c->ssl) {
			r = SSL_write(c->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
			if (r <= 0) {
				e = SSL_get_error(c->ssl, r);
				if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ)
					return -1;
				if (wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, dl))
					return -1;
				continue;
			}
			w = r;
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno != EAGAIN && errno != EINTR)
					return -1;
				if (wait_fd(c->fd, POLLOUT, dl))
					return -1;
				continue;
			}
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int ep_find(struct ep *ep, const struct sockaddr_in *a)
{
	int i;

	for (i = 0; i < MAXCONN; i++)
		if (ep->c[i].fd >= 0 && !ep->c[i].eof && same_addr(&ep->c[i].peer, a))
			return i;
	return -1;
}

static int ep_send(struct ep *ep, struct peer *to, const char *buf, size_t len)
{
	struct conn *c;

	if (verbose)
		fprintf(stderr, "--> %s %s\n%.*s\n", proto_lc[ep->proto], addr_str(&to->addr), (int)len, buf);
	if (to->ci < 0 && ep->proto == P_UDP && len <= UDP_MAX) {
		if (sendto(ep->ufd, buf, len, 0, (struct sockaddr *)&to->addr, sizeof(to->addr)) < 0) {
			note("send to %s: %s", addr_str(&to->addr), strerror(errno));
			return -1;
		}
		return 0;
	}
	if (to->ci >= 0 && (ep->c[to->ci].fd < 0 || !same_addr(&ep->c[to->ci].peer, &to->addr)))
		to->ci = -1;
	if (to->ci < 0)
		to->ci = ep_find(ep, &to->addr);
	if (to->ci < 0)
		to->ci = ep_connect(ep, &to->addr);
	if (to->ci < 0)
		return -1;
	c = &ep->c[to->ci];
	if (conn_write(c, buf, len)) {
		note("send to %s failed: %s", addr_str(&to->addr), c->ssl ? ssl_errstr() : strerror(errno));
		conn_close(ep, to->ci);
		to->ci = -1;
		return -1;
	}
	return 0;
}

/* the Content-Length of a header block (long or compact form), 0 when absent */
static long find_clen(const char *p, size_t hl)
{
	size_t i = 0, l;
	const char *line, *c, *q;

	while (i < hl) {
		line = p + i;
		c = memchr(line, '\n', hl - i);
		l = c ? (size_t)(c - line) : hl - i;
		q = NULL;
		if (l > 14 && !strncasecmp(line, "content-length", 14))
			q = line + 14;
		else if (l > 1 && (*line == 'l' || *line == 'L') && strchr(" \t:", line[1]))
			q = line + 1;
		while (q && q < line + l && (*q == ' ' || *q == '\t'))
			q++;
		if (q && q < line + l && *q == ':')
			return strtol(q + 1, NULL, 10);
		i += l + 1;
	}
	return 0;
}

/* a complete message at the head of a stream buffer */
static int conn_frame(struct conn *c, struct msg *m)
{
	size_t k = 0, boff, total;
	ssize_t hl;
	long cl;

	while (k < c->rb.len && (c->rb.s[k] == '\r' || c->rb.s[k] == '\n'))
		k++;
	if (k) {
		memmove(c->rb.s, c->rb.s + k, c->rb.len - k);
		c->rb.len -= k;
	}
	hl = hdr_end(c->rb.s, c->rb.len, &boff);
	if (hl < 0)
		return 0;
	cl = find_clen(c->rb.s, (size_t)hl);
	if (cl < 0)
		cl = 0;
	total = boff + (size_t)cl;
	if (c->rb.len < total)
		return 0;
	msg_parse(m, c->rb.s, total);
	memmove(c->rb.s, c->rb.s + total, c->rb.len - total);
	c->rb.len -= total;
	return 1;
}

static void conn_read(struct conn *c)
{
	char buf[16384];
	ssize_t n;
	int r, e;

	for (;;) {
		if (c->ssl) {
			r = SSL_read(c->ssl, buf, sizeof(buf));
			if (r <= 0) {
				e = SSL_get_error(c->ssl, r);
				if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					c->eof = 1;
				return;
			}
			n = r;
		} else {
			n = recv(c->fd, buf, sizeof(buf), 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n <= 0) {
				c->eof = 1;
				return;
			}
		}
		sb_add(&c->rb, buf, (size_t)n);
		if (c->rb.len > (8u << 20)) {
			c->eof = 1;
			return;
		}
	}
}

static void note_rx(const struct ep *ep, const struct msg *m, const struct peer *from)
{
	if (verbose)
		fprintf(stderr, "<-- %s %s\n%.*s\n", proto_lc[ep->proto], addr_str(&from->addr), (int)m->rawlen,
			m->raw);
	if (out_fp) {
		fwrite(m->raw, 1, m->rawlen, out_fp);
		fflush(out_fp);
	}
}

static int udp_read(struct ep *ep, struct msg *m, struct peer *from)
{
	static char buf[65536];
	socklen_t al = sizeof(from->addr);
	ssize_t n = recvfrom(ep->ufd, buf, sizeof(buf), 0, (struct sockaddr *)&from->addr, &al);
	ssize_t k = 0;

	if (n <= 0)
		return 0;
	while (k < n && (buf[k] == '\r' || buf[k] == '\n' || buf[k] == ' ' || !buf[k]))
		k++;
	if (k == n)
		return 0;
	msg_parse(m, buf, (size_t)n);
	from->ci = -1;
	return 1;
}

/* a buffered, complete message of any connection; closes finished connections */
static int ep_buffered(struct ep *ep, struct msg *m, struct peer *from, int *again)
{
	int i;

	for (i = 0; i < MAXCONN; i++) {
		struct conn *c = &ep->c[i];

		if (c->fd < 0)
			continue;
		if (conn_frame(c, m)) {
			from->addr = c->peer;
			from->ci = i;
			return 1;
		}
		if (c->eof) {
			if (verbose)
				note("connection with %s closed", addr_str(&c->peer));
			conn_close(ep, i);
		} else if (c->ssl && SSL_pending(c->ssl) > 0) {
			conn_read(c);
			*again = 1;
		}
	}
	return 0;
}

/* the next message within ms: 1 got one, 0 time out, -1 error */
static int ep_recv(struct ep *ep, int ms, struct msg *m, struct peer *from)
{
	int64_t dl = now_ms() + ms;
	struct pollfd pf[MAXCONN + 2];
	int idx[MAXCONN + 2], n, i, r, again;

	for (;;) {
		again = 0;
		if (ep_buffered(ep, m, from, &again)) {
			note_rx(ep, m, from);
			return 1;
		}
		if (again)
			continue;
		n = 0;
		if (ep->ufd >= 0) {
			pf[n] = (struct pollfd){ .fd = ep->ufd, .events = POLLIN };
			idx[n++] = -1;
		}
		if (ep->lfd >= 0) {
			pf[n] = (struct pollfd){ .fd = ep->lfd, .events = POLLIN };
			idx[n++] = -2;
		}
		for (i = 0; i < MAXCONN; i++)
			if (ep->c[i].fd >= 0) {
				pf[n] = (struct pollfd){ .fd = ep->c[i].fd, .events = POLLIN };
				idx[n++] = i;
			}
		r = poll(pf, n, left_ms(dl));
		if (r < 0 && errno != EINTR)
			return -1;
		for (i = 0; r > 0 && i < n; i++) {
			if (!pf[i].revents)
				continue;
			if (idx[i] == -1) {
				if (udp_read(ep, m, from)) {
					note_rx(ep, m, from);
					return 1;
				}
			} else if (idx[i] == -2) {
				ep_accept(ep);
			} else {
				conn_read(&ep->c[idx[i]]);
			}
		}
		if (r <= 0 && now_ms() >= dl)
			return 0;
	}
}

/* ---- building messages ---- */

static const char *reason_phrase(int code)
{
	static const struct {
		int code;
		const char *text;
	} t[] = {
		{ 100, "Trying" }, { 180, "Ringing" }, { 181, "Call Is Being Forwarded" }, { 182, "Queued" },
		{ 183, "Session Progress" }, { 200, "OK" }, { 202, "Accepted" }, { 300, "Multiple Choices" },
		{ 301, "Moved Permanently" }, { 302, "Moved Temporarily" }, { 305, "Use Proxy" },
		{ 380, "Alternative Service" }, { 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" }, { 410, "Gone" },
		{ 480, "Temporarily Unavailable" }, { 481, "Call/Transaction Does Not Exist" },
		{ 484, "Address Incomplete" }, { 486, "Busy Here" }, { 487, "Request Terminated" },
		{ 488, "Not Acceptable Here" }, { 500, "Server Internal Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Server Time-out" }, { 600, "Busy Everywhere" },
		{ 603, "Decline" }, { 604, "Does Not Exist Anywhere" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == code)
			return t[i].text;
	return "Unknown";
}

static void make_sdp(struct sb *b, const struct ep *ep, const char *pts)
{
	char id[9];

	rand_hex(id, sizeof(id));
	sb_printf(b, "v=0\r\no=sipua %lu 1 IN IP4 %s\r\ns=sipua\r\nc=IN IP4 %s\r\nt=0 0\r\n",
		  strtoul(id, NULL, 16), ip_str(&ep->local), ip_str(&ep->local));
	sb_printf(b, "m=audio %u RTP/AVP %s\r\n", 40000u + (ntohs(ep->local.sin_port) % 10000) * 2, pts);
	if (strstr(pts, "0 ") || !strcmp(pts, "0"))
		sb_puts(b, "a=rtpmap:0 PCMU/8000\r\n");
	if (strstr(pts, "8"))
		sb_puts(b, "a=rtpmap:8 PCMA/8000\r\n");
	if (strstr(pts, "101"))
		sb_puts(b, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
	sb_puts(b, "a=ptime:20\r\na=sendrecv\r\n");
}

/* an SDP answer: the first of PCMU/PCMA offered, and telephone-event if offered */
static void make_answer(struct sb *b, const struct ep *ep, const struct msg *offer)
{
	const char *m = strstr(offer->body, "m=audio ");
	const char *pt = "0";
	char line[256];
	size_t l;

	if (m) {
		l = strcspn(m, "\r\n");
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, m, l);
		line[l] = '\0';
		m = strstr(line, "RTP/AVP ");
		if (m) {
			char *s = strdup(m + 8), *tok, *save = NULL;
			int has_te = strstr(line, " 101") != NULL;

			for (tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (!strcmp(tok, "0") || !strcmp(tok, "8")) {
					pt = !strcmp(tok, "0") ? (has_te ? "0 101" : "0") : (has_te ? "8 101" : "8");
					break;
				}
			free(s);
		}
	}
	make_sdp(b, ep, pt);
}

static void make_via(char *out, size_t n, const struct ep *ep, const char *branch)
{
	snprintf(out, n, "SIP/2.0/%s %s;branch=%s;rport", proto_uc[ep->proto], addr_str(&ep->local), branch);
}

static void new_branch(char *out, size_t n)
{
	char r[17];

	rand_hex(r, sizeof(r));
	snprintf(out, n, "z9hG4bK%s", r);
}

static void contact_uri(char *out, size_t n, const struct ep *ep)
{
	snprintf(out, n, "sip:sipua@%s%s%s", addr_str(&ep->local), ep->proto == P_UDP ? "" : ";transport=",
		 ep->proto == P_UDP ? "" : proto_lc[ep->proto]);
}

static void build_resp(struct sb *b, const struct ep *ep, const struct msg *req, int code, const char *totag,
		       const char *extra, const char *ctype, const struct sb *body)
{
	char tag[64], curi[128];
	int i;

	sb_printf(b, "SIP/2.0 %d %s\r\n", code, reason_phrase(code));
	for (i = 0; i < req->nh; i++)
		if (hdr_is(req->h[i].name, "Via"))
			sb_printf(b, "Via: %s\r\n", req->h[i].value);
	sb_printf(b, "From: %s\r\n", msg_hdr_s(req, "From"));
	if (totag && code > 100 && get_param(msg_hdr(req, "To"), "tag", tag, sizeof(tag)))
		sb_printf(b, "To: %s;tag=%s\r\n", msg_hdr_s(req, "To"), totag);
	else
		sb_printf(b, "To: %s\r\n", msg_hdr_s(req, "To"));
	sb_printf(b, "Call-ID: %s\r\nCSeq: %s\r\n", msg_hdr_s(req, "Call-ID"), msg_hdr_s(req, "CSeq"));
	if (code > 100 && code < 300 && req->method && !strcmp(req->method, "INVITE")) {
		contact_uri(curi, sizeof(curi), ep);
		sb_printf(b, "Contact: <%s>\r\n", curi);
	}
	if (extra)
		sb_puts(b, extra);
	sb_puts(b, "Server: sipua\r\n");
	if (body && body->len) {
		sb_printf(b, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", ctype, body->len);
		sb_add(b, body->s, body->len);
	} else {
		sb_puts(b, "Content-Length: 0\r\n\r\n");
	}
}

static int send_resp(struct ep *ep, struct peer *to, const struct msg *req, int code, const char *totag,
		     const char *extra, const struct sb *sdp)
{
	struct sb b = { 0 };
	int r;

	build_resp(&b, ep, req, code, totag, extra, "application/sdp", sdp);
	r = ep_send(ep, to, b.s, b.len);
	sb_free(&b);
	return r;
}

struct req_parts {
	const char *method, *ruri, *via, *from, *to, *callid, *route, *extra;
	long cseq;
	const struct sb *sdp;
};

static void build_req(struct sb *b, const struct req_parts *r)
{
	sb_printf(b, "%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n", r->method, r->ruri, r->via);
	sb_printf(b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %ld %s\r\n", r->from, r->to, r->callid, r->cseq,
		  r->method);
	if (r->route)
		sb_puts(b, r->route);
	if (r->extra)
		sb_puts(b, r->extra);
	sb_puts(b, "User-Agent: sipua\r\n");
	if (r->sdp && r->sdp->len) {
		sb_printf(b, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n", r->sdp->len);
		sb_add(b, r->sdp->s, r->sdp->len);
	} else {
		sb_puts(b, "Content-Length: 0\r\n\r\n");
	}
}

/* answers the usual in-dialog and out-of-dialog requests of a UA: 200, or 405 */
static void answer_misc(struct ep *ep, struct peer *from, const struct msg *m, const char *totag)
{
	static const char *const ok[] = { "BYE", "OPTIONS", "INFO", "UPDATE", "NOTIFY", "MESSAGE", "PRACK" };
	size_t i;

	if (!strcmp(m->method, "ACK"))
		return;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(m->method, ok[i])) {
			send_resp(ep, from, m, 200, totag,
				  strcmp(m->method, "OPTIONS") ? NULL :
				  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nAccept: application/sdp\r\n", NULL);
			return;
		}
	if (!strcmp(m->method, "CANCEL")) {
		send_resp(ep, from, m, 481, totag, NULL, NULL);
		return;
	}
	send_resp(ep, from, m, 405, totag, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n", NULL);
}

/* ---- call: the UAC ---- */

struct ucall {
	struct ep ep;
	struct peer dst;	/* where the INVITE went */
	struct msg inv;		/* our INVITE as sent */
	char branch[64], bye_branch[64], method[32], target[256], route[1024];
	char *remote_to;
	long cseq;
	int final, got_resp, established, remote_bye, cancel_sent, cancel_code, bye_sent, bye_code;
	int retx_int, cancel_int, bye_int, bye_after;
	int64_t t_retx, t_cancel, t_cancel_retx, t_bye, t_bye_retx, t_grace;
	struct sb ack, cancel, bye;
	struct peer ackdst;
};

static void tpl_placeholders(struct sb *out, const char *in, size_t n, const char *const (*map)[2])
{
	size_t i, k, l;

	for (i = 0; i < n; i++) {
		if (in[i] == '[' || in[i] == '<') {
			for (k = 0; map[k][0]; k++) {
				l = strlen(map[k][0]);
				if (in[i] == map[k][0][0] && i + l <= n && !memcmp(in + i, map[k][0], l))
					break;
			}
			if (map[k][0]) {
				sb_puts(out, map[k][1]);
				i += l - 1;
				continue;
			}
		}
		sb_add(out, in + i, 1);
	}
}

static void to_crlf(struct sb *out, const char *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			sb_add(out, "\r", 1);
		sb_add(out, in + i, 1);
	}
}

struct tpl_state {
	int has_from, has_to, has_cseq, has_mf, has_callid, has_contact, skip;
};

static void tpl_header(struct sb *o, const char *line, size_t l, struct ucall *c, const char *callid,
		       int add_sdp, struct tpl_state *st)
{
	char name[64], curi[128], tag[64];
	const char *colon = memchr(line, ':', l), *v;
	size_t nl;

	if (l && (*line == ' ' || *line == '\t')) {
		if (!st->skip) {
			sb_add(o, line, l);
			sb_puts(o, "\r\n");
		}
		return;
	}
	st->skip = 0;
	nl = colon ? (size_t)(colon - line) : 0;
	while (nl && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
		nl--;
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, line, nl);
	name[nl] = '\0';
	v = colon ? colon + 1 : line + l;
	while (v < line + l && (*v == ' ' || *v == '\t'))
		v++;
	if (hdr_is(name, "Via") || hdr_is(name, "Content-Length") || (add_sdp && hdr_is(name, "Content-Type"))) {
		st->skip = 1;
		return;
	}
	if (hdr_is(name, "Call-ID")) {
		st->has_callid = 1;
		sb_printf(o, "Call-ID: %s\r\n", callid);
		st->skip = 1;
		return;
	}
	if (hdr_is(name, "Contact")) {
		st->has_contact = 1;
		contact_uri(curi, sizeof(curi), &c->ep);
		sb_printf(o, "Contact: <%s>\r\n", curi);
		st->skip = 1;
		return;
	}
	st->has_from |= hdr_is(name, "From");
	st->has_to |= hdr_is(name, "To");
	st->has_cseq |= hdr_is(name, "CSeq");
	st->has_mf |= hdr_is(name, "Max-Forwards");
	sb_add(o, line, l);
	if (hdr_is(name, "From")) {
		char *fv = strndup(v, line + l - v);

		if (get_param(fv, "tag", tag, sizeof(tag))) {
			rand_hex(tag, 11);
			sb_printf(o, ";tag=%s", tag);
		}
		free(fv);
	}
	sb_puts(o, "\r\n");
}

/* the INVITE from the template: see the usage text for what is replaced */
static void build_invite(struct sb *o, struct ucall *c, const char *tpl, size_t tlen, const char *callid)
{
	struct sb crlf = { 0 }, s = { 0 }, sdp = { 0 };
	struct tpl_state st = { 0 };
	char lip[32], lport[8], rip[32], rport[8], via[256], curi[128], tag[12], ruri[256];
	const char *map[][2] = {
		{ "[local_ip]", lip }, { "[local_port]", lport }, { "[local]", addr_str(&c->ep.local) },
		{ "[remote_ip]", rip }, { "[remote_port]", rport }, { "[remote]", addr_str(&c->dst.addr) },
		{ "[transport]", proto_lc[c->ep.proto] }, { "[call_id]", callid }, { "[branch]", c->branch },
		{ NULL, NULL },
	};
	const char *p, *end, *body, *e;
	size_t bodylen, l;
	ssize_t hl;
	size_t boff;
	int first = 1;

	snprintf(lip, sizeof(lip), "%s", ip_str(&c->ep.local));
	snprintf(lport, sizeof(lport), "%u", ntohs(c->ep.local.sin_port));
	snprintf(rip, sizeof(rip), "%s", ip_str(&c->dst.addr));
	snprintf(rport, sizeof(rport), "%u", ntohs(c->dst.addr.sin_port));
	to_crlf(&crlf, tpl, tlen);
	tpl_placeholders(&s, crlf.s ? crlf.s : "", crlf.len, map);
	sb_add(&s, "", 0);
	while (s.len >= 2 && s.s[s.len - 1] == '\n' && hdr_end(s.s, s.len, &boff) < 0)
		s.s[--s.len] = '\0';	/* a header-only template without the blank line */
	hl = hdr_end(s.s, s.len, &boff);
	if (hl < 0) {
		hl = (ssize_t)s.len;
		boff = s.len;
	}
	body = s.s + boff;
	bodylen = s.len - boff;
	if (!bodylen)
		make_sdp(&sdp, &c->ep, "0 8 101");
	for (p = s.s, end = s.s + hl; p < end; p = e + 1) {
		e = memchr(p, '\n', end - p);
		if (!e)
			e = end;
		l = (size_t)(e - p);
		if (l && p[l - 1] == '\r')
			l--;
		if (first) {
			sb_add(o, p, l);
			sb_puts(o, "\r\n");
			make_via(via, sizeof(via), &c->ep, c->branch);
			sb_printf(o, "Via: %s\r\n", via);
			snprintf(ruri, sizeof(ruri), "%.*s", (int)l, p);
			first = 0;
			continue;
		}
		if (l)
			tpl_header(o, p, l, c, callid, !bodylen, &st);
	}
	contact_uri(curi, sizeof(curi), &c->ep);
	if (!st.has_mf)
		sb_puts(o, "Max-Forwards: 70\r\n");
	if (!st.has_from) {
		rand_hex(tag, sizeof(tag));
		sb_printf(o, "From: <sip:sipua@%s>;tag=%s\r\n", ip_str(&c->ep.local), tag);
	}
	if (!st.has_to) {
		char *sp = strchr(ruri, ' '), *sp2 = sp ? strchr(sp + 1, ' ') : NULL;

		if (sp2)
			*sp2 = '\0';
		sb_printf(o, "To: <%s>\r\n", sp ? sp + 1 : ruri);
	}
	if (!st.has_callid)
		sb_printf(o, "Call-ID: %s\r\n", callid);
	if (!st.has_cseq)
		sb_puts(o, "CSeq: 1 INVITE\r\n");
	if (!st.has_contact)
		sb_printf(o, "Contact: <%s>\r\n", curi);
	if (!bodylen) {
		sb_printf(o, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n", sdp.len);
		sb_add(o, sdp.s, sdp.len);
	} else {
		sb_printf(o, "Content-Length: %zu\r\n\r\n", bodylen);
		sb_add(o, body, bodylen);
	}
	sb_free(&crlf);
	sb_free(&s);
	sb_free(&sdp);
}

static void call_send(struct ucall *c, struct peer *to, const struct sb *b)
{
	if (ep_send(&c->ep, to, b->s, b->len))
		die("transport error");
}

/* ACK for a non-2xx final: same branch, the response's To */
static void call_ack_non2xx(struct ucall *c, const struct msg *r)
{
	struct req_parts p = {
		.method = "ACK", .ruri = c->inv.uri, .via = msg_hdr_s(&c->inv, "Via"),
		.from = msg_hdr_s(&c->inv, "From"), .to = msg_hdr_s(r, "To"), .callid = msg_hdr_s(&c->inv, "Call-ID"),
		.cseq = c->cseq,
	};

	if (!c->ack.len) {
		build_req(&c->ack, &p);
		c->ackdst = c->dst;
	}
	call_send(c, &c->ackdst, &c->ack);
}

static void call_route_set(struct ucall *c, const struct msg *r)
{
	int i;

	c->route[0] = '\0';
	for (i = r->nh - 1; i >= 0; i--)
		if (hdr_is(r->h[i].name, "Record-Route")) {
			size_t l = strlen(c->route);

			snprintf(c->route + l, sizeof(c->route) - l, "Route: %s\r\n", r->h[i].value);
		}
}

/* ACK for a 2xx: a new branch, to the Contact (UDP) or on the same connection */
static void call_ack_2xx(struct ucall *c, const struct msg *r, const struct peer *from)
{
	char via[256], br[64];
	struct req_parts p = { .method = "ACK", .cseq = c->cseq };

	if (!c->ack.len) {
		hdr_uri(msg_hdr(r, "Contact"), c->target, sizeof(c->target));
		if (!c->target[0])
			snprintf(c->target, sizeof(c->target), "%s", c->inv.uri);
		call_route_set(c, r);
		c->remote_to = strdup(msg_hdr_s(r, "To"));
		c->ackdst = *from;
		if (c->ep.proto == P_UDP && !c->route[0] &&
		    uri_addr(c->target, &c->ackdst.addr, 5060))
			c->ackdst.addr = c->dst.addr;
		new_branch(br, sizeof(br));
		make_via(via, sizeof(via), &c->ep, br);
		p.ruri = c->target;
		p.via = via;
		p.from = msg_hdr_s(&c->inv, "From");
		p.to = c->remote_to;
		p.callid = msg_hdr_s(&c->inv, "Call-ID");
		p.route = c->route[0] ? c->route : NULL;
		build_req(&c->ack, &p);
	}
	call_send(c, &c->ackdst, &c->ack);
}

static void call_send_bye(struct ucall *c)
{
	char via[256];
	struct req_parts p = {
		.method = "BYE", .ruri = c->target, .via = via, .from = msg_hdr_s(&c->inv, "From"),
		.to = c->remote_to, .callid = msg_hdr_s(&c->inv, "Call-ID"), .cseq = c->cseq + 1,
		.route = c->route[0] ? c->route : NULL,
	};

	new_branch(c->bye_branch, sizeof(c->bye_branch));
	make_via(via, sizeof(via), &c->ep, c->bye_branch);
	build_req(&c->bye, &p);
	c->bye_sent = 1;
	c->bye_int = T1;
	c->t_bye_retx = now_ms() + T1;
	call_send(c, &c->ackdst, &c->bye);
}

static void call_send_cancel(struct ucall *c)
{
	struct req_parts p = {
		.method = "CANCEL", .ruri = c->inv.uri, .via = msg_hdr_s(&c->inv, "Via"),
		.from = msg_hdr_s(&c->inv, "From"), .to = msg_hdr_s(&c->inv, "To"),
		.callid = msg_hdr_s(&c->inv, "Call-ID"), .cseq = c->cseq,
	};

	build_req(&c->cancel, &p);
	c->cancel_sent = 1;
	c->cancel_int = T1;
	c->t_cancel_retx = now_ms() + T1;
	call_send(c, &c->dst, &c->cancel);
}

static void call_on_inv_resp(struct ucall *c, const struct msg *r, const struct peer *from)
{
	c->got_resp = 1;
	if (r->code < 200)
		return;
	if (strcmp(c->method, "INVITE")) {	/* a template of another method: no ACK, no dialog */
		if (!c->final)
			c->final = r->code;
		return;
	}
	if (r->code < 300) {
		if (!c->final) {
			c->final = r->code;
			c->established = 1;
			c->t_bye = now_ms() + c->bye_after;
		}
		if (c->final < 300)
			call_ack_2xx(c, r, from);
		return;
	}
	if (!c->final) {
		c->final = r->code;
		c->t_grace = now_ms() + 2000;
	}
	if (c->final >= 300)
		call_ack_non2xx(c, r);
}

static void call_on_resp(struct ucall *c, const struct msg *r, const struct peer *from)
{
	char cm[32], br[128];

	printf("%s\n", r->start);
	msg_cseq(r, cm, sizeof(cm));
	msg_branch(r, br, sizeof(br));
	if (!strcmp(cm, c->method) && !strcmp(br, c->branch)) {
		call_on_inv_resp(c, r, from);
	} else if (!strcmp(cm, "CANCEL") && !strcmp(br, c->branch)) {
		c->cancel_int = 0;
		if (r->code >= 200 && !c->cancel_code) {
			c->cancel_code = r->code;
			printf("cancel %d\n", r->code);
		}
	} else if (!strcmp(cm, "BYE") && c->bye_branch[0] && !strcmp(br, c->bye_branch)) {
		c->bye_int = 0;
		if (r->code >= 200 && !c->bye_code) {
			c->bye_code = r->code;
			printf("bye %d\n", r->code);
		}
	} else if (verbose) {
		note("stray response ignored");
	}
	fflush(stdout);
}

static void call_on_req(struct ucall *c, const struct msg *m, struct peer *from)
{
	char tag[64];
	int ours = msg_from_call(m, msg_hdr_s(&c->inv, "Call-ID"));

	get_param(msg_hdr(&c->inv, "From"), "tag", tag, sizeof(tag));
	if (!strcmp(m->method, "BYE") && ours) {
		send_resp(&c->ep, from, m, 200, NULL, NULL, NULL);
		if (!c->remote_bye)
			printf("bye received\n");
		c->remote_bye = 1;
		fflush(stdout);
		return;
	}
	if (!strcmp(m->method, "INVITE") && ours) {
		struct sb sdp = { 0 };

		make_answer(&sdp, &c->ep, m);
		send_resp(&c->ep, from, m, 200, tag, NULL, &sdp);
		sb_free(&sdp);
		return;
	}
	answer_misc(&c->ep, from, m, tag);
}

static int call_done(struct ucall *c, const struct opts *o)
{
	int64_t now = now_ms();

	if (!c->final)
		return 0;
	if (strcmp(c->method, "INVITE"))
		return 1;
	if (c->final >= 300)
		return !c->cancel_sent || c->cancel_code || now >= c->t_grace;
	return c->remote_bye || c->bye_code;
}

static int64_t tmin(int64_t a, int64_t b)
{
	if (!b)
		return a;
	return a < b ? a : b;
}

/* the UDP retransmissions and the scheduled CANCEL and BYE; returns the next wake up */
static int64_t call_timers(struct ucall *c, const struct opts *o, const struct sb *inv, int64_t dl)
{
	int64_t now = now_ms(), next = dl;
	int udp = c->ep.proto == P_UDP;

	if (udp && !c->got_resp && now >= c->t_retx) {
		call_send(c, &c->dst, inv);
		c->retx_int *= 2;
		c->t_retx = now + c->retx_int;
	}
	if (udp && !c->got_resp)
		next = tmin(next, c->t_retx);
	if (c->t_cancel && !c->final && !c->cancel_sent && c->got_resp && now >= c->t_cancel)
		call_send_cancel(c);
	if (c->t_cancel && !c->final && !c->cancel_sent)
		next = tmin(next, c->got_resp ? c->t_cancel : now + 50);
	if (udp && c->cancel_sent && c->cancel_int && now >= c->t_cancel_retx) {
		call_send(c, &c->dst, &c->cancel);
		c->cancel_int = c->cancel_int * 2 > T2 ? T2 : c->cancel_int * 2;
		c->t_cancel_retx = now + c->cancel_int;
	}
	if (udp && c->cancel_sent && c->cancel_int)
		next = tmin(next, c->t_cancel_retx);
	if (c->established && !c->bye_sent && !c->remote_bye) {
		if (now >= c->t_bye)
			call_send_bye(c);
		else
			next = tmin(next, c->t_bye);
	}
	if (udp && c->bye_sent && c->bye_int && !c->bye_code) {
		if (now >= c->t_bye_retx) {
			call_send(c, &c->ackdst, &c->bye);
			c->bye_int = c->bye_int * 2 > T2 ? T2 : c->bye_int * 2;
			c->t_bye_retx = now + c->bye_int;
		}
		next = tmin(next, c->t_bye_retx);
	}
	if (c->t_grace)
		next = tmin(next, c->t_grace);
	return next;
}

static void local_for(const struct opts *o, struct sockaddr_in *local)
{
	if (o->have_local)
		*local = o->local;
	else
		route_src(&o->to, local);
}

static void ep_setup_client(struct ep *ep, const struct opts *o, int listen_too)
{
	struct sockaddr_in local;

	ep_init(ep, o->proto);
	ep->tls_name = o->name;
	if (o->proto == P_TLS) {
		ep->cli = tls_ctx(0, o);
		if (o->cert)
			ep->srv = tls_ctx(1, o);
	}
	local_for(o, &local);
	if (ep_bind(ep, &local, listen_too))
		die("cannot bind the local address");
}

/* keeps the connection open a while after the call, answering what comes (e.g. for a sipp UAS on TCP) */
static void call_linger(struct ucall *c, int ms)
{
	int64_t dl = now_ms() + ms;
	struct peer from;
	struct msg m;

	while (ms > 0 && ep_recv(&c->ep, left_ms(dl), &m, &from) > 0) {
		if (m.is_req)
			call_on_req(c, &m, &from);
		msg_free(&m);
	}
}

static int cmd_call(const struct opts *o)
{
	struct ucall c;
	struct sb inv = { 0 };
	struct msg m;
	struct peer from;
	char callid[128], r[24], *tpl;
	size_t tlen;
	int64_t dl = now_ms() + o->timeout, next;
	int rc, expect = o->expect;

	memset(&c, 0, sizeof(c));
	if (!o->file || !o->have_to)
		die("call needs --to and --file");
	tpl = load_file(o->file, &tlen);
	if (!tpl)
		die("%s: %s", o->file, strerror(errno));
	final_on_die = 1;
	ep_setup_client(&c.ep, o, 1);
	c.dst.addr = o->to;
	c.dst.ci = -1;
	new_branch(c.branch, sizeof(c.branch));
	rand_hex(r, sizeof(r));
	if (o->call_id)
		snprintf(callid, sizeof(callid), "%s", o->call_id);
	else
		snprintf(callid, sizeof(callid), "%s@%s", r, ip_str(&c.ep.local));
	build_invite(&inv, &c, tpl, tlen, callid);
	free(tpl);
	msg_parse(&c.inv, inv.s, inv.len);
	c.cseq = msg_cseq(&c.inv, r, sizeof(r));
	snprintf(c.method, sizeof(c.method), "%s", c.inv.method);
	if (expect < 0)
		expect = o->cancel_after >= 0 ? 487 : 200;
	call_send(&c, &c.dst, &inv);
	c.retx_int = T1;
	c.t_retx = now_ms() + T1;
	if (o->cancel_after >= 0)
		c.t_cancel = now_ms() + o->cancel_after;
	c.bye_after = o->bye_after > 0 ? o->bye_after : 0;
	while (!call_done(&c, o)) {
		if (now_ms() >= dl) {
			if (c.final)
				printf("final %d\n", c.final);
			else
				printf("final timeout\n");
			fflush(stdout);
			if (c.final && c.final < 300 && !c.bye_code)
				note("timeout: no answer to BYE within %d ms", o->timeout);
			else if (c.final)
				note("timeout: no answer to CANCEL within %d ms", o->timeout);
			else
				note("timeout: no final response within %d ms", o->timeout);
			return 2;
		}
		next = call_timers(&c, o, &inv, dl);
		rc = ep_recv(&c.ep, left_ms(next), &m, &from);
		if (rc < 0)
			die("receive failed: %s", strerror(errno));
		if (!rc)
			continue;
		if (m.is_req)
			call_on_req(&c, &m, &from);
		else
			call_on_resp(&c, &m, &from);
		msg_free(&m);
	}
	printf("final %d\n", c.final);
	fflush(stdout);
	call_linger(&c, o->linger);
	rc = c.final == expect ? 0 : 1;
	if (c.cancel_sent && c.cancel_code && (c.cancel_code < 200 || c.cancel_code >= 300) && c.final >= 300) {
		note("CANCEL got %d", c.cancel_code);
		rc = 1;
	}
	if (c.bye_code && (c.bye_code < 200 || c.bye_code >= 300)) {
		note("BYE got %d", c.bye_code);
		rc = 1;
	}
	ep_close(&c.ep);
	msg_free(&c.inv);
	sb_free(&inv);
	sb_free(&c.ack);
	sb_free(&c.cancel);
	sb_free(&c.bye);
	free(c.remote_to);
	return rc;
}

/* ---- serve: the UAS ---- */

enum { SD_FREE, SD_PROCEEDING, SD_WAIT_ACK, SD_CONFIRMED, SD_BYE_SENT };

struct sdlg {
	int state, n, code, retx_int;
	struct peer from;
	struct msg inv;
	char branch[128], totag[16];
	struct sb last, bye;
	int64_t t_ring, t_final, t_retx, t_end, t_bye;
};

struct server {
	struct ep ep;
	const struct opts *o;
	struct sdlg d[MAXDLG];
	int ninv, completed, nseq;
	char bye_branch[MAXDLG][64];
	struct {
		char method[32];
		int n;
	} seq[32];
};

/* the dump number of a request other than INVITE: counted per method */
static int srv_seq(struct server *s, const char *method)
{
	int i;

	for (i = 0; i < s->nseq; i++)
		if (!strcmp(s->seq[i].method, method))
			return ++s->seq[i].n;
	if (s->nseq == 32)
		return 999;
	snprintf(s->seq[s->nseq].method, sizeof(s->seq[0].method), "%s", method);
	s->seq[s->nseq].n = 1;
	return s->seq[s->nseq++].n;
}

static void srv_dump(struct server *s, const struct msg *m, const struct peer *from, int n)
{
	char path[PATH_MAX], lc[32];
	const struct conn *c = from->ci >= 0 ? &s->ep.c[from->ci] : NULL;
	size_t i;
	FILE *f;

	if (!s->o->dump)
		return;
	for (i = 0; m->method[i] && i + 1 < sizeof(lc); i++)
		lc[i] = isalnum((unsigned char)m->method[i]) ? (char)tolower((unsigned char)m->method[i]) : '_';
	lc[i] = '\0';
	snprintf(path, sizeof(path), "%s/%03d-%s.sip", s->o->dump, n, lc);
	f = fopen(path, "wb");
	if (!f) {
		note("%s: %s", path, strerror(errno));
		return;
	}
	fwrite(m->raw, 1, m->rawlen, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%03d-%s.meta", s->o->dump, n, lc);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "proto %s\nsrc %s\ntls_client_verified %d\n", proto_lc[s->ep.proto], addr_str(&from->addr),
		c && c->ssl ? c->verified : 0);
	fclose(f);
}

static void srv_send_last(struct server *s, struct sdlg *d)
{
	ep_send(&s->ep, &d->from, d->last.s, d->last.len);
}

static void srv_respond(struct server *s, struct sdlg *d, int code)
{
	const struct opts *o = s->o;
	struct sb sdp = { 0 }, extra = { 0 };

	if (code >= 200 && code < 300)
		make_answer(&sdp, &s->ep, &d->inv);
	if (code >= 300 && code < 400 && o->contact)
		sb_printf(&extra, "Contact: <%s>\r\n", o->contact);
	if (code >= 400 && o->reason)
		sb_printf(&extra, "Reason: %s\r\n", o->reason);
	sb_reset(&d->last);
	build_resp(&d->last, &s->ep, &d->inv, code, d->totag, extra.len ? extra.s : NULL, "application/sdp", &sdp);
	srv_send_last(s, d);
	sb_free(&sdp);
	sb_free(&extra);
	if (code < 200)
		return;
	d->code = code;
	d->state = SD_WAIT_ACK;
	d->retx_int = T1;
	d->t_retx = now_ms() + T1;
	d->t_end = now_ms() + 64 * T1;
	printf("invite %d from %s, answered %d\n", d->n, addr_str(&d->from.addr), code);
	fflush(stdout);
}

static void srv_free(struct server *s, struct sdlg *d, int completed)
{
	msg_free(&d->inv);
	sb_free(&d->last);
	sb_free(&d->bye);
	d->state = SD_FREE;
	s->completed += completed;
}

static struct sdlg *srv_find(struct server *s, const struct msg *m, int by_branch)
{
	char br[128];
	int i;

	msg_branch(m, br, sizeof(br));
	for (i = 0; i < MAXDLG; i++) {
		struct sdlg *d = &s->d[i];

		if (d->state == SD_FREE || !msg_from_call(m, msg_hdr_s(&d->inv, "Call-ID")))
			continue;
		if (!by_branch || !strcmp(br, d->branch))
			return d;
	}
	return NULL;
}

static void srv_invite(struct server *s, const struct msg *m, struct peer *from)
{
	const struct opts *o = s->o;
	struct sdlg *d = srv_find(s, m, 1);
	int64_t now = now_ms();
	char tag[64];
	int i;

	if (d) {		/* a retransmission */
		if (d->last.len)
			srv_send_last(s, d);
		return;
	}
	d = srv_find(s, m, 0);
	if (d && !get_param(msg_hdr(m, "To"), "tag", tag, sizeof(tag))) {	/* a re-INVITE */
		struct sb sdp = { 0 };

		make_answer(&sdp, &s->ep, m);
		send_resp(&s->ep, from, m, 200, d->totag, NULL, &sdp);
		sb_free(&sdp);
		return;
	}
	for (i = 0; i < MAXDLG && s->d[i].state != SD_FREE; i++)
		;
	if (i == MAXDLG) {
		send_resp(&s->ep, from, m, 503, NULL, NULL, NULL);
		return;
	}
	d = &s->d[i];
	memset(d, 0, sizeof(*d));
	d->n = ++s->ninv;
	srv_dump(s, m, from, d->n);
	msg_parse(&d->inv, m->raw, m->rawlen);
	d->from = *from;
	msg_branch(m, d->branch, sizeof(d->branch));
	rand_hex(d->totag, sizeof(d->totag));
	d->state = SD_PROCEEDING;
	send_resp(&s->ep, from, m, 100, NULL, NULL, NULL);
	d->t_ring = o->ring >= 0 ? now + o->ring : 0;
	d->t_final = now + (o->ring > 0 ? o->ring : 0) + (o->answer_after > 0 ? o->answer_after : 0);
}

static void srv_ack(struct server *s, const struct msg *m)
{
	struct sdlg *d = srv_find(s, m, 0);

	if (!d || d->state != SD_WAIT_ACK)
		return;
	if (d->code >= 300) {
		printf("ack received for %d\n", d->code);
		fflush(stdout);
		srv_free(s, d, 1);
		return;
	}
	printf("ack received\n");
	fflush(stdout);
	d->state = SD_CONFIRMED;
	d->t_bye = s->o->bye_after >= 0 ? now_ms() + s->o->bye_after : 0;
}

static void srv_cancel(struct server *s, const struct msg *m, struct peer *from)
{
	struct sdlg *d = srv_find(s, m, 1);

	if (!d) {
		send_resp(&s->ep, from, m, 481, NULL, NULL, NULL);
		return;
	}
	send_resp(&s->ep, from, m, 200, d->totag, NULL, NULL);
	printf("cancel received\n");
	fflush(stdout);
	if (d->state == SD_PROCEEDING)
		srv_respond(s, d, 487);
}

static void srv_bye(struct server *s, const struct msg *m, struct peer *from)
{
	struct sdlg *d = srv_find(s, m, 0);

	send_resp(&s->ep, from, m, 200, d ? d->totag : NULL, NULL, NULL);
	printf("bye received%s\n", d ? "" : " (no dialog)");
	fflush(stdout);
	if (d && d->state >= SD_WAIT_ACK)
		srv_free(s, d, 1);
}

static void srv_send_bye(struct server *s, struct sdlg *d)
{
	char via[256], br[64], uri[256], from[512];
	struct req_parts p = {
		.method = "BYE", .ruri = uri, .via = via, .from = from, .to = msg_hdr_s(&d->inv, "From"),
		.callid = msg_hdr_s(&d->inv, "Call-ID"), .cseq = 1,
	};

	hdr_uri(msg_hdr(&d->inv, "Contact"), uri, sizeof(uri));
	if (!uri[0])
		hdr_uri(msg_hdr(&d->inv, "From"), uri, sizeof(uri));
	snprintf(from, sizeof(from), "%s;tag=%s", msg_hdr_s(&d->inv, "To"), d->totag);
	new_branch(br, sizeof(br));
	make_via(via, sizeof(via), &s->ep, br);
	sb_reset(&d->bye);
	build_req(&d->bye, &p);
	snprintf(s->bye_branch[d - s->d], sizeof(s->bye_branch[0]), "%s", br);
	ep_send(&s->ep, &d->from, d->bye.s, d->bye.len);
	d->state = SD_BYE_SENT;
	d->retx_int = T1;
	d->t_retx = now_ms() + T1;
	d->t_end = now_ms() + 64 * T1;
	printf("bye sent\n");
	fflush(stdout);
}

static void srv_on_resp(struct server *s, const struct msg *m)
{
	char br[128];
	int i;

	msg_branch(m, br, sizeof(br));
	for (i = 0; i < MAXDLG; i++) {
		struct sdlg *d = &s->d[i];

		if (d->state != SD_BYE_SENT || strcmp(br, s->bye_branch[i]))
			continue;
		d->retx_int = 0;
		if (m->code >= 200) {
			printf("bye answered %d\n", m->code);
			fflush(stdout);
			srv_free(s, d, 1);
		}
	}
}

static void srv_on_req(struct server *s, const struct msg *m, struct peer *from)
{
	if (!strcmp(m->method, "INVITE")) {
		srv_invite(s, m, from);
		return;
	}
	if (s->o->dump)
		srv_dump(s, m, from, srv_seq(s, m->method));
	if (!strcmp(m->method, "ACK"))
		srv_ack(s, m);
	else if (!strcmp(m->method, "CANCEL"))
		srv_cancel(s, m, from);
	else if (!strcmp(m->method, "BYE"))
		srv_bye(s, m, from);
	else if (!strcmp(m->method, "OPTIONS"))
		answer_misc(&s->ep, from, m, NULL);
	else
		send_resp(&s->ep, from, m, 405, NULL, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n", NULL);
}

/* the timers of one dialog; returns its next wake up (0: none) */
static int64_t srv_timers(struct server *s, struct sdlg *d)
{
	int64_t now = now_ms(), next = 0;
	int udp = s->ep.proto == P_UDP;

	if (d->state == SD_PROCEEDING) {
		if (d->t_ring && now >= d->t_ring) {
			srv_respond(s, d, 180);
			d->t_ring = 0;
		}
		if (now >= d->t_final && d->state == SD_PROCEEDING)
			srv_respond(s, d, s->o->answer);
		return d->state == SD_PROCEEDING ? tmin(d->t_final, d->t_ring) : now;
	}
	if (d->state == SD_WAIT_ACK || d->state == SD_BYE_SENT) {
		if (now >= d->t_end) {
			note("invite %d: no %s", d->n, d->state == SD_WAIT_ACK ? "ACK" : "answer to BYE");
			srv_free(s, d, 1);
			return 0;
		}
		if (udp && d->retx_int && now >= d->t_retx) {
			if (d->state == SD_WAIT_ACK)
				srv_send_last(s, d);
			else
				ep_send(&s->ep, &d->from, d->bye.s, d->bye.len);
			d->retx_int = d->retx_int * 2 > T2 ? T2 : d->retx_int * 2;
			d->t_retx = now + d->retx_int;
		}
		next = d->t_end;
		if (udp && d->retx_int)
			next = tmin(next, d->t_retx);
		return next;
	}
	if (d->state == SD_CONFIRMED && d->t_bye) {
		if (now >= d->t_bye) {
			srv_send_bye(s, d);
			return now;
		}
		return d->t_bye;
	}
	return 0;
}

/* keeps answering a little while before closing, so that the peer ends its side cleanly */
static void srv_linger(struct server *s, int ms)
{
	int64_t dl = now_ms() + ms;
	struct peer from;
	struct msg m;

	while (ep_recv(&s->ep, left_ms(dl), &m, &from) > 0) {
		if (m.is_req)
			srv_on_req(s, &m, &from);
		msg_free(&m);
	}
}

static int srv_end(struct server *s, int rc)
{
	int i;

	for (i = 0; i < MAXDLG; i++)
		if (s->d[i].state != SD_FREE)
			srv_free(s, &s->d[i], 0);
	ep_close(&s->ep);
	free(s);
	return rc;
}

static int cmd_serve(const struct opts *o)
{
	struct server *s = calloc(1, sizeof(*s));
	int64_t dl = now_ms() + o->timeout, next;
	struct msg m;
	struct peer from;
	int i, rc;

	if (!s)
		die("out of memory");
	if (!o->have_listen)
		die("serve needs --listen IP:PORT");
	s->o = o;
	ep_init(&s->ep, o->proto);
	if (o->proto == P_TLS) {
		if (!o->cert)
			die("serve --proto tls needs --cert and --key");
		s->ep.srv = tls_ctx(1, o);
		s->ep.cli = tls_ctx(0, o);
	}
	if (ep_bind(&s->ep, &o->local, 1))
		die("cannot listen on %s", addr_str(&o->local));
	if (o->dump && mkdir(o->dump, 0755) && errno != EEXIST)
		die("%s: %s", o->dump, strerror(errno));
	printf("listening %s %s\n", proto_lc[o->proto], addr_str(&s->ep.local));
	fflush(stdout);
	while (!o->count || s->completed < o->count) {
		if (now_ms() >= dl) {
			if (o->count)
				note("timeout: %d of %d INVITE transactions completed", s->completed, o->count);
			return srv_end(s, o->count ? 1 : 0);
		}
		next = dl;
		for (i = 0; i < MAXDLG; i++)
			if (s->d[i].state != SD_FREE)
				next = tmin(next, srv_timers(s, &s->d[i]));
		rc = ep_recv(&s->ep, left_ms(next), &m, &from);
		if (rc < 0)
			die("receive failed: %s", strerror(errno));
		if (!rc)
			continue;
		if (m.is_req)
			srv_on_req(s, &m, &from);
		else
			srv_on_resp(s, &m);
		msg_free(&m);
	}
	printf("done: %d INVITE transactions\n", s->completed);
	srv_linger(s, 300);
	return srv_end(s, 0);
}

/* ---- options, raw ---- */

typedef void (*msg_cb)(void *ctx, struct msg *m, struct peer *from);

/* sends OPTIONS and waits for its final response: the code, 0 without answer, -1 transport error */
static int probe_options(struct ep *ep, struct peer *dst, int ms, msg_cb other, void *ctx)
{
	char via[256], br[64], callid[64], from[128], ruri[64], curi[128], cm[32];
	struct req_parts p = { .method = "OPTIONS", .ruri = ruri, .via = via, .from = from, .to = NULL,
			       .callid = callid, .cseq = 1 };
	struct sb b = { 0 }, extra = { 0 };
	int64_t dl = now_ms() + ms, retx, iv = T1;
	struct msg m;
	struct peer from_p;
	int code = 0, r;

	if (ep->proto != P_UDP && (dst->ci = ep_connect(ep, &dst->addr)) < 0)
		return -1;
	new_branch(br, sizeof(br));
	make_via(via, sizeof(via), ep, br);
	rand_hex(callid, 21);
	snprintf(from, sizeof(from), "<sip:sipua@%s>;tag=%.8s", ip_str(&ep->local), br + 7);
	snprintf(ruri, sizeof(ruri), "sip:%s", addr_str(&dst->addr));
	p.to = strdup(ruri);
	contact_uri(curi, sizeof(curi), ep);
	sb_printf(&extra, "Contact: <%s>\r\nAccept: application/sdp\r\n", curi);
	p.extra = extra.s;
	build_req(&b, &p);
	free((char *)p.to);
	if (ep_send(ep, dst, b.s, b.len))
		code = -1;
	retx = now_ms() + iv;
	while (!code && now_ms() < dl) {
		r = ep_recv(ep, left_ms(ep->proto == P_UDP ? tmin(dl, retx) : dl), &m, &from_p);
		if (r < 0) {
			code = -1;
			break;
		}
		if (!r && ep->proto == P_UDP && now_ms() >= retx && now_ms() < dl) {
			ep_send(ep, dst, b.s, b.len);
			iv = iv * 2 > T2 ? T2 : iv * 2;
			retx = now_ms() + iv;
		}
		if (!r)
			continue;
		msg_cseq(&m, cm, sizeof(cm));
		if (!m.is_req && msg_from_call(&m, callid) && !strcmp(cm, "OPTIONS") && m.code >= 200)
			code = m.code;
		else if (other)
			other(ctx, &m, &from_p);
		else if (m.is_req)
			answer_misc(ep, &from_p, &m, NULL);
		msg_free(&m);
	}
	sb_free(&b);
	sb_free(&extra);
	return code;
}

static int cmd_options(const struct opts *o)
{
	struct ep ep;
	struct peer dst = { .addr = o->to, .ci = -1 };
	int code;

	if (!o->have_to)
		die("options needs --to");
	ep_setup_client(&ep, o, 0);
	code = probe_options(&ep, &dst, o->timeout, NULL, NULL);
	ep_close(&ep);
	if (code < 0)
		die("transport error towards %s", addr_str(&o->to));
	if (!code) {
		note("no answer to OPTIONS from %s within %d ms", addr_str(&o->to), o->timeout);
		return 2;
	}
	printf("%s %d\n", code < 300 ? "alive" : "response", code);
	return code < 300 ? 0 : 1;
}

/* waits for the responses to a raw message: the first one is printed */
static int raw_wait(struct ep *ep, int ms, struct msg *first)
{
	int64_t dl = now_ms() + ms;
	struct peer from;
	struct msg m;
	int r;

	for (;;) {
		r = ep_recv(ep, left_ms(dl), &m, &from);
		if (r <= 0)
			return r;
		if (!m.is_req) {
			*first = m;
			return 1;
		}
		msg_free(&m);
	}
}

static int cmd_raw(const struct opts *o)
{
	struct ep ep;
	struct peer dst = { .addr = o->to, .ci = -1 };
	struct msg m;
	size_t len;
	char *data;
	int r;

	if (!o->have_to || !o->file)
		die("raw needs --to and --file");
	if (o->proto == P_TLS)
		die("raw supports udp and tcp");
	data = load_file(o->file, &len);
	if (!data)
		die("%s: %s", o->file, strerror(errno));
	if (o->proto == P_UDP && len > UDP_MAX)
		die("%s: %zu bytes do not fit a UDP datagram: use --proto tcp", o->file, len);
	ep_setup_client(&ep, o, 0);
	if (ep_send(&ep, &dst, data, len))
		die("transport error towards %s", addr_str(&o->to));
	free(data);
	r = raw_wait(&ep, o->timeout, &m);
	if (r < 0)
		die("receive failed");
	if (r) {
		printf("%s\n", m.start);
		msg_free(&m);
	} else {
		note("no response within %d ms", o->timeout);
	}
	ep_close(&ep);
	return 0;
}

/* ends an INVITE we sent raw: ACK for a final (with a BYE after a 2xx), CANCEL when only provisional */
static void finish_invite(struct ep *ep, struct peer *to, const struct msg *r, const char *ruri)
{
	char via[256], br[64], cm[32], *toh = strdup(msg_hdr_s(r, "To")), *t;
	struct req_parts p = { .ruri = ruri, .from = msg_hdr_s(r, "From"), .to = toh,
			       .callid = msg_hdr_s(r, "Call-ID") };
	struct sb b = { 0 };

	p.cseq = msg_cseq(r, cm, sizeof(cm));
	if (r->code < 200 || r->code >= 300) {
		p.method = r->code < 200 ? "CANCEL" : "ACK";
		p.via = msg_hdr_s(r, "Via");
		t = r->code < 200 ? strcasestr(toh, ";tag=") : NULL;
		if (t)
			*t = '\0';
		build_req(&b, &p);
		ep_send(ep, to, b.s, b.len);
	} else {
		new_branch(br, sizeof(br));
		make_via(via, sizeof(via), ep, br);
		p.via = via;
		p.method = "ACK";
		build_req(&b, &p);
		ep_send(ep, to, b.s, b.len);
		sb_reset(&b);
		new_branch(br, sizeof(br));
		make_via(via, sizeof(via), ep, br);
		p.method = "BYE";
		p.cseq++;
		build_req(&b, &p);
		ep_send(ep, to, b.s, b.len);
	}
	sb_free(&b);
	free(toh);
}

/* ---- torture: the RFC 4475 messages, one by one ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int cap = 0;

	*n = 0;
	if (!d)
		die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("out of memory");
		}
		v[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v;
}

/* the Request-URI of a raw message */
static void raw_ruri(const char *data, size_t len, char *out, size_t n)
{
	const char *sp = memchr(data, ' ', len < 512 ? len : 512), *e;

	out[0] = '\0';
	if (!sp)
		return;
	sp++;
	e = sp;
	while (e < data + len && *e != ' ' && *e != '\r' && *e != '\n')
		e++;
	snprintf(out, n, "%.*s", (int)(e - sp), sp);
}

static void torture_one(const struct opts *o, const char *dir, const char *name, int *answered)
{
	struct ep ep;
	struct peer dst = { .addr = o->to, .ci = -1 }, from;
	char path[PATH_MAX], ruri[512], cm[32], code[16] = "none", *data;
	struct msg m, last = { 0 };
	int64_t dl;
	size_t len;
	int r, final = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	data = load_file(path, &len);
	if (!data)
		die("%s: %s", path, strerror(errno));
	ep_setup_client(&ep, o, 0);
	raw_ruri(data, len, ruri, sizeof(ruri));
	if (ep_send(&ep, &dst, data, len))
		die("transport error towards %s", addr_str(&o->to));
	dl = now_ms() + o->wait;
	while (!final && (r = ep_recv(&ep, left_ms(dl), &m, &from)) > 0) {
		if (m.is_req) {
			answer_misc(&ep, &from, &m, NULL);
			msg_free(&m);
			continue;
		}
		final = m.code >= 200;
		msg_free(&last);
		last = m;
	}
	if (last.raw) {
		snprintf(code, sizeof(code), "%d", last.code);
		(*answered)++;
		msg_cseq(&last, cm, sizeof(cm));
		if (!strcmp(cm, "INVITE"))
			finish_invite(&ep, &dst, &last, ruri);
		msg_free(&last);
	}
	printf("%s %s%s\n", name, code, o->proto == P_UDP && len > UDP_MAX ? " (sent over tcp)" : "");
	fflush(stdout);
	free(data);
	ep_close(&ep);
}

static int cmd_torture(const struct opts *o)
{
	int n, i, answered = 0;
	char **v;

	if (!o->have_to || !o->dir)
		die("torture needs --to and --dir");
	if (o->proto == P_TLS)
		die("torture supports udp and tcp");
	v = list_dir(o->dir, &n);
	for (i = 0; i < n; i++) {
		torture_one(o, o->dir, v[i], &answered);
		free(v[i]);
	}
	free(v);
	printf("torture: %d files, %d answered, %d without answer\n", n, answered, n - answered);
	return 0;
}

/* ---- protos: the PROTOS c07-sip cases, in process ---- */

struct protos {
	struct ep ep;
	struct peer dst;
	const struct opts *o;
	char run[9], target[80], lip[32], lport[8], cur[64];
	long cls[7], sent, tcp, skipped, answered, calls, alive_ok, alive_n;
	int cur_hit, last_ok;
};

static void ps_on_msg(void *ctx, struct msg *m, struct peer *from)
{
	struct protos *ps = ctx;
	struct peer to = from->ci >= 0 ? *from : ps->dst;
	char cm[32], ruri[96];
	int k;

	if (m->is_req) {
		answer_misc(&ps->ep, from, m, NULL);
		return;
	}
	k = m->code / 100;
	ps->cls[k >= 1 && k <= 6 ? k : 0]++;
	if (ps->cur[0] && !strncmp(msg_hdr_s(m, "Call-ID"), ps->cur, strlen(ps->cur)))
		ps->cur_hit = 1;
	msg_cseq(m, cm, sizeof(cm));
	if (strcmp(cm, "INVITE") || m->code < 200)
		return;
	if (m->code < 300)
		ps->calls++;
	snprintf(ruri, sizeof(ruri), "sip:%s", ps->target);
	finish_invite(&ps->ep, &to, m, ruri);
}

/* handles what arrives within ms; stops early at a response of the current case when stop */
static int ps_wait(struct protos *ps, int ms, int stop)
{
	int64_t dl = now_ms() + ms;
	struct peer from;
	struct msg m;
	int r;

	for (;;) {
		r = ep_recv(&ps->ep, left_ms(dl), &m, &from);
		if (r <= 0)
			return r;
		ps_on_msg(ps, &m, &from);
		msg_free(&m);
		if (stop && ps->cur_hit)
			return 1;
	}
}

static void ps_fill(struct protos *ps, struct sb *out, const char *t, size_t n, int idx)
{
	char cid[64], br[64], from[96], cl[24];
	const char *map[][2] = {
		{ "<To>", ps->target }, { "<From>", from }, { "<From-Address>", ps->lip }, { "<From-IP>", ps->lip },
		{ "<Local-Port>", ps->lport }, { "<Call-ID>", cid }, { "<Branch-ID>", br }, { "<CSeq>", "1" },
		{ "<Teardown-Method>", "CANCEL" }, { NULL, NULL },
	};
	const char *clmap[][2] = { { "<Content-Length>", cl }, { NULL, NULL } };
	struct sb tmp = { 0 };
	size_t boff;

	snprintf(cid, sizeof(cid), "%s", ps->cur);
	snprintf(br, sizeof(br), "%07d%s", idx, ps->run);
	snprintf(from, sizeof(from), "protos@%s:%s", ps->lip, ps->lport);
	tpl_placeholders(&tmp, t, n, map);
	sb_add(&tmp, "", 0);
	if (hdr_end(tmp.s, tmp.len, &boff) < 0)
		boff = tmp.len;
	snprintf(cl, sizeof(cl), "%zu", tmp.len - boff);
	tpl_placeholders(out, tmp.s, tmp.len, clmap);
	sb_add(out, "", 0);
	sb_free(&tmp);
}

static int ps_alive(struct protos *ps, int after)
{
	struct peer dst = ps->dst;
	int code;

	ps->alive_n++;
	ps->cur[0] = '\0';
	code = probe_options(&ps->ep, &dst, ps->o->timeout, ps_on_msg, ps);
	if (dst.ci >= 0)
		conn_close(&ps->ep, dst.ci);
	if (code > 0) {
		ps->alive_ok++;
		ps->last_ok = after;
		if (verbose)
			note("alive after case %07d: %d", after, code);
		return 0;
	}
	if (ps->last_ok >= 0)
		printf("protos: server dead: no answer to OPTIONS after case %07d (answered after case %07d)\n",
		       after, ps->last_ok);
	else
		printf("protos: server dead: no answer to OPTIONS after case %07d\n", after);
	fflush(stdout);
	return -1;
}

static int ps_split(const char *data, size_t len, const char **t, size_t *tl)
{
	const char *p = data, *end = data + len;
	char *e;
	int i;

	for (i = 0; i < 2; i++) {
		unsigned long l = strtoul(p, &e, 10);

		if (e == p || *e != ' ' || l > (size_t)(end - e - 1))
			return -1;
		t[i] = e + 1;
		tl[i] = l;
		p = e + 1 + l;
	}
	return 0;
}

static void ps_case(struct protos *ps, int idx)
{
	const struct opts *o = ps->o;
	struct peer to = { .addr = ps->dst.addr, .ci = -1 };
	struct sb inv = { 0 }, td = { 0 };
	char path[PATH_MAX], *data;
	const char *t[2];
	size_t tl[2], len;
	int i;

	snprintf(path, sizeof(path), "%s/%07d", o->dir, idx);
	data = load_file(path, &len);
	if (!data || ps_split(data, len, t, tl)) {
		note("%s: %s", path, data ? "not a PROTOS case" : strerror(errno));
		ps->skipped++;
		free(data);
		return;
	}
	snprintf(ps->cur, sizeof(ps->cur), "p%07d.%s", idx, ps->run);
	ps_fill(ps, &inv, t[0], tl[0], idx);
	ps_fill(ps, &td, t[1], tl[1], idx);
	if (o->proto != P_UDP || inv.len > UDP_MAX) {
		to.ci = ep_connect(&ps->ep, &to.addr);
		ps->tcp += o->proto == P_UDP && to.ci >= 0;
	}
	ps->cur_hit = 0;
	if ((o->proto == P_UDP && inv.len <= UDP_MAX) || to.ci >= 0 ? !ep_send(&ps->ep, &to, inv.s, inv.len) : 0) {
		ps->sent++;
		ps_wait(ps, o->wait, 1);
		ps->answered += ps->cur_hit;
		ep_send(&ps->ep, &to, td.s, td.len);
		ps_wait(ps, o->pause, 0);
	} else {
		ps->skipped++;
	}
	for (i = 0; i < MAXCONN; i++)
		conn_close(&ps->ep, i);
	free(data);
	sb_free(&inv);
	sb_free(&td);
}

static int *parse_list(const char *s, int *n)
{
	int *v = NULL, cap = 0;
	char *e;

	*n = 0;
	while (s && *s) {
		long x = strtol(s, &e, 10);

		if (e == s)
			die("bad number list: %s", s);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("out of memory");
		}
		v[(*n)++] = (int)x;
		s = *e == ',' ? e + 1 : e;
	}
	return v;
}

static int in_list(const int *v, int n, int x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int cmd_protos(const struct opts *o)
{
	struct protos *ps = calloc(1, sizeof(*ps));
	int64_t t0 = now_ms();
	int i, nat, *at, last, ncases, dead = 0;
	struct peer first = { .addr = o->to, .ci = -1 };
	char **v;

	if (!ps)
		die("out of memory");
	if (!o->have_to || !o->dir)
		die("protos needs --to and --dir");
	if (o->proto == P_TLS)
		die("protos supports udp and tcp");
	ps->o = o;
	ep_setup_client(&ps->ep, o, 0);
	ps->dst.addr = o->to;
	ps->dst.ci = -1;
	ps->ep.quiet = 1;
	ps->last_ok = -1;
	rand_hex(ps->run, sizeof(ps->run));
	snprintf(ps->target, sizeof(ps->target), "protos@%s", addr_str(&o->to));
	snprintf(ps->lip, sizeof(ps->lip), "%s", ip_str(&ps->ep.local));
	snprintf(ps->lport, sizeof(ps->lport), "%u", ntohs(ps->ep.local.sin_port));
	at = parse_list(o->alive_at, &nat);
	v = list_dir(o->dir, &ncases);
	for (i = 0; i < ncases; i++)
		free(v[i]);
	free(v);
	if (o->count > 0 && o->first + o->count < ncases)
		ncases = o->first + o->count;
	last = o->first - 1;
	if (probe_options(&ps->ep, &first, o->timeout, ps_on_msg, ps) <= 0) {
		printf("protos: the server does not answer OPTIONS before the first case\n");
		dead = 1;
	}
	for (i = o->first; i < ncases && !dead; i++) {
		if (i != o->first && in_list(at, nat, i) && ps_alive(ps, i - 1))
			dead = 1;
		if (dead)
			break;
		ps_case(ps, i);
		last = i;
		if (o->alive_every > 0 && (i - o->first + 1) % o->alive_every == 0 && i + 1 < ncases &&
		    !in_list(at, nat, i + 1) && ps_alive(ps, i))
			dead = 1;
	}
	if (!dead && ps_alive(ps, last))
		dead = 1;
	printf("protos: cases %d..%d: sent %ld (over tcp %ld), skipped %ld, answered %ld, unanswered %ld\n",
	       o->first, last, ps->sent, ps->tcp, ps->skipped, ps->answered, ps->sent - ps->answered);
	printf("protos: responses 1xx %ld 2xx %ld 3xx %ld 4xx %ld 5xx %ld 6xx %ld other %ld; calls answered 2xx %ld\n",
	       ps->cls[1], ps->cls[2], ps->cls[3], ps->cls[4], ps->cls[5], ps->cls[6], ps->cls[0], ps->calls);
	printf("protos: alive checks %ld, answered %ld\n", ps->alive_n, ps->alive_ok);
	if (ps->ep.refused)
		printf("protos: %d TCP connections refused (cases too large for UDP go over TCP)\n", ps->ep.refused);
	printf("protos: %.1f s\n", (double)(now_ms() - t0) / 1000.0);
	free(at);
	ep_close(&ps->ep);
	free(ps);
	return dead ? 1 : 0;
}

/* ---- command line ---- */

enum {
	O_PROTO = 256, O_TO, O_FILE, O_CERT, O_KEY, O_CA, O_NAME, O_EXPECT, O_BYE_AFTER, O_CANCEL_AFTER, O_TIMEOUT,
	O_LOCAL, O_OUT, O_LISTEN, O_RCC, O_ANSWER, O_RING, O_ANSWER_AFTER, O_CONTACT, O_COUNT, O_DUMP, O_REASON,
	O_CALL_ID, O_DIR, O_FIRST, O_ALIVE_EVERY, O_ALIVE_AT, O_WAIT, O_PAUSE, O_LINGER,
};

static const struct option long_opts[] = {
	{ "proto", required_argument, NULL, O_PROTO }, { "to", required_argument, NULL, O_TO },
	{ "file", required_argument, NULL, O_FILE }, { "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY }, { "ca", required_argument, NULL, O_CA },
	{ "name", required_argument, NULL, O_NAME }, { "expect", required_argument, NULL, O_EXPECT },
	{ "bye-after", required_argument, NULL, O_BYE_AFTER },
	{ "cancel-after", required_argument, NULL, O_CANCEL_AFTER },
	{ "timeout", required_argument, NULL, O_TIMEOUT }, { "local", required_argument, NULL, O_LOCAL },
	{ "out", required_argument, NULL, O_OUT }, { "listen", required_argument, NULL, O_LISTEN },
	{ "require-client-cert", no_argument, NULL, O_RCC }, { "answer", required_argument, NULL, O_ANSWER },
	{ "ring", required_argument, NULL, O_RING }, { "answer-after", required_argument, NULL, O_ANSWER_AFTER },
	{ "contact", required_argument, NULL, O_CONTACT }, { "count", required_argument, NULL, O_COUNT },
	{ "dump", required_argument, NULL, O_DUMP }, { "reason", required_argument, NULL, O_REASON },
	{ "call-id", required_argument, NULL, O_CALL_ID }, { "dir", required_argument, NULL, O_DIR },
	{ "first", required_argument, NULL, O_FIRST }, { "alive-every", required_argument, NULL, O_ALIVE_EVERY },
	{ "alive-at", required_argument, NULL, O_ALIVE_AT }, { "wait", required_argument, NULL, O_WAIT },
	{ "pause", required_argument, NULL, O_PAUSE }, { "linger", required_argument, NULL, O_LINGER },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

static int num_arg(const char *s, const char *opt)
{
	char *e;
	long v = strtol(s, &e, 10);

	if (!*s || *e || v < INT_MIN || v > INT_MAX)
		die("--%s: not a number: %s", opt, s);
	return (int)v;
}

static void addr_arg(const char *s, struct sockaddr_in *a, int *flag)
{
	if (parse_addr(s, a))
		die("not an IPv4 IP:PORT: %s", s);
	*flag = 1;
}

static void set_opt(struct opts *o, int c, const char *arg, int *count_set)
{
	const char *name = "";
	int i;

	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == c)
			name = long_opts[i].name;
	switch (c) {
	case O_PROTO:
		for (o->proto = 0; o->proto < 3 && strcmp(arg, proto_lc[o->proto]); o->proto++)
			;
		if (o->proto == 3)
			die("--proto: udp, tcp or tls");
		break;
	case O_TO:
		addr_arg(arg, &o->to, &o->have_to);
		break;
	case O_LOCAL:
		addr_arg(arg, &o->local, &o->have_local);
		break;
	case O_LISTEN:
		addr_arg(arg, &o->local, &o->have_listen);
		break;
	case O_FILE:
		o->file = arg;
		break;
	case O_CERT:
		o->cert = arg;
		break;
	case O_KEY:
		o->key = arg;
		break;
	case O_CA:
		o->ca = arg;
		break;
	case O_NAME:
		o->name = arg;
		break;
	case O_OUT:
		o->out = arg;
		break;
	case O_DUMP:
		o->dump = arg;
		break;
	case O_CONTACT:
		o->contact = arg;
		break;
	case O_REASON:
		o->reason = arg;
		break;
	case O_CALL_ID:
		o->call_id = arg;
		break;
	case O_DIR:
		o->dir = arg;
		break;
	case O_ALIVE_AT:
		o->alive_at = arg;
		break;
	case O_RCC:
		o->require_cc = 1;
		break;
	case O_EXPECT:
		o->expect = num_arg(arg, name);
		break;
	case O_BYE_AFTER:
		o->bye_after = num_arg(arg, name);
		break;
	case O_CANCEL_AFTER:
		o->cancel_after = num_arg(arg, name);
		break;
	case O_TIMEOUT:
		o->timeout = num_arg(arg, name);
		break;
	case O_ANSWER:
		o->answer = num_arg(arg, name);
		break;
	case O_RING:
		o->ring = num_arg(arg, name);
		break;
	case O_ANSWER_AFTER:
		o->answer_after = num_arg(arg, name);
		break;
	case O_COUNT:
		o->count = num_arg(arg, name); *count_set = 1;
		break;
	case O_FIRST:
		o->first = num_arg(arg, name);
		break;
	case O_ALIVE_EVERY:
		o->alive_every = num_arg(arg, name);
		break;
	case O_WAIT:
		o->wait = num_arg(arg, name);
		break;
	case O_PAUSE:
		o->pause = num_arg(arg, name);
		break;
	case O_LINGER:
		o->linger = num_arg(arg, name);
		break;
	}
}

static void usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	exit(rc);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.proto = P_UDP, .expect = -1, .bye_after = -1, .cancel_after = -1, .timeout = 10000, .answer = 200,
		.count = 1, .alive_every = 100, .wait = -1,
	};
	const char *cmd = argc > 1 ? argv[1] : "help";
	int c, count_set = 0, rc;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		usage(stdout, 0);
	optind = 2;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'h')
			usage(stdout, 0);
		else if (c == '?')
			usage(stderr, 2);
		else
			set_opt(&o, c, optarg, &count_set);
	}
	if (optind < argc)
		die("unexpected argument: %s", argv[optind]);
	if (o.timeout <= 0)
		die("--timeout must be positive");
	if (!strcmp(cmd, "call") || !strcmp(cmd, "options") || !strcmp(cmd, "raw"))
		hard_deadline = now_ms() + o.timeout;
	if (o.out && !(out_fp = fopen(o.out, "wb")))
		die("%s: %s", o.out, strerror(errno));
	if (!strcmp(cmd, "call"))
		rc = cmd_call(&o);
	else if (!strcmp(cmd, "serve"))
		rc = cmd_serve(&o);
	else if (!strcmp(cmd, "options"))
		rc = cmd_options(&o);
	else if (!strcmp(cmd, "raw"))
		rc = cmd_raw(&o);
	else if (!strcmp(cmd, "torture")) {
		if (o.wait < 0)
			o.wait = 1000;
		rc = cmd_torture(&o);
	} else if (!strcmp(cmd, "protos")) {
		if (o.wait < 0)
			o.wait = 50;
		if (!count_set)
			o.count = 0;
		rc = cmd_protos(&o);
	} else {
		usage(stderr, 2);
	}
	if (out_fp)
		fclose(out_fp);
	return rc;
}
