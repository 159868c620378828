/*
 * mapping_test.c - the mapping library's unit tests: every table row both ways, RFC 4458
 * examples, privacy, lossy cases, RFC 3398 tables, numbers, malformed input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

int main(void)
{
	static struct map_tables t;
	char err[MAP_TBL_ERR_LEN];

	if (map_tables_load_builtin(&t, err, sizeof(err)) < 0) {
		printf("FAIL built-in tables: %s\n0 passed, 1 failed\n", err);
		return 1;
	}
	test_tables = &t;
	table_tests();
	number_tests();
	sip_tests();
	tdm_tests();
	q850_tests();
	uui_tests();
	edge_tests();
	stack_tests();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
