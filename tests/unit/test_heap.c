/* Tests for lib/heap: size classes, large blocks, alignment, bad frees, page accounting. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/heap.h>
#include "unit.h"

#define PG HEAP_PAGE_SIZE

/*
 * A page provider that records every grant, checks every return against it, and can
 * keep returned memory mapped (quarantine) so double-free tests read valid memory.
 */
struct hp_grant {
	void *real, *given;
	size_t n;
	bool live;
};

struct hp_prov {
	struct hp_grant *g;
	size_t ng, cap;
	size_t pages_out, limit;
	unsigned errors;	/* returns that matched no live grant */
	bool quarantine;	/* keep returned memory until hp_teardown */
	bool misalign;		/* hand out pages 64 bytes off a page boundary */
};

static struct hp_prov hp;
static struct heap hh;

static void *hp_page_alloc(void *ctx, size_t n)
{
	struct hp_prov *p = ctx;
	char *real;

	if (n > p->limit - p->pages_out)
		return NULL;
	if (p->ng == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		struct hp_grant *g = realloc(p->g, cap * sizeof(*g));

		if (!g)
			return NULL;
		p->g = g;
		p->cap = cap;
	}
	real = aligned_alloc(PG, (n + 1) * PG);
	if (!real)
		return NULL;
	p->g[p->ng++] = (struct hp_grant){ real, real + (p->misalign ? 64 : 0), n, true };
	p->pages_out += n;
	return real + (p->misalign ? 64 : 0);
}

static void hp_page_free(void *ctx, void *pg, size_t n)
{
	struct hp_prov *p = ctx;

	for (size_t i = p->ng; i-- > 0;) {
		struct hp_grant *g = &p->g[i];

		if (g->live && g->given == pg && g->n == n) {
			g->live = false;
			p->pages_out -= n;
			if (!p->quarantine) {
				free(g->real);
				*g = p->g[--p->ng];
			}
			return;
		}
	}
	p->errors++;
}

static void hp_setup(void)
{
	struct heap_ops ops = { hp_page_alloc, hp_page_free, &hp };

	hp = (struct hp_prov){ .limit = 1u << 16 };
	heap_init(&hh, &ops);
}

static void hp_teardown(void)
{
	for (size_t i = 0; i < hp.ng; i++)
		free(hp.g[i].real);
	free(hp.g);
	hp.g = NULL;
	hp.ng = hp.cap = 0;
}

static struct heap_stats hp_stats(void)
{
	struct heap_stats s;

	heap_get_stats(&hh, &s);
	return s;
}

/* The end state every test must reach: nothing held, everything given back exactly. */
static void hp_assert_empty(void)
{
	struct heap_stats s = hp_stats();

	CU_ASSERT_EQUAL(s.pages_held, 0);
	CU_ASSERT_EQUAL(s.allocs_in_use, 0);
	CU_ASSERT_EQUAL(s.bytes_in_use, 0);
	CU_ASSERT_EQUAL(hp.pages_out, 0);
	CU_ASSERT_EQUAL(hp.errors, 0);
}

static void test_heap_basic(void)
{
	struct heap_stats s;
	void *p;

	hp_setup();
	p = heap_alloc(&hh, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
	s = hp_stats();
	CU_ASSERT_EQUAL(s.allocs_in_use, 1);
	CU_ASSERT_EQUAL(s.bytes_in_use, 16);
	CU_ASSERT_EQUAL(s.pages_held, 1);
	CU_ASSERT_EQUAL(s.total_allocs, 1);
	CU_ASSERT_EQUAL(heap_free(&hh, p), 0);
	CU_ASSERT_EQUAL(heap_free(&hh, NULL), 0);
	s = hp_stats();
	CU_ASSERT_EQUAL(s.total_frees, 1);
	CU_ASSERT_EQUAL(s.bad_frees, 0);
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 0));
	CU_ASSERT_EQUAL(hp_stats().total_allocs, 1);
	hp_assert_empty();
	hp_teardown();
}

/* Every size from 1 to beyond a page, all live at once, none overlapping. */
static void test_heap_every_size(void)
{
	enum { N = 5000 };
	static unsigned char *p[N + 1];
	int misaligned = 0, corrupt = 0;

	hp_setup();
	for (size_t sz = 1; sz <= N; sz++) {
		p[sz] = heap_alloc(&hh, sz);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[sz]);
		misaligned += (uintptr_t)p[sz] % 16 != 0;
		memset(p[sz], (int)(sz & 0xff), sz);
	}
	for (size_t sz = 1; sz <= N; sz++)
		for (size_t i = 0; i < sz; i++)
			corrupt += p[sz][i] != (unsigned char)(sz & 0xff);
	CU_ASSERT_EQUAL(misaligned, 0);
	CU_ASSERT_EQUAL(corrupt, 0);
	CU_ASSERT_EQUAL(hp_stats().allocs_in_use, N);
	for (size_t sz = 1; sz <= N; sz += 2)		/* odd sizes first, then even */
		CU_ASSERT_EQUAL(heap_free(&hh, p[sz]), 0);
	for (size_t sz = 2; sz <= N; sz += 2)
		CU_ASSERT_EQUAL(heap_free(&hh, p[sz]), 0);
	hp_assert_empty();
	hp_teardown();
}

/* Slabs pack: 1000 16-byte objects take 4 pages, ten 2016-byte ones take 5. */
static void test_heap_slab_packing(void)
{
	static void *p[1000];

	hp_setup();
	for (int i = 0; i < 1000; i++)
		p[i] = heap_alloc(&hh, 16);
	CU_ASSERT_EQUAL(hp_stats().pages_held, 4);
	CU_ASSERT_EQUAL(hp_stats().bytes_in_use, 16000);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(heap_free(&hh, p[i]), 0);
	hp_assert_empty();
	for (int i = 0; i < 10; i++)
		p[i] = heap_alloc(&hh, 2016);
	CU_ASSERT_EQUAL(hp_stats().pages_held, 5);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(heap_free(&hh, p[i]), 0);
	hp_assert_empty();
	hp_teardown();
}

/* A slab page goes back the moment its last object does, not later. */
static void test_heap_slab_returned_at_once(void)
{
	void *a, *b;

	hp_setup();
	a = heap_alloc(&hh, 100);
	b = heap_alloc(&hh, 100);
	CU_ASSERT_EQUAL(hp.pages_out, 1);
	CU_ASSERT_EQUAL(heap_free(&hh, a), 0);
	CU_ASSERT_EQUAL(hp.pages_out, 1);
	CU_ASSERT_EQUAL(heap_free(&hh, b), 0);
	CU_ASSERT_EQUAL(hp.pages_out, 0);
	hp_assert_empty();
	hp_teardown();
}

static void test_heap_large(void)
{
	static const size_t sizes[] = { 2017, 4032, 4033, 4096, 10000, 1u << 20 };
	static const size_t pages[] = { 1, 1, 2, 2, 3, 257 };

	hp_setup();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = heap_alloc(&hh, sizes[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
		CU_ASSERT_EQUAL(hp_stats().pages_held, pages[i]);
		memset(p, 0x5a, sizes[i]);
		CU_ASSERT_EQUAL(p[sizes[i] - 1], 0x5a);
		CU_ASSERT_EQUAL(heap_free(&hh, p), 0);
		hp_assert_empty();
	}
	hp_teardown();
}

static void test_heap_aligned(void)
{
	static const size_t sizes[] = { 1, 48, 100, 3000, 5000 };
	void *p[13 * 5];
	int n = 0, bad = 0;

	hp_setup();
	for (size_t align = 1; align <= HEAP_MAX_ALIGN; align <<= 1) {
		for (size_t i = 0; i < 5; i++) {
			p[n] = heap_alloc_aligned(&hh, sizes[i], align);
			CU_ASSERT_PTR_NOT_NULL_FATAL(p[n]);
			bad += (uintptr_t)p[n] % align != 0 || (uintptr_t)p[n] % 16 != 0;
			memset(p[n], 0xee, sizes[i]);
			n++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(heap_alloc_aligned(&hh, 16, 3));
	CU_ASSERT_PTR_NULL(heap_alloc_aligned(&hh, 16, 48));
	CU_ASSERT_PTR_NULL(heap_alloc_aligned(&hh, 16, 8192));
	CU_ASSERT_PTR_NULL(heap_alloc_aligned(&hh, 0, 64));
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(heap_free(&hh, p[i]), 0);
	hp_assert_empty();
	hp_teardown();
}

static void test_heap_zalloc(void)
{
	unsigned char *p, *q;
	int nonzero = 0;

	hp_setup();
	p = heap_alloc(&hh, 200);
	q = heap_alloc(&hh, 200);	/* keeps the slab alive so p's slot is reused */
	memset(p, 0xff, 200);
	CU_ASSERT_EQUAL(heap_free(&hh, p), 0);
	p = heap_zalloc(&hh, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (int i = 0; i < 200; i++)
		nonzero += p[i] != 0;
	CU_ASSERT_EQUAL(nonzero, 0);
	CU_ASSERT_PTR_NULL(heap_zalloc(&hh, 0));
	CU_ASSERT_EQUAL(heap_free(&hh, p), 0);
	CU_ASSERT_EQUAL(heap_free(&hh, q), 0);
	hp_assert_empty();
	hp_teardown();
}

/* Each bad free is refused, counted, and leaves the heap exactly as it was. */
static void hp_expect_bad(void *p, size_t *bad)
{
	struct heap_stats before = hp_stats(), after;

	CU_ASSERT_EQUAL(heap_free(&hh, p), -HV_EINVAL);
	after = hp_stats();
	CU_ASSERT_EQUAL(after.bad_frees, before.bad_frees + 1);
	CU_ASSERT_EQUAL(after.allocs_in_use, before.allocs_in_use);
	CU_ASSERT_EQUAL(after.pages_held, before.pages_held);
	CU_ASSERT_EQUAL(after.total_frees, before.total_frees);
	(*bad)++;
}

static void test_heap_bad_frees(void)
{
	char *foreign = aligned_alloc(PG, 2 * PG);
	char *a, *b, *big, *page;
	struct heap other;
	struct heap_ops ops = { hp_page_alloc, hp_page_free, &hp };
	size_t bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(foreign);
	memset(foreign, 0, 2 * PG);
	hp_setup();
	hp.quarantine = true;
	heap_init(&other, &ops);
	a = heap_alloc(&hh, 32);
	b = heap_alloc(&hh, 32);
	big = heap_alloc(&hh, 3 * PG);
	memset(big, 0x33, 3 * PG);	/* big + PG's "header" is this data: keep it defined */
	page = (char *)((uintptr_t)a & ~(uintptr_t)(PG - 1));
	hp_expect_bad(foreign + 64, &bad);		/* not from any heap */
	hp_expect_bad(foreign + PG, &bad);		/* page aligned: header would precede */
	hp_expect_bad(a + 16, &bad);			/* inside an object */
	hp_expect_bad(a + 8, &bad);			/* not even 16-aligned */
	hp_expect_bad(page + 16, &bad);		/* inside the slab header */
	hp_expect_bad(page + PG - 16, &bad);		/* past the last object */
	hp_expect_bad(big + 16, &bad);			/* inside a large block */
	hp_expect_bad(big + PG, &bad);
	CU_ASSERT_EQUAL(heap_free(&other, a), -HV_EINVAL);	/* another heap's pointer */
	CU_ASSERT_EQUAL(heap_free(&hh, a), 0);
	hp_expect_bad(a, &bad);			/* double free, slab still held */
	CU_ASSERT_EQUAL(heap_free(&hh, b), 0);	/* slab page goes back here */
	hp_expect_bad(b, &bad);			/* double free, slab returned */
	CU_ASSERT_EQUAL(heap_free(&hh, big), 0);
	hp_expect_bad(big, &bad);			/* double free of a large block */
	CU_ASSERT_EQUAL(hp_stats().bad_frees, bad);
	/* Still consistent: new allocations work and everything returns. */
	a = heap_alloc(&hh, 32);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_EQUAL(heap_free(&hh, a), 0);
	hp_assert_empty();
	hp_teardown();
	free(foreign);
}

static void test_heap_exhaustion(void)
{
	void *p;

	hp_setup();
	hp.limit = 0;
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 16));
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 10000));
	CU_ASSERT_EQUAL(hp_stats().total_allocs, 0);
	hp.limit = 1;
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 10000));
	p = heap_alloc(&hh, 16);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 4000));
	CU_ASSERT_EQUAL(heap_free(&hh, p), 0);
	hp_assert_empty();
	hp_teardown();
}

static void test_heap_overflow(void)
{
	hp_setup();
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, SIZE_MAX));
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, SIZE_MAX - 15));
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, SIZE_MAX - PG));
	CU_ASSERT_PTR_NULL(heap_alloc_aligned(&hh, SIZE_MAX - 2 * PG, PG));
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, SIZE_MAX / 2));
	CU_ASSERT_PTR_NULL(heap_zalloc(&hh, SIZE_MAX));
	hp_assert_empty();
	hp_teardown();
}

/* A provider that breaks the page-alignment promise gets its page back and we fail. */
static void test_heap_misaligned_provider(void)
{
	hp_setup();
	hp.misalign = true;
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 16));
	CU_ASSERT_PTR_NULL(heap_alloc(&hh, 9000));
	hp_assert_empty();
	hp_teardown();
}

/* --- randomized run against a list of live blocks with fill patterns --- */

struct hr_live {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static size_t hr_size(uint64_t r, size_t *align)
{
	unsigned kind = r % 10;

	*align = 0;
	if (kind < 6)
		return 1 + (r >> 8) % 256;
	if (kind < 8)
		return 1 + (r >> 8) % 2048;
	if (kind < 9)
		return 2049 + (r >> 8) % 20000;
	*align = (size_t)1 << ((r >> 40) % 13);
	return 1 + (r >> 8) % 6000;
}

static void test_heap_random_vs_model(void)
{
	enum { MAXLIVE = 2000, STEPS = 40000 };
	static struct hr_live live[MAXLIVE];
	uint64_t rng = unit_seed() ^ 0x5eed;
	size_t nlive = 0, allocs = 0, frees = 0;
	int bad = 0;

	hp_setup();
	for (int step = 0; step < STEPS; step++) {
		uint64_t r = unit_rand(&rng);

		if (nlive < MAXLIVE && (nlive == 0 || r % 100 < 55)) {
			size_t align, size = hr_size(unit_rand(&rng), &align);
			unsigned char *p = align ? heap_alloc_aligned(&hh, size, align)
						 : heap_alloc(&hh, size);

			if (!p || (uintptr_t)p % (align > 16 ? align : 16) != 0) {
				bad++;
				continue;
			}
			live[nlive] = (struct hr_live){ p, size, (unsigned char)(r >> 32) };
			memset(p, live[nlive].fill, size);
			nlive++;
			allocs++;
		} else {
			size_t k = (r >> 8) % nlive;
			struct hr_live l = live[k];

			for (size_t i = 0; i < l.size; i++)
				bad += l.p[i] != l.fill;
			bad += heap_free(&hh, l.p) != 0;
			live[k] = live[--nlive];
			frees++;
		}
		if (hp_stats().allocs_in_use != nlive)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(hp_stats().total_allocs, allocs);
	CU_ASSERT_EQUAL(hp_stats().total_frees, frees);
	CU_ASSERT_EQUAL(hp_stats().pages_held, hp.pages_out);
	while (nlive > 0)
		CU_ASSERT_EQUAL(heap_free(&hh, live[--nlive].p), 0);
	hp_assert_empty();
	hp_teardown();
}

UNIT_SUITE(heap_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_heap_basic),
		UNIT_TEST(test_heap_every_size),
		UNIT_TEST(test_heap_slab_packing),
		UNIT_TEST(test_heap_slab_returned_at_once),
		UNIT_TEST(test_heap_large),
		UNIT_TEST(test_heap_aligned),
		UNIT_TEST(test_heap_zalloc),
		UNIT_TEST(test_heap_bad_frees),
		UNIT_TEST(test_heap_exhaustion),
		UNIT_TEST(test_heap_overflow),
		UNIT_TEST(test_heap_misaligned_provider),
		UNIT_TEST(test_heap_random_vs_model),
		UNIT_TEST_END
	};
	unit_add_suite("heap", NULL, NULL, tests);
}
