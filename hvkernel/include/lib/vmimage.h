/*
 * Guest images (docs/vm-config.md): an ELF executable (ELF32 i386 or ELF64 x86-64,
 * ET_EXEC) is placed by its PT_LOAD program headers at their physical addresses and
 * entered at e_entry; anything else is a flat image that the configuration places (load,
 * entry). Freestanding and pure: it only says where each piece goes, after checking that
 * every piece lies in the file and in the guest's memory. Shared with the host unit tests.
 */
#ifndef LIB_VMIMAGE_H
#define LIB_VMIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define VMIMAGE_MAX_SEGS	8

struct vmimage_seg {
	uint64_t gpa;		/* guest-physical destination */
	uint64_t off;		/* offset in the image file */
	uint64_t filesz;	/* bytes copied from the file */
	uint64_t memsz;		/* bytes at gpa in all; the rest after filesz is zeroed */
};

struct vmimage {
	uint64_t entry;
	int elf;		/* 1: placed by its ELF header, 0: flat */
	int nseg;
	struct vmimage_seg seg[VMIMAGE_MAX_SEGS];
};

/* Does the image start with the ELF magic? */
int vmimage_is_elf(const void *img, size_t len);

/*
 * Lay out image img (len bytes) for a guest with mem bytes of RAM. An ELF image is placed
 * by its header (flat_load/flat_entry are ignored); a flat one goes to flat_load and starts
 * at flat_entry. 0, or -HV_ENOEXEC / -HV_ERANGE with *why saying what is wrong.
 */
int vmimage_layout(const void *img, size_t len, uint64_t mem, uint64_t flat_load, uint64_t flat_entry,
		   struct vmimage *out, const char **why);

#endif
