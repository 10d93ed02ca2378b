/*
 * virtio-net (VIRTIO 1.1, 5.1): one receive/transmit queue pair over the shared virtio PCI
 * transport. Every descriptor owns a fixed buffer slot in one DMA area per queue, so the
 * data path allocates nothing: transmit copies the frame behind a zeroed header (no
 * offloads), receive hands the slot's frame up and puts the slot straight back.
 * Transmit completions raise no interrupts; they are reclaimed when the ring runs dry.
 * Polling turns receive interrupts off until polling stops (a timer notices).
 * With VIRTIO_NET_F_MQ the control queue tells the device to use one pair: the
 * hypervisor transmits from one CPU and a hub or tap sends into one queue anyway.
 */
#include <hv/ddk.h>

#include "../../virtio/virtio_pci.h"
#include "virtio_netreg.h"

#define VNET_MAX_MTU		9000	/* largest MTU we size receive buffers for */
#define VNET_ETH_HLEN		18	/* Ethernet header plus one VLAN tag */
#define VNET_POLL_IDLE_US	2000	/* polling stopped: back to interrupts */
#define VNET_CTRL_TIMEOUT_US	100000
#define VNET_PAGE		4096
#define VNET_RX_ALL		(1 << 30)	/* a budget that never runs out */

HV_MODULE("virtio-net", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1000),
	  HV_PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1041));

/* A control command in DMA memory; each part gets its own descriptor (legacy devices
 * without VIRTIO_F_ANY_LAYOUT need that, 5.1.6.5). */
struct vnet_ctrl {
	uint8_t class, cmd;
	uint8_t pad0[6];
	uint16_t data;
	uint8_t pad1[6];
	uint8_t ack;
};

struct vnet_softc {
	struct virtio_pci vp;
	struct hv_netdev nd;
	struct virtq rxq, txq, ctrlq;
	struct hv_spinlock rx_lock, tx_lock;
	uint8_t *rx_bufs, *tx_bufs;	/* slot i belongs to descriptor i */
	uint64_t rx_bus, tx_bus;
	size_t rx_size, tx_size;
	unsigned slot_size, hdr_len;
	struct vnet_ctrl *ctrl;		/* control command buffer (DMA) */
	uint64_t ctrl_bus;
	bool polling;
	struct hv_timer poll_timer;
	struct hv_netdev_stats stats;
};

static int vnet_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void vnet_remove(struct hv_pci_dev *d);
static int vnet_open(struct hv_netdev *nd);
static void vnet_stop(struct hv_netdev *nd);
static int vnet_xmit(struct hv_netdev *nd, const void *frame, size_t len);
static int vnet_poll(struct hv_netdev *nd, int budget);
static int vnet_set_mtu(struct hv_netdev *nd, unsigned mtu);
static void vnet_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s);
static void vnet_intr(void *arg, unsigned what);

static struct hv_pci_driver vnet_driver = {
	.name = "virtio-net",
	.probe = vnet_probe,
	.remove = vnet_remove,
};

static const struct hv_netdev_ops vnet_ops = {
	.open = vnet_open,
	.stop = vnet_stop,
	.xmit = vnet_xmit,
	.poll = vnet_poll,
	.set_mtu = vnet_set_mtu,
	.get_stats = vnet_get_stats,
};

/* Features we can use; VIRTIO_F_VERSION_1 is the transport's business. */
static const uint64_t vnet_features =
	1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS | 1ull << VIRTIO_NET_F_MTU |
	1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_MQ | 1ull << VIRTIO_F_ANY_LAYOUT;

int hv_module_init(void)
{
	return hv_pci_register_driver(&vnet_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&vnet_driver);
}

/* 5.1.4: the MAC, read until the configuration generation is stable (2.4.1). Without
 * VIRTIO_NET_F_MAC we make up a locally administered address from the slot. */
static void vnet_read_mac(struct vnet_softc *sc)
{
	uint8_t gen;

	if (!virtio_pci_has(&sc->vp, VIRTIO_NET_F_MAC)) {
		const struct hv_pci_info *pi = &sc->vp.info;
		const uint8_t mac[6] = { 0x02, 0x00, 0x00, pi->bus, pi->dev, pi->fn };
		for (int i = 0; i < 6; i++)
			sc->nd.mac[i] = mac[i];
		return;
	}
	do {
		gen = virtio_pci_cfg_generation(&sc->vp);
		for (unsigned i = 0; i < 6; i++)
			sc->nd.mac[i] = virtio_pci_cfg_read8(&sc->vp, VIRTIO_NET_CFG_MAC + i);
	} while (gen != virtio_pci_cfg_generation(&sc->vp));
}

/* Without VIRTIO_NET_F_STATUS the link is always up (5.1.4.2). */
static bool vnet_link_is_up(struct vnet_softc *sc)
{
	if (!virtio_pci_has(&sc->vp, VIRTIO_NET_F_STATUS))
		return true;
	return virtio_pci_cfg_read16(&sc->vp, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
}

/* MTU: the device's (VIRTIO_NET_F_MTU, 5.1.4.1) up to what our buffers hold. Without it
 * any size goes through: receive slots sized for VNET_MAX_MTU take jumbo frames whole. */
static unsigned vnet_max_mtu(struct vnet_softc *sc)
{
	unsigned mtu = VNET_MAX_MTU;

	if (virtio_pci_has(&sc->vp, VIRTIO_NET_F_MTU)) {
		mtu = virtio_pci_cfg_read16(&sc->vp, VIRTIO_NET_CFG_MTU);
		if (mtu < 68)
			mtu = VNET_MAX_MTU;
	}
	return mtu > VNET_MAX_MTU ? VNET_MAX_MTU : mtu;
}

static int vnet_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	(void)id;
	struct vnet_softc *sc = hv_zalloc(sizeof(*sc));
	int ret;

	if (!sc)
		return -HV_ENOMEM;
	ret = virtio_pci_attach(&sc->vp, d);
	if (ret < 0)
		goto free_sc;
	/* Negotiate once to learn which configuration fields exist, then stay reset. */
	ret = virtio_pci_negotiate(&sc->vp, vnet_features);
	if (ret < 0)
		goto free_sc;
	vnet_read_mac(sc);
	sc->nd.max_mtu = vnet_max_mtu(sc);
	sc->nd.mtu = sc->nd.max_mtu < 1500 ? sc->nd.max_mtu : 1500;
	sc->nd.link_up = vnet_link_is_up(sc);
	virtio_pci_reset(&sc->vp);
	sc->nd.ops = &vnet_ops;
	sc->nd.priv = sc;
	sc->nd.pci = d;
	ret = hv_netdev_register(&sc->nd);
	if (ret < 0)
		goto free_sc;
	hv_pci_set_drvdata(d, sc);
	hv_log("virtio-net: %s: %s interface, %s, features %llx", sc->vp.info.slot,
	       virtio_pci_kind(&sc->vp), sc->nd.name, (unsigned long long)sc->vp.features);
	return 0;

free_sc:
	hv_log("virtio-net: %s: probe failed (%d)", sc->vp.info.slot, ret);
	hv_free(sc);
	return ret;
}

static void vnet_remove(struct hv_pci_dev *d)
{
	struct vnet_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	hv_netdev_unregister(&sc->nd);	/* stops it when open */
	virtio_pci_reset(&sc->vp);
	hv_pci_set_drvdata(d, NULL);
	hv_free(sc);
}

/* Put receive slot buf back on the ring; the device writes header and frame into it. */
static void vnet_rx_post(struct vnet_softc *sc, uint8_t *buf)
{
	struct virtq_seg seg = { sc->rx_bus + (uint64_t)(buf - sc->rx_bufs), sc->slot_size };

	virtq_add(&sc->rxq, &seg, 0, 1, buf);
}

/* Deliver up to budget received frames and repost their slots, one kick for all of them.
 * Call with rx_lock held: frames go up under it, so the receive hook must not poll this
 * device (it may transmit on it: that takes tx_lock). */
static int vnet_rx_drain(struct vnet_softc *sc, int budget)
{
	int n = 0;
	uint32_t len;
	uint8_t *buf;

	while (n < budget && (buf = virtq_get(&sc->rxq, &len)) != NULL) {
		n++;
		if (len < sc->hdr_len + 14 || len > sc->slot_size) {
			sc->stats.rx_errors++;
		} else {
			len -= sc->hdr_len;
			sc->stats.rx_packets++;
			sc->stats.rx_bytes += len;
			hv_netdev_rx(&sc->nd, buf + sc->hdr_len, len);
		}
		vnet_rx_post(sc, buf);
	}
	if (n)
		virtio_pci_kick(&sc->vp, &sc->rxq);
	return n;
}

/* Take back transmit slots the device has sent. Call with tx_lock held. */
static int vnet_tx_reclaim(struct vnet_softc *sc)
{
	int n = 0;

	while (virtq_get(&sc->txq, NULL))
		n++;
	return n;
}

static void vnet_link_set(struct vnet_softc *sc, bool up)
{
	if (up != sc->nd.link_up) {
		sc->stats.link_changes++;
		hv_netdev_link_change(&sc->nd, up);
	}
}

static void vnet_link_update(struct vnet_softc *sc)
{
	vnet_link_set(sc, vnet_link_is_up(sc));
}

static void vnet_intr(void *arg, unsigned what)
{
	struct vnet_softc *sc = arg;

	if (what & VIRTIO_PCI_ISR_CONFIG)
		vnet_link_update(sc);
	if (!(what & VIRTIO_PCI_ISR_QUEUE))
		return;
	unsigned long fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (!sc->polling)
		vnet_rx_drain(sc, VNET_RX_ALL);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
}

/* Polling stopped: turn receive interrupts back on and take what raced with that. */
static void vnet_poll_timeout(void *arg)
{
	struct vnet_softc *sc = arg;
	unsigned long fl = hv_spin_lock_irqsave(&sc->rx_lock);

	sc->polling = false;
	if (virtq_intr_enable(&sc->rxq))
		vnet_rx_drain(sc, VNET_RX_ALL);
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);
}

/* NAPI-like: with budget left over and nothing pending, interrupts come back at once;
 * otherwise they stay off and a timer restores them if the caller stops polling. */
static int vnet_poll(struct hv_netdev *nd, int budget)
{
	struct vnet_softc *sc = nd->priv;

	if (!sc->rx_bufs)
		return 0;	/* not open */
	unsigned long fl = hv_spin_lock_irqsave(&sc->rx_lock);
	if (!sc->polling) {
		sc->polling = true;
		virtq_intr_disable(&sc->rxq);
	}
	int n = vnet_rx_drain(sc, budget);
	if (n < budget && !virtq_intr_enable(&sc->rxq)) {
		sc->polling = false;
		hv_timer_cancel(&sc->poll_timer);
	} else {
		virtq_intr_disable(&sc->rxq);
		hv_timer_start(&sc->poll_timer, VNET_POLL_IDLE_US, vnet_poll_timeout, sc);
	}
	hv_spin_unlock_irqrestore(&sc->rx_lock, fl);

	fl = hv_spin_lock_irqsave(&sc->tx_lock);
	n += vnet_tx_reclaim(sc);
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return n;
}

static int vnet_xmit(struct hv_netdev *nd, const void *frame, size_t len)
{
	struct vnet_softc *sc = nd->priv;

	if (!sc->tx_bufs)
		return -HV_ENODEV;	/* not open */
	if (len < 14 || len > nd->mtu + VNET_ETH_HLEN) {
		sc->stats.tx_errors++;
		return -HV_EINVAL;
	}
	unsigned long fl = hv_spin_lock_irqsave(&sc->tx_lock);
	if (sc->txq.num_free == 0 && vnet_tx_reclaim(sc) == 0) {
		hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
		return -HV_EAGAIN;
	}
	/* The slot's header stays zero from allocation: no offloads (5.1.6.2). */
	size_t off = (size_t)virtq_next_head(&sc->txq) * sc->slot_size;
	struct virtq_seg seg = { sc->tx_bus + off, (uint32_t)(sc->hdr_len + len) };
	__builtin_memcpy(sc->tx_bufs + off + sc->hdr_len, frame, len);
	virtq_add(&sc->txq, &seg, 1, 0, sc->tx_bufs + off);
	virtio_pci_kick(&sc->vp, &sc->txq);
	sc->stats.tx_packets++;
	sc->stats.tx_bytes += len;
	hv_spin_unlock_irqrestore(&sc->tx_lock, fl);
	return 0;
}

/* 5.1.6.5: send one command with 16-bit data and wait (polling) for the device's ack.
 * Only used from open, before any traffic, so it owns the control queue. */
static int vnet_ctrl_cmd(struct vnet_softc *sc, uint8_t class, uint8_t cmd, uint16_t data)
{
	struct vnet_ctrl *c = sc->ctrl;
	struct virtq_seg segs[3] = {
		{ sc->ctrl_bus, 2 },
		{ sc->ctrl_bus + __builtin_offsetof(struct vnet_ctrl, data), 2 },
		{ sc->ctrl_bus + __builtin_offsetof(struct vnet_ctrl, ack), 1 },
	};
	uint64_t t0 = hv_time_us();

	c->class = class;
	c->cmd = cmd;
	c->data = data;
	c->ack = VIRTIO_NET_ERR;
	if (virtq_add(&sc->ctrlq, segs, 2, 1, c) < 0)
		return -HV_EBUSY;
	virtio_pci_notify(&sc->vp, &sc->ctrlq);
	while (!virtq_get(&sc->ctrlq, NULL)) {
		if (hv_time_us() - t0 > VNET_CTRL_TIMEOUT_US)
			return -HV_ETIMEDOUT;
		hv_udelay(10);
	}
	return c->ack == VIRTIO_NET_OK ? 0 : -HV_EIO;
}

/* The control queue follows the last pair (5.1.2). With VIRTIO_NET_F_MQ, enable one pair
 * (5.1.6.5.5); the device starts that way, but saying so is the documented handshake. */
static int vnet_ctrl_setup(struct vnet_softc *sc)
{
	uint16_t pairs = 1;

	if (!virtio_pci_has(&sc->vp, VIRTIO_NET_F_CTRL_VQ))
		return 0;
	if (virtio_pci_has(&sc->vp, VIRTIO_NET_F_MQ)) {
		pairs = virtio_pci_cfg_read16(&sc->vp, VIRTIO_NET_CFG_MAX_PAIRS);
		if (pairs < 1 || pairs > 0x8000)
			return -HV_EIO;
	}
	sc->ctrl = hv_dma_alloc(VNET_PAGE, &sc->ctrl_bus);
	if (!sc->ctrl)
		return -HV_ENOMEM;
	int ret = virtio_pci_queue_setup(&sc->vp, &sc->ctrlq, (uint16_t)(2u * pairs), 0);
	if (ret < 0) {
		hv_dma_free(sc->ctrl, VNET_PAGE);
		sc->ctrl = NULL;
		return ret;
	}
	virtq_intr_disable(&sc->ctrlq);
	return 0;
}

static void vnet_ctrl_free(struct vnet_softc *sc)
{
	if (!sc->ctrl)
		return;
	virtq_free(&sc->ctrlq);
	hv_dma_free(sc->ctrl, VNET_PAGE);
	sc->ctrl = NULL;
}

/* One DMA area of size slots for queue vq. */
static uint8_t *vnet_alloc_slots(struct vnet_softc *sc, struct virtq *vq, size_t *size,
				 uint64_t *bus)
{
	*size = (size_t)vq->size * sc->slot_size;
	return hv_dma_alloc(*size, bus);
}

/* 3.1.1: negotiate, interrupts, queues, receive buffers, DRIVER_OK, then the first kick. */
static int vnet_open(struct hv_netdev *nd)
{
	struct vnet_softc *sc = nd->priv;
	int ret;

	ret = virtio_pci_negotiate(&sc->vp, vnet_features);
	if (ret < 0)
		return ret;
	sc->hdr_len = sc->vp.modern ? VIRTIO_NET_HDR_LEN : VIRTIO_NET_HDR_LEN_LEGACY;
	sc->slot_size = (sc->hdr_len + nd->max_mtu + VNET_ETH_HLEN + 63) & ~63u;
	ret = virtio_pci_irq_alloc(&sc->vp, 2, vnet_intr, sc);
	if (ret < 0)
		goto reset;
	ret = virtio_pci_queue_setup(&sc->vp, &sc->rxq, VIRTIO_NET_RXQ, 0);
	if (ret < 0)
		goto free_irq;
	ret = virtio_pci_queue_setup(&sc->vp, &sc->txq, VIRTIO_NET_TXQ, 0);
	if (ret < 0)
		goto free_rxq;
	ret = vnet_ctrl_setup(sc);
	if (ret < 0)
		goto free_txq;
	ret = -HV_ENOMEM;
	sc->rx_bufs = vnet_alloc_slots(sc, &sc->rxq, &sc->rx_size, &sc->rx_bus);
	if (!sc->rx_bufs)
		goto free_ctrl;
	sc->tx_bufs = vnet_alloc_slots(sc, &sc->txq, &sc->tx_size, &sc->tx_bus);
	if (!sc->tx_bufs)
		goto free_rx_bufs;
	for (uint16_t i = 0; i < sc->rxq.size; i++)
		vnet_rx_post(sc, sc->rx_bufs + (size_t)i * sc->slot_size);
	virtq_intr_disable(&sc->txq);
	sc->polling = false;
	virtio_pci_add_status(&sc->vp, VIRTIO_STATUS_DRIVER_OK);
	if (virtio_pci_has(&sc->vp, VIRTIO_NET_F_MQ)) {
		ret = vnet_ctrl_cmd(sc, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1);
		if (ret < 0)
			goto free_tx_bufs;
	}
	virtio_pci_notify(&sc->vp, &sc->rxq);
	hv_log("virtio-net: %s: open, %s interrupts (%u vectors), queues %u/%u, header %u%s",
	       nd->name, hv_pci_irq_mode_name(sc->vp.irq_mode), sc->vp.nvec,
	       sc->rxq.size, sc->txq.size, sc->hdr_len,
	       virtio_pci_has(&sc->vp, VIRTIO_NET_F_MQ) ? ", multiqueue: 1 pair in use" : "");
	vnet_link_update(sc);
	return 0;

free_tx_bufs:
	virtio_pci_reset(&sc->vp);	/* the device owns the receive slots now */
	hv_dma_free(sc->tx_bufs, sc->tx_size);
	sc->tx_bufs = NULL;
free_rx_bufs:
	hv_dma_free(sc->rx_bufs, sc->rx_size);
	sc->rx_bufs = NULL;
free_ctrl:
	vnet_ctrl_free(sc);
free_txq:
	virtq_free(&sc->txq);
free_rxq:
	virtq_free(&sc->rxq);
free_irq:
	virtio_pci_irq_free(&sc->vp);
reset:
	virtio_pci_reset(&sc->vp);
	hv_log("virtio-net: %s: open failed (%d)", nd->name, ret);
	return ret;
}

/* The reset stops all DMA and interrupts (2.1.1) before anything is freed. */
static void vnet_stop(struct hv_netdev *nd)
{
	struct vnet_softc *sc = nd->priv;

	virtio_pci_reset(&sc->vp);
	virtio_pci_irq_free(&sc->vp);
	hv_timer_cancel(&sc->poll_timer);
	sc->polling = false;
	hv_dma_free(sc->tx_bufs, sc->tx_size);
	hv_dma_free(sc->rx_bufs, sc->rx_size);
	sc->tx_bufs = sc->rx_bufs = NULL;
	vnet_ctrl_free(sc);
	virtq_free(&sc->txq);
	virtq_free(&sc->rxq);
	vnet_link_set(sc, false);
}

static int vnet_set_mtu(struct hv_netdev *nd, unsigned mtu)
{
	if (mtu < 68 || mtu > nd->max_mtu)
		return -HV_EINVAL;
	nd->mtu = mtu;	/* receive slots are sized for max_mtu already */
	return 0;
}

static void vnet_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *s)
{
	struct vnet_softc *sc = nd->priv;

	*s = sc->stats;
}
