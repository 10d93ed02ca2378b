/* DDK block devices (hv/blkdev.h) on the kernel's registry (kern/blkdev.c). */
#include <hv/blkdev.h>
#include <kern/blkdev.h>

int hv_blkdev_register(struct hv_blkdev *bd)
{
	return blkdev_add_disk(bd);
}

void hv_blkdev_unregister(struct hv_blkdev *bd)
{
	blkdev_remove_disk(bd);
}

void hv_blkreq_complete(struct hv_blkreq *rq, int status)
{
	rq->status = status;
	rq->driver_private = 0;
	if (rq->done)
		rq->done(rq);
}
