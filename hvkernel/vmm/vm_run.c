/*
 * Running vCPUs (include/vmm/vm.h): one entry into the guest and its exit at a time, in
 * loops that end when the VM ends, the slice's stop flag is set, or the vCPU yields,
 * blocks in HLT or is done; CPU time accounted per vCPU and per VM; the CPU sleeps while
 * every vCPU it could run is halted. Which vCPU each physical CPU runs is kept here, so an
 * access to the LAPIC page reaches the LAPIC of the vCPU that made it.
 */
#include <arch/cpu.h>
#include <kern/timer.h>
#include <kern/smp.h>
#include <kern/time.h>
#include <vmm/sched.h>
#include <vmm/virq.h>
#include <vmm/vm.h>

static struct vm_vcpu *vm_cur[SMP_MAX_CPUS];	/* per physical CPU: the vCPU it runs */

struct vm_vcpu *vm_vcpu_current(void)
{
	return vm_cur[smp_cpu_index()];
}

bool vm_vcpu_blocked(struct vm_vcpu *vc)
{
	if (!vc->halted)
		return false;
	if (vc->vm->state != VM_RUNNING || virq_wake(vc)) {
		vc->halted = 0;
		return false;
	}
	return true;
}

bool vm_blocked(struct vm *vm)
{
	return vm_vcpu_blocked(&vm->vcpus[0]);
}

static void vm_wake_timer(void *arg)
{
	*(volatile int *)arg = 1;
}

/* Are all the vCPUs that can still run halted, with nothing to wake them? */
static bool vm_all_blocked(struct vm **vms, int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < vms[i]->nvcpus; k++)
			if (vm_vcpu_live(&vms[i]->vcpus[k]) && !vm_vcpu_blocked(&vms[i]->vcpus[k]))
				return false;
	return true;
}

void vm_idle(struct vm **vms, int n, uint64_t max_us)
{
	volatile int woke = 0;
	struct hv_timer t = { 0 };

	timer_start(&t, max_us, vm_wake_timer, (void *)&woke);
	cpu_cli();
	while (!woke && vm_all_blocked(vms, n))
		__asm__ volatile("sti; hlt; cli" ::: "memory");	/* STI's shadow covers HLT */
	cpu_sti();
	timer_cancel(&t);
}

/* One entry into the guest and the handling of the exit that ends it. */
static void vm_enter(struct vm_vcpu *vc)
{
	struct vcpu_exit e;

	if (vc->lapic)
		virq_prepare(vc);
	vcpu_run(vc->hw, &e);
	vm_handle_exit(vc, &e);
}

static void vm_start_running(struct vm *vm)
{
	enum vm_state ready = VM_READY;

	__atomic_compare_exchange_n(&vm->state, &ready, VM_RUNNING, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Account a stretch of this CPU's time to vc (and its VM). */
static void vm_account(struct vm_vcpu *vc, uint64_t us)
{
	vc->cpu_us += us;
	vc->cpus |= 1u << smp_cpu_index();
	__atomic_fetch_add(&vc->vm->cpu_us, us, __ATOMIC_RELAXED);
}

enum vm_state vm_vcpu_run_until(struct vm_vcpu *vc, volatile int *stop)
{
	struct vm *vm = vc->vm;
	unsigned cpu = smp_cpu_index();
	uint64_t t0 = time_us();

	vm_start_running(vm);
	vc->yielded = 0;
	vm_cur[cpu] = vc;
	int now = __atomic_add_fetch(&vm->running_now, 1, __ATOMIC_ACQ_REL);
	for (int max = vm->running_max; now > max; max = vm->running_max)
		if (__atomic_compare_exchange_n(&vm->running_max, &max, now, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	/* A blocked vCPU gives the CPU back: the scheduler runs the others meanwhile. The
	 * VM's state is read after every exit: another vCPU's exit or fault ends this one too. */
	while (vm->state == VM_RUNNING && !*stop && !vc->yielded && !vc->done && !vm_vcpu_blocked(vc))
		vm_enter(vc);
	if (vm->state == VM_RUNNING && !*stop && !vc->yielded && !vc->done)
		vm->slices_halted++;	/* the loop ended on the halt alone */
	__atomic_sub_fetch(&vm->running_now, 1, __ATOMIC_ACQ_REL);
	vm_cur[cpu] = 0;
	vm_account(vc, time_us() - t0);
	return vm->state;
}

enum vm_state vm_run_until(struct vm *vm, volatile int *stop)
{
	return vm_vcpu_run_until(&vm->vcpus[0], stop);
}

enum vm_state vm_run(struct vm *vm, uint64_t budget_us)
{
	if (vm->nvcpus > 1) {	/* its vCPUs in turn on this CPU */
		sched_run_cpus(&vm, 1, SCHED_SLICE_US, budget_us, 1);
		return vm->state;
	}
	struct vm_vcpu *vc = &vm->vcpus[0];
	unsigned cpu = smp_cpu_index();
	uint64_t t0 = time_us();

	vm_start_running(vm);
	vm_cur[cpu] = vc;
	while (vm->state == VM_RUNNING) {
		if (vm_vcpu_blocked(vc)) {
			uint64_t h0 = time_us();
			vm_idle(&vm, 1, 1000);
			vm->irq.halt_us += time_us() - h0;
		} else {
			vm_enter(vc);
		}
		if (budget_us && time_us() - t0 >= budget_us)
			break;
	}
	vm_cur[cpu] = 0;
	vm_account(vc, time_us() - t0);
	return vm->state;
}

uint64_t vm_vcpu_exit_total(const struct vm_vcpu *vc)
{
	uint64_t n = 0;

	for (int r = 0; r < VCPU_EXIT_NREASONS; r++)
		n += vc->exits[r];
	return n;
}
