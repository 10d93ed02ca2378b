/* Round-robin scheduling of VMs' vCPUs on one or several physical CPUs (vmm/sched.c). */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdint.h>

struct vm;

/* The usual time slice of a vCPU. The one-shot timer that ends it fires on the 1 kHz tick
 * (kern/timer.c), so a slice lasts 2 to 3 ms: short enough that vCPUs sharing a CPU
 * interleave finely, long enough that the VMRUN/#VMEXIT of a switch stays a small part. */
#define SCHED_SLICE_US		2000

/* Run the VMs in turn, slice_us each, until all have exited or stopped or total_us has
 * passed (0: no limit). Returns how many are still runnable. */
int sched_run(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us);
/* The same on ncpus physical CPUs (this one and CPUs 1..ncpus-1, those that are idle):
 * every vCPU of every VM is a unit of scheduling, and vCPUs of one VM may run at once on
 * different CPUs. sched_run is sched_run_cpus with ncpus = 1. */
int sched_run_cpus(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us, int ncpus);

#endif
