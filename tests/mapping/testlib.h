/*
 * testlib.h - a minimal table-driven test harness: every check prints on failure, the run ends
 * with "N passed, N failed".
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include "map_table.h"

extern int test_passed, test_failed;
extern const struct map_tables *test_tables;	/* the built-in tables */

void test_ok(int cond, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void test_int(long got, long want, const char *file, int line, const char *what);
void test_str(const char *got, const char *want, const char *file, int line, const char *what);

#define CHECK(cond, ...) test_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want, what) test_int((long)(got), (long)(want), __FILE__, __LINE__, what)
#define CHECK_STR(got, want, what) test_str(got, want, __FILE__, __LINE__, what)

/* test groups */
void table_tests(void);
void number_tests(void);
void sip_tests(void);
void tdm_tests(void);
void q850_tests(void);
void uui_tests(void);
void edge_tests(void);
void stack_tests(void);

#endif
