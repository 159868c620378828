/*
 * gw_media.h - a call's media: RTP/RTCP (RFC 3550) on a UDP port pair <-> G.711 on the TDM leg's
 * B-channel.
 *
 * TDM -> IP follows the B-channel's clock: every block read from it (160 octets = 20 ms on DAHDI)
 * goes into a FIFO and leaves as one RTP packet per ptime, converted from the span's law to the
 * negotiated codec (on a card, a frame goes back to the B-channel for each frame read); DTMF heard on the B-channel becomes RFC 4733 events (dtmf = rfc4733: the tone is
 * taken out of the audio) or stays in the audio (dtmf = inband).  IP -> TDM goes through the adaptive
 * jitter buffer and is written to the B-channel every ptime on a timer; RFC 4733 events from the IP
 * side become Q.23 tones on the B-channel.  RTP is symmetric: we send from the port we receive on, and
 * follow the far end to the address its packets come from (a NAT in between).  RTCP: an SR (RR while
 * we send nothing) with SDES CNAME every 5 s on average (2.5-7.5 s); the far end's reports give the
 * round trip and its loss on our stream (logged at the end).  SRTP (RFC 3711): with SDES keys from the
 * SDP (our a=crypto value and the far end's) every RTP and RTCP packet is protected toward the far end
 * and authenticated before anything of it is used - a packet that fails is dropped and counted (bad),
 * and never moves the symmetric-RTP latch.  An answered
 * call that receives nothing for the timeout is reported once (the call layer releases it, Q.850
 * cause 41).
 *
 * A session knows no SIP and no span: the call layer gives it the remote address from SDP and the
 * B-channel's descriptor and law.
 */
#ifndef GW_MEDIA_H
#define GW_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"

struct gw_media;

struct gw_media_opts {
	const char *ip;			/* local address: bound and advertised */
	int port_min, port_max;		/* the port pairs to take from ([sip] rtp-port, rtp-port-max) */
	int ptime_ms;			/* 10, 20 or 30 */
	int jitter_min_ms, jitter_max_ms;
	int timeout_ms;			/* 0: no media timeout */
	const char *name;		/* log prefix: "call 7" */
};

/* what the SDP exchange settled */
struct gw_media_remote {
	char ip[64];
	int port;
	int pt;				/* payload type of the audio (the offer's, maybe dynamic) */
	int codec;			/* 0 PCMU, 8 PCMA */
	int te_pt;			/* telephone-event payload type, -1 none */
	int send, recv;			/* we send / we expect to receive (from the SDP directions) */
	int dtmf;			/* enum gw_dtmf toward the IP side (the peer's dtmf key) */
	const char *key_local;		/* SRTP: our a=crypto value and the far end's; both NULL = RTP */
	const char *key_remote;
};

struct gw_media_cbs {
	void (*timeout)(void *arg, unsigned long silent_ms);	/* answered and nothing received */
	void (*digit)(void *arg, char digit, int ms, int to_tdm);	/* a DTMF digit passed (for logs) */
};

struct gw_media_stats {
	unsigned long rtp_tx, rtp_rx, rtcp_tx, rtcp_rx;
	unsigned long lost, late, dup, bad;	/* bad: not RTP, unknown payload type, failed SRTP checks */
	unsigned long tdm_rx_frames, tdm_tx_frames, tdm_underruns;
	unsigned long digits_to_ip, digits_to_tdm;
	int jitter_ms, delay_ms;		/* RFC 3550 interarrival jitter; jitter buffer delay */
};

/*
 * A session on a free port pair of [port_min, port_max] (RTP even, RTCP the next), cursor the shared
 * position where the search starts (advanced past the pair taken).  0 with *out, -EADDRINUSE (no free
 * pair), -errno.
 */
int gw_media_new(struct ev_loop *loop, int *cursor, const struct gw_media_opts *o, const struct gw_media_cbs *cbs,
		 void *arg, struct gw_media **out);
void gw_media_free(struct gw_media *m);
int gw_media_port(const struct gw_media *m);		/* the RTP port */
/* the far end (again on a re-INVITE: the far end may give a new key; ours stays).  0, -EINVAL (address,
 * codec, a key unreadable or of another suite than ours), -EPROTO (SRTP turned off or our key changed in a
 * call), -EIO (libsrtp2) */
int gw_media_set_remote(struct gw_media *m, const struct gw_media_remote *r);
/* the session runs SRTP */
int gw_media_srtp(const struct gw_media *m);
/* a new random SDES key (getrandom) as an a=crypto value "<tag> <suite> inline:<key>" into buf
 * (SDES_VALUE_MAX): 0, -EIO, -ENOSPC */
int gw_media_new_key(int suite, int tag, char *buf, size_t len);
/* the B-channel: a non-blocking descriptor carrying G.711 in law (enum tdm_law); clocked: it runs on a
 * card's clock (DAHDI), so a frame is written for each frame read instead of on a timer (the card and
 * this machine's clocks differ: a timer would slip against it); fd -1 lets go.  0 or -errno */
int gw_media_set_bearer(struct gw_media *m, int fd, int law, int clocked);
/* the call is answered: the media timeout runs from now */
void gw_media_answered(struct gw_media *m);
void gw_media_get_stats(const struct gw_media *m, struct gw_media_stats *st);

#endif
