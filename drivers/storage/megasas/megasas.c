/*
 * LSI MegaRAID SAS driver (MFI firmware interface, SAS 1078 and SAS 2108): PCI attachment,
 * the interrupt, and module entry points. Firmware handshake and internal commands are in
 * megasas_hw.c, pass-through SCSI commands and the reply queue in megasas_ring.c, timeout
 * recovery in megasas_recover.c; the SCSI layer shared with other HBA drivers
 * (drivers/scsi, compiled in through HVM_EXTRA in the Makefile) finds the disks and turns
 * block requests into SCSI commands, which go to the disks as MFI_CMD_PD_SCSI_IO
 * pass-through frames.
 */
#include <hv/ddk.h>

#include "megasasvar.h"

/* driver_data: which MFI register variant the part has (megasasreg.h). */
#define MEGASAS_FAMILY_1078	0	/* BAR0, OSTS bit 31 */
#define MEGASAS_FAMILY_2108	1	/* BAR1, OSTS bit 0 */
#define MEGASAS_ID(dev, fam) \
	{ MEGASAS_VENDOR_LSI, (dev), HV_PCI_ANY, HV_PCI_ANY, 0, 0, (fam) }

/*
 * The MegaRAID SAS parts whose MFI register variant the driver implements (PCI ID database
 * names, /usr/share/misc/pci.ids): the 1078 variant (SAS1078R 0x0060 and SAS1078DE 0x007c,
 * one ROC, the same register set) and the 2108 variant (0x0079). Left out, and why:
 *  - SAS1064R/Verde ZCR (0x0411, 0x0413) and the 1064E iMR (0x0057): the xscale variant,
 *    firmware state and reply status in other registers and bits;
 *  - SAS2008/2004 (0x0073, 0x0071): the "skinny" variant, 64-bit queue port writes and
 *    other status bits;
 *  - 0x0059 (8208ELP): which variant it has is in no datasheet we have;
 *  - SAS2208 and later (0x005b, 0x005d, 0x005f, 0x002f, 0x00ce, ...): the Fusion MPT-based
 *    MegaRAID interface, not MFI frames through the inbound queue port;
 *  - 0x0078, a second 2108 ID some drivers list: in neither the PCI ID database nor a
 *    datasheet we have.
 */
HV_MODULE("megasas", "1.0", "hvkit", "BSD-2-Clause",
	  MEGASAS_ID(MEGASAS_DEVICE_1078, MEGASAS_FAMILY_1078),
	  MEGASAS_ID(MEGASAS_DEVICE_1078DE, MEGASAS_FAMILY_1078),
	  MEGASAS_ID(MEGASAS_DEVICE_2108, MEGASAS_FAMILY_2108));

static int megasas_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void megasas_remove(struct hv_pci_dev *d);
static void megasas_intr(void *arg, unsigned index);

static struct hv_pci_driver megasas_driver = {
	.name = "megasas",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = megasas_probe,
	.remove = megasas_remove,
};

static const struct scsi_hba_ops megasas_hba_ops = {
	.queue = megasas_queue,
	.poll = megasas_poll,
};

static void megasas_hba_init(struct megasas_softc *sc, unsigned max_target)
{
	struct scsi_hba *h = &sc->hba;

	h->drvname = "megasas";
	memcpy(h->slot, sc->slot, sizeof(h->slot));
	h->ops = &megasas_hba_ops;
	h->priv = sc;
	h->pci = sc->dev;
	h->max_target = max_target;
	h->max_lun = MEGASAS_MAX_LUNS;
	h->initiator_id = MEGASAS_MAX_TARGETS;	/* pass-through frames name no initiator */
	h->queue_depth = sc->depth;
	h->max_xfer = sc->max_xfer;
}

/* The limits OMSG0 and the controller info gave: our depth below the firmware's commands
 * (two frames are internal), the transfer size below its SG elements. */
static void megasas_limits(struct megasas_softc *sc)
{
	uint32_t sge = sc->fw_sge < MEGASAS_MAX_SGE ? sc->fw_sge : MEGASAS_MAX_SGE;

	sc->depth = sc->fw_cmds - 2 < MEGASAS_DEPTH ? sc->fw_cmds - 2 : MEGASAS_DEPTH;
	sc->max_xfer = (sge - 1) * MEGASAS_PAGE_SIZE;
}

static int megasas_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct megasas_softc *sc;
	unsigned max_target = MEGASAS_MAX_TARGETS;
	int rc, npd;

	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->dev = d;
	/* id is NULL when pci.bind= forced the driver onto a device its table does not name. */
	sc->gen2 = id ? id->driver_data == MEGASAS_FAMILY_2108 : info.device == MEGASAS_DEVICE_2108;
	for (unsigned i = 0; i + 1 < sizeof(sc->slot) && info.slot[i]; i++)
		sc->slot[i] = info.slot[i];
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, sc->gen2 ? MEGASAS_BAR_2108 : MEGASAS_BAR_1078);
	if (!sc->regs || hv_bar_size(sc->regs) < MEGASAS_BAR_MIN_SIZE) {
		hv_log("megasas: %s: BAR%d is not a usable memory BAR", sc->slot,
		       sc->gen2 ? MEGASAS_BAR_2108 : MEGASAS_BAR_1078);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	megasas_write32(sc, MFI_REG_OMSK, MFI_OMSK_DISABLE);
	rc = megasas_fw_ready(sc);
	if (rc < 0)
		goto free_softc;
	megasas_limits(sc);
	rc = megasas_mem_alloc(sc);
	if (rc < 0)
		goto free_softc;
	rc = megasas_start(sc);
	if (rc < 0)
		goto free_mem;
	/* QEMU's model offers MSI-X (15 vectors, the firmware uses 0), MSI and INTx; one
	 * vector completes everything. */
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, megasas_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("megasas: %s: no interrupt: %d", sc->slot, rc);
		goto stop;
	}
	hv_pci_set_drvdata(d, sc);
	megasas_intr_enable(sc);
	rc = megasas_ctrl_info(sc);
	if (rc < 0)
		goto free_irq;
	megasas_limits(sc);
	npd = megasas_pd_list(sc, &max_target);
	if (npd < 0) {
		rc = npd;
		goto free_irq;
	}
	if (max_target == 0 || max_target > MEGASAS_MAX_TARGETS)
		max_target = MEGASAS_MAX_TARGETS;
	hv_timer_start(&sc->watchdog, MEGASAS_WATCHDOG_US, megasas_watchdog, sc);
	megasas_hba_init(sc, max_target);
	hv_log("megasas: %s: %s, reply queue %u, depth %u, max %u KiB per command, irq %s; "
	       "%d devices, scanning %u targets", sc->slot, sc->gen2 ? "SAS 2108" : "SAS 1078",
	       sc->fw_cmds, sc->depth, sc->max_xfer >> 10, hv_pci_irq_mode_name(sc->irq_mode),
	       npd, max_target);
	rc = scsi_hba_attach(&sc->hba);
	if (rc < 0) {
		hv_log("megasas: %s: scan failed: %d", sc->slot, rc);
		goto cancel;
	}
	hv_log("megasas: %s: %d disks", sc->slot, rc);
	return 0;

cancel:
	sc->stopping = 1;
	/* Twice: a watchdog running on another CPU may have read stopping before it was set
	 * and re-armed itself after the first cancel unlinked it (mptsas found this). */
	hv_timer_cancel(&sc->watchdog);
	hv_timer_cancel(&sc->watchdog);
free_irq:
	hv_pci_set_drvdata(d, NULL);
	megasas_write32(sc, MFI_REG_OMSK, MFI_OMSK_DISABLE);
	hv_pci_irq_free(d);
stop:
	megasas_stop(sc);
free_mem:
	megasas_mem_free(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void megasas_remove(struct hv_pci_dev *d)
{
	struct megasas_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	scsi_hba_unregister(&sc->hba);
	sc->stopping = 1;
	/* Twice: a watchdog running on another CPU may have read stopping before it was set
	 * and re-armed itself after the first cancel unlinked it (mptsas found this). */
	hv_timer_cancel(&sc->watchdog);
	hv_timer_cancel(&sc->watchdog);
	megasas_stop(sc);
	megasas_fail_all(sc, SCSI_HOST_GONE);
	hv_pci_irq_free(d);
	/* Bus mastering off: the controller must not touch the pages freed below. */
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	scsi_hba_free(&sc->hba);
	megasas_mem_free(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_log("megasas: %s: detached (%llu completions by interrupt, %llu by polling, %llu "
	       "timeouts, %llu aborts, %llu adapter resets, %llu errors, %llu retries)",
	       sc->slot, (unsigned long long)sc->done_intr, (unsigned long long)sc->done_poll,
	       (unsigned long long)sc->timeouts, (unsigned long long)sc->aborts,
	       (unsigned long long)sc->adapter_resets, (unsigned long long)sc->hba.errors,
	       (unsigned long long)sc->hba.retries);
	hv_free(sc);
}

/*
 * MSI and MSI-X need no acknowledgement. INTx may be shared: OSTS without the reply bit is
 * someone else's interrupt; ours is cleared through ODCR0 before the reap, so a reply
 * posted meanwhile raises the line again.
 */
static void megasas_intr(void *arg, unsigned index)
{
	struct megasas_softc *sc = arg;

	(void)index;
	if (sc->irq_mode == HV_IRQ_INTX) {
		uint32_t st = megasas_read32(sc, MFI_REG_OSTS);

		if (st == 0xffffffffu ||
		    !(st & (sc->gen2 ? MFI_OSTS_GEN2_RM : MFI_OSTS_1078_RM)))
			return;
		megasas_write32(sc, MFI_REG_ODCR0, st);
	}
	megasas_complete(sc, 1);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&megasas_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&megasas_driver);
}
