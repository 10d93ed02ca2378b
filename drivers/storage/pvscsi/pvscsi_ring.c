/*
 * PVSCSI rings: requests with page-granular scatter-gather lists, and completion. The
 * rings are set up in pvscsi_hw.c; layouts are in pvscsireg.h.
 */
#include <hv/ddk.h>

#include "pvscsivar.h"

/* One SG element per page the buffer touches, so no element crosses a page boundary. */
static unsigned pvscsi_build_sg(struct hv_pci_dev *dev, struct pvscsi_ccb *ccb, uint64_t bus,
				uint32_t len)
{
	unsigned n = 0;

	bus = hv_dma_addr(dev, bus, len);	/* the whole buffer, handed over at once */
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
	d->sense_addr = hv_dma_addr(sc->dev, ccb->sense_bus, SCSI_SENSE_MAX);
	d->sense_len = SCSI_SENSE_MAX;
	if (c->data_len == 0) {
		d->flags = PVSCSI_FLAG_CMD_DIR_NONE;
	} else {
		unsigned nsg = pvscsi_build_sg(sc->dev, ccb, c->data_bus, c->data_len);
		d->data_addr = hv_dma_addr(sc->dev, ccb->sgl_bus, nsg * sizeof(ccb->sgl[0]));
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
#ifdef HV_DEFECT_SWALLOW_EIO	/* certify self-test defect: the SCSI status ignored, host status only */
	c->status = SCSI_STATUS_GOOD;
#endif
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
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th read/write dropped */
		static unsigned pvscsi_defect_done;
		if ((c->cdb[0] == SCSI_OP_READ_10 || c->cdb[0] == SCSI_OP_WRITE_10 ||
		     c->cdb[0] == SCSI_OP_READ_16 || c->cdb[0] == SCSI_OP_WRITE_16) &&
		    ++pvscsi_defect_done % 200 == 0)
			continue;	/* the context is free again, its command forgotten */
#endif
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
