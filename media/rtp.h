/*
 * rtp.h - RTP packets (RFC 3550 section 5.1) and the state of one stream each way.
 *
 * rtp_parse reads a packet of hostile origin: version 2, CSRCs, header extension and padding are
 * checked against the length (-EBADMSG, never a read out of bounds).  The sender keeps SSRC,
 * sequence number and timestamp (random starts, RFC 3550 5.1); the receiver follows the far end's
 * stream per Appendix A.1 (extended highest sequence number, probation of a new source, a big jump
 * taken as a restart after two packets in sequence) and A.8 (interarrival jitter); RTCP reads its
 * counters (expected, lost, fraction).
 */
#ifndef RTP_H
#define RTP_H

#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN 12

struct rtp_hdr {
	int pt;			/* payload type 0..127 */
	int marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	const uint8_t *payload;	/* into the packet parsed */
	size_t plen;
};

/* 0 with *h, or -EBADMSG */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h);
/* header (no CSRC, no extension) + payload into out: the length, or -ENOSPC */
int rtp_build(const struct rtp_hdr *h, const uint8_t *payload, size_t plen, uint8_t *out, size_t outlen);

/* our stream */
struct rtp_tx {
	uint32_t ssrc;
	uint16_t seq;		/* of the next packet */
	uint32_t ts;		/* of the next packet */
	int marker_next;	/* the next packet starts a talkspurt */
	unsigned long packets, octets;	/* for RTCP SR */
	uint32_t last_ts;	/* timestamp of the last packet sent */
};

void rtp_tx_init(struct rtp_tx *tx, uint32_t ssrc, uint16_t seq, uint32_t ts);
/* one packet of samples at the current timestamp, then seq + 1 and ts + samples; length or -ENOSPC */
int rtp_tx_packet(struct rtp_tx *tx, int pt, const uint8_t *payload, size_t plen, uint32_t samples, uint8_t *out,
		  size_t outlen);

/* the far end's stream */
struct rtp_rx {
	int active;		/* a source is being followed */
	uint32_t ssrc;
	uint16_t max_seq;	/* highest sequence number seen */
	uint32_t cycles;	/* wraps of the sequence number, << 16 */
	uint32_t base_seq, bad_seq;
	int probation;		/* packets in sequence still needed to accept a new source */
	unsigned long received, received_prior, expected_prior;
	unsigned long dups, reordered, ssrc_changes;
	int64_t transit;	/* A.8, timestamp units */
	double jitter;		/* A.8, timestamp units */
	uint32_t last_ts;
};

void rtp_rx_init(struct rtp_rx *rx);
/*
 * a packet arrived at arrival (timestamp units of the clock of the stream, e.g. microseconds * 8 / 1000
 * for 8 kHz): 1 = in sequence or close enough to use, 0 = not (yet) usable (probation, a duplicate, a
 * jump under suspicion)
 */
int rtp_rx_update(struct rtp_rx *rx, const struct rtp_hdr *h, uint32_t arrival);
uint32_t rtp_rx_ext_max(const struct rtp_rx *rx);	/* extended highest sequence number */
unsigned long rtp_rx_expected(const struct rtp_rx *rx);
long rtp_rx_lost(const struct rtp_rx *rx);		/* cumulative (may be negative with duplicates) */
/* fraction lost since the last call, 0..255 (RFC 3550 6.4.1, A.3); moves the interval on */
int rtp_rx_fraction(struct rtp_rx *rx);

#endif
