/* Tests for certify/hvr and certify/hvrrun: the result-channel parser and run state. */
#include <stdio.h>
#include <string.h>

#include "../../certify/hvr.h"
#include "../../certify/hvrrun.h"
#include "unit.h"

static int hvr_parse_str(const char *line, struct hvr_record *rec, struct certify_err *err)
{
	return hvr_parse(line, strlen(line), rec, err);
}

static void test_hvr_parse_fields(void)
{
	static struct hvr_record rec;
	struct certify_err err;
	uint64_t v;

	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 pci slot=0000:00:03.0 vid=8086 did=100e", &rec, &err), 0);
	CU_ASSERT_STRING_EQUAL(rec.type, "pci");
	CU_ASSERT_EQUAL(rec.nfields, 3);
	CU_ASSERT_STRING_EQUAL(hvr_get(&rec, "slot"), "0000:00:03.0");
	CU_ASSERT_PTR_NULL(hvr_get(&rec, "svid"));
	CU_ASSERT_EQUAL(hvr_get_hex(&rec, "vid", &v), 0);
	CU_ASSERT_EQUAL(v, 0x8086);
	CU_ASSERT_EQUAL(hvr_get_u64(&rec, "did", &v), -1);	/* "100e" is not decimal */
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 ready", &rec, &err), 0);
	CU_ASSERT_EQUAL(rec.nfields, 0);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 end  passed=1 ", &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_get_u64(&rec, "passed", &v), 0);
	CU_ASSERT_EQUAL(v, 1);
}

static void test_hvr_unescape(void)
{
	static struct hvr_record rec;
	struct certify_err err;
	char s[32];

	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 test msg=a%20b%25c%0Ad empty=", &rec, &err), 0);
	CU_ASSERT_STRING_EQUAL(hvr_get(&rec, "msg"), "a b%c\nd");
	CU_ASSERT_STRING_EQUAL(hvr_get(&rec, "empty"), "");
	strcpy(s, "x%3dy%7E");
	CU_ASSERT_EQUAL(hvr_unescape(s), 0);
	CU_ASSERT_STRING_EQUAL(s, "x=y~");
	strcpy(s, "bad%2");
	CU_ASSERT_EQUAL(hvr_unescape(s), -1);
	strcpy(s, "bad%zz");
	CU_ASSERT_EQUAL(hvr_unescape(s), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 test msg=50%", &rec, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "msg"));
}

static void test_hvr_garbage(void)
{
	static struct hvr_record rec;
	struct certify_err err;
	uint64_t v;

	CU_ASSERT_EQUAL(hvr_parse_str("hello world", &rec, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an HVR1 line"));
	CU_ASSERT_EQUAL(hvr_parse_str("HVR2 pci slot=x", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 ", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 Pci slot=x", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 pci novalue", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 pci Key=1", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 pci =1", &rec, &err), -1);
	CU_ASSERT_EQUAL(hvr_parse(("HVR1 pci a=\0b"), 13, &rec, &err), -1);
	/* Hex values are written without 0x; signs are not numbers. */
	CU_ASSERT_EQUAL(hvr_parse_str("HVR1 pci vid=0x8086 n=-1 m=12x", &rec, &err), 0);
	CU_ASSERT_EQUAL(hvr_get_hex(&rec, "vid", &v), -1);
	CU_ASSERT_EQUAL(hvr_get_u64(&rec, "n", &v), -1);
	CU_ASSERT_EQUAL(hvr_get_u64(&rec, "m", &v), -1);
}

/* Collects the lines a splitter hands out. */
struct split_log {
	char line[8][64];
	size_t len[8];
	int toolong[8];
	int n;
};

static void split_collect(void *ctx, const char *line, size_t len, int toolong)
{
	struct split_log *l = ctx;

	if (l->n < 8) {
		snprintf(l->line[l->n], sizeof(l->line[0]), "%.60s", line);
		l->len[l->n] = len;
		l->toolong[l->n] = toolong;
	}
	l->n++;
}

static void test_hvr_split_partial(void)
{
	static struct hvr_splitter sp;
	struct split_log l = { .n = 0 };

	memset(&sp, 0, sizeof(sp));
	hvr_splitter_feed(&sp, "HVR1 rea", 8, split_collect, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	hvr_splitter_feed(&sp, "dy us=1\r\nHVR1 e", 15, split_collect, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_STRING_EQUAL(l.line[0], "HVR1 ready us=1");
	hvr_splitter_feed(&sp, "nd\n\n", 4, split_collect, &l);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_STRING_EQUAL(l.line[1], "HVR1 end");
	CU_ASSERT_EQUAL(l.len[2], 0);
	hvr_splitter_feed(&sp, "tail", 4, split_collect, &l);
	CU_ASSERT_EQUAL(hvr_splitter_flush(&sp, split_collect, &l), 4);
	CU_ASSERT_STRING_EQUAL(l.line[3], "tail");
}

static void test_hvr_split_long(void)
{
	static struct hvr_splitter sp;
	static char big[HVR_MAX_LINE * 2 + 16];
	struct split_log l = { .n = 0 };

	memset(&sp, 0, sizeof(sp));
	memset(big, 'A', sizeof(big));
	hvr_splitter_feed(&sp, big, sizeof(big), split_collect, &l);
	hvr_splitter_feed(&sp, "\nHVR1 ok\n", 9, split_collect, &l);
	CU_ASSERT_EQUAL(l.n, 2);		/* one too-long report, then the next line */
	CU_ASSERT_EQUAL(l.toolong[0], 1);
	CU_ASSERT_EQUAL(l.len[0], HVR_MAX_LINE);
	CU_ASSERT_EQUAL(l.toolong[1], 0);
	CU_ASSERT_STRING_EQUAL(l.line[1], "HVR1 ok");
	/* A line of exactly the maximum is fine. */
	l.n = 0;
	hvr_splitter_feed(&sp, big, HVR_MAX_LINE, split_collect, &l);
	hvr_splitter_feed(&sp, "\n", 1, split_collect, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.toolong[0], 0);
}

static void run_add(struct hvr_run *run, const char *line)
{
	static struct hvr_record rec;
	struct certify_err err;

	CU_ASSERT_EQUAL_FATAL(hvr_parse_str(line, &rec, &err), 0);
	hvr_run_add(run, &rec, 1.5);
}

static void test_hvr_run_state(void)
{
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 hello release=0.1.0 arch=x86_64 machine=q35 cmdline=a%20b tsc_khz=2600000");
	run_add(&run, "HVR1 pci slot=0000:01:00.0 vid=8086 did=10d3 svid=8086 ssid=0000 class=020000 rev=00 hdr=00 driver=e1000e");
	run_add(&run, "HVR1 pci slot=0000:00:1f.0 vid=8086 did=2918 svid=1af4 ssid=1100 class=060100 rev=02 hdr=00 driver=-");
	run_add(&run, "HVR1 ready us=2345 devices=2 bound=1");
	run_add(&run, "HVR1 metric test=net.tx name=pps value=1000 unit=pkt/s");
	run_add(&run, "HVR1 metric test=net.tx name=p99 value=12 unit=us");
	run_add(&run, "HVR1 test suite=net name=tx status=pass us=10 msg=-");
	run_add(&run, "HVR1 test suite=net name=rx status=error us=3 msg=no%20link");
	run_add(&run, "HVR1 unknown a=b");
	run_add(&run, "HVR1 end passed=1 failed=0 skipped=0 errors=1 status=error");
	CU_ASSERT(run.has_hello && run.has_ready && run.has_end && !run.has_panic);
	CU_ASSERT_STRING_EQUAL(run.release, "0.1.0");
	CU_ASSERT_EQUAL(run.tsc_khz, 2600000);
	CU_ASSERT_EQUAL(run.npci, 2);
	CU_ASSERT_EQUAL(run.pci[0].bus, 1);
	CU_ASSERT_EQUAL(run.pci[0].did, 0x10d3);
	CU_ASSERT_EQUAL(run.pci[1].dev, 0x1f);
	CU_ASSERT_EQUAL(run.pci[1].class, 0x060100);
	CU_ASSERT_EQUAL(run.pci[1].rev, 2);
	CU_ASSERT_STRING_EQUAL(run.pci[0].driver, "e1000e");
	CU_ASSERT_EQUAL(run.ready_us, 2345);
	CU_ASSERT_EQUAL(run.ready_s, 1.5);
	CU_ASSERT_EQUAL(run.ntest, 2);
	CU_ASSERT_EQUAL(run.test[0].nmetric, 2);
	CU_ASSERT_STRING_EQUAL(run.test[0].metric[1].name, "p99");
	CU_ASSERT_EQUAL(run.test[1].nmetric, 0);
	CU_ASSERT_EQUAL(run.test[1].status, HVR_ERROR);
	CU_ASSERT_STRING_EQUAL(run.test[1].msg, "no link");
	CU_ASSERT_EQUAL(run.end_errors, 1);
	CU_ASSERT_EQUAL(run.nrecords, 10);
	CU_ASSERT_EQUAL(run.nerrors, 0);
	hvr_run_free(&run);
}

static void test_hvr_run_errors(void)
{
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 pci slot=00:03.0 vid=8086 did=100e svid=0 ssid=0 class=020000 rev=0 hdr=0");
	run_add(&run, "HVR1 pci slot=0000:00:03.0 vid=8086 svid=0 ssid=0 class=020000 rev=0 hdr=0");
	run_add(&run, "HVR1 test suite=a name=b status=maybe");
	run_add(&run, "HVR1 metric test=a.x name=n value=1 unit=u");
	run_add(&run, "HVR1 test suite=a name=y status=pass");
	CU_ASSERT_EQUAL(run.npci, 0);
	CU_ASSERT_EQUAL(run.ntest, 1);
	CU_ASSERT_EQUAL(run.nerrors, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[0], "bad slot"));
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[1], "'did'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[3], "precede test 'a.y'"));
	hvr_run_free(&run);
}

/* The end record must sum up the test records; after it nothing may follow. */
static void test_hvr_run_end_checks(void)
{
	static const struct {
		const char *end;
		int ok;
	} cases[] = {
		{ "HVR1 end passed=2 failed=1 skipped=1 errors=0 status=fail", 1 },
		{ "HVR1 end passed=3 failed=1 skipped=1 errors=0 status=fail", 0 },	/* one pass too many */
		{ "HVR1 end passed=2 failed=0 skipped=1 errors=0 status=pass", 0 },	/* a failure hidden */
		{ "HVR1 end passed=2 failed=1 skipped=0 errors=0 status=fail", 0 },	/* a skip hidden */
		{ "HVR1 end passed=2 failed=1 skipped=1 errors=0 status=pass", 0 },	/* status lies */
		{ "HVR1 end passed=2 failed=1 skipped=1 errors=1 status=error", 1 },	/* a bad selection */
		{ "HVR1 end passed=2 failed=1 skipped=1 errors=1 status=fail", 0 },
		{ "HVR1 end passed=2 failed=1 skipped=1 errors=0 status=policy", 0 },
	};
	struct hvr_run run;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&run, 0, sizeof(run));
		run_add(&run, "HVR1 hello release=0.1.0");
		run_add(&run, "HVR1 test suite=a name=p1 status=pass");
		run_add(&run, "HVR1 test suite=a name=p2 status=pass");
		run_add(&run, "HVR1 test suite=a name=f status=fail");
		run_add(&run, "HVR1 test suite=a name=s status=skip");
		run_add(&run, cases[i].end);
		CU_ASSERT_EQUAL(run.nerrors == 0, cases[i].ok);
		hvr_run_free(&run);
	}
	/* The policy's refusal: no tests, status policy. */
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=policy");
	CU_ASSERT_EQUAL(run.nerrors, 0);
	hvr_run_free(&run);
	/* Records after end, a second end and a second hello are protocol errors. */
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 hello release=0.1.0");
	run_add(&run, "HVR1 hello release=0.1.0");
	CU_ASSERT_EQUAL(run.nerrors, 1);
	run_add(&run, "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_EQUAL(run.nerrors, 1);
	run_add(&run, "HVR1 test suite=a name=late status=pass");
	CU_ASSERT_EQUAL(run.nerrors, 2);
	CU_ASSERT_EQUAL(run.ntest, 0);
	run_add(&run, "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_EQUAL(run.nerrors, 3);
	hvr_run_free(&run);
}

/* The selection: announced before the first test, and at end every selected test reported
 * exactly once and nothing else. */
static void test_hvr_run_selected(void)
{
	static const struct {
		const char *tests[3];
		const char *error;		/* NULL: the end is accepted */
	} cases[] = {
		{ { "a.p", "b.q", NULL }, NULL },
		{ { "b.q", "a.p", NULL }, NULL },					/* any order */
		{ { "a.p", NULL }, "selected test b.q has no test record" },
		{ { "a.p", "b.q", "a.z" }, "test a.z reported, but it was not selected" },
		{ { "a.p", "a.p", "b.q" }, "test a.p reported twice" },
	};
	struct hvr_run run;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[128];
		size_t n = 0;

		memset(&run, 0, sizeof(run));
		run_add(&run, "HVR1 selected tests=a.p");
		run_add(&run, "HVR1 selected tests=b.q");	/* a long list, split */
		for (; n < 3 && cases[i].tests[n]; n++) {
			snprintf(line, sizeof(line), "HVR1 test suite=%.1s name=%s status=pass",
				 cases[i].tests[n], cases[i].tests[n] + 2);
			run_add(&run, line);
		}
		snprintf(line, sizeof(line), "HVR1 end passed=%zu failed=0 skipped=0 errors=0 status=pass", n);
		run_add(&run, line);
		CU_ASSERT(run.has_selected);
		CU_ASSERT_EQUAL(run.nselected, 2);
		if (cases[i].error) {
			CU_ASSERT_EQUAL(run.nerrors, 1);
			CU_ASSERT_STRING_EQUAL(run.error[0], cases[i].error);
		} else {
			CU_ASSERT_EQUAL(run.nerrors, 0);
		}
		hvr_run_free(&run);
	}
	/* An empty selection is a selection (the judge refuses it); malformed names, a name
	 * twice and a selection after the first test are protocol errors. */
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 selected tests=");
	run_add(&run, "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT(run.has_selected && run.nselected == 0 && run.nerrors == 0);
	hvr_run_free(&run);
	static const char *const bad[] = {
		"HVR1 selected", "HVR1 selected tests=nodot", "HVR1 selected tests=.x",
		"HVR1 selected tests=x.", "HVR1 selected tests=a.b,,c.d", "HVR1 selected tests=A.b",
		"HVR1 selected tests=a.b%20c",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&run, 0, sizeof(run));
		run_add(&run, bad[i]);
		CU_ASSERT_EQUAL(run.nerrors, 1);
		hvr_run_free(&run);
	}
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 selected tests=a.b,c.d,a.b");
	run_add(&run, "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_STRING_EQUAL(run.error[0], "selected test a.b named twice");
	hvr_run_free(&run);
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 selected tests=a.b");
	run_add(&run, "HVR1 test suite=a name=b status=pass");
	run_add(&run, "HVR1 selected tests=c.d");
	CU_ASSERT_STRING_EQUAL(run.error[0], "a selected record after test records");
	CU_ASSERT_EQUAL(run.nselected, 1);
	hvr_run_free(&run);
	/* Without a selection (a VM run) the end is checked by its counts alone. */
	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 test suite=vm name=g1 status=pass");
	run_add(&run, "HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_EQUAL(run.nerrors, 0);
	hvr_run_free(&run);
	/* A selection is bounded like the test records. */
	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i <= HVR_MAX_TESTS / 100; i++) {
		char line[1400];
		size_t len = (size_t)snprintf(line, sizeof(line), "HVR1 selected tests=");

		for (unsigned k = 0; k < 100; k++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%ss.t%u", k ? "," : "",
						i * 100 + k);
		run_add(&run, line);
	}
	CU_ASSERT(run.flooded);
	CU_ASSERT_EQUAL(run.nselected, HVR_MAX_TESTS);
	CU_ASSERT_STRING_EQUAL(run.error[0], "flood: more than 16384 selected test records");
	hvr_run_free(&run);
}

/* A kernel writing records without end is stopped at the limits, with one error. */
/* A kernel that stops inside a test (hang, panic): the test it was in gets the blame, with
 * the metrics it wrote; none when it reported an end, or without a selection. */
static void test_hvr_run_blame(void)
{
	static struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 hello release=1");
	run_add(&run, "HVR1 selected tests=nic.integrity,nic.attach,nic.linkflap");
	run_add(&run, "HVR1 test suite=nic name=integrity status=pass");
	run_add(&run, "HVR1 metric test=nic.attach name=rounds value=3 unit=count");
	CU_ASSERT_STRING_EQUAL(hvr_run_unfinished(&run), "nic.attach");
	CU_ASSERT_EQUAL(hvr_run_blame(&run, "hung", 9.5), 0);
	CU_ASSERT_EQUAL(run.ntest, 2);
	CU_ASSERT_STRING_EQUAL(run.test[1].suite, "nic");
	CU_ASSERT_STRING_EQUAL(run.test[1].name, "attach");
	CU_ASSERT_EQUAL(run.test[1].status, HVR_FAIL);
	CU_ASSERT_STRING_EQUAL(run.test[1].msg, "hung");
	CU_ASSERT_EQUAL(run.test[1].nmetric, 1);
	CU_ASSERT_EQUAL(run.npending, 0);
	CU_ASSERT_STRING_EQUAL(hvr_run_unfinished(&run), "nic.linkflap");
	hvr_run_free(&run);

	run_add(&run, "HVR1 hello release=1");
	run_add(&run, "HVR1 test suite=nic name=integrity status=pass");
	CU_ASSERT_PTR_NULL(hvr_run_unfinished(&run));	/* no selection: nothing to name */
	CU_ASSERT_EQUAL(hvr_run_blame(&run, "hung", 1), -1);
	CU_ASSERT_EQUAL(run.ntest, 1);
	hvr_run_free(&run);

	run_add(&run, "HVR1 hello release=1");
	run_add(&run, "HVR1 selected tests=a.b");
	run_add(&run, "HVR1 test suite=a name=b status=pass");
	run_add(&run, "HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass");
	CU_ASSERT_EQUAL(hvr_run_blame(&run, "hung", 1), -1);
	hvr_run_free(&run);
}

static void test_hvr_run_flood(void)
{
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i < HVR_MAX_TESTS + 10; i++)
		run_add(&run, "HVR1 test suite=f name=x status=pass");
	CU_ASSERT_EQUAL(run.ntest, HVR_MAX_TESTS);
	CU_ASSERT(run.flooded);
	CU_ASSERT_EQUAL(run.nerrors, 1);	/* said once */
	CU_ASSERT_STRING_EQUAL(run.error[0], "flood: more than 16384 test records");
	hvr_run_free(&run);
	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i < HVR_MAX_METRICS + 1; i++)
		run_add(&run, "HVR1 metric test=f.x name=n value=1 unit=u");
	CU_ASSERT(run.flooded);
	CU_ASSERT_EQUAL(run.npending, HVR_MAX_METRICS);
	hvr_run_free(&run);
	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i < HVR_MAX_RECORDS + 1; i++)
		run_add(&run, "HVR1 sync point=p");
	CU_ASSERT(run.flooded);
	CU_ASSERT_STRING_EQUAL(run.error[0], "flood: more than 262144 records");
	hvr_run_free(&run);
}

/* The verifier's `violation` records (docs/result-channel.md): fields parsed, hex keys,
 * optional keys defaulted, malformed ones refused as protocol errors. */
static void test_hvr_run_violation(void)
{
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 violation kind=use_after_free module=e1000 site=ffff1234 off=1a2b "
		"addr=7f000 size=2048 dev=0000:00:03.0 test=nic.attach msg=written%20after%20free");
	run_add(&run, "HVR1 violation kind=leak module=kernel site=10abc off=10abc");
	CU_ASSERT_EQUAL_FATAL(run.nviolation, 2);
	CU_ASSERT_EQUAL(run.nerrors, 0);
	CU_ASSERT_STRING_EQUAL(run.violation[0].kind, "use_after_free");
	CU_ASSERT_STRING_EQUAL(run.violation[0].module, "e1000");
	CU_ASSERT_EQUAL(run.violation[0].site, 0xffff1234);
	CU_ASSERT_EQUAL(run.violation[0].off, 0x1a2b);
	CU_ASSERT_EQUAL(run.violation[0].addr, 0x7f000);
	CU_ASSERT_EQUAL(run.violation[0].size, 2048);
	CU_ASSERT_STRING_EQUAL(run.violation[0].dev, "0000:00:03.0");
	CU_ASSERT_STRING_EQUAL(run.violation[0].test, "nic.attach");
	CU_ASSERT_STRING_EQUAL(run.violation[0].msg, "written after free");
	CU_ASSERT_STRING_EQUAL(run.violation[1].dev, "-");
	CU_ASSERT_STRING_EQUAL(run.violation[1].test, "-");
	CU_ASSERT_EQUAL(run.violation[1].addr, 0);
	/* Missing kind, a kind that is not a word, a decimal-looking 0x site, no off, bad size. */
	run_add(&run, "HVR1 violation module=e1000 site=1 off=1");
	run_add(&run, "HVR1 violation kind=Use-After module=e1000 site=1 off=1");
	run_add(&run, "HVR1 violation kind=leak module=e1000 site=0x1 off=1");
	run_add(&run, "HVR1 violation kind=leak module=e1000 site=1");
	run_add(&run, "HVR1 violation kind=leak module=e1000 site=1 off=1 size=-3");
	CU_ASSERT_EQUAL(run.nviolation, 2);
	CU_ASSERT_EQUAL(run.nerrors, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[0], "violation record"));
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[3], "needs kind"));
	hvr_run_free(&run);
	/* A kernel that floods violations stops at the limit. */
	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i < HVR_MAX_VIOLATIONS + 1; i++)
		run_add(&run, "HVR1 violation kind=leak module=m site=1 off=1");
	CU_ASSERT(run.flooded);
	CU_ASSERT_EQUAL(run.nviolation, HVR_MAX_VIOLATIONS);
	hvr_run_free(&run);
}

/* The boot breakdown's `phase` and `bind` records: counters parsed, absent ones 0, a record
 * without its name or time refused. */
static void test_hvr_run_costs(void)
{
	struct hvr_run run;

	memset(&run, 0, sizeof(run));
	run_add(&run, "HVR1 phase name=memory us=54596 dus=6875 pio=372 mmio=3 other=1 con=186");
	run_add(&run, "HVR1 phase name=old us=70");
	run_add(&run, "HVR1 bind slot=0000:00:07.0 driver=nvme status=bound dus=19572 pio=870 "
		"mmio=151 other=2 con=414");
	CU_ASSERT_EQUAL(run.nerrors, 0);
	CU_ASSERT_EQUAL_FATAL(run.nphase, 2);
	CU_ASSERT_EQUAL_FATAL(run.nbind, 1);
	CU_ASSERT_STRING_EQUAL(run.phase[0].name, "memory");
	CU_ASSERT_EQUAL(run.phase[0].us, 54596);
	CU_ASSERT_EQUAL(run.phase[0].dus, 6875);
	CU_ASSERT_EQUAL(run.phase[0].pio, 372);
	CU_ASSERT_EQUAL(run.phase[0].mmio, 3);
	CU_ASSERT_EQUAL(run.phase[0].other, 1);
	CU_ASSERT_EQUAL(run.phase[0].con, 186);
	CU_ASSERT_EQUAL(run.phase[1].us, 70);
	CU_ASSERT_EQUAL(run.phase[1].dus, 0);
	CU_ASSERT_STRING_EQUAL(run.bind[0].name, "0000:00:07.0");
	CU_ASSERT_STRING_EQUAL(run.bind[0].driver, "nvme");
	CU_ASSERT_EQUAL(run.bind[0].dus, 19572);
	CU_ASSERT_EQUAL(run.bind[0].pio, 870);
	CU_ASSERT_EQUAL(run.bind[0].mmio, 151);
	CU_ASSERT_EQUAL(run.bind[0].other, 2);
	CU_ASSERT_EQUAL(run.bind[0].con, 414);
	run_add(&run, "HVR1 phase us=1");
	run_add(&run, "HVR1 phase name=x");
	run_add(&run, "HVR1 bind slot=00:01.0 dus=1");
	run_add(&run, "HVR1 bind driver=e1000 dus=1");
	CU_ASSERT_EQUAL(run.nerrors, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[0], "phase record: needs name and us"));
	CU_ASSERT_PTR_NOT_NULL(strstr(run.error[3], "bind record: needs slot, driver and dus"));
	run_add(&run, "HVR1 bind slot=00:01.0 driver=e1000");
	CU_ASSERT_EQUAL(run.nerrors, 5);
	CU_ASSERT_EQUAL(run.nphase, 2);
	CU_ASSERT_EQUAL(run.nbind, 1);
	hvr_run_free(&run);
	memset(&run, 0, sizeof(run));
	for (unsigned i = 0; i < HVR_MAX_COSTS + 1; i++)
		run_add(&run, "HVR1 phase name=p us=1");
	CU_ASSERT(run.flooded);
	CU_ASSERT_EQUAL(run.nphase, HVR_MAX_COSTS);
	hvr_run_free(&run);
}

UNIT_SUITE(certify_hvr_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_hvr_parse_fields),
		UNIT_TEST(test_hvr_unescape),
		UNIT_TEST(test_hvr_garbage),
		UNIT_TEST(test_hvr_split_partial),
		UNIT_TEST(test_hvr_split_long),
		UNIT_TEST(test_hvr_run_state),
		UNIT_TEST(test_hvr_run_errors),
		UNIT_TEST(test_hvr_run_end_checks),
		UNIT_TEST(test_hvr_run_selected),
		UNIT_TEST(test_hvr_run_blame),
		UNIT_TEST(test_hvr_run_flood),
		UNIT_TEST(test_hvr_run_violation),
		UNIT_TEST(test_hvr_run_costs),
		UNIT_TEST_END
	};
	unit_add_suite("certify_hvr", NULL, NULL, tests);
}
