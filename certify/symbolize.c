/* certify: symbolize panic addresses with addr2line. */
#include <ctype.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <lib/elfmod.h>

#include "proc.h"
#include "strv.h"
#include "symbolize.h"

#define SYM_MAX_ADDRS 32
#define SYM_MAX_VIOLATIONS 64	/* symbolized per boot; the rest keep their offsets */

/* The start of the panic report: the last line that mentions "panic". */
static const char *sym_panic_start(const char *log)
{
	const char *start = log, *p = log;

	for (; *p; p++) {
		const char *bol = p;

		if (strncasecmp(p, "panic", 5) != 0)
			continue;
		while (bol > log && bol[-1] != '\n')
			bol--;
		start = bol;
	}
	return start;
}

static size_t sym_collect(const char *log, uint64_t rip, uint64_t *addr)
{
	size_t n = 0;

	if (rip)
		addr[n++] = rip;
	for (const char *p = log ? sym_panic_start(log) : ""; *p && n < SYM_MAX_ADDRS; p++) {
		size_t len;
		uint64_t a;
		int dup = 0;

		if (p[0] != '0' || p[1] != 'x' || (p > log && isalnum((unsigned char)p[-1])))
			continue;
		len = strspn(p + 2, "0123456789abcdefABCDEF");
		if (len < 8 || len > 16 || isalnum((unsigned char)p[2 + len]))
			continue;
		a = strtoull(p + 2, NULL, 16);
		for (size_t i = 0; i < n; i++)
			dup |= addr[i] == a;
		if (!dup)
			addr[n++] = a;
		p += 1 + len;
	}
	return n;
}

static char *sym_format(FILE *f, const uint64_t *addr, size_t n)
{
	char func[512], where[512], *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!fgets(func, sizeof(func), f) || !fgets(where, sizeof(where), f))
			break;
		func[strcspn(func, "\n")] = '\0';
		where[strcspn(where, "\n")] = '\0';
		fprintf(o, "  0x%016" PRIx64 " %s at %s\n", addr[i], func, where);
	}
	fclose(o);
	if (outlen == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *certify_symbolize(const char *elf, const char *log, uint64_t rip, const char *tmpdir)
{
	uint64_t addr[SYM_MAX_ADDRS];
	struct certify_strv argv = { 0 };
	struct certify_proc p;
	char outp[512], *res = NULL;
	size_t n = sym_collect(log, rip, addr);
	FILE *f;

	if (n == 0 || !elf || access(elf, R_OK) != 0)
		return NULL;
	snprintf(outp, sizeof(outp), "%s/addr2line.out", tmpdir);
	certify_strv_split(&argv, "addr2line -f -e");
	certify_strv_push(&argv, elf);
	for (size_t i = 0; i < n; i++)
		certify_strv_pushf(&argv, "0x%" PRIx64, addr[i]);
	if (argv.n == n + 4 && certify_proc_spawn(&p, argv.v, outp, NULL) == 0) {
		if (!certify_proc_wait(&p, 5))
			certify_proc_kill(&p, 0.1);
		f = fopen(outp, "r");
		if (f) {
			res = sym_format(f, addr, n);
			fclose(f);
		}
	}
	certify_strv_free(&argv);
	return res;
}

/* `addr2line -f [-j section] -e file 0xaddr` into "FUNCTION at FILE:LINE". 0 or -1. */
static int sym_one(const char *file, const char *section, uint64_t addr, const char *dir,
		   char *out, size_t outlen)
{
	struct certify_strv argv = { 0 };
	struct certify_proc p;
	char outp[600], func[256] = "", where[256] = "";
	FILE *f;
	int rc = -1;

	snprintf(outp, sizeof(outp), "%s/addr2line.out", dir);
	certify_strv_split(&argv, "addr2line -f");
	if (section) {
		certify_strv_push(&argv, "-j");
		certify_strv_push(&argv, section);
	}
	certify_strv_push(&argv, "-e");
	certify_strv_push(&argv, file);
	certify_strv_pushf(&argv, "0x%" PRIx64, addr);
	if (certify_proc_spawn(&p, argv.v, outp, NULL) == 0) {
		if (!certify_proc_wait(&p, 5))
			certify_proc_kill(&p, 0.1);
		f = fopen(outp, "r");
		if (f && fgets(func, sizeof(func), f) && fgets(where, sizeof(where), f)) {
			func[strcspn(func, "\n")] = '\0';
			where[strcspn(where, "\n")] = '\0';
			if (strcmp(func, "??") != 0) {
				snprintf(out, outlen, "%s at %s", func, where);
				rc = 0;
			}
		}
		if (f)
			fclose(f);
		unlink(outp);
	}
	certify_strv_free(&argv);
	return rc;
}

/* The section of the module file that the loader put at image offset off, and the offset
 * in it. 0, or -1 when the file cannot be laid out or nothing is there. */
static int sym_module_section(const char *path, uint64_t off, char *sec, size_t seclen,
			      uint64_t *secoff)
{
	struct elfmod m;
	struct elfmod_layout *lo = calloc(1, sizeof(*lo));
	struct elfmod_error ee = { 0, "" };
	size_t size = 0;
	uint8_t *img = NULL;
	FILE *f = fopen(path, "rb");
	int rc = -1;

	if (f && fseek(f, 0, SEEK_END) == 0 && (long)(size = (size_t)ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (img = malloc(size)) && fread(img, 1, size, f) == size &&
	    lo && elfmod_parse(&m, img, size, &ee) == 0 && elfmod_layout(&m, lo) == 0) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + m.shoff);
		const char *names = (const char *)img + sh[m.shstrndx].sh_offset;

		for (unsigned i = 0; i < m.shnum && rc < 0; i++) {
			uint64_t start = lo->sec_off[i];
			if (start == ELFMOD_NO_OFFSET || !(sh[i].sh_flags & SHF_EXECINSTR) ||
			    off < start || off >= start + sh[i].sh_size)
				continue;
			snprintf(sec, seclen, "%s", names + sh[i].sh_name);
			*secoff = off - start;
			rc = 0;
		}
	}
	if (f)
		fclose(f);
	free(img);
	free(lo);
	return rc;
}

size_t certify_symbolize_violations(struct certify_violation *v, size_t n, const char *elf,
				    const struct certify_modinfo *mods, size_t nmods)
{
	const char *t = getenv("TMPDIR");
	char dir[512];
	size_t done = 0;

	snprintf(dir, sizeof(dir), "%s/certify-sym.XXXXXX", t && *t ? t : "/tmp");
	if (n == 0 || !mkdtemp(dir))
		return 0;
	for (size_t i = 0; i < n && i < SYM_MAX_VIOLATIONS; i++) {
		char sec[64];
		uint64_t secoff;

		v[i].where[0] = '\0';
		if (!strcmp(v[i].module, "kernel")) {
			if (elf && access(elf, R_OK) == 0 &&
			    sym_one(elf, NULL, v[i].site, dir, v[i].where, sizeof(v[i].where)) == 0)
				done++;
			continue;
		}
		for (size_t k = 0; k < nmods; k++) {
			if (strcmp(mods[k].name, v[i].module) ||
			    sym_module_section(mods[k].path, v[i].off, sec, sizeof(sec), &secoff) < 0)
				continue;
			if (sym_one(mods[k].path, sec, secoff, dir, v[i].where, sizeof(v[i].where)) == 0)
				done++;
			break;
		}
	}
	rmdir(dir);
	return done;
}
