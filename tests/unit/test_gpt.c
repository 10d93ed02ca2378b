/* Tests for lib/gpt: GPT header and entry validation, the backup fallback, CRC-32, GUIDs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/gpt.h>
#include "unit.h"

/* An in-memory disk with an optional failing LBA. */
struct memdisk {
	uint8_t *data;
	uint32_t bs;
	uint64_t nblocks;
	uint64_t bad_lba;	/* reads covering it fail; ~0 for none */
	unsigned reads;
};

static int memdisk_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	struct memdisk *m = ctx;

	m->reads++;
	if (lba >= m->nblocks || n > m->nblocks - lba)
		return -HV_ERANGE;
	if (m->bad_lba >= lba && m->bad_lba < lba + n)
		return -HV_EIO;
	memcpy(buf, m->data + lba * m->bs, (size_t)n * m->bs);
	return 0;
}

/* What mkdisk writes; tests change fields between gpt_layout_default and mkdisk_encode. */
struct layout {
	struct gpt_header h;
	struct gpt_part parts[4];
	int nparts;
	uint64_t entries_lba_backup;
};

static const uint8_t type_linux[16] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
};

static void layout_default(struct layout *l, uint32_t bs, uint64_t nblocks)
{
	uint64_t arr = (128 * 128 + bs - 1) / bs;

	memset(l, 0, sizeof(*l));
	l->h.revision = GPT_REVISION;
	l->h.header_size = GPT_HEADER_SIZE;
	l->h.my_lba = 1;
	l->h.alternate_lba = nblocks - 1;
	l->h.first_usable = 2 + arr;
	l->h.last_usable = nblocks - 2 - arr;
	for (int i = 0; i < 16; i++)
		l->h.disk_guid[i] = (uint8_t)(0xa0 + i);
	l->h.entries_lba = 2;
	l->h.num_entries = 128;
	l->h.entry_size = 128;
	l->entries_lba_backup = nblocks - 1 - arr;
	l->nparts = 2;
	for (int i = 0; i < 2; i++) {
		memcpy(l->parts[i].type_guid, type_linux, 16);
		for (int k = 0; k < 16; k++)
			l->parts[i].unique_guid[k] = (uint8_t)(i * 16 + k);
		snprintf(l->parts[i].name, sizeof(l->parts[i].name), "part%d", i + 1);
	}
	uint64_t mib = (1u << 20) / bs;
	l->parts[0].first_lba = mib, l->parts[0].last_lba = 2 * mib - 1;
	l->parts[1].first_lba = 2 * mib, l->parts[1].last_lba = 4 * mib - 1;
}

/* Writes protective MBR, primary and backup of l onto m (entry i of the array is part i). */
static void mkdisk_encode(struct memdisk *m, const struct layout *l)
{
	size_t arr_bytes = (size_t)l->h.num_entries * l->h.entry_size;
	uint8_t *arr = calloc(1, arr_bytes + m->bs);
	struct gpt_header h = l->h;

	for (int i = 0; i < l->nparts; i++)
		gpt_part_encode(&l->parts[i], arr + (size_t)i * l->h.entry_size);
	uint64_t total = m->nblocks * m->bs;
	h.entries_crc = gpt_crc32(0, arr, arr_bytes);
	/* Layouts that point off the disk are written only as far as the disk goes. */
	if (h.entries_lba * m->bs + arr_bytes <= total)
		memcpy(m->data + h.entries_lba * m->bs, arr, arr_bytes);
	gpt_header_encode(&h, m->data + h.my_lba * m->bs);
	h.my_lba = l->h.alternate_lba;
	h.alternate_lba = l->h.my_lba;
	h.entries_lba = l->entries_lba_backup;
	if (h.entries_lba * m->bs + arr_bytes <= total)
		memcpy(m->data + h.entries_lba * m->bs, arr, arr_bytes);
	if (h.my_lba < m->nblocks)
		gpt_header_encode(&h, m->data + h.my_lba * m->bs);
	uint8_t *mbr = m->data;
	mbr[446 + 4] = 0xee;
	gpt_put_le32(mbr + 446 + 8, 1);
	gpt_put_le32(mbr + 446 + 12, (uint32_t)(m->nblocks - 1));
	mbr[510] = 0x55, mbr[511] = 0xaa;
	free(arr);
}

static void memdisk_init(struct memdisk *m, uint32_t bs, uint64_t nblocks)
{
	m->bs = bs;
	m->nblocks = nblocks;
	m->data = calloc(nblocks + 8, bs);	/* slack: oversized headers are encoded whole */
	m->bad_lba = ~0ull;
	m->reads = 0;
}

static uint8_t *scan_scratch;

static int scan(struct memdisk *m, struct gpt_table *t)
{
	struct gpt_disk d = { m->bs, m->nblocks, memdisk_read, m, scan_scratch, GPT_SCRATCH_BYTES(4096) };

	return gpt_scan(&d, t);
}

static int suite_init(void)
{
	scan_scratch = malloc(GPT_SCRATCH_BYTES(4096));
	return scan_scratch ? 0 : -1;
}

static int suite_clean(void)
{
	free(scan_scratch);
	return 0;
}

/* A default 8 MiB disk of 512-byte blocks, optionally changed by fix before encoding. */
static void default_disk(struct memdisk *m, struct layout *l, void (*fix)(struct layout *))
{
	memdisk_init(m, 512, 16384);
	layout_default(l, 512, 16384);
	if (fix)
		fix(l);
	mkdisk_encode(m, l);
}

static void test_gpt_crc32(void)
{
	CU_ASSERT_EQUAL(gpt_crc32(0, "123456789", 9), 0xcbf43926u);	/* the check value */
	CU_ASSERT_EQUAL(gpt_crc32(0, "", 0), 0);
	/* Chaining gives the same as one call. */
	CU_ASSERT_EQUAL(gpt_crc32(gpt_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void test_gpt_guid_str(void)
{
	/* EFI System Partition C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored. */
	static const uint8_t esp[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
					 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };
	char s[GPT_GUID_STR];

	gpt_guid_str(esp, s);
	CU_ASSERT_STRING_EQUAL(s, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
	gpt_guid_str(type_linux, s);
	CU_ASSERT_STRING_EQUAL(s, "0fc63daf-8483-4772-8e79-3d69d8477de4");
}

static void test_gpt_valid(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;
	struct gpt_part p;

	default_disk(&m, &l, NULL);
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_PRIMARY);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_PROTECTIVE);
	CU_ASSERT_EQUAL(t.nused, 2);
	CU_ASSERT_EQUAL(t.hdr.first_usable, 34);
	CU_ASSERT_EQUAL(t.hdr.last_usable, 16384 - 34);
	CU_ASSERT_STRING_EQUAL(t.primary_err, "");
	CU_ASSERT_STRING_EQUAL(t.backup_err, "");
	CU_ASSERT_EQUAL(m.reads, 3);	/* MBR, header, array: the backup is not read */
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_EQUAL(p.index, 1);
	CU_ASSERT_EQUAL(p.first_lba, 2048);
	CU_ASSERT_EQUAL(p.last_lba, 4095);
	CU_ASSERT_STRING_EQUAL(p.name, "part1");
	CU_ASSERT_EQUAL(memcmp(p.type_guid, type_linux, 16), 0);
	CU_ASSERT_EQUAL(p.unique_guid[15], 15);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 1, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 4096);
	CU_ASSERT_EQUAL(p.last_lba, 8191);
	CU_ASSERT_EQUAL(p.unique_guid[0], 16);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 2, &p), 0);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 127, &p), 0);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 128, &p), -HV_ERANGE);
	free(m.data);
}

static void test_gpt_bad_header_crc(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, NULL);
	m.data[512 + 40] ^= 1;	/* FirstUsableLBA, the CRC not updated */
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "header CRC"));
	CU_ASSERT_EQUAL(t.hdr.my_lba, 16383);
	CU_ASSERT_EQUAL(t.hdr.first_usable, 34);
	CU_ASSERT_EQUAL(t.nused, 2);
	/* The CRC field itself changed: also refused. */
	free(m.data);
	default_disk(&m, &l, NULL);
	m.data[512 + 16] ^= 0x80;
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	free(m.data);
}

static void test_gpt_bad_entries_crc(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;
	struct gpt_part p;

	default_disk(&m, &l, NULL);
	m.data[2 * 512 + 56] ^= 0x20;	/* entry 1's name in the primary array */
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "entry array CRC"));
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_STRING_EQUAL(p.name, "part1");	/* from the backup's array */
	free(m.data);
}

static void test_gpt_both_bad(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, NULL);
	m.data[512 + 40] ^= 1;
	m.data[16383 * 512 + 40] ^= 1;
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.source, GPT_NONE);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_PROTECTIVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "header CRC"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.backup_err, "header CRC"));
	free(m.data);
}

static void test_gpt_blank_and_mbr(void)
{
	struct memdisk m;
	struct gpt_table t;

	memdisk_init(&m, 512, 2048);
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_NONE);
	CU_ASSERT_STRING_EQUAL(t.primary_err, "no \"EFI PART\" signature");
	CU_ASSERT_STRING_EQUAL(t.backup_err, "no \"EFI PART\" signature");
	/* A classic MBR with one Linux partition and no GPT. */
	m.data[446 + 4] = 0x83;
	m.data[510] = 0x55, m.data[511] = 0xaa;
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_LEGACY);
	/* A protective MBR alone. */
	m.data[446 + 16 + 4] = 0xee;
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_PROTECTIVE);
	memset(m.data + 446, 0, 64);
	CU_ASSERT_EQUAL(gpt_mbr_kind(m.data), GPT_MBR_EMPTY);
	CU_ASSERT_STRING_EQUAL(gpt_mbr_name(GPT_MBR_LEGACY), "MBR partition table");
	free(m.data);
}

static void fix_overlap(struct layout *l)
{
	l->parts[1].first_lba = l->parts[0].last_lba;	/* one block shared */
}

static void fix_out_of_range(struct layout *l)
{
	l->parts[1].last_lba = l->h.last_usable + 1;
}

static void fix_below_usable(struct layout *l)
{
	l->parts[0].first_lba = l->h.first_usable - 1;
}

static void fix_reversed(struct layout *l)
{
	l->parts[0].first_lba = l->parts[0].last_lba + 1;
}

/* Both copies carry the defect; with primary_only, only the primary's layout is wrong and
 * the backup is used. */
static void check_refused_how(void (*fix)(struct layout *), const char *why, int primary_only)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, fix);
	if (primary_only) {
		CU_ASSERT_EQUAL(scan(&m, &t), 0);
		CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	} else {
		CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
		CU_ASSERT_PTR_NOT_NULL(strstr(t.backup_err, why));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, why));
	if (!strstr(t.primary_err, why))
		fprintf(stderr, "\n  expected '%s', got '%s'\n", why, t.primary_err);
	free(m.data);
}

static void check_refused(void (*fix)(struct layout *), const char *why)
{
	check_refused_how(fix, why, 0);
}

static void test_gpt_bad_entries(void)
{
	check_refused(fix_overlap, "entries 1 and 2 overlap");
	check_refused(fix_out_of_range, "entry 2: LBA");
	check_refused(fix_below_usable, "entry 1: LBA");
	check_refused(fix_reversed, "entry 1: LBA");
}

static void fix_entry_size_64(struct layout *l) { l->h.entry_size = 64; }
static void fix_entry_size_192(struct layout *l) { l->h.entry_size = 192; l->h.num_entries = 64; }
static void fix_entries_0(struct layout *l) { l->h.num_entries = 0; l->nparts = 0; }
static void fix_entries_many(struct layout *l) { l->h.num_entries = 2048; l->nparts = 0; }
static void fix_revision(struct layout *l) { l->h.revision = 0x00020000; }
static void fix_header_small(struct layout *l) { l->h.header_size = 91; }
static void fix_header_big(struct layout *l) { l->h.header_size = 513; }
static void fix_usable_low(struct layout *l) { l->h.first_usable = 1; }
static void fix_usable_high(struct layout *l) { l->h.last_usable = 16383; }
static void fix_array_in_usable(struct layout *l) { l->h.first_usable = 20; }
static void fix_alternate(struct layout *l) { l->h.alternate_lba = 16384; }

static void test_gpt_bad_headers(void)
{
	check_refused(fix_entry_size_64, "entry size 64");
	check_refused(fix_entry_size_192, "entry size 192");
	check_refused(fix_entries_0, "0 entries");
	check_refused(fix_entries_many, "2048 entries");
	check_refused(fix_revision, "revision 0x00020000");
	check_refused(fix_header_small, "header size 91");
	check_refused(fix_header_big, "header size 513");
	check_refused(fix_usable_low, "usable range");
	check_refused(fix_usable_high, "usable range");
	check_refused_how(fix_array_in_usable, "overlaps the usable range", 1);
}

static void test_gpt_alternate_beyond(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, fix_alternate);
	/* The primary names an alternate past the end (so does the backup header's MyLBA). */
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "alternate LBA 16384"));
	free(m.data);
}

static void test_gpt_entry_size_256(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;
	struct gpt_part p;

	memdisk_init(&m, 512, 16384);
	layout_default(&l, 512, 16384);
	l.h.entry_size = 256;	/* 128 * 2: allowed, the extra bytes are ignored */
	l.h.num_entries = 64;
	mkdisk_encode(&m, &l);
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.nused, 2);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 1, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 4096);
	free(m.data);
}

static void test_gpt_wrong_my_lba(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, NULL);
	/* The backup header, valid in itself, copied over the primary. */
	memcpy(m.data + 512, m.data + 16383 * 512, 512);
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "MyLBA 16383, read from LBA 1"));
	free(m.data);
}

static void test_gpt_truncated(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, NULL);
	m.nblocks = 8192;	/* the disk lost its second half: no backup, primary too big */
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "beyond the disk") || strstr(t.primary_err, "alternate LBA"));
	CU_ASSERT_STRING_EQUAL(t.backup_err, "no \"EFI PART\" signature");
	/* Too small for any GPT. */
	m.nblocks = 3;
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "too small"));
	free(m.data);
}

static void test_gpt_read_errors(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;

	default_disk(&m, &l, NULL);
	m.bad_lba = 1;
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "read of LBA 1 failed"));
	m.bad_lba = 5;	/* inside the primary array */
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "entry array"));
	m.bad_lba = 0;
	CU_ASSERT_EQUAL(scan(&m, &t), -HV_EIO);
	free(m.data);
}

static void test_gpt_4k_blocks(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;
	struct gpt_part p;

	memdisk_init(&m, 4096, 2048);
	layout_default(&l, 4096, 2048);
	mkdisk_encode(&m, &l);
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_PRIMARY);
	CU_ASSERT_EQUAL(t.hdr.first_usable, 6);	/* 16 KiB of entries in 4 blocks */
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 256);
	free(m.data);
}

static void test_gpt_bad_disk_args(void)
{
	struct gpt_table t;
	struct memdisk m;

	memdisk_init(&m, 512, 100);
	struct gpt_disk d = { 520, 100, memdisk_read, &m, scan_scratch, GPT_SCRATCH_BYTES(4096) };
	CU_ASSERT_EQUAL(gpt_scan(&d, &t), -HV_EINVAL);
	d.block_size = 512;
	d.scratch_len = 1024;
	CU_ASSERT_EQUAL(gpt_scan(&d, &t), -HV_EINVAL);
	free(m.data);
}

static void test_gpt_names(void)
{
	uint8_t e[128];
	struct gpt_part p;
	struct gpt_table t;
	struct memdisk m;
	struct layout l;

	default_disk(&m, &l, NULL);
	CU_ASSERT_EQUAL(scan(&m, &t), 0);
	memset(e, 0, sizeof(e));
	/* "é", a control character, a lone surrogate, U+20AC, then 'x' and the end. */
	static const uint16_t units[] = { 0xe9, 0x07, 0xd800, 0x20ac, 'x', 0 };
	uint8_t *arr = (uint8_t *)t.entries;
	memcpy(e, arr, 128);
	for (int i = 0; i < 6; i++) {
		arr[56 + 2 * i] = (uint8_t)units[i];
		arr[57 + 2 * i] = (uint8_t)(units[i] >> 8);
	}
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_STRING_EQUAL(p.name, "\xc3\xa9??\xe2\x82\xacx");
	/* All 36 units used: no terminator in the field. */
	for (int i = 0; i < 36; i++)
		arr[56 + 2 * i] = 'a', arr[57 + 2 * i] = 0;
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_EQUAL(strlen(p.name), 36);
	memcpy(arr, e, 128);
	free(m.data);
}

/* Random byte changes in the table areas never crash the parser, and whatever it accepts
 * stays inside the disk. */
static void test_gpt_mutations(void)
{
	struct memdisk m;
	struct layout l;
	struct gpt_table t;
	struct gpt_part p;
	uint64_t rng = unit_seed();
	uint8_t *orig;

	default_disk(&m, &l, NULL);
	orig = malloc(16384 * 512);
	memcpy(orig, m.data, 16384 * 512);
	for (int round = 0; round < 3000; round++) {
		memcpy(m.data, orig, 34 * 512);
		memcpy(m.data + 16351 * 512, orig + 16351 * 512, 33 * 512);
		int n = 1 + (int)(unit_rand(&rng) % 4);
		for (int k = 0; k < n; k++) {
			uint64_t r = unit_rand(&rng);
			uint64_t off = r % 2 ? (r >> 8) % (34 * 512) : 16351 * 512 + (r >> 8) % (33 * 512);
			m.data[off] = (uint8_t)(r >> 40);
		}
		if (scan(&m, &t) != 0)
			continue;
		for (uint32_t i = 0; i < t.hdr.num_entries; i++)
			if (gpt_part_get(&t, i, &p) == 1)
				CU_ASSERT(p.first_lba >= t.hdr.first_usable && p.last_lba <= t.hdr.last_usable &&
					  p.last_lba < m.nblocks);
	}
	free(orig);
	free(m.data);
}

UNIT_SUITE(gpt_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_gpt_crc32),
		UNIT_TEST(test_gpt_guid_str),
		UNIT_TEST(test_gpt_valid),
		UNIT_TEST(test_gpt_bad_header_crc),
		UNIT_TEST(test_gpt_bad_entries_crc),
		UNIT_TEST(test_gpt_both_bad),
		UNIT_TEST(test_gpt_blank_and_mbr),
		UNIT_TEST(test_gpt_bad_entries),
		UNIT_TEST(test_gpt_bad_headers),
		UNIT_TEST(test_gpt_alternate_beyond),
		UNIT_TEST(test_gpt_entry_size_256),
		UNIT_TEST(test_gpt_wrong_my_lba),
		UNIT_TEST(test_gpt_truncated),
		UNIT_TEST(test_gpt_read_errors),
		UNIT_TEST(test_gpt_4k_blocks),
		UNIT_TEST(test_gpt_bad_disk_args),
		UNIT_TEST(test_gpt_names),
		UNIT_TEST(test_gpt_mutations),
		UNIT_TEST_END
	};
	unit_add_suite("gpt", suite_init, suite_clean, tests);
}
