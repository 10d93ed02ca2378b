/*
 * DMA memory owned by a device (hv/mem.h): hv_dma_alloc_coherent and hv_dma_free_coherent
 * take the device, as Linux's dma_alloc_coherent and OpenBSD's bus_dmamem_alloc do, so the
 * kernel knows which memory each device may reach. Every bus address a driver hands a
 * device passes through hv_dma_addr(); with verifier=1 it must lie inside one region the
 * device holds, else the violation is reported and named by what the address is:
 *   dma_freed    inside a region this device held and freed (a stale descriptor)
 *   dma_foreign  inside a live region of another device
 *   dma_unowned  anywhere else
 * The regions are tracked only when the verifier or an IOMMU is on; without either the
 * API costs what the bare allocator does.
 */
#include <hv/errno.h>
#include <hv/lock.h>
#include <hv/mem.h>
#include <kern/ddkdma.h>
#include <kern/ddkvrf.h>
#include <kern/iommu.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/verifier.h>
#include <lib/fmt.h>

struct ddk_dma_region {
	uint64_t bus, len;
	const void *tag;		/* the block request, or NULL for an allocation */
	struct ddk_dma_region *next;
};

/* One lock for every device's regions: allocation is rare next to I/O, and the foreign
 * check walks all devices anyway. */
static struct hv_spinlock ddk_dma_lock = HV_SPINLOCK_INIT;

/* Region records come from a fixed pool, not the heap: a heap that grew during a test
 * would count as pages the test leaked. 4096 regions is far more than the inbox drivers'
 * allocations and requests in flight together. */
#define DDK_DMA_POOL	4096
static struct ddk_dma_region ddk_dma_pool[DDK_DMA_POOL];
static struct ddk_dma_region *ddk_dma_pool_free;
static unsigned ddk_dma_pool_used;	/* never-used records start here */

/* Under ddk_dma_lock. */
static struct ddk_dma_region *ddk_dma_region_get(void)
{
	struct ddk_dma_region *r = ddk_dma_pool_free;

	if (r)
		ddk_dma_pool_free = r->next;
	else if (ddk_dma_pool_used < DDK_DMA_POOL)
		r = &ddk_dma_pool[ddk_dma_pool_used++];
	return r;
}

static void ddk_dma_region_put(struct ddk_dma_region *r)
{
	r->next = ddk_dma_pool_free;
	ddk_dma_pool_free = r;
}

bool ddk_dma_tracking(void)
{
	return ddkvrf_on() || iommu_on();
}

static int ddk_dma_add(struct pci_dev *d, uint64_t bus, uint64_t len, const void *tag)
{
	unsigned long fl = hv_spin_lock_irqsave(&ddk_dma_lock);
	struct ddk_dma_dev *s = &d->ddkdma;
	struct ddk_dma_region *r = ddk_dma_region_get();
	if (!r) {
		hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
		klog("ddk: more than %d DMA regions at once; the allocation fails", DDK_DMA_POOL);
		return -HV_ENOMEM;
	}
	r->bus = bus;
	r->len = len;
	r->tag = tag;
	int ret = iommu_map(d, bus, len);
	if (ret < 0) {
		ddk_dma_region_put(r);
		hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
		return ret;
	}
	r->next = s->live;
	s->live = r;
	s->nlive++;
	hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
	return 0;
}

/* Take r's pages out of d's IOMMU domain, except those another live region of d still
 * touches (request buffers may share pages). Under ddk_dma_lock, r already unlinked. */
static void ddk_dma_unmap(struct pci_dev *d, const struct ddk_dma_region *r)
{
	if (!iommu_on())
		return;
	uint64_t first = r->bus & ~(uint64_t)(PAGE_SIZE - 1), end = r->bus + r->len;
	uint64_t run = first;	/* start of the pages to unmap in one go (one IOTLB flush) */
	for (uint64_t p = first; p < end; p += PAGE_SIZE) {
		bool shared = false;
		for (const struct ddk_dma_region *o = d->ddkdma.live; o && !shared; o = o->next)
			shared = o->bus < p + PAGE_SIZE && p < o->bus + o->len;
		if (shared) {
			if (p > run)
				iommu_unmap(d, run, p - run);
			run = p + PAGE_SIZE;
		}
	}
	if (end > run)
		iommu_unmap(d, run, end - run);
}

/* Unlink the region of d that starts at bus (tag NULL) or has tag; 0 or -HV_ENOENT. */
static int ddk_dma_remove(struct pci_dev *d, uint64_t bus, const void *tag, uint64_t *len)
{
	struct ddk_dma_region *r, **pp;
	unsigned long fl = hv_spin_lock_irqsave(&ddk_dma_lock);
	struct ddk_dma_dev *s = &d->ddkdma;

	for (pp = &s->live; *pp; pp = &(*pp)->next)
		if (tag ? (*pp)->tag == tag : (!(*pp)->tag && (*pp)->bus == bus))
			break;
	r = *pp;
	if (!r) {
		hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
		return -HV_ENOENT;
	}
	*pp = r->next;
	s->nlive--;
	ddk_dma_unmap(d, r);
	if (!tag) {
		unsigned i = s->nfreed++ % DDK_DMA_FREED;
		s->freed[i].bus = r->bus;
		s->freed[i].len = r->len;
	}
	if (len)
		*len = r->len;
	ddk_dma_region_put(r);
	hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
	return 0;
}

static bool ddk_dma_in(uint64_t bus, uint64_t len, uint64_t rbus, uint64_t rlen)
{
	return bus >= rbus && bus - rbus <= rlen && len <= rlen - (bus - rbus);
}

void *hv_dma_alloc_coherent(struct hv_pci_dev *hd, size_t size, uint64_t *bus)
{
	struct pci_dev *d = (struct pci_dev *)hd;

	if (size == 0 || !d)
		return 0;
	size_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	const void *site = __builtin_return_address(0);
	uint64_t b;
	/* Under the verifier its checked allocator (redzone page, quarantine after free, leaks
	 * at remove); identity mapping below 4 GiB either way: bus address = physical. */
	void *p = vf_on ? vf_dma_alloc(size, &b, (uintptr_t)site) : page_alloc(npages);
	if (!p)
		return 0;
	if (ddk_dma_tracking() && ddk_dma_add(d, (uint64_t)p, npages * PAGE_SIZE, 0) < 0) {
		if (vf_on)
			vf_dma_free(p, size, (uintptr_t)site);
		else
			page_free(p, npages);
		return 0;
	}
	if (bus)
		*bus = (uint64_t)p;
	return p;
}

void hv_dma_free_coherent(struct hv_pci_dev *hd, void *p, size_t size)
{
	struct pci_dev *d = (struct pci_dev *)hd;
	uint64_t len;

	if (!p)
		return;
	size_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	const void *site = __builtin_return_address(0);
	if (ddk_dma_tracking()) {
		char msg[96];

		if (ddk_dma_remove(d, (uint64_t)p, 0, &len) < 0) {
			fmt_snprintf(msg, sizeof(msg), "free of 0x%llx, which is no DMA allocation of this device",
				     (unsigned long long)(uintptr_t)p);
			ddkvrf_violation("dma_bad_free", d, site, (uint64_t)p, size, msg);
			return;
		}
		if (len != npages * PAGE_SIZE) {
			fmt_snprintf(msg, sizeof(msg), "free of %zu bytes of a %llu-byte DMA allocation",
				     size, (unsigned long long)len);
			ddkvrf_violation("dma_bad_free", d, site, (uint64_t)p, size, msg);
			npages = len / PAGE_SIZE;
			size = len;
		}
	}
	if (vf_on)
		vf_dma_free(p, size, (uintptr_t)site);
	else
		page_free(p, npages);
}

/* What [bus, bus + len) is to d when it is none of its live regions. */
static const char *ddk_dma_classify(struct pci_dev *d, uint64_t bus, uint64_t len,
				    struct pci_dev **other)
{
	struct ddk_dma_dev *s = &d->ddkdma;

	*other = 0;
	for (struct pci_dev *o = pci_first(); o; o = o->next) {
		if (o == d)
			continue;
		for (struct ddk_dma_region *r = o->ddkdma.live; r; r = r->next)
			if (ddk_dma_in(bus, 1, r->bus, r->len)) {
				*other = o;
				return "dma_foreign";
			}
	}
	unsigned n = s->nfreed < DDK_DMA_FREED ? s->nfreed : DDK_DMA_FREED;
	for (unsigned i = 0; i < n; i++)
		if (ddk_dma_in(bus, 1, s->freed[i].bus, s->freed[i].len))
			return "dma_freed";
	(void)len;
	return "dma_unowned";
}

uint64_t hv_dma_addr(struct hv_pci_dev *hd, uint64_t bus, size_t len)
{
	struct pci_dev *d = (struct pci_dev *)hd, *other;
	char msg[112], slot[16];
	const char *kind;

	if (!ddkvrf_on())
		return bus;
	if (len == 0)
		len = 1;
	unsigned long fl = hv_spin_lock_irqsave(&ddk_dma_lock);
	for (struct ddk_dma_region *r = d->ddkdma.live; r; r = r->next)
		if (ddk_dma_in(bus, len, r->bus, r->len)) {
			hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
			return bus;
		}
	kind = ddk_dma_classify(d, bus, len, &other);
	hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
	if (other)
		fmt_snprintf(msg, sizeof(msg), "%zu bytes at bus address 0x%llx belong to %s",
			     len, (unsigned long long)bus, pci_slot_name(other, slot));
	else
		fmt_snprintf(msg, sizeof(msg), "%zu bytes at bus address 0x%llx: %s", len,
			     (unsigned long long)bus, !strcmp(kind, "dma_freed") ?
			     "a DMA allocation this device freed" : "no DMA memory of this device");
	ddkvrf_violation(kind, d, __builtin_return_address(0), bus, len, msg);
	return bus;
}

int ddk_dma_req_start(struct pci_dev *d, const struct hv_blkreq *rq, uint64_t bus, uint64_t len)
{
	return ddk_dma_add(d, bus, len, rq);
}

void ddk_dma_req_done(const struct hv_blkreq *rq)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		if (d->ddkdma.live && ddk_dma_remove(d, 0, rq, 0) == 0)
			return;
}

unsigned ddk_dma_regions(const struct pci_dev *d)
{
	return d->ddkdma.nlive;
}

struct pci_dev *ddk_dma_owner(uint64_t bus)
{
	struct pci_dev *owner = 0;
	unsigned long fl = hv_spin_lock_irqsave(&ddk_dma_lock);

	for (struct pci_dev *d = pci_first(); d && !owner; d = d->next)
		for (struct ddk_dma_region *r = d->ddkdma.live; r; r = r->next)
			if (ddk_dma_in(bus, 1, r->bus, r->len)) {
				owner = d;
				break;
			}
	hv_spin_unlock_irqrestore(&ddk_dma_lock, fl);
	return owner;
}
