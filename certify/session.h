/* certify: one kernel run under QEMU, from spawn to verdict. */
#ifndef CERTIFY_SESSION_H
#define CERTIFY_SESSION_H

#include <stdio.h>

#include "hvr.h"
#include "hvrrun.h"
#include "outcome.h"
#include "qemu.h"
#include "qmp.h"
#include "serialline.h"

struct certify_session;

/*
 * Called for every well-formed result-channel record, after it was folded into the
 * run state. host_s is seconds since QEMU was spawned. On a `sync` record the
 * callback may use certify_session_qmp() and must answer with certify_session_go()
 * (unless opts.auto_go answers for it). Return 0, or -1 to stop the run as a
 * harness error (set the reason with certify_session_abort()).
 */
typedef int (*certify_record_fn)(struct certify_session *s, const struct hvr_record *rec,
				 double host_s, void *ctx);

struct certify_session_opts {
	struct qemu_config qemu;	/* includes the timeout */
	const char *log_path;		/* COM1 log appended here; NULL: none */
	FILE *echo;			/* COM1 echoed live here; NULL: not */
	certify_record_fn on_record;	/* may be NULL */
	/* Called once QEMU has exited (and was reaped), before the scratch disks are removed:
	 * certify_session_disk_path still works, so the images can be read as QEMU left them.
	 * May be NULL. */
	void (*on_exit)(struct certify_session *s, void *ctx);
	void *ctx;
	int auto_go;			/* answer every unanswered sync with "go P" */
	const char *elf;		/* symbolize a panic backtrace with this ELF; NULL: no */
	double end_grace_s;		/* how long QEMU may take to exit after `end`; 0: 5 s */
	const int *keep_fds;		/* descriptors QEMU inherits (tap queues); may be NULL */
	unsigned nkeep_fds;
	/* A bare-metal target instead of QEMU (docs/certify.md, "Bare-metal target"): the
	 * session runs power_cycle (sh -c; may be NULL), opens the serial line, types
	 * qemu.append at the ISO's GRUB prompt and reads log and records from the one line
	 * (serialmux.h). qemu.timeout_s bounds the whole boot from the power cycle,
	 * boot_timeout_s (0: the same) the wait for GRUB. No QMP, no disks, no exit status. */
	const struct certify_serial_target *serial;
	const char *power_cycle;
	double boot_timeout_s;
};

struct certify_result {
	enum certify_outcome outcome;
	char reason[512];		/* one line */
	int exit_status;		/* QEMU's exit status, -1 when it did not exit by itself */
	enum qemu_accel accel;		/* what was used */
	double spawn_s;			/* CLOCK_MONOTONIC seconds at spawn */
	double duration_s;		/* spawn to QEMU exit */
	struct hvr_run run;		/* everything the kernel reported */
	char *com1_tail;		/* the last lines of the kernel log (malloc'ed, or NULL) */
	char *qemu_output;		/* QEMU's own stdout/stderr, trimmed (or NULL) */
	char *backtrace;		/* symbolized panic addresses (or NULL) */
};

/* Runs the kernel once. Always fills res (free it with certify_result_free). Returns 0, or -1 when QEMU could not run. */
int certify_session_run(const struct certify_session_opts *opts, struct certify_result *res);

void certify_result_free(struct certify_result *res);

/* The QMP connection of a running session, or NULL when QEMU has not connected. */
struct qmp *certify_session_qmp(struct certify_session *s);
/* Path of scratch disk `name` of this session (valid until the session ends). 0 or -1. */
int certify_session_disk_path(const struct certify_session *s, const char *name, char *out,
			      size_t outlen, struct certify_err *err);

/* Answers `sync point=P` with "go P". Returns 0 or -1. */
int certify_session_go(struct certify_session *s, const char *point);

/* The run state so far. */
const struct hvr_run *certify_session_state(const struct certify_session *s);

/* Stops the run after the callback returns, as a harness error with this reason. */
void certify_session_abort(struct certify_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns the last `lines` lines of text (malloc'ed). */
char *certify_tail_lines(const char *text, size_t len, int lines);

#endif
