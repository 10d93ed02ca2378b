/*
 * DDK spinlocks (hv/lock.h): the kernel's functions since DDK 2.0, so the verifier sees
 * every driver lock (verifier/vf_lock.c). Exported under the hv_ names (ddk_export.c);
 * inside the kernel those names are the unchecked inline locks.
 */
#include <hv/lock.h>
#include <kern/ddk.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

void ddk_spin_init(struct hv_spinlock *l)
{
	l->locked = 0;
	l->vf_class = 0;
	if (vf_on)
		vf_lock_init(l, DDK_CALLER);
}

unsigned long ddk_spin_lock_irqsave(struct hv_spinlock *l)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	if (vf_on)
		vf_lock_acquired(l, DDK_CALLER);	/* checked before it can deadlock */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause");
	return flags;
}

void ddk_spin_unlock_irqrestore(struct hv_spinlock *l, unsigned long flags)
{
	if (vf_on)
		vf_lock_released(l, DDK_CALLER);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		__asm__ volatile("sti" ::: "memory");
}
