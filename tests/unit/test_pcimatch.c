/* Tests for lib/pcimatch: the matching rule, the precedence and table validation. */
#include <hv/errno.h>
#include <lib/pcimatch.h>
#include "unit.h"

#define ANY HV_PCI_ANY

static const struct pcimatch_dev pm_nic = {
	.vendor = 0x8086, .device = 0x10d3, .subvendor = 0x8086, .subdevice = 0xa01f,
	.class = 0x020000,
};
static const struct pcimatch_dev pm_nosub = {
	.vendor = 0x8086, .device = 0x10d3, .subvendor = 0x0000, .subdevice = 0x0000,
	.class = 0x020000,
};

static struct hv_pci_id pm_id(uint32_t v, uint32_t d, uint32_t sv, uint32_t sd, uint32_t cls,
			      uint32_t mask)
{
	return (struct hv_pci_id){ v, d, sv, sd, cls, mask, 0 };
}

static void test_pcimatch_exact(void)
{
	struct hv_pci_id id = HV_PCI_DEVICE(0x8086, 0x10d3);
	struct hv_pci_id other = HV_PCI_DEVICE(0x8086, 0x10d4);
	struct hv_pci_id vendor_only = pm_id(0x8086, ANY, ANY, ANY, 0, 0);

	CU_ASSERT_EQUAL(pcimatch_score(&id, &pm_nic), PCIMATCH_SCORE_VENDOR + PCIMATCH_SCORE_DEVICE);
	CU_ASSERT(pcimatch_score(&other, &pm_nic) < 0);
	CU_ASSERT_EQUAL(pcimatch_score(&vendor_only, &pm_nic), PCIMATCH_SCORE_VENDOR);
	other.vendor = 0x10ec;
	other.device = 0x10d3;
	CU_ASSERT(pcimatch_score(&other, &pm_nic) < 0);
}

static void test_pcimatch_subsystem(void)
{
	struct hv_pci_id sub = HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x8086, 0xa01f);
	struct hv_pci_id subv = pm_id(0x8086, 0x10d3, 0x8086, ANY, 0, 0);
	struct hv_pci_id wrong = HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x8086, 0xa020);

	CU_ASSERT_EQUAL(pcimatch_score(&sub, &pm_nic), (1 << 20) + (1 << 19) + (1 << 18) + (1 << 17));
	CU_ASSERT_EQUAL(pcimatch_score(&subv, &pm_nic), (1 << 20) + (1 << 19) + (1 << 18));
	CU_ASSERT(pcimatch_score(&wrong, &pm_nic) < 0);
}

/* A device without subsystem IDs reports 0000: no exact-subvendor entry may claim it. */
static void test_pcimatch_no_subsystem(void)
{
	struct hv_pci_id sub = HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x8086, 0xa01f);
	struct hv_pci_id zero = HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x0000, 0x0000);
	struct hv_pci_id zero_any = pm_id(0x8086, 0x10d3, 0x0000, ANY, 0, 0);
	struct hv_pci_id plain = HV_PCI_DEVICE(0x8086, 0x10d3);
	struct hv_pci_id subdev_only = pm_id(0x8086, 0x10d3, ANY, 0x0000, 0, 0);

	CU_ASSERT(pcimatch_score(&sub, &pm_nosub) < 0);
	CU_ASSERT(pcimatch_score(&zero, &pm_nosub) < 0);
	CU_ASSERT(pcimatch_score(&zero_any, &pm_nosub) < 0);
	CU_ASSERT(pcimatch_score(&plain, &pm_nosub) > 0);
	CU_ASSERT_EQUAL(pcimatch_score(&subdev_only, &pm_nosub),
			PCIMATCH_SCORE_VENDOR + PCIMATCH_SCORE_DEVICE + PCIMATCH_SCORE_SUBDEVICE);
}

static void test_pcimatch_class(void)
{
	struct hv_pci_id eth = HV_PCI_CLASS(0x020000, 0xffff00);
	struct hv_pci_id net = HV_PCI_CLASS(0x020000, 0xff0000);
	struct hv_pci_id exact = HV_PCI_CLASS(0x020000, 0xffffff);
	struct hv_pci_id storage = HV_PCI_CLASS(0x010000, 0xff0000);
	struct pcimatch_dev nvme = pm_nic;

	CU_ASSERT_EQUAL(pcimatch_score(&eth, &pm_nic), 16);
	CU_ASSERT_EQUAL(pcimatch_score(&net, &pm_nic), 8);
	CU_ASSERT_EQUAL(pcimatch_score(&exact, &pm_nic), 24);
	CU_ASSERT(pcimatch_score(&storage, &pm_nic) < 0);
	nvme.class = 0x010802;
	CU_ASSERT_EQUAL(pcimatch_score(&storage, &nvme), 8);
	CU_ASSERT(pcimatch_score(&eth, &nvme) < 0);
	/* Class and IDs combine: both must hold. */
	eth.vendor = 0x8086;
	CU_ASSERT_EQUAL(pcimatch_score(&eth, &pm_nic), PCIMATCH_SCORE_VENDOR + 16);
	eth.vendor = 0x10ec;
	CU_ASSERT(pcimatch_score(&eth, &pm_nic) < 0);
}

static void test_pcimatch_best_precedence(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_CLASS(0x020000, 0xffffff),		/* 0: class, full mask */
		HV_PCI_DEVICE(0x8086, 0x10d3),			/* 1: vendor:device */
		HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x8086, 0xa01f),	/* 2: subsystem */
		HV_PCI_CLASS(0x020000, 0xff0000),		/* 3 */
		HV_PCI_ID_END,
	};
	int score = 0;

	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, PCIMATCH_UNTIL_END, &pm_nic, &score), &table[2]);
	CU_ASSERT_EQUAL(score, (1 << 20) + (1 << 19) + (1 << 18) + (1 << 17));
	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, 2, &pm_nic, &score), &table[1]);
	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, 1, &pm_nic, &score), &table[0]);
	CU_ASSERT_EQUAL(score, 24);
	/* Without subsystem IDs the plain vendor:device entry wins. */
	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, 4, &pm_nosub, NULL), &table[1]);
}

static void test_pcimatch_best_class_width(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_CLASS(0x020000, 0xff0000),
		HV_PCI_CLASS(0x020000, 0xffff00),
		HV_PCI_ID_END,
	};

	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, PCIMATCH_UNTIL_END, &pm_nic, NULL), &table[1]);
}

static void test_pcimatch_best_tie(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_DEVICE(0x8086, 0x10d3),
		HV_PCI_DEVICE(0x8086, 0x10d3),
		HV_PCI_ID_END,
	};

	CU_ASSERT_PTR_EQUAL(pcimatch_best(table, 2, &pm_nic, NULL), &table[0]);
}

static void test_pcimatch_best_none(void)
{
	const struct hv_pci_id table[] = { HV_PCI_DEVICE(0x10ec, 0x8168), HV_PCI_ID_END };
	int score = 5;

	CU_ASSERT_PTR_NULL(pcimatch_best(table, PCIMATCH_UNTIL_END, &pm_nic, &score));
	CU_ASSERT(score < 0);
	CU_ASSERT_PTR_NULL(pcimatch_best(table, 0, &pm_nic, &score));
	CU_ASSERT_PTR_NULL(pcimatch_best(&table[1], PCIMATCH_UNTIL_END, &pm_nic, NULL));
}

/* The terminator ends the walk even inside an explicit count. */
static void test_pcimatch_best_stops_at_end(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_DEVICE(0x10ec, 0x8168),
		HV_PCI_ID_END,
		HV_PCI_DEVICE(0x8086, 0x10d3),
	};

	CU_ASSERT_PTR_NULL(pcimatch_best(table, 3, &pm_nic, NULL));
	CU_ASSERT_PTR_EQUAL(pcimatch_best(&table[2], 1, &pm_nic, NULL), &table[2]);
}

static void test_pcimatch_is_end(void)
{
	const struct hv_pci_id end = HV_PCI_ID_END;
	struct hv_pci_id id = end;

	CU_ASSERT_TRUE(pcimatch_id_is_end(&end));
	id.device = 0x1234;		/* still vendor 0, subvendor 0, mask 0 */
	CU_ASSERT_TRUE(pcimatch_id_is_end(&id));
	id = end;
	id.vendor = 1;
	CU_ASSERT_FALSE(pcimatch_id_is_end(&id));
	id = end;
	id.class_mask = 0xff0000;
	CU_ASSERT_FALSE(pcimatch_id_is_end(&id));
	id = end;
	id.subvendor = ANY;
	CU_ASSERT_FALSE(pcimatch_id_is_end(&id));
}

static void test_pcimatch_validate_good(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_DEVICE(0x8086, 0x10d3),
		HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x8086, 0xa01f),
		HV_PCI_CLASS(0x010802, 0xffffff),
		HV_PCI_CLASS(0x020000, 0xff0000),
		{ 0x1af4, ANY, ANY, ANY, 0x020000, 0xff0000, 7 },
		{ ANY, ANY, 0x1028, ANY, 0, 0, 0 },	/* every function of one OEM */
		HV_PCI_ID_END,
	};

	CU_ASSERT_EQUAL(pcimatch_validate(table, PCIMATCH_UNTIL_END), 0);
	CU_ASSERT_EQUAL(pcimatch_validate(table, 3), 0);
	CU_ASSERT_EQUAL(pcimatch_validate(table, 0), 0);
	CU_ASSERT_EQUAL(pcimatch_first_invalid(table, PCIMATCH_UNTIL_END), -1);
}

static void test_pcimatch_validate_bad(void)
{
	const struct hv_pci_id bad[] = {
		pm_id(0x18086, 0x10d3, ANY, ANY, 0, 0),		/* vendor above 16 bits */
		pm_id(0x8086, 0x10000, ANY, ANY, 0, 0),		/* device above 16 bits */
		pm_id(0x8086, 0x10d3, 0xfffff, ANY, 0, 0),	/* subvendor */
		pm_id(0x8086, 0x10d3, ANY, 0x7fffffff, 0, 0),	/* subdevice */
		pm_id(ANY, ANY, ANY, ANY, 0x020001, 0xffff00),	/* class bit outside mask */
		pm_id(ANY, ANY, ANY, ANY, 0x1000000, 0x1000000),	/* class above 24 bits */
		pm_id(ANY, ANY, ANY, ANY, 0, 0xff000000),	/* mask above 24 bits */
		pm_id(ANY, ANY, ANY, ANY, 0, 0),		/* matches everything */
		pm_id(ANY, 0x10d3, ANY, ANY, 0, 0),		/* device without vendor */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hv_pci_id table[3] = { HV_PCI_DEVICE(0x8086, 0x10d3), bad[i], HV_PCI_ID_END };

		CU_ASSERT_EQUAL(pcimatch_validate(table, PCIMATCH_UNTIL_END), -HV_EINVAL);
		CU_ASSERT_EQUAL(pcimatch_validate(table, 2), -HV_EINVAL);
		CU_ASSERT_EQUAL(pcimatch_validate(table, 1), 0);
		CU_ASSERT_EQUAL(pcimatch_first_invalid(table, PCIMATCH_UNTIL_END), 1);
	}
}

static void test_pcimatch_validate_after_end(void)
{
	const struct hv_pci_id table[] = {
		HV_PCI_DEVICE(0x8086, 0x10d3),
		HV_PCI_ID_END,
		{ ANY, ANY, ANY, ANY, 0, 0, 0 },
	};

	CU_ASSERT_EQUAL(pcimatch_validate(table, PCIMATCH_UNTIL_END), 0);
	CU_ASSERT_EQUAL(pcimatch_validate(table, 3), 0);
	CU_ASSERT_EQUAL(pcimatch_validate(&table[2], 1), -HV_EINVAL);
}

UNIT_SUITE(pcimatch_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_pcimatch_exact),
		UNIT_TEST(test_pcimatch_subsystem),
		UNIT_TEST(test_pcimatch_no_subsystem),
		UNIT_TEST(test_pcimatch_class),
		UNIT_TEST(test_pcimatch_best_precedence),
		UNIT_TEST(test_pcimatch_best_class_width),
		UNIT_TEST(test_pcimatch_best_tie),
		UNIT_TEST(test_pcimatch_best_none),
		UNIT_TEST(test_pcimatch_best_stops_at_end),
		UNIT_TEST(test_pcimatch_is_end),
		UNIT_TEST(test_pcimatch_validate_good),
		UNIT_TEST(test_pcimatch_validate_bad),
		UNIT_TEST(test_pcimatch_validate_after_end),
		UNIT_TEST_END
	};
	unit_add_suite("pcimatch", NULL, NULL, tests);
}
