/* What `hcl export` reads from the store (db/store_export.c) and how it writes its list
 * (hcl/hcl_export.c): only complete passing runs, a read-only open that refuses what is not
 * a store, a busy store named as such (never a short list), and an output file that is
 * either the whole new list or untouched. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "../../db/store.h"
#include "../../hcl/hcl.h"
#include "unit.h"

static char dx_dir[64], dx_path[128];

static int dx_init(void)
{
	snprintf(dx_dir, sizeof(dx_dir), "/tmp/certify-dbexport-XXXXXX");
	if (!mkdtemp(dx_dir))
		return -1;
	snprintf(dx_path, sizeof(dx_path), "%s/cert.db", dx_dir);
	return 0;
}

static int dx_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dx_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct certify_db_binding dx_bind = { "p", "k", "QEMU 7.2", 1, "" };

/* A run of device d with driver version ver and verdict; finished (status complete) or not. */
static void dx_run(struct certify_db *db, unsigned did, const char *ver, const char *verdict,
		   int finish)
{
	struct certify_db_driver drv = { "e1000", "", "hvkit", "" };
	struct certify_db_device dev = { 0x8086, did, 0, 0, 0x020000, "nic", "e1000", "Intel", "", "" };
	struct certify_db_config c = { .name = "pc-intx-smp1-tcg", .json = "{}", .cmdline = "",
				       .reason = "", .log = "", .dev = &dev, .ndev = 1 };
	struct certify_err err;
	int64_t id;

	snprintf(drv.version, sizeof(drv.version), "%s", ver);
	snprintf(drv.sha256, sizeof(drv.sha256), "%04x%s", did, ver);
	snprintf(dev.firmware, sizeof(dev.firmware), "fw%s", ver);	/* what the driver reported */
	snprintf(c.verdict, sizeof(c.verdict), "%s", verdict);
	snprintf(c.release, sizeof(c.release), "0.1.0");
	CU_ASSERT_FATAL(certify_db_run_begin(db, "nic", "{}", 1, &dx_bind, &drv, 1, &id, &err) == 0);
	CU_ASSERT_FATAL(certify_db_config_add(db, id, &c, &err) == 0);
	if (finish)
		CU_ASSERT_FATAL(certify_db_run_finish(db, id, verdict, "", &err) == 0);
}

static int dx_collect(void *ctx, const struct certify_db_certified *c)
{
	struct certify_db_certified *v = ctx;

	/* these runs passed as stored: no waiver behind them (a garbage byte here once reached
	 * the list as an invalid "waivers" string) */
	CU_ASSERT_STRING_EQUAL(c->waived, "");
	for (int i = 0; i < 4; i++)
		if (!v[i].vid) {
			v[i] = *c;
			return 0;
		}
	return -1;
}

/* Two passing runs, one failing, one never finished: the two passing ones come back, in
 * order, with their driver, release and run. */
static void test_db_export_rows(void)
{
	struct certify_db *db;
	struct certify_db_certified got[4];
	struct certify_err err;

	CU_ASSERT_FATAL(certify_db_open(dx_path, &db, &err) == 0);
	dx_run(db, 0x100e, "1.1", "pass", 1);
	dx_run(db, 0x100e, "1.0", "pass", 1);
	dx_run(db, 0x10d3, "1.0", "fail", 1);
	dx_run(db, 0x10d3, "2.0", "pass", 0);
	certify_db_close(db);

	memset(got, 0, sizeof(got));
	CU_ASSERT_FATAL(certify_db_open_read(dx_path, &db, &err) == 0);
	CU_ASSERT_EQUAL(certify_db_certified(db, dx_collect, got, &err), 0);
	certify_db_close(db);
	CU_ASSERT(got[0].vid == 0x8086 && got[0].did == 0x100e && got[1].did == 0x100e);
	CU_ASSERT_STRING_EQUAL(got[0].version, "1.0");		/* ordered by version */
	CU_ASSERT_STRING_EQUAL(got[1].version, "1.1");
	CU_ASSERT_EQUAL(got[0].run, 2);
	CU_ASSERT_STRING_EQUAL(got[0].kind, "nic");
	CU_ASSERT_STRING_EQUAL(got[0].driver, "e1000");
	CU_ASSERT_STRING_EQUAL(got[0].release, "0.1.0");
	CU_ASSERT_EQUAL(got[0].ndrivers, 1);
	CU_ASSERT_EQUAL(strlen(got[0].date), 10);
	CU_ASSERT_STRING_EQUAL(got[0].firmware, "fw1.0");	/* version 8: the run's firmware */
	CU_ASSERT_STRING_EQUAL(got[1].firmware, "fw1.1");
	CU_ASSERT_STRING_EQUAL(got[0].sha256, "100e1.0");	/* and its module's build */
	CU_ASSERT_EQUAL(got[2].vid, 0);				/* nothing else */
}

static int dx_unofficial(void *ctx, int64_t run, const char *plan, const char *why)
{
	char *out = ctx;

	snprintf(out, 200, "%lld %s: %s", (long long)run, plan, why);
	return 0;
}

/* A passing run whose plan is not the shipped one is stored, never exported; the store names
 * it for export to say so. */
static void test_db_export_unofficial(void)
{
	struct certify_db_binding b = { "p", "k", "QEMU 7.2", 0, "plan 'nic-quick' is not one shipped" };
	struct certify_db_driver drv = { "e1000", "5.0", "hvkit", "unoff50" };
	struct certify_db_device dev = { 0x8086, 0x10f6, 0, 0, 0x020000, "nic", "e1000", "Intel", "", "" };
	struct certify_db_config c = { .name = "pc-intx-smp1-tcg", .verdict = "pass", .json = "{}",
				       .cmdline = "", .reason = "", .log = "", .release = "0.1.0",
				       .dev = &dev, .ndev = 1 };
	struct certify_db_certified got[4];
	struct certify_db *db;
	struct certify_err err;
	char said[200] = "";
	int64_t id;

	CU_ASSERT_FATAL(certify_db_open(dx_path, &db, &err) == 0);
	CU_ASSERT_FATAL(certify_db_run_begin(db, "nic-quick", "{}", 1, &b, &drv, 1, &id, &err) == 0);
	CU_ASSERT_FATAL(certify_db_config_add(db, id, &c, &err) == 0);
	CU_ASSERT_FATAL(certify_db_run_finish(db, id, "pass", "", &err) == 0);
	memset(got, 0, sizeof(got));
	CU_ASSERT_EQUAL(certify_db_certified(db, dx_collect, got, &err), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(got[i].did != 0x10f6);
	CU_ASSERT_EQUAL(certify_db_unofficial(db, dx_unofficial, said, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, " nic-quick: plan 'nic-quick' is not one shipped"));
	certify_db_close(db);
}

/* A missing file, a file that is not a store: refused with the path named; nothing made. */
static void test_db_export_open_errors(void)
{
	struct certify_db *db;
	struct certify_err err;
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/none.db", dx_dir);
	CU_ASSERT_EQUAL(certify_db_open_read(path, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	CU_ASSERT(access(path, F_OK) != 0);
	snprintf(path, sizeof(path), "%s/empty.db", dx_dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fclose(f);
	CU_ASSERT_EQUAL(certify_db_open_read(path, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a certification store"));
}

/* Another process holds the store's lock past the busy wait: the open, or a read of a store
 * already open, fails and says the store is busy; it never returns a short list as if it
 * were complete. */
static void test_db_export_busy(void)
{
	struct certify_db *db;
	struct certify_db_certified got[4];
	struct certify_err err;
	char path[160];
	sqlite3 *h;

	setenv("HVKIT_DB_BUSY_MS", "50", 1);
	/* A WAL store (as certify leaves it) whose writer keeps the file locked. */
	CU_ASSERT_FATAL(sqlite3_open(dx_path, &h) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(h, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
				     "UPDATE runs SET pid = pid", NULL, NULL, NULL) == SQLITE_OK);
	err.msg[0] = '\0';
	CU_ASSERT_EQUAL(certify_db_open_read(dx_path, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the store is busy"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "50 ms"));
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);

	/* Locked between the open and the read (a rollback-journal copy, where a writer's lock
	 * can be taken while a reader is open). */
	snprintf(path, sizeof(path), "%s/journal.db", dx_dir);
	CU_ASSERT_FATAL(certify_db_open(path, &db, &err) == 0);
	dx_run(db, 0x100e, "1.0", "pass", 1);
	certify_db_close(db);
	CU_ASSERT_FATAL(sqlite3_open(path, &h) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(h, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(certify_db_open_read(path, &db, &err) == 0);
	CU_ASSERT_FATAL(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK);
	memset(got, 0, sizeof(got));
	err.msg[0] = '\0';
	CU_ASSERT_EQUAL(certify_db_certified(db, dx_collect, got, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the store is busy"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	CU_ASSERT_EQUAL(got[0].vid, 0);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	/* Once the lock is gone the same connection reads the run. */
	CU_ASSERT_EQUAL(certify_db_certified(db, dx_collect, got, &err), 0);
	CU_ASSERT_EQUAL(got[0].did, 0x100e);
	certify_db_close(db);
	sqlite3_close(h);
	unsetenv("HVKIT_DB_BUSY_MS");
}

/* The coverage of an exported certification: the configurations of its runs, a pass by any
 * run covering one, the reasons of what no run covered. */
static void test_db_export_coverage(void)
{
	static const char *const run1[][3] = {
		{ "pc-msix-smp1-tcg", "na", "the device under test has no msix" },
		{ "pc-intx-smp1-tcg", "pass", "5 tests passed" },
		{ "pc-intx-smp1-kvm", "notrun", "KVM unusable: /dev/kvm: No such file or directory" },
		{ "q35-intx-smp1-kvm", "notrun", "KVM unusable: /dev/kvm: No such file or directory" },
	};
	static const char *const run2[][3] = {
		{ "pc-intx-smp1-tcg", "notrun", "not asked for: --accel kvm" },
		{ "pc-intx-smp1-kvm", "pass", "5 tests passed" },
	};
	struct certify_db_driver drv = { "e1000", "3.0", "hvkit", "cov30" };
	struct certify_db_device dev = { 0x8086, 0x10f5, 0, 0, 0x020000, "nic", "e1000", "Intel", "", "" };
	struct certify_db *db;
	struct certify_err err;
	struct hcl_err herr;
	struct hcl_list l;
	char out[160], *text = NULL;
	size_t len = 0;
	int64_t id;

	CU_ASSERT_FATAL(certify_db_open(dx_path, &db, &err) == 0);
	for (int r = 0; r < 2; r++) {
		size_t n = r ? 2 : 4;

		CU_ASSERT_FATAL(certify_db_run_begin(db, "nic", "{}", 1, &dx_bind, &drv, 1, &id, &err) == 0);
		for (size_t i = 0; i < n; i++) {
			const char *const *row = r ? run2[i] : run1[i];
			struct certify_db_config c = { .idx = (int)i, .json = "{}", .cmdline = "",
						       .reason = (char *)row[2], .log = "" };

			snprintf(c.name, sizeof(c.name), "%s", row[0]);
			snprintf(c.verdict, sizeof(c.verdict), "%s", row[1]);
			if (!strcmp(row[1], "pass")) {
				c.dev = &dev;
				c.ndev = 1;
				snprintf(c.release, sizeof(c.release), "0.1.0");
			}
			CU_ASSERT_FATAL(certify_db_config_add(db, id, &c, &err) == 0);
		}
		CU_ASSERT_FATAL(certify_db_run_finish(db, id, "pass", "", &err) == 0);
	}
	certify_db_close(db);
	snprintf(out, sizeof(out), "%s/cov.json", dx_dir);
	CU_ASSERT_EQUAL_FATAL(hcl_export(dx_path, out, 1, &herr), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_read_file(out, &text, &len, &herr), 0);
	CU_ASSERT_EQUAL_FATAL(hcl_list_parse(&l, text, len, out, &herr), 0);
	for (size_t i = 0; i < l.nentries; i++) {
		const struct hcl_coverage *cv = l.entries[i].certs[0].coverage;

		if (l.entries[i].did != 0x10f5)
			continue;
		CU_ASSERT_PTR_NOT_NULL_FATAL(cv);
		CU_ASSERT_EQUAL_FATAL(cv->npassed, 2);
		CU_ASSERT_STRING_EQUAL(cv->passed[0], "pc-intx-smp1-tcg");
		CU_ASSERT_STRING_EQUAL(cv->passed[1], "pc-intx-smp1-kvm");
		CU_ASSERT_EQUAL_FATAL(cv->nnot_run, 1);
		CU_ASSERT_STRING_EQUAL(cv->not_run[0].name, "q35-intx-smp1-kvm");
		CU_ASSERT_STRING_EQUAL(cv->not_run[0].reason, "KVM unusable: /dev/kvm: No such file or directory");
		CU_ASSERT_EQUAL_FATAL(cv->nnot_applicable, 1);
		CU_ASSERT_STRING_EQUAL(cv->not_applicable[0].name, "pc-msix-smp1-tcg");
		CU_ASSERT_EQUAL(l.entries[i].certs[0].nruns, 2);
		len = 0;
	}
	CU_ASSERT_EQUAL(len, 0);	/* the device was in the list */
	hcl_list_free(&l);
	free(text);
}

/* The list file is replaced whole or not at all: a failed export leaves the old one. */
static void test_db_export_atomic(void)
{
	struct hcl_err err;
	char out[160], bad[160], buf[64] = "";
	FILE *f;

	snprintf(out, sizeof(out), "%s/hcl.json", dx_dir);
	f = fopen(out, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("old list\n", f);
	fclose(f);
	snprintf(bad, sizeof(bad), "%s/none.db", dx_dir);
	CU_ASSERT_EQUAL(hcl_export(bad, out, 1, &err), -1);
	f = fopen(out, "r");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fgets(buf, sizeof(buf), f) && strcmp(buf, "old list\n") == 0);
	fclose(f);
	/* Replaced, not rewritten in place: a new file renamed over the old name. */
	struct stat before, after;
	CU_ASSERT_FATAL(stat(out, &before) == 0);
	CU_ASSERT_EQUAL(hcl_export(dx_path, out, 1, &err), 0);
	CU_ASSERT_FATAL(stat(out, &after) == 0);
	CU_ASSERT(before.st_ino != after.st_ino);
	f = fopen(out, "r");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fgets(buf, sizeof(buf), f) && buf[0] == '{');
	fclose(f);
	/* Nothing left beside it: the temporary file was renamed into place. */
	snprintf(bad, sizeof(bad), "ls '%s' | grep -c tmp > /dev/null", dx_dir);
	CU_ASSERT(system(bad) != 0);
}

UNIT_SUITE(db_export_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_db_export_rows),
		UNIT_TEST(test_db_export_unofficial),
		UNIT_TEST(test_db_export_open_errors),
		UNIT_TEST(test_db_export_busy),
		UNIT_TEST(test_db_export_atomic),
		UNIT_TEST(test_db_export_coverage),
		UNIT_TEST_END
	};
	unit_add_suite("db_export", dx_init, dx_clean, tests);
}
