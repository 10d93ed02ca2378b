/*
 * The partition layer on a RAM disk (test=blkdev.partitions): the disk has no poll function
 * (so its partitions do not either), can hold requests instead of completing them, and gets
 * a GPT written here with lib/gpt's encoders. Registering it registers its partitions;
 * I/O through a partition lands at its offset; a partition refuses what is outside it; a
 * full forwarding pool says -HV_EAGAIN; and unregistering the disk while a partition request
 * is held frees the partition only when that request completes (the leak check proves it).
 */
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/ktest.h>
#include <kern/string.h>
#include <lib/fmt.h>
#include <lib/gpt.h>

#define BPT_BLOCKS	4096	/* 2 MiB of 512-byte blocks */
#define BPT_ARRAY	32	/* blocks of the 128-entry array */
#define BPT_HELD	4

struct bpt_disk {
	uint8_t *data;
	int hold;			/* hold requests instead of completing them */
	struct hv_blkreq *held[BPT_HELD];
	unsigned nheld;
};

static int bpt_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct bpt_disk *d = bd->priv;

	if (d->hold) {
		if (d->nheld == BPT_HELD)
			return -HV_EAGAIN;
		d->held[d->nheld++] = rq;
		return 0;
	}
	if (rq->op != HV_BLK_FLUSH) {
		uint8_t *p = d->data + rq->lba * 512;
		if (rq->op == HV_BLK_WRITE)
			memcpy(p, rq->buf, (size_t)rq->nblocks * 512);
		else
			memcpy(rq->buf, p, (size_t)rq->nblocks * 512);
	}
	hv_blkreq_complete(rq, 0);
	return 0;
}

static const struct hv_blkdev_ops bpt_ops = { .submit = bpt_submit };

/* Partition 1: LBA 64..191, partition 2 (entry 3): LBA 1024..2047; entry 2 unused. */
static void bpt_write_gpt(uint8_t *disk)
{
	static const uint8_t type[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct gpt_part p;
	struct gpt_header h;
	uint8_t *arr = disk + 2 * 512;

	memset(&p, 0, sizeof(p));
	memcpy(p.type_guid, type, 16);
	memcpy(p.unique_guid, type, 16);
	p.first_lba = 64, p.last_lba = 191;
	strlcpy(p.name, "small", sizeof(p.name));
	gpt_part_encode(&p, arr);
	p.unique_guid[0] = 0x77;
	p.first_lba = 1024, p.last_lba = 2047;
	strlcpy(p.name, "big", sizeof(p.name));
	gpt_part_encode(&p, arr + 2 * GPT_ENTRY_SIZE);
	memset(&h, 0, sizeof(h));
	h.revision = GPT_REVISION;
	h.header_size = GPT_HEADER_SIZE;
	h.my_lba = 1, h.alternate_lba = BPT_BLOCKS - 1;
	h.first_usable = 2 + BPT_ARRAY, h.last_usable = BPT_BLOCKS - 2 - BPT_ARRAY;
	h.entries_lba = 2, h.num_entries = 128, h.entry_size = GPT_ENTRY_SIZE;
	h.entries_crc = gpt_crc32(0, arr, 128 * GPT_ENTRY_SIZE);
	gpt_header_encode(&h, disk + 512);
}

static void bpt_done(struct hv_blkreq *rq)
{
	*(volatile int *)rq->ctx = 1;
}

KTEST(blkdev, partitions)
{
	struct bpt_disk d;
	struct hv_blkdev bd;
	uint64_t bus;
	uint8_t *buf = kdma_alloc(2 * 512, &bus);

	memset(&d, 0, sizeof(d));
	memset(&bd, 0, sizeof(bd));
	d.data = kdma_alloc(BPT_BLOCKS * 512, &bus);
	if (!d.data || !buf) {
		kdma_free(buf, 2 * 512);
		kdma_free(d.data, BPT_BLOCKS * 512);
		ktest_msg(t, "no memory");
		return KTEST_ERROR;
	}
	memset(d.data, 0, BPT_BLOCKS * 512);
	bpt_write_gpt(d.data);
	bd.block_size = 512, bd.nblocks = BPT_BLOCKS, bd.queue_depth = 2;
	bd.ops = &bpt_ops, bd.priv = &d;
	enum ktest_status st = KTEST_FAIL;
	char n1[24], n3[24];
	if (hv_blkdev_register(&bd) != 0) {
		ktest_msg(t, "register failed");
		goto free;
	}
	fmt_snprintf(n1, sizeof(n1), "%sp1", bd.name);
	fmt_snprintf(n3, sizeof(n3), "%sp3", bd.name);
	struct hv_blkdev *p1 = blkdev_find(n1), *p3 = blkdev_find(n3);
	fmt_snprintf(n1, sizeof(n1), "%sp2", bd.name);
	if (!p1 || !p3 || blkdev_find(n1) || p1->nblocks != 128 || p3->nblocks != 1024 ||
	    p3->ops->poll || p3->queue_depth != 2 || blkdev_parent(p3) != &bd || blkdev_parent(&bd)) {
		ktest_msg(t, "%s: partitions p1 (%llu blocks) and p3 (%llu blocks) expected, nothing else",
			  bd.name, p1 ? (unsigned long long)p1->nblocks : 0ull,
			  p3 ? (unsigned long long)p3->nblocks : 0ull);
		goto unregister;
	}
	/* Through the partition to its place on the disk, and refused past its end. */
	memset(buf, 0x3c, 512);
	struct hv_blkreq rq = { .op = HV_BLK_WRITE, .lba = 1023, .nblocks = 1, .buf = buf, .buf_bus = bus };
	if (blkdev_submit_wait(p3, &rq, 100000) != 0 || d.data[(1024 + 1023) * 512] != 0x3c ||
	    d.data[(1024 + 1023) * 512 + 511] != 0x3c) {
		ktest_msg(t, "%s block 1023 did not land at disk LBA 2047", p3->name);
		goto unregister;
	}
	rq.lba = 1023, rq.nblocks = 2;
	if (p3->ops->submit(p3, &rq) != -HV_ERANGE || d.data[2048 * 512] != 0) {
		ktest_msg(t, "%s accepted blocks past its end", p3->name);
		goto unregister;
	}
	/* The pool: two requests held, the third is -HV_EAGAIN. */
	volatile int done[3] = { 0, 0, 0 };
	struct hv_blkreq hq[3];
	d.hold = 1;
	for (int i = 0; i < 3; i++)
		hq[i] = (struct hv_blkreq){ .op = HV_BLK_READ, .lba = (uint64_t)i, .nblocks = 1, .buf = buf,
					    .buf_bus = bus, .done = bpt_done, .ctx = (void *)&done[i] };
	int r0 = p1->ops->submit(p1, &hq[0]), r1 = p1->ops->submit(p1, &hq[1]), r2 = p1->ops->submit(p1, &hq[2]);
	if (r0 || r1 || r2 != -HV_EAGAIN || d.nheld != 2 || d.held[0]->lba != 64 || d.held[1]->lba != 65) {
		ktest_msg(t, "%s: submits gave %d %d %d with %u held", p1->name, r0, r1, r2, d.nheld);
		goto release;
	}
	/* The disk goes while two requests are in flight: the partitions are unregistered at
	 * once, and the held completions still reach their submitters afterwards. */
	hv_blkdev_unregister(&bd);
	if (blkdev_find(n3)) {
		ktest_msg(t, "%s outlived its disk", n3);
		goto release;
	}
	st = KTEST_PASS;
release:
	for (unsigned i = 0; i < d.nheld; i++)
		hv_blkreq_complete(d.held[i], i ? -HV_EIO : 0);
	if (st == KTEST_PASS && (!done[0] || !done[1] || hq[0].status != 0 || hq[1].status != -HV_EIO)) {
		ktest_msg(t, "held completions: done %d %d, status %d %d", done[0], done[1], hq[0].status,
			  hq[1].status);
		st = KTEST_FAIL;
	}
	d.hold = 0;
unregister:
	hv_blkdev_unregister(&bd);	/* a no-op when already gone */
free:
	kdma_free(buf, 2 * 512);
	kdma_free(d.data, BPT_BLOCKS * 512);
	return st;
}
