/*
 * LSI/Broadcom Fusion-MPT SAS (MPI 1.5) driver: PCI attachment, the interrupt, and module
 * entry points. IOC bring-up is in mptsas_ioc.c, SCSI IO and replies in mptsas_ring.c,
 * timeout recovery in mptsas_recover.c; the SCSI layer shared with other HBA drivers
 * (drivers/scsi, compiled in through HVM_EXTRA in the Makefile) finds the disks and turns
 * block requests into SCSI commands.
 */
#include <hv/ddk.h>

#include "mptsasvar.h"

/* The SAS parts of the MPI 1.5 family, by device ID (mptsasreg.h says why these and no
 * others); the class is not used: the same chips also ship as RAID-class functions. */
HV_MODULE("mptsas", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1064),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1068),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1068B),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1064E),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1068E),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1066E),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1064A),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1066),
	  HV_PCI_DEVICE(MPTSAS_VENDOR_LSI, MPTSAS_DEVICE_SAS1078));

static int mptsas_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void mptsas_remove(struct hv_pci_dev *d);
static void mptsas_intr(void *arg, unsigned index);

static struct hv_pci_driver mptsas_driver = {
	.name = "mptsas",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = mptsas_probe,
	.remove = mptsas_remove,
};

static const struct scsi_hba_ops mptsas_hba_ops = {
	.queue = mptsas_queue,
	.poll = mptsas_poll,
};

static void mptsas_hba_init(struct mptsas_softc *sc)
{
	struct scsi_hba *h = &sc->hba;

	h->drvname = "mptsas";
	memcpy(h->slot, sc->slot, sizeof(h->slot));
	h->ops = &mptsas_hba_ops;
	h->priv = sc;
	h->pci = sc->dev;
	h->max_target = sc->max_targets;
	h->max_lun = MPTSAS_MAX_LUNS;
	h->initiator_id = sc->max_targets;	/* the IOC's own SCSI ID is outside the range */
	h->queue_depth = sc->depth;
	h->max_xfer = MPTSAS_MAX_XFER;
}

/* The memory BAR of the registers, else the I/O BAR (MPI 1.5 3.2). */
static struct hv_bar *mptsas_regs(struct hv_pci_dev *d)
{
	struct hv_bar *b = hv_pci_bar(d, MPTSAS_BAR_MEM);

	if (b && hv_bar_size(b) >= MPTSAS_BAR_MIN_SIZE)
		return b;
	b = hv_pci_bar(d, MPTSAS_BAR_IO);
	if (b && hv_bar_size(b) >= MPTSAS_BAR_MIN_SIZE)
		return b;
	return NULL;
}

static int mptsas_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct mptsas_softc *sc;
	int rc;

	(void)id;
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->dev = d;
	for (unsigned i = 0; i + 1 < sizeof(sc->slot) && info.slot[i]; i++)
		sc->slot[i] = info.slot[i];
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MASTER);
	sc->regs = mptsas_regs(d);
	if (!sc->regs) {
		hv_log("mptsas: %s: neither BAR1 nor BAR0 holds the registers", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = mptsas_ioc_reset(sc);
	if (rc < 0)
		goto free_softc;
	rc = mptsas_ioc_facts(sc, 1);
	if (rc < 0)
		goto free_softc;
	rc = mptsas_mem_alloc(sc);
	if (rc < 0)
		goto free_softc;
	rc = mptsas_ioc_start(sc);
	if (rc < 0)
		goto stop;
	/* QEMU's model has MSI and INTx (no MSI-X); one vector completes everything. */
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, mptsas_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("mptsas: %s: no interrupt: %d", sc->slot, rc);
		goto stop;
	}
	hv_pci_set_drvdata(d, sc);
	hv_timer_start(&sc->watchdog, MPTSAS_WATCHDOG_US, mptsas_watchdog, sc);
	mptsas_hba_init(sc);
	hv_log("mptsas: %s: depth %u, %u reply frames, max %u KiB per command, irq %s; "
	       "scanning %u targets", sc->slot, sc->depth, sc->nreply, MPTSAS_MAX_XFER >> 10,
	       hv_pci_irq_mode_name(sc->irq_mode), sc->max_targets);
	rc = scsi_hba_attach(&sc->hba);
	if (rc < 0) {
		hv_log("mptsas: %s: scan failed: %d", sc->slot, rc);
		goto cancel;
	}
	hv_log("mptsas: %s: %d disks", sc->slot, rc);
	return 0;

cancel:
	sc->stopping = 1;
	mptsas_watchdog_stop(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_pci_irq_free(d);
stop:
	mptsas_ioc_stop(sc);
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	mptsas_mem_free(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void mptsas_remove(struct hv_pci_dev *d)
{
	struct mptsas_softc *sc = hv_pci_get_drvdata(d);
	unsigned long flags;

	if (!sc)
		return;
	scsi_hba_unregister(&sc->hba);
	flags = hv_spin_lock_irqsave(&sc->lock);
	sc->stopping = 1;
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	mptsas_watchdog_stop(sc);
	flags = hv_spin_lock_irqsave(&sc->lock);
	mptsas_ioc_stop(sc);
	hv_spin_unlock_irqrestore(&sc->lock, flags);
	mptsas_fail_all(sc, SCSI_HOST_GONE);
	hv_pci_irq_free(d);
	/* Bus mastering off: the IOC must not touch the pages freed below. */
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	scsi_hba_free(&sc->hba);
	mptsas_mem_free(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_log("mptsas: %s: detached (%llu completions by interrupt, %llu by polling, %llu "
	       "address replies, %llu timeouts, %llu aborts, %llu IOC resets, %llu errors, %llu "
	       "retries)", sc->slot, (unsigned long long)sc->done_intr,
	       (unsigned long long)sc->done_poll, (unsigned long long)sc->addr_replies,
	       (unsigned long long)sc->timeouts, (unsigned long long)sc->aborts,
	       (unsigned long long)sc->ioc_resets, (unsigned long long)sc->hba.errors,
	       (unsigned long long)sc->hba.retries);
	hv_free(sc);
}

/* INTx may be shared: without the reply bit it is someone else's interrupt. Draining the
 * reply post FIFO to empty is what clears the bit (MPI 1.5 3.3.5). */
static void mptsas_intr(void *arg, unsigned index)
{
	struct mptsas_softc *sc = arg;
	uint32_t his = mptsas_read32(sc, MPI_REG_HIS);

	(void)index;
	if (his == 0xffffffffu || !(his & MPI_HIS_REPLY))
		return;
	mptsas_complete(sc, 1);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&mptsas_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&mptsas_driver);
}
