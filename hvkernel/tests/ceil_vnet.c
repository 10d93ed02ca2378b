/*
 * The virtio-net ceiling probe (ceil_nic.h) over the legacy interface (VIRTIO 1.1, 4.1.4.8:
 * I/O BAR 0), which every transitional virtio-net-pci function has. Each queue's
 * descriptors point at fixed slots and are written once; the probe only moves descriptor
 * numbers between the used and the available ring, rings the doorbell when the device has
 * not suppressed it (2.6.10.2), and keeps interrupts off (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * 2.6.7). Receive queue 0 of B, transmit queue 1 of A; nothing is negotiated but
 * VIRTIO_F_ANY_LAYOUT, so the header is the 10-byte legacy one (5.1.6).
 */
#include <hv/errno.h>
#include <hv/io.h>
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/nicframe.h>

#include "../../drivers/virtio/virtioreg.h"
#include "ceil_nic.h"
#include "nic_suite.h"

#define CVN_HDR		10		/* struct virtio_net_hdr without num_buffers */
#define CVN_RX_SLOT	2048		/* header and a 1514-byte frame */
#define CVN_TX_SLOT	128		/* header and a 60-byte frame */
#define CVN_RXQ		0
#define CVN_TXQ		1
#define CVN_STALL_US	1000000		/* no completion for this long: the model stopped */

struct cvn_queue {
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t index, size, avail_idx, last_used;
	void *mem;
	size_t mem_size;
	uint8_t *bufs;
	uint64_t bufs_bus;
	size_t bufs_size;
};

struct cvn_dev {
	struct hv_pci_dev *pci;
	struct hv_bar *io;
	struct cvn_queue q;
	uint8_t mac[6];
};

static void cvn_reset(struct cvn_dev *d)
{
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, 0);
	while (hv_bar_read8(d->io, VIRTIO_LEGACY_STATUS))
		;
}

static void cvn_queue_free(struct cvn_dev *d)
{
	struct cvn_queue *q = &d->q;

	if (q->bufs)
		hv_dma_free_coherent(d->pci, q->bufs, q->bufs_size);
	if (q->mem)
		hv_dma_free_coherent(d->pci, q->mem, q->mem_size);
	q->bufs = q->mem = 0;
}

/* Reset, acknowledge, the one feature, queue `index` with every descriptor on its slot,
 * then DRIVER_OK (3.1.1, legacy variant: no FEATURES_OK). */
static int cvn_open(struct ktest_ctx *t, struct cvn_dev *d, struct pci_dev *pd, uint16_t index,
		    size_t slot, uint32_t len, uint16_t flags)
{
	struct cvn_queue *q = &d->q;
	uint64_t bus;

	memset(d, 0, sizeof(*d));
	d->pci = (struct hv_pci_dev *)pd;
	d->io = hv_pci_bar(d->pci, 0);
	if (!d->io) {
		ktest_msg(t, "virtio-net: no I/O BAR 0 (a modern-only function?)");
		return -HV_ENODEV;
	}
	hv_pci_enable(d->pci, HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MASTER);
	cvn_reset(d);
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	hv_bar_write32(d->io, VIRTIO_LEGACY_DRIVER_FEATURES,
		       hv_bar_read32(d->io, VIRTIO_LEGACY_DEVICE_FEATURES) & 1u << VIRTIO_F_ANY_LAYOUT);
	for (unsigned i = 0; i < 6; i++)
		d->mac[i] = hv_bar_read8(d->io, VIRTIO_LEGACY_CONFIG + i);
	hv_bar_write16(d->io, VIRTIO_LEGACY_QUEUE_SELECT, index);
	q->index = index;
	q->size = hv_bar_read16(d->io, VIRTIO_LEGACY_QUEUE_SIZE);
	if (q->size == 0 || (q->size & (q->size - 1))) {
		ktest_msg(t, "virtio-net: queue %u has size %u", index, q->size);
		return -HV_EIO;
	}
	/* 2.6.2, legacy layout: descriptors and available ring, the used ring on the next
	 * 4096-byte boundary. */
	size_t used_off = (16u * q->size + 6 + 2u * q->size + 4095) & ~(size_t)4095;
	q->mem_size = used_off + ((6 + 8u * q->size + 4095) & ~(size_t)4095);
	q->bufs_size = slot * q->size;
	q->mem = hv_dma_alloc_coherent(d->pci, q->mem_size, &bus);
	q->bufs = hv_dma_alloc_coherent(d->pci, q->bufs_size, &q->bufs_bus);
	if (!q->mem || !q->bufs) {
		cvn_queue_free(d);
		ktest_msg(t, "virtio-net: no DMA memory for queue %u", index);
		return -HV_ENOMEM;
	}
	q->desc = q->mem;
	q->avail = (struct virtq_avail *)((uint8_t *)q->mem + 16u * q->size);
	q->used = (struct virtq_used *)((uint8_t *)q->mem + used_off);
	for (uint16_t i = 0; i < q->size; i++)
		q->desc[i] = (struct virtq_desc){ q->bufs_bus + i * slot, len, flags, 0 };
	q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	hv_bar_write32(d->io, VIRTIO_LEGACY_QUEUE_PFN, (uint32_t)(bus >> VIRTIO_LEGACY_PFN_SHIFT));
	hv_bar_write8(d->io, VIRTIO_LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		      VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

static void cvn_close(struct cvn_dev *d)
{
	if (!d->io)
		return;
	cvn_reset(d);		/* 2.1.1: no more DMA into the rings or slots */
	hv_pci_disable(d->pci, HV_PCI_ENABLE_MASTER);
	cvn_queue_free(d);
}

static inline void cvn_post(struct cvn_queue *q, uint16_t id)
{
	q->avail->ring[q->avail_idx++ & (q->size - 1)] = id;
}

/* Publish what was posted (2.6.13) and ring the doorbell unless suppressed (2.6.10.2). */
static inline void cvn_publish(struct cvn_dev *d)
{
	hv_wmb();
	d->q.avail->idx = d->q.avail_idx;
	hv_mb();
	if (!(d->q.used->flags & VIRTQ_USED_F_NO_NOTIFY))
		hv_bar_write16(d->io, VIRTIO_LEGACY_QUEUE_NOTIFY, d->q.index);
}

/* The next used element's descriptor, or -1. */
static inline int cvn_reap(struct cvn_queue *q, uint32_t *len)
{
	if (q->used->idx == q->last_used)
		return -1;
	hv_rmb();
	volatile struct virtq_used_elem *e = &q->used->ring[q->last_used++ & (q->size - 1)];
	*len = e->len;
	return (int)(e->id & 0xffff);
}

static int cvn_run(struct ktest_ctx *t, struct pci_dev *pa, struct pci_dev *pb, uint64_t n,
		   struct ceil_nic_result *r)
{
	struct cvn_dev a, b;
	uint32_t len;
	int ret, id;

	memset(&b, 0, sizeof(b));
	ret = cvn_open(t, &a, pa, CVN_TXQ, CVN_TX_SLOT, CVN_HDR + CEIL_FRAME_LEN, 0);
	if (ret == 0 && pb)
		ret = cvn_open(t, &b, pb, CVN_RXQ, CVN_RX_SLOT, CVN_RX_SLOT, VIRTQ_DESC_F_WRITE);
	if (ret < 0)
		goto close;
	struct nicframe_ends e;
	memset(&e, 0, sizeof(e));
	memcpy(e.src, a.mac, 6);
	memcpy(e.dst, pb ? b.mac : (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 6);
	for (uint16_t i = 0; i < a.q.size; i++)
		nicframe_build(a.q.bufs + (size_t)i * CVN_TX_SLOT + CVN_HDR, &e, i, CEIL_FRAME_LEN);
	if (pb) {
		for (uint16_t i = 0; i < b.q.size; i++)
			cvn_post(&b.q, i);
		cvn_publish(&b);
	}
	uint64_t posted = 0;
	for (uint16_t i = 0; i < a.q.size && posted < n; i++, posted++)
		cvn_post(&a.q, i);
	uint64_t t0 = time_us(), seen = t0;
	cvn_publish(&a);
	uint16_t idle = 0;	/* reaped transmit descriptors waiting for the window */
	uint16_t *parked = hv_zalloc(sizeof(uint16_t) * a.q.size);
	if (!parked) {
		ktest_msg(t, "virtio-net: no memory");
		ret = -HV_ENOMEM;
		goto close;
	}
	while (r->sent < n || (pb && r->received < n)) {
		unsigned k = 0, done = 0;
		while ((id = cvn_reap(&a.q, &len)) >= 0) {
			r->sent++;
			done++;
			parked[idle++] = (uint16_t)id;
		}
		/* At most NIC_WINDOW frames beyond what B took, as nic.rate allows: the hub
		 * completes A's frames at once and would drop what B cannot take. */
		while (idle && posted < n && (!pb || posted - r->received < NIC_WINDOW)) {
			cvn_post(&a.q, parked[--idle]);
			posted++;
			k++;
		}
		if (k)
			cvn_publish(&a);
		unsigned m = 0;
		while (pb && (id = cvn_reap(&b.q, &len)) >= 0) {
			struct nicframe_info fi;
			const uint8_t *f = b.q.bufs + (size_t)(id & (b.q.size - 1)) * CVN_RX_SLOT + CVN_HDR;
			/* Every frame's length and tag; the checksum of the first ring's worth. */
			if (len != CVN_HDR + CEIL_FRAME_LEN || !nicframe_locate(f, CEIL_FRAME_LEN, &fi) ||
			    (r->received < b.q.size && !nicframe_intact(f, CEIL_FRAME_LEN, &fi)))
				r->bad++;
			r->received++;
			cvn_post(&b.q, (uint16_t)id);
			m++;
		}
		if (m)
			cvn_publish(&b);
		uint64_t now = time_us();
		if (done || m)
			seen = now;
		else if (now - seen > CVN_STALL_US)
			break;
	}
	r->us = time_us() - t0;
	hv_free(parked);
	if (r->sent < n || (pb && r->received < n))
		ktest_msg(t, "virtio-net: stalled after %llu sent, %llu received",
			  (unsigned long long)r->sent, (unsigned long long)r->received);
close:
	if (pb)
		cvn_close(&b);
	cvn_close(&a);
	return ret;
}

const struct ceil_nic_model ceil_vnet_model = {
	.name = "virtio-net", .vendor = VIRTIO_PCI_VENDOR, .device = 0x1000, .run = cvn_run,
};
