/* certify: GPT layouts written into scratch images (gptimg.h), UEFI 2.10 section 5. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/gpt.h>

#include "gptimg.h"

/* 0FC63DAF-8483-4772-8E79-3D69D8477DE4, "Linux filesystem data", as stored on disk. */
static const uint8_t gptimg_type_linux[16] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
};

/* "8M" -> bytes; 0 on a malformed size. */
static uint64_t gptimg_size(const char *s, const char **end)
{
	char *e;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &e, 10);
	if (errno || e == s || *s == '-')
		return 0;
	switch (*e) {
	case 'G': n <<= 10; /* fall through */
	case 'M': n <<= 10; /* fall through */
	case 'K': n <<= 10; e++; break;
	default: break;
	}
	*end = e;
	return n;
}

int gptimg_parse_option(const char *opt, struct gptimg_layout *l, struct certify_err *err)
{
	if (strncmp(opt, "damage=", 7) == 0) {
		const char *v = opt + 7;
		if (strcmp(v, "primary") == 0)
			l->damage = GPTIMG_DAMAGE_PRIMARY;
		else if (strcmp(v, "entries") == 0)
			l->damage = GPTIMG_DAMAGE_ENTRIES;
		else if (strcmp(v, "both") == 0)
			l->damage = GPTIMG_DAMAGE_BOTH;
		else
			return certify_errf(err, "'%s': damage is primary, entries or both", opt);
		return 0;
	}
	if (strncmp(opt, "gpt=", 4) != 0)
		return certify_errf(err, "'%s': unknown disk option (gpt=SIZE,... or damage=...)", opt);
	const char *p = opt + 4;
	l->nparts = 0;
	for (;;) {
		const char *end = p;
		uint64_t n = gptimg_size(p, &end);
		if (n == 0 || n % 512 || (*end && *end != ','))
			return certify_errf(err, "'%s': partition sizes are multiples of 512 (e.g. 8M,16M)", opt);
		if (l->nparts == GPTIMG_MAX_PARTS)
			return certify_errf(err, "'%s': more than %d partitions", opt, GPTIMG_MAX_PARTS);
		l->part_bytes[l->nparts++] = n;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static uint64_t gptimg_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random (version 4, RFC 4122 4.4) GUID in on-disk order. */
static void gptimg_guid(uint64_t *rng, uint8_t g[16])
{
	for (int i = 0; i < 16; i++)
		g[i] = (uint8_t)gptimg_rand(rng);
	g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);	/* Data3 is little-endian: its high byte */
	g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
}

/* 5.2.3 Table 5.4: one record of type 0xEE covering the disk from LBA 1. */
static void gptimg_pmbr(uint8_t *b, uint64_t nblocks)
{
	uint8_t *r = b + 446;
	uint64_t size = nblocks - 1 > 0xffffffffu ? 0xffffffffu : nblocks - 1;

	r[1] = 0x00, r[2] = 0x02, r[3] = 0x00;	/* StartingCHS 0/0/2 */
	r[4] = 0xee;
	r[5] = r[6] = r[7] = 0xff;		/* EndingCHS: not representable */
	gpt_put_le32(r + 8, 1);
	gpt_put_le32(r + 12, (uint32_t)size);
	b[510] = 0x55;
	b[511] = 0xaa;
}

/* Partitions from 1 MiB on, each on the next MiB boundary. */
static int gptimg_place(const struct gptimg_layout *l, struct gptimg *g, uint64_t first_usable,
			uint64_t last_usable, struct certify_err *err)
{
	uint64_t align = GPTIMG_ALIGN / g->block_size, next = first_usable;

	for (size_t i = 0; i < l->nparts; i++) {
		uint64_t n = l->part_bytes[i] / g->block_size;
		uint64_t start = (next + align - 1) / align * align;
		if (l->part_bytes[i] % g->block_size || n == 0 || start > last_usable ||
		    n > last_usable - start + 1)
			return certify_errf(err, "GPT: partition %zu (%llu bytes) does not fit a disk of %llu "
					    "blocks of %u bytes", i + 1, (unsigned long long)l->part_bytes[i],
					    (unsigned long long)g->nblocks, g->block_size);
		g->first_lba[i] = start;
		g->last_lba[i] = start + n - 1;
		next = start + n;
	}
	return 0;
}

/* Garbage after the signature, so the check gets as far as the CRC. */
static void gptimg_scramble(uint8_t *hdr, uint64_t *rng)
{
	for (int i = 8; i < GPT_HEADER_SIZE; i++)
		hdr[i] = (uint8_t)gptimg_rand(rng);
}

int gptimg_build(const struct gptimg_layout *l, uint64_t disk_bytes, uint32_t block_size,
		 uint64_t seed, struct gptimg *g, struct certify_err *err)
{
	uint64_t rng = seed ? seed : 1;
	uint32_t bs = block_size;
	size_t arr_bytes = GPTIMG_ENTRIES * GPT_ENTRY_SIZE;
	uint64_t arr_blocks = (arr_bytes + bs - 1) / bs;

	memset(g, 0, sizeof(*g));
	g->block_size = bs;
	g->nblocks = disk_bytes / bs;
	if ((bs != 512 && bs != 4096) || disk_bytes % bs || g->nblocks < 4 + 2 * arr_blocks)
		return certify_errf(err, "GPT: a disk of %llu bytes in %u-byte blocks is too small or uneven",
				    (unsigned long long)disk_bytes, bs);
	uint64_t first_usable = 2 + arr_blocks, last_usable = g->nblocks - 2 - arr_blocks;
	if (gptimg_place(l, g, first_usable, last_usable, err) < 0)
		return -1;
	g->head_len = (size_t)(2 + arr_blocks) * bs;
	g->tail_len = (size_t)(1 + arr_blocks) * bs;
	g->tail_lba = g->nblocks - 1 - arr_blocks;
	g->head = calloc(1, g->head_len);
	g->tail = calloc(1, g->tail_len);
	if (!g->head || !g->tail) {
		gptimg_free(g);
		return certify_errf(err, "GPT: out of memory");
	}
	uint8_t *arr = g->head + 2 * bs;
	for (size_t i = 0; i < l->nparts; i++) {
		struct gpt_part p;
		memset(&p, 0, sizeof(p));
		memcpy(p.type_guid, gptimg_type_linux, 16);
		gptimg_guid(&rng, p.unique_guid);
		p.first_lba = g->first_lba[i];
		p.last_lba = g->last_lba[i];
		snprintf(p.name, sizeof(p.name), "hvkit-p%zu", i + 1);
		gpt_part_encode(&p, arr + i * GPT_ENTRY_SIZE);
	}
	struct gpt_header h;
	memset(&h, 0, sizeof(h));
	h.revision = GPT_REVISION;
	h.header_size = GPT_HEADER_SIZE;
	h.first_usable = first_usable;
	h.last_usable = last_usable;
	gptimg_guid(&rng, h.disk_guid);
	h.num_entries = GPTIMG_ENTRIES;
	h.entry_size = GPT_ENTRY_SIZE;
	h.entries_crc = gpt_crc32(0, arr, arr_bytes);
	/* 5.3.2: the backup's array precedes it; the two headers name each other. */
	memcpy(g->tail, arr, arr_bytes);
	h.my_lba = 1, h.alternate_lba = g->nblocks - 1, h.entries_lba = 2;
	gpt_header_encode(&h, g->head + bs);
	h.my_lba = g->nblocks - 1, h.alternate_lba = 1, h.entries_lba = g->tail_lba;
	gpt_header_encode(&h, g->tail + arr_blocks * bs);
	gptimg_pmbr(g->head, g->nblocks);
	switch (l->damage) {
	case GPTIMG_DAMAGE_PRIMARY:
		g->head[bs + 40] ^= 0x01;	/* FirstUsableLBA: the header CRC no longer holds */
		break;
	case GPTIMG_DAMAGE_ENTRIES:
		arr[56] ^= 0x20;		/* entry 1's name: the array CRC no longer holds */
		break;
	case GPTIMG_DAMAGE_BOTH:
		gptimg_scramble(g->head + bs, &rng);
		gptimg_scramble(g->tail + arr_blocks * bs, &rng);
		break;
	default:
		break;
	}
	return 0;
}

static int gptimg_pwrite(int fd, const uint8_t *p, size_t n, uint64_t off, const char *path,
			 struct certify_err *err)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return certify_errf(err, "%s: cannot write the GPT at byte %llu: %s", path,
					    (unsigned long long)off, w < 0 ? strerror(errno) : "short write");
		p += w, n -= (size_t)w, off += (uint64_t)w;
	}
	return 0;
}

int gptimg_write(const struct gptimg *g, int fd, const char *path, struct certify_err *err)
{
	if (gptimg_pwrite(fd, g->head, g->head_len, 0, path, err) < 0)
		return -1;
	return gptimg_pwrite(fd, g->tail, g->tail_len, g->tail_lba * g->block_size, path, err);
}

void gptimg_free(struct gptimg *g)
{
	free(g->head);
	free(g->tail);
	g->head = g->tail = NULL;
}
