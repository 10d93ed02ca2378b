/* certify: signing and verifying packages, the vendor keyring (pkg.h; docs/certify.md). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../../hcl/hcl_key.h"
#include "pkg.h"

#define PKG_SIG_HDR	"hvkit-package-signature 1\n"

void pkg_keyring_dir(const char *opt, char *out, size_t len)
{
	const char *e = getenv("HVKIT_KEYRING"), *home = getenv("HOME");

	if (opt && *opt)
		snprintf(out, len, "%s", opt);
	else if (e && *e)
		snprintf(out, len, "%s", e);
	else
		snprintf(out, len, "%s/.local/share/hvkit/keyring", home ? home : ".");
}

int pkg_sign(struct pkg *p, const char *keypath, struct certify_err *err)
{
	const struct pkg_member *man = pkg_find(p, "manifest.json");
	uint8_t d[32], sig[HCL_KEY_SIG];
	char hex[65], id[17], at[32], b64[92], text[400];
	struct hcl_err he;

	if (!man)
		return certify_errf(err, "no manifest.json to sign");
	pkg_sha256(man->data, man->len, hex);
	for (int i = 0; i < 32; i++)
		sscanf(hex + 2 * i, "%2hhx", &d[i]);
	hcl_format_time((int64_t)time(NULL), at);
	if (hcl_key_sign(keypath, PKG_SIG_TAG, at, d, sig, id, &he) < 0)
		return certify_errf(err, "--key %s", he.msg);
	hcl_key_sig_b64(sig, b64);
	snprintf(text, sizeof(text), PKG_SIG_HDR "key_id %s\nsigned_at %s\ned25519 %s\n", id, at, b64);
	return pkg_add(p, "signature", text, strlen(text), err);
}

/* The signature member's three fields. */
static int pkg_sig_read(const char *file, const struct pkg_member *m, struct pkg_info *info,
			uint8_t sig[HCL_KEY_SIG], struct certify_err *err)
{
	char text[512], b64[128];

	if (m->len >= sizeof(text) || memchr(m->data, '\0', m->len))
		return certify_errf(err, "%s: member signature: not a package signature", file);
	memcpy(text, m->data, m->len);
	text[m->len] = '\0';
	if (strncmp(text, PKG_SIG_HDR, strlen(PKG_SIG_HDR)) ||
	    sscanf(text + strlen(PKG_SIG_HDR), "key_id %16s\nsigned_at %31s\ned25519 %127s", info->key_id,
		   info->signed_at, b64) != 3 || strlen(info->key_id) != 16)
		return certify_errf(err, "%s: member signature: not a package signature (expected "
				    "\"%.*s\", key_id, signed_at, ed25519 lines)", file,
				    (int)strlen(PKG_SIG_HDR) - 1, PKG_SIG_HDR);
	if (hcl_key_sig_parse(b64, sig) < 0)
		return certify_errf(err, "%s: member signature: ed25519: not a base64 Ed25519 signature",
				    file);
	return 0;
}

int pkg_keyring_lookup(const char *dir, const char *id, uint8_t pk[32], char *name, size_t namelen,
		       char *path, size_t pathlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 1;

	if (!d)
		return -1;
	while (found > 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char kid[17];
		struct hcl_err he;

		if (n < 5 || strcmp(e->d_name + n - 4, ".pub") || n - 4 >= namelen)
			continue;
		snprintf(path, pathlen, "%s/%s", dir, e->d_name);
		if (hcl_key_public(path, pk, kid, &he) < 0 || strcmp(kid, id))
			continue;
		snprintf(name, namelen, "%.*s", (int)(n - 4), e->d_name);
		found = 0;
	}
	closedir(d);
	return found;
}

/* The keyring's key of id: DIR/NAME.pub, NAME the vendor. 0, or -1 (unknown key). */
static int pkg_keyring_find(const char *file, const char *dir, const char *id,
			    uint8_t pk[HCL_KEY_PK], struct pkg_info *info, struct certify_err *err)
{
	int rc = pkg_keyring_lookup(dir, id, pk, info->vendor, sizeof(info->vendor), info->pubkey,
				    sizeof(info->pubkey));

	if (rc < 0)
		return certify_errf(err, "%s: signed with key %s, and the keyring %s cannot be read: "
				    "unknown key", file, id, dir);
	if (rc > 0)
		return certify_errf(err, "%s: signed with key %s, which is not in the keyring %s: "
				    "unknown key", file, id, dir);
	return 0;
}

static int pkg_key(const char *file, const char *pubkey, const char *keyring,
		   uint8_t pk[HCL_KEY_PK], struct pkg_info *info, struct certify_err *err)
{
	struct hcl_err he;
	char kid[17];

	if (!pubkey)
		return pkg_keyring_find(file, keyring, info->key_id, pk, info, err);
	if (hcl_key_public(pubkey, pk, kid, &he) < 0)
		return certify_errf(err, "--pubkey %s", he.msg);
	if (strcmp(kid, info->key_id))
		return certify_errf(err, "%s: signed with key %s, but %s is key %s: unknown key", file,
				    info->key_id, pubkey, kid);
	snprintf(info->pubkey, sizeof(info->pubkey), "%s", pubkey);
	return 0;
}

/* Every member but manifest.json and signature is in the manifest with its size and sha256,
 * and every one the manifest names is there. */
static int pkg_members(const char *file, const struct pkg *p, json_object *man,
		       struct certify_err *err)
{
	json_object *a, *o, *v;
	size_t n;

	if (!json_object_object_get_ex(man, "members", &a) || !json_object_is_type(a, json_type_array))
		return certify_errf(err, "%s: member manifest.json: no \"members\" array", file);
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		const char *name, *sha;
		const struct pkg_member *m;
		char hex[65];

		o = json_object_array_get_idx(a, i);
		if (!json_object_object_get_ex(o, "name", &v) || !(name = json_object_get_string(v)) ||
		    !json_object_object_get_ex(o, "sha256", &v) || !(sha = json_object_get_string(v)))
			return certify_errf(err, "%s: member manifest.json: members[%zu] without name "
					    "and sha256", file, i);
		m = pkg_find(p, name);
		if (!m)
			return certify_errf(err, "%s: member %s named by the manifest is missing", file, name);
		pkg_sha256(m->data, m->len, hex);
		if (strcmp(hex, sha))
			return certify_errf(err, "%s: member %s: sha256 %.16s, the manifest says %.16s: "
					    "changed after signing", file, name, hex, sha);
	}
	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->m[i].name;
		int listed = !strcmp(name, "manifest.json") || !strcmp(name, "signature");

		for (size_t k = 0; !listed && k < n; k++) {
			o = json_object_array_get_idx(a, k);
			listed = json_object_object_get_ex(o, "name", &v) &&
				 !strcmp(json_object_get_string(v), name);
		}
		if (!listed)
			return certify_errf(err, "%s: member %s is not in the manifest: added after "
					    "signing", file, name);
	}
	return 0;
}

static const char *pkg_jstr(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The report, the plan and the modules agree: the manifest's run is the report's, the plan
 * member's sha256 the one the run binds, each module member one of the run's drivers and
 * each driver a module member, each configuration's log its log member. */
static int pkg_consistent(const char *file, const struct pkg *p, json_object *man,
			  struct certify_err *err)
{
	const struct pkg_member *rep = pkg_find(p, "report.json");
	json_object *r, *a;
	const char *plan, *bind_plan;
	char name[128], hex[65];
	size_t nmod = 0, ndrv;
	int rc = -1;

	if (!rep)
		return certify_errf(err, "%s: no member report.json", file);
	r = json_tokener_parse((const char *)rep->data);
	if (!r)
		return json_object_put(r), certify_errf(err, "%s: member report.json: not JSON", file);
	plan = pkg_jstr(r, "run", "plan");
	bind_plan = pkg_jstr(r, "binding", "plan_sha256");
	if (!plan || !bind_plan || !pkg_jstr(r, "run", "seed")) {
		certify_errf(err, "%s: member report.json: no run.plan, run.seed or binding", file);
		goto out;
	}
	if (!pkg_jstr(man, "run", "seed") || strcmp(pkg_jstr(man, "run", "seed"), pkg_jstr(r, "run", "seed")) ||
	    !pkg_jstr(man, "run", "plan") || strcmp(pkg_jstr(man, "run", "plan"), plan)) {
		certify_errf(err, "%s: member manifest.json: its run's plan or seed is not the report's", file);
		goto out;
	}
	snprintf(name, sizeof(name), "plans/%s.plan", plan);
	if (!pkg_find(p, name)) {
		certify_errf(err, "%s: no member %s: the plan the report names", file, name);
		goto out;
	}
	pkg_sha256(pkg_find(p, name)->data, pkg_find(p, name)->len, hex);
	if (strcmp(hex, bind_plan)) {
		certify_errf(err, "%s: member %s: sha256 %.16s, the run bound %.16s", file, name, hex, bind_plan);
		goto out;
	}
	if (!json_object_object_get_ex(r, "drivers", &a) || !json_object_is_type(a, json_type_array)) {
		certify_errf(err, "%s: member report.json: no drivers", file);
		goto out;
	}
	ndrv = json_object_array_length(a);
	for (size_t i = 0; i < p->n; i++) {
		int named = 0;

		if (strncmp(p->m[i].name, "modules/", 8))
			continue;
		nmod++;
		pkg_sha256(p->m[i].data, p->m[i].len, hex);
		for (size_t k = 0; k < ndrv; k++) {
			const char *s = pkg_jstr(json_object_array_get_idx(a, k), "sha256", NULL);

			named |= s && !strcmp(s, hex);
		}
		if (!named) {
			certify_errf(err, "%s: member %s: sha256 %.16s is none of the run's drivers", file,
				     p->m[i].name, hex);
			goto out;
		}
	}
	if (nmod != ndrv) {
		certify_errf(err, "%s: %zu module members, the run loaded %zu drivers", file, nmod, ndrv);
		goto out;
	}
	if (json_object_object_get_ex(r, "configurations", &a))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			json_object *c = json_object_array_get_idx(a, i), *v;
			const char *log = pkg_jstr(c, "log", NULL), *cn = pkg_jstr(c, "name", NULL);
			const struct pkg_member *m;

			if (!log || !*log || !cn || !json_object_object_get_ex(c, "index", &v))
				continue;
			snprintf(name, sizeof(name), "logs/%02d-%s.log", json_object_get_int(v), cn);
			m = pkg_find(p, name);
			if (!m || m->len != strlen(log) || memcmp(m->data, log, m->len)) {
				certify_errf(err, "%s: member %s: %s the report's log of configuration %s",
					     file, name, m ? "differs from" : "missing:", cn);
				goto out;
			}
		}
	rc = 0;
out:
	json_object_put(r);
	return rc;
}

static void pkg_run_info(json_object *mj, struct pkg_info *info)
{
	json_object *run, *v;

	if (!json_object_object_get_ex(mj, "run", &run))
		return;
	if (json_object_object_get_ex(run, "id", &v))
		info->run = (long long)json_object_get_int64(v);
#define PKG_FIELD(f) snprintf(info->f, sizeof(info->f), "%s", pkg_jstr(run, #f, NULL) ? \
			      pkg_jstr(run, #f, NULL) : "")
	PKG_FIELD(plan);
	PKG_FIELD(seed);
	PKG_FIELD(release);
	PKG_FIELD(host);
	PKG_FIELD(verdict);
#undef PKG_FIELD
}

int pkg_verify(const char *file, const char *pubkey, const char *keyring, struct pkg *p,
	       struct pkg_info *info, struct certify_err *err)
{
	const struct pkg_member *man, *sm;
	uint8_t pk[HCL_KEY_PK], sig[HCL_KEY_SIG], d[32];
	char hex[65], *text;
	struct hcl_err he;
	json_object *mj = NULL;
	size_t len;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (hcl_read_file(file, &text, &len, &he) < 0)
		return certify_errf(err, "%s", he.msg);
	pkg_sha256(text, len, info->sha256);
	rc = pkg_tar_read(file, (const uint8_t *)text, len, p, err);
	free(text);
	if (rc < 0)
		return -1;
	rc = -1;
	man = pkg_find(p, "manifest.json");
	sm = pkg_find(p, "signature");
	if (!sm) {
		certify_errf(err, "%s: no member signature: not a signed package", file);
		goto out;
	}
	if (!man) {
		certify_errf(err, "%s: no member manifest.json", file);
		goto out;
	}
	if (pkg_sig_read(file, sm, info, sig, err) < 0 || pkg_key(file, pubkey, keyring, pk, info, err) < 0)
		goto out;
	pkg_sha256(man->data, man->len, hex);
	for (int i = 0; i < 32; i++)
		sscanf(hex + 2 * i, "%2hhx", &d[i]);
	if (hcl_key_verify(pk, PKG_SIG_TAG, info->key_id, info->signed_at, d, sig) < 0) {
		certify_errf(err, "%s: bad signature: manifest.json or the signature was changed after "
			     "key %s%s%s signed it", file, info->key_id, info->vendor[0] ? " of " : "",
			     info->vendor);
		goto out;
	}
	mj = json_tokener_parse((const char *)man->data);
	if (!mj || !pkg_jstr(mj, "format", NULL) || strcmp(pkg_jstr(mj, "format", NULL), PKG_FORMAT)) {
		certify_errf(err, "%s: member manifest.json: not a %s manifest", file, PKG_FORMAT);
		goto out;
	}
	if (pkg_members(file, p, mj, err) < 0 || pkg_consistent(file, p, mj, err) < 0)
		goto out;
	pkg_run_info(mj, info);
	rc = 0;
out:
	json_object_put(mj);
	if (rc < 0)
		pkg_free(p);
	return rc;
}
