/*
 * Nested page tables: guest-physical [0, mem_size) maps to the VM's RAM with 4 KiB pages;
 * nothing else is mapped, so any other guest-physical access is a nested page fault the
 * VMM sees (APM vol. 2, 15.25 "Nested paging"). Nested walks are user accesses, so every
 * level carries U (15.25.5).
 */
#include <arch/bootdefs.h>
#include <hv/errno.h>
#include <kern/mem.h>
#include <vmm/vm.h>

#define NPT_FLAGS	(PTE_P | PTE_W | PTE_U)
#define NPT_ADDR	0x000ffffffffff000ull

static uint64_t *npt_next(struct vm *vm, uint64_t *table, unsigned idx)
{
	if (!(table[idx] & PTE_P)) {
		uint64_t *t = page_alloc(1);
		if (!t)
			return 0;
		vm->npt_pages++;
		table[idx] = (uint64_t)t | NPT_FLAGS;
	}
	return (uint64_t *)(table[idx] & NPT_ADDR);
}

int npt_map(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	uint64_t *pdpt = npt_next(vm, vm->npt, (gpa >> 39) & 511);
	uint64_t *pd = pdpt ? npt_next(vm, pdpt, (gpa >> 30) & 511) : 0;
	uint64_t *pt = pd ? npt_next(vm, pd, (gpa >> 21) & 511) : 0;

	if (!pt)
		return -HV_ENOMEM;
	pt[(gpa >> 12) & 511] = hpa | NPT_FLAGS;
	return 0;
}

static void npt_free_level(uint64_t *table, int level)
{
	for (int i = 0; level > 1 && i < 512; i++)
		if (table[i] & PTE_P)
			npt_free_level((uint64_t *)(table[i] & NPT_ADDR), level - 1);
	page_free(table, 1);
}

void npt_free(struct vm *vm)
{
	if (vm->npt)
		npt_free_level(vm->npt, 4);
	vm->npt = 0;
}

uint64_t vm_npt_root(const struct vm *vm)
{
	return (uint64_t)vm->npt;
}
