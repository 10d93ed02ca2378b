/* hvktest: run one entry of the kernel test list and judge it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>

#include "ktrun.h"
#include "pcioracle.h"
#include "qmp.h"
#include "blkverify.h"
#include "peer.h"
#include "session.h"

#define KTRUN_QMP_TIMEOUT 10.0

/* State shared with the record callback. */
struct ktrun_ctx {
	const struct certify_ktest *t;
	int oracle_done;		/* the comparison ran (successfully or not) */
	size_t oracle_diffs;
	struct certify_strv oracle_lines;	/* differences and errors */
	unsigned qmp_done;			/* QMP commands run at sync points */
	struct certify_strv qmp_errors;
	struct certify_blkwrite *writes;	/* blkwrite records not yet checked */
	size_t nwrites;
	struct certify_blkverify verify;	/* host-side image checks (verify_disk) */
	int verified;
	struct certify_peer peer;		/* the host end of the NIC (peer = ID) */
	int peer_open;
	struct certify_peer_run peer_run;	/* what the host saw */
	struct certify_strv check_lines;	/* failed modules/driver expectations */
	int stalled;				/* stall = ...: done */
};

static void ktrun_oracle(struct certify_session *s, struct ktrun_ctx *c)
{
	const struct hvr_run *run = certify_session_state(s);
	struct qmp *q = certify_session_qmp(s);
	struct certify_pcilist list;
	struct certify_err err;
	json_object *ret = NULL;

	c->oracle_done = 1;
	if (!q) {
		certify_strv_push(&c->oracle_lines, "query-pci: QEMU's QMP monitor is not connected");
		c->oracle_diffs++;
		return;
	}
	if (qmp_execute(q, "query-pci", NULL, &ret, KTRUN_QMP_TIMEOUT, &err) < 0 ||
	    certify_pci_from_qmp(ret, &list, &err) < 0) {
		certify_strv_push(&c->oracle_lines, err.msg);
		c->oracle_diffs++;
		json_object_put(ret);
		return;
	}
	json_object_put(ret);
	c->oracle_diffs = certify_pci_compare(&list, run->pci, run->npci, &c->oracle_lines);
	certify_pcilist_free(&list);
}

/* Run the entry's QMP commands for sync point `point` (qmp = POINT COMMAND [JSON]). A
 * command QEMU refuses is recorded and fails the entry. */
static void ktrun_qmp_at(struct certify_session *s, struct ktrun_ctx *c, const char *point)
{
	size_t plen = strlen(point);

	for (size_t i = 0; i < c->t->qmp.n; i++) {
		const char *e = c->t->qmp.v[i];
		char cmd[64];
		if (strncmp(e, point, plen) != 0 || e[plen] != ' ')
			continue;
		const char *rest = e + plen + 1;
		size_t clen = strcspn(rest, " ");
		snprintf(cmd, sizeof(cmd), "%.*s", (int)clen, rest);
		const char *args = rest[clen] ? rest + clen + 1 : "";
		json_object *a = *args ? json_tokener_parse(args) : NULL, *ret = NULL;
		struct certify_err err = { "" };
		struct qmp *q = certify_session_qmp(s);
		c->qmp_done++;
		/* "wait-event {"event": NAME}" is ours, not QEMU's: wait up to 5 s for that event. */
		if (q && strcmp(cmd, "wait-event") == 0) {
			json_object *name = NULL;
			const char *ev = a && json_object_object_get_ex(a, "event", &name) ?
					 json_object_get_string(name) : "";
			if (qmp_wait_event(q, ev, 5.0, &ret, &err) < 0) {
				char line[600];
				snprintf(line, sizeof(line), "no QMP event %s by %s: %s", ev, point, err.msg);
				certify_strv_push(&c->qmp_errors, line);
			}
			json_object_put(a);
			json_object_put(ret);
			continue;
		}
		if (!q || qmp_execute(q, cmd, a, &ret, 5.0, &err) < 0) {
			char line[600];
			snprintf(line, sizeof(line), "qmp %s at %s: %s", cmd, point,
				 q ? err.msg : "QEMU's QMP monitor is not connected");
			certify_strv_push(&c->qmp_errors, line);
		}
		json_object_put(ret);
	}
}

/* At sync point blkverify: read the images and check every block the kernel reported. */
static void ktrun_verify_disks(struct certify_session *s, struct ktrun_ctx *c)
{
	c->verified = 1;
	certify_blkverify_batch(&c->verify);
	for (size_t i = c->nwrites; i-- > 0; ) {	/* newest first (blkverify.h) */
		const struct certify_blkwrite *w = &c->writes[i];
		size_t dl = strlen(w->dev);
		const char *disk = NULL;
		for (size_t k = 0; k < c->t->verify_disk.n; k++)
			if (strncmp(c->t->verify_disk.v[k], w->dev, dl) == 0 && c->t->verify_disk.v[k][dl] == ':')
				disk = c->t->verify_disk.v[k] + dl + 1;
		if (!disk)
			continue;	/* a device the entry does not ask about */
		char path[512];
		struct certify_err err;
		if (certify_session_disk_path(s, disk, path, sizeof(path), &err) < 0) {
			certify_strv_push(&c->verify.problems, err.msg);
			continue;
		}
		certify_blkverify_extent(path, w, &c->verify);
	}
	c->nwrites = 0;
}

/* QEMU has exited: blkwrite records that no blkverify sync point checked (a kernel that
 * reports and exits, as vm.start=1 without vm.host_verify does) are checked now, in the
 * images as QEMU left them. */
static void ktrun_on_exit(struct certify_session *s, void *ctx)
{
	struct ktrun_ctx *c = ctx;

	if (c->t->verify_disk.n && c->nwrites)
		ktrun_verify_disks(s, c);
}

static int ktrun_on_record(struct certify_session *s, const struct hvr_record *rec,
			   double host_s, void *ctx)
{
	struct ktrun_ctx *c = ctx;
	const char *point = hvr_get(rec, "point");

	(void)host_s;
	if (c->t->stall_s > 0 && !c->stalled && strcmp(rec->type, c->t->stall_record) == 0) {
		/* Play a host that is not scheduled: QEMU's socket fills up, and the kernel must
		 * wait for the UART rather than lose what it writes. */
		struct timespec ts = { (time_t)c->t->stall_s,
				       (long)((c->t->stall_s - (double)(time_t)c->t->stall_s) * 1e9) };

		c->stalled = 1;
		nanosleep(&ts, NULL);
	}
	if (strcmp(rec->type, "blkwrite") == 0 && c->t->verify_disk.n) {
		struct certify_blkwrite w, *nw;
		if (certify_blkwrite_parse(hvr_get(rec, "dev"), hvr_get(rec, "lba"), hvr_get(rec, "blocks"),
					   hvr_get(rec, "block_size"), hvr_get(rec, "seed"), &w) < 0 ||
		    certify_blkwrite_base(hvr_get(rec, "base"), &w) < 0 ||
		    certify_blkwrite_gen(hvr_get(rec, "gen"), &w) < 0) {
			certify_strv_push(&c->verify.problems, "a malformed blkwrite record");
			return 0;
		}
		nw = realloc(c->writes, (c->nwrites + 1) * sizeof(*nw));
		if (nw) {
			c->writes = nw;
			c->writes[c->nwrites++] = w;
		}
		return 0;
	}
	if (strcmp(rec->type, "sync") != 0 || !point)
		return 0;
	if (strcmp(point, "blkverify") == 0)
		ktrun_verify_disks(s, c);
	if (c->peer_open)
		certify_peer_sync(&c->peer, &c->peer_run, point);
	if (strcmp(point, "pci") == 0 && strcmp(c->t->oracle, "query-pci") == 0 && !c->oracle_done)
		ktrun_oracle(s, c);
	ktrun_qmp_at(s, c, point);
	return certify_session_go(s, point) < 0 ? -1 : 0;
}

static void ktrun_config(const struct hvktest_opts *o, const struct certify_ktest *t,
			 const char *initrd, struct certify_session_opts *so, char *logpath,
			 size_t loglen)
{
	memset(so, 0, sizeof(*so));
	so->qemu.machine = t->machine;
	so->qemu.accel = t->accel;
	so->qemu.firmware = t->firmware;
	so->qemu.smp = t->smp;
	so->qemu.mem_mib = t->mem_mib;
	so->qemu.kernel = o->kernel;
	so->qemu.cdrom = t->cdrom;
	so->qemu.initrd = initrd;
	so->qemu.append = t->append;
	so->qemu.extra = t->qemu.v;
	so->qemu.nextra = t->qemu.n;
	memcpy(so->qemu.disks, t->disks, sizeof(t->disks));
	so->qemu.ndisks = t->ndisks;
	so->qemu.timeout_s = t->timeout_s;
	so->auto_go = 1;
	so->elf = o->kernel;
	if (o->logdir) {
		snprintf(logpath, loglen, "%s/%s.log", o->logdir, t->name);
		remove(logpath);
		so->log_path = logpath;
	}
}

/* Appends "; why" to the reason list. */
static void ktrun_why(char *reasons, size_t len, const char *why)
{
	size_t used = strlen(reasons);

	snprintf(reasons + used, len - used, "%s%s", used ? "; " : "", why);
}

#define KTRUN_PRINT_TESTS	200	/* a flooding kernel's records are not all worth a line */

static void ktrun_print_tests(const struct hvr_run *run, FILE *out)
{
	if (run->ntest > KTRUN_PRINT_TESTS)
		fprintf(out, "  (%zu test records; the last %d follow)\n", run->ntest, KTRUN_PRINT_TESTS);
	for (size_t i = run->ntest > KTRUN_PRINT_TESTS ? run->ntest - KTRUN_PRINT_TESTS : 0;
	     i < run->ntest; i++) {
		const struct hvr_test *x = &run->test[i];

		fprintf(out, "  %-5s %s.%s (%.3f ms)%s%s\n", hvr_status_name(x->status), x->suite,
			x->name, (double)x->us / 1000.0, x->msg[0] ? " " : "", x->msg);
		for (size_t m = 0; m < x->nmetric; m++)
			fprintf(out, "        %s = %s %s\n", x->metric[m].name, x->metric[m].value,
				x->metric[m].unit);
	}
}

/* A failed entry's tests that did not pass, first and without their metrics: CI shows only
 * the head of a long failure, and the full list can run to dozens of tests. */
static void ktrun_print_unpassed(const struct hvr_run *run, FILE *out)
{
	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *x = &run->test[i];

		if (x->status != HVR_PASS)
			fprintf(out, "  => %s %s.%s: %s\n", hvr_status_name(x->status), x->suite, x->name,
				x->msg[0] ? x->msg : "(no message)");
	}
}

/* Counts the in-kernel tests. Only an entry that expects `pass` counts their failures; a
 * skipped in-kernel test is counted as skipped, never as passed. The records of a run whose
 * result channel broke are not believed at all: its outcome line is what counts. */
static void ktrun_count_tests(const struct certify_ktest *t, const struct hvr_run *run,
			      struct hvktest_tally *tally, char *reasons, size_t rlen)
{
	unsigned bad = 0;

	if (run->nerrors)
		return;
	for (size_t i = 0; i < run->ntest; i++) {
		enum hvr_status st = run->test[i].status;

		if (st == HVR_PASS)
			tally->passed++;
		else if (st == HVR_SKIP)
			tally->skipped++;
		else if ((st == HVR_FAIL || st == HVR_ERROR) && t->expect == CERTIFY_PASS)
			bad++;
	}
	tally->failed += bad;
	if (bad) {
		char why[64];

		snprintf(why, sizeof(why), "%u in-kernel test%s failed", bad, bad == 1 ? "" : "s");
		ktrun_why(reasons, rlen, why);
	}
}

/* The `modules` and `driver` expectations: one count each. */
static void ktrun_count_checks(const struct certify_ktest *t, const struct hvr_run *run,
			       struct ktrun_ctx *c, struct hvktest_tally *tally, char *reasons,
			       size_t rlen)
{
	size_t bad = 0;
	char why[512];

	for (size_t i = 0; i < t->nmodcheck + t->ndrvcheck + t->ncontcheck; i++) {
		size_t k = i - t->nmodcheck;
		int ok = i < t->nmodcheck
			 ? certify_modcheck_eval(&t->modcheck[i], run, why, sizeof(why))
			 : certify_drvcheck_eval(k < t->ndrvcheck ? &t->drvcheck[k]
								  : &t->contcheck[k - t->ndrvcheck],
						 run, why, sizeof(why));

		if (ok) {
			tally->passed++;
			continue;
		}
		tally->failed++;
		bad++;
		certify_strv_push(&c->check_lines, why);
	}
	if (bad) {
		snprintf(why, sizeof(why), "%zu module/driver expectation%s not met", bad,
			 bad == 1 ? "" : "s");
		ktrun_why(reasons, rlen, why);
	}
}

/* Judges the run; returns 1 when the entry passed. */
static int ktrun_judge(const struct certify_ktest *t, const struct certify_result *r,
		       struct ktrun_ctx *c, struct hvktest_tally *tally, char *reasons, size_t rlen)
{
	const struct hvr_run *run = &r->run;
	char why[700];

	ktrun_count_tests(t, run, tally, reasons, rlen);
	ktrun_count_checks(t, run, c, tally, reasons, rlen);
	if (run->nviolation && t->expect == CERTIFY_PASS) {
		/* The driver verifier (verifier=1) caught a driver breaking a rule: a failure
		 * even when every test passed, as certify judges it. */
		snprintf(why, sizeof(why), "%zu verifier violation%s, the first %s in %s: %s",
			 run->nviolation, run->nviolation == 1 ? "" : "s", run->violation[0].kind,
			 run->violation[0].module, run->violation[0].msg);
		ktrun_why(reasons, rlen, why);
		tally->failed++;
	}
	if (t->oracle[0]) {
		if (!c->oracle_done) {
			certify_strv_push(&c->oracle_lines, "the kernel never reached `sync point=pci`");
			c->oracle_diffs = 1;
		}
		if (c->oracle_diffs) {
			snprintf(why, sizeof(why), "oracle %s: %zu difference%s", t->oracle,
				 c->oracle_diffs, c->oracle_diffs == 1 ? "" : "s");
			ktrun_why(reasons, rlen, why);
		}
		c->oracle_diffs ? tally->failed++ : tally->passed++;
	}
	if (t->peer[0]) {
		/* What the host end saw of the kernel's frames counts as one test. */
		if (!c->peer_run.checked || c->peer_run.result[0]) {
			snprintf(why, sizeof(why), "peer: %s", c->peer_run.result[0] ? c->peer_run.result :
				 "the kernel never reached sync point peer-tx-done");
			ktrun_why(reasons, rlen, why);
			tally->failed++;
		} else {
			tally->passed++;
		}
	}
	if (t->verify_disk.n) {
		/* The host's own reading of the image counts as one test. */
		int want_bad = t->verify_bad > 0;
		if (want_bad && c->verified && c->verify.blocks &&
		    c->verify.bad_blocks == (uint64_t)t->verify_bad) {
			tally->passed++;	/* the check found exactly the blocks that were lost */
		} else if (want_bad) {
			snprintf(why, sizeof(why), "image check: %" PRIu64 " bad blocks of %" PRIu64 ", expected %d%s",
				 c->verify.bad_blocks, c->verify.blocks, t->verify_bad,
				 !c->verified ? " (the kernel never reached sync point blkverify)" : "");
			ktrun_why(reasons, rlen, why);
			tally->failed++;
		} else if (!c->verified || c->verify.bad_blocks || c->verify.problems.n || !c->verify.blocks) {
			snprintf(why, sizeof(why), "image check: %s", c->verify.problems.n ? c->verify.problems.v[0] :
				 !c->verified ? "no blkwrite record, and no sync point blkverify" :
				 "no written block was reported");
			ktrun_why(reasons, rlen, why);
			tally->failed++;
		} else {
			tally->passed++;
		}
	}
	if (t->qmp.n) {
		/* The QMP actions (link flaps, unplugs ...) count as one test of the entry. */
		if (c->qmp_errors.n || !c->qmp_done) {
			snprintf(why, sizeof(why), "%s", c->qmp_errors.n ? c->qmp_errors.v[0] :
				 "the kernel never reached a sync point with QMP work");
			ktrun_why(reasons, rlen, why);
			tally->failed++;
		} else {
			tally->passed++;
		}
	}
	if (r->outcome != t->expect) {
		snprintf(why, sizeof(why), "expected %s, got %s: %s", certify_outcome_name(t->expect),
			 certify_outcome_name(r->outcome), r->reason);
		ktrun_why(reasons, rlen, why);
	} else if (run->nerrors && t->expect != CERTIFY_ERROR) {
		snprintf(why, sizeof(why), "%zu result-channel error%s: %s", run->nerrors,
			 run->nerrors == 1 ? "" : "s", run->error[0]);
		ktrun_why(reasons, rlen, why);
	} else if (r->outcome <= CERTIFY_POLICY && !run->has_end && !run->nerrors) {
		ktrun_why(reasons, rlen, "the kernel exited without an `end` record");
	} else if (r->outcome == CERTIFY_PANIC && !run->has_panic) {
		ktrun_why(reasons, rlen, "the kernel panicked without a `panic` record");
	}
	/* The outcome line counts as passed only when nothing else about the end went wrong. */
	if (r->outcome == t->expect && (!run->nerrors || t->expect == CERTIFY_ERROR) &&
	    !(r->outcome <= CERTIFY_POLICY && !run->has_end && !run->nerrors) &&
	    !(r->outcome == CERTIFY_PANIC && !run->has_panic))
		tally->passed++;
	else
		tally->failed++;
	return reasons[0] == '\0';
}

/* Prints every line of text with prefix in front. */
static void ktrun_indent(const char *text, const char *prefix, FILE *out)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		fprintf(out, "%s%.*s\n", prefix, (int)n, text);
		text += n + (text[n] == '\n');
	}
}

static void ktrun_print_failure(const struct certify_result *r, const struct ktrun_ctx *c,
				const char *logpath, FILE *out)
{
	const struct hvr_run *run = &r->run;

	for (size_t i = 0; i < c->oracle_lines.n; i++)
		fprintf(out, "  oracle: %s\n", c->oracle_lines.v[i]);
	for (size_t i = 0; i < c->check_lines.n; i++)
		fprintf(out, "  expect: %s\n", c->check_lines.v[i]);
	for (size_t i = 0; i < run->nerrors && i < sizeof(run->error) / sizeof(run->error[0]); i++)
		fprintf(out, "  protocol: %s\n", run->error[i]);
	if (run->has_panic)
		fprintf(out, "  panic: %s (vector %" PRIu64 ", rip %" PRIx64 ")\n", run->panic_msg,
			run->panic_vector, run->panic_rip);
	if (r->backtrace)
		fprintf(out, "  backtrace:\n%s", r->backtrace);
	if (r->qemu_output) {
		fprintf(out, "  QEMU said:\n");
		ktrun_indent(r->qemu_output, "    ", out);
	}
	fprintf(out, "  --- COM1 log tail%s%s ---\n%s%s", logpath[0] ? " from " : "", logpath,
		r->com1_tail ? r->com1_tail : "(empty)\n",
		r->com1_tail && r->com1_tail[strlen(r->com1_tail) - 1] != '\n' ? "\n" : "");
}

void hvktest_run(const struct hvktest_opts *o, const struct certify_ktest *t, FILE *out,
		 struct hvktest_tally *tally)
{
	struct certify_session_opts so;
	struct certify_result r;
	struct ktrun_ctx c = { .t = t };
	char logpath[512] = "", reasons[2048] = "", *initrd;
	struct certify_err err;
	int ok, rc;

	memset(tally, 0, sizeof(*tally));
	if (t->accel == QEMU_ACCEL_KVM && !o->kvm_ok) {
		fprintf(out, "SKIP %s (kvm unavailable: %s)\n", t->name, o->kvm_why);
		tally->skipped = 1;
		tally->entry_skipped = 1;
		return;
	}
	for (size_t i = 0; i < t->needs.n; i++) {
		char path[1024], why2[256] = "", logp[1024];
		snprintf(path, sizeof(path), "%s/%s", o->moddir, t->needs.v[i]);
		if (access(path, R_OK) == 0)
			continue;
		/* What could not make it says why (scripts/linux-guest.sh writes fetch.log). */
		snprintf(logp, sizeof(logp), "%.*s/fetch.log", (int)(strrchr(path, '/') - path), path);
		FILE *lf = fopen(logp, "r");
		if (lf) {
			if (!fgets(why2, sizeof(why2), lf))
				why2[0] = 0;
			why2[strcspn(why2, "\n")] = 0;
			fclose(lf);
		}
		fprintf(out, "SKIP %s (needs %s, which is missing%s%s)\n", t->name, path, why2[0] ? ": " : "",
			why2);
		tally->skipped = 1;
		tally->entry_skipped = 1;
		return;
	}
	initrd = certify_ktest_initrd(t, o->moddir, &rc, &err);
	if (rc < 0) {
		fprintf(out, "FAIL %s (%s)\n", t->name, err.msg);
		tally->failed = 1;
		tally->entry_failed = 1;
		return;
	}
	ktrun_config(o, t, initrd, &so, logpath, sizeof(logpath));
	so.on_record = ktrun_on_record;
	so.on_exit = ktrun_on_exit;
	so.ctx = &c;
	struct certify_strv extra = { 0 };
	char why[300];
	if (t->peer_tap_queues && certify_tap_available(why, sizeof(why)) < 0) {
		/* Like kvm: a tap needs root and /dev/net/tun, which this host does not give. */
		fprintf(out, "SKIP %s (tap unavailable: %s)\n", t->name, why);
		tally->skipped = 1;
		tally->entry_skipped = 1;
		free(initrd);
		return;
	}
	if (t->peer[0]) {
		/* The NIC's netdev goes to our UDP socket or our tap: its args join the entry's. */
		if ((t->peer_tap_queues ? certify_peer_open_tap(&c.peer, t->peer_tap_queues, &err)
					: certify_peer_open(&c.peer, &err)) < 0) {
			fprintf(out, "FAIL %s (%s)\n", t->name, err.msg);
			tally->failed = 1;
			tally->entry_failed = 1;
			free(initrd);
			return;
		}
		c.peer_open = 1;
		for (size_t i = 0; i < t->qemu.n; i++)
			certify_strv_push(&extra, t->qemu.v[i]);
		certify_peer_qemu_args(&c.peer, t->peer, &extra);
		so.qemu.extra = extra.v;
		so.qemu.nextra = extra.n;
		so.nkeep_fds = certify_peer_keep_fds(&c.peer, &so.keep_fds);
	}
	certify_session_run(&so, &r);
	if (c.peer_open)
		certify_peer_close(&c.peer);
	certify_strv_free(&extra);
	ok = ktrun_judge(t, &r, &c, tally, reasons, sizeof(reasons));
	if (ok)
		fprintf(out, "PASS %s (%zu test%s, %.2f s)\n", t->name, r.run.ntest,
			r.run.ntest == 1 ? "" : "s", r.duration_s);
	else
		fprintf(out, "FAIL %s (%s)\n", t->name, reasons);
	if (!ok)
		ktrun_print_unpassed(&r.run, out);
	if (o->verbose || !ok)
		ktrun_print_tests(&r.run, out);
	if (!ok)
		ktrun_print_failure(&r, &c, logpath, out);
	else if (o->verbose && r.outcome == CERTIFY_PANIC && r.backtrace)
		fprintf(out, "  backtrace:\n%s", r.backtrace);
	tally->entry_failed = !ok;
	certify_strv_free(&c.oracle_lines);
	certify_strv_free(&c.qmp_errors);
	certify_blkverify_free(&c.verify);
	free(c.writes);
	certify_strv_free(&c.check_lines);
	certify_result_free(&r);
	free(initrd);
}
