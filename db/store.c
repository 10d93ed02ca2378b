/* db: opening, migrating and writing the certification store on SQLite. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrations.h"
#include "store_int.h"

static void db_busy_timeout(struct certify_db *db)
{
	db->busy_ms = db_busy_ms();
	sqlite3_busy_timeout(db->h, db->busy_ms);
}

int db_error(struct certify_db *db, struct certify_err *err)
{
	int rc = sqlite3_errcode(db->h);

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return certify_errf(err, "%s: the store is busy: another process held its lock for "
				    "%d ms (%s); try again when it is done", db->path, db->busy_ms,
				    sqlite3_errmsg(db->h));
	return certify_errf(err, "%s: %s", db->path, sqlite3_errmsg(db->h));
}

int db_prepare(struct certify_db *db, const char *sql, sqlite3_stmt **st, struct certify_err *err)
{
	if (sqlite3_prepare_v2(db->h, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(db, err);
	return 0;
}

void db_col_text(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

char *db_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return strdup(t ? (const char *)t : "");
}

int db_exec(struct certify_db *db, const char *sql, struct certify_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		certify_errf(err, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* PRAGMA foreign_key_check: 0 when no row points nowhere, else -1 naming the first. */
static int db_fk_check(struct certify_db *db, struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "PRAGMA foreign_key_check", &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		certify_errf(err, "%s: a %s row points to a missing %s row", db->path,
			     (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -1 : db_error(db, err);
}

/* Ends a transaction: COMMIT when rc is 0, else ROLLBACK (keeping the first error). */
int db_end(struct certify_db *db, int rc, struct certify_err *err)
{
	if (rc == 0)
		return db_exec(db, "COMMIT", err);
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* mkdir -p of the directory part of path. */
static int db_mkdirs(const char *path, struct certify_err *err)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return certify_errf(err, "%s: cannot create directory %s: %s", path, dir,
					    strerror(errno));
		*p = '/';
	}
	return 0;
}

static int db_sq_version(struct certify_db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &st, NULL) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Applies every migration newer than the store, each in its own transaction. Foreign keys
 * are off meanwhile (a migration that rebuilds a table drops the old one, which with them
 * on would cascade into its children; SQLite's "generalized ALTER TABLE procedure") and
 * checked before each commit, so a migration cannot leave a dangling reference.
 */
static int db_migrate(struct certify_db *db, struct certify_err *err)
{
	const struct certify_db_migration *m;
	int have, newest = 0, rc = 0;

	if (db_exec(db, certify_db_schema_sql, err) < 0)
		return -1;
	/* Up to date (the version only grows): no write lock, which many workers opening a
	 * busy store at once would otherwise queue for, one migration at a time. */
	for (m = certify_db_migrations; m->file; m++)
		newest = m->version;
	if (db_sq_version(db) >= newest)
		return 0;
	if (db_exec(db, "PRAGMA foreign_keys=OFF", err) < 0)
		return -1;
	for (m = certify_db_migrations; rc == 0 && m->file; m++) {
		char sql[128];

		if (db_exec(db, "BEGIN IMMEDIATE", err) < 0) {
			rc = -1;
			break;
		}
		have = db_sq_version(db);
		if (have >= m->version) {
			db_exec(db, "COMMIT", NULL);
			continue;
		}
		rc = db_exec(db, m->sql, err);
		if (rc == 0)
			rc = db_fk_check(db, err);
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, datetime('now'))",
			 m->version);
		if (rc == 0)
			rc = db_exec(db, sql, err);
		if (db_end(db, rc, err) < 0) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			rc = certify_errf(err, "%s: migration %s: %s", db->path, m->file, why);
		}
	}
	if (db_exec(db, "PRAGMA foreign_keys=ON", rc == 0 ? err : NULL) < 0)
		return -1;
	return rc;
}

int db_sq_open(const char *path, struct certify_db **out, struct certify_err *err)
{
	struct certify_db *db = calloc(1, sizeof(*db));

	*out = NULL;
	if (!db)
		return certify_errf(err, "%s: out of memory", path);
	snprintf(db->path, sizeof(db->path), "%s", path);
	if (db_mkdirs(path, err) < 0)
		goto free_db;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		certify_errf(err, "%s: cannot open: %s", path, db->h ? sqlite3_errmsg(db->h) : "?");
		goto close;
	}
	db->be = &db_sqlite_backend;
	db_busy_timeout(db);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", err) < 0 ||
	    db_migrate(db, err) < 0)
		goto close;
	*out = db;
	return 0;
close:
	sqlite3_close(db->h);
free_db:
	free(db);
	return -1;
}

int db_sq_open_read(const char *path, struct certify_db **out, struct certify_err *err)
{
	struct certify_db *db = calloc(1, sizeof(*db));
	int have, newest = 0;

	*out = NULL;
	if (!db)
		return certify_errf(err, "%s: out of memory", path);
	snprintf(db->path, sizeof(db->path), "%s", path);
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		certify_errf(err, "%s: cannot open the certification store: %s", path,
			     db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto close;
	}
	db->be = &db_sqlite_backend;
	db_busy_timeout(db);
	for (const struct certify_db_migration *m = certify_db_migrations; m->file; m++)
		newest = m->version;
	have = db_sq_version(db);
	if (have < 0 && (sqlite3_errcode(db->h) == SQLITE_BUSY || sqlite3_errcode(db->h) == SQLITE_LOCKED)) {
		db_error(db, err);
		goto close;
	}
	if (have < 1) {
		certify_errf(err, "%s: not a certification store (%s)", path,
			     have < 0 ? sqlite3_errmsg(db->h) : "no schema version");
		goto close;
	}
	if (have < newest) {
		certify_errf(err, "%s: the store is at schema version %d, this build reads %d: run "
			     "any certify command on it to migrate it", path, have, newest);
		goto close;
	}
	*out = db;
	return 0;
close:
	sqlite3_close(db->h);
	free(db);
	return -1;
}

static void db_sq_close(struct certify_db *db)
{
	sqlite3_close(db->h);
	free(db);
}

void db_now(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs a prepared statement to completion and finalizes it. */
static int db_done(struct certify_db *db, sqlite3_stmt *st, struct certify_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return certify_errf(err, "%s: %s", db->path, sqlite3_errmsg(db->h));
	return 0;
}

/* Runs an INSERT ... ON CONFLICT DO UPDATE ... RETURNING id; *id gets the row's id. */
static int db_returning(struct certify_db *db, sqlite3_stmt *st, int64_t *id, struct certify_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return certify_errf(err, "%s: %s", db->path, sqlite3_errmsg(db->h));
	return 0;
}

static int db_driver_add(struct certify_db *db, int64_t run, const struct certify_db_driver *d,
			 struct certify_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	if (db_prepare(db, "INSERT INTO drivers (name, version, vendor, sha256) VALUES (?,?,?,?) "
		       "ON CONFLICT (sha256) DO UPDATE SET name = excluded.name RETURNING id", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d->vendor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, d->sha256, -1, SQLITE_TRANSIENT);
	if (db_returning(db, st, &id, err) < 0 ||
	    db_prepare(db, "INSERT OR IGNORE INTO run_drivers VALUES (?, ?)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, id);
	return db_done(db, st, err);
}

int db_sq_run_insert(struct certify_db *db, const char *plan, const char *config_json,
		     uint64_t seed, const struct certify_db_binding *b,
		     const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
		     struct certify_err *err)
{
	char now[32], host[64] = "";
	sqlite3_stmt *st;
	int rc;

	db_now(now, sizeof(now));
	gethostname(host, sizeof(host) - 1);
	rc = db_prepare(db, "INSERT INTO runs (plan, config, seed, started, status, host, pid, "
			"plan_sha256, kernel_sha256, qemu_version, official, unofficial_why) "
			"VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
	if (rc == 0) {
		sqlite3_bind_text(st, 1, plan, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, config_json, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)seed);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)getpid());
		sqlite3_bind_text(st, 7, b->plan_sha256, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, b->kernel_sha256, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 9, b->qemu_version, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 10, !!b->official);
		sqlite3_bind_text(st, 11, b->official ? "" : b->unofficial_why, -1, SQLITE_TRANSIENT);
		rc = db_returning(db, st, id, err);
	}
	for (size_t i = 0; rc == 0 && i < ndrv; i++)
		rc = db_driver_add(db, *id, &drv[i], err);
	return rc;
}

static int db_sq_run_begin(struct certify_db *db, const char *plan, const char *config_json,
			 uint64_t seed, const struct certify_db_binding *b,
			 const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
			 struct certify_err *err)
{
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	return db_end(db, db_sq_run_insert(db, plan, config_json, seed, b, drv, ndrv, id, err), err);
}

static int db_device_add(struct certify_db *db, int64_t run, const struct certify_db_device *d,
			 struct certify_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	if (db_prepare(db, "INSERT INTO devices (vid, did, svid, ssid, class, kind, model, vendor) "
		       "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (vid, did, svid, ssid, model) DO UPDATE "
		       "SET vendor = excluded.vendor RETURNING id", &st, err) < 0)
		return -1;
	sqlite3_bind_int(st, 1, (int)d->vid);
	sqlite3_bind_int(st, 2, (int)d->did);
	sqlite3_bind_int(st, 3, (int)d->svid);
	sqlite3_bind_int(st, 4, (int)d->ssid);
	sqlite3_bind_int(st, 5, (int)d->class);
	sqlite3_bind_text(st, 6, d->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, d->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, d->vendor, -1, SQLITE_TRANSIENT);
	if (db_returning(db, st, &id, err) < 0 ||
	    db_prepare(db, "INSERT INTO run_devices (run_id, device_id, firmware, module_sha256) "
		       "VALUES (?, ?, ?, ?) ON CONFLICT (run_id, device_id) DO UPDATE SET "
		       "firmware = coalesce(excluded.firmware, firmware), "
		       "module_sha256 = coalesce(excluded.module_sha256, module_sha256)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, id);
	if (d->firmware[0])
		sqlite3_bind_text(st, 3, d->firmware, -1, SQLITE_TRANSIENT);
	if (d->module_sha256[0])
		sqlite3_bind_text(st, 4, d->module_sha256, -1, SQLITE_TRANSIENT);
	return db_done(db, st, err);
}

static int db_release_set(struct certify_db *db, int64_t run, const char *release,
			  struct certify_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	if (db_prepare(db, "INSERT INTO releases (release) VALUES (?) ON CONFLICT (release) "
		       "DO UPDATE SET release = excluded.release RETURNING id", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, release, -1, SQLITE_TRANSIENT);
	if (db_returning(db, st, &id, err) < 0 ||
	    db_prepare(db, "UPDATE runs SET release_id = ? WHERE id = ?", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, run);
	return db_done(db, st, err);
}

static int db_result_add(struct certify_db *db, int64_t run, int64_t cfg,
			 const struct certify_db_result *r, struct certify_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	if (db_prepare(db, "INSERT INTO results (run_id, config_id, suite, name, status, us, message) "
		       "VALUES (?,?,?,?,?,?,?) RETURNING id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, cfg);
	sqlite3_bind_text(st, 3, r->suite, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->us);
	sqlite3_bind_text(st, 7, r->message, -1, SQLITE_TRANSIENT);
	if (db_returning(db, st, &id, err) < 0)
		return -1;
	for (size_t i = 0; i < r->nmetric; i++) {
		if (db_prepare(db, "INSERT INTO metrics (result_id, name, value, unit) VALUES (?,?,?,?)",
			       &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, r->metric[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, r->metric[i].value);
		sqlite3_bind_text(st, 4, r->metric[i].unit, -1, SQLITE_TRANSIENT);
		if (db_done(db, st, err) < 0)
			return -1;
	}
	return 0;
}

static int db_hostcheck_add(struct certify_db *db, int64_t cfg, const struct certify_hostcheck *c,
			    struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "INSERT INTO hostchecks (config_id, name, ran, ok, message) "
		       "VALUES (?,?,?,?,?)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, cfg);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, !!c->ran);
	sqlite3_bind_int(st, 4, c->ran && c->ok);
	sqlite3_bind_text(st, 5, c->msg, -1, SQLITE_TRANSIENT);
	return db_done(db, st, err);
}

static int db_violation_add(struct certify_db *db, int64_t cfg, const struct certify_violation *v,
			    struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "INSERT INTO violations (config_id, kind, module, site, off, addr, size, "
		       "dev, test, message, location) VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, cfg);
	sqlite3_bind_text(st, 2, v->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, v->module, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (int64_t)v->site);
	sqlite3_bind_int64(st, 5, (int64_t)v->off);
	sqlite3_bind_int64(st, 6, (int64_t)v->addr);
	sqlite3_bind_int64(st, 7, (int64_t)v->size);
	sqlite3_bind_text(st, 8, v->dev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, v->test, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, v->msg, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, v->where, -1, SQLITE_TRANSIENT);
	return db_done(db, st, err);
}

static int db_config_row(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			 int64_t *id, struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "INSERT INTO configs (run_id, idx, name, config, cmdline, outcome, verdict, "
		       "reason, duration, log) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, c->idx);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->json ? c->json : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, c->cmdline ? c->cmdline : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, c->outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, c->verdict, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, c->reason ? c->reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 9, c->duration);
	sqlite3_bind_text(st, 10, c->log ? c->log : "", -1, SQLITE_TRANSIENT);
	return db_returning(db, st, id, err);
}

int db_sq_config_write(struct certify_db *db, int64_t run, const struct certify_db_config *c,
		       struct certify_err *err)
{
	int64_t id = 0;
	int rc = db_config_row(db, run, c, &id, err);

	for (size_t i = 0; rc == 0 && i < c->ndev; i++)
		rc = db_device_add(db, run, &c->dev[i], err);
	if (rc == 0 && c->release[0])
		rc = db_release_set(db, run, c->release, err);
	for (size_t i = 0; rc == 0 && i < c->nresult; i++)
		rc = db_result_add(db, run, id, &c->result[i], err);
	for (size_t i = 0; rc == 0 && i < c->ncheck; i++)
		rc = db_hostcheck_add(db, id, &c->check[i], err);
	for (size_t i = 0; rc == 0 && i < c->nviol; i++)
		rc = db_violation_add(db, id, &c->viol[i], err);
	return rc;
}

static int db_sq_config_add(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			  struct certify_err *err)
{
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	return db_end(db, db_sq_config_write(db, run, c, err), err);
}

static int db_sq_run_finish(struct certify_db *db, int64_t run, const char *verdict,
			  const char *log, struct certify_err *err)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	db_now(now, sizeof(now));
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	rc = db_prepare(db, "UPDATE runs SET status = 'complete', verdict = ?, finished = ?, log = ? "
			"WHERE id = ? AND status = 'running'", &st, err);
	if (rc == 0) {
		sqlite3_bind_text(st, 1, verdict, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, log ? log : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, run);
		rc = db_done(db, st, err);
	}
	if (rc == 0 && sqlite3_changes(db->h) != 1)
		rc = certify_errf(err, "%s: run %lld is not a running run", db->path, (long long)run);
	return db_end(db, rc, err);
}

const struct db_backend db_sqlite_backend = {
	.name = "sqlite", .close = db_sq_close, .version = db_sq_version,
	.run_begin = db_sq_run_begin, .config_add = db_sq_config_add,
	.run_finish = db_sq_run_finish, .run_load = db_sq_run_load, .history = db_sq_history,
	.certified = db_sq_certified, .unofficial = db_sq_unofficial,
	.run_configs = db_sq_run_configs, .run_results = db_sq_run_results,
	.import = db_sq_import,
	.submission = db_sq_submission,
};
