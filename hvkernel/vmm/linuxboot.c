/*
 * The Linux 64-bit boot protocol (vmm/linuxboot.h; Documentation/arch/x86/boot.rst,
 * "64-bit Boot Protocol"). We enter startup_64 directly rather than the 32-bit entry:
 * the VMM can set up long mode in the VMCB as easily as protected mode, and the 64-bit
 * entry is the one every x86-64 kernel since 3.x offers (xloadflags.XLF_KERNEL_64).
 * What it wants at entry: long mode, an identity map covering the kernel, boot_params and
 * the command line; a GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18); interrupts off;
 * RSI = boot_params.
 */
#include <kern/string.h>
#include <kern/time.h>
#include <lib/bzimage.h>
#include <lib/fmt.h>
#include <vmm/linuxboot.h>

#define LB_MIB		(1024ull * 1024)

static int lb_fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lb_fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The first 4 GiB identity-mapped with 2 MiB pages (RAM, and the device windows above
 * it, though the kernel maps those itself before it touches them). */
static void lb_page_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, LB_PML4, 4096), *pdpt = vm_gpa(vm, LB_PDPT, 4096);

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = LB_PDPT | 3;				/* P | W */
	for (unsigned g = 0; g < 4; g++) {
		uint64_t *pd = vm_gpa(vm, LB_PD + g * 4096ull, 4096);
		pdpt[g] = (LB_PD + g * 4096ull) | 3;
		for (unsigned i = 0; i < 512; i++)
			pd[i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | 0x83;	/* P | W | PS */
	}
}

static void lb_gdt(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, LB_GDT, 32);

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9a000000ffffull;		/* 0x10: code, 64-bit, DPL 0 */
	gdt[3] = 0x00cf92000000ffffull;		/* 0x18: data, flat 4 GiB */
}

int linuxboot_load(struct vm *vm, const void *kernel, size_t klen, const void *initrd, size_t ilen,
		   const char *cmdline, const struct lb_devs *devs, char *why, size_t n)
{
	struct bzimage bz;
	const char *what;

	if (bzimage_parse(kernel, klen, &bz, &what) < 0)
		return lb_fail(why, n, "kernel: %s", what);
	/* The kernel decompresses in place within [load, load + init_size); the initrd goes
	 * at the top of RAM (below the header's limit), page-aligned, above that. */
	uint64_t kend = bz.load + bz.init_size;
	uint64_t top = vm->mem_size;
	if (bz.initrd_max && top > bz.initrd_max + 1)
		top = bz.initrd_max + 1;
	uint64_t igpa = ilen ? (top - ilen) & ~0xfffull : 0;
	if (kend > vm->mem_size || (ilen && (ilen > top || igpa < kend)))
		return lb_fail(why, n, "kernel (%llu MiB from %llu MiB while it decompresses) and initrd "
			       "(%llu KiB) need %llu MiB of memory; the VM has %llu MiB",
			       (unsigned long long)((bz.init_size + LB_MIB - 1) / LB_MIB),
			       (unsigned long long)(bz.load / LB_MIB), (unsigned long long)(ilen / 1024),
			       (unsigned long long)((kend + ilen + LB_MIB - 1) / LB_MIB + 1),
			       (unsigned long long)(vm->mem_size / LB_MIB));

	/* The command line: the configuration's, then what this VMM tells every guest (its
	 * devices it finds in the ACPI tables: vacpi.c). The
	 * TSC rate: a stock kernel on an AMD CPU finds it neither in CPUID nor (with no PIT
	 * here) by calibration; tsc=reliable because no other clock could watch it;
	 * no_timer_check because the I/O APIC has no timer input to check. */
	char *cl = vm_gpa(vm, LB_CMDLINE, LB_CMDLINE_MAX);
	size_t cmax = bz.cmdline_max && bz.cmdline_max < LB_CMDLINE_MAX ? bz.cmdline_max : LB_CMDLINE_MAX - 1;
	int len = fmt_snprintf(cl, cmax + 1, "%s tsc_early_khz=%llu tsc=reliable no_timer_check", cmdline,
			       (unsigned long long)tsc_khz);
	if (len < 0 || (size_t)len > cmax)
		return lb_fail(why, n, "command line longer than the kernel's %llu characters with what the "
			       "VMM adds", (unsigned long long)cmax);

	memcpy(vm_gpa(vm, bz.load, bz.kernel_len), bz.kernel, bz.kernel_len);
	if (ilen)
		memcpy(vm_gpa(vm, igpa, ilen), initrd, ilen);
	uint64_t rsdp = vacpi_build(vm, LB_ACPI, vm->nvcpus, devs);
	if (!rsdp)
		return lb_fail(why, n, "no room for the ACPI tables");
	const struct bzimage_e820 map[] = {
		{ 0, LB_LOW_RAM_END, BZ_E820_RAM },
		{ LB_LOW_RAM_END, 0x100000 - LB_LOW_RAM_END, BZ_E820_RESERVED },
		{ 0x100000, vm->mem_size - 0x100000, BZ_E820_RAM },
	};
	uint8_t *bp = vm_gpa(vm, LB_BOOT_PARAMS, BP_SIZE);
	memset(bp, 0, BP_SIZE);
	bzimage_boot_params(bp, kernel, LB_CMDLINE, igpa, (uint32_t)ilen, map, 3, rsdp);
	lb_page_tables(vm);
	lb_gdt(vm);
	vcpu_set_long_mode(vm->vcpu, bz.load + BZ_ENTRY64_OFF, LB_PML4, LB_GDT, 31);
	struct vcpu_regs *r = vcpu_regs(vm->vcpu);
	r->rsi = LB_BOOT_PARAMS;
	r->rsp = LB_BOOT_PARAMS;	/* below the zeropage; the kernel soon takes its own */
	return 0;
}
