/*
 * The guest test OS's interrupt side: a GDT and an IDT of 32-bit interrupt gates
 * (SDM vol. 3, 6.11), a handler table, and drivers for the local APIC (xAPIC MMIO at
 * 0xfee00000) and the I/O APIC (0xfec00000) the hypervisor emulates.
 */
#include "guest.h"

struct gate { uint16_t off_lo, sel; uint8_t zero, type; uint16_t off_hi; } __attribute__((packed));
struct dtr { uint16_t limit; uint32_t base; } __attribute__((packed));

extern const uint8_t isr_stubs[];
void gdt_load(const struct dtr *d);
void irq_dispatch(uint32_t vector);

static const uint64_t gdt[3] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,	/* null, code 08h, data 10h */
};
static struct gate idt[256] __attribute__((aligned(8)));
static void (*handlers[256])(void);

void irq_set_handler(uint8_t vector, void (*fn)(void))
{
	handlers[vector] = fn;
}

/* An exception, or an interrupt nobody asked for, ends the test with 200 + vector (a
 * spurious vector 255 exits with 455). */
void irq_dispatch(uint32_t vector)
{
	if (vector < 256 && handlers[vector]) {
		handlers[vector]();
		return;
	}
	con_puts("guest: unexpected vector ");
	con_putu(vector);
	con_putc('\n');
	uint32_t a = 1, b = 200 + vector;
	for (;;)
		__asm__ volatile("vmmcall" :: "a"(a), "b"(b));
}

static struct dtr irq_gdtr, irq_idtr;

/* Load the tables irq_init built: every vCPU of the guest uses the same ones. */
void irq_load(void)
{
	gdt_load(&irq_gdtr);
	__asm__ volatile("lidt %0" :: "m"(irq_idtr));
}

void irq_init(void)
{
	irq_gdtr.limit = sizeof(gdt) - 1;
	irq_gdtr.base = (uint32_t)gdt;
	for (unsigned v = 0; v < 256; v++) {
		uint32_t a = (uint32_t)(isr_stubs + 16 * v);
		idt[v] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16) };
	}
	irq_idtr.limit = sizeof(idt) - 1;
	irq_idtr.base = (uint32_t)idt;
	irq_load();
}

uint32_t lapic_read(uint32_t off) { return *(volatile uint32_t *)(LAPIC_BASE + off); }
void lapic_write(uint32_t off, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + off) = v; }
void lapic_eoi(void) { lapic_write(0xb0, 0); }

uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

/* Fixed delivery to APIC 0, unmasked. */
void ioapic_route(unsigned pin, uint8_t vector, int level)
{
	ioapic_write(0x11 + 2 * pin, 0);
	ioapic_write(0x10 + 2 * pin, vector | (level ? 1u << 15 : 0));
}

uint32_t tsc_per_ms(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000u), "c"(0));
	if (a < 0x40000010u)
		return 0;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000010u), "c"(0));
	return a;
}
