/*
 * Writing the HCL JSON, and building a list from certified rows: the seam `hcl export`
 * fills from the certification store (struct hcl_certified in hcl.h).
 */
#include <stdlib.h>
#include <string.h>
#include "hcl.h"

static void hcl_wstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void hcl_wstrv(FILE *f, char *const *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		hcl_wstr(f, v[i]);
	}
	fputc(']', f);
}

static void hcl_wnotes(FILE *f, const struct hcl_cfgnote *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		hcl_wstr(f, v[i].name);
		fputs(",\"reason\":", f);
		hcl_wstr(f, v[i].reason);
		fputc('}', f);
	}
	fputc(']', f);
}

static void hcl_wcoverage(FILE *f, const struct hcl_coverage *c)
{
	fputs(",\"coverage\":{\"passed\":", f);
	hcl_wstrv(f, c->passed, c->npassed);
	fputs(",\"not_run\":", f);
	hcl_wnotes(f, c->not_run, c->nnot_run);
	fputs(",\"not_applicable\":", f);
	hcl_wnotes(f, c->not_applicable, c->nnot_applicable);
	fputc('}', f);
}

static void hcl_wcert(FILE *f, const struct hcl_cert *c)
{
	fputs("{\"driver\":", f);
	hcl_wstr(f, c->driver);
	fputs(",\"driver_version\":", f);
	hcl_wstr(f, c->driver_version);
	fputs(",\"firmware\":", f);
	if (c->firmware)
		hcl_wstr(f, c->firmware);
	else
		fputs("null", f);
	if (c->fw_match_given)
		fprintf(f, ",\"firmware_match\":\"%s\"", hcl_fw_match_name(c->fw_match));
	if (c->module_sha256[0])
		fprintf(f, ",\"module_sha256\":\"%s\"", c->module_sha256);
	fputs(",\"features\":", f);
	hcl_wstrv(f, c->features, c->nfeatures);
	fputs(",\"certified\":", f);
	hcl_wstr(f, c->certified);
	fputs(",\"runs\":", f);
	hcl_wstrv(f, c->runs, c->nruns);
	if (c->coverage)
		hcl_wcoverage(f, c->coverage);
	fprintf(f, ",\"status\":\"%s\"", hcl_status_name(c->status));
	if (c->nwaivers) {
		fputs(",\"waivers\":", f);
		hcl_wstrv(f, c->waivers, c->nwaivers);
	}
	fputc('}', f);
}

/* One entry per line keeps diffs of the list readable. */
int hcl_list_write(const struct hcl_list *l, FILE *f)
{
	char gen[32], a[5], b[5], c[5], d[5];

	hcl_format_time(l->generated, gen);
	fprintf(f, "{\"schema_version\":%d,\"generated\":\"%s\",\"releases\":", HCL_SCHEMA_VERSION,
		gen);
	hcl_wstrv(f, l->releases, l->nreleases);
	fputs(",\"entries\":[\n", f);
	for (size_t i = 0; i < l->nentries; i++) {
		const struct hcl_entry *e = &l->entries[i];

		fprintf(f, "{\"vid\":\"%s\",\"did\":\"%s\",\"svid\":\"%s\",\"ssid\":\"%s\",\"vendor\":",
			hcl_id_str(e->vid, a), hcl_id_str(e->did, b), hcl_id_str(e->svid, c),
			hcl_id_str(e->ssid, d));
		hcl_wstr(f, e->vendor);
		fputs(",\"model\":", f);
		hcl_wstr(f, e->model);
		fprintf(f, ",\"type\":\"%s\",\"releases\":{", hcl_type_name(e->type));
		for (size_t j = 0; j < e->ncerts; j++) {
			if (j)
				fputc(',', f);
			hcl_wstr(f, e->certs[j].release);
			fputc(':', f);
			hcl_wcert(f, &e->certs[j]);
		}
		fprintf(f, "}}%s\n", i + 1 < l->nentries ? "," : "");
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

static char **hcl_strv_dup(const char *const *v, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(char *));

	for (size_t i = 0; out && i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

static int hcl_row_cmp(const void *a, const void *b)
{
	const struct hcl_certified *x = *(const struct hcl_certified *const *)a;
	const struct hcl_certified *y = *(const struct hcl_certified *const *)b;
	uint32_t kx[4] = { x->vid, x->did, x->svid, x->ssid };
	uint32_t ky[4] = { y->vid, y->did, y->svid, y->ssid };

	for (int i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return strcmp(x->release, y->release);
}

static int hcl_add_release(struct hcl_list *l, const char *r)
{
	for (size_t i = 0; i < l->nreleases; i++)
		if (strcmp(l->releases[i], r) == 0)
			return 0;
	if (l->nreleases == HCLBIN_MAX_RELEASES)
		return -1;
	char **nv = realloc(l->releases, (l->nreleases + 1) * sizeof(char *));

	if (!nv)
		return -1;
	l->releases = nv;
	l->releases[l->nreleases++] = strdup(r);
	return 0;
}

static int hcl_fill_cert(struct hcl_cert *c, const struct hcl_certified *r)
{
	c->release = strdup(r->release);
	c->driver = strdup(r->driver);
	c->driver_version = strdup(r->driver_version);
	c->firmware = r->firmware ? strdup(r->firmware) : NULL;
	/* export names what the run's driver reported: that exact revision, or none */
	c->fw_match = r->firmware ? HCLBIN_FW_EXACT : HCLBIN_FW_ANY;
	c->fw_match_given = 1;
	if (r->module_sha256)
		snprintf(c->module_sha256, sizeof(c->module_sha256), "%s", r->module_sha256);
	c->features = hcl_strv_dup(r->features, r->nfeatures);
	c->nfeatures = r->nfeatures;
	c->certified = strdup(r->certified);
	c->runs = hcl_strv_dup(r->runs, r->nruns);
	c->nruns = r->nruns;
	c->waivers = hcl_strv_dup(r->waivers, r->nwaivers);
	c->nwaivers = r->nwaivers;
	c->status = r->status;
	if (!r->coverage)
		return 0;
	c->coverage = malloc(sizeof(*c->coverage));
	if (!c->coverage || hcl_coverage_copy(c->coverage, r->coverage) < 0) {
		free(c->coverage);
		c->coverage = NULL;
		return -1;
	}
	return 0;
}

static int hcl_row_check(const struct hcl_certified *r, size_t i, struct hcl_err *err)
{
	if (r->vid == 0 || r->vid > 0xfffe || r->did > 0xffff)
		return hcl_errf(err, "row %zu: bad vendor/device ID", i);
	if (r->svid == 0 || (r->svid == HV_PCI_ANY && r->ssid != HV_PCI_ANY) ||
	    (r->svid != HV_PCI_ANY && r->svid > 0xffff) ||
	    (r->ssid != HV_PCI_ANY && r->ssid > 0xffff))
		return hcl_errf(err, "row %zu: bad subsystem IDs", i);
	if (r->coverage && r->coverage->npassed == 0)
		return hcl_errf(err, "row %zu: a coverage without a passed configuration", i);
	if (!r->release || !r->driver || !r->driver_version || !r->certified || r->nruns == 0 ||
	    strlen(r->driver) >= HCLBIN_STR_SIZE || strlen(r->driver_version) >= HCLBIN_STR_SIZE ||
	    strlen(r->release) >= HCLBIN_REL_SIZE || hcl_parse_date(r->certified) < 0)
		return hcl_errf(err, "row %zu: missing or malformed release, driver, date or runs", i);
	return 0;
}

int hcl_list_build(struct hcl_list *l, const struct hcl_certified *rows, size_t n,
		   int64_t generated, struct hcl_err *err)
{
	const struct hcl_certified **ord = malloc((n ? n : 1) * sizeof(*ord));

	memset(l, 0, sizeof(*l));
	l->schema_version = HCL_SCHEMA_VERSION;
	l->generated = generated;
	l->entries = calloc(n ? n : 1, sizeof(*l->entries));
	if (!ord || !l->entries)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (hcl_row_check(&rows[i], i, err) < 0)
			goto fail;
		ord[i] = &rows[i];
	}
	qsort(ord, n, sizeof(*ord), hcl_row_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct hcl_certified *r = ord[i];
		struct hcl_entry *e = l->nentries ? &l->entries[l->nentries - 1] : NULL;

		if (hcl_add_release(l, r->release) < 0)
			goto nomem;
		if (!e || e->vid != r->vid || e->did != r->did || e->svid != r->svid ||
		    e->ssid != r->ssid) {
			char v[128], m[160];

			e = &l->entries[l->nentries++];
			e->vid = r->vid;
			e->did = r->did;
			e->svid = r->svid;
			e->ssid = r->ssid;
			e->type = r->type;
			hcl_names((uint16_t)r->vid, (uint16_t)r->did, 0, 0, v, sizeof(v), m, sizeof(m));
			e->vendor = strdup(r->vendor ? r->vendor : v[0] ? v : "unknown vendor");
			e->model = strdup(r->model ? r->model : m[0] ? m : "unknown device");
			size_t j = i + 1;

			while (j < n && hcl_row_cmp(&ord[i], &ord[j]) != 0 &&
			       ord[j]->vid == r->vid && ord[j]->did == r->did &&
			       ord[j]->svid == r->svid && ord[j]->ssid == r->ssid)
				j++;
			e->certs = calloc(j - i, sizeof(*e->certs));
		} else if (strcmp(e->certs[e->ncerts - 1].release, r->release) == 0) {
			hcl_errf(err, "row for %04x:%04x release %s appears twice", r->vid, r->did,
				 r->release);
			goto fail;
		}
		if (hcl_fill_cert(&e->certs[e->ncerts++], r) < 0)
			goto nomem;
	}
	free(ord);
	return 0;
nomem:
	hcl_errf(err, "out of memory building the list");
fail:
	free(ord);
	hcl_list_free(l);
	return -1;
}
