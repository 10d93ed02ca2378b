/*
 * VMware PVSCSI driver: PCI attachment, the interrupt, and module entry points. Adapter
 * setup is in pvscsi_hw.c, the rings in pvscsi_ring.c, timeout recovery in
 * pvscsi_recover.c; the SCSI layer shared with other HBA drivers (drivers/scsi, compiled in
 * through HVM_EXTRA in the Makefile) finds the disks and turns block requests into SCSI
 * commands.
 */
#include <hv/ddk.h>

#include "pvscsivar.h"

HV_MODULE("pvscsi", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(PVSCSI_VENDOR_VMWARE, PVSCSI_DEVICE));

static int pvscsi_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void pvscsi_remove(struct hv_pci_dev *d);
static void pvscsi_intr(void *arg, unsigned index);

static struct hv_pci_driver pvscsi_driver = {
	.name = "pvscsi",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = pvscsi_probe,
	.remove = pvscsi_remove,
};

static const struct scsi_hba_ops pvscsi_hba_ops = {
	.queue = pvscsi_queue,
	.poll = pvscsi_poll,
};

static void pvscsi_hba_init(struct pvscsi_softc *sc)
{
	struct scsi_hba *h = &sc->hba;

	h->drvname = "pvscsi";
	memcpy(h->slot, sc->slot, sizeof(h->slot));
	h->ops = &pvscsi_hba_ops;
	h->priv = sc;
	h->pci = sc->dev;
	h->max_target = PVSCSI_MAX_TARGETS;
	h->max_lun = PVSCSI_MAX_LUNS;
	h->initiator_id = PVSCSI_MAX_TARGETS;	/* the adapter takes no target ID */
	h->queue_depth = PVSCSI_DEPTH;
	h->max_xfer = PVSCSI_MAX_XFER;
}

static int pvscsi_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct pvscsi_softc *sc;
	int rc;

	(void)id;
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->dev = d;
	for (unsigned i = 0; i + 1 < sizeof(sc->slot) && info.slot[i]; i++)
		sc->slot[i] = info.slot[i];
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, 0);
	if (!sc->regs || hv_bar_size(sc->regs) < PVSCSI_BAR0_MIN_SIZE) {
		hv_log("pvscsi: %s: BAR0 is not a usable memory BAR", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = pvscsi_mem_alloc(sc);
	if (rc < 0)
		goto free_softc;
	rc = pvscsi_start(sc);
	if (rc < 0)
		goto free_mem;
	/* QEMU's model has MSI and INTx (no MSI-X); one vector completes everything. */
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, pvscsi_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("pvscsi: %s: no interrupt: %d", sc->slot, rc);
		goto stop;
	}
	hv_pci_set_drvdata(d, sc);
	hv_timer_start(&sc->watchdog, PVSCSI_WATCHDOG_US, pvscsi_watchdog, sc);
	pvscsi_hba_init(sc);
	hv_log("pvscsi: %s: rings %u+%u pages, depth %u, max %u KiB per command, irq %s; "
	       "scanning %u targets", sc->slot, PVSCSI_REQ_PAGES, PVSCSI_CMP_PAGES, PVSCSI_DEPTH,
	       PVSCSI_MAX_XFER >> 10, hv_pci_irq_mode_name(sc->irq_mode), PVSCSI_MAX_TARGETS);
	rc = scsi_hba_attach(&sc->hba);
	if (rc < 0) {
		hv_log("pvscsi: %s: scan failed: %d", sc->slot, rc);
		goto cancel;
	}
	hv_log("pvscsi: %s: %d disks", sc->slot, rc);
	return 0;

cancel:
	sc->stopping = 1;
	/* Twice: a watchdog running on another CPU may have read stopping before it was set
	 * and re-armed itself after the first cancel unlinked it (mptsas found this). */
	hv_timer_cancel(&sc->watchdog);
	hv_timer_cancel(&sc->watchdog);
	hv_pci_set_drvdata(d, NULL);
	hv_pci_irq_free(d);
stop:
	pvscsi_stop(sc);
free_mem:
	pvscsi_mem_free(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void pvscsi_remove(struct hv_pci_dev *d)
{
	struct pvscsi_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	scsi_hba_unregister(&sc->hba);
	sc->stopping = 1;
	/* Twice: a watchdog running on another CPU may have read stopping before it was set
	 * and re-armed itself after the first cancel unlinked it (mptsas found this). */
	hv_timer_cancel(&sc->watchdog);
	hv_timer_cancel(&sc->watchdog);
	pvscsi_stop(sc);
#ifdef HV_DEFECT_HANG_REMOVE	/* certify self-test defect: remove waits forever */
	/* Waits, without a bound, for a completion interrupt from the adapter it has just
	 * reset and masked: none will come. */
	while (!(pvscsi_read32(sc, PVSCSI_REG_INTR_STATUS) & PVSCSI_INTR_CMPL_MASK))
		hv_udelay(10);
#endif
	pvscsi_fail_all(sc, SCSI_HOST_GONE);
	hv_pci_irq_free(d);
	/* Bus mastering off: the adapter must not touch the pages freed below. */
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	scsi_hba_free(&sc->hba);
	pvscsi_mem_free(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_log("pvscsi: %s: detached (%llu completions by interrupt, %llu by polling, %llu "
	       "timeouts, %llu aborts, %llu LUN resets, %llu adapter resets, %llu errors, %llu "
	       "retries)", sc->slot, (unsigned long long)sc->done_intr,
	       (unsigned long long)sc->done_poll, (unsigned long long)sc->timeouts,
	       (unsigned long long)sc->aborts, (unsigned long long)sc->dev_resets,
	       (unsigned long long)sc->adapter_resets, (unsigned long long)sc->hba.errors,
	       (unsigned long long)sc->hba.retries);
	hv_free(sc);
}

/* INTx may be shared: a zero status is someone else's interrupt. Clear, then reap, so a
 * completion posted meanwhile raises the status (and the interrupt) again. */
static void pvscsi_intr(void *arg, unsigned index)
{
	struct pvscsi_softc *sc = arg;
	uint32_t st = pvscsi_read32(sc, PVSCSI_REG_INTR_STATUS);

	(void)index;
	if (!st || st == 0xffffffffu)
		return;
	pvscsi_write32(sc, PVSCSI_REG_INTR_STATUS, st);
#ifndef HV_DEFECT_NO_INTR	/* certify self-test defect: the interrupt acknowledged, nothing reaped */
	pvscsi_complete(sc, 1);
#endif
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&pvscsi_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&pvscsi_driver);
}
