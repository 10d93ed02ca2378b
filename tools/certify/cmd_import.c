/*
 * certify import FILE: a vendor's package, verified against the maintainer's keyring, stored
 * as a run submitted by that vendor. certify replay FILE: the package's run again on this
 * host, with its seed, plan and modules, compared verdict by verdict and test by test.
 * docs/certify.md, "Packages".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../hcl/hcl_key.h"
#include "cli.h"
#include "waiver.h"
#include "official.h"
#include "pkg.h"
#include "pkg_report.h"
#include "proc.h"
#include "tmpdir.h"

#ifndef HV_RELEASE
#define HV_RELEASE "?"
#endif

struct imp_args {
	const char *pubkey, *keyring, *file;
};

static int imp_args(int argc, char **argv, struct cli_common *c, struct imp_args *a,
		    const char *usage, int pubkey_ok)
{
	static const struct option lo[] = {
		{ "pubkey", required_argument, NULL, 'P' }, { "keyring", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' }, CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	int o;

	memset(a, 0, sizeof(*a));
	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		switch (o) {
		case 'P':
			if (!pubkey_ok)
				return cli_fail("import: --pubkey: a submission is checked against the "
						"keyring (--keyring DIR), which names its vendor"), -1;
			a->pubkey = optarg;
			break;
		case 'K': a->keyring = optarg; break;
		case 'h': printf("usage: %s\n", usage); exit(CLI_PASS);
		default: fprintf(stderr, "usage: %s\n", usage); return -1;
		}
	}
	if (optind + 1 != argc)
		return cli_fail("usage: %s", usage), -1;
	a->file = argv[optind];
	return 0;
}

/* Writes member m into dir (its base name); path gets the file's path. */
static int imp_extract(const struct pkg_member *m, const char *dir, char *path, size_t len,
		       struct certify_err *err)
{
	const char *base = strrchr(m->name, '/');
	FILE *f;

	snprintf(path, len, "%s/%s", dir, base ? base + 1 : m->name);
	f = fopen(path, "wb");
	if (!f || fwrite(m->data, 1, m->len, f) != m->len) {
		if (f)
			fclose(f);
		return certify_errf(err, "%s: cannot write", path);
	}
	return fclose(f) == 0 ? 0 : certify_errf(err, "%s: cannot write", path);
}

/* The plan is byte for byte the one shipped with this release (certify/official.c). */
static int imp_plan(const char *file, const struct pkg *p, const struct certify_db_run *r,
		    struct certify_err *err)
{
	struct certify_plan plan;
	char name[64];

	if (strcmp(r->release, HV_RELEASE))
		return certify_errf(err, "%s: the run ran hvkit %s, this maintainer's certify ships the "
				    "plans of hvkit %s: import it with that release's certify", file,
				    r->release[0] ? r->release : "(unknown)", HV_RELEASE);
	memset(&plan, 0, sizeof(plan));
	snprintf(plan.name, sizeof(plan.name), "%s", r->plan);
	snprintf(name, sizeof(name), "plans/%s.plan", r->plan);
	pkg_sha256(pkg_find(p, name)->data, pkg_find(p, name)->len, plan.sha256);
	if (!certify_plan_official(&plan, err->msg, sizeof(err->msg))) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err->msg);
		return certify_errf(err, "%s: member %s: %s", file, name, why);
	}
	if (!r->bind.official)
		return certify_errf(err, "%s: an unofficial run (%s): only an official run can be "
				    "submitted", file, r->bind.unofficial_why);
	return 0;
}

/* Each module member is the driver the report names for its sha256: same name and version as
 * its own metadata says (read on the host with the kernel's parser). */
static int imp_modules(const char *file, const struct pkg *p, const struct certify_db_run *r,
		       const char *dir, char mods[][1100], size_t *nmods, struct certify_err *err)
{
	*nmods = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pkg_member *m = &p->m[i];
		struct certify_modinfo mi;
		const struct certify_db_driver *d = NULL;

		if (strncmp(m->name, "modules/", 8))
			continue;
		if (*nmods == 32)
			return certify_errf(err, "%s: more than 32 modules", file);
		if (imp_extract(m, dir, mods[*nmods], sizeof(mods[0]), err) < 0)
			return -1;
		if (certify_modinfo_read(mods[*nmods], &mi, err) < 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s", err->msg);
			return certify_errf(err, "%s: member %s: not a module: %s", file, m->name, why);
		}
		for (size_t k = 0; k < r->ndrv; k++)
			if (!strcmp(r->drv[k].sha256, mi.sha256))
				d = &r->drv[k];
		if (!d || strcmp(d->name, mi.name) || strcmp(d->version, mi.version)) {
			certify_errf(err, "%s: member %s: module %s %s (sha256 %.16s), the report names %s %s "
				     "for it", file, m->name, mi.name, mi.version, mi.sha256,
				     d ? d->name : "no driver", d ? d->version : "");
			certify_modinfo_free(&mi);
			return -1;
		}
		certify_modinfo_free(&mi);
		(*nmods)++;
	}
	return 0;
}

/* Verifies, reads and checks a package (an import also its plan: shipped with this release);
 * its modules are written into dir. */
static int imp_open(const struct imp_args *a, int import, struct pkg *p, struct pkg_info *info,
		    struct certify_db_run *r, const char *dir, char mods[][1100], size_t *nmods)
{
	struct certify_err err;
	char ring[1024];

	pkg_keyring_dir(a->keyring, ring, sizeof(ring));
	if (pkg_verify(a->file, a->pubkey, ring, p, info, &err) < 0)
		return cli_fail("%s", err.msg), -1;
	if (pkg_report_read(p, r, &err) < 0) {
		pkg_free(p);
		return cli_fail("%s: %s", a->file, err.msg), -1;
	}
	if ((import && imp_plan(a->file, p, r, &err) < 0) || imp_modules(a->file, p, r, dir, mods, nmods, &err) < 0) {
		certify_db_run_free(r);
		pkg_free(p);
		return cli_fail("%s", err.msg), -1;
	}
	return 0;
}


/* The imported run under the store's live waivers: says when they make it pass (the store
 * keeps the vendor's verdict; docs/certify.md, "Waivers"). Nothing to say otherwise. */
static void import_waived(struct certify_db *db, int64_t id)
{
	struct certify_db_run r;
	struct certify_err err;
	char today[11];

	certify_waiver_today(today);
	if (certify_db_run_load(db, id, &r, &err) < 0)
		return;
	if (certify_db_run_waive(db, &r, today, &err) > 0)
		printf("import: run %lld: %s under live waivers (%zu failed test%s waived; "
		       "certify show %lld)\n", (long long)id, r.verdict, r.nwaived,
		       r.nwaived == 1 ? "" : "s", (long long)id);
	certify_db_run_free(&r);
}

int cli_cmd_import(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify import FILE [--keyring DIR] [--db STORE]";
	struct certify_db_submission sub;
	struct certify_db *db = NULL;
	struct certify_db_run r;
	struct certify_err err;
	struct pkg_info info;
	struct imp_args a;
	struct pkg *p = calloc(1, sizeof(*p));
	char dir[256], (*mods)[1100] = calloc(32, sizeof(*mods));
	size_t nmods;
	int64_t id;
	int rc = CLI_ERROR;

	if (!p || !mods || imp_args(argc, argv, c, &a, usage, 0) < 0)
		goto out;
	if (certify_tmpdir_create(dir, sizeof(dir), &err) < 0) {
		cli_fail("import: %s", err.msg);
		goto out;
	}
	if (imp_open(&a, 1, p, &info, &r, dir, mods, &nmods) < 0)
		goto rmdir;
	memset(&sub, 0, sizeof(sub));
	snprintf(sub.vendor, sizeof(sub.vendor), "%s", info.vendor);
	snprintf(sub.key_id, sizeof(sub.key_id), "%s", info.key_id);
	snprintf(sub.package_sha256, sizeof(sub.package_sha256), "%s", info.sha256);
	snprintf(sub.signed_at, sizeof(sub.signed_at), "%s", info.signed_at);
	snprintf(sub.vendor_host, sizeof(sub.vendor_host), "%s", r.host);
	sub.vendor_run = r.id;
	if (cli_db_open(c, &db) != CLI_PASS)
		goto free_run;
	if (certify_db_import(db, &r, &sub, &id, &err) < 0) {
		cli_fail("import: %s: %s", a.file, err.msg);
		goto free_run;
	}
	printf("import: %s: run %lld of %s (its run %lld on %s, plan %s, seed %llu, verdict %s) "
	       "stored as run %lld\n", a.file, (long long)id, info.vendor, (long long)r.id, r.host,
	       r.plan, (unsigned long long)r.seed, r.verdict, (long long)id);
	import_waived(db, id);
	rc = CLI_PASS;
free_run:
	certify_db_run_free(&r);
	pkg_free(p);
rmdir:
	certify_tmpdir_remove(dir);
out:
	certify_db_close(db);
	free(mods);
	free(p);
	return rc;
}

static const struct certify_db_config *imp_cfg(const struct certify_db_run *r, const char *name)
{
	for (size_t i = 0; i < r->ncfg; i++)
		if (!strcmp(r->cfg[i].name, name))
			return &r->cfg[i];
	return NULL;
}

static const struct certify_db_result *imp_test(const struct certify_db_config *c,
						const struct certify_db_result *t)
{
	for (size_t i = 0; i < c->nresult; i++)
		if (!strcmp(c->result[i].suite, t->suite) && !strcmp(c->result[i].name, t->name))
			return &c->result[i];
	return NULL;
}

/* Verdict by verdict, test by test: each difference is a line. Returns their number. */
static size_t imp_compare(const struct certify_db_run *pk, const struct certify_db_run *re,
			  size_t *ntests)
{
	size_t diff = 0;

	*ntests = 0;
	for (size_t i = 0; i < pk->ncfg; i++) {
		const struct certify_db_config *a = &pk->cfg[i], *b = imp_cfg(re, a->name);

		if (!b) {
			printf("DIFF %s: in the package, not in the replay\n", a->name);
			diff++;
			continue;
		}
		if (strcmp(a->verdict, b->verdict)) {
			printf("DIFF %s: package %s, replay %s: %s\n", a->name, a->verdict, b->verdict,
			       b->reason ? b->reason : "");
			diff++;
		}
		for (size_t k = 0; k < a->nresult; k++) {
			const struct certify_db_result *t = &a->result[k], *u = imp_test(b, t);

			(*ntests)++;
			if (!u || strcmp(t->status, u->status)) {
				printf("DIFF %s %s.%s: package %s, replay %s%s%s\n", a->name, t->suite, t->name,
				       t->status, u ? u->status : "(not reported)", u && u->message[0] ?
				       ": " : "", u ? u->message : "");
				diff++;
			}
		}
		for (size_t k = 0; k < b->nresult; k++)
			if (!imp_test(a, &b->result[k])) {
				printf("DIFF %s %s.%s: not in the package, replay %s\n", a->name,
				       b->result[k].suite, b->result[k].name, b->result[k].status);
				diff++;
			}
	}
	for (size_t i = 0; i < re->ncfg; i++)
		if (!imp_cfg(pk, re->cfg[i].name)) {
			printf("DIFF %s: in the replay, not in the package\n", re->cfg[i].name);
			diff++;
		}
	return diff;
}

int cli_cmd_replay(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify replay FILE [--keyring DIR | --pubkey VENDOR.pub] [--db STORE] "
			    "[--kernel ELF]";
	struct certify_db *db = NULL;
	struct certify_db_run r, re;
	struct certify_err err;
	struct pkg_info info;
	struct imp_args a;
	struct pkg *p = calloc(1, sizeof(*p));
	char dir[256], plans[300], path[1100], name[64], buf[8192], *rargv[80];
	char (*mods)[1100] = calloc(32, sizeof(*mods));
	const char *mp[32];
	size_t nmods, rargc, ntests, diff;
	int64_t id = 0;
	int rc = CLI_ERROR, run_rc;

	if (!p || !mods || imp_args(argc, argv, c, &a, usage, 1) < 0)
		goto out;
	certify_proc_install_handlers();
	if (certify_tmpdir_create(dir, sizeof(dir), &err) < 0) {
		cli_fail("replay: %s", err.msg);
		goto out;
	}
	if (imp_open(&a, 0, p, &info, &r, dir, mods, &nmods) < 0)
		goto rmdir;
	/* The package's plan and modules, not this host's files of the same names. */
	snprintf(plans, sizeof(plans), "%s/plans", dir);
	snprintf(name, sizeof(name), "plans/%s.plan", r.plan);
	if (mkdir(plans, 0700) < 0 || imp_extract(pkg_find(p, name), plans, path, sizeof(path), &err) < 0) {
		cli_fail("replay: %s", err.msg[0] ? err.msg : "cannot extract the plan");
		goto free_run;
	}
	for (size_t i = 0; i < nmods; i++)
		mp[i] = mods[i];
	if (cli_request_argv(r.config, mp, nmods, rargv, 80, &rargc, buf, sizeof(buf)) < 0) {
		cli_fail("replay: %s: member report.json: its request cannot be run again", a.file);
		goto free_run;
	}
	c->plans = plans;
	printf("replay: %s: run %lld of %s (seed %llu, plan %s) on this host\n", a.file, (long long)r.id,
	       info.vendor[0] ? info.vendor : info.pubkey, (unsigned long long)r.seed, r.plan);
	fflush(stdout);
	optind = 0;
	run_rc = cli_run_main((int)rargc, rargv, c, &id);
	if (!id || certify_proc_interrupted()) {
		cli_fail("replay: the run did not start (exit %d)", run_rc);
		goto free_run;
	}
	if (cli_db_open(c, &db) != CLI_PASS || certify_db_run_load(db, id, &re, &err) < 0) {
		cli_fail("replay: run %lld: %s", (long long)id, err.msg);
		goto free_run;
	}
	if (strcmp(re.bind.kernel_sha256, r.bind.kernel_sha256))
		printf("note: kernel sha256 %.16s here, the package's run had %.16s\n",
		       re.bind.kernel_sha256, r.bind.kernel_sha256);
	if (strcmp(re.bind.qemu_version, r.bind.qemu_version))
		printf("note: %s here, the package's run had %s\n", re.bind.qemu_version, r.bind.qemu_version);
	diff = imp_compare(&r, &re, &ntests);
	printf("replay: run %lld: %zu configurations, %zu tests compared with the package: %s%s\n",
	       (long long)id, r.ncfg, ntests, diff ? "differences: " : "the same verdicts",
	       diff ? "see DIFF lines" : "");
	rc = diff ? CLI_FAIL : CLI_PASS;
	certify_db_run_free(&re);
free_run:
	certify_db_run_free(&r);
	pkg_free(p);
rmdir:
	certify_tmpdir_remove(dir);
out:
	certify_db_close(db);
	free(mods);
	free(p);
	return certify_proc_interrupted() ? CLI_INTERRUPTED(certify_proc_interrupted()) : rc;
}
