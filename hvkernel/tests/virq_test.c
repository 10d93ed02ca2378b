/*
 * Interrupts into guests: the guest test OS (tests/guest/irqtest.c) programs the emulated
 * local APIC timer and I/O APIC and sleeps in HLT; here we check what the VMM saw (exits
 * per reason, injections, interrupt windows, halts) against what the guest reports through
 * the REPORT hypercall, and publish the delivery latency. Skipped without SVM.
 */
#include <kern/ktest.h>
#include <kern/string.h>
#include <kern/time.h>
#include <vmm/virq.h>
#include <vmm/sched.h>
#include <vmm/vm.h>
#include "../../tests/guest/gtest.h"

extern const char guest_os_start[], guest_os_end[];

static int virqt_skip(struct ktest_ctx *t)
{
	const char *why;

	if (vcpu_hw_available(&why))
		return 0;
	ktest_msg(t, "%s", why);
	return 1;
}

/* A 1 MiB VM running guest test `test` with an interrupt controller. */
struct vm *virqt_create(const char *name, uint32_t test)
{
	struct vm *vm = vm_create(name, 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
				  0x1000, 0x1000, test);
	if (vm && virq_attach(vm) < 0) {
		vm_destroy(vm);
		return 0;
	}
	return vm;
}

/* Run to the end; 0 when the guest exited with code 0, else says why. */
static int virqt_run(struct ktest_ctx *t, struct vm *vm, uint64_t budget_us)
{
	enum vm_state st = vm_run(vm, budget_us);

	vm_log_exits(vm);

	if (st == VM_EXITED && vm->exit_code == 0)
		return 0;
	ktest_msg(t, "guest ended in state %d with code %d: %s (console: %s)", st, vm->exit_code,
		  vm->stop_reason, vm->last_line);
	return -1;
}

/* The exit table and the interrupt counters, as metrics. */
static void virqt_metrics(struct ktest_ctx *t, const struct vm *vm)
{
	ktest_metric(t, "exits_intr", vm->exits[VCPU_EXIT_INTR], "count");
	ktest_metric(t, "exits_vintr", vm->exits[VCPU_EXIT_IRQ_WINDOW], "count");
	ktest_metric(t, "exits_hlt", vm->exits[VCPU_EXIT_HLT], "count");
	ktest_metric(t, "exits_mmio", vm->exits[VCPU_EXIT_MMIO], "count");
	ktest_metric(t, "injected", vm->irq.injected, "count");
	ktest_metric(t, "halt_us", vm->irq.halt_us, "us");
}

/* Guest-reported latencies (TSC ticks) as nanoseconds. */
static void virqt_latency(struct ktest_ctx *t, const struct vm *vm, uint32_t n)
{
	ktest_metric(t, "latency_min", time_tsc_to_ns(vm->report[1]), "ns");
	ktest_metric(t, "latency_avg", n ? time_tsc_to_ns(vm->report[3] / n) : 0, "ns");
	ktest_metric(t, "latency_max", time_tsc_to_ns(vm->report[2]), "ns");
	ktest_metric(t, "host_late_max", vm->irq.timer_late_ns_max, "ns");
}

/* Periodic LAPIC timer, 2 ms, vmm.ticks ticks with HLT between them: every tick arrives as
 * an injected interrupt, none early, the vCPU halts instead of spinning, and the timer
 * stops when told. */
KTEST(vmm, vtimer)
{
	const uint32_t n = (uint32_t)ktest_param_u64(t, "ticks", 50);

	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = virqt_create("vm-timer", n << 8 | GTEST_TIMER_PERIODIC);
	KT_CHECK(t, vm, "cannot create the VM");
	int ok = virqt_run(t, vm, 30000000) == 0;
	uint32_t ticks = vm->report[0];
	virqt_metrics(t, vm);
	virqt_latency(t, vm, ticks);
	ktest_metric(t, "ticks", ticks, "count");
	ktest_metric(t, "coalesced", vm->irq.timer_coalesced, "count");
	ktest_metric(t, "guest_missed", vm->report[5], "count");
	/* No loss, no duplicate: every expiry that made the vector pending was injected once
	 * and handled once by the guest. */
	if (ok && (ticks < n || vm->irq.injected != ticks || vm->irq.timer_delivered != ticks)) {
		ktest_msg(t, "%u ticks for %u asked, %llu injected, %llu delivered by the timer", ticks, n,
			  (unsigned long long)vm->irq.injected, (unsigned long long)vm->irq.timer_delivered);
		ok = 0;
	}
	if (ok && (vm->irq.halts < n / 2 || vm->exits[VCPU_EXIT_HLT] != vm->irq.halts)) {
		ktest_msg(t, "the guest did not sleep between ticks: %llu halts",
			  (unsigned long long)vm->irq.halts);
		ok = 0;
	}
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/* One-shot, 3 ms: exactly one interrupt, not before the deadline, current count 0 after. */
KTEST(vmm, oneshot)
{
	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = virqt_create("vm-oneshot", GTEST_TIMER_ONESHOT);
	KT_CHECK(t, vm, "cannot create the VM");
	int ok = virqt_run(t, vm, 30000000) == 0;
	virqt_metrics(t, vm);
	virqt_latency(t, vm, 1);
	if (ok && (vm->irq.injected != 1 || vm->irq.timer_fired != 1 || vm->irq.timer_delivered != 1)) {
		ktest_msg(t, "%llu injected, %llu expiries for one one-shot",
			  (unsigned long long)vm->irq.injected, (unsigned long long)vm->irq.timer_fired);
		ok = 0;
	}
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/* IF=0 holds the timer's interrupt in IRR, a TPR above its class holds it with IF=1, and
 * after STI it comes exactly one instruction later: through the interrupt window. */
KTEST(vmm, irqmask)
{
	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = virqt_create("vm-masked", GTEST_IRQ_MASKED);
	KT_CHECK(t, vm, "cannot create the VM");
	int ok = virqt_run(t, vm, 30000000) == 0;
	virqt_metrics(t, vm);
	ktest_metric(t, "windows", vm->irq.windows, "count");
	if (ok && (vm->irq.injected != 1 || vm->exits[VCPU_EXIT_IRQ_WINDOW] < 1)) {
		ktest_msg(t, "%llu injected, %llu window exits: the STI path was not taken",
			  (unsigned long long)vm->irq.injected, (unsigned long long)vm->exits[VCPU_EXIT_IRQ_WINDOW]);
		ok = 0;
	}
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/*
 * STI's one-instruction shadow survives exits: the guest loops on CLI; STI; NOP under a
 * periodic timer (then on CLI; STI; HLT), so host interrupts often end its run right after
 * an STI, and QEMU's SVM (before 9.1) forgets the shadow on the next VMRUN. The VMM must
 * hold the interrupt past the NOP or the HLT (shadow_held);
 * the guest checks where each came in.
 */
KTEST(vmm, irqshadow)
{
	const uint32_t n = (uint32_t)ktest_param_u64(t, "shadow_ticks", 100);

	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = virqt_create("vm-shadow", n << 8 | GTEST_IRQ_SHADOW);
	KT_CHECK(t, vm, "cannot create the VM");
	int ok = virqt_run(t, vm, 30000000) == 0;
	virqt_metrics(t, vm);
	ktest_metric(t, "ticks", vm->report[0], "count");
	ktest_metric(t, "in_shadow", vm->report[5], "count");
	ktest_metric(t, "shadow_held", vm->irq.shadow_held, "count");
	if (ok && (vm->report[0] < 2 * n || vm->irq.injected != vm->report[0])) {
		ktest_msg(t, "%u ticks for %u, %llu injected", vm->report[0], 2 * n, (unsigned long long)vm->irq.injected);
		ok = 0;
	}
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/* Nonsense vectors, modes and periods, wrong-sized and unknown register accesses: each is
 * refused with a log line, nothing fires, the VM goes on and its timer still works. */
KTEST(vmm, irqbad)
{
	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = virqt_create("vm-irqbad", GTEST_IRQ_BAD);
	KT_CHECK(t, vm, "cannot create the VM");
	int ok = virqt_run(t, vm, 30000000) == 0;
	ktest_metric(t, "refused", vm->irq.refused, "count");
	if (ok && (vm->irq.refused != 10 || vm->irq.injected != 1)) {
		ktest_msg(t, "%llu refusals (10 expected), %llu injected", (unsigned long long)vm->irq.refused,
			  (unsigned long long)vm->irq.injected);
		ok = 0;
	}
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

extern const char guest_tests_start[], guest_tests_end[];
#define VIRQT_G_SPIN	10	/* hvkernel/tests/guest_tests.S: busy rounds, never exits */

/* A halted vCPU gives the CPU away: a ticking guest that sleeps between its timer's
 * interrupts and a busy guest under the scheduler. Every tick arrives, the busy guest
 * still finishes, and the sleeper used a small share of the CPU. */
KTEST(vmm, irqsched)
{
	if (virqt_skip(t))
		return KTEST_SKIP;
	struct vm *vms[2] = {
		virqt_create("vm-sleeper", 50 << 8 | GTEST_TIMER_PERIODIC),
		vm_create("vm-busy", 1 << 20, guest_tests_start, (uint64_t)(guest_tests_end - guest_tests_start),
			  0x1000, 0x1000, 8 << 8 | VIRQT_G_SPIN),
	};
	enum ktest_status st = KTEST_PASS;
	if (!vms[0] || !vms[1]) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto destroy;
	}
	uint64_t t0 = time_us();
	int left = sched_run(vms, 2, SCHED_SLICE_US, 60000000);
	uint64_t wall = time_us() - t0;
	ktest_metric(t, "sleeper_us", vms[0]->cpu_us, "us");
	ktest_metric(t, "busy_us", vms[1]->cpu_us, "us");
	ktest_metric(t, "wall_us", wall, "us");
	ktest_metric(t, "sleeper_halts", vms[0]->irq.halts, "count");
	ktest_metric(t, "sleeper_slices_halted", vms[0]->slices_halted, "count");
	if (left || vms[0]->state != VM_EXITED || vms[0]->exit_code || vms[1]->state != VM_EXITED) {
		ktest_msg(t, "states %d (code %d) and %d, %d runnable: %s", vms[0]->state, vms[0]->exit_code,
			  vms[1]->state, left, vms[0]->stop_reason);
		st = KTEST_FAIL;
	} else if (vms[0]->report[0] < 50 || vms[0]->irq.halts < 25) {
		ktest_msg(t, "sleeper: %u ticks, %llu halts", vms[0]->report[0], (unsigned long long)vms[0]->irq.halts);
		st = KTEST_FAIL;
	} else if (!vms[0]->slices_halted ||
		   (vms[0]->cpu_us * 2 > wall && vms[0]->slices_halted * 4 < vms[0]->irq.halts)) {
		/* The scheduler's own evidence first: a slice that a halt ended gave the CPU to
		 * the busy VM. CPU time alone misleads on a loaded host, where a preempted QEMU
		 * inflates whichever vCPU was in VMRUN; it only counts beside few such slices. */
		ktest_msg(t, "the sleeper ran %llu us of %llu, %llu of its %llu halts gave the CPU "
			  "back: it did not sleep", (unsigned long long)vms[0]->cpu_us,
			  (unsigned long long)wall, (unsigned long long)vms[0]->slices_halted,
			  (unsigned long long)vms[0]->irq.halts);
		st = KTEST_FAIL;
	}
destroy:
	for (int i = 0; i < 2; i++)
		vm_destroy(vms[i]);
	return st;
}
