/*
 * TSC calibration. Prefer what the CPU or hypervisor states (CPUID 15h, the hypervisor
 * timing leaf 4000_0010h); otherwise count TSC ticks across a PIT channel-2 one-shot.
 *
 * The PIT runs on the emulator's clock, the TSC on the host's; both are host time, but the
 * vCPU can be descheduled anywhere, and a loaded host took 2.7 times the window once (the
 * kernel then believed in a 6.8 GHz CPU and every timeout ran slow). So each trial brackets
 * both of its ends with TSC reads: the start lies between the reads around the outb that
 * opens the gate, the end between the read before the last inb that saw OUT2 low and the
 * read after the first that saw it high. A trial counts only when those brackets are
 * within TSC_CAL_SLACK of the window; a deschedule inside a bracket widens it and the trial
 * is dropped, one outside the brackets costs nothing. So one good trial is already within
 * TSC_CAL_SLACK of the truth, and one is all we take: each trial is about 2 ms of PIT
 * polling, thousands of port reads that a hypervisor under hvkernel traps one by one (the
 * median of three good trials cost 6 ms and up to 60 000 port reads per boot and bought
 * nothing the brackets had not already bounded).
 */
#include <arch/cpu.h>
#include <arch/pitreg.h>
#include <kern/contain.h>
#include <kern/time.h>

uint64_t tsc_khz;

#define TSC_CAL_PIT_TICKS	2386	/* 2.0 ms at 1.193182 MHz */
#define TSC_CAL_TRIALS		1	/* good trials (the median of them) */
#define TSC_CAL_ATTEMPTS	40	/* at most 80 ms on a host too busy for good trials */
#define TSC_CAL_SLACK		200	/* brackets within 1/200 (0.5%) of the window */

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

/*
 * One PIT one-shot of TSC_CAL_PIT_TICKS. Returns the TSC ticks it took (the middle of what
 * the brackets allow) and sets *slack to the brackets' width; 0 when the PIT never fired.
 */
static uint64_t tsc_pit_trial(uint64_t *slack)
{
	uint8_t b = inb(PIT_PORT_B);
	uint64_t s0, s1, before = 0, after = 0, spins = 0;

	/* Gate off, speaker off, program a one-shot, then open the gate and time it. */
	outb(PIT_PORT_B, (b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPKR)));
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, TSC_CAL_PIT_TICKS & 0xff);
	outb(PIT_CH2, TSC_CAL_PIT_TICKS >> 8);
	s0 = rdtsc();
	outb(PIT_PORT_B, (b & ~PIT_PORT_B_SPKR) | PIT_PORT_B_GATE2);
	s1 = rdtsc();
	for (;;) {
		uint64_t t = rdtsc();
		int high = inb(PIT_PORT_B) & PIT_PORT_B_OUT2;

		after = rdtsc();
		if (high)
			break;
		before = t;
		if (++spins > 100000000ull) {
			outb(PIT_PORT_B, b);
			return 0;	/* no PIT */
		}
	}
	outb(PIT_PORT_B, b);
	if (!before)
		before = s1;	/* high at the first look: the end lies after the gate opened */
	/* Shortest and longest the window can have been, in TSC ticks. */
	uint64_t lo = before > s1 ? before - s1 : 0, hi = after - s0;
	*slack = hi - lo;
	return lo + (hi - lo) / 2;
}

static uint64_t tsc_from_pit(void)
{
	uint64_t good[TSC_CAL_TRIALS], best = 0, best_slack = ~0ull, ticks, slack;
	int n = 0;

	for (int i = 0; i < TSC_CAL_ATTEMPTS && n < TSC_CAL_TRIALS; i++) {
		ticks = tsc_pit_trial(&slack);
		if (!ticks)
			return 0;
		if (slack < best_slack) {
			best = ticks;
			best_slack = slack;
		}
		if (slack * TSC_CAL_SLACK <= ticks) {
			int k = n++;	/* insertion sort: three values */

			while (k > 0 && good[k - 1] > ticks) {
				good[k] = good[k - 1];
				k--;
			}
			good[k] = ticks;
		}
	}
	/* Never three good trials: the tightest one is the best there is. */
	ticks = n ? good[n / 2] : best;
	return ticks * PIT_HZ / TSC_CAL_PIT_TICKS / 1000;
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

CONTAIN_SAFE uint64_t time_tsc_to_us(uint64_t delta)
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

CONTAIN_SAFE uint64_t time_us(void)
{
	return time_tsc_to_us(rdtsc() - boot_entry_tsc);
}

CONTAIN_SAFE void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_khz ? tsc_khz : 1000000) / 1000;

	while (rdtsc() < end)
		cpu_pause();
}
