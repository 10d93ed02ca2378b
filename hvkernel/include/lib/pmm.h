/*
 * Physical page allocator: one bit per 4 KiB page over a single contiguous range, the
 * bitmap memory supplied by the caller. Allocation is lowest-address first, so the result
 * is deterministic; `hint` keeps single-page allocation from rescanning used words.
 * Not locked: the caller serialises access to an instance.
 */
#ifndef LIB_PMM_H
#define LIB_PMM_H

#include <stddef.h>
#include <stdint.h>

#define PMM_PAGE_SIZE	4096u
#define PMM_PAGE_SHIFT	12

/* Words of bitmap needed to track npages pages. */
#define PMM_BITMAP_WORDS(npages)	(((npages) + 63) / 64)

/* An allocator instance. A set bit means the page is free. */
struct pmm {
	uint64_t base;		/* physical address of page 0; page aligned */
	size_t npages;		/* pages tracked */
	uint64_t *bitmap;	/* PMM_BITMAP_WORDS(npages) words */
	size_t free_pages;	/* set bits in bitmap */
	size_t hint;		/* every word below this index has no free page */
};

/* Sets up p to track npages pages from base, all reserved. */
void pmm_init(struct pmm *p, uint64_t base, size_t npages, uint64_t *bitmap);

/* Makes the whole pages inside [addr, addr + len) usable; parts outside the range are ignored. */
void pmm_release_range(struct pmm *p, uint64_t addr, uint64_t len);

/* Makes every page touching [addr, addr + len) unusable; parts outside the range are ignored. */
void pmm_reserve_range(struct pmm *p, uint64_t addr, uint64_t len);

/*
 * Allocates npages contiguous pages whose physical address is a multiple of align_pages
 * pages (a power of two; 0 or 1 = any) and stores the address in *out.
 * -HV_EINVAL for npages 0 or a bad alignment, -HV_ENOMEM when no such run is free.
 */
int pmm_alloc(struct pmm *p, size_t npages, size_t align_pages, uint64_t *out);

/* Frees npages pages at addr; -HV_EINVAL (and no change) if misaligned, out of range or any page is free. */
int pmm_free(struct pmm *p, uint64_t addr, size_t npages);

/* Number of free pages. */
size_t pmm_free_count(const struct pmm *p);

#endif
