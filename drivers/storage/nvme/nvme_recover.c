/*
 * Recovery after a command timed out or the controller reported a fatal status: reset
 * the controller (NVMe 1.4, 7.6.1), which aborts every command in flight; complete those
 * requests with -HV_ETIMEDOUT once it has stopped (CSTS.RDY = 0: until then it may still
 * move data into their buffers); then bring the admin and I/O queues back.
 *
 * The watchdog timer starts it, and timer callbacks run in interrupt context, where the
 * DDK forbids waiting (docs/ddk.md, Verifier: sleep_in_irq): a reset may take CAP.TO x
 * 500 ms. So recovery is a state machine under the controller lock. Each step does what
 * it can now; while the controller still has to act, the 1 ms recovery timer looks again.
 * Meanwhile submit answers -HV_EAGAIN (the kernel retries) and the interrupt handler
 * reaps nothing. With a pin or MSI interrupt, vector 0 stays masked (INTMS) from the
 * controller's re-enable to the end, so the admin completions polled here cannot hold a
 * level-triggered line asserted.
 */
#include <hv/ddk.h>

#include "nvmevar.h"

#define NVME_REC_TICK_US	1000

static void nvme_recover_timer(void *arg);

/* Give up: no more I/O. Requests still held are completed by the caller. */
static int nvme_recover_fail(struct nvme_softc *sc, int rc, struct hv_blkreq_list *done)
{
	hv_log("nvme: %s: controller reset failed at step %d (%d); no more I/O", sc->slot, sc->rec, rc);
	if (sc->rec == NVME_REC_DISABLE)
		nvme_collect_all(sc, -HV_ETIMEDOUT, done);
	sc->dead = 1;
	sc->rec = NVME_REC_IDLE;
	return 1;
}

/* Move to the next step when the controller is there: 1 when recovery is over (done or
 * failed), 0 to be called again. Lock held; requests to complete go on done. */
static int nvme_recover_step(struct nvme_softc *sc, struct hv_blkreq_list *done)
{
	uint64_t now = hv_time_us();
	uint32_t csts = nvme_read32(sc, NVME_CSTS);
	struct nvme_sqe cmd;
	int rc;

	if (csts == 0xffffffffu)
		return nvme_recover_fail(sc, -HV_ENODEV, done);
	switch (sc->rec) {
	case NVME_REC_DISABLE:
		if (csts & NVME_CSTS_RDY) {
			if (now - sc->rec_t0 > sc->ready_timeout_us)
				return nvme_recover_fail(sc, -HV_ETIMEDOUT, done);
			return 0;
		}
#ifdef HV_DEFECT_LOST_RECOVERED	/* the requests the reset took back reported as done */
		nvme_collect_all(sc, 0, done);
#else
		nvme_collect_all(sc, -HV_ETIMEDOUT, done);
#endif
		nvme_enable_start(sc);
		sc->rec = NVME_REC_ENABLE;
		sc->rec_t0 = now;
		return 0;
	case NVME_REC_ENABLE:
		if (csts & NVME_CSTS_CFS)
			return nvme_recover_fail(sc, -HV_EIO, done);
		if (!(csts & NVME_CSTS_RDY)) {
			if (now - sc->rec_t0 > sc->ready_timeout_us)
				return nvme_recover_fail(sc, -HV_ETIMEDOUT, done);
			return 0;
		}
		if (nvme_admin_masks(sc))
			nvme_write32(sc, NVME_INTMS, 1);	/* the reset cleared the mask */
		nvme_create_cq_cmd(sc, &cmd);
		nvme_admin_submit(sc, &cmd);
		sc->rec = NVME_REC_CREATE_CQ;
		sc->rec_t0 = now;
		return 0;
	case NVME_REC_CREATE_CQ:
	case NVME_REC_CREATE_SQ:
		rc = nvme_admin_poll(sc);
		if (rc < 0)
			return nvme_recover_fail(sc, rc, done);
		if (rc == 0) {
			if (now - sc->rec_t0 > NVME_ADMIN_TIMEOUT_US)
				return nvme_recover_fail(sc, -HV_ETIMEDOUT, done);
			return 0;
		}
		if (sc->rec == NVME_REC_CREATE_CQ) {
			nvme_create_sq_cmd(sc, &cmd);
			nvme_admin_submit(sc, &cmd);
			sc->rec = NVME_REC_CREATE_SQ;
			sc->rec_t0 = now;
			return 0;
		}
		if (nvme_admin_masks(sc))
			nvme_write32(sc, NVME_INTMC, 1);
		sc->rec = NVME_REC_IDLE;
		hv_log("nvme: %s: controller reset done (reset %llu)", sc->slot,
		       (unsigned long long)sc->resets);
		return 1;
	default:
		return 1;
	}
}

/* Complete what a step took back, outside the lock (a done callback may submit again,
 * which is refused with -HV_EAGAIN until recovery is over). */
static void nvme_recover_finish(struct nvme_softc *sc, struct hv_blkreq_list *done)
{
	/* Counted by the kernel: these requests completed through the reset, not the device. */
	if (done->count)
		hv_blkdev_recovery(sc->dev, "reset", done->count);
	hv_blkreq_list_complete(done);
}

/* From the watchdog (timer context): begin the reset with CC.EN = 0 and take what steps
 * the controller allows at once (QEMU's model resets synchronously). */
void nvme_recover_start(struct nvme_softc *sc)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	int over;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->dead || sc->rec != NVME_REC_IDLE) {
		hv_spin_unlock_irqrestore(&sc->lock, flags);
		return;
	}
	sc->resets++;
	sc->rec = NVME_REC_DISABLE;
	sc->rec_t0 = hv_time_us();
	nvme_write32(sc, NVME_CC, nvme_read32(sc, NVME_CC) & ~NVME_CC_EN);
	do
		over = nvme_recover_step(sc, &done);
	while (!over && sc->rec == NVME_REC_ENABLE && (nvme_read32(sc, NVME_CSTS) & NVME_CSTS_RDY));
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	nvme_recover_finish(sc, &done);
	if (!over && !sc->stopping)
		hv_timer_start(&sc->rec_timer, NVME_REC_TICK_US, nvme_recover_timer, sc);
}

static void nvme_recover_timer(void *arg)
{
	struct nvme_softc *sc = arg;
	struct hv_blkreq_list done;
	unsigned long flags;
	int over = 1;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&sc->lock);
	if (sc->rec != NVME_REC_IDLE)
		over = nvme_recover_step(sc, &done);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	nvme_recover_finish(sc, &done);
	if (!over && !sc->stopping)
		hv_timer_start(&sc->rec_timer, NVME_REC_TICK_US, nvme_recover_timer, sc);
}

/* From remove, after the watchdog is cancelled: no step runs after this returns. The
 * controller is shut down next and what is still held is failed there. */
void nvme_recover_cancel(struct nvme_softc *sc)
{
	hv_timer_cancel(&sc->rec_timer);
	sc->rec = NVME_REC_IDLE;
}
