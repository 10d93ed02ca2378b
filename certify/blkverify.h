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
	uint64_t base;		/* where LBA 0 is in the image, in blocks (a VM's disk window) */
};

struct certify_blkverify {
	uint64_t extents, blocks, bad_blocks;
	struct certify_strv problems;	/* one line each, the first few */
	int unreadable;			/* the image could not be read: the check did not run */
};

/* Parses the keys of a `blkwrite` record. 0, or -1 when one is missing or malformed. */
int certify_blkwrite_parse(const char *dev, const char *lba, const char *blocks,
			   const char *block_size, const char *seed, struct certify_blkwrite *w);
/* The optional `base` key of a VM disk's record: the window's first block (NULL: 0).
 * 0, or -1 when malformed. */
int certify_blkwrite_base(const char *base, struct certify_blkwrite *w);
/* Check extent w against image file path (block lba of w at base + lba of the image); adds to v. Returns the number of bad blocks, or
 * -1 when the image cannot be read (a problem line says why). */
long certify_blkverify_extent(const char *path, const struct certify_blkwrite *w,
			      struct certify_blkverify *v);

/* The host check image.verify from what was verified: not run when the image could not be
 * read, else ok only when blocks were checked and none was wrong. */
void certify_blkverify_check(const struct certify_blkverify *v, struct certify_hostcheck *c);

#endif
