/*
 * Split virtqueues (VIRTIO 1.1, 2.6): a descriptor table, an available ring and a used ring
 * in one piece of DMA memory, laid out as the legacy interface demands (2.6.2), which
 * satisfies the modern alignment rules too. The caller serialises all calls on one queue.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_pcireg.h"

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
	void *mem;			/* the DMA memory holding all three */
	size_t mem_size;
	uint64_t desc_bus, avail_bus, used_bus;

	uint16_t free_head;		/* first free descriptor, chained through next */
	uint16_t num_free;
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t last_used;		/* next used element to consume */
	void **cookie;			/* per head descriptor: the caller's pointer */

	/* Filled by the transport: where a notification goes. */
	volatile void *notify_mmio;
	uint16_t notify_port;
	uint16_t msix_vector;
};

/* Allocate queue index with size entries (a power of two, at most 32768). 0 or -HV_Exxx. */
int virtq_alloc(struct virtq *vq, uint16_t index, uint16_t size);
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
	return vq->used->idx != vq->last_used;
}

/* Interrupt suppression (2.6.7): the device may still send one that was already due. */
void virtq_intr_disable(struct virtq *vq);
/* Re-enable; returns true when elements arrived meanwhile, which the caller must handle. */
bool virtq_intr_enable(struct virtq *vq);

/* Discard every chain still outstanding (after a device reset): returns the cookies one by
 * one, then NULL. */
void *virtq_detach(struct virtq *vq);

#endif
