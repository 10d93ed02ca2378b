/*
 * The virtio-blk ceiling probe (ceil_blk.h) over the legacy interface (VIRTIO 1.1, 4.1.4.8:
 * I/O BAR 0) of QEMU's transitional virtio-blk-pci, with no feature negotiated (512-byte
 * sectors, one data descriptor per request). Tag k owns descriptors 3k..3k+2, written once
 * as a header -> data -> status chain (5.2.6); a request only fills the header, the data
 * descriptor's address, length and direction, and puts 3k on the available ring. The
 * doorbell is rung unless the device suppressed it (2.6.10.2). Completions are reaped by
 * polling the used ring; MSI-X vector 0 on the queue (4.1.5.1.2.1) only ends the probe's
 * HLT while it waits (without MSI-X: VIRTQ_AVAIL_F_NO_INTERRUPT, and the probe spins).
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/io.h>
#include <hv/irq.h>
#include <hv/log.h>
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>

#include "../../drivers/storage/virtio-blk/virtio_blkreg.h"
#include "../../drivers/virtio/virtioreg.h"
#include "ceil_blk.h"

#define CVB_VENDOR	0x1af4
#define CVB_DEVICE	0x1001		/* transitional block device (4.1.2.3) */
#define CVB_SLOT	32		/* a tag's header (16 bytes) and status byte */
#define CVB_STATUS_OFF	16
#define CVB_MAX_BYTES	(1024u * 1024)	/* one data descriptor: what ceil_blk.c asks at most */

struct ceil_blk_dev {
	struct hv_pci_dev *pci;
	struct hv_bar *io;
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t size, avail_idx, last_used;
	void *mem;
	size_t mem_size;
	uint8_t *slots;			/* CEIL_BLK_DEPTH * CVB_SLOT */
	uint64_t slots_bus;
	bool irq;
};

static void cvb_reset(struct ceil_blk_dev *d)
{
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, 0);
	while (hv_bar_read8(d->io, VIRTIO_LEGACY_STATUS))
		;
}

static void cvb_free(struct ceil_blk_dev *d)
{
	if (d->slots)
		hv_dma_free_coherent(d->pci, d->slots, CEIL_BLK_DEPTH * CVB_SLOT);
	if (d->mem)
		hv_dma_free_coherent(d->pci, d->mem, d->mem_size);
	hv_free(d);
}

static void cvb_close(struct ceil_blk_dev *d)
{
	cvb_reset(d);		/* 2.1.1: no more DMA into the rings or buffers */
	if (d->irq)
		hv_pci_irq_free(d->pci);
	hv_pci_disable(d->pci, HV_PCI_ENABLE_MASTER);
	cvb_free(d);
}

static void cvb_intr(void *arg, unsigned index)
{
	(void)arg;
	(void)index;
}

/* MSI-X vector 0 for queue 0, none for configuration changes; false when the device
 * has no MSI-X or refuses the vector (it reads back VIRTIO_MSI_NO_VECTOR). */
static bool cvb_irq_setup(struct ceil_blk_dev *d)
{
	int mode;

	if (hv_pci_irq_alloc(d->pci, HV_IRQ_MSIX, 1, cvb_intr, d, &mode) < 0)
		return false;
	hv_bar_write16(d->io, VIRTIO_LEGACY_MSIX_CONFIG, VIRTIO_MSI_NO_VECTOR);
	hv_bar_write16(d->io, VIRTIO_LEGACY_QUEUE_SELECT, VIRTIO_BLK_REQQ);
	hv_bar_write16(d->io, VIRTIO_LEGACY_MSIX_QUEUE, 0);
	if (hv_bar_read16(d->io, VIRTIO_LEGACY_MSIX_QUEUE) != 0) {
		hv_pci_irq_free(d->pci);
		return false;
	}
	return true;
}

/* The queue's memory (2.6.2, legacy layout: the used ring on the next 4096-byte boundary),
 * every tag's chain written once. */
static int cvb_queue_setup(struct ktest_ctx *t, struct ceil_blk_dev *d)
{
	uint64_t bus;

	hv_bar_write16(d->io, VIRTIO_LEGACY_QUEUE_SELECT, VIRTIO_BLK_REQQ);
	d->size = hv_bar_read16(d->io, VIRTIO_LEGACY_QUEUE_SIZE);
	if (d->size < 3 * CEIL_BLK_DEPTH || (d->size & (d->size - 1))) {
		ktest_msg(t, "virtio-blk: queue 0 has size %u (%u chains of 3 needed)", d->size,
			  CEIL_BLK_DEPTH);
		return -HV_EIO;
	}
	size_t used_off = (16u * d->size + 6 + 2u * d->size + 4095) & ~(size_t)4095;
	d->mem_size = used_off + ((6 + 8u * d->size + 4095) & ~(size_t)4095);
	d->mem = hv_dma_alloc_coherent(d->pci, d->mem_size, &bus);
	d->slots = hv_dma_alloc_coherent(d->pci, CEIL_BLK_DEPTH * CVB_SLOT, &d->slots_bus);
	if (!d->mem || !d->slots) {
		ktest_msg(t, "virtio-blk: no DMA memory");
		return -HV_ENOMEM;
	}
	memset(d->mem, 0, d->mem_size);
	d->desc = d->mem;
	d->avail = (struct virtq_avail *)((uint8_t *)d->mem + 16u * d->size);
	d->used = (struct virtq_used *)((uint8_t *)d->mem + used_off);
	for (uint16_t k = 0; k < CEIL_BLK_DEPTH; k++) {
		uint64_t slot = d->slots_bus + (uint64_t)k * CVB_SLOT;
		d->desc[3 * k] = (struct virtq_desc){ slot, sizeof(struct virtio_blk_req_hdr),
						      VIRTQ_DESC_F_NEXT, (uint16_t)(3 * k + 1) };
		d->desc[3 * k + 1] = (struct virtq_desc){ 0, 0, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * k + 2) };
		d->desc[3 * k + 2] = (struct virtq_desc){ slot + CVB_STATUS_OFF, 1, VIRTQ_DESC_F_WRITE, 0 };
	}
	d->avail->flags = d->irq ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	hv_bar_write32(d->io, VIRTIO_LEGACY_QUEUE_PFN, (uint32_t)(bus >> VIRTIO_LEGACY_PFN_SHIFT));
	return 0;
}

/* Reset, acknowledge, no features, the interrupt, the queue, DRIVER_OK (3.1.1, legacy
 * variant). */
static int cvb_open(struct ktest_ctx *t, struct pci_dev *pd, struct ceil_blk_dev **out,
		    struct ceil_blk_geom *g)
{
	struct ceil_blk_dev *d = hv_zalloc(sizeof(*d));

	if (!d) {
		ktest_msg(t, "virtio-blk: no memory");
		return -HV_ENOMEM;
	}
	d->pci = (struct hv_pci_dev *)pd;
	d->io = hv_pci_bar(d->pci, 0);
	if (!d->io) {
		ktest_msg(t, "virtio-blk: no I/O BAR 0 (a modern-only function?)");
		hv_free(d);
		return -HV_ENODEV;
	}
	hv_pci_enable(d->pci, HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MASTER);
	cvb_reset(d);
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	hv_bar_write32(d->io, VIRTIO_LEGACY_DRIVER_FEATURES, 0);
	d->irq = cvb_irq_setup(d);
	int rc = cvb_queue_setup(t, d);
	if (rc < 0) {
		cvb_close(d);
		return rc;
	}
	/* 4.1.4.8: the device configuration follows the MSI-X fields when MSI-X is on. */
	unsigned cfg = d->irq ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
	g->block_size = VIRTIO_BLK_SECTOR_SIZE;
	g->nblocks = hv_bar_read32(d->io, cfg + VIRTIO_BLK_CFG_CAPACITY) |
		     (uint64_t)hv_bar_read32(d->io, cfg + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	g->max_blocks = CVB_MAX_BYTES / VIRTIO_BLK_SECTOR_SIZE;
	g->depth = CEIL_BLK_DEPTH;
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		      VIRTIO_STATUS_DRIVER_OK);
	hv_log("ceil: virtio-blk: queue of %u, %llu sectors, %s", d->size,
	       (unsigned long long)g->nblocks,
	       d->irq ? "MSI-X vector 0 ends the wait's HLT" : "no MSI-X: the wait spins");
	*out = d;
	return 0;
}

static void cvb_post(struct ceil_blk_dev *d, unsigned tag, bool write, uint64_t lba, uint32_t n,
		     uint64_t bus)
{
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)(d->slots + (size_t)tag * CVB_SLOT);
	struct virtq_desc *data = &d->desc[3 * tag + 1];

	h->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	h->reserved = 0;
	h->sector = lba;	/* 512-byte blocks: the LBA is the sector */
	d->slots[(size_t)tag * CVB_SLOT + CVB_STATUS_OFF] = 0xff;	/* the device overwrites it */
	data->addr = bus;
	data->len = n * VIRTIO_BLK_SECTOR_SIZE;
	data->flags = VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE);
	d->avail->ring[d->avail_idx++ & (d->size - 1)] = (uint16_t)(3 * tag);
}

/* Publish what was posted (2.6.13), notify unless suppressed (2.6.10.2). */
static void cvb_ring(struct ceil_blk_dev *d)
{
	if (d->avail->idx == d->avail_idx)
		return;
	hv_wmb();
	d->avail->idx = d->avail_idx;
	hv_mb();
	if (!(d->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		hv_bar_write16(d->io, VIRTIO_LEGACY_QUEUE_NOTIFY, VIRTIO_BLK_REQQ);
}

static unsigned cvb_reap(struct ceil_blk_dev *d, unsigned *tags, uint32_t *status, unsigned max)
{
	unsigned k = 0;

	while (k < max && d->used->idx != d->last_used) {
		hv_rmb();
		unsigned tag = (d->used->ring[d->last_used++ & (d->size - 1)].id & 0xffff) / 3;
		tags[k] = tag;
		status[k++] = d->slots[(size_t)tag * CVB_SLOT + CVB_STATUS_OFF];
	}
	return k;
}

/* Halt until the vector fires, unless a completion is there already (checked with
 * interrupts off, so one landing after the check stays pending and ends the HLT). */
static void cvb_idle(struct ceil_blk_dev *d)
{
	if (!d->irq)
		return;
	int on = cpu_irq_save();
	if (d->used->idx == d->last_used)
		__asm__ volatile("sti; hlt" ::: "memory");
	cpu_irq_restore(on);
}

const struct ceil_blk_model ceil_vblk_model = {
	.name = "virtio-blk",
	.vendor = CVB_VENDOR,
	.device = CVB_DEVICE,
	.open = cvb_open,
	.post = cvb_post,
	.ring = cvb_ring,
	.reap = cvb_reap,
	.idle = cvb_idle,
	.close = cvb_close,
};
