/*
 * gw_sdp.h - SDP offer/answer (RFC 4566, RFC 3264) for G.711 calls: pure functions.
 *
 * The gateway offers and answers PCMU (0), PCMA (8) and telephone-event (RFC 4733, dynamic type,
 * 101 in offers); an answer keeps the offer's order of the codecs it supports and its
 * telephone-event type; nothing acceptable -> -ENOTSUP (the call layer answers 488).  SRTP (RFC 3711)
 * is the RTP/SAVP profile with SDES keys in a=crypto lines (RFC 4568): the parser keeps them raw for
 * media/sdes; an RTP/SAVP stream is taken only when the body has no RTP/AVP audio stream, and
 * answered only with a crypto line of ours (else -ENOTSUP: 488).  a=crypto lines on an RTP/AVP stream
 * offer SRTP at best effort (as Microsoft's endpoints do, [MS-SDPEXT] a=crypto with RTP/AVP): answered
 * with our key on the same profile, or ignored.  gw_sdp_sec_answer() is the policy: keys only over TLS.
 */
#ifndef GW_SDP_H
#define GW_SDP_H

#include <stddef.h>

struct sdes_key;

#define GW_SDP_MAX 2048
#define GW_SDP_FMTS 16
#define GW_SDP_MEDIA 8		/* m= lines of a body we can answer */
#define GW_SDP_CRYPTO 4		/* a=crypto lines kept */
#define GW_SDP_CRYPTO_LEN 256	/* the longest a=crypto value kept (longer ones are skipped) */

enum gw_sdp_dir {
	GW_SDP_SENDRECV = 0,
	GW_SDP_SENDONLY,
	GW_SDP_RECVONLY,
	GW_SDP_INACTIVE,
};

/* what an a=rtpmap line says fmt[i] is; 0 = no rtpmap (a static type means its RFC 3551 codec) */
enum gw_sdp_map {
	GW_SDP_MAP_NONE = 0,
	GW_SDP_MAP_PCMU,	/* PCMU/8000 */
	GW_SDP_MAP_PCMA,	/* PCMA/8000 */
	GW_SDP_MAP_TE,		/* telephone-event/8000 */
	GW_SDP_MAP_OTHER,	/* any other codec or rate */
};

struct gw_sdp {
	char ip[64];		/* c= address (session or first audio media) */
	int port;		/* audio m= port; 0 = rejected/held stream */
	int fmt[GW_SDP_FMTS];	/* payload types of the audio m= line, in order */
	int nfmt;
	int te_pt;		/* telephone-event payload type, -1 none */
	int dir;		/* enum gw_sdp_dir */
	int ptime;		/* a=ptime, 0 = not given */
	int savp;		/* the audio stream is RTP/SAVP (SRTP) */
	char crypto[GW_SDP_CRYPTO][GW_SDP_CRYPTO_LEN];	/* its a=crypto values ("1 AES_CM_... inline:...") */
	int ncrypto;
	/* for dynamic G.711 types and answers with every m= line (RFC 3264 6); a struct zeroed and filled
	 * by hand (fmt, nfmt, te_pt, ...) means what it says without them */
	int map[GW_SDP_FMTS];	/* enum gw_sdp_map of fmt[i] */
	int nmedia;		/* m= lines of the body; 0 = only the audio one known */
	int audio;		/* the index among them of the audio stream above */
	char media[GW_SDP_MEDIA][64];	/* each m= line rejected, "video 0 RTP/AVP 31", for the answer */
};

/* local side */
struct gw_sdp_local {
	const char *ip;
	int port;
	unsigned long sess_id, sess_ver;
	int ptime;		/* a=ptime we write; 0 = 20 */
	const char *crypto;	/* our a=crypto value (an answer carries it only if the offer had keys); NULL none */
	int savp;		/* an offer's profile: RTP/SAVP (needs crypto), else RTP/AVP (answers: the offer's) */
	int dir;		/* enum gw_sdp_dir of an offer (answers take the offer's, RFC 3264 6.1) */
};

/* the payload type s uses for codec (0 PCMU, 8 PCMA: maybe a dynamic type), -1 none */
int gw_sdp_pt(const struct gw_sdp *s, int codec);
/* "sendrecv", "sendonly", "recvonly", "inactive" */
const char *gw_sdp_dir_name(int dir);
/* parse an SDP body; 0, or -EINVAL (no audio m= line, malformed line: err names the line) */
int gw_sdp_parse(const char *body, size_t len, struct gw_sdp *out, char *err, size_t errlen);
/* write our offer (PCMU, PCMA, telephone-event 101): length, or -ENOSPC */
int gw_sdp_offer(const struct gw_sdp_local *local, char *buf, size_t len);
/* answer an offer: length, -ENOTSUP (no G.711 in the offer, an RTP/SAVP offer and no local->crypto, our
 * key for an offer without keys), -ENOSPC; *chosen = the codec: 0 PCMU, 8 PCMA (the payload type in the
 * answer is the offer's, dynamic or not).  The profile is the offer's. */
int gw_sdp_answer(const struct gw_sdp *offer, const struct gw_sdp_local *local, char *buf, size_t len,
		  int *chosen);
/* check an answer to our offer (savp: we offered RTP/SAVP): 0 with *chosen, or -ENOTSUP (no G.711; another
 * profile than ours; RTP/SAVP without a crypto line) */
int gw_sdp_check_answer(const struct gw_sdp *answer, int savp, int *chosen);

/* the first a=crypto line of s that media/sdes reads and supports, with this tag and of this suite (enum
 * sdes_suite; -1: any tag, any suite): its index with *out (may be NULL), -ENOENT */
int gw_sdp_crypto_pick(const struct gw_sdp *s, int tag, int suite, struct sdes_key *out);

/* the SRTP policy of a leg (the values of enum gw_srtp) */
enum { GW_SDP_SRTP_OFF = 0, GW_SDP_SRTP_OPTIONAL, GW_SDP_SRTP_REQUIRED };
enum gw_sdp_sec {
	GW_SDP_SEC_RTP = 0,	/* answer plain RTP (keys of a best-effort offer ignored) */
	GW_SDP_SEC_SRTP,	/* answer with our key for a=crypto line *line */
	GW_SDP_SEC_REFUSE,	/* 488, *why says why */
};
/*
 * What an offer's security gets on a leg: tls (the leg's transport is TLS), policy (GW_SDP_SRTP_*).
 * SDES keys are taken only over TLS with srtp optional or required; an RTP/SAVP offer is refused
 * otherwise (SDES over UDP/TCP, srtp = off, no supported line), plain RTP is refused with srtp = required.
 * Returns enum gw_sdp_sec; *line = the a=crypto line taken (-1), *why = a refusal's reason (NULL).
 */
int gw_sdp_sec_answer(const struct gw_sdp *offer, int tls, int policy, int *line, const char **why);

#endif
