/* The Linux x86 boot protocol for a loader (lib/bzimage.h). Byte by byte: little-endian
 * fields at fixed offsets, no alignment assumed. */
#include <lib/bzimage.h>

static uint64_t bz_get(const uint8_t *p, unsigned off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[off + i];
	return v;
}

static void bz_put(uint8_t *p, unsigned off, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[off + i] = (uint8_t)v;
}

int bzimage_parse(const void *img, size_t len, struct bzimage *bz, const char **why)
{
	const uint8_t *p = img;

	if (len < BZ_HEADER_MIN || bz_get(p, BZ_BOOT_FLAG, 2) != 0xaa55 ||
	    bz_get(p, BZ_HEADER, 4) != 0x53726448u) {
		*why = "not a bzImage (no boot flag 0xaa55 and \"HdrS\" header)";
		return -1;
	}
	bz->version = (uint16_t)bz_get(p, BZ_VERSION, 2);
	/* 2.12 brought xloadflags and with them the 64-bit entry this loader uses. */
	if (bz->version < 0x020c) {
		*why = "boot protocol older than 2.12: no 64-bit entry";
		return -1;
	}
	if (!(bz_get(p, BZ_XLOADFLAGS, 2) & BZ_XLF_KERNEL_64)) {
		*why = "no 64-bit entry point (xloadflags.XLF_KERNEL_64 clear): not an x86-64 kernel";
		return -1;
	}
	unsigned setup = (unsigned)p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;	/* 0 means 4 */
	size_t off = (size_t)(setup + 1) * 512;
	if (off >= len || BZ_HEADER + (size_t)p[BZ_JUMP + 1] > off) {
		*why = "setup_sects points past the end of the file";
		return -1;
	}
	bz->kernel = p + off;
	bz->kernel_len = len - off;
	bz->load = bz_get(p, BZ_PREF_ADDRESS, 8);
	bz->init_size = bz_get(p, BZ_INIT_SIZE, 4);
	bz->cmdline_max = (uint32_t)bz_get(p, BZ_CMDLINE_SIZE, 4);
	bz->initrd_max = bz_get(p, BZ_INITRD_ADDR_MAX, 4);
	uint64_t align = bz_get(p, BZ_KERNEL_ALIGNMENT, 4);
	if (!bz->load || (align && bz->load % align) || bz->init_size < bz->kernel_len) {
		*why = "header inconsistent (pref_address not aligned, or init_size smaller than the kernel)";
		return -1;
	}
	return 0;
}

void bzimage_boot_params(uint8_t *bp, const void *img, uint64_t cmdline_gpa, uint64_t initrd_gpa,
			 uint32_t initrd_len, const struct bzimage_e820 *map, int nmap, uint64_t rsdp)
{
	const uint8_t *p = img;
	/* The setup header runs from setup_sects to 0x202 + the byte at 0x201 (the jump's
	 * displacement: the real-mode code starts there). */
	unsigned end = BZ_HEADER + p[BZ_JUMP + 1];

	for (unsigned i = BZ_SETUP_SECTS; i < end && i < BP_E820_TABLE; i++)
		bp[i] = p[i];
	bp[BZ_TYPE_OF_LOADER] = 0xff;
	bp[BZ_LOADFLAGS] |= BZ_LOADED_HIGH;
	bz_put(bp, BZ_CMD_LINE_PTR, 4, cmdline_gpa);
	bz_put(bp, BZ_RAMDISK_IMAGE, 4, initrd_gpa);
	bz_put(bp, BZ_RAMDISK_SIZE, 4, initrd_len);
	bz_put(bp, BP_ACPI_RSDP_ADDR, 8, rsdp);
	if (nmap > BP_E820_MAX)
		nmap = BP_E820_MAX;
	bp[BP_E820_ENTRIES] = (uint8_t)nmap;
	for (int i = 0; i < nmap; i++) {
		bz_put(bp, BP_E820_TABLE + 20 * (unsigned)i, 8, map[i].addr);
		bz_put(bp, BP_E820_TABLE + 20 * (unsigned)i + 8, 8, map[i].size);
		bz_put(bp, BP_E820_TABLE + 20 * (unsigned)i + 16, 4, map[i].type);
	}
}
