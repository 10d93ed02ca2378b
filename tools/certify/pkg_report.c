/*
 * certify: a package's report.json read back into a run as the store keeps it (what `certify
 * import` stores and `certify replay` compares against). The report's format is
 * docs/report-format.md (reports/json.c writes it); each configuration that booted gets the
 * run's devices and release, as the report keeps those per run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "pkg.h"
#include "pkg_report.h"

static const char *rj_str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static int rj_cpy(json_object *o, const char *k, char *out, size_t len, const char *what,
		  struct certify_err *err)
{
	const char *s = rj_str(o, k);

	if (!s)
		return certify_errf(err, "member report.json: %s without \"%s\"", what, k);
	if (strlen(s) >= len)
		return certify_errf(err, "member report.json: %s: \"%s\" longer than %zu bytes", what, k,
				    len - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static char *rj_dup(json_object *o, const char *k)
{
	const char *s = rj_str(o, k);

	return strdup(s ? s : "");
}

static json_object *rj_arr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

static unsigned long long rj_hex(json_object *o, const char *k)
{
	const char *s = rj_str(o, k);

	return s ? strtoull(s, NULL, 16) : 0;
}

static int rj_tests(json_object *a, struct certify_db_config *c, struct certify_err *err)
{
	size_t n = a ? json_object_array_length(a) : 0;

	c->result = calloc(n + 1, sizeof(*c->result));
	if (!c->result)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < n; i++, c->nresult++) {
		json_object *t = json_object_array_get_idx(a, i), *m = rj_arr(t, "metrics"), *v;
		struct certify_db_result *d = &c->result[i];
		size_t nm = m ? json_object_array_length(m) : 0;

		if (rj_cpy(t, "suite", d->suite, sizeof(d->suite), "a test", err) < 0 ||
		    rj_cpy(t, "name", d->name, sizeof(d->name), "a test", err) < 0 ||
		    rj_cpy(t, "status", d->status, sizeof(d->status), "a test", err) < 0)
			return -1;
		snprintf(d->message, sizeof(d->message), "%s", rj_str(t, "message") ? rj_str(t, "message") : "");
		d->us = json_object_object_get_ex(t, "us", &v) ? (uint64_t)json_object_get_int64(v) : 0;
		d->metric = calloc(nm + 1, sizeof(*d->metric));
		if (!d->metric)
			return certify_errf(err, "out of memory");
		for (size_t k = 0; k < nm; k++, d->nmetric++) {
			json_object *mo = json_object_array_get_idx(m, k);

			snprintf(d->metric[k].name, sizeof(d->metric[k].name), "%s",
				 rj_str(mo, "name") ? rj_str(mo, "name") : "");
			snprintf(d->metric[k].unit, sizeof(d->metric[k].unit), "%s",
				 rj_str(mo, "unit") ? rj_str(mo, "unit") : "");
			d->metric[k].value = json_object_object_get_ex(mo, "value", &v) ?
					     json_object_get_double(v) : 0;
		}
	}
	return 0;
}

static int rj_checks(json_object *a, struct certify_db_config *c, struct certify_err *err)
{
	size_t n = a ? json_object_array_length(a) : 0;

	c->check = calloc(n + 1, sizeof(*c->check));
	if (!c->check)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < n; i++, c->ncheck++) {
		json_object *o = json_object_array_get_idx(a, i), *v;
		struct certify_hostcheck *h = &c->check[i];

		if (rj_cpy(o, "name", h->name, sizeof(h->name), "a host check", err) < 0)
			return -1;
		snprintf(h->msg, sizeof(h->msg), "%s", rj_str(o, "message") ? rj_str(o, "message") : "");
		h->ran = json_object_object_get_ex(o, "ran", &v) && json_object_get_boolean(v);
		h->ok = json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
	}
	return 0;
}

static int rj_viols(json_object *a, struct certify_db_config *c, struct certify_err *err)
{
	size_t n = a ? json_object_array_length(a) : 0;

	c->viol = calloc(n + 1, sizeof(*c->viol));
	if (!c->viol)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < n; i++, c->nviol++) {
		json_object *o = json_object_array_get_idx(a, i), *v;
		struct certify_violation *x = &c->viol[i];

		if (rj_cpy(o, "kind", x->kind, sizeof(x->kind), "a violation", err) < 0 ||
		    rj_cpy(o, "module", x->module, sizeof(x->module), "a violation", err) < 0)
			return -1;
		x->site = rj_hex(o, "site");
		x->off = rj_hex(o, "offset");
		x->addr = rj_hex(o, "address");
		x->size = json_object_object_get_ex(o, "size", &v) ? (uint64_t)json_object_get_int64(v) : 0;
		snprintf(x->where, sizeof(x->where), "%s", rj_str(o, "location") ? rj_str(o, "location") : "");
		snprintf(x->dev, sizeof(x->dev), "%s", rj_str(o, "device") ? rj_str(o, "device") : "-");
		snprintf(x->test, sizeof(x->test), "%s", rj_str(o, "test") ? rj_str(o, "test") : "-");
		snprintf(x->msg, sizeof(x->msg), "%s", rj_str(o, "message") ? rj_str(o, "message") : "");
	}
	return 0;
}

static int rj_config(json_object *o, const struct certify_db_run *r, struct certify_db_config *c,
		     struct certify_err *err)
{
	json_object *v, *q;

	if (!json_object_object_get_ex(o, "index", &v))
		return certify_errf(err, "member report.json: a configuration without \"index\"");
	c->idx = json_object_get_int(v);
	if (rj_cpy(o, "name", c->name, sizeof(c->name), "a configuration", err) < 0 ||
	    rj_cpy(o, "verdict", c->verdict, sizeof(c->verdict), "a configuration", err) < 0 ||
	    rj_cpy(o, "outcome", c->outcome, sizeof(c->outcome), "a configuration", err) < 0)
		return -1;
	q = json_object_object_get_ex(o, "qemu", &q) ? q : NULL;
	c->json = strdup(q ? json_object_to_json_string_ext(q, JSON_C_TO_STRING_PLAIN) : "{}");
	c->cmdline = rj_dup(o, "cmdline");
	c->reason = rj_dup(o, "reason");
	c->log = rj_dup(o, "log");
	c->duration = json_object_object_get_ex(o, "duration_s", &v) ? json_object_get_double(v) : 0;
	if (!c->json || !c->cmdline || !c->reason || !c->log)
		return certify_errf(err, "out of memory");
	if (c->outcome[0]) {	/* it booted: the run's devices and release are its own */
		snprintf(c->release, sizeof(c->release), "%s", r->release);
		c->dev = calloc(r->ndev + 1, sizeof(*c->dev));
		if (!c->dev)
			return certify_errf(err, "out of memory");
		memcpy(c->dev, r->dev, r->ndev * sizeof(*c->dev));
		c->ndev = r->ndev;
	}
	return rj_tests(rj_arr(o, "tests"), c, err) < 0 || rj_checks(rj_arr(o, "hostchecks"), c, err) < 0 ||
	       rj_viols(rj_arr(o, "violations"), c, err) < 0 ? -1 : 0;
}

static int rj_devices(json_object *a, struct certify_db_run *r, struct certify_err *err)
{
	size_t n = a ? json_object_array_length(a) : 0;

	r->dev = calloc(n + 1, sizeof(*r->dev));
	if (!r->dev)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < n; i++, r->ndev++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct certify_db_device *d = &r->dev[i];

		d->vid = (unsigned)rj_hex(o, "vid");
		d->did = (unsigned)rj_hex(o, "did");
		d->svid = (unsigned)rj_hex(o, "svid");
		d->ssid = (unsigned)rj_hex(o, "ssid");
		d->class = (unsigned)rj_hex(o, "class");
		if (rj_cpy(o, "kind", d->kind, sizeof(d->kind), "a device", err) < 0 ||
		    rj_cpy(o, "model", d->model, sizeof(d->model), "a device", err) < 0)
			return -1;
		snprintf(d->vendor, sizeof(d->vendor), "%s", rj_str(o, "vendor") ? rj_str(o, "vendor") : "");
	}
	return 0;
}

static int rj_drivers(json_object *a, struct certify_db_run *r, struct certify_err *err)
{
	size_t n = a ? json_object_array_length(a) : 0;

	r->drv = calloc(n + 1, sizeof(*r->drv));
	if (!r->drv)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < n; i++, r->ndrv++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct certify_db_driver *d = &r->drv[i];

		if (rj_cpy(o, "name", d->name, sizeof(d->name), "a driver", err) < 0 ||
		    rj_cpy(o, "version", d->version, sizeof(d->version), "a driver", err) < 0 ||
		    rj_cpy(o, "sha256", d->sha256, sizeof(d->sha256), "a driver", err) < 0)
			return -1;
		snprintf(d->vendor, sizeof(d->vendor), "%s", rj_str(o, "vendor") ? rj_str(o, "vendor") : "");
	}
	return 0;
}

static int rj_run(json_object *top, struct certify_db_run *r, struct certify_err *err)
{
	json_object *run, *b, *v, *req, *a;
	const char *seed;

	if (!json_object_object_get_ex(top, "run", &run) || !json_object_object_get_ex(top, "binding", &b))
		return certify_errf(err, "member report.json: no \"run\" or \"binding\"");
	if (rj_cpy(run, "plan", r->plan, sizeof(r->plan), "run", err) < 0 ||
	    rj_cpy(run, "started", r->started, sizeof(r->started), "run", err) < 0 ||
	    rj_cpy(run, "status", r->status, sizeof(r->status), "run", err) < 0 ||
	    rj_cpy(run, "release", r->release, sizeof(r->release), "run", err) < 0 ||
	    rj_cpy(run, "host", r->host, sizeof(r->host), "run", err) < 0)
		return -1;
	if (strcmp(r->status, "complete") || !rj_str(run, "verdict") || !rj_str(run, "finished"))
		return certify_errf(err, "member report.json: run %s: only a complete run can be "
				    "submitted", r->status);
	snprintf(r->verdict, sizeof(r->verdict), "%s", rj_str(run, "verdict"));
	snprintf(r->finished, sizeof(r->finished), "%s", rj_str(run, "finished"));
	seed = rj_str(run, "seed");
	r->seed = seed ? strtoull(seed, NULL, 10) : 0;
	r->id = json_object_object_get_ex(run, "id", &v) ? json_object_get_int64(v) : 0;
	if (rj_cpy(b, "plan_sha256", r->bind.plan_sha256, sizeof(r->bind.plan_sha256), "binding", err) < 0 ||
	    rj_cpy(b, "kernel_sha256", r->bind.kernel_sha256, sizeof(r->bind.kernel_sha256), "binding", err) < 0 ||
	    rj_cpy(b, "qemu_version", r->bind.qemu_version, sizeof(r->bind.qemu_version), "binding", err) < 0)
		return -1;
	r->bind.official = json_object_object_get_ex(b, "official", &v) && json_object_get_boolean(v);
	snprintf(r->bind.unofficial_why, sizeof(r->bind.unofficial_why), "%s",
		 rj_str(b, "unofficial_reason") ? rj_str(b, "unofficial_reason") : "");
	req = json_object_object_get_ex(top, "request", &req) ? req : NULL;
	r->config = strdup(req ? json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
				 JSON_C_TO_STRING_NOSLASHESCAPE) : "{}");
	r->log = rj_dup(top, "log");
	if (!r->config || !r->log)
		return certify_errf(err, "out of memory");
	if (rj_devices(rj_arr(top, "devices"), r, err) < 0 || rj_drivers(rj_arr(top, "drivers"), r, err) < 0)
		return -1;
	a = rj_arr(top, "configurations");
	if (!a)
		return certify_errf(err, "member report.json: no \"configurations\"");
	r->cfg = calloc(json_object_array_length(a) + 1, sizeof(*r->cfg));
	if (!r->cfg)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < json_object_array_length(a); i++, r->ncfg++)
		if (rj_config(json_object_array_get_idx(a, i), r, &r->cfg[i], err) < 0) {
			r->ncfg++;
			return -1;
		}
	return 0;
}

int pkg_report_read(const struct pkg *p, struct certify_db_run *r, struct certify_err *err)
{
	const struct pkg_member *m = pkg_find(p, "report.json");
	json_object *top;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!m)
		return certify_errf(err, "no member report.json");
	top = json_tokener_parse((const char *)m->data);
	if (!top)
		return certify_errf(err, "member report.json: not JSON");
	rc = rj_run(top, r, err);
	json_object_put(top);
	if (rc < 0)
		certify_db_run_free(r);
	return rc;
}
