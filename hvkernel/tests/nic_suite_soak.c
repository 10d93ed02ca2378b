/*
 * The NIC suite's soak (nic.soak), the last NIC test of a boot: tests run in the order of
 * the .ktests section, which is link order, and this file sorts after nic_suite.c and
 * nic_stress.c (mk/kernel.mk takes them in name order), so a plan's configuration ends with
 * it, after every other NIC test has left the pair as it found it.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/netdev.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/nicframe.h>

#include "nic_suite.h"

/*
 * nic.soak: nic.soak_s seconds (default 60) of traffic both ways at once, as fast as the
 * drivers take it (at most NIC_WINDOW frames in flight each way), contents and order checked
 * by both receivers. The time goes in rounds of nic.soak_round_ms (default 1000): a plain
 * round, then one with a link flap of A in its middle (host QMP at sync points link-down and
 * link-up), then one with A's driver unbound and bound again in its middle, and so on; a
 * last plain round ends it. A plain round must balance exactly: on each side the frames
 * seen are the frames sent (or counted missed by the receiving device), both drivers'
 * counters agree, the host's wire tap saw exactly what was sent, and no stall longer than
 * nic.stall_ms. A round with an event may lose what was in flight (a frame sent while the
 * link is down dies in QEMU), but nothing may arrive corrupt, twice or out of order, the
 * event must be reported within nic.link_ms, and traffic must flow again afterwards; the
 * host's wire tap must have carried at least what each receiver got and at most what was
 * sent, whole, in any order (the detach round: before it and after it, the re-attached
 * NIC's readiness probes between the two windows).
 * The framework's page and heap counters then catch a leak of the attach cycles or the
 * traffic. Metrics: frames and bytes each way, rounds, flaps, attaches, the longest stall.
 */
struct nic_dir {
	struct hv_netdev *src, *dst;
	struct nic_rx rx;
	uint32_t seq;			/* next sequence number to send */
	uint64_t sent, bytes;		/* this round */
	uint64_t gone;			/* of them, given up for lost at an event */
	uint64_t total_frames, total_bytes;	/* received, over the soak */
	struct nic_books books;
	struct nic_wire wire;
};

struct nic_soak {
	struct nic_dir d[2];		/* A to B, B to A */
	uint64_t stall_us, link_us, round_us;
	uint64_t worst_gap_us, rounds, flaps, attaches;
};

static void nic_dir_route(struct nic_dir *d)
{
	netdev_set_rx(d->dst, nic_receive, &d->rx);
}

/* A new round: counters from zero, order from the next sequence number. */
static void nic_dir_start(struct nic_dir *d)
{
	d->rx.frames = d->rx.bad = d->rx.out_of_order = d->rx.bytes = d->rx.backward = 0;
	d->rx.check = 1;
	nicframe_order_start(&d->rx.order, d->seq);
	d->sent = d->bytes = d->gone = 0;
	d->wire = (struct nic_wire){ .nd = d->src, .first = d->seq };
}

/* Send one frame if the window allows. 0, or the driver's error. */
static int nic_dir_send(struct nic_dir *d)
{
	if (d->sent - d->gone - d->rx.frames >= NIC_WINDOW)
		return 0;
	size_t len = 60 + (size_t)((d->seq * 37u) % 1455u);
	int ret = netdev_xmit(d->src, nic_frame, nic_build(d->src, d->dst, d->seq, len));
	if (ret == -HV_EAGAIN) {
		nic_poll(d->src);
		return 0;
	}
	if (ret < 0)
		return ret;
	d->seq++;
	d->sent++;
	d->bytes += len;
	d->wire.frames++;
	d->wire.bytes += len;
	return 0;
}

/* Traffic both ways until `until` (time_us). Fails on a stall (nothing received in either
 * direction for stall_us while frames are owed) or a transmit error. */
static enum ktest_status nic_soak_traffic(struct ktest_ctx *t, struct nic_soak *s, uint64_t until)
{
	uint64_t seen = s->d[0].rx.frames + s->d[1].rx.frames, progress = time_us();

	while (time_us() < until) {
		for (int k = 0; k < 2; k++) {
			struct nic_dir *d = &s->d[k];
			int ret = nic_dir_send(d);
			if (ret < 0) {
				ktest_msg(t, "%s: xmit failed (%d) after %llu frames of the round", d->src->name,
					  ret, (unsigned long long)d->sent);
				return KTEST_FAIL;
			}
			nic_poll(d->dst);
		}
		uint64_t now_seen = s->d[0].rx.frames + s->d[1].rx.frames, now = time_us();
		if (now_seen != seen) {
			if (now - progress > s->worst_gap_us)
				s->worst_gap_us = now - progress;
			seen = now_seen;
			progress = now;
		} else if (now - progress > s->stall_us) {
			/* with interrupts driving them, one poll shows frames that sat in a ring */
			const char *why = "";
			if (!nic_polling && s->d[0].dst->ops->poll && s->d[1].dst->ops->poll) {
				int on = cpu_irq_save();
				s->d[0].dst->ops->poll(s->d[0].dst, 64);
				s->d[1].dst->ops->poll(s->d[1].dst, 64);
				cpu_irq_restore(on);
				why = s->d[0].rx.frames + s->d[1].rx.frames != seen ?
				      ": frames were waiting in a ring, the interrupt never came" :
				      ": the rings held nothing either";
			}
			ktest_msg(t, "stalled: nothing received either way for %llu ms (%s %llu of %llu, "
				  "%s %llu of %llu)%s", (unsigned long long)s->stall_us / 1000,
				  s->d[0].dst->name, (unsigned long long)s->d[0].rx.frames,
				  (unsigned long long)s->d[0].sent, s->d[1].dst->name,
				  (unsigned long long)s->d[1].rx.frames, (unsigned long long)s->d[1].sent, why);
			return KTEST_FAIL;
		}
	}
	return KTEST_PASS;
}

/* Wait for what is owed both ways (bounded by nic_drain_us of quiet). */
static void nic_soak_drain(struct nic_soak *s)
{
	uint64_t last = 0, t = time_us();

	while ((s->d[0].rx.frames + s->d[0].gone < s->d[0].sent ||
		s->d[1].rx.frames + s->d[1].gone < s->d[1].sent) &&
	       time_us() - t < nic_drain_us) {
		nic_poll(s->d[0].dst);
		nic_poll(s->d[1].dst);
		uint64_t now = s->d[0].rx.frames + s->d[1].rx.frames;
		if (now != last) {
			last = now;
			t = time_us();
		}
	}
}

/* A plain round: exact books each way and on the wire. */
static enum ktest_status nic_soak_plain(struct ktest_ctx *t, struct nic_soak *s)
{
	struct nic_wire w[2];
	enum ktest_status st;
	uint64_t missed;

	for (int k = 0; k < 2; k++) {
		nic_dir_start(&s->d[k]);
		if (nic_books_open(t, &s->d[k].books, s->d[k].src, s->d[k].dst) < 0)
			return KTEST_FAIL;
	}
	if (nic_wire_begin(s->d[0].src, s->d[1].src) < 0) {
		ktest_msg(t, "the host did not answer sync point wire-begin");
		return KTEST_ERROR;
	}
	st = nic_soak_traffic(t, s, time_us() + s->round_us);
	nic_soak_drain(s);
	w[0] = s->d[0].wire;
	w[1] = s->d[1].wire;
	if (nic_wire_check("nic.soak", w, 2) < 0 && st == KTEST_PASS) {
		ktest_msg(t, "the host did not answer sync point wire-check");
		st = KTEST_ERROR;
	}
	for (int k = 0; k < 2 && st == KTEST_PASS; k++)
		st = nic_books_close(t, &s->d[k].books, s->d[k].sent, s->d[k].bytes, &s->d[k].rx, &missed);
	for (int k = 0; k < 2; k++) {
		s->d[k].total_frames += s->d[k].rx.frames;
		s->d[k].total_bytes += s->d[k].rx.bytes;
	}
	return st;
}

/* The host's wire tap starts counting a window of an event round (both directions). */
static enum ktest_status nic_soak_wire_begin(struct ktest_ctx *t, struct nic_soak *s)
{
	if (nic_wire_begin(s->d[0].src, s->d[1].src) < 0) {
		ktest_msg(t, "the host did not answer sync point wire-begin");
		return KTEST_ERROR;
	}
	return KTEST_PASS;
}

/* ... and judges it loosely: between what each receiver got and what was sent crossed the
 * wire, whole (a frame the receiver got that never crossed, or more than were sent,
 * fails there too); the order is the receivers' to judge. */
static enum ktest_status nic_soak_wire_loose(struct ktest_ctx *t, struct nic_soak *s)
{
	struct nic_wire w[2];

	for (int k = 0; k < 2; k++) {
		w[k] = s->d[k].wire;
		w[k].loose = 1;
		w[k].seen = s->d[k].rx.frames;
	}
	if (nic_wire_check("nic.soak", w, 2) < 0) {
		ktest_msg(t, "the host did not answer sync point wire-check");
		return KTEST_ERROR;
	}
	return KTEST_PASS;
}

/* What a round with an event allows: loss, but nothing corrupt, doubled or reordered. */
static enum ktest_status nic_soak_sane(struct ktest_ctx *t, struct nic_soak *s, const char *event)
{
	for (int k = 0; k < 2; k++) {
		struct nic_dir *d = &s->d[k];
		d->total_frames += d->rx.frames;
		d->total_bytes += d->rx.bytes;
		if (d->rx.bad || d->rx.backward || d->rx.frames > d->sent) {
			ktest_msg(t, "round %llu (%s): %s got %llu frames for %llu sent, %llu corrupt, %llu "
				  "duplicate or older than one seen", (unsigned long long)s->rounds, event,
				  d->dst->name, (unsigned long long)d->rx.frames, (unsigned long long)d->sent,
				  (unsigned long long)d->rx.bad, (unsigned long long)d->rx.backward);
			return KTEST_FAIL;
		}
	}
	return KTEST_PASS;
}

static enum ktest_status nic_soak_flap(struct ktest_ctx *t, struct nic_soak *s)
{
	struct hv_netdev *a = s->d[0].src;
	uint64_t took;
	enum ktest_status st;

	for (int k = 0; k < 2; k++)
		nic_dir_start(&s->d[k]);
	if ((st = nic_soak_wire_begin(t, s)) != KTEST_PASS)
		return st;
	st = nic_soak_traffic(t, s, time_us() + s->round_us / 2);
	if (st == KTEST_PASS && nic_link_sync(a, "link-down") < 0) {
		ktest_msg(t, "the host did not answer the link-down sync point");
		return KTEST_ERROR;
	}
	/* keep sending while the link goes down: frames die in QEMU, and a driver may refuse
	 * them while its link is down; nothing may break */
	uint64_t t0 = time_us();
	while (st == KTEST_PASS && a->link_up && time_us() - t0 < s->link_us)
		for (int k = 0; k < 2; k++) {
			(void)nic_dir_send(&s->d[k]);
			nic_poll(s->d[k].dst);
		}
	if (st == KTEST_PASS && a->link_up) {
		ktest_msg(t, "round %llu: %s still reports link up %llu ms after the host took it down",
			  (unsigned long long)s->rounds, a->name, (unsigned long long)s->link_us / 1000);
		return KTEST_FAIL;
	}
	if (st == KTEST_PASS && nic_link_sync(a, "link-up") < 0) {
		ktest_msg(t, "the host did not answer the link-up sync point");
		return KTEST_ERROR;
	}
	if (st == KTEST_PASS && nic_wait_state(a, true, s->link_us, &took) < 0) {
		ktest_msg(t, "round %llu: %s still reports link down %llu ms after the host brought it up",
			  (unsigned long long)s->rounds, a->name, (unsigned long long)s->link_us / 1000);
		return KTEST_FAIL;
	}
	s->flaps++;
	/* What was sent while the link was down died in QEMU: let what is still in flight
	 * arrive, write the rest off, and take the order from the next frame on. */
	uint64_t t1 = time_us();
	while (time_us() - t1 < 50000)
		for (int k = 0; k < 2; k++)
			nic_poll(s->d[k].dst);
	for (int k = 0; k < 2; k++) {
		s->d[k].gone = s->d[k].sent > s->d[k].rx.frames ? s->d[k].sent - s->d[k].rx.frames : 0;
		s->d[k].rx.order.started = 0;
	}
	if (st == KTEST_PASS)
		st = nic_soak_traffic(t, s, time_us() + s->round_us / 2);
	nic_soak_drain(s);
	if (st == KTEST_PASS)
		st = nic_soak_wire_loose(t, s);
	return st == KTEST_PASS ? nic_soak_sane(t, s, "link flap") : st;
}

/* A's driver unbound and bound again under load; A's netdev is a new one afterwards. */
static enum ktest_status nic_soak_attach(struct ktest_ctx *t, struct nic_soak *s)
{
	struct hv_netdev *a = s->d[0].src, *b = s->d[0].dst, *na = 0;
	struct pci_dev *pd = (struct pci_dev *)a->pci;
	enum ktest_status st;

	for (int k = 0; k < 2; k++)
		nic_dir_start(&s->d[k]);
	if ((st = nic_soak_wire_begin(t, s)) != KTEST_PASS)
		return st;
	st = nic_soak_traffic(t, s, time_us() + s->round_us / 2);
	if (st != KTEST_PASS)
		return st;
	nic_soak_drain(s);
	if ((st = nic_soak_wire_loose(t, s)) != KTEST_PASS || (st = nic_soak_sane(t, s, "before detach")) != KTEST_PASS)
		return st;
	if (!pd || !pd->driver) {
		ktest_msg(t, "%s has no PCI function behind it", a->name);
		return KTEST_FAIL;
	}
	netdev_set_rx(a, 0, 0);
	driver_unbind(pd);
	driver_bind_all();
	for (struct hv_netdev *x = netdev_first(); x; x = netdev_next(x))
		if ((struct pci_dev *)x->pci == pd)
			na = x;
	if (!na) {
		ktest_msg(t, "round %llu: %s did not come back after its driver was bound again",
			  (unsigned long long)s->rounds, a->name);
		return KTEST_FAIL;
	}
	s->attaches++;
	int ret = netdev_open(na);
	if ((ret < 0 && ret != -HV_EBUSY) || nic_wait_link(na, s->link_us) < 0) {
		ktest_msg(t, "round %llu: %s (bound again) did not open or get a link (%d)",
			  (unsigned long long)s->rounds, na->name, ret);
		return KTEST_FAIL;
	}
	s->d[0].src = s->d[1].dst = na;
	if (nic_ready(t, b, na, 0) < 0 || nic_ready(t, na, b, 0) < 0)
		return KTEST_FAIL;
	for (int k = 0; k < 2; k++) {
		nic_dir_route(&s->d[k]);
		nic_dir_start(&s->d[k]);
	}
	if ((st = nic_soak_wire_begin(t, s)) != KTEST_PASS)
		return st;
	st = nic_soak_traffic(t, s, time_us() + s->round_us / 2);
	nic_soak_drain(s);
	if (st == KTEST_PASS)
		st = nic_soak_wire_loose(t, s);
	return st == KTEST_PASS ? nic_soak_sane(t, s, "after attach") : st;
}

KTEST_MANUAL(nic, soak)
{
	struct hv_netdev *a, *b;
	const char *skip = nic_pick(t, &a, &b);
	struct nic_soak s;

	if (skip) {
		ktest_msg(t, "%s", skip);
		return KTEST_SKIP;
	}
	memset(&s, 0, sizeof(s));
	uint64_t secs = ktest_param_u64(t, "soak_s", 60);
	s.round_us = ktest_param_u64(t, "soak_round_ms", 1000) * 1000;
	s.stall_us = ktest_param_u64(t, "stall_ms", 2000) * 1000;
	s.link_us = ktest_param_u64(t, "link_ms", 2000) * 1000;
	if (!secs || s.round_us < 100000) {
		ktest_msg(t, "nic.soak_s must be at least 1 and nic.soak_round_ms at least 100");
		return KTEST_ERROR;
	}
	if (nic_setup(t, a, b) < 0 || nic_ready(t, b, a, "ready_back_us") < 0) {
		nic_teardown(a, b);
		return KTEST_FAIL;
	}
	s.d[0] = (struct nic_dir){ .src = a, .dst = b, .seq = 0x400000 };
	s.d[1] = (struct nic_dir){ .src = b, .dst = a, .seq = 0x800000 };
	nic_dir_route(&s.d[0]);
	nic_dir_route(&s.d[1]);
	enum ktest_status st = KTEST_PASS;
	uint64_t t0 = time_us(), end = t0 + secs * 1000000;
	for (; st == KTEST_PASS && (s.rounds == 0 || time_us() < end); s.rounds++) {
		switch (s.rounds % 3) {
		case 0:
			st = nic_soak_plain(t, &s);
			break;
		case 1:
			st = nic_soak_flap(t, &s);
			break;
		default:
			st = nic_soak_attach(t, &s);
			break;
		}
	}
	/* the last round is a plain one, whatever came before */
	if (st == KTEST_PASS && (s.rounds - 1) % 3 != 0) {
		st = nic_soak_plain(t, &s);
		s.rounds++;
	}
	netdev_set_rx(s.d[0].dst, 0, 0);
	netdev_set_rx(s.d[1].dst, 0, 0);
	nic_teardown(s.d[0].src, s.d[0].dst);
	ktest_metric(t, "seconds", (time_us() - t0) / 1000000, "s");
	ktest_metric(t, "rounds", s.rounds, "count");
	ktest_metric(t, "flaps", s.flaps, "count");
	ktest_metric(t, "attaches", s.attaches, "count");
	ktest_metric(t, "frames_ab", s.d[0].total_frames, "frames");
	ktest_metric(t, "frames_ba", s.d[1].total_frames, "frames");
	ktest_metric(t, "bytes_ab", s.d[0].total_bytes, "bytes");
	ktest_metric(t, "bytes_ba", s.d[1].total_bytes, "bytes");
	ktest_metric(t, "stall_max_us", s.worst_gap_us, "us");
	return st;
}
