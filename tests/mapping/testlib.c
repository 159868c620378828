/*
 * testlib.c - check helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"

int test_passed, test_failed;
const struct map_tables *test_tables;

void test_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		test_passed++;
		return;
	}
	test_failed++;
	printf("FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void test_int(long got, long want, const char *file, int line, const char *what)
{
	test_ok(got == want, file, line, "%s: got %ld, want %ld", what, got, want);
}

void test_str(const char *got, const char *want, const char *file, int line, const char *what)
{
	test_ok(got && want && !strcmp(got, want), file, line, "%s: got '%s', want '%s'", what, got ? got : "(null)",
		want ? want : "(null)");
}
