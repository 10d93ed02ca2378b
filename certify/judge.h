/*
 * certify: the verdict rules. One boot is judged from everything it left, gathered in one
 * struct certify_judge_in: what the kernel reported (its records and how QEMU ended) and
 * what the host observed itself (frames at the host peer, blocks in the disk image). The
 * kernel's word is never the only evidence: where the host saw an effect, a disagreement
 * fails the driver (design.md, "Where trust comes from").
 */
#ifndef CERTIFY_JUDGE_H
#define CERTIFY_JUDGE_H

#include <stddef.h>

#include "hostcheck.h"
#include "hvrrun.h"
#include "models.h"
#include "session.h"

struct certify_run_spec;
struct certify_config_result;

/* pass: the driver did what the plan requires; fail: it misbehaved; error: harness broke;
 * na: the configuration does not apply to the device (an interrupt mode it lacks); notrun:
 * the host could not or was told not to run it (KVM unusable, --accel). */
enum certify_verdict { CERTIFY_V_PASS, CERTIFY_V_FAIL, CERTIFY_V_ERROR, CERTIFY_V_NA,
		       CERTIFY_V_NOTRUN };

/* "pass", "fail", "error", "na", "notrun". */
const char *certify_verdict_name(enum certify_verdict v);

/* The evidence of one boot. */
struct certify_judge_in {
	const struct certify_run_spec *spec;	/* what was asked: plan, devices, modules */
	const struct certify_result *res;	/* the session: QEMU's end and the kernel's records */
	/* What the host saw for itself (hostcheck.h): every check the plan requires, run or not. */
	const struct certify_hostcheck *checks;
	size_t nchecks;
};

/*
 * Judges one boot. The kernel's side, in order: the result channel parsed cleanly; no
 * verifier violation (any one fails the boot, its reason naming the first); QEMU's
 * end (timeout, panic and reset fail); every boot module loaded unchanged and every device
 * got a driver; no test failed or required test skipped; the kernel said what it selected
 * (its `selected` records), selected only what the plan asks and something for every word
 * of the plan's tests, and reported at least one test; no required test missing (`all`:
 * every word and every selected test); the kernel's exit agrees. The host's side: a host check that ran and disagrees fails, one that did not run
 * is an error. A failure on either side beats an error (the host's own evidence of a
 * misbehaving driver stands even when the kernel's records are not believed); with equal
 * weight the kernel's reason is named. Writes a one-line reason.
 */
enum certify_verdict certify_judge(const struct certify_judge_in *in, char *reason, size_t len);

/* The whole run: fail beats error beats pass; configurations not applicable or not run do
 * not count either way, and a run where no configuration passed is an error. */
enum certify_verdict certify_run_verdict(const struct certify_config_result *r, size_t n);

/* What a run covered: configurations by verdict, and the first reason one was not run (and
 * whether others had other reasons). */
struct certify_coverage {
	size_t pass, fail, error, na, notrun;
	char notrun_why[160];
	int notrun_mixed;
};
void certify_run_coverage(const struct certify_config_result *r, size_t n,
			  struct certify_coverage *c);

/* The pci record of the first function that is model m, or NULL. */
const struct hvr_pci *certify_run_find_pci(const struct hvr_run *run, const struct certify_model *m);

#endif
