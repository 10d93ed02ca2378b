/*
 * Host unit test runner: runs every suite that test files registered with UNIT_SUITE,
 * through CUnit's Basic interface, and writes "passed failed skipped\n" to $UNIT_COUNTS for
 * the `make check` summary. Usage: unit-tests [SUITE-PREFIX]. Exit 0 only when all passed.
 * A test that cannot run here calls unit_skip(): it is counted as skipped, not as passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "unit.h"

#define UNIT_MAX_SUITES 256

static struct {
	const char *name;
	unit_suite_fn fn;
} unit_suites[UNIT_MAX_SUITES];
static size_t unit_nsuites;
static unsigned unit_nskipped;

void unit_skip(const char *test, const char *why)
{
	printf("\nSKIP %s: %s\n", test, why);
	unit_nskipped++;
}

void unit_register(const char *name, unit_suite_fn fn)
{
	if (unit_nsuites == UNIT_MAX_SUITES) {
		fprintf(stderr, "unit: too many suites (max %d), cannot add %s\n",
			UNIT_MAX_SUITES, name);
		exit(2);
	}
	unit_suites[unit_nsuites].name = name;
	unit_suites[unit_nsuites].fn = fn;
	unit_nsuites++;
}

void unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
		    const struct unit_test *tests)
{
	CU_pSuite s = CU_add_suite(name, init, clean);

	if (!s) {
		fprintf(stderr, "unit: cannot add suite %s: %s\n", name, CU_get_error_msg());
		exit(2);
	}
	for (; tests->name; tests++) {
		if (!CU_add_test(s, tests->name, tests->fn)) {
			fprintf(stderr, "unit: cannot add test %s.%s: %s\n", name, tests->name,
				CU_get_error_msg());
			exit(2);
		}
	}
}

uint64_t unit_seed(void)
{
	const char *s = getenv("UNIT_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : 0x9e3779b97f4a7c15ull;

	return v ? v : 1;
}

/* Leaves active only the suites whose name starts with prefix; returns how many. */
static unsigned unit_filter(const char *prefix)
{
	unsigned n = 0;

	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
		int match = strncmp(s->pName, prefix, strlen(prefix)) == 0;

		CU_set_suite_active(s, match ? CU_TRUE : CU_FALSE);
		n += match;
	}
	return n;
}

static int unit_write_counts(const char *path, unsigned passed, unsigned failed,
			     unsigned skipped)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "%u %u %u\n", passed, failed, skipped);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const CU_RunSummary *sum;
	const char *counts = getenv("UNIT_COUNTS");
	unsigned passed, failed;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [SUITE-PREFIX]\n", argv[0]);
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit: CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (size_t i = 0; i < unit_nsuites; i++)
		unit_suites[i].fn();
	CU_set_fail_on_inactive(CU_FALSE);
	if (argc == 2 && unit_filter(argv[1]) == 0) {
		fprintf(stderr, "unit: no suite name starts with '%s'\n", argv[1]);
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "unit: CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	sum = CU_get_run_summary();
	/* A suite whose init or cleanup failed did not run its tests: count it as a failure. */
	failed = sum->nTestsFailed + sum->nSuitesFailed;
	passed = sum->nTestsRun - sum->nTestsFailed;
	/* A skipped test returned without failing: CUnit ran it, but it proved nothing. */
	passed = passed >= unit_nskipped ? passed - unit_nskipped : 0;
	printf("\nunit: %u tests passed, %u failed, %u skipped; %u assertions, %u failed\n",
	       passed, failed, unit_nskipped, sum->nAsserts, sum->nAssertsFailed);
	CU_cleanup_registry();
	if (counts && unit_write_counts(counts, passed, failed, unit_nskipped) < 0)
		return 2;
	return failed ? 1 : 0;
}
