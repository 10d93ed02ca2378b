/* The local APIC of the boot CPU: interrupt acknowledge and the timer. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdint.h>

/* Enable the LAPIC (base from MSR 1Bh) with the spurious vector, mask the legacy PIC. */
int lapic_init(void);
void lapic_eoi(void);
/* Enable this CPU's LAPIC (every CPU, the boot CPU through lapic_init). */
void lapic_enable_local(void);
/* Send an interprocessor interrupt: icr_lo holds vector, delivery mode and level. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);
uint32_t lapic_id(void);
/* Physical address of the LAPIC registers, for MSI messages (address bits 31:20 = FEEh). */
uint64_t lapic_phys(void);
/* Start the timer: periodic at hz on IRQ_VEC_TIMER, or stop it with hz == 0.
 * The first call calibrates the timer against the TSC (1 ms windows, lapic.c). */
int lapic_timer_start(unsigned hz);
/* Timer ticks seen so far. */
uint64_t lapic_timer_ticks(void);
/* The timer's calibrated counts per second at divide-by-16 (calibrating on first use), and
 * its current count: for the boot tests that check the calibration against another clock. */
uint64_t lapic_timer_rate(void);
uint32_t lapic_timer_count(void);
/* Masked one-shot from the largest count at divide-by-16 (stop it with lapic_timer_start(0)). */
void lapic_timer_oneshot_max(void);

#endif
