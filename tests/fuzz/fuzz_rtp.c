/*
 * fuzz_rtp.c - libFuzzer target: any bytes as a stream of RTP datagrams (each prefixed by a length
 * octet) through what gwd does with a packet from the network: rtp_parse, the receiver state
 * (rtp_rx_update), the RFC 4733 receiver and the jitter buffer (media/ alone).  Built and run by
 * "make fuzz".  Checked besides memory safety: a parsed payload lies inside the datagram; the jitter
 * buffer's counters stay within their bounds; an event's digit is a DTMF digit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "jbuf.h"
#include "rtp.h"
#include "rtp_event.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t seed0[] = {
	16, 0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff,
	16, 0x80, 0xe5, 0x00, 0x02, 0, 0, 1, 64, 0, 0, 0, 7, 5, 10, 0, 160,
	16, 0x80, 0x65, 0x00, 0x03, 0, 0, 1, 64, 0, 0, 0, 7, 5, 0x8a, 3, 32,
	21, 0x90, 0x08, 0x00, 0x04, 0, 0, 2, 128, 0, 0, 0, 7, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 0xd5,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_seed_write("rtp", 0, seed0, sizeof(seed0));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jbuf_conf jc = { .frame = 160, .min_delay = 160, .max_delay = 1600 };
	struct jbuf *jb;
	struct jbuf_stats st;
	struct rtp_rx rx;
	struct rtp_event_rx er;
	struct rtp_event_rx_ev ev[RTP_EVENT_RX_MAX];
	uint8_t out[160];
	size_t off = 0;
	uint32_t clock = 0;

	if (jbuf_new(&jc, &jb) < 0)
		abort();
	rtp_rx_init(&rx);
	rtp_event_rx_init(&er);
	while (off < size) {
		size_t len = data[off++];
		struct rtp_hdr h;
		uint8_t *pkt;

		if (len > size - off)
			len = size - off;
		pkt = malloc(len ? len : 1);	/* exactly the datagram: an overread shows */
		memcpy(pkt, data + off, len);
		off += len;
		clock += 40;
		if (rtp_parse(pkt, len, &h) == 0) {
			if (h.payload < pkt || h.payload + h.plen > pkt + len)
				abort();
			rtp_rx_update(&rx, &h, clock);
			if (h.pt == 101) {
				int n = rtp_event_rx_put(&er, &h, (uint64_t)clock * 125, ev);

				for (int i = 0; i < n; i++)
					if (!strchr("0123456789*#ABCD", ev[i].digit) || !ev[i].digit)
						abort();
			} else {
				jbuf_put(jb, h.ts, h.marker, h.payload, h.plen, clock);
			}
		}
		free(pkt);
		if (clock % 160 == 0)
			jbuf_get(jb, out, 0xd5);
		rtp_event_rx_tick(&er, (uint64_t)clock * 125, ev);
	}
	jbuf_get_stats(jb, &st);
	if (st.target < jc.min_delay || st.target > jc.max_delay || st.depth > JBUF_SAMPLES)
		abort();
	rtp_rx_fraction(&rx);
	jbuf_free(jb);
	return 0;
}
