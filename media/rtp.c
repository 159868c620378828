/*
 * rtp.c - RTP packets and stream state (RFC 3550 5.1, Appendix A.1, A.3, A.8).
 */
#include <errno.h>
#include <string.h>

#include "rtp.h"

#define RTP_MAX_DROPOUT 3000
#define RTP_MAX_MISORDER 100
#define RTP_MIN_SEQUENTIAL 2
#define RTP_SEQ_MOD (1u << 16)

static uint32_t rtp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void rtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h)
{
	size_t off = RTP_HDR_LEN, pad = 0;

	if (len < RTP_HDR_LEN || (buf[0] >> 6) != 2)
		return -EBADMSG;
	off += 4 * (size_t)(buf[0] & 0x0f);		/* CSRC list */
	if (buf[0] & 0x10) {				/* header extension: 4 octets + length words */
		if (off + 4 > len)
			return -EBADMSG;
		off += 4 + 4 * (size_t)(buf[off + 2] << 8 | buf[off + 3]);
	}
	if (off > len)
		return -EBADMSG;
	if (buf[0] & 0x20) {				/* padding: the last octet counts it */
		pad = buf[len - 1];
		if (!pad || pad > len - off)
			return -EBADMSG;
	}
	h->marker = buf[1] >> 7;
	h->pt = buf[1] & 0x7f;
	h->seq = (uint16_t)(buf[2] << 8 | buf[3]);
	h->ts = rtp_get32(buf + 4);
	h->ssrc = rtp_get32(buf + 8);
	h->payload = buf + off;
	h->plen = len - off - pad;
	return 0;
}

int rtp_build(const struct rtp_hdr *h, const uint8_t *payload, size_t plen, uint8_t *out, size_t outlen)
{
	if (outlen < RTP_HDR_LEN + plen || plen > 65535)
		return -ENOSPC;
	out[0] = 0x80;
	out[1] = (uint8_t)((h->marker ? 0x80 : 0) | (h->pt & 0x7f));
	out[2] = (uint8_t)(h->seq >> 8);
	out[3] = (uint8_t)h->seq;
	rtp_put32(out + 4, h->ts);
	rtp_put32(out + 8, h->ssrc);
	if (plen)
		memcpy(out + RTP_HDR_LEN, payload, plen);
	return (int)(RTP_HDR_LEN + plen);
}

/* ---- sender ---- */

void rtp_tx_init(struct rtp_tx *tx, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
	memset(tx, 0, sizeof(*tx));
	tx->ssrc = ssrc;
	tx->seq = seq;
	tx->ts = ts;
	tx->marker_next = 1;
}

int rtp_tx_packet(struct rtp_tx *tx, int pt, const uint8_t *payload, size_t plen, uint32_t samples, uint8_t *out,
		  size_t outlen)
{
	struct rtp_hdr h = { .pt = pt, .marker = tx->marker_next, .seq = tx->seq, .ts = tx->ts, .ssrc = tx->ssrc };
	int n = rtp_build(&h, payload, plen, out, outlen);

	if (n < 0)
		return n;
	tx->marker_next = 0;
	tx->last_ts = tx->ts;
	tx->seq++;
	tx->ts += samples;
	tx->packets++;
	tx->octets += plen;
	return n;
}

/* ---- receiver (A.1) ---- */

void rtp_rx_init(struct rtp_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

static void rtp_rx_start(struct rtp_rx *rx, uint16_t seq)
{
	rx->base_seq = seq;
	rx->max_seq = seq;
	rx->bad_seq = RTP_SEQ_MOD + 1;	/* so that seq == bad_seq is false */
	rx->cycles = 0;
	rx->received = rx->received_prior = rx->expected_prior = 0;
}

/* a new source: probation until RTP_MIN_SEQUENTIAL packets came in sequence */
static int rtp_rx_probe(struct rtp_rx *rx, uint16_t seq)
{
	if (seq == (uint16_t)(rx->max_seq + 1)) {
		rx->probation--;
		rx->max_seq = seq;
		if (rx->probation == 0) {
			rtp_rx_start(rx, seq);
			rx->received++;
			return 1;
		}
	} else {
		rx->probation = RTP_MIN_SEQUENTIAL - 1;
		rx->max_seq = seq;
	}
	return 0;
}

static int rtp_rx_seq(struct rtp_rx *rx, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - rx->max_seq);

	if (rx->probation)
		return rtp_rx_probe(rx, seq);
	if (udelta == 0) {
		rx->dups++;
		return 0;
	}
	if (udelta < RTP_MAX_DROPOUT) {
		if (seq < rx->max_seq)
			rx->cycles += RTP_SEQ_MOD;
		rx->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* a big jump: a restart if the next packet follows it */
		if (seq == rx->bad_seq) {
			rtp_rx_start(rx, seq);
		} else {
			rx->bad_seq = (uint32_t)(seq + 1) & (RTP_SEQ_MOD - 1);
			return 0;
		}
	} else {
		rx->reordered++;	/* late or duplicated: counted, still usable */
	}
	rx->received++;
	return 1;
}

int rtp_rx_update(struct rtp_rx *rx, const struct rtp_hdr *h, uint32_t arrival)
{
	int64_t transit, d;

	if (!rx->active || h->ssrc != rx->ssrc) {
		if (rx->active)
			rx->ssrc_changes++;
		rx->active = 1;
		rx->ssrc = h->ssrc;
		rx->max_seq = (uint16_t)(h->seq - 1);
		rx->probation = RTP_MIN_SEQUENTIAL;
		rx->jitter = 0;
		rx->transit = 0;
	}
	if (!rtp_rx_seq(rx, h->seq))
		return rx->probation ? 1 : 0;	/* a source on probation is still heard */
	/* A.8: J += (|D| - J) / 16, D the change of transit time between packets */
	transit = (int64_t)(uint32_t)(arrival - h->ts);
	d = rx->transit ? transit - rx->transit : 0;
	rx->transit = transit;
	if (d < 0)
		d = -d;
	if (d < (1 << 24))
		rx->jitter += ((double)d - rx->jitter) / 16.0;
	rx->last_ts = h->ts;
	return 1;
}

uint32_t rtp_rx_ext_max(const struct rtp_rx *rx)
{
	return rx->cycles + rx->max_seq;
}

unsigned long rtp_rx_expected(const struct rtp_rx *rx)
{
	return rx->active && !rx->probation ? rtp_rx_ext_max(rx) - rx->base_seq + 1 : 0;
}

long rtp_rx_lost(const struct rtp_rx *rx)
{
	return (long)rtp_rx_expected(rx) - (long)rx->received;
}

int rtp_rx_fraction(struct rtp_rx *rx)
{
	unsigned long expected = rtp_rx_expected(rx);
	long exp_int = (long)(expected - rx->expected_prior), rec_int = (long)(rx->received - rx->received_prior);
	long lost_int = exp_int - rec_int;

	rx->expected_prior = expected;
	rx->received_prior = rx->received;
	return exp_int <= 0 || lost_int <= 0 ? 0 : (int)((lost_int << 8) / exp_int);
}
