/*
 * certify: the host end of NIC tests. The NIC under test is attached to a QEMU socket netdev
 * whose other end is a UDP socket here on 127.0.0.1 (one Ethernet frame per datagram), or,
 * in tap mode, to a multiqueue tap interface (tap.h) we read and write through an AF_PACKET
 * socket: we check every frame the kernel sends (sequence number and payload checksum) and
 * send frames the kernel checks. The frames are NIC test frames (lib/nicframe.h, shared with
 * the kernel's NIC suite and the guest test OS), plain or in the UDP form that lets the tap
 * (and the NIC's driver) spread flows over queues. A tap peer sends the UDP form, a new flow
 * per batch, and checks order per flow.
 */
#ifndef CERTIFY_PEER_H
#define CERTIFY_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <lib/nicframe.h>

#include "err.h"
#include "hostcheck.h"
#include "strv.h"
#include "tap.h"

#define PEER_MAX_FRAME	NICFRAME_MAX_STD
#define PEER_FLOWS	64		/* flows whose order is tracked (flow % PEER_FLOWS) */
#define PEER_SEEN_MAX	4096		/* sequence numbers checked for duplicates */

struct certify_peer {
	int fd;				/* UDP socket, or AF_PACKET socket in tap mode */
	uint16_t host_port, qemu_port;
	struct certify_tap tap;		/* tap mode when tap.nfds > 0 */
	uint32_t flow;			/* tap mode: flow of the next batch sent */
	/* what arrived since peer_tx_begin */
	uint64_t rx_frames, rx_bad, rx_out_of_order, rx_foreign, rx_dup;
	struct nicframe_order order[PEER_FLOWS];	/* per flow */
	uint8_t seen[PEER_SEEN_MAX / 8];
};

/* Bind the host socket and pick QEMU's port. 0 or -1 (err says why). */
int certify_peer_open(struct certify_peer *p, struct certify_err *err);
/* Tap mode: make a tap with `queues` queues and bind a packet socket to it. 0 or -1. */
int certify_peer_open_tap(struct certify_peer *p, unsigned queues, struct certify_err *err);
void certify_peer_close(struct certify_peer *p);
/* Append "-netdev socket,id=ID,udp=...,localaddr=..." (tap mode: "-netdev
 * tap,id=ID,fds=A:B:...,vhost=off") for QEMU. */
int certify_peer_qemu_args(const struct certify_peer *p, const char *id, struct certify_strv *args);
/* The descriptors QEMU must inherit (the tap's queue fds); 0 in UDP mode. */
unsigned certify_peer_keep_fds(const struct certify_peer *p, const int **fds);
/* Start counting the kernel's frames from sequence number first. */
void certify_peer_tx_begin(struct certify_peer *p, uint32_t first);
/* Read what has arrived (waiting up to wait_ms for more while fewer than want came). */
void certify_peer_drain(struct certify_peer *p, uint64_t want, int wait_ms);
/* Send n test frames (sequence numbers first..first+n-1, sizes cycling 60..1514). */
int certify_peer_send(struct certify_peer *p, uint32_t first, uint32_t n);

/* What the host saw of the kernel's frames, across the sync points of one boot. */
struct certify_peer_run {
	uint64_t rx_sent;		/* of our own frames, sent so far */
	int checked;			/* peer-tx-done was reached */
	char result[200];		/* "" when every frame arrived intact and in order */
};

/*
 * Act on a sync point of nic.peer / vmm.uplink: peer-tx (start listening), peer-tx-done
 * (check the 1455 frames), peer-probe (send one probe), peer-rx-N (send our next N).
 * Returns 1 when the point was one of ours, 0 otherwise.
 */
int certify_peer_sync(struct certify_peer *p, struct certify_peer_run *r, const char *point);

/* The host check peer.frames: ran when peer-tx-done was reached, ok when every frame the
 * kernel sent arrived intact and in order. */
void certify_peer_check(const struct certify_peer_run *r, struct certify_hostcheck *c);

#endif
