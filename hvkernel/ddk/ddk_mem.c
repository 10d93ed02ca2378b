/* DDK memory: hv_malloc (hv/mem.h) on the kernel heap, or on the verifier's checked
 * allocator (verifier/vf_mem.c) under verifier=1. DMA memory belongs to a device:
 * ddk_dma.c. */
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
