/*
 * Bitmap page allocator. Bit i of the bitmap is set when page i is free; bits past npages
 * in the last word stay clear forever so word scans never see them as free.
 */
#include <lib/pmm.h>
#include <hv/errno.h>
#include <lib/bitops.h>

/* Bits [lo, hi) of one word, 0 <= lo < hi <= 64. */
static uint64_t pmm_word_mask(size_t lo, size_t hi)
{
	uint64_t upto = hi == 64 ? ~0ull : (1ull << hi) - 1;

	return upto & ~((1ull << lo) - 1);
}

/* Marks pages [first, last) free or used and keeps free_pages and hint exact. */
static void pmm_mark(struct pmm *p, size_t first, size_t last, int free)
{
	while (first < last) {
		size_t w = first / 64;
		size_t hi = last - w * 64 < 64 ? last - w * 64 : 64;
		uint64_t m = pmm_word_mask(first % 64, hi);

		if (free) {
			p->free_pages += bitops_popcount64(~p->bitmap[w] & m);
			p->bitmap[w] |= m;
			if (w < p->hint)
				p->hint = w;
		} else {
			p->free_pages -= bitops_popcount64(p->bitmap[w] & m);
			p->bitmap[w] &= ~m;
		}
		first = w * 64 + hi;
	}
}

/* First page in [from, to) whose free bit equals want, or to. */
static size_t pmm_scan(const struct pmm *p, size_t from, size_t to, int want)
{
	while (from < to) {
		size_t w = from / 64;
		uint64_t bits = want ? p->bitmap[w] : ~p->bitmap[w];

		bits &= ~((1ull << (from % 64)) - 1);
		if (bits != 0) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			return i < to ? i : to;
		}
		from = (w + 1) * 64;
	}
	return to;
}

void pmm_init(struct pmm *p, uint64_t base, size_t npages, uint64_t *bitmap)
{
	p->base = base;
	p->npages = npages;
	p->bitmap = bitmap;
	p->free_pages = 0;
	p->hint = PMM_BITMAP_WORDS(npages);
	for (size_t w = 0; w < PMM_BITMAP_WORDS(npages); w++)
		bitmap[w] = 0;
}

/* Byte offset of addr + len from base, saturating instead of wrapping. */
static uint64_t pmm_end_offset(const struct pmm *p, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;

	return end <= p->base ? 0 : end - p->base;
}

void pmm_release_range(struct pmm *p, uint64_t addr, uint64_t len)
{
	uint64_t s = addr <= p->base ? 0 : addr - p->base;
	uint64_t first = (s >> PMM_PAGE_SHIFT) + ((s & (PMM_PAGE_SIZE - 1)) != 0);
	uint64_t last = pmm_end_offset(p, addr, len) >> PMM_PAGE_SHIFT;

	if (last > p->npages)
		last = p->npages;
	if (first < last)
		pmm_mark(p, (size_t)first, (size_t)last, 1);
}

void pmm_reserve_range(struct pmm *p, uint64_t addr, uint64_t len)
{
	uint64_t s = addr <= p->base ? 0 : addr - p->base;
	uint64_t e = pmm_end_offset(p, addr, len);
	uint64_t first = s >> PMM_PAGE_SHIFT;
	uint64_t last = (e >> PMM_PAGE_SHIFT) + ((e & (PMM_PAGE_SIZE - 1)) != 0);

	if (len == 0)
		return;
	if (last > p->npages)
		last = p->npages;
	if (first < last)
		pmm_mark(p, (size_t)first, (size_t)last, 0);
}

/* Smallest page index >= i whose physical address is a multiple of align pages. */
static size_t pmm_align_index(const struct pmm *p, size_t i, size_t align)
{
	uint64_t pfn = (p->base >> PMM_PAGE_SHIFT) + i;

	return i + (size_t)((align - (pfn & (align - 1))) & (align - 1));
}

/* Fast path: the lowest free page, found one word at a time from the hint. */
static int pmm_alloc_one(struct pmm *p, uint64_t *out)
{
	size_t i = pmm_scan(p, p->hint * 64, p->npages, 1);

	if (i == p->npages)
		return -HV_ENOMEM;
	p->hint = i / 64;
	pmm_mark(p, i, i + 1, 0);
	*out = p->base + ((uint64_t)i << PMM_PAGE_SHIFT);
	return 0;
}

int pmm_alloc(struct pmm *p, size_t npages, size_t align_pages, uint64_t *out)
{
	size_t align = align_pages ? align_pages : 1;
	size_t i;

	if (npages == 0 || (align & (align - 1)) != 0)
		return -HV_EINVAL;
	if (npages > p->free_pages)
		return -HV_ENOMEM;
	if (npages == 1 && align == 1)
		return pmm_alloc_one(p, out);
	/* Jump from each used page to the next aligned free page rather than testing every index. */
	i = pmm_align_index(p, pmm_scan(p, p->hint * 64, p->npages, 1), align);
	while (i < p->npages && p->npages - i >= npages) {
		size_t used = pmm_scan(p, i, i + npages, 0);

		if (used == i + npages) {
			pmm_mark(p, i, i + npages, 0);
			*out = p->base + ((uint64_t)i << PMM_PAGE_SHIFT);
			return 0;
		}
		i = pmm_scan(p, used, p->npages, 1);
		if (i < p->npages)
			i = pmm_align_index(p, i, align);
	}
	return -HV_ENOMEM;
}

int pmm_free(struct pmm *p, uint64_t addr, size_t npages)
{
	uint64_t off = addr - p->base;
	size_t i;

	if (addr < p->base || (off & (PMM_PAGE_SIZE - 1)) != 0 || npages == 0)
		return -HV_EINVAL;
	if ((off >> PMM_PAGE_SHIFT) >= p->npages ||
	    p->npages - (off >> PMM_PAGE_SHIFT) < npages)
		return -HV_EINVAL;
	i = (size_t)(off >> PMM_PAGE_SHIFT);
	/* Check the whole run first so a double free changes nothing. */
	if (pmm_scan(p, i, i + npages, 1) != i + npages)
		return -HV_EINVAL;
	pmm_mark(p, i, i + npages, 1);
	return 0;
}

size_t pmm_free_count(const struct pmm *p)
{
	return p->free_pages;
}
