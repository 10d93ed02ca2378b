/*
 * The list compiled to hcl.bin (layout: hvkernel/include/lib/hclbin.h, docs/hcl.md), and
 * loading a list of any form into that table: `hcl check` answers through the same reader
 * (hvkernel/lib/hclbin.c) the kernel boot policy uses. A JSON list is read in one pass from
 * the mapped file; for a check only the entries of the inventory's vendor:device pairs are
 * compiled (hclbin_lookup only ever looks at the run of one vid:did, so the answers are the
 * ones the whole table gives), while every entry is still read, checked and signed over.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include "hcl.h"

static int hcl_bin_cmp(const void *a, const void *b)
{
	return hclbin_cmp(a, b);
}

static void hcl_bin_entry(const struct hcl_entry *e, const struct hcl_cert *c, int rel,
			  struct hclbin_entry *b)
{
	memset(b, 0, sizeof(*b));
	b->vid = (uint16_t)e->vid;
	b->did = (uint16_t)e->did;
	if (e->svid == HV_PCI_ANY)
		b->flags |= HCLBIN_SVID_ANY;
	else
		b->svid = (uint16_t)e->svid;
	if (e->ssid == HV_PCI_ANY)
		b->flags |= HCLBIN_SSID_ANY;
	else
		b->ssid = (uint16_t)e->ssid;
	b->type = (uint8_t)e->type;
	b->status = (uint8_t)c->status;
	b->release = (uint8_t)rel;
	snprintf(b->driver, sizeof(b->driver), "%s", c->driver);
	snprintf(b->version, sizeof(b->version), "%s", c->driver_version);
	b->fw_match = (uint8_t)c->fw_match;
	if (c->fw_match != HCLBIN_FW_ANY)
		snprintf(b->firmware, sizeof(b->firmware), "%s", c->firmware);
	b->has_sha = c->module_sha256[0] != 0;
	for (int i = 0; b->has_sha && i < 32; i++) {
		unsigned v;
		sscanf(c->module_sha256 + 2 * i, "%2x", &v);
		b->module_sha256[i] = (uint8_t)v;
	}
}

int hcl_compile_entries(struct hclbin_entry *ents, size_t n, const struct hcl_list *top,
			const char *keypath, uint8_t **img, size_t *len, struct hcl_err *err)
{
	size_t size;
	uint8_t *buf, *p;

	if (n > HCLBIN_MAX_ENTRIES)
		return hcl_errf(err, "the list has %zu records; hcl.bin holds at most %u", n,
				HCLBIN_MAX_ENTRIES);
	qsort(ents, n, sizeof(*ents), hcl_bin_cmp);
	size = HCLBIN_HDR_SIZE + top->nreleases * HCLBIN_REL_SIZE + n * HCLBIN_ENTRY_SIZE;
	buf = calloc(1, size + HCLBIN_TRAILER_SIZE);
	if (!buf)
		return hcl_errf(err, "out of memory compiling");
	p = buf + HCLBIN_HDR_SIZE;
	for (size_t i = 0; i < top->nreleases; i++, p += HCLBIN_REL_SIZE)
		memcpy(p, top->releases[i], strlen(top->releases[i]));
	for (size_t i = 0; i < n; i++, p += HCLBIN_ENTRY_SIZE)
		hclbin_put(p, &ents[i]);
	hclbin_put_header(buf, (uint32_t)n, (uint32_t)top->nreleases, (uint64_t)top->generated,
			  keypath ? HCLBIN_F_SIGNED : 0);
	if (keypath) {
		if (hcl_sign_bin(keypath, buf, size, buf + size, err) < 0) {
			free(buf);
			return -1;
		}
		size += HCLBIN_TRAILER_SIZE;
	}
	*img = buf;
	*len = size;
	return 0;
}

static int hcl_rel_index(const struct hcl_list *l, const char *r)
{
	for (size_t i = 0; i < l->nreleases; i++)
		if (strcmp(l->releases[i], r) == 0)
			return (int)i;
	return -1;
}

int hcl_compile(const struct hcl_list *l, const char *keypath, uint8_t **img, size_t *len,
		struct hcl_err *err)
{
	size_t n = 0, k = 0;
	struct hclbin_entry *ents;
	int rc;

	for (size_t i = 0; i < l->nentries; i++)
		n += l->entries[i].ncerts;
	if (n > HCLBIN_MAX_ENTRIES)
		return hcl_errf(err, "the list has %zu records; hcl.bin holds at most %u", n,
				HCLBIN_MAX_ENTRIES);
	ents = malloc((n ? n : 1) * sizeof(*ents));
	if (!ents)
		return hcl_errf(err, "out of memory compiling");
	for (size_t i = 0; i < l->nentries; i++)
		for (size_t j = 0; j < l->entries[i].ncerts; j++) {
			const struct hcl_cert *c = &l->entries[i].certs[j];

			hcl_bin_entry(&l->entries[i], c, hcl_rel_index(l, c->release), &ents[k++]);
		}
	rc = hcl_compile_entries(ents, n, l, keypath, img, len, err);
	free(ents);
	return rc;
}

static int hcl_open_img(const char *name, struct hcl_loaded *ld, uint32_t flags,
			struct hcl_err *err)
{
	long bad;
	int rc = hclbin_open(&ld->hb, ld->img, ld->len, flags, &bad);

	if (rc == 0)
		return 0;
	if (rc == -HV_ENOEXEC)
		return hcl_errf(err, "%s: not an hcl.bin", name);
	if (rc == -HV_ENOTSUP)
		return hcl_errf(err, "%s: hcl.bin version not supported by this tool", name);
	if (bad >= 0)
		return hcl_errf(err, "%s: damaged hcl.bin: entry %ld is malformed or out of order",
				name, bad);
	return hcl_errf(err, "%s: damaged hcl.bin (sizes, release table or digest)", name);
}

static int hcl_load_bin(const char *path, const char *pubkey, int insecure,
			struct hcl_loaded *ld, struct hcl_err *err)
{
	uint32_t flags = 0;

	if (ld->len >= HCLBIN_HDR_SIZE && (ld->img[32] & HCLBIN_F_SIGNED)) {
		struct hcl_err verr;

		if (hcl_verify_bin(path, ld->img, ld->len, pubkey, &ld->sig, &verr) == 0)
			flags = HCLBIN_OPEN_NO_DIGEST;	/* the signature covers every byte */
		else if (!insecure)
			return *err = verr, -1;
		else if (pubkey)
			fprintf(stderr, "%s (ignored: --insecure)\n", verr.msg);
	} else if (!insecure) {
		return hcl_errf(err, "%s: the list is not signed; refusing it (compile it with "
				"--key, or pass --insecure)", path);
	}
	return hcl_open_img(path, ld, flags, err);
}

/* The entries a check keeps: those of the inventory's vendor:device pairs. */
struct hcl_keep {
	uint32_t *pairs;		/* vid << 16 | did, sorted */
	size_t npairs;
	struct hclbin_entry *ents;
	size_t n, cap;
};

static int hcl_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int hcl_keep_entry(void *ctx, const struct hcl_entry *e, struct hcl_err *err)
{
	struct hcl_keep *k = ctx;
	uint32_t pair = e->vid << 16 | e->did;

	if (k->pairs && !bsearch(&pair, k->pairs, k->npairs, sizeof(pair), hcl_u32_cmp))
		return 0;
	for (size_t j = 0; j < e->ncerts; j++) {
		struct hclbin_entry *ents = hcl_grow(k->ents, &k->cap, k->n, sizeof(*ents));

		if (!ents)
			return hcl_errf(err, "out of memory compiling");
		k->ents = ents;
		/* release holds the reader's id until the list is complete. */
		hcl_bin_entry(e, &e->certs[j], e->certs[j].rel_id, &k->ents[k->n++]);
	}
	return 0;
}

static void hcl_map_release_cb(void *ctx, const char *upto)
{
	hcl_map_release(ctx, upto);
}

static int hcl_load_json(const char *path, const struct hcl_map *m, const char *pubkey,
			 int insecure, int want_list, const struct hcl_inv *only,
			 struct hcl_loaded *ld, struct hcl_err *err)
{
	struct hcl_keep k = { 0 };
	int rel_map[HCLBIN_MAX_RELEASES];
	struct hcl_list_opts o = { .rel_map = rel_map };
	int rc = -1;

	if (want_list) {
		o.keep_entries = 1;
	} else {
		o.entry = hcl_keep_entry;
		o.ctx = &k;
		if (only) {
			k.pairs = malloc((only->n ? only->n : 1) * sizeof(*k.pairs));
			if (!k.pairs)
				return hcl_errf(err, "out of memory");
			for (size_t i = 0; i < only->n; i++)
				k.pairs[k.npairs++] = (uint32_t)only->devs[i].vid << 16 | only->devs[i].did;
			qsort(k.pairs, k.npairs, sizeof(*k.pairs), hcl_u32_cmp);
		}
	}
	if (hcl_open_list(path, m->data, m->len, pubkey, insecure, &ld->list, &o, &ld->sig, err,
			  m->mapped ? hcl_map_release_cb : NULL, (void *)m) < 0)
		goto out;
	ld->have_list = 1;
	if (want_list) {
		rc = hcl_compile(&ld->list, NULL, &ld->img, &ld->len, err);
	} else {
		for (size_t i = 0; i < k.n; i++)
			k.ents[i].release = (uint8_t)rel_map[k.ents[i].release];
		rc = hcl_compile_entries(k.ents, k.n, &ld->list, NULL, &ld->img, &ld->len, err);
	}
	if (rc == 0)
		rc = hcl_open_img(path, ld, HCLBIN_OPEN_NO_DIGEST, err);
out:
	free(k.pairs);
	free(k.ents);
	return rc;
}

int hcl_load(const char *path, const char *pubkey, int insecure, int want_list,
	     const struct hcl_inv *only, struct hcl_loaded *ld, struct hcl_err *err)
{
	struct hcl_map m;
	int rc;

	memset(ld, 0, sizeof(*ld));
	if (hcl_map_file(path, &m, err) < 0)
		return -1;
	if (m.len >= 8 && memcmp(m.data, HCLBIN_MAGIC, 8) == 0) {
		if (want_list) {
			hcl_unmap(&m);
			return hcl_errf(err, "%s: this command needs the JSON list, not hcl.bin", path);
		}
		ld->map = m;
		ld->img = (uint8_t *)m.data;	/* read only: nothing writes an opened image */
		ld->len = m.len;
		rc = hcl_load_bin(path, pubkey, insecure, ld, err);
	} else {
		rc = hcl_load_json(path, &m, pubkey, insecure, want_list, only, ld, err);
		hcl_unmap(&m);
		if (rc == 0 && !want_list) {
			hcl_list_free(&ld->list);
			ld->have_list = 0;
		}
	}
	if (rc < 0)
		hcl_loaded_free(ld);
	return rc;
}

void hcl_loaded_free(struct hcl_loaded *ld)
{
	if (ld->map.data)
		hcl_unmap(&ld->map);
	else
		free(ld->img);
	if (ld->have_list)
		hcl_list_free(&ld->list);
	memset(ld, 0, sizeof(*ld));
}
