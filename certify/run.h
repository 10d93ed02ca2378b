/*
 * certify: the executor. Runs a plan's configurations (one kernel boot each, several at
 * once), acts on the kernel's sync points (image check, link flap, host peer) while it runs,
 * and hands each boot's evidence to the judge (judge.h). The devices go on QEMU's command
 * line through attach.h, the kernel command line comes from cmdline.h.
 */
#ifndef CERTIFY_RUN_H
#define CERTIFY_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "hostcheck.h"
#include "judge.h"
#include "matrix.h"
#include "session.h"
#include "spec.h"

/* What one configuration gave. */
struct certify_config_result {
	struct certify_config cfg;
	enum certify_verdict verdict;
	char reason[512];		/* one line */
	char append[1024];		/* the kernel command line */
	struct certify_result res;	/* the session's result (run records, tails) */
	struct certify_hostchecks checks;	/* the host's own evidence (hostcheck.h) */
	char *log;			/* the whole COM1 log (malloc'ed, or NULL) */
	int ran;			/* 0 when not applicable, not run or never started */
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

void certify_config_result_free(struct certify_config_result *r);

#endif
