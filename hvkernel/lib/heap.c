/*
 * Slab heap. Page layout, for both kinds of page:
 *   slab:  [struct heap_slab, 64 bytes][object 0][object 1]...   objects 16-byte aligned
 *   large: [struct heap_large, 64 bytes][pad to alignment][data ...]   over npages pages
 * The header of any pointer p handed out is at (p - 1) rounded down to a page: data never
 * starts at page offset 0 except for 4096-aligned large blocks, whose header then sits in
 * the page before.
 */
#include <lib/heap.h>
#include <hv/errno.h>

#define HEAP_HDR_SIZE		64u
#define HEAP_MIN_ALIGN		16u
#define HEAP_SLAB_MAGIC		0x48534c4142303031ull	/* "HSLAB001" */
#define HEAP_LARGE_MAGIC	0x484c415247453031ull	/* "HLARGE01" */
#define HEAP_SLAB_MAX_OBJS	256u			/* 4096 / 16, the bitmap's size */

/*
 * Multiples of 16 chosen so (4096 - 64) / size wastes little: 672, 1008, 1344 and 2016
 * fill 6, 4, 3 and 2 per page. A power-of-two 2048 class would fit only once beside the
 * header, no better than a large block, so requests above 2016 go to whole pages.
 */
static const uint16_t heap_class_size[HEAP_NCLASSES] = {
	16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 672, 1008, 1344, 2016,
};

struct heap_slab {
	uint64_t magic;			/* HEAP_SLAB_MAGIC ^ heap ^ page while owned */
	struct heap_slab *next, *prev;	/* on heap->partial[cls] while nfree > 0 */
	uint16_t cls, nobj, nfree, pad;
	uint64_t freemap[HEAP_SLAB_MAX_OBJS / 64];	/* set bit = object free */
};

struct heap_large {
	uint64_t magic;			/* HEAP_LARGE_MAGIC ^ heap ^ page while owned */
	size_t npages;
	size_t usable;			/* bytes counted in bytes_in_use */
	size_t data_off;		/* data starts this far from the header */
	uint8_t pad[HEAP_HDR_SIZE - 8 - 3 * sizeof(size_t)];
};

_Static_assert(sizeof(struct heap_slab) <= HEAP_HDR_SIZE, "slab header too big");
_Static_assert(sizeof(struct heap_large) == HEAP_HDR_SIZE, "large header size");

/* Binding the magic to heap and page rejects pointers from another heap or a stale copy. */
static uint64_t heap_magic(const struct heap *h, const void *page, uint64_t kind)
{
	return kind ^ (uint64_t)(uintptr_t)h ^ (uint64_t)(uintptr_t)page;
}

void heap_init(struct heap *h, const struct heap_ops *ops)
{
	h->ops = *ops;
	for (int i = 0; i < HEAP_NCLASSES; i++)
		h->partial[i] = NULL;
	h->stats = (struct heap_stats){ 0 };
}

/* Provider pages, refused unless page aligned (the header lookup depends on it). */
static void *heap_pages(struct heap *h, size_t npages)
{
	void *p = h->ops.page_alloc(h->ops.ctx, npages);

	if (p && ((uintptr_t)p & (HEAP_PAGE_SIZE - 1)) != 0) {
		h->ops.page_free(h->ops.ctx, p, npages);
		return NULL;
	}
	if (p)
		h->stats.pages_held += npages;
	return p;
}

static void heap_unpages(struct heap *h, void *p, size_t npages)
{
	h->stats.pages_held -= npages;
	h->ops.page_free(h->ops.ctx, p, npages);
}

static void heap_count_alloc(struct heap *h, size_t usable)
{
	h->stats.bytes_in_use += usable;
	h->stats.allocs_in_use++;
	h->stats.total_allocs++;
}

static void heap_count_free(struct heap *h, size_t usable)
{
	h->stats.bytes_in_use -= usable;
	h->stats.allocs_in_use--;
	h->stats.total_frees++;
}

/* --- slabs --- */

static void heap_slab_link(struct heap *h, struct heap_slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

static void heap_slab_unlink(struct heap *h, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static struct heap_slab *heap_slab_new(struct heap *h, int cls)
{
	struct heap_slab *s = heap_pages(h, 1);
	unsigned n = (HEAP_PAGE_SIZE - HEAP_HDR_SIZE) / heap_class_size[cls];

	if (!s)
		return NULL;
	s->magic = heap_magic(h, s, HEAP_SLAB_MAGIC);
	s->cls = (uint16_t)cls;
	s->nobj = s->nfree = (uint16_t)n;
	for (unsigned w = 0; w < HEAP_SLAB_MAX_OBJS / 64; w++) {
		unsigned lo = w * 64;
		s->freemap[w] = n <= lo ? 0 : n - lo >= 64 ? ~0ull : (1ull << (n - lo)) - 1;
	}
	heap_slab_link(h, s);
	return s;
}

static void *heap_slab_alloc(struct heap *h, int cls)
{
	struct heap_slab *s = h->partial[cls];
	unsigned w = 0, bit;

	if (!s && !(s = heap_slab_new(h, cls)))
		return NULL;
	while (s->freemap[w] == 0)
		w++;			/* nfree > 0 guarantees a set bit */
	bit = (unsigned)__builtin_ctzll(s->freemap[w]);
	s->freemap[w] &= ~(1ull << bit);
	if (--s->nfree == 0)
		heap_slab_unlink(h, s);
	heap_count_alloc(h, heap_class_size[cls]);
	return (char *)s + HEAP_HDR_SIZE + (size_t)(w * 64 + bit) * heap_class_size[cls];
}

static int heap_slab_free(struct heap *h, struct heap_slab *s, void *p)
{
	size_t size = heap_class_size[s->cls];
	size_t off = (size_t)((char *)p - (char *)s) - HEAP_HDR_SIZE;
	size_t i = off / size;

	if (off % size != 0 || i >= s->nobj || (s->freemap[i / 64] & (1ull << (i % 64))))
		return -HV_EINVAL;	/* inside an object, past the last one, or already free */
	s->freemap[i / 64] |= 1ull << (i % 64);
	heap_count_free(h, size);
	if (s->nfree++ == 0)
		heap_slab_link(h, s);
	if (s->nfree == s->nobj) {
		heap_slab_unlink(h, s);
		s->magic = 0;		/* a stale pointer into this page must not pass again */
		heap_unpages(h, s, 1);
	}
	return 0;
}

/* Smallest class of at least size bytes whose objects all land on align boundaries. */
static int heap_class_for(size_t size, size_t align)
{
	/* Objects start at page + 64 + k * size: no class can promise more than 64. */
	if (align > HEAP_HDR_SIZE)
		return -1;
	for (int i = 0; i < HEAP_NCLASSES; i++)
		if (heap_class_size[i] >= size && heap_class_size[i] % align == 0)
			return i;
	return -1;
}

/* --- large blocks --- */

static void *heap_large_alloc(struct heap *h, size_t size, size_t align)
{
	size_t data_off = align > HEAP_HDR_SIZE ? align : HEAP_HDR_SIZE;
	size_t usable = (size + HEAP_MIN_ALIGN - 1) & ~(size_t)(HEAP_MIN_ALIGN - 1);
	size_t npages = (data_off + usable + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
	struct heap_large *l = heap_pages(h, npages);

	if (!l)
		return NULL;
	l->magic = heap_magic(h, l, HEAP_LARGE_MAGIC);
	l->npages = npages;
	l->usable = usable;
	l->data_off = data_off;
	heap_count_alloc(h, usable);
	return (char *)l + data_off;
}

static int heap_large_free(struct heap *h, struct heap_large *l, void *p)
{
	if ((char *)p != (char *)l + l->data_off)
		return -HV_EINVAL;
	heap_count_free(h, l->usable);
	l->magic = 0;
	heap_unpages(h, l, l->npages);
	return 0;
}

/* --- entry points --- */

void *heap_alloc_aligned(struct heap *h, size_t size, size_t align)
{
	int cls;

	if (size == 0 || (align & (align - 1)) != 0 || align > HEAP_MAX_ALIGN)
		return NULL;
	if (align < HEAP_MIN_ALIGN)
		align = HEAP_MIN_ALIGN;
	/* Leaves room for header, padding and page rounding without wrapping. */
	if (size > SIZE_MAX - 2 * HEAP_PAGE_SIZE - HEAP_MAX_ALIGN)
		return NULL;
	cls = heap_class_for(size, align);
	return cls >= 0 ? heap_slab_alloc(h, cls) : heap_large_alloc(h, size, align);
}

void *heap_alloc(struct heap *h, size_t size)
{
	return heap_alloc_aligned(h, size, HEAP_MIN_ALIGN);
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);

	/* The builtin: freestanding code has no <string.h>; the kernel provides memset. */
	if (p)
		__builtin_memset(p, 0, size);
	return p;
}

int heap_free(struct heap *h, void *p)
{
	uintptr_t a = (uintptr_t)p;
	void *page;
	uint64_t magic;
	int rc = -HV_EINVAL;

	if (!p)
		return 0;
	if (a % HEAP_MIN_ALIGN == 0 && a >= HEAP_PAGE_SIZE) {
		page = (void *)((a - 1) & ~(uintptr_t)(HEAP_PAGE_SIZE - 1));
		magic = *(const uint64_t *)page;
		if (magic == heap_magic(h, page, HEAP_SLAB_MAGIC))
			rc = heap_slab_free(h, page, p);
		else if (magic == heap_magic(h, page, HEAP_LARGE_MAGIC))
			rc = heap_large_free(h, page, p);
	}
	if (rc < 0)
		h->stats.bad_frees++;
	return rc;
}

void heap_get_stats(const struct heap *h, struct heap_stats *out)
{
	*out = h->stats;
}
