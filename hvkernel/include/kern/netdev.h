/*
 * The kernel side of network devices: the registry behind the DDK's hv/netdev.h
 * (hvkernel/ddk/ddk_netdev.c calls the first group), and what the network stack and the
 * tests use to open, transmit and receive.
 */
#ifndef KERN_NETDEV_H
#define KERN_NETDEV_H

#include <hv/netdev.h>

typedef void (*netdev_rx_fn)(struct hv_netdev *nd, const void *frame, size_t len, void *arg);

/* For the DDK: name nd "vmnicN" and list it (0 or -HV_ENOMEM); unlist it (stopped first
 * when open); deliver a received frame; record a link state; publish per-queue counters. */
int netdev_add(struct hv_netdev *nd);
void netdev_remove(struct hv_netdev *nd);
void netdev_input(struct hv_netdev *nd, const void *frame, size_t len);
void netdev_link_change(struct hv_netdev *nd, bool up);
void netdev_set_queue_stats(struct hv_netdev *nd, unsigned n, const struct hv_netdev_queue_stats *qs);
void netdev_set_rings(struct hv_netdev *nd, unsigned tx_slots, unsigned rx_slots);

struct hv_netdev *netdev_first(void);
struct hv_netdev *netdev_next(struct hv_netdev *nd);
/* The name of the idx-th netdev still registered for pci (and its address in *nd), or NULL:
 * read from the kernel's own copies, never from the driver's hv_netdev, which a driver
 * that forgot to unregister has usually freed (the verifier's check at remove). */
struct hv_pci_dev;
const char *netdev_left_by(const struct hv_pci_dev *pci, unsigned idx, uintptr_t *nd);
struct hv_netdev *netdev_find(const char *name);
/* Route received frames of nd to fn (the virtual switch, a test); NULL drops them. */
void netdev_set_rx(struct hv_netdev *nd, netdev_rx_fn fn, void *arg);
int netdev_open(struct hv_netdev *nd);
void netdev_stop(struct hv_netdev *nd);
/* Transmit one frame through the driver. A frame shorter than the Ethernet header or
 * longer than the MTU allows is refused here with -HV_EINVAL (and counted as a transmit
 * error) before the driver sees it; otherwise the driver's xmit result. */
int netdev_xmit(struct hv_netdev *nd, const void *frame, size_t len);
/* The driver's counters (zero without get_stats) plus the frames netdev_xmit refused, in
 * tx_errors. */
void netdev_get_stats(struct hv_netdev *nd, struct hv_netdev_stats *st);
/* The driver's per-queue counters (hv_netdev_set_queue_stats): how many, *qs set; 0 when
 * the driver published none. */
unsigned netdev_queue_stats(struct hv_netdev *nd, const struct hv_netdev_queue_stats **qs);
/* The ring sizes the driver declared (hv_netdev_set_rings): the larger of its transmit and
 * receive slots, 0 when it declared none. */
unsigned netdev_largest_ring(struct hv_netdev *nd);
/* Frames received and dropped for want of a receiver, and link transitions seen. */
void netdev_counts(struct hv_netdev *nd, uint64_t *rx, uint64_t *dropped, uint64_t *link_changes);

#endif
