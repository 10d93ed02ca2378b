/* Tests for lib/sha256: FIPS 180-2 / NIST CAVS vectors, padding boundaries, split updates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lib/sha256.h>
#include "unit.h"

static const char *ts_hex(const void *data, size_t n)
{
	static char hex[SHA256_HEX_SIZE];
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(data, n, d);
	sha256_hex(d, hex);
	return hex;
}

static void test_sha256_nist_vectors(void)
{
	/* FIPS 180-2 appendix B.1, B.2 and the empty message. */
	CU_ASSERT_STRING_EQUAL(ts_hex("", 0),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CU_ASSERT_STRING_EQUAL(ts_hex("abc", 3),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CU_ASSERT_STRING_EQUAL(ts_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* FIPS 180-2 B.3 style long message: one million 'a'. */
	char *a = malloc(1000000);

	memset(a, 'a', 1000000);
	CU_ASSERT_STRING_EQUAL(ts_hex(a, 1000000),
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
	CU_ASSERT_STRING_EQUAL(ts_hex("The quick brown fox jumps over the lazy dog", 43),
		"d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
	/* 112-byte two-block message (FIPS 180-4 example for SHA-512 input, SHA-256 digest). */
	CU_ASSERT_STRING_EQUAL(ts_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
				      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112),
		"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* Lengths around the padding boundaries (55, 56, 63, 64, 65) hashed whole and byte by byte. */
static void test_sha256_split_updates(void)
{
	uint8_t msg[200], whole[32], parts[32];
	uint64_t seed = unit_seed() | 1;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(msg); n++) {
		struct sha256 s;
		size_t off = 0;

		sha256_digest(msg, n, whole);
		sha256_init(&s);
		while (off < n) {
			size_t k = unit_rand(&seed) % 70;

			if (k > n - off)
				k = n - off;
			sha256_update(&s, msg + off, k);
			off += k;
		}
		sha256_final(&s, parts);
		CU_ASSERT_EQUAL(memcmp(whole, parts, 32), 0);
	}
}

/* Against coreutils' sha256sum (always on Debian) for the boundary lengths: an independent
 * implementation, so the expected digests are not computed by the code under test. */
static void test_sha256_vs_coreutils(void)
{
	static const size_t lens[] = { 55, 56, 63, 64, 65, 119, 120, 128 };
	char cmd[128], line[128];
	uint8_t msg[128];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(0x41 + i % 26);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		FILE *p;

		snprintf(cmd, sizeof(cmd), "head -c %zu | sha256sum 2>/dev/null > /tmp/sha256-unit.%d.%zu",
			 lens[i], (int)getpid(), lens[i]);
		p = popen(cmd, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		fwrite(msg, 1, lens[i], p);
		CU_ASSERT_EQUAL_FATAL(pclose(p), 0);	/* sha256sum ran and succeeded */
		snprintf(cmd, sizeof(cmd), "/tmp/sha256-unit.%d.%zu", (int)getpid(), lens[i]);
		p = fopen(cmd, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), p));
		CU_ASSERT_EQUAL(strncmp(line, ts_hex(msg, lens[i]), 64), 0);
		fclose(p);
		remove(cmd);
	}
}

UNIT_SUITE(sha256_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_sha256_nist_vectors),
		UNIT_TEST(test_sha256_split_updates),
		UNIT_TEST(test_sha256_vs_coreutils),
		UNIT_TEST_END
	};
	unit_add_suite("sha256", NULL, NULL, tests);
}
