/*
 * What the boot loader told us, copied out of the Multiboot 1 or 2 information structure
 * into kernel memory so the loader's structure can be forgotten (and its pages reused).
 */
#ifndef KERN_BOOTINFO_H
#define KERN_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAX_MMAP	64
#define BOOTINFO_MAX_MODS	128
#define BOOTINFO_STR_MAX	4096

#define BOOT_MEM_USABLE		1	/* Multiboot memory type 1: available RAM */

struct boot_mmap_entry {
	uint64_t base, len;
	uint32_t type;
};

struct boot_module {
	uint64_t start, end;	/* physical, end exclusive */
	const char *cmdline;	/* the loader's string for the module (its path for QEMU) */
};

struct bootinfo {
	int protocol;		/* 1 or 2 */
	const char *cmdline;
	const char *loader;
	struct boot_mmap_entry mmap[BOOTINFO_MAX_MMAP];
	int nmmap;
	struct boot_module mods[BOOTINFO_MAX_MODS];
	int nmods;
	int mods_dropped;	/* modules beyond BOOTINFO_MAX_MODS */
	uint64_t rsdp;		/* physical address of an RSDP the loader gave us, or 0 */
};

extern struct bootinfo bootinfo;

/* Parse the loader's structure. 0, or -HV_EINVAL for an unknown magic or a broken structure
 * (in which case what could be read is kept and the reason is logged). */
int bootinfo_parse(uint32_t magic, uint64_t info);

#endif
