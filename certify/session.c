/* certify: one kernel run under QEMU: sockets, spawn, event loop, verdict. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "session.h"
#include "session_priv.h"
#include "symbolize.h"
#include "tmpdir.h"

static const char *const session_chan_name[CH_N] = { "com1", "com2", "qmp" };

struct qmp *certify_session_qmp(struct certify_session *s)
{
	return s->qmp;
}

int certify_session_disk_path(const struct certify_session *s, const char *name, char *out,
			      size_t outlen, struct certify_err *err)
{
	struct qemu_paths paths = { s->dir, s->path[CH_COM1], s->path[CH_COM2], s->path[CH_QMP] };

	return qemu_disk_path(&s->o->qemu, &paths, name, out, outlen, err);
}

const struct hvr_run *certify_session_state(const struct certify_session *s)
{
	return &s->res->run;
}

void certify_session_abort(struct certify_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->abort_reason, sizeof(s->abort_reason), fmt, ap);
	va_end(ap);
	s->aborted = 1;
}

static int session_write(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 2000) <= 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int certify_session_go(struct certify_session *s, const char *point)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "go %s\n", point);

	s->answered = 1;
	if (s->cfd[CH_COM2] < 0 || n >= (int)sizeof(line))
		return -1;
	return session_write(s->cfd[CH_COM2], line, (size_t)n);
}

char *certify_tail_lines(const char *text, size_t len, int lines)
{
	size_t start = len;
	char *out;

	if (start && text[start - 1] == '\n')
		start--;
	while (start > 0 && lines > 0) {
		start--;
		if (text[start] == '\n' && --lines == 0) {
			start++;
			break;
		}
	}
	out = malloc(len - start + 1);
	if (out) {
		memcpy(out, text + start, len - start);
		out[len - start] = '\0';
	}
	return out;
}

void certify_session_com1(struct certify_session *s, const char *buf, size_t n)
{
	if (s->log)
		fwrite(buf, 1, n, s->log);
	if (s->o->echo) {
		fwrite(buf, 1, n, s->o->echo);
		fflush(s->o->echo);
	}
	if (n > SESSION_TAIL_MAX) {
		buf += n - SESSION_TAIL_MAX;
		n = SESSION_TAIL_MAX;
	}
	if (s->tail_len + n > SESSION_TAIL_MAX) {
		size_t drop = s->tail_len + n - SESSION_TAIL_MAX;

		memmove(s->tail, s->tail + drop, s->tail_len - drop);
		s->tail_len -= drop;
	}
	memcpy(s->tail + s->tail_len, buf, n);
	s->tail_len += n;
}

static void session_record(struct certify_session *s, const struct hvr_record *rec, double t)
{
	struct hvr_run *run = &s->res->run;

	hvr_run_add(run, rec, t);
	if (run->flooded && !s->aborted) {
		/* Stop reading a kernel that will not stop writing: the verdict is an error. */
		certify_session_abort(s, "%s", run->error[0]);
		return;
	}
	if (strcmp(rec->type, "end") == 0 || strcmp(rec->type, "panic") == 0)
		s->end_deadline = certify_now() + (s->o->end_grace_s > 0 ? s->o->end_grace_s : 5);
	s->answered = 0;
	if (s->o->on_record && s->o->on_record(s, rec, t, s->o->ctx) < 0 && !s->aborted)
		certify_session_abort(s, "the %s record handler failed", rec->type);
	if (strcmp(rec->type, "sync") == 0 && !s->answered && s->o->auto_go && hvr_get(rec, "point"))
		certify_session_go(s, hvr_get(rec, "point"));
}

/* One complete COM2 line. */
void certify_session_line(void *ctx, const char *line, size_t len, int toolong)
{
	struct certify_session *s = ctx;
	struct hvr_run *run = &s->res->run;
	struct hvr_record *rec;
	struct certify_err err;

	if (toolong) {
		hvr_run_error(run, "line longer than %d bytes: '%.40s...'",
			      HVR_MAX_LINE, line);
		return;
	}
	rec = malloc(sizeof(*rec));
	if (!rec) {
		hvr_run_error(run, "out of memory reading the result channel");
		return;
	}
	if (hvr_parse(line, len, rec, &err) < 0) {
		/* Before the kernel's `hello` the port belongs to the firmware (OVMF prints its
		 * console on every serial port): that is not the kernel speaking. */
		if (run->has_hello)
			hvr_run_error(run, "%s", err.msg);
	} else
		session_record(s, rec, certify_now() - s->res->spawn_s);
	free(rec);
}

static void session_accept(struct certify_session *s, int ch)
{
	struct certify_err err;
	int fd = accept4(s->lfd[ch], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	close(s->lfd[ch]);
	s->lfd[ch] = -1;
	if (ch != CH_QMP) {
		s->cfd[ch] = fd;
		return;
	}
	s->qmp = qmp_new(fd);
	if (!s->qmp) {
		close(fd);
		return;
	}
	s->cfd[ch] = fd;
	if (qmp_handshake(s->qmp, SESSION_QMP_TIMEOUT, &err) < 0) {
		/* Usually QEMU is exiting; a caller that needs QMP finds it missing. */
		qmp_free(s->qmp);
		s->qmp = NULL;
		s->cfd[ch] = -1;
	}
}

/* Reads what channel ch has. Returns 0, or -1 at EOF (the channel is then closed). */
static int session_read(struct certify_session *s, int ch)
{
	char buf[8192];
	ssize_t n;

	if (ch == CH_QMP) {
		if (qmp_pump(s->qmp, NULL) == 0)
			return 0;
		s->cfd[ch] = -1;	/* the fd stays with s->qmp until the end */
		return -1;
	}
	for (;;) {
		n = read(s->cfd[ch], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			close(s->cfd[ch]);
			s->cfd[ch] = -1;
			return -1;
		}
		if (ch == CH_COM1)
			certify_session_com1(s, buf, (size_t)n);
		else
			hvr_splitter_feed(&s->split, buf, (size_t)n, certify_session_line, s);
	}
}

/* Waits up to `ms` for traffic and serves it. */
static void session_poll(struct certify_session *s, int ms)
{
	struct pollfd pfd[CH_N];
	int chan[CH_N], n = 0;

	for (int ch = 0; ch < CH_N; ch++) {
		int fd = s->cfd[ch] >= 0 ? s->cfd[ch] : s->lfd[ch];

		if (fd < 0)
			continue;
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		chan[n++] = ch;
	}
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return;
	for (int i = 0; i < n; i++) {
		int ch = chan[i];

		if (!pfd[i].revents)
			continue;
		if (s->cfd[ch] < 0)
			session_accept(s, ch);
		else
			session_read(s, ch);
	}
}

/* After QEMU exited: take every byte still in the sockets. */
static void session_drain(struct certify_session *s)
{
	for (int ch = 0; ch < CH_N; ch++) {
		if (s->lfd[ch] >= 0 && s->cfd[ch] < 0)
			session_accept(s, ch);
		if (s->cfd[ch] >= 0)
			session_read(s, ch);
	}
	if (s->split.len)
		hvr_run_error(&s->res->run, "unterminated last line '%.40s'",
			      s->split.buf);
}

static void session_kill(struct certify_session *s, enum certify_outcome o, const char *why)
{
	certify_proc_kill(&s->proc, 2.0);
	s->res->outcome = o;
	snprintf(s->res->reason, sizeof(s->res->reason), "%s", why);
}

/* Returns 1 when the run is over (QEMU gone), 0 to go on. */
static int session_step(struct certify_session *s, double deadline)
{
	double now = certify_now(), left = deadline - now;
	char why[300];

	if (certify_proc_poll(&s->proc)) {
		session_drain(s);
		return 1;
	}
	if (certify_proc_interrupted()) {
		snprintf(why, sizeof(why), "interrupted by signal %d", certify_proc_interrupted());
		session_kill(s, CERTIFY_INTERRUPTED, why);
	} else if (s->aborted) {
		/* A flooding kernel is a protocol error like garbage; other aborts are ours. */
		session_kill(s, s->res->run.flooded ? CERTIFY_ERROR : CERTIFY_HARNESS,
			     s->abort_reason);
	} else if (left <= 0) {
		snprintf(why, sizeof(why), "timeout: no exit within %.0f s", s->o->qemu.timeout_s);
		session_kill(s, CERTIFY_TIMEOUT, why);
	} else if (s->end_deadline && now >= s->end_deadline) {
		session_kill(s, CERTIFY_TIMEOUT, "timeout: the kernel did not exit after its end/panic record");
	} else {
		session_poll(s, left < 0.02 ? (int)(left * 1000) + 1 : 20);
		return 0;
	}
	session_drain(s);
	return 1;
}

char *certify_session_slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (!buf || n == 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Exit 0: QEMU's SHUTDOWN event tells a guest reset from a QMP quit or an ACPI power-off. */
static void session_shutdown_reason(struct certify_session *s)
{
	json_object *ev = qmp_event_take(s->qmp, "SHUTDOWN"), *data, *why;
	size_t len = strlen(s->res->reason);

	if (ev && json_object_object_get_ex(ev, "data", &data) &&
	    json_object_object_get_ex(data, "reason", &why))
		snprintf(s->res->reason + len, sizeof(s->res->reason) - len, " (QEMU: %s)",
			 json_object_get_string(why));
	json_object_put(ev);
}

/* Maps QEMU's exit when it left by itself. */
static void session_verdict(struct certify_session *s)
{
	struct certify_result *res = s->res;
	int st = s->proc.status;

	res->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	res->outcome = certify_outcome_from_status(st, res->reason, sizeof(res->reason));
	if (res->exit_status == 0 && s->qmp)
		session_shutdown_reason(s);
	if (res->exit_status == 1 && res->run.nrecords == 0) {
		/* QEMU refused to start: its first line says why. */
		const char *out = res->qemu_output ? res->qemu_output : "no output";

		res->outcome = CERTIFY_HARNESS;
		snprintf(res->reason, sizeof(res->reason), "QEMU failed: %.*s",
			 (int)strcspn(out, "\n"), out);
	}
	/* An exit code that sums up a run (pass, fail, error, policy) must come after the end
	 * record that sums it up the same way: otherwise the kernel's word is incomplete. */
	if (res->outcome == CERTIFY_PASS || res->outcome == CERTIFY_FAIL ||
	    res->outcome == CERTIFY_ERROR) {
		const char *st = res->outcome == CERTIFY_PASS ? "pass" :
				 res->outcome == CERTIFY_FAIL ? "fail" : "error";

		if (!res->run.has_end)
			hvr_run_error(&res->run, "the kernel exited %d (%s) without an end record",
				      res->exit_status, st);
		else if (strcmp(res->run.end_status, st))
			hvr_run_error(&res->run, "the kernel exited %d (%s) after an end record "
				      "with status '%s'", res->exit_status, st, res->run.end_status);
	}
	/* A kernel that wrote garbage on the result channel cannot be believed, whatever its
	 * exit code says: the run is an error (design: "garbage gives an error verdict"). */
	if (res->run.nerrors && res->outcome <= CERTIFY_POLICY) {
		res->outcome = CERTIFY_ERROR;
		snprintf(res->reason, sizeof(res->reason), "%zu malformed result-channel line%s: %s",
			 res->run.nerrors, res->run.nerrors == 1 ? "" : "s", res->run.error[0]);
	}
}

static int session_setup(struct certify_session *s, struct certify_err *err)
{
	const struct certify_session_opts *o = s->o;
	struct qemu_paths paths;
	struct certify_strv argv = { 0 };
	int rc;

	if (certify_tmpdir_create(s->dir, sizeof(s->dir), err) < 0)
		return -1;
	for (int ch = 0; ch < CH_N; ch++) {
		snprintf(s->path[ch], sizeof(s->path[ch]), "%s/%s.sock", s->dir, session_chan_name[ch]);
		s->lfd[ch] = certify_listen_unix(s->path[ch], err);
		if (s->lfd[ch] < 0)
			return -1;
	}
	snprintf(s->out_path, sizeof(s->out_path), "%s/qemu.out", s->dir);
	paths = (struct qemu_paths){ s->dir, s->path[CH_COM1], s->path[CH_COM2], s->path[CH_QMP] };
	if (qemu_accel_resolve(o->qemu.accel, &s->res->accel, err) < 0 ||
	    qemu_build_argv(&o->qemu, s->res->accel, &paths, &argv, err) < 0 ||
	    certify_disks_create(&o->qemu, &paths, err) < 0) {
		certify_strv_free(&argv);
		return -1;
	}
	if (o->log_path) {
		s->log = fopen(o->log_path, "a");
		if (!s->log) {
			certify_strv_free(&argv);
			return certify_errf(err, "%s: %s", o->log_path, strerror(errno));
		}
	}
	s->res->spawn_s = certify_now();
	rc = certify_proc_spawn_keep(&s->proc, argv.v, s->out_path, o->keep_fds, o->nkeep_fds, err);
	certify_strv_free(&argv);
	return rc;
}

static void session_teardown(struct certify_session *s)
{
	struct certify_result *res = s->res;

	for (int ch = 0; ch < CH_N; ch++) {
		if (s->lfd[ch] >= 0)
			close(s->lfd[ch]);
		if (s->cfd[ch] >= 0 && ch != CH_QMP)
			close(s->cfd[ch]);
	}
	qmp_free(s->qmp);
	if (s->log)
		fclose(s->log);
	if (s->tail_len)
		res->com1_tail = certify_tail_lines(s->tail, s->tail_len, SESSION_TAIL_LINES);
	free(s->tail);
	if (s->dir[0]) {
		if (!res->qemu_output)
			res->qemu_output = certify_session_slurp(s->out_path, 4096);
		if (res->outcome == CERTIFY_PANIC && s->o->elf)
			res->backtrace = certify_symbolize(s->o->elf, res->com1_tail,
							   res->run.panic_rip, s->dir);
		certify_tmpdir_remove(s->dir);
	}
}

int certify_session_run(const struct certify_session_opts *opts, struct certify_result *res)
{
	struct certify_session s;
	struct certify_err err;
	double timeout = opts->qemu.timeout_s > 0 ? opts->qemu.timeout_s : 60;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	res->exit_status = -1;
	s.o = opts;
	s.res = res;
	for (int ch = 0; ch < CH_N; ch++)
		s.lfd[ch] = s.cfd[ch] = -1;
	s.tail = malloc(SESSION_TAIL_MAX);
	if (s.tail && opts->serial) {
		certify_session_serial(&s);
	} else if (!s.tail || session_setup(&s, &err) < 0) {
		res->outcome = CERTIFY_HARNESS;
		snprintf(res->reason, sizeof(res->reason), "%s", s.tail ? err.msg : "out of memory");
		rc = -1;
	} else {
		while (!session_step(&s, res->spawn_s + timeout))
			;
		res->duration_s = certify_now() - res->spawn_s;
		if (s.proc.reaped && res->reason[0] == '\0') {
			res->qemu_output = certify_session_slurp(s.out_path, 4096);
			session_verdict(&s);
		}
		if (s.proc.reaped && opts->on_exit)
			opts->on_exit(&s, opts->ctx);
	}
	session_teardown(&s);
	return rc;
}

void certify_result_free(struct certify_result *res)
{
	hvr_run_free(&res->run);
	free(res->com1_tail);
	free(res->qemu_output);
	free(res->backtrace);
	memset(res, 0, sizeof(*res));
}
