/*
 * The virtio PCI transport (VIRTIO 1.1, 4.1). Modern devices are driven through the
 * regions their vendor capabilities describe (4.1.4); transitional devices without them
 * through the legacy header in I/O BAR 0 (4.1.4.8).
 */
#include <hv/ddk.h>

#include "virtiovar.h"

#define VIRTIO_PCI_RESET_US	100000
#define VIRTIO_PCI_MAX_CAPS	48	/* 192 bytes of capabilities at 4 each: a loop */

static void virtio_pci_intr(void *arg, unsigned index);

/* Modern common configuration (4.1.4.3): every field is accessed at its own width. */
static uint8_t virtio_pci_common_read8(struct virtio_pci *vp, unsigned off)
{
	return hv_bar_read8(vp->common.bar, vp->common.off + off);
}

static uint16_t virtio_pci_common_read16(struct virtio_pci *vp, unsigned off)
{
	return hv_bar_read16(vp->common.bar, vp->common.off + off);
}

static uint32_t virtio_pci_common_read32(struct virtio_pci *vp, unsigned off)
{
	return hv_bar_read32(vp->common.bar, vp->common.off + off);
}

static void virtio_pci_common_write8(struct virtio_pci *vp, unsigned off, uint8_t v)
{
	hv_bar_write8(vp->common.bar, vp->common.off + off, v);
}

static void virtio_pci_common_write16(struct virtio_pci *vp, unsigned off, uint16_t v)
{
	hv_bar_write16(vp->common.bar, vp->common.off + off, v);
}

static void virtio_pci_common_write32(struct virtio_pci *vp, unsigned off, uint32_t v)
{
	hv_bar_write32(vp->common.bar, vp->common.off + off, v);
}

/* 4.1.3.1: 64-bit fields are written as two 32-bit halves, low first. */
static void virtio_pci_common_write64(struct virtio_pci *vp, unsigned off, uint64_t v)
{
	virtio_pci_common_write32(vp, off, (uint32_t)v);
	virtio_pci_common_write32(vp, off + 4, (uint32_t)(v >> 32));
}

/* The region one capability describes; bar stays NULL when it does not fit its BAR. */
static void virtio_pci_map_cap(struct virtio_pci *vp, uint8_t cap, struct virtio_region *r)
{
	uint8_t bar = hv_pci_cfg_read8(vp->pci, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = hv_pci_cfg_read32(vp->pci, cap + VIRTIO_PCI_CAP_OFFSET);
	uint32_t length = hv_pci_cfg_read32(vp->pci, cap + VIRTIO_PCI_CAP_LENGTH);

	if (bar > 5)
		return;
	struct hv_bar *b = hv_pci_bar(vp->pci, bar);
	if (!b || (uint64_t)off + length > hv_bar_size(b))
		return;
	r->bar = b;
	r->off = off;
	r->len = length;
}

/* 4.1.4: walk the capability list; the first capability of each type wins (4.1.4.1). */
static int virtio_pci_find_modern(struct virtio_pci *vp)
{
	unsigned n = 0;

	if (!(hv_pci_cfg_read16(vp->pci, VIRTIO_PCI_CFG_STATUS) & VIRTIO_PCI_STATUS_CAP_LIST))
		return -HV_ENODEV;
	for (uint8_t cap = hv_pci_cfg_read8(vp->pci, VIRTIO_PCI_CFG_CAP_PTR) & 0xfc;
	     cap >= 0x40 && n < VIRTIO_PCI_MAX_CAPS;
	     cap = hv_pci_cfg_read8(vp->pci, cap + VIRTIO_PCI_CAP_NEXT) & 0xfc, n++) {
		if (hv_pci_cfg_read8(vp->pci, cap + VIRTIO_PCI_CAP_VNDR) != VIRTIO_PCI_CAP_ID)
			continue;
		switch (hv_pci_cfg_read8(vp->pci, cap + VIRTIO_PCI_CAP_CFG_TYPE)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!vp->common.bar)
				virtio_pci_map_cap(vp, cap, &vp->common);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!vp->notify.bar) {
				virtio_pci_map_cap(vp, cap, &vp->notify);
				vp->notify_mult = hv_pci_cfg_read32(vp->pci, cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!vp->isr.bar)
				virtio_pci_map_cap(vp, cap, &vp->isr);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!vp->devcfg.bar)
				virtio_pci_map_cap(vp, cap, &vp->devcfg);
			break;
		}
	}
	/* The device configuration is optional (4.1.4.6); the other three are not. */
	return vp->common.bar && vp->notify.bar && vp->isr.bar ? 0 : -HV_ENODEV;
}

int virtio_pci_attach(struct virtio_pci *vp, struct hv_pci_dev *d)
{
	vp->pci = d;
	hv_pci_get_info(d, &vp->info);
	if (virtio_pci_find_modern(vp) == 0) {
		vp->modern = true;
		hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
		return 0;
	}
	vp->common.bar = vp->notify.bar = vp->isr.bar = vp->devcfg.bar = NULL;
	/* 4.1.2.1: only a transitional ID may be driven through the legacy header. */
	vp->legacy = vp->info.device <= VIRTIO_PCI_DEVICE_LEGACY_MAX ? hv_pci_bar(d, 0) : NULL;
	if (!vp->legacy || hv_bar_size(vp->legacy) < VIRTIO_LEGACY_CONFIG_MSIX) {
		hv_log("virtio: %s: neither the modern capabilities nor a legacy I/O BAR 0",
		       vp->info.slot);
		return -HV_ENODEV;
	}
	vp->modern = false;
	hv_pci_enable(d, HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MASTER);
	return 0;
}

const char *virtio_pci_kind(const struct virtio_pci *vp)
{
	return vp->modern ? "modern" : "legacy";
}

uint8_t virtio_pci_get_status(struct virtio_pci *vp)
{
	if (vp->modern)
		return virtio_pci_common_read8(vp, VIRTIO_PCI_COMMON_STATUS);
	return hv_bar_read8(vp->legacy, VIRTIO_LEGACY_STATUS);
}

static void virtio_pci_set_status(struct virtio_pci *vp, uint8_t st)
{
	if (vp->modern)
		virtio_pci_common_write8(vp, VIRTIO_PCI_COMMON_STATUS, st);
	else
		hv_bar_write8(vp->legacy, VIRTIO_LEGACY_STATUS, st);
}

void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits)
{
	virtio_pci_set_status(vp, virtio_pci_get_status(vp) | bits);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	uint64_t t0 = hv_time_us();

	virtio_pci_set_status(vp, 0);
	/* 4.1.4.3.2: the reset is complete when the status reads back 0. */
	while (virtio_pci_get_status(vp) != 0) {
		if (hv_time_us() - t0 > VIRTIO_PCI_RESET_US) {
			hv_log("virtio: device did not finish its reset");
			return;
		}
		hv_udelay(10);
	}
}

static uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	if (!vp->modern)
		return hv_bar_read32(vp->legacy, VIRTIO_LEGACY_DEVICE_FEATURES);
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 0);
	uint64_t lo = virtio_pci_common_read32(vp, VIRTIO_PCI_COMMON_DF);
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 1);
	return lo | (uint64_t)virtio_pci_common_read32(vp, VIRTIO_PCI_COMMON_DF) << 32;
}

static void virtio_pci_driver_features(struct virtio_pci *vp, uint64_t f)
{
	if (!vp->modern) {
		hv_bar_write32(vp->legacy, VIRTIO_LEGACY_DRIVER_FEATURES, (uint32_t)f);
		return;
	}
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 0);
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)f);
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 1);
	virtio_pci_common_write32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)(f >> 32));
}

int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted)
{
	virtio_pci_reset(vp);
	virtio_pci_add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_pci_add_status(vp, VIRTIO_STATUS_DRIVER);
	uint64_t dev = virtio_pci_device_features(vp);
	if (vp->modern) {
		/* 6.1: a modern driver must accept VERSION_1; without it the device is legacy-only. */
		if (!(dev & (1ull << VIRTIO_F_VERSION_1)))
			goto failed;
		wanted |= 1ull << VIRTIO_F_VERSION_1;
	} else {
		wanted &= 0xffffffffu;	/* the legacy interface has 32 feature bits */
	}
	vp->features = dev & wanted;
	virtio_pci_driver_features(vp, vp->features);
	if (!vp->modern)
		return 0;	/* 3.1.2: legacy devices have no FEATURES_OK */
	virtio_pci_add_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (virtio_pci_get_status(vp) & VIRTIO_STATUS_FEATURES_OK)
		return 0;
failed:
	hv_log("virtio: device refused features %llx (offered %llx)",
	       (unsigned long long)vp->features, (unsigned long long)dev);
	virtio_pci_add_status(vp, VIRTIO_STATUS_FAILED);
	return -HV_ENODEV;
}

/* 4.1.4.8: the legacy device configuration moves by 4 bytes while MSI-X is on. */
static unsigned virtio_pci_legacy_cfg(struct virtio_pci *vp, unsigned off)
{
	unsigned base = vp->irq_mode == HV_IRQ_MSIX ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;

	return base + off;
}

uint8_t virtio_pci_cfg_read8(struct virtio_pci *vp, unsigned off)
{
	if (!vp->modern)
		return hv_bar_read8(vp->legacy, virtio_pci_legacy_cfg(vp, off));
	return vp->devcfg.bar && off + 1 <= vp->devcfg.len ?
	       hv_bar_read8(vp->devcfg.bar, vp->devcfg.off + off) : 0;
}

uint16_t virtio_pci_cfg_read16(struct virtio_pci *vp, unsigned off)
{
	if (!vp->modern)
		return hv_bar_read16(vp->legacy, virtio_pci_legacy_cfg(vp, off));
	return vp->devcfg.bar && off + 2 <= vp->devcfg.len ?
	       hv_bar_read16(vp->devcfg.bar, vp->devcfg.off + off) : 0;
}

uint32_t virtio_pci_cfg_read32(struct virtio_pci *vp, unsigned off)
{
	if (!vp->modern)
		return hv_bar_read32(vp->legacy, virtio_pci_legacy_cfg(vp, off));
	return vp->devcfg.bar && off + 4 <= vp->devcfg.len ?
	       hv_bar_read32(vp->devcfg.bar, vp->devcfg.off + off) : 0;
}

/* 4.1.3.1: two 32-bit reads, retried until the generation is stable (2.4.1). */
uint64_t virtio_pci_cfg_read64(struct virtio_pci *vp, unsigned off)
{
	uint8_t gen;
	uint64_t v;

	do {
		gen = virtio_pci_cfg_generation(vp);
		v = virtio_pci_cfg_read32(vp, off) |
		    (uint64_t)virtio_pci_cfg_read32(vp, off + 4) << 32;
	} while (gen != virtio_pci_cfg_generation(vp));
	return v;
}

uint8_t virtio_pci_cfg_generation(struct virtio_pci *vp)
{
	return vp->modern ? virtio_pci_common_read8(vp, VIRTIO_PCI_COMMON_CFGGEN) : 0;
}

/* MSI-X: vector 0 reports configuration changes; queue q uses vector 1 + q while there are
 * vectors, the last one after that. With a single vector everything shares vector 0. */
static uint16_t virtio_pci_queue_vector(struct virtio_pci *vp, uint16_t q)
{
	if (vp->irq_mode != HV_IRQ_MSIX)
		return VIRTIO_MSI_NO_VECTOR;
	if (vp->nvec == 1)
		return 0;
	return (uint16_t)(1u + q < vp->nvec ? 1u + q : vp->nvec - 1u);
}

int virtio_pci_irq_alloc(struct virtio_pci *vp, unsigned nqueues, virtio_pci_intr_t fn, void *arg)
{
	int mode = 0;

	vp->intr = fn;
	vp->intr_arg = arg;
	int n = hv_pci_irq_alloc(vp->pci, HV_IRQ_AUTO, 1 + nqueues, virtio_pci_intr, vp, &mode);
	if (n < 0) {
		/* Virtio functions have MSI-X and INTx but no MSI: pci.irq=msi ends here. */
		hv_log("virtio: %s: no interrupt (%d)", vp->info.slot, n);
		return n;
	}
	vp->irq_mode = mode;
	vp->nvec = (unsigned)n;
	if (mode != HV_IRQ_MSIX)
		return 0;
	/* 4.1.5.1.2: program the configuration vector and check the device took it. */
	uint16_t got;
	if (vp->modern) {
		virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_MSIX, 0);
		got = virtio_pci_common_read16(vp, VIRTIO_PCI_COMMON_MSIX);
	} else {
		hv_bar_write16(vp->legacy, VIRTIO_LEGACY_MSIX_CONFIG, 0);
		got = hv_bar_read16(vp->legacy, VIRTIO_LEGACY_MSIX_CONFIG);
	}
	if (got == VIRTIO_MSI_NO_VECTOR) {
		hv_log("virtio: device refused MSI-X configuration vector 0");
		virtio_pci_irq_free(vp);
		return -HV_EIO;
	}
	return 0;
}

void virtio_pci_irq_free(struct virtio_pci *vp)
{
	if (!vp->irq_mode)
		return;
	hv_pci_irq_free(vp->pci);
	vp->irq_mode = 0;
	vp->nvec = 0;
}

/* With MSI-X the vector says what happened; otherwise the ISR does, and reading it
 * deasserts INTx (4.1.4.5). A zero ISR means another device on a shared line. */
static void virtio_pci_intr(void *arg, unsigned index)
{
	struct virtio_pci *vp = arg;
	unsigned what;
	int queue = -1;

	if (vp->irq_mode == HV_IRQ_MSIX) {
		if (vp->nvec == 1)
			what = VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
		else
			what = index == 0 ? VIRTIO_PCI_ISR_CONFIG : VIRTIO_PCI_ISR_QUEUE;
		/* Vector 1 + q belongs to queue q alone, except the last (virtio_pci_queue_vector). */
		if (index > 0 && index + 1 < vp->nvec)
			queue = (int)index - 1;
	} else if (vp->modern) {
		what = hv_bar_read8(vp->isr.bar, vp->isr.off);
	} else {
		what = hv_bar_read8(vp->legacy, VIRTIO_LEGACY_ISR);
	}
	what &= VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
	if (what)
		vp->intr(vp->intr_arg, what, queue);
}

uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t index)
{
	if (vp->modern) {
		virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_Q_SELECT, index);
		return virtio_pci_common_read16(vp, VIRTIO_PCI_COMMON_Q_SIZE);
	}
	hv_bar_write16(vp->legacy, VIRTIO_LEGACY_QUEUE_SELECT, index);
	return hv_bar_read16(vp->legacy, VIRTIO_LEGACY_QUEUE_SIZE);
}

/* 4.1.5.1.3: select, size, vector, addresses, notify offset, enable. */
static int virtio_pci_queue_modern(struct virtio_pci *vp, struct virtq *vq)
{
	virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
	virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_Q_SIZE, vq->size);
	virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_Q_MSIX, vq->msix_vector);
	if (virtio_pci_common_read16(vp, VIRTIO_PCI_COMMON_Q_MSIX) != vq->msix_vector) {
		hv_log("virtio: queue %u: device refused MSI-X vector %u", vq->index, vq->msix_vector);
		return -HV_EIO;
	}
	virtio_pci_common_write64(vp, VIRTIO_PCI_COMMON_Q_DESC,
				  hv_dma_addr(vp->pci, vq->desc_bus, (size_t)vq->size * sizeof(struct virtq_desc)));
	virtio_pci_common_write64(vp, VIRTIO_PCI_COMMON_Q_AVAIL,
				  hv_dma_addr(vp->pci, vq->avail_bus, 6 + 2 * (size_t)vq->size));
	virtio_pci_common_write64(vp, VIRTIO_PCI_COMMON_Q_USED,
				  hv_dma_addr(vp->pci, vq->used_bus, 6 + 8 * (size_t)vq->size));
	uint32_t off = (uint32_t)virtio_pci_common_read16(vp, VIRTIO_PCI_COMMON_Q_NOFF) * vp->notify_mult;
	if (off + 2 > vp->notify.len) {
		hv_log("virtio: queue %u: notify offset %u outside the region", vq->index, off);
		return -HV_EIO;
	}
	vq->notify_bar = vp->notify.bar;
	vq->notify_off = vp->notify.off + off;
	virtio_pci_common_write16(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	return 0;
}

/* 4.1.5.1.3.1 (legacy): the queue's page frame number, and its vector under MSI-X. */
static int virtio_pci_queue_legacy(struct virtio_pci *vp, struct virtq *vq)
{
	hv_bar_write16(vp->legacy, VIRTIO_LEGACY_QUEUE_SELECT, vq->index);
	if (vp->irq_mode == HV_IRQ_MSIX) {
		hv_bar_write16(vp->legacy, VIRTIO_LEGACY_MSIX_QUEUE, vq->msix_vector);
		if (hv_bar_read16(vp->legacy, VIRTIO_LEGACY_MSIX_QUEUE) != vq->msix_vector) {
			hv_log("virtio: queue %u: device refused MSI-X vector %u", vq->index,
			       vq->msix_vector);
			return -HV_EIO;
		}
	}
	hv_bar_write32(vp->legacy, VIRTIO_LEGACY_QUEUE_PFN,
		(uint32_t)(hv_dma_addr(vp->pci, vq->desc_bus, vq->mem_size) >> VIRTIO_LEGACY_PFN_SHIFT));
	vq->notify_bar = vp->legacy;
	vq->notify_off = VIRTIO_LEGACY_QUEUE_NOTIFY;
	return 0;
}

int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *vq, uint16_t index, uint16_t size)
{
	uint16_t max = virtio_pci_queue_max(vp, index);

	if (max == 0)
		return -HV_ENODEV;
	/* The legacy interface cannot change the size (4.1.4.8); a modern one can shrink it. */
	if (size == 0 || size > max || !vp->modern)
		size = max;
	int ret = virtq_alloc(vq, vp->pci, index, size);
	if (ret < 0)
		return ret;
	vq->event_idx = virtio_pci_has(vp, VIRTIO_F_EVENT_IDX);
	vq->msix_vector = virtio_pci_queue_vector(vp, index);
	ret = vp->modern ? virtio_pci_queue_modern(vp, vq) : virtio_pci_queue_legacy(vp, vq);
	if (ret < 0)
		virtq_free(vq);
	return ret;
}
