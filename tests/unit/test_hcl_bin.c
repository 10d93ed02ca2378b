/* Tests for lib/hclbin: the compiled HCL table the kernel boot policy and `hcl check` share. */
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/hclbin.h>
#include "unit.h"

#define HB_ANY	(HCLBIN_SVID_ANY | HCLBIN_SSID_ANY)

static struct hclbin_entry hb_ent(uint16_t vid, uint16_t did, uint16_t svid, uint16_t ssid,
				  uint8_t flags, uint8_t type, uint8_t status, uint8_t rel,
				  const char *drv)
{
	struct hclbin_entry e;

	memset(&e, 0, sizeof(e));
	e.vid = vid;
	e.did = did;
	e.svid = (flags & HCLBIN_SVID_ANY) ? 0 : svid;
	e.ssid = (flags & HCLBIN_SSID_ANY) ? 0 : ssid;
	e.flags = flags;
	e.type = type;
	e.status = status;
	e.release = rel;
	strcpy(e.driver, drv);
	strcpy(e.version, "1.0");
	return e;
}

/* Builds an image of entries (already sorted) for releases "0.0.9" and "0.1.0". */
static uint8_t *hb_image(const struct hclbin_entry *e, uint32_t n, size_t *len)
{
	size_t size = HCLBIN_HDR_SIZE + 2 * HCLBIN_REL_SIZE + n * HCLBIN_ENTRY_SIZE;
	uint8_t *buf = calloc(1, size);

	memcpy(buf + HCLBIN_HDR_SIZE, "0.0.9", 5);
	memcpy(buf + HCLBIN_HDR_SIZE + HCLBIN_REL_SIZE, "0.1.0", 5);
	for (uint32_t i = 0; i < n; i++)
		hclbin_put(buf + HCLBIN_HDR_SIZE + 2 * HCLBIN_REL_SIZE + i * HCLBIN_ENTRY_SIZE, &e[i]);
	hclbin_put_header(buf, n, 2, 1795000000u, 0);
	*len = size;
	return buf;
}

static const struct hclbin_entry hb_table[] = {
	{ 0x8086, 0x10d3, 0x15d9, 0x0000, 0, HCLBIN_NIC, HCLBIN_REVOKED, 1, "e1000e", "1.0", 0, 0, { 0 }, "" },
	{ 0x8086, 0x10d3, 0, 0, HB_ANY, HCLBIN_NIC, HCLBIN_CERTIFIED, 0, "e1000e", "0.9", 0, 0, { 0 }, "" },
	{ 0x8086, 0x10d3, 0, 0, HB_ANY, HCLBIN_NIC, HCLBIN_CERTIFIED, 1, "e1000e", "1.0",
	  HCLBIN_FW_EXACT, 1, { 0xab, 0xcd, [31] = 0xef }, "2.1-0" },
	{ 0x8086, 0x1572, 0x8086, 0x0007, 0, HCLBIN_NIC, HCLBIN_CERTIFIED, 1, "i40e", "0.3",
	  HCLBIN_FW_MINIMUM, 0, { 0 }, "9.20" },
	{ 0x8086, 0x1572, 0x8086, 0, HCLBIN_SSID_ANY, HCLBIN_NIC, HCLBIN_DEPRECATED, 1, "i40e", "0.2", 0, 0, { 0 }, "" },
	{ 0x8086, 0x2922, 0, 0, HB_ANY, HCLBIN_STORAGE, HCLBIN_CERTIFIED, 1, "ahci", "1.0", 0, 0, { 0 }, "" },
};
#define HB_N (sizeof(hb_table) / sizeof(hb_table[0]))

static void test_hclbin_roundtrip(void)
{
	size_t len;
	uint8_t *img = hb_image(hb_table, HB_N, &len);
	struct hclbin hb;
	struct hclbin_entry e;
	long bad;

	CU_ASSERT_EQUAL_FATAL(hclbin_open(&hb, img, len, 0, &bad), 0);
	CU_ASSERT_EQUAL(hb.count, HB_N);
	CU_ASSERT_EQUAL(hb.generated, 1795000000u);
	CU_ASSERT_STRING_EQUAL(hclbin_release(&hb, 1), "0.1.0");
	CU_ASSERT_PTR_NULL(hclbin_release(&hb, 2));
	CU_ASSERT_EQUAL(hclbin_release_index(&hb, "0.0.9"), 0);
	CU_ASSERT_EQUAL(hclbin_release_index(&hb, "0.1"), -1);
	CU_ASSERT_EQUAL(hclbin_release_index(&hb, "0.1.0-and-much-longer"), -1);
	hclbin_get(&hb, 3, &e);
	CU_ASSERT_EQUAL(e.vid, 0x8086);
	CU_ASSERT_EQUAL(e.ssid, 0x0007);
	CU_ASSERT_STRING_EQUAL(e.driver, "i40e");
	CU_ASSERT_EQUAL(hclbin_lower_bound(&hb, 0x8086, 0x1572), 3);
	CU_ASSERT_EQUAL(hclbin_lower_bound(&hb, 0x8086, 0x1573), 5);
	CU_ASSERT_EQUAL(hclbin_lower_bound(&hb, 0xffff, 0), HB_N);
	/* version 2: the firmware rule and the certified build travel */
	CU_ASSERT_EQUAL(hb.version, 2);
	CU_ASSERT_EQUAL(e.fw_match, HCLBIN_FW_MINIMUM);
	CU_ASSERT_STRING_EQUAL(e.firmware, "9.20");
	CU_ASSERT_FALSE(e.has_sha);
	hclbin_get(&hb, 2, &e);
	CU_ASSERT_EQUAL(e.fw_match, HCLBIN_FW_EXACT);
	CU_ASSERT_STRING_EQUAL(e.firmware, "2.1-0");
	CU_ASSERT_TRUE(e.has_sha);
	CU_ASSERT(e.module_sha256[0] == 0xab && e.module_sha256[1] == 0xcd && e.module_sha256[31] == 0xef);
	free(img);
}

/* The one firmware rule kernel and hcl check share. */
static void test_hclbin_firmware(void)
{
	struct hclbin_entry e = { 0 };

	CU_ASSERT(hclbin_fw_cmp("1.10", "1.9") > 0);
	CU_ASSERT(hclbin_fw_cmp("1.9", "1.10") < 0);
	CU_ASSERT(hclbin_fw_cmp("2.1-0", "2.1-1") < 0);
	CU_ASSERT(hclbin_fw_cmp("GPJ99E5Q", "GPJ99E4Q") > 0);
	CU_ASSERT(hclbin_fw_cmp("7.2.22", "7.2.22") == 0);
	CU_ASSERT(hclbin_fw_cmp("1.01", "1.1") == 0);	/* leading zeros: the same number */
	CU_ASSERT(hclbin_fw_cmp("1.0", "1.0a") < 0);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, NULL), 1);	/* any */
	e.fw_match = HCLBIN_FW_EXACT;
	strcpy(e.firmware, "2.1-0");
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "2.1-0"), 1);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "2.1-00"), 0);	/* exact means the same bytes */
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "2.1-1"), 0);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, NULL), -1);
	e.fw_match = HCLBIN_FW_MINIMUM;
	strcpy(e.firmware, "9.20");
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "9.20"), 1);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "10.0"), 1);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, "9.3"), 0);
	CU_ASSERT_EQUAL(hclbin_fw_ok(&e, NULL), -1);
}

static void test_hclbin_precedence(void)
{
	size_t len;
	uint8_t *img = hb_image(hb_table, HB_N, &len);
	struct hclbin hb;
	struct hclbin_entry e;
	struct pcimatch_dev smc = { 0x8086, 0x10d3, 0x15d9, 0x0000, 0x020000 };
	struct pcimatch_dev other = { 0x8086, 0x10d3, 0x8086, 0xa01f, 0x020000 };
	struct pcimatch_dev x710 = { 0x8086, 0x1572, 0x8086, 0x0007, 0x020000 };
	struct pcimatch_dev x710b = { 0x8086, 0x1572, 0x8086, 0x0008, 0x020000 };
	struct pcimatch_dev x710n = { 0x8086, 0x1572, 0, 0, 0x020000 };

	CU_ASSERT_EQUAL_FATAL(hclbin_open(&hb, img, len, 0, NULL), 0);
	/* The revoked subsystem entry beats the generic certified one. */
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &smc, &e), 0);
	CU_ASSERT_EQUAL(e.status, HCLBIN_REVOKED);
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &other, &e), 2);
	CU_ASSERT_EQUAL(e.status, HCLBIN_CERTIFIED);
	/* Release 0.0.9 has only the generic entry. */
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 0, &smc, &e), 1);
	CU_ASSERT_STRING_EQUAL(e.version, "0.9");
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &x710, &e), 3);
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &x710b, &e), 4);
	CU_ASSERT_EQUAL(e.status, HCLBIN_DEPRECATED);
	/* No subsystem IDs: no exact-subvendor entry applies (pcimatch rule). */
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &x710n, &e), -1);
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 0, &x710, &e), -1);
	free(img);
}

/* A NIC entry never matches a device of another class, and the reverse. */
static void test_hclbin_type_class(void)
{
	size_t len;
	uint8_t *img = hb_image(hb_table, HB_N, &len);
	struct hclbin hb;
	struct hclbin_entry e;
	struct pcimatch_dev odd = { 0x8086, 0x10d3, 0x8086, 0x0001, 0x010600 };
	struct pcimatch_dev sata = { 0x8086, 0x2922, 0x1af4, 0x1100, 0x010601 };
	struct hv_pci_id id;

	CU_ASSERT_EQUAL_FATAL(hclbin_open(&hb, img, len, 0, NULL), 0);
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &odd, &e), -1);
	CU_ASSERT_EQUAL(hclbin_lookup(&hb, 1, &sata, &e), 5);
	hclbin_entry_id(&hb_table[5], &id);
	CU_ASSERT_EQUAL(id.subvendor, HV_PCI_ANY);
	CU_ASSERT_EQUAL(id.class, 0x010000u);
	CU_ASSERT_EQUAL(id.class_mask, 0xff0000u);
	CU_ASSERT_EQUAL(pcimatch_validate(&id, 1), 0);
	free(img);
}

static void test_hclbin_damage(void)
{
	size_t len;
	uint8_t *img = hb_image(hb_table, HB_N, &len);
	struct hclbin hb;
	long bad;

	CU_ASSERT_EQUAL(hclbin_open(&hb, img, 10, 0, &bad), -HV_ENOEXEC);
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len - 1, 0, &bad), -HV_EINVAL);
	img[HCLBIN_HDR_SIZE + 40] ^= 1;		/* inside the entries: digest */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_EINVAL);
	img[HCLBIN_HDR_SIZE + 40] ^= 1;
	img[8] = 3;				/* version */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_ENOTSUP);
	img[8] = 1;				/* a version 1 header over 128-byte entries */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, HCLBIN_OPEN_NO_DIGEST, &bad), -HV_EINVAL);
	img[8] = 2;
	/* version 2 fields: a rule without a revision, a revision under "any", a bad rule,
	 * a sha without its flag; each names the entry */
	size_t e0 = HCLBIN_HDR_SIZE + 2 * HCLBIN_REL_SIZE;
	img[e0 + 2 * HCLBIN_ENTRY_SIZE + 96] = 0;		/* entry 2: exact, "" */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, HCLBIN_OPEN_NO_DIGEST, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 2);
	img[e0 + 2 * HCLBIN_ENTRY_SIZE + 96] = '2';
	img[e0 + 0 * HCLBIN_ENTRY_SIZE + 100] = 'x';		/* entry 0: any, with a revision */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, HCLBIN_OPEN_NO_DIGEST, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 0);
	img[e0 + 0 * HCLBIN_ENTRY_SIZE + 100] = 0;
	img[e0 + 1 * HCLBIN_ENTRY_SIZE + 60] = 3;		/* entry 1: no such rule */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, HCLBIN_OPEN_NO_DIGEST, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 1);
	img[e0 + 1 * HCLBIN_ENTRY_SIZE + 60] = 0;
	img[e0 + 3 * HCLBIN_ENTRY_SIZE + 70] = 1;		/* entry 3: a sha, no flag */
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, HCLBIN_OPEN_NO_DIGEST, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 3);
	img[e0 + 3 * HCLBIN_ENTRY_SIZE + 70] = 0;
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), 0);
	img[0] = 'X';
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_ENOEXEC);
	free(img);
}

/* Unsorted, duplicate and malformed entries are refused, naming the entry. */
static void test_hclbin_bad_entries(void)
{
	struct hclbin_entry t[3];
	struct hclbin hb;
	size_t len;
	uint8_t *img;
	long bad;

	t[0] = hb_ent(0x8086, 0x2922, 0, 0, HB_ANY, HCLBIN_STORAGE, HCLBIN_CERTIFIED, 1, "ahci");
	t[1] = hb_ent(0x8086, 0x10d3, 0, 0, HB_ANY, HCLBIN_NIC, HCLBIN_CERTIFIED, 1, "e1000e");
	img = hb_image(t, 2, &len);
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 1);
	free(img);
	t[1] = t[0];
	img = hb_image(t, 2, &len);
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_EINVAL);
	CU_ASSERT_EQUAL(bad, 1);
	free(img);
	/* Wildcard subvendor with an exact subdevice; release out of range; bad type. */
	t[0] = hb_ent(0x8086, 0x2922, 0, 5, HCLBIN_SVID_ANY, HCLBIN_STORAGE, 1, 1, "ahci");
	t[1] = hb_ent(0x8086, 0x2923, 0, 0, HB_ANY, HCLBIN_STORAGE, 1, 7, "ahci");
	t[2] = hb_ent(0x8086, 0x2924, 0, 0, HB_ANY, 9, 1, 1, "ahci");
	for (int i = 0; i < 3; i++) {
		img = hb_image(&t[i], 1, &len);
		CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_EINVAL);
		CU_ASSERT_EQUAL(bad, 0);
		free(img);
	}
	/* A driver name without its NUL. */
	t[0] = hb_ent(0x8086, 0x2922, 0, 0, HB_ANY, HCLBIN_STORAGE, 1, 1, "ahci");
	img = hb_image(t, 1, &len);
	memset(img + HCLBIN_HDR_SIZE + 2 * HCLBIN_REL_SIZE + 12, 'a', HCLBIN_STR_SIZE);
	hclbin_put_header(img, 1, 2, 0, 0);
	CU_ASSERT_EQUAL(hclbin_open(&hb, img, len, 0, &bad), -HV_EINVAL);
	free(img);
}

/* Random tables: lookup agrees with pcimatch_best over the same release's entries. */
static void test_hclbin_vs_pcimatch(void)
{
	uint64_t seed = unit_seed();
	enum { N = 200 };
	struct hclbin_entry t[N];
	struct hv_pci_id ids[N];
	size_t n = 0, len;

	for (int i = 0; i < N; i++) {
		uint8_t f = (uint8_t[]){ 0, HCLBIN_SSID_ANY, HB_ANY }[unit_rand(&seed) % 3];

		t[n] = hb_ent(0x1000 + unit_rand(&seed) % 3, unit_rand(&seed) % 4,
			      1 + unit_rand(&seed) % 3, unit_rand(&seed) % 3, f,
			      1 + unit_rand(&seed) % 2, 1, unit_rand(&seed) % 2, "d");
		n++;
	}
	/* Sort and drop duplicates. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && hclbin_cmp(&t[j - 1], &t[j]) > 0; j--) {
			struct hclbin_entry x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || hclbin_cmp(&t[m - 1], &t[i]) != 0)
			t[m++] = t[i];
	uint8_t *img = hb_image(t, (uint32_t)m, &len);
	struct hclbin hb;

	CU_ASSERT_EQUAL_FATAL(hclbin_open(&hb, img, len, 0, NULL), 0);
	for (int k = 0; k < 500; k++) {
		struct pcimatch_dev d = { 0x1000 + unit_rand(&seed) % 3, unit_rand(&seed) % 4,
					  unit_rand(&seed) % 4, unit_rand(&seed) % 3,
					  (uint32_t)(1 + unit_rand(&seed) % 2) << 16 };
		uint32_t rel = unit_rand(&seed) % 2;
		size_t ni = 0;
		struct hclbin_entry e;

		for (size_t i = 0; i < m; i++)
			if (t[i].release == rel)
				hclbin_entry_id(&t[i], &ids[ni++]);
		const struct hv_pci_id *best = pcimatch_best(ids, ni, &d, NULL);
		long got = hclbin_lookup(&hb, rel, &d, &e);

		CU_ASSERT_EQUAL(got < 0, best == NULL);
		if (best && got >= 0) {
			struct hv_pci_id gid;

			hclbin_entry_id(&e, &gid);
			CU_ASSERT(memcmp(&gid, best, sizeof(gid)) == 0);
		}
	}
	free(img);
}

UNIT_SUITE(hclbin_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hclbin_roundtrip),
		UNIT_TEST(test_hclbin_firmware),
		UNIT_TEST(test_hclbin_precedence),
		UNIT_TEST(test_hclbin_type_class),
		UNIT_TEST(test_hclbin_damage),
		UNIT_TEST(test_hclbin_bad_entries),
		UNIT_TEST(test_hclbin_vs_pcimatch),
		UNIT_TEST_END
	};
	unit_add_suite("hclbin", NULL, NULL, tests);
}
