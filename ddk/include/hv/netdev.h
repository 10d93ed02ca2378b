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
#include <hv/lock.h>
#include <hv/pci.h>

/* Ethernet (IEEE 802.3) sizes, without the FCS, as frames cross the DDK. */
#define HV_ETH_ALEN		6	/* a MAC address */
#define HV_ETH_HLEN		14	/* destination, source, EtherType */
#define HV_ETH_VLAN_HLEN	4	/* one 802.1Q tag */
#define HV_ETH_ZLEN		60	/* the shortest frame on the wire: pad shorter ones */
#define HV_ETH_MIN_MTU		68	/* RFC 791: the least an IPv4 link may carry */
#define HV_ETH_MTU		1500	/* the default, and the MTU without set_mtu */
#define HV_ETH_JUMBO_MTU	9000	/* the jumbo MTU the inbox drivers and the tests use */
/* The longest frame xmit is given at MTU mtu (the kernel checks it before xmit), and the
 * longest a driver should pass up: a received frame may carry one VLAN tag. */
#define HV_ETH_FRAME_MAX(mtu)	((mtu) + HV_ETH_HLEN)
#define HV_ETH_RX_FRAME_MAX(mtu) ((mtu) + HV_ETH_HLEN + HV_ETH_VLAN_HLEN)

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
	/* Queue one frame. The kernel has checked HV_ETH_HLEN <= len <= HV_ETH_FRAME_MAX(mtu)
	 * (and counts the frames it refused), so the driver does not check again (DDK 1.2).
	 * 0, or -HV_EAGAIN when the ring is full. The frame is copied: the caller may reuse
	 * its buffer when this returns. */
	int (*xmit)(struct hv_netdev *nd, const void *frame, size_t len);
	/* Polling mode: handle up to budget completions with interrupts off; returns how many. */
	int (*poll)(struct hv_netdev *nd, int budget);
	/* Change the MTU (HV_ETH_MIN_MTU..max_mtu); 0 or -HV_EINVAL. NULL when only
	 * HV_ETH_MTU is supported. */
	int (*set_mtu)(struct hv_netdev *nd, unsigned mtu);
	/* Fill the driver's counters (a driver keeps a struct hv_netdev_stats of its own and
	 * copies it). */
	void (*get_stats)(struct hv_netdev *nd, struct hv_netdev_stats *s);
};

struct hv_netdev {
	char name[16];			/* set by the kernel at registration: "vmnicN" */
	uint8_t mac[HV_ETH_ALEN];
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
/*
 * Declare the largest transmit and receive rings the device uses (DDK 2.4), in slots: the
 * descriptors of a descriptor ring (a completion ring counts as a ring), or for a ring
 * of bytes the minimum-size frames it holds. Call after hv_netdev_register, at probe or,
 * when the sizes come from the device at queue setup, at open. The certification suite
 * checks contents over four times the largest ring so every ring wraps (nic.wrap), and
 * fails a NIC whose driver declared none.
 */
void hv_netdev_set_rings(struct hv_netdev *nd, unsigned tx_slots, unsigned rx_slots);

/*
 * A NIC driver's usual `running` flag (open and not stopped): transmit reads it under the
 * driver's transmit lock, the interrupt handler and poll under its receive lock. Setting
 * it under each lock in turn orders the change with everything either lock protects. The
 * locks are taken one at a time, never both. Inline (DDK 1.2), so it costs no export.
 */
static inline void hv_netdev_set_running(bool *running, bool on, struct hv_spinlock *tx_lock,
					 struct hv_spinlock *rx_lock)
{
	unsigned long fl = hv_spin_lock_irqsave(tx_lock);

	*running = on;
	hv_spin_unlock_irqrestore(tx_lock, fl);
	fl = hv_spin_lock_irqsave(rx_lock);
	*running = on;
	hv_spin_unlock_irqrestore(rx_lock, fl);
}

#endif
