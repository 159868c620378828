/*
 * media_test.c - media/ alone: G.711 (every code, the digital milliwatt, A<->u), RTP packets and stream
 * state (RFC 3550 A.1, A.8), RFC 4733 events both ways, the jitter buffer under jitter, loss and
 * reordering, DTMF tones sent, detected and refused (twist, level, frequency, talk-off), a=crypto lines
 * (RFC 4568) and SRTP/SRTCP through msrtp (round trips, tampering, replay, a wrong key).
 * Table-driven; ends with "N passed, N failed".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtmf.h"
#include "g711.h"
#include "jbuf.h"
#include "msrtp.h"
#include "rtcp.h"
#include "rtp.h"
#include "rtp_event.h"
#include "sdes.h"
#include "testlib.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- G.711 ---- */

static double rms_dbm0(const int16_t *x, size_t n, int law)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return 20 * log10(sqrt(s / (double)n) / g711_dbm0_rms(law));
}

static void g711_tests(void)
{
	/* G.711 Tables 5 and 6: the digital milliwatt, a 1 kHz sine at 0 dBm0 */
	static const uint8_t dmw[2][8] = {
		{ 0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4 },
		{ 0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e },
	};
	static const struct {
		int law;
		uint8_t code;
		int16_t value;
	} levels[] = {
		{ G711_ALAW, 0xd5, 8 }, { G711_ALAW, 0x55, -8 }, { G711_ALAW, 0xaa, 32256 }, { G711_ALAW, 0x2a, -32256 },
		{ G711_ULAW, 0xff, 0 }, { G711_ULAW, 0x7f, 0 }, { G711_ULAW, 0x80, 32124 }, { G711_ULAW, 0x00, -32124 },
		{ G711_ULAW, 0xfe, 8 }, { G711_ALAW, 0xd4, 24 },
	};
	int16_t x[8];
	int bad = 0, mono = 1;

	for (size_t i = 0; i < NELEM(levels); i++)
		CHECK_INT(g711_decode(levels[i].law, levels[i].code), levels[i].value, "G.711 level of a code");
	for (int law = 0; law < 2; law++) {
		for (int c = 0; c < 256; c++)
			bad += g711_encode(law, g711_decode(law, (uint8_t)c)) != c && !(law == G711_ULAW && c == 0x7f);
		for (int v = -32768; v < 32767; v++)
			mono &= g711_decode(law, g711_encode(law, (int16_t)v)) <= g711_decode(law, g711_encode(law,
											       (int16_t)(v + 1)));
		g711_decode_buf(law, dmw[law], x, 8);
		CHECK(fabs(rms_dbm0(x, 8, law)) < 0.05, "%s digital milliwatt at %.3f dBm0", law ? "u-law" : "A-law",
		      rms_dbm0(x, 8, law));
	}
	CHECK_INT(bad, 0, "every code decodes and encodes back (u-law -0 aside)");
	CHECK(mono, "encoding is monotonic over all 65536 samples, both laws");
	for (int c = 0; c < 256; c++) {
		uint8_t a = (uint8_t)c, u;

		g711_transcode(G711_ALAW, G711_ULAW, &a, 1);
		u = a;
		bad += abs(g711_decode(G711_ULAW, u) - g711_decode(G711_ALAW, (uint8_t)c)) >
		       abs(g711_decode(G711_ALAW, (uint8_t)c)) / 16 + 16;
	}
	CHECK_INT(bad, 0, "A-law -> u-law keeps every level within one step");
	CHECK_INT(g711_silence(G711_ALAW), 0xd5, "A-law silence");
	CHECK_INT(g711_silence(G711_ULAW), 0xff, "u-law silence");
}

/* ---- RTP ---- */

static void rtp_parse_tests(void)
{
	static const uint8_t ok[] = { 0x80, 0x88, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3 };
	static const struct {
		const char *what;
		uint8_t pkt[32];
		size_t len;
		int rc;
		size_t plen;
	} vec[] = {
		{ "short", { 0x80, 0 }, 11, -EBADMSG, 0 },
		{ "version 1", { 0x40 }, 12, -EBADMSG, 0 },
		{ "2 CSRC, 12 octets", { 0x82 }, 12, -EBADMSG, 0 },
		{ "2 CSRC, 20 octets", { 0x82 }, 20, 0, 0 },
		{ "extension cut", { 0x90 }, 14, -EBADMSG, 0 },
		{ "extension 1 word", { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1, 9, 9, 9, 9, 7 }, 21, 0,
		  1 },
		{ "extension too long", { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 9 }, 20, -EBADMSG, 0 },
		{ "padding 2", { 0xa0, [14] = 7, [15] = 2 }, 16, 0, 2 },
		{ "padding 0", { 0xa0, [15] = 0 }, 16, -EBADMSG, 0 },
		{ "padding beyond", { 0xa0, [15] = 5 }, 16, -EBADMSG, 0 },
	};
	struct rtp_hdr h;
	uint8_t out[64];

	CHECK_INT(rtp_parse(ok, sizeof(ok), &h), 0, "parse");
	CHECK(h.pt == 8 && h.marker && h.seq == 0x1234 && h.ts == 0x140 && h.ssrc == 0xdeadbeef && h.plen == 3 &&
	      h.payload[0] == 1, "fields: pt %d m %d seq %u ts %u", h.pt, h.marker, h.seq, h.ts);
	CHECK_INT(rtp_build(&h, h.payload, h.plen, out, sizeof(out)), (long)sizeof(ok), "build");
	CHECK(!memcmp(out, ok, sizeof(ok)), "build gives the same octets");
	CHECK_INT(rtp_build(&h, h.payload, h.plen, out, 14), -ENOSPC, "build into too small a buffer");
	for (size_t i = 0; i < NELEM(vec); i++) {
		int rc = rtp_parse(vec[i].pkt, vec[i].len, &h);

		CHECK(rc == vec[i].rc && (rc || h.plen == vec[i].plen), "rtp_parse %s: rc %d plen %zu", vec[i].what, rc,
		      rc ? 0 : h.plen);
	}
}

static void rtp_stream_tests(void)
{
	struct rtp_tx tx;
	struct rtp_rx rx;
	struct rtp_hdr h;
	uint8_t pkt[200], pl[160] = { 0 };
	int n;

	rtp_tx_init(&tx, 0x11223344, 65534, 4294967000u);
	n = rtp_tx_packet(&tx, 0, pl, 160, 160, pkt, sizeof(pkt));
	CHECK(n == 172 && rtp_parse(pkt, (size_t)n, &h) == 0 && h.marker && h.seq == 65534, "first packet: marker");
	rtp_tx_packet(&tx, 0, pl, 160, 160, pkt, sizeof(pkt));
	rtp_parse(pkt, 172, &h);
	CHECK(!h.marker && h.seq == 65535 && h.ts == 4294967160u, "second: seq + 1, ts + 160");
	rtp_tx_packet(&tx, 0, pl, 160, 160, pkt, sizeof(pkt));
	rtp_parse(pkt, 172, &h);
	CHECK(h.seq == 0 && h.ts == 24, "sequence and timestamp wrap: seq %u ts %u", h.seq, h.ts);

	/* the receiver: 100 packets from 65500 with 3 lost and one duplicated, 20 ms apart, jitter +-1 ms */
	rtp_rx_init(&rx);
	for (int i = 0; i < 100; i++) {
		struct rtp_hdr p = { .pt = 0, .seq = (uint16_t)(65500 + i), .ts = (uint32_t)(1000 + 160 * i), .ssrc = 7 };
		uint32_t arrival = (uint32_t)(50000 + 160 * i + ((i % 2) ? 8 : -8));

		if (i == 40 || i == 41 || i == 77)
			continue;
		rtp_rx_update(&rx, &p, arrival);
		if (i == 60)
			rtp_rx_update(&rx, &p, arrival);
	}
	CHECK_INT(rtp_rx_ext_max(&rx), 65536 + (65599 - 65536), "extended highest sequence number across the wrap");
	CHECK_INT(rtp_rx_expected(&rx), 99, "expected (from the second packet, A.1 probation)");
	CHECK_INT(rtp_rx_lost(&rx), 3, "3 lost");
	CHECK_INT(rx.dups, 1, "1 duplicate");
	CHECK(fabs(rx.jitter - 16) < 2, "jitter: transit alternating +-8 samples gives ~16 (%.1f)", rx.jitter);
	CHECK_INT(rtp_rx_fraction(&rx), 3 * 256 / 99, "fraction lost");
	CHECK_INT(rtp_rx_fraction(&rx), 0, "fraction lost of an empty interval");
	h.ssrc = 8;
	h.seq = 5;
	rtp_rx_update(&rx, &h, 0);
	CHECK_INT(rx.ssrc_changes, 1, "a new SSRC is counted");
}

/* ---- RTCP ---- */

static void rtcp_tests(void)
{
	struct rtp_tx tx;
	struct rtp_rx rx;
	struct rtcp_in in;
	struct rtp_hdr h = { .pt = 0, .ssrc = 0xabcdef01 };
	uint8_t pkt[256];
	uint64_t ntp_us;
	int n;

	rtp_tx_init(&tx, 0x12345678, 1, 1000);
	rtp_rx_init(&rx);
	/* nothing sent, nothing received: an RR without blocks, and the CNAME */
	struct rtcp_out o = { .tx = &tx, .rx = &rx, .cname = "call 7", .ntp_us = 1000000, .now_ts = 1000 };

	n = rtcp_compose(&o, pkt, sizeof(pkt));
	CHECK(n == 8 + 20 && pkt[0] == 0x80 && pkt[1] == RTCP_RR && pkt[n - 20 + 1] == RTCP_SDES, "RR + SDES: %d octets",
	      n);
	CHECK(rtcp_parse(pkt, (size_t)n, 0, &in) == 0 && !in.sr && !in.report && !strcmp(in.cname, "call 7"),
	      "parsed back: no SR, no block, CNAME '%s'", in.cname);
	/* 50 packets sent, 50 received with 2 lost: SR with one block */
	for (int i = 0; i < 50; i++)
		tx.packets++, tx.octets += 160;
	for (int i = 0; i < 52; i++) {
		h.seq = (uint16_t)(100 + i);
		h.ts = (uint32_t)(160 * i);
		if (i != 20 && i != 30)
			rtp_rx_update(&rx, &h, (uint32_t)(160 * i));
	}
	o.ntp_us = 1700000000ULL * 1000000 + 250000;
	o.last_sr = 0xb7052000;
	o.last_sr_us = 1000000;
	o.now_us = 1000000 + 5250000;
	n = rtcp_compose(&o, pkt, sizeof(pkt));
	CHECK(n == 52 + 20 && pkt[0] == 0x81 && pkt[1] == RTCP_SR, "SR with one block + SDES: %d octets", n);
	CHECK(rtcp_parse(pkt, (size_t)n, 0xabcdef01, &in) == 0 && in.sr && in.report && in.lost == 2 &&
	      in.fraction == 2 * 256 / 51 && in.lsr == 0xb7052000 && in.dlsr == 0x00054000 &&
	      in.sender_ssrc == 0x12345678, "SR parsed: lost %d fraction %d lsr %08x dlsr %08x", in.lost, in.fraction,
	      in.lsr, in.dlsr);
	CHECK(in.last_sr == rtcp_ntp_mid(o.ntp_us), "the SR's NTP middle bits");
	/* RFC 3550 6.4.1's example: A 0xb710:8000, LSR 0xb705:2000, DLSR 5.25 s -> round trip 6.125 s */
	ntp_us = ((((2208988800ULL >> 16) + 1) << 16) + 0xb710 - 2208988800ULL) * 1000000 + 500000;
	CHECK_INT(rtcp_ntp_mid(ntp_us), 0xb7108000, "NTP middle bits of A");
	CHECK_INT(rtcp_rtt_us(&in, ntp_us), 6125000, "round trip 6.125 s");
	CHECK_INT(rtcp_parse(pkt, 7, 0, &in), -EBADMSG, "too short");
	pkt[3] = 40;
	CHECK_INT(rtcp_parse(pkt, (size_t)n, 0, &in), -EBADMSG, "a length beyond the datagram");
	pkt[3] = 12;
	pkt[0] = 0x9f;
	CHECK_INT(rtcp_parse(pkt, (size_t)n, 0, &in), -EBADMSG, "31 report blocks in a short SR");
	CHECK_INT(rtcp_compose(&o, pkt, 40), -ENOSPC, "a buffer too small");
}

/* ---- RFC 4733 ---- */

static void event_tests(void)
{
	struct rtp_event_tx e;
	struct rtp_event_rx r;
	struct rtp_event_rx_ev ev[RTP_EVENT_RX_MAX];
	struct rtp_tx tx;
	struct rtp_hdr h[10];
	uint8_t pkt[10][64];
	int n = 0, len, starts = 0, ends = 0, ms = 0;

	rtp_tx_init(&tx, 1, 100, 8000);
	rtp_event_tx_init(&e);
	CHECK_INT(rtp_event_tx_start(&e, 'x', 0), -EINVAL, "not a digit");
	CHECK_INT(rtp_event_tx_start(&e, '#', tx.ts), 0, "# starts");
	for (int i = 0; i < 5; i++) {
		len = rtp_event_tx_packet(&e, &tx, 101, 160, pkt[n], sizeof(pkt[0]));
		rtp_parse(pkt[n], (size_t)len, &h[n]);
		n++;
	}
	rtp_event_tx_stop(&e);
	while (rtp_event_tx_active(&e)) {
		len = rtp_event_tx_packet(&e, &tx, 101, 160, pkt[n], sizeof(pkt[0]));
		rtp_parse(pkt[n], (size_t)len, &h[n]);
		n++;
	}
	CHECK_INT(n, 8, "5 updates and 3 end packets");
	CHECK(h[0].marker && !h[1].marker && h[0].ts == 8000 && h[7].ts == 8000 && h[7].seq == 107,
	      "marker first, one timestamp, sequence numbers go on");
	CHECK(h[0].payload[0] == 11 && (h[4].payload[2] << 8 | h[4].payload[3]) == 800 && !(h[4].payload[1] & 0x80) &&
	      (h[5].payload[1] & 0x80) && (h[7].payload[2] << 8 | h[7].payload[3]) == 800,
	      "event 11, duration 800 after 5 intervals, E bit on the last three");
	CHECK(tx.ts == 8000 + 8 * 160 && tx.marker_next, "audio time went on; the next audio is a talkspurt");
	/* received: in order, with the first lost, a duplicate, end packets repeated: one start, one end */
	rtp_event_rx_init(&r);
	for (int i = 1; i < 8; i++) {
		int k = rtp_event_rx_put(&r, &h[i], (uint64_t)i * 20000, ev);

		for (int j = 0; j < k; j++) {
			starts += ev[j].type == RTP_EVENT_RX_START;
			ends += ev[j].type == RTP_EVENT_RX_END;
			if (ev[j].type == RTP_EVENT_RX_END)
				ms = ev[j].ms;
			CHECK(ev[j].digit == '#', "the digit is #");
		}
		if (i == 3)
			rtp_event_rx_put(&r, &h[i], (uint64_t)i * 20000, ev);
	}
	CHECK(starts == 1 && ends == 1 && ms == 100, "one start, one end of 100 ms (%d, %d, %d ms)", starts, ends, ms);
	/* no end packet at all: the event ends by timeout */
	rtp_event_rx_init(&r);
	CHECK_INT(rtp_event_rx_put(&r, &h[0], 0, ev), 1, "a start");
	CHECK_INT(rtp_event_rx_tick(&r, 100000, ev), 0, "not yet over after 100 ms");
	CHECK(rtp_event_rx_tick(&r, 300000, ev) == 1 && ev[0].type == RTP_EVENT_RX_END, "ended after 250 ms of nothing");
	/* a digit whose end packets were lost, then only the end packets of the next: three events */
	rtp_event_rx_init(&r);
	CHECK_INT(rtp_event_rx_put(&r, &h[1], 0, ev), 1, "a start (its first packet lost)");
	h[7].ts += 2000;
	CHECK(rtp_event_rx_put(&r, &h[7], 20000, ev) == 3 && ev[0].type == RTP_EVENT_RX_END &&
	      ev[1].type == RTP_EVENT_RX_START && ev[2].type == RTP_EVENT_RX_END, "end of one, start and end of the next");
	h[0].plen = 3;
	CHECK_INT(rtp_event_rx_put(&r, &h[0], 0, ev), -EBADMSG, "a short payload");
}

/* ---- jitter buffer ---- */

static unsigned int test_rand_state = 12345;

static int test_rand(int span)
{
	test_rand_state = test_rand_state * 1103515245u + 12345u;
	return (int)((test_rand_state >> 16) % (unsigned int)(2 * span + 1)) - span;
}

/* n packets of 160 samples, each carrying its index, sent every 160 samples and arriving with jitter
 * (+-jit samples) and reordering; the TDM side takes a frame every 160 samples: frames played in order */
static void jbuf_run(const char *what, int jit, int min, int max, int want_grow)
{
	struct jbuf_conf c = { .frame = 160, .min_delay = min, .max_delay = max };
	struct jbuf *jb;
	struct jbuf_stats st;
	uint8_t pl[160], out[160];
	int arrive[400], next = 0, played = 0, order = 1, last = -1, missing_after = 0;

	CHECK_INT(jbuf_new(&c, &jb), 0, "jbuf_new");
	for (int i = 0; i < 400; i++)
		arrive[i] = 160 * i + 800 + test_rand(jit);
	for (int t = 0; t < 160 * 420; t += 20) {
		for (int i = 0; i < 400; i++)
			if (arrive[i] >= t && arrive[i] < t + 20) {
				memset(pl, i & 0xff, sizeof(pl));
				jbuf_put(jb, (uint32_t)(160 * i), i == 0, pl, 160, (uint32_t)arrive[i]);
			}
		if (t % 160 || t < 800)
			continue;
		if (jbuf_get(jb, out, 0xd5)) {
			played++;
			order &= last < 0 || (uint8_t)(out[0] - last) < 128;	/* forward (a late one is lost) */
			last = out[0];
			next++;
		} else if (t > 160 * 100 && t < arrive[399]) {
			missing_after++;
		}
	}
	jbuf_get_stats(jb, &st);
	CHECK(order, "%s: frames played in order (%d)", what, next);
	CHECK(played >= 395, "%s: %d of 400 frames played (late %lu, missing %lu, target %d)", what, played, st.late,
	      st.missing, st.target);
	CHECK(missing_after <= 1, "%s: after adapting, %d frames missing", what, missing_after);
	CHECK(st.target >= min && st.target <= max && (want_grow ? st.grow > 0 : st.grow == 0),
	      "%s: target %d samples within %d..%d, grown %lu times", what, st.target, min, max, st.grow);
	jbuf_free(jb);
}

static void jbuf_tests(void)
{
	struct jbuf_conf bad = { .frame = 160, .min_delay = 400, .max_delay = 200 };
	struct jbuf *jb;
	struct jbuf_stats st;
	uint8_t pl[160] = { 1 }, out[160];

	CHECK_INT(jbuf_new(&bad, &jb), -EINVAL, "max below min refused");
	jbuf_run("steady", 0, 160, 1600, 0);
	jbuf_run("+-30 ms jitter", 240, 160, 1600, 1);
	jbuf_run("+-30 ms jitter, 100 ms from the start", 240, 800, 1600, 0);
	/* late, duplicate, overflow, resync */
	struct jbuf_conf c = { .frame = 160, .min_delay = 160, .max_delay = 480 };

	jbuf_new(&c, &jb);
	jbuf_put(jb, 16000, 1, pl, 160, 0);
	jbuf_put(jb, 16000, 0, pl, 160, 0);
	jbuf_get(jb, out, 0);
	jbuf_get(jb, out, 0);
	jbuf_get(jb, out, 0);
	jbuf_put(jb, 16000, 0, pl, 160, 0);
	jbuf_put(jb, 16000 + 160 * 10, 0, pl, 160, 0);
	jbuf_put(jb, 16000 + 8000 * 3, 0, pl, 160, 0);
	jbuf_get_stats(jb, &st);
	CHECK(st.dup == 1 && st.late == 1 && st.overflow == 1 && st.resync == 1,
	      "dup %lu late %lu overflow %lu resync %lu", st.dup, st.late, st.overflow, st.resync);
	jbuf_free(jb);
}

/* ---- DTMF ---- */

/* digits generated with the given levels and frequency error, through law; what the detector says */
static int dtmf_run(const char *digits, double low, double high, double ferr, int on_ms, int off_ms, int law,
		    char *got, int *ms)
{
	struct dtmf_gen g;
	struct dtmf_det d;
	struct dtmf_event ev[8];
	int16_t x[40];
	uint8_t c[40];
	int n = 0;

	dtmf_gen_init(&g, low, high);
	dtmf_det_init(&d);
	for (const char *p = digits; *p; p++) {
		for (int phase = 0; phase < 2; phase++) {
			if (phase == 0) {
				dtmf_gen_start(&g, *p);
				g.step[0] *= 1 + ferr;
				g.step[1] *= 1 + ferr;
			} else {
				dtmf_gen_stop(&g);
			}
			for (int t = 0; t < 8 * (phase ? off_ms : on_ms); t += 40) {
				int k;

				dtmf_gen_fill(&g, x, 40);
				g711_encode_buf(law, x, c, 40);
				g711_decode_buf(law, c, x, 40);
				k = dtmf_det_feed(&d, x, 40, ev, 8);
				for (int i = 0; i < k; i++)
					if (ev[i].type == DTMF_EV_END) {
						got[n] = ev[i].digit;
						ms[n++] = ev[i].ms;
					}
			}
		}
	}
	got[n] = 0;
	return n;
}

static void dtmf_tests(void)
{
	static const struct {
		const char *what;
		double low, high, ferr;
		int on, off, law;
		const char *want;
	} vec[] = {
		{ "100/100 ms A-law", -8, -6, 0, 100, 100, G711_ALAW, "0123456789*#ABCD" },
		{ "100/100 ms u-law", -8, -6, 0, 100, 100, G711_ULAW, "0123456789*#ABCD" },
		{ "40/40 ms", -8, -6, 0, 40, 40, G711_ALAW, "0123456789*#ABCD" },
		{ "-25 dBm0 per tone", -25, -25, 0, 100, 100, G711_ALAW, "159D" },
		{ "twist: high 7 dB below", -3, -10, 0, 100, 100, G711_ALAW, "159D" },
		{ "reverse twist 3 dB", -10, -7, 0, 100, 100, G711_ALAW, "159D" },
		{ "+1.5% off frequency", -8, -6, 0.015, 100, 100, G711_ALAW, "159D" },
		{ "-1.5% off frequency", -8, -6, -0.015, 100, 100, G711_ALAW, "159D" },
		{ "too weak: -36 dBm0", -36, -36, 0, 100, 100, G711_ALAW, "" },
		{ "twist: high 12 dB below", 0, -12, 0, 100, 100, G711_ALAW, "" },
		{ "reverse twist 8 dB", -14, -6, 0, 100, 100, G711_ALAW, "" },
		{ "+3.5% off frequency", -8, -6, 0.035, 100, 100, G711_ALAW, "" },
		{ "-3.5% off frequency", -8, -6, -0.035, 100, 100, G711_ALAW, "" },
		{ "15 ms: too short (Q.24 non-operate)", -8, -6, 0, 15, 100, G711_ALAW, "" },
	};
	char got[64];
	int ms[64], n, durations = 1;

	CHECK_INT(dtmf_index('5'), 5, "index of 5");
	CHECK_INT(dtmf_index('x'), -1, "x is no digit");
	for (size_t i = 0; i < NELEM(vec); i++) {
		const char *digits = vec[i].want[0] ? vec[i].want : "159D";

		n = dtmf_run(digits, vec[i].low, vec[i].high, vec[i].ferr, vec[i].on, vec[i].off, vec[i].law, got, ms);
		CHECK(!strcmp(got, vec[i].want), "dtmf %s: got '%s', want '%s'", vec[i].what, got, vec[i].want);
		for (int k = 0; k < n && vec[i].on == 100; k++)
			durations &= abs(ms[k] - 100) <= 15;
	}
	CHECK(durations, "100 ms digits measured within 15 ms");
}

/* speech-like audio (voiced harmonics on a moving pitch, syllables, noise): no digit in 10 minutes */
static void talkoff_tests(void)
{
	struct dtmf_det d;
	struct dtmf_event ev[8];
	int16_t x[160];
	double ph = 0;
	int false_digits = 0, seconds = 600;

	dtmf_det_init(&d);
	test_rand_state = 99;
	for (long s = 0; s < 8000L * seconds; s += 160) {
		for (int i = 0; i < 160; i++) {
			double t = (double)(s + i) / 8000, f0 = 110 + 140 * (0.5 + 0.5 * sin(t * 0.9)) + 15 * sin(t * 7.3);
			double v = 0, env = fmax(0, sin(2 * M_PI * 2.7 * t));

			ph += 2 * M_PI * f0 / 8000;
			for (int h = 1; h < 28; h++)
				v += (4000.0 / h) * sin(h * ph) * (1 + 0.8 * sin(2 * M_PI * h * f0 / (700 + 300 * sin(t))));
			v = v * env + test_rand(800);
			x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
		int k = dtmf_det_feed(&d, x, 160, ev, 8);

		for (int i = 0; i < k; i++)
			false_digits += ev[i].type == DTMF_EV_START;
	}
	CHECK(false_digits == 0, "talk-off: %d false digits in %d s of speech-like audio", false_digits, seconds);
	printf("# talk-off: %d s of speech-like audio, %d false digits\n", seconds, false_digits);
}

/* ---- a=crypto (RFC 4568) ---- */

static void sdes_tests(void)
{
	static const struct {
		const char *in, *out;
	} b64v[] = {	/* RFC 4648 section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const struct {
		const char *what, *line;
		int rc, tag, suite;
	} vec[] = {
		{ "RFC 4568 example without MKI", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  0, 1, SDES_AES_CM_128_HMAC_SHA1_80 },
		{ "32-bit tag, lifetime 2^31", "2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31",
		  0, 2, SDES_AES_CM_128_HMAC_SHA1_32 },
		{ "decimal lifetime", "7 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1048576",
		  0, 7, 0 },
		{ "trailing CRLF", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n", 0, 1, 0 },
		{ "RFC 4568 example with MKI", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
		  -ENOTSUP, 1, 0 },
		{ "short lifetime 2^10", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^10",
		  -ENOTSUP, 1, 0 },
		{ "unknown suite", "1 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", -ENOTSUP, 1, 0 },
		{ "session parameter", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR "
		  "UNENCRYPTED_SRTP", -ENOTSUP, 1, 0 },
		{ "two keys", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4;"
		  "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4", -ENOTSUP, 1, 0 },
		{ "29-octet key", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaQ==", -EINVAL, 1, 0 },
		{ "not base64", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxa!BR", -EINVAL, 1, 0 },
		{ "no inline:", "1 AES_CM_128_HMAC_SHA1_80 PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", -EINVAL, 1, 0 },
		{ "tag not a number", "x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", -EINVAL, 0, 0 },
		{ "tag of ten digits", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		  -EINVAL, 0, 0 },
		{ "empty", "", -EINVAL, 0, 0 },
		{ "bad lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^x", -EINVAL, 1, 0 },
	};
	struct sdes_key k, back;
	char buf[SDES_VALUE_MAX], red[SDES_VALUE_MAX];
	uint8_t raw[64];
	int n, ok = 1;

	for (size_t i = 0; i < NELEM(b64v); i++) {
		size_t len = strlen(b64v[i].in);

		n = sdes_base64_encode((const uint8_t *)b64v[i].in, len, buf, sizeof(buf));
		ok &= n >= 0 && !strcmp(buf, b64v[i].out);
		n = sdes_base64_decode(b64v[i].out, strlen(b64v[i].out), raw, sizeof(raw));
		ok &= n == (int)len && !memcmp(raw, b64v[i].in, len);
	}
	CHECK(ok, "base64: RFC 4648 section 10's vectors both ways");
	CHECK(sdes_base64_decode("Zh==", 4, raw, sizeof(raw)) == -EINVAL && sdes_base64_decode("Zg=", 3, raw, 8) == -EINVAL &&
	      sdes_base64_decode("Zm9vYmFy", 8, raw, 5) == -ENOSPC, "base64: non-canonical, bad padding, no room refused");
	for (size_t i = 0; i < NELEM(vec); i++) {
		int rc = sdes_parse(vec[i].line, &k);

		CHECK(rc == vec[i].rc && (rc || (k.tag == vec[i].tag && k.suite == vec[i].suite)),
		      "a=crypto %s: %d (want %d)", vec[i].what, rc, vec[i].rc);
	}
	CHECK(sdes_parse(vec[0].line, &k) == 0 && k.key[0] == 0x3d && k.key[29] == 0x51,
	      "the key of RFC 4568's example decodes (3d ... 51)");
	n = sdes_format(&k, buf, sizeof(buf));
	CHECK(n > 0 && !strcmp(buf, vec[0].line), "format gives the same line back: %s", buf);
	CHECK(sdes_parse(buf, &back) == 0 && !memcmp(&back, &k, sizeof(k)), "and it parses to the same key");
	CHECK(sdes_format(&k, buf, 20) == -ENOSPC && buf[0] == '\0', "format without room: -ENOSPC");
	sdes_redact(vec[1].line, red, sizeof(red));
	CHECK(!strcmp(red, "2 AES_CM_128_HMAC_SHA1_32 inline:...") && !strstr(red, "NzB4"), "redacted for logs: %s", red);
	CHECK(sdes_rtp_tag_len(SDES_AES_CM_128_HMAC_SHA1_80) == 10 && sdes_rtp_tag_len(SDES_AES_CM_128_HMAC_SHA1_32) == 4,
	      "tags of 80 and 32 bits");
}

/* ---- SRTP through msrtp (libsrtp2) ---- */

static size_t srtp_test_packet(uint8_t *pkt, uint16_t seq, uint32_t ssrc)
{
	struct rtp_hdr h = { .pt = 8, .seq = seq, .ts = seq * 160u, .ssrc = ssrc };
	uint8_t payload[160];
	int n;

	for (int i = 0; i < 160; i++)
		payload[i] = (uint8_t)(seq + i);
	n = rtp_build(&h, payload, sizeof(payload), pkt, 256);
	return n > 0 ? (size_t)n : 0;
}

static void msrtp_suite_tests(int suite)
{
	struct sdes_key a = { .tag = 1, .suite = suite }, b = { .tag = 1, .suite = suite };
	struct msrtp *alice, *bob;
	struct msrtp_stats st;
	uint8_t pkt[172 + MSRTP_OVERHEAD], plain[256], keep[256];
	size_t len, klen = 0;
	int ok = 1, grew = 1, differs = 0, tag = sdes_rtp_tag_len(suite);
	const char *name = sdes_suite_name(suite);

	for (int i = 0; i < SDES_KEY_LEN; i++) {
		a.key[i] = (uint8_t)(i * 7 + 1);
		b.key[i] = (uint8_t)(i * 13 + 5);
	}
	CHECK(msrtp_new(&a, &b, &alice) == 0 && msrtp_new(&b, &a, &bob) == 0, "%s: two ends", name);
	/* 300 packets from 65400: the sequence number wraps, the rollover counter goes to 1 on both ends */
	for (int i = 0; i < 300; i++) {
		uint16_t seq = (uint16_t)(65400 + i);

		len = srtp_test_packet(pkt, seq, 0x11223344);
		memcpy(plain, pkt, len);
		if (msrtp_protect_rtp(alice, pkt, &len, sizeof(pkt)) < 0) {
			ok = 0;
			break;
		}
		grew &= len == 12 + 160 + (size_t)tag;
		differs += memcmp(pkt + 12, plain + 12, 160) != 0;
		if (i == 10) {
			memcpy(keep, pkt, len);
			klen = len;
		}
		ok &= msrtp_unprotect_rtp(bob, pkt, &len) == 0 && len == 172 && !memcmp(pkt, plain, len);
	}
	CHECK(ok, "%s: 300 packets across a sequence wrap: each unprotected to the same packet", name);
	CHECK(grew && differs == 300, "%s: each %d octets longer (the tag), payload encrypted (%d of 300)", name, tag,
	      differs);
	len = klen;
	CHECK(msrtp_unprotect_rtp(bob, keep, &len) == -EALREADY, "%s: a replayed packet is refused", name);
	len = srtp_test_packet(pkt, 180, 0x11223344);
	msrtp_protect_rtp(alice, pkt, &len, sizeof(pkt));
	pkt[40] ^= 1;
	CHECK(msrtp_unprotect_rtp(bob, pkt, &len) == -EBADMSG, "%s: a flipped payload bit fails authentication", name);
	len = srtp_test_packet(pkt, 181, 0x11223344);
	msrtp_protect_rtp(alice, pkt, &len, sizeof(pkt));
	CHECK(msrtp_unprotect_rtp(alice, pkt, &len) == -EBADMSG, "%s: the wrong key fails authentication", name);
	len = 10;
	CHECK(msrtp_unprotect_rtp(bob, pkt, &len) == -EBADMSG, "%s: a 10-octet packet is refused", name);
	len = srtp_test_packet(pkt, 182, 0x11223344);
	CHECK(msrtp_protect_rtp(alice, pkt, &len, len + 4) == -ENOSPC, "%s: no room for the tag: -ENOSPC", name);

	/* SRTCP: an RR of 8 octets + one report block; index and an 80-bit tag with either suite */
	uint8_t rr[32 + MSRTP_OVERHEAD] = { 0x81, 201, 0, 7, 0x55, 0x66, 0x77, 0x88 };
	for (int i = 8; i < 32; i++)
		rr[i] = (uint8_t)i;
	memcpy(plain, rr, 32);
	len = 32;
	CHECK(msrtp_protect_rtcp(alice, rr, &len, sizeof(rr)) == 0 && len == 32 + 4 + 10 && (rr[32] & 0x80) &&
	      memcmp(rr + 8, plain + 8, 24) && !memcmp(rr, plain, 8),
	      "%s: SRTCP: header clear, the rest encrypted, E flag + index + 10-octet tag (%zu octets)", name, len);
	CHECK(msrtp_unprotect_rtcp(bob, rr, &len) == 0 && len == 32 && !memcmp(rr, plain, 32),
	      "%s: SRTCP unprotected to the same report", name);
	/* the far end keys again (a re-INVITE): the old key no longer passes, the new one does */
	CHECK(msrtp_set_rx(bob, &b) == 0, "%s: inbound keyed again", name);
	len = srtp_test_packet(pkt, 200, 0x11223344);
	msrtp_protect_rtp(alice, pkt, &len, sizeof(pkt));
	CHECK(msrtp_unprotect_rtp(bob, pkt, &len) == -EBADMSG, "%s: the old key is refused after re-keying", name);
	msrtp_get_stats(bob, &st);
	CHECK(st.unprotected_rtp == 300 && st.unprotected_rtcp == 1 && st.replay == 1 && st.auth_fail >= 3,
	      "%s: counted: %lu RTP, %lu RTCP, %lu replay, %lu auth", name, st.unprotected_rtp, st.unprotected_rtcp,
	      st.replay, st.auth_fail);
	msrtp_free(alice);
	msrtp_free(bob);
}

static void msrtp_tests(void)
{
	struct sdes_key bad = { .tag = 1, .suite = 9 };
	struct msrtp *s;

	msrtp_suite_tests(SDES_AES_CM_128_HMAC_SHA1_80);
	msrtp_suite_tests(SDES_AES_CM_128_HMAC_SHA1_32);
	CHECK(msrtp_new(&bad, &bad, &s) == -EINVAL && !s, "an unknown suite: -EINVAL");
}

int main(void)
{
	g711_tests();
	rtp_parse_tests();
	rtp_stream_tests();
	rtcp_tests();
	event_tests();
	jbuf_tests();
	dtmf_tests();
	talkoff_tests();
	sdes_tests();
	msrtp_tests();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
