/* certify: certification plans (the files in plans/, format in docs/certify.md). */
#ifndef CERTIFY_PLAN_H
#define CERTIFY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "modinfo.h"
#include "qemu.h"
#include "strv.h"

enum certify_topology {
	CERTIFY_TOPO_NONE,	/* each --device attached once, nothing else */
	CERTIFY_TOPO_NIC_PAIR,	/* two instances of the NIC joined by a QEMU hub */
	CERTIFY_TOPO_DISK,	/* each storage controller gets a scratch disk */
	CERTIFY_TOPO_VM,	/* the first NIC is wired to the host peer, each storage controller
				 * gets a scratch disk: guests reach both through the hypervisor */
};

struct certify_plan {
	char name[32];
	char description[200];
	char file[256];			/* where it was read, for messages */
	char sha256[65];		/* of the plan text as read: what a run binds */
	int has_kind;			/* kind = nic|storage; without it the plan takes any device */
	enum certify_kind kind;
	int hidden;			/* not listed by `certify plans` without --all */
	struct certify_strv tests;	/* kernel test selection words (test=) */
	struct certify_strv required;	/* tests that must pass; "all" = every test */
	struct certify_strv params;	/* SUITE.KEY=VALUE templates, see certify_plan_expand */
	struct certify_strv machines;	/* pc q35 */
	struct certify_strv irqs;	/* msix msi intx, or "none" */
	struct certify_strv smps;	/* 1 2 */
	struct certify_strv accels;	/* tcg kvm */
	int mem_mib;			/* default 256 */
	double timeout_s;		/* per boot, default 120 */
	enum qemu_firmware firmware;	/* default seabios */
	int iommu;			/* iommu = intel: QEMU's intel-iommu in front of the
					 * devices (q35 only); default none */
	enum certify_topology topology;	/* default none */
	uint64_t disk_bytes;		/* scratch disk size (topology disk), default 64 MiB */
	char eio_lba[64];		/* "" or a template: blkdebug EIO at that sector, blk.eio_lba= */
	unsigned soak_s;		/* seconds of the suites' soak, {soak} in params; default 60,
					 * `certify run --soak` sets it for one run */
	char eio_wlba[64];		/* "" or a template: blkdebug write EIO there, blk.eio_wlba= */
	int eio_flush;			/* yes: the first flush fails (blkdebug), blk.eio_flush=1 */
};

/* Parses plan text (and takes its sha256); fname names it in messages ("nic.plan:7: unknown
 * key 'foo'"). Returns 0 or -1. */
int certify_plan_parse(const char *text, const char *fname, struct certify_plan *p,
		       struct certify_err *err);

/* Reads and parses a file (at most CERTIFY_PLAN_MAX bytes). Returns 0 or -1. */
#define CERTIFY_PLAN_MAX	65536
int certify_plan_load(const char *path, struct certify_plan *p, struct certify_err *err);

/* Loads plan `name` from dir/NAME.plan. Returns 0 or -1 ("plan 'x': no such plan in plans/"). */
int certify_plan_find(const char *dir, const char *name, struct certify_plan *p,
		      struct certify_err *err);

void certify_plan_free(struct certify_plan *p);

/* 1 when the test SUITE.NAME is required by the plan. */
int certify_plan_requires(const struct certify_plan *p, const char *suite, const char *name);

/* Parses a soak duration in seconds (1..86400): plan key soak, certify run --soak. 0 or -1. */
int certify_plan_soak(const char *val, unsigned *out);

/*
 * Expands a template: {seed} is the run's seed, {disk_bytes} the scratch disk size,
 * {rand:LO:HI} a number in [LO, HI] drawn from the seed (the same seed and template give
 * the same number). Returns 0, or -1 on a malformed template.
 */
int certify_plan_expand(const struct certify_plan *p, const char *tmpl, uint64_t seed,
			char *out, size_t outlen, struct certify_err *err);

/* "none", "nic-pair", "disk". */
const char *certify_topology_name(enum certify_topology t);

#endif
