/* certify: how a kernel run ended, from QEMU's exit status (docs/result-channel.md). */
#ifndef CERTIFY_OUTCOME_H
#define CERTIFY_OUTCOME_H

enum certify_outcome {
	CERTIFY_PASS,		/* HV_EXIT_PASS (QEMU exit 33): every test passed (or there were none) */
	CERTIFY_FAIL,		/* HV_EXIT_FAIL (35): at least one test failed */
	CERTIFY_ERROR,		/* HV_EXIT_ERROR (37): a test had an error, or the command line was bad */
	CERTIFY_POLICY,		/* HV_EXIT_POLICY (39): the hardware policy refused to boot */
	CERTIFY_PANIC,		/* HV_EXIT_PANIC (63): exception or failed assertion */
	CERTIFY_RESET,		/* HV_EXIT_QEMU_RESET (0): the guest reset itself (triple fault) */
	CERTIFY_TIMEOUT,	/* the run passed its deadline and was killed */
	CERTIFY_CRASH,		/* QEMU died by a signal, or exited with a code not in the table */
	CERTIFY_HARNESS,	/* the host side broke: QEMU did not start, bad arguments, ... */
	CERTIFY_INTERRUPTED,	/* the tool was interrupted (SIGINT/SIGTERM) */
};

/* Maps a wait status of QEMU. `reason` gets a one-line explanation. */
enum certify_outcome certify_outcome_from_status(int wstatus, char *reason, unsigned reasonlen);

/* "pass", "fail", "error", "policy", "panic", "reset", "timeout", "crash", "harness", "interrupted". */
const char *certify_outcome_name(enum certify_outcome o);

/* Parses an outcome name (as above). Returns 0 or -1. */
int certify_outcome_parse(const char *s, enum certify_outcome *out);

#endif
