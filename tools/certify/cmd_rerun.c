/*
 * certify rerun RUN --failed: the configurations of a stored run that failed or erred, run
 * again with the run's stored request (its devices, modules, plan, seed, accel, soak); the
 * new run's request says which run it completes and what it reran, and every report shows
 * it (docs/certify.md, "certify rerun").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "proc.h"

int cli_cmd_rerun(int argc, char **argv, struct cli_common *c)
{
	static const struct option lo[] = {
		{ "failed", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	const char *usage = "certify rerun RUN --failed [--db STORE] [--plans DIR] [--kernel ELF]";
	struct certify_db *db = NULL;
	struct certify_db_run r;
	struct certify_err err;
	struct cli_rerun rr = { 0 };
	const char **names = NULL;
	char *rargv[80], buf[8192];
	size_t rargc;
	int o, failed = 0, rc = CLI_ERROR, loaded = 0;

	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		switch (o) {
		case 'f': failed = 1; break;
		case 'h': printf("usage: %s\n", usage); exit(CLI_PASS);
		default: fprintf(stderr, "usage: %s\n", usage); return CLI_ERROR;
		}
	}
	if (optind + 1 != argc || !failed)
		return cli_fail("usage: %s (--failed: what is rerun is said, never implied)", usage);
	if (cli_db_open(c, &db) != CLI_PASS)
		return CLI_ERROR;
	if (cli_run_id(db, argv[optind], &rr.run) < 0) {
		cli_fail("rerun: RUN '%s': expected a run id or 'last'", argv[optind]);
		goto out;
	}
	if (certify_db_run_load(db, rr.run, &r, &err) < 0) {
		cli_fail("rerun: %s", err.msg);
		goto out;
	}
	loaded = 1;
	if (strcmp(r.status, "complete")) {
		cli_fail("rerun: run %lld is %s: only a complete run can be completed", (long long)rr.run,
			 r.status);
		goto out;
	}
	names = calloc(r.ncfg + 1, sizeof(*names));
	for (size_t i = 0; names && i < r.ncfg; i++)
		if (!strcmp(r.cfg[i].verdict, "fail") || !strcmp(r.cfg[i].verdict, "error"))
			names[rr.n++] = r.cfg[i].name;
	rr.names = names;
	rr.orig = &r;
	if (!names || rr.n == 0) {
		cli_fail("rerun: run %lld: no configuration failed or erred: nothing to rerun",
			 (long long)rr.run);
		goto out;
	}
	if (cli_request_argv(r.config, NULL, 0, rargv, 80, &rargc, buf, sizeof(buf)) < 0) {
		cli_fail("rerun: run %lld: its stored request cannot be read", (long long)rr.run);
		goto out;
	}
	certify_db_close(db);
	db = NULL;
	optind = 0;
	rc = cli_run_main_rerun((int)rargc, rargv, c, NULL, &rr);
out:
	free(names);
	if (loaded)
		certify_db_run_free(&r);
	certify_db_close(db);
	return rc;
}
