/*
 * Application processors: every CPU the firmware lists comes online and runs work we hand
 * it, and two guests run at the same time on two CPUs.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <kern/acpi.h>
#include <kern/ktest.h>
#include <kern/smp.h>
#include <kern/time.h>
#include <vmm/vm.h>

static volatile uint32_t smpt_seen[SMP_MAX_CPUS];

static void smpt_whoami(void *arg)
{
	smpt_seen[(uintptr_t)arg] = lapic_id() + 1;
}

KTEST(smp, online)
{
	int n = smp_cpu_count();

	ktest_metric(t, "cpus", (uint64_t)n, "count");
	KT_CHECK(t, n == (acpi.ncpus < SMP_MAX_CPUS ? acpi.ncpus : SMP_MAX_CPUS) || acpi.ncpus == 0,
		 "%d CPUs online, the MADT lists %d", n, acpi.ncpus);
	if (n < 2) {
		ktest_msg(t, "one CPU (run QEMU with -smp 2 or more)");
		return KTEST_SKIP;
	}
	for (int i = 1; i < n; i++) {
		smpt_seen[i] = 0;
		KT_CHECK(t, smp_call((unsigned)i, smpt_whoami, (void *)(uintptr_t)i) == 0, "cannot call CPU %d", i);
		KT_CHECK(t, smp_wait((unsigned)i, 1000000) == 0, "CPU %d did not finish in 1 s", i);
		KT_CHECK(t, smpt_seen[i] == smp_apic_id((unsigned)i) + 1, "CPU %d ran as APIC ID %u, not %u",
			 i, smpt_seen[i] - 1, smp_apic_id((unsigned)i));
	}
	return KTEST_PASS;
}

extern const char guest_tests_start[], guest_tests_end[];

static void smpt_run_vm(void *arg)
{
	vm_run(arg, 30000000);
}

/* Two busy guests, one per CPU, at the same time: both finish, and their run times overlap. */
KTEST(smp, vms)
{
	const char *why;

	if (smp_cpu_count() < 2 || !vcpu_hw_available(&why)) {
		ktest_msg(t, "needs two CPUs with SVM (QEMU TCG -cpu max -smp 2)");
		return KTEST_SKIP;
	}
	uint64_t len = (uint64_t)(guest_tests_end - guest_tests_start);
	struct vm *a = vm_create("vm-cpu0", 1 << 20, guest_tests_start, len, 0x1000, 0x1000, (4u << 8) | 10);
	struct vm *b = vm_create("vm-cpu1", 1 << 20, guest_tests_start, len, 0x1000, 0x1000, (4u << 8) | 10);
	enum ktest_status st = KTEST_PASS;
	if (!a || !b) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto destroy;
	}
	uint64_t t0 = time_us();
	smp_call(1, smpt_run_vm, b);
	vm_run(a, 30000000);
	if (smp_wait(1, 30000000) < 0) {
		ktest_msg(t, "the VM on CPU 1 never finished");
		st = KTEST_FAIL;
		goto destroy;
	}
	uint64_t wall = time_us() - t0;
	ktest_metric(t, "wall_us", wall, "us");
	ktest_metric(t, "cpu_us_sum", a->cpu_us + b->cpu_us, "us");
	if (a->state != VM_EXITED || b->state != VM_EXITED) {
		ktest_msg(t, "states %d and %d", a->state, b->state);
		st = KTEST_FAIL;
	}
destroy:
	vm_destroy(a);
	vm_destroy(b);
	return st;
}
