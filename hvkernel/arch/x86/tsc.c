/*
 * TSC calibration. Prefer what the CPU or hypervisor states (CPUID 15h, the hypervisor
 * timing leaf 4000_0010h); otherwise count TSC ticks across a PIT channel-2 one-shot.
 *
 * The PIT runs on the emulator's clock, the TSC on the host's; both are host time, but the
 * vCPU can be descheduled anywhere, and a loaded host took 2.7 times the window once (the
 * kernel then believed in a 6.8 GHz CPU and every timeout ran slow). So each trial brackets
 * both of its ends with TSC reads: each end is a read of the PIT's count (latch, two
 * byte reads) between two TSC reads. A trial counts only when those brackets are
 * within TSC_CAL_SLACK of the window; a deschedule inside a bracket widens it and the trial
 * is dropped, one outside the brackets costs nothing. So one good trial is already within
 * TSC_CAL_SLACK of the truth, and one is all we take (the median of three good trials cost
 * 6 ms and bought nothing the brackets had not already bounded). Reading the count at both
 * ends, rather than polling OUT2 for the end of a one-shot, costs a dozen port accesses
 * instead of thousands: each is a VM exit when hvkernel runs under a hypervisor.
 */
#include <arch/cpu.h>
#include <arch/pitreg.h>
#include <kern/contain.h>
#include <kern/time.h>

uint64_t tsc_khz;

#define TSC_CAL_PIT_TICKS	2386	/* 2.0 ms at 1.193182 MHz: the unit of a trial's result */
#define TSC_CAL_SPIN		8000000	/* TSC ticks per window: 2 ms at 4 GHz, 8 ms at 1 GHz */
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

/* Channel 2's count now: latch it, then read low and high byte (8254 datasheet,
 * "Counter Latch Command"). Three port accesses. */
static uint16_t tsc_pit_count(void)
{
	outb(PIT_MODE, PIT_LATCH_CH2);
	uint8_t lo = inb(PIT_CH2);

	return (uint16_t)(lo | inb(PIT_CH2) << 8);
}

/*
 * One window: channel 2 counts down from 0xffff in mode 0; its count is read at the start
 * and at the end of about TSC_CAL_SPIN TSC ticks, each read bracketed by TSC reads. Returns
 * the TSC ticks of the window scaled to TSC_CAL_PIT_TICKS PIT ticks (the middle of what the
 * brackets allow) and sets *slack to the brackets' width, scaled alike; 0 when there is no
 * PIT (the count did not move) or the count ran out (OUT2 high: a deschedule of more than
 * 55 ms). A dozen port accesses, where waiting for OUT2 took one per poll, thousands per
 * window.
 */
static uint64_t tsc_pit_trial(uint64_t *slack)
{
	uint8_t b = inb(PIT_PORT_B);
	uint64_t a0, a1, b0, b1;
	uint16_t c0, c1;

	/* Gate off, speaker off, program the count, open the gate. */
	outb(PIT_PORT_B, (b & ~(PIT_PORT_B_GATE2 | PIT_PORT_B_SPKR)));
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	outb(PIT_PORT_B, (b & ~PIT_PORT_B_SPKR) | PIT_PORT_B_GATE2);
	(void)tsc_pit_count();	/* the count is loaded on the first clock after the gate */
	a0 = rdtsc();
	c0 = tsc_pit_count();
	a1 = rdtsc();
	while (rdtsc() - a1 < TSC_CAL_SPIN)
		cpu_pause();
	b0 = rdtsc();
	c1 = tsc_pit_count();
	b1 = rdtsc();
	int ran_out = inb(PIT_PORT_B) & PIT_PORT_B_OUT2;
	outb(PIT_PORT_B, b);
	if (c1 >= c0 || ran_out)
		return 0;
	/* Shortest and longest the window can have been, in TSC ticks, for c0 - c1 PIT ticks. */
	uint64_t pit = (uint64_t)(c0 - c1), lo = b0 - a1, hi = b1 - a0;
	*slack = (hi - lo) * TSC_CAL_PIT_TICKS / pit;
	return (lo + (hi - lo) / 2) * TSC_CAL_PIT_TICKS / pit;
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
