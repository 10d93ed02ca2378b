/*
 * db: the certification store on a PostgreSQL server (libpq): connecting, migrating and
 * writing, with the rules of db/store.c: every write is one transaction, and a run becomes
 * 'complete' only in its last one. A client killed mid-transaction leaves nothing of it:
 * the server rolls back a transaction whose connection ends before COMMIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrations.h"
#include "store_int.h"

/* Migrations of one store are serialized by this advisory lock ("hvkit" in ASCII): two
 * runners opening a new store at once must not both create its tables. */
#define DB_PG_MIGRATE_LOCK	"448311610740"

int db_pg_is_url(const char *path)
{
	return !strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11);
}

/* The URI as messages show it: the password of user:password@ and of password= left out. */
static void db_pg_display(const char *url, char *out, size_t outlen)
{
	const char *auth = strstr(url, "://") + 3, *at = strchr(auth, '@'), *slash = strchr(auth, '/');
	const char *colon = strchr(auth, ':'), *pw;
	char *q;

	if (at && (!slash || at < slash) && colon && colon < at)
		snprintf(out, outlen, "%.*s%s", (int)(colon - url), url, at);
	else
		snprintf(out, outlen, "%s", url);
	pw = strstr(out, "password=");
	if (pw) {
		q = (char *)pw + 9;
		memmove(q + 3, q + strcspn(q, "&"), strlen(q + strcspn(q, "&")) + 1);
		memcpy(q, "***", 3);
	}
}

/* PostgreSQL's message on one line: newlines and tabs become blanks, no trailing blank. */
static void db_pg_oneline(const char *msg, char *out, size_t outlen)
{
	size_t n = 0;

	for (; msg && *msg && n + 1 < outlen; msg++) {
		char ch = *msg == '\n' || *msg == '\t' ? ' ' : *msg;

		if (ch == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = ch;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Fills err from a failed result (or the connection when r is NULL). Returns -1. */
static int db_pg_fail(struct certify_db *db, const PGresult *r, struct certify_err *err)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char msg[400], both[900];

	snprintf(both, sizeof(both), "%s%s%s%s", primary ? primary : PQerrorMessage(db->pg),
		 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	db_pg_oneline(both, msg, sizeof(msg));
	if (PQstatus(db->pg) == CONNECTION_BAD)
		return certify_errf(err, "%s: lost the connection to the server: %s", db->path, msg);
	if (state && !strcmp(state, "55P03"))
		return certify_errf(err, "%s: the store is busy: another client held a lock for %d "
				    "ms (%s); try again when it is done", db->path, db->busy_ms, msg);
	return certify_errf(err, "%s: %s", db->path, msg);
}

/* A copy of s with every byte that is not part of valid UTF-8 replaced by '?', or NULL when
 * s is valid (PostgreSQL's UTF8 text refuses such bytes; SQLite keeps them as they are). */
static char *db_pg_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *c = NULL;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t len = p[i] < 0x80 ? 1 : (p[i] & 0xe0) == 0xc0 && p[i] >= 0xc2 ? 2 :
			     (p[i] & 0xf0) == 0xe0 ? 3 : (p[i] & 0xf8) == 0xf0 && p[i] <= 0xf4 ? 4 : 0;
		size_t k = 1;

		while (len && k < len && i + k < n && (p[i + k] & 0xc0) == 0x80)
			k++;
		if (len && k == len) {
			i += len;
			continue;
		}
		if (!c && !(c = strdup(s)))
			return NULL;
		c[i++] = '?';
	}
	return c;
}

void db_pg_text(struct db_pg_params *p, const char *s)
{
	if (p->n == DB_PG_MAXPARAM)
		abort();	/* a statement of this file with too many parameters: a bug */
	p->own[p->n] = s ? db_pg_clean(s) : NULL;
	p->v[p->n] = p->own[p->n] ? p->own[p->n] : s;
	p->n++;
}

void db_pg_i64(struct db_pg_params *p, long long v)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", v);
	db_pg_text(p, p->num[p->n]);
}

void db_pg_dbl(struct db_pg_params *p, double v)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%.17g", v);
	db_pg_text(p, p->num[p->n]);
}

void db_pg_params_free(struct db_pg_params *p)
{
	for (int i = 0; p && i < p->n; i++)
		free(p->own[i]);
}

PGresult *db_pg_query(struct certify_db *db, const char *sql, struct db_pg_params *p,
		      struct certify_err *err)
{
	/* Without parameters PQexec, which takes several statements (a migration). */
	PGresult *r = p ? PQexecParams(db->pg, sql, p->n, NULL, p->v, NULL, NULL, 0) :
			  PQexec(db->pg, sql);
	ExecStatusType st = PQresultStatus(r);

	db_pg_params_free(p);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	db_pg_fail(db, r, err);
	PQclear(r);
	return NULL;
}

int db_pg_cmd(struct certify_db *db, const char *sql, struct db_pg_params *p,
	      struct certify_err *err)
{
	PGresult *r = db_pg_query(db, sql, p, err);

	PQclear(r);
	return r ? 0 : -1;
}

int db_pg_end(struct certify_db *db, int rc, struct certify_err *err)
{
	if (rc == 0)
		return db_pg_cmd(db, "COMMIT", NULL, err);
	PQclear(PQexec(db->pg, "ROLLBACK"));
	return -1;
}

long long db_pg_ll(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double db_pg_double(const PGresult *r, int row, int col)
{
	return strtod(PQgetvalue(r, row, col), NULL);
}

void db_pg_str(const PGresult *r, int row, int col, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", PQgetvalue(r, row, col));
}

char *db_pg_dup(const PGresult *r, int row, int col)
{
	return strdup(PQgetvalue(r, row, col));
}

/* The schema version, or -1 (no store here: no schema_version table). */
static int db_pg_version(struct certify_db *db)
{
	PGresult *r = db_pg_query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL, NULL);
	int v = r && PQntuples(r) == 1 ? (int)db_pg_ll(r, 0, 0) : -1;

	PQclear(r);
	return v;
}

/* Applies every migration newer than the store, each in its own transaction under the
 * migration lock, with its schema_version row. */
static int db_pg_migrate(struct certify_db *db, struct certify_err *err)
{
	for (const struct certify_db_migration *m = certify_db_pg_migrations; m->file; m++) {
		struct db_pg_params p = { 0 };
		int rc;

		if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
			return -1;
		rc = db_pg_cmd(db, "SELECT pg_advisory_xact_lock(" DB_PG_MIGRATE_LOCK ")", NULL, err);
		if (rc == 0)
			rc = db_pg_cmd(db, certify_db_pg_schema_sql, NULL, err);
		if (rc == 0 && db_pg_version(db) >= m->version) {
			db_pg_end(db, 0, NULL);
			continue;
		}
		if (rc == 0)
			rc = db_pg_cmd(db, m->sql, NULL, err);
		db_pg_i64(&p, m->version);
		if (rc == 0)
			rc = db_pg_cmd(db, "INSERT INTO schema_version VALUES ($1, now()::text)", &p, err);
		else
			db_pg_params_free(&p);
		if (db_pg_end(db, rc, err) < 0) {
			char why[sizeof(err->msg)];
			size_t n = strlen(db->path);
			const char *w;

			/* err names the store already: say it once. */
			snprintf(why, sizeof(why), "%s", err->msg);
			w = strncmp(why, db->path, n) || strncmp(why + n, ": ", 2) ? why : why + n + 2;

			return certify_errf(err, "%s: migration pg/%s: %s", db->path, m->file, w);
		}
	}
	return 0;
}

static void db_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* NOTICEs ("relation already exists, skipping") are no news */
}

static void db_pg_close(struct certify_db *db)
{
	PQfinish(db->pg);
	free(db);
}

/* Checks that a store is there at this build's schema (for a read-only open). */
static int db_pg_check_read(struct certify_db *db, struct certify_err *err)
{
	int have = db_pg_version(db), newest = 0;

	for (const struct certify_db_migration *m = certify_db_pg_migrations; m->file; m++)
		newest = m->version;
	if (have < 1)
		return certify_errf(err, "%s: not a certification store (%s)", db->path,
				    have < 0 ? "no schema_version table" : "no schema version");
	if (have < newest)
		return certify_errf(err, "%s: the store is at schema version %d, this build reads %d: "
				    "run any certify command on it to migrate it", db->path, have, newest);
	return 0;
}

int db_pg_setup(struct certify_db *db, struct certify_err *err)
{
	char set[64];

	db->listening = 0;
	snprintf(set, sizeof(set), "SET lock_timeout = %d", db->busy_ms);
	return db_pg_cmd(db, set, NULL, err);
}

int db_pg_open(const char *url, int migrate, struct certify_db **out, struct certify_err *err)
{
	struct certify_db *db = calloc(1, sizeof(*db));
	PQconninfoOption *opts;
	char *perr = NULL, msg[400];

	*out = NULL;
	if (!db)
		return certify_errf(err, "out of memory");
	db->be = &db_pg_backend;
	db->busy_ms = db_busy_ms();
	db_pg_display(url, db->path, sizeof(db->path));
	opts = PQconninfoParse(url, &perr);
	if (!opts) {
		db_pg_oneline(perr ? perr : "out of memory", msg, sizeof(msg));
		PQfreemem(perr);
		certify_errf(err, "%s: not a valid PostgreSQL connection URI: %s", db->path, msg);
		goto free_db;
	}
	PQconninfoFree(opts);
	db->pg = PQconnectdb(url);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		db_pg_oneline(PQerrorMessage(db->pg), msg, sizeof(msg));
		certify_errf(err, "%s: cannot connect: %s", db->path, msg);
		goto finish;
	}
	PQsetNoticeProcessor(db->pg, db_pg_quiet, NULL);
	if (db_pg_setup(db, err) < 0 ||
	    (migrate ? db_pg_migrate(db, err) : db_pg_check_read(db, err)) < 0)
		goto finish;
	*out = db;
	return 0;
finish:
	PQfinish(db->pg);
free_db:
	free(db);
	return -1;
}

/* Runs an INSERT ... RETURNING id; *id gets the row's id. */
static int db_pg_returning(struct certify_db *db, const char *sql, struct db_pg_params *p,
			   int64_t *id, struct certify_err *err)
{
	PGresult *r = db_pg_query(db, sql, p, err);

	if (!r)
		return -1;
	if (PQntuples(r) == 1)
		*id = db_pg_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

static int db_pg_driver_add(struct certify_db *db, int64_t run, const struct certify_db_driver *d,
			    struct certify_err *err)
{
	struct db_pg_params p = { 0 }, q = { 0 };
	int64_t id;

	db_pg_text(&p, d->name);
	db_pg_text(&p, d->version);
	db_pg_text(&p, d->vendor);
	db_pg_text(&p, d->sha256);
	if (db_pg_returning(db, "INSERT INTO drivers (name, version, vendor, sha256) VALUES ($1, $2, "
			    "$3, $4) ON CONFLICT (sha256) DO UPDATE SET name = excluded.name "
			    "RETURNING id", &p, &id, err) < 0)
		return -1;
	db_pg_i64(&q, run);
	db_pg_i64(&q, id);
	return db_pg_cmd(db, "INSERT INTO run_drivers VALUES ($1, $2) ON CONFLICT DO NOTHING", &q, err);
}

int db_pg_run_insert(struct certify_db *db, const char *plan, const char *config_json,
		     uint64_t seed, const struct certify_db_binding *b,
		     const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
		     struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	char now[32], host[64] = "";
	int rc;

	db_now(now, sizeof(now));
	gethostname(host, sizeof(host) - 1);
	db_pg_text(&p, plan);
	db_pg_text(&p, config_json);
	db_pg_i64(&p, (long long)seed);
	db_pg_text(&p, now);
	db_pg_text(&p, host);
	db_pg_i64(&p, (long long)getpid());
	db_pg_text(&p, b->plan_sha256);
	db_pg_text(&p, b->kernel_sha256);
	db_pg_text(&p, b->qemu_version);
	db_pg_i64(&p, !!b->official);
	db_pg_text(&p, b->official ? "" : b->unofficial_why);
	rc = db_pg_returning(db, "INSERT INTO runs (plan, config, seed, started, status, host, pid, "
			     "plan_sha256, kernel_sha256, qemu_version, official, unofficial_why) "
			     "VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11) "
			     "RETURNING id", &p, id, err);
	for (size_t i = 0; rc == 0 && i < ndrv; i++)
		rc = db_pg_driver_add(db, *id, &drv[i], err);
	return rc;
}

static int db_pg_run_begin(struct certify_db *db, const char *plan, const char *config_json,
			   uint64_t seed, const struct certify_db_binding *b,
			   const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
			   struct certify_err *err)
{
	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	return db_pg_end(db, db_pg_run_insert(db, plan, config_json, seed, b, drv, ndrv, id, err), err);
}

static int db_pg_device_add(struct certify_db *db, int64_t run, const struct certify_db_device *d,
			    struct certify_err *err)
{
	struct db_pg_params p = { 0 }, q = { 0 };
	int64_t id;

	db_pg_i64(&p, d->vid);
	db_pg_i64(&p, d->did);
	db_pg_i64(&p, d->svid);
	db_pg_i64(&p, d->ssid);
	db_pg_i64(&p, d->class);
	db_pg_text(&p, d->kind);
	db_pg_text(&p, d->model);
	db_pg_text(&p, d->vendor);
	if (db_pg_returning(db, "INSERT INTO devices (vid, did, svid, ssid, class, kind, model, vendor) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (vid, did, svid, ssid, "
			    "model) DO UPDATE SET vendor = excluded.vendor RETURNING id", &p, &id, err) < 0)
		return -1;
	db_pg_i64(&q, run);
	db_pg_i64(&q, id);
	db_pg_text(&q, d->firmware[0] ? d->firmware : NULL);
	db_pg_text(&q, d->module_sha256[0] ? d->module_sha256 : NULL);
	return db_pg_cmd(db, "INSERT INTO run_devices AS x (run_id, device_id, firmware, module_sha256) "
			 "VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, device_id) DO UPDATE SET "
			 "firmware = coalesce(excluded.firmware, x.firmware), "
			 "module_sha256 = coalesce(excluded.module_sha256, x.module_sha256)", &q, err);
}

static int db_pg_release_set(struct certify_db *db, int64_t run, const char *release,
			     struct certify_err *err)
{
	struct db_pg_params p = { 0 }, q = { 0 };
	int64_t id;

	db_pg_text(&p, release);
	if (db_pg_returning(db, "INSERT INTO releases (release) VALUES ($1) ON CONFLICT (release) "
			    "DO UPDATE SET release = excluded.release RETURNING id", &p, &id, err) < 0)
		return -1;
	db_pg_i64(&q, id);
	db_pg_i64(&q, run);
	return db_pg_cmd(db, "UPDATE runs SET release_id = $1 WHERE id = $2", &q, err);
}

static int db_pg_result_add(struct certify_db *db, int64_t run, int64_t cfg,
			    const struct certify_db_result *r, struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	int64_t id;

	db_pg_i64(&p, run);
	db_pg_i64(&p, cfg);
	db_pg_text(&p, r->suite);
	db_pg_text(&p, r->name);
	db_pg_text(&p, r->status);
	db_pg_i64(&p, (long long)r->us);
	db_pg_text(&p, r->message);
	if (db_pg_returning(db, "INSERT INTO results (run_id, config_id, suite, name, status, us, "
			    "message) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", &p, &id, err) < 0)
		return -1;
	for (size_t i = 0; i < r->nmetric; i++) {
		struct db_pg_params m = { 0 };

		db_pg_i64(&m, id);
		db_pg_text(&m, r->metric[i].name);
		db_pg_dbl(&m, r->metric[i].value);
		db_pg_text(&m, r->metric[i].unit);
		if (db_pg_cmd(db, "INSERT INTO metrics (result_id, name, value, unit) VALUES ($1, $2, "
			      "$3, $4)", &m, err) < 0)
			return -1;
	}
	return 0;
}

static int db_pg_hostcheck_add(struct certify_db *db, int64_t cfg, const struct certify_hostcheck *c,
			       struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	db_pg_i64(&p, cfg);
	db_pg_text(&p, c->name);
	db_pg_i64(&p, !!c->ran);
	db_pg_i64(&p, c->ran && c->ok);
	db_pg_text(&p, c->msg);
	return db_pg_cmd(db, "INSERT INTO hostchecks (config_id, name, ran, ok, message) VALUES ($1, "
			 "$2, $3, $4, $5)", &p, err);
}

static int db_pg_violation_add(struct certify_db *db, int64_t cfg, const struct certify_violation *v,
			       struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	db_pg_i64(&p, cfg);
	db_pg_text(&p, v->kind);
	db_pg_text(&p, v->module);
	db_pg_i64(&p, (int64_t)v->site);
	db_pg_i64(&p, (int64_t)v->off);
	db_pg_i64(&p, (int64_t)v->addr);
	db_pg_i64(&p, (int64_t)v->size);
	db_pg_text(&p, v->dev);
	db_pg_text(&p, v->test);
	db_pg_text(&p, v->msg);
	db_pg_text(&p, v->where);
	return db_pg_cmd(db, "INSERT INTO violations (config_id, kind, module, site, off, addr, size, "
			 "dev, test, message, location) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
			 "$10, $11)", &p, err);
}

static int db_pg_config_row(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			    int64_t *id, struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	db_pg_i64(&p, run);
	db_pg_i64(&p, c->idx);
	db_pg_text(&p, c->name);
	db_pg_text(&p, c->json ? c->json : "{}");
	db_pg_text(&p, c->cmdline ? c->cmdline : "");
	db_pg_text(&p, c->outcome);
	db_pg_text(&p, c->verdict);
	db_pg_text(&p, c->reason ? c->reason : "");
	db_pg_dbl(&p, c->duration);
	db_pg_text(&p, c->log ? c->log : "");
	return db_pg_returning(db, "INSERT INTO configs (run_id, idx, name, config, cmdline, outcome, "
			       "verdict, reason, duration, log) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
			       "$9, $10) RETURNING id", &p, id, err);
}

/* The writes of one configuration, inside the caller's transaction (the queue adds its own
 * bookkeeping to the same transaction, store_queue.c). */
int db_pg_config_write(struct certify_db *db, int64_t run, const struct certify_db_config *c,
		       struct certify_err *err)
{
	int64_t id = 0;
	int rc = db_pg_config_row(db, run, c, &id, err);

	for (size_t i = 0; rc == 0 && i < c->ndev; i++)
		rc = db_pg_device_add(db, run, &c->dev[i], err);
	if (rc == 0 && c->release[0])
		rc = db_pg_release_set(db, run, c->release, err);
	for (size_t i = 0; rc == 0 && i < c->nresult; i++)
		rc = db_pg_result_add(db, run, id, &c->result[i], err);
	for (size_t i = 0; rc == 0 && i < c->ncheck; i++)
		rc = db_pg_hostcheck_add(db, id, &c->check[i], err);
	for (size_t i = 0; rc == 0 && i < c->nviol; i++)
		rc = db_pg_violation_add(db, id, &c->viol[i], err);
	return rc;
}

static int db_pg_config_add(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			    struct certify_err *err)
{
	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	return db_pg_end(db, db_pg_config_write(db, run, c, err), err);
}

static int db_pg_run_finish(struct certify_db *db, int64_t run, const char *verdict,
			    const char *log, struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *r;
	char now[32];
	int rc = 0;

	db_now(now, sizeof(now));
	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	db_pg_text(&p, verdict);
	db_pg_text(&p, now);
	db_pg_text(&p, log ? log : "");
	db_pg_i64(&p, run);
	r = db_pg_query(db, "UPDATE runs SET status = 'complete', verdict = $1, finished = $2, log = $3 "
			"WHERE id = $4 AND status = 'running'", &p, err);
	if (!r)
		rc = -1;
	else if (strcmp(PQcmdTuples(r), "1"))
		rc = certify_errf(err, "%s: run %lld is not a running run", db->path, (long long)run);
	PQclear(r);
	return db_pg_end(db, rc, err);
}

const struct db_backend db_pg_backend = {
	.name = "postgresql", .close = db_pg_close, .version = db_pg_version,
	.run_begin = db_pg_run_begin, .config_add = db_pg_config_add,
	.run_finish = db_pg_run_finish, .run_load = db_pg_run_load, .history = db_pg_history,
	.certified = db_pg_certified, .unofficial = db_pg_unofficial,
	.run_configs = db_pg_run_configs, .run_results = db_pg_run_results,
	.import = db_pg_import,
	.submission = db_pg_submission,
};
