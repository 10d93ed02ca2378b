/* reports: a stored run as one self-contained HTML page (no external assets). */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define HTML_MAX_SERIES	64	/* metrics charted */

static void h(FILE *out, const char *s)
{
	report_xml_text(out, s);
}

static const char html_style[] =
	"body{font:14px/1.4 sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#f0f0f0}.pass{color:#176f2c}.fail{color:#b00020}.error{color:#a05a00}"
	".skip,.na,.waived{color:#666}.notrun{color:#a05a00;font-style:italic}#verdict{font-size:2em;font-weight:bold}"
	"pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:30em;font-size:12px}"
	"svg{margin:0 1.5em 1em 0}svg text{font:11px sans-serif}";

/* What a pass certifies: every configuration that applies, or only those that passed. */
static void html_coverage(FILE *out, const struct certify_db_run *r)
{
	struct report_counts n;

	report_count(r, &n);
	fprintf(out, "<p id=\"coverage\" class=\"%s\">coverage: %s: %u of %zu configurations passed",
		n.cfg_notrun ? "notrun" : "pass", report_coverage(&n), n.cfg_pass, r->ncfg);
	if (n.cfg_notrun)
		fprintf(out, ", %u not run", n.cfg_notrun);
	if (n.cfg_na)
		fprintf(out, ", %u not applicable to the device", n.cfg_na);
	fputs("</p>\n", out);
}

static void html_head(FILE *out, const struct certify_db_run *r)
{
	const char *v = r->verdict[0] ? r->verdict : "incomplete";
	char names[1024];
	long long done;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>certify run %lld: %s</title><style>%s</style></head><body>\n",
		(long long)r->id, v, html_style);
	fprintf(out, "<h1>Certification run %lld</h1>\n<p id=\"verdict\" class=\"%s\">%s%s</p>\n",
		(long long)r->id, v, !strcmp(v, "pass") ? "PASS" : !strcmp(v, "fail") ? "FAIL" :
		!strcmp(v, "error") ? "ERROR" : "INCOMPLETE",
		report_certified(r) ? " (certified)" : "");
	html_coverage(out, r);
	if (r->nwaived)
		fprintf(out, "<p id=\"waived\">%zu failed test%s waived by live waivers; the store's "
			"verdict is %s.</p>\n", r->nwaived, r->nwaived == 1 ? "" : "s", r->stored_verdict);
	if ((done = report_completes(r, names, sizeof(names))) > 0) {
		fprintf(out, "<p id=\"completes\">Completes run %lld: reran the configurations that "
			"failed or erred there (", done);
		h(out, names);
		fputs("); the others are not run here.</p>\n", out);
	}
	fputs("<table id=\"run\">\n", out);
	fputs("<tr><th>plan</th><td>", out); h(out, r->plan);
	fprintf(out, "</td></tr>\n<tr><th>seed</th><td>%llu</td></tr>\n", (unsigned long long)r->seed);
	fputs("<tr><th>started</th><td>", out); h(out, r->started);
	fputs("</td></tr>\n<tr><th>finished</th><td>", out); h(out, r->finished);
	fputs("</td></tr>\n<tr><th>status</th><td>", out); h(out, r->status);
	fputs("</td></tr>\n<tr><th>hvkernel</th><td>", out); h(out, r->release);
	fputs("</td></tr>\n<tr><th>devices</th><td>", out);
	for (size_t i = 0; i < r->ndev; i++) {
		fprintf(out, "%s%04x:%04x %04x:%04x ", i ? "<br>" : "", r->dev[i].vid, r->dev[i].did,
			r->dev[i].svid, r->dev[i].ssid);
		h(out, r->dev[i].model);
		fputs(", firmware <span class=\"firmware\">", out);
		h(out, r->dev[i].firmware[0] ? r->dev[i].firmware : "none reported");
		fputs("</span>", out);
	}
	fputs("</td></tr>\n<tr><th>drivers</th><td>", out);
	for (size_t i = 0; i < r->ndrv; i++) {
		fputs(i ? "<br>" : "", out);
		h(out, r->drv[i].name);
		fputc(' ', out);
		h(out, r->drv[i].version);
		fputs(" (", out);
		h(out, r->drv[i].vendor);
		fprintf(out, ") sha256 %s", r->drv[i].sha256);
	}
	fputs("</td></tr>\n<tr><th>plan sha256</th><td>", out);
	h(out, r->bind.plan_sha256);
	fputs("</td></tr>\n<tr><th>kernel sha256</th><td>", out);
	h(out, r->bind.kernel_sha256);
	fputs("</td></tr>\n<tr><th>QEMU</th><td>", out);
	h(out, r->bind.qemu_version);
	fputs("</td></tr>\n<tr><th>official</th><td id=\"official\">", out);
	if (r->bind.official)
		fputs("yes: the plan shipped with the release", out);
	else {
		fputs("no: ", out);
		h(out, r->bind.unofficial_why);
	}
	fputs("</td></tr>\n</table>\n", out);
}

static void html_configs(FILE *out, const struct certify_db_run *r)
{
	fputs("<h2>Configurations</h2>\n<table id=\"configs\"><tr><th>#</th><th>configuration</th>"
	      "<th>verdict</th><th>outcome</th><th>time (s)</th><th>reason</th></tr>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		const struct certify_db_config *c = &r->cfg[i];

		fprintf(out, "<tr class=\"config\"><td>%d</td><td>", c->idx);
		h(out, c->name);
		fprintf(out, "</td><td class=\"%s\">%s</td><td>", c->verdict, c->verdict);
		h(out, c->outcome);
		fprintf(out, "</td><td>%.2f</td><td>", c->duration);
		h(out, c->reason);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_tests(FILE *out, const struct certify_db_run *r)
{
	fputs("<h2>Tests</h2>\n<table id=\"tests\"><tr><th>configuration</th><th>test</th>"
	      "<th>status</th><th>time (ms)</th><th>message</th><th>metrics</th></tr>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		const struct certify_db_config *c = &r->cfg[i];

		for (size_t j = 0; j < c->nresult; j++) {
			const struct certify_db_result *t = &c->result[j];

			fputs("<tr class=\"test\"><td>", out);
			h(out, c->name);
			fputs("</td><td>", out);
			h(out, t->suite);
			fputc('.', out);
			h(out, t->name);
			fprintf(out, "</td><td class=\"%s\">%s", t->status, t->status);
			if (t->waiver[0]) {
				fputs(" (", out);
				h(out, t->waiver);
				fputc(')', out);
			}
			fprintf(out, "</td><td>%.3f</td><td>", (double)t->us / 1000.0);
			h(out, t->message);
			fputs("</td><td>", out);
			for (size_t k = 0; k < t->nmetric; k++) {
				fprintf(out, "%s", k ? "<br>" : "");
				h(out, t->metric[k].name);
				fprintf(out, " = %g ", t->metric[k].value);
				h(out, t->metric[k].unit);
			}
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table>\n", out);
}

static void html_checks(FILE *out, const struct certify_db_run *r)
{
	fputs("<h2>Host checks</h2>\n<table id=\"hostchecks\"><tr><th>configuration</th><th>check</th>"
	      "<th>state</th><th>what the host saw</th></tr>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		for (size_t j = 0; j < r->cfg[i].ncheck; j++) {
			const struct certify_hostcheck *c = &r->cfg[i].check[j];
			const char *st = report_check_state(c);

			fputs("<tr class=\"hostcheck\"><td>", out);
			h(out, r->cfg[i].name);
			fputs("</td><td>", out);
			h(out, c->name);
			fprintf(out, "</td><td class=\"%s\">%s</td><td>", !strcmp(st, "ok") ? "pass" :
				!strcmp(st, "fail") ? "fail" : "error", st);
			h(out, c->msg);
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table>\n", out);
}

/* The verifier's violations: kind, module, symbolized call site, address, and what. */
static void html_violations(FILE *out, const struct certify_db_run *r)
{
	char hex[24];

	fputs("<h2>Verifier violations</h2>\n<table id=\"violations\"><tr><th>configuration</th>"
	      "<th>kind</th><th>module</th><th>call site</th><th>address</th><th>device</th>"
	      "<th>test</th><th>what</th></tr>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		for (size_t j = 0; j < r->cfg[i].nviol; j++) {
			const struct certify_violation *v = &r->cfg[i].viol[j];

			fputs("<tr class=\"violation\"><td>", out);
			h(out, r->cfg[i].name);
			fputs("</td><td class=\"fail\">", out);
			h(out, v->kind);
			fputs("</td><td>", out);
			h(out, v->module);
			fputs("</td><td>", out);
			h(out, v->where);
			fprintf(out, " (+0x%llx)</td><td>", (unsigned long long)v->off);
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v->addr);
			h(out, hex);
			fputs("</td><td>", out);
			h(out, v->dev);
			fputs("</td><td>", out);
			h(out, v->test);
			fputs("</td><td>", out);
			h(out, v->msg);
			fputs("</td></tr>\n", out);
		}
	}
	fputs("</table>\n", out);
}

/* The distinct "suite.test.metric" names, in first-seen order. */
static size_t html_series(const struct certify_db_run *r, char names[][160], char units[][16])
{
	size_t n = 0;

	for (size_t i = 0; i < r->ncfg; i++)
		for (size_t j = 0; j < r->cfg[i].nresult; j++) {
			const struct certify_db_result *t = &r->cfg[i].result[j];

			for (size_t k = 0; k < t->nmetric; k++) {
				char key[160];
				size_t s;

				snprintf(key, sizeof(key), "%s.%s.%s", t->suite, t->name, t->metric[k].name);
				for (s = 0; s < n && strcmp(names[s], key); s++)
					;
				if (s == n && n < HTML_MAX_SERIES) {
					snprintf(names[n], 160, "%s", key);
					snprintf(units[n++], 16, "%s", t->metric[k].unit);
				}
			}
		}
	return n;
}

static int html_value(const struct certify_db_config *c, const char *key, double *v)
{
	for (size_t j = 0; j < c->nresult; j++)
		for (size_t k = 0; k < c->result[j].nmetric; k++) {
			char name[160];

			snprintf(name, sizeof(name), "%s.%s.%s", c->result[j].suite, c->result[j].name,
				 c->result[j].metric[k].name);
			if (!strcmp(name, key)) {
				*v = c->result[j].metric[k].value;
				return 1;
			}
		}
	return 0;
}

/* One horizontal bar chart per metric: a bar per configuration that measured it. */
static void html_chart(FILE *out, const struct certify_db_run *r, const char *key, const char *unit)
{
	const int bar = 16, left = 170, width = 300;
	double max = 0, v;
	int rows = 0, y = 0;

	for (size_t i = 0; i < r->ncfg; i++) {
		if (html_value(&r->cfg[i], key, &v)) {
			rows++;
			max = v > max ? v : max;
		}
	}
	fprintf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" role=\"img\"><title>", left + width + 90, 22 + rows * (bar + 4));
	h(out, key);
	fputs("</title><text x=\"0\" y=\"12\" font-weight=\"bold\">", out);
	h(out, key);
	fputs(" (", out);
	h(out, unit);
	fputs(")</text>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		if (!html_value(&r->cfg[i], key, &v))
			continue;
		int w = max > 0 && v > 0 ? (int)(v / max * width) : 0;
		int ty = 20 + y * (bar + 4);

		fprintf(out, "<text x=\"0\" y=\"%d\">", ty + 12);
		h(out, r->cfg[i].name);
		fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7bd0\"/>"
			"<text x=\"%d\" y=\"%d\">%g</text>\n", left, ty, w < 1 ? 1 : w, bar, left + w + 4,
			ty + 12, v);
		y++;
	}
	fputs("</svg>\n", out);
}

static void html_logs(FILE *out, const struct certify_db_run *r)
{
	fputs("<h2>Logs</h2>\n", out);
	for (size_t i = 0; i < r->ncfg; i++) {
		fputs("<details class=\"log\"><summary>", out);
		h(out, r->cfg[i].name);
		fputs(": ", out);
		h(out, r->cfg[i].cmdline);
		fputs("</summary><pre>", out);
		h(out, r->cfg[i].log);
		fputs("</pre></details>\n", out);
	}
	fputs("<h3>Run log</h3><pre id=\"runlog\">", out);
	h(out, r->log);
	fputs("</pre>\n", out);
}

int report_html(const struct certify_db_run *r, FILE *out, struct certify_err *err)
{
	char names[HTML_MAX_SERIES][160], units[HTML_MAX_SERIES][16];
	size_t n;

	html_head(out, r);
	html_configs(out, r);
	html_tests(out, r);
	html_checks(out, r);
	html_violations(out, r);
	n = html_series(r, names, units);
	fprintf(out, "<h2>Metrics</h2>\n<div id=\"charts\">%s\n", n ? "" : "<p>No metrics were measured.</p>");
	for (size_t i = 0; i < n; i++)
		html_chart(out, r, names[i], units[i]);
	fputs("</div>\n", out);
	html_logs(out, r);
	fputs("</body></html>\n", out);
	if (ferror(out))
		return certify_errf(err, "write error");
	return 0;
}
