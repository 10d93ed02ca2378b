/* certify: a QMP (QEMU Machine Protocol) client on a connected socket. */
#ifndef CERTIFY_QMP_H
#define CERTIFY_QMP_H

#include <json-c/json.h>

#include "err.h"

struct qmp;

/* Events kept unread at most: QEMU flooding its monitor with events costs the oldest ones,
 * never the host's memory. */
#define QMP_MAX_EVENTS	1024

/* Wraps a connected socket (taken over, closed by qmp_free). NULL when out of memory. */
struct qmp *qmp_new(int fd);
void qmp_free(struct qmp *q);

/* The socket, for poll(). */
int qmp_fd(const struct qmp *q);

/* Reads the greeting and negotiates capabilities. Returns 0 or -1 with a message. */
int qmp_handshake(struct qmp *q, double timeout_s, struct certify_err *err);

/*
 * Runs command `cmd` with `args` (a JSON object, consumed; NULL for none) and waits up
 * to timeout_s for its answer. On success *ret (when ret is not NULL) holds the
 * "return" value, which the caller releases with json_object_put. Events that arrive
 * meanwhile are queued. Returns 0, or -1 with QEMU's error class and description.
 */
int qmp_execute(struct qmp *q, const char *cmd, json_object *args, json_object **ret,
		double timeout_s, struct certify_err *err);

/* Reads whatever is available without blocking and queues events. Returns 0, or -1 on EOF or error. */
int qmp_pump(struct qmp *q, struct certify_err *err);

/* Takes the oldest queued event named `name` (NULL: any), or NULL. Release it with json_object_put. */
json_object *qmp_event_take(struct qmp *q, const char *name);

/* Waits up to timeout_s for an event named `name`. Returns 0 with *ev, or -1 with a message. */
int qmp_wait_event(struct qmp *q, const char *name, double timeout_s, json_object **ev,
		   struct certify_err *err);

#endif
