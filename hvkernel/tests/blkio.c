/* The storage suite's requests: submission, waiting and counting (blkio.h). */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/mem.h>
#include <hv/time.h>
#include <kern/blkdev.h>
#include <kern/blkrecov.h>
#include <kern/hvr.h>
#include <kern/string.h>
#include <kern/time.h>

#include "blkio.h"

#define BLK_COUNTED_DISKS	8

static int blk_polling;

static struct {
	char name[16];
	uint32_t block_size;
	struct blk_counts c;
} blk_counted[BLK_COUNTED_DISKS];

int blk_mode_init(struct ktest_ctx *t, struct hv_blkdev *bd)
{
	const char *mode = ktest_param(t, "wait", "intr");

	if (!strcmp(mode, "intr")) {
		blk_polling = 0;
	} else if (!strcmp(mode, "poll")) {
		blk_polling = 1;
		if (!bd->ops->poll) {
			ktest_msg(t, "blk.wait=poll: %s has no poll function", bd->name);
			return -1;
		}
	} else {
		ktest_msg(t, "blk.wait=%s: expected intr or poll", mode);
		return -1;
	}
	return 0;
}

int blk_mode_polling(void)
{
	return blk_polling;
}

/* One-shot timer: wakes a halted wait so that it notices its deadline. */
static void blk_wake(void *arg)
{
	*(volatile int *)arg = 1;
}

int blk_wait(struct hv_blkdev *bd, volatile unsigned *count, unsigned want, uint64_t timeout_us)
{
	if (blk_polling) {
		int on = cpu_irq_save();

		for (uint64_t t0 = time_us(); *count < want && time_us() - t0 < timeout_us; )
			bd->ops->poll(bd);
		cpu_irq_restore(on);
	} else {
		volatile int expired = 0;
		struct hv_timer deadline = { 0 };

		hv_timer_start(&deadline, timeout_us, blk_wake, (void *)&expired);
		for (;;) {	/* STI;HLT cannot lose the wake-up (APM vol. 3, STI) */
			cpu_cli();
			if (*count >= want || expired) {
				cpu_sti();
				break;
			}
			__asm__ volatile("sti; hlt" ::: "memory");
		}
		hv_timer_cancel(&deadline);
	}
	return *count >= want ? 0 : -HV_ETIMEDOUT;
}

int blk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	volatile int expired = 0;
	struct hv_timer deadline = { 0 };
	int ret, armed = 0;

	for (;;) {
		/* Interrupt mode: the retry and the HLT under one CLI, so that a completion
		 * between a full queue and the HLT still wakes us (APM vol. 3, STI). */
		int on = cpu_irq_save();

		ret = bd->ops->submit(bd, rq);
		if (ret != -HV_EAGAIN || expired) {
			cpu_irq_restore(on);
			break;
		}
		if (blk_polling) {
			bd->ops->poll(bd);
			cpu_irq_restore(on);
			continue;
		}
		if (!armed) {
			cpu_irq_restore(on);
			hv_timer_start(&deadline, BLK_TIMEOUT_US, blk_wake, (void *)&expired);
			armed = 1;
			continue;
		}
		__asm__ volatile("sti; hlt" ::: "memory");
		cpu_irq_restore(on);
	}
	if (armed)
		hv_timer_cancel(&deadline);
	return ret == -HV_EAGAIN ? -HV_ETIMEDOUT : ret;	/* the queue never drained */
}

static struct hv_blkdev *blk_disk_of(const struct hv_blkdev *bd)
{
	struct hv_blkdev *d = blkdev_parent((struct hv_blkdev *)bd);

	return d ? d : (struct hv_blkdev *)bd;
}

#define BLK_ALIASES	32

static struct {
	char now[16];
	int slot;
} blk_alias[BLK_ALIASES];

static int blk_alias_slot(const char *name)
{
	for (int i = 0; i < BLK_ALIASES && blk_alias[i].now[0]; i++)
		if (!strcmp(blk_alias[i].now, name))
			return blk_alias[i].slot;
	return -1;
}

static struct blk_counts *blk_counts_slot(const struct hv_blkdev *disk, int add)
{
	int a = blk_alias_slot(disk->name);

	if (a >= 0)
		return &blk_counted[a].c;
	for (int i = 0; i < BLK_COUNTED_DISKS; i++) {
		if (blk_counted[i].name[0] && !strcmp(blk_counted[i].name, disk->name))
			return &blk_counted[i].c;
		if (!blk_counted[i].name[0] && add) {
			memcpy(blk_counted[i].name, disk->name, sizeof(blk_counted[i].name));
			blk_counted[i].name[sizeof(blk_counted[i].name) - 1] = 0;
			blk_counted[i].block_size = disk->block_size;
			return &blk_counted[i].c;
		}
	}
	return NULL;
}

void blk_account(const struct hv_blkdev *bd, const struct hv_blkreq *rq)
{
	struct blk_counts *c = blk_counts_slot(blk_disk_of(bd), 1);
	uint64_t bytes = (uint64_t)rq->nblocks * bd->block_size;

	if (!c)
		return;
	switch (rq->op) {
	case HV_BLK_READ:
		if (rq->status)
			c->rd_failed++, c->rd_failed_bytes += bytes;
		else
			c->rd_ops++, c->rd_bytes += bytes;
		break;
	case HV_BLK_WRITE:
		if (rq->status)
			c->wr_failed++, c->wr_failed_bytes += bytes;
		else
			c->wr_ops++, c->wr_bytes += bytes;
		break;
	default:
		if (rq->status)
			c->fl_failed++;
		else
			c->fl_ops++;
		break;
	}
}

void blk_account_reads(const struct hv_blkdev *bd, uint64_t ok, uint64_t ok_bytes, uint64_t failed,
		       uint64_t failed_bytes)
{
	struct blk_counts *c = blk_counts_slot(blk_disk_of(bd), 1);

	if (!c)
		return;
	c->rd_ops += ok, c->rd_bytes += ok_bytes;
	c->rd_failed += failed, c->rd_failed_bytes += failed_bytes;
}

const struct blk_counts *blk_counts_of(const struct hv_blkdev *bd)
{
	return blk_counts_slot(blk_disk_of(bd), 0);
}

void blk_counts_alias(const char *now, const char *was)
{
	int slot = blk_alias_slot(was);

	for (int i = 0; slot < 0 && i < BLK_COUNTED_DISKS && blk_counted[i].name[0]; i++)
		if (!strcmp(blk_counted[i].name, was))
			slot = i;
	if (slot < 0)
		return;		/* nothing counted for was yet: now counts on its own */
	for (int i = 0; i < BLK_ALIASES; i++) {
		if (!blk_alias[i].now[0]) {
			memcpy(blk_alias[i].now, now, sizeof(blk_alias[i].now));
			blk_alias[i].now[sizeof(blk_alias[i].now) - 1] = 0;
			blk_alias[i].slot = slot;
			return;
		}
	}
}

/* The reissues of counted disk i's driver, under its name and every alias of it. */
static void blk_counts_reissued(int i, struct blkrecov_reissued *sum)
{
	struct blkrecov_reissued r;

	blkrecov_reissued_of(blk_counted[i].name, sum);
	for (int a = 0; a < BLK_ALIASES && blk_alias[a].now[0]; a++) {
		if (blk_alias[a].slot != i)
			continue;
		blkrecov_reissued_of(blk_alias[a].now, &r);
		sum->rd += r.rd, sum->rd_bytes += r.rd_bytes;
		sum->wr += r.wr, sum->wr_bytes += r.wr_bytes;
		sum->fl += r.fl;
	}
}

void blk_counts_report(void)
{
	for (int i = 0; i < BLK_COUNTED_DISKS && blk_counted[i].name[0]; i++) {
		const struct blk_counts *c = &blk_counted[i].c;

		hvr_begin("blkstats");
		hvr_str("dev", blk_counted[i].name);
		hvr_u64("block_size", blk_counted[i].block_size);
		hvr_u64("rd_ops", c->rd_ops);
		hvr_u64("rd_bytes", c->rd_bytes);
		hvr_u64("wr_ops", c->wr_ops);
		hvr_u64("wr_bytes", c->wr_bytes);
		hvr_u64("fl_ops", c->fl_ops);
		hvr_u64("rd_failed", c->rd_failed);
		hvr_u64("wr_failed", c->wr_failed);
		hvr_u64("fl_failed", c->fl_failed);
		hvr_u64("rd_failed_bytes", c->rd_failed_bytes);
		hvr_u64("wr_failed_bytes", c->wr_failed_bytes);
		/* What the driver sent again (DDK 2.2): the device saw those twice. */
		struct blkrecov_reissued r;
		blk_counts_reissued(i, &r);
		hvr_u64("rd_reissued", r.rd);
		hvr_u64("rd_reissued_bytes", r.rd_bytes);
		hvr_u64("wr_reissued", r.wr);
		hvr_u64("wr_reissued_bytes", r.wr_bytes);
		hvr_u64("fl_reissued", r.fl);
		hvr_end();
	}
}

/*
 * A synchronous request lives in its own heap wrapper: when the wait runs out the driver
 * still owns it, and its late completion must land in memory that is still valid (it then
 * frees the wrapper).
 */
struct blk_sync {
	struct hv_blkreq rq;
	volatile unsigned done;
	volatile int abandoned;
};

static void blk_sync_done(struct hv_blkreq *rq)
{
	struct blk_sync *s = rq->ctx;
	int on = cpu_irq_save();

	if (s->abandoned)
		hv_free(s);
	else
		s->done = 1;
	cpu_irq_restore(on);
}

/* One request waited for; counted (blk_account) when count is set. */
static int blk_io_do(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf,
		     uint64_t bus, int count)
{
	struct blk_sync *s = hv_zalloc(sizeof(*s));

	if (!s)
		return -HV_ENOMEM;
	s->rq = (struct hv_blkreq){ .op = op, .lba = lba, .nblocks = op == HV_BLK_FLUSH ? 0 : n,
				    .buf = buf, .buf_bus = bus, .status = -HV_EIO,
				    .done = blk_sync_done, .ctx = s };
	int ret = blk_submit(bd, &s->rq);
	if (ret < 0) {
		hv_free(s);
		return ret;
	}
	if (blk_wait(bd, &s->done, 1, BLK_TIMEOUT_US) < 0) {
		int on = cpu_irq_save();
		int late = s->done;	/* it may have come in since the wait gave up */

		if (!late)
			s->abandoned = 1;
		cpu_irq_restore(on);
		if (!late)
			return -HV_ETIMEDOUT;
	}
	if (count)
		blk_account(bd, &s->rq);
	ret = s->rq.status;
	hv_free(s);
	return ret;
}

int blk_io(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf, uint64_t bus)
{
	if (op != HV_BLK_FLUSH && (n == 0 || lba >= bd->nblocks || n > bd->nblocks - lba))
		return -HV_ERANGE;
	return blk_io_do(bd, op, lba, n, buf, bus, 1);
}

int blk_io_unchecked(struct hv_blkdev *bd, int op, uint64_t lba, uint32_t n, void *buf,
		     uint64_t bus)
{
	return blk_io_do(bd, op, lba, n, buf, bus, 0);
}
