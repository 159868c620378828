/*
 * uui_test.c - the gateway's user-to-user convention (MAPPING.md, last section).
 */
#include <stdio.h>
#include <string.h>

#include "map_uui.h"
#include "testlib.h"

static void encode(void)
{
	struct map_call call;
	unsigned char buf[MAP_UUI_MAX + 1];
	int n;

	map_call_init(&call);
	CHECK_INT(map_uui_encode(&call, buf, sizeof(buf)), 0, "nothing to carry");
	call.redir.cause = 487;
	call.um.skip_pin = 1;
	call.um.sens = MAP_SENS_PRIVATE_NO_DIVERSION;
	n = map_uui_encode(&call, buf, sizeof(buf));
	CHECK(n == 50 && buf[0] == 0x04 && !memcmp(buf + 1, "UM/1;cause=487;skip-pin;sens=private-no-diversion", 49),
	      "the MAPPING.md example (%d octets)", n);
	CHECK(n <= MAP_UUI_MAX, "within 128 octets");
	CHECK_INT(map_uui_encode(&call, buf, 10), -28, "buffer too small");
	call.um.sens = MAP_SENS_UNKNOWN;
	n = map_uui_encode(&call, buf, sizeof(buf));
	CHECK(n == 24 && !memcmp(buf + 1, "UM/1;cause=487;skip-pin", 23), "unknown sensitivity not carried");
}

static const struct {
	const char *in;
	size_t len;
	int ret, cause, skip, sens, errors;
} dec[] = {
	{ "\x04UM/1;cause=487;skip-pin;sens=private-no-diversion", 0, 1, 487, 1, MAP_SENS_PRIVATE_NO_DIVERSION, 0 },
	{ "\x04UM/1;sens=normal", 0, 1, 0, 0, MAP_SENS_NORMAL, 0 },
	{ "\x04UM/1", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;future=1;;cause=302", 0, 1, 302, 0, 0, 0 },
	{ "\x04UM/1;cause=48", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;cause=4867", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;cause=086", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;sens=secret", 0, 1, 0, 0, MAP_SENS_UNKNOWN, 0 },
	{ "\x04UM/1;sens=a;b", 0, 1, 0, 0, MAP_SENS_UNKNOWN, 0 },
	{ "\x04UM/1;sens=a b", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;no-cause", 0, 1, 0, 0, 0, 0 },
	{ "\x04UM/1;cause=486\x01", 16, 0, 0, 0, 0, 0 },
	{ "\x04UM/2;cause=486", 0, 0, 0, 0, 0, 0 },
	{ "\x04UM/1x", 0, 0, 0, 0, 0, 0 },
	{ "\x05UM/1;cause=486", 0, 0, 0, 0, 0, 0 },
	{ "\x04hello", 0, 0, 0, 0, 0, 0 },
	{ "", 0, 0, 0, 0, 0, 0 },
};

static void decode(void)
{
	unsigned char big[300];
	struct map_call call;
	struct map_diag d;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		map_call_init(&call);
		map_diag_init(&d);
		ret = map_uui_decode(&call, (const unsigned char *)dec[i].in, dec[i].len ? dec[i].len : strlen(dec[i].in),
				     &d);
		CHECK(ret == dec[i].ret && call.redir.cause == dec[i].cause && call.um.skip_pin == dec[i].skip &&
			      call.um.sens == dec[i].sens && map_diag_count(&d, MAP_DIAG_ERROR) == dec[i].errors,
		      "decode vector %zu: ret %d cause %d skip %d sens %d errors %d", i, ret, call.redir.cause,
		      call.um.skip_pin, call.um.sens, map_diag_count(&d, MAP_DIAG_ERROR));
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "\x04UM/1;", 6);
	map_call_init(&call);
	map_diag_init(&d);
	CHECK_INT(map_uui_decode(&call, big, sizeof(big), &d), 0, "300 octets are not the convention");
}

void uui_tests(void)
{
	encode();
	decode();
}
