/* `hcl check --json`: the machine-readable report (format in docs/hcl.md). */
#include <time.h>
#include <json-c/json.h>
#include "hcl.h"

static json_object *hcl_jhex(unsigned v, int digits)
{
	char b[16];

	snprintf(b, sizeof(b), "%0*x", digits, v);
	return json_object_new_string(b);
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
	json_object_object_add(o, "vendor", json_object_new_string(d->vendor));
	json_object_object_add(o, "model", json_object_new_string(d->model));
	json_object_object_add(o, "status", json_object_new_string(hcl_verdict_name(r->verdict)));
	json_object_object_add(o, "driver", r->verdict == HCL_V_CERTIFIED ?
				json_object_new_string(r->driver) : NULL);
	json_object_object_add(o, "driver_version", r->verdict == HCL_V_CERTIFIED ?
				json_object_new_string(r->version) : NULL);
	json_object_object_add(o, "deprecated", json_object_new_boolean(r->deprecated));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	return o;
}

void hcl_report_json(const struct hcl_report *rep, const struct hcl_loaded *ld,
		     const char *input, FILE *f)
{
	json_object *o = json_object_new_object(), *list = json_object_new_object();
	json_object *devs = json_object_new_array();
	int64_t age = hcl_age_days((int64_t)ld->hb.generated, (int64_t)time(NULL));
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
	json_object_object_add(o, "hcl_check", json_object_new_int(1));
	json_object_object_add(o, "release", json_object_new_string(rep->release));
	json_object_object_add(o, "input", json_object_new_string(input));
	json_object_object_add(o, "list", list);
	json_object_object_add(o, "bootable", json_object_new_boolean(rep->bootable));
	json_object_object_add(o, "reason", json_object_new_string(rep->why));
	for (size_t i = 0; i < rep->n; i++)
		json_object_array_add(devs, hcl_report_dev(&rep->res[i]));
	json_object_object_add(o, "devices", devs);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
