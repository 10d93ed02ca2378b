/*
 * The virtual switch: a learning Ethernet switch inside the hypervisor. Its ports are VM
 * virtual NICs and uplinks (physical NICs through the netdev layer). Frames go to the port
 * that last sent from the destination MAC, or to every other port when unknown or
 * broadcast.
 */
#ifndef KERN_VSWITCH_H
#define KERN_VSWITCH_H

#include <stddef.h>
#include <stdint.h>
#include <hv/netdev.h>

#define VSW_MAX_PORTS	16
#define VSW_MAX_MACS	64

struct vsw_port;
typedef void (*vsw_deliver_fn)(struct vsw_port *p, const void *frame, size_t len);

struct vsw_port {
	char name[16];
	vsw_deliver_fn deliver;
	void *priv;
	struct hv_netdev *uplink;	/* set for uplink ports */
	uint64_t rx_frames, tx_frames, dropped;
};

struct vsw_port *vsw_add_port(const char *name, vsw_deliver_fn deliver, void *priv);
/* Attach a physical NIC as an uplink (opens it and takes its received frames). */
struct vsw_port *vsw_add_uplink(struct hv_netdev *nd);
void vsw_remove_port(struct vsw_port *p);
/* The port named name, or NULL. */
struct vsw_port *vsw_find_port(const char *name);
/* A frame sent by the device behind port p. */
void vsw_input(struct vsw_port *p, const void *frame, size_t len);

#endif
