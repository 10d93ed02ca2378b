/* The register frame that trap.S pushes for every interrupt and exception. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	/* pushed by the CPU (APM vol. 2, 8.9.3 "Interrupt stack frame") */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Exception vectors (APM vol. 2, table 8-1). */
#define TRAP_DE		0
#define TRAP_DB		1
#define TRAP_NMI	2
#define TRAP_BP		3
#define TRAP_UD		6
#define TRAP_DF		8
#define TRAP_GP		13
#define TRAP_PF		14
#define TRAP_MC		18

/* Vector space: 0-31 exceptions, 32-47 legacy PIC (masked), 48-239 devices, 240-255 system. */
#define IRQ_VEC_FIRST	48
#define IRQ_VEC_LAST	239
#define IRQ_VEC_TIMER	240
#define IRQ_VEC_SPURIOUS 255

typedef void (*trap_handler_t)(struct trapframe *tf, void *arg);

#define GDT_MAX_CPUS	8
/* Load CPU cpu's GDT and TSS (cpu < GDT_MAX_CPUS). */
void gdt_init(unsigned cpu);
void idt_init(void);
/* Install a handler for a vector. -HV_EBUSY if one is there, -HV_EINVAL for a bad vector. */
int trap_set_handler(unsigned vector, trap_handler_t fn, void *arg);
void trap_clear_handler(unsigned vector);
/* Allocate / free a device interrupt vector. Returns the vector or -HV_ENOSPC. */
int irq_alloc_vector(trap_handler_t fn, void *arg);
void irq_free_vector(unsigned vector);
/* Count of interrupts taken per vector (for tests and statistics). */
uint64_t trap_count(unsigned vector);

#endif
