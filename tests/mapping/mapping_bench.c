/*
 * mapping_bench.c - figures for the mapping library (printed, never asserted): SIP parse + map to
 * ISUP, ISUP -> SIP, and table loading, per call and per second.  Run with "make bench".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <osipparser2/osip_parser.h>

#include "map_isup.h"
#include "map_sip.h"
#include "map_table.h"

static const char invite[] =
	"INVITE sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK74bf9\r\n"
	"From: <sip:+15555551000@example.com;user=phone>;tag=9fxced76sl\r\n"
	"To: <sip:+15555551002@example.com;user=phone>\r\n"
	"Diversion: <tel:+15555551002>;reason=user-busy;counter=1\r\n"
	"Ms-Sensitivity: private-no-diversion\r\n"
	"Call-ID: 3848276298220188511@example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *what, int n, double secs)
{
	printf("%-40s %8d runs  %8.2f us/run  %10.0f runs/s\n", what, n, secs * 1e6 / n, n / secs);
}

int main(void)
{
	static struct map_tables t;
	const struct map_trunk *tr;
	struct map_sip_out_opts o = { "um.example.com", NULL, 0 };
	struct map_sip_out out;
	struct map_call call;
	struct map_isup isup;
	struct map_diag d;
	char err[MAP_TBL_ERR_LEN];
	double t0;
	int i, n;

	t0 = now();
	for (n = 0; n < 2000; n++)
		map_tables_load_builtin(&t, err, sizeof(err));
	report("load and validate all tables", n, now() - t0);
	tr = map_tables_trunk(&t, "default");

	t0 = now();
	for (n = 0; n < 50000; n++) {
		struct osip_message *msg = NULL;

		map_diag_init(&d);
		if (map_sip_parse(invite, sizeof(invite) - 1, &msg, &d) == 0 &&
		    map_sip_to_call(msg, &t, tr, 0, &call, &d) == 0)
			map_isup_from_call(&call, &t, &isup, &d);
		osip_message_free(msg);
	}
	report("SIP INVITE -> ISUP (libosip2 parse incl.)", n, now() - t0);

	t0 = now();
	for (n = 0; n < 200000; n++) {
		map_diag_init(&d);
		i = map_isup_to_call(&isup, &t, 0, &call, &d);
		if (!i)
			map_call_to_sip(&call, &t, tr, &o, &out, &d);
	}
	report("ISUP -> SIP Request-URI and headers", n, now() - t0);
	printf("sizeof(struct map_tables) %zu bytes, struct map_call %zu, struct map_diag %zu\n", sizeof(t),
	       sizeof(call), sizeof(d));
	return 0;
}
