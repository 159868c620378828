/*
 * fuzz_kv.c - libFuzzer target: any text as gwmap's key=value form (raw hex parameters included)
 * through ISUP and Q.931 decoding to SIP.  Built and run by "make fuzz".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map_kv.h"
#include "map_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct map_tables t;
	static struct map_kv kv;
	static int loaded;
	struct map_sip_out_opts o = { "um.example.com", NULL, 1 };
	struct map_sip_out out;
	struct map_call call;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;
	char err[MAP_TBL_ERR_LEN], *text;
	int proto;

	if (!loaded && map_tables_load_builtin(&t, err, sizeof(err)) == 0)
		loaded = 1;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (proto = -1; proto <= MAP_PROTO_ETSI; proto++) {
		map_diag_init(&d);
		if (map_kv_parse(&kv, text, "fuzz", &d) < 0)
			break;
		if (proto < 0 ? map_kv_to_isup(&kv, "fuzz", &isup, &d) || map_isup_to_call(&isup, &t, 1, &call, &d)
			      : map_kv_to_q931(&kv, "fuzz", proto, &q, &d) || map_q931_to_call(&q, &t, "ni2", 1, &call, &d))
			continue;
		map_call_to_sip(&call, &t, map_tables_trunk(&t, "default"), &o, &out, &d);
	}
	free(text);
	return 0;
}
