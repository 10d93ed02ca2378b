/*
 * virtio-net driver state, shared by the control path (virtio_net.c: probe, open, stop,
 * control queue) and the data path (virtio_net_ring.c: receive, transmit, interrupts, poll).
 */
#ifndef VIRTIO_NETVAR_H
#define VIRTIO_NETVAR_H

#include <hv/ddk.h>

#include "../../virtio/virtiovar.h"

struct vnet_softc;

/* Queue pairs we use at most: one per CPU the hypervisor is likely to have, and enough
 * MSI-X vectors (1 + 2 * 8 + 1) for QEMU's usual limits. */
#define VNET_MAX_PAIRS		8

/* One receive or transmit queue: the virtqueue, a lock, and one buffer slot per descriptor
 * in one DMA area, so the data path allocates nothing. */
struct vnet_queue {
	struct virtq vq;
	struct hv_spinlock lock;
	uint8_t *bufs;			/* slot i belongs to descriptor i */
	uint64_t bus;
	size_t size;
	bool polling;			/* receive: interrupts off while the caller polls */
	uint64_t bytes, errors;		/* packets are in the softc's qstats */
	/* Transmit: frames made available since the last notification, when the last frame
	 * was added, and the timer that notifies for a burst's tail (virtio_net_ring.c). */
	unsigned unkicked;
	uint64_t last_add_us, full_kick_us;
	struct hv_timer kick_timer;
	struct vnet_softc *sc;
};

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
	uint16_t max_pairs;		/* the device's max_virtqueue_pairs (1 without MQ) */
	unsigned npairs;		/* pairs in use while open; 0 when closed */
	struct vnet_queue rx[VNET_MAX_PAIRS], tx[VNET_MAX_PAIRS];	/* pair p: 2p, 2p + 1 */
	struct hv_netdev_queue_stats qstats[VNET_MAX_PAIRS];	/* published while open */
	unsigned slot_size, hdr_len;
	struct virtq ctrlq;
	struct vnet_ctrl *ctrl;		/* control command buffer (DMA) */
	uint64_t ctrl_bus;
	unsigned poll_next;		/* receive queue poll starts at, for fairness */
	struct hv_timer poll_timer;
	uint64_t link_changes;
	struct hv_netdev_stats base;	/* totals of the opens before this one */
};

/* Data path (virtio_net_ring.c). */
/* Cancel the transmit queues' kick timers (stop). */
void vnet_tx_kick_cancel(struct vnet_softc *sc);
void vnet_rx_post(struct vnet_softc *sc, struct vnet_queue *q, uint8_t *buf);
void vnet_intr(void *arg, unsigned what, int queue);
int vnet_poll(struct hv_netdev *nd, int budget);
int vnet_xmit(struct hv_netdev *nd, const void *frame, size_t len);
/* The transmit queue of a frame: a hash of its flow (see the file), so one flow keeps its
 * order. Exposed for the log and the docs' description. */
unsigned vnet_tx_pick(const struct vnet_softc *sc, const uint8_t *frame, size_t len);
bool vnet_link_is_up(struct vnet_softc *sc);
void vnet_link_update(struct vnet_softc *sc);
void vnet_link_set(struct vnet_softc *sc, bool up);

#endif
