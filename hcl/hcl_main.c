/*
 * hcl: the hardware compatibility list tool (docs/hcl.md).
 *   hcl check | keygen | sign | verify | validate | compile | export | fetch | publish | site |
 *   probe | features
 * Commands are dispatched from hcl_cmds[]; exit statuses are named in hcl_exit.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../db/store.h"
#include "hcl.h"
#include "hcl_feature.h"
#include "hcl_key.h"
#include "hcl_exit.h"

#ifndef HV_RELEASE
#define HV_RELEASE "0.0.0"
#endif

static const char hcl_usage[] =
"usage: hcl COMMAND [OPTIONS]\n"
"  check [--inventory FILE|-] [--hcl FILE|URL] [--pubkey PUB] [--release R] [--json] [--insecure]\n"
"        is this machine (or the inventory of another: lspci -nn/-vvnn/-vmmnn/-x/-n, JSON,\n"
"        hvkernel boot log; - reads standard input) supported? exit 0 bootable, 1 not, 2 error\n"
"        --require FEATURE[,FEATURE] (repeatable): a device counts as certified only when\n"
"        its entry lists every one (needs the JSON list: hcl.bin carries no features)\n"
"  keygen -o KEY                      new Ed25519 key pair: KEY (secret, 0600), KEY.pub\n"
"  sign LIST --key KEY [-o OUT]       signed envelope (default OUT: LIST with .signed.json)\n"
"  verify FILE --pubkey PUB           check the signature of a signed list or hcl.bin\n"
"  validate LIST                      strict format check of a plain list\n"
"  compile LIST -o hcl.bin [--key KEY] [--pubkey PUB]   the kernel's compact table\n"
"  export [--db PATH] [--local] [-o hcl.json]\n"
"                                     the list from the certified runs the store imported\n"
"                                     from vendors' packages (--local: from its own runs, a\n"
"                                     vendor's preview)\n"
"  fetch URL [-o FILE] [--pubkey PUB] [--insecure] [--timeout S] [--retries N]\n"
"  publish FILE URL [--token T]       HTTP PUT (token also from $HCL_TOKEN)\n"
"  site -o DIR --hcl FILE [--pubkey PUB] [--insecure]   static HCL web page\n"
"  features                           the feature table: each feature and the tests proving it\n"
"  probe [-o FILE] [--sysfs DIR]      this Linux server as a JSON inventory (IDs, class,\n"
"                                     driver and version, firmware from sysfs and ethtool)\n"
"Environment: HCL_LIST (default --hcl), HCL_PUBKEY (default --pubkey), HCL_SITE_ASSETS,\n"
"  HVKIT_DB (export's default store; else ~/.local/share/hvkit/cert.db, as certify),\n"
"  HCL_PCI_IDS (the pci.ids names come from; else libpci's).\n"
"exit: 0 done (check: bootable), 1 check: not bootable, verify: bad signature, 2 error\n";

/* Parsed command line: positional arguments and the options we know. */
struct hcl_args {
	const char *pos[4];
	int npos;
	const char *out, *key, *pubkey, *hcl, *inventory, *release, *token, *timeout, *retries, *db;
	const char *sysfs;
	const char *require[16];	/* --require values, in order (repeatable) */
	int nrequire;
	int json, insecure, local;
};

static int hcl_parse_args(int argc, char **argv, struct hcl_args *a)
{
	static const struct { const char *name; size_t off; } opts[] = {
		{ "-o", offsetof(struct hcl_args, out) },
		{ "--output", offsetof(struct hcl_args, out) },
		{ "--key", offsetof(struct hcl_args, key) },
		{ "--pubkey", offsetof(struct hcl_args, pubkey) },
		{ "--hcl", offsetof(struct hcl_args, hcl) },
		{ "--inventory", offsetof(struct hcl_args, inventory) },
		{ "--release", offsetof(struct hcl_args, release) },
		{ "--token", offsetof(struct hcl_args, token) },
		{ "--timeout", offsetof(struct hcl_args, timeout) },
		{ "--retries", offsetof(struct hcl_args, retries) },
		{ "--db", offsetof(struct hcl_args, db) },
		{ "--sysfs", offsetof(struct hcl_args, sysfs) },
	};

	memset(a, 0, sizeof(*a));
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		size_t k;

		if (strcmp(s, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (strcmp(s, "--insecure") == 0) {
			a->insecure = 1;
			continue;
		}
		if (strcmp(s, "--local") == 0) {
			a->local = 1;
			continue;
		}
		if (strcmp(s, "--require") == 0) {
			if (i + 1 >= argc || a->nrequire == 16) {
				fprintf(stderr, "hcl: --require %s\n", i + 1 >= argc ? "needs a value" :
					"given more than 16 times");
				return -1;
			}
			a->require[a->nrequire++] = argv[++i];
			continue;
		}
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcmp(s, opts[k].name) == 0)
				break;
		if (k < sizeof(opts) / sizeof(opts[0])) {
			if (i + 1 >= argc) {
				fprintf(stderr, "hcl: %s needs a value\n", s);
				return -1;
			}
			*(const char **)((char *)a + opts[k].off) = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "hcl: unknown option %s (see hcl --help)\n", s);
			return -1;
		} else if (a->npos < 4) {
			a->pos[a->npos++] = s;
		} else {
			fprintf(stderr, "hcl: too many arguments\n");
			return -1;
		}
	}
	if (!a->pubkey)
		a->pubkey = getenv("HCL_PUBKEY");
	if (!a->hcl)
		a->hcl = getenv("HCL_LIST");
	return 0;
}

static int hcl_need(const struct hcl_args *a, int npos, const char *what)
{
	if (a->npos != npos) {
		fprintf(stderr, "hcl: expected %s (see hcl --help)\n", what);
		return -1;
	}
	return 0;
}

static int hcl_fail(const struct hcl_err *err)
{
	fprintf(stderr, "hcl: %s\n", err->msg);
	return HCL_EXIT_ERROR;
}

static void hcl_net_defaults(const struct hcl_args *a, struct hcl_net_opts *o)
{
	o->timeout_s = a->timeout ? atol(a->timeout) : 30;
	o->retries = a->retries ? atoi(a->retries) : 3;
	o->backoff_ms = 500;
	if (o->timeout_s <= 0)
		o->timeout_s = 30;
	if (o->retries < 0 || o->retries > 10)
		o->retries = 3;
}

static int hcl_is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* --hcl URL: fetched (signature checked) into a temporary file that is removed again. */
static int hcl_load_any(const struct hcl_args *a, int want_list, const struct hcl_inv *only,
			struct hcl_loaded *ld, struct hcl_err *err)
{
	char tmp[64] = "/tmp/hcl-list.XXXXXX";
	struct hcl_net_opts o;
	int fd, rc;

	if (!a->hcl)
		return hcl_errf(err, "no list given (--hcl FILE|URL, or $HCL_LIST)");
	if (!hcl_is_url(a->hcl))
		return hcl_load(a->hcl, a->pubkey, a->insecure, want_list, only, ld, err);
	fd = mkstemp(tmp);
	if (fd < 0)
		return hcl_errf(err, "cannot create a temporary file in /tmp");
	close(fd);
	hcl_net_defaults(a, &o);
	rc = hcl_fetch(a->hcl, tmp, a->pubkey, a->insecure, &o, err);
	if (rc == 0)
		rc = hcl_load(tmp, a->pubkey, a->insecure, want_list, only, ld, err);
	unlink(tmp);
	strncat(tmp, ".meta", sizeof(tmp) - strlen(tmp) - 1);
	unlink(tmp);
	return rc;
}

static int hcl_cmd_check(struct hcl_args *a)
{
	struct hcl_loaded ld;
	struct hcl_inv inv;
	struct hcl_report rep;
	struct hcl_err err;
	struct hcl_require req = { .n = 0 };
	const char *release = a->release ? a->release : HV_RELEASE;
	const char *input = a->inventory ? (strcmp(a->inventory, "-") ? a->inventory :
					    "(standard input)") : "this machine";
	int rc;

	if (hcl_need(a, 0, "no arguments besides options") < 0)
		return HCL_EXIT_ERROR;
	for (int i = 0; i < a->nrequire; i++)
		if (hcl_require_add(&req, a->require[i], &err) < 0)
			return hcl_fail(&err);
	/* The inventory first: a JSON list is then compiled for its devices only. */
	rc = a->inventory ? hcl_inv_read(&inv, a->inventory, &err) : hcl_inv_probe(&inv, &err);
	if (rc < 0)
		return hcl_fail(&err);
	hcl_report_warnings(&inv, input, stderr);
	/* Features are in the JSON list only (hcl.bin does not carry them): read it whole. */
	if (hcl_load_any(a, req.n > 0, &inv, &ld, &err) < 0) {
		hcl_inv_free(&inv);
		return hcl_fail(&err);
	}
	req.list = &ld.list;
	hcl_print_age(stderr, a->hcl, (int64_t)ld.hb.generated);
	if (!ld.sig.signed_ok)
		fprintf(stderr, "%s: warning: signature not checked (--insecure)\n", a->hcl);
	if (hcl_check_req(&ld.hb, release, &inv, &req, &rep, &err) < 0) {
		hcl_inv_free(&inv);
		hcl_loaded_free(&ld);
		return hcl_fail(&err);
	}
	if (a->json)
		hcl_report_json(&rep, &ld, &inv, input, stdout);
	else
		hcl_report_print(&rep, stdout);
	rc = rep.bootable ? HCL_EXIT_OK : HCL_EXIT_NOT_BOOTABLE;
	hcl_report_free(&rep);
	hcl_inv_free(&inv);
	hcl_loaded_free(&ld);
	return rc;
}

/* The feature table (docs/hcl.md, "Features"), as the docs show it. */
static int hcl_cmd_features(struct hcl_args *a)
{
	if (hcl_need(a, 0, "hcl features") < 0)
		return HCL_EXIT_ERROR;
	hcl_feature_print(stdout);
	return fflush(stdout) == 0 ? HCL_EXIT_OK : HCL_EXIT_ERROR;
}

static int hcl_cmd_verify(struct hcl_args *a)
{
	struct hcl_loaded ld;
	struct hcl_err err;

	if (hcl_need(a, 1, "hcl verify FILE --pubkey PUB") < 0)
		return HCL_EXIT_ERROR;
	if (!a->pubkey) {
		fprintf(stderr, "hcl: verify needs --pubkey PUB\n");
		return HCL_EXIT_ERROR;
	}
	if (hcl_load(a->pos[0], a->pubkey, 0, 0, NULL, &ld, &err) < 0) {
		fprintf(stderr, "hcl: %s\n", err.msg);
		return HCL_EXIT_BAD_SIGNATURE;
	}
	printf("%s: good signature, key %s, signed %s\n", a->pos[0], ld.sig.key_id,
	       ld.sig.signed_at);
	if (ld.sig.digest[0])
		printf("%s: the signature covers SHA-256 %s of the %s\n", a->pos[0], ld.sig.digest,
		       ld.sig.bin ? "image before the trailer" : "canonical list (docs/hcl.md)");
	hcl_print_age(stdout, a->pos[0], (int64_t)ld.hb.generated);
	hcl_loaded_free(&ld);
	return HCL_EXIT_OK;
}

static int hcl_cmd_compile(struct hcl_args *a)
{
	struct hcl_loaded ld;
	struct hcl_err err;
	uint8_t *img;
	size_t len;
	int rc;

	if (hcl_need(a, 1, "hcl compile LIST -o hcl.bin") < 0 || !a->out) {
		fprintf(stderr, "hcl: compile needs -o FILE\n");
		return HCL_EXIT_ERROR;
	}
	/* A plain list is the publisher's own input; a signed one is checked when PUB is given. */
	if (hcl_load(a->pos[0], a->pubkey, !a->pubkey || a->insecure, 1, NULL, &ld, &err) < 0)
		return hcl_fail(&err);
	rc = hcl_compile(&ld.list, a->key, &img, &len, &err);
	if (rc == 0) {
		rc = hcl_write_atomic(a->out, img, len, 0644, &err);
		free(img);
	}
	if (rc == 0)
		fprintf(stderr, "%s: %u records, %u releases, %zu bytes%s\n", a->out, ld.hb.count,
			ld.hb.nrel, len, a->key ? ", signed" : "");
	hcl_loaded_free(&ld);
	return rc < 0 ? hcl_fail(&err) : HCL_EXIT_OK;
}

/* The store is found as certify finds it: --db, else $HVKIT_DB, else the default. */
static int hcl_cmd_export(struct hcl_args *a)
{
	struct certify_err cerr;
	struct hcl_err err = { "" };
	char db[1024];

	if (a->npos) {
		fprintf(stderr, "hcl export: unexpected argument '%s'\n", a->pos[0]);
		return HCL_EXIT_ERROR;
	}
	if (certify_db_path(a->db, db, sizeof(db), &cerr) < 0) {
		fprintf(stderr, "hcl export: %s\n", cerr.msg);
		return HCL_EXIT_ERROR;
	}
	if (hcl_export(db, a->out, a->local, &err) < 0) {
		fprintf(stderr, "hcl export: %s\n", err.msg);
		return HCL_EXIT_ERROR;
	}
	return HCL_EXIT_OK;
}

/* The inventory is written whole or not at all: to a temporary file renamed over -o. */
static int hcl_cmd_probe(struct hcl_args *a)
{
	struct hcl_err err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (a->npos) {
		fprintf(stderr, "hcl probe: unexpected argument '%s'\n", a->pos[0]);
		return HCL_EXIT_ERROR;
	}
	if (!(f = open_memstream(&buf, &len))) {
		fprintf(stderr, "hcl probe: out of memory\n");
		return HCL_EXIT_ERROR;
	}
	int rc = hcl_probe(a->sysfs, f, &err);
	fclose(f);
	if (rc == 0 && a->out)
		rc = hcl_write_atomic(a->out, buf, len, 0644, &err);
	else if (rc == 0)
		fwrite(buf, 1, len, stdout);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "hcl probe: %s\n", err.msg);
		return HCL_EXIT_ERROR;
	}
	return HCL_EXIT_OK;
}

static int hcl_cmd_keygen(struct hcl_args *a)
{
	struct hcl_err err;

	if (hcl_need(a, 0, "hcl keygen -o KEY") < 0 || !a->out) {
		fprintf(stderr, "hcl: keygen needs -o KEY\n");
		return HCL_EXIT_ERROR;
	}
	if (hcl_keygen(a->out, &err) < 0)
		return hcl_fail(&err);
	fprintf(stderr, "wrote %s (secret, 0600) and %s.pub\n", a->out, a->out);
	return HCL_EXIT_OK;
}

static int hcl_cmd_sign(struct hcl_args *a)
{
	struct hcl_err err;
	char out[4096];

	if (hcl_need(a, 1, "hcl sign LIST --key KEY [-o OUT]") < 0 || !a->key) {
		fprintf(stderr, "hcl: sign needs LIST and --key KEY\n");
		return HCL_EXIT_ERROR;
	}
	snprintf(out, sizeof(out), "%s", a->out ? a->out : a->pos[0]);
	if (!a->out) {
		char *dot = strrchr(out, '.');

		if (dot && strcmp(dot, ".json") == 0)
			*dot = 0;
		strncat(out, ".signed.json", sizeof(out) - strlen(out) - 1);
	}
	if (hcl_sign_list(a->pos[0], a->key, out, &err) < 0)
		return hcl_fail(&err);
	fprintf(stderr, "wrote %s\n", out);
	return HCL_EXIT_OK;
}

/* fetch and publish: one transfer over HTTP with the --timeout and --retries options. */
static int hcl_cmd_http(struct hcl_args *a, int publish)
{
	struct hcl_err err;
	struct hcl_net_opts o;
	int rc;

	if (hcl_need(a, publish ? 2 : 1, publish ? "hcl publish FILE URL [--token T]" :
		     "hcl fetch URL [-o FILE]") < 0)
		return HCL_EXIT_ERROR;
	hcl_net_defaults(a, &o);
	if (publish)
		rc = hcl_publish(a->pos[0], a->pos[1], a->token ? a->token : getenv("HCL_TOKEN"), &o, &err);
	else
		rc = hcl_fetch(a->pos[0], a->out ? a->out : "hcl.signed.json", a->pubkey, a->insecure,
			       &o, &err);
	return rc < 0 ? hcl_fail(&err) : HCL_EXIT_OK;
}

static int hcl_cmd_fetch(struct hcl_args *a)
{
	return hcl_cmd_http(a, 0);
}

static int hcl_cmd_publish(struct hcl_args *a)
{
	return hcl_cmd_http(a, 1);
}

/* validate and site: a whole list, loaded and checked. */
static int hcl_cmd_list(struct hcl_args *a, int site)
{
	struct hcl_loaded ld;
	struct hcl_err err;
	int rc = 0;

	if (!site) {
		if (hcl_need(a, 1, "hcl validate LIST") < 0)
			return HCL_EXIT_ERROR;
		a->hcl = a->pos[0];
		a->insecure = a->insecure || !a->pubkey;
	} else if (hcl_need(a, 0, "hcl site -o DIR --hcl FILE") < 0 || !a->out) {
		fprintf(stderr, "hcl: site needs -o DIR\n");
		return HCL_EXIT_ERROR;
	}
	if (hcl_load_any(a, 1, NULL, &ld, &err) < 0)
		return hcl_fail(&err);
	hcl_print_age(stderr, a->hcl, ld.list.generated);
	if (!site)
		printf("%s: valid, %zu entries, %zu releases\n", a->hcl, ld.list.nentries,
		       ld.list.nreleases);
	else
		rc = hcl_site(&ld.list, a->out, getenv("HCL_SITE_ASSETS"), &err);
	hcl_loaded_free(&ld);
	return rc < 0 ? hcl_fail(&err) : HCL_EXIT_OK;
}

static int hcl_cmd_validate(struct hcl_args *a)
{
	return hcl_cmd_list(a, 0);
}

static int hcl_cmd_site(struct hcl_args *a)
{
	return hcl_cmd_list(a, 1);
}

static const struct {
	const char *name;
	int (*fn)(struct hcl_args *a);
} hcl_cmds[] = {
	{ "check", hcl_cmd_check }, { "keygen", hcl_cmd_keygen }, { "sign", hcl_cmd_sign },
	{ "verify", hcl_cmd_verify }, { "validate", hcl_cmd_validate },
	{ "compile", hcl_cmd_compile }, { "export", hcl_cmd_export }, { "fetch", hcl_cmd_fetch },
	{ "publish", hcl_cmd_publish }, { "site", hcl_cmd_site }, { "probe", hcl_cmd_probe },
	{ "features", hcl_cmd_features },
};

int main(int argc, char **argv)
{
	struct hcl_args a;
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 2 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(hcl_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? HCL_EXIT_ERROR : HCL_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("hcl (hvkit) for hvkernel %s, list schema %d, hcl.bin version %d\n",
		       HV_RELEASE, HCL_SCHEMA_VERSION, HCLBIN_VERSION);
		return HCL_EXIT_OK;
	}
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			fputs(hcl_usage, stdout);
			return HCL_EXIT_OK;
		}
	for (size_t i = 0; i < sizeof(hcl_cmds) / sizeof(hcl_cmds[0]); i++) {
		if (strcmp(cmd, hcl_cmds[i].name) == 0)
			return hcl_parse_args(argc, argv, &a) < 0 ? HCL_EXIT_ERROR : hcl_cmds[i].fn(&a);
	}
	fprintf(stderr, "hcl: unknown command '%s' (see hcl --help)\n", cmd);
	return HCL_EXIT_ERROR;
}
