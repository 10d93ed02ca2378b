/*
 * virtio-blk (VIRTIO 1.1, 5.2): one disk, one request queue, over the shared virtio PCI
 * transport. A request is a chain: header (device-readable), data segments, status byte
 * (device-writable). Header and status live in a slot owned by the chain's head
 * descriptor, so submitting allocates nothing. Requests complete from the interrupt
 * handler or from poll, outside the queue lock, so a completion may submit again. This
 * file attaches the device; the request path is in virtio_blk_ring.c.
 */
#include <hv/ddk.h>

#include "virtio_blkvar.h"

HV_MODULE("virtio-blk", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1001),
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1042));

static int vblk_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void vblk_remove(struct hv_pci_dev *d);

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
#ifdef HV_DEFECT_BAD_CAPACITY	/* certify self-test defect: the capacity taken as the last LBA */
	sc->bd.nblocks -= 1;
#endif
	/* Header and status take two descriptors of every chain. */
	sc->max_segs = sc->vq.size - 2u;
	if (virtio_pci_has(vp, VIRTIO_BLK_F_SEG_MAX)) {
		uint32_t m = virtio_pci_cfg_read32(vp, VIRTIO_BLK_CFG_SEG_MAX);
		if (m >= 1 && m < sc->max_segs)
			sc->max_segs = m;
	}
	sc->seg_limit = VBLK_SEG_DEFAULT;
	if (virtio_pci_has(vp, VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t m = virtio_pci_cfg_read32(vp, VIRTIO_BLK_CFG_SIZE_MAX) & ~(HV_PAGE_SIZE - 1);
		if (m >= HV_PAGE_SIZE && m < sc->seg_limit)
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
	sc->slots = hv_dma_alloc_coherent(sc->vp.pci, sc->slots_size, &sc->slots_bus);
	if (!sc->slots)
		goto free_vq;
	sc->segs = hv_malloc(sizeof(struct virtq_seg) * sc->vq.size);
	if (!sc->segs)
		goto free_slots;
	vblk_read_config(sc);
	virtio_pci_add_status(&sc->vp, VIRTIO_STATUS_DRIVER_OK);
	return 0;

free_slots:
	hv_dma_free_coherent(sc->vp.pci, sc->slots, sc->slots_size);
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
	hv_dma_free_coherent(sc->vp.pci, sc->slots, sc->slots_size);
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
#ifndef HV_DEFECT_BLKDEV_AFTER_REMOVE	/* verifier defect: vmhbaN outlives remove */
	hv_blkdev_unregister(&sc->bd);
#endif
	vblk_shutdown(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}
