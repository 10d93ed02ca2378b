/*
 * The check: one answer per device and one per server for a release. The verdict comes
 * from hclpolicy_verdict (hvkernel/lib/hclpolicy.c: classes, then hclbin_lookup with the
 * pcimatch precedence), the code the kernel boot policy runs, so `hcl check` and the boot
 * can never disagree; this file only adds the reasons and the report.
 */
#include <stdlib.h>
#include <string.h>
#include <lib/hclpolicy.h>
#include "hcl_feature.h"

/* hcl_verdict mirrors hclpolicy_verdict value for value. */
_Static_assert((int)HCL_V_CERTIFIED == (int)HCLPOLICY_CERTIFIED &&
	       (int)HCL_V_NOT_CERTIFIED == (int)HCLPOLICY_NOT_CERTIFIED &&
	       (int)HCL_V_NO_DRIVER == (int)HCLPOLICY_NO_DRIVER &&
	       (int)HCL_V_IGNORED == (int)HCLPOLICY_IGNORED, "verdict values");

const char *hcl_verdict_name(enum hcl_verdict v)
{
	return v == HCL_V_ABSENT ? "absent" : hclpolicy_verdict_name((enum hclpolicy_verdict)v);
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

/* A certified device's firmware (hclbin_fw_ok: the kernel's rule) and driver build (the
 * version, and for an hvkernel boot log the module's sha256) against its entry. */
static void hcl_check_build(const struct hclbin_entry *e, const struct hcl_dev *d, struct hcl_result *r)
{
	size_t n = 0;
	char want[65];

	if (e->fw_match == HCLBIN_FW_ANY)
		snprintf(r->fw_rule, sizeof(r->fw_rule), "any");
	else
		snprintf(r->fw_rule, sizeof(r->fw_rule), "%s %s",
			 e->fw_match == HCLBIN_FW_MINIMUM ? "at least" : "exactly", e->firmware);
	if (e->fw_match == HCLBIN_FW_ANY) {
		r->fw_verdict = "any";
	} else if (!d->fw_known) {
		r->fw_verdict = "unknown";
		n += (size_t)snprintf(r->note + n, sizeof(r->note) - n, "firmware unknown: the input "
				      "does not say (lspci never does, a boot log only for a bound "
				      "device; the list certifies %s)", r->fw_rule);
	} else {
		int ok = hclbin_fw_ok(e, d->firmware[0] ? d->firmware : NULL);

		r->fw_verdict = ok == 1 ? "ok" : ok == 0 ? "uncertified" : "unknown";
		if (ok == 0)
			n += (size_t)snprintf(r->note + n, sizeof(r->note) - n, "firmware %s is NOT "
					      "certified: the list certifies %s", d->firmware, r->fw_rule);
		else if (ok < 0)
			n += (size_t)snprintf(r->note + n, sizeof(r->note) - n, "firmware unknown: "
					      "its driver reported none (the list certifies %s)", r->fw_rule);
	}
	if (!d->driver_version[0] && !d->module_sha256[0]) {
		r->build_verdict = "unknown";
		return;
	}
	r->build_verdict = "certified";
	if (d->driver_version[0] && (strcmp(d->driver, e->driver) || strcmp(d->driver_version, e->version))) {
		r->build_verdict = "uncertified";
		n += (size_t)snprintf(r->note + n, n < sizeof(r->note) ? sizeof(r->note) - n : 0,
				      "%sdriver %s %s is not the certified %s %s", n ? "; " : "",
				      d->driver[0] ? d->driver : "?", d->driver_version, e->driver, e->version);
	} else if (d->module_sha256[0] && e->has_sha) {
		for (int i = 0; i < 32; i++)
			snprintf(want + 2 * i, 3, "%02x", e->module_sha256[i]);
		if (strcmp(want, d->module_sha256)) {
			r->build_verdict = "uncertified";
			snprintf(r->note + n, n < sizeof(r->note) ? sizeof(r->note) - n : 0,
				 "%smodule sha256 %.12s... is not the certified build %.12s...", n ? "; " : "",
				 d->module_sha256, want);
		}
	}
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
	if (d->absent) {
		/* Not there for the kernel either: its enumeration skips a vendor ID of ffff. */
		r->verdict = HCL_V_ABSENT;
		snprintf(r->reason, sizeof(r->reason), "not there: %s; never counts", d->absent);
		return;
	}
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
	hcl_check_build(&e, d, r);
}

/* "1 certified NIC (2 ports of one card)", "2 certified storage controllers". */
static void hcl_count_str(char *b, size_t n, const struct hcl_count *c, const char *what,
			  const char *parts)
{
	if (c->cards == c->functions)
		snprintf(b, n, "%u certified %s%s", c->cards, what, c->cards == 1 ? "" : "s");
	else if (c->cards == 1)
		snprintf(b, n, "1 certified %s (%u %s of one card)", what, c->functions, parts);
	else
		snprintf(b, n, "%u certified %ss (%u %s)", c->cards, what, c->functions, parts);
}

/* Counts a certified function; functions sharing a domain:bus:device are one card. */
static void hcl_count_add(struct hcl_count *c, const struct hcl_report *rep, size_t i,
			  int (*same_class)(uint32_t))
{
	const struct hcl_dev *d = rep->res[i].dev;

	c->functions++;
	for (size_t j = 0; j < i; j++) {
		const struct hcl_dev *e = rep->res[j].dev;

		if (rep->res[j].counted && same_class(e->class) && e->domain == d->domain &&
		    e->bus == d->bus && e->dev == d->dev)
			return;
	}
	c->cards++;
}

static int hcl_nic(uint32_t class)
{
	return hclpolicy_is_nic(class);
}

static int hcl_storage(uint32_t class)
{
	return hclpolicy_is_storage(class);
}

int hcl_check(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
	      struct hcl_report *rep, struct hcl_err *err)
{
	return hcl_check_req(hb, release, inv, NULL, rep, err);
}

int hcl_check_req(const struct hclbin *hb, const char *release, const struct hcl_inv *inv,
		  const struct hcl_require *req, struct hcl_report *rep, struct hcl_err *err)
{
	int rel = hclbin_release_index(hb, release);
	struct hclpolicy_server srv = { 0 };
	char nics[96], sto[96];

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
		struct hcl_result *r = &rep->res[i];
		const struct hcl_dev *d = &inv->devs[i];

		hcl_check_dev(hb, rel, d, r);
		if (req && r->verdict == HCL_V_CERTIFIED)
			hcl_require_dev(req, hb, rel, d, r);
		rep->absent += r->verdict == HCL_V_ABSENT;
		if (r->verdict == HCL_V_CERTIFIED && (hcl_nic(d->class) || hcl_storage(d->class)) &&
		    d->domain > 0xffff) {
			/* Intel VMD puts the devices behind it in a domain of its own that
			 * firmware tables do not describe: the kernel does not see them. */
			size_t n = strlen(r->reason);

			snprintf(r->reason + n, sizeof(r->reason) - n, "; behind Intel VMD (domain "
				 "%x): reached only through a VMD driver, so it does not count",
				 d->domain);
			rep->behind_vmd++;
		} else if (r->verdict == HCL_V_CERTIFIED) {
			r->counted = hcl_nic(d->class) || hcl_storage(d->class);
		}
		/* The server rule is the kernel's (hclpolicy_server_*); absent functions and
		 * functions behind VMD reach it as not certified, as the kernel never sees them. */
		hclpolicy_server_add(&srv, d->class, r->counted);
		if (r->counted && hcl_nic(d->class))
			hcl_count_add(&rep->nic, rep, i, hcl_nic);
		else if (r->counted)
			hcl_count_add(&rep->storage, rep, i, hcl_storage);
	}
	rep->bootable = hclpolicy_server_bootable(&srv);
	hcl_count_str(nics, sizeof(nics), &rep->nic, "NIC", "ports");
	hcl_count_str(sto, sizeof(sto), &rep->storage, "storage controller", "functions");
	if (rep->bootable)
		snprintf(rep->why, sizeof(rep->why), "%s, %s", nics, sto);
	else
		snprintf(rep->why, sizeof(rep->why), "%s", hclpolicy_server_missing(&srv));
	if (rep->absent || rep->behind_vmd) {
		size_t n = strlen(rep->why);
		char a[32] = "", v[48] = "";

		if (rep->absent)
			snprintf(a, sizeof(a), "%u absent", rep->absent);
		if (rep->behind_vmd)
			snprintf(v, sizeof(v), "%u behind Intel VMD", rep->behind_vmd);
		snprintf(rep->why + n, sizeof(rep->why) - n, " (not counted: %s%s%s)", a,
			 a[0] && v[0] ? ", " : "", v);
	}
	return 0;
}

void hcl_report_free(struct hcl_report *rep)
{
	free(rep->res);
	memset(rep, 0, sizeof(*rep));
}
