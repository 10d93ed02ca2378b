/*
 * certify worker: a runner of the shared queue (docs/certify.md, "The queue"). Each slot is
 * a process that claims one configuration at a time, prepares it exactly as `certify run`
 * would from the run's stored request (checking that this runner's plan, kernel and modules
 * are the ones the run binds), boots it, and stores it with its queue row. A heartbeat
 * thread renews the claim's lease; a worker that cannot renew it stops before the lease
 * runs out, so a configuration is never run by two workers at once.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "proc.h"

struct worker {
	struct cli_common *c;
	char path[1024];		/* the store */
	int slot, slots, lease, drain;
	int64_t id;
	atomic_int busy;		/* holds a claim */
	atomic_int stop;		/* the loop ended: the heartbeat thread ends too */
};

static double worker_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Renews heartbeat and leases every lease/3 s on a connection of its own. Past 2/3 of a
 * lease without a renewal while holding a claim, the worker exits (its QEMU dies with it):
 * the claim passes to another worker only after this one can no longer be running it. */
static void *worker_heartbeat(void *arg)
{
	struct worker *w = arg;
	struct certify_db *db = NULL;
	struct certify_err err;
	double ok = worker_now();

	while (!atomic_load(&w->stop)) {
		int rc = db ? certify_db_heartbeat(db, w->id, w->lease, &err) : -1;

		if (rc < 0 && db)
			rc = certify_db_reconnect(db, &err) == 0 ?
			     certify_db_heartbeat(db, w->id, w->lease, &err) : -1;
		if (!db && certify_db_open(w->path, &db, &err) == 0)
			rc = certify_db_heartbeat(db, w->id, w->lease, &err);
		if (rc == 0)
			ok = worker_now();
		else if (atomic_load(&w->busy) && worker_now() - ok > w->lease * 2.0 / 3) {
			fprintf(stderr, "certify: worker %lld: no heartbeat for %.0f s (%s): stopping "
				"before the lease passes to another runner\n", (long long)w->id,
				worker_now() - ok, err.msg);
			_exit(CLI_ERROR);
		}
		for (int i = 0; i < w->lease * 10 / 3 && !atomic_load(&w->stop); i++)
			usleep(100000);
	}
	certify_db_close(db);
	return NULL;
}

static const char *worker_verdict(const char *const *v, size_t n)
{
	struct certify_config_result *r = calloc(n + 1, sizeof(*r));
	enum certify_verdict out;

	if (!r)
		return "error";
	for (size_t i = 0; i < n; i++) {
		r[i].verdict = CERTIFY_V_ERROR;
		for (int k = CERTIFY_V_PASS; k <= CERTIFY_V_NOTRUN; k++)
			if (!strcmp(v[i], certify_verdict_name((enum certify_verdict)k)))
				r[i].verdict = (enum certify_verdict)k;
	}
	out = certify_run_verdict(r, n);
	free(r);
	return certify_verdict_name(out);
}

/* Boots the job's configuration and stores it. Returns 0 (done, or the claim was given
 * back or lost), or -1 when this worker must stop (it cannot run this run's jobs). */
static int worker_job(struct worker *w, struct certify_db *db, const struct certify_db_job *job)
{
	struct certify_config_result res;
	struct certify_config *cfgs = NULL;
	struct certify_db_config dc;
	struct certify_db_run run;
	struct certify_err err;
	struct cli_run *r = NULL;
	char *argv[80], buf[8192], why[256];
	size_t argc;
	int n = -1, rc = -1, finished = 0;

	if (certify_db_run_load(db, job->run, &run, &err) < 0) {
		cli_fail("worker: %s", err.msg);
		certify_db_job_release(db, w->id, job, NULL);
		return -1;
	}
	if (cli_request_argv(run.config, NULL, 0, argv, 80, &argc, buf, sizeof(buf)) < 0) {
		cli_fail("worker: run %lld: its stored request cannot be read", (long long)job->run);
		goto release;
	}
	r = cli_run_new(w->c);
	optind = 0;	/* getopt starts over for each job */
	if (!r || cli_run_prepare(r, (int)argc, argv) != 0)
		goto release;
	if (!cli_run_same(r, &run, why, sizeof(why))) {
		cli_fail("worker: run %lld: this runner differs from the run: %s", (long long)job->run, why);
		goto release;
	}
	n = cli_run_matrix(r, &cfgs);
	if (n <= job->idx || strcmp(cfgs[job->idx].name, job->name)) {
		cli_fail("worker: run %lld: configuration %d is not %s here", (long long)job->run, job->idx,
			 job->name);
		goto release;
	}
	printf("worker %lld: run %lld %s (attempt %d)\n", (long long)w->id, (long long)job->run,
	       job->name, job->attempts);
	fflush(stdout);
	certify_run_all(cli_run_spec(r), &cfgs[job->idx], 1, NULL, &res);
	if (certify_proc_interrupted()) {	/* not a result: the job goes back to the queue */
		certify_config_result_free(&res);
		goto release;
	}
	if (cli_record(cli_run_spec(r), &res, &dc) < 0) {
		cli_fail("worker: out of memory recording %s", job->name);
		certify_config_result_free(&res);
		goto release;
	}
	rc = certify_db_job_store(db, w->id, job, &dc, worker_verdict, &finished, &err);
	if (rc < 0)
		cli_fail("worker: %s", err.msg);
	printf("worker %lld: run %lld %s: %s, %s%s\n", (long long)w->id, (long long)job->run, job->name,
	       certify_verdict_name(res.verdict), rc > 0 ? "stored" : rc == 0 ?
	       "not stored: the claim passed to another worker" : "not stored", finished ?
	       "; run complete" : "");
	fflush(stdout);
	certify_db_config_free(&dc);
	certify_config_result_free(&res);
	rc = rc < 0 ? -1 : 0;
	goto out;
release:
	certify_db_job_release(db, w->id, job, NULL);
out:
	free(cfgs);
	cli_run_free(r);
	certify_db_run_free(&run);
	return rc;
}

/* One slot: claims, runs and stores until interrupted (or, with --drain, until nothing is
 * queued or claimed). Returns the exit status. */
static int worker_loop(struct worker *w)
{
	struct certify_db *db;
	struct certify_err err;
	pthread_t hb;
	double lost = 0;
	int rc = CLI_PASS;

	if (certify_db_open(w->path, &db, &err) < 0)
		return cli_fail("store: %s", err.msg);
	if (certify_db_worker_add(db, w->slot, w->slots, &w->id, &err) < 0) {
		certify_db_close(db);
		return cli_fail("%s", err.msg);
	}
	printf("worker %lld: slot %d of %d, lease %d s\n", (long long)w->id, w->slot, w->slots, w->lease);
	fflush(stdout);
	if (pthread_create(&hb, NULL, worker_heartbeat, w) != 0) {
		certify_db_close(db);
		return cli_fail("worker: cannot start the heartbeat thread");
	}
	while (!certify_proc_interrupted()) {
		struct certify_db_job job;
		int got = certify_db_claim(db, w->id, w->lease, &job, &err);

		if (got < 0) {	/* the server went away: try again for a minute */
			if (!lost)
				lost = worker_now();
			if (worker_now() - lost > 60) {
				rc = cli_fail("worker %lld: %s", (long long)w->id, err.msg);
				break;
			}
			sleep(1);
			certify_db_reconnect(db, &err);
			continue;
		}
		lost = 0;
		if (got == 1) {
			atomic_store(&w->busy, 1);
			if (worker_job(w, db, &job) < 0)
				rc = CLI_ERROR;
			atomic_store(&w->busy, 0);
			if (rc != CLI_PASS)
				break;
			continue;
		}
		if (w->drain && certify_db_pending(db, &err) == 0)
			break;
		/* Woken by a submit's NOTIFY, or every 2 s to take claims whose lease expired. */
		certify_db_wait(db, 2000, &err);
	}
	atomic_store(&w->stop, 1);
	pthread_join(hb, NULL);
	certify_db_worker_stop(db, w->id, NULL);
	certify_db_close(db);
	return certify_proc_interrupted() ? CLI_INTERRUPTED(certify_proc_interrupted()) : rc;
}

static int worker_args(struct worker *w, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "slots", required_argument, NULL, 's' }, { "lease", required_argument, NULL, 'l' },
		{ "drain", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	const char *usage = "certify worker [--slots N] [--lease SECONDS] [--drain] [--db STORE]\n"
			    "       [--plans DIR] [--modules-dir DIR] [--kernel ELF]";
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, w->c))
			continue;
		switch (o) {
		case 's':
			w->slots = (int)strtol(optarg, &end, 10);
			if (*end || w->slots < 1 || w->slots > 64)
				return cli_fail("--slots %s: expected 1..64", optarg), -1;
			break;
		case 'l':
			w->lease = (int)strtol(optarg, &end, 10);
			if (*end || w->lease < 3 || w->lease > 3600)
				return cli_fail("--lease %s: expected 3..3600 seconds", optarg), -1;
			break;
		case 'd': w->drain = 1; break;
		case 'h': printf("usage: %s\n", usage); exit(CLI_PASS);
		default: fprintf(stderr, "usage: %s\n", usage); return -1;
		}
	}
	if (optind != argc)
		return cli_fail("worker: unexpected argument '%s'", argv[optind]), -1;
	return 0;
}

int cli_cmd_worker(int argc, char **argv, struct cli_common *c)
{
	struct worker w = { .c = c, .slots = 1, .lease = 30, .slot = 1 };
	struct certify_db *db;
	struct certify_err err;
	pid_t kids[64];
	int rc = CLI_PASS;

	if (worker_args(&w, argc, argv) < 0)
		return CLI_ERROR;
	if (cli_db_open(c, &db) != CLI_PASS)
		return CLI_ERROR;
	certify_db_close(db);
	if (certify_db_path(c->db, w.path, sizeof(w.path), &err) < 0)
		return cli_fail("store: %s", err.msg);
	certify_proc_install_handlers();
	if (w.slots == 1)
		return worker_loop(&w);
	/* Each slot is a process of its own (its own QEMU, connection and worker row); the
	 * slots die with this parent. */
	for (int i = 0; i < w.slots; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			w.slot = i + 1;
			exit(worker_loop(&w));
		}
		if (kids[i] < 0)
			return cli_fail("worker: fork: cannot start slot %d", i + 1);
	}
	for (int i = 0; i < w.slots; i++) {
		int st;

		while (waitpid(kids[i], &st, 0) < 0)
			if (certify_proc_interrupted())
				kill(kids[i], SIGTERM);
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != CLI_PASS && rc == CLI_PASS))
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : CLI_ERROR;
	}
	return certify_proc_interrupted() ? CLI_INTERRUPTED(certify_proc_interrupted()) : rc;
}
