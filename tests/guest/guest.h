/* What the guest test OS's files share (tests/guest/). */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define HC_YIELD	3
#define HC_REPORT	4	/* report[EBX] = ECX for the host's test */
#define HC_PEER_SYNC	6	/* EBX = a host peer sync point; only with vm.uplink=1 */
#define HC_EPERM	0xffffffffu	/* -HV_EPERM in EAX */

void con_putc(char c);
void con_puts(const char *s);
void con_putu(uint32_t v);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void hc_report(uint32_t key, uint32_t value)
{
	uint32_t a = HC_REPORT;
	__asm__ volatile("vmmcall" : "+a"(a) : "b"(key), "c"(value) : "memory");
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* Wait for an interrupt with interrupts off: STI's shadow covers HLT, so one arriving
 * between the caller's check and the HLT still wakes it. Returns with interrupts off. */
static inline void sti_hlt_cli(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

/* irq.c: descriptor tables, handlers, the local APIC and I/O APIC. */
#define LAPIC_BASE	0xfee00000u
#define IOAPIC_BASE	0xfec00000u
extern volatile uint32_t irq_frame_eip;	/* where the latest interrupt came in */
void irq_init(void);
void irq_load(void);		/* another vCPU: load the tables irq_init built */
void irq_set_handler(uint8_t vector, void (*fn)(void));
uint32_t lapic_read(uint32_t off);
void lapic_write(uint32_t off, uint32_t v);
void lapic_eoi(void);
void ioapic_route(unsigned pin, uint8_t vector, int level);
uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
/* TSC ticks per millisecond (CPUID 4000_0010h EAX, kHz), 0 when not offered. */
uint32_t tsc_per_ms(void);

/* os.c: virtio-blk through the used-ring interrupt (set by irqtest.c). */
extern volatile int blk_irq_mode;
extern volatile uint32_t blk_irqs;
void blk_irq(void);
int test_vblk(void);
extern volatile int net_irq_mode;
extern volatile uint32_t net_irqs;
void net_irq(void);
int test_echo(uint32_t n);

/* irqtest.c */
int test_timer_periodic(uint32_t ticks);
int test_timer_oneshot(void);
int test_irq_masked(void);
int test_vblk_irq(void);
int test_irq_bad(void);
int test_echo_irq(uint32_t n);
int test_irq_shadow(uint32_t ticks);

/* smptest.c */
int test_smp_count(uint32_t iters, int apic);
int test_smp_fault(void);
int test_smp_ipi(uint32_t rounds);

#endif
