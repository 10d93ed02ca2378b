/*
 * DDK: memory. General allocations (hv_malloc) and DMA memory, which belongs to a device
 * (hv_dma_alloc_coherent): physically contiguous, page aligned, zeroed, below 4 GiB, with
 * the bus address the device uses.
 * Everything a driver allocates in probe it frees in remove: the certification suites
 * count pages and allocations before and after.
 */
#ifndef HV_MEM_H
#define HV_MEM_H

#include <stddef.h>
#include <stdint.h>

struct hv_pci_dev;

#define HV_PAGE_SIZE	4096	/* the unit of DMA memory (and its alignment) */

/* size bytes, 16-byte aligned, or NULL. */
void *hv_malloc(size_t size);
/* Same, zeroed. */
void *hv_zalloc(size_t size);
/* Free hv_malloc/hv_zalloc memory; NULL is fine. */
void hv_free(void *p);

/*
 * DMA memory belongs to a device (DDK 2.0), as with Linux's dma_alloc_coherent and
 * OpenBSD's bus_dmamem_alloc: at least size bytes (whole HV_PAGE_SIZE pages), physically
 * contiguous, page aligned, zeroed, below 4 GiB, which d may reach and no other device
 * may (with an IOMMU, enforced by it). *bus gets the address d must be given. NULL when
 * out of memory.
 */
void *hv_dma_alloc_coherent(struct hv_pci_dev *d, size_t size, uint64_t *bus);
/* Free it; d and size as at allocation. Bus mastering off or the device quiet first. */
void hv_dma_free_coherent(struct hv_pci_dev *d, void *p, size_t size);
/*
 * Hand a bus address to d: every address a driver gives its device (a ring base in a
 * register, a buffer in a descriptor) passes through here; returns bus. With the
 * verifier on, [bus, bus + len) must lie inside one DMA allocation of d, or the buffer of
 * a block request in flight on d; otherwise the violation is reported (dma-freed,
 * dma-foreign or dma-unowned) with the caller's address.
 */
uint64_t hv_dma_addr(struct hv_pci_dev *d, uint64_t bus, size_t len);

#endif
