/*
 * `hcl site`: the static HCL web page. The assets (hcl/site/) are built into the binary
 * (mk/hcl.mk generates hcl_site_assets.c), so the tool works wherever it is installed;
 * HCL_SITE_ASSETS=DIR reads them from a folder instead (for editing the page).
 * Output: index.html, app.js, style.css, hcl.json and hcl-data.js (the same list as a
 * script, since browsers block fetch() from file://).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "hcl.h"

struct hcl_asset {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct hcl_asset hcl_site_assets[];
extern const size_t hcl_site_nassets;

static int hcl_asset(const char *dir, const char *name, char **data, size_t *len,
		     struct hcl_err *err)
{
	char path[4096];

	if (dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		return hcl_read_file(path, data, len, err);
	}
	for (size_t i = 0; i < hcl_site_nassets; i++)
		if (strcmp(hcl_site_assets[i].name, name) == 0) {
			*data = malloc(hcl_site_assets[i].len + 1);
			if (!*data)
				return hcl_errf(err, "out of memory");
			memcpy(*data, hcl_site_assets[i].data, hcl_site_assets[i].len);
			(*data)[hcl_site_assets[i].len] = 0;
			*len = hcl_site_assets[i].len;
			return 0;
		}
	return hcl_errf(err, "site asset %s is not built in", name);
}

/* Writes text with each "@KEY@" of keys replaced by vals (HTML-escaped). */
static void hcl_subst(FILE *f, const char *text, const char *const *keys,
		      const char *const *vals, size_t n)
{
	for (const char *p = text; *p; ) {
		size_t k;

		for (k = 0; k < n; k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0)
				break;
		if (k == n) {
			fputc(*p++, f);
			continue;
		}
		for (const char *v = vals[k]; *v; v++) {
			if (*v == '<')
				fputs("&lt;", f);
			else if (*v == '>')
				fputs("&gt;", f);
			else if (*v == '&')
				fputs("&amp;", f);
			else
				fputc(*v, f);
		}
		p += strlen(keys[k]);
	}
}

static FILE *hcl_site_open(const char *dir, const char *name, char *path, size_t plen,
			   struct hcl_err *err)
{
	FILE *f;

	snprintf(path, plen, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		hcl_errf(err, "%s: %s", path, strerror(errno));
	return f;
}

static int hcl_site_close(FILE *f, const char *path, struct hcl_err *err)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return hcl_errf(err, "%s: write failed", path);
	return 0;
}

static int hcl_site_index(const struct hcl_list *l, const char *dir, const char *assets,
			  struct hcl_err *err)
{
	static const char *const keys[] = { "@GENERATED@", "@ENTRIES@", "@RELEASES@" };
	char gen[32], count[32], rels[256] = "", path[4096], *tpl;
	const char *vals[] = { gen, count, rels };
	size_t len, off = 0;
	FILE *f;

	if (hcl_asset(assets, "index.html", &tpl, &len, err) < 0)
		return -1;
	hcl_format_time(l->generated, gen);
	snprintf(count, sizeof(count), "%zu", l->nentries);
	for (size_t i = 0; i < l->nreleases && off < sizeof(rels) - 20; i++)
		off += (size_t)snprintf(rels + off, sizeof(rels) - off, "%s%s", i ? ", " : "",
					l->releases[i]);
	f = hcl_site_open(dir, "index.html", path, sizeof(path), err);
	if (f)
		hcl_subst(f, tpl, keys, vals, 3);
	free(tpl);
	return f ? hcl_site_close(f, path, err) : -1;
}

int hcl_site(const struct hcl_list *l, const char *dir, const char *assets, struct hcl_err *err)
{
	static const char *const copy[] = { "app.js", "style.css" };
	char path[4096], *data;
	size_t len;
	FILE *f;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return hcl_errf(err, "%s: %s", dir, strerror(errno));
	if (hcl_site_index(l, dir, assets, err) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		if (hcl_asset(assets, copy[i], &data, &len, err) < 0)
			return -1;
		f = hcl_site_open(dir, copy[i], path, sizeof(path), err);
		if (f)
			fwrite(data, 1, len, f);
		free(data);
		if (!f || hcl_site_close(f, path, err) < 0)
			return -1;
	}
	f = hcl_site_open(dir, "hcl.json", path, sizeof(path), err);
	if (!f)
		return -1;
	hcl_list_write(l, f);
	if (hcl_site_close(f, path, err) < 0)
		return -1;
	f = hcl_site_open(dir, "hcl-data.js", path, sizeof(path), err);
	if (!f)
		return -1;
	fputs("window.HCL_DATA = ", f);
	hcl_list_write(l, f);
	fputs(";\n", f);
	if (hcl_site_close(f, path, err) < 0)
		return -1;
	fprintf(stderr, "%s: HCL page with %zu entries (open %s/index.html)\n", dir, l->nentries,
		dir);
	return 0;
}
