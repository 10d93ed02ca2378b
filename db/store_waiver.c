/* db: the waivers table (version 9) on both back ends (certify_db_waiver_* in waiver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "waiver.h"

#define DB_WAIVER_INS \
	"INSERT INTO waivers (id, test, expires, maintainer, key_id, document, added) VALUES "
#define DB_WAIVER_SEL \
	"SELECT id, document, maintainer, added, revoked, revoked_why FROM waivers ORDER BY id"

static int db_waiver_exists(const char *id, int n, struct certify_err *err)
{
	return n ? certify_errf(err, "waiver %s: already in the store", id) : 0;
}

static int db_sq_waiver_add(struct certify_db *db, const struct certify_waiver *w,
			    const char *doc, struct certify_err *err)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	rc = db_prepare(db, "SELECT count(*) FROM waivers WHERE id = ?", &st, err);
	if (rc == 0) {
		sqlite3_bind_text(st, 1, w->id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_ROW ?
			db_waiver_exists(w->id, sqlite3_column_int(st, 0), err) : db_error(db, err);
		sqlite3_finalize(st);
	}
	db_now(now, sizeof(now));
	if (rc == 0 && (rc = db_prepare(db, DB_WAIVER_INS "(?, ?, ?, ?, ?, ?, ?)", &st, err)) == 0) {
		const char *v[] = { w->id, w->test, w->expires, w->maintainer, w->key_id, doc, now };

		for (int i = 0; i < 7; i++)
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(db, err);
		sqlite3_finalize(st);
	}
	return db_end(db, rc, err);
}

static int db_pg_waiver_add(struct certify_db *db, const struct certify_waiver *w,
			    const char *doc, struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *q;
	char now[32];
	int rc;

	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	/* two maintainers adding one id at once: the primary key refuses the second */
	db_pg_text(&p, w->id);
	q = db_pg_query(db, "SELECT count(*) FROM waivers WHERE id = $1", &p, err);
	rc = q ? db_waiver_exists(w->id, (int)db_pg_ll(q, 0, 0), err) : -1;
	PQclear(q);
	db_now(now, sizeof(now));
	if (rc == 0) {
		const char *v[] = { w->id, w->test, w->expires, w->maintainer, w->key_id, doc, now };

		memset(&p, 0, sizeof(p));
		for (int i = 0; i < 7; i++)
			db_pg_text(&p, v[i]);
		rc = db_pg_cmd(db, DB_WAIVER_INS "($1, $2, $3, $4, $5, $6, $7)", &p, err);
	}
	return db_pg_end(db, rc, err);
}

int certify_db_waiver_add(struct certify_db *db, const struct certify_waiver *w,
			  const char *document, struct certify_err *err)
{
	return db->pg ? db_pg_waiver_add(db, w, document, err) : db_sq_waiver_add(db, w, document, err);
}

/* One stored row into w: its document parsed again (it was checked when added), the
 * store's columns beside it. */
static int db_waiver_row(struct certify_db *db, const char *id, const char *doc,
			 const char *maint, const char *added, const char *revoked, const char *why,
			 struct certify_waiver *w, struct certify_err *err)
{
	char name[96];

	snprintf(name, sizeof(name), "%s: waiver %s", certify_db_name(db), id);
	if (certify_waiver_parse(name, doc, w, err) < 0)
		return -1;
	snprintf(w->maintainer, sizeof(w->maintainer), "%s", maint);
	snprintf(w->added, sizeof(w->added), "%s", added);
	snprintf(w->revoked, sizeof(w->revoked), "%s", revoked);
	snprintf(w->revoked_why, sizeof(w->revoked_why), "%s", why);
	return 0;
}

static int db_sq_waivers(struct certify_db *db, struct certify_waiver **w, size_t *n,
			 struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, DB_WAIVER_SEL, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct certify_waiver *nw = db_grow(w, n, sizeof(**w));
		const char *c[6];

		if (!nw) {
			sqlite3_finalize(st);
			return certify_errf(err, "out of memory");
		}
		for (int i = 0; i < 6; i++)
			c[i] = sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "";
		if (db_waiver_row(db, c[0], c[1], c[2], c[3], c[4], c[5], nw, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err);
}

static int db_pg_waivers(struct certify_db *db, struct certify_waiver **w, size_t *n,
			 struct certify_err *err)
{
	PGresult *q = db_pg_query(db, DB_WAIVER_SEL, NULL, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int r = 0; rc == 0 && r < PQntuples(q); r++) {
		struct certify_waiver *nw = db_grow(w, n, sizeof(**w));

		if (!nw) {
			rc = certify_errf(err, "out of memory");
			break;
		}
		rc = db_waiver_row(db, PQgetvalue(q, r, 0), PQgetvalue(q, r, 1), PQgetvalue(q, r, 2),
				   PQgetvalue(q, r, 3), PQgetvalue(q, r, 4), PQgetvalue(q, r, 5),
				   nw, err);
	}
	PQclear(q);
	return rc;
}

int certify_db_waivers(struct certify_db *db, struct certify_waiver **w, size_t *n,
		       struct certify_err *err)
{
	int rc;

	*w = NULL;
	*n = 0;
	rc = db->pg ? db_pg_waivers(db, w, n, err) : db_sq_waivers(db, w, n, err);
	if (rc < 0) {
		free(*w);
		*w = NULL;
		*n = 0;
	}
	return rc;
}

int certify_db_waiver_revoke(struct certify_db *db, const char *id, const char *why,
			     struct certify_err *err)
{
	char now[32];
	long changed;

	db_now(now, sizeof(now));
	if (db->pg) {
		struct db_pg_params p = { 0 };
		PGresult *q;

		db_pg_text(&p, now);
		db_pg_text(&p, why);
		db_pg_text(&p, id);
		q = db_pg_query(db, "UPDATE waivers SET revoked = $1, revoked_why = $2 WHERE id = $3 "
				"AND revoked IS NULL", &p, err);
		if (!q)
			return -1;
		changed = atol(PQcmdTuples(q));
		PQclear(q);
	} else {
		sqlite3_stmt *st;

		if (db_prepare(db, "UPDATE waivers SET revoked = ?, revoked_why = ? WHERE id = ? AND "
			       "revoked IS NULL", &st, err) < 0)
			return -1;
		sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, why, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_error(db, err);
		}
		sqlite3_finalize(st);
		changed = sqlite3_changes(db->h);
	}
	return changed == 1 ? 0 : certify_errf(err, "waiver %s: not in the store, or already revoked",
					       id);
}
