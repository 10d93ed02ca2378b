/*
 * The storage certification suite (test=blk). It runs on every blkdev the loaded driver
 * modules registered, or on the one named by blk.dev=. Every block written holds the block
 * test pattern (lib/blkpat.h: its LBA, the run's seed from blk.seed=, data from both), so a
 * misdirected or stale block is caught on read-back here and, from the `blkwrite` records,
 * by the host reading the disk image afterwards: what counts is what reached the medium.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/mem.h>
#include <hv/time.h>
#include <kern/blkdev.h>
#include <kern/mem.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/blkpat.h>

#include "blk_soak.h"
#include "blkgen.h"
#include "blkio.h"

#define BLK_MAX_BYTES	(1u << 20)

/* blk.host_stats=1: 1 once the host took QEMU's block statistics at sync point
 * blkstats-start (before the suite's first request), -1 when it did not answer. */
static int blk_stats_started;

static struct hv_blkdev *blk_pick(struct ktest_ctx *t)
{
	const char *name = ktest_param(t, "dev", 0);
	struct hv_blkdev *bd = name ? blkdev_find(name) : blkdev_first();

	blk_key.seed = ktest_param_u64(t, "seed", 0x5eed) | 1;
	if (!bd)
		ktest_msg(t, name ? "no blkdev %s" : "no blkdev registered (is a storage driver module loaded?)", name);
	else if (blk_mode_init(t, bd) < 0)
		return NULL;
	if (bd && !blk_stats_started && ktest_param_u64(t, "host_stats", 0))
		blk_stats_started = hvr_sync("blkstats-start") < 0 ? -1 : 1;
	return bd;
}

/* What the disks of one PCI function look like: how many, and a sum over their geometry. */
struct blk_fn_disks {
	unsigned n;
	uint64_t geometry;
	struct hv_blkdev *first;
};

static struct blk_fn_disks blk_fn_disks(const struct pci_dev *d)
{
	struct blk_fn_disks r = { 0, 0, 0 };

	for (struct hv_blkdev *x = blkdev_first(); x; x = blkdev_next(x)) {
		if ((const struct pci_dev *)x->pci != d || blkdev_parent(x))
			continue;
		r.n++;
		r.geometry += x->nblocks * 4099 + x->block_size;
		if (!r.first)
			r.first = x;
	}
	return r;
}

/*
 * Detach and attach the disk's driver blk.attach_rounds times (default 100): each round
 * every disk of that PCI function goes away with the driver and comes back with the same
 * capacity and block size, its first block reads, and in the end nothing leaked (the
 * runner compares page and heap counters). Manual, and defined first in this file so that
 * it runs after the other blk tests of a boot: the disks come back under new names.
 */
KTEST_MANUAL(blk, attach)
{
	struct hv_blkdev *bd = blk_pick(t);
	const uint64_t rounds = ktest_param_u64(t, "attach_rounds", 100);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	if (blkdev_parent(bd))
		bd = blkdev_parent(bd);
	struct pci_dev *d = (struct pci_dev *)bd->pci;
	KT_CHECK(t, d && d->driver, "%s has no PCI function with a driver behind it", bd->name);
	const struct blk_fn_disks want = blk_fn_disks(d);
	uint8_t *buf = kdma_alloc(4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	uint64_t t0 = time_us();
	for (uint64_t i = 0; i < rounds && st == KTEST_PASS; i++) {
		driver_unbind(d);
		struct blk_fn_disks now = blk_fn_disks(d);
		if (d->driver || now.n) {
			ktest_msg(t, "round %llu: unbind left %s and %u disks", (unsigned long long)i,
				  d->driver ? "the driver bound" : "no driver", now.n);
			st = KTEST_FAIL;
			break;
		}
		driver_bind_all();
		now = blk_fn_disks(d);
		if (!d->driver || now.n != want.n || now.geometry != want.geometry) {
			ktest_msg(t, "round %llu: %s, %u disks back of %u%s", (unsigned long long)i,
				  d->driver ? "rebound" : "not rebound", now.n, want.n,
				  now.geometry != want.geometry ? ", with another geometry" : "");
			st = KTEST_FAIL;
			break;
		}
		int r = blk_io(now.first, HV_BLK_READ, 0, 4096 / now.first->block_size, buf, bus);
		if (r != 0) {
			ktest_msg(t, "round %llu: reading %s after the attach gave %d", (unsigned long long)i,
				  now.first->name, r);
			st = KTEST_FAIL;
		}
	}
	ktest_metric(t, "attach_us", (time_us() - t0) / (rounds ? rounds : 1), "us");
	kdma_free(buf, 4096);
	return st;
}

/*
 * What the suite issued, for the host to hold against QEMU's query-blockstats
 * (blk.host_stats=1, host check qmp.blockstats): one `blkstats` record per disk with every
 * request the suite saw complete since its first test, successful and failed apart, then
 * sync point blkstats, where the host takes the statistics again and compares the
 * difference. The driver cannot hide a flush it dropped, a request it completed without
 * doing it, or one it did twice. Manual, defined second in this file: it runs after every
 * other blk test but blk.attach, whose re-attached disks read their partition tables.
 */
KTEST_MANUAL(blk, stats)
{
	struct hv_blkdev *bd = blk_pick(t);

	if (!bd)
		return KTEST_SKIP;
	if (!ktest_param_u64(t, "host_stats", 0)) {
		ktest_msg(t, "blk.host_stats=1 not given (nobody compares the counts)");
		return KTEST_SKIP;
	}
	if (blk_stats_started < 0) {
		ktest_msg(t, "the host did not answer sync point blkstats-start");
		return KTEST_ERROR;
	}
	const struct blk_counts *c = blk_counts_of(bd);
	if (!c || c->rd_ops + c->wr_ops + c->fl_ops == 0) {
		ktest_msg(t, "%s: no request was counted before blk.stats (run it with the I/O tests)",
			  bd->name);
		return KTEST_FAIL;
	}
	ktest_metric(t, "rd_ops", c->rd_ops, "count");
	ktest_metric(t, "wr_ops", c->wr_ops, "count");
	ktest_metric(t, "fl_ops", c->fl_ops, "count");
	ktest_metric(t, "rd_bytes", c->rd_bytes, "bytes");
	ktest_metric(t, "wr_bytes", c->wr_bytes, "bytes");
	blk_counts_report();
	if (hvr_sync("blkstats") < 0) {
		ktest_msg(t, "the host did not answer sync point blkstats");
		return KTEST_ERROR;
	}
	return KTEST_PASS;
}

/*
 * Blocks above LBA 2^32 (manual: the plans name it, with a disk larger than 2 TiB): an
 * extent across the 2^32 boundary, four at random above it, one ending at the last LBA and
 * the last block alone, each after a "twin" write of its LBA mod 2^32 and read back with it.
 * A driver that cuts the LBA to 32 bits reads its own high writes back, but they landed
 * on the twins, which then hold another block's data. Requests past the end (the last
 * block and one more, the block after the last) must be refused or fail.
 */
KTEST_MANUAL(blk, highlba)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus, rng;

	if (!bd)
		return KTEST_SKIP;
	const uint64_t b32 = 1ull << 32, nb = bd->nblocks;
	if (nb < b32 + 1024) {
		ktest_msg(t, "%s has %llu blocks, none far above LBA 2^32 (the plan's disk must be "
			  "larger than 2 TiB)", bd->name, (unsigned long long)nb);
		return KTEST_FAIL;
	}
	enum { HI = 7, PER = 8 };
	struct { uint64_t lba, gen, twin_gen; uint32_t n; } x[HI];
	uint64_t rbad = ktest_param(t, "eio_lba", 0) ? ktest_param_u64(t, "eio_lba", 0) : UINT64_MAX;
	uint64_t wbad = ktest_param(t, "eio_wlba", 0) ? ktest_param_u64(t, "eio_wlba", 0) : UINT64_MAX;
	rng = blk_key.seed ^ 0x4849474842ull;
	x[0].lba = b32 - PER / 2, x[0].n = PER;		/* across the boundary */
	for (int i = 1; i < 5; i++) {
		x[i].n = PER;
		do	/* twins clear of the injected errors and of LBA 0..2^20 (the other tests) */
			x[i].lba = b32 + (1u << 20) + blk_rand(&rng) % (nb - b32 - (1u << 20) - PER);
		while (blk_covers(bd, x[i].lba & (b32 - 1), PER, rbad) || blk_covers(bd, x[i].lba & (b32 - 1), PER, wbad));
	}
	x[5].lba = nb - PER, x[5].n = PER;		/* ends at the last LBA */
	x[6].lba = nb - 1, x[6].n = 1;			/* the last LBA alone */
	size_t bytes = (size_t)PER * bd->block_size;
	uint8_t *buf = kdma_alloc(bytes, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	for (int i = 0; i < HI && st == KTEST_PASS; i++) {
		uint64_t twin = x[i].lba & (b32 - 1);
		int r = 0;
		x[i].twin_gen = 0;
		if (x[i].lba >= b32 && !blk_covers(bd, twin, x[i].n, rbad) && !blk_covers(bd, twin, x[i].n, wbad)) {
			x[i].twin_gen = blk_fill_new(bd, buf, twin, x[i].n);
			if ((r = blk_io(bd, HV_BLK_WRITE, twin, x[i].n, buf, bus)) == 0)
				blk_report_write(bd, twin, x[i].n, x[i].twin_gen);
		}
		x[i].gen = blk_fill_new(bd, buf, x[i].lba, x[i].n);
		if (r == 0 && (r = blk_io(bd, HV_BLK_WRITE, x[i].lba, x[i].n, buf, bus)) == 0)
			blk_report_write(bd, x[i].lba, x[i].n, x[i].gen);
		if (r) {
			ktest_msg(t, "%s: writing %u blocks at %llu (or below 2^32 at %llu) gave %d", bd->name,
				  x[i].n, (unsigned long long)x[i].lba, (unsigned long long)twin, r);
			st = KTEST_FAIL;
			break;
		}
		/* Read back before the next extent (the last two overlap): the high blocks,
		 * then the twin, which a write cut to 32 bits overwrote. */
		memset(buf, 0, bytes);
		r = blk_io(bd, HV_BLK_READ, x[i].lba, x[i].n, buf, bus);
		long bad = r ? -1 : blk_first_bad(bd, buf, x[i].lba, x[i].n, x[i].gen);
		if (!r && bad < 0 && x[i].twin_gen) {
			memset(buf, 0, bytes);
			r = blk_io(bd, HV_BLK_READ, twin, x[i].n, buf, bus);
			bad = r ? -1 : blk_first_bad(bd, buf, twin, x[i].n, x[i].twin_gen);
			if (bad >= 0) {
				struct blkpat_key k = { .seed = blk_key.seed, .gen = x[i].twin_gen };
				ktest_msg(t, "%s: block %llu holds %s after a write at %llu: the LBA was cut to 32 bits",
					  bd->name, (unsigned long long)(twin + (uint64_t)bad),
					  blkpat_state_text(blkpat_check(buf + bad * bd->block_size, bd->block_size,
									 twin + (uint64_t)bad, &k)),
					  (unsigned long long)(x[i].lba + (uint64_t)bad));
				st = KTEST_FAIL;
				break;
			}
		}
		if (r || bad >= 0) {
			ktest_msg(t, "%s: %u blocks at %llu read back: %s %d", bd->name, x[i].n,
				  (unsigned long long)x[i].lba, r ? "error" : "wrong data in block", r ? r : (int)bad);
			st = KTEST_FAIL;
		}
	}
	/* Past the end: the last block and the one after it, then the block after the last. */
	int p1 = st == KTEST_PASS ? blk_io_unchecked(bd, HV_BLK_READ, nb - 1, 2, buf, bus) : -1;
	int p2 = st == KTEST_PASS ? blk_io_unchecked(bd, HV_BLK_READ, nb, 1, buf, bus) : -1;
	if (p1 == 0 || p2 == 0 || p1 == -HV_ETIMEDOUT || p2 == -HV_ETIMEDOUT) {
		ktest_msg(t, "%s: reads past the last block %llu gave %d and %d (must be refused or fail)",
			  bd->name, (unsigned long long)(nb - 1), p1, p2);
		st = KTEST_FAIL;
	}
	ktest_metric(t, "last_lba", nb - 1, "lba");
	if (p1 != -HV_ETIMEDOUT && p2 != -HV_ETIMEDOUT)
		kdma_free(buf, bytes);	/* else the driver may still write into it */
	return st;
}

/*
 * The soak (manual, the plans name it): blk.soak_s seconds (default 5) of mixed reads,
 * writes and flushes at full queue depth over the whole disk (blk_soak.c). Defined third
 * in this file: it runs after the other blk tests but blk.stats and blk.attach, so its
 * requests are in the counts the host compares and the attach rounds follow its load.
 */
KTEST_MANUAL(blk, soak)
{
	struct hv_blkdev *bd = blk_pick(t);

	if (!bd)
		return KTEST_SKIP;
	return blk_soak_run(t, bd, ktest_param_u64(t, "soak_s", 5));
}

/* Capacity and block size as the host attached them (blk.bytes=, blk.block_size=). */
KTEST(blk, identify)
{
	struct hv_blkdev *bd = blk_pick(t);

	if (!bd)
		return KTEST_SKIP;
	uint64_t want = ktest_param_u64(t, "bytes", 0), want_bs = ktest_param_u64(t, "block_size", 0);
	ktest_metric(t, "blocks", bd->nblocks, "blocks");
	ktest_metric(t, "block_size", bd->block_size, "bytes");
	ktest_metric(t, "queue_depth", bd->queue_depth, "requests");
	KT_CHECK(t, !want || bd->nblocks * bd->block_size == want, "%s: %llu bytes, the host attached %llu",
		 bd->name, (unsigned long long)(bd->nblocks * bd->block_size), (unsigned long long)want);
	KT_CHECK(t, !want_bs || bd->block_size == want_bs, "%s: block size %u, expected %llu", bd->name,
		 bd->block_size, (unsigned long long)want_bs);
	return KTEST_PASS;
}

/* Sequential then random writes of 1 block to 1 MiB at unaligned LBAs, each read back and
 * verified, in the first blk.mib MiB (default 16). */
KTEST(blk, verify)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus, rng;

	if (!bd)
		return KTEST_SKIP;
	uint32_t bs = bd->block_size, maxn = BLK_MAX_BYTES / bs;
	uint64_t span = ktest_param_u64(t, "mib", 16) * (1u << 20) / bs;
	if (span > bd->nblocks)
		span = bd->nblocks;
	uint8_t *buf = kdma_alloc(BLK_MAX_BYTES, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	uint64_t lba = 0, ops = 0;
	rng = blk_key.seed;
	/* Sequential: request sizes 1, 2, 3, 5, 8 ... blocks, to maxn, back to back. */
	for (uint32_t n = 1, prev = 1; lba < span && st == KTEST_PASS; ) {
		uint32_t c = n > maxn ? maxn : n;
		if (c > span - lba)
			c = (uint32_t)(span - lba);
		uint64_t gen = blk_fill_new(bd, buf, lba, c);
		int ret = blk_io(bd, HV_BLK_WRITE, lba, c, buf, bus);
		if (ret == 0) {
			blk_report_write(bd, lba, c, gen);
			memset(buf, 0, (size_t)c * bs);
			ret = blk_io(bd, HV_BLK_READ, lba, c, buf, bus);
		}
		long bad = ret == 0 ? blk_first_bad(bd, buf, lba, c, gen) : -1;
		if (ret || bad >= 0) {
			ktest_msg(t, "%s: %u blocks at %llu: %s %d", bd->name, c, (unsigned long long)lba,
				  ret ? "error" : "wrong data in block", ret ? ret : (int)bad);
			st = KTEST_FAIL;
		}
		lba += c;
		ops++;
		uint32_t next = n + prev;
		prev = n;
		n = next > maxn ? 1 : next;
	}
	/* Random: 64 requests of random size at random (unaligned) LBAs, each over blocks the
	 * sequential pass or an earlier one wrote: a rewrite the device dropped reads back as
	 * the older generation. */
	for (int i = 0; i < 64 && st == KTEST_PASS; i++) {
		uint32_t c = (uint32_t)(blk_rand(&rng) % maxn) + 1;
		if (c > span)
			c = (uint32_t)span;
		uint64_t at = blk_rand(&rng) % (span - c + 1);
		uint64_t gen = blk_fill_new(bd, buf, at, c);
		int ret = blk_io(bd, HV_BLK_WRITE, at, c, buf, bus);
		if (ret == 0) {
			blk_report_write(bd, at, c, gen);
			memset(buf, 0, (size_t)c * bs);
			ret = blk_io(bd, HV_BLK_READ, at, c, buf, bus);
		}
		long bad = ret == 0 ? blk_first_bad(bd, buf, at, c, gen) : -1;
		if (ret || bad >= 0) {
			ktest_msg(t, "%s: random %u blocks at %llu: %s %d", bd->name, c,
				  (unsigned long long)at, ret ? "error" : "wrong data in block", ret ? ret : (int)bad);
			st = KTEST_FAIL;
		}
		ops++;
	}
	if (st == KTEST_PASS && blk_io(bd, HV_BLK_FLUSH, 0, 0, buf, bus) != 0) {
		ktest_msg(t, "%s: flush failed", bd->name);
		st = KTEST_FAIL;
	}
	ktest_metric(t, "requests", ops * 2, "count");
	kdma_free(buf, BLK_MAX_BYTES);
	/* blk.host_verify=1: stop while the host reads the image and checks every block we
	 * reported written; later tests (seqbench) overwrite them. */
	if (st == KTEST_PASS && ktest_param_u64(t, "host_verify", 0) && hvr_sync("blkverify") < 0) {
		ktest_msg(t, "the host did not answer the blkverify sync point");
		st = KTEST_ERROR;
	}
	return st;
}

/* randbench's busy loop: the polling configuration completes requests here; otherwise the
 * driver's interrupt does, and this does nothing. */
static void blk_kick(struct hv_blkdev *bd)
{
	if (blk_mode_polling()) {
		int on = cpu_irq_save();

		bd->ops->poll(bd);
		cpu_irq_restore(on);
	}
}

/* One request of blk.qdepth and what it must come back with. */
struct blk_slot {
	struct hv_blkreq rq;		/* first: the completion finds the slot from it */
	uint64_t gen;			/* the generation written, or expected back */
	int want;			/* 0, or -HV_EIO over the host's injected read error */
	struct blk_qd *qd;
};

struct blk_qd {
	const struct hv_blkdev *bd;
	uint32_t n;			/* blocks per request */
	volatile unsigned done, wrong_status, wrong_data;
};

/*
 * A blk.qdepth completion, checked the moment the driver reports it: its own status and,
 * for a read, its own buffer. A driver that completes a request for another one (a
 * misdirected completion) hands the planted error to the wrong request, or reports a
 * read done before its data is there.
 */
static void blk_qd_done(struct hv_blkreq *rq)
{
	struct blk_slot *sl = (struct blk_slot *)rq;
	struct blk_qd *q = sl->qd;
	if (rq->status != sl->want)
		q->wrong_status++;
	else if (rq->op == HV_BLK_READ && !rq->status &&
		 blk_first_bad(q->bd, rq->buf, rq->lba, q->n, sl->gen) >= 0)
		q->wrong_data++;
	q->done++;
}

/*
 * Keep the device's whole queue depth in flight: 8 rounds of queue_depth 4 KiB requests,
 * writes at distinct scattered LBAs (each its own generation) then reads of them, every
 * completion checked as it comes. The writes stay clear of the sectors blk.eio_lba and
 * blk.eio_wlba name; with blk.eio_lba each read round puts one read over it, which alone
 * must fail.
 */
KTEST(blk, qdepth)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	unsigned qd = bd->queue_depth > 64 ? 64 : bd->queue_depth;
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint64_t nchunks = bd->nblocks / n;
	KT_CHECK(t, qd > 0 && nchunks > 4 * (uint64_t)qd, "%s: queue depth %u, %llu blocks", bd->name,
		 qd, (unsigned long long)bd->nblocks);
	size_t bytes = (size_t)qd * n * bd->block_size;
	struct blk_slot *sl = hv_zalloc(qd * sizeof(*sl));
	uint8_t *buf = kdma_alloc(bytes, &bus);
	enum ktest_status st = KTEST_PASS;
	if (!sl || !buf) {
		ktest_msg(t, "no memory");
		st = KTEST_ERROR;
		goto free;
	}
	uint64_t rbad = ktest_param(t, "eio_lba", 0) ? ktest_param_u64(t, "eio_lba", 0) : UINT64_MAX;
	uint64_t wbad = ktest_param(t, "eio_wlba", 0) ? ktest_param_u64(t, "eio_wlba", 0) : UINT64_MAX;
	if (rbad != UINT64_MAX && rbad / (bd->block_size / 512) >= nchunks * n)
		rbad = UINT64_MAX;	/* not on this disk */
	uint64_t rng = blk_key.seed, t0 = time_us(), total = 0, planted = 0;
	for (int round = 0; round < 8 && st == KTEST_PASS; round++) {
		struct blk_qd q = { .bd = bd, .n = n };
		int reading = round & 1;
		unsigned submitted = 0;
		for (unsigned i = 0; i < qd; i++) {
			struct blk_slot *x = &sl[i];
			uint64_t lba = x->rq.lba, gen = x->gen;	/* reads: what the last round wrote */
			if (!reading) {
				/* distinct chunks, clear of the injected errors */
				for (int tries = 0; tries < 64; tries++) {
					lba = (blk_rand(&rng) % nchunks) * n;
					int clash = blk_covers(bd, lba, n, rbad) || blk_covers(bd, lba, n, wbad);
					for (unsigned k = 0; k < i && !clash; k++)
						clash = sl[k].rq.lba == lba;
					if (!clash)
						break;
				}
			}
			*x = (struct blk_slot){ .rq = { .op = reading ? HV_BLK_READ : HV_BLK_WRITE, .lba = lba,
					       .nblocks = n, .buf = buf + (size_t)i * n * bd->block_size,
					       .buf_bus = bus + (uint64_t)i * n * bd->block_size,
					       .done = blk_qd_done },
					.gen = gen, .qd = &q };
			x->rq.ctx = x;
			if (reading && i == 0 && rbad != UINT64_MAX) {
				/* the one read the host fails: its chunk, not the slot's write */
				x->rq.lba = rbad / (bd->block_size / 512) / n * n;
				x->want = -HV_EIO;
				planted++;
			}
			if (reading)
				memset(x->rq.buf, 0, (size_t)n * bd->block_size);
			else
				x->gen = blk_fill_new(bd, x->rq.buf, lba, n);
			int ret = blk_submit(bd, &x->rq);
			if (ret < 0) {
				ktest_msg(t, "%s: submit %u of %u failed (%d)", bd->name, i, qd, ret);
				st = KTEST_FAIL;
				break;
			}
			submitted++;
		}
		blk_wait(bd, &q.done, submitted, BLK_TIMEOUT_US);
		for (unsigned i = 0; i < q.done && q.done == submitted; i++) {
			blk_account(bd, &sl[i].rq);
			if (!reading && !sl[i].rq.status)
				blk_report_write(bd, sl[i].rq.lba, n, sl[i].gen);
		}
		if (q.done != submitted) {
			ktest_msg(t, "%s: round %d: %u of %u completed (by %s within %llu s)", bd->name, round,
				  q.done, submitted, blk_mode_polling() ? "polling" : "interrupt",
				  BLK_TIMEOUT_US / 1000000);
			st = KTEST_FAIL;
		} else if (q.wrong_status || q.wrong_data) {
			ktest_msg(t, "%s: round %d (%s, %u in flight): %u completed with another status than "
				  "their own%s, %u read buffers did not hold their blocks when completed "
				  "(misdirected completions)", bd->name, round, reading ? "reads" : "writes",
				  submitted, q.wrong_status, reading && rbad != UINT64_MAX ?
				  " (one read only covers the injected error)" : "", q.wrong_data);
			st = KTEST_FAIL;
		}
		total += q.done;
	}
	uint64_t us = time_us() - t0;
	ktest_metric(t, "iops", us ? total * 1000000 / us : 0, "iops");
	ktest_metric(t, "depth", qd, "requests");
	ktest_metric(t, "planted_errors", planted, "count");
free:
	if (buf)
		kdma_free(buf, bytes);
	hv_free(sl);
	return st;
}

/*
 * Errors injected by QEMU's blkdebug, each where the host put it: with blk.eio_lba=L a read
 * covering L fails with -HV_EIO, twice, while reads beside it succeed; with blk.eio_wlba=W
 * (a write_aio rule with iotype write) a write covering W fails and a write beside it and a
 * read of W succeed; with blk.eio_flush=1 (a once=on flush rule) the first flush fails and
 * the next one succeeds. The device keeps working after each.
 */
KTEST(blk, errors)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	const char *rlba = ktest_param(t, "eio_lba", 0), *wlba = ktest_param(t, "eio_wlba", 0);
	const uint64_t flush = ktest_param_u64(t, "eio_flush", 0);
	if (!rlba && !wlba && !flush) {
		ktest_msg(t, "blk.eio_lba=, blk.eio_wlba= or blk.eio_flush=1 not given (no error injection configured)");
		return KTEST_SKIP;
	}
	uint8_t *buf = kdma_alloc(4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	if (wlba) {
		uint64_t w = ktest_param_u64(t, "eio_wlba", 0);
		blk_fill_new(bd, buf, w, 1);
		int w1 = blk_io(bd, HV_BLK_WRITE, w, 1, buf, bus);
		uint64_t gen = blk_fill_new(bd, buf, w + 1, 1);
		int w2 = blk_io(bd, HV_BLK_WRITE, w + 1, 1, buf, bus);
		if (w2 == 0)
			blk_report_write(bd, w + 1, 1, gen);
		int w3 = blk_io(bd, HV_BLK_READ, w, 1, buf, bus);
		if (w1 != -HV_EIO || w2 != 0 || w3 != 0) {
			ktest_msg(t, "%s: write at %llu gave %d, the write beside it %d, a read of it %d",
				  bd->name, (unsigned long long)w, w1, w2, w3);
			st = KTEST_FAIL;
		}
	}
	if (flush && st == KTEST_PASS) {
		int f1 = blk_io(bd, HV_BLK_FLUSH, 0, 0, buf, bus);
		int f2 = blk_io(bd, HV_BLK_FLUSH, 0, 0, buf, bus);
		if (f1 != -HV_EIO || f2 != 0) {
			ktest_msg(t, "%s: injected flush error: first flush gave %d, the next %d%s", bd->name,
				  f1, f2, f1 == 0 ? " (the failing flush never reached the device)" : "");
			st = KTEST_FAIL;
		}
	}
	if (!rlba || st != KTEST_PASS)
		goto out;
	uint64_t bad = ktest_param_u64(t, "eio_lba", 0);
	int r1 = blk_io(bd, HV_BLK_READ, bad, 1, buf, bus);
	int r2 = bad > 0 ? blk_io(bd, HV_BLK_READ, bad - 1, 1, buf, bus) : 0;
	int r3 = blk_io(bd, HV_BLK_READ, bad + 1, 1, buf, bus);
	int r4 = blk_io(bd, HV_BLK_READ, bad, 1, buf, bus);
	if (r1 != -HV_EIO || r4 != -HV_EIO || r2 != 0 || r3 != 0) {
		ktest_msg(t, "%s: read at %llu gave %d then %d, neighbours %d and %d", bd->name,
			  (unsigned long long)bad, r1, r4, r2, r3);
		st = KTEST_FAIL;
	}
out:
	kdma_free(buf, 4096);
	return st;
}

static void blk_intr_done(struct hv_blkreq *rq)
{
	*(volatile int *)rq->ctx = 1;
}

static void blk_intr_wake(void *arg)
{
	*(volatile int *)arg = 1;
}

/* Completion by interrupt (manual: name it, e.g. test=blk,blk.intr): 64 reads of 4 KiB,
 * each waited for with HLT and never polled, must each complete within 2 s, that is from
 * the driver's interrupt handler. */
KTEST_MANUAL(blk, intr)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint8_t *buf = kdma_alloc(4096, &bus);
	struct hv_blkreq *rq = hv_zalloc(sizeof(*rq));
	enum ktest_status st = KTEST_PASS;
	unsigned by_intr = 0;
	if (!buf || !rq) {
		ktest_msg(t, "no memory");
		st = KTEST_ERROR;
		goto out;
	}
	for (int i = 0; i < 64 && st == KTEST_PASS; i++) {
		volatile int done = 0, expired = 0;
		struct hv_timer deadline = { 0 };

		*rq = (struct hv_blkreq){ .op = HV_BLK_READ, .lba = (uint64_t)i * n % bd->nblocks,
					  .nblocks = n, .buf = buf, .buf_bus = bus,
					  .done = blk_intr_done, .ctx = (void *)&done };
		int r = bd->ops->submit(bd, rq);
		if (r < 0) {
			ktest_msg(t, "%s: submit failed (%d)", bd->name, r);
			st = KTEST_FAIL;
			break;
		}
		hv_timer_start(&deadline, 2000000, blk_intr_wake, (void *)&expired);
		for (;;) {	/* STI;HLT cannot lose the wake-up (see blkdev_submit_wait) */
			cpu_cli();
			if (done || expired) {
				cpu_sti();
				break;
			}
			__asm__ volatile("sti; hlt" ::: "memory");
		}
		hv_timer_cancel(&deadline);
		if (done) {
			by_intr++;
			blk_account(bd, rq);
			if (rq->status) {
				ktest_msg(t, "%s: read %d failed (%d)", bd->name, i, rq->status);
				st = KTEST_FAIL;
			}
			continue;
		}
		ktest_msg(t, "%s: read %d did not complete by interrupt within 2 s", bd->name, i);
		st = KTEST_FAIL;
		/* Reap it by polling so nothing is in flight when the request is freed. */
		for (uint64_t w = time_us(); !done && bd->ops->poll && time_us() - w < BLK_TIMEOUT_US; )
			bd->ops->poll(bd);
		if (done)
			blk_account(bd, rq);
		if (!done) {
			rq = NULL;	/* still the driver's: leak it rather than free it */
			buf = NULL;
		}
	}
	ktest_metric(t, "completed_by_interrupt", by_intr, "count");
out:
	if (buf)
		kdma_free(buf, 4096);
	hv_free(rq);
	return st;
}

/* Completion by polling (manual: test=blk,blk.poll): 64 reads of 4 KiB with interrupts
 * off on this CPU, so only the driver's poll function can complete them; each within 2 s. */
KTEST_MANUAL(blk, poll)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	if (!bd->ops->poll) {
		ktest_msg(t, "%s: the driver has no poll function", bd->name);
		return KTEST_FAIL;
	}
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint8_t *buf = kdma_alloc(4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	unsigned polled = 0;
	int on = cpu_irq_save();
	for (int i = 0; i < 64 && st == KTEST_PASS; i++) {
		volatile int done = 0;
		struct hv_blkreq rq = { .op = HV_BLK_READ, .lba = (uint64_t)i * n % bd->nblocks,
					.nblocks = n, .buf = buf, .buf_bus = bus,
					.done = blk_intr_done, .ctx = (void *)&done };
		int r = bd->ops->submit(bd, &rq);
		if (r < 0) {
			ktest_msg(t, "%s: submit failed (%d)", bd->name, r);
			st = KTEST_FAIL;
			break;
		}
		for (uint64_t w = time_us(); !done && time_us() - w < 2000000; )
			bd->ops->poll(bd);
		if (!done) {
			/* The request is still the driver's: wait for it with interrupts on. */
			cpu_irq_restore(on);
			for (uint64_t w = time_us(); !done && time_us() - w < BLK_TIMEOUT_US; )
				bd->ops->poll(bd);
			ktest_msg(t, "%s: read %d did not complete by polling within 2 s", bd->name, i);
			return KTEST_FAIL;	/* buf stays allocated if the request is still out */
		}
		polled++;
		blk_account(bd, &rq);
		if (rq.status) {
			ktest_msg(t, "%s: read %d failed (%d)", bd->name, i, rq.status);
			st = KTEST_FAIL;
		}
	}
	cpu_irq_restore(on);
	ktest_metric(t, "completed_by_polling", polled, "count");
	kdma_free(buf, 4096);
	return st;
}

/* A device event while in use (manual: test=blk.resize): the host grows the disk at sync
 * point blkresize (QMP block_resize). A SCSI disk then answers the next command with UNIT
 * ATTENTION (capacity data has changed), NVMe raises an event: either way, writes and
 * reads right after must succeed and read back what was written. */
KTEST_MANUAL(blk, resize)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint8_t *buf = kdma_alloc(4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	int r = blk_io(bd, HV_BLK_READ, 0, n, buf, bus);
	if (r == 0 && hvr_sync("blkresize") < 0) {
		ktest_msg(t, "the host did not answer the blkresize sync point");
		st = KTEST_ERROR;
	}
	for (uint64_t lba = 0; r == 0 && st == KTEST_PASS && lba < 8 * (uint64_t)n; lba += n) {
		uint64_t gen = blk_fill_new(bd, buf, lba, n);
		r = blk_io(bd, HV_BLK_WRITE, lba, n, buf, bus);
		if (r == 0) {
			blk_report_write(bd, lba, n, gen);
			memset(buf, 0, 4096);
			r = blk_io(bd, HV_BLK_READ, lba, n, buf, bus);
		}
		if (r == 0 && blk_first_bad(bd, buf, lba, n, gen) >= 0) {
			ktest_msg(t, "%s: block %llu read back wrong", bd->name, (unsigned long long)lba);
			st = KTEST_FAIL;
		}
	}
	if (r != 0) {
		ktest_msg(t, "%s: I/O around the resize failed (%d)", bd->name, r);
		st = KTEST_FAIL;
	}
	kdma_free(buf, 4096);
	return st;
}

/* With blk.slow_dev=NAME, a disk on the same controller whose requests take longer than
 * the driver's command timeout (QEMU null-co with latency-ns): a read there must come back
 * from the driver with -HV_ETIMEDOUT (its abort/reset path), before the suite's own
 * deadline, and the device under test must still write and read back correctly. */
KTEST(blk, timeout)
{
	struct hv_blkdev *bd = blk_pick(t);
	const char *slow_name = ktest_param(t, "slow_dev", 0);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	if (!slow_name) {
		ktest_msg(t, "blk.slow_dev= not given (no slow disk configured)");
		return KTEST_SKIP;
	}
	struct hv_blkdev *slow = blkdev_find(slow_name);
	KT_CHECK(t, slow && slow != bd, "blk.slow_dev=%s: no such blkdev, or it is blk.dev", slow_name);
	ktest_expect_recovery(t);	/* the timeout is the host's, on purpose */
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint8_t *buf = kdma_alloc(4096, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	uint64_t t0 = time_us();
	int r = blk_io(slow, HV_BLK_READ, 0, 1, buf, bus);
	uint64_t us = time_us() - t0;
	ktest_metric(t, "timeout_ms", us / 1000, "ms");
	if (r != -HV_ETIMEDOUT || us >= BLK_TIMEOUT_US) {
		ktest_msg(t, "%s: read gave %d after %llu ms; expected -%d from the driver within %llu ms",
			  slow->name, r, (unsigned long long)(us / 1000), HV_ETIMEDOUT,
			  (unsigned long long)(BLK_TIMEOUT_US / 1000));
		st = KTEST_FAIL;
	}
	uint64_t gen = blk_fill_new(bd, buf, 8, n);
	r = blk_io(bd, HV_BLK_WRITE, 8, n, buf, bus);
	if (r == 0) {
		blk_report_write(bd, 8, n, gen);
		memset(buf, 0, 4096);
		r = blk_io(bd, HV_BLK_READ, 8, n, buf, bus);
	}
	if (r != 0 || blk_first_bad(bd, buf, 8, n, gen) >= 0) {
		ktest_msg(t, "%s: after the timeout: %s %d", bd->name, r ? "error" : "wrong data", r);
		st = KTEST_FAIL;
	}
	kdma_free(buf, 4096);
	return st;
}

/* Sequential read and write throughput: blk.bench_mib MiB (default 64) in 1 MiB requests at
 * queue depth 1, as the Linux baseline measures it. */
KTEST(blk, seqbench)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus;

	if (!bd)
		return KTEST_SKIP;
	uint64_t mib = ktest_param_u64(t, "bench_mib", 64);
	uint32_t n = BLK_MAX_BYTES / bd->block_size;
	if (mib * n > bd->nblocks)
		mib = bd->nblocks / n;
	KT_CHECK(t, mib > 0, "%s is smaller than 1 MiB", bd->name);
	uint8_t *buf = kdma_alloc(BLK_MAX_BYTES, &bus);
	KT_CHECK(t, buf, "no DMA memory");
	enum ktest_status st = KTEST_PASS;
	uint64_t t0 = time_us();
	for (uint64_t i = 0; i < mib && st == KTEST_PASS; i++)
		if (blk_io(bd, HV_BLK_READ, i * n, n, buf, bus) != 0)
			st = KTEST_FAIL;
	uint64_t rus = time_us() - t0, wus = 0;
	/* Each write carries the pattern (filled outside the timed part), so the host checks
	 * these blocks too. */
	for (uint64_t i = 0; i < mib && st == KTEST_PASS; i++) {
		uint64_t gen = blk_fill_new(bd, buf, i * n, n);
		t0 = time_us();
		int r = blk_io(bd, HV_BLK_WRITE, i * n, n, buf, bus);
		wus += time_us() - t0;
		if (r != 0)
			st = KTEST_FAIL;
		else
			blk_report_write(bd, i * n, n, gen);
	}
	kdma_free(buf, BLK_MAX_BYTES);
	if (st != KTEST_PASS) {
		ktest_msg(t, "%s: I/O error during the benchmark", bd->name);
		return st;
	}
	/* MB/s = 10^6 bytes/s, as the baseline reports. */
	ktest_metric(t, "read_MBps", rus ? mib * 1048576 / rus : 0, "MB/s");
	ktest_metric(t, "write_MBps", wus ? mib * 1048576 / wus : 0, "MB/s");
	return KTEST_PASS;
}

/* Completion of a random-read slot: the flag tells the submitter the slot is free; the
 * request's done field stays set until the submitter has counted it. */
static void blk_rand_done(struct hv_blkreq *rq)
{
	*(volatile uint8_t *)rq->ctx = 1;
}

static void blk_rand_expire(void *arg)
{
	*(volatile int *)arg = 1;
}

/* Every slot in flight: halt until an interrupt (a completion, or the deadline), unless a
 * slot finished since the scan (checked with interrupts off, so one finishing after the
 * check stays pending and ends the HLT). Under TCG a vCPU spinning here takes a host CPU
 * from QEMU's I/O threads: QD32 measured 2x slower spinning (ceil.wait=spin against
 * ceil.wait=halt in the ceiling probes, docs/testing.md). */
static void blk_rand_halt(volatile uint8_t *slot_done, unsigned qd)
{
	int on = cpu_irq_save();
	unsigned i = 0;

	while (i < qd && !slot_done[i])
		i++;
	if (i == qd)
		__asm__ volatile("sti; hlt" ::: "memory");
	cpu_irq_restore(on);
}

/* 4 KiB random reads over the first blk.bench_mib MiB: IOPS at queue depth 1 and at 32
 * (or the device's depth when smaller), blk.rand_ops requests each (default 4000). */
KTEST(blk, randbench)
{
	struct hv_blkdev *bd = blk_pick(t);
	uint64_t bus, rng;

	if (!bd)
		return KTEST_SKIP;
	const uint64_t ops = ktest_param_u64(t, "rand_ops", 4000);
	uint32_t n = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint64_t span = ktest_param_u64(t, "bench_mib", 64) * 1048576 / bd->block_size / n;
	if (span * n > bd->nblocks)
		span = bd->nblocks / n;
	unsigned qd = bd->queue_depth < 32 ? bd->queue_depth : 32;
	KT_CHECK(t, span > 0 && qd > 0, "%s is too small", bd->name);
	uint8_t *buf = kdma_alloc((size_t)qd * 4096, &bus);
	struct hv_blkreq *rq = hv_zalloc(qd * sizeof(*rq));
	enum ktest_status st = KTEST_PASS;
	if (!buf || !rq) {
		ktest_msg(t, "no memory");
		st = KTEST_ERROR;
		goto out;
	}
	rng = blk_key.seed;
	uint64_t t0 = time_us();
	for (uint64_t i = 0; i < ops && st == KTEST_PASS; i++)
		if (blk_io(bd, HV_BLK_READ, (blk_rand(&rng) % span) * n, n, buf, bus) != 0)
			st = KTEST_FAIL;
	uint64_t us1 = time_us() - t0;
	/* Queue depth qd: keep qd requests in flight; each slot is resubmitted as soon as its
	 * own completion is seen. */
	static volatile uint8_t slot_done[64];
	uint64_t submitted = 0, completed = 0, errors = 0;
	t0 = time_us();
	for (unsigned i = 0; i < qd; i++)
		slot_done[i] = 1;	/* every slot starts free */
	volatile int expired = 0;
	struct hv_timer deadline = { 0 };
	if (!blk_mode_polling())	/* ends the HLT below if interrupts stop coming */
		hv_timer_start(&deadline, 60000000, blk_rand_expire, (void *)&expired);
	while (st == KTEST_PASS && completed < ops && time_us() - t0 < 60000000 && !expired) {
		bool idle = true;
		blk_kick(bd);
		for (unsigned i = 0; i < qd; i++) {
			if (!slot_done[i])
				continue;
			idle = false;
			if (rq[i].done) {
				completed++;
				blk_account(bd, &rq[i]);
				errors += rq[i].status != 0;
				rq[i].done = 0;
			}
			if (submitted >= ops)
				continue;
			slot_done[i] = 0;
			rq[i] = (struct hv_blkreq){ .op = HV_BLK_READ, .lba = (blk_rand(&rng) % span) * n,
						   .nblocks = n, .buf = buf + (size_t)i * 4096,
						   .buf_bus = bus + (uint64_t)i * 4096, .done = blk_rand_done,
						   .ctx = (void *)&slot_done[i] };
			if (blk_submit(bd, &rq[i]) < 0) {
				st = KTEST_FAIL;
				break;
			}
			submitted++;
		}
		if (idle && !blk_mode_polling())
			blk_rand_halt(slot_done, qd);
	}
	if (!blk_mode_polling())
		hv_timer_cancel(&deadline);
	uint64_t usq = time_us() - t0;
	/* Nothing may still be in flight when the buffers go. */
	for (uint64_t w = time_us(); time_us() - w < 10000000; ) {
		unsigned busy = 0;
		for (unsigned i = 0; i < qd; i++)
			busy += !slot_done[i];
		if (!busy)
			break;
		blk_kick(bd);
	}
	if (st == KTEST_PASS && (completed < ops || errors)) {
		ktest_msg(t, "%s: %llu of %llu completed, %llu errors", bd->name, (unsigned long long)completed,
			  (unsigned long long)ops, (unsigned long long)errors);
		st = KTEST_FAIL;
	}
	ktest_metric(t, "iops_qd1", us1 ? ops * 1000000 / us1 : 0, "iops");
	ktest_metric(t, "iops_qd", usq ? completed * 1000000 / usq : 0, "iops");
	ktest_metric(t, "qd", qd, "requests");
out:
	kdma_free(buf, (size_t)qd * 4096);
	hv_free(rq);
	return st;
}
