/* db: an imported run (certify_db_import in store.h) on both back ends: the run, its
 * configurations, its completion and the submission row in one transaction. */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

#define DB_IMPORT_DONE_SQ \
	"UPDATE runs SET status = 'complete', verdict = ?, started = ?, finished = ?, log = ?, " \
	"host = ?, pid = 0 WHERE id = ?"
#define DB_IMPORT_SUB_SQ \
	"INSERT INTO submissions (run_id, vendor, key_id, package_sha256, vendor_run, " \
	"vendor_host, signed_at, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

static int db_sq_step(struct certify_db *db, sqlite3_stmt *st, struct certify_err *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(db, err);

	sqlite3_finalize(st);
	return rc;
}

static int db_sq_already(struct certify_db *db, const char *sha, struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT run_id FROM submissions WHERE package_sha256 = ?", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = certify_errf(err, "package %.16s: already imported as run %lld", sha,
				  (long long)sqlite3_column_int64(st, 0));
	else
		rc = rc == SQLITE_DONE ? 0 : db_error(db, err);
	sqlite3_finalize(st);
	return rc;
}

static int db_sq_import_tx(struct certify_db *db, const struct certify_db_run *r,
			   const struct certify_db_submission *s, int64_t *id, struct certify_err *err)
{
	sqlite3_stmt *st;
	char now[32];
	int rc = db_sq_already(db, s->package_sha256, err);

	if (rc == 0)
		rc = db_sq_run_insert(db, r->plan, r->config, r->seed, &r->bind, r->drv, r->ndrv, id, err);
	for (size_t i = 0; rc == 0 && i < r->ncfg; i++)
		rc = db_sq_config_write(db, *id, &r->cfg[i], err);
	if (rc == 0 && (rc = db_prepare(db, DB_IMPORT_DONE_SQ, &st, err)) == 0) {
		sqlite3_bind_text(st, 1, r->verdict, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, r->started, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->finished, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, r->log ? r->log : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, r->host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, *id);
		rc = db_sq_step(db, st, err);
	}
	db_now(now, sizeof(now));
	if (rc == 0 && (rc = db_prepare(db, DB_IMPORT_SUB_SQ, &st, err)) == 0) {
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_text(st, 2, s->vendor, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, s->key_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, s->package_sha256, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, s->vendor_run);
		sqlite3_bind_text(st, 6, s->vendor_host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, s->signed_at, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
		rc = db_sq_step(db, st, err);
	}
	return rc;
}

int db_sq_import(struct certify_db *db, const struct certify_db_run *run,
		 const struct certify_db_submission *sub, int64_t *id, struct certify_err *err)
{
	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	return db_end(db, db_sq_import_tx(db, run, sub, id, err), err);
}

static int db_pg_import_tx(struct certify_db *db, const struct certify_db_run *r,
			   const struct certify_db_submission *s, int64_t *id, struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *q;
	char now[32];
	int rc = 0;

	db_pg_text(&p, s->package_sha256);
	q = db_pg_query(db, "SELECT run_id FROM submissions WHERE package_sha256 = $1", &p, err);
	if (!q)
		return -1;
	if (PQntuples(q) > 0)
		rc = certify_errf(err, "package %.16s: already imported as run %lld", s->package_sha256,
				  db_pg_ll(q, 0, 0));
	PQclear(q);
	if (rc == 0)
		rc = db_pg_run_insert(db, r->plan, r->config, r->seed, &r->bind, r->drv, r->ndrv, id, err);
	for (size_t i = 0; rc == 0 && i < r->ncfg; i++)
		rc = db_pg_config_write(db, *id, &r->cfg[i], err);
	if (rc == 0) {
		memset(&p, 0, sizeof(p));
		db_pg_text(&p, r->verdict);
		db_pg_text(&p, r->started);
		db_pg_text(&p, r->finished);
		db_pg_text(&p, r->log ? r->log : "");
		db_pg_text(&p, r->host);
		db_pg_i64(&p, *id);
		rc = db_pg_cmd(db, "UPDATE runs SET status = 'complete', verdict = $1, started = $2, "
			       "finished = $3, log = $4, host = $5, pid = 0 WHERE id = $6", &p, err);
	}
	db_now(now, sizeof(now));
	if (rc == 0) {
		memset(&p, 0, sizeof(p));
		db_pg_i64(&p, *id);
		db_pg_text(&p, s->vendor);
		db_pg_text(&p, s->key_id);
		db_pg_text(&p, s->package_sha256);
		db_pg_i64(&p, s->vendor_run);
		db_pg_text(&p, s->vendor_host);
		db_pg_text(&p, s->signed_at);
		db_pg_text(&p, now);
		rc = db_pg_cmd(db, "INSERT INTO submissions (run_id, vendor, key_id, package_sha256, "
			       "vendor_run, vendor_host, signed_at, imported) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &p, err);
	}
	return rc;
}

int db_pg_import(struct certify_db *db, const struct certify_db_run *run,
		 const struct certify_db_submission *sub, int64_t *id, struct certify_err *err)
{
	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	return db_pg_end(db, db_pg_import_tx(db, run, sub, id, err), err);
}

#define DB_SUBMISSION_Q \
	"SELECT vendor, key_id, package_sha256, signed_at, vendor_run, vendor_host " \
	"FROM submissions WHERE run_id = "

int db_sq_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
		     struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(sub, 0, sizeof(*sub));
	if (db_prepare(db, DB_SUBMISSION_Q "?", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_col_text(st, 0, sub->vendor, sizeof(sub->vendor));
		db_col_text(st, 1, sub->key_id, sizeof(sub->key_id));
		db_col_text(st, 2, sub->package_sha256, sizeof(sub->package_sha256));
		db_col_text(st, 3, sub->signed_at, sizeof(sub->signed_at));
		sub->vendor_run = sqlite3_column_int64(st, 4);
		db_col_text(st, 5, sub->vendor_host, sizeof(sub->vendor_host));
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_error(db, err);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_pg_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
		     struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *q;
	int rc = 0;

	memset(sub, 0, sizeof(*sub));
	db_pg_i64(&p, run);
	q = db_pg_query(db, DB_SUBMISSION_Q "$1", &p, err);
	if (!q)
		return -1;
	if (PQntuples(q) == 1) {
		db_pg_str(q, 0, 0, sub->vendor, sizeof(sub->vendor));
		db_pg_str(q, 0, 1, sub->key_id, sizeof(sub->key_id));
		db_pg_str(q, 0, 2, sub->package_sha256, sizeof(sub->package_sha256));
		db_pg_str(q, 0, 3, sub->signed_at, sizeof(sub->signed_at));
		sub->vendor_run = db_pg_ll(q, 0, 4);
		db_pg_str(q, 0, 5, sub->vendor_host, sizeof(sub->vendor_host));
		rc = 1;
	}
	PQclear(q);
	return rc;
}
