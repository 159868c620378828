/*
 * trace.h - pcap capture files of signalling frames, readable by tshark while they are written.
 *
 * Classic pcap (microsecond time stamps, host byte order), one file per span.  The link type says
 * how tshark decodes the frames: 203 LAPD (Q.921 carrying Q.931, for PRI spans), 140 MTP2 without
 * pseudo-header (for ISUP spans).  Frames are written without their FCS octets.  These link types
 * have no direction field: sent and received frames are told apart by their contents only.
 * MTP2 fill-in (FISU, LI 0) and link status units (LSSU, LI 1-2) are left out: a signalling link
 * sends hundreds of them every second.  Each frame is written with one write(2), so a reader never
 * sees a half-buffered file.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_LINK_LAPD 203	/* DLT_LINUX_LAPD is 177; 203 is LAPD as in Q.921, address first */
#define TRACE_LINK_MTP2 140	/* MTP2 starting at BSN, no pseudo-header */

struct trace;

/* create (truncate) path and write the file header; 0 or -errno */
int trace_open(const char *path, int linktype, struct trace **out);
void trace_close(struct trace *t);

/* write one frame (no FCS) stamped with the wall clock; MTP2 fill-in is skipped (returns 0) */
int trace_frame(struct trace *t, const uint8_t *frame, size_t len);

/* 1 when an MTP2 frame is a FISU or an LSSU (LI below 3) */
int trace_mtp2_filler(const uint8_t *frame, size_t len);

/* frames written and skipped so far */
unsigned long trace_written(const struct trace *t);
unsigned long trace_skipped(const struct trace *t);

#endif
