/*
 * g711.h - ITU-T G.711 A-law and u-law companding, between octets and 16-bit linear samples.
 *
 * Decoding gives the reconstruction levels of G.711 Tables 1 and 2 scaled to 16 bits (A-law: 13-bit
 * values << 3, u-law: 14-bit values << 2).  Encoding picks the code whose reconstruction level is
 * nearest (the decision values of G.711 lie half-way between levels), so encode(decode(c)) == c for
 * every code except u-law's negative zero 0x7f, which encodes as 0xff.
 *
 * Level: G.711 puts the largest sine (peak 8159 of 14 bits for u-law, 4096 of 13 bits for A-law) at
 * +3.17 dBm0 (u-law) and +3.14 dBm0 (A-law), so a 0 dBm0 sine has the 16-bit RMS of g711_dbm0_rms():
 * 16025 (u-law) and 16141 (A-law); the digital milliwatt sequences of Tables 5 and 6 decode to that
 * within 0.05 dB.
 */
#ifndef G711_H
#define G711_H

#include <stddef.h>
#include <stdint.h>

enum g711_law {
	G711_ALAW = 0,		/* the order of enum tdm_law */
	G711_ULAW,
};

#define G711_SILENCE_ALAW 0xd5	/* +8: the A-law code nearest to zero */
#define G711_SILENCE_ULAW 0xff	/* 0 */

int16_t g711_decode(int law, uint8_t code);
uint8_t g711_encode(int law, int16_t sample);
/* whole buffers: n samples */
void g711_decode_buf(int law, const uint8_t *in, int16_t *out, size_t n);
void g711_encode_buf(int law, const int16_t *in, uint8_t *out, size_t n);
/* in place from one law to the other (decode, then encode); nothing when from == to */
void g711_transcode(int from, int to, uint8_t *buf, size_t n);
uint8_t g711_silence(int law);
/* the 16-bit RMS of a 0 dBm0 sine in law */
double g711_dbm0_rms(int law);

#endif
