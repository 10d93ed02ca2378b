/* Waivers (db/waiver.c, waiver_apply.c): the field checks, the matcher (test, MODEL/CONFIG
 * pattern, release), liveness by date, and what applying them does to a loaded run: only a
 * configuration whose only fault is covered failed tests becomes a pass. Expected values are
 * written out by hand. */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>

#include "../../db/waiver.h"
#include "unit.h"

static void wv_make(struct certify_waiver *w, const char *test, const char *cfg, const char *rel,
		    const char *expires)
{
	memset(w, 0, sizeof(*w));
	strcpy(w->id, "E-0001");
	strcpy(w->test, test);
	strcpy(w->cfg[0], cfg);
	w->ncfg = 1;
	strcpy(w->rel[0], rel);
	w->nrel = 1;
	strcpy(w->reason, "erratum");
	strcpy(w->expires, expires);
}

static void test_db_waiver_match(void)
{
	struct certify_waiver w;

	wv_make(&w, "nic.wrap", "e1000/pc-*", "0.1.0", "2027-03-01");
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "pc-intx-smp1-tcg", "0.1.0"), 1);
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.rate", "e1000", "pc-intx-smp1-tcg", "0.1.0"), 0);
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "q35-intx-smp1-tcg", "0.1.0"), 0);
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000e", "pc-intx-smp1-tcg", "0.1.0"), 0);
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "pc-intx-smp1-tcg", "0.1.1"), 0);
	/* '*' does not cross the '/' between model and configuration */
	wv_make(&w, "nic.wrap", "*/pc-*", "0.1.0", "2027-03-01");
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "rtl8139", "pc-msi-smp2-kvm", "0.1.0"), 1);
	wv_make(&w, "nic.wrap", "e1*", "0.1.0", "2027-03-01");
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "pc-intx-smp1-tcg", "0.1.0"), 0);
	/* a second pattern and a second release */
	wv_make(&w, "nic.wrap", "e1000/q35-*", "0.1.0", "2027-03-01");
	strcpy(w.cfg[1], "e1000/pc-msix-smp2-kvm");
	w.ncfg = 2;
	strcpy(w.rel[1], "0.2.0");
	w.nrel = 2;
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "pc-msix-smp2-kvm", "0.2.0"), 1);
	CU_ASSERT_EQUAL(certify_waiver_matches(&w, "nic.wrap", "e1000", "pc-msix-smp1-kvm", "0.2.0"), 0);
}

static void test_db_waiver_live(void)
{
	struct certify_waiver w;

	wv_make(&w, "nic.wrap", "e1000/pc-*", "0.1.0", "2027-03-01");
	CU_ASSERT_EQUAL(certify_waiver_live(&w, "2027-02-28"), 1);
	CU_ASSERT_EQUAL(certify_waiver_live(&w, "2027-03-01"), 0);	/* expires that day */
	CU_ASSERT_EQUAL(certify_waiver_live(&w, "2028-01-01"), 0);
	strcpy(w.revoked, "2026-12-08T04:00:00Z");
	CU_ASSERT_EQUAL(certify_waiver_live(&w, "2027-02-28"), 0);
}

static void test_db_waiver_check(void)
{
	static const char *const bad_dates[] = { "2027-02-29", "2027-13-01", "2027-3-01", "27-03-01",
						 "2027-03-01x", "2027-04-31", "" };
	struct certify_waiver w;
	struct certify_err e;

	wv_make(&w, "nic.wrap", "e1000/pc-*", "0.1.0", "2028-02-29");
	CU_ASSERT_EQUAL(certify_waiver_check(&w, &e), 0);
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		strcpy(w.expires, bad_dates[i]);
		CU_ASSERT_EQUAL(certify_waiver_check(&w, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a date YYYY-MM-DD"));
	}
	wv_make(&w, "nicwrap", "e1000/pc-*", "0.1.0", "2028-01-01");
	CU_ASSERT_EQUAL(certify_waiver_check(&w, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "test 'nicwrap': not SUITE.NAME");
	wv_make(&w, "nic.wrap", "pc-*", "0.1.0", "2028-01-01");
	CU_ASSERT_EQUAL(certify_waiver_check(&w, &e), -1);
	wv_make(&w, "nic.wrap", "e1000/pc-*", "0.1.0", "2028-01-01");
	strcpy(w.reason, "two\nlines");
	CU_ASSERT_EQUAL(certify_waiver_check(&w, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "reason: not one printable line");
}

/* A run of one e1000 configuration whose tests are given as "suite.name:status". */
static void wv_run(struct certify_db_run *r, struct certify_db_config *c, struct certify_db_result *t,
		   struct certify_db_device *d, const char *outcome, const char *const *tests, size_t n)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	strcpy(d->model, "e1000");
	strcpy(d->kind, "nic");
	strcpy(r->status, "complete");
	strcpy(r->verdict, "fail");
	strcpy(r->release, "0.1.0");
	r->dev = d;
	r->ndev = 1;
	r->cfg = c;
	r->ncfg = 1;
	strcpy(c->name, "pc-intx-smp1-tcg");
	strcpy(c->outcome, outcome);
	strcpy(c->verdict, "fail");
	c->reason = strdup("nic.wrap: fail: stall");
	c->result = t;
	c->nresult = n;
	for (size_t i = 0; i < n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		sscanf(tests[i], "%47[^.].%63[^:]:%7s", t[i].suite, t[i].name, t[i].status);
	}
}

static void test_db_waiver_apply(void)
{
	static const char *const one[] = { "nic.integrity:pass", "nic.wrap:fail" };
	static const char *const two[] = { "nic.wrap:fail", "nic.rate:fail" };
	static const char *const err[] = { "nic.wrap:fail", "nic.rate:error" };
	struct certify_waiver w[2];
	struct certify_db_run r;
	struct certify_db_config c;
	struct certify_db_result t[2];
	struct certify_db_device d;

	wv_make(&w[0], "nic.wrap", "e1000/pc-*", "0.1.0", "2027-03-01");
	wv_make(&w[1], "nic.rate", "e1000/pc-*", "0.1.0", "2027-03-01");
	strcpy(w[1].id, "E-0002");

	wv_run(&r, &c, t, &d, "fail", one, 2);
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 1);
	CU_ASSERT_STRING_EQUAL(r.verdict, "pass");
	CU_ASSERT_STRING_EQUAL(r.stored_verdict, "fail");
	CU_ASSERT_STRING_EQUAL(c.verdict, "pass");
	CU_ASSERT_EQUAL(c.waived, 1);
	CU_ASSERT_STRING_EQUAL(t[1].status, "waived");
	CU_ASSERT_STRING_EQUAL(t[1].waiver, "E-0001");
	CU_ASSERT_STRING_EQUAL(t[0].status, "pass");
	CU_ASSERT_STRING_EQUAL(c.reason, "waived: nic.wrap (E-0001); stored: nic.wrap: fail: stall");
	free(c.reason);

	/* the day it expires: nothing changes */
	wv_run(&r, &c, t, &d, "fail", one, 2);
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-03-01", &r), 0);
	CU_ASSERT_STRING_EQUAL(r.verdict, "fail");
	CU_ASSERT_STRING_EQUAL(t[1].status, "fail");
	free(c.reason);

	/* two failed tests, one waiver: still failed; both waivers: a pass */
	wv_run(&r, &c, t, &d, "fail", two, 2);
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 0);
	CU_ASSERT_STRING_EQUAL(c.verdict, "fail");
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 2, "2027-02-28", &r), 2);
	CU_ASSERT_STRING_EQUAL(t[1].waiver, "E-0002");
	CU_ASSERT_STRING_EQUAL(r.verdict, "pass");
	free(c.reason);

	/* an error is never waived: a test in error, or the kernel hung (outcome timeout) */
	wv_run(&r, &c, t, &d, "fail", err, 2);
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 2, "2027-02-28", &r), 0);
	CU_ASSERT_STRING_EQUAL(r.verdict, "fail");
	free(c.reason);
	wv_run(&r, &c, t, &d, "timeout", one, 2);
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 0);
	free(c.reason);
	/* a host check that disagreed, a verifier violation */
	{
		struct certify_hostcheck hc;
		struct certify_violation v;

		wv_run(&r, &c, t, &d, "fail", one, 2);
		memset(&hc, 0, sizeof(hc));
		hc.ran = 1;
		c.check = &hc;
		c.ncheck = 1;
		CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 0);
		c.ncheck = 0;
		memset(&v, 0, sizeof(v));
		c.viol = &v;
		c.nviol = 1;
		CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 0);
		free(c.reason);
	}
	/* another device model */
	wv_run(&r, &c, t, &d, "fail", one, 2);
	strcpy(d.model, "e1000e");
	CU_ASSERT_EQUAL(certify_waiver_apply(w, 1, "2027-02-28", &r), 0);
	free(c.reason);
}

static void test_db_waiver_parse(void)
{
	struct certify_waiver w, back;
	struct certify_err e;
	char *doc, text[1024];

	wv_make(&w, "nic.wrap", "e1000/pc-*", "0.1.0", "2027-03-01");
	doc = certify_waiver_json(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(certify_waiver_parse("w.json", doc, &back, &e), 0);
	CU_ASSERT_STRING_EQUAL(back.cfg[0], "e1000/pc-*");
	CU_ASSERT(certify_waiver_text(&back, text, sizeof(text)) > 0);
	CU_ASSERT_STRING_EQUAL(text, "format hvkit-waiver-1\nid E-0001\ntest nic.wrap\n"
			       "configuration e1000/pc-*\nrelease 0.1.0\nreason erratum\n"
			       "expires 2027-03-01\n");
	free(doc);
	CU_ASSERT_EQUAL(certify_waiver_parse("w.json", "{\"format\":\"hvkit-waiver-1\",\"x\":1}", &back, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "w.json: unknown field \"x\"");
	CU_ASSERT_EQUAL(certify_waiver_parse("w.json", "[1]", &back, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "w.json: not a JSON object");
}

UNIT_SUITE(db_waiver_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_db_waiver_match),
		UNIT_TEST(test_db_waiver_live),
		UNIT_TEST(test_db_waiver_check),
		UNIT_TEST(test_db_waiver_apply),
		UNIT_TEST(test_db_waiver_parse),
		UNIT_TEST_END
	};
	unit_add_suite("db_waiver", NULL, NULL, tests);
}
