/*
 * rtp_event.c - RFC 4733 telephone-event packets for DTMF: see rtp_event.h.
 */
#include <errno.h>
#include <string.h>

#include "rtp_event.h"

static const char rtp_event_chars[] = "0123456789*#ABCD";

char rtp_event_digit(int event)
{
	return event >= 0 && event < 16 ? rtp_event_chars[event] : 0;
}

int rtp_event_code(char digit)
{
	const char *p = digit ? strchr(rtp_event_chars, digit) : NULL;

	return p ? (int)(p - rtp_event_chars) : -1;
}

/* ---- sender ---- */

void rtp_event_tx_init(struct rtp_event_tx *e)
{
	memset(e, 0, sizeof(*e));
	e->volume = 10;		/* -10 dBm0 */
}

int rtp_event_tx_start(struct rtp_event_tx *e, char digit, uint32_t ts)
{
	int code = rtp_event_code(digit);

	if (code < 0)
		return -EINVAL;
	e->state = RTP_EVENT_SENDING;
	e->code = code;
	e->ts = ts;
	e->duration = 0;
	e->first = 1;
	return 0;
}

void rtp_event_tx_stop(struct rtp_event_tx *e)
{
	if (e->state != RTP_EVENT_SENDING)
		return;
	e->state = RTP_EVENT_ENDING;
	e->ends_left = 3;
}

int rtp_event_tx_active(const struct rtp_event_tx *e)
{
	return e->state != RTP_EVENT_IDLE;
}

int rtp_event_tx_packet(struct rtp_event_tx *e, struct rtp_tx *tx, int pt, uint32_t samples, uint8_t *out,
			size_t outlen)
{
	uint8_t p[RTP_EVENT_LEN];
	struct rtp_hdr h = { .pt = pt, .ssrc = tx->ssrc };
	int end = e->state == RTP_EVENT_ENDING, n;

	if (e->state == RTP_EVENT_IDLE)
		return 0;
	if (!end) {
		if (e->duration + samples > 0xffff) {
			/* a long event goes on as a new segment (RFC 4733 2.5.1.3) */
			e->ts += e->duration;
			e->duration = 0;
		}
		e->duration += samples;
	}
	p[0] = (uint8_t)e->code;
	p[1] = (uint8_t)((end ? 0x80 : 0) | (e->volume & 0x3f));
	p[2] = (uint8_t)(e->duration >> 8);
	p[3] = (uint8_t)e->duration;
	h.marker = e->first;
	h.seq = tx->seq;
	h.ts = e->ts;
	n = rtp_build(&h, p, sizeof(p), out, outlen);
	if (n < 0)
		return n;
	e->first = 0;
	tx->seq++;
	tx->ts += samples;
	tx->packets++;
	tx->octets += sizeof(p);
	if (end && --e->ends_left == 0) {
		e->state = RTP_EVENT_IDLE;
		tx->marker_next = 1;	/* the audio after it is a new talkspurt */
	}
	return n;
}

/* ---- receiver ---- */

void rtp_event_rx_init(struct rtp_event_rx *r)
{
	memset(r, 0, sizeof(*r));
}

static void rtp_event_rx_ev(struct rtp_event_rx_ev *ev, int type, int code, uint32_t duration)
{
	ev->type = type;
	ev->digit = rtp_event_digit(code);
	ev->ms = (int)(duration / 8);
}

/* the event on ends: one END */
static int rtp_event_rx_end(struct rtp_event_rx *r, struct rtp_event_rx_ev *ev)
{
	rtp_event_rx_ev(ev, RTP_EVENT_RX_END, r->code, r->duration);
	r->on = 0;
	r->last_ended_ts = r->ts;
	r->ended_any = 1;
	return 1;
}

int rtp_event_rx_put(struct rtp_event_rx *r, const struct rtp_hdr *h, uint64_t now_us, struct rtp_event_rx_ev *ev)
{
	int code, end, n = 0;
	uint32_t duration;

	if (h->plen < RTP_EVENT_LEN)
		return -EBADMSG;
	code = h->payload[0];
	end = h->payload[1] & 0x80;
	duration = (uint32_t)(h->payload[2] << 8 | h->payload[3]);
	if (!rtp_event_digit(code))
		return 0;	/* not DTMF (tones, line events): ignored */
	if (r->on && h->ts == r->ts) {
		r->last_us = now_us;
		if (duration > r->duration)
			r->duration = duration;
		return end ? rtp_event_rx_end(r, ev) : 0;
	}
	if (r->ended_any && h->ts == r->last_ended_ts)
		return 0;	/* the end packets retransmitted, or one late */
	if (r->on) {		/* a new event before the end of the one before: its end was lost */
		if ((int32_t)(h->ts - r->ts) < 0)
			return 0;	/* an old packet, reordered */
		n = rtp_event_rx_end(r, ev);
	}
	r->on = 1;
	r->code = code;
	r->ts = h->ts;
	r->duration = duration;
	r->last_us = now_us;
	rtp_event_rx_ev(&ev[n++], RTP_EVENT_RX_START, code, 0);
	if (end)	/* a start lost and this is an end packet already */
		n += rtp_event_rx_end(r, &ev[n]);
	return n;
}

int rtp_event_rx_tick(struct rtp_event_rx *r, uint64_t now_us, struct rtp_event_rx_ev *ev)
{
	if (!r->on || now_us - r->last_us < (uint64_t)RTP_EVENT_TIMEOUT_MS * 1000)
		return 0;
	return rtp_event_rx_end(r, ev);
}
