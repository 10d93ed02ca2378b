/* Block device registry and a synchronous submit for tests and the storage stack. */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/export.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/fmt.h>

struct blkdev_state {
	struct hv_blkdev *bd;
	struct blkdev_state *next;
	uint64_t completions, errors;
};

static struct blkdev_state *blkdev_list;
static unsigned blkdev_next_index;

int hv_blkdev_register(struct hv_blkdev *bd)
{
	if (!bd->ops || !bd->ops->submit || bd->kernel_private || !bd->nblocks ||
	    (bd->block_size != 512 && bd->block_size != 4096) || !bd->queue_depth)
		return -HV_EINVAL;
	struct blkdev_state *s = kzalloc(sizeof(*s));
	if (!s)
		return -HV_ENOMEM;
	s->bd = bd;
	fmt_snprintf(bd->name, sizeof(bd->name), "vmhba%u", blkdev_next_index++);
	bd->kernel_private = s;
	int on = cpu_irq_save();
	struct blkdev_state **pp = &blkdev_list;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	cpu_irq_restore(on);
	klog("blkdev: %s registered, %llu blocks of %u bytes (%llu MiB), queue depth %u", bd->name,
	     (unsigned long long)bd->nblocks, bd->block_size,
	     (unsigned long long)(bd->nblocks * bd->block_size >> 20), bd->queue_depth);
	return 0;
}

void hv_blkdev_unregister(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	if (!s)
		return;
	int on = cpu_irq_save();
	for (struct blkdev_state **pp = &blkdev_list; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	cpu_irq_restore(on);
	klog("blkdev: %s unregistered", bd->name);
	bd->kernel_private = 0;
	kfree(s);
}

void hv_blkreq_complete(struct hv_blkreq *rq, int status)
{
	rq->status = status;
	rq->driver_private = 0;
	if (rq->done)
		rq->done(rq);
}

struct hv_blkdev *blkdev_first(void)
{
	return blkdev_list ? blkdev_list->bd : 0;
}

struct hv_blkdev *blkdev_next(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	return s && s->next ? s->next->bd : 0;
}

struct hv_blkdev *blkdev_find(const char *name)
{
	for (struct blkdev_state *s = blkdev_list; s; s = s->next)
		if (strcmp(s->bd->name, name) == 0)
			return s->bd;
	return 0;
}

static void blkdev_sync_done(struct hv_blkreq *rq)
{
	*(volatile int *)rq->ctx = 1;
}

int blkdev_submit_wait(struct hv_blkdev *bd, struct hv_blkreq *rq, uint64_t timeout_us)
{
	volatile int done = 0;

	if (rq->op != HV_BLK_FLUSH &&
	    (rq->nblocks == 0 || rq->lba >= bd->nblocks || rq->nblocks > bd->nblocks - rq->lba))
		return -HV_ERANGE;
	rq->done = blkdev_sync_done;
	rq->ctx = (void *)&done;
	rq->status = -HV_EIO;
	int ret = bd->ops->submit(bd, rq);
	if (ret < 0)
		return ret;
	uint64_t t0 = time_us();
	while (!done) {
		if (bd->ops->poll)
			bd->ops->poll(bd);
		else
			cpu_pause();
		if (time_us() - t0 > timeout_us)
			return -HV_ETIMEDOUT;
	}
	return rq->status;
}

HV_EXPORT(hv_blkdev_register);
HV_EXPORT(hv_blkdev_unregister);
HV_EXPORT(hv_blkreq_complete);
