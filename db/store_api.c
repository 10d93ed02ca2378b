/* db: the store's interface (store.h): picks the back end by the store's name and hands each
 * call to it (SQLite: store.c; PostgreSQL: store_pg.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrations.h"
#include "store_int.h"

int db_busy_ms(void)
{
	const char *env = getenv("HVKIT_DB_BUSY_MS");
	char *end;
	long ms = env && *env ? strtol(env, &end, 10) : -1;

	return ms >= 0 && ms <= 3600000 && !*end ? (int)ms : CERTIFY_DB_BUSY_MS;
}

int certify_db_path(const char *path, char *out, size_t outlen, struct certify_err *err)
{
	const char *env = getenv("HVKIT_DB"), *home = getenv("HOME");

	if (path && *path)
		snprintf(out, outlen, "%s", path);
	else if (env && *env)
		snprintf(out, outlen, "%s", env);
	else if (home && *home)
		snprintf(out, outlen, "%s/.local/share/hvkit/cert.db", home);
	else
		return certify_errf(err, "no store path: give --db, set HVKIT_DB or HOME");
	return 0;
}

int certify_db_is_server(const char *path)
{
	return db_pg_is_url(path);
}

/* The newest version this build knows (both back ends have the same numbers). */
static int db_newest(void)
{
	int newest = 0;

	for (const struct certify_db_migration *m = certify_db_migrations; m->file; m++)
		newest = m->version;
	return newest;
}

/* A store migrated by a newer build has tables this one does not know: refused, untouched. */
static int db_check_newer(struct certify_db *db, struct certify_err *err)
{
	int have = db->be->version(db);

	if (have <= db_newest())
		return 0;
	certify_errf(err, "%s: the store is at schema version %d, newer than this build's %d: "
		     "use a newer hvkit", db->path, have, db_newest());
	certify_db_close(db);
	return -1;
}

int certify_db_open(const char *path, struct certify_db **db, struct certify_err *err)
{
	int rc = db_pg_is_url(path) ? db_pg_open(path, 1, db, err) : db_sq_open(path, db, err);

	return rc < 0 ? -1 : db_check_newer(*db, err);
}

int certify_db_open_read(const char *path, struct certify_db **db, struct certify_err *err)
{
	int rc = db_pg_is_url(path) ? db_pg_open(path, 0, db, err) : db_sq_open_read(path, db, err);

	return rc < 0 ? -1 : db_check_newer(*db, err);
}

void certify_db_close(struct certify_db *db)
{
	if (db)
		db->be->close(db);
}

const char *certify_db_name(const struct certify_db *db)
{
	return db->path;
}

const char *certify_db_backend(const struct certify_db *db)
{
	return db->be->name;
}

int certify_db_version(struct certify_db *db)
{
	return db->be->version(db);
}

int certify_db_run_begin(struct certify_db *db, const char *plan, const char *config_json,
			 uint64_t seed, const struct certify_db_binding *bind,
			 const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
			 struct certify_err *err)
{
	return db->be->run_begin(db, plan, config_json, seed, bind, drv, ndrv, id, err);
}

int certify_db_config_add(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			  struct certify_err *err)
{
	return db->be->config_add(db, run, c, err);
}

int certify_db_run_finish(struct certify_db *db, int64_t run, const char *verdict,
			  const char *log, struct certify_err *err)
{
	return db->be->run_finish(db, run, verdict, log, err);
}

int certify_db_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
			struct certify_err *err)
{
	return db->be->run_load(db, id, out, err);
}

int certify_db_history(struct certify_db *db, const char *model, int certified_only,
		       int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		       struct certify_err *err)
{
	return db->be->history(db, model, certified_only, fn, ctx, err);
}

int db_be_certified(struct certify_db *db,
		    int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
		    struct certify_err *err)
{
	return db->be->certified(db, fn, ctx, err);
}

int certify_db_unofficial(struct certify_db *db,
			  int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
			  void *ctx, struct certify_err *err)
{
	return db->be->unofficial(db, fn, ctx, err);
}

int db_be_run_configs(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const char *name, const char *verdict, const char *reason),
		      void *ctx, struct certify_err *err)
{
	return db->be->run_configs(db, run, fn, ctx, err);
}

int certify_db_import(struct certify_db *db, const struct certify_db_run *run,
		      const struct certify_db_submission *sub, int64_t *id, struct certify_err *err)
{
	return db->be->import(db, run, sub, id, err);
}

int certify_db_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
			  struct certify_err *err)
{
	return db->be->submission(db, run, sub, err);
}

int certify_db_run_results(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const struct certify_db_test_result *r),
			   void *ctx, struct certify_err *err)
{
	return db->be->run_results(db, run, fn, ctx, err);
}
