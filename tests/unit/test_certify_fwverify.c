/* The host check dev.firmware (certify/fwverify.c): what QEMU gives each model, and the
 * kernel's pci record compared with it. Each way it must fail is tried: a wrong revision,
 * a revision reported for a device that has none, none reported for one that has one, and
 * no pci record at all. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "../../certify/fwverify.h"
#include "../../certify/models.h"
#include "unit.h"

static const char fw_qemu[] = "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)";

static void fw_spec(struct certify_run_spec *spec, struct certify_plan *p, const char *m0, const char *m1)
{
	memset(p, 0, sizeof(*p));
	memset(spec, 0, sizeof(*spec));
	spec->plan = p;
	spec->ndut = m1 ? 2 : 1;
	strcpy(spec->dut[0].model, m0);
	spec->dut[0].m = certify_model_find(m0);
	if (m1) {
		strcpy(spec->dut[1].model, m1);
		spec->dut[1].m = certify_model_find(m1);
	}
}

static struct hvr_pci fw_pci(uint16_t vid, uint16_t did, const char *slot, const char *drv, const char *fw)
{
	struct hvr_pci p;

	memset(&p, 0, sizeof(p));
	p.vid = vid;
	p.did = did;
	snprintf(p.slot, sizeof(p.slot), "%s", slot);
	snprintf(p.driver, sizeof(p.driver), "%s", drv);
	snprintf(p.fw, sizeof(p.fw), "%s", fw);
	return p;
}

static void test_fw_expected(void)
{
	char out[32];

	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("nvme"), 0, fw_qemu, out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "7.2.22");
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("ich9-ahci"), 1, fw_qemu, out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "HVF1");
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("megasas"), 0, fw_qemu, out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "HVF0");
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("e1000e"), 0, fw_qemu, out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "2.1-0");
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("virtio-net-pci"), 0, fw_qemu, out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* the host cannot know: edu, and nvme with an unreadable version line */
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("edu"), 0, fw_qemu, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(certify_fw_expected(certify_model_find("nvme"), 0, "qemu 7", out, sizeof(out)), 0);
}

static void test_fwverify(void)
{
	struct certify_run_spec spec;
	struct certify_plan p;
	struct certify_hostcheck c;
	struct hvr_pci pci[2];
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run.pci = pci;
	run.npci = 2;
	fw_spec(&spec, &p, "nvme", "virtio-net-pci");
	CU_ASSERT_TRUE(certify_fw_required(&spec));

	pci[0] = fw_pci(0x1b36, 0x0010, "0000:00:04.0", "nvme", "7.2.22");
	pci[1] = fw_pci(0x1af4, 0x1000, "0000:00:05.0", "virtio-net", "");
	memset(&c, 0, sizeof(c));
	certify_fwverify_check(&spec, &run, fw_qemu, &c);
	CU_ASSERT_TRUE(c.ran && c.ok);
	CU_ASSERT_STRING_EQUAL(c.msg, "2 devices reported the firmware QEMU gives them");

	pci[0] = fw_pci(0x1b36, 0x0010, "0000:00:04.0", "nvme", "1.0");	/* wrong */
	pci[1] = fw_pci(0x1af4, 0x1000, "0000:00:05.0", "virtio-net", "9.9");	/* made up */
	memset(&c, 0, sizeof(c));
	certify_fwverify_check(&spec, &run, fw_qemu, &c);
	CU_ASSERT_TRUE(c.ran && !c.ok);
	CU_ASSERT_STRING_EQUAL(c.msg, "nvme at 0000:00:04.0: driver nvme reported firmware '1.0', QEMU gives it "
			       "'7.2.22'; virtio-net-pci at 0000:00:05.0: driver virtio-net reported firmware "
			       "'9.9', QEMU gives it none");

	pci[0] = fw_pci(0x1b36, 0x0010, "0000:00:04.0", "nvme", "");	/* none reported */
	pci[1] = fw_pci(0x1af4, 0x1000, "0000:00:05.0", "virtio-net", "");
	memset(&c, 0, sizeof(c));
	certify_fwverify_check(&spec, &run, fw_qemu, &c);
	CU_ASSERT_TRUE(c.ran && !c.ok);
	CU_ASSERT_STRING_EQUAL(c.msg, "nvme at 0000:00:04.0: driver nvme reported no firmware, QEMU gives it '7.2.22'");

	run.npci = 0;	/* the kernel died before its pci records */
	memset(&c, 0, sizeof(c));
	certify_fwverify_check(&spec, &run, fw_qemu, &c);
	CU_ASSERT_FALSE(c.ran);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.msg, "no pci record"));

	fw_spec(&spec, &p, "edu", NULL);	/* nothing the host knows: not required */
	CU_ASSERT_FALSE(certify_fw_required(&spec));
}

UNIT_SUITE(certify_fwverify_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_fw_expected),
		UNIT_TEST(test_fwverify),
		UNIT_TEST_END
	};
	unit_add_suite("certify_fwverify", NULL, NULL, tests);
}
