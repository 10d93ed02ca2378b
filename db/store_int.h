/* db: what the store's files share: the handle, the back-end table, the helpers of each back
 * end (db_sq_*: SQLite, store.c, store_read.c, store_export.c; db_pg_*: PostgreSQL,
 * store_pg.c, store_pg_read.c). store_api.c picks the back end and dispatches. */
#ifndef CERTIFY_DB_STORE_INT_H
#define CERTIFY_DB_STORE_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store.h"

/* One back end: the store's operations as store.h describes them. */
struct db_backend {
	const char *name;		/* sqlite | postgresql */
	void (*close)(struct certify_db *db);
	int (*version)(struct certify_db *db);
	int (*run_begin)(struct certify_db *db, const char *plan, const char *config_json,
			 uint64_t seed, const struct certify_db_binding *bind,
			 const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
			 struct certify_err *err);
	int (*config_add)(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			  struct certify_err *err);
	int (*run_finish)(struct certify_db *db, int64_t run, const char *verdict,
			  const char *log, struct certify_err *err);
	int (*run_load)(struct certify_db *db, int64_t id, struct certify_db_run *out,
			struct certify_err *err);
	int (*history)(struct certify_db *db, const char *model, int certified_only,
		       int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		       struct certify_err *err);
	int (*certified)(struct certify_db *db,
			 int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
			 struct certify_err *err);
	int (*unofficial)(struct certify_db *db,
			  int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
			  void *ctx, struct certify_err *err);
	int (*run_configs)(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const char *name, const char *verdict,
				     const char *reason),
			   void *ctx, struct certify_err *err);
	int (*run_results)(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const struct certify_db_test_result *r),
			   void *ctx, struct certify_err *err);
	int (*import)(struct certify_db *db, const struct certify_db_run *run,
		      const struct certify_db_submission *sub, int64_t *id, struct certify_err *err);
	int (*submission)(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
			  struct certify_err *err);
};

extern const struct db_backend db_sqlite_backend, db_pg_backend;

struct certify_db {
	const struct db_backend *be;
	char path[1024];		/* as messages name it: a URI without its password */
	int busy_ms;			/* the busy timeout (SQLite) / lock_timeout (PostgreSQL) */
	sqlite3 *h;			/* SQLite */
	PGconn *pg;			/* PostgreSQL */
	int listening;			/* LISTEN hvkit_queue sent on this connection */
	int poll_ms;			/* SQLite queue: the idle worker's next poll backoff */
};

/* The back end's certified rows and a run's configurations as stored, without waivers
 * (store_waived.c adds their effect for certify_db_certified and certify_db_run_configs). */
int db_be_certified(struct certify_db *db,
		    int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
		    struct certify_err *err);
int db_be_run_configs(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const char *name, const char *verdict, const char *reason),
		      void *ctx, struct certify_err *err);

/* The busy wait in force: $HVKIT_DB_BUSY_MS, else CERTIFY_DB_BUSY_MS. */
int db_busy_ms(void);

/* Grows *v (of *n elements of size sz) by one zeroed element; returns it or NULL. */
void *db_grow(void *vp, size_t *n, size_t sz);

/* The current time as the store keeps it (UTC, ISO 8601). */
void db_now(char *out, size_t len);

/* --- SQLite --- */
int db_sq_open(const char *path, struct certify_db **db, struct certify_err *err);
int db_sq_open_read(const char *path, struct certify_db **db, struct certify_err *err);
int db_sq_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
		   struct certify_err *err);
int db_sq_history(struct certify_db *db, const char *model, int certified_only,
		  int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		  struct certify_err *err);
int db_sq_certified(struct certify_db *db,
		    int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
		    struct certify_err *err);
int db_sq_unofficial(struct certify_db *db,
		     int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
		     void *ctx, struct certify_err *err);
int db_sq_run_results(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const struct certify_db_test_result *r), void *ctx,
		      struct certify_err *err);
int db_sq_run_configs(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const char *name, const char *verdict, const char *reason),
		      void *ctx, struct certify_err *err);

/* Runs sql (no rows); ends a transaction: COMMIT when rc is 0, else ROLLBACK. 0 or -1. */
int db_exec(struct certify_db *db, const char *sql, struct certify_err *err);
int db_end(struct certify_db *db, int rc, struct certify_err *err);

/* A run row and its drivers, one configuration's writes: inside the caller's transaction. */
int db_sq_run_insert(struct certify_db *db, const char *plan, const char *config_json,
		     uint64_t seed, const struct certify_db_binding *b,
		     const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
		     struct certify_err *err);
int db_sq_config_write(struct certify_db *db, int64_t run, const struct certify_db_config *c,
		       struct certify_err *err);

/* The queue on SQLite, one host (store_queue_sq.c): store.h's certify_db_* queue calls. */
int db_sq_submit(struct certify_db *db, const char *plan, const char *config_json, uint64_t seed,
		 const struct certify_db_binding *bind, const struct certify_db_driver *drv,
		 size_t ndrv, const char *const *names, size_t n, int64_t *id,
		 struct certify_err *err);
int db_sq_worker_add(struct certify_db *db, int slot, int slots, int64_t *id,
		     struct certify_err *err);
int db_sq_worker_stop(struct certify_db *db, int64_t worker, struct certify_err *err);
int db_sq_claim(struct certify_db *db, int64_t worker, int lease_s, struct certify_db_job *job,
		struct certify_err *err);
int db_sq_heartbeat(struct certify_db *db, int64_t worker, int lease_s, struct certify_err *err);
int db_sq_job_store(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
		    const struct certify_db_config *c, certify_db_verdict_fn fn, int *finished,
		    struct certify_err *err);
int db_sq_job_release(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
		      struct certify_err *err);
long db_sq_pending(struct certify_db *db, struct certify_err *err);
int db_sq_wait(struct certify_db *db, int ms);
long db_sq_cancel(struct certify_db *db, int64_t run, struct certify_err *err);
int db_sq_queue_status(struct certify_db *db, long counts[4],
		       int (*wfn)(void *ctx, const struct certify_db_qworker *w),
		       int (*rfn)(void *ctx, const struct certify_db_qrun *r), void *ctx,
		       struct certify_err *err);

/* Fills err from the handle's last error, naming the store; a store another process keeps
 * locked (SQLITE_BUSY, SQLITE_LOCKED) is said to be busy. Returns -1. */
int db_error(struct certify_db *db, struct certify_err *err);

/* Prepares sql; on failure fills err with the store path and SQLite's message. */
int db_prepare(struct certify_db *db, const char *sql, sqlite3_stmt **st, struct certify_err *err);

/* Copies column i as text into out (empty when NULL). */
void db_col_text(sqlite3_stmt *st, int i, char *out, size_t outlen);

/* Column i as a malloc'ed string ("" when NULL), or NULL when out of memory. */
char *db_col_dup(sqlite3_stmt *st, int i);

int db_sq_import(struct certify_db *db, const struct certify_db_run *run,
		 const struct certify_db_submission *sub, int64_t *id, struct certify_err *err);
int db_sq_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
		     struct certify_err *err);

/* --- PostgreSQL --- */

/* 1 when path names a PostgreSQL server (postgresql:// or postgres://), else 0. */
int db_pg_is_url(const char *path);
int db_pg_open(const char *url, int migrate, struct certify_db **db, struct certify_err *err);

/* A statement's parameters, as text (PostgreSQL converts them); NULL is SQL NULL. Text that
 * is not valid UTF-8 (a guest's garbage in a log) is sent with each bad byte as '?'. */
#define DB_PG_MAXPARAM	16
struct db_pg_params {
	int n;
	const char *v[DB_PG_MAXPARAM];
	char *own[DB_PG_MAXPARAM];	/* cleaned copies to free */
	char num[DB_PG_MAXPARAM][32];
};
void db_pg_text(struct db_pg_params *p, const char *s);
void db_pg_i64(struct db_pg_params *p, long long v);
void db_pg_dbl(struct db_pg_params *p, double v);
void db_pg_params_free(struct db_pg_params *p);

/* Runs sql with p (may be NULL); frees p. Returns the result (PQclear it) or NULL with err
 * naming the store and PostgreSQL's message (a lock waited for past the busy wait: busy;
 * a lost connection: said so). */
PGresult *db_pg_query(struct certify_db *db, const char *sql, struct db_pg_params *p,
		      struct certify_err *err);
/* The same for a statement whose rows do not matter. Returns 0 or -1. */
int db_pg_cmd(struct certify_db *db, const char *sql, struct db_pg_params *p,
	      struct certify_err *err);
/* Ends a transaction: COMMIT when rc is 0, else ROLLBACK (keeping the first error). */
int db_pg_end(struct certify_db *db, int rc, struct certify_err *err);

/* Field (row, col) as a number, or copied into out ("" when NULL). */
long long db_pg_ll(const PGresult *r, int row, int col);
double db_pg_double(const PGresult *r, int row, int col);
void db_pg_str(const PGresult *r, int row, int col, char *out, size_t outlen);
char *db_pg_dup(const PGresult *r, int row, int col);

/* The session settings of a new or reset connection (lock_timeout). Returns 0 or -1. */
int db_pg_setup(struct certify_db *db, struct certify_err *err);

/* Inserts a run row and its drivers inside the caller's transaction. Returns 0 or -1. */
int db_pg_run_insert(struct certify_db *db, const char *plan, const char *config_json,
		     uint64_t seed, const struct certify_db_binding *b,
		     const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
		     struct certify_err *err);

/* The writes of one configuration inside the caller's transaction. Returns 0 or -1. */
int db_pg_config_write(struct certify_db *db, int64_t run, const struct certify_db_config *c,
		       struct certify_err *err);

int db_pg_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
		   struct certify_err *err);
int db_pg_history(struct certify_db *db, const char *model, int certified_only,
		  int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		  struct certify_err *err);
int db_pg_certified(struct certify_db *db,
		    int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
		    struct certify_err *err);
int db_pg_unofficial(struct certify_db *db,
		     int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
		     void *ctx, struct certify_err *err);
int db_pg_import(struct certify_db *db, const struct certify_db_run *run,
		 const struct certify_db_submission *sub, int64_t *id, struct certify_err *err);
int db_pg_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
		     struct certify_err *err);
int db_pg_run_results(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const struct certify_db_test_result *r), void *ctx,
		      struct certify_err *err);
int db_pg_run_configs(struct certify_db *db, int64_t run,
		      int (*fn)(void *ctx, const char *name, const char *verdict, const char *reason),
		      void *ctx, struct certify_err *err);

#endif
