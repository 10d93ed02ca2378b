/* certify CLI: what the subcommand files share. */
#ifndef CERTIFY_CLI_H
#define CERTIFY_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "cli_exit.h"
#include "run.h"
#include "store.h"


/* Options every subcommand takes. */
struct cli_common {
	const char *db;		/* --db */
	const char *plans;	/* --plans DIR */
	const char *modules;	/* --modules-dir DIR */
	const char *kernel;	/* --kernel ELF */
	int json;		/* --json */
};

/* Prints "certify: " + message to stderr; returns CLI_ERROR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Resolves a repository path (plans, build/modules, build/hvkernel.elf): the option, else
 * the environment variable, else rel under the current directory when it exists, else rel
 * under the checkout that holds this binary (build/bin/certify). */
void cli_path(const char *opt, const char *env, const char *rel, char *out, size_t outlen);

/* Opens the store named by --db / $HVKIT_DB / the default. Returns CLI_PASS or CLI_ERROR. */
int cli_db_open(const struct cli_common *c, struct certify_db **db);

/* Parses a run id ("42" or "last"). Returns 0 or -1. */
int cli_run_id(struct certify_db *db, const char *s, int64_t *id);

/* Converts one finished configuration for the store (free with certify_db_config_free). */
int cli_record(const struct certify_run_spec *spec, const struct certify_config_result *r,
	       struct certify_db_config *out);

/* What a run boots and binds (bind.c): private copies of the kernel and the modules in dir,
 * the sha256 of the plan and the kernel copy, QEMU's version, official or not. */
struct cli_bind {
	char dir[256];
	char kernel[300];		/* the kernel's copy */
	int kernel_copied;
	struct certify_modinfo *mods;	/* the modules' copies (ids shared with the originals) */
	size_t ncopied;
	struct certify_db_binding db;	/* what the store keeps */
};

/* Copies kernel and mods, hashes them, asks QEMU its version, checks the plan against the
 * shipped ones. Returns 0, or non-zero when it said on stderr why not; free with
 * cli_bind_free either way. */
int cli_bind_prepare(struct cli_bind *b, const char *kernel, const struct certify_modinfo *mods,
		     size_t nmods, const struct certify_plan *plan);
void cli_bind_free(struct cli_bind *b);

/* The live progress display (a status line on a tty, plain lines otherwise). */
struct cli_progress;
struct cli_progress *cli_progress_new(FILE *out, size_t total, int jobs, int verbose);
void cli_progress_start(struct cli_progress *p, const struct certify_config *c);
void cli_progress_test(struct cli_progress *p, const struct certify_config *c,
		       const struct hvr_test *t);
void cli_progress_done(struct cli_progress *p, const struct certify_config_result *r);
void cli_progress_free(struct cli_progress *p);

/* A run's preparation (cmd_run.c), shared by run, submit and worker. */
struct cli_run;
struct cli_run *cli_run_new(struct cli_common *c);
void cli_run_free(struct cli_run *r);
/* Parses run's arguments (argv[0] is the command; getopt from optind), finds the plan and
 * the modules, binds them. Returns 0, or non-zero when it said why on stderr. */
int cli_run_prepare(struct cli_run *r, int argc, char **argv);
/* The plan's matrix: its size with *cfgs (free it), or -1 when it said why. */
int cli_run_matrix(struct cli_run *r, struct certify_config **cfgs);
/* What runs.config keeps (malloc'ed JSON) and the drivers (malloc'ed, *n of them). */
char *cli_run_request(const struct cli_run *r, const struct certify_config *cfgs, size_t n);
struct certify_db_driver *cli_run_drivers(const struct cli_run *r, size_t *n);
struct certify_run_spec *cli_run_spec(struct cli_run *r);
const struct certify_db_binding *cli_run_binding(const struct cli_run *r);
const char *cli_run_plan(const struct cli_run *r);
/* 1 when r binds what run binds (the same plan, kernel and modules), else 0 with why. */
int cli_run_same(struct cli_run *r, const struct certify_db_run *run, char *why, size_t len);
void cli_run_header(const struct cli_run *r, FILE *out, size_t n);

int cli_cmd_run(int argc, char **argv, struct cli_common *c);
/* certify run with argv (argv[0] "run"; getopt from optind); *id (when not NULL) gets the
 * stored run's id, 0 when none was stored. Returns run's exit status. */
int cli_run_main(int argc, char **argv, struct cli_common *c, int64_t *id);
/* certify rerun RUN --failed: the configurations of run that failed or erred, run again;
 * the others stay on the record as not run ("not rerun: ..."). */
struct cli_rerun {
	int64_t run;
	const struct certify_db_run *orig;	/* its plan, kernel and modules must be this run's */
	const char *const *names;
	size_t n;
};
int cli_run_main_rerun(int argc, char **argv, struct cli_common *c, int64_t *id,
		       const struct cli_rerun *rr);
int cli_cmd_rerun(int argc, char **argv, struct cli_common *c);
/* The run's stored request (runs.config) as `certify run` arguments into argv (at most max,
 * NULL-terminated; the strings in buf): devices, modules (mods, when not NULL, replaces the
 * request's files), plan, seed, accel, soak, jobs. Returns 0, or -1 when it cannot be read. */
int cli_request_argv(const char *json, const char *const *mods, size_t nmods, char **argv,
		     size_t max, size_t *argc, char *buf, size_t len);
int cli_cmd_submit(int argc, char **argv, struct cli_common *c);
int cli_cmd_worker(int argc, char **argv, struct cli_common *c);
int cli_cmd_status(int argc, char **argv, struct cli_common *c);
int cli_cmd_cancel(int argc, char **argv, struct cli_common *c);
int cli_cmd_plans(int argc, char **argv, struct cli_common *c);
int cli_cmd_devices(int argc, char **argv, struct cli_common *c);
int cli_cmd_show(int argc, char **argv, struct cli_common *c);
int cli_cmd_history(int argc, char **argv, struct cli_common *c);
int cli_cmd_report(int argc, char **argv, struct cli_common *c);
int cli_cmd_package(int argc, char **argv, struct cli_common *c);
int cli_cmd_verify(int argc, char **argv, struct cli_common *c);
int cli_cmd_import(int argc, char **argv, struct cli_common *c);
int cli_cmd_replay(int argc, char **argv, struct cli_common *c);
int cli_cmd_waiver(int argc, char **argv, struct cli_common *c);

#endif

/* getopt_long entries every subcommand accepts (codes 0x100..0x10f). */
#define CLI_COMMON_OPTS							\
	{ "db", required_argument, NULL, 0x100 },			\
	{ "plans", required_argument, NULL, 0x101 },			\
	{ "modules-dir", required_argument, NULL, 0x102 },		\
	{ "kernel", required_argument, NULL, 0x103 },			\
	{ "json", no_argument, NULL, 0x104 }

/* Handles a common option code. Returns 1 when it was one, else 0. */
int cli_common_opt(int code, const char *arg, struct cli_common *c);
