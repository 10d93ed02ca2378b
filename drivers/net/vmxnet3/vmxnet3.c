/*
 * VMware VMXNET3 paravirtual NIC driver (device revision 1, UPT 1), as emulated by QEMU's
 * vmxnet3 (PCI 15ad:07b0; MSI-X, MSI and INTx).
 *
 * probe negotiates the revision, resets the device, reads the permanent Ethernet address
 * and the link, takes one interrupt vector (MSI-X, MSI or INTx: the best the function has,
 * or what pci.irq= forces) and registers a netdev; open allocates the driver-shared area
 * and the rings and activates the device; stop quiesces and resets it and frees them;
 * remove gives the vector back. This file is the PCI glue and the netdev entry points;
 * vmxnet3_hw.c and vmxnet3_ring.c hold the device logic. Counters run from probe to
 * remove.
 */
#include "vmxnet3var.h"

HV_MODULE("vmxnet3", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(VMXNET3_VENDOR, VMXNET3_DEVICE));

static int vmxnet3_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void vmxnet3_remove(struct hv_pci_dev *d);
static int vmxnet3_open(struct hv_netdev *nd);
static void vmxnet3_stop(struct hv_netdev *nd);
static int vmxnet3_xmit(struct hv_netdev *nd, const void *frame, size_t len);
static int vmxnet3_poll(struct hv_netdev *nd, int budget);
static int vmxnet3_set_mtu(struct hv_netdev *nd, unsigned mtu);
static void vmxnet3_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s);
static void vmxnet3_intr(void *arg, unsigned index);

static struct hv_pci_driver vmxnet3_driver = {
	.name = "vmxnet3",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = vmxnet3_probe,
	.remove = vmxnet3_remove,
};

static const struct hv_netdev_ops vmxnet3_ops = {
	.open = vmxnet3_open,
	.stop = vmxnet3_stop,
	.xmit = vmxnet3_xmit,
	.poll = vmxnet3_poll,
	.set_mtu = vmxnet3_set_mtu,
	.get_stats = vmxnet3_get_stats,
};

/* BAR0 (doorbells, masks) and BAR1 (everything else) are 4 KiB memory BARs; BAR2 holds the
 * MSI-X table, which the DDK handles. */
static int vmxnet3_map(struct vmxnet3_softc *sc)
{
	sc->bar0 = hv_pci_bar(sc->pci, 0);
	sc->bar1 = hv_pci_bar(sc->pci, 1);
	if (!sc->bar0 || hv_bar_size(sc->bar0) < VMXNET3_BAR0_SIZE || !sc->bar1 ||
	    hv_bar_size(sc->bar1) < VMXNET3_BAR1_SIZE) {
		hv_log("vmxnet3: %s: BAR0 and BAR1 are not memory BARs of at least 4 KiB", sc->slot);
		return -HV_ENODEV;
	}
	return 0;
}

/* One vector for every cause (both queues and events), taken in probe and kept until
 * remove: open and stop then allocate nothing but the shared area and the rings. */
static int vmxnet3_irq_alloc(struct vmxnet3_softc *sc)
{
	int n = hv_pci_irq_alloc(sc->pci, HV_IRQ_AUTO, 1, vmxnet3_intr, sc, &sc->irq_mode);

	if (n < 0) {
		hv_log("vmxnet3: %s: no interrupt: %d", sc->slot, n);
		return n;
	}
	sc->irq_on = true;
	return 0;
}

static void vmxnet3_irq_release(struct vmxnet3_softc *sc)
{
	if (!sc->irq_on)
		return;
	hv_pci_irq_free(sc->pci);
	sc->irq_on = false;
}

static int vmxnet3_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct vmxnet3_softc *sc;
	int rc;

	(void)id;
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->pci = d;
	__builtin_memcpy(sc->slot, info.slot, sizeof(sc->slot));
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	rc = vmxnet3_map(sc);
	if (rc < 0)
		goto free_softc;
	rc = vmxnet3_hw_identify(sc);
	if (rc < 0)
		goto free_softc;
	rc = vmxnet3_hw_read_mac(sc, sc->nd.mac);
	if (rc < 0)
		goto free_softc;
	rc = vmxnet3_irq_alloc(sc);
	if (rc < 0)
		goto free_softc;

	sc->nd.mtu = HV_ETH_MTU;
	sc->nd.max_mtu = VMXNET3_MAX_MTU;
	sc->nd.link_up = vmxnet3_hw_link_up(sc);
	sc->nd.ops = &vmxnet3_ops;
	sc->nd.priv = sc;
	sc->nd.pci = d;
	hv_pci_set_drvdata(d, sc);
	rc = hv_netdev_register(&sc->nd);
	if (rc < 0) {
		hv_log("vmxnet3: %s: netdev registration failed: %d", sc->slot, rc);
		goto release_irq;
	}
	/* The receive completion ring serves both receive rings: the largest. */
	hv_netdev_set_rings(&sc->nd, VMXNET3_NTXD, VMXNET3_NRXCD);
	hv_log("vmxnet3: %s: VMXNET3 rev %u, device revision 1, UPT 1, %s, irq %s", sc->slot, info.revision, sc->nd.name,
	       hv_pci_irq_mode_name(sc->irq_mode));
	return 0;

release_irq:
	hv_pci_set_drvdata(d, NULL);
	vmxnet3_irq_release(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void vmxnet3_remove(struct hv_pci_dev *d)
{
	struct vmxnet3_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	hv_netdev_unregister(&sc->nd);	/* calls vmxnet3_stop when open */
	vmxnet3_irq_release(sc);
	vmxnet3_cmd(sc, VMXNET3_CMD_RESET_DEV);
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}

static int vmxnet3_open(struct hv_netdev *nd)
{
	struct vmxnet3_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	rc = vmxnet3_ring_alloc(sc);
	if (rc < 0)
		return rc;
	vmxnet3_cmd(sc, VMXNET3_CMD_RESET_DEV);
	vmxnet3_ring_start(sc);
	rc = vmxnet3_hw_activate(sc);
	if (rc < 0)
		goto free_rings;
	sc->polling = false;
	sc->bad_device_logs = 0;
	hv_netdev_set_running(&sc->running, true, &sc->tx_lock, &sc->rx_lock);
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	vmxnet3_hw_mask(sc, false);
	vmxnet3_hw_link_update(sc);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	hv_log("vmxnet3: %s: %s open, irq %s, mtu %u, link %s", sc->slot, nd->name,
	       hv_pci_irq_mode_name(sc->irq_mode), nd->mtu, nd->link_up ? "up" : "down");
	return 0;

free_rings:
	vmxnet3_ring_free(sc);
	return rc;
}

static void vmxnet3_stop(struct hv_netdev *nd)
{
	struct vmxnet3_softc *sc = nd->priv;

	hv_netdev_set_running(&sc->running, false, &sc->tx_lock, &sc->rx_lock);
	hv_timer_cancel(&sc->tx_timer);
	sc->tx_timer_armed = false;
	vmxnet3_hw_stop(sc);		/* no DMA, no interrupt, shared area forgotten */
	vmxnet3_ring_free(sc);
	hv_netdev_link_change(nd, false);
}

static int vmxnet3_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	struct vmxnet3_softc *sc = nd->priv;
	unsigned long fl;
	int rc;

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	rc = sc->running ? vmxnet3_tx_enqueue(sc, frame, len) : -HV_ENODEV;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return rc;
}

/*
 * The interrupt: events (link), every received frame, held-back transmit frames and
 * transmit completions; then unmask the vector, which the device masked when it fired it
 * (autoMask): anything that came in meanwhile fires it again at once. With INTx, ICR says
 * whether the line is ours, and reading it lowers the line, even while stopped or polling.
 */
static void vmxnet3_intr(void *arg, unsigned index)
{
	struct vmxnet3_softc *sc = arg;
	unsigned long fl;

	(void)index;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->irq_mode == HV_IRQ_INTX && vmxnet3_read1(sc, VMXNET3_ICR) == 0) {
		hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
		return;		/* another device on a shared line */
	}
	if (!sc->running || sc->polling) {
		hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
		return;
	}
	vmxnet3_hw_events(sc);
	vmxnet3_rx_process(sc, VMXNET3_NRXCD);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running) {
		vmxnet3_tx_flush(sc);
		vmxnet3_tx_reclaim(sc, VMXNET3_NTXD);
	}
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);

#ifndef HV_DEFECT_INTR_NOUNMASK	/* certify self-test defect: the auto-masked vector stays masked */
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running && !sc->polling)
		vmxnet3_hw_mask(sc, false);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
#endif
}

/*
 * Polling mode: the first call masks the vector, which stays masked until the next open.
 * Each call handles events, receives up to budget frames and reclaims transmitted ones
 * with what is left of the budget.
 */
static int vmxnet3_poll(struct hv_netdev *nd, int budget)
{
	struct vmxnet3_softc *sc = nd->priv;
	unsigned long fl;
	unsigned n = 0;

	if (budget <= 0)
		return 0;
	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running) {
		if (!sc->polling) {
			sc->polling = true;
			vmxnet3_hw_mask(sc, true);
		}
		vmxnet3_hw_events(sc);
		n = vmxnet3_rx_process(sc, (unsigned)budget);
	}
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->running) {
		vmxnet3_tx_flush(sc);
		if (n < (unsigned)budget)
			n += vmxnet3_tx_reclaim(sc, (unsigned)budget - n);
	}
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return (int)n;
}

/*
 * The device reads the MTU from the shared area when it is activated (the next open). The
 * receive buffers and maxNumRxSG are sized for 9000 from the start, so the new MTU holds
 * at once on our side: transmitted frames are checked against it, received ones too.
 */
static int vmxnet3_set_mtu(struct hv_netdev *nd, unsigned mtu)
{
	struct vmxnet3_softc *sc = nd->priv;
	unsigned long fl;

	if (mtu < HV_ETH_MIN_MTU || mtu > nd->max_mtu)
		return -HV_EINVAL;
	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	nd->mtu = mtu;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return 0;
}

/* Our packet and byte counts (exact, from the rings) plus the device's error counters. */
static void vmxnet3_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s)
{
	struct vmxnet3_softc *sc = nd->priv;
	struct vmxnet3_hw_errors e = { 0 };
	unsigned long fl = hv_spin_lock_irqsave(&sc->tx_lock);

	if (sc->running) {
		vmxnet3_tx_flush(sc);
		vmxnet3_tx_reclaim(sc, VMXNET3_NTXD);
	}
	s->tx_packets = sc->cnt.tx_packets;
	s->tx_bytes = sc->cnt.tx_bytes;
	s->tx_errors = sc->cnt.tx_errors;
	s->tx_dropped = sc->cnt.tx_dropped;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (sc->running)
		vmxnet3_hw_read_errors(sc, &e);
	s->tx_errors += sc->hw_base.tx_errors + e.tx_errors;
	s->tx_dropped += sc->hw_base.tx_dropped + e.tx_dropped;
	s->rx_packets = sc->cnt.rx_packets;
	s->rx_bytes = sc->cnt.rx_bytes;
	s->rx_errors = sc->cnt.rx_errors + sc->hw_base.rx_errors + e.rx_errors;
	s->rx_dropped = sc->cnt.rx_dropped + sc->hw_base.rx_dropped + e.rx_dropped;
	s->link_changes = sc->cnt.link_changes;
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&vmxnet3_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&vmxnet3_driver);
}
