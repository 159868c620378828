/*
 * wire_test.c - a hostile wire: the two spans of a pair each join the test over a `socket =` loopback
 * span, and the test relays the frames between them (one SEQPACKET packet is one frame, as-is), so
 * the two stacks talk for real while the relay
 *  - mutates frames in flight: the ISUP part of MSUs, the Q.931 IEs of I-frames (flipped, truncated
 *    and extended octets, bad pointers, huge LI, other user parts, wrong protocol discriminators,
 *    bogus and overrunning IEs, shifts);
 *  - injects frames of its own between them: random octets, and frames recorded from the running
 *    exchange, replayed as they were or mutated as above (ISUP: as MSUs repeating the last FSN, which
 *    MTP2 takes as duplicates but tdm_isup reads first; PRI: as UI frames with a call reference no
 *    call uses).
 * Meanwhile calls are placed both ways, answered or refused and released by the test's hook.
 * Checked: no crash and no hang (every phase has a deadline, and an alarm ends the test), no call and
 * no busy circuit left once the relay passes frames unchanged again and the owner has hung up what
 * it still held, calls go through that relay again after a reset of both spans, and a call still
 * works over a normal loopback pair of each protocol afterwards.
 *
 * `wire_test` runs ISUP (what make check runs); `wire_test pri` PRI, `wire_test isup pri` both.
 * Left to the environment, because the stacks do not cope yet:
 *  - `wire_test pri` passes most runs, but about one run in eight under load leaves a B-channel
 *    resetting after the hostile phase (a RESTART or its acknowledgement mutated on the way);
 *  - WIRE_LINK_LAYER=1 also breaks MTP2 and Q.921: sequence numbers, headers, LSSUs, MTP3
 *    management.  libss7 2.0.0's MTP2 use-after-free (mtp2.c: update_txbuf frees MSUs acknowledged
 *    by a BSN while link->retransmit_pos still points at one) is avoided by tdm_isup holding such
 *    acknowledgements back, but the linkset may not come back after mutated MTP3 management, and
 *    two libpri ends can loop on REJ;
 *  - WIRE_REPLAY=1 (PRI) replays Q.931 with the call references of live calls: collisions.
 * WIRE_FRAMES sets the number of frames injected per protocol (6000 by default; about as many are
 * mutated in flight), WIRE_SEED the seed, WIRE_TEST_LOG the log level (error by default).
 * Exit: 0 all passed, 1 a check failed, 2 usage, 99 no temporary directory.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "span.h"
#include "testlib.h"

#define WAIT_MS 10000
#define HOSTILE_MS 120000	/* the hostile phase ends by then whatever the count */
#define SETTLE_MS 60000		/* for the calls left to clear once the wire is clean */
#define WATCHDOG_S 900
#define NCHAN 8
#define REC_MAX 64		/* frames recorded from the exchange */
#define INJECT_EVERY_MS 2
#define INJECT_BURST 1
#define CALL_EVERY_MS 15
#define CALLS_AT_ONCE 6
#define HELD_MAX (4 * NCHAN)
#define GRACE_MS 5000		/* for the stacks' timers, before the owner hangs up what it still holds */

enum wire_proto { WIRE_ISUP = 0, WIRE_PRI };

struct wire_frame {
	uint8_t b[SPAN_FRAME_MAX + 64];
	size_t len;
};

struct relay {
	struct harness *h;
	int proto;			/* enum wire_proto */
	int fd[2];			/* the test's ends of span A's and span B's sockets */
	int hostile;
	int link_layer;			/* also break the link layer's sequence numbers (WIRE_LINK_LAYER=1) */
	int replay;			/* PRI: replay Q.931 with the call references of live calls (WIRE_REPLAY=1) */
	int keep_ids;			/* PRI, in flight: call reference and message type stay (see the header) */
	uint8_t last_hdr[2][4];		/* the link layer header of the last payload frame from each side */
	int hdr_ok[2];			/* ISUP: last_hdr is still in sequence (no LSSU since) */
	int placing;			/* place calls from the timers */
	uint64_t rng;
	unsigned long want;		/* frames to inject */
	unsigned long passed, mutated, injected, send_failed, closed;
	unsigned long placed, setups, answers, releases, link_downs;
	struct wire_frame rec[REC_MAX];
	size_t nrec;
	struct ev_timer inject_timer, call_timer;
	struct tdm_call *held[HELD_MAX];	/* the calls the test owns (placed or received, not released) */
	size_t nheld;
};

static char tmp_dir[64];

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* ---- random numbers (xorshift64*: the same run for the same seed) ---- */

static uint32_t rnd(struct relay *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (uint32_t)((r->rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rnd_below(struct relay *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

/* ---- mutations ---- */

/* the first octet of the part above the link layer: ISUP's SIO, the Q.931 protocol discriminator */
static size_t upper_start(const struct relay *r)
{
	return r->proto == WIRE_ISUP ? 3 : 4;
}

static void mut_flip(struct relay *r, struct wire_frame *f, size_t from)
{
	int n = 1 + (int)rnd_below(r, 4);

	if (f->len <= from)
		return;
	while (n--)
		f->b[from + rnd_below(r, (uint32_t)(f->len - from))] = (uint8_t)rnd(r);
}

static void mut_truncate(struct relay *r, struct wire_frame *f, size_t from)
{
	if (f->len > from + 1)
		f->len = from + 1 + rnd_below(r, (uint32_t)(f->len - from - 1));
}

static void mut_extend(struct relay *r, struct wire_frame *f)
{
	size_t n = 1 + rnd_below(r, rnd_below(r, 8) ? 16 : 400);

	while (n-- && f->len < SPAN_FRAME_MAX + 32)
		f->b[f->len++] = (uint8_t)rnd(r);
}

/* ISUP: pointers, LI, message type, CIC, a parameter of any length */
static void mut_isup(struct relay *r, struct wire_frame *f)
{
	switch (rnd_below(r, 6)) {
	case 0:
		if (f->len > 17)
			f->b[16 + rnd_below(r, 2)] = (uint8_t)(rnd_below(r, 2) ? 0xff : rnd_below(r, 40));
		break;
	case 1:
		f->b[2] = (uint8_t)((f->b[2] & 0xc0) | (rnd_below(r, 2) ? 63 : rnd_below(r, 64)));
		break;
	case 2:
		if (f->len > 10)
			f->b[10] = (uint8_t)rnd_below(r, 0x40);
		break;
	case 3:
		if (f->len > 9) {
			f->b[8] = (uint8_t)rnd(r);
			f->b[9] = (uint8_t)rnd(r);
		}
		break;
	case 4:
		if (f->len > 1 && f->len < SPAN_FRAME_MAX) {	/* a parameter overrunning the frame */
			f->b[f->len - 1] = (uint8_t)rnd(r);
			f->b[f->len++] = (uint8_t)(0x80 + rnd_below(r, 0x80));
		}
		break;
	default:
		f->b[3] = (uint8_t)((f->b[3] & 0xf0) | rnd_below(r, 16));	/* another user part */
		break;
	}
}

/* Q.931: protocol discriminator, call reference, message type, bogus IEs */
static void mut_q931(struct relay *r, struct wire_frame *f)
{
	size_t ie, mt;

	if (f->len < 6)
		return;
	mt = 6 + (size_t)(f->b[5] & 0x0f);
	switch (r->keep_ids ? 3 * rnd_below(r, 2) : rnd_below(r, 5)) {
	case 0:
		f->b[4] = (uint8_t)(rnd_below(r, 2) ? rnd(r) : 0x09);
		break;
	case 1:
		f->b[5] = (uint8_t)rnd(r);	/* call reference length up to 15, or flag and garbage */
		break;
	case 2:
		f->b[mt < f->len ? mt : 5] = (uint8_t)rnd(r);	/* the message type */
		break;
	case 3:
		ie = f->len;	/* an IE whose length runs past the end: User-user, or any */
		if (ie + 3 < SPAN_FRAME_MAX) {
			f->b[f->len++] = (uint8_t)(rnd_below(r, 2) ? 0x7e : rnd_below(r, 0x80));
			f->b[f->len++] = (uint8_t)(0x80 + rnd_below(r, 0x80));
			f->b[f->len++] = (uint8_t)rnd(r);
		}
		break;
	default:
		ie = mt + 1 < f->len ? mt + 1 + rnd_below(r, (uint32_t)(f->len - mt - 1)) : 5;
		f->b[ie] = (uint8_t)(rnd_below(r, 2) ? 0x90 + rnd_below(r, 16) : rnd(r));	/* a shift or an IE */
		break;
	}
}

/*
 * mutate the part above the link layer; now and then the link layer too, unless it is ISUP's MTP2
 * kept in sequence (see the header: libss7 2.0.0 does not survive a BSN that acknowledges an MSU it
 * is about to retransmit)
 */
static void mutate(struct relay *r, struct wire_frame *f)
{
	size_t from = rnd_below(r, 20) || !r->link_layer ? upper_start(r) : 0;

	if (r->keep_ids && f->len > 6)
		from = 7 + (f->b[5] & 0x0f);	/* past the message type */

	switch (rnd_below(r, 5)) {
	case 0:
		mut_flip(r, f, from);
		break;
	case 1:
		mut_truncate(r, f, from);
		break;
	case 2:
		mut_extend(r, f);
		break;
	default:
		if (r->proto == WIRE_ISUP)
			mut_isup(r, f);
		else
			mut_q931(r, f);
		break;
	}
	if (r->proto == WIRE_ISUP && f->len > 3 && !r->link_layer)
		f->b[3] = (uint8_t)((f->b[3] & 0xf0) | 5);	/* ISUP still: MTP3 management left alone */
	if (r->proto == WIRE_ISUP && f->len > 3 && (rnd_below(r, 2) || (!r->link_layer && (f->b[2] & 0x3f) < 3)))
		f->b[2] = (uint8_t)((f->b[2] & 0xc0) | (f->len - 3 > 63 ? 63 : f->len - 3));	/* LI right again */
	r->mutated++;
}

/* an MSU (LI 3 or more) or an I-frame: worth recording and mutating */
static int is_payload(const struct relay *r, const uint8_t *b, size_t len)
{
	if (r->proto == WIRE_ISUP)
		return len > 3 && (b[2] & 0x3f) >= 3;
	return len > 4 && !(b[2] & 1);
}

/* by default ISUP's MTP3 management (SI 0-2) crosses untouched: see the header */
static int is_mutable(const struct relay *r, const struct wire_frame *f)
{
	return r->link_layer || r->proto != WIRE_ISUP || (f->b[3] & 0x0f) == 5;
}

/* ---- the relay ---- */

static void relay_send(struct relay *r, int to, const struct wire_frame *f)
{
	if (r->fd[to] < 0 || !f->len)	/* an empty packet would read as the end of the connection */
		return;
	if (send(r->fd[to], f->b, f->len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)f->len)
		r->send_failed++;
}

static void relay_record(struct relay *r, const struct wire_frame *f)
{
	size_t i = r->nrec < REC_MAX ? r->nrec++ : rnd_below(r, REC_MAX);

	r->rec[i] = *f;
}

static void relay_frame(struct relay *r, int from, struct wire_frame *f)
{
	int payload = is_payload(r, f->b, f->len);

	if (payload) {
		relay_record(r, f);
		memcpy(r->last_hdr[from], f->b, r->proto == WIRE_ISUP ? 2 : 4);
		r->hdr_ok[from] = 1;
	} else if (r->proto == WIRE_ISUP && f->len > 3) {
		r->hdr_ok[0] = r->hdr_ok[1] = 0;	/* an LSSU: the link (re)aligns, sequence numbers restart */
	} else if (r->proto == WIRE_PRI && f->len >= 4 && (f->b[2] & 3) == 1) {
		r->last_hdr[from][3] = f->b[3] & 0xfe;	/* an S-frame: its N(R) is the latest */
	} else if (r->proto == WIRE_PRI && f->len >= 3 && ((f->b[2] & 0xef) == 0x6f || (f->b[2] & 0xef) == 0x63)) {
		for (int i = 0; i < 2; i++)	/* SABME, UA: the link starts again from 0 */
			r->last_hdr[i][2] = r->last_hdr[i][3] = 0;
	}
	r->keep_ids = r->proto == WIRE_PRI && !r->link_layer && !r->replay;
	if (r->hostile && (payload ? !rnd_below(r, 4) && is_mutable(r, f) : r->link_layer && !rnd_below(r, 3000)))
		mutate(r, f);
	r->keep_ids = 0;
	r->passed++;
	relay_send(r, !from, f);
}

static void relay_read_cb(void *arg, int fd, short revents)
{
	struct relay *r = arg;
	int from = fd == r->fd[1];
	struct wire_frame f;
	ssize_t n;

	(void)revents;
	for (int i = 0; i < 64; i++) {
		n = recv(fd, f.b, sizeof(f.b), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {	/* the span hung up: it must not */
			r->closed++;
			ev_fd_del(r->h->loop, fd);
			close(fd);
			r->fd[from] = -1;
			return;
		}
		f.len = (size_t)n;
		relay_frame(r, from, &f);
	}
}

/* one frame of the relay's own: random octets, or a recorded frame as it was or mutated */
static void inject_one(struct relay *r)
{
	struct wire_frame f;
	uint32_t kind = rnd_below(r, 10);
	int to = (int)rnd_below(r, 2);

	if (kind < 2 || !r->nrec) {
		f.len = 1 + rnd_below(r, kind ? 64 : SPAN_FRAME_MAX + 40);
		for (size_t i = 0; i < f.len; i++)
			f.b[i] = (uint8_t)rnd(r);
	} else {
		f = r->rec[rnd_below(r, (uint32_t)r->nrec)];
		if (kind > 3)
			mutate(r, &f);
	}
	if (r->proto == WIRE_ISUP && !r->link_layer) {
		/* in sequence: a duplicate of the last MSU as far as MTP2 can tell, and ISUP */
		if (!r->hdr_ok[!to])
			return;
		while (f.len < 4)
			f.b[f.len++] = (uint8_t)rnd(r);
		memcpy(f.b, r->last_hdr[!to], 2);
		if ((f.b[2] & 0x3f) < 3)
			f.b[2] |= 3;
		f.b[3] = (uint8_t)((f.b[3] & 0xf0) | 5);
	} else if (r->proto == WIRE_PRI && !r->link_layer) {
		/* a UI frame: Q.931 without sequence numbers */
		while (f.len < 5)
			f.b[f.len++] = (uint8_t)rnd(r);
		memcpy(f.b, r->last_hdr[!to], 2);
		f.b[2] = 0x03;
		memmove(f.b + 3, f.b + 4, --f.len - 3);
		if (f.len > 6 && f.b[4] == 2 && !r->replay)
			f.b[6] = (uint8_t)(0x80 | rnd_below(r, 0x80));	/* a call reference no call uses */
	}
	r->injected++;
	relay_send(r, to, &f);
}

static void inject_cb(void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < INJECT_BURST && r->hostile && r->injected < r->want; i++)
		inject_one(r);
	if (r->hostile && r->injected < r->want)
		ev_timer_start(r->h->loop, &r->inject_timer, INJECT_EVERY_MS);
}

static void hold(struct relay *r, struct tdm_call *call)
{
	if (r->nheld < HELD_MAX)
		r->held[r->nheld++] = call;
}

static void unhold(struct relay *r, struct tdm_call *call)
{
	for (size_t i = 0; i < r->nheld; i++)
		if (r->held[i] == call) {
			r->held[i] = r->held[--r->nheld];
			return;
		}
}

/* the owner hangs up: the test's release and the bookkeeping together */
static void hang_up(struct relay *r, struct tdm_call *call, int cause)
{
	unhold(r, call);
	tdm_call_release(call, cause);
}

static void call_cb(void *arg)
{
	struct relay *r = arg;
	struct tdm_setup s;
	struct tdm_call *call;

	if (!r->placing)
		return;
	if (tdm_call_count(r->h->tdm) < CALLS_AT_ONCE) {
		harness_setup(&s, "4000", "2125551234");
		if (rnd_below(r, 2)) {
			memcpy(s.uui, "\x04UM/1;skip-pin", 14);
			s.uui_len = 14;
		}
		const char *from = rnd_below(r, 2) ? "a" : "b";

		if (r->nheld < HELD_MAX && tdm_call_place(r->h->tdm, from, &s, NULL, &call) == 0) {
			r->placed++;
			hold(r, call);
		}
	}
	ev_timer_start(r->h->loop, &r->call_timer, CALL_EVERY_MS);
}

/* the far side answers (or refuses) every call, the caller hangs up on the answer */
static int relay_hook(struct harness *h, const struct tdm_event *ev)
{
	struct relay *r = h->user;

	switch (ev->type) {
	case TDM_EV_SETUP:
		r->setups++;
		hold(r, ev->call);
		if (r->hostile && !rnd_below(r, 8)) {
			hang_up(r, ev->call, 17);
			break;
		}
		tdm_call_alert(ev->call, 0);
		tdm_call_answer(ev->call);
		break;
	case TDM_EV_ANSWER:
		r->answers++;
		hang_up(r, ev->call, 16);
		break;
	case TDM_EV_RELEASE:
		r->releases++;
		unhold(r, ev->call);
		break;
	case TDM_EV_LINK:
		r->link_downs += !ev->up;
		return 0;
	default:
		break;
	}
	return 1;	/* not recorded: thousands of them */
}

/* ---- the spans ---- */

static const char *relay_conf(int proto)
{
	static char conf[2048];

	if (proto == WIRE_ISUP)
		snprintf(conf, sizeof(conf),
			 "[span a]\nbackend = loopback\nsignalling = isup\nsocket = %s/a.sock\nlisten = yes\nopc = 1\n"
			 "dpc = 2\ndchan = 16\nbchan = 1-%d\ntimers = short\n"
			 "[span b]\nbackend = loopback\nsignalling = isup\nsocket = %s/b.sock\nlisten = yes\nopc = 2\n"
			 "dpc = 1\ndchan = 16\nbchan = 1-%d\ntimers = short\nhunt = last\n",
			 tmp_dir, NCHAN, tmp_dir, NCHAN);
	else
		snprintf(conf, sizeof(conf),
			 "[span a]\nbackend = loopback\nsignalling = pri\nsocket = %s/a.sock\nlisten = yes\n"
			 "side = net\nswitchtype = euroisdn\ndchan = 16\nbchan = 1-%d\ntimers = short\n"
			 "[span b]\nbackend = loopback\nsignalling = pri\nsocket = %s/b.sock\nlisten = yes\n"
			 "side = cpe\nswitchtype = euroisdn\ndchan = 16\nbchan = 1-%d\ntimers = short\nhunt = last\n",
			 tmp_dir, NCHAN, tmp_dir, NCHAN);
	return conf;
}

static int relay_connect(struct relay *r, int side)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", tmp_dir, side ? "b" : "a");
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    ev_fd_add(r->h->loop, fd, POLLIN, relay_read_cb, r) < 0) {
		close(fd);
		return -EIO;
	}
	r->fd[side] = fd;
	return 0;
}

static int relay_start(struct relay *r, struct harness *h, int proto, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->h = h;
	r->proto = proto;
	r->rng = seed ? seed : 1;
	r->link_layer = (int)env_ul("WIRE_LINK_LAYER", 0);
	r->replay = (int)env_ul("WIRE_REPLAY", 0);
	r->fd[0] = r->fd[1] = -1;
	ev_timer_init(&r->inject_timer, inject_cb, r);
	ev_timer_init(&r->call_timer, call_cb, r);
	if (harness_start(h, relay_conf(proto)) < 0)
		return -1;
	h->user = r;
	h->hook = relay_hook;
	if (relay_connect(r, 0) < 0 || relay_connect(r, 1) < 0)
		return -1;
	return 0;
}

static void relay_stop(struct relay *r)
{
	ev_timer_stop(r->h->loop, &r->inject_timer);
	ev_timer_stop(r->h->loop, &r->call_timer);
	for (int i = 0; i < 2; i++)
		if (r->fd[i] >= 0) {
			ev_fd_del(r->h->loop, r->fd[i]);
			close(r->fd[i]);
		}
	harness_stop(r->h);
}

/* ---- conditions ---- */

/* no call, every circuit idle (blocking allowed: a mutated BLO or CGB may have blocked some) */
static int all_idle(struct harness *h, void *arg)
{
	struct tdm_circuit_info ci[2 * NCHAN];
	size_t total;
	int n = tdm_circuits(h->tdm, NULL, ci, 2 * NCHAN, &total);

	(void)arg;
	if (tdm_call_count(h->tdm))
		return 0;
	for (int i = 0; i < n; i++)
		if (ci[i].state != TDM_CS_IDLE)
			return 0;
	return 1;
}

static int all_clean(struct harness *h, void *arg)
{
	struct tdm_circuit_info ci[2 * NCHAN];
	size_t total;
	int n = tdm_circuits(h->tdm, NULL, ci, 2 * NCHAN, &total);

	for (int i = 0; i < n; i++)
		if (ci[i].blocked)
			return 0;
	return all_idle(h, arg);
}

static int hostile_done(struct harness *h, void *arg)
{
	const struct relay *r = arg;

	(void)h;
	return r->injected >= r->want;
}

/* what is left, when something is */
static void dump_circuits(struct harness *h)
{
	struct tdm_circuit_info ci[2 * NCHAN];
	size_t total;
	int n = tdm_circuits(h->tdm, NULL, ci, 2 * NCHAN, &total);

	for (int i = 0; i < n; i++)
		if (ci[i].state != TDM_CS_IDLE || ci[i].blocked || ci[i].call[0])
			printf("#   %s %s %d: %s, blocked %d, call '%s'\n", ci[i].span, ci[i].cic ? "cic" : "ch",
			       ci[i].cic ? ci[i].cic : ci[i].chan, tdm_cstate_name(ci[i].state), ci[i].blocked,
			       ci[i].call);
}

/* ---- phases ---- */

/* one call placed on from, answered by the hook, released by it: the counters move */
static void one_call(struct harness *h, struct relay *r, const char *from, const char *what)
{
	unsigned long answers = r->answers, releases = r->releases;
	struct tdm_setup s;
	struct tdm_call *call;
	int ret;

	harness_setup(&s, "4000", "2125551234");
	ret = tdm_call_place(h->tdm, from, &s, NULL, &call);
	CHECK(ret == 0, "%s: call placed on %s (%d)", what, from, ret);
	if (ret)
		return;
	hold(r, call);
	CHECK(harness_until(h, all_idle, NULL, WAIT_MS) == 0 && r->answers == answers + 1,
	      "%s: the call from %s answered and released, nothing left (%lu answers, %zu calls)", what, from,
	      r->answers - answers, tdm_call_count(h->tdm));
	CHECK(r->releases == releases + 1, "%s: the callee heard the release", what);
}

static void hostile_phase(struct relay *r, unsigned long frames)
{
	struct harness *h = r->h;
	const char *p = r->proto == WIRE_ISUP ? "ISUP" : "PRI";

	CHECK(harness_wait_links(h, WAIT_MS) == 0, "%s: links up through the relay", p);
	one_call(h, r, "a", p);
	r->want = frames;
	r->hostile = r->placing = 1;
	ev_timer_start(h->loop, &r->inject_timer, INJECT_EVERY_MS);
	ev_timer_start(h->loop, &r->call_timer, CALL_EVERY_MS);
	CHECK(harness_until(h, hostile_done, r, HOSTILE_MS) == 0, "%s: %lu frames injected in time", p, r->injected);
	r->hostile = r->placing = 0;
	printf("# %s: %lu frames injected, %lu mutated, %lu relayed, %lu calls placed, %lu setups, %lu answers, "
	       "%lu releases, %lu link downs, %lu sends failed\n", p, r->injected, r->mutated, r->passed, r->placed,
	       r->setups, r->answers, r->releases, r->link_downs, r->send_failed);
	/* how many calls fit in the phase depends on the machine's load: a handful is enough */
	CHECK(r->mutated > frames / 2 && r->placed >= 10, "%s: the wire was hostile while calls were made (%lu "
	      "calls)", p, r->placed);
}

/* the wire clean again: everything clears, a reset of both sides, and calls go through */
static void recovery_phase(struct relay *r)
{
	struct harness *h = r->h;
	const char *p = r->proto == WIRE_ISUP ? "ISUP" : "PRI";
	uint64_t t0;
	size_t n;
	int ret;

	harness_run(h, GRACE_MS);
	n = r->nheld;
	while (r->nheld)	/* calls a mutated frame left half open: the owner gives up on them, as gw/ would */
		hang_up(r, r->held[0], 16);
	printf("# %s: %zu calls still held after %d ms, released by the owner\n", p, n, GRACE_MS);
	t0 = ev_now_us();
	ret = harness_until(h, all_idle, NULL, SETTLE_MS);
	CHECK(ret == 0, "%s: no call left behind and every circuit idle once the wire is clean (%zu calls)", p,
	      tdm_call_count(h->tdm));
	if (ret)
		dump_circuits(h);
	printf("# %s: settled in %llu ms\n", p, (unsigned long long)(ev_now_us() - t0) / 1000);
	CHECK_INT(r->closed, 0, "the spans never hung up on the relay");
	CHECK(harness_wait_links(h, SETTLE_MS) == 0, "%s: links up again", p);
	if (r->proto == WIRE_ISUP) {
		CHECK_INT(tdm_span_reset(h->tdm, "a"), 0, "GRS from a");
		CHECK_INT(tdm_span_reset(h->tdm, "b"), 0, "GRS from b");
	}
	CHECK(harness_until(h, all_clean, NULL, WAIT_MS) == 0, "%s: every circuit idle and unblocked", p);
	one_call(h, r, "a", p);
	one_call(h, r, "b", p);
}

static void wire_run(int proto, unsigned long frames, uint64_t seed)
{
	struct harness h;
	struct relay r;

	if (relay_start(&r, &h, proto, seed) < 0) {
		CHECK(0, "relay pair starts: %s", h.err);
		harness_stop(&h);
		return;
	}
	hostile_phase(&r, frames);
	recovery_phase(&r);
	relay_stop(&r);
}

/* after all that, a normal loopback pair of each protocol places a call as usual */
static void normal_pair(int proto)
{
	static const char *const confs[] = {
		"[span a]\nbackend = loopback\nsignalling = isup\npeer = b\nopc = 1\ndpc = 2\nbchan = 1-4\ndchan = 16\n"
		"timers = short\n[span b]\nbackend = loopback\nsignalling = isup\npeer = a\nopc = 2\ndpc = 1\n"
		"bchan = 1-4\ndchan = 16\ntimers = short\n",
		"[span a]\nbackend = loopback\nsignalling = pri\npeer = b\nside = net\nswitchtype = euroisdn\n"
		"timers = short\n[span b]\nbackend = loopback\nsignalling = pri\npeer = a\nside = cpe\n"
		"switchtype = euroisdn\ntimers = short\n",
	};
	struct harness h;
	struct relay r;

	memset(&r, 0, sizeof(r));
	r.h = &h;
	r.rng = 7;
	if (harness_start(&h, confs[proto]) < 0) {
		CHECK(0, "normal pair starts: %s", h.err);
		harness_stop(&h);
		return;
	}
	h.user = &r;
	h.hook = relay_hook;
	CHECK(harness_wait_links(&h, WAIT_MS) == 0, "normal pair: links up");
	one_call(&h, &r, "a", proto == WIRE_ISUP ? "normal ISUP pair" : "normal PRI pair");
	harness_stop(&h);
}

int main(int argc, char **argv)
{
	const char *lvl = getenv("WIRE_TEST_LOG");
	unsigned long frames = env_ul("WIRE_FRAMES", 6000), seed = env_ul("WIRE_SEED", 20261122);
	char path[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(lvl ? log_level_parse(lvl) : LOG_LVL_ERROR, 0, 0);
	alarm(WATCHDOG_S);	/* a hang ends the test (SIGALRM) rather than the suite */
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/wire_test.XXXXXX");
	if (!mkdtemp(tmp_dir)) {
		perror("mkdtemp");
		return 99;
	}
	printf("# seed %lu, %lu frames injected per protocol\n", seed, frames);
	for (int i = 1; i < argc || (argc == 1 && i == 1); i++) {
		const char *what = argc > 1 ? argv[i] : "isup";

		if (strcmp(what, "isup") && strcmp(what, "pri")) {
			fprintf(stderr, "usage: wire_test [isup] [pri]\n");
			return 2;
		}
		wire_run(strcmp(what, "isup") ? WIRE_PRI : WIRE_ISUP, frames, seed);
	}
	normal_pair(WIRE_ISUP);
	normal_pair(WIRE_PRI);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.sock", tmp_dir, i ? "b" : "a");
		unlink(path);
	}
	rmdir(tmp_dir);
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
