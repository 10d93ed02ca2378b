/*
 * Tests for lib/elfmod: real modules compiled with gcc at test time (module flags), loaded
 * at a chosen address and checked relocation by relocation; then broken variants, each
 * refused with the expected code and message; then random byte flips that must not crash.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hv/errno.h>
#include <hv/module.h>
#include <lib/elfmod.h>
#include "unit.h"

#define TE_DEST		0x40000000ull	/* where the module "runs" (1 GiB) */
#define TE_LOG		0x00101000ull	/* kernel symbols the test resolver knows */
#define TE_COUNTER	0x00102000ull
#define TE_TABLE	0x00103000ull
#define TE_FAR		0x100000000ull	/* 4 GiB: out of reach of 32S */

#define TE_GOOD_SRC "tests/unit/elfmod_fixtures/good_module.c"

static const char te_common_src[] =
	"#include <hv/module.h>\n"
	"HV_MODULE(\"common\", \"1\", \"V\", \"MIT\", HV_PCI_DEVICE(0x1234, 0x1));\n"
	"int common_var;\n"
	"int hv_module_init(void) { return common_var; }\n";

static const char te_badid_src[] =
	"#include <hv/module.h>\n"
	"HV_MODULE(\"badid\", \"1\", \"V\", \"MIT\", HV_PCI_DEVICE(0x12345, 0x1));\n";

static const char te_dupid_src[] =
	"#include <hv/module.h>\n"
	"HV_MODULE(\"dupid\", \"1\", \"V\", \"MIT\", HV_PCI_DEVICE(0x1234, 0x1),\n"
	"	  HV_PCI_DEVICE(0x1234, 0x2), HV_PCI_DEVICE(0x1234, 0x1));\n";

static const char te_meta_ptr_src[] =
	"#include <stdint.h>\n"
	"#include <hv/module.h>\n"
	"int x;\n"
	"HV_MODULE(\"metaptr\", \"1\", \"V\", \"MIT\",\n"
	"	  { 0x1234, 0x1, HV_PCI_ANY, HV_PCI_ANY, 0, 0, (uintptr_t)&x });\n";

struct te_obj {
	uint8_t *data;
	size_t size;
};

static struct te_obj te_good;

/* Compiles the C file src with the module flags (plus extra) and reads the object. */
static bool te_compile_file(const char *src, const char *extra, struct te_obj *o)
{
	char dir[] = "/tmp/elfmod-test-XXXXXX", path[256], cmd[1024], inc[512];
	FILE *f;
	long n;
	bool ok = false;

	if (!realpath("ddk/include", inc) || !mkdtemp(dir))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "gcc -c -O2 -mcmodel=small -fno-pic -ffreestanding -mno-red-zone "
		 "-mgeneral-regs-only -fno-common -fno-stack-protector %s -I%s -o %s/m.o %s",
		 extra, inc, dir, src);
	snprintf(path, sizeof(path), "%s/m.o", dir);
	if (system(cmd) != 0 || !(f = fopen(path, "rb")))
		goto out;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	o->size = n > 0 ? (size_t)n : 0;
	o->data = malloc(o->size + 1);
	ok = o->data && fread(o->data, 1, o->size, f) == o->size;
	fclose(f);
out:
	remove(path);
	rmdir(dir);
	return ok;
}

/* Same for source text: written to a temporary file first. */
static bool te_compile(const char *text, const char *extra, struct te_obj *o)
{
	char path[] = "/tmp/elfmod-src-XXXXXX.c";
	int fd = mkstemps(path, 2);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	ok = ok && te_compile_file(path, extra, o);
	remove(path);
	return ok;
}

static int te_suite_init(void)
{
	return te_compile_file(TE_GOOD_SRC, "", &te_good) ? 0 : -1;
}

static int te_suite_clean(void)
{
	free(te_good.data);
	return 0;
}

/* Host-side ELF access (glibc <elf.h>) for checks and mutations of an aligned copy. */
static Elf64_Shdr *te_shdr(uint8_t *img, unsigned i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	return (Elf64_Shdr *)(img + eh->e_shoff) + i;
}

static int te_section(uint8_t *img, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	const char *names = (const char *)img + te_shdr(img, eh->e_shstrndx)->sh_offset;

	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (strcmp(names + te_shdr(img, i)->sh_name, name) == 0)
			return (int)i;
	return -1;
}

static Elf64_Sym *te_symbol(uint8_t *img, const char *name)
{
	Elf64_Shdr *st = te_shdr(img, (unsigned)te_section(img, ".symtab"));
	Elf64_Sym *syms = (Elf64_Sym *)(img + st->sh_offset);
	const char *strs = (const char *)img + te_shdr(img, st->sh_link)->sh_offset;

	for (size_t i = 0; i < st->sh_size / sizeof(*syms); i++)
		if (strcmp(strs + syms[i].st_name, name) == 0)
			return &syms[i];
	return NULL;
}

static Elf64_Rela *te_rela(uint8_t *img, const char *sec, size_t k)
{
	return (Elf64_Rela *)(img + te_shdr(img, (unsigned)te_section(img, sec))->sh_offset) + k;
}

static uint8_t *te_copy(void)
{
	uint8_t *c = malloc(te_good.size);

	memcpy(c, te_good.data, te_good.size);
	return c;
}

struct te_resolver_ctx {
	uint64_t table;		/* address given for kernel_table */
	bool know_log;
	unsigned calls;
};

static int te_resolve(void *ctx, const char *name, uint64_t *addr)
{
	struct te_resolver_ctx *c = ctx;

	c->calls++;
	if (strcmp(name, "kernel_log") == 0 && c->know_log)
		*addr = TE_LOG;
	else if (strcmp(name, "kernel_counter") == 0)
		*addr = TE_COUNTER;
	else if (strcmp(name, "kernel_table") == 0)
		*addr = c->table;
	else
		return -HV_ENOENT;
	return 0;
}

/* Parses, lays out and loads img at TE_DEST; returns the first failing code, *err filled. */
static int te_run(const uint8_t *img, size_t size, struct te_resolver_ctx *c,
		  struct elfmod_error *err, struct elfmod *m, struct elfmod_layout *lo,
		  uint8_t **out)
{
	struct elfmod_resolver r = { te_resolve, c };
	uint8_t *dest;
	int rc;

	*out = NULL;
	rc = elfmod_parse(m, img, size, err);
	if (rc < 0)
		return rc;
	rc = elfmod_layout(m, lo);
	if (rc < 0)
		return rc;
	dest = malloc(lo->total);
	memset(dest, 0xaa, lo->total);
	rc = elfmod_load(m, lo, dest, TE_DEST, &r, err);
	if (rc < 0) {
		free(dest);
		return rc;
	}
	*out = dest;
	return 0;
}

static void test_elfmod_good_metadata(void)
{
	struct elfmod m;
	struct elfmod_error err;
	struct hv_pci_id id;

	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, te_good.data, te_good.size, &err), 0);
	CU_ASSERT_EQUAL(err.code, 0);
	CU_ASSERT_STRING_EQUAL(m.info.name, "testdrv");
	CU_ASSERT_STRING_EQUAL(m.info.version, "1.2.3");
	CU_ASSERT_STRING_EQUAL(m.info.vendor, "Test Vendor Inc.");
	CU_ASSERT_STRING_EQUAL(m.info.license, "BSD-2-Clause");
	CU_ASSERT_EQUAL(m.info.abi_major, HV_DDK_ABI_MAJOR);
	CU_ASSERT_EQUAL(m.info.abi_minor, HV_DDK_ABI_MINOR);
	CU_ASSERT_EQUAL(m.info.nids, 3);
	CU_ASSERT_EQUAL(elfmod_id(&m, 1, &id), 0);
	CU_ASSERT_EQUAL(id.vendor, 0x8086);
	CU_ASSERT_EQUAL(id.device, 0x10d3);
	CU_ASSERT_EQUAL(id.subdevice, 0x1100);
	CU_ASSERT_EQUAL(elfmod_id(&m, 2, &id), 0);
	CU_ASSERT_EQUAL(id.class_mask, 0xffff00);
	CU_ASSERT_EQUAL(elfmod_id(&m, 3, &id), -HV_EINVAL);
	/* The fixture is built against this tree's DDK: it loads on this kernel and later minors. */
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, HV_DDK_ABI_MAJOR, HV_DDK_ABI_MINOR, &err), 0);
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, HV_DDK_ABI_MAJOR, HV_DDK_ABI_MINOR + 5, &err), 0);
	/* ... and on no kernel of another major (2.0 changed register access and DMA). */
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, HV_DDK_ABI_MAJOR - 1, 5, &err), -HV_EPROTO);
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, HV_DDK_ABI_MAJOR + 1, 0, &err), -HV_EPROTO);
}

static bool te_in(const struct elfmod_region *r, uint64_t off)
{
	return off >= r->offset && off < r->offset + r->size;
}

static void test_elfmod_layout(void)
{
	struct elfmod m;
	struct elfmod_layout lo;
	uint8_t *img = te_good.data;

	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, img, te_good.size, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(elfmod_layout(&m, &lo), 0);
	CU_ASSERT_EQUAL(lo.total % ELFMOD_PAGE, 0);
	CU_ASSERT_EQUAL(lo.text.offset, 0);
	CU_ASSERT_EQUAL(lo.rodata.offset, lo.text.offset + lo.text.size);
	CU_ASSERT_EQUAL(lo.data.offset, lo.rodata.offset + lo.rodata.size);
	CU_ASSERT_EQUAL(lo.total, lo.data.offset + lo.data.size);
	CU_ASSERT(lo.text.size > 0 && lo.rodata.size > 0 && lo.data.size > 0);
	CU_ASSERT_EQUAL(lo.rodata.offset % ELFMOD_PAGE, 0);
	CU_ASSERT_EQUAL(lo.data.offset % ELFMOD_PAGE, 0);
	CU_ASSERT(te_in(&lo.text, lo.sec_off[te_section(img, ".text")]));
	CU_ASSERT(te_in(&lo.rodata, lo.sec_off[te_section(img, ".rodata")]));
	CU_ASSERT(te_in(&lo.rodata, lo.sec_off[te_section(img, ".hvmod")]));
	CU_ASSERT(te_in(&lo.data, lo.sec_off[te_section(img, ".data")]));
	CU_ASSERT(te_in(&lo.data, lo.sec_off[te_section(img, ".bss")]));
	CU_ASSERT_EQUAL(lo.sec_off[te_section(img, ".bss")] % 32, 0);	/* gcc aligns it to 32 */
	CU_ASSERT_EQUAL(lo.sec_off[te_section(img, ".symtab")], ELFMOD_NO_OFFSET);
	CU_ASSERT_EQUAL(lo.sec_off[te_section(img, ".rela.text")], ELFMOD_NO_OFFSET);
}

/* Address at TE_DEST of a symbol defined in the module. */
static uint64_t te_addr(const struct elfmod_layout *lo, const char *name)
{
	Elf64_Sym *s = te_symbol(te_good.data, name);

	return TE_DEST + lo->sec_off[s->st_shndx] + s->st_value;
}

static uint64_t te_get(const uint8_t *dest, uint64_t addr, unsigned width)
{
	uint64_t v = 0;

	memcpy(&v, dest + (addr - TE_DEST), width);
	return v;
}

static void test_elfmod_load_relocs(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	struct elfmod m;
	struct elfmod_layout lo;
	struct elfmod_error err;
	uint8_t *d;
	uint64_t t, s, bss;

	CU_ASSERT_EQUAL_FATAL(te_run(te_good.data, te_good.size, &c, &err, &m, &lo, &d), 0);
	t = te_addr(&lo, "target_var");
	s = te_addr(&lo, "rel_slots");
	CU_ASSERT_EQUAL(te_get(d, t, 4), 42);
	CU_ASSERT_EQUAL(te_get(d, te_addr(&lo, "ptr_var"), 8), t);
	CU_ASSERT_EQUAL(te_get(d, te_addr(&lo, "weak_ptr"), 8), 0);	/* weak, unresolved */
	CU_ASSERT_EQUAL(memcmp(d + (te_get(d, te_addr(&lo, "msg_ptr"), 8) - TE_DEST), "hello", 6), 0);
	CU_ASSERT_EQUAL(te_get(d, s + 0, 8), t + 16);				/* 64 */
	CU_ASSERT_EQUAL(te_get(d, s + 8, 8), t - (s + 8));			/* PC64 */
	CU_ASSERT_EQUAL((int32_t)te_get(d, s + 16, 4), (int32_t)(t - (s + 16)));	/* PC32 */
	CU_ASSERT_EQUAL(te_get(d, s + 20, 4), t);				/* 32 */
	CU_ASSERT_EQUAL(te_get(d, s + 24, 4), t - 8);				/* 32S */
	CU_ASSERT_EQUAL((int32_t)te_get(d, s + 28, 4), (int32_t)(TE_LOG - 4 - (s + 28)));
	CU_ASSERT_EQUAL(te_get(d, s + 32, 4), 0x11223344);			/* NONE */
	CU_ASSERT_EQUAL((int32_t)te_get(d, s + 36, 4), (int32_t)(TE_COUNTER - (s + 36)));
	CU_ASSERT_EQUAL(te_get(d, s + 40, 4), TE_TABLE);
	/* .bss is zero even though dest started as 0xaa. */
	bss = TE_DEST + lo.sec_off[te_section(te_good.data, ".bss")];
	for (unsigned i = 0; i < 400; i += 8)
		CU_ASSERT_EQUAL(te_get(d, bss + i, 8), 0);
	CU_ASSERT(c.calls > 0);
	free(d);
}

/* Every rip-relative PC32 in .text, decoded: the instruction reaches S + A - P + P. */
static void test_elfmod_load_text_pc32(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	struct elfmod m;
	struct elfmod_layout lo;
	struct elfmod_error err;
	uint8_t *d, *img = te_good.data;
	int text = te_section(img, ".text"), rt = te_section(img, ".rela.text");
	Elf64_Shdr *st = te_shdr(img, (unsigned)te_section(img, ".symtab"));
	Elf64_Sym *syms = (Elf64_Sym *)(img + st->sh_offset);
	const char *strs = (const char *)img + te_shdr(img, st->sh_link)->sh_offset;
	unsigned checked = 0;

	CU_ASSERT_EQUAL_FATAL(te_run(img, te_good.size, &c, &err, &m, &lo, &d), 0);
	for (size_t k = 0; k < te_shdr(img, (unsigned)rt)->sh_size / sizeof(Elf64_Rela); k++) {
		Elf64_Rela *r = te_rela(img, ".rela.text", k);
		Elf64_Sym *sym = &syms[ELF64_R_SYM(r->r_info)];
		uint64_t p = TE_DEST + lo.sec_off[text] + r->r_offset, target;
		int32_t disp;

		if (ELF64_R_TYPE(r->r_info) != R_X86_64_PC32)
			continue;
		if (sym->st_shndx == SHN_UNDEF)
			target = strcmp(strs + sym->st_name, "kernel_counter") == 0 ? TE_COUNTER : 0;
		else
			target = TE_DEST + lo.sec_off[sym->st_shndx] + sym->st_value;
		memcpy(&disp, d + (p - TE_DEST), 4);
		CU_ASSERT_EQUAL(p + (uint64_t)(int64_t)disp, target + (uint64_t)r->r_addend);
		checked++;
	}
	CU_ASSERT(checked >= 2);
	free(d);
}

static void test_elfmod_find_symbol(void)
{
	struct elfmod m;
	struct elfmod_layout lo;
	uint64_t a = 0;

	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, te_good.data, te_good.size, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(elfmod_layout(&m, &lo), 0);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "hv_module_init", &a), 0);
	CU_ASSERT_EQUAL(a, te_addr(&lo, "hv_module_init"));
	CU_ASSERT(a >= TE_DEST + lo.text.offset && a < TE_DEST + lo.text.offset + lo.text.size);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "hv_module_exit", &a), 0);
	CU_ASSERT_EQUAL(a, te_addr(&lo, "hv_module_exit"));
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "target_var", &a), -HV_ENOEXEC);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "kernel_log", &a), -HV_ENOEXEC);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "local_fn", &a), -HV_ENOENT);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "hv_module_ini", &a), -HV_ENOENT);
	CU_ASSERT_EQUAL(elfmod_find_symbol(&m, &lo, TE_DEST, "", &a), -HV_ENOENT);
}

/* The function containing an address, local ones too (kern/contain.c names where a driver
 * was stuck); the expected addresses come from the ELF's own symbol table (te_addr). */
static void test_elfmod_symbolize(void)
{
	struct elfmod m;
	struct elfmod_layout lo;
	const char *name = NULL;
	uint64_t off = 99, init, local;

	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, te_good.data, te_good.size, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(elfmod_layout(&m, &lo), 0);
	init = te_addr(&lo, "hv_module_init");
	local = te_addr(&lo, "local_fn");
	CU_ASSERT_EQUAL(elfmod_symbolize(&m, &lo, TE_DEST, init, &name, &off), 0);
	CU_ASSERT_STRING_EQUAL(name, "hv_module_init");
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(elfmod_symbolize(&m, &lo, TE_DEST, init + 5, &name, &off), 0);
	CU_ASSERT_STRING_EQUAL(name, "hv_module_init");
	CU_ASSERT_EQUAL(off, 5);
	CU_ASSERT_EQUAL(elfmod_symbolize(&m, &lo, TE_DEST, local + 1, &name, &off), 0);
	CU_ASSERT_STRING_EQUAL(name, "local_fn");
	CU_ASSERT_EQUAL(off, 1);
	/* Data and addresses outside the image are in no function. */
	CU_ASSERT_EQUAL(elfmod_symbolize(&m, &lo, TE_DEST, te_addr(&lo, "target_var"), &name, &off),
			-HV_ENOENT);
	CU_ASSERT_EQUAL(elfmod_symbolize(&m, &lo, TE_DEST, TE_DEST - 1, &name, &off), -HV_ENOENT);
}

/* img must be refused by parse, layout or load with code and a message containing words. */
static void te_expect(const uint8_t *img, size_t size, struct te_resolver_ctx *c, int code,
		      const char *words, int line)
{
	struct elfmod m;
	struct elfmod_layout lo;
	struct elfmod_error err = { 0, "" };
	uint8_t *d;
	int rc = te_run(img, size, c, &err, &m, &lo, &d);

	free(d);
	if (rc != code || err.code != code || !strstr(err.msg, words)) {
		fprintf(stderr, "\nline %d: want %d '%s', got %d/%d '%s'\n", line, code, words, rc,
			err.code, err.msg);
		CU_FAIL("module not refused as expected");
	}
}

#define TE_EXPECT(img, c, code, words) te_expect(img, te_good.size, c, code, words, __LINE__)

static void test_elfmod_truncated(void)
{
	struct elfmod m;
	struct elfmod_error err;
	unsigned refused = 0;

	for (size_t n = 0; n < te_good.size; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, te_good.data, n);
		if (elfmod_parse(&m, cut, n, &err) == -HV_ENOEXEC && err.msg[0])
			refused++;
		free(cut);
	}
	CU_ASSERT_EQUAL(refused, te_good.size);
	CU_ASSERT_EQUAL(elfmod_parse(&m, te_good.data, 10, &err), -HV_ENOEXEC);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too small"));
	CU_ASSERT_EQUAL(elfmod_parse(&m, te_good.data, te_good.size - 1, &err), -HV_ENOEXEC);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "section table extends past the end"));
}

static void test_elfmod_bad_header(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	img[1] = 'X';
	TE_EXPECT(img, &c, -HV_ENOEXEC, "bad magic");
	img[1] = 'E';
	img[EI_CLASS] = ELFCLASS32;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "not ELFCLASS64");
	img[EI_CLASS] = ELFCLASS64;
	img[EI_DATA] = ELFDATA2MSB;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "little-endian");
	img[EI_DATA] = ELFDATA2LSB;
	eh->e_version = 2;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "EV_CURRENT");
	eh->e_version = EV_CURRENT;
	eh->e_type = ET_EXEC;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "not ET_REL");
	eh->e_type = ET_REL;
	eh->e_machine = EM_386;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "not EM_X86_64");
	eh->e_machine = EM_X86_64;
	eh->e_shentsize = 40;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "section header size");
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shstrndx = eh->e_shnum;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "section name table index");
	eh->e_shstrndx = SHN_XINDEX;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "section name table index");
	free(img);
}

static void test_elfmod_bad_sections(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	char want[128];
	int rt = te_section(img, ".rela.text"), st = te_section(img, ".symtab");
	Elf64_Shdr *sh = te_shdr(img, (unsigned)rt), saved = *sh;
	Elf64_Shdr *sym = te_shdr(img, (unsigned)st), symsaved = *sym;
	Elf64_Shdr *data = te_shdr(img, (unsigned)te_section(img, ".data")), datasaved = *data;

	snprintf(want, sizeof(want), "section %d (.rela.text) extends past the end of the file", rt);
	sh->sh_offset = te_good.size;
	TE_EXPECT(img, &c, -HV_ENOEXEC, want);
	sh->sh_offset = UINT64_MAX - 8;
	TE_EXPECT(img, &c, -HV_ENOEXEC, want);
	*sh = saved;
	sh->sh_size += 24 * 1000;
	TE_EXPECT(img, &c, -HV_ENOEXEC, want);
	*sh = saved;
	sh->sh_type = SHT_REL;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "SHT_REL");
	*sh = saved;
	sh->sh_info = 200;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "targets section 200");
	*sh = saved;
	sym->sh_link = 1000;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "links to section 1000");
	*sym = symsaved;
	sym->sh_type = SHT_PROGBITS;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "0 symbol tables");
	*sym = symsaved;
	sh->sh_type = SHT_SYMTAB;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "2 symbol tables");
	*sh = saved;
	sym->sh_link = (Elf64_Word)te_section(img, ".text");
	TE_EXPECT(img, &c, -HV_ENOEXEC, "not a valid string table");
	*sym = symsaved;
	te_shdr(img, sym->sh_link)->sh_size -= 1;	/* strtab no longer ends in NUL */
	TE_EXPECT(img, &c, -HV_ENOEXEC, "not a valid string table");
	te_shdr(img, sym->sh_link)->sh_size += 1;
	te_shdr(img, 3)->sh_name = 0xfffff;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "section 3 name offset 0xfffff is past");
	te_shdr(img, 3)->sh_name = 0;	/* "" is a valid name */
	data->sh_addralign = 24;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "alignment 24");
	data->sh_addralign = 8192;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "alignment 8192");
	data->sh_addralign = datasaved.sh_addralign;
	data->sh_flags |= SHF_EXECINSTR;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "writable and executable");
	data->sh_flags = datasaved.sh_flags | SHF_TLS;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "thread-local");
	free(img);
}

static void test_elfmod_bad_symbols(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	Elf64_Sym *s = te_symbol(img, "target_var"), saved = *s;

	s->st_name = 0x7fffffff;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "name offset 0x7fffffff is past the string table");
	*s = saved;
	s->st_shndx = 300;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "symbol 'target_var' has bad section index");
	s->st_shndx = SHN_COMMON;
	TE_EXPECT(img, &c, -HV_ENOTSUP, "compile with -fno-common");
	*s = saved;
	s->st_value = 0x10000;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "'target_var' lies past the end of .data");
	free(img);
}

static void test_elfmod_bad_relocs(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	Elf64_Rela *r = te_rela(img, ".rela.data.relocs", 2), saved = *r;	/* PC32 at +16 */
	char want[64];

	r->r_info = ELF64_R_INFO(ELF64_R_SYM(saved.r_info), 42);
	TE_EXPECT(img, &c, -HV_ENOTSUP, "unknown relocation type 42 at .data.relocs+0x10");
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(saved.r_info), R_X86_64_GOTPCREL);
	snprintf(want, sizeof(want), "unknown relocation type %d", R_X86_64_GOTPCREL);
	TE_EXPECT(img, &c, -HV_ENOTSUP, want);
	*r = saved;
	r->r_offset = te_shdr(img, (unsigned)te_section(img, ".data.relocs"))->sh_size - 3;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "is outside the section");
	r->r_offset = UINT64_MAX - 1;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "is outside the section");
	*r = saved;
	r->r_info = ELF64_R_INFO(100000, R_X86_64_PC32);
	TE_EXPECT(img, &c, -HV_ENOEXEC, "uses symbol 100000");
	*r = saved;
	/* 32S of kernel_table at 4 GiB does not fit; neither does PC32 across it. */
	c.table = TE_FAR;
	TE_EXPECT(img, &c, -HV_ERANGE, "relocation out of range");
	c.table = TE_TABLE;
	c.know_log = false;
	TE_EXPECT(img, &c, -HV_ENOENT, "unresolved symbol 'kernel_log'");
	free(img);
}

/* A relocation aimed at a debug (non-alloc) section is ignored, whatever it says. */
static void test_elfmod_nonalloc_reloc_ignored(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	struct elfmod m;
	struct elfmod_layout lo;
	struct elfmod_error err;
	uint8_t *img = te_copy(), *d;
	Elf64_Shdr *rt = te_shdr(img, (unsigned)te_section(img, ".rela.text"));
	Elf64_Rela *r = te_rela(img, ".rela.text", 0);

	rt->sh_info = (Elf64_Word)te_section(img, ".comment");
	r->r_info = ELF64_R_INFO(0, 42);
	CU_ASSERT_EQUAL(te_run(img, te_good.size, &c, &err, &m, &lo, &d), 0);
	free(d);
	free(img);
}

static void test_elfmod_abi(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	struct hv_module_info *in;
	struct elfmod m;
	struct elfmod_error err;

	in = (struct hv_module_info *)(img + te_shdr(img, (unsigned)te_section(img, ".hvmod"))->sh_offset);
	in->abi_major = 2;
	in->abi_minor = 0;
	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, img, te_good.size, &err), 0);
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, 1, 0, &err), -HV_EPROTO);
	CU_ASSERT_STRING_EQUAL(err.msg, "DDK ABI 2.0 is newer than this kernel's 1.0");
	in->abi_major = 1;
	in->abi_minor = 1;
	CU_ASSERT_EQUAL_FATAL(elfmod_parse(&m, img, te_good.size, &err), 0);
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, 1, 0, &err), -HV_EPROTO);
	CU_ASSERT_STRING_EQUAL(err.msg, "DDK ABI 1.1 is newer than this kernel's 1.0");
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, 1, 1, &err), 0);
	CU_ASSERT_EQUAL(elfmod_check_abi(&m, 2, 1, &err), -HV_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "incompatible with this kernel's 2.1"));
	in->abi_minor = 0;
	in->magic ^= 1;
	TE_EXPECT(img, &c, -HV_ENOEXEC, ".hvmod has bad magic");
	in->magic ^= 1;
	in->nids = 257;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "more than 256");
	in->nids = 4;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "too small for its 4 IDs");
	in->nids = 3;
	memset(in->name, 'a', sizeof(in->name));
	TE_EXPECT(img, &c, -HV_ENOEXEC, "module name");
	in->name[0] = '\0';
	TE_EXPECT(img, &c, -HV_ENOEXEC, "module name is empty");
	strcpy(in->name, "bad name");
	TE_EXPECT(img, &c, -HV_ENOEXEC, "module name");
	strcpy(in->name, "ok");
	in->vendor[0] = '\n';
	TE_EXPECT(img, &c, -HV_ENOEXEC, "module ok: version, vendor or license");
	free(img);
}

static void test_elfmod_missing_hvmod(void)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	uint8_t *img = te_copy();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *hv = te_shdr(img, (unsigned)te_section(img, ".hvmod"));
	char *name = (char *)img + te_shdr(img, eh->e_shstrndx)->sh_offset + hv->sh_name;

	hv->sh_type = SHT_NULL;
	TE_EXPECT(img, &c, -HV_ENOEXEC, ".hvmod is too small");
	hv->sh_offset = te_good.size + 0x1000000;	/* found by the fuzzer */
	TE_EXPECT(img, &c, -HV_ENOEXEC, "(.hvmod) extends past the end of the file");
	hv->sh_type = SHT_NOBITS;
	TE_EXPECT(img, &c, -HV_ENOEXEC, ".hvmod is too small");
	hv->sh_type = SHT_PROGBITS;
	hv->sh_offset = te_shdr(te_good.data, (unsigned)te_section(img, ".hvmod"))->sh_offset;
	name[5] = 'x';
	TE_EXPECT(img, &c, -HV_ENOEXEC, "no .hvmod metadata section");
	name[5] = 'd';
	te_shdr(img, (unsigned)te_section(img, ".rodata"))->sh_name = hv->sh_name;
	TE_EXPECT(img, &c, -HV_ENOEXEC, "more than one .hvmod");
	free(img);
}

/* A variant compiled from src must be refused with code and words. */
static void te_expect_src(const char *src, const char *extra, int code, const char *words,
			  int line)
{
	struct te_resolver_ctx c = { TE_TABLE, true, 0 };
	struct te_obj o;

	if (!te_compile(src, extra, &o)) {
		CU_FAIL("cannot compile the test module");
		return;
	}
	te_expect(o.data, o.size, &c, code, words, line);
	free(o.data);
}

static void test_elfmod_compiled_variants(void)
{
	te_expect_src(te_common_src, "-fcommon", -HV_ENOTSUP,
		      "symbol 'common_var' is COMMON: compile with -fno-common", __LINE__);
	te_expect_src(te_badid_src, "", -HV_ENOEXEC, "ID table entry 0 is malformed", __LINE__);
	te_expect_src(te_dupid_src, "", -HV_ENOEXEC, "ID table entry 2 duplicates entry 0",
		      __LINE__);
	te_expect_src(te_meta_ptr_src, "", -HV_ENOEXEC, "must not hold pointers", __LINE__);
	te_expect_src("int hv_module_init(void) { return 0; }\n", "", -HV_ENOEXEC,
		      "no .hvmod", __LINE__);
}

/* Random byte flips, mostly in the headers and tables: never a crash or sanitizer report. */
static void test_elfmod_random_mutations(void)
{
	uint64_t seed = unit_seed() | 1;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)te_good.data;
	size_t tab = eh->e_shoff, ntab = (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	unsigned loaded = 0;

	for (int it = 0; it < 2000; it++) {
		struct te_resolver_ctx c = { TE_TABLE, true, 0 };
		struct elfmod m;
		struct elfmod_layout lo;
		struct elfmod_error err;
		uint8_t *img = te_copy(), *d;
		unsigned flips = 1 + unit_rand(&seed) % 6;

		for (unsigned f = 0; f < flips; f++) {
			uint64_t x = unit_rand(&seed);
			size_t off = (x & 1) ? tab + (x >> 8) % ntab : (x >> 8) % te_good.size;

			img[off] ^= (uint8_t)(1u << ((x >> 4) & 7));
			if ((x & 6) == 6)
				img[off] = (uint8_t)(x >> 40);
		}
		err.msg[0] = '\0';
		if (te_run(img, te_good.size, &c, &err, &m, &lo, &d) == 0) {
			loaded++;
			free(d);
		} else {
			CU_ASSERT(err.msg[0] != '\0' || err.code == 0);
		}
		free(img);
	}
	CU_ASSERT(loaded < 2000);
}

UNIT_SUITE(elfmod_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_elfmod_good_metadata),
		UNIT_TEST(test_elfmod_layout),
		UNIT_TEST(test_elfmod_load_relocs),
		UNIT_TEST(test_elfmod_load_text_pc32),
		UNIT_TEST(test_elfmod_symbolize), UNIT_TEST(test_elfmod_find_symbol),
		UNIT_TEST(test_elfmod_truncated),
		UNIT_TEST(test_elfmod_bad_header),
		UNIT_TEST(test_elfmod_bad_sections),
		UNIT_TEST(test_elfmod_bad_symbols),
		UNIT_TEST(test_elfmod_bad_relocs),
		UNIT_TEST(test_elfmod_nonalloc_reloc_ignored),
		UNIT_TEST(test_elfmod_abi),
		UNIT_TEST(test_elfmod_missing_hvmod),
		UNIT_TEST(test_elfmod_compiled_variants),
		UNIT_TEST(test_elfmod_random_mutations),
		UNIT_TEST_END
	};
	unit_add_suite("elfmod", te_suite_init, te_suite_clean, tests);
}
