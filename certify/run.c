/* certify: the executor (run.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "attach.h"
#include "blkstats.h"
#include "blkverify.h"
#include "cmdline.h"
#include "fwverify.h"
#include "macverify.h"
#include "peer.h"
#include "proc.h"
#include "qmp.h"
#include "run.h"
#include "symbolize.h"
#include "wire.h"

int certify_run_qemu_config(const struct certify_run_spec *spec, const struct certify_config *c,
			    struct qemu_config *q, struct certify_strv *args, char *initrd,
			    size_t initrdlen, char *append, size_t appendlen, struct certify_err *err)
{
	const struct certify_plan *p = spec->plan;
	struct certify_inject inj;

	memset(q, 0, sizeof(*q));
	q->machine = c->machine;
	q->accel = c->accel;
	q->firmware = p->firmware;
	q->iommu = p->iommu;
	q->smp = c->smp;
	q->mem_mib = p->mem_mib;
	q->kernel = spec->kernel;
	q->timeout_s = p->timeout_s;
	memset(&inj, 0, sizeof(inj));
	if (p->topology == CERTIFY_TOPO_DISK) {
		if ((p->eio_lba[0] && certify_plan_expand(p, p->eio_lba, spec->seed, inj.rlba,
							  sizeof(inj.rlba), err) < 0) ||
		    (p->eio_wlba[0] && certify_plan_expand(p, p->eio_wlba, spec->seed, inj.wlba,
							   sizeof(inj.wlba), err) < 0))
			return -1;
		inj.flush = p->eio_flush;
	}
	if (certify_attach_topology(spec, &inj, q, args) < 0)
		return certify_errf(err, "out of memory or disk slots building the device topology");
	if (certify_initrd_build(spec, initrd, initrdlen, err) < 0)
		return -1;
	q->initrd = initrd[0] ? initrd : NULL;
	q->extra = args->v;
	q->nextra = args->n;
	return certify_cmdline_build(spec, c, &inj, append, appendlen, err);
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
	struct certify_macverify mac;		/* nic.mac: the kernel's netdev records */
	struct certify_wire wire;		/* topology nic-pair: the hub's wire tap */
	char flap_mac[24];			/* the NIC the last linkflap record named */
	int wire_open;
	/* blk.host_stats: QEMU's counters of the first disk at blkstats-start, the kernel's
	 * blkstats record for it, and what the comparison at sync point blkstats found */
	struct certify_blkstats stats_before, stats_kernel;
	int stats_state;		/* 0 none, 1 baseline taken, -1 baseline failed */
	int stats_have_kernel;
	struct certify_hostcheck stats_check;
	int stats_done;
	char stats_err[512];
};

/* The model of the device whose disk is the first (the kernel's vmhba0). */
static const struct certify_model *run_first_disk_model(const struct certify_run_spec *spec)
{
	for (size_t i = 0; i < spec->ndut; i++)
		if (spec->dut[i].m && spec->dut[i].m->kind == CERTIFY_KIND_STORAGE)
			return spec->dut[i].m;
	static const struct certify_model none = { 0 };
	return &none;
}

/* Sync points blkstats-start and blkstats of blk.host_stats (blkstats.h). */
static void run_blkstats(struct certify_session *s, struct run_boot *b, const char *point)
{
	char disk[24];
	struct certify_blkstats after;
	struct certify_err err;

	certify_attach_first_disk(b->x->spec, disk, sizeof(disk));
	if (!strcmp(point, "blkstats-start")) {
		if (certify_blkstats_query(certify_session_qmp(s), disk, &b->stats_before, &err) < 0) {
			b->stats_state = -1;
			snprintf(b->stats_err, sizeof(b->stats_err), "%s", err.msg);
		} else {
			b->stats_state = 1;
		}
		return;
	}
	b->stats_done = 1;
	if (b->stats_state < 0)
		certify_hostcheck_notrun(&b->stats_check, "at blkstats-start: %s", b->stats_err);
	else if (b->stats_state == 0)
		certify_hostcheck_notrun(&b->stats_check, "the kernel never reached sync point blkstats-start");
	else if (!b->stats_have_kernel)
		certify_hostcheck_done(&b->stats_check, 0, "the kernel sent no valid blkstats record for vmhba0");
	else if (certify_blkstats_query(certify_session_qmp(s), disk, &after, &err) < 0)
		certify_hostcheck_notrun(&b->stats_check, "%s", err.msg);
	else
		certify_blkstats_compare(&b->stats_before, &after, &b->stats_kernel,
					 run_first_disk_model(b->x->spec)->flushes_uncounted,
					 run_first_disk_model(b->x->spec)->failed_counted_done, &b->stats_check);
}

/* blk.host_verify / vmm.host_verify: at sync point blkverify read the image of the disk the
 * kernel calls vmhba0 (certify_attach_first_disk) and check every block it reported. */
static void run_verify_image(struct certify_session *s, struct run_boot *b)
{
	char path[512], disk[24];
	struct certify_err err;

	b->verified = 1;
	certify_attach_first_disk(b->x->spec, disk, sizeof(disk));
	if (certify_session_disk_path(s, disk, path, sizeof(path), &err) < 0) {
		b->verify.unreadable = 1;
		certify_strv_push(&b->verify.problems, err.msg);
		return;
	}
	/* Newest first: a block written twice holds the last write (blkverify.h). */
	certify_blkverify_batch(&b->verify);
	for (size_t i = b->nwrites; i-- > 0; )
		certify_blkverify_extent(path, &b->writes[i], &b->verify);
	b->nwrites = 0;
}

/* QEMU has exited: the writes no blkverify sync point checked (those of the tests after
 * blk.verify) are checked in the image as QEMU left it, so the check covers every write
 * the suite reported. */
static void run_on_exit(struct certify_session *s, void *ctx)
{
	struct run_boot *b = ctx;

	if (b->verified && b->nwrites)
		run_verify_image(s, b);
}

/* nic.linkflap asks the host to take the first NIC's link down and up at its sync points;
 * the session answers "go" after we return. A refused set_link leaves the link as it was,
 * and the kernel's test reports the missing transition. */
static int run_link_flap(struct certify_session *s, struct run_boot *b, const char *point)
{
	struct qmp *q = certify_session_qmp(s);
	json_object *args, *ret = NULL;
	struct certify_err err;
	char netdev[32];
	int up;

	if (!point || !q)
		return 0;
	if (strcmp(point, "link-down") == 0)
		up = 0;
	else if (strcmp(point, "link-up") == 0)
		up = 1;
	else
		return 0;
	/* the NIC the kernel's linkflap record named by the MAC its driver reported (which
	 * nic.mac checks on its own), else port A */
	certify_netdev_id(netdev, sizeof(netdev), 0, CERTIFY_PORT_A);
	for (size_t i = 0; i < b->mac.n; i++)
		if (b->flap_mac[0] && !strcasecmp(b->mac.nic[i].kmac, b->flap_mac))
			snprintf(netdev, sizeof(netdev), "%s", b->mac.nic[i].id);
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(netdev));
	json_object_object_add(args, "up", json_object_new_boolean(up));
	qmp_execute(q, "set_link", args, &ret, 5.0, &err);
	json_object_put(ret);
	return 0;
}

/* A netdev record: on the first, map the NICs' -device ids to PCI slots with query-pci
 * (QEMU is running); then compare the MAC the driver read with the one QEMU was given. */
static void run_netdev(struct certify_session *s, struct run_boot *b, const struct hvr_record *rec)
{
	struct certify_err err;

	if (!b->mac.n)
		return;
	if (!b->mac.map_tried) {
		struct qmp *q = certify_session_qmp(s);
		json_object *ret = NULL;

		b->mac.map_tried = 1;
		if (!q)
			snprintf(b->mac.notrun, sizeof(b->mac.notrun), "no QMP connection for query-pci");
		else if (qmp_execute(q, "query-pci", NULL, &ret, 5.0, &err) < 0 ||
			 certify_macverify_map(&b->mac, ret, &err) < 0)
			snprintf(b->mac.notrun, sizeof(b->mac.notrun), "query-pci: %.140s", err.msg);
		json_object_put(ret);
	}
	certify_macverify_record(&b->mac, hvr_get(rec, "name"), hvr_get(rec, "slot"), hvr_get(rec, "mac"));
}

/* The progress hook of a test record. */
static void run_progress(struct certify_session *s, struct run_boot *b, const struct hvr_record *rec)
{
	const struct hvr_run *st = certify_session_state(s);

	if (strcmp(rec->type, "test") || st->ntest == 0 || !b->x->hooks || !b->x->hooks->test)
		return;
	pthread_mutex_lock(&b->x->lock);
	b->x->hooks->test(b->x->hooks->ctx, b->cfg, &st->test[st->ntest - 1]);
	pthread_mutex_unlock(&b->x->lock);
}

/*
 * A physical device (a bare-metal target, a host function passed through): no QEMU model
 * to ask, no image or wire to look at. The lab's --link-cmd
 * takes the NIC's link down and up at the link-flap sync points (the NIC its linkflap record
 * named by MAC); the session answers every sync point after this returns (auto_go).
 */
static int run_target_record(struct certify_session *s, struct run_boot *b,
			     const struct hvr_record *rec)
{
	const char *point = hvr_get(rec, "point"), *cmd = b->x->spec->link_cmd;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct certify_proc p;
	struct certify_err err;

	if (!strcmp(rec->type, "linkflap")) {
		snprintf(b->flap_mac, sizeof(b->flap_mac), "%s", hvr_get(rec, "mac") ? hvr_get(rec, "mac") : "");
		return 0;
	}
	if (strcmp(rec->type, "sync") || !cmd || !point ||
	    (strcmp(point, "link-down") && strcmp(point, "link-up"))) {
		run_progress(s, b, rec);
		return 0;
	}
	/* jobs is 1 on a target: nothing else reads the environment meanwhile */
	setenv("HVKIT_LINK", point + 5, 1);
	setenv("HVKIT_MAC", b->flap_mac, 1);
	memset(&p, 0, sizeof(p));
	if (certify_proc_spawn(&p, argv, NULL, &err) < 0) {
		certify_session_abort(s, "--link-cmd: %s", err.msg);
		return -1;
	}
	if (!certify_proc_wait(&p, 30)) {
		certify_proc_kill(&p, 1.0);
		certify_session_abort(s, "--link-cmd '%.100s' (%s) did not finish within 30 s", cmd, point);
		return -1;
	}
	if (!WIFEXITED(p.status) || WEXITSTATUS(p.status)) {
		certify_session_abort(s, "--link-cmd '%.100s' (%s) failed with wait status %d", cmd, point,
				      p.status);
		return -1;
	}
	return 0;
}

static int run_on_record(struct certify_session *s, const struct hvr_record *rec, double host_s,
			 void *ctx)
{
	struct run_boot *b = ctx;

	(void)host_s;
	/* A bare-metal target: no QEMU to ask, no image or wire to look at; the session
	 * answers every sync point (auto_go). */
	if (b->x->spec->target || b->x->spec->host_device)
		return run_target_record(s, b, rec);
	if (strcmp(rec->type, "blkwrite") == 0) {
		struct certify_blkwrite w, *nw;
		if (certify_blkwrite_parse(hvr_get(rec, "dev"), hvr_get(rec, "lba"), hvr_get(rec, "blocks"),
					   hvr_get(rec, "block_size"), hvr_get(rec, "seed"), &w) < 0 ||
		    certify_blkwrite_base(hvr_get(rec, "base"), &w) < 0 ||
		    certify_blkwrite_gen(hvr_get(rec, "gen"), &w) < 0) {
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
	if (strcmp(rec->type, "wire") == 0 && b->wire_open) {
		certify_wire_claim(&b->wire, hvr_get(rec, "test"), hvr_get(rec, "src"), hvr_get(rec, "first"),
				   hvr_get(rec, "frames"), hvr_get(rec, "bytes"), hvr_get(rec, "seen"));
		return 0;
	}
	if (strcmp(rec->type, "sync") == 0 && b->wire_open && hvr_get(rec, "point") &&
	    certify_wire_sync(&b->wire, hvr_get(rec, "point")))
		return 0;
	if (strcmp(rec->type, "linkflap") == 0) {
		snprintf(b->flap_mac, sizeof(b->flap_mac), "%s", hvr_get(rec, "mac") ? hvr_get(rec, "mac") : "");
		return 0;
	}
	if (strcmp(rec->type, "netdev") == 0) {
		run_netdev(s, b, rec);
		return 0;
	}
	if (strcmp(rec->type, "blkstats") == 0 && hvr_get(rec, "dev") &&
	    strcmp(hvr_get(rec, "dev"), "vmhba0") == 0) {
		b->stats_have_kernel = certify_blkstats_record(rec, &b->stats_kernel) == 0;
		return 0;
	}
	if (strcmp(rec->type, "sync") == 0 && hvr_get(rec, "point") &&
	    strncmp(hvr_get(rec, "point"), "blkstats", 8) == 0) {
		run_blkstats(s, b, hvr_get(rec, "point"));
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
		return run_link_flap(s, b, hvr_get(rec, "point"));
	run_progress(s, b, rec);
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

/* The last non-empty line of the kernel log tail, into out (empty when there is none). */
static void run_last_log_line(const char *tail, char *out, size_t len)
{
	const char *end = tail ? tail + strlen(tail) : NULL, *start;

	out[0] = '\0';
	while (end && end > tail && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (!end || end == tail)
		return;
	for (start = end; start > tail && start[-1] != '\n'; start--)
		;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

/*
 * A kernel that hung, panicked or reset itself inside a test wrote no record for it, so
 * without this the verdict would name no test at all: the test it was in (hvr_run_blame)
 * gets a failed record from the host saying how the kernel stopped.
 */
static void run_blame(struct certify_result *res, double timeout_s)
{
	char msg[256], last[120];

	run_last_log_line(res->com1_tail, last, sizeof(last));
	switch (res->outcome) {
	case CERTIFY_TIMEOUT:
		snprintf(msg, sizeof(msg), "hung: no result within the plan's timeout of %.0f s, "
			 "the host killed the kernel; its last log line: %s", timeout_s, last);
		break;
	case CERTIFY_PANIC:
		snprintf(msg, sizeof(msg), "the kernel panicked in this test: %.200s",
			 res->run.has_panic ? res->run.panic_msg : res->reason);
		break;
	case CERTIFY_RESET:
		snprintf(msg, sizeof(msg), "the machine reset itself in this test: %.200s", res->reason);
		break;
	default:
		return;
	}
	(void)hvr_run_blame(&res->run, msg, res->duration_s);
}

/* A bare-metal target: the kernel's records come on COM1 among its log (hvr.port=com1,
 * docs/result-channel.md, "One serial line"), and the host checks only QEMU can feed are
 * not possible there. */
static int run_target_opts(const struct certify_run_spec *spec, struct certify_session_opts *so,
			   struct certify_config_result *r)
{
	size_t len = strlen(r->append);
	static const char word[] = " hvr.port=com1";

	if (len + sizeof(word) > sizeof(r->append)) {
		r->verdict = CERTIFY_V_ERROR;
		snprintf(r->reason, sizeof(r->reason), "the kernel command line is too long for hvr.port=com1");
		return -1;
	}
	memcpy(r->append + len, word, sizeof(word));
	so->serial = spec->target;
	so->power_cycle = spec->power_cycle;
	so->boot_timeout_s = spec->boot_timeout_s;
	certify_hostchecks_impossible(&r->checks, "a bare-metal target");
	return 0;
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
	/* the device is physical (a bare-metal target, a host function): the host checks that
	 * rest on QEMU's models cannot run, and the lab's --link-cmd flaps its link */
	int physical = x->spec->target || x->spec->host_device;
	int fd;

	memset(&so, 0, sizeof(so));
	memset(&b, 0, sizeof(b));
	b.x = x;
	b.cfg = &x->cfgs[i];
	if (x->spec->plan->topology == CERTIFY_TOPO_NIC_PAIR && !physical) {
		char id[32];

		/* before the topology: the hub's third port names this netdev */
		certify_netdev_id(id, sizeof(id), 0, CERTIFY_PORT_WIRE);
		if (certify_wire_open(&b.wire, &err) < 0 || certify_wire_qemu_args(&b.wire, id, &args) < 0) {
			if (b.wire.started)
				certify_wire_close(&b.wire);
			r->verdict = CERTIFY_V_ERROR;
			snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
			certify_strv_free(&args);
			return;
		}
		b.wire_open = 1;
	}
	if (certify_run_qemu_config(x->spec, &x->cfgs[i], &so.qemu, &args, initrd, sizeof(initrd),
				    r->append, sizeof(r->append), &err) < 0) {
		if (b.wire_open)
			certify_wire_close(&b.wire);
		r->verdict = CERTIFY_V_ERROR;
		snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
		certify_strv_free(&args);
		return;
	}
	so.qemu.append = r->append;
	certify_hostchecks_require(x->spec, &r->checks);
	if (x->spec->target && run_target_opts(x->spec, &so, r) < 0) {
		certify_strv_free(&args);
		return;
	}
	if (x->spec->host_device)
		certify_hostchecks_impossible(&r->checks, "a passed-through host device");
	if (!physical)
		certify_macverify_init(&b.mac, x->spec);
	if (x->spec->plan->topology == CERTIFY_TOPO_VM && !physical) {
		if (certify_peer_open(&b.peer, &err) < 0 ||
		    certify_peer_qemu_args(&b.peer, CERTIFY_NETDEV_PEER, &args) < 0) {
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
	so.on_exit = physical ? NULL : run_on_exit;
	so.ctx = &b;
	so.auto_go = 1;
	so.elf = x->spec->kernel;
	certify_session_run(&so, &r->res);
	r->ran = 1;
	run_blame(&r->res, so.qemu.timeout_s);
	if (fd >= 0) {
		r->log = run_read_log(logpath);
		unlink(logpath);
	}
	if (b.peer_open)
		certify_peer_close(&b.peer);
	if (b.peer_open)
		certify_peer_check(&b.peer_run, certify_hostcheck_get(&r->checks, "peer.frames"));
	if (b.verified)
		certify_blkverify_check(&b.verify, certify_hostcheck_get(&r->checks, "image.verify"));
	if (b.wire_open) {
		/* a plan without traffic (nic-attach-quick) neither requires nor gets the check */
		if (b.wire.phases || b.wire.problems.n || b.wire.host_lost[0])
			certify_wire_check(&b.wire, certify_hostcheck_get(&r->checks, "wire.frames"));
		certify_wire_close(&b.wire);
	}
	if (b.mac.n)
		certify_macverify_check(&b.mac, certify_hostcheck_get(&r->checks, "nic.mac"));
	if (r->res.run.npci && certify_fw_required(x->spec)) {
		char qv[128] = "";
		struct certify_err qerr;

		if (qemu_version(NULL, qv, sizeof(qv), &qerr) < 0)
			certify_hostcheck_notrun(certify_hostcheck_get(&r->checks, "dev.firmware"), "%s", qerr.msg);
		else
			certify_fwverify_check(x->spec, &r->res.run, qv, certify_hostcheck_get(&r->checks, "dev.firmware"));
	}
	certify_macverify_free(&b.mac);
	if (b.stats_done) {
		struct certify_hostcheck *c = certify_hostcheck_get(&r->checks, "qmp.blockstats");

		if (c) {
			c->ran = b.stats_check.ran;
			c->ok = b.stats_check.ok;
			memcpy(c->msg, b.stats_check.msg, sizeof(c->msg));
		}
	}
	certify_symbolize_violations(r->res.run.violation, r->res.run.nviolation, x->spec->kernel,
				     x->spec->mods, x->spec->nmods);
	struct certify_judge_in in = { .spec = x->spec, .res = &r->res, .checks = r->checks.v,
				       .nchecks = r->checks.n };
	r->verdict = certify_judge(&in, r->reason, sizeof(r->reason));
	free(b.writes);
	certify_blkverify_free(&b.verify);
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
		if (x->cfgs[i].state != CERTIFY_CFG_RUN) {
			r->verdict = x->cfgs[i].state == CERTIFY_CFG_NA ? CERTIFY_V_NA : CERTIFY_V_NOTRUN;
			snprintf(r->reason, sizeof(r->reason), "%s", x->cfgs[i].why);
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
