/*
 * The boot breakdown: for each boot phase and each driver's probe, the time it took and
 * what it did that a hypervisor under hvkernel intercepts (arch/cpu.h: port I/O, MMIO,
 * other intercepted instructions) and the console bytes it wrote. On the log and as
 * `phase` and `bind` records (docs/result-channel.md).
 */
#ifndef KERN_BOOTSTAT_H
#define KERN_BOOTSTAT_H

#include <arch/cpu.h>
#include <stdint.h>

struct bootstat_mark {
	uint64_t us;
	struct cpu_exitcount x;
	uint64_t con;
};

/* The counters now. */
void bootstat_mark(struct bootstat_mark *m);
/* Phase NAME ended now; it began where the last phase ended (kernel entry for the first). */
void bootstat_phase(const char *name);
/* DRIVER's probe of SLOT ran from START to END: a `bind` record with its cost; status is
 * "bound" or "failed". */
void bootstat_bind(const char *slot, const char *driver, const char *status,
		   const struct bootstat_mark *start, const struct bootstat_mark *end);

#endif
