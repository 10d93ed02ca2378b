/*
 * The shared virtio code a virtio driver compiles in (HVM_EXTRA := ../../virtio in its
 * Makefile), VIRTIO 1.1:
 * - split virtqueues (2.6, virtio_ring.c): a descriptor table, an available ring and a
 *   used ring in one piece of DMA memory, laid out as the legacy interface demands
 *   (2.6.2), which satisfies the modern alignment rules too. The caller serialises all
 *   calls on one queue.
 * - the PCI transport (4.1, virtio_pci.c): the modern interface through vendor
 *   capabilities and the legacy one through I/O BAR 0, device status handshake, feature
 *   negotiation, queue setup, notifications and interrupts.
 * Registers and ring layouts are in virtioreg.h.
 */
#ifndef VIRTIOVAR_H
#define VIRTIOVAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/ddk.h>

#include "virtioreg.h"

/* Split virtqueues (virtio_ring.c). */

/* One buffer of a request: bus address and length. */
struct virtq_seg {
	uint64_t bus;
	uint32_t len;
};

struct virtq {
	uint16_t index;			/* queue number on the device */
	uint16_t size;			/* entries: a power of two */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	volatile struct virtq_used *used;
	struct hv_pci_dev *pci;		/* the device the rings belong to */
	void *mem;			/* the DMA memory holding all three */
	size_t mem_size;
	uint64_t desc_bus, avail_bus, used_bus;

	uint16_t free_head;		/* first free descriptor, chained through next */
	uint16_t num_free;
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t last_used;		/* next used element to consume */
	uint16_t kicked_idx;		/* avail_idx when the driver last decided on a kick */
	bool event_idx;			/* VIRTIO_F_EVENT_IDX negotiated (2.6.7.2, 2.6.10.2) */
	void **cookie;			/* per head descriptor: the caller's pointer */

	/* Filled by the transport: where a notification goes (a BAR and an offset). */
	struct hv_bar *notify_bar;
	uint32_t notify_off;
	uint16_t msix_vector;
};

/* Allocate queue index of device d with size entries (a power of two, at most 32768).
 * 0 or -HV_Exxx. */
int virtq_alloc(struct virtq *vq, struct hv_pci_dev *d, uint16_t index, uint16_t size);
/* Free what virtq_alloc allocated (the device must be reset first). NULL-safe. */
void virtq_free(struct virtq *vq);

/* Chain nout device-readable segments then nin device-writable ones and make the chain
 * available. Returns the head descriptor, or -HV_ENOSPC when too few are free. */
int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned nout, unsigned nin,
	      void *cookie);
/* The descriptor the next virtq_add will use as its head, or -1 when none is free. Lets a
 * caller with one buffer slot per descriptor pick the slot before adding. */
static inline int virtq_next_head(const struct virtq *vq)
{
	return vq->num_free ? vq->free_head : -1;
}

/* True when the device wants a notification for what was added (2.6.10.2). */
bool virtq_kick_needed(struct virtq *vq);

/* Take one finished chain: returns its cookie and stores the written length in *len, or
 * NULL when the device has finished nothing more. */
void *virtq_get(struct virtq *vq, uint32_t *len);
/* True when the used ring holds elements not yet taken. */
static inline bool virtq_pending(const struct virtq *vq)
{
#ifdef HV_DEFECT_IDX_WRAP	/* certify self-test defect: the 16-bit used index compared by size */
	/* After 65536 uses the device's index wraps to 0 and looks "behind" ours: nothing
	 * is ever pending again. */
	return vq->used->idx > vq->last_used;
#else
	return vq->used->idx != vq->last_used;
#endif
}

/* Interrupt suppression (2.6.7): the device may still send one that was already due.
 * With VIRTIO_F_EVENT_IDX (vq->event_idx) enabling writes used_event instead of the flag:
 * the device then interrupts once when it passes the element the driver will take next,
 * and not again until the driver enables again, however many elements follow. */
void virtq_intr_disable(struct virtq *vq);
/* Re-enable; returns true when elements arrived meanwhile, which the caller must handle. */
bool virtq_intr_enable(struct virtq *vq);

/* Discard every chain still outstanding (after a device reset): returns the cookies one by
 * one, then NULL. */
void *virtq_detach(struct virtq *vq);

/* The PCI transport (virtio_pci.c). */

/* What an interrupt reports to the driver: VIRTIO_PCI_ISR_QUEUE and/or _CONFIG, and for a
 * queue interrupt on an MSI-X vector of its own (1 + q), the queue q; -1 when the interrupt
 * does not tell which queue (INTx, a single vector, the last vector shared by the rest). */
typedef void (*virtio_pci_intr_t)(void *arg, unsigned what, int queue);

struct virtio_pci {
	struct hv_pci_dev *pci;
	struct hv_pci_info info;	/* slot and IDs, for messages */
	bool modern;
	/* Legacy: I/O BAR 0. */
	struct hv_bar *legacy;
	/* Modern: the regions the capabilities point at, each a BAR and an offset into it
	 * (bar NULL when absent). */
	struct virtio_region { struct hv_bar *bar; uint32_t off, len; } common, isr, devcfg, notify;
	uint32_t notify_mult;

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
	(void)vp;
	hv_bar_write16(vq->notify_bar, vq->notify_off, vq->index);
}
/* Notify only when the device has not suppressed notifications. */
static inline void virtio_pci_kick(struct virtio_pci *vp, struct virtq *vq)
{
	if (virtq_kick_needed(vq))
		virtio_pci_notify(vp, vq);
}

#endif
