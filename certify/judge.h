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

#include "blkverify.h"
#include "hvrrun.h"
#include "models.h"
#include "peer.h"
#include "session.h"

struct certify_run_spec;
struct certify_config_result;

/* pass: the driver did what the plan requires; fail: it misbehaved; error: harness broke. */
enum certify_verdict { CERTIFY_V_PASS, CERTIFY_V_FAIL, CERTIFY_V_ERROR, CERTIFY_V_SKIP };

/* "pass", "fail", "error", "skip". */
const char *certify_verdict_name(enum certify_verdict v);

/* The evidence of one boot. */
struct certify_judge_in {
	const struct certify_run_spec *spec;	/* what was asked: plan, devices, modules */
	const struct certify_result *res;	/* the session: QEMU's end and the kernel's records */
	/* What the host saw for itself; NULL where it did not look. */
	const struct certify_peer_run *peer;	/* frames at the host end of the wire */
	const struct certify_blkverify *image;	/* blocks in the disk image */
};

/*
 * Judges one boot, in order: the result channel parsed cleanly; QEMU's end (timeout, panic
 * and reset fail); every boot module loaded unchanged and every device got a driver; no test
 * failed, no required test skipped or missing; the kernel's exit agrees; then the host's
 * observations: every frame the kernel sent arrived intact, every block reached the image.
 * Writes a one-line reason.
 */
enum certify_verdict certify_judge(const struct certify_judge_in *in, char *reason, size_t len);

/* The whole run: fail beats error beats pass; skipped configurations do not count, and a
 * run where nothing ran is an error. */
enum certify_verdict certify_run_verdict(const struct certify_config_result *r, size_t n);

/* The pci record of the first function that is model m, or NULL. */
const struct hvr_pci *certify_run_find_pci(const struct hvr_run *run, const struct certify_model *m);

#endif
