/*
 * The list compiled to hcl.bin (layout: hvkernel/include/lib/hclbin.h, docs/hcl.md), and
 * loading a list of any form into that table: `hcl check` answers through the same reader
 * (hvkernel/lib/hclbin.c) the kernel boot policy uses.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include "hcl.h"

static int hcl_bin_cmp(const void *a, const void *b)
{
	return hclbin_cmp(a, b);
}

static int hcl_rel_index(const struct hcl_list *l, const char *r)
{
	for (size_t i = 0; i < l->nreleases; i++)
		if (strcmp(l->releases[i], r) == 0)
			return (int)i;
	return -1;
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
}

int hcl_compile(const struct hcl_list *l, const char *keypath, uint8_t **img, size_t *len,
		struct hcl_err *err)
{
	size_t n = 0, k = 0, size;
	struct hclbin_entry *ents;
	uint8_t *buf, *p;

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
	qsort(ents, n, sizeof(*ents), hcl_bin_cmp);
	size = HCLBIN_HDR_SIZE + l->nreleases * HCLBIN_REL_SIZE + n * HCLBIN_ENTRY_SIZE;
	buf = calloc(1, size + HCLBIN_TRAILER_SIZE);
	if (!buf) {
		free(ents);
		return hcl_errf(err, "out of memory compiling");
	}
	p = buf + HCLBIN_HDR_SIZE;
	for (size_t i = 0; i < l->nreleases; i++, p += HCLBIN_REL_SIZE)
		memcpy(p, l->releases[i], strlen(l->releases[i]));
	for (size_t i = 0; i < n; i++, p += HCLBIN_ENTRY_SIZE)
		hclbin_put(p, &ents[i]);
	free(ents);
	hclbin_put_header(buf, (uint32_t)n, (uint32_t)l->nreleases, (uint64_t)l->generated,
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

int hcl_load(const char *path, const char *pubkey, int insecure, int want_list,
	     struct hcl_loaded *ld, struct hcl_err *err)
{
	char *text, *payload = NULL;
	size_t len, plen;
	int rc = -1;

	memset(ld, 0, sizeof(*ld));
	if (hcl_read_file(path, &text, &len, err) < 0)
		return -1;
	if (len >= 8 && memcmp(text, HCLBIN_MAGIC, 8) == 0) {
		ld->img = (uint8_t *)text;
		ld->len = len;
		if (want_list)
			rc = hcl_errf(err, "%s: this command needs the JSON list, not hcl.bin",
				      path);
		else
			rc = hcl_load_bin(path, pubkey, insecure, ld, err);
		if (rc < 0)
			hcl_loaded_free(ld);
		return rc;
	}
	if (hcl_open_signed(path, text, len, pubkey, insecure, &payload, &plen, &ld->sig,
			    err) < 0)
		goto out;
	if (hcl_list_parse(&ld->list, payload, plen, path, err) < 0)
		goto out;
	ld->have_list = 1;
	if (hcl_compile(&ld->list, NULL, &ld->img, &ld->len, err) < 0 ||
	    hcl_open_img(path, ld, HCLBIN_OPEN_NO_DIGEST, err) < 0)
		goto out;
	if (!want_list) {
		hcl_list_free(&ld->list);
		ld->have_list = 0;
	}
	rc = 0;
out:
	free(text);
	free(payload);
	if (rc < 0)
		hcl_loaded_free(ld);
	return rc;
}

void hcl_loaded_free(struct hcl_loaded *ld)
{
	free(ld->img);
	if (ld->have_list)
		hcl_list_free(&ld->list);
	memset(ld, 0, sizeof(*ld));
}
