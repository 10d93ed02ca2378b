/* certify CLI: a run's stored request (runs.config, cmd_run.c's cli_run_request) as `certify
 * run` arguments again: what a worker runs, and what a replay reruns. */
#include <stdio.h>

#include <json-c/json.h>

#include "cli.h"

int cli_request_argv(const char *json, const char *const *mods, size_t nmods, char **argv,
		     size_t max, size_t *argc, char *buf, size_t len)
{
	json_object *o = json_tokener_parse(json), *v, *a;
	size_t n = 0, used = 0;

	if (!o)
		return -1;
#define ARG(s) do { int k_ = snprintf(buf + used, len - used, "%s", (s)); \
	if (n + 1 >= max || k_ < 0 || (size_t)k_ >= len - used) goto fail; \
	argv[n++] = buf + used; used += (size_t)k_ + 1; } while (0)
	ARG("run");
	if (json_object_object_get_ex(o, "devices", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			json_object *d = json_object_array_get_idx(a, i), *m, *p;
			char dev[256];

			if (!json_object_object_get_ex(d, "model", &m) || !json_object_object_get_ex(d, "props", &p))
				goto fail;
			snprintf(dev, sizeof(dev), "%s%s", json_object_get_string(m), json_object_get_string(p));
			ARG("--device");
			ARG(dev);
		}
	if (mods) {
		for (size_t i = 0; i < nmods; i++) {
			ARG("--module");
			ARG(mods[i]);
		}
	} else if (json_object_object_get_ex(o, "modules", &a)) {
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			json_object *f;

			if (!json_object_object_get_ex(json_object_array_get_idx(a, i), "file", &f))
				goto fail;
			ARG("--module");
			ARG(json_object_get_string(f));
		}
	}
	if (!json_object_object_get_ex(o, "plan", &v))
		goto fail;
	ARG("--plan");
	ARG(json_object_get_string(v));
	if (!json_object_object_get_ex(o, "seed", &v))
		goto fail;
	ARG("--seed");
	ARG(json_object_get_string(v));
	if (json_object_object_get_ex(o, "accel", &v)) {
		ARG("--accel");
		ARG(json_object_get_string(v));
	}
	if (json_object_object_get_ex(o, "soak", &v)) {
		ARG("--soak");
		ARG(json_object_get_string(v));
	}
	if (json_object_object_get_ex(o, "jobs", &v)) {
		ARG("--jobs");
		ARG(json_object_get_string(v));
	}
#undef ARG
	argv[n] = NULL;
	*argc = n;
	json_object_put(o);
	return 0;
fail:
	json_object_put(o);
	return -1;
}
