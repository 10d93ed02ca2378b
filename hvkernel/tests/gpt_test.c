/*
 * GPT partitions on a real disk (test=blk.gpt, manual: it needs a disk the runner wrote a
 * GPT on, tests.cfg `disks = d0:64M:gpt=8M,16M`). Parameters:
 *   blk.gpt_disk=NAME     the disk (default: the first registered disk)
 *   blk.gpt_expect=primary|backup|none   which header the table must come from
 *   blk.gpt_parts=OFF+SIZE,...           each partition's byte offset and size (K, M, G)
 * Checks: the partitions registered are the ones expected; a block written through a
 * partition lands at its offset on the disk (read back through the disk); I/O past a
 * partition's end is refused by the partition itself and reaches nothing; a rescan gives the
 * same partitions; removing the disk's driver removes them and binding it again brings them
 * back. With none: no partition, and neither a protective MBR alone nor an MBR-only disk
 * gives any on a rescan.
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/driver.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/fmt.h>
#include <lib/gpt.h>

#define GPTT_MAX	8
#define GPTT_US		10000000ull

struct gptt_part {
	uint64_t off, size;	/* bytes */
};

/* "8M" -> bytes, advancing *s; 0 when malformed. */
static uint64_t gptt_size(const char **s)
{
	uint64_t n = 0;
	const char *p = *s;

	while (*p >= '0' && *p <= '9')
		n = n * 10 + (uint64_t)(*p++ - '0');
	if (p == *s)
		return 0;
	if (*p == 'K')
		n <<= 10, p++;
	else if (*p == 'M')
		n <<= 20, p++;
	else if (*p == 'G')
		n <<= 30, p++;
	*s = p;
	return n;
}

/* "1M+8M,9M+16M" -> parts. Returns the count, or -1. */
static int gptt_parse(const char *s, struct gptt_part *parts)
{
	int n = 0;

	while (*s && n < GPTT_MAX) {
		parts[n].off = gptt_size(&s);
		if (*s++ != '+')
			return -1;
		parts[n].size = gptt_size(&s);
		if (!parts[n].size || (*s && *s != ','))
			return -1;
		n++;
		if (*s == ',')
			s++;
	}
	return *s ? -1 : n;
}

static int gptt_io(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf, uint64_t bus)
{
	struct hv_blkreq rq = { .op = op, .lba = lba, .nblocks = n, .buf = buf, .buf_bus = bus };

	return blkdev_submit_wait(bd, &rq, GPTT_US);
}

/* Block content: a marker and a tag, then a pattern from the tag. */
static void gptt_fill(uint8_t *p, uint32_t bs, uint64_t tag)
{
	memcpy(p, "GPTTEST", 8);
	memcpy(p + 8, &tag, 8);
	for (uint32_t i = 16; i < bs; i++)
		p[i] = (uint8_t)(tag * 13 + i);
}

static int gptt_is(const uint8_t *p, uint32_t bs, uint64_t tag)
{
	if (memcmp(p, "GPTTEST", 8) != 0 || memcmp(p + 8, &tag, 8) != 0)
		return 0;
	for (uint32_t i = 16; i < bs; i++)
		if (p[i] != (uint8_t)(tag * 13 + i))
			return 0;
	return 1;
}

static struct hv_blkdev *gptt_disk(struct ktest_ctx *t)
{
	const char *name = ktest_param(t, "gpt_disk", 0);

	if (name)
		return blkdev_find(name);
	for (struct hv_blkdev *b = blkdev_first(); b; b = blkdev_next(b))
		if (!blkdev_parent(b))
			return b;
	return 0;
}

static unsigned gptt_count(struct hv_blkdev *disk)
{
	unsigned n = 0;

	for (struct hv_blkdev *b = blkdev_first(); b; b = blkdev_next(b))
		n += blkdev_parent(b) == disk;
	return n;
}

/* lib/gpt on the disk directly: which header is valid, independently of the block layer. */
struct gptt_reader {
	struct hv_blkdev *disk;
	uint8_t *base;
	uint64_t bus;
};

static int gptt_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
	struct gptt_reader *r = ctx;

	return gptt_io(r->disk, HV_BLK_READ, lba, n, buf, r->bus + (uint64_t)((uint8_t *)buf - r->base));
}

static int gptt_own_scan(struct hv_blkdev *disk, enum gpt_source *src)
{
	static struct gpt_table tab;
	struct gptt_reader r = { disk, 0, 0 };
	size_t len = GPT_SCRATCH_BYTES(disk->block_size);

	*src = GPT_NONE;
	r.base = kdma_alloc(len, &r.bus);
	if (!r.base)
		return -HV_ENOMEM;
	struct gpt_disk d = { disk->block_size, disk->nblocks, gptt_read, &r, r.base, len };
	int rc = gpt_scan(&d, &tab);
	*src = tab.source;
	kdma_free(r.base, len);
	return rc;
}

/* Submit straight to the partition (blkdev_submit_wait would refuse first): the partition
 * itself must refuse. Something accepted is waited for, so no DMA is left in flight. */
static volatile int gptt_direct_done;

static void gptt_direct_cb(struct hv_blkreq *rq)
{
	(void)rq;
	gptt_direct_done = 1;
}

static int gptt_direct(struct hv_blkdev *bd, uint64_t lba, uint32_t n, void *buf, uint64_t bus)
{
	struct hv_blkreq rq = { .op = HV_BLK_WRITE, .lba = lba, .nblocks = n, .buf = buf, .buf_bus = bus,
				.done = gptt_direct_cb };

	gptt_direct_done = 0;
	int ret = bd->ops->submit(bd, &rq);
	if (ret == 0) {
		uint64_t t0 = time_us();
		while (!gptt_direct_done && time_us() - t0 < GPTT_US)
			if (bd->ops->poll)
				bd->ops->poll(bd);
	}
	return ret;
}

/* Partition i against its expected place: size, where its first and last blocks land, and
 * that nothing past its end is written. */
static enum ktest_status gptt_check_part(struct ktest_ctx *t, struct hv_blkdev *disk, int i,
					 const struct gptt_part *e, uint8_t *buf, uint64_t bus)
{
	char name[24];
	uint32_t bs = disk->block_size;

	fmt_snprintf(name, sizeof(name), "%sp%d", disk->name, i + 1);
	struct hv_blkdev *p = blkdev_find(name);
	KT_CHECK(t, p && blkdev_parent(p) == disk, "%s is not registered", name);
	KT_CHECK(t, p->block_size == bs && p->nblocks * bs == e->size, "%s: %llu blocks of %u, expected %llu bytes",
		 name, (unsigned long long)p->nblocks, p->block_size, (unsigned long long)e->size);
	uint64_t first = e->off / bs, after = first + p->nblocks;
	/* Past the end: a sentinel in the disk's next block must survive. */
	if (after < disk->nblocks) {
		gptt_fill(buf, bs, 0x5e7 + (uint64_t)i);
		KT_CHECK(t, gptt_io(disk, HV_BLK_WRITE, after, 1, buf, bus) == 0, "%s: sentinel write failed", disk->name);
	}
	gptt_fill(buf, bs, 0xbad);
	gptt_fill(buf + bs, bs, 0xbad);
	int r1 = gptt_direct(p, p->nblocks - 1, 2, buf, bus);
	int r2 = gptt_direct(p, p->nblocks, 1, buf, bus);
	int r3 = gptt_direct(p, UINT64_MAX, 2, buf, bus);
	int r4 = gptt_io(p, HV_BLK_READ, p->nblocks, 1, buf, bus);
	KT_CHECK(t, r1 == -HV_ERANGE && r2 == -HV_ERANGE && r3 == -HV_ERANGE && r4 == -HV_ERANGE,
		 "%s: I/O past the end gave %d %d %d %d, not -HV_ERANGE", name, r1, r2, r3, r4);
	if (after < disk->nblocks) {
		KT_CHECK(t, gptt_io(disk, HV_BLK_READ, after, 1, buf, bus) == 0, "%s: sentinel read failed", disk->name);
		KT_CHECK(t, gptt_is(buf, bs, 0x5e7 + (uint64_t)i), "%s: the block after %s changed", disk->name, name);
	}
	/* The first and the last block, written through the partition, read through the disk. */
	uint64_t at[2] = { 0, p->nblocks - 1 };
	for (int k = 0; k < 2; k++) {
		uint64_t tag = (uint64_t)(i + 1) << 8 | (uint64_t)k;
		gptt_fill(buf, bs, tag);
		KT_CHECK(t, gptt_io(p, HV_BLK_WRITE, at[k], 1, buf, bus) == 0, "%s: write of block %llu failed",
			 name, (unsigned long long)at[k]);
		memset(buf, 0, bs);
		KT_CHECK(t, gptt_io(disk, HV_BLK_READ, first + at[k], 1, buf, bus) == 0, "%s: read failed", disk->name);
		KT_CHECK(t, gptt_is(buf, bs, tag), "%s block %llu is not at %s LBA %llu (byte %llu)", name,
			 (unsigned long long)at[k], disk->name, (unsigned long long)(first + at[k]),
			 (unsigned long long)((first + at[k]) * bs));
		memset(buf, 0, bs);
		KT_CHECK(t, gptt_io(p, HV_BLK_READ, at[k], 1, buf, bus) == 0 && gptt_is(buf, bs, tag),
			 "%s: block %llu does not read back", name, (unsigned long long)at[k]);
	}
	return KTEST_PASS;
}

/* The disk's driver removed and bound again: its partitions go and come back. */
static enum ktest_status gptt_rebind(struct ktest_ctx *t, struct hv_blkdev *disk, unsigned want)
{
	struct pci_dev *d = (struct pci_dev *)disk->pci;

	if (!d || !d->driver)
		return KTEST_PASS;	/* a software disk: nothing to unbind */
	driver_unbind(d);
	for (struct hv_blkdev *b = blkdev_first(); b; b = blkdev_next(b))
		KT_CHECK(t, (struct pci_dev *)b->pci != d, "%s is still registered after its driver left", b->name);
	driver_bind_all();
	struct hv_blkdev *again = 0;
	for (struct hv_blkdev *b = blkdev_first(); b && !again; b = blkdev_next(b))
		if ((struct pci_dev *)b->pci == d && !blkdev_parent(b))
			again = b;
	KT_CHECK(t, again, "no disk after binding the driver again");
	KT_CHECK(t, gptt_count(again) == want, "%s: %u partitions after binding again, expected %u",
		 again->name, gptt_count(again), want);
	return KTEST_PASS;
}

/* Write LBA 0 (an MBR with one record of type ostype, or none) and clear both headers. */
static int gptt_mbr_only(struct hv_blkdev *disk, uint8_t ostype, uint8_t *buf, uint64_t bus)
{
	uint32_t bs = disk->block_size;

	memset(buf, 0, bs);
	int rc = gptt_io(disk, HV_BLK_WRITE, 1, 1, buf, bus);
	if (rc == 0)
		rc = gptt_io(disk, HV_BLK_WRITE, disk->nblocks - 1, 1, buf, bus);
	buf[446 + 4] = ostype;
	buf[446 + 8] = 1;
	buf[510] = 0x55, buf[511] = 0xaa;
	return rc ? rc : gptt_io(disk, HV_BLK_WRITE, 0, 1, buf, bus);
}

static enum ktest_status gptt_none(struct ktest_ctx *t, struct hv_blkdev *disk, uint8_t *buf, uint64_t bus)
{
	static const struct { uint8_t type; const char *what; } mbrs[] = {
		{ 0xee, "a protective MBR alone" }, { 0x83, "an MBR-only disk" },
	};

	for (unsigned i = 0; i < sizeof(mbrs) / sizeof(mbrs[0]); i++) {
		KT_CHECK(t, gptt_mbr_only(disk, mbrs[i].type, buf, bus) == 0, "%s: writing %s failed", disk->name,
			 mbrs[i].what);
		int rc = blkdev_rescan(disk);
		KT_CHECK(t, rc == -HV_ENOENT && gptt_count(disk) == 0, "%s: %s: rescan gave %d, %u partitions",
			 disk->name, mbrs[i].what, rc, gptt_count(disk));
	}
	return KTEST_PASS;
}

KTEST_MANUAL(blk, gpt)
{
	static const char *const names[] = { "none", "primary", "backup" };
	struct gptt_part parts[GPTT_MAX];
	struct hv_blkdev *disk = gptt_disk(t);
	const char *expect = ktest_param(t, "gpt_expect", "primary");
	enum gpt_source want = GPT_NONE, got;
	int known = 0;
	uint64_t bus;

	if (!disk) {
		ktest_msg(t, "no disk (is a storage driver module loaded?)");
		return KTEST_SKIP;
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], expect) == 0)
			want = (enum gpt_source)i, known = 1;
	int n = gptt_parse(ktest_param(t, "gpt_parts", ""), parts);
	if (!known || n < 0 || (want == GPT_NONE) != (n == 0)) {
		ktest_msg(t, "blk.gpt_expect=primary|backup|none with blk.gpt_parts=OFF+SIZE,... (none: no parts)");
		return KTEST_ERROR;
	}
	int rc = gptt_own_scan(disk, &got);
	KT_CHECK(t, got == want, "%s: lib/gpt finds the %s table (%d), expected %s", disk->name, names[got],
		 rc, expect);
	ktest_metric(t, "partitions", gptt_count(disk), "count");
	KT_CHECK(t, gptt_count(disk) == (unsigned)n, "%s has %u partitions, expected %d", disk->name,
		 gptt_count(disk), n);
	uint8_t *buf = kdma_alloc(2 * 4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	if (want == GPT_NONE) {
		st = gptt_none(t, disk, buf, bus);
		goto free;
	}
	for (int i = 0; i < n && st == KTEST_PASS; i++)
		st = gptt_check_part(t, disk, i, &parts[i], buf, bus);
	if (st != KTEST_PASS)
		goto free;
	/* On request: the same partitions again, over the data written above (the last
	 * partition's block 0 still holds its tag). */
	rc = blkdev_rescan(disk);
	char name[24];
	fmt_snprintf(name, sizeof(name), "%sp%d", disk->name, n);
	struct hv_blkdev *last = blkdev_find(name);
	if (rc != n || gptt_count(disk) != (unsigned)n || !last || gptt_io(last, HV_BLK_READ, 0, 1, buf, bus) != 0 ||
	    !gptt_is(buf, disk->block_size, (uint64_t)n << 8)) {
		ktest_msg(t, "%s: rescan gave %d, %u partitions; %s block 0 %s", disk->name, rc, gptt_count(disk),
			  name, last ? "does not read back" : "is missing");
		st = KTEST_FAIL;
		goto free;
	}
	st = gptt_rebind(t, disk, (unsigned)n);
free:
	kdma_free(buf, 2 * 4096);
	return st;
}
