/*
 * db: the certification store (docs/db.md): SQLite (WAL mode; schema in db/migrations/), or
 * a PostgreSQL server named by a postgresql:// URI (db/migrations/pg/, the same versions).
 * Every write is one transaction. A run is inserted with status 'running' and becomes
 * 'complete' with its verdict only in its last transaction, so a certify killed at any
 * moment leaves a consistent store in which no half-finished run counts as certified.
 */
#ifndef CERTIFY_DB_STORE_H
#define CERTIFY_DB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../certify/err.h"
#include "../certify/hostcheck.h"
#include "../certify/violation.h"

struct certify_db;

struct certify_db_metric {
	char name[48];
	double value;
	char unit[16];
};

struct certify_db_result {
	char suite[48], name[64];
	char status[8];			/* pass | fail | skip | error */
	uint64_t us;
	char message[256];
	struct certify_db_metric *metric;
	size_t nmetric;
	char waiver[32];		/* status "waived": the waiver's id (db/waiver.h) */
};

struct certify_db_device {
	unsigned vid, did, svid, ssid, class;
	char kind[16], model[48], vendor[64];
	/* What the run's kernel said of it (version 8): the firmware revision its driver
	 * reported ("" none) and the sha256 of the module that drove it ("" unbound). */
	char firmware[32], module_sha256[65];
};

struct certify_db_driver {
	char name[32], version[32], vendor[64], sha256[65];
};

/* What a run binds (docs/db.md, version 4): the plan file's and the kernel's sha256 (the
 * modules' are the drivers'), QEMU's version, and whether the plan is the one shipped with
 * the release (official); an unofficial run says why. */
struct certify_db_binding {
	char plan_sha256[65], kernel_sha256[65];
	char qemu_version[128];
	int official;
	char unofficial_why[256];	/* "" when official */
};

/* One boot of the run's matrix, with what it reported. */
struct certify_db_config {
	int idx;
	char name[48];
	char *json;			/* {"machine":...} */
	char *cmdline;
	char outcome[16];		/* libcertify outcome name, "" when skipped */
	char verdict[8];		/* pass | fail | error | skip */
	char *reason;
	double duration;
	char *log;
	char release[48];		/* "" when the kernel did not say hello */
	struct certify_db_device *dev;	/* devices the run attached, as the kernel saw them */
	size_t ndev;
	struct certify_db_result *result;
	size_t nresult;
	struct certify_hostcheck *check;	/* the host checks of this boot */
	size_t ncheck;
	struct certify_violation *viol;	/* the verifier's violations in this boot (version 5) */
	size_t nviol;
	int waived;			/* stored fail, a pass under live waivers (db/waiver.h) */
};

/* A run as stored (certify_db_run_load). */
struct certify_db_run {
	int64_t id;
	char plan[32];
	char *config;			/* JSON */
	uint64_t seed;
	char started[32], finished[32];	/* "" when not finished */
	char status[16];		/* running | complete */
	char verdict[8];		/* "" while running */
	char release[48];
	char host[64];
	long pid;
	char *log;
	struct certify_db_binding bind;
	struct certify_db_device *dev;
	size_t ndev;
	struct certify_db_driver *drv;
	size_t ndrv;
	struct certify_db_config *cfg;
	size_t ncfg;
	/* Under live waivers (certify_waiver_apply): the verdict the store holds, "" when no
	 * waiver changed anything, and the tests waived. */
	char stored_verdict[8];
	size_t nwaived;
};

/* The store path: path if not NULL, else $HVKIT_DB, else ~/.local/share/hvkit/cert.db. A
 * path starting postgresql:// or postgres:// is a PostgreSQL connection URI (libpq's). */
int certify_db_path(const char *path, char *out, size_t outlen, struct certify_err *err);

/* 1 when path names a PostgreSQL server, 0 when it is a SQLite file. */
int certify_db_is_server(const char *path);

/*
 * Opens (SQLite: creating the file and its directories) and migrates to the newest schema.
 * A store at a newer schema than this build's is refused, untouched. Returns 0, or -1 with
 * one line naming the store (a URI without its password) and what is wrong.
 */
int certify_db_open(const char *path, struct certify_db **db, struct certify_err *err);

/*
 * Opens an existing store for reading only: nothing is created or migrated. A file that is
 * not a store, or one at an older schema than this build's (run any certify command on it
 * to migrate it), is refused. Returns 0, or -1 with a message naming path.
 */
int certify_db_open_read(const char *path, struct certify_db **db, struct certify_err *err);
void certify_db_close(struct certify_db *db);

/* The store's name as messages give it (a URI's password left out), and its back end
 * ("sqlite" or "postgresql"). */
const char *certify_db_name(const struct certify_db *db);
const char *certify_db_backend(const struct certify_db *db);

/* How long a statement waits for another process's lock before the store is called busy:
 * $HVKIT_DB_BUSY_MS milliseconds, else this. */
#define CERTIFY_DB_BUSY_MS	10000

/* The schema version (the newest migration applied), or -1. */
int certify_db_version(struct certify_db *db);

/* Inserts a run (status 'running') with what it binds and its drivers. Returns 0 with *id,
 * or -1. */
int certify_db_run_begin(struct certify_db *db, const char *plan, const char *config_json,
			 uint64_t seed, const struct certify_db_binding *bind,
			 const struct certify_db_driver *drv, size_t ndrv, int64_t *id,
			 struct certify_err *err);

/* Adds one finished configuration with its devices, release, results, metrics, host checks
 * and verifier violations. */
int certify_db_config_add(struct certify_db *db, int64_t run, const struct certify_db_config *c,
			  struct certify_err *err);

/* Marks the run complete with its verdict (pass, fail or error) and summary log. */
int certify_db_run_finish(struct certify_db *db, int64_t run, const char *verdict,
			  const char *log, struct certify_err *err);

/* Loads a whole run. Returns 0, or -1 ("run 42: no such run"). */
int certify_db_run_load(struct certify_db *db, int64_t id, struct certify_db_run *out,
			struct certify_err *err);
void certify_db_run_free(struct certify_db_run *r);
void certify_db_config_free(struct certify_db_config *c);

/* Who submitted an imported run (version 7, table submissions). */
struct certify_db_submission {
	char vendor[64];		/* the keyring's name of the signing key */
	char key_id[17];
	char package_sha256[65];
	char signed_at[32];
	int64_t vendor_run;		/* the run's id in the vendor's store */
	char vendor_host[64];
};

/*
 * Stores a complete run from a vendor's package with who submitted it, in one transaction:
 * run (as certify_db_run_load fills it: plan, request, seed, binding, drivers, every
 * configuration, verdict, log, started and finished as the vendor's store had them). A
 * package already imported is refused ("package ... already imported as run 4"). Returns 0
 * with *id, or -1 with nothing written.
 */
int certify_db_import(struct certify_db *db, const struct certify_db_run *run,
		      const struct certify_db_submission *sub, int64_t *id, struct certify_err *err);

/* Who submitted run, when it was imported: 1 with *sub filled, 0 when the run is the store's
 * own (or no such run), -1 with err. */
int certify_db_submission(struct certify_db *db, int64_t run, struct certify_db_submission *sub,
			  struct certify_err *err);

/* One line of `certify history`. */
struct certify_db_summary {
	int64_t id;
	char plan[32], started[32], finished[32], status[16], verdict[8], release[48];
	char devices[256];		/* "e1000 8086:100e, ..." */
	char drivers[256];		/* "e1000 1.0, ..." */
	char host[64];			/* where certify ran */
	long pid;			/* its process id */
	int certified;			/* status complete, verdict pass and official */
	int official;			/* the plan is the one shipped with the release */
};

/*
 * Calls fn for each run, newest first; model (NULL: all) keeps runs that attached that
 * QEMU model; certified_only keeps certified runs. Returns 0 or -1.
 */
int certify_db_history(struct certify_db *db, const char *model, int certified_only,
		       int (*fn)(void *ctx, const struct certify_db_summary *s), void *ctx,
		       struct certify_err *err);

/*
 * What `hcl export` reads: one device of a certified run (the certified_runs view: complete,
 * passed and official; a run killed half-way never counts), with a driver the run loaded and
 * the release it ran.
 */
struct certify_db_certified {
	unsigned vid, did, svid, ssid;
	char kind[16];			/* nic | storage */
	char driver[32], version[32];
	char release[48];
	int64_t run;
	char date[16];			/* YYYY-MM-DD the run finished */
	int ndrivers;			/* drivers the run loaded: the pairing is known only when 1 */
	int imported;			/* a vendor's submission (certify import), not a local run */
	char firmware[32];		/* what its driver reported in the run (version 8), "" none */
	char sha256[65];		/* the driver module's sha256 */
	/* A failed run that passes under live waivers (db/waiver.h): "ID SUITE.NAME" of each
	 * waived test, ", "-separated; "" for a run that passed as stored. */
	char waived[256];
};

/*
 * Calls fn for every NIC and storage device of every certified run, once per driver of the
 * run (a complete, official run stored as failed counts when the live waivers of
 * certify_waiver_today() make it pass, with waived set), ordered by vid, did, svid, ssid, release, driver, version, run; fn returns 0 to go on
 * or -1 to stop (then so does this, err untouched). Returns 0, or -1 with a message: a store
 * another process keeps locked past the busy wait says so, it never passes for a short one.
 */
int certify_db_certified(struct certify_db *db,
			 int (*fn)(void *ctx, const struct certify_db_certified *c), void *ctx,
			 struct certify_err *err);

/*
 * Calls fn with each complete, passing run that is not official (id, plan, why): what `hcl
 * export` leaves out and says so. fn returns 0 to go on or -1 to stop. Returns 0 or -1.
 */
int certify_db_unofficial(struct certify_db *db,
			  int (*fn)(void *ctx, int64_t run, const char *plan, const char *why),
			  void *ctx, struct certify_err *err);

/*
 * Calls fn with each configuration of a run (name, verdict, reason, under today's live
 * waivers) in matrix order: what
 * `hcl export` shows as a certification's coverage. fn returns 0 to go on or -1 to stop
 * (then so does this, err untouched). Returns 0, or -1 with a message (a busy store too).
 */
int certify_db_run_configs(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const char *name, const char *verdict,
				     const char *reason),
			   void *ctx, struct certify_err *err);

/* One test result of a run as `hcl export` reads it to derive a device's features
 * (hcl/hcl_feature.c): the configuration it ran in (its name, JSON and verdict) and the
 * test's suite, name and status. */
struct certify_db_test_result {
	const char *config, *config_json, *config_verdict;
	const char *suite, *name, *status;
};

/*
 * Calls fn with every test result of a run, in matrix order then result order. fn returns 0
 * to go on or -1 to stop (then so does this, err untouched). Returns 0, or -1 with a message
 * (a busy store too, never a short answer).
 */
int certify_db_run_results(struct certify_db *db, int64_t run,
			   int (*fn)(void *ctx, const struct certify_db_test_result *r),
			   void *ctx, struct certify_err *err);

/*
 * The job queue (docs/db.md, "The queue"; store_queue.c on PostgreSQL, store_queue_sq.c on
 * SQLite: workers on one host, idle ones poll instead of LISTEN).
 */

/* One claimed configuration. */
struct certify_db_job {
	int64_t id;			/* the queue row */
	int64_t run;
	int idx;			/* in the run's matrix */
	char name[48];
	int attempts;			/* claims so far, this one included */
};

/* Stores a run (status 'running', as certify_db_run_begin) and one queued row per name of
 * its matrix, in one transaction, and wakes idle workers (NOTIFY). Returns 0 with *id or -1. */
int certify_db_submit(struct certify_db *db, const char *plan, const char *config_json,
		      uint64_t seed, const struct certify_db_binding *bind,
		      const struct certify_db_driver *drv, size_t ndrv, const char *const *names,
		      size_t n, int64_t *id, struct certify_err *err);

/* After a lost connection (a server restart): connects again with the same parameters.
 * Returns 0 (connected, or never lost; always on SQLite), or -1. */
int certify_db_reconnect(struct certify_db *db, struct certify_err *err);

/* Registers this process as a worker (host, pid, slot of slots). Returns 0 with *id, or -1. */
int certify_db_worker_add(struct certify_db *db, int slot, int slots, int64_t *id,
			  struct certify_err *err);

/* Marks the worker stopped (it claims nothing more). Returns 0 or -1. */
int certify_db_worker_stop(struct certify_db *db, int64_t worker, struct certify_err *err);

/*
 * Claims the oldest queued row, or a claimed one whose lease has expired (its worker died
 * or lost the store), for lease_s seconds: SELECT ... FOR UPDATE SKIP LOCKED, so two
 * workers never claim the same row. Returns 1 with *job, 0 when there is nothing to claim,
 * or -1.
 */
int certify_db_claim(struct certify_db *db, int64_t worker, int lease_s,
		     struct certify_db_job *job, struct certify_err *err);

/* Renews the worker's heartbeat and its claims' leases (lease_s seconds from now, by the
 * server's clock). Returns 0 or -1. */
int certify_db_heartbeat(struct certify_db *db, int64_t worker, int lease_s,
			 struct certify_err *err);

/* How a run's verdict follows from its configurations' (the judge's rule: certify_run_verdict). */
typedef const char *(*certify_db_verdict_fn)(const char *const *verdicts, size_t n);

/*
 * Stores a claimed job's configuration and marks its row done, in one transaction, only if
 * the worker still holds the claim; when it was the run's last pending row, the run is
 * finished in the same transaction (verdict by fn; 'error' when a row was cancelled).
 * Idempotent: after a dropped connection (the COMMIT may or may not have happened) it
 * reconnects and, if the row is already done by this worker, succeeds without storing
 * again. Returns 1 stored (*finished 1 when the run completed), 0 the claim was lost (the
 * lease expired and another worker has the row: nothing stored), -1 error.
 */
int certify_db_job_store(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
			 const struct certify_db_config *c, certify_db_verdict_fn fn,
			 int *finished, struct certify_err *err);

/* Gives a claim back to the queue (this runner cannot run it). Returns 0 or -1. */
int certify_db_job_release(struct certify_db *db, int64_t worker, const struct certify_db_job *job,
			   struct certify_err *err);

/* Rows queued or claimed (not done, not cancelled), or -1. */
long certify_db_pending(struct certify_db *db, struct certify_err *err);

/* Waits up to ms milliseconds for a submit's NOTIFY (LISTEN on first use). Returns 1 woken,
 * 0 timed out, -1 error. SQLite: sleeps the poll backoff (at most ms) and returns 1. */
int certify_db_wait(struct certify_db *db, int ms, struct certify_err *err);

/* Cancels a run's queued rows; a run with nothing claimed left is finished with verdict
 * 'error' at once, else by the worker that stores its last claimed row. Returns the number
 * of rows cancelled, or -1 ("run 7: no such queued run"). */
long certify_db_cancel(struct certify_db *db, int64_t run, struct certify_err *err);

/* What `certify status` shows, one call per line of each kind. */
struct certify_db_qworker {
	int64_t id;
	char host[64];
	long pid;
	int slot, slots;
	char heartbeat[32], state[16];
	double age;			/* seconds since the heartbeat */
	char job[80];			/* "run 7 pc-none-smp1-tcg", "" when idle */
};
struct certify_db_qrun {
	int64_t id;
	char plan[32], status[16], verdict[8];
	int queued, claimed, done, cancelled;
};
int certify_db_queue_status(struct certify_db *db, long counts[4],
			    int (*wfn)(void *ctx, const struct certify_db_qworker *w),
			    int (*rfn)(void *ctx, const struct certify_db_qrun *r), void *ctx,
			    struct certify_err *err);

#endif
