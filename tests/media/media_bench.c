/*
 * media_bench.c - figures, never asserted (make bench): what one 20 ms packet costs in media/ on this
 * machine: SRTP protect + unprotect (both suites, libsrtp2), SRTCP, A-law <-> u-law, the DTMF detector.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dtmf.h"
#include "g711.h"
#include "msrtp.h"
#include "rtp.h"
#include "sdes.h"

#define BENCH_N 200000

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bench_srtp(int suite)
{
	struct sdes_key k = { .tag = 1, .suite = suite };
	struct msrtp *tx, *rx;
	uint8_t payload[160], pkt[172 + MSRTP_OVERHEAD];
	struct rtp_hdr h = { .pt = 8, .ssrc = 0x12345678 };
	double t0, t1;
	size_t len;
	unsigned long bad = 0;

	for (size_t i = 0; i < sizeof(k.key); i++)
		k.key[i] = (uint8_t)(i * 31 + 7);
	memset(payload, 0xd5, sizeof(payload));
	if (msrtp_new(&k, &k, &tx) < 0 || msrtp_new(&k, &k, &rx) < 0) {
		printf("# srtp: no context\n");
		return;
	}
	t0 = bench_now();
	for (int i = 0; i < BENCH_N; i++) {
		h.seq = (uint16_t)i;
		h.ts = (uint32_t)i * 160;
		len = (size_t)rtp_build(&h, payload, sizeof(payload), pkt, sizeof(pkt));
		bad += msrtp_protect_rtp(tx, pkt, &len, sizeof(pkt)) < 0;
		bad += msrtp_unprotect_rtp(rx, pkt, &len) < 0;
	}
	t1 = bench_now();
	printf("# srtp %s: protect + unprotect of a 172-octet packet %.2f us (%d packets, %lu failed)\n",
	       sdes_suite_name(suite), (t1 - t0) * 1e6 / BENCH_N, BENCH_N, bad);
	msrtp_free(tx);
	msrtp_free(rx);
}

int main(void)
{
	uint8_t frame[160];
	int16_t lin[160];
	struct dtmf_det det;
	struct dtmf_event ev[4];
	double t0;
	int digits = 0;

	bench_srtp(SDES_AES_CM_128_HMAC_SHA1_80);
	bench_srtp(SDES_AES_CM_128_HMAC_SHA1_32);
	for (int i = 0; i < 160; i++)
		frame[i] = (uint8_t)(i * 37);
	t0 = bench_now();
	for (int i = 0; i < BENCH_N; i++)
		g711_transcode(G711_ALAW, G711_ULAW, frame, sizeof(frame));
	printf("# g711: A-law -> u-law of a 20 ms frame %.3f us\n", (bench_now() - t0) * 1e6 / BENCH_N);
	dtmf_det_init(&det);
	t0 = bench_now();
	for (int i = 0; i < BENCH_N / 10; i++) {
		g711_decode_buf(G711_ALAW, frame, lin, sizeof(frame));
		digits += dtmf_det_feed(&det, lin, 160, ev, 4);
	}
	printf("# dtmf: detector on a 20 ms frame (decode included) %.2f us (%d events from noise)\n",
	       (bench_now() - t0) * 1e6 / (BENCH_N / 10), digits);
	return 0;
}
