/*
 * mkbadmod: write the broken-module corpus and the benchmark modules.
 *
 *   mkbadmod --ddk DIR GOOD.hvm OUTDIR   broken variants of GOOD (the edu module), plus
 *                                        two compiled ones (unresolved, rival)
 *   mkbadmod --ddk DIR --bench N OUTDIR  N valid modules bench00.hvm .. bench<N-1>.hvm
 *
 * Each variant breaks one rule of docs/module-format.md; the kernel must refuse it with
 * its own reason and go on booting. Compiled modules are built from small generated
 * sources with the DDK (make -C DIR M=...), the way a vendor builds a driver.
 * Exit status: 0 done, 1 an input or output problem, 2 usage.
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hv/module.h>

#define MKBAD_MAX_BENCH		100
#define MKBAD_JOBS		8

/* A module file in memory. */
struct mkbad_file {
	const char *path;
	unsigned char *data;
	size_t len;
};

__attribute__((format(printf, 1, 2)))
static int mkbad_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("mkbadmod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int mkbad_read(const char *path, struct mkbad_file *f)
{
	FILE *in = fopen(path, "rb");
	long n;

	f->path = path;
	if (!in)
		return mkbad_fail("%s: %s", path, strerror(errno));
	if (fseek(in, 0, SEEK_END) < 0 || (n = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) < 0) {
		fclose(in);
		return mkbad_fail("%s: cannot size the file: %s", path, strerror(errno));
	}
	f->len = (size_t)n;
	f->data = malloc(f->len ? f->len : 1);
	if (!f->data || fread(f->data, 1, f->len, in) != f->len) {
		fclose(in);
		free(f->data);
		return mkbad_fail("%s: cannot read %zu bytes", path, f->len);
	}
	fclose(in);
	return 0;
}

static int mkbad_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s.hvm", dir, name);
	out = fopen(path, "wb");
	if (!out || fwrite(data, 1, len, out) != len || fclose(out) != 0)
		return mkbad_fail("%s: cannot write: %s", path, strerror(errno));
	return 0;
}

/* The section headers of an ELF64 relocatable x86_64 file, checked to lie in the file. */
static Elf64_Shdr *mkbad_shdrs(const struct mkbad_file *f)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->data;

	if (f->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_REL ||
	    eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(Elf64_Shdr)) {
		mkbad_fail("%s: not an ELF64 relocatable x86_64 module", f->path);
		return NULL;
	}
	if (eh->e_shoff > f->len || eh->e_shstrndx >= eh->e_shnum ||
	    (f->len - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum) {
		mkbad_fail("%s: section table lies outside the file", f->path);
		return NULL;
	}
	return (Elf64_Shdr *)(f->data + eh->e_shoff);
}

static unsigned mkbad_shnum(const struct mkbad_file *f)
{
	return ((const Elf64_Ehdr *)f->data)->e_shnum;
}

/* 1 when section sh lies inside the file. */
static int mkbad_in_file(const struct mkbad_file *f, const Elf64_Shdr *sh)
{
	return sh->sh_offset <= f->len && sh->sh_size <= f->len - sh->sh_offset;
}

/* The section named name (in the file, of at least min bytes), or NULL with an error. */
static Elf64_Shdr *mkbad_section(const struct mkbad_file *f, const char *name, size_t min)
{
	Elf64_Shdr *sh = mkbad_shdrs(f);
	const Elf64_Shdr *strs;

	if (!sh)
		return NULL;
	strs = &sh[((const Elf64_Ehdr *)f->data)->e_shstrndx];
	if (!mkbad_in_file(f, strs) || strs->sh_size == 0 ||
	    f->data[strs->sh_offset + strs->sh_size - 1] != '\0') {
		mkbad_fail("%s: bad section name table", f->path);
		return NULL;
	}
	for (unsigned i = 0; i < mkbad_shnum(f); i++) {
		if (sh[i].sh_name < strs->sh_size &&
		    strcmp((const char *)f->data + strs->sh_offset + sh[i].sh_name, name) == 0 &&
		    mkbad_in_file(f, &sh[i]) && sh[i].sh_size >= min)
			return &sh[i];
	}
	mkbad_fail("%s: no usable %s section", f->path, name);
	return NULL;
}

/*
 * The first relocation (of an allocated section) that want() accepts, or NULL. Only
 * relocations of SHF_ALLOC sections are applied by the loader, so only those are useful.
 */
static Elf64_Rela *mkbad_find_rela(const struct mkbad_file *f, int (*want)(unsigned type))
{
	Elf64_Shdr *sh = mkbad_shdrs(f);

	for (unsigned i = 0; sh && i < mkbad_shnum(f); i++) {
		Elf64_Rela *r = (Elf64_Rela *)(f->data + sh[i].sh_offset);

		if (sh[i].sh_type != SHT_RELA || sh[i].sh_info >= mkbad_shnum(f) ||
		    !(sh[sh[i].sh_info].sh_flags & SHF_ALLOC) || !mkbad_in_file(f, &sh[i]))
			continue;
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*r); k++) {
			if (want((unsigned)ELF64_R_TYPE(r[k].r_info)))
				return &r[k];
		}
	}
	return NULL;
}

static int mkbad_any_type(unsigned type) { return type != R_X86_64_NONE; }
/* The 32-bit relocations, whose result the loader must range-check. */
static int mkbad_range_type(unsigned type)
{
	return type == R_X86_64_32 || type == R_X86_64_32S || type == R_X86_64_PC32 ||
	       type == R_X86_64_PLT32;
}

/* The module header in .hvmod, or NULL with an error. */
static struct hv_module_info *mkbad_info(const struct mkbad_file *f)
{
	Elf64_Shdr *sh = mkbad_section(f, HV_MODULE_SECTION,
				       sizeof(struct hv_module_info) + sizeof(struct hv_pci_id));

	return sh ? (struct hv_module_info *)(f->data + sh->sh_offset) : NULL;
}

/* Renames the module (the .hvmod name field); the caller checked that .hvmod is there. */
static void mkbad_rename(struct mkbad_file *f, const char *name)
{
	struct hv_module_info *info = mkbad_info(f);

	memset(info->name, 0, sizeof(info->name));
	snprintf(info->name, sizeof(info->name), "%s", name);
}

/* One corpus variant: a copy of the good module, changed by patch (NULL: unchanged). */
struct mkbad_variant {
	const char *name;
	int (*patch)(struct mkbad_file *f);
};

static int mkbad_badmagic(struct mkbad_file *f) { f->data[EI_MAG1] = 'X'; return 0; }
static int mkbad_class32(struct mkbad_file *f) { f->data[EI_CLASS] = ELFCLASS32; return 0; }
static int mkbad_trunc(struct mkbad_file *f) { f->len /= 2; return 0; }

static int mkbad_wrongmachine(struct mkbad_file *f)
{
	((Elf64_Ehdr *)f->data)->e_machine = EM_386;
	return 0;
}

static int mkbad_notrel(struct mkbad_file *f)
{
	((Elf64_Ehdr *)f->data)->e_type = ET_EXEC;
	return 0;
}

static int mkbad_unknownreloc(struct mkbad_file *f)
{
	Elf64_Rela *r = mkbad_find_rela(f, mkbad_any_type);

	if (!r)
		return mkbad_fail("%s: no relocation of an allocated section to patch", f->path);
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 42);
	return 0;
}

static int mkbad_relocrange(struct mkbad_file *f)
{
	Elf64_Rela *r = mkbad_find_rela(f, mkbad_range_type);

	if (!r)
		return mkbad_fail("%s: no 32-bit relocation (R_X86_64_32, 32S, PC32, PLT32) to patch", f->path);
	r->r_addend = 0x7fffffff00;
	return 0;
}

static int mkbad_badids(struct mkbad_file *f)
{
	struct hv_module_info *info = mkbad_info(f);

	if (!info)
		return -1;
	((struct hv_pci_id *)(info + 1))->vendor = 0x12345;
	return 0;
}

static int mkbad_abimajor(struct mkbad_file *f)
{
	struct hv_module_info *info = mkbad_info(f);

	if (!info)
		return -1;
	info->abi_major = HV_DDK_ABI_MAJOR + 1;
	return 0;
}

/* Built against the DDK major before this one (1.x against 2.0: the BAR and DMA API
 * changed): refused as incompatible, never run with the old calling conventions. */
static int mkbad_abiold(struct mkbad_file *f)
{
	struct hv_module_info *info = mkbad_info(f);

	if (!info)
		return -1;
	info->abi_major = HV_DDK_ABI_MAJOR - 1;
	info->abi_minor = 2;
	return 0;
}

static const struct mkbad_variant mkbad_variants[] = {
	{ "trunc", mkbad_trunc },
	{ "badmagic", mkbad_badmagic },
	{ "class32", mkbad_class32 },
	{ "wrongmachine", mkbad_wrongmachine },
	{ "notrel", mkbad_notrel },
	{ "unknownreloc", mkbad_unknownreloc },
	{ "reloc-range", mkbad_relocrange },
	{ "badids", mkbad_badids },
	{ "abimajor", mkbad_abimajor },
	{ "abiold", mkbad_abiold },
	{ "dup", NULL },	/* same module name as the original: the second load is refused */
};

static int mkbad_corpus(const char *good, const char *outdir)
{
	struct mkbad_file orig, f;
	int rc = 0;

	if (mkbad_read(good, &orig) < 0)
		return -1;
	/* Check the input once, so a bad one gives one line and writes nothing. */
	if (!mkbad_info(&orig)) {
		free(orig.data);
		return -1;
	}
	f.data = malloc(orig.len);
	for (size_t i = 0; f.data && rc == 0 && i < sizeof(mkbad_variants) / sizeof(mkbad_variants[0]); i++) {
		const struct mkbad_variant *v = &mkbad_variants[i];

		memcpy(f.data, orig.data, orig.len);
		f.len = orig.len;
		f.path = good;
		/* Its own module name, so no refusal hides behind "duplicate module". */
		if (v->patch)
			mkbad_rename(&f, v->name);
		rc = v->patch ? v->patch(&f) : 0;
		if (rc == 0)
			rc = mkbad_write(outdir, v->name, f.data, f.len);
	}
	if (!f.data)
		rc = mkbad_fail("out of memory");
	free(f.data);
	free(orig.data);
	return rc;
}

/* Generated sources. %1$s is the module name. */
static const char mkbad_src_unresolved[] =
	"/* Generated by mkbadmod: calls a function the kernel does not export. */\n"
	"#include <hv/ddk.h>\n"
	"HV_MODULE(\"%1$s\", \"1.0\", \"hvkit corpus\", \"BSD-2-Clause\",\n"
	"\t  HV_PCI_DEVICE(0x1234, 0x11e8));\n"
	"int hv_nonexistent(void);\n"
	"int hv_module_init(void) { return hv_nonexistent(); }\n"
	"void hv_module_exit(void) { }\n";

/* A driver whose probe declines every device: it loads and registers but binds nothing. */
static const char mkbad_src_decline[] =
	"/* Generated by mkbadmod: a module whose driver declines every device. */\n"
	"#include <hv/ddk.h>\n"
	"HV_MODULE(\"%1$s\", \"1.0\", \"hvkit corpus\", \"BSD-2-Clause\", %2$s);\n"
	"static int mod_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)\n"
	"{\n\t(void)d;\n\t(void)id;\n\treturn -HV_ENODEV;\n}\n"
	"static void mod_remove(struct hv_pci_dev *d) { (void)d; }\n"
	"static struct hv_pci_driver mod_driver = {\n"
	"\t.name = \"%1$s\", .probe = mod_probe, .remove = mod_remove,\n};\n"
	"int hv_module_init(void) { return hv_pci_register_driver(&mod_driver); }\n"
	"void hv_module_exit(void) { hv_pci_unregister_driver(&mod_driver); }\n";

#define MKBAD_IDS_EDU		"HV_PCI_DEVICE(0x1234, 0x11e8)"
#define MKBAD_IDS_HOSTBRIDGE	"HV_PCI_CLASS(0x060000, 0xffff00)"

/* Writes OUTDIR/.src/NAME/NAME.c and starts `make -C DDK M=that dir`. Returns the pid. */
static pid_t mkbad_spawn(const char *ddk, const char *outdir, const char *name,
			 const char *src, const char *ids)
{
	char dir[4096], path[4200], marg[4200];
	FILE *f;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/.src", outdir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mkbad_fail("%s: %s", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/.src/%s", outdir, name);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mkbad_fail("%s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.c", dir, name);
	f = fopen(path, "w");
	if (!f || fprintf(f, src, name, ids) < 0 || fclose(f) != 0)
		return mkbad_fail("%s: cannot write: %s", path, strerror(errno));
	snprintf(marg, sizeof(marg), "M=%s", dir);
	pid = fork();
	if (pid == 0) {
		execlp("make", "make", "-s", "--no-print-directory", "-C", ddk, marg, (char *)NULL);
		fprintf(stderr, "mkbadmod: make: %s\n", strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return mkbad_fail("cannot start make: %s", strerror(errno));
	return pid;
}

/* Waits for the build of name and moves its module to OUTDIR/FILE.hvm. */
static int mkbad_finish(pid_t pid, const char *outdir, const char *name, const char *file)
{
	char from[4200], to[4200];
	int st;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return mkbad_fail("%s/.src/%s: the DDK build failed", outdir, name);
	snprintf(from, sizeof(from), "%s/.src/%s/%s.hvm", outdir, name, name);
	snprintf(to, sizeof(to), "%s/%s.hvm", outdir, file);
	if (rename(from, to) < 0)
		return mkbad_fail("%s: cannot move to %s: %s", from, to, strerror(errno));
	return 0;
}

static int mkbad_compiled(const char *ddk, const char *outdir)
{
	pid_t a = mkbad_spawn(ddk, outdir, "unresolved", mkbad_src_unresolved, MKBAD_IDS_EDU);
	pid_t b = mkbad_spawn(ddk, outdir, "edu-rival", mkbad_src_decline, MKBAD_IDS_EDU);
	int rc = 0;

	if (a > 0)
		rc |= mkbad_finish(a, outdir, "unresolved", "unresolved");
	if (b > 0)
		rc |= mkbad_finish(b, outdir, "edu-rival", "rival");
	return a > 0 && b > 0 ? rc : -1;
}

static int mkbad_bench(const char *ddk, int n, const char *outdir)
{
	pid_t pid[MKBAD_JOBS];
	char name[MKBAD_JOBS][16];
	int rc = 0;

	for (int i = 0; i < n && rc == 0; i += MKBAD_JOBS) {
		int k, m = n - i < MKBAD_JOBS ? n - i : MKBAD_JOBS;

		for (k = 0; k < m; k++) {
			snprintf(name[k], sizeof(name[k]), "bench%02d", i + k);
			pid[k] = mkbad_spawn(ddk, outdir, name[k], mkbad_src_decline,
					     MKBAD_IDS_HOSTBRIDGE);
		}
		for (k = 0; k < m; k++)
			rc |= pid[k] > 0 ? mkbad_finish(pid[k], outdir, name[k], name[k]) : -1;
	}
	return rc;
}

static void mkbad_usage(FILE *f)
{
	fprintf(f,
		"usage: mkbadmod --ddk DIR GOOD.hvm OUTDIR\n"
		"       mkbadmod --ddk DIR --bench N OUTDIR\n"
		"  GOOD.hvm OUTDIR  write the broken variants of GOOD (trunc, badmagic, class32,\n"
		"                   wrongmachine, notrel, unknownreloc, reloc-range, badids,\n"
		"                   abimajor, abiold, dup) and the compiled unresolved and rival modules\n"
		"  --bench N        write N (1..%d) valid modules bench00.hvm ... that bind to the\n"
		"                   host bridge class and decline it\n"
		"  --ddk DIR        the DDK used for compiled modules (make -C DIR M=...)\n"
		"exit: 0 done, 1 input or output error, 2 usage\n", MKBAD_MAX_BENCH);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ddk", required_argument, NULL, 'd' }, { "bench", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *ddk = NULL;
	char *outdir = NULL, *ddkdir;
	int c, bench = 0, rc;
	char *end;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': ddk = optarg; break;
		case 'b':
			bench = (int)strtol(optarg, &end, 10);
			if (*end || bench < 1 || bench > MKBAD_MAX_BENCH) {
				fprintf(stderr, "mkbadmod: --bench %s: expected 1 to %d\n", optarg,
					MKBAD_MAX_BENCH);
				return 2;
			}
			break;
		case 'h': mkbad_usage(stdout); return 0;
		default: mkbad_usage(stderr); return 2;
		}
	}
	if (!ddk || argc - optind != (bench ? 1 : 2)) {
		mkbad_usage(stderr);
		return 2;
	}
	/* make -C DDK changes directory: the paths handed to it must be absolute. */
	if ((mkdir(argv[argc - 1], 0755) < 0 && errno != EEXIST) ||
	    !(outdir = realpath(argv[argc - 1], NULL))) {
		fprintf(stderr, "mkbadmod: %s: %s\n", argv[argc - 1], strerror(errno));
		return 1;
	}
	if (!(ddkdir = realpath(ddk, NULL))) {
		fprintf(stderr, "mkbadmod: --ddk %s: %s\n", ddk, strerror(errno));
		free(outdir);
		return 1;
	}
	if (bench)
		rc = mkbad_bench(ddkdir, bench, outdir);
	else
		rc = mkbad_corpus(argv[optind], outdir) < 0 ? -1 : mkbad_compiled(ddkdir, outdir);
	free(outdir);
	free(ddkdir);
	return rc < 0 ? 1 : 0;
}
