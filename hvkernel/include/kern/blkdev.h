/* The kernel side of block devices (DDK hv/blkdev.h): registry and synchronous I/O. */
#ifndef KERN_BLKDEV_H
#define KERN_BLKDEV_H

#include <hv/blkdev.h>

/* For the DDK (hvkernel/ddk/ddk_blkdev.c): check and register a driver's disk as
 * "vmhbaN", then read its partition table (0 or -HV_Exxx); unregister it, its
 * partitions first. */
int blkdev_add_disk(struct hv_blkdev *bd);
void blkdev_remove_disk(struct hv_blkdev *bd);

struct hv_blkdev *blkdev_first(void);
/* The name of the idx-th disk (not a partition) still registered for pci (its address in
 * *bd), or NULL, from the kernel's own copies (as netdev_left_by). */
struct hv_pci_dev;
const char *blkdev_disk_left_by(const struct hv_pci_dev *pci, unsigned idx, uintptr_t *bd);
struct hv_blkdev *blkdev_next(struct hv_blkdev *bd);
struct hv_blkdev *blkdev_find(const char *name);
/* The disk a partition lies on; NULL for a disk. */
struct hv_blkdev *blkdev_parent(struct hv_blkdev *bd);
/*
 * Reads the disk's partition table again (kern/blkpart.c): its partitions are unregistered,
 * then one blkdev per used GPT entry is registered. Returns the number of partitions, or
 * -HV_EINVAL for a partition, -HV_ENOENT without a valid GPT, other errors from the I/O.
 * Nothing may hold a pointer to one of the old partitions.
 */
int blkdev_rescan(struct hv_blkdev *bd);
/* For kern/blkpart.c: register partition bd of disk as "<disk>p<index>" (no scan of its
 * own), and remove it again. */
int blkdev_register_part(struct hv_blkdev *bd, struct hv_blkdev *disk, unsigned index);
void blkdev_unregister_part(struct hv_blkdev *bd);
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
