/* Tests for certify/gptimg and `disks = NAME:SIZE:gpt=...`: what is written parses back
 * with the kernel's lib/gpt, at the documented places, and damaged as asked. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hv/errno.h>
#include <lib/gpt.h>
#include "../../certify/gptimg.h"
#include "../../certify/qemu.h"
#include "../../certify/tmpdir.h"
#include "unit.h"

struct filedisk {
	int fd;
	uint32_t bs;
};

static int filedisk_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	struct filedisk *f = ctx;
	size_t len = (size_t)n * f->bs;

	return pread(f->fd, buf, len, (off_t)(lba * f->bs)) == (ssize_t)len ? 0 : -HV_EIO;
}

/* Creates the disk spec'ed in a fresh temp dir the way a run does, scans it. */
static int scan_spec(const char *spec, struct gpt_table *t, uint8_t *scratch, uint64_t *bytes)
{
	struct qemu_config cfg;
	struct certify_err err;
	char dir[256], path[1024];
	struct qemu_paths paths = { dir, NULL, NULL, NULL };
	struct stat st;

	memset(&cfg, 0, sizeof(cfg));
	if (qemu_disk_parse(spec, &cfg.disks[0], &err) < 0)
		return -1000;
	cfg.ndisks = 1;
	if (certify_tmpdir_create(dir, sizeof(dir), &err) < 0)
		return -1001;
	int rc = certify_disks_create(&cfg, &paths, &err);
	if (rc < 0) {
		certify_tmpdir_remove(dir);
		return -1002;
	}
	qemu_disk_path(&cfg, &paths, cfg.disks[0].name, path, sizeof(path), &err);
	struct filedisk f = { open(path, O_RDONLY), 512 };
	fstat(f.fd, &st);
	*bytes = (uint64_t)st.st_size;
	struct gpt_disk d = { 512, (uint64_t)st.st_size / 512, filedisk_read, &f, scratch, GPT_SCRATCH_BYTES(512) };
	rc = gpt_scan(&d, t);
	close(f.fd);
	certify_tmpdir_remove(dir);
	return rc;
}

static void test_gptimg_parse_option(void)
{
	struct gptimg_layout l;
	struct certify_err err;

	memset(&l, 0, sizeof(l));
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=8M,16M", &l, &err), 0);
	CU_ASSERT_EQUAL(l.nparts, 2);
	CU_ASSERT_EQUAL(l.part_bytes[0], 8u << 20);
	CU_ASSERT_EQUAL(l.part_bytes[1], 16u << 20);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=512,4K", &l, &err), 0);
	CU_ASSERT_EQUAL(l.part_bytes[0], 512);
	CU_ASSERT_EQUAL(l.part_bytes[1], 4096);
	CU_ASSERT_EQUAL(gptimg_parse_option("damage=entries", &l, &err), 0);
	CU_ASSERT_EQUAL(l.damage, GPTIMG_DAMAGE_ENTRIES);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=", &l, &err), -1);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=8M,", &l, &err), -1);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=100", &l, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "multiples of 512"));
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=8X", &l, &err), -1);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=-1M", &l, &err), -1);
	CU_ASSERT_EQUAL(gptimg_parse_option("gpt=1M,1M,1M,1M,1M,1M,1M,1M,1M", &l, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more than 8"));
	CU_ASSERT_EQUAL(gptimg_parse_option("damage=some", &l, &err), -1);
	CU_ASSERT_EQUAL(gptimg_parse_option("mbr=1", &l, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown disk option"));
}

static void test_gptimg_disk_spec(void)
{
	struct qemu_disk d;
	struct certify_err err;

	CU_ASSERT_EQUAL(qemu_disk_parse("d0:64M:gpt=8M,16M:damage=primary", &d, &err), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "d0");
	CU_ASSERT_EQUAL(d.size, 64u << 20);
	CU_ASSERT_EQUAL(d.gpt.nparts, 2);
	CU_ASSERT_EQUAL(d.gpt.damage, GPTIMG_DAMAGE_PRIMARY);
	CU_ASSERT_EQUAL(qemu_disk_parse("d0:8M", &d, &err), 0);
	CU_ASSERT_EQUAL(d.gpt.nparts, 0);
	CU_ASSERT_EQUAL(qemu_disk_parse("d0:8M:", &d, &err), -1);
	CU_ASSERT_EQUAL(qemu_disk_parse("d0:8M:foo", &d, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "disk 'd0:8M:foo'"));
	CU_ASSERT_EQUAL(qemu_disk_parse("d0:8M:damage=both", &d, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs a gpt= layout"));
	CU_ASSERT_EQUAL(qemu_disk_parse("d0:8Mgpt=1M", &d, &err), -1);
}

static void test_gptimg_roundtrip(void)
{
	uint8_t *scratch = malloc(GPT_SCRATCH_BYTES(512));
	struct gpt_table t;
	struct gpt_part p;
	uint64_t bytes;
	char s[GPT_GUID_STR];

	CU_ASSERT_EQUAL(scan_spec("d0:64M:gpt=8M,16M", &t, scratch, &bytes), 0);
	CU_ASSERT_EQUAL(bytes, 64u << 20);	/* the table does not grow the image */
	CU_ASSERT_EQUAL(t.source, GPT_PRIMARY);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_PROTECTIVE);
	CU_ASSERT_EQUAL(t.nused, 2);
	CU_ASSERT_EQUAL(t.hdr.alternate_lba, 131071);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 0, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 2048);		/* 1 MiB */
	CU_ASSERT_EQUAL(p.last_lba, 2048 + 16384 - 1);
	CU_ASSERT_STRING_EQUAL(p.name, "hvkit-p1");
	gpt_guid_str(p.type_guid, s);
	CU_ASSERT_STRING_EQUAL(s, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	gpt_guid_str(p.unique_guid, s);
	CU_ASSERT_EQUAL(s[14], '4');			/* version 4 */
	CU_ASSERT_PTR_NOT_NULL(strchr("89ab", s[19]));	/* RFC 4122 variant */
	uint8_t g1[16];
	memcpy(g1, p.unique_guid, 16);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 1, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 18432);		/* 9 MiB: the next MiB after 1 + 8 */
	CU_ASSERT_EQUAL(p.last_lba, 18432 + 32768 - 1);
	CU_ASSERT_NOT_EQUAL(memcmp(g1, p.unique_guid, 16), 0);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 2, &p), 0);
	/* The same name gives the same bytes. */
	struct gpt_table t2;
	uint8_t *scratch2 = malloc(GPT_SCRATCH_BYTES(512));
	CU_ASSERT_EQUAL(scan_spec("d0:64M:gpt=8M,16M", &t2, scratch2, &bytes), 0);
	CU_ASSERT_EQUAL(memcmp(t.hdr.disk_guid, t2.hdr.disk_guid, 16), 0);
	CU_ASSERT_EQUAL(scan_spec("d1:64M:gpt=8M,16M", &t2, scratch2, &bytes), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(t.hdr.disk_guid, t2.hdr.disk_guid, 16), 0);
	free(scratch2);
	free(scratch);
}

static void test_gptimg_damage(void)
{
	uint8_t *scratch = malloc(GPT_SCRATCH_BYTES(512));
	struct gpt_table t;
	uint64_t bytes;

	CU_ASSERT_EQUAL(scan_spec("d0:32M:gpt=8M,16M:damage=primary", &t, scratch, &bytes), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "header CRC"));
	CU_ASSERT_EQUAL(t.nused, 2);
	CU_ASSERT_EQUAL(scan_spec("d0:32M:gpt=8M,16M:damage=entries", &t, scratch, &bytes), 0);
	CU_ASSERT_EQUAL(t.source, GPT_BACKUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.primary_err, "entry array CRC"));
	CU_ASSERT_EQUAL(scan_spec("d0:32M:gpt=8M,16M:damage=both", &t, scratch, &bytes), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_PROTECTIVE);
	/* Garbage behind intact signatures: refused by a later check. */
	CU_ASSERT(t.primary_err[0] && !strstr(t.primary_err, "signature"));
	CU_ASSERT(t.backup_err[0] && !strstr(t.backup_err, "signature"));
	/* A plain disk stays blank. */
	CU_ASSERT_EQUAL(scan_spec("d0:4M", &t, scratch, &bytes), -HV_ENOENT);
	CU_ASSERT_EQUAL(t.mbr, GPT_MBR_NONE);
	free(scratch);
}

static void test_gptimg_no_fit(void)
{
	struct gptimg_layout l = { 1, { 8u << 20 }, GPTIMG_DAMAGE_NONE };
	struct gptimg g;
	struct certify_err err;
	uint8_t *scratch = malloc(GPT_SCRATCH_BYTES(512));
	struct gpt_table t;
	uint64_t bytes;

	CU_ASSERT_EQUAL(gptimg_build(&l, 8u << 20, 512, 1, &g, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not fit"));
	CU_ASSERT_PTR_NULL(g.head);
	CU_ASSERT_EQUAL(gptimg_build(&l, 4096, 512, 1, &g, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too small"));
	/* The runner refuses the disk before QEMU starts. */
	CU_ASSERT_EQUAL(scan_spec("d0:8M:gpt=8M", &t, scratch, &bytes), -1002);
	/* The largest partition that fits: 7 MiB from 1 MiB up to the backup array. */
	l.part_bytes[0] = (8u << 20) - (1u << 20) - 33 * 512;
	CU_ASSERT_EQUAL(gptimg_build(&l, 8u << 20, 512, 1, &g, &err), 0);
	CU_ASSERT_EQUAL(g.last_lba[0], 16384 - 34);
	gptimg_free(&g);
	free(scratch);
}

static int mem_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	const struct gptimg *g = ctx;
	uint8_t *out = buf;

	for (uint32_t i = 0; i < n; i++, out += g->block_size) {
		uint64_t l = lba + i;
		memset(out, 0, g->block_size);
		if (l * g->block_size < g->head_len)
			memcpy(out, g->head + l * g->block_size, g->block_size);
		else if (l >= g->tail_lba)
			memcpy(out, g->tail + (l - g->tail_lba) * g->block_size, g->block_size);
	}
	return 0;
}

static void test_gptimg_4k(void)
{
	struct gptimg_layout l = { 2, { 1u << 20, 3u << 20 }, GPTIMG_DAMAGE_NONE };
	struct gptimg g;
	struct certify_err err;
	uint8_t *scratch = malloc(GPT_SCRATCH_BYTES(4096));
	struct gpt_table t;
	struct gpt_part p;

	CU_ASSERT_EQUAL(gptimg_build(&l, 16u << 20, 4096, 7, &g, &err), 0);
	struct gpt_disk d = { 4096, g.nblocks, mem_read, &g, scratch, GPT_SCRATCH_BYTES(4096) };
	CU_ASSERT_EQUAL(gpt_scan(&d, &t), 0);
	CU_ASSERT_EQUAL(t.source, GPT_PRIMARY);
	CU_ASSERT_EQUAL(t.hdr.first_usable, 6);
	CU_ASSERT_EQUAL(gpt_part_get(&t, 1, &p), 1);
	CU_ASSERT_EQUAL(p.first_lba, 512);		/* 2 MiB in 4 KiB blocks */
	CU_ASSERT_EQUAL(p.last_lba, 512 + 768 - 1);
	gptimg_free(&g);
	free(scratch);
}

UNIT_SUITE(certify_gptimg_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_gptimg_parse_option),
		UNIT_TEST(test_gptimg_disk_spec),
		UNIT_TEST(test_gptimg_roundtrip),
		UNIT_TEST(test_gptimg_damage),
		UNIT_TEST(test_gptimg_no_fit),
		UNIT_TEST(test_gptimg_4k),
		UNIT_TEST_END
	};
	unit_add_suite("certify_gptimg", NULL, NULL, tests);
}
