/* db: waivers: format, checks, matching and their effect on a loaded run (waiver.h). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "waiver.h"

void certify_waiver_today(char out[11])
{
	const char *e = getenv("HVKIT_TODAY");
	time_t t = time(NULL);
	struct tm tm;

	if (e && certify_waiver_date_ok(e) == 0) {
		snprintf(out, 11, "%s", e);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int certify_waiver_date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	return 0;
}

/* Only characters of cs, 1..max-1 of them. */
static int waiver_word(const char *s, const char *cs, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(cs, s[i]))
			return -1;
	return 0;
}

int certify_waiver_check(const struct certify_waiver *w, struct certify_err *err)
{
	const char *dot = strchr(w->test, '.');

	if (waiver_word(w->id, "._-", sizeof(w->id)) < 0)
		return certify_errf(err, "id '%.40s': not 1 to 31 letters, digits, '.', '_' or '-'", w->id);
	if (waiver_word(w->test, "._-", sizeof(w->test)) < 0 || !dot || dot == w->test || !dot[1] ||
	    strchr(dot + 1, '.'))
		return certify_errf(err, "test '%.40s': not SUITE.NAME", w->test);
	if (w->ncfg == 0)
		return certify_errf(err, "configurations: none (MODEL/CONFIG patterns, e.g. e1000/pc-*)");
	for (size_t i = 0; i < w->ncfg; i++) {
		const char *sl = strchr(w->cfg[i], '/');

		if (waiver_word(w->cfg[i], "._-*?[]!/", sizeof(w->cfg[i])) < 0 || !sl ||
		    sl == w->cfg[i] || !sl[1] || strchr(sl + 1, '/'))
			return certify_errf(err, "configuration '%.60s': not a MODEL/CONFIG pattern "
					    "(e.g. e1000/pc-*, */q35-msix-smp2-kvm)", w->cfg[i]);
	}
	if (w->nrel == 0)
		return certify_errf(err, "releases: none");
	for (size_t i = 0; i < w->nrel; i++)
		if (waiver_word(w->rel[i], "._-+~", sizeof(w->rel[i])) < 0)
			return certify_errf(err, "release '%.40s': not a release (e.g. 0.1.0)", w->rel[i]);
	if (!w->reason[0])
		return certify_errf(err, "reason: empty");
	for (const char *p = w->reason; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return certify_errf(err, "reason: not one printable line");
	if (certify_waiver_date_ok(w->expires) < 0)
		return certify_errf(err, "expires '%.20s': not a date YYYY-MM-DD", w->expires);
	return 0;
}

/* Copies a JSON string member into out; -1 when missing, not a string or too long. */
static int waiver_jstr(json_object *o, const char *key, char *out, size_t cap)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (strlen(s) >= cap)
		return -1;
	snprintf(out, cap, "%s", s);
	return 0;
}

static int waiver_jlist(const char *name, json_object *o, const char *key, char *out, size_t each,
			size_t max, size_t *n, struct certify_err *err)
{
	json_object *a;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return certify_errf(err, "%s: \"%s\": missing or not an array", name, key);
	if (json_object_array_length(a) > max)
		return certify_errf(err, "%s: \"%s\": more than %zu", name, key, max);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) || strlen(json_object_get_string(v)) >= each)
			return certify_errf(err, "%s: \"%s\"[%zu]: not a string of at most %zu bytes", name,
					    key, i, each - 1);
		snprintf(out + i * each, each, "%s", json_object_get_string(v));
		(*n)++;
	}
	return 0;
}

static int waiver_sig_parse(const char *name, json_object *o, struct certify_waiver *w,
			    struct certify_err *err)
{
	json_object *s;

	if (!json_object_object_get_ex(o, "signature", &s))
		return 0;
	if (!json_object_is_type(s, json_type_object) || json_object_object_length(s) != 3 ||
	    waiver_jstr(s, "key_id", w->key_id, sizeof(w->key_id)) < 0 || strlen(w->key_id) != 16 ||
	    waiver_jstr(s, "signed_at", w->signed_at, sizeof(w->signed_at)) < 0 ||
	    waiver_jstr(s, "ed25519", w->sig, sizeof(w->sig)) < 0)
		return certify_errf(err, "%s: \"signature\": not {key_id, signed_at, ed25519}", name);
	return 0;
}

int certify_waiver_parse(const char *name, const char *text, struct certify_waiver *w,
			 struct certify_err *err)
{
	static const char *const keys[] = { "format", "id", "test", "configurations", "releases",
					     "reason", "expires", "signature", NULL };
	struct certify_err e;
	json_object *o = json_tokener_parse(text);
	char fmt[32];
	int rc = -1;

	memset(w, 0, sizeof(*w));
	if (!o || !json_object_is_type(o, json_type_object)) {
		certify_errf(err, "%s: not a JSON object", name);
		goto out;
	}
	json_object_object_foreach(o, k, v) {
		size_t i = 0;

		(void)v;
		while (keys[i] && strcmp(keys[i], k))
			i++;
		if (!keys[i]) {
			certify_errf(err, "%s: unknown field \"%.40s\"", name, k);
			goto out;
		}
	}
	if (waiver_jstr(o, "format", fmt, sizeof(fmt)) < 0 || strcmp(fmt, WAIVER_FORMAT)) {
		certify_errf(err, "%s: not a waiver (\"format\" is not \"%s\")", name, WAIVER_FORMAT);
		goto out;
	}
#define WAIVER_STR(f, key) \
	if (waiver_jstr(o, key, w->f, sizeof(w->f)) < 0) { \
		certify_errf(err, "%s: \"%s\": missing, not a string or longer than %zu bytes", name, \
			     key, sizeof(w->f) - 1); \
		goto out; \
	}
	WAIVER_STR(id, "id")
	WAIVER_STR(test, "test")
	WAIVER_STR(reason, "reason")
	WAIVER_STR(expires, "expires")
#undef WAIVER_STR
	if (waiver_jlist(name, o, "configurations", &w->cfg[0][0], sizeof(w->cfg[0]), WAIVER_MAX_PAT,
			 &w->ncfg, err) < 0 ||
	    waiver_jlist(name, o, "releases", &w->rel[0][0], sizeof(w->rel[0]), WAIVER_MAX_REL,
			 &w->nrel, err) < 0 || waiver_sig_parse(name, o, w, err) < 0)
		goto out;
	if (certify_waiver_check(w, &e) < 0) {
		certify_errf(err, "%s: %s", name, e.msg);
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int certify_waiver_text(const struct certify_waiver *w, char *out, size_t cap)
{
	size_t len = 0;
	int n;

#define WAIVER_PUT(...) do { \
		n = snprintf(out + len, cap - len, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= cap - len) \
			return -1; \
		len += (size_t)n; \
	} while (0)
	WAIVER_PUT("format %s\nid %s\ntest %s\n", WAIVER_FORMAT, w->id, w->test);
	for (size_t i = 0; i < w->ncfg; i++)
		WAIVER_PUT("configuration %s\n", w->cfg[i]);
	for (size_t i = 0; i < w->nrel; i++)
		WAIVER_PUT("release %s\n", w->rel[i]);
	WAIVER_PUT("reason %s\nexpires %s\n", w->reason, w->expires);
#undef WAIVER_PUT
	return (int)len;
}

char *certify_waiver_json(const struct certify_waiver *w)
{
	json_object *o = json_object_new_object(), *a;
	char *s;

	json_object_object_add(o, "format", json_object_new_string(WAIVER_FORMAT));
	json_object_object_add(o, "id", json_object_new_string(w->id));
	json_object_object_add(o, "test", json_object_new_string(w->test));
	a = json_object_new_array();
	for (size_t i = 0; i < w->ncfg; i++)
		json_object_array_add(a, json_object_new_string(w->cfg[i]));
	json_object_object_add(o, "configurations", a);
	a = json_object_new_array();
	for (size_t i = 0; i < w->nrel; i++)
		json_object_array_add(a, json_object_new_string(w->rel[i]));
	json_object_object_add(o, "releases", a);
	json_object_object_add(o, "reason", json_object_new_string(w->reason));
	json_object_object_add(o, "expires", json_object_new_string(w->expires));
	if (w->sig[0]) {
		a = json_object_new_object();
		json_object_object_add(a, "key_id", json_object_new_string(w->key_id));
		json_object_object_add(a, "signed_at", json_object_new_string(w->signed_at));
		json_object_object_add(a, "ed25519", json_object_new_string(w->sig));
		json_object_object_add(o, "signature", a);
	}
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

int certify_waiver_live(const struct certify_waiver *w, const char *today)
{
	/* YYYY-MM-DD compares as text in date order */
	return !w->revoked[0] && strcmp(today, w->expires) < 0;
}

int certify_waiver_matches(const struct certify_waiver *w, const char *test, const char *model,
			   const char *cfgname, const char *release)
{
	char key[160];
	int cfg = 0, rel = 0;

	if (strcmp(w->test, test))
		return 0;
	snprintf(key, sizeof(key), "%s/%s", model, cfgname);
	for (size_t i = 0; i < w->ncfg && !cfg; i++)
		cfg = fnmatch(w->cfg[i], key, FNM_PATHNAME) == 0;
	for (size_t i = 0; i < w->nrel && !rel; i++)
		rel = !strcmp(w->rel[i], release);
	return cfg && rel;
}
