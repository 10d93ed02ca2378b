/* Tests for hcl inventories (every input format) and the per-device and server verdicts. */
#include <stdlib.h>
#include <string.h>
#include "../../hcl/hcl.h"
#include "unit.h"

static void test_hcl_inv_nn(void)
{
	struct hcl_inv inv;
	struct hcl_err err;
	const char *t =
		"00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02) (prog-if 01 [AHCI 1.0])\n"
		"\tSubsystem: Red Hat, Inc. QEMU Virtual Machine [1af4:1100]\n"
		"\tKernel driver in use: ahci\n"
		"0001:3b:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572] (rev 02)\n";

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "t", t, &err), 0);
	CU_ASSERT_EQUAL(inv.n, 2);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].slot, "00:1f.2");
	CU_ASSERT_EQUAL(inv.devs[0].class, 0x010601);
	CU_ASSERT_EQUAL(inv.devs[0].svid, 0x1af4);
	CU_ASSERT_EQUAL(inv.devs[0].ssid, 0x1100);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].driver, "ahci");
	CU_ASSERT_STRING_EQUAL(inv.devs[1].slot, "0001:3b:00.0");
	CU_ASSERT_EQUAL(inv.devs[1].did, 0x1572);
	CU_ASSERT_EQUAL(inv.devs[1].svid, 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "lspci-nn");
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "t", "00:00.0 Host bridge: Intel Corporation 440FX\n", &err), -1);
	CU_ASSERT(strstr(err.msg, "t:1: not an lspci -nn line") != NULL);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "t", "\n\n", &err), -1);
	CU_ASSERT(strstr(err.msg, "no PCI devices found") != NULL);
}

static void test_hcl_inv_vmm(void)
{
	struct hcl_inv inv;
	struct hcl_err err;
	const char *t = "Slot:\t00:03.0\nClass:\tEthernet controller [0200]\nVendor:\tIntel Corporation [8086]\n"
			"Device:\t82540EM Gigabit Ethernet Controller [100e]\nSVendor:\tIntel Corporation [8086]\n"
			"SDevice:\tPRO/1000 MT Desktop Adapter [001e]\nRev:\t03\nDriver:\te1000\n\n"
			"Slot:\t00:1f.3\nClass:\tSMBus [0c05]\nVendor:\tIntel Corporation [8086]\nDevice:\t82801I SMBus [2930]\n"
			"SVendor:\tUnknown [0000]\nSDevice:\tUnknown [0000]\nProgIf:\t00\n";

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "v", t, &err), 0);
	CU_ASSERT_EQUAL(inv.n, 2);
	CU_ASSERT_EQUAL(inv.devs[0].ssid, 0x001e);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].driver, "e1000");
	CU_ASSERT_EQUAL(inv.devs[1].class, 0x0c0500);
	CU_ASSERT_EQUAL(inv.devs[1].svid, 0);
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "v", "Slot:\t00:03.0\nClass:\tEthernet controller [0200]\nno tab here\n", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "v:3: expected \"Tag:<TAB>value\"");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "v", "Slot:\t00:03.0\nClass:\tEthernet controller [0200]\n\n", &err), -1);
	CU_ASSERT(strstr(err.msg, "record without Vendor/Device IDs") != NULL);
}

static void test_hcl_inv_boot_json(void)
{
	struct hcl_inv inv;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/q35-e1000.hvkernel.log", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "hvkernel");
	CU_ASSERT_EQUAL(inv.n, 6);
	CU_ASSERT_STRING_EQUAL(inv.devs[2].driver, "e1000");
	CU_ASSERT_EQUAL(inv.devs[2].ssid, 0x001e);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].driver, "");
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "b", "boot\n00:02.0 0200: 8086:100e subsys 8086:001e driver e1000\n00:03.0 0200: 8086:zz0e subsys 8086:001e driver x\n", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "b:3: malformed hvkernel inventory line");
	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/r640.inventory.json", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "json");
	CU_ASSERT_EQUAL(inv.n, 18);
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "j", "{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"00:01.0\",\"vid\":\"8086\",\"did\":\"100e\",\"class\":\"0200\"}]}", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "j: devices[0].class: expected 6 hex digits");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "j", "{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"00:01.0\",\"vid\":\"8086\",\"did\":\"100e\",\"class\":\"020000\",\"x\":1}]}", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "j: devices[0].x: unknown key");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "j", "{\"hcl_inventory\":1,\n\"devices\":[}", &err), -1);
	CU_ASSERT(strstr(err.msg, "j:2: not valid JSON") != NULL);
}

/* The libpci dump method: slot order (libpci hands the list back reversed), SVID 0 kept as none. */
static void test_hcl_inv_dump(void)
{
	struct hcl_inv inv;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/q35-supermicro.lspci-x", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "dump");
	CU_ASSERT_EQUAL_FATAL(inv.n, 6);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].slot, "00:00.0");
	CU_ASSERT_STRING_EQUAL(inv.devs[5].slot, "00:1f.3");
	CU_ASSERT_EQUAL(inv.devs[2].did, 0x10d3);
	CU_ASSERT_EQUAL(inv.devs[2].svid, 0x15d9);
	CU_ASSERT_EQUAL(inv.devs[3].svid, 0);
	CU_ASSERT_EQUAL(inv.devs[4].class, 0x010601);
	hcl_inv_free(&inv);
}

static void test_hcl_check_verdicts(void)
{
	struct hcl_loaded ld;
	struct hcl_inv inv;
	struct hcl_report rep;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/hcl.json", NULL, 1, 0, &ld, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/r640.lspci-vvnn", &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&ld.hb, "0.1.0", &inv, &rep, &err), 0);
	CU_ASSERT(rep.bootable);
	for (size_t i = 0; i < rep.n; i++) {
		const struct hcl_result *r = &rep.res[i];

		if (strcmp(r->dev->slot, "00:1f.4") == 0)
			CU_ASSERT_EQUAL(r->verdict, HCL_V_IGNORED);
		if (strcmp(r->dev->slot, "3b:00.0") == 0) {
			CU_ASSERT_EQUAL(r->verdict, HCL_V_CERTIFIED);
			CU_ASSERT_STRING_EQUAL(r->driver, "i40e");
		}
		if (strcmp(r->dev->slot, "19:00.0") == 0)
			CU_ASSERT(strstr(r->reason, "certified for 0.0.9") != NULL);
		if (strcmp(r->dev->slot, "02:00.0") == 0)
			CU_ASSERT_EQUAL(r->verdict, HCL_V_NO_DRIVER);
	}
	hcl_report_free(&rep);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&ld.hb, "0.0.9", &inv, &rep, &err), 0);
	CU_ASSERT(!rep.bootable);
	CU_ASSERT_STRING_EQUAL(rep.why, "no certified storage controller");
	hcl_report_free(&rep);
	CU_ASSERT_EQUAL(hcl_check(&ld.hb, "7.0", &inv, &rep, &err), -1);
	CU_ASSERT(strstr(err.msg, "no release 7.0") != NULL);
	hcl_inv_free(&inv);
	hcl_loaded_free(&ld);
}

UNIT_SUITE(hcl_inv_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hcl_inv_nn),
		UNIT_TEST(test_hcl_inv_vmm),
		UNIT_TEST(test_hcl_inv_boot_json),
		UNIT_TEST(test_hcl_inv_dump),
		UNIT_TEST(test_hcl_check_verdicts),
		UNIT_TEST_END
	};
	unit_add_suite("hcl_inv", NULL, NULL, tests);
}
