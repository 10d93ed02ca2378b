/*
 * The vCPU scheduler: round robin over the runnable vCPUs of several VMs, with a fixed
 * time slice, on one or several physical CPUs. A one-shot timer per slice makes the LAPIC
 * interrupt the guest (an INTR exit), so a guest that never exits on its own is still
 * preempted; CPU time is accounted per vCPU and per VM. A vCPU that halted waiting for an
 * interrupt, or is parked (not started), or is done, gets no slice; when a CPU finds
 * nothing to run it halts too, for at most a slice.
 *
 * Several CPUs: each runs the same loop (sched_worker) over one shared list of vCPUs. A
 * CPU claims a vCPU with an atomic exchange on vc->claimed before running it and releases
 * it after its slice, so no vCPU ever runs on two CPUs at once, while two vCPUs of one VM
 * may well run at the same time on two CPUs (their shared state is under vm->lock, see
 * include/vmm/vm.h). No lock is needed for the list itself: it does not change while the
 * workers run.
 */
#include <arch/cpu.h>
#include <kern/log.h>
#include <kern/smp.h>
#include <kern/time.h>
#include <kern/timer.h>
#include <vmm/sched.h>
#include <vmm/vm.h>

#define SCHED_MAX_VCPUS		64
#define SCHED_HELPER_WAIT_US	1000000	/* one wait for a helper CPU to leave its worker */

struct sched_ctx {
	struct vm **vms;
	int n;
	uint64_t slice_us, total_us, t0;
	struct vm_vcpu *q[SCHED_MAX_VCPUS];
	int nq;
	unsigned next;			/* round-robin cursor (atomic) */
	volatile int done;		/* every VM ended, or the time is up */
};

static void sched_slice_end(void *arg)
{
	*(volatile int *)arg = 1;
}

/*
 * Claim the next vCPU that can run, starting after the last one handed out. *live counts
 * the vCPUs that could still run at all (started or not, of a VM that has not ended).
 */
static struct vm_vcpu *sched_pick(struct sched_ctx *c, int *live)
{
	unsigned start = __atomic_load_n(&c->next, __ATOMIC_RELAXED);

	*live = 0;
	for (int k = 0; k < c->nq; k++) {
		unsigned i = (start + (unsigned)k) % (unsigned)c->nq;
		struct vm_vcpu *vc = c->q[i];
		if (!vm_live(vc->vm) || vc->done)
			continue;
		(*live)++;
		if (!vc->started || vc->claimed)
			continue;
		if (__atomic_exchange_n(&vc->claimed, 1, __ATOMIC_ACQUIRE))
			continue;	/* another CPU took it first */
		if (vm_vcpu_blocked(vc)) {	/* halted: no slice until an interrupt is pending */
			__atomic_store_n(&vc->claimed, 0, __ATOMIC_RELEASE);
			continue;
		}
		__atomic_store_n(&c->next, i + 1, __ATOMIC_RELAXED);	/* the next pick starts after it */
		return vc;
	}
	return 0;
}

/* Nothing for this CPU to run now: sleep until its next interrupt, a slice at most. */
static void sched_idle(struct sched_ctx *c)
{
	if (c->n > 0) {		/* one CPU: sleeps while every vCPU is halted */
		vm_idle(c->vms, c->n, c->slice_us);
		return;
	}
	volatile int woke = 0;
	struct hv_timer t = { 0 };
	timer_start(&t, c->slice_us, sched_slice_end, (void *)&woke);
	cpu_cli();
	if (!woke)
		__asm__ volatile("sti; hlt; cli" ::: "memory");	/* STI's shadow covers HLT */
	cpu_sti();
	timer_cancel(&t);
}

static void sched_worker(void *arg)
{
	struct sched_ctx *c = arg;

	while (!c->done) {
		if (c->total_us && time_us() - c->t0 >= c->total_us) {
			c->done = 1;
			break;
		}
		int live;
		struct vm_vcpu *vc = sched_pick(c, &live);
		if (!vc) {
			if (!live) {
				c->done = 1;
				break;
			}
			sched_idle(c);
			continue;
		}
		volatile int expired = 0;
		struct hv_timer tick = { 0 };
		timer_start(&tick, c->slice_us, sched_slice_end, (void *)&expired);
		vm_vcpu_run_until(vc, &expired);
		timer_cancel(&tick);
		vc->slices++;
		__atomic_fetch_add(&vc->vm->slices, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&vc->claimed, 0, __ATOMIC_RELEASE);
	}
}

static void sched_worker_call(void *arg)
{
	cpu_sti();
	sched_worker(arg);
}

int sched_run_cpus(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us, int ncpus)
{
	struct sched_ctx c = { .vms = vms, .n = n, .slice_us = slice_us, .total_us = total_us, .t0 = time_us() };
	int helpers[SMP_MAX_CPUS], nhelpers = 0;

	for (int i = 0; i < n; i++)
		for (int k = 0; k < vms[i]->nvcpus && c.nq < SCHED_MAX_VCPUS; k++)
			c.q[c.nq++] = &vms[i]->vcpus[k];
	/* vm_idle's "every vCPU halted" test only holds when one CPU runs them all. */
	if (ncpus > 1)
		c.n = 0;
	for (int cpu = 1; cpu < ncpus && cpu < smp_cpu_count(); cpu++)
		if (smp_call((unsigned)cpu, sched_worker_call, &c) == 0)
			helpers[nhelpers++] = cpu;
	sched_worker(&c);
	for (int i = 0; i < nhelpers; i++)
		while (smp_wait((unsigned)helpers[i], SCHED_HELPER_WAIT_US) < 0)
			;	/* a helper ends its slice at the next tick; it cannot be long */
	int runnable = 0;
	for (int i = 0; i < n; i++)
		if (vm_live(vms[i]))
			runnable++;
	return runnable;
}

int sched_run(struct vm **vms, int n, uint64_t slice_us, uint64_t total_us)
{
	return sched_run_cpus(vms, n, slice_us, total_us, 1);
}
