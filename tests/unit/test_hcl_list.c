/* Tests for the hcl list: strict JSON parsing, the export seam, compile, sign and load. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../hcl/hcl.h"
#include "../../hcl/hcl_key.h"
#include "unit.h"

#define HL_HEAD "{\"schema_version\":1,\"generated\":\"2026-11-20T09:00:00Z\",\"releases\":[\"0.1.0\"],\"entries\":["
#define HL_ENTRY(rest) "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel\",\"model\":\"82540EM\",\"type\":\"nic\",\"releases\":{\"0.1.0\":{" rest "}}}"
#define HL_CERT "\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[\"msi\"],\"certified\":\"2026-11-18\",\"runs\":[\"run-1\"],\"status\":\"certified\""

/* Parses text as a list and returns the error message ("" on success); unit.h. */
const char *unit_hcl_list_err(const char *text)
{
	static struct hcl_err err;
	struct hcl_list l;

	memset(&err, 0, sizeof(err));
	if (hcl_list_parse(&l, text, strlen(text), "t.json", &err) == 0)
		hcl_list_free(&l);
	return err.msg;
}

static void test_hcl_list_good(void)
{
	const char *text = HL_HEAD HL_ENTRY(HL_CERT) "]}";
	struct hcl_list l;
	struct hcl_err err;

	CU_ASSERT_EQUAL_FATAL(hcl_list_parse(&l, text, strlen(text), "t.json", &err), 0);
	CU_ASSERT_EQUAL(l.nentries, 1);
	CU_ASSERT_EQUAL(l.entries[0].svid, HV_PCI_ANY);
	CU_ASSERT_EQUAL(l.entries[0].type, HCL_NIC);
	CU_ASSERT_STRING_EQUAL(l.entries[0].certs[0].driver, "e1000");
	CU_ASSERT_PTR_NULL(l.entries[0].certs[0].firmware);
	CU_ASSERT_EQUAL(l.generated, 1795165200);
	hcl_list_free(&l);
}

static void test_hcl_list_errors(void)
{
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_CERT ",\"extra\":1") "]}"),
			       "t.json:1: entries[0].releases[\"0.1.0\"]: unknown key \"extra\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY("\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-11-18\",\"runs\":[\"r\"],\"status\":\"certified\"") "]}"),
			       "t.json:1: entries[0].releases[\"0.1.0\"]: missing \"driver\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":1,\"generated\":\"2026-11-20 09:00\",\"releases\":[\"0.1.0\"],\"entries\":[]}"),
			       "t.json:1: generated: expected RFC 3339 UTC, e.g. 2026-11-25T21:00:00Z");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err("{\"schema_version\":2}"),
			       "t.json:1: schema_version: unsupported (this tool reads 1)");
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_CERT) "]"), "t.json:1: not valid JSON") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_CERT) "," HL_ENTRY(HL_CERT) "]}"),
			 "entries[1]: same vid/did/svid/ssid") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD "{\"vid\":\"8086\",\"did\":\"100E\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"I\",\"model\":\"M\",\"type\":\"nic\",\"releases\":{}}]}"),
			 "entries[0].did: expected 4 lower-case hex digits") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"0000\",\"ssid\":\"*\",\"vendor\":\"I\",\"model\":\"M\",\"type\":\"nic\",\"releases\":{}}]}"),
			 "entries[0].svid: 0000 means") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"I\",\"model\":\"M\",\"type\":\"gpu\",\"releases\":{}}]}"),
			 "entries[0].type: expected nic or storage") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD HL_ENTRY("\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-02-30\",\"runs\":[\"r\"],\"status\":\"certified\"") "]}"),
			 "certified: expected a date") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD HL_ENTRY("\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-02-03\",\"runs\":[],\"status\":\"certified\"") "]}"),
			 "runs: empty") != NULL);
	CU_ASSERT(strstr(unit_hcl_list_err(HL_HEAD HL_ENTRY("\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-02-03\",\"runs\":[\"r\"],\"status\":\"ok\"") "]}"),
			 "status: expected certified, deprecated or revoked") != NULL);
}

static const char *const hl_feat[] = { "msix", "tso" };
static const char *const hl_runs[] = { "run-7" };

static void test_hcl_list_build_roundtrip(void)
{
	struct hcl_coverage hl_cov = { 0 };
	struct hcl_certified rows[] = {
		{ 0x8086, 0x10d3, HV_PCI_ANY, HV_PCI_ANY, NULL, NULL, HCL_NIC, "0.1.0", "e1000e",
		  "1.0.1", NULL, hl_feat, 2, "2026-11-18", hl_runs, 1, HCL_CERTIFIED, &hl_cov, NULL, NULL, 0 },
		{ 0x8086, 0x10d3, HV_PCI_ANY, HV_PCI_ANY, NULL, NULL, HCL_NIC, "0.0.9", "e1000e",
		  "0.9.0", "fw 1", hl_feat, 1, "2026-09-18", hl_runs, 1, HCL_DEPRECATED, NULL, NULL, NULL, 0 },
		{ 0x1af4, 0x1042, 0x1af4, 0x0002, "Red Hat", "virtio-blk", HCL_STORAGE, "0.1.0",
		  "virtio-blk", "1.0.0", NULL, NULL, 0, "2026-11-10", hl_runs, 1, HCL_CERTIFIED, NULL, NULL, NULL, 0 },
	};
	struct hcl_list l, back;
	struct hcl_err err;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CU_ASSERT_EQUAL(hcl_coverage_add(&hl_cov, "pc-intx-smp1-tcg", "pass", ""), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&hl_cov, "pc-intx-smp1-kvm", "notrun", "KVM unusable"), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_list_build(&l, rows, 3, 1795165200, &err), 0);
	CU_ASSERT_EQUAL(l.nentries, 2);
	CU_ASSERT_EQUAL(l.nreleases, 2);
	CU_ASSERT_EQUAL(l.entries[0].vid, 0x1af4);
	CU_ASSERT_EQUAL(l.entries[1].ncerts, 2);
	/* Names come from pci.ids when the store has none. */
	CU_ASSERT(strstr(l.entries[1].vendor, "Intel") != NULL);
	f = open_memstream(&text, &len);
	CU_ASSERT_EQUAL(hcl_list_write(&l, f), 0);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(hcl_list_parse(&back, text, len, "mem", &err), 0);
	CU_ASSERT_EQUAL(back.nentries, 2);
	CU_ASSERT_STRING_EQUAL(back.entries[1].certs[0].firmware, "fw 1");
	CU_ASSERT_EQUAL(back.entries[1].certs[0].status, HCL_DEPRECATED);
	CU_ASSERT_EQUAL(back.entries[0].ssid, 0x0002);
	/* The coverage goes out and comes back; a row without one stays without. */
	CU_ASSERT_PTR_NULL(back.entries[1].certs[0].coverage);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back.entries[1].certs[1].coverage);
	CU_ASSERT_EQUAL(back.entries[1].certs[1].coverage->npassed, 1);
	CU_ASSERT_EQUAL_FATAL(back.entries[1].certs[1].coverage->nnot_run, 1);
	CU_ASSERT_STRING_EQUAL(back.entries[1].certs[1].coverage->not_run[0].reason, "KVM unusable");
	hcl_list_free(&back);
	hcl_list_free(&l);
	free(text);
	rows[1].release = "0.1.0";
	CU_ASSERT_EQUAL(hcl_list_build(&l, rows, 3, 0, &err), -1);
	CU_ASSERT(strstr(err.msg, "appears twice") != NULL);
	rows[1].svid = 0;
	CU_ASSERT_EQUAL(hcl_list_build(&l, rows, 3, 0, &err), -1);
	hcl_coverage_free(&hl_cov);
}

#define HL_COV(x) HL_CERT ",\"coverage\":{" x "}"

/* coverage: strict like the rest, and merged run by run the way hcl export adds them. */
static void test_hcl_list_coverage(void)
{
	struct hcl_coverage c = { 0 }, d;

	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[\"a\"],\"not_run\":[],"
		"\"not_applicable\":[{\"name\":\"b\",\"reason\":\"no msi\"}]")) "]}"), "");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[],\"not_run\":[],"
		"\"not_applicable\":[]")) "]}"), "t.json:1: entries[0].releases[\"0.1.0\"].coverage.passed: "
		"empty: a certification passed at least one configuration");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[\"a\"],\"not_run\":[{"
		"\"name\":\"a\",\"reason\":\"x\"}],\"not_applicable\":[]")) "]}"),
		"t.json:1: entries[0].releases[\"0.1.0\"].coverage: configuration \"a\" listed twice");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[\"a\"],\"not_run\":[{"
		"\"name\":\"b\"}],\"not_applicable\":[]")) "]}"),
		"t.json:1: entries[0].releases[\"0.1.0\"].coverage.not_run[0]: missing \"reason\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[\"a\"],\"not_run\":[],"
		"\"not_applicable\":[],\"failed\":[]")) "]}"),
		"t.json:1: entries[0].releases[\"0.1.0\"].coverage: unknown key \"failed\"");
	CU_ASSERT_STRING_EQUAL(unit_hcl_list_err(HL_HEAD HL_ENTRY(HL_COV("\"passed\":[\"a\"]")) "]}"),
		"t.json:1: entries[0].releases[\"0.1.0\"].coverage: missing \"not_run\"");
	/* Run 1: a passes, b not run (no KVM), c n/a. Run 2: b passes, a not run (--accel). */
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "a", "pass", ""), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "b", "notrun", "KVM unusable"), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "c", "na", "no msi"), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "d", "notrun", "KVM unusable"), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "a", "notrun", "not asked for: --accel kvm"), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "b", "pass", ""), 0);
	CU_ASSERT_EQUAL(hcl_coverage_add(&c, "d", "notrun", "not asked for: --accel tcg"), 0);
	CU_ASSERT_EQUAL_FATAL(c.npassed, 2);
	CU_ASSERT_STRING_EQUAL(c.passed[0], "a");
	CU_ASSERT_STRING_EQUAL(c.passed[1], "b");
	CU_ASSERT_EQUAL_FATAL(c.nnot_run, 1);
	CU_ASSERT_STRING_EQUAL(c.not_run[0].name, "d");
	CU_ASSERT_STRING_EQUAL(c.not_run[0].reason, "not asked for: --accel tcg");	/* the later */
	CU_ASSERT_EQUAL_FATAL(c.nnot_applicable, 1);
	CU_ASSERT_EQUAL(hcl_coverage_copy(&d, &c), 0);
	CU_ASSERT(d.npassed == 2 && d.nnot_run == 1 && d.nnot_applicable == 1);
	hcl_coverage_free(&d);
	hcl_coverage_free(&c);
}

/* keygen, sign, load (verify), compile with a signature, load the hcl.bin. */
static void test_hcl_list_sign_compile(void)
{
	char dir[] = "/tmp/hcl-unit.XXXXXX", key[64], pub[80], signed_[80], bin[80];
	struct hcl_loaded ld, lb;
	struct hcl_err err;
	uint8_t *img;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/k", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	snprintf(signed_, sizeof(signed_), "%s/s.json", dir);
	snprintf(bin, sizeof(bin), "%s/h.bin", dir);
	CU_ASSERT_EQUAL_FATAL(hcl_keygen(key, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_sign_list("tests/hcl/fixtures/hcl.json", key, signed_, &err), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_load(signed_, pub, 0, 1, NULL, &ld, &err), 0);
	CU_ASSERT(ld.sig.signed_ok);
	CU_ASSERT_EQUAL(ld.list.nentries, 11);
	CU_ASSERT_EQUAL(hcl_compile(&ld.list, key, &img, &len, &err), 0);
	CU_ASSERT_EQUAL(hcl_write_atomic(bin, img, len, 0644, &err), 0);
	CU_ASSERT_EQUAL(hcl_load(bin, pub, 0, 0, NULL, &lb, &err), 0);
	CU_ASSERT(lb.sig.signed_ok);
	CU_ASSERT_EQUAL(lb.hb.count, ld.hb.count);
	CU_ASSERT(memcmp(lb.hb.ent, ld.hb.ent, (size_t)ld.hb.count * HCLBIN_ENTRY_SIZE) == 0);
	hcl_loaded_free(&lb);
	/* One flipped bit in the signed image is refused, even with --insecure off. */
	img[HCLBIN_HDR_SIZE + 50] ^= 4;
	CU_ASSERT_EQUAL(hcl_write_atomic(bin, img, len, 0644, &err), 0);
	CU_ASSERT_EQUAL(hcl_load(bin, pub, 0, 0, NULL, &lb, &err), -1);
	CU_ASSERT(strstr(err.msg, "bad signature") != NULL);
	CU_ASSERT_EQUAL(hcl_load("tests/hcl/fixtures/hcl.json", pub, 0, 0, NULL, &lb, &err), -1);
	CU_ASSERT(strstr(err.msg, "not signed") != NULL);
	free(img);
	hcl_loaded_free(&ld);
	unlink(key);
	unlink(pub);
	unlink(signed_);
	unlink(bin);
	rmdir(dir);
}

UNIT_SUITE(hcl_list_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hcl_list_good),
		UNIT_TEST(test_hcl_list_errors),
		UNIT_TEST(test_hcl_list_build_roundtrip),
		UNIT_TEST(test_hcl_list_coverage),
		UNIT_TEST(test_hcl_list_sign_compile),
		UNIT_TEST_END
	};
	unit_add_suite("hcl_list", NULL, NULL, tests);
}
