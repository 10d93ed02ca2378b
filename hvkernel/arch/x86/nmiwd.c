/*
 * The NMI watchdog (arch/nmiwd.h). The PIT is the one timer every PC has that can reach
 * the I/O APIC: channel 0 in mode 2 (rate generator) pulses its output once per period,
 * and ISA IRQ 0's I/O APIC input (GSI 2 under the MADT's override on pc and q35) delivers
 * it as an NMI (82093AA 3.2.4, delivery mode 100b). The LAPIC timer cannot do it portably:
 * its LVT has no delivery mode (APM vol. 2, 16.4.1; SDM vol. 3, 11.5.1). Channel 2 stays
 * the TSC calibration's (arch/x86/tsc.c).
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/nmiwd.h>
#include <arch/pitreg.h>
#include <kern/acpi.h>

#define NMIWD_PIT_COUNT	0	/* 65536 PIT clocks: 54.9 ms */

static bool nmiwd_ever;
static bool nmiwd_routed;
static uint32_t nmiwd_gsi;

void nmiwd_start(void)
{
	uint16_t flags = 0;

	/* Routed at every start: to the CPU that runs the call. */
	nmiwd_gsi = acpi_isa_irq_to_gsi(0, &flags);
	/* MPS INTI flags (ACPI 6.4, table 5.50): polarity bits 1:0, 3 = active low. */
	if (ioapic_route_nmi(nmiwd_gsi, (flags & 3) == 3) < 0)
		return;
	nmiwd_routed = true;
	outb(PIT_MODE, PIT_MODE_CH0_RATE);
	outb(PIT_CH0, NMIWD_PIT_COUNT & 0xff);
	outb(PIT_CH0, NMIWD_PIT_COUNT >> 8);
	ioapic_mask(nmiwd_gsi, false);
	nmiwd_ever = true;
}

void nmiwd_stop(void)
{
	if (!nmiwd_routed)
		return;
	ioapic_mask(nmiwd_gsi, true);
	outb(PIT_MODE, PIT_MODE_CH0_ONESHOT);	/* counting stops until a count is written */
}

bool nmiwd_started(void)
{
	return nmiwd_ever;
}
