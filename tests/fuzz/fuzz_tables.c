/*
 * fuzz_tables.c - libFuzzer target: any text as each table file in turn (the rest built in).
 * Built and run by "make fuzz".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct map_tables t;
	struct map_tbl_src src[32];
	char err[MAP_TBL_ERR_LEN], *text;
	size_t i, n;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = map_tables_builtin_count < 32 ? map_tables_builtin_count : 32;
	for (i = 0; i < n; i++) {
		memcpy(src, map_tables_builtin, n * sizeof(src[0]));
		src[i].text = text;
		map_tables_load(&t, src, n, err, sizeof(err));
	}
	free(text);
	return 0;
}
