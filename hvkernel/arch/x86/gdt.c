/*
 * The kernel's GDT and TSS. Long mode ignores most of the GDT, but the TSS is how the CPU
 * finds known-good stacks (IST) for double faults, NMIs and machine checks: a kernel stack
 * overflow then still ends in a readable panic (APM vol. 2, 12.2.5 "Interrupt-stack table").
 */
#include <stdint.h>
#include <arch/bootdefs.h>
#include <arch/trap.h>
#include <kern/string.h>

#define GDT_TSS_SEL	0x18
#define IST_STACK_SIZE	8192

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* One GDT and TSS per CPU: a TSS is busy once loaded, so CPUs cannot share one. */
static uint64_t gdt_tables[GDT_MAX_CPUS][5] __attribute__((aligned(16)));
static struct tss64 gdt_tsss[GDT_MAX_CPUS] __attribute__((aligned(16)));
static uint8_t gdt_ist_stacks[GDT_MAX_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(unsigned cpu)
{
	uint64_t *gdt_table = gdt_tables[cpu];
	struct tss64 *tss = &gdt_tsss[cpu];
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	memset(tss, 0, sizeof(*tss));
	for (int i = 0; i < 3; i++)
		tss->ist[i] = (uint64_t)&gdt_ist_stacks[cpu][i][IST_STACK_SIZE];
	tss->iomap_base = sizeof(*tss);	/* no I/O permission bitmap */

	gdt_table[0] = 0;
	gdt_table[1] = 0x00af9a000000ffffull;	/* 0x08: 64-bit code */
	gdt_table[2] = 0x00cf92000000ffffull;	/* 0x10: data */
	/* 0x18: 64-bit available TSS, a 16-byte system descriptor (APM vol. 2, 4.8.3). */
	gdt_table[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt_table[4] = base >> 32;

	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
		sizeof(gdt_tables[0]) - 1, (uint64_t)gdt_table
	};
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"ltr %w3"
		:: "m"(gdtr), "i"((uint64_t)BOOT_CS), "i"(BOOT_DS), "r"(GDT_TSS_SEL)
		: "rax", "memory");
}
