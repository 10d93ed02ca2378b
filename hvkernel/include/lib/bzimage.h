/*
 * The Linux x86 boot protocol, as a loader of a bzImage sees it (Documentation/arch/x86/
 * boot.rst of the Linux tree: "The Real-Mode Kernel Header", "64-bit Boot Protocol",
 * "Details of Header Fields"; struct boot_params is its zeropage.rst). Pure and
 * freestanding: the kernel's loader (vmm/linuxboot.c) and the host unit tests use it.
 */
#ifndef LIB_BZIMAGE_H
#define LIB_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Offsets in the bzImage's first sector and, the same, in struct boot_params. */
#define BZ_SETUP_SECTS		0x1f1
#define BZ_BOOT_FLAG		0x1fe	/* 0xaa55 */
#define BZ_JUMP			0x200	/* its second byte + 0x202 is where the header ends */
#define BZ_HEADER		0x202	/* "HdrS" */
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21c
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22c
#define BZ_KERNEL_ALIGNMENT	0x230
#define BZ_RELOCATABLE		0x234
#define BZ_XLOADFLAGS		0x236
#define BZ_CMDLINE_SIZE		0x238
#define BZ_PREF_ADDRESS		0x258
#define BZ_INIT_SIZE		0x260
#define BZ_HEADER_MIN		0x264	/* through init_size */

#define BZ_XLF_KERNEL_64	0x1	/* a 64-bit entry at the kernel's start + 0x200 */
#define BZ_ENTRY64_OFF		0x200
#define BZ_LOADED_HIGH		0x01

/* struct boot_params (zeropage.rst). */
#define BP_SIZE			0x1000
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BZ_E820_RAM		1
#define BZ_E820_RESERVED	2

struct bzimage {
	const uint8_t *kernel;		/* the protected-mode kernel inside the image */
	size_t kernel_len;
	uint16_t version;		/* boot protocol, 0x020f = 2.15 */
	uint64_t load;			/* where it is placed (its preferred address) */
	uint64_t init_size;		/* memory it needs from load while it decompresses */
	uint32_t cmdline_max;		/* the longest command line it takes, without the NUL */
	uint64_t initrd_max;		/* the highest address an initrd byte may have */
};

/* Read and check a bzImage's header. 0, or -1 with *why saying what is wrong. */
int bzimage_parse(const void *img, size_t len, struct bzimage *bz, const char **why);

struct bzimage_e820 {
	uint64_t addr, size;
	uint32_t type;
};

/*
 * Fill the zeropage bp (BP_SIZE bytes, zeroed by the caller) for img: its setup header
 * copied from the image, then what the loader owns: type_of_loader (0xff, unregistered),
 * LOADED_HIGH, the command line and initrd addresses, the e820 map and the RSDP.
 */
void bzimage_boot_params(uint8_t *bp, const void *img, uint64_t cmdline_gpa, uint64_t initrd_gpa,
			 uint32_t initrd_len, const struct bzimage_e820 *map, int nmap, uint64_t rsdp);

#endif
