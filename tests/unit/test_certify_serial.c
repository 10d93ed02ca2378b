/* Tests for the bare-metal target's pieces: CRC-32, the serial line's framing (serialmux),
 * the --target argument, the one-machine matrix and the host checks it cannot run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/crc32.h>

#include "../../certify/hostcheck.h"
#include "../../certify/hvr.h"
#include "../../certify/hvrrun.h"
#include "../../certify/judge.h"
#include "../../certify/matrix.h"
#include "../../certify/serialline.h"
#include "../../certify/serialmux.h"
#include "../../certify/spec.h"
#include "unit.h"

/* What the mux handed on, for the assertions. */
struct mux_seen {
	char log[1024];
	size_t nbad;
	char rec[4][160];
	char bad[4][200];
	int nrec, nbadframe;
};

static void seen_log(void *ctx, const char *line, size_t len, size_t nbad)
{
	struct mux_seen *m = ctx;

	strncat(m->log, line, len < sizeof(m->log) - strlen(m->log) - 1 ? len :
		sizeof(m->log) - strlen(m->log) - 1);
	m->nbad += nbad;
}

static void seen_record(void *ctx, const char *rec, size_t len, const char *bad)
{
	struct mux_seen *m = ctx;

	if (bad && m->nbadframe < 4)
		snprintf(m->bad[m->nbadframe++], sizeof(m->bad[0]), "%s", bad);
	else if (!bad && m->nrec < 4)
		snprintf(m->rec[m->nrec++], sizeof(m->rec[0]), "%.*s", (int)len, rec);
}

static void mux_feed(struct mux_seen *m, const char *text)
{
	static struct certify_serialmux mux;
	struct certify_serialmux_ops ops = { seen_log, seen_record, m };

	memset(&mux, 0, sizeof(mux));
	memset(m, 0, sizeof(*m));
	/* in two pieces cut in the middle of a frame: lines are put together again */
	certify_serialmux_feed(&mux, text, strlen(text) / 2, &ops);
	certify_serialmux_feed(&mux, text + strlen(text) / 2, strlen(text) - strlen(text) / 2, &ops);
	certify_serialmux_flush(&mux, &ops);
}

static void test_crc32(void)
{
	/* the check value of CRC-32/ISO-HDLC, and zlib.crc32 of a record */
	CU_ASSERT_EQUAL(crc32_buf("123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(crc32_buf("HVR1 hello release=0.1.0 arch=x86_64", 36), 0xbca70b92u);
	CU_ASSERT_EQUAL(crc32_buf("", 0), 0u);
}

static void test_serialmux_frames(void)
{
	static struct mux_seen m;

	mux_feed(&m, "GRUB loading.\r\n[  0.001] hvkernel\n"
		     "@hvr bca70b92 HVR1 hello release=0.1.0 arch=x86_64\r\n"
		     "[  0.002] a log line\n"
		     "@hvr 24ce984c HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass\n"
		     "halted");
	CU_ASSERT_EQUAL(m.nrec, 2);
	CU_ASSERT_STRING_EQUAL(m.rec[0], "HVR1 hello release=0.1.0 arch=x86_64");
	CU_ASSERT_STRING_EQUAL(m.rec[1], "HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_EQUAL(m.nbadframe, 0);
	CU_ASSERT_STRING_EQUAL(m.log, "GRUB loading.\r\n[  0.001] hvkernel\n[  0.002] a log line\nhalted");
	CU_ASSERT_EQUAL(m.nbad, 0);
	/* one bit off in the record, in the CRC, a short or malformed head: never believed */
	mux_feed(&m, "@hvr bca70b92 HVR1 hello release=0.1.1 arch=x86_64\n"
		     "@hvr bca70b93 HVR1 hello release=0.1.0 arch=x86_64\n"
		     "@hvr bca70b9 HVR1 hello release=0.1.0 arch=x86_64\n"
		     "@hvr zca70b92 HVR1 hello release=0.1.0 arch=x86_64\n");
	CU_ASSERT_EQUAL(m.nrec, 0);
	CU_ASSERT_EQUAL_FATAL(m.nbadframe, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.bad[0], "CRC-32 is"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.bad[0], "not bca70b92"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.bad[1], "not bca70b93"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.bad[2], "garbled frame head"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.bad[3], "malformed CRC"));
	/* garbage bytes in log lines are counted; escape sequences and backspaces are text */
	mux_feed(&m, "ok \x1b[2J\b\n\x01\xff\x80 noise\n");
	CU_ASSERT_EQUAL(m.nbad, 3);
	CU_ASSERT_EQUAL(m.nrec, 0);
}

static void test_serial_parse(void)
{
	struct certify_serial_target t;
	struct certify_err err;

	CU_ASSERT_EQUAL(certify_serial_parse("serial:/dev/ttyUSB0", &t, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.path, "/dev/ttyUSB0");
	CU_ASSERT_EQUAL(t.baud, 115200);
	CU_ASSERT_EQUAL(certify_serial_parse("serial:/dev/ttyS1,9600", &t, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.path, "/dev/ttyS1");
	CU_ASSERT_EQUAL(t.baud, 9600);
	CU_ASSERT_EQUAL(certify_serial_parse("serial:tcp:cons1:7001", &t, &err), 0);
	CU_ASSERT_STRING_EQUAL(t.path, "tcp:cons1:7001");
	CU_ASSERT_EQUAL(certify_serial_parse("serial:/dev/ttyS1,12345", &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "baud '12345'"));
	CU_ASSERT_EQUAL(certify_serial_parse("serial:/dev/ttyS1,", &t, &err), -1);
	CU_ASSERT_EQUAL(certify_serial_parse("serial:", &t, &err), -1);
	CU_ASSERT_EQUAL(certify_serial_parse("/dev/ttyS0", &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expected serial:PATH[,baud]"));
	CU_ASSERT_EQUAL(certify_serial_parse("serial:tcp:cons1", &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tcp:HOST:PORT"));
}

static const char serial_plan[] =
	"name = nic\nkind = nic\ntests = nic.integrity\nmachines = pc q35\nirq = msix intx\n"
	"smp = 1 2\naccel = tcg kvm\ntimeout = 90\ntopology = nic-pair\n";

static void test_matrix_target(void)
{
	struct certify_plan p;
	struct certify_config *c;
	struct certify_err err;
	int n, run = 0;

	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(serial_plan, "nic.plan", &p, &err), 0);
	n = certify_matrix_build(&p, QEMU_ACCEL_AUTO, 1, "", CERTIFY_IRQ_INTX, &c, &err);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	certify_matrix_target(c, (size_t)n);
	/* msix is not applicable to the device; of the 8 intx configurations one runs */
	for (int i = 0; i < n; i++)
		run += c[i].state == CERTIFY_CFG_RUN;
	CU_ASSERT_EQUAL(run, 1);
	CU_ASSERT_EQUAL(c[0].state, CERTIFY_CFG_NA);
	CU_ASSERT_STRING_EQUAL(c[4].name, "target-intx");
	CU_ASSERT_STRING_EQUAL(c[4].machine, "target");
	CU_ASSERT_EQUAL(c[4].state, CERTIFY_CFG_RUN);
	CU_ASSERT_EQUAL(c[5].state, CERTIFY_CFG_NOTRUN);
	CU_ASSERT_STRING_EQUAL(c[5].why, "a bare-metal target is one machine: target-intx covers it");
	free(c);
	certify_plan_free(&p);
}

static void serial_run_add(struct hvr_run *run, const char *line)
{
	static struct hvr_record rec;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(hvr_parse(line, strlen(line), &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_run_add(run, &rec, 0.1), 0);
}

static void test_hostchecks_target(void)
{
	struct certify_hostchecks s = { .n = 0 };
	struct certify_run_spec spec;
	struct certify_judge_in in = { 0 };
	static struct certify_result res;
	struct certify_plan p;
	struct certify_err err;
	char reason[512];

	certify_hostcheck_notrun(certify_hostcheck_get(&s, "wire.frames"), "the kernel never reached sync point wire-check");
	certify_hostcheck_notrun(certify_hostcheck_get(&s, "image.verify"), "x");
	certify_hostchecks_impossible(&s, "a bare-metal target");
	CU_ASSERT_EQUAL(s.v[0].impossible, 1);
	CU_ASSERT_EQUAL(s.v[0].ran, 0);
	CU_ASSERT_STRING_EQUAL(s.v[0].msg, "not possible on a bare-metal target: certify has no tap "
			       "on a physical NIC's wire");
	CU_ASSERT_EQUAL(s.v[1].impossible, 1);
	/* a clean boot: the judge leaves impossible checks out (stored not run, no error) */
	CU_ASSERT_EQUAL_FATAL(certify_plan_parse(serial_plan, "nic.plan", &p, &err), 0);
	memset(&spec, 0, sizeof(spec));
	spec.plan = &p;
	memset(&res, 0, sizeof(res));
	res.outcome = CERTIFY_PASS;
	serial_run_add(&res.run, "HVR1 hello release=0.1.0 arch=x86_64");
	serial_run_add(&res.run, "HVR1 selected tests=nic.integrity");
	serial_run_add(&res.run, "HVR1 test suite=nic name=integrity status=pass us=1");
	serial_run_add(&res.run, "HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass");
	in.spec = &spec;
	in.res = &res;
	in.checks = s.v;
	in.nchecks = s.n;
	CU_ASSERT_EQUAL(certify_judge(&in, reason, sizeof(reason)), CERTIFY_V_PASS);
	/* a possible check that did not run stays an error */
	certify_hostcheck_notrun(certify_hostcheck_get(&s, "peer.frames"), "never reached");
	in.nchecks = s.n;
	CU_ASSERT_EQUAL(certify_judge(&in, reason, sizeof(reason)), CERTIFY_V_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(reason, "host check peer.frames did not run"));
	/* a check that ran and disagrees fails, on any target */
	certify_hostcheck_done(&s.v[1], 0, "3 blocks wrong");
	CU_ASSERT_EQUAL(certify_judge(&in, reason, sizeof(reason)), CERTIFY_V_FAIL);
	hvr_run_free(&res.run);
	certify_plan_free(&p);
}

UNIT_SUITE(certify_serial_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_crc32),
		UNIT_TEST(test_serialmux_frames),
		UNIT_TEST(test_serial_parse),
		UNIT_TEST(test_matrix_target),
		UNIT_TEST(test_hostchecks_target),
		UNIT_TEST_END
	};
	unit_add_suite("certify_serial", NULL, NULL, tests);
}
