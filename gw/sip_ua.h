/*
 * sip_ua.h - the gateway's SIP user agent: libosip2's parser and transaction layer (RFC 3261
 * section 17) over the transports of sip_tp, with the dialogs of the calls' SIP legs.
 *
 * A leg is one INVITE dialog, incoming (UAS) or outgoing (UAC).  Its events reach the owner (the
 * call layer) through one callback; REDIRECT, FAIL, CANCEL, BYE and ACK_TIMEOUT are a leg's last
 * event.  A leg the owner ends with sip_leg_respond (>= 300), sip_leg_cancel or sip_leg_bye gets no
 * further event: the UA finishes the transactions (ACK, 487, 200 for BYE) and frees it by itself.
 *
 * Outside dialogs the UA answers by itself: OPTIONS 200; unknown methods 405; BYE/CANCEL without a
 * dialog or transaction 481; a request it cannot use 400 (missing or broken mandatory headers),
 * 505 (SIP version), 416 (URI scheme), 420 (Require of an extension); an INVITE whose body is not
 * SDP 415, whose Accept excludes SDP 406; a message libosip2 cannot parse is dropped and counted.
 * A re-INVITE in a confirmed dialog is answered from the session in place (hold and resume get the
 * mirrored direction), 488 when its offer has no G.711.  Timers: T1/T2/T4 from [sip]; Timer B/F/H = 64*T1.
 */
#ifndef SIP_UA_H
#define SIP_UA_H

#include <stddef.h>

#include "ev.h"
#include "gw_conf.h"
#include "sip_tp.h"

struct sip_ua;
struct sip_leg;
struct osip_message;
struct gw_stats;

enum sip_ev_type {
	SIP_EV_INVITE = 0,	/* a new incoming call (ev->msg, ev->src, ev->peer); answer with sip_leg_respond */
	SIP_EV_PROGRESS,	/* outgoing: a provisional response (ev->code 180, 181, 183; ev->msg) */
	SIP_EV_ANSWER,		/* outgoing: 2xx (ACK sent by the UA) */
	SIP_EV_MEDIA,		/* ev->code 200: a re-INVITE changed the session (hold, resume, a new
				 * address): the UA answered it; sip_leg_remote_sdp() is the new offer.
				 * ev->code 0: the ACK's answer to the offer of our 2xx (an INVITE without
				 * SDP, a late offer); sip_leg_remote_sdp() is that answer */
	SIP_EV_REDIRECT,	/* outgoing: 3xx with ev->contact (the first Contact's URI); last event */
	SIP_EV_FAIL,		/* outgoing: a final response >= 400, a timeout (408) or a transport
				 * error (503): ev->code, ev->reason (Reason header or NULL); last event */
	SIP_EV_CANCEL,		/* incoming: the caller cancelled before the final response (487 sent);
				 * last event */
	SIP_EV_BYE,		/* the far end hung up (200 sent; ev->reason); last event */
	SIP_EV_ACK_TIMEOUT,	/* incoming: no ACK for our 2xx within 64*T1 (the UA sends BYE); last event */
	SIP_EV_COUNT
};

struct sip_event {
	int type;				/* enum sip_ev_type */
	struct sip_leg *leg;
	void *user;				/* the leg's owner pointer */
	int code;				/* status code */
	const char *reason;			/* Reason header value (RFC 3326) or NULL */
	const char *contact;			/* SIP_EV_REDIRECT */
	struct osip_message *msg;		/* the request or response, valid during the callback */
	const struct sip_tp_src *src;		/* SIP_EV_INVITE: where it came from */
	const struct gw_peer_conf *peer;	/* SIP_EV_INVITE: the peer it came from, NULL if unknown */
};

typedef void (*sip_ua_cb)(void *arg, const struct sip_event *ev);

/* start the transports of conf->sip and the transaction layer on loop; stats counted into stats.
 * 0, or a negative errno with the reason (a listener, a certificate file) in err */
int sip_ua_new(struct ev_loop *loop, const struct gw_conf *conf, struct gw_stats *stats, sip_ua_cb cb, void *arg,
	       struct sip_ua **out, char *err, size_t errlen);
/* drop every leg and transaction at once (no signalling) */
void sip_ua_free(struct sip_ua *ua);
/* the number of legs not yet freed */
size_t sip_ua_leg_count(const struct sip_ua *ua);
/* the address of the listener of proto (for tests and logs): 0 or -ENOENT */
int sip_ua_local(const struct sip_ua *ua, int proto, char *ip, size_t len, int *port);

/* a response to an incoming INVITE */
struct sip_resp {
	int code;
	const char *reason;		/* Reason header value, e.g. "Q.850;cause=17;text=\"user busy\"" */
	int retry_after;		/* seconds, 0 = no Retry-After */
	const char *sdp;		/* body for 183/200 (application/sdp), NULL none */
	const char *warning;		/* Warning: 399 gwd "text" (why a request was refused), NULL none */
};
/* 0, -EALREADY (final response already sent), -EINVAL */
int sip_leg_respond(struct sip_leg *leg, const struct sip_resp *resp);

/* an outgoing INVITE: the mapped Request-URI and headers (map_sip_out), empty strings = not sent */
struct sip_invite {
	const struct gw_peer_conf *peer;	/* where it goes (address, transport, TLS name) */
	const char *request_uri;
	const char *from, *to;			/* name-addr without tag ("<sip:...>") */
	const char *pai, *diversion, *history_info, *privacy;
	const char *ms_exchange_command, *ms_sensitivity;
	const char *sdp;			/* the offer */
};
/* 0 with *out, -ENOTCONN (transport), -ENOMEM, -EINVAL */
int sip_leg_invite(struct sip_ua *ua, const struct sip_invite *inv, void *user, struct sip_leg **out);
/* outgoing, not yet answered: CANCEL (sent once a provisional response arrived, RFC 3261 9.1); an
 * answered leg gets BYE.  0, or -EINVAL (an incoming leg, or one already over) */
int sip_leg_cancel(struct sip_leg *leg, const char *reason);
/* answered either way: BYE with a Reason header (or NULL); an unanswered outgoing leg is cancelled.
 * 0, -EALREADY (already over), -EINVAL (an unanswered incoming leg: respond instead) */
int sip_leg_bye(struct sip_leg *leg, const char *reason);

/* the owner pointer events carry (ev->user) */
void sip_leg_set_user(struct sip_leg *leg, void *user);
/* "udp 127.0.0.1:5070": how logs name the leg's transport and address */
const char *sip_leg_name(const struct sip_leg *leg);
/* the dialog's Call-ID */
const char *sip_leg_call_id(const struct sip_leg *leg);
/* enum gw_proto of the leg's transport */
int sip_leg_proto(const struct sip_leg *leg);
/* the body of the INVITE / answer received, "" none */
const char *sip_leg_remote_sdp(const struct sip_leg *leg);
/* the SDES key (our a=crypto value) of the leg's SRTP session, NULL for plain RTP: re-INVITEs are
 * answered with it (re-tagged to the offer's line of the same suite), and refused (488) without one */
void sip_leg_set_key(struct sip_leg *leg, const char *crypto);

/* "invite", "progress", ... for logs */
const char *sip_ev_name(int type);

#endif
