/* Tests for lib/pmm: ranges, alignment, double frees, and a randomized run against a model. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/bitops.h>
#include <lib/pmm.h>
#include "unit.h"

#define PG PMM_PAGE_SIZE

static uint64_t pt_bitmap[PMM_BITMAP_WORDS(4096)];
static struct pmm pt;

/* npages pages at base, everything released. */
static void pt_setup(uint64_t base, size_t npages)
{
	pmm_init(&pt, base, npages, pt_bitmap);
	pmm_release_range(&pt, base, (uint64_t)npages * PG);
}

static void test_pmm_init_reserved(void)
{
	uint64_t a = 0;

	memset(pt_bitmap, 0xa5, sizeof(pt_bitmap));
	pmm_init(&pt, 0x100000, 100, pt_bitmap);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), -HV_ENOMEM);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 2, 0, &a), -HV_ENOMEM);
	pmm_init(&pt, 0x100000, 0, pt_bitmap);
	pmm_release_range(&pt, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), -HV_ENOMEM);
}

static void test_pmm_release_rounds_inward(void)
{
	uint64_t a = 0;

	pmm_init(&pt, 0x100000, 100, pt_bitmap);
	pmm_release_range(&pt, 0x100000 + 1, 2 * PG);	/* only page 1 is whole */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 1);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), 0);
	CU_ASSERT_EQUAL(a, 0x101000);
	pmm_release_range(&pt, 0x100000, PG - 1);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
	pmm_release_range(&pt, 0x100000 + 10 * PG, 0);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
	pmm_release_range(&pt, 0x100000, 3 * PG);
	pmm_release_range(&pt, 0x100000, 3 * PG);	/* twice counts once */
	/* Release is unconditional: the caller knows better, even about page 1 it allocated. */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 3);
}

static void test_pmm_release_clips(void)
{
	pmm_init(&pt, 0x100000, 100, pt_bitmap);
	pmm_release_range(&pt, 0, 0x100000 + 3 * PG);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 3);
	pmm_release_range(&pt, 0x100000 + 98 * PG, 100 * PG);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 5);
	pmm_release_range(&pt, 0x100000 + 50 * PG, UINT64_MAX);	/* end wraps: saturate */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 53);
	pmm_release_range(&pt, 0, 0x100000);		/* entirely below */
	pmm_release_range(&pt, 0x100000 + 100 * PG, PG);	/* entirely above */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 53);
	CU_ASSERT_EQUAL(pt_bitmap[1] >> (100 - 64), 0);	/* bits past npages stay clear */
}

static void test_pmm_reserve_rounds_outward(void)
{
	uint64_t a = 0;

	pt_setup(0x100000, 100);
	pmm_reserve_range(&pt, 0x100000 + PG - 1, 2);	/* touches pages 0 and 1 */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 98);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), 0);
	CU_ASSERT_EQUAL(a, 0x102000);
	pmm_reserve_range(&pt, 0x100000 + 10 * PG, 0);	/* empty: nothing */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 97);
	pmm_reserve_range(&pt, 0x100000 + 99 * PG + 5, UINT64_MAX);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 96);
	pmm_reserve_range(&pt, 0, 0x100000 + 1);	/* clips, touches page 0 only */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 96);
	pmm_reserve_range(&pt, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
}

static void test_pmm_single_lowest_first(void)
{
	uint64_t a = 0, b = 0;

	pt_setup(0x200000, 200);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 1, &b), 0);
	CU_ASSERT_EQUAL(a, 0x200000);
	CU_ASSERT_EQUAL(b, 0x201000);
	CU_ASSERT_EQUAL(pmm_free(&pt, a, 1), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &b), 0);
	CU_ASSERT_EQUAL(b, a);			/* the hint moved back */
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 198);
}

static void test_pmm_exhaust_odd_size(void)
{
	static uint8_t seen[1000];
	uint64_t a;
	int dup = 0, n = 0;

	memset(seen, 0, sizeof(seen));
	pt_setup(0, 1000);
	while (pmm_alloc(&pt, 1, 0, &a) == 0) {
		size_t i = a / PG;

		dup += i >= 1000 || seen[i];
		if (i < 1000)
			seen[i] = 1;
		n++;
	}
	CU_ASSERT_EQUAL(n, 1000);
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), -HV_ENOMEM);
}

static void test_pmm_contiguous(void)
{
	uint64_t a = 0, b = 0;

	pt_setup(0, 256);
	pmm_reserve_range(&pt, 60 * PG, PG);		/* hole at page 60 */
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 70, 0, &a), 0);
	CU_ASSERT_EQUAL(a, 61 * PG);			/* crosses the word boundary at 64 */
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 60, 0, &b), 0);
	CU_ASSERT_EQUAL(b, 0);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 256 - 131);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 126, 0, &b), -HV_ENOMEM);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 125, 0, &b), 0);
	CU_ASSERT_EQUAL(b, 131 * PG);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 0);
}

static void test_pmm_fragmented(void)
{
	uint64_t a;

	pt_setup(0, 128);
	for (int i = 0; i < 128; i += 2)
		pmm_reserve_range(&pt, (uint64_t)i * PG, PG);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 64);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 2, 0, &a), -HV_ENOMEM);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 2, &a), -HV_ENOMEM);	/* every free page is odd */
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &a), 0);
	CU_ASSERT_EQUAL(a, PG);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 63);
}

static void test_pmm_alignment(void)
{
	uint64_t a = 0;

	pt_setup(0x103000, 1024);		/* base is not 64 KiB aligned */
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 16, &a), 0);
	CU_ASSERT_EQUAL(a, 0x110000);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 3, 4, &a), 0);
	CU_ASSERT_EQUAL(a % (4 * PG), 0);
	CU_ASSERT_EQUAL(a, 0x104000);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 512, 512, &a), 0);
	CU_ASSERT_EQUAL(a % (512 * PG), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 3, &a), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 6, &a), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 0, 1, &a), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, (size_t)1 << 40, &a), -HV_ENOMEM);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 2000, 0, &a), -HV_ENOMEM);
}

static void test_pmm_free_refused(void)
{
	uint64_t a = 0, b = 0, snap[PMM_BITMAP_WORDS(4096)];
	size_t nfree;

	pt_setup(0x100000, 300);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 8, 0, &a), 0);
	CU_ASSERT_EQUAL(pmm_alloc(&pt, 1, 0, &b), 0);
	CU_ASSERT_EQUAL(pmm_free(&pt, b, 1), 0);
	memcpy(snap, pt_bitmap, sizeof(snap));
	nfree = pmm_free_count(&pt);
	CU_ASSERT_EQUAL(pmm_free(&pt, b, 1), -HV_EINVAL);		/* double free */
	CU_ASSERT_EQUAL(pmm_free(&pt, a, 9), -HV_EINVAL);		/* last page is free */
	CU_ASSERT_EQUAL(pmm_free(&pt, a + 1, 1), -HV_EINVAL);	/* misaligned */
	CU_ASSERT_EQUAL(pmm_free(&pt, a - PG, 2), -HV_EINVAL);	/* below base */
	CU_ASSERT_EQUAL(pmm_free(&pt, 0x100000 + 300 * PG, 1), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_free(&pt, 0x100000 + 299 * PG, 2), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_free(&pt, a, SIZE_MAX), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_free(&pt, a, 0), -HV_EINVAL);
	CU_ASSERT_EQUAL(memcmp(snap, pt_bitmap, sizeof(snap)), 0);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), nfree);
	CU_ASSERT_EQUAL(pmm_free(&pt, a + 2 * PG, 3), 0);		/* part of a run is fine */
	CU_ASSERT_EQUAL(pmm_free(&pt, a, 8), -HV_EINVAL);
	CU_ASSERT_EQUAL(pmm_free(&pt, a, 2), 0);
	CU_ASSERT_EQUAL(pmm_free(&pt, a + 5 * PG, 3), 0);
	CU_ASSERT_EQUAL(pmm_free_count(&pt), 300);
}

/* --- randomized run against a byte-per-page model with the same lowest-fit policy --- */

#define PR_PAGES 700
#define PR_BASE  0x7000ull		/* page 7: alignment is physical, not relative */

static bool pr_free[PR_PAGES];

static long pr_model_alloc(size_t n, size_t align)
{
	if (align == 0)
		align = 1;
	for (size_t i = 0; i + n <= PR_PAGES; i++) {
		size_t run = 0;

		if (((PR_BASE / PG) + i) % align != 0)
			continue;
		while (run < n && pr_free[i + run])
			run++;
		if (run == n) {
			memset(&pr_free[i], 0, n);
			return (long)i;
		}
	}
	return -1;
}

static size_t pr_model_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < PR_PAGES; i++)
		n += pr_free[i];
	return n;
}

struct pr_live {
	uint64_t addr;
	size_t n;
};

static void test_pmm_random_vs_model(void)
{
	static const size_t aligns[] = { 0, 1, 2, 4, 8, 16, 64 };
	static struct pr_live live[PR_PAGES];
	uint64_t rng = unit_seed();
	size_t nlive = 0;
	int mismatch = 0, ops = 0;

	pt_setup(PR_BASE, PR_PAGES);
	for (size_t i = 0; i < PR_PAGES; i++)
		pr_free[i] = true;
	for (int step = 0; step < 20000; step++) {
		uint64_t r = unit_rand(&rng);
		unsigned op = r % 16;

		if (op < 8) {
			size_t n = 1 + (r >> 8) % (op < 5 ? 1 : 12);
			size_t align = aligns[(r >> 16) % 7];
			long want = pr_model_alloc(n, align);
			uint64_t a = 0;
			int rc = pmm_alloc(&pt, n, align, &a);

			if (want < 0) {
				mismatch += rc != -HV_ENOMEM;
			} else {
				mismatch += rc != 0 || a != PR_BASE + (uint64_t)want * PG;
				live[nlive++] = (struct pr_live){ PR_BASE + (uint64_t)want * PG, n };
			}
		} else if (op < 14 && nlive > 0) {
			size_t k = (r >> 8) % nlive;
			struct pr_live l = live[k];

			mismatch += pmm_free(&pt, l.addr, l.n) != 0;
			for (size_t i = 0; i < l.n; i++)
				pr_free[(l.addr - PR_BASE) / PG + i] = true;
			live[k] = live[--nlive];
			mismatch += pmm_free(&pt, l.addr, l.n) != -HV_EINVAL;	/* again */
		} else if (op == 14) {
			/* Reserve a random page range; live blocks in it become unfreeable. */
			size_t first = (r >> 8) % PR_PAGES, n = 1 + (r >> 20) % 4;

			pmm_reserve_range(&pt, PR_BASE + first * PG, n * PG);
			for (size_t i = first; i < first + n && i < PR_PAGES; i++)
				pr_free[i] = false;
		} else {
			size_t first = (r >> 8) % PR_PAGES, n = 1 + (r >> 20) % 4;

			/* Releasing under live blocks would make them double frees: skip those. */
			for (size_t j = 0; j < nlive; j++) {
				size_t lf = (live[j].addr - PR_BASE) / PG;
				if (lf < first + n && first < lf + live[j].n)
					n = 0;
			}
			pmm_release_range(&pt, PR_BASE + first * PG, n * PG);
			for (size_t i = first; i < first + n && i < PR_PAGES; i++)
				pr_free[i] = true;
		}
		mismatch += pmm_free_count(&pt) != pr_model_count();
		ops++;
	}
	CU_ASSERT_EQUAL(mismatch, 0);
	CU_ASSERT_EQUAL(ops, 20000);
}

/* Boot-sized: a million pages released and eaten one at a time stays fast (word scans). */
/* bitops_popcount64 (pmm's free-page counts) against a bit-by-bit count: the edges, every
 * single bit, every run of low bits, and pseudo-random words. */
static unsigned pt_bits_one_by_one(uint64_t x)
{
	unsigned n = 0;

	for (int i = 0; i < 64; i++)
		n += (unsigned)(x >> i) & 1;
	return n;
}

static void test_bitops_popcount(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	CU_ASSERT_EQUAL(bitops_popcount64(0), 0);
	CU_ASSERT_EQUAL(bitops_popcount64(~0ull), 64);
	for (int i = 0; i < 64; i++) {
		CU_ASSERT_EQUAL(bitops_popcount64(1ull << i), 1);
		CU_ASSERT_EQUAL(bitops_popcount64((1ull << i) - 1), (unsigned)i);
		CU_ASSERT_EQUAL(bitops_popcount64(~(1ull << i)), 63);
	}
	for (int i = 0; i < 10000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;	/* xorshift64 */
		CU_ASSERT_EQUAL(bitops_popcount64(x), pt_bits_one_by_one(x));
	}
}

static void test_pmm_large_range(void)
{
	size_t npages = 1u << 20, n = 0;
	uint64_t *bm = calloc(PMM_BITMAP_WORDS(npages), sizeof(uint64_t));
	struct pmm p;
	uint64_t a, last = 0;
	int order_ok = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bm);
	pmm_init(&p, 1ull << 32, npages, bm);
	pmm_release_range(&p, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(pmm_free_count(&p), npages);
	while (pmm_alloc(&p, 1, 0, &a) == 0) {
		order_ok &= n == 0 || a == last + PG;
		last = a;
		n++;
	}
	CU_ASSERT_EQUAL(n, npages);
	CU_ASSERT_TRUE(order_ok);
	CU_ASSERT_EQUAL(pmm_free(&p, 1ull << 32, npages), 0);
	CU_ASSERT_EQUAL(pmm_free_count(&p), npages);
	free(bm);
}

UNIT_SUITE(pmm_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_bitops_popcount),
		UNIT_TEST(test_pmm_init_reserved),
		UNIT_TEST(test_pmm_release_rounds_inward),
		UNIT_TEST(test_pmm_release_clips),
		UNIT_TEST(test_pmm_reserve_rounds_outward),
		UNIT_TEST(test_pmm_single_lowest_first),
		UNIT_TEST(test_pmm_exhaust_odd_size),
		UNIT_TEST(test_pmm_contiguous),
		UNIT_TEST(test_pmm_fragmented),
		UNIT_TEST(test_pmm_alignment),
		UNIT_TEST(test_pmm_free_refused),
		UNIT_TEST(test_pmm_random_vs_model),
		UNIT_TEST(test_pmm_large_range),
		UNIT_TEST_END
	};
	unit_add_suite("pmm", NULL, NULL, tests);
}
