/*
 * DDK: time, delays and timers. Timer callbacks run in interrupt context: they must not
 * sleep or wait long, and they may call hv_timer_start() to re-arm.
 */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* Microseconds since the hypervisor started. */
uint64_t hv_time_us(void);
/* Busy-wait at least us microseconds. */
void hv_udelay(uint64_t us);

struct hv_timer {
	void (*fn)(void *arg);	/* set by hv_timer_start */
	void *arg;
	uint64_t deadline_us;	/* owned by the kernel */
	struct hv_timer *next;	/* owned by the kernel */
	bool armed;		/* owned by the kernel */
};

/* Call fn(arg) once, about us microseconds from now (1 ms resolution). Re-arming an armed
 * timer moves it. */
void hv_timer_start(struct hv_timer *t, uint64_t us, void (*fn)(void *arg), void *arg);
/* Disarm; returns true when the timer was armed. After it returns fn is not running. */
bool hv_timer_cancel(struct hv_timer *t);

#endif
