/* Tests for lib/pcibar: decoding BAR sizing results of every kind. */
#include <hv/errno.h>
#include <lib/pcibar.h>
#include "unit.h"

static void test_pcibar_mem32(void)
{
	struct pcibar b;

	CU_ASSERT_EQUAL(pcibar_decode(0xfebf0000u, 0, 0xfffe0000u, 0, &b), 1);
	CU_ASSERT_EQUAL(b.base, 0xfebf0000u);
	CU_ASSERT_EQUAL(b.size, 0x20000);
	CU_ASSERT_FALSE(b.io);
	CU_ASSERT_FALSE(b.mem64);
	CU_ASSERT_FALSE(b.prefetch);
	CU_ASSERT_EQUAL(pcibar_decode(0xd0000008u, 0x1234, 0xf0000008u, 0x5678, &b), 1);
	CU_ASSERT_EQUAL(b.base, 0xd0000000u);	/* the next register is not part of it */
	CU_ASSERT_EQUAL(b.size, 0x10000000u);
	CU_ASSERT_TRUE(b.prefetch);
}

static void test_pcibar_mem64(void)
{
	struct pcibar b;

	CU_ASSERT_EQUAL(pcibar_decode(0xe000000cu, 0x1, 0xf000000cu, 0xffffffffu, &b), 2);
	CU_ASSERT_EQUAL(b.base, 0x1e0000000ull);
	CU_ASSERT_EQUAL(b.size, 0x10000000u);
	CU_ASSERT_TRUE(b.mem64);
	CU_ASSERT_TRUE(b.prefetch);
	CU_ASSERT_FALSE(b.io);
	/* 16 GiB: no writable bit in the low half. */
	CU_ASSERT_EQUAL(pcibar_decode(0x0000000cu, 0x40, 0x0000000cu, 0xfffffffcu, &b), 2);
	CU_ASSERT_EQUAL(b.base, 0x4000000000ull);
	CU_ASSERT_EQUAL(b.size, 0x400000000ull);
	/* A 64-bit BAR left at 0 by firmware still sizes. */
	CU_ASSERT_EQUAL(pcibar_decode(0x4, 0, 0xffffc004u, 0xffffffffu, &b), 2);
	CU_ASSERT_EQUAL(b.base, 0);
	CU_ASSERT_EQUAL(b.size, 0x4000);
	CU_ASSERT_FALSE(b.prefetch);
}

static void test_pcibar_io(void)
{
	struct pcibar b;

	CU_ASSERT_EQUAL(pcibar_decode(0xe001, 0, 0xffffffe1u, 0, &b), 1);
	CU_ASSERT_TRUE(b.io);
	CU_ASSERT_EQUAL(b.base, 0xe000);
	CU_ASSERT_EQUAL(b.size, 32);
	CU_ASSERT_FALSE(b.mem64);
	CU_ASSERT_FALSE(b.prefetch);
	/* 16-bit decoder: the upper half reads 0. */
	CU_ASSERT_EQUAL(pcibar_decode(0xc001, 0, 0x0000ff01u, 0, &b), 1);
	CU_ASSERT_EQUAL(b.base, 0xc000);
	CU_ASSERT_EQUAL(b.size, 256);
	CU_ASSERT_EQUAL(pcibar_decode(0x3, 0, 0xfffd, 0, &b), 1);	/* bit 1 reserved */
	CU_ASSERT_EQUAL(b.size, 4);
	CU_ASSERT_EQUAL(b.base, 0);
}

static void test_pcibar_unimplemented(void)
{
	struct pcibar b = { 1, 2, true, true, true };

	CU_ASSERT_EQUAL(pcibar_decode(0, 0, 0, 0, &b), 0);
	CU_ASSERT_EQUAL(b.base, 0);
	CU_ASSERT_EQUAL(b.size, 0);
	CU_ASSERT_FALSE(b.io || b.mem64 || b.prefetch);
}

static void test_pcibar_nonsense(void)
{
	struct pcibar b = { 1, 2, true, true, true };

	/* Reserved memory types 01b and 11b. */
	CU_ASSERT_EQUAL(pcibar_decode(0x2, 0, 0xfff00002u, 0, &b), -HV_EINVAL);
	CU_ASSERT_EQUAL(b.size, 0);
	CU_ASSERT_FALSE(b.io || b.mem64 || b.prefetch);
	CU_ASSERT_EQUAL(pcibar_decode(0x6, 0, 0xfff00006u, 0xffffffffu, &b), -HV_EINVAL);
	/* Read-only type bits that changed under sizing. */
	CU_ASSERT_EQUAL(pcibar_decode(0x0, 0, 0xfff0000cu, 0, &b), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcibar_decode(0x8, 0, 0xfff00000u, 0, &b), -HV_EINVAL);
	/* Flag bits but not one writable address bit. */
	CU_ASSERT_EQUAL(pcibar_decode(0x8, 0, 0x8, 0, &b), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcibar_decode(0x4, 0, 0x4, 0, &b), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcibar_decode(0x1, 0, 0x1, 0, &b), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcibar_decode(0x1, 0, 0xffff0001u, 0, &b), -HV_EINVAL);
}

/* Every power-of-two size of every BAR kind decodes back to itself. */
static void test_pcibar_all_sizes(void)
{
	struct pcibar b;
	int bad = 0;

	for (int shift = 4; shift < 32; shift++) {
		uint32_t sized = ~((1u << shift) - 1);

		bad += pcibar_decode(0x8, 0, sized | 0x8, 0, &b) != 1 || b.size != 1ull << shift;
	}
	for (int shift = 4; shift < 64; shift++) {
		uint64_t sized = ~((1ull << shift) - 1);
		int rc = pcibar_decode(0x4, 0, (uint32_t)sized | 0x4, (uint32_t)(sized >> 32), &b);

		bad += rc != 2 || b.size != 1ull << shift || !b.mem64;
	}
	for (int shift = 2; shift <= 8; shift++) {
		uint32_t sized = ~((1u << shift) - 1) | 1;

		bad += pcibar_decode(0x1001, 0, sized, 0, &b) != 1 || b.size != 1u << shift;
		bad += pcibar_decode(0x1001, 0, sized & 0xffff, 0, &b) != 1 || b.size != 1u << shift;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

UNIT_SUITE(pcibar_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_pcibar_mem32),
		UNIT_TEST(test_pcibar_mem64),
		UNIT_TEST(test_pcibar_io),
		UNIT_TEST(test_pcibar_unimplemented),
		UNIT_TEST(test_pcibar_nonsense),
		UNIT_TEST(test_pcibar_all_sizes),
		UNIT_TEST_END
	};
	unit_add_suite("pcibar", NULL, NULL, tests);
}
