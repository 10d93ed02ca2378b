/* Thin wrappers over x86 instructions the kernel needs. No policy here. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

/*
 * What would be a VM exit if hvkernel itself ran under a hypervisor: port I/O, MMIO
 * (device registers: the accessors below and the DDK's BAR accessors), and the other
 * intercepted instructions the kernel issues (CPUID, RDMSR/WRMSR, CR3 writes, INVLPG, HLT;
 * Intel SDM vol. 3C 25.1.3, AMD APM vol. 2 15.9). kern/bootstat.c reports them per boot
 * phase and per driver. Plain increments, no lock: approximate while several CPUs count.
 */
struct cpu_exitcount {
	uint64_t pio, mmio, other;
};
extern struct cpu_exitcount cpu_exits;

static inline void outb(uint16_t port, uint8_t v) { cpu_exits.pio++; __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { cpu_exits.pio++; __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { cpu_exits.pio++; __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; cpu_exits.pio++; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; cpu_exits.pio++; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; cpu_exits.pio++; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* n bytes to one port with one string instruction: a hypervisor hands the whole string to
 * its device model in one exit (KVM: up to a page; SDM vol. 2B, OUTS), so it counts as one. */
static inline void outsb(uint16_t port, const void *p, unsigned long n)
{
	cpu_exits.pio++;
	__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	cpu_exits.other++;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	cpu_exits.other++;
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	cpu_exits.other++;
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_hlt(void) { cpu_exits.other++; __asm__ volatile("hlt" ::: "memory"); }
static inline void cpu_pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void cpu_barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void cpu_mfence(void) { __asm__ volatile("mfence" ::: "memory"); }

static inline uint64_t cpu_flags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}

/* Disable interrupts and return whether they were on, for cpu_irq_restore(). */
static inline int cpu_irq_save(void)
{
	int on = (cpu_flags() & 0x200) != 0;
	cpu_cli();
	return on;
}

static inline void cpu_irq_restore(int on)
{
	if (on)
		cpu_sti();
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { cpu_exits.other++; __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(uintptr_t va) { cpu_exits.other++; __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* MMIO accessors: volatile, so the compiler neither merges nor reorders device accesses. */
static inline uint8_t mmio_read8(uintptr_t a) { cpu_exits.mmio++; return *(volatile uint8_t *)a; }
static inline uint16_t mmio_read16(uintptr_t a) { cpu_exits.mmio++; return *(volatile uint16_t *)a; }
static inline uint32_t mmio_read32(uintptr_t a) { cpu_exits.mmio++; return *(volatile uint32_t *)a; }
static inline uint64_t mmio_read64(uintptr_t a) { cpu_exits.mmio++; return *(volatile uint64_t *)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v) { cpu_exits.mmio++; *(volatile uint8_t *)a = v; }
static inline void mmio_write16(uintptr_t a, uint16_t v) { cpu_exits.mmio++; *(volatile uint16_t *)a = v; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { cpu_exits.mmio++; *(volatile uint32_t *)a = v; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { cpu_exits.mmio++; *(volatile uint64_t *)a = v; }

#endif
