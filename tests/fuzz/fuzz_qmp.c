/*
 * libFuzzer target for the host's QMP client (certify/qmp.c): whatever QEMU's monitor says
 * (the input, read through a socket whose other end is closed after it), the greeting and a
 * command exchange end with an answer or a one-line error, never a crash, an overrun or a
 * hang; events are kept within their limit; the block statistics parser (blkstats.c) takes
 * any answer to query-blockstats apart or says in one line why not. Built and run by `make fuzz-qmp` and, for a
 * bounded time, by `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blkstats.h"
#include "qmp.h"

static void fuzz_expect_err(int rc, const struct certify_err *err)
{
	if (rc < 0 && (!err->msg[0] || strchr(err->msg, '\n')))
		abort();	/* a failure says why, in one line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certify_err err = { "" };
	json_object *ret = NULL, *ev;
	struct qmp *q;
	int sv[2], rc;

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	/* The whole answer is in the socket before the client reads; then QEMU "exits". */
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	q = qmp_new(sv[0]);
	if (!q)
		abort();
	rc = qmp_handshake(q, 0.5, &err);
	fuzz_expect_err(rc, &err);
	if (rc == 0) {
		rc = qmp_execute(q, "query-blockstats", NULL, &ret, 0.5, &err);
		fuzz_expect_err(rc, &err);
		if (rc == 0 && !ret)
			abort();	/* success always carries QEMU's "return" value */
		if (rc == 0) {
			struct certify_blkstats bs;
			struct certify_err e2 = { "" };

			fuzz_expect_err(certify_blkstats_parse(ret, "d0", &bs, &e2), &e2);
		}
		json_object_put(ret);
	}
	rc = qmp_pump(q, &err);
	fuzz_expect_err(rc, &err);
	for (size_t n = 0; (ev = qmp_event_take(q, NULL)) != NULL; n++) {
		if (n >= QMP_MAX_EVENTS)
			abort();	/* the event queue keeps its limit */
		json_object_put(ev);
	}
	qmp_free(q);
	close(sv[1]);
	return 0;
}
