/*
 * libFuzzer target for the host's reader of the result channel (certify/hvr.c, hvrrun.c):
 * whatever bytes a kernel writes on COM2, split, parsed and folded into a run as the
 * session does, must never crash or overrun the host (ASan, UBSan), must stay within the
 * run's limits, and must never leave a run that looks clean when it is not: an end record
 * accepted without a protocol error agrees with the test records. Built and run by `make fuzz-hvr` and, for a bounded time, by `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hvr.h"
#include "hvrrun.h"

struct fuzz_hvr {
	struct hvr_run run;
	struct hvr_record rec;
	size_t lines;
};

static void fuzz_line(void *ctx, const char *line, size_t len, int toolong)
{
	struct fuzz_hvr *f = ctx;
	struct certify_err err;

	f->lines++;
	if (toolong) {
		if (len != HVR_MAX_LINE)
			abort();	/* an over-long line is passed cut at the limit */
		hvr_run_error(&f->run, "too long");
		return;
	}
	if (memchr(line, '\n', len))
		abort();	/* the splitter never hands over a newline */
	if (hvr_parse(line, len, &f->rec, &err) < 0) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();	/* every refusal says why, in one line */
		hvr_run_error(&f->run, "result channel: %s", err.msg);
		return;
	}
	for (int i = 0; i < f->rec.nfields; i++)
		if (!f->rec.field[i].key[0] || strchr(f->rec.field[i].key, ' '))
			abort();	/* keys are non-empty words */
	hvr_run_add(&f->run, &f->rec, 0.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_hvr f;
	static struct hvr_splitter sp;
	uint64_t n[4] = { 0, 0, 0, 0 };

	memset(&f, 0, sizeof(f));
	memset(&sp, 0, sizeof(sp));
	/* Feed in two pieces, as a socket delivers, split where the first byte says. */
	size_t cut = size ? data[0] % (size + 1) : 0;
	hvr_splitter_feed(&sp, (const char *)data, cut, fuzz_line, &f);
	hvr_splitter_feed(&sp, (const char *)data + cut, size - cut, fuzz_line, &f);
	hvr_splitter_flush(&sp, fuzz_line, &f);
	if (f.run.ntest > HVR_MAX_TESTS || f.run.npci > HVR_MAX_PCI ||
	    f.run.nmodule > HVR_MAX_MODULES || f.run.npending > HVR_MAX_METRICS ||
	    f.run.nrecords > HVR_MAX_RECORDS + 1 || f.run.nselected > HVR_MAX_TESTS)
		abort();	/* the limits hold */
	for (size_t i = 0; i < f.run.ntest; i++) {
		if (f.run.test[i].status > HVR_ERROR || f.run.test[i].nmetric > HVR_MAX_METRICS)
			abort();
		n[f.run.test[i].status]++;
	}
	/* An end record the run accepted without complaint sums up the test records it had. */
	if (f.run.has_end && !f.run.nerrors &&
	    (n[HVR_PASS] != f.run.end_passed || n[HVR_FAIL] != f.run.end_failed ||
	     n[HVR_SKIP] != f.run.end_skipped))
		abort();
	/* ... and, with a selection, has exactly one test record per selected test. */
	if (f.run.has_end && !f.run.nerrors && f.run.has_selected && f.run.ntest != f.run.nselected)
		abort();
	hvr_run_free(&f.run);
	return 0;
}
