/*
 * The storage soak (blk.soak): for blk.soak_s seconds, mixed writes, reads and flushes at
 * the disk's full queue depth (at most BLK_SOAK_SLOTS) over extents spread across the whole
 * disk. Every write carries a new generation; a read is of an extent whose last write
 * completed, checked against that generation the moment it completes; reads and writes
 * over the sectors where the host injects errors are planted among them and must fail, all
 * others must succeed; an extent is never in flight twice. A wait of BLK_SOAK_STALL_US
 * without a completion is a stall. blk.soak_attach times (default 2), spread over the
 * soak, the load pauses until nothing is in flight, the disk's driver is detached and
 * attached again, and the load goes on on the disk it registers anew (same capacity and
 * block size, a new name; its requests count as the old disk's, blk_counts_alias). At the
 * end the last write of every extent is reported for the host's image check, and the
 * suite's counts go to blk.stats.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/blkpart.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>

#include "blk_soak.h"
#include "blkgen.h"
#include "blkio.h"

#define BLK_SOAK_SLOTS		32
#define BLK_SOAK_EXTENTS	512
#define BLK_SOAK_MAX_UNITS	8		/* an extent: 1..8 units of 4 KiB */
#define BLK_SOAK_STALL_US	10000000ull

struct blk_soak;

struct blk_soak_slot {
	struct hv_blkreq rq;		/* first: the completion finds the slot from it */
	struct blk_soak *s;
	int extent;			/* -1: a flush or a planted error */
	int want;			/* the status it must end with */
	uint64_t gen;			/* written, or expected back */
	volatile int busy;
	uint8_t *buf;
	uint64_t bus;
};

struct blk_soak_extent {
	uint64_t lba, gen;		/* gen 0: never written */
	uint32_t n;
	int busy;
};

struct blk_soak {
	struct hv_blkdev *bd;
	struct blk_soak_slot slot[BLK_SOAK_SLOTS];
	struct blk_soak_extent ext[BLK_SOAK_EXTENTS];
	volatile unsigned completed;
	volatile unsigned wrong_status, wrong_data;
	struct {				/* the first request that ended wrong */
		int op, status, want;
		uint64_t lba;
		uint32_t n;
	} first_wrong;
	uint64_t reads, writes, flushes, planted, bytes;
};

static void blk_soak_done(struct hv_blkreq *rq)
{
	struct blk_soak_slot *sl = (struct blk_soak_slot *)rq;
	struct blk_soak *s = sl->s;

	if (rq->status != sl->want) {
		if (!s->wrong_status++) {
			s->first_wrong.op = rq->op;
			s->first_wrong.status = rq->status;
			s->first_wrong.want = sl->want;
			s->first_wrong.lba = rq->lba;
			s->first_wrong.n = rq->nblocks;
		}
	}
	else if (rq->op == HV_BLK_READ && sl->extent >= 0 &&
		 blk_first_bad(s->bd, rq->buf, rq->lba, rq->nblocks, sl->gen) >= 0)
		s->wrong_data++;
	sl->busy = 0;
	s->completed++;
}

/* Extents across the whole disk, disjoint, clear of the injected errors. */
static void blk_soak_extents(struct blk_soak *s, uint64_t *rng, uint64_t rbad, uint64_t wbad)
{
	struct hv_blkdev *bd = s->bd;
	uint32_t unit = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint64_t region = bd->nblocks / BLK_SOAK_EXTENTS;	/* one extent per region */

	for (int i = 0; i < BLK_SOAK_EXTENTS; i++) {
		struct blk_soak_extent *e = &s->ext[i];

		e->n = unit * (uint32_t)(1 + blk_rand(rng) % BLK_SOAK_MAX_UNITS);
		if (e->n > region)
			e->n = (uint32_t)region;
		e->lba = (uint64_t)i * region + blk_rand(rng) % (region - e->n + 1);
		if (blk_covers(bd, e->lba, e->n, rbad) || blk_covers(bd, e->lba, e->n, wbad))
			e->n = 0;	/* unused */
		e->gen = 0;
		e->busy = 0;
	}
}

/* The next request for free slot sl. */
static void blk_soak_pick(struct blk_soak *s, struct blk_soak_slot *sl, uint64_t *rng,
			  uint64_t rbad, uint64_t wbad)
{
	struct hv_blkdev *bd = s->bd;
	uint32_t unit = 4096 / bd->block_size ? 4096 / bd->block_size : 1;
	uint64_t r = blk_rand(rng) % 100;

	sl->extent = -1;
	sl->want = 0;
	sl->rq = (struct hv_blkreq){ .buf = sl->buf, .buf_bus = sl->bus, .done = blk_soak_done,
				     .ctx = sl };
	if (r < 2 && (rbad != UINT64_MAX || wbad != UINT64_MAX)) {
		/* a planted error: the host fails every read or write over that sector */
		int rd = rbad != UINT64_MAX && (wbad == UINT64_MAX || (r & 1));
		uint64_t sector = rd ? rbad : wbad;

		sl->rq.op = rd ? HV_BLK_READ : HV_BLK_WRITE;
		sl->rq.lba = sector / (bd->block_size / 512) / unit * unit;
		sl->rq.nblocks = unit;
		if (sl->rq.lba + unit > bd->nblocks)
			sl->rq.lba = bd->nblocks - unit;
		if (!rd)
			blk_fill_new(bd, sl->buf, sl->rq.lba, unit);
		sl->want = -HV_EIO;
		s->planted++;
		return;
	}
	if (r < 10) {
		sl->rq.op = HV_BLK_FLUSH;
		s->flushes++;
		return;
	}
	int i = (int)(blk_rand(rng) % BLK_SOAK_EXTENTS);
	for (int k = 0; k < BLK_SOAK_EXTENTS && (s->ext[i].busy || !s->ext[i].n); k++)
		i = (i + 1) % BLK_SOAK_EXTENTS;
	struct blk_soak_extent *e = &s->ext[i];
	if (e->busy || !e->n) {		/* every extent in flight: a flush instead */
		sl->rq.op = HV_BLK_FLUSH;
		s->flushes++;
		return;
	}
	e->busy = 1;
	sl->extent = i;
	sl->rq.lba = e->lba;
	sl->rq.nblocks = e->n;
	if (e->gen && r < 55) {
		sl->rq.op = HV_BLK_READ;
		sl->gen = e->gen;
		memset(sl->buf, 0, (size_t)e->n * bd->block_size);
		s->reads++;
	} else {
		sl->rq.op = HV_BLK_WRITE;
		sl->gen = blk_fill_new(bd, sl->buf, e->lba, e->n);
		s->writes++;
	}
	s->bytes += (uint64_t)e->n * bd->block_size;
}

/* The disk (not a partition) of PCI function d, or NULL. */
static struct hv_blkdev *blk_soak_disk_of(const struct pci_dev *d)
{
	for (struct hv_blkdev *x = blkdev_first(); x; x = blkdev_next(x))
		if ((const struct pci_dev *)x->pci == d && !blkdev_parent(x))
			return x;
	return NULL;
}

/*
 * Nothing in flight: detach the disk's driver, attach it again and return the disk it
 * registered, or NULL with a message (then the old disk is gone as well).
 */
static struct hv_blkdev *blk_soak_reattach(struct ktest_ctx *t, struct hv_blkdev *bd,
					    const char *counted_as)
{
	struct pci_dev *d = (struct pci_dev *)bd->pci;
	const uint64_t nblocks = bd->nblocks;
	const uint32_t block_size = bd->block_size;
	char name[16];

	memcpy(name, bd->name, sizeof(name));
	driver_unbind(d);	/* bd is the driver's, and gone */
	if (d->driver || blk_soak_disk_of(d)) {
		ktest_msg(t, "%s: soak: detaching its driver left %s", name,
			  d->driver ? "the driver bound" : "the disk registered");
		return NULL;
	}
	driver_bind_all();
	struct hv_blkdev *nbd = blk_soak_disk_of(d);
	if (!d->driver || !nbd) {
		ktest_msg(t, "%s: soak: after detaching, the driver %s", name,
			  d->driver ? "registered no disk" : "did not attach again");
		return NULL;
	}
	if (nbd->nblocks != nblocks || nbd->block_size != block_size) {
		ktest_msg(t, "%s: soak: attached again as %s with %llu blocks of %u bytes, not %llu of %u",
			  name, nbd->name, (unsigned long long)nbd->nblocks, nbd->block_size,
			  (unsigned long long)nblocks, block_size);
		return NULL;
	}
	blk_counts_alias(nbd->name, counted_as);
	/* Registering the disk read its partition table: QEMU counted those reads too. */
	struct blkpart_scanio io;
	blkpart_last_scan_io(&io);
	blk_account_reads(nbd, io.ok, io.ok_bytes, io.failed, io.failed_bytes);
	return nbd;
}

/* A finished slot: counted, and its extent's state updated. */
static void blk_soak_retire(struct blk_soak *s, struct blk_soak_slot *sl)
{
	blk_account(s->bd, &sl->rq);
	if (sl->extent < 0)
		return;
	struct blk_soak_extent *e = &s->ext[sl->extent];
	if (sl->rq.op == HV_BLK_WRITE)
		e->gen = sl->rq.status ? 0 : sl->gen;	/* a failed write: unknown content */
	e->busy = 0;
	sl->extent = -1;
}

enum ktest_status blk_soak_run(struct ktest_ctx *t, struct hv_blkdev *bd, uint64_t seconds)
{
	struct blk_soak *s = hv_zalloc(sizeof(*s));
	unsigned depth = bd->queue_depth < BLK_SOAK_SLOTS ? bd->queue_depth : BLK_SOAK_SLOTS;
	size_t bufsz = (size_t)BLK_SOAK_MAX_UNITS * 4096;
	uint64_t rbad = ktest_param(t, "eio_lba", 0) ? ktest_param_u64(t, "eio_lba", 0) : UINT64_MAX;
	uint64_t wbad = ktest_param(t, "eio_wlba", 0) ? ktest_param_u64(t, "eio_wlba", 0) : UINT64_MAX;
	uint64_t rng = blk_key.seed ^ 0x534f414bull, max_gap = 0;
	enum ktest_status st = KTEST_PASS;

	if (!s || !depth || bd->nblocks < (uint64_t)BLK_SOAK_EXTENTS * 2 * BLK_SOAK_MAX_UNITS * 8) {
		ktest_msg(t, "%s: %s", bd->name, s ? "too small for the soak, or no queue" : "no memory");
		hv_free(s);
		return s ? KTEST_FAIL : KTEST_ERROR;
	}
	if (rbad != UINT64_MAX && rbad / (bd->block_size / 512) >= bd->nblocks)
		rbad = UINT64_MAX;
	if (wbad != UINT64_MAX && wbad / (bd->block_size / 512) >= bd->nblocks)
		wbad = UINT64_MAX;
	s->bd = bd;
	blk_soak_extents(s, &rng, rbad, wbad);
	for (unsigned i = 0; i < depth; i++) {
		s->slot[i].s = s;
		s->slot[i].extent = -1;
		s->slot[i].buf = kdma_alloc(bufsz, &s->slot[i].bus);
		if (!s->slot[i].buf) {
			ktest_msg(t, "no DMA memory");
			st = KTEST_ERROR;
			depth = i;
			goto free;
		}
	}
	uint64_t t0 = time_us(), end = t0 + seconds * 1000000, last = t0;
	unsigned seen = 0;
	int draining = 0, quiesce = 0;
	/* Attach rounds on a whole disk with a driver behind it; the first spread over the soak. */
	const uint64_t rounds = blkdev_parent(bd) || !bd->pci ? 0 : ktest_param_u64(t, "soak_attach", 2);
	uint64_t attaches = 0, next_attach = t0 + seconds * 1000000 / (rounds + 1);
	char counted_as[16];
	memcpy(counted_as, bd->name, sizeof(counted_as));
	for (;;) {
		unsigned busy = 0;
		draining = draining || time_us() >= end || s->wrong_status || s->wrong_data;
		quiesce = quiesce || (!draining && attaches < rounds && time_us() >= next_attach);
		for (unsigned i = 0; i < depth; i++) {
			struct blk_soak_slot *sl = &s->slot[i];
			if (sl->busy) {
				busy++;
				continue;
			}
			if (sl->rq.done) {	/* finished since we last looked */
				blk_soak_retire(s, sl);
				sl->rq.done = 0;
			}
			if (draining || quiesce)
				continue;
			blk_soak_pick(s, sl, &rng, rbad, wbad);
			sl->busy = 1;
			int ret = blk_submit(bd, &sl->rq);
			if (ret < 0) {
				sl->busy = 0;
				sl->rq.done = 0;
				if (sl->extent >= 0)
					s->ext[sl->extent].busy = 0;
				ktest_msg(t, "%s: soak: submit failed (%d)", bd->name, ret);
				st = KTEST_FAIL;
				draining = 1;
				continue;
			}
			busy++;
		}
		if (draining && !busy)
			break;
		if (quiesce && !busy) {
			struct hv_blkdev *nbd = blk_soak_reattach(t, bd, counted_as);
			if (!nbd) {
				st = KTEST_FAIL;
				goto free;	/* nothing in flight; the disk is gone */
			}
			s->bd = bd = nbd;
			attaches++;
			next_attach = t0 + (attaches + 1) * seconds * 1000000 / (rounds + 1);
			quiesce = 0;
			last = time_us();
			continue;
		}
		/* Wait for the next completion, in the configuration's way. */
		if (blk_wait(bd, &s->completed, seen + 1, BLK_SOAK_STALL_US) < 0) {
			ktest_msg(t, "%s: soak stalled: no completion for %llu s with %u requests in flight "
				  "(after %llu requests)", bd->name, BLK_SOAK_STALL_US / 1000000, busy,
				  (unsigned long long)s->completed);
			st = KTEST_FAIL;
			goto keep_buffers;	/* the driver still owns them */
		}
		uint64_t now = time_us();
		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
		seen = s->completed;
	}
	if (st == KTEST_PASS && (s->wrong_status || s->wrong_data)) {
		ktest_msg(t, "%s: soak: %u requests ended with another status than their own (first: "
			  "%s of %u at LBA %llu ended %d, not %d), %u reads did not hold their "
			  "extent's last write (of %llu requests)", bd->name, s->wrong_status,
			  s->first_wrong.op == HV_BLK_READ ? "read" : s->first_wrong.op == HV_BLK_WRITE ?
			  "write" : "flush", s->first_wrong.n, (unsigned long long)s->first_wrong.lba,
			  s->first_wrong.status, s->first_wrong.want, s->wrong_data,
			  (unsigned long long)s->completed);
		st = KTEST_FAIL;
	}
	for (int i = 0; i < BLK_SOAK_EXTENTS; i++)
		if (s->ext[i].gen)
			blk_report_write(bd, s->ext[i].lba, s->ext[i].n, s->ext[i].gen);
	ktest_metric(t, "requests", s->completed, "count");
	ktest_metric(t, "bytes", s->bytes, "bytes");
	ktest_metric(t, "reads", s->reads, "count");
	ktest_metric(t, "writes", s->writes, "count");
	ktest_metric(t, "flushes", s->flushes, "count");
	ktest_metric(t, "planted_errors", s->planted, "count");
	ktest_metric(t, "attaches", attaches, "count");
	ktest_metric(t, "max_gap_ms", max_gap / 1000, "ms");
	ktest_metric(t, "seconds", (time_us() - t0) / 1000000, "s");
free:
	for (unsigned i = 0; i < depth; i++)
		kdma_free(s->slot[i].buf, bufsz);
	hv_free(s);
	return st;
keep_buffers:
	return st;
}
