/*
 * The inbox drivers' PCI ID tables, read from the built modules (build/modules, or
 * $UNIT_MODULES) with the kernel's own module parser and matched with the kernel's own
 * rule (hvkernel/lib/pcimatch.c): each claims exactly the parts written out by hand here,
 * from the PCI ID database and the datasheets its driver cites, with the chip family the
 * driver needs for each, and no other device ID of its vendor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/pcimatch.h>

#include "../../certify/modinfo.h"
#include "unit.h"

struct ids_claim {
	uint16_t device;
	int family;		/* expected driver_data, or -1 when the driver ignores it */
};

/* The module, or NULL after a failed assertion naming the file and the reason. */
static int ids_load(const char *name, struct certify_modinfo *mi)
{
	const char *dir = getenv("UNIT_MODULES");
	struct certify_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.hvm", dir && *dir ? dir : "build/modules", name);
	if (certify_modinfo_read(path, mi, &err) < 0) {
		fprintf(stderr, "driver_ids: %s (build the modules first: make modules)\n", err.msg);
		CU_FAIL("module unreadable");
		return -1;
	}
	return 0;
}

static const struct hv_pci_id *ids_match(const struct certify_modinfo *mi, uint16_t vendor,
					 uint16_t device, uint32_t class)
{
	struct pcimatch_dev d = { vendor, device, vendor, 0x0001, class };

	return pcimatch_best(mi->ids, mi->nids, &d, NULL);
}

/*
 * Every device ID of vendor, under each class given: those of want match (with their
 * family), no other does. Reports the first few strays and misses by ID.
 */
static void ids_sweep(const struct certify_modinfo *mi, uint16_t vendor, const uint32_t *classes,
		      size_t nclass, const struct ids_claim *want, size_t nwant)
{
	unsigned strays = 0, misses = 0, wrong = 0;

	for (size_t c = 0; c < nclass; c++) {
		for (uint32_t dev = 0; dev <= 0xffff; dev++) {
			const struct hv_pci_id *m = ids_match(mi, vendor, (uint16_t)dev, classes[c]);
			const struct ids_claim *w = NULL;

			for (size_t i = 0; i < nwant; i++)
				if (want[i].device == dev)
					w = &want[i];
			if (m && !w && strays++ < 4)
				fprintf(stderr, "driver_ids: %s claims %04x:%04x (class %06x), not in "
					"its list\n", mi->name, vendor, dev, classes[c]);
			if (!m && w && misses++ < 4)
				fprintf(stderr, "driver_ids: %s does not claim %04x:%04x (class %06x)\n",
					mi->name, vendor, dev, classes[c]);
			if (m && w && w->family >= 0 && m->driver_data != (uintptr_t)w->family &&
			    wrong++ < 4)
				fprintf(stderr, "driver_ids: %s: %04x:%04x gets family %lu, expected %d\n",
					mi->name, vendor, dev, (unsigned long)m->driver_data, w->family);
		}
	}
	CU_ASSERT_EQUAL(strays, 0);
	CU_ASSERT_EQUAL(misses, 0);
	CU_ASSERT_EQUAL(wrong, 0);
}

/* e1000: the copper 82540, 82544, 82545 and 82574 parts (drivers/net/e1000/e1000.c says
 * why these and not the fiber, SerDes, multi-port, IGP-PHY or ME parts). Families:
 * 0 82540, 1 82544, 2 82545, 3 82574 (enum e1000_chip_id). */
static void test_ids_e1000(void)
{
	static const struct ids_claim want[] = {
		{ 0x100a, 0 }, { 0x100e, 0 }, { 0x1015, 0 }, { 0x1016, 0 }, { 0x1017, 0 },
		{ 0x101e, 0 }, { 0x1008, 1 }, { 0x100c, 1 }, { 0x100d, 1 }, { 0x100f, 2 },
		{ 0x1026, 2 }, { 0x10d3, 3 }, { 0x10f6, 3 },
	};
	/* The class does not matter: an Ethernet controller and "other network". */
	static const uint32_t classes[] = { 0x020000, 0x028000 };
	struct certify_modinfo mi;

	if (ids_load("e1000", &mi) < 0)
		return;
	ids_sweep(&mi, 0x8086, classes, 2, want, sizeof(want) / sizeof(want[0]));
	/* Spot checks of what is left out: fiber 82545EM, 82543GC copper, 82541GI, 82546GB
	 * quad, 82572EI, 82573L, 82583V; and the same ID under another vendor. */
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x1011, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x1004, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x1076, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x1099, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x107d, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x109a, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x8086, 0x150c, 0x020000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x10ec, 0x100e, 0x020000));
	certify_modinfo_free(&mi);
}

/* megasas: the MFI 1078 variant (0x0060, 0x007c; family 0) and the 2108 (0x0079; 1). */
static void test_ids_megasas(void)
{
	static const struct ids_claim want[] = { { 0x0060, 0 }, { 0x007c, 0 }, { 0x0079, 1 } };
	static const uint32_t classes[] = { 0x010400, 0x010000, 0x010700 };
	struct certify_modinfo mi;

	if (ids_load("megasas", &mi) < 0)
		return;
	ids_sweep(&mi, 0x1000, classes, 3, want, sizeof(want) / sizeof(want[0]));
	/* xscale (SAS1064R), skinny (SAS2008), Fusion (SAS2208), MPT (SAS1068) left out. */
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0411, 0x010400));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0073, 0x010400));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x005b, 0x010400));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0054, 0x010000));
	certify_modinfo_free(&mi);
}

/* mptsas: the MPI 1.5 SAS parts (drivers/storage/mptsas/mptsasreg.h). */
static void test_ids_mptsas(void)
{
	static const struct ids_claim want[] = {
		{ 0x0050, -1 }, { 0x0054, -1 }, { 0x0055, -1 }, { 0x0056, -1 }, { 0x0058, -1 },
		{ 0x005a, -1 }, { 0x005c, -1 }, { 0x005e, -1 }, { 0x0062, -1 },
	};
	static const uint32_t classes[] = { 0x010000, 0x010400, 0x010700 };
	struct certify_modinfo mi;

	if (ids_load("mptsas", &mi) < 0)
		return;
	ids_sweep(&mi, 0x1000, classes, 3, want, sizeof(want) / sizeof(want[0]));
	/* Ultra320 SPI (53c1030), SAS-2 (SAS2008 IT), MegaRAID 1078 (MFI) left out. */
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0030, 0x010000));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0072, 0x010700));
	CU_ASSERT_PTR_NULL(ids_match(&mi, 0x1000, 0x0060, 0x010400));
	certify_modinfo_free(&mi);
}

/*
 * A class driver: every function of the class (base, sub and prog-if) matches whatever
 * its vendor and device, no function of a neighbouring class does unless it is the one
 * device the table also names.
 */
static void ids_class(const char *name, uint32_t class, const uint32_t *others, size_t nothers,
		      uint16_t qvendor, uint16_t qdevice)
{
	static const uint16_t vendors[] = { 0x8086, 0x144d, 0x1022, 0x1b4b, 0x15b7, 0x1234 };
	struct certify_modinfo mi;
	unsigned bad = 0;

	if (ids_load(name, &mi) < 0)
		return;
	for (size_t v = 0; v < sizeof(vendors) / sizeof(vendors[0]); v++) {
		for (uint32_t dev = 0; dev <= 0xffff; dev += 7) {
			if (!ids_match(&mi, vendors[v], (uint16_t)dev, class) && bad++ < 4)
				fprintf(stderr, "driver_ids: %s misses %04x:%04x class %06x\n", name,
					vendors[v], dev, class);
			for (size_t o = 0; o < nothers; o++)
				if (ids_match(&mi, vendors[v], (uint16_t)dev, others[o]) && bad++ < 4)
					fprintf(stderr, "driver_ids: %s claims %04x:%04x class %06x\n",
						name, vendors[v], dev, others[o]);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* QEMU's model by its IDs too (it presents the class as well). */
	CU_ASSERT_PTR_NOT_NULL(ids_match(&mi, qvendor, qdevice, class));
	certify_modinfo_free(&mi);
}

/* nvme: class 01/08/02 (NVM Express I/O controller, NVMe base spec "PCI header"); not the
 * NVMHCI register-level interface (01/08/01) nor an NVMe admin-only controller (01/08/03). */
static void test_ids_nvme(void)
{
	static const uint32_t others[] = { 0x010800, 0x010801, 0x010803, 0x010601, 0x010000 };

	ids_class("nvme", 0x010802, others, 5, 0x1b36, 0x0010);
}

/* ahci: class 01/06/01 (SATA, AHCI 1.0 programming interface, AHCI 1.3.1 2.1.2); not
 * vendor-specific SATA (01/06/00), the serial storage bus (01/06/02) nor IDE (01/01/xx). */
static void test_ids_ahci(void)
{
	static const uint32_t others[] = { 0x010600, 0x010602, 0x01018a, 0x010185, 0x010802 };

	ids_class("ahci", 0x010601, others, 5, 0x8086, 0x2922);
}

UNIT_SUITE(driver_ids_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_ids_e1000), UNIT_TEST(test_ids_megasas), UNIT_TEST(test_ids_mptsas),
		UNIT_TEST(test_ids_nvme), UNIT_TEST(test_ids_ahci), UNIT_TEST_END
	};
	unit_add_suite("driver_ids", NULL, NULL, tests);
}
