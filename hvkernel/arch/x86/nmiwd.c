/*
 * The NMI watchdog (arch/nmiwd.h). The PIT is the one timer every PC has that can reach
 * the I/O APIC: channel 0 in mode 2 (rate generator) pulses its output once per period,
 * and ISA IRQ 0's I/O APIC input (GSI 2 under the MADT's override on pc and q35) delivers
 * it as an NMI (82093AA 3.2.4, delivery mode 100b). The LAPIC timer cannot do it portably:
 * its LVT has no delivery mode (APM vol. 2, 16.4.1; SDM vol. 3, 11.5.1). Channel 2 stays
 * the TSC calibration's (arch/x86/tsc.c).
 *
 * The PIT is programmed once and keeps running; a start or stop only unmasks or masks the
 * I/O APIC entry (routed again only when another CPU starts it), so a contained call costs
 * a few register writes. A period that ended while masked may arrive right after the
 * unmask: kern/contain.c counts such an NMI as stray.
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/nmiwd.h>
#include <arch/pitreg.h>
#include <kern/acpi.h>

#define NMIWD_PIT_COUNT	0	/* 65536 PIT clocks: 54.9 ms */
#define NMIWD_NO_CPU	0xffffffffu

static bool nmiwd_ever;
static uint32_t nmiwd_gsi;
static uint32_t nmiwd_apic = NMIWD_NO_CPU;	/* where the entry is routed */

void nmiwd_start(void)
{
	uint16_t flags = 0;
	uint32_t me = lapic_id();

	if (nmiwd_apic != me) {
		nmiwd_gsi = acpi_isa_irq_to_gsi(0, &flags);
		/* MPS INTI flags (ACPI 6.4, table 5.50): polarity bits 1:0, 3 = active low. */
		if (ioapic_route_nmi(nmiwd_gsi, (flags & 3) == 3) < 0)
			return;
		if (nmiwd_apic == NMIWD_NO_CPU) {
			outb(PIT_MODE, PIT_MODE_CH0_RATE);
			outb(PIT_CH0, NMIWD_PIT_COUNT & 0xff);
			outb(PIT_CH0, NMIWD_PIT_COUNT >> 8);
		}
		nmiwd_apic = me;
	}
	/* Before the unmask: a period that ended while masked is delivered at once, and its
	 * handler must know it is the watchdog's (a make check under load panicked on that
	 * NMI, taken for a stray one, between these two lines). */
	nmiwd_ever = true;
	__asm__ volatile("" ::: "memory");
	ioapic_mask(nmiwd_gsi, false);
}

void nmiwd_stop(void)
{
	if (nmiwd_apic != NMIWD_NO_CPU)
		ioapic_mask(nmiwd_gsi, true);
}

bool nmiwd_started(void)
{
	return nmiwd_ever;
}
