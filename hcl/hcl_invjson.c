/*
 * JSON inventories (docs/hcl.md): {"hcl_inventory": 1, "host": "...", "devices": [ {"slot":
 * "00:03.0", "vid": "8086", "did": "100e", "svid": "8086", "ssid": "001e", "class":
 * "020000", "driver": "e1000"} ]}; svid/ssid/driver/host may be left out.
 */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "hcl.h"

static int hcl_ij_hex(json_object *o, const char *key, int digits, int optional, long *out)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v))
		return optional ? (*out = 0, 0) : -1;
	if (json_object_get_type(v) != json_type_string)
		return -2;
	s = json_object_get_string(v);
	if ((int)strlen(s) != digits || (int)strspn(s, "0123456789abcdefABCDEF") != digits)
		return -2;
	*out = strtol(s, NULL, 16);
	return 0;
}

static int hcl_ij_dev(json_object *o, size_t i, const char *name, struct hcl_dev *d,
		      struct hcl_err *err)
{
	static const char *const keys[] = { "slot", "vid", "did", "svid", "ssid", "class", "driver",
					    NULL };
	static const struct { const char *k; int digits, opt; } hx[] = {
		{ "vid", 4, 0 }, { "did", 4, 0 }, { "svid", 4, 1 }, { "ssid", 4, 1 }, { "class", 6, 0 },
	};
	long val[5];
	json_object *v;

	if (json_object_get_type(o) != json_type_object)
		return hcl_errf(err, "%s: devices[%zu]: expected an object", name, i);
	json_object_object_foreach(o, key, jv) {
		const char *const *k = keys;

		(void)jv;
		while (*k && strcmp(*k, key))
			k++;
		if (!*k)
			return hcl_errf(err, "%s: devices[%zu].%s: unknown key", name, i, key);
	}
	memset(d, 0, sizeof(*d));
	if (!json_object_object_get_ex(o, "slot", &v) || json_object_get_type(v) != json_type_string ||
	    json_object_get_string_len(v) == 0 || json_object_get_string_len(v) >= (int)sizeof(d->slot))
		return hcl_errf(err, "%s: devices[%zu].slot: missing or not a string", name, i);
	snprintf(d->slot, sizeof(d->slot), "%s", json_object_get_string(v));
	for (size_t k = 0; k < 5; k++) {
		int rc = hcl_ij_hex(o, hx[k].k, hx[k].digits, hx[k].opt, &val[k]);

		if (rc == -1)
			return hcl_errf(err, "%s: devices[%zu].%s: missing", name, i, hx[k].k);
		if (rc == -2)
			return hcl_errf(err, "%s: devices[%zu].%s: expected %d hex digits", name, i,
					hx[k].k, hx[k].digits);
	}
	d->vid = (uint16_t)val[0];
	d->did = (uint16_t)val[1];
	if (val[2]) {
		d->svid = (uint16_t)val[2];
		d->ssid = (uint16_t)val[3];
	}
	d->class = (uint32_t)val[4];
	if (json_object_object_get_ex(o, "driver", &v)) {
		if (json_object_get_type(v) != json_type_string)
			return hcl_errf(err, "%s: devices[%zu].driver: expected a string", name, i);
		snprintf(d->driver, sizeof(d->driver), "%s", json_object_get_string(v));
	}
	hcl_names(d->vid, d->did, d->svid, d->ssid, d->vendor, sizeof(d->vendor), d->model,
		  sizeof(d->model));
	return 0;
}

int hcl_inv_json(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = tok ? json_tokener_parse_ex(tok, text, (int)strlen(text)) : NULL;
	json_object *devs, *ver;
	int rc = -1;

	if (!root) {
		size_t at = tok ? json_tokener_get_parse_end(tok) : 0, line = 1;

		for (size_t i = 0; i < at; i++)
			line += text[i] == '\n';
		hcl_errf(err, "%s:%zu: not valid JSON: %s", name, line,
			 tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "no memory");
		goto out;
	}
	json_object_object_foreach(root, key, jv) {
		(void)jv;
		if (strcmp(key, "hcl_inventory") && strcmp(key, "host") && strcmp(key, "devices")) {
			hcl_errf(err, "%s: %s: unknown key", name, key);
			goto out;
		}
	}
	if (!json_object_object_get_ex(root, "hcl_inventory", &ver) ||
	    json_object_get_type(ver) != json_type_int || json_object_get_int(ver) != 1) {
		hcl_errf(err, "%s: hcl_inventory: missing or not 1", name);
		goto out;
	}
	if (!json_object_object_get_ex(root, "devices", &devs) ||
	    json_object_get_type(devs) != json_type_array) {
		hcl_errf(err, "%s: devices: missing or not an array", name);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		struct hcl_dev d;

		if (hcl_ij_dev(json_object_array_get_idx(devs, i), i, name, &d, err) < 0)
			goto out;
		if (hcl_inv_add(inv, &d) < 0) {
			hcl_errf(err, "out of memory");
			goto out;
		}
	}
	inv->format = "json";
	rc = 0;
out:
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return rc;
}
