/*
 * trace.c - classic pcap writer for signalling frames (LAPD 203, MTP2 140).
 *
 * File format: the pcap file header (magic a1b2c3d4 in host order, version 2.4, snaplen, link type)
 * then one record header (seconds, microseconds, captured and original length) per frame.
 * MTP2 (Q.703 clause 2.2): octet 3 holds the length indicator in its low six bits; LI 0 is a fill-in
 * signal unit, LI 1 or 2 a link status signal unit, 3 and above a message signal unit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define TRACE_SNAPLEN 65535
#define TRACE_REC_MAX 4096	/* record header + the largest frame we write whole */

struct trace {
	int fd;
	int linktype;
	unsigned long written, skipped;
};

struct trace_filehdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct trace_rechdr {
	uint32_t sec, usec, caplen, len;
};

static int trace_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int trace_open(const char *path, int linktype, struct trace **out)
{
	struct trace_filehdr h = { .magic = 0xa1b2c3d4, .major = 2, .minor = 4, .snaplen = TRACE_SNAPLEN,
				   .linktype = (uint32_t)linktype };
	struct trace *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->linktype = linktype;
	t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (t->fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = trace_write_all(t->fd, &h, sizeof(h));
	if (rc < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	trace_close(t);
	return rc;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int trace_mtp2_filler(const uint8_t *frame, size_t len)
{
	return len >= 3 && (frame[2] & 0x3f) < 3;
}

int trace_frame(struct trace *t, const uint8_t *frame, size_t len)
{
	uint8_t rec[TRACE_REC_MAX];
	struct trace_rechdr h;
	struct timespec ts;

	if (t->linktype == TRACE_LINK_MTP2 && trace_mtp2_filler(frame, len)) {
		t->skipped++;
		return 0;
	}
	if (len > sizeof(rec) - sizeof(h))
		len = sizeof(rec) - sizeof(h);
	clock_gettime(CLOCK_REALTIME, &ts);
	h.sec = (uint32_t)ts.tv_sec;
	h.usec = (uint32_t)(ts.tv_nsec / 1000);
	h.caplen = h.len = (uint32_t)len;
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), frame, len);
	t->written++;
	return trace_write_all(t->fd, rec, sizeof(h) + len);
}

unsigned long trace_written(const struct trace *t)
{
	return t->written;
}

unsigned long trace_skipped(const struct trace *t)
{
	return t->skipped;
}
