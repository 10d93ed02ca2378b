/*
 * The IOMMU confines a device to its DMA memory (dev/vtd.c): QEMU's edu device, driven by
 * this test as its driver would, copies through a buffer allocated for it, and is blocked,
 * with a fault naming it, the address and the direction, when it writes or reads a page
 * it does not own or one its driver freed. Needs q35 with -device intel-iommu before
 * -device edu.
 */
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/ddkvrf.h>
#include <kern/iommu.h>
#include <kern/ktest.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include "edureg.h"

#define IOMMUT_LEN	64

static struct pci_dev *iommut_edu(void)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		if (d->vendor == EDU_VENDOR && d->device == EDU_DEVICE)
			return d;
	return 0;
}

/* One edu transfer; 0 when the device finished it within 5 s. */
static int iommut_dma(struct hv_bar *b, uint64_t src, uint64_t dst, uint32_t cmd)
{
	hv_bar_write64(b, EDU_REG_DMA_SRC, src);
	hv_bar_write64(b, EDU_REG_DMA_DST, dst);
	hv_bar_write64(b, EDU_REG_DMA_COUNT, IOMMUT_LEN);
	hv_bar_write64(b, EDU_REG_DMA_CMD, cmd | EDU_DMA_START);
	uint64_t t0 = time_us();
	while (hv_bar_read64(b, EDU_REG_DMA_CMD) & EDU_DMA_START)
		if (time_us() - t0 > 5000000)
			return -1;
	return 0;
}

/* The transfer faulted exactly once: edu, page of addr, direction write. */
static bool iommut_faulted(struct ktest_ctx *t, struct pci_dev *edu, uint64_t n0, uint64_t addr, bool write)
{
	struct iommu_fault f;
	uint64_t t0 = time_us();

	/* The fault interrupt reports it; poll as well in case the vector is slow. */
	while (iommu_fault_count() == n0 && time_us() - t0 < 2000000)
		iommu_fault_poll();
	iommu_last_fault(&f);
	if (iommu_fault_count() != n0 + 1 || f.dev != edu || f.addr != (addr & ~0xfffull) || f.write != write) {
		ktest_msg(t, "expected one %s fault of edu at 0x%llx, got %llu faults, last: dev %p addr 0x%llx %s reason %u",
			  write ? "write" : "read", (unsigned long long)addr,
			  (unsigned long long)(iommu_fault_count() - n0), (void *)f.dev,
			  (unsigned long long)f.addr, f.write ? "write" : "read", f.reason);
		return false;
	}
	struct ddkvrf_info v;
	ddkvrf_last(&v);
	if (ddkvrf_expected_seen() != 1 || strcmp(v.kind, write ? "dma_fault_write" : "dma_fault_read") != 0 ||
	    v.dev != edu) {
		ktest_msg(t, "the fault was not reported as a violation of edu (%s)", v.kind);
		return false;
	}
	return true;
}

KTEST(iommu, fault)
{
	struct pci_dev *edu = iommut_edu();
	struct hv_pci_dev *hd = (struct hv_pci_dev *)edu;
	uint64_t bus;

	if (!iommu_on() || !edu) {
		ktest_msg(t, "needs the IOMMU on (q35, -device intel-iommu) and an edu device");
		return KTEST_ERROR;
	}
	struct hv_bar *b = hv_pci_bar(hd, 0);
	uint64_t tables0 = iommu_table_pages();
	uint8_t *buf = hv_dma_alloc_coherent(hd, 4096, &bus);
	uint8_t *victim = page_alloc(1);
	KT_CHECK(t, b && buf && victim, "no BAR0 or no memory");
	hv_pci_enable(hd, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	uint64_t n0 = iommu_fault_count();
	enum ktest_status st = KTEST_FAIL;

	/* Its own buffer: out to the device and back, intact, no fault. */
	for (int i = 0; i < IOMMUT_LEN; i++)
		buf[i] = (uint8_t)(0x5a ^ i);
	if (iommut_dma(b, bus, EDU_DMA_BUF, 0) < 0 || (memset(buf, 0, IOMMUT_LEN),
	    iommut_dma(b, EDU_DMA_BUF, bus, EDU_DMA_TO_RAM) < 0)) {
		ktest_msg(t, "edu did not finish a transfer");
		goto out;
	}
	for (int i = 0; i < IOMMUT_LEN; i++)
		if (buf[i] != (uint8_t)(0x5a ^ i)) {
			ktest_msg(t, "byte %d of the round trip through the device's own buffer is 0x%x", i, buf[i]);
			goto out;
		}
	if (iommu_fault_count() != n0) {
		ktest_msg(t, "DMA to the device's own buffer faulted");
		goto out;
	}

	/* A page it was never given: the write is blocked and the page keeps its bytes. */
	memset(victim, 0xc3, 4096);
	ddkvrf_expect(1);
	if (iommut_dma(b, EDU_DMA_BUF, (uint64_t)(uintptr_t)victim + 128, EDU_DMA_TO_RAM) < 0 ||
	    !iommut_faulted(t, edu, n0, (uint64_t)(uintptr_t)victim + 128, true))
		goto out;
	for (int i = 0; i < 4096; i++)
		if (victim[i] != 0xc3) {
			ktest_msg(t, "the device wrote byte %d of a page it does not own", i);
			goto out;
		}
	ddkvrf_expect(1);
	if (iommut_dma(b, (uint64_t)(uintptr_t)victim, EDU_DMA_BUF, 0) < 0 ||
	    !iommut_faulted(t, edu, n0 + 1, (uint64_t)(uintptr_t)victim, false))
		goto out;

	/* Its own buffer once the driver freed it: blocked too. */
	hv_dma_free_coherent(hd, buf, 4096);
	buf = 0;
	ddkvrf_expect(1);
	if (iommut_dma(b, EDU_DMA_BUF, bus, EDU_DMA_TO_RAM) < 0 ||
	    !iommut_faulted(t, edu, n0 + 2, bus, true))
		goto out;
	/* Unmapping the buffer freed the page tables that only it needed (the kernel's leak
	 * check leaves those out of its count, so check them here). */
	if (iommu_table_pages() != tables0) {
		ktest_msg(t, "the IOMMU holds %lld page-table pages more than before the buffer",
			  (long long)(iommu_table_pages() - tables0));
		goto out;
	}
	st = KTEST_PASS;
out:
	ddkvrf_expect(0);
	hv_pci_disable(hd, HV_PCI_ENABLE_MASTER);
	if (buf)
		hv_dma_free_coherent(hd, buf, 4096);
	page_free(victim, 1);
	return st;
}
