/*
 * CUnit host test harness: how a test file adds its suites.
 *
 * Each test file registers itself; there is no central list to edit. Write:
 *
 *	#include "unit.h"
 *
 *	static void test_foo_basic(void) { CU_ASSERT_EQUAL(foo(1), 2); }
 *	static void test_foo_error(void) { CU_ASSERT(foo(-1) < 0); }
 *
 *	UNIT_SUITE(foo_suite)
 *	{
 *		static const struct unit_test tests[] = {
 *			UNIT_TEST(test_foo_basic),
 *			UNIT_TEST(test_foo_error),
 *			UNIT_TEST_END
 *		};
 *		unit_add_suite("foo", NULL, NULL, tests);
 *	}
 *
 * UNIT_SUITE defines a constructor that records the function before main() runs; main.c
 * calls every recorded function once the CUnit registry exists, and that function adds its
 * suites (with unit_add_suite, or directly with CU_add_suite/CU_add_test). A test file may
 * hold several UNIT_SUITE blocks with different names. Run one suite with
 * `build/tests/unit-tests NAME` (matches suite names starting with NAME).
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdint.h>
#include <CUnit/CUnit.h>

typedef void (*unit_suite_fn)(void);

/* Records fn to be called after CU_initialize_registry; used by UNIT_SUITE. */
void unit_register(const char *name, unit_suite_fn fn);

#define UNIT_SUITE(fn)							\
	static void fn(void);						\
	__attribute__((constructor)) static void fn##_reg(void)	\
	{								\
		unit_register(#fn, fn);					\
	}								\
	static void fn(void)

/* One entry of a test table for unit_add_suite. */
struct unit_test {
	const char *name;
	CU_TestFunc fn;
};

#define UNIT_TEST(fn)	{ #fn, fn }
#define UNIT_TEST_END	{ NULL, NULL }

/* Adds suite name (init/clean may be NULL) with the tests of a table ending in UNIT_TEST_END; exits on a CUnit error. */
void unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
		    const struct unit_test *tests);

/* Marks the running test as skipped (it cannot run here, for the reason why): it is printed
 * and counted as skipped, not passed. The test must return right after calling it. */
void unit_skip(const char *test, const char *why);

/* Deterministic xorshift64* generator for randomized tests; state must start nonzero. */
static inline uint64_t unit_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Seed for randomized tests: $UNIT_SEED if set, else a fixed value so runs repeat. */
uint64_t unit_seed(void);

/* The error hcl_list_parse gives for text, "" when it accepts it (test_hcl_list.c). */
const char *unit_hcl_list_err(const char *text);

#endif
