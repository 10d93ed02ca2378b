/* db: what `hcl export` reads (certify_db_certified, certify_db_unofficial,
 * certify_db_run_configs and certify_db_run_results in store.h). */
#include <stdio.h>

#include "store_int.h"

/* The certified runs' NIC and storage devices, once per driver of the run; ndrivers tells
 * whether that pairing is known (the store does not record which driver drove a device). */
#define DB_CERTIFIED_QUERY \
	"SELECT d.vid, d.did, d.svid, d.ssid, d.kind, dr.name, dr.version, rel.release, r.id, " \
	"       substr(r.finished, 1, 10), " \
	"       (SELECT count(*) FROM run_drivers x WHERE x.run_id = r.id) AS ndrivers, " \
	"       EXISTS (SELECT 1 FROM submissions s WHERE s.run_id = r.id), " \
	"       rd.firmware, dr.sha256 " \
	"FROM certified_runs r " \
	"JOIN run_devices rd ON rd.run_id = r.id JOIN devices d ON d.id = rd.device_id " \
	"JOIN run_drivers rr ON rr.run_id = r.id JOIN drivers dr ON dr.id = rr.driver_id " \
	"JOIN releases rel ON rel.id = r.release_id " \
	"WHERE d.kind IN ('nic', 'storage') " \
	"ORDER BY d.vid, d.did, d.svid, d.ssid, rel.release, dr.name, dr.version, r.id"

/* A caller's callback (cast back to its own type by the query's row function) and context. */
struct db_rows_cb {
	void (*fn)(void);
	void *ctx;
};

/*
 * Steps st to its end, handing each row to row(), and finalizes it. Anything but the end of
 * the rows (a busy store above all) is an error, never a short answer that looks complete.
 * Returns 0, or -1 when row() stopped (err untouched) or with err filled.
 */
static int db_rows(struct certify_db *db, sqlite3_stmt *st,
		   int (*row)(const struct db_rows_cb *cb, sqlite3_stmt *st),
		   const struct db_rows_cb *cb, struct certify_err *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row(cb, st) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int db_certified_row(const struct db_rows_cb *cb, sqlite3_stmt *st)
{
	int (*fn)(void *, const struct certify_db_certified *) =
		(int (*)(void *, const struct certify_db_certified *))cb->fn;
	struct certify_db_certified c = { 0 };

	c.vid = (unsigned)sqlite3_column_int(st, 0);
	c.did = (unsigned)sqlite3_column_int(st, 1);
	c.svid = (unsigned)sqlite3_column_int(st, 2);
	c.ssid = (unsigned)sqlite3_column_int(st, 3);
	db_col_text(st, 4, c.kind, sizeof(c.kind));
	db_col_text(st, 5, c.driver, sizeof(c.driver));
	db_col_text(st, 6, c.version, sizeof(c.version));
	db_col_text(st, 7, c.release, sizeof(c.release));
	c.run = sqlite3_column_int64(st, 8);
	db_col_text(st, 9, c.date, sizeof(c.date));
	c.ndrivers = sqlite3_column_int(st, 10);
	c.imported = sqlite3_column_int(st, 11);
	db_col_text(st, 12, c.firmware, sizeof(c.firmware));
	db_col_text(st, 13, c.sha256, sizeof(c.sha256));
	return fn(cb->ctx, &c);
}

int db_sq_certified(struct certify_db *db,
			 int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
			 struct certify_err *err)
{
	const struct db_rows_cb cb = { (void (*)(void))fn, ctx };
	sqlite3_stmt *st;

	if (db_prepare(db, DB_CERTIFIED_QUERY, &st, err) < 0)
		return -1;
	return db_rows(db, st, db_certified_row, &cb, err);
}

static int db_unofficial_row(const struct db_rows_cb *cb, sqlite3_stmt *st)
{
	int (*fn)(void *, int64_t, const char *, const char *) =
		(int (*)(void *, int64_t, const char *, const char *))cb->fn;

	return fn(cb->ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		  (const char *)sqlite3_column_text(st, 2));
}

int db_sq_unofficial(struct certify_db *db,
			  int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
			  void *ctx, struct certify_err *err)
{
	const struct db_rows_cb cb = { (void (*)(void))fn, ctx };
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT id, plan, unofficial_why FROM runs WHERE status = 'complete' AND "
		       "verdict = 'pass' AND official = 0 ORDER BY id", &st, err) < 0)
		return -1;
	return db_rows(db, st, db_unofficial_row, &cb, err);
}

static int db_config_row(const struct db_rows_cb *cb, sqlite3_stmt *st)
{
	int (*fn)(void *, const char *, const char *, const char *) =
		(int (*)(void *, const char *, const char *, const char *))cb->fn;

	return fn(cb->ctx, (const char *)sqlite3_column_text(st, 0),
		  (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
}

int db_sq_run_configs(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const char *name, const char *verdict,
				     const char *reason),
			   void *ctx, struct certify_err *err)
{
	const struct db_rows_cb cb = { (void (*)(void))fn, ctx };
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT name, verdict, reason FROM configs WHERE run_id = ? ORDER BY idx",
		       &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	return db_rows(db, st, db_config_row, &cb, err);
}

/* The test results of a run with their configuration, for the features `hcl export` derives. */
#define DB_RESULTS_QUERY \
	"SELECT c.name, c.config, c.verdict, x.suite, x.name, x.status " \
	"FROM results x JOIN configs c ON c.id = x.config_id " \
	"WHERE x.run_id = ? ORDER BY c.idx, x.id"

static int db_result_row(const struct db_rows_cb *cb, sqlite3_stmt *st)
{
	int (*fn)(void *, const struct certify_db_test_result *) =
		(int (*)(void *, const struct certify_db_test_result *))cb->fn;
	struct certify_db_test_result r = {
		(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
		(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
		(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
	};

	return fn(cb->ctx, &r);
}

int db_sq_run_results(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const struct certify_db_test_result *r), void *ctx,
		      struct certify_err *err)
{
	const struct db_rows_cb cb = { (void (*)(void))fn, ctx };
	sqlite3_stmt *st;

	if (db_prepare(db, DB_RESULTS_QUERY, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	return db_rows(db, st, db_result_row, &cb, err);
}
