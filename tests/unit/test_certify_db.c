/*
 * Tests for db/store (the certification store), on both back ends: suite certify_db on
 * SQLite files, suite certify_db_pg on a PostgreSQL server named by $HVKIT_TEST_PG (the URI
 * of its database postgres; tests/pgserver.sh run starts one for `make unit-check`), each
 * test on a database of its own. Without $HVKIT_TEST_PG the PostgreSQL tests are skipped,
 * and counted so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "../../db/migrations.h"
#include "../../db/store.h"
#include "unit.h"

static char db_dir[64];
static int db_pg;		/* the suite running is certify_db_pg */

static int db_suite_init(void)
{
	db_pg = 0;
	snprintf(db_dir, sizeof(db_dir), "/tmp/certify-dbtest-XXXXXX");
	return mkdtemp(db_dir) ? 0 : -1;
}

static int db_pg_suite_init(void)
{
	int rc = db_suite_init();

	db_pg = 1;
	return rc;
}

/* The PostgreSQL suite without a server: the test is skipped (and counted). Returns 1 then. */
static int db_no_server(const char *test)
{
	if (!db_pg || getenv("HVKIT_TEST_PG"))
		return 0;
	unit_skip(test, "no PostgreSQL server: $HVKIT_TEST_PG unset (tests/pgserver.sh run sets it)");
	return 1;
}

static void db_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* "database ... does not exist, skipping" */
}

/* Runs sql on the database at url (NULL: the server's database postgres). Returns 0 or -1. */
static int db_pg_exec(const char *url, const char *sql)
{
	PGconn *c;
	PGresult *r;
	int rc;

	if (!url)
		url = getenv("HVKIT_TEST_PG");
	c = PQconnectdb(url);
	PQsetNoticeProcessor(c, db_quiet, NULL);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "\n  %s: %s", url, PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, sql);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
	if (rc < 0)
		fprintf(stderr, "\n  %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* The store named name of the running suite: a file under db_dir, or a new database
 * (dropped first if a previous run left it) on the server. */
static void db_store_path(const char *name, char *out, size_t len)
{
	char sql[160];
	const char *q;

	if (!db_pg) {
		snprintf(out, len, "%s/%s/sub/cert.db", db_dir, name);	/* dirs are created */
		return;
	}
	q = strchr(getenv("HVKIT_TEST_PG"), '?');
	snprintf(out, len, "postgresql:///dbtest_%s%s", name, q ? q : "");
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS dbtest_%s", name);
	db_pg_exec(NULL, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE dbtest_%s", name);
	CU_ASSERT_EQUAL(db_pg_exec(NULL, sql), 0);
}

/* Runs sql directly on the store at path (either back end). Returns 0 or -1. */
static int db_raw(const char *path, const char *sql)
{
	sqlite3 *h;
	int rc;

	if (db_pg)
		return db_pg_exec(path, sql);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(h);
	return rc;
}

/* The first column of sql's first row as a number, or -1. */
static long long db_raw_int(const char *path, const char *sql)
{
	long long v = -1;

	if (db_pg) {
		PGconn *c = PQconnectdb(path);
		PGresult *r = PQexec(c, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *h;
		sqlite3_stmt *st;

		if (sqlite3_open(path, &h) == SQLITE_OK &&
		    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				v = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		sqlite3_close(h);
	}
	return v;
}

/* The newest schema version this build knows. */
static int db_newest(void)
{
	int v = 0;

	for (const struct certify_db_migration *m = certify_db_migrations; m->file; m++)
		v = m->version;
	return v;
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

	db_store_path(name, path, sizeof(path));
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
		{ "nic", "rate", "pass", 1500, "", &m, 1, "" },
		{ "nic", "jumbo", "skip", 3, "no jumbo", NULL, 0, "" },
	};
	static struct certify_db_device d = { 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, "nic",
					      "e1000", "Intel", "0.0-0",
					      "3c6a2fe34dd484adb63bd4c873aa0afcadd4075d0333a1ef0985d2ed1461c480" };
	static struct certify_hostcheck h[2] = {
		{ "peer.frames", 1, 1, "every frame arrived", 0 },
		{ "image.verify", 0, 1, "the kernel never reached sync point blkverify", 0 },
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
	struct certify_db *db;
	struct certify_err err;
	char path[256];

	if (db_no_server(__func__))
		return;
	db = db_fresh("a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	CU_ASSERT_EQUAL(certify_db_version(db), 9);
	CU_ASSERT_STRING_EQUAL(certify_db_backend(db), db_pg ? "postgresql" : "sqlite");
	certify_db_close(db);
	/* Opening again applies nothing twice. */
	db_store_path("a", path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
	CU_ASSERT_EQUAL(certify_db_version(db), 9);
	certify_db_close(db);
	if (!db_pg) {
		CU_ASSERT_EQUAL(certify_db_open("/proc/nonexistent/x/cert.db", &db, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/proc/nonexistent/x/cert.db"));
	}
}

/* Both back ends have the same migrations by number (db/migrations/, db/migrations/pg/). */
static void test_db_same_versions(void)
{
	const struct certify_db_migration *a = certify_db_migrations, *b = certify_db_pg_migrations;

	for (; a->file && b->file; a++, b++) {
		CU_ASSERT_EQUAL(a->version, b->version);
		CU_ASSERT_STRING_EQUAL(a->file, b->file);
	}
	CU_ASSERT_PTR_NULL(a->file);
	CU_ASSERT_PTR_NULL(b->file);
}

/* A store a newer build migrated is refused with one line, and left as it was. */
static void test_db_newer(void)
{
	struct certify_db *db;
	struct certify_err err;
	char path[256], want[128];

	if (db_no_server(__func__))
		return;
	db = db_fresh("n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	certify_db_close(db);
	db_store_path("n", path, sizeof(path));
	if (db_pg) {	/* db_store_path made the database anew */
		CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
		certify_db_close(db);
	}
	CU_ASSERT_EQUAL_FATAL(db_raw(path, "INSERT INTO schema_version VALUES (99, 'later')"), 0);
	CU_ASSERT_EQUAL(certify_db_open(path, &db, &err), -1);
	snprintf(want, sizeof(want), "the store is at schema version 99, newer than this build's %d",
		 db_newest());
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	CU_ASSERT_EQUAL(certify_db_open_read(path, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	/* Nothing was added: the versions are the ones there were. */
	CU_ASSERT_EQUAL(db_raw(path, "DELETE FROM schema_version WHERE version = 99"), 0);
	CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
	CU_ASSERT_EQUAL(certify_db_version(db), db_newest());
	certify_db_close(db);
}

/* A server that is not there, a wrong password, a malformed URI: one line naming the store
 * (never the password), and no store. */
static void test_db_pg_bad_input(void)
{
	struct certify_db *db;
	struct certify_err err;
	char url[512];
	const char *base = getenv("HVKIT_TEST_PG"), *host;

	if (db_no_server(__func__))
		return;
	CU_ASSERT_EQUAL(certify_db_open("postgresql:///x?host=/nonexistent/dir", &db, &err), -1);
	CU_ASSERT_PTR_NULL(db);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "postgresql:///x?host=/nonexistent/dir: cannot connect: "));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	CU_ASSERT_EQUAL(certify_db_open("postgresql://[bad", &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "postgresql://[bad: not a valid PostgreSQL connection URI"));
	CU_ASSERT_EQUAL(certify_db_open("postgres:///x?nosuchparam=1", &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid URI query parameter"));
	host = strstr(base, "host=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(host);
	snprintf(url, sizeof(url), "postgresql://hvkit_pw:s3cret-wrong@/postgres?%.*s", (int)strcspn(host, "&"), host);
	CU_ASSERT_EQUAL(certify_db_open(url, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "password authentication failed for user \"hvkit_pw\""));
	CU_ASSERT_PTR_NULL(strstr(err.msg, "s3cret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "postgresql://hvkit_pw@/postgres?host="));
	/* Read-only on a database with no store: refused, nothing created. */
	CU_ASSERT_EQUAL(certify_db_open_read(base, &db, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a certification store"));
	CU_ASSERT_EQUAL(db_pg_exec(NULL, "DO $$ BEGIN IF to_regclass('schema_version') IS NOT NULL "
				   "THEN RAISE 'created'; END IF; END $$"), 0);
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
	struct certify_db *db;
	struct certify_db_config c;
	struct certify_db_run r;
	struct certify_db_summary s = { 0 };
	struct certify_err err;
	int64_t id;
	int n = 0;

	if (db_no_server(__func__))
		return;
	db = db_fresh("b");
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
	/* version 8: the firmware and the module build the kernel reported for it */
	CU_ASSERT_STRING_EQUAL(r.dev[0].firmware, "0.0-0");
	CU_ASSERT_STRING_EQUAL(r.dev[0].module_sha256,
			       "3c6a2fe34dd484adb63bd4c873aa0afcadd4075d0333a1ef0985d2ed1461c480");
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
	/* PostgreSQL's identity columns do not see explicit ids: move them past these. */
	static const char pg_ids[] =
		"SELECT setval(pg_get_serial_sequence('runs', 'id'), 1);"
		"SELECT setval(pg_get_serial_sequence('configs', 'id'), 12);";
	const struct certify_db_migration *mig = db_pg ? certify_db_pg_migrations : certify_db_migrations;
	struct certify_db *db;
	struct certify_db_run r;
	struct certify_db_config c;
	struct certify_err err;
	char path[256];
	int64_t id;

	if (db_no_server(__func__))
		return;
	if (db_pg) {
		db_store_path("v2", path, sizeof(path));
	} else {
		snprintf(path, sizeof(path), "%s/v2.db", db_dir);
	}
	CU_ASSERT_EQUAL(db_raw(path, db_pg ? certify_db_pg_schema_sql : certify_db_schema_sql), 0);
	for (int i = 0; i < 2; i++) {
		char sql[96];

		CU_ASSERT_EQUAL_FATAL(mig[i].version, i + 1);
		CU_ASSERT_EQUAL(db_raw(path, mig[i].sql), 0);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, 'then')", i + 1);
		CU_ASSERT_EQUAL(db_raw(path, sql), 0);
	}
	CU_ASSERT_EQUAL(db_raw(path, rows), 0);
	if (db_pg)
		CU_ASSERT_EQUAL(db_raw(path, pg_ids), 0);
	CU_ASSERT_EQUAL_FATAL(certify_db_open(path, &db, &err), 0);
	CU_ASSERT_EQUAL(certify_db_version(db), 9);
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
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, db_pg ? "violates check constraint \"configs_verdict_check\"" :
				      "CHECK constraint failed"));
	certify_db_close(db);
	/* Deleting the run takes every child with it. */
	CU_ASSERT_EQUAL(db_raw(path, db_pg ? "DELETE FROM runs WHERE id = 1" :
			       "PRAGMA foreign_keys=ON; DELETE FROM runs WHERE id = 1"), 0);
	CU_ASSERT_EQUAL(db_raw_int(path, "SELECT (SELECT count(*) FROM configs WHERE run_id = 1) + "
				   "(SELECT count(*) FROM results WHERE config_id = 12) + "
				   "(SELECT count(*) FROM hostchecks WHERE config_id = 12)"), 0);
}

/* An unofficial run is stored and judged, never certified; runs stored before runs were
 * bound are unofficial. */
static void test_db_unofficial(void)
{
	struct certify_db *db;
	struct certify_db_binding b = db_bind;
	struct certify_db_config c;
	struct certify_db_summary s = { 0 };
	struct certify_db_run r;
	struct certify_err err;
	int64_t id;
	int n = 0;

	if (db_no_server(__func__))
		return;
	db = db_fresh("u");
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
	struct certify_db *db;
	struct certify_db_config c;
	struct certify_db_run r;
	struct certify_err err;
	int64_t id;

	if (db_no_server(__func__))
		return;
	db = db_fresh("c");
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

static int db_count_imported(void *ctx, const struct certify_db_certified *c)
{
	int *n = ctx;

	n[c->imported]++;
	return 0;
}

/* An imported run (version 7): stored complete with the vendor's verdict, times and host in
 * one transaction with its submission row; the same package twice is refused and a failing
 * import leaves nothing behind. The same on both engines. */
static void test_db_import(void)
{
	struct certify_db *db;
	struct certify_db_config c[2];
	struct certify_db_run in, r;
	struct certify_db_submission got, sub = { "acme", "0123456789abcdef", "", "2026-12-08T00:00:00Z",
					     17, "lab7" };
	struct certify_err err;
	char path[256];
	int64_t id, id2;
	int n[2] = { 0, 0 };

	if (db_no_server(__func__))
		return;
	db_store_path("imp", path, sizeof(path));	/* before: on PostgreSQL it makes the database */
	db = db_fresh("imp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	memset(&in, 0, sizeof(in));
	snprintf(in.plan, sizeof(in.plan), "nic");
	in.config = "{\"devices\":[{\"model\":\"e1000\"}]}";
	in.seed = 77;
	snprintf(in.started, sizeof(in.started), "2026-12-01T10:00:00Z");
	snprintf(in.finished, sizeof(in.finished), "2026-12-01T10:05:00Z");
	snprintf(in.verdict, sizeof(in.verdict), "pass");
	snprintf(in.host, sizeof(in.host), "lab7");
	in.log = "vendor summary";
	in.bind = db_bind;
	in.drv = (struct certify_db_driver *)&db_drv;
	in.ndrv = 1;
	db_config(&c[0], 0, "pass");
	db_config(&c[1], 1, "na");
	in.cfg = c;
	in.ncfg = 2;
	memset(sub.package_sha256, 'a', 64);
	CU_ASSERT_EQUAL_FATAL(certify_db_import(db, &in, &sub, &id, &err), 0);
	CU_ASSERT_EQUAL_FATAL(certify_db_run_load(db, id, &r, &err), 0);
	CU_ASSERT_STRING_EQUAL(r.status, "complete");
	CU_ASSERT_STRING_EQUAL(r.verdict, "pass");
	CU_ASSERT_STRING_EQUAL(r.finished, "2026-12-01T10:05:00Z");
	CU_ASSERT_STRING_EQUAL(r.host, "lab7");
	CU_ASSERT_STRING_EQUAL(r.log, "vendor summary");
	CU_ASSERT_EQUAL(r.seed, 77);
	CU_ASSERT_EQUAL(r.ncfg, 2);
	certify_db_run_free(&r);
	CU_ASSERT_EQUAL(certify_db_submission(db, id, &got, &err), 1);
	CU_ASSERT_STRING_EQUAL(got.vendor, "acme");
	CU_ASSERT_STRING_EQUAL(got.vendor_host, "lab7");
	CU_ASSERT_EQUAL(got.vendor_run, 17);
	CU_ASSERT_STRING_EQUAL(got.package_sha256, sub.package_sha256);
	CU_ASSERT_EQUAL(certify_db_submission(db, id + 1, &got, &err), 0);
	CU_ASSERT_EQUAL(certify_db_certified(db, db_count_imported, n, &err), 0);
	CU_ASSERT_EQUAL(n[1], 1);
	CU_ASSERT_EQUAL(n[0], 0);
	/* The same package again: refused, nothing written. */
	CU_ASSERT_EQUAL(certify_db_import(db, &in, &sub, &id2, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already imported as run"));
	/* A bad configuration half-way: the whole import rolls back. */
	memset(sub.package_sha256, 'b', 64);
	db_config(&c[1], 1, "maybe");
	CU_ASSERT_EQUAL(certify_db_import(db, &in, &sub, &id2, &err), -1);
	certify_db_close(db);
	CU_ASSERT_EQUAL(db_raw_int(path, "SELECT count(*) FROM runs"), 1);
	CU_ASSERT_EQUAL(db_raw_int(path, "SELECT count(*) FROM submissions"), 1);
	CU_ASSERT_EQUAL(db_raw_int(path, "SELECT count(*) FROM configs"), 2);
}

UNIT_SUITE(certify_db_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_db_open_migrate), UNIT_TEST(test_db_path), UNIT_TEST(test_db_run_cycle),
		UNIT_TEST(test_db_rollback), UNIT_TEST(test_db_migrate_skip), UNIT_TEST(test_db_unofficial),
		UNIT_TEST(test_db_same_versions), UNIT_TEST(test_db_newer), UNIT_TEST(test_db_import),
		UNIT_TEST_END
	};
	static const struct unit_test pg_tests[] = {
		UNIT_TEST(test_db_open_migrate), UNIT_TEST(test_db_run_cycle), UNIT_TEST(test_db_rollback),
		UNIT_TEST(test_db_migrate_skip), UNIT_TEST(test_db_unofficial), UNIT_TEST(test_db_newer),
		UNIT_TEST(test_db_pg_bad_input), UNIT_TEST(test_db_import),
		UNIT_TEST_END
	};
	unit_add_suite("certify_db", db_suite_init, db_suite_clean, tests);
	unit_add_suite("certify_db_pg", db_pg_suite_init, db_suite_clean, pg_tests);
}
