/*
 * PVSCSI hardware helpers: DMA memory, adapter commands (a command word, then its
 * descriptor word by word, then the status), adapter reset, ring setup, start and stop.
 * Layouts are in pvscsireg.h; the request and completion rings are used in pvscsi_ring.c.
 */
#include <hv/ddk.h>

#include "pvscsivar.h"

_Static_assert(PVSCSI_MAX_XFER / PVSCSI_PAGE_SIZE + 1 <= PVSCSI_SG_PER_PAGE,
	       "the largest command's SG list fits one page");

int pvscsi_mem_alloc(struct pvscsi_softc *sc)
{
	sc->rs = hv_dma_alloc_coherent(sc->dev, PVSCSI_PAGE_SIZE, &sc->rs_bus);
	if (!sc->rs)
		goto fail;
	sc->req = hv_dma_alloc_coherent(sc->dev, PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE, &sc->req_bus);
	if (!sc->req)
		goto free_rs;
	sc->cmp = hv_dma_alloc_coherent(sc->dev, PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE, &sc->cmp_bus);
	if (!sc->cmp)
		goto free_req;
	sc->sg_mem = hv_dma_alloc_coherent(sc->dev, (size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE, &sc->sg_bus);
	if (!sc->sg_mem)
		goto free_cmp;
	sc->sense_mem = hv_dma_alloc_coherent(sc->dev, (size_t)PVSCSI_DEPTH * SCSI_SENSE_MAX, &sc->sense_bus);
	if (!sc->sense_mem)
		goto free_sg;
	return 0;

free_sg:
	hv_dma_free_coherent(sc->dev, sc->sg_mem, (size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE);
free_cmp:
	hv_dma_free_coherent(sc->dev, sc->cmp, PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE);
free_req:
	hv_dma_free_coherent(sc->dev, sc->req, PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE);
free_rs:
	hv_dma_free_coherent(sc->dev, sc->rs, PVSCSI_PAGE_SIZE);
fail:
	return -HV_ENOMEM;
}

void pvscsi_mem_free(struct pvscsi_softc *sc)
{
	hv_dma_free_coherent(sc->dev, sc->sense_mem, (size_t)PVSCSI_DEPTH * SCSI_SENSE_MAX);
	hv_dma_free_coherent(sc->dev, sc->sg_mem, (size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->cmp, PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->req, PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->rs, PVSCSI_PAGE_SIZE);
}

/* Every ccb free, each with its SG list page and sense buffer. */
static void pvscsi_ccb_init(struct pvscsi_softc *sc)
{
	sc->ccb_free = NULL;
	for (unsigned i = PVSCSI_DEPTH; i-- > 0;) {
		struct pvscsi_ccb *ccb = &sc->ccbs[i];

		ccb->index = i;
		ccb->busy = 0;
		ccb->cmd = NULL;
		ccb->sgl = (struct pvscsi_sg_elem *)((uint8_t *)sc->sg_mem +
						     (size_t)i * PVSCSI_PAGE_SIZE);
		ccb->sgl_bus = sc->sg_bus + (uint64_t)i * PVSCSI_PAGE_SIZE;
		ccb->sense = (uint8_t *)sc->sense_mem + (size_t)i * SCSI_SENSE_MAX;
		ccb->sense_bus = sc->sense_bus + (uint64_t)i * SCSI_SENSE_MAX;
		ccb->next_free = sc->ccb_free;
		sc->ccb_free = ccb;
	}
}

/* An adapter command: the command word, the descriptor's 32-bit words, the status. */
uint32_t pvscsi_adapter_cmd(struct pvscsi_softc *sc, uint32_t cmd, const void *desc,
			    size_t len)
{
	const uint32_t *w = desc;

	pvscsi_write32(sc, PVSCSI_REG_COMMAND, cmd);
	for (size_t i = 0; i < len / 4; i++)
		pvscsi_write32(sc, PVSCSI_REG_COMMAND_DATA, w[i]);
	return pvscsi_read32(sc, PVSCSI_REG_COMMAND_STATUS);
}

/* Reset the adapter: it forgets the rings and drops every command it holds. */
static int pvscsi_adapter_reset(struct pvscsi_softc *sc)
{
	uint32_t st = pvscsi_adapter_cmd(sc, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);

	if (st != PVSCSI_CMD_STATUS_OK) {
		hv_log("pvscsi: %s: ADAPTER_RESET failed (status 0x%x)", sc->slot, st);
		return -HV_EIO;
	}
	return 0;
}

/* Give the adapter the rings state page and the ring pages (they restart at index 0). */
static int pvscsi_setup_rings(struct pvscsi_softc *sc)
{
	struct pvscsi_desc_setup_rings d;
	uint32_t st;

	memset(&d, 0, sizeof(d));
	memset(sc->rs, 0, PVSCSI_PAGE_SIZE);
	d.req_ring_pages = PVSCSI_REQ_PAGES;
	d.cmp_ring_pages = PVSCSI_CMP_PAGES;
	d.rings_state_ppn = hv_dma_addr(sc->dev, sc->rs_bus, PVSCSI_PAGE_SIZE) >> PVSCSI_PAGE_SHIFT;
	for (unsigned i = 0; i < PVSCSI_REQ_PAGES; i++)
		d.req_ring_ppns[i] = hv_dma_addr(sc->dev, sc->req_bus + (uint64_t)i * PVSCSI_PAGE_SIZE,
						 PVSCSI_PAGE_SIZE) >> PVSCSI_PAGE_SHIFT;
	for (unsigned i = 0; i < PVSCSI_CMP_PAGES; i++)
		d.cmp_ring_ppns[i] = hv_dma_addr(sc->dev, sc->cmp_bus + (uint64_t)i * PVSCSI_PAGE_SIZE,
						 PVSCSI_PAGE_SIZE) >> PVSCSI_PAGE_SHIFT;
	hv_wmb();
	st = pvscsi_adapter_cmd(sc, PVSCSI_CMD_SETUP_RINGS, &d, sizeof(d));
	if (st != PVSCSI_CMD_STATUS_OK) {
		hv_log("pvscsi: %s: SETUP_RINGS failed (status 0x%x)", sc->slot, st);
		return -HV_EIO;
	}
	hv_rmb();
	/* The adapter writes the ring sizes it took into the state page. */
	if ((1u << sc->rs->req_entries_log2) != PVSCSI_REQ_ENTRIES ||
	    (1u << sc->rs->cmp_entries_log2) != PVSCSI_CMP_ENTRIES) {
		hv_log("pvscsi: %s: adapter took rings of 2^%u/2^%u entries, expected %u/%u",
		       sc->slot, sc->rs->req_entries_log2, sc->rs->cmp_entries_log2,
		       (unsigned)PVSCSI_REQ_ENTRIES, (unsigned)PVSCSI_CMP_ENTRIES);
		return -HV_EPROTO;
	}
	return 0;
}

/* Adapter reset, rings, completion interrupts on. Callers hold the lock or own sc alone. */
int pvscsi_start(struct pvscsi_softc *sc)
{
	int rc;

	pvscsi_write32(sc, PVSCSI_REG_INTR_MASK, 0);
	rc = pvscsi_adapter_reset(sc);
	if (rc < 0)
		return rc;
	pvscsi_ccb_init(sc);
	rc = pvscsi_setup_rings(sc);
	if (rc < 0)
		return rc;
	pvscsi_write32(sc, PVSCSI_REG_INTR_STATUS, pvscsi_read32(sc, PVSCSI_REG_INTR_STATUS));
	pvscsi_write32(sc, PVSCSI_REG_INTR_MASK, PVSCSI_INTR_CMPL_MASK);
	return 0;
}

/* Interrupts off and the adapter reset: no DMA after this returns. */
void pvscsi_stop(struct pvscsi_softc *sc)
{
	pvscsi_write32(sc, PVSCSI_REG_INTR_MASK, 0);
	pvscsi_adapter_reset(sc);
}
