/*
 * sip_tp.h - SIP transports (RFC 3261 section 18): UDP, TCP and TLS (OpenSSL) on the event loop.
 *
 * Receiving: each complete message is handed to the receive callback with where it came from.  UDP:
 * one datagram is one message.  TCP/TLS: the stream is cut into messages by the blank line ending the
 * headers and Content-Length (or "l"); a missing Content-Length counts as 0; CRLF keep-alives
 * (RFC 5626) are answered/ignored; a message over SIP_TP_MSG_MAX or unparseable framing closes the
 * connection (logged).  Sending: responses go back on the connection a request came in on when it is
 * still open; otherwise, and for requests, a connection to the same proto/ip:port is reused or opened
 * (non-blocking; data queued until connected and, for TLS, the handshake done).  TLS: the gateway's
 * certificate and key; peers verified against the CA file; an outgoing TLS connection checks the
 * server certificate and the expected name (tls_name); incoming client certificates per
 * verify_client.  Idle connections are closed after idle_ms.
 */
#ifndef SIP_TP_H
#define SIP_TP_H

#include <stddef.h>
#include <sys/socket.h>

#include "ev.h"
#include "gw_conf.h"

#define SIP_TP_MSG_MAX 65535	/* bytes in one message */
#define SIP_TP_CONNS_MAX 256	/* TCP/TLS connections at once */

struct sip_tp;

struct sip_tp_conf {
	char listen[GW_PROTO_COUNT][GW_ADDR_MAX];	/* "ip:port" per enum gw_proto, "" = none */
	char tls_cert[GW_PATH_MAX], tls_key[GW_PATH_MAX], tls_ca[GW_PATH_MAX];
	int verify_client;		/* enum gw_tls_verify */
	int idle_ms;			/* close connections idle this long (default 0 = 300000) */
};

/* where a message came from */
struct sip_tp_src {
	int proto;			/* enum gw_proto */
	char ip[64];
	int port;
	int conn;			/* connection id (TCP/TLS; > 0), 0 for UDP */
	int tls_verified;		/* TLS: the peer's certificate verified against the CA */
	char tls_name[GW_HOST_MAX];	/* TLS: the verified certificate's subject CN ("" none) */
};

/* where to send */
struct sip_tp_dst {
	int proto;			/* enum gw_proto */
	const char *ip;
	int port;
	int conn;			/* > 0: this connection if still open (responses) */
	const char *tls_name;		/* TLS client: the name the server certificate must carry; NULL = ip */
};

typedef void (*sip_tp_recv_cb)(void *arg, const char *msg, size_t len, const struct sip_tp_src *src);
/* a connection failed (connect refused, TLS handshake or verification failed, reset) with messages
 * still queued or before any message: conn and a negative errno; -EKEYREJECTED for a certificate
 * that did not verify */
typedef void (*sip_tp_error_cb)(void *arg, int conn, int err);

/* open the listeners of conf and load the TLS material: 0, or a negative errno with the address or
 * file that failed in errbuf.  recv gets every message, error every failed connection */
int sip_tp_new(struct ev_loop *loop, const struct sip_tp_conf *conf, sip_tp_recv_cb recv, sip_tp_error_cb error,
	       void *arg, struct sip_tp **out, char *errbuf, size_t errlen);
/* close every listener and connection */
void sip_tp_free(struct sip_tp *tp);

/* 0 with *conn (0 for UDP) set to the connection used; -ENOTCONN (no listener for proto, or conn
 * gone and no address), -EMSGSIZE, -ENOMEM, -errno */
int sip_tp_send(struct sip_tp *tp, const struct sip_tp_dst *dst, const char *msg, size_t len, int *conn);

/* the address the listener of proto is bound to (port resolved when 0 was asked): 0 or -ENOENT */
int sip_tp_local(const struct sip_tp *tp, int proto, char *ip, size_t iplen, int *port);

/* ip (IPv4, IPv6, IPv6 in brackets) and port -> socket address: 0 or -EINVAL (also used for RTP) */
int sip_tp_sockaddr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *sl);
/* socket address -> ip text (no brackets) and port */
void sip_tp_addr_text(const struct sockaddr_storage *ss, char *ip, size_t iplen, int *port);

/* open TCP/TLS connections */
size_t sip_tp_conn_count(const struct sip_tp *tp);

#endif
