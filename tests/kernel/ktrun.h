/* hvktest: run one entry of the kernel test list and judge it. */
#ifndef HVKTEST_KTRUN_H
#define HVKTEST_KTRUN_H

#include <stdio.h>

#include "ktcfg.h"

struct hvktest_opts {
	const char *kernel;	/* the ELF given to -kernel */
	const char *logdir;	/* COM1 logs go to LOGDIR/NAME.log; NULL: none */
	const char *moddir;	/* relative initrd paths are under it (build/modules) */
	int verbose;
	int kvm_ok;		/* /dev/kvm opens */
	char kvm_why[128];	/* why not */
};

/* What one entry contributes to the counts file. */
struct hvktest_tally {
	unsigned passed, failed;
	unsigned skipped;	/* in-kernel tests that skipped, or 1 for an entry not run here */
	int entry_failed;	/* the entry's verdict was FAIL */
	int entry_skipped;	/* the entry could not run here (no KVM, no tap) */
};

/* Runs test t and writes its report lines to out. */
void hvktest_run(const struct hvktest_opts *o, const struct certify_ktest *t, FILE *out,
		 struct hvktest_tally *tally);

#endif
