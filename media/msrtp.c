/*
 * msrtp.c - SRTP/SRTCP protection of a call leg through libsrtp2 (RFC 3711 3.3, 3.4).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "msrtp.h"

#define MSRTP_WINDOW 128

_Static_assert(MSRTP_OVERHEAD >= SRTP_MAX_TRAILER_LEN + 4, "room for what libsrtp2 may write after a packet");

struct msrtp {
	srtp_t tx, rx;
	struct msrtp_stats st;
};

static pthread_once_t msrtp_once = PTHREAD_ONCE_INIT;
static int msrtp_init_status;

static void msrtp_init(void)
{
	msrtp_init_status = srtp_init() == srtp_err_status_ok ? 0 : -EIO;
}

/* one direction's session keyed with k: 0, -EINVAL, -EIO */
static int msrtp_session(const struct sdes_key *k, int outbound, srtp_t *out)
{
	srtp_policy_t p;
	unsigned char key[SDES_KEY_LEN];
	int ret;

	memset(&p, 0, sizeof(p));
	switch (k->suite) {
	case SDES_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
		break;
	case SDES_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
		break;
	default:
		return -EINVAL;
	}
	/* SRTCP keeps the 80-bit tag with either suite (RFC 4568 6.2.2) */
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	memcpy(key, k->key, sizeof(key));
	p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	p.key = key;
	p.window_size = MSRTP_WINDOW;
	p.next = NULL;
	ret = srtp_create(out, &p) == srtp_err_status_ok ? 0 : -EIO;
	memset(key, 0, sizeof(key));
	return ret;
}

int msrtp_new(const struct sdes_key *tx, const struct sdes_key *rx, struct msrtp **out)
{
	struct msrtp *s;
	int ret;

	*out = NULL;
	pthread_once(&msrtp_once, msrtp_init);
	if (msrtp_init_status < 0)
		return msrtp_init_status;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = msrtp_session(tx, 1, &s->tx);
	if (!ret)
		ret = msrtp_session(rx, 0, &s->rx);
	if (ret < 0) {
		msrtp_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void msrtp_free(struct msrtp *s)
{
	if (!s)
		return;
	if (s->tx)
		srtp_dealloc(s->tx);
	if (s->rx)
		srtp_dealloc(s->rx);
	free(s);
}

int msrtp_set_rx(struct msrtp *s, const struct sdes_key *rx)
{
	srtp_t n = NULL;
	int ret = msrtp_session(rx, 0, &n);

	if (ret < 0)
		return ret;
	if (s->rx)
		srtp_dealloc(s->rx);
	s->rx = n;
	return 0;
}

static int msrtp_status(struct msrtp *s, srtp_err_status_t e)
{
	switch (e) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
	case srtp_err_status_bad_param:
		s->st.auth_fail++;
		return -EBADMSG;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		s->st.replay++;
		return -EALREADY;
	default:
		s->st.other_fail++;
		return -EIO;
	}
}

static int msrtp_protect(struct msrtp *s, uint8_t *pkt, size_t *len, size_t cap, int rtcp)
{
	int n = (int)*len, ret;

	if (*len + MSRTP_OVERHEAD > cap || *len > 65535)
		return -ENOSPC;
	ret = msrtp_status(s, rtcp ? srtp_protect_rtcp(s->tx, pkt, &n) : srtp_protect(s->tx, pkt, &n));
	if (ret < 0)
		return ret == -EBADMSG ? -EIO : ret;
	*len = (size_t)n;
	if (rtcp)
		s->st.protected_rtcp++;
	else
		s->st.protected_rtp++;
	return 0;
}

int msrtp_protect_rtp(struct msrtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return msrtp_protect(s, pkt, len, cap, 0);
}

int msrtp_protect_rtcp(struct msrtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return msrtp_protect(s, pkt, len, cap, 1);
}

static int msrtp_unprotect(struct msrtp *s, uint8_t *pkt, size_t *len, int rtcp)
{
	int n = (int)*len, ret;

	/* the shortest: an RTP header and a 4-octet tag; an RTCP header, SSRC, index and a 10-octet tag */
	if (*len < (rtcp ? 22u : 16u) || *len > 65535) {
		s->st.auth_fail++;
		return -EBADMSG;
	}
	ret = msrtp_status(s, rtcp ? srtp_unprotect_rtcp(s->rx, pkt, &n) : srtp_unprotect(s->rx, pkt, &n));
	if (ret < 0)
		return ret;
	*len = (size_t)n;
	if (rtcp)
		s->st.unprotected_rtcp++;
	else
		s->st.unprotected_rtp++;
	return 0;
}

int msrtp_unprotect_rtp(struct msrtp *s, uint8_t *pkt, size_t *len)
{
	return msrtp_unprotect(s, pkt, len, 0);
}

int msrtp_unprotect_rtcp(struct msrtp *s, uint8_t *pkt, size_t *len)
{
	return msrtp_unprotect(s, pkt, len, 1);
}

void msrtp_get_stats(const struct msrtp *s, struct msrtp_stats *st)
{
	*st = s->st;
}
