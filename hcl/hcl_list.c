/*
 * The HCL JSON format (docs/hcl.md, hcl/schema/hcl.schema.json): strict parsing with json-c
 * (unknown keys, wrong types and bad values are errors naming the path), building a list
 * from certified rows (the seam `hcl export` fills), and writing it back.
 */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "hcl.h"

/* Where we are in the document, for error messages. */
struct hcl_jctx {
	const char *name;
	struct hcl_err *err;
};

static int hcl_jfail(struct hcl_jctx *c, const char *path, const char *what)
{
	return hcl_errf(c->err, "%s: %s: %s", c->name, path, what);
}

/* The same for path.key. */
static int hcl_jfailk(struct hcl_jctx *c, const char *path, const char *key, const char *what)
{
	return hcl_errf(c->err, "%s: %s%s%s: %s", c->name, path, *path ? "." : "", key, what);
}

/* Fails on a key of obj that is not in allowed (NULL-terminated). */
static int hcl_jkeys(struct hcl_jctx *c, const char *path, json_object *obj,
		     const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *a = allowed;

		(void)val;
		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a) {
			char p[300];

			snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
			return hcl_jfail(c, p, "unknown key");
		}
	}
	return 0;
}

/* The member key of obj as a json object of type t (NULL allowed when nullable). */
static int hcl_jget(struct hcl_jctx *c, const char *path, json_object *obj, const char *key,
		    json_type t, int nullable, json_object **out)
{
	char p[300];
	static const char *const tname[] = {
		[json_type_null] = "null", [json_type_boolean] = "a boolean",
		[json_type_double] = "a number", [json_type_int] = "an integer",
		[json_type_object] = "an object", [json_type_array] = "an array",
		[json_type_string] = "a string",
	};

	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	if (!json_object_object_get_ex(obj, key, out))
		return hcl_jfail(c, p, "missing");
	if (!*out && nullable)
		return 0;
	if (!*out || json_object_get_type(*out) != t) {
		char what[64];

		snprintf(what, sizeof(what), "expected %s", tname[t]);
		return hcl_jfail(c, p, what);
	}
	return 0;
}

static int hcl_jstr(struct hcl_jctx *c, const char *path, json_object *obj, const char *key,
		    int nullable, char **out)
{
	json_object *v;

	*out = NULL;
	if (hcl_jget(c, path, obj, key, json_type_string, nullable, &v) < 0)
		return -1;
	if (!v)
		return 0;
	if (json_object_get_string_len(v) == 0)
		return hcl_jfailk(c, path, key, "empty string");
	*out = strdup(json_object_get_string(v));
	return 0;
}

/* A 4-hex lower-case ID, or "*" when wild is allowed. */
static int hcl_jid(struct hcl_jctx *c, const char *path, json_object *obj, const char *key,
		   int wild, uint32_t *out)
{
	json_object *v;
	const char *s;

	if (hcl_jget(c, path, obj, key, json_type_string, 0, &v) < 0)
		return -1;
	s = json_object_get_string(v);
	if (wild && strcmp(s, "*") == 0) {
		*out = HV_PCI_ANY;
		return 0;
	}
	if (strlen(s) != 4 || strspn(s, "0123456789abcdef") != 4)
		return hcl_jfailk(c, path, key, wild ? "expected 4 lower-case hex digits or \"*\"" :
					      "expected 4 lower-case hex digits");
	*out = (uint32_t)strtoul(s, NULL, 16);
	return 0;
}

static int hcl_jstrarr(struct hcl_jctx *c, const char *path, json_object *obj, const char *key,
		       char ***out, size_t *n)
{
	json_object *a;

	*out = NULL;
	*n = 0;
	if (hcl_jget(c, path, obj, key, json_type_array, 0, &a) < 0)
		return -1;
	*n = json_object_array_length(a);
	*out = calloc(*n ? *n : 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++) {
		json_object *s = json_object_array_get_idx(a, i);

		if (!s || json_object_get_type(s) != json_type_string ||
		    json_object_get_string_len(s) == 0) {
			return hcl_errf(c->err, "%s: %s%s%s[%zu]: expected a non-empty string",
					c->name, path, *path ? "." : "", key, i);
		}
		(*out)[i] = strdup(json_object_get_string(s));
	}
	return 0;
}

static int hcl_parse_status(const char *s, enum hcl_status *st)
{
	if (strcmp(s, "certified") == 0)
		*st = HCL_CERTIFIED;
	else if (strcmp(s, "deprecated") == 0)
		*st = HCL_DEPRECATED;
	else if (strcmp(s, "revoked") == 0)
		*st = HCL_REVOKED;
	else
		return -1;
	return 0;
}

/* coverage.not_run / not_applicable: [{"name": ..., "reason": ...}] */
static int hcl_parse_notes(struct hcl_jctx *c, const char *path, json_object *o, const char *key,
			   struct hcl_cfgnote **v, size_t *n)
{
	static const char *const keys[] = { "name", "reason", NULL };
	json_object *a;

	if (hcl_jget(c, path, o, key, json_type_array, 0, &a) < 0)
		return -1;
	*n = json_object_array_length(a);
	*v = calloc(*n ? *n : 1, sizeof(**v));
	if (!*v) {
		*n = 0;
		return hcl_errf(c->err, "%s: out of memory", c->name);
	}
	for (size_t i = 0; i < *n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char p[340];

		snprintf(p, sizeof(p), "%s.%s[%zu]", path, key, i);
		if (!e || json_object_get_type(e) != json_type_object)
			return hcl_jfail(c, p, "expected an object");
		if (hcl_jkeys(c, p, e, keys) < 0 || hcl_jstr(c, p, e, "name", 0, &(*v)[i].name) < 0 ||
		    hcl_jstr(c, p, e, "reason", 0, &(*v)[i].reason) < 0)
			return -1;
	}
	return 0;
}

/* Every configuration name once in the three lists. */
static const char *hcl_coverage_dup(const struct hcl_coverage *cv)
{
	size_t n = cv->npassed + cv->nnot_run + cv->nnot_applicable;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const char *a = i < cv->npassed ? cv->passed[i] : i < cv->npassed + cv->nnot_run ?
					cv->not_run[i - cv->npassed].name :
					cv->not_applicable[i - cv->npassed - cv->nnot_run].name;
			const char *b = j < cv->npassed ? cv->passed[j] : j < cv->npassed + cv->nnot_run ?
					cv->not_run[j - cv->npassed].name :
					cv->not_applicable[j - cv->npassed - cv->nnot_run].name;

			if (!strcmp(a, b))
				return a;
		}
	return NULL;
}

static int hcl_parse_coverage(struct hcl_jctx *c, const char *path, json_object *o,
			      struct hcl_cert *ce)
{
	static const char *const keys[] = { "passed", "not_run", "not_applicable", NULL };
	char p[320], what[200];
	json_object *v;
	const char *dup;

	snprintf(p, sizeof(p), "%s.coverage", path);
	if (hcl_jget(c, path, o, "coverage", json_type_object, 0, &v) < 0)
		return -1;
	ce->coverage = calloc(1, sizeof(*ce->coverage));
	if (!ce->coverage)
		return hcl_errf(c->err, "%s: out of memory", c->name);
	if (hcl_jkeys(c, p, v, keys) < 0 ||
	    hcl_jstrarr(c, p, v, "passed", &ce->coverage->passed, &ce->coverage->npassed) < 0 ||
	    hcl_parse_notes(c, p, v, "not_run", &ce->coverage->not_run, &ce->coverage->nnot_run) < 0 ||
	    hcl_parse_notes(c, p, v, "not_applicable", &ce->coverage->not_applicable,
			    &ce->coverage->nnot_applicable) < 0)
		return -1;
	if (ce->coverage->npassed == 0)
		return hcl_jfailk(c, p, "passed", "empty: a certification passed at least one configuration");
	if ((dup = hcl_coverage_dup(ce->coverage)) != NULL) {
		snprintf(what, sizeof(what), "configuration '%.120s' listed twice", dup);
		return hcl_jfail(c, p, what);
	}
	return 0;
}

static int hcl_parse_cert(struct hcl_jctx *c, const char *path, json_object *o,
			  struct hcl_cert *ce)
{
	static const char *const keys[] = { "driver", "driver_version", "firmware", "features",
					    "certified", "runs", "status", "coverage", NULL };
	char *status = NULL;
	int rc = -1;

	if (hcl_jkeys(c, path, o, keys) < 0 ||
	    hcl_jstr(c, path, o, "driver", 0, &ce->driver) < 0 ||
	    hcl_jstr(c, path, o, "driver_version", 0, &ce->driver_version) < 0 ||
	    hcl_jstr(c, path, o, "firmware", 1, &ce->firmware) < 0 ||
	    hcl_jstrarr(c, path, o, "features", &ce->features, &ce->nfeatures) < 0 ||
	    hcl_jstr(c, path, o, "certified", 0, &ce->certified) < 0 ||
	    hcl_jstrarr(c, path, o, "runs", &ce->runs, &ce->nruns) < 0 ||
	    hcl_jstr(c, path, o, "status", 0, &status) < 0)
		goto out;
	if (strlen(ce->driver) >= HCLBIN_STR_SIZE || strlen(ce->driver_version) >= HCLBIN_STR_SIZE) {
		hcl_jfailk(c, path, strlen(ce->driver) >= HCLBIN_STR_SIZE ? "driver" :
				    "driver_version", "longer than 23 characters");
		goto out;
	}
	if (hcl_parse_date(ce->certified) < 0) {
		hcl_jfailk(c, path, "certified", "expected a date YYYY-MM-DD");
		goto out;
	}
	if (hcl_parse_status(status, &ce->status) < 0) {
		hcl_jfailk(c, path, "status", "expected certified, deprecated or revoked");
		goto out;
	}
	if (ce->nruns == 0) {
		hcl_jfailk(c, path, "runs", "empty: every certification links to its runs");
		goto out;
	}
	if (json_object_object_get_ex(o, "coverage", NULL) && hcl_parse_coverage(c, path, o, ce) < 0)
		goto out;
	rc = 0;
out:
	free(status);
	return rc;
}

static int hcl_release_known(const struct hcl_list *l, const char *r)
{
	for (size_t i = 0; i < l->nreleases; i++)
		if (strcmp(l->releases[i], r) == 0)
			return 1;
	return 0;
}

static int hcl_parse_entry(struct hcl_jctx *c, struct hcl_list *l, size_t idx, json_object *o,
			   struct hcl_entry *e)
{
	static const char *const keys[] = { "vid", "did", "svid", "ssid", "vendor", "model",
					    "type", "releases", NULL };
	char path[64], p[300];
	char *type = NULL;
	json_object *rels;
	size_t i = 0;

	snprintf(path, sizeof(path), "entries[%zu]", idx);
	if (!o || json_object_get_type(o) != json_type_object)
		return hcl_jfail(c, path, "expected an object");
	if (hcl_jkeys(c, path, o, keys) < 0 || hcl_jid(c, path, o, "vid", 0, &e->vid) < 0 ||
	    hcl_jid(c, path, o, "did", 0, &e->did) < 0 ||
	    hcl_jid(c, path, o, "svid", 1, &e->svid) < 0 ||
	    hcl_jid(c, path, o, "ssid", 1, &e->ssid) < 0 ||
	    hcl_jstr(c, path, o, "vendor", 0, &e->vendor) < 0 ||
	    hcl_jstr(c, path, o, "model", 0, &e->model) < 0 ||
	    hcl_jstr(c, path, o, "type", 0, &type) < 0)
		goto fail;
	if (strcmp(type, "nic") == 0) {
		e->type = HCL_NIC;
	} else if (strcmp(type, "storage") == 0) {
		e->type = HCL_STORAGE;
	} else {
		hcl_jfailk(c, path, "type", "expected nic or storage");
		goto fail;
	}
	free(type);
	type = NULL;
	if (e->vid == 0 || e->vid == 0xffff) {
		return hcl_jfailk(c, path, "vid", "0000 and ffff are not vendor IDs");
	}
	/* pcimatch: subvendor 0000 never matches (it means "no subsystem"); say "*" instead. */
	if (e->svid == 0) {
		return hcl_jfailk(c, path, "svid", "0000 means \"no subsystem\" and never matches; use \"*\"");
	}
	if (e->svid == HV_PCI_ANY && e->ssid != HV_PCI_ANY) {
		return hcl_jfailk(c, path, "ssid", "a subsystem ID needs a subsystem vendor (svid is \"*\")");
	}
	if (hcl_jget(c, path, o, "releases", json_type_object, 0, &rels) < 0)
		return -1;
	e->ncerts = (size_t)json_object_object_length(rels);
	if (e->ncerts == 0) {
		return hcl_jfailk(c, path, "releases", "empty");
	}
	e->certs = calloc(e->ncerts, sizeof(*e->certs));
	json_object_object_foreach(rels, rname, rval) {
		struct hcl_cert *ce = &e->certs[i++];

		snprintf(p, sizeof(p), "%s.releases[\"%s\"]", path, rname);
		ce->release = strdup(rname);
		if (!hcl_release_known(l, rname))
			return hcl_jfail(c, p, "release not listed in the top-level releases");
		if (!rval || json_object_get_type(rval) != json_type_object)
			return hcl_jfail(c, p, "expected an object");
		if (hcl_parse_cert(c, p, rval, ce) < 0)
			return -1;
	}
	return 0;
fail:
	free(type);
	return -1;
}

static int hcl_entry_cmp(const void *a, const void *b)
{
	const struct hcl_entry *x = a, *y = b;
	/* HV_PCI_ANY (0xffffffff) sorts after every ID, as in hcl.bin. */
	uint32_t kx[4] = { x->vid, x->did, x->svid, x->ssid };
	uint32_t ky[4] = { y->vid, y->did, y->svid, y->ssid };

	for (int i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

/* Duplicate keys are errors; the caller's order is kept, the check uses a sorted copy. */
static int hcl_check_dups(struct hcl_jctx *c, const struct hcl_list *l)
{
	size_t n = l->nentries;
	int rc = 0;
	struct hcl_entry *copy = malloc((n ? n : 1) * sizeof(*copy));

	for (size_t i = 0; i < n; i++) {
		copy[i] = l->entries[i];
		copy[i].ncerts = i;	/* carries the original index through the sort */
	}
	qsort(copy, n, sizeof(*copy), hcl_entry_cmp);
	for (size_t i = 1; i < n && rc == 0; i++)
		if (hcl_entry_cmp(&copy[i - 1], &copy[i]) == 0) {
			char p[64];
			size_t a = copy[i - 1].ncerts, b = copy[i].ncerts;

			snprintf(p, sizeof(p), "entries[%zu]", a > b ? a : b);
			rc = hcl_jfail(c, p, "same vid/did/svid/ssid as an earlier entry");
		}
	free(copy);
	return rc;
}

static int hcl_parse_top(struct hcl_jctx *c, struct hcl_list *l, json_object *root)
{
	static const char *const keys[] = { "schema_version", "generated", "releases", "entries",
					    NULL };
	json_object *v, *ents;
	char *gen = NULL;

	if (json_object_get_type(root) != json_type_object)
		return hcl_jfail(c, "(top)", "expected an object");
	if (hcl_jkeys(c, "", root, keys) < 0 ||
	    hcl_jget(c, "", root, "schema_version", json_type_int, 0, &v) < 0)
		return -1;
	l->schema_version = json_object_get_int(v);
	if (l->schema_version != HCL_SCHEMA_VERSION)
		return hcl_jfail(c, "schema_version", "unsupported (this tool reads 1)");
	if (hcl_jstr(c, "", root, "generated", 0, &gen) < 0)
		return -1;
	if (hcl_parse_time(gen, &l->generated) < 0) {
		free(gen);
		return hcl_jfail(c, "generated", "expected RFC 3339 UTC, e.g. 2026-11-25T21:00:00Z");
	}
	free(gen);
	if (hcl_jstrarr(c, "", root, "releases", &l->releases, &l->nreleases) < 0)
		return -1;
	if (l->nreleases == 0 || l->nreleases > HCLBIN_MAX_RELEASES)
		return hcl_jfail(c, "releases", "expected 1 to 64 releases");
	for (size_t i = 0; i < l->nreleases; i++)
		if (strlen(l->releases[i]) >= HCLBIN_REL_SIZE) {
			char p[32];

			snprintf(p, sizeof(p), "releases[%zu]", i);
			return hcl_jfail(c, p, "longer than 15 characters");
		}
	if (hcl_jget(c, "", root, "entries", json_type_array, 0, &ents) < 0)
		return -1;
	l->nentries = json_object_array_length(ents);
	l->entries = calloc(l->nentries ? l->nentries : 1, sizeof(*l->entries));
	for (size_t i = 0; i < l->nentries; i++)
		if (hcl_parse_entry(c, l, i, json_object_array_get_idx(ents, i), &l->entries[i]) < 0)
			return -1;
	return hcl_check_dups(c, l);
}

int hcl_list_parse(struct hcl_list *l, const char *text, size_t len, const char *name,
		   struct hcl_err *err)
{
	struct hcl_jctx c = { name, err };
	json_tokener *tok = json_tokener_new_ex(32);
	json_object *root;
	int rc;

	memset(l, 0, sizeof(*l));
	if (!tok)
		return hcl_errf(err, "%s: out of memory", name);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t at = json_tokener_get_parse_end(tok), line = 1;

		for (size_t i = 0; i < at && i < len; i++)
			line += text[i] == '\n';
		json_tokener_free(tok);
		json_object_put(root);
		return hcl_errf(err, "%s:%zu: not valid JSON: %s", name, line,
				root ? "text after the end" : json_tokener_error_desc(e));
	}
	json_tokener_free(tok);
	rc = hcl_parse_top(&c, l, root);
	json_object_put(root);
	if (rc < 0)
		hcl_list_free(l);
	return rc;
}

static void hcl_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void hcl_list_free(struct hcl_list *l)
{
	for (size_t i = 0; i < l->nentries; i++) {
		struct hcl_entry *e = &l->entries[i];

		for (size_t j = 0; j < e->ncerts && e->certs; j++) {
			struct hcl_cert *ce = &e->certs[j];

			free(ce->release);
			free(ce->driver);
			free(ce->driver_version);
			free(ce->firmware);
			free(ce->certified);
			hcl_strv_free(ce->features, ce->nfeatures);
			hcl_strv_free(ce->runs, ce->nruns);
			hcl_coverage_free(ce->coverage);
			free(ce->coverage);
		}
		free(e->certs);
		free(e->vendor);
		free(e->model);
	}
	free(l->entries);
	hcl_strv_free(l->releases, l->nreleases);
	memset(l, 0, sizeof(*l));
}

const char *hcl_type_name(enum hcl_type t)
{
	return t == HCL_NIC ? "nic" : "storage";
}

const char *hcl_status_name(enum hcl_status s)
{
	return s == HCL_CERTIFIED ? "certified" : s == HCL_DEPRECATED ? "deprecated" : "revoked";
}

const char *hcl_id_str(uint32_t v, char *buf)
{
	if (v == HV_PCI_ANY)
		return "*";
	snprintf(buf, 5, "%04x", v & 0xffff);
	return buf;
}
