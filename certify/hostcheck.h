/*
 * certify: host checks, the host's own evidence about one boot. The driver under test runs in
 * ring 0, so its kernel's records are never the only word: wherever the host can see an
 * effect (frames at its end of the wire, blocks in the image, QEMU's counters) a host check
 * computes it and the judge compares (docs/certify.md, "Host checks").
 *
 * A check is named `AREA.WHAT` (peer.frames, image.verify, ...). Before a boot the executor
 * adds every check the plan requires, not run; the check's own code fills it in when it runs.
 * The judge: a check that ran and disagrees fails the configuration; a required check that
 * never ran is an error, never a pass.
 */
#ifndef CERTIFY_HOSTCHECK_H
#define CERTIFY_HOSTCHECK_H

#include <stddef.h>

#define CERTIFY_HOSTCHECK_MAX	16	/* checks per boot */

struct certify_hostcheck {
	char name[48];
	int ran;		/* the host looked */
	int ok;			/* and saw what the kernel claims (meaningful when ran) */
	char msg[256];		/* one line: what was seen, or why the check did not run */
	int impossible;		/* cannot run on this target (a bare-metal machine): not run,
				 * never a pass, and no error (certify_hostchecks_target) */
};

/* The checks of one boot. */
struct certify_hostchecks {
	struct certify_hostcheck v[CERTIFY_HOSTCHECK_MAX];
	size_t n;
};

struct certify_run_spec;

/* The check `name`, added as not run when absent; NULL when the set is full. */
struct certify_hostcheck *certify_hostcheck_get(struct certify_hostchecks *s, const char *name);

/* Records that the check ran: ok or not, and what it saw. */
void certify_hostcheck_done(struct certify_hostcheck *c, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records why the check could not run (QMP gone, image unreadable): ran 0. */
void certify_hostcheck_notrun(struct certify_hostcheck *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Adds every check the plan and devices of spec require, each not run with the reason it
 * stays so when nothing fills it in (e.g. "the kernel never reached sync point blkverify").
 */
void certify_hostchecks_require(const struct certify_run_spec *spec, struct certify_hostchecks *s);

/*
 * A physical device (`where`: "a bare-metal target", "a passed-through host device"):
 * every check of s whose evidence only QEMU's models give (its wire, its image, its block
 * statistics, the MAC it assigned) is marked not run and impossible, with why ("not
 * possible on WHERE: ..."). The judge leaves those out; reports show them not run.
 */
void certify_hostchecks_impossible(struct certify_hostchecks *s, const char *where);

#endif
