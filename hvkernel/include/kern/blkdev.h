/* The kernel side of block devices (DDK hv/blkdev.h): registry and synchronous I/O. */
#ifndef KERN_BLKDEV_H
#define KERN_BLKDEV_H

#include <hv/blkdev.h>

struct hv_blkdev *blkdev_first(void);
struct hv_blkdev *blkdev_next(struct hv_blkdev *bd);
struct hv_blkdev *blkdev_find(const char *name);
/*
 * Submit one request and wait for it: polling the driver when it has a poll function,
 * otherwise halting until an interrupt. The request is range-checked first; rq itself is
 * only read (a private copy goes to the driver, and its status is copied back). Returns the
 * status, -HV_ERANGE for blocks past the end, or -HV_ETIMEDOUT when no completion came
 * within timeout_us (the driver may still DMA into buf later: reset the device before
 * reusing it).
 */
int blkdev_submit_wait(struct hv_blkdev *bd, struct hv_blkreq *rq, uint64_t timeout_us);

#endif
