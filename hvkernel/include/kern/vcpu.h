/*
 * The vendor-neutral virtual CPU interface. A backend (SVM today, VMX later) runs the
 * guest until something needs the hypervisor and describes that as a struct vcpu_exit;
 * the VMM (vmm/vm.c) handles it. Registers are exchanged in struct vcpu_regs.
 */
#ifndef KERN_VCPU_H
#define KERN_VCPU_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

enum vcpu_exit_reason {
	VCPU_EXIT_NONE,
	VCPU_EXIT_IO,		/* port I/O: io.* */
	VCPU_EXIT_MMIO,		/* access to guest-physical memory with no RAM: mem.* */
	VCPU_EXIT_HLT,
	VCPU_EXIT_CPUID,
	VCPU_EXIT_MSR,		/* msr.* (write: value in msr.value) */
	VCPU_EXIT_HYPERCALL,	/* VMMCALL/VMCALL: regs.rax etc. */
	VCPU_EXIT_INTR,		/* a host interrupt arrived: just re-enter */
	VCPU_EXIT_SHUTDOWN,	/* triple fault or shutdown */
	VCPU_EXIT_EXCEPTION,	/* an intercepted guest exception */
	VCPU_EXIT_FAIL,		/* the backend could not enter the guest */
	VCPU_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now (asked by vcpu_irq_window) */
	VCPU_EXIT_NREASONS
};

struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	uint64_t raw;			/* backend exit code, for logs */
	uint64_t next_rip;		/* RIP after the exiting instruction (0 when unknown) */
	union {
		struct { uint16_t port; uint8_t size; bool in, string; } io;
		struct { uint64_t gpa; bool write, fetch; } mem;
		struct { uint32_t index; bool write; uint64_t value; } msr;
		struct { uint8_t vector; uint32_t error; } exc;
	};
};

struct vcpu;

/* Enable hardware virtualisation once at boot (global state: host save area, permission
 * maps). 0, or -HV_ENODEV when the CPU cannot (vcpu_create then fails). */
int vcpu_init(void);
/* Enable it on the calling CPU (application processors, as they start). */
void vcpu_init_local(unsigned cpu);
/* Is hardware virtualisation with nested paging available? Fills why otherwise. */
bool vcpu_hw_available(const char **why);
/* Create a vCPU for vm in 32-bit protected mode (flat segments, paging off) at rip. */
struct vcpu *vcpu_create(struct vm *vm, uint64_t rip, uint64_t rsp);
void vcpu_destroy(struct vcpu *v);
/* Run until the next exit that needs the VMM. */
void vcpu_run(struct vcpu *v, struct vcpu_exit *exit);
struct vcpu_regs *vcpu_regs(struct vcpu *v);
/* Inject an external interrupt on the next entry. Only when vcpu_irq_ready() says so:
 * injection bypasses the guest's RFLAGS.IF and interrupt shadow. */
void vcpu_inject_irq(struct vcpu *v, uint8_t vector);
/* Can the guest take an external interrupt now: RFLAGS.IF set, no interrupt shadow (the
 * instruction after STI or MOV SS), and no event already waiting to be injected? */
bool vcpu_irq_ready(struct vcpu *v);
/* Did the last exit leave the guest inside an interrupt shadow, the instruction at RIP
 * still to run (the VMM has not stepped over anything since)? */
bool vcpu_irq_shadow(struct vcpu *v);
/* Ask for a VCPU_EXIT_IRQ_WINDOW exit as soon as the guest can take an interrupt (on), or
 * withdraw the request (off). */
void vcpu_irq_window(struct vcpu *v, bool on);
const char *vcpu_exit_name(enum vcpu_exit_reason r);

/* What the VMM needs of a paging guest's state to walk its page tables. */
struct vcpu_paging {
	uint64_t cr0, cr3, cr4, efer;
	bool code64;			/* CS is a 64-bit code segment (long mode, CS.L) */
	unsigned cpl;
};
void vcpu_get_paging(struct vcpu *v, struct vcpu_paging *p);
/* Put the vCPU in 64-bit mode as the Linux 64-bit boot protocol wants it (boot.rst,
 * "64-bit Boot Protocol"): paging on with cr3, flat code at selector 0x10 and data at 0x18
 * of a GDT the VMM wrote at gdt, interrupts off, at rip. */
void vcpu_set_long_mode(struct vcpu *v, uint64_t rip, uint64_t cr3, uint64_t gdt, uint16_t gdt_limit);
/* Inject a hardware exception (a fault: RIP stays at the faulting instruction) on the
 * next entry, with an error code when has_error. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* MSRs whose state the backend keeps (EFER, PAT): 0 with *val read or written, or
 * -HV_ENOENT for the VMM to handle. */
int vcpu_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

#endif
