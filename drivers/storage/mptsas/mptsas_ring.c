/*
 * Fusion-MPT SCSI IO: a request frame per command posted to the request FIFO, and the
 * reply post FIFO read back (MPI 1.5 3.4). A command that ends GOOD with every byte moved
 * comes back as a context reply (its MsgContext); any other as an address reply, a SCSI
 * IO reply frame the IOC wrote into one of the frames of the reply free FIFO, which goes
 * back there once read.
 */
#include <hv/ddk.h>

#include "mptsasvar.h"

/* Every ccb free. */
void mptsas_ccb_init(struct mptsas_softc *sc)
{
	sc->ccb_free = NULL;
	for (unsigned i = sc->depth; i-- > 0;) {
		struct mptsas_ccb *ccb = &sc->ccbs[i];

		ccb->index = i;
		ccb->busy = 0;
		ccb->cmd = NULL;
		ccb->next_free = sc->ccb_free;
		sc->ccb_free = ccb;
	}
}

/* The SCSI IO frame (MPI 1.5 9.1.1) with one 64-bit simple SGE: the layer's buffer is
 * contiguous on the bus. A command without data still carries a zero-length element
 * that ends the list. */
static void mptsas_fill(struct mptsas_softc *sc, struct mptsas_ccb *ccb, struct scsi_cmd *c)
{
	struct mpi_scsi_io *f = ccb->frame;
	uint32_t sflags = MPI_SGE_SIMPLE | MPI_SGE_LAST_ELEMENT | MPI_SGE_END_OF_BUFFER |
			  MPI_SGE_END_OF_LIST | MPI_SGE_64BIT;
	uint64_t data = 0;

	memset(f, 0, sizeof(*f));
	f->target_id = (uint8_t)c->target;
	f->function = MPI_FUNCTION_SCSI_IO;
	f->cdb_length = c->cdb_len;
	f->sense_length = SCSI_SENSE_MAX;
	f->msg_context = ccb->index + 1;
	memcpy(f->lun, c->lun, 8);
	memcpy(f->cdb, c->cdb, c->cdb_len);
	f->data_length = c->data_len;
	f->sense_low = (uint32_t)hv_dma_addr(sc->dev, ccb->sense_bus, SCSI_SENSE_MAX);
	if (c->data_len) {
		data = hv_dma_addr(sc->dev, c->data_bus, c->data_len);
		if (c->dir == SCSI_DIR_OUT) {
			f->control = MPI_SCSIIO_CONTROL_WRITE;
			sflags |= MPI_SGE_HOST_TO_IOC;
		} else {
			f->control = MPI_SCSIIO_CONTROL_READ;
		}
	}
	f->control |= MPI_SCSIIO_CONTROL_SIMPLEQ;
	f->sge.flags_length = sflags | c->data_len;
	f->sge.addr_lo = (uint32_t)data;
	f->sge.addr_hi = (uint32_t)(data >> 32);
}

/* The scsi_hba queue entry: fill the ccb's frame, post its address to the request FIFO. */
int mptsas_queue(struct scsi_hba *h, struct scsi_cmd *c)
{
	struct mptsas_softc *sc = h->priv;
	struct mptsas_ccb *ccb;
	unsigned long flags;

	/* The frame addresses a device by an 8-bit TargetID; the length is 24 bits. */
	if (c->data_len > MPTSAS_MAX_XFER || c->cdb_len > 16 || c->target >= sc->max_targets)
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
	ccb->stage = MPTSAS_STAGE_RUNNING;
	ccb->timed_out = 0;
	ccb->deadline_us = hv_time_us() + MPTSAS_IO_TIMEOUT_US;
	c->hba_private = ccb;
	mptsas_fill(sc, ccb, c);
	hv_wmb();	/* the frame before the FIFO write that hands it over */
	mptsas_write32(sc, MPI_REG_REQUEST_FIFO,
		       (uint32_t)hv_dma_addr(sc->dev, ccb->frame_bus, sc->frame_size));
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	return 0;
}

static void mptsas_ccb_put(struct mptsas_softc *sc, struct mptsas_ccb *ccb)
{
	ccb->busy = 0;
	ccb->cmd = NULL;
	ccb->next_free = sc->ccb_free;
	sc->ccb_free = ccb;
}

/* The host status for an IOCStatus (MPI 1.5 9.1.2); OK means the SCSI status counts. */
static uint8_t mptsas_host_status(const struct mptsas_ccb *ccb, uint16_t ioc_status,
				  uint8_t scsi_state)
{
	switch (ioc_status) {
	case MPI_IOCSTATUS_SUCCESS:
	case MPI_IOCSTATUS_SCSI_RECOVERED:
	case MPI_IOCSTATUS_SCSI_UNDERRUN:	/* also a CHECK CONDITION with its sense */
		return scsi_state & MPI_SCSI_STATE_NO_SCSI_STATUS ? SCSI_HOST_ERROR : SCSI_HOST_OK;
	case MPI_IOCSTATUS_SCSI_INVALID_BUS:
	case MPI_IOCSTATUS_SCSI_INVALID_TID:
	case MPI_IOCSTATUS_SCSI_NOT_THERE:
		return SCSI_HOST_NO_TARGET;
	case MPI_IOCSTATUS_SCSI_TERMINATED:
	case MPI_IOCSTATUS_SCSI_IOC_TERMINATED:
	case MPI_IOCSTATUS_SCSI_EXT_TERMINATED:
		return ccb->timed_out ? SCSI_HOST_ABORTED : SCSI_HOST_RESET;
	default:
		return SCSI_HOST_ERROR;
	}
}

/* A SCSI IO reply frame in the layer's terms; a command we timed out reports ABORTED. */
static void mptsas_set_result(struct mptsas_ccb *ccb, const volatile struct mpi_scsi_io_reply *r)
{
	struct scsi_cmd *c = ccb->cmd;
	uint16_t ios = r->ioc_status & MPI_IOCSTATUS_MASK;
	uint8_t state = r->scsi_state;
	uint32_t slen = r->sense_count < SCSI_SENSE_MAX ? r->sense_count : SCSI_SENSE_MAX;

	c->host = mptsas_host_status(ccb, ios, state);
	if (ccb->timed_out)
		c->host = SCSI_HOST_ABORTED;
	c->status = r->scsi_status;
	c->underrun = c->status == SCSI_STATUS_GOOD && r->transfer_count < c->data_len;
	c->sense_len = 0;
	if (c->status == SCSI_STATUS_CHECK_CONDITION && (state & MPI_SCSI_STATE_AUTOSENSE_VALID))
		c->sense_len = (uint8_t)slen;
	for (uint32_t i = 0; i < c->sense_len; i++)
		c->sense[i] = ccb->sense[i];
}

/* A context reply: the command ended GOOD and moved every byte. */
static void mptsas_set_good(struct mptsas_ccb *ccb)
{
	struct scsi_cmd *c = ccb->cmd;

	c->host = ccb->timed_out ? SCSI_HOST_ABORTED : SCSI_HOST_OK;
	c->status = SCSI_STATUS_GOOD;
	c->underrun = 0;
	c->sense_len = 0;
}

/* The ccb a MsgContext names, or NULL (logged) when it names none in flight. */
static struct mptsas_ccb *mptsas_ctx_ccb(struct mptsas_softc *sc, uint32_t ctx)
{
	if (ctx == 0 || ctx > sc->depth || !sc->ccbs[ctx - 1].busy) {
		hv_log("mptsas: %s: reply for idle context 0x%x", sc->slot, ctx);
		return NULL;
	}
	return &sc->ccbs[ctx - 1];
}

/* One finished command onto done (lock held). */
static void mptsas_finish(struct mptsas_softc *sc, struct mptsas_ccb *ccb, struct scsi_done *done)
{
	struct scsi_cmd *c = ccb->cmd;

	mptsas_ccb_put(sc, ccb);
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th read/write dropped */
	static unsigned mptsas_defect_done;
	if ((c->cdb[0] == SCSI_OP_READ_10 || c->cdb[0] == SCSI_OP_WRITE_10 ||
	     c->cdb[0] == SCSI_OP_READ_16 || c->cdb[0] == SCSI_OP_WRITE_16) &&
	    ++mptsas_defect_done % 200 == 0)
		return;	/* the context is free again, its command forgotten */
#endif
	scsi_done_add(done, c);
}

/* An address reply: find its frame, act on it, give the frame back to the IOC. */
static void mptsas_addr_reply(struct mptsas_softc *sc, uint32_t word, struct scsi_done *done)
{
	uint64_t base = hv_dma_addr(sc->dev, sc->replies_bus, (size_t)sc->nreply * MPTSAS_REPLY_SIZE);
	uint32_t low = word << 1, off = low - (uint32_t)base;
	const volatile struct mpi_scsi_io_reply *r;
	struct mptsas_ccb *ccb;

	if (off % MPTSAS_REPLY_SIZE || off / MPTSAS_REPLY_SIZE >= sc->nreply) {
		hv_log("mptsas: %s: address reply 0x%08x outside the reply frames", sc->slot, low);
		return;
	}
	sc->addr_replies++;
	r = (const volatile struct mpi_scsi_io_reply *)(sc->replies + off);
	hv_rmb();
	if (r->function == MPI_FUNCTION_SCSI_IO) {
		ccb = mptsas_ctx_ccb(sc, r->msg_context);
		if (ccb) {
			mptsas_set_result(ccb, r);
#ifdef HV_DEFECT_SWALLOW_EIO	/* certify self-test defect: an address reply taken for success */
			mptsas_set_good(ccb);
#endif
			mptsas_finish(sc, ccb, done);
		}
	} else if (r->function == MPI_FUNCTION_TASK_MGMT && r->msg_context == MPTSAS_CTX_TM) {
		sc->tm_busy = 0;
	} else {
		hv_log("mptsas: %s: unexpected reply, function 0x%02x context 0x%x", sc->slot,
		       r->function, r->msg_context);
	}
	hv_mb();	/* read the frame before the IOC may write it again */
	mptsas_write32(sc, MPI_REG_REPLY_FIFO, low);
}

/*
 * Drain the reply post FIFO (lock held); every read pops one word, and the read that
 * finds it empty clears the reply interrupt. Bounded: a device returning garbage cannot
 * keep us here.
 */
static void mptsas_reap(struct mptsas_softc *sc, struct scsi_done *done)
{
	for (unsigned n = 0; n < 4u * MPTSAS_NREPLY; n++) {
		uint32_t w = mptsas_read32(sc, MPI_REG_REPLY_FIFO);
		struct mptsas_ccb *ccb;

		if (w == MPI_REPLY_EMPTY)
			return;
		if (w & MPI_ADDRESS_REPLY) {
			mptsas_addr_reply(sc, w, done);
			continue;
		}
		ccb = mptsas_ctx_ccb(sc, w);
		if (!ccb)
			continue;
		mptsas_set_good(ccb);
		mptsas_finish(sc, ccb, done);
	}
}

/* Interrupt and poll path: complete what the IOC finished. */
int mptsas_complete(struct mptsas_softc *sc, int from_intr)
{
	struct scsi_done done;
	unsigned long flags;
	int n;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (!sc->stopping)
		mptsas_reap(sc, &done);
	n = (int)done.count;
	if (from_intr)
		sc->done_intr += (uint64_t)n;
	else
		sc->done_poll += (uint64_t)n;
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
	return n;
}

int mptsas_poll(struct scsi_hba *h)
{
	return mptsas_complete(h->priv, 0);
}

/* Take every command off the IOC (lock held) with host status host. */
void mptsas_collect_all(struct mptsas_softc *sc, uint8_t host, struct scsi_done *done)
{
	for (unsigned i = 0; i < sc->depth; i++) {
		struct mptsas_ccb *ccb = &sc->ccbs[i];
		struct scsi_cmd *c = ccb->cmd;

		if (!ccb->busy || !c)
			continue;
		scsi_cmd_unanswered(c, host, ccb->timed_out);
		scsi_done_add(done, c);
		mptsas_ccb_put(sc, ccb);
	}
}

void mptsas_fail_all(struct mptsas_softc *sc, uint8_t host)
{
	struct scsi_done done;
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	mptsas_collect_all(sc, host, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
}
