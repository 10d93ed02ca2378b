/*
 * Command timeouts. A watchdog looks at the oldest late command every PVSCSI_WATCHDOG_US
 * and escalates one step per deadline: ABORT_CMD for that command, then RESET_DEVICE for
 * its LUN, then RESET_BUS and ADAPTER_RESET with fresh rings, which takes every command
 * off the adapter. A command that timed out completes with SCSI_HOST_ABORTED (the layer
 * makes that -HV_ETIMEDOUT) however it ends; the others lost in a reset are retried by
 * the layer.
 */
#include <hv/ddk.h>

#include "pvscsivar.h"

static void pvscsi_abort(struct pvscsi_softc *sc, struct pvscsi_ccb *ccb)
{
	struct pvscsi_desc_abort_cmd d = { ccb->index + 1, ccb->cmd->target, 0 };
	uint32_t st;

	sc->aborts++;
	hv_blkdev_recovery(sc->dev, "abort", 1);	/* the timed-out command ends here */
	st = pvscsi_adapter_cmd(sc, PVSCSI_CMD_ABORT_CMD, &d, sizeof(d));
	hv_log("pvscsi: %s: target %u: command 0x%02x timed out after %u ms; ABORT_CMD status %d",
	       sc->slot, ccb->cmd->target, ccb->cmd->cdb[0], PVSCSI_IO_TIMEOUT_US / 1000, (int)st);
}

static void pvscsi_reset_device(struct pvscsi_softc *sc, struct pvscsi_ccb *ccb)
{
	struct pvscsi_desc_reset_device d;
	uint32_t st;

	sc->dev_resets++;
	hv_blkdev_recovery(sc->dev, "device-reset", 0);	/* the abort already counted it */
	d.target = ccb->cmd->target;
	memcpy(d.lun, ccb->cmd->lun, 8);
	st = pvscsi_adapter_cmd(sc, PVSCSI_CMD_RESET_DEVICE, &d, sizeof(d));
	hv_log("pvscsi: %s: target %u: abort did not finish the command; RESET_DEVICE status %d",
	       sc->slot, ccb->cmd->target, (int)st);
}

/* Bus and adapter reset (lock held): every command comes back; the rings start over. */
static void pvscsi_reset_adapter(struct pvscsi_softc *sc, struct scsi_done *done)
{
	sc->adapter_resets++;
	pvscsi_adapter_cmd(sc, PVSCSI_CMD_RESET_BUS, NULL, 0);
	pvscsi_write32(sc, PVSCSI_REG_INTR_MASK, 0);
	/* Whatever the adapter completed before the reset is still good news. */
	hv_mb();
	unsigned before = done->count;
	pvscsi_collect_all(sc, SCSI_HOST_RESET, done);
	hv_blkdev_recovery(sc->dev, "adapter-reset", done->count - before);
	if (pvscsi_start(sc) < 0) {
		hv_log("pvscsi: %s: adapter reset failed; no more I/O", sc->slot);
		sc->dead = 1;
	} else {
		hv_log("pvscsi: %s: bus and adapter reset done (reset %llu)", sc->slot,
		       (unsigned long long)sc->adapter_resets);
	}
}

/* The next step for a command past its deadline (lock held); commands a reset took back
 * go on done. */
static void pvscsi_escalate(struct pvscsi_softc *sc, struct pvscsi_ccb *ccb, uint64_t now,
			    struct scsi_done *done)
{
	switch (ccb->stage) {
	case PVSCSI_STAGE_RUNNING:
		sc->timeouts++;
		ccb->timed_out = 1;
		ccb->stage = PVSCSI_STAGE_ABORTED;
		ccb->deadline_us = now + PVSCSI_GRACE_US;
		pvscsi_abort(sc, ccb);
		return;
	case PVSCSI_STAGE_ABORTED:
		ccb->stage = PVSCSI_STAGE_DEV_RESET;
		ccb->deadline_us = now + PVSCSI_GRACE_US;
		pvscsi_reset_device(sc, ccb);
		return;
	default:
		hv_log("pvscsi: %s: target %u: LUN reset did not finish the command; resetting "
		       "the adapter", sc->slot, ccb->cmd->target);
		pvscsi_reset_adapter(sc, done);
	}
}

void pvscsi_watchdog(void *arg)
{
	struct pvscsi_softc *sc = arg;
	struct scsi_done done;
	struct pvscsi_ccb *late = NULL;
	uint64_t now = hv_time_us();
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	for (unsigned i = 0; i < PVSCSI_DEPTH; i++) {
		struct pvscsi_ccb *ccb = &sc->ccbs[i];

		if (ccb->busy && now > ccb->deadline_us &&
		    (!late || ccb->deadline_us < late->deadline_us))
			late = ccb;
	}
	if (late && !sc->dead && !sc->stopping)
		pvscsi_escalate(sc, late, now, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	/* ABORT_CMD may have completed the command at once: reap before anyone waits. */
	scsi_done_complete(&done);
	if (late)
		pvscsi_complete(sc, 0);
	if (!sc->stopping)
		hv_timer_start(&sc->watchdog, PVSCSI_WATCHDOG_US, pvscsi_watchdog, sc);
}
