/* Tests for certify/pcioracle: flattening query-pci and comparing it with pci records. */
#include <string.h>

#include "../../certify/pcioracle.h"
#include "unit.h"

/* query-pci as QEMU 7.2 answers on q35 with a pci-bridge and a device behind it (trimmed). */
static const char oracle_json[] =
	"[{\"bus\": 0, \"devices\": ["
	" {\"bus\": 0, \"slot\": 0, \"function\": 0, \"class_info\": {\"class\": 1536, \"desc\": \"Host bridge\"},"
	"  \"id\": {\"device\": 10688, \"subsystem-vendor\": 6900, \"vendor\": 32902, \"subsystem\": 4352}, \"regions\": []},"
	" {\"bus\": 0, \"slot\": 1, \"function\": 0, \"class_info\": {\"class\": 512},"
	"  \"id\": {\"device\": 4110, \"subsystem-vendor\": 6900, \"vendor\": 32902, \"subsystem\": 4352}},"
	" {\"bus\": 0, \"slot\": 2, \"function\": 0, \"class_info\": {\"class\": 1540, \"desc\": \"PCI bridge\"},"
	"  \"id\": {\"device\": 1, \"vendor\": 6966},"
	"  \"pci_bridge\": {\"bus\": {\"number\": 0, \"secondary\": 1, \"subordinate\": 1},"
	"   \"devices\": [{\"bus\": 1, \"slot\": 1, \"function\": 0, \"class_info\": {\"class\": 512},"
	"    \"id\": {\"device\": 4110, \"subsystem-vendor\": 6900, \"vendor\": 32902, \"subsystem\": 4352}}]}}"
	"]}]";

/* The kernel's view of the same machine. */
static const struct hvr_pci oracle_kernel[] = {
	{ "0000:00:00.0", 0, 0, 0, 0, 0x8086, 0x29c0, 0x1af4, 0x1100, 0x060000, 0, 0, "-", "", "", "" },
	{ "0000:00:01.0", 0, 0, 1, 0, 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, 3, 0, "e1000", "", "", "" },
	{ "0000:00:02.0", 0, 0, 2, 0, 0x1b36, 0x0001, 0x0000, 0x0000, 0x060400, 0, 1, "-", "", "", "" },
	{ "0000:01:01.0", 0, 1, 1, 0, 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, 3, 0, "e1000", "", "", "" },
};

#define NK (sizeof(oracle_kernel) / sizeof(oracle_kernel[0]))

static struct certify_pcilist oracle_load(void)
{
	struct certify_pcilist l = { NULL, 0 };
	struct certify_err err;
	json_object *j = json_tokener_parse(oracle_json);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(certify_pci_from_qmp(j, &l, &err), 0);
	json_object_put(j);
	return l;
}

static void test_oracle_flatten(void)
{
	struct certify_pcilist l = oracle_load();

	CU_ASSERT_EQUAL_FATAL(l.n, 4);
	CU_ASSERT_EQUAL(l.fn[3].bus, 1);		/* found behind the bridge */
	CU_ASSERT_EQUAL(l.fn[3].dev, 1);
	CU_ASSERT_EQUAL(l.fn[1].class, 0x0200);
	CU_ASSERT_EQUAL(l.fn[1].vid, 0x8086);
	CU_ASSERT_EQUAL(l.fn[2].has_subsys, 0);	/* bridges: QEMU reports no subsystem */
	CU_ASSERT_EQUAL(l.fn[0].has_subsys, 1);
	CU_ASSERT_EQUAL(l.fn[0].ssid, 0x1100);
	CU_ASSERT_EQUAL(l.fn[0].has_rev, 0);
	certify_pcilist_free(&l);
}

static void test_oracle_equal(void)
{
	struct certify_pcilist l = oracle_load();
	struct certify_strv diffs = { NULL, 0, 0 };

	CU_ASSERT_EQUAL(certify_pci_compare(&l, oracle_kernel, NK, &diffs), 0);
	CU_ASSERT_EQUAL(diffs.n, 0);
	certify_pcilist_free(&l);
}

static void test_oracle_differences(void)
{
	struct certify_pcilist l = oracle_load();
	struct certify_strv diffs = { NULL, 0, 0 };
	struct hvr_pci k[NK + 1];

	memcpy(k, oracle_kernel, sizeof(oracle_kernel));
	k[1].class = 0x020100;		/* wrong subclass */
	k[1].svid = 0x1234;		/* wrong subsystem */
	k[0].did = 0x29c1;		/* wrong device ID */
	k[2].svid = 0xdead;		/* not compared: QEMU reports none for bridges */
	k[3] = oracle_kernel[3];
	k[3].bus = 2;			/* QEMU's 01:01.0 missing, kernel's 02:01.0 extra */
	strcpy(k[3].slot, "0000:02:01.0");
	k[4] = oracle_kernel[1];	/* 00:01.0 reported twice */
	CU_ASSERT_EQUAL(certify_pci_compare(&l, k, NK + 1, &diffs), 6);
	CU_ASSERT_EQUAL_FATAL(diffs.n, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[0], "0000:00:00.0: IDs: kernel 8086:29c1, QEMU 8086:29c0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[1], "0000:00:01.0: class"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[2], "0000:00:01.0: subsystem"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[3], "0000:01:01.0: missing from the kernel's list"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[4], "0000:02:01.0: reported by the kernel"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diffs.v[5], "more than once"));
	certify_strv_free(&diffs);
	certify_pcilist_free(&l);
}

static void test_oracle_bad_json(void)
{
	static const char *const bad[] = {
		"{\"bus\": 0}",
		"[{\"bus\": 0}]",
		"[{\"bus\": 0, \"devices\": {}}]",
		"[{\"bus\": 0, \"devices\": [{\"bus\": 0, \"slot\": 1}]}]",
	};
	struct certify_pcilist l;
	struct certify_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = json_tokener_parse(bad[i]);

		err.msg[0] = '\0';
		CU_ASSERT_EQUAL(certify_pci_from_qmp(j, &l, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "query-pci"));
		CU_ASSERT_EQUAL(l.n, 0);
		json_object_put(j);
	}
}

UNIT_SUITE(certify_oracle_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_oracle_flatten),
		UNIT_TEST(test_oracle_equal),
		UNIT_TEST(test_oracle_differences),
		UNIT_TEST(test_oracle_bad_json),
		UNIT_TEST_END
	};
	unit_add_suite("certify_oracle", NULL, NULL, tests);
}
