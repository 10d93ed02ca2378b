/*
 * certify: a session on a bare-metal target (session.h, opts->serial). The machine is
 * power-cycled by the lab's command, boots the hvkit ISO, and certify types the
 * configuration's kernel command line at GRUB's prompt; then the one serial line carries
 * the log and the framed result channel (serialmux.h). What QEMU's exit status says for a
 * VM, the kernel's own end or panic record says here; a machine that stays silent, prints
 * garbage or never reaches the kernel is an error (docs/certify.md, "Bare-metal target").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serialmux.h"
#include "session_priv.h"
#include "tmpdir.h"

#define SERIAL_READY		"hvkit-grub-ready"	/* scripts/mkiso.sh's grub.cfg */
#define SERIAL_PROMPT		"hvkit-cmdline>"
#define SERIAL_HOTKEY		"x"
#define SERIAL_FW_GARBAGE	1024	/* before GRUB: firmware may draw; more and mostly garbage is not text */
#define SERIAL_GRUB_GARBAGE	64	/* between GRUB's ready line and the kernel's hello */
#define SERIAL_END_GRACE	1.0	/* log lines after end/panic still taken */

enum serial_phase { SP_GRUB, SP_PROMPT, SP_BOOT, SP_KERNEL };

struct serial_run {
	struct certify_session *s;
	const struct certify_serial_target *t;
	struct certify_serialmux mux;
	enum serial_phase phase;
	int fd;
	char win[64];			/* the last raw bytes, for GRUB's lines */
	size_t wlen;
	size_t boot_garbage;		/* garbage bytes after GRUB's ready line, before hello */
	int done;			/* outcome and reason are set */
};

static void serial_fatal(struct serial_run *r, enum certify_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void serial_fatal(struct serial_run *r, enum certify_outcome o, const char *fmt, ...)
{
	va_list ap;

	if (r->done)
		return;
	r->done = 1;
	r->s->res->outcome = o;
	va_start(ap, fmt);
	vsnprintf(r->s->res->reason, sizeof(r->s->res->reason), fmt, ap);
	va_end(ap);
}

static void serial_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The lab's power control: sh -c CMD, which must finish (exit 0) before the boot. */
static int serial_power_cycle(struct serial_run *r, double deadline)
{
	struct certify_session *s = r->s;
	char *argv[] = { "sh", "-c", (char *)s->o->power_cycle, NULL };
	struct certify_err err;
	double left = deadline - certify_now();

	snprintf(s->out_path, sizeof(s->out_path), "%s/power-cycle.out", s->dir);
	/* what the machine will boot, for a lab that writes a boot config (PXE) or sets up a
	 * fault injector itself; certify types it at GRUB's prompt all the same */
	setenv("HVKIT_CMDLINE", s->o->qemu.append ? s->o->qemu.append : "", 1);
	if (certify_proc_spawn(&s->proc, argv, s->out_path, &err) < 0) {
		serial_fatal(r, CERTIFY_HARNESS, "--power-cycle: %s", err.msg);
		return -1;
	}
	if (!certify_proc_wait(&s->proc, left > 0 ? left : 0.1)) {
		certify_proc_kill(&s->proc, 1.0);
		serial_fatal(r, CERTIFY_HARNESS, "--power-cycle '%.100s' did not finish within %.0f s",
			     s->o->power_cycle, left);
		return -1;
	}
	if (!WIFEXITED(s->proc.status) || WEXITSTATUS(s->proc.status)) {
		char *out = certify_session_slurp(s->out_path, 400);

		serial_fatal(r, CERTIFY_HARNESS, "--power-cycle '%.100s' failed (wait status %d): %.*s",
			     s->o->power_cycle, s->proc.status, out ? (int)strcspn(out, "\n") : 9,
			     out ? out : "no output");
		free(out);
		return -1;
	}
	memset(&s->proc, 0, sizeof(s->proc));
	return 0;
}

static int serial_connect(struct serial_run *r, double deadline)
{
	struct certify_err err;

	for (;;) {
		r->fd = certify_serial_open(r->t, &err);
		if (r->fd >= 0)
			break;
		if (certify_now() >= deadline || certify_proc_interrupted()) {
			serial_fatal(r, certify_proc_interrupted() ? CERTIFY_INTERRUPTED : CERTIFY_HARNESS,
				     "serial:%s did not open within the boot timeout: %s", r->t->path,
				     err.msg);
			return -1;
		}
		serial_sleep_ms(100);
	}
	r->s->cfd[CH_COM2] = r->fd;	/* certify_session_go answers on the line */
	return 0;
}

/* The kernel must have booted exactly the command line certify typed. */
static void serial_hello(struct serial_run *r, const char *line, size_t len)
{
	struct hvr_record *rec = malloc(sizeof(*rec));
	const char *want = r->s->o->qemu.append ? r->s->o->qemu.append : "", *got;
	struct certify_err err;
	size_t gl, wl = strlen(want);

	if (!rec || hvr_parse(line, len, rec, &err) < 0) {
		free(rec);
		return;	/* certify_session_line reports the malformed record */
	}
	got = hvr_get(rec, "cmdline") ? hvr_get(rec, "cmdline") : "";
	/* GRUB puts the kernel's path first (Multiboot 2 command line) */
	if (got[0] == '/' && strchr(got, ' '))
		got = strchr(got, ' ') + 1;
	gl = strlen(got);
	if (gl != wl || strcmp(got, want)) {
		size_t i = 0;

		while (i < gl && i < wl && got[i] == want[i])
			i++;
		serial_fatal(r, CERTIFY_HARNESS, "the machine booted another command line than certify "
			     "typed at GRUB's prompt: from byte %zu it reads '%.80s', typed '%.80s'", i,
			     got + i, want + i);
	}
	free(rec);
}

static void serial_on_record(void *ctx, const char *rec, size_t len, const char *bad)
{
	struct serial_run *r = ctx;
	struct hvr_run *run = &r->s->res->run;
	int had_end = run->has_end || run->has_panic;

	if (r->done)
		return;		/* the session is over: nothing more is believed */
	if (bad) {
		hvr_run_error(run, "serial line: %s", bad);
		return;
	}
	if (!run->has_hello && len > 11 && !strncmp(rec, "HVR1 hello ", 11)) {
		serial_hello(r, rec, len);
		if (r->done)
			return;
	}
	certify_session_line(r->s, rec, len, len > HVR_MAX_LINE);
	if (run->has_hello && r->phase != SP_KERNEL)
		r->phase = SP_KERNEL;
	if (!had_end && (run->has_end || run->has_panic))
		r->s->end_deadline = certify_now() + SERIAL_END_GRACE;
}

static void serial_on_log(void *ctx, const char *line, size_t len, size_t nbad)
{
	struct serial_run *r = ctx;
	struct hvr_run *run = &r->s->res->run;

	certify_session_com1(r->s, line, len);
	/* in line order, so a reboot is seen even when hello came in the same read */
	if (r->phase == SP_KERNEL && !run->has_end && !run->has_panic &&
	    memmem(line, len, SERIAL_READY, strlen(SERIAL_READY)))
		serial_fatal(r, CERTIFY_RESET, "the machine rebooted: GRUB's ready line again after "
			     "the kernel's hello");
	if (!nbad)
		return;
	if (r->phase == SP_KERNEL) {
		hvr_run_error(run, "garbage on the serial line: %zu byte%s outside text in a log line "
			      "after the kernel's hello", nbad, nbad == 1 ? "" : "s");
	} else if (r->phase != SP_GRUB && (r->boot_garbage += nbad) > SERIAL_GRUB_GARBAGE) {
		hvr_run_error(run, "garbage on serial:%s: %zu bytes outside text after GRUB's ready "
			      "line", r->t->path, r->boot_garbage);
		serial_fatal(r, CERTIFY_ERROR, "%s", run->error[0]);
	}
}

static const struct certify_serialmux_ops serial_ops_proto = { serial_on_log, serial_on_record, NULL };

/* GRUB's lines in the raw stream: its ready line (press the hotkey), its prompt (type). */
static void serial_grub(struct serial_run *r, const char *buf, size_t n)
{
	char look[sizeof(r->win) + 8192];
	size_t ln = r->wlen + n;

	memcpy(look, r->win, r->wlen);
	memcpy(look + r->wlen, buf, n);
	if (r->phase == SP_GRUB && memmem(look, ln, SERIAL_READY, strlen(SERIAL_READY)) &&
	    certify_serial_write(r->fd, SERIAL_HOTKEY, 1, 2.0) == 0)
		r->phase = SP_PROMPT;
	if (r->phase == SP_PROMPT && memmem(look, ln, SERIAL_PROMPT, strlen(SERIAL_PROMPT))) {
		const char *cl = r->s->o->qemu.append ? r->s->o->qemu.append : "";
		size_t len = strlen(cl);

		/* a few bytes at a time: GRUB polls the UART of a real machine */
		for (size_t i = 0; i < len && !r->done; i += 16) {
			if (certify_serial_write(r->fd, cl + i, len - i < 16 ? len - i : 16, 2.0) < 0)
				serial_fatal(r, CERTIFY_HARNESS, "serial:%s: writing the command line: %s",
					     r->t->path, strerror(errno));
			serial_sleep_ms(2);
		}
		if (!r->done && certify_serial_write(r->fd, "\r", 1, 2.0) < 0)
			serial_fatal(r, CERTIFY_HARNESS, "serial:%s: writing the command line: %s",
				     r->t->path, strerror(errno));
		r->phase = SP_BOOT;
	}
	r->wlen = ln < sizeof(r->win) ? ln : sizeof(r->win);
	memcpy(r->win, look + ln - r->wlen, r->wlen);
}

/* Why the machine never got to the kernel, by how far it got. */
static void serial_boot_timeout(struct serial_run *r, double waited)
{
	switch (r->phase) {
	case SP_GRUB:
		if (!r->mux.bytes)
			serial_fatal(r, CERTIFY_HARNESS, "silent machine: nothing on serial:%s within "
				     "%.0f s of the power cycle", r->t->path, waited);
		else
			serial_fatal(r, CERTIFY_HARNESS, "no GRUB ready line ('%s') on serial:%s within "
				     "%.0f s: %zu bytes, %zu of them not text (the hvkit ISO? this "
				     "baud rate?)", SERIAL_READY, r->t->path, waited, r->mux.bytes,
				     r->mux.garbage);
		break;
	case SP_PROMPT:
		serial_fatal(r, CERTIFY_HARNESS, "GRUB on serial:%s took no hotkey '%s' (no '%s' "
			     "prompt) within %.0f s", r->t->path, SERIAL_HOTKEY, SERIAL_PROMPT, waited);
		break;
	default:
		serial_fatal(r, CERTIFY_HARNESS, "no hello from the kernel on serial:%s within %.0f s "
			     "of the power cycle", r->t->path, waited);
		break;
	}
}

/* The kernel's word on how it ended, as QEMU's exit status would say it for a VM. */
static void serial_outcome(struct serial_run *r)
{
	struct certify_result *res = r->s->res;
	const struct hvr_run *run = &res->run;

	if (run->has_panic) {
		serial_fatal(r, CERTIFY_PANIC, "panic: %s", run->panic_msg);
	} else if (!strcmp(run->end_status, "pass")) {
		serial_fatal(r, CERTIFY_PASS, "the kernel's end record: pass");
	} else if (!strcmp(run->end_status, "fail")) {
		serial_fatal(r, CERTIFY_FAIL, "the kernel's end record: fail");
	} else if (!strcmp(run->end_status, "policy")) {
		serial_fatal(r, CERTIFY_POLICY, "the kernel's end record: policy");
	} else {
		serial_fatal(r, CERTIFY_ERROR, "the kernel's end record: %s", run->end_status);
	}
}

/* Mostly bytes no text console sends: not the kernel speaking, never believed. */
static void serial_garbage(struct serial_run *r)
{
	struct hvr_run *run = &r->s->res->run;

	hvr_run_error(run, "garbage on serial:%s: %zu of %zu bytes outside text before GRUB's "
		      "ready line (this baud rate?)", r->t->path, r->mux.garbage, r->mux.bytes);
	serial_fatal(r, CERTIFY_ERROR, "%s", run->error[0]);
}

/* One step: read what the line has, then check the clocks. 1 when the session is over. */
static int serial_step(struct serial_run *r, const struct certify_serialmux_ops *ops,
		       double start, double boot_deadline, double deadline)
{
	struct certify_session *s = r->s;
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	char buf[8192];
	double now;

	if (poll(&p, 1, 20) > 0) {
		ssize_t n = read(r->fd, buf, sizeof(buf));

		if (n > 0) {
			serial_grub(r, buf, (size_t)n);
			certify_serialmux_feed(&r->mux, buf, (size_t)n, ops);
			if (r->phase <= SP_PROMPT && r->mux.garbage > SERIAL_FW_GARBAGE &&
			    r->mux.garbage * 2 > r->mux.bytes)
				serial_garbage(r);
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			serial_fatal(r, s->res->run.has_end || s->res->run.has_panic ? CERTIFY_PASS :
				     CERTIFY_CRASH, "serial:%s closed (the console server or the "
				     "machine went away)", r->t->path);
			if (s->res->run.has_end || s->res->run.has_panic) {
				r->done = 0;
				serial_outcome(r);
			}
		}
	}
	now = certify_now();
	if (r->done)
		return 1;
	if (certify_proc_interrupted())
		serial_fatal(r, CERTIFY_INTERRUPTED, "interrupted by signal %d", certify_proc_interrupted());
	else if (s->aborted)
		serial_fatal(r, s->res->run.flooded ? CERTIFY_ERROR : CERTIFY_HARNESS, "%s",
			     s->abort_reason);
	else if (s->end_deadline && now >= s->end_deadline)
		serial_outcome(r);
	else if (r->phase == SP_KERNEL && now >= deadline)
		serial_fatal(r, CERTIFY_TIMEOUT, "timeout: no end within %.0f s", s->o->qemu.timeout_s);
	else if (r->phase != SP_KERNEL && now >= (r->phase == SP_GRUB ? boot_deadline : deadline))
		serial_boot_timeout(r, now - start);
	return r->done;
}

void certify_session_serial(struct certify_session *s)
{
	const struct certify_session_opts *o = s->o;
	struct certify_result *res = s->res;
	struct certify_serialmux_ops ops = serial_ops_proto;
	struct serial_run r;
	struct certify_err err;
	double timeout = o->qemu.timeout_s > 0 ? o->qemu.timeout_s : 60, boot_deadline, deadline;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.t = o->serial;
	r.fd = -1;
	ops.ctx = &r;
	res->spawn_s = certify_now();
	deadline = res->spawn_s + timeout;
	boot_deadline = res->spawn_s + (o->boot_timeout_s > 0 && o->boot_timeout_s < timeout ?
					o->boot_timeout_s : timeout);
	if (certify_tmpdir_create(s->dir, sizeof(s->dir), &err) < 0) {
		serial_fatal(&r, CERTIFY_HARNESS, "%s", err.msg);
		return;
	}
	if (o->log_path && !(s->log = fopen(o->log_path, "a"))) {
		serial_fatal(&r, CERTIFY_HARNESS, "%s: %s", o->log_path, strerror(errno));
		return;
	}
	if ((o->power_cycle && serial_power_cycle(&r, boot_deadline) < 0) ||
	    serial_connect(&r, boot_deadline) < 0) {
		res->duration_s = certify_now() - res->spawn_s;
		return;
	}
	while (!serial_step(&r, &ops, res->spawn_s, boot_deadline, deadline))
		;
	certify_serialmux_flush(&r.mux, &ops);
	res->duration_s = certify_now() - res->spawn_s;
	/* A channel with garbage or garbled records is not believed, whatever its end says. */
	if (res->run.nerrors && res->outcome <= CERTIFY_POLICY) {
		res->outcome = CERTIFY_ERROR;
		snprintf(res->reason, sizeof(res->reason), "%zu malformed result-channel line%s: %s",
			 res->run.nerrors, res->run.nerrors == 1 ? "" : "s", res->run.error[0]);
	}
}
