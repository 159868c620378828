/*
 * dtmf.h - DTMF in the audio: the tones of ITU-T Q.23 sent and detected (Q.24 limits).
 *
 * Frequencies: rows 697, 770, 852, 941 Hz, columns 1209, 1336, 1477, 1633 Hz; digits 0-9 * # A-D.
 * The generator plays a digit's two tones (default -8 dBm0 low, -6 dBm0 high: a 2 dB twist toward the
 * high group, as telephones send) for as long as it is on; phases run on across calls.
 * The detector runs Goertzel filters on blocks of DTMF_BLOCK samples (12.75 ms) and accepts a block
 * when one row and one column tone each stand at least DTMF_MIN_DBM0, at least 6 dB above the other
 * tones of their group, within the twist limits (normal: high group up to 8 dB below the low one;
 * reverse: up to 4 dB above), and together carry most of the block's energy (speech and music do not:
 * talk-off).  A digit starts after 2 such blocks in a row (25.5 ms, Q.24 asks to accept 40 ms) and ends
 * after 2 blocks without it, so a 40 ms / 40 ms train is read digit by digit.
 */
#ifndef DTMF_H
#define DTMF_H

#include <stddef.h>
#include <stdint.h>

#define DTMF_BLOCK 102
#define DTMF_MIN_DBM0 (-30.0)

enum dtmf_ev_type {
	DTMF_EV_START = 0,
	DTMF_EV_END,
};

struct dtmf_event {
	int type;		/* enum dtmf_ev_type */
	char digit;
	int ms;			/* DTMF_EV_END: how long the digit lasted */
};

/* the index 0..15 of digit in "123A456B789C*0#D" order of rows and columns, -1 not a DTMF digit */
int dtmf_index(char digit);

struct dtmf_gen {
	int active;
	char digit;
	double ph[2], step[2], amp[2];
	double low_dbm0, high_dbm0;
};

void dtmf_gen_init(struct dtmf_gen *g, double low_dbm0, double high_dbm0);
/* 0, or -EINVAL (not a digit) */
int dtmf_gen_start(struct dtmf_gen *g, char digit);
void dtmf_gen_stop(struct dtmf_gen *g);
/* n samples of the digit (silence when stopped), added to nothing: written */
void dtmf_gen_fill(struct dtmf_gen *g, int16_t *out, size_t n);

struct dtmf_det {
	int16_t block[DTMF_BLOCK];
	int nblock;
	char cand;		/* digit of the last block, 0 none */
	int cand_blocks;	/* blocks in a row with cand */
	char on;		/* digit reported started, 0 none */
	int off_blocks;		/* blocks without it since */
	int on_blocks;		/* blocks it lasted */
	double min_energy;	/* per tone, from DTMF_MIN_DBM0 */
};

void dtmf_det_init(struct dtmf_det *d);
/* feed n samples: up to max events written to ev; their number */
int dtmf_det_feed(struct dtmf_det *d, const int16_t *in, size_t n, struct dtmf_event *ev, int max);

#endif
