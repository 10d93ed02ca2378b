/*
 * One-shot software timers on a 1 kHz LAPIC tick (kern/timer.c): what the kernel uses
 * itself and what the DDK's hv_timer_start/hv_timer_cancel (hv/time.h) pass on to. The
 * timer is the DDK's struct hv_timer; callbacks run in interrupt context.
 */
#ifndef KERN_TIMER_H
#define KERN_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/time.h>

/* Call fn(arg) once, about us microseconds from now; re-arming an armed timer moves it. */
void timer_start(struct hv_timer *t, uint64_t us, void (*fn)(void *arg), void *arg);
/* Disarm; true when it was armed. With interrupts enabled it also waits until no other
 * CPU is inside fn, so a timer on the caller's stack may go out of scope after it. */
bool timer_cancel(struct hv_timer *t);
/* Is t on the list of armed timers? (Reads only the list: t may be freed memory.) */
bool timer_listed(const struct hv_timer *t);
/* The LAPIC timer interrupt: fire every expired timer. */
void timer_tick(void);
/* Cancel every armed timer whose callback lies in [base, base + size) (a contained
 * module's image). Returns how many. */
unsigned timer_cancel_in(const void *base, uint64_t size);
/* How many armed timers have their callback in [base, base + size). */
unsigned timer_count_in(const void *base, uint64_t size);

#endif
