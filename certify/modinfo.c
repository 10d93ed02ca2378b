/* certify: host-side reading of driver modules (modinfo.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/elfmod.h>
#include <lib/pcimatch.h>
#include <lib/sha256.h>

#include "modinfo.h"

static int modinfo_slurp(const char *path, uint8_t **buf, size_t *len, struct certify_err *err)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return certify_errf(err, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return certify_errf(err, "%s: cannot get its size", path);
	}
	*buf = malloc(n ? (size_t)n : 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		free(*buf);
		*buf = NULL;
		fclose(f);
		return certify_errf(err, "%s: read error", path);
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

int certify_modinfo_read(const char *path, struct certify_modinfo *mi, struct certify_err *err)
{
	struct elfmod_error ee = { 0 };
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct elfmod m;
	uint8_t *buf = NULL;
	size_t len = 0;

	memset(mi, 0, sizeof(*mi));
	if (modinfo_slurp(path, &buf, &len, err) < 0)
		return -1;
	if (elfmod_parse(&m, buf, len, &ee) < 0) {
		free(buf);
		return certify_errf(err, "%s: not a valid module: %s", path, ee.msg);
	}
	snprintf(mi->path, sizeof(mi->path), "%s", path);
	snprintf(mi->name, sizeof(mi->name), "%s", m.info.name);
	snprintf(mi->version, sizeof(mi->version), "%s", m.info.version);
	snprintf(mi->vendor, sizeof(mi->vendor), "%s", m.info.vendor);
	snprintf(mi->license, sizeof(mi->license), "%s", m.info.license);
	mi->abi_major = m.info.abi_major;
	mi->abi_minor = m.info.abi_minor;
	mi->size = len;
	sha256_digest(buf, len, digest);
	sha256_hex(digest, mi->sha256);
	mi->ids = calloc(m.info.nids ? m.info.nids : 1, sizeof(*mi->ids));
	if (!mi->ids) {
		free(buf);
		return certify_errf(err, "%s: out of memory", path);
	}
	for (uint32_t i = 0; i < m.info.nids; i++)
		elfmod_id(&m, i, &mi->ids[mi->nids++]);
	free(buf);
	return 0;
}

void certify_modinfo_free(struct certify_modinfo *mi)
{
	free(mi->ids);
	mi->ids = NULL;
	mi->nids = 0;
}

/*
 * The subsystem IDs of an emulated device depend on the QEMU version, so a model matches
 * when an entry matches its vendor, device and class with the entry's own subsystem IDs.
 */
int certify_modinfo_matches(const struct certify_modinfo *mi, const struct certify_model *m)
{
	for (size_t i = 0; i < mi->nids; i++) {
		const struct hv_pci_id *id = &mi->ids[i];
		struct pcimatch_dev d = { m->vid, m->did, 0, 0, m->class };

		d.subvendor = id->subvendor == HV_PCI_ANY ? 0 : (uint16_t)id->subvendor;
		d.subdevice = id->subdevice == HV_PCI_ANY ? 0 : (uint16_t)id->subdevice;
		if (pcimatch_score(id, &d) >= 0)
			return 1;
	}
	return 0;
}

static int modinfo_cmp(const void *a, const void *b)
{
	return strcmp(((const struct certify_modinfo *)a)->path,
		      ((const struct certify_modinfo *)b)->path);
}

int certify_modinfo_scan(const char *dir, struct certify_modinfo **out, size_t *n, size_t *nbad,
			 struct certify_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (nbad)
		*nbad = 0;
	if (!d)
		return certify_errf(err, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[1024];

		if (len < 5 || strcmp(e->d_name + len - 4, ".hvm") != 0)
			continue;
		if (*n == cap) {
			struct certify_modinfo *v = realloc(*out, (cap = cap ? cap * 2 : 8) * sizeof(*v));

			if (!v)
				break;
			*out = v;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (certify_modinfo_read(path, &(*out)[*n], NULL) == 0)
			(*n)++;
		else if (nbad)
			(*nbad)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), modinfo_cmp);
	return (int)*n;
}

void certify_modinfo_free_all(struct certify_modinfo *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		certify_modinfo_free(&v[i]);
	free(v);
}
