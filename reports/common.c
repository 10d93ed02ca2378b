/* reports: format dispatch and helpers shared by the writers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <unistd.h>

#include "report.h"

int report_format_parse(const char *s, enum report_format *out)
{
	if (!strcmp(s, "json"))
		*out = REPORT_JSON;
	else if (!strcmp(s, "junit"))
		*out = REPORT_JUNIT;
	else if (!strcmp(s, "html"))
		*out = REPORT_HTML;
	else
		return -1;
	return 0;
}

int report_write(const struct certify_db_run *r, enum report_format f, FILE *out,
		 struct certify_err *err)
{
	if (f == REPORT_JSON)
		return report_json(r, out, err);
	if (f == REPORT_JUNIT)
		return report_junit(r, out, err);
	return report_html(r, out, err);
}

int report_write_file(const struct certify_db_run *r, enum report_format f, const char *path,
		      struct certify_err *err)
{
	char tmp[1100];
	FILE *out;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	out = fopen(tmp, "w");
	if (!out)
		return certify_errf(err, "%s: %s", path, strerror(errno));
	rc = report_write(r, f, out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = certify_errf(err, "%s: write error", path);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = certify_errf(err, "%s: %s", path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}

void report_count(const struct certify_db_run *r, struct report_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < r->ncfg; i++) {
		const struct certify_db_config *k = &r->cfg[i];

		c->cfg_pass += !strcmp(k->verdict, "pass");
		c->cfg_fail += !strcmp(k->verdict, "fail");
		c->cfg_error += !strcmp(k->verdict, "error");
		c->cfg_na += !strcmp(k->verdict, "na");
		c->cfg_notrun += !strcmp(k->verdict, "notrun");
		for (size_t j = 0; j < k->nresult; j++) {
			const char *s = k->result[j].status;

			c->pass += !strcmp(s, "pass");
			c->fail += !strcmp(s, "fail");
			c->skip += !strcmp(s, "skip");
			c->waived += !strcmp(s, "waived");
			c->error += !strcmp(s, "error");
		}
		c->viol += (unsigned)k->nviol;
		for (size_t j = 0; j < k->ncheck; j++) {
			c->check_ok += k->check[j].ran && k->check[j].ok;
			c->check_fail += k->check[j].ran && !k->check[j].ok;
			c->check_notrun += !k->check[j].ran;
		}
	}
}

const char *report_check_state(const struct certify_hostcheck *c)
{
	return !c->ran ? "notrun" : c->ok ? "ok" : "fail";
}

void report_xml_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* Logs may hold any byte: keep XML well formed and plain ASCII. */
			if (ch >= 0x7f)
				fputc('?', out);
			else if (ch >= 0x20 || ch == '\n' || ch == '\t')
				fputc(ch, out);
		}
	}
}

int report_certified(const struct certify_db_run *r)
{
	return !strcmp(r->status, "complete") && !strcmp(r->verdict, "pass") && r->bind.official;
}

const char *report_coverage(const struct report_counts *c)
{
	return c->cfg_notrun ? "partial" : "full";
}

void report_violation_text(const struct certify_violation *v, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s in %s at %s%s+0x%llx%s", v->kind, v->module,
				    v->where, v->where[0] ? " (" : "", (unsigned long long)v->off,
				    v->where[0] ? ")" : "");

	if (n < len && v->addr)
		n += (size_t)snprintf(buf + n, len - n, ", address 0x%llx", (unsigned long long)v->addr);
	if (n < len && v->size)
		n += (size_t)snprintf(buf + n, len - n, ", %llu bytes", (unsigned long long)v->size);
	if (n < len && strcmp(v->dev, "-"))
		n += (size_t)snprintf(buf + n, len - n, ", device %s", v->dev);
	if (n < len && strcmp(v->test, "-"))
		n += (size_t)snprintf(buf + n, len - n, ", during %s", v->test);
	if (n < len)
		snprintf(buf + n, len - n, ": %s", v->msg);
}

long long report_completes(const struct certify_db_run *r, char *names, size_t len)
{
	json_object *o = json_tokener_parse(r->config ? r->config : ""), *cm, *v, *a;
	long long run = 0;
	size_t used = 0;

	names[0] = '\0';
	if (o && json_object_object_get_ex(o, "completes", &cm) &&
	    json_object_object_get_ex(cm, "run", &v) && json_object_object_get_ex(cm, "configurations", &a)) {
		run = (long long)json_object_get_int64(v);
		for (size_t i = 0; i < json_object_array_length(a) && used < len; i++) {
			int k = snprintf(names + used, len - used, "%s%s", i ? ", " : "",
					 json_object_get_string(json_object_array_get_idx(a, i)));

			used += k > 0 ? (size_t)k : 0;
		}
	}
	json_object_put(o);
	return run;
}
