/* db: reading runs back from PostgreSQL (show, history, reports, hcl export): the queries of
 * store_read.c and store_export.c in PostgreSQL's dialect, the same answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Runs sql with one id parameter. */
static PGresult *db_pg_by_id(struct certify_db *db, const char *sql, int64_t id,
			     struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	db_pg_i64(&p, id);
	return db_pg_query(db, sql, &p, err);
}

static int db_pg_run_row(struct certify_db *db, int64_t id, struct certify_db_run *r,
			 struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT r.plan, r.config, r.seed, r.started, "
				  "COALESCE(r.finished, ''), r.status, COALESCE(r.verdict, ''), "
				  "COALESCE(l.release, ''), r.host, r.pid, r.log, r.plan_sha256, "
				  "r.kernel_sha256, r.qemu_version, r.official, r.unofficial_why FROM runs r "
				  "LEFT JOIN releases l ON l.id = r.release_id WHERE r.id = $1", id, err);

	if (!q)
		return -1;
	if (PQntuples(q) != 1) {
		PQclear(q);
		return certify_errf(err, "run %lld: no such run in %s", (long long)id, db->path);
	}
	r->id = id;
	db_pg_str(q, 0, 0, r->plan, sizeof(r->plan));
	r->config = db_pg_dup(q, 0, 1);
	r->seed = (uint64_t)db_pg_ll(q, 0, 2);
	db_pg_str(q, 0, 3, r->started, sizeof(r->started));
	db_pg_str(q, 0, 4, r->finished, sizeof(r->finished));
	db_pg_str(q, 0, 5, r->status, sizeof(r->status));
	db_pg_str(q, 0, 6, r->verdict, sizeof(r->verdict));
	db_pg_str(q, 0, 7, r->release, sizeof(r->release));
	db_pg_str(q, 0, 8, r->host, sizeof(r->host));
	r->pid = (long)db_pg_ll(q, 0, 9);
	r->log = db_pg_dup(q, 0, 10);
	db_pg_str(q, 0, 11, r->bind.plan_sha256, sizeof(r->bind.plan_sha256));
	db_pg_str(q, 0, 12, r->bind.kernel_sha256, sizeof(r->bind.kernel_sha256));
	db_pg_str(q, 0, 13, r->bind.qemu_version, sizeof(r->bind.qemu_version));
	r->bind.official = (int)db_pg_ll(q, 0, 14);
	db_pg_str(q, 0, 15, r->bind.unofficial_why, sizeof(r->bind.unofficial_why));
	PQclear(q);
	return 0;
}

static int db_pg_run_devices(struct certify_db *db, struct certify_db_run *r, struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT d.vid, d.did, d.svid, d.ssid, d.class, d.kind, d.model, "
				  "d.vendor, x.firmware, x.module_sha256 FROM run_devices x JOIN devices d ON d.id = x.device_id "
				  "WHERE x.run_id = $1 ORDER BY d.id", r->id, err);

	if (!q)
		return -1;
	for (int i = 0; i < PQntuples(q); i++) {
		struct certify_db_device *d = db_grow(&r->dev, &r->ndev, sizeof(*d));

		if (!d)
			break;
		d->vid = (unsigned)db_pg_ll(q, i, 0);
		d->did = (unsigned)db_pg_ll(q, i, 1);
		d->svid = (unsigned)db_pg_ll(q, i, 2);
		d->ssid = (unsigned)db_pg_ll(q, i, 3);
		d->class = (unsigned)db_pg_ll(q, i, 4);
		db_pg_str(q, i, 5, d->kind, sizeof(d->kind));
		db_pg_str(q, i, 6, d->model, sizeof(d->model));
		db_pg_str(q, i, 7, d->vendor, sizeof(d->vendor));
		db_pg_str(q, i, 8, d->firmware, sizeof(d->firmware));
		db_pg_str(q, i, 9, d->module_sha256, sizeof(d->module_sha256));
	}
	PQclear(q);
	q = db_pg_by_id(db, "SELECT d.name, d.version, d.vendor, d.sha256 FROM run_drivers x "
			"JOIN drivers d ON d.id = x.driver_id WHERE x.run_id = $1 ORDER BY d.id", r->id, err);
	if (!q)
		return -1;
	for (int i = 0; i < PQntuples(q); i++) {
		struct certify_db_driver *d = db_grow(&r->drv, &r->ndrv, sizeof(*d));

		if (!d)
			break;
		db_pg_str(q, i, 0, d->name, sizeof(d->name));
		db_pg_str(q, i, 1, d->version, sizeof(d->version));
		db_pg_str(q, i, 2, d->vendor, sizeof(d->vendor));
		db_pg_str(q, i, 3, d->sha256, sizeof(d->sha256));
	}
	PQclear(q);
	return 0;
}

static int db_pg_metrics(struct certify_db *db, int64_t result, struct certify_db_result *r,
			 struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT name, value, unit FROM metrics WHERE result_id = $1 "
				  "ORDER BY id", result, err);

	if (!q)
		return -1;
	for (int i = 0; i < PQntuples(q); i++) {
		struct certify_db_metric *m = db_grow(&r->metric, &r->nmetric, sizeof(*m));

		if (!m)
			break;
		db_pg_str(q, i, 0, m->name, sizeof(m->name));
		m->value = db_pg_double(q, i, 1);
		db_pg_str(q, i, 2, m->unit, sizeof(m->unit));
	}
	PQclear(q);
	return 0;
}

static int db_pg_results(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
			 struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT id, suite, name, status, us, message FROM results "
				  "WHERE config_id = $1 ORDER BY id", cfg, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++) {
		struct certify_db_result *r = db_grow(&c->result, &c->nresult, sizeof(*r));

		if (!r)
			break;
		db_pg_str(q, i, 1, r->suite, sizeof(r->suite));
		db_pg_str(q, i, 2, r->name, sizeof(r->name));
		db_pg_str(q, i, 3, r->status, sizeof(r->status));
		r->us = (uint64_t)db_pg_ll(q, i, 4);
		db_pg_str(q, i, 5, r->message, sizeof(r->message));
		rc = db_pg_metrics(db, db_pg_ll(q, i, 0), r, err);
	}
	PQclear(q);
	return rc;
}

static int db_pg_hostchecks(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
			    struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT name, ran, ok, message FROM hostchecks "
				  "WHERE config_id = $1 ORDER BY id", cfg, err);

	if (!q)
		return -1;
	for (int i = 0; i < PQntuples(q); i++) {
		struct certify_hostcheck *h = db_grow(&c->check, &c->ncheck, sizeof(*h));

		if (!h)
			break;
		db_pg_str(q, i, 0, h->name, sizeof(h->name));
		h->ran = (int)db_pg_ll(q, i, 1);
		h->ok = (int)db_pg_ll(q, i, 2);
		db_pg_str(q, i, 3, h->msg, sizeof(h->msg));
	}
	PQclear(q);
	return 0;
}

static int db_pg_violations(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
			    struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT kind, module, site, off, addr, size, dev, test, message, "
				  "location FROM violations WHERE config_id = $1 ORDER BY id", cfg, err);

	if (!q)
		return -1;
	for (int i = 0; i < PQntuples(q); i++) {
		struct certify_violation *v = db_grow(&c->viol, &c->nviol, sizeof(*v));

		if (!v)
			break;
		db_pg_str(q, i, 0, v->kind, sizeof(v->kind));
		db_pg_str(q, i, 1, v->module, sizeof(v->module));
		v->site = (uint64_t)db_pg_ll(q, i, 2);
		v->off = (uint64_t)db_pg_ll(q, i, 3);
		v->addr = (uint64_t)db_pg_ll(q, i, 4);
		v->size = (uint64_t)db_pg_ll(q, i, 5);
		db_pg_str(q, i, 6, v->dev, sizeof(v->dev));
		db_pg_str(q, i, 7, v->test, sizeof(v->test));
		db_pg_str(q, i, 8, v->msg, sizeof(v->msg));
		db_pg_str(q, i, 9, v->where, sizeof(v->where));
	}
	PQclear(q);
	return 0;
}

static int db_pg_configs(struct certify_db *db, struct certify_db_run *r, struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT id, idx, name, config, cmdline, outcome, verdict, reason, "
				  "duration, log FROM configs WHERE run_id = $1 ORDER BY idx", r->id, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++) {
		struct certify_db_config *c = db_grow(&r->cfg, &r->ncfg, sizeof(*c));

		if (!c)
			break;
		c->idx = (int)db_pg_ll(q, i, 1);
		db_pg_str(q, i, 2, c->name, sizeof(c->name));
		c->json = db_pg_dup(q, i, 3);
		c->cmdline = db_pg_dup(q, i, 4);
		db_pg_str(q, i, 5, c->outcome, sizeof(c->outcome));
		db_pg_str(q, i, 6, c->verdict, sizeof(c->verdict));
		c->reason = db_pg_dup(q, i, 7);
		c->duration = db_pg_double(q, i, 8);
		c->log = db_pg_dup(q, i, 9);
		snprintf(c->release, sizeof(c->release), "%s", r->release);
		rc = db_pg_results(db, db_pg_ll(q, i, 0), c, err);
		if (rc == 0)
			rc = db_pg_hostchecks(db, db_pg_ll(q, i, 0), c, err);
		if (rc == 0)
			rc = db_pg_violations(db, db_pg_ll(q, i, 0), c, err);
	}
	PQclear(q);
	return rc;
}

int db_pg_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
		   struct certify_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* One snapshot: a writer on another connection cannot tear the picture. */
	if (db_pg_cmd(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, err) < 0)
		return -1;
	rc = db_pg_run_row(db, id, out, err);
	if (rc == 0)
		rc = db_pg_run_devices(db, out, err);
	if (rc == 0)
		rc = db_pg_configs(db, out, err);
	db_pg_end(db, rc == 0 ? 0 : -1, NULL);
	if (rc < 0)
		certify_db_run_free(out);
	return rc;
}

int db_pg_history(struct certify_db *db, const char *model, int certified_only,
		  int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		  struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *q;
	int rc = 0;

	db_pg_text(&p, model);
	db_pg_i64(&p, certified_only);
	q = db_pg_query(db,
		"SELECT r.id, r.plan, r.started, COALESCE(r.finished, ''), r.status, "
		"COALESCE(r.verdict, ''), COALESCE(l.release, ''), "
		"COALESCE((SELECT string_agg(d.model || ' ' || lpad(to_hex(d.vid), 4, '0') || ':' || "
		" lpad(to_hex(d.did), 4, '0'), ', ' ORDER BY d.id) FROM run_devices x JOIN devices d "
		" ON d.id = x.device_id WHERE x.run_id = r.id), ''), "
		"COALESCE((SELECT string_agg(v.name || ' ' || v.version, ', ' ORDER BY v.id) "
		" FROM run_drivers y JOIN drivers v ON v.id = y.driver_id WHERE y.run_id = r.id), ''), "
		"(r.id IN (SELECT id FROM certified_runs))::int, r.host, r.pid, r.official "
		"FROM runs r LEFT JOIN releases l ON l.id = r.release_id "
		"WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM run_devices x JOIN devices d ON "
		"  d.id = x.device_id WHERE x.run_id = r.id AND d.model = $1) "
		"  OR (r.config LIKE '%\"model\":\"' || $1 || '\"%')) "
		"AND ($2::int = 0 OR r.id IN (SELECT id FROM certified_runs)) ORDER BY r.id DESC", &p, err);
	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++) {
		struct certify_db_summary s;

		memset(&s, 0, sizeof(s));
		s.id = db_pg_ll(q, i, 0);
		db_pg_str(q, i, 1, s.plan, sizeof(s.plan));
		db_pg_str(q, i, 2, s.started, sizeof(s.started));
		db_pg_str(q, i, 3, s.finished, sizeof(s.finished));
		db_pg_str(q, i, 4, s.status, sizeof(s.status));
		db_pg_str(q, i, 5, s.verdict, sizeof(s.verdict));
		db_pg_str(q, i, 6, s.release, sizeof(s.release));
		db_pg_str(q, i, 7, s.devices, sizeof(s.devices));
		db_pg_str(q, i, 8, s.drivers, sizeof(s.drivers));
		s.certified = (int)db_pg_ll(q, i, 9);
		db_pg_str(q, i, 10, s.host, sizeof(s.host));
		s.pid = (long)db_pg_ll(q, i, 11);
		s.official = (int)db_pg_ll(q, i, 12);
		rc = fn(ctx, &s);
	}
	PQclear(q);
	return rc;
}

int db_pg_certified(struct certify_db *db,
		    int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
		    struct certify_err *err)
{
	PGresult *q = db_pg_query(db,
		"SELECT d.vid, d.did, d.svid, d.ssid, d.kind, dr.name, dr.version, rel.release, r.id, "
		"       substr(r.finished, 1, 10), "
		"       (SELECT count(*) FROM run_drivers x WHERE x.run_id = r.id) AS ndrivers, "
		"       EXISTS (SELECT 1 FROM submissions s WHERE s.run_id = r.id)::int, "
		"       rd.firmware, dr.sha256 "
		"FROM certified_runs r "
		"JOIN run_devices rd ON rd.run_id = r.id JOIN devices d ON d.id = rd.device_id "
		"JOIN run_drivers rr ON rr.run_id = r.id JOIN drivers dr ON dr.id = rr.driver_id "
		"JOIN releases rel ON rel.id = r.release_id "
		"WHERE d.kind IN ('nic', 'storage') "
		"ORDER BY d.vid, d.did, d.svid, d.ssid, rel.release COLLATE \"C\", dr.name COLLATE \"C\", "
		"dr.version COLLATE \"C\", r.id", NULL, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++) {
		struct certify_db_certified c = { 0 };

		c.vid = (unsigned)db_pg_ll(q, i, 0);
		c.did = (unsigned)db_pg_ll(q, i, 1);
		c.svid = (unsigned)db_pg_ll(q, i, 2);
		c.ssid = (unsigned)db_pg_ll(q, i, 3);
		db_pg_str(q, i, 4, c.kind, sizeof(c.kind));
		db_pg_str(q, i, 5, c.driver, sizeof(c.driver));
		db_pg_str(q, i, 6, c.version, sizeof(c.version));
		db_pg_str(q, i, 7, c.release, sizeof(c.release));
		c.run = db_pg_ll(q, i, 8);
		db_pg_str(q, i, 9, c.date, sizeof(c.date));
		c.ndrivers = (int)db_pg_ll(q, i, 10);
		c.imported = (int)db_pg_ll(q, i, 11);
		db_pg_str(q, i, 12, c.firmware, sizeof(c.firmware));
		db_pg_str(q, i, 13, c.sha256, sizeof(c.sha256));
		rc = fn(ctx, &c);
	}
	PQclear(q);
	return rc;
}

int db_pg_unofficial(struct certify_db *db,
		     int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
		     void *ctx, struct certify_err *err)
{
	PGresult *q = db_pg_query(db, "SELECT id, plan, unofficial_why FROM runs WHERE status = "
				  "'complete' AND verdict = 'pass' AND official = 0 ORDER BY id", NULL, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++)
		rc = fn(ctx, db_pg_ll(q, i, 0), PQgetvalue(q, i, 1), PQgetvalue(q, i, 2));
	PQclear(q);
	return rc;
}

int db_pg_run_configs(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const char *name, const char *verdict, const char *reason),
		      void *ctx, struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT name, verdict, reason FROM configs WHERE run_id = $1 "
				  "ORDER BY idx", run, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++)
		rc = fn(ctx, PQgetvalue(q, i, 0), PQgetvalue(q, i, 1), PQgetvalue(q, i, 2));
	PQclear(q);
	return rc;
}

int db_pg_run_results(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const struct certify_db_test_result *r), void *ctx,
		      struct certify_err *err)
{
	PGresult *q = db_pg_by_id(db, "SELECT c.name, c.config, c.verdict, x.suite, x.name, "
				  "x.status FROM results x JOIN configs c ON c.id = x.config_id "
				  "WHERE x.run_id = $1 ORDER BY c.idx, x.id", run, err);
	int rc = 0;

	if (!q)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(q); i++) {
		struct certify_db_test_result r = {
			PQgetvalue(q, i, 0), PQgetvalue(q, i, 1), PQgetvalue(q, i, 2),
			PQgetvalue(q, i, 3), PQgetvalue(q, i, 4), PQgetvalue(q, i, 5),
		};

		rc = fn(ctx, &r);
	}
	PQclear(q);
	return rc;
}
