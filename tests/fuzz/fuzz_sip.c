/*
 * fuzz_sip.c - libFuzzer target: any bytes as a SIP request through the whole mapping, both ways.
 * Built and run by "make fuzz" (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

#include "map_isup.h"
#include "map_q931.h"
#include "map_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct map_tables t;
	static int loaded;
	struct map_sip_out_opts o = { "um.example.com", NULL, 0 };
	struct osip_message *msg = NULL;
	struct map_sip_out out;
	struct map_call call, back;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;
	char err[MAP_TBL_ERR_LEN];

	if (!loaded && map_tables_load_builtin(&t, err, sizeof(err)) == 0)
		loaded = 1;
	map_diag_init(&d);
	if (map_sip_parse((const char *)data, size, &msg, &d) < 0)
		return 0;
	if (map_sip_to_call(msg, &t, map_tables_trunk(&t, "uk"), MAP_SIP_IN_LENIENT_SENS, &call, &d) == 0 &&
	    map_isup_from_call(&call, &t, &isup, &d) == 0 && map_isup_to_call(&isup, &t, 1, &back, &d) == 0)
		map_call_to_sip(&back, &t, map_tables_trunk(&t, "default"), &o, &out, &d);
	if (map_sip_to_call(msg, &t, map_tables_trunk(&t, "default"), 0, &call, &d) == 0 &&
	    map_q931_from_call(&call, &t, MAP_PROTO_QSIG, NULL, &q, &d) == 0 &&
	    map_q931_to_call(&q, &t, NULL, 0, &back, &d) == 0)
		map_call_to_sip(&back, &t, map_tables_trunk(&t, "default"), &o, &out, &d);
	osip_message_free(msg);
	return 0;
}
