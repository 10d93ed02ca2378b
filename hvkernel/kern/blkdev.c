/* Block device registry (disks and their partitions) behind the DDK's hv/blkdev.h
 * (hvkernel/ddk/ddk_blkdev.c), and a synchronous submit for tests and the storage stack. */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/verifier.h>
#include <kern/blkpart.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/timer.h>
#include <lib/fmt.h>

struct blkdev_state {
	struct hv_blkdev *bd;
	struct hv_blkdev *parent;	/* the disk of a partition (kern/blkpart.c), else NULL */
	/* The kernel's copies, for the verifier's check at remove (see netdev.c). */
	const struct hv_pci_dev *pci;
	char name[16];
	struct blkdev_state *next;
	uint64_t completions, errors;
};

static struct blkdev_state *blkdev_list;
static unsigned blkdev_next_index;

static int blkdev_valid(const struct hv_blkdev *bd)
{
	return bd->ops && bd->ops->submit && !bd->kernel_private && bd->nblocks &&
	       (bd->block_size == 512 || bd->block_size == 4096) && bd->queue_depth;
}

/* Appends bd to the registry; registration order is blkdev_first/next's order. */
static int blkdev_add(struct hv_blkdev *bd, struct hv_blkdev *parent)
{
	struct blkdev_state *s = kzalloc(sizeof(*s));

	if (!s)
		return -HV_ENOMEM;
	s->bd = bd;
	s->parent = parent;
	s->pci = bd->pci;
	memcpy(s->name, bd->name, sizeof(s->name));
	bd->kernel_private = s;
	int on = cpu_irq_save();
	struct blkdev_state **pp = &blkdev_list;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	cpu_irq_restore(on);
	return 0;
}

static void blkdev_remove(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;
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

int blkdev_add_disk(struct hv_blkdev *bd)
{
	if (!blkdev_valid(bd))
		return -HV_EINVAL;
	fmt_snprintf(bd->name, sizeof(bd->name), "vmhba%u", blkdev_next_index);
	int rc = blkdev_add(bd, 0);
	if (rc < 0)
		return rc;
	blkdev_next_index++;
	klog("blkdev: %s registered, %llu blocks of %u bytes (%llu MiB), queue depth %u", bd->name,
	     (unsigned long long)bd->nblocks, bd->block_size,
	     (unsigned long long)(bd->nblocks * bd->block_size >> 20), bd->queue_depth);
	/* The driver is ready for I/O once it registers: read the partition table now. A
	 * disk without one (or with a corrupt one) stays a disk without partitions. */
	blkpart_scan(bd);
	return 0;
}

void blkdev_remove_disk(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	if (!s)
		return;
	if (s->parent) {
		klog("blkdev: %s is a partition: the block layer unregisters it with its disk", bd->name);
		return;
	}
	/* The partitions go first: their I/O goes through this disk. */
	blkpart_drop(bd);
	blkdev_remove(bd);
}

int blkdev_register_part(struct hv_blkdev *bd, struct hv_blkdev *disk, unsigned index)
{
	if (!blkdev_valid(bd))
		return -HV_EINVAL;
	fmt_snprintf(bd->name, sizeof(bd->name), "%sp%u", disk->name, index);
	return blkdev_add(bd, disk);
}

void blkdev_unregister_part(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	if (s && s->parent)
		blkdev_remove(bd);
}

struct hv_blkdev *blkdev_parent(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	return s ? s->parent : 0;
}

int blkdev_rescan(struct hv_blkdev *bd)
{
	struct blkdev_state *s = bd->kernel_private;

	if (!s || s->parent)
		return -HV_EINVAL;
	blkpart_drop(bd);
	return blkpart_scan(bd);
}

const char *blkdev_disk_left_by(const struct hv_pci_dev *pci, unsigned idx, uintptr_t *bd)
{
	for (struct blkdev_state *s = blkdev_list; s; s = s->next) {
		if (s->parent || s->pci != pci || idx-- > 0)
			continue;
		*bd = (uintptr_t)s->bd;
		return s->name;
	}
	return 0;
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

/*
 * A synchronous request lives in its own heap wrapper, not in the caller's frame: when the
 * wait times out the driver still owns the request and may complete it later, and that
 * late completion must land in memory that is still ours (it then frees the wrapper).
 */
struct blkdev_sync {
	struct hv_blkreq rq;
	volatile int done, abandoned;
};

static void blkdev_sync_done(struct hv_blkreq *rq)
{
	struct blkdev_sync *s = rq->ctx;
	int on = cpu_irq_save();

	if (s->abandoned)
		kfree(s);
	else
		s->done = 1;
	cpu_irq_restore(on);
}

/* One-shot timer: wakes a halted wait so it can notice the deadline. */
static void blkdev_sync_timeout(void *arg)
{
	*(volatile int *)arg = 1;
}

int blkdev_submit_wait(struct hv_blkdev *bd, struct hv_blkreq *rq, uint64_t timeout_us)
{
	if (rq->op != HV_BLK_FLUSH &&
	    (rq->nblocks == 0 || rq->lba >= bd->nblocks || rq->nblocks > bd->nblocks - rq->lba))
		return -HV_ERANGE;
	struct blkdev_sync *s = kzalloc(sizeof(*s));
	if (!s)
		return -HV_ENOMEM;
	s->rq = *rq;
	s->rq.done = blkdev_sync_done;
	s->rq.ctx = s;
	s->rq.status = -HV_EIO;
	struct vf_entry e;
	vf_entry_enter(&e, (struct pci_dev *)bd->pci);
	int ret = bd->ops->submit(bd, &s->rq);
	vf_entry_exit(&e, "submit");
	if (ret < 0) {
		kfree(s);
		return ret;
	}
	volatile int expired = 0;
	struct hv_timer deadline = { 0 };
	if (!bd->ops->poll)
		timer_start(&deadline, timeout_us, blkdev_sync_timeout, (void *)&expired);
	uint64_t t0 = time_us();
	for (;;) {
		if (bd->ops->poll) {
			bd->ops->poll(bd);
			if (time_us() - t0 > timeout_us)
				expired = 1;
		} else {
			/* Interrupt-driven: sleep until an interrupt (the completion or the
			 * deadline timer). STI;HLT cannot lose a wake-up: interrupts open only
			 * after the HLT starts (APM vol. 3, STI). */
			cpu_cli();
			if (!s->done && !expired)
				__asm__ volatile("sti; hlt" ::: "memory");
			cpu_sti();
		}
		int on = cpu_irq_save();
		if (s->done) {
			cpu_irq_restore(on);
			break;
		}
		if (expired) {
			s->abandoned = 1;	/* the late completion frees it */
			cpu_irq_restore(on);
			timer_cancel(&deadline);
			return -HV_ETIMEDOUT;
		}
		cpu_irq_restore(on);
	}
	timer_cancel(&deadline);
	rq->status = s->rq.status;
	ret = s->rq.status;
	kfree(s);
	return ret;
}
