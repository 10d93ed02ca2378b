/*
 * virtio-blk (VIRTIO 1.1, 5.2): one disk, one request queue, over the shared virtio PCI
 * transport. A request is a chain: header (device-readable), data segments, status byte
 * (device-writable). Header and status live in a slot owned by the chain's head
 * descriptor, so submitting allocates nothing. Requests complete from the interrupt
 * handler or from poll, outside the queue lock, so a completion may submit again.
 */
#include <hv/ddk.h>

#include "../../virtio/virtio_pci.h"
#include "virtio_blkreg.h"

#define VBLK_PAGE		4096u
#define VBLK_SEG_DEFAULT	(1u << 30)	/* segment limit without VIRTIO_BLK_F_SIZE_MAX */
#define VBLK_BATCH		16		/* completions taken per trip through the lock */

HV_MODULE("virtio-blk", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1001),
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1042));

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
	uint32_t seg_limit;		/* bytes per data segment, a multiple of VBLK_PAGE */
	unsigned sector_shift;		/* log2(block_size / 512) */
};

static int vblk_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void vblk_remove(struct hv_pci_dev *d);
static int vblk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);
static int vblk_poll(struct hv_blkdev *bd);
static void vblk_intr(void *arg, unsigned what, int queue);

static struct hv_pci_driver vblk_driver = {
	.name = "virtio-blk",
	.probe = vblk_probe,
	.remove = vblk_remove,
};

static const struct hv_blkdev_ops vblk_ops = {
	.submit = vblk_submit,
	.poll = vblk_poll,
};

static const uint64_t vblk_features =
	1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
	1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;

int hv_module_init(void)
{
	return hv_pci_register_driver(&vblk_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&vblk_driver);
}

/* 5.2.4: capacity, logical block size and the segment limits. */
static void vblk_read_config(struct vblk_softc *sc)
{
	struct virtio_pci *vp = &sc->vp;
	uint64_t sectors = virtio_pci_cfg_read64(vp, VIRTIO_BLK_CFG_CAPACITY);

	sc->sector_shift = 0;
	if (virtio_pci_has(vp, VIRTIO_BLK_F_BLK_SIZE) &&
	    virtio_pci_cfg_read32(vp, VIRTIO_BLK_CFG_BLK_SIZE) == 4096)
		sc->sector_shift = 3;
	sc->bd.block_size = VIRTIO_BLK_SECTOR_SIZE << sc->sector_shift;
	sc->bd.nblocks = sectors >> sc->sector_shift;
	/* Header and status take two descriptors of every chain. */
	sc->max_segs = sc->vq.size - 2u;
	if (virtio_pci_has(vp, VIRTIO_BLK_F_SEG_MAX)) {
		uint32_t m = virtio_pci_cfg_read32(vp, VIRTIO_BLK_CFG_SEG_MAX);
		if (m >= 1 && m < sc->max_segs)
			sc->max_segs = m;
	}
	sc->seg_limit = VBLK_SEG_DEFAULT;
	if (virtio_pci_has(vp, VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t m = virtio_pci_cfg_read32(vp, VIRTIO_BLK_CFG_SIZE_MAX) & ~(VBLK_PAGE - 1);
		if (m >= VBLK_PAGE && m < sc->seg_limit)
			sc->seg_limit = m;
	}
}

/* 3.1.1: features, interrupt, queue, slots, DRIVER_OK. */
static int vblk_start(struct vblk_softc *sc)
{
	int ret = virtio_pci_negotiate(&sc->vp, vblk_features);

	if (ret < 0)
		return ret;
	ret = virtio_pci_irq_alloc(&sc->vp, 1, vblk_intr, sc);
	if (ret < 0)
		goto reset;
	ret = virtio_pci_queue_setup(&sc->vp, &sc->vq, VIRTIO_BLK_REQQ, 0);
	if (ret < 0)
		goto free_irq;
	if (sc->vq.size < 4) {
		ret = -HV_ENODEV;
		goto free_vq;
	}
	ret = -HV_ENOMEM;
	sc->slots_size = sizeof(struct vblk_slot) * sc->vq.size;
	sc->slots = hv_dma_alloc(sc->slots_size, &sc->slots_bus);
	if (!sc->slots)
		goto free_vq;
	sc->segs = hv_malloc(sizeof(struct virtq_seg) * sc->vq.size);
	if (!sc->segs)
		goto free_slots;
	vblk_read_config(sc);
	virtio_pci_add_status(&sc->vp, VIRTIO_STATUS_DRIVER_OK);
	return 0;

free_slots:
	hv_dma_free(sc->slots, sc->slots_size);
	sc->slots = NULL;
free_vq:
	virtq_free(&sc->vq);
free_irq:
	virtio_pci_irq_free(&sc->vp);
reset:
	virtio_pci_reset(&sc->vp);
	return ret;
}

/* Reset first: after it the device touches no memory and raises nothing (2.1.1). */
static void vblk_shutdown(struct vblk_softc *sc)
{
	struct hv_blkreq *rq;

	virtio_pci_reset(&sc->vp);
	virtio_pci_irq_free(&sc->vp);
	while ((rq = virtq_detach(&sc->vq)) != NULL)
		hv_blkreq_complete(rq, -HV_EIO);
	hv_free(sc->segs);
	hv_dma_free(sc->slots, sc->slots_size);
	virtq_free(&sc->vq);
}

static int vblk_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	(void)id;
	struct vblk_softc *sc = hv_zalloc(sizeof(*sc));
	int ret;

	if (!sc)
		return -HV_ENOMEM;
	ret = virtio_pci_attach(&sc->vp, d);
	if (ret < 0)
		goto free_sc;
	ret = vblk_start(sc);
	if (ret < 0)
		goto free_sc;
	if (sc->bd.nblocks == 0) {
		ret = -HV_ENODEV;
		goto shutdown;
	}
	sc->bd.queue_depth = sc->vq.size / 3u;
	sc->bd.ops = &vblk_ops;
	sc->bd.priv = sc;
	sc->bd.pci = d;
	ret = hv_blkdev_register(&sc->bd);
	if (ret < 0)
		goto shutdown;
	hv_pci_set_drvdata(d, sc);
	hv_log("virtio-blk: %s: %s interface, %s, %s interrupts, queue %u, %u segments of "
	       "up to %u bytes, features %llx", sc->vp.info.slot, virtio_pci_kind(&sc->vp),
	       sc->bd.name, hv_pci_irq_mode_name(sc->vp.irq_mode), sc->vq.size,
	       sc->max_segs, sc->seg_limit, (unsigned long long)sc->vp.features);
	return 0;

shutdown:
	vblk_shutdown(sc);
free_sc:
	hv_log("virtio-blk: %s: probe failed (%d)", sc->vp.info.slot, ret);
	hv_free(sc);
	return ret;
}

static void vblk_remove(struct hv_pci_dev *d)
{
	struct vblk_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	hv_blkdev_unregister(&sc->bd);
	vblk_shutdown(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}

/* Split [bus, bus + len) into segments that end on page boundaries and hold at most
 * seg_limit bytes. The buffer is physically contiguous (one bus address), so only the
 * device's size_max cuts it. Returns the count, or -HV_E2BIG past max_segs. */
static int vblk_map(struct vblk_softc *sc, struct virtq_seg *segs, uint64_t bus, uint64_t len)
{
	unsigned n = 0;

	while (len > 0) {
		uint64_t chunk = sc->seg_limit - (bus & (VBLK_PAGE - 1));
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

static int vblk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
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
			done[n]->status = vblk_status(((struct vblk_slot *)done[n]->driver_private)->status);
		}
		hv_spin_unlock_irqrestore(&sc->lock, fl);
		for (int i = 0; i < n; i++)
			hv_blkreq_complete(done[i], done[i]->status);
		total += n;
	} while (n == VBLK_BATCH);
	return total;
}

static void vblk_intr(void *arg, unsigned what, int queue)
{
	(void)queue;	/* one queue */
	if (what & VIRTIO_PCI_ISR_QUEUE)
		vblk_complete(arg);
}

static int vblk_poll(struct hv_blkdev *bd)
{
	struct vblk_softc *sc = bd->priv;

	return virtq_pending(&sc->vq) ? vblk_complete(sc) : 0;
}
