/*
 * Deliberate crashes, for the harness: each must end in a panic report and exit code 0x1f,
 * never a hang or a reset. Manual tests: they run only when named ("test=panic.pf").
 */
#include <kern/ktest.h>
#include <kern/panic.h>

KTEST_MANUAL(panic, pf)
{
	volatile uint64_t *bad = (volatile uint64_t *)0x0000800000000000ull;	/* non-canonical */

	(void)t;
	*bad = 1;
	return KTEST_FAIL;
}

KTEST_MANUAL(panic, unmapped)
{
	volatile uint64_t *bad = (volatile uint64_t *)0x0000004000000000ull;	/* 256 GiB: not mapped */

	(void)t;
	return *bad == 0 ? KTEST_FAIL : KTEST_FAIL;
}

KTEST_MANUAL(panic, ud)
{
	(void)t;
	__asm__ volatile("ud2");
	return KTEST_FAIL;
}

KTEST_MANUAL(panic, assert)
{
	volatile int one = 1;

	(void)t;
	KASSERT(one == 2);
	return KTEST_FAIL;
}
