/* Tests for certify/judge (the verdict rules) and certify/hostcheck (which checks a plan needs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../certify/blkverify.h"
#include "../../certify/peer.h"
#include "../../certify/plan.h"
#include "../../certify/run.h"
#include "../../certify/models.h"
#include "unit.h"

static const char judge_plan[] =
	"name = nic\n"
	"kind = nic\n"
	"tests = nic.integrity nic.rate nic.jumbo\n"
	"required = nic.integrity nic.rate\n"
	"topology = nic-pair\n";

/* Sets the kernel's selection to the given "suite.name" words. */
static void judge_select(struct certify_result *r, const char *const *ids)
{
	size_t n = 0;

	while (ids[n])
		n++;
	free(r->run.selected);
	r->run.selected = calloc(n + 1, sizeof(*r->run.selected));
	r->run.nselected = n;
	r->run.has_selected = 1;
	for (size_t i = 0; i < n; i++)
		snprintf(r->run.selected[i], sizeof(r->run.selected[i]), "%s", ids[i]);
}

/* A session result with the given tests ("suite.name:status" words), each also selected. */
static void judge_result(struct certify_result *r, enum certify_outcome oc, const char *const *tests)
{
	memset(r, 0, sizeof(*r));
	r->outcome = oc;
	snprintf(r->reason, sizeof(r->reason), "exit");
	for (size_t n = 0; tests[n]; n++)
		r->run.ntest++;
	r->run.test = calloc(r->run.ntest + 1, sizeof(*r->run.test));
	r->run.selected = calloc(r->run.ntest + 1, sizeof(*r->run.selected));
	r->run.has_selected = 1;
	for (size_t i = 0; i < r->run.ntest; i++) {
		struct hvr_test *t = &r->run.test[i];
		char st[8];

		sscanf(tests[i], "%47[^.].%63[^:]:%7s", t->suite, t->name, st);
		t->status = !strcmp(st, "pass") ? HVR_PASS : !strcmp(st, "fail") ? HVR_FAIL :
			    !strcmp(st, "skip") ? HVR_SKIP : HVR_ERROR;
		snprintf(r->run.selected[r->run.nselected++], sizeof(r->run.selected[0]), "%s.%s",
			 t->suite, t->name);
	}
}

static void judge_free(struct certify_result *r)
{
	free(r->run.test);
	free(r->run.selected);
	r->run.test = NULL;
	r->run.selected = NULL;
}

static enum certify_verdict judge(const struct certify_plan *p, enum certify_outcome oc,
				  const char *const *tests, char *why)
{
	struct certify_run_spec spec = { .plan = p };
	struct certify_result r;
	struct certify_judge_in in = { .spec = &spec, .res = &r };
	enum certify_verdict v;

	judge_result(&r, oc, tests);
	v = certify_judge(&in, why, 256);
	judge_free(&r);
	return v;
}

static void test_judge(void)
{
	static const char *const ok[] = { "nic.integrity:pass", "nic.rate:pass", "nic.jumbo:skip", NULL };
	static const char *const reqskip[] = { "nic.integrity:pass", "nic.rate:skip", NULL };
	static const char *const failed[] = { "nic.integrity:fail", "nic.rate:pass", NULL };
	static const char *const errored[] = { "nic.integrity:error", "nic.rate:pass", NULL };
	static const char *const missing[] = { "nic.integrity:pass", NULL };
	static const char *const none[] = { NULL };
	struct certify_plan p;
	struct certify_err err;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(judge_plan, "nic.plan", &p, &err), 0);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, ok, why), CERTIFY_V_PASS);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, reqskip, why), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.rate: required test skipped"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_FAIL, failed, why), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.integrity: fail"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_ERROR, errored, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, missing, why), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "plan test 'nic.rate' selected no test in the kernel"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PANIC, ok, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_TIMEOUT, none, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_RESET, none, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_HARNESS, none, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_CRASH, ok, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_INTERRUPTED, ok, why), CERTIFY_V_ERROR);
	certify_plan_free(&p);
}

/* A driver the kernel contained fails the boot even when every test passed, and the reason
 * names it; a drvfail record that lacks a key is a protocol error. The record is the one
 * the kernel writes (hvkernel/kern/contain.c), parsed as the host does. */
static void test_judge_contained(void)
{
	static const char *const ok[] = { "nic.integrity:pass", "nic.rate:pass", "nic.jumbo:pass", NULL };
	static const char line[] = "HVR1 drvfail module=e1000 driver=e1000 slot=00:02.0 vid=8086 did=100e "
		"op=probe reason=timeout via=nmi rip=00000000001e6261 place=e1000_probe+0x57%20in%20udelay+0x42 "
		"addr=0000000000000000 reset=off us=3001000";
	struct certify_plan p;
	struct certify_err err;
	struct hvr_record rec;
	struct certify_run_spec spec;
	struct certify_result r;
	struct certify_judge_in in = { .spec = &spec, .res = &r };
	char why[256];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(judge_plan, "nic.plan", &p, &err), 0);
	memset(&spec, 0, sizeof(spec));
	spec.plan = &p;
	judge_result(&r, CERTIFY_PASS, ok);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_run_add(&r.run, &rec, 1.0), 0);
	CU_ASSERT_EQUAL_FATAL(r.run.ndrvfail, 1);
	CU_ASSERT_EQUAL(r.run.drvfail[0].rip, 0x1e6261);
	CU_ASSERT_PTR_NOT_NULL(hvr_run_drvfail(&r.run, "0000:00:02.0"));
	CU_ASSERT_PTR_NULL(hvr_run_drvfail(&r.run, "00:12.0"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "driver e1000 (module e1000) contained at 00:02.0: probe timeout "
			       "(nmi) at e1000_probe+0x57 in udelay+0x42");
	CU_ASSERT_EQUAL_FATAL(hvr_parse("HVR1 drvfail module=e1000 driver=e1000 slot=00:02.0 vid=8086",
					60, &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_run_add(&r.run, &rec, 1.0), -1);
	CU_ASSERT_EQUAL(r.run.nerrors, 1);
	free(r.run.drvfail);
	r.run.drvfail = NULL;
	judge_free(&r);
	certify_plan_free(&p);
}

/* The kernel's selection held against the plan, and required = all. */
static void test_judge_selection(void)
{
	static const char *const ok[] = { "nic.integrity:pass", "nic.rate:pass", "nic.jumbo:skip", NULL };
	static const char *const extra[] = { "nic.integrity", "nic.rate", "nic.jumbo", "nic.attach", NULL };
	static const char *const unreported[] = { "nic.integrity", "nic.rate", "nic.jumbo", NULL };
	static const char *const two[] = { "nic.integrity:pass", "nic.jumbo:pass", NULL };
	static const char *const none[] = { NULL };
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p };
	struct certify_result r;
	struct certify_judge_in in = { .spec = &spec, .res = &r };
	struct certify_err err;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(judge_plan, "nic.plan", &p, &err), 0);
	judge_result(&r, CERTIFY_PASS, ok);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	/* A kernel that never said what it selected. */
	r.run.has_selected = 0;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no selected record"));
	/* One that selected a test the plan does not name. */
	judge_select(&r, extra);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "the kernel selected nic.attach, which the plan does not ask for"));
	/* Exit pass with no test record at all. */
	judge_free(&r);
	judge_result(&r, CERTIFY_PASS, none);
	judge_select(&r, unreported);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_STRING_EQUAL(why, "the kernel reported no test");
	judge_free(&r);
	certify_plan_free(&p);
	/* required = all: every word of the plan's tests and every selected test reported,
	 * also the optional-looking nic.rate. */
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = a\ntests = nic.integrity nic.jumbo nic.rate\n",
						 "a.plan", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.required.v[0], "all");
	judge_result(&r, CERTIFY_PASS, two);
	judge_select(&r, unreported);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "required test nic.rate did not report (required = all)"));
	judge_free(&r);
	certify_plan_free(&p);
	/* A suite word: every selected test of it reported. */
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = a\ntests = nic\n", "a.plan", &p, &err), 0);
	judge_result(&r, CERTIFY_PASS, two);
	judge_select(&r, unreported);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "selected test nic.rate did not report (required = all)"));
	/* A failing test is named before any of this: the driver's failure stands. */
	r.run.test[0].status = HVR_FAIL;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.integrity: fail"));
	judge_free(&r);
	certify_plan_free(&p);
}

static void test_judge_garbage(void)
{
	static const char *const ok[] = { "boot.pages:pass", NULL };
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p };
	struct certify_result r;
	struct certify_err err;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = boot\n", "s.plan", &p, &err), 0);
	struct certify_judge_in in = { .spec = &spec, .res = &r };
	judge_result(&r, CERTIFY_PASS, ok);
	r.run.nerrors = 1;
	snprintf(r.run.error[0], sizeof(r.run.error[0]), "garbage line");
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "garbage line"));
	judge_free(&r);
	certify_plan_free(&p);
}

/* The host's own observations decide too, after the kernel's records: a host check that ran
 * and disagrees fails a boot the kernel called a pass, a required one that did not run makes
 * it an error, and a host failure beats a kernel error. */
static void test_judge_host(void)
{
	static const char *const ok[] = { "nic.peer:pass", NULL };
	static const char *const failed[] = { "nic.peer:fail", NULL };
	static const char *const errored[] = { "nic.peer:error", NULL };
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p };
	struct certify_result r;
	struct certify_hostchecks hc = { .n = 0 };
	struct certify_judge_in in = { .spec = &spec, .res = &r, .checks = hc.v };
	struct certify_peer_run peer = { .checked = 1 };
	struct certify_blkverify image = { .blocks = 16, .extents = 1 };
	struct certify_err err;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = nic.peer\ntopology = vm\n"
						 "params = vmm.host_verify=1\n", "s.plan", &p, &err), 0);
	certify_hostchecks_require(&spec, &hc);
	in.nchecks = hc.n;
	CU_ASSERT_EQUAL_FATAL(hc.n, 2);
	CU_ASSERT_STRING_EQUAL(hc.v[0].name, "peer.frames");
	CU_ASSERT_STRING_EQUAL(hc.v[1].name, "image.verify");
	judge_result(&r, CERTIFY_PASS, ok);
	/* Required, never run: an error naming why. */
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "host check peer.frames did not run: the kernel never "
					   "reached sync point peer-tx-done"));
	certify_peer_check(&peer, certify_hostcheck_get(&hc, "peer.frames"));
	certify_blkverify_check(&image, certify_hostcheck_get(&hc, "image.verify"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	CU_ASSERT_TRUE(hc.v[1].ran && hc.v[1].ok);
	snprintf(peer.result, sizeof(peer.result), "the host got 1454 of 1455 frames");
	certify_peer_check(&peer, certify_hostcheck_get(&hc, "peer.frames"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "host check peer.frames: the host got 1454 of 1455 frames"));
	peer.result[0] = '\0';
	certify_peer_check(&peer, certify_hostcheck_get(&hc, "peer.frames"));
	image.bad_blocks = 2;
	certify_blkverify_check(&image, certify_hostcheck_get(&hc, "image.verify"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "host check image.verify: 2 of 16 blocks wrong"));
	/* An image the host could not read: the check did not run. */
	image.bad_blocks = 0;
	image.unreadable = 1;
	certify_strv_push(&image.problems, "d0.img: No such file or directory");
	certify_blkverify_check(&image, certify_hostcheck_get(&hc, "image.verify"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "image.verify did not run: image unreadable: d0.img"));
	certify_strv_free(&image.problems);
	/* A check that saw nothing to check cannot pass. */
	memset(&image, 0, sizeof(image));
	certify_blkverify_check(&image, certify_hostcheck_get(&hc, "image.verify"));
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no written block"));
	/* The kernel's own failure is named first; the host's failure beats a kernel error. */
	judge_free(&r);
	judge_result(&r, CERTIFY_FAIL, failed);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.peer: fail"));
	judge_free(&r);
	judge_result(&r, CERTIFY_ERROR, errored);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "host check image.verify"));
	/* Without host checks only the kernel's records count. */
	judge_free(&r);
	judge_result(&r, CERTIFY_PASS, ok);
	in.nchecks = 0;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	judge_free(&r);
	certify_plan_free(&p);
}

/* Which checks a plan requires: none for a plain plan, image.verify with blk.host_verify=1. */
static void test_hostchecks_require(void)
{
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p };
	struct certify_hostchecks hc = { .n = 0 };
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = blk\nparams = blk.host_verify=0\n",
						 "s.plan", &p, &err), 0);
	certify_hostchecks_require(&spec, &hc);
	CU_ASSERT_EQUAL(hc.n, 0);
	certify_plan_free(&p);
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = blk\ntopology = disk\n"
						 "params = blk.mib=4 blk.host_verify=1\n", "s.plan", &p,
						 &err), 0);
	certify_hostchecks_require(&spec, &hc);
	CU_ASSERT_EQUAL_FATAL(hc.n, 1);
	CU_ASSERT_STRING_EQUAL(hc.v[0].name, "image.verify");
	CU_ASSERT_FALSE(hc.v[0].ran);
	/* Asked twice, a check is one entry; the set stops at its size. */
	CU_ASSERT_PTR_EQUAL(certify_hostcheck_get(&hc, "image.verify"), &hc.v[0]);
	for (int i = 0; i < CERTIFY_HOSTCHECK_MAX + 2; i++) {
		char name[16];

		snprintf(name, sizeof(name), "x.c%d", i);
		certify_hostcheck_get(&hc, name);
	}
	CU_ASSERT_EQUAL(hc.n, CERTIFY_HOSTCHECK_MAX);
	CU_ASSERT_PTR_NULL(certify_hostcheck_get(&hc, "x.more"));
	certify_hostcheck_done(NULL, 1, "ignored");
	certify_plan_free(&p);

	/* nic-pair with a NIC: nic.mac always, wire.frames only when a test carries traffic;
	 * dev.firmware for every model whose firmware the host knows (e1000: word 05h) */
	spec.ndut = 1;
	snprintf(spec.dut[0].model, sizeof(spec.dut[0].model), "e1000");
	spec.dut[0].m = certify_model_find("e1000");
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = nic.attach\ntopology = nic-pair\n",
						 "s.plan", &p, &err), 0);
	hc.n = 0;
	certify_hostchecks_require(&spec, &hc);
	CU_ASSERT_EQUAL(hc.n, 2);
	CU_ASSERT_STRING_EQUAL(hc.v[0].name, "nic.mac");
	CU_ASSERT_STRING_EQUAL(hc.v[1].name, "dev.firmware");
	certify_plan_free(&p);
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = s\ntests = nic.attach nic.rate\n"
						 "topology = nic-pair\n", "s.plan", &p, &err), 0);
	hc.n = 0;
	certify_hostchecks_require(&spec, &hc);
	CU_ASSERT_EQUAL(hc.n, 3);
	CU_ASSERT_STRING_EQUAL(hc.v[1].name, "wire.frames");
	CU_ASSERT_FALSE(hc.v[1].ran);
	CU_ASSERT_STRING_EQUAL(hc.v[2].name, "dev.firmware");
	certify_plan_free(&p);
}

/* Configurations not applicable or not run never pass a run, nor fail it; coverage counts them. */
static void test_run_verdict(void)
{
	struct certify_config_result r[4];
	struct certify_coverage c;

	memset(r, 0, sizeof(r));
	r[0].verdict = CERTIFY_V_PASS;
	r[1].verdict = CERTIFY_V_NA;
	r[2].verdict = CERTIFY_V_PASS;
	r[3].verdict = CERTIFY_V_NOTRUN;
	snprintf(r[3].reason, sizeof(r[3].reason), "KVM unusable: no /dev/kvm");
	CU_ASSERT_EQUAL(certify_run_verdict(r, 4), CERTIFY_V_PASS);
	certify_run_coverage(r, 4, &c);
	CU_ASSERT(c.pass == 2 && c.na == 1 && c.notrun == 1 && c.fail == 0 && c.error == 0);
	CU_ASSERT_STRING_EQUAL(c.notrun_why, "KVM unusable: no /dev/kvm");
	CU_ASSERT_FALSE(c.notrun_mixed);
	r[1].verdict = CERTIFY_V_NOTRUN;
	snprintf(r[1].reason, sizeof(r[1].reason), "not asked for: --accel tcg");
	certify_run_coverage(r, 4, &c);
	CU_ASSERT(c.notrun == 2 && c.notrun_mixed);
	CU_ASSERT_STRING_EQUAL(c.notrun_why, "not asked for: --accel tcg");
	r[1].verdict = CERTIFY_V_NA;
	r[2].verdict = CERTIFY_V_ERROR;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 4), CERTIFY_V_ERROR);
	r[0].verdict = CERTIFY_V_FAIL;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 4), CERTIFY_V_FAIL);
	/* Nothing passed: nothing ran, or only configurations that do not count. */
	r[0].verdict = CERTIFY_V_NOTRUN;
	r[2].verdict = CERTIFY_V_NA;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 4), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(certify_run_verdict(r, 0), CERTIFY_V_ERROR);
	CU_ASSERT_STRING_EQUAL(certify_verdict_name(CERTIFY_V_NA), "na");
	CU_ASSERT_STRING_EQUAL(certify_verdict_name(CERTIFY_V_NOTRUN), "notrun");
}

/* Any verifier violation fails the boot, however clean the tests were, and the reason names
 * the first one with its symbolized site (or its offset when the host could not). A
 * violation beats a kernel error but not a broken result channel. */
static void test_judge_violation(void)
{
	static const char *const ok[] = { "nic.integrity:pass", "nic.rate:pass", "nic.jumbo:skip", NULL };
	static const char *const errored[] = { "nic.integrity:error", "nic.rate:pass", NULL };
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p };
	struct certify_result r;
	struct certify_judge_in in = { .spec = &spec, .res = &r };
	struct certify_violation v[2];
	struct certify_err err;
	char why[512];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(judge_plan, "nic.plan", &p, &err), 0);
	memset(v, 0, sizeof(v));
	snprintf(v[0].kind, sizeof(v[0].kind), "double_free");
	snprintf(v[0].module, sizeof(v[0].module), "e1000");
	v[0].off = 0x4c2;
	snprintf(v[0].msg, sizeof(v[0].msg), "already freed");
	v[1] = v[0];
	snprintf(v[1].kind, sizeof(v[1].kind), "leak");
	judge_result(&r, CERTIFY_PASS, ok);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	r.run.violation = v;
	r.run.nviolation = 2;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "verifier: 2 violations, the first double_free in e1000 at +0x4c2: "
			       "already freed");
	snprintf(v[0].where, sizeof(v[0].where), "e1000_remove at e1000.c:310");
	r.run.nviolation = 1;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_STRING_EQUAL(why, "verifier: 1 violation, the first double_free in e1000 at "
			       "e1000_remove at e1000.c:310: already freed");
	r.run.nerrors = 1;
	snprintf(r.run.error[0], sizeof(r.run.error[0]), "garbage line");
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_ERROR);
	r.run.violation = NULL;
	judge_free(&r);
	judge_result(&r, CERTIFY_ERROR, errored);
	r.run.violation = v;
	r.run.nviolation = 1;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "verifier: 1 violation"));
	r.run.violation = NULL;
	judge_free(&r);
	certify_plan_free(&p);
}

UNIT_SUITE(certify_judge_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_judge), UNIT_TEST(test_judge_selection), UNIT_TEST(test_judge_garbage),
		UNIT_TEST(test_judge_host), UNIT_TEST(test_judge_violation), UNIT_TEST(test_judge_contained),
		UNIT_TEST(test_hostchecks_require), UNIT_TEST(test_run_verdict),
		UNIT_TEST_END
	};
	unit_add_suite("certify_judge", NULL, NULL, tests);
}
