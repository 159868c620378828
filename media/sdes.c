/*
 * sdes.c - the a=crypto attribute (RFC 4568): suites, key parameters, base64 (RFC 4648 section 4).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdes.h"

static const struct {
	const char *name;
	int tag_len;
} sdes_suites[SDES_SUITE_COUNT] = {
	[SDES_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 10 },
	[SDES_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 4 },
};

/* the shortest key lifetime taken: 2^20 packets are 5.8 hours of 20 ms packets, longer than any call
 * we carry (a call is never re-keyed) */
#define SDES_LIFETIME_MIN (1UL << 20)
#define SDES_TAG_MAX 999999999L

const char *sdes_suite_name(int suite)
{
	return suite >= 0 && suite < SDES_SUITE_COUNT ? sdes_suites[suite].name : NULL;
}

int sdes_suite_parse(const char *name)
{
	for (int i = 0; i < SDES_SUITE_COUNT; i++)
		if (!strcmp(name, sdes_suites[i].name))
			return i;
	return -ENOTSUP;
}

int sdes_rtp_tag_len(int suite)
{
	return suite >= 0 && suite < SDES_SUITE_COUNT ? sdes_suites[suite].tag_len : 0;
}

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sdes_base64_encode(const uint8_t *in, size_t n, char *out, size_t len)
{
	size_t need = (n + 2) / 3 * 4, o = 0;

	if (len < need + 1)
		return -ENOSPC;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int sdes_base64_decode(const char *text, size_t tlen, uint8_t *out, size_t len)
{
	uint32_t acc = 0;
	size_t o = 0, pad = 0, bits = 0;

	while (tlen && text[tlen - 1] == '=' && pad < 2) {
		tlen--;
		pad++;
	}
	if ((tlen + pad) % 4 == 1 || (pad && (tlen + pad) % 4))
		return -EINVAL;
	for (size_t i = 0; i < tlen; i++) {
		int v = b64_value(text[i]);

		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= len)
				return -ENOSPC;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc)		/* bits left over must be zero (RFC 4648 3.5: a canonical encoding) */
		return -EINVAL;
	return (int)o;
}

/* ---- a=crypto ---- */

/* "2^N" or a decimal count of packets: 0, -EINVAL, -ENOTSUP (shorter than we take) */
static int sdes_lifetime(const char *s, size_t n)
{
	char buf[24], *end;
	unsigned long v;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!strncmp(buf, "2^", 2)) {
		if (!isdigit((unsigned char)buf[2]))
			return -EINVAL;
		v = strtoul(buf + 2, &end, 10);
		if (*end || v > 63)
			return -EINVAL;
		return v >= 20 ? 0 : -ENOTSUP;
	}
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	v = strtoul(buf, &end, 10);
	if (*end)
		return -EINVAL;
	return v >= SDES_LIFETIME_MIN ? 0 : -ENOTSUP;
}

/* the key-info after "inline:": "<base64>[|lifetime][|mki:len]", n characters */
static int sdes_key_info(const char *s, size_t n, struct sdes_key *out)
{
	const char *bar = memchr(s, '|', n);
	size_t klen = bar ? (size_t)(bar - s) : n;
	int ret;

	if (memchr(s, ';', n))
		return -ENOTSUP;	/* several keys */
	ret = sdes_base64_decode(s, klen, out->key, sizeof(out->key));
	if (ret == -ENOSPC || (ret >= 0 && ret != SDES_KEY_LEN))
		return -EINVAL;
	if (ret < 0)
		return ret;
	while (bar) {
		const char *f = bar + 1, *next = memchr(f, '|', n - (size_t)(f - s));
		size_t flen = next ? (size_t)(next - f) : n - (size_t)(f - s);

		if (memchr(f, ':', flen))
			return -ENOTSUP;	/* an MKI: one key per stream here */
		ret = sdes_lifetime(f, flen);
		if (ret < 0)
			return ret;
		bar = next;
	}
	return 0;
}

int sdes_parse(const char *value, struct sdes_key *out)
{
	char suite[40];
	const char *p = value, *key, *end;
	char *e;
	long tag;
	int n = 0;

	if (!value || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	tag = strtol(p, &e, 10);
	if (e - p > 9 || tag > SDES_TAG_MAX || *e != ' ')
		return -EINVAL;
	out->tag = (int)tag;
	if (sscanf(e, " %39[A-Za-z0-9_]%n", suite, &n) != 1 || (e[n] != ' ' && e[n] != '\t'))
		return -EINVAL;
	out->suite = sdes_suite_parse(suite);
	if (out->suite < 0)
		return -ENOTSUP;
	key = e + n;
	while (*key == ' ' || *key == '\t')
		key++;
	if (strncmp(key, "inline:", 7))
		return -EINVAL;		/* "inline" is the only key method (RFC 4568 6.1) */
	key += 7;
	end = key + strcspn(key, " \t\r\n");
	for (const char *q = end; *q; q++)
		if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
			return -ENOTSUP;	/* a session parameter */
	return sdes_key_info(key, (size_t)(end - key), out);
}

int sdes_format(const struct sdes_key *k, char *buf, size_t len)
{
	char key[48];
	int n;

	if (!k || !sdes_suite_name(k->suite) || k->tag < 0 || k->tag > SDES_TAG_MAX)
		return -EINVAL;
	sdes_base64_encode(k->key, sizeof(k->key), key, sizeof(key));
	n = snprintf(buf, len, "%d %s inline:%s", k->tag, sdes_suite_name(k->suite), key);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

void sdes_redact(const char *value, char *buf, size_t len)
{
	const char *in = value ? strstr(value, "inline:") : NULL;
	size_t pre;

	if (!len)
		return;
	if (!value) {
		buf[0] = '\0';
		return;
	}
	pre = in ? (size_t)(in - value) + 7 : strlen(value);
	snprintf(buf, len, "%.*s%s", (int)pre, value, in ? "..." : "");
}
