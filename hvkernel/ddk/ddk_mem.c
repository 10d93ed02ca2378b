/* DDK memory: hv_malloc and DMA memory (hv/mem.h) on the kernel allocators, or on the
 * verifier's checked allocator (verifier/vf_mem.c) under verifier=1. */
#include <hv/mem.h>
#include <kern/mem.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

void *hv_malloc(size_t size)
{
	return vf_on ? vf_malloc(size, false, DDK_CALLER) : kmalloc(size);
}

void *hv_zalloc(size_t size)
{
	return vf_on ? vf_malloc(size, true, DDK_CALLER) : kzalloc(size);
}

void hv_free(void *p)
{
	if (vf_on)
		vf_free(p, DDK_CALLER);
	else
		kfree(p);
}

/* Identity mapping below 4 GiB makes the bus address equal to the virtual address. */
void *hv_dma_alloc(size_t size, uint64_t *bus)
{
	if (size == 0)
		return 0;
	if (vf_on)
		return vf_dma_alloc(size, bus, DDK_CALLER, 0);
	void *p = page_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (p && bus)
		*bus = (uint64_t)p;
	return p;
}

void hv_dma_free(void *p, size_t size)
{
	if (vf_on)
		vf_dma_free(p, size, DDK_CALLER);
	else
		page_free(p, (size + PAGE_SIZE - 1) / PAGE_SIZE);
}
