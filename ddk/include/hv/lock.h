/*
 * DDK: spinlocks that also disable interrupts, so data shared between a driver's entry
 * points and its interrupt handler is safe. Inline: part of the ABI as instructions.
 */
#ifndef HV_LOCK_H
#define HV_LOCK_H

#include <stdint.h>

struct hv_spinlock {
	volatile uint32_t locked;
};

#define HV_SPINLOCK_INIT	{ 0 }

/* Take the lock with interrupts off; returns the previous interrupt state for unlock. */
static inline unsigned long hv_spin_lock_irqsave(struct hv_spinlock *l)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause");
	return flags;
}

static inline void hv_spin_unlock_irqrestore(struct hv_spinlock *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		__asm__ volatile("sti" ::: "memory");
}

#endif
