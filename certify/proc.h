/* certify: spawn, time-limit and reap child processes (QEMU, addr2line). */
#ifndef CERTIFY_PROC_H
#define CERTIFY_PROC_H

#include <sys/types.h>

#include "err.h"

/*
 * A child runs in its own process group and dies with its parent (PR_SET_PDEATHSIG).
 * Every live child is in a process-wide registry; certify_proc_install_handlers()
 * makes SIGINT and SIGTERM kill all of them, so no child outlives the tool.
 */
struct certify_proc {
	pid_t pid;		/* 0 when not running */
	int status;		/* wait status once reaped */
	int reaped;
};

/* Installs the SIGINT/SIGTERM/SIGHUP handler that kills every registered child. */
void certify_proc_install_handlers(void);

/* The signal that interrupted the tool, or 0. */
int certify_proc_interrupted(void);

/*
 * Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout+stderr
 * appended to out_path (NULL: /dev/null). Returns 0, or -1 with a message naming
 * the program, also when exec fails.
 */
int certify_proc_spawn(struct certify_proc *p, char *const argv[], const char *out_path,
		       struct certify_err *err);
/*
 * The same, and the child keeps the nkeep descriptors in keep open across exec under their
 * own numbers (e.g. tap queue fds named in QEMU's `-netdev tap,fds=`). Every other
 * descriptor above 2 is closed at exec (also ones the tool inherited), so nothing leaks.
 */
int certify_proc_spawn_keep(struct certify_proc *p, char *const argv[], const char *out_path,
			    const int *keep, unsigned nkeep, struct certify_err *err);

/* Reaps the child if it has exited. Returns 1 when reaped, 0 when still running. */
int certify_proc_poll(struct certify_proc *p);

/* Waits up to timeout_s seconds. Returns 1 when reaped, 0 on timeout. */
int certify_proc_wait(struct certify_proc *p, double timeout_s);

/* Sends SIGTERM to the child's group, SIGKILL after grace_s seconds, and reaps it. */
void certify_proc_kill(struct certify_proc *p, double grace_s);

#endif
