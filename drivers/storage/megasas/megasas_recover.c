/*
 * Command timeouts. A watchdog looks at the oldest late command every MEGASAS_WATCHDOG_US
 * and escalates one step per deadline: an MFI_CMD_ABORT frame naming that command (by
 * context and frame address), then an adapter reset through the inbound doorbell
 * (ABORT|READY: the firmware drops every command and goes back to READY) followed by a
 * fresh MFI_CMD_INIT. MFI has no LUN reset. A command that timed out completes with
 * SCSI_HOST_ABORTED (the layer makes that -HV_ETIMEDOUT) however it ends; the others lost
 * in a reset are retried by the layer.
 */
#include <hv/ddk.h>

#include "megasasvar.h"

/* Lock held. The abort's own reply only frees the abort frame (megasas_reap). */
static void megasas_abort(struct megasas_softc *sc, struct megasas_ccb *ccb)
{
	struct mfi_abort_frame *f;
	uint64_t fbus;

	sc->aborts++;
	hv_blkdev_recovery(sc->dev, "abort", 1);	/* the timed-out command ends here */
	hv_log("megasas: %s: target %u: command 0x%02x timed out after %u ms; aborting it",
	       sc->slot, ccb->cmd->target, ccb->cmd->cdb[0], MEGASAS_IO_TIMEOUT_US / 1000);
	if (sc->abort_busy) {
		hv_log("megasas: %s: the previous ABORT has no reply yet", sc->slot);
		return;
	}
	f = megasas_frame(sc, MEGASAS_CTX_ABORT - 1, &fbus);
	memset(f, 0, sizeof(*f));
	f->header.frame_cmd = MFI_CMD_ABORT;
	f->header.cmd_status = MFI_STAT_PENDING;
	f->header.context = MEGASAS_CTX_ABORT;
	f->abort_context = ccb->index + 1;
	uint64_t victim = hv_dma_addr(sc->dev, ccb->frame_bus, MFI_FRAME_ALIGN);
	f->abort_mfi_addr_lo = (uint32_t)victim;
	f->abort_mfi_addr_hi = (uint32_t)(victim >> 32);
	sc->abort_busy = 1;
	megasas_post(sc, fbus, sizeof(*f));
}

/* Adapter reset (lock held): every command comes back; the reply queue starts over. */
static void megasas_reset_adapter(struct megasas_softc *sc, struct scsi_done *done)
{
	sc->adapter_resets++;
	megasas_stop(sc);
	unsigned before = done->count;
	megasas_collect_all(sc, SCSI_HOST_RESET, done);
	hv_blkdev_recovery(sc->dev, "adapter-reset", done->count - before);
	if (megasas_start(sc) < 0) {
		hv_log("megasas: %s: adapter reset failed; no more I/O", sc->slot);
		sc->dead = 1;
	} else {
		megasas_intr_enable(sc);
		hv_log("megasas: %s: adapter reset done (reset %llu)", sc->slot,
		       (unsigned long long)sc->adapter_resets);
	}
}

/* The next step for a command past its deadline (lock held); commands a reset took back
 * go on done. */
static void megasas_escalate(struct megasas_softc *sc, struct megasas_ccb *ccb, uint64_t now,
			     struct scsi_done *done)
{
	if (ccb->stage == MEGASAS_STAGE_RUNNING) {
		sc->timeouts++;
		ccb->timed_out = 1;
		ccb->stage = MEGASAS_STAGE_ABORTED;
		ccb->deadline_us = now + MEGASAS_GRACE_US;
		megasas_abort(sc, ccb);
		return;
	}
	hv_log("megasas: %s: target %u: the abort did not finish the command; resetting the "
	       "adapter", sc->slot, ccb->cmd->target);
	megasas_reset_adapter(sc, done);
}

void megasas_watchdog(void *arg)
{
	struct megasas_softc *sc = arg;
	struct scsi_done done;
	struct megasas_ccb *late = NULL;
	uint64_t now = hv_time_us();
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	for (unsigned i = 0; i < sc->depth; i++) {
		struct megasas_ccb *ccb = &sc->ccbs[i];

		if (ccb->busy && now > ccb->deadline_us &&
		    (!late || ccb->deadline_us < late->deadline_us))
			late = ccb;
	}
	if (late && !sc->dead && !sc->stopping)
		megasas_escalate(sc, late, now, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
	/* The abort may have finished the command at once: reap before anyone waits. */
	if (late)
		megasas_complete(sc, 0);
	if (!sc->stopping)
		hv_timer_start(&sc->watchdog, MEGASAS_WATCHDOG_US, megasas_watchdog, sc);
}
