/*
 * msrtp.h - a call leg's SRTP (RFC 3711): RTP and RTCP protected toward the far end with our SDES key,
 * unprotected from it with the far end's, through libsrtp2.
 *
 * Two libsrtp2 sessions: the outbound one (any SSRC we send) keeps its packet index for the whole call;
 * the inbound one (any SSRC the far end sends) can be keyed again (a re-INVITE with a new a=crypto line)
 * without touching the outbound stream - restarting it would reuse key stream.  Replay windows of 128
 * packets.  A packet that fails authentication or replays is dropped by the caller and counted.
 */
#ifndef MSRTP_H
#define MSRTP_H

#include <stddef.h>
#include <stdint.h>

#include "sdes.h"

/* room a protected packet needs beyond its plain length: libsrtp2 assumes it may write
 * SRTP_MAX_TRAILER_LEN (144) octets after an RTP packet, 4 more after RTCP (we write a tag of 4 or 10,
 * SRTCP's index and tag 14), checked in msrtp.c */
#define MSRTP_OVERHEAD 160

struct msrtp;

struct msrtp_stats {
	unsigned long protected_rtp, protected_rtcp, unprotected_rtp, unprotected_rtcp;
	unsigned long auth_fail, replay, other_fail;
};

/* a context sending with tx and receiving with rx: 0, -EINVAL (suite), -ENOMEM, -EIO (libsrtp2 refused) */
int msrtp_new(const struct sdes_key *tx, const struct sdes_key *rx, struct msrtp **out);
void msrtp_free(struct msrtp *s);
/* key the inbound direction again (the outbound stream goes on): 0 or as msrtp_new */
int msrtp_set_rx(struct msrtp *s, const struct sdes_key *rx);

/* in place: *len grows by the trailer; cap is the buffer's size (at least *len + MSRTP_OVERHEAD).
 * 0, -ENOSPC, -EIO */
int msrtp_protect_rtp(struct msrtp *s, uint8_t *pkt, size_t *len, size_t cap);
int msrtp_protect_rtcp(struct msrtp *s, uint8_t *pkt, size_t *len, size_t cap);
/* in place: *len shrinks to the plain packet.  0, -EBADMSG (authentication failed, too short),
 * -EALREADY (a replay), -EIO */
int msrtp_unprotect_rtp(struct msrtp *s, uint8_t *pkt, size_t *len);
int msrtp_unprotect_rtcp(struct msrtp *s, uint8_t *pkt, size_t *len);
void msrtp_get_stats(const struct msrtp *s, struct msrtp_stats *st);

#endif
