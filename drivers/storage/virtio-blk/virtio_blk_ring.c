/*
 * virtio-blk requests (VIRTIO 1.1, 5.2.6): a chain of header (device-readable), data
 * segments and status byte (device-writable), whose header and status live in the slot of
 * the chain's head descriptor; completion in batches from the interrupt or poll.
 */
#include <hv/ddk.h>

#include "virtio_blkvar.h"

/* Split [bus, bus + len) into segments that end on page boundaries and hold at most
 * seg_limit bytes. The buffer is physically contiguous (one bus address), so only the
 * device's size_max cuts it. Returns the count, or -HV_E2BIG past max_segs. */
static int vblk_map(struct vblk_softc *sc, struct virtq_seg *segs, uint64_t bus, uint64_t len)
{
	unsigned n = 0;

	while (len > 0) {
		uint64_t chunk = sc->seg_limit - (bus & (HV_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		if (n == sc->max_segs)
			return -HV_E2BIG;
		segs[n].bus = bus;
		segs[n].len = (uint32_t)chunk;
		n++;
		bus += chunk;
		len -= chunk;
	}
	return (int)n;
}

static int vblk_check(struct vblk_softc *sc, const struct hv_blkreq *rq)
{
	if (rq->op == HV_BLK_FLUSH)
		return 0;
	if (rq->op != HV_BLK_READ && rq->op != HV_BLK_WRITE)
		return -HV_EINVAL;
	if (rq->nblocks == 0 || rq->lba >= sc->bd.nblocks || rq->nblocks > sc->bd.nblocks - rq->lba)
		return -HV_ERANGE;
	return 0;
}

int vblk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct vblk_softc *sc = bd->priv;
	int ret = vblk_check(sc, rq);

	if (ret < 0)
		return ret;
	unsigned long fl = hv_spin_lock_irqsave(&sc->lock);
	int head = virtq_next_head(&sc->vq);
	if (head < 0) {
		ret = -HV_EAGAIN;
		goto unlock;
	}
	struct vblk_slot *slot = &sc->slots[head];
	uint64_t slot_bus = sc->slots_bus + (uint64_t)head * sizeof(*slot);
	int nseg = 0;
	if (rq->op != HV_BLK_FLUSH) {
		nseg = vblk_map(sc, sc->segs + 1, rq->buf_bus, (uint64_t)rq->nblocks * bd->block_size);
		if (nseg < 0) {
			ret = nseg;
			goto unlock;
		}
	}
	/* 5.2.6: header, data, status; reads make the data device-writable. */
	slot->hdr.type = rq->op == HV_BLK_READ ? VIRTIO_BLK_T_IN :
			 rq->op == HV_BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	slot->hdr.reserved = 0;
	slot->hdr.sector = rq->op == HV_BLK_FLUSH ? 0 : rq->lba << sc->sector_shift;
	slot->status = 0xff;
	sc->segs[0] = (struct virtq_seg){ slot_bus, sizeof(slot->hdr) };
	sc->segs[1 + nseg] = (struct virtq_seg){ slot_bus + sizeof(slot->hdr), 1 };
	unsigned nout = 1 + (rq->op == HV_BLK_WRITE ? (unsigned)nseg : 0);
	rq->driver_private = slot;
	ret = virtq_add(&sc->vq, sc->segs, nout, (unsigned)nseg + 2 - nout, rq);
	if (ret < 0) {
		ret = -HV_EAGAIN;	/* too few descriptors free for this chain now */
		goto unlock;
	}
	ret = 0;
	virtio_pci_kick(&sc->vp, &sc->vq);
unlock:
	hv_spin_unlock_irqrestore(&sc->lock, fl);
	return ret;
}

static int vblk_status(uint8_t st)
{
	switch (st) {
	case VIRTIO_BLK_S_OK:
		return 0;
#ifdef HV_DEFECT_SWALLOW_EIO	/* certify self-test defect: VIRTIO_BLK_S_IOERR taken as success */
	case VIRTIO_BLK_S_IOERR:
		return 0;
#endif
	case VIRTIO_BLK_S_UNSUPP:
		return -HV_ENOTSUP;
	default:
		return -HV_EIO;		/* VIRTIO_BLK_S_IOERR, or a status never written */
	}
}

/* Take finished requests in batches under the lock; complete them outside it. */
static int vblk_complete(struct vblk_softc *sc)
{
	struct hv_blkreq *done[VBLK_BATCH];
	int total = 0, n;

	do {
		unsigned long fl = hv_spin_lock_irqsave(&sc->lock);
		for (n = 0; n < VBLK_BATCH; n++) {
			done[n] = virtq_get(&sc->vq, NULL);
			if (!done[n])
				break;
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th request never completes */
			static unsigned vblk_defect_done;
			if (++vblk_defect_done % 200 == 0) {
				n--;	/* its descriptors are free again, the request forgotten */
				continue;
			}
#endif
			done[n]->status = vblk_status(((struct vblk_slot *)done[n]->driver_private)->status);
		}
		hv_spin_unlock_irqrestore(&sc->lock, fl);
		for (int i = 0; i < n; i++)
			hv_blkreq_complete(done[i], done[i]->status);
		total += n;
	} while (n == VBLK_BATCH);
	return total;
}

void vblk_intr(void *arg, unsigned what, int queue)
{
	(void)queue;	/* one queue */
#ifdef HV_DEFECT_NO_INTR	/* certify self-test defect: only polling completes requests */
	(void)what;
	(void)arg;
	return;
#endif
	if (what & VIRTIO_PCI_ISR_QUEUE)
		vblk_complete(arg);
}

int vblk_poll(struct hv_blkdev *bd)
{
	struct vblk_softc *sc = bd->priv;

	return virtq_pending(&sc->vq) ? vblk_complete(sc) : 0;
}
