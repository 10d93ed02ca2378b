/* certify: a session's state, shared by the QEMU session (session.c) and the bare-metal
 * target's (session_serial.c). Private to libcertify. */
#ifndef CERTIFY_SESSION_PRIV_H
#define CERTIFY_SESSION_PRIV_H

#include "proc.h"
#include "session.h"

#define SESSION_TAIL_MAX	(64 * 1024)	/* bytes of COM1 kept for the log tail */
#define SESSION_TAIL_LINES	40
#define SESSION_QMP_TIMEOUT	5.0

enum { CH_COM1, CH_COM2, CH_QMP, CH_N };	/* on a serial target the line is CH_COM2's */

struct certify_session {
	const struct certify_session_opts *o;
	struct certify_result *res;
	char dir[200];
	char path[CH_N][256];
	char out_path[256];
	int lfd[CH_N];			/* listening sockets */
	int cfd[CH_N];			/* accepted connections (QMP's is owned by qmp) */
	struct qmp *qmp;
	struct certify_proc proc;
	struct hvr_splitter split;
	FILE *log;
	char *tail;
	size_t tail_len;
	int answered;			/* the last sync was answered */
	int aborted;
	char abort_reason[400];
	double end_deadline;		/* set by `end`/`panic`: QEMU should exit by then */
};

/* COM1 bytes: the log file, the echo and the tail. */
void certify_session_com1(struct certify_session *s, const char *buf, size_t n);
/* One result-channel line ("HVR1 ...", no newline): parsed and folded into the run. */
void certify_session_line(void *ctx, const char *line, size_t len, int toolong);
/* The first max bytes of a file (malloc'ed), or NULL. */
char *certify_session_slurp(const char *path, size_t max);
/* Runs the session on a bare-metal target (opts->serial): power cycle, GRUB, the line. */
void certify_session_serial(struct certify_session *s);

#endif
