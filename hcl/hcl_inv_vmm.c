/*
 * lspci's machine-readable output (pciutils lspci.c show_machine): -vmm records of
 * "Tag:<TAB>value" lines separated by blank lines ("Slot:" since pciutils 2.2.4, "Device:"
 * for the slot before that), and -mm one-line records: SLOT "class" "vendor" "device"
 * [-rREV] [-pPROGIF] "svendor" "sdevice". With -nn a value is "Name [xxxx]", with -n just
 * "xxxx"; without -n there are no IDs and the input is refused. Unknown tags are ignored.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "hcl_inv.h"

/* The ID in a value "Name [xxxx]" or "xxxx" (digits: 4, or 2 for ProgIf/Rev), or -1; the
 * name part (without " [xxxx]") into name. */
static long hcl_val_id(const char *v, int digits, char *name, size_t nlen)
{
	size_t n = strlen(v);

	if (name)
		name[0] = 0;
	if ((int)n == digits && hcl_hexn(v, digits) >= 0)
		return hcl_hexn(v, digits);
	if ((int)n >= digits + 3 && v[n - 1] == ']' && v[n - digits - 2] == '[' &&
	    hcl_hexn(v + n - digits - 1, digits) >= 0) {
		if (name)
			snprintf(name, nlen, "%.*s", (int)(n - digits - 2 > 0 && v[n - digits - 3] == ' ' ?
							   n - digits - 3 : n - digits - 2), v);
		return hcl_hexn(v + n - digits - 1, digits);
	}
	return -1;
}

struct hcl_rec {
	struct hcl_dev d;
	int have;			/* 1 slot, 2 class, 4 vendor, 8 device */
	char vname[96], dname[128];
	size_t last;
};

static int hcl_rec_finish(struct hcl_inv *inv, struct hcl_rec *r, const char *name,
			  struct hcl_err *err)
{
	static const char *const what[] = { "Slot", "Class", "Vendor", "Device" };

	if (!r->have)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!(r->have & 1 << i))
			return hcl_line_err(err, name, r->last, "record%s%s without %s: the output looks "
					    "cut short", r->have & 1 ? " " : "",
					    r->have & 1 ? r->d.slot : "", what[i]);
	if (r->d.rev == 0xff)
		r->d.absent = "its configuration space reads all ones (Rev ff)";
	hcl_dev_names(&r->d, r->vname, r->dname, NULL);
	if (hcl_inv_add(inv, &r->d) < 0)
		return hcl_errf(err, "out of memory");
	memset(r, 0, sizeof(*r));
	return 0;
}

static int hcl_noid(const char *name, size_t line, const char *tag, struct hcl_err *err)
{
	return hcl_line_err(err, name, line, "%s without a numeric ID: this is lspci -vmm output "
			    "without -nn; run lspci -vmmnn", tag);
}

/* One "Tag:<TAB>value" line of record r. */
static int hcl_vmm_line(struct hcl_rec *r, char *l, const struct hcl_line *ln, const char *name,
			struct hcl_err *err)
{
	char *tab = strchr(l, '\t');
	const char *v;
	size_t sl;
	long id;

	char q[112];

	if (!tab || tab == l || tab[-1] != ':')
		return hcl_line_err(err, name, ln->no, "expected \"Tag:<TAB>value\" in lspci -vmm "
				    "output, not \"%s\"", hcl_printable(q, sizeof(q), l, 100));
	*tab = 0;
	v = tab + 1;
	r->last = ln->no;
	/* The slot: "Slot:", or the first "Device:" of a record in pciutils before 2.2.4. */
	if (strcmp(l, "Slot:") == 0 || (strcmp(l, "Device:") == 0 && !(r->have & 1) &&
					(sl = hcl_slot_parse(v, NULL, NULL, NULL, NULL)) && !v[sl])) {
		sl = hcl_slot_parse(v, NULL, NULL, NULL, NULL);
		if (!sl || v[sl])
			return hcl_line_err(err, name, ln->no, "\"%s\" is not a PCI slot",
					    hcl_printable(q, sizeof(q), v, 40));
		hcl_dev_init(&r->d, v, sl, ln->no);
		r->have |= 1;
		return 0;
	}
	if (!(r->have & 1))
		return hcl_line_err(err, name, ln->no, "%s before the record's Slot",
				    hcl_printable(q, sizeof(q), l, 40));
	if (strcmp(l, "Class:") == 0) {
		if ((id = hcl_val_id(v, 4, NULL, 0)) < 0)
			return hcl_noid(name, ln->no, hcl_printable(q, sizeof(q), l, 40), err);
		r->d.class = (r->d.class & 0xff) | (uint32_t)id << 8;
		r->have |= 2;
	} else if (strcmp(l, "Vendor:") == 0 || strcmp(l, "Device:") == 0) {
		int dev = l[0] == 'D';

		if ((id = hcl_val_id(v, 4, dev ? r->dname : r->vname,
				     dev ? sizeof(r->dname) : sizeof(r->vname))) < 0)
			return hcl_noid(name, ln->no, hcl_printable(q, sizeof(q), l, 40), err);
		if (dev)
			r->d.did = (uint16_t)id;
		else
			r->d.vid = (uint16_t)id;
		r->have |= dev ? 8 : 4;
	} else if (strcmp(l, "SVendor:") == 0 || strcmp(l, "SDevice:") == 0) {
		if ((id = hcl_val_id(v, 4, NULL, 0)) < 0)
			return hcl_noid(name, ln->no, hcl_printable(q, sizeof(q), l, 40), err);
		if (l[1] == 'V')
			r->d.svid = (uint16_t)id;
		else
			r->d.ssid = (uint16_t)id;
	} else if (strcmp(l, "Rev:") == 0 && hcl_hexn(v, 2) >= 0 && !v[2]) {
		r->d.rev = (int)hcl_hexn(v, 2);
	} else if (strcmp(l, "ProgIf:") == 0 && hcl_hexn(v, 2) >= 0 && !v[2]) {
		r->d.class = (r->d.class & ~0xffu) | (uint32_t)hcl_hexn(v, 2);
	} else if (strcmp(l, "Driver:") == 0) {
		snprintf(r->d.driver, sizeof(r->d.driver), "%s", v);
	} else if (strcmp(l, "Module:") == 0) {
		size_t n = strlen(r->d.modules);

		snprintf(r->d.modules + n, sizeof(r->d.modules) - n, "%s%s", n ? ", " : "", v);
	}
	/* Other tags (PhySlot, NUMANode, IOMMUGroup, ...) say nothing the check needs. */
	return 0;
}

int hcl_inv_vmm(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err)
{
	struct hcl_rec r;

	memset(&r, 0, sizeof(r));
	t->verbose = 1;
	t->ordered = 1;
	for (size_t i = 0; i < t->n; i++) {
		const struct hcl_line *ln = &t->l[i];

		if (!*ln->s) {
			if (hcl_rec_finish(inv, &r, t->name, err) < 0)
				return -1;
			continue;
		}
		/* A new Slot: line also ends a record whose blank line got lost. */
		if (strncmp(ln->s, "Slot:\t", 6) == 0 && r.have && hcl_rec_finish(inv, &r, t->name, err) < 0)
			return -1;
		if (hcl_vmm_line(&r, ln->s, ln, t->name, err) < 0)
			return -1;
	}
	if (hcl_rec_finish(inv, &r, t->name, err) < 0)
		return -1;
	/* svid 0000 ("Unknown [0000]") means no subsystem IDs. */
	for (size_t i = 0; i < inv->n; i++)
		if (!inv->devs[i].svid)
			inv->devs[i].ssid = 0;
	inv->format = "lspci -vmmnn";
	return 0;
}

/* The next "..." field of an -mm line at *p: its contents into out; 0, or -1. */
static int hcl_mm_field(const char **p, char *out, size_t cap)
{
	const char *s = *p, *q;

	while (*s == ' ')
		s++;
	if (*s != '"' || !(q = strchr(s + 1, '"')))
		return -1;
	snprintf(out, cap, "%.*s", (int)(q - s - 1), s + 1);
	*p = q + 1;
	return 0;
}

int hcl_inv_mm(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err)
{
	t->ordered = 1;
	for (size_t i = 0; i < t->n; i++) {
		const struct hcl_line *ln = &t->l[i];
		const char *p = ln->s;
		char f[5][160], vn[96], dn[128];
		struct hcl_dev d;
		long cls, v, dv, sv = 0, sd = 0;
		size_t sl;

		if (!*p)
			continue;
		sl = hcl_slot_parse(p, NULL, NULL, NULL, NULL);
		if (!sl || p[sl] != ' ')
			return hcl_line_err(err, t->name, ln->no, "not an lspci -mm line");
		hcl_dev_init(&d, p, sl, ln->no);
		p += sl;
		if (hcl_mm_field(&p, f[0], sizeof(f[0])) < 0 || hcl_mm_field(&p, f[1], sizeof(f[1])) < 0 ||
		    hcl_mm_field(&p, f[2], sizeof(f[2])) < 0)
			return hcl_line_err(err, t->name, ln->no, "not an lspci -mm line (expected SLOT "
					    "\"class\" \"vendor\" \"device\")");
		while (*p == ' ' && p[1] == '-') {
			if (p[2] == 'r' && hcl_hexn(p + 3, 2) >= 0)
				d.rev = (int)hcl_hexn(p + 3, 2);
			else if (p[2] == 'p' && hcl_hexn(p + 3, 2) >= 0)
				d.class |= (uint32_t)hcl_hexn(p + 3, 2);
			p = strchr(p + 1, ' ') ? strchr(p + 1, ' ') : p + strlen(p);
		}
		if (hcl_mm_field(&p, f[3], sizeof(f[3])) == 0 && hcl_mm_field(&p, f[4], sizeof(f[4])) == 0 &&
		    f[3][0]) {
			if ((sv = hcl_val_id(f[3], 4, NULL, 0)) < 0 || (sd = hcl_val_id(f[4], 4, NULL, 0)) < 0)
				return hcl_line_err(err, t->name, ln->no, "subsystem without a numeric ID: "
						    "run lspci -mmnn");
		}
		if ((cls = hcl_val_id(f[0], 4, NULL, 0)) < 0 || (v = hcl_val_id(f[1], 4, vn, sizeof(vn))) < 0 ||
		    (dv = hcl_val_id(f[2], 4, dn, sizeof(dn))) < 0)
			return hcl_line_err(err, t->name, ln->no, "lspci -mm output without numeric IDs: "
					    "run lspci -mmnn");
		d.class |= (uint32_t)cls << 8;
		d.vid = (uint16_t)v;
		d.did = (uint16_t)dv;
		if (sv) {
			d.svid = (uint16_t)sv;
			d.ssid = (uint16_t)sd;
		}
		if (d.rev == 0xff)
			d.absent = "its configuration space reads all ones (-rff)";
		hcl_dev_names(&d, vn, dn, NULL);
		if (hcl_inv_add(inv, &d) < 0)
			return hcl_errf(err, "out of memory");
	}
	inv->format = "lspci -mmnn";
	return 0;
}
