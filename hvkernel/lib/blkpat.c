/* The block test pattern (lib/blkpat.h). Byte by byte, so it needs no libc and reads the
 * same on the 64-bit kernel and host and the 32-bit guest. */
#include <lib/blkpat.h>

static void blkpat_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t blkpat_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Byte i of block lba's data; only the low 8 bits of lba, seed and gen matter. */
static uint8_t blkpat_byte(uint64_t lba, const struct blkpat_key *k, uint32_t i)
{
	return (uint8_t)((uint32_t)lba * 31u + (uint32_t)k->seed + (uint32_t)k->gen * 7u + i);
}

void blkpat_fill(uint8_t *buf, uint32_t block_size, uint64_t lba, uint32_t n,
		 const struct blkpat_key *k)
{
	for (uint32_t b = 0; b < n; b++, buf += block_size) {
		uint64_t l = lba + b;

		blkpat_put64(buf + BLKPAT_LBA_OFF, l);
		blkpat_put64(buf + BLKPAT_SEED_OFF, k->seed);
		blkpat_put64(buf + BLKPAT_GEN_OFF, k->gen);
		for (uint32_t i = BLKPAT_HDR_BYTES; i < block_size; i++)
			buf[i] = blkpat_byte(l, k, i);
	}
}

static int blkpat_data_ok(const uint8_t *p, uint32_t block_size, uint64_t lba,
			  const struct blkpat_key *k)
{
	for (uint32_t i = BLKPAT_HDR_BYTES; i < block_size; i++)
		if (p[i] != blkpat_byte(lba, k, i))
			return 0;
	return 1;
}

enum blkpat_state blkpat_check(const uint8_t *p, uint32_t block_size, uint64_t lba,
			       const struct blkpat_key *k)
{
	uint64_t got_lba = blkpat_get64(p + BLKPAT_LBA_OFF);
	uint64_t got_seed = blkpat_get64(p + BLKPAT_SEED_OFF);
	uint64_t got_gen = blkpat_get64(p + BLKPAT_GEN_OFF);
	uint32_t z = 0;

	if (got_lba == lba && got_seed == k->seed && got_gen == k->gen &&
	    blkpat_data_ok(p, block_size, lba, k))
		return BLKPAT_OK;
	while (z < block_size && p[z] == 0)
		z++;
	if (z == block_size)
		return BLKPAT_ZEROS;
	if (got_lba == lba && got_seed == k->seed && got_gen != k->gen) {
		const struct blkpat_key other = { .seed = k->seed, .gen = got_gen };

		/* Intact data of another generation: that write, not this one, is there. */
		return blkpat_data_ok(p, block_size, lba, &other) ? BLKPAT_OLDGEN : BLKPAT_CORRUPT;
	}
	if (got_lba == lba && got_seed == k->seed)
		return BLKPAT_CORRUPT;
	return got_lba != lba ? BLKPAT_MISPLACED : BLKPAT_STALE;
}

long blkpat_first_bad(const uint8_t *buf, uint32_t block_size, uint64_t lba, uint32_t n,
		      const struct blkpat_key *k)
{
	for (uint32_t b = 0; b < n; b++, buf += block_size)
		if (blkpat_check(buf, block_size, lba + b, k) != BLKPAT_OK)
			return (long)b;
	return -1;
}

const char *blkpat_state_text(enum blkpat_state s)
{
	switch (s) {
	case BLKPAT_OK:
		return "the expected pattern";
	case BLKPAT_ZEROS:
		return "zeros (the write never reached the image)";
	case BLKPAT_CORRUPT:
		return "a corrupted pattern";
	case BLKPAT_MISPLACED:
		return "another block's data (misdirected or stale write)";
	case BLKPAT_STALE:
		return "data from another run (stale)";
	case BLKPAT_OLDGEN:
		return "another write generation of the block (a lost or reordered rewrite)";
	}
	return "?";
}
