/*
 * Multiboot information parsing (Multiboot 0.6.96 section 3.3; Multiboot2 1.0 section 3.6).
 * Strings are copied into one arena; everything is bounds-checked, because the structure
 * comes from outside the kernel.
 */
#include <arch/bootdefs.h>
#include <hv/errno.h>
#include <kern/bootinfo.h>
#include <kern/log.h>
#include <kern/string.h>

struct bootinfo bootinfo;

static char bootinfo_strs[BOOTINFO_STR_MAX * 4];
static size_t bootinfo_strs_used;
static uint8_t bootinfo_rsdp[64] __attribute__((aligned(16)));

static const char *bootinfo_str(uint64_t addr)
{
	if (!addr || addr >= 0x100000000ull)
		return "";
	const char *s = (const char *)addr;
	size_t n = strnlen(s, BOOTINFO_STR_MAX - 1);
	if (bootinfo_strs_used + n + 1 > sizeof(bootinfo_strs))
		return "";
	char *d = bootinfo_strs + bootinfo_strs_used;
	memcpy(d, s, n);
	d[n] = 0;
	bootinfo_strs_used += n + 1;
	return d;
}

static void bootinfo_add_mmap(uint64_t base, uint64_t len, uint32_t type)
{
	if (bootinfo.nmmap < BOOTINFO_MAX_MMAP) {
		struct boot_mmap_entry *e = &bootinfo.mmap[bootinfo.nmmap++];
		e->base = base;
		e->len = len;
		e->type = type;
	}
}

static void bootinfo_add_module(uint64_t start, uint64_t end, const char *cmdline)
{
	if (bootinfo.nmods == BOOTINFO_MAX_MODS) {
		bootinfo.mods_dropped++;
		return;
	}
	struct boot_module *m = &bootinfo.mods[bootinfo.nmods++];
	m->start = start;
	m->end = end < start ? start : end;
	m->cmdline = cmdline;
}

static int bootinfo_parse_mb1(const uint8_t *info)
{
	uint32_t flags = *(const uint32_t *)info;

	if (flags & (1 << 2))
		bootinfo.cmdline = bootinfo_str(*(const uint32_t *)(info + 16));
	if (flags & (1 << 9))
		bootinfo.loader = bootinfo_str(*(const uint32_t *)(info + 64));
	if (flags & (1 << 3)) {
		uint32_t count = *(const uint32_t *)(info + 20);
		const uint32_t *mod = (const uint32_t *)(uint64_t)*(const uint32_t *)(info + 24);
		for (uint32_t i = 0; i < count && i < 4096; i++, mod += 4)
			bootinfo_add_module(mod[0], mod[1], bootinfo_str(mod[2]));
	}
	if (flags & (1 << 6)) {
		uint32_t len = *(const uint32_t *)(info + 44);
		uint64_t p = *(const uint32_t *)(info + 48), end = p + len;
		while (p + 24 <= end) {
			uint32_t size = *(const uint32_t *)p;
			if (size < 20)
				return -HV_EINVAL;
			bootinfo_add_mmap(*(const uint64_t *)(p + 4), *(const uint64_t *)(p + 12),
					  *(const uint32_t *)(p + 20));
			p += size + 4;
		}
	} else if (flags & (1 << 0)) {
		/* Only mem_lower/mem_upper (KiB): RAM below 640 KiB and from 1 MiB up. */
		bootinfo_add_mmap(0, (uint64_t)*(const uint32_t *)(info + 4) * 1024, BOOT_MEM_USABLE);
		bootinfo_add_mmap(0x100000, (uint64_t)*(const uint32_t *)(info + 8) * 1024,
				  BOOT_MEM_USABLE);
	}
	return 0;
}

static int bootinfo_parse_mb2(const uint8_t *info)
{
	uint32_t total = *(const uint32_t *)info;
	const uint8_t *p = info + 8, *end = info + total;

	if (total < 16 || total > (16u << 20))
		return -HV_EINVAL;
	while (p + 8 <= end) {
		uint32_t type = *(const uint32_t *)p, size = *(const uint32_t *)(p + 4);
		if (size < 8 || p + size > end)
			return -HV_EINVAL;
		switch (type) {
		case 0:		/* end */
			return 0;
		case 1:		/* command line */
			bootinfo.cmdline = bootinfo_str((uint64_t)(p + 8));
			break;
		case 2:		/* boot loader name */
			bootinfo.loader = bootinfo_str((uint64_t)(p + 8));
			break;
		case 3:		/* module */
			bootinfo_add_module(*(const uint32_t *)(p + 8), *(const uint32_t *)(p + 12),
					    bootinfo_str((uint64_t)(p + 16)));
			break;
		case 6: {	/* memory map */
			uint32_t esize = *(const uint32_t *)(p + 8);
			if (esize < 24)
				return -HV_EINVAL;
			for (const uint8_t *e = p + 16; e + esize <= p + size; e += esize)
				bootinfo_add_mmap(*(const uint64_t *)e, *(const uint64_t *)(e + 8),
						  *(const uint32_t *)(e + 16));
			break;
		}
		case 14:	/* ACPI 1.0 RSDP copy */
		case 15:	/* ACPI 2.0+ RSDP copy */
			if (!bootinfo.rsdp || type == 15) {
				/* Copy it: the loader's structure lives in memory we reuse. */
				size_t n = size - 8 < sizeof(bootinfo_rsdp) ? size - 8 : sizeof(bootinfo_rsdp);
				memcpy(bootinfo_rsdp, p + 8, n);
				bootinfo.rsdp = (uint64_t)bootinfo_rsdp;
			}
			break;
		}
		p += (size + 7) & ~7u;
	}
	return 0;
}

int bootinfo_parse(uint32_t magic, uint64_t info)
{
	int ret;

	memset(&bootinfo, 0, sizeof(bootinfo));
	bootinfo.cmdline = "";
	bootinfo.loader = "";
	if (magic == MB1_BOOT_MAGIC) {
		bootinfo.protocol = 1;
		ret = bootinfo_parse_mb1((const uint8_t *)info);
	} else if (magic == MB2_BOOT_MAGIC) {
		bootinfo.protocol = 2;
		ret = bootinfo_parse_mb2((const uint8_t *)info);
	} else {
		klog("boot: unknown boot magic 0x%x: not started by a Multiboot loader", magic);
		return -HV_EINVAL;
	}
	if (ret < 0)
		klog("boot: the Multiboot%d information is malformed; using what was read",
		     bootinfo.protocol);
	if (bootinfo.mods_dropped)
		klog("boot: %d boot modules beyond the limit of %d were ignored",
		     bootinfo.mods_dropped, BOOTINFO_MAX_MODS);
	return ret;
}
