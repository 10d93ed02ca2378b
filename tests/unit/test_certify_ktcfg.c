/* Tests for certify/ktcfg (the kernel test list), the QEMU command line and exit codes. */
#include <string.h>
#include <sys/wait.h>

#include "../../certify/ktcfg.h"
#include "../../certify/outcome.h"
#include "../../certify/qemu.h"
#include "unit.h"

static const char kt_good[] =
	"# comment\n"
	"[boot]\n"
	"append = test=boot\n"
	"\n"
	"[pci-enum-q35]\n"
	"machine = q35\n"
	"smp = 2\n"
	"accel = kvm\n"
	"append = test=pci.enum hvr.sync=pci\n"
	"qemu = -device e1000 \\\n"
	"       -drive file=${disk:d1},if=none,id=d1 -device nvme,drive=d1\n"
	"disks = d1:8M d2:1G:gpt=8M,16M:damage=entries\n"
	"groups = pci boot\n"
	"timeout = 90\n"
	"expect = panic\n"
	"oracle = query-pci\n"
	"[after]\n"
	"mem = 512\n";

static void test_ktcfg_good(void)
{
	struct certify_ktcfg cfg;
	struct certify_err err;
	const struct certify_ktest *t;

	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse(kt_good, "tests.cfg", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.ntest, 3);
	t = &cfg.test[0];
	CU_ASSERT_STRING_EQUAL(t->name, "boot");
	CU_ASSERT_STRING_EQUAL(t->machine, "pc");
	CU_ASSERT_EQUAL(t->accel, QEMU_ACCEL_TCG);
	CU_ASSERT_EQUAL(t->expect, CERTIFY_PASS);
	CU_ASSERT_EQUAL(t->timeout_s, 60);
	t = &cfg.test[1];
	CU_ASSERT_EQUAL(t->line, 5);
	CU_ASSERT_STRING_EQUAL(t->machine, "q35");
	CU_ASSERT_EQUAL(t->smp, 2);
	CU_ASSERT_EQUAL(t->accel, QEMU_ACCEL_KVM);
	CU_ASSERT_STRING_EQUAL(t->append, "test=pci.enum hvr.sync=pci");
	CU_ASSERT_EQUAL(t->qemu.n, 6);
	CU_ASSERT_STRING_EQUAL(t->qemu.v[3], "file=${disk:d1},if=none,id=d1");
	CU_ASSERT_EQUAL(t->ndisks, 2);
	CU_ASSERT_EQUAL(t->disks[0].size, 8ull << 20);
	CU_ASSERT_EQUAL(t->disks[1].size, 1ull << 30);
	CU_ASSERT_EQUAL(t->disks[0].gpt.nparts, 0);
	CU_ASSERT_EQUAL(t->disks[1].gpt.nparts, 2);
	CU_ASSERT_EQUAL(t->disks[1].gpt.part_bytes[1], 16ull << 20);
	CU_ASSERT_EQUAL(t->disks[1].gpt.damage, GPTIMG_DAMAGE_ENTRIES);
	CU_ASSERT(certify_ktest_in_group(t, "boot"));
	CU_ASSERT(!certify_ktest_in_group(t, "net"));
	CU_ASSERT_EQUAL(t->timeout_s, 90);
	CU_ASSERT_EQUAL(t->expect, CERTIFY_PANIC);
	CU_ASSERT_STRING_EQUAL(t->oracle, "query-pci");
	/* The continuation line counts: [after] is on line 17. */
	CU_ASSERT_EQUAL(cfg.test[2].line, 17);
	CU_ASSERT_EQUAL(cfg.test[2].mem_mib, 512);
	certify_ktcfg_free(&cfg);
}

static void kt_expect_error(const char *text, const char *msg)
{
	struct certify_ktcfg cfg;
	struct certify_err err;

	err.msg[0] = '\0';
	CU_ASSERT_EQUAL(certify_ktcfg_parse(text, "tests.cfg", &cfg, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, msg);
	CU_ASSERT_EQUAL(cfg.ntest, 0);
}

static void test_ktcfg_errors(void)
{
	kt_expect_error("[a]\n\nfoo = 1\n", "tests.cfg:3: unknown key 'foo'");
	kt_expect_error("append = x\n", "tests.cfg:1: 'append = x' before the first [name] section");
	kt_expect_error("[a]\n[a]\n", "tests.cfg:2: test 'a' already defined at line 1");
	kt_expect_error("[a b]\n", "tests.cfg:1: bad test name 'a b': use [A-Za-z0-9_.-], at most 63 characters");
	kt_expect_error("[a\n", "tests.cfg:1: bad section header '[a': expected [name]");
	kt_expect_error("[a]\njunk\n", "tests.cfg:2: expected 'key = value' or '[name]', got 'junk'");
	kt_expect_error("[a]\nmachine = isapc\n", "tests.cfg:2: machine = 'isapc': expected pc or q35");
	kt_expect_error("[a]\nsmp = two\n", "tests.cfg:2: smp = 'two': expected a whole number from 1 to 64");
	kt_expect_error("[a]\nexpect = crash\n",
			"tests.cfg:2: expect = 'crash': expected pass, fail, error, policy, panic, reset or timeout");
	kt_expect_error("[a]\naccel = hax\n", "tests.cfg:2: accel = 'hax': expected tcg, kvm or auto");
	kt_expect_error("[a]\nqmp = p set_link [1]\n",
			"tests.cfg:2: qmp = p set_link: arguments '[1]' are not a JSON object");
	kt_expect_error("[a]\nqmp = lonely\n",
			"tests.cfg:2: qmp = 'lonely': expected POINT COMMAND [JSON-ARGUMENTS]");
	kt_expect_error("[a]\ndisks = d1\n",
			"tests.cfg:2: disk 'd1': expected NAME:SIZE with NAME of [A-Za-z0-9_-]");
	kt_expect_error("[a]\ndisks = d1:8M:gpt=1000\n",
			"tests.cfg:2: disk 'd1:8M:gpt=1000': 'gpt=1000': partition sizes are multiples of 512 (e.g. 8M,16M)");
	kt_expect_error("[a]\nqemu = -drive file=${disk:d2}\ndisks = d1:1M\n[b]\n",
			"tests.cfg:2: '${disk:d2}': no such disk (declare it with disks = NAME:SIZE)");
	kt_expect_error("[a]\nqemu = -drive file=${tmp}\n",
			"tests.cfg:2: 'file=${tmp}': only ${disk:NAME} can be expanded");
	kt_expect_error("# nothing\n", "tests.cfg: no tests defined");
	kt_expect_error("[a]\nverify_bad = -1\n",
			"tests.cfg:2: verify_bad = '-1': expected a whole number from 0 to 1073741824");
}

/* verify_bad: the image check must find exactly that many bad blocks. */
static void test_ktcfg_verify_bad(void)
{
	struct certify_ktcfg cfg;
	struct certify_err err;
	const char *t = "[a]\ndisks = d0:8M\nverify_disk = vmhba0:d0\nverify_bad = 6\n[b]\n";

	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse(t, "tests.cfg", &cfg, &err), 0);
	CU_ASSERT_EQUAL(cfg.test[0].verify_bad, 6);
	CU_ASSERT_EQUAL(cfg.test[1].verify_bad, 0);
	certify_ktcfg_free(&cfg);
}

/* peer = ID stays the UDP peer; peer_tap = ID:QUEUES asks for a tap with 1..8 queues. */
static void test_ktcfg_peer(void)
{
	static const char text[] = "[u]\npeer = hp\n[t]\npeer_tap = hp_2:4\n[one]\npeer_tap = n-1:1\n";
	struct certify_ktcfg cfg;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(certify_ktcfg_parse(text, "tests.cfg", &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(cfg.ntest, 3);
	CU_ASSERT_STRING_EQUAL(cfg.test[0].peer, "hp");
	CU_ASSERT_EQUAL(cfg.test[0].peer_tap_queues, 0);
	CU_ASSERT_STRING_EQUAL(cfg.test[1].peer, "hp_2");
	CU_ASSERT_EQUAL(cfg.test[1].peer_tap_queues, 4);
	CU_ASSERT_STRING_EQUAL(cfg.test[2].peer, "n-1");
	CU_ASSERT_EQUAL(cfg.test[2].peer_tap_queues, 1);
	certify_ktcfg_free(&cfg);

	kt_expect_error("[a]\npeer_tap = hp\n",
			"tests.cfg:2: peer_tap = 'hp': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = hp:\n",
			"tests.cfg:2: peer_tap = 'hp:': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = hp:0\n",
			"tests.cfg:2: peer_tap = 'hp:0': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = hp:9\n",
			"tests.cfg:2: peer_tap = 'hp:9': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = hp:4x\n",
			"tests.cfg:2: peer_tap = 'hp:4x': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = hp:-4\n",
			"tests.cfg:2: peer_tap = 'hp:-4': expected ID:QUEUES with QUEUES 1..8");
	kt_expect_error("[a]\npeer_tap = :4\n",
			"tests.cfg:2: peer_tap = ':4': expected ID:QUEUES with a QEMU netdev id");
	kt_expect_error("[a]\npeer_tap = h p:4\n",
			"tests.cfg:2: peer_tap = 'h p:4': expected ID:QUEUES with a QEMU netdev id");
	kt_expect_error("[a]\npeer = a:b\n", "tests.cfg:2: peer = 'a:b': expected a QEMU netdev id");
	kt_expect_error("[a]\npeer = hp\npeer_tap = hq:2\n",
			"tests.cfg:3: peer_tap = 'hq:2': the entry already has a host peer");
}

static int kt_has(const struct certify_strv *sv, const char *a, const char *b)
{
	for (size_t i = 0; i + 1 < sv->n; i++) {
		if (strcmp(sv->v[i], a) == 0 && (!b || strcmp(sv->v[i + 1], b) == 0))
			return 1;
	}
	return 0;
}

static void test_ktcfg_module_errors(void)
{
	kt_expect_error("[a]\nmodules = edu.hvm\n",
			"tests.cfg:2: modules: 'edu.hvm': expected FILE:STATUS[:REASON]");
	kt_expect_error("[a]\nmodules = :loaded\n",
			"tests.cfg:2: modules: ':loaded': expected FILE:STATUS[:REASON]");
	kt_expect_error("[a]\nmodules = a.hvm:gone\n",
			"tests.cfg:2: modules: 'a.hvm:gone': status 'gone' is not loaded, skipped, refused or failed");
	kt_expect_error("[a]\nmodules = a.hvm:refused:\n",
			"tests.cfg:2: modules: 'a.hvm:refused:': the reason must be 1 to 127 characters");
	kt_expect_error("[a]\ndriver = edu\n",
			"tests.cfg:2: driver: 'edu': expected SLOT:NAME, e.g. 00:04.0:edu");
	kt_expect_error("[a]\ndriver = 00:04.0:\n",
			"tests.cfg:2: driver: '00:04.0:': expected SLOT:NAME, e.g. 00:04.0:edu");
}

static void test_qemu_argv(void)
{
	char *extra[] = { "-drive", "file=${disk:d1},if=none,id=d1", "-device", "nvme,drive=d1" };
	struct qemu_config q = { .machine = "q35", .kernel = "k.elf", .append = "a b",
				 .extra = extra, .nextra = 4, .ndisks = 1 };
	struct qemu_paths p = { "/t", "/t/c1", "/t/c2", "/t/q" };
	struct certify_strv argv = { NULL, 0, 0 };
	struct certify_err err;

	strcpy(q.disks[0].name, "d1");
	q.disks[0].size = 1 << 20;
	CU_ASSERT_EQUAL_FATAL(qemu_build_argv(&q, QEMU_ACCEL_TCG, &p, &argv, &err), 0);
	CU_ASSERT(kt_has(&argv, "-nodefaults", NULL) && kt_has(&argv, "-no-reboot", NULL));
	CU_ASSERT(kt_has(&argv, "-machine", "q35") && kt_has(&argv, "-accel", "tcg"));
	CU_ASSERT(kt_has(&argv, "-cpu", "max"));
	CU_ASSERT(kt_has(&argv, "-append", "a b"));
	CU_ASSERT(kt_has(&argv, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"));
	CU_ASSERT(kt_has(&argv, "-chardev", "socket,id=com2,path=/t/c2,server=off"));
	CU_ASSERT(kt_has(&argv, "-mon", "chardev=qmp,mode=control"));
	CU_ASSERT(kt_has(&argv, "-drive", "file=/t/disk-d1.img,if=none,id=d1"));
	CU_ASSERT(!kt_has(&argv, "-device", "intel-iommu"));
	CU_ASSERT_PTR_NULL(argv.v[argv.n]);
	certify_strv_free(&argv);
	/* The IOMMU comes before every other device (devices created first bypass it). */
	q.iommu = 1;
	CU_ASSERT_EQUAL_FATAL(qemu_build_argv(&q, QEMU_ACCEL_TCG, &p, &argv, &err), 0);
	size_t first_dev = 0;
	while (first_dev < argv.n && strcmp(argv.v[first_dev], "-device"))
		first_dev++;
	CU_ASSERT(first_dev + 1 < argv.n && !strcmp(argv.v[first_dev + 1], "intel-iommu"));
	certify_strv_free(&argv);
	q.iommu = 0;
	CU_ASSERT_EQUAL(qemu_build_argv(&q, QEMU_ACCEL_KVM, &p, &argv, &err), 0);
	CU_ASSERT(kt_has(&argv, "-cpu", "host,-arch-capabilities"));
	certify_strv_free(&argv);
	extra[1] = "file=${disk:nope}";
	CU_ASSERT_EQUAL(qemu_build_argv(&q, QEMU_ACCEL_TCG, &p, &argv, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no disk named 'nope'"));
	certify_strv_free(&argv);
}

static void test_outcome_map(void)
{
	static const struct { int code; enum certify_outcome o; } map[] = {
		{ 33, CERTIFY_PASS }, { 35, CERTIFY_FAIL }, { 37, CERTIFY_ERROR },
		{ 39, CERTIFY_POLICY }, { 63, CERTIFY_PANIC }, { 0, CERTIFY_RESET },
		{ 1, CERTIFY_CRASH }, { 34, CERTIFY_CRASH }, { 255, CERTIFY_CRASH },
	};
	char why[128];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		CU_ASSERT_EQUAL(certify_outcome_from_status(W_EXITCODE(map[i].code, 0), why,
							    sizeof(why)), map[i].o);
	CU_ASSERT_EQUAL(certify_outcome_from_status(W_EXITCODE(0, 9), why, sizeof(why)), CERTIFY_CRASH);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signal 9"));
}

UNIT_SUITE(certify_ktcfg_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_ktcfg_good),
		UNIT_TEST(test_ktcfg_errors),
		UNIT_TEST(test_ktcfg_verify_bad),
		UNIT_TEST(test_ktcfg_module_errors),
		UNIT_TEST(test_ktcfg_peer),
		UNIT_TEST(test_qemu_argv),
		UNIT_TEST(test_outcome_map),
		UNIT_TEST_END
	};
	unit_add_suite("certify_ktcfg", NULL, NULL, tests);
}
