/*
 * jbuf.h - an adaptive, bounded jitter buffer for G.711 (one octet per sample), IP -> TDM.
 *
 * Packets are put in as they arrive, by RTP timestamp (any packet size: 10, 20, 30 ms); the TDM side
 * takes one frame per frame time by its own clock.  The playout point trails the newest timestamp by
 * a target delay that adapts between the configured least and most: it grows by a frame when a
 * packet comes too late (a silence frame is played while the point holds), and shrinks by a frame
 * when the buffer has held more than two frames above the target for a second.  Late packets and
 * duplicates are dropped, reordered ones put in their place; a packet far outside the window (a new
 * talkspurt with its marker bit after silence, a timestamp jump) resynchronises.  A missing frame is
 * reported so that the caller fills it.  Memory is fixed at creation: one second of audio.
 */
#ifndef JBUF_H
#define JBUF_H

#include <stddef.h>
#include <stdint.h>

#define JBUF_SAMPLES 8000	/* what the buffer holds: 1 s at 8 kHz */

struct jbuf;

struct jbuf_conf {
	int frame;		/* samples taken per get (160 = 20 ms) */
	int min_delay;		/* samples: the least and the most target delay (160..1600 typical) */
	int max_delay;
};

struct jbuf_stats {
	unsigned long put, got, missing, late, dup, overflow, resync, grow, shrink;
	int target;		/* samples */
	int depth;		/* samples buffered beyond the playout point */
	double jitter;		/* RFC 3550 A.8 estimate, samples */
};

/* 0 with *out, -EINVAL (frame or delays out of range), -ENOMEM */
int jbuf_new(const struct jbuf_conf *conf, struct jbuf **out);
void jbuf_free(struct jbuf *jb);
/* a packet: its timestamp, marker bit, payload (plen samples) and arrival time (samples, 8 kHz clock) */
void jbuf_put(struct jbuf *jb, uint32_t ts, int marker, const uint8_t *payload, size_t plen, uint32_t arrival);
/* the next frame into out (conf->frame octets): 1 = audio (gaps filled with fill), 0 = nothing there
 * (out is all fill) */
int jbuf_get(struct jbuf *jb, uint8_t *out, uint8_t fill);
void jbuf_get_stats(const struct jbuf *jb, struct jbuf_stats *st);

#endif
