/* certify: a plan's QEMU configuration matrix (machine x interrupt mode x CPUs x accelerator). */
#ifndef CERTIFY_MATRIX_H
#define CERTIFY_MATRIX_H

#include <stddef.h>

#include "modinfo.h"
#include "plan.h"
#include "qemu.h"

/* Whether a configuration boots: one that cannot is either not applicable (the device lacks
 * what it forces, e.g. an interrupt mode) or not run (the host cannot or was told not to run
 * it: KVM unusable, another --accel chosen). Neither is ever a pass. */
enum certify_cfg_state { CERTIFY_CFG_RUN, CERTIFY_CFG_NA, CERTIFY_CFG_NOTRUN };

/* One configuration: one kernel boot. */
struct certify_config {
	int index;			/* 0-based position in the matrix */
	char name[48];			/* e.g. "q35-msix-smp2-kvm" */
	char machine[8];		/* pc | q35 */
	char irq[8];			/* msix | msi | intx | none (no pci.irq= key) */
	int smp;
	enum qemu_accel accel;		/* TCG or KVM, never AUTO */
	enum certify_cfg_state state;
	char why[160];			/* "" or why it is not applicable or not run */
};

/*
 * Expands the plan's lists into configurations (machines outermost, accelerators
 * innermost): the whole matrix, so what was not run stays on the record. A forced
 * interrupt mode outside irqs (CERTIFY_IRQ_*: what every device under test offers) is not
 * applicable. `want` TCG or KVM runs only that accelerator (a plan without it gets it
 * anyway, so --accel always runs something): the plan's others are not run ("not asked
 * for: --accel tcg"); AUTO runs the plan's. KVM configurations are not run when kvm_ok is 0.
 * Returns the count (malloc'ed array in *out), or -1.
 */
int certify_matrix_build(const struct certify_plan *p, enum qemu_accel want, int kvm_ok,
			 const char *kvm_why, unsigned irqs, struct certify_config **out,
			 struct certify_err *err);

/*
 * A bare-metal target is one machine: its chipset, CPUs and no accelerator are what they
 * are. Of the configurations that would run, the first of each interrupt mode runs, renamed
 * "target-IRQ" (machine "target"); the others are not run, naming it.
 */
void certify_matrix_target(struct certify_config *cfgs, size_t n);

/* Writes the configuration as a JSON object, e.g. {"machine":"pc","irq":"msix","smp":1,"accel":"tcg"}. */
void certify_config_json(const struct certify_config *c, char *out, size_t outlen);

#endif
