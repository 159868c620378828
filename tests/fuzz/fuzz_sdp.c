/*
 * fuzz_sdp.c - libFuzzer target: any bytes as an SDP offer, through gw_sdp_parse and, when parsed,
 * gw_sdp_answer and gw_sdp_check_answer, the SRTP policy (gw_sdp_sec_answer) and every a=crypto line
 * through media/sdes (parse, then format and parse back the same key).  Built and run by "make fuzz".
 *
 * The body is handed over in a buffer of exactly its length (no NUL after it).  Checked besides
 * memory safety: a refused body says why; what is parsed keeps its promises (counts in range,
 * strings terminated); an answer is either refused with -ENOTSUP/-ENOSPC or fits the buffer, is
 * terminated, chose PCMU or PCMA, and parses back as an answer the offer's side can check.
 * With FUZZ_SEED_DIR set, the seeds below are written there first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "gw_sdp.h"
#include "sdes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seeds[] = {
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n",
	"v=0\no=- 2 2 IN IP6 ::1\ns=-\nt=0 0\nm=video 5000 RTP/AVP 31\nm=audio 4002 RTP/AVP 96 97 18\n"
	"c=IN IP6 ::1\na=rtpmap:96 PCMA/8000\na=rtpmap:97 telephone-event/8000\na=rtpmap:18 G729/8000\na=sendonly\n",
	"v=0\r\no=- 3 3 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=image 6000 udptl t38\r\n"
	"m=audio 0 RTP/AVP 8\r\na=inactive\r\nm=audio 4004 RTP/SAVP 0\r\na=recvonly\r\n",
	"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 65535 RTP/AVP 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\n",
	"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31\r\n",
};

/* SRTP: the policy says something coherent for each leg kind; each a=crypto line either is refused or
 * is a key that writes and reads back the same */
static void fuzz_srtp(const struct gw_sdp *s)
{
	char buf[SDES_VALUE_MAX], red[40];
	struct sdes_key k, back;

	for (int tls = 0; tls < 2; tls++)
		for (int policy = GW_SDP_SRTP_OFF; policy <= GW_SDP_SRTP_REQUIRED; policy++) {
			const char *why = (const char *)1;
			int line = -9, sec = gw_sdp_sec_answer(s, tls, policy, &line, &why);

			if ((sec == GW_SDP_SEC_REFUSE) != (why != NULL) || (sec == GW_SDP_SEC_SRTP &&
			    (!tls || policy == GW_SDP_SRTP_OFF || line < 0 || line >= s->ncrypto)))
				abort();
		}
	for (int i = 0; i < s->ncrypto && i < GW_SDP_CRYPTO; i++) {
		if (!memchr(s->crypto[i], 0, sizeof(s->crypto[i])))
			abort();
		sdes_redact(s->crypto[i], red, sizeof(red));
		if (sdes_parse(s->crypto[i], &k) < 0)
			continue;
		if (sdes_format(&k, buf, sizeof(buf)) < 0 || sdes_parse(buf, &back) != 0 || memcmp(&k, &back, sizeof(k)))
			abort();
	}
}

static void fuzz_write_seeds(void)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		fuzz_seed_write("sdp", i, seeds[i], strlen(seeds[i]));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_write_seeds();
	return 0;
}

static void fuzz_parsed_ok(const struct gw_sdp *s)
{
	if (s->nfmt < 0 || s->nfmt > GW_SDP_FMTS || memchr(s->ip, 0, sizeof(s->ip)) == NULL)
		abort();
	if (s->dir < GW_SDP_SENDRECV || s->dir > GW_SDP_INACTIVE || s->port < 0 || s->port > 65535)
		abort();
	if (s->nmedia < 0 || s->audio < 0 || (s->nmedia && s->audio >= s->nmedia))
		abort();
	for (int i = 0; i < s->nmedia && i < GW_SDP_MEDIA; i++)
		if (!memchr(s->media[i], 0, sizeof(s->media[i])))
			abort();
	for (int i = 0; i < s->nfmt; i++)
		if (s->map[i] < GW_SDP_MAP_NONE || s->map[i] > GW_SDP_MAP_OTHER)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gw_sdp_local local = { .ip = "127.0.0.1", .port = 41000, .sess_id = 12345, .sess_ver = 1 };
	char err[256], small[8], buf[GW_SDP_MAX], tiny[64];
	struct gw_sdp offer, back;
	char *body = malloc(size ? size : 1);
	int rc, chosen = -1, chosen2 = -1;

	if (!body)
		return 0;
	memcpy(body, data, size);
	memset(&offer, 0xa5, sizeof(offer));
	err[0] = 0;
	rc = gw_sdp_parse(body, size, &offer, err, sizeof(err));
	if (rc < 0) {
		if (rc != -EINVAL || !err[0])
			abort();
		/* the same body, other room for the message */
		if (gw_sdp_parse(body, size, &offer, small, sizeof(small)) != rc ||
		    gw_sdp_parse(body, size, &offer, NULL, 0) != rc)
			abort();
		free(body);
		return 0;
	}
	fuzz_parsed_ok(&offer);
	fuzz_srtp(&offer);
	rc = gw_sdp_answer(&offer, &local, buf, sizeof(buf), &chosen);
	if (rc < 0) {
		if (rc != -ENOTSUP && rc != -ENOSPC)
			abort();
	} else {
		if ((size_t)rc >= sizeof(buf) || strlen(buf) != (size_t)rc || (chosen != 0 && chosen != 8))
			abort();
		if (gw_sdp_parse(buf, (size_t)rc, &back, err, sizeof(err)) != 0)
			abort();	/* our own answer must parse */
		if (gw_sdp_check_answer(&back, back.savp, &chosen2) != 0 || chosen2 != chosen)
			abort();
		/* no room: refused, never overrun */
		rc = gw_sdp_answer(&offer, &local, tiny, sizeof(tiny), &chosen);
		if (rc >= (int)sizeof(tiny))
			abort();
	}
	gw_sdp_check_answer(&offer, offer.savp, &chosen2);
	free(body);
	return 0;
}
