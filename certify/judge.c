/* certify: the verdict rules (judge.h). */
#include <stdio.h>
#include <string.h>

#include "judge.h"
#include "run.h"

const char *certify_verdict_name(enum certify_verdict v)
{
	static const char *const names[] = { "pass", "fail", "error", "na", "notrun" };

	return names[v];
}

const struct hvr_pci *certify_run_find_pci(const struct hvr_run *run, const struct certify_model *m)
{
	for (size_t i = 0; i < run->npci; i++) {
		if (run->pci[i].vid == m->vid && run->pci[i].did == m->did)
			return &run->pci[i];
	}
	return NULL;
}

/* The boot modules as the kernel saw them: each must have loaded, unchanged. */
static enum certify_verdict judge_modules(const struct certify_run_spec *spec,
					  const struct hvr_run *run, char *reason, size_t len)
{
	for (size_t i = 0; i < spec->nmods; i++) {
		const struct certify_modinfo *mi = &spec->mods[i];
		const char *base = strrchr(mi->path, '/') ? strrchr(mi->path, '/') + 1 : mi->path;
		const struct hvr_module *m = hvr_run_module(run, base);

		if (!m) {
			snprintf(reason, len, "module %s: the kernel did not report it", base);
			return CERTIFY_V_ERROR;
		}
		if (!strcmp(m->status, "refused") || !strcmp(m->status, "failed")) {
			snprintf(reason, len, "module %s %s: %s", base, m->status, m->reason);
			return CERTIFY_V_FAIL;
		}
		if (strcmp(m->status, "loaded")) {
			snprintf(reason, len, "module %s %s: %s", base, m->status, m->reason);
			return CERTIFY_V_ERROR;
		}
		if (strcmp(m->sha256, mi->sha256)) {
			snprintf(reason, len, "module %s: the kernel's sha256 %.12s differs from the "
				 "file's %.12s", base, m->sha256, mi->sha256);
			return CERTIFY_V_ERROR;
		}
	}
	for (size_t i = 0; i < spec->ndut && spec->nmods; i++) {
		const struct hvr_pci *p = certify_run_find_pci(run, spec->dut[i].m);

		if (!p) {
			snprintf(reason, len, "%s (%04x:%04x): not in the kernel's PCI list",
				 spec->dut[i].model, spec->dut[i].m->vid, spec->dut[i].m->did);
			return CERTIFY_V_ERROR;
		}
		if (!strcmp(p->driver, "-")) {
			snprintf(reason, len, "%s at %s: no driver bound", spec->dut[i].model, p->slot);
			return CERTIFY_V_FAIL;
		}
	}
	return CERTIFY_V_PASS;
}

/* A driver the kernel had to contain (a `drvfail` record: its probe or remove hung or
 * faulted and was abandoned) fails the configuration, whichever driver it was: a
 * certification machine runs only the drivers under test and the inbox ones. */
static enum certify_verdict judge_contained(const struct hvr_run *run, char *reason, size_t len)
{
	if (!run->ndrvfail)
		return CERTIFY_V_PASS;
	const struct hvr_drvfail *f = &run->drvfail[0];
	snprintf(reason, len, "driver %s (module %s) contained at %s: %s %s (%s) at %s", f->driver,
		 f->module, f->slot, f->op, f->reason, f->via, f->place);
	return CERTIFY_V_FAIL;
}

/* 1 when a plan word (SUITE, SUITE.NAME or all) names the test suite.name. */
static int judge_names(const char *word, const char *suite, const char *name)
{
	size_t sl = strlen(suite);

	return !strcmp(word, "all") || !strcmp(word, suite) ||
	       (!strncmp(word, suite, sl) && word[sl] == '.' && !strcmp(word + sl + 1, name));
}

static int judge_reported(const struct hvr_run *run, const char *word)
{
	for (size_t i = 0; i < run->ntest; i++) {
		if (judge_names(word, run->test[i].suite, run->test[i].name))
			return 1;
	}
	return 0;
}

/* A selected "suite.name" split for judge_names; 0, or -1 when it is not one. */
static int judge_split(const char *id, char *suite, size_t slen, const char **name)
{
	const char *dot = strchr(id, '.');

	if (!dot || (size_t)(dot - id) >= slen)
		return -1;
	memcpy(suite, id, (size_t)(dot - id));
	suite[dot - id] = '\0';
	*name = dot + 1;
	return 0;
}

/* What the kernel said it would run (its `selected` records) against the plan: the kernel
 * must say it, select only what the plan asks, and every word of the plan's tests must
 * select at least one test; a run without a single test record is never a pass. */
static enum certify_verdict judge_selection(const struct certify_plan *p, const struct hvr_run *run,
					    char *reason, size_t len)
{
	if (!run->has_selected) {
		snprintf(reason, len, "the kernel did not say which tests it selected (no selected record)");
		return CERTIFY_V_ERROR;
	}
	for (size_t i = 0; i < run->nselected; i++) {
		char suite[48];
		const char *name;
		size_t k = p->tests.n;

		if (judge_split(run->selected[i], suite, sizeof(suite), &name) == 0)
			for (k = 0; k < p->tests.n && !judge_names(p->tests.v[k], suite, name); k++)
				;
		if (k == p->tests.n) {
			snprintf(reason, len, "the kernel selected %s, which the plan does not ask for",
				 run->selected[i]);
			return CERTIFY_V_ERROR;
		}
	}
	for (size_t k = 0; k < p->tests.n; k++) {
		size_t i;

		for (i = 0; i < run->nselected; i++) {
			char suite[48];
			const char *name;

			if (judge_split(run->selected[i], suite, sizeof(suite), &name) == 0 &&
			    judge_names(p->tests.v[k], suite, name))
				break;
		}
		if (i == run->nselected) {
			snprintf(reason, len, "plan test '%s' selected no test in the kernel", p->tests.v[k]);
			return CERTIFY_V_ERROR;
		}
	}
	if (run->ntest == 0) {
		snprintf(reason, len, "the kernel reported no test");
		return CERTIFY_V_ERROR;
	}
	return CERTIFY_V_PASS;
}

/* A failing test fails the boot, and so does a required test that skipped; else the first
 * test with an error makes it an error. */
static enum certify_verdict judge_results(const struct certify_run_spec *spec,
					  const struct hvr_run *run, char *reason, size_t len)
{
	const struct hvr_test *bad = NULL;	/* the first failing test, else the first error */

	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *t = &run->test[i];
		int req = certify_plan_requires(spec->plan, t->suite, t->name);

		if (t->status == HVR_FAIL || (t->status == HVR_SKIP && req)) {
			bad = t;
			break;
		}
		if (t->status == HVR_ERROR && !bad)
			bad = t;
	}
	if (!bad)
		return CERTIFY_V_PASS;
	snprintf(reason, len, "%s.%s: %s%s%s", bad->suite, bad->name,
		 bad->status == HVR_SKIP ? "required test skipped" : hvr_status_name(bad->status),
		 bad->msg[0] ? ": " : "", bad->msg);
	return bad->status == HVR_ERROR ? CERTIFY_V_ERROR : CERTIFY_V_FAIL;
}

/* Every required word reported: `all` is every word of the plan's tests and every test the
 * kernel selected. */
static enum certify_verdict judge_required(const struct certify_plan *p, const struct hvr_run *run,
					   char *reason, size_t len)
{
	for (size_t i = 0; i < p->required.n; i++) {
		const char *w = p->required.v[i];

		if (strcmp(w, "all")) {
			if (!judge_reported(run, w)) {
				snprintf(reason, len, "required test %s did not report", w);
				return CERTIFY_V_ERROR;
			}
			continue;
		}
		for (size_t k = 0; k < p->tests.n; k++) {
			if (!judge_reported(run, p->tests.v[k])) {
				snprintf(reason, len, "required test %s did not report (required = all)",
					 p->tests.v[k]);
				return CERTIFY_V_ERROR;
			}
		}
		for (size_t k = 0; k < run->nselected; k++) {
			if (!judge_reported(run, run->selected[k])) {
				snprintf(reason, len, "selected test %s did not report (required = all)",
					 run->selected[k]);
				return CERTIFY_V_ERROR;
			}
		}
	}
	return CERTIFY_V_PASS;
}

static enum certify_verdict judge_tests(const struct certify_run_spec *spec,
					const struct hvr_run *run, char *reason, size_t len)
{
	enum certify_verdict v = judge_results(spec, run, reason, len);

	if (v == CERTIFY_V_PASS)
		v = judge_selection(spec->plan, run, reason, len);
	if (v == CERTIFY_V_PASS)
		v = judge_required(spec->plan, run, reason, len);
	return v;
}

/* What the kernel reported and how QEMU ended. */
static enum certify_verdict judge_kernel(const struct certify_run_spec *spec,
					 const struct certify_result *res, char *reason, size_t len)
{
	const struct hvr_run *run = &res->run;
	const char *oc = certify_outcome_name(res->outcome);
	enum certify_verdict v;

	snprintf(reason, len, "%s", res->reason);
	if (run->nerrors) {
		snprintf(reason, len, "result channel: %s", run->error[0]);
		return CERTIFY_V_ERROR;
	}
	/* The verifier saw the driver misbehave: whatever the tests say, it fails. */
	if (run->nviolation) {
		const struct certify_violation *v = &run->violation[0];

		char at[300];

		if (v->where[0])
			snprintf(at, sizeof(at), "%s", v->where);
		else
			snprintf(at, sizeof(at), "+0x%llx", (unsigned long long)v->off);
		snprintf(reason, len, "verifier: %zu violation%s, the first %s in %s at %s: %s",
			 run->nviolation, run->nviolation == 1 ? "" : "s", v->kind, v->module, at,
			 v->msg);
		return CERTIFY_V_FAIL;
	}
	switch (res->outcome) {
	case CERTIFY_TIMEOUT: case CERTIFY_PANIC: case CERTIFY_RESET:
		snprintf(reason, len, "%s: %s", oc, run->has_panic ? run->panic_msg : res->reason);
		return CERTIFY_V_FAIL;
	case CERTIFY_PASS: case CERTIFY_FAIL: case CERTIFY_ERROR:
		break;
	default:
		snprintf(reason, len, "%s: %s", oc, res->reason);
		return CERTIFY_V_ERROR;
	}
	v = judge_contained(run, reason, len);
	if (v == CERTIFY_V_PASS)
		v = judge_modules(spec, run, reason, len);
	if (v != CERTIFY_V_PASS)
		return v;
	v = judge_tests(spec, run, reason, len);
	if (v == CERTIFY_V_PASS && res->outcome != CERTIFY_PASS) {
		snprintf(reason, len, "kernel outcome %s: %s", oc, res->reason);
		v = res->outcome == CERTIFY_FAIL ? CERTIFY_V_FAIL : CERTIFY_V_ERROR;
	}
	if (v == CERTIFY_V_PASS)
		snprintf(reason, len, "%zu tests passed", run->ntest);
	return v;
}

/* The host's own evidence: the first check that disagrees, else the first that did not run. */
static enum certify_verdict judge_hostchecks(const struct certify_hostcheck *c, size_t n,
					     char *reason, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].ran && !c[i].ok) {
			snprintf(reason, len, "host check %s: %s", c[i].name, c[i].msg);
			return CERTIFY_V_FAIL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* impossible on this target (a bare-metal machine): stored not run, never a pass */
		if (!c[i].ran && !c[i].impossible) {
			snprintf(reason, len, "host check %s did not run: %s", c[i].name, c[i].msg);
			return CERTIFY_V_ERROR;
		}
	}
	return CERTIFY_V_PASS;
}

enum certify_verdict certify_judge(const struct certify_judge_in *in, char *reason, size_t len)
{
	enum certify_verdict v = judge_kernel(in->spec, in->res, reason, len), h;
	char hreason[512];

	if (v == CERTIFY_V_FAIL)
		return v;
	h = judge_hostchecks(in->checks, in->nchecks, hreason, sizeof(hreason));
	if (h == CERTIFY_V_FAIL || (h == CERTIFY_V_ERROR && v == CERTIFY_V_PASS)) {
		snprintf(reason, len, "%s", hreason);
		return h;
	}
	return v;
}

enum certify_verdict certify_run_verdict(const struct certify_config_result *r, size_t n)
{
	int passed = 0, err = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].verdict == CERTIFY_V_FAIL)
			return CERTIFY_V_FAIL;
		err |= r[i].verdict == CERTIFY_V_ERROR;
		passed |= r[i].verdict == CERTIFY_V_PASS;
	}
	return err || !passed ? CERTIFY_V_ERROR : CERTIFY_V_PASS;
}

void certify_run_coverage(const struct certify_config_result *r, size_t n,
			  struct certify_coverage *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		switch (r[i].verdict) {
		case CERTIFY_V_PASS: c->pass++; break;
		case CERTIFY_V_FAIL: c->fail++; break;
		case CERTIFY_V_ERROR: c->error++; break;
		case CERTIFY_V_NA: c->na++; break;
		case CERTIFY_V_NOTRUN:
			if (!c->notrun++)
				snprintf(c->notrun_why, sizeof(c->notrun_why), "%s", r[i].reason);
			else if (strncmp(c->notrun_why, r[i].reason, sizeof(c->notrun_why) - 1))
				c->notrun_mixed = 1;
			break;
		}
	}
}
