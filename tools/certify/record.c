/* certify CLI: a finished configuration as the store keeps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RECORD_MAX_LOG	(1u << 20)	/* bytes of COM1 log kept per configuration */

/* The COM1 log, then on trouble QEMU's own output and the symbolized backtrace. */
static char *record_log(const struct certify_config_result *r)
{
	const char *log = r->log ? r->log : r->res.com1_tail;
	size_t loglen = log ? strlen(log) : 0, cap;
	const char *q = r->verdict != CERTIFY_V_PASS ? r->res.qemu_output : NULL;
	const char *bt = r->res.backtrace;
	char *s;

	if (loglen > RECORD_MAX_LOG) {
		log += loglen - RECORD_MAX_LOG;	/* the end says most about what went wrong */
		loglen = RECORD_MAX_LOG;
	}
	cap = loglen + (q ? strlen(q) : 0) + (bt ? strlen(bt) : 0) + 128;
	s = malloc(cap);
	if (!s)
		return NULL;
	snprintf(s, cap, "%.*s%s%s%s%s", (int)loglen, log ? log : "",
		 q && *q ? "\n--- QEMU output ---\n" : "", q && *q ? q : "",
		 bt ? "\n--- panic backtrace ---\n" : "", bt ? bt : "");
	return s;
}

static int record_devices(const struct certify_run_spec *spec, const struct hvr_run *run,
			  struct certify_db_config *out)
{
	out->dev = calloc(spec->ndut + 1, sizeof(*out->dev));
	if (!out->dev)
		return -1;
	for (size_t i = 0; i < spec->ndut; i++) {
		const struct certify_model *m = spec->dut[i].m;
		const struct hvr_pci *p = certify_run_find_pci(run, m);
		struct certify_db_device *d;

		if (!p)
			continue;	/* the kernel did not see it: its subsystem IDs are unknown */
		for (size_t k = 0; k < out->ndev; k++) {
			if (!strcmp(out->dev[k].model, m->model))
				p = NULL;
		}
		if (!p)
			continue;
		d = &out->dev[out->ndev++];
		d->vid = p->vid;
		d->did = p->did;
		d->svid = p->svid;
		d->ssid = p->ssid;
		d->class = p->class;
		snprintf(d->kind, sizeof(d->kind), "%s", certify_kind_name(m->kind));
		snprintf(d->model, sizeof(d->model), "%s", m->model);
		snprintf(d->vendor, sizeof(d->vendor), "%s", m->vendor);
		snprintf(d->firmware, sizeof(d->firmware), "%s", p->fw);
		snprintf(d->module_sha256, sizeof(d->module_sha256), "%s", p->module_sha256);
	}
	return 0;
}

static int record_results(const struct hvr_run *run, struct certify_db_config *out)
{
	out->result = calloc(run->ntest + 1, sizeof(*out->result));
	if (!out->result)
		return -1;
	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *t = &run->test[i];
		struct certify_db_result *d = &out->result[out->nresult++];

		snprintf(d->suite, sizeof(d->suite), "%s", t->suite);
		snprintf(d->name, sizeof(d->name), "%s", t->name);
		snprintf(d->status, sizeof(d->status), "%s", hvr_status_name(t->status));
		d->us = t->us;
		snprintf(d->message, sizeof(d->message), "%s", t->msg);
		d->metric = calloc(t->nmetric + 1, sizeof(*d->metric));
		if (!d->metric)
			return -1;
		for (size_t k = 0; k < t->nmetric; k++, d->nmetric++) {
			snprintf(d->metric[k].name, sizeof(d->metric[k].name), "%s", t->metric[k].name);
			d->metric[k].value = strtod(t->metric[k].value, NULL);
			snprintf(d->metric[k].unit, sizeof(d->metric[k].unit), "%s", t->metric[k].unit);
		}
	}
	return 0;
}

int cli_record(const struct certify_run_spec *spec, const struct certify_config_result *r,
	       struct certify_db_config *out)
{
	char json[256];

	memset(out, 0, sizeof(*out));
	out->idx = r->cfg.index;
	snprintf(out->name, sizeof(out->name), "%s", r->cfg.name);
	certify_config_json(&r->cfg, json, sizeof(json));
	out->json = strdup(json);
	out->cmdline = strdup(r->append);
	out->reason = strdup(r->reason);
	if (r->checks.n) {
		out->check = calloc(r->checks.n, sizeof(*out->check));
		if (!out->check)
			goto fail;
		memcpy(out->check, r->checks.v, r->checks.n * sizeof(*out->check));
		out->ncheck = r->checks.n;
	}
	if (r->ran && r->res.run.nviolation) {
		out->viol = calloc(r->res.run.nviolation, sizeof(*out->viol));
		if (!out->viol)
			goto fail;
		memcpy(out->viol, r->res.run.violation, r->res.run.nviolation * sizeof(*out->viol));
		out->nviol = r->res.run.nviolation;
	}
	snprintf(out->verdict, sizeof(out->verdict), "%s", certify_verdict_name(r->verdict));
	if (!out->json || !out->cmdline || !out->reason)
		goto fail;
	if (!r->ran)
		return 0;
	snprintf(out->outcome, sizeof(out->outcome), "%s", certify_outcome_name(r->res.outcome));
	out->duration = r->res.duration_s;
	if (r->res.run.has_hello)
		snprintf(out->release, sizeof(out->release), "%s", r->res.run.release);
	out->log = record_log(r);
	if (!out->log || record_devices(spec, &r->res.run, out) < 0 ||
	    record_results(&r->res.run, out) < 0)
		goto fail;
	return 0;
fail:
	certify_db_config_free(out);
	return -1;
}
