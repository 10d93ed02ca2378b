/*
 * vmxnet3 device control: the command register, revision negotiation, the MAC address,
 * link state and events, the driver-shared area and its activation, quiescing, and the
 * device's counters. No ring handling here (vmxnet3_ring.c) and no PCI glue (vmxnet3.c).
 */
#include "vmxnet3var.h"

#define VMXNET3_BAD_DEVICE_LOGS	8	/* malformed-completion lines per open */

/*
 * A command whose result we need (a "get" command's answer, ACTIVATE_DEV's status): write
 * it to CMD and read CMD back. The pair must not interleave with another context's.
 */
uint32_t vmxnet3_cmd_get(struct vmxnet3_softc *sc, uint32_t cmd)
{
	unsigned long fl = hv_spin_lock_irqsave(&sc->cmd_lock);
	uint32_t v;

	vmxnet3_write1(sc, VMXNET3_CMD, cmd);
	v = vmxnet3_read1(sc, VMXNET3_CMD);
	hv_spin_unlock_irqrestore(&sc->cmd_lock, fl);
	return v;
}

/* A command that only makes the device act (RESET_DEV, QUIESCE_DEV, GET_STATS, ...): the
 * write completes it; QEMU has no result for some of them and complains when asked. */
void vmxnet3_cmd(struct vmxnet3_softc *sc, uint32_t cmd)
{
	unsigned long fl = hv_spin_lock_irqsave(&sc->cmd_lock);

	vmxnet3_write1(sc, VMXNET3_CMD, cmd);
	hv_spin_unlock_irqrestore(&sc->cmd_lock, fl);
}

/*
 * Revision negotiation: VRRS and UVRS report the device revisions and UPT versions the
 * device implements as bit masks; the driver selects one by writing its bit back. We
 * speak revision 1 and UPT 1, the only ones whose layouts vmxnet3reg.h describes. Then
 * RESET_DEV drops whatever a previous owner left (an active shared area, masks).
 */
int vmxnet3_hw_identify(struct vmxnet3_softc *sc)
{
	uint32_t rev = vmxnet3_read1(sc, VMXNET3_VRRS), upt;

	if (rev == 0xffffffffu) {
		hv_log("vmxnet3: %s: registers read all ones: the device does not answer", sc->slot);
		return -HV_ENODEV;
	}
	if (!(rev & VMXNET3_REV1)) {
		hv_log("vmxnet3: %s: device offers revisions 0x%x, not revision 1", sc->slot, rev);
		return -HV_ENODEV;
	}
	vmxnet3_write1(sc, VMXNET3_VRRS, VMXNET3_REV1);
	upt = vmxnet3_read1(sc, VMXNET3_UVRS);
	if (!(upt & VMXNET3_UPT1)) {
		hv_log("vmxnet3: %s: device offers UPT versions 0x%x, not version 1", sc->slot, upt);
		return -HV_ENODEV;
	}
	vmxnet3_write1(sc, VMXNET3_UVRS, VMXNET3_UPT1);
	vmxnet3_cmd(sc, VMXNET3_CMD_RESET_DEV);
	return 0;
}

static bool vmxnet3_mac_valid(const uint8_t mac[6])
{
	unsigned or = 0;

	for (int i = 0; i < 6; i++)
		or |= mac[i];
	return or != 0 && !(mac[0] & 1);	/* not zero, not multicast */
}

/* The permanent address (GET_PERM_MAC_LO: bytes 0..3, _HI: bytes 4..5, little-endian). */
int vmxnet3_hw_read_mac(struct vmxnet3_softc *sc, uint8_t mac[6])
{
	uint32_t lo = vmxnet3_cmd_get(sc, VMXNET3_CMD_GET_PERM_MAC_LO);
	uint32_t hi = vmxnet3_cmd_get(sc, VMXNET3_CMD_GET_PERM_MAC_HI);

	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
	if (!vmxnet3_mac_valid(mac)) {
		hv_log("vmxnet3: %s: permanent MAC %08x:%04x is not a unicast address", sc->slot, lo,
		       hi & 0xffff);
		return -HV_ENODEV;
	}
	return 0;
}

/* GET_LINK: bit 0 up; all ones is a device that went away, which has no link. */
bool vmxnet3_hw_link_up(struct vmxnet3_softc *sc)
{
	uint32_t v = vmxnet3_cmd_get(sc, VMXNET3_CMD_GET_LINK);

	return v != 0xffffffffu && (v & VMXNET3_LINK_UP);
}

/* Report the link to the netdev layer. rx_lock held. */
void vmxnet3_hw_link_update(struct vmxnet3_softc *sc)
{
	bool up = vmxnet3_hw_link_up(sc);

	if (up != sc->nd.link_up)
		sc->cnt.link_changes++;
	hv_netdev_link_change(&sc->nd, up);
}

/* A completion that breaks the ring protocol: log it (a few times per open), never trust it. */
void vmxnet3_bad_device(struct vmxnet3_softc *sc, const char *what, unsigned a, unsigned b)
{
	if (sc->bad_device_logs < VMXNET3_BAD_DEVICE_LOGS) {
		sc->bad_device_logs++;
		hv_log("vmxnet3: %s: malformed device behaviour: %s (%u, %u)", sc->slot, what, a, b);
	}
}

/*
 * The event interrupt's causes are in shared->ecr, set by the device; writing them to ECR
 * acknowledges them (the device clears those bits). A link change is read with GET_LINK;
 * a stopped queue is reported by GET_QUEUE_STATUS in the queue descriptors. rx_lock held.
 */
void vmxnet3_hw_events(struct vmxnet3_softc *sc)
{
	uint32_t ecr = sc->shared->ecr;

	if (!ecr)
		return;
	vmxnet3_write1(sc, VMXNET3_ECR, ecr);
	if (ecr & VMXNET3_ECR_LINK)
		vmxnet3_hw_link_update(sc);
	if (ecr & (VMXNET3_ECR_TQERR | VMXNET3_ECR_RQERR)) {
		vmxnet3_cmd(sc, VMXNET3_CMD_GET_QUEUE_STATUS);
		hv_log("vmxnet3: %s: queue error event: tx %s (0x%x), rx %s (0x%x)", sc->slot,
		       sc->tqd->status.stopped ? "stopped" : "running", sc->tqd->status.error,
		       sc->rqd->status.stopped ? "stopped" : "running", sc->rqd->status.error);
		sc->cnt.rx_errors++;
	}
}

/*
 * Fill the driver-shared area (read by the device at ACTIVATE_DEV) and the queue
 * descriptors after it: one transmit and one receive queue, every cause on vector 0, which
 * the device masks each time it fires it (autoMask) until the handler unmasks it; no
 * offloads; promiscuous receive, since the NIC is an uplink of the virtual switch and must
 * see its guests' frames. The rings are in place (vmxnet3_ring_start).
 */
void vmxnet3_hw_init_shared(struct vmxnet3_softc *sc)
{
	volatile struct vmxnet3_shared *sh = sc->shared;
	volatile struct vmxnet3_tx_queue_desc *tq = sc->tqd;
	volatile struct vmxnet3_rx_queue_desc *rq = sc->rqd;

	sh->magic = VMXNET3_REV1_MAGIC;
	sh->misc.drv_version = VMXNET3_DRV_VERSION;
	sh->misc.gos = VMXNET3_GOS_BITS_64 | VMXNET3_GOS_TYPE_UNK;
	sh->misc.rev_spt = VMXNET3_REV1;
	sh->misc.upt_spt = VMXNET3_UPT1;
	sh->misc.upt_features = 0;
#ifdef HV_DEFECT_DMA_FOREIGN	/* verifier defect: every adapter's driver-data area is the first one's page */
	static uint64_t vmxnet3_defect_dd;	/* cached at the first probe, shared by all adapters */
	if (!vmxnet3_defect_dd)
		vmxnet3_defect_dd = sc->shpage_bus;
	sh->misc.dd_pa = hv_dma_addr(sc->pci, vmxnet3_defect_dd, 64);
	sh->misc.dd_len = 64;
#endif
	sh->misc.queue_desc_pa = hv_dma_addr(sc->pci, sc->shpage_bus + VMXNET3_QD_OFF, sizeof(*tq) + sizeof(*rq));
	sh->misc.queue_desc_len = sizeof(*tq) + sizeof(*rq);
	sh->misc.mtu = sc->nd.mtu;
	sh->misc.max_rx_sg = VMXNET3_RX_MAX_SG;
	sh->misc.num_tx_queues = 1;
	sh->misc.num_rx_queues = 1;
	sh->intr.auto_mask = 1;
	sh->intr.num_intrs = 1;
	sh->intr.event_intr_idx = 0;
	for (unsigned i = 0; i < VMXNET3_MAX_INTRS; i++)
		sh->intr.mod_levels[i] = VMXNET3_IML_NONE;
	sh->intr.intr_ctrl = VMXNET3_IC_DISABLE_ALL;	/* until open unmasks */
	sh->rx_filter.rx_mode = VMXNET3_RXM_UCAST | VMXNET3_RXM_BCAST | VMXNET3_RXM_ALL_MULTI |
				VMXNET3_RXM_PROMISC;
	sh->ecr = 0;

	tq->tx_num_deferred = 0;
	tq->tx_ring_pa = hv_dma_addr(sc->pci, sc->tx_ring_bus, VMXNET3_TX_RING_BYTES);
	tq->comp_ring_pa = hv_dma_addr(sc->pci, sc->tx_comp_bus, VMXNET3_TX_COMP_BYTES);
	tq->tx_ring_size = VMXNET3_NTXD;
	tq->comp_ring_size = VMXNET3_NTXD;
	tq->intr_idx = 0;
	rq->rx_ring_pa[0] = hv_dma_addr(sc->pci, sc->rx_ring_bus[0], vmxnet3_rx_ring_bytes(0));
	rq->rx_ring_pa[1] = hv_dma_addr(sc->pci, sc->rx_ring_bus[1], vmxnet3_rx_ring_bytes(1));
	rq->comp_ring_pa = hv_dma_addr(sc->pci, sc->rx_comp_bus, VMXNET3_RX_COMP_BYTES);
	rq->rx_ring_size[0] = VMXNET3_NRXD0;
	rq->rx_ring_size[1] = VMXNET3_NRXD1;
	rq->comp_ring_size = VMXNET3_NRXCD;
	rq->intr_idx = 0;
}

/* Hand the shared area to the device (DSAL, then DSAH) and activate it; 0 or -HV_EIO. */
int vmxnet3_hw_activate(struct vmxnet3_softc *sc)
{
	uint32_t st;

	hv_wmb();	/* the shared area and the rings before the device reads them */
	uint64_t shared = hv_dma_addr(sc->pci, sc->shpage_bus, sizeof(struct vmxnet3_shared));
	vmxnet3_write1(sc, VMXNET3_DSAL, (uint32_t)shared);
	vmxnet3_write1(sc, VMXNET3_DSAH, (uint32_t)(shared >> 32));
	st = vmxnet3_cmd_get(sc, VMXNET3_CMD_ACTIVATE_DEV);
	if (st != 0) {
		hv_log("vmxnet3: %s: the device refused activation (status 0x%x)", sc->slot, st);
		vmxnet3_cmd(sc, VMXNET3_CMD_RESET_DEV);
		return -HV_EIO;
	}
	return 0;
}

/* Mask or unmask vector 0 (IMR; the device ignores it while not active). */
void vmxnet3_hw_mask(struct vmxnet3_softc *sc, bool masked)
{
	sc->shared->intr.intr_ctrl = masked ? VMXNET3_IC_DISABLE_ALL : 0;
	vmxnet3_write0(sc, VMXNET3_IMR(0), masked ? 1 : 0);
}

/* The device's error counters since activation (GET_STATS fills the queue descriptors). */
void vmxnet3_hw_read_errors(struct vmxnet3_softc *sc, struct vmxnet3_hw_errors *e)
{
	vmxnet3_cmd(sc, VMXNET3_CMD_GET_STATS);
	hv_rmb();
	e->tx_errors = sc->tqd->stats.errors;
	e->tx_dropped = sc->tqd->stats.discards;
	e->rx_errors = sc->rqd->stats.errors;
	e->rx_dropped = sc->rqd->stats.out_of_buf;
}

/*
 * Stop the device: mask the vector; with INTx, read ICR so the device lets go of a line it
 * may hold (a reset forgets the line without lowering it); keep the counters; QUIESCE_DEV
 * ends all DMA and interrupts; RESET_DEV makes the device forget the shared area, so no
 * event (a link change) is written into it once it is freed.
 */
void vmxnet3_hw_stop(struct vmxnet3_softc *sc)
{
	struct vmxnet3_hw_errors e;
	unsigned long fl = hv_spin_lock_irqsave(&sc->rx_lock);	/* get_stats reads hw_base */

	vmxnet3_hw_mask(sc, true);
	if (sc->irq_mode == HV_IRQ_INTX)
		(void)vmxnet3_read1(sc, VMXNET3_ICR);
	vmxnet3_hw_read_errors(sc, &e);
	sc->hw_base.tx_errors += e.tx_errors;
	sc->hw_base.tx_dropped += e.tx_dropped;
	sc->hw_base.rx_errors += e.rx_errors;
	sc->hw_base.rx_dropped += e.rx_dropped;
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
	vmxnet3_cmd(sc, VMXNET3_CMD_QUIESCE_DEV);
	vmxnet3_cmd(sc, VMXNET3_CMD_RESET_DEV);
}
