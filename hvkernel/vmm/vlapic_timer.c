/*
 * The emulated local APIC's timer (SDM vol. 3, 10.5.4): one-shot, periodic and TSC-deadline
 * (10.5.4.1, IA32_TSC_DEADLINE; offered to Linux guests) modes, the
 * divide configuration, initial and current counts. It counts at VLAPIC_TIMER_HZ before
 * the divider. Expiry is kept as a TSC deadline; a host timer (kern/timer.c, 1 ms ticks)
 * fires it even while the vCPU is halted, and the vCPU fires it itself before each entry
 * when the deadline has passed. A periodic timer whose period is shorter than the host's
 * tick sets IRR once per tick: the extra expiries coalesce into it as they would in an
 * APIC whose vector is still pending, and are counted.
 */
#include <arch/cpu.h>
#include <arch/lapicreg.h>
#include <kern/time.h>
#include <kern/timer.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

/* 10.5.4 figure 10-10: bits 0, 1 and 3 encode divide by 2..128, or 1. */
static uint32_t vlt_divisor(uint32_t conf)
{
	uint32_t code = (conf & 3) | ((conf >> 1) & 4);

	return 1u << ((code + 1) & 7);
}

static uint64_t vlt_ns_to_tsc(uint64_t ns)
{
	return ns * tsc_khz / 1000000;
}

static void vlt_expired(void *arg);

static void vlt_arm_host(struct vlapic *l, uint64_t now)
{
	uint64_t us = l->deadline_tsc > now ? time_tsc_to_us(l->deadline_tsc - now) + 1 : 0;

	timer_start(&l->host_timer, us, vlt_expired, l);
}

/* Called with l->lock held and the deadline passed. */
static void vlt_fire(struct vlapic *l, uint64_t now)
{
	struct virq_stats *st = &l->vm->irq;
	uint64_t late = time_tsc_to_ns(now - l->deadline_tsc);
	uint32_t lvt = l->lvt[0];

	if (late > st->timer_late_ns_max)
		st->timer_late_ns_max = late;
	st->timer_fired++;
	if (!(lvt & LAPIC_LVT_MASKED) && vlapic_raise(l, (uint8_t)lvt))
		st->timer_delivered++;
	else if (!(lvt & LAPIC_LVT_MASKED))
		st->timer_coalesced++;	/* its vector was still pending: one interrupt for both */
	if (!l->period_tsc) {
		l->deadline_tsc = 0;
		return;
	}
	l->deadline_tsc += l->period_tsc;
	while (l->deadline_tsc <= now) {
		l->deadline_tsc += l->period_tsc;
		st->timer_coalesced++;
	}
}

static void vlt_expired(void *arg)
{
	struct vlapic *l = arg;
	unsigned long f = hv_spin_lock_irqsave(&l->lock);
	uint64_t now = rdtsc();

	if (l->deadline_tsc && now >= l->deadline_tsc)
		vlt_fire(l, now);
	if (l->deadline_tsc)
		vlt_arm_host(l, now);
	hv_spin_unlock_irqrestore(&l->lock, f);
}

void vlapic_timer_poll(struct vlapic *l)
{
	if (!l->deadline_tsc || rdtsc() < l->deadline_tsc)
		return;
	vlt_expired(l);
}

/* (Re)start counting from timer_init in the current mode; 0 stops the timer. */
static void vlt_start(struct vlapic *l)
{
	uint64_t ns = (uint64_t)l->timer_init * vlt_divisor(l->timer_div);
	bool periodic = (l->lvt[0] & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_PERIODIC;
	uint64_t now = rdtsc();

	timer_cancel(&l->host_timer);
	l->deadline_tsc = l->period_tsc = 0;
	if (!l->timer_init)
		return;
	if (periodic && ns < VLAPIC_MIN_PERIOD_US * 1000ull) {
		vlapic_refuse(l, "lapic: periodic timer of %llu ns refused (minimum %u us); timer stopped",
			      (unsigned long long)ns, VLAPIC_MIN_PERIOD_US);
		l->timer_init = 0;
		return;
	}
	l->deadline_tsc = now + vlt_ns_to_tsc(ns);
	l->period_tsc = periodic ? vlt_ns_to_tsc(ns) : 0;
	vlt_arm_host(l, now);
}

void vlapic_timer_set_lvt(struct vlapic *l, uint32_t v)
{
	uint32_t mode = v & LAPIC_TIMER_MODE_MASK;

	/* TSC-deadline mode exists where CPUID offers it: to Linux guests (vm.c). */
	if (mode != 0 && mode != LAPIC_TIMER_PERIODIC && !(mode == VLAPIC_TIMER_TSC_DEADLINE && l->vm->linux_guest)) {
		vlapic_refuse(l, "lapic: LVT timer mode %u refused (%s)", mode >> 17,
			      mode == VLAPIC_TIMER_TSC_DEADLINE ? "TSC-deadline: not offered" : "reserved");
		return;
	}
	if (!(v & LAPIC_LVT_MASKED) && (v & 0xff) < 16) {
		__atomic_fetch_or(&l->esr_pending, LAPIC_ESR_RX_ILLEGAL, __ATOMIC_RELAXED);
		vlapic_refuse(l, "lapic: LVT timer vector %u refused (0-15 are reserved)", v & 0xff);
		return;
	}
	if (!(l->svr & LAPIC_SVR_ENABLE))
		v |= LAPIC_LVT_MASKED;		/* 10.4.7.2: stays masked while disabled */
	unsigned long f = hv_spin_lock_irqsave(&l->lock);
	bool was_periodic = l->period_tsc != 0;
	bool was_deadline = (l->lvt[0] & LAPIC_TIMER_MODE_MASK) == VLAPIC_TIMER_TSC_DEADLINE;
	l->lvt[0] = v & (LAPIC_TIMER_MODE_MASK | LAPIC_LVT_MASKED | 0xff);
	if (was_deadline != (mode == VLAPIC_TIMER_TSC_DEADLINE)) {
		/* 10.5.4.1: switching into or out of TSC-deadline mode disarms the timer. */
		timer_cancel(&l->host_timer);
		l->deadline_tsc = l->period_tsc = 0;
		l->timer_init = 0;
	}
	/* A mode change takes effect at the next expiry; going periodic needs the period. */
	if (l->deadline_tsc && was_periodic != (mode == LAPIC_TIMER_PERIODIC)) {
		uint64_t ns = (uint64_t)l->timer_init * vlt_divisor(l->timer_div);
		if (mode == LAPIC_TIMER_PERIODIC && ns >= VLAPIC_MIN_PERIOD_US * 1000ull)
			l->period_tsc = vlt_ns_to_tsc(ns);
		else
			l->period_tsc = 0;
	}
	hv_spin_unlock_irqrestore(&l->lock, f);
}

/* 10.5.4: writing the initial count starts (or restarts) the count; 0 stops it. */
void vlapic_timer_set_init(struct vlapic *l, uint32_t count)
{
	unsigned long f = hv_spin_lock_irqsave(&l->lock);

	if ((l->lvt[0] & LAPIC_TIMER_MODE_MASK) == VLAPIC_TIMER_TSC_DEADLINE) {
		hv_spin_unlock_irqrestore(&l->lock, f);
		return;		/* 10.5.4.1: ignored in TSC-deadline mode */
	}

	l->timer_init = count;
	vlt_start(l);
	hv_spin_unlock_irqrestore(&l->lock, f);
}

/* The new divisor applies from the next start; a running count keeps its deadline. */
void vlapic_timer_set_div(struct vlapic *l, uint32_t v)
{
	l->timer_div = v & 0xb;
}

uint32_t vlapic_timer_current(struct vlapic *l)
{
	unsigned long f = hv_spin_lock_irqsave(&l->lock);
	uint64_t now = rdtsc(), left = 0;

	if (l->deadline_tsc > now)
		left = l->deadline_tsc - now;
	else if (l->deadline_tsc && l->period_tsc)
		left = l->period_tsc - (now - l->deadline_tsc) % l->period_tsc;
	uint64_t count = time_tsc_to_ns(left) / vlt_divisor(l->timer_div);
	hv_spin_unlock_irqrestore(&l->lock, f);
	return count > l->timer_init ? l->timer_init : (uint32_t)count;
}

/* 10.5.4.1: IA32_TSC_DEADLINE. The guest's TSC is the host's (no offset), so the deadline
 * is armed as it stands; 0 disarms; a write outside TSC-deadline mode is ignored. */
void vlapic_timer_set_deadline(struct vlapic *l, uint64_t tsc)
{
	unsigned long f = hv_spin_lock_irqsave(&l->lock);

	if ((l->lvt[0] & LAPIC_TIMER_MODE_MASK) == VLAPIC_TIMER_TSC_DEADLINE) {
		timer_cancel(&l->host_timer);
		l->period_tsc = 0;
		l->deadline_tsc = tsc;
		if (tsc)
			vlt_arm_host(l, rdtsc());
	}
	hv_spin_unlock_irqrestore(&l->lock, f);
}

uint64_t vlapic_timer_get_deadline(struct vlapic *l)
{
	bool dl = (l->lvt[0] & LAPIC_TIMER_MODE_MASK) == VLAPIC_TIMER_TSC_DEADLINE;

	return dl ? __atomic_load_n(&l->deadline_tsc, __ATOMIC_RELAXED) : 0;
}

void vlapic_timer_stop(struct vlapic *l)
{
	unsigned long f = hv_spin_lock_irqsave(&l->lock);

	timer_cancel(&l->host_timer);
	l->deadline_tsc = 0;
	hv_spin_unlock_irqrestore(&l->lock, f);
}
