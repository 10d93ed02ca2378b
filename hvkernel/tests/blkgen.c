/* The storage suite's data: the block pattern's key, write generations and the reports
 * of what was written (blkgen.h). */
#include <kern/hvr.h>
#include <lib/blkpat.h>

#include "blkgen.h"

/* The block test pattern of this run (blk.seed=): lib/blkpat.h. */
struct blkpat_key blk_key;

uint64_t blk_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The generation of the suite's last write: every write request gets the next one, so a
 * rewrite of a block differs from the write before it (lib/blkpat.h). */
static uint64_t blk_gen;

/* Fills buf with the pattern of n blocks at lba under a new generation; returns it. */
uint64_t blk_fill_new(const struct hv_blkdev *bd, void *buf, uint64_t lba, uint32_t n)
{
	const struct blkpat_key k = { .seed = blk_key.seed, .gen = ++blk_gen };

	blkpat_fill(buf, bd->block_size, lba, n, &k);
	return k.gen;
}

/* The first of n blocks at buf (blocks lba..) not holding generation gen's pattern, or -1. */
long blk_first_bad(const struct hv_blkdev *bd, const void *buf, uint64_t lba, uint32_t n,
			  uint64_t gen)
{
	const struct blkpat_key k = { .seed = blk_key.seed, .gen = gen };

	return blkpat_first_bad(buf, bd->block_size, lba, n, &k);
}

/* Does [lba, lba + n) cover the 512-byte sector `sector` (UINT64_MAX: none)? */
int blk_covers(const struct hv_blkdev *bd, uint64_t lba, uint32_t n, uint64_t sector)
{
	uint64_t spb = bd->block_size / 512;

	return sector != UINT64_MAX && sector / spb >= lba && sector / spb - lba < n;
}

/* Every write the device acknowledged, for the host to find in the image (image.verify). */
void blk_report_write(const struct hv_blkdev *bd, uint64_t lba, uint64_t n, uint64_t gen)
{
	hvr_begin("blkwrite");
	hvr_str("dev", bd->name);
	hvr_u64("lba", lba);
	hvr_u64("blocks", n);
	hvr_u64("block_size", bd->block_size);
	hvr_u64("seed", blk_key.seed);
	hvr_u64("gen", gen);
	hvr_end();
}
