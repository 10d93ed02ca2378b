/*
 * Driver module loader core: ELF64 relocatable objects for x86_64 (see lib/elfmod.h and
 * docs/module-format.md). Every field of the file is untrusted: each offset and size is
 * checked against the file before use, with arithmetic that cannot overflow, and every
 * structure is copied out with memcpy because the image need not be aligned.
 * References: System V ABI gABI chapter 4 (object files), x86-64 psABI 4.4 (relocations).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/errno.h>
#include <lib/elfmod.h>
#include <lib/fmt.h>
#include <lib/pcimatch.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* ELF64 structures, gABI 4. */
struct elfmod_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elfmod_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

struct elfmod_sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct elfmod_rela {
	uint64_t offset, info;
	int64_t addend;
};

_Static_assert(sizeof(struct elfmod_ehdr) == 64, "Elf64_Ehdr");
_Static_assert(sizeof(struct elfmod_shdr) == 64, "Elf64_Shdr");
_Static_assert(sizeof(struct elfmod_sym) == 24, "Elf64_Sym");
_Static_assert(sizeof(struct elfmod_rela) == 24, "Elf64_Rela");

#define ET_REL		1
#define EM_X86_64	62
#define EV_CURRENT	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1

#define SHT_PROGBITS	1
#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHT_RELA	4
#define SHT_NOBITS	8
#define SHT_REL		9
#define SHT_SYMTAB_SHNDX 18

#define SHF_WRITE	0x1u
#define SHF_ALLOC	0x2u
#define SHF_EXECINSTR	0x4u
#define SHF_TLS		0x400u

#define SHN_UNDEF	0
#define SHN_LORESERVE	0xff00
#define SHN_ABS		0xfff1
#define SHN_COMMON	0xfff2

#define STB_GLOBAL	1
#define STB_WEAK	2
#define STT_FUNC	2

/* x86-64 psABI table 4.9. */
#define R_X86_64_NONE	0
#define R_X86_64_64	1
#define R_X86_64_PC32	2
#define R_X86_64_PLT32	4
#define R_X86_64_32	10
#define R_X86_64_32S	11
#define R_X86_64_PC64	24

static int elfmod_fail(struct elfmod_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int elfmod_fail(struct elfmod_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		fmt_vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

static void elfmod_ok(struct elfmod_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

/* True when [off, off + len) lies within [0, size). */
static bool elfmod_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static void elfmod_shdr(const struct elfmod *m, unsigned i, struct elfmod_shdr *sh)
{
	memcpy(sh, m->image + m->shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

static void elfmod_sym(const struct elfmod *m, const struct elfmod_shdr *symtab, uint64_t i,
		       struct elfmod_sym *s)
{
	memcpy(s, m->image + symtab->offset + i * sizeof(*s), sizeof(*s));
}

/* Name of section i; valid once elfmod_parse has checked the section names. */
static const char *elfmod_secname(const struct elfmod *m, unsigned i)
{
	struct elfmod_shdr sh, names;

	elfmod_shdr(m, i, &sh);
	elfmod_shdr(m, m->shstrndx, &names);
	return (const char *)m->image + names.offset + sh.name;
}

/* Name of a symbol; valid once elfmod_parse has checked the symbol names. */
static const char *elfmod_symname(const struct elfmod *m, const struct elfmod_sym *s)
{
	struct elfmod_shdr strtab;

	elfmod_shdr(m, m->strtab, &strtab);
	return (const char *)m->image + strtab.offset + s->name;
}

static int elfmod_parse_ehdr(struct elfmod *m, struct elfmod_error *err)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	struct elfmod_ehdr eh;

	if (m->size < sizeof(eh))
		return elfmod_fail(err, -HV_ENOEXEC, "file is too small for an ELF header (%zu bytes)",
				   m->size);
	memcpy(&eh, m->image, sizeof(eh));
	if (memcmp(eh.ident, magic, sizeof(magic)) != 0)
		return elfmod_fail(err, -HV_ENOEXEC, "not an ELF file (bad magic)");
	if (eh.ident[4] != ELFCLASS64)
		return elfmod_fail(err, -HV_ENOEXEC, "ELF class %u is not ELFCLASS64", eh.ident[4]);
	if (eh.ident[5] != ELFDATA2LSB)
		return elfmod_fail(err, -HV_ENOEXEC, "ELF data encoding %u is not little-endian",
				   eh.ident[5]);
	if (eh.ident[6] != EV_CURRENT || eh.version != EV_CURRENT)
		return elfmod_fail(err, -HV_ENOEXEC, "ELF version %u is not EV_CURRENT", eh.version);
	if (eh.type != ET_REL)
		return elfmod_fail(err, -HV_ENOEXEC,
				   "ELF type %u is not ET_REL (a module is a relocatable .o)", eh.type);
	if (eh.machine != EM_X86_64)
		return elfmod_fail(err, -HV_ENOEXEC, "ELF machine %u is not EM_X86_64", eh.machine);
	if (eh.shentsize != sizeof(struct elfmod_shdr))
		return elfmod_fail(err, -HV_ENOEXEC, "section header size %u is not 64",
				   eh.shentsize);
	if (eh.shnum == 0)
		return elfmod_fail(err, -HV_ENOEXEC,
				   "no section table (or extended section numbering)");
	if (eh.shnum > ELFMOD_MAX_SECTIONS)
		return elfmod_fail(err, -HV_ENOTSUP, "%u sections, more than the limit of %u",
				   eh.shnum, ELFMOD_MAX_SECTIONS);
	if (!elfmod_in(eh.shoff, (uint64_t)eh.shnum * sizeof(struct elfmod_shdr), m->size))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "section table extends past the end of the file");
	if (eh.shstrndx == SHN_UNDEF || eh.shstrndx >= eh.shnum)
		return elfmod_fail(err, -HV_ENOEXEC, "section name table index %u is invalid",
				   eh.shstrndx);
	m->shoff = eh.shoff;
	m->shnum = eh.shnum;
	m->shstrndx = eh.shstrndx;
	return 0;
}

/* A string table: in the file, non-empty, ending with NUL (so every index < size is a string). */
static bool elfmod_strtab_ok(const struct elfmod *m, const struct elfmod_shdr *sh)
{
	return sh->type == SHT_STRTAB && sh->size > 0 && elfmod_in(sh->offset, sh->size, m->size) &&
	       m->image[sh->offset + sh->size - 1] == '\0';
}

static int elfmod_parse_names(struct elfmod *m, struct elfmod_error *err)
{
	struct elfmod_shdr names, sh;

	elfmod_shdr(m, m->shstrndx, &names);
	if (!elfmod_strtab_ok(m, &names))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "section name table (section %u) is not a valid string table",
				   m->shstrndx);
	for (unsigned i = 0; i < m->shnum; i++) {
		elfmod_shdr(m, i, &sh);
		if (sh.name >= names.size)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "section %u name offset 0x%x is past the section name table",
					   i, sh.name);
	}
	return 0;
}

static bool elfmod_pow2(uint64_t v)
{
	return (v & (v - 1)) == 0;
}

/* Checks of one section on its own; counts the symbol tables. */
static int elfmod_parse_section(struct elfmod *m, unsigned i, unsigned *nsymtab,
				struct elfmod_error *err)
{
	struct elfmod_shdr sh;
	const char *name = elfmod_secname(m, i);

	elfmod_shdr(m, i, &sh);
	/* Even an SHT_NULL section: its flags may still make it loaded or looked up. */
	if (sh.type != SHT_NOBITS && !elfmod_in(sh.offset, sh.size, m->size))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "section %u (%s) extends past the end of the file", i, name);
	if (sh.link >= m->shnum)
		return elfmod_fail(err, -HV_ENOEXEC, "section %u (%s) links to section %u of %u",
				   i, name, sh.link, m->shnum);
	if (sh.type == SHT_REL)
		return elfmod_fail(err, -HV_ENOTSUP,
				   "section %u (%s) is SHT_REL; only SHT_RELA is supported", i, name);
	if (sh.type == SHT_SYMTAB_SHNDX)
		return elfmod_fail(err, -HV_ENOTSUP,
				   "section %u (%s): extended section indexes are not supported",
				   i, name);
	if (sh.type == SHT_SYMTAB) {
		++*nsymtab;
		m->symtab = i;
	}
	if (sh.type == SHT_RELA && (sh.info == 0 || sh.info >= m->shnum))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "relocation section %u (%s) targets section %u of %u",
				   i, name, sh.info, m->shnum);
	if (!(sh.flags & SHF_ALLOC))
		return 0;
	if (sh.flags & SHF_TLS)
		return elfmod_fail(err, -HV_ENOTSUP,
				   "section %u (%s) is thread-local; TLS is not supported", i, name);
	if ((sh.flags & SHF_WRITE) && (sh.flags & SHF_EXECINSTR))
		return elfmod_fail(err, -HV_ENOTSUP,
				   "section %u (%s) is both writable and executable", i, name);
	if (!elfmod_pow2(sh.addralign) || sh.addralign > ELFMOD_PAGE)
		return elfmod_fail(err, -HV_ENOTSUP,
				   "section %u (%s) alignment %llu is not a power of two <= 4096",
				   i, name, (unsigned long long)sh.addralign);
	if (sh.size > ELFMOD_MAX_IMAGE)
		return elfmod_fail(err, -HV_E2BIG, "section %u (%s) is larger than %u bytes",
				   i, name, ELFMOD_MAX_IMAGE);
	return 0;
}

static int elfmod_parse_symtab(struct elfmod *m, struct elfmod_error *err)
{
	struct elfmod_shdr symtab, strtab, sh;
	struct elfmod_sym s;

	elfmod_shdr(m, m->symtab, &symtab);
	if (symtab.entsize != sizeof(s) || symtab.size % sizeof(s) != 0 || symtab.size == 0)
		return elfmod_fail(err, -HV_ENOEXEC, "symbol table (section %u) has a bad size",
				   m->symtab);
	m->nsyms = symtab.size / sizeof(s);
	if (symtab.info > m->nsyms)
		return elfmod_fail(err, -HV_ENOEXEC,
				   "symbol table first global %u is past its %llu symbols",
				   symtab.info, (unsigned long long)m->nsyms);
	m->strtab = symtab.link;
	elfmod_shdr(m, m->strtab, &strtab);
	if (!elfmod_strtab_ok(m, &strtab))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "symbol string table (section %u) is not a valid string table",
				   m->strtab);
	for (uint64_t i = 1; i < m->nsyms; i++) {
		elfmod_sym(m, &symtab, i, &s);
		if (s.name >= strtab.size)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "symbol %llu name offset 0x%x is past the string table",
					   (unsigned long long)i, s.name);
		if (s.shndx == SHN_COMMON)
			return elfmod_fail(err, -HV_ENOTSUP,
					   "symbol '%s' is COMMON: compile with -fno-common",
					   elfmod_symname(m, &s));
		if (s.shndx == SHN_UNDEF || s.shndx == SHN_ABS)
			continue;
		if (s.shndx >= SHN_LORESERVE || s.shndx >= m->shnum)
			return elfmod_fail(err, -HV_ENOEXEC, "symbol '%s' has bad section index 0x%x",
					   elfmod_symname(m, &s), s.shndx);
		elfmod_shdr(m, s.shndx, &sh);
		if ((sh.flags & SHF_ALLOC) && s.value > sh.size)
			return elfmod_fail(err, -HV_ENOEXEC, "symbol '%s' lies past the end of %s",
					   elfmod_symname(m, &s), elfmod_secname(m, s.shndx));
	}
	return 0;
}

/* Field width of a relocation type, 0 for R_X86_64_NONE, -1 when the type is refused. */
static int elfmod_reloc_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
		return 4;
	default:
		return -1;
	}
}

/* Checks every entry of a relocation section that will be applied. */
static int elfmod_parse_relas(const struct elfmod *m, unsigned i, const struct elfmod_shdr *rs,
			      struct elfmod_error *err)
{
	struct elfmod_shdr target;
	struct elfmod_rela r;
	const char *tname = elfmod_secname(m, rs->info);

	elfmod_shdr(m, rs->info, &target);
	if (target.type == SHT_NOBITS)
		return elfmod_fail(err, -HV_ENOEXEC, "relocation section %u targets NOBITS %s",
				   i, tname);
	if (rs->info == m->hvmod)
		return elfmod_fail(err, -HV_ENOEXEC,
				   "%s has relocations: module metadata must not hold pointers",
				   tname);
	for (uint64_t k = 0; k < rs->size / sizeof(r); k++) {
		memcpy(&r, m->image + rs->offset + k * sizeof(r), sizeof(r));
		uint32_t type = (uint32_t)r.info;
		int width = elfmod_reloc_width(type);

		if (width < 0)
			return elfmod_fail(err, -HV_ENOTSUP,
					   "unknown relocation type %u at %s+0x%llx", type, tname,
					   (unsigned long long)r.offset);
		if ((r.info >> 32) >= m->nsyms)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "relocation at %s+0x%llx uses symbol %llu of %llu",
					   tname, (unsigned long long)r.offset,
					   (unsigned long long)(r.info >> 32),
					   (unsigned long long)m->nsyms);
		if (!elfmod_in(r.offset, (uint64_t)width, target.size))
			return elfmod_fail(err, -HV_ENOEXEC,
					   "relocation offset %s+0x%llx is outside the section",
					   tname, (unsigned long long)r.offset);
	}
	return 0;
}

static int elfmod_parse_relocs(const struct elfmod *m, struct elfmod_error *err)
{
	struct elfmod_shdr rs, target;
	int rc;

	for (unsigned i = 1; i < m->shnum; i++) {
		elfmod_shdr(m, i, &rs);
		if (rs.type != SHT_RELA)
			continue;
		if (rs.link != m->symtab)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "relocation section %u (%s) does not use the symbol table",
					   i, elfmod_secname(m, i));
		if (rs.entsize != sizeof(struct elfmod_rela) ||
		    rs.size % sizeof(struct elfmod_rela) != 0)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "relocation section %u (%s) has a bad entry size",
					   i, elfmod_secname(m, i));
		elfmod_shdr(m, rs.info, &target);
		if (!(target.flags & SHF_ALLOC))
			continue;	/* debug information: never applied */
		rc = elfmod_parse_relas(m, i, &rs, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The string s of at most n bytes is NUL-terminated and printable (spaces if allowed). */
static bool elfmod_str_ok(const char *s, size_t n, bool spaces)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0')
			return true;
		if (s[i] < (spaces ? 0x20 : 0x21) || s[i] > 0x7e)
			return false;
	}
	return false;
}

static int elfmod_parse_ids(const struct elfmod *m, struct elfmod_error *err)
{
	struct hv_pci_id a, b;

	for (uint32_t i = 0; i < m->info.nids; i++) {
		elfmod_id(m, i, &a);
		if (pcimatch_id_is_end(&a))
			return elfmod_fail(err, -HV_ENOEXEC,
					   "ID table entry %u is an end marker; list only real entries",
					   i);
		if (pcimatch_first_invalid(&a, 1) >= 0)
			return elfmod_fail(err, -HV_ENOEXEC,
					   "ID table entry %u is malformed (%x:%x sub %x:%x class %x/%x)",
					   i, a.vendor, a.device, a.subvendor, a.subdevice, a.class,
					   a.class_mask);
		for (uint32_t j = 0; j < i; j++) {
			elfmod_id(m, j, &b);
			if (memcmp(&a, &b, offsetof(struct hv_pci_id, driver_data)) == 0)
				return elfmod_fail(err, -HV_ENOEXEC,
						   "ID table entry %u duplicates entry %u", i, j);
		}
	}
	return 0;
}

static int elfmod_parse_info(struct elfmod *m, struct elfmod_error *err)
{
	struct elfmod_shdr sh;
	struct hv_module_info *in = &m->info;
	unsigned found = 0;

	for (unsigned i = 1; i < m->shnum; i++) {
		const char *name = elfmod_secname(m, i);

		if (strlen(name) == sizeof(HV_MODULE_SECTION) - 1 &&
		    memcmp(name, HV_MODULE_SECTION, sizeof(HV_MODULE_SECTION) - 1) == 0) {
			m->hvmod = i;
			found++;
		}
	}
	if (found != 1)
		return elfmod_fail(err, -HV_ENOEXEC, found ? "more than one .hvmod section" :
				   "no .hvmod metadata section: not a driver module (use HV_MODULE)");
	elfmod_shdr(m, m->hvmod, &sh);
	if (sh.type != SHT_PROGBITS || sh.size < sizeof(*in))
		return elfmod_fail(err, -HV_ENOEXEC, ".hvmod is too small for the module header");
	memcpy(in, m->image + sh.offset, sizeof(*in));
	if (in->magic != HV_MODULE_MAGIC)
		return elfmod_fail(err, -HV_ENOEXEC, ".hvmod has bad magic 0x%x", in->magic);
	if (in->nids > HV_MODULE_MAX_IDS)
		return elfmod_fail(err, -HV_ENOEXEC, ".hvmod lists %u IDs, more than %u",
				   in->nids, HV_MODULE_MAX_IDS);
	if (sh.size - sizeof(*in) < (uint64_t)in->nids * sizeof(struct hv_pci_id))
		return elfmod_fail(err, -HV_ENOEXEC, ".hvmod is too small for its %u IDs",
				   in->nids);
	m->ids_off = sh.offset + sizeof(*in);
	if (!elfmod_str_ok(in->name, sizeof(in->name), false) || in->name[0] == '\0')
		return elfmod_fail(err, -HV_ENOEXEC,
				   "module name is empty, unterminated or not printable");
	if (!elfmod_str_ok(in->version, sizeof(in->version), true) ||
	    !elfmod_str_ok(in->vendor, sizeof(in->vendor), true) ||
	    !elfmod_str_ok(in->license, sizeof(in->license), true))
		return elfmod_fail(err, -HV_ENOEXEC,
				   "module %s: version, vendor or license unterminated or not printable",
				   in->name);
	return elfmod_parse_ids(m, err);
}

static int elfmod_place(const struct elfmod *m, struct elfmod_layout *lo);

int elfmod_parse(struct elfmod *m, const void *image, size_t size, struct elfmod_error *err)
{
	unsigned nsymtab = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	m->image = image;
	m->size = size;
	if ((rc = elfmod_parse_ehdr(m, err)) < 0 || (rc = elfmod_parse_names(m, err)) < 0)
		return rc;
	for (unsigned i = 1; i < m->shnum; i++)
		if ((rc = elfmod_parse_section(m, i, &nsymtab, err)) < 0)
			return rc;
	if (nsymtab != 1)
		return elfmod_fail(err, -HV_ENOEXEC, "%u symbol tables (need exactly one)", nsymtab);
	if ((rc = elfmod_parse_symtab(m, err)) < 0 || (rc = elfmod_parse_info(m, err)) < 0 ||
	    (rc = elfmod_parse_relocs(m, err)) < 0)
		return rc;
	if ((rc = elfmod_place(m, NULL)) < 0)
		return elfmod_fail(err, rc, "loaded image would be larger than %u bytes",
				   ELFMOD_MAX_IMAGE);
	elfmod_ok(err);
	return 0;
}

int elfmod_check_abi(const struct elfmod *m, unsigned kmajor, unsigned kminor,
		     struct elfmod_error *err)
{
	unsigned major = m->info.abi_major, minor = m->info.abi_minor;

	if (major != kmajor || minor > kminor) {
		const char *how = major > kmajor || (major == kmajor && minor > kminor) ?
				  "newer than" : "incompatible with";

		return elfmod_fail(err, -HV_EPROTO, "DDK ABI %u.%u is %s this kernel's %u.%u",
				   major, minor, how, kmajor, kminor);
	}
	elfmod_ok(err);
	return 0;
}

int elfmod_id(const struct elfmod *m, uint32_t i, struct hv_pci_id *id)
{
	if (i >= m->info.nids)
		return -HV_EINVAL;
	memcpy(id, m->image + m->ids_off + (uint64_t)i * sizeof(*id), sizeof(*id));
	return 0;
}

/* Region of an SHF_ALLOC section: 0 text, 1 read-only, 2 writable. */
static unsigned elfmod_region_of(const struct elfmod_shdr *sh)
{
	if (sh->flags & SHF_EXECINSTR)
		return 0;
	return (sh->flags & SHF_WRITE) ? 2 : 1;
}

static uint64_t elfmod_round(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* Places the SHF_ALLOC sections region by region; lo may be NULL to check the size only. */
static int elfmod_place(const struct elfmod *m, struct elfmod_layout *lo)
{
	struct elfmod_region reg[3];
	struct elfmod_shdr sh;
	uint64_t off = 0;

	for (unsigned r = 0; r < 3; r++) {
		reg[r].offset = off;
		for (unsigned i = 1; i < m->shnum; i++) {
			elfmod_shdr(m, i, &sh);
			if (!(sh.flags & SHF_ALLOC) || elfmod_region_of(&sh) != r)
				continue;
			if (!elfmod_pow2(sh.addralign) || sh.addralign > ELFMOD_PAGE)
				return -HV_ENOTSUP;
			/* Sizes are <= ELFMOD_MAX_IMAGE and off stays below it: no overflow. */
			off = elfmod_round(off, sh.addralign ? sh.addralign : 1);
			if (lo)
				lo->sec_off[i] = (uint32_t)off;
			off += sh.size;
			if (off > ELFMOD_MAX_IMAGE)
				return -HV_E2BIG;
		}
		off = elfmod_round(off, ELFMOD_PAGE);
		reg[r].size = off - reg[r].offset;
	}
	if (lo) {
		lo->text = reg[0];
		lo->rodata = reg[1];
		lo->data = reg[2];
		lo->total = off;
	}
	return 0;
}

int elfmod_layout(const struct elfmod *m, struct elfmod_layout *lo)
{
	for (unsigned i = 0; i < ELFMOD_MAX_SECTIONS; i++)
		lo->sec_off[i] = ELFMOD_NO_OFFSET;
	return elfmod_place(m, lo);
}

/* Value of symbol idx for a relocation: its address at dest_addr, or the resolver's. */
static int elfmod_symval(const struct elfmod *m, const struct elfmod_layout *lo,
			 uint64_t dest_addr, const struct elfmod_resolver *r, uint64_t idx,
			 uint64_t *v, struct elfmod_error *err)
{
	struct elfmod_shdr symtab;
	struct elfmod_sym s;
	int rc = -HV_ENOENT;

	*v = 0;
	if (idx == 0)
		return 0;
	elfmod_shdr(m, m->symtab, &symtab);
	elfmod_sym(m, &symtab, idx, &s);
	if (s.shndx == SHN_ABS) {
		*v = s.value;
		return 0;
	}
	if (s.shndx == SHN_UNDEF) {
		if (r && r->resolve)
			rc = r->resolve(r->ctx, elfmod_symname(m, &s), v);
		if (rc >= 0)
			return 0;
		*v = 0;
		if ((s.info >> 4) == STB_WEAK)
			return 0;
		return elfmod_fail(err, rc < 0 ? rc : -HV_ENOENT, "unresolved symbol '%s'",
				   elfmod_symname(m, &s));
	}
	if (lo->sec_off[s.shndx] == ELFMOD_NO_OFFSET)
		return elfmod_fail(err, -HV_ENOEXEC, "symbol '%s' is in %s, which is not loaded",
				   elfmod_symname(m, &s), elfmod_secname(m, s.shndx));
	*v = dest_addr + lo->sec_off[s.shndx] + s.value;
	return 0;
}

/* Computes the field of relocation type for S + A at P; false when it does not fit. */
static bool elfmod_reloc_value(uint32_t type, uint64_t s, uint64_t a, uint64_t p,
			       uint64_t *out)
{
	uint64_t v = s + a;

	if (type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64)
		v -= p;
	*out = v;
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32S:
		return v + 0x80000000u <= 0xffffffffu;	/* fits sign-extended */
	case R_X86_64_32:
		return v <= 0xffffffffu;		/* fits zero-extended */
	default:
		return true;
	}
}

static int elfmod_apply(const struct elfmod *m, const struct elfmod_layout *lo, uint8_t *dest,
			uint64_t dest_addr, const struct elfmod_resolver *r, unsigned target,
			const struct elfmod_rela *rel, struct elfmod_error *err)
{
	uint32_t type = (uint32_t)rel->info;
	uint64_t off = lo->sec_off[target] + rel->offset, s, v;
	int rc;

	if (type == R_X86_64_NONE)
		return 0;
	rc = elfmod_symval(m, lo, dest_addr, r, rel->info >> 32, &s, err);
	if (rc < 0)
		return rc;
	if (!elfmod_reloc_value(type, s, (uint64_t)rel->addend, dest_addr + off, &v))
		return elfmod_fail(err, -HV_ERANGE,
				   "relocation out of range: type %u at %s+0x%llx (value 0x%llx)",
				   type, elfmod_secname(m, target),
				   (unsigned long long)rel->offset, (unsigned long long)v);
	if (elfmod_reloc_width(type) == 8) {
		memcpy(dest + off, &v, 8);
	} else {
		uint32_t v32 = (uint32_t)v;

		memcpy(dest + off, &v32, 4);
	}
	return 0;
}

int elfmod_load(const struct elfmod *m, const struct elfmod_layout *lo, void *dest,
		uint64_t dest_addr, const struct elfmod_resolver *r, struct elfmod_error *err)
{
	struct elfmod_shdr sh, target;
	struct elfmod_rela rel;
	uint8_t *d = dest;
	int rc;

	if (dest_addr > UINT64_MAX - lo->total)
		return elfmod_fail(err, -HV_EINVAL, "load address 0x%llx wraps around",
				   (unsigned long long)dest_addr);
	memset(d, 0, lo->total);
	for (unsigned i = 1; i < m->shnum; i++) {
		elfmod_shdr(m, i, &sh);
		if ((sh.flags & SHF_ALLOC) && sh.type != SHT_NOBITS)
			memcpy(d + lo->sec_off[i], m->image + sh.offset, sh.size);
	}
	for (unsigned i = 1; i < m->shnum; i++) {
		elfmod_shdr(m, i, &sh);
		if (sh.type != SHT_RELA)
			continue;
		elfmod_shdr(m, sh.info, &target);
		if (!(target.flags & SHF_ALLOC))
			continue;
		for (uint64_t k = 0; k < sh.size / sizeof(rel); k++) {
			memcpy(&rel, m->image + sh.offset + k * sizeof(rel), sizeof(rel));
			rc = elfmod_apply(m, lo, d, dest_addr, r, sh.info, &rel, err);
			if (rc < 0)
				return rc;
		}
	}
	elfmod_ok(err);
	return 0;
}

int elfmod_find_symbol(const struct elfmod *m, const struct elfmod_layout *lo,
		       uint64_t dest_addr, const char *name, uint64_t *addr)
{
	struct elfmod_shdr symtab, sh;
	struct elfmod_sym s;
	size_t len = strlen(name);

	elfmod_shdr(m, m->symtab, &symtab);
	for (uint64_t i = 1; i < m->nsyms; i++) {
		elfmod_sym(m, &symtab, i, &s);
		/* Both strings end within their buffers: compare lengths before bytes. */
		if (strlen(elfmod_symname(m, &s)) != len ||
		    memcmp(elfmod_symname(m, &s), name, len) != 0)
			continue;
		if ((s.info >> 4) != STB_GLOBAL && (s.info >> 4) != STB_WEAK)
			continue;	/* a local of the same name is not an entry point */
		if ((s.info >> 4) != STB_GLOBAL || (s.info & 0xf) != STT_FUNC ||
		    s.shndx == SHN_UNDEF || s.shndx >= m->shnum)
			return -HV_ENOEXEC;
		elfmod_shdr(m, s.shndx, &sh);
		if (!(sh.flags & SHF_EXECINSTR) || lo->sec_off[s.shndx] == ELFMOD_NO_OFFSET)
			return -HV_ENOEXEC;
		*addr = dest_addr + lo->sec_off[s.shndx] + s.value;
		return 0;
	}
	return -HV_ENOENT;
}

int elfmod_symbolize(const struct elfmod *m, const struct elfmod_layout *lo, uint64_t dest_addr,
		     uint64_t addr, const char **name, uint64_t *offset)
{
	struct elfmod_shdr symtab, sh;
	struct elfmod_sym s;
	uint64_t best = 0;
	int found = 0;

	elfmod_shdr(m, m->symtab, &symtab);
	for (uint64_t i = 1; i < m->nsyms; i++) {
		elfmod_sym(m, &symtab, i, &s);
		if ((s.info & 0xf) != STT_FUNC || s.shndx == SHN_UNDEF || s.shndx >= m->shnum ||
		    lo->sec_off[s.shndx] == ELFMOD_NO_OFFSET)
			continue;
		elfmod_shdr(m, s.shndx, &sh);
		if (!(sh.flags & SHF_EXECINSTR))
			continue;
		uint64_t start = dest_addr + lo->sec_off[s.shndx] + s.value;
		/* The function that contains addr: the closest start at or below it, and not
		 * past its end when the symbol has a size. */
		if (start > addr || (s.size && addr - start >= s.size) || (found && start <= best))
			continue;
		best = start;
		*name = elfmod_symname(m, &s);
		found = 1;
	}
	if (!found)
		return -HV_ENOENT;
	*offset = addr - best;
	return 0;
}
