/*
 * The canonical form of a list, the bytes a list signature covers (docs/hcl.md, "The signed
 * payload"): the JSON Canonicalization Scheme (RFC 8785) applied to the list, which for
 * this schema means no whitespace, members sorted by name, strings escaped only where
 * RFC 8785 section 3.2.2.2 says so, and the one number, schema_version, as a plain integer.
 * Entries keep their order. The form is written entry by entry into SHA-256 (OpenSSL, which
 * uses the CPU's SHA extensions), so a 100 000-entry list is never held twice.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "hcl.h"
#include "hcl_json.h"

static void hcl_canon_flush(struct hcl_canon *c)
{
	if (c->n && c->md && EVP_DigestUpdate(c->md, c->buf, c->n) != 1)
		c->ok = 0;
	if (c->n && c->out && fwrite(c->buf, 1, c->n, c->out) != c->n)
		c->ok = 0;
	c->n = 0;
}

static inline void hcl_canon_put(struct hcl_canon *c, const char *s, size_t n)
{
	if (n <= sizeof(c->buf) - c->n) {
		memcpy(c->buf + c->n, s, n);
		c->n += n;
		return;
	}
	while (n) {
		size_t k = sizeof(c->buf) - c->n;

		if (k > n)
			k = n;
		memcpy(c->buf + c->n, s, k);
		c->n += k;
		s += k;
		n -= k;
		if (c->n == sizeof(c->buf))
			hcl_canon_flush(c);
	}
}

/* A string literal (an array, not a pointer: "" s "" refuses anything else): its length is
 * known at compile time. */
#define hcl_canon_lit(c, s) hcl_canon_put((c), "" s "", sizeof(s) - 1)

static void hcl_canon_cstr(struct hcl_canon *c, const char *s)
{
	hcl_canon_put(c, s, strlen(s));
}

/* RFC 8785 section 3.2.2.2: \" \\ \b \f \n \r \t, other controls as \u00xx (lower case);
 * everything else, UTF-8 included, as it is. */
static void hcl_canon_str(struct hcl_canon *c, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + strlen(str), *run = s;

	hcl_canon_put(c, "\"", 1);
	while ((s = hcl_json_plain_run(s, end)) < end) {
		unsigned char ch = *s++;
		char esc[8];

		if (ch >= 0x80)
			continue;
		hcl_canon_put(c, (const char *)run, (size_t)(s - 1 - run));
		run = s;
		switch (ch) {
		case '"': hcl_canon_put(c, "\\\"", 2); break;
		case '\\': hcl_canon_put(c, "\\\\", 2); break;
		case '\b': hcl_canon_put(c, "\\b", 2); break;
		case '\f': hcl_canon_put(c, "\\f", 2); break;
		case '\n': hcl_canon_put(c, "\\n", 2); break;
		case '\r': hcl_canon_put(c, "\\r", 2); break;
		case '\t': hcl_canon_put(c, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			hcl_canon_put(c, esc, 6);
		}
	}
	hcl_canon_put(c, (const char *)run, (size_t)(end - run));
	hcl_canon_put(c, "\"", 1);
}

static void hcl_canon_strv(struct hcl_canon *c, char *const *v, size_t n)
{
	hcl_canon_put(c, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			hcl_canon_put(c, ",", 1);
		hcl_canon_str(c, v[i]);
	}
	hcl_canon_put(c, "]", 1);
}

int hcl_canon_begin(struct hcl_canon *c, int hash, FILE *out)
{
	memset(c, 0, sizeof(*c));
	c->ok = 1;
	c->out = out;
	if (hash) {
		c->md = EVP_MD_CTX_new();
		if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
			EVP_MD_CTX_free(c->md);
			c->md = NULL;
			return -1;
		}
	}
	hcl_canon_lit(c, "{\"entries\":[");
	return 0;
}

static int hcl_canon_rel_cmp(const void *a, const void *b)
{
	const struct hcl_cert *const *x = a, *const *y = b;

	return strcmp((*x)->release, (*y)->release);
}

static void hcl_canon_notes(struct hcl_canon *c, const struct hcl_cfgnote *v, size_t n)
{
	hcl_canon_put(c, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			hcl_canon_put(c, ",", 1);
		hcl_canon_lit(c, "{\"name\":");
		hcl_canon_str(c, v[i].name);
		hcl_canon_lit(c, ",\"reason\":");
		hcl_canon_str(c, v[i].reason);
		hcl_canon_put(c, "}", 1);
	}
	hcl_canon_put(c, "]", 1);
}

/* After "certified": members in name order. */
static void hcl_canon_coverage(struct hcl_canon *c, const struct hcl_coverage *cv)
{
	hcl_canon_lit(c, ",\"coverage\":{\"not_applicable\":");
	hcl_canon_notes(c, cv->not_applicable, cv->nnot_applicable);
	hcl_canon_lit(c, ",\"not_run\":");
	hcl_canon_notes(c, cv->not_run, cv->nnot_run);
	hcl_canon_lit(c, ",\"passed\":");
	hcl_canon_strv(c, cv->passed, cv->npassed);
	hcl_canon_put(c, "}", 1);
}

static void hcl_canon_cert(struct hcl_canon *c, const struct hcl_cert *ce)
{
	hcl_canon_str(c, ce->release);
	hcl_canon_lit(c, ":{\"certified\":");
	hcl_canon_str(c, ce->certified);
	if (ce->coverage)
		hcl_canon_coverage(c, ce->coverage);
	hcl_canon_lit(c, ",\"driver\":");
	hcl_canon_str(c, ce->driver);
	hcl_canon_lit(c, ",\"driver_version\":");
	hcl_canon_str(c, ce->driver_version);
	hcl_canon_lit(c, ",\"features\":");
	hcl_canon_strv(c, ce->features, ce->nfeatures);
	hcl_canon_lit(c, ",\"firmware\":");
	if (ce->firmware)
		hcl_canon_str(c, ce->firmware);
	else
		hcl_canon_lit(c, "null");
	/* the optional members only when the list has them: older lists keep their digest */
	if (ce->fw_match_given) {
		hcl_canon_lit(c, ",\"firmware_match\":\"");
		hcl_canon_cstr(c, hcl_fw_match_name(ce->fw_match));
		hcl_canon_lit(c, "\"");
	}
	if (ce->module_sha256[0]) {
		hcl_canon_lit(c, ",\"module_sha256\":\"");
		hcl_canon_cstr(c, ce->module_sha256);
		hcl_canon_lit(c, "\"");
	}
	hcl_canon_lit(c, ",\"runs\":");
	hcl_canon_strv(c, ce->runs, ce->nruns);
	hcl_canon_lit(c, ",\"status\":\"");
	hcl_canon_cstr(c, hcl_status_name(ce->status));
	hcl_canon_lit(c, "\"");
	if (ce->nwaivers) {	/* optional, as above */
		hcl_canon_lit(c, ",\"waivers\":");
		hcl_canon_strv(c, ce->waivers, ce->nwaivers);
	}
	hcl_canon_lit(c, "}");
}

void hcl_canon_entry(struct hcl_canon *c, const struct hcl_entry *e)
{
	const struct hcl_cert *sorted[HCLBIN_MAX_RELEASES];
	char a[5], b[5], s[5], t[5];
	size_t n = e->ncerts < HCLBIN_MAX_RELEASES ? e->ncerts : HCLBIN_MAX_RELEASES;

	if (c->entries++)
		hcl_canon_put(c, ",", 1);
	/* Release names are printable ASCII (hcl_list.c), so byte order is RFC 8785's
	 * UTF-16 order. */
	for (size_t i = 0; i < n; i++)
		sorted[i] = &e->certs[i];
	qsort(sorted, n, sizeof(sorted[0]), hcl_canon_rel_cmp);
	hcl_canon_lit(c, "{\"did\":\"");
	hcl_canon_put(c, hcl_id_str(e->did, a), e->did == HV_PCI_ANY ? 1 : 4);
	hcl_canon_lit(c, "\",\"model\":");
	hcl_canon_str(c, e->model);
	hcl_canon_lit(c, ",\"releases\":{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			hcl_canon_put(c, ",", 1);
		hcl_canon_cert(c, sorted[i]);
	}
	hcl_canon_lit(c, "},\"ssid\":\"");
	hcl_canon_put(c, hcl_id_str(e->ssid, s), e->ssid == HV_PCI_ANY ? 1 : 4);
	hcl_canon_lit(c, "\",\"svid\":\"");
	hcl_canon_put(c, hcl_id_str(e->svid, t), e->svid == HV_PCI_ANY ? 1 : 4);
	hcl_canon_lit(c, "\",\"type\":\"");
	hcl_canon_cstr(c, hcl_type_name(e->type));
	hcl_canon_lit(c, "\",\"vendor\":");
	hcl_canon_str(c, e->vendor);
	hcl_canon_lit(c, ",\"vid\":\"");
	hcl_canon_put(c, hcl_id_str(e->vid, b), 4);
	hcl_canon_lit(c, "\"}");
}

int hcl_canon_end(struct hcl_canon *c, const struct hcl_list *top,
		  uint8_t digest[HCL_DIGEST_SIZE])
{
	char gen[32], num[16];
	unsigned len = 0;
	int ok;

	hcl_format_time(top->generated, gen);
	hcl_canon_lit(c, "],\"generated\":\"");
	hcl_canon_cstr(c, gen);
	hcl_canon_lit(c, "\",\"releases\":");
	hcl_canon_strv(c, top->releases, top->nreleases);
	snprintf(num, sizeof(num), "%d", top->schema_version);
	hcl_canon_lit(c, ",\"schema_version\":");
	hcl_canon_cstr(c, num);
	hcl_canon_lit(c, "}");
	hcl_canon_flush(c);
	if (c->md) {
		if (EVP_DigestFinal_ex(c->md, digest, &len) != 1 || len != HCL_DIGEST_SIZE)
			c->ok = 0;
		EVP_MD_CTX_free(c->md);
		c->md = NULL;
	}
	ok = c->ok;
	return ok ? 0 : -1;
}

void hcl_canon_abort(struct hcl_canon *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

int hcl_sha256(const void *data, size_t len, uint8_t digest[HCL_DIGEST_SIZE])
{
	unsigned n = 0;

	return EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) == 1 &&
	       n == HCL_DIGEST_SIZE ? 0 : -1;
}
