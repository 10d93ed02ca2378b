/* certify: the executor (run.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "attach.h"
#include "blkverify.h"
#include "cmdline.h"
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
	char eio[32] = "";

	memset(q, 0, sizeof(*q));
	q->machine = c->machine;
	q->accel = c->accel;
	q->firmware = p->firmware;
	q->smp = c->smp;
	q->mem_mib = p->mem_mib;
	q->kernel = spec->kernel;
	q->timeout_s = p->timeout_s;
	if (p->eio_lba[0] && p->topology == CERTIFY_TOPO_DISK &&
	    certify_plan_expand(p, p->eio_lba, spec->seed, eio, sizeof(eio), err) < 0)
		return -1;
	if (certify_attach_topology(spec, eio, q, args) < 0)
		return certify_errf(err, "out of memory or disk slots building the device topology");
	if (certify_initrd_build(spec, initrd, initrdlen, err) < 0)
		return -1;
	q->initrd = initrd[0] ? initrd : NULL;
	q->extra = args->v;
	q->nextra = args->n;
	return certify_cmdline_build(spec, c, eio, append, appendlen, err);
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
	int wire_open;
};

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
	certify_netdev_id(netdev, sizeof(netdev), 0, CERTIFY_PORT_A);
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
	if (strcmp(rec->type, "wire") == 0 && b->wire_open) {
		certify_wire_claim(&b->wire, hvr_get(rec, "test"), hvr_get(rec, "src"), hvr_get(rec, "first"),
				   hvr_get(rec, "frames"), hvr_get(rec, "bytes"));
		return 0;
	}
	if (strcmp(rec->type, "sync") == 0 && b->wire_open && hvr_get(rec, "point") &&
	    certify_wire_sync(&b->wire, hvr_get(rec, "point")))
		return 0;
	if (strcmp(rec->type, "netdev") == 0) {
		run_netdev(s, b, rec);
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
	if (x->spec->plan->topology == CERTIFY_TOPO_NIC_PAIR) {
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
	certify_macverify_init(&b.mac, x->spec);
	if (x->spec->plan->topology == CERTIFY_TOPO_VM) {
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
	so.ctx = &b;
	so.auto_go = 1;
	so.elf = x->spec->kernel;
	certify_session_run(&so, &r->res);
	r->ran = 1;
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
		certify_wire_check(&b.wire, certify_hostcheck_get(&r->checks, "wire.frames"));
		certify_wire_close(&b.wire);
	}
	if (b.mac.n)
		certify_macverify_check(&b.mac, certify_hostcheck_get(&r->checks, "nic.mac"));
	certify_macverify_free(&b.mac);
	certify_symbolize_violations(r->res.run.violation, r->res.run.nviolation, x->spec->kernel,
				     x->spec->mods, x->spec->nmods);
	struct certify_judge_in in = { .spec = x->spec, .res = &r->res, .checks = r->checks.v,
				       .nchecks = r->checks.n };
	r->verdict = certify_judge(&in, r->reason, sizeof(r->reason));
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
