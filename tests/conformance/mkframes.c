/*
 * mkframes.c - test-only: wrap the mapping library's raw parameter contents (gwmap sip2tdm output,
 * key=value lines on stdin) in a whole signalling frame, printed as one text2pcap line
 * "> 00:00:00.000000 HEX", so that tshark can decode what the library produced.
 *
 *   mkframes --isup   MTP2 MSU (link type 140, no FCS) carrying an ISUP IAM (ITU-T Q.703, Q.704, Q.763)
 *   mkframes --q931   LAPD I-frame (link type 203, no FCS) carrying a Q.931 SETUP (ITU-T Q.921, Q.931)
 *
 * Everything around the library's octets is a fixed template; only the parameters whose raw key
 * is present are written.  Exit status: 0, or 2 with a message on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "map_kv.h"

#define MKFRAMES_IN_MAX (64 * 1024)
#define MKFRAMES_FRAME_MAX 1024
#define MKFRAMES_EXIT_BAD 2

struct mkframes_frame {
	uint8_t b[MKFRAMES_FRAME_MAX];
	size_t len;
};

/* an optional parameter (ISUP) or information element (Q.931): code, key of its contents */
struct mkframes_elem {
	uint8_t code;
	const char *key;
};

static const struct mkframes_elem mkframes_isup_opt[] = {
	{ MAP_ISUP_CALLING_PARTY_NUMBER, "isup.calling_party_number" },
	{ MAP_ISUP_REDIRECTING_NUMBER, "isup.redirecting_number" },
	{ MAP_ISUP_ORIGINAL_CALLED_NUMBER, "isup.original_called_number" },
	{ MAP_ISUP_REDIRECTION_INFORMATION, "isup.redirection_information" },
	{ MAP_ISUP_CALL_DIVERSION_TREATMENT, "isup.call_diversion_treatment" },
	{ MAP_ISUP_USER_TO_USER, "isup.user_to_user" },
};

/* Q.931 4.5: variable-length information elements in ascending order of their identifiers */
static const struct mkframes_elem mkframes_q931_ie[] = {
	{ 0x1C, "qsig.facility" },	/* Facility: QSIG or ETSI DivertingLegInformation2 */
	{ 0x1C, "etsi.facility" },
	{ MAP_Q931_IE_CALLING_PARTY_NUMBER, "q931.calling_party_number" },
	{ MAP_Q931_IE_CALLED_PARTY_NUMBER, "q931.called_party_number" },
	{ MAP_Q931_IE_REDIRECTING_NUMBER, "q931.redirecting_number" },
	{ MAP_Q931_IE_USER_USER, "q931.user_user" },
};

static int mkframes_put(struct mkframes_frame *f, const uint8_t *buf, size_t len)
{
	if (f->len + len > sizeof(f->b)) {
		fprintf(stderr, "mkframes: frame longer than %d octets\n", MKFRAMES_FRAME_MAX);
		return -ENOSPC;
	}
	memcpy(f->b + f->len, buf, len);
	f->len += len;
	return 0;
}

static int mkframes_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the contents of key as octets: 1 found, 0 absent, -EINVAL not hex */
static int mkframes_raw(const struct map_kv *kv, const char *key, uint8_t *buf, size_t max, size_t *len)
{
	const char *v = NULL;
	size_t n, i;
	int k, hi, lo;

	for (k = 0; k < kv->n; k++)
		if (!strcmp(kv->e[k].key, key))
			v = kv->e[k].val;
	if (!v)
		return 0;
	n = strlen(v);
	if (n == 0 || n % 2 || n / 2 > max) {
		fprintf(stderr, "mkframes: %s: hex of odd length, empty or longer than %zu octets\n", key, max);
		return -EINVAL;
	}
	for (i = 0; i < n / 2; i++) {
		hi = mkframes_hexval((unsigned char)v[2 * i]);
		lo = mkframes_hexval((unsigned char)v[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "mkframes: %s: not hex: %s\n", key, v);
			return -EINVAL;
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 1;
}

/* code, length, contents of key when present (length octet: ISUP optional parameter, Q.931 IE) */
static int mkframes_elem(struct mkframes_frame *f, const struct map_kv *kv, const struct mkframes_elem *e)
{
	uint8_t buf[255], hdr[2];
	size_t len;
	int ret = mkframes_raw(kv, e->key, buf, sizeof(buf), &len);

	if (ret <= 0)
		return ret;
	hdr[0] = e->code;
	hdr[1] = (uint8_t)len;
	ret = mkframes_put(f, hdr, sizeof(hdr));
	return ret < 0 ? ret : mkframes_put(f, buf, len);
}

/*
 * MTP2 MSU (Q.703 2.2): BSN/BIB, FSN/FIB, LI (octets after it, 63 when more), then SIO 0x85
 * (national network, ISUP) and the ITU routing label (Q.704 2.2: DPC 1, OPC 2, SLS 0, 14-bit
 * point codes packed from the least significant bit).  ISUP IAM (Q.763 table 32): CIC 1, message
 * type, nature of connection indicators (none), forward call indicators (national, ISUP all the
 * way, originating access ISDN), calling party's category (ordinary subscriber), transmission
 * medium requirement (speech), pointers, called party number, optional part.
 */
static int mkframes_isup(const struct map_kv *kv, struct mkframes_frame *f)
{
	static const uint8_t head[] = {
		0x80, 0x80, 0x00,		/* BSN 0, FSN 0, LI patched below */
		0x85,				/* SIO */
		0x01, 0x80, 0x00, 0x00,		/* routing label */
		0x01, 0x00,			/* CIC */
		0x01,				/* IAM */
		0x00, 0x20, 0x01, 0x0a, 0x00,	/* NCI, FCI, CPC, TMR */
	};
	uint8_t called[255], ptr[3], end = 0x00;
	size_t called_len, i, opt_start;
	int ret;

	ret = mkframes_raw(kv, "isup.called_party_number", called, sizeof(called), &called_len);
	if (ret <= 0) {
		if (!ret)
			fprintf(stderr, "mkframes: isup.called_party_number missing\n");
		return -EINVAL;
	}
	ret = mkframes_put(f, head, sizeof(head));
	ptr[0] = 2;				/* from this pointer to the called party number's length */
	ptr[1] = 0;				/* optional part: patched when there is one */
	ptr[2] = (uint8_t)called_len;
	if (!ret)
		ret = mkframes_put(f, ptr, sizeof(ptr));
	if (!ret)
		ret = mkframes_put(f, called, called_len);
	opt_start = f->len;
	for (i = 0; !ret && i < sizeof(mkframes_isup_opt) / sizeof(mkframes_isup_opt[0]); i++)
		ret = mkframes_elem(f, kv, &mkframes_isup_opt[i]);
	if (!ret && f->len > opt_start) {
		f->b[sizeof(head) + 1] = (uint8_t)(called_len + 2);
		ret = mkframes_put(f, &end, 1);
	}
	if (ret)
		return ret;
	f->b[2] = (uint8_t)(f->len - 3 > 63 ? 63 : f->len - 3);
	return 0;
}

/*
 * LAPD I-frame (Q.921 2.3, 3.4): SAPI 0 (call control), C/R 0 (command from the user side), TEI 0,
 * N(S) 0, N(R) 0.  Q.931 SETUP: protocol discriminator 0x08, 2-octet call reference 1 (PRI),
 * bearer capability (speech, circuit mode 64 kbit/s, G.711 A-law), then the numbers and user-user.
 */
static int mkframes_q931(const struct map_kv *kv, struct mkframes_frame *f)
{
	static const uint8_t head[] = {
		0x00, 0x01, 0x00, 0x00,		/* address, control */
		0x08, 0x02, 0x00, 0x01, 0x05,	/* discriminator, call reference, SETUP */
		0x04, 0x03, 0x80, 0x90, 0xa3,	/* bearer capability */
	};
	size_t i;
	int ret = mkframes_put(f, head, sizeof(head));

	for (i = 0; !ret && i < sizeof(mkframes_q931_ie) / sizeof(mkframes_q931_ie[0]); i++)
		ret = mkframes_elem(f, kv, &mkframes_q931_ie[i]);
	return ret;
}

int main(int argc, char **argv)
{
	static char in[MKFRAMES_IN_MAX + 1];
	static struct map_kv kv;
	struct mkframes_frame f = { .len = 0 };
	struct map_diag d;
	char hex[2 * MKFRAMES_FRAME_MAX + 1];
	size_t n;
	int ret;

	if (argc != 2 || (strcmp(argv[1], "--isup") && strcmp(argv[1], "--q931"))) {
		fprintf(stderr, "usage: mkframes --isup|--q931 < gwmap-sip2tdm-output\n");
		return MKFRAMES_EXIT_BAD;
	}
	n = fread(in, 1, MKFRAMES_IN_MAX + 1, stdin);
	if (ferror(stdin) || n > MKFRAMES_IN_MAX) {
		fprintf(stderr, "mkframes: cannot read standard input, or longer than %d octets\n", MKFRAMES_IN_MAX);
		return MKFRAMES_EXIT_BAD;
	}
	in[n] = '\0';
	map_diag_init(&d);
	if (map_kv_parse(&kv, in, "<stdin>", &d) < 0) {
		fprintf(stderr, "mkframes: %s\n", map_diag_first(&d, MAP_DIAG_ERROR));
		return MKFRAMES_EXIT_BAD;
	}
	ret = strcmp(argv[1], "--isup") ? mkframes_q931(&kv, &f) : mkframes_isup(&kv, &f);
	if (ret < 0)
		return MKFRAMES_EXIT_BAD;
	map_kv_hex(hex, sizeof(hex), f.b, f.len);
	printf("> 00:00:00.000000 %s\n", hex);
	return 0;
}
