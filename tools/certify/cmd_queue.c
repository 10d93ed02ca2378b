/* certify submit, status, cancel: the job queue a lab's runners share (docs/certify.md,
 * "The queue"; the store's side is db/store_queue.c (PostgreSQL) and db/store_queue_sq.c
 * (SQLite, workers on one host), the runners' is cmd_worker.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_cmd_submit(int argc, char **argv, struct cli_common *c)
{
	struct cli_run *r = cli_run_new(c);
	struct certify_config *cfgs = NULL;
	struct certify_db_driver *drv = NULL;
	struct certify_db *db = NULL;
	struct certify_err err;
	const char **names = NULL;
	char *req = NULL;
	size_t ndrv = 0;
	int64_t id;
	int n = -1, rc = CLI_ERROR;

	if (!r)
		return cli_fail("out of memory");
	if (cli_run_prepare(r, argc, argv) != 0)
		goto out;
	if (cli_run_spec(r)->host_device) {
		cli_fail("submit --host-device: a host function is run by `certify run` on its host");
		goto out;
	}
	if (cli_run_spec(r)->target) {
		cli_fail("submit --target: a bare-metal target is run by `certify run` on the host "
			 "its console line reaches; the queue's workers run QEMU");
		goto out;
	}
	if ((n = cli_run_matrix(r, &cfgs)) < 0 || cli_db_open(c, &db) != CLI_PASS)
		goto out;
	drv = cli_run_drivers(r, &ndrv);
	req = cli_run_request(r, cfgs, (size_t)n);
	names = calloc((size_t)n + 1, sizeof(*names));
	if (!drv || !req || !names) {
		cli_fail("out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++)
		names[i] = cfgs[i].name;
	if (certify_db_submit(db, cli_run_plan(r), req, cli_run_spec(r)->seed, cli_run_binding(r), drv,
			      ndrv, names, (size_t)n, &id, &err) < 0) {
		cli_fail("%s", err.msg);
		goto out;
	}
	cli_run_header(r, stdout, (size_t)n);
	printf("run:     %lld, %d configuration%s queued\n", (long long)id, n, n == 1 ? "" : "s");
	rc = CLI_PASS;
out:
	free(names);
	free(req);
	free(drv);
	free(cfgs);
	certify_db_close(db);
	cli_run_free(r);
	return rc;
}

static int status_worker(void *ctx, const struct certify_db_qworker *w)
{
	(void)ctx;
	printf("%-6lld %-16.16s %-8ld %d/%-4d %-20s %7.1f %-8s %s\n", (long long)w->id, w->host,
	       w->pid, w->slot, w->slots, w->heartbeat, w->age, w->state, w->job[0] ? w->job : "-");
	return 0;
}

static int status_run(void *ctx, const struct certify_db_qrun *q)
{
	int total = q->queued + q->claimed + q->done + q->cancelled, *rows = ctx;

	if ((*rows)++ == 0)
		printf("RUN    PLAN       STATUS    VERDICT PROGRESS\n");
	printf("%-6lld %-10s %-9s %-7s %d/%d stored, %d running, %d queued, %d cancelled\n",
	       (long long)q->id, q->plan, q->status, q->verdict[0] ? q->verdict : "-", q->done, total,
	       q->claimed, q->queued, q->cancelled);
	return 0;
}

static const struct option queue_opts[] = {
	CLI_COMMON_OPTS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
};

/* Common options only; returns optind or -1. */
static int queue_args(int argc, char **argv, struct cli_common *c, const char *usage)
{
	int o;

	while ((o = getopt_long(argc, argv, "h", queue_opts, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		if (o == 'h') {
			printf("usage: %s\n", usage);
			exit(CLI_PASS);
		}
		fprintf(stderr, "usage: %s\n", usage);
		return -1;
	}
	return optind;
}

int cli_cmd_status(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify status [--db STORE]";
	struct certify_db *db;
	struct certify_err err;
	long n[4];
	int i = queue_args(argc, argv, c, usage), rc, rows = 0;

	if (i < 0)
		return CLI_ERROR;
	if (i != argc)
		return cli_fail("status: unexpected argument '%s'", argv[i]);
	if (cli_db_open(c, &db) != CLI_PASS)
		return CLI_ERROR;
	/* Workers, then runs, then the counts: one snapshot of the store. */
	printf("WORKER HOST             PID      SLOT   HEARTBEAT               AGE(s) STATE    JOB\n");
	rc = certify_db_queue_status(db, n, status_worker, status_run, &rows, &err);
	if (rc == 0)
		printf("queue: %ld queued, %ld running, %ld stored, %ld cancelled\n", n[0], n[1], n[2], n[3]);
	certify_db_close(db);
	return rc < 0 ? cli_fail("%s", err.msg) : CLI_PASS;
}

int cli_cmd_cancel(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify cancel RUN [--db STORE]";
	struct certify_db *db;
	struct certify_err err;
	char *end;
	long long id;
	long n;
	int i = queue_args(argc, argv, c, usage);

	if (i < 0)
		return CLI_ERROR;
	if (i != argc - 1)
		return cli_fail("cancel: expected one RUN (usage: %s)", usage);
	id = strtoll(argv[i], &end, 10);
	if (*end || id <= 0)
		return cli_fail("cancel: RUN '%s': expected a run id", argv[i]);
	if (cli_db_open(c, &db) != CLI_PASS)
		return CLI_ERROR;
	n = certify_db_cancel(db, id, &err);
	certify_db_close(db);
	if (n < 0)
		return cli_fail("%s", err.msg);
	printf("run %lld: %ld queued configuration%s cancelled\n", id, n, n == 1 ? "" : "s");
	return CLI_PASS;
}
