/*
 * GPT partitions as block devices (kern/blkpart.h). A partition forwards each request to its
 * disk with the LBA moved by the partition's start, after checking it lies inside the
 * partition: nothing outside the partition ever reaches the disk from here. Each partition
 * keeps a pool of queue_depth forwarding slots, so the I/O path never allocates.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/mem.h>
#include <kern/blkdev.h>
#include <kern/verifier.h>
#include <kern/blkpart.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <lib/gpt.h>

#define BLKPART_MAX		128		/* partitions registered per disk */
#define BLKPART_MAX_DEPTH	32		/* forwarding slots per partition */
#define BLKPART_READ_US		5000000ull	/* per read of the table */

struct blkpart;

/* One request on its way to the disk: the copy the disk sees, and the caller's. */
struct blkpart_io {
	struct hv_blkreq rq;
	struct hv_blkreq *orig;
	struct blkpart *part;
	struct blkpart_io *next_free;
};

struct blkpart {
	struct hv_blkdev bd;
	struct hv_blkdev *disk;
	uint64_t start;			/* the partition's first LBA on the disk */
	struct blkpart *next;		/* every partition of every disk */
	struct blkpart_io *free;
	unsigned inflight;
	int dead;			/* unregistered; freed by the last completion */
	struct blkpart_io io[];
};

static struct blkpart *blkpart_list;

static void blkpart_done(struct hv_blkreq *rq)
{
	struct blkpart_io *io = rq->ctx;
	struct blkpart *p = io->part;
	struct hv_blkreq *orig = io->orig;
	int status = rq->status;
	int on = cpu_irq_save();

	io->next_free = p->free;
	p->free = io;
	int last = --p->inflight == 0 && p->dead;
	cpu_irq_restore(on);
	hv_blkreq_complete(orig, status);
	if (last)
		kfree(p);
}

static int blkpart_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct blkpart *p = bd->priv;

	if (rq->op != HV_BLK_READ && rq->op != HV_BLK_WRITE && rq->op != HV_BLK_FLUSH)
		return -HV_EINVAL;
	if (rq->op != HV_BLK_FLUSH &&
	    (rq->nblocks == 0 || rq->lba >= bd->nblocks || rq->nblocks > bd->nblocks - rq->lba))
		return -HV_ERANGE;
	int on = cpu_irq_save();
	struct blkpart_io *io = p->dead ? 0 : p->free;
	if (io) {
		p->free = io->next_free;
		p->inflight++;
	}
	cpu_irq_restore(on);
	if (!io)
		return p->dead ? -HV_ENODEV : -HV_EAGAIN;
	io->rq = *rq;
	io->rq.lba = rq->op == HV_BLK_FLUSH ? 0 : rq->lba + p->start;
	io->rq.done = blkpart_done;
	io->rq.ctx = io;
	io->rq.driver_private = 0;
	io->orig = rq;
	rq->driver_private = io;
	struct vf_entry e;
	vf_entry_enter(&e, (struct pci_dev *)p->disk->pci);
	int ret = p->disk->ops->submit(p->disk, &io->rq);
	vf_entry_exit(&e, "submit");
	if (ret < 0) {
		rq->driver_private = 0;
		on = cpu_irq_save();
		io->next_free = p->free;
		p->free = io;
		p->inflight--;
		cpu_irq_restore(on);
	}
	return ret;
}

static int blkpart_poll(struct hv_blkdev *bd)
{
	struct blkpart *p = bd->priv;

	return p->dead ? 0 : p->disk->ops->poll(p->disk);
}

/* blkdev_submit_wait polls when the device has a poll function and sleeps otherwise: a
 * partition does what its disk does. */
static const struct hv_blkdev_ops blkpart_ops_poll = { .submit = blkpart_submit, .poll = blkpart_poll };
static const struct hv_blkdev_ops blkpart_ops_irq = { .submit = blkpart_submit };

static int blkpart_add(struct hv_blkdev *disk, const struct gpt_part *gp)
{
	unsigned qd = disk->queue_depth < BLKPART_MAX_DEPTH ? disk->queue_depth : BLKPART_MAX_DEPTH;
	struct blkpart *p = kzalloc(sizeof(*p) + qd * sizeof(p->io[0]));
	char type[GPT_GUID_STR], guid[GPT_GUID_STR];

	if (!p)
		return -HV_ENOMEM;
	p->disk = disk;
	p->start = gp->first_lba;
	for (unsigned i = 0; i < qd; i++) {
		p->io[i].part = p;
		p->io[i].next_free = i + 1 < qd ? &p->io[i + 1] : 0;
	}
	p->free = &p->io[0];
	p->bd.block_size = disk->block_size;
	p->bd.nblocks = gp->last_lba - gp->first_lba + 1;
	p->bd.queue_depth = qd;
	p->bd.ops = disk->ops->poll ? &blkpart_ops_poll : &blkpart_ops_irq;
	p->bd.priv = p;
	p->bd.pci = disk->pci;
	int rc = blkdev_register_part(&p->bd, disk, gp->index);
	if (rc < 0) {
		kfree(p);
		return rc;
	}
	int on = cpu_irq_save();
	p->next = blkpart_list;
	blkpart_list = p;
	cpu_irq_restore(on);
	gpt_guid_str(gp->type_guid, type);
	gpt_guid_str(gp->unique_guid, guid);
	klog("blkdev: %s: LBA %llu..%llu (%llu KiB), type %s, guid %s, name \"%s\"", p->bd.name,
	     (unsigned long long)gp->first_lba, (unsigned long long)gp->last_lba,
	     (unsigned long long)(p->bd.nblocks * p->bd.block_size >> 10), type, guid, gp->name);
	return 0;
}

void blkpart_drop(struct hv_blkdev *disk)
{
	struct blkpart **pp = &blkpart_list;

	while (*pp) {
		struct blkpart *p = *pp;
		if (p->disk != disk) {
			pp = &p->next;
			continue;
		}
		int on = cpu_irq_save();
		*pp = p->next;
		p->dead = 1;
		int idle = p->inflight == 0;
		cpu_irq_restore(on);
		blkdev_unregister_part(&p->bd);
		if (idle)
			kfree(p);
	}
}

/* lib/gpt's reader: synchronous reads through the block layer into the DMA scratch. */
struct blkpart_reader {
	struct hv_blkdev *disk;
	uint8_t *base;
	uint64_t bus;
	int timed_out;
	struct blkpart_scanio io;
};

static struct blkpart_scanio blkpart_last_io;	/* scans are serialised (blkpart_scan) */

void blkpart_last_scan_io(struct blkpart_scanio *out)
{
	*out = blkpart_last_io;
}

static int blkpart_read(void *ctx, uint64_t lba, uint32_t nblocks, void *buf)
{
	struct blkpart_reader *r = ctx;
	struct hv_blkreq rq = { .op = HV_BLK_READ, .lba = lba, .nblocks = nblocks, .buf = buf,
				.buf_bus = r->bus + (uint64_t)((uint8_t *)buf - r->base) };

	/* After one timeout the device may still write the scratch: read nothing more into
	 * it, and do not wait another BLKPART_READ_US for a device that does not answer. */
	if (r->timed_out)
		return -HV_ETIMEDOUT;
	int ret = blkdev_submit_wait(r->disk, &rq, BLKPART_READ_US);
	uint64_t bytes = (uint64_t)nblocks * r->disk->block_size;

	if (ret == -HV_ETIMEDOUT)
		r->timed_out = 1;
	if (ret == 0)
		r->io.ok++, r->io.ok_bytes += bytes;
	else if (ret != -HV_ERANGE)	/* refused before it reached the driver: not counted */
		r->io.failed++, r->io.failed_bytes += bytes;
	return ret;
}

/* The one line for a disk without a usable GPT. */
static void blkpart_log_none(const struct hv_blkdev *disk, const struct gpt_table *t, int rc)
{
	static const char nosig[] = "no \"EFI PART\" signature";
	int nogpt = strcmp(t->primary_err, nosig) == 0 && strcmp(t->backup_err, nosig) == 0;
	int blank = (t->mbr == GPT_MBR_NONE || t->mbr == GPT_MBR_EMPTY) && nogpt;

	if (rc != -HV_ENOENT)
		klog("blkdev: %s: partition table not read (%d), no partitions", disk->name, rc);
	else if (blank)
		klog("blkdev: %s: no partition table", disk->name);
	else if (t->mbr == GPT_MBR_LEGACY && nogpt)
		klog("blkdev: %s: MBR partition table without a GPT (not supported), no partitions", disk->name);
	else
		klog("blkdev: %s: no valid GPT, no partitions (%s; primary: %s; backup: %s)", disk->name,
		     gpt_mbr_name(t->mbr), t->primary_err, t->backup_err[0] ? t->backup_err : "not read");
}

int blkpart_scan(struct hv_blkdev *disk)
{
	struct blkpart_reader r = { disk, 0, 0, 0, { 0, 0, 0, 0 } };
	struct gpt_disk d = { disk->block_size, disk->nblocks, blkpart_read, &r, 0, 0 };
	static struct gpt_table t;	/* callers are serialised (boot, driver binding, tests) */
	static struct gpt_part gp;
	char guid[GPT_GUID_STR];

	d.scratch_len = GPT_SCRATCH_BYTES(disk->block_size);
	d.scratch = r.base = kdma_alloc(d.scratch_len, &r.bus);
	if (!d.scratch) {
		klog("blkdev: %s: no memory to read the partition table", disk->name);
		return -HV_ENOMEM;
	}
	int rc = gpt_scan(&d, &t);
	if (rc < 0) {
		blkpart_log_none(disk, &t, rc);
		goto free;
	}
	if (t.source == GPT_BACKUP)
		klog("blkdev: %s: primary GPT refused (%s); using the backup header at LBA %llu",
		     disk->name, t.primary_err, (unsigned long long)t.hdr.my_lba);
	gpt_guid_str(t.hdr.disk_guid, guid);
	klog("blkdev: %s: GPT (%s header, %s), disk guid %s, %u of %u entries used", disk->name,
	     t.source == GPT_PRIMARY ? "primary" : "backup", gpt_mbr_name(t.mbr), guid, t.nused,
	     t.hdr.num_entries);
	int n = 0;
	for (uint32_t i = 0; i < t.hdr.num_entries; i++) {
		if (gpt_part_get(&t, i, &gp) != 1)
			continue;
		if (n == BLKPART_MAX) {
			klog("blkdev: %s: only the first %d partitions are registered", disk->name, BLKPART_MAX);
			break;
		}
		int ret = blkpart_add(disk, &gp);
		if (ret < 0)
			klog("blkdev: %s: partition %u not registered (%d)", disk->name, gp.index, ret);
		else
			n++;
	}
	rc = n;
free:
	blkpart_last_io = r.io;
	/* A read that timed out may still land in the scratch later: it is never reused. */
	if (r.timed_out)
		klog("blkdev: %s: a partition table read timed out; its %llu-byte buffer is kept",
		     disk->name, (unsigned long long)d.scratch_len);
	else
		kdma_free(d.scratch, d.scratch_len);
	return rc;
}
