/* certify: symbolize panic addresses with addr2line. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "proc.h"
#include "strv.h"
#include "symbolize.h"

#define SYM_MAX_ADDRS 32

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
