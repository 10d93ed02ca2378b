/*
 * Kernel memory: physical pages (identity mapped below 4 GiB) and the kernel heap, with
 * the counters that every in-kernel test compares before and after to catch leaks.
 */
#ifndef KERN_MEM_H
#define KERN_MEM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE	4096ull

struct mem_counters {
	uint64_t pages_free;		/* physical pages free in the page allocator */
	uint64_t pages_iommu;		/* of the others, the IOMMU's page tables (dev/vtd.c):
					 * they follow where DMA memory lies, not what leaks */
	uint64_t heap_allocs;		/* live kmalloc allocations */
	uint64_t heap_bytes;		/* bytes in live kmalloc allocations */
	uint64_t heap_bad_frees;	/* kfree of a bad pointer or a double free */
};

/* Build the page allocator from the boot memory map and mark non-RAM uncacheable. */
int mem_init(void);
/* Allocate n zeroed contiguous pages (aligned to align pages, a power of two), or NULL. */
void *page_alloc(size_t n);
void *page_alloc_aligned(size_t n, size_t align);
/* Kernel-owned I/O buffers (mm/kdma.c): size bytes in whole pages, zeroed, below 4 GiB,
 * *bus their bus address (the identity map). The block layer and the tests put them in
 * requests; the DDK lends a request's buffer to its device only while the request is in
 * flight (ddk/ddk_blkdev.c). Drivers use hv_dma_alloc_coherent instead. */
void *kdma_alloc(size_t size, uint64_t *bus);
void kdma_free(void *p, size_t size);
/* Free pages from page_alloc. A bad or double free is logged and counted, never fatal. */
void page_free(void *p, size_t n);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

void mem_get_counters(struct mem_counters *c);
uint64_t mem_total_pages(void);
/* Set the protection of page-aligned kernel memory (identity map). Splits 2 MiB pages as
 * needed. Without NX support "not executable" cannot be enforced and is ignored. */
int mem_protect(uintptr_t va, size_t len, int writable, int executable);

/* The effective protection of the page holding va. 0, or -HV_EFAULT when unmapped.
 * Without NX every page counts as executable. */
int mem_query(uintptr_t va, int *writable, int *executable);

/* Map [phys, phys+len) uncacheable for device registers. Returns the virtual address. */
uintptr_t mem_map_mmio(uint64_t phys, uint64_t len);

#endif
