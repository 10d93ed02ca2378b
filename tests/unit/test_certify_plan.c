/* Tests for certify/plan (plan files), certify/matrix and the verdict rules of certify/run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../certify/blkverify.h"
#include "../../certify/matrix.h"
#include "../../certify/peer.h"
#include "../../certify/plan.h"
#include "../../certify/run.h"
#include "unit.h"

static const char plan_good[] =
	"# a comment\n"
	"name = nic\n"
	"description = NIC plan\n"
	"kind = nic\n"
	"tests = nic.integrity nic.rate nic.jumbo\n"
	"required = nic.integrity nic.rate\n"
	"params = nic.frames={rand:100:200} nic.seed={seed} blk.bytes={disk_bytes}\n"
	"machines = pc q35\n"
	"irq = msix intx\n"
	"smp = 1 2\n"
	"accel = tcg kvm\n"
	"timeout = 90\n"
	"topology = nic-pair\n"
	"disk = 8M\n";

static void test_plan_parse(void)
{
	struct certify_plan p;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(plan_good, "nic.plan", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "nic");
	CU_ASSERT(p.has_kind && p.kind == CERTIFY_KIND_NIC);
	CU_ASSERT_EQUAL(p.tests.n, 3);
	CU_ASSERT_EQUAL(p.machines.n, 2);
	CU_ASSERT_EQUAL(p.topology, CERTIFY_TOPO_NIC_PAIR);
	CU_ASSERT_EQUAL(p.disk_bytes, 8u << 20);
	CU_ASSERT_DOUBLE_EQUAL(p.timeout_s, 90, 0.001);
	CU_ASSERT_EQUAL(p.mem_mib, 256);
	CU_ASSERT(certify_plan_requires(&p, "nic", "rate"));
	CU_ASSERT(!certify_plan_requires(&p, "nic", "jumbo"));
	certify_plan_free(&p);
}

static void test_plan_defaults(void)
{
	struct certify_plan p;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = x\ntests = boot\n", "x.plan", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.machines.v[0], "pc");
	CU_ASSERT_STRING_EQUAL(p.irqs.v[0], "none");
	CU_ASSERT_STRING_EQUAL(p.accels.v[0], "tcg");
	CU_ASSERT(!p.has_kind);
	CU_ASSERT(certify_plan_requires(&p, "boot", "anything"));	/* required = all */
	certify_plan_free(&p);
}

static void plan_bad(const char *text, const char *want)
{
	struct certify_plan p;
	struct certify_err err = { "" };

	CU_ASSERT_EQUAL(certify_plan_parse(text, "bad.plan", &p, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	if (!strstr(err.msg, want))
		fprintf(stderr, "\n  got '%s', want '%s'\n", err.msg, want);
}

static void test_plan_errors(void)
{
	plan_bad("name = x\ntests = boot\nfoo = 1\n", "bad.plan:3: unknown key 'foo'");
	plan_bad("name = x\ntests = boot\nmachines = pc isapc\n", "bad.plan:3: machines: unknown value 'isapc'");
	plan_bad("name = x\ntests = boot\nsmp = 0\n", "smp: '0' is not 1..64");
	plan_bad("name = x\nnonsense\n", "bad.plan:2: expected 'key = value'");
	plan_bad("tests = boot\n", "bad.plan: no 'name'");
	plan_bad("name = x\n", "bad.plan: no 'tests'");
	plan_bad("name = x\ntests = boot\ndisk = 8Q\n", "disk: bad size '8Q'");
	plan_bad("name = x\ntests = boot\ntopology = ring\n", "topology: 'ring'");
	plan_bad("name = x\ntests = boot\nkind = gpu\n", "kind: 'gpu'");
}

static void test_plan_expand(void)
{
	struct certify_plan p;
	struct certify_err err;
	char a[64], b[64], c[64];

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(plan_good, "nic.plan", &p, &err), 0);
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "x={seed}", 77, a, sizeof(a), &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "x=77");
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "b={disk_bytes}", 1, a, sizeof(a), &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "b=8388608");
	/* The same seed gives the same number, and it stays within [LO, HI]. */
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{rand:100:200}", 5, a, sizeof(a), &err), 0);
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{rand:100:200}", 5, b, sizeof(b), &err), 0);
	CU_ASSERT_STRING_EQUAL(a, b);
	for (uint64_t s = 1; s < 200; s++) {
		long v;

		certify_plan_expand(&p, "{rand:100:200}", s, c, sizeof(c), &err);
		v = atol(c);
		CU_ASSERT(v >= 100 && v <= 200);
	}
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{nope}", 1, a, sizeof(a), &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown {nope}"));
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{rand:5:1}", 1, a, sizeof(a), &err), -1);
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{seed", 1, a, sizeof(a), &err), -1);
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{seed}", 123456, a, 4, &err), -1);
	certify_plan_free(&p);
}

static void test_matrix(void)
{
	struct certify_plan p;
	struct certify_config *c;
	struct certify_err err;
	int n;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(plan_good, "nic.plan", &p, &err), 0);
	n = certify_matrix_build(&p, QEMU_ACCEL_AUTO, 0, "no /dev/kvm", CERTIFY_IRQ_INTX, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_STRING_EQUAL(c[0].name, "pc-msix-smp1-tcg");
	CU_ASSERT_STRING_EQUAL(c[0].skip, "the device under test has no msix");
	CU_ASSERT_STRING_EQUAL(c[4].name, "pc-intx-smp1-tcg");
	CU_ASSERT_STRING_EQUAL(c[4].skip, "");
	CU_ASSERT_STRING_EQUAL(c[5].name, "pc-intx-smp1-kvm");
	CU_ASSERT_PTR_NOT_NULL(strstr(c[5].skip, "no /dev/kvm"));
	CU_ASSERT_EQUAL(c[15].index, 15);
	free(c);
	/* --accel tcg narrows, and works even for a kvm-only plan. */
	n = certify_matrix_build(&p, QEMU_ACCEL_TCG, 1, "", CERTIFY_IRQ_INTX | CERTIFY_IRQ_MSIX, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 8);
	CU_ASSERT_EQUAL(c[7].accel, QEMU_ACCEL_TCG);
	CU_ASSERT_STRING_EQUAL(c[7].skip, "");
	free(c);
	certify_plan_free(&p);
}

/* A session result with the given tests ("suite.name:status" words). */
static void judge_result(struct certify_result *r, enum certify_outcome oc, const char *const *tests)
{
	memset(r, 0, sizeof(*r));
	r->outcome = oc;
	snprintf(r->reason, sizeof(r->reason), "exit");
	for (size_t n = 0; tests[n]; n++)
		r->run.ntest++;
	r->run.test = calloc(r->run.ntest + 1, sizeof(*r->run.test));
	for (size_t i = 0; i < r->run.ntest; i++) {
		struct hvr_test *t = &r->run.test[i];
		char st[8];

		sscanf(tests[i], "%47[^.].%63[^:]:%7s", t->suite, t->name, st);
		t->status = !strcmp(st, "pass") ? HVR_PASS : !strcmp(st, "fail") ? HVR_FAIL :
			    !strcmp(st, "skip") ? HVR_SKIP : HVR_ERROR;
	}
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
	free(r.run.test);
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

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(plan_good, "nic.plan", &p, &err), 0);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, ok, why), CERTIFY_V_PASS);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, reqskip, why), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.rate: required test skipped"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_FAIL, failed, why), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.integrity: fail"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_ERROR, errored, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PASS, missing, why), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "required test nic.rate did not report"));
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_PANIC, ok, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_TIMEOUT, none, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_RESET, none, why), CERTIFY_V_FAIL);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_HARNESS, none, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_CRASH, ok, why), CERTIFY_V_ERROR);
	CU_ASSERT_EQUAL(judge(&p, CERTIFY_INTERRUPTED, ok, why), CERTIFY_V_ERROR);
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
	free(r.run.test);
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
	free(r.run.test);
	judge_result(&r, CERTIFY_FAIL, failed);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nic.peer: fail"));
	free(r.run.test);
	judge_result(&r, CERTIFY_ERROR, errored);
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "host check image.verify"));
	/* Without host checks only the kernel's records count. */
	free(r.run.test);
	judge_result(&r, CERTIFY_PASS, ok);
	in.nchecks = 0;
	CU_ASSERT_EQUAL(certify_judge(&in, why, sizeof(why)), CERTIFY_V_PASS);
	free(r.run.test);
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
}

static void test_run_verdict(void)
{
	struct certify_config_result r[3];

	memset(r, 0, sizeof(r));
	r[0].verdict = CERTIFY_V_PASS;
	r[1].verdict = CERTIFY_V_SKIP;
	r[2].verdict = CERTIFY_V_PASS;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 3), CERTIFY_V_PASS);
	r[2].verdict = CERTIFY_V_ERROR;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 3), CERTIFY_V_ERROR);
	r[0].verdict = CERTIFY_V_FAIL;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 3), CERTIFY_V_FAIL);
	r[0].verdict = r[2].verdict = CERTIFY_V_SKIP;
	CU_ASSERT_EQUAL(certify_run_verdict(r, 3), CERTIFY_V_ERROR);	/* nothing ran */
}

/* The device topology and kernel command line of one configuration. */
static void test_qemu_config(void)
{
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p, .ndut = 1, .seed = 9, .kernel = "k.elf" };
	struct certify_config cfg = { .machine = "q35", .irq = "msix", .smp = 2, .accel = QEMU_ACCEL_TCG };
	struct certify_strv args = { 0 };
	struct qemu_config q;
	struct certify_err err;
	char initrd[256], append[512], *line;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(plan_good, "nic.plan", &p, &err), 0);
	snprintf(spec.dut[0].model, sizeof(spec.dut[0].model), "e1000");
	spec.dut[0].m = certify_model_find("e1000");
	CU_ASSERT_EQUAL_FATAL(certify_run_qemu_config(&spec, &cfg, &q, &args, initrd, sizeof(initrd),
						      append, sizeof(append), &err), 0);
	line = certify_strv_join_shell(&args);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-netdev hubport,id=n0a,hubid=1 -device "
					    "e1000,netdev=n0a,id=n0a,mac=52:54:00:12:00:01,romfile="));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-netdev hubport,id=n0b,hubid=1"));
	/* the device-less third port that takes frames while B is stopped */
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-netdev hubport,id=n0z,hubid=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "test=nic.integrity,nic.rate,nic.jumbo "));
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "nic.seed=9"));
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "blk.seed=9"));
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "pci.irq=msix"));
	CU_ASSERT_EQUAL(q.smp, 2);
	CU_ASSERT_PTR_NULL(q.initrd);
	free(line);
	certify_strv_free(&args);
	certify_plan_free(&p);
}

UNIT_SUITE(certify_plan_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_plan_parse), UNIT_TEST(test_plan_defaults), UNIT_TEST(test_plan_errors),
		UNIT_TEST(test_plan_expand), UNIT_TEST(test_matrix), UNIT_TEST(test_judge),
		UNIT_TEST(test_judge_garbage), UNIT_TEST(test_judge_host), UNIT_TEST(test_hostchecks_require),
		UNIT_TEST(test_run_verdict),
		UNIT_TEST(test_qemu_config),
		UNIT_TEST_END
	};
	unit_add_suite("certify_plan", NULL, NULL, tests);
}
