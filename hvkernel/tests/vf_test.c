/*
 * The driver verifier's cost per DDK call (make bench, scripts/bench-verifier.sh, with
 * verifier=0 and =1): a heap allocation and its free, a DMA page and its free, a driver
 * lock taken and released (through the exported hv_spin_* functions, as a module calls
 * them). Measured in TSC cycles in the guest, so a descheduled host thread shows less than
 * in the end-to-end rates; the medians of several boots are what the table compares.
 */
#include <arch/cpu.h>
#include <hv/lock.h>
#include <hv/mem.h>
#include <kern/ddk.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/time.h>

#define VF_COST_ROUNDS	4000

static uint64_t vf_cost_ns(uint64_t cycles, unsigned n)
{
	return tsc_khz ? cycles * 1000000 / tsc_khz / n : 0;
}

KTEST_MANUAL(verifier, cost)
{
	unsigned long (*lock)(struct hv_spinlock *) =
		(unsigned long (*)(struct hv_spinlock *))ddk_export_lookup("hv_spin_lock_irqsave");
	void (*unlock)(struct hv_spinlock *, unsigned long) =
		(void (*)(struct hv_spinlock *, unsigned long))ddk_export_lookup("hv_spin_unlock_irqrestore");
	struct hv_spinlock l = HV_SPINLOCK_INIT;
	struct hv_pci_dev *d = (struct hv_pci_dev *)pci_first();	/* DMA memory has an owner */
	uint64_t t0, bus;

	KT_CHECK(t, lock && unlock, "the DDK exports no hv_spin_lock_irqsave/unlock");
	KT_CHECK(t, d, "no PCI function to own the DMA memory");
	t0 = rdtsc();
	for (unsigned i = 0; i < VF_COST_ROUNDS; i++) {
		void *p = hv_malloc(64);
		KT_CHECK(t, p, "hv_malloc(64) failed in round %u", i);
		hv_free(p);
	}
	ktest_metric(t, "malloc_free_ns", vf_cost_ns(rdtsc() - t0, VF_COST_ROUNDS), "ns");
	t0 = rdtsc();
	for (unsigned i = 0; i < VF_COST_ROUNDS; i++) {
		void *p = hv_dma_alloc_coherent(d, HV_PAGE_SIZE, &bus);
		KT_CHECK(t, p, "hv_dma_alloc_coherent failed in round %u", i);
		hv_dma_free_coherent(d, p, HV_PAGE_SIZE);
	}
	ktest_metric(t, "dma_page_ns", vf_cost_ns(rdtsc() - t0, VF_COST_ROUNDS), "ns");
	t0 = rdtsc();
	for (unsigned i = 0; i < VF_COST_ROUNDS * 10; i++)
		unlock(&l, lock(&l));
	ktest_metric(t, "lock_unlock_ns", vf_cost_ns(rdtsc() - t0, VF_COST_ROUNDS * 10), "ns");
	return KTEST_PASS;
}
