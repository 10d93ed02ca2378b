/* certify: a QMP client. QEMU writes one JSON object per line. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp.h"

#define QMP_MAX_MSG (16 << 20)

struct qmp {
	int fd;
	char *buf;
	size_t len, cap;
	json_object **event;
	size_t nevent, capevent;
	unsigned next_id;
	int eof;
};

struct qmp *qmp_new(int fd)
{
	struct qmp *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return q;
}

void qmp_free(struct qmp *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nevent; i++)
		json_object_put(q->event[i]);
	free(q->event);
	free(q->buf);
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}

int qmp_fd(const struct qmp *q)
{
	return q->fd;
}

/* Reads available bytes into the buffer. Returns bytes read, 0 when none, -1 on EOF/error. */
static int qmp_fill(struct qmp *q, struct certify_err *err)
{
	ssize_t n;

	if (q->eof)
		return certify_errf(err, "QMP: connection closed by QEMU");
	if (q->cap - q->len < 4096) {
		size_t cap = q->cap ? q->cap * 2 : 65536;
		char *b;

		if (cap > QMP_MAX_MSG)
			return certify_errf(err, "QMP: message larger than %d bytes", QMP_MAX_MSG);
		b = realloc(q->buf, cap);
		if (!b)
			return certify_errf(err, "QMP: out of memory");
		q->buf = b;
		q->cap = cap;
	}
	n = read(q->fd, q->buf + q->len, q->cap - q->len - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		q->eof = 1;
		return certify_errf(err, "QMP: %s", n == 0 ? "connection closed by QEMU" : strerror(errno));
	}
	q->len += (size_t)n;
	return (int)n;
}

/* Takes one complete message out of the buffer. Returns 1 with *msg, 0 when none, -1 on bad JSON. */
static int qmp_take_line(struct qmp *q, json_object **msg, struct certify_err *err)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		size_t used;
		int blank;

		if (!nl)
			return 0;
		*nl = '\0';
		used = (size_t)(nl - q->buf) + 1;
		blank = q->buf[strspn(q->buf, " \r\t")] == '\0';
		*msg = blank ? NULL : json_tokener_parse(q->buf);
		if (!blank && !*msg)
			certify_errf(err, "QMP: bad JSON from QEMU (%zu bytes)", strlen(q->buf));
		memmove(q->buf, q->buf + used, q->len - used);
		q->len -= used;
		if (!blank)
			return *msg ? 1 : -1;
	}
}

static int qmp_queue_event(struct qmp *q, json_object *ev)
{
	if (q->nevent == QMP_MAX_EVENTS) {
		json_object_put(q->event[0]);
		memmove(&q->event[0], &q->event[1], (q->nevent - 1) * sizeof(ev));
		q->nevent--;
	}
	if (q->nevent == q->capevent) {
		size_t cap = q->capevent ? q->capevent * 2 : 16;
		json_object **e = realloc(q->event, cap * sizeof(*e));

		if (!e) {
			json_object_put(ev);
			return -1;
		}
		q->event = e;
		q->capevent = cap;
	}
	q->event[q->nevent++] = ev;
	return 0;
}

/*
 * Reads the next message that is not an event, until deadline (certify_now() time).
 * Events are queued. Returns 0 with *msg, or -1.
 */
static int qmp_next(struct qmp *q, double deadline, json_object **msg, struct certify_err *err)
{
	for (;;) {
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		double left;
		int r = qmp_take_line(q, msg, err);

		if (r < 0)
			return -1;
		if (r > 0) {
			if (!json_object_object_get_ex(*msg, "event", NULL))
				return 0;
			qmp_queue_event(q, *msg);
			continue;
		}
		left = deadline - certify_now();
		if (left <= 0)
			return certify_errf(err, "QMP: no answer from QEMU in time");
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			return certify_errf(err, "QMP: poll: %s", strerror(errno));
		if (r > 0 && qmp_fill(q, err) < 0)
			return -1;
	}
}

int qmp_handshake(struct qmp *q, double timeout_s, struct certify_err *err)
{
	double deadline = certify_now() + timeout_s;
	json_object *msg;

	if (qmp_next(q, deadline, &msg, err) < 0)
		return -1;
	if (!json_object_object_get_ex(msg, "QMP", NULL)) {
		json_object_put(msg);
		return certify_errf(err, "QMP: the first message is not a greeting");
	}
	json_object_put(msg);
	return qmp_execute(q, "qmp_capabilities", NULL, NULL, timeout_s, err);
}

static int qmp_send(struct qmp *q, json_object *req, struct certify_err *err)
{
	size_t len;
	const char *s = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);
	struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };

	while (len) {
		ssize_t n = write(q->fd, s, len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (poll(&pfd, 1, 1000) == 0)
				return certify_errf(err, "QMP: QEMU does not read its monitor");
			continue;
		}
		if (n < 0)
			return certify_errf(err, "QMP: write: %s", strerror(errno));
		s += n;
		len -= (size_t)n;
	}
	if (write(q->fd, "\n", 1) != 1)
		return certify_errf(err, "QMP: write: %s", strerror(errno));
	return 0;
}

/* QEMU's text as one printable line: control bytes (a JSON "\n" among them) become '?'. */
static void qmp_oneline(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

/* Turns QEMU's {"error": {"class", "desc"}} into a message. */
static int qmp_error(json_object *msg, const char *cmd, struct certify_err *err)
{
	json_object *e, *cls = NULL, *desc = NULL;
	char c[64], d[256];

	if (json_object_object_get_ex(msg, "error", &e)) {
		json_object_object_get_ex(e, "class", &cls);
		json_object_object_get_ex(e, "desc", &desc);
	}
	qmp_oneline(c, sizeof(c), cls ? json_object_get_string(cls) : "error");
	qmp_oneline(d, sizeof(d), desc ? json_object_get_string(desc) : "no description");
	return certify_errf(err, "QMP %s: %s: %s", cmd, c, d);
}

int qmp_execute(struct qmp *q, const char *cmd, json_object *args, json_object **ret,
		double timeout_s, struct certify_err *err)
{
	double deadline = certify_now() + timeout_s;
	json_object *req = json_object_new_object(), *msg, *id, *r;
	unsigned my_id = ++q->next_id;
	int rc;

	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", args);
	json_object_object_add(req, "id", json_object_new_int64(my_id));
	rc = qmp_send(q, req, err);
	json_object_put(req);
	if (rc < 0)
		return -1;
	for (;;) {
		if (qmp_next(q, deadline, &msg, err) < 0)
			return -1;
		/* Answers to earlier commands that timed out are dropped. */
		if (!json_object_object_get_ex(msg, "id", &id) ||
		    (unsigned)json_object_get_int64(id) != my_id) {
			json_object_put(msg);
			continue;
		}
		break;
	}
	if (!json_object_object_get_ex(msg, "return", &r)) {
		rc = qmp_error(msg, cmd, err);
		json_object_put(msg);
		return rc;
	}
	if (ret)
		*ret = json_object_get(r);
	json_object_put(msg);
	return 0;
}

int qmp_pump(struct qmp *q, struct certify_err *err)
{
	json_object *msg;
	int r;

	for (;;) {
		r = qmp_fill(q, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	while ((r = qmp_take_line(q, &msg, err)) != 0) {
		if (r < 0)
			return -1;
		if (json_object_object_get_ex(msg, "event", NULL))
			qmp_queue_event(q, msg);
		else
			json_object_put(msg);	/* a late answer to a timed-out command */
	}
	return 0;
}

json_object *qmp_event_take(struct qmp *q, const char *name)
{
	for (size_t i = 0; i < q->nevent; i++) {
		json_object *ev = q->event[i], *n;

		if (name && (!json_object_object_get_ex(ev, "event", &n) ||
			     strcmp(json_object_get_string(n), name) != 0))
			continue;
		memmove(&q->event[i], &q->event[i + 1], (q->nevent - i - 1) * sizeof(ev));
		q->nevent--;
		return ev;
	}
	return NULL;
}

int qmp_wait_event(struct qmp *q, const char *name, double timeout_s, json_object **ev,
		   struct certify_err *err)
{
	double deadline = certify_now() + timeout_s;

	for (;;) {
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		double left;

		*ev = qmp_event_take(q, name);
		if (*ev)
			return 0;
		left = deadline - certify_now();
		if (left <= 0)
			return certify_errf(err, "QMP: no %s event in %.1f s", name ? name : "", timeout_s);
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0 && qmp_pump(q, err) < 0)
			return -1;
	}
}
