/*
 * sip_ua.c - the SIP user agent: libosip2's transactions (RFC 3261 section 17) over sip_tp, and
 * the INVITE dialogs of the calls' legs (sections 12-15).
 *
 * libosip2 runs the four transaction machines; this file owns what RFC 3261 gives the transaction
 * user: dialogs (tags, CSeq, remote target), the ACK of a 2xx and the retransmission of our 2xx
 * until its ACK (13.3.1.4), CANCEL matching (9.2), stateless rejections of what cannot be used (8.2).
 * Owner events are never delivered from inside libosip2: a transaction callback queues them on the
 * leg, and they are handed out after the transaction machines have run (ua_pump).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <osip2/osip.h>
#include <osip2/osip_time.h>
#include <osipparser2/osip_parser.h>

#include "gw.h"
#include "gw_sdp.h"
#include "sdes.h"
#include "map_sip.h"
#include "log.h"
#include "sip_ua.h"

#define UA_TICK_MAX_MS 1000	/* the transaction timers are looked at least this often ... */
#define UA_TICK_MIN_MS 10	/* ... and at most this often: each look walks every transaction */
#define UA_PENDING_MAX 8
#define UA_STR 256
#define UA_MSG_MAX 8192
#define UA_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS"

enum leg_state {
	LEG_CALLING = 0,	/* UAC: INVITE sent */
	LEG_EARLY,		/* UAC: a provisional response came */
	LEG_INCOMING,		/* UAS: INVITE received, no final response */
	LEG_CONFIRMED,		/* 2xx sent or received */
	LEG_TERMINATED,		/* over: only transactions finishing */
	LEG_STATE_COUNT
};

static const char *const leg_state_names[LEG_STATE_COUNT] = {
	"calling", "early", "incoming", "confirmed", "terminated",
};

struct leg_pending {
	int type;
	int code;
	char reason[UA_STR];
	char contact[UA_STR];
};

struct sip_leg {
	struct sip_ua *ua;
	struct sip_leg *next;
	void *user;
	int uas;
	int state;			/* enum leg_state */
	int owner_gone;			/* the owner ended it or got its last event */
	int ntx;			/* live transactions pointing at it */

	/* where the far end is */
	int proto, conn, port;
	char ip[GW_HOST_MAX];
	char tls_name[GW_HOST_MAX];
	const struct gw_peer_conf *peer;

	/* the dialog */
	char call_id[200];
	char local_tag[32], remote_tag[64];
	char local_uri[UA_STR], remote_uri[UA_STR];	/* name-addr, without tag */
	char remote_target[UA_STR];			/* Contact of the far end */
	char route[4 * UA_STR];				/* "Route: ...\r\n" of the dialog's route set, or "" */
	char request_uri[UA_STR];			/* UAC: the INVITE's */
	char branch[48];				/* the INVITE's top Via branch */
	char via[UA_STR];				/* UAC: the INVITE's Via */
	unsigned int invite_cseq, local_cseq;
	unsigned long remote_cseq;			/* the far end's last in-dialog CSeq */

	osip_transaction_t *inv_tr;	/* the INVITE transaction while it lives */
	osip_message_t *inv_req;	/* UAS: its request (owned by inv_tr) */
	int bye_wanted;			/* UAC: answered after we gave up: BYE it */
	int final_sent, got_provisional, cancel_wanted;
	char cancel_reason[UA_STR];

	/* UAS: our 2xx, retransmitted until the ACK */
	char *ok_text;
	size_t ok_len;
	struct ev_timer ok_timer;
	uint64_t ok_interval, ok_deadline_us;

	struct leg_pending pending[UA_PENDING_MAX];
	int npending;

	char name[200];
	char remote_sdp[GW_SDP_MAX];
	char local_sdp[GW_SDP_MAX];	/* our offer or answer, for re-INVITEs */
	char key[SDES_VALUE_MAX];	/* SRTP: our a=crypto value, "" = plain RTP */
};

/* one per libosip2 transaction: where its messages go */
struct sip_tx {
	struct sip_ua *ua;
	struct sip_leg *leg;
	int proto, conn, port;
	char ip[GW_HOST_MAX];
	char tls_name[GW_HOST_MAX];
	int final_seen;		/* client transactions: a final response came */
};

struct sip_ua {
	struct ev_loop *loop;
	const struct gw_conf *conf;
	struct gw_stats *stats;
	sip_ua_cb cb;
	void *arg;
	osip_t *osip;
	struct sip_tp *tp;
	struct sip_leg *legs;
	size_t nlegs, ntx;
	struct ev_timer tick;
	struct ev_timer kick;		/* run the machines soon, outside any callback */
	osip_transaction_t **dead;	/* killed transactions, freed after the machines ran */
	size_t ndead, maxdead;
	int pumping;
	unsigned int dirty;		/* 1 << ICT/IST/NICT/NIST: the lists that have events to run */
	unsigned long seq;
};

static void ua_pump(struct sip_ua *ua);
static void ua_soon(struct sip_ua *ua, int type);
static int ua_send_request_text(struct sip_ua *ua, struct sip_leg *leg, const char *text, int type);

const char *sip_ev_name(int type)
{
	static const char *const names[SIP_EV_COUNT] = {
		"invite", "progress", "answer", "media", "redirect", "fail", "cancel", "bye", "ack-timeout",
	};

	return type >= 0 && type < SIP_EV_COUNT ? names[type] : "?";
}

/* ---- small helpers ---- */

static void ua_token(struct sip_ua *ua, const char *prefix, char *buf, size_t len)
{
	ua->seq++;
	snprintf(buf, len, "%s%08lx%06lx", prefix, (unsigned long)random(), ua->seq);
}

static const char *ua_proto_upper(int proto)
{
	static const char *const names[GW_PROTO_COUNT] = { "UDP", "TCP", "TLS" };

	return proto >= 0 && proto < GW_PROTO_COUNT ? names[proto] : "UDP";
}

static int ua_local(const struct sip_ua *ua, int proto, char *ip, size_t len, int *port)
{
	if (sip_tp_local(ua->tp, proto, ip, len, port) < 0)
		return -ENOENT;
	if (ua->conf->sip.host[0])
		snprintf(ip, len, "%s", ua->conf->sip.host);
	return 0;
}

static void leg_name(struct sip_leg *leg)
{
	snprintf(leg->name, sizeof(leg->name), "%s %s:%d", gw_proto_name(leg->proto), leg->ip, leg->port);
}

static char *ua_header(osip_message_t *msg, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(msg, name, 0, &h) < 0 || !h || !h->hvalue)
		return NULL;
	return h->hvalue;
}

static const char *ua_tag(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	if (!f || osip_from_get_tag(f, &p) < 0 || !p || !p->gvalue)
		return "";
	return p->gvalue;
}

static const char *ua_branch(osip_message_t *msg)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *p = NULL;

	if (osip_message_get_via(msg, 0, &via) < 0 || !via || osip_via_param_get_byname(via, "branch", &p) < 0 ||
	    !p || !p->gvalue)
		return "";
	return p->gvalue;
}

/* the name-addr of a From/To header without its tag */
static void ua_name_addr(osip_from_t *f, char *buf, size_t len)
{
	char *uri = NULL;

	buf[0] = 0;
	if (!f || !f->url || osip_uri_to_str(f->url, &uri) < 0)
		return;
	if (f->displayname && *f->displayname)
		snprintf(buf, len, "%s <%s>", f->displayname, uri);
	else
		snprintf(buf, len, "<%s>", uri);
	osip_free(uri);
}

static void ua_call_id(osip_message_t *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", msg->call_id->number, msg->call_id->host ? "@" : "",
		 msg->call_id->host ? msg->call_id->host : "");
}

/*
 * The dialog's route set as a Route header line (RFC 3261 12.1.1 and 12.1.2): the Record-Route of the
 * request in order for a UAS, of the 2xx in reverse order for a UAC; "" without Record-Route (or when
 * it does not fit: then the requests go without, as before).
 */
static void ua_route_set(osip_message_t *msg, int reverse, char *buf, size_t len)
{
	int n = osip_list_size(&msg->record_routes), i;
	size_t used;

	buf[0] = 0;
	if (n <= 0)
		return;
	used = (size_t)snprintf(buf, len, "Route: ");
	for (i = 0; i < n && used < len; i++) {
		osip_record_route_t *rr = osip_list_get(&msg->record_routes, reverse ? n - 1 - i : i);
		char *text = NULL;

		if (!rr || osip_record_route_to_str(rr, &text) < 0)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", text);
		osip_free(text);
	}
	if (i < n || used + 2 >= len) {
		buf[0] = 0;
		return;
	}
	snprintf(buf + used, len - used, "\r\n");
}

static void ua_contact_uri(osip_message_t *msg, char *buf, size_t len)
{
	osip_contact_t *c = NULL;
	char *uri = NULL;

	if (osip_message_get_contact(msg, 0, &c) < 0 || !c || !c->url || osip_uri_to_str(c->url, &uri) < 0)
		return;
	snprintf(buf, len, "%s", uri);
	osip_free(uri);
}

static void ua_body(osip_message_t *msg, char *buf, size_t len)
{
	osip_body_t *b = NULL;

	buf[0] = 0;
	if (osip_message_get_body(msg, 0, &b) < 0 || !b || !b->body)
		return;
	snprintf(buf, len, "%.*s", (int)(b->length < len ? b->length : len - 1), b->body);
}

/* ---- transport ---- */

/* header names as peers expect to see them: libosip2 prints unknown headers lowercased
 * ("Ms-sensitivity"), and some UM servers compare case-sensitively */
static const char *const ua_canonical[] = {
	"Max-Forwards", "User-Agent", "P-Asserted-Identity", "History-Info", "Ms-Sensitivity",
	"Ms-Exchange-Command", "Retry-After", "Diversion", "Privacy", "Reason", "Server", "Allow",
	"Accept", "Supported", "Unsupported", "Require",
};

static void ua_canonicalize(char *text, size_t len)
{
	char *line = text, *end = text + len, *colon, *eol;
	size_t i, n;

	while (line < end) {
		eol = memchr(line, '\n', end - line);
		if (!eol || eol == line || (eol == line + 1 && *line == '\r'))
			break;	/* end of the headers */
		colon = memchr(line, ':', eol - line);
		n = colon ? (size_t)(colon - line) : 0;
		for (i = 0; n && i < sizeof(ua_canonical) / sizeof(ua_canonical[0]); i++)
			if (strlen(ua_canonical[i]) == n && !strncasecmp(line, ua_canonical[i], n))
				memcpy(line, ua_canonical[i], n);
		line = eol + 1;
	}
}

/* a message as text for the wire (free with osip_free) */
static int ua_to_text(osip_message_t *msg, char **text, size_t *len)
{
	if (osip_message_to_str(msg, text, len) < 0)
		return -ENOMEM;
	ua_canonicalize(*text, *len);
	return 0;
}

static int ua_send_raw(struct sip_ua *ua, int proto, const char *ip, int port, int *conn, const char *tls_name,
		       const char *text, size_t len)
{
	struct sip_tp_dst dst = { proto, ip, port, conn ? *conn : 0, tls_name };
	int used = 0, ret;

	ret = sip_tp_send(ua->tp, &dst, text, len, &used);
	if (ret < 0) {
		LOGW("sip", "%s %s:%d: send failed: %s", gw_proto_name(proto), ip, port, strerror(-ret));
		return ret;
	}
	if (conn)
		*conn = used;
	ua->stats->sip_tx++;
	return 0;
}

/* libosip2 hands every message a transaction sends here */
static int ua_osip_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port, int out_socket)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (!tx || ua_to_text(msg, &text, &len) < 0)
		return -1;
	ret = ua_send_raw(tx->ua, tx->proto, tx->ip, tx->port, &tx->conn, tx->tls_name[0] ? tx->tls_name : NULL,
			  text, len);
	if (!ret && tx->leg && tx->leg->conn <= 0)
		tx->leg->conn = tx->conn;
	osip_free(text);
	return ret < 0 ? -1 : 0;
}

/* ---- transactions ---- */

static struct sip_tx *tx_new(struct sip_ua *ua, struct sip_leg *leg, int proto, const char *ip, int port, int conn,
			     const char *tls_name)
{
	struct sip_tx *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return NULL;
	tx->ua = ua;
	tx->leg = leg;
	tx->proto = proto;
	tx->port = port;
	tx->conn = conn;
	snprintf(tx->ip, sizeof(tx->ip), "%s", ip);
	snprintf(tx->tls_name, sizeof(tx->tls_name), "%s", tls_name ? tls_name : "");
	if (leg)
		leg->ntx++;
	ua->ntx++;
	return tx;
}

/* a timer libosip2 armed at init with its default length: due length ms from now instead */
static void tx_rearm(struct timeval *start, int ms)
{
	if (start->tv_sec == -1 || ms <= 0)
		return;
	osip_gettimeofday(start, NULL);
	add_gettimeofday(start, ms);
}

/* RFC 3261 timers from [sip] (libosip2 starts with its defaults: a client transaction's A/B and
 * E/F are armed at init, so their deadlines are set again here; the others start later, from the
 * lengths) */
static void tx_timers(struct sip_ua *ua, osip_transaction_t *tr)
{
	const struct gw_sip_conf *s = &ua->conf->sip;
	int t1 = s->t1_ms > 0 ? s->t1_ms : 500, t2 = s->t2_ms > 0 ? s->t2_ms : 4000;
	int t4 = s->t4_ms > 0 ? s->t4_ms : 5000;

	if (tr->ict_context) {
		if (tr->ict_context->timer_a_length > 0)
			tr->ict_context->timer_a_length = t1;
		tr->ict_context->timer_b_length = 64 * t1;
		tx_rearm(&tr->ict_context->timer_a_start, tr->ict_context->timer_a_length);
		tx_rearm(&tr->ict_context->timer_b_start, tr->ict_context->timer_b_length);
		if (tr->ict_context->timer_d_length > 0)
			tr->ict_context->timer_d_length = 64 * t1 > 32000 ? 32000 : 64 * t1;
	}
	if (tr->nict_context) {
		if (tr->nict_context->timer_e_length > 0)
			tr->nict_context->timer_e_length = t1;
		tr->nict_context->timer_f_length = 64 * t1;
		tx_rearm(&tr->nict_context->timer_e_start, tr->nict_context->timer_e_length);
		tx_rearm(&tr->nict_context->timer_f_start, tr->nict_context->timer_f_length);
		if (tr->nict_context->timer_k_length > 0)
			tr->nict_context->timer_k_length = t4;
	}
	if (tr->ist_context) {
		if (tr->ist_context->timer_g_length > 0)
			tr->ist_context->timer_g_length = t1 < t2 ? t1 : t2;
		tr->ist_context->timer_h_length = 64 * t1;
		if (tr->ist_context->timer_i_length > 0)
			tr->ist_context->timer_i_length = t4;
	}
	if (tr->nist_context && tr->nist_context->timer_j_length > 0)
		tr->nist_context->timer_j_length = 64 * t1;
}

static void leg_queue(struct sip_leg *leg, int type, int code, const char *reason, const char *contact)
{
	struct leg_pending *p;

	if (leg->owner_gone)
		return;
	if (leg->npending >= UA_PENDING_MAX) {
		/* a burst of provisional responses in one round: the oldest progress gives way, so that a
		 * final outcome is never lost */
		int i;

		for (i = 0; i < leg->npending && leg->pending[i].type != SIP_EV_PROGRESS; i++)
			;
		if (i == leg->npending || type == SIP_EV_PROGRESS)
			return;
		memmove(&leg->pending[i], &leg->pending[i + 1], (size_t)(--leg->npending - i) * sizeof(*p));
	}
	p = &leg->pending[leg->npending++];
	p->type = type;
	p->code = code;
	snprintf(p->reason, sizeof(p->reason), "%s", reason ? reason : "");
	snprintf(p->contact, sizeof(p->contact), "%s", contact ? contact : "");
	if (type >= SIP_EV_REDIRECT)
		leg->state = LEG_TERMINATED;
}

static struct sip_leg *tr_leg(osip_transaction_t *tr)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	return tx ? tx->leg : NULL;
}

static void ua_send_ack(struct sip_leg *leg, osip_message_t *resp);
static void ua_send_cancel(struct sip_leg *leg);

/* a provisional response to our INVITE */
static void ict_1xx(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = tr_leg(tr);
	int code = osip_message_get_status_code(msg);

	if (!leg)
		return;
	leg->got_provisional = 1;	/* any provisional, 100 included, allows CANCEL (RFC 3261 9.1) */
	if (code <= 100)
		return;
	if (leg->state == LEG_CALLING)
		leg->state = LEG_EARLY;
	ua_body(msg, leg->remote_sdp, sizeof(leg->remote_sdp));
	leg_queue(leg, SIP_EV_PROGRESS, code, NULL, NULL);
}

static void ict_2xx(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = tr_leg(tr);
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	if (tx)
		tx->final_seen = 1;
	if (!leg)
		return;
	snprintf(leg->remote_tag, sizeof(leg->remote_tag), "%s", ua_tag(msg->to));
	ua_contact_uri(msg, leg->remote_target, sizeof(leg->remote_target));
	if (leg->state != LEG_CONFIRMED)
		ua_route_set(msg, 1, leg->route, sizeof(leg->route));
	ua_body(msg, leg->remote_sdp, sizeof(leg->remote_sdp));
	ua_send_ack(leg, msg);
	if (leg->state == LEG_CONFIRMED)
		return;
	leg->state = LEG_CONFIRMED;
	leg_queue(leg, SIP_EV_ANSWER, osip_message_get_status_code(msg), NULL, NULL);
	/* answered while we were giving up (the race of CANCEL and 2xx, RFC 3261 9.1): BYE it, after the
	 * transaction machines have run */
	if (leg->owner_gone || leg->cancel_wanted)
		leg->bye_wanted = 1;
}

static void ict_final(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = tr_leg(tr);
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	char contact[UA_STR] = "";
	int code = osip_message_get_status_code(msg);

	if (tx)
		tx->final_seen = 1;
	if (!leg || leg->state == LEG_TERMINATED)
		return;
	if (code >= 300 && code < 400) {
		ua_contact_uri(msg, contact, sizeof(contact));
		if (contact[0]) {
			leg_queue(leg, SIP_EV_REDIRECT, code, NULL, contact);
			return;
		}
	}
	leg_queue(leg, SIP_EV_FAIL, code, ua_header(msg, "reason"), NULL);
}

static void ict_timeout(int type, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = tr_leg(tr);

	if (leg && leg->state != LEG_TERMINATED && leg->state != LEG_CONFIRMED) {
		LOGN("sip", "%s [%s]: no final response to INVITE (Timer B)", leg->name, leg_state_names[leg->state]);
		leg_queue(leg, SIP_EV_FAIL, 408, NULL, NULL);
	}
}

static void tr_transport_error(int type, osip_transaction_t *tr, int error)
{
	struct sip_leg *leg = tr_leg(tr);

	if (leg && type == OSIP_ICT_TRANSPORT_ERROR && leg->state != LEG_TERMINATED &&
	    leg->state != LEG_CONFIRMED) {
		LOGN("sip", "%s [%s]: transport error on INVITE", leg->name, leg_state_names[leg->state]);
		leg_queue(leg, SIP_EV_FAIL, 503, NULL, NULL);
	}
}

static void tr_kill(int type, osip_transaction_t *tr)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	struct sip_ua *ua = tx ? tx->ua : NULL;

	osip_remove_transaction(tr->config, tr);
	if (!tx)
		return;
	if (tx->leg) {
		if (tx->leg->inv_tr == tr) {
			tx->leg->inv_tr = NULL;
			if (!tx->final_seen && type == OSIP_ICT_KILL_TRANSACTION)
				ict_timeout(type, tr, NULL);
		}
		tx->leg->ntx--;
	}
	osip_transaction_set_your_instance(tr, NULL);
	ua->ntx--;
	free(tx);
	if (ua->ndead == ua->maxdead) {
		size_t n = ua->maxdead ? 2 * ua->maxdead : 64;
		osip_transaction_t **d = realloc(ua->dead, n * sizeof(*d));

		if (!d) {
			osip_transaction_free2(tr);	/* no room to defer it: freed now (it is out of the lists) */
			return;
		}
		ua->dead = d;
		ua->maxdead = n;
	}
	ua->dead[ua->ndead++] = tr;
}

static void ua_callbacks(osip_t *osip)
{
	static const int finals[] = {
		OSIP_ICT_STATUS_3XX_RECEIVED, OSIP_ICT_STATUS_4XX_RECEIVED, OSIP_ICT_STATUS_5XX_RECEIVED,
		OSIP_ICT_STATUS_6XX_RECEIVED,
	};
	size_t i;

	osip_set_cb_send_message(osip, ua_osip_send);
	osip_set_message_callback(osip, OSIP_ICT_STATUS_1XX_RECEIVED, ict_1xx);
	osip_set_message_callback(osip, OSIP_ICT_STATUS_2XX_RECEIVED, ict_2xx);
	osip_set_message_callback(osip, OSIP_ICT_STATUS_2XX_RECEIVED_AGAIN, ict_2xx);
	for (i = 0; i < sizeof(finals) / sizeof(finals[0]); i++)
		osip_set_message_callback(osip, finals[i], ict_final);
	osip_set_message_callback(osip, OSIP_ICT_STATUS_TIMEOUT, ict_timeout);
	osip_set_kill_transaction_callback(osip, OSIP_ICT_KILL_TRANSACTION, tr_kill);
	osip_set_kill_transaction_callback(osip, OSIP_IST_KILL_TRANSACTION, tr_kill);
	osip_set_kill_transaction_callback(osip, OSIP_NICT_KILL_TRANSACTION, tr_kill);
	osip_set_kill_transaction_callback(osip, OSIP_NIST_KILL_TRANSACTION, tr_kill);
	osip_set_transport_error_callback(osip, OSIP_ICT_TRANSPORT_ERROR, tr_transport_error);
	osip_set_transport_error_callback(osip, OSIP_NICT_TRANSPORT_ERROR, tr_transport_error);
	osip_set_transport_error_callback(osip, OSIP_IST_TRANSPORT_ERROR, tr_transport_error);
	osip_set_transport_error_callback(osip, OSIP_NIST_TRANSPORT_ERROR, tr_transport_error);
}

/* ---- legs ---- */

static struct sip_leg *leg_new(struct sip_ua *ua, int uas, int proto, const char *ip, int port, int conn)
{
	struct sip_leg *leg = calloc(1, sizeof(*leg));

	if (!leg)
		return NULL;
	leg->ua = ua;
	leg->uas = uas;
	leg->proto = proto;
	leg->port = port;
	leg->conn = conn;
	snprintf(leg->ip, sizeof(leg->ip), "%s", ip);
	ev_timer_init(&leg->ok_timer, NULL, leg);
	leg_name(leg);
	leg->next = ua->legs;
	ua->legs = leg;
	ua->nlegs++;
	return leg;
}

static void leg_free(struct sip_leg *leg)
{
	struct sip_ua *ua = leg->ua;
	struct sip_leg **pp;

	for (pp = &ua->legs; *pp; pp = &(*pp)->next) {
		if (*pp == leg) {
			*pp = leg->next;
			break;
		}
	}
	ev_timer_stop(ua->loop, &leg->ok_timer);
	free(leg->ok_text);
	ua->nlegs--;
	free(leg);
}

/* the dialog a request belongs to: Call-ID and our tag (the To tag of a request the far end sends) */
static struct sip_leg *leg_by_dialog(struct sip_ua *ua, osip_message_t *msg)
{
	const char *tag = ua_tag(msg->to);
	struct sip_leg *leg;
	char cid[200];

	if (!msg->call_id || !msg->call_id->number || !*tag)
		return NULL;
	ua_call_id(msg, cid, sizeof(cid));
	for (leg = ua->legs; leg; leg = leg->next)
		if (!strcmp(leg->local_tag, tag) && !strcmp(leg->call_id, cid) &&
		    (!leg->remote_tag[0] || !strcmp(leg->remote_tag, ua_tag(msg->from))))
			return leg;
	return NULL;
}

/* the incoming INVITE a CANCEL names: same branch, same Call-ID (RFC 3261 9.2) */
static struct sip_leg *leg_by_branch(struct sip_ua *ua, osip_message_t *msg)
{
	const char *branch = ua_branch(msg);
	struct sip_leg *leg;

	if (!*branch)
		return NULL;
	for (leg = ua->legs; leg; leg = leg->next)
		if (leg->uas && !strcmp(leg->branch, branch))
			return leg;
	return NULL;
}

/* ---- building messages ---- */

static int ua_response(struct sip_ua *ua, osip_message_t *req, int code, const char *to_tag,
		       osip_message_t **out)
{
	osip_message_t *r = NULL;
	const char *phrase = osip_message_get_reason(code);

	if (osip_message_init(&r) < 0)
		return -ENOMEM;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, code);
	osip_message_set_reason_phrase(r, osip_strdup(phrase ? phrase : "Unknown"));
	if ((req->from && osip_from_clone(req->from, &r->from) < 0) ||
	    (req->to && osip_to_clone(req->to, &r->to) < 0) ||
	    (req->call_id && osip_call_id_clone(req->call_id, &r->call_id) < 0) ||
	    (req->cseq && osip_cseq_clone(req->cseq, &r->cseq) < 0) ||
	    osip_list_clone(&req->vias, &r->vias, (int (*)(void *, void **))osip_via_clone) < 0) {
		osip_message_free(r);
		return -ENOMEM;
	}
	if (r->to && code > 100 && !*ua_tag(r->to) && to_tag && *to_tag)
		osip_to_set_tag(r->to, osip_strdup(to_tag));
	/* a dialog-creating response copies the Record-Route of the request (RFC 3261 12.1.1) */
	if (code > 100 && code < 300 &&
	    osip_list_clone(&req->record_routes, &r->record_routes, (int (*)(void *, void **))osip_from_clone) < 0) {
		osip_message_free(r);
		return -ENOMEM;
	}
	osip_message_set_header(r, "Server", ua->conf->sip.user_agent[0] ? ua->conf->sip.user_agent : "gwd");
	*out = r;
	return 0;
}

static void ua_set_body(osip_message_t *r, const char *sdp)
{
	char n[24];

	if (sdp && *sdp) {
		osip_message_set_content_type(r, "application/sdp");
		osip_message_set_body(r, sdp, strlen(sdp));
	}
	snprintf(n, sizeof(n), "%zu", sdp ? strlen(sdp) : 0);
	osip_message_set_content_length(r, n);
}

static void ua_set_contact(struct sip_ua *ua, osip_message_t *r, int proto)
{
	char ip[GW_HOST_MAX], v[UA_STR];
	int port;

	if (ua_local(ua, proto, ip, sizeof(ip), &port) < 0)
		return;
	snprintf(v, sizeof(v), "<sip:gw@%s:%d%s>", ip, port,
		 proto == GW_PROTO_TCP ? ";transport=tcp" : proto == GW_PROTO_TLS ? ";transport=tls" : "");
	osip_message_set_contact(r, v);
}

/* hand a response to its server transaction */
static void tx_respond(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *resp)
{
	osip_event_t *evt = osip_new_outgoing_sipmessage(resp);

	if (!evt) {
		osip_message_free(resp);
		return;
	}
	evt->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, evt);
	ua_soon(ua, tr->ctx_type);
}

/* a response outside any transaction (the request could not be used) */
static void ua_stateless(struct sip_ua *ua, osip_message_t *req, const struct sip_tp_src *src, int code,
			 const char *hname, const char *hvalue)
{
	osip_message_t *r = NULL;
	char tag[32], *text = NULL;
	size_t len = 0;
	int conn = src->conn;

	ua_token(ua, "gw", tag, sizeof(tag));
	if (!osip_list_size(&req->vias) || ua_response(ua, req, code, tag, &r) < 0)
		return;
	if (hname)
		osip_message_set_header(r, hname, hvalue);
	ua_set_body(r, NULL);
	if (ua_to_text(r, &text, &len) == 0) {
		ua_send_raw(ua, src->proto, src->ip, src->port, &conn, NULL, text, len);
		osip_free(text);
	}
	osip_message_free(r);
}

/* ---- UAC: requests of our own ---- */

static int ua_via(struct sip_ua *ua, int proto, char *buf, size_t len, char *branch, size_t blen)
{
	char ip[GW_HOST_MAX];
	int port;

	if (ua_local(ua, proto, ip, sizeof(ip), &port) < 0)
		return -ENOTCONN;
	ua_token(ua, "z9hG4bK", branch, blen);
	snprintf(buf, len, "SIP/2.0/%s %s:%d;branch=%s;rport", ua_proto_upper(proto), ip, port, branch);
	return 0;
}

/* parse text of our own into a message and start a client transaction for it */
static int ua_send_request_text(struct sip_ua *ua, struct sip_leg *leg, const char *text, int type)
{
	osip_message_t *msg = NULL;
	osip_transaction_t *tr = NULL;
	osip_event_t *evt;
	struct sip_tx *tx;

	if (osip_message_init(&msg) < 0)
		return -ENOMEM;
	if (osip_message_parse(msg, text, strlen(text)) < 0) {
		LOGE("sip", "%s: a request of ours does not parse", leg->name);
		osip_message_free(msg);
		return -EINVAL;
	}
	if (osip_transaction_init(&tr, type, ua->osip, msg) < 0) {
		osip_message_free(msg);
		return -ENOMEM;
	}
	tx = tx_new(ua, leg, leg->proto, leg->ip, leg->port, leg->conn, leg->tls_name[0] ? leg->tls_name : NULL);
	if (!tx) {
		osip_transaction_free(tr);
		osip_message_free(msg);
		return -ENOMEM;
	}
	osip_transaction_set_your_instance(tr, tx);
	tx_timers(ua, tr);
	if (type == ICT)
		leg->inv_tr = tr;
	evt = osip_new_outgoing_sipmessage(msg);
	evt->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, evt);
	ua_soon(ua, type);
	return 0;
}

/* an in-dialog request (BYE) */
static int ua_in_dialog(struct sip_leg *leg, const char *method, const char *reason)
{
	struct sip_ua *ua = leg->ua;
	char via[UA_STR], branch[48], text[UA_MSG_MAX], rh[UA_STR + 16] = "";
	const char *ruri = leg->remote_target[0] ? leg->remote_target : leg->request_uri;

	if (!ruri[0] || ua_via(ua, leg->proto, via, sizeof(via), branch, sizeof(branch)) < 0)
		return -EINVAL;
	if (reason && *reason)
		snprintf(rh, sizeof(rh), "Reason: %s\r\n", reason);
	snprintf(text, sizeof(text),
		 "%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n%sFrom: %s;tag=%s\r\nTo: %s%s%s\r\n"
		 "Call-ID: %s\r\nCSeq: %u %s\r\n%sUser-Agent: %s\r\nContent-Length: 0\r\n\r\n",
		 method, ruri, via, leg->route, leg->local_uri, leg->local_tag, leg->remote_uri,
		 leg->remote_tag[0] ? ";tag=" : "", leg->remote_tag, leg->call_id, ++leg->local_cseq, method, rh,
		 ua->conf->sip.user_agent[0] ? ua->conf->sip.user_agent : "gwd");
	return ua_send_request_text(ua, leg, text, NICT);
}

/* ACK for a 2xx: a request of its own, outside the INVITE transaction (RFC 3261 13.2.2.4) */
static void ua_send_ack(struct sip_leg *leg, osip_message_t *resp)
{
	struct sip_ua *ua = leg->ua;
	char via[UA_STR], branch[48], text[UA_MSG_MAX];
	const char *ruri = leg->remote_target[0] ? leg->remote_target : leg->request_uri;

	if (ua_via(ua, leg->proto, via, sizeof(via), branch, sizeof(branch)) < 0)
		return;
	snprintf(text, sizeof(text),
		 "ACK %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n%sFrom: %s;tag=%s\r\nTo: %s;tag=%s\r\n"
		 "Call-ID: %s\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
		 ruri, via, leg->route, leg->local_uri, leg->local_tag, leg->remote_uri, leg->remote_tag, leg->call_id,
		 leg->invite_cseq);
	ua_send_raw(ua, leg->proto, leg->ip, leg->port, &leg->conn, leg->tls_name[0] ? leg->tls_name : NULL, text,
		    strlen(text));
}

/* CANCEL: the INVITE's Request-URI, Via (branch), From, To, Call-ID and CSeq number (RFC 3261 9.1) */
static void ua_send_cancel(struct sip_leg *leg)
{
	char text[UA_MSG_MAX], rh[UA_STR + 16] = "";

	if (!leg->cancel_wanted || !leg->got_provisional || leg->state == LEG_TERMINATED)
		return;
	leg->cancel_wanted = 0;
	if (leg->cancel_reason[0])
		snprintf(rh, sizeof(rh), "Reason: %s\r\n", leg->cancel_reason);
	snprintf(text, sizeof(text),
		 "CANCEL %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u CANCEL\r\n%sContent-Length: 0\r\n\r\n",
		 leg->request_uri, leg->via, leg->local_uri, leg->local_tag, leg->remote_uri, leg->call_id,
		 leg->invite_cseq, rh);
	LOGI("sip", "%s [%s]: CANCEL sent", leg->name, leg_state_names[leg->state]);
	ua_send_request_text(leg->ua, leg, text, NICT);
}

/* ---- UAS: our 2xx until its ACK (RFC 3261 13.3.1.4) ---- */

static void leg_ok_timer(void *arg)
{
	struct sip_leg *leg = arg;
	struct sip_ua *ua = leg->ua;
	int t2 = ua->conf->sip.t2_ms > 0 ? ua->conf->sip.t2_ms : 4000;

	if (!leg->ok_text)
		return;
	if (ev_now_us() >= leg->ok_deadline_us) {
		LOGN("sip", "%s [%s]: no ACK for 2xx (Timer H): BYE", leg->name, leg_state_names[leg->state]);
		free(leg->ok_text);
		leg->ok_text = NULL;
		leg_queue(leg, SIP_EV_ACK_TIMEOUT, 408, NULL, NULL);
		ua_in_dialog(leg, "BYE", "SIP;cause=408;text=\"no ACK\"");
		ev_timer_start(ua->loop, &ua->kick, 0);
		return;
	}
	if (leg->proto == GW_PROTO_UDP)
		ua_send_raw(ua, leg->proto, leg->ip, leg->port, &leg->conn, NULL, leg->ok_text, leg->ok_len);
	leg->ok_interval = leg->ok_interval * 2 > (uint64_t)t2 ? (uint64_t)t2 : leg->ok_interval * 2;
	ev_timer_start(ua->loop, &leg->ok_timer, leg->ok_interval);
}

static void leg_keep_ok(struct sip_leg *leg, osip_message_t *resp)
{
	struct sip_ua *ua = leg->ua;
	int t1 = ua->conf->sip.t1_ms > 0 ? ua->conf->sip.t1_ms : 500;
	char *text = NULL;
	size_t len = 0;

	if (ua_to_text(resp, &text, &len) < 0)
		return;
	free(leg->ok_text);
	leg->ok_text = malloc(len);
	if (leg->ok_text) {
		memcpy(leg->ok_text, text, len);
		leg->ok_len = len;
	}
	osip_free(text);
	leg->ok_interval = t1;
	leg->ok_deadline_us = ev_now_us() + 64ULL * t1 * 1000;
	leg->ok_timer.cb = leg_ok_timer;
	ev_timer_start(ua->loop, &leg->ok_timer, t1);
}

int sip_leg_respond(struct sip_leg *leg, const struct sip_resp *resp)
{
	struct sip_ua *ua = leg->ua;
	osip_message_t *r = NULL;
	char n[16];

	if (!leg->uas || !resp || resp->code < 100 || resp->code > 699)
		return -EINVAL;
	if (leg->final_sent || !leg->inv_tr || !leg->inv_req)
		return -EALREADY;
	if (ua_response(ua, leg->inv_req, resp->code, leg->local_tag, &r) < 0)
		return -ENOMEM;
	if (resp->reason && *resp->reason)
		osip_message_set_header(r, "Reason", resp->reason);
	if (resp->retry_after > 0) {
		snprintf(n, sizeof(n), "%d", resp->retry_after);
		osip_message_set_header(r, "Retry-After", n);
	}
	if (resp->code > 100 && resp->code < 300)
		ua_set_contact(ua, r, leg->proto);
	if (resp->warning && *resp->warning) {
		char w[UA_STR + 32], *q;

		snprintf(w, sizeof(w), "399 gwd \"%.*s\"", UA_STR - 1, resp->warning);
		for (q = w + 9; *q && q[1]; q++)	/* a quoted-string: no quote or control inside */
			if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20)
				*q = '\'';
		osip_message_set_header(r, "Warning", w);
	}
	if (resp->code > 100 && resp->code < 300 && resp->sdp && *resp->sdp)
		snprintf(leg->local_sdp, sizeof(leg->local_sdp), "%s", resp->sdp);
	ua_set_body(r, resp->code > 100 && resp->code < 300 ? resp->sdp : NULL);
	LOGI("sip", "%s [%s]: %d sent", leg->name, leg_state_names[leg->state], resp->code);
	if (resp->code >= 200) {
		leg->final_sent = 1;
		if (resp->code < 300) {
			leg->state = LEG_CONFIRMED;
			leg_keep_ok(leg, r);
		} else {
			leg->state = LEG_TERMINATED;
			leg->owner_gone = 1;
		}
	}
	tx_respond(ua, leg->inv_tr, r);
	return 0;
}

/* ---- incoming requests ---- */

static int ua_validate(struct sip_ua *ua, osip_message_t *msg, const struct sip_tp_src *src)
{
	osip_header_t *h = NULL;
	const char *scheme;

	if (MSG_IS_ACK(msg))	/* an ACK never gets a response (RFC 3261 17.2.3): a bad one is dropped */
		return !msg->call_id || !msg->call_id->number || !msg->cseq || !msg->cseq->method || !msg->from ||
		       !msg->to || !osip_list_size(&msg->vias) || strcmp(msg->cseq->method, "ACK") ||
		       !msg->sip_version || strcmp(msg->sip_version, "SIP/2.0") ? -EINVAL : 0;

	if (!msg->sip_version || strcmp(msg->sip_version, "SIP/2.0")) {
		ua_stateless(ua, msg, src, 505, NULL, NULL);
		return -EPROTONOSUPPORT;
	}
	if (!msg->from || !msg->to || !msg->call_id || !msg->call_id->number || !msg->cseq || !msg->cseq->method ||
	    !msg->cseq->number || !osip_list_size(&msg->vias) || !msg->req_uri ||
	    strcmp(msg->cseq->method, msg->sip_method) || strspn(msg->cseq->number, "0123456789") !=
	    strlen(msg->cseq->number) || strlen(msg->cseq->number) > 10) {
		ua_stateless(ua, msg, src, 400, NULL, NULL);
		return -EINVAL;
	}
	scheme = msg->req_uri->scheme;
	if (!scheme || (strcasecmp(scheme, "sip") && strcasecmp(scheme, "sips") && strcasecmp(scheme, "tel"))) {
		ua_stateless(ua, msg, src, 416, NULL, NULL);
		return -EPROTONOSUPPORT;
	}
	if (!MSG_IS_ACK(msg) && !MSG_IS_CANCEL(msg) && osip_message_get_require(msg, 0, &h) >= 0 && h &&
	    h->hvalue) {
		ua_stateless(ua, msg, src, 420, "Unsupported", h->hvalue);
		return -ENOTSUP;
	}
	return 0;
}

static osip_transaction_t *ua_server_tx(struct sip_ua *ua, osip_event_t *evt, struct sip_leg *leg,
					const struct sip_tp_src *src)
{
	osip_transaction_t *tr = osip_create_transaction(ua->osip, evt);
	struct sip_tx *tx;

	if (!tr)
		return NULL;
	tx = tx_new(ua, leg, src->proto, src->ip, src->port, src->conn, NULL);
	if (!tx) {
		osip_remove_transaction(ua->osip, tr);
		osip_transaction_free(tr);
		return NULL;
	}
	osip_transaction_set_your_instance(tr, tx);
	tx_timers(ua, tr);
	osip_transaction_add_event(tr, evt);
	/* let the machine take the request in now (tr->orig_request, state proceeding) */
	if (MSG_IS_INVITE(evt->sip))
		osip_ist_execute(ua->osip);
	else
		osip_nist_execute(ua->osip);
	return tr;
}

static void ua_simple(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req, int code, const char *tag)
{
	osip_message_t *r = NULL;
	char own[32];

	if (!tag) {	/* a response outside a dialog still carries a To tag (RFC 3261 8.2.6.2) */
		ua_token(ua, "gw", own, sizeof(own));
		tag = own;
	}
	if (ua_response(ua, req, code, tag, &r) < 0)
		return;
	if (code == 405 || code == 415 || MSG_IS_OPTIONS(req)) {
		osip_message_set_header(r, "Allow", UA_ALLOW);
		osip_message_set_header(r, "Accept", "application/sdp");
	}
	ua_set_body(r, NULL);
	tx_respond(ua, tr, r);
}

/* RFC 3261 8.2.3: a body we cannot read gets 415, an Accept without SDP 406 (the leg ends there) */
static int ua_media_type(struct sip_ua *ua, osip_transaction_t *tr, struct sip_leg *leg, osip_message_t *msg)
{
	osip_content_type_t *ct = osip_message_get_content_type(msg);
	osip_accept_t *a;
	int code = 0, pos, sdp_ok = 0;

	if (osip_list_size(&msg->bodies) > 0 && ct && ct->type &&
	    (strcasecmp(ct->type, "application") || !ct->subtype || strcasecmp(ct->subtype, "sdp")))
		code = 415;
	for (pos = 0; (a = osip_list_get(&msg->accepts, pos)) != NULL; pos++)
		sdp_ok |= !a->type || !strcmp(a->type, "*") || (!strcasecmp(a->type, "application") &&
			  a->subtype && (!strcmp(a->subtype, "*") || !strcasecmp(a->subtype, "sdp")));
	if (!code && osip_list_size(&msg->accepts) > 0 && !sdp_ok)
		code = 406;
	if (!code)
		return 0;
	LOGN("sip", "%s [incoming]: %s: %d", leg->name, code == 415 ? "body is not application/sdp" :
	     "Accept does not include application/sdp", code);
	ua_simple(ua, tr, msg, code, leg->local_tag);
	leg->final_sent = 1;
	leg->state = LEG_TERMINATED;
	leg->owner_gone = 1;
	return -EPROTO;
}

static void ua_invite(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *msg, const struct sip_tp_src *src)
{
	const struct gw_peer_conf *peer;
	struct sip_event ev = { 0 };
	struct sip_leg *leg;
	osip_message_t *trying = NULL;

	leg = leg_new(ua, 1, src->proto, src->ip, src->port, src->conn);
	if (!leg) {
		ua_simple(ua, tr, msg, 500, NULL);
		return;
	}
	((struct sip_tx *)osip_transaction_get_your_instance(tr))->leg = leg;
	leg->ntx++;
	leg->inv_tr = tr;
	leg->inv_req = msg;
	leg->state = LEG_INCOMING;
	ua_call_id(msg, leg->call_id, sizeof(leg->call_id));
	ua_token(ua, "gw", leg->local_tag, sizeof(leg->local_tag));
	snprintf(leg->remote_tag, sizeof(leg->remote_tag), "%s", ua_tag(msg->from));
	ua_name_addr(msg->to, leg->local_uri, sizeof(leg->local_uri));
	ua_name_addr(msg->from, leg->remote_uri, sizeof(leg->remote_uri));
	ua_contact_uri(msg, leg->remote_target, sizeof(leg->remote_target));
	ua_route_set(msg, 0, leg->route, sizeof(leg->route));
	snprintf(leg->branch, sizeof(leg->branch), "%s", ua_branch(msg));
	leg->remote_cseq = strtoul(msg->cseq->number, NULL, 10);
	leg->local_cseq = 1;
	ua_body(msg, leg->remote_sdp, sizeof(leg->remote_sdp));
	peer = gw_conf_peer_by_addr(ua->conf, src->proto, src->ip, src->port,
				    src->tls_verified ? src->tls_name : NULL);
	leg->peer = peer;
	if (peer)
		snprintf(leg->name, sizeof(leg->name), "%s %s:%d peer %s", gw_proto_name(src->proto), src->ip,
			 src->port, peer->name);
	LOGI("sip", "%s [incoming]: INVITE %s Call-ID %s", leg->name, msg->req_uri->username ?
	     msg->req_uri->username : "", leg->call_id);
	if (ua_response(ua, msg, 100, NULL, &trying) == 0) {
		ua_set_body(trying, NULL);
		tx_respond(ua, tr, trying);
	}
	if (ua_media_type(ua, tr, leg, msg) < 0)
		return;
	ev.type = SIP_EV_INVITE;
	ev.leg = leg;
	ev.msg = msg;
	ev.src = src;
	ev.peer = peer;
	ua->cb(ua->arg, &ev);
}

/* the dialog of a request from the far end, or NULL after answering 481 (no such dialog) or 500 (a
 * CSeq lower than the last one, RFC 3261 12.2.2) */
static struct sip_leg *ua_in_dialog_request(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = leg_by_dialog(ua, msg);
	unsigned long cseq = strtoul(msg->cseq->number, NULL, 10);

	if (!leg) {
		ua_simple(ua, tr, msg, 481, NULL);
		return NULL;
	}
	if (leg->remote_cseq && cseq < leg->remote_cseq) {
		LOGN("sip", "%s [%s]: %s with CSeq %lu after %lu: 500", leg->name, leg_state_names[leg->state],
		     msg->sip_method, cseq, leg->remote_cseq);
		ua_simple(ua, tr, msg, 500, leg->local_tag);
		return NULL;
	}
	leg->remote_cseq = cseq;
	return leg;
}

static void ua_bye(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = ua_in_dialog_request(ua, tr, msg);

	if (!leg)
		return;
	ua_simple(ua, tr, msg, 200, NULL);
	ev_timer_stop(ua->loop, &leg->ok_timer);
	free(leg->ok_text);	/* a BYE before the ACK ends the 2xx retransmission too */
	leg->ok_text = NULL;
	LOGI("sip", "%s [%s]: BYE received", leg->name, leg_state_names[leg->state]);
	if (leg->uas && !leg->final_sent && leg->inv_tr && leg->inv_req) {
		/* BYE in an early dialog: the INVITE still gets its final response (RFC 3261 15.1.2) */
		osip_message_t *r = NULL;

		if (ua_response(ua, leg->inv_req, 487, leg->local_tag, &r) == 0) {
			ua_set_body(r, NULL);
			tx_respond(ua, leg->inv_tr, r);
		}
		leg->final_sent = 1;
	}
	if (leg->state != LEG_TERMINATED)
		leg_queue(leg, SIP_EV_BYE, 0, ua_header(msg, "reason"), NULL);
	leg->state = LEG_TERMINATED;
}

static void ua_cancel(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = leg_by_branch(ua, msg);
	osip_message_t *r = NULL;

	if (!leg) {
		ua_simple(ua, tr, msg, 481, NULL);
		return;
	}
	ua_simple(ua, tr, msg, 200, leg->local_tag);
	if (leg->final_sent || !leg->inv_tr)
		return;
	LOGI("sip", "%s [%s]: CANCEL received: 487", leg->name, leg_state_names[leg->state]);
	if (leg->inv_req && ua_response(ua, leg->inv_req, 487, leg->local_tag, &r) == 0) {
		ua_set_body(r, NULL);
		tx_respond(ua, leg->inv_tr, r);
	}
	leg->final_sent = 1;
	leg_queue(leg, SIP_EV_CANCEL, 487, ua_header(msg, "reason"), NULL);
}

/* the session id and version of an o= line */
static void ua_sdp_origin(const char *sdp, unsigned long *id, unsigned long *ver)
{
	const char *o = strstr(sdp, "\no=");

	o = o ? o + 1 : !strncmp(sdp, "o=", 2) ? sdp : NULL;
	if (o && sscanf(o, "o=%*s %lu %lu", id, ver) != 2)
		*id = *ver = 0;
}

/* the answer to a re-INVITE's offer from the session we have (same address and port; the direction
 * mirrors the offer's, so hold and resume are answered): 200, or 488 when nothing fits */
static int ua_reanswer(struct sip_leg *leg, const char *offer_text, char *out, size_t len)
{
	struct gw_sdp offer, mine;
	struct gw_sdp_local l;
	char err[128], key[SDES_VALUE_MAX];
	int chosen;

	if (!leg->local_sdp[0] || gw_sdp_parse(leg->local_sdp, strlen(leg->local_sdp), &mine, err, sizeof(err)) < 0)
		return 488;
	if (!offer_text[0]) {
		snprintf(out, len, "%s", leg->local_sdp);	/* no offer: ours, answered in the ACK */
		return 200;
	}
	if (gw_sdp_parse(offer_text, strlen(offer_text), &offer, err, sizeof(err)) < 0)
		return 488;
	memset(&l, 0, sizeof(l));
	if (leg->key[0]) {
		/* the call has SRTP: the same key of ours, under the tag of the offer's line of its suite */
		struct sdes_key ours, theirs;

		if (sdes_parse(leg->key, &ours) < 0)
			return 488;
		if (gw_sdp_crypto_pick(&offer, -1, ours.suite, &theirs) < 0) {
			LOGN("sip", "%s: re-INVITE without an SDES key of suite %s in an SRTP call: 488", leg->name,
			     sdes_suite_name(ours.suite));
			return 488;
		}
		ours.tag = theirs.tag;
		if (sdes_format(&ours, key, sizeof(key)) < 0)
			return 488;
		l.crypto = key;
	}
	l.ip = mine.ip;
	l.port = mine.port;
	l.ptime = mine.ptime;
	/* the same session: o= keeps its id, the version goes up (RFC 3264 8) */
	l.sess_id = 0;
	l.sess_ver = 0;
	ua_sdp_origin(leg->local_sdp, &l.sess_id, &l.sess_ver);
	l.sess_ver++;
	if (gw_sdp_answer(&offer, &l, out, len, &chosen) <= 0)
		return 488;
	snprintf(leg->local_sdp, sizeof(leg->local_sdp), "%s", out);
	return 200;
}

/* a re-INVITE (session refresh, hold, resume): answered from the session we have; outside a dialog 481 */
static void ua_reinvite(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *msg)
{
	struct sip_leg *leg = ua_in_dialog_request(ua, tr, msg);
	char offer[GW_SDP_MAX], answer[GW_SDP_MAX];
	osip_message_t *r = NULL;
	int code;

	if (!leg)
		return;
	if (leg->state != LEG_CONFIRMED) {
		/* the first INVITE has no final response yet: 500 with Retry-After (RFC 3261 14.2) */
		if (ua_response(ua, msg, 500, leg->local_tag, &r) == 0) {
			osip_message_set_header(r, "Retry-After", "2");
			ua_set_body(r, NULL);
			tx_respond(ua, tr, r);
		}
		return;
	}
	ua_body(msg, offer, sizeof(offer));
	code = ua_reanswer(leg, offer, answer, sizeof(answer));
	LOGI("sip", "%s [%s]: re-INVITE answered %d", leg->name, leg_state_names[leg->state], code);
	if (code != 200) {
		ua_simple(ua, tr, msg, code, NULL);
		return;
	}
	if (ua_response(ua, msg, 200, leg->local_tag, &r) < 0)
		return;
	ua_set_contact(ua, r, leg->proto);
	ua_set_body(r, answer);
	leg_keep_ok(leg, r);
	tx_respond(ua, tr, r);
	if (offer[0]) {
		snprintf(leg->remote_sdp, sizeof(leg->remote_sdp), "%s", offer);
		leg_queue(leg, SIP_EV_MEDIA, 200, NULL, NULL);
	}
}

static void ua_ack(struct sip_ua *ua, osip_message_t *msg)
{
	struct sip_leg *leg = leg_by_dialog(ua, msg);

	if (!leg || !leg->ok_text)
		return;
	ev_timer_stop(ua->loop, &leg->ok_timer);
	free(leg->ok_text);
	leg->ok_text = NULL;
	LOGD("sip", "%s [%s]: ACK received", leg->name, leg_state_names[leg->state]);
	if (leg->uas && !leg->remote_sdp[0]) {
		/* an INVITE without SDP: our 2xx carried the offer, the ACK the answer (RFC 3261 13.2.1) */
		ua_body(msg, leg->remote_sdp, sizeof(leg->remote_sdp));
		if (leg->remote_sdp[0])
			leg_queue(leg, SIP_EV_MEDIA, 0, NULL, NULL);
		else
			LOGN("sip", "%s [%s]: ACK without the answer to our offer: no media", leg->name,
			     leg_state_names[leg->state]);
	}
}

/* a 2xx to an INVITE whose transaction is gone: the ACK got lost, send it again */
static void ua_stray_response(struct sip_ua *ua, osip_message_t *msg)
{
	struct sip_leg *leg;
	const char *tag = ua_tag(msg->from);

	if (!msg->cseq || !msg->cseq->method || strcmp(msg->cseq->method, "INVITE") || !MSG_IS_STATUS_2XX(msg))
		return;
	for (leg = ua->legs; leg; leg = leg->next)
		if (!leg->uas && !strcmp(leg->local_tag, tag) && leg->remote_tag[0])
			ua_send_ack(leg, msg);	/* also after our BYE: a 2xx is ACKed every time (13.2.2.4) */
}

/*
 * An INVITE whose server transaction is gone because our 2xx ended it (libosip2 follows RFC 3261,
 * not the Accepted state of RFC 6026): a retransmission of a call we have, by Call-ID, From tag and
 * branch.  The 2xx goes again while we still wait for its ACK (13.3.1.4); otherwise it is dropped.
 * 1 when it was one, 0 for a new call.
 */
static int ua_invite_again(struct sip_ua *ua, osip_message_t *msg)
{
	const char *tag = ua_tag(msg->from), *branch = ua_branch(msg);
	struct sip_leg *leg;
	char cid[200];

	ua_call_id(msg, cid, sizeof(cid));
	for (leg = ua->legs; leg; leg = leg->next) {
		if (!leg->uas || strcmp(leg->call_id, cid) || strcmp(leg->remote_tag, tag) || strcmp(leg->branch, branch))
			continue;
		LOGI("sip", "%s [%s]: INVITE retransmitted after the final response%s", leg->name,
		     leg_state_names[leg->state], leg->ok_text ? ": 2xx sent again" : ": dropped");
		if (leg->ok_text)
			ua_send_raw(ua, leg->proto, leg->ip, leg->port, &leg->conn, NULL, leg->ok_text, leg->ok_len);
		return 1;
	}
	return 0;
}

static void ua_request(struct sip_ua *ua, osip_event_t *evt, const struct sip_tp_src *src)
{
	osip_message_t *msg = evt->sip;
	osip_transaction_t *tr;

	if (ua_validate(ua, msg, src) < 0) {
		osip_event_free(evt);
		return;
	}
	if (MSG_IS_ACK(msg)) {
		if (osip_find_transaction_and_add_event(ua->osip, evt) != 0) {
			ua_ack(ua, msg);
			osip_event_free(evt);
		}
		return;
	}
	if (osip_find_transaction_and_add_event(ua->osip, evt) == 0)
		return;		/* a retransmission: the transaction answers it again */
	if (MSG_IS_INVITE(msg) && !*ua_tag(msg->to) && ua_invite_again(ua, msg)) {
		osip_event_free(evt);
		return;
	}
	tr = ua_server_tx(ua, evt, NULL, src);
	if (!tr) {
		osip_event_free(evt);
		return;
	}
	if (MSG_IS_INVITE(msg))
		*ua_tag(msg->to) ? ua_reinvite(ua, tr, msg) : ua_invite(ua, tr, msg, src);
	else if (MSG_IS_BYE(msg))
		ua_bye(ua, tr, msg);
	else if (MSG_IS_CANCEL(msg))
		ua_cancel(ua, tr, msg);
	else if (MSG_IS_OPTIONS(msg))
		ua_simple(ua, tr, msg, 200, NULL);
	else
		ua_simple(ua, tr, msg, 405, NULL);
}

/* the list a received message's transaction is in */
static int ua_list_of(osip_message_t *msg)
{
	if (MSG_IS_RESPONSE(msg))
		return msg->cseq && msg->cseq->method && !strcmp(msg->cseq->method, "INVITE") ? ICT : NICT;
	return MSG_IS_INVITE(msg) || MSG_IS_ACK(msg) ? IST : NIST;
}

static void ua_recv(void *arg, const char *buf, size_t len, const struct sip_tp_src *src)
{
	struct sip_ua *ua = arg;
	osip_event_t *evt;

	ua->stats->sip_rx++;
	evt = osip_parse(buf, len);
	if (!evt || !evt->sip) {
		ua->stats->sip_bad++;
		LOGI("sip", "%s %s:%d: unparseable message (%zu bytes) dropped", gw_proto_name(src->proto), src->ip,
		     src->port, len);
		if (evt)
			osip_event_free(evt);
		return;
	}
	ua->dirty |= 1u << ua_list_of(evt->sip);	/* a retransmission or an answer goes to its transaction */
	if (MSG_IS_RESPONSE(evt->sip)) {
		osip_message_t *m = evt->sip;

		if (!m->cseq || !m->cseq->method || !m->cseq->number || !m->call_id || !m->from || !m->to ||
		    !osip_list_size(&m->vias)) {
			ua->stats->sip_bad++;
			osip_event_free(evt);
		} else if (osip_find_transaction_and_add_event(ua->osip, evt) != 0) {
			ua_stray_response(ua, evt->sip);
			osip_event_free(evt);
		}
	} else {
		ua_request(ua, evt, src);
	}
	ev_timer_start(ua->loop, &ua->kick, 0);
}


static void ua_tp_error(void *arg, int conn, int err)
{
	struct sip_ua *ua = arg;
	struct sip_leg *leg;

	for (leg = ua->legs; leg; leg = leg->next) {
		if (leg->conn != conn || leg->state == LEG_TERMINATED)
			continue;
		LOGN("sip", "%s [%s]: connection failed: %s", leg->name, leg_state_names[leg->state], strerror(-err));
		if (!leg->uas && leg->state != LEG_CONFIRMED)
			leg_queue(leg, SIP_EV_FAIL, 503, NULL, NULL);
		else if (leg->state == LEG_CONFIRMED)
			leg_queue(leg, SIP_EV_BYE, 0, "SIP;cause=503;text=\"connection lost\"", NULL);
		leg->conn = 0;
	}
	ev_timer_start(ua->loop, &ua->kick, 0);
}

/* ---- the machines and the owner's events ---- */

static void ua_deliver(struct sip_ua *ua)
{
	struct sip_leg *leg;
	int again = 1;

	while (again) {
		again = 0;
		for (leg = ua->legs; leg; leg = leg->next) {
			struct leg_pending p;
			struct sip_event ev = { 0 };

			if (!leg->npending)
				continue;
			p = leg->pending[0];
			memmove(leg->pending, leg->pending + 1, --leg->npending * sizeof(p));
			if (leg->owner_gone)
				continue;
			ev.type = p.type;
			ev.leg = leg;
			ev.user = leg->user;
			ev.code = p.code;
			ev.reason = p.reason[0] ? p.reason : NULL;
			ev.contact = p.contact[0] ? p.contact : NULL;
			ev.peer = leg->peer;
			if (p.type >= SIP_EV_REDIRECT)
				leg->owner_gone = 1;
			ua->cb(ua->arg, &ev);
			again = 1;
			break;	/* the owner may have changed the list */
		}
	}
}

/* what a leg wants sent once the machines are idle: a CANCEL after the first provisional
 * response, a BYE for a call answered after we gave it up */
static void ua_actions(struct sip_ua *ua)
{
	struct sip_leg *leg;

	for (leg = ua->legs; leg; leg = leg->next) {
		if (leg->cancel_wanted && leg->got_provisional && leg->state != LEG_CONFIRMED)
			ua_send_cancel(leg);
		if (leg->bye_wanted && leg->state == LEG_CONFIRMED) {
			leg->bye_wanted = 0;
			leg->cancel_wanted = 0;
			LOGN("sip", "%s [confirmed]: answered after the call was given up: BYE", leg->name);
			leg->state = LEG_TERMINATED;
			ua_in_dialog(leg, "BYE", leg->cancel_reason[0] ? leg->cancel_reason : NULL);
		}
	}
}

static void ua_collect(struct sip_ua *ua)
{
	struct sip_leg *leg, *next;
	size_t i;

	for (i = 0; i < ua->ndead; i++)
		osip_transaction_free2(ua->dead[i]);
	ua->ndead = 0;
	for (leg = ua->legs; leg; leg = next) {
		next = leg->next;
		if (leg->owner_gone && !leg->ntx && !leg->npending && !leg->ok_text)
			leg_free(leg);
	}
}

static void ua_run_timers(struct sip_ua *ua)
{
	osip_timers_ict_execute(ua->osip);
	osip_timers_ist_execute(ua->osip);
	osip_timers_nict_execute(ua->osip);
	osip_timers_nist_execute(ua->osip);
}

/* run the lists that have events (each run walks the whole list: libosip2 keeps no queue of its own) */
static void ua_run_machines(struct sip_ua *ua)
{
	unsigned int dirty = ua->dirty;

	ua->dirty = 0;
	if (dirty & (1u << ICT))
		osip_ict_execute(ua->osip);
	if (dirty & (1u << IST))
		osip_ist_execute(ua->osip);
	if (dirty & (1u << NICT))
		osip_nict_execute(ua->osip);
	if (dirty & (1u << NIST))
		osip_nist_execute(ua->osip);
}

/* an event was added to a transaction of list type: run it in this loop round, and make sure the
 * timers are looked at by T1 (a timer such as A, E or G may start now) */
static void ua_soon(struct sip_ua *ua, int type)
{
	uint64_t t1 = ua->conf->sip.t1_ms > 0 ? ua->conf->sip.t1_ms : 500;

	ua->dirty |= 1u << type;
	ev_timer_start(ua->loop, &ua->kick, 0);
	if (!ev_timer_armed(&ua->tick) || ev_now_us() + t1 * 1000 < ua->tick.due_us)
		ev_timer_start(ua->loop, &ua->tick, t1);
}

/* wake up when the first transaction timer (A, B, D, E, F, G, H, I, J, K) is due, not on a fixed
 * tick: running the machines walks every transaction */
static void ua_next_tick(struct sip_ua *ua)
{
	struct timeval tv = { UA_TICK_MAX_MS / 1000, 0 };
	uint64_t ms;

	if (!ua->ntx) {
		ev_timer_stop(ua->loop, &ua->tick);
		return;
	}
	osip_timers_gettimeout(ua->osip, &tv);
	ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000 + 1;
	ms = ms < UA_TICK_MIN_MS ? UA_TICK_MIN_MS : ms > UA_TICK_MAX_MS ? UA_TICK_MAX_MS : ms;
	if (!ev_timer_armed(&ua->tick) || ev_now_us() + ms * 1000 < ua->tick.due_us)
		ev_timer_start(ua->loop, &ua->tick, ms);
}

static void ua_pump(struct sip_ua *ua)
{
	if (ua->pumping) {
		ev_timer_start(ua->loop, &ua->kick, 0);
		return;
	}
	ua->pumping = 1;
	ua_run_machines(ua);
	ua_actions(ua);
	ua_deliver(ua);
	ua_actions(ua);
	ua_run_machines(ua);	/* what the owner answered goes out now */
	ua_collect(ua);
	ua->pumping = 0;
}

/* the transaction timers are due */
static void ua_tick(void *arg)
{
	struct sip_ua *ua = arg;

	ua_run_timers(ua);
	ua->dirty = (1u << ICT) | (1u << IST) | (1u << NICT) | (1u << NIST);
	ua_pump(ua);
	ua_next_tick(ua);
}

/* events were queued (a message came, the owner asked for something): run the machines once in
 * this loop round, however many messages arrived */
static void ua_kick(void *arg)
{
	ua_pump(arg);
}

/* ---- public API ---- */

static void ua_trace_quiet(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
}

/* libosip2's own traces would flood stderr on hostile input: what matters is logged here */
static void ua_quiet_traces(void)
{
	int level;

	osip_trace_initialize_func(END_TRACE_LEVEL, ua_trace_quiet);
	for (level = 0; level < END_TRACE_LEVEL; level++)
		osip_trace_disable_level((osip_trace_level_t)level);
}

int sip_ua_new(struct ev_loop *loop, const struct gw_conf *conf, struct gw_stats *stats, sip_ua_cb cb, void *arg,
	       struct sip_ua **out, char *err, size_t errlen)
{
	struct sip_tp_conf tc = { 0 };
	struct sip_ua *ua;
	int ret, i;

	ua = calloc(1, sizeof(*ua));
	if (!ua)
		return -ENOMEM;
	ua->loop = loop;
	ua->conf = conf;
	ua->stats = stats;
	ua->cb = cb;
	ua->arg = arg;
	ev_timer_init(&ua->tick, ua_tick, ua);
	ev_timer_init(&ua->kick, ua_kick, ua);
	for (i = 0; i < GW_PROTO_COUNT; i++)
		snprintf(tc.listen[i], sizeof(tc.listen[i]), "%s", conf->sip.listen[i]);
	snprintf(tc.tls_cert, sizeof(tc.tls_cert), "%s", conf->sip.tls_cert);
	snprintf(tc.tls_key, sizeof(tc.tls_key), "%s", conf->sip.tls_key);
	snprintf(tc.tls_ca, sizeof(tc.tls_ca), "%s", conf->sip.tls_ca);
	tc.verify_client = conf->sip.tls_verify_client;
	ret = sip_tp_new(loop, &tc, ua_recv, ua_tp_error, ua, &ua->tp, err, errlen);
	if (ret < 0)
		goto fail;
	if (osip_init(&ua->osip) != 0) {
		snprintf(err, errlen, "libosip2: osip_init failed");
		ret = -ENOMEM;
		goto fail;
	}
	osip_set_application_context(ua->osip, ua);
	ua_callbacks(ua->osip);
	ua_quiet_traces();
	srandom((unsigned int)ev_now_us());
	*out = ua;
	return 0;
fail:
	if (ua->tp)
		sip_tp_free(ua->tp);
	free(ua);
	return ret;
}

static void ua_free_list(osip_list_t *list)
{
	while (osip_list_size(list) > 0) {
		osip_transaction_t *tr = osip_list_get(list, 0);

		free(osip_transaction_get_your_instance(tr));
		osip_transaction_set_your_instance(tr, NULL);
		osip_list_remove(list, 0);
		osip_transaction_free2(tr);
	}
}

void sip_ua_free(struct sip_ua *ua)
{
	if (!ua)
		return;
	ev_timer_stop(ua->loop, &ua->tick);
	ev_timer_stop(ua->loop, &ua->kick);
	while (ua->legs)
		leg_free(ua->legs);
	if (ua->osip) {
		ua_free_list(&ua->osip->osip_ict_transactions);
		ua_free_list(&ua->osip->osip_ist_transactions);
		ua_free_list(&ua->osip->osip_nict_transactions);
		ua_free_list(&ua->osip->osip_nist_transactions);
		osip_release(ua->osip);
	}
	ua_collect(ua);
	free(ua->dead);
	sip_tp_free(ua->tp);
	free(ua);
}

size_t sip_ua_leg_count(const struct sip_ua *ua)
{
	return ua->nlegs;
}

int sip_ua_local(const struct sip_ua *ua, int proto, char *ip, size_t len, int *port)
{
	return sip_tp_local(ua->tp, proto, ip, len, port);
}

static int leg_invite_text(struct sip_leg *leg, const struct sip_invite *inv, char *text, size_t len)
{
	struct sip_ua *ua = leg->ua;
	char contact[UA_STR], ip[GW_HOST_MAX], extra[4 * UA_STR + 2 * MAP_SIP_HDR_MAX] = "";
	size_t n = 0;
	int port;

	if (ua_local(ua, leg->proto, ip, sizeof(ip), &port) < 0)
		return -ENOTCONN;
	snprintf(contact, sizeof(contact), "<sip:gw@%s:%d%s>", ip, port,
		 leg->proto == GW_PROTO_TCP ? ";transport=tcp" : leg->proto == GW_PROTO_TLS ? ";transport=tls" : "");
#define UA_HDR(name, v) \
	do { \
		if ((v) && *(v) && n < sizeof(extra)) \
			n += snprintf(extra + n, sizeof(extra) - n, name ": %s\r\n", (v)); \
	} while (0)
	UA_HDR("P-Asserted-Identity", inv->pai);
	UA_HDR("Diversion", inv->diversion);
	UA_HDR("History-Info", inv->history_info);
	UA_HDR("Privacy", inv->privacy);
	UA_HDR("Ms-Exchange-Command", inv->ms_exchange_command);
	UA_HDR("Ms-Sensitivity", inv->ms_sensitivity);
#undef UA_HDR
	if (n >= sizeof(extra))
		return -ENOSPC;
	n = snprintf(text, len,
		     "INVITE %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s;tag=%s\r\nTo: %s\r\n"
		     "Call-ID: %s\r\nCSeq: %u INVITE\r\nContact: %s\r\n%sAllow: " UA_ALLOW "\r\nUser-Agent: %s\r\n"
		     "%sContent-Length: %zu\r\n\r\n%s",
		     inv->request_uri, leg->via, inv->from, leg->local_tag, inv->to, leg->call_id, leg->invite_cseq,
		     contact, extra, ua->conf->sip.user_agent[0] ? ua->conf->sip.user_agent : "gwd",
		     inv->sdp && *inv->sdp ? "Content-Type: application/sdp\r\n" : "", inv->sdp ? strlen(inv->sdp) : 0,
		     inv->sdp ? inv->sdp : "");
	return n < len ? 0 : -ENOSPC;
}

int sip_leg_invite(struct sip_ua *ua, const struct sip_invite *inv, void *user, struct sip_leg **out)
{
	const struct gw_peer_conf *p = inv->peer;
	char text[UA_MSG_MAX], cid[64], ip[GW_HOST_MAX];
	struct sip_leg *leg;
	int ret, port;

	if (!p || !inv->request_uri || !inv->from || !inv->to)
		return -EINVAL;
	if (sip_tp_local(ua->tp, p->proto, ip, sizeof(ip), &port) < 0)
		return -ENOTCONN;
	leg = leg_new(ua, 0, p->proto, p->host, p->port, 0);
	if (!leg)
		return -ENOMEM;
	leg->user = user;
	leg->peer = p;
	leg->state = LEG_CALLING;
	snprintf(leg->tls_name, sizeof(leg->tls_name), "%s", p->tls_name[0] ? p->tls_name : p->host);
	snprintf(leg->name, sizeof(leg->name), "%s %s:%d peer %s", gw_proto_name(p->proto), p->host, p->port,
		 p->name);
	ua_token(ua, "", cid, sizeof(cid));
	snprintf(leg->call_id, sizeof(leg->call_id), "%s@%s", cid, ip);
	ua_token(ua, "gw", leg->local_tag, sizeof(leg->local_tag));
	snprintf(leg->local_uri, sizeof(leg->local_uri), "%s", inv->from);
	snprintf(leg->remote_uri, sizeof(leg->remote_uri), "%s", inv->to);
	snprintf(leg->request_uri, sizeof(leg->request_uri), "%s", inv->request_uri);
	snprintf(leg->local_sdp, sizeof(leg->local_sdp), "%s", inv->sdp ? inv->sdp : "");
	leg->invite_cseq = 1;
	leg->local_cseq = 1;
	ret = ua_via(ua, leg->proto, leg->via, sizeof(leg->via), leg->branch, sizeof(leg->branch));
	if (!ret)
		ret = leg_invite_text(leg, inv, text, sizeof(text));
	if (!ret)
		ret = ua_send_request_text(ua, leg, text, ICT);
	if (ret < 0) {
		leg->owner_gone = 1;
		leg->state = LEG_TERMINATED;
		return ret;
	}
	LOGI("sip", "%s [calling]: INVITE %s Call-ID %s", leg->name, inv->request_uri, leg->call_id);
	*out = leg;
	return 0;
}

int sip_leg_cancel(struct sip_leg *leg, const char *reason)
{
	if (leg->uas || leg->state == LEG_TERMINATED)
		return -EINVAL;
	if (leg->state == LEG_CONFIRMED)
		return sip_leg_bye(leg, reason);
	leg->owner_gone = 1;
	leg->cancel_wanted = 1;
	snprintf(leg->cancel_reason, sizeof(leg->cancel_reason), "%s", reason ? reason : "");
	ua_send_cancel(leg);	/* now, or when the first provisional response comes */
	return 0;
}

int sip_leg_bye(struct sip_leg *leg, const char *reason)
{
	int ret;

	if (leg->state == LEG_TERMINATED) {
		leg->owner_gone = 1;
		return -EALREADY;
	}
	if (leg->state != LEG_CONFIRMED)
		return leg->uas ? -EINVAL : sip_leg_cancel(leg, reason);
	leg->owner_gone = 1;
	leg->state = LEG_TERMINATED;
	ev_timer_stop(leg->ua->loop, &leg->ok_timer);
	free(leg->ok_text);
	leg->ok_text = NULL;
	ret = ua_in_dialog(leg, "BYE", reason);
	LOGI("sip", "%s: BYE sent%s", leg->name, ret < 0 ? " (failed)" : "");
	return ret;
}

void sip_leg_set_user(struct sip_leg *leg, void *user)
{
	leg->user = user;
}

const char *sip_leg_name(const struct sip_leg *leg)
{
	return leg->name;
}

const char *sip_leg_call_id(const struct sip_leg *leg)
{
	return leg->call_id;
}

int sip_leg_proto(const struct sip_leg *leg)
{
	return leg->proto;
}

const char *sip_leg_remote_sdp(const struct sip_leg *leg)
{
	return leg->remote_sdp;
}

void sip_leg_set_key(struct sip_leg *leg, const char *crypto)
{
	snprintf(leg->key, sizeof(leg->key), "%s", crypto ? crypto : "");
}
