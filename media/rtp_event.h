/*
 * rtp_event.h - RFC 4733 telephone-event packets for DTMF (section 2.3 payload, 2.5 procedures).
 *
 * Payload: event (0-9, 10 = *, 11 = #, 12-15 = A-D), E bit, volume (0-63, -dBm0), duration (timestamp
 * units since the event's timestamp).  The sender gives one packet per packetisation interval, all
 * with the event's first timestamp: the first with the marker bit, then updates with a growing
 * duration, and at the end three packets with the E bit (2.5.1.4); an event longer than 0xffff
 * samples continues as a new segment.  The receiver turns such a stream, with loss, duplicates,
 * reordered or missing end packets, into one start and one end per key press (an event whose packets
 * stop ends after RTP_EVENT_TIMEOUT_MS by rtp_event_rx_tick).
 */
#ifndef RTP_EVENT_H
#define RTP_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "rtp.h"

#define RTP_EVENT_LEN 4
#define RTP_EVENT_TIMEOUT_MS 250

/* "0123456789*#ABCD"[event], or 0 for another event; the event of a digit, or -1 */
char rtp_event_digit(int event);
int rtp_event_code(char digit);

enum rtp_event_tx_state {
	RTP_EVENT_IDLE = 0,
	RTP_EVENT_SENDING,
	RTP_EVENT_ENDING,	/* the three end packets */
};

struct rtp_event_tx {
	int state;		/* enum rtp_event_tx_state */
	int code;
	uint32_t ts;		/* the event's timestamp */
	uint32_t duration;	/* samples so far */
	int first;		/* the next packet is the first (marker) */
	int ends_left;
	int volume;		/* 0..63: -dBm0 */
};

void rtp_event_tx_init(struct rtp_event_tx *e);
/* a digit starts now, at timestamp ts; -EINVAL not a digit */
int rtp_event_tx_start(struct rtp_event_tx *e, char digit, uint32_t ts);
/* the digit is over: the next three packets end it */
void rtp_event_tx_stop(struct rtp_event_tx *e);
int rtp_event_tx_active(const struct rtp_event_tx *e);
/* the packet for the next interval of samples on stream tx (its seq advances; its ts too, by samples,
 * since audio time goes on): the length, 0 when idle, -ENOSPC */
int rtp_event_tx_packet(struct rtp_event_tx *e, struct rtp_tx *tx, int pt, uint32_t samples, uint8_t *out,
			size_t outlen);

struct rtp_event_rx {
	int on;			/* an event is being received */
	int code;
	uint32_t ts;		/* of the event being received, and of the last one ended */
	uint32_t last_ended_ts;
	int ended_any;
	uint32_t duration;
	uint64_t last_us;	/* when its last packet came */
};

enum rtp_event_rx_type {
	RTP_EVENT_RX_START = 0,
	RTP_EVENT_RX_END,
};

struct rtp_event_rx_ev {
	int type;		/* enum rtp_event_rx_type */
	char digit;
	int ms;			/* RTP_EVENT_RX_END */
};

void rtp_event_rx_init(struct rtp_event_rx *r);
#define RTP_EVENT_RX_MAX 3	/* events one packet can give: the end of the one before (its end packets
				 * lost), the start of this one and, when this is already an end packet, its end */

/* a telephone-event packet's header h at time now_us: events written to ev (room for RTP_EVENT_RX_MAX);
 * their number, or -EBADMSG for a payload too short */
int rtp_event_rx_put(struct rtp_event_rx *r, const struct rtp_hdr *h, uint64_t now_us, struct rtp_event_rx_ev *ev);
/* the event whose packets stopped coming ends: 1 with *ev, else 0 */
int rtp_event_rx_tick(struct rtp_event_rx *r, uint64_t now_us, struct rtp_event_rx_ev *ev);

#endif
