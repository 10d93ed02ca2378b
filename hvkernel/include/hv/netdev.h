/*
 * DDK: network devices. A NIC driver fills a struct hv_netdev in probe and registers it;
 * the hypervisor's network stack (the virtual switch) opens it, transmits through xmit and
 * receives every frame the driver hands to hv_netdev_rx(). Frames are whole Ethernet
 * frames without the FCS.
 */
#ifndef HV_NETDEV_H
#define HV_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/pci.h>

struct hv_netdev;

struct hv_netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
	uint64_t link_changes;
};

/* One queue pair's counters of a multiqueue NIC (frames received on RX queue N, sent on
 * TX queue N). */
struct hv_netdev_queue_stats {
	uint64_t rx_packets, tx_packets;
};

struct hv_netdev_ops {
	/* Start rings and interrupts; from now on received frames go to hv_netdev_rx(). */
	int (*open)(struct hv_netdev *nd);
	/* Stop the device: no DMA and no interrupts after it returns. */
	void (*stop)(struct hv_netdev *nd);
	/* Queue one frame (len <= mtu + 14). 0, or -HV_EAGAIN when the ring is full. The
	 * frame is copied: the caller may reuse its buffer when this returns. */
	int (*xmit)(struct hv_netdev *nd, const void *frame, size_t len);
	/* Polling mode: handle up to budget completions with interrupts off; returns how many. */
	int (*poll)(struct hv_netdev *nd, int budget);
	/* Change the MTU (68..max_mtu); 0 or -HV_EINVAL. NULL when only 1500 is supported. */
	int (*set_mtu)(struct hv_netdev *nd, unsigned mtu);
	/* Fill the driver's counters. */
	void (*get_stats)(struct hv_netdev *nd, struct hv_netdev_stats *s);
};

struct hv_netdev {
	char name[16];			/* set by the kernel at registration: "vmnicN" */
	uint8_t mac[6];
	unsigned mtu, max_mtu;
	bool link_up;			/* maintained through hv_netdev_link_change() */
	const struct hv_netdev_ops *ops;
	void *priv;			/* the driver's */
	struct hv_pci_dev *pci;		/* the function behind it */
	void *kernel_private;		/* the kernel's */
};

/* Register a probed NIC. 0 or -HV_Exxx. */
int hv_netdev_register(struct hv_netdev *nd);
/* Unregister (stops it first if open). Call from remove. */
void hv_netdev_unregister(struct hv_netdev *nd);
/* Deliver one received frame (from the interrupt handler or poll). */
void hv_netdev_rx(struct hv_netdev *nd, const void *frame, size_t len);
/* Report the link state; the kernel counts and logs transitions. */
void hv_netdev_link_change(struct hv_netdev *nd, bool up);
/* Publish per-queue counters: n entries the driver keeps up to date while open (DDK 1.1).
 * n = 0 withdraws them; call that from stop, before the memory goes. */
void hv_netdev_set_queue_stats(struct hv_netdev *nd, unsigned n,
			       const struct hv_netdev_queue_stats *qs);

#endif
