/*
 * db: the job queue on PostgreSQL (store.h, "The job queue"; docs/db.md, "The queue").
 * Claims take rows with SELECT ... FOR UPDATE SKIP LOCKED; a claim is a lease the worker
 * renews with its heartbeat and that returns the row to the queue when it expires; a
 * configuration is stored together with its row's 'done' in one transaction that first
 * locks the run's row, so the stores of one run are serialized and exactly one of them sees
 * that it was the last and finishes the run. A SQLite store (workers on one host) goes to
 * store_queue_sq.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

#define DB_QUEUE_CHANNEL	"hvkit_queue"

static int db_q_pg(struct certify_db *db, struct certify_err *err)
{
	if (db->pg)
		return 0;
	return certify_errf(err, "%s: not a PostgreSQL store", db->path);
}

int certify_db_reconnect(struct certify_db *db, struct certify_err *err)
{
	if (db->h)
		return 0;	/* a file: nothing to reconnect */
	if (db_q_pg(db, err) < 0)
		return -1;
	if (PQstatus(db->pg) == CONNECTION_OK)
		return 0;
	PQreset(db->pg);
	if (PQstatus(db->pg) != CONNECTION_OK)
		return certify_errf(err, "%s: cannot connect again: %s", db->path,
				    strtok(PQerrorMessage(db->pg), "\n"));
	return db_pg_setup(db, err);
}

int certify_db_submit(struct certify_db *db, const char *plan, const char *config_json,
		      uint64_t seed, const struct certify_db_binding *bind,
		      const struct certify_db_driver *drv, size_t ndrv, const char *const *names,
		      size_t n, int64_t *id, struct certify_err *err)
{
	int rc;

	if (db->h)
		return db_sq_submit(db, plan, config_json, seed, bind, drv, ndrv, names, n, id, err);
	if (db_q_pg(db, err) < 0 || db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	rc = db_pg_run_insert(db, plan, config_json, seed, bind, drv, ndrv, id, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct db_pg_params p = { 0 };

		db_pg_i64(&p, *id);
		db_pg_i64(&p, (long long)i);
		db_pg_text(&p, names[i]);
		rc = db_pg_cmd(db, "INSERT INTO queue (run_id, idx, name) VALUES ($1, $2, $3)", &p, err);
	}
	if (rc == 0)	/* delivered at COMMIT, to every LISTENing worker */
		rc = db_pg_cmd(db, "NOTIFY " DB_QUEUE_CHANNEL, NULL, err);
	return db_pg_end(db, rc, err);
}

int certify_db_worker_add(struct certify_db *db, int slot, int slots, int64_t *id,
			  struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	char host[64] = "";
	PGresult *r;

	if (db->h)
		return db_sq_worker_add(db, slot, slots, id, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	gethostname(host, sizeof(host) - 1);
	db_pg_text(&p, host);
	db_pg_i64(&p, (long long)getpid());
	db_pg_i64(&p, slot);
	db_pg_i64(&p, slots);
	r = db_pg_query(db, "INSERT INTO workers (host, pid, slot, slots, started, heartbeat) VALUES "
			"($1, $2, $3, $4, now(), now()) RETURNING id", &p, err);
	if (!r)
		return -1;
	*id = db_pg_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

int certify_db_worker_stop(struct certify_db *db, int64_t worker, struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	if (db->h)
		return db_sq_worker_stop(db, worker, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	db_pg_i64(&p, worker);
	return db_pg_cmd(db, "UPDATE workers SET state = 'stopped', heartbeat = now() WHERE id = $1",
			 &p, err);
}

int certify_db_claim(struct certify_db *db, int64_t worker, int lease_s,
		     struct certify_db_job *job, struct certify_err *err)
{
	struct db_pg_params p = { 0 }, u = { 0 };
	PGresult *r;
	int rc;

	if (db->h)
		return db_sq_claim(db, worker, lease_s, job, err);
	if (db_q_pg(db, err) < 0 || db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	r = db_pg_query(db, "SELECT id, run_id, idx, name, attempts FROM queue WHERE state IN "
			"('queued', 'claimed') AND (state = 'queued' OR lease_until < now()) ORDER BY id "
			"LIMIT 1 FOR UPDATE SKIP LOCKED", NULL, err);
	if (!r || PQntuples(r) == 0) {
		rc = r ? 0 : -1;
		PQclear(r);
		db_pg_end(db, rc == 0 ? 0 : -1, NULL);
		return rc;
	}
	memset(job, 0, sizeof(*job));
	job->id = db_pg_ll(r, 0, 0);
	job->run = db_pg_ll(r, 0, 1);
	job->idx = (int)db_pg_ll(r, 0, 2);
	db_pg_str(r, 0, 3, job->name, sizeof(job->name));
	job->attempts = (int)db_pg_ll(r, 0, 4) + 1;
	PQclear(r);
	db_pg_i64(&p, worker);
	db_pg_i64(&p, lease_s);
	db_pg_i64(&p, job->id);
	rc = db_pg_cmd(db, "UPDATE queue SET state = 'claimed', worker_id = $1, lease_until = now() + "
		       "make_interval(secs => $2), attempts = attempts + 1 WHERE id = $3", &p, err);
	db_pg_i64(&u, worker);
	if (rc == 0)
		rc = db_pg_cmd(db, "UPDATE workers SET state = 'busy', heartbeat = now() WHERE id = $1",
			       &u, err);
	else
		db_pg_params_free(&u);
	return db_pg_end(db, rc, err) < 0 ? -1 : 1;
}

int certify_db_heartbeat(struct certify_db *db, int64_t worker, int lease_s,
			 struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	if (db->h)
		return db_sq_heartbeat(db, worker, lease_s, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	db_pg_i64(&p, worker);
	db_pg_i64(&p, lease_s);
	/* One statement, one implicit transaction: heartbeat and leases move together. */
	return db_pg_cmd(db, "WITH w AS (UPDATE workers SET heartbeat = now() WHERE id = $1) "
			 "UPDATE queue SET lease_until = now() + make_interval(secs => $2) "
			 "WHERE worker_id = $1 AND state = 'claimed'", &p, err);
}

/* The run's verdict and summary log from its stored configurations (run_summary's form). */
static int db_q_finish(struct certify_db *db, int64_t run, certify_db_verdict_fn fn,
		       struct certify_err *err)
{
	struct db_pg_params p = { 0 }, u = { 0 };
	PGresult *r = db_pg_query(db, "SELECT c.verdict, c.name, c.reason, r.seed, "
				  "(SELECT count(*) FROM queue q WHERE q.run_id = r.id AND "
				  "q.state = 'cancelled') FROM runs r JOIN configs c ON c.run_id = r.id "
				  "WHERE r.id = $1 ORDER BY c.idx", (db_pg_i64(&p, run), &p), err);
	const char **v;
	const char *verdict;
	char *log, now[32];
	size_t cap, len = 0;
	int n, cancelled = 0, rc;
	long long seed = 0;

	if (!r)
		return -1;
	n = PQntuples(r);
	v = calloc((size_t)n + 1, sizeof(*v));
	cap = 256 + (size_t)n * 700;
	log = malloc(cap);
	if (!v || !log) {
		free(v);
		free(log);
		PQclear(r);
		return certify_errf(err, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		v[i] = PQgetvalue(r, i, 0);
		seed = db_pg_ll(r, i, 3);
		cancelled = (int)db_pg_ll(r, i, 4);
		len += (size_t)snprintf(log + len, cap - len, "%-5s %s: %.600s\n", v[i],
					PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	}
	verdict = cancelled || n == 0 || !fn ? "error" : fn(v, (size_t)n);
	if (cancelled)
		len += (size_t)snprintf(log + len, cap - len, "cancelled: %d configurations not run "
					"(certify cancel)\n", cancelled);
	snprintf(log + len, cap - len, "verdict %s (seed %llu)\n", verdict, (unsigned long long)seed);
	db_now(now, sizeof(now));
	db_pg_text(&u, verdict);
	db_pg_text(&u, now);
	db_pg_text(&u, log);
	db_pg_i64(&u, run);
	rc = db_pg_cmd(db, "UPDATE runs SET status = 'complete', verdict = $1, finished = $2, log = $3 "
		       "WHERE id = $4 AND status = 'running'", &u, err);
	free(v);
	free(log);
	PQclear(r);
	return rc;
}

/* 1 when a row of the run is still queued or claimed, 0 when none is, or -1. */
static long db_q_left(struct certify_db *db, int64_t run, struct certify_err *err)
{
	struct db_pg_params p = { 0 };
	PGresult *r;
	long n;

	db_pg_i64(&p, run);
	r = db_pg_query(db, "SELECT EXISTS (SELECT 1 FROM queue WHERE run_id = $1 AND state IN "
			"('queued', 'claimed'))::int", &p, err);
	if (!r)
		return -1;
	n = (long)db_pg_ll(r, 0, 0);
	PQclear(r);
	return n;
}

/* Fault injection for the tests ($HVKIT_TEST_DROP, once per process): the connection is
 * ended by the server just before COMMIT (the transaction is lost) or just after it (the
 * transaction is kept, but this client never hears so). Returns the COMMIT to send. */
static const char *db_q_commit_sql(void)
{
	static int used;
	const char *d = getenv("HVKIT_TEST_DROP");

	if (!d || used)
		return "COMMIT";
	used = 1;
	if (!strcmp(d, "before-commit"))
		return "SELECT pg_terminate_backend(pg_backend_pid()); COMMIT";
	if (!strcmp(d, "after-commit"))
		return "COMMIT; SELECT pg_terminate_backend(pg_backend_pid())";
	return "COMMIT";
}

/* One attempt of certify_db_job_store: 1 stored (or found stored by this worker), 0 the
 * claim is another's, -1 error, -2 the connection broke (retry). */
static int db_q_store_once(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
			   const struct certify_db_config *c, certify_db_verdict_fn fn,
			   int *finished, struct certify_err *err)
{
	struct db_pg_params p = { 0 }, k = { 0 }, d = { 0 };
	PGresult *r;
	int rc = 0, mine, done;

	*finished = 0;
	if (db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return PQstatus(db->pg) == CONNECTION_BAD ? -2 : -1;
	db_pg_i64(&k, job->run);
	/* The run's row first: stores of one run, and cancel, go one at a time. */
	if (db_pg_cmd(db, "SELECT id FROM runs WHERE id = $1 FOR UPDATE", &k, err) < 0)
		goto rollback;
	db_pg_i64(&p, job->id);
	r = db_pg_query(db, "SELECT state, worker_id FROM queue WHERE id = $1 FOR UPDATE", &p, err);
	if (!r)
		goto rollback;
	mine = PQntuples(r) == 1 && db_pg_ll(r, 0, 1) == worker;
	done = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "done");
	rc = mine && !strcmp(PQgetvalue(r, 0, 0), "claimed") ? 2 : mine && done ? 1 : 0;
	PQclear(r);
	if (rc != 2) {		/* stored already by this worker (a retried commit), or lost */
		db_pg_end(db, -1, NULL);
		return rc;
	}
	if (db_pg_config_write(db, job->run, c, err) < 0)
		goto rollback;
	db_pg_i64(&d, job->id);
	if (db_pg_cmd(db, "UPDATE queue SET state = 'done', lease_until = NULL WHERE id = $1", &d, err) < 0)
		goto rollback;
	rc = (int)db_q_left(db, job->run, err);
	if (rc < 0 || (rc == 0 && db_q_finish(db, job->run, fn, err) < 0))
		goto rollback;
	*finished = rc == 0;
	if (db_pg_cmd(db, db_q_commit_sql(), NULL, err) < 0)
		goto rollback;
	return 1;
rollback:
	if (PQstatus(db->pg) == CONNECTION_BAD)
		return -2;
	db_pg_end(db, -1, NULL);
	return -1;
}

int certify_db_job_store(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
			 const struct certify_db_config *c, certify_db_verdict_fn fn,
			 int *finished, struct certify_err *err)
{
	if (db->h)
		return db_sq_job_store(db, worker, job, c, fn, finished, err);
	/* Reconnects for up to a minute: past that the lease is long gone anyway. */
	for (int tries = 0; tries < 60; tries++) {
		int rc;

		if (PQstatus(db->pg) == CONNECTION_BAD && certify_db_reconnect(db, err) < 0) {
			sleep(1);
			continue;
		}
		rc = db_q_pg(db, err) < 0 ? -1 : db_q_store_once(db, worker, job, c, fn, finished, err);
		if (rc != -2)
			return rc;
	}
	return certify_errf(err, "%s: lost the connection to the server storing run %lld %s and could "
			    "not reconnect for a minute", db->path, (long long)job->run, job->name);
}

int certify_db_job_release(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
			   struct certify_err *err)
{
	struct db_pg_params p = { 0 };

	if (db->h)
		return db_sq_job_release(db, worker, job, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	db_pg_i64(&p, job->id);
	db_pg_i64(&p, worker);
	return db_pg_cmd(db, "UPDATE queue SET state = 'queued', worker_id = NULL, lease_until = NULL "
			 "WHERE id = $1 AND worker_id = $2 AND state = 'claimed'", &p, err);
}

long certify_db_pending(struct certify_db *db, struct certify_err *err)
{
	PGresult *r;
	long n;

	if (db->h)
		return db_sq_pending(db, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	r = db_pg_query(db, "SELECT count(*) FROM queue WHERE state IN ('queued', 'claimed')", NULL, err);
	if (!r)
		return -1;
	n = (long)db_pg_ll(r, 0, 0);
	PQclear(r);
	return n;
}

int certify_db_wait(struct certify_db *db, int ms, struct certify_err *err)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	int fd, woken = 0;
	PGnotify *n;
	fd_set rd;

	if (db->h)
		return db_sq_wait(db, ms);
	if (db_q_pg(db, err) < 0)
		return -1;
	if (!db->listening) {
		if (db_pg_cmd(db, "LISTEN " DB_QUEUE_CHANNEL, NULL, err) < 0)
			return -1;
		db->listening = 1;
	}
	fd = PQsocket(db->pg);
	if (fd < 0)
		return certify_errf(err, "%s: lost the connection to the server", db->path);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	if (select(fd + 1, &rd, NULL, NULL, &tv) < 0 && errno != EINTR)
		return certify_errf(err, "%s: select: %s", db->path, strerror(errno));
	if (!PQconsumeInput(db->pg))
		return certify_errf(err, "%s: lost the connection to the server", db->path);
	while ((n = PQnotifies(db->pg))) {
		woken = 1;
		PQfreemem(n);
	}
	return woken;
}

long certify_db_cancel(struct certify_db *db, int64_t run, struct certify_err *err)
{
	struct db_pg_params k = { 0 }, p = { 0 };
	PGresult *r;
	long n = -1, left;

	if (db->h)
		return db_sq_cancel(db, run, err);
	if (db_q_pg(db, err) < 0 || db_pg_cmd(db, "BEGIN", NULL, err) < 0)
		return -1;
	db_pg_i64(&k, run);
	r = db_pg_query(db, "SELECT status FROM runs WHERE id = $1 AND EXISTS (SELECT 1 FROM queue "
			"WHERE run_id = $1) FOR UPDATE", &k, err);
	if (r && PQntuples(r) != 1)
		certify_errf(err, "run %lld: no such queued run in %s", (long long)run, db->path);
	else if (r && strcmp(PQgetvalue(r, 0, 0), "running"))
		certify_errf(err, "run %lld: already complete", (long long)run);
	else if (r) {
		PGresult *u;

		db_pg_i64(&p, run);
		u = db_pg_query(db, "UPDATE queue SET state = 'cancelled', lease_until = NULL WHERE "
				"run_id = $1 AND state = 'queued'", &p, err);
		n = u ? strtol(PQcmdTuples(u), NULL, 10) : -1;
		PQclear(u);
	}
	PQclear(r);
	if (n >= 0) {
		left = db_q_left(db, run, err);
		/* Nothing claimed: no worker will store a last row, so the run ends here. */
		if (left < 0 || (left == 0 && db_q_finish(db, run, NULL, err) < 0))
			n = -1;
	}
	if (db_pg_end(db, n >= 0 ? 0 : -1, err) < 0)
		return -1;
	return n;
}

static int db_q_workers(struct certify_db *db, int (*fn)(void *, const struct certify_db_qworker *),
			void *ctx, struct certify_err *err)
{
	PGresult *r = db_pg_query(db,
		"SELECT w.id, w.host, w.pid, w.slot, w.slots, to_char(w.heartbeat AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), w.state, extract(epoch FROM now() - w.heartbeat), "
		"COALESCE((SELECT 'run ' || q.run_id || ' ' || q.name FROM queue q WHERE q.worker_id = "
		"w.id AND q.state = 'claimed' ORDER BY q.id LIMIT 1), '') FROM workers w "
		"WHERE w.state != 'stopped' OR w.heartbeat > now() - interval '10 minutes' ORDER BY w.id",
		NULL, err);
	int rc = 0;

	if (!r)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct certify_db_qworker w;

		memset(&w, 0, sizeof(w));
		w.id = db_pg_ll(r, i, 0);
		db_pg_str(r, i, 1, w.host, sizeof(w.host));
		w.pid = (long)db_pg_ll(r, i, 2);
		w.slot = (int)db_pg_ll(r, i, 3);
		w.slots = (int)db_pg_ll(r, i, 4);
		db_pg_str(r, i, 5, w.heartbeat, sizeof(w.heartbeat));
		db_pg_str(r, i, 6, w.state, sizeof(w.state));
		w.age = db_pg_double(r, i, 7);
		db_pg_str(r, i, 8, w.job, sizeof(w.job));
		rc = fn(ctx, &w);
	}
	PQclear(r);
	return rc;
}

static int db_q_runs(struct certify_db *db, int (*fn)(void *, const struct certify_db_qrun *),
		     void *ctx, struct certify_err *err)
{
	PGresult *r = db_pg_query(db,
		"SELECT r.id, r.plan, r.status, COALESCE(r.verdict, ''), "
		"count(*) FILTER (WHERE q.state = 'queued'), count(*) FILTER (WHERE q.state = 'claimed'), "
		"count(*) FILTER (WHERE q.state = 'done'), count(*) FILTER (WHERE q.state = 'cancelled') "
		"FROM runs r JOIN queue q ON q.run_id = r.id GROUP BY r.id "
		"ORDER BY r.status = 'complete', r.id DESC LIMIT 50", NULL, err);
	int rc = 0;

	if (!r)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct certify_db_qrun q;

		memset(&q, 0, sizeof(q));
		q.id = db_pg_ll(r, i, 0);
		db_pg_str(r, i, 1, q.plan, sizeof(q.plan));
		db_pg_str(r, i, 2, q.status, sizeof(q.status));
		db_pg_str(r, i, 3, q.verdict, sizeof(q.verdict));
		q.queued = (int)db_pg_ll(r, i, 4);
		q.claimed = (int)db_pg_ll(r, i, 5);
		q.done = (int)db_pg_ll(r, i, 6);
		q.cancelled = (int)db_pg_ll(r, i, 7);
		rc = fn(ctx, &q);
	}
	PQclear(r);
	return rc;
}

int certify_db_queue_status(struct certify_db *db, long counts[4],
			    int (*wfn)(void *ctx, const struct certify_db_qworker *w),
			    int (*rfn)(void *ctx, const struct certify_db_qrun *r), void *ctx,
			    struct certify_err *err)
{
	static const char *const states[4] = { "queued", "claimed", "done", "cancelled" };
	PGresult *r;
	int rc;

	if (db->h)
		return db_sq_queue_status(db, counts, wfn, rfn, ctx, err);
	if (db_q_pg(db, err) < 0)
		return -1;
	/* One snapshot for the three parts. */
	if (db_pg_cmd(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, err) < 0)
		return -1;
	r = db_pg_query(db, "SELECT state, count(*) FROM queue GROUP BY state", NULL, err);
	rc = r ? 0 : -1;
	for (int k = 0; k < 4; k++)
		counts[k] = 0;
	for (int i = 0; r && i < PQntuples(r); i++)
		for (int k = 0; k < 4; k++)
			if (!strcmp(PQgetvalue(r, i, 0), states[k]))
				counts[k] = (long)db_pg_ll(r, i, 1);
	PQclear(r);
	if (rc == 0)
		rc = db_q_workers(db, wfn, ctx, err);
	if (rc == 0)
		rc = db_q_runs(db, rfn, ctx, err);
	db_pg_end(db, -1, NULL);
	return rc;
}
