/*
 * Intel e1000 family NIC driver: the copper 82540, 82544, 82545 (8254x SDM) and 82574
 * (82574 DS) parts, as emulated by QEMU's e1000, e1000-82544gc, e1000-82545em and e1000e.
 *
 * probe resets the function, reads the Ethernet address, takes one interrupt vector
 * (MSI-X, MSI or INTx: the best the function has, or what pci.irq= forces) and registers a
 * netdev; open allocates and starts the rings and unmasks the causes; stop masks them,
 * resets the function and frees the rings; remove gives the vector back. This file is the
 * PCI glue and the netdev entry points; e1000_hw.c and e1000_ring.c hold the chip logic.
 * Counters run from probe to remove.
 */
#include "e1000var.h"

#define E1000_ID(dev, chip) \
	{ 0x8086, (dev), HV_PCI_ANY, HV_PCI_ANY, 0, 0, (chip) }

/*
 * What the driver implements, and so what a part must take to be claimed: a memory BAR0
 * of at least 128 KiB, the global reset by CTRL.RST, the Ethernet address in RAL0/RAH0
 * as the part loads it from its NVM at reset (EERD as the fallback, in the 8254x layout or
 * the 82574's), a copper link through the internal PHY's auto-negotiation defaults with
 * CTRL.SLU|ASDE and nothing else, legacy descriptors, and interrupt causes in ICR (IVAR
 * and MSI-X on the 82574 only). Device IDs are those of the PCI ID database
 * (/usr/share/misc/pci.ids) and Intel's SDM/datasheet device ID tables.
 *
 * Left out, and why:
 *  - fiber and SerDes variants (82544EI 0x1009, 82545EM 0x1011, 82545GM 0x1027/0x1028,
 *    82546EB 0x1012, 82546GB 0x107a/0x107b, 82571EB 0x105f/0x1060/0x10a5, 82572EI
 *    0x107e/0x107f): their link is TBI/SerDes auto-negotiation through TXCW/RXCW, not the
 *    copper PHY defaults the driver relies on;
 *  - 82542 (0x1000) and 82543GC (0x1001, 0x1004): the 82542's older register map, and the
 *    82543's external PHY reached by MDIO bit-banged on software-defined pins;
 *  - 82541xx and 82547xx (0x1013, 0x1014, 0x1018, 0x1019, 0x101a, 0x1075-0x1078,
 *    0x107c): the IGP PHY needs its DSP initialisation before the link is reliable, their
 *    EERD has the DONE/address layout of the 8257x parts, not the 8254x one the driver
 *    uses for them, and the 82547 needs the transmit FIFO stall workaround;
 *  - dual- and quad-port 82546EB/GB (0x1010, 0x101d, 0x1079, 0x108a, 0x1099, 0x10b5) and
 *    82571EB/GB (0x105e, 0x10a0, 0x10a1, 0x10a4, 0x10bc, 0x10d5, 0x10d9, 0x10da): the
 *    second port's address is the NVM's with the last bit inverted, which the EERD
 *    fallback does not do, and the 82571 needs its TARC errata bits;
 *  - 82572EI copper (0x107d, 0x10b9): the TARC errata bits (8257x SDM) the driver does not
 *    set;
 *  - 82573E/V/L (0x108b, 0x108c, 0x109a): the management engine shares the PHY and NVM,
 *    so resets and NVM reads need the SWSM/EXTCNF ownership handshake the driver lacks;
 *  - 82583V (0x150c): outside the 8254x/82571-82574 families this table covers.
 */
HV_MODULE("e1000", "1.0", "hvkit", "BSD-2-Clause",
	  /* 82540EM desktop, 82540EM (QEMU e1000), 82540EM LOM; 82540EP mobile, desktop,
	   * mobile LP: one MAC, internal copper PHY, EERD in the 8254x layout (SDM 13.4.4). */
	  E1000_ID(0x100a, E1000_CHIP_82540),
	  E1000_ID(0x100e, E1000_CHIP_82540),
	  E1000_ID(0x1015, E1000_CHIP_82540),
	  E1000_ID(0x1016, E1000_CHIP_82540),
	  E1000_ID(0x1017, E1000_CHIP_82540),
	  E1000_ID(0x101e, E1000_CHIP_82540),
	  /* 82544EI copper, 82544GC copper (QEMU e1000-82544gc), 82544GC LOM: internal copper
	   * PHY, no EERD (the address comes from the load at reset). */
	  E1000_ID(0x1008, E1000_CHIP_82544),
	  E1000_ID(0x100c, E1000_CHIP_82544),
	  E1000_ID(0x100d, E1000_CHIP_82544),
	  /* 82545EM copper (QEMU e1000-82545em), 82545GM copper: single port, internal copper
	   * PHY, EERD in the 8254x layout. */
	  E1000_ID(0x100f, E1000_CHIP_82545),
	  E1000_ID(0x1026, E1000_CHIP_82545),
	  /* 82574L (QEMU e1000e) and its 82574LA ID: EERD, ICR and IVAR/MSI-X as the 82574 DS
	   * describes them (E1000_F_82574). */
	  E1000_ID(0x10d3, E1000_CHIP_82574),
	  E1000_ID(0x10f6, E1000_CHIP_82574));

/* Family names: the log line names the family, the PCI ID names the part. */
static const struct e1000_chip e1000_chips[] = {
	[E1000_CHIP_82540] = { 0x100e, "82540", E1000_F_EERD, HV_ETH_JUMBO_MTU },
	[E1000_CHIP_82544] = { 0x100c, "82544", 0, HV_ETH_JUMBO_MTU },
	[E1000_CHIP_82545] = { 0x100f, "82545", E1000_F_EERD, HV_ETH_JUMBO_MTU },
	[E1000_CHIP_82574] = { 0x10d3, "82574", E1000_F_EERD | E1000_F_82574, HV_ETH_JUMBO_MTU },
};
#define E1000_NCHIPS	(sizeof(e1000_chips) / sizeof(e1000_chips[0]))

static int e1000_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void e1000_remove(struct hv_pci_dev *d);
static int e1000_open(struct hv_netdev *nd);
static void e1000_stop(struct hv_netdev *nd);
static int e1000_xmit(struct hv_netdev *nd, const void *frame, size_t len);
static int e1000_poll(struct hv_netdev *nd, int budget);
static int e1000_set_mtu(struct hv_netdev *nd, unsigned mtu);
static void e1000_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s);
static void e1000_intr(void *arg, unsigned index);
static int e1000_irq_alloc(struct e1000_softc *sc);
static void e1000_irq_release(struct e1000_softc *sc);

static struct hv_pci_driver e1000_driver = {
	.name = "e1000",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = e1000_probe,
	.remove = e1000_remove,
};

static const struct hv_netdev_ops e1000_ops = {
	.open = e1000_open,
	.stop = e1000_stop,
	.xmit = e1000_xmit,
	.poll = e1000_poll,
	.set_mtu = e1000_set_mtu,
	.get_stats = e1000_get_stats,
};

/* The chip by ID table entry; a pci.bind= override passes an all-zero entry, so fall back
 * to the device ID and then to the 82540, the family's common denominator. */
static const struct e1000_chip *e1000_chip_lookup(const struct hv_pci_id *id, uint16_t device)
{
	if (id->vendor == 0x8086 && id->driver_data < E1000_NCHIPS)
		return &e1000_chips[id->driver_data];
	for (unsigned i = 0; i < E1000_NCHIPS; i++)
		if (e1000_chips[i].device == device)
			return &e1000_chips[i];
	return &e1000_chips[E1000_CHIP_82540];
}

static int e1000_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct e1000_softc *sc;
	int rc;

	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
#ifdef HV_DEFECT_LEAK_PAGE	/* certify self-test defect: one DMA page lost per probe */
	{
		uint64_t bus;
		(void)hv_dma_alloc_coherent(d, HV_PAGE_SIZE, &bus);
	}
#endif
#ifdef HV_DEFECT_LEAK_CACHE	/* verifier defect: a block kept in a static across remove */
	{
		static void *e1000_cache;
		if (!e1000_cache)
			e1000_cache = hv_malloc(64);
	}
#endif
	sc->pci = d;
#ifdef HV_DEFECT_PROBE_HANG	/* containment self-test: probe waits forever, interrupts off */
	{
		static struct hv_spinlock e1000_defect_lock = HV_SPINLOCK_INIT;

		hv_spin_lock_irqsave(&e1000_defect_lock);
		for (;;)
			hv_udelay(10);
	}
#endif
	sc->chip = e1000_chip_lookup(id, info.device);
	e1000_memcpy(sc->slot, info.slot, sizeof(sc->slot));
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, 0);
	if (!sc->regs || hv_bar_size(sc->regs) < E1000_BAR0_MIN_SIZE) {
		hv_log("e1000: %s: BAR0 is not a memory BAR of at least 128 KiB", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = e1000_hw_reset(sc);
	if (rc < 0)
		goto free_softc;
	rc = e1000_hw_read_mac(sc, sc->nd.mac);
	if (rc < 0)
		goto free_softc;
	e1000_hw_report_nvm_version(sc);
	rc = e1000_irq_alloc(sc);
	if (rc < 0)
		goto free_softc;

	sc->nd.mtu = HV_ETH_MTU;
	sc->nd.max_mtu = sc->chip->max_mtu;
	sc->nd.link_up = (e1000_read(sc, E1000_STATUS) & E1000_STATUS_LU) != 0;
	sc->nd.ops = &e1000_ops;
	sc->nd.priv = sc;
	sc->nd.pci = d;
	hv_pci_set_drvdata(d, sc);
	rc = hv_netdev_register(&sc->nd);
	if (rc < 0) {
		hv_log("e1000: %s: netdev registration failed: %d", sc->slot, rc);
		goto release_irq;
	}
#ifndef HV_DEFECT_NO_RINGS	/* defect e1000-no-rings: ring sizes never declared */
	hv_netdev_set_rings(&sc->nd, E1000_NTXD, E1000_NRXD);
#endif
#ifdef HV_DEFECT_PROBE_HANG_LATE	/* containment self-test: hang with a netdev registered */
	for (;;)
		hv_udelay(10);
#endif
	hv_log("e1000: %s: %s family (8086:%04x) rev %u, %s, irq %s", sc->slot, sc->chip->name,
	       info.device, info.revision, sc->nd.name, hv_pci_irq_mode_name(sc->irq_mode));
	return 0;

release_irq:
	hv_pci_set_drvdata(d, NULL);
	e1000_irq_release(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void e1000_remove(struct hv_pci_dev *d)
{
	struct e1000_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
#ifndef HV_DEFECT_NETDEV_AFTER_REMOVE	/* verifier defect: vmnicN outlives remove */
	hv_netdev_unregister(&sc->nd);	/* calls e1000_stop when open */
#endif
	e1000_irq_release(sc);
	(void)e1000_hw_reset(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}

/*
 * One vector for every cause, taken in probe and kept until remove: open and stop then
 * allocate nothing but the rings, and remove knows whether MSI-X messages were sent (see
 * e1000_irq_release).
 */
static int e1000_irq_alloc(struct e1000_softc *sc)
{
	int n = hv_pci_irq_alloc(sc->pci, HV_IRQ_AUTO, 1, e1000_intr, sc, &sc->irq_mode);

	if (n < 0) {
		hv_log("e1000: %s: no interrupt: %d", sc->slot, n);
		return n;
	}
	sc->irq_on = true;
	return 0;
}

/*
 * The causes to enable at open. On the 82574 in MSI-X mode they are routed through IVAR
 * (DS 10.2.4.9): receive queue 0, transmit queue 0 and "other" (link) to vector 0; the
 * reset before every open clears IVAR.
 */
static void e1000_irq_program(struct e1000_softc *sc)
{
	sc->ims = E1000_ICR_LSC | E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | E1000_ICR_RXSEQ;
	if (sc->irq_mode == HV_IRQ_MSIX) {
		e1000_write(sc, E1000_IVAR, E1000_IVAR_RXQ0(0) | E1000_IVAR_TXQ0(0) | E1000_IVAR_OTHER(0));
		sc->ims |= E1000_ICR_RXQ0 | E1000_ICR_OTHER;
		sc->msix_used = true;
	}
}

/*
 * QEMU 7.2's e1000e throttles every MSI-X message (EITR at least 500, i.e. 128 us,
 * whatever we write) and asserts if that timer fires once MSI-X is off: when messages may
 * have been sent, let a pending throttle timer run out, causes masked, before turning
 * MSI-X off.
 */
static void e1000_irq_release(struct e1000_softc *sc)
{
	if (!sc->irq_on)
		return;
	e1000_write(sc, E1000_IMC, E1000_IMS_ALL);
	if (sc->msix_used)
		hv_udelay(E1000_MSIX_QUIESCE_US);
	hv_pci_irq_free(sc->pci);
	sc->irq_on = false;
}

static int e1000_open(struct hv_netdev *nd)
{
	struct e1000_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	rc = e1000_ring_alloc(sc);
	if (rc < 0)
		return rc;
	rc = e1000_hw_reset(sc);
	if (rc < 0)
		goto free_rings;
	e1000_hw_init(sc);
	e1000_irq_program(sc);
	sc->polling = false;
	e1000_ring_start(sc);
	hv_netdev_set_running(&sc->running, true, &sc->tx_lock, &sc->rx_lock);
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	e1000_write(sc, E1000_IMS, sc->ims);
	e1000_hw_link_update(sc);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	hv_log("e1000: %s: %s open, irq %s, link %s", sc->slot, nd->name,
	       hv_pci_irq_mode_name(sc->irq_mode), nd->link_up ? "up" : "down");
	return 0;

free_rings:
	e1000_ring_free(sc);
	return rc;
}

static void e1000_stop(struct hv_netdev *nd)
{
	struct e1000_softc *sc = nd->priv;

	hv_netdev_set_running(&sc->running, false, &sc->tx_lock, &sc->rx_lock);
	e1000_hw_stop(sc);
	hv_timer_cancel(&sc->tx_timer);
	sc->tx_timer_armed = false;
	(void)e1000_hw_reset(sc);	/* no DMA and no interrupt after this */
	e1000_ring_free(sc);
	hv_netdev_link_change(nd, false);
}

static int e1000_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	struct e1000_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	rc = sc->running ? e1000_tx_enqueue(sc, frame, len) : -HV_ENODEV;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return rc;
}

/*
 * The cause register (SDM 13.4.17) clears on read, except on the 82574 in MSI-X mode,
 * where it must be written back (DS 10.2.4.1). Returns the causes, 0 when none.
 */
static uint32_t e1000_ack(struct e1000_softc *sc)
{
	uint32_t icr = e1000_read(sc, E1000_ICR);

	if (icr && (sc->chip->flags & E1000_F_82574))
		e1000_write(sc, E1000_ICR, icr);
	return icr;
}

/*
 * The interrupt: receive everything that arrived, report link changes, push out transmit
 * frames the doorbell batching held back. A zero cause on a shared INTx line is another
 * device's interrupt.
 */
static void e1000_intr(void *arg, unsigned index)
{
	struct e1000_softc *sc = arg;
	unsigned long fl;
	uint32_t icr, seen;

	(void)index;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (!sc->running || sc->polling) {
		hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
		return;
	}
	icr = e1000_ack(sc);
	if (icr == 0) {
		hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
		return;
	}
	seen = icr;
	if (icr & E1000_ICR_LSC)
		e1000_hw_link_update(sc);
	/* Frames that arrive while we work raise no interrupt until QEMU's mitigation
	 * window (at least 128 us) ends: look again while the cause says more came. */
	for (unsigned k = 0; k < E1000_INTR_ROUNDS; k++) {
		e1000_rx_process(sc, E1000_NRXD);
		icr = e1000_ack(sc);
		seen |= icr;
		if (icr & E1000_ICR_LSC)
			e1000_hw_link_update(sc);
		if (!(icr & E1000_ICR_RX_ANY))
			break;
	}
	/* Out of rounds with a receive cause just read (and so cleared): the frames behind it
	 * would wait for the next frame's interrupt, which a sender waiting for them never
	 * sends. Set the cause again (ICS, SDM 13.4.19) so the device interrupts once more. */
	if (icr & E1000_ICR_RX_ANY)
		e1000_write(sc, E1000_ICS, icr & E1000_ICR_RX_ANY);
	/* The 82574 masks "other" once it fired in MSI-X mode (DS 7.4.3): re-arm it. */
	if (sc->irq_mode == HV_IRQ_MSIX && (seen & (E1000_ICR_OTHER | E1000_ICR_LSC)))
		e1000_write(sc, E1000_IMS, sc->ims);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running)
		e1000_tx_flush(sc);
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
}

/*
 * Polling mode: the first call masks the device's interrupts, which stay masked until the
 * next open. Each call receives up to budget frames, reclaims transmitted ones with what is
 * left of the budget, and checks the link.
 */
static int e1000_poll(struct hv_netdev *nd, int budget)
{
	struct e1000_softc *sc = nd->priv;
	unsigned long fl;
	unsigned n = 0;

	if (budget <= 0)
		return 0;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running) {
		if (!sc->polling) {
			sc->polling = true;
			e1000_write(sc, E1000_IMC, E1000_IMS_ALL);
		}
		if (e1000_ack(sc) & E1000_ICR_LSC)
			e1000_hw_link_update(sc);
		n = e1000_rx_process(sc, (unsigned)budget);
	}
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running) {
		e1000_tx_flush(sc);
		n += e1000_tx_reclaim(sc, (unsigned)budget - n);
	}
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return (int)n;
}

/*
 * Frames above 1522 bytes need RCTL.LPE (SDM 13.4.22). RCTL is rewritten only when LPE
 * changes: QEMU's e1000 holds receive for about a second after every RCTL write.
 */
static int e1000_set_mtu(struct hv_netdev *nd, unsigned mtu)
{
	struct e1000_softc *sc = nd->priv;
	unsigned long fl;

	if (mtu < HV_ETH_MIN_MTU || mtu > nd->max_mtu)
		return -HV_EINVAL;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	nd->mtu = mtu;
	if (sc->running && e1000_hw_rctl(sc) != sc->rctl) {
		sc->rctl = e1000_hw_rctl(sc);
		e1000_write(sc, E1000_RCTL, sc->rctl);
	}
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	return 0;
}

/* Our packet and byte counts (exact, from the rings) plus the device's error counters. */
static void e1000_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s)
{
	struct e1000_softc *sc = nd->priv;
	unsigned long fl = hv_spin_lock_irqsave(&sc->tx_lock);

	if (sc->running) {
		e1000_tx_flush(sc);
		e1000_tx_reclaim(sc, E1000_NTXD);
	}
	s->tx_packets = sc->cnt.tx_packets;
	s->tx_bytes = sc->cnt.tx_bytes;
	s->tx_errors = sc->cnt.tx_errors;
	s->tx_dropped = sc->cnt.tx_dropped;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running)
		e1000_hw_read_counters(sc);
	s->tx_errors += sc->hw_tx_errors;
	s->rx_packets = sc->cnt.rx_packets;
	s->rx_bytes = sc->cnt.rx_bytes;
	s->rx_errors = sc->cnt.rx_errors;
	s->rx_dropped = sc->cnt.rx_dropped;
	s->link_changes = sc->cnt.link_changes;
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&e1000_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&e1000_driver);
}
