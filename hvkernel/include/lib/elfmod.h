/*
 * Driver module loader core: parses, lays out and relocates an ELF64 relocatable object
 * (.hvm, see docs/module-format.md). Freestanding: the kernel and the host tools share it.
 *
 * Use: elfmod_parse (validates everything, reads the metadata), elfmod_check_abi,
 * elfmod_layout (where each SHF_ALLOC section goes), allocate lo.total bytes at an address
 * within 2 GiB of the kernel, elfmod_load, set page permissions per region, then
 * elfmod_find_symbol for hv_module_init / hv_module_exit.
 *
 * Errors are -HV_Exxx; the functions taking a struct elfmod_error also fill it (when not
 * NULL) with the code and one line naming the problem:
 *	-HV_ENOEXEC	not a well-formed module (ELF structure, bounds, metadata)
 *	-HV_ENOTSUP	well formed but uses something the loader refuses (SHT_REL, unknown
 *			relocation type, COMMON symbols, TLS, W+X sections, alignment > 4096)
 *	-HV_EPROTO	DDK ABI mismatch
 *	-HV_ERANGE	a relocated value does not fit its field
 *	other		the resolver's code for an unresolved symbol (normally -HV_ENOENT)
 */
#ifndef LIB_ELFMOD_H
#define LIB_ELFMOD_H

#include <stddef.h>
#include <stdint.h>
#include <hv/module.h>
#include <hv/pciid.h>

#define ELFMOD_MAX_SECTIONS	512		/* e_shnum limit */
#define ELFMOD_MAX_IMAGE	(64u << 20)	/* loaded image size limit */
#define ELFMOD_PAGE		4096u
#define ELFMOD_NO_OFFSET	UINT32_MAX	/* sec_off of a section that is not loaded */

struct elfmod_error {
	int code;
	char msg[128];
};

/* A parsed module; points into the caller's image, which must outlive it. */
struct elfmod {
	const uint8_t *image;
	size_t size;
	uint64_t shoff;			/* section header table */
	unsigned shnum, shstrndx;
	unsigned symtab, strtab;	/* section indexes */
	unsigned hvmod;			/* section index of .hvmod */
	uint64_t nsyms;
	uint64_t ids_off;		/* file offset of the ID table */
	struct hv_module_info info;	/* copy of the metadata header */
};

/* A page-aligned part of the loaded image; size is a multiple of ELFMOD_PAGE. */
struct elfmod_region {
	uint64_t offset, size;
};

/* About 2 KiB (sec_off): allocate it rather than put it on a small kernel stack. */
struct elfmod_layout {
	uint64_t total;			/* bytes to allocate, page multiple */
	struct elfmod_region text;	/* SHF_EXECINSTR: read + execute */
	struct elfmod_region rodata;	/* neither: read only */
	struct elfmod_region data;	/* SHF_WRITE, including NOBITS: read + write */
	uint32_t sec_off[ELFMOD_MAX_SECTIONS];	/* image offset per section or ELFMOD_NO_OFFSET */
};

/* Resolves an undefined symbol: 0 and *addr, or a negative code (-HV_ENOENT: unknown). */
struct elfmod_resolver {
	int (*resolve)(void *ctx, const char *name, uint64_t *addr);
	void *ctx;
};

/* Validates image[0..size) as a module and fills *m; 0 or -HV_Exxx with *err filled. */
int elfmod_parse(struct elfmod *m, const void *image, size_t size, struct elfmod_error *err);

/* 0 when the module's DDK ABI loads on a kernel of kmajor.kminor, else -HV_EPROTO. */
int elfmod_check_abi(const struct elfmod *m, unsigned kmajor, unsigned kminor,
		     struct elfmod_error *err);

/* Copies ID table entry i (< m->info.nids) to *id; -HV_EINVAL when i is out of range. */
int elfmod_id(const struct elfmod *m, uint32_t i, struct hv_pci_id *id);

/* Computes where every SHF_ALLOC section goes; 0 or -HV_Exxx. */
int elfmod_layout(const struct elfmod *m, struct elfmod_layout *lo);

/*
 * Copies the sections into dest (lo->total bytes, zeroed padding and NOBITS), resolves
 * symbols and applies the relocations as if dest were mapped at dest_addr.
 */
int elfmod_load(const struct elfmod *m, const struct elfmod_layout *lo, void *dest,
		uint64_t dest_addr, const struct elfmod_resolver *r, struct elfmod_error *err);

/*
 * Address (at dest_addr) of the global STT_FUNC symbol name defined in an executable
 * section: 0, -HV_ENOENT when absent, -HV_ENOEXEC when it is not such a function.
 */
int elfmod_find_symbol(const struct elfmod *m, const struct elfmod_layout *lo,
		       uint64_t dest_addr, const char *name, uint64_t *addr);

/*
 * The function of the loaded module (at dest_addr) that contains addr: its name (pointing
 * into the image) and addr's offset from its start. Local functions count too: a driver's
 * static functions are where it gets stuck. 0, or -HV_ENOENT when no function contains addr.
 */
int elfmod_symbolize(const struct elfmod *m, const struct elfmod_layout *lo, uint64_t dest_addr,
		     uint64_t addr, const char **name, uint64_t *offset);

#endif
