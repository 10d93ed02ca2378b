/* The features `hcl export` derives from a store's test results (hcl/hcl_feature.c,
 * hcl_feature_db.c): runs built in a SQLite store the way certify stores them, exported, and
 * each device's list compared with the one written here by hand from the table's rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "../../db/store.h"
#include "../../hcl/hcl.h"
#include "../../hcl/hcl_feature.h"
#include "unit.h"

static char hf_dir[64], hf_path[128];

static int hf_init(void)
{
	snprintf(hf_dir, sizeof(hf_dir), "/tmp/hcl-feature-XXXXXX");
	if (!mkdtemp(hf_dir))
		return -1;
	snprintf(hf_path, sizeof(hf_path), "%s/cert.db", hf_dir);
	return 0;
}

static int hf_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hf_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* One configuration: its name (interrupt mode second, as certify names them), verdict and
 * results "suite.name=status" (NULL-terminated). */
struct hf_cfg {
	const char *name, *verdict;
	const char *results[8];
};

/* A finished, passing run of device did (kind nic or storage) with the configurations
 * cfgs[0..n). */
static void hf_run(struct certify_db *db, unsigned vid, unsigned did, const char *kind,
		   const struct hf_cfg *cfgs, size_t n)
{
	static const struct certify_db_binding bind = { "p", "k", "QEMU 7.2", 1, "" };
	struct certify_db_driver drv = { "drv", "1.0", "hvkit", "" };
	struct certify_db_device dev = { vid, did, 0, 0, 0, "", "m", "v", "", "" };
	struct certify_err err;
	int64_t id;

	snprintf(drv.sha256, sizeof(drv.sha256), "%04x", did);
	snprintf(dev.kind, sizeof(dev.kind), "%s", kind);
	dev.class = strcmp(kind, "nic") == 0 ? 0x020000 : 0x010802;
	CU_ASSERT_FATAL(certify_db_run_begin(db, kind, "{}", 1, &bind, &drv, 1, &id, &err) == 0);
	for (size_t i = 0; i < n; i++) {
		struct certify_db_result res[8];
		char json[96], irq[16];
		struct certify_db_config c = { .idx = (int)i, .json = json, .cmdline = "",
					       .reason = "", .log = "", .result = res };

		memset(res, 0, sizeof(res));
		/* "pc-msix-smp1-tcg": the mode is the second word, the JSON says it */
		sscanf(cfgs[i].name, "%*[^-]-%15[^-]", irq);
		snprintf(json, sizeof(json), "{\"name\":\"%s\",\"machine\":\"pc\",\"irq\":\"%s\","
			 "\"smp\":1,\"accel\":\"tcg\"}", cfgs[i].name, irq);
		snprintf(c.name, sizeof(c.name), "%s", cfgs[i].name);
		if (strcmp(cfgs[i].verdict, "pass") != 0)
			c.reason = strcmp(cfgs[i].verdict, "na") == 0 ?
				   "the device under test has no msix" : "nic.rate failed";
		snprintf(c.verdict, sizeof(c.verdict), "%s", cfgs[i].verdict);
		for (size_t k = 0; k < 8 && cfgs[i].results[k]; k++) {
			const char *r = cfgs[i].results[k];

			sscanf(r, "%47[^.].%63[^=]=%7s", res[k].suite, res[k].name, res[k].status);
			c.nresult++;
		}
		if (strcmp(cfgs[i].verdict, "pass") == 0) {
			c.dev = &dev;
			c.ndev = 1;
			snprintf(c.release, sizeof(c.release), "0.1.0");
		}
		CU_ASSERT_FATAL(certify_db_config_add(db, id, &c, &err) == 0);
	}
	CU_ASSERT_FATAL(certify_db_run_finish(db, id, "pass", "", &err) == 0);
}

/* The exported features of device did, comma-separated, into out. */
static void hf_features(const struct hcl_list *l, unsigned did, char *out, size_t len)
{
	snprintf(out, len, "(not in the list)");
	for (size_t i = 0; i < l->nentries; i++) {
		const struct hcl_cert *c = &l->entries[i].certs[0];
		size_t n = 0;

		if (l->entries[i].did != did)
			continue;
		out[0] = '\0';
		for (size_t k = 0; k < c->nfeatures; k++)
			n += (size_t)snprintf(out + n, len - n, "%s%s", k ? "," : "", c->features[k]);
	}
}

/* Device did's exported features must be want; a mismatch says which device, what it got. */
static void hf_expect(const struct hcl_list *l, unsigned did, const char *want)
{
	char got[160];

	hf_features(l, did, got, sizeof(got));
	if (strcmp(got, want))
		fprintf(stderr, "\n    device %04x: features \"%s\", want \"%s\"\n", did, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/*
 * Four NICs and two storage controllers:
 * - 10f7 passed nic.jumbo and nic.linkflap, and nic.integrity with MSI-X and with INTx;
 * - 10f8 has no MSI-X (not applicable) and its nic.jumbo skipped: no jumbo;
 * - 10f9 passed nic.jumbo in one run and failed it in a later one: no jumbo either;
 * - 10fa passed nic.integrity and nic.jumbo only in a configuration that failed: nothing
 *   (a failed configuration never proves);
 * - storage 0010 passed everything with MSI-X and blk.intr with INTx;
 * - storage 0011 passed blk.identify and blk.highlba, but in different configurations,
 *   and blk.verify without blk.errors: neither lba64 nor flush.
 */
static void test_hcl_feature_export(void)
{
	static const struct hf_cfg a[] = {
		{ "pc-msix-smp1-tcg", "pass", { "nic.integrity=pass", "nic.jumbo=pass", "nic.linkflap=pass" } },
		{ "pc-intx-smp1-tcg", "pass", { "nic.integrity=pass", "nic.jumbo=pass", "nic.linkflap=pass" } },
	};
	static const struct hf_cfg b[] = {
		{ "pc-msix-smp1-tcg", "na", { NULL } },
		{ "pc-intx-smp1-tcg", "pass", { "nic.integrity=pass", "nic.jumbo=skip", "nic.linkflap=pass" } },
	};
	static const struct hf_cfg c1[] = {
		{ "pc-intx-smp1-tcg", "pass", { "nic.integrity=pass", "nic.jumbo=pass" } },
	};
	static const struct hf_cfg c2[] = {
		{ "q35-msi-smp1-tcg", "pass", { "nic.integrity=pass", "nic.jumbo=fail" } },
	};
	static const struct hf_cfg d[] = {
		{ "pc-intx-smp1-tcg", "fail", { "nic.integrity=pass", "nic.jumbo=pass" } },
		{ "pc-msix-smp1-tcg", "pass", { "nic.rate=pass" } },
	};
	static const struct hf_cfg s1[] = {
		{ "pc-msix-smp1-tcg", "pass", { "blk.identify=pass", "blk.verify=pass", "blk.errors=pass",
						"blk.intr=pass", "blk.poll=pass", "blk.highlba=pass" } },
		{ "pc-intx-smp1-tcg", "pass", { "blk.identify=pass", "blk.intr=pass", "blk.highlba=skip" } },
	};
	static const struct hf_cfg s2[] = {
		{ "pc-msix-smp1-tcg", "pass", { "blk.identify=pass", "blk.highlba=skip", "blk.verify=pass",
						"blk.errors=skip" } },
		{ "pc-msi-smp1-tcg", "pass", { "blk.identify=skip", "blk.highlba=pass" } },
	};
	struct certify_db *db;
	struct certify_err err;
	struct hcl_err herr;
	struct hcl_list l;
	char out[160], *text = NULL;
	size_t len = 0;

	CU_ASSERT_FATAL(certify_db_open(hf_path, &db, &err) == 0);
	hf_run(db, 0x8086, 0x10f7, "nic", a, 2);
	hf_run(db, 0x8086, 0x10f8, "nic", b, 2);
	hf_run(db, 0x8086, 0x10f9, "nic", c1, 1);
	hf_run(db, 0x8086, 0x10f9, "nic", c2, 1);
	hf_run(db, 0x8086, 0x10fa, "nic", d, 2);
	hf_run(db, 0x1b36, 0x0010, "storage", s1, 2);
	hf_run(db, 0x1b36, 0x0011, "storage", s2, 2);
	certify_db_close(db);

	snprintf(out, sizeof(out), "%s/hcl.json", hf_dir);
	CU_ASSERT_EQUAL_FATAL(hcl_export(hf_path, out, 1, &herr), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_read_file(out, &text, &len, &herr), 0);
	if (hcl_list_parse(&l, text, len, out, &herr) < 0) {
		fprintf(stderr, "%s\n", herr.msg);
		free(text);
		CU_FAIL_FATAL("the exported list does not parse");
	}
	hf_expect(&l, 0x10f7, "jumbo,link-state,msix,intx");
	hf_expect(&l, 0x10f8, "link-state,intx");
	hf_expect(&l, 0x10f9, "msi,intx");
	hf_expect(&l, 0x10fa, "");
	hf_expect(&l, 0x0010, "msix,intx,poll,lba64,flush");
	hf_expect(&l, 0x0011, "");
	hcl_list_free(&l);
	free(text);
}

/* --require values: lists, repeats, and the one-line errors naming the bad name. */
static void test_hcl_feature_require_args(void)
{
	struct hcl_require req = { .n = 0 };
	struct hcl_err err;

	CU_ASSERT_EQUAL(hcl_require_add(&req, "jumbo,msix", &err), 0);
	CU_ASSERT_EQUAL(hcl_require_add(&req, "msix", &err), 0);
	CU_ASSERT_EQUAL_FATAL(req.n, 2);
	CU_ASSERT_STRING_EQUAL(req.ids[0], "jumbo");
	CU_ASSERT_STRING_EQUAL(req.ids[1], "msix");
	CU_ASSERT_EQUAL(hcl_require_add(&req, "jumbo,rss", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "--require: unknown feature 'rss' (hcl features lists them)");
	CU_ASSERT_EQUAL(hcl_require_add(&req, "jumbo,,msix", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "--require 'jumbo,,msix': an empty feature name");
	CU_ASSERT_EQUAL(hcl_require_add(&req, "", &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "--require '': an empty feature name");
}

UNIT_SUITE(hcl_feature_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hcl_feature_export),
		UNIT_TEST(test_hcl_feature_require_args),
		UNIT_TEST_END
	};
	unit_add_suite("hcl_feature", hf_init, hf_clean, tests);
}
