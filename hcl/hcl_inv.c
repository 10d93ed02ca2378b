/*
 * Inventories of another machine (docs/hcl.md, "Inventories"): reading the input with a size
 * limit, taking out what is not the tool's output (libpci/lspci warnings, also spliced into a
 * line when stdout and stderr were captured together; shell prompt lines; a byte order mark),
 * finding the format by content, and the checks every format shares: a slot once, lspci's
 * own order (so two captures pasted together are refused), names, and the slot order of
 * the report. The formats are read in hcl_inv_lspci.c, hcl_inv_vmm.c, hcl_inv_boot.c and
 * hcl_invjson.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hcl_inv.h"

long hcl_hexn(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	}
	return v;
}

/* lspci prints the domain with at least 4 digits; Intel VMD domains have 5 (10000). */
size_t hcl_slot_parse(const char *s, uint32_t *domain, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	size_t off = 0, dl = 0;
	long b, d;

	while (dl < 9 && isxdigit((unsigned char)s[dl]))
		dl++;
	if (dl >= 4 && dl <= 8 && s[dl] == ':' && isxdigit((unsigned char)s[dl + 1]) &&
	    isxdigit((unsigned char)s[dl + 2]) && s[dl + 3] == ':')
		off = dl + 1;
	else if (dl != 2)
		return 0;
	if ((b = hcl_hexn(s + off, 2)) < 0 || s[off + 2] != ':' || (d = hcl_hexn(s + off + 3, 2)) < 0 ||
	    d > 0x1f || s[off + 5] != '.' || s[off + 6] < '0' || s[off + 6] > '7' ||
	    isxdigit((unsigned char)s[off + 7]))
		return 0;
	if (domain)
		*domain = off ? (uint32_t)strtoul(s, NULL, 16) : 0;
	if (bus)
		*bus = (uint8_t)b;
	if (dev)
		*dev = (uint8_t)d;
	if (fn)
		*fn = (uint8_t)(s[off + 6] - '0');
	return off + 7;
}

int hcl_last_pair(const char *s, size_t n, long *a, long *b, const char **at)
{
	for (size_t i = n; i >= 11; i--) {
		const char *p = s + i - 11;

		if (p[0] == '[' && p[5] == ':' && p[10] == ']' && (*a = hcl_hexn(p + 1, 4)) >= 0 &&
		    (*b = hcl_hexn(p + 6, 4)) >= 0) {
			if (at)
				*at = p;
			return 0;
		}
	}
	return -1;
}

void hcl_dev_init(struct hcl_dev *d, const char *s, size_t slot_len, size_t line)
{
	memset(d, 0, sizeof(*d));
	hcl_slot_parse(s, &d->domain, &d->bus, &d->dev, &d->fn);
	snprintf(d->slot, sizeof(d->slot), "%.*s", (int)slot_len, s);
	d->rev = -1;
	d->line = line;
}

/* "Device", "Device 1593", "Unknown device 1593": what lspci prints for a nameless device. */
static int hcl_generic_name(const char *s)
{
	if (strncmp(s, "Unknown device", 14) == 0)
		s += 14;
	else if (strncmp(s, "Device", 6) == 0)
		s += 6;
	else
		return 0;
	return *s == 0 || (s[0] == ' ' && hcl_hexn(s + 1, 4) >= 0 && s[5] == 0);
}

void hcl_dev_names(struct hcl_dev *d, const char *vin, const char *din, const char *both)
{
	char model[sizeof(d->model)];
	int known;
	size_t vl;

	hcl_names_ex(d->vid, d->did, d->vendor, sizeof(d->vendor), d->model, sizeof(d->model),
		     &known);
	if (!d->vendor[0] && vin && *vin && !hcl_generic_name(vin))
		snprintf(d->vendor, sizeof(d->vendor), "%s", vin);
	if (known)
		return;
	model[0] = 0;
	if (din) {
		snprintf(model, sizeof(model), "%s", din);
	} else if (both) {
		vl = strlen(d->vendor);
		if (vl && strncmp(both, d->vendor, vl) == 0 && both[vl] == ' ')
			snprintf(model, sizeof(model), "%s", both + vl + 1);
		else if (vin && strncmp(both, vin, strlen(vin)) == 0 && both[strlen(vin)] == ' ')
			snprintf(model, sizeof(model), "%s", both + strlen(vin) + 1);
		else if (*both) {
			/* The input names its vendor differently: keep its words, say them once. */
			snprintf(model, sizeof(model), "%s", both);
			d->vendor[0] = 0;
		}
	}
	if (model[0] && !hcl_generic_name(model))
		snprintf(d->model, sizeof(d->model), "%s", model);
}

int hcl_line_err(struct hcl_err *err, const char *name, size_t line, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return hcl_errf(err, "%s:%zu: %s", name, line, what);
}

void hcl_inv_warn(struct hcl_inv *inv, const char *fmt, ...)
{
	va_list ap;

	if (inv->nwarn < HCL_INV_MAX_WARN) {
		va_start(ap, fmt);
		vsnprintf(inv->warn[inv->nwarn], sizeof(inv->warn[0]), fmt, ap);
		va_end(ap);
	}
	inv->nwarn++;
}

int hcl_inv_add(struct hcl_inv *inv, const struct hcl_dev *d)
{
	struct hcl_dev *devs = hcl_grow(inv->devs, &inv->cap, inv->n, sizeof(*devs));

	if (!devs)
		return -1;
	inv->devs = devs;
	inv->devs[inv->n] = *d;
	/* Nothing answers with vendor ID ffff (PCI 3.0 section 6.2.1): the kernel's
	 * enumeration skips it, whatever the device ID beside it says. */
	if (d->vid == 0xffff && !d->absent)
		inv->devs[inv->n].absent = "vendor ID ffff: no function answers there";
	inv->n++;
	return 0;
}

void hcl_inv_free(struct hcl_inv *inv)
{
	free(inv->devs);
	memset(inv, 0, sizeof(*inv));
}

/* ---- What is not the tool's output ---- */

/* A libpci or lspci message, which lspci writes to stderr. */
static size_t hcl_noise_prefix(const char *l)
{
	if (strncmp(l, "pcilib: ", 8) == 0)
		return 8;
	if (strncmp(l, "lspci: ", 7) == 0)
		return 7;
	return 0;
}

/* Where a libpci or lspci message starts inside a line that does not start with one: with
 * stdout and stderr captured together (2>&1), stdout goes out in blocks and a message lands
 * wherever the block before it ended, often in the middle of a line ("\tCapabilities: [50]
 * Vital Prpcilib: sysfs_read_vpd: read failed: No such device" then "oduct Data"). 0: none. */
static size_t hcl_noise_inside(const char *l)
{
	const char *a = strstr(l, "pcilib: "), *b = strstr(l, "lspci: ");

	if (a && a > l && (!b || b == l || a < b))
		return (size_t)(a - l);
	return b && b > l ? (size_t)(b - l) : 0;
}

/* Where output that was printed into the middle of a message resumes: an indented line
 * (a tab) or a line that starts with a slot or a record tag. 0 when nothing follows. */
static size_t hcl_splice_at(const char *l, size_t from)
{
	for (size_t i = from; l[i]; i++) {
		const char *r = l + i;
		size_t sl;

		if (*r == '\t')
			return i;
		if (i > from && (sl = hcl_slot_parse(r, NULL, NULL, NULL, NULL)) &&
		    (r[sl] == ' ' || r[sl] == 0) && r[-1] != ':' && r[-1] != '/') {
			/* "...No such device0000:06:00.0": a letter before a domain is the
			 * message's ("e0000" would be a domain too; VMD's start with 1). */
			if (isalpha((unsigned char)*r) && hcl_slot_parse(r + 1, NULL, NULL, NULL, NULL))
				return i + 1;
			return i;
		}
		if (i > from && isupper((unsigned char)*r) && !isalpha((unsigned char)r[-1])) {
			size_t k = 0;

			while (isalnum((unsigned char)r[k]))
				k++;
			if (k && r[k] == ':' && r[k + 1] == '\t')
				return i;
		}
	}
	return 0;
}

/* A shell prompt with an lspci command ("root@r640:~# lspci -vvnn", "$ lspci -nn | grep
 * Eth"), or a bare prompt ("~ #"): where the command starts (or the line length), 0 if none. */
static size_t hcl_prompt(const char *l)
{
	const char *c = strstr(l, "lspci");
	size_t n = strlen(l);

	if (c && (c[5] == ' ' || c[5] == 0)) {
		const char *p = c;

		while (p > l && p[-1] == ' ')
			p--;
		if (p - l >= 4 && strncmp(p - 4, "sudo", 4) == 0) {
			p -= 4;
			while (p > l && p[-1] == ' ')
				p--;
		}
		if (p == l || strchr("$#%>", p[-1]))
			return (size_t)(c - l) + 1;
	}
	if (n && n <= 64 && strchr("$#%>", l[n - 1]) && !hcl_slot_parse(l, NULL, NULL, NULL, NULL) &&
	    !isspace((unsigned char)l[0]) && !strchr(l, '\t') && strchr(l, ' ') == strrchr(l, ' '))
		return n;
	return 0;
}

/* A line quoted in a warning or an error (the first 100 bytes). */
static void hcl_quote(char *out, size_t cap, const char *s, size_t n)
{
	hcl_printable(out, cap, s, n > 100 ? 100 : n);
}

struct hcl_front {
	size_t prompts[8];		/* lines of prompts after the first device may appear */
	size_t nprompts;
	size_t last_content;		/* the last line that is output */
	int unterminated;		/* the input does not end with a line end */
};

static void hcl_note_filter(struct hcl_inv *inv, const char *cmd)
{
	if (!inv->filter[0] && (strstr(cmd, "grep") || strstr(cmd, " -s ") || strstr(cmd, " -d ") ||
				strstr(cmd, "head") || strstr(cmd, "tail")))
		snprintf(inv->filter, sizeof(inv->filter), "%s", cmd);
}

/* The start of a line cut by a message, put back in front of the rest of it: the text lies
 * before rest in the same buffer, with the message between, so it moves in place. */
static void hcl_rejoin(struct hcl_line *rest, const struct hcl_line *held)
{
	size_t n = strlen(held->s);

	memmove(rest->s - n, held->s, n);
	rest->s -= n;
	rest->no = held->no;
}

static int hcl_front(struct hcl_inv *inv, struct hcl_text *t, struct hcl_front *f)
{
	struct hcl_line held = { NULL, 0 };	/* the start of a line a message cut */
	size_t out = 0;
	char q[128];

	for (size_t i = 0; i < t->n; i++) {
		struct hcl_line ln = t->l[i];
		size_t pre = hcl_noise_prefix(ln.s), at, pl, mid;

		if (!pre && (mid = hcl_noise_inside(ln.s)) != 0 && !hcl_prompt(ln.s)) {
			hcl_quote(q, sizeof(q), ln.s + mid, strlen(ln.s + mid));
			hcl_inv_warn(inv, "line %zu: skipped a message lspci wrote to stderr into "
				     "the middle of a line (the line goes on at the next one): \"%s\"",
				     ln.no, q);
			ln.s[mid] = 0;
			if (held.s)
				hcl_rejoin(&ln, &held);
			held = ln;
			continue;
		}
		if (pre) {
			at = hcl_splice_at(ln.s, pre);
			char keep = ln.s[at];

			if (at)
				ln.s[at] = 0;	/* the message alone (the line is our copy) */
			hcl_quote(q, sizeof(q), ln.s, strlen(ln.s));
			if (at)
				ln.s[at] = keep;
			hcl_inv_warn(inv, "line %zu: skipped a message lspci wrote to stderr: \"%s\"",
				     ln.no, q);
			if (!at)
				continue;	/* a line a message cut goes on after it */
			ln.s += at;
		} else if ((pl = hcl_prompt(ln.s)) != 0) {
			hcl_quote(q, sizeof(q), ln.s, strlen(ln.s));
			hcl_inv_warn(inv, "line %zu: skipped a shell prompt: \"%s\"", ln.no, q);
			hcl_note_filter(inv, strstr(ln.s, "lspci") ? strstr(ln.s, "lspci") : ln.s);
			if (f->nprompts < 8)
				f->prompts[f->nprompts++] = ln.no;
			continue;
		}
		if (held.s) {
			hcl_rejoin(&ln, &held);
			held.s = NULL;
		}
		if (*ln.s)
			f->last_content = ln.no;
		t->l[out++] = ln;
	}
	if (held.s) {		/* the output ended in the message: what was before it stays */
		f->last_content = held.no;
		t->l[out++] = held;
	}
	t->n = out;
	return 0;
}

/* Lines of a copy of text; the common indentation of a pasted block is taken off. */
static int hcl_lines(const char *name, char *text, struct hcl_text *t, int *unterminated)
{
	size_t n = 1, cap;
	char *p = text;

	for (const char *q = text; (q = strchr(q, '\n')); q++)
		n++;
	cap = n;
	t->name = name;
	t->l = malloc(cap * sizeof(*t->l));
	if (!t->l)
		return -1;
	t->n = 0;
	*unterminated = *text && text[strlen(text) - 1] != '\n';
	for (size_t no = 1; *p; no++) {
		char *nl = strchr(p, '\n'), *e;

		if (nl)
			*nl = 0;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		t->l[t->n++] = (struct hcl_line){ p, no };
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* A block pasted with an indentation (a mail quote, a Markdown code block): the prefix of
 * the first line when that line, without it, starts with a slot or a record tag. */
static void hcl_unindent(struct hcl_text *t)
{
	size_t k = 0, ind;
	const char *s;

	while (k < t->n && !*t->l[k].s)
		k++;
	if (k == t->n)
		return;
	s = t->l[k].s;
	ind = strspn(s, " \t");
	if (!ind || !(hcl_slot_parse(s + ind, NULL, NULL, NULL, NULL) ||
		      strncmp(s + ind, "Slot:\t", 6) == 0))
		return;
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->l[i].s, s, ind) == 0)
			t->l[i].s += ind;
}

/* ---- After the format reader ---- */

static int hcl_slot_cmp3(const struct hcl_dev *a, const struct hcl_dev *b)
{
	uint64_t x = (uint64_t)a->domain << 16 | a->bus << 8 | a->dev << 3 | a->fn;
	uint64_t y = (uint64_t)b->domain << 16 | b->bus << 8 | b->dev << 3 | b->fn;

	return x < y ? -1 : x > y;
}

static int hcl_dev_qcmp(const void *a, const void *b)
{
	int c = hcl_slot_cmp3(a, b);

	return c ? c : ((const struct hcl_dev *)a)->line < ((const struct hcl_dev *)b)->line ? -1 : 1;
}

static int hcl_inv_order(struct hcl_inv *inv, const char *name, int ordered, struct hcl_err *err)
{
	struct hcl_dev *sorted;

	/* lspci sorts by domain, bus, device, function: going back means a second capture. */
	for (size_t i = 1; ordered && i < inv->n; i++) {
		const struct hcl_dev *a = &inv->devs[i - 1], *b = &inv->devs[i];
		int c = hcl_slot_cmp3(a, b);

		if (c == 0)
			return hcl_line_err(err, name, b->line, "slot %s listed twice (also line %zu)",
					    b->slot, a->line);
		if (c > 0)
			return hcl_line_err(err, name, b->line, "slot %s comes after %s (line %zu); "
					    "lspci prints slots in order, so these are two outputs "
					    "one after the other", b->slot, a->slot, a->line);
	}
	sorted = malloc((inv->n ? inv->n : 1) * sizeof(*sorted));
	if (!sorted)
		return hcl_errf(err, "out of memory");
	if (inv->n)
		memcpy(sorted, inv->devs, inv->n * sizeof(*sorted));
	qsort(sorted, inv->n, sizeof(*sorted), hcl_dev_qcmp);
	for (size_t i = 1; i < inv->n; i++)
		if (hcl_slot_cmp3(&sorted[i - 1], &sorted[i]) == 0) {
			int rc = sorted[i].line ?
				 hcl_line_err(err, name, sorted[i].line, "slot %s listed twice (also "
					      "line %zu)", sorted[i].slot, sorted[i - 1].line) :
				 hcl_errf(err, "%s: slot %s listed twice", name, sorted[i].slot);

			free(sorted);
			return rc;
		}
	free(inv->devs);
	inv->devs = sorted;
	inv->cap = inv->n ? inv->n : 1;
	return 0;
}

/* A prompt line between devices starts another command's output. */
static int hcl_inv_prompts(const struct hcl_inv *inv, const char *name, const struct hcl_front *f,
			   struct hcl_err *err)
{
	for (size_t k = 0; k < f->nprompts; k++) {
		int before = 0, after = 0;

		for (size_t i = 0; i < inv->n; i++) {
			before |= inv->devs[i].line && inv->devs[i].line < f->prompts[k];
			after |= inv->devs[i].line > f->prompts[k];
		}
		if (before && after)
			return hcl_line_err(err, name, f->prompts[k], "a shell prompt between devices: "
					    "two command outputs in one file");
	}
	return 0;
}

int hcl_inv_parse(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err)
{
	return hcl_inv_parse_as(inv, name, text, NULL, err);
}

/* The reader the first line asks for. */
static int hcl_inv_detect(struct hcl_inv *inv, struct hcl_text *t, size_t k, struct hcl_err *err)
{
	const char *first = t->l[k].s, *name = t->name;
	size_t sl = hcl_slot_parse(first, NULL, NULL, NULL, NULL);
	char q[128];

	if (strncmp(first, "Slot:\t", 6) == 0 || strncmp(first, "Device:\t", 8) == 0 ||
	    strncmp(first, "Slot:", 5) == 0)
		return hcl_inv_vmm(inv, t, err);
	if (first[0] == '-' || strncmp(first, "+-", 2) == 0 || strncmp(first, "\\-", 2) == 0)
		return hcl_line_err(err, name, t->l[k].no, "this is lspci -t output (a tree without "
				    "IDs); run lspci -nn, or lspci -vvnn for the subsystem IDs");
	for (size_t i = k; i < t->n; i++)
		if (hcl_inv_is_boot_line(t->l[i].s))
			return hcl_inv_boot(inv, t, err);
	if (sl && first[sl] == ' ' && first[sl + 1] == '"')
		return hcl_inv_mm(inv, t, err);
	if (sl)
		return hcl_inv_lspci(inv, t, err);
	if (strncmp(first, "Bus ", 4) == 0 && strstr(first, " Device ") && strstr(first, " ID "))
		return hcl_line_err(err, name, t->l[k].no, "this is lsusb output, not lspci");
	hcl_quote(q, sizeof(q), first, strlen(first));
	return hcl_line_err(err, name, t->l[k].no, "not lspci output: \"%s\" (expected lspci -nn, "
			    "-vvnn, -vmmnn or -x output, a JSON inventory or an hvkernel boot log)", q);
}

int hcl_inv_parse_as(struct hcl_inv *inv, const char *name, const char *text, const char *reader,
		     struct hcl_err *err)
{
	struct hcl_text t = { 0 };
	struct hcl_front f = { { 0 }, 0, 0, 0 };
	const char *p = text;
	char *copy = NULL;
	size_t k;
	int rc = -1;

	memset(inv, 0, sizeof(*inv));
	if ((unsigned char)p[0] == 0xff && (unsigned char)p[1] == 0xfe)
		return hcl_errf(err, "%s: UTF-16 text (as Windows PowerShell redirection writes it); "
				"convert it: iconv -f UTF-16 -t UTF-8 %s", name, name);
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0) {
		hcl_inv_warn(inv, "line 1: skipped a UTF-8 byte order mark");
		p += 3;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (reader ? strcmp(reader, "json") == 0 : *p == '{') {
		rc = hcl_inv_json(inv, name, p, err);
		goto check;
	}
	copy = strdup(p == text ? text : p);
	if (!copy || hcl_lines(name, copy, &t, &f.unterminated) < 0) {
		hcl_errf(err, "out of memory");
		goto out;
	}
	hcl_front(inv, &t, &f);
	hcl_unindent(&t);
	for (k = 0; k < t.n && !*t.l[k].s; k++)
		;
	if (k == t.n) {
		hcl_errf(err, "%s: no PCI devices found (expected lspci -nn, -vvnn, -vmmnn or -x "
			 "output, a JSON inventory or an hvkernel boot log)", name);
		goto out;
	}
	if (!reader)
		rc = hcl_inv_detect(inv, &t, k, err);
	else if (strcmp(reader, "vmm") == 0)
		rc = hcl_inv_vmm(inv, &t, err);
	else if (strcmp(reader, "mm") == 0)
		rc = hcl_inv_mm(inv, &t, err);
	else if (strcmp(reader, "boot") == 0)
		rc = hcl_inv_boot(inv, &t, err);
	else
		rc = hcl_inv_lspci(inv, &t, err);
	if (rc < 0)
		goto out;
	if (f.unterminated && t.verbose && f.last_content == t.l[t.n - 1].no) {
		rc = hcl_line_err(err, name, f.last_content, "the last line has no line end: the "
				  "output looks cut short");
		goto out;
	}
	if ((rc = hcl_inv_prompts(inv, name, &f, err)) < 0)
		goto out;
	rc = hcl_inv_order(inv, name, t.ordered, err);
check:
	if (rc == 0 && inv->n == 0)
		rc = hcl_errf(err, "%s: no PCI devices found (expected lspci -nn, -vvnn, -vmmnn or "
			      "-x output, a JSON inventory or an hvkernel boot log)", name);
	if (rc == 0 && !t.l)
		rc = hcl_inv_order(inv, name, 0, err);
out:
	free(t.l);
	free(copy);
	if (rc < 0)
		hcl_inv_free(inv);
	return rc;
}

/* Reads at most HCL_INPUT_MAX bytes; stops at the first NUL (binary data, UTF-16, /dev/zero). */
static int hcl_inv_slurp(int fd, const char *name, char **out, struct hcl_err *err)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap + 1);
	struct stat st;

	if (!b)
		return hcl_errf(err, "%s: out of memory", name);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > (off_t)HCL_INPUT_MAX) {
		free(b);
		return hcl_errf(err, "%s: %lld bytes; an inventory is at most %u MiB (is this an "
				"lspci output?)", name, (long long)st.st_size, HCL_INPUT_MAX >> 20);
	}
	for (;;) {
		ssize_t got;

		if (n > HCL_INPUT_MAX) {
			free(b);
			return hcl_errf(err, "%s: more than %u MiB; an inventory is smaller (is this an "
					"lspci output?)", name, HCL_INPUT_MAX >> 20);
		}
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb) {
				free(b);
				return hcl_errf(err, "%s: out of memory", name);
			}
			b = nb;
			cap *= 2;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(b);
			return hcl_errf(err, "%s: %s", name, strerror(e));
		}
		if (got == 0)
			break;
		char *z = memchr(b + n, 0, (size_t)got);

		if (z) {
			size_t at = (size_t)(z - b);
			int utf16 = at + 1 < n + (size_t)got && at > 0 && ((at & 1) || b[at + 1] == 0);

			free(b);
			if (utf16 || (at < 2 && n + (size_t)got > 1))
				return hcl_errf(err, "%s: UTF-16 text or binary data (a NUL byte at "
						"offset %zu); an lspci output is plain text (convert "
						"UTF-16 with iconv -f UTF-16 -t UTF-8)", name, at);
			return hcl_errf(err, "%s: binary data (a NUL byte at offset %zu); not an "
					"inventory", name, at);
		}
		n += (size_t)got;
	}
	b[n] = 0;
	*out = b;
	return 0;
}

int hcl_inv_read(struct hcl_inv *inv, const char *path, struct hcl_err *err)
{
	int stdin_in = strcmp(path, "-") == 0;
	const char *name = stdin_in ? "(standard input)" : path;
	int fd = stdin_in ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;
	int rc;

	memset(inv, 0, sizeof(*inv));
	if (fd < 0)
		return hcl_errf(err, "%s: %s", path, strerror(errno));
	rc = hcl_inv_slurp(fd, name, &text, err);
	if (!stdin_in)
		close(fd);
	if (rc < 0)
		return -1;
	rc = hcl_inv_parse(inv, name, text, err);
	free(text);
	return rc;
}
