/* Guest image layout (lib/vmimage.h): ELF program headers (System V gABI, "Program
 * Header"; ELF32 for i386, ELF64 for x86-64) or a flat image. */
#include <hv/errno.h>
#include <lib/vmimage.h>

int memcmp(const void *a, const void *b, size_t n);

#define VMIMAGE_PT_LOAD	1
#define VMIMAGE_ET_EXEC	2
#define VMIMAGE_EM_386	3
#define VMIMAGE_EM_X64	62

static uint64_t vmimage_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int vmimage_is_elf(const void *img, size_t len)
{
	return len >= 4 && memcmp(img, "\177ELF", 4) == 0;
}

/* [gpa, gpa + size) inside the guest's RAM? */
static int vmimage_fits(uint64_t gpa, uint64_t size, uint64_t mem)
{
	return gpa < mem && size <= mem - gpa;
}

static int vmimage_elf(const uint8_t *p, size_t len, uint64_t mem, struct vmimage *out, const char **why)
{
	if (len < 52) {		/* the ELF32 header; ELF64's is checked below */
		*why = "ELF image shorter than its header";
		return -HV_ENOEXEC;
	}
	int is64 = p[4] == 2;
	unsigned ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;

	if ((p[4] != 1 && p[4] != 2) || p[5] != 1) {
		*why = "ELF image is neither ELF32 nor ELF64 little-endian";
		return -HV_ENOEXEC;
	}
	if (len < ehsize) {
		*why = "ELF image shorter than its header";
		return -HV_ENOEXEC;
	}
	uint64_t type = vmimage_rd(p + 16, 2), machine = vmimage_rd(p + 18, 2);
	if (type != VMIMAGE_ET_EXEC || machine != (is64 ? VMIMAGE_EM_X64 : VMIMAGE_EM_386)) {
		*why = "ELF image is not an x86 executable (ET_EXEC, EM_386 or EM_X86_64)";
		return -HV_ENOEXEC;
	}
	uint64_t entry = vmimage_rd(p + 24, is64 ? 8 : 4);
	uint64_t phoff = vmimage_rd(p + (is64 ? 32 : 28), is64 ? 8 : 4);
	uint64_t phent = vmimage_rd(p + (is64 ? 54 : 42), 2), phnum = vmimage_rd(p + (is64 ? 56 : 44), 2);
	if (phent != phsize || phoff > len || phnum * phsize > len - phoff) {
		*why = "ELF program headers lie outside the file";
		return -HV_ENOEXEC;
	}
	out->elf = 1;
	out->entry = entry;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = p + phoff + i * phsize;
		if (vmimage_rd(ph, 4) != VMIMAGE_PT_LOAD)
			continue;
		struct vmimage_seg s;
		s.off = vmimage_rd(ph + (is64 ? 8 : 4), is64 ? 8 : 4);
		s.gpa = vmimage_rd(ph + (is64 ? 24 : 12), is64 ? 8 : 4);	/* p_paddr: no paging yet */
		s.filesz = vmimage_rd(ph + (is64 ? 32 : 16), is64 ? 8 : 4);
		s.memsz = vmimage_rd(ph + (is64 ? 40 : 20), is64 ? 8 : 4);
		if (s.filesz > s.memsz || s.off > len || s.filesz > len - s.off) {
			*why = "an ELF segment lies outside the file";
			return -HV_ENOEXEC;
		}
		if (!vmimage_fits(s.gpa, s.memsz, mem)) {
			*why = "an ELF segment lies outside the VM's memory";
			return -HV_ERANGE;
		}
		if (out->nseg == VMIMAGE_MAX_SEGS) {
			*why = "more than 8 ELF load segments";
			return -HV_ENOEXEC;
		}
		out->seg[out->nseg++] = s;
	}
	if (!out->nseg) {
		*why = "ELF image has no load segment";
		return -HV_ENOEXEC;
	}
	if (!vmimage_fits(entry, 1, mem)) {
		*why = "ELF entry point lies outside the VM's memory";
		return -HV_ERANGE;
	}
	return 0;
}

int vmimage_layout(const void *img, size_t len, uint64_t mem, uint64_t flat_load, uint64_t flat_entry,
		   struct vmimage *out, const char **why)
{
	out->nseg = 0;
	out->elf = 0;
	*why = "";
	if (vmimage_is_elf(img, len))
		return vmimage_elf(img, len, mem, out, why);
	if (!len) {
		*why = "the image is empty";
		return -HV_ENOEXEC;
	}
	if (!vmimage_fits(flat_load, len, mem)) {
		*why = "the flat image does not fit in the VM's memory at its load address";
		return -HV_ERANGE;
	}
	if (!vmimage_fits(flat_entry, 1, mem)) {
		*why = "the entry point lies outside the VM's memory";
		return -HV_ERANGE;
	}
	out->entry = flat_entry;
	out->nseg = 1;
	out->seg[0] = (struct vmimage_seg){ .gpa = flat_load, .off = 0, .filesz = len, .memsz = len };
	return 0;
}
