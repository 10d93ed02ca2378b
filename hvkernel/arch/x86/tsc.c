/*
 * TSC calibration. Prefer what the CPU or hypervisor states (CPUID 15h, the hypervisor
 * timing leaf 4000_0010h); otherwise count TSC ticks across a PIT channel-2 one-shot.
 * We use a 2 ms window: under TCG the TSC follows the host's, and a few microseconds of
 * port-I/O overhead on a 2 ms window is an error of well under one percent.
 */
#include <arch/cpu.h>
#include <arch/pitreg.h>
#include <kern/time.h>

uint64_t tsc_khz;

#define TSC_CAL_PIT_TICKS	2386	/* 2.0 ms at 1.193182 MHz */

static uint64_t tsc_from_cpuid(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0x15) {
		/* Leaf 15h: TSC/crystal ratio EBX/EAX, crystal Hz in ECX (SDM vol. 2A, CPUID). */
		uint32_t den, num, hz, x;
		cpuid(0x15, 0, &den, &num, &hz, &x);
		if (den && num && hz)
			return (uint64_t)hz * num / den / 1000;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 31)) {	/* running under a hypervisor */
		cpuid(0x40000000, 0, &a, &b, &c, &d);
		if (a >= 0x40000010) {
			cpuid(0x40000010, 0, &a, &b, &c, &d);
			if (a)
				return a;	/* EAX: TSC frequency in kHz */
		}
	}
	return 0;
}

static uint64_t tsc_from_pit(void)
{
	uint8_t b = inb(PIT_PORT_B);

	/* Gate off, speaker off, program a one-shot, then open the gate and time it. */
	outb(PIT_PORT_B, (b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPKR)));
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, TSC_CAL_PIT_TICKS & 0xff);
	outb(PIT_CH2, TSC_CAL_PIT_TICKS >> 8);
	outb(PIT_PORT_B, (b & ~PIT_PORT_B_SPKR) | PIT_PORT_B_GATE2);
	uint64_t t0 = rdtsc();
	uint64_t spins = 0;
	while (!(inb(PIT_PORT_B) & PIT_PORT_B_OUT2)) {
		if (++spins > 100000000ull)
			break;	/* no PIT: fall through to the default below */
	}
	uint64_t t1 = rdtsc();
	outb(PIT_PORT_B, b);
	if (spins > 100000000ull || t1 <= t0)
		return 0;
	return (t1 - t0) * PIT_HZ / TSC_CAL_PIT_TICKS / 1000;
}

const char *tsc_calibrate(void)
{
	uint64_t khz = tsc_from_cpuid();

	if (khz) {
		tsc_khz = khz;
		return "cpuid";
	}
	khz = tsc_from_pit();
	if (khz) {
		tsc_khz = khz;
		return "pit";
	}
	tsc_khz = 1000000;	/* 1 GHz guess: timestamps are wrong but nothing divides by 0 */
	return "guess";
}

uint64_t time_tsc_to_us(uint64_t delta)
{
	if (!tsc_khz)
		return 0;
	/* Split to avoid 128-bit arithmetic: (q * k + r) * 1000 / k = q * 1000 + r * 1000 / k. */
	return delta / tsc_khz * 1000 + delta % tsc_khz * 1000 / tsc_khz;
}

uint64_t time_tsc_to_ns(uint64_t delta)
{
	if (!tsc_khz)
		return 0;
	return delta / tsc_khz * 1000000 + delta % tsc_khz * 1000000 / tsc_khz;
}

uint64_t time_us(void)
{
	return time_tsc_to_us(rdtsc() - boot_entry_tsc);
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_khz ? tsc_khz : 1000000) / 1000;

	while (rdtsc() < end)
		cpu_pause();
}
