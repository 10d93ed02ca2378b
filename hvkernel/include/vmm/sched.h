/* Round-robin scheduling of VMs' vCPUs on the boot CPU (vmm/sched.c). */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdint.h>

struct vm;

/* Run the VMs in turn, slice_us each, until all have exited or stopped or total_us has
 * passed (0: no limit). Returns how many are still runnable. */
int sched_run(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us);

#endif
