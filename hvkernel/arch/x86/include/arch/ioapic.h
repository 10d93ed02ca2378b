/* I/O APIC routing of global system interrupts (GSIs): legacy INTx and ISA lines. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdint.h>
#include <stdbool.h>

/* Mask every entry of every IOAPIC that ACPI lists (or the default one at 0xfec00000). */
int ioapic_init(void);
/* Route a GSI to a vector on the boot CPU. PCI INTx is level-triggered, active low. */
int ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low);
int ioapic_mask(uint32_t gsi, bool masked);
/* Route a GSI to the calling CPU as an NMI (edge; the polarity from the MADT flags), masked. */
int ioapic_route_nmi(uint32_t gsi, bool active_low);

#endif
