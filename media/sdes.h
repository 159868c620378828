/*
 * sdes.h - SDES keys for SRTP: the a=crypto attribute of SDP (RFC 4568 section 4, 6.2) as pure functions.
 *
 * Value syntax: "<tag> <crypto-suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>] [params]".
 * Suites: AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32 (RFC 4568 6.2.1, 6.2.2): a 128-bit master
 * key and a 112-bit master salt (30 octets, 40 base64 characters); the RTP authentication tag is 80 or
 * 32 bits, SRTCP's is 80 bits for both.  One key per line (no MKI), no session parameters: a line with
 * an MKI, several keys or a session parameter (UNENCRYPTED_SRTP, KDR, ...) is -ENOTSUP, so that the
 * answerer picks another line or refuses.  Keys never reach a log: sdes_redact() writes a line without it.
 */
#ifndef SDES_H
#define SDES_H

#include <stddef.h>
#include <stdint.h>

#define SDES_KEY_LEN 30		/* master key (16) + master salt (14) */
#define SDES_VALUE_MAX 128	/* the longest value sdes_format writes, with its NUL */

enum sdes_suite {
	SDES_AES_CM_128_HMAC_SHA1_80 = 0,
	SDES_AES_CM_128_HMAC_SHA1_32,
	SDES_SUITE_COUNT,
};

struct sdes_key {
	int tag;			/* 1..999999999 */
	int suite;			/* enum sdes_suite */
	uint8_t key[SDES_KEY_LEN];	/* master key then master salt */
};

/* "AES_CM_128_HMAC_SHA1_80", ...; NULL out of range */
const char *sdes_suite_name(int suite);
/* the suite of a name (case-sensitive, as RFC 4568 registers them), -ENOTSUP */
int sdes_suite_parse(const char *name);
/* the SRTP authentication tag of the suite's RTP packets, in octets (10 or 4) */
int sdes_rtp_tag_len(int suite);

/* read an a=crypto value (without "a=crypto:"): 0; -EINVAL malformed (bad tag, key not base64, not 30
 * octets, lifetime or MKI syntax); -ENOTSUP an unknown suite, an MKI, more than one key, a session
 * parameter.  A lifetime is accepted when at least 2^31 packets (we never re-key within a call). */
int sdes_parse(const char *value, struct sdes_key *out);
/* write a value: its length, -ENOSPC, -EINVAL (tag or suite out of range) */
int sdes_format(const struct sdes_key *k, char *buf, size_t len);
/* the value with its key replaced by "inline:..." for logs (always terminated) */
void sdes_redact(const char *value, char *buf, size_t len);

/* RFC 4648 base64 of n octets (with padding): its length, -ENOSPC */
int sdes_base64_encode(const uint8_t *in, size_t n, char *out, size_t len);
/* decode text of tlen characters (padding optional at the end): octets written, -EINVAL, -ENOSPC */
int sdes_base64_decode(const char *text, size_t tlen, uint8_t *out, size_t len);

#endif
