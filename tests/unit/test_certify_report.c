/* Tests for reports/ (JSON, JUnit XML, HTML) on a run built in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../reports/report.h"
#include "unit.h"

static struct certify_db_metric rep_metric[2] = { { "pps", 1000, "frames/s" }, { "pps", 1500, "frames/s" } };
static struct certify_db_result rep_res[2][2] = {
	{ { "nic", "rate", "pass", 2000, "", &rep_metric[0], 1, "" },
	  { "nic", "integrity", "fail", 10, "lost <3> & \"more\"", NULL, 0, "" } },
	{ { "nic", "rate", "pass", 2000, "", &rep_metric[1], 1, "" },
	  { "nic", "jumbo", "skip", 1, "no jumbo", NULL, 0, "" } },
};
static struct certify_hostcheck rep_check[2][2] = {
	{ { "peer.frames", 1, 0, "the host got 1454 of 1455 frames", 0 },
	  { "image.verify", 0, 0, "the kernel never reached sync point blkverify", 0 } },
	{ { "peer.frames", 1, 1, "every frame arrived", 0 }, { "", 0, 0, "", 0 } },
};
static struct certify_db_config rep_cfg[4] = {
	{ 0, "pc-intx-smp1-tcg", "{\"machine\":\"pc\"}", "test=nic", "fail", "fail",
	  "nic.integrity: fail", 1.5, "log \x01 <b>bold</b> \xff", "0.1.0", NULL, 0, rep_res[0], 2,
	  rep_check[0], 2, NULL, 0, 0 },
	{ 1, "q35-intx-smp1-tcg", "{\"machine\":\"q35\"}", "test=nic", "pass", "pass", "2 tests passed",
	  2.0, "log", "0.1.0", NULL, 0, rep_res[1], 2, rep_check[1], 1, NULL, 0, 0 },
	{ 2, "pc-msix-smp1-tcg", "{}", "", "", "na", "the device under test has no msix", 0, "", "",
	  NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0 },
	{ 3, "pc-intx-smp1-kvm", "{}", "", "", "notrun", "KVM unusable: no /dev/kvm", 0, "", "",
	  NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0 },
};
static struct certify_db_device rep_dev = { 0x8086, 0x100e, 0x1af4, 0x1100, 0x020000, "nic", "e1000", "Intel",
					    "0.0-0", "" };
static struct certify_db_driver rep_drv = { "e1000", "1.0", "hvkit", "abcdef0123456789abcdef" };

static void rep_run(struct certify_db_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = 7;
	snprintf(r->plan, sizeof(r->plan), "nic");
	r->config = "{\"plan\":\"nic\"}";
	r->seed = 123;
	snprintf(r->started, sizeof(r->started), "2026-11-25T10:00:00Z");
	snprintf(r->finished, sizeof(r->finished), "2026-11-25T10:01:00Z");
	snprintf(r->status, sizeof(r->status), "complete");
	snprintf(r->verdict, sizeof(r->verdict), "fail");
	snprintf(r->release, sizeof(r->release), "0.1.0");
	snprintf(r->host, sizeof(r->host), "lab1");
	r->log = "fail pc-intx-smp1-tcg";
	r->dev = &rep_dev;
	r->ndev = 1;
	r->drv = &rep_drv;
	r->ndrv = 1;
	r->cfg = rep_cfg;
	r->ncfg = 4;
	snprintf(r->bind.plan_sha256, sizeof(r->bind.plan_sha256), "fa96");
	snprintf(r->bind.kernel_sha256, sizeof(r->bind.kernel_sha256), "0f3c");
	snprintf(r->bind.qemu_version, sizeof(r->bind.qemu_version), "QEMU emulator version 7.2.19");
	r->bind.official = 1;
}

/* Renders into a malloc'ed string. */
static char *rep_render(const struct certify_db_run *r, enum report_format f)
{
	struct certify_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	CU_ASSERT_EQUAL(report_write(r, f, m, &err), 0);
	fclose(m);
	return buf;
}

static size_t rep_count(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void test_report_json(void)
{
	struct certify_db_run r;
	json_object *o, *v, *cfgs;
	char *s;

	rep_run(&r);
	s = rep_render(&r, REPORT_JSON);
	o = json_tokener_parse(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "schema_version", &v) && json_object_get_int(v) == 2);
	CU_ASSERT(json_object_object_get_ex(o, "run", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "verdict")), "fail");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "seed")), "123");
	CU_ASSERT_FALSE(json_object_get_boolean(json_object_object_get(v, "certified")));
	v = json_object_object_get(o, "binding");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "plan_sha256")), "fa96");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "kernel_sha256")), "0f3c");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "qemu_version")),
			       "QEMU emulator version 7.2.19");
	CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(v, "official")));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(v, "modules"), 0), "sha256")),
		"abcdef0123456789abcdef");
	CU_ASSERT(json_object_object_get_ex(o, "configurations", &cfgs));
	CU_ASSERT_EQUAL(json_object_array_length(cfgs), 4);
	v = json_object_object_get(o, "summary");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "not_applicable")), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "not_run")), 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "coverage")), "partial");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(cfgs, 3), "verdict")), "notrun");
	v = json_object_object_get(json_object_array_get_idx(cfgs, 0), "tests");
	CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	v = json_object_object_get(o, "devices");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(v, 0), "ssid")), "1100");
	v = json_object_object_get(json_object_object_get(o, "summary"), "tests");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "fail")), 1);
	v = json_object_object_get(json_object_object_get(o, "summary"), "hostchecks");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "ok")), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "fail")), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "notrun")), 1);
	v = json_object_object_get(json_object_array_get_idx(cfgs, 0), "hostchecks");
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(v), 2);
	v = json_object_array_get_idx(v, 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "name")), "image.verify");
	CU_ASSERT_FALSE(json_object_get_boolean(json_object_object_get(v, "ran")));
	CU_ASSERT_FALSE(json_object_get_boolean(json_object_object_get(v, "ok")));
	json_object_put(o);
	free(s);
}

static void test_report_junit(void)
{
	struct certify_db_run r;
	char *s;

	rep_run(&r);
	s = rep_render(&r, REPORT_JUNIT);
	CU_ASSERT(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
	CU_ASSERT_EQUAL(rep_count(s, "<testsuite "), 4);
	CU_ASSERT_EQUAL(rep_count(s, "<testcase "), 11);	/* 4 tests + 3 host checks + 4 verdicts */
	CU_ASSERT_EQUAL(rep_count(s, "<testcase classname=\"hostcheck\""), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<failure message=\"the host got 1454 of 1455 frames\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<error message=\"the kernel never reached sync point blkverify\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "lost &lt;3&gt; &amp; &quot;more&quot;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<skipped message=\"not applicable: the device under test has no msix\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<skipped message=\"not run: KVM unusable: no /dev/kvm\""));
	CU_ASSERT_PTR_NULL(strchr(s, '\x01'));		/* control bytes dropped */
	CU_ASSERT_PTR_NULL(strchr(s, '\xff'));		/* non-ASCII replaced */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "tests=\"11\" failures=\"3\" errors=\"1\" skipped=\"3\""));
	CU_ASSERT_EQUAL(rep_count(s, "<property name=\"kernel_sha256\" value=\"0f3c\"/>"), 4);
	CU_ASSERT_EQUAL(rep_count(s, "<property name=\"module_sha256.e1000\" value=\"abcdef0123456789abcdef\"/>"), 4);
	free(s);
}

static void test_report_html(void)
{
	struct certify_db_run r;
	char *s;

	rep_run(&r);
	s = rep_render(&r, REPORT_HTML);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<p id=\"verdict\" class=\"fail\">FAIL</p>"));
	CU_ASSERT_EQUAL(rep_count(s, "<tr class=\"test\">"), 4);
	CU_ASSERT_EQUAL(rep_count(s, "<tr class=\"config\">"), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<p id=\"coverage\" class=\"notrun\">coverage: partial: 1 of 4 "
				      "configurations passed, 1 not run, 1 not applicable to the device</p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<td class=\"notrun\">notrun</td>"));
	CU_ASSERT_EQUAL(rep_count(s, "<tr class=\"hostcheck\">"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<td class=\"error\">notrun</td>"));
	CU_ASSERT_EQUAL(rep_count(s, "<svg "), 1);			/* one metric series */
	CU_ASSERT_EQUAL(rep_count(s, "<rect "), 2);			/* two configurations measured it */
	CU_ASSERT_PTR_NULL(strstr(s, "<script"));
	CU_ASSERT_PTR_NULL(strstr(s, "<link"));
	CU_ASSERT_PTR_NULL(strstr(s, "src="));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "&lt;b&gt;bold&lt;/b&gt;"));
	free(s);
	snprintf(r.verdict, sizeof(r.verdict), "pass");
	s = rep_render(&r, REPORT_HTML);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "PASS (certified)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<td id=\"official\">yes"));
	free(s);
	/* A passing run with another plan than the shipped one is not certified. */
	r.bind.official = 0;
	snprintf(r.bind.unofficial_why, sizeof(r.bind.unofficial_why), "plan 'nic' differs");
	s = rep_render(&r, REPORT_HTML);
	CU_ASSERT_PTR_NULL(strstr(s, "(certified)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<td id=\"official\">no: plan &#39;nic&#39; differs</td>"));
	free(s);
}

static void test_report_format(void)
{
	enum report_format f;
	struct certify_db_run r;
	struct certify_err err;

	CU_ASSERT_EQUAL(report_format_parse("junit", &f), 0);
	CU_ASSERT_EQUAL(f, REPORT_JUNIT);
	CU_ASSERT_EQUAL(report_format_parse("pdf", &f), -1);
	rep_run(&r);
	CU_ASSERT_EQUAL(report_write_file(&r, REPORT_JSON, "/proc/nonexistent/r.json", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/proc/nonexistent/r.json"));
}

UNIT_SUITE(certify_report_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_report_json), UNIT_TEST(test_report_junit), UNIT_TEST(test_report_html),
		UNIT_TEST(test_report_format), UNIT_TEST_END
	};
	unit_add_suite("certify_report", NULL, NULL, tests);
}
