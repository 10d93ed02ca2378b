/*
 * The block test pattern: what every block the storage tests write holds, so that whoever
 * reads it back (the kernel's storage suite, the VM disk tests, the guest test OS, certify
 * reading the disk image on the host) can tell a good block from a corrupted, misdirected,
 * stale or never-written one. This file is the one definition; freestanding, compiled into
 * the kernel, the 32-bit guest test OS and the host tools.
 *
 * One block (block_size >= BLKPAT_HDR_BYTES), integers little-endian:
 *   bytes 0..7    the block's LBA on the device that was written
 *   bytes 8..15   the key's seed (one per run: blk.seed=, vmm.seed=)
 *   bytes 16..23  the key's write generation (the storage suite gives every write its own,
 *                 so a rewrite differs from the first write and a lost one shows)
 *   byte i >= 24  (uint8_t)(lba * 31 + seed + gen * 7 + i)
 */
#ifndef LIB_BLKPAT_H
#define LIB_BLKPAT_H

#include <stddef.h>
#include <stdint.h>

#define BLKPAT_LBA_OFF		0
#define BLKPAT_SEED_OFF		8
#define BLKPAT_GEN_OFF		16
#define BLKPAT_HDR_BYTES	24

/* What tells one run's writes from another's (seed), and one write of a block from another
 * write of it in the same run (gen; 0 for writers that write each block once). */
struct blkpat_key {
	uint64_t seed;
	uint64_t gen;
};

/* How a block read back compares with what the key says it must hold. */
enum blkpat_state {
	BLKPAT_OK,		/* exactly the pattern */
	BLKPAT_ZEROS,		/* all zeros: the write never reached the medium */
	BLKPAT_CORRUPT,		/* right LBA and seed, wrong data */
	BLKPAT_MISPLACED,	/* another block's header: a misdirected or stale write */
	BLKPAT_STALE,		/* right LBA, another seed: data from another run */
	BLKPAT_OLDGEN,		/* right LBA and seed, another generation: a lost rewrite */
};

/* Fills n blocks of block_size bytes at buf with the pattern of blocks lba..lba+n-1. */
void blkpat_fill(uint8_t *buf, uint32_t block_size, uint64_t lba, uint32_t n,
		 const struct blkpat_key *k);

/* Classifies one block that should hold block lba's pattern. */
enum blkpat_state blkpat_check(const uint8_t *block, uint32_t block_size, uint64_t lba,
			       const struct blkpat_key *k);

/* Index of the first of n blocks at buf (blocks lba..) that is not BLKPAT_OK, or -1. */
long blkpat_first_bad(const uint8_t *buf, uint32_t block_size, uint64_t lba, uint32_t n,
		      const struct blkpat_key *k);

/* A phrase for a state, e.g. "a corrupted pattern"; for the host's one-line reasons. */
const char *blkpat_state_text(enum blkpat_state s);

#endif
