/*
 * certify: reading a disk image after the kernel wrote to it. The storage suite (hvkernel
 * test=blk) writes every block with the block test pattern (lib/blkpat.h: its LBA, the run's
 * seed, data from both) and reports each written extent as a `blkwrite` record; this checks,
 * on the host, that exactly that reached the medium (the image file QEMU wrote), block by
 * block.
 */
#ifndef CERTIFY_BLKVERIFY_H
#define CERTIFY_BLKVERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "hostcheck.h"
#include "strv.h"

struct certify_blkwrite {
	char dev[16];
	uint64_t lba, blocks, block_size, seed;
	uint64_t gen;		/* the write's generation (lib/blkpat.h); 0 when not given */
	uint64_t base;		/* where LBA 0 is in the image, in blocks (a VM's disk window) */
};

/* Image blocks a later write of the batch covers: an earlier write there is not checked. */
struct certify_blkcover {
	uint64_t path_hash, start, end;	/* [start, end) in image blocks of that file */
};

struct certify_blkverify {
	uint64_t extents, blocks, bad_blocks;
	struct certify_strv problems;	/* one line each, the first few */
	int unreadable;			/* the image could not be read: the check did not run */
	struct certify_blkcover *cover;	/* this batch's checked extents */
	size_t ncover;
};

/* Parses the keys of a `blkwrite` record. 0, or -1 when one is missing or malformed. */
int certify_blkwrite_parse(const char *dev, const char *lba, const char *blocks,
			   const char *block_size, const char *seed, struct certify_blkwrite *w);
/* The optional `base` key of a VM disk's record: the window's first block (NULL: 0).
 * 0, or -1 when malformed. */
int certify_blkwrite_base(const char *base, struct certify_blkwrite *w);
/* The optional `gen` key: the write's generation (NULL: 0). 0, or -1 when malformed. */
int certify_blkwrite_gen(const char *gen, struct certify_blkwrite *w);

/*
 * Checks extent w against image file path (block lba of w at base + lba of the image);
 * adds to v. A batch of writes is checked newest first: blocks a write checked earlier in
 * the batch covers were overwritten by it and are skipped here (only the last write of a
 * block is in the image). Returns the number of bad blocks, or -1 when the image cannot be
 * read (a problem line says why).
 */
long certify_blkverify_extent(const char *path, const struct certify_blkwrite *w,
			      struct certify_blkverify *v);

/* Starts a new batch: what earlier extents covered is forgotten (they were checked against
 * the image as it was then). */
void certify_blkverify_batch(struct certify_blkverify *v);

/* Frees what v holds (problems and the batch's extents). */
void certify_blkverify_free(struct certify_blkverify *v);

/* The host check image.verify from what was verified: not run when the image could not be
 * read, else ok only when blocks were checked and none was wrong. */
void certify_blkverify_check(const struct certify_blkverify *v, struct certify_hostcheck *c);

#endif
