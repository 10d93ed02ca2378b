/*
 * The storage suite's data (test=blk): every block it writes holds the block pattern
 * (lib/blkpat.h) of its LBA, the run's seed (blk.seed=) and a write generation of its own,
 * and every write the device acknowledged is reported for the host's image check.
 */
#ifndef HVK_TESTS_BLKGEN_H
#define HVK_TESTS_BLKGEN_H

#include <stdint.h>

#include <hv/blkdev.h>
#include <lib/blkpat.h>

/* The pattern's key of this run; gen is not used (each write takes its own). */
extern struct blkpat_key blk_key;

/* xorshift64: the suite's random numbers, reproducible from blk.seed=. */
uint64_t blk_rand(uint64_t *s);

/* Fills buf with the pattern of n blocks at lba under a new generation; returns it. */
uint64_t blk_fill_new(const struct hv_blkdev *bd, void *buf, uint64_t lba, uint32_t n);

/* The first of n blocks at buf (blocks lba..) not holding generation gen's pattern, or -1. */
long blk_first_bad(const struct hv_blkdev *bd, const void *buf, uint64_t lba, uint32_t n,
		   uint64_t gen);

/* Does [lba, lba + n) cover the 512-byte sector `sector` (UINT64_MAX: none)? */
int blk_covers(const struct hv_blkdev *bd, uint64_t lba, uint32_t n, uint64_t sector);

/* A `blkwrite` record: the device acknowledged this write (host check image.verify). */
void blk_report_write(const struct hv_blkdev *bd, uint64_t lba, uint64_t n, uint64_t gen);

#endif
