/* Kernel-owned I/O buffers (kern/mem.h): whole zeroed pages, identity-mapped. */
#include <kern/mem.h>

void *kdma_alloc(size_t size, uint64_t *bus)
{
	if (size == 0)
		return 0;
	void *p = page_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (p && bus)
		*bus = (uint64_t)(uintptr_t)p;
	return p;
}

void kdma_free(void *p, size_t size)
{
	if (p)
		page_free(p, (size + PAGE_SIZE - 1) / PAGE_SIZE);
}
