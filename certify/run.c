/* certify: run a plan's configurations and judge them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "run.h"
#include "qmp.h"
#include "blkverify.h"
#include "peer.h"
#include <json-c/json.h>

const char *certify_verdict_name(enum certify_verdict v)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };

	return names[v];
}

/* Appends " word" to the kernel command line. */
static int run_append(char *buf, size_t len, const char *word)
{
	size_t used = strlen(buf);

	if (used + strlen(word) + 2 > len)
		return -1;
	snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
	return 0;
}

static int run_nic_pair(const struct certify_dut *d, size_t i, struct certify_strv *a)
{
	int r = 0;

	/* Two instances on one hub: every frame one sends reaches the other. */
	for (int k = 0; k < 2; k++) {
		r |= certify_strv_push(a, "-netdev");
		r |= certify_strv_pushf(a, "hubport,id=n%zu%c,hubid=%zu", i, 'a' + k, i + 1);
		r |= certify_strv_push(a, "-device");
		r |= certify_strv_pushf(a, "%s,netdev=n%zu%c,id=n%zu%c,mac=52:54:00:12:%02zx:%02x,romfile=%s",
					d->model, i, 'a' + k, i, 'a' + k, i, k + 1, d->props);
	}
	/* A third, device-less port, as in the Linux baseline: it takes the frames when the
	 * other NIC is stopped (nic.txonly), so a NIC whose QEMU model sends asynchronously
	 * (virtio-net) is not held back by a hub with nobody left to deliver to. */
	r |= certify_strv_push(a, "-netdev");
	r |= certify_strv_pushf(a, "hubport,id=n%zuz,hubid=%zu", i, i + 1);
	return r;
}

static int run_disk(const struct certify_run_spec *spec, const struct certify_dut *d, size_t i,
		    const char *eio, struct qemu_config *q, struct certify_strv *a)
{
	struct qemu_disk *disk;
	int r = 0;

	if (q->ndisks == QEMU_MAX_DISKS)
		return -1;
	disk = &q->disks[q->ndisks++];
	memset(disk, 0, sizeof(*disk));
	snprintf(disk->name, sizeof(disk->name), "d%zu", i);
	disk->size = spec->plan->disk_bytes;
	r |= certify_strv_push(a, "-drive");
	if (*eio)	/* blkdebug makes every read covering that 512-byte sector fail with EIO */
		r |= certify_strv_pushf(a, "if=none,id=d%zu,format=raw,file.driver=blkdebug,"
					"file.image.driver=file,file.image.filename=${disk:d%zu},"
					"file.inject-error.0.event=read_aio,file.inject-error.0.errno=5,"
					"file.inject-error.0.sector=%s", i, i, eio);
	else
		r |= certify_strv_pushf(a, "if=none,id=d%zu,format=raw,file=${disk:d%zu}", i, i);
	r |= certify_strv_push(a, "-device");
	if (!strcmp(d->model, "nvme"))
		r |= certify_strv_pushf(a, "nvme,serial=hvkcert%zu,drive=d%zu%s", i, i, d->props);
	else if (!strcmp(d->model, "ich9-ahci")) {
		r |= certify_strv_pushf(a, "ich9-ahci,id=ahci%zu%s", i, d->props);
		r |= certify_strv_push(a, "-device");
		r |= certify_strv_pushf(a, "ide-hd,drive=d%zu,bus=ahci%zu.0", i, i);
	} else if (!strcmp(d->model, "pvscsi")) {	/* an HBA: the disk is a SCSI target */
		r |= certify_strv_pushf(a, "pvscsi,id=pvscsi%zu%s", i, d->props);
		r |= certify_strv_push(a, "-device");
		r |= certify_strv_pushf(a, "scsi-hd,drive=d%zu,bus=pvscsi%zu.0,scsi-id=0", i, i);
	} else if (!strncmp(d->model, "megasas", 7)) {	/* megasas, megasas-gen2: an HBA too */
		r |= certify_strv_pushf(a, "%s,id=megasas%zu%s", d->model, i, d->props);
		r |= certify_strv_push(a, "-device");
		r |= certify_strv_pushf(a, "scsi-hd,drive=d%zu,bus=megasas%zu.0,scsi-id=0", i, i);
	} else
		r |= certify_strv_pushf(a, "%s,drive=d%zu%s", d->model, i, d->props);
	return r;
}

static int run_cmdline(const struct certify_run_spec *spec, const struct certify_config *c,
		       const char *eio, char *append, size_t len, struct certify_err *err)
{
	const struct certify_plan *p = spec->plan;
	char word[512];
	size_t used = 0;

	append[0] = '\0';
	used = (size_t)snprintf(word, sizeof(word), "test=");
	for (size_t i = 0; i < p->tests.n; i++)
		used += (size_t)snprintf(word + used, sizeof(word) - used, "%s%s", i ? "," : "",
					 p->tests.v[i]);
	if (used >= sizeof(word) || run_append(append, len, word) < 0)
		return certify_errf(err, "%s: the test selection is too long", p->file);
	for (size_t i = 0; i < p->params.n; i++) {
		if (certify_plan_expand(p, p->params.v[i], spec->seed, word, sizeof(word), err) < 0)
			return -1;
		if (run_append(append, len, word) < 0)
			return certify_errf(err, "%s: the kernel command line is too long", p->file);
	}
	snprintf(word, sizeof(word), "blk.seed=%llu", (unsigned long long)spec->seed);
	int r = run_append(append, len, word);
	if (*eio) {
		snprintf(word, sizeof(word), "blk.eio_lba=%s", eio);
		r |= run_append(append, len, word);
	}
	if (strcmp(c->irq, "none")) {
		snprintf(word, sizeof(word), "pci.irq=%s", c->irq);
		r |= run_append(append, len, word);
	}
	return r ? certify_errf(err, "%s: the kernel command line is too long", p->file) : 0;
}

/* The boot modules, comma-separated for QEMU's -initrd. */
static int run_initrd(const struct certify_run_spec *spec, char *out, size_t len,
		      struct certify_err *err)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < spec->nmods; i++) {
		const char *p = spec->mods[i].path;

		if (strpbrk(p, ", "))
			return certify_errf(err, "%s: QEMU cannot take a module path with a comma or blank", p);
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", p);
		if (used >= len)
			return certify_errf(err, "%s: too many or too long module paths", p);
	}
	return 0;
}

int certify_run_qemu_config(const struct certify_run_spec *spec, const struct certify_config *c,
			    struct qemu_config *q, struct certify_strv *args, char *initrd,
			    size_t initrdlen, char *append, size_t appendlen, struct certify_err *err)
{
	const struct certify_plan *p = spec->plan;
	char eio[32] = "";
	int r = 0;

	memset(q, 0, sizeof(*q));
	q->machine = c->machine;
	q->accel = c->accel;
	q->firmware = p->firmware;
	q->smp = c->smp;
	q->mem_mib = p->mem_mib;
	q->kernel = spec->kernel;
	q->timeout_s = p->timeout_s;
	int nic_wired = 0;

	if (p->eio_lba[0] && p->topology == CERTIFY_TOPO_DISK &&
	    certify_plan_expand(p, p->eio_lba, spec->seed, eio, sizeof(eio), err) < 0)
		return -1;
	for (size_t i = 0; i < spec->ndut; i++) {
		const struct certify_dut *d = &spec->dut[i];

		if (p->topology == CERTIFY_TOPO_NIC_PAIR)
			r |= run_nic_pair(d, i, args);
		else if (p->topology == CERTIFY_TOPO_DISK)
			r |= run_disk(spec, d, i, i == 0 ? eio : "", q, args);
		else if (p->topology == CERTIFY_TOPO_VM && d->m && d->m->kind == CERTIFY_KIND_STORAGE)
			r |= run_disk(spec, d, i, "", q, args);
		else if (p->topology == CERTIFY_TOPO_VM && d->m && d->m->kind == CERTIFY_KIND_NIC && !nic_wired) {
			/* The NIC's netdev is the host peer, added by run_one (-netdev socket,id=hp). */
			r |= certify_strv_push(args, "-device");
			r |= certify_strv_pushf(args, "%s,netdev=hp,romfile=%s", d->model, d->props);
			nic_wired = 1;
		}
		else {
			r |= certify_strv_push(args, "-device");
			r |= certify_strv_pushf(args, "%s%s", d->model, d->props);
		}
	}
	if (r)
		return certify_errf(err, "out of memory or disk slots building the device topology");
	if (run_initrd(spec, initrd, initrdlen, err) < 0)
		return -1;
	q->initrd = initrd[0] ? initrd : NULL;
	q->extra = args->v;
	q->nextra = args->n;
	return run_cmdline(spec, c, eio, append, appendlen, err);
}

const struct hvr_pci *certify_run_find_pci(const struct hvr_run *run, const struct certify_model *m)
{
	for (size_t i = 0; i < run->npci; i++) {
		if (run->pci[i].vid == m->vid && run->pci[i].did == m->did)
			return &run->pci[i];
	}
	return NULL;
}

/* The boot modules as the kernel saw them: each must have loaded, unchanged. */
static enum certify_verdict run_judge_modules(const struct certify_run_spec *spec,
					      const struct hvr_run *run, char *reason, size_t len)
{
	for (size_t i = 0; i < spec->nmods; i++) {
		const struct certify_modinfo *mi = &spec->mods[i];
		const char *base = strrchr(mi->path, '/') ? strrchr(mi->path, '/') + 1 : mi->path;
		const struct hvr_module *m = hvr_run_module(run, base);

		if (!m) {
			snprintf(reason, len, "module %s: the kernel did not report it", base);
			return CERTIFY_V_ERROR;
		}
		if (!strcmp(m->status, "refused") || !strcmp(m->status, "failed")) {
			snprintf(reason, len, "module %s %s: %s", base, m->status, m->reason);
			return CERTIFY_V_FAIL;
		}
		if (strcmp(m->status, "loaded")) {
			snprintf(reason, len, "module %s %s: %s", base, m->status, m->reason);
			return CERTIFY_V_ERROR;
		}
		if (strcmp(m->sha256, mi->sha256)) {
			snprintf(reason, len, "module %s: the kernel's sha256 %.12s differs from the "
				 "file's %.12s", base, m->sha256, mi->sha256);
			return CERTIFY_V_ERROR;
		}
	}
	for (size_t i = 0; i < spec->ndut && spec->nmods; i++) {
		const struct hvr_pci *p = certify_run_find_pci(run, spec->dut[i].m);

		if (!p) {
			snprintf(reason, len, "%s (%04x:%04x): not in the kernel's PCI list",
				 spec->dut[i].model, spec->dut[i].m->vid, spec->dut[i].m->did);
			return CERTIFY_V_ERROR;
		}
		if (!strcmp(p->driver, "-")) {
			snprintf(reason, len, "%s at %s: no driver bound", spec->dut[i].model, p->slot);
			return CERTIFY_V_FAIL;
		}
	}
	return CERTIFY_V_PASS;
}

static int run_reported(const struct hvr_run *run, const char *word)
{
	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *t = &run->test[i];
		size_t sl = strlen(t->suite);

		if (!strcmp(word, t->suite) ||
		    (!strncmp(word, t->suite, sl) && word[sl] == '.' && !strcmp(word + sl + 1, t->name)))
			return 1;
	}
	return 0;
}

static enum certify_verdict run_judge_tests(const struct certify_run_spec *spec,
					    const struct hvr_run *run, char *reason, size_t len)
{
	const struct hvr_test *bad = NULL;	/* the first failing test, else the first error */

	for (size_t i = 0; i < run->ntest; i++) {
		const struct hvr_test *t = &run->test[i];
		int req = certify_plan_requires(spec->plan, t->suite, t->name);

		if (t->status == HVR_FAIL || (t->status == HVR_SKIP && req)) {
			bad = t;
			break;
		}
		if (t->status == HVR_ERROR && !bad)
			bad = t;
	}
	if (bad) {
		snprintf(reason, len, "%s.%s: %s%s%s", bad->suite, bad->name,
			 bad->status == HVR_SKIP ? "required test skipped" : hvr_status_name(bad->status),
			 bad->msg[0] ? ": " : "", bad->msg);
		return bad->status == HVR_ERROR ? CERTIFY_V_ERROR : CERTIFY_V_FAIL;
	}
	for (size_t i = 0; i < spec->plan->required.n; i++) {
		const char *w = spec->plan->required.v[i];

		if (strcmp(w, "all") && !run_reported(run, w)) {
			snprintf(reason, len, "required test %s did not report", w);
			return CERTIFY_V_ERROR;
		}
	}
	return CERTIFY_V_PASS;
}

enum certify_verdict certify_run_judge(const struct certify_run_spec *spec,
				       const struct certify_result *res, char *reason,
				       size_t len)
{
	const struct hvr_run *run = &res->run;
	const char *oc = certify_outcome_name(res->outcome);
	enum certify_verdict v;

	snprintf(reason, len, "%s", res->reason);
	if (run->nerrors) {
		snprintf(reason, len, "result channel: %s", run->error[0]);
		return CERTIFY_V_ERROR;
	}
	switch (res->outcome) {
	case CERTIFY_TIMEOUT: case CERTIFY_PANIC: case CERTIFY_RESET:
		snprintf(reason, len, "%s: %s", oc, run->has_panic ? run->panic_msg : res->reason);
		return CERTIFY_V_FAIL;
	case CERTIFY_PASS: case CERTIFY_FAIL: case CERTIFY_ERROR:
		break;
	default:
		snprintf(reason, len, "%s: %s", oc, res->reason);
		return CERTIFY_V_ERROR;
	}
	v = run_judge_modules(spec, run, reason, len);
	if (v != CERTIFY_V_PASS)
		return v;
	v = run_judge_tests(spec, run, reason, len);
	if (v == CERTIFY_V_PASS && res->outcome != CERTIFY_PASS) {
		snprintf(reason, len, "kernel outcome %s: %s", oc, res->reason);
		v = res->outcome == CERTIFY_FAIL ? CERTIFY_V_FAIL : CERTIFY_V_ERROR;
	}
	if (v == CERTIFY_V_PASS)
		snprintf(reason, len, "%zu tests passed", run->ntest);
	return v;
}

enum certify_verdict certify_run_verdict(const struct certify_config_result *r, size_t n)
{
	int ran = 0, err = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].verdict == CERTIFY_V_FAIL)
			return CERTIFY_V_FAIL;
		err |= r[i].verdict == CERTIFY_V_ERROR;
		ran |= r[i].verdict != CERTIFY_V_SKIP;
	}
	return err || !ran ? CERTIFY_V_ERROR : CERTIFY_V_PASS;
}

void certify_config_result_free(struct certify_config_result *r)
{
	if (r->ran)
		certify_result_free(&r->res);
	free(r->log);
	r->log = NULL;
}

/* The executor: workers take the next configuration until none is left. */
struct run_exec {
	const struct certify_run_spec *spec;
	const struct certify_config *cfgs;
	size_t n, next;
	const struct certify_run_hooks *hooks;
	struct certify_config_result *results;
	pthread_mutex_t lock;
};

struct run_boot {
	struct run_exec *x;
	const struct certify_config *cfg;
	struct certify_blkwrite *writes;	/* blkwrite records awaiting the image check */
	size_t nwrites;
	struct certify_blkverify verify;
	int verified;
	struct certify_peer peer;		/* topology vm: the host end of the NIC */
	int peer_open;
	struct certify_peer_run peer_run;
};

/* blk.host_verify / vmm.host_verify: at sync point blkverify read the image of the first
 * disk (the kernel's vmhba0: disk dN of the first device with one, N its place on the
 * command line) and check every block the kernel reported. */
static void run_verify_image(struct certify_session *s, struct run_boot *b)
{
	const struct certify_run_spec *spec = b->x->spec;
	char path[512], disk[24] = "d0";
	struct certify_err err;

	b->verified = 1;
	for (size_t i = 0; spec->plan->topology == CERTIFY_TOPO_VM && i < spec->ndut; i++)
		if (spec->dut[i].m && spec->dut[i].m->kind == CERTIFY_KIND_STORAGE) {
			snprintf(disk, sizeof(disk), "d%zu", i);
			break;
		}
	if (certify_session_disk_path(s, disk, path, sizeof(path), &err) < 0) {
		certify_strv_push(&b->verify.problems, err.msg);
		return;
	}
	for (size_t i = 0; i < b->nwrites; i++)
		certify_blkverify_extent(path, &b->writes[i], &b->verify);
	b->nwrites = 0;
}

/* nic.linkflap asks the host to take the first NIC's link down and up at its sync points;
 * the session answers "go" after we return. A refused set_link leaves the link as it was,
 * and the kernel's test reports the missing transition. */
static int run_link_flap(struct certify_session *s, const char *point)
{
	struct qmp *q = certify_session_qmp(s);
	json_object *args, *ret = NULL;
	struct certify_err err;
	int up;

	if (!point || !q)
		return 0;
	if (strcmp(point, "link-down") == 0)
		up = 0;
	else if (strcmp(point, "link-up") == 0)
		up = 1;
	else
		return 0;
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string("n0a"));
	json_object_object_add(args, "up", json_object_new_boolean(up));
	qmp_execute(q, "set_link", args, &ret, 5.0, &err);
	json_object_put(ret);
	return 0;
}

static int run_on_record(struct certify_session *s, const struct hvr_record *rec, double host_s,
			 void *ctx)
{
	struct run_boot *b = ctx;
	const struct hvr_run *st = certify_session_state(s);

	(void)host_s;
	if (strcmp(rec->type, "blkwrite") == 0) {
		struct certify_blkwrite w, *nw;
		if (certify_blkwrite_parse(hvr_get(rec, "dev"), hvr_get(rec, "lba"), hvr_get(rec, "blocks"),
					   hvr_get(rec, "block_size"), hvr_get(rec, "seed"), &w) < 0 ||
		    certify_blkwrite_base(hvr_get(rec, "base"), &w) < 0) {
			certify_strv_push(&b->verify.problems, "a malformed blkwrite record");
			return 0;
		}
		nw = realloc(b->writes, (b->nwrites + 1) * sizeof(*nw));
		if (nw) {
			b->writes = nw;
			b->writes[b->nwrites++] = w;
		}
		return 0;
	}
	if (strcmp(rec->type, "sync") == 0 && hvr_get(rec, "point") &&
	    strcmp(hvr_get(rec, "point"), "blkverify") == 0) {
		run_verify_image(s, b);
		return 0;
	}
	if (strcmp(rec->type, "sync") == 0 && b->peer_open && hvr_get(rec, "point") &&
	    certify_peer_sync(&b->peer, &b->peer_run, hvr_get(rec, "point")))
		return 0;
	if (strcmp(rec->type, "sync") == 0)
		return run_link_flap(s, hvr_get(rec, "point"));
	if (strcmp(rec->type, "test") || st->ntest == 0 || !b->x->hooks || !b->x->hooks->test)
		return 0;
	pthread_mutex_lock(&b->x->lock);
	b->x->hooks->test(b->x->hooks->ctx, b->cfg, &st->test[st->ntest - 1]);
	pthread_mutex_unlock(&b->x->lock);
	return 0;
}

static char *run_read_log(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, len = 0, got;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap && cap < (8u << 20)) {
			char *nb = realloc(buf, (cap *= 2) + 1);

			if (!nb)
				break;
			buf = nb;
		} else if (len == cap) {
			break;	/* keep the first 8 MiB */
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void run_one(struct run_exec *x, size_t i)
{
	struct certify_config_result *r = &x->results[i];
	struct certify_session_opts so;
	struct certify_strv args = { 0 };
	struct run_boot b;
	struct certify_err err;
	const char *tmp = getenv("TMPDIR");
	char logpath[512], initrd[4096];
	int fd;

	memset(&so, 0, sizeof(so));
	memset(&b, 0, sizeof(b));
	b.x = x;
	b.cfg = &x->cfgs[i];
	if (certify_run_qemu_config(x->spec, &x->cfgs[i], &so.qemu, &args, initrd, sizeof(initrd),
				    r->append, sizeof(r->append), &err) < 0) {
		r->verdict = CERTIFY_V_ERROR;
		snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
		certify_strv_free(&args);
		return;
	}
	so.qemu.append = r->append;
	if (x->spec->plan->topology == CERTIFY_TOPO_VM) {
		if (certify_peer_open(&b.peer, &err) < 0 || certify_peer_qemu_args(&b.peer, "hp", &args) < 0) {
			r->verdict = CERTIFY_V_ERROR;
			snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
			certify_strv_free(&args);
			return;
		}
		b.peer_open = 1;
		so.qemu.extra = args.v;	/* args may have moved while growing */
		so.qemu.nextra = args.n;
	}
	snprintf(logpath, sizeof(logpath), "%s/certify-log.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(logpath);
	if (fd >= 0)
		close(fd);
	so.log_path = fd >= 0 ? logpath : NULL;
	so.on_record = run_on_record;
	so.ctx = &b;
	so.auto_go = 1;
	so.elf = x->spec->kernel;
	certify_session_run(&so, &r->res);
	r->ran = 1;
	if (fd >= 0) {
		r->log = run_read_log(logpath);
		unlink(logpath);
	}
	r->verdict = certify_run_judge(x->spec, &r->res, r->reason, sizeof(r->reason));
	/* The host end of the wire decides too: frames the kernel sent must all have arrived. */
	if (b.peer_open) {
		certify_peer_close(&b.peer);
		if (r->verdict == CERTIFY_V_PASS && (!b.peer_run.checked || b.peer_run.result[0])) {
			r->verdict = CERTIFY_V_FAIL;
			snprintf(r->reason, sizeof(r->reason), "host peer: %s", b.peer_run.result[0] ?
				 b.peer_run.result : "the kernel never reached sync point peer-tx-done");
		}
	}
	/* What reached the medium decides too: a bad block in the image fails the driver. */
	if (b.verified && r->verdict == CERTIFY_V_PASS && (b.verify.bad_blocks || b.verify.problems.n)) {
		r->verdict = CERTIFY_V_FAIL;
		snprintf(r->reason, sizeof(r->reason), "image check: %llu of %llu blocks wrong: %s",
			 (unsigned long long)b.verify.bad_blocks, (unsigned long long)b.verify.blocks,
			 b.verify.problems.n ? b.verify.problems.v[0] : "");
	}
	free(b.writes);
	certify_strv_free(&b.verify.problems);
	certify_strv_free(&args);
}

static void *run_worker(void *arg)
{
	struct run_exec *x = arg;

	pthread_mutex_lock(&x->lock);
	while (x->next < x->n && !certify_proc_interrupted()) {
		size_t i = x->next++;
		struct certify_config_result *r = &x->results[i];

		r->cfg = x->cfgs[i];
		if (x->cfgs[i].skip[0]) {
			r->verdict = CERTIFY_V_SKIP;
			snprintf(r->reason, sizeof(r->reason), "%s", x->cfgs[i].skip);
		} else {
			if (x->hooks && x->hooks->start)
				x->hooks->start(x->hooks->ctx, &x->cfgs[i]);
			pthread_mutex_unlock(&x->lock);
			run_one(x, i);
			pthread_mutex_lock(&x->lock);
		}
		if (x->hooks && x->hooks->done)
			x->hooks->done(x->hooks->ctx, r);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

int certify_run_all(const struct certify_run_spec *spec, const struct certify_config *cfgs,
		    size_t n, const struct certify_run_hooks *hooks,
		    struct certify_config_result *results)
{
	struct run_exec x = { spec, cfgs, n, 0, hooks, results, PTHREAD_MUTEX_INITIALIZER };
	int jobs = spec->jobs < 1 ? 1 : spec->jobs > 64 ? 64 : spec->jobs;
	pthread_t th[64];
	int started = 0;

	memset(results, 0, n * sizeof(*results));
	for (int i = 1; i < jobs && (size_t)i < n; i++) {
		if (pthread_create(&th[started], NULL, run_worker, &x) == 0)
			started++;
	}
	run_worker(&x);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = x.next; i < n; i++) {
		results[i].cfg = cfgs[i];
		results[i].verdict = CERTIFY_V_ERROR;
		snprintf(results[i].reason, sizeof(results[i].reason), "interrupted before it ran");
		if (hooks && hooks->done)
			hooks->done(hooks->ctx, &results[i]);
	}
	return x.next < n ? -1 : 0;
}
