/*
 * dtmf.c - DTMF tones (ITU-T Q.23) sent and detected (Q.24): see dtmf.h.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "dtmf.h"
#include "g711.h"

#define DTMF_RATE 8000.0
#define DTMF_TWIST_NORMAL 8.0	/* dB: high group below low */
#define DTMF_TWIST_REVERSE 4.0	/* dB: high group above low */
#define DTMF_GROUP_MARGIN 6.0	/* dB above the other tones of its group */
#define DTMF_SHARE 0.6		/* the two tones' share of the block's energy: talk-off; a 15 ms tone never fills 2 blocks */
#define DTMF_ON_BLOCKS 2
#define DTMF_OFF_BLOCKS 2

static const double dtmf_freq[8] = { 697, 770, 852, 941, 1209, 1336, 1477, 1633 };
static const char dtmf_chars[] = "123A456B789C*0#D";

int dtmf_index(char digit)
{
	const char *p = digit ? strchr(dtmf_chars, digit) : NULL;

	return p ? (int)(p - dtmf_chars) : -1;
}

/* ---- generator ---- */

static double dtmf_amp(double dbm0)
{
	/* peak of a sine at dbm0, in 16-bit linear (the u-law 0 dBm0 reference; A-law differs by 0.06 dB) */
	return g711_dbm0_rms(G711_ULAW) * M_SQRT2 * pow(10.0, dbm0 / 20.0);
}

void dtmf_gen_init(struct dtmf_gen *g, double low_dbm0, double high_dbm0)
{
	memset(g, 0, sizeof(*g));
	g->low_dbm0 = low_dbm0;
	g->high_dbm0 = high_dbm0;
}

int dtmf_gen_start(struct dtmf_gen *g, char digit)
{
	int i = dtmf_index(digit);

	if (i < 0)
		return -EINVAL;
	g->digit = digit;
	g->step[0] = 2 * M_PI * dtmf_freq[i / 4] / DTMF_RATE;
	g->step[1] = 2 * M_PI * dtmf_freq[4 + i % 4] / DTMF_RATE;
	g->amp[0] = dtmf_amp(g->low_dbm0);
	g->amp[1] = dtmf_amp(g->high_dbm0);
	g->ph[0] = g->ph[1] = 0;
	g->active = 1;
	return 0;
}

void dtmf_gen_stop(struct dtmf_gen *g)
{
	g->active = 0;
}

void dtmf_gen_fill(struct dtmf_gen *g, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v = 0;

		if (g->active) {
			v = g->amp[0] * sin(g->ph[0]) + g->amp[1] * sin(g->ph[1]);
			g->ph[0] = fmod(g->ph[0] + g->step[0], 2 * M_PI);
			g->ph[1] = fmod(g->ph[1] + g->step[1], 2 * M_PI);
		}
		out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
	}
}

/* ---- detector ---- */

void dtmf_det_init(struct dtmf_det *d)
{
	double a = dtmf_amp(DTMF_MIN_DBM0) * DTMF_BLOCK / 2;

	memset(d, 0, sizeof(*d));
	d->min_energy = a * a;	/* Goertzel power of a sine of amplitude A over N samples: (A N / 2)^2 */
}

/* Goertzel power of each DTMF frequency over the block; the block's total energy */
static double dtmf_powers(const int16_t *x, double *p)
{
	double total = 0;

	for (int k = 0; k < 8; k++) {
		double c = 2 * cos(2 * M_PI * dtmf_freq[k] / DTMF_RATE), s1 = 0, s2 = 0;

		for (int i = 0; i < DTMF_BLOCK; i++) {
			double s0 = x[i] + c * s1 - s2;

			s2 = s1;
			s1 = s0;
		}
		p[k] = s1 * s1 + s2 * s2 - c * s1 * s2;
	}
	for (int i = 0; i < DTMF_BLOCK; i++)
		total += (double)x[i] * x[i];
	return total;
}

/* the strongest tone of group g (0 rows, 1 columns), -1 when not clear of the others */
static int dtmf_best(const double *p, int g)
{
	int best = 4 * g;
	double margin = pow(10.0, DTMF_GROUP_MARGIN / 10.0);

	for (int k = 4 * g; k < 4 * g + 4; k++)
		if (p[k] > p[best])
			best = k;
	for (int k = 4 * g; k < 4 * g + 4; k++)
		if (k != best && p[k] * margin > p[best])
			return -1;
	return best;
}

/* the digit of one block, 0 none */
static char dtmf_block(const struct dtmf_det *d, const int16_t *x)
{
	double p[8], total = dtmf_powers(x, p), twist;
	int r = dtmf_best(p, 0), c = dtmf_best(p, 1);

	if (r < 0 || c < 0 || p[r] < d->min_energy || p[c] < d->min_energy)
		return 0;
	twist = 10 * log10(p[c] / p[r]);
	if (twist < -DTMF_TWIST_NORMAL || twist > DTMF_TWIST_REVERSE)
		return 0;
	/* a sine's Goertzel power over N samples is (N/2) x its energy: the tones' share of the block */
	if ((p[r] + p[c]) * 2.0 / DTMF_BLOCK < DTMF_SHARE * total)
		return 0;
	return dtmf_chars[r * 4 + (c - 4)];
}

static int dtmf_push(struct dtmf_event *ev, int n, int max, int type, char digit, int ms)
{
	if (n < max) {
		ev[n].type = type;
		ev[n].digit = digit;
		ev[n].ms = ms;
		n++;
	}
	return n;
}

/* the state after one block whose digit is b (0 none); events added from n on */
static int dtmf_step(struct dtmf_det *d, char b, struct dtmf_event *ev, int n, int max)
{
	d->cand_blocks = b && b == d->cand ? d->cand_blocks + 1 : 1;
	d->cand = b;
	if (d->on) {
		if (b == d->on) {
			d->off_blocks = 0;
			d->on_blocks++;
			return n;
		}
		if (++d->off_blocks < DTMF_OFF_BLOCKS && !(b && d->cand_blocks >= DTMF_ON_BLOCKS))
			return n;
		n = dtmf_push(ev, n, max, DTMF_EV_END, d->on, (int)(d->on_blocks * DTMF_BLOCK * 1000 / 8000));
		d->on = 0;
	}
	if (b && d->cand_blocks >= DTMF_ON_BLOCKS) {
		d->on = b;
		d->on_blocks = d->cand_blocks;
		d->off_blocks = 0;
		n = dtmf_push(ev, n, max, DTMF_EV_START, b, 0);
	}
	return n;
}

int dtmf_det_feed(struct dtmf_det *d, const int16_t *in, size_t n, struct dtmf_event *ev, int max)
{
	int nev = 0;

	for (size_t i = 0; i < n; i++) {
		d->block[d->nblock++] = in[i];
		if (d->nblock < DTMF_BLOCK)
			continue;
		d->nblock = 0;
		nev = dtmf_step(d, dtmf_block(d, d->block), ev, nev, max);
	}
	return nev;
}
