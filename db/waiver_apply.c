/* db: the live waivers' effect on a loaded run (certify_waiver_apply in waiver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waiver.h"

/* A failed configuration whose only fault is failed tests: the kernel itself exited "fail"
 * (not a panic, hang, reset or harness trouble), the verifier saw nothing, every host check
 * ran and agreed, and no test erred or was skipped (the store does not keep which skips the
 * plan required, so a skip keeps the configuration failed). */
static int waiver_tests_only(const struct certify_db_config *c)
{
	size_t nfail = 0;

	if (strcmp(c->verdict, "fail") || strcmp(c->outcome, "fail") || c->nviol)
		return 0;
	for (size_t i = 0; i < c->ncheck; i++)
		if (!c->check[i].ran || !c->check[i].ok)
			return 0;
	for (size_t i = 0; i < c->nresult; i++) {
		const char *s = c->result[i].status;

		if (!strcmp(s, "error") || !strcmp(s, "skip"))
			return 0;
		nfail += !strcmp(s, "fail");
	}
	return nfail > 0;
}

/* The live waiver covering test in c of run r, or NULL. */
static const struct certify_waiver *waiver_find(const struct certify_waiver *w, size_t n,
						const char *today, const struct certify_db_run *r,
						const struct certify_db_config *c, const char *test)
{
	const char *release = c->release[0] ? c->release : r->release;

	for (size_t i = 0; i < n; i++) {
		if (!certify_waiver_live(&w[i], today))
			continue;
		for (size_t d = 0; d < r->ndev; d++)
			if (certify_waiver_matches(&w[i], test, r->dev[d].model, c->name, release))
				return &w[i];
	}
	return NULL;
}

/* Waives c's failed tests when every one is covered; returns how many. */
static size_t waiver_config(const struct certify_waiver *w, size_t n, const char *today,
			    const struct certify_db_run *r, struct certify_db_config *c)
{
	const struct certify_waiver *by[256];
	char why[512] = "waived:", test[128], *reason;
	size_t nw = 0;

	if (!waiver_tests_only(c) || c->nresult > sizeof(by) / sizeof(by[0]))
		return 0;
	for (size_t i = 0; i < c->nresult; i++) {
		by[i] = NULL;
		if (strcmp(c->result[i].status, "fail"))
			continue;
		snprintf(test, sizeof(test), "%s.%s", c->result[i].suite, c->result[i].name);
		if (!(by[i] = waiver_find(w, n, today, r, c, test)))
			return 0;
	}
	for (size_t i = 0; i < c->nresult; i++) {
		size_t l = strlen(why);

		if (!by[i])
			continue;
		snprintf(c->result[i].status, sizeof(c->result[i].status), "waived");
		snprintf(c->result[i].waiver, sizeof(c->result[i].waiver), "%s", by[i]->id);
		snprintf(why + l, sizeof(why) - l, "%s %s.%s (%s)", nw ? "," : "", c->result[i].suite,
			 c->result[i].name, by[i]->id);
		nw++;
	}
	reason = malloc(strlen(why) + strlen(c->reason ? c->reason : "") + 16);
	if (reason) {
		sprintf(reason, "%s; stored: %s", why, c->reason ? c->reason : "");
		free(c->reason);
		c->reason = reason;
	}
	snprintf(c->verdict, sizeof(c->verdict), "pass");
	c->waived = 1;
	return nw;
}

/* certify_run_verdict's rule on stored verdicts: fail beats error beats pass; na and notrun
 * count neither way; none passed is an error. */
static const char *waiver_run_verdict(const struct certify_db_run *r)
{
	int pass = 0, error = 0;

	for (size_t i = 0; i < r->ncfg; i++) {
		const char *v = r->cfg[i].verdict;

		if (!strcmp(v, "fail"))
			return "fail";
		error |= !strcmp(v, "error");
		pass |= !strcmp(v, "pass");
	}
	return error || !pass ? "error" : "pass";
}

size_t certify_waiver_apply(const struct certify_waiver *w, size_t n, const char *today,
			    struct certify_db_run *r)
{
	size_t total = 0;

	if (strcmp(r->status, "complete") || strcmp(r->verdict, "fail"))
		return 0;
	for (size_t i = 0; i < r->ncfg; i++)
		total += waiver_config(w, n, today, r, &r->cfg[i]);
	if (!total)
		return 0;
	snprintf(r->stored_verdict, sizeof(r->stored_verdict), "%s", r->verdict);
	snprintf(r->verdict, sizeof(r->verdict), "%s", waiver_run_verdict(r));
	r->nwaived = total;
	return total;
}

long certify_db_run_waive(struct certify_db *db, struct certify_db_run *r, const char *today,
			  struct certify_err *err)
{
	struct certify_waiver *w;
	size_t n;
	long got;

	if (strcmp(r->status, "complete") || strcmp(r->verdict, "fail"))
		return 0;
	if (certify_db_waivers(db, &w, &n, err) < 0)
		return -1;
	got = (long)certify_waiver_apply(w, n, today, r);
	free(w);
	return got;
}
