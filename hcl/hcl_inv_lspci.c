/*
 * lspci's human-readable output (pciutils 2.x and 3.x, lspci.c show_device): a header line
 * per function, "SLOT CLASS [cccc]: NAMES [vvvv:dddd] (rev rr) (prog-if pp [name])" with -nn,
 * "SLOT cccc: vvvv:dddd (rev rr)" with -n (older pciutils and busybox: "SLOT Class cccc:
 * vvvv:dddd"), names only without -n; -v/-vv/-vvv add indented lines ("Subsystem:", "Kernel
 * driver in use:", "Kernel modules:" with -k, "!!! Unknown header type 7f"), -x/-xxx/-xxxx add
 * the hex dump of the configuration space ("00: 86 80 ..."), from which the IDs are read
 * (PCI Local Bus Specification 3.0, section 6.1: vendor 00h, device 02h, revision 08h, class
 * 09h-0bh, header type 0eh, subsystem 2ch in header type 0 and 40h in type 2).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "hcl_inv.h"

enum hcl_hk { HK_NONE, HK_NN, HK_N, HK_PLAIN };

static const char *const hcl_hk_name[] = { "lspci", "lspci -nn", "lspci -n", "plain lspci" };

struct hcl_hdr {
	enum hcl_hk kind;
	long vid, did;
	char names[200];
	int busybox;			/* "Class cccc:" (old pciutils, busybox): not sorted */
};

/* The part after "(rev " / "(prog-if " in s, or -1. */
static long hcl_paren_hex(const char *s, const char *tag)
{
	const char *p = s, *q = NULL;
	size_t n = strlen(tag);

	while ((p = strstr(p, tag)))
		q = p++;
	return q ? hcl_hexn(q + n, 2) : -1;
}

static int hcl_hdr_parse(const char *l, size_t sl, struct hcl_dev *d, struct hcl_hdr *h)
{
	const char *r = l + sl + 1, *c, *pair;
	long cls, pi, rev;

	memset(h, 0, sizeof(*h));
	h->vid = h->did = -1;
	if (strncmp(r, "Class ", 6) == 0 && hcl_hexn(r + 6, 4) >= 0) {
		r += 6;
		h->busybox = 1;
	}
	if ((cls = hcl_hexn(r, 4)) >= 0 && r[4] == ':' && r[5] == ' ' &&
	    (h->vid = hcl_hexn(r + 6, 4)) >= 0 && r[10] == ':' && (h->did = hcl_hexn(r + 11, 4)) >= 0 &&
	    (r[15] == 0 || r[15] == ' ')) {
		h->kind = HK_N;
		d->class = (uint32_t)cls << 8;
		c = r + 15;
	} else {
		h->busybox = 0;
		h->vid = h->did = -1;
		r = l + sl + 1;
		for (c = strstr(r, "]: "); c && !(c - r >= 5 && c[-5] == '[' && hcl_hexn(c - 4, 4) >= 0);
		     c = strstr(c + 1, "]: "))
			;
		if (c && hcl_last_pair(c, strlen(c), &h->vid, &h->did, &pair) == 0) {
			h->kind = HK_NN;
			d->class = (uint32_t)hcl_hexn(c - 4, 4) << 8;
			snprintf(h->names, sizeof(h->names), "%.*s",
				 (int)(pair - c - 3 > 0 ? pair - c - 3 : 0), c + 3);
			if (h->names[0] && h->names[strlen(h->names) - 1] == ' ')
				h->names[strlen(h->names) - 1] = 0;
			c = pair + 11;
		} else if (strstr(r, ": ")) {
			h->kind = HK_PLAIN;
			c = r;
		} else {
			return -1;
		}
	}
	if ((pi = hcl_paren_hex(c, "(prog-if ")) >= 0)
		d->class |= (uint32_t)pi;
	if ((rev = hcl_paren_hex(c, "(rev ")) >= 0)
		d->rev = (int)rev;
	if (h->kind != HK_PLAIN) {
		d->vid = (uint16_t)h->vid;
		d->did = (uint16_t)h->did;
	}
	if (d->rev == 0xff)
		d->absent = "its configuration space reads all ones (rev ff)";
	return 0;
}

/* "00: 86 80 ..." (-x, -xxx) or "100: ..." (-xxxx): the offset, or -1. */
static long hcl_hex_line(const char *s, uint8_t bytes[16])
{
	int w = !s[0] || !s[1] || !s[2] ? 0 : s[2] == ':' ? 2 : s[3] == ':' ? 3 : 0;
	long off = w ? hcl_hexn(s, w) : -1;

	if (off < 0 || (off & 15))
		return -1;
	s += w + 1;
	for (int i = 0; i < 16; i++, s += 3) {
		long b = s[0] == ' ' ? hcl_hexn(s + 1, 2) : -1;

		if (b < 0)
			return -1;
		bytes[i] = (uint8_t)b;
	}
	return *s ? -1 : off;
}

struct hcl_cur {
	int active;
	struct hcl_dev d;
	struct hcl_hdr h;
	uint8_t cfg[4096];
	size_t nb, last_hex;
	size_t sub_line, drv_line;	/* where its Subsystem and driver lines were */
	int header7f;
};

static int hcl_cur_dump(struct hcl_inv *inv, struct hcl_cur *c, const char *name,
			struct hcl_err *err)
{
	const uint8_t *g = c->cfg;
	int allff = 1;

	if (c->nb == 0) {
		hcl_inv_warn(inv, "line %zu: %s has no hex dump (lspci could not read its "
			     "configuration space): not a device", c->d.line, c->d.slot);
		return 0;
	}
	if (c->nb != 64 && c->nb != 128 && c->nb != 256 && c->nb != 4096)
		return hcl_line_err(err, name, c->last_hex, "the hex dump of %s stops after %zu bytes "
				    "(lspci -x prints 64, -xxx 256, -xxxx 4096): the output looks cut "
				    "short", c->d.slot, c->nb);
	for (size_t i = 0; i < c->nb && allff; i++)
		allff = g[i] == 0xff;
	if (allff || (g[0] == 0xff && g[1] == 0xff)) {
		c->d.absent = "its configuration space dump is all ff";
		if (c->h.kind == HK_PLAIN || c->h.kind == HK_NONE)
			c->d.vid = c->d.did = 0xffff;
		return 0;
	}
	uint16_t vid = (uint16_t)(g[0] | g[1] << 8), did = (uint16_t)(g[2] | g[3] << 8);
	unsigned type = g[0x0e] & 0x7f, sub = type == 0 ? 0x2c : type == 2 ? 0x40 : 0;

	if (c->h.kind == HK_NN || c->h.kind == HK_N) {
		if (vid != c->d.vid || did != c->d.did)
			return hcl_line_err(err, name, c->d.line, "%s: the header says %04x:%04x but "
					    "its hex dump %04x:%04x", c->d.slot, c->d.vid, c->d.did,
					    vid, did);
	}
	c->d.vid = vid;
	c->d.did = did;
	c->d.rev = g[0x08];
	c->d.class = (uint32_t)g[0x0b] << 16 | (uint32_t)g[0x0a] << 8 | g[0x09];
	c->d.svid = c->d.ssid = 0;
	if (sub && c->nb >= sub + 4 && (g[sub] | g[sub + 1] << 8) != 0 &&
	    (g[sub] | g[sub + 1] << 8) != 0xffff) {
		c->d.svid = (uint16_t)(g[sub] | g[sub + 1] << 8);
		c->d.ssid = (uint16_t)(g[sub + 2] | g[sub + 3] << 8);
	}
	return 0;
}

static int hcl_cur_finish(struct hcl_inv *inv, struct hcl_cur *c, int dump, const char *name,
			  struct hcl_err *err)
{
	if (!c->active)
		return 0;
	c->active = 0;
	if (dump) {
		if (hcl_cur_dump(inv, c, name, err) < 0)
			return -1;
		if (c->nb == 0)
			return 0;
	}
	if (c->header7f && !c->d.absent)
		c->d.absent = "its configuration space reads all ones (!!! Unknown header type 7f)";
	hcl_dev_names(&c->d, NULL, NULL, c->h.kind == HK_NN ? c->h.names : NULL);
	return hcl_inv_add(inv, &c->d) < 0 ? hcl_errf(err, "out of memory") : 0;
}

/* A line lspci prints once per device, seen a second time: two outputs were mixed. */
static int hcl_cur_once(struct hcl_cur *c, size_t *at, const struct hcl_line *ln, const char *what,
			const char *name, struct hcl_err *err)
{
	if (*at)
		return hcl_line_err(err, name, ln->no, "a second %s line for %s (the first is line "
				    "%zu): lspci prints one; is this two outputs mixed?", what,
				    c->d.slot, *at);
	*at = ln->no;
	return 0;
}

/* An indented line of -v output. */
static int hcl_cur_attr(struct hcl_cur *c, const struct hcl_line *ln, const char *name,
			struct hcl_err *err)
{
	const char *s = ln->s;
	long a, b;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "Subsystem: ", 11) == 0) {
		const char *v = s + 11;

		if (hcl_cur_once(c, &c->sub_line, ln, "Subsystem", name, err) < 0)
			return -1;

		/* -vnn: "Dell Device [1028:0716]"; -vn: "1028:0716"; plain: names only. */
		if (c->h.kind == HK_NN && hcl_last_pair(v, strlen(v), &a, &b, NULL) == 0 && a) {
			c->d.svid = (uint16_t)a;
			c->d.ssid = (uint16_t)b;
		} else if (c->h.kind == HK_N && (a = hcl_hexn(v, 4)) > 0 && v[4] == ':' &&
			   (b = hcl_hexn(v + 5, 4)) >= 0 && v[9] == 0) {
			c->d.svid = (uint16_t)a;
			c->d.ssid = (uint16_t)b;
		}
	} else if (strncmp(s, "Kernel driver in use: ", 22) == 0) {
		if (hcl_cur_once(c, &c->drv_line, ln, "\"Kernel driver in use\"", name, err) < 0)
			return -1;
		snprintf(c->d.driver, sizeof(c->d.driver), "%s", s + 22);
	} else if (strncmp(s, "Kernel modules: ", 16) == 0) {
		snprintf(c->d.modules, sizeof(c->d.modules), "%s", s + 16);
	} else if (strncmp(s, "!!! Unknown header type 7f", 26) == 0) {
		c->header7f = 1;
	}
	return 0;
}

static int hcl_hex_add(struct hcl_cur *c, long off, const uint8_t bytes[16], size_t line,
		       const char *name, struct hcl_err *err)
{
	if ((size_t)off != c->nb)
		return hcl_line_err(err, name, line, "hex dump line at offset %lx after %zu bytes of %s: "
				    "lines are missing or repeated", off, c->nb, c->d.slot);
	if (c->nb + 16 > sizeof(c->cfg))
		return hcl_line_err(err, name, line, "hex dump of %s longer than 4096 bytes",
				    c->d.slot);
	memcpy(c->cfg + c->nb, bytes, 16);
	c->nb += 16;
	c->last_hex = line;
	return 0;
}

/* The first device line fixes the form; another form later is a second output. */
static int hcl_form(const struct hcl_cur *c, const struct hcl_line *ln, enum hcl_hk *kind,
		    int *domains, size_t *first, const char *name, struct hcl_err *err)
{
	int dom = c->d.slot[2] != ':';

	if (*kind == HK_NONE) {
		*kind = c->h.kind;
		*domains = dom;
		*first = ln->no;
		return 0;
	}
	if (c->h.kind != *kind)
		return hcl_line_err(err, name, ln->no, "a %s line in %s output (line %zu): formats "
				    "mixed in one file", hcl_hk_name[c->h.kind], hcl_hk_name[*kind],
				    *first);
	if (dom != *domains)
		return hcl_line_err(err, name, ln->no, "slot %s %s a domain, the slots from line %zu "
				    "%s: two outputs in one file", c->d.slot, dom ? "has" : "lacks",
				    *first, dom ? "do not" : "do");
	return 0;
}

static const char *hcl_lspci_format(enum hcl_hk kind, int verbose, int dump)
{
	if (dump)
		return "lspci -x";
	if (kind == HK_N)
		return verbose ? "lspci -vn" : "lspci -n";
	return verbose ? "lspci -vnn" : "lspci -nn";
}

int hcl_inv_lspci(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err)
{
	struct hcl_cur *c = calloc(1, sizeof(*c));
	enum hcl_hk kind = HK_NONE;
	int dump = 0, domains = 0, busybox = 0, rc = -1;
	size_t first = 0, blank = 0;	/* blank: the blank line after the current device */
	uint8_t bytes[16];

	if (!c)
		return hcl_errf(err, "out of memory");
	for (size_t i = 0; i < t->n && !dump; i++)
		dump = hcl_hex_line(t->l[i].s, bytes) >= 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct hcl_line *ln = &t->l[i];
		const char *s = ln->s;
		size_t sl;
		long off;

		if (!*s) {
			if (c->d.slot[0] && !blank)
				blank = ln->no;
			if (dump && hcl_cur_finish(inv, c, dump, t->name, err) < 0)
				goto out;
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			if (!c->active && !inv->n) {
				hcl_line_err(err, t->name, ln->no, "an indented line before any device");
				goto out;
			}
			/* lspci ends a device's block with a blank line and prints none inside
			 * one: a line after it lost its device line (cut or edited). */
			if (blank) {
				hcl_line_err(err, t->name, ln->no, "an indented line after the blank line "
					     "that ends %s's block (line %zu): the device line it belongs "
					     "to is missing", c->d.slot, blank);
				goto out;
			}
			t->verbose = 1;
			if (c->active && hcl_cur_attr(c, ln, t->name, err) < 0)
				goto out;
			continue;
		}
		if ((off = hcl_hex_line(s, bytes)) >= 0) {
			if (!c->active) {
				hcl_line_err(err, t->name, ln->no, "a hex dump line without its device line");
				goto out;
			}
			t->verbose = 1;
			if (hcl_hex_add(c, off, bytes, ln->no, t->name, err) < 0)
				goto out;
			continue;
		}
		sl = hcl_slot_parse(s, NULL, NULL, NULL, NULL);
		if (sl && s[sl] == '/') {
			hcl_line_err(err, t->name, ln->no, "slot paths (lspci -P/-PP) are not supported: "
				     "run lspci -nn without -P");
			goto out;
		}
		if (!sl || s[sl] != ' ') {
			char q[112];

			if (strncmp(s, "Bus ", 4) == 0 && strstr(s, " Device ") && strstr(s, ": ID "))
				hcl_line_err(err, t->name, ln->no, "lsusb output after the lspci output: "
					     "\"%s\" (give lspci's output alone)",
					     hcl_printable(q, sizeof(q), s, 100));
			else
				hcl_line_err(err, t->name, ln->no, "not part of %s output: \"%s\"",
					     kind == HK_NONE ? "lspci" : hcl_hk_name[kind],
					     hcl_printable(q, sizeof(q), s, 100));
			goto out;
		}
		if (hcl_cur_finish(inv, c, dump, t->name, err) < 0)
			goto out;
		memset(c, 0, sizeof(*c));
		blank = 0;
		hcl_dev_init(&c->d, s, sl, ln->no);
		if (hcl_hdr_parse(s, sl, &c->d, &c->h) < 0) {
			hcl_line_err(err, t->name, ln->no, "not an lspci device line (expected \"SLOT "
				     "CLASS [cccc]: NAME [vvvv:dddd]\", as lspci -nn prints it)");
			goto out;
		}
		if (hcl_form(c, ln, &kind, &domains, &first, t->name, err) < 0)
			goto out;
		if (c->h.kind == HK_PLAIN && !dump) {
			hcl_line_err(err, t->name, ln->no, "plain lspci output without numeric IDs: run "
				     "lspci -nn (or lspci -vvnn for the subsystem IDs)");
			goto out;
		}
		busybox |= c->h.busybox;
		c->active = 1;
	}
	if (hcl_cur_finish(inv, c, dump, t->name, err) < 0)
		goto out;
	inv->format = hcl_lspci_format(kind, t->verbose, dump);
	t->ordered = !busybox;
	rc = 0;
out:
	free(c);
	return rc;
}
