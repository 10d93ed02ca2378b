/*
 * DDK: spinlocks that also disable interrupts, so data shared between a driver's entry
 * points and its interrupt handler is safe. Since DDK 2.0 they are functions of the
 * kernel, not inline instructions: under the verifier (verifier=1, docs/ddk.md,
 * "Verifier") the kernel checks every driver lock for order inversions against the other
 * locks held (a lock's class is where hv_spin_init was called on it, else where it was
 * first taken) and for being held when an entry point returns to the kernel.
 */
#ifndef HV_LOCK_H
#define HV_LOCK_H

#include <stdint.h>

struct hv_spinlock {
	volatile uint32_t locked;
	uint32_t vf_class;	/* the verifier's: the lock's class, 0 until first use */
};

/* A zeroed struct hv_spinlock is an unlocked lock, as is one set to HV_SPINLOCK_INIT. */
#define HV_SPINLOCK_INIT	{ 0, 0 }

#ifdef HV_KERNEL
/* The kernel's own locks: the same instructions, unchecked (kern/, mm/, vmm/). */
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
#else
/* Unlocked, and of the class named by this call site (optional: see above). */
void hv_spin_init(struct hv_spinlock *l);
/* Take the lock with interrupts off; returns the previous interrupt state for unlock. */
unsigned long hv_spin_lock_irqsave(struct hv_spinlock *l);
/* Release it and restore the interrupt state lock returned. */
void hv_spin_unlock_irqrestore(struct hv_spinlock *l, unsigned long flags);
#endif

#endif
