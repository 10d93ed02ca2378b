/*
 * An hvkernel boot log (COM1): the inventory lines boot_report_pci prints,
 * "SLOT CCCC: VVVV:DDDD [(rev RR) ]subsys SSSS:SSSS driver NAME". Other log lines are
 * skipped; a line that looks like an inventory line but does not parse is an error. The
 * kernel lists functions in the order it enumerated them (depth first), not sorted.
 * A bound function's line is followed by "SLOT build FILE NAME VERSION sha256 HEX firmware
 * "REV"|none": the module that drives it and the firmware its driver reported.
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

/* "SLOT build FILE NAME VERSION sha256 HEX|- firmware "REV"|none" into the device of
 * that slot: 1 when l is such a line, 0 when it is not, -1 when it is one that does not
 * parse (or names no device listed before it). */
static int hcl_boot_build(struct hcl_inv *inv, const char *l)
{
	size_t sl = hcl_slot_parse(l, NULL, NULL, NULL, NULL);
	char file[64], name[32], ver[32], sha[66], fw[40];
	int end = 0;

	if (!sl || strncmp(l + sl, " build ", 7) != 0)
		return 0;
	if (sscanf(l + sl + 7, "%63s %31s %31s sha256 %65s firmware %n", file, name, ver, sha, &end) != 4 || !end)
		return -1;
	const char *f = l + sl + 7 + end;
	if (strcmp(f, "none") == 0) {
		fw[0] = '\0';
	} else {
		size_t n = strlen(f);

		if (n < 3 || f[0] != '"' || f[n - 1] != '"' || n - 2 >= sizeof(fw) || n - 2 >= 32)
			return -1;
		memcpy(fw, f + 1, n - 2);
		fw[n - 2] = '\0';
	}
	if (strcmp(sha, "-") && (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64))
		return -1;
	for (size_t i = inv->n; i-- > 0;) {
		struct hcl_dev *d = &inv->devs[i];

		if (strlen(d->slot) != sl || strncmp(d->slot, l, sl) != 0)
			continue;
		d->fw_known = 1;
		snprintf(d->firmware, sizeof(d->firmware), "%s", fw);
		snprintf(d->driver_version, sizeof(d->driver_version), "%s", strcmp(ver, "-") ? ver : "");
		snprintf(d->module_sha256, sizeof(d->module_sha256), "%s", strcmp(sha, "-") ? sha : "");
		return 1;
	}
	return -1;
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

		int b;

		if (hcl_boot_line(l, &d, t->l[i].no) == 0) {
			if (hcl_inv_add(inv, &d) < 0)
				return hcl_errf(err, "out of memory");
		} else if ((b = hcl_boot_build(inv, l)) != 0) {
			if (b < 0)
				return hcl_line_err(err, t->name, t->l[i].no, "malformed hvkernel build line "
						    "(expected SLOT build FILE NAME VERSION sha256 HEX firmware \"REV\"|none, "
						    "after the slot's inventory line)");
		} else if (hcl_slot_parse(l, NULL, NULL, NULL, NULL) && strstr(l, " subsys ")) {
			return hcl_line_err(err, t->name, t->l[i].no, "malformed hvkernel inventory line");
		}
	}
	inv->format = "hvkernel";
	return 0;
}
