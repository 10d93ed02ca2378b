/*
 * Page protections for module images: text read+execute, read-only data read-only and
 * not executable, data read+write and not executable, so no page is both writable and
 * executable. The boot identity map uses 2 MiB pages; the 2 MiB page around a protected
 * range is split into 4 KiB pages first (APM vol. 2, 5.3 "Long-mode page translation").
 */
#include <arch/bootdefs.h>
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/mem.h>

#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull

extern uint64_t *mem_page_directory(void);

static int prot_nx_enabled(void)
{
	return (rdmsr(MSR_EFER) & EFER_NXE) != 0;
}

/* The 4 KiB page-table entry for va, splitting its 2 MiB page if needed; NULL on failure. */
static uint64_t *prot_pte(uintptr_t va)
{
	uint64_t *pd = mem_page_directory();
	uint64_t *pde = &pd[va >> 21];

	if (va >= 0x100000000ull || !(*pde & PTE_P))
		return 0;
	if (*pde & PTE_PS) {
		uint64_t *pt = page_alloc(1);
		if (!pt)
			return 0;
		uint64_t base = *pde & ~0x1fffffull & PTE_ADDR;
		uint64_t flags = *pde & (PTE_W | PTE_PCD | PTE_PWT | PTE_NX);
		for (int i = 0; i < 512; i++)
			pt[i] = (base + (uint64_t)i * PAGE_SIZE) | PTE_P | flags;
		*pde = (uint64_t)pt | PTE_P | PTE_W;
		write_cr3(read_cr3());
	}
	uint64_t *pt = (uint64_t *)(*pde & PTE_ADDR);
	return &pt[(va >> 12) & 511];
}

int mem_protect(uintptr_t va, size_t len, int writable, int executable)
{
	if ((va | len) & (PAGE_SIZE - 1))
		return -HV_EINVAL;
	int nx = prot_nx_enabled();
	for (uintptr_t p = va; p < va + len; p += PAGE_SIZE) {
		uint64_t *pte = prot_pte(p);
		if (!pte)
			return -HV_ENOMEM;
		uint64_t e = *pte & ~(PTE_W | PTE_NX);
		if (writable)
			e |= PTE_W;
		if (!executable && nx)
			e |= PTE_NX;
		*pte = e;
		invlpg(p);
	}
	return 0;
}

int mem_query(uintptr_t va, int *writable, int *executable)
{
	uint64_t *pd = mem_page_directory();

	if (va >= 0x100000000ull)
		return -HV_EINVAL;
	uint64_t e = pd[va >> 21];
	if ((e & PTE_P) && !(e & PTE_PS)) {
		uint64_t *pt = (uint64_t *)(e & PTE_ADDR);
		uint64_t pte = pt[(va >> 12) & 511];
		*writable = (e & PTE_W) && (pte & PTE_W);
		*executable = !(e & PTE_NX) && !(pte & PTE_NX) && prot_nx_enabled();
		return (pte & PTE_P) ? 0 : -HV_EFAULT;
	}
	if (!(e & PTE_P))
		return -HV_EFAULT;
	*writable = (e & PTE_W) != 0;
	*executable = !(e & PTE_NX);
	return 0;
}
