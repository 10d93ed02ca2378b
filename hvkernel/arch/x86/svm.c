/*
 * The SVM backend of the vCPU interface (APM vol. 2, chapter 15). One VMCB per vCPU,
 * nested paging always on, every I/O port and MSR intercepted, and the intercepts VMRUN
 * insists on (15.5.1: VMRUN must be intercepted, the ASID must be non-zero, the I/O and
 * MSR permission maps must be valid). QEMU's SVM under TCG has no NRIP save, so the exit
 * decoder advances RIP itself by the length of the instruction it knows exited.
 */
#include <stddef.h>
#include <arch/bootdefs.h>
#include <arch/cpu.h>
#include <arch/svmreg.h>
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/smp.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/vcpu.h>
#include <vmm/vm.h>

struct vcpu {
	struct vm *vm;
	uint8_t *vmcb;
	struct vcpu_regs regs;
	uint64_t exit_rip;		/* RIP at the last exit: moved since means the shadow ended */
	bool shadow;			/* the guest was in an interrupt shadow at the last exit */
	int last_cpu;			/* the physical CPU it last ran on, -1 before */
	/* The guest's x87/SSE state (FXSAVE format, APM vol. 2, 11.4.4): VMRUN does not switch
	 * it, and vCPUs of different VMs share physical CPUs, so it is restored before every
	 * entry and saved after every exit (the host itself never touches these registers:
	 * -mgeneral-regs-only). Guests are offered no XSAVE state beyond it (vm.c). */
	uint8_t fpu_raw[512 + 16];
	uint8_t *fpu;			/* fpu_raw, 16-byte aligned */
};

void svm_vmrun(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_vmcb_pa);

/* svm_entry.S addresses the registers by these offsets. */
_Static_assert(offsetof(struct vcpu_regs, rbx) == 8 && offsetof(struct vcpu_regs, rdi) == 40 &&
	       offsetof(struct vcpu_regs, rbp) == 48 && offsetof(struct vcpu_regs, r8) == 64 &&
	       offsetof(struct vcpu_regs, r15) == 120, "struct vcpu_regs layout is used by svm_entry.S");

static uint8_t *svm_hsave[SMP_MAX_CPUS], *svm_host_vmcb[SMP_MAX_CPUS], *svm_iopm, *svm_msrpm;
#define SVM_MAX_ASIDS	16	/* vm.c hands out 1..15 */
/* Per CPU and ASID: the vCPU that last ran there with that ASID. */
static struct vcpu *svm_asid_last[SMP_MAX_CPUS][SVM_MAX_ASIDS];
static int svm_ready;
static uint32_t svm_nasids, svm_features;

#define VMCB_U64(v, off)	(*(volatile uint64_t *)((v)->vmcb + (off)))
#define VMCB_U32(v, off)	(*(volatile uint32_t *)((v)->vmcb + (off)))
#define VMCB_U16(v, off)	(*(volatile uint16_t *)((v)->vmcb + (off)))
#define VMCB_U8(v, off)		(*(volatile uint8_t *)((v)->vmcb + (off)))

bool vcpu_hw_available(const char **why)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x8000000a) {
		*why = "CPU has no SVM leaf";
		return false;
	}
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (!(c & CPUID_SVM_ECX)) {
		*why = "CPU has no SVM (under QEMU use TCG with -cpu max; KVM here offers none)";
		return false;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		*why = "SVM disabled by firmware (VM_CR.SVMDIS)";
		return false;
	}
	cpuid(0x8000000a, 0, &a, &b, &c, &d);
	if (!(d & SVM_FEAT_NP)) {
		*why = "SVM without nested paging";
		return false;
	}
	svm_nasids = b;
	svm_features = d;
	return true;
}

int vcpu_init(void)
{
	const char *why;

	if (svm_ready)
		return 0;
	if (!vcpu_hw_available(&why)) {
		klog("svm: not available: %s; no VMs can run", why);
		return -HV_ENODEV;
	}
	/* Per-CPU host save areas for every CPU that may start later, allocated now so
	 * that no CPU allocates on its own start-up path. */
	for (int i = 0; i < SMP_MAX_CPUS; i++) {
		svm_hsave[i] = page_alloc(1);
		svm_host_vmcb[i] = page_alloc(1);
		if (!svm_hsave[i] || !svm_host_vmcb[i])
			return -HV_ENOMEM;
	}
	svm_iopm = page_alloc(SVM_IOPM_PAGES);
	svm_msrpm = page_alloc(SVM_MSRPM_PAGES);
	if (!svm_iopm || !svm_msrpm)
		return -HV_ENOMEM;
	/* Intercept every port and every MSR: a guest sees only what the VMM emulates. */
	memset(svm_iopm, 0xff, SVM_IOPM_PAGES * PAGE_SIZE);
	memset(svm_msrpm, 0xff, SVM_MSRPM_PAGES * PAGE_SIZE);
	/* ...but for the MSRs VMLOAD/VMSAVE swap (15.5.2: FS/GS bases, KernelGSBase, the
	 * SYSCALL and SYSENTER MSRs): they are the guest's own, whatever it writes never
	 * reaches the host, and a paging guest (Linux) writes them on every task switch. */
	static const uint32_t own[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100,
					0xc0000101, 0xc0000102, 0x174, 0x175, 0x176 };
	for (unsigned i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		uint32_t m = own[i], base = m >= 0xc0000000 ? 0x800 : 0;	/* 15.11 MSRPM layout */
		unsigned bit = 2 * (m & 0x1fff);
		svm_msrpm[base + bit / 8] &= (uint8_t)~(3u << (bit % 8));
	}
	svm_ready = 1;
	vcpu_init_local(0);
	klog("svm: enabled, %u ASIDs, NRIP save %s", svm_nasids,
	     svm_features & SVM_FEAT_NRIPS ? "yes" : "no (RIP advanced by the VMM)");
	return 0;
}

static void svm_set_seg(struct vcpu *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base)
{
	VMCB_U16(v, off) = sel;
	VMCB_U16(v, off + 2) = attr;
	VMCB_U32(v, off + 4) = limit;
	VMCB_U64(v, off + 8) = base;
}

void vcpu_init_local(unsigned cpu)
{
	if (!svm_ready || cpu >= SMP_MAX_CPUS)
		return;
	/* FXSAVE/FXRSTOR of the guests' state include the XMM registers only with
	 * CR4.OSFXSR (APM vol. 2, 11.4.4); CR0.EM and TS would make them fault. */
	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" :: "r"(cr0 & ~(uint64_t)(1u << 2 | 1u << 3)) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | 1u << 9) : "memory");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)svm_hsave[cpu]);
}

struct vcpu *vcpu_create(struct vm *vm, uint64_t rip, uint64_t rsp)
{
	if (!svm_ready)
		return 0;
	if ((unsigned)vm->id + 1 >= svm_nasids)
		return 0;
	struct vcpu *v = kzalloc(sizeof(*v));
	if (!v)
		return 0;
	v->vmcb = page_alloc(1);
	if (!v->vmcb) {
		kfree(v);
		return 0;
	}
	v->vm = vm;
	v->last_cpu = -1;
	v->fpu = (uint8_t *)(((uintptr_t)v->fpu_raw + 15) & ~(uintptr_t)15);
	v->fpu[0] = 0x7f, v->fpu[1] = 0x03;		/* FCW at reset: 037Fh */
	v->fpu[24] = 0x80, v->fpu[25] = 0x1f;		/* MXCSR at reset: 1F80h */
	VMCB_U32(v, VMCB_INTERCEPT_MISC1) = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
		SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT | SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
		SVM_INTERCEPT_SHUTDOWN;
	VMCB_U32(v, VMCB_INTERCEPT_MISC2) = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
		SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
		SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT;
	VMCB_U64(v, VMCB_IOPM_BASE) = (uint64_t)svm_iopm;
	VMCB_U64(v, VMCB_MSRPM_BASE) = (uint64_t)svm_msrpm;
	VMCB_U32(v, VMCB_GUEST_ASID) = (uint32_t)vm->id + 1;
	VMCB_U8(v, VMCB_TLB_CONTROL) = 1;	/* flush this ASID on the first entry */
	VMCB_U64(v, VMCB_VINTR) = SVM_VINTR_MASKING;	/* host IF gates host interrupts */
	VMCB_U64(v, VMCB_NP_ENABLE) = 1;
	VMCB_U64(v, VMCB_N_CR3) = vm_npt_root(vm);

	/* 32-bit protected mode, flat, paging off (15.5.1 lists what VMRUN checks). */
	svm_set_seg(v, VMCB_CS, 0x08, SVM_ATTR_CODE32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_DS, 0x10, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_ES, 0x10, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_SS, 0x10, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_FS, 0x10, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_GS, 0x10, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_GDTR, 0, 0, 0xffff, 0);
	svm_set_seg(v, VMCB_IDTR, 0, 0, 0, 0);	/* no IDT: any guest exception ends in shutdown */
	svm_set_seg(v, VMCB_LDTR, 0, SVM_ATTR_LDT, 0xffff, 0);
	svm_set_seg(v, VMCB_TR, 0, SVM_ATTR_TSS32, 0xffff, 0);
	VMCB_U64(v, VMCB_CR0) = 0x11;		/* PE | ET */
	VMCB_U64(v, VMCB_CR3) = 0;
	VMCB_U64(v, VMCB_CR4) = 0;
	VMCB_U64(v, VMCB_EFER) = EFER_SVME;	/* VMRUN requires guest EFER.SVME */
	VMCB_U64(v, VMCB_DR6) = 0xffff0ff0;
	VMCB_U64(v, VMCB_DR7) = 0x400;
	VMCB_U64(v, VMCB_G_PAT) = 0x0007040600070406ull;
	v->regs.rip = rip;
	v->regs.rsp = rsp;
	v->regs.rflags = 0x2;
	return v;
}

void vcpu_set_long_mode(struct vcpu *v, uint64_t rip, uint64_t cr3, uint64_t gdt, uint16_t gdt_limit)
{
	svm_set_seg(v, VMCB_CS, 0x10, SVM_ATTR_CODE64, 0xffffffff, 0);
	svm_set_seg(v, VMCB_DS, 0x18, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_ES, 0x18, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_SS, 0x18, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_FS, 0x18, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_GS, 0x18, SVM_ATTR_DATA32, 0xffffffff, 0);
	svm_set_seg(v, VMCB_GDTR, 0, 0, gdt_limit, gdt);
	svm_set_seg(v, VMCB_TR, 0, SVM_ATTR_TSS64, 0xffff, 0);
	VMCB_U64(v, VMCB_CR0) = 0x80000031;	/* PG | NE | ET | PE */
	VMCB_U64(v, VMCB_CR3) = cr3;
	VMCB_U64(v, VMCB_CR4) = 0x20;		/* PAE */
	VMCB_U64(v, VMCB_EFER) = EFER_SVME | EFER_LME | EFER_LMA;
	v->regs.rip = rip;
	v->regs.rflags = 0x2;
}

void vcpu_get_paging(struct vcpu *v, struct vcpu_paging *p)
{
	p->cr0 = VMCB_U64(v, VMCB_CR0);
	p->cr3 = VMCB_U64(v, VMCB_CR3);
	p->cr4 = VMCB_U64(v, VMCB_CR4);
	p->efer = VMCB_U64(v, VMCB_EFER);
	p->code64 = (p->efer & EFER_LMA) && (VMCB_U16(v, VMCB_CS + 2) & 0x200);
	p->cpl = VMCB_U8(v, VMCB_CPL);
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	uint64_t ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXC | vector;

	if (has_error)
		ev |= SVM_EVTINJ_EV | (uint64_t)error << 32;
	VMCB_U64(v, VMCB_EVENTINJ) = ev;
}

int vcpu_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	switch (msr) {
	case MSR_EFER:
		/* SVME stays on under the guest's feet (VMRUN requires it) and hidden from it;
		 * LMA is the CPU's to set. */
		if (write)
			VMCB_U64(v, VMCB_EFER) = (*val & ~(uint64_t)EFER_LMA) | EFER_SVME |
				(VMCB_U64(v, VMCB_EFER) & EFER_LMA);
		else
			*val = VMCB_U64(v, VMCB_EFER) & ~EFER_SVME;
		return 0;
	case 0x277:	/* IA32_PAT: the guest's PAT under nested paging (15.25.8) */
		if (write)
			VMCB_U64(v, VMCB_G_PAT) = *val;
		else
			*val = VMCB_U64(v, VMCB_G_PAT);
		return 0;
	default:
		return -HV_ENOENT;
	}
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	for (int i = 0; i < SMP_MAX_CPUS; i++)
		for (int a = 0; a < SVM_MAX_ASIDS; a++)
			if (svm_asid_last[i][a] == v)
				svm_asid_last[i][a] = 0;	/* a new vCPU at this address must flush */
	page_free(v->vmcb, 1);
	kfree(v);
}

struct vcpu_regs *vcpu_regs(struct vcpu *v)
{
	return &v->regs;
}

void vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	VMCB_U64(v, VMCB_EVENTINJ) = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | vector;
}

/* The shadow is as the guest left it at the exit; once the VMM has stepped over the
 * exiting instruction the one instruction it covered is done (15.21.5). */
static bool svm_in_shadow(struct vcpu *v)
{
	return v->shadow && v->regs.rip == v->exit_rip;
}

/*
 * Was the guest in an interrupt shadow at this exit? The VMCB says so (INT_SHADOW), but
 * QEMU's SVM before 9.1 does not reload that bit on VMRUN: re-entered inside a shadow, a
 * guest that exits again before running the shadow's instruction (a host interrupt was
 * already waiting) reports no shadow. Same RIP as the shadowed entry means that
 * instruction has not run: the shadow still holds.
 */
static void svm_track_shadow(struct vcpu *v, uint64_t entry_rip, bool entered_in_shadow)
{
	bool now = VMCB_U64(v, VMCB_INT_SHADOW) & SVM_INT_SHADOW;

	v->shadow = now || (entered_in_shadow && v->regs.rip == entry_rip);
}

bool vcpu_irq_shadow(struct vcpu *v)
{
	return svm_in_shadow(v);
}

bool vcpu_irq_ready(struct vcpu *v)
{
	return (v->regs.rflags & 0x200) && !svm_in_shadow(v) &&
	       !(VMCB_U64(v, VMCB_EVENTINJ) & SVM_EVTINJ_VALID);
}

/*
 * The interrupt window (15.21.4): a virtual interrupt (V_IRQ) that the guest takes as soon
 * as it is interruptible, with VINTR intercepted, so taking it is an exit instead; the VMM
 * then injects the real vector through EVENTINJ. V_IGN_TPR: the guest's TPR is the VMM's
 * business (the emulated local APIC), not the CPU's.
 */
void vcpu_irq_window(struct vcpu *v, bool on)
{
	uint64_t ctl = VMCB_U64(v, VMCB_VINTR);

	ctl &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR | (0xfull << SVM_VINTR_PRIO_SHIFT));
	if (on)
		ctl |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR | (0xfull << SVM_VINTR_PRIO_SHIFT);
	VMCB_U64(v, VMCB_VINTR) = ctl;
	/* VINTR is intercepted only while a window is asked for: otherwise the VMCB is the
	 * one guests without interrupts (and the VMMCALL benchmark) always ran with. */
	if (on)
		VMCB_U32(v, VMCB_INTERCEPT_MISC1) |= SVM_INTERCEPT_VINTR;
	else
		VMCB_U32(v, VMCB_INTERCEPT_MISC1) &= ~SVM_INTERCEPT_VINTR;
}

/* Translate the VMCB's exit into the VMM's terms. */
static void svm_decode_exit(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t code = VMCB_U64(v, VMCB_EXITCODE);
	uint64_t info1 = VMCB_U64(v, VMCB_EXITINFO1), info2 = VMCB_U64(v, VMCB_EXITINFO2);
	uint64_t rip = v->regs.rip;

	memset(e, 0, sizeof(*e));
	e->raw = code;
	switch (code) {
	case SVM_EXIT_IOIO:
		e->reason = VCPU_EXIT_IO;
		e->io.port = (uint16_t)(info1 >> SVM_IOIO_PORT_SHIFT);
		e->io.size = info1 & SVM_IOIO_SZ8 ? 1 : info1 & SVM_IOIO_SZ16 ? 2 : 4;
		e->io.in = info1 & SVM_IOIO_IN;
		e->io.string = (info1 & (SVM_IOIO_STR | SVM_IOIO_REP)) != 0;
		e->next_rip = info2;	/* 15.10.2: EXITINFO2 holds the next RIP */
		break;
	case SVM_EXIT_CPUID:
		e->reason = VCPU_EXIT_CPUID;
		e->next_rip = rip + 2;
		break;
	case SVM_EXIT_HLT:
		e->reason = VCPU_EXIT_HLT;
		e->next_rip = rip + 1;
		break;
	case SVM_EXIT_MSR:
		e->reason = VCPU_EXIT_MSR;
		e->msr.index = (uint32_t)v->regs.rcx;
		e->msr.write = info1 == 1;
		e->msr.value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
		e->next_rip = rip + 2;
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = VCPU_EXIT_HYPERCALL;
		e->next_rip = rip + 3;
		break;
	case SVM_EXIT_NPF:
		e->reason = VCPU_EXIT_MMIO;
		e->mem.gpa = info2;
		e->mem.write = (info1 >> 1) & 1;
		e->mem.fetch = (info1 >> 4) & 1;
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		e->reason = VCPU_EXIT_INTR;
		break;
	case SVM_EXIT_VINTR:
		e->reason = VCPU_EXIT_IRQ_WINDOW;
		vcpu_irq_window(v, false);	/* 15.21.4: the window is open; V_IRQ served */
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = VCPU_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_INVALID:
		e->reason = VCPU_EXIT_FAIL;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->reason = VCPU_EXIT_EXCEPTION;
			e->exc.vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
			e->exc.error = (uint32_t)info1;
		} else {
			e->reason = VCPU_EXIT_FAIL;	/* an intercept we did not ask for */
		}
		break;
	}
}

void vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	VMCB_U64(v, VMCB_RIP) = v->regs.rip;
	VMCB_U64(v, VMCB_RSP) = v->regs.rsp;
	VMCB_U64(v, VMCB_RAX) = v->regs.rax;
	VMCB_U64(v, VMCB_RFLAGS) = v->regs.rflags;
	uint64_t entry_rip = v->regs.rip;
	bool entry_shadow = svm_in_shadow(v);
	VMCB_U64(v, VMCB_INT_SHADOW) = entry_shadow ? SVM_INT_SHADOW : 0;
	/* The vCPUs of a VM share its ASID, and TLB entries are tagged by ASID only (15.16):
	 * when another vCPU with this ASID ran on this CPU since this one did, or this one
	 * moved here from another CPU (whose INVLPGs this CPU never saw), flush the ASID on
	 * entry. Switching between VMs (different ASIDs) flushes nothing: under TCG a flush
	 * empties the whole soft TLB. */
	unsigned cpu = smp_cpu_index(), asid = VMCB_U32(v, VMCB_GUEST_ASID) % SVM_MAX_ASIDS;
	if (svm_asid_last[cpu][asid] != v || v->last_cpu != (int)cpu)
		VMCB_U8(v, VMCB_TLB_CONTROL) = 1;
	svm_asid_last[cpu][asid] = v;
	v->last_cpu = (int)cpu;
	/* GIF off across the world switch; host interrupts stay enabled in the guest so they
	 * cause an INTR exit, and are taken once GIF is back (15.17 "Global interrupt flag"). */
	cpu_cli();
	__asm__ volatile("clgi" ::: "memory");
	cpu_sti();
	__asm__ volatile("fxrstor64 %0" :: "m"(*(uint8_t (*)[512])v->fpu));
	svm_vmrun((uint64_t)v->vmcb, &v->regs, (uint64_t)svm_host_vmcb[cpu]);
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t (*)[512])v->fpu));
	cpu_cli();
	__asm__ volatile("stgi" ::: "memory");
	cpu_sti();
	VMCB_U8(v, VMCB_TLB_CONTROL) = 0;
	v->regs.rip = VMCB_U64(v, VMCB_RIP);
	v->regs.rsp = VMCB_U64(v, VMCB_RSP);
	v->regs.rax = VMCB_U64(v, VMCB_RAX);
	v->regs.rflags = VMCB_U64(v, VMCB_RFLAGS);
	v->exit_rip = v->regs.rip;
	svm_track_shadow(v, entry_rip, entry_shadow);
	/* An event whose delivery the exit interrupted is injected again, so it is neither
	 * lost nor delivered twice (15.7.2 EXITINTINFO); otherwise nothing is pending. */
	uint64_t ii = VMCB_U64(v, VMCB_EXITINTINFO);
	VMCB_U64(v, VMCB_EVENTINJ) = ii & SVM_EVTINJ_VALID ? ii : 0;
	svm_decode_exit(v, e);
}

const char *vcpu_exit_name(enum vcpu_exit_reason r)
{
	static const char *const names[VCPU_EXIT_NREASONS] = {
		"none", "io", "mmio", "hlt", "cpuid", "msr", "hypercall", "intr", "shutdown",
		"exception", "fail", "vintr",
	};
	return r < VCPU_EXIT_NREASONS ? names[r] : "?";
}

/*
 * The reference the VMMCALL round trip is judged against: the cheapest possible loop of
 * VMRUN and #VMEXIT on this CPU (no register swap, no VMLOAD/VMSAVE, no GIF games), on a
 * vCPU whose guest executes VMMCALL forever. Returns nanoseconds per round trip.
 */
uint64_t svm_bench_minimal(struct vcpu *v, unsigned n)
{
	uint64_t pa = (uint64_t)v->vmcb;

	VMCB_U64(v, VMCB_RIP) = v->regs.rip;
	VMCB_U64(v, VMCB_RSP) = v->regs.rsp;
	VMCB_U64(v, VMCB_RFLAGS) = 0x2;
	int on = cpu_irq_save();
	__asm__ volatile("clgi" ::: "memory");
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < n; i++) {
		__asm__ volatile("vmrun %%rax" :: "a"(pa) : "memory", "rbx", "rcx", "rdx", "rsi", "rdi",
				 "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
		VMCB_U64(v, VMCB_RIP) += 3;
	}
	uint64_t t1 = rdtsc();
	__asm__ volatile("stgi" ::: "memory");
	cpu_irq_restore(on);
	return n ? time_tsc_to_ns(t1 - t0) / n : 0;
}
