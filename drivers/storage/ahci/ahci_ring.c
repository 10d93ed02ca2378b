/*
 * AHCI I/O path: READ/WRITE DMA EXT (or FPDMA QUEUED) and FLUSH CACHE EXT through the
 * command tables, requests waiting for a slot, completion, error and timeout recovery,
 * port detach. Section numbers refer to Serial ATA AHCI 1.3.1 and ATA/ATAPI-8 ACS.
 */
#include <hv/ddk.h>

#include "ahcivar.h"

/* Take the requests in slots mask off the port with status (lock held). */
void ahci_take(struct ahci_port *ap, uint32_t mask, int status, struct hv_blkreq_list *done)
{
	for (unsigned s = 0; mask; s++, mask >>= 1) {
		struct hv_blkreq *rq = ap->rq[s];

		if (!(mask & 1) || !rq)
			continue;
		ap->rq[s] = NULL;
		ap->active &= ~(1u << s);
		ap->nonq &= ~(1u << s);
#ifdef HV_DEFECT_LOSE_COMPLETION	/* certify self-test defect: every 200th request never completes */
		static unsigned ahci_defect_done;
		if (status == 0 && ++ahci_defect_done % 200 == 0)
			continue;	/* the slot is free again, its request forgotten */
#endif
		hv_blkreq_list_add(done, rq, status);
	}
}

/* Requests that were never issued, with status (lock held). */
void ahci_take_deferred(struct ahci_port *ap, int status, struct hv_blkreq_list *done)
{
	while (ap->defer_head) {
		struct hv_blkreq *rq = ap->defer_head;

		ap->defer_head = rq->driver_private;
		hv_blkreq_list_add(done, rq, status);
	}
	ap->defer_tail = &ap->defer_head;
	ap->ndefer = 0;
}

static uint32_t ahci_free_slots(struct ahci_port *ap)
{
	return ~ap->active & (ap->nslots == 32 ? 0xffffffffu : (1u << ap->nslots) - 1);
}

/*
 * 6.2.2: after an error the HBA halts until software recovers, and a command issued
 * before the error is handled is not run. QEMU 7.2's ich9-ahci (with Debian's 7.2.6+
 * fixes) does run it but keeps its PxCI bit set while the task file shows ERR, then runs
 * it again on every later PxCI write: a write issued behind an unhandled error would go to
 * the disk several times, and could land after a newer write to the same blocks. So
 * nothing is issued while an error sits in PxIS; the interrupt (or poll) path handles it
 * and kicks what waited. One MMIO read per command issued.
 */
static int ahci_halted(struct ahci_port *ap)
{
	return (ahci_pread(ap, AHCI_PXIS) & AHCI_PXI_ERROR) != 0;
}

/* SATA 3.x 13.6.4: a non-queued command may not overlap NCQ commands, nor they it. */
static int ahci_can_issue(struct ahci_port *ap, const struct hv_blkreq *rq)
{
	if (!ahci_free_slots(ap) || ap->rec != AHCI_REC_IDLE || ap->rec_redo)
		return 0;
	if (ahci_halted(ap))
		return 0;
	if (!ap->ncq)
		return 1;
	if (rq->op == HV_BLK_FLUSH)
		return ap->active == 0;
	return ap->nonq == 0;
}

/* Write the command for rq into a free slot and issue it (lock held). 13.6.4.1: for an NCQ
 * command the tag is the slot, set in PxSACT before PxCI. */
static void ahci_issue_slot(struct ahci_port *ap, unsigned slot, struct hv_blkreq *rq, int queued)
{
	uint64_t bytes = (uint64_t)rq->nblocks * ATA_SECTOR_SIZE;
	uint8_t *f = ap->ct[slot].cfis;
	uint64_t data_bus = rq->buf_bus;
#ifdef HV_DEFECT_MISDIRECT	/* certify self-test defect: DMA to the neighbouring tag's buffer */
	/* The data address is looked up one tag off: alone in flight (slot 0) a command is
	 * right, beside another its data moves to or from that command's buffer. */
	if (slot > 0 && ap->rq[slot - 1] && ap->rq[slot - 1]->op != HV_BLK_FLUSH &&
	    ap->rq[slot - 1]->nblocks >= rq->nblocks)
		data_bus = ap->rq[slot - 1]->buf_bus;
#endif

	if (rq->op == HV_BLK_FLUSH) {
		ahci_fill(ap, slot, ATA_CMD_FLUSH_CACHE_EXT, 0, 0, 0, 0, 0);
		f[7] = 0;
		bytes = 0;
	} else if (queued) {
		ahci_fill(ap, slot, rq->op == HV_BLK_WRITE ? ATA_CMD_WRITE_FPDMA : ATA_CMD_READ_FPDMA,
			  rq->lba, 0, data_bus, bytes, rq->op == HV_BLK_WRITE);
		f[3] = (uint8_t)rq->nblocks;		/* ACS 7.23: the count is in FEATURE */
		f[11] = (uint8_t)(rq->nblocks >> 8);
		f[12] = (uint8_t)(slot << 3);		/* and the tag in COUNT 7:3 */
	} else {
		ahci_fill(ap, slot, rq->op == HV_BLK_WRITE ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT,
			  rq->lba, rq->nblocks, data_bus, bytes, rq->op == HV_BLK_WRITE);
	}
	ap->rq[slot] = rq;
	ap->bytes[slot] = (uint32_t)bytes;
	ap->deadline_us[slot] = hv_time_us() + AHCI_CMD_TIMEOUT_US;
	ap->active |= 1u << slot;
	if (!queued)
		ap->nonq |= 1u << slot;
	else
		ap->nonq &= ~(1u << slot);
	rq->driver_private = ap;
	hv_wmb();
	if (queued)
		ahci_pwrite(ap, AHCI_PXSACT, 1u << slot);
	ahci_pwrite(ap, AHCI_PXCI, 1u << slot);
}

static void ahci_issue(struct ahci_port *ap, struct hv_blkreq *rq)
{
	ahci_issue_slot(ap, (unsigned)__builtin_ctz(ahci_free_slots(ap)), rq,
			ap->ncq && rq->op != HV_BLK_FLUSH);
}

/*
 * After a recovery: the commands it took back go again one at a time, so the one that
 * fails fails alone and is the one that errored. Each is a recovery of ours (DDK 2.1) and
 * a reissue (DDK 2.2): the device may have run it once already. Queued when the port
 * queues: QEMU 7.2 runs a failing non-queued command again and again, from its own
 * completion, for as long as it stays in PxCI (the task file showing ERR), where a failing
 * NCQ command runs once. Then deferred requests, in order, while they may go (lock held).
 */
void ahci_kick(struct ahci_port *ap)
{
	if (ap->rec_redo && ap->rec == AHCI_REC_IDLE && !ap->dead &&
	    !(ap->active & ~ap->rec_redo) && !ahci_halted(ap)) {
		unsigned s = (unsigned)__builtin_ctz(ap->rec_redo);
		struct hv_blkreq *rq = ap->rq[s];

		ap->rec_redo &= ~(1u << s);
		hv_blkdev_recovery(ap->sc->dev, "reissue", 0);
#ifndef HV_DEFECT_SILENT_REISSUE	/* certify self-test defect: reissues not reported */
		hv_blkdev_reissue(&ap->bd, rq);
#endif
		ahci_issue_slot(ap, s, rq, ap->ncq && rq->op != HV_BLK_FLUSH);
	}
	while (ap->defer_head && !ap->dead && ahci_can_issue(ap, ap->defer_head)) {
		struct hv_blkreq *rq = ap->defer_head;

		ap->defer_head = rq->driver_private;
		if (!ap->defer_head)
			ap->defer_tail = &ap->defer_head;
		ap->ndefer--;
		ahci_issue(ap, rq);
	}
}

/*
 * 6.2.2 error recovery. fin is what left PxCI and PxSACT; issued what the HBA holds.
 * Non-queued: an HBA that halts leaves the failing command in PxCI (PxCMD.CCS names it);
 * QEMU goes on, clears its bit and leaves a short PRDBC (valid for non-queued commands).
 * NCQ (6.2.2.1, SATA 3.x 13.6.4.2): a cleared PxSACT bit is a command the device finished
 * well, PRDBC means nothing, and the failed tag stays set; without READ LOG EXT page 10h
 * (QEMU 7.2's ich9-ahci has none) it is known only when one command is left. The others
 * are issued again one at a time after the reset (ahci_kick), each failing only alone.
 */
static void ahci_port_error(struct ahci_port *ap, uint32_t is, uint32_t fin,
			    struct hv_blkreq_list *done)
{
	uint32_t issued = ap->active & ~ap->rec_redo;
	uint32_t pending = issued & ~fin;
	uint32_t tfd = ahci_pread(ap, AHCI_PXTFD);
	uint32_t failed = 0;
	int comreset = (is & (AHCI_PXI_HBFS | AHCI_PXI_IFS)) != 0;
	int ncq_failed = 0;

	if (issued & ~ap->nonq) {
		if (ahci_count(pending) == 1)
			failed = pending;
		else
			ncq_failed = pending != 0;
		/* The device stays in error until READ LOG EXT page 10h or a reset
		 * (13.6.3.3); this driver resets. */
		comreset = 1;
	} else {
		unsigned ccs = AHCI_PXCMD_CCS(ahci_pread(ap, AHCI_PXCMD));

		for (unsigned s = 0; s < ap->nslots; s++)
			if ((fin & (1u << s)) && ap->cl[s].prdbc < ap->bytes[s])
				failed |= 1u << s;
		if (!failed && (pending & ap->nonq & (1u << ccs)))
			failed = 1u << ccs;
		if (!failed)
			failed = fin ? fin : pending;
	}
	ap->errors++;
	hv_log("ahci: %s: port %u: error IS 0x%x TFD 0x%x SERR 0x%x, failing slots 0x%x, "
	       "to identify among 0x%x", ap->sc->slot, ap->num, is, tfd,
	       ahci_pread(ap, AHCI_PXSERR), failed, ncq_failed ? pending : 0);
	ahci_take(ap, failed, AHCI_EIO, done);
	ahci_take(ap, fin & ~failed, 0, done);
	pending &= ~failed;
	ahci_recover_start(ap, comreset, pending | ap->rec_redo, ncq_failed, 0, 0, done);
}

/* Interrupt and poll path for one port: complete what the HBA finished. */
int ahci_port_intr(struct ahci_port *ap)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	uint32_t is, fin, sact, ci;
	int n;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	is = ahci_pread(ap, AHCI_PXIS);
	if (is)
		ahci_pwrite(ap, AHCI_PXIS, is);
	/* 3.3.5: PCS and PRCS clear only with PxSERR.DIAG.X and .N; on a shared INTx line
	 * they would otherwise keep interrupting. */
	if (is & (AHCI_PXI_PCS | AHCI_PXI_PRCS))
		ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
	if (ap->rec != AHCI_REC_IDLE || ap->dead) {
		/* Recovering: its steps read the registers; nothing completes here. */
		hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
		return 0;
	}
	/* A queued command is done when the device cleared its PxSACT bit (SATA 3.x
	 * 13.6.4.2, set-device-bits FIS), whatever PxCI still shows (QEMU 7.2 may leave a
	 * finished NCQ slot there); a non-queued one when it left PxCI. */
	sact = ahci_pread(ap, AHCI_PXSACT);
	ci = ahci_pread(ap, AHCI_PXCI);
	fin = ap->active & ~ap->rec_redo & ((ap->nonq & ~(ci | sact)) | (~ap->nonq & ~sact));
	if ((is & AHCI_PXI_ERROR) && (ap->active & ~ap->rec_redo))
		ahci_port_error(ap, is, fin, &done);
	else if (is & AHCI_PXI_ERROR)
		ahci_recover_start(ap, (is & (AHCI_PXI_HBFS | AHCI_PXI_IFS)) != 0, ap->rec_redo, 0,
				   0, 0, &done);
	else if (fin)
		ahci_take(ap, fin, 0, &done);
	ahci_kick(ap);
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	n = (int)done.count;
	hv_blkreq_list_complete(&done);
	return n;
}

int ahci_poll(struct hv_blkdev *bd)
{
	return ahci_port_intr(bd->priv);
}

int ahci_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct ahci_port *ap = bd->priv;
	unsigned long flags;

	if (rq->op != HV_BLK_READ && rq->op != HV_BLK_WRITE && rq->op != HV_BLK_FLUSH)
		return -HV_EINVAL;
	if (rq->op != HV_BLK_FLUSH) {
		if (rq->nblocks == 0 || rq->lba >= bd->nblocks ||
		    rq->nblocks > bd->nblocks - rq->lba)
			return -HV_ERANGE;
		/* 4.2.3.3: word-aligned data; one command moves at most 65536 sectors. */
		if ((rq->buf_bus & 1) || rq->nblocks > AHCI_MAX_REQ_BLOCKS)
			return -HV_EINVAL;
	}
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	if (ap->dead) {
		hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
		return -HV_EIO;
	}
	if (ahci_count(ap->active) + ap->ndefer >= ap->bd.queue_depth) {
		hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
		return -HV_EAGAIN;
	}
	if (!ap->defer_head && ahci_can_issue(ap, rq)) {
		ahci_issue(ap, rq);
	} else {
		rq->driver_private = NULL;
		*ap->defer_tail = rq;
		ap->defer_tail = (struct hv_blkreq **)&rq->driver_private;
		ap->ndefer++;
	}
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	return 0;
}

/* From the HBA's watchdog timer: a command past its deadline resets the port (10.4.2) and
 * fails everything issued with -HV_ETIMEDOUT; what waited unissued goes next. */
void ahci_port_watchdog(struct ahci_port *ap, uint64_t now)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	int late = -1;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	for (unsigned s = 0; s < ap->nslots && late < 0 && ap->rec == AHCI_REC_IDLE; s++)
		if ((ap->active & ~ap->rec_redo & (1u << s)) && now > ap->deadline_us[s])
			late = (int)s;
	if (late >= 0) {
		ap->timeouts++;
		hv_log("ahci: %s: port %u: slot %d (lba %llu) timed out after %u ms; port reset",
		       ap->sc->slot, ap->num, late, (unsigned long long)ap->rq[late]->lba,
		       AHCI_CMD_TIMEOUT_US / 1000);
		/* Everything the port holds fails with -HV_ETIMEDOUT once the engine stopped
		 * (ahci_recover.c); then the reset, and what waited goes next. */
		ahci_recover_start(ap, 1, 0, 0, ap->active, -HV_ETIMEDOUT, &done);
		ahci_kick(ap);
	}
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	hv_blkreq_list_complete(&done);
}

/* Quiesce: the engine off, anything still issued or waiting failed, memory freed. */
void ahci_port_detach(struct ahci_port *ap)
{
	struct hv_blkreq_list done;
	unsigned long flags;

	hv_blkreq_list_init(&done);
	ahci_recover_cancel(ap);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	ahci_pwrite(ap, AHCI_PXIE, 0);
	ahci_port_stop(ap, 1);
	ahci_take(ap, ap->active, -HV_ENODEV, &done);
	ahci_take_deferred(ap, -HV_ENODEV, &done);
	ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
	ap->sc->ports[ap->num] = NULL;
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	hv_blkreq_list_complete(&done);
	hv_log("ahci: %s: port %u detached (%llu errors, %llu timeouts, %llu resets)",
	       ap->sc->slot, ap->num, (unsigned long long)ap->errors,
	       (unsigned long long)ap->timeouts, (unsigned long long)ap->resets);
	hv_dma_free_coherent(ap->sc->dev, ap->ct, ap->nslots * sizeof(struct ahci_cmd_table));
	hv_dma_free_coherent(ap->sc->dev, ap->clfis, AHCI_CLFIS_SIZE);
	hv_free(ap);
}
