/*
 * g711.c - ITU-T G.711 A-law and u-law (section 3 and Tables 1a/1b, 2a/2b).
 *
 * Decoding computes the reconstruction level from the segment and the quantization step; encoding
 * looks the sample up in a table of 65536 codes per law, filled once by walking the reconstruction
 * levels in order and switching code half-way between neighbours (the decision values).
 */
#include <math.h>
#include <pthread.h>

#include "g711.h"

static uint8_t g711_enc[2][65536];
static pthread_once_t g711_once = PTHREAD_ONCE_INIT;

/* A-law: even bits inverted (0x55); sign bit set = positive; segment in bits 6-4, step in bits 3-0 */
static int16_t g711_alaw_decode(uint8_t code)
{
	int a = code ^ 0x55, seg = (a >> 4) & 7, v = ((a & 0x0f) << 4) + 8;

	if (seg)
		v = (v + 0x100) << (seg - 1);
	return (int16_t)((a & 0x80) ? v : -v);
}

/* u-law: all bits inverted; sign bit set = positive; biased segments (bias 33 at 14 bits = 132 here) */
static int16_t g711_ulaw_decode(uint8_t code)
{
	int u = ~code & 0xff, seg = (u >> 4) & 7, v = ((((u & 0x0f) << 3) + 0x84) << seg) - 0x84;

	return (int16_t)((u & 0x80) ? -v : v);
}

int16_t g711_decode(int law, uint8_t code)
{
	return law == G711_ULAW ? g711_ulaw_decode(code) : g711_alaw_decode(code);
}

/* the encode table of law: codes sorted by level, each owning the samples nearer to it than to
 * its neighbours */
static void g711_fill(int law)
{
	int order[256], n = 0, i, j, v;

	for (i = 0; i < 256; i++) {
		/* u-law's negative zero duplicates 0xff */
		if (law == G711_ULAW && i == 0x7f)
			continue;
		order[n++] = i;
	}
	for (i = 1; i < n; i++)		/* insertion sort by level: 255 codes, once */
		for (j = i; j > 0 && g711_decode(law, (uint8_t)order[j - 1]) > g711_decode(law, (uint8_t)order[j]); j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (v = -32768, i = 0; v <= 32767; v++) {
		while (i + 1 < n && 2 * v > g711_decode(law, (uint8_t)order[i]) + g711_decode(law, (uint8_t)order[i + 1]))
			i++;
		g711_enc[law][(uint16_t)v] = (uint8_t)order[i];
	}
}

static void g711_init(void)
{
	g711_fill(G711_ALAW);
	g711_fill(G711_ULAW);
}

uint8_t g711_encode(int law, int16_t sample)
{
	pthread_once(&g711_once, g711_init);
	return g711_enc[law == G711_ULAW][(uint16_t)sample];
}

void g711_decode_buf(int law, const uint8_t *in, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = g711_decode(law, in[i]);
}

void g711_encode_buf(int law, const int16_t *in, uint8_t *out, size_t n)
{
	pthread_once(&g711_once, g711_init);
	for (size_t i = 0; i < n; i++)
		out[i] = g711_enc[law == G711_ULAW][(uint16_t)in[i]];
}

void g711_transcode(int from, int to, uint8_t *buf, size_t n)
{
	if (from == to)
		return;
	pthread_once(&g711_once, g711_init);
	for (size_t i = 0; i < n; i++)
		buf[i] = g711_enc[to == G711_ULAW][(uint16_t)g711_decode(from, buf[i])];
}

uint8_t g711_silence(int law)
{
	return law == G711_ULAW ? G711_SILENCE_ULAW : G711_SILENCE_ALAW;
}

double g711_dbm0_rms(int law)
{
	/* the largest sine (u-law 8159 of 14 bits, A-law 4096 of 13 bits) is +3.17 / +3.14 dBm0 */
	return law == G711_ULAW ? 32636.0 / pow(10.0, 3.17 / 20.0) / M_SQRT2 : 32768.0 / pow(10.0, 3.14 / 20.0) / M_SQRT2;
}
