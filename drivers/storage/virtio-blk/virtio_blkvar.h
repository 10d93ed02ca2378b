/*
 * virtio-blk driver state, shared by attachment (virtio_blk.c: probe, remove, start) and
 * the request path (virtio_blk_ring.c: submit, completion, interrupt, poll).
 */
#ifndef VIRTIO_BLKVAR_H
#define VIRTIO_BLKVAR_H

#include <hv/ddk.h>

#include "../../virtio/virtiovar.h"
#include "virtio_blkreg.h"

#define VBLK_SEG_DEFAULT	(1u << 30)	/* segment limit without VIRTIO_BLK_F_SIZE_MAX */
#define VBLK_BATCH		16		/* completions taken per trip through the lock */

/* Header and status of the request whose chain starts at this slot's descriptor. */
struct vblk_slot {
	struct virtio_blk_req_hdr hdr;
	uint8_t status;
	uint8_t pad[15];
};

struct vblk_softc {
	struct virtio_pci vp;
	struct hv_blkdev bd;
	struct virtq vq;
	struct hv_spinlock lock;
	struct vblk_slot *slots;
	uint64_t slots_bus;
	size_t slots_size;
	struct virtq_seg *segs;		/* scratch chain for submit, under lock */
	unsigned max_segs;		/* data segments per request */
	uint32_t seg_limit;		/* bytes per data segment, a multiple of HV_PAGE_SIZE */
	unsigned sector_shift;		/* log2(block_size / 512) */
};

/* virtio_blk_ring.c */
int vblk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);
int vblk_poll(struct hv_blkdev *bd);
void vblk_intr(void *arg, unsigned what, int queue);

#endif
