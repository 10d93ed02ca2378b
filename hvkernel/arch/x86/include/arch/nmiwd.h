/*
 * The NMI watchdog of driver containment (arch/x86/nmiwd.c): while started, the PIT's
 * channel 0 raises an NMI on the calling CPU about every 55 ms, through the I/O APIC
 * (ISA IRQ 0) in NMI delivery mode, so a driver spinning with interrupts off is still
 * interrupted. The NMI handler is kern/contain.c's.
 */
#ifndef ARCH_NMIWD_H
#define ARCH_NMIWD_H

#include <stdbool.h>

void nmiwd_start(void);
void nmiwd_stop(void);
/* Whether nmiwd_start ever ran (an NMI before that is not the watchdog's). */
bool nmiwd_started(void);

#endif
