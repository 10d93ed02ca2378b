/*
 * Kernel heap (kmalloc) over a page provider. Small requests come from one-page slabs of
 * fixed size classes (16 .. 2016 bytes, packed so a page wastes little); larger requests
 * get whole pages with a 64-byte header in front. A slab page goes back to the provider the
 * moment its last object is freed, so a leak check can compare page counts exactly.
 *
 * Every page the heap holds starts with a header carrying a magic value bound to the heap
 * and the page, and the header of a pointer p is the page holding byte p - 1. heap_free
 * therefore reads that header: pointers into unmapped memory cannot be diagnosed, anything
 * else that is not a live allocation of this heap is refused with -HV_EINVAL.
 * Not locked: the caller serialises access to an instance.
 */
#ifndef LIB_HEAP_H
#define LIB_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_PAGE_SIZE	4096u
#define HEAP_NCLASSES	14	/* see heap_class_size[] in heap.c */
#define HEAP_MAX_ALIGN	4096u

/* Where pages come from: page_alloc returns npages 4096-aligned pages or NULL. */
struct heap_ops {
	void *(*page_alloc)(void *ctx, size_t npages);
	void (*page_free)(void *ctx, void *p, size_t npages);
	void *ctx;
};

/* Counters; bytes are usable sizes (a request rounded up to its class or to 16). */
struct heap_stats {
	size_t bytes_in_use, allocs_in_use, pages_held, total_allocs, total_frees, bad_frees;
};

struct heap_slab;

/* A heap instance; may be static, heap_init sets every field. */
struct heap {
	struct heap_ops ops;
	struct heap_slab *partial[HEAP_NCLASSES];	/* slabs with a free object, per class */
	struct heap_stats stats;
};

/* Sets up h to take pages from ops (copied). */
void heap_init(struct heap *h, const struct heap_ops *ops);

/* size bytes, 16-byte aligned; NULL for size 0, on exhaustion or on overflow. */
void *heap_alloc(struct heap *h, size_t size);

/* size bytes aligned to align (0 or a power of two <= 4096; below 16 means 16); NULL on error. */
void *heap_alloc_aligned(struct heap *h, size_t size, size_t align);

/* heap_alloc, zero filled. */
void *heap_zalloc(struct heap *h, size_t size);

/* Frees p (NULL is fine); -HV_EINVAL, counted in bad_frees, if p is not a live allocation of h. */
int heap_free(struct heap *h, void *p);

/* Copies the counters into out. */
void heap_get_stats(const struct heap *h, struct heap_stats *out);

#endif
