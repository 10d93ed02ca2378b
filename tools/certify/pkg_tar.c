/* certify: the package container, POSIX ustar (pkg.h; POSIX.1-2001 "pax", the ustar header). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/sha256.h>

#include "pkg.h"

#define TAR_BLOCK	512

void pkg_sha256(const void *data, size_t len, char hex[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(data, len, d);
	sha256_hex(d, hex);
}

int pkg_add(struct pkg *p, const char *name, const void *data, size_t len, struct certify_err *err)
{
	struct pkg_member *m;

	if (p->n == PKG_MAX_MEMBERS)
		return certify_errf(err, "%s: more than %d members", name, PKG_MAX_MEMBERS);
	if (strlen(name) >= sizeof(m->name))
		return certify_errf(err, "%s: member name longer than %zu bytes", name,
				    sizeof(m->name) - 1);
	if (pkg_find(p, name))
		return certify_errf(err, "member %s: twice in the package", name);
	m = &p->m[p->n];
	m->data = malloc(len + 1);	/* NUL-terminated: a text member reads as a string */
	if (!m->data)
		return certify_errf(err, "%s: out of memory", name);
	memcpy(m->data, data, len);
	m->data[len] = '\0';
	m->len = len;
	snprintf(m->name, sizeof(m->name), "%s", name);
	p->n++;
	return 0;
}

const struct pkg_member *pkg_find(const struct pkg *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->m[i].name, name))
			return &p->m[i];
	return NULL;
}

void pkg_free(struct pkg *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->m[i].data);
	p->n = 0;
}

static unsigned tar_sum(const uint8_t *h)
{
	unsigned s = 0;

	for (int i = 0; i < TAR_BLOCK; i++)
		s += (i >= 148 && i < 156) ? ' ' : h[i];
	return s;
}

static void tar_header(const struct pkg_member *m, uint8_t h[TAR_BLOCK])
{
	memset(h, 0, TAR_BLOCK);
	memcpy(h, m->name, strlen(m->name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)m->len);
	memcpy(h + 136, "00000000000", 11);	/* mtime 0: the same run gives the same bytes */
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	snprintf((char *)h + 148, 8, "%06o", tar_sum(h));
	h[155] = ' ';
}

int pkg_tar_write(const struct pkg *p, uint8_t **out, size_t *len, struct certify_err *err)
{
	size_t cap = 2 * TAR_BLOCK, at = 0;
	uint8_t *b;

	for (size_t i = 0; i < p->n; i++)
		cap += TAR_BLOCK + (p->m[i].len + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	b = calloc(1, cap);
	if (!b)
		return certify_errf(err, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		tar_header(&p->m[i], b + at);
		at += TAR_BLOCK;
		memcpy(b + at, p->m[i].data, p->m[i].len);
		at += (p->m[i].len + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	}
	*out = b;
	*len = cap;
	return 0;
}

static int tar_octal(const uint8_t *f, size_t n, unsigned long long *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		*v = *v * 8 + (unsigned)(f[i] - '0');
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return 0;
}

static int tar_zero(const uint8_t *h)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

/* A safe member name: relative, no "..", printable. */
static int tar_name_ok(const char *s)
{
	if (!*s || *s == '/' || strstr(s, "..") || strstr(s, "//"))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int pkg_tar_read(const char *file, const uint8_t *data, size_t len, struct pkg *p,
		 struct certify_err *err)
{
	size_t at = 0;
	const char *last = "(none)";

	memset(p, 0, sizeof(*p));
	for (;;) {
		unsigned long long size, sum;
		char name[101];
		const uint8_t *h;

		if (at + TAR_BLOCK > len)
			goto trunc;
		h = data + at;
		if (tar_zero(h)) {
			if (at + 2 * TAR_BLOCK > len || !tar_zero(h + TAR_BLOCK))
				goto trunc;
			if (p->n == 0)
				return certify_errf(err, "%s: an empty archive, not a package", file);
			return 0;
		}
		memcpy(name, h, 100);
		name[100] = '\0';
		if (memcmp(h + 257, "ustar", 5) != 0 || tar_octal(h + 148, 8, &sum) < 0)
			return certify_errf(err, "%s: at byte %zu (after member %s): not a ustar header: "
					    "not a package, or damaged", file, at, last), pkg_free(p), -1;
		if (sum != tar_sum(h))
			return certify_errf(err, "%s: header of member %s (byte %zu) is damaged: checksum "
					    "%llo, its bytes sum to %o", file, name, at, sum, tar_sum(h)),
			       pkg_free(p), -1;
		if (tar_octal(h + 124, 12, &size) < 0)
			return certify_errf(err, "%s: member %s: bad size field", file, name), pkg_free(p), -1;
		if (h[156] != '0' && h[156] != '\0')
			return certify_errf(err, "%s: member %s: type '%c', a package holds only plain files",
					    file, name, h[156] >= 0x20 && h[156] < 0x7f ? h[156] : '?'),
			       pkg_free(p), -1;
		if (h[345] != '\0' || !tar_name_ok(name))
			return certify_errf(err, "%s: member at byte %zu: name '%.100s' not allowed in a "
					    "package", file, at, name), pkg_free(p), -1;
		at += TAR_BLOCK;
		if (size > len - at)
			return certify_errf(err, "%s: truncated: member %s declares %llu bytes, the file "
					    "has %zu after its header", file, name, size, len - at),
			       pkg_free(p), -1;
		if (pkg_add(p, name, data + at, (size_t)size, err) < 0) {
			char m[512];

			snprintf(m, sizeof(m), "%s", err->msg);
			pkg_free(p);
			return certify_errf(err, "%s: %s", file, m);
		}
		last = p->m[p->n - 1].name;
		at += (size_t)((size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK);
		if (at > len)
			goto trunc;
	}
trunc:
	certify_errf(err, "%s: truncated: the archive ends after member %s without its end blocks",
		     file, last);
	pkg_free(p);
	return -1;
}
