/*
 * certify: the host end of NIC tests. The NIC under test is attached to a QEMU socket netdev
 * whose other end is a UDP socket here on 127.0.0.1 (one Ethernet frame per datagram): we
 * check every frame the kernel sends (sequence number and payload checksum) and send frames
 * the kernel checks. The frame format is hvkernel/tests/nic_suite.c's.
 */
#ifndef CERTIFY_PEER_H
#define CERTIFY_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strv.h"

#define PEER_MAX_FRAME	1514

struct certify_peer {
	int fd;
	uint16_t host_port, qemu_port;
	/* what arrived since peer_tx_begin */
	uint64_t rx_frames, rx_bad, rx_out_of_order, rx_foreign;
	uint32_t next_seq;
};

/* Bind the host socket and pick QEMU's port. 0 or -1 (err says why). */
int certify_peer_open(struct certify_peer *p, struct certify_err *err);
void certify_peer_close(struct certify_peer *p);
/* Append "-netdev socket,id=ID,udp=...,localaddr=..." for QEMU. */
int certify_peer_qemu_args(const struct certify_peer *p, const char *id, struct certify_strv *args);
/* Start counting the kernel's frames from sequence number first. */
void certify_peer_tx_begin(struct certify_peer *p, uint32_t first);
/* Read what has arrived (waiting up to wait_ms for more while fewer than want came). */
void certify_peer_drain(struct certify_peer *p, uint64_t want, int wait_ms);
/* Send n test frames (sequence numbers first..first+n-1, sizes cycling 60..1514). */
int certify_peer_send(struct certify_peer *p, uint32_t first, uint32_t n);
/* The frame with sequence seq and length len into buf (the kernel builds the same). */
size_t certify_peer_build(uint8_t *buf, uint32_t seq, size_t len);
/* Check a received frame: 1 ours and intact (*seq set), 0 not ours, -1 ours but corrupt. */
int certify_peer_check(const uint8_t *buf, size_t len, uint32_t *seq);

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

#endif
