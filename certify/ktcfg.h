/* certify: the kernel test list (tests/kernel/tests.cfg), kvm-unit-tests style. */
#ifndef CERTIFY_KTCFG_H
#define CERTIFY_KTCFG_H

#include <stddef.h>

#include "err.h"
#include "outcome.h"
#include "qemu.h"
#include "strv.h"

/* One [section] of the file. */
struct certify_ktest {
	char name[64];
	char file[256];			/* where it was read, for messages */
	int line;			/* of the [name] header */
	char machine[8];		/* pc | q35 (default pc) */
	enum qemu_accel accel;		/* default tcg */
	enum qemu_firmware firmware;	/* default seabios */
	int smp;			/* default 1 */
	int mem_mib;			/* default 256 */
	char *append;			/* kernel command line, or NULL */
	char *initrd;			/* comma-separated modules, or NULL */
	struct certify_strv qemu;	/* extra QEMU arguments */
	struct qemu_disk disks[QEMU_MAX_DISKS];
	size_t ndisks;
	struct certify_strv groups;
	double timeout_s;		/* default 60 */
	enum certify_outcome expect;	/* default pass */
	char oracle[32];		/* "" or "query-pci" */
};

struct certify_ktcfg {
	struct certify_ktest *test;
	size_t ntest;
};

/*
 * Parses the text of a config file; fname names it in messages, which look like
 * "tests.cfg:12: unknown key 'foo'". Returns 0, or -1 with the first error.
 */
int certify_ktcfg_parse(const char *text, const char *fname, struct certify_ktcfg *cfg,
			struct certify_err *err);

/* Reads and parses a file. Returns 0 or -1. */
int certify_ktcfg_load(const char *path, struct certify_ktcfg *cfg, struct certify_err *err);

void certify_ktcfg_free(struct certify_ktcfg *cfg);

/* 1 when the test is in the group. */
int certify_ktest_in_group(const struct certify_ktest *t, const char *group);

#endif
