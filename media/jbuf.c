/*
 * jbuf.c - the adaptive jitter buffer (see jbuf.h).
 *
 * A ring of JBUF_SAMPLES octets indexed by RTP timestamp, with a flag per sample saying whether it
 * arrived.  play is the timestamp of the next sample to give out; newest the end of the newest
 * packet.  Timestamps are compared as signed 32-bit differences (wrap-safe).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jbuf.h"

#define JBUF_SHRINK_GETS 50	/* gets (1 s at 20 ms) with too much buffered before shrinking */

struct jbuf {
	struct jbuf_conf conf;
	uint8_t audio[JBUF_SAMPLES];
	uint8_t have[JBUF_SAMPLES];
	int started;
	uint32_t play, newest;
	int target;
	int hold;		/* frames of silence still to play while the point holds (growth) */
	int over;		/* consecutive gets with depth above target + 2 frames */
	int64_t transit;	/* A.8 */
	struct jbuf_stats st;
};

static int32_t jbuf_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

int jbuf_new(const struct jbuf_conf *conf, struct jbuf **out)
{
	struct jbuf *jb;

	if (conf->frame < 8 || conf->frame > 480 || conf->min_delay < 0 || conf->max_delay < conf->min_delay ||
	    conf->max_delay + 2 * conf->frame > JBUF_SAMPLES / 2)
		return -EINVAL;
	jb = calloc(1, sizeof(*jb));
	if (!jb)
		return -ENOMEM;
	jb->conf = *conf;
	jb->target = conf->min_delay;
	*out = jb;
	return 0;
}

void jbuf_free(struct jbuf *jb)
{
	free(jb);
}

/* playout restarts: the point trails ts by the target delay; what was buffered is dropped */
static void jbuf_resync(struct jbuf *jb, uint32_t ts)
{
	memset(jb->have, 0, sizeof(jb->have));
	jb->play = ts - (uint32_t)jb->target;
	jb->newest = ts;
	jb->hold = 0;
	jb->over = 0;
	if (jb->started)
		jb->st.resync++;
	jb->started = 1;
}

static void jbuf_jitter(struct jbuf *jb, uint32_t ts, uint32_t arrival)
{
	int64_t transit = (int64_t)(int32_t)(arrival - ts), d;

	if (jb->st.put > 1) {
		d = transit - jb->transit;
		if (d < 0)
			d = -d;
		if (d < JBUF_SAMPLES)
			jb->st.jitter += ((double)d - jb->st.jitter) / 16.0;
	}
	jb->transit = transit;
}

/* a late packet: the target grows by a frame (played as a frame of silence while the point holds) */
static void jbuf_grow(struct jbuf *jb)
{
	if (jb->target + jb->conf.frame > jb->conf.max_delay)
		return;
	jb->target += jb->conf.frame;
	jb->hold++;
	jb->st.grow++;
}

void jbuf_put(struct jbuf *jb, uint32_t ts, int marker, const uint8_t *payload, size_t plen, uint32_t arrival)
{
	int32_t ahead;

	if (!plen || plen > JBUF_SAMPLES / 4)
		return;
	jb->st.put++;
	jbuf_jitter(jb, ts, arrival);
	ahead = jb->started ? jbuf_diff(ts, jb->play) : 0;
	if (!jb->started || (int64_t)ahead + (int64_t)plen > JBUF_SAMPLES / 2 ||
	    (marker && jbuf_diff(jb->newest, jb->play) <= 0) || ahead < -(int32_t)JBUF_SAMPLES / 2) {
		jbuf_resync(jb, ts);
		ahead = jbuf_diff(ts, jb->play);
	}
	if (ahead + (int32_t)plen <= 0) {
		jb->st.late++;
		jbuf_grow(jb);
		return;
	}
	if (ahead > jb->conf.max_delay + 2 * jb->conf.frame) {
		jb->st.overflow++;	/* more than the most delay ahead: dropped, the point does not jump */
		return;
	}
	for (size_t i = 0; i < plen; i++) {
		uint32_t at = ts + (uint32_t)i;
		size_t k = at % JBUF_SAMPLES;

		if (jbuf_diff(at, jb->play) < 0)
			continue;	/* the part already played */
		if (jb->have[k] && i == 0) {
			jb->st.dup++;
			return;
		}
		jb->audio[k] = payload[i];
		jb->have[k] = 1;
	}
	if (jbuf_diff(ts + (uint32_t)plen, jb->newest) > 0)
		jb->newest = ts + (uint32_t)plen;
}

/* too much buffered for a second: drop a frame (the point jumps) */
static void jbuf_maybe_shrink(struct jbuf *jb)
{
	int32_t depth = jbuf_diff(jb->newest, jb->play);

	if (depth > jb->target + 2 * jb->conf.frame)
		jb->over++;
	else
		jb->over = 0;
	if (jb->over < JBUF_SHRINK_GETS)
		return;
	for (int i = 0; i < jb->conf.frame; i++)
		jb->have[(jb->play + (uint32_t)i) % JBUF_SAMPLES] = 0;
	jb->play += (uint32_t)jb->conf.frame;
	if (jb->target - jb->conf.frame >= jb->conf.min_delay)
		jb->target -= jb->conf.frame;
	jb->over = 0;
	jb->st.shrink++;
}

int jbuf_get(struct jbuf *jb, uint8_t *out, uint8_t fill)
{
	int n = jb->conf.frame, got = 0;

	memset(out, fill, (size_t)n);
	if (!jb->started || jb->hold > 0) {
		if (jb->hold > 0)
			jb->hold--;
		jb->st.missing += jb->started;
		return 0;
	}
	jbuf_maybe_shrink(jb);
	for (int i = 0; i < n; i++) {
		size_t k = (jb->play + (uint32_t)i) % JBUF_SAMPLES;

		if (jb->have[k]) {
			out[i] = jb->audio[k];
			jb->have[k] = 0;
			got = 1;
		}
	}
	jb->play += (uint32_t)n;
	if (got)
		jb->st.got++;
	else
		jb->st.missing++;
	return got;
}

void jbuf_get_stats(const struct jbuf *jb, struct jbuf_stats *st)
{
	*st = jb->st;
	st->target = jb->target;
	st->depth = jb->started ? jbuf_diff(jb->newest, jb->play) : 0;
}
