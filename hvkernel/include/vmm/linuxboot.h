/*
 * Booting an unmodified Linux kernel in a VM (docs/linux-guest.md): the bzImage placed and
 * entered by the 64-bit boot protocol, with boot_params, an e820 map, the command line,
 * the initrd, and ACPI tables describing the vCPUs' local APICs and the I/O APIC.
 */
#ifndef VMM_LINUXBOOT_H
#define VMM_LINUXBOOT_H

#include <stddef.h>
#include <stdint.h>
#include <vmm/vm.h>

/* Guest-physical layout below 1 MiB (the e820 map marks 0x9fc00-0x100000 reserved). */
#define LB_GDT		0x1000ull	/* boot GDT: 0x10 flat code64, 0x18 flat data */
#define LB_BOOT_PARAMS	0x7000ull	/* the zeropage */
#define LB_PML4		0x9000ull	/* identity map of the first 4 GiB, 2 MiB pages */
#define LB_PDPT		0xa000ull
#define LB_PD		0xb000ull	/* four page directories: 0xb000-0xefff */
#define LB_CMDLINE	0x20000ull
#define LB_CMDLINE_MAX	2048
#define LB_ACPI		0xe0000ull	/* RSDP, XSDT, MADT (in the BIOS area Linux scans too) */
#define LB_LOW_RAM_END	0x9fc00ull

struct lb_devs {			/* the virtio-mmio devices to announce on the command line */
	uint64_t base[4];
	unsigned irq[4];
	int n;
};

/*
 * Place kernel (a bzImage) and initrd in vm's RAM, write boot_params, the command line
 * (cmdline, then what the VMM adds: the TSC rate, the virtio-mmio devices), the page
 * tables, the GDT and the ACPI tables, and put vCPU 0 at the 64-bit entry. 0, or -1 with
 * why (a buffer of n bytes) saying what is wrong.
 */
int linuxboot_load(struct vm *vm, const void *kernel, size_t klen, const void *initrd, size_t ilen,
		   const char *cmdline, const struct lb_devs *devs, char *why, size_t n);

/* The ACPI fixed hardware the FADT names (vacpi.c; vm_io.c emulates it). */
#define VACPI_PM1_EVT		0x600	/* PM1a status (2 bytes) and enable (2 bytes) */
#define VACPI_PM1_CNT		0x604	/* PM1a control (2 bytes) */
#define VACPI_SCI_IRQ		9
#define VACPI_FADT_LEN		244

/* Write RSDP, XSDT, MADT (nvcpus local APICs, IDs 0..n-1; the I/O APIC at 0xfec00000
 * with GSIs 0-23), FACS, FADT and a DSDT naming the virtio-mmio devices at gpa (4 KiB).
 * Returns the RSDP's address, or 0 when it does not fit. */
uint64_t vacpi_build(struct vm *vm, uint64_t gpa, int nvcpus, const struct lb_devs *devs);

#endif
