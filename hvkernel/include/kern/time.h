/* Time since kernel entry, from the TSC (calibrated once at boot by arch/x86/tsc.c). */
#ifndef KERN_TIME_H
#define KERN_TIME_H

#include <stdint.h>

extern uint64_t boot_entry_tsc;	/* read by the first instructions of boot.S */
extern uint64_t tsc_khz;		/* 0 until calibrated */

/* Calibrate the TSC. Returns the source used ("cpuid", "pit"). */
const char *tsc_calibrate(void);
/* Microseconds since kernel entry (0 before calibration). */
uint64_t time_us(void);
/* Convert a TSC delta to microseconds / nanoseconds. */
uint64_t time_tsc_to_us(uint64_t delta);
uint64_t time_tsc_to_ns(uint64_t delta);
/* Busy-wait. */
void udelay(uint64_t us);

#endif
