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

/* The reads the last blkpart_scan made, by outcome: a test that counts what a disk did
 * (the storage soak's re-attach) adds them, since QEMU counts them too. */
struct blkpart_scanio {
	uint64_t ok, ok_bytes, failed, failed_bytes;
};
void blkpart_last_scan_io(struct blkpart_scanio *out);

/* Unregisters every partition of disk. Requests still in flight complete normally; the
 * partition's memory goes with the last of them. */
void blkpart_drop(struct hv_blkdev *disk);

#endif
