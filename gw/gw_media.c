/*
 * gw_media.c - a call's media: RTP (RFC 3550) on a UDP port pair <-> G.711 on the B-channel.
 *
 * The formats and the signal processing are media/'s (g711, rtp, rtp_event, jbuf, dtmf); this file
 * owns the sockets, the B-channel descriptor, the two clocks and the logs (see gw_media.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dtmf.h"
#include "g711.h"
#include "gw_conf.h"
#include "gw_media.h"
#include "jbuf.h"
#include "log.h"
#include "msrtp.h"
#include "sip_tp.h"
#include "rtcp.h"
#include "rtp.h"
#include "rtp_event.h"
#include "sdes.h"

#define MEDIA_FRAME_MAX 240		/* samples of a 30 ms packet */
#define MEDIA_FIFO (8 * MEDIA_FRAME_MAX)	/* B-channel octets kept for TDM -> IP */
#define MEDIA_PKT_MAX 1500
#define MEDIA_RTCP_MS 5000
#define MEDIA_STALL_FRAMES 5		/* the writer this late starts again from now */
#define MEDIA_TONE_QUEUE 16		/* digits from IP waiting to be played */
#define MEDIA_TONE_MIN_MS 40		/* Q.24: shortest tone and pause */
#define MEDIA_GAP_MS 40
#define MEDIA_TONE_MAX_MS 5000		/* a digit whose end never came stops here */

#define MLOG(lvl, m, fmt, ...) log_write(lvl, "media", "%s: " fmt, (m)->name, ##__VA_ARGS__)

struct gw_media {
	struct ev_loop *loop;
	char name[32];
	struct gw_media_cbs cbs;
	void *arg;
	int ptime_ms, samples;		/* samples per packet (8 per ms) */
	int timeout_ms;
	int answered;

	int rtp_fd, rtcp_fd, port;
	struct sockaddr_storage peer;	/* where RTP goes; moved by symmetric RTP */
	socklen_t peer_len;
	int have_peer, latched;
	struct gw_media_remote remote;
	int have_remote;

	int bearer_fd, law;		/* the B-channel and its enum g711_law; -1 = none */
	int clocked;			/* it runs on a card's clock: written as it is read */
	uint8_t fifo[MEDIA_FIFO];
	size_t fifo_len;
	struct ev_timer writer;		/* IP -> TDM, every ptime */
	uint64_t next_write_us;

	struct rtp_tx tx;
	struct rtp_rx rx;
	struct jbuf *jb;
	struct rtp_event_tx evtx;	/* digits heard on the B-channel, toward IP */
	struct rtp_event_rx evrx;	/* digits from IP */
	struct dtmf_det det;
	struct dtmf_gen gen;		/* tones toward the B-channel */
	/* digits from IP, played on the B-channel in turn: each at least MEDIA_TONE_MIN_MS with a pause of
	 * MEDIA_GAP_MS after it (Q.24), for the duration the events give, however they arrived (a burst) */
	char tq_digit[MEDIA_TONE_QUEUE];
	int tq_frames[MEDIA_TONE_QUEUE];	/* -1: until its end event */
	int tq_n;
	int tone_left;			/* frames still to play of the tone on, -1: until its end event */
	int tone_played;		/* frames played of it */
	int gap_left;			/* frames of pause still due */

	uint64_t last_rx_us;
	int timed_out;
	struct ev_timer rtcp_timer;	/* our reports, every MEDIA_RTCP_MS (randomised 0.5-1.5, RFC 3550 6.2) */
	struct sockaddr_storage peer_rtcp;
	uint32_t last_sr;		/* the far end's last SR (NTP middle bits) and when it came */
	uint64_t last_sr_us;
	long rtt_us;			/* from its last report on our stream, -1 none */
	int far_fraction;		/* what it said of our stream: fraction lost (0..255), jitter */
	uint32_t far_jitter;
	struct gw_media_stats st;

	struct msrtp *srtp;		/* SRTP (RFC 3711) with these SDES keys; NULL = plain RTP */
	struct sdes_key key_tx, key_rx;
};

/* ---- addresses ---- */

/* "ip:port" of a socket address, for logs */
static void media_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	sip_tp_addr_text(ss, ip, sizeof(ip), &port);
	snprintf(buf, len, "%s:%d", ip, port);
}

static int media_bind(const char *ip, int port, int *fd_out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, ret = sip_tp_sockaddr(ip, port, &ss, &len);

	if (ret < 0)
		return ret;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
}

/* an even port and the next one, from *cursor on, wrapping once through [min, max] */
static int media_ports(struct gw_media *m, int *cursor, const struct gw_media_opts *o)
{
	int first = o->port_min + (o->port_min % 2), last = o->port_max - 1, n = (last - first) / 2 + 1;
	int port = *cursor >= first && *cursor <= last ? *cursor - (*cursor - first) % 2 : first, ret = -EADDRINUSE;

	for (int i = 0; i < n; i++, port = port + 2 > last ? first : port + 2) {
		ret = media_bind(o->ip, port, &m->rtp_fd);
		if (ret == -EADDRINUSE)
			continue;
		if (ret < 0)
			return ret;
		ret = media_bind(o->ip, port + 1, &m->rtcp_fd);
		if (ret == 0) {
			m->port = port;
			*cursor = port + 2 > last ? first : port + 2;
			return 0;
		}
		close(m->rtp_fd);
		m->rtp_fd = -1;
		if (ret != -EADDRINUSE)
			return ret;
	}
	return ret;
}

/* RTCP goes to the port after the far end's RTP port (RFC 3550 11) */
static void media_rtcp_peer(struct gw_media *m)
{
	m->peer_rtcp = m->peer;
	if (m->peer.ss_family == AF_INET)
		((struct sockaddr_in *)&m->peer_rtcp)->sin_port =
			htons((uint16_t)(ntohs(((struct sockaddr_in *)&m->peer)->sin_port) + 1));
	else
		((struct sockaddr_in6 *)&m->peer_rtcp)->sin6_port =
			htons((uint16_t)(ntohs(((struct sockaddr_in6 *)&m->peer)->sin6_port) + 1));
}

/* ---- IP -> TDM ---- */

/* RTP comes from elsewhere than the SDP said (a NAT): send there from now on (symmetric RTP) */
static void media_latch(struct gw_media *m, const struct sockaddr_storage *src, socklen_t len)
{
	char was[80], now[80];

	if (m->latched)
		return;
	m->latched = 1;
	if (m->have_peer && len == m->peer_len && !memcmp(src, &m->peer, len))
		return;
	media_addr_str(&m->peer, was, sizeof(was));
	media_addr_str(src, now, sizeof(now));
	MLOG(LOG_LVL_INFO, m, "RTP comes from %s, not %s: sent there (symmetric RTP)", now, m->have_peer ? was : "-");
	memcpy(&m->peer, src, len);
	m->peer_len = len;
	media_rtcp_peer(m);
	m->have_peer = 1;
}

static int media_frames(const struct gw_media *m, int ms)
{
	return (ms + m->ptime_ms - 1) / m->ptime_ms;
}

/* an RFC 4733 event from IP: a digit queued for the B-channel, or the length of one queued or on */
static void media_digit_to_tdm(struct gw_media *m, const struct rtp_event_rx_ev *ev)
{
	int frames = media_frames(m, ev->ms < MEDIA_TONE_MIN_MS ? MEDIA_TONE_MIN_MS : ev->ms);

	if (ev->type == RTP_EVENT_RX_START) {
		if (m->tq_n < MEDIA_TONE_QUEUE) {
			m->tq_digit[m->tq_n] = ev->digit;
			m->tq_frames[m->tq_n++] = -1;
		}
		return;
	}
	if (m->gen.active && m->tone_left < 0 && m->gen.digit == ev->digit)
		m->tone_left = frames > m->tone_played ? frames - m->tone_played : 0;
	else if (m->tq_n && m->tq_digit[m->tq_n - 1] == ev->digit && m->tq_frames[m->tq_n - 1] < 0)
		m->tq_frames[m->tq_n - 1] = frames;
	m->st.digits_to_tdm++;
	if (m->cbs.digit)
		m->cbs.digit(m->arg, ev->digit, ev->ms, 1);
}

/* the tone (if any) for the next frame: 1 with lin filled */
static int media_tone_frame(struct gw_media *m, int16_t *lin, int n)
{
	if (!m->gen.active && m->gap_left > 0) {
		m->gap_left--;
		return 0;
	}
	if (!m->gen.active && m->tq_n) {
		dtmf_gen_start(&m->gen, m->tq_digit[0]);
		m->tone_left = m->tq_frames[0];
		m->tone_played = 0;
		memmove(m->tq_digit, m->tq_digit + 1, (size_t)(m->tq_n - 1));
		memmove(m->tq_frames, m->tq_frames + 1, (size_t)(m->tq_n - 1) * sizeof(int));
		m->tq_n--;
	}
	if (!m->gen.active)
		return 0;
	dtmf_gen_fill(&m->gen, lin, (size_t)n);
	m->tone_played++;
	if (m->tone_left > 0)
		m->tone_left--;
	if (m->tone_left == 0 || m->tone_played >= media_frames(m, MEDIA_TONE_MAX_MS)) {
		dtmf_gen_stop(&m->gen);
		m->gap_left = media_frames(m, MEDIA_GAP_MS);
	}
	return 1;
}

static void media_rtp_in(struct gw_media *m, uint8_t *buf, size_t len, const struct sockaddr_storage *src,
			 socklen_t slen)
{
	struct rtp_event_rx_ev ev[RTP_EVENT_RX_MAX];
	struct rtp_hdr h;
	uint64_t now = ev_now_us();
	int n;

	if (!m->have_remote || (m->latched && (slen != m->peer_len || memcmp(src, &m->peer, slen)))) {
		m->st.bad++;	/* once the far end is known, nobody else speaks into the call */
		return;
	}
	/* SRTP: authenticated before anything of it is believed (the latch included) */
	if ((m->srtp && msrtp_unprotect_rtp(m->srtp, buf, &len) < 0) || rtp_parse(buf, len, &h) < 0 ||
	    (h.pt != m->remote.pt && h.pt != m->remote.te_pt)) {
		m->st.bad++;
		return;
	}
	media_latch(m, src, slen);
	m->last_rx_us = now;
	m->st.rtp_rx++;
	rtp_rx_update(&m->rx, &h, (uint32_t)(now / 125));
	if (h.pt == m->remote.te_pt) {
		n = rtp_event_rx_put(&m->evrx, &h, now, ev);
		for (int i = 0; i < n; i++)
			media_digit_to_tdm(m, &ev[i]);
		return;
	}
	jbuf_put(m->jb, h.ts, h.marker, h.payload, h.plen, (uint32_t)(now / 125));
}

static void media_rtp_readable(void *arg, int fd, short revents)
{
	struct gw_media *m = arg;
	uint8_t buf[MEDIA_PKT_MAX];
	struct sockaddr_storage src;

	(void)revents;
	for (int i = 0; i < 16; i++) {
		socklen_t slen = sizeof(src);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&src, &slen);

		if (n < 0)
			return;
		media_rtp_in(m, buf, (size_t)n, &src, slen);
	}
}

static uint64_t media_wall_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* the far end's reports: its SR (for our LSR/DLSR), its report on our stream (round trip, loss) */
static void media_rtcp_readable(void *arg, int fd, short revents)
{
	struct gw_media *m = arg;
	uint8_t buf[MEDIA_PKT_MAX];
	struct rtcp_in in;

	(void)revents;
	for (int i = 0; i < 8; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			return;
		size_t len = (size_t)n;

		if ((m->srtp && msrtp_unprotect_rtcp(m->srtp, buf, &len) < 0) ||
		    rtcp_parse(buf, len, m->tx.ssrc, &in) < 0) {
			m->st.bad++;
			continue;
		}
		m->st.rtcp_rx++;
		m->last_rx_us = ev_now_us();
		if (in.sr) {
			m->last_sr = in.last_sr;
			m->last_sr_us = m->last_rx_us;
		}
		if (in.report) {
			m->rtt_us = rtcp_rtt_us(&in, media_wall_us());
			m->far_fraction = in.fraction;
			m->far_jitter = in.jitter;
		}
	}
}

static void media_rtcp_send(void *arg)
{
	struct gw_media *m = arg;
	struct rtcp_out o = { .tx = &m->tx, .rx = &m->rx, .cname = m->name, .ntp_us = media_wall_us(),
			      .now_ts = m->tx.ts, .last_sr = m->last_sr, .last_sr_us = m->last_sr_us,
			      .now_us = ev_now_us() };
	uint8_t pkt[MEDIA_PKT_MAX + MSRTP_OVERHEAD];
	uint32_t r;
	size_t len;
	int n;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)o.now_us;
	ev_timer_start(m->loop, &m->rtcp_timer, MEDIA_RTCP_MS / 2 + r % MEDIA_RTCP_MS);
	if (!m->have_peer)
		return;
	n = rtcp_compose(&o, pkt, MEDIA_PKT_MAX);
	if (n <= 0)
		return;
	len = (size_t)n;
	if (m->srtp && msrtp_protect_rtcp(m->srtp, pkt, &len, sizeof(pkt)) < 0)
		return;
	if (sendto(m->rtcp_fd, pkt, len, 0, (struct sockaddr *)&m->peer_rtcp, m->peer_len) == (ssize_t)len)
		m->st.rtcp_tx++;
}

/* one frame toward the B-channel: a DTMF tone, the jitter buffer's audio, or silence */
static void media_write_frame(struct gw_media *m)
{
	uint8_t out[MEDIA_FRAME_MAX], under[MEDIA_FRAME_MAX];
	int16_t lin[MEDIA_FRAME_MAX];
	struct rtp_event_rx_ev ev;
	int n = m->samples;

	if (rtp_event_rx_tick(&m->evrx, ev_now_us(), &ev))
		media_digit_to_tdm(m, &ev);
	if (media_tone_frame(m, lin, n)) {
		g711_encode_buf(m->law, lin, out, (size_t)n);
		jbuf_get(m->jb, under, 0);	/* the audio under the tone is dropped */
	} else if (jbuf_get(m->jb, out, g711_silence(m->remote.codec == 0 ? G711_ULAW : G711_ALAW))) {
		g711_transcode(m->remote.codec == 0 ? G711_ULAW : G711_ALAW, m->law, out, (size_t)n);
	} else {
		memset(out, g711_silence(m->law), (size_t)n);
		m->st.tdm_underruns += m->answered && m->have_remote && m->remote.recv;
	}
	if (write(m->bearer_fd, out, (size_t)n) == n)
		m->st.tdm_tx_frames++;
}

static void media_check_timeout(struct gw_media *m, uint64_t now)
{
	if (!m->answered || m->timeout_ms <= 0 || !m->have_remote || !m->remote.recv || m->timed_out ||
	    now - m->last_rx_us <= (uint64_t)m->timeout_ms * 1000)
		return;
	m->timed_out = 1;
	MLOG(LOG_LVL_NOTICE, m, "no RTP for %llu ms", (unsigned long long)((now - m->last_rx_us) / 1000));
	if (m->cbs.timeout)
		m->cbs.timeout(m->arg, (unsigned long)((now - m->last_rx_us) / 1000));
}

static void media_writer(void *arg)
{
	struct gw_media *m = arg;
	uint64_t now = ev_now_us(), step = (uint64_t)m->ptime_ms * 1000;

	if (m->clocked) {
		/* the B-channel's reads pace the writes: only the media timeout is looked at here */
		ev_timer_start(m->loop, &m->writer, 500);
		media_check_timeout(m, now);
		return;
	}
	/* absolute deadlines, so no drift; after a stall start again from now */
	if (now > m->next_write_us + MEDIA_STALL_FRAMES * step)
		m->next_write_us = now;
	while (m->next_write_us <= now && m->bearer_fd >= 0) {
		media_write_frame(m);
		m->next_write_us += step;
	}
	if (m->bearer_fd >= 0)
		ev_timer_start_us(m->loop, &m->writer, m->next_write_us - now);
	media_check_timeout(m, now);	/* last: the owner may free the session */
}

/* ---- TDM -> IP ---- */

/* pkt has MSRTP_OVERHEAD octets of room after len for SRTP's tag */
static void media_send(struct gw_media *m, uint8_t *pkt, int len)
{
	size_t n = len > 0 ? (size_t)len : 0;

	if (!n || (m->srtp && msrtp_protect_rtp(m->srtp, pkt, &n, (size_t)len + MSRTP_OVERHEAD) < 0))
		return;
	if (sendto(m->rtp_fd, pkt, n, 0, (struct sockaddr *)&m->peer, m->peer_len) == (ssize_t)n)
		m->st.rtp_tx++;
}

/* digits heard in one frame of B-channel audio */
static void media_detect(struct gw_media *m, const int16_t *lin, int n)
{
	struct dtmf_event ev[4];
	int nev = dtmf_det_feed(&m->det, lin, (size_t)n, ev, 4);
	int events = m->remote.dtmf == GW_DTMF_RFC4733 && m->remote.te_pt >= 0;

	for (int i = 0; i < nev; i++) {
		if (ev[i].type == DTMF_EV_START) {
			if (events)
				rtp_event_tx_start(&m->evtx, ev[i].digit, m->tx.ts);
			continue;
		}
		if (events)
			rtp_event_tx_stop(&m->evtx);
		m->st.digits_to_ip++;
		if (m->cbs.digit)
			m->cbs.digit(m->arg, ev[i].digit, ev[i].ms, 0);
	}
}

/* one ptime of B-channel audio: an RFC 4733 packet while a digit is on, else the audio */
static void media_tx_frame(struct gw_media *m, const uint8_t *frame)
{
	uint8_t pkt[MEDIA_PKT_MAX + MSRTP_OVERHEAD], payload[MEDIA_FRAME_MAX];
	int16_t lin[MEDIA_FRAME_MAX];
	int n = m->samples, codec;

	g711_decode_buf(m->law, frame, lin, (size_t)n);
	media_detect(m, lin, n);
	if (!m->have_peer || !m->remote.send)
		return;
	if (rtp_event_tx_active(&m->evtx)) {
		media_send(m, pkt, rtp_event_tx_packet(&m->evtx, &m->tx, m->remote.te_pt, (uint32_t)n, pkt, MEDIA_PKT_MAX));
		return;
	}
	codec = m->remote.codec == 0 ? G711_ULAW : G711_ALAW;
	memcpy(payload, frame, (size_t)n);
	g711_transcode(m->law, codec, payload, (size_t)n);
	media_send(m, pkt, rtp_tx_packet(&m->tx, m->remote.pt, payload, (size_t)n, (uint32_t)n, pkt, MEDIA_PKT_MAX));
}

static void media_bearer_readable(void *arg, int fd, short revents)
{
	struct gw_media *m = arg;
	size_t frame = (size_t)m->samples, off = 0;

	(void)revents;
	for (int i = 0; i < 16; i++) {
		ssize_t n;

		if (m->fifo_len + 1024 > sizeof(m->fifo)) {
			/* nobody took the audio for a while: the oldest goes */
			memmove(m->fifo, m->fifo + frame, m->fifo_len - frame);
			m->fifo_len -= frame;
		}
		n = read(fd, m->fifo + m->fifo_len, sizeof(m->fifo) - m->fifo_len);
		if (n <= 0)
			break;
		m->fifo_len += (size_t)n;
		m->st.tdm_rx_frames++;
	}
	while (m->fifo_len - off >= frame) {
		media_tx_frame(m, m->fifo + off);
		if (m->clocked)
			media_write_frame(m);	/* a frame out for each frame in: the card's clock, no slip */
		off += frame;
	}
	memmove(m->fifo, m->fifo + off, m->fifo_len - off);
	m->fifo_len -= off;
}

/* ---- the session ---- */

int gw_media_new(struct ev_loop *loop, int *cursor, const struct gw_media_opts *o, const struct gw_media_cbs *cbs,
		 void *arg, struct gw_media **out)
{
	struct gw_media *m = calloc(1, sizeof(*m));
	struct jbuf_conf jc;
	uint32_t seed[3];
	int ret;

	if (!m)
		return -ENOMEM;
	m->loop = loop;
	snprintf(m->name, sizeof(m->name), "%s", o->name ? o->name : "media");
	if (cbs)
		m->cbs = *cbs;
	m->arg = arg;
	m->ptime_ms = o->ptime_ms == 10 || o->ptime_ms == 30 ? o->ptime_ms : 20;
	m->samples = 8 * m->ptime_ms;
	m->timeout_ms = o->timeout_ms;
	m->rtp_fd = m->rtcp_fd = m->bearer_fd = -1;
	ev_timer_init(&m->writer, media_writer, m);
	ev_timer_init(&m->rtcp_timer, media_rtcp_send, m);
	m->rtt_us = -1;
	if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		seed[0] = seed[1] = seed[2] = (uint32_t)ev_now_us();
	rtp_tx_init(&m->tx, seed[0], (uint16_t)seed[1], seed[2]);
	rtp_rx_init(&m->rx);
	rtp_event_tx_init(&m->evtx);
	rtp_event_rx_init(&m->evrx);
	dtmf_det_init(&m->det);
	dtmf_gen_init(&m->gen, -8.0, -6.0);
	jc.frame = m->samples;
	jc.min_delay = 8 * o->jitter_min_ms;
	jc.max_delay = 8 * (o->jitter_max_ms > o->jitter_min_ms ? o->jitter_max_ms : o->jitter_min_ms);
	ret = jbuf_new(&jc, &m->jb);
	if (!ret)
		ret = media_ports(m, cursor, o);
	if (!ret)
		ret = ev_fd_add(loop, m->rtp_fd, POLLIN, media_rtp_readable, m);
	if (!ret)
		ret = ev_fd_add(loop, m->rtcp_fd, POLLIN, media_rtcp_readable, m);
	if (ret < 0) {
		gw_media_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void gw_media_free(struct gw_media *m)
{
	struct gw_media_stats st;

	if (!m)
		return;
	gw_media_get_stats(m, &st);
	if (st.rtp_tx || st.rtp_rx)
		MLOG(LOG_LVL_INFO, m, "RTP sent %lu, received %lu, lost %lu, late %lu, jitter %d ms, buffer %d ms; "
		     "B-channel frames in %lu out %lu, underruns %lu; DTMF to SIP %lu, to TDM %lu", st.rtp_tx, st.rtp_rx,
		     st.lost, st.late, st.jitter_ms, st.delay_ms, st.tdm_rx_frames, st.tdm_tx_frames,
		     st.tdm_underruns, st.digits_to_ip, st.digits_to_tdm);
	if (st.rtcp_rx)
		MLOG(LOG_LVL_INFO, m, "RTCP sent %lu, received %lu: the far end lost %.1f %% of our stream, jitter %u, "
		     "round trip %ld us", st.rtcp_tx, st.rtcp_rx, m->far_fraction * 100.0 / 256, m->far_jitter, m->rtt_us);
	if (m->srtp) {
		struct msrtp_stats ss;

		msrtp_get_stats(m->srtp, &ss);
		MLOG(LOG_LVL_INFO, m, "SRTP %s: protected %lu RTP %lu RTCP, unprotected %lu RTP %lu RTCP; refused: %lu "
		     "failed authentication, %lu replayed", sdes_suite_name(m->key_tx.suite), ss.protected_rtp,
		     ss.protected_rtcp, ss.unprotected_rtp, ss.unprotected_rtcp, ss.auth_fail, ss.replay);
		msrtp_free(m->srtp);
	}
	ev_timer_stop(m->loop, &m->rtcp_timer);
	gw_media_set_bearer(m, -1, 0, 0);
	if (m->rtp_fd >= 0) {
		ev_fd_del(m->loop, m->rtp_fd);
		close(m->rtp_fd);
	}
	if (m->rtcp_fd >= 0) {
		ev_fd_del(m->loop, m->rtcp_fd);
		close(m->rtcp_fd);
	}
	jbuf_free(m->jb);
	free(m);
}

int gw_media_port(const struct gw_media *m)
{
	return m->port;
}

/* SRTP keys of an offer/answer: the first turn SRTP on; later ones may re-key what the far end sends (ours
 * never change within a call).  0, -EINVAL (a key unreadable, the two suites differ), -EPROTO (SRTP
 * turned off, or our key changed, within a call), -EIO */
static int media_keys(struct gw_media *m, const struct gw_media_remote *r)
{
	struct sdes_key tx, rx;
	char red[SDES_VALUE_MAX];
	int ret;

	if (!r->key_local && !r->key_remote)
		return m->srtp ? -EPROTO : 0;
	if (!r->key_local || !r->key_remote || sdes_parse(r->key_local, &tx) < 0 || sdes_parse(r->key_remote, &rx) < 0 ||
	    tx.suite != rx.suite)
		return -EINVAL;
	if (!m->srtp) {
		ret = msrtp_new(&tx, &rx, &m->srtp);
		if (ret < 0)
			return ret;
		m->key_tx = tx;
		m->key_rx = rx;
		sdes_redact(r->key_remote, red, sizeof(red));
		MLOG(LOG_LVL_INFO, m, "SRTP %s (RFC 3711), SDES keys: ours tag %d, the far end's %s",
		     sdes_suite_name(tx.suite), tx.tag, red);
		return 0;
	}
	if (memcmp(tx.key, m->key_tx.key, sizeof(tx.key)) || tx.suite != m->key_tx.suite)
		return -EPROTO;
	if (!memcmp(rx.key, m->key_rx.key, sizeof(rx.key)))
		return 0;
	ret = msrtp_set_rx(m->srtp, &rx);
	if (ret < 0)
		return ret;
	m->key_rx = rx;
	MLOG(LOG_LVL_INFO, m, "SRTP: the far end keyed its stream again (tag %d)", rx.tag);
	return 0;
}

int gw_media_new_key(int suite, int tag, char *buf, size_t len)
{
	struct sdes_key k = { .tag = tag, .suite = suite };
	int ret;

	if (getrandom(k.key, sizeof(k.key), 0) != sizeof(k.key))
		return -EIO;
	ret = sdes_format(&k, buf, len);
	memset(&k, 0, sizeof(k));
	return ret < 0 ? ret : 0;
}

int gw_media_srtp(const struct gw_media *m)
{
	return m->srtp != NULL;
}

int gw_media_set_remote(struct gw_media *m, const struct gw_media_remote *r)
{
	char addr[80];
	int ret;

	if ((r->codec != 0 && r->codec != 8) || r->pt < 0 || r->pt > 127)
		return -EINVAL;
	ret = media_keys(m, r);
	if (ret < 0)
		return ret;
	if (m->have_remote && !strcmp(r->ip, m->remote.ip) && r->port == m->remote.port && r->pt == m->remote.pt &&
	    r->codec == m->remote.codec && r->te_pt == m->remote.te_pt && r->send == m->remote.send &&
	    r->recv == m->remote.recv && r->dtmf == m->remote.dtmf)
		return 0;	/* the same session again (a 183 then the 200 with the same SDP) */
	ret = sip_tp_sockaddr(r->ip, r->port, &m->peer, &m->peer_len);
	if (ret < 0)
		return ret;
	m->remote = *r;
	m->remote.key_local = m->remote.key_remote = NULL;	/* kept in m->key_tx/rx */
	m->have_remote = 1;
	m->have_peer = r->port > 0;
	media_rtcp_peer(m);
	if (!ev_timer_armed(&m->rtcp_timer))
		ev_timer_start(m->loop, &m->rtcp_timer, MEDIA_RTCP_MS);
	m->latched = 0;
	if (!m->last_rx_us)
		m->last_rx_us = ev_now_us();
	media_addr_str(&m->peer, addr, sizeof(addr));
	MLOG(LOG_LVL_INFO, m, "%s %d <-> %s %s/%d%s%s, telephone-event %d, DTMF %s, ptime %d ms",
	     m->srtp ? "SRTP" : "RTP", m->port, addr, r->codec ? "PCMA" : "PCMU", r->pt, r->send ? " send" : "",
	     r->recv ? " recv" : "", r->te_pt, r->dtmf == GW_DTMF_INBAND ? "in-band" : "rfc4733", m->ptime_ms);
	return 0;
}

int gw_media_set_bearer(struct gw_media *m, int fd, int law, int clocked)
{
	int ret;

	if (m->bearer_fd >= 0) {
		ev_fd_del(m->loop, m->bearer_fd);
		ev_timer_stop(m->loop, &m->writer);
		m->bearer_fd = -1;
	}
	m->fifo_len = 0;
	if (fd < 0)
		return 0;
	ret = ev_fd_add(m->loop, fd, POLLIN, media_bearer_readable, m);
	if (ret < 0)
		return ret;
	m->bearer_fd = fd;
	m->law = law == 1 ? G711_ULAW : G711_ALAW;
	m->clocked = clocked;
	m->next_write_us = ev_now_us();
	if (clocked) {
		/* two frames ahead of the card, so that its first reads of us find audio */
		media_write_frame(m);
		media_write_frame(m);
	}
	ev_timer_start(m->loop, &m->writer, 0);
	MLOG(LOG_LVL_DEBUG, m, "B-channel audio in %s%s", m->law == G711_ULAW ? "u-law" : "A-law",
	     clocked ? ", on the card's clock" : "");
	return 0;
}

void gw_media_answered(struct gw_media *m)
{
	m->answered = 1;
	m->last_rx_us = ev_now_us();
}

void gw_media_get_stats(const struct gw_media *m, struct gw_media_stats *st)
{
	struct jbuf_stats js;
	long lost = rtp_rx_lost(&m->rx);

	jbuf_get_stats(m->jb, &js);
	*st = m->st;
	st->lost = lost > 0 ? (unsigned long)lost : 0;
	st->late = js.late;
	st->dup = m->rx.dups;
	st->jitter_ms = (int)(m->rx.jitter / 8);
	st->delay_ms = js.target / 8;
}
