/* reports: a stored run as JSON (schema in docs/report-format.md). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"

#define REPORT_JSON_SCHEMA	"hvkit.certify.run"
#define REPORT_JSON_VERSION	2

static void jstr(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void jhex(json_object *o, const char *k, unsigned v, int digits)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", digits, v);
	jstr(o, k, buf);
}

static json_object *report_json_devices(const struct certify_db_run *r)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->ndev; i++) {
		const struct certify_db_device *d = &r->dev[i];
		json_object *o = json_object_new_object();

		jhex(o, "vid", d->vid, 4);
		jhex(o, "did", d->did, 4);
		jhex(o, "svid", d->svid, 4);
		jhex(o, "ssid", d->ssid, 4);
		jhex(o, "class", d->class, 6);
		jstr(o, "kind", d->kind);
		jstr(o, "model", d->model);
		jstr(o, "vendor", d->vendor);
		/* null: the driver reported none (the device has none, or the run is older) */
		json_object_object_add(o, "firmware", d->firmware[0] ? json_object_new_string(d->firmware) : NULL);
		json_object_object_add(o, "module_sha256",
				       d->module_sha256[0] ? json_object_new_string(d->module_sha256) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json_drivers(const struct certify_db_run *r)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->ndrv; i++) {
		json_object *o = json_object_new_object();

		jstr(o, "name", r->drv[i].name);
		jstr(o, "version", r->drv[i].version);
		jstr(o, "vendor", r->drv[i].vendor);
		jstr(o, "sha256", r->drv[i].sha256);
		json_object_array_add(a, o);
	}
	return a;
}

/* What the run binds: a certification is this bundle of hashes, with the seed. */
static json_object *report_json_binding(const struct certify_db_run *r)
{
	json_object *o = json_object_new_object(), *m = json_object_new_array();

	jstr(o, "plan_sha256", r->bind.plan_sha256);
	jstr(o, "kernel_sha256", r->bind.kernel_sha256);
	jstr(o, "qemu_version", r->bind.qemu_version);
	for (size_t i = 0; i < r->ndrv; i++) {
		json_object *d = json_object_new_object();

		jstr(d, "name", r->drv[i].name);
		jstr(d, "version", r->drv[i].version);
		jstr(d, "sha256", r->drv[i].sha256);
		json_object_array_add(m, d);
	}
	json_object_object_add(o, "modules", m);
	json_object_object_add(o, "official", json_object_new_boolean(r->bind.official));
	jstr(o, "unofficial_reason", r->bind.official ? "" : r->bind.unofficial_why);
	return o;
}

static json_object *report_json_tests(const struct certify_db_config *c)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < c->nresult; i++) {
		const struct certify_db_result *t = &c->result[i];
		json_object *o = json_object_new_object(), *m = json_object_new_array();

		jstr(o, "suite", t->suite);
		jstr(o, "name", t->name);
		jstr(o, "status", t->status);
		json_object_object_add(o, "us", json_object_new_int64((int64_t)t->us));
		jstr(o, "message", t->message);
		if (t->waiver[0])
			jstr(o, "waiver", t->waiver);
		for (size_t k = 0; k < t->nmetric; k++) {
			json_object *mo = json_object_new_object();

			jstr(mo, "name", t->metric[k].name);
			json_object_object_add(mo, "value", json_object_new_double(t->metric[k].value));
			jstr(mo, "unit", t->metric[k].unit);
			json_object_array_add(m, mo);
		}
		json_object_object_add(o, "metrics", m);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json_checks(const struct certify_db_config *c)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < c->ncheck; i++) {
		json_object *o = json_object_new_object();

		jstr(o, "name", c->check[i].name);
		json_object_object_add(o, "ran", json_object_new_boolean(c->check[i].ran));
		json_object_object_add(o, "ok", json_object_new_boolean(c->check[i].ran && c->check[i].ok));
		jstr(o, "message", c->check[i].msg);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json_violations(const struct certify_db_config *c)
{
	json_object *a = json_object_new_array();
	char hex[24];

	for (size_t i = 0; i < c->nviol; i++) {
		const struct certify_violation *v = &c->viol[i];
		json_object *o = json_object_new_object();

		jstr(o, "kind", v->kind);
		jstr(o, "module", v->module);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v->site);
		jstr(o, "site", hex);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v->off);
		jstr(o, "offset", hex);
		jstr(o, "location", v->where);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v->addr);
		jstr(o, "address", hex);
		json_object_object_add(o, "size", json_object_new_int64((int64_t)v->size));
		jstr(o, "device", v->dev);
		jstr(o, "test", v->test);
		jstr(o, "message", v->msg);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json_configs(const struct certify_db_run *r)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->ncfg; i++) {
		const struct certify_db_config *c = &r->cfg[i];
		json_object *o = json_object_new_object();
		json_object *cfg = json_tokener_parse(c->json ? c->json : "{}");

		json_object_object_add(o, "index", json_object_new_int(c->idx));
		jstr(o, "name", c->name);
		json_object_object_add(o, "qemu", cfg ? cfg : json_object_new_object());
		jstr(o, "cmdline", c->cmdline);
		jstr(o, "outcome", c->outcome);
		jstr(o, "verdict", c->verdict);
		jstr(o, "reason", c->reason);
		json_object_object_add(o, "duration_s", json_object_new_double(c->duration));
		json_object_object_add(o, "tests", report_json_tests(c));
		json_object_object_add(o, "hostchecks", report_json_checks(c));
		json_object_object_add(o, "violations", report_json_violations(c));
		jstr(o, "log", c->log);
		if (c->waived)
			json_object_object_add(o, "waived", json_object_new_boolean(1));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json_summary(const struct certify_db_run *r)
{
	json_object *o = json_object_new_object(), *t = json_object_new_object();
	struct report_counts n;

	report_count(r, &n);
	json_object_object_add(o, "configurations", json_object_new_int((int)r->ncfg));
	json_object_object_add(o, "passed", json_object_new_int((int)n.cfg_pass));
	json_object_object_add(o, "failed", json_object_new_int((int)n.cfg_fail));
	json_object_object_add(o, "errors", json_object_new_int((int)n.cfg_error));
	json_object_object_add(o, "not_applicable", json_object_new_int((int)n.cfg_na));
	json_object_object_add(o, "not_run", json_object_new_int((int)n.cfg_notrun));
	jstr(o, "coverage", report_coverage(&n));
	json_object_object_add(t, "pass", json_object_new_int((int)n.pass));
	json_object_object_add(t, "fail", json_object_new_int((int)n.fail));
	json_object_object_add(t, "skip", json_object_new_int((int)n.skip));
	json_object_object_add(t, "error", json_object_new_int((int)n.error));
	json_object_object_add(o, "tests", t);
	t = json_object_new_object();
	json_object_object_add(t, "ok", json_object_new_int((int)n.check_ok));
	json_object_object_add(t, "fail", json_object_new_int((int)n.check_fail));
	json_object_object_add(t, "notrun", json_object_new_int((int)n.check_notrun));
	json_object_object_add(o, "hostchecks", t);
	json_object_object_add(o, "violations", json_object_new_int((int)n.viol));
	return o;
}

int report_json(const struct certify_db_run *r, FILE *out, struct certify_err *err)
{
	json_object *o = json_object_new_object(), *run = json_object_new_object();
	json_object *cfg = json_tokener_parse(r->config ? r->config : "{}");
	char seed[32];
	int rc = 0;

	if (!o || !run)
		return certify_errf(err, "out of memory");
	jstr(o, "schema", REPORT_JSON_SCHEMA);
	json_object_object_add(o, "schema_version", json_object_new_int(REPORT_JSON_VERSION));
	json_object_object_add(run, "id", json_object_new_int64(r->id));
	jstr(run, "plan", r->plan);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	jstr(run, "seed", seed);
	jstr(run, "started", r->started);
	if (r->finished[0])
		jstr(run, "finished", r->finished);
	else
		json_object_object_add(run, "finished", NULL);
	jstr(run, "status", r->status);
	if (r->verdict[0])
		jstr(run, "verdict", r->verdict);
	else
		json_object_object_add(run, "verdict", NULL);
	json_object_object_add(run, "certified", json_object_new_boolean(report_certified(r)));
	jstr(run, "release", r->release);
	jstr(run, "host", r->host);
	if (r->nwaived) {
		jstr(run, "stored_verdict", r->stored_verdict);
		json_object_object_add(run, "waived", json_object_new_int64((int64_t)r->nwaived));
	}
	json_object_object_add(o, "run", run);
	json_object_object_add(o, "binding", report_json_binding(r));
	json_object_object_add(o, "request", cfg ? cfg : json_object_new_object());
	json_object_object_add(o, "devices", report_json_devices(r));
	json_object_object_add(o, "drivers", report_json_drivers(r));
	json_object_object_add(o, "summary", report_json_summary(r));
	json_object_object_add(o, "configurations", report_json_configs(r));
	jstr(o, "log", r->log);
	if (fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		rc = certify_errf(err, "write error");
	json_object_put(o);
	return rc;
}
