/*
 * PVSCSI rings: DMA memory, adapter commands (a command word, then its descriptor word by
 * word, then the status), ring setup, requests with page-granular scatter-gather lists,
 * and completion. Layouts are in pvscsireg.h.
 */
#include <hv/ddk.h>

#include "pvscsi_var.h"

#define PVSCSI_REQ_ENTRIES	(PVSCSI_REQ_PAGES * PVSCSI_REQ_PER_PAGE)
#define PVSCSI_CMP_ENTRIES	(PVSCSI_CMP_PAGES * PVSCSI_CMP_PER_PAGE)

_Static_assert(PVSCSI_DEPTH <= PVSCSI_REQ_ENTRIES && PVSCSI_DEPTH <= PVSCSI_CMP_ENTRIES,
	       "every command in flight has a request and a completion slot");
_Static_assert(PVSCSI_MAX_XFER / PVSCSI_PAGE_SIZE + 1 <= PVSCSI_SG_PER_PAGE,
	       "the largest command's SG list fits one page");

int pvscsi_mem_alloc(struct pvscsi_softc *sc)
{
	sc->rs = hv_dma_alloc(PVSCSI_PAGE_SIZE, &sc->rs_bus);
	if (!sc->rs)
		goto fail;
	sc->req = hv_dma_alloc(PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE, &sc->req_bus);
	if (!sc->req)
		goto free_rs;
	sc->cmp = hv_dma_alloc(PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE, &sc->cmp_bus);
	if (!sc->cmp)
		goto free_req;
	sc->sg_mem = hv_dma_alloc((size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE, &sc->sg_bus);
	if (!sc->sg_mem)
		goto free_cmp;
	sc->sense_mem = hv_dma_alloc((size_t)PVSCSI_DEPTH * SCSI_SENSE_MAX, &sc->sense_bus);
	if (!sc->sense_mem)
		goto free_sg;
	return 0;

free_sg:
	hv_dma_free(sc->sg_mem, (size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE);
free_cmp:
	hv_dma_free(sc->cmp, PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE);
free_req:
	hv_dma_free(sc->req, PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE);
free_rs:
	hv_dma_free(sc->rs, PVSCSI_PAGE_SIZE);
fail:
	return -HV_ENOMEM;
}

void pvscsi_mem_free(struct pvscsi_softc *sc)
{
	hv_dma_free(sc->sense_mem, (size_t)PVSCSI_DEPTH * SCSI_SENSE_MAX);
	hv_dma_free(sc->sg_mem, (size_t)PVSCSI_DEPTH * PVSCSI_PAGE_SIZE);
	hv_dma_free(sc->cmp, PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE);
	hv_dma_free(sc->req, PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE);
	hv_dma_free(sc->rs, PVSCSI_PAGE_SIZE);
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
	d.rings_state_ppn = sc->rs_bus >> PVSCSI_PAGE_SHIFT;
	for (unsigned i = 0; i < PVSCSI_REQ_PAGES; i++)
		d.req_ring_ppns[i] = (sc->req_bus >> PVSCSI_PAGE_SHIFT) + i;
	for (unsigned i = 0; i < PVSCSI_CMP_PAGES; i++)
		d.cmp_ring_ppns[i] = (sc->cmp_bus >> PVSCSI_PAGE_SHIFT) + i;
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

/* One SG element per page the buffer touches, so no element crosses a page boundary. */
static unsigned pvscsi_build_sg(struct pvscsi_ccb *ccb, uint64_t bus, uint32_t len)
{
	unsigned n = 0;

	while (len) {
		uint32_t room = PVSCSI_PAGE_SIZE - (uint32_t)(bus & (PVSCSI_PAGE_SIZE - 1));
		uint32_t part = len < room ? len : room;

		ccb->sgl[n].addr = bus;
		ccb->sgl[n].length = part;
		ccb->sgl[n].flags = 0;
		n++;
		bus += part;
		len -= part;
	}
	return n;
}

/* The scsi_hba queue entry: one request descriptor, then the doorbell. */
int pvscsi_queue(struct scsi_hba *h, struct scsi_cmd *c)
{
	struct pvscsi_softc *sc = h->priv;
	struct pvscsi_req_desc *d;
	struct pvscsi_ccb *ccb;
	unsigned long flags;
	uint32_t prod;
	int rw;

	if (c->data_len > PVSCSI_MAX_XFER || c->cdb_len > sizeof(d->cdb) || c->target > 255)
		return -HV_EINVAL;
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->dead || sc->stopping) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return sc->stopping ? -HV_ENODEV : -HV_EIO;
	}
	prod = sc->rs->req_prod;
	ccb = sc->ccb_free;
	if (!ccb || prod - sc->rs->req_cons >= PVSCSI_REQ_ENTRIES) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return -HV_EAGAIN;
	}
	sc->ccb_free = ccb->next_free;
	ccb->busy = 1;
	ccb->cmd = c;
	ccb->stage = PVSCSI_STAGE_RUNNING;
	ccb->timed_out = 0;
	ccb->deadline_us = hv_time_us() + PVSCSI_IO_TIMEOUT_US;
	c->hba_private = ccb;

	d = &sc->req[prod & (PVSCSI_REQ_ENTRIES - 1)];
	memset(d, 0, sizeof(*d));
	d->context = ccb->index + 1;	/* non-zero, below 2^32 */
	d->sense_addr = ccb->sense_bus;
	d->sense_len = SCSI_SENSE_MAX;
	if (c->data_len == 0) {
		d->flags = PVSCSI_FLAG_CMD_DIR_NONE;
	} else {
		pvscsi_build_sg(ccb, c->data_bus, c->data_len);
		d->data_addr = ccb->sgl_bus;
		d->data_len = c->data_len;
		d->flags = PVSCSI_FLAG_CMD_WITH_SG_LIST | (c->dir == SCSI_DIR_OUT ?
			   PVSCSI_FLAG_CMD_DIR_TODEVICE : PVSCSI_FLAG_CMD_DIR_TOHOST);
	}
	memcpy(d->cdb, c->cdb, c->cdb_len);
	d->cdb_len = c->cdb_len;
	memcpy(d->lun, c->lun, 8);
	d->tag = SCSI_TAG_SIMPLE;
	d->target = (uint8_t)c->target;
	hv_wmb();	/* the descriptor before the index that publishes it */
	sc->rs->req_prod = prod + 1;
	hv_mb();
	rw = c->cdb[0] == SCSI_OP_READ_10 || c->cdb[0] == SCSI_OP_WRITE_10 ||
	     c->cdb[0] == SCSI_OP_READ_16 || c->cdb[0] == SCSI_OP_WRITE_16;
	pvscsi_write32(sc, rw ? PVSCSI_REG_KICK_RW_IO : PVSCSI_REG_KICK_NON_RW_IO, 0);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	return 0;
}

/* The adapter's verdict in the layer's terms; a command we timed out reports ABORTED. */
static void pvscsi_set_result(struct pvscsi_ccb *ccb, const volatile struct pvscsi_cmp_desc *e)
{
	struct scsi_cmd *c = ccb->cmd;
	uint32_t slen = e->sense_len < SCSI_SENSE_MAX ? e->sense_len : SCSI_SENSE_MAX;

	c->status = (uint8_t)e->scsi_status;
	c->underrun = 0;
	switch (e->host_status) {
	case PVSCSI_BTSTAT_SUCCESS:
	case PVSCSI_BTSTAT_LINKED_DONE:
	case PVSCSI_BTSTAT_LINKED_DONE_FLAG:
		c->host = SCSI_HOST_OK;
		break;
	case PVSCSI_BTSTAT_DATA_UNDERRUN:
	case PVSCSI_BTSTAT_DATARUN:	/* short transfer: INQUIRY data shorter than asked */
		c->host = SCSI_HOST_OK;
		c->underrun = 1;
		break;
	case PVSCSI_BTSTAT_SELTIMEO:
		c->host = SCSI_HOST_NO_TARGET;
		break;
	case PVSCSI_BTSTAT_ABORTQUEUE:
		c->host = SCSI_HOST_ABORTED;
		break;
	case PVSCSI_BTSTAT_SENTRST:
	case PVSCSI_BTSTAT_RECVRST:
	case PVSCSI_BTSTAT_BUSRESET:
		c->host = SCSI_HOST_RESET;
		break;
	default:
		c->host = SCSI_HOST_ERROR;
		break;
	}
	if (ccb->timed_out)
		c->host = SCSI_HOST_ABORTED;
	c->sense_len = c->status == SCSI_STATUS_CHECK_CONDITION ? (uint8_t)slen : 0;
	for (uint32_t i = 0; i < c->sense_len; i++)
		c->sense[i] = ccb->sense[i];
}

static void pvscsi_ccb_put(struct pvscsi_softc *sc, struct pvscsi_ccb *ccb)
{
	ccb->busy = 0;
	ccb->cmd = NULL;
	ccb->next_free = sc->ccb_free;
	sc->ccb_free = ccb;
}

/*
 * Consume the completion ring (lock held). Finished commands come back as a list linked
 * through hba_private, for done() after the lock is dropped: done may queue again.
 */
static void pvscsi_reap(struct pvscsi_softc *sc, struct scsi_done *done)
{
	uint32_t cons = sc->rs->cmp_cons, prod = *(volatile uint32_t *)&sc->rs->cmp_prod;

	hv_rmb();	/* the index before the descriptors it covers */
	for (; cons != prod; cons++) {
		const volatile struct pvscsi_cmp_desc *e = &sc->cmp[cons & (PVSCSI_CMP_ENTRIES - 1)];
		uint64_t ctx = e->context;
		struct pvscsi_ccb *ccb;
		struct scsi_cmd *c;

		if (ctx == 0 || ctx > PVSCSI_DEPTH || !sc->ccbs[ctx - 1].busy) {
			hv_log("pvscsi: %s: completion for idle context %llu", sc->slot,
			       (unsigned long long)ctx);
			continue;
		}
		ccb = &sc->ccbs[ctx - 1];
		c = ccb->cmd;
		pvscsi_set_result(ccb, e);
		pvscsi_ccb_put(sc, ccb);
		scsi_done_add(done, c);
	}
	hv_mb();
	sc->rs->cmp_cons = cons;
}

/* Interrupt and poll path: complete what the adapter finished. */
int pvscsi_complete(struct pvscsi_softc *sc, int from_intr)
{
	struct scsi_done done;
	unsigned long flags;
	int n;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	pvscsi_reap(sc, &done);
	n = (int)done.count;
	if (from_intr)
		sc->done_intr += (uint64_t)n;
	else
		sc->done_poll += (uint64_t)n;
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
	return n;
}

int pvscsi_poll(struct scsi_hba *h)
{
	return pvscsi_complete(h->priv, 0);
}

/* Take every command off the adapter (lock held) with host status host. */
void pvscsi_collect_all(struct pvscsi_softc *sc, uint8_t host, struct scsi_done *done)
{
	for (unsigned i = 0; i < PVSCSI_DEPTH; i++) {
		struct pvscsi_ccb *ccb = &sc->ccbs[i];
		struct scsi_cmd *c = ccb->cmd;

		if (!ccb->busy || !c)
			continue;
		scsi_cmd_unanswered(c, host, ccb->timed_out);
		scsi_done_add(done, c);
		pvscsi_ccb_put(sc, ccb);
	}
}

void pvscsi_fail_all(struct pvscsi_softc *sc, uint8_t host)
{
	struct scsi_done done;
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	pvscsi_collect_all(sc, host, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
}
