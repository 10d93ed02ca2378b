/*
 * The virtio block device (VIRTIO 1.1, 5.2): feature bits, device configuration and the
 * request header and status.
 */
#ifndef VIRTIO_BLKREG_H
#define VIRTIO_BLKREG_H

#include <stdint.h>

#define VIRTIO_BLK_REQQ			0	/* 5.2.2: requestq1 */

/* 5.2.3: feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9

/* 5.2.4: device configuration, byte offsets. */
#define VIRTIO_BLK_CFG_CAPACITY		0	/* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX		8	/* le32, with VIRTIO_BLK_F_SIZE_MAX */
#define VIRTIO_BLK_CFG_SEG_MAX		12	/* le32, with VIRTIO_BLK_F_SEG_MAX */
#define VIRTIO_BLK_CFG_BLK_SIZE		20	/* le32, with VIRTIO_BLK_F_BLK_SIZE */

#define VIRTIO_BLK_SECTOR_SIZE		512	/* 5.2.6: sector is always in these units */

/* 5.2.6: request types and status. */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

/* 5.2.6: the device-readable header of each request. */
struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "5.2.6: header layout");

#endif
