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
		"3b:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572] (rev 02)\n";

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "t", t, &err), 0);
	CU_ASSERT_EQUAL(inv.n, 2);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].slot, "00:1f.2");
	CU_ASSERT_EQUAL(inv.devs[0].class, 0x010601);
	CU_ASSERT_EQUAL(inv.devs[0].svid, 0x1af4);
	CU_ASSERT_EQUAL(inv.devs[0].ssid, 0x1100);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].driver, "ahci");
	CU_ASSERT_STRING_EQUAL(inv.devs[1].slot, "3b:00.0");
	CU_ASSERT_EQUAL(inv.devs[1].did, 0x1572);
	CU_ASSERT_EQUAL(inv.devs[1].svid, 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "lspci -vnn");
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "t", "00:00.0 Host bridge: Intel Corporation 440FX\n", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "t:1: plain lspci output without numeric IDs: run lspci -nn (or lspci -vvnn for the subsystem IDs)");
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
	CU_ASSERT_STRING_EQUAL(err.msg, "v:3: expected \"Tag:<TAB>value\" in lspci -vmm output, not \"no tab here\"");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "v", "Slot:\t00:03.0\nClass:\tEthernet controller [0200]\n\n", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "v:2: record 00:03.0 without Vendor: the output looks cut short");
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
	CU_ASSERT_STRING_EQUAL(err.msg, "j:1: devices[0].class: expected 6 hex digits");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "j", "{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"00:01.0\",\"vid\":\"8086\",\"did\":\"100e\",\"class\":\"020000\",\"x\":1}]}", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "j:1: devices[0]: unknown key \"x\"");
	CU_ASSERT_EQUAL(hcl_inv_parse(&inv, "j", "{\"hcl_inventory\":1,\n\"devices\":[}", &err), -1);
	CU_ASSERT(strstr(err.msg, "j:2: not valid JSON") != NULL);
}

/* An lspci -x dump: IDs, class and subsystem from the configuration space, SVID 0 as none. */
static void test_hcl_inv_dump(void)
{
	struct hcl_inv inv;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_inv_read(&inv, "tests/hcl/fixtures/q35-supermicro.lspci-x", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "lspci -x");
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

	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/hcl.json", NULL, 1, 0, NULL, &ld, &err), 0);
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

/* Parses text; the error message, or "" when it was accepted (then *n devices). */
static const char *hi_parse(const char *text, size_t *n)
{
	static struct hcl_err err;
	struct hcl_inv inv;

	memset(&err, 0, sizeof(err));
	*n = 0;
	if (hcl_inv_parse(&inv, "i", text, &err) == 0) {
		*n = inv.n;
		hcl_inv_free(&inv);
	}
	return err.msg;
}

#define HI_NN(slot, ids) slot " Ethernet controller [0200]: Intel Corporation Device [" ids "] (rev 02)\n"

static void test_hcl_inv_slots(void)
{
	uint32_t dom;
	uint8_t b, d, f;

	CU_ASSERT_EQUAL(hcl_slot_parse("10000:e0:17.0 SATA", &dom, &b, &d, &f), 13);
	CU_ASSERT_EQUAL(dom, 0x10000);
	CU_ASSERT_EQUAL(b, 0xe0);
	CU_ASSERT_EQUAL(d, 0x17);
	CU_ASSERT_EQUAL(f, 0);
	CU_ASSERT_EQUAL(hcl_slot_parse("0000:00:1f.7", &dom, &b, &d, &f), 12);
	CU_ASSERT_EQUAL(hcl_slot_parse("00:1f.7", NULL, NULL, NULL, NULL), 7);
	CU_ASSERT_EQUAL(hcl_slot_parse("00:20.0", NULL, NULL, NULL, NULL), 0);	/* device > 1f */
	CU_ASSERT_EQUAL(hcl_slot_parse("00:1f.8", NULL, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(hcl_slot_parse("00: 86 80 90 71", NULL, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(hcl_slot_parse("000:00:1f.0", NULL, NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(hcl_slot_parse("00:1f.00", NULL, NULL, NULL, NULL), 0);
}

/* stderr lines in the output, also spliced into a line; shell prompts; a byte order mark. */
static void test_hcl_inv_noise(void)
{
	struct hcl_inv inv;
	struct hcl_err err;
	const char *t =
		"\xef\xbb\xbfroot@r220:~# lspci -vvnn\n"
		HI_NN("04:00.0", "8086:1533")
		"pcilib: sysfs_read_vpd: read failed: No such device" HI_NN("06:00.0", "8086:1533")
		"\tSubsystem: Intel Corpopcilib: sysfs_read_vpd: read failed: No such device\n"
		"ration Device [8086:0001]\n"
		"pcilib: sysfs_read_vpd: read failed: Input/output error\t\tNot readable\n"
		"lspci: Unable to load libkmod resources: error -12\n"
		"root@r220:~#\n";

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", t, &err), 0);
	CU_ASSERT_EQUAL(inv.n, 2);
	CU_ASSERT_EQUAL(inv.devs[1].svid, 0x8086);
	CU_ASSERT_EQUAL(inv.devs[1].ssid, 0x0001);
	CU_ASSERT_EQUAL_FATAL(inv.nwarn, 7);
	CU_ASSERT_STRING_EQUAL(inv.warn[0], "line 1: skipped a UTF-8 byte order mark");
	CU_ASSERT_STRING_EQUAL(inv.warn[1], "line 1: skipped a shell prompt: \"root@r220:~# lspci -vvnn\"");
	CU_ASSERT_STRING_EQUAL(inv.warn[2], "line 3: skipped a message lspci wrote to stderr: \"pcilib: sysfs_read_vpd: read failed: No such device\"");
	CU_ASSERT_STRING_EQUAL(inv.warn[3], "line 4: skipped a message lspci wrote to stderr into the middle of a line (the line goes on at the next one): \"pcilib: sysfs_read_vpd: read failed: No such device\"");
	CU_ASSERT_STRING_EQUAL(inv.warn[4], "line 6: skipped a message lspci wrote to stderr: \"pcilib: sysfs_read_vpd: read failed: Input/output error\"");
	CU_ASSERT_STRING_EQUAL(inv.warn[6], "line 8: skipped a shell prompt: \"root@r220:~#\"");
	hcl_inv_free(&inv);
}

/* A function reading all ones is not there; a -x header without its dump is no device. */
static void test_hcl_inv_absent(void)
{
	struct hcl_inv inv;
	struct hcl_err err;
	const char *t =
		"0b:00.0 Ethernet controller [0200]: Mellanox Technologies MT27710 Family [ConnectX-4 Lx] [15b3:1015]\n"
		"0b:01.0 Ethernet controller [0200]: Mellanox Technologies MT27710 Family [ConnectX-4 Lx Virtual Function] [15b3:1016] (rev ff) (prog-if ff)\n"
		"\t!!! Unknown header type 7f\n"
		"0b:01.1 Ethernet controller [0200]: Mellanox Technologies MT27710 Family [ConnectX-4 Lx Virtual Function] [15b3:1016]\n"
		"\t!!! Unknown header type 7f\n";
	const char *x =
		"00:00.0 Host bridge: Intel Corporation 440FX - 82441FX PMC [Natoma] (rev 02)\n"
		"00: 86 80 37 12 06 00 00 00 02 00 00 06 00 00 00 00\n"
		"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 f4 1a 00 11\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"\n"
		"00:01.0 Ethernet controller: Intel Corporation 82540EM Gigabit Ethernet Controller\n"
		"\n"
		"00:02.0 Ethernet controller: Device ffff:ffff (rev ff)\n"
		"00: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff\n"
		"10: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff\n"
		"20: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff\n"
		"30: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff\n";

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", t, &err), 0);
	CU_ASSERT_EQUAL_FATAL(inv.n, 3);
	CU_ASSERT_PTR_NULL(inv.devs[0].absent);
	CU_ASSERT_STRING_EQUAL(inv.devs[1].absent, "its configuration space reads all ones (rev ff)");
	CU_ASSERT_STRING_EQUAL(inv.devs[2].absent, "its configuration space reads all ones (!!! Unknown header type 7f)");
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", x, &err), 0);
	CU_ASSERT_EQUAL_FATAL(inv.n, 2);
	CU_ASSERT_EQUAL(inv.devs[0].svid, 0x1af4);
	CU_ASSERT_STRING_EQUAL(inv.devs[1].slot, "00:02.0");
	CU_ASSERT_STRING_EQUAL(inv.devs[1].absent, "its configuration space dump is all ff");
	CU_ASSERT_STRING_EQUAL(inv.warn[0], "line 7: 00:01.0 has no hex dump (lspci could not read its configuration space): not a device");
	hcl_inv_free(&inv);
	/* Vendor ffff in any format: nothing answers there. */
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", HI_NN("00:03.0", "ffff:1234"), &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv.devs[0].absent);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].absent, "vendor ID ffff: no function answers there");
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", "{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"00:03.0\","
					    "\"vid\":\"ffff\",\"did\":\"1234\",\"class\":\"020000\"}]}", &err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inv.devs[0].absent);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].absent, "vendor ID ffff: no function answers there");
	hcl_inv_free(&inv);
}

/* What is refused, each with the line. */
static void test_hcl_inv_refused(void)
{
	size_t n;

	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") HI_NN("00:19.0", "8086:1533"), &n),
			       "i:2: slot 00:19.0 listed twice (also line 1)");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") HI_NN("03:00.0", "8086:1533")
					HI_NN("00:19.0", "8086:1533"), &n),
			       "i:3: slot 00:19.0 comes after 03:00.0 (line 2); lspci prints slots in order, so these are two outputs one after the other");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "03:00.0 0200: 8086:1533 (rev 03)\n", &n),
			       "i:2: a lspci -n line in lspci -nn output (line 1): formats mixed in one file");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") HI_NN("0000:03:00.0", "8086:1533"), &n),
			       "i:2: slot 0000:03:00.0 has a domain, the slots from line 1 do not: two outputs in one file");
	CU_ASSERT_STRING_EQUAL(hi_parse("00:1c.4/02:00.0 Ethernet controller [0200]: Intel Corporation Device [8086:1533]\n", &n),
			       "i:1: slot paths (lspci -P/-PP) are not supported: run lspci -nn without -P");
	CU_ASSERT_STRING_EQUAL(hi_parse("-[0000:00]-+-00.0  Intel Corporation 440FX\n", &n),
			       "i:1: this is lspci -t output (a tree without IDs); run lspci -nn, or lspci -vvnn for the subsystem IDs");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "Bus 004 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub\n", &n),
			       "i:2: lsusb output after the lspci output: \"Bus 004 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub\" (give lspci's output alone)");
	CU_ASSERT_STRING_EQUAL(hi_parse("\xff\xfe" "0", &n),
			       "i: UTF-16 text (as Windows PowerShell redirection writes it); convert it: iconv -f UTF-16 -t UTF-8 i");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "\tKernel driver in use: e1000e", &n),
			       "i:2: the last line has no line end: the output looks cut short");
	/* Without the verbose lines, a paste that lost its last line end is complete. */
	CU_ASSERT_STRING_EQUAL(hi_parse("00:19.0 Ethernet controller [0200]: Intel Corporation Device [8086:1533] (rev 02)", &n), "");
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(hi_parse("00:00.0 Host bridge: Intel Corporation 440FX\n00: 86 80 37 12 06 00 00 00 02 00 00 06 00 00 00 00\n10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", &n),
			       "i:3: the hex dump of 00:00.0 stops after 32 bytes (lspci -x prints 64, -xxx 256, -xxxx 4096): the output looks cut short");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "$ lspci -nn\n" HI_NN("00:19.0", "8086:1533"), &n),
			       "i:2: a shell prompt between devices: two command outputs in one file");
	CU_ASSERT_STRING_EQUAL(hi_parse("{\"hcl_inventory\":1,\"devices\":[]}\n,", &n),
			       "i:2: text after the end of the JSON value");
	CU_ASSERT_STRING_EQUAL(hi_parse("{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"eth0\",\"vid\":\"8086\",\"did\":\"1533\",\"class\":\"020000\"}]}", &n),
			       "i:1: devices[0].slot: \"eth0\" is not a PCI slot (expected [dddd:]bb:dd.f)");
	CU_ASSERT_STRING_EQUAL(hi_parse("{\"hcl_inventory\":1,\"devices\":[{\"slot\":\"00:19.0\",\"slot\":\"00:19.1\"}]}", &n),
			       "i:1: devices[0]: duplicate key \"slot\"");
	/* A device line gone from a verbose output: its lines must not go to the device before. */
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "\tSubsystem: Intel Corporation Device [8086:0001]\n\n"
					"\tSubsystem: Dell Device [1028:0002]\n", &n),
			       "i:4: an indented line after the blank line that ends 00:19.0's block (line 3): the device line it belongs to is missing");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "\tSubsystem: Intel Corporation Device [8086:0001]\n"
					"\tSubsystem: Dell Device [1028:0002]\n", &n),
			       "i:3: a second Subsystem line for 00:19.0 (the first is line 2): lspci prints one; is this two outputs mixed?");
	CU_ASSERT_STRING_EQUAL(hi_parse(HI_NN("00:19.0", "8086:1533") "\tKernel driver in use: e1000e\n"
					"\tKernel driver in use: igb\n", &n),
			       "i:3: a second \"Kernel driver in use\" line for 00:19.0 (the first is line 2): lspci prints one; is this two outputs mixed?");
	CU_ASSERT_STRING_EQUAL(hi_parse("Slot:\t00:01.0\nClass:\tEthernet controller\n", &n),
			       "i:2: Class: without a numeric ID: this is lspci -vmm output without -nn; run lspci -vmmnn");
}

/* lspci -n (IDs without names), -vmm -n, -mm -nn, and names the local pci.ids lacks. */
static void test_hcl_inv_forms(void)
{
	struct hcl_inv inv;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", "00:1f.2 0106: 8086:8c02 (rev 05) (prog-if 01 [AHCI 1.0])\n"
					    "\tSubsystem: 1028:05e5\n05:00.0 0200: 8086:1533 (rev 03)\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "lspci -vn");
	CU_ASSERT_EQUAL(inv.devs[0].class, 0x010601);
	CU_ASSERT_EQUAL(inv.devs[0].svid, 0x1028);
	CU_ASSERT_EQUAL(inv.devs[1].rev, 3);
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i", "00:00.0 \"Host bridge [0600]\" \"Intel Corporation [8086]\" "
					    "\"440FX - 82441FX PMC [Natoma] [1237]\" -r02 \"Red Hat, Inc. [1af4]\" "
					    "\"Qemu virtual machine [1100]\"\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.format, "lspci -mmnn");
	CU_ASSERT_EQUAL(inv.devs[0].ssid, 0x1100);
	hcl_inv_free(&inv);
	/* pci.ids (2023.04.10 and the tests' subset) lacks 8086:4621 and 1344:5411. */
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i",
		"0000:00:00.0 Host bridge [0600]: Intel Corporation Device [8086:4621] (rev 02)\n"
		"10000:e1:00.0 Non-Volatile memory controller [0108]: Micron Technology Inc Device [1344:5411] (rev 01)\n", &err), 0);
	CU_ASSERT_STRING_EQUAL(inv.devs[0].vendor, "Intel Corporation");
	CU_ASSERT_STRING_EQUAL(inv.devs[0].model, "Device 4621");
	CU_ASSERT_STRING_EQUAL(inv.devs[1].model, "Device 5411");
	CU_ASSERT_EQUAL(inv.devs[1].domain, 0x10000);
	hcl_inv_free(&inv);
}

/* Ports of one card count once; a function not there never counts; VMD's devices neither. */
static void test_hcl_check_counting(void)
{
	struct hcl_loaded ld;
	struct hcl_inv inv;
	struct hcl_report rep;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_load("tests/hcl/fixtures/hcl.json", NULL, 1, 0, NULL, &ld, &err), 0);
	/* The fixture certifies 8086:100e (e1000) and 8086:2922 (ahci) for 0.1.0. */
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i",
		"0000:00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"0000:00:02.1 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"0000:00:03.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev ff)\n"
		"10000:e0:17.0 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02)\n",
		&err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&ld.hb, "0.1.0", &inv, &rep, &err), 0);
	CU_ASSERT(!rep.bootable);
	CU_ASSERT_EQUAL(rep.nic.cards, 1);
	CU_ASSERT_EQUAL(rep.nic.functions, 2);
	CU_ASSERT_EQUAL(rep.absent, 1);
	CU_ASSERT_EQUAL(rep.res[2].verdict, HCL_V_ABSENT);
	CU_ASSERT_STRING_EQUAL(rep.why, "no certified storage controller (not counted: 1 absent, 1 behind Intel VMD)");
	CU_ASSERT_EQUAL(rep.res[3].verdict, HCL_V_CERTIFIED);
	CU_ASSERT(!rep.res[3].counted);
	hcl_report_free(&rep);
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i",
		"00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"00:02.1 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02)\n"
		"05:00.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n",
		&err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&ld.hb, "0.1.0", &inv, &rep, &err), 0);
	CU_ASSERT(rep.bootable);
	CU_ASSERT_STRING_EQUAL(rep.why, "2 certified NICs (3 ports), 1 certified storage controller");
	hcl_report_free(&rep);
	hcl_inv_free(&inv);
	CU_ASSERT_EQUAL_FATAL(hcl_inv_parse(&inv, "i",
		"00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"00:02.1 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit Ethernet Controller [8086:100e] (rev 03)\n"
		"00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02)\n",
		&err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_check(&ld.hb, "0.1.0", &inv, &rep, &err), 0);
	CU_ASSERT_STRING_EQUAL(rep.why, "1 certified NIC (2 ports of one card), 1 certified storage controller");
	hcl_report_free(&rep);
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
		UNIT_TEST(test_hcl_inv_slots),
		UNIT_TEST(test_hcl_inv_noise),
		UNIT_TEST(test_hcl_inv_absent),
		UNIT_TEST(test_hcl_inv_refused),
		UNIT_TEST(test_hcl_inv_forms),
		UNIT_TEST(test_hcl_check_counting),
		UNIT_TEST_END
	};
	unit_add_suite("hcl_inv", NULL, NULL, tests);
}
