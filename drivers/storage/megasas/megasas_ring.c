/*
 * MFI pass-through commands (MFI_CMD_PD_SCSI_IO): one frame per command with the CDB, a
 * 64-bit sense address and a 64-bit SG list of one element per page; completion from the
 * reply queue the firmware fills with the frames' contexts.
 */
#include <hv/ddk.h>

#include "megasasvar.h"

/* Every ccb free, each with its frame and sense buffer. */
void megasas_ccb_init(struct megasas_softc *sc)
{
	sc->ccb_free = NULL;
	sc->abort_busy = 0;
	for (unsigned i = sc->depth; i-- > 0;) {
		struct megasas_ccb *ccb = &sc->ccbs[i];

		ccb->index = i;
		ccb->busy = 0;
		ccb->cmd = NULL;
		ccb->frame = megasas_frame(sc, i, &ccb->frame_bus);
		ccb->sense = (uint8_t *)sc->sense_mem + (size_t)i * SCSI_SENSE_MAX;
		ccb->sense_bus = sc->sense_bus + (uint64_t)i * SCSI_SENSE_MAX;
		ccb->next_free = sc->ccb_free;
		sc->ccb_free = ccb;
	}
}

/* One SG element per page the buffer touches, so no element crosses a page boundary. */
static unsigned megasas_build_sg(struct hv_pci_dev *dev, struct mfi_pass_frame *f, uint64_t bus,
				 uint32_t len)
{
	unsigned n = 0;

	bus = hv_dma_addr(dev, bus, len);	/* the whole buffer, handed over at once */
	while (len) {
		uint32_t room = MEGASAS_PAGE_SIZE - (uint32_t)(bus & (MEGASAS_PAGE_SIZE - 1));
		uint32_t part = len < room ? len : room;

		f->sgl[n].addr = bus;
		f->sgl[n].len = part;
		n++;
		bus += part;
		len -= part;
	}
	return n;
}

/* The scsi_hba queue entry: fill the ccb's frame, post it to the inbound queue port. */
int megasas_queue(struct scsi_hba *h, struct scsi_cmd *c)
{
	struct megasas_softc *sc = h->priv;
	uint16_t lun = scsi_lun_id(c->lun);
	struct mfi_pass_frame *f;
	struct megasas_ccb *ccb;
	unsigned long flags;
	unsigned nsge;

	/* The frame addresses a device by an 8-bit target and an 8-bit LUN. */
	if (c->data_len > sc->max_xfer || c->cdb_len > sizeof(f->cdb) || c->target > 255 ||
	    lun > 255)
		return -HV_EINVAL;
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->dead || sc->stopping) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return sc->stopping ? -HV_ENODEV : -HV_EIO;
	}
	ccb = sc->ccb_free;
	if (!ccb) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return -HV_EAGAIN;
	}
	sc->ccb_free = ccb->next_free;
	ccb->busy = 1;
	ccb->cmd = c;
	ccb->stage = MEGASAS_STAGE_RUNNING;
	ccb->timed_out = 0;
	ccb->deadline_us = hv_time_us() + MEGASAS_IO_TIMEOUT_US;
	c->hba_private = ccb;

	f = ccb->frame;
	memset(f, 0, sizeof(*f));
	memset(ccb->sense, 0, SCSI_SENSE_MAX);	/* no stale sense if the target sends none */
	f->header.frame_cmd = MFI_CMD_PD_SCSI_IO;
	f->header.sense_len = SCSI_SENSE_MAX;
	f->header.cmd_status = MFI_STAT_PENDING;
	f->header.target_id = (uint8_t)c->target;
	f->header.lun_id = (uint8_t)lun;
	f->header.cdb_len = c->cdb_len;
	f->header.context = ccb->index + 1;	/* non-zero, below 2^32 (no CONTEXT64) */
	f->header.flags = MFI_FRAME_SGL64 | MFI_FRAME_SENSE64;
	f->header.data_len = c->data_len;
	uint64_t sense = hv_dma_addr(sc->dev, ccb->sense_bus, SCSI_SENSE_MAX);
	f->sense_addr_lo = (uint32_t)sense;
	f->sense_addr_hi = (uint32_t)(sense >> 32);
	memcpy(f->cdb, c->cdb, c->cdb_len);
	if (c->data_len == 0) {
		/* QEMU's model refuses a pass-through frame without SG elements (a TARGET
		 * FAILURE check condition, hw/scsi/megasas.c megasas_map_sgl); a command
		 * without data gets one element it never uses, with data_len 0. */
		f->sgl[0].addr = hv_dma_addr(sc->dev, sc->nodata_bus, SCSI_SENSE_MAX);
		f->sgl[0].len = SCSI_SENSE_MAX;
		nsge = 1;
	} else {
		nsge = megasas_build_sg(sc->dev, f, c->data_bus, c->data_len);
		f->header.flags |= c->dir == SCSI_DIR_OUT ? MFI_FRAME_DIR_WRITE : MFI_FRAME_DIR_READ;
	}
	f->header.sge_count = (uint8_t)nsge;
	megasas_post(sc, ccb->frame_bus, sizeof(*f) + nsge * sizeof(f->sgl[0]));
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	return 0;
}

/* The firmware's verdict in the layer's terms; a command we timed out reports ABORTED. */
static void megasas_set_result(struct megasas_softc *sc, struct megasas_ccb *ccb)
{
	const volatile struct mfi_frame_header *fh = &ccb->frame->header;
	struct scsi_cmd *c = ccb->cmd;
	uint8_t st = fh->cmd_status;
	uint32_t slen = fh->sense_len < SCSI_SENSE_MAX ? fh->sense_len : SCSI_SENSE_MAX;

	c->status = fh->scsi_status;
	c->underrun = 0;
	switch (st) {
	case MFI_STAT_OK:
		c->host = SCSI_HOST_OK;
		break;
	case MFI_STAT_SCSI_DONE_WITH_ERROR:
		/* The target's status (CHECK CONDITION with sense, BUSY, ...) says what. */
		c->host = c->status != SCSI_STATUS_GOOD ? SCSI_HOST_OK : SCSI_HOST_ERROR;
		break;
	case MFI_STAT_DEVICE_NOT_FOUND:
		c->host = SCSI_HOST_NO_TARGET;
		break;
	case MFI_STAT_SCSI_IO_FAILED:
		/* What an abort ends with: ours (timed_out, below) or the firmware's reset. */
		c->host = SCSI_HOST_RESET;
		break;
	default:
		hv_log("megasas: %s: target %u: command 0x%02x ended with MFI status 0x%02x",
		       sc->slot, c->target, c->cdb[0], st);
		c->host = SCSI_HOST_ERROR;
		break;
	}
	if (ccb->timed_out)
		c->host = SCSI_HOST_ABORTED;
	c->sense_len = c->host == SCSI_HOST_OK && c->status == SCSI_STATUS_CHECK_CONDITION ?
		       (uint8_t)slen : 0;
	for (uint32_t i = 0; i < c->sense_len; i++)
		c->sense[i] = ccb->sense[i];
}

static void megasas_ccb_put(struct megasas_softc *sc, struct megasas_ccb *ccb)
{
	ccb->busy = 0;
	ccb->cmd = NULL;
	ccb->next_free = sc->ccb_free;
	sc->ccb_free = ccb;
}

/*
 * Consume the reply queue (lock held) from our consumer index to the firmware's producer
 * index, both wrapping at fw_cmds. Finished commands come back as a list linked through
 * hba_private, for done() after the lock is dropped: done may queue again.
 */
static void megasas_reap(struct megasas_softc *sc, struct scsi_done *done)
{
	uint32_t cons = *sc->consumer, prod = *sc->producer;

	if (prod >= sc->fw_cmds || cons >= sc->fw_cmds) {
		if (!sc->dead)
			hv_log("megasas: %s: reply queue index out of range (producer %u, consumer "
			       "%u, %u entries); no more I/O", sc->slot, prod, cons, sc->fw_cmds);
		sc->dead = 1;
		return;
	}
	hv_rmb();	/* the index before the entries it covers */
	for (; cons != prod; cons = cons + 1 == sc->fw_cmds ? 0 : cons + 1) {
		uint32_t ctx = sc->rq[cons];
		struct megasas_ccb *ccb;
		struct scsi_cmd *c;

		if (ctx == MEGASAS_CTX_INTERNAL) {
			sc->internal_done = 1;
			continue;
		}
		if (ctx == MEGASAS_CTX_ABORT) {
			uint64_t fbus;
			const struct mfi_frame_header *fh =
				megasas_frame(sc, MEGASAS_CTX_ABORT - 1, &fbus);

			if (fh->cmd_status != MFI_STAT_OK)
				hv_log("megasas: %s: ABORT ended with MFI status 0x%02x", sc->slot,
				       fh->cmd_status);
			sc->abort_busy = 0;
			continue;
		}
		if (ctx == 0 || ctx > sc->depth || !sc->ccbs[ctx - 1].busy) {
			hv_log("megasas: %s: reply for idle context %u", sc->slot, ctx);
			continue;
		}
		ccb = &sc->ccbs[ctx - 1];
		c = ccb->cmd;
		megasas_set_result(sc, ccb);
		megasas_ccb_put(sc, ccb);
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th reply never completes */
		static unsigned megasas_defect_done;
		if (++megasas_defect_done % 200 == 0)
			continue;	/* the frame is free again, its command forgotten */
#endif
		scsi_done_add(done, c);
	}
	hv_mb();
	*sc->consumer = cons;
}

/* Interrupt and poll path: complete what the firmware finished. */
int megasas_complete(struct megasas_softc *sc, int from_intr)
{
	struct scsi_done done;
	unsigned long flags;
	int n;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	megasas_reap(sc, &done);
	n = (int)done.count;
	if (from_intr)
		sc->done_intr += (uint64_t)n;
	else
		sc->done_poll += (uint64_t)n;
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
	return n;
}

int megasas_poll(struct scsi_hba *h)
{
	return megasas_complete(h->priv, 0);
}

/* Take every command off the controller (lock held) with host status host. */
void megasas_collect_all(struct megasas_softc *sc, uint8_t host, struct scsi_done *done)
{
	for (unsigned i = 0; i < sc->depth; i++) {
		struct megasas_ccb *ccb = &sc->ccbs[i];
		struct scsi_cmd *c = ccb->cmd;

		if (!ccb->busy || !c)
			continue;
		scsi_cmd_unanswered(c, host, ccb->timed_out);
		scsi_done_add(done, c);
		megasas_ccb_put(sc, ccb);
	}
}

void megasas_fail_all(struct megasas_softc *sc, uint8_t host)
{
	struct scsi_done done;
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	megasas_collect_all(sc, host, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
}
