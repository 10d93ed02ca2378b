/*
 * DDK: block devices. A storage driver registers one struct hv_blkdev per disk (namespace,
 * LUN); the storage stack submits requests and the driver completes each exactly once with
 * hv_blkreq_complete(), from its interrupt handler or its poll function. The disk must accept
 * I/O when it registers: the kernel reads its partition table then.
 */
#ifndef HV_BLKDEV_H
#define HV_BLKDEV_H

#include <stdint.h>
#include <hv/pci.h>

#define HV_BLK_READ	0
#define HV_BLK_WRITE	1
#define HV_BLK_FLUSH	2

struct hv_blkdev;

struct hv_blkreq {
	int op;				/* HV_BLK_READ, _WRITE or _FLUSH */
	uint64_t lba;			/* first block */
	uint32_t nblocks;		/* 0 for a flush */
	void *buf;			/* nblocks * block_size bytes, lent to the device (DMA)
				 * from submit to completion */
	uint64_t buf_bus;		/* bus address of buf */
	int status;			/* set by completion: 0 or -HV_EIO, -HV_ETIMEDOUT, ... */
	void (*done)(struct hv_blkreq *rq);	/* called once at completion */
	void *ctx;			/* the submitter's */
	void *driver_private;		/* the driver's, while in flight */
};

struct hv_blkdev_ops {
	/* Start a request. 0 when queued (completion follows), -HV_EAGAIN when the queue is
	 * full, other errors when it cannot be started (then done is not called). */
	int (*submit)(struct hv_blkdev *bd, struct hv_blkreq *rq);
	/* Polling mode: complete what the device finished; returns how many. */
	int (*poll)(struct hv_blkdev *bd);
};

struct hv_blkdev {
	char name[16];			/* set by the kernel at registration: "vmhbaN"; the kernel
					 * registers each GPT partition of it as "vmhbaNpM" */
	uint32_t block_size;		/* bytes: 512 or 4096 */
	uint64_t nblocks;		/* capacity in blocks */
	unsigned queue_depth;		/* requests the driver accepts at once */
	const struct hv_blkdev_ops *ops;
	void *priv;
	struct hv_pci_dev *pci;
	void *kernel_private;
};

int hv_blkdev_register(struct hv_blkdev *bd);
void hv_blkdev_unregister(struct hv_blkdev *bd);
/* Complete a request with status (0 or -HV_Exxx). */
void hv_blkreq_complete(struct hv_blkreq *rq, int status);

/*
 * Every recovery the driver performs on its controller (DDK 2.1): action names it
 * ("reset", "abort", ...), requests is how many requests it completed through it (their
 * completion came from the recovery, not from the device: a timeout, an abort, the
 * requests a reset took back). Any context. The kernel counts each as a `recovery` record;
 * a test in which requests completed this way fails unless it injected the timeouts itself.
 */
void hv_blkdev_recovery(struct hv_pci_dev *dev, const char *action, unsigned requests);

/*
 * The driver sends rq to the device once more (DDK 2.2): a reset took it back and the device
 * may already have run it. Call it before each such reissue. The kernel counts reissues per
 * disk and direction; certification adds them to what the device is expected to have done
 * (QMP block statistics), so a reissue not reported here fails `qmp.blockstats`. Any context.
 */
void hv_blkdev_reissue(struct hv_blkdev *bd, const struct hv_blkreq *rq);

/*
 * Finished requests a driver collects under its lock, linked through driver_private, and
 * completes with hv_blkreq_list_complete once the lock is dropped: a done callback may
 * submit again. Inline (DDK 1.2).
 */
struct hv_blkreq_list {
	struct hv_blkreq *head, **tail;
	unsigned count;
};

static inline void hv_blkreq_list_init(struct hv_blkreq_list *l)
{
	l->head = 0;
	l->tail = &l->head;
	l->count = 0;
}

/* Append rq, to be completed with status. */
static inline void hv_blkreq_list_add(struct hv_blkreq_list *l, struct hv_blkreq *rq, int status)
{
	rq->status = status;
	rq->driver_private = 0;
	*l->tail = rq;
	l->tail = (struct hv_blkreq **)&rq->driver_private;
	l->count++;
}

/* Complete every request on the list, in order; the list is empty afterwards. */
static inline void hv_blkreq_list_complete(struct hv_blkreq_list *l)
{
	struct hv_blkreq *rq = l->head;

	hv_blkreq_list_init(l);
	while (rq) {
		struct hv_blkreq *next = (struct hv_blkreq *)rq->driver_private;

		hv_blkreq_complete(rq, rq->status);
		rq = next;
	}
}

#endif
