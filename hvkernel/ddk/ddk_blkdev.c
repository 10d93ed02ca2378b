/* DDK block devices (hv/blkdev.h) on the kernel's registry (kern/blkdev.c). */
#include <hv/blkdev.h>
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

int hv_blkdev_register(struct hv_blkdev *bd)
{
	/* The kernel reads the disk's partition table right here: it waits for I/O. */
	if (vf_on && vf_may_sleep("hv_blkdev_register", DDK_CALLER) < 0)
		return -HV_EINVAL;
	return blkdev_add_disk(bd);
}

void hv_blkdev_unregister(struct hv_blkdev *bd)
{
	if (vf_on && vf_may_sleep("hv_blkdev_unregister", DDK_CALLER) < 0)
		return;
	blkdev_remove_disk(bd);
}

void hv_blkreq_complete(struct hv_blkreq *rq, int status)
{
	rq->status = status;
	rq->driver_private = 0;
	if (rq->done)
		rq->done(rq);
}
