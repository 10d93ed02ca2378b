/* The NIC test frame (lib/nicframe.c): both forms against bytes worked out by hand from the
 * layout in lib/nicframe.h and RFC 791 (not by the function under test), damage anywhere
 * caught, foreign frames told apart, and the order tracker. */
#include <string.h>
#include <CUnit/CUnit.h>

#include <lib/nicframe.h>
#include "unit.h"

static const struct nicframe_ends nf_ends = {
	.dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	.src = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe },
	.ip_src = { 192, 0, 2, 1 },
	.ip_dst = { 192, 0, 2, 2 },
};

/*
 * Sequence 1, 60 bytes: EtherType 88b5, magic "NICT" (0x4e494354 little-endian), sequence,
 * checksum; byte i >= 26 is (1 * 7 + i) mod 256 = 0x21 at 26 up to 0x42 at 59. The checksum
 * is FNV-1a's step from 0x9e3779b9 over bytes 26..59, worked out separately: 0xc6bd82be.
 */
static void test_nicframe_plain_bytes(void)
{
	static const uint8_t head[28] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe,
		0x88, 0xb5, 0x54, 0x43, 0x49, 0x4e, 0x01, 0x00, 0x00, 0x00,
		0xbe, 0x82, 0xbd, 0xc6, 0x21, 0x22,
	};
	uint8_t f[60];

	CU_ASSERT_EQUAL(nicframe_build(f, &nf_ends, 1, 60), 60);
	CU_ASSERT(memcmp(f, head, sizeof(head)) == 0);
	CU_ASSERT_EQUAL(f[59], 0x42);
}

/*
 * The UDP form, sequence 2, 64 bytes, flow 3: IPv4 total length 50 (0x32), DF, TTL 64, UDP,
 * header checksum 0xb6b7 (RFC 791, summed by hand), 192.0.2.1 -> 192.0.2.2; UDP from port
 * 0xc003 to 0x88b5, length 30 (0x1e), checksum 0; the tag at 42, payload (2 * 7 + i) from 54:
 * 0x44; the tag checksum over bytes 54..63, worked out separately: 0xb3a317ce.
 */
static void test_nicframe_udp_bytes(void)
{
	static const uint8_t want[56] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x32, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb6, 0xb7,
		192, 0, 2, 1, 192, 0, 2, 2,
		0xc0, 0x03, 0x88, 0xb5, 0x00, 0x1e, 0x00, 0x00,
		0x54, 0x43, 0x49, 0x4e, 0x02, 0x00, 0x00, 0x00, 0xce, 0x17, 0xa3, 0xb3,
		0x44, 0x45,
	};
	uint8_t f[64];
	struct nicframe_info fi;

	CU_ASSERT_EQUAL(nicframe_build_udp(f, &nf_ends, 2, 64, 3), 64);
	CU_ASSERT(memcmp(f, want, sizeof(want)) == 0);
	CU_ASSERT_EQUAL(nicframe_check(f, 64, &fi), 1);
	CU_ASSERT(fi.seq == 2 && fi.flow == 3 && fi.tag_off == NICFRAME_UDP_TAG_OFF);
	/* Flows wrap at the mask: flow 0x4003 is port 0xc003 too. */
	nicframe_build_udp(f, &nf_ends, 2, 64, 0x4003);
	CU_ASSERT(f[34] == 0xc0 && f[35] == 0x03);
}

/* Every length of both forms passes its own check; one flipped bit anywhere after the tag,
 * or in the tag, is corrupt; other EtherTypes, protocols, ports and short frames are not
 * ours. */
static void test_nicframe_damage(void)
{
	uint8_t f[NICFRAME_MAX_STD];
	struct nicframe_info fi;

	for (size_t len = NICFRAME_MIN; len <= NICFRAME_MAX_STD; len += 97) {
		nicframe_build(f, &nf_ends, 1234, len);
		CU_ASSERT(nicframe_check(f, len, &fi) == 1 && fi.seq == 1234 && fi.flow == 0);
		f[len - 1] ^= 1;
		CU_ASSERT(nicframe_check(f, len, &fi) == -1);
		nicframe_build_udp(f, &nf_ends, 77, len, 5);
		CU_ASSERT(nicframe_check(f, len, &fi) == 1 && fi.seq == 77 && fi.flow == 5);
		f[NICFRAME_UDP_TAG_OFF + 8] ^= 0x80;	/* the checksum itself */
		CU_ASSERT(nicframe_check(f, len, &fi) == -1);
	}
	nicframe_build(f, &nf_ends, 1, 60);
	CU_ASSERT(nicframe_locate(f, 60, &fi) == 1);
	CU_ASSERT(nicframe_check(f, 25, &fi) == 0);	/* shorter than the tag */
	f[13] = 0x00;					/* another EtherType */
	CU_ASSERT(nicframe_check(f, 60, &fi) == 0);
	nicframe_build(f, &nf_ends, 1, 60);
	f[NICFRAME_TAG_OFF] ^= 1;			/* not our magic */
	CU_ASSERT(nicframe_check(f, 60, &fi) == 0);
	nicframe_build_udp(f, &nf_ends, 1, 60, 0);
	f[37] ^= 1;					/* another destination port */
	CU_ASSERT(nicframe_check(f, 60, &fi) == 0);
	nicframe_build_udp(f, &nf_ends, 1, 60, 0);
	f[23] = 6;					/* TCP */
	CU_ASSERT(nicframe_check(f, 60, &fi) == 0);
	/* set_seq rewrites the sequence number and nothing else: the payload stays the one
	 * built for sequence 1 (the checksum covers the payload only). */
	nicframe_build(f, &nf_ends, 1, 60);
	nicframe_set_seq(f, 9);
	CU_ASSERT(nicframe_locate(f, 60, &fi) == 1 && fi.seq == 9);
	CU_ASSERT(f[59] == 0x42);
}

/* In order, a gap, a step back, a repeat; a stream not started takes its first number. */
static void test_nicframe_order(void)
{
	struct nicframe_order o = { 0 };

	CU_ASSERT(nicframe_order_step(&o, 500) == 1);	/* starts the stream */
	CU_ASSERT(nicframe_order_step(&o, 501) == 1);
	CU_ASSERT(nicframe_order_step(&o, 503) == 0);	/* 502 missing */
	CU_ASSERT(nicframe_order_step(&o, 504) == 1);
	CU_ASSERT(nicframe_order_step(&o, 502) == 0);	/* late */
	CU_ASSERT(nicframe_order_step(&o, 502) == 0);	/* again: expected 503 */
	nicframe_order_start(&o, 0);
	CU_ASSERT(nicframe_order_step(&o, 1) == 0);	/* 0 was expected */
	nicframe_order_start(&o, 0xffffffffu);
	CU_ASSERT(nicframe_order_step(&o, 0xffffffffu) == 1);
	CU_ASSERT(nicframe_order_step(&o, 0) == 1);	/* 32-bit wrap */
}

UNIT_SUITE(nicframe_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_nicframe_plain_bytes),
		UNIT_TEST(test_nicframe_udp_bytes),
		UNIT_TEST(test_nicframe_damage),
		UNIT_TEST(test_nicframe_order),
		UNIT_TEST_END
	};
	unit_add_suite("nicframe", NULL, NULL, tests);
}
