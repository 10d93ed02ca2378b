/*
 * The check: one answer per device and one per server for a release. The verdict comes
 * from hclpolicy_verdict (hvkernel/lib/hclpolicy.c: classes, then hclbin_lookup with the
 * pcimatch precedence), the code the kernel boot policy runs, so `hcl check` and the boot
 * can never disagree; this file only adds the reasons and the report.
 */
#include <stdlib.h>
#include <string.h>
#include <lib/hclpolicy.h>
#include "hcl.h"

/* hcl_verdict mirrors hclpolicy_verdict value for value. */
_Static_assert((int)HCL_V_CERTIFIED == (int)HCLPOLICY_CERTIFIED &&
	       (int)HCL_V_NOT_CERTIFIED == (int)HCLPOLICY_NOT_CERTIFIED &&
	       (int)HCL_V_NO_DRIVER == (int)HCLPOLICY_NO_DRIVER &&
	       (int)HCL_V_IGNORED == (int)HCLPOLICY_IGNORED, "verdict values");

const char *hcl_verdict_name(enum hcl_verdict v)
{
	return hclpolicy_verdict_name((enum hclpolicy_verdict)v);
}

static void hcl_entry_desc(const struct hclbin_entry *e, char *buf, size_t len)
{
	char sv[5], sd[5];

	snprintf(buf, len, "%04x:%04x subsys %s:%s", e->vid, e->did,
		 hcl_id_str((e->flags & HCLBIN_SVID_ANY) ? HV_PCI_ANY : e->svid, sv),
		 hcl_id_str((e->flags & HCLBIN_SSID_ANY) ? HV_PCI_ANY : e->ssid, sd));
}

/* Why a NIC or storage device has no certified entry for the release. */
static void hcl_why_not(const struct hclbin *hb, int rel, const struct pcimatch_dev *pd,
			struct hcl_result *r)
{
	char others[128] = "";
	struct hclbin_entry e;
	size_t off = 0;
	uint32_t i;

	for (uint32_t k = 0; k < hb->nrel; k++)
		if ((int)k != rel && hclbin_lookup(hb, k, pd, &e) >= 0 && e.status != HCLBIN_REVOKED &&
		    off < sizeof(others) - 20)
			off += (size_t)snprintf(others + off, sizeof(others) - off, "%s%s",
						off ? ", " : "", hclbin_release(hb, k));
	if (others[0]) {
		snprintf(r->reason, sizeof(r->reason), "not certified for this release; certified "
			 "for %s", others);
		return;
	}
	i = hclbin_lower_bound(hb, pd->vendor, pd->device);
	if (i < hb->count) {
		hclbin_get(hb, i, &e);
		if (e.vid == pd->vendor && e.did == pd->device && pd->subvendor == 0) {
			snprintf(r->reason, sizeof(r->reason), "%04x:%04x is certified only for "
				 "specific subsystem IDs and the input has none (lspci -nn omits them: "
				 "use lspci -vvnn or -vmmnn)", pd->vendor, pd->device);
			return;
		}
		if (e.vid == pd->vendor && e.did == pd->device) {
			snprintf(r->reason, sizeof(r->reason), "%04x:%04x is certified only with other "
				 "subsystem IDs or class (this one: subsys %04x:%04x)", pd->vendor,
				 pd->device, pd->subvendor, pd->subdevice);
			return;
		}
	}
	snprintf(r->reason, sizeof(r->reason), "not in the list");
}

static void hcl_check_dev(const struct hclbin *hb, int rel, const struct hcl_dev *d,
			  struct hcl_result *r)
{
	struct pcimatch_dev pd = { d->vid, d->did, d->svid, d->ssid, d->class };
	struct hclbin_entry e;
	bool has_entry, deprecated;
	char cname[96], desc[64];

	memset(r, 0, sizeof(*r));
	r->dev = d;
	r->verdict = (enum hcl_verdict)hclpolicy_verdict(hb, rel, &pd, &e, &has_entry,
							  &deprecated);
	hcl_class_name(d->class, cname, sizeof(cname));
	if (r->verdict == HCL_V_IGNORED) {
		snprintf(r->reason, sizeof(r->reason), "infrastructure (%s)", cname);
		return;
	}
	if (r->verdict == HCL_V_NO_DRIVER) {
		snprintf(r->reason, sizeof(r->reason), "hvkernel has no driver class for %s; "
			 "the device stays unused", cname);
		return;
	}
	if (!has_entry) {
		hcl_why_not(hb, rel, &pd, r);
		return;
	}
	hcl_entry_desc(&e, desc, sizeof(desc));
	snprintf(r->driver, sizeof(r->driver), "%s", e.driver);
	snprintf(r->version, sizeof(r->version), "%s", e.version);
	if (r->verdict == HCL_V_NOT_CERTIFIED) {
		snprintf(r->reason, sizeof(r->reason), "certification revoked (entry %s)", desc);
		return;
	}
	r->deprecated = deprecated;
	snprintf(r->reason, sizeof(r->reason), "%sentry %s",
		 deprecated ? "deprecated: still supported, due to be removed; " : "", desc);
}

int hcl_check(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
	      struct hcl_report *rep, struct hcl_err *err)
{
	int rel = hclbin_release_index(hb, release);
	struct hclpolicy_server srv = { 0 };

	memset(rep, 0, sizeof(*rep));
	if (rel < 0) {
		char have[256] = "";
		size_t off = 0;

		for (uint32_t i = 0; i < hb->nrel && off < sizeof(have) - 20; i++)
			off += (size_t)snprintf(have + off, sizeof(have) - off, "%s%s", i ? ", " : "",
						hclbin_release(hb, i));
		return hcl_errf(err, "the list has no release %s (it has: %s); pick one with "
				"--release", release, have);
	}
	rep->res = calloc(inv->n ? inv->n : 1, sizeof(*rep->res));
	if (!rep->res)
		return hcl_errf(err, "out of memory");
	rep->n = inv->n;
	rep->release = release;
	for (size_t i = 0; i < inv->n; i++) {
		hcl_check_dev(hb, rel, &inv->devs[i], &rep->res[i]);
		hclpolicy_server_add(&srv, inv->devs[i].class, rep->res[i].verdict == HCL_V_CERTIFIED);
	}
	rep->bootable = hclpolicy_server_bootable(&srv);
	if (!rep->bootable)
		snprintf(rep->why, sizeof(rep->why), "%s", hclpolicy_server_missing(&srv));
	else
		snprintf(rep->why, sizeof(rep->why), "%u certified NIC%s, %u certified storage "
			 "controller%s", srv.nics, srv.nics > 1 ? "s" : "", srv.storage,
			 srv.storage > 1 ? "s" : "");
	return 0;
}

void hcl_report_print(const struct hcl_report *rep, FILE *f)
{
	fprintf(f, "%-12s %-9s %-9s %-6s %-13s %-18s %s\n", "SLOT", "ID", "SUBSYS", "CLASS",
		"STATUS", "DRIVER", "DEVICE");
	for (size_t i = 0; i < rep->n; i++) {
		const struct hcl_result *r = &rep->res[i];
		const struct hcl_dev *d = r->dev;
		char id[10], sub[10], drv[64];

		snprintf(id, sizeof(id), "%04x:%04x", d->vid, d->did);
		if (d->svid)
			snprintf(sub, sizeof(sub), "%04x:%04x", d->svid, d->ssid);
		else
			snprintf(sub, sizeof(sub), "-");
		if (r->verdict == HCL_V_CERTIFIED)
			snprintf(drv, sizeof(drv), "%s %s", r->driver, r->version);
		else
			snprintf(drv, sizeof(drv), "-");
		fprintf(f, "%-12s %-9s %-9s %04x   %-13s %-18s %s%s%s\n", d->slot, id, sub,
			d->class >> 8, r->deprecated ? "deprecated" : hcl_verdict_name(r->verdict),
			drv, d->vendor, d->vendor[0] ? " " : "", d->model);
		if (r->verdict != HCL_V_CERTIFIED || r->deprecated)
			fprintf(f, "%-12s   %s\n", "", r->reason);
	}
	fprintf(f, "server: %s on hvkernel %s: %s\n", rep->bootable ? "bootable" : "NOT bootable",
		rep->release, rep->why);
}

void hcl_report_free(struct hcl_report *rep)
{
	free(rep->res);
	memset(rep, 0, sizeof(*rep));
}
