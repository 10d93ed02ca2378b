/*
 * The VMM: VM lifetime and the exit handlers. Like Jailhouse's svm.c the handling reads as
 * a table: one switch on the exit reason, one small function per reason, a counter per
 * reason. Anything a guest does that we do not emulate ends that guest, never the host.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <hv/time.h>
#include <lib/fmt.h>
#include <vmm/mmio.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

#define VM_UART_BASE	0x3f8
#define VM_UART_LSR	5
#define VM_UART_THRE	0x60	/* THR empty and transmitter idle: always ready */

int npt_map(struct vm *vm, uint64_t gpa, uint64_t hpa);
void npt_free(struct vm *vm);

static int vm_next_id;

static void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	klog("vm %s: stopped: %s (rip 0x%llx)", vm->name, vm->stop_reason,
	     (unsigned long long)vcpu_regs(vm->vcpu)->rip);
}

struct vm *vm_create(const char *name, uint64_t mem_size, const void *image, uint64_t len,
		     uint64_t load_gpa, uint64_t entry, uint32_t arg)
{
	if (!mem_size || mem_size & (PAGE_SIZE - 1) || load_gpa > mem_size || len > mem_size - load_gpa)
		return 0;
	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm)
		return 0;
	strlcpy(vm->name, name, sizeof(vm->name));
	vm->id = vm_next_id++ % 15;	/* ASIDs 1..15: QEMU's SVM offers 16 */
	vm->mem_size = mem_size;
	vm->mem = page_alloc(mem_size / PAGE_SIZE);
	vm->npt = page_alloc(1);
	if (!vm->mem || !vm->npt)
		goto free_vm;
	vm->npt_pages = 1;
	for (uint64_t gpa = 0; gpa < mem_size; gpa += PAGE_SIZE)
		if (npt_map(vm, gpa, (uint64_t)vm->mem + gpa) < 0)
			goto free_vm;
	memcpy(vm->mem + load_gpa, image, len);
	vm->vcpu = vcpu_create(vm, entry, mem_size);
	if (!vm->vcpu)
		goto free_vm;
	vcpu_regs(vm->vcpu)->rsi = arg;
	vm->state = VM_READY;
	return vm;

free_vm:
	npt_free(vm);
	if (vm->mem)
		page_free(vm->mem, mem_size / PAGE_SIZE);
	kfree(vm);
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	virq_detach(vm);	/* its timer first: the callback touches the VM */
	vcpu_destroy(vm->vcpu);
	vio_detach_all(vm);
	npt_free(vm);
	page_free(vm->mem, vm->mem_size / PAGE_SIZE);
	kfree(vm);
}

int vm_add_mmio(struct vm *vm, uint64_t base, uint64_t size, const struct vm_mmio_ops *ops, void *dev)
{
	if (vm->nmmio == VM_MAX_MMIO || base < vm->mem_size)
		return -HV_ENOSPC;
	vm->mmio[vm->nmmio].base = base;
	vm->mmio[vm->nmmio].size = size;
	vm->mmio[vm->nmmio].ops = ops;
	vm->mmio[vm->nmmio].dev = dev;
	vm->nmmio++;
	return 0;
}

void *vm_gpa(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return 0;
	return vm->mem + gpa;
}

/* A nested page fault on a device window: decode the access and hand it to the device.
 * Returns 0 when emulated, or -1 when nothing is there (the VM is then stopped). */
static int vm_exit_mmio(struct vm *vm, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	struct mmio_insn in;

	for (int i = 0; i < vm->nmmio; i++) {
		uint64_t base = vm->mmio[i].base;
		if (e->mem.gpa < base || e->mem.gpa >= base + vm->mmio[i].size)
			continue;
		int ret = mmio_decode(vm, r, &in);
		if (ret < 0) {
			vm_stop(vm, "device access at 0x%llx by an instruction we cannot emulate (%d)",
				(unsigned long long)e->mem.gpa, ret);
			return 0;
		}
		uint64_t off = e->mem.gpa - base;
		uint32_t v = 0;
		vm->mmio_accesses++;
		if (in.write)
			vm->mmio[i].ops->write(vm, vm->mmio[i].dev, off, in.size, mmio_store_value(&in));
		else
			v = vm->mmio[i].ops->read(vm, vm->mmio[i].dev, off, in.size);
		mmio_complete(r, &in, v);
		return 0;
	}
	return -1;
}

static void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\n' || vm->con_len == sizeof(vm->con) - 1) {
		vm->con[vm->con_len] = 0;
		klog("[%s] %s", vm->con_prefix[0] ? vm->con_prefix : vm->name, vm->con);
		memcpy(vm->last_line, vm->con, vm->con_len + 1);
		vm->lines++;
		vm->con_len = 0;
		if (c == '\n')
			return;
	}
	if (c != '\r')
		vm->con[vm->con_len++] = c;
}

/* Port I/O: the VM's UART is the only device; other ports read as all-ones (nothing
 * there) and ignore writes, including the host's isa-debug-exit port. */
static void vm_exit_io(struct vm *vm, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	if (e->io.string) {
		vm_stop(vm, "string I/O on port 0x%x is not supported", e->io.port);
		return;
	}
	if (e->io.in) {
		uint32_t v = 0xffffffffu;
		if (e->io.port == VM_UART_BASE + VM_UART_LSR)
			v = VM_UART_THRE;
		uint64_t mask = e->io.size == 4 ? 0xffffffffull : (1ull << (8 * e->io.size)) - 1;
		r->rax = (r->rax & ~mask) | (v & mask);
	} else if (e->io.port == VM_UART_BASE) {
		vm_console_putc(vm, (char)r->rax);
	}
	r->rip = e->next_rip;
}

/* The hypervisor leaves: 4000_0000h names us and the highest leaf; 4000_0010h gives the
 * TSC rate and the emulated local APIC timer's rate in kHz (the "timing information"
 * leaf other hypervisors use the same way), so a guest need not calibrate. */
static void vm_cpuid_hv(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	*a = *b = *c = *d = 0;
	if (leaf == 0x40000000) {
		*a = 0x40000010;
		memcpy(b, "hvki", 4);
		memcpy(c, "t VM", 4);
		memcpy(d, "M   ", 4);
	} else if (leaf == 0x40000010) {
		*a = (uint32_t)tsc_khz;
		*b = (uint32_t)(VLAPIC_TIMER_HZ / 1000);
	}
}

/* CPUID passes through, without SVM and with the hypervisor bit set, so a guest can
 * neither nest nor mistake itself for bare metal; nor does it see the x2APIC or the
 * TSC-deadline timer, which the emulated local APIC does not offer. */
static void vm_exit_cpuid(struct vcpu_regs *r, const struct vcpu_exit *e)
{
	uint32_t a, b, c, d, leaf = (uint32_t)r->rax, sub = (uint32_t)r->rcx;

	if ((leaf & 0xffffff00u) == 0x40000000)
		vm_cpuid_hv(leaf, &a, &b, &c, &d);
	else
		cpuid(leaf, sub, &a, &b, &c, &d);
	if (leaf == 1)
		c = (c | 1u << 31) & ~(1u << 21 | 1u << 24);
	if (leaf == 0x80000001)
		c &= ~(1u << 2);
	if (leaf == 0x8000000a)
		a = b = c = d = 0;
	r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
	r->rip = e->next_rip;
}

/* MSRs: reads give 0, writes are dropped. Nothing of the host's leaks through. */
static void vm_exit_msr(struct vcpu_regs *r, const struct vcpu_exit *e)
{
	if (!e->msr.write)
		r->rax = r->rdx = 0;
	r->rip = e->next_rip;
}

static void vm_exit_hypercall(struct vm *vm, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	r->rip = e->next_rip;
	switch ((uint32_t)r->rax) {
	case VM_HC_NOP:
		r->rax = 0;
		break;
	case VM_HC_EXIT:
		vm->exit_code = (int)r->rbx;
		vm->state = VM_EXITED;
		break;
	case VM_HC_PUTC:
		vm_console_putc(vm, (char)r->rbx);
		r->rax = 0;
		break;
	case VM_HC_YIELD:
		vm->yielded = 1;
		r->rax = 0;
		break;
	case VM_HC_REPORT:
		if (r->rbx < VM_NREPORT)
			vm->report[r->rbx] = (uint32_t)r->rcx;
		r->rax = r->rbx < VM_NREPORT ? 0 : (uint64_t)-HV_EINVAL;
		break;
	default:
		r->rax = (uint64_t)-HV_ENOSYS;
		break;
	}
}

static void vm_handle_exit(struct vm *vm, const struct vcpu_exit *e)
{
	struct vcpu_regs *r = vcpu_regs(vm->vcpu);

	vm->exits[e->reason < VCPU_EXIT_NREASONS ? e->reason : VCPU_EXIT_FAIL]++;
	switch (e->reason) {
	case VCPU_EXIT_IO:
		vm_exit_io(vm, r, e);
		break;
	case VCPU_EXIT_CPUID:
		vm_exit_cpuid(r, e);
		break;
	case VCPU_EXIT_MSR:
		vm_exit_msr(r, e);
		break;
	case VCPU_EXIT_HYPERCALL:
		vm_exit_hypercall(vm, r, e);
		break;
	case VCPU_EXIT_HLT:
		r->rip = e->next_rip;
		if (vm->lapic && r->rflags & 0x200) {
			vm->halted = 1;		/* blocked until an interrupt is pending */
			vm->irq.halts++;
			break;
		}
		/* No interrupt controller, or interrupts off: nothing can wake it. */
		vm->exit_code = 0;
		vm->state = VM_EXITED;
		klog("vm %s: halted", vm->name);
		break;
	case VCPU_EXIT_INTR:
		break;		/* the host interrupt was taken on the way out; go back in */
	case VCPU_EXIT_IRQ_WINDOW:
		break;		/* virq_prepare injects on the way back in */
	case VCPU_EXIT_MMIO:
		if (vm_exit_mmio(vm, r, e) == 0)
			break;
		vm_stop(vm, "%s of guest-physical 0x%llx outside its memory", e->mem.fetch ? "fetch" :
			e->mem.write ? "write" : "read", (unsigned long long)e->mem.gpa);
		break;
	case VCPU_EXIT_SHUTDOWN:
		vm_stop(vm, "shutdown (triple fault)");
		break;
	case VCPU_EXIT_EXCEPTION:
		vm_stop(vm, "exception %u", e->exc.vector);
		break;
	default:
		vm_stop(vm, "cannot run: exit 0x%llx (invalid guest state?)", (unsigned long long)e->raw);
		break;
	}
}

void vm_log_exits(const struct vm *vm)
{
	char buf[200];
	size_t n = 0;

	for (int r = 1; r < VCPU_EXIT_NREASONS && n < sizeof(buf); r++)
		if (vm->exits[r])
			n += (size_t)fmt_snprintf(buf + n, sizeof(buf) - n, " %s=%llu", vcpu_exit_name(r),
						  (unsigned long long)vm->exits[r]);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = 0;
	klog("vm %s: exits%s; irq injected=%llu windows=%llu halts=%llu shadow_held=%llu", vm->name, buf,
	     (unsigned long long)vm->irq.injected, (unsigned long long)vm->irq.windows,
	     (unsigned long long)vm->irq.halts, (unsigned long long)vm->irq.shadow_held);
	if (vm->state == VM_RUNNING || vm->state == VM_READY)
		virq_log_state((struct vm *)vm);
}

bool vm_blocked(struct vm *vm)
{
	if (!vm->halted)
		return false;
	if (vm->state != VM_RUNNING || virq_wake(vm)) {
		vm->halted = 0;
		return false;
	}
	return true;
}

static void vm_wake_timer(void *arg)
{
	*(volatile int *)arg = 1;
}

/* Are all the VMs that can still run halted, with nothing to wake them? */
static bool vm_all_blocked(struct vm **vms, int n)
{
	for (int i = 0; i < n; i++)
		if ((vms[i]->state == VM_READY || vms[i]->state == VM_RUNNING) && !vm_blocked(vms[i]))
			return false;
	return true;
}

void vm_idle(struct vm **vms, int n, uint64_t max_us)
{
	volatile int woke = 0;
	struct hv_timer t = { 0 };

	hv_timer_start(&t, max_us, vm_wake_timer, (void *)&woke);
	cpu_cli();
	while (!woke && vm_all_blocked(vms, n))
		__asm__ volatile("sti; hlt; cli" ::: "memory");	/* STI's shadow covers HLT */
	cpu_sti();
	hv_timer_cancel(&t);
}

/* One entry into the guest and the handling of the exit that ends it. */
static void vm_enter(struct vm *vm)
{
	struct vcpu_exit e;

	if (vm->lapic)
		virq_prepare(vm);
	vcpu_run(vm->vcpu, &e);
	vm_handle_exit(vm, &e);
}

enum vm_state vm_run_until(struct vm *vm, volatile int *stop)
{
	uint64_t t0 = time_us();

	if (vm->state == VM_READY)
		vm->state = VM_RUNNING;
	vm->yielded = 0;
	/* A blocked vCPU gives the CPU back: the scheduler runs the others meanwhile. */
	while (vm->state == VM_RUNNING && !*stop && !vm->yielded && !vm_blocked(vm))
		vm_enter(vm);
	vm->cpu_us += time_us() - t0;
	return vm->state;
}

enum vm_state vm_run(struct vm *vm, uint64_t budget_us)
{
	uint64_t t0 = time_us();

	if (vm->state == VM_READY)
		vm->state = VM_RUNNING;
	while (vm->state == VM_RUNNING) {
		if (vm_blocked(vm)) {
			uint64_t h0 = time_us();
			vm_idle(&vm, 1, 1000);
			vm->irq.halt_us += time_us() - h0;
		} else {
			vm_enter(vm);
		}
		if (budget_us && time_us() - t0 >= budget_us)
			break;
	}
	vm->cpu_us += time_us() - t0;
	return vm->state;
}
