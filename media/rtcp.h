/*
 * rtcp.h - RTCP reports (RFC 3550 section 6): the compound packet a media session sends every few
 * seconds - SR while we send (RR otherwise) with one report block on the stream we receive, then
 * SDES CNAME (6.1: every compound packet carries it) - and what the far end's packets tell: its
 * report on our stream (fraction and cumulative lost, jitter) and the round-trip time from LSR/DLSR
 * (6.4.1).  The parser reads packets of hostile origin: every length is checked (-EBADMSG).
 */
#ifndef RTCP_H
#define RTCP_H

#include <stddef.h>
#include <stdint.h>

#include "rtp.h"

#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_SDES 202
#define RTCP_BYE 203

/*
 * Compose SR (tx->packets > 0) or RR, with a report block on rx when it follows a source, and SDES
 * CNAME cname.  ntp_us: wall clock (microseconds since 1970) for the SR's NTP timestamp; now_ts: our
 * RTP timestamp for the same instant.  last_sr / last_sr_us: the middle 32 bits of the far end's last
 * SR's NTP time and when it arrived (0: none) for LSR/DLSR.  The length, or -ENOSPC.
 */
struct rtcp_out {
	const struct rtp_tx *tx;
	struct rtp_rx *rx;		/* its fraction-lost interval moves on */
	const char *cname;
	uint64_t ntp_us;
	uint32_t now_ts;
	uint32_t last_sr;
	uint64_t last_sr_us, now_us;	/* monotonic */
};

int rtcp_compose(const struct rtcp_out *o, uint8_t *buf, size_t len);

/* what a compound packet said */
struct rtcp_in {
	int sr;				/* an SR came: its NTP middle bits in last_sr */
	uint32_t last_sr;
	uint32_t sender_ssrc;
	int report;			/* a report block on our SSRC came: */
	int fraction;			/*   0..255 */
	int32_t lost;			/*   cumulative (24-bit signed) */
	uint32_t jitter;		/*   timestamp units */
	uint32_t lsr, dlsr;		/*   for the round trip */
	int bye;
	char cname[64];
};

/* 0 with *in filled, -EBADMSG; our_ssrc selects the report block that concerns us */
int rtcp_parse(const uint8_t *buf, size_t len, uint32_t our_ssrc, struct rtcp_in *in);
/* round-trip time in microseconds from a report (RFC 3550 6.4.1) received at ntp_us (wall clock);
 * -1 when it carries no LSR */
long rtcp_rtt_us(const struct rtcp_in *in, uint64_t ntp_us);
/* the middle 32 bits of the NTP time of ntp_us (microseconds since 1970) */
uint32_t rtcp_ntp_mid(uint64_t ntp_us);

#endif
