/* certify: host checks (hostcheck.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fwverify.h"
#include "hostcheck.h"
#include "spec.h"

/* 1 when a plan parameter SUITE.KEY is set to "1" (e.g. blk.host_verify=1). */
static int hostcheck_param_on(const struct certify_plan *p, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < p->params.n; i++) {
		const char *dot = strchr(p->params.v[i], '.');

		if (dot && !strncmp(dot + 1, key, kl) && !strcmp(dot + 1 + kl, "=1"))
			return 1;
	}
	return 0;
}

/* topology vm: the first NIC is wired to the host peer, which checks the guest's frames. */
static int hostcheck_need_peer(const struct certify_run_spec *spec)
{
	return spec->plan->topology == CERTIFY_TOPO_VM;
}

/* nic-pair and vm: certify gives each NIC under test a mac=, and the kernel's netdev
 * records must carry it (macverify.h). */
static int hostcheck_need_mac(const struct certify_run_spec *spec)
{
	enum certify_topology t = spec->plan->topology;

	if (t != CERTIFY_TOPO_NIC_PAIR && t != CERTIFY_TOPO_VM)
		return 0;
	for (size_t i = 0; i < spec->ndut; i++)
		if (spec->dut[i].m && spec->dut[i].m->kind == CERTIFY_KIND_NIC)
			return 1;
	return 0;
}

/* nic-pair with a NIC test that carries traffic (any but nic.attach and nic.peer, or the
 * whole nic suite): the hub's third port is the host's wire tap (wire.h), and the suite
 * brackets its traffic with wire-begin / wire-check. */
static int hostcheck_need_wire(const struct certify_run_spec *spec)
{
	const struct certify_strv *t = &spec->plan->tests;

	if (spec->plan->topology != CERTIFY_TOPO_NIC_PAIR || !hostcheck_need_mac(spec))
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], "nic") || (!strncmp(t->v[i], "nic.", 4) &&
		    strcmp(t->v[i], "nic.attach") && strcmp(t->v[i], "nic.peer")))
			return 1;
	return 0;
}

/* blk.host_verify=1 / vmm.host_verify=1: every block the kernel reports written is read
 * back from the image. */
static int hostcheck_need_image(const struct certify_run_spec *spec)
{
	return hostcheck_param_on(spec->plan, "host_verify");
}

/* blk.host_stats=1: QEMU's query-blockstats of the first disk against the suite's counts. */
static int hostcheck_need_blkstats(const struct certify_run_spec *spec)
{
	return hostcheck_param_on(spec->plan, "host_stats");
}

/*
 * The checks the executor knows, with when a plan requires them and what stays in the
 * message when the boot never got to run them. Each check's code fills its entry through
 * certify_hostcheck_get(); new checks are appended here.
 */
static const struct {
	const char *name;
	int (*required)(const struct certify_run_spec *spec);
	const char *notrun;
	const char *bare_metal;		/* why it cannot run with a physical device */
} hostcheck_table[] = {
	{ "peer.frames", hostcheck_need_peer, "the kernel never reached sync point peer-tx-done",
	  "the host peer is a QEMU netdev; a physical NIC's cable does not reach certify" },
	{ "image.verify", hostcheck_need_image, "the kernel never reached sync point blkverify",
	  "certify cannot read a physical machine's disk" },
	{ "nic.mac", hostcheck_need_mac, "the kernel reported no netdev for a NIC under test",
	  "a physical NIC's MAC is its own, not one certify gave it" },
	{ "wire.frames", hostcheck_need_wire, "the kernel never reached sync point wire-check",
	  "certify has no tap on a physical NIC's wire" },
	{ "qmp.blockstats", hostcheck_need_blkstats, "the kernel never reached sync point blkstats",
	  "a physical machine has no QEMU block statistics" },
	{ "dev.firmware", certify_fw_required, "the kernel reported no devices",
	  "certify knows only the firmware QEMU gives a device, not a physical one's" },
};

struct certify_hostcheck *certify_hostcheck_get(struct certify_hostchecks *s, const char *name)
{
	struct certify_hostcheck *c;

	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	}
	if (s->n == CERTIFY_HOSTCHECK_MAX)
		return NULL;
	c = &s->v[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->msg, sizeof(c->msg), "not run");
	return c;
}

void certify_hostcheck_done(struct certify_hostcheck *c, int ok, const char *fmt, ...)
{
	va_list ap;

	if (!c)
		return;
	c->ran = 1;
	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

void certify_hostcheck_notrun(struct certify_hostcheck *c, const char *fmt, ...)
{
	va_list ap;

	if (!c)
		return;
	c->ran = 0;
	c->ok = 0;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
}

void certify_hostchecks_require(const struct certify_run_spec *spec, struct certify_hostchecks *s)
{
	for (size_t i = 0; i < sizeof(hostcheck_table) / sizeof(hostcheck_table[0]); i++) {
		if (hostcheck_table[i].required(spec))
			certify_hostcheck_notrun(certify_hostcheck_get(s, hostcheck_table[i].name), "%s",
						 hostcheck_table[i].notrun);
	}
}

void certify_hostchecks_impossible(struct certify_hostchecks *s, const char *where)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < sizeof(hostcheck_table) / sizeof(hostcheck_table[0]); k++) {
			if (strcmp(s->v[i].name, hostcheck_table[k].name))
				continue;
			certify_hostcheck_notrun(&s->v[i], "not possible on %s: %s", where,
						 hostcheck_table[k].bare_metal);
			s->v[i].impossible = 1;
		}
	}
}
