/* Tests for db/store (the certification store). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../db/migrations.h"
#include "../../db/store.h"
#include "unit.h"

static char db_dir[64];

static int db_suite_init(void)
{
	snprintf(db_dir, sizeof(db_dir), "/tmp/certify-dbtest-XXXXXX");
	return mkdtemp(db_dir) ? 0 : -1;
}

static int db_suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", db_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct certify_db *db_fresh(const char *name)
{
	struct certify_db *db = NULL;
	struct certify_err err;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/sub/cert.db", db_dir, name);	/* dirs are created */
	if (certify_db_open(path, &db, &err) < 0)
		fprintf(stderr, "\n  %s\n", err.msg);
	return db;
}

static const struct certify_db_driver db_drv = { "e1000", "1.0", "hvkit", "ab12" };
static const struct certify_db_binding db_bind = { "p1a2", "k3b4", "QEMU emulator version 7.2.19", 1, "" };

/* A configuration with two results and a metric. */
static void db_config(struct certify_db_config *c, int idx, const char *verdict)
{
	static struct certify_db_metric m = { "pps", 1234.5, "frames/s" };
	static struct certify_db_result r[2] = {
		{ "nic", "rate", "pass", 1500, "", &m, 1 },
		{ "nic", "jumbo", "skip", 3, "no jumbo", NULL, 0 },
	};
	static struct certify_db_device d = { 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, "nic",
					      "e1000", "Intel" };
	static struct certify_hostcheck h[2] = {
		{ "peer.frames", 1, 1, "every frame arrived" },
		{ "image.verify", 0, 1, "the kernel never reached sync point blkverify" },
	};

	memset(c, 0, sizeof(*c));
	c->idx = idx;
	snprintf(c->name, sizeof(c->name), "pc-intx-smp%d-tcg", idx + 1);
	c->json = "{\"machine\":\"pc\"}";
	c->cmdline = "test=nic";
	snprintf(c->outcome, sizeof(c->outcome), "pass");
	snprintf(c->verdict, sizeof(c->verdict), "%s", verdict);
	c->reason = "2 tests";
	c->duration = 1.25;
	c->log = "log text";
	snprintf(c->release, sizeof(c->release), "0.1.0");
	c->dev = &d;
	c->ndev = 1;
	c->result = r;
	c->nresult = 2;
	c->check = h;
	c->ncheck = 2;
}

static void test_db_open_migrate(void)
{
	struct certify_db *db = db_fresh("a");
	struct certify_err err;
	char path[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL(certify_db_version(db), 5);
	certify_db_close(db);
	/* Opening again applies nothing twice. */
	snprintf(path, sizeof(path), "%s/a/sub/cert.db", db_dir);
	CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
	CU_ASSERT_EQUAL(certify_db_version(db), 5);
	certify_db_close(db);
	CU_ASSERT_EQUAL(certify_db_open("/proc/nonexistent/x/cert.db", &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/proc/nonexistent/x/cert.db"));
}

static void test_db_path(void)
{
	const char *home = getenv("HOME");
	char out[256], saved[512];
	struct certify_err err;

	snprintf(saved, sizeof(saved), "%s", home ? home : "");
	setenv("HVKIT_DB", "/env/cert.db", 1);
	CU_ASSERT_EQUAL(certify_db_path("/opt/x.db", out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "/opt/x.db");
	CU_ASSERT_EQUAL(certify_db_path(NULL, out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "/env/cert.db");
	unsetenv("HVKIT_DB");
	setenv("HOME", "/home/u", 1);
	CU_ASSERT_EQUAL(certify_db_path(NULL, out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "/home/u/.local/share/hvkit/cert.db");
	if (home)
		setenv("HOME", saved, 1);
	else
		unsetenv("HOME");
}

static int db_count(void *ctx, const struct certify_db_summary *s)
{
	int *n = ctx;

	(void)s;
	(*n)++;
	return 0;
}

static int db_first(void *ctx, const struct certify_db_summary *s)
{
	struct certify_db_summary *out = ctx;

	if (out->id == 0)
		*out = *s;
	return 0;
}

static void test_db_run_cycle(void)
{
	struct certify_db *db = db_fresh("b");
	struct certify_db_config c;
	struct certify_db_run r;
	struct certify_db_summary s = { 0 };
	struct certify_err err;
	int64_t id;
	int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_begin(db, "nic", "{\"devices\":[{\"model\":\"e1000\"}]}",
						   42, &db_bind, &db_drv, 1, &id, &err), 0);
	db_config(&c, 0, "pass");
	CU_ASSERT_EQUAL(certify_db_config_add(db, id, &c, &err), 0);
	db_config(&c, 1, "notrun");
	/* A verifier violation goes in with its configuration (version 5). */
	struct certify_violation viol = { "double_free", "e1000", 0xffffffff80001234ull, 0x1234,
					  0x7f0000, 2048, "0000:00:03.0", "nic.attach",
					  "already freed", "e1000_remove at e1000.c:310" };
	c.viol = &viol;
	c.nviol = 1;
	CU_ASSERT_EQUAL(certify_db_config_add(db, id, &c, &err), 0);
	c.viol = NULL;
	c.nviol = 0;
	/* Running: stored, but not certified. */
	CU_ASSERT_EQUAL(certify_db_history(db, NULL, 1, db_count, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(certify_db_history(db, "e1000", 0, db_first, &s, &err), 0);
	CU_ASSERT_STRING_EQUAL(s.status, "running");
	CU_ASSERT_EQUAL(s.certified, 0);
	CU_ASSERT_EQUAL(certify_db_run_finish(db, id, "pass", "summary", &err), 0);
	CU_ASSERT_EQUAL(certify_db_run_finish(db, id, "pass", "again", &err), -1);	/* only once */
	n = 0;
	CU_ASSERT_EQUAL(certify_db_history(db, "e1000", 1, db_count, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 1);
	n = 0;
	CU_ASSERT_EQUAL(certify_db_history(db, "nvme", 0, db_count, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_load(db, id, &r, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.verdict, "pass");
	CU_ASSERT_STRING_EQUAL(r.status, "complete");
	CU_ASSERT_STRING_EQUAL(r.release, "0.1.0");
	CU_ASSERT_EQUAL(r.seed, 42);
	CU_ASSERT_STRING_EQUAL(r.bind.plan_sha256, "p1a2");
	CU_ASSERT_STRING_EQUAL(r.bind.kernel_sha256, "k3b4");
	CU_ASSERT_STRING_EQUAL(r.bind.qemu_version, "QEMU emulator version 7.2.19");
	CU_ASSERT_EQUAL(r.bind.official, 1);
	CU_ASSERT_EQUAL_FATAL(r.ndev, 1);
	CU_ASSERT_EQUAL(r.dev[0].ssid, 0x1100);
	CU_ASSERT_EQUAL_FATAL(r.ndrv, 1);
	CU_ASSERT_STRING_EQUAL(r.drv[0].sha256, "ab12");
	CU_ASSERT_EQUAL_FATAL(r.ncfg, 2);
	CU_ASSERT_EQUAL_FATAL(r.cfg[0].nresult, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg[0].result[1].message, "no jumbo");
	CU_ASSERT_EQUAL_FATAL(r.cfg[0].result[0].nmetric, 1);
	CU_ASSERT_DOUBLE_EQUAL(r.cfg[0].result[0].metric[0].value, 1234.5, 1e-9);
	CU_ASSERT_EQUAL(r.cfg[0].nviol, 0);
	CU_ASSERT_EQUAL_FATAL(r.cfg[1].nviol, 1);
	CU_ASSERT_EQUAL(memcmp(&r.cfg[1].viol[0], &viol, sizeof(viol)), 0);
	/* Host checks come back in order; one that did not run is never stored as ok. */
	CU_ASSERT_EQUAL_FATAL(r.cfg[1].ncheck, 2);
	CU_ASSERT_STRING_EQUAL(r.cfg[1].check[0].name, "peer.frames");
	CU_ASSERT_TRUE(r.cfg[1].check[0].ran && r.cfg[1].check[0].ok);
	CU_ASSERT_STRING_EQUAL(r.cfg[1].check[1].msg, "the kernel never reached sync point blkverify");
	CU_ASSERT_FALSE(r.cfg[1].check[1].ran || r.cfg[1].check[1].ok);
	certify_db_run_free(&r);
	CU_ASSERT_EQUAL(certify_db_run_load(db, 999, &r, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "run 999: no such run"));
	certify_db_close(db);
}

/* A store made before 0003 ('skip' for both kinds of configuration that did not boot): the
 * rebuilt configs table keeps every row and every child, tells n/a from not run by the
 * reason, and foreign keys are enforced again afterwards. */
static void test_db_migrate_skip(void)
{
	static const char rows[] =
		"INSERT INTO runs (id, plan, config, seed, started, status) VALUES (1, 'nic', '{}', 1, 'x', 'running');"
		"INSERT INTO configs (id, run_id, idx, name, config, outcome, verdict, reason) VALUES"
		" (10, 1, 0, 'pc-msi-smp1-tcg', '{}', '', 'skip', 'the device under test has no msi'),"
		" (11, 1, 1, 'pc-intx-smp1-kvm', '{}', '', 'skip', 'KVM unusable: no /dev/kvm'),"
		" (12, 1, 2, 'pc-intx-smp1-tcg', '{}', 'pass', 'pass', '');"
		"INSERT INTO results (run_id, config_id, suite, name, status) VALUES (1, 12, 'nic', 'rate', 'pass');"
		"INSERT INTO hostchecks (config_id, name, ran, ok) VALUES (12, 'peer.frames', 1, 1);";
	struct certify_db *db;
	struct certify_db_run r;
	struct certify_db_config c;
	struct certify_err err;
	sqlite3 *h;
	char path[256];
	int64_t id;

	snprintf(path, sizeof(path), "%s/v2.db", db_dir);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, certify_db_schema_sql, NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 2; i++) {
		char sql[96];

		CU_ASSERT_EQUAL_FATAL(certify_db_migrations[i].version, i + 1);
		CU_ASSERT_EQUAL(sqlite3_exec(h, certify_db_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, 'then')", i + 1);
		CU_ASSERT_EQUAL(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	CU_ASSERT_EQUAL(sqlite3_exec(h, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
	CU_ASSERT_EQUAL(certify_db_version(db), 5);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_load(db, 1, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(r.ncfg, 3);
	CU_ASSERT_STRING_EQUAL(r.cfg[0].verdict, "na");
	CU_ASSERT_STRING_EQUAL(r.cfg[1].verdict, "notrun");
	CU_ASSERT_STRING_EQUAL(r.cfg[2].verdict, "pass");
	CU_ASSERT_EQUAL(r.cfg[2].nresult, 1);
	CU_ASSERT_EQUAL(r.cfg[2].ncheck, 1);
	CU_ASSERT_EQUAL(r.bind.official, 0);	/* bound to nothing: never certified */
	CU_ASSERT_STRING_EQUAL(r.bind.unofficial_why, "stored before runs were bound to their plan, "
			       "kernel and QEMU");
	certify_db_run_free(&r);
	/* The rebuilt table refuses 'skip' now, and children still cascade with their run. */
	CU_ASSERT_EQUAL_FATAL(certify_db_run_begin(db, "nic", "{}", 2, &db_bind, &db_drv, 1, &id, &err), 0);
	db_config(&c, 0, "skip");
	CU_ASSERT_EQUAL(certify_db_config_add(db, id, &c, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "CHECK constraint failed"));
	certify_db_close(db);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &h), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(h, "PRAGMA foreign_keys=ON; DELETE FROM runs WHERE id = 1", NULL,
				     NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM configs) + "
						 "(SELECT count(*) FROM results) + (SELECT count(*) FROM hostchecks)",
						 -1, &st, NULL), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
	CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* An unofficial run is stored and judged, never certified; runs stored before runs were
 * bound are unofficial. */
static void test_db_unofficial(void)
{
	struct certify_db *db = db_fresh("u");
	struct certify_db_binding b = db_bind;
	struct certify_db_config c;
	struct certify_db_summary s = { 0 };
	struct certify_db_run r;
	struct certify_err err;
	int64_t id;
	int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	b.official = 0;
	snprintf(b.unofficial_why, sizeof(b.unofficial_why), "plan 'nic' differs");
	CU_ASSERT_EQUAL_FATAL(certify_db_run_begin(db, "nic", "{}", 3, &b, &db_drv, 1, &id, &err), 0);
	db_config(&c, 0, "pass");
	CU_ASSERT_EQUAL(certify_db_config_add(db, id, &c, &err), 0);
	CU_ASSERT_EQUAL(certify_db_run_finish(db, id, "pass", "", &err), 0);
	CU_ASSERT_EQUAL(certify_db_history(db, NULL, 1, db_count, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(certify_db_history(db, NULL, 0, db_first, &s, &err), 0);
	CU_ASSERT(s.id == id && !s.certified && !s.official && !strcmp(s.verdict, "pass"));
	CU_ASSERT_EQUAL_FATAL(certify_db_run_load(db, id, &r, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.bind.unofficial_why, "plan 'nic' differs");
	certify_db_run_free(&r);
	certify_db_close(db);
}

/* A bad verdict is refused by the schema and the transaction leaves nothing behind. */
static void test_db_rollback(void)
{
	struct certify_db *db = db_fresh("c");
	struct certify_db_config c;
	struct certify_db_run r;
	struct certify_err err;
	int64_t id;

	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_begin(db, "nic", "{}", 1, &db_bind, &db_drv, 1, &id, &err), 0);
	db_config(&c, 0, "maybe");
	CU_ASSERT_EQUAL(certify_db_config_add(db, id, &c, &err), -1);
	CU_ASSERT_EQUAL(certify_db_run_finish(db, id, "certainly", "", &err), -1);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_load(db, id, &r, &err), 0);
	CU_ASSERT_EQUAL(r.ncfg, 0);
	CU_ASSERT_EQUAL(r.ndev, 0);
	CU_ASSERT_STRING_EQUAL(r.status, "running");
	certify_db_run_free(&r);
	certify_db_close(db);
}

UNIT_SUITE(certify_db_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_db_open_migrate), UNIT_TEST(test_db_path), UNIT_TEST(test_db_run_cycle),
		UNIT_TEST(test_db_rollback), UNIT_TEST(test_db_migrate_skip), UNIT_TEST(test_db_unofficial),
		UNIT_TEST_END
	};
	unit_add_suite("certify_db", db_suite_init, db_suite_clean, tests);
}
