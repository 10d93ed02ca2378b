/* Host-side image verification (certify/blkverify.c): a correct image passes, and a
 * corrupted, misdirected or stale block is found and named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include <lib/blkpat.h>

#include "../../certify/blkverify.h"
#include "unit.h"

static char bv_path[64];

/* An image of 64 blocks of 512 bytes holding blocks 0..63 as the kernel writes them. */
static void bv_make_image(uint64_t seed)
{
	const struct blkpat_key k = { .seed = seed };
	uint8_t b[512];
	snprintf(bv_path, sizeof(bv_path), "/tmp/bvtest.XXXXXX");
	int fd = mkstemp(bv_path);
	CU_ASSERT_FATAL(fd >= 0);
	for (uint64_t l = 0; l < 64; l++) {
		blkpat_fill(b, 512, l, 1, &k);
		CU_ASSERT(write(fd, b, 512) == 512);
	}
	close(fd);
}

static void bv_patch(uint64_t lba, const uint8_t *data, size_t len, size_t off)
{
	FILE *f = fopen(bv_path, "r+b");
	CU_ASSERT_FATAL(f != NULL);
	fseek(f, (long)(lba * 512 + off), SEEK_SET);
	fwrite(data, 1, len, f);
	fclose(f);
}

static void test_blkverify_cases(void)
{
	struct certify_blkwrite w;
	struct certify_blkverify v;

	CU_ASSERT(certify_blkwrite_parse("vmhba0", "8", "16", "512", "99", &w) == 0);
	CU_ASSERT(certify_blkwrite_parse("vmhba0", "8", "16", "1000", "99", &w) < 0);
	CU_ASSERT(certify_blkwrite_parse("vmhba0", "x", "16", "512", "99", &w) < 0);
	CU_ASSERT(certify_blkwrite_parse(NULL, "8", "16", "512", "99", &w) < 0);

	bv_make_image(99);
	memset(&v, 0, sizeof(v));
	certify_blkwrite_parse("vmhba0", "8", "16", "512", "99", &w);
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 0);
	CU_ASSERT(v.blocks == 16 && v.bad_blocks == 0 && v.problems.n == 0);
	certify_blkverify_free(&v);

	/* A flipped byte in block 10, block 12 holding block 40's data, a stale seed at 14. */
	const struct blkpat_key k99 = { .seed = 99 }, k98 = { .seed = 98 };
	uint8_t x = 0xee, other[512], stale[512];
	bv_patch(10, &x, 1, 100);
	blkpat_fill(other, 512, 40, 1, &k99);
	bv_patch(12, other, 512, 0);
	blkpat_fill(stale, 512, 14, 1, &k98);
	bv_patch(14, stale, 512, 0);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 3);
	CU_ASSERT(v.problems.n == 3);
	if (v.problems.n == 3) {
		CU_ASSERT(strstr(v.problems.v[0], "block 10") && strstr(v.problems.v[0], "corrupted"));
		CU_ASSERT(strstr(v.problems.v[1], "block 12") && strstr(v.problems.v[1], "misdirected"));
		CU_ASSERT(strstr(v.problems.v[2], "block 14") && strstr(v.problems.v[2], "stale"));
	}
	certify_blkverify_free(&v);

	/* Past the end of the image, and a missing image. */
	certify_blkwrite_parse("vmhba0", "60", "8", "512", "99", &w);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 4);
	certify_blkverify_free(&v);
	unlink(bv_path);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == -1);
	CU_ASSERT(v.problems.n == 1);
	certify_blkverify_free(&v);
}

/* A VM's disk window: the guest tagged its blocks with its own LBAs (0..), which sit at
 * base.. of the image. */
static void test_blkverify_window(void)
{
	struct certify_blkwrite w;
	struct certify_blkverify v;
	const struct blkpat_key k = { .seed = 7 };
	uint8_t b[512];

	snprintf(bv_path, sizeof(bv_path), "/tmp/bvtest.XXXXXX");
	int fd = mkstemp(bv_path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(ftruncate(fd, 64 * 512) == 0);
	close(fd);
	for (uint64_t l = 0; l < 8; l++) {
		blkpat_fill(b, 512, l, 1, &k);
		bv_patch(32 + l, b, 512, 0);
	}
	CU_ASSERT(certify_blkwrite_parse("vmhba0", "0", "8", "512", "7", &w) == 0);
	CU_ASSERT(certify_blkwrite_base(NULL, &w) == 0 && w.base == 0);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 8);	/* without the window: zeros */
	CU_ASSERT(v.problems.n && strstr(v.problems.v[0], "zeros"));
	certify_blkverify_free(&v);
	CU_ASSERT(certify_blkwrite_base("32", &w) == 0 && w.base == 32);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 0);
	CU_ASSERT(v.blocks == 8 && v.problems.n == 0);
	certify_blkverify_free(&v);
	/* The write of guest LBA 3 was lost: named by its place in the image and its LBA. */
	memset(b, 0, sizeof(b));
	bv_patch(35, b, 512, 0);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w, &v) == 1);
	CU_ASSERT(v.problems.n == 1 && strstr(v.problems.v[0], "block 35 (vmhba0 LBA 3) holds zeros"));
	certify_blkverify_free(&v);
	CU_ASSERT(certify_blkwrite_base("x", &w) < 0);
	CU_ASSERT(certify_blkwrite_base("18446744073709551615", &w) < 0);
	unlink(bv_path);
}

/*
 * Writes of one batch that overlap, each with its own generation: checked newest first,
 * a block holds its last write, and the first write's blocks under the rewrite are not
 * held against it; a lost rewrite (the first generation still there) is found and named.
 */
static void test_blkverify_generations(void)
{
	const struct blkpat_key g1 = { .seed = 7, .gen = 1 }, g2 = { .seed = 7, .gen = 2 };
	struct certify_blkwrite w[2];
	struct certify_blkverify v;
	uint8_t b[2 * 512];

	bv_make_image(7);
	blkpat_fill(b, 512, 8, 2, &g1);		/* the first write: blocks 8 and 9, gen 1 */
	bv_patch(8, b, sizeof(b), 0);
	blkpat_fill(b, 512, 9, 1, &g2);		/* the rewrite of block 9, gen 2 */
	bv_patch(9, b, 512, 0);
	CU_ASSERT(certify_blkwrite_parse("vmhba0", "8", "2", "512", "7", &w[0]) == 0);
	CU_ASSERT(certify_blkwrite_gen("1", &w[0]) == 0 && w[0].gen == 1);
	CU_ASSERT(certify_blkwrite_parse("vmhba0", "9", "1", "512", "7", &w[1]) == 0);
	CU_ASSERT(certify_blkwrite_gen("2", &w[1]) == 0);
	CU_ASSERT(certify_blkwrite_gen(NULL, &w[1]) == 0 && w[1].gen == 0);
	CU_ASSERT(certify_blkwrite_gen("2x", &w[1]) < 0);
	w[1].gen = 2;
	memset(&v, 0, sizeof(v));
	certify_blkverify_batch(&v);
	CU_ASSERT(certify_blkverify_extent(bv_path, &w[1], &v) == 0);
	CU_ASSERT(certify_blkverify_extent(bv_path, &w[0], &v) == 0);	/* block 9 skipped */
	CU_ASSERT(v.blocks == 2 && v.bad_blocks == 0);
	/* Oldest first would hold the rewrite against the first write: a new batch does. */
	certify_blkverify_batch(&v);
	CU_ASSERT(certify_blkverify_extent(bv_path, &w[0], &v) == 1);
	certify_blkverify_free(&v);
	/* The rewrite was lost: block 9 still holds generation 1. */
	blkpat_fill(b, 512, 9, 1, &g1);
	bv_patch(9, b, 512, 0);
	memset(&v, 0, sizeof(v));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w[1], &v) == 1);
	CU_ASSERT(v.problems.n == 1 && strstr(v.problems.v[0], "block 9 (vmhba0 LBA 9) holds another "
					      "write generation of the block (a lost or reordered rewrite)"));
	CU_ASSERT(certify_blkverify_extent(bv_path, &w[0], &v) == 0);
	certify_blkverify_free(&v);
	unlink(bv_path);
}

UNIT_SUITE(certify_blkverify)
{
	CU_pSuite s = CU_add_suite("certify_blkverify", NULL, NULL);
	CU_add_test(s, "blkverify generations", test_blkverify_generations);
	CU_add_test(s, "blkverify cases", test_blkverify_cases);
	CU_add_test(s, "blkverify window", test_blkverify_window);
}
