/*
 * The device-owned DMA API under the verifier (ddk/ddk_dma.c): a bus address handed to a
 * device must lie in one of its live DMA allocations or in the buffer of a block request
 * in flight on it; an address in memory it freed, in another device's memory or anywhere
 * else is reported, named by which of these it is. The test plays the driver of two PCI
 * functions that no driver is bound to (it touches no device register).
 */
#include <hv/blkdev.h>
#include <hv/mem.h>
#include <kern/ddkdma.h>
#include <kern/ddkvrf.h>
#include <kern/ksym.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>

#define DDKDT_HV(d)	((struct hv_pci_dev *)(d))

/* One violation of kind at addr of d from the test itself, and nothing else. */
static bool ddkdt_caught(struct ktest_ctx *t, const struct pci_dev *d, const char *kind, uint64_t addr)
{
	struct ddkvrf_info v;
	uint64_t off;

	ddkvrf_last(&v);
	const char *sym = ksym_lookup((uint64_t)(uintptr_t)v.site, &off);
	if (ddkvrf_expected_seen() != 1 || strcmp(v.kind, kind) != 0 || v.dev != d || v.addr != addr ||
	    !sym || strcmp(sym, "ktest_ddk_dmacheck") != 0) {
		ktest_msg(t, "expected one %s at 0x%llx from the test, got %llu: %s at 0x%llx from %s",
			  kind, (unsigned long long)addr, (unsigned long long)ddkvrf_expected_seen(),
			  v.kind, (unsigned long long)v.addr, sym ? sym : "?");
		return false;
	}
	return true;
}

/* hv_dma_addr(d, bus, len) is no violation. */
static bool ddkdt_ok(struct pci_dev *d, uint64_t bus, size_t len)
{
	ddkvrf_expect(1);
	(void)hv_dma_addr(DDKDT_HV(d), bus, len);
	bool ok = ddkvrf_expected_seen() == 0;
	ddkvrf_expect(0);
	return ok;
}

KTEST(ddk, dmacheck)
{
	struct pci_dev *x = pci_first(), *y = x ? x->next : 0;
	uint64_t a, b, viol0 = ddkvrf_count();

	if (!ddkvrf_on()) {
		ktest_msg(t, "needs verifier=1 on the command line");
		return KTEST_ERROR;
	}
	if (!y) {
		ktest_msg(t, "needs two PCI functions");
		return KTEST_ERROR;
	}
	unsigned nx = ddk_dma_regions(x), ny = ddk_dma_regions(y);
	void *pa = hv_dma_alloc_coherent(DDKDT_HV(x), 3 * 4096 - 100, &a);
	void *pb = hv_dma_alloc_coherent(DDKDT_HV(y), 4096, &b);
	KT_CHECK(t, pa && pb, "hv_dma_alloc_coherent failed");
	KT_CHECK(t, ddk_dma_regions(x) == nx + 1 && ddk_dma_regions(y) == ny + 1 &&
		 ddk_dma_owner(a + 3 * 4096 - 1) == x && ddk_dma_owner(b) == y,
		 "the allocations are not the devices' regions");

	/* Inside the allocation (whole pages: the tail past size is the device's too). */
	KT_CHECK(t, ddkdt_ok(x, a, 1) && ddkdt_ok(x, a + 100, 2000) && ddkdt_ok(x, a, 3 * 4096),
		 "an address inside x's allocation was reported");
	ddkvrf_expect(1);
	hv_dma_addr(DDKDT_HV(x), a + 3 * 4096 - 4, 8);
	KT_CHECK(t, ddkdt_caught(t, x, "dma_unowned", a + 3 * 4096 - 4), "8 bytes straddling the end");
	ddkvrf_expect(1);
	hv_dma_addr(DDKDT_HV(x), b + 64, 16);
	KT_CHECK(t, ddkdt_caught(t, x, "dma_foreign", b + 64), "y's buffer handed to x");
	ddkvrf_expect(1);
	hv_dma_free_coherent(DDKDT_HV(x), pb, 4096);
	KT_CHECK(t, ddkdt_caught(t, x, "dma_bad_free", b), "x freeing y's buffer");
	KT_CHECK(t, ddk_dma_owner(b) == y, "a refused free took y's buffer away");
	hv_dma_free_coherent(DDKDT_HV(x), pa, 3 * 4096 - 100);
	ddkvrf_expect(1);
	hv_dma_addr(DDKDT_HV(x), a + 4096, 512);
	KT_CHECK(t, ddkdt_caught(t, x, "dma_freed", a + 4096), "x's freed buffer handed to x");

	/* A block request's buffer is x's from submit to completion, and not after. */
	struct hv_blkreq rq;
	memset(&rq, 0, sizeof(rq));
	rq.buf_bus = b;	/* any memory: here y's page, lent to x for the request */
	KT_CHECK(t, ddk_dma_req_start(x, &rq, b, 512) == 0, "ddk_dma_req_start failed");
	KT_CHECK(t, ddkdt_ok(x, b + 256, 256), "a request's buffer in flight was reported");
	hv_blkreq_complete(&rq, 0);
	ddkvrf_expect(1);
	hv_dma_addr(DDKDT_HV(x), b + 256, 256);
	KT_CHECK(t, ddkdt_caught(t, x, "dma_foreign", b + 256), "a completed request's buffer");
	ddkvrf_expect(0);
	hv_dma_free_coherent(DDKDT_HV(y), pb, 4096);
	KT_CHECK(t, ddk_dma_regions(x) == nx && ddk_dma_regions(y) == ny, "regions left: %u and %u",
		 ddk_dma_regions(x) - nx, ddk_dma_regions(y) - ny);
	KT_CHECK(t, ddkvrf_count() == viol0, "an expected violation was counted as a real one");
	return KTEST_PASS;
}
