/*
 * The NIC suite's long tests (shared parts in nic_suite.h):
 *
 * nic.wrap: every ring and every free-running index of both NICs wraps while contents are
 * checked. Frames each way, A to B and then B to A: four times the largest ring either
 * driver declared (hv_netdev_set_rings; a driver that declared none fails), and more than
 * 65536, where virtio's and vmxnet3's 16-bit ring indices wrap (virtio 1.1 2.6.6: idx
 * "wraps naturally at 65536"), and at least nic.wrap_frames (default 70000; the inbox
 * drivers' largest ring is the e1000's 4096 receive descriptors). Every frame is numbered and
 * checksummed, sizes vary, at most NIC_WINDOW are in flight; a direction fails on a frame
 * lost without the device counting it, corrupt or out of order, on driver counters that are
 * not exact, on the host's wire check, and on a stall: no frame received for nic.stall_ms
 * (default 2000) while frames are owed, so a queue whose doorbell is never rung fails within
 * that bound instead of hanging. The soak is in nic_suite_soak.c.
 */
#include <hv/errno.h>
#include <arch/cpu.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/log.h>
#include <kern/netdev.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/nicframe.h>

#include "nic_suite.h"

/* Size of frame k of a stream: 60..315 bytes, so every slot sees other lengths. */
static size_t nic_stream_len(uint64_t k)
{
	return 60 + (size_t)((k * 37) % 256);
}

/*
 * Why a receiver stalled, as far as the kernel can tell: with interrupts driving it, one
 * call of its poll function shows whether frames sat in its ring without an interrupt.
 */
const char *nic_stall_cause(struct hv_netdev *dst)
{
	uint64_t before = nic_rxs.frames;

	if (nic_polling || !dst->ops->poll)
		return "";
	int on = cpu_irq_save();
	dst->ops->poll(dst, 64);
	cpu_irq_restore(on);
	return nic_rxs.frames != before ? ": frames were waiting in its ring, its interrupt never came" :
	       ": its ring held nothing either";
}

/*
 * One direction: n frames src -> dst numbered from first, checked at dst (nic_rxs) and on
 * the wire. stall_us: how long no frame may arrive while frames are owed.
 */
enum ktest_status nic_stream(struct ktest_ctx *t, const char *test, struct hv_netdev *src,
			     struct hv_netdev *dst, uint32_t first, uint64_t n, uint64_t stall_us,
			     struct nic_stream_result *res)
{
	struct nic_books books;
	struct nic_wire w = { .nd = src, .first = first, .frames = 0, .bytes = 0 };
	enum ktest_status st = KTEST_PASS;

	memset(res, 0, sizeof(*res));
	if (nic_books_open(t, &books, src, dst) < 0)
		return KTEST_FAIL;
	nic_rxs.frames = nic_rxs.bad = nic_rxs.out_of_order = nic_rxs.bytes = 0;
	nic_rxs.check = 1;
	nicframe_order_start(&nic_rxs.order, first);
	if (nic_wire_begin(src, dst) < 0) {
		ktest_msg(t, "the host did not answer sync point wire-begin");
		return KTEST_ERROR;
	}
	uint64_t t0 = time_us(), progress = t0, seen = 0;
	while (w.frames < n && st == KTEST_PASS) {
		while (w.frames - nic_rxs.frames >= NIC_WINDOW) {
			nic_poll(dst);
			if (nic_rxs.frames != seen) {
				seen = nic_rxs.frames;
				progress = time_us();
			} else if (time_us() - progress > stall_us) {
				ktest_msg(t, "%s -> %s stalled: nothing received for %llu ms after %llu of %llu "
					  "frames (%llu sent)%s", src->name, dst->name,
					  (unsigned long long)stall_us / 1000, (unsigned long long)seen,
					  (unsigned long long)n, (unsigned long long)w.frames,
					  nic_stall_cause(dst));
				st = KTEST_FAIL;
				break;
			}
		}
		if (st != KTEST_PASS)
			break;
		size_t len = nic_stream_len(w.frames);
		int ret = nic_xmit(src, nic_frame, nic_build(src, dst, first + (uint32_t)w.frames, len));
		if (ret < 0) {
			ktest_msg(t, "%s: xmit of frame %llu of %llu failed (%d): the transmit ring stalled",
				  src->name, (unsigned long long)w.frames, (unsigned long long)n, ret);
			st = KTEST_FAIL;
			break;
		}
		w.frames++;
		w.bytes += len;
	}
	nic_drain(dst, w.frames);
	res->frames = nic_rxs.frames;
	res->bytes = nic_rxs.bytes;
	res->us = time_us() - t0;
	if (nic_wire_check(test, &w, 1) < 0 && st == KTEST_PASS) {
		ktest_msg(t, "the host did not answer sync point wire-check");
		st = KTEST_ERROR;
	}
	if (st == KTEST_PASS)
		st = nic_books_close(t, &books, w.frames, w.bytes, &nic_rxs, &res->missed);
	return st;
}

/* Frames each way for nic.wrap: at least asked, past the 16-bit index wrap, and more than
 * four times the largest ring. */
static uint64_t nic_wrap_count(uint64_t asked, unsigned largest_ring)
{
	uint64_t n = asked > 65536 ? asked : 65537;

	return n > 4ull * largest_ring ? n : 4ull * largest_ring + 1;
}

/* The rule above with values worked out by hand, so a change to it is seen. */
KTEST(nic, wrapcount)
{
	static const struct {
		uint64_t asked;
		unsigned ring;
		uint64_t want;
	} cases[] = {
		{ 70000, 4096, 70000 },		/* e1000: the default covers it */
		{ 70000, 32768, 131073 },	/* a 32 K ring: 4 x 32768, plus one */
		{ 1000, 256, 65537 },		/* too few asked: past 65536 anyway */
		{ 65536, 0, 65537 },
		{ 200000, 65536, 262145 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = nic_wrap_count(cases[i].asked, cases[i].ring);
		KT_CHECK(t, got == cases[i].want, "asked %llu, largest ring %u: %llu frames, not %llu",
			 (unsigned long long)cases[i].asked, cases[i].ring, (unsigned long long)got,
			 (unsigned long long)cases[i].want);
	}
	return KTEST_PASS;
}

KTEST_MANUAL(nic, wrap)
{
	struct hv_netdev *a, *b;
	const char *skip = nic_pick(t, &a, &b);
	const uint64_t asked = ktest_param_u64(t, "wrap_frames", 70000);
	const uint64_t stall = ktest_param_u64(t, "stall_ms", 2000) * 1000;
	struct nic_stream_result ab, ba;

	if (skip) {
		ktest_msg(t, "%s", skip);
		return KTEST_SKIP;
	}
	if (nic_setup(t, a, b) < 0)
		return KTEST_FAIL;
	/* After open: a driver may learn its ring sizes from the device at queue setup. */
	unsigned ra = netdev_largest_ring(a), rb = netdev_largest_ring(b);
	if (!ra || !rb) {
		ktest_msg(t, "%s's driver declared no ring sizes (hv_netdev_set_rings, DDK 2.4): the "
			  "test cannot make its rings wrap", !ra ? a->name : b->name);
		nic_teardown(a, b);
		return KTEST_FAIL;
	}
	const uint64_t n = nic_wrap_count(asked, ra > rb ? ra : rb);
	ktest_metric(t, "largest_ring", ra > rb ? ra : rb, "slots");
	klog("nic.wrap: %llu frames each way (largest ring: %s %u slots, %s %u slots)", (unsigned long long)n,
	     a->name, ra, b->name, rb);
	enum ktest_status st = nic_stream(t, "nic.wrap", a, b, 0x100000, n, stall, &ab);
	if (st == KTEST_PASS) {
		netdev_set_rx(b, 0, 0);
		if (nic_ready(t, b, a, "ready_back_us") < 0)
			st = KTEST_FAIL;
	}
	if (st == KTEST_PASS)
		st = nic_stream(t, "nic.wrap", b, a, 0x200000, n, stall, &ba);
	netdev_set_rx(a, 0, 0);
	nic_teardown(a, b);
	ktest_metric(t, "frames_ab", ab.frames, "frames");
	ktest_metric(t, "frames_ba", ba.frames, "frames");
	ktest_metric(t, "pps_ab", ab.us ? ab.frames * 1000000 / ab.us : 0, "pps");
	ktest_metric(t, "pps_ba", ba.us ? ba.frames * 1000000 / ba.us : 0, "pps");
	ktest_metric(t, "missed", ab.missed + ba.missed, "frames");
	return st;
}
