/*
 * One-shot software timers (hv/time.h) on a 1 kHz LAPIC tick. The tick runs only while a
 * timer is armed, so an idle hypervisor takes no timer interrupts.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <hv/time.h>
#include <kern/export.h>
#include <kern/time.h>

#define TIMER_HZ	1000

static struct hv_timer *timer_list;
static int timer_ticking;

static void timer_unlink(struct hv_timer *t)
{
	for (struct hv_timer **pp = &timer_list; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = 0;
	t->armed = false;
}

/* Called from the LAPIC timer interrupt. */
void timer_tick(void)
{
	uint64_t now = time_us();
	struct hv_timer *t = timer_list;

	while (t) {
		struct hv_timer *next = t->next;
		if (t->deadline_us <= now) {
			timer_unlink(t);
			t->fn(t->arg);	/* may re-arm t */
		}
		t = next;
	}
	if (!timer_list && timer_ticking) {
		lapic_timer_start(0);
		timer_ticking = 0;
	}
}

void hv_timer_start(struct hv_timer *t, uint64_t us, void (*fn)(void *arg), void *arg)
{
	int on = cpu_irq_save();

	if (t->armed)
		timer_unlink(t);
	t->fn = fn;
	t->arg = arg;
	t->deadline_us = time_us() + us;
	t->armed = true;
	t->next = timer_list;
	timer_list = t;
	if (!timer_ticking) {
		lapic_timer_start(TIMER_HZ);
		timer_ticking = 1;
	}
	cpu_irq_restore(on);
}

bool hv_timer_cancel(struct hv_timer *t)
{
	int on = cpu_irq_save();
	bool was = t->armed;

	if (was)
		timer_unlink(t);
	/* The last timer gone stops the tick now, not at the next tick: a tick left running
	 * would later stop a LAPIC timer someone else started in between (boot.timer). */
	if (!timer_list && timer_ticking) {
		lapic_timer_start(0);
		timer_ticking = 0;
	}
	cpu_irq_restore(on);
	return was;
}

uint64_t hv_time_us(void)
{
	return time_us();
}

void hv_udelay(uint64_t us)
{
	udelay(us);
}

HV_EXPORT(hv_timer_start);
HV_EXPORT(hv_timer_cancel);
HV_EXPORT(hv_time_us);
HV_EXPORT(hv_udelay);
