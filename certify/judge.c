/* certify: the verdict rules (judge.h). */
#include <stdio.h>
#include <string.h>

#include "judge.h"
#include "run.h"

const char *certify_verdict_name(enum certify_verdict v)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };

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

static int judge_reported(const struct hvr_run *run, const char *word)
{
	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *t = &run->test[i];
		size_t sl = strlen(t->suite);

		if (!strcmp(word, t->suite) ||
		    (!strncmp(word, t->suite, sl) && word[sl] == '.' && !strcmp(word + sl + 1, t->name)))
			return 1;
	}
	return 0;
}

static enum certify_verdict judge_tests(const struct certify_run_spec *spec,
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
	if (bad) {
		snprintf(reason, len, "%s.%s: %s%s%s", bad->suite, bad->name,
			 bad->status == HVR_SKIP ? "required test skipped" : hvr_status_name(bad->status),
			 bad->msg[0] ? ": " : "", bad->msg);
		return bad->status == HVR_ERROR ? CERTIFY_V_ERROR : CERTIFY_V_FAIL;
	}
	for (size_t i = 0; i < spec->plan->required.n; i++) {
		const char *w = spec->plan->required.v[i];

		if (strcmp(w, "all") && !judge_reported(run, w)) {
			snprintf(reason, len, "required test %s did not report", w);
			return CERTIFY_V_ERROR;
		}
	}
	return CERTIFY_V_PASS;
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
		if (!c[i].ran) {
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
	int ran = 0, err = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].verdict == CERTIFY_V_FAIL)
			return CERTIFY_V_FAIL;
		err |= r[i].verdict == CERTIFY_V_ERROR;
		ran |= r[i].verdict != CERTIFY_V_SKIP;
	}
	return err || !ran ? CERTIFY_V_ERROR : CERTIFY_V_PASS;
}
