/*
 * AHCI port recovery without waiting (AHCI 1.3.1 6.2.2, 10.4.2): the interrupt handler and
 * the watchdog timer may not busy-wait (docs/ddk.md, Verifier: sleep_in_irq), so recovery
 * is a state machine. Each step does what it can now and, when the HBA still has to act
 * (the engine to stop, the 1 ms COMRESET hold, the link to come back), re-arms the port's
 * 1 ms recovery timer. The port's interrupts stay masked until the engine runs again.
 */
#include <hv/ddk.h>

#include "ahcivar.h"

#define AHCI_REC_STOP_US	500000	/* 10.1.2: CR and FR clear within 500 ms */
#define AHCI_REC_HOLD_US	1000	/* 10.4.2: COMRESET held at least 1 ms */
#define AHCI_REC_LINK_US	1000000
#define AHCI_REC_BUSY_US	2000000
#define AHCI_REC_TICK_US	1000
/* How long the commands issued beside a failed NCQ command may take to finish before the
 * port stops: a device that aborts them (SATA 3.x 13.6.3) just costs this once per error;
 * whatever is still outstanding then is issued again (ahci_kick), not lost. */
#define AHCI_REC_DRAIN_US	100000

static void ahci_recover_timer(void *arg);

/* The recovery cannot go on: everything the port holds fails with -HV_EIO (lock held). */
static void ahci_recover_dead(struct ahci_port *ap, const char *why, struct hv_blkreq_list *done)
{
	unsigned before = done->count;

	hv_log("ahci: %s: port %u: recovery failed (%s); no more I/O", ap->sc->slot, ap->num, why);
	ap->dead = 1;
	ap->rec = AHCI_REC_IDLE;
	ap->rec_redo = 0;
	ahci_take(ap, ap->active, -HV_EIO, done);
	ahci_take_deferred(ap, -HV_EIO, done);
	hv_blkdev_recovery(ap->sc->dev, "port-dead", done->count - before);
}

/*
 * Before the engine stops (clearing PxCMD.ST clears PxSACT and PxCI, 3.3.13-3.3.14): an NCQ command whose PxSACT bit cleared
 * since the error finished (its set-device-bits FIS, SATA 3.x 13.6.4.2), so it completes
 * as success and is not issued again. When one queued command is left it is the one that
 * failed (13.6.3: the device stops at its first error) and fails without a reissue.
 */
static void ahci_recover_settle(struct ahci_port *ap, struct hv_blkreq_list *done)
{
	uint32_t left = ahci_pread(ap, AHCI_PXSACT);
	uint32_t fin = ap->rec_redo & ~ap->nonq & ~left;


	ahci_take(ap, fin, 0, done);
	ap->rec_redo &= ~fin;
	if (ap->rec_ncq_failed && ahci_count(ap->rec_redo) == 1) {
		ahci_take(ap, ap->rec_redo, AHCI_EIO, done);
		ap->rec_redo = 0;
		ap->rec_ncq_failed = 0;
	}
}

/* Advance the recovery as far as the HBA allows now; 1 when it ended (lock held). */
static int ahci_recover_step(struct ahci_port *ap, struct hv_blkreq_list *done)
{
	uint64_t now = hv_time_us();

	for (;;) {
		switch (ap->rec) {
		case AHCI_REC_DRAIN:
			ahci_recover_settle(ap, done);
			if (ap->rec_ncq_failed && now - ap->rec_t0 <= AHCI_REC_DRAIN_US)
				return 0;
			ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) & ~AHCI_PXCMD_ST);
			ap->rec_t0 = now;
			ap->rec = AHCI_REC_STOP;
			break;
		case AHCI_REC_STOP:
			if (ahci_pread(ap, AHCI_PXCMD) & AHCI_PXCMD_CR) {
				if (now - ap->rec_t0 <= AHCI_REC_STOP_US)
					return 0;
				ap->rec_comreset = 1;	/* the engine does not stop */
			}
			if (ap->rec_fail) {	/* the DMA engine is off: their buffers are free */
				unsigned before = done->count;

				ahci_take(ap, ap->rec_fail, ap->rec_fail_status, done);
				hv_blkdev_recovery(ap->sc->dev, "reset", done->count - before);
				ap->rec_fail = 0;
			}
			if (ahci_pread(ap, AHCI_PXTFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ))
				ap->rec_comreset = 1;
			ap->rec_t0 = now;
			if (!ap->rec_comreset) {
				ap->rec = AHCI_REC_START;
				break;
			}
			ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) & ~AHCI_PXCMD_FRE);
			ap->rec = AHCI_REC_FRE;
			break;
		case AHCI_REC_FRE:
			if ((ahci_pread(ap, AHCI_PXCMD) & AHCI_PXCMD_FR) &&
			    now - ap->rec_t0 <= AHCI_REC_STOP_US)
				return 0;
			ap->resets++;
			ahci_pwrite(ap, AHCI_PXSCTL,
				    (ahci_pread(ap, AHCI_PXSCTL) & ~0xfu) | AHCI_SCTL_DET_INIT);
			ap->rec_t0 = now;
			ap->rec = AHCI_REC_HOLD;
			return 0;
		case AHCI_REC_HOLD:
			if (now - ap->rec_t0 < AHCI_REC_HOLD_US)
				return 0;
			ahci_pwrite(ap, AHCI_PXSCTL, ahci_pread(ap, AHCI_PXSCTL) & ~0xfu);
			ap->rec_t0 = now;
			ap->rec = AHCI_REC_LINK;
			break;
		case AHCI_REC_LINK:
			if (AHCI_SSTS_DET(ahci_pread(ap, AHCI_PXSSTS)) != AHCI_SSTS_DET_PHY) {
				if (now - ap->rec_t0 <= AHCI_REC_LINK_US)
					return 0;
				ahci_recover_dead(ap, "no link after COMRESET", done);
				return 1;
			}
			ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
			ahci_port_setup_dma(ap);
			ap->rec_t0 = now;
			ap->rec = AHCI_REC_START;
			break;
		case AHCI_REC_START:
			/* 10.3.1: ST only with BSY and DRQ clear. */
			if (ahci_pread(ap, AHCI_PXTFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ)) {
				if (now - ap->rec_t0 <= AHCI_REC_BUSY_US)
					return 0;
				ahci_recover_dead(ap, "device stays busy", done);
				return 1;
			}
			ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
			ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
			ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) | AHCI_PXCMD_FRE |
				    AHCI_PXCMD_ST);
			ap->rec = AHCI_REC_IDLE;
			ahci_pwrite(ap, AHCI_PXIE, ap->ie);
			return 1;
		default:
			return 1;
		}
	}
}

/*
 * Start a recovery (lock held, any context): stop the engine, fail the slots in fail with
 * fail_status once it stopped, issue the slots in redo again afterwards, one at a time and
 * non-queued (ahci_kick), reset the link when comreset. ncq_failed: one of redo is a queued
 * command that failed, not yet known which.
 */
void ahci_recover_start(struct ahci_port *ap, int comreset, uint32_t redo, int ncq_failed,
			uint32_t fail, int fail_status, struct hv_blkreq_list *done)
{
	ahci_pwrite(ap, AHCI_PXIE, 0);
	if (ncq_failed) {
		ap->rec = AHCI_REC_DRAIN;	/* the engine runs on until they finished */
	} else {
		ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) & ~AHCI_PXCMD_ST);
		ap->rec = AHCI_REC_STOP;
	}
	ap->rec_t0 = hv_time_us();
	ap->rec_comreset = comreset;
	ap->rec_redo = redo;
	ap->rec_ncq_failed = ncq_failed;
	ap->rec_fail = fail;
	ap->rec_fail_status = fail_status;
	if (!ahci_recover_step(ap, done))
		hv_timer_start(&ap->rec_timer, AHCI_REC_TICK_US, ahci_recover_timer, ap);
}

static void ahci_recover_timer(void *arg)
{
	struct ahci_port *ap = arg;
	struct hv_blkreq_list done;
	unsigned long flags;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	if (ap->rec != AHCI_REC_IDLE && !ahci_recover_step(ap, &done))
		hv_timer_start(&ap->rec_timer, AHCI_REC_TICK_US, ahci_recover_timer, ap);
	ahci_kick(ap);
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	hv_blkreq_list_complete(&done);
}

/* Detach: no recovery step runs after this (lock not held: the timer takes it). */
void ahci_recover_cancel(struct ahci_port *ap)
{
	hv_timer_cancel(&ap->rec_timer);
	ap->rec = AHCI_REC_IDLE;
}
