/* DDK memory: hv_malloc and DMA memory (hv/mem.h) on the kernel allocators. */
#include <hv/mem.h>
#include <kern/mem.h>

void *hv_malloc(size_t size)
{
	return kmalloc(size);
}

void *hv_zalloc(size_t size)
{
	return kzalloc(size);
}

void hv_free(void *p)
{
	kfree(p);
}

/* Identity mapping below 4 GiB makes the bus address equal to the virtual address. */
void *hv_dma_alloc(size_t size, uint64_t *bus)
{
	if (size == 0)
		return 0;
	void *p = page_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (p && bus)
		*bus = (uint64_t)p;
	return p;
}

void hv_dma_free(void *p, size_t size)
{
	page_free(p, (size + PAGE_SIZE - 1) / PAGE_SIZE);
}
