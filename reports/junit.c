/* reports: a stored run as JUnit XML (Ant/Jenkins style; reports/junit.xsd validates it). */
#include <stdio.h>
#include <string.h>

#include "report.h"

static void junit_attr(FILE *out, const char *name, const char *v)
{
	fprintf(out, " %s=\"", name);
	report_xml_text(out, v);
	fputc('"', out);
}

static void junit_prop(FILE *out, const char *name, const char *v)
{
	fputs("      <property", out);
	junit_attr(out, "name", name);
	junit_attr(out, "value", v);
	fputs("/>\n", out);
}

/* A failure, error or skipped child for status (nothing for pass). */
static void junit_outcome(FILE *out, const char *status, const char *msg, const char *type)
{
	const char *tag = !strcmp(status, "fail") ? "failure" : !strcmp(status, "error") ? "error" :
			  !strcmp(status, "skip") ? "skipped" : NULL;

	if (!tag)
		return;
	fprintf(out, "      <%s", tag);
	junit_attr(out, "message", msg);
	if (strcmp(tag, "skipped"))
		junit_attr(out, "type", type);
	fputs(">", out);
	report_xml_text(out, msg);
	fprintf(out, "</%s>\n", tag);
}

static void junit_case(FILE *out, const struct certify_db_result *t)
{
	fprintf(out, "    <testcase");
	junit_attr(out, "classname", t->suite);
	junit_attr(out, "name", t->name);
	fprintf(out, " time=\"%.6f\">\n", (double)t->us / 1e6);
	if (t->waiver[0]) {
		char msg[320];

		/* a waived failure: JUnit has no such outcome; a skip that names the waiver */
		snprintf(msg, sizeof(msg), "waived by %s: %s", t->waiver, t->message);
		junit_outcome(out, "skip", msg, "waived");
	} else {
		junit_outcome(out, t->status, t->message, t->status);
	}
	if (t->nmetric) {
		fputs("      <system-out>", out);
		for (size_t k = 0; k < t->nmetric; k++) {
			fprintf(out, "%s%s = %g ", k ? "\n" : "", t->metric[k].name, t->metric[k].value);
			report_xml_text(out, t->metric[k].unit);
		}
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

/* A host check is a test case of class "hostcheck": one that disagreed is a failure, one
 * that did not run an error. */
static void junit_check(FILE *out, const struct certify_hostcheck *c)
{
	const char *st = report_check_state(c);

	fprintf(out, "    <testcase classname=\"hostcheck\"");
	junit_attr(out, "name", c->name);
	fputs(" time=\"0\">\n", out);
	junit_outcome(out, !strcmp(st, "ok") ? "pass" : !strcmp(st, "fail") ? "fail" : "error",
		      c->msg, st);
	if (!strcmp(st, "ok")) {
		fputs("      <system-out>", out);
		report_xml_text(out, c->msg);
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

/* A verifier violation is a failed test case of class "verifier" named by its kind. */
static void junit_violation(FILE *out, const struct certify_violation *v)
{
	char msg[900];

	report_violation_text(v, msg, sizeof(msg));
	fputs("    <testcase classname=\"verifier\"", out);
	junit_attr(out, "name", v->kind);
	fputs(" time=\"0\">\n", out);
	junit_outcome(out, "fail", msg, "violation");
	fputs("    </testcase>\n", out);
}

/* One configuration = one testsuite; its own verdict is the testcase certify.verdict. */
static void junit_suite(FILE *out, const struct certify_db_run *r, const struct certify_db_config *c)
{
	unsigned fail = !strcmp(c->verdict, "fail"), error = !strcmp(c->verdict, "error");
	unsigned notboot = !strcmp(c->verdict, "na") || !strcmp(c->verdict, "notrun"), skip = notboot;
	char seed[32], names[1024];
	long long done;

	for (size_t j = 0; j < c->nresult; j++) {
		fail += !strcmp(c->result[j].status, "fail");
		error += !strcmp(c->result[j].status, "error");
		skip += !strcmp(c->result[j].status, "skip") || !strcmp(c->result[j].status, "waived");
	}
	for (size_t j = 0; j < c->ncheck; j++) {
		fail += c->check[j].ran && !c->check[j].ok;
		error += !c->check[j].ran;
	}
	fail += (unsigned)c->nviol;
	fprintf(out, "  <testsuite");
	junit_attr(out, "name", c->name);
	fprintf(out, " id=\"%d\"", c->idx);
	junit_attr(out, "package", r->plan);
	fprintf(out, " tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\"",
		c->nresult + c->ncheck + c->nviol + 1, fail, error, skip, c->duration);
	junit_attr(out, "timestamp", r->started[0] ? r->started : "1970-01-01T00:00:00Z");
	junit_attr(out, "hostname", r->host[0] ? r->host : "localhost");
	fputs(">\n    <properties>\n", out);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	junit_prop(out, "seed", seed);
	junit_prop(out, "configuration", c->json);
	junit_prop(out, "cmdline", c->cmdline);
	junit_prop(out, "outcome", c->outcome);
	junit_prop(out, "release", r->release);
	junit_prop(out, "verdict", c->verdict);
	junit_prop(out, "plan_sha256", r->bind.plan_sha256);
	junit_prop(out, "kernel_sha256", r->bind.kernel_sha256);
	junit_prop(out, "qemu_version", r->bind.qemu_version);
	for (size_t i = 0; i < r->ndrv; i++) {
		char name[64];

		snprintf(name, sizeof(name), "module_sha256.%s", r->drv[i].name);
		junit_prop(out, name, r->drv[i].sha256);
	}
	junit_prop(out, "official", r->bind.official ? "yes" : r->bind.unofficial_why);
	for (size_t j = 0; j < c->nresult; j++) {
		char name[128];

		if (!c->result[j].waiver[0])
			continue;
		snprintf(name, sizeof(name), "waived.%s.%s", c->result[j].suite, c->result[j].name);
		junit_prop(out, name, c->result[j].waiver);
	}
	if ((done = report_completes(r, names, sizeof(names))) > 0) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", done);
		junit_prop(out, "completes_run", id);
		junit_prop(out, "completes_reran", names);
	}
	fputs("    </properties>\n", out);
	for (size_t j = 0; j < c->nresult; j++)
		junit_case(out, &c->result[j]);
	for (size_t j = 0; j < c->ncheck; j++)
		junit_check(out, &c->check[j]);
	for (size_t j = 0; j < c->nviol; j++)
		junit_violation(out, &c->viol[j]);
	fprintf(out, "    <testcase classname=\"certify\" name=\"verdict\" time=\"%.3f\">\n", c->duration);
	if (notboot) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s: %s", !strcmp(c->verdict, "na") ? "not applicable" :
			 "not run", c->reason);
		junit_outcome(out, "skip", msg, c->outcome);
	} else {
		junit_outcome(out, c->verdict, c->reason, c->outcome);
	}
	fputs("    </testcase>\n    <system-out>", out);
	report_xml_text(out, c->log);
	fputs("</system-out>\n    <system-err>", out);
	report_xml_text(out, c->reason);
	fputs("</system-err>\n  </testsuite>\n", out);
}

int report_junit(const struct certify_db_run *r, FILE *out, struct certify_err *err)
{
	struct report_counts n;
	char name[128];
	double t = 0;
	unsigned nchecks;

	report_count(r, &n);
	nchecks = n.check_ok + n.check_fail + n.check_notrun;
	for (size_t i = 0; i < r->ncfg; i++)
		t += r->cfg[i].duration;
	snprintf(name, sizeof(name), "certify run %lld (%s)", (long long)r->id, r->plan);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	junit_attr(out, "name", name);
	fprintf(out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
		n.pass + n.fail + n.skip + n.waived + n.error + nchecks + n.viol + (unsigned)r->ncfg,
		n.fail + n.check_fail + n.viol + n.cfg_fail, n.error + n.check_notrun + n.cfg_error,
		n.skip + n.waived + n.cfg_na + n.cfg_notrun, t);
	for (size_t i = 0; i < r->ncfg; i++)
		junit_suite(out, r, &r->cfg[i]);
	fputs("</testsuites>\n", out);
	if (ferror(out))
		return certify_errf(err, "write error");
	return 0;
}
