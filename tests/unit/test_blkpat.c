/* The block test pattern (lib/blkpat.c): its bytes against values worked out by hand from
 * the layout in lib/blkpat.h (not by the function under test), and every way a block read
 * back can be wrong told apart. */
#include <string.h>
#include <CUnit/CUnit.h>

#include <lib/blkpat.h>
#include "unit.h"

/*
 * LBA 0x0000000100000002, seed 0x1122334455667788 and generation 0, little-endian in
 * bytes 0..23; byte 24 is (0x02 * 31 + 0x88 + 24) mod 256 = (62 + 136 + 24) mod 256 = 0xde,
 * and each byte after it one more (mod 256): byte 100 is 0xde + 76 = 0x2a, byte 511 is
 * 0xde + 487 = 0xc5. Generation 0x103 adds 0x103 * 7 = 0x715 to each data byte (0x15 mod
 * 256): byte 24 becomes 0xf3.
 */
static void test_blkpat_bytes(void)
{
	static const uint8_t head[26] = {
		0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xde, 0xdf,
	};
	struct blkpat_key k = { .seed = 0x1122334455667788ull };
	uint8_t b[512];

	memset(b, 0xa5, sizeof(b));
	blkpat_fill(b, 512, 0x0000000100000002ull, 1, &k);
	CU_ASSERT(memcmp(b, head, sizeof(head)) == 0);
	CU_ASSERT_EQUAL(b[100], 0x2a);
	CU_ASSERT_EQUAL(b[255], 0xc5);
	CU_ASSERT_EQUAL(b[511], 0xc5);
	k.gen = 0x103;
	blkpat_fill(b, 512, 0x0000000100000002ull, 1, &k);
	CU_ASSERT(b[16] == 0x03 && b[17] == 0x01 && b[18] == 0);
	CU_ASSERT_EQUAL(b[24], 0xf3);
}

/* The guest's case: a 32-bit LBA and seed, generation 0. LBA 5, seed 0x5eed: byte 24 is
 * (5 * 31 + 0xed + 24) mod 256 = (155 + 237 + 24) mod 256 = 0xa0. */
static void test_blkpat_bytes_guest(void)
{
	static const uint8_t head[26] = {
		0x05, 0, 0, 0, 0, 0, 0, 0, 0xed, 0x5e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xa0, 0xa1,
	};
	const struct blkpat_key k = { .seed = 0x5eed };
	uint8_t b[2 * 512];

	blkpat_fill(b, 512, 4, 2, &k);		/* blocks 4 and 5: the second is LBA 5 */
	CU_ASSERT(memcmp(b + 512, head, sizeof(head)) == 0);
	CU_ASSERT_EQUAL(b[0], 0x04);
	CU_ASSERT_EQUAL(b[24], 0x81);		/* (4 * 31 + 0xed + 24) mod 256 = 385 - 256 */
}

/* Every state the host names: good, all zeros, one byte off, another block's data, another
 * run's data; first_bad finds the first of several. */
static void test_blkpat_states(void)
{
	const struct blkpat_key k = { .seed = 99 }, other = { .seed = 98 };
	static uint8_t b[4 * 4096], x[4096];

	blkpat_fill(b, 4096, 40, 4, &k);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(blkpat_check(b + i * 4096, 4096, 40 + (uint64_t)i, &k), BLKPAT_OK);
	CU_ASSERT_EQUAL(blkpat_first_bad(b, 4096, 40, 4, &k), -1);
	CU_ASSERT_EQUAL(blkpat_check(b, 4096, 41, &k), BLKPAT_MISPLACED);
	CU_ASSERT_EQUAL(blkpat_check(b, 4096, 40, &other), BLKPAT_STALE);
	memset(x, 0, sizeof(x));
	CU_ASSERT_EQUAL(blkpat_check(x, 4096, 40, &k), BLKPAT_ZEROS);
	b[2 * 4096 + 4095] ^= 0x10;		/* the last byte of block 42 */
	CU_ASSERT_EQUAL(blkpat_check(b + 2 * 4096, 4096, 42, &k), BLKPAT_CORRUPT);
	CU_ASSERT_EQUAL(blkpat_first_bad(b, 4096, 40, 4, &k), 2);
	b[4096 + 8] ^= 1;			/* block 41's seed */
	CU_ASSERT_EQUAL(blkpat_first_bad(b, 4096, 40, 4, &k), 1);
	CU_ASSERT(strstr(blkpat_state_text(BLKPAT_ZEROS), "never reached") != NULL);
	CU_ASSERT(strstr(blkpat_state_text(BLKPAT_CORRUPT), "corrupted") != NULL);
	CU_ASSERT(strstr(blkpat_state_text(BLKPAT_MISPLACED), "misdirected") != NULL);
	CU_ASSERT(strstr(blkpat_state_text(BLKPAT_STALE), "another run") != NULL);
	CU_ASSERT(strstr(blkpat_state_text(BLKPAT_OLDGEN), "lost or reordered rewrite") != NULL);
}

/* A rewrite with a new generation: the first write's data is told apart from the rewrite's
 * (a lost rewrite), and a rewrite's header over the first write's data is corruption. */
static void test_blkpat_generations(void)
{
	const struct blkpat_key g1 = { .seed = 5, .gen = 1 }, g2 = { .seed = 5, .gen = 2 };
	static uint8_t b[512], c[512];

	blkpat_fill(b, 512, 7, 1, &g1);
	blkpat_fill(c, 512, 7, 1, &g2);
	CU_ASSERT(memcmp(b + 24, c + 24, 512 - 24) != 0);	/* the data differs too */
	CU_ASSERT_EQUAL(blkpat_check(b, 512, 7, &g1), BLKPAT_OK);
	CU_ASSERT_EQUAL(blkpat_check(b, 512, 7, &g2), BLKPAT_OLDGEN);
	b[16] = 2;						/* g2's header, g1's data */
	CU_ASSERT_EQUAL(blkpat_check(b, 512, 7, &g2), BLKPAT_CORRUPT);
}

UNIT_SUITE(blkpat_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_blkpat_bytes),
		UNIT_TEST(test_blkpat_bytes_guest),
		UNIT_TEST(test_blkpat_states),
		UNIT_TEST(test_blkpat_generations),
		UNIT_TEST_END
	};
	unit_add_suite("blkpat", NULL, NULL, tests);
}
