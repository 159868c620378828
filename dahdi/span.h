/*
 * span.h - a span: one signalling channel and its bearer channels, behind an ops table.
 *
 * Backends: real DAHDI (span_dahdi.c: /dev/dahdi/channel, DAHDI_SPECIFY, HDLC frames with their two
 * FCS octets, alarms from DAHDI_GETEVENT) and loopback (span_loop.c: two spans joined back to back
 * over SEQPACKET sockets, in one process or across two).  Above this layer a loopback span cannot be
 * told from a real one.
 *
 * Frames at this interface carry no FCS octets: the DAHDI backend appends/strips them.  Sending
 * queues the frame; the queue drains as the line allows (a loopback signalling channel is paced at
 * line_rate bit/s, a DAHDI channel by the driver).  A signalling layer that generates frames
 * continuously (libss7's MTP2 fill-in) should send only when span_tx_idle() and wait for tx_ready.
 * Every frame sent and received is written to the span's pcap trace when one is configured
 * (LAPD 203 for PRI, MTP2 140 for ISUP; MTP2 fill-in and status units left out).
 */
#ifndef SPAN_H
#define SPAN_H

#include <stddef.h>
#include <stdint.h>

#include "ev.h"
#include "tdm_conf.h"

#define SPAN_FRAME_MAX 1024	/* largest signalling frame (no FCS) */

struct span;

struct span_cbs {
	void (*rx)(void *arg, const uint8_t *frame, size_t len);	/* a signalling frame arrived */
	void (*tx_ready)(void *arg);	/* the transmit queue is empty again */
	void (*alarm)(void *arg, int alarmed);	/* 1: red alarm (line down), 0: alarm cleared */
};

/*
 * Open every span of conf (loopback pairs in this process are joined here).  spans must have room
 * for conf->nspan pointers, in conf's order.  Failure closes what was opened: -ENODEV (no DAHDI:
 * err names the device), -EINVAL (a loopback peer missing or not pointing back), -errno.
 */
int span_open_all(struct ev_loop *loop, const struct tdm_conf *conf, struct span **spans, char *err, size_t errlen);
void span_close(struct span *span);

void span_set_cbs(struct span *span, const struct span_cbs *cbs, void *arg);
const struct tdm_span_conf *span_conf(const struct span *span);
const char *span_name(const struct span *span);

/* queue a frame; 0, -EMSGSIZE, -ENOBUFS (queue full), -ENETDOWN (in alarm: the frame is dropped) */
int span_send(struct span *span, const uint8_t *frame, size_t len);
/* nothing queued and the line free: a frame sent now leaves at once */
int span_tx_idle(const struct span *span);
/* 1 while the span is in alarm (loopback: broken or its peer not connected) */
int span_alarmed(const struct span *span);

/* bearer channel chan (one of conf->bchan): a descriptor for its audio, or -errno
 * (-ENOTSUP for a loopback pair that joins two processes) */
int span_bearer_open(struct span *span, int chan);
void span_bearer_close(struct span *span, int chan);
/* the timeslot of channel chan (one of conf->bchan) in its span, as Q.931 numbers B-channels: DAHDI's
 * chanpos (channel 49 of a card's third span is 1 there); loopback: chan itself */
int span_chan_pos(const struct span *span, int chan);

/* loopback only: cut (1) or restore (0) the line; both ends raise/clear their alarm; -ENOTSUP on DAHDI */
int span_break(struct span *span, int broken);

/* counters, for gwctl and benchmarks */
struct span_stats {
	unsigned long tx_frames, rx_frames, tx_octets, rx_octets, tx_dropped, rx_dropped, alarms;
};
void span_get_stats(const struct span *span, struct span_stats *st);

#endif
