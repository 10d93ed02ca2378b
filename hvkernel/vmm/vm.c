/*
 * The VMM: VM lifetime and the exit handlers. Like Jailhouse's svm.c the handling reads as
 * a table: one switch on the exit reason, one small function per reason, a counter per
 * reason. Anything a guest does that we do not emulate ends that guest, never the host.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <hv/time.h>
#include <lib/fmt.h>
#include <vmm/mmio.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>
#include <vmm/vlapic.h>
#include <vmm/vm_io.h>


int npt_map(struct vm *vm, uint64_t gpa, uint64_t hpa);
void npt_free(struct vm *vm);

static int vm_next_id;

void vm_lock(struct vm *vm)
{
	while (__atomic_exchange_n(&vm->lock.locked, 1, __ATOMIC_ACQUIRE))
		while (vm->lock.locked)
			cpu_pause();
}

void vm_unlock(struct vm *vm)
{
	__atomic_store_n(&vm->lock.locked, 0, __ATOMIC_RELEASE);
}

bool vm_live(const struct vm *vm)
{
	enum vm_state st = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);

	return st == VM_READY || st == VM_RUNNING;
}

bool vm_vcpu_live(const struct vm_vcpu *vc)
{
	return vm_live(vc->vm) && vc->started && !vc->done;
}

/* The VM ends (exited or stopped): the first end wins, so a second vCPU's later fault does
 * not overwrite why. Its other vCPUs see the state at their next exit (a host timer tick,
 * 1 ms at most) and leave the guest. Called with vm->lock held. */
static bool vm_end(struct vm *vm, enum vm_state st)
{
	if (!vm_live(vm))
		return false;
	__atomic_store_n(&vm->state, st, __ATOMIC_RELEASE);
	return true;
}

/* Stop the VM for why; called with vm->lock held. */
static void vm_stop_locked(struct vm_vcpu *vc, const char *why)
{
	struct vm *vm = vc->vm;

	if (vm_end(vm, VM_STOPPED)) {
		if (vm->nvcpus > 1)
			fmt_snprintf(vm->stop_reason, sizeof(vm->stop_reason), "vcpu %d: %s", vc->index, why);
		else
			strlcpy(vm->stop_reason, why, sizeof(vm->stop_reason));
		klog("vm %s: stopped: %s (rip 0x%llx)%s", vm->name, vm->stop_reason,
		     (unsigned long long)vcpu_regs(vc->hw)->rip, vm->nvcpus > 1 ? "; all its vCPUs stop" : "");
	}
}

static void vm_stop(struct vm_vcpu *vc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vm_stop(struct vm_vcpu *vc, const char *fmt, ...)
{
	va_list ap;
	char why[80];

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vm_lock(vc->vm);
	vm_stop_locked(vc, why);
	vm_unlock(vc->vm);
}

static int vm_init_vcpu(struct vm *vm, int i, uint64_t entry)
{
	struct vm_vcpu *vc = &vm->vcpus[i];

	vc->vm = vm;
	vc->index = i;
	vc->hw = vcpu_create(vm, entry, vm->mem_size);
	return vc->hw ? 0 : -HV_ENOMEM;
}

int vm_add_vcpu(struct vm *vm)
{
	if (vm->nvcpus == VM_MAX_VCPUS || vm->state != VM_READY)
		return -HV_ENOSPC;
	int i = vm->nvcpus;
	if (vm_init_vcpu(vm, i, 0) < 0)
		return -HV_ENOMEM;
	if (vm->lapic && virq_attach_vcpu(&vm->vcpus[i]) < 0) {
		vcpu_destroy(vm->vcpus[i].hw);
		memset(&vm->vcpus[i], 0, sizeof(vm->vcpus[i]));
		return -HV_ENOMEM;
	}
	vm->nvcpus++;
	return i;
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
	if (vm_init_vcpu(vm, 0, entry) < 0)
		goto free_vm;
	vm->vcpu = vm->vcpus[0].hw;
	vm->vcpus[0].started = 1;
	vm->nvcpus = 1;
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
	virq_detach(vm);	/* its timers first: the callbacks touch the VM */
	for (int i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(vm->vcpus[i].hw);
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
static int vm_exit_mmio(struct vm_vcpu *vc, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;
	struct mmio_insn in;

	for (int i = 0; i < vm->nmmio; i++) {
		uint64_t base = vm->mmio[i].base;
		if (e->mem.gpa < base || e->mem.gpa >= base + vm->mmio[i].size)
			continue;
		struct vcpu_paging pg;
		vcpu_get_paging(vc->hw, &pg);
		int ret = mmio_decode(vm, &pg, r, &in);
		if (ret < 0) {
			vm_stop(vc, "device access at 0x%llx by an instruction we cannot emulate (%d)",
				(unsigned long long)e->mem.gpa, ret);
			return 0;
		}
		uint64_t off = e->mem.gpa - base;
		uint32_t v = 0;
		/* Devices are shared by the VM's vCPUs: one access at a time (vm.h). */
		vm_lock(vm);
		vm->mmio_accesses++;
		if (in.write)
			vm->mmio[i].ops->write(vm, vm->mmio[i].dev, off, in.size, mmio_store_value(&in));
		else
			v = vm->mmio[i].ops->read(vm, vm->mmio[i].dev, off, in.size);
		vm_unlock(vm);
		mmio_complete(r, &in, v);
		return 0;
	}
	return -1;
}

/* A Linux guest's panic, as its console shows it (kernel/panic.c prints this prefix). */
#define VM_LINUX_PANIC	"Kernel panic - not syncing"

/* A complete console line of a Linux guest: its banner, its expectations, its panic. */
static void vm_console_line(struct vm *vm, const char *line)
{
	if (!vm->first_line[0])
		strlcpy(vm->first_line, line, sizeof(vm->first_line));
	for (int i = 0; i < vm->nexpect; i++)
		if (strstr(line, vm->expect[i]))
			vm->expect_seen |= 1u << i;
	const char *p = strstr(line, VM_LINUX_PANIC);
	if (p && vm_end(vm, VM_STOPPED)) {
		fmt_snprintf(vm->stop_reason, sizeof(vm->stop_reason), "guest kernel panic: %s", p);
		klog("vm %s: stopped: %s", vm->name, vm->stop_reason);
	}
}

void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\n' || vm->con_len == sizeof(vm->con) - 1) {
		vm->con[vm->con_len] = 0;
		klog("[%s] %s", vm->con_prefix[0] ? vm->con_prefix : vm->name, vm->con);
		memcpy(vm->last_line, vm->con, vm->con_len + 1);
		vm->lines++;
		if (vm->linux_guest)
			vm_console_line(vm, vm->con);
		vm->con_len = 0;
		if (c == '\n')
			return;
	}
	if (c != '\r')
		vm->con[vm->con_len++] = c;
}

/* Port I/O (vm_io.c): COM1, the 8259 masks, nothing elsewhere. */
static void vm_exit_io(struct vm_vcpu *vc, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;

	if (e->io.string) {
		vm_stop(vc, "string I/O on port 0x%x is not supported", e->io.port);
		return;
	}
	if (e->io.in) {
		uint32_t v = vm_io_in(vm, e->io.port, e->io.size);
		uint64_t mask = e->io.size == 4 ? 0xffffffffull : (1ull << (8 * e->io.size)) - 1;
		r->rax = (r->rax & ~mask) | (v & mask);
	} else {
		vm_io_out(vm, e->io.port, e->io.size, (uint32_t)r->rax);
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

/*
 * What a paging guest (Linux) must not see, because this VMM does not virtualise it:
 * MONITOR/MWAIT (an idle guest must HLT, which exits), XSAVE and the AVX families (the
 * host switches no extended state between guests, and the guest is given FXSAVE's
 * legacy state only), RDTSCP and RDPID (TSC_AUX is the host's), 5-level paging (the
 * page walker knows 4 levels), the speculation-control MSRs (not emulated), machine
 * checks (no MCA banks), and the architectural performance monitor. Their absence is what hardware without them says.
 */
static void vm_cpuid_linux(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	switch (leaf) {
	case 1:
		*c &= ~(1u << 3 | 1u << 5 | 1u << 6 | 1u << 15 | 1u << 26 | 1u << 27 | 1u << 28 | 1u << 29 | 1u << 12);
		*b &= 0x0000ffffu;		/* initial APIC ID 0, 1 logical CPU */
		/* The TSC-deadline timer is offered: with it (and ARAT) the kernel needs no PIT,
		 * which this VMM does not have, to calibrate or to verify its local APIC timer. */
		*c |= 1u << 24;
		*d &= ~(1u << 28 | 1u << 7 | 1u << 14);	/* HTT, MCE, MCA: no machine-check MSRs */
		break;
	case 6:				/* power management: only ARAT, the APIC timer runs always */
		*a = 1u << 2;
		*b = *c = *d = 0;
		break;
	case 5:				/* MONITOR/MWAIT */
	case 0xa:			/* architectural performance monitoring */
	case 0xd:			/* XSAVE state */
		*a = *b = *c = *d = 0;
		break;
	case 7:
		*b &= ~(1u << 5 | 1u << 16 | 1u << 17 | 1u << 21 | 1u << 26 | 1u << 27 | 1u << 28 |
			1u << 30 | 1u << 31);	/* AVX2, AVX-512 */
		*c &= ~(1u << 16 | 1u << 22 | 1u << 1 | 1u << 6 | 1u << 11 | 1u << 12 | 1u << 14);
		*d = 0;
		break;
	case 0x80000001:
		*d &= ~(1u << 27 | 1u << 7 | 1u << 14);	/* RDTSCP, MCE, MCA */
		*c &= ~(1u << 1 | 1u << 23);	/* CmpLegacy, PerfCtrExtCore */
		break;
	case 0x80000007:
		*b = 0;				/* RAS capabilities */
		break;
	case 0x80000008:
		*b = 0;				/* IBPB, IBRS, STIBP, SSBD ... */
		*c &= ~0xf0ffu;			/* one core per package */
		break;
	default:
		break;
	}
}

/* CPUID passes through, without SVM and with the hypervisor bit set, so a guest can
 * neither nest nor mistake itself for bare metal; nor does it see the x2APIC or the
 * TSC-deadline timer, which the emulated local APIC does not offer. */
static void vm_exit_cpuid(struct vm *vm, struct vcpu_regs *r, const struct vcpu_exit *e)
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
	if (vm->linux_guest)
		vm_cpuid_linux(leaf, &a, &b, &c, &d);
	r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
	r->rip = e->next_rip;
}

/* Log an MSR a Linux guest touched that we do not emulate: once per MSR per VM. */
static void vm_msr_unknown(struct vm_vcpu *vc, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;

	vm_lock(vm);
	bool seen = false;
	for (int i = 0; i < vm->nmsr_logged && !seen; i++)
		seen = vm->msr_logged[i] == e->msr.index;
	if (!seen && vm->nmsr_logged < (int)(sizeof(vm->msr_logged) / sizeof(vm->msr_logged[0])))
		vm->msr_logged[vm->nmsr_logged++] = e->msr.index;
	vm_unlock(vm);
	if (!seen)
		klog("vm %s: %s of MSR 0x%x: not emulated, #GP as on a CPU without it (logged once)",
		     vm->name, e->msr.write ? "wrmsr" : "rdmsr", e->msr.index);
}

/*
 * A Linux guest's MSRs: EFER and PAT are the backend's (VMCB state); the local APIC base
 * (fixed at 0xfee00000, enabled, BSP on vCPU 0); the TSC; the MTRRs as a CPU with none
 * (MTRRcap 0, so the kernel leaves them alone); the microcode patch level 0. Anything
 * else raises #GP, which is what a CPU without that MSR does: the kernel probes optional
 * MSRs with the _safe accessors and carries on. Returns false for #GP.
 */
static bool vm_msr_linux(struct vm_vcpu *vc, const struct vcpu_exit *e, uint64_t *val)
{
	uint32_t m = e->msr.index;

	if (vcpu_msr(vc->hw, m, e->msr.write, val) == 0)
		return true;
	if (m == 0x1b) {				/* IA32_APIC_BASE */
		uint64_t base = VLAPIC_BASE | 1u << 11 | (vc->index == 0 ? 1u << 8 : 0);
		if (!e->msr.write)
			*val = base;
		return !e->msr.write || (*val & ~0x100ull) == (base & ~0x100ull);
	}
	if (m == 0x6e0 && vc->lapic) {			/* IA32_TSC_DEADLINE (vlapic_timer.c) */
		if (e->msr.write)
			vlapic_timer_set_deadline(vc->lapic, *val);
		else
			*val = vlapic_timer_get_deadline(vc->lapic);
		return true;
	}
	if (m == 0x10) {				/* IA32_TSC */
		if (!e->msr.write)
			*val = rdtsc();
		return !e->msr.write;
	}
	if (m == 0xfe || m == 0x2ff || (m >= 0x200 && m < 0x210) || m == 0x250 || m == 0x258 ||
	    m == 0x259 || (m >= 0x268 && m < 0x270)) {	/* MTRRs: none */
		if (!e->msr.write)
			*val = 0;
		return true;
	}
	if (m == 0x8b) {				/* patch level */
		if (!e->msr.write)
			*val = 0;
		return true;
	}
	return false;
}

/* MSRs: a Linux guest's as above; for our test OS reads give 0 and writes are dropped.
 * Nothing of the host's leaks through. */
static void vm_exit_msr(struct vm_vcpu *vc, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	if (vc->vm->linux_guest) {
		uint64_t v = e->msr.value;
		if (!vm_msr_linux(vc, e, &v)) {
			vm_msr_unknown(vc, e);
			vcpu_inject_exception(vc->hw, 13, true, 0);	/* RIP stays: a fault */
			return;
		}
		if (!e->msr.write) {
			r->rax = (uint32_t)v;
			r->rdx = v >> 32;
		}
		r->rip = e->next_rip;
		return;
	}
	if (!e->msr.write)
		r->rax = r->rdx = 0;
	r->rip = e->next_rip;
}

/*
 * VM_HC_VCPU_START: vCPU EBX, parked since the VM was made, starts at EIP = ECX with
 * ESP = EDX and ESI = its index, in the 32-bit flat protected mode vCPU 0 started in (what
 * vcpu_create sets up). 0, or -HV_EINVAL (no such vCPU, or entry/stack outside RAM),
 * -HV_EBUSY (it already started). Called with vm->lock held.
 */
static uint64_t vm_hc_vcpu_start(struct vm *vm, uint64_t id, uint64_t entry, uint64_t stack)
{
	if (id >= (uint64_t)vm->nvcpus || entry >= vm->mem_size || stack > vm->mem_size)
		return (uint64_t)-HV_EINVAL;
	struct vm_vcpu *t = &vm->vcpus[id];
	if (t->started)
		return (uint64_t)-HV_EBUSY;
	struct vcpu_regs *tr = vcpu_regs(t->hw);
	tr->rip = entry;
	tr->rsp = stack;
	tr->rsi = id;
	__atomic_store_n(&t->started, 1, __ATOMIC_RELEASE);	/* the scheduler may pick it now */
	return 0;
}

/*
 * VM_HC_PEER_SYNC: a guest that cannot be driven from inside the kernel (a Linux guest's
 * hvkguest) paces the host peer's NIC test (certify/peer.c) itself. The host still counts
 * and checks every frame the guest sent; the guest only says when. Returns 0, or
 * -HV_EPERM (the VM was not given the uplink), -HV_EINVAL (no such point), -HV_EIO (the
 * host did not answer). Blocks this vCPU (never under vm->lock) until the host is done.
 */
static uint64_t vm_hc_peer_sync(struct vm *vm, uint64_t point, uint64_t n)
{
	static const char *const names[] = { "peer-tx", "peer-tx-done", "peer-probe" };
	char name[24];

	if (!vm->peer_sync)
		return (uint64_t)-HV_EPERM;
	if (point < sizeof(names) / sizeof(names[0]))
		fmt_snprintf(name, sizeof(name), "%s", names[point]);
	else if (point == VM_PEER_RX && n >= 1 && n <= 1024)
		fmt_snprintf(name, sizeof(name), "peer-rx-%llu", (unsigned long long)n);
	else
		return (uint64_t)-HV_EINVAL;
	return hvr_sync(name) < 0 ? (uint64_t)-HV_EIO : 0;
}

static void vm_exit_hypercall(struct vm_vcpu *vc, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;
	uint32_t fn = (uint32_t)r->rax;

	r->rip = e->next_rip;
	if (fn == VM_HC_NOP) {		/* the round-trip benchmark: no lock */
		r->rax = 0;
		return;
	}
	if (fn == VM_HC_YIELD) {
		vc->yielded = 1;
		r->rax = 0;
		return;
	}
	if (fn == VM_HC_PEER_SYNC) {
		r->rax = vm_hc_peer_sync(vm, r->rbx, r->rcx);
		return;
	}
	vm_lock(vm);
	switch (fn) {
	case VM_HC_EXIT:
		if (vm_end(vm, VM_EXITED))
			vm->exit_code = (int)r->rbx;
		break;
	case VM_HC_PUTC:
		vm_console_putc(vm, (char)r->rbx);
		r->rax = 0;
		break;
	case VM_HC_REPORT:
		if (r->rbx < VM_NREPORT)
			vm->report[r->rbx] = (uint32_t)r->rcx;
		r->rax = r->rbx < VM_NREPORT ? 0 : (uint64_t)-HV_EINVAL;
		break;
	case VM_HC_VCPU_START:
		r->rax = vm_hc_vcpu_start(vm, r->rbx, (uint32_t)r->rcx, (uint32_t)r->rdx);
		break;
	default:
		r->rax = (uint64_t)-HV_ENOSYS;
		break;
	}
	vm_unlock(vm);
}

/* HLT: with an interrupt controller and IF=1 the vCPU blocks until an interrupt is
 * pending. Otherwise nothing can wake it: on vCPU 0 the VM ends (exit code 0, as a
 * one-vCPU VM always did); a secondary vCPU is simply done, like a real AP in CLI;HLT. */
static void vm_exit_hlt(struct vm_vcpu *vc, struct vcpu_regs *r, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;

	r->rip = e->next_rip;
	if (vc->lapic && r->rflags & 0x200) {
		vc->halted = 1;
		__atomic_fetch_add(&vm->irq.halts, 1, __ATOMIC_RELAXED);
		return;
	}
	if (vc->index) {
		vc->done = 1;
		return;
	}
	vm_lock(vm);
	if (vm->linux_guest) {	/* its only way out is the exit hypercall of our init */
		vm_stop_locked(vc, "halted with interrupts off (the guest stopped itself)");
	} else if (vm_end(vm, VM_EXITED)) {
		vm->exit_code = 0;
		klog("vm %s: halted", vm->name);
	}
	vm_unlock(vm);
}

void vm_handle_exit(struct vm_vcpu *vc, const struct vcpu_exit *e)
{
	struct vm *vm = vc->vm;
	struct vcpu_regs *r = vcpu_regs(vc->hw);
	unsigned reason = e->reason < VCPU_EXIT_NREASONS ? e->reason : VCPU_EXIT_FAIL;

	vc->exits[reason]++;
	__atomic_fetch_add(&vm->exits[reason], 1, __ATOMIC_RELAXED);
	switch (e->reason) {
	case VCPU_EXIT_IO:
		vm_exit_io(vc, r, e);
		break;
	case VCPU_EXIT_CPUID:
		vm_exit_cpuid(vm, r, e);
		break;
	case VCPU_EXIT_MSR:
		vm_exit_msr(vc, r, e);
		break;
	case VCPU_EXIT_HYPERCALL:
		vm_exit_hypercall(vc, r, e);
		break;
	case VCPU_EXIT_HLT:
		vm_exit_hlt(vc, r, e);
		break;
	case VCPU_EXIT_INTR:
		break;		/* the host interrupt was taken on the way out; go back in */
	case VCPU_EXIT_IRQ_WINDOW:
		break;		/* virq_prepare injects on the way back in */
	case VCPU_EXIT_MMIO:
		if (vm_exit_mmio(vc, r, e) == 0)
			break;
		vm_stop(vc, "%s of guest-physical 0x%llx outside its memory", e->mem.fetch ? "fetch" :
			e->mem.write ? "write" : "read", (unsigned long long)e->mem.gpa);
		break;
	case VCPU_EXIT_SHUTDOWN:
		vm_stop(vc, "shutdown (triple fault)");
		break;
	case VCPU_EXIT_EXCEPTION:
		vm_stop(vc, "exception %u", e->exc.vector);
		break;
	default:
		vm_stop(vc, "cannot run: exit 0x%llx (invalid guest state?)", (unsigned long long)e->raw);
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
	klog("vm %s: exits%s; irq injected=%llu windows=%llu halts=%llu shadow_held=%llu ipis=%llu", vm->name,
	     buf, (unsigned long long)vm->irq.injected, (unsigned long long)vm->irq.windows,
	     (unsigned long long)vm->irq.halts, (unsigned long long)vm->irq.shadow_held,
	     (unsigned long long)vm->irq.ipis);
	for (int i = 0; vm->nvcpus > 1 && i < vm->nvcpus; i++) {
		const struct vm_vcpu *vc = &vm->vcpus[i];
		klog("vm %s: vcpu %d: %llu exits, %llu slices, %llu us of CPU, on CPUs 0x%x%s", vm->name, i,
		     (unsigned long long)vm_vcpu_exit_total(vc), (unsigned long long)vc->slices,
		     (unsigned long long)vc->cpu_us, vc->cpus, vc->started ? "" : " (never started)");
	}
	if (vm->state == VM_RUNNING || vm->state == VM_READY)
		virq_log_state((struct vm *)vm);
}
