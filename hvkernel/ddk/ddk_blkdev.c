/*
 * DDK block devices (hv/blkdev.h) on the kernel's registry (kern/blkdev.c). When DMA
 * regions are tracked (the verifier or an IOMMU, kern/ddkdma.h), a disk's operations are
 * wrapped so that a request's buffer belongs to the disk's PCI function from submit until
 * hv_blkreq_complete: the device may reach it then and never before or after.
 */
#include <hv/blkdev.h>
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/blkrecov.h>
#include <kern/ddkdma.h>
#include <hv/lock.h>
#include <kern/pci.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

struct ddk_blkwrap {
	struct hv_blkdev_ops ops;		/* first: bd->ops points here */
	const struct hv_blkdev_ops *drv;	/* the driver's own; NULL while the slot is free */
};

/* A fixed table, not the heap (a heap grown during a test counts as leaked pages); one
 * slot per registered disk of a PCI driver. */
#define DDK_BLKWRAP_MAX	64
static struct ddk_blkwrap ddk_blkwraps[DDK_BLKWRAP_MAX];
static struct hv_spinlock ddk_blkwrap_lock = HV_SPINLOCK_INIT;

static struct ddk_blkwrap *ddk_blkwrap_get(const struct hv_blkdev_ops *drv)
{
	struct ddk_blkwrap *w = 0;
	unsigned long fl = hv_spin_lock_irqsave(&ddk_blkwrap_lock);

	for (unsigned i = 0; i < DDK_BLKWRAP_MAX && !w; i++)
		if (!ddk_blkwraps[i].drv) {
			w = &ddk_blkwraps[i];
			w->drv = drv;
		}
	hv_spin_unlock_irqrestore(&ddk_blkwrap_lock, fl);
	return w;
}

static void ddk_blkwrap_put(struct ddk_blkwrap *w)
{
	unsigned long fl = hv_spin_lock_irqsave(&ddk_blkwrap_lock);
	w->drv = 0;
	hv_spin_unlock_irqrestore(&ddk_blkwrap_lock, fl);
}

static int ddk_blk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	const struct ddk_blkwrap *w = (const struct ddk_blkwrap *)bd->ops;
	bool mapped = false;

	if (rq->op != HV_BLK_FLUSH && rq->nblocks) {
		int ret = ddk_dma_req_start((struct pci_dev *)bd->pci, rq, rq->buf_bus,
					    (uint64_t)rq->nblocks * bd->block_size);
		if (ret < 0)
			return ret;
		mapped = true;
	}
	int ret = w->drv->submit(bd, rq);
	if (ret < 0 && mapped)
		ddk_dma_req_done(rq);	/* not started: done is not called */
	return ret;
}

static int ddk_blk_poll(struct hv_blkdev *bd)
{
	const struct ddk_blkwrap *w = (const struct ddk_blkwrap *)bd->ops;

	return w->drv->poll ? w->drv->poll(bd) : 0;
}

int hv_blkdev_register(struct hv_blkdev *bd)
{
	struct ddk_blkwrap *w = 0;

	/* The kernel reads the disk's partition table right here: it waits for I/O. */
	if (vf_on && vf_may_sleep("hv_blkdev_register", DDK_CALLER) < 0)
		return -HV_EINVAL;
	if (bd->pci && bd->ops && bd->ops->submit && ddk_dma_tracking()) {
		w = ddk_blkwrap_get(bd->ops);
		if (!w)
			return -HV_ENOMEM;
		w->ops.submit = ddk_blk_submit;
		w->ops.poll = bd->ops->poll ? ddk_blk_poll : 0;
		bd->ops = &w->ops;
	}
	int ret = blkdev_add_disk(bd);
	if (ret < 0 && w) {
		bd->ops = w->drv;
		ddk_blkwrap_put(w);
	}
	return ret;
}

void hv_blkdev_unregister(struct hv_blkdev *bd)
{
	if (vf_on && vf_may_sleep("hv_blkdev_unregister", DDK_CALLER) < 0)
		return;
	blkdev_remove_disk(bd);
	if (bd->ops && bd->ops->submit == ddk_blk_submit) {
		struct ddk_blkwrap *w = (struct ddk_blkwrap *)bd->ops;

		bd->ops = w->drv;
		ddk_blkwrap_put(w);
	}
}

void hv_blkreq_complete(struct hv_blkreq *rq, int status)
{
	if (ddk_dma_tracking())
		ddk_dma_req_done(rq);
	rq->status = status;
	rq->driver_private = 0;
	if (rq->done)
		rq->done(rq);
}

void hv_blkdev_recovery(struct hv_pci_dev *dev, const char *action, unsigned requests)
{
	blkrecov_note((struct pci_dev *)dev, action, requests);
}

void hv_blkdev_reissue(struct hv_blkdev *bd, const struct hv_blkreq *rq)
{
	if (bd && rq)
		blkrecov_reissue(bd->name, rq->op, (uint64_t)rq->nblocks * bd->block_size);
}
