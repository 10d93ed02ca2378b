/*
 * Split virtqueues (VIRTIO 1.1, 2.6). Free descriptors are chained through their next
 * fields; a chain's head indexes the cookie array. Notifications are suppressed with the
 * flags of 2.6.7 and 2.6.10, or, when the driver negotiated VIRTIO_F_EVENT_IDX, with the
 * event fields that follow each ring (used_event after the available ring, avail_event
 * after the used ring).
 */
#include <hv/ddk.h>

#include "virtiovar.h"

#define VIRTQ_ALIGN(x, a)	(((x) + (a) - 1) & ~((size_t)(a) - 1))

/* 2.6.2 (legacy interfaces): descriptors and available ring, then the used ring on the
 * next 4096-byte boundary. The trailing u16 of each ring is the unused event field. */
static size_t virtq_avail_off(uint16_t size)
{
	return sizeof(struct virtq_desc) * size;
}

static size_t virtq_used_off(uint16_t size)
{
	return VIRTQ_ALIGN(virtq_avail_off(size) + 4 + 2 * (size_t)size + 2, VIRTIO_LEGACY_ALIGN);
}

static size_t virtq_mem_size(uint16_t size)
{
	return virtq_used_off(size) + VIRTQ_ALIGN(4 + 8 * (size_t)size + 2, VIRTIO_LEGACY_ALIGN);
}

int virtq_alloc(struct virtq *vq, struct hv_pci_dev *d, uint16_t index, uint16_t size)
{
	uint64_t bus;

	if (size == 0 || size > 32768 || (size & (size - 1)))
		return -HV_EINVAL;
	vq->mem_size = virtq_mem_size(size);
	vq->pci = d;
	vq->mem = hv_dma_alloc_coherent(d, vq->mem_size, &bus);
	if (!vq->mem)
		return -HV_ENOMEM;
	vq->cookie = hv_zalloc(sizeof(void *) * size);
	if (!vq->cookie) {
		hv_dma_free_coherent(d, vq->mem, vq->mem_size);
		vq->mem = NULL;
		return -HV_ENOMEM;
	}
	vq->index = index;
	vq->size = size;
	vq->desc = vq->mem;
	vq->avail = (struct virtq_avail *)((char *)vq->mem + virtq_avail_off(size));
	vq->used = (struct virtq_used *)((char *)vq->mem + virtq_used_off(size));
	vq->desc_bus = bus;
	vq->avail_bus = bus + virtq_avail_off(size);
	vq->used_bus = bus + virtq_used_off(size);
	for (uint16_t i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->kicked_idx = 0;
	vq->event_idx = false;
	vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
	return 0;
}

void virtq_free(struct virtq *vq)
{
	if (!vq->mem)
		return;
	hv_free(vq->cookie);
	hv_dma_free_coherent(vq->pci, vq->mem, vq->mem_size);
	vq->mem = NULL;
	vq->cookie = NULL;
}

int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned nout, unsigned nin,
	      void *cookie)
{
	unsigned n = nout + nin;
	uint16_t head = vq->free_head, i = head, last = head;

	if (n == 0 || n > vq->num_free)
		return -HV_ENOSPC;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &vq->desc[i];
		d->addr = hv_dma_addr(vq->pci, segs[k].bus, segs[k].len);
		d->len = segs[k].len;
		d->flags = (uint16_t)((k < nout ? 0 : VIRTQ_DESC_F_WRITE) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = i;
		i = d->next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->cookie[head] = cookie;
	/* 2.6.13: the ring entry, then (after a barrier) the index that publishes it. */
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	hv_wmb();
	*(volatile uint16_t *)&vq->avail->idx = vq->avail_idx;
	return head;
}

/* used_event and avail_event: the u16 after each ring (2.6.6, 2.6.8). */
static volatile uint16_t *virtq_used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t virtq_avail_event(struct virtq *vq)
{
	return *(const volatile uint16_t *)((const volatile char *)vq->used + 4 + 8u * vq->size);
}

bool virtq_kick_needed(struct virtq *vq)
{
	uint16_t old = vq->kicked_idx, now = vq->avail_idx;

	vq->kicked_idx = now;
	/* 2.6.10.2: the index store must be visible before we read the device's flag. */
	hv_mb();
	if (vq->event_idx) {
		/* 2.6.10.2: notify when the index moved past avail_event since the last
		 * decision: (new - event - 1) < (new - old), in 16-bit arithmetic. */
		uint16_t ev = virtq_avail_event(vq);
		return (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
	}
	return !(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

static void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t i = head, n = 1;

	while (vq->desc[i].flags & VIRTQ_DESC_F_NEXT) {
		i = vq->desc[i].next;
		n++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	vq->cookie[head] = NULL;
}

void *virtq_get(struct virtq *vq, uint32_t *len)
{
	if (!virtq_pending(vq))
		return NULL;
	/* 2.6.8: read the element only after seeing the index that covers it. */
	hv_rmb();
	volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	uint16_t head = (uint16_t)e->id;
	uint32_t l = e->len;
	vq->last_used++;
	if (head >= vq->size || !vq->cookie[head]) {
		hv_log("virtio: queue %u: device returned bad descriptor %u", vq->index, head);
		return NULL;
	}
	void *cookie = vq->cookie[head];
	virtq_free_chain(vq, head);
	if (len)
		*len = l;
	return cookie;
}

void virtq_intr_disable(struct virtq *vq)
{
	/* 2.6.7.1: with the event index the flags stay 0; a used_event 32768 elements
	 * behind the next one is passed only when the 16-bit index comes round to it again:
	 * at most one stray interrupt per 65536 elements (the callers take those). */
	if (vq->event_idx)
		*virtq_used_event(vq) = (uint16_t)(vq->last_used - 0x8000u);
	else
		vq->avail->flags |= VIRTQ_AVAIL_F_NO_INTERRUPT;
}

bool virtq_intr_enable(struct virtq *vq)
{
	/* 2.6.7.2: interrupt when the device writes the element we take next. */
	if (vq->event_idx)
		*virtq_used_event(vq) = vq->last_used;
	else
		vq->avail->flags &= (uint16_t)~VIRTQ_AVAIL_F_NO_INTERRUPT;
	/* The flag must be visible before we look for elements that raced with it. */
	hv_mb();
	return virtq_pending(vq);
}

void *virtq_detach(struct virtq *vq)
{
	for (uint16_t i = 0; i < vq->size; i++) {
		void *cookie = vq->cookie[i];
		if (cookie) {
			virtq_free_chain(vq, i);
			return cookie;
		}
	}
	return NULL;
}
