/*
 * The NIC certification suite's shared parts (nic_suite.c): the two NICs A and B, the
 * receiver that checks every frame, transmit with a bounded wait, setup and teardown, and
 * the host's view of the wire (nic_wire_*). The tests live in nic_suite.c (integrity, rate,
 * attach, link) and nic_stress.c (ring wrap, soak).
 */
#ifndef TESTS_NIC_SUITE_H
#define TESTS_NIC_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kern/ktest.h>
#include <kern/netdev.h>
#include <lib/nicframe.h>

#define NIC_MAX_FRAME	(9000 + NICFRAME_ETH_HDR)
#define NIC_WINDOW	512		/* frames in flight in nic.rate */
#define NIC_FLOW_FRAMES	128		/* nic.peer with nic.pairs: frames per flow */

struct nic_rx {
	uint64_t frames, bad, out_of_order, bytes;
	uint64_t probes;		/* probes seen: not test frames, never counted as such */
	uint64_t backward;		/* frames older than one seen before (duplicates too) */
	struct nicframe_order order;
	int check;			/* verify contents (off for the rate test) */
};


extern struct nic_rx nic_rxs;
/* nic.poll=1: drive the NICs by calling their poll function (with interrupts masked by the
 * CPU); otherwise only interrupts move frames, so a broken interrupt path fails. */
extern int nic_polling;
extern uint8_t nic_frame[NIC_MAX_FRAME];

void nic_poll(struct hv_netdev *nd);
/* A plain-form test frame src -> dst into nic_frame. Returns len. */
size_t nic_build(const struct hv_netdev *src, const struct hv_netdev *dst, uint32_t seq, size_t len);
/* The receive callback: counts, checks contents (r->check) and order into arg (a nic_rx). */
void nic_receive(struct hv_netdev *nd, const void *frame, size_t len, void *arg);
/* Find A and B. Returns 0, or a skip reason. */
const char *nic_pick(struct ktest_ctx *t, struct hv_netdev **a, struct hv_netdev **b);
/* Transmit, waiting (bounded: 1 s) while the ring is full. 0 or the driver's error. */
int nic_xmit(struct hv_netdev *nd, const void *f, size_t len);
int nic_wait_link(struct hv_netdev *nd, uint64_t us);
/* Open A and B, route B's frames to nic_rxs and wait until B hears A. 0 or an error. */
int nic_setup(struct ktest_ctx *t, struct hv_netdev *a, struct hv_netdev *b);
/* Route dst's frames to nic_rxs and probe from src until dst hears it (the time it took
 * as metric, unless NULL). 0 or an error (message set). */
int nic_ready(struct ktest_ctx *t, struct hv_netdev *src, struct hv_netdev *dst, const char *metric);
void nic_teardown(struct hv_netdev *a, struct hv_netdev *b);
/* Wait until B has seen `want` frames or nothing arrives for nic_drain_us (nic.drain_ms). */
extern uint64_t nic_drain_us;
void nic_drain(struct hv_netdev *b, uint64_t want);
int nic_wait_state(struct hv_netdev *nd, bool up, uint64_t us, uint64_t *took);
/* A `linkflap` record naming nd by MAC, then sync point (link-down, link-up) for the host. */
int nic_link_sync(const struct hv_netdev *nd, const char *point);

/* Driver counters before a phase, to check after it (nic_books_close). */
struct nic_books {
	struct hv_netdev *a, *b;
	struct hv_netdev_stats a0, b0;
};
/* 0, or -HV_ENOTSUP (message set) when a driver has no get_stats. */
int nic_books_open(struct ktest_ctx *t, struct nic_books *k, struct hv_netdev *a, struct hv_netdev *b);
/* The books after `sent` frames (`bytes`) from k->a, r as k->b's checker saw them: exact
 * driver counters, and every lost frame in k->b's missed count (*missed_out). */
enum ktest_status nic_books_close(struct ktest_ctx *t, const struct nic_books *k, uint64_t sent,
				  uint64_t bytes, const struct nic_rx *r, uint64_t *missed_out);

/*
 * The host's view of the wire (certify's wire tap on the hub's third port, docs/certify.md):
 * nic_wire_begin before a phase (sync wire-begin: the host counts from zero), then per
 * sender what it sent and nic_wire_check (one `wire` record each, sync wire-check: the host
 * compares exactly). Without a host that listens (hvktest) the sync points are answered at
 * once. Returns 0, or -HV_ETIMEDOUT when the host did not answer.
 */
struct nic_wire {
	const struct hv_netdev *nd;
	uint32_t first;		/* sequence number of its first frame */
	uint64_t frames, bytes;	/* frames the driver took (xmit returned 0) and their bytes */
	/* A round with an event (link flap, detach), where frames may die in QEMU: the
	 * receiver got `seen`, and the host wants between that and `frames` on the wire, in
	 * order and whole (certify/wire.c). 0: the wire must carry exactly `frames`. */
	int loose;
	uint64_t seen;
};
int nic_wire_begin(struct hv_netdev *a, struct hv_netdev *b);
int nic_wire_check(const char *test, const struct nic_wire *w, unsigned n);

/* nic_stress.c: one direction of checked traffic (nic.wrap, nic.soak). */
struct nic_stream_result {
	uint64_t frames, bytes, us;	/* received at dst, and how long it took */
	uint64_t missed;		/* frames dst's device counted missed */
};
/* ": why" for a stall message ("" when polling anyway); polls dst once. */
const char *nic_stall_cause(struct hv_netdev *dst);
enum ktest_status nic_stream(struct ktest_ctx *t, const char *test, struct hv_netdev *src,
			     struct hv_netdev *dst, uint32_t first, uint64_t n, uint64_t stall_us,
			     struct nic_stream_result *res);

#endif
