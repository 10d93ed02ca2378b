/* certify run: boot every configuration of a plan, judge, store, report. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "waiver.h"
#include "exercise.h"
#include "proc.h"
#include "report.h"
#include "vfio.h"

struct cli_run {
	struct cli_common *c;
	struct certify_run_spec spec;
	struct certify_plan plan;
	const char *plan_name;
	struct certify_modinfo *mods;	/* --module files, or the matching inbox ones */
	size_t nmods;
	const char *module_args[32];
	size_t nmodule_args;
	int have_seed, verbose;
	unsigned soak_s;			/* --soak, 0: the plan's */
	enum qemu_accel accel;
	const char *junit, *html;
	char kernel[1024];
	struct certify_db *db;
	int64_t run_id;
	int db_failed;
	char db_err[512];
	struct cli_progress *progress;
	struct cli_bind bind;			/* private copies of what boots; what the run binds */
	const struct cli_rerun *rerun;		/* certify rerun: what it reruns, else NULL */
	struct certify_serial_target target;	/* --target serial:... */
	int accel_set;
	/* --host-device: a host function passed through with vfio-pci (certify/vfio.h) */
	const char *host_arg, *sysfs_root;
	int vfio_bind;
	struct certify_vfio vfio;
};

static void run_usage(FILE *f)
{
	fprintf(f, "usage: certify run --device MODEL[,props] [--device ...] [--module FILE.hvm ...]\n"
		   "       [--plan nic|storage|auto|NAME] [--seed N] [--accel auto|tcg|kvm] [--jobs N]\n"
		   "       [--soak SECONDS]\n"
		   "       [--db PATH] [--json] [--junit FILE] [--html FILE] [--kernel ELF] [-v]\n"
		   "       [--no-verifier]   boot without verifier=1: an unofficial run\n"
		   "       [--target serial:PATH[,baud] [--power-cycle 'CMD'] [--link-cmd 'CMD']\n"
		   "        [--boot-timeout S]]\n"
		   "                         a bare-metal machine booting the hvkit ISO\n"
		   "       certify run --host-device DOMAIN:BUS:DEV.FN [--bind] [--sysfs-root DIR] ...\n"
		   "                         a host PCI function passed to QEMU with vfio-pci under KVM\n");
}

static int run_device(struct cli_run *r, const char *arg)
{
	struct certify_dut *d;
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	if (r->spec.ndut == CERTIFY_MAX_DUT)
		return cli_fail("--device %s: at most %d devices", arg, CERTIFY_MAX_DUT);
	d = &r->spec.dut[r->spec.ndut];
	if (n == 0 || n >= sizeof(d->model))
		return cli_fail("--device '%s': expected MODEL[,props]", arg);
	memcpy(d->model, arg, n);
	d->model[n] = '\0';
	snprintf(d->props, sizeof(d->props), "%s", comma ? comma : "");
	d->m = certify_model_find(d->model);
	if (!d->m)
		return cli_fail("--device %s: unknown device model '%s' (see `certify devices`)", arg,
				d->model);
	r->spec.ndut++;
	return 0;
}

/* The options of a bare-metal target go together, and QEMU's do not apply to it. */
static int run_target_args(const struct cli_run *r)
{
	if (!r->spec.target && r->spec.power_cycle)
		return cli_fail("--power-cycle: only with --target serial:PATH"), -1;
	if (!r->spec.target && r->spec.link_cmd)
		return cli_fail("--link-cmd: only with --target serial:PATH (QEMU's links are certify's)"), -1;
	if (!r->host_arg && (r->vfio_bind || r->sysfs_root))
		return cli_fail("%s: only with --host-device", r->vfio_bind ? "--bind" : "--sysfs-root"), -1;
	if (!r->spec.target && r->spec.boot_timeout_s > 0)
		return cli_fail("--boot-timeout: only with --target serial:PATH"), -1;
	if (r->spec.target && r->spec.jobs > 1)
		return cli_fail("--jobs %d: a bare-metal target is one machine (--jobs 1)", r->spec.jobs), -1;
	if (r->spec.target && r->accel_set)
		return cli_fail("--accel: a bare-metal target runs no QEMU"), -1;
	return 0;
}

/*
 * --host-device: the function's IDs and capabilities from sysfs become the device under
 * test, like a QEMU model's; without --bind every function of its IOMMU group must already
 * be on vfio-pci (with it, cli_cmd_run binds them just before the run).
 */
static int run_host_device(struct cli_run *r)
{
	const char *root = r->sysfs_root ? r->sysfs_root : getenv("CERTIFY_SYSFS");
	struct certify_err err;
	char addr[16];

	if (r->spec.ndut)
		return cli_fail("--host-device %s: not with --device (one device under test a run)",
				r->host_arg), -1;
	if (r->spec.target)
		return cli_fail("--host-device %s: not with --target (a bare-metal machine boots its "
				"own devices)", r->host_arg), -1;
	if (r->accel_set && r->accel != QEMU_ACCEL_KVM)
		return cli_fail("--accel %s: vfio-pci needs KVM", qemu_accel_name(r->accel)), -1;
	if (certify_vfio_parse(r->host_arg, addr, &err) < 0 ||
	    certify_vfio_open(&r->vfio, root && *root ? root : "/sys", addr, &err) < 0 ||
	    (!r->vfio_bind && certify_vfio_check(&r->vfio, &err) < 0))
		return cli_fail("%s", err.msg), -1;
	snprintf(r->spec.dut[0].model, sizeof(r->spec.dut[0].model), "vfio-pci");
	snprintf(r->spec.dut[0].props, sizeof(r->spec.dut[0].props), "%s", r->vfio.props);
	r->spec.dut[0].m = &r->vfio.m;
	r->spec.ndut = 1;
	r->spec.host_device = 1;
	r->accel = QEMU_ACCEL_KVM;
	return 0;
}

static int run_args(struct cli_run *r, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' }, { "module", required_argument, NULL, 'm' },
		{ "plan", required_argument, NULL, 'p' }, { "seed", required_argument, NULL, 's' },
		{ "accel", required_argument, NULL, 'a' }, { "jobs", required_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' }, { "html", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "soak", required_argument, NULL, 'S' },
		{ "no-verifier", no_argument, NULL, 'N' }, { "target", required_argument, NULL, 'T' },
		{ "power-cycle", required_argument, NULL, 'P' },
		{ "boot-timeout", required_argument, NULL, 'B' },
		{ "link-cmd", required_argument, NULL, 'L' },
		{ "host-device", required_argument, NULL, 'X' }, { "bind", no_argument, NULL, 'b' },
		{ "sysfs-root", required_argument, NULL, 'Y' }, CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "vhj:", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, r->c))
			continue;
		switch (o) {
		case 'd':
			if (run_device(r, optarg) != 0)
				return -1;
			break;
		case 'm':
			if (r->nmodule_args == 32)
				return cli_fail("--module %s: at most 32 modules", optarg), -1;
			r->module_args[r->nmodule_args++] = optarg;
			break;
		case 'p': r->plan_name = optarg; break;
		case 's':
			r->spec.seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg || r->spec.seed > (1ull << 53))
				return cli_fail("--seed %s: expected a number 0..2^53", optarg), -1;
			r->have_seed = 1;
			break;
		case 'a':
			if (qemu_accel_parse(optarg, &r->accel) < 0)
				return cli_fail("--accel %s: expected auto, tcg or kvm", optarg), -1;
			r->accel_set = 1;
			break;
		case 'T': {
			struct certify_err err;

			if (certify_serial_parse(optarg, &r->target, &err) < 0)
				return cli_fail("%s", err.msg), -1;
			r->spec.target = &r->target;
			break;
		}
		case 'P':
			if (!*optarg)
				return cli_fail("--power-cycle: an empty command"), -1;
			r->spec.power_cycle = optarg;
			break;
		case 'X': r->host_arg = optarg; break;
		case 'b': r->vfio_bind = 1; break;
		case 'Y': r->sysfs_root = optarg; break;
		case 'L':
			if (!*optarg)
				return cli_fail("--link-cmd: an empty command"), -1;
			r->spec.link_cmd = optarg;
			break;
		case 'B':
			r->spec.boot_timeout_s = strtod(optarg, &end);
			if (*end || !*optarg || !(r->spec.boot_timeout_s >= 1 && r->spec.boot_timeout_s <= 86400))
				return cli_fail("--boot-timeout %s: expected 1..86400 seconds", optarg), -1;
			break;
		case 'j':
			r->spec.jobs = (int)strtol(optarg, &end, 10);
			if (*end || r->spec.jobs < 1 || r->spec.jobs > 64)
				return cli_fail("--jobs %s: expected 1..64", optarg), -1;
			break;
		case 'S':
			if (certify_plan_soak(optarg, &r->soak_s) < 0)
				return cli_fail("--soak %s: expected 1..86400 seconds", optarg), -1;
			break;
		case 'J': r->junit = optarg; break;
		case 'H': r->html = optarg; break;
		case 'v': r->verbose = 1; break;
		case 'N': r->spec.no_verifier = 1; break;
		case 'h': run_usage(stdout); exit(CLI_PASS);
		default: run_usage(stderr); return -1;
		}
	}
	if (optind != argc)
		return cli_fail("run: unexpected argument '%s'", argv[optind]), -1;
	if (r->host_arg && run_host_device(r) != 0)
		return -1;
	if (r->spec.ndut == 0)
		return cli_fail("run: no --device given (see `certify devices`)"), -1;
	return run_target_args(r);
}

/* --plan auto (the default) picks by the first device's kind. */
static int run_plan(struct cli_run *r)
{
	const struct certify_model *m = r->spec.dut[0].m;
	const char *name = r->plan_name && strcmp(r->plan_name, "auto") ? r->plan_name : NULL;
	struct certify_err err;
	char dir[1024];

	if (!name && m->kind == CERTIFY_KIND_OTHER)
		return cli_fail("--plan auto: %s is neither a NIC nor a storage controller; name a plan",
				m->model);
	if (!name)
		name = certify_kind_name(m->kind);
	cli_path(r->c->plans, "CERTIFY_PLANS", "plans", dir, sizeof(dir));
	if (certify_plan_find(dir, name, &r->plan, &err) < 0)
		return cli_fail("%s", err.msg);
	for (size_t i = 0; i < r->spec.ndut; i++) {
		const struct certify_model *dm = r->spec.dut[i].m;

		if (r->plan.has_kind && dm->kind != r->plan.kind)
			return cli_fail("--device %s: a %s device, but plan '%s' certifies %s devices",
					dm->model, certify_kind_name(dm->kind), r->plan.name,
					certify_kind_name(r->plan.kind));
	}
	if (certify_exercise_check(&r->plan, r->spec.dut, r->spec.ndut, &err) < 0)
		return cli_fail("%s", err.msg);
	/* The plan's text (and so its binding) stays as shipped; the seconds given are in every
	 * configuration's kernel command line ({soak}), stored and reported. */
	if (r->soak_s)
		r->plan.soak_s = r->soak_s;
	r->spec.plan = &r->plan;
	return 0;
}

static int run_drives_any(const struct cli_run *r, const struct certify_modinfo *mi)
{
	for (size_t d = 0; d < r->spec.ndut; d++) {
		if (certify_modinfo_matches(mi, r->spec.dut[d].m))
			return 1;
	}
	return 0;
}

static int run_modules(struct cli_run *r)
{
	struct certify_err err;
	struct certify_modinfo *all;
	size_t n, keep = 0;
	char dir[1024];

	if (r->nmodule_args) {
		r->mods = calloc(r->nmodule_args, sizeof(*r->mods));
		for (size_t i = 0; r->mods && i < r->nmodule_args; i++, r->nmods++) {
			if (certify_modinfo_read(r->module_args[i], &r->mods[i], &err) < 0)
				return cli_fail("--module %s", err.msg);
			if (strchr(r->module_args[i], ',') || strchr(r->module_args[i], ' '))
				return cli_fail("--module %s: QEMU cannot take a path with a comma or blank",
						r->module_args[i]);
			if (!run_drives_any(r, &r->mods[i]))
				return cli_fail("--module %s: its ID table matches none of the --device "
						"models (the kernel would skip it)", r->module_args[i]);
		}
		return r->mods ? 0 : cli_fail("out of memory");
	}
	cli_path(r->c->modules, "CERTIFY_MODULES", "build/modules", dir, sizeof(dir));
	if (certify_modinfo_scan(dir, &all, &n, NULL, &err) < 0)
		return cli_fail("default modules: %s (build them with `make modules` or pass --module)",
				err.msg);
	for (size_t i = 0; i < n; i++) {
		if (run_drives_any(r, &all[i]))
			all[keep++] = all[i];
		else
			certify_modinfo_free(&all[i]);
	}
	r->mods = all;
	r->nmods = keep;
	for (size_t d = 0; d < r->spec.ndut; d++) {
		const struct certify_model *m = r->spec.dut[d].m;
		int found = 0;

		for (size_t i = 0; i < keep; i++)
			found |= certify_modinfo_matches(&r->mods[i], m);
		if (!found)
			return cli_fail("no module in %s drives %s (%04x:%04x); build one or pass --module",
					dir, m->model, m->vid, m->did);
	}
	return 0;
}

/* What was asked for, as stored in runs.config (plain JSON, no blanks). */
char *cli_run_request(const struct cli_run *r, const struct certify_config *cfgs, size_t n)
{
	json_object *o = json_object_new_object(), *devs = json_object_new_array();
	json_object *mods = json_object_new_array(), *matrix = json_object_new_array();
	char seed[32], buf[256];
	char *s;

	for (size_t i = 0; i < r->spec.ndut; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "model", json_object_new_string(r->spec.dut[i].model));
		json_object_object_add(d, "props", json_object_new_string(r->spec.dut[i].props));
		json_object_array_add(devs, d);
	}
	for (size_t i = 0; i < r->nmods; i++) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "file", json_object_new_string(r->mods[i].path));
		json_object_object_add(m, "name", json_object_new_string(r->mods[i].name));
		json_object_object_add(m, "sha256", json_object_new_string(r->mods[i].sha256));
		json_object_array_add(mods, m);
	}
	for (size_t i = 0; i < n; i++) {
		certify_config_json(&cfgs[i], buf, sizeof(buf));
		json_object_array_add(matrix, json_tokener_parse(buf));
	}
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->spec.seed);
	json_object_object_add(o, "plan", json_object_new_string(r->plan.name));
	json_object_object_add(o, "seed", json_object_new_string(seed));
	json_object_object_add(o, "accel", json_object_new_string(qemu_accel_name(r->accel)));
	json_object_object_add(o, "jobs", json_object_new_int(r->spec.jobs));
	if (r->soak_s)		/* --soak: a replay or a worker runs the same seconds */
		json_object_object_add(o, "soak", json_object_new_int((int)r->soak_s));
	if (r->rerun) {		/* the run this one completes */
		json_object *cm = json_object_new_object(), *names = json_object_new_array();

		for (size_t i = 0; i < r->rerun->n; i++)
			json_object_array_add(names, json_object_new_string(r->rerun->names[i]));
		json_object_object_add(cm, "run", json_object_new_int64(r->rerun->run));
		json_object_object_add(cm, "configurations", names);
		json_object_object_add(o, "completes", cm);
	}
	if (r->spec.target)
		json_object_object_add(o, "target", json_object_new_string(r->target.path));
	json_object_object_add(o, "kernel", json_object_new_string(r->kernel));
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "modules", mods);
	json_object_object_add(o, "matrix", matrix);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static void run_hook_start(void *ctx, const struct certify_config *c)
{
	cli_progress_start(((struct cli_run *)ctx)->progress, c);
}

static void run_hook_test(void *ctx, const struct certify_config *c, const struct hvr_test *t)
{
	cli_progress_test(((struct cli_run *)ctx)->progress, c, t);
}

/* Each finished configuration is stored at once, in its own transaction. */
static void run_hook_done(void *ctx, struct certify_config_result *res)
{
	struct cli_run *r = ctx;
	struct certify_db_config dc;
	struct certify_err err;

	cli_progress_done(r->progress, res);
	if (cli_record(&r->spec, res, &dc) < 0) {
		r->db_failed = 1;
		snprintf(r->db_err, sizeof(r->db_err), "out of memory recording %s", res->cfg.name);
		return;
	}
	if (certify_db_config_add(r->db, r->run_id, &dc, &err) < 0 && !r->db_failed) {
		r->db_failed = 1;
		snprintf(r->db_err, sizeof(r->db_err), "%s", err.msg);
	}
	certify_db_config_free(&dc);
}

static void run_seed(struct cli_run *r)
{
	FILE *f = fopen("/dev/urandom", "rb");
	uint64_t s = 0;

	if (!f || fread(&s, sizeof(s), 1, f) != 1)
		s = (uint64_t)certify_now() * 1000003u;
	if (f)
		fclose(f);
	r->spec.seed = (s & ((1ull << 53) - 1)) | 1;
}

/* The run's summary log: one line per configuration. */
static char *run_summary(const struct certify_config_result *res, size_t n, enum certify_verdict v,
			 uint64_t seed)
{
	size_t cap = 256 + n * 700, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%-5s %s: %s\n",
					certify_verdict_name(res[i].verdict), res[i].cfg.name, res[i].reason);
	snprintf(s + len, cap - len, "verdict %s (seed %llu)\n", certify_verdict_name(v),
		 (unsigned long long)seed);
	return s;
}

/* What the verdict covers: a pass certifies the configurations that passed, no more. */
static void run_print_coverage(const struct certify_config_result *res, size_t n, FILE *out)
{
	struct certify_coverage c;

	certify_run_coverage(res, n, &c);
	fprintf(out, "coverage: %s: %zu of %zu configurations passed", c.notrun ? "partial" : "full",
		c.pass, n);
	if (c.notrun)
		fprintf(out, "; %zu not run (%s%s)", c.notrun, c.notrun_why,
			c.notrun_mixed ? "; and for other reasons" : "");
	if (c.na)
		fprintf(out, "; %zu not applicable to the device", c.na);
	fputc('\n', out);
}

/* A failed run under the store's live waivers (docs/certify.md, "Waivers"): when they cover
 * every failed test, says which and makes *v a pass; the store keeps the judged verdict. */
static int run_waivers(struct cli_run *r, FILE *human, enum certify_verdict *v)
{
	struct certify_db_run dr;
	struct certify_err err;
	char today[11];
	long got;

	if (*v != CERTIFY_V_FAIL)
		return 0;
	certify_waiver_today(today);
	if (certify_db_run_load(r->db, r->run_id, &dr, &err) < 0)
		return cli_fail("%s", err.msg);
	got = certify_db_run_waive(r->db, &dr, today, &err);
	if (got < 0) {
		certify_db_run_free(&dr);
		return cli_fail("%s", err.msg);
	}
	if (got > 0 && !strcmp(dr.verdict, "pass")) {
		fprintf(human, "waived:  ");
		for (size_t i = 0, k = 0; i < dr.ncfg; i++)
			for (size_t j = 0; j < dr.cfg[i].nresult; j++)
				if (dr.cfg[i].result[j].waiver[0])
					fprintf(human, "%s%s.%s in %s (%s)", k++ ? ", " : "",
						dr.cfg[i].result[j].suite, dr.cfg[i].result[j].name,
						dr.cfg[i].name, dr.cfg[i].result[j].waiver);
		fprintf(human, "\nverdict: PASS under live waivers (run %lld stored as fail)\n",
			(long long)r->run_id);
		*v = CERTIFY_V_PASS;
	}
	certify_db_run_free(&dr);
	return 0;
}

static int run_reports(struct cli_run *r, FILE *human)
{
	struct certify_db_run dr;
	struct certify_err err;
	char today[11];
	int rc = 0;

	if (!r->junit && !r->html && !r->c->json)
		return 0;
	certify_waiver_today(today);
	if (certify_db_run_load(r->db, r->run_id, &dr, &err) < 0)
		return cli_fail("%s", err.msg);
	if (certify_db_run_waive(r->db, &dr, today, &err) < 0) {
		certify_db_run_free(&dr);
		return cli_fail("%s", err.msg);
	}
	if (r->junit && report_write_file(&dr, REPORT_JUNIT, r->junit, &err) < 0)
		rc = cli_fail("--junit %s", err.msg);
	else if (r->junit)
		fprintf(human, "junit:   %s\n", r->junit);
	if (r->html && report_write_file(&dr, REPORT_HTML, r->html, &err) < 0)
		rc = cli_fail("--html %s", err.msg);
	else if (r->html)
		fprintf(human, "html:    %s\n", r->html);
	if (r->c->json && report_json(&dr, stdout, &err) < 0)
		rc = cli_fail("--json: %s", err.msg);
	certify_db_run_free(&dr);
	return rc;
}

int cli_run_prepare(struct cli_run *r, int argc, char **argv)
{
	if (run_args(r, argc, argv) != 0 || run_plan(r) != 0 || run_modules(r) != 0)
		return -1;
	cli_path(r->c->kernel, "CERTIFY_KERNEL", "build/hvkernel.elf", r->kernel, sizeof(r->kernel));
	if (access(r->kernel, R_OK) != 0)
		return cli_fail("kernel %s: %s (build it with `make` or pass --kernel)", r->kernel,
				strerror(errno)), -1;
	if (cli_bind_prepare(&r->bind, r->kernel, r->mods, r->nmods, &r->plan) != 0)
		return -1;
	/* A certification runs the driver under the verifier; a run without it never
	 * certifies (it shows what the functional suites alone catch). */
	if (r->spec.no_verifier && r->bind.db.official) {
		r->bind.db.official = 0;
		snprintf(r->bind.db.unofficial_why, sizeof(r->bind.db.unofficial_why),
			 "run with --no-verifier (certification runs under verifier=1)");
	}
	r->spec.kernel = r->bind.kernel;
	r->spec.mods = r->bind.mods;
	r->spec.nmods = r->nmods;
	if (!r->have_seed)
		run_seed(r);
	return 0;
}

void cli_run_header(const struct cli_run *r, FILE *out, size_t n)
{
	fprintf(out, "certify: plan %s, %zu configuration%s, seed %llu\n", r->plan.name, n,
		n == 1 ? "" : "s", (unsigned long long)r->spec.seed);
	for (size_t i = 0; i < r->spec.ndut; i++)
		fprintf(out, "device:  %s%s (%04x:%04x, %s)\n", r->spec.dut[i].model, r->spec.dut[i].props,
			r->spec.dut[i].m->vid, r->spec.dut[i].m->did, certify_kind_name(r->spec.dut[i].m->kind));
	for (size_t i = 0; i < r->nmods; i++)
		fprintf(out, "module:  %s %s %s (%s) sha256 %.16s\n", r->mods[i].path, r->mods[i].name,
			r->mods[i].version, r->mods[i].vendor, r->mods[i].sha256);
	fprintf(out, "plan:    %s sha256 %.16s, %s%s\n", r->plan.file, r->bind.db.plan_sha256,
		r->bind.db.official ? "official" : "unofficial: ", r->bind.db.unofficial_why);
	fprintf(out, "kernel:  %s sha256 %.16s\n", r->kernel, r->bind.db.kernel_sha256);
	if (r->spec.host_device) {
		fprintf(out, "iommu:   group %s:", r->vfio.group);
		for (size_t i = 0; i < r->vfio.nfn; i++)
			fprintf(out, " %s (%s)", r->vfio.fn[i].addr,
				r->vfio.fn[i].driver[0] ? r->vfio.fn[i].driver : "no driver");
		fputc('\n', out);
	}
	if (r->spec.target)
		fprintf(out, "target:  serial:%s (%u baud), a bare-metal machine booting the hvkit ISO%s%s\n",
			r->target.path, r->target.baud, r->spec.power_cycle ? "; power cycle: " : "",
			r->spec.power_cycle ? r->spec.power_cycle : "");
	else
		fprintf(out, "qemu:    %s\n", r->bind.db.qemu_version);
}

int cli_run_same(struct cli_run *r, const struct certify_db_run *run, char *why, size_t len)
{
	const struct certify_db_binding *b = cli_run_binding(r);
	struct certify_db_driver *drv;
	size_t n;
	int same = 1;

	if (strcmp(b->plan_sha256, run->bind.plan_sha256))
		snprintf(why, len, "plan sha256 %.16s, the run's %.16s", b->plan_sha256, run->bind.plan_sha256);
	else if (strcmp(b->kernel_sha256, run->bind.kernel_sha256))
		snprintf(why, len, "kernel sha256 %.16s, the run's %.16s", b->kernel_sha256,
			 run->bind.kernel_sha256);
	else
		why[0] = '\0';
	drv = cli_run_drivers(r, &n);
	same = !why[0] && drv && n == run->ndrv;
	for (size_t i = 0; same && i < n; i++) {
		int found = 0;

		for (size_t k = 0; k < run->ndrv; k++)
			found |= !strcmp(drv[i].sha256, run->drv[k].sha256);
		if (!found) {
			snprintf(why, len, "module %s sha256 %.16s is none of the run's", drv[i].name,
				 drv[i].sha256);
			same = 0;
		}
	}
	if (!same && !why[0])
		snprintf(why, len, "%zu modules, the run has %zu", n, run->ndrv);
	free(drv);
	return same;
}

/* A rerun runs only the configurations it names; each must be one this matrix runs. */
static int run_rerun_filter(const struct cli_run *r, struct certify_config *cfgs, int n)
{
	const struct cli_rerun *rr = r->rerun;

	for (size_t k = 0; k < rr->n; k++) {
		int found = 0;

		for (int i = 0; i < n; i++)
			found |= !strcmp(cfgs[i].name, rr->names[k]) && cfgs[i].state == CERTIFY_CFG_RUN;
		if (!found)
			return cli_fail("rerun: configuration %s of run %lld is not one this host runs "
					"in plan %s", rr->names[k], (long long)rr->run, r->plan.name), -1;
	}
	for (int i = 0; i < n; i++) {
		int named = 0;

		for (size_t k = 0; k < rr->n; k++)
			named |= !strcmp(cfgs[i].name, rr->names[k]);
		if (named || cfgs[i].state != CERTIFY_CFG_RUN)
			continue;
		cfgs[i].state = CERTIFY_CFG_NOTRUN;
		snprintf(cfgs[i].why, sizeof(cfgs[i].why), "not rerun: it neither failed nor erred in "
			 "run %lld", (long long)rr->run);
	}
	return 0;
}

int cli_run_matrix(struct cli_run *r, struct certify_config **cfgs)
{
	unsigned irqs = CERTIFY_IRQ_MSIX | CERTIFY_IRQ_MSI | CERTIFY_IRQ_INTX;
	struct certify_err err;
	char why[256] = "";
	int kvm_ok = qemu_kvm_usable(why, sizeof(why)), n;

	*cfgs = NULL;
	if (r->accel == QEMU_ACCEL_KVM && !kvm_ok)
		return cli_fail("--accel kvm: KVM unusable: %s", why), -1;
	for (size_t i = 0; i < r->spec.ndut; i++)
		irqs &= r->spec.dut[i].m->irqs;
	if (r->spec.target)
		kvm_ok = 1;	/* no QEMU: every configuration of the plan is the machine's */
	n = certify_matrix_build(&r->plan, r->accel, kvm_ok, why, irqs, cfgs, &err);
	if (n < 0)
		return cli_fail("%s", err.msg), -1;
	if (r->rerun && run_rerun_filter(r, *cfgs, n) < 0) {
		free(*cfgs);
		*cfgs = NULL;
		return -1;
	}
	if (r->spec.target)
		certify_matrix_target(*cfgs, (size_t)n);
	return n;
}

struct certify_db_driver *cli_run_drivers(const struct cli_run *r, size_t *n)
{
	struct certify_db_driver *drv = calloc(r->nmods + 1, sizeof(*drv));

	for (size_t i = 0; drv && i < r->nmods; i++) {
		snprintf(drv[i].name, sizeof(drv[i].name), "%s", r->mods[i].name);
		snprintf(drv[i].version, sizeof(drv[i].version), "%s", r->mods[i].version);
		snprintf(drv[i].vendor, sizeof(drv[i].vendor), "%s", r->mods[i].vendor);
		snprintf(drv[i].sha256, sizeof(drv[i].sha256), "%s", r->mods[i].sha256);
	}
	*n = r->nmods;
	return drv;
}

static int run_execute(struct cli_run *r, FILE *human)
{
	struct certify_run_hooks hooks = { run_hook_start, run_hook_test, run_hook_done, r };
	struct certify_config_result *res = NULL;
	struct certify_config *cfgs = NULL;
	struct certify_db_driver *drv;
	struct certify_err err;
	enum certify_verdict v;
	char *req, *log, why[256];
	size_t ndrv;
	int n = cli_run_matrix(r, &cfgs), rc;

	if (n < 0)
		return CLI_ERROR;
	if (r->rerun && !cli_run_same(r, r->rerun->orig, why, sizeof(why))) {
		free(cfgs);
		return cli_fail("rerun: this host differs from run %lld: %s", (long long)r->rerun->run, why);
	}
	if (cli_db_open(r->c, &r->db) != CLI_PASS) {
		free(cfgs);
		return CLI_ERROR;
	}
	drv = cli_run_drivers(r, &ndrv);
	req = cli_run_request(r, cfgs, (size_t)n);
	rc = drv && req ? certify_db_run_begin(r->db, r->plan.name, req, r->spec.seed, &r->bind.db,
						 drv, ndrv, &r->run_id, &err) :
			  certify_errf(&err, "out of memory");
	free(drv);
	free(req);
	if (rc < 0) {
		free(cfgs);
		return cli_fail("%s", err.msg);
	}
	cli_run_header(r, human, (size_t)n);
	fprintf(human, "run:     %lld\n", (long long)r->run_id);
	if (r->rerun)
		fprintf(human, "completes: run %lld (%zu configuration%s that failed or erred there)\n",
			(long long)r->rerun->run, r->rerun->n, r->rerun->n == 1 ? "" : "s");
	fflush(human);
	res = calloc((size_t)n + 1, sizeof(*res));
	r->progress = cli_progress_new(human, (size_t)n, r->spec.jobs, r->verbose);
	if (res)
		certify_run_all(&r->spec, cfgs, (size_t)n, &hooks, res);
	cli_progress_free(r->progress);
	v = res ? certify_run_verdict(res, (size_t)n) : CERTIFY_V_ERROR;
	if (certify_proc_interrupted() || r->db_failed)
		v = CERTIFY_V_ERROR;
	log = res ? run_summary(res, (size_t)n, v, r->spec.seed) : NULL;
	if (r->db_failed)
		cli_fail("store: %s", r->db_err);
	if (certify_db_run_finish(r->db, r->run_id, certify_verdict_name(v), log, &err) < 0) {
		cli_fail("%s", err.msg);
		v = CERTIFY_V_ERROR;
	}
	free(log);
	fprintf(human, "verdict: %s (run %lld, seed %llu)\n", v == CERTIFY_V_PASS ? "PASS" :
		v == CERTIFY_V_FAIL ? "FAIL" : "ERROR", (long long)r->run_id,
		(unsigned long long)r->spec.seed);
	if (res)
		run_print_coverage(res, (size_t)n, human);
	if (run_waivers(r, human, &v) != 0)
		v = CERTIFY_V_ERROR;
	if (v == CERTIFY_V_PASS && !r->bind.db.official)
		fprintf(human, "certified: no, an unofficial run: %s\n", r->bind.db.unofficial_why);
	if (run_reports(r, human) != 0 && v == CERTIFY_V_PASS)
		v = CERTIFY_V_ERROR;
	for (int i = 0; res && i < n; i++)
		certify_config_result_free(&res[i]);
	free(res);
	free(cfgs);
	return v == CERTIFY_V_PASS ? CLI_PASS : v == CERTIFY_V_FAIL ? CLI_FAIL : CLI_ERROR;
}

struct cli_run *cli_run_new(struct cli_common *c)
{
	struct cli_run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->c = c;
	r->spec.jobs = 1;
	r->accel = QEMU_ACCEL_AUTO;
	return r;
}

void cli_run_free(struct cli_run *r)
{
	if (!r)
		return;
	cli_bind_free(&r->bind);
	certify_modinfo_free_all(r->mods, r->nmods);
	if (r->spec.plan)
		certify_plan_free(&r->plan);
	free(r);
}

struct certify_run_spec *cli_run_spec(struct cli_run *r)
{
	return &r->spec;
}

const struct certify_db_binding *cli_run_binding(const struct cli_run *r)
{
	return &r->bind.db;
}

const char *cli_run_plan(const struct cli_run *r)
{
	return r->plan.name;
}

int cli_cmd_run(int argc, char **argv, struct cli_common *c)
{
	return cli_run_main_rerun(argc, argv, c, NULL, NULL);
}

int cli_run_main(int argc, char **argv, struct cli_common *c, int64_t *id)
{
	return cli_run_main_rerun(argc, argv, c, id, NULL);
}

int cli_run_main_rerun(int argc, char **argv, struct cli_common *c, int64_t *id,
		       const struct cli_rerun *rr)
{
	struct certify_err err;
	struct cli_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.rerun = rr;
	r.spec.jobs = 1;
	r.accel = QEMU_ACCEL_AUTO;
	/* Installed first: from here on no QEMU outlives certify, also on SIGINT/SIGTERM. */
	certify_proc_install_handlers();
	if (cli_run_prepare(&r, argc, argv) != 0)
		rc = CLI_ERROR;
	else if (r.vfio_bind && certify_vfio_bind(&r.vfio, &err) < 0)
		rc = cli_fail("--host-device %s: %s", r.vfio.addr, err.msg);
	else
		rc = run_execute(&r, c->json ? stderr : stdout);
	/* --bind: every function goes back to the driver it had, whatever the run gave */
	if (r.vfio_bind && certify_vfio_restore(&r.vfio, &err) < 0)
		rc = cli_fail("--host-device %s: --bind: %s", r.vfio.addr, err.msg);
	if (id)
		*id = r.run_id;
	certify_db_close(r.db);
	cli_bind_free(&r.bind);
	certify_modinfo_free_all(r.mods, r.nmods);
	if (r.spec.plan)
		certify_plan_free(&r.plan);
	if (certify_proc_interrupted())
		return CLI_INTERRUPTED(certify_proc_interrupted());
	return rc;
}
