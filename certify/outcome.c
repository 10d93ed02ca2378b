/* certify: map QEMU's exit status to the outcome of a run. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <lib/hvexit.h>

#include "outcome.h"

static const char *const certify_outcome_names[] = {
	"pass", "fail", "error", "policy", "panic", "reset", "timeout", "crash", "harness",
	"interrupted",
};

enum certify_outcome certify_outcome_from_status(int wstatus, char *reason, unsigned reasonlen)
{
	static const struct { int code; enum certify_outcome o; const char *what; } map[] = {
		{ HV_EXIT_QEMU_STATUS(HV_EXIT_PASS), CERTIFY_PASS, "every test passed" },
		{ HV_EXIT_QEMU_STATUS(HV_EXIT_FAIL), CERTIFY_FAIL, "at least one test failed" },
		{ HV_EXIT_QEMU_STATUS(HV_EXIT_ERROR), CERTIFY_ERROR,
		  "a test had an error or the command line was bad" },
		{ HV_EXIT_QEMU_STATUS(HV_EXIT_POLICY), CERTIFY_POLICY, "the hardware policy refused to boot" },
		{ HV_EXIT_QEMU_STATUS(HV_EXIT_PANIC), CERTIFY_PANIC, "kernel panic" },
		{ HV_EXIT_QEMU_RESET, CERTIFY_RESET, "the guest reset itself (triple fault?)" },
	};
	int code;

	if (WIFSIGNALED(wstatus)) {
		snprintf(reason, reasonlen, "QEMU killed by signal %d (%s)", WTERMSIG(wstatus),
			 strsignal(WTERMSIG(wstatus)));
		return CERTIFY_CRASH;
	}
	code = WEXITSTATUS(wstatus);
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].code == code) {
			snprintf(reason, reasonlen, "exit %d: %s", code, map[i].what);
			return map[i].o;
		}
	}
	if (code == 1)
		snprintf(reason, reasonlen, "QEMU exited with status 1 (QEMU error)");
	else
		snprintf(reason, reasonlen, "QEMU exited with status %d, not in the exit-code table", code);
	return CERTIFY_CRASH;
}

const char *certify_outcome_name(enum certify_outcome o)
{
	return certify_outcome_names[o];
}

int certify_outcome_parse(const char *s, enum certify_outcome *out)
{
	for (unsigned i = 0; i < sizeof(certify_outcome_names) / sizeof(char *); i++) {
		if (strcmp(s, certify_outcome_names[i]) == 0) {
			*out = (enum certify_outcome)i;
			return 0;
		}
	}
	return -1;
}
