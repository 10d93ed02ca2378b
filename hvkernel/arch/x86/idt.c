/*
 * The IDT and trap dispatch: one table of handlers indexed by vector, a counter per
 * vector, and a panic for any exception nobody claimed.
 */
#include <stdint.h>
#include <arch/bootdefs.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <hv/errno.h>
#include <kern/contain.h>
#include <kern/panic.h>
#include <kern/verifier.h>

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t trap_stubs[256];

static struct idt_gate idt_table[256] __attribute__((aligned(16)));
static struct { trap_handler_t fn; void *arg; } trap_handlers[256];
static uint64_t trap_counts[256];

void idt_load(void);

static void idt_set_gate(unsigned vec, uint64_t addr, uint8_t ist)
{
	struct idt_gate *g = &idt_table[vec];

	g->off_lo = addr & 0xffff;
	g->sel = BOOT_CS;
	g->ist = ist;
	g->type = 0x8e;		/* present, DPL 0, 64-bit interrupt gate (IF cleared on entry) */
	g->off_mid = (addr >> 16) & 0xffff;
	g->off_hi = addr >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint8_t ist = 0;
		if (v == TRAP_NMI)
			ist = 1;
		else if (v == TRAP_DF)
			ist = 2;
		else if (v == TRAP_MC)
			ist = 3;
		idt_set_gate(v, trap_stubs[v], ist);
	}
	idt_load();
}

/* Load the shared IDT on this CPU (application processors call it directly). */
void idt_load(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {
		sizeof(idt_table) - 1, (uint64_t)idt_table
	};
	__asm__ volatile("lidt %0" :: "m"(idtr));
}

int trap_set_handler(unsigned vector, trap_handler_t fn, void *arg)
{
	if (vector > 255 || !fn)
		return -HV_EINVAL;
	if (trap_handlers[vector].fn)
		return -HV_EBUSY;
	trap_handlers[vector].arg = arg;
	trap_handlers[vector].fn = fn;
	return 0;
}

void trap_clear_handler(unsigned vector)
{
	if (vector <= 255) {
		trap_handlers[vector].fn = 0;
		trap_handlers[vector].arg = 0;
	}
}

int irq_alloc_vector(trap_handler_t fn, void *arg)
{
	int on = cpu_irq_save();
	int ret = -HV_ENOSPC;

	for (unsigned v = IRQ_VEC_FIRST; v <= IRQ_VEC_LAST; v++) {
		if (!trap_handlers[v].fn) {
			trap_set_handler(v, fn, arg);
			ret = (int)v;
			break;
		}
	}
	cpu_irq_restore(on);
	return ret;
}

void irq_free_vector(unsigned vector)
{
	if (vector >= IRQ_VEC_FIRST && vector <= IRQ_VEC_LAST)
		trap_clear_handler(vector);
}

uint64_t trap_count(unsigned vector)
{
	return vector <= 255 ? trap_counts[vector] : 0;
}

void trap_dispatch(struct trapframe *tf)
{
	unsigned v = (unsigned)tf->vector;
	int nested = contain_trap_enter(tf);	/* a trap on a contained driver's stack */

	trap_counts[v]++;
	if (trap_handlers[v].fn && v >= 32 && vf_on) {
		struct vf_entry e;	/* interrupt context for the verifier */
		vf_irq_enter(&e);
		trap_handlers[v].fn(tf, trap_handlers[v].arg);
		vf_irq_exit(&e);
	} else if (trap_handlers[v].fn) {
		trap_handlers[v].fn(tf, trap_handlers[v].arg);
	} else if (v < 32) {
		/* A contained driver's own fault ends its call; any other is the kernel's. */
		if (!contain_fault(tf))
			panic_trap(tf);
	}
	contain_trap_exit(tf, nested);
	if (v == IRQ_VEC_SPURIOUS)
		return;		/* spurious LAPIC interrupts take no EOI (APM vol. 2, 16.4.7) */
	/* Legacy PIC vectors are masked and never reach here; everything else is LAPIC. */
	if (v >= 32)
		lapic_eoi();
}
