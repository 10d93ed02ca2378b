/*
 * DDK: memory. General allocations (hv_malloc) and DMA memory (hv_dma_alloc): physically
 * contiguous, page aligned, zeroed, below 4 GiB, with the bus address a device uses.
 * Everything a driver allocates in probe it frees in remove: the certification suites
 * count pages and allocations before and after.
 */
#ifndef HV_MEM_H
#define HV_MEM_H

#include <stddef.h>
#include <stdint.h>

#define HV_PAGE_SIZE	4096	/* the unit of DMA memory (and its alignment) */

/* size bytes, 16-byte aligned, or NULL. */
void *hv_malloc(size_t size);
/* Same, zeroed. */
void *hv_zalloc(size_t size);
/* Free hv_malloc/hv_zalloc memory; NULL is fine. */
void hv_free(void *p);

/* DMA memory of at least size bytes (rounded up to whole HV_PAGE_SIZE pages). *bus gets
 * the address the device must be given. NULL when out of memory. */
void *hv_dma_alloc(size_t size, uint64_t *bus);
/* Free DMA memory; size as passed to hv_dma_alloc. */
void hv_dma_free(void *p, size_t size);

#endif
