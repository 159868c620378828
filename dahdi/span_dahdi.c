/*
 * span_dahdi.c - DAHDI backend: the signalling channel and bearer channels of a span configured by
 * dahdi_cfg (system.conf dchan= / bchan=), through /dev/dahdi/channel.
 *
 * D-channel: open, DAHDI_SPECIFY the channel number, DAHDI_GET_PARAMS (it must be an HDLC channel;
 * chan_alarms gives the alarm state at open), DAHDI_SET_BUFINFO (immediate policy).  A read returns
 * one HDLC frame followed by its two FCS octets, which are stripped; a write takes the frame and two
 * octets of room where the driver puts the FCS.  When an event is pending, read and write fail with
 * ELAST and DAHDI_GETEVENT fetches it (also on POLLPRI): ALARM / NOALARM set the span's alarm;
 * BADFCS, ABORT and OVERRUN are frames lost on receive (also when every receive buffer was full).
 * On dahdi_dynamic spans the driver raises red alarm when nothing arrived for a second (peer span
 * destroyed) and clears it on the next message; DAHDI_MAINT (dahdi_maint) is not supported there.
 *
 * The driver paces the channel at the line rate, so span.c does not (span_dahdi_ops.paced = 0).
 * A frame written within a few milliseconds of opening the channel is usually lost (DAHDI's dynamic
 * loopback spans in qemu: 7 of 10 with the far end long open, tests/tdm/qemu/dahdi_smoke open), which
 * costs LAPD a T200 (1 s) at start: frames wait SPAN_DAHDI_SETTLE_US after the open (-EAGAIN, then a
 * timer kicks the queue).  A frame arriving just after our own open is lost too; the far end resends.
 *
 * Bearer channels: open, DAHDI_SPECIFY, DAHDI_SET_BLOCKSIZE 160 (20 ms of G.711), DAHDI_AUDIOMODE.
 */
#include <dahdi/user.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "span_int.h"

#define SPAN_DAHDI_DEV "/dev/dahdi/channel"
#define SPAN_DAHDI_CTL "/dev/dahdi/ctl"
/* DAHDI's most buffers (DAHDI_MAX_NUM_BUFS) at DAHDI_MAX_BUF_SPACE: when every receive buffer is
 * full the driver stops deframing and the frames around it arrive as bad FCS or abort, so a reader
 * late by 16 MTP2 fill-in frames (12 ms) was losing frames; 32 give it 24 ms */
#define SPAN_DAHDI_NUMBUFS 32
#define SPAN_DAHDI_BUFSIZE 1024	/* frame + FCS: a longer write is cut by the driver, so refused here */
#define SPAN_DAHDI_BLOCKSIZE 160
#define SPAN_DAHDI_FCS 2
#define SPAN_DAHDI_BURST 64
#define SPAN_DAHDI_SETTLE_US 50000	/* no frame written before the channel has been open this long */

struct span_dahdi {
	int fd;			/* the D-channel */
	int bfd[TDM_CHANS_MAX];	/* bearer channels by conf.bchan index, -1 = closed */
	int pos[TDM_CHANS_MAX];	/* their timeslots in the DAHDI span (chanpos): Q.931 channel numbers */
	uint64_t tx_from_us;	/* open + SPAN_DAHDI_SETTLE_US */
	struct ev_timer settle;	/* kicks the transmit queue at tx_from_us */
};

static const char span_dahdi_dev[] = SPAN_DAHDI_DEV;

/* open /dev/dahdi/channel as channel chan; -errno, with the failing step in *what */
static int span_dahdi_open_chan(int chan, const char **what)
{
	int fd = open(span_dahdi_dev, O_RDWR | O_NONBLOCK | O_CLOEXEC), rc;

	*what = span_dahdi_dev;
	if (fd < 0)
		return -errno;
	*what = "DAHDI_SPECIFY";
	if (ioctl(fd, DAHDI_SPECIFY, &chan) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void span_dahdi_event(struct span *span, int ev)
{
	switch (ev) {
	case DAHDI_EVENT_ALARM:
		span_be_alarm(span, 1);
		break;
	case DAHDI_EVENT_NOALARM:
		span_be_alarm(span, 0);
		break;
	case DAHDI_EVENT_REMOVED:
		/* the device went away (hot unplug, span unassigned): the line is gone for good */
		LOGE("span", "span %s: channel %d: DAHDI device removed", span->conf.name, span->conf.dchan);
		span_be_alarm(span, 1);
		break;
	case DAHDI_EVENT_BADFCS:
		span_be_rx_dropped(span, "bad FCS");
		break;
	case DAHDI_EVENT_ABORT:
		span_be_rx_dropped(span, "HDLC abort");
		break;
	case DAHDI_EVENT_OVERRUN:
		span_be_rx_dropped(span, "overrun");
		break;
	default:
		LOGD("span", "span %s: DAHDI event %d ignored", span->conf.name, ev);
		break;
	}
}

static void span_dahdi_events(struct span *span)
{
	struct span_dahdi *dp = span->priv;
	int ev = DAHDI_EVENT_NONE;

	for (int i = 0; i < 16 && !span->closed; i++) {
		if (ioctl(dp->fd, DAHDI_GETEVENT, &ev) < 0 || ev == DAHDI_EVENT_NONE)
			return;
		span_dahdi_event(span, ev);
	}
}

static void span_dahdi_read(struct span *span)
{
	uint8_t buf[SPAN_FRAME_MAX + SPAN_DAHDI_FCS];

	for (int i = 0; i < SPAN_DAHDI_BURST && !span->closed; i++) {
		struct span_dahdi *dp = span->priv;
		ssize_t n = read(dp->fd, buf, sizeof(buf));

		if (n < 0 && errno == ELAST) {
			span_dahdi_events(span);
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				LOGW("span", "span %s: read: %s", span->conf.name, strerror(errno));
			return;
		}
		if (n <= SPAN_DAHDI_FCS)
			span_be_rx_dropped(span, "runt frame");
		else
			span_be_rx(span, buf, (size_t)n - SPAN_DAHDI_FCS);
	}
}

static void span_dahdi_fd_cb(void *arg, int fd, short revents)
{
	struct span *span = arg;

	span_be_hold(span);
	if (revents & POLLPRI)
		span_dahdi_events(span);
	if (!span->closed && (revents & POLLOUT)) {
		ev_fd_mod(span->loop, fd, POLLIN | POLLPRI);
		span_be_kick(span);
	}
	if (!span->closed && (revents & (POLLIN | POLLERR | POLLHUP)))
		span_dahdi_read(span);
	span_be_unhold(span);
}

/* the channel has settled after its open: frames may go */
static void span_dahdi_settle_cb(void *arg)
{
	struct span *span = arg;

	span_be_hold(span);
	span_be_kick(span);
	span_be_unhold(span);
}

static int span_dahdi_send_raw(struct span *span, const uint8_t *frame, size_t len)
{
	struct span_dahdi *dp = span->priv;
	uint8_t buf[SPAN_FRAME_MAX + SPAN_DAHDI_FCS];
	uint64_t now = ev_now_us();
	ssize_t n = -1;

	if (len + SPAN_DAHDI_FCS > SPAN_DAHDI_BUFSIZE)
		return -EMSGSIZE;
	if (now < dp->tx_from_us) {
		ev_timer_start_us(span->loop, &dp->settle, dp->tx_from_us - now);
		return -EAGAIN;
	}
	memcpy(buf, frame, len);
	memset(buf + len, 0, SPAN_DAHDI_FCS);	/* room for the FCS the driver computes */
	for (int tries = 0; tries < 2; tries++) {
		n = write(dp->fd, buf, len + SPAN_DAHDI_FCS);
		if (n == (ssize_t)(len + SPAN_DAHDI_FCS))
			return 0;
		if (n >= 0)
			return -EIO;
		if (errno != ELAST)
			break;
		span_dahdi_events(span);	/* an event was pending: fetch it and write again */
		if (span->alarm)
			return -ENETDOWN;
	}
	if (n < 0 && errno == EAGAIN) {
		ev_fd_mod(span->loop, dp->fd, POLLIN | POLLPRI | POLLOUT);
		return -EAGAIN;
	}
	return n < 0 ? -errno : -EIO;
}

static int span_dahdi_setup_dchan(struct span *span, int fd, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;
	struct dahdi_params p;
	struct dahdi_bufferinfo bi;

	memset(&p, 0, sizeof(p));
	if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0)
		return span_be_err(sc, err, errlen, -errno, "channel %d: DAHDI_GET_PARAMS: %s", sc->dchan,
				   strerror(errno));
	if (p.sigtype != DAHDI_SIG_HDLCFCS && p.sigtype != DAHDI_SIG_HARDHDLC)
		return span_be_err(sc, err, errlen, -EINVAL,
				   "channel %d is not an HDLC channel (sigtype 0x%x): dchan= in system.conf?",
				   sc->dchan, (unsigned int)p.sigtype);
	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = SPAN_DAHDI_NUMBUFS;
	bi.bufsize = SPAN_DAHDI_BUFSIZE;
	if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0)
		return span_be_err(sc, err, errlen, -errno, "channel %d: DAHDI_SET_BUFINFO: %s", sc->dchan,
				   strerror(errno));
	span->alarm = p.chan_alarms != 0;
	return 0;
}

/* every B-channel's position in its DAHDI span, from DAHDI_GET_PARAMS by channel number */
static int span_dahdi_positions(struct span *span, struct span_dahdi *dp, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;
	int fd = open(SPAN_DAHDI_CTL, O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return span_be_err(sc, err, errlen, -errno, "%s: %s", SPAN_DAHDI_CTL, strerror(errno));
	for (int i = 0; i < sc->nbchan && i < TDM_CHANS_MAX && !rc; i++) {
		struct dahdi_params p;

		memset(&p, 0, sizeof(p));
		p.channo = sc->bchan[i];
		if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0)
			rc = span_be_err(sc, err, errlen, -errno, "channel %d: DAHDI_GET_PARAMS: %s (is it in "
					 "system.conf?)", sc->bchan[i], strerror(errno));
		else
			dp->pos[i] = p.chanpos;
	}
	close(fd);
	return rc;
}

static int span_dahdi_chan_pos(const struct span *span, int idx)
{
	const struct span_dahdi *dp = span->priv;

	return dp ? dp->pos[idx] : span->conf.bchan[idx];
}

static int span_dahdi_open(struct span *span, char *err, size_t errlen)
{
	const struct tdm_span_conf *sc = &span->conf;
	struct span_dahdi *dp = calloc(1, sizeof(*dp));
	const char *what;
	int rc;

	if (!dp)
		return span_be_err(sc, err, errlen, -ENOMEM, "out of memory");
	for (int i = 0; i < TDM_CHANS_MAX; i++)
		dp->bfd[i] = -1;
	dp->fd = span_dahdi_open_chan(sc->dchan, &what);
	if (what == span_dahdi_dev && (dp->fd == -ENOENT || dp->fd == -ENODEV || dp->fd == -ENXIO)) {
		rc = span_be_err(sc, err, errlen, -ENODEV, "%s: %s: is the DAHDI driver loaded and dahdi_cfg run?",
				 what, strerror(-dp->fd));
		goto fail;
	}
	if (dp->fd < 0) {
		rc = span_be_err(sc, err, errlen, dp->fd, "channel %d: %s: %s (is it in system.conf?)", sc->dchan, what,
				 strerror(-dp->fd));
		goto fail;
	}
	rc = span_dahdi_setup_dchan(span, dp->fd, err, errlen);
	if (!rc)
		rc = span_dahdi_positions(span, dp, err, errlen);
	if (!rc) {
		rc = ev_fd_add(span->loop, dp->fd, POLLIN | POLLPRI, span_dahdi_fd_cb, span);
		if (rc < 0)
			span_be_err(sc, err, errlen, rc, "event loop: %s", strerror(-rc));
	}
	if (rc < 0)
		goto fail;
	dp->tx_from_us = ev_now_us() + SPAN_DAHDI_SETTLE_US;
	ev_timer_init(&dp->settle, span_dahdi_settle_cb, span);
	span->priv = dp;
	return 0;
fail:
	if (dp->fd >= 0)
		close(dp->fd);
	free(dp);
	return rc;
}

static void span_dahdi_close(struct span *span)
{
	struct span_dahdi *dp = span->priv;

	if (!dp)
		return;
	ev_timer_stop(span->loop, &dp->settle);
	ev_fd_del(span->loop, dp->fd);
	close(dp->fd);
	for (int i = 0; i < TDM_CHANS_MAX; i++)
		if (dp->bfd[i] >= 0)
			close(dp->bfd[i]);
	free(dp);
	span->priv = NULL;
}

static int span_dahdi_bearer_open(struct span *span, int idx)
{
	struct span_dahdi *dp = span->priv;
	int chan = span->conf.bchan[idx], bs = SPAN_DAHDI_BLOCKSIZE, on = 1, fd, rc;
	const char *what;

	fd = span_dahdi_open_chan(chan, &what);
	if (fd < 0) {
		LOGW("span", "span %s: channel %d: %s: %s", span->conf.name, chan, what, strerror(-fd));
		return fd;
	}
	if (ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs) < 0 || ioctl(fd, DAHDI_AUDIOMODE, &on) < 0) {
		rc = -errno;
		LOGW("span", "span %s: channel %d: %s", span->conf.name, chan, strerror(-rc));
		close(fd);
		return rc;
	}
	dp->bfd[idx] = fd;
	return fd;
}

static void span_dahdi_bearer_close(struct span *span, int idx)
{
	struct span_dahdi *dp = span->priv;

	if (dp->bfd[idx] < 0)
		return;
	close(dp->bfd[idx]);
	dp->bfd[idx] = -1;
}

const struct span_ops span_dahdi_ops = {
	.name = "dahdi",
	.paced = 0,
	.open = span_dahdi_open,
	.close = span_dahdi_close,
	.send_raw = span_dahdi_send_raw,
	.bearer_open = span_dahdi_bearer_open,
	.bearer_close = span_dahdi_bearer_close,
	.chan_pos = span_dahdi_chan_pos,
};
