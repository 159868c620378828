/*
 * q850_test.c - both RFC 3398 tables (with the Q.1912.5 additions and class defaults) and the
 * RFC 3326 Reason header.
 */
#include <stdio.h>

#include "map_q850.h"
#include "testlib.h"

/* RFC 3398 8.2.6.1, written out from the RFC */
static const int q850_sip[][2] = {
	{ 1, 404 }, { 2, 404 }, { 3, 404 }, { 17, 486 }, { 18, 408 }, { 19, 480 }, { 20, 480 }, { 21, 403 },
	{ 22, 410 }, { 23, 410 }, { 26, 404 }, { 27, 502 }, { 28, 484 }, { 29, 501 }, { 31, 480 }, { 34, 503 },
	{ 38, 503 }, { 41, 503 }, { 42, 503 }, { 47, 503 }, { 55, 403 }, { 57, 403 }, { 58, 503 }, { 65, 488 },
	{ 70, 488 }, { 79, 501 }, { 87, 403 }, { 88, 503 }, { 102, 504 }, { 111, 500 }, { 127, 500 },
	/* Q.1912.5 class defaults for causes RFC 3398 does not list */
	{ 16, 480 }, { 4, 480 }, { 44, 503 }, { 50, 500 }, { 66, 500 }, { 95, 500 }, { 100, 500 }, { 0, 500 },
	{ 128, 500 },
};

/* RFC 3398 7.2.4.1, plus 487, 488, 606 from Q.1912.5 */
static const int sip_q850[][2] = {
	{ 400, 41 }, { 401, 21 }, { 402, 21 }, { 403, 21 }, { 404, 1 },	 { 405, 63 }, { 406, 79 },
	{ 407, 21 }, { 408, 102 }, { 410, 22 }, { 413, 127 }, { 414, 127 }, { 415, 79 }, { 416, 127 },
	{ 420, 127 }, { 421, 127 }, { 423, 127 }, { 480, 18 }, { 481, 41 },  { 482, 25 }, { 483, 25 },
	{ 484, 28 }, { 485, 1 },   { 486, 17 }, { 487, 127 }, { 488, 127 }, { 500, 41 }, { 501, 79 },
	{ 502, 38 }, { 503, 41 },  { 504, 102 }, { 505, 127 }, { 513, 127 }, { 600, 17 }, { 603, 21 },
	{ 604, 1 },  { 606, 127 }, { 409, 31 },	 { 499, 31 },  { 699, 31 },  { 302, 31 },
};

void q850_tests(void)
{
	size_t i;

	for (i = 0; i < sizeof(q850_sip) / sizeof(q850_sip[0]); i++)
		CHECK(map_q850_to_sip(test_tables, q850_sip[i][0]) == q850_sip[i][1], "Q.850 %d -> SIP %d, got %d",
		      q850_sip[i][0], q850_sip[i][1], map_q850_to_sip(test_tables, q850_sip[i][0]));
	for (i = 0; i < sizeof(sip_q850) / sizeof(sip_q850[0]); i++)
		CHECK(map_q850_from_sip(test_tables, sip_q850[i][0], NULL) == sip_q850[i][1],
		      "SIP %d -> Q.850 %d, got %d", sip_q850[i][0], sip_q850[i][1],
		      map_q850_from_sip(test_tables, sip_q850[i][0], NULL));
	CHECK_INT(map_q850_from_sip(test_tables, 486, "Q.850;cause=21;text=\"Call rejected\""), 21,
		  "Reason header wins");
	CHECK_INT(map_q850_from_sip(test_tables, 486, "q.850 ; cause = 34"), 34, "Reason with blanks");
	CHECK_INT(map_q850_from_sip(test_tables, 486, "SIP;cause=200"), 17, "SIP Reason ignored");
	CHECK_INT(map_q850_parse_reason("Q.850;cause=0"), -22, "cause 0 refused");
	CHECK_INT(map_q850_parse_reason("Q.850;cause=128"), -22, "cause 128 refused");
	CHECK_INT(map_q850_parse_reason("Q.850;cause=1x"), -22, "cause 1x refused");
	CHECK_INT(map_q850_parse_reason("Q.8500;cause=16"), -22, "protocol Q.8500 refused");
	CHECK_INT(map_q850_parse_reason("Q.850;text=\"x\";cause=16"), 16, "cause after text");
}
