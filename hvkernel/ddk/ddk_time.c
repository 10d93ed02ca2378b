/* DDK time, delays and timers (hv/time.h) on the kernel's TSC clock and timer list. */
#include <hv/time.h>
#include <kern/contain.h>
#include <kern/time.h>
#include <kern/timer.h>
#include <kern/verifier.h>

CONTAIN_SAFE uint64_t hv_time_us(void)
{
	return time_us();
}

CONTAIN_SAFE void hv_udelay(uint64_t us)
{
	if (vf_on && vf_may_sleep("hv_udelay", (uintptr_t)__builtin_return_address(0)) < 0)
		return;
	udelay(us);
}

void hv_timer_start(struct hv_timer *t, uint64_t us, void (*fn)(void *arg), void *arg)
{
	timer_start(t, us, fn, arg);
	if (vf_on)
		vf_timer_started(t, (uintptr_t)__builtin_return_address(0));
}

bool hv_timer_cancel(struct hv_timer *t)
{
	return timer_cancel(t);
}
