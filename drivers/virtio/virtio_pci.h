/*
 * The virtio PCI transport shared by the virtio drivers (VIRTIO 1.1, 4.1): the modern
 * interface through vendor capabilities and the legacy one through I/O BAR 0, device
 * status handshake, feature negotiation, queue setup, notifications and interrupts.
 * A driver module compiles it in through its virtio_transport.c.
 */
#ifndef VIRTIO_PCI_H
#define VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/ddk.h>

#include "virtio_pcireg.h"
#include "virtqueue.h"

/* What an interrupt reports to the driver: VIRTIO_PCI_ISR_QUEUE and/or _CONFIG, and for a
 * queue interrupt on an MSI-X vector of its own (1 + q), the queue q; -1 when the interrupt
 * does not tell which queue (INTx, a single vector, the last vector shared by the rest). */
typedef void (*virtio_pci_intr_t)(void *arg, unsigned what, int queue);

struct virtio_pci {
	struct hv_pci_dev *pci;
	struct hv_pci_info info;	/* slot and IDs, for messages */
	bool modern;
	/* Legacy: I/O BAR 0. */
	uint16_t iobase;
	/* Modern: the regions the capabilities point at. */
	volatile uint8_t *common, *isr, *devcfg, *notify;
	uint32_t notify_mult, notify_len, devcfg_len;

	uint64_t features;		/* negotiated */
	int irq_mode;			/* HV_IRQ_*, 0 while none is allocated */
	unsigned nvec;			/* MSI-X vectors obtained */
	virtio_pci_intr_t intr;
	void *intr_arg;
};

/* Find the interface (modern when the capabilities are there, else legacy) and enable
 * decoding and bus mastering. 0 or -HV_ENODEV. */
int virtio_pci_attach(struct virtio_pci *vp, struct hv_pci_dev *d);
/* "modern" or "legacy". */
const char *virtio_pci_kind(const struct virtio_pci *vp);

/* 4.1.4.3.2 / 2.1.2: write 0 and wait until the device reads back 0. */
void virtio_pci_reset(struct virtio_pci *vp);
uint8_t virtio_pci_get_status(struct virtio_pci *vp);
void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits);

/* 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, accept device & wanted (plus VERSION_1 on the
 * modern interface), FEATURES_OK and check it stuck. 0 or -HV_ENODEV (FAILED is set). */
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted);
static inline bool virtio_pci_has(const struct virtio_pci *vp, unsigned bit)
{
	return (vp->features >> bit) & 1;
}

/* Device configuration (4.1.4.6 and 4.1.4.8); off from the start of the device's fields. */
uint8_t virtio_pci_cfg_read8(struct virtio_pci *vp, unsigned off);
uint16_t virtio_pci_cfg_read16(struct virtio_pci *vp, unsigned off);
uint32_t virtio_pci_cfg_read32(struct virtio_pci *vp, unsigned off);
uint64_t virtio_pci_cfg_read64(struct virtio_pci *vp, unsigned off);
/* 2.4.1: configuration generation (always 0 on the legacy interface). */
uint8_t virtio_pci_cfg_generation(struct virtio_pci *vp);

/* Interrupts for nqueues queues: MSI-X with vector 0 for configuration changes and one per
 * queue as far as they go, else INTx with the ISR read. Call before the queues are set up
 * (the legacy device configuration moves when MSI-X turns on). 0 or -HV_Exxx. */
int virtio_pci_irq_alloc(struct virtio_pci *vp, unsigned nqueues, virtio_pci_intr_t fn,
			 void *arg);
void virtio_pci_irq_free(struct virtio_pci *vp);

/* Largest size of queue index; 0 when the queue does not exist. */
uint16_t virtio_pci_queue_max(struct virtio_pci *vp, uint16_t index);
/* Allocate queue index (size entries; 0 = the device's size) and hand it to the device. */
int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *vq, uint16_t index, uint16_t size);
/* Tell the device queue vq has new buffers (4.1.4.4 / 4.1.4.8). */
static inline void virtio_pci_notify(struct virtio_pci *vp, struct virtq *vq)
{
	if (vp->modern)
		hv_write16(vq->notify_mmio, vq->index);
	else
		hv_outw(vq->notify_port, vq->index);
}
/* Notify only when the device has not suppressed notifications. */
static inline void virtio_pci_kick(struct virtio_pci *vp, struct virtq *vq)
{
	if (virtq_kick_needed(vq))
		virtio_pci_notify(vp, vq);
}

#endif
