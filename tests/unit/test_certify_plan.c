/* Tests for certify/plan (plan files), certify/matrix and a configuration's QEMU line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../certify/exercise.h"
#include "../../certify/matrix.h"
#include "../../certify/official.h"
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
	{
		struct certify_plan big;
		struct certify_err e;

		CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = b\ntests = blk\ndisk = 3T\neio_wlba = 9\n"
							 "eio_flush = yes\n", "b.plan", &big, &e), 0);
		CU_ASSERT_EQUAL(big.disk_bytes, 3ull << 40);
		CU_ASSERT_STRING_EQUAL(big.eio_wlba, "9");
		CU_ASSERT_EQUAL(big.eio_flush, 1);
		certify_plan_free(&big);
	}
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
	plan_bad("name = x\ntests = boot\ndisk = 65T\n", "disk: bad size '65T'");
	plan_bad("name = x\ntests = boot\ndisk = 18014398509481984T\n", "disk: bad size");
	plan_bad("name = x\ntests = boot\neio_flush = maybe\n", "eio_flush: 'maybe' is not yes or no");
	plan_bad("name = x\ntests = boot\ntopology = ring\n", "topology: 'ring'");
	plan_bad("name = x\ntests = boot\nkind = gpu\n", "kind: 'gpu'");
	plan_bad("name = x\ntests = boot\nsoak = 0\n", "bad.plan:3: soak: '0' is not 1..86400 seconds");
	plan_bad("name = x\ntests = boot\nsoak = 5s\n", "soak: '5s' is not 1..86400 seconds");
	plan_bad("name = x\ntests = boot\nsoak = 86401\n", "soak: '86401'");
	plan_bad("name = x\ntests = boot\niommu = amd\n", "bad.plan:3: iommu: 'amd' is not intel or none");
	plan_bad("name = x\ntests = boot\nmachines = q35 pc\niommu = intel\n",
		 "bad.plan: iommu = intel needs machines = q35, not pc");
	plan_bad("name = x\ntests = boot\niommu = intel\n", "iommu = intel needs machines = q35, not pc");
}

/* iommu = intel reaches QEMU's configuration; without it there is no IOMMU. */
static void test_plan_iommu(void)
{
	struct certify_plan p;
	struct certify_run_spec spec = { .plan = &p, .ndut = 1, .seed = 9, .kernel = "k.elf" };
	struct certify_config cfg = { .machine = "q35", .irq = "none", .smp = 1, .accel = QEMU_ACCEL_TCG };
	struct certify_strv args = { 0 };
	struct qemu_config q;
	struct certify_err err;
	char initrd[256], append[512];

	snprintf(spec.dut[0].model, sizeof(spec.dut[0].model), "e1000");
	spec.dut[0].m = certify_model_find("e1000");
	for (int on = 0; on < 2; on++) {
		const char *text = on ? "name = x\ntests = nic\nmachines = q35\ntopology = nic-pair\niommu = intel\n"
				      : "name = x\ntests = nic\nmachines = q35\ntopology = nic-pair\n";
		CU_ASSERT_EQUAL_FATAL(certify_plan_parse(text, "x.plan", &p, &err), 0);
		CU_ASSERT_EQUAL(p.iommu, on);
		CU_ASSERT_EQUAL_FATAL(certify_run_qemu_config(&spec, &cfg, &q, &args, initrd, sizeof(initrd),
							      append, sizeof(append), &err), 0);
		CU_ASSERT_EQUAL(q.iommu, on);
		certify_strv_free(&args);
		memset(&args, 0, sizeof(args));
		certify_plan_free(&p);
	}
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
	/* {soak}: the plan's key, 60 without one; certify run --soak sets the field */
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "nic.soak_s={soak}", 1, a, sizeof(a), &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "nic.soak_s=60");
	unsigned soak = 0;
	CU_ASSERT_EQUAL(certify_plan_soak("3", &soak), 0);
	CU_ASSERT_EQUAL(soak, 3);
	CU_ASSERT_EQUAL(certify_plan_soak("-3", &soak), -1);
	CU_ASSERT_EQUAL(certify_plan_soak("", &soak), -1);
	p.soak_s = soak;
	CU_ASSERT_EQUAL(certify_plan_expand(&p, "{soak}", 1, a, sizeof(a), &err), 0);
	CU_ASSERT_STRING_EQUAL(a, "3");
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
	CU_ASSERT_EQUAL(c[0].state, CERTIFY_CFG_NA);
	CU_ASSERT_STRING_EQUAL(c[0].why, "the device under test has no msix");
	CU_ASSERT_EQUAL(c[1].state, CERTIFY_CFG_NA);	/* n/a beats KVM unusable */
	CU_ASSERT_STRING_EQUAL(c[4].name, "pc-intx-smp1-tcg");
	CU_ASSERT_EQUAL(c[4].state, CERTIFY_CFG_RUN);
	CU_ASSERT_STRING_EQUAL(c[4].why, "");
	CU_ASSERT_STRING_EQUAL(c[5].name, "pc-intx-smp1-kvm");
	CU_ASSERT_EQUAL(c[5].state, CERTIFY_CFG_NOTRUN);
	CU_ASSERT_STRING_EQUAL(c[5].why, "KVM unusable: no /dev/kvm");
	CU_ASSERT_EQUAL(c[15].index, 15);
	free(c);
	/* --accel tcg runs TCG only; the plan's KVM configurations stay on the record, not run. */
	n = certify_matrix_build(&p, QEMU_ACCEL_TCG, 1, "", CERTIFY_IRQ_INTX | CERTIFY_IRQ_MSIX, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_EQUAL(c[6].accel, QEMU_ACCEL_TCG);
	CU_ASSERT_EQUAL(c[6].state, CERTIFY_CFG_RUN);
	CU_ASSERT_EQUAL(c[7].accel, QEMU_ACCEL_KVM);
	CU_ASSERT_EQUAL(c[7].state, CERTIFY_CFG_NOTRUN);
	CU_ASSERT_STRING_EQUAL(c[7].why, "not asked for: --accel tcg");
	free(c);
	certify_plan_free(&p);
	/* --accel kvm on a TCG-only plan: KVM is added and runs, the plan's TCG does not. */
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = t\ntests = boot\n", "t.plan", &p, &err), 0);
	n = certify_matrix_build(&p, QEMU_ACCEL_KVM, 1, "", 0, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(c[0].name, "pc-none-smp1-tcg");
	CU_ASSERT_EQUAL(c[0].state, CERTIFY_CFG_NOTRUN);
	CU_ASSERT_STRING_EQUAL(c[1].name, "pc-none-smp1-kvm");
	CU_ASSERT_EQUAL(c[1].state, CERTIFY_CFG_RUN);
	free(c);
	certify_plan_free(&p);
	/* The polling configuration applies to a device with any interrupt modes, even none. */
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = t\ntests = blk\nirq = msix poll\n", "t.plan",
						 &p, &err), 0);
	n = certify_matrix_build(&p, QEMU_ACCEL_TCG, 1, "", CERTIFY_IRQ_INTX, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(c[0].state, CERTIFY_CFG_NA);
	CU_ASSERT_STRING_EQUAL(c[1].name, "pc-poll-smp1-tcg");
	CU_ASSERT_EQUAL(c[1].state, CERTIFY_CFG_RUN);
	free(c);
	certify_plan_free(&p);
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
	CU_ASSERT_PTR_NULL(strstr(append, "nic.poll=1"));
	CU_ASSERT_EQUAL(q.smp, 2);
	CU_ASSERT_PTR_NULL(q.initrd);
	free(line);
	certify_strv_free(&args);
	/* The polling configuration forces no interrupt mode; the suites poll instead. */
	snprintf(cfg.irq, sizeof(cfg.irq), "poll");
	CU_ASSERT_EQUAL_FATAL(certify_run_qemu_config(&spec, &cfg, &q, &args, initrd, sizeof(initrd),
						      append, sizeof(append), &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "nic.poll=1"));
	CU_ASSERT_PTR_NULL(strstr(append, "pci.irq="));
	certify_strv_free(&args);
	p.kind = CERTIFY_KIND_STORAGE;
	CU_ASSERT_EQUAL_FATAL(certify_run_qemu_config(&spec, &cfg, &q, &args, initrd, sizeof(initrd),
						      append, sizeof(append), &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(append, "blk.wait=poll"));
	certify_strv_free(&args);
	certify_plan_free(&p);
}

/* Every --device must be one the plan's topology exercises. */
static void test_exercise(void)
{
	static const struct { const char *topo, *models[3]; const char *refused; } cases[] = {
		{ "nic-pair", { "e1000", NULL }, NULL },
		{ "nic-pair", { "e1000", "rtl8139", NULL }, "--device rtl8139: plan 't' (topology nic-pair) "
		  "exercises one nic per run, e1000 already" },
		{ "nic-pair", { "e1000", "e1000", NULL }, "--device e1000:" },
		{ "nic-pair", { "nvme", NULL }, "exercises no storage controller" },
		{ "disk", { "nvme", NULL }, NULL },
		{ "disk", { "nvme", "megasas", NULL }, "--device megasas:" },
		{ "disk", { "e1000", NULL }, "exercises no NIC" },
		{ "vm", { "e1000", "nvme", NULL }, NULL },
		{ "vm", { "nvme", "e1000", NULL }, NULL },
		{ "vm", { "e1000", NULL }, "no storage controller given" },
		{ "vm", { "nvme", NULL }, "no NIC given" },
		{ "vm", { "e1000", "nvme", "edu" }, "--device edu:" },
		{ "vm", { "e1000", "e1000e", "nvme" }, "--device e1000e:" },
		{ "none", { "edu", NULL }, NULL },
		{ "none", { "edu", "e1000", NULL }, "--device e1000: plan 't' (topology none) exercises no NIC" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct certify_dut dut[3];
		struct certify_plan p;
		struct certify_err err = { "" };
		char text[96];
		size_t n = 0;

		snprintf(text, sizeof(text), "name = t\ntests = boot\ntopology = %s\n", cases[i].topo);
		CU_ASSERT_EQUAL_FATAL(certify_plan_parse(text, "t.plan", &p, &err), 0);
		for (; n < 3 && cases[i].models[n]; n++) {
			snprintf(dut[n].model, sizeof(dut[n].model), "%s", cases[i].models[n]);
			dut[n].m = certify_model_find(cases[i].models[n]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(dut[n].m);
		}
		CU_ASSERT_EQUAL(certify_exercise_check(&p, dut, n, &err), cases[i].refused ? -1 : 0);
		if (cases[i].refused && !strstr(err.msg, cases[i].refused))
			CU_FAIL(err.msg);
		certify_plan_free(&p);
	}
}

/* A plan binds its text's sha256; only the shipped plan of its name, byte for byte, is
 * official. The shipped table is generated from plans/ at build time. */
static void test_plan_official(void)
{
	struct certify_plan p;
	struct certify_err err;
	char why[256], *text;
	FILE *f;
	long len;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse("name = t\ntests = boot\n", "t.plan", &p, &err), 0);
	/* hashlib.sha256(b"name = t\ntests = boot\n") */
	CU_ASSERT_STRING_EQUAL(p.sha256, "dc63ad6673acbcc8d87a3b4a07845a4efab3e41443eb61c3a32de77fac40d119");
	CU_ASSERT_EQUAL(certify_plan_official(&p, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(why, "plan 't' is not one shipped with hvkit " HV_RELEASE);
	certify_plan_free(&p);
	CU_ASSERT_EQUAL_FATAL(certify_plan_load("plans/nic.plan", &p, &err), 0);
	CU_ASSERT_EQUAL(certify_plan_official(&p, why, sizeof(why)), 1);
	certify_plan_free(&p);
	/* The same plan with one value changed (fewer frames) is not. */
	f = fopen("plans/nic.plan", "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	CU_ASSERT_EQUAL_FATAL(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(text, "nic.flaps=5"));
	strstr(text, "nic.flaps=5")[10] = '1';
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(text, "nic.plan", &p, &err), 0);
	CU_ASSERT_EQUAL(certify_plan_official(&p, why, sizeof(why)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "plan 'nic' differs from the one shipped with hvkit"));
	certify_plan_free(&p);
	free(text);
	/* Every shipped plan is in the table and loads as official. */
	for (const struct certify_shipped_plan *sp = certify_shipped_plans; sp->name; sp++) {
		char path[128];

		snprintf(path, sizeof(path), "plans/%s.plan", sp->name);
		CU_ASSERT_EQUAL_FATAL(certify_plan_load(path, &p, &err), 0);
		CU_ASSERT_EQUAL(certify_plan_official(&p, why, sizeof(why)), 1);
		certify_plan_free(&p);
	}
	CU_ASSERT_PTR_NOT_NULL(certify_shipped_plans[3].name);	/* nic, selftest, storage, vm */
}

UNIT_SUITE(certify_plan_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_plan_parse), UNIT_TEST(test_plan_defaults), UNIT_TEST(test_plan_errors), UNIT_TEST(test_plan_iommu),
		UNIT_TEST(test_plan_expand), UNIT_TEST(test_matrix), UNIT_TEST(test_qemu_config),
		UNIT_TEST(test_exercise), UNIT_TEST(test_plan_official),
		UNIT_TEST_END
	};
	unit_add_suite("certify_plan", NULL, NULL, tests);
}
