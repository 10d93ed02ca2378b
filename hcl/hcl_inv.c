/*
 * Inventories of another machine, detected by content: a JSON inventory, an `lspci -x`
 * dump (through libpci, hcl_pci.c), `lspci -vmmnn` records, an hvkernel boot log (COM1
 * lines from boot_report_pci), or `lspci -nn` / `-vnn` / `-vvnn`. docs/hcl.md lists them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "hcl.h"

/* Parses n hex digits at s exactly; -1 if they are not hex. */
static long hcl_hexn(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	}
	return v;
}

/* A slot "bb:dd.f" or "dddd:bb:dd.f" at s: its length, or 0. */
static size_t hcl_slot_len(const char *s)
{
	size_t off = 0;

	if (hcl_hexn(s, 4) >= 0 && s[4] == ':')
		off = 5;
	if (hcl_hexn(s + off, 2) < 0 || s[off + 2] != ':' || hcl_hexn(s + off + 3, 2) < 0 ||
	    s[off + 5] != '.' || s[off + 6] < '0' || s[off + 6] > '7')
		return 0;
	return off + 7;
}

static void hcl_dev_names(struct hcl_dev *d, const char *fallback)
{
	hcl_names(d->vid, d->did, d->svid, d->ssid, d->vendor, sizeof(d->vendor), d->model,
		  sizeof(d->model));
	if (strncmp(d->model, "Device ", 7) == 0 && fallback && fallback[0])
		snprintf(d->model, sizeof(d->model), "%s", fallback);
}

/* The last "[xxxx:xxxx]" in s[0..n): 0 and the IDs, or -1. */
static int hcl_last_pair(const char *s, size_t n, long *a, long *b, const char **at)
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

/* lspci -nn header: SLOT CLASS NAME [cccc]: NAMES [vvvv:dddd] (rev rr) (prog-if pp [..]) */
static int hcl_nn_line(const char *line, struct hcl_dev *d)
{
	size_t sl = hcl_slot_len(line), n = strlen(line);
	const char *c = strstr(line, "]: "), *ids, *pi;
	long v, dv, cls;
	char names[128];

	if (!sl || line[sl] != ' ' || !c || c - line < 6 || c[-5] != '[' ||
	    (cls = hcl_hexn(c - 4, 4)) < 0 || hcl_last_pair(c, n - (size_t)(c - line), &v, &dv, &ids) < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	snprintf(d->slot, sizeof(d->slot), "%.*s", (int)sl, line);
	d->vid = (uint16_t)v;
	d->did = (uint16_t)dv;
	d->class = (uint32_t)cls << 8;
	pi = strstr(ids, "(prog-if ");
	if (pi && hcl_hexn(pi + 9, 2) >= 0)
		d->class |= (uint32_t)hcl_hexn(pi + 9, 2);
	snprintf(names, sizeof(names), "%.*s", (int)(ids - c - 4 > 0 ? ids - c - 4 : 0), c + 3);
	hcl_dev_names(d, names);
	return 0;
}

static char *hcl_next_line(char **p)
{
	char *l = *p, *nl;

	if (!*l)
		return NULL;
	nl = strchr(l, '\n');
	if (nl) {
		*nl = 0;
		*p = nl + 1;
	} else {
		*p = l + strlen(l);
	}
	if (nl && nl > l && nl[-1] == '\r')
		nl[-1] = 0;
	return l;
}

static int hcl_parse_nn(struct hcl_inv *inv, const char *name, char *text, struct hcl_err *err)
{
	struct hcl_dev *cur = NULL;
	size_t ln = 0;

	for (char *l; (l = hcl_next_line(&text)); ) {
		struct hcl_dev d;
		long a, b;

		ln++;
		if (!*l)
			continue;
		if (*l == '\t' || *l == ' ') {
			while (*l == '\t' || *l == ' ')
				l++;
			if (!cur)
				return hcl_errf(err, "%s:%zu: indented line before any device", name, ln);
			if (strncmp(l, "Subsystem:", 10) == 0 &&
			    hcl_last_pair(l, strlen(l), &a, &b, NULL) == 0 && a != 0) {
				cur->svid = (uint16_t)a;
				cur->ssid = (uint16_t)b;
			} else if (strncmp(l, "Kernel driver in use: ", 22) == 0) {
				snprintf(cur->driver, sizeof(cur->driver), "%s", l + 22);
			}
			continue;
		}
		if (hcl_nn_line(l, &d) < 0)
			return hcl_errf(err, "%s:%zu: not an lspci -nn line (expected \"SLOT CLASS "
					"[cccc]: NAME [vvvv:dddd]\"; plain lspci lacks the IDs)", name, ln);
		if (hcl_inv_add(inv, &d) < 0)
			return hcl_errf(err, "out of memory");
		cur = &inv->devs[inv->n - 1];
	}
	inv->format = "lspci-nn";
	return 0;
}

/* The ID in a -vmmnn value "Name [xxxx]" (or "Name [cccc]" for Class). */
static long hcl_vmm_id(const char *v)
{
	size_t n = strlen(v);

	if (n < 6 || v[n - 1] != ']' || v[n - 6] != '[')
		return -1;
	return hcl_hexn(v + n - 5, 4);
}

static int hcl_vmm_finish(struct hcl_inv *inv, struct hcl_dev *d, int have, const char *name,
			  size_t ln, struct hcl_err *err)
{
	if (have != 0x7)
		return hcl_errf(err, "%s:%zu: record without %s", name, ln,
				!(have & 1) ? "Slot" : !(have & 2) ? "Class" : "Vendor/Device IDs");
	hcl_dev_names(d, NULL);
	return hcl_inv_add(inv, d) < 0 ? hcl_errf(err, "out of memory") : 0;
}

static int hcl_parse_vmm(struct hcl_inv *inv, const char *name, char *text, struct hcl_err *err)
{
	struct hcl_dev d;
	int have = 0, vd = 0;
	size_t ln = 0;

	memset(&d, 0, sizeof(d));
	for (char *l; (l = hcl_next_line(&text)); ) {
		char *tab = strchr(l, '\t');
		long id;

		ln++;
		if (!*l) {
			if (have && hcl_vmm_finish(inv, &d, have | (vd == 3 ? 4 : 0), name, ln, err) < 0)
				return -1;
			memset(&d, 0, sizeof(d));
			have = vd = 0;
			continue;
		}
		if (!tab || tab == l || tab[-1] != ':')
			return hcl_errf(err, "%s:%zu: expected \"Tag:<TAB>value\"", name, ln);
		*tab = 0;
		const char *v = tab + 1;

		id = hcl_vmm_id(v);
		if (strcmp(l, "Slot:") == 0 && hcl_slot_len(v) == strlen(v)) {
			snprintf(d.slot, sizeof(d.slot), "%s", v);
			have |= 1;
		} else if (strcmp(l, "Class:") == 0 && id >= 0) {
			d.class = (d.class & 0xff) | (uint32_t)id << 8;
			have |= 2;
		} else if ((strcmp(l, "Vendor:") == 0 || strcmp(l, "Device:") == 0) && id >= 0) {
			if (l[0] == 'V')
				d.vid = (uint16_t)id;
			else
				d.did = (uint16_t)id;
			vd |= l[0] == 'V' ? 1 : 2;
		} else if (strcmp(l, "SVendor:") == 0 && id > 0) {
			d.svid = (uint16_t)id;
		} else if (strcmp(l, "SDevice:") == 0 && id >= 0) {
			d.ssid = (uint16_t)id;
		} else if (strcmp(l, "ProgIf:") == 0 && hcl_hexn(v, 2) >= 0) {
			d.class = (d.class & ~0xffu) | (uint32_t)hcl_hexn(v, 2);
		} else if (strcmp(l, "Driver:") == 0) {
			snprintf(d.driver, sizeof(d.driver), "%s", v);
		} else if (strcmp(l, "Slot:") == 0 || strcmp(l, "Class:") == 0 ||
			   strcmp(l, "Vendor:") == 0 || strcmp(l, "Device:") == 0) {
			return hcl_errf(err, "%s:%zu: %s without a numeric ID (use lspci -vmmnn)",
					name, ln, l);
		}
		/* Other tags (Rev, Module, NUMANode, IOMMUGroup...) are ignored. */
	}
	if (have && hcl_vmm_finish(inv, &d, have | (vd == 3 ? 4 : 0), name, ln, err) < 0)
		return -1;
	inv->format = "lspci-vmm";
	return 0;
}

/* COM1: "SLOT CCCC: VVVV:DDDD [(rev RR) ]subsys SSSS:SSSS driver NAME" */
static int hcl_boot_line(const char *l, struct hcl_dev *d)
{
	size_t sl = hcl_slot_len(l);
	const char *p = l + sl;
	long cls, v, dv, sv, sd;

	if (!sl || p[0] != ' ' || (cls = hcl_hexn(p + 1, 4)) < 0 || strncmp(p + 5, ": ", 2) != 0 ||
	    (v = hcl_hexn(p + 7, 4)) < 0 || p[11] != ':' || (dv = hcl_hexn(p + 12, 4)) < 0)
		return -1;
	p += 16;
	if (strncmp(p, " (rev ", 6) == 0) {
		if (hcl_hexn(p + 6, 2) < 0 || p[8] != ')')
			return -1;
		p += 9;
	}
	if (strncmp(p, " subsys ", 8) != 0 || (sv = hcl_hexn(p + 8, 4)) < 0 || p[12] != ':' ||
	    (sd = hcl_hexn(p + 13, 4)) < 0 || strncmp(p + 17, " driver ", 8) != 0 || !p[25])
		return -1;
	memset(d, 0, sizeof(*d));
	snprintf(d->slot, sizeof(d->slot), "%.*s", (int)sl, l);
	d->vid = (uint16_t)v;
	d->did = (uint16_t)dv;
	if (sv) {
		d->svid = (uint16_t)sv;
		d->ssid = (uint16_t)sd;
	}
	d->class = (uint32_t)cls << 8;
	if (strcmp(p + 25, "none") != 0)
		snprintf(d->driver, sizeof(d->driver), "%s", p + 25);
	hcl_dev_names(d, NULL);
	return 0;
}

/* Other log lines are skipped; an inventory-looking line that does not parse is an error. */
static int hcl_parse_boot(struct hcl_inv *inv, const char *name, char *text, struct hcl_err *err)
{
	size_t ln = 0;

	for (char *l; (l = hcl_next_line(&text)); ) {
		struct hcl_dev d;

		ln++;
		if (hcl_boot_line(l, &d) == 0) {
			if (hcl_inv_add(inv, &d) < 0)
				return hcl_errf(err, "out of memory");
		} else if (hcl_slot_len(l) && strstr(l, " subsys ")) {
			return hcl_errf(err, "%s:%zu: malformed hvkernel inventory line", name, ln);
		}
	}
	inv->format = "hvkernel";
	return 0;
}

static int hcl_is_dump(const char *text)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		int ok = hcl_hexn(p, 2) >= 0 && p[2] == ':';

		for (int i = 0; ok && i < 16; i++)
			ok = p[3 + 3 * i] == ' ' && hcl_hexn(p + 4 + 3 * i, 2) >= 0;
		if (ok)
			return 1;
	}
	return 0;
}

static int hcl_is_boot(const char *text)
{
	char *copy = strdup(text), *p = copy;
	int found = 0;
	struct hcl_dev d;

	for (char *l; copy && !found && (l = hcl_next_line(&p)); )
		found = hcl_boot_line(l, &d) == 0;
	free(copy);
	return found;
}

int hcl_inv_json(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err);

int hcl_inv_parse(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err)
{
	const char *p = text;
	char *copy;
	int rc;

	memset(inv, 0, sizeof(*inv));
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{')
		rc = hcl_inv_json(inv, name, text, err);
	else if (hcl_is_dump(text))
		rc = hcl_inv_dump(inv, name, err);
	else {
		copy = strdup(text);
		if (!copy)
			return hcl_errf(err, "out of memory");
		if (strncmp(p, "Slot:\t", 6) == 0 || strncmp(p, "Device:\t", 8) == 0)
			rc = hcl_parse_vmm(inv, name, copy, err);
		else if (hcl_is_boot(text))
			rc = hcl_parse_boot(inv, name, copy, err);
		else
			rc = hcl_parse_nn(inv, name, copy, err);
		free(copy);
	}
	if (rc == 0 && inv->n == 0)
		rc = hcl_errf(err, "%s: no PCI devices found (expected lspci -nn, -vvnn, -vmmnn or "
			      "-x output, a JSON inventory or an hvkernel boot log)", name);
	if (rc < 0)
		hcl_inv_free(inv);
	return rc;
}

int hcl_inv_read(struct hcl_inv *inv, const char *path, struct hcl_err *err)
{
	char *text;
	size_t len;
	int rc;

	memset(inv, 0, sizeof(*inv));
	if (hcl_read_file(path, &text, &len, err) < 0)
		return -1;
	if (strlen(text) != len) {
		free(text);
		return hcl_errf(err, "%s: binary data (a NUL byte); not an inventory", path);
	}
	rc = hcl_inv_parse(inv, path, text, err);
	free(text);
	return rc;
}
