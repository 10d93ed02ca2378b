/* certify: run a plan's configurations (one kernel boot each) and judge them. */
#ifndef CERTIFY_RUN_H
#define CERTIFY_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "matrix.h"
#include "modinfo.h"
#include "plan.h"
#include "session.h"

#define CERTIFY_MAX_DUT	8

/* A device under test: a QEMU model and extra -device properties. */
struct certify_dut {
	char model[48];
	char props[256];		/* "" or ",prop=value..." appended to -device */
	const struct certify_model *m;	/* from the model table */
};

/* pass: the driver did what the plan requires; fail: it misbehaved; error: harness broke. */
enum certify_verdict { CERTIFY_V_PASS, CERTIFY_V_FAIL, CERTIFY_V_ERROR, CERTIFY_V_SKIP };

struct certify_run_spec {
	const struct certify_plan *plan;
	struct certify_dut dut[CERTIFY_MAX_DUT];
	size_t ndut;
	const struct certify_modinfo *mods;	/* modules passed as boot modules */
	size_t nmods;
	uint64_t seed;
	const char *kernel;
	int jobs;				/* configurations at once, >= 1 */
};

/* What one configuration gave. */
struct certify_config_result {
	struct certify_config cfg;
	enum certify_verdict verdict;
	char reason[512];		/* one line */
	char append[1024];		/* the kernel command line */
	struct certify_result res;	/* the session's result (run records, tails) */
	char *log;			/* the whole COM1 log (malloc'ed, or NULL) */
	int ran;			/* 0 when skipped */
};

/* Progress callbacks, called with the runner's lock held (one at a time). */
struct certify_run_hooks {
	void (*start)(void *ctx, const struct certify_config *c);
	void (*test)(void *ctx, const struct certify_config *c, const struct hvr_test *t);
	void (*done)(void *ctx, struct certify_config_result *r);
	void *ctx;
};

/*
 * Builds the QEMU configuration of one boot: extra arguments into args, the -initrd list
 * into initrd and the kernel command line into append (q points into all three).
 * Returns 0 or -1.
 */
int certify_run_qemu_config(const struct certify_run_spec *spec, const struct certify_config *c,
			    struct qemu_config *q, struct certify_strv *args, char *initrd,
			    size_t initrdlen, char *append, size_t appendlen, struct certify_err *err);

/*
 * Runs every configuration, spec->jobs at a time, each one certify_session_run. results
 * has n entries (free each with certify_config_result_free). Returns 0, or -1 when
 * interrupted (configurations not run are marked error and passed to hooks->done too).
 */
int certify_run_all(const struct certify_run_spec *spec, const struct certify_config *cfgs,
		    size_t n, const struct certify_run_hooks *hooks,
		    struct certify_config_result *results);

/* Judges one finished boot (also used by the unit tests). Writes a one-line reason. */
enum certify_verdict certify_run_judge(const struct certify_run_spec *spec,
				       const struct certify_result *res, char *reason,
				       size_t reasonlen);

/* The whole run: fail beats error beats pass; skipped configurations do not count, and a
 * run where nothing ran is an error. */
enum certify_verdict certify_run_verdict(const struct certify_config_result *r, size_t n);

const char *certify_verdict_name(enum certify_verdict v);

/* The pci record of the first function that is model m, or NULL. */
const struct hvr_pci *certify_run_find_pci(const struct hvr_run *run, const struct certify_model *m);

void certify_config_result_free(struct certify_config_result *r);

#endif
