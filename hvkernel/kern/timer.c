/*
 * One-shot software timers (kern/timer.h; the DDK's hv/time.h passes on to them) on a
 * 1 kHz LAPIC tick. The tick runs only while a
 * timer is armed, so an idle hypervisor takes no timer interrupts.
 *
 * Several CPUs: one list under timer_lock. A CPU that arms a timer starts its own LAPIC's
 * tick (so a guest it runs is interrupted: the scheduler's slices on every CPU), and any
 * CPU's tick fires any expired timer; a CPU stops its tick when it finds the list empty.
 * A callback runs with the lock dropped (it may re-arm), so timer_cancel with
 * interrupts enabled waits until no other CPU is inside the timer's callback: a timer on
 * the caller's stack is then safe to let go. (With interrupts off the caller may hold a
 * lock the callback takes; those callers' timers live as long as their object.)
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <hv/lock.h>
#include <kern/smp.h>
#include <kern/time.h>
#include <kern/timer.h>

#define TIMER_HZ	1000

static struct hv_timer *timer_list;
static uint32_t timer_ticking;			/* bit per CPU whose LAPIC ticks */
static struct hv_spinlock timer_lock;
static struct hv_timer *volatile timer_running[SMP_MAX_CPUS];	/* callback in progress */

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

/* Called with timer_lock held: stop this CPU's tick when nothing is armed. */
static void timer_stop_idle_tick(unsigned cpu)
{
	if (!timer_list && timer_ticking & 1u << cpu) {
		lapic_timer_start(0);
		timer_ticking &= ~(1u << cpu);
	}
}

void timer_tick(void)
{
	unsigned cpu = smp_cpu_index();
	uint64_t now = time_us();
	unsigned long f = hv_spin_lock_irqsave(&timer_lock);

again:
	for (struct hv_timer *t = timer_list; t; t = t->next) {
		if (t->deadline_us > now)
			continue;
		timer_unlink(t);
		timer_running[cpu] = t;
		void (*fn)(void *) = t->fn;
		void *arg = t->arg;
		hv_spin_unlock_irqrestore(&timer_lock, 0);	/* interrupts stay off */
		fn(arg);	/* may re-arm t */
		hv_spin_lock_irqsave(&timer_lock);
		timer_running[cpu] = 0;
		goto again;	/* the list may have changed meanwhile */
	}
	timer_stop_idle_tick(cpu);
	hv_spin_unlock_irqrestore(&timer_lock, f);
}

void timer_start(struct hv_timer *t, uint64_t us, void (*fn)(void *arg), void *arg)
{
	unsigned cpu = smp_cpu_index();
	unsigned long on = hv_spin_lock_irqsave(&timer_lock);

	if (t->armed)
		timer_unlink(t);
	t->fn = fn;
	t->arg = arg;
	t->deadline_us = time_us() + us;
	t->armed = true;
	t->next = timer_list;
	timer_list = t;
	if (!(timer_ticking & 1u << cpu)) {
		lapic_timer_start(TIMER_HZ);
		timer_ticking |= 1u << cpu;
	}
	hv_spin_unlock_irqrestore(&timer_lock, on);
}

bool timer_cancel(struct hv_timer *t)
{
	unsigned cpu = smp_cpu_index();
	unsigned long on = hv_spin_lock_irqsave(&timer_lock);
	bool was = t->armed;

	if (was)
		timer_unlink(t);
	/* The last timer gone stops the tick now, not at the next tick: a tick left running
	 * would later stop a LAPIC timer someone else started in between (boot.timer). */
	timer_stop_idle_tick(cpu);
	hv_spin_unlock_irqrestore(&timer_lock, on);
	if (on & 0x200)
		for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
			while (i != cpu && timer_running[i] == t)
				cpu_pause();
	return was;
}

bool timer_listed(const struct hv_timer *t)
{
	unsigned long on = hv_spin_lock_irqsave(&timer_lock);
	bool found = false;

	for (struct hv_timer *x = timer_list; x && !found; x = x->next)
		found = x == t;
	hv_spin_unlock_irqrestore(&timer_lock, on);
	return found;
}

unsigned timer_cancel_in(const void *base, uint64_t size)
{
	uintptr_t lo = (uintptr_t)base;
	unsigned long on = hv_spin_lock_irqsave(&timer_lock);
	unsigned n = 0;
	struct hv_timer *t = timer_list, *next;

	for (; t; t = next) {
		next = t->next;
		if ((uintptr_t)t->fn - lo < size) {
			timer_unlink(t);
			n++;
		}
	}
	timer_stop_idle_tick(smp_cpu_index());
	hv_spin_unlock_irqrestore(&timer_lock, on);
	return n;
}

unsigned timer_count_in(const void *base, uint64_t size)
{
	unsigned long on = hv_spin_lock_irqsave(&timer_lock);
	unsigned n = 0;

	for (struct hv_timer *t = timer_list; t; t = t->next)
		n += (uintptr_t)t->fn - (uintptr_t)base < size;
	hv_spin_unlock_irqrestore(&timer_lock, on);
	return n;
}
