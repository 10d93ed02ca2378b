/*
 * The VMM under test: guests run under SVM with nested paging (QEMU TCG -cpu max), talk to
 * their console, make hypercalls, and attack the host in the ways a guest can; each attack
 * may only hurt the attacker. Skipped where the CPU has no SVM (KVM here).
 */
#include <arch/cpu.h>
#include <kern/ktest.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <vmm/sched.h>
#include <vmm/vm.h>

extern const char guest_tests_start[], guest_tests_end[];
uint64_t svm_bench_minimal(struct vcpu *v, unsigned n);

#define GUEST_LOAD	0x1000
#define GUEST_MEM	(1u << 20)

enum { G_HELLO, G_VMMCALL, G_READ_OUT, G_WRITE_OUT, G_MSR, G_IO, G_TRIPLE, G_FILL, G_HLT, G_CPUID, G_SPIN };

static struct vm *vmt_create(const char *name, unsigned prog, uint32_t count)
{
	return vm_create(name, GUEST_MEM, guest_tests_start, (uint64_t)(guest_tests_end - guest_tests_start),
			 GUEST_LOAD, GUEST_LOAD, (count << 8) | prog);
}

static int vmt_skip(struct ktest_ctx *t)
{
	const char *why;

	if (vcpu_hw_available(&why))
		return 0;
	ktest_msg(t, "%s", why);
	return 1;
}

KTEST(vmm, hello)
{
	if (vmt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = vmt_create("vm-hello", G_HELLO, 0);
	KT_CHECK(t, vm, "cannot create the VM");
	enum vm_state st = vm_run(vm, 5000000);
	int ok = st == VM_EXITED && vm->exit_code == 0 && strcmp(vm->last_line, "hello from the guest") == 0;
	ktest_metric(t, "io_exits", vm->exits[VCPU_EXIT_IO], "count");
	if (!ok)
		ktest_msg(t, "state %d code %d console '%s' %s", st, vm->exit_code, vm->last_line, vm->stop_reason);
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/* VMMCALL round trip through the whole exit path (the benchmark). */
KTEST(vmm, vmmcall)
{
	const uint32_t n = (uint32_t)ktest_param_u64(t, "calls", 20000);

	if (vmt_skip(t))
		return KTEST_SKIP;
	struct vm *vm = vmt_create("vm-call", G_VMMCALL, n);
	KT_CHECK(t, vm, "cannot create the VM");
	uint64_t t0 = rdtsc();
	enum vm_state st = vm_run(vm, 30000000);
	uint64_t ns = time_tsc_to_ns(rdtsc() - t0);
	uint64_t calls = vm->exits[VCPU_EXIT_HYPERCALL];
	int ok = st == VM_EXITED && calls == (uint64_t)n + 1;
	if (!ok)
		ktest_msg(t, "state %d, %llu hypercalls for %u: %s", st, (unsigned long long)calls, n, vm->stop_reason);
	ktest_metric(t, "roundtrip", calls ? ns / calls : 0, "ns");
	/* The same guest loop with nothing but VMRUN between exits: the floor we compare to. */
	struct vm *raw = vmt_create("vm-raw", G_VMMCALL, ~0u >> 8);
	if (raw) {
		uint64_t floor = svm_bench_minimal(raw->vcpu, n);
		ktest_metric(t, "minimal_loop", floor, "ns");
		ktest_metric(t, "ratio_x100", floor ? (calls ? ns / calls : 0) * 100 / floor : 0, "percent");
		vm_destroy(raw);
	}
	ktest_metric(t, "per_second", ns ? calls * 1000000000ull / ns : 0, "calls/s");
	vm_destroy(vm);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

struct vmt_attack {
	const char *name;
	unsigned prog;
	enum vm_state want;
	int code;		/* expected exit code when want == VM_EXITED */
	const char *reason;	/* expected words in the stop reason */
};

static const struct vmt_attack vmt_attacks[] = {
	{ "read-outside", G_READ_OUT, VM_STOPPED, 0, "read of guest-physical 0x40000000" },
	{ "write-lapic", G_WRITE_OUT, VM_STOPPED, 0, "write of guest-physical 0xfee00000" },
	{ "msr-probe", G_MSR, VM_EXITED, 0, 0 },
	{ "io-probe", G_IO, VM_EXITED, -1, 0 },
	{ "triple-fault", G_TRIPLE, VM_STOPPED, 0, "shutdown (triple fault)" },
	{ "cpuid-svm", G_CPUID, VM_EXITED, 0, 0 },
	{ "halt", G_HLT, VM_EXITED, 0, 0 },
};

/* Every attack ends as expected, the host's memory next to the guest's is untouched, and
 * a well-behaved VM created afterwards still runs. */
KTEST(vmm, isolation)
{
	if (vmt_skip(t))
		return KTEST_SKIP;
	for (unsigned i = 0; i < sizeof(vmt_attacks) / sizeof(vmt_attacks[0]); i++) {
		const struct vmt_attack *a = &vmt_attacks[i];
		struct vm *vm = vmt_create(a->name, a->prog, 0);
		KT_CHECK(t, vm, "%s: cannot create the VM", a->name);
		enum vm_state st = vm_run(vm, 5000000);
		int ok = st == a->want;
		if (ok && st == VM_EXITED)
			ok = vm->exit_code == a->code;
		if (ok && a->reason)
			ok = strncmp(vm->stop_reason, a->reason, strlen(a->reason)) == 0;
		if (!ok) {
			ktest_msg(t, "%s: state %d, exit code %d (0x%x), reason '%s'", a->name, st,
				  vm->exit_code, (unsigned)vm->exit_code, vm->stop_reason);
			vm_destroy(vm);
			return KTEST_FAIL;
		}
		vm_destroy(vm);
	}
	/* Fill a guest's whole RAM while sentinels sit in host pages around it. */
	uint8_t *before = page_alloc(1);
	struct vm *vm = vmt_create("vm-fill", G_FILL, GUEST_MEM);
	uint8_t *after = page_alloc(1);
	KT_CHECK(t, before && vm && after, "no memory");
	memset(before, 0x5a, PAGE_SIZE);
	memset(after, 0xa5, PAGE_SIZE);
	enum vm_state st = vm_run(vm, 10000000);
	int ok = st == VM_EXITED && vm->exit_code == 0;
	for (unsigned i = 0; i < PAGE_SIZE && ok; i++)
		ok = before[i] == 0x5a && after[i] == 0xa5;
	uint32_t last;
	memcpy(&last, vm->mem + GUEST_MEM - 4, 4);
	if (ok && last != GUEST_MEM - 4)
		ok = 0;
	if (!ok)
		ktest_msg(t, "fill: state %d code %d, sentinels or guest RAM wrong (%s)", st, vm->exit_code,
			  vm->stop_reason);
	vm_destroy(vm);
	page_free(before, 1);
	page_free(after, 1);
	return ok ? KTEST_PASS : KTEST_FAIL;
}

/* Two busy guests that never exit on their own run at once: the scheduler's timer
 * preempts each, both finish, and each got a fair share of the CPU. A third guest that
 * triple-faults in the middle stops alone. */
KTEST(vmm, sched)
{
	/* Enough work that a fast TCG host still needs several 2 ms slices: with 8 rounds a
	 * guest sometimes finished inside its first slice (no preemption to see). */
	const uint32_t rounds = (uint32_t)ktest_param_u64(t, "rounds", 32);

	if (vmt_skip(t))
		return KTEST_SKIP;
	struct vm *vms[3] = {
		vmt_create("vm-a", G_SPIN, rounds),
		vmt_create("vm-b", G_SPIN, rounds),
		vmt_create("vm-bad", G_TRIPLE, 0),
	};
	enum ktest_status st = KTEST_PASS;
	if (!vms[0] || !vms[1] || !vms[2]) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto destroy;
	}
	int left = sched_run(vms, 3, SCHED_SLICE_US, 60000000);
	uint64_t a = vms[0]->cpu_us, b = vms[1]->cpu_us;
	ktest_metric(t, "vm_a_us", a, "us");
	ktest_metric(t, "vm_b_us", b, "us");
	ktest_metric(t, "vm_a_slices", vms[0]->slices, "count");
	ktest_metric(t, "vm_b_slices", vms[1]->slices, "count");
	if (left || vms[0]->state != VM_EXITED || vms[1]->state != VM_EXITED || vms[2]->state != VM_STOPPED) {
		ktest_msg(t, "states a=%d b=%d bad=%d, %d still runnable", vms[0]->state, vms[1]->state,
			  vms[2]->state, left);
		st = KTEST_FAIL;
	} else if (vms[0]->slices < 2 || vms[1]->slices < 2) {
		ktest_msg(t, "no preemption: %llu and %llu slices", (unsigned long long)vms[0]->slices,
			  (unsigned long long)vms[1]->slices);
		st = KTEST_FAIL;
	} else if (a > 3 * b || b > 3 * a) {
		ktest_msg(t, "unfair: %llu us vs %llu us of CPU", (unsigned long long)a, (unsigned long long)b);
		st = KTEST_FAIL;
	}
destroy:
	for (int i = 0; i < 3; i++)
		vm_destroy(vms[i]);
	return st;
}
