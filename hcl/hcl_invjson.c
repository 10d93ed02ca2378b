/*
 * JSON inventories (docs/hcl.md): {"hcl_inventory": 1, "host": "...", "devices": [ {"slot":
 * "00:03.0", "vid": "8086", "did": "100e", "svid": "8086", "ssid": "001e", "class":
 * "020000", "rev": "03", "driver": "e1000"} ]}; svid/ssid, rev, driver and host may be left
 * out. Read with the strict reader: a repeated or unknown key, text after the object or a
 * slot that is not a PCI address is an error naming the line.
 */
#include <stdlib.h>
#include <string.h>
#include "hcl_inv.h"
#include "hcl_json.h"

static int hcl_ij_hex(struct hcl_jr *r, const struct hcl_jpath *path, int digits, long *out)
{
	const char *at = hcl_jr_here(r);

	if (hcl_jr_string(r, path) < 0)
		return -1;
	if ((int)r->slen != digits || (*out = hcl_hexn(r->sbuf, digits)) < 0)
		return hcl_jr_fail(r, at, path, "expected %d hex digits", digits);
	return 0;
}

static const char *const hcl_ij_keys[] = { "slot", "vid", "did", "svid", "ssid", "class", "driver",
					   "rev", "driver_version", "firmware", "module_sha256", NULL };

static int hcl_ij_dev(struct hcl_jr *r, size_t i, struct hcl_dev *d)
{
	static const int digits[] = { 0, 4, 4, 4, 4, 6, 0, 2, 0, 0, 0 };
	const struct hcl_jpath *path = HCL_JP_IDX(HCL_JP("devices"), i);
	const char *obj = hcl_jr_here(r);
	uint64_t seen = 0;
	long val[8] = { 0 };
	char drv[sizeof(d->driver)] = "", dver[sizeof(d->driver_version)] = "", fw[sizeof(d->firmware)] = "";
	char sha[sizeof(d->module_sha256)] = "";
	int k, fw_known = 0;

	if (hcl_jr_obj_begin(r, path) < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	d->rev = -1;
	while ((k = hcl_jr_member(r, hcl_ij_keys, &seen, path)) >= 0) {
		const struct hcl_jpath *p = HCL_JP_KEY(path, hcl_ij_keys[k]);
		const char *at = hcl_jr_here(r);
		size_t sl;

		if (digits[k]) {
			if (hcl_ij_hex(r, p, digits[k], &val[k]) < 0)
				return -1;
		} else if (k == 9) {	/* firmware: a revision, or null (the driver reports none) */
			int rc = hcl_jr_string_or_null(r, p);

			if (rc < 0)
				return -1;
			if (rc == 1 && (r->slen == 0 || r->slen >= sizeof(fw)))
				return hcl_jr_fail(r, at, p, "expected a firmware revision of 1 to %zu bytes, or null",
						   sizeof(fw) - 1);
			if (rc == 1)
				memcpy(fw, r->sbuf, r->slen + 1);
			fw_known = 1;
		} else if (hcl_jr_string(r, p) < 0) {
			return -1;
		} else if (k == 0) {
			sl = hcl_slot_parse(r->sbuf, NULL, NULL, NULL, NULL);
			if (!sl || r->sbuf[sl] || sl >= sizeof(d->slot))
			{
				char q[48];

				return hcl_jr_fail(r, at, p, "\"%s\" is not a PCI slot (expected "
						   "[dddd:]bb:dd.f)", hcl_printable(q, sizeof(q), r->sbuf, 40));
			}
			hcl_dev_init(d, r->sbuf, sl, hcl_jr_line_at(r, at));
			d->rev = -1;
		} else if (k == 8) {
			if (r->slen == 0 || r->slen >= sizeof(dver))
				return hcl_jr_fail(r, at, p, "expected a driver version of 1 to %zu bytes",
						   sizeof(dver) - 1);
			memcpy(dver, r->sbuf, r->slen + 1);
		} else if (k == 10) {
			if (r->slen != 64 || strspn(r->sbuf, "0123456789abcdef") != 64)
				return hcl_jr_fail(r, at, p, "expected 64 lower-case hex digits");
			memcpy(sha, r->sbuf, 65);
		} else {
			snprintf(drv, sizeof(drv), "%s", r->sbuf);
		}
	}
	if (k == -1)
		return -1;
	for (int j = 0; j < 6; j++)
		if (j != 3 && j != 4 && !(seen & (1ull << j)))
			return hcl_jr_fail(r, obj, path, "missing \"%s\"", hcl_ij_keys[j]);
	if (!(seen & (1ull << 3)) != !(seen & (1ull << 4)))
		return hcl_jr_fail(r, obj, path, "svid and ssid go together");
	d->vid = (uint16_t)val[1];
	d->did = (uint16_t)val[2];
	if (val[3]) {
		d->svid = (uint16_t)val[3];
		d->ssid = (uint16_t)val[4];
	}
	d->class = (uint32_t)val[5];
	memcpy(d->driver, drv, sizeof(drv));
	memcpy(d->driver_version, dver, sizeof(dver));
	memcpy(d->firmware, fw, sizeof(fw));
	memcpy(d->module_sha256, sha, sizeof(sha));
	d->fw_known = fw_known;
	if ((dver[0] || sha[0]) && !drv[0])
		return hcl_jr_fail(r, obj, path, "driver_version and module_sha256 need \"driver\"");
	if (seen & (1ull << 7)) {
		d->rev = (int)val[7];
		if (d->rev == 0xff)
			d->absent = "its configuration space reads all ones (rev ff)";
	}
	hcl_dev_names(d, NULL, NULL, NULL);
	return 0;
}

static const char *const hcl_ij_top[] = { "hcl_inventory", "host", "devices", NULL };

int hcl_inv_json(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err)
{
	struct hcl_jr r;
	uint64_t seen = 0;
	const char *obj;
	int64_t ver;
	int k, more, rc = -1;

	hcl_jr_init(&r, name, text, strlen(text), err);
	obj = hcl_jr_here(&r);
	if (hcl_jr_obj_begin(&r, NULL) < 0)
		goto out;
	while ((k = hcl_jr_member(&r, hcl_ij_top, &seen, NULL)) >= 0) {
		if (k == 0) {
			if (hcl_jr_int(&r, HCL_JP("hcl_inventory"), 1, 1, &ver) < 0)
				goto out;
		} else if (k == 1) {
			if (hcl_jr_string(&r, HCL_JP("host")) < 0)
				goto out;
		} else {
			if (hcl_jr_arr_begin(&r, HCL_JP("devices")) < 0)
				goto out;
			for (size_t i = 0; (more = hcl_jr_arr_next(&r, NULL)) == 1; i++) {
				struct hcl_dev d;

				if (hcl_ij_dev(&r, i, &d) < 0)
					goto out;
				if (hcl_inv_add(inv, &d) < 0) {
					hcl_errf(err, "out of memory");
					goto out;
				}
			}
			if (more < 0)
				goto out;
		}
	}
	if (k == -1)
		goto out;
	if (!(seen & 1) || !(seen & 4)) {
		hcl_jr_fail(&r, obj, NULL, "missing \"%s\"", !(seen & 1) ? "hcl_inventory" : "devices");
		goto out;
	}
	if (hcl_jr_finish(&r) < 0)
		goto out;
	inv->format = "json";
	rc = 0;
out:
	hcl_jr_free(&r);
	return rc;
}
