/*
 * stack_test.c - the model's codepoints are the values libss7 and libpri take (their headers are
 * the reference for their APIs), and libpri's known quirk is where we think it is: its
 * PRI_REDIR_DEFLECTION is 0x3 while Q.931 call deflection is 0100, so the TDM layer must hand
 * libpri the Q.931 code from q931-reasons.tbl, never PRI_REDIR_DEFLECTION.
 */
#include <libpri.h>
#include <libss7.h>

#include "map_q931.h"
#include "testlib.h"

void stack_tests(void)
{
	CHECK_INT(SS7_NAI_SUBSCRIBER, MAP_NAI_SUBSCRIBER, "libss7 NAI subscriber");
	CHECK_INT(SS7_NAI_UNKNOWN, MAP_NAI_UNKNOWN, "libss7 NAI unknown");
	CHECK_INT(SS7_NAI_NATIONAL, MAP_NAI_NATIONAL, "libss7 NAI national");
	CHECK_INT(SS7_NAI_INTERNATIONAL, MAP_NAI_INTERNATIONAL, "libss7 NAI international");
	CHECK_INT(SS7_PRESENTATION_ALLOWED, MAP_PRES_ALLOWED, "libss7 presentation allowed");
	CHECK_INT(SS7_PRESENTATION_RESTRICTED, MAP_PRES_RESTRICTED, "libss7 presentation restricted");
	CHECK_INT(SS7_PRESENTATION_ADDR_NOT_AVAILABLE, MAP_PRES_NOT_AVAILABLE, "libss7 address not available");
	CHECK_INT(SS7_SCREENING_USER_PROVIDED, MAP_SCREEN_USER_PASSED, "libss7 screening user provided");
	CHECK_INT(SS7_SCREENING_NETWORK_PROVIDED, MAP_SCREEN_NETWORK, "libss7 screening network provided");

	CHECK_INT(PRI_TON_UNKNOWN, map_q931_ton_from_nai(MAP_NAI_UNKNOWN), "libpri TON unknown");
	CHECK_INT(PRI_TON_INTERNATIONAL, map_q931_ton_from_nai(MAP_NAI_INTERNATIONAL), "libpri TON international");
	CHECK_INT(PRI_TON_NATIONAL, map_q931_ton_from_nai(MAP_NAI_NATIONAL), "libpri TON national");
	CHECK_INT(PRI_TON_SUBSCRIBER, map_q931_ton_from_nai(MAP_NAI_SUBSCRIBER), "libpri TON subscriber");
	CHECK_INT(PRI_PRES_RESTRICTED >> 5, MAP_PRES_RESTRICTED, "libpri presentation restricted (bits 7-6)");
	CHECK_INT(PRI_PRES_NETWORK_NUMBER, MAP_SCREEN_NETWORK, "libpri network provided");

	CHECK_INT(PRI_REDIR_UNKNOWN, map_rtable_encode(&test_tables->q931[0], MAP_REASON_UNKNOWN), "libpri unknown");
	CHECK_INT(PRI_REDIR_FORWARD_ON_BUSY, map_rtable_encode(&test_tables->q931[0], MAP_REASON_USER_BUSY), "busy");
	CHECK_INT(PRI_REDIR_FORWARD_ON_NO_REPLY, map_rtable_encode(&test_tables->q931[0], MAP_REASON_NO_REPLY),
		  "no reply");
	CHECK_INT(PRI_REDIR_UNCONDITIONAL, map_rtable_encode(&test_tables->q931[0], MAP_REASON_UNCONDITIONAL),
		  "unconditional");
	CHECK_INT(PRI_REDIR_DTE_OUT_OF_ORDER, 0x9, "libpri DTE out of order = Q.931 1001");
	CHECK(PRI_REDIR_DEFLECTION != map_rtable_encode(&test_tables->q931[0], MAP_REASON_DEFLECTION_ALERTING),
	      "libpri's PRI_REDIR_DEFLECTION (0x%x) is not Q.931 call deflection (0x%x): the quirk is still there",
	      PRI_REDIR_DEFLECTION, map_rtable_encode(&test_tables->q931[0], MAP_REASON_DEFLECTION_ALERTING));
}
