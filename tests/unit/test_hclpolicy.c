/* The compatibility verdict and the server rule (lib/hclpolicy.c) that `hcl check` and the
 * kernel's boot policy share. */
#include <string.h>
#include <CUnit/CUnit.h>

#include <lib/hclpolicy.h>
#include "unit.h"

/* Without a list, NICs and storage are not certified, infrastructure is ignored, and a
 * class without a driver class is said so. */
static void test_hclpolicy_classes(void)
{
	struct pcimatch_dev nic = { 0x8086, 0x100e, 0, 0, 0x020000 };
	struct pcimatch_dev bridge = { 0x8086, 0x29c0, 0, 0, 0x060000 };
	struct pcimatch_dev smbus = { 0x8086, 0x2930, 0, 0, 0x0c0500 };
	struct pcimatch_dev vga = { 0x1234, 0x1111, 0, 0, 0x030000 };
	struct hclbin_entry e;
	bool has, depr;

	CU_ASSERT_EQUAL(hclpolicy_verdict(NULL, 0, &nic, &e, &has, &depr), HCLPOLICY_NOT_CERTIFIED);
	CU_ASSERT(!has && !depr);
	CU_ASSERT_EQUAL(hclpolicy_verdict(NULL, 0, &bridge, &e, &has, &depr), HCLPOLICY_IGNORED);
	CU_ASSERT_EQUAL(hclpolicy_verdict(NULL, 0, &smbus, &e, &has, &depr), HCLPOLICY_IGNORED);
	CU_ASSERT_EQUAL(hclpolicy_verdict(NULL, 0, &vga, &e, &has, &depr), HCLPOLICY_NO_DRIVER);
	CU_ASSERT_STRING_EQUAL(hclpolicy_verdict_name(HCLPOLICY_NOT_CERTIFIED), "not-certified");
}

/* Bootable needs a certified NIC and a certified storage controller; uncertified devices
 * and other classes never count; what is missing is named. */
static void test_hclpolicy_server(void)
{
	struct hclpolicy_server s = { 0 };

	CU_ASSERT(!hclpolicy_server_bootable(&s));
	CU_ASSERT_STRING_EQUAL(hclpolicy_server_missing(&s),
			       "no certified NIC and no certified storage controller");
	hclpolicy_server_add(&s, 0x020000, false);	/* a NIC, not certified */
	hclpolicy_server_add(&s, 0x060400, true);	/* a bridge */
	hclpolicy_server_add(&s, 0x010802, true);	/* NVMe */
	CU_ASSERT(s.nics == 0 && s.storage == 1);
	CU_ASSERT(!hclpolicy_server_bootable(&s));
	CU_ASSERT_STRING_EQUAL(hclpolicy_server_missing(&s), "no certified NIC");
	hclpolicy_server_add(&s, 0x020000, true);
	CU_ASSERT(hclpolicy_server_bootable(&s));
	CU_ASSERT_STRING_EQUAL(hclpolicy_server_missing(&s), "");
	memset(&s, 0, sizeof(s));
	hclpolicy_server_add(&s, 0x020000, true);
	CU_ASSERT_STRING_EQUAL(hclpolicy_server_missing(&s), "no certified storage controller");
}

UNIT_SUITE(hclpolicy_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hclpolicy_classes),
		UNIT_TEST(test_hclpolicy_server),
		UNIT_TEST_END
	};
	unit_add_suite("hclpolicy", NULL, NULL, tests);
}
