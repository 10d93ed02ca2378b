/* certify: what one kernel run reported on the result channel. */
#ifndef CERTIFY_HVRRUN_H
#define CERTIFY_HVRRUN_H

#include <stddef.h>
#include <stdint.h>

#include "hvr.h"
#include "violation.h"

/* What one run may report before the host calls it a flood: a kernel that writes without
 * end must give an error verdict, not exhaust the host's memory. The limits are far above
 * anything the suites write (a full plan reports a few hundred tests and metrics). */
#define HVR_MAX_RECORDS		262144
#define HVR_MAX_TESTS		16384
#define HVR_MAX_METRICS		1024	/* per test */
#define HVR_MAX_PCI		4096
#define HVR_MAX_MODULES		1024
#define HVR_MAX_VIOLATIONS	1024	/* the kernel writes at most 256 */
#define HVR_MAX_DRVFAIL		4096
#define HVR_MAX_COSTS		4096	/* phase and bind records, each */
#define HVR_TEST_ID		113	/* "suite.name" with its NUL: 47 + 1 + 63 + 1, rounded */

struct hvr_pci {
	char slot[16];		/* SSSS:BB:DD.F */
	unsigned seg, bus, dev, fn;
	uint16_t vid, did, svid, ssid;
	uint32_t class;		/* base, sub, prog-if */
	uint8_t rev, hdr;
	char driver[48];	/* "-" when unbound */
	char failed[48];	/* the driver that was contained here, or "" */
};

/* A contained driver (docs/result-channel.md, `drvfail`): its probe or remove was
 * abandoned and the device turned off. */
struct hvr_drvfail {
	char module[32], driver[48], slot[16];
	uint16_t vid, did;
	char op[16];		/* probe | remove */
	char reason[16];	/* timeout | fault */
	char via[48];		/* timer | nmi | the exception ("#PF page fault") */
	char place[96];		/* "edu_probe+0x1f0", or a hex address */
	char reset[8];		/* off | flr */
	uint64_t rip, addr, us;
};

struct hvr_metric {
	char name[48];
	char value[32];
	char unit[16];
};

/* One boot phase (`phase`) or one driver's probe at boot (`bind`): what it cost
 * (docs/result-channel.md). A phase has no slot or driver; counters the kernel did not
 * write are 0. */
struct hvr_cost {
	char name[48];		/* phase name, or the slot of a bind */
	char driver[32];	/* the driver of a bind; "" for a phase */
	uint64_t us;		/* a phase: when it ended; a bind: 0 */
	uint64_t dus, pio, mmio, other, con;
};

/* One boot module (docs/result-channel.md, `module`). */
struct hvr_module {
	char file[64];		/* last path component of the boot module */
	char name[32], version[32], vendor[64];	/* "-" when unreadable */
	char sha256[65];	/* hex */
	char status[16];	/* loaded | skipped | refused | failed */
	char reason[256];	/* "" when loaded */
	uint64_t size, us;	/* bytes; microseconds the load took */
};

enum hvr_status { HVR_PASS, HVR_FAIL, HVR_SKIP, HVR_ERROR };

struct hvr_test {
	char suite[48], name[64];
	enum hvr_status status;
	uint64_t us;
	char msg[256];
	struct hvr_metric *metric;
	size_t nmetric;
	double host_s;		/* host time of the record, seconds since spawn */
};

/* Every record seen, folded into one state. Time stamps are host seconds since spawn. */
struct hvr_run {
	int has_hello;
	char release[48], arch[16], machine[48];
	uint64_t tsc_khz;
	double hello_s;

	int has_ready;
	uint64_t ready_us, ready_devices, ready_bound;
	double ready_s;

	struct hvr_pci *pci;
	size_t npci;
	struct hvr_module *module;
	size_t nmodule;
	struct hvr_drvfail *drvfail;
	size_t ndrvfail;
	struct hvr_cost *phase, *bind;
	size_t nphase, nbind;
	struct hvr_test *test;
	size_t ntest;
	/* The tests the kernel said it would run (`selected` records, before any test), in
	 * order, as "suite.name"; at most HVR_MAX_TESTS. */
	int has_selected;
	char (*selected)[HVR_TEST_ID];
	size_t nselected;
	struct hvr_metric *pending;	/* metric lines waiting for their test line */
	char pending_test[128];
	size_t npending;

	/* `violation` records of the verifier, in order (verifier=1). */
	struct certify_violation *violation;
	size_t nviolation;

	int has_panic;
	char panic_msg[256];
	uint64_t panic_vector, panic_rip;
	double panic_s;

	int has_end;
	uint64_t end_passed, end_failed, end_skipped, end_errors;
	char end_status[16];
	double end_s;

	size_t nrecords;
	int flooded;		/* a limit above was passed: the run is an error */
	size_t nerrors;		/* protocol errors; the first few are kept */
	char error[4][200];
};

/* Folds one record in. Unknown records and keys are ignored. Returns 0 or -1 (protocol error,
 * recorded). Besides malformed records, protocol errors are: a second `hello` or `end`, any
 * record after `end`, a `selected` record after a test record or naming a test twice, an
 * `end` when a selected test has no test record (or a test record was not selected, or came
 * twice), and passing one of the HVR_MAX_* limits (then `flooded` is set too). */
int hvr_run_add(struct hvr_run *run, const struct hvr_record *rec, double host_s);

/* Records a protocol error (garbage line, malformed record). */
void hvr_run_error(struct hvr_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The test a run stopped in: the first selected test without a test record (the kernel
 * runs its tests in the order it announced them), or NULL when the run has an end record,
 * no selection, or every selected test reported. */
const char *hvr_run_unfinished(const struct hvr_run *run);

/* For a kernel that stopped inside a test (hung, panicked, reset itself): adds a `fail`
 * record for hvr_run_unfinished()'s test, written by the host, with msg saying how it
 * stopped, so the verdict names the test. 0, or -1 when there is no such test or the
 * channel had protocol errors (its records are not believed). */
int hvr_run_blame(struct hvr_run *run, const char *msg, double host_s);

/* Frees what the run holds; it is zeroed afterwards. */
void hvr_run_free(struct hvr_run *run);

const char *hvr_status_name(enum hvr_status s);

/* The drvfail record of the function at slot ("00:04.0" or "0000:00:04.0"), or NULL. */
const struct hvr_drvfail *hvr_run_drvfail(const struct hvr_run *run, const char *slot);

/* 1 when slot ("BB:DD.F" or "SSSS:BB:DD.F") names the function full ("SSSS:BB:DD.F"). */
int hvr_slot_is(const char *full, const char *slot);

/* The last module record whose file is `file` (a basename), or NULL. */
const struct hvr_module *hvr_run_module(const struct hvr_run *run, const char *file);

#endif
