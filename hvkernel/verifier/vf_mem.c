/*
 * The verifier's checked allocator, behind hv_malloc/hv_zalloc/hv_free and
 * hv_dma_alloc/hv_dma_free. Every allocation is tracked with its module (the one whose
 * image holds the caller), the device of the entry point that made it and the call site.
 *
 * Heap blocks get whole pages of their own (a driver's blocks never share a slab with the
 * kernel's, so quarantine and redzones do not move the kernel's objects between pages and
 * the tests' page counters hold), the block at the end of them: VF_RZ bytes of redzone
 * before it, VF_RZ after (and the rounding to 16 bytes). DMA memory (whole pages, which a driver may use up to
 * the page end) gets one redzone page after it. Redzones are checked
 * at free, at remove and at every check. A freed block is poisoned and quarantined: kept
 * out of reuse until VF_Q_MAX blocks or VF_Q_BYTES bytes are younger than it, and its
 * poison is checked when it leaves: a changed byte is a write after free (by the CPU or
 * by a device's DMA). A free of something the module does not own, or a second free, is
 * refused: the memory is left as it is.
 */
#include <hv/lock.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/string.h>
#include <kern/verifier.h>

#define VF_MAX_ALLOCS	16384
#define VF_HASH		4096
#define VF_RZ		32		/* keeps hv_malloc's 16-byte alignment */
#define VF_RZ_BYTE	0xfd
#define VF_POISON	0x6b
#define VF_Q_MAX	1024
#define VF_Q_BYTES	(4u << 20)

enum { VF_HEAP = 1, VF_DMA };
enum { VF_UNUSED, VF_LIVE, VF_QUAR };

struct vf_alloc {
	uintptr_t ptr;			/* what the driver got */
	size_t size;			/* what it asked for */
	const struct module *mod;	/* NULL: allocated by the kernel */
	const struct pci_dev *dev;	/* the entry point's device, or NULL */
	uintptr_t site, free_site;
	uint8_t kind, state;
	bool in_init;			/* made by hv_module_init */
	bool reported;			/* a redzone or poison violation was reported */
	bool leaked;			/* reported as held after remove */
	int next;			/* hash chain / free list (index + 1, 0 = end) */
	int qnext;			/* quarantine FIFO (index + 1) */
};

static struct vf_alloc vf_allocs[VF_MAX_ALLOCS];
static int vf_hash[VF_HASH];		/* index + 1 of the chain's first record */
static int vf_free_slots;		/* index + 1 */
static int vf_next_unused;		/* records never used yet start here */
static int vf_qhead, vf_qtail;		/* index + 1 */
static unsigned vf_qcount;
static size_t vf_qbytes;
static struct hv_spinlock vf_mem_lock;

static unsigned vf_bucket(uintptr_t p)
{
	return (unsigned)((p >> 4) ^ (p >> 16)) % VF_HASH;
}

static size_t vf_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

static struct vf_alloc *vf_find(uintptr_t p)
{
	for (int i = vf_hash[vf_bucket(p)]; i; i = vf_allocs[i - 1].next)
		if (vf_allocs[i - 1].ptr == p)
			return &vf_allocs[i - 1];
	return 0;
}

static void vf_unhash(struct vf_alloc *a)
{
	int idx = (int)(a - vf_allocs) + 1;

	for (int *pp = &vf_hash[vf_bucket(a->ptr)]; *pp; pp = &vf_allocs[*pp - 1].next) {
		if (*pp == idx) {
			*pp = a->next;
			break;
		}
	}
	a->state = VF_UNUSED;
	a->next = vf_free_slots;
	vf_free_slots = idx;
}

/* The first byte of [p, p+n) that is not b, or NULL. Eight bytes at a time: a redzone
 * page and the poison of every freed block are scanned (byte by byte, the cost per
 * allocation was 0.4 ms under TCG). */
static const uint8_t *vf_scan(const void *p, size_t n, uint8_t b)
{
	const uint8_t *s = p, *end = s + n;
	uint64_t w = 0x0101010101010101ull * b;

	while (s < end && ((uintptr_t)s & 7))
		if (*s++ != b)
			return s - 1;
	for (; end - s >= 8; s += 8)
		if (*(const uint64_t *)s != w)
			break;
	for (; s < end; s++)
		if (*s != b)
			return s;
	return 0;
}

static size_t vf_round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* Pages under a block (DMA: with its redzone page). */
static size_t vf_npages(const struct vf_alloc *a)
{
	return a->kind == VF_HEAP ? vf_pages(vf_round16(a->size) + 2 * VF_RZ) : vf_pages(a->size) + 1;
}

/* The first of them. */
static uintptr_t vf_base(const struct vf_alloc *a)
{
	if (a->kind == VF_DMA)
		return a->ptr;
	return a->ptr + vf_round16(a->size) + VF_RZ - vf_npages(a) * PAGE_SIZE;
}

static size_t vf_span(const struct vf_alloc *a)
{
	return a->kind == VF_HEAP ? a->size : vf_pages(a->size) * PAGE_SIZE;
}

/* A redzone byte that changed, or NULL. */
static const uint8_t *vf_redzone_bad(const struct vf_alloc *a)
{
	const uint8_t *bad;

	if (a->kind == VF_DMA)
		return vf_scan((void *)(a->ptr + vf_span(a)), PAGE_SIZE, VF_RZ_BYTE);
	bad = vf_scan((void *)(a->ptr - VF_RZ), VF_RZ, VF_RZ_BYTE);
	return bad ? bad : vf_scan((void *)(a->ptr + a->size), vf_round16(a->size) - a->size + VF_RZ,
				   VF_RZ_BYTE);
}

static void vf_check_redzone(struct vf_alloc *a, const char *when)
{
	const uint8_t *bad = a->reported ? 0 : vf_redzone_bad(a);

	if (!bad)
		return;
	a->reported = true;
	long off = (long)((uintptr_t)bad - a->ptr);
	vf_report("redzone", a->site, (uintptr_t)bad, a->size, a->dev,
		  "%s block of %zu bytes overrun: byte %ld %s it changed (found %s)",
		  a->kind == VF_DMA ? "DMA" : "heap", a->size, off,
		  off < 0 ? "before" : "from its start:", when);
}

static void vf_check_poison(struct vf_alloc *a)
{
	const uint8_t *bad = a->reported ? 0 : vf_scan((void *)a->ptr, vf_span(a), VF_POISON);

	if (!bad)
		return;
	a->reported = true;
	vf_report("use_after_free", a->free_site, (uintptr_t)bad, a->size, a->dev,
		  "%s block of %zu bytes (allocated at %p) written %ld bytes into it after this "
		  "free", a->kind == VF_DMA ? "DMA" : "heap", a->size, (void *)a->site,
		  (long)((uintptr_t)bad - a->ptr));
}

static void vf_release(struct vf_alloc *a)
{
	page_free((void *)vf_base(a), vf_npages(a));
	vf_unhash(a);
}

/* Take the oldest block off the quarantine: check its poison, give the memory back. */
static void vf_evict(void)
{
	struct vf_alloc *a = &vf_allocs[vf_qhead - 1];

	vf_qhead = a->qnext;
	if (!vf_qhead)
		vf_qtail = 0;
	vf_qcount--;
	vf_qbytes -= vf_span(a);
	vf_check_poison(a);
	vf_release(a);
}

static struct vf_alloc *vf_slot(void)
{
	if (!vf_free_slots && vf_next_unused == VF_MAX_ALLOCS && vf_qhead)
		vf_evict();
	if (vf_free_slots) {
		struct vf_alloc *a = &vf_allocs[vf_free_slots - 1];
		vf_free_slots = a->next;
		return a;
	}
	if (vf_next_unused < VF_MAX_ALLOCS)
		return &vf_allocs[vf_next_unused++];
	return 0;
}

/* Record a fresh block; the lock is held. */
static void *vf_track(uintptr_t ptr, size_t size, int kind, uintptr_t site)
{
	struct vf_alloc *a = vf_slot();

	if (!a)
		return 0;
	const struct module *m = vf_module_at(site);
	*a = (struct vf_alloc){ .ptr = ptr, .size = size, .mod = m, .dev = vf_current_dev(),
				.site = site, .kind = (uint8_t)kind, .state = VF_LIVE,
				.in_init = m && m == module_current };
	unsigned b = vf_bucket(ptr);
	a->next = vf_hash[b];
	vf_hash[b] = (int)(a - vf_allocs) + 1;
	return (void *)ptr;
}

void *vf_malloc(size_t size, bool zero, uintptr_t site)
{
	if (size == 0 || size > SIZE_MAX / 2)
		return 0;
	size_t span = vf_round16(size) + 2 * VF_RZ, n = vf_pages(span);
	uint8_t *base = page_alloc(n);	/* zeroed */
	if (!base)
		return 0;
	uint8_t *p = base + n * PAGE_SIZE - VF_RZ - vf_round16(size);
	memset(p - VF_RZ, VF_RZ_BYTE, VF_RZ);
	memset(p + size, VF_RZ_BYTE, vf_round16(size) - size + VF_RZ);
	if (!zero)
		memset(p, 0xa5, size);	/* what hv_malloc gives is not zero: do not let it look so */
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);
	void *ret = vf_track((uintptr_t)p, size, VF_HEAP, site);
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
	if (!ret) {
		klog("verifier: allocation table full (%d blocks); hv_malloc fails", VF_MAX_ALLOCS);
		page_free(base, n);
	}
	return ret;
}

void *vf_dma_alloc(size_t size, uint64_t *bus, uintptr_t site, const struct pci_dev *dev)
{
	if (size == 0 || size > SIZE_MAX / 2)
		return 0;
	size_t n = vf_pages(size);
	uint8_t *base = page_alloc(n + 1);	/* zeroed */
	if (!base)
		return 0;
	memset(base + n * PAGE_SIZE, VF_RZ_BYTE, PAGE_SIZE);
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);
	void *p = vf_track((uintptr_t)base, size, VF_DMA, site);
	if (p && dev)
		vf_find((uintptr_t)p)->dev = dev;
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
	if (!p) {
		klog("verifier: allocation table full (%d blocks); hv_dma_alloc fails", VF_MAX_ALLOCS);
		page_free(base, n + 1);
		return 0;
	}
	if (bus)
		*bus = (uint64_t)(uintptr_t)p;	/* identity map below 4 GiB */
	return p;
}

/* Why the caller at site may not free a (NULL when it may). */
static const char *vf_free_refusal(const struct vf_alloc *a, int kind, const struct module *m)
{
	if (a->state == VF_QUAR)
		return "double_free";
	if (a->kind != kind || (m && a->mod != m))
		return "foreign_free";
	return 0;
}

static void vf_do_free(uintptr_t p, size_t size, int kind, uintptr_t site)
{
	const struct module *m = vf_module_at(site);
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);
	struct vf_alloc *a = vf_find(p);

	if (!a) {
		hv_spin_unlock_irqrestore(&vf_mem_lock, f);
		if (m) {
			vf_report("foreign_free", site, p, size, vf_current_dev(),
				  "%s of %p, which no live allocation of the DDK starts at: refused",
				  kind == VF_DMA ? "hv_dma_free" : "hv_free", (void *)p);
		} else if (kind == VF_HEAP) {
			kfree((void *)p);	/* the kernel's own kmalloc memory */
		} else {
			page_free((void *)p, vf_pages(size));
		}
		return;
	}
	const char *why = vf_free_refusal(a, kind, m);
	if (why) {
		struct vf_alloc copy = *a;
		hv_spin_unlock_irqrestore(&vf_mem_lock, f);
		if (why[0] == 'd')
			vf_report("double_free", site, p, copy.size, vf_current_dev(),
				  "block of %zu bytes (allocated at %p) already freed at %p: refused",
				  copy.size, (void *)copy.site, (void *)copy.free_site);
		else
			vf_report("foreign_free", site, p, copy.size, vf_current_dev(),
				  "%s of a %s block allocated by %s at %p: refused",
				  kind == VF_DMA ? "hv_dma_free" : "hv_free",
				  copy.kind == VF_DMA ? "DMA" : "heap",
				  copy.mod ? copy.mod->info.name : "the kernel", (void *)copy.site);
		return;
	}
	if (kind == VF_DMA && vf_pages(size) != vf_pages(a->size))
		vf_report("foreign_free", site, p, size, a->dev,
			  "hv_dma_free size %zu, but the block was allocated with %zu bytes", size,
			  a->size);
	vf_check_redzone(a, "at free");
	memset((void *)a->ptr, VF_POISON, vf_span(a));
	a->state = VF_QUAR;
	a->free_site = site;
	a->reported = false;
	a->qnext = 0;
	if (vf_qtail)
		vf_allocs[vf_qtail - 1].qnext = (int)(a - vf_allocs) + 1;
	else
		vf_qhead = (int)(a - vf_allocs) + 1;
	vf_qtail = (int)(a - vf_allocs) + 1;
	vf_qcount++;
	vf_qbytes += vf_span(a);
	while (vf_qhead && (vf_qcount > VF_Q_MAX || vf_qbytes > VF_Q_BYTES))
		vf_evict();
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
}

void vf_free(void *p, uintptr_t site)
{
	if (p)
		vf_do_free((uintptr_t)p, 0, VF_HEAP, site);
}

void vf_dma_free(void *p, size_t size, uintptr_t site)
{
	if (p)
		vf_do_free((uintptr_t)p, size, VF_DMA, site);
}

static void vf_check_all(void)
{
	for (int i = 0; i < vf_next_unused; i++) {
		struct vf_alloc *a = &vf_allocs[i];
		if (a->state == VF_LIVE)
			vf_check_redzone(a, "by a check");
		else if (a->state == VF_QUAR)
			vf_check_poison(a);
	}
}

void vf_mem_check(void)
{
	if (!vf_on)
		return;
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);
	vf_check_all();
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
}

void vf_mem_drain(void)
{
	if (!vf_on)
		return;
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);
	vf_check_all();
	while (vf_qhead)
		vf_evict();
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
}

void vf_mem_device_gone(const struct pci_dev *d, const struct module *m, bool last)
{
	unsigned long f = hv_spin_lock_irqsave(&vf_mem_lock);

	vf_check_all();
	for (int i = 0; i < vf_next_unused; i++) {
		struct vf_alloc *a = &vf_allocs[i];
		bool mine = a->dev == d || (last && !a->dev && !a->in_init);
		if (a->state != VF_LIVE || !a->mod || a->mod != m || !mine || a->leaked)
			continue;
		struct vf_alloc copy = *a;
		a->leaked = true;	/* left allocated: the device may still reach it */
		hv_spin_unlock_irqrestore(&vf_mem_lock, f);
		vf_report("leak", copy.site, copy.ptr, copy.size, d,
			  "%s block of %zu bytes still held after remove", copy.kind == VF_DMA ?
			  "DMA" : "heap", copy.size);
		f = hv_spin_lock_irqsave(&vf_mem_lock);
	}
	hv_spin_unlock_irqrestore(&vf_mem_lock, f);
}
