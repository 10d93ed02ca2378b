/* certify: map QEMU's exit status to the outcome of a run. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "outcome.h"

static const char *const certify_outcome_names[] = {
	"pass", "fail", "error", "policy", "panic", "reset", "timeout", "crash", "harness",
	"interrupted",
};

enum certify_outcome certify_outcome_from_status(int wstatus, char *reason, unsigned reasonlen)
{
	static const struct { int code; enum certify_outcome o; const char *what; } map[] = {
		{ 33, CERTIFY_PASS, "every test passed" },
		{ 35, CERTIFY_FAIL, "at least one test failed" },
		{ 37, CERTIFY_ERROR, "a test had an error or the command line was bad" },
		{ 39, CERTIFY_POLICY, "the hardware policy refused to boot" },
		{ 63, CERTIFY_PANIC, "kernel panic" },
		{ 0, CERTIFY_RESET, "the guest reset itself (triple fault?)" },
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
