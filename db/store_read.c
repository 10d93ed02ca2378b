/* db: reading runs back (show, history, reports) from SQLite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static int db_run_row(struct certify_db *db, int64_t id, struct certify_db_run *r,
		      struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT r.plan, r.config, r.seed, r.started, r.finished, r.status, "
		       "r.verdict, COALESCE(l.release, ''), r.host, r.pid, r.log, r.plan_sha256, "
		       "r.kernel_sha256, r.qemu_version, r.official, r.unofficial_why FROM runs r "
		       "LEFT JOIN releases l ON l.id = r.release_id WHERE r.id = ?", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = id;
		db_col_text(st, 0, r->plan, sizeof(r->plan));
		r->config = db_col_dup(st, 1);
		r->seed = (uint64_t)sqlite3_column_int64(st, 2);
		db_col_text(st, 3, r->started, sizeof(r->started));
		db_col_text(st, 4, r->finished, sizeof(r->finished));
		db_col_text(st, 5, r->status, sizeof(r->status));
		db_col_text(st, 6, r->verdict, sizeof(r->verdict));
		db_col_text(st, 7, r->release, sizeof(r->release));
		db_col_text(st, 8, r->host, sizeof(r->host));
		r->pid = (long)sqlite3_column_int64(st, 9);
		r->log = db_col_dup(st, 10);
		db_col_text(st, 11, r->bind.plan_sha256, sizeof(r->bind.plan_sha256));
		db_col_text(st, 12, r->bind.kernel_sha256, sizeof(r->bind.kernel_sha256));
		db_col_text(st, 13, r->bind.qemu_version, sizeof(r->bind.qemu_version));
		r->bind.official = sqlite3_column_int(st, 14);
		db_col_text(st, 15, r->bind.unofficial_why, sizeof(r->bind.unofficial_why));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return certify_errf(err, "run %lld: no such run in %s", (long long)id, db->path);
	return 0;
}

void *db_grow(void *vp, size_t *n, size_t sz)
{
	void **v = vp;
	char *nv = realloc(*v, (*n + 1) * sz);

	if (!nv)
		return NULL;
	memset(nv + *n * sz, 0, sz);
	*v = nv;
	return nv + (*n)++ * sz;
}

static int db_run_devices(struct certify_db *db, struct certify_db_run *r, struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT d.vid, d.did, d.svid, d.ssid, d.class, d.kind, d.model, d.vendor, "
		       "x.firmware, x.module_sha256 FROM run_devices x JOIN devices d ON d.id = x.device_id WHERE x.run_id = ? "
		       "ORDER BY d.id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_device *d = db_grow(&r->dev, &r->ndev, sizeof(*d));

		if (!d)
			break;
		d->vid = (unsigned)sqlite3_column_int(st, 0);
		d->did = (unsigned)sqlite3_column_int(st, 1);
		d->svid = (unsigned)sqlite3_column_int(st, 2);
		d->ssid = (unsigned)sqlite3_column_int(st, 3);
		d->class = (unsigned)sqlite3_column_int(st, 4);
		db_col_text(st, 5, d->kind, sizeof(d->kind));
		db_col_text(st, 6, d->model, sizeof(d->model));
		db_col_text(st, 7, d->vendor, sizeof(d->vendor));
		db_col_text(st, 8, d->firmware, sizeof(d->firmware));
		db_col_text(st, 9, d->module_sha256, sizeof(d->module_sha256));
	}
	sqlite3_finalize(st);
	if (db_prepare(db, "SELECT d.name, d.version, d.vendor, d.sha256 FROM run_drivers x "
		       "JOIN drivers d ON d.id = x.driver_id WHERE x.run_id = ? ORDER BY d.id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_driver *d = db_grow(&r->drv, &r->ndrv, sizeof(*d));

		if (!d)
			break;
		db_col_text(st, 0, d->name, sizeof(d->name));
		db_col_text(st, 1, d->version, sizeof(d->version));
		db_col_text(st, 2, d->vendor, sizeof(d->vendor));
		db_col_text(st, 3, d->sha256, sizeof(d->sha256));
	}
	sqlite3_finalize(st);
	return 0;
}

static int db_metrics(struct certify_db *db, int64_t result, struct certify_db_result *r,
		      struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT name, value, unit FROM metrics WHERE result_id = ? ORDER BY id",
		       &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, result);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_metric *m = db_grow(&r->metric, &r->nmetric, sizeof(*m));

		if (!m)
			break;
		db_col_text(st, 0, m->name, sizeof(m->name));
		m->value = sqlite3_column_double(st, 1);
		db_col_text(st, 2, m->unit, sizeof(m->unit));
	}
	sqlite3_finalize(st);
	return 0;
}

static int db_results(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
		      struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db, "SELECT id, suite, name, status, us, message FROM results "
		       "WHERE config_id = ? ORDER BY id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, cfg);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_result *r = db_grow(&c->result, &c->nresult, sizeof(*r));

		if (!r)
			break;
		db_col_text(st, 1, r->suite, sizeof(r->suite));
		db_col_text(st, 2, r->name, sizeof(r->name));
		db_col_text(st, 3, r->status, sizeof(r->status));
		r->us = (uint64_t)sqlite3_column_int64(st, 4);
		db_col_text(st, 5, r->message, sizeof(r->message));
		rc = db_metrics(db, sqlite3_column_int64(st, 0), r, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int db_hostchecks(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
			 struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT name, ran, ok, message FROM hostchecks WHERE config_id = ? "
		       "ORDER BY id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, cfg);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct certify_hostcheck *h = db_grow(&c->check, &c->ncheck, sizeof(*h));

		if (!h)
			break;
		db_col_text(st, 0, h->name, sizeof(h->name));
		h->ran = sqlite3_column_int(st, 1);
		h->ok = sqlite3_column_int(st, 2);
		db_col_text(st, 3, h->msg, sizeof(h->msg));
	}
	sqlite3_finalize(st);
	return 0;
}

static int db_violations(struct certify_db *db, int64_t cfg, struct certify_db_config *c,
			 struct certify_err *err)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT kind, module, site, off, addr, size, dev, test, message, location "
		       "FROM violations WHERE config_id = ? ORDER BY id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, cfg);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct certify_violation *v = db_grow(&c->viol, &c->nviol, sizeof(*v));

		if (!v)
			break;
		db_col_text(st, 0, v->kind, sizeof(v->kind));
		db_col_text(st, 1, v->module, sizeof(v->module));
		v->site = (uint64_t)sqlite3_column_int64(st, 2);
		v->off = (uint64_t)sqlite3_column_int64(st, 3);
		v->addr = (uint64_t)sqlite3_column_int64(st, 4);
		v->size = (uint64_t)sqlite3_column_int64(st, 5);
		db_col_text(st, 6, v->dev, sizeof(v->dev));
		db_col_text(st, 7, v->test, sizeof(v->test));
		db_col_text(st, 8, v->msg, sizeof(v->msg));
		db_col_text(st, 9, v->where, sizeof(v->where));
	}
	sqlite3_finalize(st);
	return 0;
}

static int db_configs(struct certify_db *db, struct certify_db_run *r, struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db, "SELECT id, idx, name, config, cmdline, outcome, verdict, reason, duration, "
		       "log FROM configs WHERE run_id = ? ORDER BY idx", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_config *c = db_grow(&r->cfg, &r->ncfg, sizeof(*c));

		if (!c)
			break;
		c->idx = sqlite3_column_int(st, 1);
		db_col_text(st, 2, c->name, sizeof(c->name));
		c->json = db_col_dup(st, 3);
		c->cmdline = db_col_dup(st, 4);
		db_col_text(st, 5, c->outcome, sizeof(c->outcome));
		db_col_text(st, 6, c->verdict, sizeof(c->verdict));
		c->reason = db_col_dup(st, 7);
		c->duration = sqlite3_column_double(st, 8);
		c->log = db_col_dup(st, 9);
		snprintf(c->release, sizeof(c->release), "%s", r->release);
		rc = db_results(db, sqlite3_column_int64(st, 0), c, err);
		if (rc == 0)
			rc = db_hostchecks(db, sqlite3_column_int64(st, 0), c, err);
		if (rc == 0)
			rc = db_violations(db, sqlite3_column_int64(st, 0), c, err);
	}
	sqlite3_finalize(st);
	return rc;
}

int db_sq_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
		   struct certify_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* One read transaction: a writer in another process cannot tear the picture. */
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return certify_errf(err, "%s: %s", db->path, sqlite3_errmsg(db->h));
	rc = db_run_row(db, id, out, err);
	if (rc == 0)
		rc = db_run_devices(db, out, err);
	if (rc == 0)
		rc = db_configs(db, out, err);
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	if (rc < 0)
		certify_db_run_free(out);
	return rc;
}

void certify_db_config_free(struct certify_db_config *c)
{
	for (size_t i = 0; i < c->nresult; i++)
		free(c->result[i].metric);
	free(c->result);
	free(c->check);
	free(c->viol);
	free(c->dev);
	free(c->json);
	free(c->cmdline);
	free(c->reason);
	free(c->log);
	memset(c, 0, sizeof(*c));
}

void certify_db_run_free(struct certify_db_run *r)
{
	for (size_t i = 0; i < r->ncfg; i++)
		certify_db_config_free(&r->cfg[i]);
	free(r->cfg);
	free(r->dev);
	free(r->drv);
	free(r->config);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

int db_sq_history(struct certify_db *db, const char *model, int certified_only,
		  int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		  struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db,
		"SELECT r.id, r.plan, r.started, COALESCE(r.finished, ''), r.status, "
		"COALESCE(r.verdict, ''), COALESCE(l.release, ''), "
		"(SELECT group_concat(d.model || ' ' || printf('%04x:%04x', d.vid, d.did), ', ') "
		" FROM run_devices x JOIN devices d ON d.id = x.device_id WHERE x.run_id = r.id), "
		"(SELECT group_concat(v.name || ' ' || v.version, ', ') "
		" FROM run_drivers y JOIN drivers v ON v.id = y.driver_id WHERE y.run_id = r.id), "
		"r.id IN (SELECT id FROM certified_runs), r.host, r.pid, r.official "
		"FROM runs r LEFT JOIN releases l ON l.id = r.release_id "
		"WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM run_devices x JOIN devices d ON "
		"  d.id = x.device_id WHERE x.run_id = r.id AND d.model = ?1) "
		"  OR (r.config LIKE '%\"model\":\"' || ?1 || '\"%')) "
		"AND (?2 = 0 OR r.id IN (SELECT id FROM certified_runs)) ORDER BY r.id DESC", &st, err) < 0)
		return -1;
	if (model)
		sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, certified_only);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct certify_db_summary s;

		memset(&s, 0, sizeof(s));
		s.id = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, s.plan, sizeof(s.plan));
		db_col_text(st, 2, s.started, sizeof(s.started));
		db_col_text(st, 3, s.finished, sizeof(s.finished));
		db_col_text(st, 4, s.status, sizeof(s.status));
		db_col_text(st, 5, s.verdict, sizeof(s.verdict));
		db_col_text(st, 6, s.release, sizeof(s.release));
		db_col_text(st, 7, s.devices, sizeof(s.devices));
		db_col_text(st, 8, s.drivers, sizeof(s.drivers));
		s.certified = sqlite3_column_int(st, 9);
		db_col_text(st, 10, s.host, sizeof(s.host));
		s.pid = (long)sqlite3_column_int64(st, 11);
		s.official = sqlite3_column_int(st, 12);
		rc = fn(ctx, &s);
	}
	sqlite3_finalize(st);
	return rc;
}
