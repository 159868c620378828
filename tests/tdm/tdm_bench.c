/*
 * tdm_bench.c - figures for the TDM layer over loopback pairs (printed, never asserted):
 * set-up latency of one call at a time (IAM/SETUP placed -> the far owner's setup event), and
 * throughput of complete calls (set-up, answer, release) with every circuit of an E1 in use, for
 * ISUP and PRI at the E1 timeslot rate (64 kbit/s) and at 2 Mbit/s.  A loopback span hands a frame
 * to the far end when it starts on the line and then keeps the line busy for its duration: the
 * latency includes waiting for the line (e.g. behind an MTP2 fill-in unit) but not the frame's own
 * serialization time (an IAM of 50 octets takes 6 ms at 64 kbit/s on a real link).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness.h"
#include "log.h"
#include "testlib.h"

struct bench {
	long target, placed, done;
	uint64_t t_place, lat_sum, lat_max;
	int sequential;
};

static int bench_hook(struct harness *h, const struct tdm_event *ev)
{
	struct bench *b = h->user;

	switch (ev->type) {
	case TDM_EV_SETUP: {
		uint64_t lat = ev_now_us() - b->t_place;

		b->lat_sum += lat;
		if (lat > b->lat_max)
			b->lat_max = lat;
		tdm_call_answer(ev->call);
		break;
	}
	case TDM_EV_ANSWER:
		tdm_call_release(ev->call, 16);
		break;
	default:
		break;
	}
	return 1;
}

static int bench_step(struct harness *h, void *arg)
{
	struct bench *b = h->user;
	struct tdm_setup *s = arg;
	struct tdm_call *c;

	b->done = b->placed - (long)tdm_call_count(h->tdm);
	if (b->sequential && tdm_call_count(h->tdm))
		return 0;
	while (b->placed < b->target) {
		b->t_place = ev_now_us();
		if (tdm_call_place(h->tdm, "a", s, NULL, &c) < 0)
			break;
		b->placed++;
		if (b->sequential)
			break;
	}
	return b->placed == b->target && tdm_call_count(h->tdm) == 0;
}

static void bench_run(const char *what, const char *sig, long rate, long calls, int sequential)
{
	char conf[1024];
	struct harness h;
	struct bench b = { .target = calls, .sequential = sequential };
	struct tdm_setup s;
	uint64_t t0;
	int isup = !strcmp(sig, "isup");
	const char *a = isup ? "opc = 1\ndpc = 2\n" : "side = net\nswitchtype = euroisdn\n";
	const char *bb = isup ? "opc = 2\ndpc = 1\n" : "side = cpe\nswitchtype = euroisdn\n";

	snprintf(conf, sizeof(conf), "[span a]\nbackend = loopback\npeer = b\nsignalling = %s\nline-rate = %ld\n%s"
		 "[span b]\nbackend = loopback\npeer = a\nsignalling = %s\nline-rate = %ld\nhunt = last\n%s",
		 sig, rate, a, sig, rate, bb);
	if (harness_start(&h, conf) < 0 || harness_wait_links(&h, 10000) < 0) {
		printf("%-44s failed to start: %s\n", what, h.err);
		return;
	}
	h.user = &b;
	h.hook = bench_hook;
	harness_setup(&s, "4000", "2125551234");
	s.call.redirecting = s.call.called;
	s.call.redir.present = 1;
	s.call.redir.reason = MAP_REASON_NO_REPLY;
	s.call.redir.counter = 1;
	t0 = ev_now_us();
	harness_until(&h, bench_step, &s, 120000);
	double secs = (double)(ev_now_us() - t0) / 1e6;
	if (sequential)
		printf("%-44s %6ld calls  set-up %6.2f ms mean, %6.2f ms max\n", what, b.placed,
		       b.lat_sum / 1000.0 / (b.placed ? b.placed : 1), b.lat_max / 1000.0);
	else
		printf("%-44s %6ld calls  %8.1f calls/s (30 circuits)\n", what, b.placed, b.placed / secs);
	harness_stop(&h);
}

int main(void)
{
	struct rusage ru;

	log_set_level(LOG_LVL_ERROR);
	bench_run("isup 64 kbit/s, one call at a time", "isup", 64000, 200, 1);
	bench_run("pri 64 kbit/s, one call at a time", "pri", 64000, 200, 1);
	bench_run("isup 64 kbit/s, E1 full", "isup", 64000, 1000, 0);
	bench_run("isup 2 Mbit/s, E1 full", "isup", 2048000, 5000, 0);
	bench_run("pri 64 kbit/s, E1 full", "pri", 64000, 2000, 0);
	bench_run("pri 2 Mbit/s, E1 full", "pri", 2048000, 5000, 0);
	getrusage(RUSAGE_SELF, &ru);
	printf("%-44s %ld kB max RSS, %.2f s CPU\n", "process", ru.ru_maxrss, ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
