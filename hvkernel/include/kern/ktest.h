/*
 * In-kernel tests. A test is a function placed in the .ktests section by KTEST(); the
 * command line picks them: "test=SUITE" runs a suite, "test=SUITE.NAME" one test, several
 * separated by commas, "test=all" everything not marked manual. Parameters are read with
 * ktest_param() from "SUITE.KEY=VALUE" words. Every test's page and heap counters are
 * compared before and after: a leak turns a pass into a fail.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

#include <stdint.h>

enum ktest_status { KTEST_PASS, KTEST_FAIL, KTEST_SKIP, KTEST_ERROR };

struct ktest_ctx;

struct ktest {
	const char *suite;
	const char *name;
	enum ktest_status (*fn)(struct ktest_ctx *t);
	int manual;		/* only when named explicitly (panics, long soaks); 2: and run
				 * after every other selected test (one that removes drivers) */
};

#define KTEST_DEFINE(suite_, name_, manual_)						\
	static enum ktest_status ktest_##suite_##_##name_(struct ktest_ctx *t);		\
	static const struct ktest ktest_desc_##suite_##_##name_				\
		__attribute__((used, section(".ktests"), aligned(8))) =			\
		{ #suite_, #name_, ktest_##suite_##_##name_, manual_ };			\
	static enum ktest_status ktest_##suite_##_##name_(struct ktest_ctx *t)

#define KTEST(suite, name)		KTEST_DEFINE(suite, name, 0)
#define KTEST_MANUAL(suite, name)	KTEST_DEFINE(suite, name, 1)
#define KTEST_MANUAL_LAST(suite, name)	KTEST_DEFINE(suite, name, 2)

/* Record why the test failed / was skipped (the last message wins). */
void ktest_msg(struct ktest_ctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The test injects timeouts itself: requests its drivers complete through their recovery
 * (hv_blkdev_recovery) do not fail it. */
void ktest_expect_recovery(struct ktest_ctx *t);
/* Memory the test keeps on purpose (a contained driver's: kern/contain.c): the leak check
 * accepts up to this many pages and heap allocations more than before. */
void ktest_allow_leak(struct ktest_ctx *t, uint64_t pages, uint64_t allocs);
/* Record a named metric of this test (reported on the result channel). */
void ktest_metric(struct ktest_ctx *t, const char *name, uint64_t value, const char *unit);
/* "SUITE.KEY" from the command line, or def. */
const char *ktest_param(struct ktest_ctx *t, const char *key, const char *def);
uint64_t ktest_param_u64(struct ktest_ctx *t, const char *key, uint64_t def);

/* Fail the test with a message when cond is false. */
#define KT_CHECK(t, cond, ...)					\
	do { if (!(cond)) { ktest_msg((t), __VA_ARGS__); return KTEST_FAIL; } } while (0)

/* Run the tests the command line selects. Returns the exit code for kexit(). */
int ktest_run_selected(const char *selection);

#endif
