/* certify: the kernel test list (tests/kernel/tests.cfg), kvm-unit-tests style. */
#ifndef CERTIFY_KTCFG_H
#define CERTIFY_KTCFG_H

#include <stddef.h>

#include "err.h"
#include "hvrrun.h"
#include "outcome.h"
#include "qemu.h"
#include "strv.h"

/* `modules = FILE:STATUS[:REASON]`: the boot module FILE must report STATUS. */
struct certify_modcheck {
	char file[64];		/* compared with the record's file (a basename) */
	char status[16];	/* loaded | skipped | refused | failed */
	char reason[128];	/* a substring of the reason ('_' matches '_' or a blank); "" any */
};

/* `driver = SLOT:NAME`: the PCI function at SLOT must be bound to driver NAME. */
struct certify_drvcheck {
	char slot[16];		/* BB:DD.F or SSSS:BB:DD.F */
	char driver[48];	/* "-": unbound */
	/* `contained = SLOT:OP:REASON:VIA` instead: a drvfail record for SLOT with this op and
	 * reason and a via containing VIA ('_' matches a blank); the pci record says failed
	 * and unbound. */
	int contained;
	char op[16], reason[16], via[48];
	char reset[8];		/* VIA/RESET: the drvfail record's reset (off, flr); "" any */
};

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
	struct certify_strv initrd;	/* boot modules, relative to the modules dir unless absolute */
	struct certify_modcheck *modcheck;	/* modules = ... */
	size_t nmodcheck;
	struct certify_drvcheck *drvcheck;	/* driver = ... */
	size_t ndrvcheck;
	struct certify_drvcheck *contcheck;	/* contained = ... */
	size_t ncontcheck;
	struct certify_strv qemu;	/* extra QEMU arguments */
	struct qemu_disk disks[QEMU_MAX_DISKS];
	size_t ndisks;
	struct certify_strv groups;
	struct certify_strv needs;	/* files under the modules folder the entry needs: SKIP without */
	double timeout_s;		/* default 60 */
	enum certify_outcome expect;	/* default pass */
	char oracle[32];		/* "" or "query-pci" */
	struct certify_strv qmp;	/* "POINT COMMAND [JSON-ARGS]": QMP work at sync points */
	struct certify_strv verify_disk;	/* "DEV:DISK": check blkwrite records of DEV in DISK */
	int verify_bad;			/* the image check must find exactly this many bad blocks
					 * (default 0; more proves the check can fail) */
	char peer[32];			/* netdev id wired to the host peer, or "" */
	unsigned peer_tap_queues;	/* peer_tap = ID:QUEUES: a tap with that many queues; 0: UDP */
	char *cdrom;			/* boot this ISO instead of the kernel, or NULL */
	char stall_record[16];		/* stall = TYPE SECONDS: at the first TYPE record the */
	double stall_s;			/* runner stops reading for SECONDS (a descheduled host) */
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

/*
 * Joins the test's boot modules with commas for QEMU's -initrd; a relative path is taken
 * under moddir. Returns a malloc'ed string, NULL when there are none; -1 in *rc with a
 * message when a path cannot be passed to QEMU (a comma or blank in it).
 */
char *certify_ktest_initrd(const struct certify_ktest *t, const char *moddir, int *rc,
			   struct certify_err *err);

/*
 * Checks one `modules` expectation against the run's module records. Returns 1 when it
 * holds, else 0 with the reason in why ("trunc.hvm: status loaded, expected refused").
 */
int certify_modcheck_eval(const struct certify_modcheck *c, const struct hvr_run *run,
			  char *why, size_t whylen);

/* Same for a `driver` or `contained` expectation and the run's pci and drvfail records. */
int certify_drvcheck_eval(const struct certify_drvcheck *c, const struct hvr_run *run,
			  char *why, size_t whylen);

/* 1 when the test is in the group. */
int certify_ktest_in_group(const struct certify_ktest *t, const char *group);

#endif
