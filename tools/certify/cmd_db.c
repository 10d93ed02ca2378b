/* certify show, history, report: reading the certification store. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "waiver.h"
#include "report.h"

int cli_db_open(const struct cli_common *c, struct certify_db **db)
{
	struct certify_err err;
	char path[1024];

	if (certify_db_path(c->db, path, sizeof(path), &err) < 0 ||
	    certify_db_open(path, db, &err) < 0)
		return cli_fail("store: %s", err.msg);
	return CLI_PASS;
}

static int db_last(void *ctx, const struct certify_db_summary *s)
{
	int64_t *id = ctx;

	if (*id == 0)
		*id = s->id;
	return 0;
}

int cli_run_id(struct certify_db *db, const char *s, int64_t *id)
{
	char *end;

	*id = 0;
	if (!strcmp(s, "last")) {
		certify_db_history(db, NULL, 0, db_last, id, NULL);
		return *id ? 0 : -1;
	}
	*id = strtoll(s, &end, 10);
	return *end || *id <= 0 ? -1 : 0;
}

/* Options: the common ones plus the table given; returns the option codes through fn. */
static int db_args(int argc, char **argv, struct cli_common *c, const struct option *extra,
		   size_t nextra, const char *usage, int (*fn)(int o, const char *arg, void *ctx),
		   void *ctx)
{
	struct option lo[16] = { CLI_COMMON_OPTS, { "help", no_argument, NULL, 'h' } };
	size_t n = 6;
	int o;

	for (size_t i = 0; i < nextra && n < 15; i++)
		lo[n++] = extra[i];
	while ((o = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		if (o == 'h') {
			printf("usage: %s\n", usage);
			exit(CLI_PASS);
		}
		if (o == '?' || !fn || fn(o, optarg, ctx) < 0) {
			fprintf(stderr, "usage: %s\n", usage);
			return -1;
		}
	}
	return optind;
}

static void show_run(struct certify_db *db, const struct certify_db_run *r)
{
	struct certify_db_submission sub;
	char names[1024];
	long long done;
	struct report_counts n;

	report_count(r, &n);
	printf("run %lld: %s%s\n", (long long)r->id, r->verdict[0] ? r->verdict : "incomplete",
	       report_certified(r) ? " (certified)" : "");
	printf("plan:     %s\nseed:     %llu\nstarted:  %s\nfinished: %s\nstatus:   %s\n"
	       "hvkernel: %s\nhost:     %s (pid %ld)\n", r->plan, (unsigned long long)r->seed,
	       r->started, r->finished[0] ? r->finished : "-", r->status,
	       r->release[0] ? r->release : "-", r->host, r->pid);
	for (size_t i = 0; i < r->ndev; i++)
		printf("device:   %s %04x:%04x subsystem %04x:%04x class %06x (%s)\n", r->dev[i].model,
		       r->dev[i].vid, r->dev[i].did, r->dev[i].svid, r->dev[i].ssid, r->dev[i].class,
		       r->dev[i].vendor);
	for (size_t i = 0; i < r->ndrv; i++)
		printf("driver:   %s %s (%s) sha256 %s\n", r->drv[i].name, r->drv[i].version,
		       r->drv[i].vendor, r->drv[i].sha256);
	printf("plan sha256:   %s\nkernel sha256: %s\nqemu:     %s\nofficial: %s%s\n",
	       r->bind.plan_sha256[0] ? r->bind.plan_sha256 : "-",
	       r->bind.kernel_sha256[0] ? r->bind.kernel_sha256 : "-",
	       r->bind.qemu_version[0] ? r->bind.qemu_version : "-", r->bind.official ? "yes" : "no: ",
	       r->bind.official ? "" : r->bind.unofficial_why);
	if (certify_db_submission(db, r->id, &sub, NULL) == 1)
		printf("submitted: by %s (key %s, signed %s; its run %lld on %s; package sha256 %.16s)\n",
		       sub.vendor, sub.key_id, sub.signed_at, (long long)sub.vendor_run, sub.vendor_host,
		       sub.package_sha256);
	if ((done = report_completes(r, names, sizeof(names))) > 0)
		printf("completes: run %lld (reran %s)\n", done, names);
	if (r->nwaived)
		printf("waived:   %zu failed test%s under live waivers (stored verdict %s)\n", r->nwaived,
		       r->nwaived == 1 ? "" : "s", r->stored_verdict);
	printf("configurations: %zu (%u pass, %u fail, %u error, %u not applicable, %u not run; "
	       "coverage %s); tests: %u pass, %u fail, %u skip, %u error, %u waived; host checks: %u ok, "
	       "%u fail, %u not run\n", r->ncfg, n.cfg_pass, n.cfg_fail, n.cfg_error, n.cfg_na,
	       n.cfg_notrun, report_coverage(&n), n.pass, n.fail, n.skip, n.error, n.waived, n.check_ok,
	       n.check_fail, n.check_notrun);
	for (size_t i = 0; i < r->ncfg; i++) {
		const struct certify_db_config *c = &r->cfg[i];

		printf("  %-6s %-22s %-8s %6.2f s  %s\n", c->verdict, c->name, c->outcome, c->duration,
		       c->reason);
		for (size_t j = 0; j < c->nresult; j++)
			printf("        %-5s %s.%s %s%s%s%s\n", c->result[j].status, c->result[j].suite,
			       c->result[j].name, c->result[j].waiver[0] ? "(waiver " : "",
			       c->result[j].waiver, c->result[j].waiver[0] ? ") " : "",
			       c->result[j].message);
		for (size_t j = 0; j < c->ncheck; j++)
			printf("        %-6s host check %s: %s\n", report_check_state(&c->check[j]),
			       c->check[j].name, c->check[j].msg);
	}
}

static int db_load_arg(struct cli_common *c, const char *arg, struct certify_db **db,
		       struct certify_db_run *r)
{
	struct certify_err err;
	char today[11];
	int64_t id;

	certify_waiver_today(today);
	if (cli_db_open(c, db) != CLI_PASS)
		return -1;
	if (cli_run_id(*db, arg, &id) < 0)
		return cli_fail("RUN '%s': expected a run id or 'last'", arg), -1;
	if (certify_db_run_load(*db, id, r, &err) < 0)
		return cli_fail("%s", err.msg), -1;
	/* the live waivers of today (docs/certify.md, "Waivers"); the store keeps the verdicts */
	if (certify_db_run_waive(*db, r, today, &err) < 0) {
		certify_db_run_free(r);
		return cli_fail("%s", err.msg), -1;
	}
	return 0;
}

int cli_cmd_show(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify show RUN [--json] [--db PATH]";
	struct certify_db *db = NULL;
	struct certify_db_run r;
	struct certify_err err;
	int i = db_args(argc, argv, c, NULL, 0, usage, NULL, NULL), rc = CLI_PASS;

	if (i < 0)
		return CLI_ERROR;
	if (i != argc - 1)
		return cli_fail("show: expected one RUN (usage: %s)", usage);
	if (db_load_arg(c, argv[i], &db, &r) < 0) {
		certify_db_close(db);
		return CLI_ERROR;
	}
	if (c->json && report_json(&r, stdout, &err) < 0)
		rc = cli_fail("%s", err.msg);
	else if (!c->json)
		show_run(db, &r);
	certify_db_run_free(&r);
	certify_db_close(db);
	return rc;
}

struct history_opts {
	const char *model;
	int certified;
	int json;
	int rows;
};

static int history_opt(int o, const char *arg, void *ctx)
{
	struct history_opts *h = ctx;

	if (o == 'd')
		h->model = arg;
	else if (o == 'c')
		h->certified = 1;
	else
		return -1;
	return 0;
}

/*
 * A run still 'running' whose certify process on this host is gone was killed: shown as
 * "abandoned" (the store keeps 'running'; it never counts as certified).
 */
static const char *history_status(const struct certify_db_summary *s)
{
	char host[64] = "";

	gethostname(host, sizeof(host) - 1);
	if (!strcmp(s->status, "running") && !strcmp(s->host, host) && s->pid > 0 &&
	    kill((pid_t)s->pid, 0) < 0 && errno == ESRCH)
		return "abandoned";
	return s->status;
}

static int history_row(void *ctx, const struct certify_db_summary *s)
{
	struct history_opts *h = ctx;

	if (h->json) {
		printf("%s{\"id\":%lld,\"plan\":\"%s\",\"started\":\"%s\",\"finished\":\"%s\","
		       "\"status\":\"%s\",\"verdict\":\"%s\",\"certified\":%s,\"official\":%s}",
		       h->rows ? ",\n " : "", (long long)s->id, s->plan, s->started, s->finished,
		       history_status(s), s->verdict, s->certified ? "true" : "false",
		       s->official ? "true" : "false");
	} else {
		/* A passing run that is not certified says why: its plan is not the shipped one. */
		printf("%-5lld %-20s %-8s %-9s %-7s %-10s %-28.28s %s\n", (long long)s->id, s->started,
		       s->plan, history_status(s), s->verdict[0] ? s->verdict : "-",
		       s->certified ? "yes" : !s->official && !strcmp(s->verdict, "pass") ?
		       "unofficial" : "no", s->devices[0] ? s->devices : "-",
		       s->drivers[0] ? s->drivers : "-");
	}
	h->rows++;
	return 0;
}

int cli_cmd_history(int argc, char **argv, struct cli_common *c)
{
	static const struct option extra[] = {
		{ "device", required_argument, NULL, 'd' }, { "certified", no_argument, NULL, 'c' },
	};
	const char *usage = "certify history [--device MODEL] [--certified] [--json] [--db PATH]";
	struct history_opts h = { 0 };
	struct certify_db *db;
	struct certify_err err;
	int i = db_args(argc, argv, c, extra, 2, usage, history_opt, &h), rc;

	if (i < 0)
		return CLI_ERROR;
	if (i != argc)
		return cli_fail("history: unexpected argument '%s'", argv[i]);
	if (cli_db_open(c, &db) != CLI_PASS)
		return CLI_ERROR;
	h.json = c->json;
	if (h.json)
		printf("[");
	else
		printf("%-5s %-20s %-8s %-9s %-7s %-10s %-28s %s\n", "RUN", "STARTED", "PLAN", "STATUS",
		       "VERDICT", "CERTIFIED", "DEVICES", "DRIVERS");
	rc = certify_db_history(db, h.model, h.certified, history_row, &h, &err);
	if (h.json)
		printf("]\n");
	certify_db_close(db);
	return rc < 0 ? cli_fail("%s", err.msg) : CLI_PASS;
}

struct report_opts {
	const char *format, *output;
};

static int report_opt(int o, const char *arg, void *ctx)
{
	struct report_opts *r = ctx;

	if (o == 'f')
		r->format = arg;
	else if (o == 'o')
		r->output = arg;
	else
		return -1;
	return 0;
}

int cli_cmd_report(int argc, char **argv, struct cli_common *c)
{
	static const struct option extra[] = {
		{ "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
	};
	const char *usage = "certify report RUN --format json|junit|html [-o FILE] [--db PATH]";
	struct report_opts ro = { "json", NULL };
	struct certify_db *db = NULL;
	struct certify_db_run r;
	struct certify_err err;
	enum report_format f;
	int i = db_args(argc, argv, c, extra, 2, usage, report_opt, &ro), rc = CLI_PASS;

	if (i < 0)
		return CLI_ERROR;
	if (report_format_parse(ro.format, &f) < 0)
		return cli_fail("--format %s: expected json, junit or html", ro.format);
	if (i != argc - 1)
		return cli_fail("report: expected one RUN (usage: %s)", usage);
	if (db_load_arg(c, argv[i], &db, &r) < 0) {
		certify_db_close(db);
		return CLI_ERROR;
	}
	if (ro.output ? report_write_file(&r, f, ro.output, &err) < 0 :
			report_write(&r, f, stdout, &err) < 0)
		rc = cli_fail("report: %s", err.msg);
	certify_db_run_free(&r);
	certify_db_close(db);
	return rc;
}
