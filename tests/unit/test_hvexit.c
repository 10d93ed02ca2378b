/* The kernel's exit codes (lib/hvexit.h) and the QEMU statuses they become: the values are
 * a protocol with the host (docs/result-channel.md), written out here by hand. */
#include <CUnit/CUnit.h>

#include <lib/hvexit.h>
#include "unit.h"

static void test_hvexit_codes(void)
{
	CU_ASSERT_EQUAL(HV_EXIT_PASS, 0x10);
	CU_ASSERT_EQUAL(HV_EXIT_FAIL, 0x11);
	CU_ASSERT_EQUAL(HV_EXIT_ERROR, 0x12);
	CU_ASSERT_EQUAL(HV_EXIT_POLICY, 0x13);
	CU_ASSERT_EQUAL(HV_EXIT_PANIC, 0x1f);
	CU_ASSERT_EQUAL(HV_EXIT_PORT, 0xf4);
}

/* QEMU's isa-debug-exit exits with (code << 1) | 1. */
static void test_hvexit_qemu_status(void)
{
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_STATUS(HV_EXIT_PASS), 33);
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_STATUS(HV_EXIT_FAIL), 35);
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_STATUS(HV_EXIT_ERROR), 37);
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_STATUS(HV_EXIT_POLICY), 39);
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_STATUS(HV_EXIT_PANIC), 63);
	CU_ASSERT_EQUAL(HV_EXIT_QEMU_RESET, 0);
}

UNIT_SUITE(hvexit_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hvexit_codes),
		UNIT_TEST(test_hvexit_qemu_status),
		UNIT_TEST_END
	};
	unit_add_suite("hvexit", NULL, NULL, tests);
}
