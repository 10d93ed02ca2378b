/*
 * AHCI SATA driver: PCI attachment, HBA reset, the interrupt, the watchdog, and module
 * entry points. The per-port setup is in ahci_hw.c, the I/O path in ahci_ring.c.
 * Section numbers refer to Serial ATA AHCI 1.3.1.
 */
#include <hv/ddk.h>

#include "ahcivar.h"

#define AHCI_RESET_US	1000000	/* 10.4.3: GHC.HR clears within 1 s */

/* Every SATA controller in AHCI mode by class 01/06/01 (AHCI 1.3.1 2.1.2: the HBA
 * registers are the same for all vendors); ICH9's (QEMU's ich9-ahci) also by its IDs. Not
 * vendor-specific SATA (01/06/00, often IDE or RAID mode) nor IDE (01/01/xx). */
HV_MODULE("ahci", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(AHCI_VENDOR_INTEL, AHCI_DEVICE_ICH9),
	  HV_PCI_CLASS(AHCI_CLASS, 0xffffff));

static int ahci_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void ahci_remove(struct hv_pci_dev *d);
static void ahci_intr(void *arg, unsigned index);
static void ahci_watchdog(void *arg);
static int ahci_hba_reset(struct ahci_softc *sc);
static void ahci_ports_detach(struct ahci_softc *sc);

static struct hv_pci_driver ahci_driver = {
	.name = "ahci",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = ahci_probe,
	.remove = ahci_remove,
};

static int ahci_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct ahci_softc *sc;
	unsigned nports = 0;
	uint32_t pi;
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
	sc->regs = hv_pci_bar(d, AHCI_BAR);
	if (!sc->regs || hv_bar_size(sc->regs) < AHCI_PORT(1)) {
		hv_log("ahci: %s: ABAR (BAR5) is not a usable memory BAR", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = ahci_hba_reset(sc);
	if (rc < 0)
		goto free_softc;
	sc->cap = ahci_read(sc, AHCI_CAP);
	if (!(sc->cap & AHCI_CAP_S64A))
		hv_log("ahci: %s: 32-bit DMA only (DDK DMA memory is below 4 GiB)", sc->slot);
	pi = ahci_read(sc, AHCI_PI);
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
		if (!(pi & (1u << p)))
			continue;
		rc = ahci_port_attach(sc, p);
		if (rc == 0)
			nports++;
		else if (rc != -HV_ENODEV)
			hv_log("ahci: %s: port %u: attach failed: %d", sc->slot, p, rc);
	}
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, ahci_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("ahci: %s: no interrupt: %d", sc->slot, rc);
		goto detach;
	}
	hv_pci_set_drvdata(d, sc);
	ahci_write(sc, AHCI_IS, 0xffffffffu);
	ahci_write(sc, AHCI_GHC, ahci_read(sc, AHCI_GHC) | AHCI_GHC_IE);
	hv_log("ahci: %s: AHCI 0x%x, %u ports implemented (0x%x), %u slots, NCQ %s, "
	       "irq %s, %u disks", sc->slot, ahci_read(sc, AHCI_VS), AHCI_CAP_NP(sc->cap) + 1, pi,
	       AHCI_CAP_NCS(sc->cap) + 1, sc->cap & AHCI_CAP_SNCQ ? "yes" : "no",
	       hv_pci_irq_mode_name(sc->irq_mode), nports);
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
		struct ahci_port *ap = sc->ports[p];

		if (!ap)
			continue;
		rc = hv_blkdev_register(&ap->bd);
		if (rc < 0) {
			hv_log("ahci: %s: port %u: blkdev registration failed: %d", sc->slot, p, rc);
			continue;
		}
		ap->registered = 1;
		hv_log("ahci: %s: port %u is %s", sc->slot, p, ap->bd.name);
	}
	hv_timer_start(&sc->watchdog, AHCI_WATCHDOG_US, ahci_watchdog, sc);
	return 0;

detach:
	ahci_ports_detach(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void ahci_remove(struct hv_pci_dev *d)
{
	struct ahci_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	sc->stopping = 1;
	hv_timer_cancel(&sc->watchdog);
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
		if (sc->ports[p] && sc->ports[p]->registered)
			hv_blkdev_unregister(&sc->ports[p]->bd);
	ahci_write(sc, AHCI_GHC, ahci_read(sc, AHCI_GHC) & ~AHCI_GHC_IE);
	ahci_ports_detach(sc);
	hv_pci_irq_free(d);
	/* Bus mastering off: the HBA must not touch the pages the ports freed. */
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	hv_pci_set_drvdata(d, NULL);
	hv_log("ahci: %s: detached", sc->slot);
	hv_free(sc);
}

/* 10.7.2: clear each port's PxIS, then the HBA's IS bits. IS = 0 on a shared INTx line
 * means another device interrupted. */
static void ahci_intr(void *arg, unsigned index)
{
	struct ahci_softc *sc = arg;
	uint32_t is = ahci_read(sc, AHCI_IS);

	(void)index;
	if (!is)
		return;
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
		if (!(is & (1u << p)))
			continue;
		if (sc->ports[p])
			ahci_port_intr(sc->ports[p]);
		else
			hv_bar_write32(sc->regs, AHCI_PORT(p) + AHCI_PXIS, 0xffffffffu);
	}
	ahci_write(sc, AHCI_IS, is);
}

static void ahci_watchdog(void *arg)
{
	struct ahci_softc *sc = arg;
	uint64_t now = hv_time_us();

	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
		if (sc->ports[p] && !sc->ports[p]->dead)
			ahci_port_watchdog(sc->ports[p], now);
	if (!sc->stopping)
		hv_timer_start(&sc->watchdog, AHCI_WATCHDOG_US, ahci_watchdog, sc);
}

/* 10.4.3 HBA reset, then AHCI mode (3.1.2 GHC.AE) with interrupts still off. */
static int ahci_hba_reset(struct ahci_softc *sc)
{
	uint64_t t0 = hv_time_us();

	ahci_write(sc, AHCI_GHC, AHCI_GHC_AE);
	ahci_write(sc, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_HR);
	while (ahci_read(sc, AHCI_GHC) & AHCI_GHC_HR) {
		if (hv_time_us() - t0 > AHCI_RESET_US) {
			hv_log("ahci: %s: HBA reset did not complete", sc->slot);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(100);
	}
	ahci_write(sc, AHCI_GHC, AHCI_GHC_AE);
	return 0;
}

static void ahci_ports_detach(struct ahci_softc *sc)
{
	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
		if (sc->ports[p])
			ahci_port_detach(sc->ports[p]);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&ahci_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&ahci_driver);
}
