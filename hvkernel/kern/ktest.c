/* The in-kernel test runner: selection, leak checks, results on the result channel. */
#include <stdarg.h>
#include <hv/errno.h>
#include <kern/blkrecov.h>
#include <kern/cmdline.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/panic.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/verifier.h>
#include <lib/fmt.h>

#define KTEST_MAX_METRICS	16

struct ktest_ctx {
	const struct ktest *test;
	int expect_recovery;		/* ktest_expect_recovery() */
	char msg[200];
	uint64_t allow_pages, allow_allocs;	/* ktest_allow_leak */
	int nmetrics;
	struct { char name[32]; char unit[16]; uint64_t value; } metrics[KTEST_MAX_METRICS];
};

extern const struct ktest _ktests_start[], _ktests_end[];

void ktest_expect_recovery(struct ktest_ctx *t)
{
	t->expect_recovery = 1;
}

void ktest_allow_leak(struct ktest_ctx *t, uint64_t pages, uint64_t allocs)
{
	t->allow_pages = pages;
	t->allow_allocs = allocs;
}

void ktest_msg(struct ktest_ctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

void ktest_metric(struct ktest_ctx *t, const char *name, uint64_t value, const char *unit)
{
	if (t->nmetrics == KTEST_MAX_METRICS)
		return;
	strlcpy(t->metrics[t->nmetrics].name, name, sizeof(t->metrics[0].name));
	strlcpy(t->metrics[t->nmetrics].unit, unit, sizeof(t->metrics[0].unit));
	t->metrics[t->nmetrics].value = value;
	t->nmetrics++;
}

const char *ktest_param(struct ktest_ctx *t, const char *key, const char *def)
{
	char full[64];

	fmt_snprintf(full, sizeof(full), "%s.%s", t->test->suite, key);
	const char *v = cmdline_get(full);
	return v ? v : def;
}

uint64_t ktest_param_u64(struct ktest_ctx *t, const char *key, uint64_t def)
{
	char full[64];

	fmt_snprintf(full, sizeof(full), "%s.%s", t->test->suite, key);
	return cmdline_get_u64(full, def);
}

static const char *const ktest_status_names[] = { "pass", "fail", "skip", "error" };

/* Does selection (comma-separated "suite", "suite.name" or "all") pick this test? */
static int ktest_selected(const struct ktest *k, const char *sel)
{
	size_t ls = strlen(k->suite), ln = strlen(k->name);

	while (*sel) {
		const char *end = strchr(sel, ',');
		size_t len = end ? (size_t)(end - sel) : strlen(sel);
		if (len == 3 && strncmp(sel, "all", 3) == 0 && !k->manual)
			return 1;
		if (len == ls && strncmp(sel, k->suite, ls) == 0 && !k->manual)
			return 1;
		if (len == ls + 1 + ln && strncmp(sel, k->suite, ls) == 0 && sel[ls] == '.' &&
		    strncmp(sel + ls + 1, k->name, ln) == 0)
			return 1;
		sel += len + (end ? 1 : 0);
	}
	return 0;
}

/* Every word of the selection must name something, or the run is an error: a typo must
 * never turn into "0 tests, all passed". */
static int ktest_selection_valid(const char *sel)
{
	int ok = 1;

	while (*sel) {
		const char *end = strchr(sel, ',');
		size_t len = end ? (size_t)(end - sel) : strlen(sel);
		int found = len == 3 && strncmp(sel, "all", 3) == 0;
		for (const struct ktest *k = _ktests_start; k < _ktests_end && !found; k++) {
			size_t ls = strlen(k->suite), ln = strlen(k->name);
			if ((len == ls && strncmp(sel, k->suite, ls) == 0) ||
			    (len == ls + 1 + ln && strncmp(sel, k->suite, ls) == 0 && sel[ls] == '.' &&
			     strncmp(sel + ls + 1, k->name, ln) == 0))
				found = 1;
		}
		if (!found) {
			klog("ktest: test=%.*s names no suite or test", (int)len, sel);
			ok = 0;
		}
		sel += len + (end ? 1 : 0);
	}
	return ok;
}

static enum ktest_status ktest_run_one(const struct ktest *k, int *counts)
{
	static struct ktest_ctx ctx;
	struct mem_counters before, after;
	char id[80];

	memset(&ctx, 0, sizeof(ctx));
	ctx.test = k;
	fmt_snprintf(id, sizeof(id), "%s.%s", k->suite, k->name);
	klog("ktest: %s: start", id);
	/* The verifier's quarantine is emptied (and checked) on both sides, so the counters
	 * see what the test itself left. */
	vf_mem_drain();
	vf_set_test(id);
	unsigned vf_before = vf_violations();
	mem_get_counters(&before);
	struct blkrecov_counts rec0, rec1;
	blkrecov_get(&rec0);
	uint64_t t0 = time_us();
	enum ktest_status st = k->fn(&ctx);
	uint64_t dur = time_us() - t0;
	blkrecov_get(&rec1);
	blkrecov_report(id);
	/* A request that completed only through a driver's timeout, abort or reset hides a
	 * lost completion: it fails the test unless the test injected the timeouts. */
	if (st == KTEST_PASS && rec1.requests != rec0.requests && !ctx.expect_recovery) {
		ktest_msg(&ctx, "%llu requests completed only through a driver's recovery, not by "
			  "the device: a lost completion (%llu recoveries, see the recovery records)",
			  (unsigned long long)(rec1.requests - rec0.requests),
			  (unsigned long long)(rec1.events - rec0.events));
		st = KTEST_FAIL;
	}
	vf_mem_drain();
	vf_set_test(0);
	mem_get_counters(&after);
	if (vf_violations() != vf_before && st == KTEST_PASS) {
		ktest_msg(&ctx, "verifier: %u violation(s), the first %s (violation records)",
			  vf_violations() - vf_before, vf_first_kind_since(vf_before));
		st = KTEST_FAIL;
	}

	if (st == KTEST_PASS) {
		/* Only growth is a leak: a test may legitimately free what existed before it
		 * (a hot-unplugged device and its driver's memory). */
		/* The IOMMU's page tables follow where DMA memory lies (a driver that frees and
		 * allocates again may land in another 2 MiB range): not a leak of the test's. */
		uint64_t free0 = before.pages_free + before.pages_iommu;
		uint64_t free1 = after.pages_free + after.pages_iommu;
		if (free1 + ctx.allow_pages < free0) {
			ktest_msg(&ctx, "leak: %lld pages", (long long)(free0 - free1));
			st = KTEST_FAIL;
		} else if (after.heap_allocs > before.heap_allocs + ctx.allow_allocs) {
			ktest_msg(&ctx, "leak: %lld heap allocations (%lld bytes)",
				  (long long)(after.heap_allocs - before.heap_allocs),
				  (long long)(after.heap_bytes - before.heap_bytes));
			st = KTEST_FAIL;
		} else if (after.heap_bad_frees != before.heap_bad_frees) {
			ktest_msg(&ctx, "%llu bad or double frees",
				  (unsigned long long)(after.heap_bad_frees - before.heap_bad_frees));
			st = KTEST_FAIL;
		}
	}
	for (int i = 0; i < ctx.nmetrics; i++) {
		hvr_begin("metric");
		hvr_str("test", id);
		hvr_str("name", ctx.metrics[i].name);
		hvr_u64("value", ctx.metrics[i].value);
		hvr_str("unit", ctx.metrics[i].unit);
		hvr_end();
	}
	hvr_begin("test");
	hvr_str("suite", k->suite);
	hvr_str("name", k->name);
	hvr_str("status", ktest_status_names[st]);
	hvr_u64("us", dur);
	hvr_str("msg", ctx.msg);
	hvr_end();
	klog("ktest: %s: %s (%llu us)%s%s", id, ktest_status_names[st], (unsigned long long)dur,
	     ctx.msg[0] ? ": " : "", ctx.msg);
	counts[st]++;
	return st;
}

/* Writes what the selection expanded to ("suite.name,..." in run order) before the first test,
 * in records of at most KTEST_SELECTED_MAX bytes: the host holds the run to it, so a test that
 * never reports, or a selection word that picked nothing, cannot pass for a clean run. */
#define KTEST_SELECTED_MAX	1024

static void ktest_selected_flush(const char *list)
{
	hvr_begin("selected");
	hvr_str("tests", list);
	hvr_end();
}

/* The order tests run in (and are announced in: certify blames by it): the section's,
 * with KTEST_MANUAL_LAST ones after all the others. */
static const struct ktest *ktest_scan(const struct ktest *k, int last)
{
	for (; k < _ktests_end; k++)
		if ((k->manual == 2) == last)
			return k;
	return last ? 0 : ktest_scan(_ktests_start, 1);
}

static const struct ktest *ktest_first(void)
{
	return ktest_scan(_ktests_start, 0);
}

static const struct ktest *ktest_after(const struct ktest *k)
{
	return ktest_scan(k + 1, k->manual == 2);
}

static void ktest_announce(const char *selection, int valid)
{
	static char list[KTEST_SELECTED_MAX];
	size_t len = 0;

	list[0] = '\0';
	for (const struct ktest *k = ktest_first(); valid && k; k = ktest_after(k)) {
		char id[80];
		size_t n;

		if (!ktest_selected(k, selection))
			continue;
		n = (size_t)fmt_snprintf(id, sizeof(id), "%s.%s", k->suite, k->name);
		if (len && len + 1 + n >= sizeof(list)) {
			ktest_selected_flush(list);
			len = 0;
		}
		len += (size_t)fmt_snprintf(list + len, sizeof(list) - len, "%s%s", len ? "," : "", id);
	}
	ktest_selected_flush(list);
}

int ktest_run_selected(const char *selection)
{
	int counts[4] = { 0, 0, 0, 0 };
	int valid = ktest_selection_valid(selection);

	ktest_announce(selection, valid);
	for (const struct ktest *k = ktest_first(); valid && k; k = ktest_after(k))
		if (ktest_selected(k, selection))
			ktest_run_one(k, counts);
	const char *status = !valid || counts[KTEST_ERROR] ? "error" :
			     counts[KTEST_FAIL] ? "fail" : "pass";
	hvr_begin("end");
	hvr_u64("passed", (uint64_t)counts[KTEST_PASS]);
	hvr_u64("failed", (uint64_t)counts[KTEST_FAIL]);
	hvr_u64("skipped", (uint64_t)counts[KTEST_SKIP]);
	hvr_u64("errors", (uint64_t)counts[KTEST_ERROR] + !valid);
	hvr_str("status", status);
	hvr_end();
	klog("ktest: %d passed, %d failed, %d skipped, %d errors", counts[0], counts[1], counts[2],
	     counts[3] + !valid);
	if (!valid || counts[KTEST_ERROR])
		return HV_EXIT_ERROR;
	return counts[KTEST_FAIL] ? HV_EXIT_FAIL : HV_EXIT_PASS;
}
