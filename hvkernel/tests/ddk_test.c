/*
 * DDK services as a module sees them: loaded modules are W^X, timers fire and cancel,
 * DMA memory is page aligned, zeroed and given back.
 */
#include <arch/cpu.h>
#include <hv/mem.h>
#include <hv/time.h>
#include <kern/ktest.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/pci.h>
#include <kern/string.h>

/* No page of any loaded module is both writable and executable, and its text is not
 * writable. Skipped when no module is loaded. */
KTEST(ddk, wx)
{
	int n = 0;

	for (struct module *m = module_first(); m; m = m->next, n++) {
		int text = 0;
		for (uint64_t i = 0; i < m->npages; i++) {
			int w, x;
			uintptr_t va = (uintptr_t)m->base + i * PAGE_SIZE;
			KT_CHECK(t, mem_query(va, &w, &x) == 0, "%s: page %llu unmapped", m->file,
				 (unsigned long long)i);
			KT_CHECK(t, !(w && x), "%s: page %llu (0x%lx) is writable and executable",
				 m->file, (unsigned long long)i, va);
			text += x;
		}
		KT_CHECK(t, text > 0 || !(rdmsr(0xc0000080) & (1 << 11)),
			 "%s: no executable page at all", m->file);
	}
	if (!n) {
		ktest_msg(t, "no module loaded");
		return KTEST_SKIP;
	}
	ktest_metric(t, "modules", (uint64_t)n, "count");
	return KTEST_PASS;
}

static volatile int ddkt_fired;

static void ddkt_timer_fn(void *arg)
{
	ddkt_fired += (int)(uintptr_t)arg;
}

KTEST(ddk, timer)
{
	struct hv_timer a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ddkt_fired = 0;
	uint64_t t0 = hv_time_us();
	hv_timer_start(&a, 5000, ddkt_timer_fn, (void *)1);
	hv_timer_start(&b, 20000, ddkt_timer_fn, (void *)100);
	KT_CHECK(t, hv_timer_cancel(&b), "cancel of an armed timer returned false");
	/* Poll rather than halt: when no timer is armed no tick comes to wake us up. */
	while (!ddkt_fired && hv_time_us() - t0 < 500000)
		cpu_pause();
	uint64_t took = hv_time_us() - t0;
	KT_CHECK(t, ddkt_fired == 1, "timer fired %d (1 expected: the cancelled one must not)", ddkt_fired);
	KT_CHECK(t, took >= 5000, "a 5 ms timer fired after %llu us", (unsigned long long)took);
	/* Wait past the cancelled timer's deadline to prove it stays cancelled. */
	while (hv_time_us() - t0 < 30000)
		cpu_pause();
	KT_CHECK(t, ddkt_fired == 1, "the cancelled timer fired");
	KT_CHECK(t, !hv_timer_cancel(&a), "cancel of a fired timer returned true");
	ktest_metric(t, "latency", took - 5000, "us");
	return KTEST_PASS;
}

KTEST(ddk, dma)
{
	struct hv_pci_dev *d = (struct hv_pci_dev *)pci_first();
	uint64_t bus;

	if (!d) {
		ktest_msg(t, "needs a PCI function to own the memory");
		return KTEST_ERROR;
	}
	unsigned char *p = hv_dma_alloc_coherent(d, 3 * 4096 + 1, &bus);

	KT_CHECK(t, p, "hv_dma_alloc_coherent failed");
	KT_CHECK(t, ((uintptr_t)p & 4095) == 0 && bus == (uint64_t)p, "DMA buffer %p bus %llx", (void *)p,
		 (unsigned long long)bus);
	for (int i = 0; i < 4 * 4096; i++)
		KT_CHECK(t, p[i] == 0, "byte %d not zeroed", i);
	hv_dma_free_coherent(d, p, 3 * 4096 + 1);
	void *q = hv_malloc(100);
	KT_CHECK(t, q, "hv_malloc failed");
	hv_free(q);
	return KTEST_PASS;
}
