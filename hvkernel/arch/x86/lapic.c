/*
 * Local APIC (xAPIC mode) and the 8259 PIC shutdown. The timer runs periodic on
 * IRQ_VEC_TIMER; its rate is calibrated against the TSC because the APIC bus clock is
 * not architecturally known (APM vol. 2, 16.4.1).
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/lapicreg.h>
#include <arch/trap.h>
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/time.h>
#include <kern/timer.h>

static uintptr_t lapic_base;
static uint64_t lapic_timer_hz_per_div16;	/* timer counts per second at divide-by-16 */
static volatile uint64_t lapic_ticks;

static uint32_t lapic_read(uint32_t reg) { return mmio_read32(lapic_base + reg); }
static void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(lapic_base + reg, v); }

/* Remap the 8259s away from the exception vectors, then mask every line: all device
 * interrupts come through the IOAPIC or MSI (8259A datasheet, ICW1-4). */
static void lapic_disable_pic(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, 32);   outb(0xa1, 40);
	outb(0x21, 4);    outb(0xa1, 2);
	outb(0x21, 1);    outb(0xa1, 1);
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

static void lapic_timer_isr(struct trapframe *tf, void *arg)
{
	(void)tf;
	(void)arg;
	lapic_ticks++;
	timer_tick();
}

int lapic_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		return -HV_ENODEV;
	lapic_disable_pic();
	lapic_base = (uintptr_t)(rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK);
	lapic_enable_local();
	return trap_set_handler(IRQ_VEC_TIMER, lapic_timer_isr, 0);
}

void lapic_enable_local(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | IRQ_VEC_SPURIOUS);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_EOI, 0);
}

/* Send an IPI (APM vol. 2, 16.5 "Interprocessor interrupts"): ICR high then low. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); i++)
		cpu_pause();	/* delivery status: wait until sent */
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

uint64_t lapic_phys(void)
{
	return lapic_base;
}

/*
 * One 1 ms window of the timer counting down from its maximum, both ends bracketed by TSC
 * reads as in tsc.c: returns the counts per second it shows and the bracket width in parts
 * per million of the window.
 */
static uint64_t lapic_timer_trial(uint64_t *ppm)
{
	uint64_t s0, s1, a, b;
	uint32_t left;

	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	s0 = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	s1 = rdtsc();
	udelay(1000);
	a = rdtsc();
	left = lapic_read(LAPIC_TIMER_CUR);
	b = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0);
	uint64_t lo = a - s1, hi = b - s0, mid = lo + (hi - lo) / 2;
	*ppm = (hi - lo) * 1000000 / (mid ? mid : 1);
	return (uint64_t)(0xffffffffu - left) * 1000000000ull / (time_tsc_to_ns(mid) ? time_tsc_to_ns(mid) : 1);
}

/* The APIC bus clock is not architectural: measure it against the TSC. A vCPU descheduled
 * inside a bracket (a loaded host) would skew a window by milliseconds, so only windows whose
 * brackets are within 0.5% count, and the median of three is taken. */
static void lapic_timer_calibrate(void)
{
	uint64_t good[3], best = 0, best_ppm = ~0ull, hz, ppm;
	int n = 0;

	for (int i = 0; i < 40 && n < 3; i++) {
		hz = lapic_timer_trial(&ppm);
		if (ppm < best_ppm) {
			best = hz;
			best_ppm = ppm;
		}
		if (ppm <= 5000) {
			int k = n++;

			while (k > 0 && good[k - 1] > hz) {
				good[k] = good[k - 1];
				k--;
			}
			good[k] = hz;
		}
	}
	lapic_timer_hz_per_div16 = n ? good[n / 2] : best;
}

uint64_t lapic_timer_rate(void)
{
	if (!lapic_timer_hz_per_div16)
		lapic_timer_calibrate();
	return lapic_timer_hz_per_div16;
}

void lapic_timer_oneshot_max(void)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
}

uint32_t lapic_timer_count(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

int lapic_timer_start(unsigned hz)
{
	if (hz == 0) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
		lapic_write(LAPIC_TIMER_INIT, 0);
		return 0;
	}
	if (!lapic_timer_hz_per_div16)
		lapic_timer_calibrate();
	uint64_t count = lapic_timer_hz_per_div16 / hz;
	if (count == 0 || count > 0xffffffffu)
		return -HV_ERANGE;
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | IRQ_VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
	return 0;
}

uint64_t lapic_timer_ticks(void)
{
	return lapic_ticks;
}
