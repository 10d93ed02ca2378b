/*
 * certify package RUN -o FILE --key KEY: a stored run as one signed, self-contained package
 * (pkg.h); certify verify FILE [--pubkey K | --keyring DIR]: checks one offline.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../../hcl/hcl_key.h"
#include "cli.h"
#include "pkg.h"
#include "report.h"

struct pkg_args {
	const char *out, *key, *pubkey, *keyring;
	const char *pos;
};

static int pkg_args(int argc, char **argv, struct cli_common *c, struct pkg_args *a,
		    const char *usage)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "key", required_argument, NULL, 'k' },
		{ "pubkey", required_argument, NULL, 'P' }, { "keyring", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' }, CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	int o;

	memset(a, 0, sizeof(*a));
	while ((o = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		switch (o) {
		case 'o': a->out = optarg; break;
		case 'k': a->key = optarg; break;
		case 'P': a->pubkey = optarg; break;
		case 'K': a->keyring = optarg; break;
		case 'h': printf("usage: %s\n", usage); exit(CLI_PASS);
		default: fprintf(stderr, "usage: %s\n", usage); return -1;
		}
	}
	if (optind + 1 != argc)
		return cli_fail("usage: %s", usage), -1;
	a->pos = argv[optind];
	return 0;
}

static int pkg_file_member(struct pkg *p, const char *member, const char *path,
			   const char *want_sha, const char *what, struct certify_err *err)
{
	struct hcl_err he;
	char *data, hex[65];
	size_t len;
	int rc;

	if (hcl_read_file(path, &data, &len, &he) < 0)
		return certify_errf(err, "%s: %s", what, he.msg);
	pkg_sha256(data, len, hex);
	if (strcmp(hex, want_sha)) {
		free(data);
		return certify_errf(err, "%s %s: sha256 %.16s, the run bound %.16s: not the file the run "
				    "used (rebuilt or edited since?)", what, path, hex, want_sha);
	}
	rc = pkg_add(p, member, data, len, err);
	free(data);
	return rc;
}

/* The modules the run's request names (runs.config), each checked against its sha256. */
static int pkg_modules(struct pkg *p, const struct certify_db_run *r, struct certify_err *err)
{
	json_object *o = json_tokener_parse(r->config ? r->config : ""), *a, *f, *s;
	int rc = 0;

	if (!o || !json_object_object_get_ex(o, "modules", &a))
		rc = certify_errf(err, "run %lld: its stored request names no modules", (long long)r->id);
	for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i);
		char path[1024], member[100];

		if (!json_object_object_get_ex(m, "file", &f) || !json_object_object_get_ex(m, "sha256", &s)) {
			rc = certify_errf(err, "run %lld: a module of its request has no file", (long long)r->id);
			break;
		}
		snprintf(path, sizeof(path), "%s", json_object_get_string(f));
		snprintf(member, sizeof(member), "modules/%s", basename(path));
		rc = pkg_file_member(p, member, json_object_get_string(f), json_object_get_string(s),
				     "module", err);
	}
	json_object_put(o);
	return rc;
}

static int pkg_plan(struct pkg *p, const struct certify_db_run *r, struct cli_common *c,
		    struct certify_err *err)
{
	struct certify_plan plan;
	char dir[1024], member[100];
	int rc;

	cli_path(c->plans, "CERTIFY_PLANS", "plans", dir, sizeof(dir));
	if (certify_plan_find(dir, r->plan, &plan, err) < 0)
		return -1;
	snprintf(member, sizeof(member), "plans/%s.plan", r->plan);
	rc = pkg_file_member(p, member, plan.file, r->bind.plan_sha256, "plan", err);
	certify_plan_free(&plan);
	return rc;
}

static int pkg_report(struct pkg *p, const struct certify_db_run *r, struct certify_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return certify_errf(err, "out of memory");
	rc = report_json(r, f, err);
	if (fclose(f) != 0 && rc == 0)
		rc = certify_errf(err, "out of memory");
	if (rc == 0)
		rc = pkg_add(p, "report.json", buf, len, err);
	free(buf);
	for (size_t i = 0; rc == 0 && i < r->ncfg; i++) {
		char name[100];

		if (!r->cfg[i].log || !*r->cfg[i].log)
			continue;
		snprintf(name, sizeof(name), "logs/%02d-%s.log", r->cfg[i].idx, r->cfg[i].name);
		rc = pkg_add(p, name, r->cfg[i].log, strlen(r->cfg[i].log), err);
	}
	return rc;
}

static int pkg_manifest(struct pkg *p, const struct certify_db_run *r, struct certify_err *err)
{
	json_object *o = json_object_new_object(), *run = json_object_new_object();
	json_object *a = json_object_new_array();
	char seed[32], created[32];
	const char *s;
	int rc;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	hcl_format_time((int64_t)time(NULL), created);
	json_object_object_add(o, "format", json_object_new_string(PKG_FORMAT));
	json_object_object_add(o, "created", json_object_new_string(created));
	json_object_object_add(run, "id", json_object_new_int64(r->id));
	json_object_object_add(run, "plan", json_object_new_string(r->plan));
	json_object_object_add(run, "seed", json_object_new_string(seed));
	json_object_object_add(run, "release", json_object_new_string(r->release));
	json_object_object_add(run, "host", json_object_new_string(r->host));
	json_object_object_add(run, "started", json_object_new_string(r->started));
	json_object_object_add(run, "finished", json_object_new_string(r->finished));
	json_object_object_add(run, "verdict", json_object_new_string(r->verdict));
	json_object_object_add(run, "kernel_sha256", json_object_new_string(r->bind.kernel_sha256));
	json_object_object_add(run, "qemu_version", json_object_new_string(r->bind.qemu_version));
	json_object_object_add(o, "run", run);
	for (size_t i = 0; i < p->n; i++) {
		json_object *m = json_object_new_object();
		char hex[65];

		pkg_sha256(p->m[i].data, p->m[i].len, hex);
		json_object_object_add(m, "name", json_object_new_string(p->m[i].name));
		json_object_object_add(m, "size", json_object_new_int64((int64_t)p->m[i].len));
		json_object_object_add(m, "sha256", json_object_new_string(hex));
		json_object_array_add(a, m);
	}
	json_object_object_add(o, "members", a);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = pkg_add(p, "manifest.json", s, strlen(s), err);
	json_object_put(o);
	return rc;
}

int cli_cmd_package(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify package RUN -o FILE --key VENDOR.key [--plans DIR] [--db STORE]";
	struct certify_db *db = NULL;
	struct certify_db_run r;
	struct certify_err err;
	struct hcl_err he;
	struct pkg_args a;
	struct pkg *p = calloc(1, sizeof(*p));
	uint8_t *tar = NULL;
	size_t len;
	int64_t id;
	int rc = CLI_ERROR, loaded = 0;

	if (!p)
		return cli_fail("out of memory");
	if (pkg_args(argc, argv, c, &a, usage) < 0)
		goto out;
	if (!a.out || !a.key) {
		cli_fail("package: needs -o FILE and --key VENDOR.key (usage: %s)", usage);
		goto out;
	}
	if (cli_db_open(c, &db) != CLI_PASS)
		goto out;
	if (cli_run_id(db, a.pos, &id) < 0) {
		cli_fail("package: RUN '%s': expected a run id or 'last'", a.pos);
		goto out;
	}
	if (certify_db_run_load(db, id, &r, &err) < 0) {
		cli_fail("package: %s", err.msg);
		goto out;
	}
	loaded = 1;
	if (strcmp(r.status, "complete")) {
		cli_fail("package: run %lld is %s: only a complete run can be packaged", (long long)id,
			 r.status);
		goto out;
	}
	if (pkg_report(p, &r, &err) < 0 || pkg_modules(p, &r, &err) < 0 || pkg_plan(p, &r, c, &err) < 0 ||
	    pkg_manifest(p, &r, &err) < 0 || pkg_sign(p, a.key, &err) < 0 ||
	    pkg_tar_write(p, &tar, &len, &err) < 0) {
		cli_fail("package: run %lld: %s", (long long)id, err.msg);
		goto out;
	}
	if (hcl_write_atomic(a.out, tar, len, 0644, &he) < 0) {
		cli_fail("package: -o %s", he.msg);
		goto out;
	}
	printf("package: %s: run %lld (plan %s, verdict %s), %zu members, signed with %s\n", a.out,
	       (long long)id, r.plan, r.verdict, p->n, a.key);
	rc = CLI_PASS;
out:
	free(tar);
	if (loaded)
		certify_db_run_free(&r);
	certify_db_close(db);
	pkg_free(p);
	free(p);
	return rc;
}

int cli_cmd_verify(int argc, char **argv, struct cli_common *c)
{
	const char *usage = "certify verify FILE [--pubkey VENDOR.pub | --keyring DIR]";
	struct certify_err err;
	struct pkg_info info;
	struct pkg_args a;
	struct pkg *p = calloc(1, sizeof(*p));
	char ring[1024];
	int rc = CLI_ERROR;

	if (!p)
		return cli_fail("out of memory");
	if (pkg_args(argc, argv, c, &a, usage) < 0)
		goto out;
	pkg_keyring_dir(a.keyring, ring, sizeof(ring));
	if (pkg_verify(a.pos, a.pubkey, ring, p, &info, &err) < 0) {
		cli_fail("verify: %s", err.msg);
		goto out;
	}
	printf("%s: verified: run %lld (plan %s, seed %s, release %s, host %s, verdict %s), %zu "
	       "members, signed by %s (key %s) at %s\n", a.pos, info.run, info.plan, info.seed,
	       info.release, info.host, info.verdict, p->n, info.vendor[0] ? info.vendor : info.pubkey,
	       info.key_id, info.signed_at);
	rc = CLI_PASS;
out:
	pkg_free(p);
	free(p);
	return rc;
}
