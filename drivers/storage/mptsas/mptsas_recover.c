/*
 * Command timeouts. A watchdog looks at the oldest late command every MPTSAS_WATCHDOG_US
 * and escalates one step per deadline: a SCSI task management ABORT TASK naming it (MPI
 * 1.5 9.2; the IOC ends the command with IOCStatus TASK_TERMINATED, then answers the TM
 * request), then a message unit reset with a fresh IOC Init and Port Enable, which takes
 * every command off the IOC. A command that timed out completes with SCSI_HOST_ABORTED
 * (the layer makes that -HV_ETIMEDOUT) however it ends; the others lost in a reset are
 * retried by the layer.
 */
#include <hv/ddk.h>

#include "mptsasvar.h"

/* Lock held. The TM request has its own frame and context; one at a time. */
static void mptsas_abort(struct mptsas_softc *sc, struct mptsas_ccb *ccb)
{
	struct mpi_task_mgmt *tm = sc->tm;

	sc->aborts++;
	hv_blkdev_recovery(sc->dev, "abort", 1);	/* the timed-out command ends here */
	hv_log("mptsas: %s: target %u: command 0x%02x timed out after %u ms; ABORT TASK",
	       sc->slot, ccb->cmd->target, ccb->cmd->cdb[0], MPTSAS_IO_TIMEOUT_US / 1000);
	if (sc->tm_busy) {
		hv_log("mptsas: %s: the previous task management request has no reply yet", sc->slot);
		return;
	}
	memset(tm, 0, sizeof(*tm));
	tm->target_id = (uint8_t)ccb->cmd->target;
	tm->function = MPI_FUNCTION_TASK_MGMT;
	tm->task_type = MPI_TASKTYPE_ABORT_TASK;
	tm->msg_context = MPTSAS_CTX_TM;
	memcpy(tm->lun, ccb->cmd->lun, 8);
	tm->task_msg_context = ccb->index + 1;
	sc->tm_busy = 1;
	hv_wmb();
	mptsas_write32(sc, MPI_REG_REQUEST_FIFO,
		       (uint32_t)hv_dma_addr(sc->dev, sc->tm_bus, sc->frame_size));
}

/* IOC reset (lock held): every command comes back; the FIFOs start over. */
static void mptsas_reset_ioc(struct mptsas_softc *sc, struct scsi_done *done)
{
	unsigned before = done->count;
	int rc;

	sc->ioc_resets++;
	rc = mptsas_ioc_reset(sc);
	mptsas_collect_all(sc, SCSI_HOST_RESET, done);
	hv_blkdev_recovery(sc->dev, "ioc-reset", done->count - before);
	if (rc == 0)
		rc = mptsas_ioc_facts(sc, 0);
	if (rc == 0)
		rc = mptsas_ioc_start(sc);
	if (rc < 0) {
		hv_log("mptsas: %s: IOC reset failed (%d); no more I/O", sc->slot, rc);
		sc->dead = 1;
		return;
	}
	hv_log("mptsas: %s: IOC reset done (reset %llu)", sc->slot,
	       (unsigned long long)sc->ioc_resets);
}

/* The next step for a command past its deadline (lock held). */
static void mptsas_escalate(struct mptsas_softc *sc, struct mptsas_ccb *ccb, uint64_t now,
			    struct scsi_done *done)
{
	if (ccb->stage == MPTSAS_STAGE_RUNNING) {
		sc->timeouts++;
		ccb->timed_out = 1;
		ccb->stage = MPTSAS_STAGE_ABORTED;
		ccb->deadline_us = now + MPTSAS_GRACE_US;
		mptsas_abort(sc, ccb);
		return;
	}
	hv_log("mptsas: %s: target %u: the abort did not finish the command; resetting the IOC",
	       sc->slot, ccb->cmd->target);
	mptsas_reset_ioc(sc, done);
}

void mptsas_watchdog(void *arg)
{
	struct mptsas_softc *sc = arg;
	struct scsi_done done;
	struct mptsas_ccb *late = NULL;
	uint64_t now = hv_time_us();
	unsigned long flags;

	scsi_done_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	for (unsigned i = 0; i < sc->depth; i++) {
		struct mptsas_ccb *ccb = &sc->ccbs[i];

		if (ccb->busy && now > ccb->deadline_us &&
		    (!late || ccb->deadline_us < late->deadline_us))
			late = ccb;
	}
	if (late && !sc->dead && !sc->stopping)
		mptsas_escalate(sc, late, now, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	scsi_done_complete(&done);
	/* The abort may have finished the command at once: reap before anyone waits. */
	if (late)
		mptsas_complete(sc, 0);
	if (!sc->stopping)
		hv_timer_start(&sc->watchdog, MPTSAS_WATCHDOG_US, mptsas_watchdog, sc);
}

/*
 * The watchdog off for good; sc->stopping is set. A watchdog running on another CPU may
 * have read stopping before it was set and re-armed itself after the first cancel
 * unlinked it (hv_timer_cancel waits for a running callback but cannot stop it
 * re-arming); the second cancel takes that re-arm away, and any later run sees stopping.
 */
void mptsas_watchdog_stop(struct mptsas_softc *sc)
{
	hv_timer_cancel(&sc->watchdog);
	hv_timer_cancel(&sc->watchdog);
}
