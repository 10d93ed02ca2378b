/*
 * NVMe I/O path: READ/WRITE/FLUSH with PRPs on the I/O queue pair, completion from the
 * interrupt or poll, and the watchdog that finds timeouts (the reset is nvme_recover.c).
 * Section numbers refer to NVM Express Base Specification 1.4.
 */
#include <hv/ddk.h>

#include "nvmevar.h"

static void nvme_build_prp(struct hv_pci_dev *d, struct nvme_ccb *ccb, struct nvme_sqe *sqe,
			   uint64_t bus, uint64_t len);
static void nvme_reap(struct nvme_softc *sc, struct hv_blkreq_list *done);

/* Every ccb free, each with its own PRP list page. */
void nvme_ccb_init(struct nvme_softc *sc)
{
	sc->ccb_free = NULL;
	for (unsigned i = sc->io_depth; i-- > 0;) {
		struct nvme_ccb *ccb = &sc->ccbs[i];

		ccb->cid = (uint16_t)i;
		ccb->busy = 0;
		ccb->prpl = (uint64_t *)((uint8_t *)sc->prpl_mem + (size_t)i * NVME_PAGE_SIZE);
		ccb->prpl_bus = sc->prpl_bus + (uint64_t)i * NVME_PAGE_SIZE;
		ccb->next_free = sc->ccb_free;
		sc->ccb_free = ccb;
	}
	sc->ccb_nfree = sc->io_depth;
}

/* 4.3 PRP entries: PRP1 the first (dword aligned) address, PRP2 the second page or a list.
 * The whole transfer is handed to the device at once (hv_dma_addr), and so is the list. */
static void nvme_build_prp(struct hv_pci_dev *d, struct nvme_ccb *ccb, struct nvme_sqe *sqe,
			   uint64_t bus, uint64_t len)
{
	bus = hv_dma_addr(d, bus, len);
	uint64_t first = NVME_PAGE_SIZE - (bus & (NVME_PAGE_SIZE - 1));
	uint64_t page = bus + first;
	unsigned n = 0;

	sqe->prp1 = bus;
	sqe->prp2 = 0;
	if (len <= first)
		return;
	if (len <= first + NVME_PAGE_SIZE) {
		sqe->prp2 = page;
		return;
	}
	for (uint64_t left = len - first; ; page += NVME_PAGE_SIZE) {
		ccb->prpl[n++] = page;
		if (left <= NVME_PAGE_SIZE)
			break;
		left -= NVME_PAGE_SIZE;
	}
	sqe->prp2 = hv_dma_addr(d, ccb->prpl_bus, (size_t)n * sizeof(uint64_t));
}

/*
 * The blkdev submit entry: one NVMe command per max_cmd_bytes of the request, all written
 * into the submission queue and announced with one doorbell write.
 */
int nvme_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct nvme_ns *ns = bd->priv;
	struct nvme_softc *sc = ns->sc;
	struct nvme_queue *q = &sc->ioq;
	uint64_t bytes = (uint64_t)rq->nblocks << ns->lba_shift;
	uint64_t deadline = hv_time_us() + NVME_IO_TIMEOUT_US;
	struct nvme_ccb *parent = NULL;
	unsigned nparts = 1;
	unsigned long flags;
	uint8_t opc;

#ifdef HV_DEFECT_DROP_FLUSH	/* certify defect nvme-drop-flush: flushes acknowledged, never sent */
	if (rq->op == HV_BLK_FLUSH) {
		hv_blkreq_complete(rq, 0);
		return 0;
	}
#endif
	switch (rq->op) {
	case HV_BLK_READ: opc = NVME_CMD_READ; break;
	case HV_BLK_WRITE: opc = NVME_CMD_WRITE; break;
	case HV_BLK_FLUSH: opc = NVME_CMD_FLUSH; bytes = 0; break;
	default: return -HV_EINVAL;
	}
	if (rq->op != HV_BLK_FLUSH) {
		if (rq->nblocks == 0 || rq->lba >= bd->nblocks ||
		    rq->nblocks > bd->nblocks - rq->lba)
			return -HV_ERANGE;
		if (rq->buf_bus & 3)	/* 4.3: PRP entries are dword aligned */
			return -HV_EINVAL;
		nparts = (unsigned)((bytes + sc->max_cmd_bytes - 1) / sc->max_cmd_bytes);
	}

	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->dead) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return -HV_EIO;
	}
	if (sc->ccb_nfree < nparts || sc->rec != NVME_REC_IDLE) {	/* full, or resetting */
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return -HV_EAGAIN;
	}
#ifdef HV_DEFECT_FLUSH_STALL	/* certify defect nvme-flush-stall: a flush issued beside other
	 * commands is held back "until the queue drains" and never sent: only a flush among
	 * requests in flight (the soak's mix) meets it; alone (blk.errors) it is sent */
	bool defect_hold = rq->op == HV_BLK_FLUSH && sc->ccb_nfree < sc->io_depth;
#endif
	for (unsigned i = 0; i < nparts; i++) {
		struct nvme_ccb *ccb = sc->ccb_free;
		struct nvme_sqe *sqe = &q->sq[q->sq_tail];
		uint64_t off = (uint64_t)i * sc->max_cmd_bytes;
		uint64_t len = bytes - off < sc->max_cmd_bytes ? bytes - off : sc->max_cmd_bytes;

		sc->ccb_free = ccb->next_free;
		sc->ccb_nfree--;
		if (!parent)
			parent = ccb;
		ccb->parent = parent;
		ccb->busy = 1;
		ccb->deadline_us = deadline;
		*sqe = (struct nvme_sqe){ 0 };
		sqe->opcode = opc;
		sqe->cid = ccb->cid;
		sqe->nsid = ns->nsid;
		if (opc != NVME_CMD_FLUSH) {
			uint64_t slba = rq->lba + (off >> ns->lba_shift);
#ifdef HV_DEFECT_SHIFT_LBA	/* certify self-test defect: reads and writes land 8 blocks on */
			slba += 8;	/* reading back through the driver cannot see it; the image can */
#endif

			nvme_build_prp(sc->dev, ccb, sqe, rq->buf_bus + off, len);
			sqe->cdw10 = (uint32_t)slba;
			sqe->cdw11 = (uint32_t)(slba >> 32);
#ifdef HV_DEFECT_LBA32	/* certify defect nvme-lba32: the starting LBA cut to 32 bits */
			sqe->cdw11 = 0;
#endif
			sqe->cdw12 = (uint32_t)((len >> ns->lba_shift) - 1);	/* 6.9: NLB 0's based */
		}
#ifdef HV_DEFECT_FLUSH_STALL
		if (defect_hold)
			continue;	/* the entry is never made visible to the device */
#endif
		q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->entries);
	}
	parent->rq = rq;
	parent->nsid = ns->nsid;
	parent->pending = nparts;
	parent->status = 0;
	rq->driver_private = parent;
	hv_wmb();
	nvme_write32(sc, q->sq_db, q->sq_tail);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	return 0;
}

static void nvme_ccb_put(struct nvme_softc *sc, struct nvme_ccb *ccb)
{
	ccb->busy = 0;
	ccb->parent = NULL;
	ccb->rq = NULL;
	ccb->next_free = sc->ccb_free;
	sc->ccb_free = ccb;
	sc->ccb_nfree++;
}

/*
 * Consume the I/O completion queue (lock held). Finished requests go on done, to be
 * completed after the lock is dropped: a done callback may submit again.
 */
static void nvme_reap(struct nvme_softc *sc, struct hv_blkreq_list *done)
{
	struct nvme_queue *q = &sc->ioq;
	int n = 0;

	for (;;) {
		volatile struct nvme_cqe *cqe = &q->cq[q->cq_head];
		struct nvme_ccb *ccb, *parent;
		uint16_t status;

		if (NVME_CQE_PHASE(cqe->status) != q->phase)
			break;
		hv_rmb();
		status = cqe->status;
		if (++q->cq_head == q->entries) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		n++;
		if (cqe->cid >= sc->io_depth || !sc->ccbs[cqe->cid].busy) {
			hv_log("nvme: %s: completion for idle command id %u", sc->slot, cqe->cid);
			continue;
		}
		ccb = &sc->ccbs[cqe->cid];
#ifdef HV_DEFECT_MISDIRECT	/* certify defect nvme-misdirect: the completion goes to the
				 * neighbouring command id's request when that one is in flight too */
		if ((cqe->cid ^ 1u) < sc->io_depth && sc->ccbs[cqe->cid ^ 1u].busy &&
		    sc->ccbs[cqe->cid ^ 1u].parent == &sc->ccbs[cqe->cid ^ 1u] && ccb->parent == ccb)
			ccb = &sc->ccbs[cqe->cid ^ 1u];
#endif
		parent = ccb->parent;
#ifdef HV_DEFECT_SWALLOW_EIO	/* certify self-test defect: errors reported as success */
		status = 0;
#endif
		if (NVME_CQE_STATUS(status) != 0) {
			sc->errors++;
			hv_log("nvme: %s: ns %u lba %llu: I/O error sct %u sc 0x%x", sc->slot,
			       parent->nsid, (unsigned long long)parent->rq->lba,
			       NVME_CQE_SCT(status), NVME_CQE_SC(status));
			parent->status = -HV_EIO;
		}
		if (ccb != parent)
			nvme_ccb_put(sc, ccb);
		if (--parent->pending == 0) {
#ifdef HV_DEFECT_LOST_RECOVERED	/* certify defect nvme-lost-recovered: the 100th write's completion
				 * is dropped; the watchdog's reset then reports it done (below) */
			static unsigned nvme_defect_writes;
			if (parent->rq->op == HV_BLK_WRITE && ++nvme_defect_writes == 100) {
				parent->pending = 1;	/* still in flight for the watchdog */
				continue;
			}
#endif
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th request never completes */
			static unsigned nvme_defect_done;
			if (++nvme_defect_done % 200 == 0) {
				nvme_ccb_put(sc, parent);
				continue;
			}
#endif
			hv_blkreq_list_add(done, parent->rq, parent->status);
			nvme_ccb_put(sc, parent);
		}
	}
	if (n)
		nvme_write32(sc, q->cq_db, q->cq_head);
}

/* Interrupt and poll path: complete what the controller finished. */
int nvme_complete_io(struct nvme_softc *sc)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	int n;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->rec == NVME_REC_IDLE)	/* a reset is rebuilding the I/O queue */
		nvme_reap(sc, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	n = (int)done.count;
	hv_blkreq_list_complete(&done);
	return n;
}

int nvme_poll(struct hv_blkdev *bd)
{
	struct nvme_ns *ns = bd->priv;

	return nvme_complete_io(ns->sc);
}

/* Take every request in flight off the controller (lock held), each with status. */
void nvme_collect_all(struct nvme_softc *sc, int status, struct hv_blkreq_list *done)
{
	for (unsigned i = 0; i < sc->io_depth; i++) {
		struct nvme_ccb *ccb = &sc->ccbs[i];

		if (ccb->busy && ccb->parent == ccb && ccb->rq)
			hv_blkreq_list_add(done, ccb->rq, status);
	}
	nvme_ccb_init(sc);
}

void nvme_fail_all(struct nvme_softc *sc, int status)
{
	struct hv_blkreq_list done;
	unsigned long flags;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	nvme_collect_all(sc, status, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	hv_blkreq_list_complete(&done);
}

/* Every NVME_WATCHDOG_US: a command past its deadline triggers recovery. */
void nvme_watchdog(void *arg)
{
	struct nvme_softc *sc = arg;
	uint64_t now = hv_time_us();
	struct nvme_ccb *late = NULL;
	unsigned long flags;
	uint32_t csts;
	int fatal = 0;

	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->rec != NVME_REC_IDLE) {		/* its own timer drives it */
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		goto rearm;
	}
	for (unsigned i = 0; i < sc->io_depth && !late; i++)
		if (sc->ccbs[i].busy && now > sc->ccbs[i].deadline_us)
			late = &sc->ccbs[i];
	/* 3.1.6: CSTS.CFS means the controller needs a reset; all-ones means it is gone. */
	csts = nvme_read32(sc, NVME_CSTS);
	if (!late && !sc->dead && (csts & NVME_CSTS_CFS)) {
		hv_log("nvme: %s: controller fatal status (CSTS 0x%x); resetting", sc->slot, csts);
		fatal = 1;
	}
	if (late) {
		sc->timeouts++;
		hv_log("nvme: %s: command %u (lba %llu) timed out after %u ms; resetting", sc->slot,
		       late->cid, (unsigned long long)late->parent->rq->lba,
		       NVME_IO_TIMEOUT_US / 1000);
	}
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	if ((late || fatal) && !sc->dead)
		nvme_recover_start(sc);
rearm:
	if (!sc->stopping)
		hv_timer_start(&sc->watchdog, NVME_WATCHDOG_US, nvme_watchdog, sc);
}
