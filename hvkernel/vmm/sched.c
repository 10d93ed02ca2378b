/*
 * The vCPU scheduler: round robin over runnable VMs on this CPU with a fixed time slice.
 * A one-shot timer per slice makes the LAPIC interrupt the guest (an INTR exit), so a guest
 * that never exits on its own is still preempted; CPU time is accounted per VM. A VM whose
 * vCPU halted waiting for an interrupt gets no slice until one is pending; when all have,
 * the CPU halts too.
 */
#include <hv/time.h>
#include <kern/log.h>
#include <kern/time.h>
#include <vmm/sched.h>
#include <vmm/vm.h>

static void sched_slice_end(void *arg)
{
	*(volatile int *)arg = 1;
}

int sched_run(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us)
{
	uint64_t t0 = time_us();
	int runnable = n;

	while (runnable && (!total_us || time_us() - t0 < total_us)) {
		int nblocked = 0;
		runnable = 0;
		for (int i = 0; i < n; i++) {
			struct vm *vm = vms[i];
			if (vm->state != VM_READY && vm->state != VM_RUNNING)
				continue;
			if (vm_blocked(vm)) {	/* halted: no slice until an interrupt is pending */
				nblocked++;
				runnable++;
				continue;
			}
			volatile int expired = 0;
			struct hv_timer tick = { 0 };
			hv_timer_start(&tick, slice_us, sched_slice_end, (void *)&expired);
			vm_run_until(vm, &expired);
			hv_timer_cancel(&tick);
			vm->slices++;
			if (vm->state == VM_READY || vm->state == VM_RUNNING)
				runnable++;
		}
		if (nblocked && nblocked == runnable)
			vm_idle(vms, n, slice_us);	/* every VM halted: so is the CPU */
	}
	return runnable;
}
