/* Tests for certify/modinfo: the model table and reading modules on the host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/sha256.h>

#include "../../certify/modinfo.h"
#include "unit.h"

static char mi_dir[64];

static const char mi_src[] =
	"#include <hv/module.h>\n"
	"HV_MODULE(\"acme-nic\", \"2.1\", \"Acme Corp\", \"MIT\",\n"
	"	  HV_PCI_DEVICE(0x8086, 0x100e),\n"
	"	  HV_PCI_DEVICE_SUB(0x1af4, 0x1000, 0x1af4, 0x0001));\n"
	"int hv_module_init(void) { return 0; }\n";

/* Compiles mi_src into DIR/acme.hvm and writes a junk DIR/junk.hvm. */
static int mi_init(void)
{
	char inc[512], cmd[1200];
	FILE *f;

	snprintf(mi_dir, sizeof(mi_dir), "/tmp/certify-mitest-XXXXXX");
	if (!mkdtemp(mi_dir) || !realpath("ddk/include", inc))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/acme.c", mi_dir);
	f = fopen(cmd, "w");
	if (!f)
		return -1;
	fputs(mi_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -c -O2 -mcmodel=small -fno-pic -ffreestanding -mno-red-zone "
		 "-mgeneral-regs-only -fno-common -fno-stack-protector -I%s -o %s/acme.hvm %s/acme.c && "
		 "rm %s/acme.c && echo 'not an ELF file' > %s/junk.hvm", inc, mi_dir, mi_dir, mi_dir, mi_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int mi_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", mi_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_models(void)
{
	const struct certify_model *m = certify_model_find("e1000");

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->vid, 0x8086);
	CU_ASSERT_EQUAL(m->did, 0x100e);
	CU_ASSERT_EQUAL(m->kind, CERTIFY_KIND_NIC);
	CU_ASSERT_EQUAL(m->irqs, CERTIFY_IRQ_INTX);
	CU_ASSERT_EQUAL(certify_model_find("nvme")->kind, CERTIFY_KIND_STORAGE);
	CU_ASSERT_PTR_NULL(certify_model_find("e1001"));
	/* QEMU's pvscsi: a SCSI HBA with MSI and INTx, no MSI-X. */
	CU_ASSERT_EQUAL(certify_model_find("pvscsi")->class, 0x010000);
	CU_ASSERT_EQUAL(certify_model_find("pvscsi")->irqs, CERTIFY_IRQ_MSI | CERTIFY_IRQ_INTX);
	/* QEMU's megasas and megasas-gen2: RAID-class SCSI HBAs with MSI-X, MSI and INTx. */
	CU_ASSERT_EQUAL(certify_model_find("megasas")->did, 0x0060);
	CU_ASSERT_EQUAL(certify_model_find("megasas-gen2")->did, 0x0079);
	CU_ASSERT_EQUAL(certify_model_find("megasas")->class, 0x010400);
	CU_ASSERT_EQUAL(certify_model_find("megasas")->irqs,
			CERTIFY_IRQ_MSIX | CERTIFY_IRQ_MSI | CERTIFY_IRQ_INTX);
	/* QEMU's mptsas1068: the SAS1068 as a plain SCSI-class HBA with MSI and INTx only
	 * (hw/scsi/mptsas.c: msi_init, no msix_init). */
	CU_ASSERT_EQUAL(certify_model_find("mptsas1068")->vid, 0x1000);
	CU_ASSERT_EQUAL(certify_model_find("mptsas1068")->did, 0x0054);
	CU_ASSERT_EQUAL(certify_model_find("mptsas1068")->class, 0x010000);
	CU_ASSERT_EQUAL(certify_model_find("mptsas1068")->irqs, CERTIFY_IRQ_MSI | CERTIFY_IRQ_INTX);
	CU_ASSERT_EQUAL(certify_model_find("mptsas1068")->attach, CERTIFY_ATTACH_SCSI);
	CU_ASSERT_EQUAL(certify_irq_bit("msix"), CERTIFY_IRQ_MSIX);
	CU_ASSERT_EQUAL(certify_irq_bit("none"), 0);
	CU_ASSERT_STRING_EQUAL(certify_kind_name(CERTIFY_KIND_STORAGE), "storage");
	/* Every model appears once. */
	for (const struct certify_model *a = certify_models(); a->model; a++)
		CU_ASSERT_PTR_EQUAL(certify_model_find(a->model), a);
}

static void test_modinfo_read(void)
{
	struct certify_modinfo mi;
	struct certify_err err;
	uint8_t digest[SHA256_DIGEST_SIZE], buf[1 << 16];
	char path[128], hex[SHA256_HEX_SIZE];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/acme.hvm", mi_dir);
	CU_ASSERT_EQUAL_FATAL(certify_modinfo_read(path, &mi, &err), 0);
	CU_ASSERT_STRING_EQUAL(mi.name, "acme-nic");
	CU_ASSERT_STRING_EQUAL(mi.version, "2.1");
	CU_ASSERT_STRING_EQUAL(mi.vendor, "Acme Corp");
	CU_ASSERT_EQUAL_FATAL(mi.nids, 2);
	CU_ASSERT_EQUAL(mi.ids[1].subdevice, 0x0001);
	f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	sha256_digest(buf, n, digest);
	sha256_hex(digest, hex);
	CU_ASSERT_STRING_EQUAL(mi.sha256, hex);
	CU_ASSERT_EQUAL(mi.size, n);
	CU_ASSERT(certify_modinfo_matches(&mi, certify_model_find("e1000")));
	CU_ASSERT(certify_modinfo_matches(&mi, certify_model_find("virtio-net-pci")));
	CU_ASSERT_FALSE(certify_modinfo_matches(&mi, certify_model_find("e1000e")));
	certify_modinfo_free(&mi);
}

static void test_modinfo_errors(void)
{
	struct certify_modinfo mi;
	struct certify_err err;
	char path[128];

	snprintf(path, sizeof(path), "%s/junk.hvm", mi_dir);
	CU_ASSERT_EQUAL(certify_modinfo_read(path, &mi, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "junk.hvm: not a valid module"));
	snprintf(path, sizeof(path), "%s/missing.hvm", mi_dir);
	CU_ASSERT_EQUAL(certify_modinfo_read(path, &mi, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "missing.hvm: No such file"));
}

static void test_modinfo_scan(void)
{
	struct certify_modinfo *v;
	struct certify_err err;
	size_t n, bad;

	CU_ASSERT_EQUAL(certify_modinfo_scan(mi_dir, &v, &n, &bad, &err), 1);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_STRING_EQUAL(v[0].name, "acme-nic");
	certify_modinfo_free_all(v, n);
	CU_ASSERT_EQUAL(certify_modinfo_scan("/nonexistent-dir", &v, &n, &bad, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent-dir"));
}

UNIT_SUITE(certify_modinfo_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_models), UNIT_TEST(test_modinfo_read), UNIT_TEST(test_modinfo_errors),
		UNIT_TEST(test_modinfo_scan), UNIT_TEST_END
	};
	unit_add_suite("certify_modinfo", mi_init, mi_clean, tests);
}
