/*
 * Kernel glue for the freestanding page allocator (lib/pmm.c) and heap (lib/heap.c).
 * The kernel manages RAM below 4 GiB, which boot.S identity-mapped; that is all the
 * guests and DMA rings of the machines we certify need, and it keeps DMA addresses equal
 * to virtual addresses.
 */
#include <arch/bootdefs.h>
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/lock.h>
#include <kern/bootinfo.h>
#include <kern/log.h>
#include <kern/iommu.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <lib/heap.h>
#include <lib/pmm.h>

#define MEM_LIMIT	0x100000000ull	/* what boot.S maps */
#define MEM_PAGES	(MEM_LIMIT / PAGE_SIZE)
#define MEM_PDE_SIZE	0x200000ull	/* one page directory entry maps 2 MiB */
#define MEM_PDES	(MEM_LIMIT / MEM_PDE_SIZE)

extern char _kernel_start[], _kernel_end[];

/* The kernel's own page tables, replacing boot.S's: same 4 GiB identity map, with the
 * right memory types. */
static uint64_t mem_pml4[512] __attribute__((aligned(4096)));
static uint64_t mem_pdpt[512] __attribute__((aligned(4096)));
static uint64_t mem_pd[4 * 512] __attribute__((aligned(4096)));

static uint64_t mem_bitmap[MEM_PAGES / 64];
static struct pmm mem_pmm;
static struct heap mem_heap;
static uint64_t mem_bad_page_frees;
static uint64_t mem_total;
/* Allocators are shared by every CPU: a spinlock with interrupts off guards them. */
static struct hv_spinlock mem_lock = HV_SPINLOCK_INIT;

/* The heap calls these with mem_lock already held (from kmalloc/kfree). */
static void *mem_heap_page_alloc(void *ctx, size_t n)
{
	uint64_t pa;

	(void)ctx;
	return pmm_alloc(&mem_pmm, n, 1, &pa) < 0 ? 0 : (void *)pa;
}

static void mem_heap_page_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	if (pmm_free(&mem_pmm, (uint64_t)p, n) < 0)
		mem_bad_page_frees++;
}

static const struct heap_ops mem_heap_ops = {
	.page_alloc = mem_heap_page_alloc,
	.page_free = mem_heap_page_free,
	.ctx = 0,
};

/*
 * Build the kernel page tables and switch to them once. A 2 MiB page that is not entirely
 * RAM holds device registers or firmware: it is mapped uncacheable (PCD|PWT), as device
 * memory must not be cached (APM vol. 2, 7.4). The tables are filled while inactive and
 * loaded with one CR3 write: under a shadow-paging hypervisor every store into a live page
 * table is a trap, and 2048 of them cost a third of a second.
 */
static void mem_build_page_tables(void)
{
	/* Everything uncacheable, then each usable range's whole 2 MiB pages cacheable: one
	 * pass over the map, where testing every page against every entry took 2048 times
	 * nmmap turns (a visible part of the boot under a slow hypervisor). */
	for (uint64_t i = 0; i < MEM_PDES; i++)
		mem_pd[i] = i * MEM_PDE_SIZE | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	mem_pd[0] &= ~(uint64_t)(PTE_PCD | PTE_PWT);	/* the first 2 MiB holds the kernel */
	for (int j = 0; j < bootinfo.nmmap; j++) {
		const struct boot_mmap_entry *e = &bootinfo.mmap[j];
		uint64_t end = e->base + e->len < e->base ? MEM_LIMIT : e->base + e->len;
		uint64_t first = (e->base + MEM_PDE_SIZE - 1) / MEM_PDE_SIZE;
		uint64_t last = (end > MEM_LIMIT ? MEM_LIMIT : end) / MEM_PDE_SIZE;

		if (e->type != BOOT_MEM_USABLE || e->base >= MEM_LIMIT)
			continue;
		for (uint64_t i = first; i < last; i++)
			mem_pd[i] &= ~(uint64_t)(PTE_PCD | PTE_PWT);
	}
	for (int i = 0; i < 4; i++)
		mem_pdpt[i] = (uint64_t)&mem_pd[i * 512] | PTE_P | PTE_W;
	mem_pml4[0] = (uint64_t)mem_pdpt | PTE_P | PTE_W;
	write_cr3((uint64_t)mem_pml4);
}

int mem_init(void)
{
	/* Track pages only up to the end of RAM: a bitmap for 4 GiB on a 256 MiB machine
	 * would be 120 KiB of zeroes to write, which a shadow-paging hypervisor makes slow. */
	uint64_t top = 0;
	for (int i = 0; i < bootinfo.nmmap; i++) {
		const struct boot_mmap_entry *e = &bootinfo.mmap[i];
		uint64_t end = e->base + e->len;
		if (e->type == BOOT_MEM_USABLE && e->base < MEM_LIMIT)
			top = end > MEM_LIMIT ? MEM_LIMIT : (end > top ? end : top);
	}
	pmm_init(&mem_pmm, 0, (size_t)((top + PAGE_SIZE - 1) / PAGE_SIZE), mem_bitmap);
	for (int i = 0; i < bootinfo.nmmap; i++) {
		const struct boot_mmap_entry *e = &bootinfo.mmap[i];
		if (e->type == BOOT_MEM_USABLE && e->base < MEM_LIMIT)
			pmm_release_range(&mem_pmm, e->base, e->len);
	}
	/* Keep the first MiB (real-mode IVT, BIOS data, EBDA, option ROMs), the kernel image
	 * and every boot module. */
	pmm_reserve_range(&mem_pmm, 0, 0x100000);
	pmm_reserve_range(&mem_pmm, (uint64_t)_kernel_start,
			  (uint64_t)(_kernel_end - _kernel_start));
	for (int i = 0; i < bootinfo.nmods; i++)
		pmm_reserve_range(&mem_pmm, bootinfo.mods[i].start,
				  bootinfo.mods[i].end - bootinfo.mods[i].start);
	mem_total = pmm_free_count(&mem_pmm);
	if (mem_total < 256)
		return -HV_ENOMEM;
	mem_build_page_tables();
	heap_init(&mem_heap, &mem_heap_ops);
	return 0;
}

void *page_alloc_aligned(size_t n, size_t align)
{
	uint64_t pa;
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);
	int ret = pmm_alloc(&mem_pmm, n, align, &pa);

	hv_spin_unlock_irqrestore(&mem_lock, on);
	if (ret < 0)
		return 0;
	memset((void *)pa, 0, n * PAGE_SIZE);
	return (void *)pa;
}

void *page_alloc(size_t n)
{
	return page_alloc_aligned(n, 1);
}

void page_free(void *p, size_t n)
{
	if (!p)
		return;
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);
	int ret = pmm_free(&mem_pmm, (uint64_t)p, n);
	hv_spin_unlock_irqrestore(&mem_lock, on);
	if (ret < 0) {
		mem_bad_page_frees++;
		klog("mem: bad page_free(%p, %zu): %d", p, n, ret);
	}
}

void *kmalloc(size_t size)
{
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);
	void *p = heap_alloc(&mem_heap, size);

	hv_spin_unlock_irqrestore(&mem_lock, on);
	return p;
}

void *kzalloc(size_t size)
{
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);
	void *p = heap_zalloc(&mem_heap, size);

	hv_spin_unlock_irqrestore(&mem_lock, on);
	return p;
}

void kfree(void *p)
{
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);
	int ret = heap_free(&mem_heap, p);

	hv_spin_unlock_irqrestore(&mem_lock, on);
	if (ret < 0)
		klog("mem: bad kfree(%p): %d", p, ret);
}

void mem_get_counters(struct mem_counters *c)
{
	struct heap_stats hs;
	unsigned long on = hv_spin_lock_irqsave(&mem_lock);

	heap_get_stats(&mem_heap, &hs);
	c->pages_free = pmm_free_count(&mem_pmm);
	hv_spin_unlock_irqrestore(&mem_lock, on);
	c->heap_allocs = hs.allocs_in_use;
	c->heap_bytes = hs.bytes_in_use;
	c->heap_bad_frees = hs.bad_frees + mem_bad_page_frees;
	c->pages_iommu = iommu_table_pages();
}

uint64_t *mem_page_directory(void);
uint64_t *mem_page_directory(void)
{
	return mem_pd;
}

uint64_t mem_total_pages(void)
{
	return mem_total;
}

uintptr_t mem_map_mmio(uint64_t phys, uint64_t len)
{
	/* Everything below 4 GiB is identity mapped and non-RAM is already uncacheable.
	 * A BAR above 4 GiB is not reachable yet: callers check for 0. */
	if (phys + len > MEM_LIMIT || phys + len < phys)
		return 0;
	return (uintptr_t)phys;
}
