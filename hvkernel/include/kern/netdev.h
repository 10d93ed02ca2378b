/* The kernel side of network devices (DDK hv/netdev.h): registry, receive hook, link log. */
#ifndef KERN_NETDEV_H
#define KERN_NETDEV_H

#include <hv/netdev.h>

typedef void (*netdev_rx_fn)(struct hv_netdev *nd, const void *frame, size_t len, void *arg);

struct hv_netdev *netdev_first(void);
struct hv_netdev *netdev_next(struct hv_netdev *nd);
struct hv_netdev *netdev_find(const char *name);
/* Route received frames of nd to fn (the virtual switch, a test); NULL drops them. */
void netdev_set_rx(struct hv_netdev *nd, netdev_rx_fn fn, void *arg);
int netdev_open(struct hv_netdev *nd);
void netdev_stop(struct hv_netdev *nd);
/* Frames received and dropped for want of a receiver, and link transitions seen. */
/* The driver's per-queue counters (hv_netdev_set_queue_stats): how many, *qs set; 0 when
 * the driver published none. */
unsigned netdev_queue_stats(struct hv_netdev *nd, const struct hv_netdev_queue_stats **qs);
void netdev_counts(struct hv_netdev *nd, uint64_t *rx, uint64_t *dropped, uint64_t *link_changes);

#endif
