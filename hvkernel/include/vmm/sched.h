/* Round-robin scheduling of VMs' vCPUs on one or several physical CPUs (vmm/sched.c). */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdint.h>

struct vm;

/* Run the VMs in turn, slice_us each, until all have exited or stopped or total_us has
 * passed (0: no limit). Returns how many are still runnable. */
int sched_run(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us);
/* The same on ncpus physical CPUs (this one and CPUs 1..ncpus-1, those that are idle):
 * every vCPU of every VM is a unit of scheduling, and vCPUs of one VM may run at once on
 * different CPUs. sched_run is sched_run_cpus with ncpus = 1. */
int sched_run_cpus(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us, int ncpus);

#endif
