/* `hcl check` reports: the table for people, --json for machines (docs/hcl.md). */
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "hcl.h"

void hcl_report_print(const struct hcl_report *rep, FILE *f)
{
	fprintf(f, "%-13s %-9s %-9s %-6s %-13s %-18s %s\n", "SLOT", "ID", "SUBSYS", "CLASS",
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
		fprintf(f, "%-13s %-9s %-9s %04x   %-13s %-18s %s%s%s\n", d->slot, id, sub,
			d->class >> 8, r->deprecated ? "deprecated" : hcl_verdict_name(r->verdict),
			drv, d->vendor, d->vendor[0] ? " " : "", d->model);
		if (r->verdict != HCL_V_CERTIFIED || r->deprecated || !r->counted)
			fprintf(f, "%-13s   %s\n", "", r->reason);
		if (r->note[0])
			fprintf(f, "%-13s   %s\n", "", r->note);
	}
	fprintf(f, "server: %s on hvkernel %s: %s\n", rep->bootable ? "bootable" : "NOT bootable",
		rep->release, rep->why);
}

void hcl_report_warnings(const struct hcl_inv *inv, const char *input, FILE *f)
{
	size_t shown = inv->nwarn < HCL_INV_MAX_WARN ? inv->nwarn : HCL_INV_MAX_WARN;

	for (size_t i = 0; i < shown; i++)
		fprintf(f, "%s: warning: %s\n", input, inv->warn[i]);
	if (inv->nwarn > shown)
		fprintf(f, "%s: warning: %zu more lines skipped\n", input, inv->nwarn - shown);
	if (inv->filter[0])
		fprintf(f, "%s: warning: the output was filtered (\"%s\"): only the devices it "
			"shows are checked\n", input, inv->filter);
}

static json_object *hcl_jhex(unsigned v, int digits)
{
	char b[16];

	snprintf(b, sizeof(b), "%0*x", digits, v);
	return json_object_new_string(b);
}

/* "msix,msi" as a JSON array (--require: what the device's entry lacks). */
static json_object *hcl_report_missing(const char *s)
{
	json_object *a = json_object_new_array();

	while (*s) {
		size_t n = strcspn(s, ",");

		json_object_array_add(a, json_object_new_string_len(s, (int)n));
		s += n + (s[n] == ',');
	}
	return a;
}

static json_object *hcl_report_dev(const struct hcl_result *r)
{
	const struct hcl_dev *d = r->dev;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "slot", json_object_new_string(d->slot));
	json_object_object_add(o, "vid", hcl_jhex(d->vid, 4));
	json_object_object_add(o, "did", hcl_jhex(d->did, 4));
	json_object_object_add(o, "svid", d->svid ? hcl_jhex(d->svid, 4) : NULL);
	json_object_object_add(o, "ssid", d->svid ? hcl_jhex(d->ssid, 4) : NULL);
	json_object_object_add(o, "class", hcl_jhex(d->class, 6));
	json_object_object_add(o, "rev", d->rev >= 0 ? hcl_jhex((unsigned)d->rev, 2) : NULL);
	json_object_object_add(o, "vendor", json_object_new_string(d->vendor));
	json_object_object_add(o, "model", json_object_new_string(d->model));
	json_object_object_add(o, "status", json_object_new_string(hcl_verdict_name(r->verdict)));
	json_object_object_add(o, "driver", r->verdict == HCL_V_CERTIFIED ?
				json_object_new_string(r->driver) : NULL);
	json_object_object_add(o, "driver_version", r->verdict == HCL_V_CERTIFIED ?
				json_object_new_string(r->version) : NULL);
	json_object_object_add(o, "deprecated", json_object_new_boolean(r->deprecated));
	json_object_object_add(o, "counted", json_object_new_boolean(r->counted));
	json_object_object_add(o, "kernel_driver", d->driver[0] ?
				json_object_new_string(d->driver) : NULL);
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	json_object_object_add(o, "firmware", d->fw_known && d->firmware[0] ?
				json_object_new_string(d->firmware) : NULL);
	json_object_object_add(o, "firmware_certified", r->fw_verdict ?
				json_object_new_string(r->fw_rule) : NULL);
	json_object_object_add(o, "firmware_status", r->fw_verdict ?
				json_object_new_string(r->fw_verdict) : NULL);
	json_object_object_add(o, "kernel_driver_version", d->driver_version[0] ?
				json_object_new_string(d->driver_version) : NULL);
	json_object_object_add(o, "module_sha256", d->module_sha256[0] ?
				json_object_new_string(d->module_sha256) : NULL);
	json_object_object_add(o, "build_status", r->build_verdict ?
				json_object_new_string(r->build_verdict) : NULL);
	json_object_object_add(o, "note", r->note[0] ? json_object_new_string(r->note) : NULL);
	json_object_object_add(o, "missing_features", hcl_report_missing(r->missing));
	return o;
}

static json_object *hcl_report_count(const struct hcl_count *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cards", json_object_new_int((int)c->cards));
	json_object_object_add(o, "functions", json_object_new_int((int)c->functions));
	return o;
}

void hcl_report_json(const struct hcl_report *rep, const struct hcl_loaded *ld,
		     const struct hcl_inv *inv, const char *input, FILE *f)
{
	json_object *o = json_object_new_object(), *list = json_object_new_object();
	json_object *devs = json_object_new_array(), *warn = json_object_new_array();
	json_object *in = json_object_new_object();
	int64_t age = hcl_age_days((int64_t)ld->hb.generated, (int64_t)time(NULL));
	size_t shown = inv->nwarn < HCL_INV_MAX_WARN ? inv->nwarn : HCL_INV_MAX_WARN;
	char gen[32];

	hcl_format_time((int64_t)ld->hb.generated, gen);
	json_object_object_add(list, "generated", json_object_new_string(gen));
	json_object_object_add(list, "age_days", json_object_new_int64(age));
	json_object_object_add(list, "stale", json_object_new_boolean(age > HCL_STALE_DAYS));
	json_object_object_add(list, "signed", json_object_new_boolean(ld->sig.signed_ok));
	json_object_object_add(list, "key_id", ld->sig.key_id[0] ?
				json_object_new_string(ld->sig.key_id) : NULL);
	json_object_object_add(list, "signed_at", ld->sig.signed_at[0] ?
				json_object_new_string(ld->sig.signed_at) : NULL);
	for (size_t i = 0; i < shown; i++)
		json_object_array_add(warn, json_object_new_string(inv->warn[i]));
	json_object_object_add(in, "name", json_object_new_string(input));
	json_object_object_add(in, "format", json_object_new_string(inv->format ? inv->format : ""));
	json_object_object_add(in, "functions", json_object_new_int((int)inv->n));
	json_object_object_add(in, "filter", inv->filter[0] ? json_object_new_string(inv->filter) :
				NULL);
	json_object_object_add(in, "warnings", warn);
	json_object_object_add(in, "lines_skipped", json_object_new_int((int)inv->nwarn));
	json_object_object_add(o, "hcl_check", json_object_new_int(1));
	json_object_object_add(o, "release", json_object_new_string(rep->release));
	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "inventory", in);
	json_object_object_add(o, "list", list);
	json_object_object_add(o, "bootable", json_object_new_boolean(rep->bootable));
	json_object_object_add(o, "reason", json_object_new_string(rep->why));
	json_object_object_add(o, "nics", hcl_report_count(&rep->nic));
	json_object_object_add(o, "storage", hcl_report_count(&rep->storage));
	json_object_object_add(o, "absent", json_object_new_int((int)rep->absent));
	for (size_t i = 0; i < rep->n; i++)
		json_object_array_add(devs, hcl_report_dev(&rep->res[i]));
	json_object_object_add(o, "devices", devs);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
