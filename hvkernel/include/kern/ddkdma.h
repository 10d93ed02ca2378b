/*
 * DMA memory owned by a device (hvkernel/ddk/ddk_dma.c): every region a device may reach,
 * its driver's live allocations and the buffers of its block requests in flight. The
 * verifier checks bus addresses against it; the IOMMU maps exactly these regions.
 */
#ifndef KERN_DDKDMA_H
#define KERN_DDKDMA_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev;
struct hv_blkreq;
struct ddk_dma_region;

#define DDK_DMA_FREED	32	/* freed regions remembered per device, to name dma_freed */

/* Per device, in struct pci_dev (under ddk_dma.c's lock). */
struct ddk_dma_dev {
	struct ddk_dma_region *live;
	unsigned nlive;
	struct { uint64_t bus, len; } freed[DDK_DMA_FREED];
	unsigned nfreed;		/* total; the ring index is nfreed % DDK_DMA_FREED */
};

/* True when regions are tracked at all: the verifier or an IOMMU is on. */
bool ddk_dma_tracking(void);
/* Let d reach [bus, bus + len) for the block request rq (tag) until ddk_dma_req_done. */
int ddk_dma_req_start(struct pci_dev *d, const struct hv_blkreq *rq, uint64_t bus, uint64_t len);
void ddk_dma_req_done(const struct hv_blkreq *rq);
/* Regions d holds (allocations and requests); at remove the verifier lists them. */
unsigned ddk_dma_regions(const struct pci_dev *d);
/* The device whose live region holds bus, or NULL. */
struct pci_dev *ddk_dma_owner(uint64_t bus);

#endif
