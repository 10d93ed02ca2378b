/*
 * HTTP with libcurl: `hcl fetch` (conditional GET with ETag / If-Modified-Since, signature
 * checked before the local copy is replaced atomically) and `hcl publish` (PUT with a bearer
 * token). Both retry connection failures and 5xx answers a bounded number of times with
 * exponential backoff. The cache metadata lives next to the copy, in FILE.meta.
 * libcurl is loaded with dlopen on first use: linking it costs every `hcl check` ~20 ms
 * of start-up (it pulls in some thirty libraries), and check never touches the network
 * unless --hcl is a URL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <json-c/json.h>
#include "hcl.h"

/* The libcurl entry points we use, resolved from libcurl.so.4. */
static struct {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	time_t (*getdate)(const char *, const time_t *);
} hcl_cu;

static int hcl_curl_load(struct hcl_err *err)
{
	static const char *const names[] = {
		"curl_easy_init", "curl_easy_setopt", "curl_easy_perform", "curl_easy_getinfo",
		"curl_easy_cleanup", "curl_easy_strerror", "curl_slist_append",
		"curl_slist_free_all", "curl_getdate",
	};
	void **slots[] = {
		(void **)&hcl_cu.easy_init, (void **)&hcl_cu.easy_setopt,
		(void **)&hcl_cu.easy_perform, (void **)&hcl_cu.easy_getinfo,
		(void **)&hcl_cu.easy_cleanup, (void **)&hcl_cu.easy_strerror,
		(void **)&hcl_cu.slist_append, (void **)&hcl_cu.slist_free_all,
		(void **)&hcl_cu.getdate,
	};
	void *h;

	if (hcl_cu.easy_init)
		return 0;
	h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return hcl_errf(err, "cannot load libcurl (apt-get install libcurl4): %s", dlerror());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* POSIX: a data pointer from dlsym converts to a function pointer. */
		*slots[i] = dlsym(h, names[i]);
		if (!*slots[i])
			return hcl_errf(err, "libcurl lacks %s", names[i]);
	}
	return 0;
}

struct hcl_http {
	char etag[256];
	char last_modified[64];
};

struct hcl_upload {
	const char *data;
	size_t len, off;
};

static size_t hcl_header_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct hcl_http *h = ud;
	size_t len = size * n, vl;
	const char *v;
	char *dst;
	size_t cap;

	if (len > 5 && strncasecmp(buf, "ETag:", 5) == 0) {
		v = buf + 5, dst = h->etag, cap = sizeof(h->etag);
	} else if (len > 14 && strncasecmp(buf, "Last-Modified:", 14) == 0) {
		v = buf + 14, dst = h->last_modified, cap = sizeof(h->last_modified);
	} else {
		return len;
	}
	while (v < buf + len && (*v == ' ' || *v == '\t'))
		v++;
	vl = (size_t)(buf + len - v);
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (vl < cap) {
		memcpy(dst, v, vl);
		dst[vl] = 0;
	}
	return len;
}

static size_t hcl_read_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct hcl_upload *u = ud;
	size_t want = size * n, left = u->len - u->off;

	if (want > left)
		want = left;
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

static CURL *hcl_curl(const char *url, const struct hcl_net_opts *o)
{
	CURL *c = hcl_cu.easy_init();

	if (!c)
		return NULL;
	hcl_cu.easy_setopt(c, CURLOPT_URL, url);
	hcl_cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	hcl_cu.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	hcl_cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	hcl_cu.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	hcl_cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout_s < 10 ? o->timeout_s : 10L);
	hcl_cu.easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s);
	hcl_cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	hcl_cu.easy_setopt(c, CURLOPT_USERAGENT, "hcl/" HV_RELEASE);
	hcl_cu.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 30);
	return c;
}

/* Runs the transfer with retries; *code is the HTTP status of the last answer. */
static CURLcode hcl_perform(CURL *c, const struct hcl_net_opts *o, long *code,
			    void (*rewind_fn)(void *), void *ud)
{
	CURLcode rc = CURLE_OK;

	for (int attempt = 0; attempt <= o->retries; attempt++) {
		if (attempt) {
			long ms = o->backoff_ms << (attempt - 1);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			fprintf(stderr, "hcl: retrying in %ld ms (%d of %d)\n", ms, attempt, o->retries);
			nanosleep(&ts, NULL);
		}
		rewind_fn(ud);
		*code = 0;
		rc = hcl_cu.easy_perform(c);
		hcl_cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
		if (rc == CURLE_OK && *code < 500)
			break;
	}
	return rc;
}

struct hcl_dl {
	FILE *f;
	struct hcl_http *h;
};

static void hcl_dl_rewind(void *ud)
{
	struct hcl_dl *d = ud;

	rewind(d->f);
	if (ftruncate(fileno(d->f), 0) < 0)
		clearerr(d->f);
	memset(d->h, 0, sizeof(*d->h));
}

static void hcl_meta_load(const char *out, const char *url, struct hcl_http *old)
{
	char path[4096], *text;
	size_t len;
	json_object *o, *v;

	memset(old, 0, sizeof(*old));
	snprintf(path, sizeof(path), "%s.meta", out);
	if (access(out, R_OK) != 0 || hcl_read_file(path, &text, &len, NULL) < 0)
		return;
	o = json_tokener_parse(text);
	free(text);
	if (!o)
		return;
	if (json_object_object_get_ex(o, "url", &v) && strcmp(json_object_get_string(v), url) == 0) {
		if (json_object_object_get_ex(o, "etag", &v) && json_object_is_type(v, json_type_string))
			snprintf(old->etag, sizeof(old->etag), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "last_modified", &v) &&
		    json_object_is_type(v, json_type_string))
			snprintf(old->last_modified, sizeof(old->last_modified), "%s",
				 json_object_get_string(v));
	}
	json_object_put(o);
}

static int hcl_meta_save(const char *out, const char *url, const struct hcl_http *h,
			 struct hcl_err *err)
{
	char path[4096], when[32];
	json_object *o = json_object_new_object();
	int rc;

	hcl_format_time((int64_t)time(NULL), when);
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "etag", h->etag[0] ? json_object_new_string(h->etag) : NULL);
	json_object_object_add(o, "last_modified", h->last_modified[0] ?
				json_object_new_string(h->last_modified) : NULL);
	json_object_object_add(o, "fetched", json_object_new_string(when));
	snprintf(path, sizeof(path), "%s.meta", out);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = hcl_write_atomic(path, s, strlen(s), 0644, err);
	json_object_put(o);
	return rc;
}

/* Verifies the downloaded file and moves it over the old copy. */
static int hcl_fetch_install(const char *url, const char *tmp, const char *out,
			     const char *pubkey, int insecure, const struct hcl_http *h,
			     struct hcl_err *err)
{
	struct hcl_loaded ld;
	struct hcl_err verr;

	if (hcl_load(tmp, pubkey, insecure, 0, NULL, &ld, &verr) < 0) {
		const char *m = strncmp(verr.msg, tmp, strlen(tmp)) == 0 ?
				verr.msg + strlen(tmp) + 2 : verr.msg;

		return hcl_errf(err, "%s: refused, %s kept unchanged: %s", url, out, m);
	}
	hcl_print_age(stderr, url, (int64_t)ld.hb.generated);
	hcl_loaded_free(&ld);
	if (rename(tmp, out) < 0)
		return hcl_errf(err, "%s: cannot replace: %s", out, strerror(errno));
	return hcl_meta_save(out, url, h, err);
}

int hcl_fetch(const char *url, const char *out, const char *pubkey, int insecure,
	      const struct hcl_net_opts *o, struct hcl_err *err)
{
	struct hcl_http old, h;
	struct curl_slist *hdrs = NULL;
	char tmp[4096], inm[300];
	struct hcl_dl dl;
	long code = 0;
	CURLcode cc;
	CURL *c;
	int fd, rc = -1;

	if (hcl_curl_load(err) < 0)
		return -1;
	hcl_meta_load(out, url, &old);
	snprintf(tmp, sizeof(tmp), "%s.partXXXXXX", out);
	fd = mkstemp(tmp);
	if (fd < 0)
		return hcl_errf(err, "%s: cannot create a temporary file: %s", out, strerror(errno));
	dl.f = fdopen(fd, "w+b");
	dl.h = &h;
	c = hcl_curl(url, o);
	if (!dl.f || !c) {
		hcl_errf(err, "%s: out of memory", url);
		goto out;
	}
	if (old.etag[0]) {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", old.etag);
		hdrs = hcl_cu.slist_append(hdrs, inm);
	}
	if (old.last_modified[0]) {
		hcl_cu.easy_setopt(c, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
		hcl_cu.easy_setopt(c, CURLOPT_TIMEVALUE, (long)hcl_cu.getdate(old.last_modified, NULL));
	}
	hcl_cu.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	hcl_cu.easy_setopt(c, CURLOPT_WRITEDATA, dl.f);
	hcl_cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, hcl_header_cb);
	hcl_cu.easy_setopt(c, CURLOPT_HEADERDATA, &h);
	cc = hcl_perform(c, o, &code, hcl_dl_rewind, &dl);
	if (cc != CURLE_OK) {
		hcl_errf(err, "%s: %s; %s kept unchanged", url, hcl_cu.easy_strerror(cc), out);
		goto out;
	}
	if (code == 304) {
		fprintf(stderr, "%s: not modified; %s is current\n", url, out);
		rc = hcl_meta_save(out, url, &old, err);
		goto out;
	}
	if (code != 200) {
		hcl_errf(err, "%s: server answered HTTP %ld; %s kept unchanged", url, code, out);
		goto out;
	}
	if (fflush(dl.f) != 0 || fsync(fileno(dl.f)) != 0) {
		hcl_errf(err, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	rc = hcl_fetch_install(url, tmp, out, pubkey, insecure, &h, err);
	if (rc == 0)
		fprintf(stderr, "%s: saved as %s\n", url, out);
out:
	if (dl.f)
		fclose(dl.f);
	else
		close(fd);
	unlink(tmp);		/* after a successful rename this is a no-op */
	hcl_cu.slist_free_all(hdrs);
	if (c)
		hcl_cu.easy_cleanup(c);
	return rc;
}

static void hcl_up_rewind(void *ud)
{
	((struct hcl_upload *)ud)->off = 0;
}

int hcl_publish(const char *file, const char *url, const char *token,
		const struct hcl_net_opts *o, struct hcl_err *err)
{
	struct hcl_loaded ld;
	struct hcl_upload up = { 0 };
	struct curl_slist *hdrs = NULL;
	char *text, auth[600];
	size_t len;
	long code = 0;
	CURLcode cc;
	CURL *c;
	int rc = -1;

	if (hcl_curl_load(err) < 0)
		return -1;
	/* Publish only what parses as a list (signed, plain, or hcl.bin). */
	if (hcl_load(file, NULL, 1, 0, NULL, &ld, err) < 0)
		return -1;
	hcl_loaded_free(&ld);
	if (hcl_read_file(file, &text, &len, err) < 0)
		return -1;
	up.data = text;
	up.len = len;
	c = hcl_curl(url, o);
	if (!c) {
		free(text);
		return hcl_errf(err, "%s: out of memory", url);
	}
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs = hcl_cu.slist_append(hdrs, auth);
	}
	hcl_cu.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	hcl_cu.easy_setopt(c, CURLOPT_UPLOAD, 1L);
	hcl_cu.easy_setopt(c, CURLOPT_READFUNCTION, hcl_read_cb);
	hcl_cu.easy_setopt(c, CURLOPT_READDATA, &up);
	hcl_cu.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	cc = hcl_perform(c, o, &code, hcl_up_rewind, &up);
	if (cc != CURLE_OK)
		hcl_errf(err, "%s: %s", url, hcl_cu.easy_strerror(cc));
	else if (code == 401 || code == 403)
		hcl_errf(err, "%s: server refused the upload (HTTP %ld): wrong or missing token",
			 url, code);
	else if (code < 200 || code > 299)
		hcl_errf(err, "%s: server answered HTTP %ld", url, code);
	else
		rc = 0;
	if (rc == 0)
		fprintf(stderr, "%s: published %s (%zu bytes, HTTP %ld)\n", url, file, len, code);
	hcl_cu.slist_free_all(hdrs);
	hcl_cu.easy_cleanup(c);
	free(text);
	return rc;
}
