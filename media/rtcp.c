/*
 * rtcp.c - RTCP SR/RR with SDES CNAME, and reading the far end's reports (RFC 3550 6.4, 6.5, A.3).
 */
#include <errno.h>
#include <string.h>

#include "rtcp.h"

#define NTP_UNIX_OFFSET 2208988800ULL	/* seconds from 1900 to 1970 */

static void rtcp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rtcp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 64-bit NTP time: seconds since 1900 . fraction */
static uint64_t rtcp_ntp(uint64_t ntp_us)
{
	uint64_t sec = ntp_us / 1000000 + NTP_UNIX_OFFSET, frac = ((ntp_us % 1000000) << 32) / 1000000;

	return sec << 32 | frac;
}

uint32_t rtcp_ntp_mid(uint64_t ntp_us)
{
	return (uint32_t)(rtcp_ntp(ntp_us) >> 16);
}

/* one report block on rx (6.4.1) at p: 24 octets */
static void rtcp_block(const struct rtcp_out *o, uint8_t *p)
{
	struct rtp_rx *rx = o->rx;
	long lost = rtp_rx_lost(rx);
	uint32_t dlsr = 0;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	rtcp_put32(p, rx->ssrc);
	rtcp_put32(p + 4, (uint32_t)rtp_rx_fraction(rx) << 24 | ((uint32_t)lost & 0xffffff));
	rtcp_put32(p + 8, rtp_rx_ext_max(rx));
	rtcp_put32(p + 12, (uint32_t)rx->jitter);
	rtcp_put32(p + 16, o->last_sr);
	if (o->last_sr && o->now_us > o->last_sr_us)
		dlsr = (uint32_t)(((o->now_us - o->last_sr_us) << 16) / 1000000);	/* 1/65536 s */
	rtcp_put32(p + 20, dlsr);
}

int rtcp_compose(const struct rtcp_out *o, uint8_t *buf, size_t len)
{
	int sr = o->tx->packets > 0, rc = o->rx && o->rx->active && !o->rx->probation;
	size_t n = 8 + (sr ? 20 : 0) + (rc ? 24 : 0), cl = o->cname ? strlen(o->cname) : 0, sdes;

	if (cl > 255)
		cl = 255;
	sdes = (4 + 4 + 2 + cl + 1 + 3) & ~(size_t)3;	/* header, SSRC, CNAME item, END, padded */
	if (len < n + sdes)
		return -ENOSPC;
	memset(buf, 0, n + sdes);
	buf[0] = (uint8_t)(0x80 | rc);
	buf[1] = sr ? RTCP_SR : RTCP_RR;
	buf[2] = (uint8_t)((n / 4 - 1) >> 8);
	buf[3] = (uint8_t)(n / 4 - 1);
	rtcp_put32(buf + 4, o->tx->ssrc);
	if (sr) {
		uint64_t ntp = rtcp_ntp(o->ntp_us);

		rtcp_put32(buf + 8, (uint32_t)(ntp >> 32));
		rtcp_put32(buf + 12, (uint32_t)ntp);
		rtcp_put32(buf + 16, o->now_ts);
		rtcp_put32(buf + 20, (uint32_t)o->tx->packets);
		rtcp_put32(buf + 24, (uint32_t)o->tx->octets);
	}
	if (rc)
		rtcp_block(o, buf + (sr ? 28 : 8));
	buf[n] = 0x81;
	buf[n + 1] = RTCP_SDES;
	buf[n + 2] = (uint8_t)((sdes / 4 - 1) >> 8);
	buf[n + 3] = (uint8_t)(sdes / 4 - 1);
	rtcp_put32(buf + n + 4, o->tx->ssrc);
	buf[n + 8] = 1;		/* CNAME */
	buf[n + 9] = (uint8_t)cl;
	memcpy(buf + n + 10, o->cname ? o->cname : "", cl);
	return (int)(n + sdes);
}

/* the report blocks of an SR/RR body (count rc at p, end at e) */
static int rtcp_blocks(const uint8_t *p, const uint8_t *e, int rc, uint32_t our_ssrc, struct rtcp_in *in)
{
	if (p + 24 * (size_t)rc > e)
		return -EBADMSG;
	for (int i = 0; i < rc; i++, p += 24) {
		if (rtcp_get32(p) != our_ssrc)
			continue;
		in->report = 1;
		in->fraction = p[4];
		in->lost = (int32_t)(rtcp_get32(p + 4) << 8) >> 8;
		in->jitter = rtcp_get32(p + 12);
		in->lsr = rtcp_get32(p + 16);
		in->dlsr = rtcp_get32(p + 20);
	}
	return 0;
}

static void rtcp_sdes(const uint8_t *p, const uint8_t *e, struct rtcp_in *in)
{
	p += 8;		/* the header and the first chunk's SSRC */
	while (p + 2 <= e && p[0]) {
		size_t l = p[1];

		if (p + 2 + l > e)
			return;
		if (p[0] == 1 && !in->cname[0]) {
			size_t k = l < sizeof(in->cname) - 1 ? l : sizeof(in->cname) - 1;

			memcpy(in->cname, p + 2, k);
			in->cname[k] = '\0';
		}
		p += 2 + l;
	}
}

int rtcp_parse(const uint8_t *buf, size_t len, uint32_t our_ssrc, struct rtcp_in *in)
{
	const uint8_t *p = buf, *end = buf + len;

	memset(in, 0, sizeof(*in));
	if (len < 8)
		return -EBADMSG;
	while (p + 4 <= end) {
		size_t plen = 4 * ((size_t)(p[2] << 8 | p[3]) + 1);
		const uint8_t *e = p + plen;
		int rc = p[0] & 0x1f;

		if ((p[0] >> 6) != 2 || e > end || plen < 8)
			return -EBADMSG;
		if (p[1] == RTCP_SR) {
			if (plen < 28 || rtcp_blocks(p + 28, e, rc, our_ssrc, in) < 0)
				return -EBADMSG;
			in->sr = 1;
			in->sender_ssrc = rtcp_get32(p + 4);
			in->last_sr = (uint32_t)(rtcp_get32(p + 8) << 16 | rtcp_get32(p + 12) >> 16);
		} else if (p[1] == RTCP_RR) {
			if (rtcp_blocks(p + 8, e, rc, our_ssrc, in) < 0)
				return -EBADMSG;
			in->sender_ssrc = rtcp_get32(p + 4);
		} else if (p[1] == RTCP_SDES && rc) {
			rtcp_sdes(p, e, in);
		} else if (p[1] == RTCP_BYE) {
			in->bye = 1;
		}
		p = e;
	}
	return p == end ? 0 : -EBADMSG;
}

long rtcp_rtt_us(const struct rtcp_in *in, uint64_t ntp_us)
{
	uint32_t a = rtcp_ntp_mid(ntp_us), rtt;

	if (!in->report || !in->lsr)
		return -1;
	rtt = a - in->lsr - in->dlsr;	/* 1/65536 s */
	if (rtt > 0x7fffffff)
		return 0;
	return (long)(((uint64_t)rtt * 1000000) >> 16);
}
