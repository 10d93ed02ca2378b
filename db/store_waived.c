/*
 * db: what `hcl export` reads, under the live waivers of today (certify_db_certified and
 * certify_db_run_configs in store.h). The store keeps every run's verdict as judged; a
 * complete, official run stored as failed is certified when the live waivers make it pass
 * (db/waiver.h), so a waiver that expires or is revoked drops it from the next list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "waiver.h"

struct db_crows {
	struct certify_db_certified *v;
	size_t n;
};

static int db_crow_add(void *ctx, const struct certify_db_certified *c)
{
	struct db_crows *rows = ctx;
	struct certify_db_certified *e = db_grow(&rows->v, &rows->n, sizeof(*e));

	if (!e)
		return -1;
	*e = *c;
	return 0;
}

/* A row of a run that passed as stored: the back ends do not fill waived. */
static int db_crow_add_stored(void *ctx, const struct certify_db_certified *c)
{
	struct db_crows *rows = ctx;

	if (db_crow_add(ctx, c) < 0)
		return -1;
	rows->v[rows->n - 1].waived[0] = '\0';
	return 0;
}

/* The backend's order: vid, did, svid, ssid, release, driver, version, run. */
static int db_crow_cmp(const void *pa, const void *pb)
{
	const struct certify_db_certified *a = pa, *b = pb;
	int c;

	if (a->vid != b->vid)
		return a->vid < b->vid ? -1 : 1;
	if (a->did != b->did)
		return a->did < b->did ? -1 : 1;
	if (a->svid != b->svid)
		return a->svid < b->svid ? -1 : 1;
	if (a->ssid != b->ssid)
		return a->ssid < b->ssid ? -1 : 1;
	if ((c = strcmp(a->release, b->release)) || (c = strcmp(a->driver, b->driver)) ||
	    (c = strcmp(a->version, b->version)))
		return c;
	return a->run < b->run ? -1 : a->run > b->run;
}

/* "ID SUITE.NAME" of each waived test of r, once each. */
static void db_waived_list(const struct certify_db_run *r, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < r->ncfg; i++)
		for (size_t k = 0; k < r->cfg[i].nresult; k++) {
			const struct certify_db_result *t = &r->cfg[i].result[k];
			char one[160];
			size_t l = strlen(out);

			if (!t->waiver[0])
				continue;
			snprintf(one, sizeof(one), "%s %s.%s", t->waiver, t->suite, t->name);
			if (!strstr(out, one))
				snprintf(out + l, len - l, "%s%s", l ? ", " : "", one);
		}
}

/* The rows of one waived run: each NIC and storage device with each driver. */
static int db_waived_rows(struct certify_db *db, const struct certify_db_run *r,
			  struct db_crows *rows, struct certify_err *err)
{
	struct certify_db_submission sub;
	int imported = certify_db_submission(db, r->id, &sub, err);

	if (imported < 0)
		return -1;
	for (size_t d = 0; d < r->ndev; d++) {
		const struct certify_db_device *dev = &r->dev[d];

		if (strcmp(dev->kind, "nic") && strcmp(dev->kind, "storage"))
			continue;
		for (size_t k = 0; k < r->ndrv; k++) {
			struct certify_db_certified c = { 0 };

			c.vid = dev->vid;
			c.did = dev->did;
			c.svid = dev->svid;
			c.ssid = dev->ssid;
			snprintf(c.kind, sizeof(c.kind), "%s", dev->kind);
			snprintf(c.driver, sizeof(c.driver), "%s", r->drv[k].name);
			snprintf(c.version, sizeof(c.version), "%s", r->drv[k].version);
			snprintf(c.release, sizeof(c.release), "%s", r->release);
			c.run = r->id;
			snprintf(c.date, sizeof(c.date), "%.10s", r->finished);
			c.ndrivers = (int)r->ndrv;
			c.imported = imported;
			snprintf(c.firmware, sizeof(c.firmware), "%s", dev->firmware);
			snprintf(c.sha256, sizeof(c.sha256), "%s", r->drv[k].sha256);
			db_waived_list(r, c.waived, sizeof(c.waived));
			if (db_crow_add(rows, &c) < 0)
				return certify_errf(err, "out of memory");
		}
	}
	return 0;
}

/* Complete, official runs stored as failed: the ones a waiver may make pass. */
static int db_failed_runs(struct certify_db *db, int64_t **ids, size_t *n, struct certify_err *err)
{
	static const char q[] = "SELECT id FROM runs WHERE status = 'complete' AND verdict = 'fail' "
				"AND official = 1 AND release_id IS NOT NULL ORDER BY id";

	*ids = NULL;
	*n = 0;
	if (db->pg) {
		PGresult *r = db_pg_query(db, q, NULL, err);

		if (!r)
			return -1;
		for (int i = 0; i < PQntuples(r); i++) {
			int64_t *e = db_grow(ids, n, sizeof(**ids));

			if (!e)
				return PQclear(r), certify_errf(err, "out of memory");
			*e = db_pg_ll(r, i, 0);
		}
		PQclear(r);
		return 0;
	}
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, q, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t *e = db_grow(ids, n, sizeof(**ids));

		if (!e)
			return sqlite3_finalize(st), certify_errf(err, "out of memory");
		*e = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err);
}

/* Adds the rows of every failed run the live waivers make pass. */
static int db_waived_certified(struct certify_db *db, const struct certify_waiver *w, size_t nw,
			       const char *today, struct db_crows *rows, struct certify_err *err)
{
	int64_t *ids;
	size_t n;
	int rc = db_failed_runs(db, &ids, &n, err);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct certify_db_run r;

		if (certify_db_run_load(db, ids[i], &r, err) < 0) {
			rc = -1;
			break;
		}
		if (certify_waiver_apply(w, nw, today, &r) && !strcmp(r.verdict, "pass"))
			rc = db_waived_rows(db, &r, rows, err);
		certify_db_run_free(&r);
	}
	free(ids);
	return rc;
}

int certify_db_certified(struct certify_db *db,
			 int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
			 struct certify_err *err)
{
	struct db_crows rows = { 0 };
	struct certify_waiver *w = NULL;
	char today[11];
	size_t nw = 0, live = 0;
	int rc;

	certify_waiver_today(today);
	rc = db_be_certified(db, db_crow_add_stored, &rows, err);
	if (rc < 0 && !err->msg[0])
		certify_errf(err, "out of memory");
	if (rc == 0)
		rc = certify_db_waivers(db, &w, &nw, err);
	for (size_t i = 0; rc == 0 && i < nw; i++)
		live += (size_t)certify_waiver_live(&w[i], today);
	if (rc == 0 && live)
		rc = db_waived_certified(db, w, nw, today, &rows, err);
	if (rc == 0)
		qsort(rows.v, rows.n, sizeof(*rows.v), db_crow_cmp);
	for (size_t i = 0; rc == 0 && i < rows.n; i++)
		rc = fn(ctx, &rows.v[i]);
	free(w);
	free(rows.v);
	return rc;
}

int certify_db_run_configs(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const char *name, const char *verdict,
				     const char *reason),
			   void *ctx, struct certify_err *err)
{
	struct certify_waiver *w;
	struct certify_db_run r;
	char today[11];
	size_t nw, live = 0;
	int rc = 0;

	certify_waiver_today(today);
	if (certify_db_waivers(db, &w, &nw, err) < 0)
		return -1;
	for (size_t i = 0; i < nw; i++)
		live += (size_t)certify_waiver_live(&w[i], today);
	/* without a live waiver the stored verdicts stand: no need to load the whole run */
	if (!live) {
		free(w);
		return db_be_run_configs(db, run, fn, ctx, err);
	}
	if (certify_db_run_load(db, run, &r, err) < 0) {
		free(w);
		return -1;
	}
	if (!certify_waiver_apply(w, nw, today, &r))
		rc = db_be_run_configs(db, run, fn, ctx, err);
	else
		for (size_t i = 0; rc == 0 && i < r.ncfg; i++)
			rc = fn(ctx, r.cfg[i].name, r.cfg[i].verdict, r.cfg[i].reason ? r.cfg[i].reason : "");
	certify_db_run_free(&r);
	free(w);
	return rc;
}
