/*
 * Partitions of block devices: each used entry of a disk's GUID Partition Table becomes a
 * blkdev of its own ("vmhba0p1") whose I/O is offset into the disk and refused outside the
 * partition. The table is read by lib/gpt.c.
 */
#ifndef KERN_BLKPART_H
#define KERN_BLKPART_H

#include <hv/blkdev.h>

/* Reads disk's GPT and registers its partitions. Returns how many, or a negative error
 * (-HV_ENOENT: no valid GPT); either way one log line says what was found. */
int blkpart_scan(struct hv_blkdev *disk);

/* Unregisters every partition of disk. Requests still in flight complete normally; the
 * partition's memory goes with the last of them. */
void blkpart_drop(struct hv_blkdev *disk);

#endif
