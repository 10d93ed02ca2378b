/*
 * Realtek RTL8139 family Fast Ethernet driver (RTL8139 to RTL8139C+, RTL8100/8101), as
 * emulated by QEMU's rtl8139 (an RTL8139C+ used in its original "C mode": four transmit
 * descriptors and a receive ring; the C+ descriptor rings are not used).
 *
 * probe resets the function, identifies the part, reads the Ethernet address, takes the
 * interrupt (INTx: the chip has no MSI capability) and registers a netdev; open allocates
 * the ring and buffers, starts the chip and unmasks the causes; stop masks them, resets the
 * chip and frees the memory; remove gives the interrupt back. This file is the PCI glue and
 * the netdev entry points; rtl8139_hw.c and rtl8139_ring.c hold the chip logic.
 * The MTU is fixed at 1500 (no set_mtu): a transmit descriptor takes at most 1792 bytes.
 */
#include "rtl8139var.h"

HV_MODULE("rtl8139", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(0x10ec, 0x8139));

static int rtl8139_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void rtl8139_remove(struct hv_pci_dev *d);
static int rtl8139_open(struct hv_netdev *nd);
static void rtl8139_stop(struct hv_netdev *nd);
static int rtl8139_xmit(struct hv_netdev *nd, const void *frame, size_t len);
static int rtl8139_poll(struct hv_netdev *nd, int budget);
static void rtl8139_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s);
static void rtl8139_intr(void *arg, unsigned index);

static struct hv_pci_driver rtl8139_driver = {
	.name = "rtl8139",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = rtl8139_probe,
	.remove = rtl8139_remove,
};

static const struct hv_netdev_ops rtl8139_ops = {
	.open = rtl8139_open,
	.stop = rtl8139_stop,
	.xmit = rtl8139_xmit,
	.poll = rtl8139_poll,
	.set_mtu = NULL,	/* only HV_ETH_MTU (hv/netdev.h) */
	.get_stats = rtl8139_get_stats,
};

/*
 * The causes we take: received frames and receive errors, transmit errors, link changes
 * (ISR bit 5, which QEMU raises on set_link), receive FIFO overflow and PCI errors. Not
 * TOK and not RXOVW (see rtl8139_ring.c).
 */
#define RTL8139_IMR_RUN	(RTL8139_INT_ROK | RTL8139_INT_RER | RTL8139_INT_TER | \
			 RTL8139_INT_LINKCHG | RTL8139_INT_FOVW | RTL8139_INT_SERR)

static int rtl8139_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct rtl8139_softc *sc;
	int n, rc;

	(void)id;
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->pci = d;
	__builtin_memcpy(sc->slot, info.slot, sizeof(sc->slot));
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, RTL8139_BAR_MMIO);
	if (!sc->regs || hv_bar_size(sc->regs) < RTL8139_BAR_MIN_SIZE) {
		hv_log("rtl8139: %s: BAR1 is not a memory BAR of at least 256 bytes", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	rc = rtl8139_hw_identify(sc);
	if (rc < 0)
		goto free_softc;
	rc = rtl8139_hw_reset(sc);
	if (rc < 0)
		goto free_softc;
	rc = rtl8139_hw_read_mac(sc, sc->nd.mac);
	if (rc < 0)
		goto free_softc;
	n = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, rtl8139_intr, sc, &sc->irq_mode);
	if (n < 0) {
		hv_log("rtl8139: %s: no interrupt: %d", sc->slot, n);
		rc = n;
		goto free_softc;
	}
	sc->irq_on = true;

	sc->nd.mtu = RTL8139_MTU;
	sc->nd.max_mtu = RTL8139_MTU;
	sc->nd.link_up = rtl8139_hw_link_up(sc);
	sc->nd.ops = &rtl8139_ops;
	sc->nd.priv = sc;
	sc->nd.pci = d;
	hv_pci_set_drvdata(d, sc);
	rc = hv_netdev_register(&sc->nd);
	if (rc < 0) {
		hv_log("rtl8139: %s: netdev registration failed: %d", sc->slot, rc);
		goto release_irq;
	}
	/* The receive ring is bytes: a minimum frame takes 64 of them (4-byte header, 60
	 * bytes, dword aligned), so 1024 such frames fill it. */
	hv_netdev_set_rings(&sc->nd, RTL8139_NTX, RTL8139_RX_RING / 64);
	hv_log("rtl8139: %s: %s rev %u, %s, irq %s", sc->slot, sc->chip, info.revision, sc->nd.name,
	       hv_pci_irq_mode_name(sc->irq_mode));
	return 0;

release_irq:
	hv_pci_set_drvdata(d, NULL);
	hv_pci_irq_free(d);
free_softc:
	hv_free(sc);
	return rc;
}

static void rtl8139_remove(struct hv_pci_dev *d)
{
	struct rtl8139_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	hv_netdev_unregister(&sc->nd);	/* calls rtl8139_stop when open */
	rtl8139_write16(sc, RTL8139_IMR, 0);
	if (sc->irq_on)
		hv_pci_irq_free(d);
	(void)rtl8139_hw_reset(sc);
#ifdef HV_DEFECT_HANG_REMOVE	/* certify self-test defect: remove waits forever */
	/* Waits for the self-clearing reset bit with the wrong polarity and no bound. */
	while (!(rtl8139_read8(sc, RTL8139_CR) & RTL8139_CR_RST))
		hv_udelay(10);
#endif
	hv_pci_set_drvdata(d, NULL);
#ifdef HV_DEFECT_LEAK_DETACH	/* certify self-test defect: the softc outlives its device */
	return;
#endif
	hv_free(sc);
}

static int rtl8139_open(struct hv_netdev *nd)
{
	struct rtl8139_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	rc = rtl8139_rx_alloc(sc);
	if (rc < 0)
		return rc;
	rc = rtl8139_tx_alloc(sc);
	if (rc < 0)
		goto free_rx;
	rc = rtl8139_hw_reset(sc);
	if (rc < 0)
		goto free_tx;
	rtl8139_hw_start(sc);
	sc->polling = false;
	sc->imr = RTL8139_IMR_RUN;
	hv_netdev_set_running(&sc->running, true, &sc->tx_lock, &sc->rx_lock);
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	rtl8139_write16(sc, RTL8139_IMR, sc->imr);
	rtl8139_hw_link_update(sc);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	hv_log("rtl8139: %s: %s open, irq %s, link %s", sc->slot, nd->name,
	       hv_pci_irq_mode_name(sc->irq_mode), nd->link_up ? "up" : "down");
	return 0;

free_tx:
	rtl8139_tx_free(sc);
free_rx:
	rtl8139_rx_free(sc);
	return rc;
}

/*
 * Mask first, so a cause raised now cannot keep a level-triggered line asserted while the
 * handler, seeing `running` false, leaves it alone. Then stop both DMA engines and reset:
 * no DMA and no interrupt after this returns.
 */
static void rtl8139_stop(struct hv_netdev *nd)
{
	struct rtl8139_softc *sc = nd->priv;
	unsigned long fl = hv_spin_lock_irqsave(&sc->rx_lock);

	rtl8139_write16(sc, RTL8139_IMR, 0);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	hv_netdev_set_running(&sc->running, false, &sc->tx_lock, &sc->rx_lock);
	rtl8139_hw_stop(sc);
	(void)rtl8139_hw_reset(sc);
	rtl8139_tx_free(sc);
	rtl8139_rx_free(sc);
	hv_netdev_link_change(nd, false);
}

static int rtl8139_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	struct rtl8139_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	rc = sc->running ? rtl8139_tx_enqueue(sc, frame, len) : -HV_ENODEV;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return rc;
}

/* Acknowledge (write 1 to clear, DS: ISR) and return the causes that were set. rx_lock held. */
static uint16_t rtl8139_ack(struct rtl8139_softc *sc)
{
	uint16_t isr = rtl8139_read16(sc, RTL8139_ISR);

	if (isr == 0xffff)
		return 0;	/* the function is gone (hot-unplug) */
	if (isr)
		rtl8139_write16(sc, RTL8139_ISR, isr);
	return isr;
}

/*
 * The interrupt: acknowledge, then receive everything in the ring, report a link change,
 * reclaim finished transmit descriptors. The acknowledgement comes first so a frame that
 * lands while we read the ring raises the line again. INTx may be shared: a status with
 * none of our causes is another device's interrupt.
 */
static void rtl8139_intr(void *arg, unsigned index)
{
	struct rtl8139_softc *sc = arg;
	unsigned long fl;
	uint16_t isr, seen = 0;

	(void)index;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (!sc->running || sc->polling) {
		hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
		return;
	}
	/* One pass: the line is level-triggered, so a cause raised after the acknowledgement
	 * keeps it asserted and the interrupt comes again after EOI; re-reading ISR here would
	 * cost an exit per interrupt that usually finds nothing. */
	isr = rtl8139_read16(sc, RTL8139_ISR);
	if (isr != 0xffff && (isr & sc->imr)) {
		rtl8139_write16(sc, RTL8139_ISR, isr);
		seen = isr;
		if (isr & RTL8139_INT_LINKCHG)
			rtl8139_hw_link_update(sc);
		if (isr & RTL8139_INT_RX_ANY)
			rtl8139_rx_process(sc, RTL8139_RX_RING);
	}
	if (seen & RTL8139_INT_SERR)
		hv_log("rtl8139: %s: PCI system error reported", sc->slot);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	if (!seen)
		return;

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running)
		rtl8139_tx_reclaim(sc);
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
}

/*
 * Polling mode: the first call masks the chip's interrupts, which stay masked until the
 * next open. Each call looks at the status (a link change shows there as when interrupts
 * are on), receives up to budget frames and reclaims transmit descriptors.
 */
static int rtl8139_poll(struct hv_netdev *nd, int budget)
{
	struct rtl8139_softc *sc = nd->priv;
	unsigned long fl;
	unsigned n = 0;

	if (budget <= 0)
		return 0;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running) {
		if (!sc->polling) {
			sc->polling = true;
			rtl8139_write16(sc, RTL8139_IMR, 0);
		}
		if (rtl8139_ack(sc) & RTL8139_INT_LINKCHG)
			rtl8139_hw_link_update(sc);
		n = rtl8139_rx_process(sc, (unsigned)budget);
	}
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running)
		n += rtl8139_tx_reclaim(sc);
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return (int)n;
}

/* Our packet and byte counts (exact, from the descriptors and the ring) plus MPC. */
static void rtl8139_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s)
{
	struct rtl8139_softc *sc = nd->priv;
	unsigned long fl = hv_spin_lock_irqsave(&sc->tx_lock);

	if (sc->running)
		rtl8139_tx_reclaim(sc);
	s->tx_packets = sc->cnt.tx_packets;
	s->tx_bytes = sc->cnt.tx_bytes;
	s->tx_errors = sc->cnt.tx_errors;
	s->tx_dropped = sc->cnt.tx_dropped;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running)
		rtl8139_hw_read_counters(sc);
	s->rx_packets = sc->cnt.rx_packets;
	s->rx_bytes = sc->cnt.rx_bytes;
	s->rx_errors = sc->cnt.rx_errors;
	s->rx_dropped = sc->cnt.rx_dropped;
	s->link_changes = sc->cnt.link_changes;
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&rtl8139_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&rtl8139_driver);
}
