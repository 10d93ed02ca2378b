/*
 * An hvkernel boot log (COM1): the inventory lines boot_report_pci prints,
 * "SLOT CCCC: VVVV:DDDD [(rev RR) ]subsys SSSS:SSSS driver NAME". Other log lines are
 * skipped; a line that looks like an inventory line but does not parse is an error. The
 * kernel lists functions in the order it enumerated them (depth first), not sorted.
 */
#include <string.h>
#include "hcl_inv.h"

static int hcl_boot_line(const char *l, struct hcl_dev *d, size_t line)
{
	size_t sl = hcl_slot_parse(l, NULL, NULL, NULL, NULL);
	const char *p = l + sl;
	long cls, v, dv, sv, sd, rev = -1;

	if (!sl || p[0] != ' ' || (cls = hcl_hexn(p + 1, 4)) < 0 || strncmp(p + 5, ": ", 2) != 0 ||
	    (v = hcl_hexn(p + 7, 4)) < 0 || p[11] != ':' || (dv = hcl_hexn(p + 12, 4)) < 0)
		return -1;
	p += 16;
	if (strncmp(p, " (rev ", 6) == 0) {
		if ((rev = hcl_hexn(p + 6, 2)) < 0 || p[8] != ')')
			return -1;
		p += 9;
	}
	if (strncmp(p, " subsys ", 8) != 0 || (sv = hcl_hexn(p + 8, 4)) < 0 || p[12] != ':' ||
	    (sd = hcl_hexn(p + 13, 4)) < 0 || strncmp(p + 17, " driver ", 8) != 0 || !p[25])
		return -1;
	if (!d)
		return 0;
	hcl_dev_init(d, l, sl, line);
	d->vid = (uint16_t)v;
	d->did = (uint16_t)dv;
	d->rev = (int)rev;
	if (sv) {
		d->svid = (uint16_t)sv;
		d->ssid = (uint16_t)sd;
	}
	d->class = (uint32_t)cls << 8;
	if (strcmp(p + 25, "none") != 0)
		snprintf(d->driver, sizeof(d->driver), "%s", p + 25);
	hcl_dev_names(d, NULL, NULL, NULL);
	return 0;
}

int hcl_inv_is_boot_line(const char *l)
{
	return hcl_boot_line(l, NULL, 0) == 0;
}

int hcl_inv_boot(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *l = t->l[i].s;
		struct hcl_dev d;

		if (hcl_boot_line(l, &d, t->l[i].no) == 0) {
			if (hcl_inv_add(inv, &d) < 0)
				return hcl_errf(err, "out of memory");
		} else if (hcl_slot_parse(l, NULL, NULL, NULL, NULL) && strstr(l, " subsys ")) {
			return hcl_line_err(err, t->name, t->l[i].no, "malformed hvkernel inventory line");
		}
	}
	inv->format = "hvkernel";
	return 0;
}
