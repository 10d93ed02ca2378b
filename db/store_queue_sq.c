/*
 * db: the job queue on SQLite, for workers on one host (store.h, "The job queue"; docs/db.md,
 * "The queue"). SQLite has one writer at a time: every claim, store and cancel is a
 * BEGIN IMMEDIATE transaction, which takes the write lock first, so two claims never see the
 * same queued row and the store that marks a run's last row done is the one that finishes
 * it. Leases and heartbeats as on PostgreSQL (UTC ISO 8601 text, which orders as time); no
 * NOTIFY: an idle worker polls with a backoff from 50 ms to 1 s.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

#define DB_SQ_POLL_MIN_MS	50
#define DB_SQ_POLL_MAX_MS	1000
#define DB_SQ_LOCK_S		60

/* The time s seconds from now as the store keeps it (UTC, ISO 8601). */
static void db_sq_at(char *out, size_t len, long s)
{
	time_t t = time(NULL) + s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Prepares sql and binds the arguments fmt names ('i' int64_t, 't' text). 0 or -1. */
static int db_sq_stmt(struct certify_db *db, sqlite3_stmt **st, struct certify_err *err,
		      const char *sql, const char *fmt, va_list ap)
{
	if (db_prepare(db, sql, st, err) < 0)
		return -1;
	for (int i = 0; fmt[i]; i++) {
		if (fmt[i] == 'i')
			sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(*st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	return 0;
}

/* Runs a statement without rows: the rows it changed, or -1. */
static long db_sq_do(struct certify_db *db, struct certify_err *err, const char *sql,
		     const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_sq_stmt(db, &st, err, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(db, err);
	return sqlite3_changes(db->h);
}

/* Runs a query whose first row's first column is a number: it, or -1. */
static long long db_sq_num(struct certify_db *db, struct certify_err *err, const char *sql,
			   const char *fmt, ...)
{
	sqlite3_stmt *st;
	long long n;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_sq_stmt(db, &st, err, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = sqlite3_step(st);
	n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err);
	return n;
}

/* Takes the write lock. SQLite's busy handler is not fair: with many workers one can wait
 * past the busy wait while others keep winning the lock, so a queue transaction asks again
 * until DB_SQ_LOCK_S have passed; a store held longer than that is busy. */
static int db_sq_begin(struct certify_db *db, struct certify_err *err)
{
	time_t end = time(NULL) + DB_SQ_LOCK_S;

	for (;;) {
		if (db_exec(db, "BEGIN IMMEDIATE", err) == 0)
			return 0;
		if (sqlite3_errcode(db->h) != SQLITE_BUSY || time(NULL) >= end)
			return db_error(db, err);
	}
}

int db_sq_submit(struct certify_db *db, const char *plan, const char *config_json, uint64_t seed,
		 const struct certify_db_binding *bind, const struct certify_db_driver *drv,
		 size_t ndrv, const char *const *names, size_t n, int64_t *id,
		 struct certify_err *err)
{
	int rc;

	if (db_sq_begin(db, err) < 0)
		return -1;
	rc = db_sq_run_insert(db, plan, config_json, seed, bind, drv, ndrv, id, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = db_sq_do(db, err, "INSERT INTO queue (run_id, idx, name) VALUES (?, ?, ?)", "iit",
			      *id, (int64_t)i, names[i]) < 0 ? -1 : 0;
	return db_end(db, rc, err);
}

int db_sq_worker_add(struct certify_db *db, int slot, int slots, int64_t *id,
		     struct certify_err *err)
{
	char host[64] = "", now[32];
	long long n;

	gethostname(host, sizeof(host) - 1);
	db_sq_at(now, sizeof(now), 0);
	if (db_sq_begin(db, err) < 0)
		return -1;
	n = db_sq_num(db, err, "INSERT INTO workers (host, pid, slot, slots, started, heartbeat) "
		      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "tiiitt", host, (int64_t)getpid(),
		      (int64_t)slot, (int64_t)slots, now, now);
	if (db_end(db, n < 0 ? -1 : 0, err) < 0)
		return -1;
	*id = n;
	return 0;
}

int db_sq_worker_stop(struct certify_db *db, int64_t worker, struct certify_err *err)
{
	char now[32];

	db_sq_at(now, sizeof(now), 0);
	if (db_sq_begin(db, err) < 0)
		return -1;
	return db_end(db, db_sq_do(db, err, "UPDATE workers SET state = 'stopped', heartbeat = ? "
				   "WHERE id = ?", "ti", now, worker) < 0 ? -1 : 0, err);
}

int db_sq_claim(struct certify_db *db, int64_t worker, int lease_s, struct certify_db_job *job,
		struct certify_err *err)
{
	char now[32], until[32];
	sqlite3_stmt *st;
	int rc;

	if (db_sq_begin(db, err) < 0)
		return -1;
	db_sq_at(now, sizeof(now), 0);
	db_sq_at(until, sizeof(until), lease_s);
	if (db_prepare(db, "SELECT id, run_id, idx, name, attempts FROM queue WHERE state IN "
		       "('queued', 'claimed') AND (state = 'queued' OR lease_until < ?) ORDER BY id "
		       "LIMIT 1", &st, err) < 0)
		return db_end(db, -1, err);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_end(db, db_error(db, err), err);
		return db_end(db, 0, err) < 0 ? -1 : 0;
	}
	memset(job, 0, sizeof(*job));
	job->id = sqlite3_column_int64(st, 0);
	job->run = sqlite3_column_int64(st, 1);
	job->idx = sqlite3_column_int(st, 2);
	db_col_text(st, 3, job->name, sizeof(job->name));
	job->attempts = sqlite3_column_int(st, 4) + 1;
	sqlite3_finalize(st);
	rc = db_sq_do(db, err, "UPDATE queue SET state = 'claimed', worker_id = ?, lease_until = ?, "
		      "attempts = attempts + 1 WHERE id = ?", "iti", worker, until, job->id) < 0 ||
	     db_sq_do(db, err, "UPDATE workers SET state = 'busy', heartbeat = ? WHERE id = ?", "ti",
		      now, worker) < 0 ? -1 : 0;
	if (db_end(db, rc, err) < 0)
		return -1;
	db->poll_ms = 0;
	return 1;
}

int db_sq_heartbeat(struct certify_db *db, int64_t worker, int lease_s, struct certify_err *err)
{
	char now[32], until[32];
	int rc;

	db_sq_at(now, sizeof(now), 0);
	db_sq_at(until, sizeof(until), lease_s);
	if (db_sq_begin(db, err) < 0)
		return -1;
	rc = db_sq_do(db, err, "UPDATE workers SET heartbeat = ? WHERE id = ?", "ti", now, worker) < 0 ||
	     db_sq_do(db, err, "UPDATE queue SET lease_until = ? WHERE worker_id = ? AND "
		      "state = 'claimed'", "ti", until, worker) < 0 ? -1 : 0;
	return db_end(db, rc, err);
}

/* The run's verdict and summary log from its stored configurations, inside the caller's
 * transaction (store_queue.c's db_q_finish, the same log). */
static int db_sq_finish(struct certify_db *db, int64_t run, certify_db_verdict_fn fn,
			struct certify_err *err)
{
	sqlite3_stmt *st;
	const char **v = NULL;
	char **own = NULL;
	const char *verdict;
	char *log = NULL, now[32];
	size_t cap = 256, len = 0, n = 0;
	long long cancelled, seed;
	int rc = 0;

	cancelled = db_sq_num(db, err, "SELECT count(*) FROM queue WHERE run_id = ? AND "
			      "state = 'cancelled'", "i", run);
	seed = db_sq_num(db, err, "SELECT seed FROM runs WHERE id = ?", "i", run);
	if (cancelled < 0 || seed < 0 ||
	    db_prepare(db, "SELECT verdict, name, reason FROM configs WHERE run_id = ? ORDER BY idx",
		       &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	log = malloc(cap);
	while (log && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char line[800], **o = realloc(own, (n + 1) * sizeof(*own));
		int k;

		if (!o)
			break;
		own = o;
		own[n] = db_col_dup(st, 0);
		k = snprintf(line, sizeof(line), "%-5s %s: %.600s\n", own[n] ? own[n] : "",
			     (const char *)sqlite3_column_text(st, 1),
			     (const char *)sqlite3_column_text(st, 2));
		n++;
		if (len + (size_t)k + 256 > cap) {
			char *g = realloc(log, cap * 2 + (size_t)k);

			if (!g)
				break;
			log = g;
			cap = cap * 2 + (size_t)k;
		}
		memcpy(log + len, line, (size_t)k + 1);
		len += (size_t)k;
	}
	sqlite3_finalize(st);
	v = calloc(n + 1, sizeof(*v));
	if (!log || !v || rc != SQLITE_DONE) {
		rc = rc != SQLITE_DONE && log && v ? db_error(db, err) : certify_errf(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = own[i] ? own[i] : "";
	verdict = cancelled || n == 0 || !fn ? "error" : fn(v, n);
	if (cancelled)
		len += (size_t)snprintf(log + len, cap - len, "cancelled: %lld configurations not run "
					"(certify cancel)\n", cancelled);
	snprintf(log + len, cap - len, "verdict %s (seed %llu)\n", verdict, (unsigned long long)seed);
	db_now(now, sizeof(now));
	rc = db_sq_do(db, err, "UPDATE runs SET status = 'complete', verdict = ?, finished = ?, "
		      "log = ? WHERE id = ? AND status = 'running'", "ttti", verdict, now, log, run) < 0 ?
	     -1 : 0;
out:
	for (size_t i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(v);
	free(log);
	return rc;
}

static long long db_sq_left(struct certify_db *db, int64_t run, struct certify_err *err)
{
	return db_sq_num(db, err, "SELECT EXISTS (SELECT 1 FROM queue WHERE run_id = ? AND state IN "
			 "('queued', 'claimed'))", "i", run);
}

int db_sq_job_store(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
		    const struct certify_db_config *c, certify_db_verdict_fn fn, int *finished,
		    struct certify_err *err)
{
	sqlite3_stmt *st;
	long long left;
	int rc, mine;

	*finished = 0;
	/* The write lock first: stores, claims and cancels of every run go one at a time. */
	if (db_sq_begin(db, err) < 0)
		return -1;
	if (db_prepare(db, "SELECT state, worker_id FROM queue WHERE id = ?", &st, err) < 0)
		return db_end(db, -1, err);
	sqlite3_bind_int64(st, 1, job->id);
	rc = sqlite3_step(st);
	mine = rc == SQLITE_ROW && sqlite3_column_int64(st, 1) == worker &&
	       !strcmp((const char *)sqlite3_column_text(st, 0), "claimed");
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_end(db, db_error(db, err), err);
	if (!mine) {		/* the lease passed to another worker */
		db_end(db, -1, NULL);
		return 0;
	}
	rc = db_sq_config_write(db, job->run, c, err);
	if (rc == 0 && db_sq_do(db, err, "UPDATE queue SET state = 'done', lease_until = NULL "
				"WHERE id = ?", "i", job->id) < 0)
		rc = -1;
	left = rc == 0 ? db_sq_left(db, job->run, err) : -1;
	if (left < 0 || (left == 0 && db_sq_finish(db, job->run, fn, err) < 0))
		rc = -1;
	if (db_end(db, rc, err) < 0)
		return -1;
	*finished = left == 0;
	return 1;
}

int db_sq_job_release(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
		      struct certify_err *err)
{
	if (db_sq_begin(db, err) < 0)
		return -1;
	return db_end(db, db_sq_do(db, err, "UPDATE queue SET state = 'queued', worker_id = NULL, "
				   "lease_until = NULL WHERE id = ? AND worker_id = ? AND "
				   "state = 'claimed'", "ii", job->id, worker) < 0 ? -1 : 0, err);
}

long db_sq_pending(struct certify_db *db, struct certify_err *err)
{
	return (long)db_sq_num(db, err, "SELECT count(*) FROM queue WHERE state IN "
			       "('queued', 'claimed')", "");
}

/* No NOTIFY on SQLite: sleeps the backoff (50 ms, doubling to 1 s, back to 50 ms after a
 * claim), at most ms, and says "look again". */
int db_sq_wait(struct certify_db *db, int ms)
{
	int t;

	db->poll_ms = db->poll_ms ? db->poll_ms * 2 : DB_SQ_POLL_MIN_MS;
	if (db->poll_ms > DB_SQ_POLL_MAX_MS)
		db->poll_ms = DB_SQ_POLL_MAX_MS;
	t = db->poll_ms < ms ? db->poll_ms : ms;
	usleep((useconds_t)t * 1000);
	return 1;
}

long db_sq_cancel(struct certify_db *db, int64_t run, struct certify_err *err)
{
	sqlite3_stmt *st;
	long n = -1;
	long long left;
	int rc;

	if (db_sq_begin(db, err) < 0)
		return -1;
	if (db_prepare(db, "SELECT status FROM runs WHERE id = ?1 AND EXISTS (SELECT 1 FROM queue "
		       "WHERE run_id = ?1)", &st, err) < 0)
		return db_end(db, -1, err);
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		certify_errf(err, "run %lld: no such queued run in %s", (long long)run, db->path);
	else if (rc != SQLITE_ROW)
		db_error(db, err);
	else if (strcmp((const char *)sqlite3_column_text(st, 0), "running"))
		certify_errf(err, "run %lld: already complete", (long long)run);
	else
		n = 0;
	sqlite3_finalize(st);
	if (n == 0)
		n = db_sq_do(db, err, "UPDATE queue SET state = 'cancelled', lease_until = NULL WHERE "
			     "run_id = ? AND state = 'queued'", "i", run);
	if (n >= 0) {
		left = db_sq_left(db, run, err);
		/* Nothing claimed: no worker will store a last row, so the run ends here. */
		if (left < 0 || (left == 0 && db_sq_finish(db, run, NULL, err) < 0))
			n = -1;
	}
	if (db_end(db, n >= 0 ? 0 : -1, err) < 0)
		return -1;
	return n;
}

static int db_sq_workers(struct certify_db *db, int (*fn)(void *, const struct certify_db_qworker *),
			 void *ctx, struct certify_err *err)
{
	char ago[32];
	sqlite3_stmt *st;
	int rc = 0, s = SQLITE_DONE;

	db_sq_at(ago, sizeof(ago), -600);
	if (db_prepare(db, "SELECT w.id, w.host, w.pid, w.slot, w.slots, w.heartbeat, w.state, "
		       "(julianday('now') - julianday(w.heartbeat)) * 86400, COALESCE((SELECT 'run ' "
		       "|| q.run_id || ' ' || q.name FROM queue q WHERE q.worker_id = w.id AND "
		       "q.state = 'claimed' ORDER BY q.id LIMIT 1), '') FROM workers w WHERE "
		       "w.state != 'stopped' OR w.heartbeat > ? ORDER BY w.id", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, ago, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		struct certify_db_qworker w;

		memset(&w, 0, sizeof(w));
		w.id = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, w.host, sizeof(w.host));
		w.pid = (long)sqlite3_column_int64(st, 2);
		w.slot = sqlite3_column_int(st, 3);
		w.slots = sqlite3_column_int(st, 4);
		db_col_text(st, 5, w.heartbeat, sizeof(w.heartbeat));
		db_col_text(st, 6, w.state, sizeof(w.state));
		w.age = sqlite3_column_double(st, 7);
		db_col_text(st, 8, w.job, sizeof(w.job));
		rc = fn(ctx, &w);
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_error(db, err);
	sqlite3_finalize(st);
	return rc;
}

static int db_sq_runs(struct certify_db *db, int (*fn)(void *, const struct certify_db_qrun *),
		      void *ctx, struct certify_err *err)
{
	sqlite3_stmt *st;
	int rc = 0, s = SQLITE_DONE;

	if (db_prepare(db, "SELECT r.id, r.plan, r.status, COALESCE(r.verdict, ''), "
		       "sum(q.state = 'queued'), sum(q.state = 'claimed'), sum(q.state = 'done'), "
		       "sum(q.state = 'cancelled') FROM runs r JOIN queue q ON q.run_id = r.id "
		       "GROUP BY r.id ORDER BY r.status = 'complete', r.id DESC LIMIT 50", &st, err) < 0)
		return -1;
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		struct certify_db_qrun q;

		memset(&q, 0, sizeof(q));
		q.id = sqlite3_column_int64(st, 0);
		db_col_text(st, 1, q.plan, sizeof(q.plan));
		db_col_text(st, 2, q.status, sizeof(q.status));
		db_col_text(st, 3, q.verdict, sizeof(q.verdict));
		q.queued = sqlite3_column_int(st, 4);
		q.claimed = sqlite3_column_int(st, 5);
		q.done = sqlite3_column_int(st, 6);
		q.cancelled = sqlite3_column_int(st, 7);
		rc = fn(ctx, &q);
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_error(db, err);
	sqlite3_finalize(st);
	return rc;
}

int db_sq_queue_status(struct certify_db *db, long counts[4],
		       int (*wfn)(void *ctx, const struct certify_db_qworker *w),
		       int (*rfn)(void *ctx, const struct certify_db_qrun *r), void *ctx,
		       struct certify_err *err)
{
	static const char *const states[4] = { "queued", "claimed", "done", "cancelled" };
	int rc = 0;

	/* One read transaction: one snapshot for the three parts. */
	if (db_exec(db, "BEGIN", err) < 0)
		return -1;
	for (int k = 0; rc == 0 && k < 4; k++) {
		long long n = db_sq_num(db, err, "SELECT count(*) FROM queue WHERE state = ?", "t",
					states[k]);

		counts[k] = (long)n;
		rc = n < 0 ? -1 : 0;
	}
	if (rc == 0)
		rc = db_sq_workers(db, wfn, ctx, err);
	if (rc == 0)
		rc = db_sq_runs(db, rfn, ctx, err);
	db_end(db, -1, NULL);
	return rc;
}
