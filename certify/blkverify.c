/* certify: host-side verification of what the storage suite wrote (blkverify.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/blkpat.h>

#include "blkverify.h"

#define BLKVERIFY_MAX_PROBLEMS	8

static int blkverify_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

int certify_blkwrite_parse(const char *dev, const char *lba, const char *blocks,
			   const char *block_size, const char *seed, struct certify_blkwrite *w)
{
	memset(w, 0, sizeof(*w));
	if (!dev || !*dev || strlen(dev) >= sizeof(w->dev))
		return -1;
	snprintf(w->dev, sizeof(w->dev), "%s", dev);
	if (blkverify_u64(lba, &w->lba) || blkverify_u64(blocks, &w->blocks) ||
	    blkverify_u64(block_size, &w->block_size) || blkverify_u64(seed, &w->seed))
		return -1;
	if (w->block_size != 512 && w->block_size != 4096)
		return -1;
	return 0;
}

int certify_blkwrite_base(const char *base, struct certify_blkwrite *w)
{
	w->base = 0;
	if (!base)
		return 0;
	uint64_t limit = UINT64_MAX / w->block_size;	/* keep byte offsets representable */
	if (blkverify_u64(base, &w->base) < 0 || w->lba > limit || w->blocks > limit - w->lba ||
	    w->base > limit - w->lba - w->blocks)
		return -1;
	return 0;
}

static void blkverify_problem(struct certify_blkverify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void blkverify_problem(struct certify_blkverify *v, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	if (v->problems.n >= BLKVERIFY_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	certify_strv_push(&v->problems, line);
}

int certify_blkwrite_gen(const char *gen, struct certify_blkwrite *w)
{
	w->gen = 0;
	return gen ? blkverify_u64(gen, &w->gen) : 0;
}

static uint64_t blkverify_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static int blkverify_covered(const struct certify_blkverify *v, uint64_t ph, uint64_t at)
{
	for (size_t i = 0; i < v->ncover; i++)
		if (v->cover[i].path_hash == ph && at >= v->cover[i].start && at < v->cover[i].end)
			return 1;
	return 0;
}

static void blkverify_cover(struct certify_blkverify *v, uint64_t ph, uint64_t start, uint64_t end)
{
	struct certify_blkcover *n = realloc(v->cover, (v->ncover + 1) * sizeof(*n));

	if (!n)
		return;		/* an earlier write there may then be reported wrongly: never hidden */
	v->cover = n;
	v->cover[v->ncover++] = (struct certify_blkcover){ ph, start, end };
}

void certify_blkverify_batch(struct certify_blkverify *v)
{
	free(v->cover);
	v->cover = NULL;
	v->ncover = 0;
}

void certify_blkverify_free(struct certify_blkverify *v)
{
	certify_blkverify_batch(v);
	certify_strv_free(&v->problems);
}

long certify_blkverify_extent(const char *path, const struct certify_blkwrite *w,
			      struct certify_blkverify *v)
{
	const struct blkpat_key key = { .seed = w->seed, .gen = w->gen };
	const uint64_t ph = blkverify_hash(path);
	uint32_t bs = (uint32_t)w->block_size;
	uint8_t *got = malloc(bs);
	int fd = open(path, O_RDONLY);
	long bad = 0;

	if (fd < 0 || !got) {
		v->unreadable = 1;
		blkverify_problem(v, "%s: %s", path, fd < 0 ? strerror(errno) : "out of memory");
		free(got);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	v->extents++;
	for (uint64_t i = 0; i < w->blocks; i++) {
		uint64_t lba = w->lba + i;
		uint64_t at = w->base + lba;	/* the block's place in the image */
		if (blkverify_covered(v, ph, at))
			continue;		/* a later write of the batch holds it */
		ssize_t n = pread(fd, got, bs, (off_t)(at * bs));
		enum blkpat_state st = n == (ssize_t)bs ? blkpat_check(got, bs, lba, &key) : BLKPAT_ZEROS;

		v->blocks++;
		if (n == (ssize_t)bs && st == BLKPAT_OK)
			continue;
		bad++;
		v->bad_blocks++;
		if (n != (ssize_t)bs)
			blkverify_problem(v, "%s: block %llu (%s): %s", path, (unsigned long long)at, w->dev,
					  n < 0 ? strerror(errno) : "past the end of the image");
		else
			blkverify_problem(v, "%s: block %llu (%s LBA %llu) holds %s", path,
					  (unsigned long long)at, w->dev, (unsigned long long)lba,
					  blkpat_state_text(st));
	}
	blkverify_cover(v, ph, w->base + w->lba, w->base + w->lba + w->blocks);
	close(fd);
	free(got);
	return bad;
}

void certify_blkverify_check(const struct certify_blkverify *v, struct certify_hostcheck *c)
{
	if (v->unreadable)
		certify_hostcheck_notrun(c, "image unreadable: %s", v->problems.n ? v->problems.v[0] : "?");
	else if (v->bad_blocks || v->problems.n)
		certify_hostcheck_done(c, 0, "%llu of %llu blocks wrong: %s",
				       (unsigned long long)v->bad_blocks, (unsigned long long)v->blocks,
				       v->problems.n ? v->problems.v[0] : "");
	else if (!v->blocks)
		certify_hostcheck_done(c, 0, "the kernel reported no written block to check");
	else
		certify_hostcheck_done(c, 1, "%llu blocks in %llu extents hold what the kernel wrote",
				       (unsigned long long)v->blocks, (unsigned long long)v->extents);
}
